"""Error carried forward: a later answer that follows from the student's own wrong earlier
answer earns the part's credit factor; one that does not, or one that rests on a point that
is not on the constraint, earns nothing extra."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from exgen.grading.engine import grade_ecf


def _part(part_id: str, kind: str, ask: str, args: dict[str, Any], variables: tuple[str, ...] = ("x",), **extra: Any) -> dict[str, Any]:
    return {
        "id": part_id, "kind": kind, "answer": extra.pop("answer", "0"), "variables": list(variables), "functions": [],
        "tolerance": None, "choices": extra.pop("choices", None), "mistakes": [], "ask": ask, "args": args,
        "ecf_credit": extra.pop("ecf_credit", 1.0),
    }


CUBIC = {"f": "x**3 - 3*x"}  # f' = 3x^2 - 3: critical points -1 (max), 1 (min)
SADDLE = {"f": "x**3 + y**3 - 3*x*y"}
LINE = {"f": "x*y", "g": "x + y", "c": "4"}  # maximum at (2, 2), λ = 2

DERIVATIVE = _part("1a", "expression", "derivative", {"f": "f", "var": "x"})
CLASSIFIED_1D = _part("1b", "classified_points", "classified_critical_points", {"f": "f", "vars": ["x"]},
                      choices=["minimum", "maximum", "neither"])
GRADIENT = _part("2a", "vector", "gradient", {"f": "f", "vars": ["x", "y"]}, ("x", "y"))
CANDIDATES = _part("3a", "classified_points", "lagrange_classified", {**{k: k for k in "fg"}, "c": "4", "vars": ["x", "y"]}, ("x", "y"),
                   choices=["maximum", "minimum"])

CASES = [
    # (part, its answer, earlier parts, earlier answers, givens, consistent?)
    # the slope from the student's own f′
    (_part("1c", "number", "derivative_at", {"f": "f", "var": "x", "at": "2"}), "13", [DERIVATIVE], ["3x^2 + 1"], CUBIC, True),
    (_part("1c", "number", "derivative_at", {"f": "f", "var": "x", "at": "2"}), "12", [DERIVATIVE], ["3x^2 + 1"], CUBIC, False),
    # a second partial from the student's own first partial (6x + 12 from a wrong 3x^2 + 12x)
    (_part("4c", "expression", "partial", {"f": "f", "wrt": ["x", "x"]}, ("x", "y")), "6x + 12",
     [_part("4a", "expression", "partial", {"f": "f", "wrt": ["x"]}, ("x", "y"))], ["3x^2 + 12x"], {"f": "x**3 + 5*x**2*y"}, True),
    # critical points with their types, solved from the student's own f′
    (CLASSIFIED_1D, "x = -2: maximum, x = 2: minimum", [DERIVATIVE], ["3x^2 - 12"], CUBIC, True),
    (CLASSIFIED_1D, "x = -2: minimum, x = 2: maximum", [DERIVATIVE], ["3x^2 - 12"], CUBIC, False),
    (CLASSIFIED_1D, "x = -1: maximum, x = 1: minimum", [DERIVATIVE], ["3x^2 - 12"], CUBIC, False),  # the key, not their work
    # two variables: the student's gradient (3x^2 - 6y, 3y^2 - 6x) has critical points (0, 0) and (2, 2)
    (_part("2c", "classified_points", "classified_critical_points", {"f": "f", "vars": ["x", "y"]}, ("x", "y"),
           choices=["minimum", "maximum", "saddle"]),
     "(0, 0): saddle, (2, 2): minimum", [GRADIENT], ["(3x^2 - 6y, 3y^2 - 6x)"], SADDLE, True),
    # a wrong gradient (12x^2 - 24x - 6, 6y^2 - 24) with irrational critical points x = 1 ± √6/2:
    # followed exactly, in any equivalent spelling; a point off by its sign is not consistent
    (_part("2c", "classified_points", "classified_critical_points", {"f": "f", "vars": ["x", "y"]}, ("x", "y"),
           choices=["minimum", "maximum", "saddle"]),
     "(1 - sqrt(6)/2, -2): maximum, ((2 - sqrt(6))/2, 2): saddle, (1 + sqrt(3/2), -2): saddle, (1 + sqrt(6)/2, 2): minimum",
     [GRADIENT], ["(12x^2 - 24x - 6, 6y^2 - 24)"], SADDLE, True),
    (_part("2c", "classified_points", "classified_critical_points", {"f": "f", "vars": ["x", "y"]}, ("x", "y"),
           choices=["minimum", "maximum", "saddle"]),
     "(1 - sqrt(6)/2, -2): maximum, (1 - sqrt(6)/2, 2): saddle, (1 + sqrt(6)/2, -2): saddle, (1 + sqrt(6)/2, -2.0001): minimum",
     [GRADIENT], ["(12x^2 - 24x - 6, 6y^2 - 24)"], SADDLE, False),
    # D(x, y) from the student's own gradient
    (_part("2b", "expression", "hessian_determinant_function", {"f": "f", "vars": ["x", "y"]}, ("x", "y")),
     "36xy - 36", [GRADIENT], ["(3x^2 - 6y, 3y^2 - 6x)"], SADDLE, True),
    # the local minimum value of f at the student's own minimum
    (_part("1d", "number", "local_extreme_value", {"f": "f", "vars": ["x"], "which": "minimum"}), "2",
     [CLASSIFIED_1D], ["x = 1: maximum, x = -1: minimum"], CUBIC, True),
    # Lagrange: λ and the value at the student's maximum, but only on the constraint
    (_part("3b", "number", "lagrange_multiplier", {"f": "f", "g": "g", "c": "4", "vars": ["x", "y"], "which": "max"}, ("x", "y")),
     "3", [CANDIDATES], ["(1, 3): maximum"], LINE, True),  # λ = f_x/g_x = y = 3 there
    (_part("3c", "number", "lagrange_extreme_value", {"f": "f", "g": "g", "c": "4", "vars": ["x", "y"], "which": "max"}, ("x", "y")),
     "3", [CANDIDATES], ["(1, 3): maximum"], LINE, True),
    (_part("3c", "number", "lagrange_extreme_value", {"f": "f", "g": "g", "c": "4", "vars": ["x", "y"], "which": "max"}, ("x", "y")),
     "6", [CANDIDATES], ["(2, 3): maximum"], LINE, False),  # (2, 3) is not on x + y = 4
    # the gradient from the student's own partials
    (_part("4d", "vector", "gradient", {"f": "f", "vars": ["x", "y"]}, ("x", "y")), "(2x, 3y^2)",
     [_part("4a", "expression", "partial", {"f": "f", "wrt": ["x"]}, ("x", "y")), _part("4b", "expression", "partial", {"f": "f", "wrt": ["y"]}, ("x", "y"))],
     ["2x", "3y^2"], {"f": "x**2*y + y**3"}, True),
]


@pytest.mark.parametrize(("part", "answer", "earlier", "earlier_answers", "givens", "consistent"), CASES)
def test_consistent_work_is_credited(part: dict[str, Any], answer: str, earlier: list[dict[str, Any]], earlier_answers: list[str],
                                     givens: dict[str, str], consistent: bool) -> None:
    result = grade_ecf(part, answer, earlier, earlier_answers, givens, seconds=5)
    if consistent:
        assert result is not None and result.ecf and result.verdict == "correct" and result.score == 1, result
        assert "follows from your answer to" in result.message
    else:
        assert result is None, result


def test_the_credit_factor_applies() -> None:
    part = _part("1c", "number", "derivative_at", {"f": "f", "var": "x", "at": "2"}, ecf_credit=0.5)
    result = grade_ecf(part, "13", [DERIVATIVE], ["3x^2 + 1"], CUBIC, seconds=5)
    assert result is not None and result.score == 0.5 and result.verdict == "incorrect"
    assert grade_ecf(part, "13", [DERIVATIVE], ["3x^2 + 1"], CUBIC, seconds=5, key_score=0.75) is None  # the key verdict earned more


def test_an_unsolvable_follow_through_gives_no_credit_and_no_error() -> None:
    # a transcendental "derivative": its critical points are not followed
    assert grade_ecf(CLASSIFIED_1D, "x = 0: minimum", [DERIVATIVE], ["sin(x) + x^3 e^x"], CUBIC, seconds=2) is None


def test_irrational_critical_points_are_followed_without_sympy() -> None:
    """Quadratic irrationals are solved and proved equal in ℚ(√d): no CAS is imported."""
    program = (
        "import sys\n"
        "from tests.test_ecf import CASES\n"
        "from exgen.grading.engine import grade_ecf\n"
        "part, answer, earlier, texts, givens, _ = next(c for c in CASES if 'sqrt(6)' in c[1])\n"
        "result = grade_ecf(part, answer, earlier, texts, givens, seconds=5)\n"
        "assert result is not None and result.ecf and result.strength == 'proved', result\n"
        "assert 'sympy' not in sys.modules, 'sympy was imported'\n"
    )
    root = Path(__file__).resolve().parents[1]
    completed = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False, cwd=root)
    assert completed.returncode == 0, completed.stdout + completed.stderr
