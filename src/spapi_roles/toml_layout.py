"""Where keys and array elements sit in a TOML text.

tomllib gives values without positions and tomlkit keeps no line numbers, so this small
scanner records, for every ``key = value`` written at the top level of a table, the
key's full path (table header + dotted key), its line, and for array values the
offsets of the elements, their commas and the brackets. The manifest uses it for the
line numbers in its error messages, manifest editing for byte-exact insertions.

The scanner expects text that tomllib has already accepted; on anything else it stops
early and returns what it has found so far (it never raises).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

Key = Tuple[str, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR_END = re.compile(r"[,\]}#\r\n]")
_ESCAPES = {
    "b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\", "e": "\x1b",
}
_ESCAPE = re.compile(r'\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{2}|.)', re.S)


@dataclass
class Element:
    """One value inside an array: text offsets [start, end), its line, and its comma."""

    start: int
    end: int
    line: int
    comma: Optional[int] = None  # offset of the comma written after it


@dataclass
class ArraySpan:
    """An array value: offsets of ``[`` and ``]`` and its direct elements."""

    start: int
    end: int
    elements: List[Element] = field(default_factory=list)


@dataclass
class Assignment:
    """``key = value`` at the top level of a table (never inside an inline table)."""

    key: Key
    line: int
    value_start: int
    value_end: int
    array: Optional[ArraySpan]


@dataclass
class Layout:
    """What the scanner found in one text."""

    text: str
    assignments: List[Assignment]
    tables: Dict[Key, int]  # table header path -> line of the header

    def __post_init__(self) -> None:
        self._line_starts = [0] + [m.end() for m in re.finditer(r"\n", self.text)]
        self._by_key: Optional[Dict[Key, Assignment]] = None  # built on the first lookup

    def line_at(self, offset: int) -> int:
        """1-based line of a text offset."""
        return bisect.bisect_right(self._line_starts, offset)

    def line_start(self, offset: int) -> int:
        """Offset of the first character of the line holding ``offset``."""
        return self._line_starts[self.line_at(offset) - 1]

    def assignment(self, key: Key) -> Optional[Assignment]:
        """The first ``key = value`` written for ``key`` (one index for every lookup)."""
        if self._by_key is None:
            self._by_key = {}
            for found in self.assignments:
                self._by_key.setdefault(found.key, found)
        return self._by_key.get(key)

    def line_of(self, key: Key) -> Optional[int]:
        """Line where ``key`` is written; else where its nearest written parent is."""
        for length in range(len(key), 0, -1):
            prefix = key[:length]
            found = self.assignment(prefix)
            if found is not None:
                return found.line
            if prefix in self.tables:
                return self.tables[prefix]
        return None


class _Stop(Exception):
    """The text is not TOML the scanner understands; keep what was found."""


class _Scanner:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.assignments: List[Assignment] = []
        self.tables: Dict[Key, int] = {}
        self.layout = Layout(text, self.assignments, self.tables)

    def peek(self, count: int = 1) -> str:
        return self.text[self.pos:self.pos + count]

    def expect(self, literal: str) -> None:
        if not self.text.startswith(literal, self.pos):
            raise _Stop
        self.pos += len(literal)

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self.pos += 1

    def skip_blank(self) -> None:
        """Spaces, newlines and comments (inside arrays and between statements)."""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in " \t\r\n":
                self.pos += 1
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                return

    def run(self) -> None:
        table: Key = ()
        while True:
            self.skip_blank()
            if self.pos >= len(self.text):
                return
            line = self.layout.line_at(self.pos)
            if self.peek() == "[":
                double = self.peek(2) == "[["
                self.pos += 2 if double else 1
                table = self.key()
                self.expect("]]" if double else "]")
                self.tables.setdefault(table, line)
                continue
            key = self.key()
            self.expect("=")
            self.skip_spaces()
            start = self.pos
            array = self.value()
            self.assignments.append(Assignment(table + key, line, start, self.pos, array))

    def key(self) -> Key:
        parts: List[str] = []
        while True:
            self.skip_spaces()
            char = self.peek()
            if char == '"':
                end = self._basic_end(self.pos)
                parts.append(_unescape(self.text[self.pos + 1:end - 1]))
                self.pos = end
            elif char == "'":
                end = self.text.find("'", self.pos + 1)
                if end < 0:
                    raise _Stop
                parts.append(self.text[self.pos + 1:end])
                self.pos = end + 1
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                if not match:
                    raise _Stop
                parts.append(match.group())
                self.pos = match.end()
            self.skip_spaces()
            if self.peek() != ".":
                return tuple(parts)
            self.pos += 1

    def _basic_end(self, start: int) -> int:
        """Offset just past the basic string opening at ``start``."""
        pos = start + 1
        while pos < len(self.text):
            char = self.text[pos]
            if char == "\\":
                pos += 2
            elif char == '"':
                return pos + 1
            elif char == "\n":
                break
            else:
                pos += 1
        raise _Stop

    def _multiline_end(self, start: int, quote: str) -> int:
        """Offset just past the multi-line string opening at ``start``."""
        pos = start + 3
        while pos < len(self.text):
            if quote == '"' and self.text[pos] == "\\":
                pos += 2
                continue
            if self.text.startswith(quote * 3, pos):
                end = pos + 3
                extra = 0
                while extra < 2 and end < len(self.text) and self.text[end] == quote:
                    end += 1
                    extra += 1
                return end
            pos += 1
        raise _Stop

    def value(self) -> Optional[ArraySpan]:
        """Skip one value; return its span when it is an array."""
        text, pos = self.text, self.pos
        if text.startswith('"""', pos) or text.startswith("'''", pos):
            self.pos = self._multiline_end(pos, text[pos])
        elif text.startswith('"', pos):
            self.pos = self._basic_end(pos)
        elif text.startswith("'", pos):
            end = text.find("'", pos + 1)
            if end < 0:
                raise _Stop
            self.pos = end + 1
        elif text.startswith("[", pos):
            return self.array()
        elif text.startswith("{", pos):
            self.inline_table()
        else:
            match = _SCALAR_END.search(text, pos)
            end = match.start() if match else len(text)
            if not text[pos:end].strip():
                raise _Stop
            self.pos = pos + len(text[pos:end].rstrip())
        return None

    def array(self) -> ArraySpan:
        span = ArraySpan(self.pos, -1)
        self.pos += 1
        while True:
            self.skip_blank()
            if self.peek() == "]":
                span.end = self.pos
                self.pos += 1
                return span
            if self.pos >= len(self.text):
                raise _Stop
            start = self.pos
            self.value()
            element = Element(start, self.pos, self.layout.line_at(start))
            span.elements.append(element)
            self.skip_blank()
            if self.peek() == ",":
                element.comma = self.pos
                self.pos += 1
            elif self.peek() != "]":
                raise _Stop

    def inline_table(self) -> None:
        self.pos += 1
        while True:
            self.skip_blank()
            if self.peek() == "}":
                self.pos += 1
                return
            if self.pos >= len(self.text):
                raise _Stop
            self.key()
            self.expect("=")
            self.skip_spaces()
            self.value()
            self.skip_blank()
            if self.peek() == ",":
                self.pos += 1


def _unescape(body: str) -> str:
    def replace(match: "re.Match[str]") -> str:
        code = match.group(1)
        if code[0] in "uUx" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, code)

    return _ESCAPE.sub(replace, body)


def scan(text: str) -> Layout:
    """Positions of the keys, tables and array elements of ``text``."""
    scanner = _Scanner(text)
    try:
        scanner.run()
    except (_Stop, ValueError, IndexError):
        pass
    return scanner.layout
