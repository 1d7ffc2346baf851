"""The detection engine: SP-API uses (operations and types) in Python source, read with ``ast``.

Public API:

- ``analyze_source(source, path, index=None, tree=None) -> list[Use]``: ``tree`` is the
  ``ast.Module`` of exactly ``source`` when the caller has one (flake8's): nothing is parsed twice
- ``build_index(paths, root) -> ProjectIndex``: light cross-module facts, built once per run
- ``analyze_paths(paths, root) -> list[Use]``: index plus every file

Nothing analysed is imported or executed; bad input gives ``[]``, never an exception. A module is
parsed by the running Python's own ``ast``: a file in syntax newer than that Python is skipped
(flake8 reports it as E999 anyway).
"""

from __future__ import annotations

import ast
from typing import List, Optional, Sequence

from ..uses import Use
from . import prefilter
from .project_index import ProjectIndex, build_index

__all__ = ["ProjectIndex", "analyze_paths", "analyze_source", "build_index"]


def analyze_source(
    source: str,
    path: str,
    index: Optional[ProjectIndex] = None,
    tree: Optional[ast.Module] = None,
) -> List[Use]:
    """Uses in one file's source; ``tree``: its ``ast``, if parsed. Never raises.

    The analyser (``analyzer.analyze_module``) is loaded only for a file that may hold a use:
    linting code without SP-API never pays for it.
    """
    try:
        if (
            prefilter.load().reason(source) if index is None else index.reason(path, source)
        ) is None:
            return []
        from .analyzer import analyze_module

        return analyze_module(source, path, index, tree)
    except Exception:  # noqa: BLE001 - bad input (or an engine bug) never aborts a lint run
        return []


def analyze_paths(paths: Sequence[str], root: str) -> List[Use]:
    """Index the project, then analyse every file that may hold a use."""
    index = build_index(paths, root)
    uses: List[Use] = []
    for path in sorted(index.reasons):
        source = index.source_of(path)
        if source is not None:
            uses.extend(analyze_source(source, path, index))
    return uses
