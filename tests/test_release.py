"""Habits of a released package: the version is written once, the changelog tells the truth about
it (as flake8-async checks its changelog against its version), and the license file is the one the
metadata names."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import List, Optional, Tuple

import pytest

import spapi_roles
from spapi_roles import rules

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
CHANGELOG = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
ENTRY = re.compile(r"(?P<version>\d+\.\d+\.\d+) (?:\(unreleased\)|- (?P<date>\d{4}-\d{2}-\d{2}))")


def releases() -> List[Tuple[Tuple[int, ...], Optional[datetime.date]]]:
    """(version, date or None while unreleased) of each changelog entry, newest first."""
    entries = []
    for heading in re.findall(r"^## (.*)$", CHANGELOG, re.M):
        match = ENTRY.fullmatch(heading)
        assert match, (f"changelog heading {heading!r} is neither '<version> (unreleased)' "
                       "nor '<version> - YYYY-MM-DD'")
        version = tuple(int(part) for part in match.group("version").split("."))
        date = match.group("date")
        entries.append((version, datetime.date.fromisoformat(date) if date else None))
    assert entries, "the changelog has no entry"
    return entries


def test_the_newest_changelog_entry_is_the_package_version():
    newest, _ = releases()[0]
    assert ".".join(map(str, newest)) == spapi_roles.__version__


def test_versions_only_go_down_and_only_the_newest_may_be_unreleased():
    entries = releases()
    versions = [version for version, _ in entries]
    assert versions == sorted(set(versions), reverse=True)
    assert all(date is not None for _, date in entries[1:]), "an older entry is still unreleased"
    dates = [date for _, date in entries if date is not None]
    assert dates == sorted(dates, reverse=True)
    assert all(date <= datetime.date.today() for date in dates), "a release dated in the future"


@pytest.mark.parametrize("code", sorted(rules.RULES))
def test_every_code_is_named_in_the_changelog(code):
    assert re.search(rf"\b{code}\b", CHANGELOG), f"{code} is not in CHANGELOG.md"


def test_the_version_is_written_once():
    project = PYPROJECT["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "spapi_roles.__version__"}
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    pins = re.findall(r"rev: v(\S+)|flake8-spapi-roles==([\d.]+)", readme)
    assert pins and {a or b for a, b in pins} == {spapi_roles.__version__}


def test_the_license_file_is_the_license_the_metadata_names():
    assert PYPROJECT["project"]["license"] == "Apache-2.0"
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]
    license_text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert re.match(r"\s*Apache License\s+Version 2\.0, January 2004\s", license_text)
    assert "END OF TERMS AND CONDITIONS" in license_text
