"""Print expression trees back as calculator syntax: "how your answer was read".

The output has every multiplication explicit and brackets wherever a reader could hesitate
(``(1/2)*x``, ``e^(x^2)``, ``sin(x)^2``), and it reads back to the same tree.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from functools import lru_cache
from typing import Any

from exgen.answers.nodes import (
    Add,
    Call,
    Const,
    Div,
    Eq,
    Mul,
    Neg,
    Node,
    Num,
    Pow,
    Seq,
    Sym,
    Tuple,
    is_bracketed_put_in,
    is_power_form,
    is_put_in,
)

_ADD, _MUL, _NEG, _POW, _ATOM = 1, 2, 3, 4, 5
_DISPLAY_NAMES = {"log": "ln"}
_PRECEDENCE = {Add: _ADD, Mul: _MUL, Div: _MUL, Neg: _NEG, Pow: _POW}


def _precedence(node: Node) -> int:
    level = _PRECEDENCE.get(type(node))
    if level is not None:
        return level
    if type(node) is Num and (not node.text or is_power_form(node)) and (node.value.numerator < 0 or node.value.denominator != 1):  # type: ignore[attr-defined]
        return _MUL  # a computed fraction prints as a/b
    return _ATOM


def number_text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def friendly_number(value: Fraction) -> str:
    """An exact value as a person would like to read it: 3, -1/2, 2.00000001, 10000000000001,
    ≈0.142857142857, ≈1.23456789012e+40."""
    if max(abs(value.numerator), value.denominator).bit_length() > 3000:
        return f"≈{float(value):.12g}" if abs(value) < 1e300 else "a very large number"
    text = number_text(value)
    if len(text) <= 12 or (value.denominator == 1 and len(text) <= 40):
        return text  # whole numbers are shown in full up to 40 digits
    if value.denominator == 1:
        return f"≈{float(value):.12g}"
    den = value.denominator
    while den % 2 == 0:
        den //= 2
    while den % 5 == 0:
        den //= 5
    if den == 1:  # a terminating decimal: show it exactly
        digits = 0
        scaled = value
        while scaled.denominator != 1:
            scaled *= 10
            digits += 1
        sign = "-" if scaled < 0 else ""
        body = str(abs(scaled.numerator)).rjust(digits + 1, "0")
        return f"{sign}{body[:-digits]}.{body[-digits:]}"
    return f"≈{float(value):.12g}"


@lru_cache(maxsize=4096)  # the trees of the last few students and sheets: memory stays flat
def to_text(node: Node, ordered: bool = False) -> str:
    """Calculator syntax. ``ordered`` sorts sums by degree (for keys and statements; a
    student's own answer is printed in the order it was typed)."""
    return _Printer(ordered=ordered, sympy_names=False).text(node)


def to_sympy_text(node: Node) -> str:
    """sympy syntax (``**``, ``log``, ``exp``, ``Abs``, ``E``), σ written out with exp: a
    string any sympy can parse, for problem descriptions."""
    return _Printer(ordered=False, sympy_names=True).text(node)


_SYMPY_NAMES = {"abs": "Abs", "sign": "sign", "max": "Max", "min": "Min"}


def _negated(term: Node) -> Node | None:
    """``term`` without its leading minus sign, if it has one (so sums print ``a - b``)."""
    if type(term) is Neg:
        return term.arg  # type: ignore[attr-defined]
    if _is_signed_number(term):
        return Num(-term.value)  # type: ignore[attr-defined]
    if type(term) is Mul and _is_signed_number(term.factors[0]):  # type: ignore[attr-defined]
        first, rest = term.factors[0], term.factors[1:]  # type: ignore[attr-defined]
        if first.value == -1:
            return rest[0] if len(rest) == 1 else Mul(rest)
        return Mul((Num(-first.value), *rest))
    return None


def _is_fraction(node: Node) -> bool:
    return type(node) is Num and (node.value.denominator != 1 or node.value.numerator < 0) and not is_bracketed_put_in(node)  # type: ignore[attr-defined]


def _is_signed_number(node: Node) -> bool:
    """A negative number whose sign the printer may move (not one put in for a variable, which
    prints its own brackets)."""
    return type(node) is Num and node.value.numerator < 0 and not is_put_in(node)  # type: ignore[attr-defined]


class _Printer:
    """One printing job; its style travels with it (nothing is shared between threads).

    Every node is printed once, so printing is linear in the size of the tree.
    """

    __slots__ = ("ordered", "sympy_names")

    def __init__(self, ordered: bool, sympy_names: bool) -> None:
        self.ordered = ordered
        self.sympy_names = sympy_names

    def text(self, node: Node) -> str:
        method = _METHODS.get(type(node))
        if method is None:
            raise TypeError(f"cannot print {type(node).__name__}")
        return method(self, node)

    def wrap(self, node: Node, needs_brackets: bool) -> str:
        text = self.text(node)
        return f"({text})" if needs_brackets else text

    def num(self, node: Num) -> str:
        if self.sympy_names:
            value = node.value
            return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
        if is_put_in(node):
            return f"({number_text(node.value)})" if node.value < 0 else number_text(node.value)
        if is_power_form(node):
            return number_text(node.value)
        return node.text or number_text(node.value)

    def name(self, node: Sym | Const) -> str:
        if self.sympy_names and type(node) is Const:
            return "E" if node.name == "e" else "pi"
        return node.name

    def add(self, node: Add) -> str:
        parts: list[str] = []
        terms = node.terms
        if self.ordered:
            from exgen.answers.order import ordered_terms

            terms = tuple(ordered_terms(node))
        for index, term in enumerate(terms):
            positive = _negated(term) if index else None
            if positive is not None:
                parts.append(" - " + self.wrap(positive, _precedence(positive) <= _ADD))
            elif index:
                parts.append(" + " + self.wrap(term, type(term) is Add))
            else:
                parts.append(self.wrap(term, type(term) is Add))
        return "".join(parts)

    def neg(self, node: Neg) -> str:
        return "-" + self.wrap(node.arg, _precedence(node.arg) <= _ADD or type(node.arg) is Neg)

    def mul(self, node: Mul) -> str:
        return "*".join(
            self.wrap(
                f,
                type(f) in (Add, Div)
                or (type(f) is Num and (not f.text or is_put_in(f)) and f.value.denominator != 1 and not is_bracketed_put_in(f))  # type: ignore[attr-defined]
                or (type(f) is Neg and (index > 0 or type(f.arg) is Add))  # type: ignore[attr-defined]
                or (_is_signed_number(f) and index > 0),
            )
            for index, f in enumerate(node.factors)
        )

    def div(self, node: Div) -> str:
        num = self.wrap(node.num, _precedence(node.num) <= _ADD or type(node.num) is Div)
        den = self.wrap(node.den, _precedence(node.den) < _POW or _is_fraction(node.den))
        return f"{num}/{den}"

    def pow(self, node: Pow) -> str:
        base = self.wrap(node.base, _precedence(node.base) <= _POW or _is_fraction(node.base))
        exp = node.exp
        bare = (type(exp) is Num and exp.value.numerator >= 0 and exp.value.denominator == 1) or type(exp) in (Sym, Const)  # type: ignore[attr-defined]
        caret = "**" if self.sympy_names else "^"
        return f"{base}{caret}{self.text(exp) if bare else '(' + self.text(exp) + ')'}"

    def call(self, node: Call) -> str:
        if node.func == "abs" and not self.sympy_names:
            return f"|{self.text(node.args[0])}|"
        args = ", ".join(self.text(a) for a in node.args)
        if self.sympy_names:
            if node.func == "sigma":
                return f"(1/(1 + exp(-({args}))))"
            if node.func in ("log10", "log2"):
                return f"log({args}, {node.func[3:]})"
            return f"{_SYMPY_NAMES.get(node.func, node.func)}({args})"
        return f"{_DISPLAY_NAMES.get(node.func, node.func)}({args})"

    def tuple(self, node: Tuple) -> str:
        return f"({', '.join(self.text(i) for i in node.items)})"

    def seq(self, node: Seq) -> str:
        return ", ".join(self.text(i) for i in node.items)

    def eq(self, node: Eq) -> str:
        if self.sympy_names:
            return f"Eq({self.text(node.lhs)}, {self.text(node.rhs)})"
        return f"{self.text(node.lhs)} = {self.text(node.rhs)}"


_METHODS: dict[type, Callable[[_Printer, Any], str]] = {
    Num: _Printer.num, Sym: _Printer.name, Const: _Printer.name, Add: _Printer.add, Neg: _Printer.neg,
    Mul: _Printer.mul, Div: _Printer.div, Pow: _Printer.pow, Call: _Printer.call, Tuple: _Printer.tuple,
    Seq: _Printer.seq, Eq: _Printer.eq,
}
