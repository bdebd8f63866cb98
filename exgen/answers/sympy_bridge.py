"""Between sympy (where problems are built and keys derived) and exgen's expression trees.

Keys and mistake models are sympy expressions made by trusted generator code; they enter the
answer engine through :func:`from_sympy`. :func:`to_sympy` goes the other way for trusted
trees. :func:`to_calculator` prints a sympy expression in the syntax students type, which
tests use to play the student. Student text never comes through this module.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from typing import Any

import sympy
from sympy.core.function import AppliedUndef
from sympy.printing.str import StrPrinter

from exgen.answers import nodes as n


class sigmoid(sympy.Function):
    """The logistic sigmoid σ(x) = 1/(1 + e^(−x)), with σ′ = σ(1 − σ)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        value = sigmoid(self.args[0])
        return value * (1 - value)

    def _eval_rewrite_as_exp(self, arg: sympy.Expr, **kwargs: Any) -> sympy.Expr:
        return 1 / (1 + sympy.exp(-arg))

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_real else None

    def _latex(self, printer: Any) -> str:
        return r"\sigma\left(" + printer._print(self.args[0]) + r"\right)"


_UNARY = {
    sympy.sin: "sin", sympy.cos: "cos", sympy.tan: "tan", sympy.sec: "sec", sympy.csc: "csc",
    sympy.cot: "cot", sympy.asin: "asin", sympy.acos: "acos", sympy.atan: "atan",
    sympy.sinh: "sinh", sympy.cosh: "cosh", sympy.tanh: "tanh", sympy.sech: "sech",
    sympy.csch: "csch", sympy.coth: "coth", sympy.asinh: "asinh", sympy.acosh: "acosh",
    sympy.atanh: "atanh", sympy.exp: "exp", sympy.Abs: "abs", sympy.sign: "sign", sigmoid: "sigma",
}
_FROM_NAME = {name: func for func, name in _UNARY.items()}


def _number(value: Fraction) -> n.Node:
    return n.Num(value)


@lru_cache(maxsize=16384)
def _from_sympy_cached(expr: sympy.Basic) -> n.Node:
    return _from_sympy(expr)


def from_sympy(expr: Any) -> n.Node:
    """Convert a trusted sympy expression into a tree; raise TypeError for anything else.

    Conversions are cached: the same key is typeset for LaTeX, HTML and the answer key.
    """
    expr = sympy.sympify(expr) if not isinstance(expr, sympy.Basic) else expr  # trusted values only
    try:
        return _from_sympy_cached(expr)
    except TypeError as problem:
        if "unhashable" in str(problem):
            return _from_sympy(expr)
        raise


def _from_sympy(expr: Any) -> n.Node:
    if isinstance(expr, sympy.Tuple) or isinstance(expr, tuple):
        return n.Tuple(tuple(from_sympy(a) for a in expr))
    if isinstance(expr, sympy.Equality):
        return n.Eq(from_sympy(expr.lhs), from_sympy(expr.rhs))
    if expr.is_Integer or expr.is_Rational:
        return _number(Fraction(int(expr.p), int(expr.q)))
    if expr.is_Float:
        return _number(Fraction(str(expr)))
    if expr is sympy.E:
        return n.Const("e")
    if expr is sympy.pi:
        return n.Const("pi")
    if expr.is_Symbol:
        return n.Sym(expr.name)
    if expr.is_Add:
        terms = sympy.Add.make_args(expr)
        written = terms != sympy.Add(*terms).args  # built unevaluated, in a chosen order
        if written:  # sympy puts a number first wherever it can: as written, it goes last
            terms = tuple(t for t in terms if not t.is_number) + tuple(t for t in terms if t.is_number)
        return n.Add(tuple(from_sympy(a) for a in terms), written)
    if expr.is_Mul:
        coeff, rest = expr.as_coeff_Mul()
        if coeff == -1:
            return n.Neg(from_sympy(rest))
        return n.Mul(tuple(from_sympy(a) for a in sympy.Mul.make_args(expr)))
    if expr.is_Pow:
        base, exp = expr.args
        if base is sympy.E:
            return n.Call("exp", (from_sympy(exp),))
        return n.Pow(from_sympy(base), from_sympy(exp))
    if isinstance(expr, sympy.log):
        if len(expr.args) == 2:
            return n.Div(n.Call("log", (from_sympy(expr.args[0]),)), n.Call("log", (from_sympy(expr.args[1]),)))
        return n.Call("log", (from_sympy(expr.args[0]),))
    if isinstance(expr, (sympy.Max, sympy.Min)):
        name = "max" if isinstance(expr, sympy.Max) else "min"
        return n.Call(name, tuple(from_sympy(a) for a in expr.args))
    if isinstance(expr, sympy.atan2):
        return n.Call("atan2", tuple(from_sympy(a) for a in expr.args))
    for func, name in _UNARY.items():
        if isinstance(expr, func):
            return n.Call(name, (from_sympy(expr.args[0]),))
    if isinstance(expr, AppliedUndef):
        # f(x), f'(x) in statements and steps: display only, never evaluated
        return n.Call(str(expr.func), tuple(from_sympy(a) for a in expr.args))
    raise TypeError(f"exgen cannot use {type(expr).__name__} in an answer: {expr}")


def to_sympy(node: n.Node, real_roots: bool = False) -> sympy.Expr:
    """Build the sympy expression of a *trusted* tree (sympy evaluates as it builds).

    ``real_roots`` reads powers with an odd denominator as real roots, as the answer engine
    does (``(-8)^(1/3)`` is -2); sympy's own reading is the principal complex root.
    """

    def convert(node: n.Node) -> sympy.Expr:
        if isinstance(node, n.Num):
            return sympy.Rational(node.value.numerator, node.value.denominator)
        if isinstance(node, n.Sym):
            return sympy.Symbol(node.name)
        if isinstance(node, n.Const):
            return sympy.E if node.name == "e" else sympy.pi
        if isinstance(node, n.Add):
            return sympy.Add(*(convert(t) for t in node.terms))
        if isinstance(node, n.Neg):
            return -convert(node.arg)
        if isinstance(node, n.Mul):
            return sympy.Mul(*(convert(f) for f in node.factors))
        if isinstance(node, n.Div):
            return convert(node.num) / convert(node.den)
        if isinstance(node, n.Pow):
            exponent = n.rational_value(node.exp)
            if real_roots and exponent is not None and exponent.denominator % 2 == 1 and exponent.denominator > 1:
                return sympy.real_root(convert(node.base), exponent.denominator) ** exponent.numerator
            return sympy.Pow(convert(node.base), convert(node.exp))
        if isinstance(node, n.Call):
            args = [convert(a) for a in node.args]
            special = {
                "log": sympy.log, "sqrt": sympy.sqrt, "max": sympy.Max, "min": sympy.Min, "atan2": sympy.atan2,
                "log10": lambda a: sympy.log(a, 10), "log2": lambda a: sympy.log(a, 2),
            }
            func = special.get(node.func) or _FROM_NAME[node.func]
            return func(*args)
        if isinstance(node, n.Tuple):
            return sympy.Tuple(*(convert(i) for i in node.items))
        if isinstance(node, n.Eq):
            return sympy.Eq(convert(node.lhs), convert(node.rhs), evaluate=False)
        raise TypeError(f"cannot convert {type(node).__name__} to sympy")

    return convert(node)


class CalculatorPrinter(StrPrinter):
    """sympy → the syntax students type (``^``, ``e``, ``ln``, ``sigma``)."""

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        text = super()._print_Pow(expr, rational)
        return text.replace("**", "^")

    def _print_Exp1(self, expr: Any) -> str:
        return "e"

    def _print_exp(self, expr: Any) -> str:
        return f"e^({self._print(expr.args[0])})"

    def _print_log(self, expr: Any) -> str:
        return f"ln({self._print(expr.args[0])})"

    def _print_sigmoid(self, expr: Any) -> str:
        return f"sigma({self._print(expr.args[0])})"

    def _print_Abs(self, expr: Any) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_ImaginaryUnit(self, expr: Any) -> str:
        raise TypeError("imaginary numbers have no calculator syntax in exgen")


def to_calculator(expr: Any) -> str:
    return CalculatorPrinter().doprint(expr).replace("**", "^")
