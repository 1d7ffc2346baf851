"""End to end: the installed `spapi-roles` console script on the projects in tests/data/projects.

Expected findings follow from the knowledge base's facts (Amazon's role tables; see the module
docstrings of the project files and tests/test_checks.py): getCompetitivePricing needs Pricing or
Product Listing; GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA needs Amazon Fulfillment or Pricing;
ANY_OFFER_CHANGED needs Pricing; getOrders is granted by Inventory and Order Tracking.
Columns are those of the operation-name (or type-name) token, as the issue specifies.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib

PROJECTS = Path(__file__).parent / "data" / "projects"
SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "sarif" / "sarif-schema-2.1.0.json").read_text()
)
SPAPI_ROLES = str(Path(sys.executable).with_name("spapi-roles"))

PRICING_MSG = (
    "`getCompetitivePricing` (Product Pricing API v0) needs one of: Pricing, "
    "Product Listing; suggest `Pricing`"
)
REPORT_MSG = (
    "report type `GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA` needs one of: "
    "Amazon Fulfillment, Pricing; suggest `Amazon Fulfillment`"
)
OFFER_MSG = "notification type `ANY_OFFER_CHANGED` needs one of: Pricing; suggest `Pricing`"
UNUSED_MSG = "role `Brand Analytics` is declared but no checked code needs it"


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


def column(path: Path, line: int, token: str) -> int:
    """0-based column of ``token`` on ``line`` of ``path``."""
    return path.read_text().splitlines()[line - 1].index(token)


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
    return [
        (
            "app/pricing.py",
            6,
            column(shop / "app/pricing.py", 6, "get_competitive_pricing_for_asins"),
            "SPR101",
            PRICING_MSG,
        ),
        (
            "app/reports.py",
            8,
            column(shop / "app/reports.py", 8, "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"),
            "SPR201",
            REPORT_MSG,
        ),
        (
            "app/subscriptions.py",
            7,
            column(shop / "app/subscriptions.py", 7, "ANY_OFFER_CHANGED"),
            "SPR203",
            OFFER_MSG,
        ),
        ("spapi-roles.toml", 6, 0, "SPR501", UNUSED_MSG),
    ]


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
        "path": "app/pricing.py",
        "line": 6,
        "column": pricing["column"],
        "code": "SPR101",
        "message": PRICING_MSG,
        "kind": "operation",
        "name": "getCompetitivePricing",
        "api": "Product Pricing API",
        "version": "v0",
        "required_roles": ["Pricing", "Product Listing"],
    }
    assert diagnostics[1]["kind"] == "report" and diagnostics[1]["name"] == (
        "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"
    )
    assert diagnostics[3]["kind"] == "role" and diagnostics[3]["name"] == "Brand Analytics"


def test_json_paths_are_relative_to_the_working_directory(shop, cli):
    result = cli("check", "--format", "json", "shop", cwd=shop.parent)
    paths = [d["path"] for d in json.loads(result.stdout)["diagnostics"]]
    assert paths == [
        "shop/app/pricing.py",
        "shop/app/reports.py",
        "shop/app/subscriptions.py",
        "shop/spapi-roles.toml",
    ]


def test_check_sarif_is_valid_and_repository_relative(shop, cli):
    subprocess.run(["git", "init", "-q", str(shop.parent)], check=True)
    result = cli("check", "--format", "sarif", cwd=shop)  # run inside the repository's subdirectory
    assert result.returncode == 1
    document = json.loads(result.stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    run_ = document["runs"][0]
    results = run_["results"]
    assert [r["ruleId"] for r in results] == ["SPR101", "SPR201", "SPR203", "SPR501"]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results] == [
        "shop/app/pricing.py",
        "shop/app/reports.py",
        "shop/app/subscriptions.py",
        "shop/spapi-roles.toml",
    ]
    assert all(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        for r in results
    )
    assert results[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 6
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
    assert (
        lines[3]
        == f"::warning file=spapi-roles.toml,line=6,col=1,title=SPR501::{UNUSED_MSG}"
    )
    assert lines[4].startswith("spapi-roles: Found 4 problems")


def test_opt_in_codes_and_ignore(shop, cli):
    result = cli(
        "check", "--extend-select", "SPR4,SPR9", "--ignore", "SPR5", "--format", "json", cwd=shop
    )
    found = [(d["path"], d["line"], d["code"]) for d in json.loads(result.stdout)["diagnostics"]]
    assert found == [
        ("app/orders.py", 9, "SPR401"),
        ("app/orders.py", 9, "SPR402"),
        ("app/pricing.py", 6, "SPR101"),
        ("app/reports.py", 8, "SPR201"),
        ("app/reports.py", 13, "SPR902"),
        ("app/subscriptions.py", 7, "SPR203"),
    ]
    result = cli("check", "--select", "SPR5", cwd=shop)
    assert result.returncode == 1 and result.stdout.splitlines()[0].startswith(
        "spapi-roles.toml:6:1: SPR501"
    )


def test_named_files_get_no_project_checks(shop, cli):
    result = cli("check", "app/pricing.py", "app/orders.py", cwd=shop)
    assert result.returncode == 1
    assert [line.split(": ")[1].split()[0] for line in result.stdout.splitlines()[:-1]] == [
        "SPR101"
    ]


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
    assert result.returncode == 1  # the unused role stays
    assert result.stdout.splitlines() == [
        f"spapi-roles.toml:6:1: SPR501 {UNUSED_MSG}",
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
    assert again.returncode == 1 and len(again.stdout.splitlines()) == 2


def test_fix_without_findings_leaves_the_manifest_alone(shop, cli):
    manifest = shop / "spapi-roles.toml"
    before = manifest.read_bytes()
    result = cli("check", "--fix", "--select", "SPR5", cwd=shop)
    assert result.returncode == 1
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
    assert any("getCompetitivePricing (app/pricing.py:6)" in c for c in comments)
    assert any("ANY_OFFER_CHANGED (app/subscriptions.py:7)" in c for c in comments)
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
    assert lines[-1] == "5 use(s) need `Pricing`"
    assert sorted(line.split(":")[0] + ":" + line.split(":")[1] for line in lines[:-1]) == [
        "app/orders.py:9",
        "app/pricing.py:10",
        "app/pricing.py:6",
        "app/reports.py:8",
        "app/subscriptions.py:7",
    ]
    offer_column = column(shop / "app/subscriptions.py", 7, "ANY_OFFER_CHANGED") + 1
    assert (
        f"app/subscriptions.py:7:{offer_column}: "
        "notification type `ANY_OFFER_CHANGED` needs `Pricing` (no other role grants it)" in lines
    )
    assert (
        cli("why", "Brand Analytics", cwd=shop).stdout
        == "No checked code needs `Brand Analytics`\n"
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
    assert found == [
        # In EU, Pricing does not grant getOrderMetrics (Pricing: FE only); getInvoices is NA only.
        ("seller_app/sales.py", 13, "SPR101"),
        ("seller_app/sales.py", 14, "SPR304"),
        # No manifest above tools/: checked against no roles.
        ("tools/metrics.py", 8, "SPR101"),
        # Vendors cannot hold Tax Invoicing (the only role of getInvoices) nor Pricing.
        ("vendor_app/catalog.py", 11, "SPR303"),
        ("vendor_app/spapi-roles.toml", 4, "SPR302"),
        ("vendor_app/spapi-roles.toml", 4, "SPR501"),
    ]
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
