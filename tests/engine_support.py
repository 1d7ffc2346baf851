"""Helpers for the engine tests: run the engine on inline snippets and small temporary projects."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

from spapi_roles.engine import analyze_paths, analyze_source
from spapi_roles.uses import Use

Found = Tuple[int, str, str, str]  # (line, kind, name, evidence)


def uses_in(source: str, path: str = "app/module.py") -> List[Use]:
    """The engine's uses of one snippet (dedented), analysed alone."""
    return analyze_source(textwrap.dedent(source).lstrip("\n"), path)


def found(uses: List[Use]) -> Set[Found]:
    return {(u.line, u.kind, u.name, u.evidence) for u in uses}


def names(uses: List[Use], kind: Optional[str] = None) -> Set[str]:
    return {u.name for u in uses if kind is None or u.kind == kind}


def in_project(tmp_path: Path, files: Dict[str, str]) -> Dict[str, List[Use]]:
    """Write ``files`` (relative path -> source) below ``tmp_path``, analyse them as one project.

    Returns the uses per relative path.
    """
    paths = []
    for relative, source in files.items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
        paths.append(str(target))
    by_file: Dict[str, List[Use]] = {relative: [] for relative in files}
    for use in analyze_paths(paths, str(tmp_path)):
        by_file[Path(use.path).resolve().relative_to(tmp_path.resolve()).as_posix()].append(use)
    return by_file


def line_of(source: str, marker: str) -> int:
    """1-based line of the first line containing ``marker`` in the dedented snippet."""
    for number, text in enumerate(textwrap.dedent(source).lstrip("\n").splitlines(), start=1):
        if marker in text:
            return number
    raise AssertionError(f"{marker!r} not in snippet")
