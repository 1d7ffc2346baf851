"""The Python API the README documents (``spapi_roles.project``) behaves as `spapi-roles check`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from spapi_roles import engine, project, rules

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@pytest.fixture
def demo(tmp_path, monkeypatch) -> Path:
    shutil.copytree(REPO / "fixtures" / "demo", tmp_path / "demo")
    monkeypatch.chdir(tmp_path / "demo")
    monkeypatch.setenv("SPAPI_ROLES_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "demo"


def _cli_findings(cwd: Path, *args: str):
    ran = subprocess.run([str(BIN / "spapi-roles"), "check", "--format", "json", *args], cwd=cwd,
                         text=True, capture_output=True)
    return [(d["path"], d["line"], d["column"], d["code"], d["message"])
            for d in json.loads(ran.stdout)["diagnostics"]]


def test_check_gives_the_findings_the_command_line_prints(demo):
    result = project.check(["."])
    found = [(d.path, d.line, d.column, d.code, d.message) for d in result.diagnostics]
    assert found and found == _cli_findings(demo, ".")
    assert (result.files_checked, result.unchecked) == (7, {})


def test_a_selection_is_a_plain_parameter(demo):
    everything = project.check(["."], selection=rules.Selection(extend_select=["SPR4"]))
    assert {d.code for d in everything.diagnostics} > {
        d.code for d in project.check(["."]).diagnostics}
    only = project.check(["."], selection=rules.Selection(select=["SPR201"]))
    assert {d.code for d in only.diagnostics} == {"SPR201"}


def test_check_source_reads_an_unsaved_buffer_with_the_projects_cross_module_facts(demo):
    """``pricing_api`` is a factory in another module: only the project's index knows it."""
    pricing = (demo / "shop_sync" / "pricing.py").read_text()
    unsaved = pricing + "\n\ndef offers(asin):\n    return pricing_api().get_item_offers(asin)\n"
    workspace = project.workspace_for()
    saved = project.check_source(pricing, "shop_sync/pricing.py", workspace=workspace)
    assert [(d.line, d.column, d.code, d.message) for d in saved] == [
        (line, column, code, message)
        for _, line, column, code, message in _cli_findings(demo, "shop_sync/pricing.py")]
    edited = project.check_source(unsaved, "shop_sync/pricing.py", workspace=workspace)
    [new] = [d for d in edited if d not in saved]
    assert (new.line, new.code, new.name) == (pricing.count("\n") + 4, "SPR101", "getItemOffers")


def test_check_source_outside_any_manifest_finds_nothing(tmp_path):
    assert project.check_source("from sp_api.api import Orders\nOrders().get_orders()\n",
                                str(tmp_path / "loose.py")) == []


def test_a_buffer_the_engine_cannot_analyse_raises_not_analysed(demo):
    with pytest.raises(engine.NotAnalysed, match="not analysed: too big to analyse"):
        project.check_source("from sp_api.api import Orders\n" + "x = 1\n" * 60_000,
                             "shop_sync/huge.py")
