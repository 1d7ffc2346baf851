"""End to end: the pre-commit route through flake8's own hook, as the README shows it
(`additional_dependencies: [flake8-spapi-roles]` on the flake8 hook), with local paths instead of
URLs: the real `pre-commit run` builds the hook's environment and flake8 runs our plugin.

The flake8 hook repository is a stand-in: PyCQA/flake8's `.pre-commit-hooks.yaml` as published
(commit 1d167a7d36d8c9118a1446a11cf0d739c56ce7b5) in a local git repository whose package
requires the flake8 this test runs with; the additional dependency is this repository's working
tree (the `hook_repo` snapshot, conftest.py), since the package is not on PyPI. One environment
build (the slow part), hence one test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import flake8
from support.change_repo import MOVED_LINE, NEW_LINE, make_change_repo

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
FLAKE8_HOOKS = """\
-   id: flake8
    name: flake8
    description: '`flake8` is a command-line utility for enforcing style consistency across Python projects.'
    entry: flake8
    language: python
    types: [python]
    require_serial: true
"""  # noqa: E501 (PyCQA/flake8's file, verbatim)


def flake8_hook_repo(target: Path, git) -> str:
    """A local stand-in of https://github.com/PyCQA/flake8 as a hook repository; its commit."""
    target.mkdir()
    (target / ".pre-commit-hooks.yaml").write_text(FLAKE8_HOOKS, encoding="utf-8")
    (target / "pyproject.toml").write_text(f"""\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "flake8-hook-stand-in"
version = "0"
dependencies = ["flake8=={flake8.__version__}"]

[tool.setuptools]
py-modules = []
""", encoding="utf-8")
    git("init", "-q", ".", cwd=target)
    git("add", "-A", cwd=target)
    git("commit", "-q", "-m", "flake8 hooks", cwd=target)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=target, check=True,
                          capture_output=True, text=True).stdout.strip()


def test_flake8_hook_with_the_plugin_as_additional_dependency(
        hook_repo, pre_commit_environment, tmp_path, git):
    rev = flake8_hook_repo(tmp_path / "flake8-hooks", git)
    project = make_change_repo(tmp_path / "shop", git)
    (project / ".pre-commit-config.yaml").write_text(f"""\
repos:
  - repo: {tmp_path / "flake8-hooks"}
    rev: {rev}
    hooks:
      - id: flake8
        args: [--select=SPR]
        additional_dependencies: [{hook_repo}]
""", encoding="utf-8")
    git("add", "-A", cwd=project)
    result = subprocess.run([*PRE_COMMIT, "run", "--all-files"], cwd=project,
                            env=pre_commit_environment, capture_output=True, text=True,
                            timeout=900)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    assert "flake8" in result.stdout and "Failed" in result.stdout
    reported = [line for line in result.stdout.splitlines() if ": SPR" in line]
    assert reported == [
        f"shop/sync.py:{NEW_LINE}:27: SPR101 `getCatalogItem` (Catalog Items API 2020-12-01) "
        "needs a role; suggest `Product Listing`",
        f"shop/sync.py:{MOVED_LINE}:23: SPR101 `getCompetitivePricing` (Product Pricing API v0) "
        "needs a role; suggest `Product Listing` or `Pricing`",
    ]

    # Declaring the role the code needs makes the hook pass.
    (project / "spapi-roles.toml").write_text(
        'roles = ["Inventory and Order Tracking", "Product Listing"]\n', encoding="utf-8")
    passed = subprocess.run([*PRE_COMMIT, "run", "--all-files"], cwd=project,
                            env=pre_commit_environment, capture_output=True, text=True,
                            timeout=900)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "flake8" in passed.stdout and "Passed" in passed.stdout
