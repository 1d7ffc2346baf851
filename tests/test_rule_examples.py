"""Every code's example runs as `spapi-roles explain CODE` prints it: in a directory holding its
manifest and module, its command prints exactly the output the example shows, and reports exactly
the codes that the `# SPRxxx` comments of its files mark (support.codes), its own among them."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import pytest
from support.codes import project_markers

from spapi_roles import cli, rules

REPORTED = re.compile(r"^(?P<path>[^:\s]+):(?P<line>\d+):\d+: (?P<code>SPR\d{3}) ", re.M)
EXIT_FINDINGS = 1


def run(command: str, directory, monkeypatch, capsys):
    """Exit status and standard output of ``command``, run in ``directory``."""
    program, *args = shlex.split(command)
    if program == "spapi-roles":  # in-process: the console script's own entry point
        monkeypatch.chdir(directory)
        status = cli.main(args)
        return status, capsys.readouterr().out
    assert program == "flake8", f"an example runs spapi-roles or flake8, not {program}"
    result = subprocess.run([sys.executable, "-m", "flake8", *args], cwd=directory,
                            capture_output=True, text=True, timeout=120)
    assert result.stderr == ""
    return result.returncode, result.stdout


@pytest.mark.parametrize("code", sorted(rules.RULES))
def test_the_example_reports_what_its_comments_mark(code, tmp_path, monkeypatch, capsys):
    example = rules.RULES[code].example
    directory = tmp_path / "example"
    directory.mkdir()
    for name, text in example.files().items():
        (directory / name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("SPAPI_ROLES_CACHE_DIR", str(tmp_path / "cache"))

    status, output = run(example.command, directory, monkeypatch, capsys)

    assert output.splitlines() == list(example.output)
    # flake8 fails on any finding; spapi-roles check on errors only (--fail-on error)
    fails = example.command.startswith("flake8") or rules.RULES[code].level == rules.LEVEL_ERROR
    assert status == (EXIT_FINDINGS if fails else 0)
    marked = project_markers(directory)
    reported = sorted((m["path"], int(m["line"]), m["code"]) for m in REPORTED.finditer(output))
    assert reported == [(m.path, m.line, m.code) for m in marked]
    assert code in {m.code for m in marked}
    assert [m.code for m in marked if m.opt_in] == [
        m.code for m in marked if m.code in rules.DEFAULT_OFF]  # "(opt-in)" where it is off


@pytest.mark.parametrize("code", sorted(rules.RULES))
def test_explain_prints_the_example_that_runs(code, capsys):
    example = rules.RULES[code].example
    assert cli.main(["explain", code]) == 0
    printed = capsys.readouterr().out
    assert example.text() in printed
    for text in (*example.files().values(), example.command, *example.output):
        for line in text.splitlines():
            assert line in printed
