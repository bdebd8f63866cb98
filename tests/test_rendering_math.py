"""What students see must mean the key: exgen's LaTeX and MathML, read back by independent
readers (tests/math_readers.py), equal the expression they were printed from; so do the
calculator text shown as "read as" (read back by exgen's reader) and the sympy text of problem
descriptions (read back by sympy)."""

from __future__ import annotations

import math
import random
import re
from fractions import Fraction

import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from exgen.answers import nodes as n
from exgen.answers.names import FUNCTIONS as KNOWN_FUNCTIONS
from exgen.answers.printer import to_sympy_text, to_text
from exgen.answers.reader import ReadOptions, read
from exgen.answers.sympy_bridge import to_sympy
from exgen.problems.base import generate, load_families
from exgen.rendering.latex import latex
from exgen.rendering.mathml import mathml
from exgen.rendering.text import math_latex, math_mathml
from tests.math_readers import Chain, read_latex, read_mathml

x, y = n.Sym("x"), n.Sym("y")
FOUR = n.Num(4)
SIN = n.Call("sin", (n.Add((n.Mul((FOUR, x)), n.Num(-1))),))


def _same(a: sympy.Basic, b: sympy.Basic) -> bool:
    """Trusted oracle: equal at a few complex-safe sample points."""
    if isinstance(a, sympy.Tuple) or isinstance(b, sympy.Tuple):
        return len(a.args) == len(b.args) and all(_same(p, q) for p, q in zip(a.args, b.args, strict=True))
    symbols = sorted((a.free_symbols | b.free_symbols), key=str)
    rng = random.Random(7)
    for _ in range(3):
        point = {s: sympy.Rational(rng.randint(3, 19), 10) for s in symbols}
        va, vb = complex(sympy.N(a.subs(point), 30)), complex(sympy.N(b.subs(point), 30))
        if abs(va - vb) > 1e-9 * max(1.0, abs(va)):
            return False
    return True


# Trees that are easy to print wrongly, with the LaTeX a careful typesetter writes.
TABLE = [
    (n.Mul((FOUR, n.Neg(SIN))), r"-4 \sin(4 x - 1)"),
    (n.Mul((n.Neg(x), n.Neg(y))), "x y"),
    (n.Neg(n.Num(-3)), "3"),
    (n.Neg(n.Neg(x)), "x"),
    (n.Add((x, n.Mul((FOUR, n.Neg(y))))), "x - 4 y"),
    (n.Add((x, n.Neg(n.Add((y, n.Num(1)))))), r"x - (y + 1)"),
    (n.Pow(n.Num(-2), x), r"(-2)^{x}"),
    (n.Pow(n.Neg(x), n.Num(2)), r"(-x)^{2}"),
    (n.Pow(x, n.Num(Fraction(-1, 2))), r"\frac{1}{\sqrt{x}}"),
    (n.Mul((n.Num(Fraction(-3, 4)), x)), r"-\frac{3 x}{4}"),
    (n.Mul((x, n.Pow(y, n.Num(-2)))), r"\frac{x}{y^{2}}"),
    (n.Pow(n.Call("sin", (x,)), n.Num(2)), r"\sin^{2}(x)"),
    (n.Mul((n.Num(2), n.Num(3), x)), "6 x"),  # computed coefficients are multiplied out
    (n.Mul((n.Num(2, "2"), n.Num(Fraction(1, 2), "0.5"))), r"2 \cdot 0.5"),  # typed numbers are kept
    (n.Div(n.Neg(x), y), r"\frac{-x}{y}"),
    (n.Add((n.Num(1), n.Div(n.Neg(x), y))), r"1 - \frac{x}{y}"),  # a positive constant first, not a leading minus
    (n.Add((n.Mul((n.Num(2), n.Num(6))), n.Neg(n.Pow(n.Num(-3), n.Num(2))))), r"2 \cdot 6 - (-3)^{2}"),  # arithmetic as written
    (n.Add((n.Num(-2), n.Neg(n.Mul((n.Div(n.Num(1), n.Num(2)), n.Num(-24)))))), r"-2 - \frac{1}{2} \cdot (-24)"),
    (n.Call("sigma", (n.Add((x, n.Num(1))),)), r"\sigma(x + 1)"),
    (n.Pow(n.Pow(x, n.Num(2)), n.Num(3)), r"(x^{2})^{3}"),
    (n.Mul((n.Call("exp", (x,)), n.Add((x, n.Num(1))))), r"e^{x} (x + 1)"),
    # exponents kept as powers in a worked step (the power rule on roots and reciprocals)
    (n.Mul((n.Num(3), n.Pow(x, n.as_power(Fraction(1, 2))))), r"3 x^{1/2}"),
    (n.Pow(x, n.as_power(Fraction(-1))), r"x^{-1}"),
]


@pytest.mark.parametrize(("tree", "expected"), TABLE, ids=[t for _, t in TABLE])
def test_latex_of_tricky_trees(tree: n.Node, expected: str) -> None:
    printed = latex(tree)
    assert printed == expected
    assert _same(read_latex(printed), to_sympy(tree)), printed
    assert _same(read_mathml(mathml(tree)), to_sympy(tree)), mathml(tree)


EQUATIONS = [
    # a linear equation's left side starts positive, each term changing its sign (not -(-3x - 4y) = -25)
    (n.Eq(n.Add((n.Neg(n.Mul((FOUR, y))), n.Neg(n.Mul((n.Num(3), x))))), n.Num(25)), r"3 x + 4 y = -25"),
    (n.Eq(n.Mul((n.Num(-2), x)), FOUR), r"2 x = -4"),
    # a factored one keeps its sign: it is the formula of the step before it, set to 0
    (n.Eq(n.Mul((n.Num(-6), n.Add((x, n.Num(2))), n.Add((x, n.Num(-2))))), n.Num(0)), r"-6 (x + 2) (x - 2) = 0"),
]


@pytest.mark.parametrize(("tree", "expected"), EQUATIONS, ids=[t for _, t in EQUATIONS])
def test_latex_of_equations(tree: n.Eq, expected: str) -> None:
    assert latex(tree) == expected
    wanted = to_sympy(tree.lhs) - to_sympy(tree.rhs)
    for seen in (read_latex(latex(tree)), read_mathml(mathml(tree))):
        assert _same(seen.lhs - seen.rhs, wanted) or _same(seen.lhs - seen.rhs, -wanted), seen


def test_a_minus_sign_never_follows_another_operator_in_mathml() -> None:
    printed = mathml(n.Mul((FOUR, n.Neg(SIN))))
    assert printed.startswith("<mrow><mo>−</mo>"), printed
    assert "<mo>&#x2062;</mo><mrow><mo>−</mo>" not in printed


# ---------------------------------------------------------------- random trees (hypothesis) --
LEAVES = st.one_of(
    st.integers(-9, 9).map(n.Num),
    st.fractions(min_value=-5, max_value=5, max_denominator=7).map(lambda f: n.Num(f)),
    st.sampled_from([x, y, n.Const("e"), n.Const("pi")]),
)
EXPONENTS = st.sampled_from([2, 3, -1, -2, Fraction(1, 2), Fraction(-1, 2), Fraction(1, 3), Fraction(-3, 2)]).map(n.Num)
FUNCTIONS = st.sampled_from(["sin", "cos", "tan", "exp", "log", "sqrt", "sigma", "tanh", "abs", "atan"])


def _branches(children: st.SearchStrategy[n.Node]) -> st.SearchStrategy[n.Node]:
    return st.one_of(
        st.lists(children, min_size=2, max_size=3).map(lambda items: n.Add(tuple(items))),
        children.map(n.Neg),
        st.lists(children, min_size=2, max_size=3).map(lambda items: n.Mul(tuple(items))),
        st.tuples(children, children).map(lambda pair: n.Div(*pair)),
        st.tuples(children, st.one_of(EXPONENTS, st.just(x))).map(lambda pair: n.Pow(*pair)),
        st.tuples(FUNCTIONS, children).map(lambda pair: n.Call(pair[0], (pair[1],))),
    )


TREES = st.recursive(LEAVES, _branches, max_leaves=8)


def _finite(value: sympy.Basic) -> bool:
    try:
        number = complex(sympy.N(value.subs({sympy.Symbol("x"): sympy.Rational(13, 10), sympy.Symbol("y"): sympy.Rational(17, 10)}), 20))
    except (TypeError, ValueError, ZeroDivisionError):
        return False
    return abs(number) < 1e12 and not math.isnan(number.real)


def _subtrees(tree: n.Node) -> list[n.Node]:
    found = [tree]
    for child in tree.children():
        found += _subtrees(child)
    return found


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TREES)
def test_random_trees_read_back_as_printed(tree: n.Node) -> None:
    expected = to_sympy(tree)
    # a zero denominator or an overflow somewhere: nothing to compare
    assume(all(_finite(to_sympy(sub)) for sub in _subtrees(tree)))
    printed = latex(tree)
    assert _same(read_latex(printed), expected), f"LaTeX {printed!r} for {tree!r}"
    markup = mathml(tree)
    assert _same(read_mathml(markup), expected), f"MathML {markup!r} for {tree!r}"
    for typed in (to_text(tree), to_text(tree, ordered=True)):
        reading = read(typed, CALCULATOR)
        assert reading.tree is not None, f"{typed!r}: {reading.error}"
        assert _same(to_sympy(reading.tree), expected), f"calculator text {typed!r} for {tree!r}"
    described = to_sympy_text(tree)
    assert _same(sympy.parse_expr(described, local_dict={"E": sympy.E}), expected), described


CALCULATOR = ReadOptions(variables=("x", "y"), functions=frozenset({"sigma"}))


# --------------------------------------------- values put in for variables (worked steps) --
X, Y, Z = sympy.symbols("x y z")
HALF = sympy.Rational(1, 2)
PUT_IN = [  # as a teacher writes the substitution: a negative value keeps its brackets and its place
    (X**2 - Y * Z, {"x": 2, "y": -1, "z": 1}, r"2^{2} - (-1) \cdot 1", "2^2 - (-1)*1"),
    (-X * Y, {"x": -1, "y": -2}, r"-(-1) \cdot (-2)", "-(-1)*(-2)"),
    (2 * X**2 - X + 1, {"x": -2}, r"2 \cdot (-2)^{2} - (-2) + 1", "2*(-2)^2 - (-2) + 1"),
    (-2 * X * Y + Y, {"x": -1, "y": -2}, r"-2 - 2 \cdot (-1) \cdot (-2)", "-2 - 2*(-1)*(-2)"),
    (10 * X**2 * Y, {"x": 0, "y": -1}, r"10 \cdot 0^{2} \cdot (-1)", "10*0^2*(-1)"),  # the factors in the formula's order
    (X**2 * Y - X * Y**2, {"x": -1, "y": 2}, r"(-1)^{2} \cdot 2 - (-1) \cdot 2^{2}", "(-1)^2*2 - (-1)*2^2"),
    (sympy.exp(-X), {"x": -2}, "e^{-(-2)}", "exp(-(-2))"),  # an exponent or an argument: bare
    (Y * sympy.sin(X), {"x": -1, "y": -2}, r"(-2) \cdot \sin(-1)", "(-2)*sin(-1)"),
    ((X - 1) ** 2, {"x": -3}, "(-3 - 1)^{2}", "(-3 - 1)^2"),  # a first term: bare
    (X, {"x": -2}, "-2", "-2"),
    (HALF * X**2 - X, {"x": -HALF}, r"\frac{1}{2} \cdot \left(-\frac{1}{2}\right)^{2} - \left(-\frac{1}{2}\right)",
     "(1/2)*(-1/2)^2 - (-1/2)"),
    (X / Y, {"x": 3, "y": -2}, r"3 \cdot \frac{1}{-2}", "3*(-2)^(-1)"),
    (2 - 4 * X, {"x": -sympy.log(3) / 4}, r"2 - 4 \left(-\frac{\ln(3)}{4}\right)", "2 - 4*((-1/4)*ln(3))"),  # not 2 + 4(ln 3/4)
    (sympy.exp(X), {"x": -sympy.log(3) / 4}, r"e^{-\frac{\ln(3)}{4}}", "exp((-1/4)*ln(3))"),
    (X * sympy.exp(X), {"x": 1}, r"1 \cdot e^{1}", "1*exp(1)"),  # a 1 put in stays, not e^{1}
    (3 * X * Y * sympy.log(X), {"x": 1, "y": 2}, r"3 \cdot 1 \cdot 2 \cdot \ln(1)", "3*1*2*ln(1)"),
    (X * sympy.exp(Y), {"x": 0, "y": -1}, r"0 \cdot e^{-1}", "0*exp(-1)"),
    (3 * X, {"x": HALF}, r"3 \cdot \frac{1}{2}", "3*(1/2)"),
]


SIGN_OUT_OF_A_FACTOR = [  # a sum of negative terms as a factor gives its sign to the product
    ((-9 * X - 3) * sympy.exp(6 - 3 * X), r"-(9 x + 3) e^{6 - 3 x}"),
    (sympy.Mul(-1, sympy.Mul(-4 * X**3 - 3, sympy.exp(X), evaluate=False), evaluate=False) - 12 * X**2, r"(4 x^{3} + 3) e^{x} - 12 x^{2}"),
    ((-X**2 - 1) / (X + 2), r"-\frac{x^{2} + 1}{x + 2}"),
    ((-X - 1) * (-X - 2), "(x + 1) (x + 2)"),
    (-3 * X - 1, "-3 x - 1"),  # a sum on its own keeps its terms
    ((-X**2 + 2 * X - 4) * sympy.exp(1 - X), r"(-x^{2} + 2 x - 4) e^{1 - x}"),  # mixed signs: as it is
]


@pytest.mark.parametrize(("expr", "tex"), SIGN_OUT_OF_A_FACTOR)
def test_a_negative_sum_factor_gives_its_sign_to_the_product(expr: sympy.Expr, tex: str) -> None:
    from exgen.problems.steps import tree_of

    assert latex(tree_of(expr)) == tex
    assert _same(read_mathml(mathml(tree_of(expr))), expr)


def test_a_rule_form_shows_its_pieces_as_named() -> None:
    """(uv)' = u'v + uv' with u = -x^2 - 2x - 3: the pieces keep their signs and the rule its order."""
    from exgen.problems.steps import rule_form, substituted, tree_of

    u, v = -X**2 - 2 * X - 3, sympy.log(X)
    written = rule_form(sympy.Mul(sympy.diff(u, X), v, evaluate=False), sympy.Mul(u, sympy.diff(v, X), evaluate=False))
    assert latex(written) == r"(-2 x - 2) \ln(x) + \frac{-x^{2} - 2 x - 3}{x}"
    top, bottom = -4 * X**3 - 3, sympy.exp(X) + 1  # the quotient rule, u' = -12x^2: its sign stays in its bracket
    quotient = rule_form(sympy.Mul(sympy.diff(top, X), bottom, evaluate=False), -sympy.Mul(top, sympy.diff(bottom, X), evaluate=False),
                         squared_under=bottom)
    assert latex(quotient) == r"\frac{(-12 x^{2}) (e^{x} + 1) - (-4 x^{3} - 3) e^{x}}{(e^{x} + 1)^{2}}"
    assert _same(read_latex(latex(quotient)), sympy.diff(top / bottom, X))
    # the simplified derivative, at a number: the arithmetic has the signs where its formula has them
    derivative = sympy.diff(u * v, X)
    assert latex(tree_of(derivative)) == r"-\frac{x^{2} + 2 x + 3}{x} - (2 x + 2) \ln(x)"
    assert latex(substituted(derivative, {"x": 1})) == r"-\frac{1}{1} \cdot (1^{2} + 2 \cdot 1 + 3) - (2 \cdot 1 + 2) \ln(1)"


@pytest.mark.parametrize(("expr", "values", "tex", "typed"), PUT_IN)
def test_a_substituted_value_keeps_its_sign_and_place(expr: sympy.Expr, values: dict[str, int], tex: str, typed: str) -> None:
    from exgen.problems.steps import substituted

    tree = substituted(expr, values)
    assert latex(tree) == tex
    assert to_text(tree) == typed
    expected = expr.subs({sympy.Symbol(name): value for name, value in values.items()})
    assert _same(read_mathml(mathml(tree)), expected), mathml(tree)
    assert _same(to_sympy(read(typed, ReadOptions()).tree), expected)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TREES, st.fractions(min_value=-4, max_value=4, max_denominator=3), st.integers(-3, 3))
def test_random_substitutions_read_back_as_their_value(tree: n.Node, at_x: Fraction, at_y: int) -> None:
    from exgen.problems.steps import substituted

    put = substituted(tree, {"x": sympy.Rational(at_x.numerator, at_x.denominator), "y": at_y})
    assume(all(_finite(to_sympy(sub)) for sub in _subtrees(put)))
    assume(not any(type(sub) is n.Pow and to_sympy(sub.base).is_zero for sub in _subtrees(put)))  # 0^0: undefined to the reader
    expected = to_sympy(put)
    assert _same(expected, to_sympy(tree).subs({sympy.Symbol("x"): sympy.Rational(at_x.numerator, at_x.denominator), sympy.Symbol("y"): at_y}))
    assert _same(read_latex(latex(put)), expected), latex(put)
    assert _same(read_mathml(mathml(put)), expected), mathml(put)
    reading = read(to_text(put), CALCULATOR)
    assert reading.tree is not None and _same(to_sympy(reading.tree), expected), to_text(put)


# ------------------------------------------------------------- every generated key and step --
def _subtrees(node: n.Node):
    yield node
    for child in node.children():
        yield from _subtrees(child)


def _formulas(problem: object) -> list[tuple[object, sympy.Basic]]:
    """Each formula a problem prints (keys, step values, formulas inside step sentences), as
    (what is printed, the value it must read as): a tree is printed as written, not as sympy
    would print its value."""
    from exgen.problems.model import Math

    shown = []
    for part in problem.parts:  # type: ignore[attr-defined]
        in_sentences = [p.value for step in part.steps for p in step.text.params.values() if isinstance(p, Math)]
        for value in (part.answer, *(step.value for step in part.steps if step.value is not None), *in_sentences):
            if isinstance(value, n.Node) and any(isinstance(c, n.Call) and c.func not in KNOWN_FUNCTIONS for c in _subtrees(value)):
                continue  # f(2), f′(−1): notation the readers do not evaluate
            if isinstance(value, (sympy.Expr, sympy.Eq)):
                if not value.atoms(sympy.core.function.AppliedUndef):  # f(x) = …: notation again
                    shown.append((value, value))
            elif isinstance(value, n.Eq) and isinstance(value.rhs, n.Eq):  # a = b = c: each side
                sides, rest = [value.lhs], value.rhs
                while isinstance(rest, n.Eq):
                    sides.append(rest.lhs)
                    rest = rest.rhs
                shown.append((value, Chain(to_sympy(side) for side in (*sides, rest))))
            elif isinstance(value, n.Node) and not isinstance(value, (n.Tuple, n.Seq)):  # written arithmetic
                shown.append((value, to_sympy(value)))
            elif isinstance(value, tuple) and value and all(isinstance(v, sympy.Expr) for v in value):
                shown.append((sympy.Tuple(*value), sympy.Tuple(*value)))
    return shown


@pytest.mark.parametrize("family_id", sorted(load_families()))
def test_generated_keys_and_steps_typeset_to_their_values(family_id: str) -> None:
    checked = 0
    for seed in range(12):
        for difficulty in (1, 2, 3):
            problem = generate(family_id, difficulty, seed)
            for source, value in _formulas(problem):
                for printed, reader in ((math_latex(source), read_latex), (math_mathml(source), read_mathml)):
                    seen = reader(printed)
                    if isinstance(value, Chain):
                        assert isinstance(seen, Chain) and len(seen) == len(value), printed
                        assert all(_same(a, b) for a, b in zip(seen, value)), printed
                    elif isinstance(value, sympy.Eq):
                        assert isinstance(seen, sympy.Eq), printed
                        # (the printers may write an equation = 0 with its sides' sign changed: -6(x + 2) = 0 as 6(x + 2) = 0)
                        assert (_same(seen.lhs - seen.rhs, value.lhs - value.rhs) or _same(seen.lhs - seen.rhs, value.rhs - value.lhs)
                                or _same(seen.lhs, value.lhs)), printed
                    else:
                        assert _same(seen, value), f"{printed!r} does not read as {value}"
                    checked += 1
    assert checked > 50


@pytest.mark.parametrize("source", [r"f'(x)", r"\sigma'(z) = \sigma(z)\,(1 - \sigma(z))", r"\sigma' = \sigma\,(1 - \sigma)", r"g''(x)", r"\lambda'",
                                    r"(x^{n})' = n x^{n-1}", r"(\sin kx)' = k \cos kx", r"\left(\frac{1}{v}\right)' = -\frac{v'}{v^{2}}",
                                    r"\left(\ln(1 + e^{z})\right)' = \frac{e^{z}}{1 + e^{z}}"])
def test_a_prime_in_catalog_mathematics_follows_its_letter_on_the_line(source: str) -> None:
    """Chromium lifts a prime set as a superscript a second time (σ ′ floating above the line):
    the prime follows its letter, or the bracket it closes (a tall one too), as an operator,
    for Greek letters (entities) too."""
    from exgen.rendering.text import _mathml_template

    shown = _mathml_template(source)
    assert "&#x02032;</mi></msup>" not in shown and "&#x02033;</mi></msup>" not in shown, shown
    assert '<mo lspace="0" rspace="0">&#x0203' in shown, shown


@pytest.mark.parametrize(("source", "signs"), [(r"(\cos kx)' = -k \sin kx", 1), (r"\left(\frac{1}{v}\right)' = -\frac{v'}{v^{2}}", 1),
                                              (r"(-1, 2)", 1), (r"a - b", 0), (r"1 - \sigma", 0)])
def test_a_minus_sign_in_catalog_mathematics_is_set_as_a_sign_not_a_subtraction(source: str, signs: int) -> None:
    """After "=", "(" or "," a minus negates what follows: set as a prefix (no space after it, as
    the key printer sets −k), while a − b keeps the spacing of a subtraction."""
    from exgen.rendering.text import _mathml_template

    assert _mathml_template(source).count('<mo form="prefix">&#x02212;</mo>') == signs


@pytest.mark.parametrize(("source", "spaced"), [(r"k \cos kx", ["cos"]), (r"y \ln \hat{y}", ["ln"]), (r"\ln x^{2}", ["ln"]),
                                              (r"(\ln x)' = \frac{1}{x}", ["ln"]), (r"\sec^{2} kx", ["sec"])])
def test_a_function_name_in_catalog_mathematics_is_set_apart_from_its_argument(source: str, spaced: list[str]) -> None:
    """TeX sets a thin space between ln and what it applies to (ln ŷ, ln x², k cos kx);
    latex2mathml runs them together ("lnŷ"), so each named function gets its space."""
    from exgen.rendering.text import _mathml_template

    shown = _mathml_template(source)
    for name in spaced:
        assert re.search(rf"<mi>{name}</mi>(</msup>|<mrow><mn>\d</mn></mrow></msup>)?<mo>&#x2061;</mo><mspace", shown), shown


def test_operators_in_a_superscript_are_set_close_as_in_script_style() -> None:
    """TeX sets e^{2x−2} without the line's spacing around − (script style); Chromium spaces a
    script's operators as the line's unless told, in exgen's formulas and in catalog ones."""
    from exgen.rendering.text import _mathml_template

    for shown in (mathml(n.Call("exp", (n.Add((n.Mul((n.Num(2), x)), n.Num(-2))),))),
                  mathml(n.Pow(x, n.Add((x, n.Num(-1))))), _mathml_template(r"n x^{n-1}")):
        superscript = shown[shown.index("<msup>"):]
        assert 'lspace="0.05em" rspace="0.05em"' in superscript, shown
        assert "<mo>−</mo>" not in superscript and "<mo>&#x02212;</mo>" not in superscript, shown
