"""Sigmoid and activations: σ′ = σ(1 − σ), derivatives of σ(ax + b), tanh and softplus.

Keys use the sigmoid itself (students may type ``sigma``); values at a point are chosen where
σ is a nice number: σ(0) = 1/2 and σ(ln k) = k/(k + 1).
"""

from __future__ import annotations

import random

import sympy

from exgen.answers.sympy_bridge import sigmoid
from exgen.problems.base import Family, RejectVariant, family, nonzero, sstr
from exgen.problems.calculus import d
from exgen.problems.model import Math, Mistake, Part, Step, Text, text

x = sympy.Symbol("x")


def _sigma_text(expr: sympy.Expr) -> str:
    """Givens must be re-derivable without exgen: write σ with exp."""
    return sstr(expr.replace(sigmoid, lambda arg: 1 / (1 + sympy.exp(-arg))))


def _derivative_part(f: sympy.Expr, key: sympy.Expr, steps: list[Step], slips: list[Mistake], prompt: str) -> Part:
    return Part(
        id="a",
        prompt=text(prompt),
        kind="expression",
        answer=key,
        ask="derivative",
        args={"f": "f", "var": "x"},
        variables=("x",),
        functions=("sigma",),
        steps=tuple(steps),
        mistakes=tuple(slips) + (Mistake("sign_error", text("mistakes.sign_error"), -key),),
    )


@family(
    "activations",
    title="families.activations.title",
    summary="families.activations.summary",
    asks=("derivative", "derivative_at"),
)
class Activations(Family):
    def build(self, rng: random.Random, difficulty: int) -> tuple[Text, dict[str, str], list[Part]]:
        variant = rng.choice(
            {1: ["sigmoid", "sigmoid_affine", "sigmoid_affine", "tanh", "tanh_affine"], 2: ["sigmoid_affine", "tanh_affine", "softplus", "sigmoid_at"],
             3: ["log_sigmoid", "sigmoid_product", "tanh_of_sigmoid", "softplus_affine"]}[difficulty]
        )
        a, b = nonzero(rng, -4, 4), rng.randint(-3, 3)
        z = a * x + b
        s = sigmoid(z)
        parts: list[Part] = []
        if variant == "sigmoid":
            f = sigmoid(x)
            key = sigmoid(x) * (1 - sigmoid(x))
            steps = [Step(text("steps.sigmoid_derivative"), key)]
            slips = [Mistake("sigma_prime_is_sigma", text("mistakes.sigma_prime_is_sigma"), sigmoid(x)),
                     Mistake("sigma_plus", text("mistakes.sigma_plus"), sigmoid(x) * (1 + sigmoid(x)))]
        elif variant in ("sigmoid_affine", "sigmoid_at"):
            f = s
            key = a * s * (1 - s)
            steps = [Step(text("steps.sigmoid_chain", z=Math(z), a=Math(sympy.Integer(a))), key)]
            slips = [Mistake("chain_inner_dropped", text("mistakes.chain_inner_dropped", inner=Math(sympy.Integer(a))), s * (1 - s)),
                     Mistake("sigma_prime_is_sigma", text("mistakes.sigma_prime_is_sigma"), a * s)]
        elif variant in ("tanh", "tanh_affine"):
            z = x if variant == "tanh" else z
            f = sympy.tanh(z)
            inner = d(z, x)
            key = inner * (1 - sympy.tanh(z) ** 2)
            steps = [Step(text("steps.tanh_derivative", z=Math(z)), key)]
            slips = [Mistake("tanh_plus", text("mistakes.tanh_plus"), inner * (1 + sympy.tanh(z) ** 2)),
                     Mistake("chain_inner_dropped", text("mistakes.chain_inner_dropped", inner=Math(inner)), 1 - sympy.tanh(z) ** 2)]
        elif variant in ("softplus", "softplus_affine"):
            z = x if variant == "softplus" else z
            f = sympy.log(1 + sympy.exp(z))
            inner = d(z, x)
            key = inner * sigmoid(z)
            steps = [Step(text("steps.softplus_derivative", z=Math(z)), inner * sympy.exp(z) / (1 + sympy.exp(z))),
                     Step(text("steps.softplus_is_sigmoid"), key)]
            slips = [Mistake("log_inner_dropped", text("mistakes.log_inner_dropped"), 1 / (1 + sympy.exp(z))),
                     Mistake("chain_inner_dropped", text("mistakes.chain_inner_dropped", inner=Math(inner)), sigmoid(z))]
        elif variant == "log_sigmoid":
            f = sympy.log(s)
            key = a * (1 - s)
            steps = [Step(text("steps.log_sigmoid", z=Math(z)), a * s * (1 - s) / s), Step(text("steps.simplify"), key)]
            slips = [Mistake("log_inner_dropped", text("mistakes.log_inner_dropped"), 1 / s),
                     Mistake("sigma_prime_is_sigma", text("mistakes.sigma_prime_is_sigma"), sympy.Integer(a))]
        elif variant == "sigmoid_product":
            f = x * s
            key = s + x * a * s * (1 - s)
            steps = [Step(text("steps.product_rule", u=Math(x), v=Math(s), du=Math(sympy.Integer(1)), dv=Math(a * s * (1 - s))), key)]
            slips = [Mistake("product_as_product", text("mistakes.product_as_product"), a * s * (1 - s)),
                     Mistake("product_half", text("mistakes.product_half"), s)]
        else:  # tanh_of_sigmoid
            f = sympy.tanh(s)
            key = (1 - sympy.tanh(s) ** 2) * a * s * (1 - s)
            steps = [Step(text("steps.chain_layer", outer=Math(sympy.tanh(sympy.Symbol("u"))), inner=Math(s), d_outer=Math(1 - sympy.tanh(sympy.Symbol("u")) ** 2))),
                     Step(text("steps.chain_multiply"), key)]
            slips = [Mistake("chain_inner_dropped", text("mistakes.chain_inner_dropped", inner=Math(a * s * (1 - s))), 1 - sympy.tanh(s) ** 2),
                     Mistake("sigma_prime_is_sigma", text("mistakes.sigma_prime_is_sigma"), (1 - sympy.tanh(s) ** 2) * a * s)]
        parts.append(_derivative_part(f, key, steps, slips, "problems.activations.prompt"))
        givens = {"f": _sigma_text(f)}
        at_point = variant == "sigmoid_at" or (
            variant in ("sigmoid", "sigmoid_affine", "log_sigmoid") and difficulty >= 2 and rng.random() < 0.5
        )
        if at_point:
            # σ is a nice number where its argument is 0 or ln 3 (σ = 1/2 or 3/4): pick such a point.
            k = rng.choice([1, 3])
            inner_z, slope, offset = (x, 1, 0) if variant == "sigmoid" else (z, a, b)
            point = (sympy.log(k) - offset) / slope  # where the sigmoid's argument is ln k
            sigma_value = sympy.Rational(k, k + 1)
            value = key.xreplace({sigmoid(inner_z): sigma_value}).xreplace({x: point})
            if not value.is_Rational:
                raise RejectVariant("value at the point is not rational")
            parts.append(
                Part(
                    id="b",
                    prompt=text("problems.activations.prompt_at", point=Math(sympy.Eq(x, point, evaluate=False))),
                    kind="number",
                    answer=value,
                    ask="derivative_at",
                    args={"f": "f", "var": "x", "at": sstr(point)},
                    steps=(
                        Step(text("steps.sigmoid_value", z=Math(inner_z.xreplace({x: point})), s=Math(sigma_value))),
                        Step(text("steps.substitute"), value),
                    ),
                    mistakes=(Mistake("value_not_derivative", text("mistakes.value_not_derivative"), f.xreplace({sigmoid(inner_z): sigma_value}).xreplace({x: point})),),
                    depends_on=("a",),
                    nice="rational",
                )
            )
        uses_sigma = f.has(sigmoid) or key.has(sigmoid)
        statement = text(
            "problems.activations.statement" if uses_sigma else "problems.activations.statement_plain",
            f=Math(sympy.Eq(sympy.Function("f")(x), f, evaluate=False)),
        )
        return statement, givens, parts
