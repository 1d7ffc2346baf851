"""The flake8 plugin object in-process: options, result tuples, caches, and never raising."""

from __future__ import annotations

import argparse
import ast

import pytest

from spapi_roles import project as project_module
from spapi_roles import rules
from spapi_roles.flake8_plugin import Plugin

SOURCE = [
    "from sp_api.api import Products\n",
    "\n",
    "Products().get_competitive_pricing_for_asins(asins)\n",
]


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "spapi-roles.toml").write_text('roles = ["Brand Analytics"]\n')
    monkeypatch.setattr(Plugin, "manifest_option", None)
    return tmp_path


def run(lines, filename):
    return list(Plugin(None, lines, str(filename)).run())


def test_result_tuples_are_line_column_text_and_type(project):
    [(line, column, text, kind)] = run(SOURCE, project / "app.py")
    assert (line, column) == (3, SOURCE[2].index("get_competitive_pricing_for_asins"))
    assert text.startswith("SPR101 `getCompetitivePricing` (Product Pricing API v0) needs a role; ")
    assert kind is Plugin


def test_flake8s_tree_is_read_not_parsed_again_nor_changed(project, monkeypatch):
    tree = ast.parse("".join(SOURCE))
    before = ast.dump(tree, include_attributes=True)
    real_parse = ast.parse
    parsed = []
    monkeypatch.setattr(ast, "parse", lambda *a, **k: parsed.append(a) or real_parse(*a, **k))
    [(line, _, text, _)] = list(Plugin(tree, SOURCE, str(project / "app.py")).run())
    assert (line, text[:6]) == (3, "SPR101")
    assert parsed == []
    assert ast.dump(tree, include_attributes=True) == before


def test_source_comes_from_lines_not_the_file(project):
    (project / "app.py").write_text("# nothing here\n")
    assert len(run(SOURCE, project / "app.py")) == 1


def test_no_manifest_means_no_findings(tmp_path, monkeypatch):
    monkeypatch.setattr(Plugin, "manifest_option", None)
    assert run(SOURCE, tmp_path / "elsewhere" / "app.py") == []


def test_files_no_manifest_governs_are_never_analysed(tmp_path, monkeypatch):
    from spapi_roles import engine

    monkeypatch.setattr(Plugin, "manifest_option", None)
    monkeypatch.setattr(engine, "analyze_source", lambda *a: pytest.fail("analysed"))
    assert run(SOURCE, tmp_path / "unconfigured" / "app.py") == []


def test_the_project_index_is_built_once_per_process(project, monkeypatch):
    from spapi_roles import engine

    built = []
    real = engine.build_index
    monkeypatch.setattr(engine, "build_index",
                        lambda paths, root, *rest: built.append(root) or real(paths, root, *rest))
    monkeypatch.setattr(project_module, "_WORKSPACES", {})
    (project / "sub").mkdir()
    assert len(run(SOURCE, project / "app.py")) == 1
    assert len(run(SOURCE, project / "sub" / "other.py")) == 1
    assert built == [str(project)]


@pytest.mark.parametrize("failure, said", [
    (ValueError("engine bug"), "internal error (ValueError: engine bug); please report it"),
    (RecursionError(), "nested too deeply to analyse"),
    (MemoryError(), "out of memory while analysing it"),
])
def test_a_file_the_engine_cannot_analyse_is_spr001_on_line_1_never_a_pass(
    project, monkeypatch, failure, said
):
    from spapi_roles.engine import analyzer

    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr(analyzer, "analyze_module", fail)
    [(line, column, text, _)] = run(SOURCE, project / "app.py")
    assert (line, column) == (1, 0)
    assert text == f"SPR001 cannot check SP-API uses: {project / 'app.py'}: not analysed: {said}"


def test_a_failure_outside_the_engine_is_said_too(project, monkeypatch):
    monkeypatch.setattr(project_module.Workspace, "uses_in_source", lambda *a: 1 / 0)
    [(line, _, text, _)] = run(SOURCE, project / "app.py")
    assert line == 1 and text.startswith("SPR001 ") and "ZeroDivisionError" in text


class RecordingOptionManager:
    def __init__(self):
        self.options = {}
        self.default_ignore = []

    def add_option(self, *names, **kwargs):
        self.options[names[0]] = kwargs

    def extend_default_ignore(self, codes):
        self.default_ignore.extend(codes)


def test_options_and_default_off_codes():
    manager = RecordingOptionManager()
    Plugin.add_options(manager)
    assert set(manager.options) == {"--spapi-roles-manifest"}
    assert manager.options["--spapi-roles-manifest"]["parse_from_config"] is True
    assert manager.default_ignore == list(rules.DEFAULT_OFF)


def test_explicit_manifest_option(project, monkeypatch, tmp_path):
    other = tmp_path / "other.toml"
    other.write_text('roles = ["Pricing"]\n')
    Plugin.parse_options(argparse.Namespace(spapi_roles_manifest=str(other)))
    try:
        assert run(SOURCE, project / "app.py") == []
    finally:
        Plugin.parse_options(argparse.Namespace(spapi_roles_manifest=None))
    assert Plugin.manifest_option is None
