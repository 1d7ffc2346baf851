"""The baseline file: findings a team has accepted, so that only new ones are reported.

A finding is matched by (code, file, subject): the subject is the operationId, type
name or role the finding is about. Line numbers are not part of the match, so edits
elsewhere in a file do not bring accepted findings back. Counts matter: a baseline
entry with ``count`` 2 suppresses at most two matching findings.

File format (JSON, entries sorted, stable across runs)::

    {
      "version": 1,
      "tool": "spapi-roles",
      "entries": [
        {"path": "app/orders.py", "code": "SPR101", "name": "getOrders", "count": 2}
      ]
    }

``path`` is relative to the baseline file's directory with ``/`` separators, so a
baseline works from any working directory and on any OS.

Diagnostics are duck-typed: anything with ``path``, ``line``, ``column``, ``code``,
``message`` and ``name`` attributes.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Sequence, Tuple

from spapi_roles import reading
from spapi_roles.errors import UserError

if TYPE_CHECKING:
    from spapi_roles.checks import Diagnostic

VERSION = 1
TOOL = "spapi-roles"

Key = Tuple[str, str, str]  # (path relative to the baseline, code, subject)


@dataclass(frozen=True)
class BaselineEntry:
    """Accepted findings of one code about one subject in one file."""

    path: str
    code: str
    name: str
    count: int


def _relative(path: str, base_dir: str) -> str:
    """``path`` (relative to the working directory, or absolute) relative to ``base_dir``."""
    relative = os.path.relpath(os.path.abspath(path), base_dir)
    return relative.replace(os.sep, "/")


def _key(diagnostic: Diagnostic, base_dir: str) -> Key:
    return (_relative(diagnostic.path, base_dir), str(diagnostic.code), str(diagnostic.name or ""))


def _base_dir(baseline_path: str) -> str:
    return os.path.dirname(os.path.abspath(baseline_path))


class Baseline:
    """Accepted findings read from a baseline file."""

    def __init__(self, path: str, entries: Sequence[BaselineEntry]):
        self.path = path
        self.entries = tuple(entries)
        self._base_dir = _base_dir(path)

    def filter(self, diagnostics: Iterable[Diagnostic]
               ) -> Tuple[List[Diagnostic], int, List[BaselineEntry]]:
        """Split findings into new ones and accepted ones.

        Returns the findings the baseline does not cover (in the given order), how many
        it suppressed, and the entries (with the count left over) whose findings are
        gone: fixed, so the baseline can be rewritten smaller. Where a baseline entry
        covers fewer findings than there are, the first ones by position are suppressed.
        """
        diagnostics = list(diagnostics)
        remaining: Counter[Tuple[str, str, str]] = Counter()
        for entry in self.entries:
            remaining[(entry.path, entry.code, entry.name)] += entry.count
        suppressed_ids = set()
        by_position = sorted(range(len(diagnostics)),
                             key=lambda i: (diagnostics[i].line or 0, diagnostics[i].column or 0))
        for index in by_position:
            key = _key(diagnostics[index], self._base_dir)
            if remaining[key] > 0:
                remaining[key] -= 1
                suppressed_ids.add(index)
        kept = [d for index, d in enumerate(diagnostics) if index not in suppressed_ids]
        fixed = [BaselineEntry(path, code, name, count)
                 for (path, code, name), count in sorted(remaining.items()) if count > 0]
        return kept, len(suppressed_ids), fixed


def _entries(diagnostics: Iterable[Diagnostic], base_dir: str) -> List[BaselineEntry]:
    counts = Counter(_key(diagnostic, base_dir) for diagnostic in diagnostics)
    return [BaselineEntry(path, code, name, count)
            for (path, code, name), count in sorted(counts.items())]


def write_baseline(path: str, diagnostics: Iterable[Diagnostic]) -> int:
    """Write the findings to a baseline file atomically; return the number of findings.

    Only a regular file is written (through a symbolic link, its target; the link stays), with
    the mode it had, or the umask's for a new file."""
    entries = _entries(diagnostics, _base_dir(path))
    document: Dict[str, Any] = {
        "version": VERSION,
        "tool": TOOL,
        "entries": [{"path": e.path, "code": e.code, "name": e.name, "count": e.count}
                    for e in entries],
    }
    text = reading.json_text(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
    target, mode = reading.write_target(path, "baseline")
    try:
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=os.path.dirname(target))
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary, mode)
            os.replace(temporary, target)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
    except OSError as error:
        raise UserError(f"cannot write the baseline: {error.strerror or error}", path) from None
    return sum(entry.count for entry in entries)


def _corrupt(path: str, reason: str, line: Any = None) -> UserError:
    return UserError(f"corrupt baseline: {reason}; rewrite it with --write-baseline", path, line)


def load_baseline(path: str) -> Baseline:
    """Read a baseline file; any problem is a UserError naming the file."""
    data = reading.read_user_file(path, reading.BASELINE)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _corrupt(path, "not valid UTF-8") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise _corrupt(path, f"invalid JSON ({error.msg})", error.lineno) from None
    except RecursionError:
        raise _corrupt(path, "nested too deeply") from None
    if not isinstance(document, dict) or "entries" not in document:
        raise _corrupt(path, 'expected an object with "version" and "entries"')
    if document.get("version") != VERSION:
        raise _corrupt(path, f'unsupported version {document.get("version")!r} '
                             f"(this spapi-roles reads version {VERSION})")
    if not isinstance(document["entries"], list):
        raise _corrupt(path, '"entries" must be an array')
    entries = []
    for number, entry in enumerate(document["entries"], 1):
        fields_ok = (isinstance(entry, dict)
                     and all(isinstance(entry.get(name), str) for name in ("path", "code", "name"))
                     and isinstance(entry.get("count"), int)
                     and not isinstance(entry.get("count"), bool)
                     and entry["count"] > 0)
        if not fields_ok:
            raise _corrupt(path, f'entry {number} needs "path", "code", "name" (strings) '
                                 'and "count" (a positive integer)')
        entries.append(BaselineEntry(entry["path"], entry["code"], entry["name"], entry["count"]))
    return Baseline(path, entries)
