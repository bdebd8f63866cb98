"""Problems as plain text, for the terminal (``exgen topics FAMILY``)."""

from __future__ import annotations

from exgen.i18n import t
from exgen.problems.model import Problem
from exgen.rendering.text import math_plain, render


def problem_text(problem: Problem, *, key: bool = True, solutions: bool = True, mistakes: bool = False) -> str:
    lines = [render(problem.statement)]
    for part in problem.parts:
        lines.append(f"  ({part.id}) {render(part.prompt)}")
        if key:
            lines.append(f"      {t('render.key')}: {math_plain(part.answer)}")
        if solutions:
            for step in part.steps:
                value = f" {math_plain(step.value)}" if step.value is not None else ""
                lines.append(f"        · {render(step.text)}{value}")
        if mistakes:
            from exgen.problems.values import effective_mistakes

            for mistake in effective_mistakes(part):
                lines.append(f"        ✗ {mistake.id}: {math_plain(mistake.answer)} — {render(mistake.text)}")
    return "\n".join(lines)
