"""``equation``: ``y = 2x - 1`` equals ``2x - y = 1`` and ``y - 2x + 1 = 0``; a bare expression is not an equation."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from exgen.answers import nodes as n
from exgen.answers.diagnostics import Diagnostic
from exgen.answers.equivalence import compare_equations
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
)
from exgen.answers.kinds.expression import verdict_from_comparison
from exgen.answers.limits import Deadline
from exgen.answers.printer import to_text
from exgen.answers.verdict import Verdict
from exgen.errors import ExpectedAnswerError
from exgen.i18n import t


@dataclass(frozen=True, slots=True)
class PreparedEquation:
    equation: n.Eq
    variables: tuple[str, ...]
    functions: frozenset[str]
    options: CheckOptions

    @property
    def display(self) -> str:
        return to_text(self.equation)


@answer_kind("equation", synonyms=("eq",), space="box", lines=2, help_order=50)
class EquationKind(AnswerKind):
    def typed(self, value: Any) -> str:
        return f"{_values.calculator(value.lhs)} = {_values.calculator(value.rhs)}"

    def rewritten_forms(self, value: Any, seed: int = 0) -> list[str]:
        import sympy

        rng = random.Random(seed)
        lhs, rhs = value.lhs, value.rhs
        return _values.short([
            f"{_values.calculator(lhs)} = {_values.typed_terms(sympy.expand(rhs), rng, shuffle=True)}",
            f"{_values.typed_terms(sympy.expand(lhs - rhs), rng, shuffle=True)} = 0",
            f"{_values.calculator(2 * rhs)} = {_values.calculator(2 * lhs)}",
        ])

    def same_value(self, a: Any, b: Any, variables: Sequence[str] = (), quick: bool = False) -> bool:
        ea, eb = _values.tree(a), _values.tree(b)
        if not (isinstance(ea, n.Eq) and isinstance(eb, n.Eq)):
            return False
        if quick and ea.lhs == eb.lhs and _values.certainly_different(ea.rhs, eb.rhs):
            return False  # y = … and y = …: different right sides, different lines
        return compare_equations(ea, eb, tuple(variables), Deadline(_values.COMPARE_SECONDS)).equivalent

    def description(self, value: Any) -> str:
        return _values.sympy_text(value)

    def is_nice(self, value: Any, promise: str) -> bool:
        """Every coefficient of lhs − rhs is a small fraction (terms as the key writes them)."""
        import sympy

        terms = [*sympy.Add.make_args(value.lhs), *(-t for t in sympy.Add.make_args(value.rhs))]
        return all(_values.is_nice_number(term.as_coeff_Mul()[0], "rational") for term in terms)

    def display_data(self, value: Any, variables: Sequence[str] = ()) -> dict[str, Any]:
        return {"tree": _values.tree(value)}

    def prepare(self, expected: Any, options: CheckOptions) -> PreparedEquation:
        tree = expected_tree(expected, options)
        if not isinstance(tree, n.Eq):
            raise ExpectedAnswerError("an equation answer needs an equation such as y = 2x - 1 as its expected value")
        return PreparedEquation(tree, answer_variables(tree, options), answer_functions([tree], options), options)

    def refusal(self, text: str, options: CheckOptions) -> Diagnostic | None:
        reading = read_answer(text, tuple(options.variables or ()), options.functions, options)
        if reading.ok and not isinstance(reading.tree, n.Eq):
            return Diagnostic("not_an_equation", t("answer.error.not_an_equation"), None)
        return None

    def grade(self, prepared: PreparedEquation, answer: str, deadline: Deadline) -> Verdict:
        reading = read_answer(answer, prepared.variables, prepared.functions, prepared.options)
        if not reading.ok:
            return invalid(reading)
        if not isinstance(reading.tree, n.Eq):
            return invalid(reading, message=t("answer.error.not_an_equation"), code="not_an_equation")
        comparison = compare_equations(prepared.equation, reading.tree, prepared.variables, deadline)
        verdict = verdict_from_comparison(comparison, reading, prepared.variables)
        if verdict.verdict == "incorrect":
            return Verdict(
                "incorrect", 0.0, t("answer.verdict.equation_not_equivalent"), verdict.interpreted,
                verdict.evidence, verdict.warnings, code=verdict.code, details=verdict.details, strength=verdict.strength,
            )
        return verdict
