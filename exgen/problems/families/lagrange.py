"""Lagrange multipliers: extremize f subject to g = c (two variables; three at difficulty 3).

Every version of one difficulty asks the same parts, and no prompt names a candidate point:

* d1 — xy on a line ax + by = c (one candidate, the maximum) or x² + y² on a line (one
  candidate, the minimum): (a) the candidate with its type, (b) λ there, (c) the extreme value;
* d2 — a linear f on a circle; d3 — a linear f on a sphere (two candidates, the maximum and the
  minimum): (a) the candidates with their types, (b) λ at the maximum, (c) the maximum value,
  (d) the minimum value.

Built backwards from the optimum, so the candidates are integer points: a linear f = a·x with a
a multiple of a Pythagorean vector puts the candidates at ±t·a/|a|; xy on ax + by = 2abt has
its candidate at (bt, at); x² + y² on ax + by = t(a² + b²) at t(a, b). Variants where a named
slip would give the right answer are drawn again (λ = ±1, an extreme value equal to c).
"""

from __future__ import annotations

import random

import sympy

from exgen.problems.base import Family, RejectVariant, family, nonzero, sstr
from exgen.problems.calculus import d
from exgen.problems.figures import Figure
from exgen.problems.model import Math, Mistake, Part, Problem, Step, Text, text
from exgen.problems.steps import call, equation, substituted

X, Y, Z = sympy.symbols("x y z")
LAMBDA = sympy.Symbol("lambda")
TRIPLES = [(3, 4, 5), (5, 12, 13), (8, 15, 17), (7, 24, 25), (20, 21, 29)]
QUADRUPLES = [(1, 2, 2, 3), (2, 3, 6, 7), (1, 4, 8, 9), (2, 6, 9, 11), (4, 4, 7, 9)]
TYPES = ("maximum", "minimum")


def _signed(rng: random.Random, values: tuple[int, ...]) -> list[int]:
    out = [v * rng.choice([-1, 1]) for v in values]
    rng.shuffle(out)
    return out


def _eq(lhs: object, rhs: object) -> sympy.Eq:
    return sympy.Eq(lhs, rhs, evaluate=False)


@family(
    "lagrange",
    title="families.lagrange.title",
    summary="families.lagrange.summary",
    asks=("lagrange_classified", "lagrange_multiplier", "lagrange_extreme_value"),
)
class Lagrange(Family):
    def figure(self, problem: Problem) -> Figure | None:
        """Level curves of f, the constraint g = c (thick), the candidates marked as maximum and
        minimum, and at each ∇f (solid) and ∇g (dashed), parallel: the Lagrange condition. In the
        plane only: three variables get no picture."""
        from exgen.answers import nodes as n
        from exgen.problems.figures import (
            GRAPH_TOLERANCE,
            LevelSet,
            Mark,
            given,
            gradient,
            marked_points,
            numeric,
            scaled_arrow,
            square_window,
        )

        f_tree, g_tree, c_tree = (given(problem.givens[name]) for name in ("f", "g", "c"))  # keys, not student text
        if "z" in n.free_symbols(f_tree) | n.free_symbols(g_tree):
            return None
        c = float(numeric(c_tree, ())())
        classified = problem.parts[0].answer
        points = [(float(p[0]), float(p[1])) for p, _ in classified]
        f, g = numeric(f_tree, ("x", "y")), numeric(g_tree, ("x", "y"))
        scale = max(1.0, *(abs(v) for point in points for v in point))
        gradients = [[gradient(f, a, b, scale), gradient(g, a, b, scale)] for a, b in points]
        # room for the candidates, the origin (where the level curves of x² + y² centre) and the
        # gradients' arrows with their names: a first window sizes the arrows, a second holds them
        window = square_window(points + [(0.0, 0.0)], margin=0.2)
        for _ in range(2):
            width = window[0][1] - window[0][0]
            tips = [scaled_arrow(point, direction, 0.22 * width)[1] for point, pair in zip(points, gradients) for direction in pair]
            window = square_window(points + [(0.0, 0.0)] + tips, margin=0.12)
        width = window[0][1] - window[0][0]
        marks = tuple(Mark(a, b, label) for (a, b), (_, label) in zip(points, classified))
        through = [float(f(a, b)) for a, b in points]
        contours = LevelSet(f, window)
        levels = contours.curves([v for v in contours.levels((), count=9)[0]
                                  if all(abs(v - t) > 0.02 * (max(through) - min(through) or 1.0) for t in through)])
        arrows, dashed, notes = [], [], []
        for (a, b), (grad_f, grad_g) in zip(points, gradients):
            # ∇f from the point; ∇g beside it, shifted across, so two parallel arrows show
            start, end = scaled_arrow((a, b), grad_f, 0.16 * width)
            ux, uy = (end[0] - a) / (0.16 * width), (end[1] - b) / (0.16 * width)
            side = (-uy * 0.03 * width, ux * 0.03 * width)
            arrows.append((start, end))
            notes.append(((end[0] + 0.04 * width * ux - side[0], end[1] + 0.04 * width * uy - side[1]), "∇f"))
            g_start, g_end = scaled_arrow((a + side[0], b + side[1]), grad_g, 0.1 * width)
            dashed.append((g_start, g_end))
            gx, gy = (g_end[0] - g_start[0]) / (0.1 * width), (g_end[1] - g_start[1]) / (0.1 * width)
            notes.append(((g_end[0] + 0.04 * width * gx + side[0], g_end[1] + 0.04 * width * gy + side[1]), "∇g"))
        return Figure(*window, LevelSet(g, window, size=72).curves([c], GRAPH_TOLERANCE), marks, arrows=tuple(arrows), dashed_arrows=tuple(dashed),
                      notes=tuple(notes), levels=levels, touching=contours.curves(sorted(set(through))),
                      caption=text("figures.lagrange.caption"), sheet_caption=text("figures.lagrange.sheet_caption"),
                      sheet_description=text("figures.lagrange.sheet_description", constraint=Math(n.Eq(g_tree, c_tree))),
                      description=text("figures.lagrange.description", constraint=Math(n.Eq(g_tree, c_tree)),
                                       points=marked_points(classified)))

    def build(self, rng: random.Random, difficulty: int) -> tuple[Text, dict[str, str], list[Part]]:
        variant = {1: rng.choice(["product_on_line", "distance_to_line"]), 2: "linear_on_circle", 3: "sphere"}[difficulty]
        t = rng.choice([1, 2, 3, 4])
        if variant in ("linear_on_circle", "sphere"):
            if variant == "sphere":
                *direction, norm = rng.choice(QUADRUPLES)
                variables = [X, Y, Z]
            else:
                p, q, norm = rng.choice(TRIPLES)
                direction = [p, q]
                variables = [X, Y]
            direction = _signed(rng, tuple(direction))
            scale = rng.choice([1, 2])
            coefficients = [scale * k for k in direction]
            r = norm * t
            f = sympy.Add(*[c * v for c, v in zip(coefficients, variables)])
            g = sympy.Add(*[v**2 for v in variables])
            c = r**2
            best = tuple(sympy.Integer(t * k) for k in direction)
            worst = tuple(-v for v in best)
            lambdas = {best: sympy.Rational(scale * norm, 2 * r), worst: -sympy.Rational(scale * norm, 2 * r)}
            types = {best: "maximum", worst: "minimum"}
        elif variant == "product_on_line":
            a, b = rng.choice([1, 2, 3, 4]), rng.choice([1, 2, 3, 4])
            variables = [X, Y]
            f, g, c = X * Y, a * X + b * Y, 2 * a * b * t
            best = (sympy.Integer(b * t), sympy.Integer(a * t))
            lambdas, types = {best: sympy.Integer(t)}, {best: "maximum"}  # y = λa, x = λb
        else:  # distance_to_line
            a, b = nonzero(rng, -4, 4), nonzero(rng, -4, 4)
            variables = [X, Y]
            f, g, c = X**2 + Y**2, a * X + b * Y, t * (a * a + b * b)
            best = (sympy.Integer(t * a), sympy.Integer(t * b))
            lambdas, types = {best: sympy.Integer(2 * t)}, {best: "minimum"}  # 2x = λa
        names = [str(v) for v in variables]
        values = {point: f.xreplace(dict(zip(variables, point))) for point in types}
        if any(abs(lam) == 1 for lam in lambdas.values()):
            raise RejectVariant("λ = ±1: the slip 1/λ would give the right answer")
        if any(value == c for value in values.values()):
            raise RejectVariant("an extreme value equal to c: the slip 'the value is c' would be right")

        grad_f = tuple(d(f, v) for v in variables)
        grad_g = tuple(d(g, v) for v in variables)
        system = tuple(_eq(df, LAMBDA * dg) for df, dg in zip(grad_f, grad_g)) + (_eq(g, c),)
        base_args = {"f": "f", "g": "g", "c": sstr(c), "vars": names}
        classified = tuple(sorted(((p, types[p]) for p in types), key=lambda item: [int(v) for v in item[0]]))
        ctx = _Context(variant, variables, f, g, c, grad_f, grad_g, system, base_args, classified, values, lambdas, t)
        parts = [ctx.candidates_part()]
        leading = "maximum" if "maximum" in types.values() else "minimum"
        parts.append(ctx.multiplier_part(leading))
        letters = iter("cd")
        for which in ("maximum", "minimum"):
            if which in types.values():
                parts.append(ctx.value_part(next(letters), which))
        kind = {"product_on_line": "maximize", "distance_to_line": "minimize"}.get(variant, "extremize")
        statement = text(f"problems.lagrange.statement_{kind}", f=Math(f), constraint=Math(_eq(g, c)))
        return statement, {"f": sstr(f), "g": sstr(g), "c": sstr(c)}, parts


class _Context:
    """One variant's data, shared by the parts it builds."""

    def __init__(self, variant: str, variables: list[sympy.Symbol], f: sympy.Expr, g: sympy.Expr, c: int,
                 grad_f: tuple, grad_g: tuple, system: tuple, base_args: dict, classified: tuple, values: dict, lambdas: dict, t: int) -> None:
        self.variant, self.variables, self.f, self.g, self.c = variant, variables, f, g, c
        self.grad_f, self.grad_g, self.system, self.base_args = grad_f, grad_g, system, base_args
        self.classified, self.values, self.lambdas, self.t = classified, values, lambdas, t
        self.names = tuple(str(v) for v in variables)

    def point_of(self, which: str) -> tuple:
        return next(p for p, label in self.classified if label == which)

    def f_at(self, point: tuple) -> object:
        return call("f", *point)

    def candidates_part(self) -> Part:
        steps = [Step(text("steps.lagrange_system", system=Math(self.system, display=True))), *self._solving_steps()]
        steps.append(Step(text("steps.conclude"), self.classified))
        mistakes = []
        if len(self.classified) == 2:
            swapped = {"maximum": "minimum", "minimum": "maximum"}
            mistakes.append(Mistake("extremes_swapped", text("mistakes.extremes_swapped"), tuple((p, swapped[label]) for p, label in self.classified)))
            best = self.point_of("maximum")
            mistakes.append(Mistake("lagrange_one_sign", text("mistakes.lagrange_one_sign"), ((best, "maximum"),)))
        else:
            ((point, label),) = self.classified
            other = "minimum" if label == "maximum" else "maximum"
            mistakes.append(Mistake("lagrange_type", text(f"mistakes.lagrange_type.{self.variant}"), ((point, other),)))
        if self.variant in ("product_on_line", "distance_to_line"):
            origin = tuple(sympy.Integer(0) for _ in self.variables)
            mistakes.append(Mistake("lagrange_no_constraint", text("mistakes.lagrange_no_constraint"), ((origin, self.classified[0][1]),)))
        return Part(
            id="a", prompt=text("problems.lagrange.prompt_classified"), kind="classified_points", answer=self.classified,
            ask="lagrange_classified", args=self.base_args, variables=self.names, choices=TYPES,
            steps=tuple(steps), mistakes=tuple(mistakes), nice="integer",
        )

    def _solving_steps(self) -> list[Step]:
        v, t = self.variables, sympy.Integer(self.t)
        candidates = Math([p for p, _ in self.classified]) if len(self.classified) > 1 else Math(self.classified[0][0])
        if self.variant in ("linear_on_circle", "sphere"):
            coords = [_eq(var, df / (2 * LAMBDA)) for var, df in zip(v, self.grad_f)]
            squares = sympy.Add(*[sympy.Pow(df / (2 * LAMBDA), 2, evaluate=False) for df in self.grad_f], evaluate=False)
            # Σ (aᵢ/(2λ))² = (Σ aᵢ²)/(4λ²) = c, so λ² = (Σ aᵢ²)/(4c): the algebra between, in sight
            combined = sympy.Add(*[df**2 for df in self.grad_f]) / (4 * LAMBDA**2)
            radius_eq = equation(squares, combined, self.c)
            lam = max(self.lambdas.values())
            steps = [
                Step(text("steps.lagrange_solve.coordinates", coords=Math(coords))),
                Step(text("steps.lagrange_solve.into_constraint", equation=Math(radius_eq),
                          lambdas=Math([_eq(LAMBDA**2, lam**2), _eq(LAMBDA, lam), _eq(LAMBDA, -lam)]),
                          candidates=candidates)),
                Step(text("steps.lagrange_compare", values=Math([equation(self.f_at(p), substituted(self.f, dict(zip(self.names, p))), self.values[p])
                                                                 for p, _ in self.classified]))),
            ]
            return steps
        (point, label), = self.classified
        lam = self.lambdas[point]
        if self.variant == "product_on_line":
            a, b = self.grad_g
            coords = [_eq(v[0], b * LAMBDA), _eq(v[1], a * LAMBDA)]
            into = _eq(sympy.Add(sympy.Mul(a, b * LAMBDA, evaluate=False), sympy.Mul(b, a * LAMBDA, evaluate=False), evaluate=False), self.c)
        else:
            a, b = self.grad_g
            coords = [_eq(v[0], sympy.Mul(sympy.Rational(a, 2), LAMBDA, evaluate=False)), _eq(v[1], sympy.Mul(sympy.Rational(b, 2), LAMBDA, evaluate=False))]
            into = _eq(sympy.Add(sympy.Mul(a, sympy.Rational(a, 2) * LAMBDA, evaluate=False), sympy.Mul(b, sympy.Rational(b, 2) * LAMBDA, evaluate=False), evaluate=False), self.c)
        return [
            Step(text("steps.lagrange_solve.coordinates", coords=Math(coords))),
            Step(text("steps.lagrange_solve.line", equation=Math(into), lam=Math(_eq(LAMBDA, lam)), candidate=Math(point))),
            Step(text(f"steps.lagrange_type.{self.variant}", candidate=Math(point), t=Math(t))),
        ]

    def multiplier_part(self, which: str) -> Part:
        point = self.point_of(which)
        lam = self.lambdas[point]
        at = dict(zip(self.variables, point))
        first = next(i for i, dg in enumerate(self.grad_g) if dg.xreplace(at) != 0)
        reads = _eq(self.grad_f[first].xreplace(at), self.grad_g[first].xreplace(at) * LAMBDA)
        return Part(
            id="b", prompt=text(f"problems.lagrange.prompt_lambda_{which}"), kind="number", answer=lam,
            ask="lagrange_multiplier", args={**self.base_args, "which": "max" if which == "maximum" else "min"},
            steps=(Step(text("steps.lagrange_lambda", point=Math(point), equation=Math(reads))), Step(text("steps.conclude"), lam)),
            mistakes=(Mistake("lambda_sign", text("mistakes.lambda_sign"), -lam), Mistake("lambda_inverse", text("mistakes.lambda_inverse"), 1 / lam)),
            depends_on=("a",), nice="rational",
        )

    def value_part(self, part_id: str, which: str) -> Part:
        point = self.point_of(which)
        value = self.values[point]
        work = substituted(self.f, dict(zip(self.names, point)))
        mistakes = [Mistake("constraint_value", text("mistakes.constraint_value"), sympy.Integer(self.c))]
        others = [self.values[p] for p, label in self.classified if label != which]
        if others:
            mistakes.insert(0, Mistake("extremes_swapped", text("mistakes.extremes_swapped"), others[0]))
        return Part(
            id=part_id, prompt=text(f"problems.lagrange.prompt_{which}_value"), kind="number", answer=value,
            ask="lagrange_extreme_value", args={**self.base_args, "which": "max" if which == "maximum" else "min"},
            steps=(Step(text(f"steps.lagrange_value_{which}", point=Math(point)), work), Step(text("steps.conclude"), value)),
            mistakes=tuple(mistakes), depends_on=("a",), nice="integer",
        )
