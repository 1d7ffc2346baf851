"""The ``# SPRxxx`` markers of the end-to-end test projects and the rule examples: which code each
interface must report on which line.

A trailing comment names the codes reported on its line, in a Python file or a manifest::

    return Products().get_competitive_pricing_for_asins(asins)  # SPR101
    return Orders().get_orders(CreatedAfter=since)  # SPR401 SPR402 (opt-in)
    "Brand Analytics",  # SPR501: asked for analytics; nothing uses it yet
    return Products().get_competitive_pricing_for_asins(asins)  # noqa: SPR101

A parenthesis after the codes qualifies them: ``(opt-in)``, off by default (reported only with
``--extend-select``); ``(no manifest)``, no manifest governs the file, so the CLI checks it against
no roles and flake8 stays quiet. Text after a ``:`` is a note for the reader. ``# noqa: SPRxxx``
marks a finding the noqa comment suppresses (reported only with flake8's ``--disable-noqa``).
A finding in a manifest (``.toml``) is a whole-project one: `spapi-roles check` over the project
reports it, flake8 and named-file checks never do.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import List, Tuple

_CODES = r"SPR\d{3}(?:[ ,]+SPR\d{3})*"
_MARKER_RE = re.compile(rf"^#\s*(?P<codes>{_CODES})\s*(?:\((?P<notes>[^)]*)\))?\s*(?::.*)?$")
_NOQA_RE = re.compile(rf"^#\s*noqa:\s*(?P<codes>{_CODES})\s*$")
NOTES = ("opt-in", "no manifest")


class MarkerError(ValueError):
    """A ``# SPR...`` comment that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Marked:
    """One code the marker expects at one line of a project file."""

    path: str  # posix, relative to the project root
    line: int
    code: str
    opt_in: bool = False  # off by default
    suppressed: bool = False  # a `# noqa` on its line suppresses it
    no_manifest: bool = False  # no manifest governs the file

    @property
    def in_manifest(self) -> bool:
        """A whole-project finding, reported at a line of the manifest."""
        return self.path.endswith(".toml")

    @property
    def default(self) -> bool:
        """Reported by a plain `spapi-roles check` of the project."""
        return not (self.opt_in or self.suppressed)

    @property
    def per_file(self) -> bool:
        """Reported by flake8 and by checks of named files (with a manifest governing the file)."""
        return not (self.in_manifest or self.no_manifest)


def _comments(text: str, path: str) -> List[Tuple[int, str]]:
    """(line, comment) of every comment: Python's by tokenize, a manifest's after its values."""
    if path.endswith(".py"):
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
        except (tokenize.TokenError, SyntaxError) as error:
            raise MarkerError(f"{path}: cannot tokenize: {error}") from error
        return [(t.start[0], t.string) for t in tokens if t.type == tokenize.COMMENT]
    comments = []
    for number, line in enumerate(text.splitlines(), start=1):
        quote = None
        for column, char in enumerate(line):  # the test manifests hold no escaped quotes
            if quote:
                quote = None if char == quote else quote
            elif char in "\"'":
                quote = char
            elif char == "#":
                comments.append((number, line[column:].rstrip()))
                break
    return comments


def read_markers(text: str, path: str) -> List[Marked]:
    """The codes marked in one file's text (``path`` is how the results name it)."""
    marked = []
    for line, comment in _comments(text, path):
        noqa = _NOQA_RE.match(comment)
        match = noqa or _MARKER_RE.match(comment)
        if match is None:
            if re.match(r"#\s*SPR", comment):
                raise MarkerError(f"{path}:{line}: cannot read the marker {comment!r}")
            continue
        notes = set()
        if not noqa and match.group("notes"):
            notes = {note.strip() for note in match.group("notes").split(",")}
            unknown = notes - set(NOTES)
            if unknown:
                raise MarkerError(f"{path}:{line}: unknown note(s) {sorted(unknown)} "
                                  f"(known: {', '.join(NOTES)})")
        for code in re.findall(r"SPR\d{3}", match.group("codes")):
            marked.append(Marked(path, line, code, opt_in="opt-in" in notes,
                                 suppressed=bool(noqa), no_manifest="no manifest" in notes))
    return marked


def project_markers(root: Path) -> List[Marked]:
    """Every marker of the ``.py`` and ``.toml`` files below ``root``, by (path, line, code)."""
    marked = []
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".toml") and "__pycache__" not in path.parts:
            relative = path.relative_to(root).as_posix()
            marked.extend(read_markers(path.read_text(encoding="utf-8"), relative))
    return sorted(marked, key=lambda m: (m.path, m.line, m.code))


def column_of(root: Path, marked: Marked, token: str) -> int:
    """0-based column of ``token`` on the marked line."""
    line = (root / marked.path).read_text(encoding="utf-8").splitlines()[marked.line - 1]
    return line.index(token)
