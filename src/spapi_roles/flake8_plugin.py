"""The flake8 plugin (entry point ``SPR``): a thin adapter over the library layer (``project``).

flake8 creates a plugin object per file, so the library's workspace (manifests, each project's
index) is kept per process (flake8's ``--jobs`` workers each have their own). The plugin reads the
source from the ``lines`` flake8 hands it (so stdin works), never raises out of ``run()``,
leaves ``noqa`` to flake8 and reports nothing for files no manifest governs: a project
that never configured spapi-roles stays quiet and pays nothing beyond the manifest lookup.
A manifest that cannot be read is reported as SPR001 on line 1 of each file that uses SP-API.
Cross-module facts and the suggestions' least-privilege plans come from the file's whole project
(its analysis cached as `spapi-roles check` caches it), so both give the same findings for a
file. Off-by-default codes are reported only when a select entry longer than "SPR" names them
(``--extend-select SPR9``), as bugbear does for B9.
"""

from __future__ import annotations

import argparse
import ast
from typing import Any, FrozenSet, Iterator, List, Optional, Sequence, Tuple

from . import __version__, rules
from .errors import DataError, UserError

Finding = Tuple[int, int, str, type]


class Plugin:
    """flake8 checker for SP-API uses whose roles the manifest does not declare."""

    name = "flake8-spapi-roles"
    version = __version__
    manifest_option: Optional[str] = None
    opt_in: FrozenSet[str] = frozenset()  # off-by-default codes the user selected by name

    def __init__(self, tree: ast.Module, lines: Sequence[str], filename: str = "stdin"):
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
        except Exception as error:  # never crash flake8, never pass in silence either
            findings = [_invalid(f"{self.filename}: not analysed: internal error "
                                 f"({type(error).__name__}: {error}); please report it")]
        for line, column, text in findings:
            yield line, column, text, type(self)

    def findings(self) -> List[Tuple[int, int, str]]:
        from .project import workspace_for

        workspace = workspace_for(self.manifest_option)
        try:
            manifest = workspace.finder.manifest_for(self.filename)
            if manifest is None:
                return []  # a project that never configured spapi-roles: not even the engine loads
            from . import checks, knowledge
            from .engine import NotAnalysed

            kb = knowledge.load()
            try:
                uses = workspace.uses_in_source("".join(self.lines), self.filename, self.tree)
            except NotAnalysed as error:  # saying nothing would be a wrong answer
                return [_invalid(error)]
        except DataError as error:  # nothing can be checked: saying nothing would be wrong too
            return [_invalid(error)]
        except UserError as error:
            from . import engine

            if not engine.analyze_source("".join(self.lines), self.filename, tree=self.tree):
                return []
            return [_invalid(error)]
        selected = [d for d in checks.Checker(kb, manifest).findings(uses)
                    if d.code not in rules.DEFAULT_OFF or d.code in self.opt_in]
        # Each suggestion comes from the plan of the file's whole project, as in `spapi-roles
        # check` of any files.
        suggestions = workspace.suggestions(self.filename, uses, "".join(self.lines), self.opt_in)
        return [(d.line, d.column, f"{d.code} {d.message}") for d in suggestions.apply(selected)]


def _invalid(error: object) -> Tuple[int, int, str]:
    """SPR001 on line 1: the manifest or the packaged data cannot be read, or the file cannot be
    analysed."""
    code = rules.INVALID_MANIFEST
    return (1, 0, f"{code} " + rules.rule(code).format(error=error))
