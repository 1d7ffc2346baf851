"""flake8, optionally without the flake8-spapi-roles plugin (the benchmarks' baseline).

flake8 runs every installed plugin whatever ``--select`` says, so the baseline must be a flake8
that never registers ours. ``--without-spapi-roles`` (first argument) adds our distribution to
flake8's own list of obsolete plugins, which its plugin finder skips before importing anything;
every other plugin, option and code path stays the same. Both benchmark runs go through this
wrapper so they pay the same start-up.

Usage: python bench/flake8_bench.py [--without-spapi-roles] FLAKE8-ARGS...
"""

from __future__ import annotations

import sys

from flake8.main.cli import main
from flake8.plugins import finder

DISTRIBUTION = "flake8-spapi-roles"

if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments[:1] == ["--without-spapi-roles"]:
        arguments = arguments[1:]
        finder.BANNED_PLUGINS[DISTRIBUTION] = "0"
    sys.exit(main(arguments))
