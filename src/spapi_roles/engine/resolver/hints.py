"""Annotations: what a value annotated ``X``, ``Optional[X]``, ``"X"`` or ``X | Y`` may be."""

from __future__ import annotations

import ast
from typing import Dict, List, Optional

from ..clients import Clients
from ..model import Scope, anywhere
from ..nodes import Dispatched, subscript_elements
from ..project_index import ProjectIndex
from ..values import UNKNOWN, ClientObj, Entity, Opaque, ProjectClass, ProjectObj, QName, Str
from .base import Evaluation, Values, union

_TYPING = ("typing.", "typing_extensions.")


class Hints(Evaluation):
    """Annotations."""

    def __init__(self, clients: Clients, index: Optional[ProjectIndex]):
        super().__init__(clients, index)
        self._annotations: Dict[str, Optional[ast.expr]] = {}  # kept: the memo keys on node ids

    def instance_of(self, annotation: Dispatched, scope: Scope, depth: int) -> Values:
        """What a value annotated with ``annotation`` may be."""
        if annotation is None:
            return (UNKNOWN,)
        kind = type(annotation)
        if kind is ast.Constant and type(annotation.value) is str:
            parsed = self.annotation(annotation.value)
            return self.instance_of(parsed, scope, depth) if parsed is not None else (UNKNOWN,)
        if kind is ast.BinOp and type(annotation.op) is ast.BitOr:
            return union(
                (
                    self.instance_of(annotation.left, scope, depth),
                    self.instance_of(annotation.right, scope, depth),
                )
            )
        if kind is ast.Subscript:
            generic = [
                v
                for v in self.eval(annotation.value, anywhere(scope), depth, 0)
                if isinstance(v, QName)
            ]
            name = generic[0].name if generic else ""
            if name.startswith(_TYPING):
                short = name.rpartition(".")[2]
                elements = [
                    e for e in subscript_elements(annotation) if type(e) is not ast.Slice
                ]
                if short == "Literal":
                    return union(self.eval(e, anywhere(scope), depth, 0) for e in elements)
                if short in ("Optional", "Union", "Annotated", "Final", "ClassVar"):
                    chosen = (
                        elements[:1] if short in ("Annotated", "Final", "ClassVar") else elements
                    )
                    return union(self.instance_of(e, scope, depth) for e in chosen)
            return (Opaque("generic"),)
        groups: List[Values] = []
        for value in self.eval(annotation, anywhere(scope), depth, 0):
            if isinstance(value, Entity):
                if value.kind == "dispatch":
                    spec = self.clients.dispatch[value.target]
                    groups.append(
                        (
                            ClientObj(
                                tuple(spec["versions"][v] for v in sorted(spec["versions"])),
                                value.target,
                                tuple(sorted(spec["versions"])),
                            ),
                        )
                    )
                else:
                    instance = self.instantiate(value, None, None, depth)
                    groups.append((instance,) if instance is not None else (Opaque(value.target),))
            elif isinstance(value, ProjectClass):
                groups.append((ProjectObj(value.info),))
            elif isinstance(value, QName):
                groups.append((Opaque(value.name),))
            elif isinstance(value, Str):
                parsed = self.annotation(value.value)
                groups.append(
                    self.instance_of(parsed, scope, depth) if parsed is not None else (UNKNOWN,)
                )
            else:
                groups.append((UNKNOWN,))
        return union(groups)

    def annotation(self, text: str) -> Optional[ast.expr]:
        """The expression a string annotation holds (parsed once per run), None if not one."""
        if text not in self._annotations:
            try:
                parsed: Optional[ast.expr] = ast.parse(text, mode="eval").body if text else None
            except (SyntaxError, RecursionError, MemoryError, ValueError):
                parsed = None
            self._annotations[text] = parsed
        return self._annotations[text]
