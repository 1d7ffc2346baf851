"""Containers and strings: items of dict / list literals and of ``x[k] = v``, iteration, and
string folding (f-strings, ``+``, ``%``), with unknown parts as ``{}`` holes.

Every scalar result is re-sited to the expression that was evaluated, except literals and enum
members written inside it.
"""

from __future__ import annotations

import ast
import itertools
from typing import List, Optional, Set, Tuple

from ..model import Binding, Point, Scope, anywhere
from ..nodes import Dispatched, string_value, subscript_elements
from ..values import (
    UNKNOWN,
    Container,
    Entity,
    EnumMember,
    Iterable,
    Opaque,
    Packed,
    ProjectObj,
    Scalar,
    Str,
    Value,
)
from .base import (
    CALL_FRAMES,
    COMPREHENSIONS,
    MAX_DEPTH,
    MAX_VALUES,
    Evaluation,
    Values,
    folded,
    union,
)

_SEQUENCES = (ast.List, ast.Tuple, ast.Set)


class Containers(Evaluation):
    """Subscripts, container items, iteration and string folding."""

    def subscript(
        self, node: ast.Subscript, point: Point, depth: int, callsites: int
    ) -> Values:
        key = None
        elements = subscript_elements(node)
        if len(elements) == 1 and type(elements[0]) is not ast.Slice:
            key = elements[0]
        groups: List[Values] = []
        items = self.items(node.value, point, depth, callsites, key)
        if items:
            groups.append(items)
        for value in self.eval(node.value, point, depth, callsites):
            if isinstance(value, Entity) and value.kind == "type_enum" and key is not None:
                kind = self.clients.type_enums[value.target]["kind"]
                groups.append(
                    tuple(
                        EnumMember(kind, s.value, s.site, s.origins)
                        for s in self.scalars(
                            self.eval(key, point, depth, 0), depth
                        )
                        if isinstance(s, Str)
                    )
                )
        if not groups:
            return (UNKNOWN,)
        values = union(groups)
        return tuple(
            (
                v
                if isinstance(v, EnumMember) and v.site is not None and v.site is key
                else (v.at(node) if isinstance(v, (Str, EnumMember)) else v)
            )
            for v in values
        )

    def items(
        self,
        container: ast.expr,
        point: Point,
        depth: int,
        callsites: int,
        key: Optional[ast.expr],
    ) -> Values:
        """Values stored in a dict / list (literal, ``x[k] = v`` assignments, ``self.x[k] = v``)."""
        wanted: Optional[Set[str]] = None
        if key is not None:
            keys = self.scalars(self.eval(key, point, depth, 0), depth)
            strings = {k.value for k in keys if isinstance(k, Str) and not k.holes}
            if strings and len(strings) == len(keys):
                wanted = strings
        groups: List[Values] = []
        for value in self.eval(container, point, depth, callsites):
            if isinstance(value, Container):
                groups.append(self.container_items(value, wanted, depth))
        for binding in self.item_bindings(container, point.scope, depth):
            groups.append(self.binding(binding, depth, callsites))
        return union(groups) if groups else ()

    def item_bindings(self, container: ast.expr, scope: Scope, depth: int) -> List[Binding]:
        if type(container) is ast.Name:
            current: Optional[Scope] = scope
            while current is not None:
                if container.id in current.items:
                    return current.items[container.id]
                if container.id in current.bindings:
                    return []
                current = current.parent
            return []
        if type(container) is ast.Attribute:
            found: List[Binding] = []
            for value in self.eval(container.value, anywhere(scope), depth, 0):
                if isinstance(value, ProjectObj):
                    for klass in self.mro(value.info)[0]:
                        found.extend(klass.items.get(container.attr, ()))
            return found
        return []

    def container_items(
        self, container: Container, wanted: Optional[Set[str]], depth: int
    ) -> Values:
        node: Dispatched = container.node
        point = container.point
        kind = type(node)
        if kind is ast.Dict:
            groups = []
            for key_node, value in zip(node.keys, node.values):
                if key_node is not None:
                    if wanted is not None:
                        key = string_value(key_node)
                        if key is not None and key not in wanted:
                            continue
                    groups.append(self.eval(value, point, depth))
            return union(groups) if groups else (UNKNOWN,)
        if kind in _SEQUENCES:
            return (
                union(
                    self.eval(e, point, depth)
                    for e in node.elts
                    if type(e) is not ast.Starred
                )
                if node.elts
                else (UNKNOWN,)
            )
        if kind is ast.DictComp:
            return self.eval(node.value, anywhere(point.scope), depth)
        if kind in COMPREHENSIONS:
            return self.eval(node.elt, anywhere(point.scope), depth)
        return (UNKNOWN,)

    def elements(self, values: Values, depth: int) -> Values:
        """What iterating over ``values`` yields (a dict: its keys)."""
        groups = []
        for value in values:
            if isinstance(value, Container) and type(value.node) not in (ast.Dict, ast.DictComp):
                groups.append(self.container_items(value, None, depth))
            elif isinstance(value, Container) and type(value.node) is ast.Dict:
                groups.append(self.dict_keys(value, depth))
            elif isinstance(value, Iterable):
                groups.append(value.elements)
            else:
                groups.append((UNKNOWN,))
        return union(groups)

    def dict_keys(self, container: Container, depth: int) -> Values:
        node: Dispatched = container.node  # an ast.Dict
        keys = [k for k in node.keys if k is not None]
        return union(self.eval(k, container.point, depth) for k in keys) if keys else (UNKNOWN,)

    def unpacked(self, values: Values, path: Tuple[int, ...], depth: int) -> Values:
        """The part at ``path`` of each value (``a, (b, c) = ...``): tuple / list literals and
        ``Packed`` elements of ``items()``, ``enumerate``, ``zip``; anything else is unknown."""
        for index in path:
            groups: List[Values] = []
            for value in values:
                literal: Dispatched = value.node if isinstance(value, Container) else None
                if (
                    isinstance(value, Container)
                    and type(literal) in (ast.Tuple, ast.List)
                    and index < len(literal.elts)
                    and not any(type(e) is ast.Starred for e in literal.elts[: index + 1])
                ):
                    groups.append(self.eval(literal.elts[index], value.point, depth))
                elif isinstance(value, Packed) and index < len(value.parts):
                    groups.append(value.parts[index])
                else:
                    groups.append((UNKNOWN,))
            values = union(groups)
        return values

    def scalars(
        self, values: Values, depth: int, site: Optional[ast.AST] = None
    ) -> List[Scalar]:
        """Strings and enum members among ``values``, list/tuple/set literals flattened.

        Elements of a container written elsewhere are re-sited to ``site`` (the expression that
        referred to it), so that what is reported lies in the analysed module. Nesting is
        followed to ``MAX_DEPTH`` (a tuple that holds itself, ``t = (a, t)``, would never end).
        """
        out: List[Scalar] = []
        for value in values:
            if isinstance(value, (Str, EnumMember)):
                out.append(value)
            elif (
                isinstance(value, Container)
                and type(value.node) in _SEQUENCES
                and depth < MAX_DEPTH
            ):
                items = self.scalars(self.container_items(value, None, depth), depth + 1)
                (
                    out.extend(item.at(site) for item in items)
                    if site is not None
                    else out.extend(items)
                )
        return out

    def string(
        self, node: Dispatched, point: Point, depth: int, callsites: int = CALL_FRAMES
    ) -> Value:
        """An f-string (``ast.JoinedStr``): parts that fold to one string are filled in, others
        are holes ``{}``."""
        parts: List[str] = []
        holes = False
        for part in node.values:
            kind = type(part)
            if kind is ast.Constant:
                parts.append(part.value)
                continue
            strings = {
                s.value
                for s in self.scalars(self.eval(part.value, point, depth, callsites), depth)
                if isinstance(s, Str) and not s.holes
            }
            if len(strings) == 1 and part.format_spec is None:
                parts.append(strings.pop())
            else:
                parts.append("{}")
                holes = True
        return folded(parts, node, holes)

    def binary(
        self, node: ast.BinOp, point: Point, depth: int, callsites: int
    ) -> Values:
        left = self.eval(node.left, point, depth, callsites)
        operator = type(node.op)
        if operator is ast.BitOr:
            return union((left, self.eval(node.right, point, depth, callsites)))
        if operator is ast.Mod:
            return self.percent(node, point, depth, callsites)
        if operator is not ast.Add:
            return (Opaque("arithmetic"),)
        right = self.eval(node.right, point, depth, callsites)
        lefts = [v for v in left if isinstance(v, Str)]
        rights = [v for v in right if isinstance(v, Str)]
        if not lefts and not rights:
            return (UNKNOWN,)
        lefts = lefts or [Str("{}", None, True)]
        rights = rights or [Str("{}", None, True)]
        pairs = itertools.islice(((a, b) for a in lefts for b in rights), MAX_VALUES)
        return union([[folded((a.value, b.value), node, a.holes or b.holes) for a, b in pairs]])
