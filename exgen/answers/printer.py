"""Print expression trees back as calculator syntax: "how your answer was read".

The output has every multiplication explicit and brackets wherever a reader could hesitate
(``(1/2)*x``, ``e^(x^2)``, ``sin(x)^2``), and it reads back to the same tree.
"""

from __future__ import annotations

from collections.abc import Callable
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
_PRECEDENCE = {Add: _ADD, Mul: _MUL, Div: _MUL, Neg: _NEG, Pow: _POW}


def _precedence(node: Node) -> int:
    level = _PRECEDENCE.get(type(node))
    if level is not None:
        return level
    if type(node) is Num and not node.text and (node.value < 0 or node.value.denominator != 1):  # type: ignore[attr-defined]
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


def to_text(node: Node, ordered: bool = False) -> str:
    """Calculator syntax. ``ordered`` sorts sums by degree (for keys and statements; a
    student's own answer is printed in the order it was typed)."""
    if ordered:
        _ORDER[0] = True
        try:
            return _print(node)
        finally:
            _ORDER[0] = False
    return _print(node)


def to_sympy_text(node: Node) -> str:
    """sympy syntax (``**``, ``log``, ``exp``, ``Abs``, ``E``), σ written out with exp: a
    string any sympy can parse, for problem descriptions."""
    _SYMPY[0] = True
    try:
        return _print(node)
    finally:
        _SYMPY[0] = False


_ORDER = [False]
_SYMPY = [False]
_SYMPY_NAMES = {"abs": "Abs", "sign": "sign", "max": "Max", "min": "Min"}


def _negated(term: Node) -> Node | None:
    """``term`` without its leading minus sign, if it has one (so sums print ``a - b``)."""
    if type(term) is Neg:
        return term.arg  # type: ignore[attr-defined]
    if type(term) is Num and term.value < 0:  # type: ignore[attr-defined]
        return Num(-term.value)  # type: ignore[attr-defined]
    if type(term) is Mul and type(term.factors[0]) is Num and term.factors[0].value < 0:  # type: ignore[attr-defined]
        first, rest = term.factors[0], term.factors[1:]  # type: ignore[attr-defined]
        if first.value == -1:
            return rest[0] if len(rest) == 1 else Mul(rest)
        return Mul((Num(-first.value), *rest))
    return None


def _wrap(node: Node, needs_brackets: bool) -> str:
    text = _print(node)
    return f"({text})" if needs_brackets else text


def _is_fraction(node: Node) -> bool:
    return type(node) is Num and (node.value.denominator != 1 or node.value < 0)  # type: ignore[attr-defined]


def _is_signed_number(node: Node) -> bool:
    return type(node) is Num and node.value < 0  # type: ignore[attr-defined]


def _print_num(node: Num) -> str:
    if _SYMPY[0]:
        value = node.value
        return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    return node.text or number_text(node.value)


def _print_name(node: Sym | Const) -> str:
    if _SYMPY[0] and type(node) is Const:
        return "E" if node.name == "e" else "pi"
    return node.name


def _print_add(node: Add) -> str:
    parts: list[str] = []
    terms = node.terms
    if _ORDER[0]:
        from exgen.rendering.latex import ordered_terms

        terms = tuple(ordered_terms(node))
    for index, term in enumerate(terms):
        positive = _negated(term) if index else None
        if positive is not None:
            parts.append(" - " + _wrap(positive, _precedence(positive) <= _ADD))
        elif index:
            parts.append(" + " + _wrap(term, type(term) is Add))
        else:
            parts.append(_wrap(term, type(term) is Add))
    return "".join(parts)


def _print_neg(node: Neg) -> str:
    return "-" + _wrap(node.arg, _precedence(node.arg) <= _ADD or type(node.arg) is Neg)


def _print_mul(node: Mul) -> str:
    return "*".join(
        _wrap(
            f,
            type(f) in (Add, Div)
            or (type(f) is Num and not f.text and f.value.denominator != 1)  # type: ignore[attr-defined]
            or (type(f) is Neg and (index > 0 or type(f.arg) is Add))  # type: ignore[attr-defined]
            or (_is_signed_number(f) and index > 0),
        )
        for index, f in enumerate(node.factors)
    )


def _print_div(node: Div) -> str:
    num = _wrap(node.num, _precedence(node.num) <= _ADD or type(node.num) is Div)
    den = _wrap(node.den, _precedence(node.den) < _POW or _is_fraction(node.den))
    return f"{num}/{den}"


def _print_pow(node: Pow) -> str:
    base = _wrap(node.base, _precedence(node.base) <= _POW or _is_fraction(node.base))
    exp = node.exp
    bare = (type(exp) is Num and exp.value >= 0 and exp.value.denominator == 1) or type(exp) in (Sym, Const)  # type: ignore[attr-defined]
    caret = "**" if _SYMPY[0] else "^"
    return f"{base}{caret}{_print(exp) if bare else '(' + _print(exp) + ')'}"


def _print_call(node: Call) -> str:
    args = ", ".join(_print(a) for a in node.args)
    if _SYMPY[0]:
        if node.func == "sigma":
            return f"(1/(1 + exp(-({args}))))"
        if node.func in ("log10", "log2"):
            return f"log({args}, {node.func[3:]})"
        return f"{_SYMPY_NAMES.get(node.func, node.func)}({args})"
    if node.func == "abs":
        return f"|{_print(node.args[0])}|"
    name = _DISPLAY_NAMES.get(node.func, node.func)
    return f"{name}({args})"


def _print_tuple(node: Tuple) -> str:
    return f"({', '.join(_print(i) for i in node.items)})"


def _print_seq(node: Seq) -> str:
    return ", ".join(_print(i) for i in node.items)


def _print_eq(node: Eq) -> str:
    if _SYMPY[0]:
        return f"Eq({_print(node.lhs)}, {_print(node.rhs)})"
    return f"{_print(node.lhs)} = {_print(node.rhs)}"


_PRINTERS: dict[type, Callable[..., str]] = {
    Num: _print_num, Sym: _print_name, Const: _print_name, Add: _print_add, Neg: _print_neg,
    Mul: _print_mul, Div: _print_div, Pow: _print_pow, Call: _print_call, Tuple: _print_tuple,
    Seq: _print_seq, Eq: _print_eq,
}


def _print(node: Node) -> str:
    printer = _PRINTERS.get(type(node))
    if printer is None:
        raise TypeError(f"cannot print {type(node).__name__}")
    return printer(node)
