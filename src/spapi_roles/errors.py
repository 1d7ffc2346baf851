"""Errors the user can act on: printed as one line, exit code 2, never a traceback."""

from __future__ import annotations

from typing import Optional


class UserError(Exception):
    """A problem with the user's input (manifest, options, paths), located where possible."""

    def __init__(self, message: str, path: Optional[str] = None, line: Optional[int] = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return f"{where}{self.message}"


class DataError(Exception):
    """The shipped knowledge data is missing, corrupted or of the wrong version."""
