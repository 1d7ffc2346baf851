"""Which type names written in a module reach a request somewhere in the project.

A type that flows from where it is written (``LEDGER = "GET_LEDGER_DETAIL_VIEW_DATA"``, an
operator's ``report_type="..."``, a call-site argument) to a request is one use, reported at the
request with the place it is written as a related location; only a name no request takes stays a
use where it is written (literal evidence). So a module's type literals are checked against the
requests of the modules that may take them:

- the module itself;
- the modules that mention a name the module binds a literal to (``from consts import LEDGER``)
  and may reach it through imports (the call-site search's bound, recorded for the cache);
- the modules those import, and so on for ``DOWNSTREAM_HOPS`` imports: a value handed to a
  function is taken by the function's module, or by the modules it hands it on to.

Only modules that may hold uses and name a carrier (``create_report``, ``"reportType"``,
``reportTypes=`` ...) are analysed, nearest first, at most ``MAX_CONSUMERS`` per module, stopping
once every literal is accounted for; a literal no request was seen to take keeps its literal
evidence. Each module's requests (its call pass: operations and the types they carry) are worked
out once per project index by a fresh analyser, and serve its own analysis and every module that
asks, whichever asks first; what they read of the project is recorded for the cache each time they
serve.
"""

from __future__ import annotations

import ast
import bisect
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

from . import clients as clients_module
from . import prefilter as prefilter_module
from .model import MODULE, ModuleInfo, Scope
from .project_index import Dependencies, ProjectIndex

if TYPE_CHECKING:
    from .analyzer import Analyzer, Finding

DOWNSTREAM_HOPS = 3
MAX_CONSUMERS = 24
# words of a request body or query that carry a type, besides the carrying methods' names
_CARRIER_KEYS = frozenset(
    (
        "reportType",
        "reportTypes",
        "feedType",
        "feedTypes",
        "notificationType",
        "report_type",
        "report_types",
        "feed_type",
        "feed_types",
        "notification_type",
        "subscriptions",
    )
)


@dataclass
class CallPass:
    """A module's requests: its findings before type literals, and the nodes (of any module)
    that the types of its requests are written at (id -> node)."""

    info: ModuleInfo
    findings: List["Finding"]
    consumed: Dict[int, ast.AST]
    deps: Optional[Dependencies] = field(default=None, repr=False)


# Per project index: module path -> its call pass. An index lives for one run (or one flake8
# process); the table goes with it.
_TABLES: "weakref.WeakKeyDictionary[ProjectIndex, Dict[str, CallPass]]" = (
    weakref.WeakKeyDictionary()
)
_CARRIER_WORDS: Dict[int, FrozenSet[str]] = {}


def call_pass(
    index: Optional[ProjectIndex],
    info: ModuleInfo,
    run: Callable[[Optional[ProjectIndex], ModuleInfo], CallPass],
) -> CallPass:
    """The call pass of ``info``: computed by ``run`` once per index, then shared."""
    if index is None:
        return run(None, info)
    table = _TABLES.setdefault(index, {})
    entry = table.get(info.path)
    if entry is None or entry.info is not info:
        outer = index.recording
        index.recording = Dependencies() if outer is not None else None
        try:
            entry = run(index, info)
        finally:
            entry_deps, index.recording = index.recording, outer
        entry.deps = entry_deps
        table[info.path] = entry
    _merge(index.recording, entry.deps)
    return entry


def _merge(into: Optional[Dependencies], read: Optional[Dependencies]) -> None:
    if into is None or read is None:
        return
    into.paths |= read.paths
    into.queries.update(read.queries)
    into.functions = into.functions or read.functions


def consumed_elsewhere(
    analyzer: "Analyzer", info: ModuleInfo, written: Sequence[Tuple[ast.AST, Scope]]
) -> Tuple[Dict[int, ast.AST], List["Finding"]]:
    """Those of the type names ``written`` in ``info`` that requests in other modules take, and
    the findings such a request reports here (a subclass's class attribute that a base class's
    request reads through ``self``: the use is where the subclass writes it)."""
    index = analyzer.index
    if index is None:
        return {}, []
    wanted = {id(node): node for node, _ in written}
    found: Dict[int, ast.AST] = {}
    here: List["Finding"] = []
    for path in _neighbourhood(index, info, _holders(info, written), analyzer.clients):
        other = index.info(path)
        if other is None or other is info:
            continue
        passed = analyzer.requests(other)
        for key, node in wanted.items():
            if passed.consumed.get(key) is node:
                found[key] = node
        here.extend(f for f in passed.findings if id(f.site) in info.walked)
        if len(found) == len(wanted):
            break
    return found, here


def _holders(info: ModuleInfo, written: Sequence[Tuple[ast.AST, Scope]]) -> Set[str]:
    """Names other modules may read the written type names through: what the module-level
    statements holding them bind (constants, tables, classes, functions)."""
    body = info.tree.body
    starts = [statement.lineno for statement in body]
    names: Set[str] = set()
    for node, scope in written:
        top: Optional[ast.AST] = None
        while scope.parent is not None and scope.parent.kind != MODULE:
            scope = scope.parent
        if scope.kind != MODULE:
            top = scope.node
        else:
            position = bisect.bisect_right(starts, getattr(node, "lineno", 0)) - 1
            top = body[position] if position >= 0 else None
        names.update(_bound_by(top))
    return names


def _bound_by(statement: Optional[ast.AST]) -> Set[str]:
    kind = type(statement)
    if kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
        return {statement.name}  # type: ignore[union-attr]
    targets: List[ast.expr] = []
    if kind is ast.Assign:
        targets = list(statement.targets)  # type: ignore[union-attr]
    elif kind is ast.AnnAssign:
        targets = [statement.target]  # type: ignore[union-attr]
    names: Set[str] = set()
    while targets:
        target = targets.pop()
        if type(target) is ast.Name:
            names.add(target.id)
        elif type(target) in (ast.Tuple, ast.List):
            targets.extend(target.elts)  # type: ignore[attr-defined]
    return names


def _neighbourhood(
    index: ProjectIndex, info: ModuleInfo, holders: Set[str], clients: clients_module.Clients
) -> List[str]:
    """The modules whose requests may take a type written in ``info``, nearest first."""
    seeds = [info.path]
    for name in sorted(holders):
        paths = index.candidate_paths(name, info.path)
        if index.recording is not None:
            index.recording.queries[(name, info.path)] = paths
        seeds.extend(paths)
    graph = index.import_graph()
    words = _carrier_words(clients)
    chosen: List[str] = []
    seen: Set[str] = set()
    level = list(dict.fromkeys(seeds))
    for hop in range(DOWNSTREAM_HOPS + 1):
        following: List[str] = []
        for path in level:
            if path in seen:
                continue
            seen.add(path)
            if index.recording is not None:  # its text decides: whether it is chosen, its imports
                index.recording.paths.add(path)
            if path != info.path and _may_take_types(index, path, words):
                chosen.append(path)
                if len(chosen) >= MAX_CONSUMERS:
                    return chosen
            if hop < DOWNSTREAM_HOPS:
                following.extend(sorted(graph.imports(path) - seen))
        level = following
    return chosen


def _may_take_types(index: ProjectIndex, path: str, words: FrozenSet[str]) -> bool:
    """Whether a module may hold a request that carries a type (a cheap reading of its text)."""
    if path not in index.reasons:
        return False
    source = index.source_of(path)
    return source is not None and not words.isdisjoint(prefilter_module.words(source))


def _carrier_words(clients: clients_module.Clients) -> FrozenSet[str]:
    """The names of the client methods whose operations take a type, and the body keys."""
    found = _CARRIER_WORDS.get(id(clients))
    if found is None:
        words: Set[str] = set(_CARRIER_KEYS)
        for carriers in clients.carriers.values():
            for spec in carriers.values():
                for item in list(spec.get("args", ())) + list(spec.get("keys", ())):
                    if isinstance(item, str):
                        words.add(item)
        for spec in clients.classes.values():
            carriers = clients.carriers.get(spec["package"], {})
            for method, entry in spec["methods"].items():
                if any(clients.operation_id(i) in carriers for i in entry["ops"]):
                    words.add(method)
        found = _CARRIER_WORDS[id(clients)] = frozenset(words)
    return found
