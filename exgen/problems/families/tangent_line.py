"""The derivative at a point: f′(x), the slope at x₀ and the equation of the tangent line.

Built so that f(x₀) and f′(x₀) are integers or small fractions: polynomial parts have integer
coefficients and the transcendental parts are anchored at x₀ (e^(k(x−x₀)) is 1 there,
ln(x − x₀ + 1) is 0, √(x + c) is a whole number).
"""

from __future__ import annotations

import random

import sympy

from exgen.problems.base import Family, RejectVariant, family, nonzero, sstr
from exgen.problems.calculus import d
from exgen.problems.figures import Figure
from exgen.problems.model import Math, Mistake, Part, Problem, Step, Text, text
from exgen.problems.steps import (
    call,
    equation,
    in_product_order,
    partial_term_by_term,
    power_rule_on,
    rule_form,
    substituted,
    term_by_term,
    times_coefficient,
)

x, y = sympy.symbols("x y")


def _eq(lhs: sympy.Expr, rhs: sympy.Expr) -> sympy.Eq:
    return sympy.Eq(lhs, rhs, evaluate=False)  # no assumption queries: they dominate generation time


def _polynomial(rng: random.Random, degree: int) -> sympy.Expr:
    return sympy.Add(*[rng.randint(-4, 4) * x**k for k in range(degree)], nonzero(rng, -3, 3) * x**degree)


def _function(rng: random.Random, difficulty: int, x0: int) -> tuple[sympy.Expr, sympy.Expr, Step]:
    """f and f′, built so that both are nice at x0, and the step that differentiates f."""
    if difficulty == 1:
        f = _polynomial(rng, rng.choice([2, 3]))
        return f, d(f, x), Step(text("steps.power_rule_terms"), term_by_term(f, lambda term: power_rule_on(term, x), constants=False))
    k = nonzero(rng, -3, 3)
    anchored = [
        ("exp", sympy.exp(k * (x - x0)), k * sympy.exp(k * (x - x0))),
        ("log", sympy.log(x - x0 + 1), 1 / (x - x0 + 1)),
    ]
    square = rng.choice([1, 4, 9])
    anchored.append(("sqrt", sympy.sqrt(x + square - x0), 1 / (2 * sympy.sqrt(x + square - x0))))
    name, piece, d_piece = rng.choice(anchored)
    polynomial = _polynomial(rng, rng.choice([1, 2]))
    coefficient = nonzero(rng, -3, 3)
    if difficulty == 2:
        df = d(polynomial, x) + coefficient * d_piece
        f = polynomial + coefficient * piece
        inside = piece.args[0] if name != "sqrt" else piece.base
        # the piece's rule with its inner derivative in sight, as a partial derivative writes it:
        # -2e^{2x - 2} · 2 (ln and √ have u' = 1: their derivative as the key writes it)
        shown = partial_term_by_term(coefficient * piece, x).shown if name == "exp" else times_coefficient(coefficient, d_piece)
        applied = term_by_term(f, lambda term: shown if term.has(piece) else power_rule_on(term, x), constants=False)
        return f, df, Step(text(f"steps.tangent_terms.{name}", inside=Math(inside), inner=Math(d(inside, x))), applied)
    # difficulty 3: a product, so the product rule is needed as well; u is the factor printed first
    derivative = {polynomial: d(polynomial, x), piece: d_piece}
    u, v = in_product_order(polynomial * piece, (polynomial, piece))
    du, dv = derivative[u], derivative[v]
    rule = rule_form(sympy.Mul(du, v, evaluate=False), sympy.Mul(u, dv, evaluate=False))
    step = Step(text("steps.product_rule", u=Math(u), v=Math(v), du=Math(du), dv=Math(dv)), rule)
    return polynomial * piece, _simplified_product_derivative(derivative[polynomial], polynomial, piece, d_piece), step


def _simplified_product_derivative(dp: sympy.Expr, p: sympy.Expr, piece: sympy.Expr, d_piece: sympy.Expr) -> sympy.Expr:
    """(p·piece)′ as a teacher simplifies it: an exponential factored out (9x e^(3 - 3x), not
    -3e^(3 - 3x) - 3(-3x - 1)e^(3 - 3x)), a square root's terms over one denominator
    ((4x + 9)/(2√(x + 1))); with a logarithm the two terms stay apart."""
    if isinstance(piece, sympy.exp):
        return sympy.expand(dp + p * sympy.cancel(d_piece / piece)) * piece
    if isinstance(piece, sympy.Pow) and piece.exp == sympy.Rational(1, 2):
        radicand = piece.base
        return sympy.expand(2 * dp * radicand + p) / (2 * piece)
    return dp * piece + p * d_piece


@family(
    "tangent_line",
    title="families.tangent_line.title",
    summary="families.tangent_line.summary",
    asks=("derivative", "derivative_at", "tangent_line"),
)
class TangentLine(Family):
    def figure(self, problem: Problem) -> Figure:
        """f near x₀ with the tangent line at (x₀, f(x₀)) dashed and the point marked."""
        from exgen.problems.figures import Mark, given, numeric, sample_curve, tangent_window

        f = numeric(given(problem.givens["f"]), ("x",))  # a key, not student text
        at = sympy.Rational(problem.parts[1].args["at"])
        x0, slope = float(at), float(problem.parts[1].answer)
        y0 = float(f(x0))
        touching = problem.parts[2].answer.rhs.xreplace({x: at})  # f(x₀) exactly: the tangent passes through it
        window = tangent_window(f, x0, y0, slope)
        (left, right), (bottom, top) = window
        ends = []
        for end in (left, right):
            height = y0 + slope * (end - x0)
            if not bottom <= height <= top:  # cut where the line leaves the window
                height = min(max(height, bottom), top)
                end = x0 + (height - y0) / slope
            ends.append((end, height))
        description = text("figures.tangent_line.description", point=Math((at, touching)),
                           slope=Math(problem.parts[1].answer))
        return Figure(*window, sample_curve(f, *window), (Mark(x0, y0, "point"),), ((ends[0], ends[1]),),
                      caption=text("figures.tangent_line.caption"), sheet_caption=text("figures.tangent_line.sheet_caption"),
                      sheet_description=text("figures.tangent_line.sheet_description"), description=description)

    def build(self, rng: random.Random, difficulty: int) -> tuple[Text, dict[str, str], list[Part]]:
        # x₀ ≠ 0: at 0 the slip y = mx + y₀ (the line not shifted to x₀) would be right
        x0 = rng.choice([-2, -1, 1, 2, 3]) if difficulty == 1 else rng.choice([-1, 1, 2])
        f, df, differentiate = _function(rng, difficulty, x0)
        y0 = f.xreplace({x: sympy.Integer(x0)})
        slope = df.xreplace({x: sympy.Integer(x0)})
        if slope == 0 or y0 == slope:
            raise RejectVariant("a horizontal tangent, or f(x₀) = f′(x₀): slips would go unseen")
        line = _eq(y, sympy.expand(y0 + slope * (x - x0)))
        point_form = sympy.Eq(y - y0, sympy.Mul(slope, x - x0, evaluate=False), evaluate=False)
        at = Math(sympy.Eq(x, x0, evaluate=False))
        derivative = Part(
            id="a", prompt=text("problems.tangent_line.prompt_derivative"), kind="expression", answer=df,
            ask="derivative", args={"f": "f", "var": "x"}, variables=("x",),
            steps=(differentiate,) if differentiate.value == df else (differentiate, Step(text("steps.simplify"), df)),
            mistakes=(Mistake("sign_error", text("mistakes.sign_error"), -df),),
        )
        slope_part = Part(
            id="b", prompt=text("problems.tangent_line.prompt_slope", at=at), kind="number", answer=slope,
            ask="derivative_at", args={"f": "f", "var": "x", "at": sstr(x0)},
            steps=(Step(text("steps.substitute_point", at=at), substituted(df, {"x": x0})), Step(text("steps.conclude"), slope)),
            mistakes=(
                Mistake("value_not_derivative", text("mistakes.value_not_derivative"), y0),
                Mistake("sign_error", text("mistakes.sign_error"), -slope),
            ),
            depends_on=("a",), nice="rational",
        )
        tangent = Part(
            id="c", prompt=text("problems.tangent_line.prompt_line", at=at), kind="equation", answer=line,
            ask="tangent_line", args={"f": "f", "var": "x", "at": sstr(x0), "y": "y"}, variables=("x", "y"),
            steps=(
                Step(text("steps.tangent_value", value=Math(equation(call("f", x0), substituted(f, {"x": x0}), y0)))),
                Step(text("steps.tangent_point", point=Math((sympy.Integer(x0), y0)), m=Math(slope)), point_form),
                Step(text("steps.solve_for_y"), line),
            ),
            mistakes=(
                Mistake("tangent_not_shifted", text("mistakes.tangent_not_shifted"), _eq(y, slope * x + y0)),
                Mistake("tangent_shift_sign", text("mistakes.tangent_shift_sign"), _eq(y, sympy.expand(y0 + slope * (x + x0)))),
                Mistake("tangent_value_as_slope", text("mistakes.tangent_value_as_slope"), _eq(y, sympy.expand(y0 + y0 * (x - x0)))),
                Mistake("normal_line", text("mistakes.normal_line"), _eq(y, sympy.expand(y0 - (x - x0) / slope)) if slope != 0 else _eq(x, sympy.Integer(x0))),
            ),
            depends_on=("b",), nice="rational",
        )
        statement = text("problems.tangent_line.statement", f=Math(sympy.Eq(sympy.Function("f")(x), f, evaluate=False)))
        return statement, {"f": sstr(f)}, [derivative, slope_part, tangent]
