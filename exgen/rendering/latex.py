"""Expression trees as LaTeX (fast; used for every formula on worksheets and keys).

sympy's LaTeX printer takes about a millisecond per formula; a class set has tens of
thousands of formulas, so worksheets are typeset from exgen's own trees instead. Quotients
and negative powers become fractions, the coefficient comes first, functions get their usual
names (``\\sin``, ``\\ln``, ``\\sigma``), and brackets appear only where they are needed.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from exgen.answers import nodes as n
from exgen.answers.order import factors_in_print_order, is_arithmetic, ordered_terms, pull_sign

GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
    "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
}
FUNCTIONS = {
    "sin": r"\sin", "cos": r"\cos", "tan": r"\tan", "sec": r"\sec", "csc": r"\csc", "cot": r"\cot",
    "asin": r"\arcsin", "acos": r"\arccos", "atan": r"\arctan", "sinh": r"\sinh", "cosh": r"\cosh",
    "tanh": r"\tanh", "coth": r"\coth", "sech": r"\operatorname{sech}", "csch": r"\operatorname{csch}",
    "asinh": r"\operatorname{arsinh}", "acosh": r"\operatorname{arcosh}", "atanh": r"\operatorname{artanh}",
    "log": r"\ln", "log10": r"\log_{10}", "log2": r"\log_{2}", "sign": r"\operatorname{sgn}",
    "max": r"\max", "min": r"\min", "atan2": r"\operatorname{atan2}", "sigma": r"\sigma",
}
# Unicode math in catalog sentences and symbol names (ŷ), typeset with pdflatex (which has no
# glyphs for these).
UNICODE_LATEX = {
    "σ": r"\sigma", "λ": r"\lambda", "μ": r"\mu", "η": r"\eta", "π": r"\pi", "θ": r"\theta",
    "α": r"\alpha", "β": r"\beta", "δ": r"\delta", "ε": r"\varepsilon", "∂": r"\partial", "∇": r"\nabla",
    "′": r"'", "″": r"''", "−": r"-", "·": r"\cdot", "×": r"\times", "÷": r"\div", "∏": r"\prod", "∑": r"\sum",
    "≥": r"\geq", "≤": r"\leq", "≠": r"\neq", "≈": r"\approx", "∞": r"\infty", "→": r"\to", "←": r"\leftarrow",
    "√": r"\surd", "ŷ": r"\hat{y}", "∈": r"\in", "±": r"\pm", "∅": r"\emptyset", "½": r"\tfrac{1}{2}",
    "☐": r"\square",
}
_ADD, _MUL, _NEG, _POW, _ATOM = 1, 2, 3, 4, 5


def symbol(name: str) -> str:
    base, digits = name.rstrip("0123456789"), name[len(name.rstrip("0123456789")) :]
    if base.lower() in GREEK and (base.islower() or base.capitalize() == base):
        text = "\\" + base
    elif len(base) == 1:
        text = UNICODE_LATEX.get(base, base)
    elif base.endswith("'") or base.endswith("′"):
        text = symbol(base.rstrip("'′")) + "'"
    else:
        text = r"\mathit{" + base.replace("_", r"\_") + "}"
    return f"{text}_{{{digits}}}" if digits else text


def _number(value: Fraction, text: str = "") -> str:
    if text[:1] == n.POWER_FORM and value.denominator != 1:  # an exponent kept as a power: x^{1/2}
        return f"{'-' if value < 0 else ''}{abs(value.numerator)}/{value.denominator}"
    if text[:1] == n.PUT_IN:  # a number put in for a variable: a negative one in brackets
        return paren(_number(value)) if value < 0 else _number(value)
    if text and "." in text:
        return text
    if value.denominator == 1:
        return str(value.numerator)
    sign = "-" if value.numerator < 0 else ""
    return f"{sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"


def _precedence(node: n.Node) -> int:
    if isinstance(node, n.Add):
        return _ADD
    if isinstance(node, (n.Mul, n.Div)):
        return _MUL
    if isinstance(node, n.Neg):
        return _NEG
    if isinstance(node, n.Num) and (node.value.numerator < 0 or node.value.denominator != 1) and not n.is_bracketed_put_in(node):
        return _MUL
    if isinstance(node, n.Pow):
        return _POW
    return _ATOM


def paren(text: str) -> str:
    r"""Brackets that grow only around tall contents (fractions): ``f(x)``, not ``f\left(x\right)``."""
    if "\\frac" in text or "\\begin" in text:
        return r"\left(" + text + r"\right)"
    return "(" + text + ")"


def _negative_power(node: n.Node) -> tuple[n.Node, n.Node] | None:
    """``b^(-k)`` as (b, k): such factors print in the denominator."""
    if isinstance(node, n.Pow):
        exponent = node.exp
        value = n.rational_value(exponent)
        if value is not None and value.numerator < 0 and not n.is_power_form(exponent):
            positive = -value
            return node.base, n.Num(positive)
    return None


@lru_cache(maxsize=16384)
def latex(node: n.Node) -> str:
    """The formula as LaTeX (a pure function of the tree: formulas repeat across a worksheet, its
    key and every student's version, so they are typeset once)."""
    return _latex(node)


def _latex(node: n.Node) -> str:
    kind = type(node)
    if kind is n.Num:
        return _number(node.value, node.text)  # type: ignore[attr-defined]
    if kind is n.Sym:
        return symbol(node.name)  # type: ignore[attr-defined]
    if kind is n.Const:
        return r"\pi" if node.name == "pi" else "e"  # type: ignore[attr-defined]
    if kind is n.Add:
        return _add(node)  # type: ignore[arg-type]
    if kind is n.Neg:
        negative, inner = pull_sign(node)
        text = _latex(inner)
        if not negative:
            return text
        return "-" + (paren(text) if _precedence(inner) <= _ADD else text)
    if kind is n.Mul:
        return _mul(node)  # type: ignore[arg-type]
    if kind is n.Div:
        return r"\frac{" + _latex(node.num) + "}{" + _latex(node.den) + "}"  # type: ignore[attr-defined]
    if kind is n.Pow:
        return _pow(node)  # type: ignore[arg-type]
    if kind is n.Call:
        return _call(node)  # type: ignore[arg-type]
    if kind is n.Eq:
        equation = normalized_equation(node)  # type: ignore[arg-type]
        return _latex(equation.lhs) + " = " + _latex(equation.rhs)
    if kind in (n.Tuple, n.Seq):
        inner = ", ".join(_latex(i) for i in node.items)  # type: ignore[attr-defined]
        return paren(inner) if kind is n.Tuple else inner
    raise TypeError(f"cannot typeset {kind.__name__}")


def normalized_equation(node: n.Eq) -> n.Eq:
    """``-4y - 3x = 25`` is written ``3x + 4y = -25``: a linear left side starts positive. A
    factored one keeps its sign (``-6(x + 3)(x - 2) = 0`` is the f_x of the step before it)."""
    lhs, rhs = node.lhs, node.rhs
    if n.rational_value(rhs) is None or not n.free_symbols(lhs):
        return node
    if isinstance(lhs, n.Mul) and any(isinstance(factor, n.Add) for factor in lhs.factors):
        return node
    terms = ordered_terms(lhs) if isinstance(lhs, n.Add) else [lhs]
    negative, _ = pull_sign(terms[0])
    if not negative:
        return node
    value = n.rational_value(rhs)
    assert value is not None

    def negated(term: n.Node) -> n.Node:  # -(-3x) is 3x: each term changes its own sign
        term_negative, magnitude = pull_sign(term)
        return magnitude if term_negative else n.Neg(term)

    changed = n.Add(tuple(negated(term) for term in terms)) if isinstance(lhs, n.Add) else negated(lhs)
    return n.Eq(changed, n.Num(-value))


def _add(node: n.Add) -> str:
    parts: list[str] = []
    for index, term in enumerate(ordered_terms(node)):
        negative, body = pull_sign(term)
        text = _latex(body)
        if isinstance(body, n.Add):
            text = paren(text)
        if index == 0:
            parts.append(("-" if negative else "") + text)
        else:
            parts.append((" - " if negative else " + ") + text)
    return "".join(parts)


def split_product(node: n.Mul) -> tuple[bool, list[n.Node], list[n.Node]]:
    """A product as (negative?, numerator factors, denominator factors): negative powers and
    the coefficient's denominator go below the line, the coefficient's numerator first above it.
    Shared by the LaTeX and MathML printers."""
    if is_arithmetic(node.factors):  # as written: only the first factor's sign goes in front
        negative, first = pull_sign(node.factors[0])
        return negative, [first, *node.factors[1:]], []
    numerator: list[n.Node] = []
    denominator: list[n.Node] = []
    coefficient = Fraction(1)
    negative, magnitude = pull_sign(node)
    factors = magnitude.factors if isinstance(magnitude, n.Mul) else (magnitude,)
    for factor in factors:
        inverted = _negative_power(factor)
        if inverted is not None:
            base, power = inverted
            denominator.append(base if power.value == 1 else n.Pow(base, power))  # type: ignore[attr-defined]
        elif isinstance(factor, n.Num) and not factor.text:
            coefficient *= factor.value
        else:
            numerator.append(factor)
    negative ^= coefficient.numerator < 0
    coefficient = abs(coefficient)
    if coefficient.denominator != 1:
        denominator.insert(0, n.Num(Fraction(coefficient.denominator)))
    numerator = factors_in_print_order(numerator)
    if coefficient.numerator != 1 or not numerator:
        numerator.insert(0, n.Num(Fraction(coefficient.numerator)))
    return negative, numerator, denominator


def _mul(node: n.Mul) -> str:
    negative, numerator, denominator = split_product(node)
    sign = "-" if negative else ""
    if denominator:
        return sign + r"\frac{" + _fraction_part(numerator) + "}{" + _fraction_part(denominator) + "}"
    return sign + _product(numerator)


def _fraction_part(factors: list[n.Node]) -> str:
    """Inside \frac a single factor needs no brackets."""
    return _latex(factors[0]) if len(factors) == 1 else _product(factors)


def needs_brackets_in_product(factor: n.Node, arithmetic: bool, first: bool) -> bool:
    """Brackets around a factor: sums and signed factors; in arithmetic (``\tfrac12 \\cdot (-24)``)
    fractions stand bare and a negative number after the first is bracketed."""
    if arithmetic:  # a sum under two minus signs still prints as a sum: 0 \cdot (0 + 1)
        negative, magnitude = pull_sign(factor)
        return isinstance(magnitude, n.Add) or (not first and negative)
    return _precedence(factor) <= _MUL and not (isinstance(factor, n.Num) and factor.value.numerator >= 0)


def begins_with_numeral(factor: n.Node) -> bool:
    """A factor printed with a digit first (``10^x``) needs a dot after the factor before it:
    ``4 · 10^x``, never ``4 10^x``, which reads as 410^x."""
    while isinstance(factor, n.Pow):
        factor = factor.base
    return isinstance(factor, n.Num)


def _product(factors: list[n.Node]) -> str:
    pieces: list[str] = []
    previous: n.Node | None = None
    arithmetic = is_arithmetic(factors)
    for factor in factors:
        text = _latex(factor)
        if needs_brackets_in_product(factor, arithmetic, previous is None):
            text = paren(text)
        # a dot before a digit (4 · 10^x), in arithmetic, and after a number put in: 1 · e^1, (-1) · ln 3
        if previous is not None and (arithmetic or begins_with_numeral(factor) or text[:1].isdigit() or n.is_put_in(previous)):
            pieces.append(r" \cdot ")
        elif previous is not None:
            pieces.append(" ")
        pieces.append(text)
        previous = factor
    return "".join(pieces)


def _pow(node: n.Pow) -> str:
    base, exponent = node.base, node.exp
    value = n.rational_value(exponent)
    if value is not None and not n.is_power_form(exponent):  # a power kept as written: x^{1/2}
        if value == Fraction(1, 2):
            return r"\sqrt{" + _latex(base) + "}"
        if value.numerator < 0:
            return r"\frac{1}{" + _pow(n.Pow(base, n.Num(-value))) + "}" if value != -1 else r"\frac{1}{" + _latex(base) + "}"
    if isinstance(base, n.Const) and base.name == "e":
        return "e^{" + _latex(exponent) + "}"
    if isinstance(base, n.Call) and base.func in FUNCTIONS and base.func not in ("max", "min", "atan2"):
        # sin(x)^2 is typeset sin²(x)
        return FUNCTIONS[base.func] + "^{" + _latex(exponent) + "}" + paren(", ".join(_latex(a) for a in base.args))
    base_text = _latex(base)
    if _precedence(base) <= _POW or (isinstance(base, n.Call) and base.func in ("sqrt", "exp")):
        base_text = paren(base_text)
    return base_text + "^{" + _latex(exponent) + "}"


def _call(node: n.Call) -> str:
    args = ", ".join(_latex(a) for a in node.args)
    if node.func == "exp":
        return "e^{" + args + "}"
    if node.func == "sqrt":
        return r"\sqrt{" + args + "}"
    if node.func == "abs":
        return r"\left|" + args + r"\right|"
    name = FUNCTIONS.get(node.func)
    if name is None:  # an undefined function named by a problem, such as f or f'
        name = symbol(node.func)
    return name + paren(args)
