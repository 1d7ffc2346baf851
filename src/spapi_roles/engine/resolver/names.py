"""Names: Python's scoping, what a binding holds, imports, parameters and their call sites.

Class bodies are skipped from methods; inside one scope the latest binding before the use wins
unless it is in a branch the use is not in. Imports are qualified names, looked up first in the
client tables, then in the project index (lazily parsed modules), else kept as external
``QName``s. Parameters take their annotation, their default and, one call frame up, the
arguments at the project's call sites.
"""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Tuple

from ..clients import Clients
from ..model import CLASS, MODULE, Binding, CallRecord, ModuleInfo, Point, Scope, anywhere
from ..nodes import argument_for, arguments
from ..project_index import ProjectIndex
from ..values import (
    UNKNOWN,
    Entity,
    Opaque,
    ProjectClass,
    ProjectFunc,
    ProjectModule,
    ProjectObj,
    QName,
)
from .base import Evaluation, Values, union


def select_bindings(bindings: List[Binding], point: Point) -> List[Binding]:
    """Bindings that may reach a use at ``point``: the latest that surely runs, and those after."""
    at = point.order
    if at is None:
        return bindings
    blocks = point.blocks
    before = [b for b in bindings if b.order < at]
    if not before:
        return bindings
    chosen = []
    for binding in reversed(before):
        chosen.append(binding)
        if blocks[: len(binding.blocks)] == binding.blocks:
            break
    return chosen


class Names(Evaluation):
    """Names, bindings, imports and parameters."""

    def __init__(self, clients: Clients, index: Optional[ProjectIndex]):
        super().__init__(clients, index)
        self._qnames: Dict[str, Values] = {}
        self._callers: Dict[int, List[Tuple[CallRecord, bool]]] = {}

    def lookup(
        self,
        name: str,
        point: Point,
        depth: int,
        callsites: bool = True,
    ) -> Values:
        chosen, module_scope = self.bindings_of(name, point)
        if chosen:
            return union(self.binding(b, depth, callsites) for b in chosen)
        if module_scope is not None:
            return self._module_fallback(module_scope, name, depth)
        return (UNKNOWN,)

    def bindings_of(
        self, name: str, point: Point
    ) -> Tuple[List[Binding], Optional[Scope]]:
        """The bindings a use of ``name`` may see, or ([], module scope) when it is not bound."""
        current: Optional[Scope] = point.scope
        first = True
        while current is not None:
            if current.kind == CLASS and not first:
                current = current.parent
                continue
            if name in current.globals and current.kind != MODULE:
                current = current.module.scope
                first = False
            bindings = current.bindings.get(name)
            if bindings:
                return (select_bindings(bindings, point) if first else bindings), None
            if current.kind == MODULE:
                return [], current
            first = False
            current = current.parent
        return [], None

    def _module_fallback(self, module_scope: Scope, name: str, depth: int) -> Values:
        """Star imports, then builtins."""
        for star in module_scope.bindings.get("*", ()):
            values = self.qualified(f"{star.target}.{name}", depth)
            if any(not isinstance(v, QName) for v in values):
                return values
        return (QName(f"builtins.{name}"),)

    def binding(self, binding: Binding, depth: int, callsites: bool = True) -> Values:
        kind = binding.kind
        point = binding.point()
        if kind == "assign":
            values = self.eval(binding.value, point, depth, callsites)
            if all(v is UNKNOWN or isinstance(v, Opaque) for v in values):
                rewrapped = _rewrapped(binding)
                if rewrapped is not None:  # ``Orders = throttled(Orders)`` keeps what Orders was
                    return self.eval(rewrapped, point, depth, callsites)
            if binding.annotation is not None and all(v is UNKNOWN for v in values):
                return self.instance_of(binding.annotation, binding.scope, depth)
            return values
        if kind == "annotation":
            return self.instance_of(binding.annotation, binding.scope, depth)
        if kind == "with":
            return self.eval(binding.value, point, depth, callsites)
        if kind == "for":
            if binding.value is None:
                return (UNKNOWN,)
            return self.elements(
                self.eval(binding.value, point, depth, callsites), depth
            )
        if kind == "param":
            return self.parameter(binding, depth, callsites)
        if kind == "import":
            return self.qualified(binding.target, depth)
        if kind == "def":
            return (ProjectFunc(binding.target),)
        if kind == "class":
            return (ProjectClass(binding.target),)
        return (UNKNOWN,)

    def parameter(self, binding: Binding, depth: int, callsites: bool) -> Values:
        function = binding.scope
        cls = function.method_of
        if cls is not None and binding.index == 0 and function.self_name == binding.name:
            return (ProjectClass(cls),) if function.classmethod else (ProjectObj(cls),)
        outer = function.parent or function
        groups: List[Values] = []
        if binding.annotation is not None:
            groups.append(self.instance_of(binding.annotation, outer, depth))
        if binding.value is not None:
            groups.append(self.eval(binding.value, anywhere(outer), depth, False))
        if callsites and function.kind != "lambda":
            groups.extend(self.argument_values(function, binding, depth))
        values = union(groups)
        known = tuple(v for v in values if v is not UNKNOWN)
        return known or (UNKNOWN,)

    def argument_values(self, function: Scope, param: Binding, depth: int) -> List[Values]:
        """Values of ``param`` at the project's call sites of ``function`` (one frame up)."""
        groups = []
        for record, bound in self.callers(function):
            arg = argument_for(record.node, param, 1 if bound else 0)
            if arg is not None:
                groups.append(
                    self.eval(arg, record.point, depth, False)
                )
        return groups

    def callers(self, function: Scope) -> List[Tuple[CallRecord, bool]]:
        """Calls in the project that call ``function`` (and whether ``self`` is implicit).

        A class's ``__init__`` is called by instantiating the class (or a subclass).
        """
        cached = self._callers.get(id(function))
        if cached is not None:
            return cached
        self._callers[id(function)] = []
        cls = function.method_of if function.name == "__init__" else None
        called = cls.name if cls is not None else function.name
        modules: Dict[int, ModuleInfo] = {id(function.module): function.module}
        if self.index is not None:
            for info in self.index.candidate_modules(called, function.module.path):
                modules.setdefault(id(info), info)
        found = []
        for info in modules.values():
            records = info.calls_named(called)
            for alias in info.import_aliases.get(called, ()):  # ``from m import f as g; g(...)``
                records = records + info.calls_named(alias)
            for record in records:
                for value in self.eval(
                    record.node.func, record.point, 0, False
                ):
                    if isinstance(value, ProjectFunc) and value.scope is function:
                        found.append((record, value.self_value is not None))
                        break
                    if isinstance(value, ProjectClass) and cls in self.mro(value.info)[0]:
                        found.append((record, True))
                        break
        self._callers[id(function)] = found
        return found

    def qualified(self, name: str, depth: int = 0) -> Values:
        cached = self._qnames.get(name)
        if cached is not None:
            return cached
        self._qnames[name] = (UNKNOWN,)
        result = self._qualified(name, depth)
        self._qnames[name] = result
        return result

    def _qualified(self, name: str, depth: int) -> Values:
        entity = self.clients.lookup(name)
        if entity is not None:
            return (Entity(*entity),)
        if self.index is not None:
            parts = name.split(".")
            for i in range(len(parts), 0, -1):
                module = ".".join(parts[:i])
                if not self.index.is_module(module):
                    continue
                values: Values = (ProjectModule(module),)
                for attr in parts[i:]:
                    values = union(self.attribute(v, attr, None, depth) for v in values)
                return values
        return (QName(name),)

    def module_attribute(self, module: str, attr: str, depth: int) -> Values:
        info = self.index.module_info(module) if self.index is not None else None
        if info is not None:
            bindings = info.scope.bindings.get(attr)
            if bindings:
                return union(self.binding(b, depth) for b in bindings)
            if self.index.is_module(f"{module}.{attr}"):
                return (ProjectModule(f"{module}.{attr}"),)
            stars = info.scope.bindings.get("*")
            if stars:
                return self._module_fallback(info.scope, attr, depth)
            return (UNKNOWN,)
        if self.index is not None and self.index.is_module(f"{module}.{attr}"):
            return (ProjectModule(f"{module}.{attr}"),)
        return (UNKNOWN,)


def _rewrapped(binding: Binding) -> Optional[ast.Name]:
    """The ``X`` of ``X = unknown_wrapper(X, ...)``, else None."""
    value = binding.value
    if type(value) is ast.Call:
        args = arguments(value)
        if args and args[0].keyword is None and not args[0].star:
            first = args[0].value
            if type(first) is ast.Name and first.id == binding.name:
                return first
    return None
