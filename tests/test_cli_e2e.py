"""End to end: the installed `spapi-roles` console script on the projects in tests/data/projects.

Expected findings follow from the knowledge base's facts (Amazon's role tables; see the module
docstrings of the project files and tests/test_checks.py): getCompetitivePricing needs Pricing or
Product Listing; GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA needs Amazon Fulfillment or Pricing;
ANY_OFFER_CHANGED needs Pricing; getOrders is granted by Inventory and Order Tracking.
Columns are those of the operation-name (or type-name) token, as the issue specifies. The lines
and codes expected are the `# SPRxxx` markers of the project files (support.codes).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List

import jsonschema
import pytest
from support.codes import Marked, column_of, project_markers

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib

PROJECTS = Path(__file__).parent / "data" / "projects"
SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "sarif" / "sarif-schema-2.1.0.json").read_text()
)
SPAPI_ROLES = str(Path(sys.executable).with_name("spapi-roles"))

# One least-privilege plan for the shop's findings: Pricing grants all three.
PRICING_MSG = (
    "`getCompetitivePricing` (Product Pricing API v0) needs a role; "
    "suggest `Pricing` or `Product Listing`"
)
REPORT_MSG = (
    "report type `GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA` needs a role; "
    "suggest `Pricing` or `Amazon Fulfillment`"
)
OFFER_MSG = "notification type `ANY_OFFER_CHANGED` needs a role; suggest `Pricing`"
# The shop passes a report type the engine cannot resolve (SPR902): SPR501 says so.
UNUSED_MSG = ("role `Brand Analytics` is declared but no checked code needs it; the engine could "
              "not tell the roles of 1 unresolved report type")
# code -> (token it is reported at; None: a manifest line, column 0) and message, in the shop
SHOP_MESSAGES = {
    "SPR101": ("get_competitive_pricing_for_asins", PRICING_MSG),
    "SPR201": ("GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA", REPORT_MSG),
    "SPR203": ("ANY_OFFER_CHANGED", OFFER_MSG),
    "SPR501": (None, UNUSED_MSG),
}


def copy_project(name: str, destination: Path) -> Path:
    target = destination / name
    shutil.copytree(PROJECTS / name, target, ignore=shutil.ignore_patterns("README.md"))
    return target


def run(*args: str, cwd: Path, cache: Path, stdin: str = "") -> subprocess.CompletedProcess:
    env = dict(os.environ, SPAPI_ROLES_CACHE_DIR=str(cache))
    env.pop("GITHUB_STEP_SUMMARY", None)
    return subprocess.run(
        [SPAPI_ROLES, *args],
        cwd=cwd,
        env=env,
        input=stdin,
        text=True,
        capture_output=True,
        timeout=120,
    )


def marked(name: str, **wanted: bool) -> List[Marked]:
    """The marked findings of project ``name`` whose attributes have the ``wanted`` values."""
    return [m for m in project_markers(PROJECTS / name)
            if all(getattr(m, key) == value for key, value in wanted.items())]


def at(findings: List[Marked]):
    return [(m.path, m.line, m.code) for m in findings]


def the(code: str, name: str = "shop") -> Marked:
    """The one default finding of ``code`` marked in project ``name``."""
    (found,) = [m for m in marked(name, default=True) if m.code == code]
    return found


@pytest.fixture
def shop(tmp_path):
    return copy_project("shop", tmp_path)


@pytest.fixture
def cli(tmp_path):
    cache = tmp_path / "cache"

    def call(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess:
        return run(*args, cwd=cwd, cache=cache, stdin=stdin)

    return call


def shop_findings(shop: Path):
    """(path, line, 0-based column, code, message) of the default findings in the shop project."""
    findings = []
    for found in marked("shop", default=True):
        token, message = SHOP_MESSAGES[found.code]
        column = 0 if token is None else column_of(shop, found, token)
        findings.append((found.path, found.line, column, found.code, message))
    return findings


def test_check_text(shop, cli):
    result = cli("check", cwd=shop)
    assert result.returncode == 1, result.stderr
    expected = [
        f"{path}:{line}:{col + 1}: {code} {message}"
        for path, line, col, code, message in shop_findings(shop)
    ]
    expected.append(
        "Found 4 problems (3 errors, 1 warning) in 4 files (5 files checked); "
        "1 suppressed by noqa"
    )
    assert result.stdout.splitlines() == expected
    assert result.stderr == ""


def test_check_json(shop, cli):
    result = cli("check", "--format", "json", cwd=shop)
    assert result.returncode == 1
    diagnostics = json.loads(result.stdout)["diagnostics"]
    assert [(d["path"], d["line"], d["column"], d["code"], d["message"]) for d in diagnostics] == (
        shop_findings(shop)
    )
    pricing = diagnostics[0]
    assert pricing == {
        "path": the("SPR101").path,
        "line": the("SPR101").line,
        "column": pricing["column"],
        "code": "SPR101",
        "level": "error",
        "message": PRICING_MSG,
        "kind": "operation",
        "name": "getCompetitivePricing",
        "api": "Product Pricing API",
        "version": "v0",
        "required_roles": ["Pricing", "Product Listing"],
        "confidence": "medium",
        "suggested_role": "Pricing",
        "related": [],
    }
    assert diagnostics[1]["kind"] == "report" and diagnostics[1]["name"] == (
        "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"
    )
    assert diagnostics[3]["kind"] == "role" and diagnostics[3]["name"] == "Brand Analytics"


def test_json_paths_are_relative_to_the_working_directory(shop, cli):
    result = cli("check", "--format", "json", "shop", cwd=shop.parent)
    paths = [d["path"] for d in json.loads(result.stdout)["diagnostics"]]
    assert paths == [f"shop/{found.path}" for found in marked("shop", default=True)]


def test_check_sarif_is_valid_and_repository_relative(shop, cli):
    subprocess.run(["git", "init", "-q", str(shop.parent)], check=True)
    result = cli("check", "--format", "sarif", cwd=shop)  # run inside the repository's subdirectory
    assert result.returncode == 1
    document = json.loads(result.stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    run_ = document["runs"][0]
    results = run_["results"]
    expected = marked("shop", default=True)
    assert [r["ruleId"] for r in results] == [found.code for found in expected]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results] == [
        f"shop/{found.path}" for found in expected
    ]
    assert all(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        for r in results
    )
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results] == [
        found.line for found in expected
    ]
    assert all(r["partialFingerprints"] for r in results)
    rules = run_["tool"]["driver"]["rules"]
    assert rules[results[0]["ruleIndex"]]["id"] == "SPR101"
    assert "## Why is this bad?" in rules[results[0]["ruleIndex"]]["help"]["text"]


def test_check_github(shop, cli):
    result = cli("check", "--format", "github", cwd=shop)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    findings = shop_findings(shop)
    path, line, col, code, message = findings[0]
    assert (
        lines[0] == f"::error file={path},line={line},col={col + 1},title={code}::{message}"
    )
    unused = the("SPR501")
    assert lines[3] == (
        f"::warning file={unused.path},line={unused.line},col=1,title=SPR501::{UNUSED_MSG}"
    )
    assert lines[4].startswith("spapi-roles: Found 4 problems")


def test_opt_in_codes_and_ignore(shop, cli):
    result = cli(
        "check", "--extend-select", "SPR4,SPR9", "--ignore", "SPR5", "--format", "json", cwd=shop
    )
    found = [(d["path"], d["line"], d["code"]) for d in json.loads(result.stdout)["diagnostics"]]
    assert found == at(m for m in marked("shop", suppressed=False) if not m.code.startswith("SPR5"))
    assert {code for _, _, code in found} >= {"SPR401", "SPR402", "SPR902"}
    result = cli("check", "--select", "SPR5", cwd=shop)
    unused = the("SPR501")
    # SPR501 is a warning: reported, but it fails the run only with --fail-on warning
    assert result.returncode == 0 and result.stdout.splitlines()[0].startswith(
        f"{unused.path}:{unused.line}:1: SPR501"
    )


def test_named_files_get_no_project_checks(shop, cli):
    named = ("app/pricing.py", "app/orders.py")
    result = cli("check", *named, cwd=shop)
    assert result.returncode == 1
    assert [line.split(": ")[1].split()[0] for line in result.stdout.splitlines()[:-1]] == [
        found.code for found in marked("shop", default=True, per_file=True) if found.path in named
    ] == ["SPR101"]


def test_clean_project_exits_0(shop, cli):
    manifest = shop / "spapi-roles.toml"
    manifest.write_text(manifest.read_text().replace('"Brand Analytics",', '"Pricing",'))
    result = cli("check", cwd=shop)
    assert (result.returncode, result.stdout) == (
        0,
        "No problems found (5 files checked)\n",  # the noqa line is granted too
    )


def test_fix_adds_the_least_privilege_role_and_keeps_every_comment(shop, cli):
    manifest = shop / "spapi-roles.toml"
    before = manifest.read_text()
    result = cli("check", "--fix", cwd=shop)
    after = manifest.read_text()
    # One role covers all three findings: Pricing grants getCompetitivePricing, the FBA report and
    # ANY_OFFER_CHANGED.
    assert result.returncode == 0  # the unused role stays, a warning
    unused = the("SPR501")
    assert result.stdout.splitlines() == [
        f"{unused.path}:{unused.line}:1: SPR501 {UNUSED_MSG}",
        "Found 1 problem (1 warning) in 1 file (5 files checked); "
        "added `Pricing` to spapi-roles.toml",
    ]
    for line in before.splitlines():  # every line, comments included, is still there
        assert line in after.splitlines()
    assert [line for line in after.splitlines() if line not in before.splitlines()][
        -1
    ].strip() == '"Pricing",'

    assert tomllib.loads(after)["roles"] == [
        "Inventory and Order Tracking",
        "Brand Analytics",
        "Pricing",
    ]
    again = cli("check", cwd=shop)
    assert again.returncode == 0 and len(again.stdout.splitlines()) == 2


def test_fix_without_findings_leaves_the_manifest_alone(shop, cli):
    manifest = shop / "spapi-roles.toml"
    before = manifest.read_bytes()
    result = cli("check", "--fix", "--select", "SPR5", cwd=shop)
    assert result.returncode == 0
    assert manifest.read_bytes() == before


def test_baseline_matches_by_code_file_and_subject_not_line(shop, cli):
    assert cli("check", "--write-baseline", "baseline.json", cwd=shop).returncode == 0
    entries = json.loads((shop / "baseline.json").read_text())["entries"]
    assert len(entries) == 4
    result = cli("check", "--baseline", "baseline.json", cwd=shop)
    assert result.returncode == 0, result.stdout
    assert "4 in the baseline" in result.stdout
    pricing = shop / "app" / "pricing.py"
    pricing.write_text(
        "# moved down\n\n"
        + pricing.read_text()
        + "\n\ndef more(asins):\n    return Products().get_item_offers(asins[0], 'New')\n"
    )
    result = cli("check", "--baseline", "baseline.json", "--format", "json", cwd=shop)
    new = [(d["path"], d["code"], d["name"]) for d in json.loads(result.stdout)["diagnostics"]]
    assert result.returncode == 1
    assert new == [("app/pricing.py", "SPR101", "getItemOffers")]


def test_init_writes_a_least_privilege_manifest_and_refuses_to_overwrite(shop, cli):
    (shop / "spapi-roles.toml").unlink()
    result = cli("init", cwd=shop)
    assert result.returncode == 0, result.stderr
    text = (shop / "spapi-roles.toml").read_text()

    # Pricing alone grants every use: getOrders, getCompetitivePricing, the FBA report, offers.
    assert tomllib.loads(text)["roles"] == ["Pricing"]
    comments = [line.strip() for line in text.splitlines() if line.strip().startswith("#")]
    pricing, offers = the("SPR101"), the("SPR203")
    assert any(f"getCompetitivePricing ({pricing.path}:{pricing.line})" in c for c in comments)
    assert any(f"ANY_OFFER_CHANGED ({offers.path}:{offers.line})" in c for c in comments)
    assert cli("check", cwd=shop).returncode == 0
    again = cli("init", cwd=shop)
    assert again.returncode == 2
    assert (
        again.stderr.count("\n") == 1
        and "spapi-roles.toml" in again.stderr
        and "already exists" in again.stderr
    )


def test_init_for_a_vendor_account(shop, cli):
    (shop / "spapi-roles.toml").unlink()
    result = cli("init", "--account", "vendor", "--manifest", "vendor.toml", cwd=shop)
    assert result.returncode == 0

    written = tomllib.loads((shop / "vendor.toml").read_text())
    assert written["account"] == "vendor"
    # Pricing is not open to vendors; uses that only sellers' roles grant are left out and noted.
    assert "Pricing" not in written["roles"]
    assert "vendor accounts cannot hold" in result.stderr


def test_why_lists_every_call_site(shop, cli):
    result = cli("why", "pricing", cwd=shop)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    # Pricing grants every use of the shop's code whose type is known: each marked line, the
    # noqa'd and opt-in ones too, but the unresolved report type's (SPR902).
    needing = sorted({(m.path, m.line) for m in marked("shop", per_file=True)
                      if m.code != "SPR902"})
    summary = f"{len(needing)} use(s) can use `Pricing` (1 have no other choice)"
    assert lines[-1] == summary == "5 use(s) can use `Pricing` (1 have no other choice)"
    assert sorted((line.split(":")[0], int(line.split(":")[1])) for line in lines[:-1]) == needing
    offers = the("SPR203")
    offer_column = column_of(shop, offers, "ANY_OFFER_CHANGED") + 1
    assert (
        f"{offers.path}:{offers.line}:{offer_column}: "
        "notification type `ANY_OFFER_CHANGED` can use `Pricing` (no other role grants it)"
        in lines
    )
    assert (
        cli("why", "Brand Analytics", cwd=shop).stdout
        == "No checked code can use `Brand Analytics`\n"
    )
    wrong = cli("why", "Pricingg", cwd=shop)
    assert (wrong.returncode, wrong.stdout) == (2, "")
    assert wrong.stderr == "spapi-roles: error: unknown role `Pricingg`; did you mean `Pricing`?\n"


def test_explain_prints_rule_docs_and_knowledge(shop, cli):
    result = cli("explain", "SPR101", cwd=shop)
    assert result.returncode == 0
    assert result.stdout.startswith("SPR101 (undeclared-operation-role)")
    assert "## Fix" in result.stdout
    assert "getCompetitivePricing" in cli("explain", "getCompetitivePricing", cwd=shop).stdout
    unknown = cli("explain", "SPR999", cwd=shop)
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1


def test_monorepo_nearest_manifest_regions_account_and_no_manifest(tmp_path, cli):
    root = copy_project("monorepo", tmp_path)
    result = cli("check", "--format", "json", cwd=root)
    assert result.returncode == 1
    found = [(d["path"], d["line"], d["code"]) for d in json.loads(result.stdout)["diagnostics"]]
    # In EU, Pricing does not grant getOrderMetrics (Pricing: FE only); getInvoices is NA only.
    # No manifest above tools/: checked against no roles. Vendors cannot hold Tax Invoicing (the
    # only role of getInvoices) nor Pricing.
    assert found == at(marked("monorepo", default=True))
    assert {m.path for m in marked("monorepo", no_manifest=True)} == {"tools/metrics.py"}
    diagnostics = json.loads(result.stdout)["diagnostics"]
    assert diagnostics[0]["required_roles"] == ["Inventory and Order Tracking", "Product Listing"]
    assert "no spapi-roles.toml governs 1 file(s)" in result.stderr
    assert "tools/metrics.py" in result.stderr


def test_explicit_manifest_applies_to_every_file(tmp_path, cli):
    root = copy_project("monorepo", tmp_path)
    (tmp_path / "all.toml").write_text(
        'roles = ["Inventory and Order Tracking", "Pricing", '
        '"Tax Invoicing (Restricted)", "Product Listing"]\n'
    )
    result = cli("check", "--manifest", "../all.toml", "--format", "json", cwd=root)
    found = [(d["path"], d["code"]) for d in json.loads(result.stdout)["diagnostics"]]
    assert found == []
    assert result.returncode == 0


def test_findings_on_inferred_roles_are_marked_and_their_level_chosen(tmp_path, cli):
    # No source names listInboundPlans' roles: the data infers Amazon Fulfillment from the other
    # operations of Fulfillment Inbound 2024-03-20; createInboundPlan's roles are sourced.
    (tmp_path / "spapi-roles.toml").write_text('roles = []\ninferred = "warning"\n')
    (tmp_path / "inbound.py").write_text(
        "from sp_api.api import FulfillmentInbound\n\n"
        'inbound = FulfillmentInbound(version="2024-03-20")\n'
        "inbound.list_inbound_plans()\n"
        "inbound.create_inbound_plan(body={})\n"
    )
    result = cli("check", "--format", "sarif", cwd=tmp_path)
    assert result.returncode == 1
    results = json.loads(result.stdout)["runs"][0]["results"]
    assert [(r["locations"][0]["physicalLocation"]["region"]["startLine"], r["level"],
             r["properties"]["confidence"]) for r in results] == [
        (4, "warning", "inferred"), (5, "error", "medium")]
    assert "(roles inferred: no source names them" in results[0]["message"]["text"]
    result = cli("check", "--inferred", "error", cwd=tmp_path)  # the option wins
    assert result.stdout.splitlines()[-1].startswith("Found 2 problems (2 errors)")


@pytest.mark.parametrize(
    "args, message",
    [
        (("check", "--format", "xml"), "argument --format: invalid choice"),
        (("check", "nope.py"), "nope.py: no such file or directory"),
        (("check", "--baseline", "missing.json"), "missing.json: baseline not found"),
        (("check", "--manifest", "missing.toml"), "missing.toml: manifest not found"),
        (("check", "--select", "XYZ1"), "--select: `XYZ1` matches no SPR code"),
        (("frobnicate",), "invalid choice"),
    ],
)
def test_usage_and_configuration_errors_are_one_line_exit_2(shop, cli, args, message):
    result = cli(*args, cwd=shop)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_manifest_names_file_and_line(shop, cli):
    (shop / "spapi-roles.toml").write_text('roles = [\n  "Pricingg",\n]\n')
    result = cli("check", cwd=shop)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "spapi-roles: error: spapi-roles.toml:2: unknown role `Pricingg`; "
        "did you mean `Pricing`?\n"
    )


def test_two_broken_manifests_give_one_line_each(tmp_path, cli):
    root = copy_project("monorepo", tmp_path)
    (root / "seller_app" / "spapi-roles.toml").write_text("roles = [\n")
    (root / "vendor_app" / "spapi-roles.toml").write_text(
        'roles = ["Pricing"]\naccount = "robot"\n'
    )
    result = cli("check", cwd=root)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("spapi-roles: error: seller_app/spapi-roles.toml:")
    assert lines[1].startswith(
        "spapi-roles: error: vendor_app/spapi-roles.toml:2: unknown account `robot`"
    )
