"""Real code at scale: every ``.py`` file of the installed standard library and site-packages
through the engine.

With the prefilter as shipped, every file goes through ``analyze_source`` (fast: the prefilter
turns nearly all of them away). With the prefilter forced off, each file is parsed, collected
and analysed in full, which costs about 10 s of CPU per MB: the default run takes a fixed,
deterministic sample (every n-th file by path, about 250 files) and ``--run-slow`` takes them
all. The analysis runs in forked children, two at a time; a child that crashes the process
names the file and the next child carries on after it.
"""

from __future__ import annotations

import os
import sysconfig
import warnings
from pathlib import Path
from typing import List, Tuple

import pytest

from bad_inputs import counts, inprocess
from spapi_roles import engine

DEFAULT_SAMPLE = 250
CHILDREN = 2
SECONDS_PER_FILE = 5.0  # a generous bound for the children's timeout, not a target


def installed_python_files() -> List[str]:
    """Every .py file of the standard library and of this environment's site-packages."""
    paths = sysconfig.get_paths()
    stdlib, site = os.path.realpath(paths["stdlib"]), os.path.realpath(paths["purelib"])
    found = set()
    for root in (stdlib, site):
        for directory, dirnames, filenames in os.walk(root):
            if root == stdlib and directory != root and (
                    "site-packages" in Path(directory).relative_to(root).parts):
                dirnames[:] = []
                continue
            found.update(os.path.join(directory, name) for name in filenames
                         if name.endswith(".py"))
    return sorted(found)


FILES = installed_python_files()

# Installed files the engine failed on, found by the slow run and fixed since; each stays a test.
FIXED_FAILURES = {
    os.path.join("tkinter", "__init__.py"):
        "RecursionError in engine/resolver.py scalars(): a list that holds itself",
}


def sample(files: List[str], size: int) -> List[str]:
    """Every n-th file, so the sample spreads over every package and stays the same run to run."""
    step = max(1, len(files) // size)
    return files[::step][:size]


def _read(path: str) -> str:
    with open(path, "rb") as stream:
        return inprocess.decode_like_flake8(stream.read())


def analyze_files(paths: List[str], progress: str, failures: str) -> None:
    """Runs in a forked child: each file in full (prefilter off) and through analyze_source."""
    warnings.simplefilter("ignore")
    for number, path in enumerate(paths):
        Path(progress).write_text(str(number))
        try:
            text = _read(path)
            inprocess.analyze(text, path)
            inprocess.analyze_unguarded(text, path, force=True)
        except Exception as error:  # noqa: BLE001 - collect every failure, report them together
            with open(failures, "a", encoding="utf-8") as stream:
                stream.write(f"{path}: {type(error).__name__}: {str(error)[:300]!r}\n")
    Path(progress).write_text(str(len(paths)))


def run_in_children(paths: List[str], workdir: Path) -> Tuple[List[str], List[str]]:
    """(files that crashed or hung a child, failure lines) over ``paths``, CHILDREN at a time."""
    crashed: List[str] = []
    failures = workdir / "failures.txt"
    failures.touch()
    pending = [paths[start::CHILDREN] for start in range(CHILDREN)]
    while pending:
        running = []
        for number, share in enumerate(pending):
            progress = workdir / f"progress-{number}.txt"
            progress.write_text("0")
            running.append((share, progress, inprocess.Forked(
                analyze_files, share, str(progress), str(failures))))
        pending = []
        for share, progress, child in running:
            try:
                child.wait(60 + SECONDS_PER_FILE * len(share))
            except AssertionError as error:
                if "crashed" not in str(error) and "did not finish" not in str(error):
                    raise
                at = int(progress.read_text() or 0)
                crashed.append(f"{share[at]}: {error}")
                if share[at + 1:]:
                    pending.append(share[at + 1:])
    return crashed, failures.read_text().splitlines()


def _check(paths: List[str], workdir: Path) -> None:
    crashed, failed = run_in_children(paths, workdir)
    counts.add("installed files read (prefilter off)", len(paths))
    counts.add("installed files crashing the engine", len(crashed) + len(failed))
    assert not crashed and not failed, "\n".join(crashed + failed)


def test_there_is_real_code_to_read():
    assert len(FILES) > 1000
    assert any(path.endswith(os.path.join("json", "decoder.py")) for path in FILES)


def _as_shipped(paths: List[str], result: str) -> None:
    warnings.simplefilter("ignore")
    uses = sum(len(inprocess.analyze(_read(path), path)) for path in paths)
    Path(result).write_text(str(uses))


def test_every_installed_file_through_analyze_source_as_shipped(tmp_path):
    """The prefilter as shipped: cheap, so every file (in one forked child)."""
    result = tmp_path / "uses.txt"
    inprocess.isolated(_as_shipped, FILES, str(result), timeout=600)
    counts.add("installed files read (as shipped)", len(FILES))
    counts.add("uses found in installed files", int(result.read_text()))


def test_a_sample_of_installed_files_analysed_in_full(tmp_path):
    _check(sample(FILES, DEFAULT_SAMPLE), tmp_path)


@pytest.mark.slow
def test_every_installed_file_analysed_in_full(tmp_path):
    _check(FILES, tmp_path)


def _full_analysis(path: str) -> None:
    warnings.simplefilter("ignore")
    inprocess.analyze_unguarded(_read(path), path, force=True)


@pytest.mark.parametrize("suffix", list(FIXED_FAILURES), ids=list(FIXED_FAILURES))
def test_installed_files_the_engine_once_failed_on(suffix):
    [path] = [path for path in FILES if path.endswith(os.sep + suffix)][:1]
    inprocess.isolated(_full_analysis, path, timeout=120)


def test_a_list_that_holds_itself_is_analysed():
    """The tkinter failure in small: ``names`` refers to itself while it is being flattened."""
    source = ("from sp_api.api import Orders\nnames = ['get_order', names]\n"
              "getattr(Orders(), names)('1')\n")
    assert [use.name for use in inprocess.analyze_unguarded(source, "app.py", force=True)] == [
        "getOrder"]


def test_a_variable_named_like_a_client_package_does_not_spread_through_the_project(tmp_path):
    """Found on this machine's lib/python3.11 (13,343 files): a parameter named `sp_api` in
    scipy's sparse tests made one module's names project anchors, the anchor fixed point then
    made 11,152 files candidates, and `spapi-roles check` ran two workers at ~5 GB each for
    over 13 minutes. Fixed in the engine's index; kept as a regression test."""
    """A parameter named `sp_api` (scipy's sparse tests) is no client import: before the fix it
    made 11,152 of lib/python3.11's 13,343 files candidates and workers grew to ~5 GB each."""
    (tmp_path / "core.py").write_text(
        "def cases(sp_api):\n    return sp_api == 'sparray'\n\n\nclass Matrix:\n    pass\n")
    for number in range(200):
        (tmp_path / f"user_{number}.py").write_text(
            f"from core import Matrix\n\nM{number} = Matrix()\n")
    paths = sorted(str(path) for path in tmp_path.glob("*.py"))
    index = engine.build_index(paths, str(tmp_path))
    candidates = [path for path in paths if index.reason(path) is not None]
    assert len(candidates) <= 1, f"{len(candidates)} of {len(paths)} files would be analysed"
