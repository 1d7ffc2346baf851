"""`spapi-roles explain NAME`: what users type, resolved to codes, operations, types and roles.

Besides an SPR code or rule name, an operationId, a knowledge-base key, "METHOD /path", a type or a
role (``kb_report.explain``), NAME may be what code shows, resolved through the client tables
(``data/clients.json``): a method name (``get_orders``), a class and method (``Orders.get_orders``,
``OrdersV0Api.get_orders``), a client attribute and method (``orders_v0.list_orders``), or a URL or
path (``/orders/v0/orders/123-456``, ``https://sellingpartnerapi-eu.amazon.com/orders/v0/orders``).
Anything else is a UserError with the closest names ("did you mean").
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Dict, List, Optional, Set

from . import kb_report, rules
from .errors import UserError

if TYPE_CHECKING:
    from .knowledge import KnowledgeBase

_URL_OR_PATH = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s]+)?/\S*$")


class ClientNames:
    """The client tables read by what users type: methods, classes and attributes."""

    def __init__(self) -> None:
        from .engine import clients as clients_module

        self.clients = clients_module.load()
        self.methods: Dict[str, Set[str]] = {}  # method name -> class ids
        self.classes: Dict[str, Set[str]] = {}  # simple class name -> class ids
        self.attributes: Dict[str, Set[str]] = {}  # client attribute -> class ids
        for class_id, spec in self.clients.classes.items():
            self.classes.setdefault(class_id.rsplit(".", 1)[-1], set()).add(class_id)
            for method in spec["methods"]:
                self.methods.setdefault(method, set()).add(class_id)
        for qualified, (kind, target) in self.clients.names.items():
            simple = qualified.rsplit(".", 1)[-1]
            for class_id in self._classes_of(kind, target):
                self.classes.setdefault(simple, set()).add(class_id)
        for root in self.clients.roots.values():
            for attribute, class_id in root["attributes"].items():
                self.attributes.setdefault(attribute, set()).add(class_id)

    def _classes_of(self, kind: str, target: str) -> List[str]:
        if kind == "class":
            return [target]
        if kind == "dispatch":
            return list(self.clients.dispatch.get(target, {}).get("versions", {}).values())
        return []

    def keys(self, class_ids: Set[str], method: str) -> Dict[str, List[str]]:
        """Knowledge-base keys the ``method`` of these classes reaches -> the classes."""
        found: Dict[str, List[str]] = {}
        for class_id in sorted(class_ids):
            reached = self.clients.method(class_id, method)
            for op in reached.ops if reached is not None else ():
                for key in op.keys:
                    found.setdefault(key, []).append(class_id)
        return found

    def resolve(self, text: str) -> Dict[str, List[str]]:
        """Keys of the operations ``text`` names as code shows it -> the client classes."""
        owner, _, method = text.rpartition(".")
        if not owner:
            return self.keys(self.methods.get(method, set()), method)
        last = owner.rsplit(".", 1)[-1]
        classes = self.classes.get(last, set()) | self.attributes.get(last, set())
        return self.keys(classes, method)

    def names(self) -> List[str]:
        return sorted(set(self.methods) | set(self.classes) | set(self.attributes))


def _package(class_id: str) -> str:
    return class_id.split(".", 1)[0]


def _via_clients(text: str, kb: KnowledgeBase) -> Optional[str]:
    found = ClientNames().resolve(text)
    if not found:
        return None
    lines = [f"`{text}` in the client tables:"]
    for key, class_ids in sorted(found.items()):
        op = kb.operations[key]
        where = ", ".join(sorted({f"{_package(c)} {c.rsplit('.', 1)[-1]}" for c in class_ids}))
        lines.append(f"  {op.operation_id} ({op.api} {op.version}) via {where}")
    blocks = [kb_report.explain(key, kb) or "" for key in sorted(found)]
    return "\n".join(lines) + "\n\n" + "\n".join(block.rstrip("\n") + "\n" for block in blocks)


def _via_url(text: str, kb: KnowledgeBase) -> Optional[str]:
    if not _URL_OR_PATH.match(text):
        return None
    ops = kb.match_http(None, text)
    if not ops:
        return None
    header = f"`{text}` matches {len(ops)} operation{'s' if len(ops) > 1 else ''}:\n\n"
    return header + "\n".join((kb_report.explain(op.key, kb) or "").rstrip("\n") + "\n"
                              for op in ops)


def _close_names(text: str, kb: KnowledgeBase) -> List[str]:
    candidates: Set[str] = set(rules.RULES) | {rule.name for rule in rules.RULES.values()}
    candidates |= {op.operation_id for op in kb.operations.values()}
    candidates |= {info.name for info in kb.types.values()}
    candidates |= set(kb.roles)
    candidates |= set(ClientNames().names())
    folded: Dict[str, str] = {}
    for name in sorted(candidates):
        folded.setdefault(name.lower(), name)
    close = difflib.get_close_matches(text.lower(), list(folded), n=3, cutoff=0.75)
    return [folded[name] for name in close]


def explain(text: str) -> str:
    """The explanation of ``text`` (module docstring); UserError when nothing matches."""
    from . import knowledge

    name = text.strip()
    found = rules.explain(name) if name else None
    if found is not None:
        return found
    kb = knowledge.load()
    found = name and (kb_report.explain(name, kb) or _via_url(name, kb)
                      or _via_clients(name, kb))
    if found:
        return found
    close = _close_names(name, kb) if name else []
    hint = "; did you mean " + " or ".join(f"`{c}`" for c in close) + "?" if close else ""
    raise UserError(f"unknown operation, method, type, role or code `{text}`{hint}")
