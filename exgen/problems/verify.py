"""Verify generated problems through the answer engine.

For every part of a problem:

1. **re-derivation** — the key recomputed from the problem's description alone
   (:func:`exgen.problems.derive.derive`, plain sympy) equals the generator's key;
2. **acceptance** — the key typed as a student would, and three rewritten forms of it
   (expanded, factored, reordered), are graded ``correct``;
3. **mistakes** — every mistake model is graded not correct (a model the engine accepts as
   the key is dropped and counted, not a failure);
4. **steps** — the worked solution's values chain: each equals the next, the last equals the key;
5. **nice** — promised integers or small fractions are such.

:func:`verify_family` runs this over many seeds and reports variants, rejected draws,
failures and the number of distinct problems.
"""

from __future__ import annotations

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


def verify_problem(problem: Problem) -> tuple[list[Failure], int]:
    failures: list[Failure] = []
    dropped = 0
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

    @property
    def distinct(self) -> int:
        return len(self.fingerprints)

    def to_dict(self) -> dict[str, Any]:
        return {
            "family": self.family, "variants": self.variants, "rejected": self.rejected,
            "dropped_mistakes": self.dropped_mistakes, "distinct": self.distinct,
            "failures": [str(f) for f in self.failures], "seconds": round(self.seconds, 2),
        }


def seed_plan(seeds: Iterable[int], difficulty: int | None) -> Iterator[tuple[int, int]]:
    """(seed, difficulty) pairs: a fixed difficulty, or 1, 2, 3 in turn."""
    for seed in seeds:
        yield seed, difficulty if difficulty is not None else 1 + seed % 3


def verify_one(family_id: str, seed: int, difficulty: int) -> tuple[int, int, str | None, list[Failure]]:
    """(rejected draws, dropped mistakes, fingerprint, failures) for one seed."""
    try:
        problem = generate(family_id, difficulty, seed)
    except Exception as problem_error:
        return 0, 0, None, [Failure(family_id, difficulty, seed, "-", "generate", f"{type(problem_error).__name__}: {problem_error}")]
    failures, dropped = verify_problem(problem)
    return problem.attempts - 1, dropped, problem.fingerprint, failures


def verify_family(family_id: str, seeds: Iterable[int], difficulty: int | None = None) -> FamilyReport:
    report = FamilyReport(family_id)
    start = time.perf_counter()
    for seed, level in seed_plan(seeds, difficulty):
        rejected, dropped, fingerprint, failures = verify_one(family_id, seed, level)
        report.variants += 1
        report.rejected += rejected
        report.dropped_mistakes += dropped
        report.failures += failures
        if fingerprint is not None:
            report.fingerprints.add(fingerprint)
    report.seconds = time.perf_counter() - start
    return report
