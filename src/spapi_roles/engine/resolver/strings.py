"""Strings built by formatting and URL joining: ``str.format``, ``%``, ``urljoin``,
``posixpath.join``.

A part that is not one known string becomes a ``{}`` hole, as in f-strings (``containers.py``),
so that a URL built from a host kept in configuration still shows its SP-API path.
"""

from __future__ import annotations

import ast
import posixpath
import re
import string
from typing import Callable, Dict, List, Optional, Sequence
from urllib.parse import urljoin

from ..model import Point
from ..nodes import call_arguments
from ..values import UNKNOWN, Str, Value
from .base import Evaluation, Values, folded

HOLE = "{}"
# ``%s``, ``%(name)s``, ``%05.2f`` ...; ``%%`` is a literal percent sign
_PERCENT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<kind>.)"
)
# qualified names of functions that join URL or path parts
URL_JOINS: Dict[str, Callable[[List[str]], Optional[str]]] = {
    "urllib.parse.urljoin": lambda parts: urljoin(parts[0], parts[1]) if len(parts) == 2 else None,
    "posixpath.join": lambda parts: posixpath.join(*parts) if parts else None,
    "os.path.join": lambda parts: posixpath.join(*parts) if parts else None,
}


class Strings(Evaluation):
    """``str.format``, ``%`` formatting and URL joins, folded like f-strings."""

    def part(self, expr: ast.expr, point: Point, depth: int, callsites: int) -> str:
        """The one string ``expr`` folds to, else a hole."""
        values = {
            s.value
            for s in self.scalars(self.eval(expr, point, depth, callsites), depth)
            if isinstance(s, Str) and not s.holes
        }
        return values.pop() if len(values) == 1 else HOLE

    def formatted(
        self, templates: Sequence[Str], node: ast.Call, point: Point, depth: int, callsites: int
    ) -> Values:
        """``template.format(*args, **kwargs)``: fields filled with their arguments' strings."""
        positional, keywords, _ = call_arguments(node)
        found: List[Value] = []
        for template in templates:
            try:
                fields = list(string.Formatter().parse(template.value))
            except ValueError:
                found.append(Str(template.value, node, True))
                continue
            parts: List[str] = []
            auto = 0
            holes = template.holes
            for literal, name, spec, conversion in fields:
                parts.append(literal)
                if name is None:
                    continue
                if name == "":
                    name, auto = str(auto), auto + 1
                expr = (
                    positional[int(name)] if name.isdigit() and int(name) < len(positional)
                    else keywords.get(name)
                )
                value = HOLE if expr is None or spec or conversion else self.part(
                    expr, point, depth, callsites
                )
                parts.append(value)
                holes = holes or value == HOLE
            found.append(folded(parts, node, holes))
        return tuple(found)

    def percent(self, node: ast.BinOp, point: Point, depth: int, callsites: int) -> Values:
        """``template % values``: ``%s`` fields filled with the values' strings."""
        templates = [
            v for v in self.eval(node.left, point, depth, callsites) if isinstance(v, Str)
        ]
        if not templates:
            return (UNKNOWN,)
        right = node.right
        items: List[ast.expr] = list(right.elts) if type(right) is ast.Tuple else [right]
        named: Dict[str, ast.expr] = {}
        if type(right) is ast.Dict:
            named = {k.value: v for k, v in zip(right.keys, right.values)
                     if type(k) is ast.Constant and type(k.value) is str}
        found: List[Value] = []
        for template in templates:
            position = 0
            holes = template.holes

            def fill(match: "re.Match[str]") -> str:
                nonlocal position, holes
                if match.group("kind") == "%":
                    return "%"
                name = match.group("name")
                if name is not None:
                    expr: Optional[ast.expr] = named.get(name)
                else:
                    expr = items[position] if position < len(items) else None
                    position += 1
                value = HOLE if expr is None else self.part(expr, point, depth, callsites)
                holes = holes or value == HOLE
                return value

            text = _PERCENT.sub(fill, template.value)
            found.append(folded((text,), node, holes))
        return tuple(found)

    def url_joined(
        self, name: str, node: ast.Call, point: Point, depth: int, callsites: int
    ) -> Values:
        """``urljoin(base, url)`` / ``posixpath.join(*parts)`` of the parts' strings."""
        positional, keywords, star = call_arguments(node)
        if keywords or star or len(positional) != len(node.args):
            return (Str(HOLE, node, True),)
        parts = [self.part(expr, point, depth, callsites) for expr in positional]
        joined = URL_JOINS[name](parts)
        if joined is None:
            return (UNKNOWN,)
        return (folded((joined,), node, HOLE in parts),)
