"""The libcst detection engine: SP-API uses (operations and types) in Python source.

Public API (see the team brief):

- ``analyze_source(source, path, index=None) -> list[Use]``
- ``build_index(paths, root) -> ProjectIndex``: light cross-module facts, built once per run
- ``analyze_paths(paths, root) -> list[Use]``: index plus every file

Nothing analysed is imported or executed; bad input gives ``[]``, never an exception.
"""

from __future__ import annotations

from .analyzer import analyze_paths, analyze_source
from .project_index import ProjectIndex, build_index

__all__ = ["ProjectIndex", "analyze_paths", "analyze_source", "build_index"]
