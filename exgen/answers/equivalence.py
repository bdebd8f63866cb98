"""Decide whether two expressions are equal, and say why.

The decision is hybrid and explainable:

1. identical trees are equal ("identical after normalisation");
2. rational expressions (polynomials, rational functions) are decided *exactly* on a grid of
   rational points (:mod:`exgen.answers.exact`); a failing point is an exact counterexample;
3. everything else is evaluated with certified ball arithmetic (:mod:`exgen.answers.numeric`)
   at deterministic pseudo-random real points of both signs, and compared where both values
   are real. One certified difference rejects; agreement at enough points to 24+ certified
   digits accepts. Where an expression raises a variable to a variable power, the points also
   include a grid of integers and halves, where real powers of negative bases live.

Sampling conventions (documented for instructors in the README):

* A variable in the exponent of a base written with a minus sign (``(-1)^n``, ``(-cos x)^n``)
  in the *expected* answer is an integer and is sampled at integers only.
* The expected answer is evaluated by principal values (``sqrt(-3)*sqrt(-5)`` is ``-sqrt(15)``,
  a real number); the student's answer strictly in the reals (any step that leaves the reals
  makes it undefined there). Points where the expected value is not real are skipped.
* Where the expected answer is defined but the student's is not, the point counts against the
  student unless the two agree at enough other points: an answer that agrees wherever it is
  defined is accepted with a warning naming a point where it is not (``log(a^2 b)`` versus
  ``2 log(a) + log(b)``; ``sqrt(k/m) sqrt(m/k)`` versus ``1``).
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

from flint import arb, fmpq

from exgen.answers import nodes as n
from exgen.answers.exact import compile_exact, degree_bounds, evaluate_exact, prove_rational
from exgen.answers.limits import Deadline
from exgen.answers.numeric import (
    AGREEMENT_BITS,
    MAX_PRECISION,
    START_PRECISION,
    Agreement,
    Status,
    Value,
    compare_reals,
    compile_tree,
    describe,
    evaluate,
    precision,
    rational_value,
    to_float,
)
from exgen.answers.printer import friendly_number, number_text
from exgen.i18n import t

TARGET_POINTS = 8  # certified agreeing points needed to accept
GENERIC_CANDIDATES = 32
WIDE_CANDIDATES = 32
GRID_LIMIT = 1000
CONSTANT_PRECISION = 256
CONSTANT_AGREEMENT_BITS = 200
SPECIAL_VALUES = [Fraction(v) for v in (-3, -2, -1, 1, 2, 3)] + [
    Fraction(p, q) for p, q in ((-3, 2), (-1, 2), (1, 2), (3, 2), (-1, 3), (1, 3))
]
INTEGER_VALUES = [Fraction(v) for v in (-4, -3, -2, -1, 1, 2, 3, 4)]


@dataclass(frozen=True, slots=True)
class Comparison:
    """The outcome of comparing an answer with the expected expression."""

    outcome: str  # "equivalent", "different", "answer_undefined", "not_real", "undecided"
    evidence: str
    method: str  # "structural", "exact", "numeric", "grid"
    points: int = 0
    digits: float = 0.0
    counterexample: dict[str, str] | None = None
    domain_point: dict[str, str] | None = None  # where only the expected answer is defined
    details: dict[str, str] = field(default_factory=dict)

    @property
    def equivalent(self) -> bool:
        return self.outcome == "equivalent"


def _stable_seed(*parts: object) -> int:
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def integer_variables(expected: n.Node) -> frozenset[str]:
    """Variables the expected answer raises a minus-signed base to: ``(-1)^n`` means integer n."""
    found: set[str] = set()
    for node in n.walk(expected):
        if isinstance(node, n.Pow) and _negative_looking(node.base):
            found |= n.free_symbols(node.exp)
    return frozenset(found)


def _negative_looking(base: n.Node) -> bool:
    if isinstance(base, n.Neg):
        return True
    value = rational_value(base)
    return value is not None and value < 0


def has_variable_power(tree: n.Node) -> bool:
    """True when some power has a variable exponent over a base that may be negative."""
    for node in n.walk(tree):
        if type(node) is n.Pow and n.free_symbols(node.exp):
            base_value = rational_value(node.base)
            if base_value is not None and base_value > 0:
                continue
            if type(node.base) is n.Const:
                continue
            return True
    return False


@lru_cache(maxsize=256)
def sample_points(
    variables: tuple[str, ...], integer_vars: frozenset[str], wide: bool
) -> tuple[tuple[arb, ...], ...]:
    """Deterministic points: same variables, same points, in every run and process."""
    rng = random.Random(_stable_seed("points", variables, sorted(integer_vars), wide))
    count = WIDE_CANDIDATES if wide else GENERIC_CANDIDATES
    low, high = (math.log(0.01), math.log(100.0)) if wide else (math.log(0.2), math.log(4.0))
    k = len(variables)
    points = []
    for i in range(count):
        coords = []
        for j, name in enumerate(variables):
            # Cycle through every sign pattern first, so both signs of each variable are tried.
            negative = (i >> j) & 1 if i < 2 ** min(k, 6) * 2 else rng.random() < 0.5
            if name in integer_vars:
                magnitude = float(rng.randint(1, 6))
            elif not wide and i % 8 == 7:
                magnitude = math.exp(rng.uniform(math.log(5.0), math.log(300.0)))
            else:
                magnitude = math.exp(rng.uniform(low, high))
            coords.append(arb(-magnitude if negative else magnitude))
        points.append(tuple(coords))
    return tuple(points)


@lru_cache(maxsize=64)
def grid_points(variables: tuple[str, ...], integer_vars: frozenset[str]) -> tuple[tuple[Fraction, ...], ...]:
    axes = [INTEGER_VALUES if v in integer_vars else SPECIAL_VALUES for v in variables]
    total = 1
    for axis in axes:
        total *= len(axis)
    rng = random.Random(_stable_seed("grid", variables, sorted(integer_vars)))
    if total <= GRID_LIMIT:
        import itertools

        return tuple(itertools.product(*axes))
    return tuple(tuple(rng.choice(axis) for axis in axes) for _ in range(GRID_LIMIT))


def _format_point(variables: Sequence[str], point: Sequence[object]) -> dict[str, str]:
    shown = {}
    for name, value in zip(variables, point):
        if isinstance(value, Fraction):
            shown[name] = number_text(value)
        else:
            shown[name] = f"{to_float(value):.4g}"  # type: ignore[arg-type]
    return shown


def point_text(point: dict[str, str]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in point.items())


class PreparedExpected:
    """An expected expression compiled once, with its values cached per point and precision.

    Grading reuses one of these for every student's answer to the same part.
    """

    def __init__(self, tree: n.Node, variables: tuple[str, ...]) -> None:
        self.tree = tree
        self.variables = variables
        self.integer_vars = integer_variables(tree)
        self.evaluator = compile_tree(tree, variables)
        self.has_variable_power = has_variable_power(tree)
        self.degree_bounds = degree_bounds(tree)
        self.exact_evaluator = compile_exact(tree) if self.degree_bounds is not None else None
        self._values: dict[tuple[object, int], Value] = {}

    def value(self, key: object, point: Sequence[object], bits: int) -> Value:
        cached = self._values.get((key, bits))
        if cached is None:
            with precision(bits):
                cached = evaluate(self.evaluator, _as_balls(point))
            self._values[(key, bits)] = cached
        return cached


def _as_balls(point: Sequence[object]) -> list[arb]:
    return [arb(fmpq(v.numerator, v.denominator)) if isinstance(v, Fraction) else v for v in point]  # type: ignore[misc]


@lru_cache(maxsize=512)
def prepare(tree: n.Node, variables: tuple[str, ...]) -> PreparedExpected:
    return PreparedExpected(tree, variables)


@dataclass
class _Tally:
    agreeing: int = 0
    digits: float = math.inf
    mismatch_point: dict[str, str] | None = None
    mismatch_value: str | None = None
    mismatches: int = 0
    answer_real_somewhere: bool = False


def _compare_at(
    expected: PreparedExpected,
    answer_eval: object,
    key: object,
    point: Sequence[object],
    tally: _Tally,
) -> Comparison | None:
    """Compare at one point, raising precision while the balls are too wide to decide."""
    bits = START_PRECISION
    while bits <= MAX_PRECISION:
        e = expected.value(key, point, bits)
        if e.status is Status.UNDEFINED or e.status is Status.NONREAL:
            return None  # outside the expected answer's domain: not informative
        with precision(bits):
            a = evaluate(answer_eval, _as_balls(point))  # type: ignore[arg-type]
            if e.status is Status.REAL and a.status is Status.REAL:
                tally.answer_real_somewhere = True
                verdict, digits = compare_reals(e.real, a.real, AGREEMENT_BITS)
                if verdict is Agreement.DIFFER:
                    shown = _format_point(expected.variables, point)
                    return Comparison(
                        "different",
                        t(
                            "answer.evidence.differs_at",
                            point=point_text(shown),
                            expected=describe(e),
                            answer=describe(a),
                        ),
                        "numeric",
                        counterexample=shown,
                        details={"expected": describe(e), "answer": describe(a)},
                    )
                if verdict is Agreement.AGREE:
                    tally.agreeing += 1
                    tally.digits = min(tally.digits, digits)
                    return None
            elif e.status is Status.REAL and a.status in (Status.UNDEFINED, Status.NONREAL):
                tally.mismatches += 1
                if tally.mismatch_point is None:
                    tally.mismatch_point = _format_point(expected.variables, point)
                    tally.mismatch_value = describe(a)
                return None
            elif a.status is Status.REAL:
                tally.answer_real_somewhere = True
        bits *= 2
    return None  # undecidable at this point even at the highest precision: skip it


def compare_expressions(
    expected: n.Node,
    answer: n.Node,
    variables: Sequence[str],
    deadline: Deadline,
) -> Comparison:
    """Compare two expression trees over ``variables`` (the union of both trees' names)."""
    if expected == answer:
        return Comparison("equivalent", t("answer.evidence.structural"), "structural")
    names = tuple(sorted(set(variables) | n.free_symbols(expected) | n.free_symbols(answer)))
    prepared = prepare(expected, names)
    exact = prove_rational(expected, answer, deadline, prepared.degree_bounds, prepared.exact_evaluator)
    if exact is not None:
        if exact.equal:
            return Comparison(
                "equivalent",
                t(
                    "answer.evidence.exact_rational",
                    degree=exact.degree,
                    variables=", ".join(names) or "—",
                    points=exact.points,
                ),
                "exact",
                points=exact.points,
            )
        assert exact.counterexample is not None
        shown = {k: number_text(v) for k, v in exact.counterexample.items()}
        expected_text = friendly_number(exact.expected_value)  # type: ignore[arg-type]
        answer_text = friendly_number(exact.answer_value)  # type: ignore[arg-type]
        return Comparison(
            "different",
            t(
                "answer.evidence.differs_at" if shown else "answer.evidence.differs_constant",
                point=point_text(shown),
                expected=expected_text,
                answer=answer_text,
            ),
            "exact",
            counterexample=shown,
            details={"expected": expected_text, "answer": answer_text},
        )
    if not names:
        return _compare_constants(expected, answer)
    answer_eval = compile_tree(answer, names, strict=True)
    tally = _Tally()
    for wide in (False, True):
        for index, point in enumerate(sample_points(names, prepared.integer_vars, wide)):
            deadline.check()
            outcome = _compare_at(prepared, answer_eval, ("s", wide, index), point, tally)
            if outcome is not None:
                return outcome
            if tally.agreeing >= TARGET_POINTS:
                break
        if tally.agreeing >= TARGET_POINTS:
            break
    special = 0
    if tally.agreeing and (prepared.has_variable_power or has_variable_power(answer)):
        before = tally.agreeing
        for index, point in enumerate(grid_points(names, prepared.integer_vars)):
            deadline.check()
            outcome = _compare_at(prepared, answer_eval, ("g", index), point, tally)
            if outcome is not None:
                return outcome
        special = tally.agreeing - before
    return _conclude(tally, names, special)


def _conclude(tally: _Tally, names: tuple[str, ...], special: int) -> Comparison:
    digits = 0 if math.isinf(tally.digits) else int(tally.digits)
    accepted = tally.agreeing >= TARGET_POINTS or (tally.agreeing >= 2 and tally.mismatches == 0)
    if accepted:
        key = "answer.evidence.numeric_grid" if special else "answer.evidence.numeric"
        evidence = t(key, points=tally.agreeing, digits=digits, special=special)
        return Comparison(
            "equivalent",
            evidence,
            "grid" if special else "numeric",
            points=tally.agreeing,
            digits=digits,
            domain_point=tally.mismatch_point,
        )
    if tally.mismatches:
        assert tally.mismatch_point is not None
        outcome = "answer_undefined" if tally.answer_real_somewhere else "not_real"
        return Comparison(
            outcome,
            t(
                "answer.evidence.undefined_at",
                point=point_text(tally.mismatch_point),
                answer=tally.mismatch_value,
            ),
            "numeric",
            counterexample=tally.mismatch_point,
            details={"answer": tally.mismatch_value or ""},
        )
    return Comparison("undecided", t("answer.verdict.no_points"), "numeric")


def constant_value(tree: n.Node, bits: int = CONSTANT_PRECISION, strict: bool = False) -> Value:
    with precision(bits):
        return evaluate(compile_tree(tree, (), strict), ())


def _compare_constants(expected: n.Node, answer: n.Node) -> Comparison:
    bits = CONSTANT_PRECISION
    while bits <= 4 * MAX_PRECISION:
        e, a = constant_value(expected, bits), constant_value(answer, bits, strict=True)
        if e.status is Status.REAL and a.status is Status.REAL:
            with precision(bits):
                verdict, digits = compare_reals(e.real, a.real, min(CONSTANT_AGREEMENT_BITS, bits - 40))
            if verdict is Agreement.DIFFER:
                return Comparison(
                    "different",
                    t("answer.evidence.differs_constant", expected=describe(e), answer=describe(a)),
                    "numeric",
                    details={"expected": describe(e), "answer": describe(a)},
                )
            if verdict is Agreement.AGREE:
                return Comparison(
                    "equivalent",
                    t("answer.evidence.numeric_constant", digits=int(digits)),
                    "numeric",
                    points=1,
                    digits=digits,
                )
        elif e.status is Status.REAL and a.status in (Status.UNDEFINED, Status.NONREAL):
            return Comparison(
                "not_real",
                t("answer.evidence.differs_constant", expected=describe(e), answer=describe(a)),
                "numeric",
                details={"answer": describe(a)},
            )
        elif e.status in (Status.UNDEFINED, Status.NONREAL):
            break
        bits *= 2
    return Comparison("undecided", t("answer.verdict.no_points"), "numeric")


def compare_equations(
    expected: n.Eq, answer: n.Eq, variables: Sequence[str], deadline: Deadline
) -> Comparison:
    """Equations are equivalent when ``lhs - rhs`` of one is a nonzero constant times the other's.

    ``y = 2x - 1``, ``2x - y = 1`` and ``y - 2x + 1 = 0`` are all the same line.
    """
    d_expected = n.sub(expected.lhs, expected.rhs)
    d_answer = n.sub(answer.lhs, answer.rhs)
    names = tuple(sorted(set(variables) | n.free_symbols(d_expected) | n.free_symbols(d_answer)))
    ratio = _exact_ratio(d_expected, d_answer, names)
    if ratio is not None:
        if ratio == 0:
            return Comparison("different", t("answer.verdict.equation_not_equivalent"), "exact")
        scaled = n.Mul((n.Num(ratio), d_expected))
        exact = prove_rational(scaled, d_answer, deadline)
        if exact is not None:
            if exact.equal:
                return Comparison(
                    "equivalent",
                    t("answer.evidence.proportional", factor=number_text(ratio))
                    + "; "
                    + t("answer.evidence.exact_rational", degree=exact.degree, variables=", ".join(names), points=exact.points),
                    "exact",
                    points=exact.points,
                )
            shown = {k: number_text(v) for k, v in (exact.counterexample or {}).items()}
            return Comparison(
                "different",
                t("answer.verdict.equation_not_equivalent"),
                "exact",
                counterexample=shown,
            )
    return _compare_equations_numerically(d_expected, d_answer, names, deadline)


def _exact_ratio(d_expected: n.Node, d_answer: n.Node, names: tuple[str, ...]) -> Fraction | None:
    """answer/expected at the first rational point where the expected side is nonzero."""
    if degree_bounds(d_expected) is None or degree_bounds(d_answer) is None:
        return None
    for point in grid_points(names, frozenset())[:50]:
        values = dict(zip(names, point))
        try:
            e = evaluate_exact(d_expected, values)
            a = evaluate_exact(d_answer, values)
        except (ZeroDivisionError, KeyError):
            continue
        if e != 0:
            return a / e
    return None


def _compare_equations_numerically(
    d_expected: n.Node, d_answer: n.Node, names: tuple[str, ...], deadline: Deadline
) -> Comparison:
    expected_eval = compile_tree(d_expected, names)
    answer_eval = compile_tree(d_answer, names, strict=True)
    ratio: arb | None = None
    agreeing = 0
    digits = math.inf
    with precision(START_PRECISION):
        for wide in (False, True):
            for point in sample_points(names, frozenset(), wide):
                deadline.check()
                e = evaluate(expected_eval, point)
                a = evaluate(answer_eval, point)
                if e.status is not Status.REAL or a.status is not Status.REAL:
                    continue
                if ratio is None:
                    if e.real.contains(0):
                        continue
                    ratio = a.real / e.real
                    if ratio.contains(0) and not a.real.contains(0):
                        continue
                    if ratio.contains(0):
                        return Comparison("different", t("answer.verdict.equation_not_equivalent"), "numeric")
                    continue
                verdict, certified = compare_reals(ratio * e.real, a.real, AGREEMENT_BITS - 20)
                if verdict is Agreement.DIFFER:
                    shown = _format_point(names, point)
                    return Comparison(
                        "different", t("answer.verdict.equation_not_equivalent"), "numeric", counterexample=shown
                    )
                if verdict is Agreement.AGREE:
                    agreeing += 1
                    digits = min(digits, certified)
                if agreeing >= TARGET_POINTS:
                    return Comparison(
                        "equivalent",
                        t("answer.evidence.numeric", points=agreeing, digits=int(digits)),
                        "numeric",
                        points=agreeing,
                        digits=digits,
                    )
    return Comparison("undecided", t("answer.verdict.no_points"), "numeric")
