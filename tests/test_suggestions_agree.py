"""One least-privilege choice, whichever command gives it (issue 15), on every fixture project.

For each project of fixtures/ (the held-out sets too) and tests/data/projects, with its own
manifests taken away:

- `spapi-roles init` writes a manifest: roles R_init (and the regions the code shows);
- against `roles = []` (with those regions), `spapi-roles check --format json` suggests S;
- `spapi-roles check --fix` adds R_fix, after which no finding asks for a role.

R_init == S == R_fix, through the real console script. A project whose code talks to SP-API in no
way the engine resolves gets no manifest from `init` (exit 1) and no suggestion from `check`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, Set, Tuple

import pytest
from support import markers

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib

SPAPI_ROLES = str(Path(sys.executable).with_name("spapi-roles"))
DATA_PROJECTS = Path(__file__).parent / "data" / "projects"
SUGGESTING = ("SPR101", "SPR201", "SPR202", "SPR203")


def every_project() -> List[Path]:
    projects = markers.fixture_projects()
    for held_out in sorted(markers.HELDOUT_DIRS):
        if (markers.FIXTURES_DIR / held_out).is_dir():
            projects += markers.fixture_projects(markers.FIXTURES_DIR / held_out)
    return projects + sorted(path for path in DATA_PROJECTS.iterdir() if path.is_dir())


def label(project: Path) -> str:
    return f"{project.parent.name}/{project.name}"


def copy_without_manifests(project: Path, target: Path) -> Path:
    shutil.copytree(project, target, ignore=shutil.ignore_patterns("spapi-roles.toml"))
    return target


def environment(cwd: Path) -> dict:
    env = dict(os.environ, SPAPI_ROLES_CACHE_DIR=str(cwd.parent / "cache"))
    env.pop("GITHUB_STEP_SUMMARY", None)
    return env


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([SPAPI_ROLES, *args], cwd=cwd, env=environment(cwd), text=True,
                          capture_output=True, timeout=600)


def suggested(cwd: Path) -> Tuple[Set[str], List[dict]]:
    ran = run("check", "--format", "json", cwd=cwd)
    assert ran.returncode in (0, 1), ran.stderr
    found = [d for d in json.loads(ran.stdout)["diagnostics"] if d["code"] in SUGGESTING]
    return {d["suggested_role"] for d in found}, found


def test_there_are_projects_to_agree_on():
    assert len(every_project()) >= 30


@pytest.mark.parametrize("project", every_project(), ids=label)
def test_init_fix_and_the_suggestions_agree(project, tmp_path):
    fresh = copy_without_manifests(project, tmp_path / "init" / project.name)
    initialised = run("init", cwd=fresh)
    assert initialised.returncode in (0, 1), initialised.stderr
    written = {}
    if initialised.returncode == 0:
        written = tomllib.loads((fresh / "spapi-roles.toml").read_text())
    else:
        assert not (fresh / "spapi-roles.toml").exists()
    regions = written.get("regions", [])

    checked = copy_without_manifests(project, tmp_path / "check" / project.name)
    manifest = checked / "spapi-roles.toml"
    manifest.write_text(f"roles = []\nregions = {json.dumps(regions)}\n")
    suggestions, findings = suggested(checked)
    fixed = run("check", "--fix", cwd=checked)
    assert "Traceback" not in fixed.stderr, fixed.stderr
    added = tomllib.loads(manifest.read_text())["roles"]

    assert set(written.get("roles", [])) == suggestions == set(added), (
        f"init {written.get('roles')}, suggested {sorted(suggestions)}, --fix {added}")
    assert len(added) == len(set(added))
    left, _ = suggested(checked)
    assert left == set(), f"still asking for {sorted(left)} after --fix"
    if findings:  # every finding's suggestion is one of its roles
        assert all(d["suggested_role"] in d["required_roles"] for d in findings)


def test_a_file_named_alone_gets_the_suggestions_of_the_whole_run(tmp_path):
    """fixtures/demo's report module asks for a role that another module's uses also weigh on:
    checked alone, by flake8, from standard input or in the whole run, its findings say the same
    thing, and `check --fix FILE` adds the role they suggest, no other."""
    demo = shutil.copytree(markers.FIXTURES_DIR / "demo", tmp_path / "demo")
    target = "shop_sync/inventory.py"

    def lines(output: str) -> List[str]:
        return [line for line in output.splitlines() if line.startswith(target + ":")]

    whole = lines(run("check", ".", cwd=demo).stdout)
    assert whole and all("SPR201" in line for line in whole)
    alone = lines(run("check", target, cwd=demo).stdout)
    with open(demo / target, encoding="utf-8") as source:
        piped = subprocess.run([SPAPI_ROLES, "check", "-", "--stdin-filename", target],
                               stdin=source, cwd=demo, env=environment(demo), text=True,
                               capture_output=True)
    flake8 = subprocess.run([sys.executable, "-m", "flake8", "--select", "SPR", target],
                            cwd=demo, env=environment(demo), text=True, capture_output=True)
    assert alone == whole
    assert lines(piped.stdout) == whole
    assert lines(flake8.stdout) == whole, flake8.stderr

    [role] = {d["suggested_role"] for d in suggested(demo)[1] if d["path"] == target}
    declared = tomllib.loads((demo / "spapi-roles.toml").read_text())["roles"]
    fixed = run("check", "--fix", target, cwd=demo)
    assert "Traceback" not in fixed.stderr, fixed.stderr
    assert tomllib.loads((demo / "spapi-roles.toml").read_text())["roles"] == declared + [role]
    assert lines(run("check", target, cwd=demo).stdout) == []
