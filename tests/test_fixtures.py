"""The detection engine against the fixture projects: every marked use is found, and nothing else.

Markers and their format: ``fixtures/README.md``; reader and comparison:
``tests/support/markers.py``.
"""

from __future__ import annotations

import sys

import pytest
from support import markers

PROJECTS = markers.fixture_projects()
NEGATIVES = "negatives"
MIN_DISTINCT_PATTERNS = 60


@pytest.fixture(scope="module")
def engine():
    from spapi_roles import engine as detection_engine

    return detection_engine


def _fixture_modules() -> set:
    """Names of imported modules whose source lies inside the fixtures directory."""
    fixtures = str(markers.FIXTURES_DIR)
    return {
        name for name, module in list(sys.modules.items())
        if str(getattr(module, "__file__", "") or "").startswith(fixtures)
    }


@pytest.mark.parametrize("root", PROJECTS, ids=lambda root: markers.project_label(root))
def test_engine_reports_exactly_the_marked_uses(engine, root):
    project = markers.read_project(root)
    imported_before = _fixture_modules()
    uses = engine.analyze_paths([str(path) for path in project.files], str(project.root))
    assert _fixture_modules() == imported_before, "the engine imported fixture code"
    actual = [markers.finding_of(use, root) for use in uses]
    comparison = markers.compare(project.expectations, actual)
    assert not comparison.missed and not comparison.false_findings, (
        f"{project.name}: {comparison.false_negatives} missed, {comparison.false_positives} false "
        f"(of {len(project.expectations)} marked uses)\n{comparison.report()}"
    )


def test_fixtures_cover_enough_distinct_patterns_including_negatives():
    patterns = set()
    for root in PROJECTS:
        patterns.update(markers.read_project(root).patterns)
    assert len(patterns) >= MIN_DISTINCT_PATTERNS, sorted(patterns)
    assert len({pattern for pattern in patterns if pattern.startswith("neg-")}) >= 10


def test_negatives_project_marks_nothing_and_tags_every_case():
    project = markers.read_project(markers.FIXTURES_DIR / NEGATIVES)
    assert project.expectations == []
    assert all(pattern.startswith("neg-") for pattern in project.patterns), sorted(project.patterns)


@pytest.mark.parametrize("root", PROJECTS, ids=lambda root: markers.project_label(root))
def test_every_marker_has_a_pattern_tag_above_it(root):
    project = markers.read_project(root)
    first_tag_line = {}
    for locations in project.patterns.values():
        for path, line in locations:
            first_tag_line[path] = min(line, first_tag_line.get(path, line))
    untagged = [
        str(expectation) for expectation in project.expectations
        if expectation.finding.line < first_tag_line.get(expectation.finding.path, sys.maxsize)
    ]
    assert untagged == []


def test_markers_name_operations_versions_and_types_the_knowledge_base_knows():
    from spapi_roles import knowledge

    kb = knowledge.load()
    unknown = []
    for root in PROJECTS:
        for expectation in markers.read_project(root).expectations:
            found = expectation.finding
            if found.kind == "operation":
                versions = {operation.version for operation in kb.operations_named(found.name)}
                if not versions or (expectation.version and expectation.version not in versions):
                    unknown.append(str(expectation))
            elif found.name != markers.UNRESOLVED_NAME:
                info = kb.type_named(found.name, found.kind)
                if info is None or info.name != found.name:
                    unknown.append(str(expectation))
    assert unknown == []


# The marker reader and the comparison themselves.

SAMPLE = '''\
from sp_api.api import Orders  # expect: nothing-here-is-read

# pattern: sample-case
Orders().get_orders(note="# expect: operation:notAMarker")  # expect: operation:getOrders@v0
x = f(  # expect: operation:createReport report:?/optin
    "GET_X")  # expect: report:GET_X
'''


def test_parse_source_reads_comment_markers_only():
    with pytest.raises(markers.MarkerError, match="sample.py:1"):
        markers.parse_source(SAMPLE, "sample.py")
    expectations, patterns = markers.parse_source(SAMPLE.split("\n", 1)[1], "sample.py")
    assert patterns == [("sample-case", 2)]
    assert [str(expectation) for expectation in expectations] == [
        "sample.py:3: operation:getOrders@v0",
        "sample.py:4: operation:createReport",
        "sample.py:4: report:?/optin",
        "sample.py:5: report:GET_X",
    ]


@pytest.mark.parametrize("bad_marker", [
    "# expect:",
    "# expect: order:getOrders",
    "# expect: report:GET_X@v0",
    "# expect: operation:?/optin",
    "# expect: report:?",
    "# expect: operation:getOrders/strict",
])
def test_parse_source_rejects_malformed_markers(bad_marker):
    with pytest.raises(markers.MarkerError, match="f.py:1"):
        markers.parse_source(f"call()  {bad_marker}\n", "f.py")


def test_a_marker_on_a_line_of_its_own_is_about_the_next_code_line():
    source = (
        "# expect: operation:getOrders\n"
        "\n"
        "# a plain comment\n"
        "Orders().get_orders(  # expect: operation:createReport\n"
        "    # expect: report:GET_X\n"
        "    'GET_X')\n"
    )
    expectations, _ = markers.parse_source(source, "f.py")
    assert [str(expectation) for expectation in expectations] == [
        "f.py:4: operation:getOrders", "f.py:4: operation:createReport", "f.py:6: report:GET_X"]
    with pytest.raises(markers.MarkerError, match="f.py:2: no code line below"):
        markers.parse_source("x = 1\n# expect: operation:getOrders\n", "f.py")


def test_exact_evidence_is_for_snippets_only():
    source = ("f()  # expect: report:GET_X/carrier report:?/unresolved "
              "operation:getOrders/name-only\n")
    with pytest.raises(markers.MarkerError, match="f.py:1: fixture markers tell only /optin apart"):
        markers.parse_source(source, "f.py")
    expectations, _ = markers.parse_source(source, "f.py", exact_evidence=True)
    assert [(e.finding.mode, e.evidence, e.item()) for e in expectations] == [
        ("default", "carrier", "report:GET_X/carrier"),
        ("optin", "unresolved", "report:?/unresolved"),
        ("optin", "name-only", "operation:getOrders/name-only"),
    ]
    with pytest.raises(markers.MarkerError, match="unknown mode 'strict'"):
        markers.parse_source("f()  # expect: report:GET_X/strict\n", "f.py", exact_evidence=True)


def test_parse_source_rejects_pattern_tags_sharing_a_line_with_code():
    with pytest.raises(markers.MarkerError, match="own"):
        markers.parse_source("call()  # pattern: inline-tag\n", "f.py")


def _finding(line, name="getOrders", kind="operation", mode="default"):
    return markers.Finding("a.py", line, kind, name, mode)


def test_compare_counts_matches_misses_and_false_findings():
    expected = [
        markers.Expectation(_finding(1)),
        markers.Expectation(_finding(2, "GET_X", "report")),
        markers.Expectation(_finding(3, "?", "report", "optin")),
    ]
    actual = [
        (_finding(1), "v0"),
        (_finding(1), "v0"),  # the same use twice on one line counts once
        (_finding(3, "?", "report", "default"), ""),  # right use, wrong evidence class
        (_finding(4, "createReport"), "2021-06-30"),
    ]
    comparison = markers.compare(expected, actual)
    assert comparison.true_positives == 1
    assert [str(expectation) for expectation in comparison.missed] == [
        "a.py:2: report:GET_X",
        "a.py:3: report:?/optin",
    ]
    assert sorted(str(finding) for finding, _ in comparison.false_findings) == [
        "a.py:3: report:?",
        "a.py:4: operation:createReport",
    ]


def test_compare_checks_pinned_versions_only():
    pinned = [markers.Expectation(_finding(1), "v0"), markers.Expectation(_finding(2))]
    comparison = markers.compare(pinned, [(_finding(1), "2026-01-01"), (_finding(2), "2026-01-01")])
    missed = [str(expectation) for expectation in comparison.missed]
    assert missed == ["a.py:1: operation:getOrders@v0"]
    assert comparison.false_findings == [(_finding(1), "2026-01-01")]
    assert comparison.true_positives == 1


def test_finding_of_maps_evidence_names_and_paths(tmp_path):
    from spapi_roles.uses import Use

    (tmp_path / "pkg").mkdir()
    source = tmp_path / "pkg" / "mod.py"
    source.write_text("")
    unresolved = Use(str(source), 7, 4, "report", "", "unresolved")
    assert markers.finding_of(unresolved, tmp_path) == (
        markers.Finding("pkg/mod.py", 7, "report", "?", "optin"), "")
    relative = Use("pkg/mod.py", 3, 0, "operation", "getOrders", "receiver", version="v0")
    assert markers.finding_of(relative, tmp_path) == (
        markers.Finding("pkg/mod.py", 3, "operation", "getOrders", "default"), "v0")
    with pytest.raises(ValueError, match="evidence"):
        markers.finding_of(Use("pkg/mod.py", 3, 0, "operation", "getOrders", "guess"), tmp_path)
