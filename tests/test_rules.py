"""The codes table: every code documented, tested, stable in shape; explain(); code selection."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from spapi_roles import rules

TESTS = Path(__file__).resolve().parent
# Tests that run the checks (in-process, through the CLI or flake8) and assert the codes emitted.
EXERCISING_TESTS = [
    path
    for pattern in ("test_checks*.py", "test_cli*.py", "test_flake8*.py", "test_precommit*.py")
    for path in TESTS.glob(pattern)
]


@pytest.mark.parametrize("code", sorted(rules.RULES))
def test_code_is_documented(code):
    rule = rules.RULES[code]
    assert re.fullmatch(r"SPR\d{3}", rule.code)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)+", rule.name)
    for text in (rule.summary, rule.what, rule.why, rule.example.text(), rule.fix):
        assert text.strip(), f"{code}: a documentation section is empty"
    assert rule.level in (rules.LEVEL_ERROR, rules.LEVEL_WARNING, rules.LEVEL_NOTE)
    assert rule.scope in rules.SCOPE_TEXT
    doc = rules.explain(code)
    for section in rules.DOC_SECTIONS:
        assert f"## {section}" in doc
    assert doc.startswith(f"{code} ({rule.name}): {rule.summary}")
    assert ("Default: on" if rule.default_on else "Default: off") in doc


@pytest.mark.parametrize("code", sorted(rules.RULES))
def test_message_template_is_short_and_stable(code):
    message = rules.RULES[code].message
    assert not message.endswith(".")
    assert not message.startswith(
        "SPR"
    ), "the code is added by the output formats, not the template"
    fields = {name for _, name, _, _ in string.Formatter().parse(message) if name}
    assert fields <= {
        "subject",
        "roles",
        "suggested",
        "account",
        "where",
        "others",
        "wanted",
        "available",
        "unseen",
        "role",
        "kind",
        "error",
        "of",  # SPR902: the operation and the argument whose type is unresolved
    }


@pytest.mark.parametrize("code", sorted(rules.RULES))
def test_code_is_exercised_by_a_test(code):
    users = [p.name for p in EXERCISING_TESTS if re.search(rf"\b{code}\b", p.read_text())]
    assert users, f"{code} is not asserted by any test"


def test_explain_accepts_case_and_rule_names():
    assert rules.explain("spr501") == rules.explain("SPR501") == rules.explain("unused-role")
    assert rules.explain("SPR999") is None
    assert rules.explain("getOrders") is None


def test_codes_table_lists_every_code_once():
    table = rules.codes_table_markdown()
    for code, rule in rules.RULES.items():
        assert table.count(f"| {code} | {rule.name} |") == 1


def test_default_off_codes_are_the_informational_and_strictness_ones():
    assert set(rules.DEFAULT_OFF) == {"SPR301", "SPR401", "SPR402", "SPR901", "SPR902"}


@pytest.mark.parametrize(
    "options, code, enabled",
    [
        ({}, "SPR101", True),
        ({}, "SPR901", False),
        ({"extend_select": ["SPR9"]}, "SPR901", True),
        ({"extend_select": ["SPR9"]}, "SPR101", True),
        ({"extend_select": ["SPR"]}, "SPR901", False),  # opt-ins must be named beyond "SPR"
        ({"select": ["SPR1"]}, "SPR101", True),
        ({"select": ["SPR1"]}, "SPR201", False),
        ({"select": ["SPR"]}, "SPR402", False),
        ({"select": ["SPR"]}, "SPR403", True),
        ({"select": ["SPR402"]}, "SPR402", True),
        ({"select": ["SPR4"]}, "SPR401", True),
        ({"ignore": ["SPR1"]}, "SPR101", False),
        ({"ignore": ["SPR1"]}, "SPR201", True),
        ({"ignore": ["SPR1"], "extend_select": ["SPR101"]}, "SPR101", True),  # longer wins
        ({"ignore": ["SPR101"], "extend_select": ["SPR1"]}, "SPR101", False),
        ({"ignore": ["SPR4"], "extend_select": ["SPR4"]}, "SPR401", False),  # a tie ignores
        ({"ignore": ["SPR"]}, "SPR501", False),
        ({"ignore": ["E501"]}, "SPR301", False),  # unlike flake8, --ignore turns no opt-in on
    ],
)
def test_selection(options, code, enabled):
    assert rules.Selection(**options).enabled(code) is enabled


@pytest.mark.parametrize(
    "selected, expected",
    [
        ([], False),
        (["SPR"], False),
        (["S"], False),
        (["SPR9"], True),
        (["E", "SPR902"], True),
        (["SPR90"], True),
        (["SPR1"], False),
    ],
)
def test_opt_in_codes_need_a_specific_prefix(selected, expected):
    assert rules.names_opt_in("SPR902", selected) is expected
