"""The ``spapi-roles`` command line: a thin adapter over the engine, checks and knowledge base.

Exit codes: 0 clean, 1 findings, 2 usage or configuration error (one line, never a traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from typing import TYPE_CHECKING, Dict, List, NoReturn, Optional, Sequence, Tuple

from . import __version__, checks, rules
from .errors import DataError, UserError
from .reading import printable
from .project import ConfigErrors

if TYPE_CHECKING:
    from .project import Analysis

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

DEFAULT_MANIFEST = "spapi-roles.toml"
FIXABLE_CODES = ("SPR101", "SPR201", "SPR202", "SPR203", "SPR901")


def _note(text: str) -> None:
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
    from . import kb_report

    text = rules.explain(args.name) or kb_report.explain(args.name)
    if text is None:
        raise UserError(f"unknown operation, type, role or code `{args.name}`")
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_CLEAN


# ---------------------------------------------------------------------------- the project

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


def _analysis(args: argparse.Namespace, with_manifests: bool = True) -> "Analysis":
    """The library layer's analysis of the paths and file options ``args`` name."""
    from .project import Analysis

    return Analysis(
        args.paths,
        manifest=getattr(args, "manifest", None),
        exclude=_comma_list(args.exclude) if args.exclude else None,
        extend_exclude=_comma_list(args.extend_exclude),
        jobs=args.jobs,
        use_cache=not args.no_cache,
        with_manifests=with_manifests,
    )


# ---------------------------------------------------------------------------- check

def _selection(args: argparse.Namespace) -> rules.Selection:
    select = _codes(args.select, "--select") if args.select else None
    return rules.Selection(
        select=select,
        ignore=_codes(args.ignore, "--ignore") + _codes(args.extend_ignore, "--extend-ignore"),
        extend_select=_codes(args.extend_select, "--extend-select"),
    )


def _fix(project: "Analysis", diagnostics: List[checks.Diagnostic]) -> Dict[str, List[str]]:
    """Add to each manifest the roles its findings need (least privilege); return what was added."""
    from .least_privilege import choose_roles, reasons_by_role
    from .manifest_edit import add_roles

    by_manifest: Dict[str, List[checks.Diagnostic]] = defaultdict(list)
    manifests: Dict[str, object] = {}
    unfixable = 0
    for d in diagnostics:
        if d.code not in FIXABLE_CODES:
            continue
        manifest = project.manifest_of.get(d.path)
        if manifest is None:
            unfixable += 1
            continue
        by_manifest[manifest.path].append(d)
        manifests[manifest.path] = manifest
    if unfixable:
        _note(f"{unfixable} finding(s) are in files no manifest governs; "
              "create one with `spapi-roles init`")
    restricted = checks.restricted_roles(project.kb)
    added: Dict[str, List[str]] = {}
    for path, found in by_manifest.items():
        manifest = manifests[path]
        requirements = [checks.available_roles(d.required_roles, manifest.account, project.kb)
                        for d in found]
        chosen = choose_roles(requirements, restricted, frozenset(manifest.roles))
        described = [(req, f"{d.name} ({d.path}:{d.line})") for req, d in zip(requirements, found)]
        new_roles = add_roles(path, chosen, reasons_by_role(chosen, described))
        if new_roles:
            added[path] = new_roles
    return added


def _diagnostics(project: "Analysis", args: argparse.Namespace) -> List[checks.Diagnostic]:
    """The project's findings; ``--inferred`` sets the level of those resting on inference."""
    found = project.diagnostics()
    if args.inferred:
        found = [checks.with_inferred_level(d, args.inferred) for d in found]
    return found


def _cmd_check(args: argparse.Namespace) -> int:
    from . import baseline as baseline_module
    from . import formats

    from .project import select

    selection = _selection(args)
    project = _analysis(args)
    diagnostics, noqa_count = checks.drop_noqa(select(_diagnostics(project, args), selection))
    if args.write_baseline:
        count = baseline_module.write_baseline(args.write_baseline, diagnostics)
        _note(f"wrote {count} finding(s) to {args.write_baseline}")
        return EXIT_CLEAN
    report = formats.Report(diagnostics, files_checked=len(project.files),
                            suppressed_by_noqa=noqa_count)
    if args.baseline:
        report.diagnostics, report.suppressed_by_baseline, fixed = (
            baseline_module.load_baseline(args.baseline).filter(diagnostics))
        report.fixed_baseline_entries = sum(entry.count for entry in fixed)
    if args.fix:
        report.roles_added = _fix(project, report.diagnostics)
        if report.roles_added:
            project.reload_manifests()
            report.diagnostics, report.suppressed_by_noqa = checks.drop_noqa(
                select(_diagnostics(project, args), selection))
            if args.baseline:
                report.diagnostics, report.suppressed_by_baseline, _ = (
                    baseline_module.load_baseline(args.baseline).filter(report.diagnostics))
    without = project.files_without_manifest()
    if without and not project.explicit:
        _note(f"no spapi-roles.toml governs {len(without)} file(s) using SP-API "
              f"(e.g. {without[0]}); they were checked against an empty role list; "
              "create one with `spapi-roles init`")
    from .files import find_git_root

    unchecked = project.unchecked()
    for path, problem in unchecked.items():
        _note(f"error: {printable(path)}: {problem}")
    # The verdict is known before a byte is written: a reader that stops early (`| head`)
    # does not change it.
    args.verdict = EXIT_ERROR if unchecked else EXIT_FINDINGS if report.diagnostics else EXIT_CLEAN
    formats.render(args.format, report, sys.stdout, root=find_git_root(".") or os.getcwd())
    return args.verdict


# ---------------------------------------------------------------------------- init

def _describe(need: checks.Need) -> str:
    use = need.use
    return f"{use.name} ({use.path}:{use.line})"


def _cmd_init(args: argparse.Namespace) -> int:
    from .least_privilege import choose_roles, reasons_by_role
    from .manifest_edit import write_new_manifest

    target = args.manifest or DEFAULT_MANIFEST
    if os.path.lexists(target) and os.path.basename(target) != "pyproject.toml":
        raise UserError("already exists; not overwriting it "
                        "(add roles with `spapi-roles check --fix`)", target)
    project = _analysis(args, with_manifests=False)
    requirements: List[Tuple[Tuple[str, ...], str]] = []
    unknown: List[str] = []
    unavailable: List[str] = []
    for use in project.uses:
        if use.evidence not in ("receiver", "carrier", "literal"):
            continue
        need = checks.need_of(use, project.kb)
        if need.retired:
            continue
        if need.status == checks.UNKNOWN:
            unknown.append(_describe(need))
        elif need.status == checks.NEEDS_ROLE:
            options = checks.available_roles(need.roles, args.account, project.kb)
            if options:
                requirements.append((options, _describe(need)))
            else:
                unavailable.append(_describe(need))
    restricted = checks.restricted_roles(project.kb)
    chosen = choose_roles([options for options, _ in requirements], restricted)
    write_new_manifest(target, reasons_by_role(chosen, requirements), account=args.account)
    listed = ", ".join(f"`{role}`" for role in chosen) or "none"
    print(f"Wrote {printable(target)}: {len(chosen)} role(s) for {len(requirements)} use(s): "
          f"{listed}")
    if unknown:
        _note(f"{len(unknown)} use(s) have no known role mapping (e.g. {unknown[0]}); "
              "give their roles under [operations] or [types] in the manifest")
    if unavailable:
        _note(f"{len(unavailable)} use(s) need roles {args.account} accounts cannot hold "
              f"(e.g. {unavailable[0]})")
    return EXIT_CLEAN


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
    sites = []
    for use in project.uses:
        need = checks.need_of(use, kb, project.manifest_of.get(use.path))
        if need.status != checks.NEEDS_ROLE or role.name not in need.roles:
            continue
        if need.roles == (role.name,):
            how = f"needs `{role.name}` (no other role grants it)"
        else:
            how = "needs one of: " + ", ".join(need.roles)
        hedge = " (matched by method name only)" if use.evidence == "name-only" else ""
        sites.append(f"{use.path}:{use.line}:{use.column + 1}: {need.subject} {how}{hedge}")
    for line in sites:
        print(printable(line))
    if sites:
        print(f"{len(sites)} use(s) need `{role.name}`")
    else:
        print(f"No checked code needs `{role.name}`")
    return EXIT_CLEAN


# ---------------------------------------------------------------------------- parser

class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _add_file_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or directories (default: .)")
    parser.add_argument("--exclude", action="append", metavar="PATTERNS",
                        help="comma-separated glob patterns replacing the default excludes")
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="spapi-roles",
        description="Check Amazon SP-API uses in Python code against the roles your app declares.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    check = sub.add_parser("check", help="report SP-API uses the manifest's roles do not grant")
    _add_file_options(check)
    check.add_argument("--format", choices=["text", "json", "sarif", "github"], default="text")
    check.add_argument("--manifest", metavar="PATH", help="check every file against this manifest")
    for flag, text in [
        ("--select", "report only these codes (comma-separated prefixes)"),
        ("--ignore", "do not report these codes"),
        ("--extend-select", "report these as well, e.g. the off-by-default SPR4,SPR9"),
        ("--extend-ignore", "ignore these as well"),
    ]:
        check.add_argument(flag, action="append", metavar="CODES", help=text)
    check.add_argument("--baseline", metavar="FILE",
                       help="do not report the findings recorded in FILE")
    check.add_argument("--write-baseline", metavar="FILE",
                       help="record the current findings in FILE and exit 0")
    check.add_argument("--inferred", choices=["error", "warning"],
                       help="level of findings that rest only on inferred roles (default: the "
                       "manifest's `inferred`, else error)")
    check.add_argument("--fix", action="store_true",
                       help="add the roles the findings need to the manifest (comments kept)")
    check.set_defaults(func=_cmd_check)

    init = sub.add_parser("init", help="write a least-privilege manifest for the code found")
    _add_file_options(init)
    init.add_argument("--manifest", metavar="PATH",
                      help=f"where to write it (default: {DEFAULT_MANIFEST})")
    init.add_argument("--account", choices=["seller", "vendor", "hybrid"],
                      help="the app's account type")
    init.set_defaults(func=_cmd_init)

    why = sub.add_parser("why", help="list every use that needs a role")
    why.add_argument("role")
    _add_file_options(why)
    why.add_argument("--manifest", metavar="PATH", help="use this manifest's overrides")
    why.set_defaults(func=_cmd_why)

    data = sub.add_parser("data", help="query the bundled SP-API knowledge base")
    data_sub = data.add_subparsers(dest="data_command", metavar="ACTION", parser_class=_Parser)
    data_sub.required = True
    export = data_sub.add_parser("export", help="write the whole knowledge base")
    export.add_argument("--format", choices=["json"], default="json")
    export.set_defaults(func=_cmd_data_export)
    coverage = data_sub.add_parser("coverage", help="how many operations and types have roles")
    coverage.set_defaults(func=_cmd_data_coverage)

    explain = sub.add_parser("explain", help="explain an operation, type, role or SPR code")
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
        code = args.func(args)
        sys.stdout.flush()  # a full disk shows here at the latest (`> /dev/full`)
        return code
    except ConfigErrors as errors:  # several manifests, each with its own line
        for error in errors.errors:
            print(f"spapi-roles: error: {error}", file=sys.stderr)
        return EXIT_ERROR
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
