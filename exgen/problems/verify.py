"""Verify generated problems through the answer engine.

For every part of a problem:

1. **re-derivation** — the key recomputed from the problem's description alone
   (:func:`exgen.problems.derive.derive`, plain sympy) equals the generator's key;
2. **acceptance** — the key typed as a student would, and three rewritten forms of it
   (expanded, factored, reordered), are graded ``correct``;
3. **mistakes** — every mistake model is graded incorrect, and none equals the key (a slip
   that gives the right answer could never be detected);
4. **steps** — the worked solution's values chain: each equals the next, the last equals the key;
5. **nice** — promised integers or small fractions are such;

and for the problem as a whole:

6. **give-away** — no prompt or statement contains an answer of another part (a point, a
   number, a vector of another part's key);
7. **notation** — no prompt or mistake message names something the problem does not have
   (σ on a tanh problem, f′ on a function of two variables, the ½ of a loss without one);
8. **structure** — every version of one family and difficulty has the same parts, kinds,
   asks and points (checked across the seeds of a run).

:func:`verify_family` runs this over many seeds and reports variants, rejected draws,
failures, the number of distinct problems and the share of parts with a mistake model.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from exgen.answers.check import check
from exgen.answers.kinds import get_kind
from exgen.problems.base import generate
from exgen.problems.derive import derive
from exgen.problems.model import Part, Problem
from exgen.problems.values import rewritten_forms, same_value, typed
from exgen.rendering.text import render


@dataclass(frozen=True)
class Failure:
    family: str
    difficulty: int
    seed: int
    part: str
    check: str  # rederivation, acceptance, mistake, steps, nice, render, generate
    detail: str

    def __str__(self) -> str:
        return f"{self.family} d{self.difficulty} seed {self.seed} part {self.part}: {self.check}: {self.detail}"


def _grade(part: Part, answer_text: str) -> Any:
    return check(
        get_kind(part.kind).expected_for_check(part.answer), answer_text, kind=part.kind, vars=part.variables or None, functions=part.functions,
        tolerance=part.tolerance, choices=part.choices, time_limit=10,
    )


def verify_part(problem: Problem, part: Part) -> tuple[list[Failure], int]:
    """Failures of one part, and how many mistake models were dropped as equivalent to the key."""
    failures: list[Failure] = []

    def fail(kind: str, detail: str) -> None:
        failures.append(Failure(problem.family, problem.difficulty, problem.seed, part.id, kind, detail))

    try:
        derived = derive(part.ask, part.args, problem.givens)
        if not same_value(part.kind, derived, part.answer, part.variables):
            fail("rederivation", f"derived {derived} but the key is {part.answer}")
    except Exception as problem_error:
        fail("rederivation", f"{type(problem_error).__name__}: {problem_error}")

    forms = [typed(part.kind, part.answer)]
    try:
        forms += rewritten_forms(part.kind, part.answer, seed=problem.seed)
    except Exception as problem_error:
        fail("acceptance", f"could not rewrite the key: {problem_error}")
    for form in forms:
        verdict = _grade(part, form)
        if not verdict.correct:
            fail("acceptance", f"{form!r} graded {verdict.verdict}: {verdict.message} {verdict.evidence}")

    dropped = 0
    for mistake in part.mistakes:
        if same_value(part.kind, part.answer, mistake.answer, part.variables):
            dropped += 1
            fail("mistake", f"mistake {mistake.id} ({typed(part.kind, mistake.answer)!r}) equals the key: it can never be detected")
            continue
        verdict = _grade(part, typed(part.kind, mistake.answer))
        if verdict.correct:
            fail("mistake", f"mistake {mistake.id} ({typed(part.kind, mistake.answer)!r}) graded correct")
        elif verdict.verdict != "incorrect":
            fail("mistake", f"mistake {mistake.id} ({typed(part.kind, mistake.answer)!r}) graded {verdict.verdict}: {verdict.message}")

    chain = [step.value for step in part.steps if step.value is not None]
    if not chain:
        fail("steps", "no step carries a value")
    for earlier, later in zip(chain, chain[1:]):
        if not same_value(part.kind, earlier, later, part.variables):
            fail("steps", f"step {earlier} is not equal to the next step {later}")
    if chain and not same_value(part.kind, chain[-1], part.answer, part.variables):
        fail("steps", f"the last step {chain[-1]} is not the key {part.answer}")

    if part.nice and not _nice(part):
        fail("nice", f"promised {part.nice} values, got {part.answer}")
    return failures, dropped


def _nice(part: Part) -> bool:
    return get_kind(part.kind).is_nice(part.answer, part.nice or "integer")


# -- the problem as a whole --------------------------------------------------------------------


def _points_in(value: Any) -> list[tuple[Any, ...]]:
    """The points a math value shows: (2, 3), x = -1 as (-1,), a list of them."""
    import sympy

    from exgen.problems.model import Math, Text

    if isinstance(value, Math):
        value = value.value
    if isinstance(value, Text):
        return [p for v in value.params.values() for p in _points_in(v)]
    if isinstance(value, sympy.Eq) and value.lhs.is_Symbol and value.rhs.is_number:
        return [(value.rhs,)]
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (list, tuple)) for v in value):
        return [tuple(v) for v in value]
    if isinstance(value, (list, tuple)):
        if value and all(getattr(sympy.sympify(v), "is_number", False) for v in value if not isinstance(v, (Math, Text, sympy.Eq))):
            if all(not isinstance(v, (Math, Text, sympy.Eq)) for v in value):
                return [tuple(value)]
        return [p for v in value for p in _points_in(v)]
    return []


def _answer_points(part: Part) -> list[tuple[Any, ...]]:
    """The points (and vectors, and single numbers) a part's key consists of."""
    value = part.answer
    if part.kind in ("points",):
        return [tuple(p) for p in value]
    if part.kind == "classified_points":
        return [tuple(p) for p, _ in value]
    if part.kind == "vector":
        return [tuple(value)]
    return []


def _same_point(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    import sympy

    return len(a) == len(b) and all(sympy.simplify(sympy.sympify(x) - sympy.sympify(y)) == 0 for x, y in zip(a, b))


def giveaways(problem: Problem) -> list[str]:
    """Prompts (and the statement) that name a point of another part's key."""
    found = []
    texts = [("statement", problem.statement)] + [(part.id, part.prompt) for part in problem.parts]
    for where, sentence in texts:
        shown = _points_in(sentence)
        for part in problem.parts:
            if part.id == where:
                continue
            for point in _answer_points(part):
                if any(_same_point(point, p) for p in shown):
                    found.append(f"{'the statement' if where == 'statement' else 'the prompt of part ' + where} shows {point}, "
                                 f"an answer of part {part.id}")
    return found


_NOTATION = re.compile(r"\\(sigma|tanh|mu|lambda|eta|nabla|hat\{y\}|sec)\b|f'|\\t?frac\{1\}\{2\}")


def _notation(latex_text: str) -> set[str]:
    return {m.group(0).replace("tfrac", "frac") for m in _NOTATION.finditer(latex_text)}


def notation_faults(problem: Problem) -> list[str]:
    """Prompts and mistake messages that use notation the problem does not have."""
    from exgen.answers.kinds import get_kind
    from exgen.rendering.text import math_from_data

    has = _notation(render(problem.statement, "latex"))
    for part in problem.parts:
        has |= _notation(render(part.prompt, "latex"))
        has |= _notation(math_from_data(get_kind(part.kind).display_data(part.answer, part.variables), "latex"))
    faults = []
    for part in problem.parts:
        for label, sentence in [("prompt", part.prompt)] + [(f"mistake {m.id}", m.text) for m in part.mistakes]:
            extra = _notation(render(sentence, "latex")) - has
            if extra:
                faults.append(f"part {part.id} {label} uses {', '.join(sorted(extra))}, which the problem does not have")
    return faults


def verify_problem(problem: Problem) -> tuple[list[Failure], int]:
    failures: list[Failure] = []
    dropped = 0
    for check_name, found in (("give-away", giveaways(problem)), ("notation", notation_faults(problem))):
        failures += [Failure(problem.family, problem.difficulty, problem.seed, "-", check_name, detail) for detail in found]
    for fmt in ("plain", "latex"):
        try:
            render(problem.statement, fmt)
            for part in problem.parts:
                render(part.prompt, fmt)
                for step in part.steps:
                    render(step.text, fmt)
                for mistake in part.mistakes:
                    render(mistake.text, fmt)
        except Exception as problem_error:
            failures.append(Failure(problem.family, problem.difficulty, problem.seed, "-", "render", f"{fmt}: {problem_error!r}"))
    for part in problem.parts:
        part_failures, part_dropped = verify_part(problem, part)
        failures += part_failures
        dropped += part_dropped
    return failures, dropped


@dataclass
class FamilyReport:
    family: str
    variants: int = 0
    rejected: int = 0  # draws rejected while generating
    dropped_mistakes: int = 0
    failures: list[Failure] = field(default_factory=list)
    fingerprints: set[str] = field(default_factory=set)
    seconds: float = 0.0
    structures: dict[int, set[str]] = field(default_factory=dict)  # difficulty → structures seen
    parts: int = 0
    parts_with_mistakes: int = 0
    first_thousand: set[str] = field(default_factory=set)  # distinct problems among seeds < 1000

    @property
    def distinct(self) -> int:
        return len(self.fingerprints)

    @property
    def distinguishable(self) -> float:
        """Share of parts with at least one mistake model that differs from the key."""
        return self.parts_with_mistakes / self.parts if self.parts else 0.0

    def structure_failures(self) -> list[Failure]:
        return [
            Failure(self.family, level, -1, "-", "structure", f"{len(found)} different structures at difficulty {level}: {sorted(found)[:2]}")
            for level, found in sorted(self.structures.items()) if len(found) > 1
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "family": self.family, "variants": self.variants, "rejected": self.rejected,
            "dropped_mistakes": self.dropped_mistakes, "distinct": self.distinct,
            "distinct_in_first_1000": len(self.first_thousand),
            "distinguishable_mistakes": round(self.distinguishable, 4),
            "structures": {str(k): len(v) for k, v in sorted(self.structures.items())},
            "failures": [str(f) for f in self.failures], "seconds": round(self.seconds, 2),
        }


def seed_plan(seeds: Iterable[int], difficulty: int | None) -> Iterator[tuple[int, int]]:
    """(seed, difficulty) pairs: a fixed difficulty, or 1, 2, 3 in turn."""
    for seed in seeds:
        yield seed, difficulty if difficulty is not None else 1 + seed % 3


@dataclass(frozen=True)
class SeedResult:
    rejected: int
    dropped: int
    fingerprint: str | None
    failures: list[Failure]
    structure: str = ""
    parts: int = 0
    parts_with_mistakes: int = 0


def verify_one(family_id: str, seed: int, difficulty: int) -> SeedResult:
    """What verifying one seed found."""
    try:
        problem = generate(family_id, difficulty, seed)
    except Exception as problem_error:
        return SeedResult(0, 0, None, [Failure(family_id, difficulty, seed, "-", "generate", f"{type(problem_error).__name__}: {problem_error}")])
    failures, dropped = verify_problem(problem)
    return SeedResult(problem.attempts - 1, dropped, problem.fingerprint, failures, repr(problem.structure),
                      len(problem.parts), sum(1 for p in problem.parts if p.mistakes))


def verify_family(family_id: str, seeds: Iterable[int], difficulty: int | None = None) -> FamilyReport:
    report = FamilyReport(family_id)
    start = time.perf_counter()
    for seed, level in seed_plan(seeds, difficulty):
        result = verify_one(family_id, seed, level)
        report.variants += 1
        report.rejected += result.rejected
        report.dropped_mistakes += result.dropped
        report.failures += result.failures
        report.parts += result.parts
        report.parts_with_mistakes += result.parts_with_mistakes
        if result.structure:
            report.structures.setdefault(level, set()).add(result.structure)
        if result.fingerprint is not None:
            report.fingerprints.add(result.fingerprint)
            if seed < 1000:
                report.first_thousand.add(result.fingerprint)
    report.seconds = time.perf_counter() - start
    return report
