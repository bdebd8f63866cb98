"""Problems as plain text, for the terminal (``exgen topics FAMILY``)."""

from __future__ import annotations

from exgen.i18n import t
from exgen.problems.model import Problem
from exgen.rendering.text import math_from_data, render


def _shown(kind: str, value: object, variables: tuple[str, ...]) -> str:
    from exgen.answers.kinds import get_kind

    return math_from_data(get_kind(kind).display_data(value, variables), "plain")


def problem_text(problem: Problem, *, key: bool = True, solutions: bool = True, mistakes: bool = False) -> str:
    lines = [render(problem.statement)]
    for part in problem.parts:
        lines.append(f"  ({part.id}) {render(part.prompt)}")
        if key:
            lines.append(f"      {t('render.key')}: {_shown(part.kind, part.answer, part.variables)}")
        if solutions:
            for step in part.steps:
                value = f" {_shown(part.kind, step.value, part.variables)}" if step.value is not None else ""
                lines.append(f"        · {render(step.text)}{value}")
        if mistakes:
            from exgen.problems.values import effective_mistakes

            for mistake in effective_mistakes(part):
                lines.append(f"        ✗ {mistake.id}: {_shown(part.kind, mistake.answer, part.variables)} — {render(mistake.text)}")
    return "\n".join(lines)
