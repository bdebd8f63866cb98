"""Exact arithmetic in ℚ(√d) (exgen.answers.surds), checked against sympy."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from exgen.answers.surds import OutsideField, Surd, polynomial_gcd, same_surd, surd_value, with_exact_constants
from exgen.answers.sympy_bridge import to_sympy
from exgen.grading.ecf import given as read_given

fractions = st.fractions(min_value=-50, max_value=50, max_denominator=12)
radicands = st.sampled_from([2, 3, 5, 6, 7, 10, 69, 89])


def _sympy(value: Surd) -> sympy.Expr:
    return sympy.Rational(value.a.numerator, value.a.denominator) + sympy.Rational(value.b.numerator, value.b.denominator) * sympy.sqrt(value.d)


@st.composite
def surds(draw: st.DrawFn, d: int) -> Surd:
    a, b = draw(fractions), draw(fractions)
    return Surd(a) if b == 0 else Surd(a, b, d)


@settings(max_examples=200, deadline=None)
@given(st.data(), radicands)
def test_field_arithmetic_and_signs_are_exact(data: st.DataObject, d: int) -> None:
    x, y = data.draw(surds(d)), data.draw(surds(d))
    for got, expected in ((x + y, _sympy(x) + _sympy(y)), (x - y, _sympy(x) - _sympy(y)), (x * y, _sympy(x) * _sympy(y))):
        assert sympy.expand(_sympy(got) - expected) == 0
    if not y.is_zero():
        assert sympy.simplify(_sympy(x / y) - _sympy(x) / _sympy(y)) == 0
    assert x.sign() == sympy.sign(_sympy(x))
    assert abs(float(x) - float(_sympy(x))) <= 1e-9 * max(1.0, abs(float(x)))
    assert sympy.simplify(to_sympy(x.tree()) - _sympy(x)) == 0


def test_a_sign_decided_where_floating_point_cannot_tell() -> None:
    # (10¹² + 1) − √((10¹² + 1)² + 1) ≈ −5·10⁻¹³: floats round it to 0
    close = Surd(Fraction(10**12 + 1), Fraction(-1), (10**12 + 1) ** 2 + 1)
    assert float(close) == 0.0
    assert close.sign() == -1 == sympy.sign(_sympy(close))
    assert (-close).sign() == 1
    assert Surd(Fraction(0), Fraction(-3), 2).sign() == -1 and Surd(Fraction(0)).sign() == 0


@pytest.mark.parametrize("text, value", [
    ("sqrt(8)", (0, 2, 2)), ("24^(1/2)", (0, 2, 6)), ("1 - sqrt(6)/2", (1, Fraction(-1, 2), 6)),
    ("(2 + sqrt(6))^2", (10, 4, 6)), ("1/(1 + sqrt(2))", (-1, 1, 2)), ("sqrt(9/4)", (Fraction(3, 2), 0, 0)),
    ("sqrt(1/2)", (0, Fraction(1, 2), 2)), ("(sqrt(3))^3", (0, 3, 3)), ("3^(3/2)", (0, 3, 3)),
])
def test_constants_in_one_quadratic_field(text: str, value: tuple) -> None:
    a, b, d = value
    assert surd_value(read_given(text)) == Surd(Fraction(a), Fraction(b), d)


def _with_sigma(text: str):
    from exgen.answers.reader import ReadOptions, read

    return read(text, ReadOptions(functions=frozenset({"sigma"}))).tree


@pytest.mark.parametrize("text", [
    "exp(1 - 1)", "ln(-1 + 2)", "log10(1)", "cos(0)", "cosh(2 - 2)", "sin(0)", "tanh(0)", "atan(0)", "acos(1)",
    "sigma(0)", "abs(1 - sqrt(2))", "abs(-3/2)", "sign(1 - sqrt(2))", "sign(0)", "sec(0)",
])
def test_functions_at_their_rational_points(text: str) -> None:
    value = surd_value(_with_sigma(text))
    assert value is not None
    written = to_sympy(_with_sigma(text)).replace(  # sympy's sigmoid is an undefined function
        lambda e: getattr(e.func, "__name__", "") == "sigmoid", lambda e: 1 / (1 + sympy.exp(-e.args[0])))
    assert sympy.simplify(written - _sympy(value)) == 0


@pytest.mark.parametrize("text", ["exp(1)", "ln(2)", "cos(1)", "sin(sqrt(2))", "sigma(1)", "acos(0)", "log10(10)"])
def test_functions_elsewhere_are_outside_the_field(text: str) -> None:
    assert surd_value(_with_sigma(text)) is None


@pytest.mark.parametrize("text, folded", [
    # a sum's terms are folded one by one (the reader flattens the brackets into one sum)
    ("y - ((2 + 2)^(1/2) + 2*2 + 6*(x - 2))", "y - (2 + 4 + 6*(x - 2))"),
    ("y - (4 - 2*ln(-1 + 2) + 3*2 + 10*(x - 2))", "y - (4 + 0 + 6 + 10*(x - 2))"),
    ("y - (1 - 2*exp(-1 + 1) + 3*(x - 1))", "y - (1 - 2 + 3*(x - 1))"),
    ("x + sqrt(2)", "x + sqrt(2)"),  # irrational: kept as written
    ("x + exp(1)", "x + exp(1)"),
])
def test_constant_subtrees_with_a_rational_value_become_numbers(text: str, folded: str) -> None:
    from exgen.answers.printer import to_text

    tree = read_given(text)
    result = with_exact_constants(tree)
    assert to_text(result) == to_text(read_given(folded))
    assert sympy.simplify(to_sympy(result) - to_sympy(tree)) == 0
    if text == folded:
        assert result is tree  # nothing to fold: the same tree, not a copy


@pytest.mark.parametrize("text", ["sqrt(2) + sqrt(3)", "2^(1/3)", "sqrt(-2)", "sqrt(1 + sqrt(2))", "exp(1)", "x + 1", "pi"])
def test_constants_outside_one_quadratic_field(text: str) -> None:
    assert surd_value(read_given(text)) is None


@pytest.mark.parametrize("expected, answer, same", [
    ("1 - sqrt(6)/2", "(2 - sqrt(6))/2", True), ("sqrt(8)", "2 sqrt(2)", True), ("1/(1 + sqrt(2))", "sqrt(2) - 1", True),
    ("9/2 - sqrt(69)/2", "(9 - 69^(1/2))/2", True), ("sqrt(2)", "1.41421356237", False), ("sqrt(2)", "sqrt(3)", False),
    ("1 + sqrt(6)/2", "1 - sqrt(6)/2", False), ("sqrt(2) + sqrt(3)", "sqrt(3) + sqrt(2)", False),
])
def test_same_surd_proves_equality_and_never_difference(expected: str, answer: str, same: bool) -> None:
    result = same_surd(read_given(expected), read_given(answer))
    assert (result is not None) is same
    if same:
        assert sympy.simplify(to_sympy(read_given(expected)) - _sympy(result)) == 0


def test_mixing_two_fields_is_refused() -> None:
    with pytest.raises(OutsideField):
        Surd(Fraction(0), Fraction(1), 2) + Surd(Fraction(0), Fraction(1), 3)
    with pytest.raises(OutsideField):
        Surd.sqrt(Fraction(-1))


def test_polynomial_gcd_over_a_quadratic_field() -> None:
    r2 = Surd(Fraction(0), Fraction(1), 2)
    one = Surd(Fraction(1))
    # (y - √2)(y + 1) and (y - √2)(y - 3): gcd y - √2
    p = [Surd(Fraction(0)) - r2, one - r2, one]
    q = [r2 * Surd(Fraction(3)), Surd(Fraction(-3)) - r2, one]
    assert polynomial_gcd(p, q) == [Surd(Fraction(0)) - r2, one]
    assert polynomial_gcd([], []) == []
