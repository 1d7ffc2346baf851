"""The baseline file: match by code, file and subject (not line), counts, stable JSON, errors."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import pytest

from spapi_roles.baseline import BaselineEntry, load_baseline, write_baseline
from spapi_roles.errors import UserError


@dataclass(frozen=True)
class Finding:
    """Stands in for the checks' diagnostic type: the baseline only reads these attributes."""

    path: str
    line: int
    column: int
    code: str
    message: str
    name: str


def finding(path="app/orders.py", line=10, code="SPR101", name="getOrders", column=4):
    return Finding(path, line, column, code, f"`{name}` needs a role", name)


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_written_file_is_sorted_stable_and_versioned(project):
    findings = [finding("b.py", 3, "SPR201", "GET_X"), finding("a.py", 9), finding("a.py", 2),
                finding("a.py", 5, "SPR101", "createReport")]
    assert write_baseline("baseline.json", findings) == 4
    first = (project / "baseline.json").read_text()
    assert json.loads(first) == {
        "version": 1,
        "tool": "spapi-roles",
        "entries": [
            {"path": "a.py", "code": "SPR101", "name": "createReport", "count": 1},
            {"path": "a.py", "code": "SPR101", "name": "getOrders", "count": 2},
            {"path": "b.py", "code": "SPR201", "name": "GET_X", "count": 1},
        ],
    }
    write_baseline("baseline.json", list(reversed(findings)))
    assert (project / "baseline.json").read_text() == first
    assert first.endswith("\n")


def test_findings_that_moved_lines_stay_suppressed(project):
    write_baseline("baseline.json", [finding(line=10), finding(line=40, name="getOrder")])
    moved = [finding(line=25), finding(line=3, name="getOrder")]
    kept, suppressed, fixed = load_baseline("baseline.json").filter(moved)
    assert kept == [] and suppressed == 2 and fixed == []


def test_counts_matter(project):
    write_baseline("baseline.json", [finding(line=1), finding(line=2)])
    three = [finding(line=30), finding(line=10), finding(line=20)]
    kept, suppressed, fixed = load_baseline("baseline.json").filter(three)
    assert suppressed == 2
    assert kept == [finding(line=30)]  # the first ones by position are the accepted ones
    assert fixed == []


def test_new_findings_are_kept(project):
    write_baseline("baseline.json", [finding()])
    new = [finding(code="SPR201", name="GET_FLAT_FILE_OPEN_LISTINGS_DATA"),
           finding(path="app/other.py"), finding(name="getOrderItems")]
    kept, suppressed, _ = load_baseline("baseline.json").filter([finding()] + new)
    assert kept == new and suppressed == 1


def test_fixed_entries_are_reported_with_what_is_left(project):
    write_baseline("baseline.json", [finding(line=1), finding(line=2), finding(name="getOrder")])
    kept, suppressed, fixed = load_baseline("baseline.json").filter([finding(line=7)])
    assert kept == [] and suppressed == 1
    assert fixed == [BaselineEntry("app/orders.py", "SPR101", "getOrder", 1),
                     BaselineEntry("app/orders.py", "SPR101", "getOrders", 1)]


def test_paths_are_relative_to_the_baseline_so_any_working_directory_works(project):
    (project / "app").mkdir()
    (project / "ci").mkdir()
    write_baseline("ci/baseline.json", [finding("app/orders.py")])
    entry = json.loads((project / "ci/baseline.json").read_text())["entries"][0]
    assert entry["path"] == "../app/orders.py"
    os.chdir(project / "app")
    kept, suppressed, _ = load_baseline("../ci/baseline.json").filter([finding("orders.py")])
    assert kept == [] and suppressed == 1
    absolute = str(project / "app" / "orders.py")
    kept, suppressed, _ = load_baseline(str(project / "ci/baseline.json")).filter(
        [finding(absolute)])
    assert suppressed == 1


def test_duplicate_entries_in_a_hand_edited_file_add_up(project):
    entry = {"path": "a.py", "code": "SPR101", "name": "getOrders", "count": 1}
    (project / "baseline.json").write_text(json.dumps({"version": 1, "entries": [entry, entry]}))
    _, suppressed, _ = load_baseline("baseline.json").filter(
        [finding("a.py", 1), finding("a.py", 2), finding("a.py", 3)])
    assert suppressed == 2


def test_empty_baseline(project):
    write_baseline("baseline.json", [])
    kept, suppressed, fixed = load_baseline("baseline.json").filter([finding()])
    assert kept == [finding()] and suppressed == 0 and fixed == []


def test_writing_replaces_atomically_and_leaves_no_temporary_files(project):
    write_baseline("baseline.json", [finding()])
    write_baseline("baseline.json", [finding(), finding(name="getOrder")])
    assert sorted(os.listdir(project)) == ["baseline.json"]


def test_unwritable_location_is_a_user_error(project):
    with pytest.raises(UserError) as caught:
        write_baseline("missing-dir/baseline.json", [finding()])
    assert str(caught.value).startswith("missing-dir/baseline.json: cannot write the baseline:")


CORRUPT = [
    ("invalid-json", '{"version": 1,\n "entries": [}\n', 2, "corrupt baseline: invalid JSON"),
    ("not-an-object", "[]", None, 'corrupt baseline: expected an object with "version"'),
    ("no-entries", '{"version": 1}', None, "corrupt baseline: expected an object"),
    ("wrong-version", '{"version": 99, "entries": []}', None,
     "corrupt baseline: unsupported version 99 (this spapi-roles reads version 1)"),
    ("entries-not-array", '{"version": 1, "entries": {}}', None,
     'corrupt baseline: "entries" must be an array'),
    ("entry-missing-field", '{"version": 1, "entries": [{"path": "a.py", "code": "SPR101"}]}',
     None, 'corrupt baseline: entry 1 needs "path", "code", "name" (strings)'),
    ("entry-bad-count", '{"version": 1, "entries": [{"path": "a.py", "code": "SPR101", '
     '"name": "x", "count": 0}]}', None, "corrupt baseline: entry 1 needs"),
    ("entry-bool-count", '{"version": 1, "entries": [{"path": "a.py", "code": "SPR101", '
     '"name": "x", "count": true}]}', None, "corrupt baseline: entry 1 needs"),
    ("empty-file", "", 1, "corrupt baseline: invalid JSON"),
    ("deep-nesting", "[" * 100_000 + "]" * 100_000, None, "corrupt baseline"),
]


@pytest.mark.parametrize("content, line, message", [c[1:] for c in CORRUPT],
                         ids=[c[0] for c in CORRUPT])
def test_corrupt_baseline_is_one_located_line(project, content, line, message):
    (project / "baseline.json").write_text(content)
    with pytest.raises(UserError) as caught:
        load_baseline("baseline.json")
    text = str(caught.value)
    assert "\n" not in text
    prefix = f"baseline.json:{line}: " if line else "baseline.json: "
    assert text.startswith(prefix + message)
    assert text.endswith("; rewrite it with --write-baseline")


@pytest.mark.parametrize("make, message", [
    (lambda p: None, "baseline.json: baseline not found"),
    (lambda p: (p / "baseline.json").mkdir(), "baseline.json: is a directory, not a baseline file"),
    (lambda p: (p / "baseline.json").write_bytes(b'{"version": 1, "entries": ["\xff"]}'),
     "baseline.json: corrupt baseline: not valid UTF-8; rewrite it with --write-baseline"),
])
def test_unreadable_baseline(project, make, message):
    make(project)
    with pytest.raises(UserError) as caught:
        load_baseline("baseline.json")
    assert str(caught.value) == message
