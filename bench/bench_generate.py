"""Generation speed and variety.

    python bench/bench_generate.py [--seeds 1000]

1. A 10-problem worksheet mixing every family (warm process): median and p90 time.
2. Per family: how many distinct problems N seeds give (difficulty 1, 2, 3 in turn).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exgen.problems import generate, load_families
from exgen.problems.sets import Section, generate_set


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=1000)
    parser.add_argument("--sheets", type=int, default=100)
    args = parser.parse_args()
    families = sorted(load_families())
    sections = [Section(f, 1, 1 + i % 3) for i, f in enumerate(families)] + [Section("derivative_rules", 1, 2), Section("hessian", 1, 3)]
    assert sum(s.count for s in sections) == 10
    for seed in range(5):  # warm up
        generate_set(sections, seed)
    times = []
    for seed in range(args.sheets):
        start = time.perf_counter()
        generate_set(sections, 1000 + seed)
        times.append(time.perf_counter() - start)
    times.sort()
    print(f"10-problem worksheet, all families mixed: median {statistics.median(times) * 1000:.1f} ms, "
          f"p90 {times[int(0.9 * len(times))] * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms ({args.sheets} sheets)")
    print(f"{'family':<22}{'distinct':>10}{'of seeds':>10}{'ms/problem':>12}")
    for family in families:
        start = time.perf_counter()
        fingerprints = {generate(family, 1 + seed % 3, seed).fingerprint for seed in range(args.seeds)}
        elapsed = (time.perf_counter() - start) / args.seeds
        print(f"{family:<22}{len(fingerprints):>10}{args.seeds:>10}{elapsed * 1000:>12.2f}")


if __name__ == "__main__":
    main()
