"""The snippet comparison itself: each use shown as precisely as its line's markers ask."""

from __future__ import annotations

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
