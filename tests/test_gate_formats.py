"""`check --format markdown|codeclimate|junit`: a summary people read, GitLab's Code Quality
report and JUnit XML, each checked against what its reader expects (tests/data/formats).

The project is the pull request of tests/support/change_repo.py: the whole tree lacks roles for
`getCatalogItem` (Product Listing only) and `getCompetitivePricing` (Pricing or Product Listing);
the least-privilege choice is Product Listing alone, which grants both.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from support.change_repo import MOVED_LINE, NEW_LINE, make_change_repo, make_granted_project

from spapi_roles import formats, markdown
from spapi_roles.checks import Diagnostic

FORMATS = Path(__file__).parent / "data" / "formats"
SPAPI_ROLES = str(Path(sys.executable).with_name("spapi-roles"))


def spapi_roles(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, SPAPI_ROLES_CACHE_DIR=str(cwd.parent / "cache"))
    env.pop("GITHUB_STEP_SUMMARY", None)
    return subprocess.run([SPAPI_ROLES, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    from conftest import run_git

    return make_change_repo(tmp_path_factory.mktemp("formats") / "repo", run_git)


def test_markdown_groups_the_findings_by_the_role_to_ask_for(repo):
    result = spapi_roles("check", "--format", "markdown", cwd=repo)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "### spapi-roles",
        "",
        "**The code checked needs 1 role the manifest does not declare:** `Product Listing` "
        "(2 call sites in 1 file).",
        "",
        "<sub>Found 2 problems (2 errors) in 1 file (2 files checked)</sub>",
        "",
        "#### `Product Listing`",
        "",
        "| Call site | Uses | Also granted by | Code |",
        "|---|---|---|---|",
        f"| `shop/sync.py:{NEW_LINE}` | `getCatalogItem` (Catalog Items API 2020-12-01) | "
        "no other role | SPR101 |",
        f"| `shop/sync.py:{MOVED_LINE}` | `getCompetitivePricing` (Product Pricing API v0) | "
        "Pricing | SPR101 |",
    ]


def test_markdown_of_a_change_says_what_the_change_adds(repo):
    result = spapi_roles("check", "--format", "markdown", "--diff-base", "main", cwd=repo)
    lines = result.stdout.splitlines()
    assert lines[2] == ("**This change needs 1 role the manifest does not declare:** "
                        "`Product Listing` (1 call site in 1 file).")
    assert "1 already at the merge base with main" in lines[4]
    assert f"| `shop/sync.py:{NEW_LINE}` | `getCatalogItem` (Catalog Items API 2020-12-01) | no " \
        "other role | SPR101 |" in lines


def test_markdown_marks_restricted_roles_with_what_amazon_asks(tmp_path):
    (tmp_path / "spapi-roles.toml").write_text("roles = []\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(
        "from sp_api.api import Reports\n\n\n"
        "def tax():\n"
        "    return Reports().create_report(reportType='GET_FLAT_FILE_VAT_INVOICE_DATA_REPORT')\n",
        encoding="utf-8")
    result = spapi_roles("check", "--format", "markdown", cwd=tmp_path)
    assert "#### `Tax Invoicing (Restricted)` (restricted)" in result.stdout
    assert f"> {markdown.RESTRICTED_ROLE_ASKS}" in result.stdout
    assert "Restricted Data Token" in markdown.RESTRICTED_ROLE_ASKS
    assert "security architecture review" in markdown.RESTRICTED_ROLE_ASKS


def test_markdown_without_findings(tmp_path):
    make_granted_project(tmp_path)
    result = spapi_roles("check", "--format", "markdown", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.splitlines()[2] == (
        "**The code checked needs no role the manifest does not declare**.")


def many_findings(count: int):
    return [Diagnostic(f"pkg/module_{n}.py", n + 1, 4, "SPR101",
                       "`getCatalogItem` (Catalog Items API 2022-04-01) needs one of: Product "
                       "Listing; suggest `Product Listing`", "operation", "getCatalogItem",
                       "Catalog Items API", "2022-04-01", ("Product Listing",))
            for n in range(count)]


def test_markdown_stays_under_githubs_summary_limit_and_counts_what_it_leaves_out():
    report = formats.Report(many_findings(20_000), files_checked=20_000)
    stream = io.StringIO()
    markdown.render_summary(report, stream, os.getcwd())
    text = stream.getvalue()
    size = len(text.encode("utf-8"))
    assert 900_000 < size <= markdown.SUMMARY_LIMIT < 1024 * 1024
    shown = text.count("| SPR101 |")
    assert 0 < shown < 20_000
    assert text.rstrip().endswith("the job log and the SARIF file list every finding.")
    assert f"… {20_000 - shown} more lines not shown" in text

    small = io.StringIO()
    markdown.render_summary(formats.Report(many_findings(50)), small, os.getcwd(), limit=2_000)
    assert len(small.getvalue().encode("utf-8")) <= 2_000


def test_codeclimate_is_gitlabs_code_quality_format(repo):
    result = spapi_roles("check", "--format", "codeclimate", cwd=repo)
    assert result.returncode == 1
    assert not result.stdout.startswith("\ufeff")
    issues = json.loads(result.stdout)
    schema = json.loads((FORMATS / "gitlab-code-quality.schema.json").read_text())
    jsonschema.validate(issues, schema)
    assert [(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"],
             i["severity"]) for i in issues] == [
        ("SPR101", "shop/sync.py", NEW_LINE, "major"),
        ("SPR101", "shop/sync.py", MOVED_LINE, "major")]
    assert len({issue["fingerprint"] for issue in issues}) == 2


def test_codeclimate_fingerprints_survive_a_moved_line(repo, tmp_path):
    before = {i["description"]: i["fingerprint"]
              for i in json.loads(spapi_roles("check", "--format", "codeclimate", cwd=repo).stdout)}
    sync = repo / "shop" / "sync.py"
    original = sync.read_text()
    try:
        sync.write_text("# a new first line\n" + original, encoding="utf-8")
        after = json.loads(spapi_roles("check", "--format", "codeclimate", cwd=repo).stdout)
    finally:
        sync.write_text(original, encoding="utf-8")
    assert {i["description"]: i["fingerprint"] for i in after} == before
    assert [i["location"]["lines"]["begin"] for i in after] == [NEW_LINE + 1, MOVED_LINE + 1]


def test_codeclimate_schema_rejects_what_gitlab_rejects():
    schema = json.loads((FORMATS / "gitlab-code-quality.schema.json").read_text())
    good = {"type": "issue", "check_name": "SPR101", "description": "x", "categories": ["Bug Risk"],
            "location": {"path": "a.py", "lines": {"begin": 1}}, "severity": "major",
            "fingerprint": "f"}
    jsonschema.validate([good], schema)
    for broken in ({**good, "severity": "error"}, {**good, "location": {"path": "a.py"}},
                   {key: value for key, value in good.items() if key != "fingerprint"},
                   {**good, "description": "two\nlines"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate([broken], schema)


def test_junit_validates_against_the_ant_junit_schema(repo):
    schema = xmlschema.XMLSchema(str(FORMATS / "JUnit.xsd"))
    failing = spapi_roles("check", "--format", "junit", cwd=repo)
    assert failing.returncode == 1
    schema.validate(failing.stdout)
    document = schema.to_dict(failing.stdout)
    suite = document["testsuite"][0]
    assert (suite["@tests"], suite["@failures"], suite["@errors"]) == (2, 2, 0)
    assert [case["failure"]["@type"] for case in suite["testcase"]] == ["SPR101", "SPR101"]
    assert suite["testcase"][0]["@classname"] == "shop.sync"

    passing = spapi_roles("check", "--format", "junit", "--diff-base", "HEAD", cwd=repo)
    assert passing.returncode == 0
    schema.validate(passing.stdout)
    suite = schema.to_dict(passing.stdout)["testsuite"][0]
    assert (suite["@tests"], suite["@failures"]) == (1, 0)
    assert "failure" not in suite["testcase"][0]
