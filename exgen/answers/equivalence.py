"""Decide whether two expressions are equal, and say why and how surely.

The decision is hybrid and explainable. In order:

1. identical trees are equal (*proved*: identical after normalisation);
2. rational expressions (polynomials, rational functions) are decided *exactly* on a grid of
   rational points (:mod:`exgen.answers.exact`); a failing point is an exact counterexample;
3. constants are compared with certified ball arithmetic at increasing precision, and proved
   equal with sympy where that is cheap;
4. everything else is evaluated with certified ball arithmetic (:mod:`exgen.answers.numeric`)
   at points derived from the question (:mod:`exgen.answers.sampling`). One certified
   difference rejects. Acceptance needs evidence that holds:

   * at least 8 agreeing points, with every variable seen with both signs wherever the
     expected answer is defined for both, plus tiny (|x| ~ 1e-3) and large (|x| ~ 1e3) points;
   * at every point, enough precision that no term is absorbed (``x + 10^-40 sin x``) or
     drowned by magnitude (``cosh(1000x) + 1``), then a second look at 4x the precision;
   * for answers with ``abs``, ``sign``, ``max``, ``min`` or ``atan2``: points on both sides of
     every kink the scans find, in the middle of every piece, and at exact kinks;
   * a narrow domain (``log(x - 90)``) is found by scanning, not given up on;
   * integer variables (``n`` in ``(-1)^n``) sampled over a wide range of both signs.

   Agreement so found is reported as *sampled* ("agreed at N points ... to P digits"); when
   the two are also the same rational function of the same functions of x (``2x e^(x^2)``
   and ``e^(x^2) * 2x``), the identity is *proved*.

The domain rule: where the expected answer is real, the answer must be real too. An answer
undefined on a region of the expected answer's domain is wrong (``2 ln x`` for ``ln(x^2)``,
``ln x`` for ``ln |x|``, ``sqrt(x)^2`` for ``|x|``), and the verdict says where. Isolated points
are excepted (``(x^2 - 1)/(x - 1)`` for ``x + 1``). The rule holds for every variable of the
question, including ones the expected answer does not involve: ``sqrt(k/m) sqrt(m/k)`` is not
``1`` where k/m < 0.

Evaluation conventions (documented for instructors in the README):

* The expected answer is evaluated by principal values (``sqrt(-3)*sqrt(-5)`` is ``-sqrt(15)``);
  points where it is not real are outside its domain. The student's answer is evaluated
  strictly in the reals (a step that leaves the reals makes it undefined there).
* A power with an odd denominator is the real root: ``x^(1/3)`` is ``-2`` at ``x = -8``.
* A variable in the exponent of a base written with a minus sign (``(-1)^n``, ``(-cos x)^n``)
  in the *expected* answer is an integer and is sampled at integers only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from exgen.answers import nodes as n
from exgen.answers.comparison import PROVED, SAMPLED, Comparison, format_point, point_text, shown_number
from exgen.answers.equations import compare_equations
from exgen.answers.exact import (
    UNDEFINED,
    compile_exact,
    constant_rational,
    degree_bounds,
    exact_value,
    is_low_degree_polynomial,
    polynomial_roots_on_line,
    prove_identity_in_functions,
    prove_rational,
)
from exgen.answers.limits import Deadline
from exgen.answers.numeric import (
    ABSORPTION_MARGIN,
    AGREEMENT_BITS,
    MAX_PRECISION,
    MAX_PROBED_PRECISION,
    START_PRECISION,
    Agreement,
    Evaluator,
    Status,
    Value,
    as_balls,
    compare_reals,
    compile_tree,
    describe,
    evaluate,
    evaluate_at,
    precision,
    rational_value,
)
from exgen.answers.printer import friendly_number, number_text, to_text
from exgen.answers.sampling import (
    SCAN_GRID,
    SCAN_REACH,
    PointPlan,
    SamplePoint,
    boundary,
    dyadic,
    grid_points,
    kink_positions,
    points_in,
    scan,
    stable_seed,
    switches,
)
from exgen.answers.surds import same_surd
from exgen.i18n import t

TARGET_POINTS = 8  # agreeing generic points needed to accept
CONSTANT_PRECISION = 256
CONSTANT_AGREEMENT_BITS = 200
CONFIRM_FACTOR = 4  # the second look at a point uses this many times the bits of the first


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


class PreparedExpected:
    """An expected expression compiled once, with its values cached per point and precision.

    Grading reuses one of these for every student's answer to the same part.
    """

    def __init__(self, tree: n.Node, variables: tuple[str, ...]) -> None:
        self.tree = tree
        self.variables = variables
        self.integer_vars = integer_variables(tree)
        self.evaluator = compile_tree(tree, variables, probe=True)
        self.has_variable_power = has_variable_power(tree)
        self.degree_bounds = degree_bounds(tree)
        self.exact_evaluator = compile_exact(tree) if self.degree_bounds is not None else None
        self.switches = switches(tree)
        self.plan = PointPlan(variables, self.integer_vars, stable_seed("points", to_text(tree), variables))
        self._values: dict[tuple[tuple[Fraction, ...], int], Value] = {}
        self._scans: dict[tuple[tuple[Fraction, ...], int], object] = {}

    def value(self, coords: tuple[Fraction, ...], bits: int) -> Value:
        key = (coords, bits)
        cached = self._values.get(key)
        if cached is None:
            cached = evaluate_at(self.evaluator, coords, bits)
            if len(self._values) < 20000:
                self._values[key] = cached
        return cached


# One generic point with mixed signs, for screening (any fixed point will do: a certified
# difference anywhere both sides are real rules equivalence out).
_SCREEN = (Fraction(7, 11), Fraction(-5, 13), Fraction(9, 7), Fraction(-3, 17))
SCREEN_PRECISION = 128


def certainly_different(expected: n.Node, answer: n.Node, variables: Sequence[str]) -> bool:
    """True when ``expected`` and ``answer`` take different real values at one generic point,
    certified by ball arithmetic (the balls are disjoint): then no comparison can find them
    equivalent. False means only "not shown here". Costs one evaluation of each, with the
    evaluators a later full comparison reuses; grading screens mistake models with it."""
    names = tuple(sorted(set(variables) | n.free_symbols(expected) | n.free_symbols(answer)))
    point = tuple(_SCREEN[i % len(_SCREEN)] * (1 + i // len(_SCREEN)) for i in range(len(names)))
    e = evaluate_at(compile_tree(expected, names, probe=True), point, SCREEN_PRECISION)
    if e.status is not Status.REAL:
        return False
    a = evaluate_at(compile_tree(answer, names, strict=True, probe=True), point, SCREEN_PRECISION)
    return a.status is Status.REAL and not e.real.overlaps(a.real)


@lru_cache(maxsize=512)
def prepare(tree: n.Node, variables: tuple[str, ...]) -> PreparedExpected:
    return PreparedExpected(tree, variables)


def compare_expressions(
    expected: n.Node,
    answer: n.Node,
    variables: Sequence[str],
    deadline: Deadline,
) -> Comparison:
    """Compare two expression trees over ``variables`` (the union of both trees' names)."""
    if expected == answer:
        return Comparison("equivalent", t("answer.evidence.structural"), "structural", strength=PROVED)
    names = tuple(sorted(set(variables) | n.free_symbols(expected) | n.free_symbols(answer)))
    prepared = prepare(expected, names)
    exact = prove_rational(expected, answer, deadline, prepared.degree_bounds, prepared.exact_evaluator)
    if exact is not None:
        if exact.equal:
            return Comparison(
                "equivalent",
                t("answer.evidence.exact_rational", degree=exact.degree, variables=", ".join(names) or "—", points=exact.points),
                "exact",
                points=exact.points,
                strength=PROVED,
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
            strength=PROVED,
        )
    if not names:
        return compare_constants(expected, answer, deadline)
    return _NumericRun(prepared, answer, deadline).run()


# -- numeric comparison at sample points -------------------------------------------------------


def differs_evidence(point: str | None, e: Value, a: Value, bits: int) -> tuple[str, dict[str, str]]:
    """The evidence for a certified difference; when the values look alike at four digits,
    it also gives the difference itself (``x + 10^-40 sin x``)."""
    expected, answer = describe(e), describe(a)
    details = {"expected": expected, "answer": answer}
    params = {"expected": expected, "answer": answer}
    if expected == answer:
        with precision(bits):
            difference = describe(Value(Status.REAL, a.value - e.value))
        details["difference"] = params["difference"] = difference
        key = "answer.evidence.differs_at_by" if point is not None else "answer.evidence.differs_constant_by"
    else:
        key = "answer.evidence.differs_at" if point is not None else "answer.evidence.differs_constant"
    return t(key, point=point or "", **params), details


_AGREE, _DIFFER, _MISMATCH, _OUTSIDE, _UNRESOLVED = "agree", "differ", "mismatch", "outside", "unresolved"


@dataclass(slots=True)
class _PointResult:
    kind: str
    bits: int = START_PRECISION
    digits: float = 0.0
    expected: Value | None = None
    answer: Value | None = None


def _next_bits(needed: float) -> int:
    bits = START_PRECISION
    while bits < needed:
        bits *= 2
    return bits


class _NumericRun:
    """One answer compared with one prepared expected answer at sample points."""

    def __init__(self, prepared: PreparedExpected, answer: n.Node, deadline: Deadline) -> None:
        self.e = prepared
        self.answer = answer
        self.names = prepared.variables
        self.deadline = deadline
        self.answer_eval = compile_tree(answer, self.names, strict=True, probe=True)
        self.agree: list[tuple[SamplePoint, _PointResult]] = []
        self.special_agree = 0
        self.mismatches: list[SamplePoint] = []
        self.visited: set[tuple[Fraction, ...]] = set()
        self.defined_signs: list[set[bool]] = [set() for _ in self.names]  # signs where the key was real
        self.agree_signs: list[set[bool]] = [set() for _ in self.names]
        self.digits = math.inf
        self.switch_trees = list(dict.fromkeys([*prepared.switches, *switches(answer)]))
        self.kinks: list[str] = []
        self.unresolved: list[SamplePoint] = []
        self.overflows = 0  # points where the answer grew beyond what can be evaluated
        self.outcome: Comparison | None = None

    # -- one point -------------------------------------------------------------------------
    def compare_at(self, point: SamplePoint) -> _PointResult:
        coords = point.coords
        bits = START_PRECISION
        limit = MAX_PRECISION
        retried_mismatch = False
        while True:
            self.deadline.check()
            e = self.e.value(coords, bits)
            if e.status in (Status.UNDEFINED, Status.NONREAL):
                return _PointResult(_OUTSIDE, bits)
            a = evaluate_at(self.answer_eval, coords, bits)
            needed = max(e.needed_bits, a.needed_bits) + ABSORPTION_MARGIN
            if needed > bits:
                if needed > MAX_PROBED_PRECISION:
                    return _PointResult(_UNRESOLVED, bits)
                bits = _next_bits(needed)
                limit = max(limit, 4 * bits)
                continue
            if e.status is Status.REAL and a.status is Status.REAL:
                with precision(bits):
                    verdict, digits = compare_reals(e.real, a.real, AGREEMENT_BITS)
                if verdict is Agreement.DIFFER:
                    return _PointResult(_DIFFER, bits, 0.0, e, a)
                if verdict is Agreement.AGREE:
                    return _PointResult(_AGREE, bits, digits, e, a)
            elif e.status is Status.REAL and a.status in (Status.UNDEFINED, Status.NONREAL):
                if a.overflow:
                    self.overflows += 1
                    return _PointResult(_UNRESOLVED, bits)  # too large to evaluate, not undefined
                if self.isolated_in_key_domain(coords):
                    return _PointResult(_OUTSIDE, bits)  # x ln(x - 1) at x = 0: 0 · iπ, not a region
                if retried_mismatch or bits * 4 > MAX_PROBED_PRECISION:
                    return _PointResult(_MISMATCH, bits, 0.0, e, a)
                retried_mismatch = True  # a ball straddling a branch point: look closer once
                bits *= 4
                limit = max(limit, bits)
                continue
            bits *= 2
            if bits > limit:
                return _PointResult(_UNRESOLVED, bits)

    def isolated_in_key_domain(self, coords: tuple[Fraction, ...]) -> bool:
        """Is ``coords`` an isolated point of the expected answer's real domain (real there, by
        principal values, but nowhere near it)? The domain rule is about regions."""
        for j, value in enumerate(coords):
            step = max(abs(value), Fraction(1)) / 65536
            for nearby in (value - step, value + step):
                moved = (*coords[:j], nearby, *coords[j + 1 :])
                if self.e.value(moved, START_PRECISION).status is Status.REAL:
                    return False
        return True

    def visit(self, point: SamplePoint) -> bool:
        """Compare at ``point``; True when the run is decided (a certified difference)."""
        if point.coords in self.visited:
            return False
        self.visited.add(point.coords)
        result = self.compare_at(point)
        if result.kind == _OUTSIDE:
            return False
        if point.generic:  # a special point (an integer, say) says nothing about a half-line
            for j, value in enumerate(point.coords):
                if value != 0:
                    self.defined_signs[j].add(value < 0)  # the expected answer is (probably) real here
        if result.kind == _UNRESOLVED:
            if point.origin == "core":
                self.unresolved.append(point)
            return False
        if result.kind == _DIFFER:
            shown = format_point(self.names, point.coords)
            assert result.expected is not None and result.answer is not None
            evidence, details = differs_evidence(point_text(shown), result.expected, result.answer, result.bits)
            self.outcome = Comparison("different", evidence, "numeric", counterexample=shown, details=details, strength=PROVED)
            return True
        if result.kind == _MISMATCH:
            if point.generic:
                self.mismatches.append(point)
            return False
        if point.generic:
            self.agree.append((point, result))
            self.digits = min(self.digits, result.digits)
            for j, value in enumerate(point.coords):
                if value != 0:
                    self.agree_signs[j].add(value < 0)
        else:
            self.special_agree += 1
        return False

    def visit_all(self, points: Sequence[SamplePoint] | object) -> bool:
        for point in points:  # type: ignore[attr-defined]
            if self.visit(point):
                return True
        return False

    # -- coverage --------------------------------------------------------------------------
    def signs_missing(self) -> list[tuple[int, bool]]:
        missing = []
        for j in range(len(self.names)):
            for negative in (False, True):
                if negative not in self.agree_signs[j]:
                    missing.append((j, negative))
        return missing

    def covered(self) -> bool:
        return len(self.agree) >= TARGET_POINTS and not self.signs_missing()

    def fill_signs(self) -> bool:
        """Targeted points for every variable and sign not yet seen at an agreeing point."""
        for j, negative in self.signs_missing():
            if negative in self.agree_signs[j]:
                continue
            if self.visit_all(self.e.plan.with_sign(j, negative)):
                return True
            if negative not in self.agree_signs[j] and self.agree:
                # the expected answer may live on a narrow part of that half-line: scan for it
                base = self.agree[0][0].coords
                if self.visit_all(self.domain_points(base, j, negative)):
                    return True
        return False

    def domain_points(self, base: tuple[Fraction, ...], index: int, negative: bool | None = None) -> list[SamplePoint]:
        found = scan(self.e.evaluator, base, index, self.deadline.check)
        points: list[SamplePoint] = []
        for low, high in found.defined:
            low_edge = boundary(self.e.evaluator, base, index, low, _grid_before(low), self.deadline.check) if low > -SCAN_REACH else low
            high_edge = boundary(self.e.evaluator, base, index, high, _grid_after(high), self.deadline.check) if high < SCAN_REACH else high
            for position in points_in(low_edge, high_edge):
                if negative is None or (position < 0) == negative:
                    points.append(found.point(position, origin="domain"))
        return points

    def find_domain(self) -> bool:
        """Too few points where the expected answer is defined: scan every axis for its domain."""
        bases = [p for p, _ in self.agree] or [*self.e.plan.core[:2]]
        for base in bases[:2]:
            for index in range(len(self.names)):
                if self.visit_all(self.domain_points(base.coords, index)):
                    return True
                if len(self.agree) >= TARGET_POINTS:
                    return False
        if len(self.agree) < 2:
            for candidate in self.e.plan.search():
                self.deadline.check()
                if self.e.value(candidate.coords, START_PRECISION).status is Status.REAL:
                    if self.visit(candidate):
                        return True
                    for index in range(len(self.names)):
                        if self.visit_all(self.domain_points(candidate.coords, index)):
                            return True
                    break
        return False

    def visit_kinks(self) -> bool:
        """Both sides of every kink and the middle of every piece of each non-analytic part,
        and the kinks themselves where they are rational (``sign(x)^2`` is 0 at x = 0); the same
        for the edges of the answer's own domain (``sqrt(x^2 - 10^-6)``)."""
        switches_to_scan = [*self.switch_trees, *self.domain_edges()]
        if not switches_to_scan:
            return False
        # lines through the origin reach small pieces (|x^2 + y^2 - 10^-6|), lines through
        # agreeing points reach the pieces where the comparison lives
        origin = tuple(Fraction(0) for _ in self.names)
        bases = [origin, *(p.coords for p, _ in self.agree[:2])]
        for switch in switches_to_scan:
            evaluator = compile_tree(switch, self.names)
            for index, name in enumerate(self.names):
                if name not in n.free_symbols(switch):
                    continue
                for base in bases:
                    roots, exact_roots = self.line_roots(switch, evaluator, base, index)
                    for root in exact_roots:
                        coords = list(base)
                        coords[index] = root
                        if self.visit_exactly(SamplePoint(tuple(coords), False, "kink")):
                            return True
                    for position in kink_positions(roots):
                        coords = list(base)
                        coords[index] = dyadic(position)
                        if self.visit(SamplePoint(tuple(coords), True, "kink")):
                            return True
                    if roots and switch in self.switch_trees:
                        shown = sorted({shown_number(Fraction(r).limit_denominator(1000)) for r in roots})
                        self.kinks.append(f"{name} = {', '.join(shown[:4])}")
                    if len(self.names) == 1:
                        break  # one variable: every base gives the same line
        return False

    def line_roots(self, switch: n.Node, evaluator: Evaluator, base: tuple[Fraction, ...], index: int) -> tuple[list[float], list[Fraction]]:
        """Where ``switch`` changes sign along the line, and which of those places are rational
        (exactly: polynomial roots wherever they are, else a scan out to 10^6)."""
        if is_low_degree_polynomial(switch):
            balls = polynomial_roots_on_line(switch, self.names, base, index, START_PRECISION)
            roots = [float(r.mid()) for r in balls or ()]
        else:
            found = scan(evaluator, base, index, self.deadline.check)
            roots = list(found.roots) + [float(r) for r in found.exact_roots]
        exact: list[Fraction] = []
        for root in roots:
            nice = Fraction(root).limit_denominator(10**6)
            coords = list(base)
            coords[index] = nice
            if exact_value(switch, dict(zip(self.names, coords))) == 0:
                exact.append(nice)
        return roots, sorted(set(exact))

    def domain_edges(self) -> list[n.Node]:
        """Where the answer's own domain may end: arguments of roots, logarithms and inverse
        functions it has and the expected answer has not (a thin region where only the answer
        is undefined is a region all the same)."""
        expected_calls = {node for node in n.walk(self.e.tree) if type(node) in (n.Call, n.Pow)}
        edges: list[n.Node] = []
        for node in n.walk(self.answer):
            if node in expected_calls:
                continue
            if type(node) is n.Call:
                arg = node.args[0] if node.args else None
                if node.func in ("sqrt", "log", "log10", "log2"):
                    edges.append(arg)  # type: ignore[arg-type]
                elif node.func == "acosh":
                    edges.append(n.sub(arg, n.ONE))  # type: ignore[arg-type]
                elif node.func in ("asin", "acos", "atanh"):
                    edges += [n.sub(n.ONE, arg), n.Add((n.ONE, arg))]  # type: ignore[arg-type]
            elif type(node) is n.Pow:
                exponent = rational_value(node.exp)
                if exponent is not None and exponent.denominator % 2 == 0:
                    edges.append(node.base)
        return [edge for edge in dict.fromkeys(edges) if edge is not None and not n.is_constant(edge)][:8]

    def hunt(self) -> bool:
        """Points of moderate size where a term was too small to resolve may hide a bump such as
        ``exp(-10^6 (x - 1/2)^2)``: look along each axis for where that term is large."""
        for point in self.unresolved[:2]:
            for index in range(len(self.names)):
                costs: list[tuple[float, int]] = []
                for i, t_value in enumerate(SCAN_GRID):
                    self.deadline.check()
                    coords = list(point.coords)
                    coords[index] = Fraction(t_value)
                    needed = self.needed_bits(tuple(coords))
                    if needed is not None:
                        costs.append((needed, i))
                # the three cheapest local minima along the line, each visited and then narrowed
                chosen: list[int] = []
                for _, i in sorted(costs):
                    if all(abs(i - j) > 1 for j in chosen):
                        chosen.append(i)
                    if len(chosen) == 3:
                        break
                for i in chosen:
                    for position in (SCAN_GRID[i], self.narrow(point.coords, index, SCAN_GRID[i])):
                        coords = list(point.coords)
                        coords[index] = dyadic(position)
                        if self.visit(SamplePoint(tuple(coords), True, "hunt")):
                            return True
        return False

    def needed_bits(self, coords: tuple[Fraction, ...]) -> float | None:
        e = self.e.value(coords, START_PRECISION)
        if e.status is not Status.REAL:
            return None
        a = evaluate_at(self.answer_eval, coords, START_PRECISION)
        return max(e.needed_bits, a.needed_bits)

    def narrow(self, coords: tuple[Fraction, ...], index: int, around: float) -> float:
        """Golden-section search for the position near ``around`` that needs the fewest bits."""
        step = max(abs(around), 1e-4) * 0.5
        low, high = around - step, around + step
        ratio = (5**0.5 - 1) / 2

        def cost(t_value: float) -> float:
            point = list(coords)
            point[index] = dyadic(t_value)
            needed = self.needed_bits(tuple(point))
            return math.inf if needed is None else needed

        a, b = high - ratio * (high - low), low + ratio * (high - low)
        cost_a, cost_b = cost(a), cost(b)
        for _ in range(40):
            self.deadline.check()
            if cost_a <= cost_b:
                high, b, cost_b = b, a, cost_a
                a = high - ratio * (high - low)
                cost_a = cost(a)
            else:
                low, a, cost_a = a, b, cost_b
                b = low + ratio * (high - low)
                cost_b = cost(b)
        return (low + high) / 2

    def visit_exactly(self, point: SamplePoint) -> bool:
        """At a rational kink compare exactly where both answers allow it, else numerically."""
        coords = dict(zip(self.names, point.coords))
        expected, answer = exact_value(self.e.tree, coords), exact_value(self.answer, coords)
        if isinstance(expected, Fraction) and isinstance(answer, Fraction):
            self.visited.add(point.coords)
            if expected != answer:
                shown = format_point(self.names, point.coords)
                self.outcome = Comparison(
                    "different",
                    t("answer.evidence.differs_at", point=point_text(shown), expected=friendly_number(expected), answer=friendly_number(answer)),
                    "exact", counterexample=shown, strength=PROVED,
                )
                return True
            self.special_agree += 1
            return False
        if isinstance(expected, Fraction) and answer is UNDEFINED:
            self.visited.add(point.coords)  # an isolated hole at a kink: allowed
            return False
        return self.visit(point)

    def confirm(self) -> bool:
        """A second look at an agreeing point with four times the precision (the one that
        needed the least, so the look stays cheap)."""
        cheapest = min(self.agree, key=lambda item: item[1].bits)
        for point, result in (cheapest,):
            bits = min(result.bits * CONFIRM_FACTOR, MAX_PROBED_PRECISION)
            e = self.e.value(point.coords, bits)
            a = evaluate_at(self.answer_eval, point.coords, bits)
            if e.status is not Status.REAL or a.status is not Status.REAL:
                return False
            with precision(bits):
                verdict, _ = compare_reals(e.real, a.real, AGREEMENT_BITS)
            if verdict is Agreement.DIFFER:
                shown = format_point(self.names, point.coords)
                evidence, details = differs_evidence(point_text(shown), e, a, bits)
                self.outcome = Comparison("different", evidence, "numeric", counterexample=shown, details=details, strength=PROVED)
                return True
            if verdict is not Agreement.AGREE:
                return False
        return False

    # -- the whole run -----------------------------------------------------------------------
    def run(self) -> Comparison:
        plan = self.e.plan
        steps = [
            lambda: self.visit_until_covered(plan.core),
            lambda: self.visit_all(plan.wide),
            self.fill_signs,
            lambda: len(self.agree) < TARGET_POINTS and self.find_domain(),
            lambda: len(self.agree) < TARGET_POINTS and self.visit_extra(),
            self.hunt,
            self.visit_kinks,
            lambda: (self.e.has_variable_power or has_variable_power(self.answer)) and self.visit_all(grid_points(self.names, self.e.integer_vars)),
        ]
        for step in steps:
            if step():
                assert self.outcome is not None
                return self.outcome
        return self.conclude()

    def visit_until_covered(self, points: Sequence[SamplePoint]) -> bool:
        for point in points:
            if self.visit(point):
                return True
            if self.covered():
                break
        return False

    def visit_extra(self) -> bool:
        for round_ in range(3):
            if self.visit_all(self.e.plan.extra(round_)):
                return True
            if len(self.agree) >= TARGET_POINTS:
                break
        return False

    def conclude(self) -> Comparison:
        if self.mismatches:
            return self.undefined_region()
        if len(self.agree) < TARGET_POINTS:
            if not self.agree and self.overflows:
                return Comparison("too_large", t("answer.evidence.too_large"), "numeric", strength=PROVED)
            if not self.agree and not self.special_agree:
                return Comparison("undecided", t("answer.verdict.no_points"), "numeric")
            return Comparison("undecided", t("answer.verdict.too_few_points", points=len(self.agree)), "numeric")
        for j, negative in self.signs_missing():
            if negative in self.defined_signs[j]:
                # the expected answer is real there, but no comparison came out: not enough evidence
                side = "<" if negative else ">"
                return Comparison(
                    "undecided", t("answer.verdict.sign_not_checked", variable=self.names[j], side=side), "numeric"
                )
        if self.confirm():
            assert self.outcome is not None
            return self.outcome
        return self.accept()

    def accept(self) -> Comparison:
        digits = 0 if math.isinf(self.digits) else int(self.digits)
        magnitudes = [abs(c) for p, _ in self.agree for c in p.coords if c != 0]
        low, high = (min(magnitudes), max(magnitudes)) if magnitudes else (Fraction(0), Fraction(0))
        evidence = t("answer.evidence.numeric", points=len(self.agree), digits=digits, low=_magnitude(low), high=_magnitude(high))
        one_signed = [
            f"{name} {'<' if True in self.agree_signs[j] else '>'} 0"
            for j, name in enumerate(self.names)
            if len(self.agree_signs[j]) == 1
        ]
        if one_signed:
            evidence += "; " + t("answer.evidence.one_signed", where=", ".join(one_signed))
        else:
            evidence += "; " + t("answer.evidence.both_signs")
        if self.kinks:
            evidence += "; " + t("answer.evidence.kinks", kinks="; ".join(dict.fromkeys(self.kinks)))
        if self.special_agree:
            evidence += "; " + t("answer.evidence.special_points", special=self.special_agree)
        strength, method = SAMPLED, "numeric"
        identity = prove_identity_in_functions(self.e.tree, self.answer, self.deadline)
        if identity is not None:
            evidence = t("answer.evidence.identity", functions=identity) + "; " + evidence
            strength, method = PROVED, "exact"
        return Comparison(
            "equivalent", evidence, method, points=len(self.agree), digits=digits, strength=strength,
        )

    def undefined_region(self) -> Comparison:
        point = self.mismatches[0]
        shown = format_point(self.names, point.coords)
        region = self.describe_region(point) if len(self.names) == 1 else None
        where = t("answer.region.for", region=region) if region else t("answer.region.at", point=point_text(shown))
        outcome = "answer_undefined" if self.agree else "not_real"  # real only at isolated points: not an answer
        a = evaluate_at(self.answer_eval, point.coords, START_PRECISION)
        return Comparison(
            outcome, t("answer.evidence.undefined_where", where=where), "numeric", counterexample=shown,
            details={"answer": describe(a), "where": where}, strength=PROVED,
        )

    def describe_region(self, point: SamplePoint) -> str | None:
        """``x < 0``-style text for where the answer is undefined but the expected answer is not."""
        name = self.names[0]
        bad: list[bool] = []
        for t_value in SCAN_GRID:
            self.deadline.check()
            coords = (Fraction(t_value),)
            key_real = self.e.value(coords, START_PRECISION).status is Status.REAL
            answer = evaluate_at(self.answer_eval, coords, START_PRECISION)
            bad.append(key_real and answer.status is not Status.REAL and not answer.overflow)
        # an answer defined at one grid value between undefined ones has an isolated point there
        # (an integer, for (-1)^n): it does not split the region
        padded = [bad[1], *bad, bad[-2]]  # the ends of the grid continue the last run
        smoothed = [flag or (padded[i] and padded[i + 2]) for i, flag in enumerate(bad)]
        runs: list[list[float]] = []
        for i, flag in enumerate(smoothed):
            if not flag:
                continue
            t_value = SCAN_GRID[i]
            if runs and i > 0 and smoothed[i - 1]:
                runs[-1][1] = t_value
            else:
                runs.append([t_value, t_value])
        pieces = []
        for low, high in runs:
            if low == high:
                continue  # a single grid value: an isolated point
            left = None if low <= -SCAN_REACH else _nice_edge(low, _grid_before(low))
            right = None if high >= SCAN_REACH else _nice_edge(high, _grid_after(high))
            if left is None and right is None:
                pieces.append(t("answer.region.everywhere", var=name))
            elif left is None:
                pieces.append(t("answer.region.below", var=name, value=right))
            elif right is None:
                pieces.append(t("answer.region.above", var=name, value=left))
            else:
                pieces.append(t("answer.region.between", var=name, low=left, high=right))
        if not pieces:
            return None
        return t("answer.region.joiner").join(pieces[:3])


def _magnitude(value: Fraction) -> str:
    """1e-3, 0.25, 4, 1e3: the order of a sample coordinate, for evidence."""
    x = float(value)
    if 0.01 <= x < 1000:
        return f"{x:.2g}"
    return f"{x:.0e}".replace("e-0", "e-").replace("e+0", "e").replace("e+", "e")


def _grid_before(value: float) -> float:
    index = SCAN_GRID.index(value)
    return SCAN_GRID[max(index - 1, 0)]


def _grid_after(value: float) -> float:
    index = SCAN_GRID.index(value)
    return SCAN_GRID[min(index + 1, len(SCAN_GRID) - 1)]


def _nice_edge(inside: float, outside: float) -> str:
    """The simplest number between the last grid value inside a run and the first outside it,
    as a person would write the edge (0, 3, -1/2, 90)."""
    low, high = sorted((inside, outside))
    if low <= 0 <= high:
        return "0"
    for denominator in range(1, 101):
        numerator = math.ceil(low * denominator) if low > 0 else math.floor(high * denominator)
        if low <= numerator / denominator <= high:
            return number_text(Fraction(numerator, denominator))
    return f"{(low + high) / 2:.3g}"


# -- constants -------------------------------------------------------------------------------


@lru_cache(maxsize=2048)  # a check asks for one constant's value up to five times, and again per mistake model
def constant_value(tree: n.Node, bits: int = CONSTANT_PRECISION, strict: bool = False) -> Value:
    return evaluate_at(compile_tree(tree, (), strict, probe=True), (), bits)


def compare_constants(expected: n.Node, answer: n.Node, deadline: Deadline | None = None) -> Comparison:
    """Two constants: a certified difference, or agreement to hundreds of digits confirmed at a
    higher precision (and proved with sympy where it can within the time limit)."""
    expected_eval = compile_tree(expected, (), probe=True)
    answer_eval = compile_tree(answer, (), strict=True, probe=True)
    bits = CONSTANT_PRECISION
    limit = 4 * MAX_PRECISION
    agreed: float | None = None
    while bits <= limit:
        if deadline is not None:
            deadline.check()
        e, a = evaluate_at(expected_eval, (), bits), evaluate_at(answer_eval, (), bits)
        needed = max(e.needed_bits, a.needed_bits) + ABSORPTION_MARGIN + CONSTANT_AGREEMENT_BITS
        if needed > bits and needed <= MAX_PROBED_PRECISION:
            bits = _next_bits(needed)
            limit = max(limit, 4 * bits)
            continue
        if e.status is Status.REAL and a.status is Status.REAL:
            with precision(bits):
                verdict, digits = compare_reals(e.real, a.real, min(CONSTANT_AGREEMENT_BITS, bits - 40))
            if verdict is Agreement.DIFFER:
                evidence, details = differs_evidence(None, e, a, bits)
                return Comparison("different", evidence, "numeric", details=details, strength=PROVED)
            if verdict is Agreement.AGREE:
                if agreed is not None:
                    break  # confirmed at a second, higher precision
                agreed = digits
                bits *= CONFIRM_FACTOR
                continue
        elif e.status is Status.REAL and a.status in (Status.UNDEFINED, Status.NONREAL):
            return Comparison(
                "not_real",
                t("answer.evidence.differs_constant", expected=describe(e), answer=describe(a)),
                "numeric",
                details={"answer": describe(a)},
                strength=PROVED,
            )
        elif e.status in (Status.UNDEFINED, Status.NONREAL):
            break
        bits *= 2
    if agreed is None:
        return Comparison("undecided", t("answer.verdict.no_points"), "numeric")
    expected_value, answer_value = constant_rational(expected), constant_rational(answer)
    if expected_value is not None and expected_value == answer_value:  # exp(0), exact roots, σ(ln q): no CAS needed
        return Comparison("equivalent", t("answer.evidence.exact_constant", value=friendly_number(expected_value)), "exact",
                          points=1, digits=agreed, strength=PROVED)
    same = same_surd(expected, answer)
    if same is not None:  # 1 - sqrt(6)/2 against (2 - sqrt(6))/2: one square root, no CAS needed
        return Comparison("equivalent", t("answer.evidence.exact_surd", value=to_text(same.tree())), "exact",
                          points=1, digits=agreed, strength=PROVED)
    from exgen.answers.symbolic import prove_constants_equal

    if prove_constants_equal(expected, answer, deadline):
        return Comparison("equivalent", t("answer.evidence.symbolic_constant"), "symbolic", points=1, digits=agreed, strength=PROVED)
    return Comparison(
        "equivalent", t("answer.evidence.numeric_constant", digits=int(agreed)), "numeric", points=1, digits=agreed, strength=SAMPLED
    )


def evaluate_plain(evaluator: Evaluator, coords: Sequence[Fraction], bits: int = START_PRECISION) -> Value:
    """Evaluate a compiled tree at exact coordinates (for callers outside the comparison)."""
    with precision(bits):
        return evaluate(evaluator, as_balls(coords))

__all__ = [
    "Comparison", "PreparedExpected", "compare_constants", "compare_equations", "compare_expressions",
    "constant_value", "format_point", "point_text", "prepare", "PROVED", "SAMPLED",
]
