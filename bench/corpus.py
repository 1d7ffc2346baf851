"""Build the benchmark corpora under ``bench/corpus/`` (gitignored); idempotent.

- ``nospapi/``: the installed stdlib's email, json, logging, xml, asyncio and http packages
                (a project that never configured spapi-roles: no manifest).
- ``nospapi-configured/``: the same files with a root ``spapi-roles.toml`` (a project that uses
                spapi-roles, linting code that does not use SP-API: the plugin does its work).
- ``dense/``:   the fixture projects copied until the tree holds at least 20,000 lines of Python,
                with a root ``spapi-roles.toml`` so the checks run too (not only the engine).
- ``stdlib/``:  the whole installed standard library (no site-packages).
- ``monorepo/``: 200 generated apps of 100 files (20,000 files, 200 manifests), each with its own
                source root, cross-module clients and dispatch wrappers
                (``tests/support/monorepo.py``).

``bench/corpus`` is made a git repository of its own (``git init``) so that spapi-roles's file
discovery does not see it through this repository's ``.gitignore`` (which lists ``bench/corpus/``).

Usage: python bench/corpus.py [--force]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Dict

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
CORPUS = os.path.join(BENCH, "corpus")
FIXTURES = os.path.join(REPO, "fixtures")
STDLIB = sysconfig.get_paths()["stdlib"]
NOSPAPI_PACKAGES = ("email", "json", "logging", "xml", "asyncio", "http")
DENSE_MIN_LINES = 20_000
MONOREPO_APPS = 200
MONOREPO_FILES_PER_APP = 100
NOSPAPI_MANIFEST = 'roles = ["Pricing"]\n'
DENSE_MANIFEST = """# Some roles, so that some uses are granted and others reported.
roles = ["Inventory and Order Tracking", "Pricing", "Product Listing"]
"""
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "site-packages")


def python_lines(top: str) -> int:
    """Lines of Python source under ``top``."""
    total = 0
    for dirpath, _, filenames in os.walk(top):
        for name in filenames:
            if name.endswith(".py"):
                with open(os.path.join(dirpath, name), "rb") as handle:
                    total += handle.read().count(b"\n")
    return total


def _fresh(path: str, force: bool) -> bool:
    """Whether ``path`` must be (re)built; removes it when forced."""
    if os.path.isdir(path) and not force:
        return False
    shutil.rmtree(path, ignore_errors=True)
    return True


def build_nospapi(force: bool = False) -> str:
    target = os.path.join(CORPUS, "nospapi")
    if _fresh(target, force):
        for package in NOSPAPI_PACKAGES:
            shutil.copytree(
                os.path.join(STDLIB, package), os.path.join(target, package), ignore=_IGNORE
            )
    return target


def build_nospapi_configured(force: bool = False) -> str:
    target = os.path.join(CORPUS, "nospapi-configured")
    if _fresh(target, force):
        shutil.copytree(build_nospapi(), target)
        with open(os.path.join(target, "spapi-roles.toml"), "w", encoding="utf-8") as handle:
            handle.write(NOSPAPI_MANIFEST)
    return target


def build_dense(force: bool = False) -> str:
    target = os.path.join(CORPUS, "dense")
    if _fresh(target, force):
        projects = sorted(
            name for name in os.listdir(FIXTURES) if os.path.isdir(os.path.join(FIXTURES, name))
        )
        copy = 0
        os.makedirs(target)
        while python_lines(target) < DENSE_MIN_LINES:
            copy += 1
            for project in projects:
                shutil.copytree(
                    os.path.join(FIXTURES, project),
                    os.path.join(target, f"copy{copy:02d}", project),
                    ignore=_IGNORE,
                )
        with open(os.path.join(target, "spapi-roles.toml"), "w", encoding="utf-8") as handle:
            handle.write(DENSE_MANIFEST)
    return target


def build_stdlib(force: bool = False) -> str:
    target = os.path.join(CORPUS, "stdlib")
    if _fresh(target, force):
        shutil.copytree(STDLIB, target, ignore=_IGNORE, symlinks=True)
    return target


def build_monorepo(force: bool = False) -> str:
    """200 apps of 100 files each (tests/support/monorepo.py), each with its own manifest."""
    target = os.path.join(CORPUS, "monorepo")
    if _fresh(target, force):
        sys.path.insert(0, os.path.join(REPO, "tests"))
        from support import monorepo

        monorepo.generate(Path(target), apps=MONOREPO_APPS, files_per_app=MONOREPO_FILES_PER_APP)
    return target


def build_all(force: bool = False) -> Dict[str, str]:
    """Build every corpus; returns name -> directory."""
    os.makedirs(CORPUS, exist_ok=True)
    if not os.path.isdir(os.path.join(CORPUS, ".git")):
        subprocess.run(["git", "init", "-q", CORPUS], check=True)
    return {
        "nospapi": build_nospapi(force),
        "nospapi-configured": build_nospapi_configured(force),
        "dense": build_dense(force),
        "stdlib": build_stdlib(force),
        "monorepo": build_monorepo(force),
    }


def main(argv: list) -> int:
    for name, path in build_all("--force" in argv).items():
        print(f"{name:<18} {python_lines(path):>8} lines  {os.path.relpath(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
