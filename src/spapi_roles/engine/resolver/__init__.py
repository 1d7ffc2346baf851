"""Static evaluation of expressions: names through imports and scopes, receivers, constants.

``Resolver.eval(node, point)`` returns the set of values (see ``values.py``) an expression may
have where it is evaluated (``model.Point``: a scope, a statement order and enclosing blocks).
``Resolver`` dispatches on the kind of expression to its parts: names and scopes
(``names.py``); attributes, calls and classes (``objects.py``); containers and strings
(``containers.py``); formatting and URL joins (``strings.py``); annotations
(``hints.py``). ``base.py`` holds the memo they share.
"""

from __future__ import annotations

import ast

from ..model import Point
from ..nodes import Dispatched
from ..values import UNKNOWN, Container, EnumMember, Opaque, Str, Written
from .base import COMPREHENSIONS, Values, resite, union
from .containers import Containers
from .hints import Hints
from .names import Names
from .objects import Objects
from .strings import Strings

__all__ = ["Resolver", "Values"]

_CONTAINERS = (ast.Dict, ast.List, ast.Tuple, ast.Set)
_OPAQUE = (ast.Lambda, ast.Compare, ast.UnaryOp)


class Resolver(Names, Objects, Containers, Strings, Hints):
    """Evaluates expressions of the modules of one run (memoised)."""

    def _eval(self, node: Dispatched, point: Point, depth: int, callsites: int) -> Values:
        kind = type(node)
        if kind is ast.Name:
            return resite(self.lookup(node.id, point, depth, callsites), node)
        if kind is ast.Attribute:
            base = self.eval(node.value, point, depth, callsites)
            cls = self.own_class(node.value, point) if callsites > 0 else None
            if cls is not None:  # ``self.attr``: the class attributes of the class, its subclasses
                return self.template(cls, node.attr, node, base, depth, callsites)
            values = union(self.attribute(v, node.attr, node, depth, callsites) for v in base)
            if node.attr == "value":
                return values  # EnumMember.value keeps the member's own site
            written: Written = (point.scope.module.path, node)
            return resite(
                tuple(
                    EnumMember(v.kind, v.value, node, (written,))
                    if isinstance(v, EnumMember) and v.site is node and not v.origins
                    else v
                    for v in values
                ),
                node,
            )
        if kind is ast.Constant:
            value = node.value
            if type(value) is str:
                if value in self.type_names:
                    return (Str(value, node, False, ((point.scope.module.path, node),)),)
                return (Str(value, node),)
            if type(value) is bytes:
                return (Str("{}", node, True),)
            if value is None or type(value) in (bool, int, float, complex):
                return (Opaque("constant"),)
            return (UNKNOWN,)  # ``...``
        if kind is ast.JoinedStr:
            return (self.string(node, point, depth, callsites),)
        if kind is ast.Call:
            return self.call(node, point, depth, callsites)
        if kind is ast.Subscript:
            return self.subscript(node, point, depth, callsites)
        if kind in _CONTAINERS:
            return (Container(node, point),)
        if kind in COMPREHENSIONS:
            scope = point.scope
            inner = scope.module.comprehensions.get(id(node), scope)
            return (Container(node, Point(inner, point.order, point.blocks)),)
        if kind is ast.IfExp:
            return union(
                (
                    self.eval(node.body, point, depth, callsites),
                    self.eval(node.orelse, point, depth, callsites),
                )
            )
        if kind is ast.BoolOp:
            return union(self.eval(v, point, depth, callsites) for v in node.values)
        if kind is ast.BinOp:
            return self.binary(node, point, depth, callsites)
        if kind is ast.Await or kind is ast.NamedExpr:
            return self.eval(node.value, point, depth, callsites)
        if kind in _OPAQUE:
            return (Opaque(kind.__name__),)
        return (UNKNOWN,)
