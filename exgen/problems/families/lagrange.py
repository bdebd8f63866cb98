"""Lagrange multipliers: extremize f subject to g = c (two variables; three at difficulty 3).

Built backwards from the optimum: the candidate points are integers by construction.

* linear f on a circle (sphere): f = a·x with a a multiple of a Pythagorean vector, so the
  candidates ±t·a/|a| are integer points; λ = ±|a|/(2r);
* xy on a line ax + by = c with c = 2abt: the single candidate (bt, at), a maximum;
* x² + y² on a line ax + by = c with c = t(a² + b²): the nearest point t(a, b), a minimum.
"""

from __future__ import annotations

import random

import sympy

from exgen.problems.base import Family, family, nonzero, sstr
from exgen.problems.calculus import d
from exgen.problems.model import Math, Mistake, Part, Step, Text, text

X, Y, Z = sympy.symbols("x y z")
LAMBDA = sympy.Symbol("lambda")
TRIPLES = [(3, 4, 5), (5, 12, 13), (8, 15, 17), (7, 24, 25), (20, 21, 29)]
QUADRUPLES = [(1, 2, 2, 3), (2, 3, 6, 7), (1, 4, 8, 9), (2, 6, 9, 11), (4, 4, 7, 9)]


def _signed(rng: random.Random, values: tuple[int, ...]) -> list[int]:
    out = [v * rng.choice([-1, 1]) for v in values]
    rng.shuffle(out)
    return out


@family(
    "lagrange",
    title="families.lagrange.title",
    summary="families.lagrange.summary",
    asks=("lagrange_points", "lagrange_multiplier", "lagrange_extreme_value", "lagrange_extreme_point"),
)
class Lagrange(Family):
    def build(self, rng: random.Random, difficulty: int) -> tuple[Text, dict[str, str], list[Part]]:
        variant = "sphere" if difficulty == 3 else rng.choice(
            {1: ["product_on_line", "distance_to_line"], 2: ["linear_on_circle", "linear_on_circle", "distance_to_line"]}[difficulty]
        )
        t = rng.choice([1, 2, 3, 4])
        if variant in ("linear_on_circle", "sphere"):
            if variant == "sphere":
                *direction, norm = rng.choice(QUADRUPLES)
                variables = [X, Y, Z]
            else:
                p, q, norm = rng.choice(TRIPLES[:3] if difficulty == 1 else TRIPLES)
                direction = [p, q]
                variables = [X, Y]
            direction = _signed(rng, tuple(direction))
            scale = rng.choice([1, 2])
            coefficients = [scale * d for d in direction]
            r = norm * t
            f = sympy.Add(*[c * v for c, v in zip(coefficients, variables)])
            g = sympy.Add(*[v**2 for v in variables])
            c = r**2
            best = tuple(sympy.Integer(t * d) for d in direction)
            worst = tuple(-v for v in best)
            candidates = tuple(sorted([best, worst]))
            lam_best = sympy.Rational(scale * norm, 2 * r)  # ∇f = λ∇g at the maximum
            extremes = {"max": (best, f.xreplace(dict(zip(variables, best)))), "min": (worst, f.xreplace(dict(zip(variables, worst))))}
        elif variant == "product_on_line":
            a, b = rng.choice([1, 2, 3, 4]), rng.choice([1, 2, 3, 4])
            variables = [X, Y]
            f = X * Y
            g = a * X + b * Y
            c = 2 * a * b * t
            best = (sympy.Integer(b * t), sympy.Integer(a * t))
            candidates = (best,)
            lam_best = sympy.Integer(t)  # y = λa, x = λb
            extremes = {"max": (best, f.xreplace({X: best[0], Y: best[1]}))}
        else:  # distance_to_line
            a, b = nonzero(rng, -4, 4), nonzero(rng, -4, 4)
            variables = [X, Y]
            f = X**2 + Y**2
            g = a * X + b * Y
            c = t * (a * a + b * b)
            best = (sympy.Integer(t * a), sympy.Integer(t * b))
            candidates = (best,)
            lam_best = sympy.Integer(2 * t)  # 2x = λa
            extremes = {"min": (best, f.xreplace({X: best[0], Y: best[1]}))}
        names = [str(v) for v in variables]
        base_args = {"f": "f", "g": "g", "c": sstr(c), "vars": names}
        constraint = Math(sympy.Eq(g, c, evaluate=False))
        grad_f = tuple(d(f, v) for v in variables)
        grad_g = tuple(d(g, v) for v in variables)
        system = tuple(sympy.Eq(df, LAMBDA * dg, evaluate=False) for df, dg in zip(grad_f, grad_g)) + (sympy.Eq(g, c, evaluate=False),)

        parts: list[Part] = []
        point_mistakes = []
        if len(candidates) > 1:
            point_mistakes.append(Mistake("lagrange_one_sign", text("mistakes.lagrange_one_sign"), (best,)))
        unconstrained = _unconstrained(f, variables)
        if unconstrained is not None and unconstrained != candidates:
            point_mistakes.append(Mistake("lagrange_no_constraint", text("mistakes.lagrange_no_constraint"), unconstrained))
        parts.append(
            Part(
                id="a", prompt=text("problems.lagrange.prompt_points"), kind="points", answer=candidates,
                ask="lagrange_points", args=base_args, variables=tuple(names),
                steps=(Step(text("steps.lagrange_system", system=Math(system, display=True))),
                       Step(text(f"steps.lagrange_solve.{variant}", t=Math(sympy.Integer(t))), candidates)),
                mistakes=tuple(point_mistakes), nice="integer",
            )
        )
        best_point = extremes["max"][0] if "max" in extremes else extremes["min"][0]
        parts.append(
            Part(
                id="b", prompt=text("problems.lagrange.prompt_lambda", point=Math(best_point)), kind="number", answer=lam_best,
                ask="lagrange_multiplier", args={**base_args, "point": [sstr(v) for v in best_point]},
                steps=(Step(text("steps.lagrange_lambda", equation=Math(sympy.Eq(grad_f[0].xreplace(dict(zip(variables, best_point))), LAMBDA * grad_g[0].xreplace(dict(zip(variables, best_point))), evaluate=False)))),
                       Step(text("steps.conclude"), lam_best)),
                mistakes=(Mistake("lambda_sign", text("mistakes.lambda_sign"), -lam_best), Mistake("lambda_inverse", text("mistakes.lambda_inverse"), 1 / lam_best)),
                depends_on=("a",), nice="rational",
            )
        )
        letters = iter("cdef")
        for which in ("max", "min"):
            if which not in extremes:
                continue
            point, value = extremes[which]
            other = "min" if which == "max" else "max"
            wrong_value = [Mistake("extremes_swapped", text("mistakes.extremes_swapped"), extremes[other][1])] if other in extremes else []
            wrong_value.append(Mistake("constraint_value", text("mistakes.constraint_value"), sympy.Integer(c)))
            parts.append(
                Part(
                    id=next(letters), prompt=text(f"problems.lagrange.prompt_{which}_value"), kind="number", answer=value,
                    ask="lagrange_extreme_value", args={**base_args, "which": which},
                    steps=(Step(text("steps.lagrange_evaluate", values=Math(tuple(sympy.Eq(sympy.Function("f")(*p), f.xreplace(dict(zip(variables, p))), evaluate=False) for p in candidates)))),
                           Step(text("steps.conclude"), value)),
                    mistakes=tuple(wrong_value), depends_on=("a",), nice="integer",
                )
            )
        if len(extremes) == 2:
            parts.append(
                Part(
                    id=next(letters), prompt=text("problems.lagrange.prompt_max_point"), kind="points", answer=(extremes["max"][0],),
                    ask="lagrange_extreme_point", args={**base_args, "which": "max"}, variables=tuple(names),
                    steps=(Step(text("steps.conclude"), (extremes["max"][0],)),),
                    mistakes=(Mistake("extremes_swapped", text("mistakes.extremes_swapped"), (extremes["min"][0],)),),
                    depends_on=("a",), nice="integer",
                )
            )
        kind = {"product_on_line": "maximize", "distance_to_line": "minimize"}.get(variant, "extremize")
        statement = text(f"problems.lagrange.statement_{kind}", f=Math(f), constraint=constraint)
        return statement, {"f": sstr(f), "g": sstr(g), "c": sstr(c)}, parts


def _unconstrained(f: sympy.Expr, variables: list[sympy.Symbol]) -> tuple[tuple[sympy.Expr, ...], ...] | None:
    """What ∇f = 0 alone gives (the 'forgot the constraint' slip), when it is a finite set.

    The objectives here are linear (no critical point), xy or x² + y² (only the origin).
    """
    gradient = [d(f, v) for v in variables]
    if all(g.is_number for g in gradient):
        return () if any(g != 0 for g in gradient) else None  # linear f: no critical point at all
    return (tuple(sympy.Integer(0) for _ in variables),)
