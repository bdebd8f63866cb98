"""Properties over random functions built from the supported pieces.

For a random f, sympy (trusted) differentiates it; rewritten forms of f′ typed as a student
would type them must be accepted, and the classic slips must be rejected: the missing chain
factor, a sign error, and the product rule done as a product of derivatives.
"""

from __future__ import annotations

import random

import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from exgen import check
from exgen.answers.sympy_bridge import sigmoid, to_calculator

x = sympy.Symbol("x")

OUTER = [sympy.sin, sympy.cos, sympy.exp, lambda u: u**2, lambda u: u**3, lambda u: sympy.log(u**2 + 1),
         lambda u: sympy.sqrt(u**2 + 1), lambda u: 1 / (1 + sympy.exp(-u)), sympy.tanh]
INNER = [lambda: x, lambda: 2 * x, lambda: x**2, lambda: 3 * x + 1, lambda: x**2 - x, lambda: sympy.sin(x),
         lambda: sympy.exp(x), lambda: x**3 + 2]

outer_index = st.integers(0, len(OUTER) - 1)
inner_index = st.integers(0, len(INNER) - 1)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _differs(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Trusted test oracle: do two expressions differ at some sample point?"""
    for value in (0.37, -1.21, 2.03):
        va, vb = complex(a.subs(x, value).evalf(30)), complex(b.subs(x, value).evalf(30))
        if abs(va - vb) > 1e-9 * max(1.0, abs(va)):
            return True
    return False


def _rewrites(derivative: sympy.Expr, seed: int) -> list[str]:
    forms = [derivative, sympy.expand(derivative), sympy.factor(derivative)]
    # tanh and the sigmoid in terms of e^x (not powers: e^(2 ln x) for x^2 holds only for x > 0)
    as_exponentials = derivative.rewrite([sympy.tanh, sigmoid], sympy.exp)
    if not as_exponentials.has(sympy.I):
        forms.append(as_exponentials)
    rng = random.Random(seed)
    texts = []
    for form in forms:
        terms = list(sympy.Add.make_args(form))
        rng.shuffle(terms)  # reordered terms, as a student might write them
        texts.append(" + ".join(f"({to_calculator(t)})" for t in terms))
    return texts


@SETTINGS
@given(outer_index, inner_index, st.integers(0, 10**6))
def test_rewritten_derivatives_are_accepted(o: int, i: int, seed: int) -> None:
    f = OUTER[o](INNER[i]())
    derivative = sympy.diff(f, x)
    expected = to_calculator(derivative)
    for typed in _rewrites(derivative, seed):
        verdict = check(expected, typed, vars="x")
        assert verdict.verdict == "correct", (expected, typed, verdict.evidence)


@SETTINGS
@given(outer_index, inner_index)
def test_missing_chain_factor_is_rejected(o: int, i: int) -> None:
    u = sympy.Symbol("u")
    inner = INNER[i]()
    outer_derivative = sympy.diff(OUTER[o](u), u).subs(u, inner)
    correct = outer_derivative * sympy.diff(inner, x)
    assume(_differs(correct, outer_derivative))
    verdict = check(to_calculator(correct), to_calculator(outer_derivative), vars="x")
    assert verdict.verdict == "incorrect", verdict


@SETTINGS
@given(outer_index, inner_index)
def test_sign_error_is_rejected(o: int, i: int) -> None:
    derivative = sympy.diff(OUTER[o](INNER[i]()), x)
    assume(_differs(derivative, -derivative))
    verdict = check(to_calculator(derivative), to_calculator(-derivative), vars="x")
    assert verdict.verdict == "incorrect", verdict


@SETTINGS
@given(inner_index, inner_index)
def test_product_rule_as_product_of_derivatives_is_rejected(i: int, j: int) -> None:
    f, g = INNER[i](), sympy.cos(INNER[j]())
    correct = sympy.diff(f * g, x)
    slip = sympy.diff(f, x) * sympy.diff(g, x)
    assume(_differs(correct, slip))
    verdict = check(to_calculator(correct), to_calculator(slip), vars="x")
    assert verdict.verdict == "incorrect", verdict


@SETTINGS
@given(st.text(max_size=60))
def test_arbitrary_text_never_crashes(text: str) -> None:
    verdict = check("3*x^2", text, vars="x")
    assert verdict.verdict in ("correct", "incorrect", "invalid", "review")
    assert verdict.message


@SETTINGS
@given(st.text(alphabet="x1234567890+-*/^()|. esincolgqrtap", max_size=40))
def test_calculator_like_text_never_crashes(text: str) -> None:
    verdict = check("3*x^2", text, vars="x")
    assert verdict.code != "internal_error", (text, verdict)
