"""Benchmark: cost of loading the knowledge base (budget: 30 ms).

Runs fresh interpreters (the per-process cache makes in-process repeats meaningless) and reports,
per run, the time of ``knowledge.load()`` after the module is imported, and the time of importing
``spapi_roles.knowledge`` itself (with dataclasses/json/typing already imported, as they are in
any spapi-roles process). Prints min / median / max in milliseconds.

Usage: python bench/bench_kb_load.py [RUNS]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

PROBE = r"""
import json, time, dataclasses, typing, re, os
import spapi_roles.errors
t0 = time.perf_counter()
from spapi_roles import knowledge
t1 = time.perf_counter()
knowledge.load()
t2 = time.perf_counter()
print(json.dumps({"import_ms": (t1 - t0) * 1e3, "load_ms": (t2 - t1) * 1e3}))
"""
BUDGET_MS = 30.0


def main(argv: list) -> int:
    runs = int(argv[1]) if len(argv) > 1 else 15
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
        )
        samples.append(json.loads(out.stdout))
    for field in ("load_ms", "import_ms"):
        values = [s[field] for s in samples]
        print(
            f"{field:<10} min {min(values):6.1f}  median {statistics.median(values):6.1f}"
            f"  max {max(values):6.1f}"
        )
    median_load = statistics.median(s["load_ms"] for s in samples)
    verdict = "within" if median_load <= BUDGET_MS else "OVER"
    print(
        f"knowledge.load() median {median_load:.1f} ms: {verdict} the {BUDGET_MS:.0f} ms budget"
        f" ({runs} runs)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
