"""Reading calculator syntax: what is accepted, how it is read, what is refused and where."""

from __future__ import annotations

import pytest

from exgen.answers.reader import ReadOptions, read

XY = ReadOptions(variables=("x", "y"))

ACCEPTED = [
    # (typed, how it is read)
    ("3", "3"),
    ("-2.5", "-2.5"),
    ("1/2", "1/2"),
    ("x^2", "x^2"),
    ("x**2", "x^2"),
    ("-x^2", "-x^2"),
    ("x^-2", "x^(-2)"),
    ("2^x^2", "2^(x^2)"),
    ("[x+1]*(x-1)", "(x + 1)*(x - 1)"),
    ("2x", "2*x"),
    ("2 x", "2*x"),
    ("x(x+1)", "x*(x + 1)"),
    ("(x+1)(x-1)", "(x + 1)*(x - 1)"),
    ("2sin(x)", "2*sin(x)"),
    ("x e^x", "x*e^x"),
    ("xy", "x*y"),
    ("yx^2", "y*x^2"),
    ("2x e^(x^2)", "2*x*e^(x^2)"),
    ("sin(x)^2", "sin(x)^2"),
    ("sin^2(x)", "sin(x)^2"),
    ("sin**2 (x)", "sin(x)^2"),
    ("sin x", "sin(x)"),
    ("ln x", "ln(x)"),
    ("log(x)", "ln(x)"),
    ("ln x + 1", "ln(x) + 1"),
    ("sin x cos x", "sin(x)*cos(x)"),
    ("sin atan x", "sin(atan(x))"),
    ("tan^-1(x)", "atan(x)"),
    ("arctan(x)", "atan(x)"),
    ("arcsin x", "asin(x)"),
    ("Sin(x)", "sin(x)"),
    ("sqrt(x)", "sqrt(x)"),
    ("√x", "sqrt(x)"),
    ("√(x+1)", "sqrt(x + 1)"),
    ("abs(x)", "|x|"),
    ("|x|", "|x|"),
    ("||x|+y|", "||x| + y|"),
    ("|x||y|", "|x|*|y|"),
    ("|x + |y||", "|x + |y||"),
    ("exp(x)", "exp(x)"),
    ("e^x", "e^x"),
    ("pi x", "pi*x"),
    ("π x", "pi*x"),
    ("2πx", "2*pi*x"),
    ("x²+3x³", "x^2 + 3*x^3"),
    ("x⁻¹", "x^(-1)"),
    ("3 − x", "3 - x"),
    ("3×x", "3*x"),
    ("3·x", "3*x"),
    ("6÷2", "6/2"),
    ("x\u00a0+\u00a01", "x + 1"),
    ("  x + 1  ", "x + 1"),
    ("\u200bx+1", "x + 1"),
    ("ｘ^2", "x^2"),
    ("𝑥^2", "x^2"),
    ("sinh(x) + cosh(x)", "sinh(x) + cosh(x)"),
    ("max(0, x)", "max(0, x)"),
    ("0.5x^(-0.5)", "0.5*x^(-0.5)"),
    ("3.", "3."),
    (".5", ".5"),
]


@pytest.mark.parametrize(("typed", "read_as"), ACCEPTED)
def test_accepted_forms(typed: str, read_as: str) -> None:
    reading = read(typed, XY)
    assert reading.ok, reading.error
    assert reading.interpreted == read_as


AMBIGUOUS = [
    # (typed, how it is read, warning code, what the warning shows): one documented rule each
    ("1/2x", "(1/2)*x", "implicit_after_division", "(1/2)*x"),
    ("sin x^2", "sin(x^2)", "bare_function", "sin(x^2)"),
    ("2e-3", "2*e - 3", "e_not_scientific", "2*e - 3"),
    ("e^x(x+1)", "e^x*(x + 1)", "implicit_after_power", "e^x*(x + 1)"),
    ("e^2x", "e^2*x", "implicit_after_power", "e^2*x"),
    ("ln 2x", "ln(2*x)", "bare_function", "ln(2*x)"),
    ("xy", "x*y", "implicit_split", "x*y"),
    ("tan^-1(x)", "atan(x)", "inverse_notation", "atan"),
]


@pytest.mark.parametrize(("typed", "read_as", "code", "shown"), AMBIGUOUS)
def test_ambiguous_readings_warn(typed: str, read_as: str, code: str, shown: str) -> None:
    reading = read(typed, XY)
    assert reading.ok, reading.error
    assert reading.interpreted == read_as
    messages = [w.message for w in reading.warnings if w.code == code]
    assert messages and shown in messages[0]


def test_unambiguous_readings_do_not_warn() -> None:
    for typed in ("2x e^(x^2)", "ln x", "sin(x)^2", "x^2y", "(x+1)(x-1)", "x²y"):
        assert read(typed, XY).warnings == (), typed


REFUSED = [
    # (typed, error code, 0-based position in the text as typed)
    ("", "empty", None),
    ("   ", "empty", None),
    ("X", "unknown_name_suggest", 0),
    ("x + z", "unknown_name", 4),
    ("f(x)", "unknown_function", 0),
    ("sinx", "glued_function", 0),
    ("x2", "digits_in_name", 0),
    ("2e5", "scientific_notation", 0),
    ("diff(x^3, x)", "cas_function", 0),
    ("Derivative(x^3, x)", "cas_function", 0),
    ("integrate(3x^2, x)", "cas_function", 0),
    ("limit(x, x, 0)", "cas_function", 0),
    ("solve(x^2-4, x)", "cas_function", 0),
    ("subs(x^2, x, 2)", "cas_function", 0),
    ("simplify(x)", "cas_function", 0),
    ("series(x)", "cas_function", 0),
    ("Sum(1/x, x)", "cas_function", 0),
    ("x.__class__", "stray_dot", 1),
    ("__import__('os')", "program_name", 0),
    ("x_1", "subscript", 0),
    ("sin^(x)", "function_power", 3),
    ("sin^", "function_power", 3),
    ("cos^x", "function_power", 3),
    ("ln^2.0 x", "function_power", 2),
    ("1/(3^4999+1) + 1/(3^4998+1) + 1/(3^4997+1)", "number_too_large", 13),
    ("'x'", "quote", 0),
    ('"x"', "quote", 0),
    ("lambda x", "code_word", 0),
    ("lambda: x", "code_word", 0),
    ("[x for x in y]", "code_word", 3),
    ("x = 2", None, None),  # an equation: read fine, refused by the expression kind
    ("x == 2", "comparison", 2),
    ("x < 2", "comparison", 2),
    ("((x+1)", "unclosed_bracket", 0),
    ("(x+1))", "unmatched_closing", 5),
    ("(x+1]", "mismatched_bracket", 4),
    ("|x", "unclosed_bar", 0),
    ("x +", "missing_operand_after", 2),
    ("*x", "missing_operand_before", 0),
    ("+-*/", "double_operator", 2),
    ("x ** * 2", "unexpected_token", 5),
    ("sin()", "empty_call", 0),
    ("sin", "function_needs_argument", 0),
    ("cos*x", "function_needs_argument", 0),
    ("atan2(x)", "wrong_arity", 0),
    ("x!", "factorial", 1),
    ("3.4.5", "two_decimal_points", 3),
    ("1_000", "underscore", 1),
    ("x # y", "hash", 2),
    ("x \\ y", "backslash", 2),
    ("x\u202e+1", "invisible_character", 1),
    ("x\x00", "control_character", 1),
    ("х + 1", "bad_character", 0),  # Cyrillic ha, looks like x
    ("9^9^9^9", "exponent_too_large", 3),
    ("x^(10^100)", "exponent_too_large", 1),
    ("2^(3^9)", "exponent_too_large", 1),
    ("x^1.00001", "exponent_too_precise", 1),  # a small exponent, but 100001/100000
    ("x^(1/100001)", "exponent_too_precise", 1),
    ("10^10^4", "number_too_large", 2),
    ("1/0", "division_by_zero", 1),
    ("0^0", "zero_power", 1),
    ("0^(-1)", "zero_power", 1),
    ("1" * 101, "number_too_long", 0),
    ("x" * 2001, "too_long", 0),
    ("(" * 50 + "x" + ")" * 50, "too_deep", 40),
    ("sigma(x)", "function_not_declared", 0),
    ("oo", "infinity_word", 0),
    ("∞", "infinity", 0),
    ("x ∪ y", "set_symbol", 2),
]


@pytest.mark.parametrize(("typed", "code", "position"), REFUSED)
def test_refused_with_position_and_message(typed: str, code: str | None, position: int | None) -> None:
    reading = read(typed, XY)
    if code is None:
        assert reading.ok
        return
    assert not reading.ok, reading.interpreted
    assert reading.error is not None
    assert reading.error.code == code, reading.error
    assert reading.error.position == position
    assert reading.error.message and "{" not in reading.error.message  # filled in, not a template


def test_unknown_name_suggests_the_declared_variable() -> None:
    error = read("X^2", ReadOptions(variables=("x",))).error
    assert error is not None and "did you mean x?" in error.message.lower()


def test_caret_points_at_the_error() -> None:
    error = read("x + 2 # comment", XY).error
    assert error is not None
    assert error.caret_display("x + 2 # comment").splitlines()[1] == "      ^"


def test_positions_refer_to_the_text_as_typed() -> None:
    # Superscripts expand to several characters internally; the position must not drift.
    error = read("x²+y³+zz", XY).error
    assert error is not None and error.position == 6


def test_declared_names_are_folded_like_typed_text() -> None:
    reading = read("1+μ0", ReadOptions(variables=("μ0",)))
    assert reading.ok and reading.interpreted == "1 + mu0"


def test_declared_variable_beats_constant_and_code_word() -> None:
    assert read("2E+3", ReadOptions(variables=("E",))).interpreted == "2*E + 3"
    assert read("lambda*x", ReadOptions(variables=("lambda", "x"))).interpreted == "lambda*x"
    assert read("λ x", ReadOptions(variables=("lambda", "x"))).interpreted == "lambda*x"


def test_sigma_when_declared() -> None:
    options = ReadOptions(variables=("x",), functions=frozenset({"sigma"}))
    assert read("σ(x)(1-σ(x))", options).interpreted == "sigma(x)*(1 - sigma(x))"


def test_trusted_text_declares_its_names() -> None:
    reading = read("a x^2 + b", ReadOptions(auto_variables=True))
    assert reading.ok and reading.variables == ("a", "b", "x")


def test_non_string_input_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        read(42)  # type: ignore[arg-type]


def test_the_interpreted_text_carries_its_tree_only_in_process() -> None:
    """A page typesets the grader's own reading; what leaves the process (pickles, JSON) and
    what grading keeps for the class is the plain text."""
    import json
    import pickle

    from exgen.answers.reader import Interpreted, read
    from exgen.grading.batch import _without_tree

    reading = read("2x e^(x^2)", ReadOptions(variables=("x",)))
    shown = reading.interpreted
    assert isinstance(shown, Interpreted) and shown.tree is reading.tree and shown == "2*x*e^(x^2)"
    sent = pickle.loads(pickle.dumps(shown))
    assert type(sent) is str and sent == shown
    assert json.dumps({"interpreted": shown}) == json.dumps({"interpreted": "2*x*e^(x^2)"})
    kept = _without_tree({"verdict": "correct", "interpreted": shown})
    assert type(kept["interpreted"]) is str and kept["interpreted"] == shown
