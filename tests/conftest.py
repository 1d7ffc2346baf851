"""Shared pytest configuration: tests marked ``slow`` run only when asked for.

The default run (CI) skips them; ``pytest --run-slow`` or ``SPAPI_ROLES_SLOW=1 pytest``
runs them too, and ``pytest -m slow`` runs only them.
"""

from __future__ import annotations

import os

import pytest

# The support modules assert on the tests' behalf: show their comparisons as pytest does.
pytest.register_assert_rewrite("support")


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
