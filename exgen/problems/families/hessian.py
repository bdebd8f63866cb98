"""Two-variable critical points and the second-derivative (Hessian) test.

Every version asks the same three parts: (a) ∇f, (b) D(x, y) = f_xx f_yy − f_xy², (c) every
critical point with its type. No prompt names a critical point. Built backwards from the
points and their types, always with a mixed term (f_xy ≠ 0), so the test is never read off
the signs of f_xx and f_yy alone:

* d1: a quadratic a(x−p)² + b(x−p)(y−q) + c(y−q)² + e, b ≠ 0: one point;
* d2: P(x) + s·m(y − ax − c)² with P′ = α(x − r₁)(x − r₂), or x³ + y³ − 3kxy: a saddle
  and an extremum;
* d3: P(x) + Q(y − ax) with two critical points each: a minimum, a maximum and two saddles.
"""

from __future__ import annotations

import random
from fractions import Fraction

import sympy

from exgen.answers import nodes as n
from exgen.answers.order import ordered_terms
from exgen.problems.base import Family, RejectVariant, family, nonzero, sstr
from exgen.problems.calculus import d
from exgen.problems.figures import Figure
from exgen.problems.model import Math, Mistake, Part, Problem, Step, Text, text
from exgen.problems.steps import equation, substituted, tree_of

x, y = sympy.symbols("x y")
D_SYMBOL = sympy.Symbol("D")
LABELS = ("minimum", "maximum", "saddle")


def _cubic(rng: random.Random, var: sympy.Expr, roots: list[int]) -> tuple[sympy.Expr, sympy.Expr]:
    """P with P′ = α(var − r₁)(var − r₂), α = ±6 so P has integer coefficients; and P′ factored."""
    alpha = rng.choice([-6, 6])
    r1, r2 = roots
    u = sympy.Symbol("u")
    polynomial = sympy.Rational(alpha, 3) * u**3 - alpha * sympy.Rational(r1 + r2, 2) * u**2 + alpha * r1 * r2 * u
    return polynomial.xreplace({u: var}), sympy.Mul(alpha, var - r1, var - r2, evaluate=False)


def _classify(fxx: sympy.Expr, fyy: sympy.Expr, fxy: sympy.Expr) -> str:
    determinant = fxx * fyy - fxy**2
    if determinant == 0:
        raise RejectVariant("degenerate Hessian")
    if determinant < 0:
        return "saddle"
    return "minimum" if fxx > 0 else "maximum"


def _expand(expr: sympy.Expr) -> sympy.Expr:
    """A polynomial in x and y multiplied out, by exact coefficient arithmetic (sympy's
    ``expand`` on these nested products dominated generation time)."""
    return _to_sympy(_coefficients(expr))


Coefficients = dict[tuple[int, int], Fraction]


def _coefficients(expr: sympy.Expr) -> Coefficients:
    """{(i, j): c} for Σ c·xⁱyʲ, computed from the expression tree (sums, products, powers)."""
    if expr.is_Number:
        return {(0, 0): Fraction(int(expr.p), int(expr.q))} if expr != 0 else {}
    if expr == x:
        return {(1, 0): Fraction(1)}
    if expr == y:
        return {(0, 1): Fraction(1)}
    if expr.is_Add:
        total: Coefficients = {}
        for term in expr.args:
            for key, value in _coefficients(term).items():
                total[key] = total.get(key, Fraction(0)) + value
        return {k: v for k, v in total.items() if v}
    if expr.is_Mul:
        product: Coefficients = {(0, 0): Fraction(1)}
        for factor in expr.args:
            product = _times(product, _coefficients(factor))
        return product
    if expr.is_Pow and expr.exp.is_Integer and expr.exp >= 0:
        result: Coefficients = {(0, 0): Fraction(1)}
        base = _coefficients(expr.base)
        for _ in range(int(expr.exp)):
            result = _times(result, base)
        return result
    raise ValueError(f"not a polynomial in x and y: {expr}")


def _times(a: Coefficients, b: Coefficients) -> Coefficients:
    out: Coefficients = {}
    for (i, j), p in a.items():
        for (k, m), q in b.items():
            out[(i + k, j + m)] = out.get((i + k, j + m), Fraction(0)) + p * q
    return {key: value for key, value in out.items() if value}


def _to_sympy(coefficients: Coefficients) -> sympy.Expr:
    return sympy.Add(*[sympy.Rational(c.numerator, c.denominator) * x**i * y**j for (i, j), c in sorted(coefficients.items())])


def _factored_in(u: sympy.Expr, factored: sympy.Expr) -> n.Node:
    """α(u − r₁)(u − r₂) = 0 with each factor written as u is, then its constant: −6(y − x)(y − x − 3),
    not −6(y − x)(−x + y − 3), so the step reads as an equation in u = y − x."""
    shown = ordered_terms(tree_of(u))
    factors = []
    for factor in sympy.Mul.make_args(factored):
        constant = factor - u
        if factor.is_number or constant.has(*u.free_symbols):
            factors.append(tree_of(factor))
        else:
            factors.append(n.Add((*shown, *([tree_of(constant)] if constant else [])), written=True))
    return n.Eq(n.Mul(tuple(factors)), n.Num(Fraction(0)))


def _eq(lhs: sympy.Expr, rhs: sympy.Expr) -> sympy.Eq:
    return sympy.Eq(lhs, rhs, evaluate=False)


@family(
    "hessian",
    title="families.hessian.title",
    summary="families.hessian.summary",
    asks=("gradient", "hessian_determinant_function", "classified_critical_points"),
)
class Hessian(Family):
    def figure(self, problem: Problem) -> Figure:
        """Level curves of f around its critical points, each marked by type. The levels are
        spread by area (quantiles of f over the window) and pass through every saddle, so its
        crossing shows, and just beside every extremum, so a small closed curve rings it."""
        from exgen.problems.figures import LevelSet, Mark, given, marked_points, numeric, square_window

        f = numeric(given(problem.givens["f"]), ("x", "y"))  # a key, not student text
        classified = problem.parts[2].answer
        points = [(float(p[0]), float(p[1])) for p, _ in classified]
        window = square_window(points)
        marks = tuple(Mark(a, b, label) for (a, b), (_, label) in zip(points, classified))
        contours = LevelSet(f, window)
        levels, saddles = contours.levels(marks)
        return Figure(*window, (), marks, levels=contours.curves(levels), touching=contours.curves(saddles) + contours.crossings(marks),
                      caption=text("figures.hessian.caption"), sheet_caption=text("figures.hessian.sheet_caption"),
                      sheet_description=text("figures.hessian.sheet_description"),
                      description=text("figures.hessian.description", points=marked_points(classified)))

    def build(self, rng: random.Random, difficulty: int) -> tuple[Text, dict[str, str], list[Part]]:
        f, chosen, solving, one_branch = self._function(rng, difficulty)
        fx, fy = d(f, x), d(f, y)
        fxx, fyy, fxy = d(f, x, 2), d(f, y, 2), d(f, x, y)
        determinant = _expand(fxx * fyy - fxy**2)
        points = sorted((sympy.Integer(a), sympy.Integer(b)) for a, b in chosen)
        rows = []
        point_steps = []
        for point in points:
            at = dict(zip((x, y), point))
            a_, b_, c_ = fxx.xreplace(at), fyy.xreplace(at), fxy.xreplace(at)
            label = _classify(a_, b_, c_)
            rows.append((point, label))
            work = equation(D_SYMBOL, substituted(sympy.Symbol("A") * sympy.Symbol("B") - sympy.Symbol("C") ** 2, {"A": a_, "B": b_, "C": c_}),
                            a_ * b_ - c_**2)
            point_steps.append(Step(text(f"steps.hessian_point.{label}", point=Math(point), fxx=Math(a_), fyy=Math(b_), fxy=Math(c_), D=Math(work))))
        classified = tuple(rows)
        if difficulty == 3 and len({label for _, label in rows}) < 3:
            raise RejectVariant("the three kinds are promised at difficulty 3")
        parts = [
            self._gradient(f, fx, fy),
            self._determinant(fxx, fyy, fxy, determinant),
            self._classified(fx, fy, classified, solving, point_steps, fxx, fyy, fxy, one_branch),
        ]
        statement = text("problems.hessian.statement", f=Math(_eq(sympy.Function("f")(x, y), f)))
        return statement, {"f": sstr(f)}, parts

    @staticmethod
    def _function(rng: random.Random, difficulty: int) -> tuple[sympy.Expr, list[tuple[int, int]], Step, set[tuple[int, int]]]:
        """f, its critical points, the step that finds them, and the points a student finds who
        follows only one solution of f_y = 0 (d3)."""
        if difficulty == 1:
            p, q = rng.randint(-3, 3), rng.randint(-3, 3)
            a, b, c = nonzero(rng, -3, 3), nonzero(rng, -4, 4), nonzero(rng, -3, 3)
            if 4 * a * c - b * b == 0:
                raise RejectVariant("degenerate")
            f = _expand(a * (x - p) ** 2 + b * (x - p) * (y - q) + c * (y - q) ** 2 + rng.randint(-5, 5))
            return f, [(p, q)], Step(text("steps.hessian_linear", point=Math((sympy.Integer(p), sympy.Integer(q))))), set()
        if difficulty == 2 and rng.random() < 0.3:
            k = nonzero(rng, -3, 3)
            scale = rng.choice([1, 2])
            f = scale * (x**3 + y**3 - 3 * k * x * y)  # critical points (0, 0) and (k, k)
            step = Step(text("steps.hessian_symmetric", y_of_x=Math(_eq(y, x**2 / k)),
                             quartic=Math(_eq(sympy.Mul(x, x**3 - k**3, evaluate=False), 0)),
                             xs=Math([_eq(x, 0), _eq(x, k)])))
            return _expand(f), [(0, 0), (k, k)], step, set()
        xs = sorted(rng.sample(range(-3, 4), 2))
        P, dP = _cubic(rng, x, xs)
        slope = rng.choice([-2, -1, 1, 2]) if difficulty == 2 else rng.choice([-1, 1])
        if difficulty == 2:
            shift, sign, weight = rng.randint(-2, 2), rng.choice([-1, 1]), rng.choice([1, 2])
            f = _expand(P + sign * weight * (y - slope * x - shift) ** 2)
            step = Step(text("steps.hessian_line", line=Math(_eq(y, slope * x + shift)), cubic=Math(_eq(dP, 0)),
                             xs=Math([_eq(x, r) for r in xs])))
            return f, [(r, slope * r + shift) for r in xs], step, set()
        us = sorted(rng.sample(range(-3, 4), 2))
        u = y - slope * x
        Q, dQ = _cubic(rng, u, us)
        f = _expand(P + Q)
        step = Step(text("steps.hessian_grid", u_eq=Math(_factored_in(u, dQ)), us=Math([_eq(u, s) for s in us]), p_eq=Math(_eq(dP, 0)),
                         xs=Math([_eq(x, r) for r in xs])))
        return f, [(r, s + slope * r) for r in xs for s in us], step, {(r, us[0] + slope * r) for r in xs}

    @staticmethod
    def _gradient(f: sympy.Expr, fx: sympy.Expr, fy: sympy.Expr) -> Part:
        mixed = sympy.Add(*[t for t in sympy.Add.make_args(f) if t.has(x) and t.has(y)])
        mistakes = [Mistake("gradient_order", text("mistakes.gradient_order"), (fy, fx))]
        if mixed != 0:
            mistakes.append(Mistake("cross_term_dropped", text("mistakes.cross_term_dropped"), (fx - d(mixed, x), fy - d(mixed, y))))
        gradient = (fx, fy)
        return Part(
            id="a", prompt=text("problems.hessian.prompt_gradient"), kind="vector", answer=gradient,
            ask="gradient", args={"f": "f", "vars": ["x", "y"]}, variables=("x", "y"),
            steps=(Step(text("steps.hessian_partials", fx=Math(fx), fy=Math(fy))), Step(text("steps.gradient_collect"), gradient)),
            mistakes=tuple(mistakes),
        )

    @staticmethod
    def _determinant(fxx: sympy.Expr, fyy: sympy.Expr, fxy: sympy.Expr, determinant: sympy.Expr) -> Part:
        return Part(
            id="b", prompt=text("problems.hessian.prompt_determinant"), kind="expression", answer=determinant,
            ask="hessian_determinant_function", args={"f": "f", "vars": ["x", "y"]}, variables=("x", "y"),
            steps=(Step(text("steps.second_partials", fxx=Math(fxx), fyy=Math(fyy), fxy=Math(fxy))),
                   Step(text("steps.expand"), determinant)),
            mistakes=(
                Mistake("hessian_sign", text("mistakes.hessian_sign"), _expand(fxx * fyy + fxy**2)),
                Mistake("mixed_partial_dropped", text("mistakes.mixed_partial_dropped"), _expand(fxx * fyy)),
            ),
            depends_on=("a",),
        )

    @staticmethod
    def _classified(
        fx: sympy.Expr, fy: sympy.Expr, classified: tuple, solving: Step, point_steps: list[Step],
        fxx: sympy.Expr, fyy: sympy.Expr, fxy: sympy.Expr, one_branch: set[tuple[int, int]],
    ) -> Part:
        system = Math((_eq(fx, 0), _eq(fy, 0)), display=True)
        steps = (Step(text("steps.gradient_zero", system=system)), solving, *point_steps, Step(text("steps.conclude"), classified))
        swapped = {"minimum": "maximum", "maximum": "minimum", "saddle": "saddle"}
        mistakes = [Mistake("hessian_reversed", text("mistakes.hessian_reversed"), tuple((p, swapped[label]) for p, label in classified))]
        by_sign = []
        with_plus = []
        for point, label in classified:
            at = dict(zip((x, y), point))
            a_, b_, c_ = fxx.xreplace(at), fyy.xreplace(at), fxy.xreplace(at)
            by_sign.append((point, "minimum" if a_ > 0 else "maximum"))
            with_plus.append((point, label if a_ * b_ + c_**2 <= 0 else "minimum" if a_ > 0 else "maximum"))
        if any(label == "saddle" for _, label in classified):
            mistakes.append(Mistake("saddle_as_extremum", text("mistakes.saddle_as_extremum"), tuple(by_sign)))
        mistakes.append(Mistake("hessian_sign", text("mistakes.hessian_sign"), tuple(with_plus)))
        if one_branch:
            mistakes.append(Mistake("missed_combinations", text("mistakes.missed_combinations"),
                                    tuple((p, label) for p, label in classified if (int(p[0]), int(p[1])) in one_branch)))
        elif len(classified) == 2:
            for point, label in classified:
                mistakes.append(Mistake("missed_critical_point", text("mistakes.missed_critical_point"), ((point, label),)))
        return Part(
            id="c", prompt=text("problems.hessian.prompt_classified"), kind="classified_points", answer=classified,
            ask="classified_critical_points", args={"f": "f", "vars": ["x", "y"]}, variables=("x", "y"), choices=LABELS,
            steps=steps, mistakes=tuple(mistakes), depends_on=("a", "b"), nice="integer",
        )
