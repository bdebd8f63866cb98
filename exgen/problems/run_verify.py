"""Run verification over many seeds, in parallel processes, with progress."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence

from exgen.problems.verify import Failure, FamilyReport, verify_family

CHUNK = 25
CHUNK_SECONDS = 600.0  # a chunk of 25 seeds that takes longer is reported as a failure, not waited for


def _lost(job: tuple[str, list[int], int | None], why: str) -> FamilyReport:
    family, seeds, difficulty = job
    return FamilyReport(family, failures=[Failure(family, difficulty or 0, seeds[0], "-", "generate", f"the chunk of seeds {seeds[0]}–{seeds[-1]} {why}")])


def _chunk(args: tuple[str, list[int], int | None]) -> FamilyReport:
    family, seeds, difficulty = args
    return verify_family(family, seeds, difficulty)


def _merge(into: FamilyReport, part: FamilyReport) -> None:
    into.variants += part.variants
    into.rejected += part.rejected
    into.dropped_mistakes += part.dropped_mistakes
    into.failures += part.failures
    into.fingerprints |= part.fingerprints
    into.first_thousand |= part.first_thousand
    into.parts += part.parts
    into.parts_with_mistakes += part.parts_with_mistakes
    for level, found in part.structures.items():
        into.structures.setdefault(level, set()).update(found)


def run_verification(
    families: Sequence[str], seeds: range, difficulty: int | None, workers: int, progress: bool = True
) -> list[FamilyReport]:
    """One report per family, in the order given; seconds are wall-clock per family's chunks."""
    reports = {family: FamilyReport(family) for family in families}
    jobs = [(family, list(seeds[i : i + CHUNK]), difficulty) for family in families for i in range(0, len(seeds), CHUNK)]
    started = {family: time.perf_counter() for family in families}
    done = 0
    show = progress and sys.stderr.isatty()

    def tick(job: tuple[str, list[int], int | None], result: FamilyReport) -> None:
        nonlocal done
        _merge(reports[job[0]], result)
        reports[job[0]].seconds += result.seconds
        done += 1
        if show:
            print(f"\rverifying: {done}/{len(jobs)} chunks", end="", file=sys.stderr, flush=True)

    if workers == 1:
        for job in jobs:
            tick(job, _chunk(job))
    else:
        from exgen.workers import WorkerPool

        for index, result in WorkerPool(_chunk, workers, CHUNK_SECONDS, chunk=1).run(jobs, _lost):
            tick(jobs[index], result)
    if show:
        print(file=sys.stderr)
    del started
    for report in reports.values():
        report.failures += report.structure_failures()
        report.failures.sort(key=lambda f: (f.difficulty, f.seed, f.part))
    return [reports[f] for f in families]
