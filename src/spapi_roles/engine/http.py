"""Raw HTTP: URLs and paths that fold to an SP-API path, with the verb taken from the call.

Any call argument (``requests.get(url)``, ``session.request("POST", url)``, an in-house
``client.post(path)``, ``RestrictedResource(method=..., path=...)``) whose value folds — literals,
f-strings, ``+`` and ``.format``, constants from this or other project modules; unknown parts
become ``{}`` — to an SP-API path, optionally behind a scheme and host, is matched against the
knowledge base's path templates. Dict literals with a ``"path"`` key (Restricted Data Token
``restrictedResources``, data-driven endpoint tables) are read the same way with their
``"method"`` key. Types travel in the path (``{notificationType}``), the query string or a body
dict under the operation's type argument.
"""

from __future__ import annotations

import ast
import re
from typing import Dict, List, Optional, Sequence, Tuple

from .. import knowledge
from .carriers import CarrierReader, TypeHit, split
from .prefilter import api_prefix
from .model import Point
from .nodes import call_arguments, string_value
from .resolver import Resolver
from .values import Str

HTTP_VERBS = frozenset(("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"))
_SCHEME_HOST = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/]*")
_BARE_HOST = re.compile(r"^(?:\{\})?[\w.-]*sellingpartnerapi[\w.-]*(?=/)")
_BODY_KEYWORDS = ("json", "data", "body", "params", "payload")
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
# path parameters of the SP-API models that hold a type
# (/notifications/v1/subscriptions/{notificationType})
PATH_TYPE_PARAMETERS = {
    "notificationType": "notification",
    "reportType": "report",
    "feedType": "feed",
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


def _called_name(call: ast.Call) -> str:
    func = call.func
    kind = type(func)
    return func.attr if kind is ast.Attribute else func.id if kind is ast.Name else ""


def _request_like(call: ast.Call) -> bool:
    name = _called_name(call)
    words = name.lower().strip("_").split("_")
    return any(
        word.upper() in HTTP_VERBS or any(w in word for w in _REQUEST_WORDS) for word in words
    )


def sp_api_path(text: str, prefixes: frozenset) -> Optional[str]:
    """The SP-API path inside a URL or path string (scheme, host, query removed), or None.

    A host, if written, must be an SP-API host or unknown (``{}``).
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
        return None
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

    def call(self, call: ast.Call, point: Point) -> List[HttpMatch]:
        """Operations a request-like call reaches (not a log message or a string helper).

        Request-like: named like a verb or a request, a URL keyword, or a literal verb argument.
        The verb is worked out only once an argument folds to an SP-API path.
        """
        positional, keywords, _ = call_arguments(call)
        if not (
            _request_like(call)
            or any(k in URL_KEYWORDS for k in keywords)
            or any(string_value(arg) in HTTP_VERBS for arg in positional)
        ):
            return []
        found: List[HttpMatch] = []
        for expr in list(positional) + list(keywords.values()):
            if type(expr) not in _URL_EXPRESSIONS or (
                type(expr) is ast.Constant and type(expr.value) is not str
            ):
                continue
            found.extend(self._matches(expr, point))
        if found:
            verb = self._verb(call, positional, keywords, point)
            found = [m for m in (self._matched(m.value, m.site, verb) for m in found) if m]
        return found

    def path_dict(self, node: ast.Dict, point: Point) -> List[HttpMatch]:
        entries: Dict[str, ast.expr] = {}
        for key_node, value in zip(node.keys, node.values):
            key = string_value(key_node)
            if key in ("path", "method"):
                entries[key] = value
        if "path" not in entries:
            return []
        verb = self._verb_of(entries["method"], point) if "method" in entries else None
        candidates = self._matches(entries["path"], point)
        return [m for m in (self._matched(c.value, c.site, verb) for c in candidates) if m]

    def _matches(self, expr: ast.expr, point: Point) -> List[HttpMatch]:
        """Values of ``expr`` that fold to an SP-API path (operations matched with any verb)."""
        found = []
        for value in self.resolver.eval(expr, point, callsites=False):
            if isinstance(value, Str):
                match = self._matched(value, value.site or expr, None)
                if match is not None:
                    found.append(match)
        return found

    def _matched(self, value: Str, site: ast.AST, verb: Optional[str]) -> Optional[HttpMatch]:
        path = sp_api_path(value.value, self.prefixes)
        if path is None:
            return None
        ops = self.kb.match_http(verb, path)
        return HttpMatch(ops, site, path, verb, value) if ops else None

    def _verb(self, call: ast.Call, positional, keywords, point: Point) -> Optional[str]:
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
    ) -> Tuple[List[TypeHit], List[TypeHit]]:
        """Types an HTTP request passes: in a path parameter, the query string or a body dict."""
        hits: List[TypeHit] = []
        segments = [s for s in match.path.split("/") if s]
        template = [s for s in op.path.split("/") if s]
        if len(segments) == len(template):
            for segment, placeholder in zip(segments, template):
                kind = PATH_TYPE_PARAMETERS.get(placeholder.strip("{}"))
                if placeholder.startswith("{") and kind and segment != "{}":
                    names = self.carriers.type_names(Str(segment, None), kind)
                    hits.extend(TypeHit(kind, name, match.site) for name in names)
        kind, argument = op.type_carrier, op.type_argument
        if kind not in ("report", "feed", "notification") or not argument:
            return hits, []
        query = match.value.value.partition("?")[2]
        for pair in query.split("&"):
            key, _, raw = pair.partition("=")
            if key == argument:
                names = self.carriers.type_names(Str(raw, None), kind)
                hits.extend(TypeHit(kind, name, match.site) for name in names)
        unresolved: List[TypeHit] = []
        if call is not None:
            positional, keywords, star_kwargs = call_arguments(call)
            bodies = [keywords[k] for k in _BODY_KEYWORDS if k in keywords]
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
