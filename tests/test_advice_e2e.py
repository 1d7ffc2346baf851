"""Advice a team can follow (issue 15), through the real `spapi-roles` and `flake8`.

- Regions: without `regions`, a role must grant a use in every region Amazon offers it in; a role
  that grants it only in FE does not do for an NA app.
- One suggestion logic: a finding's suggestion, `check --fix` and `init` are one least-privilege
  choice, and restricted roles come with Amazon's review and the use that needs them.
- Silence explained: `init` does not write `roles = []` for code that talks to SP-API in ways the
  engine cannot resolve; SPR501 names what the engine could not see, and warns without failing.
- Messages that fit on a line: "or any of 10 other roles", the full list in JSON and SARIF.

The facts relied on (the bundled data, from Amazon's role tables): getMarketplaceParticipations is
offered in NA, EU and FE; Product Listing and Selling Partner Insights grant it everywhere, six
roles (Amazon Fulfillment among them) in FE only. getOrders is granted by eleven roles, everywhere.
getInvoices needs Tax Invoicing (Restricted), NA only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
from support.codes import project_markers

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib

BIN = Path(sys.executable).parent
IOT = "Inventory and Order Tracking"

# Issue 15's example: an NA app holding Amazon Fulfillment passed before, and got a 403.
REGIONS_EXAMPLE = """\
from sp_api.api import Orders, Sellers


def marketplaces():
    return Sellers().get_marketplace_participation()  # SPR101


def new_orders(since):
    return Orders().get_orders(CreatedAfter=since)
"""
PARTICIPATIONS = (
    "`getMarketplaceParticipations` (Sellers API v1) needs a role in NA, EU, FE (no `regions` "
    "declared; `Amazon Fulfillment` grants it only in FE); suggest `Product Listing` or "
    "`Selling Partner Insights`"
)


def write(root: Path, files: Dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def run(tool: str, *args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess:
    env = dict(os.environ, SPAPI_ROLES_CACHE_DIR=str(cwd.parent / "cache"))
    env.pop("NO_COLOR", None)
    command = [str(BIN / tool), *args] if tool == "spapi-roles" else [
        sys.executable, "-m", "flake8", *args]
    return subprocess.run(command, cwd=cwd, env=env, input=stdin, text=True,
                          capture_output=True, timeout=300)


def findings(output: str) -> List[Tuple[str, int, str]]:
    """(path, line, code) of each finding line of text output."""
    found = []
    for line in output.splitlines():
        parts = line.split(":", 3)
        if len(parts) == 4 and parts[1].isdigit() and parts[3].lstrip().startswith("SPR"):
            found.append((parts[0], int(parts[1]), parts[3].split()[0]))
    return found


def marked(root: Path) -> List[Tuple[str, int, str]]:
    return [(m.path, m.line, m.code) for m in project_markers(root) if m.default]


# ---------------------------------------------------------------------------- regions


@pytest.fixture
def na_app(tmp_path):
    return write(tmp_path / "app", {"spapi-roles.toml": 'roles = ["Amazon Fulfillment"]\n',
                                    "sync.py": REGIONS_EXAMPLE})


def test_without_regions_a_role_granting_only_in_fe_does_not_do(na_app):
    ran = run("spapi-roles", "check", cwd=na_app)
    assert ran.returncode == 1, ran.stderr
    assert findings(ran.stdout) == marked(na_app)
    assert f"sync.py:5:22: SPR101 {PARTICIPATIONS}" in ran.stdout.splitlines()


def test_flake8_says_the_same_about_regions(na_app):
    ran = run("flake8", "--isolated", "--select", "SPR", "sync.py", cwd=na_app)
    assert ran.returncode == 1, ran.stderr
    assert ran.stdout.splitlines() == [f"sync.py:5:22: SPR101 {PARTICIPATIONS}"]


@pytest.mark.parametrize("regions, status", [('["FE"]', 0), ('["NA"]', 1), ('["NA", "FE"]', 1)])
def test_declared_regions_are_every_region_the_role_must_grant_in(na_app, regions, status):
    manifest = na_app / "spapi-roles.toml"
    manifest.write_text(manifest.read_text() + f"regions = {regions}\n")
    ran = run("spapi-roles", "check", cwd=na_app)
    assert ran.returncode == status, ran.stdout
    if status:
        wanted = regions.strip("[]").replace('"', "")
        assert f"needs a role in {wanted} (`Amazon Fulfillment` grants it only in FE)" in ran.stdout


def test_init_proposes_the_regions_the_code_shows(tmp_path):
    project = write(tmp_path / "app", {
        "settings.py": """\
            from sp_api.base import Marketplaces

            HOME = Marketplaces.DE
            JP_ID = "A1VC38T7YXB528"
            """,
        "sync.py": REGIONS_EXAMPLE,
    })
    ran = run("spapi-roles", "init", cwd=project)
    assert ran.returncode == 0, ran.stderr
    written = tomllib.loads((project / "spapi-roles.toml").read_text())
    assert written["regions"] == ["EU", "FE"]
    assert ('regions = ["EU", "FE"] from what the code shows: Marketplaces.DE (settings.py:3); '
            '"A1VC38T7YXB528" (settings.py:4)') in ran.stdout.splitlines()
    # In EU the six FE-only roles do not do; Product Listing grants both uses everywhere
    assert written["roles"] == ["Product Listing"]
    assert run("spapi-roles", "check", cwd=project).returncode == 0


def test_init_proposes_the_region_of_an_endpoint_host(tmp_path):
    project = write(tmp_path / "app", {"sync.py": REGIONS_EXAMPLE.replace(
        "\n\ndef marketplaces", '\nENDPOINT = "https://sellingpartnerapi-eu.amazon.com"\n\n'
        "\ndef marketplaces")})
    ran = run("spapi-roles", "init", cwd=project)
    assert ran.returncode == 0, ran.stderr
    assert tomllib.loads((project / "spapi-roles.toml").read_text())["regions"] == ["EU"]
    assert ('regions = ["EU"] from what the code shows: sellingpartnerapi-eu (sync.py:3)'
            in ran.stdout.splitlines())


def test_init_regions_option_wins_and_silent_code_gets_no_regions_and_no_question(tmp_path):
    project = write(tmp_path / "app", {"sync.py": REGIONS_EXAMPLE})
    ran = run("spapi-roles", "init", "--regions", "fe", cwd=project)  # stdin is empty: no prompt
    assert ran.returncode == 0, ran.stderr
    written = tomllib.loads((project / "spapi-roles.toml").read_text())
    assert written["regions"] == ["FE"]
    # In FE eight roles grant both uses; Amazon ties Inventory and Order Tracking to orders
    assert written["roles"] == [IOT]
    (project / "spapi-roles.toml").unlink()
    ran = run("spapi-roles", "init", cwd=project)
    assert "regions" not in tomllib.loads((project / "spapi-roles.toml").read_text())
    assert "regions" not in ran.stdout and "?" not in ran.stdout + ran.stderr


# ---------------------------------------------------------------------------- one suggestion


def test_an_order_use_alone_suggests_inventory_and_order_tracking_in_a_line(tmp_path):
    project = write(tmp_path / "app", {"spapi-roles.toml": "roles = []\n", "sync.py": """\
        from sp_api.api import Orders

        Orders().get_orders(CreatedAfter="2026-01-01")  # SPR101
        """})
    line = ("sync.py:3:10: SPR101 `getOrders` (Orders API v0) needs a role; "
            f"suggest `{IOT}` or any of 10 other roles")
    assert run("spapi-roles", "check", cwd=project).stdout.splitlines()[0] == line
    assert run("flake8", "--isolated", "--select", "SPR", "sync.py",
               cwd=project).stdout.splitlines() == [line]
    # the full list stays in JSON and SARIF
    [finding] = json.loads(run("spapi-roles", "check", "--format", "json",
                               cwd=project).stdout)["diagnostics"]
    assert len(finding["required_roles"]) == 11 and finding["suggested_role"] == IOT
    sarif = json.loads(run("spapi-roles", "check", "--format", "sarif", cwd=project).stdout)
    assert len(sarif["runs"][0]["results"][0]["properties"]["requiredRoles"]) == 11
    # and in `explain`
    explained = run("spapi-roles", "explain", "Orders.get_orders", cwd=project).stdout
    listed = next(line for line in explained.splitlines() if "roles (any one grants" in line)
    assert len(listed.split(": ", 1)[1].split(", ")) == 11 and IOT in listed


def test_an_order_report_suggests_inventory_and_order_tracking(tmp_path):
    project = write(tmp_path / "app", {"spapi-roles.toml": "roles = []\n", "reports.py": """\
        from sp_api.api import Reports

        Reports().create_report(reportType="GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL")
        """})
    ran = run("spapi-roles", "check", cwd=project)
    assert ran.stdout.splitlines()[0] == (
        "reports.py:3:36: SPR201 report type `GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL` "
        f"needs a role; suggest `{IOT}` or any of 3 other roles")
    assert run("spapi-roles", "check", "--fix", cwd=project).returncode == 0
    assert tomllib.loads((project / "spapi-roles.toml").read_text())["roles"] == [IOT]


def test_suggestions_fix_and_init_are_one_choice(tmp_path):
    files = {
        "pricing.py": """\
            from sp_api.api import Orders, Products

            Orders().get_orders(CreatedAfter="2026-01-01")  # SPR101
            Products().get_competitive_pricing_for_asins(["B01"])  # SPR101
            """,
    }
    project = write(tmp_path / "fix", {**files, "spapi-roles.toml": "roles = []\n"})
    suggested = {d["suggested_role"] for d in json.loads(
        run("spapi-roles", "check", "--format", "json", cwd=project).stdout)["diagnostics"]}
    fixed = run("spapi-roles", "check", "--fix", cwd=project)
    added = tomllib.loads((project / "spapi-roles.toml").read_text())["roles"]
    fresh = write(tmp_path / "init", files)
    assert run("spapi-roles", "init", cwd=fresh).returncode == 0
    written = tomllib.loads((fresh / "spapi-roles.toml").read_text())["roles"]
    # Pricing grants both uses: one role, not Inventory and Order Tracking and Pricing
    assert suggested == set(added) == set(written) == {"Pricing"}
    assert fixed.returncode == 0 and "added `Pricing` to spapi-roles.toml" in fixed.stdout


INVOICES = """\
from sp_api.api import Invoices, Orders

Invoices().get_invoices(marketplaceId="ATVPDKIKX0DER")  # SPR101
Orders().get_orders(CreatedAfter="2026-01-01")  # SPR101
"""


@pytest.mark.parametrize("command", ["init", "fix"])
def test_a_restricted_role_comes_with_amazons_review_and_the_use_that_needs_it(tmp_path, command):
    project = write(tmp_path / "app", {"invoices.py": INVOICES})
    if command == "fix":
        (project / "spapi-roles.toml").write_text("roles = [\n]\n")
        ran = run("spapi-roles", "check", "--fix", cwd=project)
    else:
        ran = run("spapi-roles", "init", cwd=project)
    text = (project / "spapi-roles.toml").read_text()
    # The restricted role is needed anyway and grants getOrders too: one role
    assert tomllib.loads(text)["roles"] == ["Tax Invoicing (Restricted)"]
    assert ran.stderr.splitlines()[0] == (
        "spapi-roles: `Tax Invoicing (Restricted)` is restricted: Amazon reviews each app's need "
        "for a restricted role (it opens personal data) before granting it; it is needed for "
        "getInvoices (invoices.py:3), which no unrestricted role grants")
    assert ("# restricted: Amazon reviews the need for this role; needed for getInvoices "
            "(invoices.py:3), which no unrestricted role grants") in text


# ---------------------------------------------------------------------------- silence explained


UNSEEN = {
    "a client it cannot follow": """\
        import sp_api.api

        def call(name, **kwargs):
            return getattr(sp_api.api, name)().request(**kwargs)
        """,
    "only an SP-API host": """\
        import requests

        HOST = "https://sellingpartnerapi-na.amazon.com"


        def call(path, token):
            return requests.get(HOST + path, headers={"x-amz-access-token": token})
        """,
}


@pytest.mark.parametrize("code", list(UNSEEN))
def test_init_will_not_write_roles_for_code_it_cannot_see(tmp_path, code):
    project = write(tmp_path / "app", {"client.py": UNSEEN[code]})
    ran = run("spapi-roles", "init", cwd=project)
    assert ran.returncode == 1
    assert not (project / "spapi-roles.toml").exists()
    assert ran.stderr.startswith(
        "spapi-roles: found no SP-API use it can resolve, although 1 file(s) import an SP-API "
        "client or name an SP-API host or path (e.g. client.py)")
    assert ran.stderr.count("\n") == 1


def test_init_writes_no_roles_for_code_without_sp_api(tmp_path):
    project = write(tmp_path / "app", {"util.py": "def orders():\n    return []\n"})
    ran = run("spapi-roles", "init", cwd=project)
    assert ran.returncode == 0
    assert tomllib.loads((project / "spapi-roles.toml").read_text())["roles"] == []


def test_unused_role_names_what_the_engine_could_not_see_and_warns(tmp_path):
    project = write(tmp_path / "app", {
        "spapi-roles.toml": 'roles = [\n    "Pricing",  # SPR501\n]\n',
        "reports.py": """\
            import os

            from sp_api.api import Reports

            Reports().create_report(reportType=os.environ["REPORT_TYPE"])
            """,
    })
    ran = run("spapi-roles", "check", cwd=project)
    assert ran.returncode == 0  # a warning: reported, not failing
    assert ran.stdout.splitlines()[0] == (
        "spapi-roles.toml:2:1: SPR501 role `Pricing` is declared but no checked code needs it; "
        "the engine could not tell the roles of 1 unresolved report type")
    assert run("spapi-roles", "check", "--fail-on", "warning", cwd=project).returncode == 1
    assert findings(ran.stdout) == marked(project)
