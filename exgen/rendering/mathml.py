"""Expression trees as presentation MathML (MathML Core: no <mfenced>, works offline in
current browsers and is read by screen readers)."""

from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache
from html import escape

from exgen.answers import nodes as n
from exgen.rendering.latex import (
    GREEK,
    _precedence,
    begins_with_numeral,
    is_arithmetic,
    needs_brackets_in_product,
    normalized_equation,
    ordered_terms,
    pull_sign,
    split_product,
)

_ADD, _MUL, _POW = 1, 2, 4
GREEK_LETTERS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ", "eta": "η",
    "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π",
    "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
}
FUNCTIONS = {
    "asin": "arcsin", "acos": "arccos", "atan": "arctan", "asinh": "arsinh", "acosh": "arcosh",
    "atanh": "artanh", "log": "ln", "sign": "sgn", "sigma": "σ",
}


def _mo(op: str) -> str:
    return f"<mo>{escape(op)}</mo>"


def _mi(name: str) -> str:
    return f"<mi>{escape(name)}</mi>"


def paren_mathml(inner: str) -> str:
    """Brackets hug their contents; they stretch only around fractions and roots."""
    if "<mfrac" in inner or "<msqrt" in inner:
        return f"<mrow><mo>(</mo>{inner}<mo>)</mo></mrow>"
    return f'<mrow><mo stretchy="false">(</mo>{inner}<mo stretchy="false">)</mo></mrow>'


_THIN = '<mspace width="0.1667em"/>'  # TeX's thin space before a function name: x³ cos x


def _primed(name: str) -> str:
    """``f'`` and ``f''``: the letter in italic, its primes after it on the line."""
    base = name.rstrip("'′")
    primes = len(name) - len(base)
    if not primes:
        return _mi(name)
    return f'<mrow>{_mi(base)}<mo lspace="0" rspace="0">{"′" * primes}</mo></mrow>'


def symbol(name: str) -> str:
    if name.endswith(("'", "′")):
        return _primed(name)
    base = name.rstrip("0123456789")
    digits = name[len(base) :]
    text = GREEK_LETTERS.get(base, base) if base in GREEK else base.replace("'", "′")
    element = _mi(text)
    return f"<msub>{element}<mn>{digits}</mn></msub>" if digits else element


def _number(value: Fraction, text: str = "") -> str:
    if text[:1] == n.POWER_FORM and value.denominator != 1:  # an exponent kept as a power: x^{1/2}
        slashed = f"<mn>{abs(value.numerator)}</mn><mo lspace=\"0\" rspace=\"0\">/</mo><mn>{value.denominator}</mn>"
        return f"<mrow>{'<mo>−</mo>' if value < 0 else ''}{slashed}</mrow>"
    if text[:1] == n.PUT_IN:  # a number put in for a variable: a negative one in brackets
        return paren_mathml(_number(value)) if value < 0 else _number(value)
    if text and "." in text:
        return f"<mn>{text}</mn>"
    if value.denominator == 1:
        return f"<mn>{abs(value.numerator)}</mn>" if value.numerator >= 0 else f"<mrow><mo>−</mo><mn>{-value.numerator}</mn></mrow>"
    fraction = f"<mfrac><mn>{abs(value.numerator)}</mn><mn>{value.denominator}</mn></mfrac>"
    return fraction if value.numerator > 0 else f"<mrow><mo>−</mo>{fraction}</mrow>"


@lru_cache(maxsize=16384)
def mathml(node: n.Node) -> str:
    """The formula as MathML (a pure function of the tree, typeset once; see latex())."""
    return _ml(node)


def math_element(node: n.Node, display: bool = False) -> str:
    block = ' display="block"' if display else ""
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML"{block}>{_ml(node)}</math>'


def column_vector(components: tuple[n.Node, ...]) -> str:
    """A vector as a column in brackets, as long gradients are written."""
    rows = "".join(f"<mtr><mtd>{_ml(c)}</mtd></mtr>" for c in components)
    return f"<mrow><mo>(</mo><mtable>{rows}</mtable><mo>)</mo></mrow>"


def fitting_element(node: n.Node, width: int = 60) -> str:
    """A formula that fits a page: inline when short; otherwise on its own line, and a long
    vector as a column."""
    inner = _ml(node)
    text = re.sub(r"<[^>]+>", "", inner)
    if len(text) <= width:
        return f'<math xmlns="http://www.w3.org/1998/Math/MathML">{inner}</math>'
    if isinstance(node, n.Tuple) and len(node.items) > 1:
        inner = column_vector(node.items)
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">{inner}</math>'


def _ml(node: n.Node) -> str:
    kind = type(node)
    if kind is n.Num:
        return _number(node.value, node.text)  # type: ignore[attr-defined]
    if kind is n.Sym:
        return symbol(node.name)  # type: ignore[attr-defined]
    if kind is n.Const:
        return _mi("π") if node.name == "pi" else _mi("e")  # type: ignore[attr-defined]
    if kind is n.Add:
        parts = []
        for index, term in enumerate(ordered_terms(node)):  # type: ignore[arg-type]
            negative, body = pull_sign(term)
            text = _ml(body)
            if isinstance(body, n.Add):
                text = paren_mathml(text)
            if index or negative:
                parts.append(_mo("−" if negative else "+"))
            parts.append(text)
        return f"<mrow>{''.join(parts)}</mrow>"
    if kind is n.Neg:
        negative, inner = pull_sign(node)
        text = _ml(inner)
        if not negative:
            return text
        if _precedence(inner) <= _ADD:
            text = paren_mathml(text)
        return f"<mrow><mo>−</mo>{text}</mrow>"
    if kind is n.Mul:
        return _mul(node)  # type: ignore[arg-type]
    if kind is n.Div:
        return f"<mfrac>{_ml(node.num)}{_ml(node.den)}</mfrac>"  # type: ignore[attr-defined]
    if kind is n.Pow:
        return _pow(node)  # type: ignore[arg-type]
    if kind is n.Call:
        return _call(node)  # type: ignore[arg-type]
    if kind is n.Eq:
        equation = normalized_equation(node)  # type: ignore[arg-type]
        return f"<mrow>{_ml(equation.lhs)}<mo>=</mo>{_ml(equation.rhs)}</mrow>"
    if kind in (n.Tuple, n.Seq):
        inner = "<mo>,</mo>".join(_ml(i) for i in node.items)  # type: ignore[attr-defined]
        return paren_mathml(inner) if kind is n.Tuple else f"<mrow>{inner}</mrow>"
    raise TypeError(f"cannot render {kind.__name__}")


def _mul(node: n.Mul) -> str:
    negative, numerator, denominator = split_product(node)
    sign = "<mo>−</mo>" if negative else ""
    if denominator:
        return f"<mrow>{sign}<mfrac>{_fraction_part(numerator)}{_fraction_part(denominator)}</mfrac></mrow>"
    return f"<mrow>{sign}{_product(numerator)}</mrow>"


def _fraction_part(factors: list[n.Node]) -> str:
    return _ml(factors[0]) if len(factors) == 1 else _product(factors)


def _product(factors: list[n.Node]) -> str:
    pieces = []
    arithmetic = is_arithmetic(factors)
    for index, factor in enumerate(factors):
        text = _ml(factor)
        if needs_brackets_in_product(factor, arithmetic, index == 0):
            text = paren_mathml(text)
        if index:
            dot = arithmetic or begins_with_numeral(factor) or n.is_put_in(factors[index - 1])  # 1 · e^1, (-1) · ln 3
            pieces.append("<mo>·</mo>" if dot else "<mo>&#x2062;</mo>")
            if _is_function(factor):
                pieces.append(_THIN)
        pieces.append(text)
    return f"<mrow>{''.join(pieces)}</mrow>"


def _is_function(node: n.Node) -> bool:
    """A named function (cos x, ln x), also raised to a power, which TeX sets off by a thin space."""
    if isinstance(node, n.Pow):
        node = node.base
    return isinstance(node, n.Call) and node.func not in ("exp", "sqrt", "abs")


_SCRIPT_OPERATORS = re.compile(r"<mo>([+−=]|&#x0002B;|&#x02212;|&#x0003D;)</mo>")


def script(mathml_text: str) -> str:
    """MathML for a superscript with its + and − set close, as TeX sets them in script style
    (e^{2x−2}, not e^{2x − 2}: Chromium spaces a script's operators as the line's)."""
    return _SCRIPT_OPERATORS.sub(r'<mo lspace="0.05em" rspace="0.05em">\1</mo>', mathml_text)


def _pow(node: n.Pow) -> str:
    base, exponent = node.base, node.exp
    value = n.rational_value(exponent)
    if value is not None and not n.is_power_form(exponent):  # a power kept as written: x^{1/2}
        if value.denominator == 2 and value.numerator == 1:
            return f"<msqrt>{_ml(base)}</msqrt>"
        if value.numerator < 0:
            inner = _ml(base) if value == -1 else _pow(n.Pow(base, n.Num(-value)))
            return f"<mfrac><mn>1</mn>{inner}</mfrac>"
    if isinstance(base, n.Const) and base.name == "e":
        return f"<msup><mi>e</mi>{script(_ml(exponent))}</msup>"
    if isinstance(base, n.Call) and base.func not in ("exp", "sqrt", "abs", "max", "min", "atan2"):
        # sin(x)^2 is written sin²(x)
        name = FUNCTIONS.get(base.func, base.func)
        args = "<mo>,</mo>".join(_ml(a) for a in base.args)
        return f"<mrow><msup>{_primed(name)}{script(_ml(exponent))}</msup><mo>&#x2061;</mo>{paren_mathml(args)}</mrow>"
    base_text = _ml(base)
    if _precedence(base) <= _POW or (isinstance(base, n.Call) and base.func in ("sqrt", "exp")):
        base_text = paren_mathml(base_text)
    return f"<msup>{base_text}{script(_ml(exponent))}</msup>"


def _call(node: n.Call) -> str:
    args = "<mo>,</mo>".join(_ml(a) for a in node.args)
    if node.func == "exp":
        return f"<msup><mi>e</mi>{script(args)}</msup>"
    if node.func == "sqrt":
        return f"<msqrt>{args}</msqrt>"
    if node.func == "abs":
        return f"<mrow><mo>|</mo>{args}<mo>|</mo></mrow>"
    name = FUNCTIONS.get(node.func, node.func)
    return f"<mrow>{_primed(name)}<mo>&#x2061;</mo>{paren_mathml(args)}</mrow>"
