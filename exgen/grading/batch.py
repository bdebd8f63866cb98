"""Grade a class: every answer cell yields exactly one result, whatever happens.

The parent streams: it reads the key's index (not the key), reads the submissions, and hands
out one student at a time. A worker reads that student's version from its place in key.json,
checks each answer against the key and the part's mistake models, then, for parts that build
on an earlier part, against the student's own earlier answers (error carried forward), and
writes the student's feedback page itself. Back come a few hundred bytes per student: the
row of grades.csv, the lines of results.jsonl and what the item analysis counts, which the
parent writes as they come, in the order of the submissions. Identical answers to identical
parts are decided once per worker. Memory stays flat in the number of students.

Each answer has its own time limit. A worker that dies or hangs on one answer is replaced;
that answer is ``review`` and the student's other answers are graded again without it, so the
rest of the batch is unaffected. Results depend only on the inputs, so ``--workers``, shards
and reruns after an interruption give the same reports, byte for byte.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

from exgen.grading.engine import CellResult, grade_answer, grade_ecf
from exgen.grading.key import KeyIndex, KeyVersion, VersionEntry, key_digest, load_key_index, read_version
from exgen.grading.submissions import Submission, SubmissionFile, read_submissions
from exgen.i18n import t, use_locale
from exgen.workers import TIMEOUT, PacedCollection, Retry, WorkerPool

FORMATS = ("csv", "html", "json")
RENEW_AFTER = 2000  # students per worker process before a fresh one takes over (memory stays flat)


@dataclass(frozen=True)
class Shard:
    """The ``number``-th (1-based) of ``count`` disjoint slices of the students."""

    number: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        try:
            number, count = (int(x) for x in text.split("/"))
        except ValueError:
            raise ValueError(f"--shard takes i/n, such as 2/8 (got {text!r})") from None
        if not 1 <= number <= count:
            raise ValueError(f"--shard {text}: i must be between 1 and n")
        return cls(number, count)

    def __str__(self) -> str:
        return f"{self.number}/{self.count}"


@dataclass(frozen=True)
class GradeJob:
    """What every worker needs, sent once: the key, the limits and which outputs to make."""

    key_path: str  # the indexed key.json
    title: str
    language: str
    seconds: float
    results: bool = True  # the lines of results.jsonl
    feedback: str | None = None  # folder for the feedback pages (None: no pages)
    templates: str | None = None
    keep: bool = False  # return each cell's result (library use: grade())


@dataclass(frozen=True)
class RowTask:
    order: int  # position among the submissions
    submission: Submission
    entry: VersionEntry
    stem: str  # the feedback page's file name, without .html
    skip: tuple[tuple[str, str], ...] = ()  # steps lost before (step → "timeout" | "crashed")


@dataclass
class RowOutcome:
    """One graded student, as the parent writes it."""

    order: int
    submission: Submission
    entry: VersionEntry | None
    scores: dict[str, float] = field(default_factory=dict)  # part id → points earned
    results_text: str = ""  # lines of results.jsonl
    items: list[tuple[Any, ...]] = field(default_factory=list)  # see ItemTally.add
    cells: dict[str, CellResult] | None = None  # with GradeJob.keep
    checks: int = 0  # answers actually checked (not decided before)

    @property
    def total(self) -> float:
        return sum(self.scores.values())

    @property
    def maximum(self) -> float:
        return self.entry.maximum if self.entry else 0.0


# -- in a worker: one student -------------------------------------------------------------------


class _Lru(OrderedDict[Any, Any]):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def lookup(self, key: Any) -> Any:
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def store(self, key: Any, value: Any) -> None:
        self[key] = value
        if len(self) > self.size:
            self.popitem(last=False)


def _no_beat(payload: Any) -> None:
    pass


class RowGrader:
    """Grades one student per call (in a worker; its caches are the worker's own)."""

    def __init__(self, job: GradeJob, answer_grader: Callable[..., CellResult] | None = None) -> None:
        self.job = job
        self.answer_grader = answer_grader or grade_answer  # looked up now: a test may stand in for it
        self._key: IO[bytes] | None = None
        self._decided = _Lru(4096)  # (part signature, answer) → result, for answers seen before
        self._followed = _Lru(1024)
        self._page: Any = None
        self._sent: dict[str, Any] = {}  # which typeset sentences this worker has sent (see row_items)
        self.collection = PacedCollection()

    def __getstate__(self) -> dict[str, Any]:
        return {"job": self.job, "answer_grader": self.answer_grader}  # a fresh worker starts with empty caches

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["job"], state["answer_grader"])  # type: ignore[misc]

    def __call__(self, task: RowTask, beat: Callable[[Any], None] = _no_beat) -> RowOutcome:
        with use_locale(self.job.language):
            outcome = self._grade(task, beat)
        self.collection.tick()
        return outcome

    def warm(self) -> None:
        """Import and compile what every student's page needs, once, in the process the workers
        fork from (each worker did it again for its first student; the parent needs jinja for
        the item analysis anyway)."""
        if self.job.feedback is not None and self._page is None:
            from exgen.grading import reports  # noqa: F401 - imported for the workers to inherit
            from exgen.rendering.templates import environment

            self._page = environment("html", self.job.templates).get_template("feedback.html.j2")

    def version(self, entry: VersionEntry) -> KeyVersion:
        if self._key is None:
            self._key = open(self.job.key_path, "rb")  # kept open for the worker's life
            self._index = KeyIndex(Path(self.job.key_path), self.job.title, self.job.language, {}, {}, [], "")
        return read_version(self._index, entry, self._key)

    def _grade(self, task: RowTask, beat: Callable[[Any], None]) -> RowOutcome:
        from exgen.grading.reports import row_items, row_results_text, write_feedback

        seconds = self.job.seconds
        skipped = dict(task.skip)
        version = self.version(task.entry)
        answers = task.submission.answers
        results: dict[str, CellResult] = {}
        checks = 0
        for part in version.parts.values():
            text = answers.get(part.id, "")
            step = f"key:{part.id}"
            if step in skipped:
                results[part.id] = CellResult(**lost_result(skipped[step], seconds))
            elif not text.strip():
                results[part.id] = CellResult("blank", 0.0, t("grading.blank"), code="blank")
            else:
                beat(step)
                signature = (part.signature, text)
                decided = self._decided.lookup(signature)
                if decided is None:
                    decided = _safely(self.answer_grader, part.to_task(), text, seconds, partial(beat, step))
                    if decided.get("verdict") != "review":  # a timeout may not repeat: decide it again next time
                        self._decided.store(signature, _without_tree(decided))
                    checks += 1
                results[part.id] = CellResult(**decided)
        for part in version.parts.values():
            step = f"ecf:{part.id}"
            if step in skipped or not _may_follow(version, part.id, results):
                continue
            earlier = [version.parts[d] for d in part.depends_on]
            text = answers.get(part.id, "")
            earlier_texts = [answers.get(e.id, "") for e in earlier]
            problem = version.problem_of(part.id)
            signature = (part.signature, part.ask, json.dumps(part.args, sort_keys=True), text,
                         tuple(e.signature for e in earlier), tuple(earlier_texts),
                         tuple(sorted(problem.givens.items())), results[part.id].score)
            beat(step)
            followed = self._followed.lookup(signature)
            if followed is None:
                outcome = _safely(grade_ecf, part.to_task(), text, [e.to_task() for e in earlier], earlier_texts,
                                  dict(problem.givens), seconds, results[part.id].score, empty=True)
                followed = (outcome,)
                self._followed.store(signature, followed)
                checks += 1
            if followed[0]:
                results[part.id] = CellResult(**followed[0])
        outcome = RowOutcome(task.order, task.submission, task.entry, checks=checks)
        outcome.scores = {p: results[p].score * part.points for p, part in version.parts.items()}
        if self.job.results:
            outcome.results_text = row_results_text(task.submission, version, results)
        outcome.items = row_items(version, task.submission, results, self._sent)
        if self.job.feedback is not None and "page" not in skipped:
            beat("page")
            self.warm()  # compiles the template here where the parent did not (one worker, spawn)
            write_feedback(self._page, Path(self.job.feedback) / f"{task.stem}.html", self.job, version, task.submission, results)
        if self.job.keep:
            outcome.cells = results
        return outcome


def _without_tree(decided: dict[str, Any]) -> dict[str, Any]:
    """A result to remember: its reading as plain text (the tree is for this student's page)."""
    interpreted = decided.get("interpreted")
    return decided if interpreted is None or type(interpreted) is str else {**decided, "interpreted": str(interpreted)}


def _safely(function: Callable[..., CellResult | None], *arguments: Any, empty: bool = False) -> dict[str, Any]:
    """``function(*arguments)`` as a dict; a bug must not take a student's other answers down:
    that answer goes to review (a follow-through that fails changes nothing: ``empty``)."""
    try:
        result = function(*arguments)
    except Exception as problem:
        return {} if empty else _review(type(problem).__name__).to_dict()
    return {} if result is None else result.to_dict()


def _may_follow(version: KeyVersion, part_id: str, results: dict[str, CellResult]) -> bool:
    """Is there something wrong to carry forward into this (incorrect) part, and readable?"""
    from exgen.grading.ecf import RECIPES

    part = version.parts[part_id]
    if results[part_id].verdict != "incorrect" or part.ask not in RECIPES or not part.depends_on:
        return False
    earlier = [results.get(d) for d in part.depends_on]
    if any(d not in version.parts for d in part.depends_on):
        return False
    if not any(r is not None and r.verdict == "incorrect" for r in earlier):
        return False  # nothing wrong to carry forward
    return not any(r is None or r.verdict in ("invalid", "blank") for r in earlier)


def _review(detail: str) -> CellResult:
    reason = t("answer.verdict.internal_error", detail=detail)
    return CellResult("review", 0.0, t("answer.verdict.review", reason=reason), evidence=reason, code="internal_error")


def lost_result(reason: str, seconds: float) -> dict[str, Any]:
    """The result of an answer whose worker hung past its limit or died on it."""
    if reason == TIMEOUT:
        message = t("answer.verdict.timeout", seconds=f"{seconds:g}")
        return CellResult("review", 0.0, t("answer.verdict.review", reason=message), evidence=message, code="timeout").to_dict()
    return _review(t("grading.crashed")).to_dict()


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
    """One answer of the server's: ``("key", part, text, seconds)`` against its part's key, or
    ``("ecf", part, text, earlier parts, earlier texts, givens, key score, seconds)`` against
    the student's own earlier answers; messages in the sheet's language."""
    if task[0] == "warm":
        return warm_up()
    with use_locale(task[1].get("language")):
        if task[0] == "key":
            _, part, text, seconds = task
            return _safely(grade_answer, part, text, seconds)
        _, part, text, earlier, earlier_texts, givens, key_score, seconds = task
        return _safely(grade_ecf, part, text, earlier, earlier_texts, givens, seconds, key_score, empty=True)


def lost_task(task: tuple[Any, ...], reason: str) -> dict[str, Any]:
    """A server's task whose worker hung or died: review; a follow-through changes nothing."""
    if task[0] in ("warm", "ecf"):
        return {}
    with use_locale(task[1].get("language")):
        return lost_result(reason, task[-1])


# -- in the parent: the plan, the pool, the order --------------------------------------------


@dataclass
class Plan:
    """Who is graded: the key's index, the submissions, and per row its feedback page's name."""

    index: KeyIndex
    file: SubmissionFile
    stems: list[str]
    shard: Shard | None = None
    submissions_digest: str = ""  # shards of one class must have read the same file

    def tasks(self) -> Iterator[RowTask | RowOutcome]:
        """In submission order: a task per student with a version, an outcome for the others."""
        if self.file.source is not None and key_digest(self.file.source[0]) != self.submissions_digest:
            from exgen.errors import InputFileError

            raise InputFileError(f"{self.file.source[0]} changed while it was being graded; grade it again")
        groups: dict[str, int] = {}
        for order, (listed, answers) in enumerate(zip(self.file.submissions, self.file.answers(), strict=True)):
            identity = listed.student or listed.version or f"row {listed.row}"
            group = groups.setdefault(identity, len(groups))
            if self.shard is not None and group % self.shard.count != self.shard.number - 1:
                continue
            # the answers travel with the task and are gone with its outcome: the list keeps none
            submission = Submission(listed.row, listed.student, listed.version, answers, listed.notes)
            entry = self.index.versions.get(submission.version)
            if entry is None:
                yield RowOutcome(order, submission, None)
            else:
                yield RowTask(order, submission, entry, self.stems[order])


def plan(key_path: Path, submissions_path: Path, trust: str | None = None, language: str | None = None,
         shard: Shard | None = None) -> Plan:
    index = load_key_index(key_path, language)
    with use_locale(index.language):  # notes on rows are read by students and instructors
        file = read_submissions(submissions_path, index, trust, keep_answers=False)
    return Plan(index, file, feedback_stems(file, index), shard, key_digest(submissions_path))


def feedback_stems(file: SubmissionFile, index: KeyIndex) -> list[str]:
    """Each graded row's page: <version>-<student>; a duplicate submission keeps its own."""
    from exgen.grading.reports import slug

    used: set[str] = set()
    stems = []
    for submission in file.submissions:
        if submission.version not in index.versions:
            stems.append("")
            continue
        stem = f"{submission.version}-{slug(submission.student or submission.version)}"
        if stem in used:
            stem = f"{stem}-row{submission.row}"
        used.add(stem)
        stems.append(stem)
    return stems


def graded_rows(plan: Plan, job: GradeJob, workers: int, progress: Callable[[int], None] | None = None) -> Iterator[RowOutcome]:
    """Every planned row's outcome, in submission order, as soon as it and all before it are done."""
    grader = RowGrader(job)
    if workers <= 1:
        try:
            for item in plan.tasks():
                yield item if isinstance(item, RowOutcome) else grader(item)
                if progress:
                    progress(1)
        finally:
            grader.collection.close()
        return
    waiting: dict[int, RowOutcome] = {}
    order: list[int] = []  # the orders of the planned rows, as they were handed out

    def tasks() -> Iterator[RowTask]:
        for item in plan.tasks():
            order.append(item.order)
            if isinstance(item, RowOutcome):
                waiting[item.order] = item
            else:
                yield item

    def lost(task: RowTask, reason: str, step: Any) -> Any:
        """Grade the student again without the step that hung or crashed its worker."""
        if isinstance(step, str) and step not in dict(task.skip):
            return Retry(RowTask(task.order, task.submission, task.entry, task.stem, (*task.skip, (step, reason))))
        # lost before its first answer (reading its version): every answer is lost with it
        skip = tuple((f"key:{p}", reason) for p, _ in task.entry.parts)
        return Retry(RowTask(task.order, task.submission, task.entry, task.stem, (*skip, ("page", reason))))

    grader.warm()
    pool = WorkerPool(grader, workers, job.seconds, chunk=2, beats=True, renew_after=RENEW_AFTER)
    position = 0
    for _, outcome in pool.run(tasks(), lost):
        waiting[outcome.order] = outcome
        while position < len(order) and order[position] in waiting:
            yield waiting.pop(order[position])
            position += 1
            if progress:
                progress(1)
    while position < len(order):  # rows without a version after the last graded one
        yield waiting.pop(order[position])
        position += 1
        if progress:
            progress(1)


def counting(progress: Callable[[int, int], None] | None, total: int) -> Callable[[int], None]:
    """A per-row tick for :func:`graded_rows` that reports ``progress(done, total)``."""
    done = [0]

    def tick(count: int) -> None:
        done[0] += count
        if progress:
            progress(done[0], total)

    return tick


# -- the library's way in: a gradebook in memory ----------------------------------------------


@dataclass
class GradedRow:
    submission: Submission
    version: VersionEntry | None
    results: dict[str, CellResult] = field(default_factory=dict)  # part id → result (every part of the version)

    @property
    def total(self) -> float:
        if self.version is None:
            return 0.0
        points = dict(self.version.parts)
        return sum(r.score * points[p] for p, r in self.results.items())

    @property
    def maximum(self) -> float:
        return self.version.maximum if self.version else 0.0


@dataclass
class GradeBook:
    key: KeyIndex
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
    """Grade every submission and keep every result in memory (for a few hundred students;
    :func:`exgen.grading.reports.grade_to_folder` streams a class of any size into reports).
    ``trust`` ("student" or "version") says which column decides when a row's version was
    made for another student; without it such rows are errors, not graded."""
    start = time.perf_counter()
    planned = plan(key_path, submissions_path, trust, language)
    job = GradeJob(str(planned.index.path), planned.index.title, planned.index.language, seconds, results=False, keep=True)
    rows, checks = [], 0
    for outcome in graded_rows(planned, job, workers, counting(progress, len(planned.file.submissions))):
        rows.append(GradedRow(outcome.submission, outcome.entry, outcome.cells or {}))
        checks += outcome.checks
    return GradeBook(planned.index, planned.file, rows, time.perf_counter() - start, checks)

