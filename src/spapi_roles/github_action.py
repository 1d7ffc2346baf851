"""The check step of the GitHub Action (``action.yml``): ``python -m spapi_roles.github_action``.

It reads its inputs from ``SPAPI_ROLES_*`` variables (the action maps its inputs onto them) and
GitHub's own (``GITHUB_EVENT_NAME``, ``GITHUB_EVENT_PATH``, ``GITHUB_BASE_REF``, ...), checks
the workspace through the library layer and writes:

- annotations (workflow commands) for the findings the change adds (all findings without a base);
- a SARIF file with every finding, for code scanning (which tracks new and fixed alerts itself);
- a job summary (``$GITHUB_STEP_SUMMARY``): the markdown verdict, the roles to ask for and, when
  the change needs a role, the role request, within GitHub's 1 MiB limit;
- step outputs (``$GITHUB_OUTPUT``): findings, new-findings, roles-needed, sarif-file, base.

On a pull request the base is the pull request's base commit (from the event payload), fetched
when the checkout lacks it or its history. The exit code follows ``fail-on``: ``new`` fails when
the change adds findings, ``any`` on any finding, ``never`` only on errors (exit 2).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
from typing import TYPE_CHECKING, Dict, List, Mapping, Optional, TextIO

from .errors import DataError, UserError

if TYPE_CHECKING:
    from .markdown import Link

# The action's inputs, as action.yml passes them.
INPUT_VARIABLES = {
    "paths": "SPAPI_ROLES_PATHS",
    "fail-on": "SPAPI_ROLES_FAIL_ON",
    "diff-base": "SPAPI_ROLES_DIFF_BASE",
    "sarif-file": "SPAPI_ROLES_SARIF_FILE",
    "manifest": "SPAPI_ROLES_MANIFEST",
    "extend-select": "SPAPI_ROLES_EXTEND_SELECT",
}
FAIL_ON = ("new", "any", "never")
PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")


class Inputs:
    """The action's inputs and GitHub's variables, read from an environment."""

    def __init__(self, environ: Mapping[str, str]):
        def get(name: str, default: str = "") -> str:
            return (environ.get(INPUT_VARIABLES[name]) or default).strip()

        self.environ = environ
        self.paths = get("paths", ".").split() or ["."]
        self.fail_on = get("fail-on", "new").lower()
        if self.fail_on not in FAIL_ON:
            raise UserError(f"fail-on: expected one of {', '.join(FAIL_ON)}, got `{self.fail_on}`")
        self.sarif_file = get("sarif-file", "spapi-roles.sarif")
        self.manifest = get("manifest") or None
        self.extend_select = [code.strip().upper() for code in get("extend-select").split(",")
                              if code.strip()]
        self.diff_base = self._diff_base(get("diff-base"))

    def _diff_base(self, given: str) -> Optional[str]:
        """The ref to measure the change from: as given, or on a pull request its base commit
        (``none``: no base, every finding counts as new)."""
        if given.lower() == "none":
            return None
        if given:
            return given
        if self.environ.get("GITHUB_EVENT_NAME") not in PULL_REQUEST_EVENTS:
            return None
        event_path = self.environ.get("GITHUB_EVENT_PATH")
        if event_path and os.path.isfile(event_path):
            with open(event_path, encoding="utf-8") as stream:
                event = json.load(stream)
            sha = (event.get("pull_request") or {}).get("base", {}).get("sha")
            if sha:
                return str(sha)  # the event's JSON
        base_ref = self.environ.get("GITHUB_BASE_REF")
        return f"origin/{base_ref}" if base_ref else None


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], capture_output=True, text=True)


def fetch_base(ref: str, log: TextIO) -> None:
    """Bring ``ref`` and the history back to the merge base into a shallow or partial
    checkout (actions/checkout fetches one commit by default)."""
    from . import diff_base

    try:
        diff_base.merge_base(diff_base.repository_root(os.getcwd()), ref)
        return
    except UserError as missing:
        reason = str(missing)
    log.write(f"::group::spapi-roles: fetching the base ({reason})\n")
    shallow = _git("rev-parse", "--is-shallow-repository").stdout.strip() == "true"
    remote, _, branch = ref.partition("/")
    target = f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}" if branch else ref
    command = ["fetch", "--no-tags"] + (["--unshallow"] if shallow else []) + [
        remote if branch else "origin", target]
    done = _git(*command)
    log.write(f"git {' '.join(command)}\n{done.stdout}{done.stderr}::endgroup::\n")


def _link(environ: Mapping[str, str], root: str) -> Optional[Link]:
    """Call sites as links to the checked commit on GitHub (None outside GitHub)."""
    server, repository, sha = (environ.get("GITHUB_SERVER_URL"), environ.get("GITHUB_REPOSITORY"),
                               environ.get("GITHUB_SHA"))
    if not (server and repository and sha):
        return None
    from .formats import root_relative

    def link(path: str, line: int) -> Optional[str]:
        relative = root_relative(path, root)
        if os.path.isabs(relative):
            return None
        return f"{server}/{repository}/blob/{sha}/{relative}#L{line}"

    return link


def _append(path: Optional[str], text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(text)


def _outputs(path: Optional[str], values: Dict[str, str]) -> None:
    """Step outputs in GitHub's environment-file syntax (a delimiter for any value)."""
    lines = []
    for name, value in values.items():
        delimiter = f"spapi_roles_{uuid.uuid4().hex}"
        lines.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    _append(path, "".join(lines))


def run(environ: Mapping[str, str], stdout: TextIO) -> int:
    """The check step; returns the exit code."""
    from . import diff_base, formats, markdown, project, rules
    from .files import find_git_root

    inputs = Inputs(environ)
    if inputs.diff_base:
        fetch_base(inputs.diff_base, stdout)
    selection = rules.Selection(extend_select=inputs.extend_select)
    result = project.check(inputs.paths, manifest=inputs.manifest, selection=selection)
    analysis, everything, noqa = result.analysis, result.diagnostics, result.suppressed_by_noqa
    assert analysis is not None  # check() analyses paths; only check_text's result has none
    root = find_git_root(".") or os.getcwd()
    report = formats.Report(list(everything), files_checked=len(analysis.files),
                            suppressed_by_noqa=noqa)
    with open(inputs.sarif_file, "w", encoding="utf-8") as sarif:
        formats.render_sarif(report, sarif, root)
    if inputs.diff_base:
        report.change = diff_base.compare(inputs.diff_base, everything, inputs.paths,
                                          manifest=inputs.manifest, selection=selection,
                                          head_manifests=analysis.manifests())
        report.diagnostics = report.change.new
    annotations = io.StringIO()
    formats.render_github(report, annotations, root, step_summary=False)
    stdout.write(annotations.getvalue())
    summary = io.StringIO()
    link = _link(environ, root)
    markdown.render_summary(report, summary, root, link=link)
    grouped, _ = markdown.group_by_role(report.diagnostics)
    text = summary.getvalue()
    if grouped:
        request = markdown.role_request(list(grouped), analysis, " ".join(inputs.paths),
                                        link=link)
        details = (f"\n<details><summary>Role request for the app registration "
                   f"({', '.join(grouped)})</summary>\n\n{request}\n</details>\n")
        if len((text + details).encode("utf-8")) <= markdown.SUMMARY_LIMIT:
            text += details
    _append(environ.get("GITHUB_STEP_SUMMARY"), text)
    _outputs(environ.get("GITHUB_OUTPUT"), {
        "findings": str(len(everything)),
        "new-findings": str(len(report.diagnostics)),
        "roles-needed": ", ".join(grouped),
        "sarif-file": inputs.sarif_file,
        "base": report.change.base_commit if report.change else "",
    })
    if result.unchecked:  # a file that could not be checked is never a silent pass
        for path, problem in result.unchecked.items():
            stdout.write(f"::error file={path}::spapi-roles: {problem}\n")
        return 2
    failing = {"new": report.diagnostics, "any": everything, "never": []}[inputs.fail_on]
    return 1 if failing else 0


def main(argv: Optional[List[str]] = None) -> int:
    from .project import ConfigErrors

    try:
        return run(os.environ, sys.stdout)
    except ConfigErrors as errors:
        for error in errors.errors:
            print(f"::error::spapi-roles: {error}")
        return 2
    except (UserError, DataError) as error:
        print(f"::error::spapi-roles: {error}")
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
