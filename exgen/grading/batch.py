"""Grade a class: every answer cell yields exactly one result, whatever happens.

1. Every non-blank cell is checked against its part's key; identical (part, answer) pairs,
   which are common, are decided once. Incorrect answers are matched against the part's
   mistake models.
2. Cells of parts that build on an earlier part are re-checked against the student's own
   earlier answer (error carried forward).

Checks run in worker processes, each under the per-answer time limit. A worker that dies or
hangs does not take the batch down: its unfinished answers are re-run one at a time, and an
answer that still cannot be decided is ``review``. Results depend only on the inputs, so
``--workers`` and reruns after an interruption give the same gradebook.
"""

from __future__ import annotations

import concurrent.futures
import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exgen.grading.ecf import RECIPES
from exgen.grading.engine import CellResult, grade_answer, grade_ecf
from exgen.grading.key import Key, KeyPart, KeyVersion, load_key
from exgen.grading.submissions import Submission, SubmissionFile, read_submissions
from exgen.i18n import t

CHUNK = 40


@dataclass
class GradedRow:
    submission: Submission
    version: KeyVersion | None
    results: dict[str, CellResult] = field(default_factory=dict)  # part id → result (every part of the version)

    @property
    def total(self) -> float:
        if self.version is None:
            return 0.0
        return sum(r.score * self.version.parts[p].points for p, r in self.results.items())

    @property
    def maximum(self) -> float:
        return self.version.maximum if self.version else 0.0


@dataclass
class GradeBook:
    key: Key
    file: SubmissionFile
    rows: list[GradedRow]
    seconds: float = 0.0
    unique_checks: int = 0

    def counts(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for row in self.rows:
            for result in row.results.values():
                totals[result.verdict] = totals.get(result.verdict, 0) + 1
        return totals

    @property
    def answers(self) -> int:
        return sum(len(r.results) for r in self.rows)


# -- running checks robustly --------------------------------------------------------------------


def _grade_one(task: tuple[Any, ...]) -> dict[str, Any]:
    kind, *payload = task
    seconds = payload[-1]
    try:
        if kind == "key":
            part, text, _ = payload
            return grade_answer(part, text, seconds).to_dict()
        part, text, earlier, earlier_text, givens, _ = payload
        result = grade_ecf(part, text, earlier, earlier_text, givens, seconds)
        return result.to_dict() if result is not None else {}
    except Exception as problem:
        return _review(type(problem).__name__).to_dict()


def _grade_chunk(tasks: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    return [_grade_one(task) for task in tasks]


def _review(detail: str) -> CellResult:
    reason = t("answer.verdict.internal_error", detail=detail)
    return CellResult("review", 0.0, t("answer.verdict.review", reason=reason), evidence=reason, code="internal_error")


def run_tasks(
    tasks: Sequence[tuple[Any, ...]], workers: int, seconds: float, progress: Callable[[int], None] | None = None
) -> list[dict[str, Any]]:
    """Results in task order. Workers that crash or hang are replaced and their work redone in
    smaller pieces; an answer that still fails on its own is ``review``."""
    if not tasks:
        return []
    if workers <= 1 or len(tasks) < 2 * CHUNK:
        results = []
        for task in tasks:
            results.append(_grade_one(task))
            if progress:
                progress(1)
        return results
    done: dict[int, dict[str, Any]] = {}
    pending = list(range(len(tasks)))
    for size in (CHUNK, max(1, CHUNK // 8)):
        pending = _round(tasks, pending, size, workers, seconds, done, progress)
        if not pending:
            break
    for index in pending:  # what broke a pool twice runs alone
        done[index] = _isolated(tasks[index], seconds)
        if progress:
            progress(1)
    return [done[i] for i in range(len(tasks))]


def _round(
    tasks: Sequence[tuple[Any, ...]], pending: list[int], size: int, workers: int, seconds: float,
    done: dict[int, dict[str, Any]], progress: Callable[[int], None] | None,
) -> list[int]:
    """Run ``pending`` in chunks of ``size``; return the indices left unfinished by a broken pool."""
    chunks = [pending[i : i + size] for i in range(0, len(pending), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_grade_chunk, [tasks[i] for i in chunk]): chunk for chunk in chunks}
        allowance = (seconds + 1) * len(pending) / workers + 60  # generous: per-answer limits apply inside
        try:
            for future in concurrent.futures.as_completed(futures, timeout=allowance):
                chunk = futures[future]
                for index, result in zip(chunk, future.result()):
                    done[index] = result
                if progress:
                    progress(len(chunk))
        except (BrokenProcessPool, concurrent.futures.TimeoutError):
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()  # a dead or hung worker: abandon this pool
            pool.shutdown(wait=False, cancel_futures=True)
    return [i for i in pending if i not in done]


def _isolated(task: tuple[Any, ...], seconds: float) -> dict[str, Any]:
    """One task in a process of its own, so that even a hard crash costs only this answer."""
    with ProcessPoolExecutor(max_workers=1) as pool:
        future = pool.submit(_grade_chunk, [task])
        try:
            return future.result(timeout=seconds + 30)[0]
        except (BrokenProcessPool, concurrent.futures.TimeoutError):
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
            pool.shutdown(wait=False, cancel_futures=True)
            return _review(t("grading.crashed")).to_dict()


# -- grading -------------------------------------------------------------------------------------


def grade(
    key_path: Path,
    submissions_path: Path,
    *,
    workers: int = 1,
    seconds: float = 2.0,
    progress: Callable[[int, int], None] | None = None,
) -> GradeBook:
    """Grade every submission. ``progress(done, total)`` is called as distinct checks finish."""
    start = time.perf_counter()
    key = load_key(key_path)
    file = read_submissions(submissions_path, key)
    rows = [GradedRow(s, key.versions.get(s.version)) for s in file.submissions]

    # Phase 1: each distinct (part, answer) once.
    unique: dict[tuple[Any, ...], int] = {}
    tasks: list[tuple[Any, ...]] = []
    cells: list[tuple[GradedRow, KeyPart, str]] = []
    for row in rows:
        if row.version is None:
            continue
        for part in row.version.parts.values():
            text = row.submission.answers.get(part.id, "")
            cells.append((row, part, text))
            if text.strip():
                signature = (part.signature, text)
                if signature not in unique:
                    unique[signature] = len(tasks)
                    tasks.append(("key", part.to_task(), text, seconds))
    tick = None
    if progress is not None:
        counter = [0]

        def tick(count: int) -> None:
            counter[0] += count
            progress(counter[0], len(tasks))

    first = run_tasks(tasks, workers, seconds, tick)
    for row, part, text in cells:
        if text.strip():
            row.results[part.id] = CellResult(**first[unique[(part.signature, text)]])
        else:
            row.results[part.id] = grade_answer(part.to_task(), "", seconds)

    # Phase 2: consistency with the student's own earlier answers.
    ecf_unique: dict[tuple[Any, ...], int] = {}
    ecf_tasks: list[tuple[Any, ...]] = []
    ecf_cells: list[tuple[GradedRow, KeyPart, tuple[Any, ...]]] = []
    for row, part, text in cells:
        result = row.results[part.id]
        if result.verdict not in ("incorrect",) or part.ask not in RECIPES or not part.depends_on:
            continue
        earlier = row.version.parts.get(part.depends_on[0]) if row.version else None
        if earlier is None:
            continue
        earlier_result = row.results.get(earlier.id)
        if earlier_result is None or earlier_result.verdict != "incorrect":
            continue
        earlier_text = row.submission.answers.get(earlier.id, "")
        problem = row.version.problem_of(part.id)  # type: ignore[union-attr]
        signature = (part.signature, part.ask, json.dumps(part.args, sort_keys=True), text, earlier.signature, earlier_text,
                     tuple(sorted(problem.givens.items())))
        if signature not in ecf_unique:
            ecf_unique[signature] = len(ecf_tasks)
            ecf_tasks.append(("ecf", part.to_task(), text, earlier.to_task(), earlier_text, dict(problem.givens), seconds))
        ecf_cells.append((row, part, signature))
    second = run_tasks(ecf_tasks, workers, seconds)
    for row, part, signature in ecf_cells:
        outcome = second[ecf_unique[signature]]
        if outcome:
            row.results[part.id] = CellResult(**outcome)
    return GradeBook(key, file, rows, time.perf_counter() - start, len(tasks) + len(ecf_tasks))
