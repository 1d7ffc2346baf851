"""Regenerating the knowledge base from the shared data gives exactly the committed files."""

from __future__ import annotations

import importlib.util
import os
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(REPO_ROOT, "..", "shared", "spapi")
GENERATOR = os.path.join(REPO_ROOT, "tools", "build_kb.py")


def _generator():
    if not os.path.isfile(os.path.join(SHARED, "operations-catalog.json")):
        pytest.skip(
            f"shared SP-API data not found at {os.path.normpath(SHARED)}; cannot regenerate kb.json"
        )
    spec = importlib.util.spec_from_file_location("build_kb", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


def test_regenerating_equals_the_committed_files():
    build_kb = _generator()
    kb_text, conflicts_text = build_kb.build(SHARED)
    with open(build_kb.OUT_KB, encoding="utf-8") as handle:
        assert handle.read() == kb_text, "kb.json is stale: run python tools/build_kb.py"
    with open(build_kb.OUT_CONFLICTS, encoding="utf-8") as handle:
        assert (
            handle.read() == conflicts_text
        ), "kb_conflicts.md is stale: run python tools/build_kb.py"


def test_generation_is_deterministic():
    build_kb = _generator()
    assert build_kb.build(SHARED) == build_kb.build(SHARED)


def test_generator_rejects_a_wrong_folder(tmp_path, capsys):
    build_kb = _generator()
    assert build_kb.main([str(tmp_path)]) == 2
    assert "not the shared SP-API data folder" in capsys.readouterr().err
