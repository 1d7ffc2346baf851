"""Which project modules can reach a module through imports: the call-site search's bound.

A parameter's values come from the project's call sites of its function, and a call can only
name a function of module M from a module that imports M, or imports a module that does (a
re-export), and so on. Searching only those modules, instead of every module that mentions the
function's name, keeps ``--jobs`` workers from each parsing most of the project.

The imports are read from the text, without parsing; the reading errs on the side of more
modules, never fewer, than the resolver can follow:

- every ``import`` and ``from ... import`` statement, at any indentation, after ``;`` or ``:``,
  even in strings;
- a target reaches the modules the resolver could reach from it: if a prefix of the target names
  a project module, that module and every module below it (attributes walk into submodules);
  otherwise any module whose dotted name contains the target (names are also matched by suffix);
- modules that do not hold uses are read on demand, only when a module that does imports them.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Iterable, List, Optional, Protocol, Set, Tuple

from .modules import absolute_module

_IMPORT = re.compile(
    r"(?:^|[;:])[ \t]*(?:from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n;]*)"
    r"|import[ \t]+([^\n;]*))",
    re.MULTILINE,
)
_COMMENT = re.compile(r"#[^\n]*")


def import_targets(source: str, module_name: str, is_package: bool) -> Set[str]:
    """Dotted names a module's imports bind or walk from (relative imports made absolute)."""
    package = module_name if is_package else module_name.rpartition(".")[0]
    targets: Set[str] = set()
    for dots, module, names, plain in _IMPORT.findall(source.replace("\\\n", " ")):
        if plain:
            for item in plain.split(","):
                words = item.split()
                if words:  # ``import a.b`` binds ``a``; ``import a.b as c`` binds ``a.b``
                    aliased = len(words) >= 3 and words[1] == "as"
                    targets.add(words[0] if aliased else words[0].split(".")[0])
            continue
        base = absolute_module(len(dots), module, package)
        if base is None:
            continue
        for item in _COMMENT.sub("", names).strip().strip("()").split(","):
            words = item.split()
            if words:
                name = words[0]
                targets.add(base if name == "*" or not name.isidentifier() else
                            f"{base}.{name}" if base else name)
    return targets


class ProjectModules(Protocol):
    """What the graph reads of a project (the project index, without importing it)."""

    modules: Dict[str, str]  # dotted name -> path
    path_modules: Dict[str, Tuple[str, bool]]  # path -> (dotted name, is a package)
    reasons: Dict[str, str]  # paths of the files that may hold uses -> why

    def source_of(self, path: str) -> Optional[str]: ...

    def module_of(self, path: str) -> Tuple[str, bool]: ...

    def is_module(self, name: str) -> bool: ...


class ImportGraph:
    """Reverse import edges among a project's modules, built on first use."""

    def __init__(self, index: ProjectModules):
        self.index = index
        # every contiguous run of a module name's components -> the paths of such modules
        self._runs: Dict[str, Set[str]] = {}
        for name, path in index.modules.items():
            parts = name.split(".")
            for start in range(len(parts)):
                for end in range(start + 1, len(parts) + 1):
                    self._runs.setdefault(".".join(parts[start:end]), set()).add(path)
        self._importers: Dict[str, Set[str]] = {}  # module path -> paths of modules importing it
        self._imports: Dict[str, FrozenSet[str]] = {}  # module path -> paths of what it imports
        self._read: Set[str] = set()
        self._reaching: Dict[str, FrozenSet[str]] = {}
        self._add(index.reasons)

    def _add(self, paths: Iterable[str]) -> None:
        """Read the imports of ``paths`` and, transitively, of the project modules they import."""
        pending: List[str] = [path for path in paths if path not in self._read]
        while pending:
            path = pending.pop()
            if path in self._read:
                continue
            self._read.add(path)
            source = self.index.source_of(path)
            if source is None:
                continue
            name, is_package = self.index.module_of(path)
            imported: Set[str] = set()
            for target in import_targets(source, name, is_package):
                for reached in self._reached_by(target):
                    imported.add(reached)
                    self._importers.setdefault(reached, set()).add(path)
                    if reached not in self._read:
                        pending.append(reached)
            self._imports[path] = frozenset(imported)

    def _reached_by(self, target: str) -> Set[str]:
        parts = target.split(".")
        for end in range(len(parts), 0, -1):
            prefix = ".".join(parts[:end])
            if self.index.is_module(prefix):
                return self._runs.get(prefix, set())
        return self._runs.get(target, set())

    def imports(self, path: str) -> FrozenSet[str]:
        """The project modules the module at ``path`` may import (read on demand)."""
        if path not in self._read:
            self._add([path])
        return self._imports.get(path, frozenset())

    def reaching(self, path: str) -> Optional[FrozenSet[str]]:
        """Modules that may reach the module at ``path`` through imports (itself included);
        None if the module is not part of the project (then nothing can be ruled out)."""
        if path not in self.index.path_modules:
            return None
        found = self._reaching.get(path)
        if found is None:
            reached = {path}
            frontier = [path]
            while frontier:
                for importer in self._importers.get(frontier.pop(), ()):
                    if importer not in reached:
                        reached.add(importer)
                        frontier.append(importer)
            found = self._reaching[path] = frozenset(reached)
        return found
