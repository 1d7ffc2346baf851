"""Engine: bad input never raises, nothing is executed, and reported positions are exact."""

from __future__ import annotations

import ast
import glob
import os
import sysconfig

import pytest

from spapi_roles import knowledge
from spapi_roles.engine import analyze_paths, analyze_source, positions, syntax

HEADER = "from sp_api.api import Orders\n"


@pytest.mark.parametrize(
    "body",
    [
        "def f(:\n",  # syntax error
        "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n",  # deeper than the parser allows
        "x = " + "[" * 5000 + "]" * 5000 + "\n",
        "x = " + "f(" * 5000 + ")" * 5000 + "\n",
        "x = y" + "[0]" * 5000 + "\n",
        "x = " + " + ".join(['"a"'] * 20000) + "\n",
        "x = Orders()" + ".a" * 20000 + ".get_orders()\n",
        "x = " + "-" * 20000 + "1\n",
        "x = " + "lambda: " * 5000 + "1\n",
        "x = " + " and ".join(["a"] * 20000) + "\n",
        "x = " + " ** ".join(["a"] * 900) + "\n",  # right-nested: deep for the collector
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
def test_positions_are_the_tokens_in_the_source_text(path):
    """Every name, attribute and string the collector walked is placed on its own token."""
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    info = syntax.collect(path, "m", False, ast.parse(source), source, knowledge.load().type_names)
    table = positions.Positions(info)
    lines = source.split("\n")
    checked = 0
    for node in ast.walk(info.tree):
        if id(node) not in info.walked:
            continue
        if isinstance(node, ast.Name):
            token = node.id
        elif isinstance(node, ast.Attribute):
            token = node.attr
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            token = None
        else:
            continue
        line, column = table.of(node)
        text = lines[line - 1][column:]
        if token is None:
            assert text[:1] in ("'", '"') or text[:2].lower() in ("r'", 'r"', "u'", 'u"'), text
        else:
            assert text.startswith(token), (line, column, token, text[:40])
        checked += 1
    assert checked > 20


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_columns_count_characters_on_lines_with_non_ascii_text(newline):
    line = "label = 'caf\u00e9 \u20ac'; Orders().get_order('1')"
    lines = [HEADER.rstrip("\n"), "\f", line, ""]  # a form feed is no line break
    [use] = analyze_source(newline.join(lines), "shop.py")
    assert (use.line, use.column) == (lines.index(line) + 1, line.index("get_order"))


def test_a_tree_given_is_used_and_left_unchanged(monkeypatch):
    source = HEADER + "Orders().get_order('1')\n"
    tree = ast.parse(source)
    before = ast.dump(tree, include_attributes=True)

    def no_parse(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(ast, "parse", no_parse)
    assert [u.name for u in analyze_source(source, "given.py", tree=tree)] == ["getOrder"]
    assert ast.dump(tree, include_attributes=True) == before


def test_a_node_of_another_module_has_no_position_here():
    type_names = knowledge.load().type_names
    first = syntax.collect("a.py", "a", False, ast.parse("x = 'a'\n"), "x = 'a'\n", type_names)
    second = syntax.collect("b.py", "b", False, ast.parse("y = 'b'\n"), "y = 'b'\n", type_names)
    node = first.tree.body[0].value
    assert positions.Positions(first).of(node) == (1, 4)
    assert positions.Positions(second).of(node) is None


def test_analysis_loads_no_libcst(tmp_path):
    """The engine reads ``ast`` only (libcst is a test dependency, through hypothesmith)."""
    import subprocess
    import sys

    (tmp_path / "app.py").write_text(HEADER + "Orders().get_order('1')\n", encoding="utf-8")
    script = (
        "import sys\nfrom spapi_roles.engine import analyze_paths\n"
        f"assert [u.name for u in analyze_paths([{str(tmp_path / 'app.py')!r}], "
        f"{str(tmp_path)!r})] == ['getOrder']\n"
        "assert 'libcst' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
