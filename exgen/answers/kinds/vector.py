"""``vector``: an ordered tuple such as a gradient ``(2x, 2y)`` (also ``<2x, 2y>``), per-component credit."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from exgen.answers import nodes as n
from exgen.answers.comparison import weakest
from exgen.answers.diagnostics import Diagnostic
from exgen.answers.equivalence import certainly_different, compare_expressions
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
from exgen.answers.kinds.expression import verdict_from_comparison
from exgen.answers.limits import Deadline
from exgen.answers.printer import to_text
from exgen.answers.reader import Reading
from exgen.answers.verdict import Verdict
from exgen.errors import ExpectedAnswerError
from exgen.i18n import t


@dataclass(frozen=True, slots=True)
class PreparedVector:
    components: tuple[n.Node, ...]
    variables: tuple[str, ...]
    functions: frozenset[str]
    options: CheckOptions

    @property
    def display(self) -> str:
        return "(" + ", ".join(to_text(c) for c in self.components) + ")"


def angle_brackets_to_parentheses(text: str) -> str:
    stripped = text.strip()
    for opening, closing in (("<", ">"), ("⟨", "⟩"), ("〈", "〉")):
        if stripped.startswith(opening) and stripped.endswith(closing) and len(stripped) >= 2:
            return "(" + stripped[1:-1] + ")"
    return text


def components_of(tree: n.Node) -> tuple[n.Node, ...] | None:
    if isinstance(tree, (n.Tuple, n.Seq)):
        return tree.items
    return None


@answer_kind("vector", synonyms=("tuple", "gradient"), space="box", lines=3, help_order=40)
class VectorKind(AnswerKind):
    def expected_for_check(self, value: Any) -> Any:
        return list(value)

    def typed(self, value: Any) -> str:
        return "(" + ", ".join(_values.calculator(c) for c in value) + ")"

    def rewritten_forms(self, value: Any, seed: int = 0) -> list[str]:
        import sympy

        rng = random.Random(seed)
        return _values.short([
            "(" + ", ".join(_values.typed_terms(sympy.expand(c), rng) for c in value) + ")",
            "<" + ", ".join(_values.typed_terms(_values.factored(sympy.sympify(c)), rng) for c in value) + ">",
            ", ".join(_values.typed_terms(c, rng, shuffle=True) for c in value),
        ])

    def same_value(self, a: Any, b: Any, variables: Sequence[str] = (), quick: bool = False) -> bool:
        return len(a) == len(b) and all(_values.same_expression(x, y, tuple(variables), quick) for x, y in zip(a, b))

    def description(self, value: Any) -> str:
        return "(" + ", ".join(_values.sympy_text(c) for c in value) + ")"

    def is_nice(self, value: Any, promise: str) -> bool:
        import sympy

        return all(_values.is_nice_number(c, promise) for c in value if sympy.sympify(c).is_number)

    def display_data(self, value: Any, variables: Sequence[str] = ()) -> dict[str, Any]:
        return {"tree": n.Tuple(tuple(_values.tree(c) for c in value))}

    def reading_data(self, text: str, variables: Sequence[str] = (), functions: Sequence[str] = ()) -> dict[str, Any] | None:
        return super().reading_data(angle_brackets_to_parentheses(text), variables, functions)

    def preview_text(self, text: str) -> str:
        return angle_brackets_to_parentheses(text)

    def refusal(self, text: str, options: CheckOptions) -> Diagnostic | None:
        reading = read_answer(angle_brackets_to_parentheses(text), tuple(options.variables or ()), options.functions, options)
        given = components_of(reading.tree) if reading.tree is not None else None
        if given is None or any(isinstance(c, n.CONTAINERS) for c in given):
            return Diagnostic("not_a_vector", t("answer.error.not_a_vector"), None)
        return None

    def read_value(self, text: str, variables: Sequence[str] = (), functions: Sequence[str] = ()) -> Any:
        return super().read_value(angle_brackets_to_parentheses(text), variables, functions)

    def prepare(self, expected: Any, options: CheckOptions) -> PreparedVector:
        if isinstance(expected, (list, tuple)):
            components = tuple(expected_tree(c, options) for c in expected)
        else:
            if isinstance(expected, str):
                expected = angle_brackets_to_parentheses(expected)
            found = components_of(expected_tree(expected, options))
            if found is None:
                raise ExpectedAnswerError("a vector answer needs a tuple such as (2x, 2y) as its expected value")
            components = found
        if any(isinstance(c, n.CONTAINERS) for c in components):
            raise ExpectedAnswerError("vector components must be expressions")
        variables: set[str] = set()
        for component in components:
            variables |= set(answer_variables(component, options))
        names = tuple(options.variables) if options.variables is not None else tuple(sorted(variables))
        return PreparedVector(components, names, answer_functions(components, options), options)

    def rules_out(self, prepared: PreparedVector, answer: str) -> bool:
        reading = read_answer(angle_brackets_to_parentheses(answer), prepared.variables, prepared.functions, prepared.options)
        given = components_of(reading.tree) if reading.ok and reading.tree is not None else None
        if given is None or any(isinstance(c, n.CONTAINERS) for c in given):
            return False
        if len(given) != len(prepared.components):
            return True  # graded incorrect, whatever the components
        return any(certainly_different(e, a, prepared.variables) for e, a in zip(prepared.components, given))

    def grade(self, prepared: PreparedVector, answer: str, deadline: Deadline) -> Verdict:
        reading = read_answer(angle_brackets_to_parentheses(answer), prepared.variables, prepared.functions, prepared.options)
        if not reading.ok:
            return invalid(reading)
        assert reading.tree is not None
        given = components_of(reading.tree)
        if given is None or any(isinstance(c, n.CONTAINERS) for c in given):
            return invalid(reading, message=t("answer.error.not_a_vector"), code="not_a_vector")
        expected = prepared.components
        if len(given) != len(expected):
            return Verdict(
                "incorrect", 0.0,
                t("answer.verdict.vector_wrong_length", expected=len(expected), count=len(given)),
                reading.interpreted, "", warnings_of(reading), code="wrong_length",
            )
        verdicts = [
            verdict_from_comparison(compare_expressions(e, a, prepared.variables, deadline), _component_reading(a), prepared.variables)
            for e, a in zip(expected, given)
        ]
        right = sum(v.correct for v in verdicts)
        evidence = "; ".join(f"{i + 1}: {v.evidence}" for i, v in enumerate(verdicts))
        warnings = warnings_of(reading) + tuple(w for v in verdicts for w in v.warnings)
        strength = weakest([v.strength for v in verdicts])
        if right == len(expected):
            return Verdict("correct", 1.0, t("answer.verdict.correct"), reading.interpreted, evidence, warnings, code="correct", strength=strength)
        if any(v.verdict == "review" for v in verdicts) and right + sum(v.verdict == "review" for v in verdicts) == len(expected):
            return Verdict("review", right / len(expected), t("answer.verdict.review", reason=evidence), reading.interpreted, evidence, warnings, code="undecided")
        wrong = ", ".join(str(i + 1) for i, v in enumerate(verdicts) if not v.correct)
        return Verdict(
            "incorrect", right / len(expected),
            t("answer.verdict.vector_components", which=wrong),
            reading.interpreted, evidence, warnings,
            code="partial" if right else "different",
            details={"components": [v.verdict for v in verdicts]},
            strength=strength,
        )


def _component_reading(tree: n.Node) -> Reading:
    return Reading(to_text(tree), tree)
