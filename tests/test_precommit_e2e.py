"""End to end: the real `pre-commit try-repo` with this repository's hooks on a test project copy.

The hook repository (``hook_repo`` in conftest.py) is a snapshot of the working tree committed to
a temporary git repository once per session, so the hooks tested are the ones being developed.
`language: python` makes pre-commit build a virtual environment and pip-install the package from
that snapshot: offline, from the configured package indexes only. The environment creation is
the slow part (15 to 30 s per try-repo run, which always builds a fresh environment in a
temporary store whatever PRE_COMMIT_HOME says), hence a single run covering both hooks.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict

from support.codes import project_markers

REPO = Path(__file__).resolve().parent.parent
PROJECTS = Path(__file__).parent / "data" / "projects"
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


def project_repo(tmp_path: Path, git) -> Path:
    target = tmp_path / "shop"
    shutil.copytree(PROJECTS / "shop", target)
    git("init", "-q", ".", cwd=target)
    git("add", "-A", cwd=target)
    git("commit", "-q", "-m", "shop", cwd=target)
    return target


def try_repo(hook_repo: Path, project: Path, env: Dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*PRE_COMMIT, "try-repo", str(hook_repo), "--all-files"],
        cwd=project,
        env=env,
        text=True,
        capture_output=True,
        timeout=600,
    )


def hook_sections(output: str) -> Dict[str, str]:
    """Each hook's status line and output, keyed by hook id."""
    sections: Dict[str, str] = {}
    status_line = r"^(?P<name>spapi-roles(?: \(whole project\))?)\.+(?P<status>Passed|Failed)"
    for match in re.finditer(
        status_line
        + r"(?P<body>.*?)(?="
        + status_line.replace("?P<name>", "").replace("?P<status>", "")
        + r"|\Z)",
        output,
        re.M | re.S,
    ):
        sections[match.group("name")] = match.group("status") + match.group("body")
    return sections


def test_hooks_manifest_is_valid():
    result = subprocess.run(
        [*PRE_COMMIT, "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_per_file_and_project_hooks_on_a_project(hook_repo, pre_commit_environment, tmp_path, git):
    project = project_repo(tmp_path, git)
    result = try_repo(hook_repo, project, pre_commit_environment)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    sections = hook_sections(result.stdout)
    per_file, whole = sections["spapi-roles"], sections["spapi-roles (whole project)"]
    assert per_file.startswith("Failed\n- hook id: spapi-roles\n- exit code: 1\n")
    # The `# SPRxxx` markers of the project (support.codes): the default findings in the code for
    # the per-file hook, those in the manifest for the project hook.
    default = [m for m in project_markers(PROJECTS / "shop") if m.default]
    found = re.findall(r"^(app/\S+?):(\d+):\d+: (SPR\d+) ", per_file, re.M)
    assert sorted((path, int(line), code) for path, line, code in found) == [
        (m.path, m.line, m.code) for m in default if m.per_file
    ]
    assert "SPR501" not in per_file  # named files never get the project-wide checks
    assert whole.startswith("Failed\n- hook id: spapi-roles-project\n- exit code: 1\n")
    assert re.findall(r"^(\S+?):(\d+):\d+: (SPR\d+) ", whole, re.M) == [
        (m.path, str(m.line), m.code) for m in default if m.in_manifest
    ]
    # pass_filenames: false -- the project hook checked the whole tree itself.
    assert "(5 files checked)" in whole
