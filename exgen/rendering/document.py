"""What templates receive: one sheet (a worksheet or its key), already typeset for the format.

Every value a template prints is either typeset here (math and catalog sentences, marked safe)
or plain user text (titles, names), which the template environment escapes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from exgen.i18n import t
from exgen.problems.model import Problem, Step, Text, text
from exgen.rendering.text import key_math, render

if TYPE_CHECKING:
    from exgen.answers.kinds import AnswerKind
    from exgen.problems.figures import Figure

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
    answer_space: str = "box"  # "line", "box" or "ticks" (from the answer kind)
    answer_lines: int = 3  # height of a box, in lines of handwriting


@dataclass
class SheetProblem:
    number: int
    family: str
    title: str
    statement: Markup
    parts: list[SheetPart]
    figure: Markup | None = None  # SVG (html) or PGF (tex) for the key, drawn from the problem's construction
    figure_caption: Markup | None = None
    sheet_figure: Markup | None = None  # the worksheet's figure (the spec's figures = "both"): no answers in it
    sheet_figure_caption: Markup | None = None

    @property
    def points(self) -> float:
        return sum(part.points for part in self.parts)


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
    syntax_help: list[Markup] = field(default_factory=list)  # one line per kind of answer asked

    @property
    def anchor(self) -> str:
        """An HTML id (and the LaTeX page mark) for this sheet: V001-worksheet, V001-key."""
        return f"{self.version}-{'key' if self.key else 'worksheet'}"

    engine: str = "pdflatex"  # or xelatex, for text beyond Latin-1 (see exgen.rendering.pdf)
    cjk: bool = False

    def context(self) -> dict[str, Any]:
        return {"sheet": self, "standalone": self.standalone, "engine": self.engine, "cjk": self.cjk}


def syntax_help(problems: list[Problem], fmt: str) -> list[Markup]:
    """The "how to write your answers" lines for the kinds of answer these problems ask for."""
    kinds = {part.kind for problem in problems for part in problem.parts}
    sigma = any("sigma" in part.functions for problem in problems for part in problem.parts)
    return syntax_help_for(kinds, sigma, fmt)


def syntax_help_for(kind_names: Iterable[str], sigma: bool, fmt: str) -> list[Markup]:
    """The help lines for these kinds of answer (and the sigmoid's spelling), in help order."""
    from exgen.answers.kinds import get_kind

    kinds = {get_kind(name) for name in kind_names}
    keys = [kind.name for kind in sorted(kinds, key=lambda k: (k.help_order, k.name))]
    if sigma:
        keys.append("sigma")
    keys.append("fullwidth")  # empty in languages typed without full-width forms
    return [Markup(typeset_help(t(f"sheet.help.{key}"), FORMATS[fmt])) for key in keys if t(f"sheet.help.{key}")]


def typeset_help(sentence: str, target: str) -> str:
    """A help sentence: words escaped, what a student types (between backticks) as code."""
    from exgen.rendering.text import escape_html, escape_latex

    pieces = sentence.split("`")
    out = []
    for index, piece in enumerate(pieces):
        if target == "latex":
            out.append(r"\texttt{" + escape_latex(piece) + "}" if index % 2 else escape_latex(piece))
        else:
            out.append(f"<code>{escape_html(piece)}</code>" if index % 2 else escape_html(piece))
    return "".join(out)


def label_after(sentence: Text, label: str, fmt: str) -> str | None:
    """The label a step ends with, as a word, unless its sentence names it already
    ("So: minimum" but not "D < 0: a saddle point. saddle point")."""
    from exgen.answers.kinds.label import display_label
    from exgen.rendering.text import escape_html, escape_latex

    word = display_label(label)
    if word.casefold() in render(sentence, "plain").casefold():
        return None
    return escape_latex(word) if fmt == "latex" else escape_html(word)


def shown_step(step: Step, kind: AnswerKind, variables: tuple[str, ...], target: str) -> str | None:
    """A worked-solution step's value as the page shows it (a label only when the sentence
    does not name it already)."""
    if step.value is None:
        return None
    data = kind.display_data(step.value, variables)
    if "label" in data:
        return label_after(step.text, str(data["label"]), target)
    return key_math(data, target)


def draw_figure(problem: Problem) -> Figure | None:
    """The problem's figure as data, drawn once for every format (None: the family draws none)."""
    from exgen.problems.base import FAMILIES

    return FAMILIES[problem.family].figure(problem)


def typeset_figure(drawn: Figure, fmt: str) -> tuple[Markup, Markup]:
    """A figure and its caption for ``fmt``: inline SVG, or a pgfpicture. In HTML the picture is
    hidden from screen readers and the caption carries, visually hidden, the text alternative
    that says what this figure shows (its points and values, typeset, so they are read as math)."""
    target = FORMATS[fmt]
    zoom_label = render(text("figures.zoom_label"), target) if drawn.zoom is not None else ""
    words = {label: render(text(f"figures.short.{label}"), target) for label in ("minimum", "maximum", "neither", "saddle")}
    caption = Markup(render(drawn.caption, target)) if drawn.caption else Markup("")
    if fmt == "html":
        from exgen.rendering.svg import svg

        if drawn.description:
            caption += Markup(' <span class="sr-only">') + Markup(render(drawn.description, target)) + Markup("</span>")
        return Markup(svg(drawn, zoom_label, words)), caption
    from exgen.rendering.pgf import pgf

    return Markup(pgf(drawn, zoom_label, words)), caption


def typeset_problem(problem: Problem, number: int, fmt: str, section_title: str = "", figures: str = "key",
                    drawn: Figure | None = None) -> SheetProblem:
    """A problem with its statement, prompts, keys and worked solutions typeset for ``fmt``;
    its figure ``drawn`` (see :func:`draw_figure`) in the key unless ``figures`` is "none", and
    on the worksheet, without what answers a part, where it is "both"."""
    from exgen.answers.kinds import get_kind

    target = FORMATS[fmt]
    parts = []
    for part in problem.parts:
        kind = get_kind(part.kind)
        steps = []
        for step in part.steps:
            shown = shown_step(step, kind, part.variables, target)
            steps.append({"text": Markup(render(step.text, target)), "math": Markup(shown) if shown else None})
        choices = [str(t(f"labels.display.{c}")) for c in part.choices] if part.choices and kind.answer_space == "ticks" else []
        parts.append(
            SheetPart(
                id=f"{number}{part.id}", label=part.id, prompt=Markup(render(part.prompt, target)), kind=part.kind,
                answer=Markup(key_math(kind.display_data(part.answer, part.variables), target)), steps=steps, choices=choices,
                points=part.points, key_text=kind.typed(part.answer), answer_space=kind.answer_space, answer_lines=kind.answer_lines,
            )
        )
    title = section_title or t(f"families.{problem.family}.title")
    picture, caption = typeset_figure(drawn, fmt) if drawn is not None and figures != "none" else (None, None)
    sheet_picture, sheet_caption = typeset_figure(drawn.for_worksheet(), fmt) if drawn is not None and figures == "both" else (None, None)
    return SheetProblem(number, problem.family, title, Markup(render(problem.statement, target)), parts,
                        picture, caption, sheet_picture, sheet_caption)
