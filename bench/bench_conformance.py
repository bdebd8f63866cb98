"""Accuracy on the outside conformance sets, exgen against the naive grader, in one run.

    python bench/bench_conformance.py

Reads ../shared/conformance (or $EXGEN_SHARED/conformance) in place. Reports right/wrong and false accepts on STACK's 112
AlgEquiv/Diff rows (alt_equivalent where disputed), and the slowest hostile input.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from naive import naive_equivalent  # noqa: E402

from exgen import check  # noqa: E402

SHARED = Path(os.environ.get("EXGEN_SHARED", HERE.parent.parent / "shared")) / "conformance"  # as tests/conftest.py


def main() -> None:
    rows = json.loads((SHARED / "stack_algequiv.json").read_text())
    results = {"exgen": [0, 0, 0.0], "naive": [0, 0, 0.0]}  # right, false accepts, seconds
    differing = []
    for index, row in enumerate(rows):
        truth = row["alt_equivalent"] if row["disputed"] else row["equivalent"]
        start = time.perf_counter()
        ours = check(row["teacher"], row["student"], vars=row["variables"] or None).correct
        results["exgen"][2] += time.perf_counter() - start
        start = time.perf_counter()
        theirs = naive_equivalent(row["teacher"], row["student"], row["variables"], timeout=8.0)
        results["naive"][2] += time.perf_counter() - start
        for name, accepted in (("exgen", ours), ("naive", theirs)):
            results[name][0] += accepted == truth
            results[name][1] += accepted and not truth
        if ours != truth:
            differing.append(index)
    for name, (right, false_accepts, seconds) in results.items():
        print(f"STACK {name:5}: {right}/{len(rows)} right, {false_accepts} false accepts, {seconds:.2f} s")
    print(f"STACK rows exgen decides otherwise: {differing} (row 32 by the domain rule, see tests/test_conformance.py)")

    hostile = json.loads((SHARED / "hostile_inputs.json").read_text())
    slowest = 0.0
    verdicts: dict[str, int] = {}
    for item in hostile:
        start = time.perf_counter()
        verdict = check("3*x^2", item["input"], vars="x")
        slowest = max(slowest, time.perf_counter() - start)
        verdicts[verdict.verdict] = verdicts.get(verdict.verdict, 0) + 1
    print(f"hostile: {len(hostile)} inputs, verdicts {verdicts}, slowest {slowest * 1000:.1f} ms, markers {sorted(Path('/tmp').glob('hostile_marker_*'))}")


if __name__ == "__main__":
    main()
