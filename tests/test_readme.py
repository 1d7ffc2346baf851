"""The README stays true to the letter: its codes table is the rules table, CI runs its test
command, every transcript in it (a ```text block of `$ spapi-roles ...` lines) is what the
commands print on the demo, its install commands work from a clone and from a local path as
written, and its pre-commit configuration runs as written."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple

from test_advice_e2e import REGIONS_EXAMPLE

from spapi_roles import __version__, rules

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent
PROJECTS = Path(__file__).parent / "data" / "projects"

Transcript = List[Tuple[str, List[str]]]  # (command, the lines it prints)


def blocks(language: str) -> List[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", README, re.M | re.S)


def transcripts() -> List[Transcript]:
    """Each ```text block that starts with a `$ ` command: its commands and what each prints."""
    found = []
    for block in blocks("text"):
        if not block.startswith("$ "):
            continue
        steps: Transcript = []
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            else:
                steps[-1][1].append(line)
        found.append(steps)
    return found


def sh_block(starting: str) -> str:
    [command] = [block.strip() for block in blocks("sh") if block.startswith(starting)]
    return command


def quiet_env(cache: Path) -> Dict[str, str]:
    env = dict(os.environ, SPAPI_ROLES_CACHE_DIR=str(cache), PIP_QUIET="1",
               PIP_DISABLE_PIP_VERSION_CHECK="1")
    for name in ("NO_COLOR", "GITHUB_STEP_SUMMARY", "VIRTUAL_ENV"):
        env.pop(name, None)
    return env


def test_codes_table_is_generated_from_the_rules():
    table = re.search(r"<!-- codes-table:[^\n]*-->\n(.*?)<!-- end codes-table -->", README, re.S)
    assert table, "README lost its codes-table markers"
    assert table.group(1).strip() == rules.codes_table_markdown().strip()


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```sh\n(python3 -m venv .venv && .*?)\n```", README)
    test_command = next(command for command in commands if "pytest" in command)
    pytest_step = test_command.split("&&")[-1].strip()
    ci_lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert pytest_step in ci_lines


def test_every_transcript_is_what_the_commands_print(tmp_path):
    found = transcripts()
    assert len(found) >= 2 and found[0][0][0] == "spapi-roles check fixtures/demo"
    for number, steps in enumerate(found):
        sandbox = tmp_path / f"transcript-{number}"
        shutil.copytree(REPO / "fixtures" / "demo", sandbox / "fixtures" / "demo")
        for command, expected in steps:
            program, *args = shlex.split(command)
            assert program == "spapi-roles", command
            ran = subprocess.run([str(BIN / program), *args], cwd=sandbox, text=True,
                                 capture_output=True, env=quiet_env(tmp_path / "cache"),
                                 timeout=300)
            assert ran.stdout.splitlines() == expected, command


def test_the_regions_example_prints_what_the_readme_shows(tmp_path):
    [shown] = [block.strip() for block in blocks("text") if block.startswith("sync.py:")]
    (tmp_path / "spapi-roles.toml").write_text('roles = ["Amazon Fulfillment"]\n')
    (tmp_path / "sync.py").write_text(REGIONS_EXAMPLE)
    ran = subprocess.run([str(BIN / "spapi-roles"), "check", "-q"], cwd=tmp_path, text=True,
                         capture_output=True, env=quiet_env(tmp_path / "cache"), timeout=300)
    assert ran.stdout.strip() == shown


def _clone(hook_repo: Path, target: Path, git) -> Path:
    """A clone of this repository (the working tree as committed by ``hook_repo``), on ``main``."""
    git("clone", "-q", str(hook_repo), str(target), cwd=target.parent)
    git("checkout", "-q", "-B", "main", cwd=target)
    return target


def test_install_from_a_clone_and_from_a_local_path(tmp_path, hook_repo, git):
    clone = _clone(hook_repo, tmp_path / "flake8-spapi-roles", git)
    env = quiet_env(tmp_path / "cache")
    from_clone = subprocess.run(["bash", "-c", sh_block("python3 -m venv .venv && .venv/bin/pip "
                                                        "install . &&")],
                                cwd=clone, env=env, text=True, capture_output=True, timeout=900)
    demo = next(steps for steps in transcripts()
                if steps[0][0] == "spapi-roles check fixtures/demo")
    assert from_clone.returncode == 1, from_clone.stderr  # the demo's findings
    assert from_clone.stdout.splitlines() == demo[0][1]
    project = tmp_path / "project"
    project.mkdir()
    from_path = subprocess.run(["bash", "-c", sh_block("python3 -m venv .venv && .venv/bin/pip "
                                                       "install ../flake8-spapi-roles")],
                               cwd=project, env=env, text=True, capture_output=True, timeout=900)
    assert from_path.returncode == 0, from_path.stderr
    version = subprocess.run([str(project / ".venv" / "bin" / "spapi-roles"), "--version"],
                             text=True, capture_output=True, timeout=120)
    assert version.stdout.splitlines()[0] == f"spapi-roles {__version__}"


def test_the_pre_commit_example_runs_as_written(tmp_path, hook_repo, git, pre_commit_environment):
    _clone(hook_repo, tmp_path / "flake8-spapi-roles", git)
    [config] = [block for block in blocks("yaml") if "id: spapi-roles" in block]
    project = tmp_path / "shop"
    shutil.copytree(PROJECTS / "shop", project)
    (project / "app" / "sync.py").write_text(REGIONS_EXAMPLE)  # the shop sets no `regions`
    (project / ".pre-commit-config.yaml").write_text(config)
    git("init", "-q", ".", cwd=project)
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "shop", cwd=project)
    ran = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=project,
                         env=pre_commit_environment, text=True, capture_output=True, timeout=900)
    output = ran.stdout
    assert ran.returncode == 1, output + ran.stderr
    assert "Traceback" not in output + ran.stderr
    assert re.search(r"^spapi-roles\.+Failed$", output, re.M)
    assert re.search(r"^spapi-roles \(whole project\)\.+Failed$", output, re.M)
    assert "app/pricing.py:6:23: SPR101 " in output
    assert ("app/sync.py:5:22: SPR101 `getMarketplaceParticipations` (Sellers API v1) needs a role "
            "in NA, EU, FE (no `regions` declared; `Inventory and Order Tracking` grants it only "
            "in FE); suggest `Product Listing` or `Selling Partner Insights`") in output
    assert "spapi-roles.toml:6:1: SPR501 " in output  # a warning, failing this hook


def test_the_demo_readme_names_the_roles_the_demo_needs(tmp_path):
    text = " ".join((REPO / "fixtures" / "demo" / "README.md").read_text().split())
    [named] = re.findall(r"The least-privilege answer is \w+ roles, ([^:.]+):", text)
    roles = set(re.split(r", | and ", named))
    demo = shutil.copytree(REPO / "fixtures" / "demo", tmp_path / "demo")
    env = quiet_env(tmp_path / "cache")
    checked = subprocess.run([str(BIN / "spapi-roles"), "check", "--format", "json"], cwd=demo,
                             text=True, capture_output=True, env=env, timeout=300)
    findings = json.loads(checked.stdout)["diagnostics"]
    assert {d["suggested_role"] for d in findings if d["suggested_role"]} == roles
    assert all(f"`{d['name']}`" in text for d in findings)  # each use the README tells of
    manifest = tomllib.loads((demo / "spapi-roles.toml").read_text())["roles"]
    subprocess.run([str(BIN / "spapi-roles"), "check", "--fix"], cwd=demo, text=True,
                   capture_output=True, env=env, timeout=300)
    added = tomllib.loads((demo / "spapi-roles.toml").read_text())["roles"]
    assert set(added) - set(manifest) == roles


def test_no_placeholder_address():
    addresses = re.findall(r"https?://[^\s)`\"'>\]]+", README)
    assert addresses, "the README links its sources"
    placeholders = [address for address in addresses
                    if re.search(r"example\.|your[-_]|<|OWNER|USER|TODO|xxx", address, re.I)]
    assert placeholders == []
    # the pre-commit example's repo: is this repository's path, as its text says
    [local] = [block for block in blocks("yaml") if "id: spapi-roles" in block]
    assert "repo: ../flake8-spapi-roles" in local
