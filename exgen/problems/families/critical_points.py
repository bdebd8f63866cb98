"""One-variable critical points: solve f′(x) = 0, classify each point, find the global minimum.

Built backwards: choose the critical points (integers) and their multiplicities first, set
f′(x) = k·∏(x − rᵢ)^mᵢ with k clearing denominators, and integrate. A double root is a point
where f′ = 0 but f has no extremum (f′ = 0 is necessary, not sufficient).
"""

from __future__ import annotations

import math
import random
from fractions import Fraction
from functools import reduce

import sympy

from exgen.problems.base import Family, RejectVariant, family, sstr
from exgen.problems.model import Math, Mistake, Part, Step, Text, text

x = sympy.Symbol("x")
LABELS = ("minimum", "maximum", "neither")


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


def _poly_expr(coefficients: list[Fraction]) -> sympy.Expr:
    return sympy.Add(*[sympy.Rational(c.numerator, c.denominator) * x**k for k, c in enumerate(coefficients) if c])


def _classification(derivative: list[Fraction], root: int) -> tuple[str, int, int]:
    """First-derivative test: the sign of f′ just left and right of the root."""
    half = Fraction(1, 2)
    left = _sign(_poly_value(derivative, root - half))
    right = _sign(_poly_value(derivative, root + half))
    if left < 0 < right:
        return "minimum", left, right
    if left > 0 > right:
        return "maximum", left, right
    return "neither", left, right


def _sign(value: Fraction) -> int:
    return 1 if value > 0 else -1 if value < 0 else 0


@family(
    "critical_points",
    title="families.critical_points.title",
    summary="families.critical_points.summary",
    asks=("derivative", "critical_points", "classify", "global_minimum"),
)
class CriticalPoints(Family):
    def build(self, rng: random.Random, difficulty: int) -> tuple[Text, dict[str, str], list[Part]]:
        count = {1: 2, 2: 3, 3: rng.choice([3, 4])}[difficulty]
        roots = sorted(rng.sample(range(-3, 4), count))
        multiplicities = [1] * count
        if difficulty >= 2 and rng.random() < 0.6:
            multiplicities[rng.randrange(count)] = 2  # a stationary point that is not an extremum
        sign = rng.choice([-1, 1])
        # Work with exact coefficient lists (fast); build sympy expressions once at the end.
        monic = [Fraction(1)]
        for root, multiplicity in zip(roots, multiplicities):
            for _ in range(multiplicity):
                monic = _poly_mul(monic, [Fraction(-root), Fraction(1)])
        antiderivative = [Fraction(0)] + [c / (k + 1) for k, c in enumerate(monic)]
        k = sign * reduce(math.lcm, [c.denominator for c in antiderivative], 1)
        if abs(k) > 60:
            raise RejectVariant("coefficients too large")
        constant = rng.randint(-5, 5)
        f_coefficients = [k * c for c in antiderivative]
        f_coefficients[0] += constant
        df_coefficients = [k * c for c in monic]
        f = _poly_expr(f_coefficients)
        df = _poly_expr(df_coefficients)
        factored = k * reduce(lambda acc, rm: acc * (x - rm[0]) ** rm[1], zip(roots, multiplicities), sympy.Integer(1))
        points = tuple((sympy.Integer(r),) for r in roots)

        parts = [
            Part(
                id="a", prompt=text("problems.critical_points.prompt_derivative"), kind="expression", answer=df,
                ask="derivative", args={"f": "f", "var": "x"}, variables=("x",),
                steps=(Step(text("steps.differentiate"), df),),
                mistakes=(Mistake("power_not_lowered", text("mistakes.power_not_lowered"), _poly_expr([Fraction(0)] + df_coefficients)),),
            )
        ]
        point_mistakes = [Mistake("roots_sign", text("mistakes.roots_sign"), tuple((-p[0],) for p in points))]
        if 0 in roots:
            point_mistakes.append(Mistake("lost_root_zero", text("mistakes.lost_root_zero"), tuple(p for p in points if p[0] != 0)))
        if 2 in multiplicities:
            point_mistakes.append(
                Mistake("lost_double_root", text("mistakes.lost_double_root"), tuple(p for p, m in zip(points, multiplicities) if m == 1))
            )
        parts.append(
            Part(
                id="b", prompt=text("problems.critical_points.prompt_points"), kind="points", answer=points,
                ask="critical_points", args={"f": "f", "vars": ["x"]}, variables=("x",),
                steps=(Step(text("steps.factor_derivative", factored=Math(sympy.Eq(sympy.Function("f'")(x), factored, evaluate=False)))),
                       Step(text("steps.solve_zero"), points)),
                mistakes=tuple(point_mistakes), depends_on=("a",), nice="integer",
            )
        )
        letters = "cdefgh"
        second = [c * i for i, c in enumerate(df_coefficients)][1:]
        local_minima = []
        for index, root in enumerate(roots):
            label, left, right = _classification(df_coefficients, root)
            if label == "minimum":
                local_minima.append(root)
            value = _poly_value(second, Fraction(root))
            curvature = sympy.Rational(value.numerator, value.denominator)
            at = Math(sympy.Eq(x, root, evaluate=False))
            wrong = {"minimum": "maximum", "maximum": "minimum", "neither": "minimum"}[label]
            mistakes = [Mistake("classify_reversed" if label != "neither" else "necessary_not_sufficient",
                                text("mistakes.classify_reversed" if label != "neither" else "mistakes.necessary_not_sufficient"), wrong)]
            if label == "neither":
                mistakes.append(Mistake("necessary_not_sufficient", text("mistakes.necessary_not_sufficient"), "maximum"))
            parts.append(
                Part(
                    id=letters[index], prompt=text("problems.critical_points.prompt_classify", at=at), kind="label",
                    answer=label, ask="classify", args={"f": "f", "vars": ["x"], "point": [sstr(root)]},
                    variables=("x",), choices=LABELS,
                    steps=(Step(text(f"steps.sign_change.{label}", at=at, left=_sign_word(left), right=_sign_word(right),
                                     second=Math(curvature))), Step(text("steps.conclude"), label)),
                    mistakes=tuple(mistakes), depends_on=("b",),
                )
            )
        if (len(f_coefficients) - 1) % 2 == 0 and k > 0 and len(local_minima) >= 1:
            values = {r: sympy.Rational(_poly_value(f_coefficients, Fraction(r)).numerator, _poly_value(f_coefficients, Fraction(r)).denominator) for r in local_minima}
            lowest = min(values.values())
            best = [r for r, v in values.items() if v == lowest]
            if len(best) != 1:
                raise RejectVariant("two equally low minima")
            others = [r for r in local_minima if r != best[0]]
            mistakes = [Mistake("other_minimum", text("mistakes.other_minimum"), ((sympy.Integer(r),),)) for r in others[:1]]
            mistakes.append(Mistake("lowest_root", text("mistakes.lowest_root"), ((sympy.Integer(min(roots)),),)))
            parts.append(
                Part(
                    id=letters[len(roots)], prompt=text("problems.critical_points.prompt_global"), kind="points",
                    answer=((sympy.Integer(best[0]),),), ask="global_minimum", args={"f": "f", "var": "x"}, variables=("x",),
                    steps=(Step(text("steps.compare_minima", values=Math(tuple(sympy.Eq(sympy.Function("f")(sympy.Integer(r)), v, evaluate=False) for r, v in values.items())))),
                           Step(text("steps.conclude"), ((sympy.Integer(best[0]),),))),
                    mistakes=tuple(mistakes), depends_on=("b",), nice="integer",
                )
            )
        statement = text("problems.critical_points.statement", f=Math(sympy.Eq(sympy.Function("f")(x), f, evaluate=False)))
        return statement, {"f": sstr(f)}, parts


def _sign_word(sign: int) -> Text:
    return text("words.positive" if sign > 0 else "words.negative" if sign < 0 else "words.zero")
