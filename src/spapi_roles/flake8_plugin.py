"""The flake8 plugin (entry point ``SPR``): a thin adapter over the engine and the checks.

flake8 creates a plugin object per file, so the knowledge base and manifests are cached
per process (flake8's ``--jobs`` workers each have their own). The plugin reads the
source from the ``lines`` flake8 hands it (so stdin works), never raises out of ``run()``,
leaves ``noqa`` to flake8 and reports nothing for files no manifest governs: a project
that never configured spapi-roles stays quiet and pays nothing beyond the manifest lookup.
A manifest that cannot be read is reported as SPR001 on line 1 of each file that uses SP-API.
For cross-module facts (a client built by a factory in another module) the engine's project
index of the manifest's directory (the working directory with ``--spapi-roles-manifest``) is
built once per process, as `spapi-roles check` does; its cost is about 1 ms per project file.
Off-by-default codes are reported only when a select entry longer than "SPR" names them
(``--extend-select SPR9``), as bugbear does for B9.
"""

from __future__ import annotations

import argparse
import os
from typing import Any, Dict, FrozenSet, Iterator, List, Optional, Sequence, Tuple

from . import __version__, rules
from .errors import DataError, UserError

Finding = Tuple[int, int, str, type]

# Per-process caches (flake8 makes a plugin object per file): directory -> its manifest's path
# (None: no manifest), project root -> the engine's index of the project.
_MANIFEST_PATHS: Dict[str, Optional[str]] = {}
_INDEXES: Dict[str, Any] = {}


class Plugin:
    """flake8 checker for SP-API uses whose roles the manifest does not declare."""

    name = "flake8-spapi-roles"
    version = __version__
    manifest_option: Optional[str] = None
    opt_in: FrozenSet[str] = frozenset()  # off-by-default codes the user selected by name

    def __init__(self, tree: Any, lines: Sequence[str], filename: str = "stdin"):
        # ``tree`` is flake8's ``ast`` of exactly ``"".join(lines)``: the engine reads it (never
        # changes it) instead of parsing the file again.
        self.tree = tree
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, option_manager: Any) -> None:
        option_manager.add_option(
            "--spapi-roles-manifest",
            metavar="PATH",
            default=None,
            parse_from_config=True,
            help="the spapi-roles.toml to check every file against (default: the nearest "
            "spapi-roles.toml or pyproject.toml with [tool.spapi-roles] above each file)",
        )
        option_manager.extend_default_ignore(list(rules.DEFAULT_OFF))

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        cls.manifest_option = getattr(options, "spapi_roles_manifest", None) or None
        selected = [*(getattr(options, "select", None) or ()),
                    *(getattr(options, "extend_select", None) or ())]
        cls.opt_in = frozenset(code for code in rules.DEFAULT_OFF
                               if rules.names_opt_in(code, selected))

    def run(self) -> Iterator[Finding]:
        try:
            findings = self.findings()
        except Exception:  # never crash flake8: a bug here must not block every commit
            findings = []
        for line, column, text in findings:
            yield line, column, text, type(self)

    def findings(self) -> List[Tuple[int, int, str]]:
        source = "".join(self.lines)
        try:
            manifest = _manifest_for(self.filename, self.manifest_option)
            if manifest is None:
                return []  # a project that never configured spapi-roles: not even the engine loads
            from . import knowledge

            kb = knowledge.load()
        except DataError as error:  # nothing can be checked: saying nothing would be a wrong answer
            return [(1, 0, "SPR001 " + rules.rule("SPR001").format(error=error))]
        except UserError as error:
            from . import engine

            if not engine.analyze_source(source, self.filename, tree=self.tree):
                return []
            return [(1, 0, "SPR001 " + rules.rule("SPR001").format(error=error))]
        from . import checks, engine

        if self.manifest_option:
            root = os.getcwd()
        else:
            root = os.path.dirname(os.path.abspath(manifest.path))
        try:
            index = _index_for(root)  # loads the engine's client tables
        except DataError as error:
            return [(1, 0, "SPR001 " + rules.rule("SPR001").format(error=error))]
        uses = engine.analyze_source(source, self.filename, index, self.tree)
        diagnostics = checks.check_uses(uses, kb, manifest)
        return [(d.line, d.column, f"{d.code} {d.message}") for d in diagnostics
                if d.code not in rules.DEFAULT_OFF or d.code in self.opt_in]


def _manifest_for(filename: str, explicit: Optional[str]) -> Any:
    """The manifest governing ``filename`` (its path cached per directory), or None."""
    from . import manifest
    from .files import display_path

    if explicit:
        return manifest.manifest_for(filename, explicit)
    directory = os.path.dirname(os.path.abspath(filename))
    if directory not in _MANIFEST_PATHS:
        found = manifest.find_manifest(directory)
        _MANIFEST_PATHS[directory] = None if found is None else display_path(found)
    path = _MANIFEST_PATHS[directory]
    return None if path is None else manifest.manifest_for(filename, path)


def _index_for(root: str) -> Any:
    """The engine's cross-module index of the project at ``root``, built once per process."""
    from . import engine
    from .files import find_python_files

    if root not in _INDEXES:
        _INDEXES[root] = engine.build_index(find_python_files([root]), root)
    return _INDEXES[root]
