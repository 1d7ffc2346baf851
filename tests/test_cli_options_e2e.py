"""A command line like the ones people know (issue 15), through the real `spapi-roles`.

Configuration in the manifest with the command line winning, as ruff does; exit codes by level
(mypy's and ruff's thresholds); output to a file, quiet, statistics, source lines, colour and
standard input; lookup by what users type; `--version` with the data's dates; `init` that respects
what is there; `--fix` that keeps a one-line roles array readable.

The project: the shop of tests/data/projects (its `# SPRxxx` markers: getCompetitivePricing,
GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA and ANY_OFFER_CHANGED undeclared (errors), Brand Analytics
declared but unused (a warning), a noqa'd call and opt-in cases).
"""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

import pytest
from support.codes import project_markers

from spapi_roles import __version__

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib

PROJECTS = Path(__file__).parent / "data" / "projects"
SPAPI_ROLES = str(Path(sys.executable).with_name("spapi-roles"))
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def shop(tmp_path):
    target = tmp_path / "shop"
    shutil.copytree(PROJECTS / "shop", target, ignore=shutil.ignore_patterns("README.md"))
    return target


def run(*args: str, cwd: Path, stdin: str = "", env: Optional[Dict[str, str]] = None
        ) -> subprocess.CompletedProcess:
    environment = dict(os.environ, SPAPI_ROLES_CACHE_DIR=str(cwd.parent / "cache"), **(env or {}))
    for name in ("NO_COLOR", "GITHUB_STEP_SUMMARY"):
        if name not in (env or {}):
            environment.pop(name, None)
    return subprocess.run([SPAPI_ROLES, *args], cwd=cwd, env=environment, input=stdin,
                          text=True, capture_output=True, timeout=300)


def codes(output: str) -> List[str]:
    return [line.split(": ")[1].split()[0] for line in output.splitlines()
            if re.match(r"^\S+:\d+:\d+: SPR\d{3} ", line)]


def default_codes() -> List[str]:
    return [m.code for m in project_markers(PROJECTS / "shop") if m.default]


def configure(shop: Path, settings: str) -> None:
    manifest = shop / "spapi-roles.toml"
    manifest.write_text(settings + "\n" + manifest.read_text())


# ---------------------------------------------------------------------------- configuration home


def test_the_manifest_holds_the_selection_and_the_command_line_wins(shop):
    configure(shop, 'select = ["SPR5"]')
    assert codes(run("check", cwd=shop).stdout) == ["SPR501"]
    assert codes(run("check", "--select", "SPR1", cwd=shop).stdout) == ["SPR101"]
    configure(shop, 'extend-ignore = ["SPR2"]')
    assert codes(run("check", "--select", "SPR", cwd=shop).stdout) == [
        code for code in default_codes() if not code.startswith("SPR2")]


def test_the_manifest_holds_ignore_and_extend_select_and_the_command_line_wins(shop):
    configure(shop, 'ignore = ["SPR2"]\nextend-select = ["SPR4"]')
    found = codes(run("check", cwd=shop).stdout)
    assert not any(code.startswith("SPR2") for code in found)
    assert any(code.startswith("SPR4") for code in found)  # off by default, selected here
    overridden = codes(run("check", "--ignore", "SPR1", cwd=shop).stdout)
    assert "SPR201" in overridden and "SPR101" not in overridden


def test_the_manifest_holds_format_fail_on_and_jobs(shop):
    configure(shop, 'format = "json"\nfail-on = "warning"\njobs = 1')
    ran = run("check", "--select", "SPR5", cwd=shop)
    assert ran.returncode == 1  # the unused role is a warning, and warnings fail here
    assert [d["code"] for d in json.loads(ran.stdout)["diagnostics"]] == ["SPR501"]
    ran = run("check", "--select", "SPR5", "--format", "text", "--fail-on", "error", cwd=shop)
    assert ran.returncode == 0 and codes(ran.stdout) == ["SPR501"]


def test_pyproject_holds_the_settings_too(shop):
    manifest = shop / "spapi-roles.toml"
    (shop / "pyproject.toml").write_text(
        '[project]\nname = "shop"\n\n[tool.spapi-roles]\nselect = ["SPR2"]\n'
        + manifest.read_text())
    manifest.unlink()
    assert codes(run("check", cwd=shop).stdout) == ["SPR201", "SPR203"]


def test_excluded_files_are_not_reported_but_still_resolve(tmp_path):
    project = tmp_path / "app"
    (project / "clients").mkdir(parents=True)
    (project / "spapi-roles.toml").write_text('roles = []\nexclude = ["clients"]\n')
    (project / "clients" / "__init__.py").write_text(
        "from sp_api.api import Orders\n\n\ndef orders():\n    return Orders()\n\n\n"
        "Orders().get_orders(CreatedAfter='2026-01-01')\n")
    (project / "sync.py").write_text(
        "from clients import orders\n\norders().get_orders(CreatedAfter='2026-01-01')\n")
    ran = run("check", cwd=project)
    # clients/ is left out of the report; its factory still tells what sync.py calls
    assert [line.split(":")[0] for line in ran.stdout.splitlines()[:-1]] == ["sync.py"]
    assert "SPR101 `getOrders`" in ran.stdout


def test_extend_exclude_adds_to_the_manifest_and_exclude_replaces_it(tmp_path):
    project = tmp_path / "app"
    for folder in ("clients", "legacy"):
        (project / folder).mkdir(parents=True)
    (project / "clients" / "__init__.py").write_text(
        "from sp_api.api import Orders\n\n\ndef orders():\n    return Orders()\n\n\n"
        "Orders().get_orders(CreatedAfter='2026-01-01')\n")
    (project / "legacy" / "old.py").write_text(
        "from sp_api.api import Orders\n\nOrders().get_orders(CreatedAfter='2026-01-01')\n")
    (project / "sync.py").write_text(
        "from clients import orders\n\norders().get_orders(CreatedAfter='2026-01-01')\n")
    manifest = project / "spapi-roles.toml"

    def reported(*args: str) -> List[str]:
        return sorted({line.split(":")[0]
                       for line in run("check", *args, cwd=project).stdout.splitlines()[:-1]})

    manifest.write_text('roles = []\nextend-exclude = ["legacy"]\n')
    assert reported() == ["clients/__init__.py", "sync.py"]
    assert reported("--extend-exclude", "clients") == ["sync.py"]  # added to the manifest's
    manifest.write_text('roles = []\nexclude = ["clients", "legacy"]\n')
    assert reported() == ["sync.py"]  # still resolved through clients/
    assert reported("--exclude", "legacy") == ["clients/__init__.py", "sync.py"]  # replaced


@pytest.mark.parametrize("setting, message", [
    ('fail-on = "sometimes"',
     "spapi-roles.toml:1: unknown fail-on `sometimes`; expected one of: error, warning, note"),
    ('select = [\n  "SPR1",\n  "XYZ9",\n]',
     "spapi-roles.toml:3: `XYZ9` in `select` matches no SPR code"),
    ('jobs = 0', "spapi-roles.toml:1: `jobs` must be a positive integer, not 0"),
    ('format = "xml"', "spapi-roles.toml:1: unknown format `xml`"),
    ('extend_select = ["SPR9"]',
     "spapi-roles.toml:1: unknown key `extend_select`; did you mean `extend-select`?"),
])
def test_a_bad_setting_is_one_line_naming_file_and_line(shop, setting, message):
    configure(shop, setting)
    ran = run("check", cwd=shop)
    assert (ran.returncode, ran.stdout) == (2, "")
    assert ran.stderr.startswith(f"spapi-roles: error: {message}") and ran.stderr.count("\n") == 1


# ---------------------------------------------------------------------------- fail policy


def test_only_errors_fail_by_default_and_exit_zero_never_does(shop):
    assert run("check", cwd=shop).returncode == 1  # errors
    assert run("check", "--select", "SPR5", cwd=shop).returncode == 0  # a warning
    assert run("check", "--select", "SPR5", "--fail-on", "warning", cwd=shop).returncode == 1
    notes = run("check", "--select", "SPR902", cwd=shop)
    assert codes(notes.stdout) == ["SPR902"] and notes.returncode == 0
    assert run("check", "--select", "SPR902", "--fail-on", "note", cwd=shop).returncode == 1
    assert run("check", "--exit-zero", cwd=shop).returncode == 0
    broken = run("check", "--exit-zero", "--manifest", "missing.toml", cwd=shop)
    assert broken.returncode == 2  # an input error still is one


# ---------------------------------------------------------------------------- output


def test_output_file_quiet_and_statistics(shop):
    ran = run("check", "--output-file", "report.txt", cwd=shop)
    assert ran.returncode == 1 and ran.stdout == ""
    report = (shop / "report.txt").read_text().splitlines()
    assert codes("\n".join(report)) == default_codes()
    assert report[-1].startswith("Found 4 problems (3 errors, 1 warning)")
    quiet = run("check", "-q", "app", cwd=shop)  # named files: no note about the project either
    assert quiet.stdout.splitlines() == report[:-2]  # no summary line, no SPR501 (project-wide)
    assert quiet.stderr == ""
    statistics = run("check", "--statistics", cwd=shop)
    assert statistics.stdout.splitlines()[:4] == [
        "    1  SPR101  undeclared-operation-role (error)",
        "    1  SPR201  undeclared-report-role (error)",
        "    1  SPR203  undeclared-notification-role (error)",
        "    1  SPR501  unused-role (warning)",
    ]
    counted = json.loads(run("check", "--statistics", "--format", "json", cwd=shop).stdout)
    assert [row["count"] for row in counted["statistics"]] == [1, 1, 1, 1]


def test_show_source_puts_a_caret_under_the_column(shop):
    ran = run("check", "--show-source", "--select", "SPR101", cwd=shop)
    finding, source, caret = ran.stdout.splitlines()[:3]
    column = int(finding.split(":")[2])
    assert source == (shop / "app" / "pricing.py").read_text().splitlines()[
        int(finding.split(":")[1]) - 1]
    assert caret == " " * (column - 1) + "^"
    assert source[column - 1:].startswith("get_competitive_pricing_for_asins")


def _on_a_terminal(shop: Path, env: Dict[str, str]) -> str:
    """What `spapi-roles check` writes to a terminal (a pseudo-terminal)."""
    leader, follower = pty.openpty()
    environment = dict(os.environ, SPAPI_ROLES_CACHE_DIR=str(shop.parent / "cache"), **env)
    environment.pop("NO_COLOR", None) if "NO_COLOR" not in env else None
    process = subprocess.Popen([SPAPI_ROLES, "check", "--select", "SPR101"], cwd=shop,
                               env=environment, stdout=follower, stderr=subprocess.DEVNULL)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode()


def test_colour_on_a_terminal_unless_no_color_and_when_asked(shop):
    assert ANSI.search(_on_a_terminal(shop, {}))
    assert not ANSI.search(_on_a_terminal(shop, {"NO_COLOR": "1"}))
    assert not ANSI.search(run("check", cwd=shop).stdout)  # a pipe: no colour
    always = run("check", "--color", "always", cwd=shop, env={"NO_COLOR": "1"}).stdout
    assert "\x1b[1;31mSPR101\x1b[0m" in always
    assert ANSI.sub("", always) == run("check", "--color", "never", cwd=shop).stdout


def test_standard_input_is_checked_as_the_file_it_stands_for(shop):
    text = (shop / "app" / "pricing.py").read_text()
    ran = run("check", "-", "--stdin-filename", "app/pricing.py", cwd=shop, stdin=text)
    on_disk = run("check", "app/pricing.py", cwd=shop)
    assert ran.stdout == on_disk.stdout and ran.returncode == on_disk.returncode == 1
    silenced = text.replace("get_competitive_pricing_for_asins(asins)",
                            "get_competitive_pricing_for_asins(asins)  # noqa: SPR101")
    ran = run("check", "-", "--stdin-filename", "app/pricing.py", cwd=shop, stdin=silenced)
    assert ran.returncode == 0 and "2 suppressed by noqa" in ran.stdout  # the file had one


def test_json_has_the_level_and_sarif_a_clean_full_description(shop):
    diagnostics = json.loads(run("check", "--format", "json", cwd=shop).stdout)["diagnostics"]
    assert [d["level"] for d in diagnostics] == ["error", "error", "error", "warning"]
    sarif = json.loads(run("check", "--format", "sarif", cwd=shop).stdout)
    for rule in sarif["runs"][0]["tool"]["driver"]["rules"]:
        text = rule["fullDescription"]["text"]
        assert "\n" not in text and "`" not in text and "  " not in text, rule["id"]


# ---------------------------------------------------------------------------- lookup, version


@pytest.mark.parametrize("name, shown", [
    ("get_orders", "getOrders (Orders API v0) via sp_api OrdersV0, spapi OrdersV0Api"),
    ("Orders.get_orders", "getOrders (Orders API v0) via sp_api OrdersV0"),
    ("orders_v0.list_orders", "getOrders (Orders API v0) via amzn_selling_partner"),
    ("/orders/v0/orders/902-1234567", "getOrder — Orders API v0"),
    ("https://sellingpartnerapi-eu.amazon.com/orders/v0/orders", "getOrders — Orders API v0"),
])
def test_explain_takes_what_code_shows(tmp_path, name, shown):
    ran = run("explain", name, cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert shown in ran.stdout
    assert "roles (any one grants" in ran.stdout


def test_explain_suggests_close_names(tmp_path):
    ran = run("explain", "get_ordrs", cwd=tmp_path)
    assert ran.returncode == 2 and ran.stdout == ""
    assert ran.stderr == ("spapi-roles: error: unknown operation, method, type, role or code "
                          "`get_ordrs`; did you mean `get_orders` or `getOrders` or `get_order`?\n")


def test_version_prints_the_data_snapshot_dates(tmp_path):
    ran = run("--version", cwd=tmp_path)
    lines = ran.stdout.splitlines()
    assert ran.returncode == 0 and lines[0] == f"spapi-roles {__version__}"
    assert re.fullmatch(r"data [0-9a-f]{16}:", lines[1])
    assert "Amazon's API models: amzn/selling-partner-api-models@" in lines[2]
    assert "(2026-08-05)" in lines[2]
    assert re.search(r"retrieved \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}", lines[3])
    assert "python-amazon-sp-api 2.1.35" in ran.stdout
    assert "marketplace IDs and endpoints: retrieved" in lines[-1]


# ---------------------------------------------------------------------------- init, --fix


def test_init_fills_the_table_pyproject_holds_and_keeps_the_rest(shop):
    (shop / "spapi-roles.toml").unlink()
    pyproject = shop / "pyproject.toml"
    before = '[project]\nname = "shop"  # ours\n\n[tool.spapi-roles]\nselect = ["SPR"]\n'
    pyproject.write_text(before)
    ran = run("init", cwd=shop)
    assert ran.returncode == 0, ran.stderr
    assert not (shop / "spapi-roles.toml").exists()
    after = pyproject.read_text()
    assert after.startswith('[project]\nname = "shop"  # ours\n\n[tool.spapi-roles]\n')
    assert after.endswith('select = ["SPR"]\n')
    assert tomllib.loads(after)["tool"]["spapi-roles"]["roles"] == ["Pricing"]
    assert run("check", cwd=shop).returncode == 0
    again = run("init", cwd=shop)
    assert again.returncode == 2 and "already holds [tool.spapi-roles] with roles" in again.stderr


def test_init_refuses_to_shadow_the_manifest_that_governs_the_directory(shop):
    before = (shop / "spapi-roles.toml").read_bytes()
    ran = run("init", cwd=shop / "app")
    assert ran.returncode == 2
    assert ran.stderr == (
        "spapi-roles: error: spapi-roles.toml: would shadow ../spapi-roles.toml, which governs "
        "this directory now; add the roles there with `spapi-roles check --fix`\n")
    assert not (shop / "app" / "spapi-roles.toml").exists()
    assert (shop / "spapi-roles.toml").read_bytes() == before


def test_fix_keeps_a_one_line_roles_array_readable(shop):
    manifest = shop / "spapi-roles.toml"
    manifest.write_text(
        '# ours\nroles = ["Inventory and Order Tracking", \'Brand Analytics\', '
        '"Selling Partner Insights"]  # kept\n')
    ran = run("check", "--fix", cwd=shop)
    text = manifest.read_text()
    assert all(len(line) <= 100 for line in text.splitlines()), text
    assert text.startswith(
        "# ours\nroles = [\n    \"Inventory and Order Tracking\",\n    'Brand Analytics',\n"
        "    \"Selling Partner Insights\",\n")
    assert text.rstrip("\n").endswith("]  # kept")
    assert tomllib.loads(text)["roles"][-1] == "Pricing"
    assert "added `Pricing`" in ran.stdout
    short = shop / "short.toml"
    short.write_text('roles = ["Brand Analytics"]\n')
    run("check", "--fix", "--manifest", "short.toml", cwd=shop)
    assert short.read_text() == 'roles = ["Brand Analytics", "Pricing"]\n'  # fits: one line
