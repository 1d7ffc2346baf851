"""`# noqa` is read on the line the finding is on, by the parser's count of lines, in the CLI as in
flake8: only ``\\n``, ``\\r\\n`` and ``\\r`` end a line. A form feed, a vertical tab, ``\\x1c``-``\\x1e``,
``\\x85``, U+2028 or U+2029 (which ``str.splitlines`` also breaks at) is part of its line.

Each character is tried both ways, in a comment line above the finding:
- "earlier": a ``# noqa`` on the line *before* the use must not silence it (a wrong pass);
- "same": a ``# noqa`` on the use's own line must silence it (a wrong finding).
The CLI and the real flake8 must report exactly the same findings.
"""

from __future__ import annotations

import json
from typing import Set, Tuple

import pytest

from bad_inputs import harness
from spapi_roles import reading

BREAKS = {
    "form-feed": "\x0c",
    "vertical-tab": "\x0b",
    "file-separator": "\x1c",
    "group-separator": "\x1d",
    "record-separator": "\x1e",
    "next-line": "\x85",
    "line-separator": "\u2028",
    "paragraph-separator": "\u2029",
}
IMPORT = "from sp_api.api import Orders\n"
USE = "Orders().get_orders()"
# (name, source, the findings (line, code) both tools must report)
CASES = []
for _name, _char in BREAKS.items():
    CASES.append((f"earlier_{_name}",
                  f"{IMPORT}# before{_char}after\nx = 1  # noqa: SPR101\n{USE}\n",
                  {(4, "SPR101")}))
    CASES.append((f"same_{_name}", f"{IMPORT}# before{_char}after\n{USE}  # noqa: SPR101\n",
                  set()))
CASES.append(("earlier_form-feed-line", f"{IMPORT}\x0c\nx = 1  # noqa: SPR101\n{USE}\n",
              {(4, "SPR101")}))
CASES.append(("same_form-feed-line", f"{IMPORT}\x0c\n{USE}  # noqa: SPR101\n", set()))
CASES.append(("earlier_crlf", f"{IMPORT}# one\r\nx = 1  # noqa: SPR101\r\n{USE}\r\n",
              {(4, "SPR101")}))
CASES.append(("same_lone-cr", f"{IMPORT}# one\r{USE}  # noqa: SPR101\r", set()))

Finding = Tuple[str, int, str]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    project = tmp_path_factory.mktemp("noqa-lines")
    (project / "spapi-roles.toml").write_text("roles = []\n")
    for name, source, _ in CASES:
        (project / f"{name}.py").write_bytes(source.encode("utf-8"))
    env = harness.guarded_env(project.parent / "markers-noqa")
    return harness.run_all({
        "cli": lambda: harness.spapi_roles("check", "--format", "json", ".", cwd=project, env=env),
        "flake8": lambda: harness.flake8("--select=SPR", ".", cwd=project, env=env),
    })


def _cli_findings(ran: harness.Ran) -> Set[Finding]:
    harness.assert_no_traceback(ran)
    return {(d["path"], d["line"], d["code"]) for d in json.loads(ran.stdout)["diagnostics"]}


def _flake8_findings(ran: harness.Ran) -> Set[Finding]:
    harness.assert_no_traceback(ran)
    found = set()
    for line in ran.stdout.splitlines():
        path, number, _, rest = line.split(":", 3)
        found.add((path[2:], int(number), rest.split()[0]))
    return found


@pytest.mark.parametrize("name, expected", [(case[0], case[2]) for case in CASES],
                         ids=[case[0] for case in CASES])
def test_cli_and_flake8_read_noqa_on_the_same_line(runs, name, expected):
    path = f"{name}.py"
    cli = {(line, code) for found, line, code in _cli_findings(runs["cli"]) if found == path}
    flake8 = {(line, code) for found, line, code in _flake8_findings(runs["flake8"])
              if found == path}
    assert (cli, flake8) == (expected, expected), (runs["cli"].describe(),
                                                   runs["flake8"].describe())


@pytest.mark.parametrize("char", list(BREAKS.values()), ids=list(BREAKS))
def test_the_one_line_rule_breaks_only_where_the_parser_does(char):
    text = f"a{char}b\nc\r\nd\re\n"
    assert reading.split_lines(text) == [f"a{char}b", "c", "d", "e"]
    assert len(reading.split_lines(text)) == len(text.splitlines()) - 1
