"""The ``spapi-roles`` command line: a thin adapter over the engine, checks and knowledge base."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from . import __version__
from .errors import DataError, UserError

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


def _cmd_data_export(args: argparse.Namespace) -> int:
    from . import kb_report

    kb_report.export_json(sys.stdout)
    return EXIT_CLEAN


def _cmd_data_coverage(args: argparse.Namespace) -> int:
    from . import kb_report

    kb_report.print_coverage(sys.stdout)
    return EXIT_CLEAN


def _cmd_explain(args: argparse.Namespace) -> int:
    from . import kb_report, rules

    text = rules.explain(args.name) or kb_report.explain(args.name)
    if text is None:
        raise UserError(f"unknown operation, type, role or code `{args.name}`")
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_CLEAN


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spapi-roles",
        description="Check Amazon SP-API uses in Python code against the roles your app declares.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    data = sub.add_parser("data", help="query the bundled SP-API knowledge base")
    data_sub = data.add_subparsers(dest="data_command", metavar="ACTION")
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
    try:
        return args.func(args)
    except (UserError, DataError) as exc:
        print(f"spapi-roles: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_CLEAN


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
