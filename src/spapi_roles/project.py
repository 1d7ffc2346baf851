"""The library layer under every face: the CLI, the flake8 plugin and both pre-commit hooks.

Given paths and options as plain parameters, it finds the files, the manifest governing each
(one finder with one cache), the project each file belongs to, each project's index over all of
the project's files, the engine's uses in the named files, and the checks' diagnostics.

**Projects.** A file's project is a directory tree: the directory of the nearest manifest above
the file (the one governing it, or a ``root = true`` boundary), or the root of its git repository
when that is nearer; with neither, the top of the file's package (the first directory upward
without an ``__init__.py``). The engine's index covers every Python file of the project (the
default excludes and ``.gitignore`` apply, ``--exclude`` does not), and only the named files are
analysed and reported, so a file's findings are the same whether it is checked alone, with
others, by flake8 or in a whole run.

**Suggestions.** A finding's suggested role comes from the least-privilege plan of its whole
project (``Suggestions``): every finding that asks for a role in the project's files governed by
the same manifest (the codes on by default and the off-by-default ones the run selects; ``# noqa``
honoured), whichever files are named. The project's other files come from the cache when unchanged.

Python API, for build tools and editor integrations::

    from spapi_roles import project

    result = project.check(["src/"])             # what `spapi-roles check src/` finds
    for d in result.diagnostics:
        print(d.path, d.line, d.column, d.code, d.message)
    project.check_source(text, "src/shop/orders.py")   # an editor buffer, as flake8 sees it
"""

from __future__ import annotations

import dataclasses
import os
from collections import defaultdict
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Callable,
    Collection,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Optional,
    Sequence,
    Tuple,
)

from . import files as files_module
from .errors import UserError
from .files import display_path, is_within

if TYPE_CHECKING:
    import ast

    from .checks import Diagnostic
    from .engine import ProjectIndex
    from .knowledge import KnowledgeBase
    from .least_privilege import Plan, Requirement
    from .manifest import Manifest
    from .manifest import Settings as ManifestSettings
    from .rules import Selection
    from .runner import Result
    from .uses import Use


class ConfigErrors(Exception):
    """Several manifest errors, each to be printed on its own line."""

    def __init__(self, errors: List[UserError]):
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


# ---------------------------------------------------------------------------- manifests, roots


class ManifestFinder:
    """Which manifest governs a file and which project it belongs to, cached per directory.

    ``explicit``: one manifest for every file (``--manifest``, ``--spapi-roles-manifest``).
    """

    def __init__(self, explicit: Optional[str] = None):
        self.explicit = explicit
        self._located: Dict[str, Tuple[Optional[str], Optional[str]]] = {}
        self._roots: Dict[str, str] = {}

    def _locate(self, directory: str) -> Tuple[Optional[str], Optional[str]]:
        """(governing manifest as a display path, directory where the upward walk stopped) for
        the files of ``directory`` (as the file's path names it: relative or absolute)."""
        located = self._located.get(directory)
        if located is None:
            from .manifest import locate_manifest

            found, stop = locate_manifest(os.path.abspath(directory or os.curdir))
            located = self._located[directory] = (
                None if found is None else display_path(found),
                stop,
            )
        return located

    def manifest_path(self, path: str) -> Optional[str]:
        """The manifest governing the file ``path``, or None."""
        if self.explicit:
            return self.explicit
        return self._locate(os.path.dirname(path))[0]

    def manifest_for(self, path: str) -> Optional[Manifest]:
        """The loaded manifest governing ``path`` (None: none does); UserError if it is invalid."""
        manifest_path = self.manifest_path(path)
        if manifest_path is None:
            return None
        from .manifest import manifest_for

        return manifest_for(path, manifest_path)

    def project_root(self, path: str) -> str:
        """The absolute directory of the project the file ``path`` belongs to (module docstring)."""
        directory = os.path.dirname(path)
        root = self._roots.get(directory)
        if root is None:
            root = self._roots[directory] = self._find_root(directory)
        return root

    def _find_root(self, directory: str) -> str:
        directory = os.path.abspath(directory or os.curdir)
        if self.explicit:
            marked: Optional[str] = os.path.dirname(os.path.abspath(self.explicit))
            if marked is not None and not is_within(directory, marked):
                marked = None
        else:
            marked = self._locate(directory)[1]
        git_root = files_module.find_git_root(directory)
        found = [root for root in (marked, git_root) if root is not None]
        if found:
            return max(found, key=len)  # the nearer one: both contain ``directory``
        while os.path.exists(os.path.join(directory, "__init__.py")):
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
        return directory


# ---------------------------------------------------------------------------- suggestions


def opt_in(selection: Optional[Selection]) -> FrozenSet[str]:
    """The off-by-default codes ``selection`` turns on."""
    from . import rules

    return frozenset(code for code in rules.DEFAULT_OFF
                     if selection is not None and selection.enabled(code))


def planned_findings(
    uses: Iterable[Use],
    manifest_of: Callable[[str], Optional[Manifest]],
    kb: KnowledgeBase,
    selected_off: Collection[str] = (),
    sources: Optional[Dict[str, str]] = None,
) -> List[Diagnostic]:
    """The findings of ``uses`` that ask for a role, as a project's plan counts them: the codes
    on by default and those of ``selected_off``, less what ``# noqa`` silences (``sources``: texts
    to read instead of the files). ``manifest_of(path)``: the manifest a file is checked against."""
    from . import checks, rules

    groups: Dict[str, Tuple[Optional[Manifest], List[Use]]] = {}
    for use in uses:
        manifest = manifest_of(use.path)
        groups.setdefault(manifest.path if manifest is not None else "", (manifest, []))[1].append(
            use)
    found = [d for manifest, group in groups.values()
             for d in checks.Checker(kb, manifest).findings(group)
             if checks.suggests(d) and (d.code not in rules.DEFAULT_OFF or d.code in selected_off)]
    return checks.drop_noqa(found, sources)[0]


class Suggestions:
    """The least-privilege plan of each project and manifest, behind every suggestion.

    ``findings``: every finding of the projects that asks for a role (``planned_findings``);
    ``root_of(path)``: the project a file belongs to. A finding suggests the role its project's
    plan gives it, whichever files were named.
    """

    def __init__(self, findings: Iterable[Diagnostic], root_of: Callable[[str], str],
                 kb: KnowledgeBase):
        from . import checks
        from .least_privilege import plan_for_kb

        self.root_of = root_of
        self.kb = kb
        groups: Dict[Tuple[str, str], List[Requirement]] = defaultdict(list)
        for finding in findings:
            groups[self._key(finding)].append(checks.requirement_of(finding))
        self.plans: Dict[Tuple[str, str], Plan] = {
            key: plan_for_kb(requirements, kb) for key, requirements in groups.items()}

    def _key(self, diagnostic: Diagnostic) -> Tuple[str, str]:
        return self.root_of(diagnostic.path), diagnostic.manifest

    def plan_of(self, diagnostic: Diagnostic) -> Optional[Plan]:
        """The plan of the project and manifest of ``diagnostic``."""
        return self.plans.get(self._key(diagnostic))

    def apply(self, diagnostics: Sequence[Diagnostic]) -> List[Diagnostic]:
        """``diagnostics``, each that suggests a role suggesting what its project's plan gives."""
        from . import checks

        return checks.with_suggestions(diagnostics, self.kb, self.plan_of)

    def to_add(self, diagnostics: Sequence[Diagnostic]
               ) -> List[Tuple[str, Plan, List[Tuple[Diagnostic, Requirement]]]]:
        """Per manifest (path, "" for none) and project: the plan narrowed to the roles
        ``diagnostics`` suggest (what `check --fix` adds for them), with each finding and its
        requirement."""
        from . import checks

        groups: Dict[Tuple[str, str], List[Tuple[Diagnostic, Requirement]]] = {}
        for diagnostic in diagnostics:
            if checks.suggests(diagnostic) and diagnostic.suggested:
                groups.setdefault(self._key(diagnostic), []).append(
                    (diagnostic, checks.requirement_of(diagnostic)))
        found = []
        for (root, manifest), pairs in groups.items():
            suggested = {diagnostic.suggested for diagnostic, _ in pairs}
            plan = self.plans.get((root, manifest))
            if plan is None or not suggested <= set(plan.roles):
                plan = checks.suggestion_plans([d for d, _ in pairs], self.kb)[manifest][0]
            found.append((manifest, dataclasses.replace(
                plan, roles=tuple(role for role in plan.roles if role in suggested)), pairs))
        return found


# ---------------------------------------------------------------------------- indexes


def project_files(root: str) -> List[str]:
    """Every Python file of the project at ``root`` that the index covers (absolute paths): the
    default excludes and ``.gitignore`` apply, and directories below with a manifest of their own
    are other projects."""
    finder = files_module.FileFinder(nested_projects=False)
    return finder.find([os.path.abspath(root)])


class Workspace:
    """What one process keeps across files: the manifest finder, and each project's index and
    uses (the analysis cache serves the files unchanged since the last run).

    The flake8 plugin keeps one per process (flake8 hands it one file at a time).
    """

    def __init__(self, manifest: Optional[str] = None):
        self.finder = ManifestFinder(manifest)
        self._projects: Dict[str, Result] = {}
        self._uses: Dict[str, Dict[str, List[Use]]] = {}  # root -> file -> its uses on disk
        self._manifests: Dict[str, Optional[Manifest]] = {}
        self._suggestions: Dict[Tuple[str, FrozenSet[str]], Suggestions] = {}

    def project(self, root: str) -> Result:
        """The analysis of every file of the project at ``root`` as it is on disk, done once."""
        found = self._projects.get(root)
        if found is None:
            import io

            from . import runner

            everything = project_files(root)
            found = self._projects[root] = runner.run(
                everything, root, jobs=1, progress_stream=io.StringIO(),
                project_files=everything)
            by_file = self._uses[root] = defaultdict(list)
            for use in found.uses:
                by_file[use.path].append(use)
        return found

    def index_for(self, root: str) -> ProjectIndex:
        """The engine's index of the project at ``root``, built once."""
        index = self.project(root).index
        assert index is not None
        return index

    def _on_disk(self, source: str, path: str) -> bool:
        """Whether ``source`` is the text of the project file ``path`` as it was analysed."""
        from .engine.project_index import text_sha

        scan = self.index_for(self.finder.project_root(path)).scans.get(os.path.abspath(path))
        return scan is not None and scan.text_sha == text_sha(source)

    def uses_in_source(
        self, source: str, path: str, tree: Optional[ast.Module] = None
    ) -> List[Use]:
        """The uses in ``source``, the text of the file ``path`` (``tree``: its ``ast``);
        ``engine.NotAnalysed`` when the engine could not analyse it."""
        from . import engine

        root = self.finder.project_root(path)
        index = self.index_for(root)
        absolute = os.path.abspath(path)
        if self._on_disk(source, path) and absolute not in index.not_analysed:
            uses = list(self._uses[root][absolute])
        else:
            uses = engine.analyze_source(source, path, index, tree)
        why = index.not_analysed.get(absolute)
        if why is not None:
            raise engine.NotAnalysed(f"{display_path(path)}: not analysed: {why}")
        return uses

    def _manifest_of(self, path: str) -> Optional[Manifest]:
        """The manifest a project file is checked against (None: none, or an invalid one)."""
        manifest_path = self.finder.manifest_path(path) or ""
        if manifest_path not in self._manifests:
            try:
                self._manifests[manifest_path] = self.finder.manifest_for(path)
            except UserError:
                self._manifests[manifest_path] = None
        return self._manifests[manifest_path]

    def suggestions(self, path: str, uses: List[Use], source: str,
                    selected_off: FrozenSet[str] = frozenset()) -> Suggestions:
        """The plans for the findings of ``uses``, found in ``source`` (the text of ``path``):
        its project's, with ``source`` in place of the file on disk."""
        from . import knowledge

        kb = knowledge.load()
        root = self.finder.project_root(path)
        on_disk = self._on_disk(source, path)
        key = (root, selected_off)
        if on_disk and key in self._suggestions:
            return self._suggestions[key]
        absolute = os.path.abspath(path)
        self.project(root)
        others = [use for file, found in self._uses[root].items()
                  if on_disk or file != absolute for use in found]
        # the text to read for noqa comments: the file's, however ``uses`` name it
        sources = None if on_disk else {name: source for name in (path, absolute)}
        findings = planned_findings(others if on_disk else others + uses, self._manifest_of, kb,
                                    selected_off, sources)
        suggestions = Suggestions(findings, self.finder.project_root, kb)
        if on_disk:
            self._suggestions[key] = suggestions
        return suggestions


_WORKSPACES: Dict[Optional[str], Workspace] = {}


def workspace_for(manifest: Optional[str] = None) -> Workspace:
    """This process's workspace for an explicit ``manifest`` (None: discovered manifests)."""
    workspace = _WORKSPACES.get(manifest)
    if workspace is None:
        workspace = _WORKSPACES[manifest] = Workspace(manifest)
    return workspace


def check_source(
    source: str,
    path: str,
    tree: Optional[ast.Module] = None,
    workspace: Optional[Workspace] = None,
    selection: Optional[Selection] = None,
) -> List[Diagnostic]:
    """The per-file findings for ``source``, the text of ``path`` (e.g. an unsaved buffer), all
    codes; the off-by-default codes ``selection`` turns on count in the project's suggestions.

    [] when no manifest governs the file; UserError when its manifest is invalid;
    ``engine.NotAnalysed`` when the file cannot be analysed.
    """
    from . import checks, knowledge

    workspace = workspace or workspace_for()
    manifest = workspace.finder.manifest_for(path)
    if manifest is None:
        return []
    uses = workspace.uses_in_source(source, path, tree)
    found = checks.Checker(knowledge.load(), manifest).findings(uses)
    return workspace.suggestions(path, uses, source, opt_in(selection)).apply(found)


# ---------------------------------------------------------------------------- a whole run


class Analysis:
    """The named files, the manifest governing each, and the engine's uses in them.

    ``check``, ``init`` and ``why`` all read this. ``with_manifests=False`` (``init``) finds
    no manifests, but projects are delimited as always.
    """

    def __init__(
        self,
        paths: Sequence[str] = (),
        *,
        manifest: Optional[str] = None,
        exclude: Optional[Sequence[str]] = None,
        extend_exclude: Sequence[str] = (),
        jobs: Optional[int] = None,
        use_cache: bool = True,
        with_manifests: bool = True,
    ):
        from . import knowledge

        self.kb: KnowledgeBase = knowledge.load()
        self.paths: List[str] = list(paths) or ["."]
        finder = files_module.FileFinder(exclude, extend_exclude)
        found = finder.find(self.paths)
        listed = [display_path(path) for path in found]
        # file or directory -> why it cannot be read; it is not checked, and the run says so
        self.unreadable: Dict[str, str] = dict(finder.unreadable_directories)
        self.files: List[str] = listed  # less the unreadable ones, once the analysis found them
        self.explicit = manifest if with_manifests else None
        self.finder = ManifestFinder(self.explicit)
        self.with_manifests = with_manifests
        self._loaded: Dict[str, Optional[Manifest]] = {}  # see _project_manifest
        # file -> its Manifest, or None when no manifest governs it
        self.manifest_of: Dict[str, Optional[Manifest]] = {path: None for path in self.files}
        if with_manifests:
            self._load_manifests()
        # The walk above found every file of the projects it covers when it used the default
        # excludes: those projects are not walked again.
        walked = [os.path.abspath(path) for path in self.paths if os.path.isdir(path)]
        if exclude is not None or extend_exclude:
            walked = []
        # file -> why the engine could not analyse it (a syntax error, too big...); the run says so
        self.not_analysed: Dict[str, str] = {}
        # project root -> the uses in all of its files (the suggestions' plans count them all)
        self.project_uses: Dict[str, List[Use]] = {}
        self.uses: List[Use] = self._analyse(jobs, use_cache, walked, found)
        if self.unreadable:
            self.files = [path for path in self.files if path not in self.unreadable]

    def _analyse(
        self, jobs: Optional[int], use_cache: bool, walked: List[str], found: List[str]
    ) -> List[Use]:
        from . import runner

        cwd = os.getcwd()
        by_root: Dict[str, List[str]] = defaultdict(list)
        for path in self.files:  # normalised paths: absolute, or relative to the working directory
            by_root[self.finder.project_root(path)].append(os.path.join(cwd, path))
        in_walk: Dict[str, List[str]] = defaultdict(list)
        if walked:
            for path in found:
                in_walk[self.finder.project_root(path)].append(os.path.join(cwd, path))
        uses: List[Use] = []
        for root, named in sorted(by_root.items()):
            if any(is_within(root, top) for top in walked):
                everything = in_walk[root]
            else:
                everything = project_files(root)
            known = set(everything)
            everything += [path for path in named if path not in known]
            # Every file of the project is analysed (or taken from the cache): the suggestions
            # come from the plan of all of its uses. Only the named files are reported.
            result = runner.run(everything, root, jobs, use_cache, project_files=everything)
            wanted = set(named)
            self.project_uses[root] = [use.renamed(display_path) for use in result.uses]
            uses += [use for use, found in zip(self.project_uses[root], result.uses)
                     if found.path in wanted]
            self.not_analysed.update((display_path(path), why)
                                     for path, why in result.not_analysed.items()
                                     if path in wanted)
            self.unreadable.update((display_path(path), why)
                                   for path, why in result.not_read.items() if path in wanted)
        order = {path: position for position, path in enumerate(self.files)}
        return sorted(uses, key=lambda use: order.get(use.path, len(order)))

    def _load_manifests(self) -> None:
        from . import manifest as manifest_module

        errors: Dict[str, UserError] = {}
        loaded: Dict[str, Manifest] = {}
        self._loaded = {}
        for path in self.files:
            manifest_path = self.finder.manifest_path(path)
            if manifest_path is None or manifest_path in errors:
                self.manifest_of[path] = None
                continue
            try:
                if manifest_path not in loaded:
                    loaded[manifest_path] = manifest_module.load_manifest(manifest_path)
                self.manifest_of[path] = loaded[manifest_path]
            except UserError as error:
                errors[manifest_path] = error
        if errors:
            raise ConfigErrors(list(errors.values()))

    def _project_manifest(self, path: str) -> Optional[Manifest]:
        """The manifest a file of the checked projects is checked against (None: none governs
        it, or it is invalid)."""
        if path in self.manifest_of:
            return self.manifest_of[path]
        manifest_path = self.finder.manifest_path(path) if self.with_manifests else None
        if manifest_path is None:
            return None
        if manifest_path not in self._loaded:
            from .manifest import load_manifest

            try:
                self._loaded[manifest_path] = load_manifest(manifest_path)
            except UserError:
                self._loaded[manifest_path] = None
        return self._loaded[manifest_path]

    def suggestions(self, selected_off: Collection[str] = ()) -> Suggestions:
        """The plans of the checked projects (``selected_off``: the off-by-default codes the run
        reports)."""
        uses = [use for found in self.project_uses.values() for use in found]
        findings = planned_findings(uses, self._project_manifest, self.kb, selected_off)
        return Suggestions(findings, self.finder.project_root, self.kb)

    def reload_manifests(self) -> None:
        """Read the manifests again (after ``--fix`` changed them)."""
        self._load_manifests()

    def manifests(self) -> List[Manifest]:
        """Distinct manifests governing the checked files, in first-seen order."""
        seen: Dict[str, Manifest] = {}
        for manifest in self.manifest_of.values():
            if manifest is not None:
                seen.setdefault(manifest.path, manifest)
        return list(seen.values())

    def uses_by_manifest(self) -> Dict[Optional[str], Tuple[Optional[Manifest], List[Use]]]:
        groups: Dict[Optional[str], Tuple[Optional[Manifest], List[Use]]] = {}
        for use in self.uses:
            manifest = self.manifest_of.get(use.path)
            key = manifest.path if manifest is not None else None
            groups.setdefault(key, (manifest, []))[1].append(use)
        return groups

    def covers_project_of(self, manifest: Manifest) -> bool:
        """Whether all of ``manifest``'s project was checked (its directory is in a checked one)."""
        directory = os.path.dirname(os.path.abspath(manifest.path))
        return any(os.path.isdir(given) and is_within(directory, os.path.abspath(given))
                   for given in self.paths)

    def diagnostics(self) -> List[Diagnostic]:
        """Every finding, all codes (selection and suppression come later)."""
        from . import checks

        found: List[Diagnostic] = []
        groups = self.uses_by_manifest()
        for manifest, uses in groups.values():
            found += checks.check_uses(uses, self.kb, manifest)
        for manifest in self.manifests():
            if self.covers_project_of(manifest):
                project_uses = groups.get(manifest.path, (manifest, []))[1]
                manifest_findings = (checks.check_manifest(manifest, self.kb)
                                     + checks.check_project(manifest, project_uses, self.kb))
                found += [dataclasses.replace(d, path=display_path(d.path))
                          for d in manifest_findings]
        return sorted(found, key=checks.sort_key)

    def unchecked(self) -> Dict[str, str]:
        """Every named file that was not checked, with why (in file order)."""
        problems = {path: f"cannot read ({why}); not checked"
                    for path, why in self.unreadable.items()}
        problems.update((path, f"not analysed: {why}") for path, why in self.not_analysed.items())
        return problems

    def files_without_manifest(self) -> List[str]:
        """Files that use SP-API but that no manifest governs."""
        with_uses = {use.path for use in self.uses}
        return [path for path, manifest in self.manifest_of.items()
                if manifest is None and path in with_uses]


@dataclass
class CheckResult:
    """What ``check`` found: the diagnostics to report, and what the run should say besides.

    ``analysis`` is None for a text checked on its own (``check_text``)."""

    analysis: Optional[Analysis]
    diagnostics: List[Diagnostic]
    suppressed_by_noqa: int = 0
    files_without_manifest: List[str] = field(default_factory=list)
    not_analysed: Dict[str, str] = field(default_factory=dict)  # ``check_text``'s file, if so
    suggestions: Optional[Suggestions] = None  # the plans the suggestions come from

    @property
    def files_checked(self) -> int:
        return len(self.analysis.files) if self.analysis is not None else 1

    @property
    def unchecked(self) -> Dict[str, str]:
        if self.analysis is None:
            return {path: f"not analysed: {why}" for path, why in self.not_analysed.items()}
        return self.analysis.unchecked()


def select(diagnostics: Iterable[Diagnostic], selection: Optional[Selection]) -> List[Diagnostic]:
    """The diagnostics ``selection`` enables (the default selection when None)."""
    from . import rules

    selection = selection or rules.Selection()
    return [d for d in diagnostics if selection.enabled(d.code)]


def failing(diagnostics: Iterable[Diagnostic], fail_on: str = "error") -> bool:
    """Whether any of ``diagnostics`` is at level ``fail_on`` or above (note < warning < error),
    as severity thresholds work in mypy and ruff: by default only errors fail a run."""
    from .manifest import FAIL_LEVELS

    threshold = FAIL_LEVELS.index(fail_on)
    return any(FAIL_LEVELS.index(d.severity) <= threshold for d in diagnostics)


def reported(analysis: Analysis, selection: Optional[Selection] = None,
             inferred: Optional[str] = None) -> Tuple[List[Diagnostic], int, Suggestions]:
    """What a run over ``analysis`` reports, how many findings ``# noqa`` silenced, and the plans
    of the suggestions: the selected codes (``inferred``: the level of findings resting only on
    inferred roles), each suggestion taken from the least-privilege plan of its whole project
    (what `check --fix` adds), whichever files are named."""
    from . import checks

    found = analysis.diagnostics()
    if inferred:
        found = [checks.with_inferred_level(d, inferred) for d in found]
    diagnostics, noqa_count = checks.drop_noqa(select(found, selection))
    suggestions = analysis.suggestions(opt_in(selection))
    return suggestions.apply(diagnostics), noqa_count, suggestions


def settings_for(paths: Sequence[str] = (), manifest: Optional[str] = None) -> ManifestSettings:
    """The run's settings: those of ``manifest``, else of the manifest governing the first of
    ``paths`` (the working directory when none is given); the defaults when none does. Raises
    UserError for an invalid manifest."""
    from .manifest import Settings, manifest_for

    first = next((path for path in paths if path != "-"), ".")
    found = manifest_for(first, manifest) if manifest or os.path.exists(first) else None
    return found.settings if found is not None else Settings()


def check(
    paths: Sequence[str] = (),
    *,
    manifest: Optional[str] = None,
    selection: Optional[Selection] = None,
    exclude: Optional[Sequence[str]] = None,
    extend_exclude: Sequence[str] = (),
    jobs: Optional[int] = None,
    use_cache: bool = True,
    inferred: Optional[str] = None,
) -> CheckResult:
    """What `spapi-roles check PATHS` reports, without printing it: selected codes, ``# noqa``
    honoured. Raises UserError / ConfigErrors for bad input (paths, manifests). ``exclude`` and
    ``extend_exclude`` leave files out of the report, never out of the project's index."""
    analysis = Analysis(paths, manifest=manifest, exclude=exclude, extend_exclude=extend_exclude,
                        jobs=jobs, use_cache=use_cache)
    diagnostics, noqa_count, suggestions = reported(analysis, selection, inferred)
    without = analysis.files_without_manifest() if not manifest else []
    return CheckResult(analysis, diagnostics, noqa_count, without, suggestions=suggestions)


def check_text(
    source: str,
    path: str,
    *,
    manifest: Optional[str] = None,
    selection: Optional[Selection] = None,
    inferred: Optional[str] = None,
) -> CheckResult:
    """What `spapi-roles check - --stdin-filename PATH` reports for ``source`` (an unsaved
    buffer) as the file ``path``: its manifest and project are those of ``path``; a file no
    manifest governs is checked against an empty role list, as `check` does."""
    from . import checks, engine, knowledge

    kb = knowledge.load()
    workspace = workspace_for(manifest)
    governing = workspace.finder.manifest_for(path)
    path = display_path(path)
    try:
        uses = [dataclasses.replace(use, path=path)
                for use in workspace.uses_in_source(source, path)]
    except engine.NotAnalysed as error:
        return CheckResult(None, [], not_analysed={path: str(error).split(": not analysed: ")[-1]})
    found = checks.Checker(kb, governing).findings(uses)
    if inferred:
        found = [checks.with_inferred_level(d, inferred) for d in found]
    diagnostics, noqa_count = checks.drop_noqa(select(found, selection), {path: source})
    without = [path] if governing is None and uses else []
    suggestions = workspace.suggestions(path, uses, source, opt_in(selection))
    return CheckResult(None, suggestions.apply(diagnostics), noqa_count, without,
                       suggestions=suggestions)
