"""A manifest with a typo is never a boundary: `root = true` next to a misspelt or invalid key is an
error naming the file and line (exit 2 in the CLI, SPR001 in flake8), not a stop marker that makes
the CLI check the files against no roles and flake8 go silent for the whole subtree. A valid
stop marker (`root = true` and no `roles`) still is one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Tuple

import pytest

from bad_inputs import harness
from bad_inputs.cases import USE

# name -> (manifest file, its text, what the one error line says after "app/<file>:")
TYPOS: Dict[str, Tuple[str, str, str]] = {
    "role-for-roles": ("spapi-roles.toml", 'root = true\nrole = ["Pricing"]\n',
                       "2: unknown key `role`; did you mean `roles`?"),
    "capitalised": ("spapi-roles.toml", 'root = true\nRoles = ["Pricing"]\n',
                    "2: unknown key `Roles`; did you mean `roles`?"),
    "bad-account": ("spapi-roles.toml", 'root = true\naccount = "sellr"\n',
                    "2: unknown account `sellr`; did you mean `seller`?"),
    "pyproject": ("pyproject.toml", '[project]\nname = "app"\n\n[tool.spapi-roles]\nroot = true\n'
                  'rolse = ["Pricing"]\n', "6: unknown key `rolse`; did you mean `roles`?"),
}
MARKERS = {
    "marker": ("spapi-roles.toml", "root = true  # this app has no roles manifest\n"),
    "pyproject-marker": ("pyproject.toml", '[project]\nname = "app"\n\n[tool.spapi-roles]\n'
                         "root = true\n"),
}


def _project(base: Path, name: str, manifest: str, text: str) -> Path:
    """An outer project declaring the role the app needs, and the app with its own manifest."""
    project = base / name
    (project / "app").mkdir(parents=True)
    (project / "spapi-roles.toml").write_text('roles = ["Inventory and Order Tracking"]\n')
    (project / "app" / manifest).write_text(text)
    (project / "app" / "orders.py").write_text(USE)
    return project


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("boundary")
    env = harness.guarded_env(base / "markers")
    jobs = {}
    for name, (manifest, text, *_) in {**TYPOS, **MARKERS}.items():
        project = _project(base, name, manifest, text)
        jobs["cli", name] = (lambda p=project: harness.spapi_roles("check", ".", cwd=p, env=env))
        jobs["flake8", name] = (lambda p=project: harness.flake8("--select=SPR", ".", cwd=p,
                                                                 env=env))
    return harness.run_all(jobs)


@pytest.mark.parametrize("name", list(TYPOS))
def test_cli_reports_the_typo_in_a_would_be_boundary(runs, name):
    manifest, _, says = TYPOS[name]
    ran = runs["cli", name]
    harness.assert_no_traceback(ran)
    assert ran.returncode == 2 and ran.stdout == "", ran.describe()
    assert ran.stderr_lines == [f"spapi-roles: error: app/{manifest}:{says}"], ran.describe()


@pytest.mark.parametrize("name", list(TYPOS))
def test_flake8_reports_the_typo_in_a_would_be_boundary(runs, name):
    manifest, _, says = TYPOS[name]
    ran = runs["flake8", name]
    harness.assert_no_traceback(ran)
    assert ran.returncode == 1, ran.describe()
    [line] = ran.stdout.splitlines()
    assert line.startswith("./app/orders.py:1:1: SPR001 "), ran.describe()
    assert f"app/{manifest}:{says}" in line, ran.describe()


@pytest.mark.parametrize("name", list(MARKERS))
def test_a_valid_stop_marker_is_still_a_boundary(runs, name):
    """Below it no manifest governs: the outer one's role is not used (the CLI says so and checks
    against no roles; flake8 is silent there)."""
    cli, flake8 = runs["cli", name], runs["flake8", name]
    harness.assert_no_traceback(cli)
    assert cli.returncode == 1 and "app/orders.py:3:10: SPR101 " in cli.stdout, cli.describe()
    assert "no spapi-roles.toml governs 1 file(s)" in cli.stderr, cli.describe()
    harness.assert_no_traceback(flake8)
    assert (flake8.returncode, flake8.stdout) == (0, ""), flake8.describe()
