"""Names: Python's scoping, what a binding holds, imports, parameters and their call sites.

Class bodies are skipped from methods; inside one scope the latest binding before the use wins
unless it is in a branch the use is not in. Imports are qualified names, looked up first in the
client tables, then in the project index (lazily parsed modules), else kept as external
``QName``s. Parameters take their annotation, their default and, one call frame up, the
arguments at the project's call sites.
"""

from __future__ import annotations

import ast
from typing import Dict, List, NamedTuple, Optional, Tuple

from ..clients import Clients
from ..model import (
    CLASS,
    MODULE,
    Binding,
    CallRecord,
    ClassInfo,
    ModuleInfo,
    Point,
    Scope,
    anywhere,
)
from ..nodes import Dispatched, argument_for, arguments
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
from .base import CALL_FRAMES, Evaluation, Values, union


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
        self._callers: Dict[int, List["CallSite"]] = {}

    def lookup(
        self,
        name: str,
        point: Point,
        depth: int,
        callsites: int = CALL_FRAMES,
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

    def binding(self, binding: Binding, depth: int, callsites: int = CALL_FRAMES) -> Values:
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
        if kind == "unpack" or kind == "unpack-for":
            values = self.eval(binding.value, point, depth, callsites)
            if kind == "unpack-for":
                values = self.elements(values, depth)
            path = binding.target if isinstance(binding.target, tuple) else ()
            return self.unpacked(values, path, depth)
        if kind == "param":
            return self.parameter(binding, depth, callsites)
        target = binding.target
        if kind == "import" and isinstance(target, str):
            return self.qualified(target, depth)
        if kind == "def" and isinstance(target, Scope):
            return (ProjectFunc(target),)
        if kind == "class" and isinstance(target, ClassInfo):
            return (ProjectClass(target),)
        return (UNKNOWN,)

    def parameter(self, binding: Binding, depth: int, callsites: int) -> Values:
        function = binding.scope
        cls = function.method_of
        if cls is not None and binding.index == 0 and function.self_name == binding.name:
            return (ProjectClass(cls),) if function.classmethod else (ProjectObj(cls),)
        outer = function.parent or function
        groups: List[Values] = []
        if binding.annotation is not None:
            groups.append(self.instance_of(binding.annotation, outer, depth))
        if binding.value is not None:
            groups.append(self.eval(binding.value, anywhere(outer), depth, 0))
        passed: List[Values] = []
        if callsites > 0 and function.kind != "lambda":
            passed = self.argument_values(function, binding, depth, callsites - 1)
        values = union(groups + passed)
        known = tuple(v for v in values if v is not UNKNOWN)
        if known and any(UNKNOWN in group for group in passed):
            return known + (UNKNOWN,)  # a call site passes something unknown: it stays visible
        return known or (UNKNOWN,)

    def argument_values(
        self, function: Scope, param: Binding, depth: int, callsites: int
    ) -> List[Values]:
        """Values of ``param`` at the project's call sites of ``function`` (one frame up; the
        arguments there followed ``callsites`` frames further)."""
        groups = []
        for site in self.callers(function):
            if site.how == MAP:  # ``map(f, xs)``: f's arguments are the elements of xs
                arg = argument_for(site.record.node, param, site.shift)
                if arg is not None:
                    groups.append(self.elements(self.eval(arg, site.record.point, depth, callsites),
                                                depth))
                continue
            for arg in _passed(site, param):
                groups.append(self.eval(arg, site.record.point, depth, callsites))
        return groups

    def callers(self, function: Scope) -> List["CallSite"]:
        """The project's calls of ``function``, each with how its arguments reach the parameters.

        A class's ``__init__`` is called by instantiating the class (or a subclass). A function
        is also called where it is handed over with its arguments: a Celery task by
        ``f.delay(...)`` / ``f.apply_async(args, kwargs)`` / ``f.s(...)``, any function by
        ``submit(f, ...)``, ``partial(f, ...)``, ``to_thread(f, ...)``, a retry helper
        ``retry(f, ...)`` (the arguments after it are its own), ``map(f, xs)`` (the elements of
        xs), Airflow's ``PythonOperator(python_callable=f, op_args=[...], op_kwargs={...})``.
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
        task_shift = 1 if _bound_task(function) else 0
        found: List[CallSite] = []
        for info in modules.values():
            names = (called,) + tuple(info.import_aliases.get(called, ()))
            for name in names:  # ``from m import f as g; g(...)``
                for record in info.calls_named(name):
                    for value in self.eval(record.node.func, record.point, 0, 0):
                        if isinstance(value, ProjectFunc) and value.scope is function:
                            found.append(CallSite(record, _self_shift(value), CALL))
                            break
                        if isinstance(value, ProjectClass) and cls in self.mro(value.info)[0]:
                            found.append(CallSite(record, 1, CALL))
                            break
            if cls is not None:
                continue
            for method, how in _TASK_CALLS.items():
                for record in info.calls_named(method):
                    func = record.node.func
                    if type(func) is ast.Attribute and _names(func.value) in names:
                        if self._is(func.value, record.point, function):
                            found.append(CallSite(record, task_shift, how))
            for name in names:
                for record, position, keyword in info.calls_passing(name):
                    passed = (record.node.args[position] if keyword is None
                              else _keyword(record.node, keyword))
                    functions = [
                        v for v in self.eval(passed, record.point, 0, 0)
                        if isinstance(v, ProjectFunc) and v.scope is function
                    ]
                    if not functions:
                        continue
                    shift = _self_shift(functions[0])
                    if keyword == "python_callable":
                        found.append(CallSite(record, shift, AIRFLOW))
                    elif keyword is None and _called_name(record.node) == "map":
                        found.append(CallSite(record, -(position + 1), MAP))
                    elif keyword is None:
                        found.append(CallSite(record, shift - (position + 1), CALL))
        self._callers[id(function)] = found
        return found

    def _is(self, expr: ast.expr, point: Point, function: Scope) -> bool:
        return any(
            isinstance(v, ProjectFunc) and v.scope is function
            for v in self.eval(expr, point, 0, 0)
        )

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
        index = self.index
        if index is None:
            return (UNKNOWN,)
        info = index.module_info(module)
        if info is not None:
            bindings = info.scope.bindings.get(attr)
            if bindings:
                return union(self.binding(b, depth) for b in bindings)
            if index.is_module(f"{module}.{attr}"):
                return (ProjectModule(f"{module}.{attr}"),)
            stars = info.scope.bindings.get("*")
            if stars:
                return self._module_fallback(info.scope, attr, depth)
            return (UNKNOWN,)
        if index.is_module(f"{module}.{attr}"):
            return (ProjectModule(f"{module}.{attr}"),)
        return (UNKNOWN,)


CALL, APPLY_ASYNC, MAP, AIRFLOW = "call", "apply_async", "map", "airflow"
# Celery's ways to call a task later: ``f.delay(*args, **kwargs)``, ``f.apply_async(args, kwargs)``
_TASK_CALLS = {"delay": CALL, "s": CALL, "si": CALL, "apply_async": APPLY_ASYNC}


class CallSite(NamedTuple):
    """A call that runs a function: the arguments reach parameter ``i`` at position ``i - shift``
    (``how``: CALL as written, APPLY_ASYNC through ``args=`` / ``kwargs=``, AIRFLOW through
    ``op_args=`` / ``op_kwargs=``, MAP as elements)."""

    record: CallRecord
    shift: int
    how: str


def _passed(site: CallSite, param: Binding) -> List[ast.expr]:
    """The argument expressions a call site passes for ``param`` (see ``CallSite``)."""
    node = site.record.node
    if site.how == CALL:
        arg = argument_for(node, param, site.shift)
        return [arg] if arg is not None else []
    positional, keywords = (
        ("op_args", "op_kwargs") if site.how == AIRFLOW else ("args", "kwargs")
    )
    found = []
    sequence: Dispatched = _keyword(node, positional)
    if sequence is None and site.how == APPLY_ASYNC and node.args:
        sequence = node.args[0]
    index = param.index - site.shift
    if type(sequence) in (ast.Tuple, ast.List) and 0 <= index < len(sequence.elts):
        if not any(type(e) is ast.Starred for e in sequence.elts[: index + 1]):
            found.append(sequence.elts[index])
    table = _keyword(node, keywords)
    if table is None and site.how == APPLY_ASYNC and len(node.args) > 1:
        table = node.args[1]
    if type(table) is ast.Dict:
        for key, value in zip(table.keys, table.values):
            if type(key) is ast.Constant and key.value == param.name:
                found.append(value)
    return found


def _keyword(call: ast.Call, name: str) -> Optional[ast.expr]:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _names(expr: Dispatched) -> str:
    """The name an expression ends with (``f``, ``tasks.f``, ``self.f``), else ""."""
    kind = type(expr)
    return expr.id if kind is ast.Name else expr.attr if kind is ast.Attribute else ""


def _called_name(call: ast.Call) -> str:
    return _names(call.func)


def _self_shift(function: ProjectFunc) -> int:
    return 1 if function.self_value is not None else 0


def _bound_task(function: Scope) -> bool:
    """A Celery task declared with ``bind=True``: its first parameter is the task itself."""
    for decorator in function.decorators:
        if type(decorator) is ast.Call:
            for keyword in decorator.keywords:
                value = keyword.value
                if keyword.arg == "bind" and type(value) is ast.Constant and value.value is True:
                    return True
    return False


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
