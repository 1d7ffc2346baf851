"""The README's "Gate pull requests" section stays true: the summary and the role request it
shows for fixtures/demo are what the commands named in its markers print, and its workflow uses
only the action's inputs and the SARIF file the action writes."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    """The README section under ``## title``, up to the next ``## `` heading outside a fence."""
    lines, inside, fenced = [], False, False
    for line in README.splitlines(keepends=True):
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            if inside:
                break
            inside = line == f"## {title}\n"
            continue
        if inside:
            lines.append(line)
    return "".join(lines)


SECTION = section("Gate pull requests")
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
SPAPI_ROLES = str(Path(sys.executable).with_name("spapi-roles"))


@pytest.mark.parametrize("marker, fence", [("gate-summary", ""), ("gate-request", "markdown")])
def test_readme_shows_what_the_command_prints(marker: str, fence: str, tmp_path):
    found = re.search(rf"<!-- {marker}: (.*?) -->\n(.*?)<!-- end {marker} -->", SECTION, re.S)
    assert found, f"README lost its {marker} markers"
    command, shown = shlex.split(found.group(1)), found.group(2)
    if fence:
        assert shown.startswith(f"```{fence}\n") and shown.endswith("```\n")
        shown = shown[len(f"```{fence}\n"):-len("```\n")]
    assert command[0] == "spapi-roles"
    printed = subprocess.run([SPAPI_ROLES, *command[1:]], cwd=REPO, capture_output=True,
                             text=True, env=dict(os.environ, SPAPI_ROLES_CACHE_DIR=str(tmp_path)))
    assert printed.stdout == shown


def test_readme_workflow_uses_the_action_as_it_is():
    workflow = yaml.safe_load(SECTION.split("```yaml\n", 1)[1].split("```", 1)[0])
    steps = workflow["jobs"]["roles"]["steps"]
    ours = next(step for step in steps if "flake8-spapi-roles@" in step.get("uses", ""))
    assert set(ours.get("with", {})) <= set(ACTION["inputs"])
    upload = next(step for step in steps if "upload-sarif" in step.get("uses", ""))
    assert upload["with"]["sarif_file"] == ACTION["inputs"]["sarif-file"]["default"]
    assert upload["if"] == "always()"  # the SARIF file is uploaded when the gate fails too
    assert workflow["permissions"]["security-events"] == "write"
