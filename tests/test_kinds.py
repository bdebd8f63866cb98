"""Answer kinds other than plain expressions: number, points, vector, label, equation."""

from __future__ import annotations

import pytest

from exgen import check
from exgen.answers.kinds import KINDS
from exgen.cli import ANSWER_KINDS
from exgen.errors import ExpectedAnswerError


def test_cli_lists_every_registered_kind() -> None:
    assert set(ANSWER_KINDS) == set(KINDS)


NUMBERS = [
    # (expected, answer, verdict, options)
    ("1/3", "2/6", "correct", {}),
    ("1/sqrt(2)", "sqrt(2)/2", "correct", {}),
    ("e", "exp(1)", "correct", {}),
    ("1/sqrt(2)", "0.7071", "correct", {}),
    ("1/sqrt(2)", "0.7", "incorrect", {}),
    ("1/3", "0.333", "correct", {}),
    ("1/3", "0.33", "incorrect", {}),
    ("1/3", "0.33", "correct", {"tolerance": 0.02}),
    ("pi", "22/7", "incorrect", {}),  # exact but only close: not accepted
    ("pi", "3.1416", "correct", {}),
    ("0", "0.0000005", "correct", {}),  # absolute tolerance for a zero key
    ("0", "0.00001", "incorrect", {}),
    ("0", "0.00001", "correct", {"abs_tolerance": 1e-4}),
    ("0.0000005", "0.000001", "incorrect", {}),  # a nonzero key: relative, however small (issue 8)
    ("0.0000005", "0.000001", "incorrect", {"abs_tolerance": 1e-3}),
    ("5*10^-7", "0.0000005004", "correct", {}),
    ("10^-400", "0", "incorrect", {}),
    ("10^-400", "1.0005*10^-400", "correct", {}),
    ("-2", "-2.0", "correct", {}),
    ("2", "sqrt(4)", "correct", {}),
    ("2", "x", "invalid", {"vars": "x"}),
    ("2", "sqrt(-4)", "invalid", {}),
    ("2", "", "invalid", {}),
]


@pytest.mark.parametrize(("expected", "answer", "outcome", "options"), NUMBERS)
def test_number(expected: str, answer: str, outcome: str, options: dict) -> None:
    verdict = check(expected, answer, kind="number", **options)
    assert verdict.verdict == outcome, (verdict.message, verdict.evidence)


def test_number_close_messages() -> None:
    assert "not exact" in check("pi", "22/7", kind="number").message
    assert "Close" in check("1/sqrt(2)", "0.706", kind="number").message


POINTS = [
    # (expected, answer, verdict, score)
    ("(0,0), (2,-4)", "(2,-4), (0,0)", "correct", 1.0),
    ("(0,0), (2,-4)", "{(0,0), (2,-4)}", "correct", 1.0),
    ("(0,0), (2,-4)", "[(0, 0), (2, -4)]", "correct", 1.0),
    ("(0,0), (2,-4)", "(2,-4)", "incorrect", 0.5),
    ("(0,0), (2,-4)", "(0,0), (2,-4), (1,1)", "incorrect", 2 / 3),
    ("(0,0), (2,-4)", "(0,0), (1,1)", "incorrect", 0.5),
    ("(0,0), (2,-4)", "(1,1)", "incorrect", 0.0),
    ("(0,0), (2,-4)", "(0,0), (0,0), (2,-4)", "correct", 1.0),  # duplicate: warned, not punished
    ("(1/2, sqrt(2))", "(0.5, 1.4142)", "correct", 1.0),
    ("-1, 0, 2", "2, -1, 0", "correct", 1.0),
    ("-1, 0, 2", "x = -1, x = 0, x = 2", "correct", 1.0),
    ("-1, 0, 2", "{-1, 0, 2}", "correct", 1.0),
    ("-1, 0, 2", "-1, 2", "incorrect", 2 / 3),
    ("none", "none", "correct", 1.0),
    ("none", "no points", "correct", 1.0),
    ("none", "(0,0)", "incorrect", 0.0),
    ("(0,0)", "none", "incorrect", 0.0),
    ("(0,0), (2,-4)", "(0,0,1)", "invalid", 0.0),
    ("(0,0), (2,-4)", "(x, 0)", "invalid", 0.0),
    ("(0,0), (2,-4)", "(0,0", "invalid", 0.0),
    ("(5, 5)", "x = 5, y = 5", "correct", 1.0),  # coordinates named (issue 8)
    ("(5, 3)", "y = 3, x = 5", "correct", 1.0),
    ("(5, 3)", "x = 3, y = 5", "incorrect", 0.0),
    ("(0,0), (2,-4)", "x = 0, y = 0, x = 2, y = -4", "correct", 1.0),
    ("(0,0), (2,-4)", "x = 2, y = -4", "incorrect", 0.5),
]


@pytest.mark.parametrize(("expected", "answer", "outcome", "score"), POINTS)
def test_points(expected: str, answer: str, outcome: str, score: float) -> None:
    variables = "x" if "," in expected and "(" not in expected else "x,y"
    verdict = check(expected, answer, kind="points", vars=variables)
    assert verdict.verdict == outcome, (verdict.message, verdict.evidence)
    assert verdict.score == pytest.approx(score)


def test_points_messages_say_what_is_missing_and_what_is_wrong() -> None:
    verdict = check("(0,0), (2,-4)", "(0,0), (1,1)", kind="points", vars="x,y")
    assert "1 of 2" in verdict.message and "Points missing: 1" in verdict.message and "(1, 1)" in verdict.message
    duplicate = check("(0,0), (2,-4)", "(0,0), (0,0), (2,-4)", kind="points", vars="x,y")
    assert any("more than once" in w for w in duplicate.warnings)


VECTORS = [
    ("(2x, 2y)", "(2x, 2y)", "correct", 1.0),
    ("(2x, 2y)", "<2x, 2y>", "correct", 1.0),
    ("(2x, 2y)", "⟨2x, 2y⟩", "correct", 1.0),
    ("(2x, 2y)", "2x, 2y", "correct", 1.0),
    ("(2x, 2y)", "(x*2, y+y)", "correct", 1.0),
    ("(2x, 2y)", "(2y, 2x)", "incorrect", 0.0),  # order matters
    ("(2x, 2y)", "(2x, y)", "incorrect", 0.5),
    ("(2x, 2y)", "(2x, 2y, 0)", "incorrect", 0.0),
    ("(2x, 2y)", "2x + 2y", "invalid", 0.0),
]


@pytest.mark.parametrize(("expected", "answer", "outcome", "score"), VECTORS)
def test_vector(expected: str, answer: str, outcome: str, score: float) -> None:
    verdict = check(expected, answer, kind="vector", vars="x,y")
    assert verdict.verdict == outcome, (verdict.message, verdict.evidence)
    assert verdict.score == pytest.approx(score)


def test_vector_says_which_component_is_wrong() -> None:
    assert "2" in check("(2x, 2y)", "(2x, y)", kind="vector", vars="x,y").message


LABELS = [
    ("minimum", "minimum", "correct"),
    ("minimum", "min", "correct"),
    ("minimum", "Local Min", "correct"),
    ("minimum", "local minimum", "correct"),
    ("minimum", "relative minimum.", "correct"),
    ("minimum", "  MINIMUM ", "correct"),
    ("maximum", "local max", "correct"),
    ("saddle", "saddle point", "correct"),
    ("saddle", "Saddle-Point", "correct"),
    ("neither", "neither", "correct"),
    ("minimum", "maximum", "incorrect"),
    ("minimum", "saddle", "incorrect"),
    ("minimum", "smallest", "invalid"),
    ("minimum", "", "invalid"),
]


@pytest.mark.parametrize(("expected", "answer", "outcome"), LABELS)
def test_label(expected: str, answer: str, outcome: str) -> None:
    assert check(expected, answer, kind="label").verdict == outcome


def test_label_choices_restrict_answers() -> None:
    verdict = check("minimum", "saddle", kind="label", choices=["minimum", "maximum", "neither"])
    assert verdict.verdict == "invalid" and "minimum" in verdict.message


EQUATIONS = [
    ("y = 2x - 1", "y = 2x - 1", "correct"),
    ("y = 2x - 1", "2x - y = 1", "correct"),
    ("y = 2x - 1", "y - 2x + 1 = 0", "correct"),
    ("y = 2x - 1", "2y = 4x - 2", "correct"),
    ("y = 2x - 1", "y = 2(x - 1) + 1", "correct"),
    ("y = 2x - 1", "y = 2x + 1", "incorrect"),
    ("y = 2x - 1", "y = -2x - 1", "incorrect"),
    ("y = 2x - 1", "0 = 0", "incorrect"),
    ("y = 2x - 1", "2x - 1", "invalid"),
    ("y = 2x - 1", "y = 2x = 1", "invalid"),
    # one set of real points (y = e^x forces y > 0): not a constant multiple, still equal. This
    # row said "incorrect" while bisection returned an uncertified point as a root, which the
    # answer then "missed" (x = 0.6133, y = 1.847, on both curves)
    ("y = e^x", "ln(y) = x", "correct"),
    ("y = e^x", "ln(y) = x + 10^-12", "incorrect"),
    # constants that ball arithmetic cannot cancel exactly (pi - pi, e - e): no false difference
    ("y = -9 + -9*(x - 2) + 0*pi", "y = 9 - 9x", "correct"),
    ("y = e - e - 9 - 9*(x - 2)", "y = 9 - 9x", "correct"),
    ("y = e - e - 9 - 9*(x - 2)", "y = 9 - 9x + 10^-30", "incorrect"),
    ("y = sin(x) + pi - pi", "y = sin(x) + 10^-20", "incorrect"),
    ("y = sin(x) + 1", "y - 1 = sin x", "correct"),
    # the same set of points, not only proportional sides (issue 8)
    ("y = 2x - 1", "(y - 2x + 1)^3 = 0", "correct"),
    ("y = 2x - 1", "y^3 = (2x - 1)^3", "correct"),
    ("y = 2x - 1", "e^y = e^(2x - 1)", "correct"),
    ("y = 1/x", "x y = 1", "correct"),
    ("y = 2x - 1", "y^2 = (2x - 1)^2", "incorrect"),  # and y = 1 - 2x
    ("y = 2x - 1", "(y - 2x + 1)(y - x) = 0", "incorrect"),
    ("y = 2x - 1", "y = 2x - 1 + 10^-40", "incorrect"),
    # a tangent line from a student's own slope: differences found exactly on the expected line
    ("y = 3(x - 2) + 5", "y = 3x - 1", "correct"),
    ("y = 3(x - 2) + 5", "y = 3x + 1", "incorrect"),
    ("y = 3(x - 2) + 5", "y = (9x^2 - 1)/(3x + 1) + 1", "incorrect"),  # off the line except where it is undefined
    ("y = e x + 1", "y = e x + 2", "incorrect"),  # with e: compared along lines instead
    # a follow-through line keeps its point's values as written: sqrt(4), ln(1), e^0 are rational
    ("y = ((2 + 2)^(1/2) + 2*2) + 6*(x - 2)", "y = 6x - 6", "correct"),
    ("y = (1 - 2*exp(-1 + 1)) + 3*(x - 1)", "y = 3x - 4", "correct"),
    ("y = (4 - 2*ln(-1 + 2) + 3*2) + 10*(x - 2)", "y = x + 12", "incorrect"),
    ("x = 3", "x = 4", "incorrect"),
]


def _exactly_on(tree, point) -> bool:
    from exgen.answers.exact import evaluate_exact

    return evaluate_exact(tree, point) == 0


@pytest.mark.parametrize(("expected", "answer", "differs"), [
    ("y = 2x - 1", "y = 2x + 1", True), ("y = 2x - 1", "y = 3x - 1", True), ("x + 2y = 4", "x - 2y = 4", True),
    ("y = 2x - 1", "(y - 2x + 1)^3 = 0", False), ("y = 2x - 1", "y^2 = (2x - 1)^2", False),  # on the line everywhere
    ("y = 1/x", "x y = 1", False), ("y = x^2", "y = x^2 + 1", True), ("y^2 = x", "y = x", True),  # linear in x
    ("x^2 + y^2 = 1", "x^2 + y^2 = 2", False),  # linear in no variable: left to the comparison along lines
])
def test_an_exact_miss_is_a_point_of_the_expected_set_off_the_answer(expected: str, answer: str, differs: bool) -> None:
    from fractions import Fraction

    from exgen.answers import nodes as n
    from exgen.answers.equations import _exact_miss
    from exgen.grading.ecf import given

    e, a = given(expected), given(answer)
    d_expected, d_answer = n.sub(e.lhs, e.rhs), n.sub(a.lhs, a.rhs)
    names = tuple(sorted(n.free_symbols(d_expected) | n.free_symbols(d_answer)))
    missed = _exact_miss(d_expected, d_answer, names)
    assert (missed is not None) is differs, missed
    if missed is not None:
        assert missed.outcome == "different" and missed.strength == "proved"
        point = {name: Fraction(value) for name, value in missed.counterexample.items()}
        assert _exactly_on(d_expected, point) and not _exactly_on(d_answer, point)


@pytest.mark.parametrize(("expected", "answer", "outcome"), EQUATIONS)
def test_equation(expected: str, answer: str, outcome: str) -> None:
    verdict = check(expected, answer, kind="equation", vars="x,y")
    assert verdict.verdict == outcome, (verdict.message, verdict.evidence)


@pytest.mark.parametrize(("expected", "answer"), [e[:2] for e in EQUATIONS if "exp(" in e[0] or "ln(" in e[0] or "^(1/2)" in e[0]])
def test_rational_constants_as_written_are_decided_exactly(expected: str, answer: str) -> None:
    verdict = check(expected, answer, kind="equation", vars="x,y")
    assert verdict.strength == "proved" and "line" not in verdict.evidence, verdict.evidence  # not along lines


ROUNDED = [
    # (expected, answer, code): decimals that round the key's exact numbers are named as such
    ("x ln(2)", "0.693x", "rounded"),
    ("ln(2)", "0.6931", "rounded"),
    ("sqrt(2)/2 x^2", "0.7071 x^2", "rounded"),
    ("x^2 y/3", "0.333 x^2 y", "rounded"),
    ("sigma(x)(1 - sigma(x))", "0.25 + 0*x", "different"),  # close at 0 only
    ("x ln(2)", "0.7x", "different"),  # 1 % off: a wrong number, not a rounded one
    ("x/3", "0.33x", "different"),
    ("x + 1/2", "x + 0.6", "different"),
    ("0.5 x", "0.5001 x", "different"),  # the key has decimals itself: nothing was rounded
    ("2x", "2.001x + x^2", "different"),
]


@pytest.mark.parametrize(("expected", "answer", "code"), ROUNDED)
def test_rounded_decimals_are_named_and_never_accepted(expected: str, answer: str, code: str) -> None:
    verdict = check(expected, answer, functions="sigma")
    assert (verdict.verdict, verdict.code) == ("incorrect", code), (verdict.message, verdict.evidence)
    assert ("rounded" in verdict.message) == (code == "rounded"), verdict.message


def test_expression_kind_refuses_lists_and_equations() -> None:
    assert check("2x", "(2x, 1)").code == "not_a_single_expression"
    assert check("2x", "y = 2x", vars="x,y").code == "not_a_single_expression"


@pytest.mark.parametrize(
    ("expected", "kind"),
    [("(1, 2", "expression"), ("x", "number"), ("2x", "equation"), ("banana", "label"), ("2x", "vector")],
)
def test_unusable_expected_answers_raise_author_errors(expected: str, kind: str) -> None:
    with pytest.raises(ExpectedAnswerError):
        check(expected, "1", kind=kind)


def test_unknown_kind_is_a_usage_error() -> None:
    with pytest.raises(ValueError):
        check("1", "1", kind="poem")


def test_messages_come_from_a_replaceable_catalog(tmp_path, monkeypatch) -> None:
    (tmp_path / "fr.toml").write_text('[answer.verdict]\ncorrect = "Correct !"\n[answer.error]\nempty = "La réponse est vide."\n', encoding="utf-8")
    monkeypatch.setenv("EXGEN_LOCALE_PATH", str(tmp_path))
    assert check("2x", "x+x", locale="fr").message == "Correct !"
    assert check("2x", "", locale="fr").message == "La réponse est vide."
    assert check("2x", "x+x").message == "Correct."  # English stays the default
    assert check("2x", "x", locale="fr").message == "Not correct."  # missing keys fall back to English


# -- classified points: each point with its type ------------------------------------------------

ONE_D = "x = -1: minimum, x = 0: neither, x = 2: maximum"
TWO_D = "(1, 1): minimum, (0, 0): saddle"
CLASSIFIED = [
    # (expected, variables, answer, verdict, score)
    (ONE_D, "x", "x=-1: min, x=0: neither, x=2: max", "correct", 1.0),
    (ONE_D, "x", "-1 min, 0 neither, 2 max", "correct", 1.0),
    (ONE_D, "x", "maximum at x = 2, minimum at x = -1, neither at x = 0", "correct", 1.0),
    (ONE_D, "x", "x = 2 is a local max, x = -1 is a local min, x = 0 is neither", "correct", 1.0),
    (ONE_D, "x", "x=-1 (min), x=0 (inflection point), x=2 (max)", "correct", 1.0),
    (ONE_D, "x", "x = -1: minimum and x = 0: neither and x = 2: maximum.", "correct", 1.0),
    (ONE_D, "x", "x = 4/4 - 2: minimum; x = 0: neither; x = 2: maximum", "correct", 1.0),
    (ONE_D, "x", "x=-1: min, x=2: max", "incorrect", 2 / 3),  # one point missing
    (ONE_D, "x", "x=-1: min, x=0: min, x=2: max", "incorrect", 2.5 / 3),  # one type wrong
    (ONE_D, "x", "x=-1: max, x=0: neither, x=2: min", "incorrect", 2 / 3),  # extremes swapped
    (ONE_D, "x", "x=-1: min, x=0: neither, x=2: max, x=5: min", "incorrect", 3 / 4),  # a point too many
    (ONE_D, "x", "none", "incorrect", 0.0),
    (ONE_D, "x", "x = -1, 0, 2", "invalid", 0.0),  # no types
    (ONE_D, "x", "x = -1: min, x = 0", "invalid", 0.0),  # a point without its type
    (ONE_D, "x", "x = -1: saddle", "invalid", 0.0),  # not one of this part's types
    (ONE_D, "x", "y = -1: minimum", "invalid", 0.0),
    (TWO_D, "x,y", "(0,0) saddle; (1,1) min", "correct", 1.0),
    (TWO_D, "x,y", "x = 1, y = 1: min, x = 0, y = 0: saddle", "correct", 1.0),
    (TWO_D, "x,y", "saddle point at (0, 0), local minimum at (1, 1)", "correct", 1.0),
    (TWO_D, "x,y", "(1, 1): minimum, (0, 0): maximum", "incorrect", 0.75),
    (TWO_D, "x,y", "(1, 1, 2): minimum", "invalid", 0.0),
    (TWO_D, "x,y", "(0.99, 1): minimum, (0, 0): saddle", "incorrect", 0.5),  # coordinates compared like numbers
]


@pytest.mark.parametrize(("expected", "variables", "answer", "verdict", "score"), CLASSIFIED)
def test_classified_points(expected: str, variables: str, answer: str, verdict: str, score: float) -> None:
    choices = ["minimum", "maximum", "neither"] if variables == "x" else ["minimum", "maximum", "saddle"]
    result = check(expected, answer, kind="classified_points", vars=variables, choices=choices)
    assert result.verdict == verdict and result.score == pytest.approx(score), (answer, result)
    assert result.message
    if verdict == "invalid":
        assert result.error is not None and result.error.position is not None or result.code == "classified_no_label", result


def test_classified_points_messages_say_what_is_wrong() -> None:
    result = check(ONE_D, "x=-1: min, x=0: min, x=5: max", kind="classified_points", vars="x", choices=["minimum", "maximum", "neither"])
    assert "Points found: 2 of 3" in result.message and "x = 5" in result.message and "x = 0" in result.message
    assert result.details["misclassified"] == ["x = 0"] and result.details["extra"] == ["x = 5"]
    long_answer = "x = 1: min, " * 150
    assert check(ONE_D, long_answer, kind="classified_points", vars="x").verdict == "invalid"  # too many points, bounded
