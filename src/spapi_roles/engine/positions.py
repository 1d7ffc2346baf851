"""Line and column of a reported node, from the ``ast`` positions of its token.

A node is reported at a token: a name or string at its start, an attribute at its attribute name
(``client.get_orders`` at ``get_orders``), any other expression at its first such token. ``ast``
columns are UTF-8 byte offsets; they are converted to characters. A node the collector did not
walk (one from another module of the project) has no position here.
"""

from __future__ import annotations

import ast
from typing import List, Optional, Tuple

from .. import reading
from .model import ModuleInfo
from .nodes import Dispatched

Position = Tuple[int, int]


class Positions:
    """Positions of reported nodes of one module."""

    def __init__(self, info: ModuleInfo):
        self.info = info
        self._lines: Optional[List[str]] = None

    def of(self, node: ast.AST) -> Optional[Position]:
        """(line, column) of the token a node is reported at; None if not of this module."""
        if id(node) not in self.info.walked:
            return None
        anchor = _anchor(node)
        kind = type(anchor)
        if kind is ast.Attribute:
            return self._column(
                anchor.end_lineno, anchor.end_col_offset - len(anchor.attr.encode("utf-8"))
            )
        return self._column(anchor.lineno, anchor.col_offset)

    def _column(self, line: int, byte_column: int) -> Position:
        if self._lines is None:
            self._lines = reading.split_lines(self.info.source)
        text = self._lines[line - 1] if 0 < line <= len(self._lines) else ""
        if text.isascii():
            return (line, byte_column)
        return (line, len(text.encode("utf-8")[:byte_column].decode("utf-8", "replace")))


def _anchor(node: Dispatched) -> Dispatched:
    """The token a node is reported at: itself if a name, attribute or string, else the first."""
    while True:
        kind = type(node)
        if kind in (ast.Name, ast.Attribute, ast.Constant, ast.JoinedStr):
            return node
        if kind is ast.Call:
            node = node.func
        elif kind is ast.Subscript or kind is ast.Starred or kind is ast.Await:
            node = node.value
        elif kind is ast.BinOp or kind is ast.Compare:
            node = node.left
        elif kind is ast.BoolOp:
            node = node.values[0]
        elif kind is ast.IfExp:
            node = node.body
        elif kind is ast.UnaryOp:
            node = node.operand
        elif kind in (ast.List, ast.Tuple, ast.Set) and node.elts:
            node = node.elts[0]
        elif kind is ast.Dict and node.keys:
            node = node.keys[0] if node.keys[0] is not None else node.values[0]
        else:
            return node
