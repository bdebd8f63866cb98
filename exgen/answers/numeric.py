"""Evaluate expression trees with Arb ball arithmetic (python-flint).

Every value is a complex ball that is guaranteed to contain the exact value, so a difference
whose ball excludes zero *proves* two expressions differ at that point, and agreement is
reported with the number of digits actually certified. When cancellation eats the precision,
the caller simply evaluates again with more bits: cancellation can never fake agreement.

Functions use their principal branches (``sqrt(-4) = 2i``, ``log(-1) = iπ``). The equivalence
test compares answers at real points where both values come out real, which is exactly how
``sqrt(x-3)*sqrt(x-5)`` and ``sqrt((x-3)(x-5))`` are told apart at x = 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction
from typing import Any

from flint import acb, arb, ctx, fmpq

from exgen.answers import nodes as n
from exgen.answers.nodes import rational_value

Evaluator = Callable[[Sequence[acb]], acb]

START_PRECISION = 128  # bits
MAX_PRECISION = 1024
AGREEMENT_BITS = 80  # certified agreement required at a point (about 24 digits)
_NAN = acb("nan")


def _is_real(z: acb) -> bool:
    imag = z.imag
    return imag.is_zero() or (imag.contains(0) and _tiny_relative(imag, z.real))


def _tiny_relative(error: arb, scale: arb) -> bool:
    bound = float(error.rad()) if error.is_finite() else math.inf
    magnitude = max(abs(float(scale.mid())) if scale.is_finite() else 0.0, 1e-300)
    return bound <= magnitude * 2.0 ** (-(ctx.prec - 24)) or bound <= 2.0 ** (-(ctx.prec - 24))


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


def _number(value: Fraction) -> Callable[[], acb]:
    if value.denominator == 1:
        exact = acb(value.numerator)
        return lambda: exact
    num, den = value.numerator, value.denominator
    return lambda: acb(fmpq(num, den))


def _real_only(inner: Evaluator) -> Evaluator:
    """Strict real evaluation: a step whose value is not real makes the result undefined."""

    def evaluate_real(env: Sequence[acb]) -> acb:
        z = inner(env)
        imag = z.imag
        if imag.is_zero():
            return z
        if imag.contains(0) and _tiny_relative(imag, z.real):
            return acb(z.real)
        return _NAN

    return evaluate_real


def _compile(
    node: n.Node,
    index: dict[str, int],
    rational: Callable[[n.Node], Fraction | None],
    strict: bool = False,
) -> Evaluator:
    compiler = _COMPILERS.get(type(node))
    if compiler is None:
        raise TypeError(f"cannot evaluate {type(node).__name__}")
    compiled = compiler(node, index, rational, strict)
    if strict and _can_leave_reals(node, rational):
        return _real_only(compiled)
    return compiled


# Functions that map real arguments to real values (or to undefined, never to non-real).
_REAL_TO_REAL = frozenset(
    {"sin", "cos", "tan", "sec", "csc", "cot", "atan", "sinh", "cosh", "tanh", "sech", "csch",
     "coth", "asinh", "exp", "abs", "sign", "max", "min", "atan2", "sigma"}
)


def _can_leave_reals(node: n.Node, rational: Callable[[n.Node], Fraction | None]) -> bool:
    if type(node) is n.Call:
        return node.func not in _REAL_TO_REAL  # sqrt, log, asin, acos, acosh, atanh, ...
    if type(node) is n.Pow:
        exponent = rational(node.exp)
        return exponent is None or exponent.denominator != 1
    return False


def _compile_num(node: n.Num, index: dict[str, int], rational: Any, strict: bool) -> Evaluator:
    make = _number(node.value)
    return lambda env: make()


def _compile_sym(node: n.Sym, index: dict[str, int], rational: Any, strict: bool) -> Evaluator:
    position = index[node.name]
    return lambda env: env[position]


def _compile_const(node: n.Const, index: dict[str, int], rational: Any, strict: bool) -> Evaluator:
    if node.name == "pi":
        return lambda env: acb(arb.pi())
    return lambda env: acb(arb.const_e())


def _compile_add(node: n.Add, index: dict[str, int], rational: Any, strict: bool) -> Evaluator:
    terms = [_compile(t, index, rational, strict) for t in node.terms]
    if len(terms) == 2:
        first, second = terms
        return lambda env: first(env) + second(env)

    def add(env: Sequence[acb]) -> acb:
        total = terms[0](env)
        for term in terms[1:]:
            total = total + term(env)
        return total

    return add


def _compile_neg(node: n.Neg, index: dict[str, int], rational: Any, strict: bool) -> Evaluator:
    inner = _compile(node.arg, index, rational, strict)
    return lambda env: -inner(env)


def _compile_mul(node: n.Mul, index: dict[str, int], rational: Any, strict: bool) -> Evaluator:
    factors = [_compile(f, index, rational, strict) for f in node.factors]
    if len(factors) == 2:
        first, second = factors
        return lambda env: first(env) * second(env)

    def mul(env: Sequence[acb]) -> acb:
        product = factors[0](env)
        for factor in factors[1:]:
            product = product * factor(env)
        return product

    return mul


def _compile_div(node: n.Div, index: dict[str, int], rational: Any, strict: bool) -> Evaluator:
    num = _compile(node.num, index, rational, strict)
    den = _compile(node.den, index, rational, strict)
    return lambda env: num(env) / den(env)


def _compile_pow(node: n.Pow, index: dict[str, int], rational: Any, strict: bool) -> Evaluator:
    base = _compile(node.base, index, rational, strict)
    exponent_value = rational(node.exp)
    if exponent_value is not None and exponent_value.denominator == 1:
        k = int(exponent_value)  # exact integer powers keep signs exact
        return lambda env: base(env) ** k
    exponent = _compile(node.exp, index, rational, strict)
    return lambda env: base(env) ** exponent(env)


def _compile_call(node: n.Call, index: dict[str, int], rational: Any, strict: bool) -> Evaluator:
    args = [_compile(a, index, rational, strict) for a in node.args]
    if node.func in UNARY:
        function = UNARY[node.func]
        (arg,) = args
        return lambda env: function(arg(env))
    variadic = VARIADIC[node.func]
    return lambda env: variadic(*(a(env) for a in args))


_COMPILERS: dict[type, Callable[..., Evaluator]] = {
    n.Num: _compile_num, n.Sym: _compile_sym, n.Const: _compile_const, n.Add: _compile_add,
    n.Neg: _compile_neg, n.Mul: _compile_mul, n.Div: _compile_div, n.Pow: _compile_pow, n.Call: _compile_call,
}


def compile_tree(node: n.Node, variables: tuple[str, ...], strict: bool = False) -> Evaluator:
    """A fast evaluator for ``node`` taking values for ``variables`` in that order.

    ``strict`` evaluates in the reals: any function or power whose value is not real makes
    the whole value undefined (``sqrt(-2)*sqrt(-2)`` is undefined, not -2). Student answers
    are evaluated strictly; expected answers by their principal values.
    """
    index = {name: i for i, name in enumerate(variables)}
    return _compile(node, index, rational_value, strict)


class Status(Enum):
    REAL = "real"
    NONREAL = "nonreal"  # a genuine complex value: outside the real domain
    UNDEFINED = "undefined"  # pole, log(0), overflow
    UNCERTAIN = "uncertain"  # not enough precision to tell


@dataclass(frozen=True, slots=True)
class Value:
    status: Status
    value: acb

    @property
    def real(self) -> arb:
        return self.value.real


def classify(z: acb) -> Value:
    if not z.is_finite():
        return Value(Status.UNDEFINED, z)
    imag = z.imag
    if imag.is_zero():
        return Value(Status.REAL, z)
    if not imag.contains(0):
        return Value(Status.NONREAL, z)
    if _tiny_relative(imag, z.real):
        return Value(Status.REAL, z)
    return Value(Status.UNCERTAIN, z)


def evaluate(evaluator: Evaluator, point: Sequence[arb | acb]) -> Value:
    env = [p if isinstance(p, acb) else acb(p) for p in point]
    try:
        return classify(evaluator(env))
    except (ZeroDivisionError, ValueError, OverflowError, ArithmeticError):
        return Value(Status.UNDEFINED, _NAN)


class Agreement(Enum):
    AGREE = "agree"
    DIFFER = "differ"
    UNCERTAIN = "uncertain"


def compare_reals(a: arb, b: arb, required_bits: int = AGREEMENT_BITS) -> tuple[Agreement, float]:
    """Compare two real balls: proved different, certified equal to some digits, or unsure.

    Returns the verdict and the number of certified agreeing digits (for evidence).
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


class precision:
    """Context manager: evaluate with ``bits`` of working precision."""

    def __init__(self, bits: int) -> None:
        self.bits = bits

    def __enter__(self) -> precision:
        self.saved = ctx.prec
        ctx.prec = self.bits
        return self

    def __exit__(self, *exc: object) -> None:
        ctx.prec = self.saved


def to_float(value: arb) -> float:
    try:
        return float(value.mid())
    except (OverflowError, ValueError):
        return math.nan


def describe(value: Value, digits: int = 4) -> str:
    """A short human rendering of a value for evidence ("1.2", "0.5+0.87i", "undefined")."""
    if value.status is Status.UNDEFINED:
        return "undefined"
    real = to_float(value.value.real)
    if value.status is Status.REAL:
        return _short(real, digits)
    imag = to_float(value.value.imag)
    sign = "+" if imag >= 0 else "-"
    return f"{_short(real, digits)}{sign}{_short(abs(imag), digits)}i"


def _short(x: float, digits: int) -> str:
    if math.isnan(x):
        return "nan"
    if x == 0:
        return "0"
    if abs(x) >= 1e6 or abs(x) < 1e-4:
        return f"{x:.{digits - 1}e}"
    text = f"{x:.{digits}g}"
    return text
