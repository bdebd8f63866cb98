"""Inputs built from the grammar's own tokens: whatever a student types, every answer kind
returns a verdict with a message, never an internal error."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exgen import check

TOKENS = [
    "x", "y", "2", "0", "10", "0.5", ".5", "1e5", "e", "pi", "π", "sigma", "σ", "sin", "cos", "tan", "ln", "log", "exp",
    "sqrt", "√", "abs", "sign", "max", "min", "atan2", "asin", "acosh", "sinh", "+", "-", "−", "*", "×", "·", "/", "^",
    "**", "²", "⁻¹", "(", ")", "[", "]", "{", "}", "|", ",", "=", "<", ">", " ", "  ", "!", "_", "__import__", "'",
    "x_1", "diff", "none", "min", "saddle", "neither", "local", "^-1", "^2", "^(", "×10^", "１", "ｘ", "\u200b",
    "inf", "oo", ";", ":", "%", "$", "#", "\\", "xy", "2x", "sin^2", "sin^", "ln^2.0", "9^9^9", "0^0", "1/0",
    "maximum", "min", "max", "local minimum", "saddle point", " at ", " is a ", "and", "x =", "x=-1", ": ",
]
CASES = [
    ("expression", "2x e^(x^2)", "x,y"),
    ("number", "1/sqrt(2)", None),
    ("points", "(0, 0), (2, -4)", "x,y"),
    ("points", "-1, 0, 2", "x"),
    ("vector", "(2x, 2y)", "x,y"),
    ("label", "minimum", None),
    ("equation", "y = 2x - 1", "x,y"),
    ("classified_points", "x = -1: minimum, x = 2: maximum", "x"),
    ("classified_points", "(0, 0): saddle, (1, 1): minimum", "x,y"),
]
UNFILLED = re.compile(r"\{[a-z_]+\}")  # a placeholder the message did not get
answers = st.lists(st.sampled_from(TOKENS), min_size=0, max_size=14).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(answers, st.sampled_from(CASES))
def test_grammar_tokens_never_cause_an_internal_error(answer: str, case: tuple[str, str, str | None]) -> None:
    from exgen.answers.kinds import KINDS

    assert {kind for kind, _, _ in CASES} == set(KINDS)  # every answer kind is fuzzed
    kind, expected, variables = case
    verdict = check(expected, answer, kind=kind, vars=variables, functions=["sigma"], time_limit=2)
    assert verdict.code != "internal_error", (answer, verdict)
    assert verdict.message and not UNFILLED.search(verdict.message), (answer, verdict.message)
    assert len(verdict.message) < 400, verdict.message
