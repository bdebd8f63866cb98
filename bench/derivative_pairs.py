"""A deterministic set of (expected derivative, typed answer, truth) pairs for benchmarks.

Functions are built the way exgen's derivative families build them (difficulty 1 to 3):
powers, exp, log, trig and the sigmoid, composed up to three deep, multiplied and divided.
sympy differentiates them (trusted). Each derivative is paired with rewritten equivalent forms
(as sympy gives it, expanded, factored, over a common denominator, terms reordered, in
exponential form) and with classic slips: the missing chain factor, a sign error, the product
rule as a product of derivatives, the quotient-rule numerator reversed, the power not lowered,
a dropped constant factor, and σ′ = σ.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import sympy

from exgen.answers.sympy_bridge import to_calculator

x = sympy.Symbol("x")
u = sympy.Symbol("u")

OUTER = [
    sympy.sin, sympy.cos, sympy.exp, sympy.tanh,
    lambda t: t**2, lambda t: t**3, lambda t: t**5,
    lambda t: sympy.log(t**2 + 1), lambda t: sympy.sqrt(t**2 + 1), lambda t: 1 / (1 + sympy.exp(-t)),
    lambda t: 1 / (t**2 + 1),
]
INNER = [2 * x, x**2, 3 * x + 1, x**2 - x, x**3 + 2, 5 * x - 2, x**2 + 3 * x, 2 * x**2 - 1]


MAX_TYPED = 300  # characters


@dataclass(frozen=True)
class Pair:
    expected: str
    answer: str
    truth: bool
    family: str


def _differs(a: sympy.Expr, b: sympy.Expr) -> bool:
    for value in (0.37, -1.21, 2.03, -0.55):
        va, vb = complex(a.subs(x, value).evalf(40)), complex(b.subs(x, value).evalf(40))
        if abs(va - vb) > 1e-12 * max(1.0, abs(va)):
            return True
    return False


def _typed(expr: sympy.Expr, rng: random.Random) -> str:
    terms = list(sympy.Add.make_args(expr))
    rng.shuffle(terms)  # a student writes the terms in any order
    return " + ".join(f"({to_calculator(t)})" if len(terms) > 1 else to_calculator(t) for t in terms)


def _chain(rng: random.Random, depth: int) -> tuple[sympy.Expr, sympy.Expr, sympy.Expr]:
    """f = outer(inner) with inner itself a chain when depth > 1; returns f, outer, inner."""
    inner = rng.choice(INNER)
    for _ in range(depth - 1):
        inner = rng.choice(OUTER)(inner)
    outer = rng.choice(OUTER)
    return outer(inner), outer(u), inner


def build_pairs(seed: int = 2026, target: int = 360) -> list[Pair]:
    rng = random.Random(seed)
    seen: set[tuple[str, str]] = set()
    pairs: list[Pair] = []

    def add(expected: sympy.Expr, answer: sympy.Expr | str, truth: bool, family: str) -> None:
        text = answer if isinstance(answer, str) else _typed(answer, rng)
        key = (to_calculator(expected), text)
        # Keep what a student would type by hand: expanded towers of powers are not answers.
        if len(text) > MAX_TYPED or len(key[0]) > MAX_TYPED:
            return
        if key not in seen and len(pairs) < target:
            seen.add(key)
            pairs.append(Pair(key[0], text, truth, family))

    while len(pairs) < target:
        difficulty = rng.choice((1, 2, 3))
        f, outer_u, inner = _chain(rng, difficulty)
        g, _, _ = _chain(rng, 1)
        shape = rng.choice(("chain", "product", "quotient", "sum"))
        if shape == "product":
            h = f * g
        elif shape == "quotient":
            h = f / (g**2 + 1)
        elif shape == "sum":
            h = rng.randint(2, 5) * f - g
        else:
            h = f
        derivative = sympy.diff(h, x)
        if derivative.count_ops() > 60:
            continue
        # equivalent forms a student may type
        add(derivative, derivative, True, f"{shape}-as-given")
        add(derivative, sympy.expand(derivative), True, f"{shape}-expanded")
        add(derivative, sympy.factor(derivative), True, f"{shape}-factored")
        add(derivative, sympy.together(derivative), True, f"{shape}-together")
        # tanh in terms of e^x; powers stay powers (e^(2 ln x) for x^2 holds only for x > 0)
        exponential = derivative.rewrite(sympy.tanh, sympy.exp)
        if not exponential.has(sympy.I) and exponential != derivative:
            add(derivative, exponential, True, f"{shape}-exp")
        # classic slips
        missing_chain = sympy.diff(outer_u, u).subs(u, inner)
        chain_derivative = sympy.diff(f, x)
        if shape == "chain" and _differs(chain_derivative, missing_chain):
            add(derivative, missing_chain, False, "missing-chain-factor")
        add(derivative, -derivative, False, "sign-error")
        if shape == "product":
            slip = sympy.diff(f, x) * sympy.diff(g, x)
            if _differs(derivative, slip):
                add(derivative, slip, False, "product-as-product")
        if shape == "quotient":
            num, den = f, g**2 + 1
            reversed_numerator = (num * sympy.diff(den, x) - sympy.diff(num, x) * den) / den**2
            if _differs(derivative, reversed_numerator):
                add(derivative, reversed_numerator, False, "quotient-reversed")
        if shape == "sum":
            dropped = sympy.diff(f - g, x)
            if _differs(derivative, dropped):
                add(derivative, dropped, False, "dropped-constant-factor")
    for k in range(2, 9):
        power = x**k + 3 * x
        add(sympy.diff(power, x), f"{k}x^{k} + 3", False, "power-not-lowered")
        add(sympy.diff(power, x), f"3 + {k} x^{k - 1}", True, "power-rule")
    sig = 1 / (1 + sympy.exp(-x))
    add(sympy.diff(sig, x), "1/(1+e^(-x))", False, "sigma-prime-is-sigma")
    return pairs
