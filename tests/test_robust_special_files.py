"""Files that are not plain files: every file spapi-roles reads (manifest, ignore files, baseline,
cache, Python sources) may be a symbolic link to ``/dev/zero`` (git can commit one), a named pipe,
a ``/proc`` file that never ends, or just huge. Each is one line naming it (exit 2; SPR001 in
flake8), or for the cache, ignored; never a hang, never memory growing without end.

Every run is ``harness.measured``: under an address-space limit, so that reading ``/dev/zero``
to its end fails the test instead of the machine.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import pytest

from bad_inputs import counts, harness
from bad_inputs.cases import USE
from spapi_roles import reading
from spapi_roles.cache import ProjectCache

SECONDS = 20.0  # each run takes about a second; before, the pipes waited for ever (timeout)
TIMEOUT = 40.0
PAGEMAP = "/proc/self/pagemap"  # a regular file of size 0 that reads as gigabytes


def _zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _huge(size: int, tail: str) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        line = "# " + "x" * 97 + "\n"
        path.write_text(line * (size // len(line) + 1) + tail)

    return build


SPECIAL: Dict[str, Tuple[Callable[[Path], None], str]] = {
    "dev-zero": (_zero, "not a regular file (a device)"),
    "fifo": (_fifo, "not a regular file (a named pipe)"),
}
MANIFEST_CASES = {**SPECIAL, "huge": (_huge(5 * 1024 * 1024, "roles = []\n"),
                                      "larger than 4 MB, the most spapi-roles reads of a manifest")}
BASELINE_CASES = {**SPECIAL, "huge": (_huge(9 * 1024 * 1024, ""),
                                      "larger than 8 MB, the most spapi-roles reads of a baseline")}
IGNORE_CASES = {"gitignore-dev-zero": (".gitignore", _zero, "not a regular file (a device)"),
                "exclude-fifo": (".git/info/exclude", _fifo, "not a regular file (a named pipe)")}


@dataclass
class Runs:
    base: Path
    ran: Dict[Tuple[str, str], harness.Ran]


def _app(directory: Path) -> Path:
    directory.mkdir(parents=True)
    (directory / "orders.py").write_text(USE)
    return directory


@pytest.fixture(scope="module")
def special(tmp_path_factory) -> Runs:
    base = tmp_path_factory.mktemp("special")
    env = harness.guarded_env(base / "markers")
    jobs = {}

    def job(key: Tuple[str, str], args: List[str], cwd: Path) -> None:
        report = base / f"{key[0]}-{key[1]}.json"
        jobs[key] = functools.partial(harness.measured, args, cwd, env, report, timeout=TIMEOUT)

    for case, (build, _) in MANIFEST_CASES.items():
        project = _app(base / "manifest" / case)
        build(project / "spapi-roles.toml")
        job(("cli-manifest", case), [harness.SPAPI_ROLES, "check", "."], project)
        job(("flake8-manifest", case), [harness.FLAKE8, "--isolated", "--select=SPR", "."],
            project)
        job(("cli-explicit-manifest", case),
            [harness.SPAPI_ROLES, "check", "--manifest", "spapi-roles.toml", "."], project)
    for case, (build, _) in BASELINE_CASES.items():
        project = _app(base / "baseline" / case)
        (project / "spapi-roles.toml").write_text("roles = []\n")
        build(project / "baseline.json")
        job(("cli-baseline", case),
            [harness.SPAPI_ROLES, "check", "--baseline", "baseline.json", "."], project)
    for case, (name, build, _) in IGNORE_CASES.items():
        project = _app(base / "ignore" / case)
        (project / "spapi-roles.toml").write_text("roles = []\n")
        (project / ".git" / "info").mkdir(parents=True)
        build(project / name)
        job(("cli-ignore", case), [harness.SPAPI_ROLES, "check", "."], project)
    project = _app(base / "source" / "pagemap")
    (project / "spapi-roles.toml").write_text("roles = []\n")
    (project / "pagemap.py").symlink_to(PAGEMAP)
    job(("cli-source", "pagemap"), [harness.SPAPI_ROLES, "check", "--no-cache", "."], project)
    project = _app(base / "source" / "huge")
    (project / "spapi-roles.toml").write_text("roles = []\n")
    (project / "huge.py").write_text(USE + "x = 1\n" * 200_000)
    job(("cli-source", "huge"), [harness.SPAPI_ROLES, "check", "--no-cache", "."], project)
    # The cache of this project: a symbolic link to /dev/zero where the cache file goes.
    project = _app(base / "cache" / "dev-zero")
    (project / "spapi-roles.toml").write_text("roles = []\n")
    cache_file = Path(ProjectCache(str(project), str(base / "markers" / "cache")).path)
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    cache_file.symlink_to("/dev/zero")
    job(("cli-cache", "dev-zero"), [harness.SPAPI_ROLES, "check", "."], project)
    runs = Runs(base, harness.run_all(jobs))
    counts.add("special files tried", len(runs.ran))
    return runs


def _assert_quick_and_bounded(runs: Runs, key: Tuple[str, str]) -> harness.Ran:
    ran = runs.ran[key]
    harness.assert_no_traceback(ran)
    peak, seconds = harness.peak_and_seconds(runs.base / f"{key[0]}-{key[1]}.json")
    assert seconds < SECONDS and peak < 200, f"{peak:.0f} MB, {seconds:.1f} s\n{ran.describe()}"
    return ran


def _assert_one_line(ran: harness.Ran, name: str, reason: str) -> None:
    assert ran.returncode == 2, ran.describe()
    [line] = ran.stderr_lines
    assert line.startswith("spapi-roles: error: ") and name in line and reason in line, (
        ran.describe())


@pytest.mark.parametrize("case", list(MANIFEST_CASES))
@pytest.mark.parametrize("how", ["cli-manifest", "cli-explicit-manifest"])
def test_cli_manifest_that_is_no_plain_file_is_one_line(special, how, case):
    ran = _assert_quick_and_bounded(special, (how, case))
    _assert_one_line(ran, "spapi-roles.toml: cannot read the manifest: ", MANIFEST_CASES[case][1])


@pytest.mark.parametrize("case", list(MANIFEST_CASES))
def test_flake8_manifest_that_is_no_plain_file_is_spr001(special, case):
    ran = _assert_quick_and_bounded(special, ("flake8-manifest", case))
    assert ran.returncode == 1, ran.describe()
    [line] = ran.stdout.splitlines()
    assert line.startswith("./orders.py:1:1: SPR001 ") and "spapi-roles.toml" in line, (
        ran.describe())
    assert MANIFEST_CASES[case][1] in line, ran.describe()


@pytest.mark.parametrize("case", list(BASELINE_CASES))
def test_cli_baseline_that_is_no_plain_file_is_one_line(special, case):
    ran = _assert_quick_and_bounded(special, ("cli-baseline", case))
    _assert_one_line(ran, "baseline.json: cannot read the baseline: ", BASELINE_CASES[case][1])


@pytest.mark.parametrize("case", list(IGNORE_CASES))
def test_cli_ignore_file_that_is_no_plain_file_is_one_line(special, case):
    ran = _assert_quick_and_bounded(special, ("cli-ignore", case))
    name, _, reason = IGNORE_CASES[case]
    _assert_one_line(ran, f"{os.path.basename(name)}: cannot read the ignore file: ", reason)


@pytest.mark.skipif(not os.path.exists(PAGEMAP), reason="no /proc/self/pagemap here")
def test_cli_source_linked_to_an_endless_proc_file_is_not_checked(special):
    ran = _assert_quick_and_bounded(special, ("cli-source", "pagemap"))
    _assert_one_line(ran, "pagemap.py: cannot read (larger than 1,000,000 bytes", "not checked")
    assert "orders.py:3:10: SPR101 " in ran.stdout, ran.describe()


def test_cli_source_over_the_parse_limit_is_said_not_checked(special):
    ran = _assert_quick_and_bounded(special, ("cli-source", "huge"))
    _assert_one_line(ran, "huge.py: cannot read (larger than 1,000,000 bytes", "not checked")


def test_cli_ignores_a_cache_file_that_is_no_plain_file(special):
    ran = _assert_quick_and_bounded(special, ("cli-cache", "dev-zero"))
    assert ran.returncode == 1 and ran.stderr == "", ran.describe()
    assert "orders.py:3:10: SPR101 " in ran.stdout, ran.describe()


# ---------------------------------------------------------------------------- the reader itself


def test_reader_follows_a_symbolic_link_to_a_regular_file(tmp_path):
    (tmp_path / "real.toml").write_text("roles = []\n")
    (tmp_path / "link.toml").symlink_to("real.toml")
    assert reading.read_bytes(str(tmp_path / "link.toml"), reading.MANIFEST) == b"roles = []\n"


@pytest.mark.parametrize("build, reason", [
    (_zero, "not a regular file (a device)"),
    (_fifo, "not a regular file (a named pipe)"),
    (lambda path: path.mkdir(), "is a directory"),
    (lambda path: path.symlink_to("nowhere"), "a broken symbolic link"),
    (lambda path: path.symlink_to(path.name), "a symbolic link loop"),
    (_huge(2_000_000, ""),
     "larger than 1,000,000 bytes, the most spapi-roles reads of a source file"),
])
def test_reader_refuses_without_waiting(tmp_path, build, reason):
    path = tmp_path / "odd.py"
    build(path)
    with pytest.raises(reading.ReadError) as raised:
        reading.read_source(str(path))
    assert raised.value.reason == reason
    with pytest.raises(reading.ReadError):
        reading.digest(str(path), reading.SOURCE)


@pytest.mark.skipif(not os.path.exists(PAGEMAP), reason="no /proc/self/pagemap here")
def test_reader_and_digest_stop_at_the_limit_of_a_file_that_says_it_is_empty():
    """A /proc file says size 0 and reads without end: both stop at the same limit."""
    for read in (reading.read_bytes, reading.digest):
        with pytest.raises(reading.ReadError, match="larger than 1,000,000 bytes"):
            read(PAGEMAP, reading.SOURCE)


@pytest.mark.parametrize("data, text", [
    (b"x = 1\r\ny = 2\rz = 3\n", "x = 1\ny = 2\nz = 3\n"),
    (b"\xef\xbb\xbfx = 1\n", "x = 1\n"),
    (b"# -*- coding: latin-1 -*-\nx = '\xe9'\n", "# -*- coding: latin-1 -*-\nx = '\u00e9'\n"),
    (b"x = '\xff'\n", "x = '\u00ff'\n"),  # not UTF-8 and no cookie: latin-1, as flake8 reads it
    (b"# coding: klingon\nx = 1\n", "# coding: klingon\nx = 1\n"),
])
def test_one_source_decoder(data, text):
    assert reading.decode_source(data) == text
