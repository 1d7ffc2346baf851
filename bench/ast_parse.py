"""Baseline for the whole-stdlib benchmark: read and ``ast.parse`` each file of a list, one process.

Reads the file list (one path a line, as ``spapi-roles check`` would check them) from FILE.

Usage: python bench/ast_parse.py FILE
"""

from __future__ import annotations

import ast
import sys


def main(argv: list) -> int:
    with open(argv[1], encoding="utf-8") as handle:
        paths = handle.read().splitlines()
    failed = 0
    for path in paths:
        with open(path, "rb") as source:
            data = source.read()
        try:
            ast.parse(data, path)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            failed += 1
    print(f"{len(paths)} files, {failed} not parsed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
