"""Client surfaces (``data/clients.json``): what a qualified name is, what a method reaches.

Loaded once per process. Operations are resolved to knowledge-base operations lazily: by key
``<model stem>#<operationId>``, else by HTTP method and path (retired or client-bug rows).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, List, Literal, Optional, Sequence, Tuple

from .. import knowledge
from ..errors import DataError
from ..uses import TypeKind

DATA_PATH = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "clients.json"
)
FORMAT = 1


# What a qualified name of a client package is (``clients.json`` ``names``).
EntityKind = Literal["class", "dispatch", "version_enum", "type_enum", "root", "decorator"]
Json = Dict[str, Any]  # an object of clients.json (its shapes: tools/build_clients.py)
Entry = Tuple[EntityKind, str]  # what a qualified name is: (kind, target)


@dataclass(frozen=True)
class OpRef:
    """One operation a client method reaches, resolved against the knowledge base."""

    operation_id: str
    keys: Tuple[str, ...]
    api: str
    version: str


@dataclass(frozen=True)
class Method:
    """A client method: the operations it reaches (two for wrappers such as submit_feed)."""

    name: str
    ops: Tuple[OpRef, ...]
    rdt_auto: bool
    package: str


class Clients:
    """Query API over clients.json."""

    def __init__(self, doc: Json, kb: knowledge.KnowledgeBase):
        self.kb = kb
        self._operations: List[List[str]] = doc["operations"]  # id, stem, method, path
        self._resolved: Dict[int, Optional[OpRef]] = {}
        self.classes: Dict[str, Json] = doc["classes"]
        self.names: Dict[str, Entry] = doc["names"]
        self.dispatch: Dict[str, Json] = doc["dispatch"]
        self.version_enums: Dict[str, Dict[str, str]] = doc["version_enums"]
        self.type_enums: Dict[str, Json] = doc["type_enums"]
        self.roots: Dict[str, Json] = doc["roots"]
        self.carriers: Dict[str, Dict[str, Json]] = doc["carriers"]
        self.packages: Dict[str, Json] = doc["packages"]
        self.legacy: Dict[str, Dict[str, Dict[str, List[Tuple[str, int]]]]] = doc["legacy"]
        self.namespaces: Dict[str, str] = {
            ns: package for package, spec in self.packages.items() for ns in spec["namespaces"]
        }
        self._by_simple_name = self._simple_name_index()
        # simple names of the type enums ("ReportType", "FeedTypes"...) -> report / feed / ...
        self.type_enum_kinds: Dict[str, TypeKind] = {
            qualified.rsplit(".", 1)[-1]: self.type_enums[target]["kind"]
            for qualified, (kind, target) in self.names.items()
            if kind == "type_enum"
        }
        self._lookups: Dict[str, Optional[Entry]] = {}
        self._method_index: Optional[
            Dict[Tuple[str, str], Tuple[Tuple[str, ...], Tuple[OpRef, ...]]]
        ] = None
        self.class_by_name_methods: FrozenSet[str] = frozenset(
            m for spec in self.packages.values() for m in spec["class_by_name_methods"]
        )
        self.rdt: Dict[str, Json] = {p: spec["rdt"] for p, spec in self.packages.items()}
        self._restricted_data_token: Optional[OpRef] = None
        self._method_names: Optional[FrozenSet[str]] = None

    # ------------------------------------------------------------------ names
    def _simple_name_index(self) -> Dict[Tuple[str, bool, str], Optional[Entry]]:
        """(package, async, simple name) -> (kind, target); None when the name is ambiguous."""
        index: Dict[Tuple[str, bool, str], Optional[Entry]] = {}
        for qualified, (kind, target) in self.names.items():
            package = self.package_of(qualified)
            if package is None:
                continue
            parts = qualified.split(".")
            key = (package, "asyncio" in parts[:-1], parts[-1])
            previous = index.get(key, (kind, target))
            index[key] = (kind, target) if previous is not None and previous[1] == target else None
        return index

    def package_of(self, qualified: str) -> Optional[str]:
        """The client package of a qualified name (a vendored ``swagger_client`` is amzn-sp-api)."""
        parts = qualified.split(".")
        package = self.namespaces.get(parts[0])
        if package is None and "swagger_client" in parts:
            package = self.namespaces.get("swagger_client")
        return package

    def lookup(self, qualified: str) -> Optional[Entry]:
        """(kind, target) of a qualified name: exact, else by class name inside the same package."""
        if qualified not in self._lookups:
            self._lookups[qualified] = self._lookup(qualified)
        return self._lookups[qualified]

    def _lookup(self, qualified: str) -> Optional[Entry]:
        found = self.names.get(qualified)
        if found is not None:
            return found[0], found[1]
        package = self.package_of(qualified)
        if package is None:
            return None
        parts = qualified.split(".")
        simple = parts[-1]
        entry = self._by_simple_name.get((package, "asyncio" in parts[:-1], simple))
        if entry is not None:
            return entry
        # ambiguous simple name (e.g. DefaultApi): pick the class whose module ends like this one
        if len(parts) >= 2:
            suffix = "." + parts[-2] + "." + simple
            matches = [
                (kind, target)
                for q, (kind, target) in self.names.items()
                if q.endswith(suffix) and self.package_of(q) == package
            ]
            if len({target for _, target in matches}) == 1:
                return matches[0]
        return None

    def class_named(self, simple_name: str, package: str) -> Optional[str]:
        """Class id for a bare class name (``get_api_client("OrdersV0Api")``)."""
        entry = self._by_simple_name.get((package, False, simple_name))
        return entry[1] if entry is not None and entry[0] == "class" else None

    # ------------------------------------------------------------------ methods
    def method(self, class_id: str, name: str) -> Optional[Method]:
        spec = self.classes.get(class_id)
        if spec is None:
            return None
        entry = spec["methods"].get(name)
        if entry is None:
            return None
        ops = tuple(op for op in (self.op(i) for i in entry["ops"]) if op is not None)
        return Method(name, ops, bool(entry.get("rdt_auto")), spec["package"])

    def legacy_method(self, class_id: str, name: str, versions: Sequence[str]) -> Optional[Method]:
        """python-amazon-sp-api 1.x method of the class of this simple name, for ``versions``."""
        package = self.classes.get(class_id, {}).get("package") or self.package_of(class_id)
        rows = self.legacy.get(package or "", {}).get(class_id.rsplit(".", 1)[-1], {}).get(name)
        if not rows:
            return None
        chosen = [i for version, i in rows if not version or version in versions] or [
            i for _, i in rows
        ]
        ops = tuple(op for op in (self.op(i) for i in chosen) if op is not None)
        return Method(name, ops, False, package or "") if ops else None

    def method_names(self) -> FrozenSet[str]:
        """Every method name of every client class (1.x names too): what a method value may be."""
        if self._method_names is None:
            names = {name for spec in self.classes.values() for name in spec["methods"]}
            for classes in self.legacy.values():
                for methods in classes.values():
                    names.update(methods)
            self._method_names = frozenset(names)
        return self._method_names

    def operation_id(self, index: int) -> str:
        """The operationId of operation row ``index`` as the client tables name it."""
        return self._operations[index][0]

    def op(self, index: int) -> Optional[OpRef]:
        if index not in self._resolved:
            self._resolved[index] = self._resolve(*self._operations[index])
        return self._resolved[index]

    def _resolve(self, operation_id: str, stem: str, method: str, path: str) -> Optional[OpRef]:
        kb = self.kb
        found: List[knowledge.Operation] = []
        if operation_id and stem and f"{stem}#{operation_id}" in kb.operations:
            found = [kb.operations[f"{stem}#{operation_id}"]]
        if not found:
            found = [
                op
                for op in kb.match_http(method, path)
                if not operation_id or op.operation_id == operation_id
            ]
        if not found and operation_id:
            found = [op for op in kb.operations_named(operation_id) if op.method == method] or []
            if len(found) > 1:
                found = []
        if not found:
            return OpRef(operation_id, (), "", "") if operation_id else None
        first = found[0]
        versions = {op.version for op in found}
        return OpRef(
            first.operation_id,
            tuple(sorted(op.key for op in found)),
            first.api,
            first.version if len(versions) == 1 else "",
        )

    def restricted_data_token(self) -> Optional[OpRef]:
        """createRestrictedDataToken, added by RestrictedResources= and with_rdt()."""
        if self._restricted_data_token is None:
            for op in self.kb.operations_named("createRestrictedDataToken"):
                self._restricted_data_token = OpRef(op.operation_id, (op.key,), op.api, op.version)
                break
        return self._restricted_data_token

    def methods_named(self, package: str, name: str) -> Tuple[Tuple[str, ...], Tuple[OpRef, ...]]:
        """Classes of ``package`` that have method ``name`` and the union of their operations."""
        if self._method_index is None:
            index: Dict[Tuple[str, str], Tuple[List[str], Dict[int, None]]] = {}
            for class_id, spec in self.classes.items():
                for method, entry in spec["methods"].items():
                    classes, ops = index.setdefault((spec["package"], method), ([], {}))
                    classes.append(class_id)
                    ops.update(dict.fromkeys(entry["ops"]))
            self._method_index = {
                key: (
                    tuple(classes),
                    tuple(op for op in (self.op(i) for i in ops) if op is not None),
                )
                for key, (classes, ops) in index.items()
            }
        return self._method_index.get((package, name), ((), ()))

    def carrier(self, package: str, operation_id: str) -> Optional[Json]:
        return self.carriers.get(package, {}).get(operation_id)


_CACHE: Dict[str, Clients] = {}


def load(path: Optional[str] = None) -> Clients:
    """The client tables, read once per process (DataError if missing or corrupt)."""
    path = path or DATA_PATH
    cached = _CACHE.get(path)
    if cached is None:
        kb = knowledge.load()
        try:
            with open(path, "rb") as handle:
                doc = json.loads(handle.read())
        except OSError as exc:
            raise DataError(
                f"{path}: cannot read the client tables ({exc.strerror or exc})"
            ) from None
        except ValueError as exc:
            raise DataError(
                f"{path}: the client tables are not valid JSON ({exc}); reinstall the package"
            ) from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise DataError(
                f"{path}: client tables format "
                f"{doc.get('format') if isinstance(doc, dict) else '?'!r}, "
                f"expected {FORMAT}; regenerate with tools/build_clients.py"
            )
        try:
            cached = _CACHE[path] = Clients(doc, kb)
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError(
                f"{path}: the client tables are corrupt ({type(exc).__name__}: {exc})"
            ) from None
    return cached
