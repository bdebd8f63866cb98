"""Two-variable critical points and the second-derivative (Hessian) test.

Built backwards from the critical points and their types:

* difficulty 1: a quadratic a(x−p)² + b(x−p)(y−q) + c(y−q)² + d with one critical point whose
  type follows from D = 4ac − b² (never 0);
* difficulty 2: P(x) + Q(y) with P′ = α(x−r₁)(x−r₂) and Q quadratic: a saddle and an extremum;
* difficulty 3: P(x) + Q(y) with two roots each (a minimum, a maximum and two saddles: all three
  kinds), or the coupled x³ + y³ − 3kxy (a saddle and an extremum).
"""

from __future__ import annotations

import random

import sympy

from exgen.problems.base import Family, RejectVariant, family, nonzero, sstr
from exgen.problems.calculus import d
from exgen.problems.model import Math, Mistake, Part, Step, Text, text

x, y = sympy.symbols("x y")
LABELS = ("minimum", "maximum", "saddle")


def _cubic_with_critical_points(rng: random.Random, var: sympy.Symbol, roots: list[int]) -> sympy.Expr:
    """P with P′ = α(var − r₁)(var − r₂), α a multiple of 6 so P has integer coefficients."""
    alpha = rng.choice([-6, 6])
    r1, r2 = roots
    return sympy.expand(alpha * (var**3 / 3 - sympy.Rational(r1 + r2, 2) * var**2 + r1 * r2 * var))


def _quadratic_with_minimum(rng: random.Random, var: sympy.Symbol, root: int, sign: int) -> sympy.Expr:
    return sympy.expand(sign * rng.randint(1, 3) * (var - root) ** 2)


def _classify(fxx: sympy.Expr, fyy: sympy.Expr, fxy: sympy.Expr) -> str:
    determinant = fxx * fyy - fxy**2
    if determinant == 0:
        raise RejectVariant("degenerate Hessian")
    if determinant < 0:
        return "saddle"
    return "minimum" if fxx > 0 else "maximum"


@family(
    "hessian",
    title="families.hessian.title",
    summary="families.hessian.summary",
    asks=("gradient", "critical_points", "classify", "hessian_determinant"),
)
class Hessian(Family):
    def build(self, rng: random.Random, difficulty: int) -> tuple[Text, dict[str, str], list[Part]]:
        if difficulty == 1:
            p, q = rng.randint(-3, 3), rng.randint(-3, 3)
            a, b, c = nonzero(rng, -3, 3), rng.randint(-4, 4), nonzero(rng, -3, 3)
            if 4 * a * c - b * b == 0:
                raise RejectVariant("degenerate")
            f = sympy.expand(a * (x - p) ** 2 + b * (x - p) * (y - q) + c * (y - q) ** 2 + rng.randint(-5, 5))
            chosen = [(p, q)]
        elif difficulty == 2:
            xs = sorted(rng.sample(range(-3, 4), 2))
            s = rng.randint(-3, 3)
            f = _cubic_with_critical_points(rng, x, xs) + _quadratic_with_minimum(rng, y, s, rng.choice([-1, 1])) + rng.randint(-5, 5)
            chosen = [(r, s) for r in xs]
        elif rng.random() < 0.7:
            xs, ys = sorted(rng.sample(range(-3, 4), 2)), sorted(rng.sample(range(-3, 4), 2))
            f = _cubic_with_critical_points(rng, x, xs) + _cubic_with_critical_points(rng, y, ys)
            chosen = [(r, s) for r in xs for s in ys]
        else:
            k = nonzero(rng, -3, 3)
            f = x**3 + y**3 - 3 * k * x * y  # critical points (0, 0) and (k, k)
            chosen = [(0, 0), (k, k)]
        fx, fy = d(f, x), d(f, y)
        fxx, fyy, fxy = d(f, x, 2), d(f, y, 2), d(f, x, y)
        points = tuple(sorted((sympy.Integer(a), sympy.Integer(b)) for a, b in chosen))
        gradient = (fx, fy)
        parts = [
            Part(
                id="a", prompt=text("problems.hessian.prompt_gradient"), kind="vector", answer=gradient,
                ask="gradient", args={"f": "f", "vars": ["x", "y"]}, variables=("x", "y"),
                steps=(Step(text("steps.gradient_collect"), gradient),),
                mistakes=(Mistake("gradient_order", text("mistakes.gradient_order"), (fy, fx)),),
            )
        ]
        point_mistakes = [Mistake("hessian_one_equation", text("mistakes.hessian_one_equation"),
                                  tuple(p for p in points if p[1] == points[0][1]))] if len(points) > 1 else []
        parts.append(
            Part(
                id="b", prompt=text("problems.hessian.prompt_points"), kind="points", answer=points,
                ask="critical_points", args={"f": "f", "vars": ["x", "y"]}, variables=("x", "y"),
                steps=(Step(text("steps.solve_gradient", fx=Math(sympy.Eq(fx, 0, evaluate=False)), fy=Math(sympy.Eq(fy, 0, evaluate=False)))),
                       Step(text("steps.conclude"), points)),
                mistakes=tuple(point_mistakes), depends_on=("a",), nice="integer",
            )
        )
        letters = iter("cdefgh")
        kinds = []
        for point in points:
            at = dict(zip((x, y), point))
            a_, b_, c_ = fxx.xreplace(at), fyy.xreplace(at), fxy.xreplace(at)
            label = _classify(a_, b_, c_)
            kinds.append(label)
            determinant = a_ * b_ - c_**2
            mistakes = []
            wrong_sign = a_ * b_ + c_**2  # the Hessian test with +f_xy² instead of −f_xy²
            if c_ != 0 and (wrong_sign > 0) != (determinant > 0):
                mistakes.append(Mistake("hessian_sign", text("mistakes.hessian_sign"), "minimum" if a_ > 0 else "maximum"))
            if label in ("minimum", "maximum"):
                mistakes.append(Mistake("classify_reversed", text("mistakes.hessian_reversed"), "maximum" if label == "minimum" else "minimum"))
            else:
                mistakes.append(Mistake("saddle_as_extremum", text("mistakes.saddle_as_extremum"), "minimum" if a_ > 0 else "maximum"))
            point_math = Math(point)
            parts.append(
                Part(
                    id=next(letters), prompt=text("problems.hessian.prompt_classify", point=point_math), kind="label",
                    answer=label, ask="classify", args={"f": "f", "vars": ["x", "y"], "point": [sstr(c) for c in point]},
                    variables=("x", "y"), choices=LABELS,
                    steps=(Step(text("steps.hessian_values", point=point_math, fxx=Math(a_), fyy=Math(b_), fxy=Math(c_), D=Math(determinant))),
                           Step(text(f"steps.hessian_rule.{label}"), label)),
                    mistakes=tuple(mistakes), depends_on=("b",),
                )
            )
        if difficulty == 3 and len(set(kinds)) < 2:
            raise RejectVariant("all points of one kind")
        statement = text("problems.hessian.statement", f=Math(sympy.Eq(sympy.Function("f")(x, y), f, evaluate=False)))
        return statement, {"f": sstr(f)}, parts
