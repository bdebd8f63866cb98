"""The adversarial corpus (tests/adversarial_corpus.py): accuracy, false accepts and the slowest case.

    python bench/bench_adversarial.py

1. the whole corpus through `exgen check --batch` as a subprocess (the interface an outside
   corpus is run against): right, false accepts, per category;
2. each case timed in-process, warm: median, p99 and the slowest (every check has a 2 s limit).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from exgen.answers.check import check_record  # noqa: E402
from tests.adversarial_corpus import batch_text, cases, right  # noqa: E402


def main() -> None:
    rows = cases()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "corpus.jsonl"
        path.write_text(batch_text(), encoding="utf-8")
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "exgen", "check", "--batch", str(path)], capture_output=True, text=True, check=True).stdout
        seconds = time.perf_counter() - start
    verdicts = [json.loads(line)["verdict"] for line in out.splitlines()]
    assert len(verdicts) == len(rows)
    totals, good = Counter(), Counter()
    false_accepts = []
    for case, verdict in zip(rows, verdicts):
        totals[case.category] += 1
        good[case.category] += right(case, verdict)
        if verdict == "correct" and case.label != "correct":
            false_accepts.append(case)
    correct = sum(good.values())
    print(f"corpus: {len(rows)} cases, exgen check --batch {seconds:.2f} s")
    print(f"right: {correct}/{len(rows)} ({100 * correct / len(rows):.1f} %), false accepts: {len(false_accepts)}")
    print("per category: " + ", ".join(f"{c} {good[c]}/{totals[c]}" for c in totals))
    for case in false_accepts:
        print(f"  FALSE ACCEPT {case}")
    for case, verdict in zip(rows, verdicts):
        if not right(case, verdict):
            print(f"  wrong: {case.category} {case.expected!r} vs {case.answer[:60]!r}: {verdict} (want {case.label})")

    times = []
    for case in rows:  # warm pass, then timed
        check_record(case.record())
    for case in rows:
        started = time.perf_counter()
        check_record(case.record())
        times.append((time.perf_counter() - started, case))
    ordered = sorted(t for t, _ in times)
    slowest, which = max(times, key=lambda item: item[0])
    print(f"per case (warm): median {statistics.median(ordered) * 1000:.2f} ms, p99 {ordered[int(0.99 * len(ordered))] * 1000:.1f} ms, "
          f"slowest {slowest * 1000:.0f} ms ({which.category}: {which.answer[:50]!r})")


if __name__ == "__main__":
    main()
