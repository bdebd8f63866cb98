"""What templates receive: one sheet (a worksheet or its key), already typeset for the format.

Every value a template prints is either typeset here (math and catalog sentences, marked safe)
or plain user text (titles, names), which the template environment escapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from exgen.i18n import t
from exgen.problems.model import Problem
from exgen.rendering.text import math, render

FORMATS = {"tex": "latex", "html": "html"}


@dataclass
class SheetPart:
    id: str  # "1a": the column in answers.csv
    label: str  # "a"
    prompt: Markup
    kind: str
    answer: Markup
    steps: list[dict[str, Any]]
    choices: list[str] = field(default_factory=list)
    points: float = 1.0
    key_text: str = ""  # the key in calculator syntax, as in key.json (machine-readable link)


@dataclass
class SheetProblem:
    number: int
    family: str
    title: str
    statement: Markup
    parts: list[SheetPart]


@dataclass
class Sheet:
    """One version's worksheet (and, with ``key=True``, its answer key)."""

    title: str
    course: str
    date: str
    instructions: str
    version: str
    student_id: str
    student_name: str
    seed: int
    language: str
    problems: list[SheetProblem]
    key: bool = False
    standalone: bool = True

    @property
    def anchor(self) -> str:
        """An HTML id (and the LaTeX page mark) for this sheet: V001-worksheet, V001-key."""
        return f"{self.version}-{'key' if self.key else 'worksheet'}"

    def context(self) -> dict[str, Any]:
        return {"sheet": self, "standalone": self.standalone}


def typeset_problem(problem: Problem, number: int, fmt: str, section_title: str = "") -> SheetProblem:
    """A problem with its statement, prompts, keys and worked solutions typeset for ``fmt``."""
    from exgen.problems.values import typed

    target = FORMATS[fmt]
    parts = []
    for part in problem.parts:
        steps = [
            {
                "text": Markup(render(step.text, target)),
                "math": Markup(math(step.value, target)) if step.value is not None else None,
            }
            for step in part.steps
        ]
        choices = [str(t(f"labels.display.{c}")) for c in part.choices] if part.choices else []
        parts.append(
            SheetPart(
                id=f"{number}{part.id}", label=part.id, prompt=Markup(render(part.prompt, target)), kind=part.kind,
                answer=Markup(math(part.answer, target)), steps=steps, choices=choices, points=part.points,
                key_text=typed(part.kind, part.answer),
            )
        )
    title = section_title or t(f"families.{problem.family}.title")
    return SheetProblem(number, problem.family, title, Markup(render(problem.statement, target)), parts)
