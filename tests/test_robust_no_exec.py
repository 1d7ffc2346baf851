"""Nothing analysed is ever imported or executed, and nothing goes to the network.

The checked tree is full of code that writes a marker file when it runs: module-level code,
package ``__init__`` files, ``setup.py``, ``conftest.py``, ``sitecustomize.py``, a ``.pth`` file,
modules shadowing the standard library and libcst, a fake ``sp_api`` package, and code that
opens a connection to Amazon. Every command of the real CLI and flake8 runs over it with the test
guard (``bad_inputs/guard/sitecustomize.py``): internet sockets and name resolution are refused
and recorded, and so is any module imported from the tree.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from bad_inputs import harness

USE = "from sp_api.api import Orders, Reports\n\nOrders().get_orders(CreatedAfter='2024-01-01')\n"


def _runs(name: str, ran_dir: Path) -> str:
    """Code that records that ``name`` was executed."""
    marker = str(ran_dir / name.replace("/", "__"))
    return f"open({marker!r}, 'w').write('ran')\n"


def _tree(root: Path, ran_dir: Path) -> Dict[str, str]:
    """Write the booby-trapped tree; return {relative path: content}."""
    files = {
        "spapi-roles.toml": "roles = []\n",
        "setup.py": _runs("setup.py", ran_dir) + "from setuptools import setup\nsetup(name='x')\n",
        "conftest.py": _runs("conftest.py", ran_dir) + USE,
        "sitecustomize.py": _runs("sitecustomize.py", ran_dir),
        "usercustomize.py": _runs("usercustomize.py", ran_dir),
        "evil.pth": f"import os; open(os.path.join({str(ran_dir)!r}, 'evil.pth'), 'w')\n",
        "__main__.py": _runs("__main__.py", ran_dir) + USE,
        "json.py": _runs("json.py", ran_dir),
        "tomllib.py": _runs("tomllib.py", ran_dir),
        "libcst.py": _runs("libcst.py", ran_dir),
        "shop/__init__.py": _runs("shop/__init__.py", ran_dir) + "from . import jobs\n",
        "shop/jobs.py": _runs("shop/jobs.py", ran_dir) + USE + (
            "import importlib\nimportlib.import_module('shop.helpers')\n"
            "exec(open(__file__.replace('jobs', 'helpers')).read())\n"
            "Reports().create_report(reportType=__import__('shop.helpers').helpers.REPORT)\n"
            "if __name__ == '__main__':\n    " + _runs("shop/jobs.py:main", ran_dir).replace(
                "\n", "\n    ") + "\n"),
        "shop/helpers.py": _runs("shop/helpers.py", ran_dir)
        + "REPORT = 'GET_FLAT_FILE_OPEN_LISTINGS_DATA'\n",
        "shop/network.py": _runs("shop/network.py", ran_dir) + USE + (
            "import socket, urllib.request\n"
            "socket.create_connection(('sellingpartnerapi-na.amazon.com', 443))\n"
            "urllib.request.urlopen('https://sellingpartnerapi-eu.amazon.com/orders/v0/orders')\n"),
        "sp_api/__init__.py": _runs("sp_api/__init__.py", ran_dir),
        "sp_api/api.py": _runs("sp_api/api.py", ran_dir) + "class Orders:\n    pass\n",
        "tests/conftest.py": _runs("tests/conftest.py", ran_dir),
        "tests/test_shop.py": _runs("tests/test_shop.py", ran_dir) + USE,
    }
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return files


# (id, command line, exit codes a user would expect)
COMMANDS: List[Tuple[str, Tuple[str, ...], Tuple[int, ...]]] = [
    ("check", ("check", "."), (1,)),
    ("check-json", ("check", "--format", "json", "."), (1,)),
    ("check-sarif", ("check", "--format", "sarif", "."), (1,)),
    ("check-github", ("check", "--format", "github", "."), (1,)),
    ("check-files", ("check", "shop/jobs.py", "setup.py", "conftest.py", "__main__.py"), (1,)),
    ("check-fix", ("check", "--fix", "."), (0, 1)),
    ("init", ("init", "--manifest", "fresh.toml", "."), (0,)),
    ("why", ("why", "Inventory and Order Tracking", "."), (0,)),
    ("explain", ("explain", "getOrders"), (0,)),
    ("data-export", ("data", "export"), (0,)),
    ("data-coverage", ("data", "coverage"), (0,)),
]
FLAKE8_COMMANDS: List[Tuple[str, Tuple[str, ...]]] = [
    ("flake8", ("--select=SPR,E9", ".")),
    ("flake8-jobs", ("--select=SPR,E9", "--jobs=2", ".")),
    ("flake8-file", ("--select=SPR,E9", "shop/jobs.py", "setup.py")),
]


@pytest.fixture
def trap(tmp_path):
    ran_dir = tmp_path / "ran"
    ran_dir.mkdir()
    tree = tmp_path / "tree"
    _tree(tree, ran_dir)
    return tree, ran_dir, tmp_path / "markers"


def _assert_nothing_ran(ran: harness.Ran, ran_dir: Path, markers: Path) -> None:
    harness.assert_no_traceback(ran)
    executed = sorted(path.name for path in ran_dir.iterdir())
    assert executed == [], f"code in the checked tree ran: {executed}\n{ran.describe()}"
    found = harness.markers_in(markers)
    assert "network" not in found, f"network access: {found['network']}\n{ran.describe()}"
    assert "imported" not in found, f"imported from the tree: {found['imported']}\n{ran.describe()}"


def test_the_traps_work(trap):
    """Positive control: running the tree's code does trip the markers and the guard."""
    tree, ran_dir, markers = trap
    env = harness.guarded_env(markers, tree)
    ran = harness.run([sys.executable, "-c",
                       "import sys; sys.path.insert(0, '.'); import json, sp_api.api"],
                      cwd=tree, env=env)
    assert sorted(path.name for path in ran_dir.iterdir()) == [
        "json.py", "sp_api____init__.py", "sp_api__api.py"], ran.describe()
    network = harness.run([sys.executable, "-c",
                           "import urllib.request\n"
                           "try:\n urllib.request.urlopen('https://example.com', timeout=5)\n"
                           "except OSError:\n pass\n"], cwd=tree, env=env)
    assert "network" in harness.markers_in(markers), network.describe()
    assert "imported" in harness.markers_in(markers), ran.describe()


@pytest.mark.parametrize("arguments, codes", [case[1:] for case in COMMANDS],
                         ids=[case[0] for case in COMMANDS])
def test_cli_never_imports_executes_or_connects(trap, arguments, codes):
    tree, ran_dir, markers = trap
    ran = harness.spapi_roles(*arguments, cwd=tree, env=harness.guarded_env(markers, tree))
    _assert_nothing_ran(ran, ran_dir, markers)
    assert ran.returncode in codes, ran.describe()


@pytest.mark.parametrize("arguments", [case[1] for case in FLAKE8_COMMANDS],
                         ids=[case[0] for case in FLAKE8_COMMANDS])
def test_flake8_never_imports_executes_or_connects(trap, arguments):
    tree, ran_dir, markers = trap
    ran = harness.flake8(*arguments, cwd=tree, env=harness.guarded_env(markers, tree))
    _assert_nothing_ran(ran, ran_dir, markers)
    assert ran.returncode == 1 and " SPR101 " in ran.stdout, ran.describe()


def test_flake8_stdin_never_executes(trap):
    tree, ran_dir, markers = trap
    source = (tree / "shop" / "jobs.py").read_bytes()
    ran = harness.flake8("--select=SPR,E9", "--stdin-display-name=shop/jobs.py", "-", cwd=tree,
                         env=harness.guarded_env(markers, tree), stdin=source)
    _assert_nothing_ran(ran, ran_dir, markers)
    assert ran.returncode == 1 and " SPR101 " in ran.stdout, ran.describe()


def test_cli_from_outside_the_tree_never_executes(trap, tmp_path):
    tree, ran_dir, markers = trap
    ran = harness.spapi_roles("check", "--format", "json", str(tree), cwd=tmp_path,
                              env=harness.guarded_env(markers, tree))
    _assert_nothing_ran(ran, ran_dir, markers)
    assert ran.returncode == 1, ran.describe()
