"""``number``: a constant, exact (``2/6``, ``1/sqrt(2)``, ``e``) or a decimal within a tolerance.

Exact forms are compared exactly. As soon as a decimal is involved (typed by the student or in
the expected value) the comparison uses the relative tolerance (default 0.1%): the answer may
be off by at most that share of the expected value. Only when the expected value is exactly
zero, where no relative error exists, the absolute tolerance applies (default 1e-6). Both are
set per part (``tolerance``, ``abs_tolerance``). An exact form that is merely close ("22/7"
for pi) is not accepted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from exgen.answers import nodes as n
from exgen.answers.diagnostics import echo
from exgen.answers.equivalence import compare_expressions, constant_value
from exgen.answers.kinds import _values
from exgen.answers.kinds.base import (
    CheckOptions,
    answer_functions,
    answer_kind,
    expected_tree,
    invalid,
    read_answer,
    warnings_of,
)
from exgen.answers.kinds.expression import (
    ExpressionKind,
    constant_problem,
    has_decimals,
    single_expression,
    verdict_from_comparison,
)
from exgen.answers.limits import Deadline
from exgen.answers.numeric import Status, precision, to_float
from exgen.answers.printer import to_text
from exgen.answers.reader import Reading
from exgen.answers.verdict import Verdict
from exgen.errors import ExpectedAnswerError
from exgen.i18n import t

DEFAULT_TOLERANCE = 1e-3
DEFAULT_ABS_TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class PreparedNumber:
    tree: n.Node
    value: float
    context_variables: tuple[str, ...]  # names a student might wrongly use (for a better message)
    functions: frozenset[str]
    tolerance: float
    abs_tolerance: float
    options: CheckOptions
    is_zero: bool = False

    @property
    def display(self) -> str:
        return to_text(self.tree)


def _percent(x: float) -> str:
    return f"{x * 100:.2g}%"


def relative_error(expected: PreparedNumber, answer: n.Node) -> tuple[float, bool]:
    """The error measure used, and whether it is relative (False: absolute, for a zero key).

    Computed in ball arithmetic, so keys and answers far outside the range of floats
    (``10^-400``) are measured as exactly as ordinary ones; an unknown error is infinite.
    """
    key = constant_value(expected.tree, 128)
    value = constant_value(answer, 128)
    if value.status is not Status.REAL or key.status is not Status.REAL:
        return math.inf, not expected.is_zero
    with precision(128):
        difference = abs(value.real - key.real)
        error = difference if expected.is_zero else difference / abs(key.real)
        bound = to_float(error.upper())
    return (bound if math.isfinite(bound) else math.inf), not expected.is_zero


def compare_numbers(
    expected: PreparedNumber, answer_tree: n.Node, reading: Reading, deadline: Deadline
) -> Verdict:
    """Grade one constant (shared by the number, points and vector kinds)."""
    problem = constant_problem(answer_tree, reading)
    if problem is not None:
        return problem
    warnings = warnings_of(reading)
    if not (has_decimals(answer_tree) or has_decimals(expected.tree)):
        comparison = compare_expressions(expected.tree, answer_tree, (), deadline)
        verdict = verdict_from_comparison(comparison, reading, ())
        if verdict.verdict == "incorrect":
            value = constant_value(answer_tree)
            if value.status is Status.REAL:
                error, _ = relative_error(expected, answer_tree)
                if error <= expected.tolerance:
                    return Verdict(
                        "incorrect",
                        0.0,
                        t("answer.verdict.incorrect_exact_close", answer=echo(reading.interpreted)),
                        reading.interpreted,
                        verdict.evidence,
                        warnings,
                        code="not_exact",
                    )
        return verdict
    error, is_relative = relative_error(expected, answer_tree)
    limit = expected.tolerance if is_relative else expected.abs_tolerance
    shown_error = _percent(error) if is_relative else f"{error:.3g}"
    shown_limit = _percent(limit) if is_relative else f"{limit:.3g}"
    if error <= limit:
        return Verdict(
            "correct",
            1.0,
            t("answer.verdict.correct_within_tolerance", tolerance=shown_limit),
            reading.interpreted,
            t("answer.evidence.within_tolerance", error=shown_error),
            warnings,
            code="correct",
            strength="proved",
        )
    message = (
        t("answer.verdict.incorrect_close", error=shown_error, tolerance=shown_limit)
        if error <= 10 * limit
        else t("answer.verdict.incorrect")
    )
    return Verdict(
        "incorrect",
        0.0,
        message,
        reading.interpreted,
        t("answer.evidence.tolerance_exceeded", error=shown_error, tolerance=shown_limit),
        warnings,
        code="close" if error <= 10 * limit else "different",
        strength="proved",
    )


def prepare_number(expected: Any, options: CheckOptions) -> PreparedNumber:
    tree = expected_tree(expected, options)
    if isinstance(tree, n.CONTAINERS) or not n.is_constant(tree):
        raise ExpectedAnswerError(f"a number answer needs a constant expected value, not {to_text(tree)}")
    rational = n.rational_value(tree)
    if rational is not None:  # most keys: no evaluation needed
        try:
            as_float = float(rational)
        except OverflowError:
            as_float = math.nan  # as to_float gives for a value beyond floats
        is_zero = rational == 0
    else:
        value = constant_value(tree)
        if value.status is not Status.REAL:
            raise ExpectedAnswerError(f"the expected value {to_text(tree)} is not a real number")
        as_float, is_zero = to_float(value.real), bool(value.real.is_zero())
    return PreparedNumber(
        tree=tree,
        value=as_float,
        context_variables=tuple(options.variables or ()),
        functions=answer_functions([tree], options),
        tolerance=DEFAULT_TOLERANCE if options.tolerance is None else options.tolerance,
        abs_tolerance=DEFAULT_ABS_TOLERANCE if options.abs_tolerance is None else options.abs_tolerance,
        options=options,
        is_zero=is_zero,
    )


def read_number(prepared: PreparedNumber, answer: str) -> tuple[Reading, Verdict | None]:
    reading = read_answer(answer, prepared.context_variables, prepared.functions, prepared.options)
    problem = single_expression(reading)
    if problem is None and reading.tree is not None and not n.is_constant(reading.tree):
        names = ", ".join(sorted(n.free_symbols(reading.tree)))
        problem = invalid(reading, message=t("answer.error.not_a_number", names=names), code="not_a_number")
    return reading, problem


@answer_kind("number", synonyms=("numeric", "value"), space="line", lines=1, help_order=20)
class NumberKind(ExpressionKind):
    def is_nice(self, value: Any, promise: str) -> bool:
        return _values.is_nice_number(value, promise)

    def prepare(self, expected: Any, options: CheckOptions) -> PreparedNumber:
        return prepare_number(expected, options)

    def rules_out(self, prepared: PreparedNumber, answer: str) -> bool:
        """Two different rationals, neither with decimals (which a tolerance would decide): the
        check cannot accept the answer. (The expression kind's look needs variables.)"""
        reading, problem = read_number(prepared, answer)
        if problem is not None or reading.tree is None or has_decimals(reading.tree) or has_decimals(prepared.tree):
            return False
        expected, given = n.rational_value(prepared.tree), n.rational_value(reading.tree)
        return expected is not None and given is not None and expected != given

    def grade(self, prepared: PreparedNumber, answer: str, deadline: Deadline) -> Verdict:
        reading, problem = read_number(prepared, answer)
        if problem is not None:
            return problem
        assert reading.tree is not None
        return compare_numbers(prepared, reading.tree, reading, deadline)
