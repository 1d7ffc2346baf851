"""Small readings of ``ast`` nodes: string literals, call arguments as written, dotted names."""

from __future__ import annotations

import ast
from typing import Any, Dict, List, Optional, Tuple

from .model import Binding

HTTP_VERBS = frozenset(("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"))

# A node the hot loops dispatch on with ``kind = type(node)`` and then ``kind is ast.Name``, ...:
# one call of ``type()`` per node and identity tests after it, the fastest dispatch CPython has.
# mypy narrows a node's type after ``isinstance(node, C)`` or an inline ``type(node) is C``, never
# through ``kind``: a node read after such a test is typed ``Dispatched`` (``Any``), the engine's
# one leniency (see pyproject.toml's [tool.mypy]).
Dispatched = Any


def string_value(node: Optional[ast.AST]) -> Optional[str]:
    """The value of a plain (non-f, non-bytes) string literal node, else None."""
    if type(node) is ast.Constant and type(node.value) is str:
        return node.value
    return None


def subscript_elements(node: ast.Subscript) -> List[ast.expr]:
    """The index expressions of ``a[...]`` as written: ``a[x, y]`` has two, ``a[(x, y)]`` one."""
    index = node.slice
    if (
        type(index) is ast.Tuple
        and index.elts
        and (index.lineno, index.col_offset) == (index.elts[0].lineno, index.elts[0].col_offset)
    ):
        return index.elts  # not parenthesized: the tuple starts where its first element does
    return [index]


class Argument:
    """One argument of a call as written: ``keyword`` name, ``star`` ("", "*" or "**"), value."""

    __slots__ = ("keyword", "star", "value")

    def __init__(self, keyword: Optional[str], star: str, value: ast.expr):
        self.keyword = keyword
        self.star = star
        self.value = value


def arguments(call: ast.Call) -> List[Argument]:
    """The arguments of ``call`` in source order (``ast`` keeps keywords apart)."""
    found = [
        Argument(None, "*", arg.value) if type(arg) is ast.Starred else Argument(None, "", arg)
        for arg in call.args
    ]
    if not call.keywords:
        return found
    keywords = [
        Argument(k.arg, "", k.value) if k.arg is not None else Argument(None, "**", k.value)
        for k in call.keywords
    ]
    if not any(a.star == "*" for a in found):
        return found + keywords
    # f(k=1, *rest): a star may follow a keyword
    starts = [(n.lineno, n.col_offset) for n in call.args + call.keywords]
    pairs = sorted(zip(starts, range(len(starts)), found + keywords))
    return [argument for _, _, argument in pairs]


def dotted(node: Optional[ast.AST]) -> Optional[str]:
    """'a.b.c' for a Name / Attribute chain (also a decorator call's function), else None."""
    if type(node) is ast.Call:
        node = node.func
    parts = []
    while type(node) is ast.Attribute:
        parts.append(node.attr)
        node = node.value
    if type(node) is ast.Name:
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def argument_for(call: ast.Call, param: Binding, shift: int) -> Optional[ast.expr]:
    """The argument expression a call passes for ``param`` (positional or keyword), if visible."""
    position = 0
    for arg in arguments(call):
        if arg.keyword is not None:
            if arg.keyword == param.name:
                return arg.value
            continue
        if arg.star:
            return None
        if param.index >= 0 and position == param.index - shift:
            return arg.value
        position += 1
    return None


def call_arguments(
    call: ast.Call,
) -> Tuple[List[ast.expr], Dict[str, ast.expr], List[ast.expr]]:
    """(positional args up to any ``*args``, keyword args, ``**`` args) of a call."""
    positional: List[ast.expr] = []
    keywords: Dict[str, ast.expr] = {}
    star_kwargs: List[ast.expr] = []
    open_positions = True
    for arg in arguments(call):
        if arg.keyword is not None:
            keywords[arg.keyword] = arg.value
        elif arg.star == "**":
            star_kwargs.append(arg.value)
        elif arg.star == "*":
            open_positions = False
        elif open_positions:
            positional.append(arg.value)
    return positional, keywords, star_kwargs
