"""End to end: the real flake8 (``python -m flake8``) with the SPR plugin on test projects.

flake8 does the noqa handling, the selection (off-by-default codes through
``extend_default_ignore``) and the parallelism; the plugin must give the same findings as
`spapi-roles check` for the per-file codes, nothing for files no manifest governs, and never crash.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest
from support.codes import Marked, column_of, project_markers

PROJECTS = Path(__file__).parent / "data" / "projects"
DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
SPAPI_ROLES = str(Path(sys.executable).with_name("spapi-roles"))


def copy_project(name: str, destination: Path) -> Path:
    target = destination / name
    shutil.copytree(PROJECTS / name, target, ignore=shutil.ignore_patterns("README.md"))
    return target


@pytest.fixture
def flake8(tmp_path):
    env = dict(os.environ, SPAPI_ROLES_CACHE_DIR=str(tmp_path / "cache"))

    def call(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "flake8", *args],
            cwd=cwd,
            env=env,
            input=stdin,
            text=True,
            capture_output=True,
            timeout=120,
        )

    return call


@pytest.fixture
def shop(tmp_path):
    return copy_project("shop", tmp_path)


# The token each code of the shop project is reported at, and its message; the lines are the
# `# SPRxxx` markers of tests/data/projects (support.codes). flake8 hands the plugin one file at a
# time, so each suggestion is the least-privilege choice for the findings of its file: alone, the
# FBA inventory report takes the role Amazon ties to FBA (`spapi-roles check` over the whole shop
# suggests Pricing, which grants all three).
SHOP_MESSAGES = {
    "SPR101": (
        "get_competitive_pricing_for_asins",
        "SPR101 `getCompetitivePricing` (Product Pricing API v0) needs a role; "
        "suggest `Pricing` or `Product Listing`",
    ),
    "SPR201": (
        "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
        # Pricing: the project's plan (pricing.py and the notification need it too), although
        # flake8 hands the plugin reports.py alone
        "SPR201 report type `GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA` needs a role; "
        "suggest `Pricing` or `Amazon Fulfillment`",
    ),
    "SPR203": (
        "ANY_OFFER_CHANGED",
        "SPR203 notification type `ANY_OFFER_CHANGED` needs a role; suggest `Pricing`",
    ),
}


def marked(name: str, **wanted: bool) -> List[Marked]:
    """The marked findings flake8 reports in project ``name``: per file, filtered by ``wanted``."""
    return [m for m in project_markers(PROJECTS / name)
            if m.per_file and all(getattr(m, key) == value for key, value in wanted.items())]


def expected_shop(shop: Path):
    findings = []
    for found in marked("shop", default=True):
        token, text = SHOP_MESSAGES[found.code]
        column = column_of(shop, found, token) + 1  # flake8 prints 1-based
        findings.append(f"{found.path}:{found.line}:{column}: {text}")
    return sorted(findings)


def lines(result: subprocess.CompletedProcess):
    return sorted(result.stdout.splitlines())


def codes_at(result: subprocess.CompletedProcess):
    """(path, line, code) of each finding flake8 printed, sorted."""
    return sorted(
        (line.split(":")[0], int(line.split(":")[1]), line.split(": ")[1].split()[0])
        for line in result.stdout.splitlines()
    )


def at(findings: List[Marked], prefix: str = ""):
    return sorted((prefix + m.path, m.line, m.code) for m in findings)


def test_flake8_reports_the_per_file_codes(shop, flake8):
    result = flake8("--isolated", "--select", "SPR", "app", cwd=shop)
    assert result.returncode == 1, result.stderr
    assert lines(result) == expected_shop(shop)  # no SPR501: project-wide codes are CLI-only
    assert result.stderr == ""


def test_plugin_codes_are_on_by_default_next_to_pyflakes(shop, flake8):
    result = flake8("--isolated", "app", cwd=shop)
    spr = [line for line in lines(result) if ": SPR" in line]
    assert spr == expected_shop(shop)


def test_noqa_is_left_to_flake8(shop, flake8):
    result = flake8("--isolated", "--select", "SPR", "--disable-noqa", "app", cwd=shop)
    assert codes_at(result) == at(marked("shop", opt_in=False))  # the noqa'd finding too
    assert any(found.suppressed for found in marked("shop", opt_in=False))


def test_off_by_default_codes_need_extend_select(shop, flake8):
    default = flake8("--isolated", "app", cwd=shop)
    assert not [
        line for line in default.stdout.splitlines() if ": SPR4" in line or ": SPR9" in line
    ]
    result = flake8(
        "--isolated", "--select", "SPR", "--extend-select", "SPR4,SPR9", "app", cwd=shop
    )
    opted_in = marked("shop", suppressed=False)
    assert codes_at(result) == at(opted_in)
    assert {m.code for m in opted_in if m.opt_in} == {"SPR401", "SPR402", "SPR902"}


def test_jobs_give_the_same_result(shop, flake8):
    serial = flake8("--isolated", "--select", "SPR", "--jobs", "1", "app", cwd=shop)
    parallel = flake8("--isolated", "--select", "SPR", "--jobs", "2", "app", cwd=shop)
    assert lines(serial) == lines(parallel) == expected_shop(shop)


def test_stdin_uses_the_lines_flake8_reads(shop, flake8):
    expected = [line for line in expected_shop(shop) if line.startswith("app/pricing.py")]
    source = (shop / "app" / "pricing.py").read_text()
    (shop / "app" / "pricing.py").write_text("# the file on disk is not what is checked\n")
    result = flake8(
        "--isolated",
        "--select",
        "SPR",
        "--stdin-display-name",
        "app/pricing.py",
        "-",
        cwd=shop,
        stdin=source,
    )
    assert (result.returncode, lines(result)) == (1, expected)


def test_manifest_option_from_setup_cfg_and_command_line(shop, flake8):
    (shop / "roles").mkdir()
    (shop / "roles" / "all.toml").write_text('roles = ["Pricing"]\n')
    assert (
        flake8(
            "--isolated",
            "--select",
            "SPR",
            "--spapi-roles-manifest",
            "roles/all.toml",
            "app",
            cwd=shop,
        ).stdout
        == ""
    )
    (shop / "setup.cfg").write_text(
        "[flake8]\nselect = SPR\nspapi-roles-manifest = ./roles/all.toml\n"
    )
    result = flake8("app", cwd=shop)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_files_without_a_manifest_stay_quiet(tmp_path, flake8):
    root = copy_project("monorepo", tmp_path)
    result = flake8("--isolated", "--select", "SPR", ".", cwd=root)
    assert codes_at(result) == at(marked("monorepo", default=True), prefix="./")
    unmanaged = [m for m in project_markers(PROJECTS / "monorepo") if m.no_manifest]
    assert [m.path for m in unmanaged] == ["tools/metrics.py"]  # marked for the CLI, not here


def test_invalid_manifest_is_spr001_on_files_that_use_sp_api(shop, flake8):
    (shop / "spapi-roles.toml").write_text('roles = ["Pricingg"]\n')
    result = flake8("--isolated", "--select", "SPR", "app", cwd=shop)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    expected_message = (
        "SPR001 cannot check SP-API uses: spapi-roles.toml:1: unknown role `Pricingg`; "
        "did you mean `Pricing`?"
    )
    assert lines(result) == [
        f"app/{name}.py:1:1: {expected_message}"
        for name in ("orders", "pricing", "reports", "subscriptions")
    ]


def test_broken_source_never_crashes_flake8(shop, flake8):
    (shop / "app" / "broken.py").write_text(
        "from sp_api.api import Orders\ndef f(:\n    Orders().get_orders()\n"
    )
    (shop / "app" / "deep.py").write_text(
        "from sp_api.api import Orders\nx = " + "(" * 1000 + "1" + ")" * 1000 + "\n"
    )
    nul = b"\x00" if sys.version_info >= (3, 11) else b""  # flake8 itself fails on it before
    (shop / "app" / "binary.py").write_bytes(
        b"from sp_api.api import Orders\n" + nul + b"\xff\xfe garbage\n"
    )
    result = flake8("--isolated", "--select", "SPR,E999,E902", "app", cwd=shop)
    assert "Traceback" not in result.stderr
    assert [line for line in lines(result) if ": SPR" in line] == expected_shop(shop)


def test_flake8_and_the_cli_agree_on_per_file_findings_across_modules(tmp_path, flake8):
    """The demo builds its clients in factories of another module: flake8 needs the index."""
    demo = tmp_path / "demo"
    shutil.copytree(DEMO, demo)
    every = ["--extend-select", "SPR3,SPR4,SPR9"]
    result = flake8("--isolated", "--select", "SPR", *every, ".", cwd=demo)
    from_flake8 = sorted(
        (
            line.split(":")[0][2:],
            int(line.split(":")[1]),
            int(line.split(":")[2]) - 1,
            line.split(": ", 1)[1].split()[0],
        )
        for line in result.stdout.splitlines()
    )
    cli = subprocess.run(
        [SPAPI_ROLES, "check", "--format", "json", *every],
        cwd=demo,
        env=dict(os.environ, SPAPI_ROLES_CACHE_DIR=str(tmp_path / "cache")),
        capture_output=True,
        text=True,
    )
    per_file = [d for d in json.loads(cli.stdout)["diagnostics"] if d["kind"] != "role"]
    from_cli = sorted((d["path"], d["line"], d["column"], d["code"]) for d in per_file)
    assert from_flake8 == from_cli
    assert any(path == "shop_sync/orders.py" for path, *_ in from_cli)  # via a factory module
