"""Run the engine on inline snippets and small projects, and hold its uses against their markers.

A snippet states what the engine reports with ``# expect:`` markers on the lines that produce the
uses (the fixture format, ``fixtures/README.md``, plus the exact evidence: ``report:X/carrier``);
every line without a marker must stay silent. ``assert_marked`` and ``assert_marked_project``
compare the two as sorted lists of ``"line: kind:name[@version][/evidence]"``, each use shown as
precisely as the markers of its line ask (a version where one is pinned, the exact evidence where
one is named), and the same use twice on a line must be marked twice.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Dict, Iterable, List, Tuple

from spapi_roles.engine import analyze_paths, analyze_source
from spapi_roles.uses import Use

from . import markers


def _dedented(source: str) -> str:
    return textwrap.dedent(source).lstrip("\n")


def uses_in(source: str, path: str = "app/module.py") -> List[Use]:
    """The engine's uses of one snippet (dedented), analysed alone."""
    return analyze_source(_dedented(source), path)


def in_project(tmp_path: Path, files: Dict[str, str]) -> Dict[str, List[Use]]:
    """Write ``files`` (relative path -> source) below ``tmp_path``, analyse them as one project.

    Returns the uses per relative path.
    """
    paths = []
    for relative, source in files.items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_dedented(source), encoding="utf-8")
        paths.append(str(target))
    by_file: Dict[str, List[Use]] = {relative: [] for relative in files}
    for use in analyze_paths(paths, str(tmp_path)):
        by_file[Path(use.path).resolve().relative_to(tmp_path.resolve()).as_posix()].append(use)
    return by_file


def position_of(source: str, token: str) -> Tuple[int, int]:
    """1-based line and 0-based column of the only occurrence of ``token`` in the snippet."""
    text = _dedented(source)
    assert text.count(token) == 1, f"{token!r} is not in the snippet exactly once"
    before = text[: text.index(token)]
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1)


def _ordered(items: Iterable[Tuple[int, str]]) -> List[str]:
    return [f"{line}: {item}" for line, item in sorted(items)]


def expected_uses(source: str, path: str = "app/module.py") -> List[markers.Expectation]:
    """The marker items of one snippet (dedented)."""
    expectations, _ = markers.parse_source(_dedented(source), path, exact_evidence=True)
    return expectations


def marked_and_reported(
    expectations: List[markers.Expectation], uses: Iterable[Use]
) -> Tuple[List[str], List[str]]:
    """The markers and the uses of one file, each as sorted ``"line: item"`` strings."""
    pinned, exact = set(), set()
    for expectation in expectations:
        found = expectation.finding
        key = (found.line, found.kind, found.name)
        if expectation.version:
            pinned.add(key)
        if expectation.evidence:
            exact.add(key)
    reported = []
    for use in uses:
        name = use.name or markers.UNRESOLVED_NAME
        key = (use.line, use.kind, name)
        version = f"@{use.version}" if key in pinned else ""
        if key in exact:
            mode = use.evidence
        else:
            mode = "optin" if use.evidence in markers.OPTIN_EVIDENCE else ""
        reported.append((use.line, f"{use.kind}:{name}{version}{'/' + mode if mode else ''}"))
    marked = [(e.finding.line, e.item()) for e in expectations]
    return _ordered(marked), _ordered(reported)


def assert_marked(source: str, path: str = "app/module.py") -> List[Use]:
    """Assert that the engine reports exactly the marked uses of one snippet; return the uses."""
    __tracebackhide__ = True
    uses = uses_in(source, path)
    marked, reported = marked_and_reported(expected_uses(source, path), uses)
    assert reported == marked
    return uses


def assert_marked_project(tmp_path: Path, files: Dict[str, str]) -> Dict[str, List[Use]]:
    """``assert_marked`` for a project of several files analysed together; the uses per file."""
    __tracebackhide__ = True
    uses = in_project(tmp_path, files)
    marked, reported = {}, {}
    for relative, source in files.items():
        marked[relative], reported[relative] = marked_and_reported(
            expected_uses(source, relative), uses[relative])
    assert reported == marked
    return uses
