"""Grade a class: every answer cell yields exactly one result, whatever happens.

1. Every non-blank cell is checked against its part's key; identical (part, answer) pairs,
   which are common, are decided once. Incorrect answers are matched against the part's
   mistake models.
2. Cells of parts that build on an earlier part are re-checked against the student's own
   earlier answer (error carried forward).

Checks run in worker processes (:mod:`exgen.workers`), each under the per-answer time limit.
A worker that dies or hangs on one answer is replaced within that answer's limit; that answer
is ``review`` and the rest of the batch is unaffected. Results depend only on the inputs, so
``--workers`` and reruns after an interruption give the same gradebook.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exgen.grading.ecf import RECIPES
from exgen.grading.engine import CellResult, grade_answer, grade_ecf
from exgen.grading.key import Key, KeyPart, KeyVersion, load_key
from exgen.grading.submissions import Submission, SubmissionFile, read_submissions
from exgen.i18n import t, use_locale
from exgen.workers import TIMEOUT, run_all


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


WARM_UP = ("warm", {})


def warm_up() -> dict[str, Any]:
    """Import and exercise what checks and follow-through use, before the first answer comes:
    a first check must not spend its time limit on imports (a server warms each worker)."""
    from exgen.answers.check import check
    from exgen.grading.ecf import Earlier, ecf_expected

    check("2x e^(x^2)", "e^(x^2)*2x")
    earlier = Earlier("expression", "3x^2 - 3", ("x",), ())
    ecf_expected("classified_critical_points", {"f": "f", "vars": ["x"]}, {"f": "x^3"}, [earlier.value()])
    return {}


def grade_task(task: tuple[Any, ...]) -> dict[str, Any]:
    """One check in a worker, with its messages in the sheet's language."""
    from exgen.i18n import use_locale

    if task[0] == "warm":
        return warm_up()
    with use_locale(task[1].get("language")):
        return _grade_task(task)


def _grade_task(task: tuple[Any, ...]) -> dict[str, Any]:
    kind, *payload = task
    seconds = payload[-1]
    try:
        if kind == "key":
            part, text, _ = payload
            return grade_answer(part, text, seconds).to_dict()
        part, text, earlier, earlier_texts, givens, key_score, _ = payload
        result = grade_ecf(part, text, earlier, earlier_texts, givens, seconds, key_score)
        return result.to_dict() if result is not None else {}
    except Exception as problem:
        return _review(type(problem).__name__).to_dict()


def _review(detail: str) -> CellResult:
    reason = t("answer.verdict.internal_error", detail=detail)
    return CellResult("review", 0.0, t("answer.verdict.review", reason=reason), evidence=reason, code="internal_error")


def lost_task(task: tuple[Any, ...], reason: str) -> dict[str, Any]:
    """The result of a task whose worker hung past its limit or died. A consistency check that
    could not finish changes nothing: the verdict against the key stands."""
    with use_locale(task[1].get("language") if isinstance(task[1], dict) else None):
        return _lost_task(task, reason)


def _lost_task(task: tuple[Any, ...], reason: str) -> dict[str, Any]:
    if task[0] in ("ecf", "warm"):
        return {}
    if reason == TIMEOUT:
        seconds = task[-1]
        message = t("answer.verdict.timeout", seconds=f"{seconds:g}")
        return CellResult("review", 0.0, t("answer.verdict.review", reason=message), evidence=message, code="timeout").to_dict()
    return _review(t("grading.crashed")).to_dict()


def run_tasks(
    tasks: Sequence[tuple[Any, ...]], workers: int, seconds: float, progress: Callable[[int], None] | None = None
) -> list[dict[str, Any]]:
    """Results in task order. A check that hangs past its limit or kills its worker is
    ``review``; every other task is unaffected."""
    return run_all(grade_task, tasks, workers, seconds, lost_task, progress)


# -- grading -------------------------------------------------------------------------------------


def grade(
    key_path: Path,
    submissions_path: Path,
    *,
    workers: int = 1,
    seconds: float = 2.0,
    progress: Callable[[int, int], None] | None = None,
    trust: str | None = None,
    language: str | None = None,
) -> GradeBook:
    """Grade every submission. ``progress(done, total)`` is called as distinct checks finish.
    ``trust`` ("student" or "version") says which column decides when a row's version was
    made for another student; without it such rows are errors, not graded."""
    start = time.perf_counter()
    key = load_key(key_path, language)
    with use_locale(key.language):  # notes on rows are read by students and instructors
        file = read_submissions(submissions_path, key, trust)
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
            with use_locale(key.language):
                row.results[part.id] = grade_answer(part.to_task(), "", seconds)

    # Phase 2: consistency with the student's own earlier answers.
    ecf_unique: dict[tuple[Any, ...], int] = {}
    ecf_tasks: list[tuple[Any, ...]] = []
    ecf_cells: list[tuple[GradedRow, KeyPart, tuple[Any, ...]]] = []
    for row, part, text in cells:
        result = row.results[part.id]
        if result.verdict != "incorrect" or part.ask not in RECIPES or not part.depends_on or row.version is None:
            continue
        earlier = [row.version.parts.get(d) for d in part.depends_on]
        if any(e is None for e in earlier):
            continue
        earlier_results = [row.results.get(e.id) for e in earlier]  # type: ignore[union-attr]
        if not any(r is not None and r.verdict == "incorrect" for r in earlier_results):
            continue  # nothing wrong to carry forward
        if any(r is None or r.verdict in ("invalid", "blank") for r in earlier_results):
            continue  # an earlier answer that cannot be read: nothing to follow
        earlier_texts = [row.submission.answers.get(e.id, "") for e in earlier]  # type: ignore[union-attr]
        problem = row.version.problem_of(part.id)
        signature = (part.signature, part.ask, json.dumps(part.args, sort_keys=True), text,
                     tuple(e.signature for e in earlier), tuple(earlier_texts),  # type: ignore[union-attr]
                     tuple(sorted(problem.givens.items())), result.score)
        if signature not in ecf_unique:
            ecf_unique[signature] = len(ecf_tasks)
            ecf_tasks.append(("ecf", part.to_task(), text, [e.to_task() for e in earlier], earlier_texts,  # type: ignore[union-attr]
                              dict(problem.givens), result.score, seconds))
        ecf_cells.append((row, part, signature))
    second = run_tasks(ecf_tasks, workers, seconds)
    for row, part, signature in ecf_cells:
        outcome = second[ecf_unique[signature]]
        if outcome:
            row.results[part.id] = CellResult(**outcome)
    return GradeBook(key, file, rows, time.perf_counter() - start, len(tasks) + len(ecf_tasks))
