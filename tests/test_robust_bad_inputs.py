"""The bad-input suite: every named case (``bad_inputs/cases.py``) through the engine, the flake8
plugin object, the real ``flake8`` and the real ``spapi-roles check``.

For each case: the engine returns a list of well-formed uses (and raises nothing even without
its catch-all), flake8 exits 0 or 1 without a traceback (E9xx is flake8's own report), and the
CLI exits 0, 1 or 2 with at most one clear line per bad file, naming it. Subprocesses run once
per module, in parallel; flake8 runs once over all the cases it can read.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from bad_inputs import counts, harness, inprocess
from bad_inputs.cases import (CASES, CASES_BY_ID, FIFOS, UNREADABLE, USE, VANISHING, build_case,
                              five_megabytes, many_statements, restore_permissions)
from spapi_roles import engine
from spapi_roles.errors import UserError
from spapi_roles.files import find_python_files

SOURCE_CASES = [case.id for case in CASES if case.source]
ALL_CASES = [case.id for case in CASES]
FLAKE8_CASES = [case.id for case in CASES if case.flake8]
HEAVY = [case.id for case in CASES if case.heavy]
STDIN_CASES = ("empty-file", "syntax-error", "invalid-utf8", "nul-bytes", "random-bytes",
               "utf16-with-bom", "cookie-lies-utf8", "expression-20000-terms", "huge-line")
DIAGNOSTIC = re.compile(r"^.+:\d+:\d+: SPR\d{3} ")
CASE_TIMEOUT_SECONDS = 60
KNOWN_FAILURE_TIMEOUT_SECONDS = 15

# Known failures, found by this suite, in modules whose owners are still working on them:
# (tool, case id) -> what happens. Each stays a strict xfail until fixed. (Fixed so far: a
# libcst stack overflow (SIGSEGV) on a 20,000-term `and` chain, gone with libcst: the engine reads
# ``ast``, where the chain is flat; a run blocked forever on a named pipe, now refused by file
# discovery.)
XFAIL: Dict[Tuple[str, str], str] = {}

# Inputs on which flake8 itself fails before or around the plugins: not ours to fix. For these
# the tests check that no frame of spapi_roles is in the traceback (the plugin object is
# tested on the same inputs in-process above).
_OWN_RECURSION = "flake8's own ast.parse raises RecursionError before any plugin runs"
_OWN_STDIN = "flake8 decodes stdin as UTF-8 only and raises UnicodeDecodeError while reading"
FLAKE8_OWN: Dict[Tuple[str, str], str] = {
    ("flake8", "attribute-chain-20000"): _OWN_RECURSION,
    ("flake8", "call-chain-5000"): _OWN_RECURSION,
    ("flake8", "expression-20000-terms"): _OWN_RECURSION,
    ("flake8", "odd-file-names"):
        "flake8 raises UnicodeEncodeError printing a file name that is not UTF-8",
    ("stdin", "expression-20000-terms"): _OWN_RECURSION,
    ("stdin", "invalid-utf8"): _OWN_STDIN,
    ("stdin", "random-bytes"): _OWN_STDIN,
    ("stdin", "utf16-with-bom"): _OWN_STDIN,
    ("stdin", "cookie-lies-utf8"): _OWN_STDIN,
}
if sys.version_info < (3, 11):  # there, compile() raises ValueError, not SyntaxError, on NUL
    _OWN_NUL = "flake8 raises ValueError compiling a file that holds a NUL byte"
    for _tool in ("flake8", "stdin"):
        for _case in ("nul-bytes", "nul-in-string", "random-bytes", "random-bytes-after-use",
                      "utf16-with-bom"):
            FLAKE8_OWN.setdefault((_tool, _case), _OWN_NUL)
# The lines flake8 prints when a plugin of its own (pyflakes) raised on the file.
_OWN_FAILURE_LINE = re.compile(
    r'^(.+: "[^"]+" failed during execution due to |Run flake8 with greater verbosity)'
)
# Cases flake8 fails on run on their own, so that they cannot abort or hang the batch run.
FLAKE8_ALONE = [case for tool, case in list(XFAIL) + list(FLAKE8_OWN) if tool == "flake8"]


# Big but plausible inputs must finish within RESOURCE_SECONDS; the address-space limit makes a
# memory blow-up fail the test rather than the CI host.
RESOURCE_SECONDS = 20
MEMORY_LIMIT = 4 * 1024 ** 3
_LIMITED = ("import resource, sys\n"
            f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT}))\n")
RESOURCE_CASES = {
    "analyze-source-five-megabytes": (
        "five-megabytes",
        _LIMITED + "from spapi_roles import engine\n"
        "path = sys.argv[1]\n"
        "uses = engine.analyze_source(open(path, encoding='utf-8').read(), path)\n"
        "assert isinstance(uses, list)\n"),
    "cli-200000-statements": (
        "many-statements-200000",
        _LIMITED + "from spapi_roles.cli import main\n"
        "sys.exit(main(['check', sys.argv[1]]))\n"),
}


def _resource_job(base: Path, env: Dict[str, str], name: str):
    """A job running one resource case under an address-space limit, in its own project."""
    case_id, code = RESOURCE_CASES[name]
    directory = base / "resources" / name
    directory.mkdir(parents=True)
    (directory / "spapi-roles.toml").write_text("roles = []\n")
    content = five_megabytes() if case_id == "five-megabytes" else many_statements(200_000)
    (directory / "big.py").write_bytes(content)
    return functools.partial(harness.run, [sys.executable, "-c", code, "big.py"], directory, env,
                             timeout=RESOURCE_SECONDS)


@dataclass
class Built:
    directory: Path
    target: Path


@dataclass
class BadRuns:
    built: Dict[str, Built]
    cli: Dict[str, harness.Ran]
    stdin: Dict[str, harness.Ran]
    cli_stdin: harness.Ran
    flake8: harness.Ran
    flake8_alone: Dict[str, harness.Ran]
    resources: Dict[str, harness.Ran]
    base: Path


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    base = tmp_path_factory.mktemp("bad-inputs")
    cases_dir = base / "cases"
    built = {case.id: Built(cases_dir / case.id, build_case(case, cases_dir / case.id))
             for case in CASES}
    counts.add("bad inputs tried", len(built))
    env = harness.guarded_env(base / "markers")
    jobs = {}
    for case in CASES:
        where = built[case.id]
        extra = dict(env)
        if case.id == "deleted-after-discovery":
            extra["SPAPI_GUARD_DELETE"] = str(where.directory / VANISHING)
        jobs["cli", case.id] = functools.partial(
            harness.spapi_roles, "check", os.path.relpath(where.target, where.directory),
            cwd=where.directory, env=extra, timeout=_timeout("cli", case.id))
    for case_id in FLAKE8_ALONE:
        where = built[case_id]
        jobs["flake8", case_id] = functools.partial(
            harness.flake8, "--select=SPR,E9", where.target.name, cwd=where.directory, env=env,
            timeout=_timeout("flake8", case_id))
    for case_id in STDIN_CASES:
        where = built[case_id]
        jobs["stdin", case_id] = functools.partial(
            harness.flake8, "--select=SPR,E9", "--stdin-display-name=stdin_case.py", "-",
            cwd=where.directory, env=env, stdin=where.target.read_bytes())
    jobs["cli-stdin", ""] = functools.partial(
        harness.spapi_roles, "check", "-", cwd=built["syntax-error"].directory, env=env,
        stdin=built["syntax-error"].target.read_bytes())
    skipped = ",".join(case.id for case in CASES
                       if not case.flake8 or case.heavy or case.id in FLAKE8_ALONE)
    jobs["flake8", ""] = functools.partial(
        harness.flake8, "--select=SPR,E9", f"--extend-exclude={skipped}", "cases",
        cwd=base, env=env)
    for name in RESOURCE_CASES:
        jobs["resource", name] = _resource_job(base, env, name)
    counts.add("bad inputs tried", len(RESOURCE_CASES))
    results = harness.run_all(jobs)
    counts.add("tool runs on bad inputs", len(results))
    yield BadRuns(
        built=built,
        cli={case: ran for (tool, case), ran in results.items() if tool == "cli"},
        stdin={case: ran for (tool, case), ran in results.items() if tool == "stdin"},
        cli_stdin=results["cli-stdin", ""],
        flake8=results["flake8", ""],
        flake8_alone={case: ran for (tool, case), ran in results.items()
                      if tool == "flake8" and case},
        resources={name: ran for (tool, name), ran in results.items() if tool == "resource"},
        base=base,
    )
    restore_permissions(base)


def _timeout(tool: str, case_id: str) -> float:
    return KNOWN_FAILURE_TIMEOUT_SECONDS if (tool, case_id) in XFAIL else CASE_TIMEOUT_SECONDS


def _marks(tool: str, case_id: str):
    reason = XFAIL.get((tool, case_id))
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


def _params(tool: str, case_ids: List[str], heavy_is_slow: bool = False):
    """Parameters with their known-failure marks; heavy cases only in the slow run if asked."""
    return [pytest.param(case_id, id=case_id, marks=_marks(tool, case_id) + (
        [pytest.mark.slow] if heavy_is_slow and case_id in HEAVY else []))
        for case_id in case_ids]


def _assert_flake8_survived(ran: harness.Ran, tool: str, case_id: str) -> None:
    """No traceback (or, where flake8 itself is known to fail, none through our code)."""
    if (tool, case_id) in FLAKE8_OWN and harness.TRACEBACK in ran.stderr:
        counts.add("flake8's own failures (not ours)")
        harness.assert_no_traceback_through(ran, "spapi_roles")
    else:
        harness.assert_no_traceback(ran)
    harness.assert_exit(ran, (0, 1))


def _skip_unless_enforced(case_id: str) -> None:
    if case_id in UNREADABLE and not harness.permissions_are_enforced():
        pytest.skip("running as root without a way to drop the file-permission override")


def test_there_are_at_least_thirty_named_cases():
    assert len(CASES) >= 30 and len(CASES_BY_ID) == len(CASES)


# ---------------------------------------------------------------------------- engine, in-process


def _engine_check(path: str, data: bytes) -> None:
    texts = inprocess.decodings(data)
    inprocess.analyze(texts[0], path)
    for text in texts:
        inprocess.analyze_unguarded(text, path)


@pytest.mark.parametrize("case_id", _params("engine", SOURCE_CASES, heavy_is_slow=True))
def test_engine_returns_uses_for_every_decoding(bad, case_id):
    where = bad.built[case_id]
    inprocess.isolated(_engine_check, str(where.target), where.target.read_bytes(),
                       timeout=_timeout("engine", case_id) * (10 if case_id in HEAVY else 1))


def _paths_check(directory: str, target: str, vanishing: str) -> None:
    try:
        paths = find_python_files([target])
    except UserError:
        paths = [target]
    if vanishing:
        os.unlink(vanishing)  # deleted between discovery and reading
    assert engine.build_index(paths, directory) is not None
    assert isinstance(engine.analyze_paths(paths, directory), list)


@pytest.mark.parametrize("case_id", _params("engine-paths", [
    case.id for case in CASES if not case.source and case.id not in FIFOS]))
def test_engine_analyze_paths_and_build_index_return_lists(tmp_path, case_id):
    """The CLI runs below cover every case; these special paths also go through in-process."""
    directory = tmp_path / case_id
    target = build_case(CASES_BY_ID[case_id], directory)
    vanishing = str(directory / VANISHING) if case_id == "deleted-after-discovery" else ""
    try:
        inprocess.isolated(_paths_check, str(directory), str(target), vanishing,
                           timeout=_timeout("engine-paths", case_id))
    finally:
        restore_permissions(tmp_path)


def _plugin_check(path: str, data: bytes) -> None:
    inprocess.configure_plugin(None)
    inprocess.plugin_results(inprocess.decode_like_flake8(data), path)


@pytest.mark.parametrize("case_id", _params("plugin", SOURCE_CASES, heavy_is_slow=True))
def test_plugin_object_returns_results_without_raising(bad, case_id):
    where = bad.built[case_id]
    inprocess.isolated(_plugin_check, str(where.target), where.target.read_bytes(),
                       timeout=_timeout("plugin", case_id) * (10 if case_id in HEAVY else 1))


# ---------------------------------------------------------------------------- the real tools


def _shown(name: str) -> str:
    """A file name as it appears in the captured (backslash-replaced) output."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _entries(where: Built) -> List[str]:
    """Names a line about this case may mention: the target and everything inside the case."""
    names = {_shown(where.target.name), _shown(os.path.relpath(where.target, where.directory))}
    for current, dirnames, filenames in os.walk(where.directory):
        names.update(_shown(name) for name in dirnames + filenames if name != "spapi-roles.toml")
    return sorted(names)


@pytest.mark.parametrize("case_id", _params("cli", ALL_CASES))
def test_cli_exits_0_1_2_with_at_most_one_line_per_bad_file(bad, case_id):
    _skip_unless_enforced(case_id)
    ran = bad.cli[case_id]
    harness.assert_no_traceback(ran)
    harness.assert_exit(ran, (0, 1, 2))
    names = _entries(bad.built[case_id])
    lines = ran.stderr_lines
    assert len(lines) <= max(1, len(names) - 1), ran.describe()
    for line in lines:
        assert any(name in line for name in names), ran.describe()
    if ran.returncode == 2:
        assert lines, ran.describe()
    if ran.returncode == 1:
        assert any(DIAGNOSTIC.match(line) for line in ran.stdout.splitlines()), ran.describe()


@pytest.mark.parametrize("case_id, reason", [
    ("fifo-given-explicitly", "not a regular file"),
    ("symlink-loop-file", "a broken symbolic link"),
])
def test_cli_refuses_unreadable_kinds_of_file_named_explicitly(bad, case_id, reason):
    """A named pipe would block the run forever: one line naming it, exit 2."""
    ran = bad.cli[case_id]
    assert ran.returncode == 2, ran.describe()
    [line] = ran.stderr_lines
    assert bad.built[case_id].target.name in line and reason in line, ran.describe()


def test_cli_names_an_unreadable_file(bad):
    _skip_unless_enforced("unreadable-file")
    ran = bad.cli["unreadable-file"]
    assert [line for line in ran.stderr_lines if "secret.py" in line], ran.describe()
    assert ran.returncode == 2, ran.describe()


def test_flake8_over_every_case_exits_0_or_1_without_a_traceback(bad):
    """One flake8 run over every case (but those it cannot take; see FLAKE8_ALONE)."""
    ran = bad.flake8
    harness.assert_no_traceback(ran)
    harness.assert_exit(ran, (0, 1))
    assert "critical error" not in ran.stderr.lower(), ran.describe()


@pytest.mark.parametrize("case_id", _params("flake8", FLAKE8_CASES))
def test_flake8_lines_for_each_case_are_well_formed(bad, case_id):
    _skip_unless_enforced(case_id)
    if case_id in bad.flake8_alone:
        ran = bad.flake8_alone[case_id]
        _assert_flake8_survived(ran, "flake8", case_id)
        prefix = ""
    else:
        ran = bad.flake8
        prefix = f"cases/{case_id}/"
    # flake8 prints file names as they are: rejoin the record of the name holding a newline
    lines = [line for line in ran.stdout.replace("two\nlines.py", "two lines.py").splitlines()
             if line.startswith(prefix)]
    if ("flake8", case_id) in FLAKE8_OWN:
        lines = [line for line in lines if not _OWN_FAILURE_LINE.match(line)]
    for line in lines:
        assert re.match(r"^.+:\d+:\d+: (SPR\d{3}|E9\d\d) ", line), ran.describe()
    assert not [line for line in ran.stderr_lines if case_id in line], ran.describe()


@pytest.mark.parametrize("case_id", _params("stdin", list(STDIN_CASES)))
def test_flake8_stdin_exits_0_or_1_without_a_traceback(bad, case_id):
    ran = bad.stdin[case_id]
    _assert_flake8_survived(ran, "stdin", case_id)
    for line in ran.stdout.splitlines():
        if ("stdin", case_id) in FLAKE8_OWN and _OWN_FAILURE_LINE.match(line):
            continue
        assert re.match(r"^stdin_case\.py:\d+:\d+: (SPR\d{3}|E9\d\d) ", line), ran.describe()


def test_cli_stdin_argument_is_one_clear_line_or_a_result(bad):
    ran = bad.cli_stdin
    harness.assert_no_traceback(ran)
    harness.assert_exit(ran, (0, 1, 2))
    assert len(ran.stderr_lines) <= 1, ran.describe()


@pytest.mark.slow
def test_flake8_on_the_heavy_cases(bad):
    env = harness.guarded_env(bad.base / "markers")
    for case_id in HEAVY:
        where = bad.built[case_id]
        ran = harness.flake8("--select=SPR,E9", where.target.name, cwd=where.directory, env=env,
                             timeout=1800)
        harness.assert_no_traceback(ran)
        harness.assert_exit(ran, (0, 1))


# ---------------------------------------------------------------------------- resource bounds


@pytest.mark.parametrize("name", list(RESOURCE_CASES))
def test_big_inputs_finish_in_bounded_time_and_memory(bad, name):
    ran = bad.resources[name]
    harness.assert_no_traceback(ran)
    if name.startswith("cli-"):  # over the size a Python file may have: said, not checked
        assert ran.returncode == 2, ran.describe()
        [line] = ran.stderr_lines
        assert "big.py: cannot read (larger than" in line and "not checked" in line, ran.describe()
    else:
        assert ran.returncode in (0, 1), ran.describe()


def test_cli_ends_with_one_line_when_a_worker_process_dies(tmp_path):
    """The out-of-memory killer (simulated: SIGKILL while analysing one file) ends the run
    with one clear line and exit 2, instead of leaving it waiting forever for the lost file."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "spapi-roles.toml").write_text("roles = []\n")
    for name in ["doomed"] + [f"app{number}" for number in range(6)]:
        (project / f"{name}.py").write_text(USE)
    env = harness.guarded_env(tmp_path / "markers", extra={"SPAPI_GUARD_KILL": "doomed.py"})
    ran = harness.spapi_roles("check", "--jobs", "2", ".", cwd=project, env=env, timeout=60)
    harness.assert_no_traceback(ran)
    assert ran.returncode == 2, ran.describe()
    [line] = ran.stderr_lines
    assert "worker process died" in line, ran.describe()
