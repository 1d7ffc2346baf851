"""A substring prefilter that proves a file holds no SP-API use before anything is parsed.

A file can only hold a use if it mentions a client package (or an SP-API host), contains an
SP-API path prefix ("/orders/v0", "/reports/2021-06-30", ...), contains a known type name as a
whole quoted string, or imports a declarative HTTP stream framework (Singer SDK, Airbyte CDK)
and quotes the start of an SP-API path without its version (``f"orders/{VERSION}/orders"``).
Every test is one scan at C speed whose first character is a literal (a substring search, or a
regex starting with "/" or a quote, which ``re`` finds with a fast literal search); the precise
check runs only on files that pass it. Never one regex alternation of many names, nor one
substring search per name: both cost tens of times more on ordinary code (the API names of the
stream test are one alternation, run only on the few files that import a stream framework).
Project-wide facts (names defined by modules that do use SP-API) come in as ``extra`` words from
the project index.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Optional, Tuple

from .. import knowledge
from . import clients as clients_module

REASON_IMPORT = "import"
REASON_PATH = "path"
REASON_TYPE = "type"
REASON_STREAM = "stream"
REASON_PROJECT = "project"

_HOST_ANCHORS = ("sellingpartnerapi",)
# Packages of declarative HTTP streams (``engine/streams.py``), whose paths are often written
# relative to ``url_base`` with the version from a constant.
_STREAM_FRAMEWORKS = ("singer_sdk", "airbyte_cdk")
_VERSION_SEGMENT = re.compile(r"v\d+|\d{4}-\d{2}-\d{2}")
_QUOTED_WORD = re.compile(r"""(['"])(\w+)\1""")
_UPPER_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
# A quoted upper-case word; the closing quote is not consumed, so every quote may open one.
_QUOTED_UPPER = (re.compile(r"'([A-Z_][A-Z0-9_]*)(?=')"), re.compile(r'"([A-Z_][A-Z0-9_]*)(?=")'))
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Prefilter:
    """Static anchors derived from the client tables and the knowledge base."""

    def __init__(self, kb: knowledge.KnowledgeBase, clients: clients_module.Clients):
        anchors = set(clients.namespaces) | set(_HOST_ANCHORS)
        # an anchor containing another ("amazon_sp_api_clients" holds "sp_api") needs no scan
        self.import_anchors: Tuple[str, ...] = tuple(
            sorted(
                anchor
                for anchor in anchors
                if not any(other != anchor and other in anchor for other in anchors)
            )
        )
        # a real import of a client package (a variable named `sp_api` is no such thing)
        self.client_import = re.compile(
            r"^[ \t]*(?:from|import)[ \t]+(?:"
            + "|".join(re.escape(namespace) for namespace in sorted(clients.namespaces))
            + r")\b",
            re.MULTILINE,
        )
        prefixes = set()
        for op in kb.operations.values():
            prefix = api_prefix(op.path)
            if prefix:
                prefixes.add(prefix)
        self.path_prefixes: Tuple[str, ...] = tuple(sorted(prefixes))
        # "/v0", "/v1", "/202" ...: every prefix contains one of these; one scan for all of them
        path_gates = sorted({p[p.rindex("/"):][:4] for p in prefixes})
        self.path_gate = re.compile("|".join(re.escape(gate) for gate in path_gates))
        # the API name before the version ("orders", "fba/inventory"), quoted or after a "/"; run
        # only on the few files that import a stream framework
        api_names = sorted({p[1:p.rindex("/")] for p in prefixes if p.count("/") > 1})
        self.stream_path = re.compile(
            r"""['"/](?:""" + "|".join(re.escape(name) for name in api_names) + ")/"
        )
        self.type_names: FrozenSet[str] = kb.type_names
        # the few names not in upper case ("brandedItemContentChange") are searched as substrings
        self.other_type_names: Tuple[str, ...] = tuple(
            sorted(name for name in self.type_names if not _UPPER_NAME.fullmatch(name))
        )

    def reason(self, source: str, extra: Optional[FrozenSet[str]] = None) -> Optional[str]:
        """Why ``source`` may hold a use (one of the REASON_* values), or None when it cannot."""
        for anchor in self.import_anchors:
            if anchor in source:
                return REASON_IMPORT
        if self.has_path(source):
            return REASON_PATH
        if self.has_type_literal(source):
            return REASON_TYPE
        if self.has_stream_path(source):
            return REASON_STREAM
        if extra and not extra.isdisjoint(words(source)):
            return REASON_PROJECT
        return None

    def talks_to_sp_api(self, source: str, reason: str) -> bool:
        """Whether a file that passed for ``reason`` really imports a client or names an SP-API
        host or path, so that the names it defines may carry SP-API into other modules."""
        if reason != REASON_IMPORT:
            return reason == REASON_PATH
        return self.client_import.search(source) is not None or any(
            host in source for host in _HOST_ANCHORS
        )

    def has_path(self, source: str) -> bool:
        if self.path_gate.search(source) is None:
            return False
        return any(prefix in source for prefix in self.path_prefixes)

    def has_stream_path(self, source: str) -> bool:
        return any(
            framework in source for framework in _STREAM_FRAMEWORKS
        ) and self.stream_path.search(source) is not None

    def has_type_literal(self, source: str) -> bool:
        names = self.type_names
        for quoted in _QUOTED_UPPER:
            if not names.isdisjoint(quoted.findall(source)):
                return True
        for name in self.other_type_names:
            if name in source:
                return any(match.group(2) in names for match in _QUOTED_WORD.finditer(source))
        return False


def api_prefix(path: str) -> str:
    """The path up to and including its version segment ("/orders/v0"), or "" if it has none."""
    segments = [s for s in path.split("/") if s]
    for i, segment in enumerate(segments):
        if _VERSION_SEGMENT.fullmatch(segment):
            return "/" + "/".join(segments[: i + 1])
    return ""


def words(source: str) -> FrozenSet[str]:
    """Every identifier-like word of ``source`` (for project anchors)."""
    return frozenset(_WORD.findall(source))


_CACHE: Dict[int, Prefilter] = {}


def load() -> Prefilter:
    """The prefilter, built once per process."""
    kb = knowledge.load()
    cached = _CACHE.get(id(kb))
    if cached is None:
        cached = _CACHE[id(kb)] = Prefilter(kb, clients_module.load())
    return cached
