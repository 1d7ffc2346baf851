"""What the parts of the resolver share: the run's tables, the memoised ``eval``, and the methods
one part asks of another (each part implements its own; ``Resolver`` combines them)."""

from __future__ import annotations

import ast
from abc import ABC, abstractmethod
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from ..clients import Clients
from ..model import Binding, ClassInfo, Point, Scope
from ..nodes import Dispatched
from ..project_index import ProjectIndex
from ..values import UNKNOWN, ClientObj, Entity, EnumMember, Scalar, Str, Value, Written

Values = Tuple[Value, ...]
MAX_DEPTH = 30
# How many frames of project call sites a parameter's value is followed up (a client or a type
# handed through this many project functions is still seen); each frame up costs a search of
# the modules that may call the function, so the bound keeps a file's analysis local.
CALL_FRAMES = 4
MAX_VALUES = 48
# The longest string folding may build (concatenations, f-strings): an SP-API path or type name is
# short, and a longer result is unresolved, so that self-doubling assignments cost nothing.
MAX_STRING_CHARS = 4096
COMPREHENSIONS = (ast.DictComp, ast.ListComp, ast.SetComp, ast.GeneratorExp)
MemoKey = Tuple[int, Point, int]  # id of the node, where, call frames still followed


def union(groups: Iterable[Iterable[Value]]) -> Values:
    seen: Dict[Value, None] = {}
    for group in groups:
        for value in group:
            seen.setdefault(value, None)
            if len(seen) >= MAX_VALUES:
                return tuple(seen)
    return tuple(seen) or (UNKNOWN,)


def folded(
    parts: Iterable[str], site: ast.AST, holes: bool, origins: Tuple[Written, ...] = ()
) -> Value:
    """The string ``parts`` fold to, or UNKNOWN when longer than ``MAX_STRING_CHARS``."""
    parts = tuple(parts)
    if sum(map(len, parts)) > MAX_STRING_CHARS:
        return UNKNOWN
    return Str("".join(parts), site, holes, origins)


def resite(values: Values, node: ast.AST) -> Values:
    return tuple(v.at(node) if isinstance(v, (Str, EnumMember)) else v for v in values)


class Evaluation(ABC):
    """The memoised entry point over the run's tables; the parts' methods that others call."""

    def __init__(self, clients: Clients, index: Optional[ProjectIndex]):
        self.clients = clients
        self.index = index
        self.type_names = clients.kb.type_names  # strings whose literals are origins of types
        self._memo: Dict[MemoKey, Values] = {}
        self._active: Set[MemoKey] = set()

    def eval(
        self,
        node: Optional[ast.AST],
        point: Point,
        depth: int = 0,
        callsites: int = CALL_FRAMES,
    ) -> Values:
        """The values of ``node`` at ``point``; parameters are followed up to ``callsites``
        frames of their project call sites (0: their defaults and annotations only)."""
        if node is None:
            return (UNKNOWN,)
        key = (id(node), point, callsites)
        cached = self._memo.get(key)
        if cached is not None:
            return cached
        if depth > MAX_DEPTH or key in self._active:
            return (UNKNOWN,)
        self._active.add(key)
        try:
            result = self._eval(node, point, depth + 1, callsites)
        finally:
            self._active.discard(key)
        self._memo[key] = result
        return result

    @abstractmethod
    def _eval(self, node: Dispatched, point: Point, depth: int, callsites: int) -> Values:
        """The values of ``node``, not memoised: the dispatch on its kind (``Resolver``)."""

    # ------------------------------------------------------------------ names.py
    @abstractmethod
    def binding(self, binding: Binding, depth: int, callsites: int = CALL_FRAMES) -> Values: ...

    @abstractmethod
    def bindings_of(self, name: str, point: Point) -> Tuple[List[Binding], Optional[Scope]]: ...

    @abstractmethod
    def qualified(self, name: str, depth: int = 0) -> Values: ...

    @abstractmethod
    def module_attribute(self, module: str, attr: str, depth: int) -> Values: ...

    # ------------------------------------------------------------------ objects.py
    @abstractmethod
    def attribute(self, value: Value, attr: str, node: Optional[ast.Attribute], depth: int,
                  callsites: int = CALL_FRAMES) -> Values: ...

    @abstractmethod
    def mro(self, cls: ClassInfo) -> Tuple[List[ClassInfo], List[ClientObj]]: ...

    @abstractmethod
    def instantiate(
        self, entity: Entity, node: Optional[ast.Call], point: Optional[Point], depth: int
    ) -> Optional[Value]: ...

    # ------------------------------------------------------------------ containers.py
    @abstractmethod
    def items(self, container: ast.expr, point: Point, depth: int, callsites: int,
              key: Optional[ast.expr]) -> Values: ...

    @abstractmethod
    def elements(self, values: Values, depth: int) -> Values: ...

    @abstractmethod
    def unpacked(self, values: Values, path: Tuple[int, ...], depth: int) -> Values: ...

    @abstractmethod
    def scalars(
        self, values: Values, depth: int, site: Optional[ast.AST] = None
    ) -> List[Scalar]: ...

    # ------------------------------------------------------------------ strings.py
    @abstractmethod
    def formatted(self, templates: Sequence[Str], node: ast.Call, point: Point, depth: int,
                  callsites: int) -> Values: ...

    @abstractmethod
    def percent(self, node: ast.BinOp, point: Point, depth: int, callsites: int) -> Values: ...

    @abstractmethod
    def url_joined(self, name: str, node: ast.Call, point: Point, depth: int,
                   callsites: int) -> Values: ...

    # ------------------------------------------------------------------ hints.py
    @abstractmethod
    def instance_of(self, annotation: Dispatched, scope: Scope, depth: int) -> Values: ...
