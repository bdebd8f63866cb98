"""Render translatable :class:`~exgen.problems.model.Text` with its math, in a given format.

``plain`` writes math in calculator syntax (what a student types), ``latex`` uses sympy's
LaTeX printer, ``html`` sympy's presentation MathML. User text inside parameters is escaped
for the target format.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import sympy

from exgen.i18n import catalog, t
from exgen.problems.model import Math, Text

LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}


def escape_latex(value: str) -> str:
    return "".join(LATEX_SPECIALS.get(ch, ch) for ch in value)


def escape_html(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def math_plain(value: Any) -> str:
    from exgen.answers.sympy_bridge import to_calculator

    if isinstance(value, str):
        return value
    if isinstance(value, sympy.Equality):
        return f"{to_calculator(value.lhs)} = {to_calculator(value.rhs)}"
    if isinstance(value, (tuple, list)):
        if value and all(isinstance(v, (tuple, list)) for v in value):
            return ", ".join(math_plain(tuple(v)) if len(v) > 1 else math_plain(v[0]) for v in value)
        return "(" + ", ".join(math_plain(v) for v in value) + ")"
    return to_calculator(sympy.sympify(value))


def math_latex(value: Any) -> str:
    if isinstance(value, str):
        return r"\text{" + escape_latex(value) + "}"
    if isinstance(value, (tuple, list)):
        if value and all(isinstance(v, (tuple, list)) for v in value):
            return ",\\ ".join(math_latex(tuple(v)) if len(v) > 1 else math_latex(v[0]) for v in value)
        return r"\left(" + ", ".join(math_latex(v) for v in value) + r"\right)"
    return sympy.latex(sympy.sympify(value))


def math_mathml(value: Any) -> str:
    from sympy.printing.mathml import mathml

    if isinstance(value, str):
        return f"<mtext>{escape_html(value)}</mtext>"
    if isinstance(value, (tuple, list)):
        inner = "<mo>,</mo>".join(math_mathml(v) for v in value)
        if value and all(isinstance(v, (tuple, list)) for v in value):
            return f"<mrow>{inner}</mrow>"
        return f"<mrow><mo>(</mo>{inner}<mo>)</mo></mrow>"
    return mathml(sympy.sympify(value), printer="presentation")


def _param(value: Any, fmt: str) -> str:
    if isinstance(value, Math):
        if fmt == "latex":
            body = math_latex(value.value)
            return f"\\[{body}\\]" if value.display else f"${body}$"
        if fmt == "html":
            display = ' display="block"' if value.display else ""
            return f'<math xmlns="http://www.w3.org/1998/Math/MathML"{display}>{math_mathml(value.value)}</math>'
        return math_plain(value.value)
    if isinstance(value, Text):
        return render(value, fmt)
    if isinstance(value, Fraction):
        value = f"{value.numerator}/{value.denominator}" if value.denominator != 1 else str(value.numerator)
    if isinstance(value, sympy.Basic):
        return _param(Math(value), fmt)
    text_value = str(value)
    if fmt == "latex":
        return escape_latex(text_value)
    if fmt == "html":
        return escape_html(text_value)
    return text_value


_FORMATTER = string.Formatter()
_ESCAPE = {"latex": escape_latex, "html": escape_html, "plain": lambda s: s}


def render(item: Text, fmt: str = "plain") -> str:
    """The sentence in the current locale, with its parameters rendered for ``fmt``.

    The catalog's words are escaped for the format piece by piece, between placeholders, so
    escaping can never touch a placeholder.
    """
    template = catalog().get(item.key)
    if template is None:
        return t(item.key)
    escape = _ESCAPE[fmt]
    pieces = []
    for literal, name, _spec, _conversion in _FORMATTER.parse(str(template)):
        pieces.append(escape(literal))
        if name is not None:
            pieces.append(_param(item.params[name], fmt))
    return "".join(pieces)


Renderer = Callable[[Text], str]
