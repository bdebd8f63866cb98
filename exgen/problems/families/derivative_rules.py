"""Derivative rules: power and polynomials, linearity, exp/log/a^x, trig, product, quotient,
the reciprocal rule, and the chain rule (composition depth up to 3 at difficulty 3).

Each variant is built as a tree of rule applications, so the worked solution follows the rules
that were used and the mistake models are the slips a student makes with exactly those rules.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy
from sympy import Rational as R

from exgen.answers import nodes
from exgen.problems.base import Family, RejectVariant, family, nonzero, sstr
from exgen.problems.calculus import d
from exgen.problems.model import Math, Mistake, Part, Step, Text, text
from exgen.problems.steps import call, equation, in_product_order, power_rule_on, rule_form, term_by_term, times_coefficient

x = sympy.Symbol("x")
u = sympy.Symbol("u")
f_of_x = sympy.Function("f")(x)

POWERS = {
    1: [2, 3, 4, 5, -1, -2, R(1, 2)],
    2: [3, 4, 6, -1, -2, -3, R(1, 2), R(3, 2), R(-1, 2)],
    3: [5, 7, -3, -4, R(3, 2), R(-3, 2), R(5, 2), R(2, 3), R(-1, 3)],
}


@dataclass
class Built:
    """A function together with how it was built: the rule, its pieces, its slips."""

    f: sympy.Expr
    df: sympy.Expr
    rule: str
    explain: list[Step] = field(default_factory=list)
    slips: list[tuple[str, sympy.Expr, dict[str, object]]] = field(default_factory=list)


def _power_terms(rng: random.Random, difficulty: int) -> Built:
    count = {1: 2, 2: 3, 3: 3}[difficulty] + rng.randint(0, 1)
    exponents = rng.sample(POWERS[difficulty], count)
    coefficients = [nonzero(rng, -6, 6) for _ in exponents]
    constant = rng.randint(-9, 9) if difficulty == 1 else 0
    terms = [a * x**n for a, n in zip(coefficients, exponents)]
    f = sympy.Add(*terms) + constant
    derivative_terms = [a * n * x ** (n - 1) for a, n in zip(coefficients, exponents)]
    df = sympy.Add(*derivative_terms)
    lowered = term_by_term(f, lambda term: power_rule_on(term, x), constants=False)
    steps = [Step(text("steps.power_rule_terms"), lowered), Step(text("steps.simplify"), df)]
    if any(not (sympy.sympify(power).is_Integer and power > 0) for power in exponents):  # √x = x^(1/2), 1/x = x^(-1) first
        steps.insert(0, Step(text("steps.as_powers", f=Math(equation(call("f", x), term_by_term(f, _as_power))))))
    built = Built(f, df, "power", steps)
    built.slips.append(("power_not_lowered", sympy.Add(*[a * n * x**n for a, n in zip(coefficients, exponents)]), {}))
    built.slips.append(("power_raised", sympy.Add(*[a * n * x ** (n + 1) for a, n in zip(coefficients, exponents)]), {}))
    built.slips.append(("coefficient_dropped", sympy.Add(*[n * x ** (n - 1) for n in exponents]), {}))
    # lowered but not multiplied by the exponent: every term, or only a root's (√x)' = 1/√x
    built.slips.append(("exponent_not_multiplied", sympy.Add(*[a * x ** (n - 1) for a, n in zip(coefficients, exponents)]), {}))
    fractional = [(a, n) for a, n in zip(coefficients, exponents) if not isinstance(n, int)]
    if fractional and len(fractional) < len(exponents):
        a, n = fractional[0]
        built.slips.append(("fractional_exponent_not_multiplied", df - a * n * x ** (n - 1) + a * x ** (n - 1),
                            {"term": Math(a * x**n), "right": Math(a * n * x ** (n - 1)), "wrong": Math(a * x ** (n - 1))}))
    if constant:
        built.slips.append(("constant_kept", df + constant, {"c": Math(sympy.Integer(constant))}))
    return built


def _as_power(term: sympy.Expr) -> Any:
    """a·xⁿ written as a power even for a root or a reciprocal: 3x^{1/2}, -x^{-1}."""
    coefficient, power = term.as_coeff_exponent(x)
    if not power.is_Rational or (power.is_Integer and power >= 0) or not coefficient.is_Rational:
        return term
    shown = nodes.Pow(nodes.Sym("x"), nodes.as_power(Fraction(int(power.p), int(power.q))))
    if abs(coefficient) == 1:
        return shown if coefficient > 0 else nodes.Neg(shown)
    return nodes.Mul((nodes.Num(Fraction(int(coefficient.p), int(coefficient.q))), shown))


def _written_order(*terms: tuple[sympy.Expr, sympy.Expr]) -> tuple[sympy.Expr, sympy.Expr]:
    """f and f′ as sums in the same order, a positive term of f first (3 cos 3x − 4 sin 4x,
    then −9 sin 3x − 16 cos 4x): each term of the key sits under its term of f."""
    ordered = sorted(terms, key=lambda pair: pair[0].could_extract_minus_sign())
    return sympy.Add(*[t for t, _ in ordered], evaluate=False), sympy.Add(*[dt for _, dt in ordered], evaluate=False)


def _rules_applied(f: sympy.Expr, pieces: dict[sympy.Expr, sympy.Expr]) -> Any:
    """The term-by-term step before multiplying out: for each term a·u of f (in f's order) the
    coefficient times the rule's result for u, ``3 (2e^{2x}) - 4 \\cdot \\frac{1}{x}`` for
    3e^{2x} - 4 ln x; ``pieces`` maps each u to u′."""
    def applied(term: sympy.Expr) -> Any:
        coefficient, rest = term.as_coeff_Mul()
        if rest not in pieces:  # a term sympy wrote otherwise: its derivative, multiplied out
            return d(term, x)
        return times_coefficient(coefficient, pieces[rest])

    return term_by_term(f, applied)


def _exp_log(rng: random.Random, difficulty: int) -> Built:
    a, k = nonzero(rng, -5, 5), rng.choice([-4, -3, -2, 2, 3, 4])  # a visible chain factor
    b = nonzero(rng, -6, 6)
    base = rng.choice([2, 3, 10])
    choice = rng.choice(["exp_log", "exp_power", "base_log"]) if difficulty > 1 else rng.choice(["exp_log", "base_log"])
    if choice == "exp_log":
        f, df = _written_order((a * sympy.exp(k * x), a * k * sympy.exp(k * x)), (b * sympy.log(x), b / x))
        slips = [
            ("exp_inner_dropped", a * sympy.exp(k * x) + b / x, {"k": Math(sympy.Integer(k))}),
            ("log_derivative_log", a * k * sympy.exp(k * x) + b * sympy.log(x), {}),
        ]
    elif choice == "exp_power":
        n = rng.choice([2, 3])
        f, df = _written_order((a * sympy.exp(k * x), a * k * sympy.exp(k * x)), (b * x**n, b * n * x ** (n - 1)))
        slips = [
            ("exp_inner_dropped", a * sympy.exp(k * x) + b * n * x ** (n - 1), {"k": Math(sympy.Integer(k))}),
            ("exp_power_rule", a * k * x * sympy.exp(k * x - 1) + b * n * x ** (n - 1), {}),
        ]
    else:
        f, df = _written_order((a * sympy.Integer(base) ** x, a * sympy.log(base) * sympy.Integer(base) ** x), (b * sympy.log(x), b / x))
        slips = [
            ("base_power_rule", a * x * sympy.Integer(base) ** (x - 1) + b / x, {"a": Math(sympy.Integer(base))}),
            ("base_log_dropped", a * sympy.Integer(base) ** x + b / x, {"a": Math(sympy.Integer(base))}),
        ]
    pieces = {sympy.exp(k * x): k * sympy.exp(k * x), sympy.log(x): 1 / x, x**2: 2 * x, x**3: 3 * x**2,
              sympy.Integer(base) ** x: sympy.Mul(sympy.Integer(base) ** x, sympy.log(base), evaluate=False)}
    steps = [Step(text("steps.exp_log_rules"), _rules_applied(f, pieces)), Step(text("steps.simplify"), df)]
    return Built(f, df, "exp_log", steps, slips)


def _trig(rng: random.Random, difficulty: int) -> Built:
    a, b = nonzero(rng, -5, 5), nonzero(rng, -5, 5)
    k, m = rng.randint(2, 4), rng.randint(2, 4)  # a visible chain factor in every term
    first = a * sympy.sin(k * x)
    if difficulty == 1:
        second, second_name = b * sympy.cos(m * x), "cos"
        d_second = -b * m * sympy.sin(m * x)
    else:
        second, second_name = b * sympy.tan(m * x), "tan"
        d_second = b * m * sympy.sec(m * x) ** 2  # (tan u)' = sec² u, as textbooks write it
    f, df = _written_order((first, a * k * sympy.cos(k * x)), (second, d_second))
    rule_sin = text("mistakes.trig_rule.sin", k=Math(sympy.Integer(k)))
    rule_second = text(f"mistakes.trig_rule.{second_name}", k=Math(sympy.Integer(m)))
    undone_second = -b * sympy.sin(m * x) if second_name == "cos" else b * sympy.sec(m * x) ** 2
    slips = [
        ("trig_inner_dropped_one", a * sympy.cos(k * x) + d_second, {"rule": rule_sin}),
        ("trig_inner_dropped_one", a * k * sympy.cos(k * x) + undone_second, {"rule": rule_second}),
        ("trig_inner_dropped", a * sympy.cos(k * x) + undone_second, {"first": rule_sin, "second": rule_second}),
    ]
    if difficulty == 1:
        slips.append(("cos_sign", a * k * sympy.cos(k * x) + b * m * sympy.sin(m * x), {}))
    pieces = {sympy.sin(k * x): k * sympy.cos(k * x), sympy.cos(m * x): -m * sympy.sin(m * x), sympy.tan(m * x): m * sympy.sec(m * x) ** 2}
    steps = [Step(text("steps.trig_rules"), _rules_applied(f, pieces)), Step(text("steps.simplify"), df)]
    return Built(f, df, "trig", steps, slips)


def _simple_factor(rng: random.Random, difficulty: int, avoid: str = "") -> tuple[sympy.Expr, str]:
    options = {
        "poly": lambda: nonzero(rng, -4, 4) * x ** rng.choice([1, 2, 3]) + rng.randint(-5, 5),
        "monomial": lambda: x ** rng.choice([2, 3, 4]),
        "sin": lambda: sympy.sin(nonzero(rng, 1, 3) * x),
        "cos": lambda: sympy.cos(nonzero(rng, 1, 3) * x),
        "exp": lambda: sympy.exp(nonzero(rng, -3, 3) * x),
        "log": lambda: sympy.log(x),
    }
    names = [name for name in options if name != avoid]
    name = rng.choice(names)
    return options[name](), name


def _product(rng: random.Random, difficulty: int) -> Built:
    first, kind = _simple_factor(rng, difficulty)
    second, _ = _simple_factor(rng, difficulty, avoid=kind)
    if difficulty == 3:
        second = _chain(rng, 1).f
    if first.is_number or second.is_number:
        raise RejectVariant("constant factor")
    f = first * second
    first, second = in_product_order(f, (first, second))  # u is the factor printed first
    du, dv = d(first, x), d(second, x)
    written = rule_form(sympy.Mul(du, second, evaluate=False), sympy.Mul(first, dv, evaluate=False))
    df = du * second + first * dv
    steps = [
        Step(text("steps.product_rule", u=Math(first), v=Math(second), du=Math(du), dv=Math(dv)), written),
        Step(text("steps.simplify"), df),
    ]
    slips = [
        ("product_as_product", du * dv, {}),
        ("product_half", du * second, {}),
        ("product_minus", du * second - first * dv, {}),
    ]
    return Built(f, df, "product", steps, slips)


def _quotient(rng: random.Random, difficulty: int) -> Built:
    numerator, kind = _simple_factor(rng, difficulty)
    denominator = rng.choice([x**2 + nonzero(rng, 1, 5), x + nonzero(rng, -5, 5), sympy.exp(x) + 1, sympy.sin(x) + 2])
    if difficulty == 3:
        numerator = _chain(rng, 1).f
    du, dv = d(numerator, x), d(denominator, x)
    f = numerator / denominator
    written = rule_form(sympy.Mul(du, denominator, evaluate=False), -sympy.Mul(numerator, dv, evaluate=False), squared_under=denominator)
    df = sympy.together((du * denominator - numerator * dv) / denominator**2)  # one fraction, no fraction inside it
    steps = [
        Step(text("steps.quotient_rule", u=Math(numerator), v=Math(denominator), du=Math(du), dv=Math(dv)), written),
        Step(text("steps.simplify"), df),
    ]
    slips = [
        ("quotient_reversed", (numerator * dv - du * denominator) / denominator**2, {}),
        ("quotient_no_square", (du * denominator - numerator * dv) / denominator, {}),
        ("quotient_as_quotient", du / dv, {}),
    ]
    return Built(f, df, "quotient", steps, slips)


def _reciprocal(rng: random.Random, difficulty: int) -> Built:
    k = nonzero(rng, -6, 6)
    inner = rng.choice([
        x**2 + nonzero(rng, 1, 6),
        nonzero(rng, 1, 4) * x**3 - nonzero(rng, 1, 5),
        sympy.exp(x) + nonzero(rng, 1, 3),
        sympy.cos(x) + 2,
        x + sympy.log(x),
    ])
    if difficulty == 3:
        inner = inner.xreplace({x: nonzero(rng, 2, 3) * x})
    dv = d(inner, x)
    f = k / inner
    df = -k * dv / inner**2
    steps = [Step(text("steps.reciprocal_rule", v=Math(inner), dv=Math(dv), k=Math(sympy.Integer(k))), df)]
    common = sympy.denom(sympy.together(dv))
    if common != 1:  # v′ = 1/x + 1 (a logarithm in v): the key is one fraction with none inside it
        df = sympy.together(df)
        steps.append(Step(text("steps.clear_inner_fraction", factor=Math(common)), df))
    slips = [
        ("reciprocal_of_derivative", k / dv, {}),
        ("reciprocal_inner_dropped", -k / inner**2, {}),
        ("reciprocal_sign", k * dv / inner**2, {}),
    ]
    return Built(f, df, "reciprocal", steps, slips)


def _inner_polynomial(rng: random.Random) -> sympy.Expr:
    """The inside of a chain: not x + c (its derivative 1 would make the chain rule invisible)."""
    power = rng.choice([1, 2, 3])
    coefficient = rng.choice([-4, -3, -2, 2, 3, 4]) if power == 1 else nonzero(rng, -4, 4)
    return coefficient * x**power + nonzero(rng, -5, 5)


def _chain_layers(rng: random.Random, depth: int) -> list[tuple[sympy.Expr, sympy.Expr]]:
    """(outer(u), inner) pairs from the inside out. Depth 1: a standard function of a
    polynomial; depth 2: compositions a course uses (e^(sin kx), sin²(kx), ln(1 + e^(kx)), …)."""
    k = rng.choice([2, 3, 4])
    if depth == 1:
        inner = _inner_polynomial(rng)
        name = rng.choice(["sin", "cos", "exp", "power", "log", "sqrt"])
        if name == "power":
            return [(u ** rng.choice([3, 4, 5, -1, -2]), inner)]
        if name in ("log", "sqrt"):
            inner = nonzero(rng, 1, 4) * x**2 + rng.randint(1, 6)  # positive: defined everywhere
            return [((sympy.log(u) if name == "log" else sympy.sqrt(u)), inner)]
        return [({"sin": sympy.sin, "cos": sympy.cos, "exp": sympy.exp}[name](u), inner)]
    c, p = rng.randint(1, 5), nonzero(rng, -3, 3)
    templates = {
        "exp_sin": lambda: [(sympy.sin(u), k * x), (sympy.exp(u), sympy.sin(k * x))],
        "sin_squared": lambda: [(sympy.sin(u), k * x), (u**2, sympy.sin(k * x))],
        "cos_cubed": lambda: [(sympy.cos(u), k * x), (u**3, sympy.cos(k * x))],
        "softplus": lambda: [(sympy.exp(u), k * x), (sympy.log(1 + u), sympy.exp(k * x))],
        "gaussian": lambda: [(sympy.exp(u), -k * x**2)],
        "three_halves": lambda: [(u ** sympy.Rational(3, 2), x**2 + c)],
        "distance": lambda: [(sympy.sqrt(u), (x + p) ** 2 + c)],
        "sigmoid": lambda: [(sympy.exp(u), -k * x), (1 / (1 + u), sympy.exp(-k * x))],
    }
    return templates[rng.choice(sorted(templates))]()


def _chain(rng: random.Random, depth: int) -> Built:
    """A composition, differentiated one layer at a time, from the outside in."""
    layers = _chain_layers(rng, depth)
    f = layers[0][1]
    for outer, _ in layers:
        f = outer.xreplace({u: f})
    steps = []
    factors = []
    for outer, inside in reversed(layers):
        d_outer = d(outer, u)
        factors.append(d_outer.xreplace({u: inside}))
        steps.append(Step(text("steps.chain_layer", outer=Math(outer), inner=Math(inside), d_outer=Math(d_outer))))
    innermost = layers[0][1]
    d_innermost = d(innermost, x)
    df = sympy.Mul(*factors) * d_innermost
    chain_form = sympy.Mul(*factors, d_innermost, evaluate=False)
    steps.append(Step(text("steps.chain_multiply"), chain_form))
    steps.append(Step(text("steps.simplify"), df))
    slips = [("chain_inner_dropped", factors[0], {"inner": Math(sympy.Mul(*factors[1:]) * d_innermost)})]
    if len(layers) > 1:
        slips.append(("chain_innermost_dropped", sympy.Mul(*factors), {"inner": Math(d_innermost)}))
    return Built(f, df, "chain", steps, slips)


MAX_KEY_LENGTH = 160  # characters of the key as a student would type it

SANITY_POINTS = (-2.5, -1.5, -0.5, 0.5, 1.5, 2.5)


def _moderate(expr: sympy.Expr, limit: float = 1e15) -> bool:
    """True when |expr| stays below ``limit`` wherever it is defined at a few points of both
    signs: a composition such as e^(e^((4x³ − 4)⁴)) is not a problem for students (nor for any
    grader)."""
    from flint import arb

    from exgen.answers.numeric import Status, compile_tree, evaluate, precision
    from exgen.answers.sympy_bridge import from_sympy

    evaluator = compile_tree(from_sympy(expr), ("x",))
    defined = 0
    with precision(64):
        for value in SANITY_POINTS:
            result = evaluate(evaluator, [arb(value)])
            if result.status is Status.REAL:
                magnitude = abs(result.real)
                if not magnitude.is_finite() or magnitude > limit:
                    return False
                defined += 1
            elif result.status is Status.UNCERTAIN:
                return False
    return defined >= 2


RULES_BY_DIFFICULTY = {
    1: ["power", "power", "exp_log", "trig"],
    2: ["product", "quotient", "reciprocal", "chain", "exp_log", "trig"],
    3: ["chain", "chain", "product", "quotient", "reciprocal"],
}


@family(
    "derivative_rules",
    title="families.derivative_rules.title",
    summary="families.derivative_rules.summary",
    asks=("derivative",),
)
class DerivativeRules(Family):
    def build(self, rng: random.Random, difficulty: int) -> tuple[Text, dict[str, str], list[Part]]:
        rule = rng.choice(RULES_BY_DIFFICULTY[difficulty])
        builders = {
            "power": _power_terms, "exp_log": _exp_log, "trig": _trig, "product": _product,
            "quotient": _quotient, "reciprocal": _reciprocal,
        }
        built = _chain(rng, 1 if difficulty == 2 else 2) if rule == "chain" else builders[rule](rng, difficulty)
        if sympy.count_ops(built.f) > 40 or built.df == 0:
            raise RejectVariant("too long or constant")
        if len(sstr(built.df)) > MAX_KEY_LENGTH:
            raise RejectVariant("the derivative is too long to type by hand")
        if not _moderate(built.df):
            raise RejectVariant("the derivative takes astronomically large values (e^(e^(...)))")
        key = built.df
        steps = [Step(text(f"steps.rule_name.{built.rule}")), *built.explain]
        if steps[-1].value is None or steps[-1].value != key:  # one that only prints like the last step is dropped later
            steps.append(Step(text("steps.result"), key))
        mistakes = [Mistake(slip, text(f"mistakes.{slip}", **params), wrong) for slip, wrong, params in built.slips]
        if built.rule not in ("quotient", "reciprocal"):  # there the reversed rule is already −f′
            mistakes.append(Mistake("sign_error", text("mistakes.sign_error"), -key))
        part = Part(
            id="a",
            prompt=text("problems.derivative_rules.prompt"),
            kind="expression",
            answer=key,
            ask="derivative",
            args={"f": "f", "var": "x"},
            variables=("x",),
            steps=tuple(steps),
            mistakes=tuple(mistakes),
        )
        statement = text("problems.derivative_rules.statement", f=Math(sympy.Eq(f_of_x, built.f, evaluate=False)))
        return statement, {"f": sstr(built.f)}, [part]
