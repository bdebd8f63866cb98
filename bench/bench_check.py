"""Speed and accuracy of `exgen check --batch` against the naive grader, in the same run.

    python bench/bench_check.py [--pairs N] [--naive-limit N]

Builds a few hundred distinct derivative pairs (bench/derivative_pairs.py), then
1. times `exgen check --batch` on them as a subprocess (the whole CLI, cold start included);
2. times the engine warm, in-process, per answer (median, p90, max);
3. times the naive grader (parse_expr + simplify(a-b) == 0) on the same pairs;
and reports accuracy, false accepts and the throughput ratio.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from derivative_pairs import build_pairs  # noqa: E402
from naive import naive_equivalent  # noqa: E402

from exgen import check  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=320)
    parser.add_argument("--naive-limit", type=int, default=0, help="time the naive grader on only the first N pairs (0: all)")
    args = parser.parse_args()

    pairs = build_pairs(target=args.pairs)
    truths = [p.truth for p in pairs]
    print(f"pairs: {len(pairs)} ({sum(truths)} equivalent, {len(pairs) - sum(truths)} slips)")

    with tempfile.TemporaryDirectory() as folder:
        batch = Path(folder) / "pairs.jsonl"
        batch.write_text("\n".join(json.dumps({"expected": p.expected, "answer": p.answer, "vars": "x"}) for p in pairs), encoding="utf-8")
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "exgen", "check", "--batch", str(batch)], capture_output=True, text=True, check=True).stdout
        cli_seconds = time.perf_counter() - start
    cli_verdicts = [json.loads(line)["verdict"] for line in out.splitlines()]
    assert len(cli_verdicts) == len(pairs)

    # warm, in-process latency per answer: best of 3 passes per pair (the machine is shared)
    for p in pairs[:20]:
        check(p.expected, p.answer, vars="x")
    per_pair = [[] for _ in pairs]
    warm_verdicts = []
    for repetition in range(3):
        for index, p in enumerate(pairs):
            t0 = time.perf_counter()
            v = check(p.expected, p.answer, vars="x")
            per_pair[index].append(time.perf_counter() - t0)
            if repetition == 0:
                warm_verdicts.append(v.verdict)
    latencies = [min(times) for times in per_pair]
    assert warm_verdicts == cli_verdicts

    naive_pairs = pairs[: args.naive_limit] if args.naive_limit else pairs
    naive_times, naive_results = [], []
    for p in naive_pairs:
        t0 = time.perf_counter()
        naive_results.append(naive_equivalent(p.expected, p.answer, ["x"]))
        naive_times.append(time.perf_counter() - t0)

    def score(accepts: list[bool], truth: list[bool]) -> tuple[int, int, int]:
        right = sum(a == t for a, t in zip(accepts, truth))
        false_accepts = sum(a and not t for a, t in zip(accepts, truth))
        false_rejects = sum(t and not a for a, t in zip(accepts, truth))
        return right, false_accepts, false_rejects

    exgen_accepts = [v == "correct" for v in cli_verdicts]
    e_right, e_fa, e_fr = score(exgen_accepts, truths)
    n_truth = truths[: len(naive_pairs)]
    n_right, n_fa, n_fr = score(naive_results, n_truth)
    e_sub_right, _, _ = score(exgen_accepts[: len(naive_pairs)], n_truth)

    exgen_per_answer = cli_seconds / len(pairs)
    naive_per_answer = sum(naive_times) / len(naive_times)
    print(f"exgen check --batch : {cli_seconds:.2f} s for {len(pairs)} answers, {exgen_per_answer * 1000:.2f} ms/answer (incl. start-up)")
    print(f"exgen warm          : median {statistics.median(latencies) * 1000:.3f} ms, p90 {sorted(latencies)[int(0.9 * len(latencies))] * 1000:.3f} ms, max {max(latencies) * 1000:.1f} ms")
    print(f"naive grader        : {sum(naive_times):.1f} s for {len(naive_pairs)} answers, {naive_per_answer * 1000:.1f} ms/answer, max {max(naive_times):.2f} s")
    print(f"throughput ratio    : {naive_per_answer / exgen_per_answer:.0f}x (batch CLI incl. start-up), {naive_per_answer / statistics.mean(latencies):.0f}x (warm)")
    print(f"accuracy exgen      : {e_right}/{len(pairs)} right, {e_fa} false accepts, {e_fr} false rejects (on the naive subset: {e_sub_right}/{len(naive_pairs)})")
    print(f"accuracy naive      : {n_right}/{len(naive_pairs)} right, {n_fa} false accepts, {n_fr} false rejects")
    verdict_counts = {k: cli_verdicts.count(k) for k in sorted(set(cli_verdicts))}
    print(f"exgen verdicts      : {verdict_counts}")
    misses = [(p.family, p.expected, p.answer, v) for p, v, t in zip(pairs, cli_verdicts, truths) if (v == "correct") != t]
    for family, expected, answer, verdict in misses[:10]:
        print(f"  miss [{family}] {verdict}: {expected[:80]!r} vs {answer[:80]!r}")


if __name__ == "__main__":
    main()
