"""Sigmoid and activations: σ′ = σ(1 − σ), derivatives of σ(ax + b), tanh, softplus, log σ,
swish x·σ(ax) and σ′ itself.

Every version asks (a) f′(x) and (b) f′ at a point where the activation's argument is ln k, so
σ(ln k) = k/(k + 1) and tanh(ln k) = (k² − 1)/(k² + 1) are small fractions. Keys keep the
activation (students may type ``sigma``) in the form a textbook writes: a σ(z)(1 − σ(z)).

* d1: σ(x), σ(ax + b), tanh(x), tanh(ax + b);
* d2: σ(ax + b), tanh(ax + b), softplus ln(1 + e^(ax + b)), with |a| ≥ 2;
* d3: log σ(ax + b), swish x·σ(ax), and σ′(ax + b) = σ(1 − σ) differentiated once more.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import sympy

from exgen.answers.sympy_bridge import sigmoid
from exgen.problems.base import Family, RejectVariant, family, nonzero, sstr
from exgen.problems.model import Math, Mistake, Part, Step, Text, text
from exgen.problems.steps import as_log_of, call, equation, replaced, substituted

x = sympy.Symbol("x")
S = sympy.Symbol("s")  # stands for the activation's value at the point, in worked arithmetic
ODDS = [sympy.Integer(1), sympy.Integer(3), sympy.Rational(1, 3), sympy.Integer(2)]
VARIANTS = {
    1: ["sigmoid", "sigmoid_affine", "tanh", "tanh_affine"],
    2: ["sigmoid_affine", "tanh_affine", "softplus"],
    3: ["log_sigmoid", "swish", "sigmoid_prime"],
}


def _mul(*factors: object) -> sympy.Expr:
    return sympy.Mul(*factors, evaluate=False)


def _sigma_text(expr: sympy.Expr) -> str:
    """Givens must be re-derivable without exgen: write σ with exp."""
    return sstr(expr.replace(sigmoid, lambda arg: 1 / (1 + sympy.exp(-arg))))


@dataclass
class Variant:
    f: sympy.Expr
    key: sympy.Expr
    inner: sympy.Expr  # the activation's argument z
    activation: sympy.Expr  # σ(z) or tanh(z)
    steps: list[Step] = field(default_factory=list)
    slips: list[Mistake] = field(default_factory=list)


def _variant(name: str, a: int, b: int) -> Variant:
    z = a * x + b
    s = sigmoid(z)
    inner_d = Math(sympy.Integer(a))
    if name == "sigmoid":
        s = sigmoid(x)
        key = _mul(s, 1 - s)
        return Variant(s, key, x, s, [Step(text("steps.sigmoid_derivative"), key)], [
            Mistake("sigma_prime_is_sigma", text("mistakes.sigma_prime_is_sigma"), s),
            Mistake("sigma_plus", text("mistakes.sigma_plus"), s * (1 + s)),
        ])
    if name == "sigmoid_affine":
        key = _mul(a, s, 1 - s) if a != 1 else _mul(s, 1 - s)
        slips = [Mistake("sigma_prime_is_sigma", text("mistakes.sigma_prime_is_sigma"), a * s)]
        if a != 1:
            slips.insert(0, Mistake("chain_inner_dropped", text("mistakes.chain_inner_dropped", inner=inner_d), _mul(s, 1 - s)))
        return Variant(s, key, z, s, [Step(text("steps.sigmoid_chain", z=Math(z), a=inner_d), key)], slips)
    if name in ("tanh", "tanh_affine"):
        z = x if name == "tanh" else z
        t = sympy.tanh(z, evaluate=False)  # tanh(3 − 4x) as written, not −tanh(4x − 3)
        a = 1 if name == "tanh" else a
        key = _mul(a, 1 - t**2) if a != 1 else 1 - t**2
        slips = [Mistake("tanh_plus", text("mistakes.tanh_plus"), a * (1 + t**2))]
        if a != 1:
            slips.append(Mistake("chain_inner_dropped", text("mistakes.chain_inner_dropped", inner=Math(sympy.Integer(a))), 1 - t**2))
        return Variant(t, key, z, t, [Step(text("steps.tanh_derivative", z=Math(z), a=Math(sympy.Integer(a))), key)], slips)
    if name == "softplus":
        f = sympy.log(1 + sympy.exp(z))
        key = _mul(a, s)
        return Variant(f, key, z, s, [
            Step(text("steps.softplus_derivative", z=Math(z)), a * sympy.exp(z) / (1 + sympy.exp(z))),
            Step(text("steps.softplus_is_sigmoid"), key),
        ], [
            Mistake("log_inner_dropped", text("mistakes.log_inner_dropped"), 1 / (1 + sympy.exp(z))),
            Mistake("chain_inner_dropped", text("mistakes.chain_inner_dropped", inner=inner_d), s),
        ])
    if name == "log_sigmoid":
        f = sympy.log(s)
        key = _mul(a, 1 - s)
        return Variant(f, key, z, s, [
            Step(text("steps.log_sigmoid", z=Math(z)), _mul(_mul(a, s, 1 - s), sympy.Pow(s, -1, evaluate=False))),
            Step(text("steps.simplify"), key),
        ], [
            Mistake("log_inner_dropped", text("mistakes.log_inner_dropped"), 1 / s),
            Mistake("log_sigmoid_not_divided", text("mistakes.log_sigmoid_not_divided"), _mul(a, s, 1 - s)),
            Mistake("chain_inner_dropped", text("mistakes.chain_inner_dropped", inner=inner_d), 1 - s),
        ])
    if name == "swish":
        s = sigmoid(a * x)
        key = sympy.Add(s, _mul(a, x, s, 1 - s), evaluate=False)
        return Variant(x * s, key, a * x, s, [
            Step(text("steps.product_rule", u=Math(x), v=Math(s), du=Math(sympy.Integer(1)), dv=Math(_mul(a, s, 1 - s))), key),
        ], [
            Mistake("product_as_product", text("mistakes.product_as_product"), _mul(a, s, 1 - s)),
            Mistake("product_half", text("mistakes.product_half"), s),
            Mistake("chain_inner_dropped", text("mistakes.chain_inner_dropped", inner=inner_d), s + x * s * (1 - s)),
        ])
    # sigmoid_prime: f = σ(z)(1 − σ(z)); f′ = a σ(1 − σ)(1 − 2σ)
    f = _mul(s, 1 - s)
    key = _mul(a, s, 1 - s, 1 - 2 * s)
    return Variant(f, key, z, s, [
        Step(text("steps.sigmoid_prime_product", z=Math(z), a=inner_d),
             sympy.Add(_mul(a, s, 1 - s, 1 - s), -_mul(a, s, s, 1 - s), evaluate=False)),
        Step(text("steps.factor_out"), key),
    ], [
        Mistake("product_half", text("mistakes.product_half"), _mul(a, s, 1 - s, 1 - s)),
        Mistake("chain_inner_dropped", text("mistakes.chain_inner_dropped", inner=inner_d), _mul(s, 1 - s, 1 - 2 * s)),
    ])


def _exact(value: sympy.Expr) -> sympy.Expr:
    """Numbers built from exact parts are exact already; only a float would need a guess."""
    if any(isinstance(a, sympy.Float) for a in sympy.preorder_traversal(value)):
        raise RejectVariant("a decimal crept in")
    return sympy.expand_log(value) if value.has(sympy.log) else value


@family(
    "activations",
    title="families.activations.title",
    summary="families.activations.summary",
    asks=("derivative", "derivative_at"),
)
class Activations(Family):
    def build(self, rng: random.Random, difficulty: int) -> tuple[Text, dict[str, str], list[Part]]:
        name = rng.choice(VARIANTS[difficulty])
        a = nonzero(rng, -4, 4) if difficulty == 1 else rng.choice([-4, -3, -2, 2, 3, 4])
        b = rng.randint(-3, 3) if name != "swish" else 0
        if name == "sigmoid_affine" and difficulty == 1 and a == 1 and b == 0:
            raise RejectVariant("that is σ(x) itself")
        variant = _variant(name, a, b)
        uses_sigma = variant.f.has(sigmoid) or sympy.sympify(variant.key).has(sigmoid)
        functions = ("sigma",) if uses_sigma else ()
        key = variant.key
        derivative = Part(
            id="a", prompt=text("problems.activations.prompt" if uses_sigma else "problems.activations.prompt_plain"),
            kind="expression", answer=key, ask="derivative", args={"f": "f", "var": "x"}, variables=("x",), functions=functions,
            steps=tuple(variant.steps), mistakes=(*variant.slips, Mistake("sign_error", text("mistakes.sign_error"), -key)),
        )

        # the point: the activation's argument is ln k there
        odds = rng.choice(ODDS)
        target = sympy.log(odds)
        slope = sympy.diff(variant.inner, x)
        offset = variant.inner.xreplace({x: 0})
        point = (target - offset) / slope
        is_tanh = isinstance(variant.activation, sympy.tanh)
        activation_value = (odds**2 - 1) / (odds**2 + 1) if is_tanh else odds / (1 + odds)
        at_s = sympy.sympify(key).xreplace({variant.activation: S})
        value = _exact(at_s.xreplace({S: activation_value, x: point}))
        f_value = sympy.sympify(variant.f).xreplace({variant.activation: activation_value}).xreplace({x: point})
        if value == 0:
            raise RejectVariant("f′ is 0 there")
        written_log = as_log_of(odds)  # z = −ln 3 = ln(1/3): the k of σ(ln k)
        z_work = (equation(sympy.Symbol("z"), target, *written_log) if variant.inner == x
                  else equation(sympy.Symbol("z"), substituted(variant.inner, {"x": point}), target, *written_log))
        name_of = "tanh" if is_tanh else "sigma"
        values_step = Step(text(f"steps.activation_value.{name_of}", z=Math(z_work),
                                value=Math(equation(call(name_of, written_log[0] if written_log else target), activation_value))))
        work = replaced(key, {variant.activation: activation_value}, {"x": point})
        mistakes = [Mistake("value_not_derivative", text("mistakes.value_not_derivative"), _exact(f_value))]
        at_part = Part(
            id="b", prompt=text("problems.activations.prompt_at", point=Math(sympy.Eq(x, point, evaluate=False))),
            kind="number", answer=value, ask="derivative_at", args={"f": "f", "var": "x", "at": sstr(point)},
            steps=(values_step, Step(text("steps.substitute_into_derivative"), work), Step(text("steps.conclude"), value)),
            mistakes=tuple(mistakes), depends_on=("a",), nice="rational" if value.is_Rational else None,
        )
        statement = text(
            "problems.activations.statement" if uses_sigma else "problems.activations.statement_plain",
            f=Math(sympy.Eq(sympy.Function("f")(x), variant.f, evaluate=False)),
        )
        return statement, {"f": _sigma_text(variant.f)}, [derivative, at_part]
