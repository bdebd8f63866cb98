"""Sample points come from the question, cover both signs and every magnitude; scans find
domains and kinks."""

from __future__ import annotations

from fractions import Fraction

from exgen.answers.equivalence import prepare
from exgen.answers.numeric import compile_tree
from exgen.answers.reader import ReadOptions, read
from exgen.answers.sampling import SCAN_REACH, scan


def _tree(text: str, variables: tuple[str, ...]):
    return read(text, ReadOptions(variables=variables)).tree


def test_points_depend_on_the_question() -> None:
    names = ("x",)
    first = prepare(_tree("sin(x)", names), names).plan.core
    second = prepare(_tree("cos(x)", names), names).plan.core
    assert [p.coords for p in first] != [p.coords for p in second]
    assert [p.coords for p in first] == [p.coords for p in prepare(_tree("sin(x)", names), names).plan.core]


def test_every_variable_takes_both_signs_in_any_eight_core_points() -> None:
    names = ("w", "b", "x", "y", "z", "u")
    plan = prepare(_tree("w*b*x*y*z*u", names), names).plan
    for start in range(0, 5):
        points = plan.core[start : start + 8]
        for j in range(len(names)):
            assert {p.coords[j] < 0 for p in points} == {True, False}, (names[j], start)


def test_wide_points_reach_tiny_and_large_magnitudes() -> None:
    names = ("x", "y")
    wide = prepare(_tree("x + y", names), names).plan.wide
    magnitudes = [abs(c) for p in wide for c in p.coords]
    assert min(magnitudes) <= Fraction(1, 50) and max(magnitudes) >= 60


def test_integer_variables_are_sampled_far_out() -> None:
    names = ("n",)
    plan = prepare(_tree("(-1)^n", names), names).plan
    values = [p.coords[0] for p in (*plan.core, *plan.wide)]
    assert all(v.denominator == 1 for v in values)
    assert max(abs(v) for v in values) > 20 and {v < 0 for v in values} == {True, False}


def test_a_scan_finds_a_narrow_domain_and_the_kinks() -> None:
    names = ("x",)
    domain = scan(compile_tree(_tree("ln(x - 90)", names), names), (Fraction(1),), 0, lambda: None)
    assert len(domain.defined) == 1 and 90 < domain.defined[0][0] <= 100 and domain.defined[0][1] == SCAN_REACH
    kinks = scan(compile_tree(_tree("abs(x) - 1/10", names), names), (Fraction(1),), 0, lambda: None)
    assert sorted(round(r, 9) for r in kinks.roots) == [-0.1, 0.1]
    exact = scan(compile_tree(_tree("x", names), names), (Fraction(1),), 0, lambda: None)
    assert Fraction(0) in exact.exact_roots
