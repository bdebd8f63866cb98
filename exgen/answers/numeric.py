"""Evaluate expression trees with Arb ball arithmetic (python-flint).

Every value is a complex ball that is guaranteed to contain the exact value, so a difference
whose ball excludes zero *proves* two expressions differ at that point, and agreement is
reported with the number of digits actually certified. When cancellation eats the precision,
the caller evaluates again with more bits: cancellation can never fake agreement.

Absorption could: at 128 bits, ``x + 10^-40 sin(x)`` *is* ``x``, because the small term falls
below the last bit of the large one. Evaluators compiled with ``probe=True`` therefore also
report how many bits a point needs so that no term is absorbed (the spread of magnitudes in
each sum, tiny arguments of functions that are flat there such as ``exp`` or ``cos``,
saturated arguments of ``tanh``, ``σ`` and ``atan``); the caller evaluates at that precision.

Functions use their principal branches (``sqrt(-4) = 2i``, ``log(-1) = iπ``), except that a
power with an odd denominator is the real root, as calculus textbooks read it: ``(-8)^(1/3)``
is ``-2``. The equivalence test compares answers at real points where both values come out
real, which is exactly how ``sqrt(x-3)*sqrt(x-5)`` and ``sqrt((x-3)(x-5))`` are told apart at
x = 0.

python-flint keeps its working precision in one process-wide object, so every evaluation
happens inside :class:`precision`, which holds a lock: threads take turns in the numeric
kernel and never see each other's precision.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction
from functools import lru_cache
from typing import Any

from flint import acb, arb, ctx, fmpq

from exgen.answers import nodes as n
from exgen.answers.nodes import rational_value

Evaluator = Callable[[Sequence[Any]], acb]

START_PRECISION = 128  # bits
MAX_PRECISION = 1024  # for widening balls (cancellation)
MAX_PROBED_PRECISION = 8192  # for absorbed terms (about 2,500 digits); beyond, a point is skipped
AGREEMENT_BITS = 80  # certified agreement required at a point (about 24 digits)
ABSORPTION_MARGIN = 64  # bits beyond a point's magnitude spread, so a hidden term shows
_NAN = acb("nan")
_KERNEL = threading.RLock()


class precision:
    """Evaluate with ``bits`` of working precision, holding the numeric kernel.

    Reentrant: nested blocks (a higher precision inside a lower one) restore on exit.
    """

    __slots__ = ("bits", "saved")

    def __init__(self, bits: int) -> None:
        self.bits = bits

    def __enter__(self) -> precision:
        _KERNEL.acquire()
        self.saved = ctx.prec
        ctx.prec = self.bits
        return self

    def __exit__(self, *exc: object) -> None:
        ctx.prec = self.saved
        _KERNEL.release()


def _tiny_relative(error: arb, scale: arb) -> bool:
    bound = float(error.rad()) if error.is_finite() else math.inf
    magnitude = max(abs(float(scale.mid())) if scale.is_finite() else 0.0, 1e-300)
    return bound <= magnitude * 2.0 ** (-(ctx.prec - 24)) or bound <= 2.0 ** (-(ctx.prec - 24))


def _is_real(z: acb) -> bool:
    imag = z.imag
    return imag.is_zero() or (imag.contains(0) and _tiny_relative(imag, z.real))


def _real_args(values: Sequence[acb]) -> list[arb] | None:
    if not all(v.is_finite() and _is_real(v) for v in values):
        return None
    return [v.real for v in values]


def _extreme(values: Sequence[acb], larger: bool) -> acb:
    reals = _real_args(values)
    if reals is None:
        return _NAN
    best = reals[0]
    for value in reals[1:]:
        best = best.max(value) if larger else best.min(value)
    return acb(best)


def _max(*values: acb) -> acb:
    return _extreme(values, larger=True)


def _min(*values: acb) -> acb:
    return _extreme(values, larger=False)


def _atan2(y: acb, x: acb) -> acb:
    reals = _real_args((y, x))
    if reals is None:
        return _NAN
    return acb(arb.atan2(reals[0], reals[1]))


def _sign(z: acb) -> acb:
    if _is_real(z):
        return acb(z.real.sgn())
    return z.sgn()


UNARY: dict[str, Callable[[acb], acb]] = {
    "sin": acb.sin,
    "cos": acb.cos,
    "tan": acb.tan,
    "sec": acb.sec,
    "csc": acb.csc,
    "cot": acb.cot,
    "asin": acb.asin,
    "acos": acb.acos,
    "atan": acb.atan,
    "sinh": acb.sinh,
    "cosh": acb.cosh,
    "tanh": acb.tanh,
    "sech": acb.sech,
    "csch": acb.csch,
    "coth": acb.coth,
    "asinh": acb.asinh,
    "acosh": acb.acosh,
    "atanh": acb.atanh,
    "exp": acb.exp,
    "log": acb.log,
    "log10": lambda z: z.log() / acb(10).log(),
    "log2": lambda z: z.log() / acb(2).log(),
    "sqrt": acb.sqrt,
    "abs": lambda z: acb(abs(z)),
    "sign": _sign,
    "sigma": lambda z: 1 / (1 + (-z).exp()),
}
VARIADIC: dict[str, Callable[..., acb]] = {"max": _max, "min": _min, "atan2": _atan2}

# Absorption at a function: near 0 these are flat (f(v) = f(0) + O(v) or O(v^2)), so a tiny
# argument vanishes below the last bit of f(0); far out these saturate (tanh(v) = 1 - 2e^-2v).
_FLAT_AT_ZERO = frozenset({"exp", "cos", "cosh", "sec", "sech", "sigma", "acos"})
_SATURATING = {"tanh": 2.9, "coth": 2.9, "sigma": 1.45}  # bits hidden per unit of the argument
_RECIPROCAL_TAIL = frozenset({"atan", "acot"})  # atan(v) = pi/2 - 1/v
# Functions whose value can outgrow what ball arithmetic represents (exp(e^421)): a value
# that is undefined because of that is out of reach, not outside the domain.
_GROWTH = frozenset({"exp", "sinh", "cosh"})


def _number(value: Fraction) -> Callable[[], acb]:
    if value.denominator == 1:
        exact = acb(value.numerator)
        return lambda: exact
    num, den = value.numerator, value.denominator
    return lambda: acb(fmpq(num, den))


def _real_only(inner: Evaluator) -> Evaluator:
    """Strict real evaluation: a step whose value is not real makes the result undefined."""

    def evaluate_real(env: Sequence[Any]) -> acb:
        z = inner(env)
        imag = z.imag
        if imag.is_zero():
            return z
        if imag.contains(0) and _tiny_relative(imag, z.real):
            return acb(z.real)
        return _NAN

    return evaluate_real


def log2_magnitude(z: acb) -> float | None:
    """log2 |z| from the ball's midpoint, or None for zero (a ball that also contains zero is
    below resolution anyway: it widens the sum, and the comparison asks for more bits)."""
    r = z.real if z.imag.is_zero() else abs(z)
    m = float(r.mid())
    if m != 0.0 and m == m and m not in (_INF, -_INF):
        return math.log2(abs(m))
    if not r.is_finite() or r.mid().is_zero():
        return None
    man, exp = r.mid().man_exp()
    return float(int(exp) + int(man).bit_length())


_INF = math.inf


def _note(env: Sequence[Any], bits: float) -> None:
    probe = env[-1]
    if bits > probe[0]:
        probe[0] = bits


class _Compiler:
    """Compile a tree into nested closures (one per node), evaluated on a list of balls."""

    def __init__(self, variables: tuple[str, ...], strict: bool, probe: bool) -> None:
        self.index = {name: i for i, name in enumerate(variables)}
        self.strict = strict
        self.probe = probe

    def compile(self, node: n.Node) -> Evaluator:
        method = getattr(self, "_" + type(node).__name__.lower(), None)
        if method is None:
            raise TypeError(f"cannot evaluate {type(node).__name__}")
        compiled = method(node)
        if self.strict and _can_leave_reals(node):
            return _real_only(compiled)
        return compiled

    def _num(self, node: n.Num) -> Evaluator:
        make = _number(node.value)
        return lambda env: make()

    def _sym(self, node: n.Sym) -> Evaluator:
        position = self.index[node.name]
        return lambda env: env[position]

    def _const(self, node: n.Const) -> Evaluator:
        if node.name == "pi":
            return lambda env: acb(arb.pi())
        return lambda env: acb(arb.const_e())

    def _add(self, node: n.Add) -> Evaluator:
        terms = [self.compile(t) for t in node.terms]
        if self.probe:

            def add_probed(env: Sequence[Any]) -> acb:
                total = None
                high = low = None
                for term in terms:
                    value = term(env)
                    total = value if total is None else total + value
                    magnitude = log2_magnitude(value)
                    if magnitude is not None:
                        if high is None:
                            high = low = magnitude
                        elif magnitude > high:
                            high = magnitude
                        elif magnitude < low:  # type: ignore[operator]
                            low = magnitude
                if high is not None and high - low > env[-1][0]:  # type: ignore[operator]
                    env[-1][0] = high - low  # type: ignore[operator]
                return total  # type: ignore[return-value]

            return add_probed
        if len(terms) == 2:
            first, second = terms
            return lambda env: first(env) + second(env)

        def add(env: Sequence[Any]) -> acb:
            total = terms[0](env)
            for term in terms[1:]:
                total = total + term(env)
            return total

        return add

    def _neg(self, node: n.Neg) -> Evaluator:
        inner = self.compile(node.arg)
        return lambda env: -inner(env)

    def _mul(self, node: n.Mul) -> Evaluator:
        factors = [self.compile(f) for f in node.factors]
        if len(factors) == 2:
            first, second = factors
            return lambda env: first(env) * second(env)

        def mul(env: Sequence[Any]) -> acb:
            product = factors[0](env)
            for factor in factors[1:]:
                product = product * factor(env)
            return product

        return mul

    def _div(self, node: n.Div) -> Evaluator:
        num, den = self.compile(node.num), self.compile(node.den)
        return lambda env: num(env) / den(env)

    def _pow(self, node: n.Pow) -> Evaluator:
        base = self.compile(node.base)
        exponent_value = rational_value(node.exp)
        if exponent_value is not None and exponent_value.denominator == 1:
            k = int(exponent_value)  # exact integer powers keep signs exact
            return lambda env: base(env) ** k
        if exponent_value is not None and exponent_value.denominator % 2 == 1:
            return _odd_root_power(base, exponent_value)
        if type(node.base) is n.Const and node.base.name == "e":  # e^u is exp(u): faster, same value
            return self.compile(n.Call("exp", (node.exp,)))
        exponent = self.compile(node.exp)
        if self.probe:

            def pow_probed(env: Sequence[Any]) -> acb:
                power = exponent(env)
                magnitude = log2_magnitude(power)
                if magnitude is not None and magnitude < -4:
                    _note(env, -2 * magnitude)
                root = base(env)
                result = root**power
                if power.is_finite() and root.is_finite() and not result.is_finite() and not root.contains(0):
                    env[-1][1] = 1.0
                return result

            return pow_probed
        return lambda env: base(env) ** exponent(env)

    def _call(self, node: n.Call) -> Evaluator:
        args = [self.compile(a) for a in node.args]
        if node.func in VARIADIC:
            variadic = VARIADIC[node.func]
            return lambda env: variadic(*(a(env) for a in args))
        function = UNARY[node.func]
        (arg,) = args
        if self.probe and node.func in _GROWTH:
            flat = node.func in _FLAT_AT_ZERO

            def call_growing(env: Sequence[Any]) -> acb:
                value = arg(env)
                if flat:
                    magnitude = log2_magnitude(value)
                    if magnitude is not None and magnitude < -4:
                        _note(env, -2 * magnitude)
                result = function(value)
                if value.is_finite() and not result.is_finite():
                    env[-1][1] = 1.0  # overflow: beyond reach, not undefined
                return result

            return call_growing
        if self.probe and (node.func in _FLAT_AT_ZERO or node.func in _SATURATING or node.func in _RECIPROCAL_TAIL):
            flat = node.func in _FLAT_AT_ZERO
            saturation = _SATURATING.get(node.func, 0.0)
            reciprocal = node.func in _RECIPROCAL_TAIL

            def call_probed(env: Sequence[Any]) -> acb:
                value = arg(env)
                magnitude = log2_magnitude(value)
                if magnitude is not None:
                    if flat and magnitude < -4:
                        _note(env, -2 * magnitude)
                    elif saturation and magnitude > 3:
                        _note(env, saturation * 2.0 ** min(magnitude, 60.0))
                    elif reciprocal and magnitude > 4:
                        _note(env, 2 * magnitude)
                return function(value)

            return call_probed
        return lambda env: function(arg(env))


def _odd_root_power(base: Evaluator, exponent: Fraction) -> Evaluator:
    """``b^(p/q)`` for odd q: the real q-th root of a real base (negative bases included)."""
    p, q = exponent.numerator, exponent.denominator
    principal = acb(fmpq(p, q))

    def power(env: Sequence[Any]) -> acb:
        b = base(env)
        if not (b.is_finite() and _is_real(b)):
            return b**principal
        r = b.real
        if r > 0:
            root = r.root(q)
        elif r < 0:
            root = -((-r).root(q))
        elif r.is_zero():
            return acb(0) if p > 0 else _NAN
        else:  # the ball straddles zero: |root| <= |b|^(1/q)
            bound = abs(r).root(q).upper()
            root = arb(0, bound)
        return acb(root**p) if p > 0 else acb(1 / root**-p)

    return power


# Functions that map real arguments to real values (or to undefined, never to non-real).
_REAL_TO_REAL = frozenset(
    {"sin", "cos", "tan", "sec", "csc", "cot", "atan", "sinh", "cosh", "tanh", "sech", "csch",
     "coth", "asinh", "exp", "abs", "sign", "max", "min", "atan2", "sigma"}
)


def _can_leave_reals(node: n.Node) -> bool:
    if type(node) is n.Call:
        return node.func not in _REAL_TO_REAL  # sqrt, log, asin, acos, acosh, atanh, ...
    if type(node) is n.Pow:
        exponent = rational_value(node.exp)
        return exponent is None or exponent.denominator % 2 == 0
    return False


@lru_cache(maxsize=256)  # an answer is compared with the key and each mistake model: compiled once
def compile_tree(node: n.Node, variables: tuple[str, ...], strict: bool = False, probe: bool = False) -> Evaluator:
    """A fast evaluator for ``node`` taking values for ``variables`` in that order.

    ``strict`` evaluates in the reals: any function or power whose value is not real makes
    the whole value undefined (``sqrt(-2)*sqrt(-2)`` is undefined, not -2). Student answers
    are evaluated strictly; expected answers by their principal values. A ``probe`` evaluator
    also records the bits a point needs (see :func:`evaluate`).
    """
    return _Compiler(variables, strict, probe).compile(node)


class Status(Enum):
    REAL = "real"
    NONREAL = "nonreal"  # a genuine complex value: outside the real domain
    UNDEFINED = "undefined"  # pole, log(0), overflow
    UNCERTAIN = "uncertain"  # not enough precision to tell


@dataclass(frozen=True, slots=True)
class Value:
    status: Status
    value: acb
    needed_bits: float = 0.0  # from a probe: the spread of magnitudes this point has to resolve
    overflow: bool = False  # from a probe: a value grew beyond what balls represent
    @property
    def real(self) -> arb:
        return self.value.real


def classify(z: acb, needed_bits: float = 0.0, overflow: bool = False) -> Value:
    if not z.is_finite():
        return Value(Status.UNDEFINED, z, needed_bits, overflow)
    imag = z.imag
    if imag.is_zero():
        return Value(Status.REAL, z, needed_bits)
    if not imag.contains(0):
        return Value(Status.NONREAL, z, needed_bits)
    if _tiny_relative(imag, z.real):
        return Value(Status.REAL, z, needed_bits)
    return Value(Status.UNCERTAIN, z, needed_bits)


def evaluate(evaluator: Evaluator, point: Sequence[arb | acb]) -> Value:
    """Evaluate at ``point`` with the current precision (call inside :class:`precision`).

    The environment always ends with the probe's cell; a probed evaluator fills it in and the
    value reports it as ``needed_bits``.
    """
    probe = [0.0, 0.0]  # bits needed, overflow seen
    env: list[Any] = [p if isinstance(p, acb) else acb(p) for p in point]
    env.append(probe)
    try:
        z = evaluator(env)
    except (ZeroDivisionError, ValueError, OverflowError, ArithmeticError):
        return Value(Status.UNDEFINED, _NAN, probe[0], bool(probe[1]))
    return classify(z, probe[0], bool(probe[1]))


def evaluate_at(evaluator: Evaluator, point: Sequence[Any], bits: int) -> Value:
    """Evaluate at ``bits`` of precision (points given as Fractions or balls)."""
    with precision(bits):
        return evaluate(evaluator, as_balls(point))


def as_balls(point: Sequence[Any]) -> list[arb]:
    return [arb(fmpq(v.numerator, v.denominator)) if isinstance(v, Fraction) else v for v in point]


class Agreement(Enum):
    AGREE = "agree"
    DIFFER = "differ"
    UNCERTAIN = "uncertain"


def compare_reals(a: arb, b: arb, required_bits: int = AGREEMENT_BITS) -> tuple[Agreement, float]:
    """Compare two real balls: proved different, certified equal to some digits, or unsure.

    Returns the verdict and the number of certified agreeing digits (for evidence).
    Call inside :class:`precision`.
    """
    difference = a - b
    if not difference.contains(0):
        return Agreement.DIFFER, 0.0
    radius = float(difference.rad())
    if radius == 0.0:
        return Agreement.AGREE, float(ctx.prec) * math.log10(2)
    scale = max(abs(to_float(a)), abs(to_float(b)), 1e-300)
    relative = radius / scale if scale > 1e-30 else radius
    if relative <= 2.0 ** (-required_bits):
        # Certified digits, never more than the working precision carries.
        return Agreement.AGREE, min(-math.log10(max(relative, 1e-300)), ctx.prec * math.log10(2))
    return Agreement.UNCERTAIN, 0.0


def to_float(value: arb) -> float:
    try:
        return float(value.mid())
    except (OverflowError, ValueError):
        return math.nan


def describe(value: Value, digits: int = 4) -> str:
    """A short human rendering of a value for evidence ("1.2", "0.5+0.87i", "undefined")."""
    if value.status is Status.UNDEFINED:
        return "undefined"
    real = _describe_real(value.value.real, digits)
    if value.status is Status.REAL:
        return real
    imag = value.value.imag
    sign = "-" if to_float(imag) < 0 else "+"
    return f"{real}{sign}{_describe_real(abs(imag), digits)}i"


def _describe_real(x: arb, digits: int) -> str:
    value = to_float(x)
    if math.isnan(value):
        return "nan"
    if value == 0 or math.isinf(value) or (abs(value) < 1e-300 and not x.mid().is_zero()):
        if x.mid().is_zero():
            return "0"
        # beyond double range (e^2000): the exponent from the ball itself
        text = x.mid().str(digits, radius=False)
        return text.replace("e+", "e")
    if abs(value) >= 1e6 or abs(value) < 1e-4:
        return f"{value:.{digits - 1}e}".replace("e+", "e")
    return f"{value:.{digits}g}"
