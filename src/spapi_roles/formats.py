"""Output formats of `spapi-roles check`: text, json, sarif (2.1.0), github (workflow commands),
markdown (a summary people read: ``markdown.py``), codeclimate (GitLab Code Quality) and junit
(``ci_formats.py``).

A file name that is not UTF-8 (its bytes held as surrogate escapes) is written ``\\xNN`` in text,
GitHub and the job summary, as a ``\\uXXXX`` JSON escape in JSON (which reads back as the same
name), and percent-encoded in SARIF URIs.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, TextIO

from . import __version__, rules
from .checks import Diagnostic, read_lines
from .reading import printable, split_lines

if TYPE_CHECKING:
    from .diff_base import Change

FORMATS = ("text", "json", "sarif", "github", "markdown", "codeclimate", "junit")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "spapiRolesFinding/v1"
GITHUB_ANNOTATION_LIMIT = 10  # per level and step; GitHub drops the rest silently
_NAME_BYTE = re.compile("[\udc80-\udcff]")  # a byte of a file name that is not UTF-8
GITHUB_COMMAND = {
    rules.LEVEL_ERROR: "error",
    rules.LEVEL_WARNING: "warning",
    rules.LEVEL_NOTE: "notice",
}


@dataclass(frozen=True)
class Style:
    """How the text format looks: ANSI colours, each finding's source line with a caret under
    its column (``--show-source``), and no summary line (``--quiet``, which the GitHub format
    honours too)."""

    color: bool = False
    show_source: bool = False
    quiet: bool = False


@dataclass
class Report:
    """What one `check` run found, ready to print."""

    diagnostics: List[Diagnostic]
    files_checked: int = 0
    suppressed_by_noqa: int = 0
    suppressed_by_baseline: int = 0
    fixed_baseline_entries: int = 0
    roles_added: Dict[str, List[str]] = field(default_factory=dict)  # manifest path -> roles
    style: Style = Style()
    sources: Dict[str, str] = field(default_factory=dict)  # texts not read from files (stdin)
    change: Optional["Change"] = None  # --diff-base: the working tree against its merge base

    def counts(self) -> Dict[str, int]:
        levels = {rules.LEVEL_ERROR: 0, rules.LEVEL_WARNING: 0, rules.LEVEL_NOTE: 0}
        for diagnostic in self.diagnostics:
            levels[diagnostic.severity] += 1
        return levels


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def summary_line(report: Report) -> str:
    """One line: how many findings of which level, in how many files."""
    total = len(report.diagnostics)
    if not total:
        text = f"No problems found ({_plural(report.files_checked, 'file')} checked)"
    else:
        levels = report.counts()
        detail = ", ".join(_plural(n, level) for level, n in levels.items() if n)
        files = len({d.path for d in report.diagnostics})
        text = (f"Found {_plural(total, 'problem')} ({detail}) in {_plural(files, 'file')} "
                f"({_plural(report.files_checked, 'file')} checked)")
    extras = []
    if report.suppressed_by_noqa:
        extras.append(f"{report.suppressed_by_noqa} suppressed by noqa")
    if report.suppressed_by_baseline:
        extras.append(f"{report.suppressed_by_baseline} in the baseline")
    if report.fixed_baseline_entries:
        fixed = report.fixed_baseline_entries
        extras.append(f"{fixed} baseline {'entry' if fixed == 1 else 'entries'} now fixed")
    if report.change is not None:
        extras.append(change_line(report.change))
    for path, roles in report.roles_added.items():
        extras.append(f"added {', '.join(f'`{r}`' for r in roles)} to {printable(path)}")
    return text + ("; " + "; ".join(extras) if extras else "")


def change_line(change: "Change") -> str:
    """What ``--diff-base`` left out: "2 already at the merge base with main (1a2b3c4d5e6f)"."""
    text = f"{change.at_base} already at the merge base with {change.ref} ({change.short})"
    if change.fixed:
        text += f", {change.fixed} fixed since"
    for path, roles in change.roles_declared.items():
        text += f"; {printable(path)} newly declares {', '.join(f'`{r}`' for r in roles)}"
    return text


_RESET = "\033[0m"
_BOLD = "\033[1m"
_LEVEL_COLOR = {
    rules.LEVEL_ERROR: "\033[1;31m",
    rules.LEVEL_WARNING: "\033[1;33m",
    rules.LEVEL_NOTE: "\033[1;36m",
}


def _source_lines(d: Diagnostic, report: Report, cache: Dict[str, List[str]]) -> str:
    """The finding's line of source and a caret under its column (flake8's --show-source)."""
    if d.path not in cache:
        given = report.sources.get(d.path)
        cache[d.path] = read_lines(d.path) if given is None else split_lines(given)
    lines = cache[d.path]
    if not 0 < d.line <= len(lines):
        return ""
    text = printable(lines[d.line - 1].rstrip("\r\n"))
    pad = "".join(c if c == "\t" else " " for c in text[:d.column])
    return f"{text}\n{pad}^\n"


def render_text(report: Report, stream: TextIO, root: str) -> None:
    style = report.style
    color = style.color
    cache: Dict[str, List[str]] = {}
    for d in report.diagnostics:
        path = printable(d.path)
        code = d.code
        if color:
            path = f"{_BOLD}{path}{_RESET}"
            code = f"{_LEVEL_COLOR[d.severity]}{code}{_RESET}"
        stream.write(f"{path}:{d.line}:{d.column + 1}: {code} {d.message}\n")
        if style.show_source:
            stream.write(_source_lines(d, report, cache))
    if not style.quiet:
        summary = summary_line(report)
        stream.write((f"{_BOLD}{summary}{_RESET}" if color else summary) + "\n")


def render_json(report: Report, stream: TextIO, root: str) -> None:
    json.dump({"diagnostics": [d.as_dict() for d in report.diagnostics]}, stream, indent=2)
    stream.write("\n")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report, stream: TextIO, root: str, step_summary: bool = True) -> None:
    """GitHub Actions workflow commands, one per finding, then a summary line.

    Paths are relative to ``root`` (the repository), where GitHub looks for annotated files.
    GitHub shows at most 10 annotations of each level per step, so beyond that the
    summary says so and a job summary table (``$GITHUB_STEP_SUMMARY``) lists them all.
    """
    for d in report.diagnostics:
        command = GITHUB_COMMAND[d.severity]
        path = _escape_property(printable(_root_relative(d.path, root)))
        props = f"file={path},line={d.line},col={d.column + 1},title={d.code}"
        stream.write(f"::{command} {props}::{_escape_data(d.message)}\n")
    line = "spapi-roles: " + summary_line(report)
    over = [level for level, n in report.counts().items() if n > GITHUB_ANNOTATION_LIMIT]
    if over:
        line += (f" (GitHub shows at most {GITHUB_ANNOTATION_LIMIT} annotations per level; "
                 "every finding is listed above and in the job summary)")
        if step_summary:  # the GitHub Action writes a fuller one (github_action.py)
            _write_step_summary(report)
    if not report.style.quiet:
        stream.write(line + "\n")


def _write_step_summary(report: Report) -> None:
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    rows = ["### spapi-roles", "", summary_line(report), "", "| File | Line | Code | Message |",
            "|---|---|---|---|"]
    for d in report.diagnostics:
        message = d.message.replace("|", "\\|")
        rows.append(f"| {printable(d.path)} | {d.line} | {d.code} | {message} |")
    try:
        with open(target, "a", encoding="utf-8") as stream:
            stream.write("\n".join(rows) + "\n")
    except OSError:
        pass  # the summary is a convenience; the annotations and the log have everything


def _sarif_related(d: Diagnostic, root: str) -> Dict[str, object]:
    """``relatedLocations``: where a type that reached the request is written."""
    if not d.related:
        return {}
    return {"relatedLocations": [
        {"id": number,
         "physicalLocation": {"artifactLocation": _uri(path, root),
                              "region": {"startLine": line, "startColumn": column + 1}},
         "message": {"text": f"{d.kind} type `{d.name}` is written here"}}
        for number, (path, line, column) in enumerate(d.related, start=1)
    ]}


def _sarif_rule(rule: rules.Rule) -> Dict[str, object]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": plain_text(rule.what)},
        "help": {"text": rule.doc(), "markdown": rule.doc()},
        "defaultConfiguration": {"level": rule.level, "enabled": rule.default_on},
        "properties": {"tags": ["sp-api", "roles"]},
    }


def plain_text(block: str) -> str:
    """A documentation block as one paragraph of plain text (no line breaks, no backticks)."""
    return " ".join(block.split()).replace("`", "")


def statistics(diagnostics: List[Diagnostic]) -> List[Dict[str, object]]:
    """How many findings of each code, most first (ruff's --statistics)."""
    counts: Dict[str, int] = {}
    for d in diagnostics:
        counts[d.code] = counts.get(d.code, 0) + 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [{"code": code, "name": rules.RULES[code].name, "level": rules.RULES[code].level,
             "count": count} for code, count in ordered]


STATISTICS_FORMATS = ("text", "json")


def render_statistics(fmt: str, report: Report, stream: TextIO) -> None:
    """The counts per code instead of the findings, in ``fmt`` (text or json)."""
    rows = statistics(report.diagnostics)
    if fmt == "json":
        json.dump({"statistics": rows}, stream, indent=2)
        stream.write("\n")
        return
    for row in rows:
        stream.write(f"{row['count']:>5}  {row['code']}  {row['name']} ({row['level']})\n")
    if not report.style.quiet:
        stream.write(summary_line(report) + "\n")


def _root_relative(path: str, root: str) -> str:
    """``path`` relative to ``root`` with "/" separators, or absolute when outside it."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, root)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return absolute
    return pathlib.PurePath(relative).as_posix()


root_relative = _root_relative  # for the renderers of other modules (ci_formats)


def _uri(path: str, root: str) -> Dict[str, str]:
    relative = _root_relative(path, root)
    if os.path.isabs(relative):
        return {"uri": pathlib.Path(relative).as_uri()}
    encoded = _NAME_BYTE.sub(lambda match: f"%{ord(match.group()) - 0xDC00:02X}", relative)
    return {"uri": encoded, "uriBaseId": "%SRCROOT%"}


def fingerprints(diagnostics: List[Diagnostic], root: str) -> List[str]:
    """A line-independent identity per finding: code, file, subject and occurrence number."""
    seen: Dict[str, int] = {}
    result = []
    for d in diagnostics:
        base = "\0".join((d.code, _uri(d.path, root)["uri"], d.kind, d.name))
        seen[base] = seen.get(base, 0) + 1
        identity = f"{base}\0{seen[base]}".encode("utf-8", "surrogatepass")
        result.append(hashlib.sha256(identity).hexdigest()[:32])
    return result


def render_sarif(report: Report, stream: TextIO, root: str) -> None:
    """SARIF 2.1.0 with every rule's help, repository-relative paths and fingerprints."""
    all_rules = list(rules.RULES.values())
    index = {rule.code: position for position, rule in enumerate(all_rules)}
    results = []
    for d, fingerprint in zip(report.diagnostics, fingerprints(report.diagnostics, root)):
        result: Dict[str, object] = {
            "ruleId": d.code,
            "level": d.severity,
            "message": {"text": d.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": _uri(d.path, root),
                    "region": {"startLine": d.line, "startColumn": d.column + 1},
                }
            }],
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
            **_sarif_related(d, root),
            "properties": {"kind": d.kind, "name": d.name, "api": d.api, "version": d.version,
                           "requiredRoles": list(d.required_roles),
                           "confidence": d.confidence},
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        results.append(result)
    root_uri = pathlib.Path(root).resolve().as_uri().rstrip("/") + "/"
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "spapi-roles",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_sarif_rule(rule) for rule in all_rules],
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    json.dump(document, stream, indent=2)
    stream.write("\n")


def render_markdown(report: Report, stream: TextIO, root: str) -> None:
    from .markdown import render_summary

    render_summary(report, stream, root)


def render_codeclimate(report: Report, stream: TextIO, root: str) -> None:
    from .ci_formats import render_codeclimate

    render_codeclimate(report, stream, root)


def render_junit(report: Report, stream: TextIO, root: str) -> None:
    from .ci_formats import render_junit

    render_junit(report, stream, root)


RENDERERS: Dict[str, Callable[[Report, TextIO, str], None]] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
    "markdown": render_markdown,
    "codeclimate": render_codeclimate,
    "junit": render_junit,
}


def render(fmt: str, report: Report, stream: TextIO, root: Optional[str] = None) -> None:
    """Write ``report`` to ``stream`` in ``fmt``; SARIF paths relative to ``root`` (default cwd)."""
    RENDERERS[fmt](report, stream, os.path.abspath(root or os.getcwd()))
