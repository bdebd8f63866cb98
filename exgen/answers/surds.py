"""Exact arithmetic in one real quadratic field ℚ(√d), without a computer algebra system.

The critical points of a student's gradient are often quadratic irrationals (x = 1 ± √6/2), and
an answer that names them (``1 - sqrt(6)/2``) must be proved equal to the point it names. Both
need only numbers a + b√d with rational a, b and one non-square integer d > 1; whatever leaves
such a field (two different square roots, a cube root) is :class:`OutsideField`, and the
caller falls back to what it did before (a CAS, or "not followed").

a + b√d is zero exactly when a = b = 0, since √d is irrational; its sign is exact too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import isqrt

from exgen.answers import nodes as n

MAX_BITS = 4096  # a coefficient larger than this is not worth following exactly
MAX_POWER = 64
_SMALL_PRIMES = tuple(p for p in range(2, 200) if all(p % q for q in range(2, isqrt(p) + 1)))


class OutsideField(ArithmeticError):
    """The value is not in one quadratic field (or too large to follow)."""


def _checked(value: Fraction) -> Fraction:
    if max(abs(value.numerator), value.denominator).bit_length() > MAX_BITS:
        raise OutsideField("too large")
    return value


@dataclass(frozen=True, slots=True)
class Surd:
    """a + b√d; d = 0 for a rational (then b = 0). d is a non-square integer > 1, its small
    square factors taken out (√24 is 2√6), so equal fields have equal d."""

    a: Fraction
    b: Fraction = Fraction(0)
    d: int = 0

    @staticmethod
    def sqrt(value: Fraction) -> Surd:
        """√value for a rational value ≥ 0."""
        if value < 0:
            raise OutsideField("the square root of a negative number")
        # √(p/q) = √(pq)/q, then pq = s²·m
        p, q = value.numerator, value.denominator
        radicand = p * q
        if radicand.bit_length() > MAX_BITS:
            raise OutsideField("too large")
        root = isqrt(radicand)
        if root * root == radicand:
            return Surd(Fraction(root, q))
        scale = 1
        for prime in _SMALL_PRIMES:
            square = prime * prime
            if square > radicand:
                break
            while radicand % square == 0:
                radicand //= square
                scale *= prime
        return Surd(Fraction(0), Fraction(scale, q), radicand)

    @property
    def is_rational(self) -> bool:
        return self.b == 0

    def _field(self, other: Surd) -> int:
        if self.b == 0:
            return other.d if other.b else 0
        if other.b == 0 or other.d == self.d:
            return self.d
        raise OutsideField("two different square roots")

    def _make(self, a: Fraction, b: Fraction, d: int) -> Surd:
        return Surd(_checked(a)) if b == 0 else Surd(_checked(a), _checked(b), d)

    def __add__(self, other: Surd) -> Surd:
        return self._make(self.a + other.a, self.b + other.b, self._field(other))

    def __neg__(self) -> Surd:
        return Surd(-self.a, -self.b, self.d)

    def __sub__(self, other: Surd) -> Surd:
        return self + (-other)

    def __mul__(self, other: Surd) -> Surd:
        d = self._field(other)
        return self._make(self.a * other.a + self.b * other.b * d, self.a * other.b + self.b * other.a, d)

    def inverse(self) -> Surd:
        norm = self.a * self.a - self.b * self.b * self.d  # nonzero unless self is 0 (√d irrational)
        if norm == 0:
            raise ZeroDivisionError("division by zero")
        return self._make(self.a / norm, -self.b / norm, self.d)

    def __truediv__(self, other: Surd) -> Surd:
        return self * other.inverse()

    def power(self, exponent: int) -> Surd:
        if abs(exponent) > MAX_POWER:
            raise OutsideField("too large a power")
        base = self if exponent >= 0 else self.inverse()
        result = Surd(Fraction(1))
        for _ in range(abs(exponent)):
            result = result * base
        return result

    def is_zero(self) -> bool:
        return self.a == 0 and self.b == 0

    def sign(self) -> int:
        """-1, 0 or 1, exactly: a + b√d against 0 by comparing a² with b²d where the signs differ."""
        sa, sb = (self.a > 0) - (self.a < 0), (self.b > 0) - (self.b < 0)
        if sb == 0 or sa == sb:
            return sa or sb
        if sa == 0:
            return sb
        return sa if self.a * self.a > self.b * self.b * self.d else sb

    def __float__(self) -> float:
        return float(self.a) + float(self.b) * self.d**0.5

    def tree(self) -> n.Node:
        """The number as a tree, as a person writes it: 1 - 3*sqrt(6)/2."""
        rational = n.signed(self.a)
        if self.b == 0:
            return rational
        magnitude = abs(self.b)
        root: n.Node = n.Call("sqrt", (n.Num(Fraction(self.d)),))
        if magnitude.numerator != 1:
            root = n.Mul((n.Num(Fraction(magnitude.numerator)), root))
        if magnitude.denominator != 1:
            root = n.Div(root, n.Num(Fraction(magnitude.denominator)))
        if self.a == 0:
            return root if self.b > 0 else n.Neg(root)
        return n.Add((rational, root)) if self.b > 0 else n.sub(rational, root)


def surd_value(tree: n.Node) -> Surd | None:
    """The exact value of a constant tree built from rationals, + − × ÷, integer powers and
    square roots of rationals (``1 - sqrt(6)/2``, ``(3 + 24^(1/2))/2``), abs and sign, and
    functions at a point where they are rational (``exp(1 - 1)``, ``ln(1)``), or None."""
    try:
        return _value(tree)
    except (OutsideField, ZeroDivisionError, OverflowError, ValueError):
        return None


def _value(node: n.Node) -> Surd:
    rational = n.rational_value(node)
    if rational is not None:
        return Surd(rational)
    kind = type(node)
    if kind is n.Neg:
        return -_value(node.arg)  # type: ignore[attr-defined]
    if kind is n.Add:
        total = Surd(Fraction(0))
        for term in node.terms:  # type: ignore[attr-defined]
            total = total + _value(term)
        return total
    if kind is n.Mul:
        product = Surd(Fraction(1))
        for factor in node.factors:  # type: ignore[attr-defined]
            product = product * _value(factor)
        return product
    if kind is n.Div:
        return _value(node.num) / _value(node.den)  # type: ignore[attr-defined]
    if kind is n.Pow:
        exponent = n.rational_value(node.exp)  # type: ignore[attr-defined]
        if exponent is None or exponent.denominator > 2:
            raise OutsideField("not a square root")
        if exponent.denominator == 1:
            return _value(node.base).power(exponent.numerator)  # type: ignore[attr-defined]
        base = n.rational_value(node.base)  # type: ignore[attr-defined]
        if base is None:
            raise OutsideField("the square root of an irrational number")
        return Surd.sqrt(base).power(exponent.numerator)
    if kind is n.Call and len(node.args) == 1:  # type: ignore[attr-defined]
        return _call_value(node.func, node.args[0])  # type: ignore[attr-defined]
    raise OutsideField(f"not in a quadratic field: {kind.__name__}")


# A point where each function is rational, and its value there (at other points of a quadratic
# field most of these are transcendental; the table need not be complete, only right: what it
# leaves out stays outside the field). A follow-through tangent line at x = 1 holds ln(1) and
# e^(1 - 1) as written; they are 0 and 1 exactly.
_RATIONAL_AT = {
    "exp": (0, 1), "log": (1, 0), "log10": (1, 0), "log2": (1, 0),
    "sin": (0, 0), "tan": (0, 0), "sinh": (0, 0), "tanh": (0, 0),
    "asin": (0, 0), "atan": (0, 0), "asinh": (0, 0), "atanh": (0, 0),
    "cos": (0, 1), "cosh": (0, 1), "sec": (0, 1), "sech": (0, 1), "acos": (1, 0), "acosh": (1, 0),
    "sigma": (0, Fraction(1, 2)),
}


def _call_value(func: str, argument: n.Node) -> Surd:
    if func == "sqrt":
        base = n.rational_value(argument)
        if base is None:
            raise OutsideField("the square root of an irrational number")
        return Surd.sqrt(base)
    if func in ("abs", "sign"):
        inner = _value(argument)
        sign = inner.sign()
        return (inner if sign >= 0 else -inner) if func == "abs" else Surd(Fraction(sign))
    special = _RATIONAL_AT.get(func)
    if special is not None:
        inner = _value(argument)
        if inner.is_rational and inner.a == special[0]:
            return Surd(Fraction(special[1]))
    raise OutsideField(f"{func} is transcendental here")


def with_exact_constants(tree: n.Node) -> n.Node:
    """``tree`` with each constant subtree that has a rational value replaced by that number
    (``(2 + 2)^(1/2) + ln(1)`` is 2): exact comparisons need rational operations only."""
    children = tree.children()
    if not children:
        return tree
    if type(tree) not in (n.Tuple, n.Seq, n.Eq) and not n.free_symbols(tree):
        value = surd_value(tree)
        return n.signed(value.a) if value is not None and value.is_rational else tree
    folded = tuple(with_exact_constants(c) for c in children)
    return tree if all(a is b for a, b in zip(folded, children)) else n.rebuild(tree, folded)


def same_surd(expected: n.Node, answer: n.Node) -> Surd | None:
    """The common value of two constants proved equal in one quadratic field, else None (not
    in one, or different: a difference is never claimed here, the numeric check decides it)."""
    e, a = surd_value(expected), surd_value(answer)
    if e is None or a is None:
        return None
    try:
        return e if (e - a).is_zero() else None
    except OutsideField:
        return None


# -- polynomials with coefficients in ℚ(√d), constant term first --------------------------------

SurdPolynomial = list[Surd]


def trimmed(poly: Sequence[Surd]) -> SurdPolynomial:
    out = list(poly)
    while out and out[-1].is_zero():
        out.pop()
    return out


def polynomial_gcd(p: Sequence[Surd], q: Sequence[Surd]) -> SurdPolynomial:
    """The monic greatest common divisor of two polynomials over ℚ(√d) (Euclid's algorithm;
    [] when both are zero)."""
    a, b = trimmed(p), trimmed(q)
    while b:
        a, b = b, _remainder(a, b)
    if not a:
        return []
    lead = a[-1].inverse()
    return [c * lead for c in a]


def _remainder(p: SurdPolynomial, q: SurdPolynomial) -> SurdPolynomial:
    rest = list(p)
    lead = q[-1].inverse()
    while len(rest) >= len(q):
        factor = rest[-1] * lead
        shift = len(rest) - len(q)
        for i, c in enumerate(q):
            rest[shift + i] = rest[shift + i] - factor * c
        rest = trimmed(rest[:-1])
    return trimmed(rest)
