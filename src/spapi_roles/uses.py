"""What the detection engine yields: one ``Use`` per SP-API operation or type found in code.

The vocabulary every layer shares (kinds of use, evidence) and the one place a ``Use`` is
copied and serialised.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Callable, Dict, Final, List, Literal, Tuple, Union

UseKind = Literal["operation", "report", "feed", "notification"]
TypeKind = Literal["report", "feed", "notification"]
Evidence = Literal["receiver", "carrier", "literal", "name-only", "unresolved"]

# What was used.
KIND_OPERATION: Final = "operation"
KIND_REPORT: Final = "report"
KIND_FEED: Final = "feed"
KIND_NOTIFICATION: Final = "notification"
TYPE_KINDS: Tuple[TypeKind, ...] = (KIND_REPORT, KIND_FEED, KIND_NOTIFICATION)
KINDS: Tuple[UseKind, ...] = (KIND_OPERATION, KIND_REPORT, KIND_FEED, KIND_NOTIFICATION)

# How sure the engine is that this really is a use (strongest first).
# call on a receiver resolved to a client class, or a raw HTTP path matched
EVIDENCE_RECEIVER: Final = "receiver"
# type value resolved at a type-carrying argument of a known operation
EVIDENCE_CARRIER: Final = "carrier"
# a string literal equal to a known type name, not at a carrier
EVIDENCE_LITERAL: Final = "literal"
# method name unique to one client API, receiver unresolved (opt-in)
EVIDENCE_NAME_ONLY: Final = "name-only"
# carrier argument of a type-dependent operation that could not be resolved (opt-in)
EVIDENCE_UNRESOLVED: Final = "unresolved"
EVIDENCES: Tuple[Evidence, ...] = (
    EVIDENCE_RECEIVER,
    EVIDENCE_CARRIER,
    EVIDENCE_LITERAL,
    EVIDENCE_NAME_ONLY,
    EVIDENCE_UNRESOLVED,
)
DEFAULT_EVIDENCE: Tuple[Evidence, ...] = EVIDENCES[:3]  # reported by the default codes
OPT_IN_EVIDENCE: Tuple[Evidence, ...] = EVIDENCES[3:]  # reported only by opt-in codes

_TYPE_KIND: Dict[object, TypeKind] = {kind: kind for kind in TYPE_KINDS}
_KIND: Dict[object, UseKind] = {kind: kind for kind in KINDS}
_EVIDENCE: Dict[object, Evidence] = {evidence: evidence for evidence in EVIDENCES}


def type_kind(text: object) -> Union[TypeKind, None]:
    """``text`` if it is a type kind ("report", "feed", "notification"), else None."""
    return _TYPE_KIND.get(text)


# A use as a JSON row, without its path: line, column, kind, name, evidence, api, version,
# operation keys, via, related places.
UseRow = List[object]
Place = Tuple[str, int, int]  # path, line, column


@dataclass(frozen=True)
class Use:
    """One use of an SP-API operation or type at a source position.

    ``line`` is 1-based, ``column`` 0-based, both of the operation-name token (the
    attribute name of the call, the URL string, or the type literal / enum member).
    ``name`` is the operationId or the canonical type name ("" for an unresolved type).
    ``operation_keys`` are the knowledge-base keys of the operation(s) the use may be
    (several when a version could not be resolved); empty for types.
    ``via`` says in a few words how it was found, e.g. "sp_api.api.Orders.get_orders".
    ``related``: where a type that reached this request is written, when elsewhere (the constant
    ``LEDGER = "GET_..."`` of ``create_report(reportType=LEDGER)``): (path, line, column) each.
    """

    path: str
    line: int
    column: int
    kind: UseKind
    name: str
    evidence: Evidence
    api: str = ""
    version: str = ""
    operation_keys: Tuple[str, ...] = field(default=())
    via: str = ""
    related: Tuple[Place, ...] = field(default=())

    def renamed(self, rename: Callable[[str], str]) -> "Use":
        """The same use, its file and its related places' files named by ``rename(path)``
        (absolute, relative or as displayed)."""
        return dataclasses.replace(
            self,
            path=rename(self.path),
            related=tuple((rename(path), line, column) for path, line, column in self.related),
        )

    def as_row(self) -> UseRow:
        """The use as a JSON row without its path (``from_row`` reads it back)."""
        return [self.line, self.column, self.kind, self.name, self.evidence, self.api,
                self.version, list(self.operation_keys), self.via,
                [list(place) for place in self.related]]

    @staticmethod
    def from_row(path: str, row: object) -> "Use":
        """The use in the file ``path`` that ``row`` (``as_row``) holds; ValueError if malformed."""
        if not isinstance(row, list) or len(row) != 10:
            raise ValueError("malformed use row")
        line, column, kind, name, evidence, api, version, keys, via, related = row
        use_kind, use_evidence = _KIND.get(kind), _EVIDENCE.get(evidence)
        if not (
            isinstance(line, int)
            and isinstance(column, int)
            and use_kind is not None
            and use_evidence is not None
            and isinstance(name, str)
            and isinstance(api, str)
            and isinstance(version, str)
            and isinstance(via, str)
            and isinstance(keys, list)
            and all(isinstance(key, str) for key in keys)
            and isinstance(related, list)
        ):
            raise ValueError("malformed use row")
        places: List[Place] = []
        for place in related:  # [path, line, column]: where a type the use carries is written
            if not (isinstance(place, list) and len(place) == 3):
                raise ValueError("malformed use row")
            where, at, offset = place
            if not (isinstance(where, str) and isinstance(at, int) and isinstance(offset, int)):
                raise ValueError("malformed use row")
            places.append((where, at, offset))
        return Use(path, line, column, use_kind, name, use_evidence, api, version, tuple(keys),
                   via, tuple(places))
