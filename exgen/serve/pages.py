"""What the answer pages show: one version's sheet with its answer fields, previews of what a
student typed, and the instructor's overview, typeset from key.json (no problem is generated
again, so the page is the sheet the student was given)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from exgen.grading.key import Key, KeyPart, KeyVersion
from exgen.i18n import t, tn
from exgen.serve.store import Attempt


@dataclass(frozen=True)
class Settings:
    mode: str = "practice"  # or "assignment"
    closes: dt.datetime | None = None  # assignment: answers editable until then (UTC)
    solution_after: int = 3  # practice: the worked solution after this many checks (or a correct answer)
    check_seconds: float = 2.0  # the per-answer time limit, as in exgen grade

    def is_closed(self, now: dt.datetime | None = None) -> bool:
        return self.closes is not None and (now or dt.datetime.now(dt.UTC)) >= self.closes

    def shows_verdicts(self) -> bool:
        return self.mode == "practice" or self.is_closed()


def preview(part: KeyPart, text: str) -> dict[str, Any]:
    """How the grader reads ``text`` for ``part``: MathML (or a label), or the refusal with the
    offending characters marked. Reading only: bounded by the reader's limits, no comparison."""
    from exgen.i18n import catalog

    return dict(_preview(id(catalog()), part.kind, part.variables, part.functions, part.choices, text))


@lru_cache(maxsize=20_000)  # a class types the same prefixes of the same answers
def _preview(language: int, kind: str, variables: tuple[str, ...], functions: tuple[str, ...], choices: tuple[str, ...] | None, text: str) -> dict[str, Any]:
    from exgen.answers.kinds import CheckOptions, get_kind
    from exgen.answers.lexer import fold_wide
    from exgen.rendering.text import math_from_data

    options = CheckOptions(variables=variables or None, functions=frozenset(functions), choices=choices)
    folded = fold_wide(text)  # as the grader reads it (exgen.answers.check)
    shown = get_kind(kind).preview(folded, options)
    if folded != text and shown.ok:
        shown = replace(shown, warnings=(t("answer.warning.fullwidth", folded=folded.strip()), *shown.warnings))
    if shown.code == "blank":
        return {"state": "empty", "html": str(escape(t("serve.preview_empty")))}
    if shown.ok:
        assert shown.data is not None
        html = Markup(math_from_data(shown.data, "html"))
        notes = "".join(f'<span class="preview-note">{escape(w)}</span>' for w in shown.warnings)
        return {"state": "read", "html": str(Markup('<span class="preview-label">{}</span> {}{}').format(t("serve.read_as"), html, Markup(notes)))}
    marked = _marked(text, shown.position, shown.length)
    return {
        "state": "error", "position": shown.position, "code": shown.code,
        "html": str(Markup('<span class="preview-label">{}</span> {} <code class="preview-text">{}</code>').format(
            t("serve.preview_error"), shown.message, marked)),
    }


def _shown(part: KeyPart, text: str) -> dict[str, Any]:
    shown = preview(part, text)
    return {"preview": Markup(shown["html"]), "preview_state": shown["state"]}


def _marked(text: str, position: int | None, length: int) -> Markup:
    """The answer as typed (a window of it) with the characters the reader refused marked."""
    if position is None or position > len(text):
        return escape(text[:120])
    start = max(0, position - 50)
    end = min(len(text), position + max(1, length) + 50)
    before, bad, after = text[start:position], text[position:position + max(1, length)], text[position + max(1, length):end]
    return Markup("{}{}<mark>{}</mark>{}{}").format("…" if start else "", before, bad or " ", after, "…" if end < len(text) else "")


def _time(iso: str) -> str:
    return iso[:19].replace("T", " ") if iso else ""


def attempts_text(count: int) -> str:
    return tn("serve.attempts", count)


def part_view(part: KeyPart, attempts: list[Attempt], settings: Settings) -> dict[str, Any]:
    """One part as the page shows it, from that part's attempts (oldest first): the last
    answer and its reading, when it was saved, and, where the mode shows them, its verdict,
    message and worked solution."""
    from exgen.grading.reports import key_html, message_html, sentence_html, solution_steps

    last = attempts[-1] if attempts else None
    checks = sum(a.action == "check" for a in attempts)
    closed = settings.is_closed()
    text = last.raw if last else ""
    solved = bool(last and last.verdict == "correct" and last.action == "check")
    show_solution = (settings.mode == "practice" and (solved or checks >= settings.solution_after)) or closed
    if last is None or (closed and not last.raw.strip()):
        verdict, message = ("blank", t("grading.blank")) if closed else ("", "")
    elif settings.shows_verdicts() and (last.action == "check" or closed):
        verdict, message = last.verdict, message_html(part, last.message, last.mistake or None)
    else:
        verdict, message = "", ""
    return {
        "id": part.id, "label": part.part, "prompt": sentence_html(part.prompt_data, part.prompt), "kind": part.kind,
        "kind_text": t(f"serve.kind.{part.kind}"), "points": part.points, "value": text, **_shown(part, text),
        "saved_at": _time(last.created) if last else "", "verdict": verdict, "message": message, "checks": checks,
        "steps": solution_steps(part) if show_solution else [], "key": key_html(part) if show_solution else None,
    }


def student_context(key: Key, version: KeyVersion, attempts: list[Attempt], settings: Settings, token: str, form_token: str) -> dict[str, Any]:
    """Everything the student's page shows, from the version's key and its stored attempts."""
    from exgen.grading.reports import figure_markup, sentence_html
    from exgen.rendering.document import syntax_help_for

    by_part: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        by_part.setdefault(attempt.part, []).append(attempt)
    closed = settings.is_closed()
    problems = []
    for problem in version.problems:
        problems.append({
            "number": problem.number, "title": t(f"families.{problem.family}.title"),
            "statement": sentence_html(problem.statement_data, problem.statement),
            "parts": [part_view(part, by_part.get(part.id, []), settings) for part in problem.parts],
            "points": sum(p.points for p in problem.parts),
            # the worksheet's figure (figures = "both"), or once the answers are out, the key's
            **figure_markup(problem.figure, sheet=not closed),
        })
    kinds = {part.kind for part in version.parts.values()}
    sigma = any("sigma" in part.functions for part in version.parts.values())
    return {
        "title": key.title, "version": version.version, "student": version.student_id or "", "name": version.student_name,
        "problems": problems, "mode": settings.mode, "closed": closed,
        "closes": settings.closes.strftime("%Y-%m-%d %H:%M") if settings.closes else "",
        "token": token, "form_token": form_token, "syntax_help": syntax_help_for(kinds, sigma, "html"),
        "solution_after": settings.solution_after, "language": key.language,
        "attempts_text": attempts_text,
    }


def instructor_context(key: Key, attempts: list[Attempt], token: str) -> dict[str, Any]:
    """Progress per student and part: answered, correct, needing review; the latest answers."""
    latest: dict[tuple[str, str], Attempt] = {}
    for attempt in attempts:
        latest[(attempt.version, attempt.part)] = attempt
    part_ids = key.part_ids
    rows = []
    for version in key.versions.values():
        cells = []
        answered = correct = review = 0
        for part_id in part_ids:
            last = latest.get((version.version, part_id))
            if last is not None and last.raw.strip():
                answered += 1
                correct += last.verdict == "correct"
                review += last.verdict == "review"
            cells.append({"part": part_id, "attempt": last})
        rows.append({
            "version": version.version, "student": version.student_id or "", "name": version.student_name,
            "answered": answered, "correct": correct, "review": review, "parts": len(version.parts), "cells": cells,
        })
    return {"title": key.title, "rows": rows, "part_ids": part_ids, "token": token, "attempts": len(attempts), "language": key.language}
