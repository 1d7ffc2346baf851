"""Errors the user can act on: printed as one line, exit code 2, never a traceback."""

from __future__ import annotations

import os
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


def read_user_file(path: str, what: str) -> bytes:
    """The bytes of a file the user named (``what``: "manifest", "baseline"), or a UserError
    saying in one line why they cannot be read."""
    try:
        with open(path, "rb") as stream:
            return stream.read()
    except FileNotFoundError:
        raise UserError(f"{what} not found", path) from None
    except OSError as error:
        if os.path.isdir(path):  # IsADirectoryError, or what another system raises instead
            raise UserError(f"is a directory, not a {what} file", path) from None
        reason = ("permission denied" if isinstance(error, PermissionError)
                  else error.strerror or str(error))
        raise UserError(f"cannot read the {what}: {reason}", path) from None
