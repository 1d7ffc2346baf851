"""A substring prefilter that proves a file holds no SP-API use before anything is parsed.

A file can only hold a use if it mentions a client package (or an SP-API host), contains an
SP-API path prefix ("/orders/v0", "/reports/2021-06-30", ...), or contains a known type name as a
whole quoted string. Each test starts with a few plain substring searches (C speed); the precise
check runs only on files that pass one of them. Project-wide facts (names defined by modules that
do use SP-API) come in as ``extra`` words from the project index.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Iterable, Optional, Tuple

from .. import knowledge
from . import clients as clients_module

REASON_IMPORT = "import"
REASON_PATH = "path"
REASON_TYPE = "type"
REASON_PROJECT = "project"

_HOST_ANCHORS = ("sellingpartnerapi",)
_VERSION_SEGMENT = re.compile(r"v\d+|\d{4}-\d{2}-\d{2}")
_QUOTED_WORD = re.compile(r"""(['"])(\w+)\1""")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Prefilter:
    """Static anchors derived from the client tables and the knowledge base."""

    def __init__(self, kb: knowledge.KnowledgeBase, clients: clients_module.Clients):
        self.import_anchors: Tuple[str, ...] = tuple(sorted(clients.namespaces)) + _HOST_ANCHORS
        prefixes = set()
        for op in kb.operations.values():
            prefix = api_prefix(op.path)
            if prefix:
                prefixes.add(prefix)
        self.path_prefixes: Tuple[str, ...] = tuple(sorted(prefixes))
        # "/v0", "/v1", "/202" ...: every prefix contains one of these
        self.path_gates: Tuple[str, ...] = tuple(sorted({p[p.rindex("/"):][:4] for p in prefixes}))
        self.type_names: FrozenSet[str] = kb.type_names
        self.type_gates: Tuple[str, ...] = tuple(sorted(_type_gates(self.type_names)))

    def reason(self, source: str, extra: Optional[FrozenSet[str]] = None) -> Optional[str]:
        """Why ``source`` may hold a use (one of the REASON_* values), or None when it cannot."""
        for anchor in self.import_anchors:
            if anchor in source:
                return REASON_IMPORT
        if self.has_path(source):
            return REASON_PATH
        if self.has_type_literal(source):
            return REASON_TYPE
        if extra and not extra.isdisjoint(words(source)):
            return REASON_PROJECT
        return None

    def has_path(self, source: str) -> bool:
        for gate in self.path_gates:
            if gate in source:
                return any(prefix in source for prefix in self.path_prefixes)
        return False

    def has_type_literal(self, source: str) -> bool:
        for gate in self.type_gates:
            if gate in source:
                names = self.type_names
                return any(match.group(2) in names for match in _QUOTED_WORD.finditer(source))
        return False


def api_prefix(path: str) -> str:
    """The path up to and including its version segment ("/orders/v0"), or "" if it has none."""
    segments = [s for s in path.split("/") if s]
    for i, segment in enumerate(segments):
        if _VERSION_SEGMENT.fullmatch(segment):
            return "/" + "/".join(segments[: i + 1])
    return ""


def _type_gates(names: Iterable[str]) -> set:
    """Short substrings such that every type name contains one ("GET_", "POST_", "ORDER_CHANGE"...)."""
    gates = set()
    for name in names:
        words_ = name.strip("_").split("_")
        if words_[0] in ("GET", "POST"):
            gates.add(words_[0] + "_")
        else:
            gates.add("_".join(words_[:2]))
    return gates


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
