"""Raw HTTP: URLs and paths that fold to an SP-API path, with the verb taken from the call.

Any call argument (``requests.get(url)``, ``session.request("POST", url)``, an in-house
``client.post(path)``, ``RestrictedResource(method=..., path=...)``) whose value folds — literals,
f-strings, ``+`` and ``.format``, constants from this or other project modules; unknown parts
become ``{}`` — to an SP-API path, optionally behind a scheme and host, is matched against the
knowledge base's path templates. Dict literals with a ``"path"`` key (Restricted Data Token
``restrictedResources``, data-driven endpoint tables) are read the same way with their
``"method"`` key. Types travel in the path (``{notificationType}``), the query string or a body
dict under the operation's type argument.

Not every call that receives a path is a request. A call of a project function is one only when
the function passes that argument on to a request (a *wrapper*: ``_request(method, path)``) or
builds a URL from it and returns it; a signing or logging helper that only receives the URL is
not. Its verb is the call's own (``_request("GET", ...)``) or, failing that, the one every request
of the wrapper uses (``_get(url)`` calling ``session.get``). Decorators, web-server route tables
and HTTP mocking libraries (``@app.get(path)``, ``app.add_url_rule``, ``responses.add``) serve
or fake a path; they never request it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Callable, Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

from .. import knowledge
from ..uses import KIND_FEED, KIND_NOTIFICATION, KIND_REPORT, TypeKind, type_kind
from .carriers import CarrierReader, TypeHit, split
from .prefilter import api_prefix
from .model import Point, Scope
from .nodes import HTTP_VERBS, Dispatched, argument_for, arguments, call_arguments, string_value
from .resolver import Resolver
from .values import Container, Opaque, ProjectFunc, QName, Str, Value

_SCHEME_HOST = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/]*")
_BARE_HOST = re.compile(r"^(?:\{\})?[\w.-]*sellingpartnerapi[\w.-]*(?=/)")
# keywords that carry a request body or query: ``json=``, ``data=``, an in-house ``json_body=``
_BODY_WORDS = ("json", "data", "body", "params", "payload")
# argument expressions that may hold a URL (strings and f-strings, names, ``+``, calls, items)
_URL_EXPRESSIONS = frozenset(
    (ast.Constant, ast.JoinedStr, ast.Name, ast.Attribute, ast.BinOp, ast.Call, ast.Subscript)
)
# A call is read as an HTTP request if its name is a verb or has one of these words in it, a
# keyword argument names a URL, or an argument is an HTTP verb ("GET", method="POST").
_REQUEST_WORDS = (
    "request",
    "call",
    "fetch",
    "send",
    "api",
    "http",
    "invoke",
    "execute",
    "urlopen",
    "url",
)
URL_KEYWORDS = frozenset(("url", "path", "endpoint", "uri", "resource_path", "resource", "route"))
# Calls that send a request themselves (the leaves a wrapper's path must reach): a verb
# (``session.get``), ``request`` / ``urlopen`` / ``fetch`` / ``stream``, or a request object built
# for sending (``requests.Request(method, url)``).
_SENDING_NAMES = frozenset(verb.lower() for verb in HTTP_VERBS) | frozenset(
    ("request", "urlopen", "fetch", "stream")
)
_REQUEST_CLASSES = frozenset(("Request", "AWSRequest", "HTTPRequest"))
# Packages whose objects serve or fake paths (web servers, HTTP mocking libraries): a path given
# to them is never a request.
_SERVING_PACKAGES = (
    "aiohttp.web",
    "bottle",
    "django",
    "falcon",
    "fastapi",
    "flask",
    "litestar",
    "pyramid",
    "quart",
    "sanic",
    "starlette",
    "tornado.web",
    "aioresponses",
    "httpretty",
    "pytest_httpx",
    "requests_mock",
    "responses",
    "respx",
)
# Modules that build or parse URLs without sending them (``urljoin``, ``posixpath.join``).
_URL_HELPER_MODULES = ("urllib.parse", "posixpath", "os.path", "yarl", "furl")
_WRAPPER_DEPTH = 3  # wrappers of wrappers followed, e.g. ``get`` -> ``request`` -> ``_send``
_STRING_BUILDERS = frozenset(("format", "join", "urljoin", "replace", "strip", "rstrip", "lstrip"))
# path parameters of the SP-API models that hold a type
# (/notifications/v1/subscriptions/{notificationType})
PATH_TYPE_PARAMETERS: Dict[str, TypeKind] = {
    "notificationType": KIND_NOTIFICATION,
    "reportType": KIND_REPORT,
    "feedType": KIND_FEED,
}


class HttpMatch:
    """Operations one URL argument reaches."""

    __slots__ = ("ops", "site", "path", "verb", "value")

    def __init__(
        self,
        ops: List[knowledge.Operation],
        site: ast.AST,
        path: str,
        verb: Optional[str],
        value: Str,
    ):
        self.ops = ops
        self.site = site
        self.path = path
        self.verb = verb
        self.value = value


@dataclass(frozen=True)
class Forwarding:
    """What a project function does with its parameters, as far as URLs go.

    ``params``: the parameters whose value reaches the URL of a request it sends (directly or
    through another wrapper); ``verbs``: the literal verbs of those requests ("" for a verb that
    is not a literal, e.g. a parameter); ``returns_url``: a parameter reaches a string it returns
    (a URL builder).
    """

    params: FrozenSet[str]
    verbs: FrozenSet[str]
    returns_url: bool


_NOTHING_FORWARDED = Forwarding(frozenset(), frozenset(), False)


def _called_name(call: ast.Call) -> str:
    func: Dispatched = call.func
    kind = type(func)
    return func.attr if kind is ast.Attribute else func.id if kind is ast.Name else ""


def _request_like(call: ast.Call) -> bool:
    name = _called_name(call)
    if name.startswith("add_"):  # ``add_url_rule``, ``add_api_route``, ``router.add_get``: servers
        return False
    words = name.lower().strip("_").split("_")
    return any(
        word.upper() in HTTP_VERBS or any(w in word for w in _REQUEST_WORDS) for word in words
    )


def _sends(call: ast.Call) -> bool:
    """Whether ``call`` sends a request itself, by its name (``session.get``, ``urlopen``)."""
    name = _called_name(call)
    return name in _REQUEST_CLASSES or name.lower().lstrip("_") in _SENDING_NAMES


def never_requests(values: Iterable[Value]) -> bool:
    """Whether a callee or receiver belongs to a web server, an HTTP mocking library or a URL
    helper: a path given to it is served, faked or only built, never requested."""
    for value in values:
        name = value.name if isinstance(value, QName) else (
            value.what if isinstance(value, Opaque) else ""
        )
        if name and any(
            name == package or name.startswith(package + ".")
            for package in _SERVING_PACKAGES + _URL_HELPER_MODULES
        ):
            return True
    return False


def sp_api_path(text: str, prefixes: FrozenSet[str]) -> Optional[str]:
    """The SP-API path inside a URL or path string (scheme, host, query removed), or None.

    A host, if written, must be an SP-API host or unknown (``{}``); a path without a host may be
    relative to a base URL (``"orders/v0/orders"``).
    """
    text = text.strip()
    host = _SCHEME_HOST.match(text)
    if host is not None:
        if "{}" not in host.group() and "sellingpartnerapi" not in host.group():
            return None  # a concrete host that is not SP-API's
        text = text[host.end():]
    text = _BARE_HOST.sub("", text, count=1)
    while text.startswith("{}"):
        text = text[2:]
    text = text.split("?", 1)[0].split("#", 1)[0]
    if not text.startswith("/"):
        if host is not None or not text[:1].isalpha():
            return None
        text = "/" + text  # relative to a base URL: ``url_base + "orders/v0/orders"``
    return text if api_prefix(text) in prefixes else None


class HttpReader:
    def __init__(
        self,
        resolver: Resolver,
        kb: knowledge.KnowledgeBase,
        carriers: CarrierReader,
        prefixes: Sequence[str],
    ):
        self.resolver = resolver
        self.kb = kb
        self.carriers = carriers
        self.prefixes = frozenset(prefixes)
        self._forwardings: Dict[int, Forwarding] = {}

    def call(
        self,
        call: ast.Call,
        point: Point,
        callees: Sequence[ProjectFunc] = (),
        owner_verb: Optional[Callable[[], Optional[str]]] = None,
    ) -> List[HttpMatch]:
        """Operations a request-like call reaches (not a log message or a string helper).

        Request-like: named like a verb or a request, a URL keyword, or a literal verb argument;
        a call of project functions (``callees``) only with the arguments they forward to a
        request (see the module docstring). The verb is worked out only once an argument folds to
        an SP-API path; a method of project objects that names none
        (``self._create_prepared_request(path=...)``) takes ``owner_verb()``: the one the
        objects declare (``streams.StreamReader.owner_verb``).
        """
        positional, keywords, _ = call_arguments(call)
        request_like = (
            _request_like(call)
            or any(k in URL_KEYWORDS for k in keywords)
            or any(string_value(arg) in HTTP_VERBS for arg in positional)
        )
        expressions: Sequence[ast.expr] = [
            e
            for e in _urls(list(positional) + list(keywords.values()))
            if not self.from_request_data(e, point)
        ]
        if not expressions:
            return self.unpacked(call, point) if _sends(call) else []
        wrapped: List[Tuple[ProjectFunc, Forwarding]] = []
        if callees:
            # a request-like call is read first: its callees matter only if an argument matches
            if request_like and not any(self._matches(e, point) for e in expressions):
                return []
            forwarded = [(callee, self.forwarding(callee.scope)) for callee in callees]
            if not any(f.params or f.returns_url for _, f in forwarded):
                return []  # a project helper that only receives the URL (signing, logging)
            wrapped = [(callee, f) for callee, f in forwarded if f.params]
            if wrapped:
                expressions = _urls(self._forwarded_arguments(call, wrapped))
            elif not request_like:
                return []
        elif not request_like:
            return []
        found: List[HttpMatch] = []
        for expr in expressions:
            found.extend(self._matches(expr, point))
        if found:
            verb = self._verb(call, positional, keywords, point)
            if verb is None and wrapped:
                verbs = {v for _, f in wrapped for v in f.verbs}
                verb = verbs.pop() if len(verbs) == 1 else None
            if verb is None and owner_verb is not None:
                verb = owner_verb()
            found = [m for m in (self.matched(m.value, m.site, verb) for m in found) if m]
        return found

    def unpacked(self, call: ast.Call, point: Point) -> List[HttpMatch]:
        """``requests.request(*req)`` / ``session.request(**req)``: a request that a helper
        returned as data, ``(method, url, body)`` or ``{"method": ..., "url": ...}``. The verb and
        the URL are read from what it returns (a verb parameter through its default and call
        sites); the use is at the unpacked argument. A tuple with a literal verb first, or a dict
        with a ``"path"`` key, is the use where it is written (``request_tuple``, ``path_dict``)."""
        found: List[HttpMatch] = []
        for position, argument in enumerate(arguments(call)):
            if argument.star not in ("**", "*") or (argument.star == "*" and position):
                continue
            for value in self.resolver.eval(argument.value, point):
                if not isinstance(value, Container):
                    continue
                node = value.node
                method: Optional[ast.expr]
                if isinstance(node, (ast.Tuple, ast.List)) and argument.star == "*":
                    verb = (string_value(node.elts[0]) or "").upper() if node.elts else ""
                    if len(node.elts) < 2 or verb in HTTP_VERBS:
                        continue  # a request tuple: reported where it is written
                    url, method = node.elts[1], node.elts[0]
                elif isinstance(node, ast.Dict) and argument.star == "**":
                    entries = {string_value(k): v for k, v in zip(node.keys, node.values)}
                    if "path" in entries or "url" not in entries:
                        continue  # a path dict is reported where it is written
                    url, method = entries["url"], entries.get("method")
                else:
                    continue
                found.extend(self.from_data(url, method, value.point, argument.value))
        return found

    def from_request_data(self, expr: ast.expr, point: Point) -> bool:
        """Whether ``expr`` builds its URL from a local unpacked from a request written as data
        (``verb, template = ENDPOINTS[name]`` over ``("GET", path)`` tuples, then
        ``HOST + template.format(...)``): that request is a use where it is written, not again
        where it is sent."""
        for name in ast.walk(expr):
            if not isinstance(name, ast.Name):
                continue
            bindings = point.scope.bindings.get(name.id, ())
            if not bindings or any(b.kind != "unpack" or b.value is None for b in bindings):
                continue
            for binding in bindings:
                for value in self.resolver.eval(binding.value, point):
                    node = value.node if isinstance(value, Container) else None
                    if (
                        isinstance(node, ast.Tuple)
                        and node.elts
                        and (string_value(node.elts[0]) or "").upper() in HTTP_VERBS
                    ):
                        return True
        return False

    def from_data(
        self, url: ast.expr, method: Optional[ast.expr], point: Point, site: ast.AST
    ) -> List[HttpMatch]:
        """Operations of a URL and a verb read from data (``point``: where the data is built),
        reported at ``site`` (where the call unpacks it)."""
        verb = self._verb_of(method, point) if method is not None else None
        found = []
        for candidate in self._matches(url, point):
            match = self.matched(candidate.value, site, verb)
            if match is not None:
                found.append(match)
        return found

    @staticmethod
    def _forwarded_arguments(
        call: ast.Call, wrapped: Sequence[Tuple[ProjectFunc, Forwarding]]
    ) -> List[ast.expr]:
        """The arguments of ``call`` bound to parameters its callees forward to a request."""
        found: List[ast.expr] = []
        for callee, forwarding in wrapped:
            shift = 1 if callee.self_value is not None else 0
            for param in callee.scope.params:
                if param.name in forwarding.params:
                    expr = argument_for(call, param, shift)
                    if expr is not None and all(expr is not seen for seen in found):
                        found.append(expr)
        return found

    # ------------------------------------------------------------------ wrappers
    def forwarding(self, function: Scope, depth: int = 0) -> Forwarding:
        """What ``function`` does with its parameters (``Forwarding``), memoised per run."""
        key = id(function)
        cached = self._forwardings.get(key)
        if cached is not None:
            return cached
        self._forwardings[key] = _NOTHING_FORWARDED  # a recursive wrapper forwards nothing more
        flow = _Flow(function)
        reached: Set[str] = set()
        verbs: Set[str] = set()
        if flow.params:
            for record in function.calls:
                node = record.node
                positional, keywords, _ = call_arguments(node)
                arguments = positional + list(keywords.values())
                if not any(flow.of(a) for a in arguments):
                    continue  # no parameter reaches this call (its callee is not even resolved)
                if _sends(node):
                    urls = list(positional) + [
                        v for k, v in keywords.items() if k in URL_KEYWORDS
                    ]
                    found = frozenset().union(*(flow.of(u) for u in urls))
                    if found:
                        reached |= found
                        verbs.add(self._literal_verb(node, positional, keywords))
                elif depth < _WRAPPER_DEPTH:
                    for callee in self.resolver.eval(node.func, record.point):
                        if not isinstance(callee, ProjectFunc) or callee.scope is function:
                            continue
                        inner = self.forwarding(callee.scope, depth + 1)
                        for expr in self._forwarded_arguments(node, [(callee, inner)]):
                            found = flow.of(expr)
                            if found:
                                reached |= found
                                verbs |= inner.verbs
        returns_url = any(
            _builds_string(expr, function) and flow.of(expr) for expr, _ in function.returns
        )
        result = Forwarding(frozenset(reached), frozenset(verbs), returns_url)
        self._forwardings[key] = result
        return result

    @staticmethod
    def _literal_verb(
        call: ast.Call, positional: List[ast.expr], keywords: Dict[str, ast.expr]
    ) -> str:
        """The verb a sending call names literally: its name, ``method=`` or a first argument."""
        name = _called_name(call).lstrip("_").upper()
        if name in HTTP_VERBS:
            return name
        expr = keywords.get("method", positional[0] if positional else None)
        verb = (string_value(expr) or "").upper()
        return verb if verb in HTTP_VERBS else ""

    def path_dict(self, node: ast.Dict, point: Point) -> List[HttpMatch]:
        entries: Dict[str, ast.expr] = {}
        for key_node, value in zip(node.keys, node.values):
            key = string_value(key_node)
            if key in ("path", "method"):
                entries[key] = value
        if "path" not in entries:
            return []
        return self.described(entries["path"], entries.get("method"), point)

    def request_tuple(self, node: ast.Tuple, point: Point) -> List[HttpMatch]:
        """``("POST", path, body)``: a request described as data (its verb is the first item);
        the operation is where the path is written, whoever sends the tuple later."""
        for element in node.elts[1:]:
            found = self.described(element, node.elts[0], point)
            if found:
                return found
        return []

    def described(
        self, path: ast.expr, method: Optional[ast.expr], point: Point
    ) -> List[HttpMatch]:
        """Operations of a request written as data: a path and, if given, its verb."""
        verb = self._verb_of(method, point) if method is not None else None
        candidates = self._matches(path, point)
        return [m for m in (self.matched(c.value, c.site, verb) for c in candidates) if m]

    def _matches(self, expr: ast.expr, point: Point) -> List[HttpMatch]:
        """Values of ``expr`` that fold to an SP-API path (operations matched with any verb)."""
        found = []
        for value in self.resolver.eval(expr, point, callsites=0):
            if isinstance(value, Str):
                match = self.matched(value, value.site or expr, None)
                if match is not None:
                    found.append(match)
        return found

    def matched(self, value: Str, site: ast.AST, verb: Optional[str]) -> Optional[HttpMatch]:
        path = sp_api_path(value.value, self.prefixes)
        if path is None:
            return None
        ops = self.kb.match_http(verb, path)
        return HttpMatch(ops, site, path, verb, value) if ops else None

    def _verb(
        self,
        call: ast.Call,
        positional: List[ast.expr],
        keywords: Dict[str, ast.expr],
        point: Point,
    ) -> Optional[str]:
        name = _called_name(call)
        if name.upper() in HTTP_VERBS:
            return name.upper()
        if "method" in keywords:
            return self._verb_of(keywords["method"], point)
        for expr in positional:
            if type(expr) in (ast.Name, ast.Attribute) or string_value(expr) is not None:
                verb = self._verb_of(expr, point)
                if verb:
                    return verb
        return None

    def _verb_of(self, expr: ast.expr, point: Point) -> Optional[str]:
        verbs = {
            v.value.upper()
            for v in self.resolver.eval(expr, point)
            if isinstance(v, Str)
        }
        verbs &= HTTP_VERBS
        return verbs.pop() if len(verbs) == 1 else None

    # ------------------------------------------------------------------ types in raw requests
    def types(
        self,
        match: HttpMatch,
        op: knowledge.Operation,
        call: Optional[ast.Call],
        point: Point,
        bodies: Sequence[ast.expr] = (),
    ) -> Tuple[List[TypeHit], List[TypeHit]]:
        """Types an HTTP request passes: in a path parameter, the query string or a body dict
        (the call's, or ``bodies`` of a request written as data)."""
        hits: List[TypeHit] = []
        segments = [s for s in match.path.split("/") if s]
        template = [s for s in op.path.split("/") if s]
        if len(segments) == len(template):
            for segment, placeholder in zip(segments, template):
                kind = PATH_TYPE_PARAMETERS.get(placeholder.strip("{}"))
                if placeholder.startswith("{") and kind and segment != "{}":
                    names = self.carriers.type_names(Str(segment, None), kind)
                    hits.extend(TypeHit(kind, name, match.site) for name in names)
        kind, argument = type_kind(op.type_carrier), op.type_argument
        if kind is None or not argument:
            return hits, []
        query = match.value.value.partition("?")[2]
        for pair in query.split("&"):
            key, _, raw = pair.partition("=")
            if key == argument:
                names = self.carriers.type_names(Str(raw, None), kind)
                hits.extend(TypeHit(kind, name, match.site) for name in names)
        unresolved: List[TypeHit] = []
        if call is None and bodies:
            leaves = []
            for body in bodies:
                leaves.extend(self.carriers.body_leaves(body, (argument,), point, 0))
            body_hits, unresolved = self.carriers.read(leaves, kind)
            hits.extend(body_hits)
        if call is not None:
            positional, keywords, star_kwargs = call_arguments(call)
            bodies = [v for k, v in keywords.items() if any(w in k for w in _BODY_WORDS)]
            bodies += [p for p in positional if type(p) is ast.Dict] + star_kwargs
            leaves = (
                [(leaf, point) for leaf in split(keywords[argument])]
                if argument in keywords
                else []
            )
            for body in bodies:
                leaves.extend(self.carriers.body_leaves(body, (argument,), point, 0))
            body_hits, unresolved = self.carriers.read(leaves, kind)
            hits.extend(body_hits)
        return hits, ([] if hits else unresolved)


def _urls(expressions: Iterable[ast.expr]) -> List[ast.expr]:
    """The argument expressions that may hold a URL (not numbers, not containers)."""
    return [
        expr
        for expr in expressions
        if type(expr) in _URL_EXPRESSIONS
        and (type(expr) is not ast.Constant or type(expr.value) is str)
    ]


class _Flow:
    """Which parameters of a function reach each expression of it (through its locals)."""

    def __init__(self, function: Scope):
        self.function = function
        self.params = frozenset(p.name for p in function.params if p.name != function.self_name)
        self._names: Dict[str, FrozenSet[str]] = {}

    def of(self, expr: ast.expr) -> FrozenSet[str]:
        """The parameters whose value may flow into ``expr``."""
        found: FrozenSet[str] = frozenset()
        stack: List[Dispatched] = [expr]
        while stack:
            node = stack.pop()
            kind = type(node)
            if kind is ast.Name:
                found |= self._name(node.id)
            elif kind is ast.Attribute:  # ``self.session``, ``paths.ORDERS``: the object's name
                stack.append(node.value)
            elif kind is ast.Call:
                stack.append(node.func)
                stack.extend(node.args)
                stack.extend(k.value for k in node.keywords)
            elif kind is ast.BinOp:
                stack.append(node.left)
                stack.append(node.right)
            elif kind is ast.JoinedStr:
                stack.extend(v.value for v in node.values if type(v) is ast.FormattedValue)
            elif kind is not ast.Constant:
                stack.extend(ast.iter_child_nodes(node))
        return found

    def _name(self, name: str) -> FrozenSet[str]:
        if name in self.params:
            return frozenset((name,))
        found = self._names.get(name)
        if found is None:
            self._names[name] = frozenset()  # a name bound from itself adds nothing more
            found = frozenset().union(
                *(
                    self.of(binding.value)
                    for binding in self.function.bindings.get(name, ())
                    if binding.kind in ("assign", "for", "with") and binding.value is not None
                )
            )
            self._names[name] = found
        return found


def _builds_string(expr: Dispatched, function: Scope, depth: int = 0) -> bool:
    """Whether ``expr`` builds a string: an f-string, ``+`` / ``%``, ``.format`` / ``.join`` /
    ``urljoin``, or a local bound to one."""
    kind = type(expr)
    if kind is ast.JoinedStr or (kind is ast.BinOp and type(expr.op) in (ast.Add, ast.Mod)):
        return True
    if kind is ast.Call:
        return _called_name(expr) in _STRING_BUILDERS
    if kind is ast.Name and depth < 4:
        return any(
            binding.kind == "assign" and _builds_string(binding.value, function, depth + 1)
            for binding in function.bindings.get(expr.id, ())
        )
    return False
