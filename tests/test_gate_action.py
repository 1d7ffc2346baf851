"""The GitHub Action (action.yml) run locally: its check step's own `run` script, with the
environment GitHub gives it, in a shallow checkout of a pull request (tests/support/
change_repo.py: a new call needing Product Listing, a moved call, a removed call).

GitHub's side is simulated by its documented variables: GITHUB_EVENT_NAME / GITHUB_EVENT_PATH
(the pull_request payload with base.sha), GITHUB_BASE_REF, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT,
GITHUB_SERVER_URL / GITHUB_REPOSITORY / GITHUB_SHA, RUNNER_TEMP; the install step's virtual
environment is this test's Python.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional

import jsonschema
import pytest
import yaml
from support.change_repo import MOVED_LINE, NEW_LINE, make_change_repo

from spapi_roles import github_action

REPO = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif" / "sarif-schema-2.1.0.json")
                          .read_text())
EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


def git_output(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


class Runner:
    """A fake GitHub Actions runner around a checkout."""

    def __init__(self, tmp_path: Path, workspace: Path):
        self.tmp = tmp_path
        self.workspace = workspace
        venv_bin = tmp_path / "runner" / "spapi-roles-venv" / "bin"
        venv_bin.mkdir(parents=True)
        python = venv_bin / "python"  # the install step's venv: this test's interpreter
        python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
        python.chmod(0o755)

    def environment(self, event: str, payload: Optional[dict]) -> Dict[str, str]:
        event_path = self.tmp / "event.json"
        event_path.write_text(json.dumps(payload or {}), encoding="utf-8")
        (self.tmp / "summary.md").write_text("", encoding="utf-8")
        (self.tmp / "output").write_text("", encoding="utf-8")
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("GITHUB_", "SPAPI_ROLES_"))}
        env.update({
            "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event,
            "GITHUB_EVENT_PATH": str(event_path), "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_STEP_SUMMARY": str(self.tmp / "summary.md"),
            "GITHUB_OUTPUT": str(self.tmp / "output"),
            "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/shop",
            "GITHUB_SHA": git_output("rev-parse", "HEAD", cwd=self.workspace),
            "GITHUB_ACTION_PATH": str(REPO), "RUNNER_TEMP": str(self.tmp / "runner"),
            "SPAPI_ROLES_CACHE_DIR": str(self.tmp / "cache"),
        })
        if payload and "pull_request" in payload:
            env["GITHUB_BASE_REF"] = payload["pull_request"]["base"]["ref"]
        return env

    def run_check_step(self, event: str = "pull_request", payload: Optional[dict] = None,
                       **given: str) -> subprocess.CompletedProcess:
        """The action's check step as GitHub runs it: its env with the inputs' expressions
        evaluated (defaults unless given), then its `run` script in bash."""
        step = next(step for step in ACTION["runs"]["steps"] if step.get("id") == "check")
        inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
        inputs.update({name.replace("_", "-"): value for name, value in given.items()})
        contexts = {f"inputs.{name}": value for name, value in inputs.items()}
        env = self.environment(event, payload)
        for name, value in step.get("env", {}).items():
            env[name] = EXPRESSION.sub(lambda match: contexts[match.group(1)], str(value))
        return subprocess.run([step["shell"], "-c", step["run"]], cwd=self.workspace, env=env,
                              capture_output=True, text=True, timeout=300)

    def summary(self) -> str:
        return (self.tmp / "summary.md").read_text(encoding="utf-8")

    def outputs(self) -> Dict[str, str]:
        text = (self.tmp / "output").read_text(encoding="utf-8")
        return {name: value for name, delimiter, value in
                re.findall(r"^([\w-]+)<<(\S+)\n(.*?)\n\2$", text, re.M | re.S)}


@pytest.fixture
def pull_request(tmp_path, git):
    """A pull request as actions/checkout leaves it: one commit deep, no base branch."""
    origin = make_change_repo(tmp_path / "origin", git)
    workspace = tmp_path / "workspace"
    subprocess.run(["git", "clone", "-q", "--depth=1", "--branch", "feature", origin.as_uri(),
                    str(workspace)], check=True, capture_output=True)
    base = git_output("rev-parse", "main", cwd=origin)
    payload = {"pull_request": {"number": 7, "base": {"ref": "main", "sha": base}}}
    return Runner(tmp_path, workspace), payload


def test_a_pull_request_fails_on_the_role_it_newly_needs(pull_request):
    runner, payload = pull_request
    result = runner.run_check_step(payload=payload)
    assert result.returncode == 1, result.stdout + result.stderr
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert annotations == [
        f"::error file=shop/sync.py,line={NEW_LINE},col=27,title=SPR101::`getCatalogItem` "
        "(Catalog Items API 2020-12-01) needs a role; suggest `Product Listing`"]
    assert "::group::spapi-roles: fetching the base" in result.stdout  # the checkout lacked it

    base = payload["pull_request"]["base"]["sha"]
    assert runner.outputs() == {"findings": "2", "new-findings": "1",
                                "roles-needed": "Product Listing", "sarif-file":
                                "spapi-roles.sarif", "base": base}

    summary = runner.summary()
    assert summary.startswith("### spapi-roles\n\n**This change needs 1 role the manifest does "
                              "not declare:** `Product Listing` (1 call site in 1 file).")
    head = git_output("rev-parse", "HEAD", cwd=runner.workspace)
    assert (f"| [shop/sync.py:{NEW_LINE}](https://github.com/acme/shop/blob/{head}/shop/sync.py"
            f"#L{NEW_LINE}) | `getCatalogItem`") in summary
    assert f"sync.py:{MOVED_LINE}" not in summary.split("<details>")[0]
    assert "<details><summary>Role request for the app registration (Product Listing)" in summary
    assert "Retrieves details for an item in the Amazon catalog." in summary

    sarif = json.loads((runner.workspace / "spapi-roles.sarif").read_text(encoding="utf-8"))
    jsonschema.validate(sarif, SARIF_SCHEMA)
    assert sorted(result["locations"][0]["physicalLocation"]["region"]["startLine"]
                  for result in sarif["runs"][0]["results"]) == [NEW_LINE, MOVED_LINE]


def test_fail_on_decides_the_exit_code(pull_request):
    runner, payload = pull_request
    # measured from HEAD, the change adds nothing: `new` passes, `any` still fails
    assert runner.run_check_step(payload=payload, diff_base="HEAD").returncode == 0
    assert runner.outputs()["new-findings"] == "0"
    assert runner.run_check_step(payload=payload, diff_base="HEAD",
                                 fail_on="any").returncode == 1
    # a push has no base: every finding is new; `never` reports without failing
    pushed = runner.run_check_step(event="push", fail_on="never")
    assert pushed.returncode == 0
    assert runner.outputs()["new-findings"] == "2"
    assert runner.outputs()["base"] == ""
    assert pushed.stdout.count("::error ") == 2


def test_bad_input_is_one_error_annotation(pull_request):
    runner, payload = pull_request
    result = runner.run_check_step(payload=payload, fail_on="sometimes")
    assert result.returncode == 2
    assert result.stdout == ("::error::spapi-roles: fail-on: expected one of new, any, never, "
                             "got `sometimes`\n")


def test_action_yml_passes_every_input_to_the_check_step():
    assert ACTION["runs"]["using"] == "composite"
    check = next(step for step in ACTION["runs"]["steps"] if step.get("id") == "check")
    assert check["env"] == {variable: f"${{{{ inputs.{name} }}}}"
                            for name, variable in github_action.INPUT_VARIABLES.items()}
    assert set(ACTION["inputs"]) == set(github_action.INPUT_VARIABLES) | {"python", "version"}
    assert ACTION["inputs"]["fail-on"]["default"] in github_action.FAIL_ON
    for name, output in ACTION["outputs"].items():
        assert output["value"] == f"${{{{ steps.check.outputs.{name} }}}}"
    for step in ACTION["runs"]["steps"]:
        assert step["shell"] == "bash"  # a composite `run` step must name its shell
        for value in step.get("env", {}).values():
            for expression in EXPRESSION.findall(str(value)):
                assert expression.split(".", 1)[1] in ACTION["inputs"]
