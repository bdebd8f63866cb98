"""One-variable critical points: f′, every critical point with its type, and a value of f.

Built backwards: choose the critical points (integers) and their multiplicities first, set
f′(x) = k·∏(x − rᵢ)^mᵢ with k clearing denominators, and integrate. A double root is a point
where f′ = 0 but f has no extremum (f′ = 0 is necessary, not sufficient).

Every version of one difficulty asks the same three parts:

* d1: two simple critical points (a minimum and a maximum); (c) the local minimum value;
* d2: two simple points and one double point (neither); (c) the local minimum value;
* d3: three simple points and one double point, f of even degree with f → +∞: two local
  minima, a maximum and a point that is neither; (c) where f attains its global minimum.

The critical points are asked for together with their types, so no later prompt names them.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from fractions import Fraction
from functools import reduce
from typing import Any

import sympy

from exgen.problems.base import Family, RejectVariant, family, sstr
from exgen.problems.figures import Figure, Mark
from exgen.problems.model import Math, Mistake, Part, Problem, Step, Text, text
from exgen.problems.steps import call, equation, power_rule_terms, substituted

x = sympy.Symbol("x")
f_of = sympy.Function("f")
df_of = sympy.Function("f'")
LABELS = ("minimum", "maximum", "neither")
MAX_COEFFICIENT = 400


def _poly_mul(a: list[Fraction], b: list[Fraction]) -> list[Fraction]:
    """Product of coefficient lists (lowest degree first)."""
    out = [Fraction(0)] * (len(a) + len(b) - 1)
    for i, p in enumerate(a):
        for j, q in enumerate(b):
            out[i + j] += p * q
    return out


def _poly_value(coefficients: list[Fraction], at: Fraction) -> Fraction:
    value = Fraction(0)
    for c in reversed(coefficients):
        value = value * at + c
    return value


def _rational(value: Fraction) -> sympy.Rational:
    return sympy.Rational(value.numerator, value.denominator)


def _poly_expr(coefficients: list[Fraction]) -> sympy.Expr:
    return sympy.Add(*[_rational(c) * x**k for k, c in enumerate(coefficients) if c])


def _sign(value: Fraction) -> int:
    return 1 if value > 0 else -1 if value < 0 else 0


def _sign_word(sign: int) -> Text:
    return text("words.positive" if sign > 0 else "words.negative")


def _test_points(roots: list[int]) -> list[Fraction]:
    """One test value left of, between and right of the critical points (whole numbers where
    there is room, else the midpoint)."""
    tests = [Fraction(roots[0] - 1)]
    for left, right in zip(roots, roots[1:]):
        tests.append(Fraction(left + 1) if right - left > 1 else Fraction(left + right, 2))
    tests.append(Fraction(roots[-1] + 1))
    return tests


LAYOUTS = {1: (2, 0), 2: (2, 1), 3: (3, 1)}  # (simple critical points, double ones) by difficulty


@family(
    "critical_points",
    title="families.critical_points.title",
    summary="families.critical_points.summary",
    asks=("derivative", "classified_critical_points", "local_extreme_value", "global_minimum"),
)
class CriticalPoints(Family):
    def figure(self, problem: Problem) -> Figure:
        return figure(problem)

    def build(self, rng: random.Random, difficulty: int) -> tuple[Text, dict[str, str], list[Part]]:
        simple, double = LAYOUTS[difficulty]
        roots = sorted(rng.sample(range(-3, 4), simple + double))
        doubles = set(rng.sample(roots, double))
        multiplicities = [2 if r in doubles else 1 for r in roots]
        # d3: even degree with a positive leading coefficient, so a global minimum exists
        sign = 1 if difficulty == 3 else rng.choice([-1, 1])
        monic = [Fraction(1)]
        for root, multiplicity in zip(roots, multiplicities):
            for _ in range(multiplicity):
                monic = _poly_mul(monic, [Fraction(-root), Fraction(1)])
        antiderivative = [Fraction(0)] + [c / (k + 1) for k, c in enumerate(monic)]
        k = sign * reduce(math.lcm, [c.denominator for c in antiderivative], 1)
        constant = rng.randint(-5, 5)
        f_coefficients = [k * c for c in antiderivative]
        f_coefficients[0] += constant
        if max(abs(c) for c in f_coefficients) > MAX_COEFFICIENT:
            raise RejectVariant("coefficients too large")
        df_coefficients = [k * c for c in monic]
        f, df = _poly_expr(f_coefficients), _poly_expr(df_coefficients)
        factored = sympy.Mul(k, *[(x - r) ** m for r, m in zip(roots, multiplicities)], evaluate=False)

        labels = []
        for root in roots:
            left = _sign(_poly_value(df_coefficients, Fraction(root) - Fraction(1, 2)))
            right = _sign(_poly_value(df_coefficients, Fraction(root) + Fraction(1, 2)))
            labels.append("minimum" if left < 0 < right else "maximum" if left > 0 > right else "neither")
        classified = tuple(((sympy.Integer(r),), label) for r, label in zip(roots, labels))
        values = {r: _rational(_poly_value(f_coefficients, Fraction(r))) for r in roots}

        parts = [self._derivative(f, df, f_coefficients, df_coefficients, constant)]
        parts.append(self._classified(roots, multiplicities, labels, classified, df, df_coefficients, factored))
        if difficulty < 3:
            parts.append(self._minimum_value(f, roots, labels, values))
        else:
            parts.append(self._global_minimum(roots, labels, values))
        statement = text("problems.critical_points.statement", f=Math(sympy.Eq(f_of(x), f, evaluate=False)))
        return statement, {"f": sstr(f)}, parts

    @staticmethod
    def _derivative(f: sympy.Expr, df: sympy.Expr, f_coefficients: list[Fraction], df_coefficients: list[Fraction], constant: int) -> Part:
        term_by_term = power_rule_terms(f_coefficients)
        mistakes = [Mistake("power_not_lowered", text("mistakes.power_not_lowered"), _poly_expr([Fraction(0)] + df_coefficients))]
        if constant:
            mistakes.append(Mistake("constant_kept", text("mistakes.constant_kept", c=Math(sympy.Integer(constant))), df + constant))
        mistakes.append(Mistake("coefficient_dropped", text("mistakes.coefficient_dropped"),
                                _poly_expr([c / k if k else c for k, c in enumerate(df_coefficients, start=1)])))
        return Part(
            id="a", prompt=text("problems.critical_points.prompt_derivative"), kind="expression", answer=df,
            ask="derivative", args={"f": "f", "var": "x"}, variables=("x",),
            steps=(Step(text("steps.power_rule_terms"), term_by_term), Step(text("steps.simplify"), df)),
            mistakes=tuple(mistakes),
        )

    @staticmethod
    def _classified(
        roots: list[int], multiplicities: list[int], labels: list[str], classified: tuple, df: sympy.Expr,
        df_coefficients: list[Fraction], factored: sympy.Expr,
    ) -> Part:
        zeros = [sympy.Eq(x, r, evaluate=False) for r in roots]
        steps = [
            Step(text("steps.factor_derivative", factored=Math(sympy.Eq(df_of(x), factored, evaluate=False)))),
            Step(text("steps.critical_zeros", points=Math(zeros))),
        ]
        tests = _test_points(roots)
        signs = [_sign(_poly_value(df_coefficients, t)) for t in tests]
        for index, test in enumerate(tests):
            value = _rational(_poly_value(df_coefficients, test))
            work = equation(call("f'", _rational(test)), substituted(factored, {"x": _rational(test)}), value)
            params = {"work": Math(work), "sign": _sign_word(signs[index])}
            if index == 0:
                steps.append(Step(text("steps.sign_before", b=Math(sympy.Integer(roots[0])), **params)))
            elif index == len(tests) - 1:
                steps.append(Step(text("steps.sign_after", a=Math(sympy.Integer(roots[-1])), **params)))
            else:
                steps.append(Step(text("steps.sign_between", a=Math(sympy.Integer(roots[index - 1])), b=Math(sympy.Integer(roots[index])), **params)))
        for index, (root, label) in enumerate(zip(roots, labels)):
            at = Math(sympy.Eq(x, root, evaluate=False))
            steps.append(Step(text(f"steps.sign_change.{label}", at=at, left=_sign_word(signs[index]), right=_sign_word(signs[index + 1]))))
        steps.append(Step(text("steps.conclude"), classified))

        swapped = {"minimum": "maximum", "maximum": "minimum", "neither": "neither"}
        mistakes = [Mistake("classify_reversed", text("mistakes.classify_reversed"),
                            tuple((p, swapped[label]) for p, label in classified))]
        for root, multiplicity in zip(roots, multiplicities):
            if multiplicity == 2:
                at = Math(sympy.Eq(x, root, evaluate=False))
                for wrong in ("minimum", "maximum"):
                    mistakes.append(Mistake("necessary_not_sufficient", text("mistakes.necessary_not_sufficient", at=at),
                                            tuple((p, wrong if p[0] == root else label) for p, label in classified)))
                mistakes.append(Mistake("lost_double_root", text("mistakes.lost_double_root", at=at),
                                        tuple((p, label) for p, label in classified if p[0] != root)))
        mistakes.append(Mistake("roots_sign", text("mistakes.roots_sign"), tuple(((-p[0],), label) for p, label in classified)))
        if 0 in roots:
            mistakes.append(Mistake("lost_root_zero", text("mistakes.lost_root_zero"), tuple((p, label) for p, label in classified if p[0] != 0)))
        return Part(
            id="b", prompt=text("problems.critical_points.prompt_classified"), kind="classified_points", answer=classified,
            ask="classified_critical_points", args={"f": "f", "vars": ["x"]}, variables=("x",), choices=LABELS,
            steps=tuple(steps), mistakes=tuple(mistakes), depends_on=("a",), nice="integer",
        )

    @staticmethod
    def _minimum_value(f: sympy.Expr, roots: list[int], labels: list[str], values: dict[int, sympy.Expr]) -> Part:
        (where,) = [r for r, label in zip(roots, labels) if label == "minimum"]
        (highest,) = [r for r, label in zip(roots, labels) if label == "maximum"]
        at = Math(sympy.Eq(x, where, evaluate=False))
        work = substituted(f, {"x": sympy.Integer(where)})
        return Part(
            id="c", prompt=text("problems.critical_points.prompt_min_value"), kind="number", answer=values[where],
            ask="local_extreme_value", args={"f": "f", "vars": ["x"], "which": "minimum"},
            steps=(Step(text("steps.minimum_at", at=at)), Step(text("steps.substitute_into_f", at=at), work), Step(text("steps.conclude"), values[where])),
            mistakes=(
                Mistake("maximum_value", text("mistakes.maximum_value"), values[highest]),
                Mistake("point_not_value", text("mistakes.point_not_value", at=at), sympy.Integer(where)),
            ),
            depends_on=("b",), nice="integer",
        )

    @staticmethod
    def _global_minimum(roots: list[int], labels: list[str], values: dict[int, sympy.Expr]) -> Part:
        minima = [r for r, label in zip(roots, labels) if label == "minimum"]
        lowest = min(values[r] for r in minima)
        best = [r for r in minima if values[r] == lowest]
        if len(best) != 1:
            raise RejectVariant("two equally low minima")
        others = [r for r in minima if r != best[0]]
        answer = ((sympy.Integer(best[0]),),)
        comparison = [sympy.Eq(f_of(sympy.Integer(r)), values[r], evaluate=False) for r in minima]
        mistakes = [Mistake("other_minimum", text("mistakes.other_minimum"), ((sympy.Integer(r),),)) for r in others]
        mistakes.append(Mistake("lowest_root", text("mistakes.lowest_root"), ((sympy.Integer(min(roots)),),)))
        (neither,) = [r for r, label in zip(roots, labels) if label == "neither"]
        mistakes.append(Mistake("global_at_neither", text("mistakes.global_at_neither"), ((sympy.Integer(neither),),)))
        return Part(
            id="c", prompt=text("problems.critical_points.prompt_global"), kind="points", answer=answer,
            ask="global_minimum", args={"f": "f", "var": "x"}, variables=("x",),
            steps=(Step(text("steps.compare_minima", values=Math(comparison))), Step(text("steps.conclude"), answer)),
            mistakes=tuple(mistakes), depends_on=("b",), nice="integer",
        )


def figure(problem: Problem) -> Figure:
    """The graph of f over a window that shows every critical point, each marked with its type
    (the point where f′ = 0 but f keeps going is the lesson: it is marked 'neither'). Where one
    value dwarfs the others, so that nearby turns would look flat, a second panel enlarges them
    (and a third, where the second still flattens a smaller turn)."""
    from exgen.problems.figures import Mark, given, graph_window, marked_points, numeric, sample_curve

    f = numeric(given(problem.givens["f"]), ("x",))  # a key, not student text
    classified = problem.parts[1].answer
    xs = [float(point[0]) for point, _ in classified]
    marks = tuple(Mark(at, float(f(at)), label) for at, (_, label) in zip(xs, classified))
    x_range, y_range = graph_window(xs, f)
    zoom = _zoom(f, marks, y_range, depth=2)
    description = text("figures.critical_points.description", points=marked_points(classified, "x"))
    for key, panel in (("figures.with_zoom", zoom), ("figures.with_zoom_again", zoom.zoom if zoom else None)):
        if panel is not None:
            description = text(key, figure=description, points=marked_points([c for c, m in zip(classified, marks) if m in panel.marks], "x"))
    return Figure(x_range, y_range, sample_curve(f, x_range, y_range), marks, zoom=zoom,
                  caption=text("figures.critical_points.caption"), sheet_caption=text("figures.critical_points.sheet_caption"),
                  sheet_description=text("figures.critical_points.sheet_description"), description=description)


def _zoom(f: Callable[[Any], Any], marks: tuple[Mark, ...], y_range: tuple[float, float], depth: int) -> Figure | None:
    """A panel that enlarges the critical points whose turns look flat at this scale, or None."""
    from exgen.problems.figures import graph_window, hidden_turns, sample_curve

    values = [m.y for m in marks]
    near = _zoomed([m.x for m in marks], values) if depth and hidden_turns(values, y_range) else None
    if near is None:
        return None
    first, last = near
    zoom_x, zoom_y = graph_window([m.x for m in marks[first:last + 1]], f, min_span=1.0)
    inside = tuple(m for m in marks if zoom_x[0] < m.x < zoom_x[1] and zoom_y[0] < m.y < zoom_y[1])
    return Figure(zoom_x, zoom_y, sample_curve(f, zoom_x, zoom_y), inside, zoom=_zoom(f, inside, zoom_y, depth - 1))


def _zoomed(xs: list[float], values: list[float]) -> tuple[int, int] | None:
    """The longest run of neighbouring critical points (most points, then the narrowest) whose
    values lie within a quarter of the spread of all of them: the turns a zoom makes visible."""
    spread = max(values) - min(values)
    best: tuple[int, float, int, int] | None = None
    for first in range(len(xs)):
        for last in range(first + 1, len(xs)):
            if last - first + 1 == len(xs):
                continue
            run = values[first:last + 1]
            if max(run) - min(run) <= 0.25 * spread:
                candidate = (last - first + 1, -(xs[last] - xs[first]), first, last)
                best = max(best, candidate) if best else candidate
    return (best[2], best[3]) if best else None
