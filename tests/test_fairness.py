"""Fair versions: every version of a problem has the same parts, kinds, asks and points; the spec
sets points and credit; no part gives another away; no message names what the problem lacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sympy

from exgen.errors import InputFileError
from exgen.problems import DIFFICULTIES, generate, load_families
from exgen.problems.model import Math, Mistake, Part, Problem, Step, text
from exgen.problems.scoring import scaled
from exgen.problems.verify import giveaways, notation_faults
from exgen.worksheets.generate import generate_class_set, structure_differences
from exgen.worksheets.roster import Student
from exgen.worksheets.spec import SectionSpec, WorksheetSpec, parse_spec

FAMILIES = sorted(load_families())


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_every_version_has_the_same_structure(family: str, difficulty: int) -> None:
    structures = {generate(family, difficulty, seed).structure for seed in range(40)}
    assert len(structures) == 1, structures


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_no_part_gives_another_away_and_messages_fit_the_problem(family: str, difficulty: int) -> None:
    for seed in range(12):
        problem = generate(family, difficulty, seed)
        assert not giveaways(problem), giveaways(problem)
        assert not notation_faults(problem), notation_faults(problem)


def _problem(prompt_point: tuple[int, int]) -> Problem:
    x, y = sympy.symbols("x y")
    points = ((sympy.Integer(-3), sympy.Integer(-3)), (sympy.Integer(0), sympy.Integer(0)))
    parts = (
        Part("a", text("problems.hessian.prompt_classified"), "points", points, "critical_points", {"f": "f", "vars": ["x", "y"]},
             ("x", "y"), steps=(Step(text("steps.conclude"), points),)),
        Part("b", text("problems.partial_derivatives.prompt_gradient_at", point=Math(prompt_point)), "label", "saddle", "classify",
             {"f": "f", "vars": ["x", "y"], "point": ["0", "0"]}, ("x", "y"),
             mistakes=(Mistake("sigma", text("mistakes.sigma_prime_is_sigma"), "minimum"),)),
    )
    return Problem("hessian", 2, 0, text("problems.hessian.statement", f=Math(x**3 + y**3 - 9 * x * y)), {"f": "x**3"}, parts)


def test_a_prompt_naming_an_earlier_answer_is_a_giveaway() -> None:
    assert giveaways(_problem((0, 0)))  # "Classify the critical point (0, 0)" after "Find all critical points"
    assert not giveaways(_problem((5, 7)))


def test_a_message_about_sigma_on_a_problem_without_it_is_a_notation_fault() -> None:
    faults = notation_faults(_problem((5, 7)))
    assert faults and "\\sigma" in faults[0]


def test_scaling_to_a_total_keeps_halves_and_the_exact_sum() -> None:
    assert scaled([2, 4, 1], 10) == [3.0, 5.5, 1.5]
    assert sum(scaled([1, 1, 1], 5)) == 5
    assert scaled([2, 3], 0.75) == [0.3, 0.45]


def test_the_spec_sets_points_and_credit(tmp_path: Path) -> None:
    spec = parse_spec({
        "title": "Scores", "seed": 4,
        "points": {"derivative": 3},
        "section": [
            {"family": "critical_points", "count": 1, "difficulty": 2, "ecf": 0.5},
            {"family": "lagrange", "count": 1, "difficulty": 2, "points": 10},
            {"family": "tangent_line", "count": 1, "difficulty": 1, "points": {"tangent_line": 4}, "ecf": {"tangent_line": 0.25}},
        ],
    })
    students = [Student(f"s{i}", f"S {i}") for i in range(6)]
    generate_class_set(spec, tmp_path / "set", roster=students, formats=("json",))
    key = json.loads((tmp_path / "set" / "key.json").read_text(encoding="utf-8"))
    totals = set()
    for version in key["versions"]:
        critical, lagrange, tangent = version["problems"]
        assert critical["parts"][0]["points"] == 3 and all(p["ecf_credit"] == 0.5 for p in critical["parts"])
        assert sum(p["points"] for p in lagrange["parts"]) == 10
        assert [p["points"] for p in tangent["parts"]] == [3, 1, 4] and tangent["parts"][2]["ecf_credit"] == 0.25
        totals.add(sum(p["points"] for problem in version["problems"] for p in problem["parts"]))
    assert len(totals) == 1  # every student can reach the same maximum
    assert not structure_differences(key["versions"])


def test_versions_that_differ_are_reported() -> None:
    version = {"version": "V1", "problems": [{"number": 1, "family": "f", "difficulty": 1,
                                              "parts": [{"part": "a", "kind": "number", "ask": "derivative_at", "points": 1}]}]}
    other = json.loads(json.dumps(version))
    other["version"] = "V2"
    other["problems"][0]["parts"][0]["points"] = 2
    assert structure_differences([version, version]) == []
    assert "V2" in structure_differences([version, other])[0]


@pytest.mark.parametrize(("raw", "message"), [
    ({"points": {"derivativ": 2}}, "did you mean 'derivative'"),
    ({"points": 5}, "table of asks"),
    ({"ecf": 1.5}, "from 0 to 1"),
])
def test_spec_points_are_checked(raw: dict, message: str) -> None:
    with pytest.raises(InputFileError, match=message):
        parse_spec({**raw, "section": [{"family": "tangent_line"}]})


def test_sample_spec_sections_round_trip() -> None:
    spec = WorksheetSpec(sections=(SectionSpec("tangent_line", 1, 1, "", 6.0, (("derivative", 2.0),), 0.5),))
    data = spec.to_dict()["sections"][0]
    assert data["points"] == 6.0 and data["ask_points"] == {"derivative": 2.0} and data["ecf"] == 0.5
