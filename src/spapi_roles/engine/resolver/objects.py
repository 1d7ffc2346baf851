"""Attributes, calls and classes: what ``x.attr`` and ``f(...)`` are, client objects, project
classes and their bases.

``self.<attr>`` looks in every method of the class and its project bases. Calls of project
functions evaluate their return expressions; calls of client entities make client objects
(``version=`` picks the class of a dispatching client).
"""

from __future__ import annotations

import ast
import itertools
import re
from typing import Dict, List, Optional, Tuple

from ..clients import Clients
from ..model import COMPREHENSION, LAMBDA, MODULE, ClassInfo, Point, Scope, anywhere
from ..nodes import Argument, Dispatched, arguments
from ..project_index import ProjectIndex
from ..values import (
    UNKNOWN,
    BoundMethod,
    ClientObj,
    Container,
    Entity,
    EnumMember,
    Iterable,
    Opaque,
    Packed,
    ProjectClass,
    ProjectFunc,
    ProjectModule,
    ProjectObj,
    QName,
    RootObj,
    Str,
    Value,
)
from .base import CALL_FRAMES, MAX_VALUES, Evaluation, Values, folded, resite, union
from .strings import URL_JOINS

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


class Objects(Evaluation):
    """Attributes, calls and classes."""

    def __init__(self, clients: Clients, index: Optional[ProjectIndex]):
        super().__init__(clients, index)
        self._mro: Dict[int, Tuple[List[ClassInfo], List[ClientObj]]] = {}
        self._subclasses: Dict[int, List[ClassInfo]] = {}

    def attribute(
        self,
        value: Value,
        attr: str,
        node: Optional[ast.Attribute],
        depth: int,
        callsites: int = CALL_FRAMES,
    ) -> Values:
        if isinstance(value, QName):
            return self.qualified(f"{value.name}.{attr}", depth)
        if isinstance(value, ProjectModule):
            return self.module_attribute(value.name, attr, depth)
        if isinstance(value, Entity):
            return self.entity_attribute(value, attr, node)
        if isinstance(value, EnumMember):
            if attr == "value":
                return (Str(value.value, value.site, False, value.origins),)
            return (Opaque("enum attribute"),)
        if isinstance(value, RootObj):
            spec = self.clients.roots[value.root]
            target = spec["attributes"].get(attr)
            if target is not None:
                return (ClientObj((target,)),)
            return (Opaque(f"{value.root}.{attr}"),)
        if isinstance(value, ProjectObj):
            return self.class_attribute(value.info, attr, depth, value, callsites)
        if isinstance(value, ProjectClass):
            return self.class_attribute(value.info, attr, depth, None, callsites)
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
        self,
        cls: ClassInfo,
        attr: str,
        depth: int,
        instance: Optional[ProjectObj],
        callsites: int = CALL_FRAMES,
    ) -> Values:
        project_classes, _ = self.mro(cls)
        for klass in project_classes:
            groups: List[Values] = []
            for binding in klass.scope.bindings.get(attr, ()):
                function = binding.target
                if binding.kind != "def" or not isinstance(function, Scope):
                    groups.append(self.binding(binding, depth, callsites))
                elif function.property and instance is not None:
                    groups.append(self.returns(ProjectFunc(function, instance), depth, callsites))
                else:
                    groups.append((ProjectFunc(function, instance),))
            if instance is not None:
                for binding in klass.attrs.get(attr, ()):
                    groups.append(self.binding(binding, depth, callsites))
            if groups:
                return union(groups)
        return (Opaque(f"{cls.qualname}.{attr}"),)

    def own_class(self, expr: ast.expr, point: Point) -> Optional[ClassInfo]:
        """The class whose method ``expr`` is the ``self`` / ``cls`` parameter of, else None."""
        if type(expr) is not ast.Name:
            return None
        scope = point.scope
        while scope.kind in (LAMBDA, COMPREHENSION) and scope.parent is not None:
            scope = scope.parent
        if scope.method_of is not None and scope.self_name == expr.id:
            chosen, _ = self.bindings_of(expr.id, point)
            if all(b.kind == "param" for b in chosen):  # not rebound in the method
                return scope.method_of
        return None

    def template(
        self,
        cls: ClassInfo,
        attr: str,
        node: ast.Attribute,
        base: Values,
        depth: int,
        callsites: int,
    ) -> Values:
        """``self.attr`` in a method of ``cls``: as any attribute, but a class attribute (written
        in a class body) is reported where it is written, and when ``cls`` leaves it open (not
        set, ``""``, ``None``, only annotated) the values its project subclasses give it count
        (a template method: the base builds the request, each subclass names its type)."""
        values = union(self.attribute(v, attr, node, depth, callsites) for v in base)
        written = self.class_values(cls, attr, depth, callsites)
        if not any(_concrete(v) for v in written) and not any(_concrete(v) for v in values):
            written += tuple(
                v
                for sub in self.subclasses(cls)
                for v in self.class_values(sub, attr, depth, callsites)
            )
        pinned: Dict[Value, Value] = {
            v.at(node): _pinned(v) for v in written if isinstance(v, (Str, EnumMember))
        }
        return union(
            (tuple(pinned.get(v, v) for v in resite(values, node)), tuple(pinned.values()))
        )

    def class_values(
        self, cls: ClassInfo, attr: str, depth: int, callsites: int
    ) -> Values:
        """Values ``attr`` is given in the body of ``cls`` or of its first project base that
        sets it (``report_type = "..."``)."""
        for klass in self.mro(cls)[0]:
            bindings = [b for b in klass.scope.bindings.get(attr, ()) if b.kind == "assign"]
            if bindings:
                return union(self.binding(b, depth, callsites) for b in bindings)
        return ()

    def subclasses(self, cls: ClassInfo) -> List[ClassInfo]:
        """The project's subclasses of ``cls`` (searched where its name, or a subclass's, is
        mentioned; at most ``MAX_VALUES``)."""
        cached = self._subclasses.get(id(cls))
        if cached is not None:
            return cached
        self._subclasses[id(cls)] = []
        found: List[ClassInfo] = []
        pending = [cls]
        while pending and len(found) < MAX_VALUES:
            parent = pending.pop(0)
            modules = [parent.module]
            if self.index is not None:
                modules += self.index.candidate_modules(parent.name, parent.module.path)
            for info in dict.fromkeys(modules):
                for candidate in info.classes:
                    if candidate is cls or candidate in found:
                        continue
                    if parent in self.mro(candidate)[0]:
                        found.append(candidate)
                        pending.append(candidate)
        self._subclasses[id(cls)] = found
        return found

    def mro(self, cls: ClassInfo) -> Tuple[List[ClassInfo], List[ClientObj]]:
        """Project classes in lookup order (the class first) and client classes among the bases."""
        cached = self._mro.get(id(cls))
        if cached is not None:
            return cached
        self._mro[id(cls)] = ([cls], [])
        project: List[ClassInfo] = [cls]
        clients: List[ClientObj] = []
        for base in cls.bases:
            for value in self.eval(base, anywhere(cls.outer), 0, 0):
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

    def call(
        self,
        node: ast.Call,
        point: Point,
        depth: int,
        callsites: int,
    ) -> Values:
        func: Dispatched = node.func
        if type(func) is ast.Attribute and func.attr == "format":
            base = self.eval(func.value, point, depth, callsites)
            strings = [v for v in base if isinstance(v, Str)]
            if strings:
                return self.formatted(strings, node, point, depth, callsites)
        args = arguments(node) if type(func) is ast.Attribute else ()
        if type(func) is ast.Attribute and not args and func.attr in _DICT_VIEWS:
            entries = self.dict_entries(func.value, func.attr, point, depth, callsites)
            if entries is not None:
                return (entries,)
        if args:
            attr = func.attr
            if attr == "join" and len(args) == 1 and not args[0].keyword and not args[0].star:
                joined = self.joined(func.value, args[0].value, node, point, depth, callsites)
                if joined:
                    return joined
            if attr in self.clients.class_by_name_methods:
                named = self.class_by_name(args[0].value, point, depth)
                if named:
                    return named
            if attr in ("get", "setdefault", "pop"):
                items = self.items(
                    func.value, point, depth, callsites, key=args[0].value
                )
                if not items and _lookup_with_default(args) and all(
                    v is UNKNOWN for v in self.eval(func.value, point, depth, callsites)
                ):  # ``event.get("reportType", DEFAULT)`` on an unknown mapping
                    items = (UNKNOWN,)
                if items:
                    extra = [self.eval(a.value, point, depth, callsites) for a in args[1:2]]
                    return union([items] + extra)
        groups = [
            self.call_value(v, node, point, depth, callsites)
            for v in self.eval(func, point, depth, callsites)
        ]
        return union(groups)

    def dict_entries(
        self, expr: ast.expr, view: str, point: Point, depth: int, callsites: int
    ) -> Optional[Iterable]:
        """``d.items()`` / ``d.keys()`` / ``d.values()`` of dict literals ``expr`` may be."""
        elements: List[Value] = []
        found = False
        for value in self.eval(expr, point, depth, callsites):
            if not (isinstance(value, Container) and type(value.node) is ast.Dict):
                continue
            found = True
            for key, item in zip(value.node.keys, value.node.values):
                if key is None:
                    elements.append(UNKNOWN)
                    continue
                keys = self.eval(key, value.point, depth)
                items = self.eval(item, value.point, depth)
                elements.extend(
                    keys if view == "keys" else items if view == "values"
                    else (Packed((keys, items)),)
                )
        return Iterable(union([elements])) if found else None

    def joined(
        self,
        separator: ast.expr,
        iterable: ast.expr,
        node: ast.Call,
        point: Point,
        depth: int,
        callsites: int,
    ) -> Values:
        """``sep.join(parts)``: each list / tuple literal the parts may be, folded in order (a part
        that is not one known string is a ``{}`` hole); parts of unknown order or length: ``{}``."""
        separators = {
            v.value for v in self.eval(separator, point, depth, callsites)
            if isinstance(v, Str) and not v.holes
        }
        if len(separators) != 1:
            return ()
        glue = separators.pop()
        found: List[Value] = []
        for value in self.eval(iterable, point, depth, callsites):
            if isinstance(value, Container) and type(value.node) in (ast.List, ast.Tuple):
                literal: Dispatched = value.node
                if any(type(e) is ast.Starred for e in literal.elts):
                    found.append(Str("{}", node, True))
                    continue
                choices: List[List[Str]] = []
                for element in literal.elts:
                    elements = self.scalars(self.eval(element, value.point, depth), depth)
                    known = elements and all(
                        isinstance(s, Str) and not s.holes for s in elements
                    )
                    choices.append(
                        sorted(set(elements), key=lambda s: s.value) if known  # type: ignore
                        else [Str("{}", None, True)]
                    )
                for combination in itertools.islice(itertools.product(*choices), MAX_VALUES):
                    found.append(
                        folded(
                            _interleave([part.value for part in combination], glue),
                            node,
                            any(part.holes for part in combination),
                            tuple(o for part in combination for o in part.origins),
                        )
                    )
            else:
                found.append(Str("{}", node, True))
        return union([found]) if found else ()

    def class_by_name(self, arg: ast.expr, point: Point, depth: int) -> Values:
        found = []
        for value in self.eval(arg, point, depth, 0):
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
        self, value: Value, node: ast.Call, point: Point, depth: int, callsites: int
    ) -> Values:
        if isinstance(value, Entity):
            if value.kind == "type_enum":
                kind = self.clients.type_enums[value.target]["kind"]
                args = arguments(node)
                if args:
                    return tuple(
                        EnumMember(kind, s.value, s.site, s.origins)
                        for s in self.scalars(
                            self.eval(args[0].value, point, depth, 0), depth
                        )
                        if isinstance(s, Str)
                    ) or (UNKNOWN,)
                return (UNKNOWN,)
            instance = self.instantiate(value, node, point, depth)
            return (instance,) if instance is not None else (Opaque(value.target),)
        if isinstance(value, ProjectClass):
            return (ProjectObj(value.info),)
        if isinstance(value, ProjectFunc):
            return self.returns(value, depth, callsites)
        if isinstance(value, QName):
            if value.name in URL_JOINS:
                return self.url_joined(value.name, node, point, depth, callsites)
            if value.name in _ITERATING:
                return self.iterated(value.name, node, point, depth, callsites)
            if value.name == "builtins.getattr":
                return self.getattr_values(node, point, depth) or (Opaque("getattr"),)
            if value.name == "builtins.super":
                return self.super_values(point.scope)
            return (Opaque(value.name),)
        if value is UNKNOWN:
            return (UNKNOWN,)
        return (Opaque("call result"),)

    def iterated(
        self, builtin: str, node: ast.Call, point: Point, depth: int, callsites: int
    ) -> Values:
        """``enumerate(x)``, ``zip(a, b)``, ``sorted(x)``, ``list(x)``...: what they yield."""
        groups = [
            self.elements(self.eval(a, point, depth, callsites), depth)
            for a in node.args
            if type(a) is not ast.Starred
        ]
        if not groups:
            return (Opaque(builtin),)
        if builtin == "builtins.enumerate":
            return (Iterable((Packed(((Opaque("index"),), groups[0])),)),)
        if builtin == "builtins.zip":
            return (Iterable((Packed(tuple(groups)),)),)
        return (Iterable(groups[0]),)

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
                version_arg = next((k.value for k in node.keywords if k.arg == "version"), None)
                if version_arg is not None:
                    for value in self.scalars(self.eval(version_arg, point, depth), depth):
                        version = spec["aliases"].get(value.value)
                        if version is not None and version not in versions:
                            versions.append(version)
            if version_arg is None:
                versions = [spec["default"]]
            if not versions:
                versions = sorted(spec["versions"])
            classes = tuple(spec["versions"][v] for v in versions if v in spec["versions"])
            return ClientObj(classes, entity.target, tuple(versions)) if classes else None
        return None

    def returns(self, function: ProjectFunc, depth: int, callsites: int = CALL_FRAMES) -> Values:
        scope = function.scope
        groups = [self.eval(expr, point, depth, callsites) for expr, point in scope.returns]
        values = union(groups) if groups else (UNKNOWN,)
        if all(v is UNKNOWN for v in values):
            node = scope.node
            returns = node.returns if isinstance(node, _FUNCTIONS) else None
            if returns is not None:
                return self.instance_of(returns, scope.parent or scope, depth)
        return values

    def getattr_values(self, node: ast.Call, point: Point, depth: int) -> Values:
        """``getattr(client, name)``: the client methods picked (names from literals, constants)."""
        args = arguments(node)
        if len(args) < 2:
            return ()
        found = []
        receivers = [
            v
            for v in self.eval(args[0].value, point, depth)
            if isinstance(v, ClientObj)
        ]
        if not receivers:
            return ()
        names = self.scalars(
            self.eval(args[1].value, point, depth, 0),
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


def _concrete(value: Value) -> bool:
    """A value a template leaves no room for: a non-empty string or an enum member."""
    return isinstance(value, EnumMember) or (isinstance(value, Str) and bool(value.value))


def _pinned(value: Value) -> Value:
    if isinstance(value, Str):
        return Str(value.value, value.site, value.holes, value.origins, True)
    if isinstance(value, EnumMember):
        return EnumMember(value.kind, value.value, value.site, value.origins, True)
    return value


_DICT_VIEWS = frozenset(("items", "keys", "values"))
# builtins that iterate their arguments, and what they yield (see ``Objects.iterated``)
_ITERATING = frozenset(
    f"builtins.{name}"
    for name in (
        "enumerate", "zip", "sorted", "reversed", "list", "tuple", "set", "frozenset", "iter"
    )
)


def _interleave(parts: List[str], glue: str) -> List[str]:
    out: List[str] = []
    for i, part in enumerate(parts):
        if i:
            out.append(glue)
        out.append(part)
    return out


_KEY = re.compile(r"[A-Za-z_][\w.-]*")


def _lookup_with_default(args: List[Argument]) -> bool:
    """``(key, default)`` with a key like a field name (not a URL, as ``session.get(url, p)``)."""
    return (
        len(args) == 2
        and all(a.keyword is None and not a.star for a in args)
        and type(args[0].value) is ast.Constant
        and type(args[0].value.value) is str
        and _KEY.fullmatch(args[0].value.value) is not None
    )
