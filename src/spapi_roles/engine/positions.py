"""Line and column of the few libcst nodes that are reported, without libcst's PositionProvider.

libcst nodes carry no positions; computing them for a whole module costs more than parsing it.
The collector lists expression names, attributes and string literals in source order; the
standard ``ast`` tree of the same source lists the same tokens with positions. The k-th libcst
name is the k-th ``ast.Name`` (sorted by position), the k-th attribute the k-th ``ast.Attribute``
(sorted by the end of its attribute token), the k-th string the k-th string constant. Each
lookup is checked (same identifier / attribute / value); if anything disagrees (a Python whose
``ast`` cannot parse the file, odd f-string positions) the module falls back to PositionProvider.
``ast`` columns are UTF-8 byte offsets; they are converted to characters.
"""

from __future__ import annotations

import ast
import unicodedata
from typing import Dict, List, Optional, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .syntax import ModuleInfo, string_value

Position = Tuple[int, int]


class Positions:
    """Positions of reported nodes of one module (built on first use)."""

    def __init__(self, info: ModuleInfo):
        self.info = info
        self._index: Optional[Dict[int, Tuple[str, int]]] = None
        self._ast: Optional[Dict[str, list]] = None
        self._fallback: Optional[Dict[cst.CSTNode, object]] = None
        self._lines: Optional[List[str]] = None

    @property
    def used_provider(self) -> bool:
        """Whether libcst's PositionProvider had to be computed (the slow path)."""
        return self._fallback is not None

    def of(self, node: cst.CSTNode) -> Optional[Position]:
        """(line, column) of the token a node is reported at (attribute name, string, name);
        None if the node is not part of this module."""
        anchor = _anchor(node)
        if self._fallback is None:
            found = self._from_ast(anchor)
            if found is not None:
                return found
            self._fallback = self._provider()
        position = self._fallback.get(anchor) or self._fallback.get(node)
        if position is None:
            return None
        if isinstance(anchor, cst.Attribute):
            position = self._fallback.get(anchor.attr, position)
        return (position.start.line, position.start.column)

    # ------------------------------------------------------------------ ast mapping
    def _from_ast(self, anchor: cst.CSTNode) -> Optional[Position]:
        if self._index is None:
            index: Dict[int, Tuple[str, int]] = {}
            for category, nodes in (
                ("name", self.info.names),
                ("attr", self.info.attributes),
                ("str", self.info.strings),
                ("fstr", self.info.fstrings),
            ):
                for i, item in enumerate(nodes):
                    index[id(item)] = (category, i)
            self._index = index
        entry = self._index.get(id(anchor))
        if entry is None:
            return None
        tables = self._ast_tables()
        if tables is None:
            return None
        category, i = entry
        table = tables[category]
        if len(table) != len(getattr(self.info, _LISTS[category])) or i >= len(table):
            return None
        found = table[i]
        if category == "name":
            if found.id != anchor.value and found.id != unicodedata.normalize("NFKC", anchor.value):
                return None
            return self._column(found.lineno, found.col_offset)
        if category == "attr":
            if found.attr != anchor.attr.value:
                return None
            return self._column(
                found.end_lineno, found.end_col_offset - len(found.attr.encode("utf-8"))
            )
        if category == "str" and found.value != string_value(anchor):
            return None
        return self._column(found.lineno, found.col_offset)

    def _ast_tables(self) -> Optional[Dict[str, list]]:
        if self._ast is None:
            self._ast = self.info.position_tables
        if self._ast is None:
            tree = self.info.standard_tree
            self.info.standard_tree = None  # the tables below are all that is needed of it
            if tree is None:
                self._ast = self.info.position_tables = {}
                return None
            names, attrs, strings, fstrings = [], [], [], []
            stack: List[Tuple[ast.AST, bool]] = [(tree, False)]
            fields = _AST_FIELDS
            while stack:
                node, in_fstring = stack.pop()
                kind = type(node)
                if kind is ast.Name:
                    names.append(node)
                    continue
                if kind is ast.Constant:
                    if not in_fstring and type(node.value) is str:
                        strings.append(node)
                    continue
                if kind is ast.Attribute:
                    attrs.append(node)
                elif kind is ast.JoinedStr:
                    if not in_fstring:
                        fstrings.append(node)
                    in_fstring = True
                names_of = fields.get(kind)
                if names_of is None:
                    names_of = fields[kind] = kind._fields
                for field in names_of:
                    child = getattr(node, field, None)
                    if type(child) is list:
                        for item in child:
                            if isinstance(item, ast.AST):
                                stack.append((item, in_fstring))
                    elif isinstance(child, ast.AST):
                        stack.append((child, in_fstring))
            names.sort(key=_start)
            attrs.sort(key=_end)
            strings.sort(key=_start)
            fstrings.sort(key=_start)
            self._ast = self.info.position_tables = {
                "name": names,
                "attr": attrs,
                "str": strings,
                "fstr": fstrings,
            }
        return self._ast or None

    def _column(self, line: int, byte_column: int) -> Position:
        if self._lines is None:
            self._lines = self.info.source.splitlines()
        text = self._lines[line - 1] if 0 < line <= len(self._lines) else ""
        if text.isascii():
            return (line, byte_column)
        return (line, len(text.encode("utf-8")[:byte_column].decode("utf-8", "replace")))

    # ------------------------------------------------------------------ fallback
    def _provider(self) -> Dict[cst.CSTNode, object]:
        wrapper = MetadataWrapper(self.info.tree, unsafe_skip_copy=True)
        return dict(wrapper.resolve(PositionProvider))


_AST_FIELDS: Dict[type, Tuple[str, ...]] = {}
_LISTS = {"name": "names", "attr": "attributes", "str": "strings", "fstr": "fstrings"}


def _start(node: ast.AST) -> Tuple[int, int, int, int]:
    return (node.lineno, node.col_offset, -node.end_lineno, -node.end_col_offset)


def _end(node: ast.AST) -> Tuple[int, int]:
    return (node.end_lineno, node.end_col_offset)


def _anchor(node: cst.CSTNode) -> cst.CSTNode:
    """The token a node is reported at: itself if a name, attribute or string, else the first."""
    while True:
        if isinstance(
            node,
            (
                cst.Name,
                cst.Attribute,
                cst.SimpleString,
                cst.ConcatenatedString,
                cst.FormattedString,
            ),
        ):
            return node
        if isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Subscript):
            node = node.value
        elif isinstance(node, (cst.BinaryOperation, cst.BooleanOperation, cst.Comparison)):
            node = node.left
        elif isinstance(node, cst.IfExp):
            node = node.body
        elif isinstance(node, (cst.List, cst.Tuple, cst.Set)) and node.elements:
            node = node.elements[0].value
        elif isinstance(node, cst.Dict) and node.elements:
            element = node.elements[0]
            node = element.key if isinstance(element, cst.DictElement) else element.value
        elif isinstance(node, (cst.Await, cst.UnaryOperation)):
            node = node.expression
        elif isinstance(node, cst.StarredElement):
            node = node.value
        else:
            return node
