"""Shared pytest configuration: tests marked ``slow`` run only when asked for.

The default run (CI) skips them; ``pytest --run-slow`` or ``SPAPI_ROLES_SLOW=1 pytest``
runs them too, and ``pytest -m slow`` runs only them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Callable, Dict

import pytest

# The support modules assert on the tests' behalf: show their comparisons as pytest does.
pytest.register_assert_rewrite("support")

REPO = Path(__file__).resolve().parent.parent
GIT_IDENTITY = ["-c", "user.name=spapi-roles tests", "-c", "user.email=tests@example.invalid",
                "-c", "commit.gpgsign=false"]


def run_git(*args: str, cwd: Path) -> None:
    """``git ARGS`` in ``cwd`` with a fixed identity; raises on failure."""
    subprocess.run(["git", *GIT_IDENTITY, *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="session")
def git() -> Callable[..., None]:
    return run_git


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory) -> Path:
    """The working tree of this repository (tracked and new files) as a committed git repository,
    so that pre-commit tests run the hooks being developed."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, check=True, capture_output=True,
    ).stdout.decode().split("\0")
    snapshot = tmp_path_factory.mktemp("hook-repo")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    run_git("init", "-q", ".", cwd=snapshot)
    run_git("add", "-A", cwd=snapshot)
    run_git("commit", "-q", "-m", "snapshot", cwd=snapshot)
    return snapshot


@pytest.fixture(scope="session")
def pre_commit_environment(tmp_path_factory) -> Dict[str, str]:
    """The environment for running pre-commit: its own home and cache, no colour."""
    home = tmp_path_factory.mktemp("pre-commit-home")
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), SPAPI_ROLES_CACHE_DIR=str(home / "cache"),
               PRE_COMMIT_COLOR="never", GIT_CONFIG_NOSYSTEM="1")
    env.pop("GITHUB_STEP_SUMMARY", None)
    return env


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", default=False,
                     help="also run the long opt-in tests marked `slow` (or SPAPI_ROLES_SLOW=1)")


def slow_run_requested(config) -> bool:
    """Whether this run includes the long opt-in tests."""
    marks = config.getoption("markexpr") or ""
    asked_by_mark = "slow" in marks and "not slow" not in marks
    from_env = os.environ.get("SPAPI_ROLES_SLOW", "") not in ("", "0")
    return bool(config.getoption("--run-slow") or from_env or asked_by_mark)


def pytest_collection_modifyitems(config, items):
    if slow_run_requested(config):
        return
    skip = pytest.mark.skip(reason="slow opt-in test: run with --run-slow or SPAPI_ROLES_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    """Print the robustness tests' counts (programs fuzzed, files read, ...) when they ran."""
    from bad_inputs import counts

    if counts.COUNTS:
        terminalreporter.write_sep("-", "robustness counts")
        terminalreporter.write_line(counts.summary())
