"""Counts the robustness tests keep (programs fuzzed, files read, bad inputs tried, ...).

Tests add to ``COUNTS``; ``tests/conftest.py`` prints them in the terminal summary.
"""

from __future__ import annotations

from collections import Counter

COUNTS: Counter = Counter()


def add(what: str, number: int = 1) -> None:
    COUNTS[what] += number


def summary() -> str:
    return ", ".join(f"{what}: {number}" for what, number in sorted(COUNTS.items()))
