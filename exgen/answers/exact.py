"""Exact proofs for rational expressions, without a computer algebra system.

Polynomials and rational functions with rational coefficients (the bulk of derivative answers)
are decided exactly: if ``a - b`` is a rational function whose numerator has degree at most
``d_i`` in each variable ``x_i``, and it vanishes at every point of a grid ``S_1 × … × S_k``
with ``|S_i| > d_i``, then the numerator is the zero polynomial (the grid form of the
Schwartz–Zippel lemma). Degrees are bounded from the trees, the grid is evaluated with
Python's exact ``Fraction``, and a point where the two differ is an exact counterexample.

The constants ``e`` and ``pi`` are treated as extra indeterminates: an identity that holds for
every value of an indeterminate holds for its actual value.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from math import isqrt

from flint import arb, fmpq, fmpq_poly

from exgen.answers import nodes as n
from exgen.answers.limits import Deadline
from exgen.answers.numeric import precision, rational_value

Degrees = dict[str, int]

MAX_DEGREE = 40  # per variable, for the difference's numerator
MAX_GRID = 400  # evaluations in one proof
IDENTITY_GRID = 64  # for upgrading sampled evidence to a proof: kept cheap
_CONSTANT_NAMES = {"e": "\x00e", "pi": "\x00pi"}  # indeterminates that cannot clash with variables


def _merge_max(a: Mapping[str, int], b: Mapping[str, int]) -> Degrees:
    return {k: max(a.get(k, 0), b.get(k, 0)) for k in a.keys() | b.keys()}


def _merge_sum(a: Mapping[str, int], b: Mapping[str, int]) -> Degrees:
    return {k: a.get(k, 0) + b.get(k, 0) for k in a.keys() | b.keys()}


def _scale(a: Mapping[str, int], k: int) -> Degrees:
    return {key: value * k for key, value in a.items()}


@lru_cache(maxsize=256)  # an answer is compared with the key and each mistake model: bounded once
def degree_bounds(node: n.Node) -> tuple[Degrees, Degrees] | None:
    """Per-variable degree bounds of the numerator and denominator, or None if not rational
    (shared: callers must not change the mappings)."""
    return _degree_bounds(node)


def _degree_bounds(node: n.Node) -> tuple[Degrees, Degrees] | None:
    if isinstance(node, n.Num):
        return {}, {}
    if isinstance(node, n.Sym):
        return {node.name: 1}, {}
    if isinstance(node, n.Const):
        return {_CONSTANT_NAMES[node.name]: 1}, {}
    if isinstance(node, n.Neg):
        return _degree_bounds(node.arg)
    if isinstance(node, n.Add):
        acc: tuple[Degrees, Degrees] | None = None
        for term in node.terms:
            bounds = _degree_bounds(term)
            if bounds is None:
                return None
            if acc is None:
                acc = bounds
            else:
                (n1, d1), (n2, d2) = acc, bounds
                acc = (_merge_max(_merge_sum(n1, d2), _merge_sum(n2, d1)), _merge_sum(d1, d2))
        return acc
    if isinstance(node, n.Mul):
        num: Degrees = {}
        den: Degrees = {}
        for factor in node.factors:
            bounds = _degree_bounds(factor)
            if bounds is None:
                return None
            num, den = _merge_sum(num, bounds[0]), _merge_sum(den, bounds[1])
        return num, den
    if isinstance(node, n.Div):
        top, bottom = _degree_bounds(node.num), _degree_bounds(node.den)
        if top is None or bottom is None:
            return None
        return _merge_sum(top[0], bottom[1]), _merge_sum(top[1], bottom[0])
    if isinstance(node, n.Pow):
        exponent = rational_value(node.exp)
        if exponent is None or exponent.denominator != 1:
            return None
        base = _degree_bounds(node.base)
        if base is None:
            return None
        k = int(exponent)
        if k >= 0:
            return _scale(base[0], k), _scale(base[1], k)
        return _scale(base[1], -k), _scale(base[0], -k)
    return None


ExactEvaluator = Callable[[Mapping[str, fmpq]], fmpq]


def _compile_exact(node: n.Node) -> ExactEvaluator:
    if isinstance(node, n.Num):
        value = fmpq(node.value.numerator, node.value.denominator)
        return lambda point: value
    if isinstance(node, n.Sym):
        name = node.name
        return lambda point: point[name]
    if isinstance(node, n.Const):
        key = _CONSTANT_NAMES[node.name]
        return lambda point: point[key]
    if isinstance(node, n.Neg):
        inner = _compile_exact(node.arg)
        return lambda point: -inner(point)
    if isinstance(node, n.Add):
        terms = [_compile_exact(t) for t in node.terms]

        def add(point: Mapping[str, fmpq]) -> fmpq:
            total = terms[0](point)
            for term in terms[1:]:
                total = total + term(point)
            return total

        return add
    if isinstance(node, n.Mul):
        factors = [_compile_exact(f) for f in node.factors]

        def mul(point: Mapping[str, fmpq]) -> fmpq:
            product = factors[0](point)
            for factor in factors[1:]:
                product = product * factor(point)
            return product

        return mul
    if isinstance(node, n.Div):
        num, den = _compile_exact(node.num), _compile_exact(node.den)
        return lambda point: num(point) / den(point)
    if isinstance(node, n.Pow):
        exponent = rational_value(node.exp)
        assert exponent is not None and exponent.denominator == 1
        base, k = _compile_exact(node.base), int(exponent)
        return lambda point: base(point) ** k  # 0 ** -k raises ZeroDivisionError, as it should
    raise TypeError(f"not a rational expression: {type(node).__name__}")


@lru_cache(maxsize=256)  # likewise compiled once per answer, not once per comparison
def compile_exact(node: n.Node) -> ExactEvaluator:
    """Exact evaluation with flint's C rationals (fast); raises ZeroDivisionError at a pole."""
    return _compile_exact(node)


def evaluate_exact(node: n.Node, point: Mapping[str, Fraction]) -> Fraction:
    """Exact value at a rational point; raises ZeroDivisionError at a pole."""
    value = compile_exact(node)({k: fmpq(v.numerator, v.denominator) for k, v in point.items()})
    return Fraction(int(value.p), int(value.q))


@dataclass(frozen=True, slots=True)
class ExactResult:
    equal: bool
    degree: int  # the largest per-variable degree bound used
    points: int  # exact evaluations that vanished (when equal)
    counterexample: dict[str, Fraction] | None = None
    expected_value: Fraction | None = None
    answer_value: Fraction | None = None


# Small, friendly rationals first: counterexamples shown to students should be readable.
_CANDIDATES = [Fraction(v) for v in (2, -1, 3, -2, 1, 5, -3, 4, -4, 7, -5, 6)] + [
    Fraction(p, q) for q in (2, 3, 5, 7, 11) for p in range(-13, 14) if p % q
]


@lru_cache(maxsize=256)
def _grid_values(count: int, shift: int) -> tuple[Fraction, ...]:
    values: list[Fraction] = []
    pool = _CANDIDATES[shift:] + [Fraction(1000 + i, 997) for i in range(200)]
    for value in pool:
        if value not in values:
            values.append(value)
        if len(values) == count:
            break
    return tuple(values)


def _fraction(value: fmpq) -> Fraction:
    return Fraction(int(value.p), int(value.q))


def prove_rational(
    expected: n.Node,
    answer: n.Node,
    deadline: Deadline | None = None,
    expected_bounds: tuple[Degrees, Degrees] | None | bool = False,
    expected_evaluator: ExactEvaluator | None = None,
    max_grid: int = MAX_GRID,
) -> ExactResult | None:
    """Decide ``expected == answer`` exactly when both are rational expressions of modest degree.

    Returns None when the method does not apply (non-rational, degree too high, poles on
    every grid tried); the caller then falls back to numeric sampling. A caller that checks
    many answers against one expected answer passes its bounds and evaluator in.
    """
    bounds_a = degree_bounds(expected) if expected_bounds is False else expected_bounds
    if bounds_a is None:
        return None
    bounds_b = degree_bounds(answer)
    if bounds_b is None:
        return None
    (na, da), (nb, db) = bounds_a, bounds_b
    difference = _merge_max(_merge_sum(na, db), _merge_sum(nb, da))
    names = sorted(set(difference) | set(da) | set(db))
    degrees = [difference.get(name, 0) for name in names]
    if any(d > MAX_DEGREE for d in degrees):
        return None
    grid_size = 1
    for d in degrees:
        grid_size *= d + 1
    if grid_size > max_grid:
        return None
    evaluate_expected = expected_evaluator or compile_exact(expected)
    evaluate_answer = compile_exact(answer)
    for shift in (0, 3, 7):
        axes = [_grid_values(d + 1, shift) for d in degrees]
        try:
            for values in itertools.product(*axes):
                if deadline is not None:
                    deadline.check()
                point = dict(zip(names, (fmpq(v.numerator, v.denominator) for v in values)))
                a = evaluate_expected(point)
                b = evaluate_answer(point)
                if a != b:
                    if any(k.startswith("\x00") for k in point):
                        # e or pi replaced by a rational: not a counterexample for the real constants.
                        return None
                    return ExactResult(
                        False, max(degrees, default=0), 0, dict(zip(names, values)), _fraction(a), _fraction(b)
                    )
        except ZeroDivisionError:
            continue  # a pole on this grid: try another grid
        return ExactResult(True, max(degrees, default=0), grid_size)
    return None


# -- identities in functions of the variables --------------------------------------------------


_HALF = n.Num(Fraction(1, 2))


def _normal(node: n.Node) -> n.Node:
    """One spelling per function value: ``e^u`` is ``exp(u)``, ``sqrt(u)`` is ``u^(1/2)``."""
    children = node.children()
    if not children:
        return node
    rebuilt = n.rebuild(node, tuple(_normal(c) for c in children))
    if type(rebuilt) is n.Pow and rebuilt.base == n.Const("e"):  # type: ignore[attr-defined]
        return n.Call("exp", (rebuilt.exp,))  # type: ignore[attr-defined]
    if type(rebuilt) is n.Call and rebuilt.func == "sqrt":  # type: ignore[attr-defined]
        return n.Pow(rebuilt.args[0], _HALF)  # type: ignore[attr-defined]
    return rebuilt


def _is_atom(node: n.Node) -> bool:
    if type(node) is n.Call:
        return True
    if type(node) is n.Pow:
        exponent = rational_value(node.exp)  # type: ignore[attr-defined]
        return exponent is None or exponent.denominator != 1
    return False


def _atomize(node: n.Node, atoms: dict[n.Node, n.Sym]) -> n.Node:
    if _is_atom(node):
        found = atoms.get(node)
        if found is None:
            found = atoms[node] = n.Sym(f"\x00f{len(atoms)}")
        return found
    children = node.children()
    if not children:
        return node
    return n.rebuild(node, tuple(_atomize(c, atoms) for c in children))


def prove_identity_in_functions(expected: n.Node, answer: n.Node, deadline: Deadline | None = None) -> str | None:
    """Prove ``expected == answer`` as rational functions of the variables and of the function
    values they contain, taken as independent unknowns (``2x e^(x^2)`` and ``e^(x^2) * 2x``).

    An identity that holds for every value of the unknowns holds for their actual values,
    wherever both sides are defined. Returns the functions used (for the evidence), or None.
    """
    atoms: dict[n.Node, n.Sym] = {}
    left = _atomize(_normal(expected), atoms)
    right = _atomize(_normal(answer), atoms)
    if not atoms:
        return None
    result = prove_rational(left, right, deadline, max_grid=IDENTITY_GRID)
    if result is None or not result.equal:
        return None
    from exgen.answers.printer import to_text

    shown = [to_text(atom) for atom in list(atoms)[:3]]
    return ", ".join(shown) + (", …" if len(atoms) > 3 else "")


# -- exact values at rational points, pieces included -------------------------------------------

UNDEFINED = object()  # an exact evaluation hit a pole


def exact_value(node: n.Node, point: Mapping[str, Fraction], budget: int = 4096) -> Fraction | object | None:
    """The exact value at a rational point of a tree made of rational operations and of
    ``abs``, ``sign``, ``max``, ``min``; :data:`UNDEFINED` at a pole; None when the tree has
    anything else (a transcendental function, a fractional power, a constant such as e) or
    its numbers outgrow ``budget`` bits.

    Kinks of piecewise answers sit at such points (``|x| = 1/100``), where ball arithmetic
    cannot tell which piece applies but exact arithmetic can.
    """
    try:
        return _exact(node, point, budget)
    except ZeroDivisionError:
        return UNDEFINED
    except _NotExact:
        return None


class _NotExact(Exception):
    pass


def _exact(node: n.Node, point: Mapping[str, Fraction], budget: int) -> Fraction:
    kind = type(node)
    if kind is n.Num:
        return node.value  # type: ignore[attr-defined,no-any-return]
    if kind is n.Sym:
        return point[node.name]  # type: ignore[attr-defined]
    if kind is n.Neg:
        return -_exact(node.arg, point, budget)  # type: ignore[attr-defined]
    if kind is n.Add:
        total = sum((_exact(t, point, budget) for t in node.terms), Fraction(0))  # type: ignore[attr-defined]
        return _checked(total, budget)
    if kind is n.Mul:
        product = Fraction(1)
        for factor in node.factors:  # type: ignore[attr-defined]
            product = _checked(product * _exact(factor, point, budget), budget)
        return product
    if kind is n.Div:
        return _checked(_exact(node.num, point, budget) / _exact(node.den, point, budget), budget)  # type: ignore[attr-defined]
    if kind is n.Pow:
        exponent = rational_value(node.exp)  # type: ignore[attr-defined]
        if exponent is None or exponent.denominator != 1 or abs(exponent) > 64:
            raise _NotExact
        base = _exact(node.base, point, budget)  # type: ignore[attr-defined]
        return _checked(base ** int(exponent), budget)
    if kind is n.Call:
        func = node.func  # type: ignore[attr-defined]
        if func in ("abs", "sign"):
            value = _exact(node.args[0], point, budget)  # type: ignore[attr-defined]
            return abs(value) if func == "abs" else Fraction((value > 0) - (value < 0))
        if func in ("max", "min"):
            values = [_exact(a, point, budget) for a in node.args]  # type: ignore[attr-defined]
            return max(values) if func == "max" else min(values)
    raise _NotExact


def _checked(value: Fraction, budget: int) -> Fraction:
    if max(abs(value.numerator), value.denominator).bit_length() > budget:
        raise _NotExact
    return value


# -- roots along a line --------------------------------------------------------------------------


def is_low_degree_polynomial(tree: n.Node) -> bool:
    """A rational expression in the variables alone (no e, pi) of degree at most MAX_DEGREE."""
    bounds = degree_bounds(tree)
    if bounds is None:
        return False
    return all(not name.startswith("\x00") and degree <= MAX_DEGREE for part in bounds for name, degree in part.items())


def polynomial_roots_on_line(tree: n.Node, names: tuple[str, ...], coords: tuple[Fraction, ...], index: int, bits: int) -> list[arb] | None:
    """The real roots of a rational expression along the line through ``coords`` parallel to axis
    ``index``, isolated exactly at ``bits`` of precision, however far out they are; None when it
    vanishes on the whole line. Only for trees with rational numbers (no e, pi or functions)."""
    if not is_low_degree_polynomial(tree):
        raise ValueError("roots on a line need a rational expression of modest degree")
    values: dict[str, tuple[fmpq_poly, fmpq_poly]] = {}
    for j, name in enumerate(names):
        if j == index:
            values[name] = (fmpq_poly([0, 1]), fmpq_poly([1]))
        else:
            c = coords[j]
            values[name] = (fmpq_poly([fmpq(c.numerator, c.denominator)]), fmpq_poly([1]))
    try:
        num, den = _rational_function(tree, values)
    except ZeroDivisionError:
        return []
    if num.is_zero():
        return None
    common = num.gcd(den)
    num = num // common if common.degree() > 0 else num
    if num.degree() <= 0:
        return []
    roots = []
    with precision(bits):
        _, factors = num.factor_squarefree()
        for factor, _multiplicity in factors:
            for root, _ in factor.complex_roots():
                if root.imag.contains(0):
                    roots.append(root.real)
    return roots


def _rational_function(node: n.Node, values: dict[str, tuple[fmpq_poly, fmpq_poly]]) -> tuple[fmpq_poly, fmpq_poly]:
    kind = type(node)
    if kind is n.Num:
        return fmpq_poly([fmpq(node.value.numerator, node.value.denominator)]), fmpq_poly([1])  # type: ignore[attr-defined]
    if kind is n.Sym:
        return values[node.name]  # type: ignore[attr-defined]
    if kind is n.Neg:
        num, den = _rational_function(node.arg, values)  # type: ignore[attr-defined]
        return -num, den
    if kind is n.Add:
        num, den = fmpq_poly([0]), fmpq_poly([1])
        for term in node.terms:  # type: ignore[attr-defined]
            a, b = _rational_function(term, values)
            num, den = num * b + a * den, den * b
        return num, den
    if kind is n.Mul:
        num, den = fmpq_poly([1]), fmpq_poly([1])
        for factor in node.factors:  # type: ignore[attr-defined]
            a, b = _rational_function(factor, values)
            num, den = num * a, den * b
        return num, den
    if kind is n.Div:
        a, b = _rational_function(node.num, values)  # type: ignore[attr-defined]
        c, d = _rational_function(node.den, values)  # type: ignore[attr-defined]
        if c.is_zero():
            raise ZeroDivisionError
        return a * d, b * c
    if kind is n.Pow:
        exponent = n.rational_value(node.exp)  # type: ignore[attr-defined]
        assert exponent is not None and exponent.denominator == 1
        a, b = _rational_function(node.base, values)  # type: ignore[attr-defined]
        k = int(exponent)
        if k >= 0:
            return a**k, b**k
        if a.is_zero():
            raise ZeroDivisionError
        return b ** (-k), a ** (-k)
    raise TypeError(f"not rational: {kind.__name__}")


# -- exact values of constants beyond rational arithmetic -----------------------------------------

_LOG_TERMS = 8  # a constant with more distinct logarithms than this is left to the numeric path


def constant_rational(tree: n.Node) -> Fraction | None:
    """The exact rational value of a constant tree where elementary identities give one —
    exp(0) = 1, ln 1 = 0, exp(a ln q) = qᵃ, exact roots such as 9^(−1/2) = 1/3, σ(ln q) =
    q/(1 + q), tanh(ln q) = (q² − 1)/(q² + 1) (sinh, cosh alike), sin 0 = 0, cos 0 = 1 — else None. Follow-through rebuilds answers such as
    ``3 exp(1 − 1) + 9^(−1/2)`` from a student's own numbers: proved equal here without a CAS."""
    try:
        linear = _log_linear(tree)
    except (ZeroDivisionError, OverflowError, ValueError):
        return None
    if linear is None or linear[1]:
        return None
    return linear[0]


LogLinear = tuple[Fraction, dict[Fraction, Fraction]]  # r + Σ c·ln q (q > 0 rational, q ≠ 1)


def _log_linear(node: n.Node) -> LogLinear | None:
    value = rational_value(node)
    if value is not None:
        return value, {}
    kind = type(node)
    if kind is n.Neg:
        inner = _log_linear(node.arg)  # type: ignore[attr-defined]
        return None if inner is None else (-inner[0], {q: -c for q, c in inner[1].items()})
    if kind is n.Add:
        total, logs = Fraction(0), {}
        for term in node.terms:  # type: ignore[attr-defined]
            part = _log_linear(term)
            if part is None:
                return None
            total += part[0]
            for q, c in part[1].items():
                logs[q] = logs.get(q, Fraction(0)) + c
        logs = {q: c for q, c in logs.items() if c}
        return (total, logs) if len(logs) <= _LOG_TERMS else None
    if kind is n.Mul or kind is n.Div:
        factors = node.factors if kind is n.Mul else (node.num, node.den)  # type: ignore[attr-defined]
        scale, rest = Fraction(1), None
        for index, factor in enumerate(factors):
            part = _log_linear(factor)
            if part is None:
                return None
            if kind is n.Div and index == 1:
                if part[1] or part[0] == 0:
                    return None
                scale /= part[0]
            elif part[1]:
                if rest is not None:
                    return None  # a product of logarithms
                rest = part
            else:
                scale *= part[0]
        if rest is None:
            return scale, {}
        return rest[0] * scale, {q: c * scale for q, c in rest[1].items()}
    if kind is n.Pow:
        base, exponent = constant_rational(node.base), constant_rational(node.exp)  # type: ignore[attr-defined]
        if base is None or exponent is None:
            return None
        power = _rational_power(base, exponent)
        return None if power is None else (power, {})
    if kind is n.Call and len(node.args) == 1:  # type: ignore[attr-defined]
        return _call_value(node.func, node.args[0])  # type: ignore[attr-defined]
    return None


def _call_value(func: str, argument: n.Node) -> LogLinear | None:
    if func == "log":
        q = constant_rational(argument)
        if q is None or q <= 0:
            return None
        return (Fraction(0), {}) if q == 1 else (Fraction(0), {q: Fraction(1)})
    if func == "sqrt":
        q = constant_rational(argument)
        root = _rational_power(q, Fraction(1, 2)) if q is not None else None
        return None if root is None else (root, {})
    if func in _OF_EXP:
        inner = _log_linear(argument)
        if inner is None or inner[0] != 0:
            return None  # e to a nonzero rational power is irrational
        value = Fraction(1)  # e^argument = Π q^c
        for q, c in inner[1].items():
            power = _rational_power(q, c)
            if power is None:
                return None
            value *= power
        return _OF_EXP[func](value), {}
    zero_at_zero = {"sin": 0, "tan": 0, "sinh": 0, "tanh": 0, "asin": 0, "atan": 0, "asinh": 0, "atanh": 0, "cos": 1, "cosh": 1}
    if func in zero_at_zero and constant_rational(argument) == 0:
        return Fraction(zero_at_zero[func]), {}
    return None


# Functions that are rational in e^u, so rational where u = Σ c ln q makes e^u rational:
# σ(ln 3) = 3/4 and tanh(ln 2) = 3/5, the values a network's activations take at such points.
_OF_EXP: dict[str, Callable[[Fraction], Fraction]] = {
    "exp": lambda e: e,
    "sigma": lambda e: e / (1 + e),  # σ(u) = 1/(1 + e^(−u))
    "tanh": lambda e: (e * e - 1) / (e * e + 1),
    "sinh": lambda e: (e - 1 / e) / 2,
    "cosh": lambda e: (e + 1 / e) / 2,
}


def _rational_power(base: Fraction, exponent: Fraction) -> Fraction | None:
    """baseᵉˣᵖᵒⁿᵉⁿᵗ when it is rational (an exact root), within the sizes rational_value allows."""
    p, q = exponent.numerator, exponent.denominator
    if abs(p) > 10_000 or q > 64 or (base == 0 and p <= 0):
        return None
    if base < 0 and q % 2 == 0:
        return None
    if max(abs(base.numerator), base.denominator).bit_length() * abs(p) > 100_000:
        return None
    sign = -1 if base < 0 else 1
    num, den = _integer_root(abs(base.numerator), q), _integer_root(base.denominator, q)
    if num is None or den is None:
        return None
    return (Fraction(sign * num, den)) ** p


def _integer_root(value: int, degree: int) -> int | None:
    """The exact integer ``degree``-th root of ``value``, or None."""
    if degree == 1:
        return value
    if degree == 2:
        root = isqrt(value)
        return root if root * root == value else None
    root = round(value ** (1.0 / degree)) if value.bit_length() < 1000 else None
    if root is None:
        return None
    for candidate in (root - 1, root, root + 1):
        if candidate >= 0 and candidate**degree == value:
            return candidate
    return None
