"""File names that are not UTF-8 (``caf\\xe9.py``: latin-1 bytes, which git and every POSIX file
system allow) through every output, with stdout in strict UTF-8 (``PYTHONIOENCODING=utf-8``):
never a traceback. Human-readable outputs (text, GitHub, ``why``, manifest comments) write the
odd byte as ``\\xe9``; JSON keeps the exact name (a ``\\udce9`` escape, which reads back as the
same name); SARIF percent-encodes it in the URI.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Dict

import pytest

from bad_inputs import harness
from bad_inputs.cases import USE

NAME = b"caf\xe9.py"
SHOWN = "caf\\xe9.py"  # as human-readable outputs write it
ROLE = "Inventory and Order Tracking"  # the role init and --fix choose for getOrders


def _project(tmp_path: Path, manifest: str = "roles = []\n") -> Path:
    project = tmp_path / "project"
    project.mkdir()
    with open(os.path.join(os.fsencode(project), NAME), "wb") as stream:
        stream.write(USE.encode())
    if manifest:
        (project / "spapi-roles.toml").write_text(manifest)
    return project


def _env(tmp_path: Path) -> Dict[str, str]:
    return harness.guarded_env(tmp_path / "markers", extra={"PYTHONIOENCODING": "utf-8"})


def _run(tmp_path: Path, project: Path, *args: str) -> harness.Ran:
    ran = harness.spapi_roles(*args, cwd=project, env=_env(tmp_path))
    harness.assert_no_traceback(ran)
    return ran


def test_text_output(tmp_path):
    ran = _run(tmp_path, _project(tmp_path), "check")
    assert ran.returncode == 1, ran.describe()
    assert ran.stdout.startswith(f"{SHOWN}:3:10: SPR101 "), ran.describe()


def test_github_output(tmp_path):
    ran = _run(tmp_path, _project(tmp_path), "check", "--format", "github")
    assert ran.returncode == 1, ran.describe()
    assert ran.stdout.startswith(f"::error file={SHOWN},line=3,col=10,title=SPR101::"), (
        ran.describe())


def test_json_output_keeps_the_exact_name(tmp_path):
    ran = _run(tmp_path, _project(tmp_path), "check", "--format", "json")
    assert ran.returncode == 1, ran.describe()
    [diagnostic] = json.loads(ran.stdout)["diagnostics"]
    assert os.fsencode(diagnostic["path"]) == NAME


def test_sarif_output_percent_encodes_the_name(tmp_path):
    ran = _run(tmp_path, _project(tmp_path), "check", "--format", "sarif")
    assert ran.returncode == 1, ran.describe()
    [result] = json.loads(ran.stdout)["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "caf%E9.py", "uriBaseId": "%SRCROOT%"}
    assert len(result["partialFingerprints"]["spapiRolesFinding/v1"]) == 32


def test_why(tmp_path):
    ran = _run(tmp_path, _project(tmp_path), "why", ROLE)
    assert ran.returncode == 0, ran.describe()
    assert ran.stdout.startswith(f"{SHOWN}:3:10: `getOrders`"), ran.describe()


def test_write_baseline_then_baseline(tmp_path):
    project = _project(tmp_path)
    wrote = _run(tmp_path, project, "check", "--write-baseline", "baseline.json")
    assert wrote.returncode == 0, wrote.describe()
    [entry] = json.loads((project / "baseline.json").read_bytes().decode("utf-8"))["entries"]
    assert os.fsencode(entry["path"]) == NAME
    ran = _run(tmp_path, project, "check", "--baseline", "baseline.json")
    assert ran.returncode == 0 and "1 in the baseline" in ran.stdout, ran.describe()


@pytest.mark.parametrize("command", [["check", "--fix"], ["init"]])
def test_manifest_comments(tmp_path, command):
    project = _project(tmp_path, "roles = [\n]\n" if command[0] == "check" else "")
    ran = _run(tmp_path, project, *command)
    assert ran.returncode == 0, ran.describe()
    text = (project / "spapi-roles.toml").read_bytes().decode("utf-8")
    assert f"    # getOrders ({SHOWN}:3)\n    \"{ROLE}\",\n" in text, text
