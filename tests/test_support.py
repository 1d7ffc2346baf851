"""The test support itself: the snippet comparison shows each use as precisely as its line's
markers ask; the `# SPRxxx` markers read codes, notes and noqa from code and manifests."""

from __future__ import annotations

import pytest
from support.codes import Marked, MarkerError, read_markers
from support.engine import expected_uses, marked_and_reported, position_of

from spapi_roles.uses import Use


def _use(line, kind, name, evidence, version=""):
    return Use("app/module.py", line, 0, kind, name, evidence, version=version)


def test_versions_and_evidence_are_compared_where_the_markers_name_them():
    source = """
        a()  # expect: operation:getOrders@v0 report:GET_X/literal
        b()  # expect: operation:getOrders report:?/optin
    """
    uses = [
        _use(1, "operation", "getOrders", "receiver", "v0"),
        _use(1, "report", "GET_X", "literal"),
        _use(2, "operation", "getOrders", "receiver", "2026-01-01"),  # no version pinned: any
        _use(2, "report", "", "unresolved"),
    ]
    marked, reported = marked_and_reported(expected_uses(source), uses)
    assert reported == marked == [
        "1: operation:getOrders@v0", "1: report:GET_X/literal",
        "2: operation:getOrders", "2: report:?/optin",
    ]
    wrong = [
        _use(1, "operation", "getOrders", "receiver", "v1"), _use(1, "report", "GET_X", "carrier"),
        _use(2, "operation", "getOrders", "name-only"), _use(2, "report", "", "unresolved"),
    ]
    marked, reported = marked_and_reported(expected_uses(source), wrong)
    assert reported == [
        "1: operation:getOrders@v1", "1: report:GET_X/carrier",
        "2: operation:getOrders/optin", "2: report:?/optin",
    ]


def test_a_use_reported_twice_must_be_marked_twice_and_unmarked_lines_stay_silent():
    source = "a()  # expect: report:GET_X\nb()\n"
    twice = [_use(1, "report", "GET_X", "literal")] * 2
    marked, reported = marked_and_reported(expected_uses(source), twice)
    assert (marked, reported) == (["1: report:GET_X"], ["1: report:GET_X", "1: report:GET_X"])
    stray = [_use(1, "report", "GET_X", "literal"), _use(2, "report", "GET_Y", "literal")]
    assert marked_and_reported(expected_uses(source), stray)[1] == [
        "1: report:GET_X", "2: report:GET_Y"]


def test_position_of_a_token_in_the_dedented_snippet():
    assert position_of("""
        x = 1
        Orders().get_order("1")
    """, "get_order") == (2, 9)


def test_code_markers_in_python_and_in_manifests():
    source = (
        "x = f('# SPR999 in a string is no marker')\n"
        "Orders().get_orders()  # SPR401 SPR402 (opt-in)\n"
        "Products().get_x(asins)  # noqa: SPR101\n"
        "Sales().get_y()  # SPR101 (no manifest): checked against no roles\n"
        "# a comment without a code\n"
    )
    assert read_markers(source, "app.py") == [
        Marked("app.py", 2, "SPR401", opt_in=True),
        Marked("app.py", 2, "SPR402", opt_in=True),
        Marked("app.py", 3, "SPR101", suppressed=True),
        Marked("app.py", 4, "SPR101", no_manifest=True),
    ]
    manifest = 'roles = [\n  "Pricing #1",  # SPR302 SPR501: vendors cannot hold it\n]\n'
    marked = read_markers(manifest, "spapi-roles.toml")
    assert [(m.line, m.code, m.in_manifest, m.per_file) for m in marked] == [
        (2, "SPR302", True, False), (2, "SPR501", True, False)]


@pytest.mark.parametrize("comment, message", [
    ("# SPR101 (opt in)", "app.py:1: unknown note"),
    ("# SPR10", "app.py:1: cannot read the marker"),
    ("# SPR101 and more", "app.py:1: cannot read the marker"),
])
def test_unreadable_code_markers_name_file_and_line(comment, message):
    with pytest.raises(MarkerError, match=message):
        read_markers(f"f()  {comment}\n", "app.py")
