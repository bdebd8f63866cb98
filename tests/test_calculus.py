"""exgen's own calculus (follow-through without sympy), checked against sympy."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from exgen.answers import nodes as n
from exgen.answers.calculus import classified_zeros, critical_points_two, derivative, polynomial, real_zero_count
from exgen.answers.sympy_bridge import to_sympy
from exgen.grading.ecf import given as read_given

X, Y = sympy.symbols("x y")
POINT = {X: sympy.Rational(7, 10), Y: sympy.Rational(13, 10)}


@pytest.mark.parametrize("text", [
    "sin(x^2)*exp(x*y)", "ln(x^2+1)/(y+2)", "x^y", "2^x", "sqrt(x)*tanh(y x)", "atan(x/y)", "asin(x/2) + acos(y/3)",
    "sec(x)+cot(x)+asinh(x)+log10(x)+log2(y)", "(x+1)^(1/3)", "cosh(x) sinh(y) + sech(x) + csch(y) + coth(x)",
    "acosh(y) + atanh(x/2) + csc(x) + tan(x y)", "3x^4 - 2x^2 y + 7", "exp(-x^2/2)/sqrt(2 pi)",
])
@pytest.mark.parametrize("variable", ["x", "y"])
def test_derivatives_agree_with_sympy(text: str, variable: str) -> None:
    tree = read_given(text)
    mine = to_sympy(derivative(tree, variable))
    reference = sympy.diff(to_sympy(tree), sympy.Symbol(variable))
    assert abs(complex((mine - reference).subs(POINT).evalf(30))) < 1e-20, (text, variable, mine)


def test_non_smooth_functions_have_no_derivative_here() -> None:
    for text in ("abs(x)", "max(x, 1)", "sign(x) x"):
        assert derivative(read_given(text), "x") is None, text
    assert derivative(read_given("abs(y)"), "x") == n.ZERO  # constant in x


def test_polynomial_coefficients() -> None:
    assert polynomial(read_given("(x+1)^2 - x/2"), "x") == [1, Fraction(3, 2), 1]
    assert polynomial(read_given("x*y"), "x") is None
    assert polynomial(read_given("sin(x)"), "x") is None
    assert polynomial(read_given("x^100"), "x") is None  # past the degree a student's answer is followed to


def _sympy_classified(coefficients: list[Fraction]) -> list[tuple[float, str]] | None:
    """The reference: sympy's real roots, typed by the sign of f′ between them."""
    poly = sympy.Poly([sympy.Rational(c.numerator, c.denominator) for c in reversed(coefficients)], X)
    if poly.degree() < 1:
        return []
    roots = sorted(set(poly.real_roots()), key=float)
    if any(isinstance(r, sympy.CRootOf) for r in roots):
        return None
    rows = []
    for index, root in enumerate(roots):
        left = roots[index - 1] if index else root - 2
        right = roots[index + 1] if index + 1 < len(roots) else root + 2
        before, after = (sympy.sign(poly.eval((a + b) / 2)) for a, b in ((left, root), (root, right)))
        rows.append((float(root), "minimum" if before < 0 < after else "maximum" if before > 0 > after else "neither"))
    return rows


factors = st.sampled_from(["x", "x - 1", "x + 2", "2x - 3", "x^2 - 2", "x^2 + 1", "x^3 - 2", "x^4 - 5", "x^2 - 3x + 1",
                           "x^3 - 3x + 1", "x^4 + 1"])


@settings(max_examples=120, deadline=None)
@given(st.lists(st.tuples(factors, st.integers(1, 3)), min_size=1, max_size=3), st.sampled_from([1, -2, 3]))
def test_classified_zeros_agree_with_sympy(product: list[tuple[str, int]], scale: int) -> None:
    text = f"{scale}*" + "*".join(f"({factor})^{power}" for factor, power in product)
    coefficients = polynomial(read_given(text), "x")
    assert coefficients is not None
    reference = _sympy_classified(coefficients)
    mine = classified_zeros(coefficients)
    if reference is None:  # zeros without a closed form: nothing to follow either way
        assert mine is None, text
        return
    assert mine is not None, text
    assert [label for _, label in mine] == [label for _, label in reference], text
    for (tree, _), (value, _) in zip(mine, reference):
        assert abs(float(to_sympy(tree)) - value) < 1e-9, text


def test_real_zero_count() -> None:
    cases = {"x^2 + 1": 0, "x^3 - 3x + 1": 3, "x^4 - 5": 2, "(x-1)^2 (x+3)": 2, "x^5 - x - 1": 1}
    for text, count in cases.items():
        coefficients = polynomial(read_given(text), "x")
        assert coefficients is not None and real_zero_count(coefficients) == count, text


@pytest.mark.parametrize("p, q, expected", [
    ("3x^2 - 3y", "3y^2 - 3x", [((0, 0), "saddle"), ((1, 1), "minimum")]),
    ("2x", "2y", [((0, 0), "minimum")]),
    ("-2x + y", "x - 2y", [((0, 0), "maximum")]),
    ("y", "x", [((0, 0), "saddle")]),
    ("3", "x", []),
    ("x - y", "2x - 2y", None),  # a line of solutions
    ("x^2", "y", None),  # D = 0 at the origin: the test says nothing
])
def test_critical_points_of_a_gradient(p: str, q: str, expected: list | None) -> None:
    rows = critical_points_two(read_given(p), read_given(q), ("x", "y"))
    if expected is None:
        assert rows is None
        return
    assert isinstance(rows, list)
    got = sorted(((n.rational_value(a), n.rational_value(b)), label) for (a, b), label in rows)
    assert got == sorted(((Fraction(a), Fraction(b)), label) for (a, b), label in expected)


GRADIENTS = [  # (P, Q): students' gradients met while grading (wrong ones, so follow-through runs)
    ("3x^2 - 3y", "3y^2 - 3x"), ("x^2 - 2", "y"), ("-2x y + 3", "x + 2y - 9"),
    ("12x^2 - 24x - 6", "6y^2 - 24"), ("12x^2 - 6x - 66", "6y^2 - 6y - 12"),
    ("-12x^2 + 12x y - 6y^2 - 72y", "6x^2 - 12x y - 12x + 6y^2 + 12y"),
    ("2x - 2y + 1", "y^2 - 3"), ("x^2 + y^2 - 4", "x - y"), ("x^3 - 3x", "y^2 - 5"),
]


def _reference_points(p: str, q: str) -> list[tuple[float, float]]:
    """The real solutions, numerically (50 digits): every pair of real zeros of the two
    resultants at which P and Q both vanish."""
    P, Q = to_sympy(read_given(p)), to_sympy(read_given(q))

    def real_zeros(eliminate: sympy.Symbol, keep: sympy.Symbol) -> list[sympy.Float]:
        resultant = sympy.Poly(sympy.sqf_part(sympy.resultant(P, Q, eliminate)), keep)
        return [sympy.re(z) for z in resultant.nroots(n=50, maxsteps=200) if abs(sympy.im(z)) < 1e-30]

    return sorted({(round(float(a), 9), round(float(b), 9)) for a in real_zeros(Y, X) for b in real_zeros(X, Y)
                   if abs(P.subs({X: a, Y: b})) < 1e-20 and abs(Q.subs({X: a, Y: b})) < 1e-20})


@pytest.mark.parametrize("p, q", GRADIENTS)
def test_quadratic_irrational_critical_points_are_exact_and_typed(p: str, q: str) -> None:
    """Every real solution once (against sympy's roots), exact (sympy confirms P = Q = 0 at
    each point), typed as sympy's Hessian test types it, in increasing order."""
    rows = critical_points_two(read_given(p), read_given(q), ("x", "y"))
    assert isinstance(rows, list), rows
    P, Q = to_sympy(read_given(p)), to_sympy(read_given(q))
    seen = []
    for (a, b), label in rows:
        at = {X: to_sympy(a), Y: to_sympy(b)}
        assert sympy.simplify(P.subs(at)) == 0 and sympy.simplify(Q.subs(at)) == 0, (a, b)
        fxx, fyy, fxy = (sympy.simplify(sympy.diff(e, v).subs(at)) for e, v in ((P, X), (Q, Y), (P, Y)))
        determinant = sympy.simplify(fxx * fyy - fxy**2)
        assert label == ("saddle" if determinant < 0 else "minimum" if fxx > 0 else "maximum"), (a, b, label)
        seen.append((float(at[X]), float(at[Y])))
    assert seen == sorted(seen)
    assert sorted((round(a, 9), round(b, 9)) for a, b in seen) == _reference_points(p, q)


def test_critical_points_beyond_square_roots() -> None:
    # a real zero of an irreducible cubic has no closed form in square roots: not followed
    # (sympy's solve used to drop such points when it could not tell they were real)
    cubic = critical_points_two(read_given("12x^2 + 12x y + 6x + 6y^2 - 36"), read_given("6x^2 + 2x y + 6y^2 - 24"), ("x", "y"))
    assert cubic is None
    # y needs a square root over ℚ(√69): nested radicals, which no student types: not followed
    nested = critical_points_two(read_given("-12x^2 - 12x y - 30x - 6y^2 - 12y + 6"),
                                 read_given("-6x^2 - 12x y - 12x - 6y^2 - 12y + 8"), ("x", "y"))
    assert nested is None


@pytest.mark.parametrize("text, value", [
    ("6*1 + 3*exp(1 - 1) - 2 + 1", Fraction(8)), ("4*(-1) + (-1 + 10)^(-1/2) + 3 + 1", Fraction(1, 3)),
    ("exp(2 ln(3) - ln(2))", Fraction(9, 2)), ("8^(2/3)", Fraction(4)), ("cos(0) + sin(1 - 1)", Fraction(1)),
    ("sqrt(9/4)", Fraction(3, 2)), ("ln(1) + 2", Fraction(2)),
    ("1 - tanh(ln(2))^2 + 1", Fraction(41, 25)), ("cosh(ln(3))", Fraction(5, 3)), ("sinh(-ln(2))", Fraction(-3, 4)),
    ("tanh(2 ln(3) - ln(2))", Fraction(77, 85)), ("tanh(1)", None), ("cosh(1 + ln(2))", None),
    ("sqrt(2)", None), ("exp(1)", None), ("ln(4) - 2 ln(2)", None), ("(-4)^(1/2)", None),
])
def test_exact_constants_without_a_cas(text: str, value: Fraction | None) -> None:
    from exgen.answers.exact import constant_rational

    assert constant_rational(read_given(text)) == value
    if value is not None:  # and sympy agrees
        assert sympy.nsimplify(to_sympy(read_given(text))) == sympy.Rational(value.numerator, value.denominator)


def test_a_sigmoid_of_a_logarithm_is_exact() -> None:
    from exgen import check

    verdict = check("1 + sigma(3 + (-3 + ln(4)))", "9/5", kind="number", functions=["sigma"])
    assert verdict.verdict == "correct" and verdict.strength == "proved" and "9/5" in verdict.evidence
