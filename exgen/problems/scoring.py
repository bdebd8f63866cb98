"""Points and credit for consistent work, per part: defaults by ask, overridden by the spec.

A Lagrange candidate is worth more than ticking a box: every ask has a default number of points
(:data:`DEFAULT_POINTS`). A worksheet spec may set the points of an ask, or of a whole problem
(its parts are then scaled to that total, in halves), and the share of a part's points given
for an answer consistent with the student's own wrong earlier answer (error carried forward).
Since every version of a problem has the same structure (see ``Problem.structure``), every
student's sheet has the same maximum score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from fractions import Fraction

from exgen.problems.model import Part, Problem

DEFAULT_POINTS: dict[str, float] = {
    "derivative": 2, "derivative_at": 1, "value_at": 1, "tangent_line": 2,
    "partial": 1, "partial_at": 1, "gradient": 2, "gradient_at": 1,
    "critical_points": 2, "classify": 1, "classified_critical_points": 4, "local_extreme_value": 2,
    "global_minimum": 2, "hessian_determinant": 1, "hessian_determinant_function": 2,
    "lagrange_points": 3, "lagrange_classified": 4, "lagrange_multiplier": 2,
    "lagrange_extreme_value": 2, "lagrange_extreme_point": 1, "gd_step": 2,
}
DEFAULT_ECF_CREDIT = 1.0  # an answer consistent with the student's own earlier answer: full credit


def default_points(ask: str) -> float:
    return float(DEFAULT_POINTS.get(ask, 1))


def with_default_points(parts: list[Part]) -> list[Part]:
    """Parts whose family left their points open get the default of their ask."""
    return [part if part.points is not None else replace(part, points=default_points(part.ask)) for part in parts]


def scaled(weights: list[float], total: float) -> list[float]:
    """``weights`` scaled to ``total`` in steps of ½ (of 0.01 when the total is not a multiple
    of ½), by largest remainders, so the parts add up to exactly ``total``."""
    step = Fraction(1, 2) if Fraction(total) * 2 == int(Fraction(total) * 2) else Fraction(1, 100)
    units = int(Fraction(total) / step)
    exact = [Fraction(w) / Fraction(sum(weights)) * units for w in weights]
    floors = [int(e) for e in exact]
    order = sorted(range(len(weights)), key=lambda i: (exact[i] - floors[i], -i), reverse=True)
    for i in order[: units - sum(floors)]:
        floors[i] += 1
    return [float(f * step) for f in floors]


def apply_scoring(
    problem: Problem,
    *,
    ask_points: Mapping[str, float] | None = None,
    total: float | None = None,
    ecf: float | Mapping[str, float] | None = None,
) -> Problem:
    """The problem with the spec's points and credit factors applied to its parts."""
    ask_points = ask_points or {}
    weights = [float(ask_points.get(p.ask, p.points if p.points is not None else default_points(p.ask))) for p in problem.parts]
    if total is not None:
        weights = scaled(weights, total)
    parts = []
    for part, points in zip(problem.parts, weights):
        credit = part.ecf_credit
        if isinstance(ecf, Mapping):
            credit = float(ecf.get(part.ask, credit))
        elif ecf is not None:
            credit = float(ecf)
        parts.append(replace(part, points=points, ecf_credit=credit))
    return replace(problem, parts=tuple(parts))
