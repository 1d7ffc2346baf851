"""The detection engine: SP-API uses (operations and types) in Python source, read with ``ast``.

Public API:

- ``analyze_source(source, path, index=None, tree=None) -> list[Use]``: ``tree`` is the
  ``ast.Module`` of exactly ``source`` when the caller has one (flake8's): nothing is parsed twice
- ``build_index(paths, root) -> ProjectIndex``: light cross-module facts, built once per run
- ``analyze_paths(paths, root) -> list[Use]``: index plus every file

Nothing analysed is imported or executed; bad input gives ``[]``, never an exception, and with an
index the reason a file could not be analysed is kept in ``index.not_analysed`` (a syntax error,
syntax newer than the running Python, a module too big or too deep, memory running out, an engine
bug), for the faces to say.
"""

from __future__ import annotations

import ast
import os
from typing import List, Optional, Sequence

from ..uses import Use
from . import prefilter
from .project_index import NotAnalysed, ProjectIndex, build_index

__all__ = ["NotAnalysed", "ProjectIndex", "analyze_paths", "analyze_source", "build_index"]


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
    except Exception as error:  # noqa: BLE001 - bad input or an engine bug never aborts a run,
        if index is not None:  # but it is said: ``index.not_analysed``
            index.not_analysed[os.path.abspath(path)] = _why(error)
        return []


def _why(error: Exception) -> str:
    if isinstance(error, NotAnalysed):
        return str(error)
    if isinstance(error, MemoryError):
        return "out of memory while analysing it"
    if isinstance(error, RecursionError):
        return "nested too deeply to analyse"
    return f"internal error ({type(error).__name__}: {error}); please report it"


def analyze_paths(paths: Sequence[str], root: str) -> List[Use]:
    """Index the project, then analyse every file that may hold a use."""
    index = build_index(paths, root)
    uses: List[Use] = []
    for path in sorted(index.reasons):
        source = index.source_of(path)
        if source is not None:
            uses.extend(analyze_source(source, path, index))
    return uses
