"""``expression``: a formula, compared exactly (decimals typed are read as exact fractions)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from exgen.answers import nodes as n
from exgen.answers.diagnostics import echo
from exgen.answers.equivalence import Comparison, certainly_different, compare_expressions, constant_value, point_text
from exgen.answers.kinds import _values
from exgen.answers.kinds.base import (
    AnswerKind,
    CheckOptions,
    answer_functions,
    answer_kind,
    answer_variables,
    expected_tree,
    invalid,
    read_answer,
    warnings_of,
)
from exgen.answers.limits import Deadline
from exgen.answers.numeric import Status, describe
from exgen.answers.printer import to_text
from exgen.answers.reader import Reading
from exgen.answers.verdict import Verdict
from exgen.i18n import t


@dataclass(frozen=True, slots=True)
class PreparedExpression:
    tree: n.Node
    variables: tuple[str, ...]
    functions: frozenset[str]
    options: CheckOptions

    @property
    def display(self) -> str:
        return to_text(self.tree)


def single_expression(reading: Reading) -> Verdict | None:
    """The verdict for a reading that is not one expression, or None when it is."""
    if not reading.ok:
        return invalid(reading)
    if isinstance(reading.tree, n.CONTAINERS):
        return invalid(reading, message=t("answer.error.not_a_single_expression"), code="not_a_single_expression")
    return None


def constant_problem(tree: n.Node, reading: Reading) -> Verdict | None:
    """A constant answer that is not a real number is invalid, whatever was expected."""
    if not n.is_constant(tree) or n.rational_value(tree) is not None:
        return None  # a rational the reader could fold is real and defined (it refuses 1/0 and 0^-1)
    value = constant_value(tree, 128)
    if value.status is Status.NONREAL:
        return invalid(reading, message=t("answer.error.not_real", value=describe(value)), code="not_real")
    if value.status is Status.UNDEFINED:
        return invalid(reading, message=t("answer.error.undefined"), code="undefined")
    if constant_value(tree, 128, strict=True).status is not Status.REAL:
        return invalid(reading, message=t("answer.error.not_real_step"), code="not_real_step")
    return None


def has_decimals(tree: n.Node) -> bool:
    return any(isinstance(node, n.Num) and node.is_decimal for node in n.walk(tree))


ROUNDED_TOLERANCE = 1e-3  # the number kind's default tolerance for decimals
ROUNDED_POINTS = 4  # values of the variables where both must be that close (both signs of each)


def rounds_the_key(expected: n.Node, answer: n.Node, variables: tuple[str, ...], deadline: Deadline | None = None) -> bool:
    """An answer whose typed decimals round the key's exact numbers (``0.693x`` for ``x ln 2``):
    it has decimals, the key has none, and the two agree within 0.1 % wherever they were
    compared. Only the message depends on it: the answer stays incorrect."""
    if not has_decimals(answer) or has_decimals(expected):
        return False
    from exgen.answers.kinds._values import SCREEN_POINTS
    from exgen.answers.numeric import compile_tree, evaluate_at, to_float

    try:
        key, given = compile_tree(expected, variables), compile_tree(answer, variables)
    except (TypeError, ValueError):
        return False
    compared = 0
    for index in range(ROUNDED_POINTS):
        if deadline is not None and deadline.expired():
            return False  # the plain message, within the check's time
        point = [Fraction(SCREEN_POINTS[(index + offset) % len(SCREEN_POINTS)]) for offset in range(len(variables))]
        a, b = evaluate_at(key, point, 64), evaluate_at(given, point, 64)
        if a.status is not Status.REAL or b.status is not Status.REAL:
            continue
        exact, typed = to_float(a.real), to_float(b.real)
        if abs(typed - exact) > ROUNDED_TOLERANCE * abs(exact) + 1e-9:
            return False
        compared += 1
    return compared >= 2


def verdict_from_comparison(comparison: Comparison, reading: Reading, variables: tuple[str, ...]) -> Verdict:
    warnings = warnings_of(reading)
    common = {"interpreted": reading.interpreted, "evidence": comparison.evidence, "strength": comparison.strength}
    if comparison.outcome == "equivalent":
        return Verdict("correct", 1.0, t("answer.verdict.correct"), warnings=warnings, code="correct", **common)
    if comparison.outcome == "different":
        details = {"counterexample": comparison.counterexample, **comparison.details}
        return Verdict(
            "incorrect", 0.0, t("answer.verdict.incorrect"), warnings=warnings, code="different", details=details, **common
        )
    if comparison.outcome == "answer_undefined":
        details = {"counterexample": comparison.counterexample, **comparison.details}
        message = t("answer.verdict.undefined_where", where=comparison.details.get("where", ""))
        return Verdict("incorrect", 0.0, message, warnings=warnings, code="answer_undefined", details=details, **common)
    if comparison.outcome == "too_large":
        return Verdict("invalid", 0.0, t("answer.error.too_large_values"), warnings=warnings, code="too_large_values", **common)
    if comparison.outcome == "not_real":
        point = point_text(comparison.counterexample or {})
        message = t(
            "answer.error.not_real_anywhere",
            names=", ".join(variables) or "—",
            point=point,
            value=comparison.details.get("answer", "?"),
        )
        return Verdict("invalid", 0.0, message, warnings=warnings, code="not_real_anywhere", **common)
    return Verdict(
        "review", 0.0, t("answer.verdict.review", reason=comparison.evidence), warnings=warnings, code="undecided", **common
    )


@answer_kind("expression", synonyms=("expr", "formula"), space="box", lines=3, help_order=10)
class ExpressionKind(AnswerKind):
    def typed(self, value: Any) -> str:
        return _values.calculator(value)

    def rewritten_forms(self, value: Any, seed: int = 0) -> list[str]:
        import sympy

        rng = random.Random(seed)
        expr = sympy.sympify(value)
        return _values.short([
            _values.typed_terms(sympy.expand(expr), rng),
            _values.typed_terms(_values.factored(expr), rng),
            _values.typed_terms(expr, rng, shuffle=True),
        ])

    def same_value(self, a: Any, b: Any, variables: Sequence[str] = (), quick: bool = False) -> bool:
        return _values.same_expression(a, b, tuple(variables), quick)

    def description(self, value: Any) -> str:
        return _values.sympy_text(value)

    def display_data(self, value: Any, variables: Sequence[str] = ()) -> dict[str, Any]:
        return {"tree": _values.tree(value)}

    def prepare(self, expected: Any, options: CheckOptions) -> PreparedExpression:
        tree = expected_tree(expected, options)
        if isinstance(tree, n.CONTAINERS):
            from exgen.errors import ExpectedAnswerError

            raise ExpectedAnswerError("an expression answer needs one expression as its expected value")
        variables = answer_variables(tree, options)
        return PreparedExpression(tree, variables, answer_functions([tree], options), options)

    def rules_out(self, prepared: PreparedExpression, answer: str) -> bool:
        reading = read_answer(answer, prepared.variables, prepared.functions, prepared.options)
        if not reading.ok or reading.tree is None or isinstance(reading.tree, n.CONTAINERS):
            return False
        return certainly_different(prepared.tree, reading.tree, prepared.variables)

    def grade(self, prepared: PreparedExpression, answer: str, deadline: Deadline) -> Verdict:
        reading = read_answer(answer, prepared.variables, prepared.functions, prepared.options)
        problem = single_expression(reading)
        if problem is not None:
            return problem
        assert reading.tree is not None
        problem = constant_problem(reading.tree, reading)
        if problem is not None:
            return problem
        comparison = compare_expressions(prepared.tree, reading.tree, prepared.variables, deadline)
        verdict = verdict_from_comparison(comparison, reading, prepared.variables)
        if verdict.code == "different" and rounds_the_key(prepared.tree, reading.tree, prepared.variables, deadline):
            return replace(verdict, message=t("answer.verdict.incorrect_rounded", answer=echo(reading.interpreted)), code="rounded")
        return verdict
