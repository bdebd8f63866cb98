"""The outcome of comparing two answers: what was decided, the evidence, and how strong it is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from exgen.answers.printer import number_text

PROVED, SAMPLED = "proved", "sampled"


def weakest(strengths: Sequence[str]) -> str:
    """The strength of evidence made of several comparisons: as strong as its weakest part."""
    if not strengths:
        return ""
    return SAMPLED if any(s != PROVED for s in strengths) else PROVED


@dataclass(frozen=True, slots=True)
class Comparison:
    """The outcome of comparing an answer with the expected expression."""

    outcome: str  # "equivalent", "different", "answer_undefined", "not_real", "undecided"
    evidence: str
    method: str  # "structural", "exact", "numeric", "grid", "symbolic"
    points: int = 0
    digits: float = 0.0
    counterexample: dict[str, str] | None = None
    details: dict[str, str] = field(default_factory=dict)
    strength: str = ""  # "proved" (exact, symbolic, a certified counterexample) or "sampled"

    @property
    def equivalent(self) -> bool:
        return self.outcome == "equivalent"


def shown_number(value: Fraction) -> str:
    """A coordinate as a person reads it: 3, -1/2, 0.4005 (sample points are binary fractions)."""
    if value.denominator == 1 and abs(value.numerator) < 10**12:
        return number_text(value)
    if value.denominator <= 12 and abs(value.numerator) < 10**6:
        return number_text(value)
    return f"{float(value):.4g}"


def format_point(variables: Sequence[str], coords: Sequence[Fraction]) -> dict[str, str]:
    return {name: shown_number(value) for name, value in zip(variables, coords)}


def point_text(point: dict[str, str]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in point.items())
