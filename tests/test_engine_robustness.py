"""Engine: bad input never raises, nothing is executed, and reported positions are exact."""

from __future__ import annotations

import ast
import glob
import os
import sysconfig

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from spapi_roles import knowledge
from spapi_roles.engine import analyze_paths, analyze_source, positions, syntax

HEADER = "from sp_api.api import Orders\n"


@pytest.mark.parametrize(
    "body",
    [
        "def f(:\n",  # syntax error
        "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n",  # overflows libcst's native parser
        "x = " + "[" * 5000 + "]" * 5000 + "\n",
        "x = " + "f(" * 5000 + ")" * 5000 + "\n",
        "x = y" + "[0]" * 5000 + "\n",
        "x = " + " + ".join(['"a"'] * 20000) + "\n",
        "x = Orders()" + ".a" * 20000 + ".get_orders()\n",
        "x = " + "-" * 20000 + "1\n",
        "x = " + "lambda: " * 5000 + "1\n",
        "x = " + " and ".join(["a"] * 20000) + "\n",  # flat for ast, nested for libcst
        "x = (" + " ".join(['"a"'] * 20000) + ")\n",
        "".join("    " * i + f"def f{i}():\n" for i in range(120)) + "    " * 120 + "pass\n",
        "x = 1\n\x00\n",
        "Orders().get_orders(\n",
    ],
)
def test_pathological_or_broken_input_gives_no_uses_and_no_exception(body):
    assert analyze_source(HEADER + body, "broken.py") == []


def test_long_but_valid_chains_are_analysed():
    source = (
        HEADER
        + "x = "
        + " + ".join(['"a"'] * 900)
        + "\nOrders().get_order('1')"
        + ".payload" * 900
        + "\n"
    )
    assert [u.name for u in analyze_source(source, "chains.py")] == ["getOrder"]


def test_analysed_code_is_never_imported_or_executed(tmp_path):
    marker = tmp_path / "executed"
    (tmp_path / "evil.py").write_text(
        "from sp_api.api import Orders\n"
        f"open({str(marker)!r}, 'w').write('x')\n"
        "import sys; sys.exit(3)\n"
        "Orders().get_order('1')\n",
        encoding="utf-8",
    )
    assert [u.name for u in analyze_paths([str(tmp_path / "evil.py")], str(tmp_path))] == [
        "getOrder"
    ]
    assert not marker.exists()


def test_unreadable_and_undecodable_files_are_skipped(tmp_path):
    (tmp_path / "latin.py").write_bytes(b"from sp_api.api import Orders\nx = '\xff'\n")
    assert (
        analyze_paths([str(tmp_path / "latin.py"), str(tmp_path / "missing.py")], str(tmp_path))
        == []
    )


def test_vendored_swagger_client_sources_are_not_analysed(tmp_path):
    vendored = tmp_path / "api_models" / "swagger_client" / "api"
    vendored.mkdir(parents=True)
    (vendored / "orders_v0_api.py").write_text(
        "def get_orders(self):\n    return self.api_client.call_api('/orders/v0/orders', 'GET')\n",
        encoding="utf-8",
    )
    assert analyze_paths([str(vendored / "orders_v0_api.py")], str(tmp_path)) == []


def _stdlib_sample():
    folder = os.path.join(sysconfig.get_paths()["stdlib"], "email")
    return sorted(glob.glob(os.path.join(folder, "*.py")))[:12]


@pytest.mark.parametrize("path", _stdlib_sample(), ids=os.path.basename)
def test_positions_from_ast_equal_libcst_positions(path):
    """Every name, attribute and string the collector lists maps to libcst's own position."""
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    tree = cst.parse_module(source)
    info = syntax.collect(path, "m", False, tree, source, knowledge.load().type_names)
    info.standard_tree = ast.parse(source)
    table = positions.Positions(info)
    expected = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
    for node in info.names + info.attributes + info.strings + info.fstrings:
        token = node.attr if isinstance(node, cst.Attribute) else node
        start = expected[token].start
        assert table.of(node) == (start.line, start.column), cst.Module([]).code_for_node(node)
    assert not table.used_provider  # all of them came from the cheap ast mapping
