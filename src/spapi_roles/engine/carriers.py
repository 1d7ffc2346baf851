"""Report / feed / notification types at the arguments that carry them.

A carrier spec (``clients.json`` ``carriers``) names the positions and keywords that carry the
type directly and those that carry a request body (dict literal, model constructor, a local
bound to one, ``**kwargs``) in which given keys carry it. Each argument is split into *leaves*
(list elements, both branches of a conditional); each leaf is evaluated and every string or enum
member that names a type of the expected kind is a use, reported at the literal / member written
in the leaf or else at the leaf itself. When nothing resolves, the first leaf that is not a
body is reported as an unresolved type (opt-in evidence).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple, Union

from .. import knowledge
from ..uses import TypeKind
from .model import Point
from .clients import Json
from .nodes import Dispatched, call_arguments, string_value
from .resolver import Resolver
from .values import UNKNOWN, Container, EnumMember, ProjectFunc, Str, Value, Written

_TYPE_LIKE = re.compile(r"_?[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+_?")
_BODIES = (ast.Dict, ast.Call, ast.Name, ast.IfExp)  # what a local bound to a body may hold


@dataclass(frozen=True)
class TypeHit:
    kind: TypeKind
    name: str  # canonical type name, or "" when unresolved
    site: ast.AST
    origins: Tuple[Written, ...] = ()  # where the type name is written, when not at ``site``


Leaf = Tuple[ast.expr, Point]


def split(expr: ast.expr) -> List[ast.expr]:
    """Leaves of an argument: elements of list/tuple/set literals, branches of conditionals."""
    leaves: List[ast.expr] = []
    stack: List[Dispatched] = [expr]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is ast.IfExp:
            stack.extend((node.orelse, node.body))
        elif kind is ast.BoolOp:
            stack.extend(reversed(node.values))
        elif kind is ast.List or kind is ast.Tuple or kind is ast.Set:
            stack.extend(e for e in reversed(node.elts) if type(e) is not ast.Starred)
        else:
            leaves.append(node)
    return leaves


class CarrierReader:
    """Finds the types a call passes (see module docstring)."""

    def __init__(self, resolver: Resolver, kb: knowledge.KnowledgeBase):
        self.resolver = resolver
        self.kb = kb

    def types(
        self,
        call: ast.Call,
        point: Point,
        spec: Json,
        kind: TypeKind,
        shift: int = 0,
    ) -> Tuple[List[TypeHit], List[TypeHit]]:
        """(types found, unresolved placeholders) for one call and carrier spec."""
        positional, keywords, star_kwargs = call_arguments(call)
        direct: List[ast.expr] = []
        for item in spec.get("args", ()):
            expr = self._argument(item, positional, keywords, shift)
            if expr is not None:
                direct.append(expr)
        keys = tuple(spec.get("keys", ()))
        leaves: List[Leaf] = [(leaf, point) for expr in direct for leaf in split(expr)]
        for item in spec.get("bodies", ()):
            expr = self._argument(item, positional, keywords, shift)
            if expr is not None:
                leaves.extend(self.body_leaves(expr, keys, point, 0))
        body_keys = keys + tuple(item for item in spec.get("args", ()) if isinstance(item, str))
        for expr in star_kwargs:
            leaves.extend(self.body_leaves(expr, body_keys, point, 0))
        return self.read(leaves, kind)

    def read(self, leaves: Sequence[Leaf], kind: TypeKind) -> Tuple[List[TypeHit], List[TypeHit]]:
        hits: List[TypeHit] = []
        unresolved: List[TypeHit] = []
        partly: List[TypeHit] = []  # leaves that resolve to types and to something unknown
        for leaf, point in leaves:
            values = self.resolver.eval(leaf, point)
            found = False
            for value in self.resolver.scalars(values, 0, leaf):
                for name in self.type_names(value, kind):
                    hits.append(TypeHit(kind, name, value.site or leaf, value.origins))
                    found = True
            if found:
                if UNKNOWN in values and not partly:
                    partly.append(TypeHit(kind, "", leaf))
            elif not unresolved and not any(isinstance(v, Container) for v in values):
                unresolved.append(TypeHit(kind, "", leaf))
        return hits, (partly if hits else unresolved)

    def type_names(self, value: Value, kind: TypeKind) -> List[str]:
        """Canonical type names a string or enum member holds ("A,B" filters hold several).

        A name the knowledge base does not know is kept if it looks like a type name (checks
        then report it as unknown); anything else is no type.
        """
        if isinstance(value, EnumMember) or (isinstance(value, Str) and not value.holes):
            found = []
            for text in value.value.split(","):
                text = text.strip()
                info = self.kb.type_named(text, kind)
                if info is not None:
                    found.append(info.name)
                elif _TYPE_LIKE.fullmatch(text):
                    found.append(text.strip("_"))
            return found
        return []

    def body_leaves(
        self,
        expr: Dispatched,
        keys: Sequence[str],
        point: Point,
        depth: int,
    ) -> List[Leaf]:
        """Leaves under ``keys`` of a request body: dict literal, model call, local bound to one."""
        if depth > 6:
            return []
        out: List[Leaf] = []
        kind = type(expr)
        if kind is ast.Dict:
            for key, value in zip(expr.keys, expr.values):
                if key is not None:
                    if string_value(key) in keys:
                        out.extend((leaf, point) for leaf in split(value))
                else:
                    out.extend(self.body_leaves(value, keys, point, depth + 1))
        elif kind is ast.Call:
            functions = [
                v for v in self.resolver.eval(expr.func, point, 0, 0)
                if isinstance(v, ProjectFunc)
            ]
            if functions:  # a project function builds the body: what it returns
                for function in functions:
                    for returned, where in function.scope.returns:
                        out.extend(self.body_leaves(returned, keys, where, depth + 1))
                return out
            positional, keywords, star_kwargs = call_arguments(expr)
            for key in keys:
                if key in keywords:
                    out.extend((leaf, point) for leaf in split(keywords[key]))
            for inner in positional + star_kwargs:
                if type(inner) is ast.Dict or type(inner) is ast.Name:
                    out.extend(self.body_leaves(inner, keys, point, depth + 1))
        elif kind is ast.IfExp:
            out.extend(self.body_leaves(expr.body, keys, point, depth + 1))
            out.extend(self.body_leaves(expr.orelse, keys, point, depth + 1))
        elif kind is ast.Name:
            bindings, _ = self.resolver.bindings_of(expr.id, point)
            followed = False
            for binding in bindings:
                value = binding.value
                if binding.kind == "assign" and value is not None and type(value) in _BODIES:
                    followed = True
                    out.extend(self.body_leaves(value, keys, binding.point(), depth + 1))
            if not followed:
                out.append((expr, point))
        else:
            out.append((expr, point))
        return out

    @staticmethod
    def _argument(
        item: Union[int, str], positional: List[ast.expr], keywords: Dict[str, ast.expr], shift: int
    ) -> Optional[ast.expr]:
        if isinstance(item, int):
            index = item + shift
            return positional[index] if 0 <= index < len(positional) else None
        return keywords.get(item)
