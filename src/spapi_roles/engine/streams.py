"""Declarative HTTP streams: requests described by class attributes and small methods.

ETL frameworks build the request themselves from what a stream class declares: Singer SDK's
``RESTStream`` (a ``path`` attribute or property, ``rest_method`` / ``http_method``, the body
``prepare_request_payload`` returns, the query ``get_url_params`` returns) and Airbyte CDK's
``HttpStream`` (a ``path(...)`` method, ``http_method``, ``request_body_json`` /
``request_body_data``, ``request_params``). A project class whose bases reach one of them, or an
in-house base of the same shape (``path`` next to ``url_base`` / ``http_method`` /
``rest_method``), is read as a request by every class that writes its own ``path``: the
operation where the path is written, with the verb its class declares (the framework's default
otherwise), and the types where its body or query writes them. A relative path (Airbyte's
``"orders/v0/orders"``) is relative to ``url_base``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from .. import knowledge
from .carriers import CarrierReader, Leaf, TypeHit, split
from ..uses import type_kind
from .http import HttpMatch, HttpReader
from .model import ClassInfo, Point, Scope, anywhere
from .nodes import HTTP_VERBS, call_arguments, string_value
from .resolver import Resolver
from .resolver.base import Values
from .resolver.names import select_bindings
from .values import ProjectFunc, ProjectObj, QName, Str, Value

PATH = "path"


@dataclass(frozen=True)
class Framework:
    """How one framework's stream classes declare their request."""

    package: str  # the top-level package of its stream base classes
    classes: Tuple[str, ...]  # the stream base classes
    verbs: Tuple[str, ...]  # attributes naming the HTTP method, the first one set wins
    default_verb: Optional[str]  # the method when no attribute names one (None: unknown)
    bodies: Tuple[str, ...]  # methods returning the request body
    queries: Tuple[str, ...]  # methods returning the query parameters


FRAMEWORKS = (
    Framework(
        "singer_sdk",
        ("RESTStream",),
        ("http_method", "rest_method"),
        "GET",
        ("prepare_request_payload",),
        ("get_url_params",),
    ),
    Framework(
        "airbyte_cdk",
        ("HttpStream", "HttpSubStream"),
        ("http_method",),
        "GET",
        ("request_body_json", "request_body_data"),
        ("request_params",),
    ),
)
# An in-house base class of the same shape: any of these attributes next to ``path``.
IN_HOUSE = Framework(
    "",
    (),
    ("http_method", "rest_method", "method"),  # also what any request-building object may use
    None,
    ("request_body_json", "request_body_data", "prepare_request_payload"),
    ("request_params", "get_url_params"),
)
_IN_HOUSE_SHAPE = ("url_base", "base_url", "http_method", "rest_method")


@dataclass
class StreamRequest:
    """What one stream class requests: the matched path(s) and the types its body or query
    passes (resolved, and unresolved placeholders)."""

    matches: List[HttpMatch]
    types: List[TypeHit]
    unresolved: List[TypeHit]


class StreamReader:
    def __init__(
        self,
        resolver: Resolver,
        kb: knowledge.KnowledgeBase,
        http: HttpReader,
        carriers: CarrierReader,
    ):
        self.resolver = resolver
        self.kb = kb
        self.http = http
        self.carriers = carriers
        self._frameworks: Dict[int, Optional[Framework]] = {}

    def request(self, cls: ClassInfo) -> Optional[StreamRequest]:
        """The request ``cls`` declares, if it is a stream class that writes its own ``path``."""
        bindings = cls.scope.bindings.get(PATH)
        if not bindings:
            return None
        framework = self.framework(cls)
        if framework is None:
            return None
        instance = ProjectObj(cls)
        verb = self._verb(cls, instance, framework)
        matches: List[HttpMatch] = []
        for binding in bindings:
            function = binding.target
            if binding.kind == "def" and isinstance(function, Scope):
                values = self.resolver.returns(ProjectFunc(function, instance), 0)
            else:
                values = self.resolver.binding(binding, 0)
            for value in values:
                if isinstance(value, Str):
                    site = value.site or binding.value or cls.node  # the class: nothing narrower
                    match = self.http.matched(value, site, verb)
                    if match is not None:
                        matches.append(match)
        if not matches:
            return None
        found = StreamRequest(matches, [], [])
        for op in {op.key: op for match in matches for op in match.ops}.values():
            self._types(cls, instance, framework, op, found)
        return found

    def framework(self, cls: ClassInfo) -> Optional[Framework]:
        """The framework whose stream base ``cls`` reaches, ``IN_HOUSE`` for a project base of the
        same shape, else None."""
        key = id(cls)
        if key not in self._frameworks:
            self._frameworks[key] = self._framework(cls)
        return self._frameworks[key]

    def _framework(self, cls: ClassInfo) -> Optional[Framework]:
        project, _ = self.resolver.mro(cls)
        for klass in project:
            for base in klass.bases:
                for value in self.resolver.eval(base, anywhere(klass.outer), 0, False):
                    if not isinstance(value, QName):
                        continue
                    package = value.name.partition(".")[0]
                    name = value.name.rpartition(".")[2]
                    for framework in FRAMEWORKS:
                        if package == framework.package and name in framework.classes:
                            return framework
        for klass in project:
            if any(n in klass.scope.bindings or n in klass.attrs for n in _IN_HOUSE_SHAPE):
                return IN_HOUSE
        return None

    def _verb(self, cls: ClassInfo, instance: ProjectObj, framework: Framework) -> Optional[str]:
        classes = self.resolver.mro(cls)[0]
        for attr in framework.verbs:
            verbs = _verbs(self.declared(classes, attr, instance))
            if verbs:
                return verbs.pop() if len(verbs) == 1 else None
        return framework.default_verb

    def owner_verb(self, owners: Sequence[ProjectObj], point: Point) -> Optional[str]:
        """The verb project objects hold where one of their methods builds a request without
        naming one (``self._create_prepared_request(path=...)``): their ``http_method`` /
        ``rest_method`` / ``method`` set earlier in the same method (``self.http_method =
        "POST"``), else as their class declares it, else their framework's default."""
        verbs: Set[str] = set()
        for owner in owners:
            classes = self.resolver.mro(owner.info)[0]
            framework = self.framework(owner.info) or IN_HOUSE
            found: Set[str] = set()
            for attr in framework.verbs:
                here = [
                    b for klass in classes for b in klass.attrs.get(attr, ())
                    if b.scope is point.scope
                ]
                if here:
                    found = _verbs(
                        v for b in select_bindings(here, point) for v in self.resolver.binding(b, 0)
                    )
                else:
                    found = _verbs(self.declared(classes, attr, owner))
                if found:
                    break
            if not found and framework.default_verb:
                found = {framework.default_verb}
            verbs |= found
        return verbs.pop() if len(verbs) == 1 else None

    def declared(self, classes: Sequence[ClassInfo], attr: str, owner: ProjectObj) -> Values:
        """What an object's attribute is declared as: in the class body (a property's value) or
        in ``__init__``, not what other methods set for a while."""
        for klass in classes:
            groups: List[Values] = []
            for binding in klass.scope.bindings.get(attr, ()):
                function = binding.target
                if binding.kind != "def":
                    groups.append(self.resolver.binding(binding, 0))
                elif isinstance(function, Scope) and function.property:
                    groups.append(self.resolver.returns(ProjectFunc(function, owner), 0))
            for binding in klass.attrs.get(attr, ()):
                if binding.scope.name == "__init__":
                    groups.append(self.resolver.binding(binding, 0))
            if groups:
                return tuple(v for group in groups for v in group)
        return ()

    def _types(
        self,
        cls: ClassInfo,
        instance: ProjectObj,
        framework: Framework,
        op: knowledge.Operation,
        found: StreamRequest,
    ) -> None:
        """Types the body or query methods of ``cls`` pass under ``op``'s type argument."""
        kind, argument = type_kind(op.type_carrier), op.type_argument
        if kind is None or not argument:
            return
        leaves: List[Leaf] = []
        for method in framework.bodies + framework.queries:
            for function in self.resolver.class_attribute(cls, method, 0, instance):
                if isinstance(function, ProjectFunc):
                    for expr, point in function.scope.returns:
                        leaves.extend(self._keyed(expr, argument, point, 0))
        hits, unresolved = self.carriers.read(leaves, kind)
        found.types.extend(hits)
        found.unresolved.extend(unresolved)

    def _keyed(self, expr: ast.expr, key: str, point: Point, depth: int) -> List[Leaf]:
        """The values under ``key`` of a returned dict (a literal, ``dict(...)``, a local bound to
        one, either branch of a conditional)."""
        if isinstance(expr, ast.Dict):
            return [
                (leaf, point)
                for name, value in zip(expr.keys, expr.values)
                if string_value(name) == key
                for leaf in split(value)
            ]
        if isinstance(expr, ast.Call):
            if not (isinstance(expr.func, ast.Name) and expr.func.id == "dict"):
                return []
            _, keywords, _ = call_arguments(expr)
            return [(leaf, point) for leaf in split(keywords[key])] if key in keywords else []
        if isinstance(expr, ast.IfExp):
            return self._keyed(expr.body, key, point, depth) + self._keyed(
                expr.orelse, key, point, depth
            )
        if isinstance(expr, ast.Name) and depth < 4:
            bindings, _ = self.resolver.bindings_of(expr.id, point)
            return [
                leaf
                for binding in bindings
                if binding.kind == "assign" and binding.value is not None
                for leaf in self._keyed(binding.value, key, binding.point(), depth + 1)
            ]
        return []


def _verbs(values: Iterable[Value]) -> Set[str]:
    return {v.value.upper() for v in values if isinstance(v, Str)} & HTTP_VERBS
