"""Precision and recall of the detection engine over the fixture projects.

Usage: python tools/precision_recall.py [--fixtures DIR]

Runs ``spapi_roles.engine.analyze_paths`` over each fixture project, compares the uses with the
``# expect:`` markers (see fixtures/README.md) and prints per project and in total: marked uses,
true positives, false positives, false negatives, precision and recall; the totals again split into
default evidence and opt-in evidence; and the number of distinct ``# pattern:`` ids. Exit 0; exit 2
with one line when the engine cannot be imported or a marker cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support import markers  # noqa: E402  (the marker reader the fixture test uses)


def _ratio(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:.3f}" if denominator else "-"


def _row(label: str, marked: int, tp: int, fp: int, fn: int) -> str:
    return (f"{label:<26} {marked:>6} {tp:>5} {fp:>5} {fn:>5} "
            f"{_ratio(tp, tp + fp):>9} {_ratio(tp, tp + fn):>7}")


def _by_mode(comparisons: Sequence[markers.Comparison], mode: str) -> Tuple[int, int, int, int]:
    matched = sum(1 for c in comparisons for exp in c.matched if exp.finding.mode == mode)
    missed = sum(1 for c in comparisons for exp in c.missed if exp.finding.mode == mode)
    false = sum(1 for c in comparisons for finding, _ in c.false_findings if finding.mode == mode)
    return matched + missed, matched, false, missed


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, default=markers.FIXTURES_DIR,
                        help="directory holding the fixture projects (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        from spapi_roles import engine
    except ImportError as error:
        print(f"precision_recall: cannot import the engine: {error}", file=sys.stderr)
        return 2
    try:
        projects = [markers.read_project(root) for root in markers.fixture_projects(args.fixtures)]
    except markers.MarkerError as error:
        print(f"precision_recall: {error}", file=sys.stderr)
        return 2

    header = ("project", "marked", "TP", "FP", "FN", "precision", "recall")
    print("{:<26} {:>6} {:>5} {:>5} {:>5} {:>9} {:>7}".format(*header))
    comparisons = []
    for project in projects:
        uses = engine.analyze_paths([str(path) for path in project.files], str(project.root))
        actual = [markers.finding_of(use, project.root) for use in uses]
        comparison = markers.compare(project.expectations, actual)
        comparisons.append(comparison)
        print(_row(project.name, comparison.true_positives + comparison.false_negatives,
                   comparison.true_positives,
                   comparison.false_positives, comparison.false_negatives))
    tp = sum(c.true_positives for c in comparisons)
    fp = sum(c.false_positives for c in comparisons)
    fn = sum(c.false_negatives for c in comparisons)
    print(_row("total", tp + fn, tp, fp, fn))
    print(_row("  default evidence", *_by_mode(comparisons, "default")))
    print(_row("  opt-in evidence", *_by_mode(comparisons, "optin")))

    patterns = set()
    for project in projects:
        patterns.update(project.patterns)
    negatives = sum(1 for pattern in patterns if pattern.startswith("neg-"))
    print(f"distinct patterns: {len(patterns)} ({negatives} negative)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
