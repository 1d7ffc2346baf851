"""Static evaluation of expressions: names through imports and scopes, receivers, constants.

``Resolver.eval(node, point)`` returns the set of values (see ``values.py``) an expression may
have where it is evaluated (``model.Point``: a scope, a statement order and enclosing blocks).
Names follow Python's scoping (class bodies are skipped from methods); inside one scope the
latest binding before the use wins unless it is in a branch the use is not in. Imports are
qualified names, looked up first in the client tables, then in the project index (lazily parsed
modules), else kept as external ``QName``s. ``self.<attr>`` looks in every
method of the class and its project bases. Calls of project functions evaluate their return
expressions; parameters take their annotation, their default and — one call frame up — the
arguments at the project's call sites. Every scalar result is re-sited to the expression that
was evaluated, except literals and enum members written inside it.
"""

from __future__ import annotations

import ast
import itertools
from typing import Dict, Iterable, List, Optional, Set, Tuple

from .clients import Clients
from .model import (
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
from .nodes import argument_for, arguments, string_value, subscript_elements
from .project_index import ProjectIndex
from .values import (
    UNKNOWN,
    BoundMethod,
    ClientObj,
    Container,
    Entity,
    EnumMember,
    Opaque,
    ProjectClass,
    ProjectFunc,
    ProjectModule,
    ProjectObj,
    QName,
    RootObj,
    Str,
    Value,
)

Values = Tuple[Value, ...]
MAX_DEPTH = 30
MAX_VALUES = 48
# The longest string folding may build (concatenations, f-strings): an SP-API path or type name is
# short, and a longer result is unresolved, so that self-doubling assignments cost nothing.
MAX_STRING_CHARS = 4096
_TYPING = ("typing.", "typing_extensions.")
_CONTAINERS = (ast.Dict, ast.List, ast.Tuple, ast.Set)
_COMPREHENSIONS = (ast.DictComp, ast.ListComp, ast.SetComp, ast.GeneratorExp)
_SEQUENCES = (ast.List, ast.Tuple, ast.Set)
_OPAQUE = (ast.Lambda, ast.Compare, ast.UnaryOp)


def _union(groups: Iterable[Values]) -> Values:
    seen: Dict[Value, None] = {}
    for group in groups:
        for value in group:
            seen.setdefault(value, None)
            if len(seen) >= MAX_VALUES:
                return tuple(seen)
    return tuple(seen) or (UNKNOWN,)


def _folded(parts: Iterable[str], site: ast.AST, holes: bool) -> Value:
    """The string ``parts`` fold to, or UNKNOWN when longer than ``MAX_STRING_CHARS``."""
    parts = tuple(parts)
    if sum(map(len, parts)) > MAX_STRING_CHARS:
        return UNKNOWN
    return Str("".join(parts), site, holes)


def _resite(values: Values, node: ast.AST) -> Values:
    return tuple(v.at(node) if isinstance(v, (Str, EnumMember)) else v for v in values)


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


class Resolver:
    """Evaluates expressions of the modules of one run (memoised)."""

    def __init__(self, clients: Clients, index: Optional[ProjectIndex]):
        self.clients = clients
        self.index = index
        self._memo: Dict[tuple, Values] = {}
        self._active: Set[tuple] = set()
        self._qnames: Dict[str, Values] = {}
        self._callers: Dict[int, List[Tuple[CallRecord, bool]]] = {}
        self._mro: Dict[int, Tuple[List[ClassInfo], List[ClientObj]]] = {}
        self._annotations: Dict[str, Optional[ast.expr]] = {}  # kept: the memo keys on node ids

    # ------------------------------------------------------------------ entry point
    def eval(
        self,
        node: Optional[ast.AST],
        point: Point,
        depth: int = 0,
        callsites: bool = True,
    ) -> Values:
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

    def _eval(
        self,
        node: ast.AST,
        point: Point,
        depth: int,
        callsites: bool,
    ) -> Values:
        kind = type(node)
        if kind is ast.Name:
            return _resite(self.lookup(node.id, point, depth, callsites), node)
        if kind is ast.Attribute:
            base = self.eval(node.value, point, depth, callsites)
            values = _union(self.attribute(v, node.attr, node, depth) for v in base)
            if node.attr == "value":
                return values  # EnumMember.value keeps the member's own site
            return _resite(values, node)
        if kind is ast.Constant:
            value = node.value
            if type(value) is str:
                return (Str(value, node),)
            if type(value) is bytes:
                return (Str("{}", node, True),)
            if value is None or type(value) in (bool, int, float, complex):
                return (Opaque("constant"),)
            return (UNKNOWN,)  # ``...``
        if kind is ast.JoinedStr:
            return (self.string(node, point, depth),)
        if kind is ast.Call:
            return self.call(node, point, depth, callsites)
        if kind is ast.Subscript:
            return self.subscript(node, point, depth, callsites)
        if kind in _CONTAINERS:
            return (Container(node, point),)
        if kind in _COMPREHENSIONS:
            scope = point.scope
            inner = scope.module.comprehensions.get(id(node), scope)
            return (Container(node, Point(inner, point.order, point.blocks)),)
        if kind is ast.IfExp:
            return _union(
                (
                    self.eval(node.body, point, depth, callsites),
                    self.eval(node.orelse, point, depth, callsites),
                )
            )
        if kind is ast.BoolOp:
            return _union(self.eval(v, point, depth, callsites) for v in node.values)
        if kind is ast.BinOp:
            return self.binary(node, point, depth, callsites)
        if kind is ast.Await or kind is ast.NamedExpr:
            return self.eval(node.value, point, depth, callsites)
        if kind in _OPAQUE:
            return (Opaque(kind.__name__),)
        return (UNKNOWN,)

    # ------------------------------------------------------------------ names
    def lookup(
        self,
        name: str,
        point: Point,
        depth: int,
        callsites: bool = True,
    ) -> Values:
        chosen, module_scope = self.bindings_of(name, point)
        if chosen:
            return _union(self.binding(b, depth, callsites) for b in chosen)
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
        values = _union(groups)
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

    # ------------------------------------------------------------------ qualified names and modules
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
                    values = _union(self.attribute(v, attr, None, depth) for v in values)
                return values
        return (QName(name),)

    def module_attribute(self, module: str, attr: str, depth: int) -> Values:
        info = self.index.module_info(module) if self.index is not None else None
        if info is not None:
            bindings = info.scope.bindings.get(attr)
            if bindings:
                return _union(self.binding(b, depth) for b in bindings)
            if self.index.is_module(f"{module}.{attr}"):
                return (ProjectModule(f"{module}.{attr}"),)
            stars = info.scope.bindings.get("*")
            if stars:
                return self._module_fallback(info.scope, attr, depth)
            return (UNKNOWN,)
        if self.index is not None and self.index.is_module(f"{module}.{attr}"):
            return (ProjectModule(f"{module}.{attr}"),)
        return (UNKNOWN,)

    # ------------------------------------------------------------------ attributes
    def attribute(
        self, value: Value, attr: str, node: Optional[ast.Attribute], depth: int
    ) -> Values:
        if isinstance(value, QName):
            return self.qualified(f"{value.name}.{attr}", depth)
        if isinstance(value, ProjectModule):
            return self.module_attribute(value.name, attr, depth)
        if isinstance(value, Entity):
            return self.entity_attribute(value, attr, node)
        if isinstance(value, EnumMember):
            if attr == "value":
                return (Str(value.value, value.site),)
            return (Opaque("enum attribute"),)
        if isinstance(value, RootObj):
            spec = self.clients.roots[value.root]
            target = spec["attributes"].get(attr)
            if target is not None:
                return (ClientObj((target,)),)
            return (Opaque(f"{value.root}.{attr}"),)
        if isinstance(value, ProjectObj):
            return self.class_attribute(value.info, attr, depth, instance=value)
        if isinstance(value, ProjectClass):
            return self.class_attribute(value.info, attr, depth, instance=None)
        if value is UNKNOWN:
            return (UNKNOWN,)
        return (Opaque("attribute"),)

    def entity_attribute(self, entity: Entity, attr: str, node: Optional[ast.Attribute]) -> Values:
        if entity.kind == "type_enum":
            spec = self.clients.type_enums[entity.target]
            member = spec["members"].get(attr)
            if member is not None:
                return (EnumMember(spec["kind"], member, node),)
        elif entity.kind == "version_enum":
            member = self.clients.version_enums[entity.target].get(attr)
            if member is not None:
                return (Str(member, node),)
        return (Opaque(f"{entity.target}.{attr}"),)

    def class_attribute(
        self, cls: ClassInfo, attr: str, depth: int, instance: Optional[ProjectObj]
    ) -> Values:
        project_classes, _ = self.mro(cls)
        for klass in project_classes:
            groups: List[Values] = []
            for binding in klass.scope.bindings.get(attr, ()):
                if binding.kind == "def" and binding.target.property and instance is not None:
                    groups.append(self.returns(ProjectFunc(binding.target, instance), depth))
                elif binding.kind == "def":
                    groups.append((ProjectFunc(binding.target, instance),))
                else:
                    groups.append(self.binding(binding, depth))
            if instance is not None:
                for binding in klass.attrs.get(attr, ()):
                    groups.append(self.binding(binding, depth))
            if groups:
                return _union(groups)
        return (Opaque(f"{cls.qualname}.{attr}"),)

    def mro(self, cls: ClassInfo) -> Tuple[List[ClassInfo], List[ClientObj]]:
        """Project classes in lookup order (the class first) and client classes among the bases."""
        cached = self._mro.get(id(cls))
        if cached is not None:
            return cached
        self._mro[id(cls)] = ([cls], [])
        project: List[ClassInfo] = [cls]
        clients: List[ClientObj] = []
        for base in cls.bases:
            for value in self.eval(base, anywhere(cls.outer), 0, False):
                if isinstance(value, ProjectClass):
                    inner_project, inner_clients = self.mro(value.info)
                    project.extend(c for c in inner_project if c not in project)
                    clients.extend(c for c in inner_clients if c not in clients)
                elif isinstance(value, Entity):
                    obj = self.instantiate(value, None, None, 0)
                    if isinstance(obj, ClientObj) and obj not in clients:
                        clients.append(obj)
        result = (project, clients)
        self._mro[id(cls)] = result
        return result

    # ------------------------------------------------------------------ calls
    def call(
        self,
        node: ast.Call,
        point: Point,
        depth: int,
        callsites: bool,
    ) -> Values:
        func = node.func
        if type(func) is ast.Attribute and func.attr == "format":
            base = self.eval(func.value, point, depth, callsites)
            strings = tuple(Str(v.value, v.site, True) for v in base if isinstance(v, Str))
            if strings:
                return strings
        args = arguments(node) if type(func) is ast.Attribute else ()
        if args:
            attr = func.attr
            if attr in self.clients.class_by_name_methods:
                named = self.class_by_name(args[0].value, point, depth)
                if named:
                    return named
            if attr in ("get", "setdefault", "pop"):
                items = self.items(
                    func.value, point, depth, callsites, key=args[0].value
                )
                if items:
                    extra = [
                        self.eval(a.value, point, depth, callsites)
                        for a in args[1:2]
                    ]
                    return _union([items] + extra)
        groups = [
            self.call_value(v, node, point, depth, callsites)
            for v in self.eval(func, point, depth, callsites)
        ]
        return _union(groups)

    def class_by_name(self, arg: ast.expr, point: Point, depth) -> Values:
        found = []
        for value in self.eval(arg, point, depth, False):
            if isinstance(value, Str):
                for package, spec in self.clients.packages.items():
                    class_id = (
                        self.clients.class_named(value.value, package)
                        if spec["class_by_name_methods"]
                        else None
                    )
                    if class_id is not None:
                        found.append(ClientObj((class_id,)))
        return tuple(found)

    def call_value(
        self, value: Value, node: ast.Call, point: Point, depth: int, callsites: bool
    ) -> Values:
        if isinstance(value, Entity):
            if value.kind == "type_enum":
                kind = self.clients.type_enums[value.target]["kind"]
                args = arguments(node)
                if args:
                    return tuple(
                        EnumMember(kind, s.value, s.site)
                        for s in self.scalars(
                            self.eval(args[0].value, point, depth, False), depth
                        )
                        if isinstance(s, Str)
                    ) or (UNKNOWN,)
                return (UNKNOWN,)
            instance = self.instantiate(value, node, point, depth)
            return (instance,) if instance is not None else (Opaque(value.target),)
        if isinstance(value, ProjectClass):
            return (ProjectObj(value.info),)
        if isinstance(value, ProjectFunc):
            return self.returns(value, depth)
        if isinstance(value, QName):
            if value.name == "builtins.getattr":
                return self.getattr_values(node, point, depth) or (Opaque("getattr"),)
            if value.name == "builtins.super":
                return self.super_values(point.scope)
            return (Opaque(value.name),)
        if value is UNKNOWN:
            return (UNKNOWN,)
        return (Opaque("call result"),)

    def instantiate(
        self, entity: Entity, node: Optional[ast.Call], point: Optional[Point], depth: int
    ) -> Optional[Value]:
        """The object ``Entity(...)`` creates; for dispatch classes ``version=`` picks the class."""
        if entity.kind == "class":
            return ClientObj((entity.target,))
        if entity.kind == "root":
            return RootObj(entity.target)
        if entity.kind == "dispatch":
            spec = self.clients.dispatch[entity.target]
            versions: List[str] = []
            version_arg = None
            if node is not None and point is not None:
                version_arg = next(
                    (k.value for k in node.keywords if k.arg == "version"),
                    None,
                )
            if version_arg is None:
                versions = [spec["default"]]
            else:
                for value in self.scalars(
                    self.eval(version_arg, point, depth, True), depth
                ):
                    version = spec["aliases"].get(getattr(value, "value", None))
                    if version is not None and version not in versions:
                        versions.append(version)
            if not versions:
                versions = sorted(spec["versions"])
            classes = tuple(spec["versions"][v] for v in versions if v in spec["versions"])
            return ClientObj(classes, entity.target, tuple(versions)) if classes else None
        return None

    def returns(self, function: ProjectFunc, depth: int) -> Values:
        scope = function.scope
        groups = [
            self.eval(expr, point, depth, True) for expr, point in scope.returns
        ]
        values = _union(groups) if groups else (UNKNOWN,)
        if all(v is UNKNOWN for v in values):
            node = scope.node
            if type(node) in (ast.FunctionDef, ast.AsyncFunctionDef) and node.returns is not None:
                return self.instance_of(node.returns, scope.parent or scope, depth)
        return values

    def getattr_values(self, node: ast.Call, point: Point, depth: int) -> Values:
        """``getattr(client, name)``: the client methods picked (names from literals, constants)."""
        args = arguments(node)
        if len(args) < 2:
            return ()
        found = []
        receivers = [
            v
            for v in self.eval(args[0].value, point, depth, True)
            if isinstance(v, ClientObj)
        ]
        if not receivers:
            return ()
        names = self.scalars(
            self.eval(args[1].value, point, depth, False),
            depth,
            args[1].value,
        )
        for receiver in receivers:
            for name in names:
                if isinstance(name, Str) and not name.holes:
                    found.append(BoundMethod(receiver, name.value, name.site))
        return tuple(found)

    def super_values(self, scope: Scope) -> Values:
        function = scope
        while function.kind not in ("function", MODULE) and function.parent is not None:
            function = function.parent
        cls = function.method_of
        if cls is None:
            return (UNKNOWN,)
        project, clients = self.mro(cls)
        return tuple([ProjectObj(c) for c in project[1:]] + list(clients)) or (Opaque("super"),)

    # ------------------------------------------------------------------ containers and strings
    def subscript(
        self, node: ast.Subscript, point: Point, depth: int, callsites: bool
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
                        EnumMember(kind, s.value, s.site)
                        for s in self.scalars(
                            self.eval(key, point, depth, False), depth
                        )
                        if isinstance(s, Str)
                    )
                )
        if not groups:
            return (UNKNOWN,)
        values = _union(groups)
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
        callsites: bool,
        key: Optional[ast.expr],
    ) -> Values:
        """Values stored in a dict / list (literal, ``x[k] = v`` assignments, ``self.x[k] = v``)."""
        wanted: Optional[Set[str]] = None
        if key is not None:
            keys = self.scalars(self.eval(key, point, depth, False), depth)
            strings = {k.value for k in keys if isinstance(k, Str) and not k.holes}
            if strings and len(strings) == len(keys):
                wanted = strings
        groups: List[Values] = []
        for value in self.eval(container, point, depth, callsites):
            if isinstance(value, Container):
                groups.append(self.container_items(value, wanted, depth))
        for binding in self.item_bindings(container, point.scope, depth):
            groups.append(self.binding(binding, depth, callsites))
        return _union(groups) if groups else ()

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
            for value in self.eval(container.value, anywhere(scope), depth, False):
                if isinstance(value, ProjectObj):
                    for klass in self.mro(value.info)[0]:
                        found.extend(klass.items.get(container.attr, ()))
            return found
        return []

    def container_items(
        self, container: Container, wanted: Optional[Set[str]], depth: int
    ) -> Values:
        node = container.node
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
            return _union(groups) if groups else (UNKNOWN,)
        if kind in _SEQUENCES:
            return (
                _union(
                    self.eval(e, point, depth)
                    for e in node.elts
                    if type(e) is not ast.Starred
                )
                if node.elts
                else (UNKNOWN,)
            )
        if kind is ast.DictComp:
            return self.eval(node.value, anywhere(point.scope), depth)
        if kind in _COMPREHENSIONS:
            return self.eval(node.elt, anywhere(point.scope), depth)
        return (UNKNOWN,)

    def elements(self, values: Values, depth: int) -> Values:
        """What iterating over ``values`` yields."""
        groups = []
        for value in values:
            if isinstance(value, Container) and type(value.node) not in (ast.Dict, ast.DictComp):
                groups.append(self.container_items(value, None, depth))
            else:
                groups.append((UNKNOWN,))
        return _union(groups)

    def scalars(
        self, values: Values, depth: int, site: Optional[ast.AST] = None
    ) -> List[Value]:
        """Strings and enum members among ``values``, list/tuple/set literals flattened.

        Elements of a container written elsewhere are re-sited to ``site`` (the expression that
        referred to it), so that what is reported lies in the analysed module. Nesting is
        followed to ``MAX_DEPTH`` (a tuple that holds itself, ``t = (a, t)``, would never end).
        """
        out: List[Value] = []
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

    def string(self, node: ast.JoinedStr, point: Point, depth: int) -> Value:
        """An f-string: parts that fold to one string are filled in, others are holes ``{}``."""
        parts: List[str] = []
        holes = False
        for part in node.values:
            if type(part) is ast.Constant:
                parts.append(part.value)
                continue
            strings = {
                s.value
                for s in self.scalars(self.eval(part.value, point, depth), depth)
                if isinstance(s, Str) and not s.holes
            }
            if len(strings) == 1 and part.format_spec is None:
                parts.append(strings.pop())
            else:
                parts.append("{}")
                holes = True
        return _folded(parts, node, holes)

    def binary(
        self, node: ast.BinOp, point: Point, depth: int, callsites: bool
    ) -> Values:
        left = self.eval(node.left, point, depth, callsites)
        operator = type(node.op)
        if operator is ast.BitOr:
            return _union((left, self.eval(node.right, point, depth, callsites)))
        if operator is ast.Mod:
            return tuple(Str(v.value, node, True) for v in left if isinstance(v, Str)) or (UNKNOWN,)
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
        return _union([[_folded((a.value, b.value), node, a.holes or b.holes) for a, b in pairs]])

    # ------------------------------------------------------------------ annotations
    def instance_of(self, annotation: Optional[ast.expr], scope: Scope, depth: int) -> Values:
        """What a value annotated with ``annotation`` may be."""
        if annotation is None:
            return (UNKNOWN,)
        kind = type(annotation)
        if kind is ast.Constant and type(annotation.value) is str:
            parsed = self.annotation(annotation.value)
            return self.instance_of(parsed, scope, depth) if parsed is not None else (UNKNOWN,)
        if kind is ast.BinOp and type(annotation.op) is ast.BitOr:
            return _union(
                (
                    self.instance_of(annotation.left, scope, depth),
                    self.instance_of(annotation.right, scope, depth),
                )
            )
        if kind is ast.Subscript:
            generic = [
                v
                for v in self.eval(annotation.value, anywhere(scope), depth, False)
                if isinstance(v, QName)
            ]
            name = generic[0].name if generic else ""
            if name.startswith(_TYPING):
                short = name.rpartition(".")[2]
                elements = [
                    e for e in subscript_elements(annotation) if type(e) is not ast.Slice
                ]
                if short == "Literal":
                    return _union(self.eval(e, anywhere(scope), depth, False) for e in elements)
                if short in ("Optional", "Union", "Annotated", "Final", "ClassVar"):
                    chosen = (
                        elements[:1] if short in ("Annotated", "Final", "ClassVar") else elements
                    )
                    return _union(self.instance_of(e, scope, depth) for e in chosen)
            return (Opaque("generic"),)
        groups = []
        for value in self.eval(annotation, anywhere(scope), depth, False):
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
        return _union(groups)

    def annotation(self, text: str) -> Optional[ast.expr]:
        """The expression a string annotation holds (parsed once per run), None if not one."""
        if text not in self._annotations:
            try:
                parsed: Optional[ast.expr] = ast.parse(text, mode="eval").body if text else None
            except (SyntaxError, RecursionError, MemoryError, ValueError):
                parsed = None
            self._annotations[text] = parsed
        return self._annotations[text]


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
