"""One answer for a file, whichever face asks.

Every fixture project and a generated monorepo of 20 apps (each with its own manifest and source
root, cross-module clients and dispatch wrappers) sit in one git repository. A file's findings
must be the same when it is checked alone, in random batches, in the whole run, by flake8 at
``-j1`` and ``-j2``, and by both pre-commit hooks (``pre-commit try-repo``): the same lines,
columns, codes and whole messages, suggested roles included (each comes from the plan of the
file's whole project, whichever files are named).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, Iterable, List, Set, Tuple

import pytest
from support import markers, monorepo

from spapi_roles import project

REPO = Path(__file__).resolve().parent.parent
DATA_PROJECTS = Path(__file__).parent / "data" / "projects"
BIN = Path(sys.executable).parent
PROJECT_WIDE = ("SPR302", "SPR501")  # reported on the manifest, for a whole project only

Finding = Tuple[int, int, str, str]  # line, 1-based column, code, message
Findings = Dict[str, Set[Finding]]  # path relative to the repository -> its findings


def _copy_projects(target: Path) -> None:
    for root in markers.fixture_projects():
        destination = target / "fixtures" / markers.project_label(root)
        shutil.copytree(root, destination)
        if not (destination / "spapi-roles.toml").exists():
            (destination / "spapi-roles.toml").write_text("roles = []\n", encoding="utf-8")
    for root in sorted(DATA_PROJECTS.iterdir()):
        shutil.copytree(root, target / "data" / root.name)
    monorepo.generate(target / "monorepo", apps=20, files_per_app=6)


@pytest.fixture(scope="module")
def repository(tmp_path_factory, git) -> Path:
    root = tmp_path_factory.mktemp("agreement")
    _copy_projects(root)
    git("init", "-q", ".", cwd=root)
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "projects", cwd=root)
    return root


def _python_files(root: Path) -> List[str]:
    """The Python files a manifest governs (flake8 leaves the others alone, by design)."""
    listed = subprocess.run(["git", "ls-files", "*.py"], cwd=root, check=True, text=True,
                            capture_output=True).stdout.split()
    finder = project.ManifestFinder()
    return sorted(path for path in listed if finder.manifest_path(str(root / path)))


def _grouped(findings: Iterable[Tuple[str, int, int, str, str]]) -> Findings:
    grouped: Findings = defaultdict(set)
    for path, line, column, code, message in findings:
        grouped[os.path.normpath(path)].add((line, column, code, message))
    return dict(grouped)


def _per_file(findings: Findings) -> Findings:
    return {path: {f for f in found if f[2] not in PROJECT_WIDE}
            for path, found in findings.items() if path.endswith(".py")}


def _library(paths: List[str]) -> Findings:
    result = project.check(paths, use_cache=False)
    return _grouped((d.path, d.line, d.column + 1, d.code, d.message)
                    for d in result.diagnostics)


def _text_lines(output: str) -> Findings:
    line = re.compile(r"^(?P<path>[^\s:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>SPR\d+) "
                      r"(?P<message>.*)$", re.M)
    return _grouped((m["path"], int(m["line"]), int(m["col"]), m["code"], m["message"])
                    for m in line.finditer(output))


@pytest.fixture(scope="module")
def whole_run(repository) -> Findings:
    result = subprocess.run([str(BIN / "spapi-roles"), "check", ".", "--format", "json",
                             "--no-cache"], cwd=repository, text=True, capture_output=True)
    assert result.returncode == 1, result.stderr
    diagnostics = json.loads(result.stdout)["diagnostics"]
    return _grouped((d["path"], d["line"], d["column"] + 1, d["code"], d["message"])
                    for d in diagnostics)


def _same(expected: Findings, actual: Findings, files: Iterable[str]) -> List[str]:
    return [f"{path}: whole run {sorted(expected.get(path, ()))}, "
            f"here {sorted(actual.get(path, ()))}"
            for path in files
            if expected.get(path, set()) != actual.get(path, set())]


def test_the_whole_run_finds_the_cross_module_uses_of_every_monorepo_app(repository, whole_run):
    handlers = sorted(repository.glob("monorepo/apps/*/code/python/src/retrieve_order_handler.py"))
    assert len(handlers) == 7  # apps 0, 3, ... 18: the Lambda layout
    without_roles = [handler for handler in handlers
                     if "roles = []" in (handler.parents[3] / "spapi-roles.toml").read_text()]
    assert len(without_roles) == 4
    for handler in without_roles:
        expected, _ = markers.parse_source(handler.read_text(), handler.name)
        path = str(handler.relative_to(repository))
        assert {line for line, _, _, _ in whole_run.get(path, ())} == {
            expectation.finding.line for expectation in expected}, path


def test_each_file_alone_gives_the_whole_runs_findings(repository, whole_run, monkeypatch):
    monkeypatch.chdir(repository)
    files = _python_files(repository)
    alone: Findings = {}
    for path in files:
        alone.update(_per_file(_library([path])))
    assert not _same(_per_file(whole_run), alone, files)


def test_random_batches_give_the_whole_runs_findings(repository, whole_run, monkeypatch):
    monkeypatch.chdir(repository)
    files = _python_files(repository)
    shuffled = random.Random(20261204).sample(files, len(files))
    batches = [shuffled[start:start + 9] for start in range(0, len(shuffled), 9)]
    found: Findings = {}
    for batch in batches:
        found.update(_per_file(_library(batch)))
    assert not _same(_per_file(whole_run), found, files)
    cli = subprocess.run([str(BIN / "spapi-roles"), "check", "--no-cache", *batches[0]],
                         cwd=repository, text=True, capture_output=True)
    assert not _same(_per_file(whole_run), _text_lines(cli.stdout), batches[0])


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_flake8_gives_the_whole_runs_findings(repository, whole_run, jobs):
    result = subprocess.run(
        [str(BIN / "flake8"), "--isolated", "--select", "SPR", "--jobs", jobs, "."],
        cwd=repository, text=True, capture_output=True,
    )
    assert "Traceback" not in result.stderr, result.stderr
    flake8 = _text_lines(result.stdout)
    assert not _same(_per_file(whole_run), _per_file(flake8), _python_files(repository))


def test_both_pre_commit_hooks_give_the_whole_runs_findings(
    repository, whole_run, hook_repo, pre_commit_environment
):
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "--all-files"],
        cwd=repository, env=pre_commit_environment, text=True, capture_output=True,
        timeout=900,
    )
    output = result.stdout
    assert "Traceback" not in output + result.stderr, output + result.stderr
    per_file, _, whole_project = output.partition("- hook id: spapi-roles-project")
    assert not _same(_per_file(whole_run), _per_file(_text_lines(per_file)),
                     _python_files(repository))
    manifests = {path: found for path, found in whole_run.items() if path.endswith(".toml")}
    assert manifests, "the whole run reports no unused role anywhere"
    assert _text_lines(whole_project) == manifests
