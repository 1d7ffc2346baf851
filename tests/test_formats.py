"""Output formats on hand-made diagnostics: text, JSON, SARIF (schema-valid) and GitHub commands."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest

from spapi_roles import formats, rules
from spapi_roles.checks import Diagnostic

SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "sarif" / "sarif-schema-2.1.0.json").read_text()
)

D101 = Diagnostic(
    "app/orders.py",
    12,
    4,
    "SPR101",
    "`getInvoices` (Invoices API 2024-06-19) needs a role; suggest `Tax Invoicing (Restricted)`",
    "operation",
    "getInvoices",
    "Invoices API",
    "2024-06-19",
    ("Tax Invoicing (Restricted)",),
    suggested="Tax Invoicing (Restricted)",
)
D501 = Diagnostic(
    "spapi-roles.toml",
    3,
    0,
    "SPR501",
    "role `Pricing` is declared but no checked code needs it",
    "role",
    "Pricing",
)
D401 = Diagnostic(
    "app/orders.py",
    20,
    8,
    "SPR401",
    "`getOrders` (Orders API v0) returns restricted data (PII); "
    "call it with a Restricted Data Token",
    "operation",
    "getOrders",
    "Orders API",
    "v0",
    ("A",),
)


def render(fmt, report, root):
    out = io.StringIO()
    formats.render(fmt, report, out, root=str(root))
    return out.getvalue()


def test_text_is_flake8_style_with_one_based_columns_and_a_summary(tmp_path):
    report = formats.Report([D101, D501], files_checked=5, suppressed_by_noqa=2)
    assert render("text", report, tmp_path).splitlines() == [
        f"app/orders.py:12:5: SPR101 {D101.message}",
        f"spapi-roles.toml:3:1: SPR501 {D501.message}",
        "Found 2 problems (1 error, 1 warning) in 2 files (5 files checked); 2 suppressed by noqa",
    ]


def test_text_summary_when_clean(tmp_path):
    assert (
        render("text", formats.Report([], files_checked=1), tmp_path)
        == "No problems found (1 file checked)\n"
    )


def test_json_holds_exactly_the_diagnostic_fields(tmp_path):
    document = json.loads(render("json", formats.Report([D101]), tmp_path))
    assert document == {
        "diagnostics": [
            {
                "path": "app/orders.py",
                "line": 12,
                "column": 4,
                "code": "SPR101",
                "level": "error",
                "message": D101.message,
                "kind": "operation",
                "name": "getInvoices",
                "api": "Invoices API",
                "version": "2024-06-19",
                "required_roles": ["Tax Invoicing (Restricted)"],
                "confidence": "high",
                "suggested_role": "Tax Invoicing (Restricted)",
                "related": [],
            }
        ]
    }


def test_a_type_written_elsewhere_is_a_related_location_in_json_and_sarif(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    carried = Diagnostic(
        "app/reports.py", 9, 30, "SPR201",
        "report type `GET_LEDGER_DETAIL_VIEW_DATA` needs a role", "report",
        "GET_LEDGER_DETAIL_VIEW_DATA", related=(("app/consts.py", 1, 9),),
    )
    (found,) = json.loads(render("json", formats.Report([carried]), tmp_path))["diagnostics"]
    assert found["related"] == [{"path": "app/consts.py", "line": 1, "column": 9}]
    document = json.loads(render("sarif", formats.Report([carried]), tmp_path))
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    (related,) = document["runs"][0]["results"][0]["relatedLocations"]
    assert related["physicalLocation"] == {
        "artifactLocation": {"uri": "app/consts.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1, "startColumn": 10},
    }
    assert "GET_LEDGER_DETAIL_VIEW_DATA" in related["message"]["text"]


def test_sarif_is_valid_with_stable_rules_relative_paths_and_fingerprints(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    document = json.loads(render("sarif", formats.Report([D101, D501, D401]), tmp_path))
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    run = document["runs"][0]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert rule_ids == list(rules.RULES)  # every rule, in a stable order
    spr101 = run["tool"]["driver"]["rules"][rule_ids.index("SPR101")]
    assert spr101["help"]["text"] == rules.explain("SPR101")
    assert spr101["defaultConfiguration"] == {"level": "error", "enabled": True}
    first = run["results"][0]
    assert first["ruleId"] == "SPR101" and rule_ids[first["ruleIndex"]] == "SPR101"
    assert first["level"] == "error"
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "app/orders.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 12, "startColumn": 5}
    assert [r["level"] for r in run["results"]] == ["error", "warning", "note"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"


def test_sarif_fingerprints_ignore_line_moves_and_count_repeats(tmp_path):
    moved = Diagnostic(**{**D101.__dict__, "line": 40})
    first = formats.fingerprints([D101, D401], str(tmp_path))
    second = formats.fingerprints([moved, D401], str(tmp_path))
    assert first == second
    twice = formats.fingerprints([D101, moved], str(tmp_path))
    assert twice[0] != twice[1]


def test_sarif_path_outside_the_root_is_an_absolute_uri(tmp_path):
    outside = Diagnostic(**{**D101.__dict__, "path": str(tmp_path.parent / "elsewhere.py")})
    document = json.loads(render("sarif", formats.Report([outside]), tmp_path / "root"))
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    artifact = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"
    ]
    assert artifact == {"uri": (tmp_path.parent / "elsewhere.py").as_uri()}


def test_github_commands_levels_escaping_and_summary(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tricky = Diagnostic("a,b:c.py", 1, 0, "SPR101", "50% of\nit", "operation", "x")
    lines = render(
        "github", formats.Report([D101, D501, D401, tricky], files_checked=3), tmp_path
    ).splitlines()
    assert (
        lines[0] == f"::error file=app/orders.py,line=12,col=5,title=SPR101::{D101.message}"
    )
    assert lines[1].startswith("::warning file=spapi-roles.toml,line=3,col=1,title=SPR501::")
    assert lines[2].startswith("::notice file=app/orders.py,line=20,col=9,title=SPR401::")
    assert lines[3] == "::error file=a%2Cb%3Ac.py,line=1,col=1,title=SPR101::50%25 of%0Ait"
    assert (
        lines[4]
        == "spapi-roles: Found 4 problems (2 errors, 1 warning, 1 note) in 3 files "
        "(3 files checked)"
    )


def test_github_over_the_annotation_limit_says_so_and_writes_a_job_summary(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    many = [Diagnostic("a.py", n, 0, "SPR101", f"m{n}", "operation", "x") for n in range(1, 13)]
    lines = render("github", formats.Report(many, files_checked=1), tmp_path).splitlines()
    assert len(lines) == 13
    assert "GitHub shows at most 10 annotations per level" in lines[-1]
    table = summary.read_text()
    assert table.count("| a.py |") == 12 and "| File | Line | Code | Message |" in table


def test_github_under_the_limit_writes_no_job_summary(tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    render("github", formats.Report([D101]), tmp_path)
    assert not summary.exists()


@pytest.mark.parametrize("fmt", formats.FORMATS)
def test_every_format_renders_an_empty_report(fmt, tmp_path):
    assert render(fmt, formats.Report([]), tmp_path)


def test_summary_mentions_baseline_and_fixes():
    report = formats.Report(
        [],
        files_checked=2,
        suppressed_by_baseline=3,
        fixed_baseline_entries=1,
        roles_added={"spapi-roles.toml": ["Pricing"]},
    )
    assert formats.summary_line(report) == (
        "No problems found (2 files checked); 3 in the baseline; 1 baseline entry now fixed; "
        "added `Pricing` to spapi-roles.toml"
    )


def test_github_paths_are_relative_to_the_repository(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")  # run in a subdirectory; GitHub wants repository paths
    out = render("github", formats.Report([D101]), tmp_path)
    assert out.startswith("::error file=sub/app/orders.py,line=12,col=5,title=SPR101::")
