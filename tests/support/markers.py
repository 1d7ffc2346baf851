"""Expectation markers: read them, and compare them with the engine's uses.

Shared by ``tests/test_fixtures.py`` and ``tools/precision_recall.py`` (the fixture projects) and by
the engine tests' snippets (``support.engine``). The format is described in ``fixtures/README.md``;
in short, a trailing comment on the line of the reported token::

    orders.get_orders(CreatedAfter=since)  # expect: operation:getOrders@v0
    Reports().create_report(reportType=kind)  # expect: operation:createReport report:?/optin

or, where the line would grow too long, the same comment on a line of its own just above the code
line it is about. ``# pattern: <id>`` comment lines tag each fixture case. The engine tests'
snippets may also name the exact evidence (``report:GET_X/carrier``, ``/literal``,
``/receiver``, ``/name-only``, ``/unresolved``) where the fixtures only tell default from
``/optin``. Markers are read from comment tokens only, so a string that contains ``# expect:`` is
not a marker. Nothing here imports fixture code.
"""

from __future__ import annotations

import io
import os
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set, Tuple

from spapi_roles import uses

FIXTURES_DIR = Path(__file__).resolve().parents[2] / "fixtures"

DEFAULT_EVIDENCE = frozenset(uses.DEFAULT_EVIDENCE)
OPTIN_EVIDENCE = frozenset(uses.OPT_IN_EVIDENCE)
UNRESOLVED_NAME = "?"

_EXPECT_RE = re.compile(r"#\s*expect:(?P<items>.*)$")
_PATTERN_RE = re.compile(r"#\s*pattern:(?P<id>.*)$")
_PATTERN_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ITEM_RE = re.compile(
    r"^(?P<kind>[a-z]+):(?P<name>\?|[A-Za-z][A-Za-z0-9_]*)"
    r"(?:@(?P<version>[A-Za-z0-9][A-Za-z0-9.-]*))?(?:/(?P<mode>[a-z]+(?:-[a-z]+)*))?$"
)


class MarkerError(ValueError):
    """A malformed marker in a fixture file; the message names the file and line."""


@dataclass(frozen=True)
class Finding:
    """What the harness compares: one use at one line, without column or evidence detail."""

    path: str  # posix path relative to the fixture project's root
    line: int
    kind: str  # operation | report | feed | notification
    name: str  # operationId or canonical type name; "?" for an unresolved type argument
    mode: str  # "default" (receiver / carrier / literal) or "optin" (name-only / unresolved)

    def __str__(self) -> str:
        suffix = "/optin" if self.mode == "optin" else ""
        return f"{self.path}:{self.line}: {self.kind}:{self.name}{suffix}"


@dataclass(frozen=True)
class Expectation:
    """One marker item; ``version`` is None when the marker does not pin the API version,
    ``evidence`` None when it gives only the evidence class (``finding.mode``)."""

    finding: Finding
    version: Optional[str] = None
    evidence: Optional[str] = None

    def __str__(self) -> str:
        found = self.finding
        return f"{found.path}:{found.line}: {self.item()}"

    def item(self) -> str:
        """The marker item as written: ``kind:name[@version][/mode]``."""
        found = self.finding
        version = f"@{self.version}" if self.version else ""
        mode = self.evidence or ("optin" if found.mode == "optin" else "")
        return f"{found.kind}:{found.name}{version}{'/' + mode if mode else ''}"


@dataclass
class ProjectMarkers:
    """Every marker and pattern tag of one fixture project."""

    name: str
    root: Path
    files: List[Path]
    expectations: List[Expectation] = field(default_factory=list)
    patterns: Dict[str, List[Tuple[str, int]]] = field(default_factory=dict)


@dataclass
class Comparison:
    """Expected against actual findings of one project."""

    matched: List[Expectation]
    missed: List[Expectation]
    false_findings: List[Tuple[Finding, str]]  # (finding, version the engine gave)

    @property
    def true_positives(self) -> int:
        return len(self.matched)

    @property
    def false_negatives(self) -> int:
        return len(self.missed)

    @property
    def false_positives(self) -> int:
        return len(self.false_findings)

    def report(self) -> str:
        """Every miss and false finding, one per line, sorted by position."""
        lines = [f"missed {exp}" for exp in sorted(self.missed, key=_expectation_order)]
        by_position = sorted(self.false_findings, key=lambda item: _finding_order(item[0]))
        for finding, version in by_position:
            shown = f" (version {version})" if version else ""
            lines.append(f"false  {finding}{shown}")
        return "\n".join(lines)


def _finding_order(finding: Finding) -> Tuple[str, int, str, str, str]:
    return (finding.path, finding.line, finding.kind, finding.name, finding.mode)


def _expectation_order(expectation: Expectation) -> Tuple[Tuple[str, int, str, str, str], str]:
    return (_finding_order(expectation.finding), expectation.version or "")


MANIFEST_NAME = "spapi-roles.toml"

# Measured only with ``tools/precision_recall.py --fixtures fixtures/heldout_public`` (and
# ``heldout_public2``): held-out sets the engine was not written for, so they stay out of the
# fixture test that must score 1.000.
HELDOUT_DIRS = frozenset({"heldout_public", "heldout_public2"})


def fixture_projects(fixtures_dir: Path = FIXTURES_DIR) -> List[Path]:
    """The fixture project directories: each direct subdirectory that holds Python files.

    A subdirectory whose own subdirectories each carry a manifest (``fixtures/holdout``) is a
    collection of separate apps: each app is a project of its own, analysed from its own root.
    Held-out sets (``HELDOUT_DIRS``) are skipped; pass their directory itself to measure them.
    """
    projects = []
    for child in _visible_subdirectories(fixtures_dir):
        if child.name in HELDOUT_DIRS or not python_files(child):
            continue
        apps = _visible_subdirectories(child)
        if apps and not (child / MANIFEST_NAME).exists() and all(
                (app / MANIFEST_NAME).exists() for app in apps):
            projects.extend(app for app in apps if python_files(app))
        else:
            projects.append(child)
    return sorted(projects)


def project_label(root: Path) -> str:
    """A project's name as the tests and reports show it: its path below ``fixtures/``."""
    try:
        return root.resolve().relative_to(FIXTURES_DIR.resolve()).as_posix()
    except ValueError:
        return root.name


def _visible_subdirectories(directory: Path) -> List[Path]:
    return [child for child in directory.iterdir()
            if child.is_dir() and not child.name.startswith((".", "_"))]


def python_files(root: Path) -> List[Path]:
    """Every ``.py`` file below ``root``, sorted, skipping caches."""
    return sorted(path for path in root.rglob("*.py") if "__pycache__" not in path.parts)


def _evidence_class(evidence: str) -> str:
    if evidence in DEFAULT_EVIDENCE:
        return "default"
    if evidence in OPTIN_EVIDENCE:
        return "optin"
    raise ValueError(f"unknown evidence {evidence!r}")


def _parse_items(text: str, where: str, exact_evidence: bool
                 ) -> List[Tuple[str, str, Optional[str], str, Optional[str]]]:
    """(kind, name, version, mode, evidence) of each item of one marker."""
    items = text.split()
    if not items:
        raise MarkerError(f"{where}: empty '# expect:' marker")
    parsed = []
    for item in items:
        match = _ITEM_RE.match(item)
        if match is None:
            raise MarkerError(f"{where}: cannot read marker item {item!r}")
        kind, name, version, mode = match.group("kind", "name", "version", "mode")
        if kind not in uses.KINDS:
            raise MarkerError(f"{where}: unknown kind {kind!r} in {item!r}")
        evidence = None
        if mode in DEFAULT_EVIDENCE | OPTIN_EVIDENCE:
            if not exact_evidence:
                raise MarkerError(f"{where}: fixture markers tell only /optin apart, "
                                  f"not the evidence {mode!r}: {item!r}")
            evidence, mode = mode, _evidence_class(mode)
        elif mode not in (None, "optin"):
            allowed = "/optin or an evidence" if exact_evidence else "only /optin"
            raise MarkerError(f"{where}: unknown mode {mode!r} in {item!r} ({allowed})")
        mode = mode or "default"
        if name == UNRESOLVED_NAME and (kind == "operation" or mode != "optin"):
            raise MarkerError(f"{where}: '?' is only for an opt-in unresolved type: {item!r}")
        if version is not None and kind != "operation":
            raise MarkerError(f"{where}: only operations take an @version: {item!r}")
        parsed.append((kind, name, version, mode, evidence))
    return parsed


def _code_lines(tokens: List[tokenize.TokenInfo]) -> List[int]:
    """The lines on which a token other than a comment or a line break starts, in order."""
    skipped = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
               tokenize.DEDENT, tokenize.ENDMARKER)
    return sorted({token.start[0] for token in tokens if token.type not in skipped})


def parse_source(
    text: str, rel_path: str, exact_evidence: bool = False
) -> Tuple[List[Expectation], List[Tuple[str, int]]]:
    """The expectations and pattern tags (id, line) in one file's source text.

    A marker after code is about its own line; a marker on a line of its own is about the next
    line that holds code. ``exact_evidence`` lets items name the evidence (the snippets' form).
    """
    expectations: List[Expectation] = []
    patterns: List[Tuple[str, int]] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError) as error:
        raise MarkerError(f"{rel_path}: cannot tokenize: {error}") from error
    code_lines = _code_lines(tokens)
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        line = token.start[0]
        where = f"{rel_path}:{line}"
        own_line = token.line.strip() == token.string.strip()
        expect = _EXPECT_RE.search(token.string)
        if expect is not None:
            if own_line:
                line = next((code for code in code_lines if code > line), 0)
                if not line:
                    raise MarkerError(f"{where}: no code line below this '# expect:' marker")
            for kind, name, version, mode, evidence in _parse_items(
                    expect.group("items"), where, exact_evidence):
                finding = Finding(rel_path, line, kind, name, mode)
                expectations.append(Expectation(finding, version, evidence))
            continue
        pattern = _PATTERN_RE.match(token.string)
        if pattern is not None:
            pattern_id = pattern.group("id").strip()
            if not _PATTERN_ID_RE.match(pattern_id):
                raise MarkerError(
                    f"{where}: pattern id must be lower-case words joined by '-': {pattern_id!r}"
                )
            if not own_line:
                raise MarkerError(f"{where}: '# pattern:' must be on a line of its own")
            patterns.append((pattern_id, line))
    return expectations, patterns


def read_project(root: Path) -> ProjectMarkers:
    """Markers and pattern tags of every Python file of one fixture project."""
    project = ProjectMarkers(name=project_label(root), root=root, files=python_files(root))
    for path in project.files:
        rel_path = path.relative_to(root).as_posix()
        expectations, patterns = parse_source(path.read_text(encoding="utf-8"), rel_path)
        project.expectations.extend(expectations)
        for pattern_id, line in patterns:
            project.patterns.setdefault(pattern_id, []).append((rel_path, line))
    return project


def relative_path(path: str, root: Path) -> str:
    """``path`` (absolute, or relative to the cwd or to ``root``) as posix relative to root."""
    candidate = Path(path)
    if not candidate.is_absolute():
        under_root = root / candidate
        candidate = under_root if under_root.exists() else Path(os.path.abspath(path))
    return Path(os.path.relpath(candidate.resolve(), root.resolve())).as_posix()


def finding_of(use, root: Path) -> Tuple[Finding, str]:
    """The comparable finding and the version of one engine ``Use``."""
    try:
        mode = _evidence_class(use.evidence)
    except ValueError:
        raise ValueError(f"unknown evidence {use.evidence!r} in {use!r}") from None
    name = use.name or UNRESOLVED_NAME
    return Finding(relative_path(use.path, root), use.line, use.kind, name, mode), use.version


def compare(
    expectations: Iterable[Expectation], actual: Iterable[Tuple[Finding, str]]
) -> Comparison:
    """Match markers with findings per (file, line, kind, name, mode), and the version where pinned.

    Several identical findings on one line count once. A marker with ``@version`` needs a finding of
    that version, and then findings of other versions on that line are false; a marker without a
    version accepts any.
    """
    actual_versions: Dict[Finding, Set[str]] = {}
    for finding, version in actual:
        actual_versions.setdefault(finding, set()).add(version or "")
    expected_versions: Dict[Finding, Set[Optional[str]]] = {}
    unique_expectations = sorted(set(expectations), key=_expectation_order)
    for expectation in unique_expectations:
        expected_versions.setdefault(expectation.finding, set()).add(expectation.version)

    matched, missed = [], []
    for expectation in unique_expectations:
        versions = actual_versions.get(expectation.finding)
        found = versions is not None and expectation.version in versions | {None}
        (matched if found else missed).append(expectation)

    false_findings: List[Tuple[Finding, str]] = []
    for finding, versions in actual_versions.items():
        wanted = expected_versions.get(finding)
        if wanted is None:
            false_findings.append((finding, ",".join(sorted(versions))))
        elif None not in wanted:
            false_findings.extend((finding, version) for version in sorted(versions - wanted))
    return Comparison(matched, missed, false_findings)
