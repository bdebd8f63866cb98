"""Write a gradebook: grades.csv, results.jsonl, per-student feedback and the item analysis."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from exgen.grading.batch import GradeBook, GradedRow
from exgen.grading.key import KeyPart
from exgen.spreadsheet import spreadsheet_cell

FORMATS = ("csv", "html", "json")


def _number(value: float) -> str:
    return f"{round(value, 4):g}"


def grades_csv(book: GradeBook) -> str:
    columns = book.key.part_ids
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "name", "version", *columns, "total", "maximum", "percent", "notes"])
    for row in book.rows:
        scores = []
        for part_id in columns:
            result = row.results.get(part_id)
            scores.append(_number(result.score * row.version.parts[part_id].points) if result is not None and row.version else "")
        name = book.key.names.get(row.submission.student, "")
        percent = f"{round(100 * row.total / row.maximum, 1):g}" if row.version and row.maximum else ""
        writer.writerow([spreadsheet_cell(cell) for cell in (
            row.submission.student, name, row.submission.version, *scores,
            _number(row.total) if row.version else "", _number(row.maximum) if row.version else "", percent,
            "; ".join(row.submission.notes),
        )])
    return buffer.getvalue()


def results_jsonl(book: GradeBook) -> str:
    lines = []
    for row in book.rows:
        if row.version is None:
            lines.append(json.dumps({"student": row.submission.student, "version": row.submission.version, "part": None,
                                     "verdict": None, "notes": row.submission.notes}, ensure_ascii=False))
            continue
        for part_id in _ordered(row.results):
            result = row.results[part_id]
            part = row.version.parts[part_id]
            lines.append(json.dumps({
                "student": row.submission.student, "version": row.submission.version, "part": part_id,
                "typed": row.submission.answers.get(part_id, ""), "interpreted": result.interpreted,
                "verdict": result.verdict, "score": round(result.score * part.points, 6), "points": part.points,
                "evidence": result.evidence, "strength": result.strength, "message": result.message,
                "warnings": result.warnings, "mistake": result.mistake, "ecf": result.ecf,
            }, ensure_ascii=False))
    return "\n".join(lines) + ("\n" if lines else "")


def _ordered(results: dict[str, Any]) -> list[str]:
    return sorted(results, key=lambda p: (int(p[:-1]), p[-1]))


def item_analysis(book: GradeBook) -> list[dict[str, Any]]:
    """Per part: mean score, shares of invalid/review/blank, common wrong answers, mistakes hit."""
    by_part: dict[str, list[tuple[Any, Any, str]]] = {}
    for row in book.rows:
        if row.version is None:
            continue
        for part_id, result in row.results.items():
            by_part.setdefault(part_id, []).append((result, row.version.parts[part_id], row.submission.answers.get(part_id, "")))
    items = []
    for part_id in sorted(by_part, key=lambda p: (int(p[:-1]), p[-1])):
        entries = by_part[part_id]
        count = len(entries)
        verdicts = Counter(r.verdict for r, _, _ in entries)
        wrong = Counter((r.interpreted or text.strip()) for r, _, text in entries if r.verdict == "incorrect" and not r.ecf)
        unreadable = Counter(text.strip() for r, _, text in entries if r.verdict == "invalid")
        mistakes = Counter(r.mistake for r, _, _ in entries if r.mistake)
        messages: dict[str, Markup | str] = {}
        for r, part, _ in entries:
            if r.mistake and r.mistake not in messages:
                model = next((m for m in part.mistakes if m["id"] == r.mistake), {})
                messages[r.mistake] = sentence_html(model.get("message_data"), r.message)
        # versions may word a part differently (other numbers): each wording once, typeset
        prompts: dict[str, Markup | str] = {}
        for _, part, _ in entries:
            if part.prompt not in prompts:
                prompts[part.prompt] = sentence_html(part.prompt_data, part.prompt)
        items.append({
            "part": part_id,
            "prompt": next(iter(prompts.values())),
            "prompts": list(prompts.values())[:6],
            "more_prompts": max(0, len(prompts) - 6),
            "answers": count,
            "mean_score": sum(r.score for r, _, _ in entries) / count,
            "correct": verdicts.get("correct", 0) / count,
            "invalid": verdicts.get("invalid", 0) / count,
            "review": verdicts.get("review", 0) / count,
            "blank": verdicts.get("blank", 0) / count,
            "common_wrong": wrong.most_common(5),
            "common_invalid": unreadable.most_common(3),
            "mistakes": [(m, c, messages[m]) for m, c in mistakes.most_common()],
        })
    return items


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


def typeset_typed(kind: str, text: str | None, variables: Sequence[str] = (), functions: Sequence[str] = ()) -> Markup | None:
    """Calculator text (a key, a step, a student's answer as read) typeset as its kind reads it."""
    if not text:
        return None
    return _typeset_cached(kind, text, tuple(variables), tuple(functions))


@lru_cache(maxsize=65536)
def _typeset_cached(kind: str, text: str, variables: tuple[str, ...], functions: tuple[str, ...]) -> Markup | None:
    from exgen.answers.kinds import get_kind
    from exgen.answers.lexer import fold_wide
    from exgen.rendering.text import math_from_data

    data = get_kind(kind).reading_data(fold_wide(text), variables, functions)
    if data is None:
        return None
    if "label" in data:
        return Markup(_label_text(str(data["label"])))
    return Markup(math_from_data(data, "html"))


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
            return sentence_html(model.get("message_data"), message)
    return message


def key_html(part: KeyPart) -> Markup:
    """A part's key typeset for HTML (older key.json files: read back from calculator syntax)."""
    from exgen.rendering.text import math_from_data

    if part.answer_data:
        return Markup(math_from_data(part.answer_data, "html"))
    return typeset_typed(part.kind, part.answer, part.variables, part.functions) or Markup(escape(part.answer))


def solution_steps(part: KeyPart) -> list[dict[str, Any]]:
    """A part's worked solution typeset for HTML: each step's sentence and its value."""
    from exgen.rendering.text import math_from_data

    steps = []
    for step in part.solution:
        math_value = step.get("math_data")
        if math_value and "label" in math_value:
            shown = label_after_html(step, math_value["label"])
        elif math_value:
            shown = Markup(math_from_data(math_value, "html"))
        else:
            shown = typeset_typed(part.kind, step.get("math"), part.variables, part.functions)
        steps.append({"text": sentence_html(step.get("text_data"), step.get("text", "")), "math": shown})
    return steps


def figure_markup(figure: dict[str, str] | None, sheet: bool = False) -> dict[str, Any]:
    """A problem's figure from key.json for a page: the key's, or with ``sheet`` the worksheet's
    (figures = "both"; none otherwise)."""
    prefix = "sheet_" if sheet else ""
    html = (figure or {}).get(f"{prefix}html")
    return {"figure": Markup(html) if html else None, "figure_caption": Markup((figure or {}).get(f"{prefix}caption_html", ""))}


def feedback_context(book: GradeBook, row: GradedRow) -> dict[str, Any]:

    assert row.version is not None
    problems = []
    for problem in row.version.problems:
        parts = []
        for part in problem.parts:
            result = row.results[part.id]
            typed = row.submission.answers.get(part.id, "")
            shown = result.interpreted if result.verdict not in ("invalid", "blank") else None
            message = message_html(part, result.message, result.mistake)
            steps = solution_steps(part)
            parts.append({
                "id": part.id, "label": part.part, "prompt": sentence_html(part.prompt_data, part.prompt), "typed": typed,
                "read_as": typeset_typed(part.kind, shown, part.variables, part.functions) or shown,
                "result": result, "message": message, "points": part.points, "earned": result.score * part.points,
                "key": key_html(part),
                "steps": steps,
            })
        problems.append({"number": problem.number, "statement": sentence_html(problem.statement_data, problem.statement), "parts": parts,
                         **figure_markup(problem.figure)})
    return {
        "title": book.key.title, "student": row.submission.student, "name": row.version.student_name,
        "version": row.version.version, "total": row.total, "maximum": row.maximum, "problems": problems,
        "notes": row.submission.notes, "language": book.key.language,
    }


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "student"


REPORT_ENTRIES = ("grades.csv", "results.jsonl", "feedback", "item_analysis.csv", "item_analysis.html")


def check_report_folder(out: Path, force: bool) -> list[str]:
    """Refuse to overwrite earlier results unless forced; return the reports already there."""
    from exgen.errors import ExgenError

    existing = [name for name in REPORT_ENTRIES if (out / name).exists()]
    if existing and not force:
        raise ExgenError(f"{out} already holds graded results ({', '.join(existing)}); use --force to replace them or --out to choose another folder")
    return existing


def write_reports(
    book: GradeBook, out: Path, formats: Sequence[str] = FORMATS, templates: Path | None = None, force: bool = False
) -> list[str]:
    """Write every report into a fresh folder first, then move them into ``out`` (atomic per file).

    A folder that already holds a graded set is not overwritten unless ``force``. Every
    report is in the sheet's language.
    """
    from exgen.i18n import use_locale

    with use_locale(book.key.language):
        return _write_reports(book, out, formats, templates, force)


def _write_reports(book: GradeBook, out: Path, formats: Sequence[str], templates: Path | None, force: bool) -> list[str]:
    from exgen.rendering.templates import environment

    existing = check_report_folder(out, force)

    written: list[str] = []
    staging = Path(tempfile.mkdtemp(prefix="exgen-grade-", dir=out.parent if out.parent.exists() else None))
    try:
        def put(name: str, content: str) -> None:
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8", newline="\n")
            written.append(name)

        items = item_analysis(book)
        if "csv" in formats:
            put("grades.csv", grades_csv(book))
            put("item_analysis.csv", item_analysis_csv(items))
        if "json" in formats:
            put("results.jsonl", results_jsonl(book))
        if "html" in formats:
            env = environment("html", str(templates) if templates else None)
            feedback = env.get_template("feedback.html.j2")
            used: set[str] = set()
            for row in book.rows:
                if row.version is None:
                    continue
                stem = f"{row.version.version}-{_slug(row.submission.student or row.version.version)}"
                if stem in used:  # a duplicate submission keeps its own page
                    stem = f"{stem}-row{row.submission.row}"
                used.add(stem)
                put(f"feedback/{stem}.html", feedback.render(**feedback_context(book, row)))
            put("item_analysis.html", env.get_template("item_analysis.html.j2").render(
                title=book.key.title, items=items, issues=book.file.issues, counts=book.counts(), language=book.key.language,
                students=len(book.rows), answers=book.answers))
        out.mkdir(parents=True, exist_ok=True)
        for name in existing:  # forced: the earlier results go, all of them, so none is stale
            shutil.rmtree(out / name) if (out / name).is_dir() else (out / name).unlink()
        for name in written:
            target = out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            (staging / name).replace(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written
