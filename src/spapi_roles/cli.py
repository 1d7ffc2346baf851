"""The ``spapi-roles`` command line: a thin face over the library layer (``project``).

Exit codes: 0 clean, 1 findings at the ``--fail-on`` level (default: errors), 2 usage or
configuration error (one line, never a traceback). The run's settings (``select``, ``exclude``,
``format``, ``fail-on``, ``jobs``, ...) may live in the manifest; each option given here wins.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, List, NoReturn, Optional, Sequence, TextIO, Tuple

from . import __version__, checks, rules
from .errors import DataError, UserError
from .project import ConfigErrors
from .reading import printable
from .uses import DEFAULT_EVIDENCE, EVIDENCE_NAME_ONLY

if TYPE_CHECKING:
    from .baseline import Baseline
    from .diff_base import Change
    from .formats import Report
    from .least_privilege import Plan, Requirement
    from .project import Analysis, CheckResult, Suggestions

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

DEFAULT_MANIFEST = "spapi-roles.toml"
PYPROJECT = "pyproject.toml"
FAIL_LEVELS = ("error", "warning", "note")
COLOR_CHOICES = ("auto", "always", "never")
STDIN = "-"
RESTRICTED_NOTE = ("Amazon reviews each app's need for a restricted role (it opens personal data) "
                   "before granting it")


def _note(text: str, quiet: bool = False) -> None:
    if not quiet:
        print(f"spapi-roles: {text}", file=sys.stderr)


# ---------------------------------------------------------------------------- data, explain

def _cmd_data_export(args: argparse.Namespace) -> int:
    from . import kb_report

    kb_report.export_json(sys.stdout)
    return EXIT_CLEAN


def _cmd_data_coverage(args: argparse.Namespace) -> int:
    from . import kb_report

    kb_report.print_coverage(sys.stdout)
    return EXIT_CLEAN


def _cmd_explain(args: argparse.Namespace) -> int:
    from . import lookup

    text = lookup.explain(args.name)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_CLEAN


def data_snapshot() -> List[str]:
    """What the bundled data was built from, and when (``--version``)."""
    import json

    from . import knowledge, regions
    from .engine import clients

    with open(knowledge.DATA_PATH, encoding="utf-8") as stream:
        kb = json.load(stream)
    with open(clients.DATA_PATH, encoding="utf-8") as stream:
        tables = json.load(stream)
    with open(regions.DATA_PATH, encoding="utf-8") as stream:
        marketplaces = json.load(stream)
    dates: Dict[str, List[str]] = {}
    for _, date, kind in kb["sources"]:
        if date:
            dates.setdefault(kind, []).append(date)
    pages = sorted(date for kind in ("role-mappings-table", "guide", "role-page", "type-page",
                                     "grantless-list") for date in dates.get(kind, ()))
    retrieved = sorted({source["date"] for source in marketplaces["sources"] if source["date"]})
    packages = ", ".join(f"{source['package']} {source['version']}"
                         for source in tables["sources"])
    return [
        f"data {kb['data_version']}:",
        f"  Amazon's API models: {kb['generated_from']['models']}",
        f"  Amazon's role and type pages: retrieved {pages[0]} to {pages[-1]}",
        f"  Amazon's 2022 role lists: {kb['generated_from']['roles_2022']}",
        f"  client method tables: {packages}",
        f"  marketplace IDs and endpoints: retrieved {', '.join(retrieved)}",
    ]


class _VersionAction(argparse.Action):
    """``--version``: the tool's version, then the data's snapshot dates."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: Optional[str] = None):
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: Optional[str] = None) -> NoReturn:
        lines = [f"{parser.prog} {__version__}"]
        try:
            lines += data_snapshot()
        except (OSError, ValueError, KeyError, IndexError) as error:
            lines.append(f"data: cannot be read ({error}); reinstall the package")
        sys.stdout.write("\n".join(lines) + "\n")
        parser.exit(EXIT_CLEAN)


# ---------------------------------------------------------------------------- settings

def _comma_list(values: Optional[Sequence[str]]) -> List[str]:
    return [item.strip() for value in values or () for item in value.split(",") if item.strip()]


def _codes(values: Optional[Sequence[str]], option: str) -> List[str]:
    codes = [code.upper() for code in _comma_list(values)]
    if values and not codes:  # `--select ''` would select nothing: every check off, exit 0
        raise UserError(f"{option}: no code given (e.g. `{option} SPR101,SPR2`)")
    for code in codes:
        if not any(known.startswith(code) for known in rules.RULES):
            raise UserError(f"{option}: `{code}` matches no SPR code "
                            "(the codes: `spapi-roles explain SPR101` and the README)")
    return codes


@dataclass
class Run:
    """A check run's settings: the manifest's, each option given on the command line winning."""

    selection: rules.Selection
    exclude: Optional[List[str]]
    extend_exclude: List[str]
    format: str
    fail_on: str
    jobs: Optional[int]
    inferred: Optional[str]  # the level of findings resting only on inferred roles


def _run(args: argparse.Namespace) -> Run:
    from .project import settings_for

    where = [args.stdin_filename] if _reads_stdin(args) and args.stdin_filename else args.paths
    settings = settings_for(where, args.manifest)
    select = _codes(args.select, "--select") if args.select else settings.select
    ignore = _codes(args.ignore, "--ignore") if args.ignore else list(settings.ignore or ())
    return Run(
        selection=rules.Selection(
            select=select,
            ignore=ignore + list(settings.extend_ignore)
            + _codes(args.extend_ignore, "--extend-ignore"),
            extend_select=list(settings.extend_select)
            + _codes(args.extend_select, "--extend-select"),
        ),
        exclude=_comma_list(args.exclude) if args.exclude else (
            list(settings.exclude) if settings.exclude is not None else None),
        extend_exclude=list(settings.extend_exclude) + _comma_list(args.extend_exclude),
        format=args.format or settings.format or "text",
        fail_on=args.fail_on or settings.fail_on or "error",
        jobs=args.jobs or settings.jobs,
        inferred=args.inferred,
    )


def _reads_stdin(args: argparse.Namespace) -> bool:
    return STDIN in (args.paths or ())


def _analysis(args: argparse.Namespace, with_manifests: bool = True) -> "Analysis":
    """The library layer's analysis of the paths and file options ``args`` name."""
    from .project import Analysis

    return Analysis(
        args.paths,
        manifest=getattr(args, "manifest", None) if with_manifests else None,
        exclude=_comma_list(args.exclude) if args.exclude else None,
        extend_exclude=_comma_list(args.extend_exclude),
        jobs=args.jobs,
        use_cache=not args.no_cache,
        with_manifests=with_manifests,
    )


# ---------------------------------------------------------------------------- suggestions

def restricted_notes(plan: "Plan", requirements: Sequence["Requirement"]) -> Dict[str, str]:
    """For each restricted role of ``plan``: that Amazon reviews it, and the use that needs it."""
    notes = {}
    for role in plan.roles:
        if role not in plan.restricted:
            continue
        needing = plan.why_restricted(role, requirements) or plan.uses_by_role(requirements)[role]
        more = f" and {len(needing) - 1} more" if len(needing) > 1 else ""
        notes[role] = (f"`{role}` is restricted: {RESTRICTED_NOTE}; it is needed for "
                       f"{needing[0]}{more}, which no unrestricted role grants")
    return notes


def _reasons(plan: "Plan", requirements: Sequence["Requirement"],
             notes: Dict[str, str]) -> Dict[str, List[str]]:
    """The manifest comments of each role to add: the uses it grants, after the restricted note."""
    reasons = plan.uses_by_role(requirements)
    for role, note in notes.items():
        reasons[role].insert(0, "restricted: Amazon reviews the need for this role; "
                             + note.split("; it is ", 1)[1])
    return reasons


# ---------------------------------------------------------------------------- check

def _fix(diagnostics: List[checks.Diagnostic], suggestions: "Suggestions",
         quiet: bool) -> Dict[str, List[str]]:
    """Add to each manifest the roles its findings suggest (from their project's least-privilege
    plan); return what was added."""
    from .manifest_edit import add_roles

    added: Dict[str, List[str]] = {}
    for manifest, plan, pairs in suggestions.to_add(diagnostics):
        if not manifest:
            _note(f"{len(pairs)} finding(s) are in files no manifest governs; "
                  "create one with `spapi-roles init`", quiet)
            continue
        requirements = [requirement for _, requirement in pairs]
        notes = restricted_notes(plan, requirements)
        new_roles = add_roles(manifest, plan.roles, _reasons(plan, requirements, notes))
        if new_roles:
            added.setdefault(manifest, []).extend(new_roles)
        for role in new_roles:
            if role in notes:
                _note(notes[role], quiet)
    return added


def _reported(result: CheckResult, baseline: Optional[Baseline]
              ) -> Tuple[List[checks.Diagnostic], int, int, int]:
    """The findings to report after the baseline (their suggestions come from their projects'
    plans, whichever findings are left)."""
    diagnostics, in_baseline, fixed = result.diagnostics, 0, 0
    if baseline is not None:
        diagnostics, in_baseline, fixed_entries = baseline.filter(diagnostics)
        fixed = sum(entry.count for entry in fixed_entries)
    return diagnostics, in_baseline, fixed, result.suppressed_by_noqa


def _check_result(args: argparse.Namespace, run: Run) -> Tuple[CheckResult, Dict[str, str]]:
    """The library's result for the paths, or for standard input, and the texts read from it."""
    from . import project, reading

    if not _reads_stdin(args):
        return project.check(args.paths, manifest=args.manifest, selection=run.selection,
                             exclude=run.exclude, extend_exclude=run.extend_exclude,
                             jobs=run.jobs, use_cache=not args.no_cache,
                             inferred=run.inferred), {}
    if args.paths != [STDIN]:
        raise UserError("`-` (standard input) cannot be checked together with other paths")
    if args.fix:
        raise UserError("--fix cannot edit a manifest for standard input; check the file itself")
    name = args.stdin_filename or "stdin"
    source = reading.decode_source(sys.stdin.buffer.read())
    return project.check_text(source, name, manifest=args.manifest, selection=run.selection,
                              inferred=run.inferred), {name: source}


def _color(choice: str, stream: TextIO) -> bool:
    """Colours: always, never, or on a terminal unless NO_COLOR is set (no-color.org)."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _render(args: argparse.Namespace, run: Run, report: "Report") -> None:
    from . import formats
    from .files import find_git_root

    root = find_git_root(".") or os.getcwd()
    target: TextIO = sys.stdout
    if args.output_file:
        try:
            target = open(args.output_file, "w", encoding="utf-8")
        except OSError as error:
            raise UserError(f"cannot write the output: {error.strerror or error}",
                            args.output_file) from None
    try:
        report.style = formats.Style(color=_color(args.color, target),
                                     show_source=args.show_source, quiet=args.quiet)
        if args.statistics:
            formats.render_statistics(run.format, report, target)
        else:
            formats.render(run.format, report, target, root=root)
    finally:
        if target is not sys.stdout:
            target.close()


def _diff_base(args: argparse.Namespace, run: Run, result: CheckResult,
               diagnostics: List[checks.Diagnostic]) -> Change:
    """The findings of ``diagnostics`` not present at the merge base of ``--diff-base``."""
    from . import diff_base

    if args.fix or args.write_baseline or _reads_stdin(args):
        raise UserError("--diff-base reports a change; it does not go with --fix, "
                        "--write-baseline or standard input")
    assert result.analysis is not None  # paths, not standard input
    return diff_base.compare(
        args.diff_base, diagnostics, args.paths, manifest=args.manifest,
        selection=run.selection, exclude=run.exclude, extend_exclude=run.extend_exclude,
        jobs=run.jobs, use_cache=not args.no_cache, inferred=run.inferred,
        head_manifests=result.analysis.manifests())


def _cmd_check(args: argparse.Namespace) -> int:
    from . import baseline as baseline_module
    from . import formats, project

    run = _run(args)
    if args.statistics and run.format not in formats.STATISTICS_FORMATS:
        raise UserError(f"--statistics prints text or json, not {run.format}")
    result, sources = _check_result(args, run)
    if args.write_baseline:
        count = baseline_module.write_baseline(args.write_baseline, result.diagnostics)
        _note(f"wrote {count} finding(s) to {args.write_baseline}", args.quiet)
        return EXIT_CLEAN
    baseline = baseline_module.load_baseline(args.baseline) if args.baseline else None
    diagnostics, in_baseline, fixed, noqa = _reported(result, baseline)
    change = _diff_base(args, run, result, diagnostics) if args.diff_base else None
    if change is not None:
        diagnostics = change.new
    added: Dict[str, List[str]] = {}
    if args.fix:
        assert result.suggestions is not None  # a check of paths always plans
        added = _fix(diagnostics, result.suggestions, args.quiet)
        if added:
            analysis = result.analysis
            assert analysis is not None  # --fix refuses standard input (_check_result)
            analysis.reload_manifests()
            again, noqa, suggestions = project.reported(analysis, run.selection, run.inferred)
            result = project.CheckResult(analysis, again, noqa, suggestions=suggestions)
            diagnostics, in_baseline, _, noqa = _reported(result, baseline)
    report = formats.Report(diagnostics, files_checked=result.files_checked,
                            suppressed_by_noqa=noqa, suppressed_by_baseline=in_baseline,
                            fixed_baseline_entries=fixed, roles_added=added, sources=sources,
                            change=change)
    without = result.files_without_manifest
    if without:
        _note(f"no spapi-roles.toml governs {len(without)} file(s) using SP-API "
              f"(e.g. {printable(without[0])}); they were checked against an empty role list; "
              "create one with `spapi-roles init`", args.quiet)
    unchecked = result.unchecked
    for path, problem in unchecked.items():
        _note(f"error: {printable(path)}: {problem}")
    # The verdict is known before a byte is written: a reader that stops early (`| head`)
    # does not change it.
    failed = project.failing(report.diagnostics, run.fail_on) and not args.exit_zero
    verdict = EXIT_ERROR if unchecked else EXIT_FINDINGS if failed else EXIT_CLEAN
    args.verdict = verdict
    _render(args, run, report)
    return verdict


# ---------------------------------------------------------------------------- init

def _holds_roles(pyproject: str) -> bool:
    """Whether the ``[tool.spapi-roles]`` table of ``pyproject`` already lists roles."""
    from .manifest import parse_toml, read_manifest_text, tool_table

    _, table = tool_table(parse_toml(read_manifest_text(pyproject), pyproject))
    return isinstance(table, dict) and "roles" in table


def _init_target(manifest: Optional[str]) -> str:
    """Where `init` writes: ``--manifest``, else the ``[tool.spapi-roles]`` table pyproject.toml
    holds already, else spapi-roles.toml. Never over roles already written, and never where the
    new manifest would shadow one that governs the directory now."""
    from .manifest import locate_manifest, pyproject_holds_manifest

    if manifest:
        target = manifest
    elif os.path.isfile(PYPROJECT) and pyproject_holds_manifest(PYPROJECT):
        target = PYPROJECT
    else:
        target = DEFAULT_MANIFEST
    if os.path.basename(target) == PYPROJECT:
        if os.path.isfile(target) and pyproject_holds_manifest(target) and _holds_roles(target):
            raise UserError("already holds [tool.spapi-roles] with roles; not overwriting it "
                            "(add roles with `spapi-roles check --fix`)", target)
    elif os.path.lexists(target):
        raise UserError("already exists; not overwriting it "
                        "(add roles with `spapi-roles check --fix`)", target)
    if os.path.basename(target) not in (DEFAULT_MANIFEST, PYPROJECT):
        return target  # a name discovery never finds: it governs only with --manifest
    directory = os.path.dirname(os.path.abspath(target))
    governing, _ = locate_manifest(directory)
    if governing is not None and os.path.realpath(governing) != os.path.realpath(target):
        raise UserError(f"would shadow {printable(os.path.relpath(governing))}, which governs "
                        f"this directory now; add the roles there with `spapi-roles check --fix`",
                        target)
    return target


def _init_regions(args: argparse.Namespace, analysis: "Analysis") -> Tuple[Tuple[str, ...], str]:
    """The regions to write and how they were found: ``--regions``, else what the code shows
    (marketplace IDs, ``Marketplaces.X``, regional hosts); none when the code is silent."""
    from . import regions as regions_module
    from .manifest import REGIONS

    if args.regions:
        wanted = [region.upper() for region in _comma_list(args.regions)]
        for region in wanted:
            if region not in REGIONS:
                raise UserError(f"--regions: unknown region `{region}`; SP-API regions are "
                                + ", ".join(REGIONS))
        return tuple(r for r in REGIONS if r in wanted), "from --regions"
    signs = regions_module.signs_in(analysis.files)
    found = regions_module.regions_of(signs)
    if not found:
        return (), ""
    shown = "; ".join(str(next(sign for sign in signs if sign.region == region))
                      for region in found)
    return found, f"from what the code shows: {shown}"


def _talks_to_sp_api(paths: Sequence[str]) -> List[str]:
    """The files that import an SP-API client, or name an SP-API host or path."""
    from . import reading
    from .engine import prefilter

    screen = prefilter.load()
    found = []
    for path in paths:
        try:
            source = reading.read_source(path)
        except reading.ReadError:
            continue
        reason = screen.reason(source)
        if reason is not None and screen.talks_to_sp_api(source, reason):
            found.append(path)
    return found


def _cmd_init(args: argparse.Namespace) -> int:
    from .manifest import Manifest
    from .manifest_edit import write_new_manifest
    from .project import select

    target = _init_target(args.manifest)
    analysis = _analysis(args, with_manifests=False)
    seen = [use for use in analysis.uses if use.evidence in DEFAULT_EVIDENCE]
    if not seen:
        talking = _talks_to_sp_api(analysis.files)
        if talking:
            hidden = len(analysis.uses)
            candidates = (f"; {hidden} call(s) it could only guess at: "
                          "`spapi-roles check --extend-select SPR9` lists them" if hidden else "")
            raise _Silent(f"found no SP-API use it can resolve, although {len(talking)} file(s) "
                          f"import an SP-API client or name an SP-API host or path (e.g. "
                          f"{printable(talking[0])}){candidates}; not writing a manifest without "
                          "roles: write it by hand (`spapi-roles explain` gives each "
                          "operation's roles)")
    regions, regions_source = _init_regions(args, analysis)
    planned = Manifest(path=target, roles=(), role_lines={}, account=args.account,
                       regions=regions, operation_overrides={}, type_overrides={}, root=False)
    found = checks.check_uses(analysis.uses, analysis.kb, planned)
    diagnostics, _ = checks.drop_noqa(select(found, None))
    plans = checks.suggestion_plans(diagnostics, analysis.kb)
    roles: Tuple[str, ...] = ()
    reasons: Dict[str, List[str]] = {}
    notes: Dict[str, str] = {}
    if target in plans:
        plan, pairs = plans[target]
        requirements = [requirement for _, requirement in pairs]
        roles = plan.roles
        notes = restricted_notes(plan, requirements)
        reasons = _reasons(plan, requirements, notes)
    write_new_manifest(target, reasons, account=args.account, regions=regions)
    listed = ", ".join(f"`{role}`" for role in roles) or "none"
    print(f"Wrote {printable(target)}: {len(roles)} role(s) for {len(seen)} use(s): {listed}")
    if regions:
        written = ", ".join(f'"{region}"' for region in regions)
        print(f"regions = [{written}] {regions_source}")
    for role in roles:
        if role in notes:
            _note(notes[role])
    _init_notes(found, args.account)
    return EXIT_CLEAN


def _init_notes(found: List[checks.Diagnostic], account: Optional[str]) -> None:
    """What `init` could not give a role to: no known mapping, the account, the regions."""
    def first(code: str) -> List[checks.Diagnostic]:
        return [d for d in found if d.code == code]

    unknown = first(rules.UNKNOWN_ROLES)
    unavailable = first(rules.USE_NOT_AVAILABLE_TO_ACCOUNT)
    elsewhere = first(rules.USE_NOT_IN_REGIONS)
    if unknown:
        _note(f"{len(unknown)} use(s) have no known role mapping (e.g. {unknown[0].name} "
              f"({printable(unknown[0].path)}:{unknown[0].line})); give their roles under "
              "[operations] or [types] in the manifest")
    if unavailable:
        _note(f"{len(unavailable)} use(s) need roles {account} accounts cannot hold (e.g. "
              f"{unavailable[0].message})")
    if elsewhere:
        _note(f"{len(elsewhere)} use(s) are not available in these regions (e.g. "
              f"{elsewhere[0].message})")


class _Silent(UserError):
    """`init` found nothing to write although the code talks to SP-API (exit code 1)."""


# ---------------------------------------------------------------------------- why

def _cmd_why(args: argparse.Namespace) -> int:
    from . import knowledge

    kb = knowledge.load()
    role = kb.role_named(args.role)
    if role is None:
        suggestion = kb.suggest_role(args.role)
        hint = f"; did you mean `{suggestion}`?" if suggestion else ""
        raise UserError(f"unknown role `{args.role}`{hint}")
    project = _analysis(args)
    if args.format != "text":
        return _why_structured(args, role.name, project)
    sites = []
    only = 0
    for use in project.uses:
        manifest = project.manifest_of.get(use.path)
        need = checks.need_of(use, kb, manifest)
        if need.status != checks.NEEDS_ROLE:
            continue
        roles = checks.Checker(kb, manifest).roles_here(need)
        if role.name not in roles:
            continue
        others = len(roles) - 1
        if not others:
            how = "(no other role grants it)"
            only += 1
        else:
            how = f"(or any of {others} other roles)" if others > 1 else (
                f"(or `{next(r for r in roles if r != role.name)}`)")
        hedge = " (matched by method name only)" if use.evidence == EVIDENCE_NAME_ONLY else ""
        sites.append(f"{use.path}:{use.line}:{use.column + 1}: {need.subject} can use "
                     f"`{role.name}` {how}{hedge}")
    for line in sites:
        print(printable(line))
    if sites:
        print(f"{len(sites)} use(s) can use `{role.name}` ({only} have no other choice)")
    else:
        print(f"No checked code can use `{role.name}`")
    return EXIT_CLEAN


def _why_structured(args: argparse.Namespace, role: str, project: "Analysis") -> int:
    """`why --format json|markdown`: the uses ``role`` grants, as data or as a role request."""
    from . import markdown

    if args.format == "markdown":
        sys.stdout.write(markdown.role_request([role], project, " ".join(args.paths) or "."))
        return EXIT_CLEAN
    restricted = project.kb.roles[role].restricted
    uses = []
    for site in markdown.sites_for(role, project):
        use, need = site.need.use, site.need
        uses.append({"path": use.path, "line": use.line, "column": use.column, "kind": use.kind,
                     "name": use.name, "api": need.facts.api, "version": need.facts.version,
                     "subject": need.subject, "roles": list(need.roles),
                     "only_this_role": need.roles == (role,),
                     "granted_by_another_declared_role": site.covered, "evidence": use.evidence,
                     "restricted_data": need.facts.restricted_data,
                     "what_it_does": markdown.what_it_does(need, project.kb)})
    json.dump({"role": role, "restricted": restricted, "uses": uses}, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return EXIT_CLEAN


# ---------------------------------------------------------------------------- request

def _cmd_request(args: argparse.Namespace) -> int:
    """The role request: what the code does with each role asked for (default: the roles its
    findings call for)."""
    from . import knowledge, markdown, project

    kb = knowledge.load()
    names = []
    for text in args.roles:
        role = kb.role_named(text)
        if role is None:
            suggestion = kb.suggest_role(text)
            hint = f"; did you mean `{suggestion}`?" if suggestion else ""
            raise UserError(f"unknown role `{text}`{hint}")
        names.append(role.name)
    analysis = _analysis(args)
    if not names:
        names = markdown.roles_to_request(project.reported(analysis)[0])
        if not names:
            print("No role to request: every use found is granted by a role its manifest "
                  "declares")
            return EXIT_CLEAN
    where = " ".join(printable(path) for path in args.paths) or "."
    sys.stdout.write(markdown.role_request(list(dict.fromkeys(names)), analysis, where))
    return EXIT_CLEAN


# ---------------------------------------------------------------------------- parser

class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _add_file_options(parser: argparse.ArgumentParser, positional: bool = True) -> None:
    if positional:
        parser.add_argument("paths", nargs="*", metavar="PATH",
                            help="files or directories (default: .)")
    else:
        parser.add_argument("--path", action="append", dest="paths", default=[], metavar="PATH",
                            help="a file or directory to check (repeatable; default: .)")
    parser.add_argument("--exclude", action="append", metavar="PATTERNS",
                        help="comma-separated glob patterns replacing the default excludes "
                        "(files left out are still read to resolve imports)")
    parser.add_argument("--extend-exclude", action="append", metavar="PATTERNS",
                        help="comma-separated glob patterns to exclude as well")
    parser.add_argument("--jobs", "-j", type=_job_count, metavar="N",
                        help="analyse in N processes (default: all cores, one per 100 files "
                        "that may hold a use)")
    parser.add_argument("--no-cache", action="store_true",
                        help="neither read nor update the analysis cache")


def _job_count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number of jobs, got `{text}`")
    return int(text)


def _add_check_parser(sub: argparse._SubParsersAction[_Parser]) -> None:
    from .formats import FORMATS

    check = sub.add_parser("check", help="report SP-API uses the manifest's roles do not grant")
    _add_file_options(check)
    check.add_argument("--manifest", metavar="PATH", help="check every file against this manifest")
    for flag, text in [
        ("--select", "report only these codes (comma-separated prefixes)"),
        ("--ignore", "do not report these codes"),
        ("--extend-select", "report these as well, e.g. the off-by-default SPR4,SPR9"),
        ("--extend-ignore", "ignore these as well"),
    ]:
        check.add_argument(flag, action="append", metavar="CODES", help=text)
    output = check.add_argument_group("output")
    output.add_argument("--format", choices=FORMATS, help="output format (default: text)")
    output.add_argument("--output-file", "-o", metavar="FILE",
                        help="write the report to FILE instead of standard output")
    output.add_argument("--quiet", "-q", action="store_true",
                        help="print the findings only: no summary line, no notes")
    output.add_argument("--statistics", action="store_true",
                        help="print how many findings of each code instead of the findings")
    output.add_argument("--show-source", action="store_true",
                        help="print each finding's line of source with a caret under it")
    output.add_argument("--color", choices=COLOR_CHOICES, default="auto",
                        help="colour the text output (auto: on a terminal, unless NO_COLOR is "
                        "set)")
    output.add_argument("--stdin-filename", metavar="PATH",
                        help="the file standard input (`-`) stands for: its manifest and "
                        "project apply, and findings name it")
    policy = check.add_argument_group("exit code")
    policy.add_argument("--fail-on", choices=FAIL_LEVELS,
                        help="the lowest level of finding that exits 1 (default: error)")
    policy.add_argument("--exit-zero", action="store_true",
                        help="exit 0 even with findings (2 still means a usage or input error)")
    check.add_argument("--baseline", metavar="FILE",
                       help="do not report the findings recorded in FILE")
    check.add_argument("--write-baseline", metavar="FILE",
                       help="record the current findings in FILE and exit 0")
    check.add_argument("--inferred", choices=["error", "warning"],
                       help="level of findings that rest only on inferred roles (default: the "
                       "manifest's `inferred`, else error)")
    check.add_argument("--diff-base", metavar="REF",
                       help="report only what the working tree adds since its merge base with "
                       "REF (a branch, tag or commit), analysed from git objects")
    check.add_argument("--fix", action="store_true",
                       help="add the roles the findings suggest to the manifest (comments kept)")
    check.set_defaults(func=_cmd_check)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="spapi-roles",
        description="Check Amazon SP-API uses in Python code against the roles your app declares.",
    )
    parser.add_argument("--version", action=_VersionAction,
                        help="print the version and the dates of the bundled SP-API data")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    _add_check_parser(sub)

    init = sub.add_parser("init", help="write a least-privilege manifest for the code found")
    _add_file_options(init)
    init.add_argument("--manifest", metavar="PATH",
                      help=f"where to write it (default: the [tool.spapi-roles] table of "
                      f"pyproject.toml if there is one, else {DEFAULT_MANIFEST})")
    init.add_argument("--account", choices=["seller", "vendor", "hybrid"],
                      help="the app's account type")
    init.add_argument("--regions", action="append", metavar="REGIONS",
                      help="the regions the app runs in, comma-separated NA, EU, FE (default: "
                      "those the code shows; none when it shows none)")
    init.set_defaults(func=_cmd_init)

    why = sub.add_parser("why", help="list every use that can use a role")
    why.add_argument("role")
    _add_file_options(why)
    why.add_argument("--manifest", metavar="PATH", help="use this manifest's overrides")
    why.add_argument("--format", choices=["text", "json", "markdown"], default="text",
                     help="markdown: the role request for this role (as `request`)")
    why.set_defaults(func=_cmd_why)

    request = sub.add_parser(
        "request", help="write the role request for the app registration: what the code does "
        "with each role, its call sites, restricted data")
    request.add_argument("roles", nargs="*", metavar="ROLE",
                         help="roles to ask for (default: those the findings suggest)")
    _add_file_options(request, positional=False)
    request.add_argument("--manifest", metavar="PATH",
                         help="check every file against this manifest")
    request.set_defaults(func=_cmd_request)

    data = sub.add_parser("data", help="query the bundled SP-API knowledge base")
    data_sub = data.add_subparsers(dest="data_command", metavar="ACTION", parser_class=_Parser)
    data_sub.required = True
    export = data_sub.add_parser("export", help="write the whole knowledge base")
    export.add_argument("--format", choices=["json"], default="json")
    export.set_defaults(func=_cmd_data_export)
    coverage = data_sub.add_parser("coverage", help="how many operations and types have roles")
    coverage.set_defaults(func=_cmd_data_coverage)

    explain = sub.add_parser(
        "explain", help="explain an operation (also as code writes it: get_orders, "
        "Orders.get_orders, a URL path), a type, a role or an SPR code")
    explain.add_argument("name")
    explain.set_defaults(func=_cmd_explain)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if sys.stdout is None:  # started with standard output closed (`>&-`)
        print("spapi-roles: error: standard output is closed; nothing can be reported",
              file=sys.stderr)
        return EXIT_ERROR
    try:
        code: int = args.func(args)
        sys.stdout.flush()  # a full disk shows here at the latest (`> /dev/full`)
        return code
    except ConfigErrors as errors:  # several manifests, each with its own line
        for error in errors.errors:
            print(f"spapi-roles: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except _Silent as silent:
        print(f"spapi-roles: {silent}", file=sys.stderr)
        return EXIT_FINDINGS
    except (UserError, DataError) as exc:
        print(f"spapi-roles: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # the reader stopped reading (`| head`): the verdict stands
        _silence_stdout()
        return getattr(args, "verdict", EXIT_CLEAN)
    except OSError as error:  # standard output cannot be written: a full disk, a closed pipe
        _silence_stdout()
        print(f"spapi-roles: error: cannot write the output: {error.strerror or error}",
              file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that flushing it at exit raises nothing more."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
