"""The README stays true: its codes table is the rules table, and CI runs its test command."""

from __future__ import annotations

import re
from pathlib import Path

from spapi_roles import rules

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_codes_table_is_generated_from_the_rules():
    table = re.search(r"<!-- codes-table:[^\n]*-->\n(.*?)<!-- end codes-table -->", README, re.S)
    assert table, "README lost its codes-table markers"
    assert table.group(1).strip() == rules.codes_table_markdown().strip()


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```sh\n(python3 -m venv .venv && .*?)\n```", README)
    test_command = next(command for command in commands if "pytest" in command)
    pytest_step = test_command.split("&&")[-1].strip()
    ci_lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert pytest_step in ci_lines
