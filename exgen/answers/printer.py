"""Print expression trees back as calculator syntax: "how your answer was read".

The output has every multiplication explicit and brackets wherever a reader could hesitate
(``(1/2)*x``, ``e^(x^2)``, ``sin(x)^2``), and it reads back to the same tree.
"""

from __future__ import annotations

from fractions import Fraction

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
)

_ADD, _MUL, _NEG, _POW, _ATOM = 1, 2, 3, 4, 5
_DISPLAY_NAMES = {"log": "ln"}


def _precedence(node: Node) -> int:
    if isinstance(node, Add):
        return _ADD
    if isinstance(node, (Mul, Div)):
        return _MUL
    if isinstance(node, Neg):
        return _NEG
    if isinstance(node, Pow):
        return _POW
    if isinstance(node, Num) and (node.value < 0 or node.value.denominator != 1) and not node.text:
        return _MUL  # a computed fraction prints as a/b
    return _ATOM


def number_text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def friendly_number(value: Fraction) -> str:
    """An exact value as a person would like to read it: 3, -1/2, 2.00000001, ≈0.142857142857."""
    if max(abs(value.numerator), value.denominator).bit_length() > 3000:
        return f"≈{float(value):.12g}" if abs(value) < 1e300 else "a very large number"
    text = number_text(value)
    if len(text) <= 12:
        return text
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


def to_text(node: Node) -> str:
    return _print(node)


def _wrap(node: Node, needs_brackets: bool) -> str:
    text = _print(node)
    return f"({text})" if needs_brackets else text


def _print(node: Node) -> str:
    if isinstance(node, Num):
        return node.text or number_text(node.value)
    if isinstance(node, (Sym, Const)):
        return node.name
    if isinstance(node, Add):
        parts: list[str] = []
        for index, term in enumerate(node.terms):
            if index and isinstance(term, Neg):
                parts.append(" - " + _wrap(term.arg, _precedence(term.arg) <= _ADD))
            elif index:
                parts.append(" + " + _wrap(term, isinstance(term, Add)))
            else:
                parts.append(_wrap(term, isinstance(term, Add)))
        return "".join(parts)
    if isinstance(node, Neg):
        return "-" + _wrap(node.arg, _precedence(node.arg) <= _ADD or isinstance(node.arg, Neg))
    if isinstance(node, Mul):
        return "*".join(
            _wrap(
                f,
                isinstance(f, (Add, Div))
                or (isinstance(f, Num) and not f.text and f.value.denominator != 1)
                or (isinstance(f, Neg) and (index > 0 or isinstance(f.arg, Add)))
                or (_is_signed_number(f) and index > 0),
            )
            for index, f in enumerate(node.factors)
        )
    if isinstance(node, Div):
        num = _wrap(node.num, _precedence(node.num) <= _ADD or isinstance(node.num, Div))
        den = _wrap(node.den, _precedence(node.den) < _POW or _is_fraction(node.den))
        return f"{num}/{den}"
    if isinstance(node, Pow):
        base = _wrap(node.base, _precedence(node.base) <= _POW or _is_fraction(node.base))
        exp = node.exp
        bare = (isinstance(exp, Num) and exp.value >= 0 and exp.value.denominator == 1) or isinstance(
            exp, (Sym, Const)
        )
        return f"{base}^{_print(exp) if bare else '(' + _print(exp) + ')'}"
    if isinstance(node, Call):
        if node.func == "abs":
            return f"|{_print(node.args[0])}|"
        name = _DISPLAY_NAMES.get(node.func, node.func)
        return f"{name}({', '.join(_print(a) for a in node.args)})"
    if isinstance(node, Tuple):
        return f"({', '.join(_print(i) for i in node.items)})"
    if isinstance(node, Seq):
        return ", ".join(_print(i) for i in node.items)
    if isinstance(node, Eq):
        return f"{_print(node.lhs)} = {_print(node.rhs)}"
    raise TypeError(f"cannot print {type(node).__name__}")


def _is_fraction(node: Node) -> bool:
    return isinstance(node, Num) and (node.value.denominator != 1 or node.value < 0)


def _is_signed_number(node: Node) -> bool:
    return isinstance(node, Num) and node.value < 0
