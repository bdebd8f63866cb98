"""Write a gradebook as it is graded: grades.csv, results.jsonl, per-student feedback and the
item analysis. Rows arrive in submission order and are written at once; the item analysis
keeps counts, not rows, so memory stays flat in the number of students.

A shard (``exgen grade --shard i/n``) writes the same rows and counts into its own folder
instead; ``exgen grade --merge`` feeds them, in submission order, through the same writer, so
merged reports are byte-identical to a single run's.
"""

from __future__ import annotations

import csv
import hashlib
import heapq
import io
import json
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from markupsafe import Markup, escape

from exgen.errors import ExgenError, InputFileError
from exgen.grading.batch import FORMATS, GradeJob, Plan, RowOutcome, Shard, counting, graded_rows, plan
from exgen.grading.key import KeyPart, KeyVersion
from exgen.grading.submissions import Submission
from exgen.spreadsheet import spreadsheet_cell

UNITS = 10**9  # scores are summed as integers (exact, so the order of addition never shows)
SHOWN_PROMPTS = 6
SHARD_FILE = "shard.json"
SHARD_ROWS = "rows.jsonl"


def _number(value: float) -> str:
    return f"{round(value, 4):g}"


def _ordered(part_ids: Any) -> list[str]:
    return sorted(part_ids, key=lambda p: (int(p[:-1]), p[-1]))


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "student"


def _digest(text: str) -> int:
    """A short stand-in for a sentence (an int: the smallest thing to keep per wording)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


# -- one row, made in the worker that graded it -------------------------------------------------


def row_results_text(submission: Submission, version: KeyVersion, results: dict[str, Any]) -> str:
    """The student's lines of results.jsonl."""
    lines = []
    for part_id in _ordered(results):
        result = results[part_id]
        part = version.parts[part_id]
        lines.append(json.dumps({
            "student": submission.student, "version": submission.version, "part": part_id,
            "typed": submission.answers.get(part_id, ""), "interpreted": result.interpreted,
            "verdict": result.verdict, "score": round(result.score * part.points, 6), "points": part.points,
            "evidence": result.evidence, "strength": result.strength, "message": result.message,
            "warnings": result.warnings, "mistake": result.mistake, "ecf": result.ecf,
        }, ensure_ascii=False) + "\n")
    return "".join(lines)


def row_items(version: KeyVersion, submission: Submission, results: dict[str, Any], sent: dict[str, Any]) -> list[tuple[Any, ...]]:
    """What the item analysis counts of this student, per part: (part, verdict, score in
    units, wrong answer, unreadable answer, mistake, mistake message, prompt as (digest, html,
    reading)); ``reading`` (the part's kind, variables and functions, with which the analysis
    typesets its most common wrong answers) comes with the first wording only.

    Typeset sentences are large, and the analysis shows a mistake's message from its first
    row and a part's first wordings only, so a worker sends a message the first time it meets
    that (part, mistake) and a wording while it has sent fewer than the analysis shows for
    that part: every earlier row of this worker reached the parent before this one, so the
    parent has the html wherever it needs it (``sent`` is the worker's memory of this)."""
    items = []
    for part_id, result in results.items():
        part = version.parts[part_id]
        memory = sent.setdefault(part_id, (set(), set()))
        text = submission.answers.get(part_id, "")
        # plain text: the analysis keeps distinct wrong answers for the whole class, not their trees
        wrong = str(result.interpreted or text.strip()) if result.verdict == "incorrect" and not result.ecf else None
        unreadable = text.strip() if result.verdict == "invalid" else None
        message = None
        if result.mistake and result.mistake not in memory[0]:
            memory[0].add(result.mistake)
            model = next((m for m in part.mistakes if m["id"] == result.mistake), {})
            message = str(mistake_html(model, result.message))
        digest = _digest(part.prompt)
        wording = reading = None
        if len(memory[1]) < SHOWN_PROMPTS and digest not in memory[1]:
            if not memory[1]:
                reading = (part.kind, tuple(part.variables), tuple(part.functions))
            memory[1].add(digest)
            wording = str(prompt_html(part))
        items.append((part_id, result.verdict, round(result.score * UNITS), wrong, unreadable, result.mistake, message,
                      (digest, wording, reading)))
    return items


def write_feedback(template: Any, path: Path, job: GradeJob, version: KeyVersion, submission: Submission,
                   results: dict[str, Any]) -> None:
    page = template.render(**feedback_context(job.title, job.language, version, submission, results))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8", newline="\n")


def feedback_context(title: str, language: str, version: KeyVersion, submission: Submission, results: dict[str, Any]) -> dict[str, Any]:
    from exgen.rendering.templates import Fields

    problems = []
    total = 0.0
    for problem in version.problems:
        parts = []
        for part in problem.parts:
            result = results[part.id]
            typed = submission.answers.get(part.id, "")
            shown = result.interpreted if result.verdict not in ("invalid", "blank") else None
            total += result.score * part.points
            parts.append(Fields(
                id=part.id, label=part.part, prompt=prompt_html(part), typed=typed,
                read_as=typeset_typed(part.kind, shown, part.variables, part.functions) or shown,
                result=result, message=message_html(part, result.message, result.mistake), points=part.points,
                earned=result.score * part.points, key=key_html(part), steps=solution_steps(part),
            ))
        statement = Markup(problem.statement_html) if problem.statement_html else sentence_html(problem.statement_data, problem.statement)
        problems.append(Fields(number=problem.number, statement=statement, parts=parts, **figure_markup(problem.figure)))
    return {
        "title": title, "student": submission.student, "name": version.student_name,
        "version": version.version, "total": total, "maximum": version.maximum, "problems": problems,
        "notes": submission.notes, "language": language,
    }


def typeset_typed(kind: str, text: str | None, variables: Sequence[str] = (), functions: Sequence[str] = (),
                  inline: bool = False) -> Markup | None:
    """Calculator text (a key, a step, a student's answer as read) typeset as its kind reads it:
    as a key is set (fractions at full size, long formulas on their own line), or ``inline``
    in a line of text or a table cell."""
    if not text:
        return None
    tree = getattr(text, "tree", None)  # the grader's own reading (Interpreted): no second reading
    if tree is not None:
        return Markup(_typeset_data({"tree": tree}, inline))
    return _typeset_cached(kind, text, tuple(variables), tuple(functions), inline)


def _typeset_data(data: dict[str, Any], inline: bool) -> str:
    from exgen.rendering.text import key_math, math_from_data

    return math_from_data(data, "html") if inline else key_math(data, "html")


@lru_cache(maxsize=4096)  # the answers of the students at hand; bounded, so memory stays flat
def _typeset_cached(kind: str, text: str, variables: tuple[str, ...], functions: tuple[str, ...], inline: bool) -> Markup | None:
    from exgen.answers.kinds import get_kind
    from exgen.answers.lexer import fold_wide

    data = get_kind(kind).reading_data(fold_wide(text), variables, functions)
    if data is None:
        return None
    if "label" in data:
        return Markup(_label_text(str(data["label"])))
    return Markup(_typeset_data(data, inline))


def sentence_html(data: dict[str, Any] | None, fallback: str) -> Markup | str:
    """A stored sentence typeset as HTML (older key.json files: its plain text)."""
    if not data:
        return fallback
    from exgen.rendering.text import render, text_from_data

    return Markup(render(text_from_data(data), "html"))


def label_after_html(step: dict[str, Any], label: str) -> Markup | None:
    if not step.get("text_data"):
        return None
    from exgen.rendering.document import label_after
    from exgen.rendering.text import text_from_data

    shown = label_after(text_from_data(step["text_data"]), label, "html")
    return Markup(shown) if shown else None


def _label_text(label: str) -> str:
    from exgen.answers.kinds.label import display_label

    return display_label(label)


def message_html(part: KeyPart, message: str, mistake: str | None) -> Markup | str:
    """A verdict's message; a mistake model's message typeset (its math as MathML)."""
    if mistake:
        model = next((m for m in part.mistakes if m["id"] == mistake), None)
        if model is not None:
            return mistake_html(model, message)
    return message


def mistake_html(model: dict[str, Any], message: str) -> Markup | str:
    """A mistake model's message typeset: as generated (key.json), or from its data."""
    if model.get("message_html"):
        return Markup(model["message_html"])
    return sentence_html(model.get("message_data"), message)


def prompt_html(part: KeyPart) -> Markup | str:
    """A part's prompt typeset: as the HTML key shows it (key.json), or from its data."""
    if part.html:
        return Markup(part.html["prompt"])
    return sentence_html(part.prompt_data, part.prompt)


def key_html(part: KeyPart) -> Markup:
    """A part's key typeset for HTML (older key.json files: read back from calculator syntax)."""
    from exgen.rendering.text import math_from_data

    if part.html:
        return Markup(part.html["key"])
    if part.answer_data:
        return Markup(math_from_data(part.answer_data, "html"))
    return typeset_typed(part.kind, part.answer, part.variables, part.functions) or Markup(escape(part.answer))


def solution_steps(part: KeyPart) -> list[dict[str, Any]]:
    """A part's worked solution typeset for HTML: each step's sentence and its value."""
    from exgen.rendering.templates import Fields
    from exgen.rendering.text import math_from_data

    if part.html:
        return [Fields(text=Markup(text), math=Markup(shown) if shown else None) for text, shown in part.html["steps"]]
    steps = []
    for step in part.solution:
        math_value = step.get("math_data")
        if math_value and "label" in math_value:
            shown = label_after_html(step, math_value["label"])
        elif math_value:
            shown = Markup(math_from_data(math_value, "html"))
        else:
            shown = typeset_typed(part.kind, step.get("math"), part.variables, part.functions)
        steps.append(Fields(text=sentence_html(step.get("text_data"), step.get("text", "")), math=shown))
    return steps


def figure_markup(figure: dict[str, str] | None, sheet: bool = False) -> dict[str, Any]:
    """A problem's figure from key.json for a page: the key's, or with ``sheet`` the worksheet's
    (figures = "both"; none otherwise)."""
    prefix = "sheet_" if sheet else ""
    html = (figure or {}).get(f"{prefix}html")
    return {"figure": Markup(html) if html else None, "figure_caption": Markup((figure or {}).get(f"{prefix}caption_html", ""))}


# -- the item analysis, as counts -------------------------------------------------------------


@dataclass
class PartTally:
    answers: int = 0
    units: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    wrong: dict[str, list[int]] = field(default_factory=dict)  # answer → [count, first row]
    unreadable: dict[str, list[int]] = field(default_factory=dict)
    mistakes: dict[str, list[int]] = field(default_factory=dict)
    messages: dict[str, list[Any]] = field(default_factory=dict)  # mistake → [first row, html]
    prompts: set[int] = field(default_factory=set)  # digests of every wording
    shown: list[list[Any]] = field(default_factory=list)  # the first wordings: [first row, digest, html]
    reading: list[Any] = field(default_factory=list)  # [kind, variables, functions]: how its answers read


def _count(table: dict[str, list[int]], key: str, order: int, count: int = 1) -> None:
    entry = table.get(key)
    if entry is None:
        table[key] = [count, order]
    else:
        entry[0] += count
        entry[1] = min(entry[1], order)


def _common(table: dict[str, list[int]], limit: int | None) -> list[tuple[str, int]]:
    ranked = sorted(table.items(), key=lambda item: (-item[1][0], item[1][1]))
    return [(key, entry[0]) for key, entry in ranked[:limit]]


class ItemTally:
    """Per part what the item analysis shows, counted row by row (or merged from shards)."""

    def __init__(self) -> None:
        self.parts: dict[str, PartTally] = {}

    def add(self, order: int, items: Sequence[tuple[Any, ...]]) -> None:
        for part_id, verdict, units, wrong, unreadable, mistake, message, prompt in items:
            tally = self.parts.setdefault(part_id, PartTally())
            tally.answers += 1
            tally.units += units
            tally.verdicts[verdict] = tally.verdicts.get(verdict, 0) + 1
            if wrong is not None:
                _count(tally.wrong, wrong, order)
            if unreadable is not None:
                _count(tally.unreadable, unreadable, order)
            if mistake:
                _count(tally.mistakes, mistake, order)
                if mistake not in tally.messages:
                    tally.messages[mistake] = [order, message or ""]
            digest, html, reading = prompt
            if reading is not None and not tally.reading:
                tally.reading = [reading[0], list(reading[1]), list(reading[2])]
            if digest not in tally.prompts:
                tally.prompts.add(digest)
                if len(tally.shown) < SHOWN_PROMPTS:
                    tally.shown.append([order, digest, html or ""])

    def merge(self, other: ItemTally) -> None:
        for part_id, theirs in other.parts.items():
            mine = self.parts.setdefault(part_id, PartTally())
            mine.answers += theirs.answers
            mine.units += theirs.units
            for verdict, count in theirs.verdicts.items():
                mine.verdicts[verdict] = mine.verdicts.get(verdict, 0) + count
            for name in ("wrong", "unreadable", "mistakes"):
                table = getattr(mine, name)
                for key, (count, first) in getattr(theirs, name).items():
                    _count(table, key, first, count)
            for mistake, (first, html) in theirs.messages.items():
                if mistake not in mine.messages or first < mine.messages[mistake][0]:
                    mine.messages[mistake] = [first, html]
            mine.prompts |= theirs.prompts
            mine.reading = mine.reading or theirs.reading
            earliest: dict[str, list[Any]] = {}
            for entry in sorted(mine.shown + theirs.shown):  # a wording shown in two shards once, at its first row
                earliest.setdefault(entry[1], entry)
            mine.shown = sorted(earliest.values())[:SHOWN_PROMPTS]

    def items(self) -> list[dict[str, Any]]:
        """Per part: mean score, shares of invalid/review/blank, common wrong answers, mistakes hit."""
        items = []
        for part_id in _ordered(self.parts):
            tally = self.parts[part_id]
            count = tally.answers
            prompts = [Markup(html) for _, _, html in sorted(tally.shown)]
            mistakes = [(m, c, Markup(tally.messages[m][1])) for m, c in _common(tally.mistakes, None)]
            common_wrong = _common(tally.wrong, 5)
            items.append({
                "part": part_id, "prompt": prompts[0] if prompts else "", "prompts": prompts,
                "more_prompts": max(0, len(tally.prompts) - SHOWN_PROMPTS), "answers": count,
                "mean_score": tally.units / UNITS / count, "correct": tally.verdicts.get("correct", 0) / count,
                "invalid": tally.verdicts.get("invalid", 0) / count, "review": tally.verdicts.get("review", 0) / count,
                "blank": tally.verdicts.get("blank", 0) / count, "common_wrong": common_wrong,
                "wrong_math": _typeset_answers(tally.reading, [answer for answer, _ in common_wrong]),
                "common_invalid": _common(tally.unreadable, 3), "mistakes": mistakes,
            })
        return items

    def counts(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for tally in self.parts.values():
            for verdict, count in tally.verdicts.items():
                totals[verdict] = totals.get(verdict, 0) + count
        return totals

    def to_data(self) -> dict[str, Any]:
        return {part_id: {"answers": p.answers, "units": p.units, "verdicts": p.verdicts, "wrong": p.wrong,
                          "unreadable": p.unreadable, "mistakes": p.mistakes, "messages": p.messages,
                          "prompts": sorted(p.prompts), "shown": p.shown, "reading": p.reading} for part_id, p in self.parts.items()}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> ItemTally:
        tally = cls()
        for part_id, p in data.items():
            tally.parts[part_id] = PartTally(p["answers"], p["units"], p["verdicts"], p["wrong"], p["unreadable"], p["mistakes"],
                                             p["messages"], set(p["prompts"]), p["shown"], p.get("reading") or [])
        return tally


def _typeset_answers(reading: list[Any], answers: list[str]) -> dict[str, Markup]:
    """The most common wrong answers of a part typeset as they were read (MathML); one that
    does not read back (a kind without trees) is left out and shown as typed."""
    if not reading:
        return {}
    kind, variables, functions = reading
    shown = {answer: typeset_typed(kind, answer, variables, functions, inline=True) for answer in answers}  # in a table cell
    return {answer: math for answer, math in shown.items() if math is not None}


def item_analysis_csv(items: Sequence[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["part", "answers", "mean_score", "correct", "invalid", "review", "blank", "common_wrong_answers",
                     "common_unreadable_answers", "mistakes"])
    for item in items:
        writer.writerow([spreadsheet_cell(cell) for cell in (
            item["part"], item["answers"], f"{item['mean_score']:.3f}", f"{item['correct']:.3f}", f"{item['invalid']:.3f}",
            f"{item['review']:.3f}", f"{item['blank']:.3f}",
            " | ".join(f"{answer} ({count})" for answer, count in item["common_wrong"]),
            " | ".join(f"{answer} ({count})" for answer, count in item["common_invalid"]),
            " | ".join(f"{mistake} ({count})" for mistake, count, _ in item["mistakes"]),
        )])
    return buffer.getvalue()


# -- writing, as rows come ------------------------------------------------------------------------


def grades_header(part_ids: Sequence[str]) -> list[str]:
    return ["student", "name", "version", *part_ids, "total", "maximum", "percent", "notes"]


def grades_cells(outcome: RowOutcome, part_ids: Sequence[str], names: dict[str, str]) -> list[str]:
    submission = outcome.submission
    graded = outcome.entry is not None
    scores = [_number(outcome.scores[p]) if graded and p in outcome.scores else "" for p in part_ids]
    percent = f"{round(100 * outcome.total / outcome.maximum, 1):g}" if graded and outcome.maximum else ""
    return [spreadsheet_cell(cell) for cell in (
        submission.student, names.get(submission.student, ""), submission.version, *scores,
        _number(outcome.total) if graded else "", _number(outcome.maximum) if graded else "", percent,
        "; ".join(submission.notes),
    )]


def ungraded_results_text(submission: Submission) -> str:
    return json.dumps({"student": submission.student, "version": submission.version, "part": None,
                       "verdict": None, "notes": submission.notes}, ensure_ascii=False) + "\n"


@dataclass
class GradeSummary:
    """What a grading run did: the numbers the command prints, and the item analysis."""

    title: str
    language: str
    students: int  # submission rows (graded or not)
    graded: int
    answers: int
    counts: dict[str, int]
    issues: list[str]
    errors: list[str]
    items: list[dict[str, Any]]
    seconds: float = 0.0
    checks: int = 0
    written: list[str] = field(default_factory=list)
    tally: ItemTally | None = None


class ReportWriter:
    """Rows in submission order in, reports out (or, for a shard, rows and counts to merge)."""

    def __init__(self, staging: Path, formats: Sequence[str], part_ids: list[str], names: dict[str, str], shard: bool = False) -> None:
        self.staging = staging
        self.formats = tuple(formats)
        self.part_ids = part_ids
        self.names = names
        self.shard = shard
        self.tally = ItemTally()
        self.students = self.graded = self.answers = self.checks = 0
        self.written: list[str] = []
        self._files: dict[str, IO[str]] = {}
        self._grades: Any = None
        if shard:
            self._open(SHARD_ROWS)
        else:
            if "csv" in formats:
                self._grades = csv.writer(self._open("grades.csv"), lineterminator="\n")
                self._grades.writerow(grades_header(part_ids))
            if "json" in formats:
                self._open("results.jsonl")

    def _open(self, name: str) -> IO[str]:
        handle = (self.staging / name).open("w", encoding="utf-8", newline="\n")
        self._files[name] = handle
        self.written.append(name)
        return handle

    def add(self, outcome: RowOutcome) -> None:
        results = outcome.results_text if outcome.entry is not None else ungraded_results_text(outcome.submission)
        self.add_row(outcome.order, grades_cells(outcome, self.part_ids, self.names), results, outcome.items)
        self.graded += outcome.entry is not None
        self.checks += outcome.checks

    def add_row(self, order: int, cells: list[str], results: str, items: Sequence[tuple[Any, ...]]) -> None:
        self.students += 1
        self.answers += len(items)
        self.tally.add(order, items)
        if self.shard:
            self._files[SHARD_ROWS].write(json.dumps({"order": order, "grades": cells, "results": results}, ensure_ascii=False) + "\n")
            return
        if self._grades is not None:
            self._grades.writerow(cells)
        if "results.jsonl" in self._files:
            self._files["results.jsonl"].write(results)

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()

    def finish(self, title: str, language: str, issues: list[str], templates: str | None, students: int | None = None) -> list[dict[str, Any]]:
        """Close the rows; write the item analysis. Returns its items."""
        from exgen.i18n import use_locale

        self.close()
        items = self.tally.items()
        with use_locale(language):
            if "csv" in self.formats and not self.shard:
                (self.staging / "item_analysis.csv").write_text(item_analysis_csv(items), encoding="utf-8", newline="\n")
                self.written.append("item_analysis.csv")
            if "html" in self.formats and not self.shard:
                from exgen.rendering.templates import environment

                page = environment("html", templates).get_template("item_analysis.html.j2").render(
                    title=title, items=items, issues=issues, counts=self.tally.counts(), language=language,
                    students=self.students if students is None else students, answers=self.answers)
                (self.staging / "item_analysis.html").write_text(page, encoding="utf-8", newline="\n")
                self.written.append("item_analysis.html")
        return items


# -- grading into a folder -------------------------------------------------------------------------


REPORT_ENTRIES = ("grades.csv", "results.jsonl", "feedback", "item_analysis.csv", "item_analysis.html", SHARD_FILE, SHARD_ROWS)


def check_report_folder(out: Path, force: bool) -> list[str]:
    """Refuse to overwrite earlier results unless forced; return the reports already there."""
    existing = [name for name in REPORT_ENTRIES if (out / name).exists()]
    if existing and not force:
        raise ExgenError(f"{out} already holds graded results ({', '.join(existing)}); use --force to replace them or --out to choose another folder")
    return existing


def _publish(staging: Path, out: Path, existing: list[str], written: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in existing:  # forced: the earlier results go, all of them, so none is stale
        shutil.rmtree(out / name) if (out / name).is_dir() else (out / name).unlink()
    for name in sorted({w.split("/")[0] for w in written}):
        (staging / name).replace(out / name)


def _staging(out: Path) -> Path:
    parent = out.parent if out.parent.exists() else None
    return Path(tempfile.mkdtemp(prefix="exgen-grade-", dir=parent))


def grade_to_folder(
    key_path: Path, submissions_path: Path, out: Path, *, workers: int = 1, seconds: float = 2.0,
    formats: Sequence[str] = FORMATS, templates: Path | None = None, force: bool = False, trust: str | None = None,
    language: str | None = None, shard: Shard | None = None, progress: Callable[[int, int], None] | None = None,
) -> GradeSummary:
    """Grade every submission (or a shard's slice of the students) and write the reports into
    ``out`` as the rows are graded; the folder's reports are replaced only when all are done.

    A folder that already holds a graded set is not overwritten unless ``force``. Every report
    is in the sheet's language."""
    import time

    start = time.perf_counter()
    existing = check_report_folder(out, force)
    planned = plan(key_path, submissions_path, trust, language, shard)
    staging = _staging(out)
    try:
        summary = _grade_into(planned, staging, workers, seconds, formats, str(templates) if templates else None, progress)
        if shard is not None:
            _write_shard_file(staging, planned, shard, summary, formats)
            summary.written.append(SHARD_FILE)
        _publish(staging, out, existing, summary.written)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    summary.seconds = time.perf_counter() - start
    return summary


def _grade_into(planned: Plan, staging: Path, workers: int, seconds: float, formats: Sequence[str], templates: str | None,
                progress: Callable[[int, int], None] | None) -> GradeSummary:
    index = planned.index
    feedback = staging / "feedback"
    if "html" in formats:
        feedback.mkdir()
    job = GradeJob(str(index.path), index.title, index.language, seconds, results="json" in formats or planned.shard is not None,
                   feedback=str(feedback) if "html" in formats else None, templates=templates)
    writer = ReportWriter(staging, formats, index.part_ids, index.names, shard=planned.shard is not None)
    try:
        for outcome in graded_rows(planned, job, workers, counting(progress, len(planned.file.submissions))):
            writer.add(outcome)
    finally:
        writer.close()
    items = writer.finish(index.title, index.language, planned.file.issues, templates)
    written = list(writer.written)
    if "html" in formats:
        written += [f"feedback/{p.name}" for p in sorted(feedback.iterdir())]
    summary = GradeSummary(index.title, index.language, writer.students, writer.graded, writer.answers, writer.tally.counts(),
                           planned.file.issues, planned.file.errors, items, checks=writer.checks, written=written)
    summary.tally = writer.tally
    return summary


def _write_shard_file(staging: Path, planned: Plan, shard: Shard, summary: GradeSummary, formats: Sequence[str]) -> None:
    assert summary.tally is not None
    data = {
        "exgen_shard": 1, "shard": [shard.number, shard.count], "key_digest": planned.index.digest,
        "submissions_digest": planned.submissions_digest,
        "title": summary.title, "language": summary.language, "formats": list(formats),
        "part_ids": planned.index.part_ids, "students_total": len(planned.file.submissions),
        "students": summary.students, "graded": summary.graded, "answers": summary.answers, "checks": summary.checks,
        "issues": summary.issues, "errors": summary.errors, "tally": summary.tally.to_data(),
    }
    (staging / SHARD_FILE).write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8")


def merge_shards(folders: Sequence[Path], out: Path, *, templates: Path | None = None, force: bool = False) -> GradeSummary:
    """Combine the folders of ``exgen grade --shard i/n`` (all n of one key and one submissions
    file) into exactly the reports one run over every student writes."""
    metas = []
    for folder in folders:
        try:
            metas.append((folder, json.loads((folder / SHARD_FILE).read_text(encoding="utf-8"))))
        except (OSError, ValueError) as problem:
            raise InputFileError(f"{folder} is not a folder written by exgen grade --shard ({problem})") from None
    first = metas[0][1]
    count = first["shard"][1]
    numbers = sorted(m["shard"][0] for _, m in metas)
    if numbers != list(range(1, count + 1)) or any(m["shard"][1] != count for _, m in metas):
        got = ", ".join(f"{m['shard'][0]}/{m['shard'][1]}" for _, m in metas)
        raise InputFileError(f"--merge needs each of the {count} shards once (got {got})")
    for name in ("key_digest", "submissions_digest", "formats", "part_ids", "issues", "errors"):
        if any(m[name] != first[name] for _, m in metas):
            raise InputFileError(f"the shards were not graded from the same key and submissions ({name} differs)")
    existing = check_report_folder(out, force)
    formats = first["formats"]
    staging = _staging(out)
    try:
        writer = ReportWriter(staging, formats, first["part_ids"], {})
        for _, meta in metas:
            writer.tally.merge(ItemTally.from_data(meta["tally"]))
        for row in heapq.merge(*(_shard_rows(folder) for folder, _ in metas), key=lambda r: r["order"]):
            writer.add_row(row["order"], row["grades"], row["results"], ())
        writer.answers = sum(m["answers"] for _, m in metas)
        items = writer.finish(first["title"], first["language"], first["issues"], str(templates) if templates else None,
                              students=first["students_total"])
        written = list(writer.written)
        if "html" in formats:
            (staging / "feedback").mkdir()
            for folder, _ in metas:
                for page in sorted((folder / "feedback").iterdir()):
                    shutil.copyfile(page, staging / "feedback" / page.name)
                    written.append(f"feedback/{page.name}")
        _publish(staging, out, existing, written)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return GradeSummary(first["title"], first["language"], first["students_total"], sum(m["graded"] for _, m in metas),
                        writer.answers, writer.tally.counts(), first["issues"], first["errors"], items,
                        checks=sum(m["checks"] for _, m in metas), written=written)


def _shard_rows(folder: Path) -> Iterator[dict[str, Any]]:
    with (folder / SHARD_ROWS).open(encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)
