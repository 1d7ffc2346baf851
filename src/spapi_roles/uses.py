"""What the detection engine yields: one ``Use`` per SP-API operation or type found in code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Tuple

# What was used.
KIND_OPERATION = "operation"
KIND_REPORT = "report"
KIND_FEED = "feed"
KIND_NOTIFICATION = "notification"
TYPE_KINDS = (KIND_REPORT, KIND_FEED, KIND_NOTIFICATION)

# How sure the engine is that this really is a use (strongest first).
# call on a receiver resolved to a client class, or a raw HTTP path matched
EVIDENCE_RECEIVER = "receiver"
# type value resolved at a type-carrying argument of a known operation
EVIDENCE_CARRIER = "carrier"
# a string literal equal to a known type name, not at a carrier
EVIDENCE_LITERAL = "literal"
# method name unique to one client API, receiver unresolved (opt-in)
EVIDENCE_NAME_ONLY = "name-only"
# carrier argument of a type-dependent operation that could not be resolved (opt-in)
EVIDENCE_UNRESOLVED = "unresolved"


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
    kind: str
    name: str
    evidence: str
    api: str = ""
    version: str = ""
    operation_keys: Tuple[str, ...] = field(default=())
    via: str = ""
    related: Tuple[Tuple[str, int, int], ...] = field(default=())
