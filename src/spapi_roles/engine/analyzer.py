"""The analysis of one module: client calls, getattr dispatch, raw HTTP, type literals -> ``Use``s.

For every call the receiver is evaluated (``resolver.py``); a client object and a method name
give the operations from the client tables, and the method's type carrier gives the types. A
project function whose parameter flows into ``getattr(<client>, param)`` turns the method-name
literals at its call sites into operations. Calls that are not client calls are read as raw HTTP.
Afterwards every string literal (not a docstring) and enum member equal to a known type name that
did not already count at a carrier is a "literal" use. Positions are looked up for reported
nodes only (``positions.py``).
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import os
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Set, Tuple

from .. import knowledge
from ..uses import (
    EVIDENCE_CARRIER,
    EVIDENCE_LITERAL,
    EVIDENCE_NAME_ONLY,
    EVIDENCE_RECEIVER,
    EVIDENCE_UNRESOLVED,
    EVIDENCES,
    KIND_OPERATION,
    Evidence,
    TypeKind,
    Use,
    UseKind,
)
from . import clients as clients_module
from . import consumers
from . import prefilter as prefilter_module
from .carriers import CarrierReader, TypeHit
from .clients import Clients, Method, OpRef
from .http import HttpMatch, HttpReader, never_requests
from .model import (
    Binding,
    CallRecord,
    ClassInfo,
    MethodValue,
    ModuleInfo,
    Point,
    Scope,
    anywhere,
)
from .modules import module_name_for
from .nodes import argument_for, arguments, call_arguments, dotted, string_value
from .positions import Positions
from .project_index import NotAnalysed, ProjectIndex, parse
from .resolver import Resolver, Values
from .streams import StreamReader
from .values import (
    UNKNOWN,
    BoundMethod,
    ClientObj,
    Entity,
    ProjectClass,
    ProjectFunc,
    ProjectModule,
    ProjectObj,
    QName,
    Str,
    Value,
    Written,
)

_EVIDENCE_RANK = {evidence: rank for rank, evidence in enumerate(EVIDENCES)}
_VENDORED = "swagger_client"  # generated SDK sources vendored into a project (clients.md 2a)


@dataclass
class Finding:
    """A use before its position is known."""

    site: ast.AST
    kind: UseKind
    name: str
    evidence: Evidence
    api: str = ""
    version: str = ""
    keys: Tuple[str, ...] = ()
    via: str = ""
    related: Tuple[Written, ...] = ()  # where a type at a request is written, if elsewhere


class Analyzer:
    """Shared per-run state: data tables, the project index and the resolver."""

    def __init__(self, index: Optional[ProjectIndex]):
        self.kb = knowledge.load()
        self.clients: Clients = clients_module.load()
        self.prefilter = prefilter_module.load()
        self.index = index
        self.resolver = Resolver(self.clients, index)
        self.carriers = CarrierReader(self.resolver, self.kb)
        self.http = HttpReader(self.resolver, self.kb, self.carriers, self.prefilter.path_prefixes)
        self.streams = StreamReader(self.resolver, self.kb, self.http, self.carriers)
        self._flows: Dict[int, List[Tuple[Binding, List[ClientObj]]]] = {}
        self._unique: Dict[Tuple[str, str], Tuple[OpRef, ...]] = {}

    def analyze(self, info: ModuleInfo) -> List[Use]:
        return ModuleAnalysis(self, info).run()

    def requests(self, info: ModuleInfo) -> consumers.CallPass:
        """The requests of ``info`` (its call pass), shared by the project's other modules."""
        return consumers.call_pass(self.index, info, call_pass)

    # ------------------------------------------------------------------ shared lookups
    def client_methods(self, obj: ClientObj, name: str) -> List[Tuple[str, Method]]:
        """The (class, method) pairs ``obj.name`` may be; other versions and 1.x as fallbacks."""
        clients = self.clients
        found = [(c, m) for c in obj.classes for m in [clients.method(c, name)] if m is not None]
        if not found and obj.front:
            others = [
                c for c in clients.dispatch[obj.front]["versions"].values() if c not in obj.classes
            ]
            found = [(c, m) for c in others for m in [clients.method(c, name)] if m is not None]
        if not found:
            for owner in ([obj.front] if obj.front else []) + list(obj.classes):
                method = clients.legacy_method(owner, name, obj.versions)
                if method is not None:
                    found = [(owner, method)]
                    break
        return found

    def getattr_flows(self, function: Scope) -> List[Tuple[Binding, List[ClientObj]]]:
        """Parameters of ``function`` that name the method in ``getattr(<client>, param)``."""
        cached = self._flows.get(id(function))
        if cached is not None:
            return cached
        flows: List[Tuple[Binding, List[ClientObj]]] = []
        params = {p.name: p for p in function.params}
        for record in function.calls:
            node = record.node
            if not (type(node.func) is ast.Name and node.func.id == "getattr"):
                continue
            args = arguments(node)
            if len(args) < 2:
                continue
            name_arg = args[1].value
            if type(name_arg) is not ast.Name or name_arg.id not in params:
                continue
            receivers = [
                v
                for v in self.resolver.eval(args[0].value, record.point)
                if isinstance(v, ClientObj)
            ]
            if receivers:
                flows.append((params[name_arg.id], receivers))
        self._flows[id(function)] = flows
        return flows

    def unique_ops(self, package: str, method: str) -> Tuple[OpRef, ...]:
        """Operations of ``method`` if all classes of ``package`` having it reach the same ones."""
        key = (package, method)
        if key not in self._unique:
            classes, ops = self.clients.methods_named(package, method)
            shapes = set()
            for class_id in classes:
                found = self.clients.method(class_id, method)
                shapes.add(
                    frozenset((op.operation_id, op.api) for op in found.ops)
                    if found
                    else frozenset()
                )
            self._unique[key] = ops if len(shapes) == 1 and ops else ()
        return self._unique[key]


class ModuleAnalysis:
    def __init__(self, analyzer: Analyzer, info: ModuleInfo):
        self.analyzer = analyzer
        self.info = info
        self.resolver = analyzer.resolver
        self.findings: List[Finding] = []
        # the literal / enum member nodes (of any module) that types at requests come from
        self.consumed: Dict[int, ast.AST] = {}
        self.unresolved_via: Dict[int, str] = {}  # id(argument) -> "operation: argument"
        self.packages = {p for p in (analyzer.clients.package_of(q) for q in info.imported) if p}

    def run(self) -> List[Use]:
        passed = self.analyzer.requests(self.info)
        self.findings = list(passed.findings)
        self.consumed = dict(passed.consumed)
        self.literals()
        return self.uses()

    def requests(self) -> consumers.CallPass:
        """Operations and the types their requests carry: calls, method values, requests written
        as data (the call pass, without the type literals)."""
        for record in self.info.calls:
            self.call(record)
        for value in self.info.method_values:
            self.method_value(value)
        for node, point in self.info.path_dicts:
            for match in self.analyzer.http.path_dict(node, point):
                self.http_findings(match, None, point)
        for request, point in self.info.request_tuples:
            for match in self.analyzer.http.request_tuple(request, point):
                bodies = [e for e in request.elts[1:] if e is not match.site]
                self.http_findings(match, None, point, bodies)
        for cls in self.info.classes:
            stream = self.analyzer.streams.request(cls)
            if stream is not None:
                for match in stream.matches:
                    self.http_findings(match, None, anywhere(cls.scope))
                self.add_types(stream.types, stream.unresolved)
        return consumers.CallPass(self.info, self.findings, self.consumed)

    # ------------------------------------------------------------------ calls
    def call(self, record: CallRecord) -> None:
        node = record.node
        func = node.func
        resolver = self.resolver
        client_call = False
        callees: List[ProjectFunc] = []  # the project functions called, for raw HTTP
        receivers: Sequence[Value] = ()
        if type(func) is ast.Attribute:
            receivers = resolver.eval(func.value, record.point)
            client_call = self.method_call(record, receivers, func.attr, func)
            for value in receivers:
                if isinstance(value, (ProjectObj, ProjectClass, ProjectModule)):
                    for callee in resolver.attribute(value, func.attr, None, 0):
                        if isinstance(callee, ProjectFunc):
                            self.wrapper_call(record, callee)
                            callees.append(callee)
            if all(v is UNKNOWN for v in receivers):
                self.name_only(func.attr, func)
            served = never_requests(receivers)
        elif type(func) is ast.Name:
            values = resolver.eval(func, record.point)
            for callee in values:
                if isinstance(callee, QName) and callee.name == "builtins.getattr":
                    self.getattr_call(record)
                    client_call = True
                elif isinstance(callee, ProjectFunc):
                    self.wrapper_call(record, callee)
                    callees.append(callee)
                elif isinstance(callee, Entity) and callee.kind in (
                    "decorator",
                    "class",
                    "dispatch",
                    "root",
                ):
                    client_call = True
            served = never_requests(values)
        else:
            client_call = any(
                isinstance(v, BoundMethod)
                for v in resolver.eval(func, record.point)
            )
            served = False
        if not (client_call or served or id(node) in self.info.decorator_calls):
            owners = [v for v in receivers if isinstance(v, ProjectObj)]
            owner_verb = (
                functools.partial(self.analyzer.streams.owner_verb, owners, record.point)
                if owners
                else None
            )
            for match in self.analyzer.http.call(node, record.point, callees, owner_verb):
                self.http_findings(match, node, record.point)

    def method_call(
        self, record: CallRecord, receivers: Values, method: str, site: ast.Attribute
    ) -> bool:
        """Operations of ``receiver.method(...)``; True when the receiver is an SP-API client."""
        is_client = False
        for value in receivers:
            if isinstance(value, ClientObj):
                is_client = True
                self.client_call(record, self.analyzer.client_methods(value, method), method, site)
            elif isinstance(value, ProjectObj):
                is_client = self.project_object_call(record, value.info, method, site) or is_client
        return is_client

    def method_value(self, value: MethodValue) -> None:
        """A client method read as a value (handed to a retry helper, ``partial``, an executor,
        ``map``, kept in a variable or a table of callables): a use where it is named. When it is
        a positional argument, the arguments after it are the method's (``with_retry(c.m, a)``,
        ``executor.submit(c.m, a)``, ``partial(c.m, a)``) and may carry its type."""
        node = value.node
        record = CallRecord(value.call, value.point) if value.call is not None else None
        for receiver in self.resolver.eval(node.value, value.point):
            if isinstance(receiver, ClientObj):
                found = self.analyzer.client_methods(receiver, node.attr)
                self.client_call(record, found, node.attr, node, shift=value.position + 1)
            elif isinstance(receiver, ProjectObj):
                self.project_object_call(record, receiver.info, node.attr, node, value.position + 1)

    def project_object_call(
        self,
        record: Optional[CallRecord],
        cls: ClassInfo,
        method: str,
        site: ast.Attribute,
        shift: int = 0,
    ) -> bool:
        """A method of a project class: its own ``@sp_endpoint`` path (also on the SDK's base
        ``Client``, which the tables do not list as a client), else the client method it
        inherits. True when the object is an SP-API client."""
        project, client_bases = self.resolver.mro(cls)
        for klass in project:
            for binding in klass.scope.bindings.get(method, ()):
                function = binding.target
                if binding.kind == "def" and isinstance(function, Scope):
                    via = f"{klass.qualname}.{method}"
                    return self.endpoint_call(function, site, via, record) or bool(client_bases)
        for obj in client_bases:
            self.client_call(
                record, self.analyzer.client_methods(obj, method), method, site, shift=shift
            )
        return bool(client_bases)

    def endpoint_call(
        self, function: Scope, site: ast.AST, via: str, record: Optional[CallRecord] = None
    ) -> bool:
        """A project method decorated with the client's ``@sp_endpoint(path, method=...)``.

        A placeholder in the version segment (``/catalog/{}/items/{}``) is the ``version``
        argument of the call, else the default the method gives it
        (``kwargs.pop("version", "2022-04-01")``); unknown, every version matches.
        """
        decorated = False
        if function.parent is None:  # a module scope, never decorated
            return decorated
        outer = anywhere(function.parent)  # decorators are evaluated in the enclosing scope
        for expr in function.decorators:
            if type(expr) is not ast.Call or not (expr.args or expr.keywords):
                continue
            callee = self.resolver.eval(expr.func, outer)
            if not any(isinstance(v, Entity) and v.kind == "decorator" for v in callee):
                continue
            decorated = True
            positional, keywords, _ = call_arguments(expr)
            path_expr = positional[0] if positional else keywords.get("path")
            verb: Optional[str] = "GET"
            if "method" in keywords:
                verbs = [
                    v.value.upper()
                    for v in self.resolver.eval(keywords["method"], outer)
                    if isinstance(v, Str)
                ]
                verb = verbs[0] if len(verbs) == 1 else None
            for value in self.resolver.eval(path_expr, outer):
                if isinstance(value, Str):
                    ops = self.analyzer.kb.match_http(verb, value.value)
                    if len({op.version for op in ops}) > 1:
                        versions = self.endpoint_versions(function, outer, record)
                        ops = [op for op in ops if op.version in versions] or ops
                    self.add_operations(site, [(op, via) for op in ops])
        return decorated

    def endpoint_versions(
        self, function: Scope, outer: Point, record: Optional[CallRecord]
    ) -> Set[str]:
        """The ``version`` an endpoint method is called with, else its default (a ``version``
        parameter's, evaluated at ``outer``, or ``kwargs.pop("version", default)`` in its
        body)."""
        found: Set[str] = set()
        if record is not None:
            _, keywords, _ = call_arguments(record.node)
            if "version" in keywords:
                found.update(
                    v.value for v in self.resolver.eval(keywords["version"], record.point)
                    if isinstance(v, Str)
                )
        for param in function.params if not found else ():
            if param.name == "version" and param.value is not None:
                found.update(
                    v.value for v in self.resolver.eval(param.value, outer)
                    if isinstance(v, Str)
                )
        if not found:
            for call in function.calls:
                node = call.node
                if (
                    type(node.func) is ast.Attribute
                    and node.func.attr in ("pop", "get")
                    and len(node.args) == 2
                    and string_value(node.args[0]) == "version"
                ):
                    found.update(
                        v.value for v in self.resolver.eval(node.args[1], call.point)
                        if isinstance(v, Str)
                    )
        return found

    def client_call(
        self,
        record: Optional[CallRecord],
        found: List[Tuple[str, Method]],
        method: str,
        site: ast.AST,
        rdt_checked: bool = True,
        shift: int = 0,
    ) -> None:
        """Operations of a client method; with ``record``, the types its call passes (the
        method's arguments start at positional ``shift``)."""
        if not found:
            return
        pairs = [(op, f"{class_id}.{method}") for class_id, m in found for op in m.ops]
        self.add_refs(site, pairs)
        if record is None:
            return
        node = record.node
        _, keywords, _ = call_arguments(node)
        if rdt_checked and self.asks_rdt(keywords, found):
            token = self.analyzer.clients.restricted_data_token()
            if token is not None:
                self.add_refs(site, [(token, f"{found[0][0]}.{method}(restricted data token)")])
        seen: Set[Tuple[str, str]] = set()
        for class_id, m in found:
            for op in m.ops:
                spec = self.analyzer.clients.carrier(m.package, op.operation_id)
                if spec is None or (m.package, op.operation_id) in seen:
                    continue
                seen.add((m.package, op.operation_id))
                hits, unresolved = self.analyzer.carriers.types(
                    node, record.point, spec, spec["kind"], shift
                )
                self.name_unresolved(unresolved, op.operation_id)
                self.add_types(hits, unresolved)

    def asks_rdt(self, keywords: Dict[str, ast.expr], found: List[Tuple[str, Method]]) -> bool:
        """Whether the client asks for a Restricted Data Token here (clients.json ``rdt``)."""
        for _, method in found:
            spec = self.analyzer.clients.rdt.get(method.package)
            if spec is None or not (spec["any_method"] or method.rdt_auto):
                continue
            for keyword in spec["keywords"]:
                value = keywords.get(keyword)
                if value is None:
                    continue
                if not spec["helpers"]:
                    return True
                helper = dotted(value.func) if type(value) is ast.Call else None
                if helper and any(
                    h.rpartition(".")[2] == helper.rpartition(".")[2] for h in spec["helpers"]
                ):
                    return True
        return False

    def getattr_call(self, record: CallRecord) -> None:
        for bound in self.resolver.getattr_values(record.node, record.point, 0):
            if isinstance(bound, BoundMethod) and bound.site is not None:
                self.client_call(
                    record,
                    self.analyzer.client_methods(bound.obj, bound.name),
                    bound.name,
                    bound.site,
                    rdt_checked=False,
                )

    def wrapper_call(self, record: CallRecord, callee: ProjectFunc) -> None:
        """A call of a project function whose parameter names a client method for ``getattr``."""
        flows = self.analyzer.getattr_flows(callee.scope)
        if not flows:
            return
        shift = 1 if callee.self_value is not None else 0
        for param, receivers in flows:
            arg = argument_for(record.node, param, shift)
            if arg is None:
                continue
            names = self.resolver.scalars(
                self.resolver.eval(arg, record.point, callsites=0),
                0,
                arg,
            )
            for name in names:
                if isinstance(name, Str) and not name.holes and name.site is not None:
                    for obj in receivers:
                        found = self.analyzer.client_methods(obj, name.value)
                        self.client_call(record, found, name.value, name.site, rdt_checked=False)

    def name_only(self, method: str, site: ast.AST) -> None:
        index = self.analyzer.index
        if method in self.info.defined_methods or (
            index is not None and method in index.defined_functions()
        ):
            return
        for package in sorted(self.packages):
            ops = self.analyzer.unique_ops(package, method)
            if ops:
                self.add_refs(
                    site, [(op, f"{package} *.{method}") for op in ops], EVIDENCE_NAME_ONLY
                )

    # ------------------------------------------------------------------ raw HTTP
    def http_findings(
        self,
        match: HttpMatch,
        call: Optional[ast.Call],
        point: Point,
        bodies: Sequence[ast.expr] = (),
    ) -> None:
        via = f"HTTP {match.verb or '*'} {match.path}"
        self.add_operations(match.site, [(op, via) for op in match.ops])
        for op in match.ops:
            hits, unresolved = self.analyzer.http.types(match, op, call, point, bodies)
            self.name_unresolved(unresolved, op.operation_id)
            self.add_types(hits, unresolved)

    def name_unresolved(self, unresolved: Sequence[TypeHit], operation_id: str) -> None:
        """Remember the operation and the argument of each unresolved type (SPR902 names them)."""
        for hit in unresolved:
            text = " ".join(ast.unparse(hit.site).split())
            if len(text) > 60:
                text = text[:57] + "..."
            self.unresolved_via.setdefault(id(hit.site), f"{operation_id}: {text}")

    # ------------------------------------------------------------------ literals
    def literals(self) -> None:
        """Type names written where no request of the project was seen to take them: literal
        evidence. One that reaches a request is that request's use (rule 5), not a second one
        here (``consumers.py`` looks for such requests in the modules this one may reach)."""
        kb = self.analyzer.kb
        found: List[Tuple[ast.AST, Scope, Finding]] = []
        for node, value, scope in self.info.type_literals:
            if self.consumed.get(id(node)) is node:
                continue
            info = kb.type_named(value)
            if info is not None:
                found.append((node, scope, Finding(node, info.kind, info.name, EVIDENCE_LITERAL)))
        for attribute, point in self.info.type_attributes:
            if self.consumed.get(id(attribute)) is attribute:
                continue
            kind: Optional[TypeKind] = None
            bases = self.resolver.eval(attribute.value, point)
            for base_value in bases:
                if isinstance(base_value, Entity) and base_value.kind == "type_enum":
                    kind = self.analyzer.clients.type_enums[base_value.target]["kind"]
            if kind is None and all(v is UNKNOWN for v in bases):
                base = dotted(attribute.value)  # e.g. an enum star-imported from an unknown place
                enum_kinds = self.analyzer.clients.type_enum_kinds
                kind = enum_kinds.get(base.rpartition(".")[2]) if base else None
            info = kb.type_named(attribute.attr, kind) if kind else None
            if info is not None:
                found.append(
                    (
                        attribute,
                        point.scope,
                        Finding(attribute, info.kind, info.name, EVIDENCE_LITERAL),
                    )
                )
        if found and self.analyzer.index is not None:
            taken, here = consumers.consumed_elsewhere(
                self.analyzer, self.info, [(node, scope) for node, scope, _ in found]
            )
            self.consumed.update(taken)
            self.findings.extend(here)
        self.findings.extend(
            finding for node, _, finding in found if self.consumed.get(id(node)) is not node
        )

    # ------------------------------------------------------------------ findings
    def add_refs(
        self,
        site: ast.AST,
        pairs: Sequence[Tuple[OpRef, str]],
        evidence: Evidence = EVIDENCE_RECEIVER,
    ) -> None:
        """One finding per operationId (keys of all versions merged)."""
        grouped: Dict[str, List[Tuple[OpRef, str]]] = {}
        for op, via in pairs:
            grouped.setdefault(op.operation_id, []).append((op, via))
        for operation_id, items in grouped.items():
            keys = tuple(sorted({k for op, _ in items for k in op.keys}))
            versions = {op.version for op, _ in items}
            apis = {op.api for op, _ in items}
            self.findings.append(
                Finding(
                    site,
                    KIND_OPERATION,
                    operation_id,
                    evidence,
                    apis.pop() if len(apis) == 1 else "",
                    versions.pop() if len(versions) == 1 else "",
                    keys,
                    items[0][1],
                )
            )

    def add_operations(
        self, site: ast.AST, pairs: Sequence[Tuple[knowledge.Operation, str]]
    ) -> None:
        self.add_refs(
            site,
            [(OpRef(op.operation_id, (op.key,), op.api, op.version), via) for op, via in pairs],
        )

    def add_types(self, hits: Sequence[TypeHit], unresolved: Sequence[TypeHit]) -> None:
        for hit in hits:
            self.consumed[id(hit.site)] = hit.site
            related = tuple(o for o in hit.origins if o[1] is not hit.site)
            for _, node in hit.origins:
                self.consumed[id(node)] = node
            self.findings.append(
                Finding(hit.site, hit.kind, hit.name, EVIDENCE_CARRIER, related=related)
            )
        for hit in unresolved:
            via = self.unresolved_via.get(id(hit.site), "")
            self.findings.append(Finding(hit.site, hit.kind, "", EVIDENCE_UNRESOLVED, via=via))

    def uses(self) -> List[Use]:
        positions = Positions(self.info)
        elsewhere: Dict[str, Optional[Positions]] = {self.info.path: positions}
        best: Dict[Tuple[int, int, str, str], Use] = {}
        for finding in self.findings:
            position = positions.of(finding.site)
            if position is None:
                continue
            line, column = position
            use = Use(
                path=self.info.path,
                line=line,
                column=column,
                kind=finding.kind,
                name=finding.name,
                evidence=finding.evidence,
                api=finding.api,
                version=finding.version,
                operation_keys=finding.keys,
                via=finding.via,
                related=self.related(finding.related, elsewhere),
            )
            key = (line, column, finding.kind, finding.name)
            current = best.get(key)
            if current is None or _EVIDENCE_RANK[use.evidence] < _EVIDENCE_RANK[current.evidence]:
                best[key] = use
            elif current.evidence == use.evidence and (
                use.operation_keys != current.operation_keys or use.related != current.related
            ):
                best[key] = _merge(current, use)
        return sorted(best.values(), key=lambda u: (u.line, u.column, u.kind, u.name, u.evidence))

    def related(
        self, written: Sequence[Written], positions: Dict[str, Optional[Positions]]
    ) -> Tuple[Tuple[str, int, int], ...]:
        """(path, line, column) of each place a type is written (in this module or another)."""
        found = []
        for path, node in written:
            if path not in positions:
                index = self.analyzer.index
                info = index.info(path) if index is not None else None
                positions[path] = Positions(info) if info is not None else None
            where = positions[path]
            position = where.of(node) if where is not None else None
            if position is not None:
                found.append((path, position[0], position[1]))
        return tuple(sorted(set(found)))


def _merge(first: Use, second: Use) -> Use:
    keys = tuple(sorted(set(first.operation_keys) | set(second.operation_keys)))
    version = first.version if first.version == second.version else ""
    return dataclasses.replace(
        first,
        version=version,
        operation_keys=keys,
        related=tuple(sorted(set(first.related) | set(second.related))),
    )


def call_pass(index: Optional[ProjectIndex], info: ModuleInfo) -> consumers.CallPass:
    """The requests of one module, by a fresh Analyzer (the same whichever file asks first)."""
    return ModuleAnalysis(Analyzer(index), info).requests()


# ---------------------------------------------------------------------- entry point


def _vendored(path: str) -> bool:
    return _VENDORED in path.replace("\\", "/").split("/")


def analyze_module(
    source: str,
    path: str,
    index: Optional[ProjectIndex] = None,
    tree: Optional[ast.Module] = None,
) -> List[Use]:
    """Uses in one file that passed the prefilter (``tree``: its ``ast`` if already parsed).

    Exceptions are not caught here: ``engine.analyze_source`` is the guarded entry point.
    Unparsable or pathological input gives [] (and, with an index, ``index.not_analysed`` says
    why).
    """
    if _vendored(path):
        return []
    info: Optional[ModuleInfo]
    if index is None:
        directory = os.path.dirname(os.path.abspath(path))
        try:
            info = parse(
                path,
                source,
                *module_name_for(path, directory),
                prefilter_module.load().type_names,
                tree,
            )
        except NotAnalysed:  # without an index there is nobody to tell why
            return []
        analyzer = Analyzer(None)
    else:
        info = index.info(path, source, tree)
        # A fresh Analyzer (resolver memo) per file: a file's uses are a function of the file and
        # the project, never of which files were analysed before it in this process.
        analyzer = Analyzer(index)
    return analyzer.analyze(info) if info is not None else []
