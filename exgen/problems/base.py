"""Problem families: the registry, seeded generation, and helpers for building nice variants.

A family is one module in :mod:`exgen.problems.families` with a class registered by the
:func:`family` decorator; dropping a new module there adds a topic. ``build`` receives a seeded
``random.Random`` and a difficulty and returns the statement, the givens and the parts; it
raises :class:`RejectVariant` for a draw it does not like, and :func:`generate` draws again
(deterministically) and counts the rejection.

Seeds: the same family, difficulty and seed give the same problem on every machine, whatever
``PYTHONHASHSEED`` is (all randomness comes from ``random.Random`` seeded by SHA-256 digests).
A student's seed is :func:`student_seed`\\ (course seed, student id).
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import pkgutil
import random
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from exgen.problems.figures import Figure
from exgen.problems.model import Part, Problem, Text
from exgen.problems.scoring import with_default_points

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 200
DIFFICULTIES = (1, 2, 3)


class RejectVariant(Exception):
    """A draw that would not make a good problem (degenerate, ugly, duplicate); draw again."""


def derive_seed(*parts: object) -> int:
    """A 64-bit seed from any parts, stable across runs, machines and hash seeds."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def student_seed(course_seed: int | str, student_id: str) -> int:
    """The documented rule for per-student versions: sha256("exgen-student:<course>:<id>")."""
    return derive_seed("exgen-student", course_seed, str(student_id).strip())


@dataclass(frozen=True)
class FamilyInfo:
    id: str
    title: str  # catalog key of the title
    summary: str  # catalog key of a one-line description
    asks: tuple[str, ...]  # the asks its parts use


class Family(ABC):
    info: ClassVar[FamilyInfo]

    @abstractmethod
    def build(self, rng: random.Random, difficulty: int) -> tuple[Text, dict[str, str], list[Part]]:
        """Statement, givens (sympy-parsable strings) and parts of one variant."""

    def figure(self, problem: Problem) -> Figure | None:
        """A picture drawn from the problem's construction (a graph, level curves …), or None."""
        return None


FAMILIES: dict[str, Family] = {}
F = TypeVar("F", bound=type[Family])


def family(id: str, *, title: str, summary: str, asks: Sequence[str]) -> Callable[[F], F]:
    """Register a problem family under ``id`` (one module per family)."""

    def register(cls: F) -> F:
        cls.info = FamilyInfo(id, title, summary, tuple(asks))
        FAMILIES[id] = cls()
        return cls

    return register


_loaded = False


def load_families() -> dict[str, Family]:
    """Import every module of exgen.problems.families (each registers itself)."""
    global _loaded
    if not _loaded:
        from exgen.problems import families

        for module in sorted(pkgutil.iter_modules(families.__path__), key=lambda m: m.name):
            importlib.import_module(f"{families.__name__}.{module.name}")
        _loaded = True
    return FAMILIES


def get_family(family_id: str) -> Family:
    families = load_families()
    try:
        return families[family_id]
    except KeyError:
        raise KeyError(f"unknown family {family_id!r}; choose from {', '.join(sorted(families))}") from None


def generate(family_id: str, difficulty: int = 1, seed: int = 0, *, verify: bool = False) -> Problem:
    """The problem of ``family_id`` at ``difficulty`` for ``seed`` (deterministic).

    Variants are correct by construction and the construction is checked over thousands of
    seeds by ``exgen verify``. With ``verify=True`` every variant is also re-derived and checked
    through the answer engine before it is returned; one that fails is rejected, counted in
    ``Problem.attempts`` and replaced by the next draw.
    """
    if difficulty not in DIFFICULTIES:
        raise ValueError(f"difficulty must be 1, 2 or 3, not {difficulty}")
    chosen = get_family(family_id)
    for attempt in range(MAX_ATTEMPTS):
        rng = random.Random(derive_seed(family_id, difficulty, seed, attempt))
        try:
            statement, givens, parts = chosen.build(rng, difficulty)
        except RejectVariant:
            continue
        if not keeps_promises(parts):
            continue  # a promised integer or small fraction that is not: draw again
        parts = with_default_points(distinct_mistakes(without_repeated_steps(parts)))
        problem = Problem(family_id, difficulty, seed, statement, givens, tuple(parts), attempts=attempt + 1)
        if verify:
            from exgen.problems.verify import verify_problem

            failures, _ = verify_problem(problem)
            if failures:
                log.warning("rejected a variant that failed verification: %s", failures[0])
                continue
        return problem
    raise RuntimeError(f"{family_id}: no acceptable variant in {MAX_ATTEMPTS} draws (seed {seed})")


def keeps_promises(parts: list[Part]) -> bool:
    """Every part that promises integer or small-fraction values keeps the promise."""
    from exgen.answers.kinds import get_kind

    return all(part.nice is None or get_kind(part.kind).is_nice(part.answer, part.nice) for part in parts)


REPEATING_STEPS = ("steps.simplify", "steps.result")  # steps that only restate the formula in its final form


def without_repeated_steps(parts: list[Part]) -> list[Part]:
    """Parts whose worked solutions say nothing twice: a "simplify" or "result" step whose
    formula prints as the step's before it (nothing was left to simplify) is dropped."""
    from dataclasses import replace

    from exgen.problems.steps import prints_as

    kept_parts = []
    for part in parts:
        steps: list[Any] = []
        for step in part.steps:
            previous = next((s for s in reversed(steps) if s.value is not None), None)
            if (step.text.key in REPEATING_STEPS and step.value is not None and previous is not None
                    and prints_as(previous.value, step.value)):
                continue
            steps.append(step)
        kept_parts.append(part if len(steps) == len(part.steps) else replace(part, steps=tuple(steps)))
    return kept_parts


def distinct_mistakes(parts: list[Part]) -> list[Part]:
    """Parts without the mistake models that coincide with their key (a slip that gives the
    right answer is no slip: it could never be detected) or with an earlier model."""
    from dataclasses import replace

    from exgen.answers.kinds import get_kind

    kept_parts = []
    for part in parts:
        kind = get_kind(part.kind)
        kept: list[Any] = []
        for mistake in part.mistakes:
            if any(kind.same_value(m.answer, mistake.answer, part.variables, quick=True) for m in kept):
                continue
            if kind.same_value(part.answer, mistake.answer, part.variables, quick=True):
                continue
            kept.append(mistake)
        kept_parts.append(part if len(kept) == len(part.mistakes) else replace(part, mistakes=tuple(kept)))
    return kept_parts


# -- helpers for building variants ----------------------------------------------------------


def nonzero(rng: random.Random, low: int, high: int) -> int:
    value = 0
    while value == 0:
        value = rng.randint(low, high)
    return value


def sstr(expr: Any) -> str:
    """A sympy-parsable string for the givens (via exgen's fast printer; σ written with exp)."""
    from exgen.answers.printer import to_sympy_text
    from exgen.answers.sympy_bridge import from_sympy

    return to_sympy_text(from_sympy(expr))
