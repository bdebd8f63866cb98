"""Equations are equal when they describe the same set of points.

``y = 2x - 1``, ``2x - y = 1``, ``(y - 2x + 1)^3 = 0``, ``y^3 = (2x - 1)^3`` and ``e^y = e^(2x-1)``
all describe one line; ``y^2 = (2x - 1)^2`` describes two. The test, with ``d = lhs - rhs``:

1. Fast paths: when both sides are rational and one ``d`` is a constant multiple of the other,
   the equations are equal (*proved* exactly); when the expected ``d`` is linear in a variable
   (a tangent line), a rational point solving it that the answer's equation misses proves
   them different, exactly.
2. Otherwise the solution sets are compared along lines parallel to each coordinate axis
   through points derived from the question. On each line the expected equation's solutions
   are found (exactly, as polynomial roots, where it is polynomial along the line; else by
   scanning and bisection) and the answer must vanish at each, to high certified precision;
   and every solution of the answer on the line must solve the expected equation. A missing
   or extra solution anywhere is a certified difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from flint import acb, arb, fmpq

from exgen.answers import nodes as n
from exgen.answers.comparison import PROVED, SAMPLED, Comparison, format_point, point_text
from exgen.answers.exact import degree_bounds, is_low_degree_polynomial, polynomial_roots_on_line, prove_rational
from exgen.answers.limits import Deadline
from exgen.answers.numeric import (
    ABSORPTION_MARGIN,
    MAX_PROBED_PRECISION,
    Evaluator,
    Status,
    Value,
    compile_tree,
    describe,
    evaluate,
    precision,
)
from exgen.answers.printer import number_text, to_text
from exgen.answers.sampling import PointPlan, SamplePoint, scan, stable_seed
from exgen.answers.surds import with_exact_constants
from exgen.i18n import t

ROOT_BITS = 256
LINES_NEEDED = 6  # lines on which both equations have solutions, all matching
BASES_PER_VARIABLE = 4


def _exact_ratio(d_expected: n.Node, d_answer: n.Node, names: tuple[str, ...]) -> Fraction | None:
    """answer/expected at the first rational point where the expected side is nonzero."""
    from exgen.answers.exact import evaluate_exact
    from exgen.answers.sampling import grid_points

    if degree_bounds(d_expected) is None or degree_bounds(d_answer) is None:
        return None
    for index, point in enumerate(grid_points(names, frozenset())):
        if index >= 50:
            break
        values = dict(zip(names, point.coords))
        try:
            e = evaluate_exact(d_expected, values)
            a = evaluate_exact(d_answer, values)
        except (ZeroDivisionError, KeyError):
            continue
        if e != 0:
            return a / e
    return None


def compare_equations(expected: n.Eq, answer: n.Eq, variables: Sequence[str], deadline: Deadline) -> Comparison:
    """Compare two equations as sets of solutions (see the module docstring)."""
    d_expected = n.sub(expected.lhs, expected.rhs)
    d_answer = n.sub(answer.lhs, answer.rhs)
    names = tuple(sorted(set(variables) | n.free_symbols(d_expected) | n.free_symbols(d_answer)))
    # Exact paths see constants such as sqrt(4) and ln(1) as the rationals they are (a
    # follow-through tangent line keeps its point's values as written).
    exact_expected, exact_answer = with_exact_constants(d_expected), with_exact_constants(d_answer)
    ratio = _exact_ratio(exact_expected, exact_answer, names)
    if ratio:
        exact = prove_rational(n.Mul((n.Num(ratio), exact_expected)), exact_answer, deadline)
        if exact is not None and exact.equal:
            return Comparison(
                "equivalent",
                t("answer.evidence.proportional", factor=number_text(ratio))
                + "; "
                + t("answer.evidence.exact_rational", degree=exact.degree, variables=", ".join(names), points=exact.points),
                "exact",
                points=exact.points,
                strength=PROVED,
            )
    if not names:
        return Comparison("undecided", t("answer.verdict.no_points"), "numeric")
    missed = _exact_miss(exact_expected, exact_answer, names)
    if missed is not None:
        return missed
    return _SolutionSets(d_expected, d_answer, names, deadline).run()


EXACT_MISS_TRIES = 6  # rational points tried on the expected solution set


def _exact_miss(d_expected: n.Node, d_answer: n.Node, names: tuple[str, ...]) -> Comparison | None:
    """A rational point on the expected solution set that the answer misses, found exactly where
    the expected equation is linear in one of its variables (a tangent line y = m x + b): the
    sets then certainly differ. None when there is no such variable or the points tried lie on
    both (then the comparison along lines decides)."""
    from exgen.answers.exact import evaluate_exact
    from exgen.answers.sampling import grid_points

    bounds = degree_bounds(d_expected)
    if bounds is None or degree_bounds(d_answer) is None:
        return None
    numerator, denominator = bounds
    for variable in names:
        if numerator.get(variable, 0) != 1 or denominator.get(variable, 0) != 0:
            continue  # not linear in it (as far as the bounds tell): solving for it is not one division
        others = tuple(name for name in names if name != variable)
        for tried, point in enumerate(grid_points(others, frozenset())):
            if tried >= EXACT_MISS_TRIES:
                break
            at = dict(zip(others, point.coords))
            try:
                constant = evaluate_exact(d_expected, {**at, variable: Fraction(0)})
                slope = evaluate_exact(d_expected, {**at, variable: Fraction(1)}) - constant
                if slope == 0:
                    continue
                at[variable] = -constant / slope
                if evaluate_exact(d_expected, at) != 0:
                    continue  # the bound was not tight: not this simple
                missed = evaluate_exact(d_answer, at) != 0
            except (ZeroDivisionError, KeyError, TypeError, ValueError, OverflowError):
                continue  # outside a domain (or a constant such as e): another point
            if missed:
                shown = format_point(names, [at[name] for name in names])
                return Comparison("different", t("answer.evidence.missing_solution", point=point_text(shown)), "exact",
                                  counterexample=shown, strength=PROVED)
    return None


class _SolutionSets:
    def __init__(self, d_expected: n.Node, d_answer: n.Node, names: tuple[str, ...], deadline: Deadline) -> None:
        self.d_expected = d_expected
        self.d_answer = d_answer
        self.names = names
        self.deadline = deadline
        self.expected_eval = compile_tree(d_expected, names, probe=True)
        self.answer_eval = compile_tree(d_answer, names, strict=True, probe=True)
        self.plan = PointPlan(names, frozenset(), stable_seed("equation", to_text(d_expected), names))
        self.expected_polynomial = is_low_degree_polynomial(d_expected)
        self.answer_polynomial = is_low_degree_polynomial(d_answer)

    def run(self) -> Comparison:
        lines = 0
        for index in range(len(self.names)):
            for base in self.plan.core[:BASES_PER_VARIABLE]:
                self.deadline.check()
                outcome = self.compare_line(base, index)
                if isinstance(outcome, Comparison):
                    return outcome
                lines += outcome
        if lines >= LINES_NEEDED:
            return Comparison(
                "equivalent", t("answer.evidence.same_solutions", lines=lines), "numeric", points=lines, strength=SAMPLED
            )
        return Comparison("undecided", t("answer.verdict.no_points"), "numeric")

    def compare_line(self, base: SamplePoint, index: int) -> Comparison | int:
        """1 when both have matching solutions on this line, 0 when neither has any, or when a
        root a scan saw could not be certified: differences at the certified roots still count,
        agreement on the line does not."""
        coords = base.coords
        bits = ROOT_BITS
        expected_roots, expected_sure = self.roots(self.d_expected, self.expected_eval, self.expected_polynomial, coords, index, bits)
        answer_roots, answer_sure = self.roots(self.d_answer, self.answer_eval, self.answer_polynomial, coords, index, ROOT_BITS)
        if expected_roots is None or answer_roots is None:
            # one of them holds on the whole line: the other must too
            if expected_roots is None and answer_roots is None:
                return 0
            holds, evaluator = ("extra", self.expected_eval) if answer_roots is None else ("missing", self.answer_eval)
            for t_value in (Fraction(1, 3), Fraction(-7, 5), Fraction(11, 2)):
                root = arb(fmpq(t_value.numerator, t_value.denominator))
                if not self.vanishes(evaluator, coords, index, root, ROOT_BITS):
                    return self.difference(coords, index, root, holds)
            return 0
        # The answer must vanish at each expected solution, at a precision that shows any term
        # it hides (y - 2x + 1 + 10^-300 = 0 is another line).
        needed = max((self.needed_bits(self.answer_eval, coords, index, r) for r in expected_roots), default=0.0)
        if needed + ABSORPTION_MARGIN > bits:
            bits = min(_power_of_two(needed + ABSORPTION_MARGIN), MAX_PROBED_PRECISION)
            finer, expected_sure = self.roots(self.d_expected, self.expected_eval, self.expected_polynomial, coords, index, bits)
            expected_roots = finer or []
        for root in expected_roots:
            if not self.vanishes(self.answer_eval, coords, index, root, bits):
                return self.difference(coords, index, root, "missing")
        for root in answer_roots:
            if not self.vanishes(self.expected_eval, coords, index, root, ROOT_BITS):
                return self.difference(coords, index, root, "extra")
        return 1 if expected_roots and expected_sure and answer_sure else 0

    def difference(self, coords: tuple[Fraction, ...], index: int, root: arb, which: str) -> Comparison:
        point = list(coords)
        point[index] = Fraction(float(root.mid())).limit_denominator(10**6)
        shown = format_point(self.names, point)
        key = "answer.evidence.missing_solution" if which == "missing" else "answer.evidence.extra_solution"
        return Comparison("different", t(key, point=point_text(shown)), "numeric", counterexample=shown, strength=PROVED)

    def _value(self, evaluator: Evaluator, coords: tuple[Fraction, ...], index: int, root: arb, bits: int) -> Value:
        with precision(bits):
            env = [acb(arb(fmpq(c.numerator, c.denominator))) for c in coords]
            env[index] = acb(root)
            return evaluate(evaluator, env)

    def needed_bits(self, evaluator: Evaluator, coords: tuple[Fraction, ...], index: int, root: arb) -> float:
        return self._value(evaluator, coords, index, root, ROOT_BITS).needed_bits

    def vanishes(self, evaluator: Evaluator, coords: tuple[Fraction, ...], index: int, root: arb, bits: int) -> bool:
        """Does the equation hold at the (ball) root? Undefined there counts as not holding."""
        value = self._value(evaluator, coords, index, root, bits)
        return value.status is Status.REAL and bool(value.real.contains(0))

    def roots(
        self, tree: n.Node, evaluator: Evaluator, polynomial: bool, coords: tuple[Fraction, ...], index: int, bits: int
    ) -> tuple[list[arb] | None, bool]:
        """The solutions on the line, as balls that certainly hold them (None: it holds on the
        whole line), and whether every root a scan saw was certified (the others are left out)."""
        if polynomial:
            return polynomial_roots_on_line(tree, self.names, coords, index, bits), True
        found = scan(evaluator, coords, index, self.deadline.check)
        if len(found.exact_roots) > 20:
            return None, True  # zero along the whole line
        refined = [_refine(evaluator, coords, index, r, bits, self.deadline) for r in found.roots]
        roots = [root for root in refined if root is not None]
        roots += [arb(fmpq(r.numerator, r.denominator)) for r in found.exact_roots]
        return roots, len(roots) == len(refined) + len(found.exact_roots)


def _power_of_two(bits: float) -> int:
    value = ROOT_BITS
    while value < bits:
        value *= 2
    return value


def _refine(evaluator: Evaluator, coords: tuple[Fraction, ...], index: int, approximate: float, bits: int,
            deadline: Deadline) -> arb | None:
    """A root located by a scan, narrowed by bisection to a ball of about ``bits`` bits that
    certainly holds it (the signs at its ends are certified and opposite); None when the
    signs near the scan's estimate cannot be certified."""
    width = max(abs(approximate), 1.0) * 2.0**-40
    low, high = Fraction(approximate - width), Fraction(approximate + width)
    with precision(bits):

        def sign(t: Fraction) -> int:
            env = [acb(arb(fmpq(c.numerator, c.denominator))) for c in coords]
            env[index] = acb(arb(fmpq(t.numerator, t.denominator)))
            value = evaluate(evaluator, env)
            if value.status is not Status.REAL:
                return 0
            real = value.real
            return 1 if real > 0 else -1 if real < 0 else 0

        low_sign, high_sign = sign(low), sign(high)
        if low_sign == 0 or high_sign == 0 or low_sign == high_sign:
            return None  # no certified sign change here: no certified root either
        for _ in range(bits - 40):
            deadline.check()
            middle = (low + high) / 2
            s = sign(middle)
            if s == 0:
                # The value's ball holds 0 (a zero, or a constant such as e - e that balls
                # cannot cancel): the root is only known to lie between low and high.
                break
            if s == low_sign:
                low = middle
            else:
                high = middle
        return _ball_between(low, high)


def _ball_between(low: Fraction, high: Fraction) -> arb:
    """A ball that holds all of [low, high] (its radius rounded up, never down)."""
    mid = (low + high) / 2
    return arb(fmpq(mid.numerator, mid.denominator), float(high - low))  # radius (high - low)/2, doubled for rounding


__all__ = ["compare_equations", "describe"]
