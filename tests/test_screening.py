"""Screening mistake models (answers.check.rules_out): a quick, certified "certainly not",
never said of an answer the full check accepts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exgen import check
from exgen.answers.check import rules_out


@pytest.mark.parametrize("expected, answer, kind, out", [
    ("x^2", "x^2 + 1", "expression", True),
    ("2x e^(x^2)", "e^(x^2) * 2x", "expression", False),  # equivalent
    ("sigma(x)(1 - sigma(x))", "sigma(x) - sigma(x)^2", "expression", False),
    ("abs(x)", "x", "expression", False),  # equal at the screening point: the full check decides
    ("sqrt(x)^2", "x", "expression", False),
    ("ln(x)", "ln(-x)", "expression", False),  # not real at the point: unsure
    ("x", "x + 10^(-60)", "expression", False),  # too close for the screen's precision
    ("x", "x + 10^(-20)", "expression", True),
    ("(2x, 2y)", "(2x, 2y, 0)", "vector", True),
    ("(2x, 2y)", "(2y, 2x)", "vector", True),
    ("(2x, 2y)", "(x + x, y*2)", "vector", False),
    ("(2x, 2y)", "((", "vector", False),  # unreadable: the full check says invalid
    ("3/4", "0.75", "number", False),  # a decimal: the tolerance decides
    ("3/4", "6/8", "number", False),
    ("3/4", "3/5", "number", True),  # two different rationals
    ("-13", "-9", "number", True),
    ("-13", "-13.0", "number", False),
    ("sqrt(2)", "1", "number", False),  # not rational: the full check decides
    ("3/4", "x", "number", False),  # not a number: the full check says invalid
    ("(1, 2) min", "(1, 3) min", "classified_points", True),  # another point, exactly
    ("(1, 2) min", "(1, 2) max", "classified_points", True),  # another label
    ("(1, 2) min; (0, 0) saddle", "(0, 0) saddle; (1, 2) min", "classified_points", False),  # any order
    ("(1, 2) min; (0, 0) saddle", "(1, 2) min", "classified_points", True),  # fewer points
    ("(1, 2) min", "(1, 2) min; (1, 2) min", "classified_points", False),  # repeated: the full check warns
    ("(1, 2) min", "(2/2, 4/2) min", "classified_points", False),
    ("(1, 2) min", "(1.0, 2) min", "classified_points", False),  # decimals: the tolerance decides
    ("(sqrt(2), 0) min", "(1.41421356, 0) min", "classified_points", False),  # not rational
    ("(1, 2) min", "(1, 2) minimum", "classified_points", False),  # a synonym of the label
    ("(1, 2) min", "(1, 2", "classified_points", False),  # unreadable
    ("x^2", "x^", "expression", False),
])
def test_rules_out(expected: str, answer: str, kind: str, out: bool) -> None:
    variables = "x,y" if kind == "classified_points" else None
    assert rules_out(expected, answer, kind=kind, functions=["sigma"], vars=variables) is out
    if out:
        assert not check(expected, answer, kind=kind, functions=["sigma"], vars=variables).correct


_POINTS = st.lists(st.tuples(st.integers(-2, 2), st.integers(-2, 2), st.sampled_from(["min", "max", "saddle"])), max_size=3)


@settings(max_examples=150, deadline=None)
@given(_POINTS, _POINTS)
def test_a_classified_list_ruled_out_is_never_accepted(expected, answer) -> None:
    def typed(rows) -> str:
        return "; ".join(f"({x}, {y}) {label}" for x, y, label in rows) or "none"

    if rules_out(typed(expected), typed(answer), kind="classified_points", vars="x,y"):
        assert not check(typed(expected), typed(answer), kind="classified_points", vars="x,y").correct
    assert not rules_out(typed(expected), typed(expected), kind="classified_points", vars="x,y")


_ATOMS = ["x", "y", "2", "-3", "1/2", "x^2", "exp(x)", "sin(y)", "ln(x^2 + 1)", "sigma(x)", "abs(x)", "sqrt(x^2)"]


@st.composite
def expressions(draw: st.DrawFn, depth: int = 2) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(_ATOMS))
    op = draw(st.sampled_from(["+", "-", "*", "/"]))
    return f"({draw(expressions(depth - 1))}) {op} ({draw(expressions(depth - 1))})"


@settings(max_examples=150, deadline=None)
@given(expressions(), expressions())
def test_a_ruled_out_answer_is_never_accepted(expected: str, answer: str) -> None:
    if rules_out(expected, answer, vars="x,y", functions=["sigma"]):
        assert not check(expected, answer, vars="x,y", functions=["sigma"]).correct
    # and an answer equal to the key by construction is never ruled out
    assert not rules_out(expected, f"({expected}) + 0*({answer})", vars="x,y", functions=["sigma"])


_RATIONALS = st.fractions(min_value=-20, max_value=20, max_denominator=9)


@settings(max_examples=150, deadline=None)
@given(_RATIONALS, _RATIONALS, st.sampled_from(["{}", "({})*1", "2*({})/2", "{} + 0"]))
def test_a_number_ruled_out_is_never_accepted(expected, answer, spelling: str) -> None:
    typed = spelling.format(f"{answer.numerator}/{answer.denominator}")
    out = rules_out(f"{expected.numerator}/{expected.denominator}", typed, kind="number")
    assert out is (expected != answer)
    assert check(f"{expected.numerator}/{expected.denominator}", typed, kind="number").correct is (expected == answer)
