"""What could not be checked is said, never a clean pass: files the engine cannot analyse,
directories that cannot be listed, an empty code selection, output that cannot be written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from spapi_roles import project

BIN = Path(sys.executable).parent
USE = "from sp_api.api import Orders\n\nOrders().get_orders()\n"


@pytest.fixture
def app(tmp_path, monkeypatch) -> Path:
    (tmp_path / "spapi-roles.toml").write_text("roles = []\n")
    (tmp_path / "orders.py").write_text(USE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPAPI_ROLES_CACHE_DIR", str(tmp_path / ".cache"))
    return tmp_path


def spapi_roles(*args: str, cwd: Path, stdout: object = subprocess.PIPE
                ) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "spapi-roles"), *args], cwd=cwd, text=True, stdout=stdout,
                          stderr=subprocess.PIPE)


def test_a_file_with_a_syntax_error_is_named_and_the_run_fails(app):
    (app / "broken.py").write_text("from sp_api.api import Orders\n\ndef f(:\n    pass\n")
    ran = spapi_roles("check", ".", cwd=app)
    assert ran.returncode == 2, ran.stdout + ran.stderr
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert ran.stderr.splitlines() == [
        "spapi-roles: error: broken.py: not analysed: invalid syntax at line 3 for Python "
        + version]
    assert "orders.py:3:10: SPR101" in ran.stdout  # the other files are still checked


def test_a_file_too_big_to_analyse_is_named_and_the_run_fails(app):
    (app / "huge.py").write_text(USE + "x = 1\n" * 60_000)
    ran = spapi_roles("check", "--no-cache", ".", cwd=app)
    assert ran.returncode == 2
    assert ran.stderr.startswith("spapi-roles: error: huge.py: not analysed: too big to analyse")


@pytest.mark.parametrize("failure, said", [
    (MemoryError(), "out of memory while analysing it"),
    (RecursionError(), "nested too deeply to analyse"),
    (KeyError("engine bug"), "internal error (KeyError: 'engine bug'); please report it"),
])
def test_an_analysis_that_fails_is_said_not_an_empty_result(app, monkeypatch, failure, said):
    from spapi_roles.engine import analyzer

    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr(analyzer, "analyze_module", fail)
    result = project.check(["."], use_cache=False, jobs=1)
    assert result.diagnostics == []
    assert result.unchecked == {"orders.py": f"not analysed: {said}"}


def test_a_directory_that_cannot_be_listed_is_named_and_the_run_fails(app):
    """A path longer than PATH_MAX cannot be listed, whoever runs the check (root included)."""
    parent = os.open(app, os.O_RDONLY)
    for _ in range(20):  # 20 x 250 characters: past Linux's PATH_MAX of 4096
        os.mkdir("d" * 250, dir_fd=parent)
        child = os.open("d" * 250, os.O_RDONLY, dir_fd=parent)
        os.close(parent)
        parent = child
    os.close(parent)
    ran = spapi_roles("check", ".", cwd=app)
    assert ran.returncode == 2, ran.stdout + ran.stderr
    [line] = ran.stderr.splitlines()
    assert line.startswith("spapi-roles: error: ") and "File name too long" in line
    assert line.endswith("; not checked")


def test_an_empty_selection_is_a_usage_error(app):
    ran = spapi_roles("check", "--select", "", ".", cwd=app)
    assert (ran.returncode, ran.stdout) == (2, "")
    assert ran.stderr == ("spapi-roles: error: --select: no code given "
                          "(e.g. `--select SPR101,SPR2`)\n")


def test_a_full_disk_is_one_line_and_exit_2(app):
    with open("/dev/full", "w") as full:
        ran = spapi_roles("check", ".", cwd=app, stdout=full)
    assert ran.returncode == 2
    assert ran.stderr == "spapi-roles: error: cannot write the output: No space left on device\n"


def test_a_closed_standard_output_is_one_line_and_exit_2(app):
    ran = subprocess.run(f"{BIN / 'spapi-roles'} check . >&-", shell=True, cwd=app, text=True,
                         capture_output=True)
    assert ran.returncode == 2
    assert ran.stderr == "spapi-roles: error: standard output is closed; nothing can be reported\n"


def test_a_reader_that_stops_early_does_not_change_the_verdict(app):
    for number in range(300):  # more output than a pipe holds
        (app / f"orders_{number}.py").write_text(USE)
    ran = subprocess.run(f"set -o pipefail; {BIN / 'spapi-roles'} check . | head -1", shell=True,
                         cwd=app, text=True, capture_output=True, executable="/bin/bash")
    assert ran.returncode == 1 and ran.stdout.count("\n") == 1
    assert "Traceback" not in ran.stderr
