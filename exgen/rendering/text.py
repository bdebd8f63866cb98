"""Render translatable :class:`~exgen.problems.model.Text` with its math, in a given format.

``plain`` writes math in calculator syntax (what a student types), ``latex`` LaTeX and ``html``
presentation MathML, both from exgen's own fast printers (:mod:`exgen.rendering.latex`,
:mod:`exgen.rendering.mathml`). Catalog words and user text are escaped for the format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction
from functools import lru_cache
from typing import Any

from exgen.answers.nodes import Eq, Node, Num, Seq, Tuple, from_data, to_data
from exgen.i18n import MATH_FIELD, catalog, fill_math, latex_to_plain, parse_message, t
from exgen.problems.model import Math, Text
from exgen.rendering.latex import UNICODE_LATEX

LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}
UNICODE_TEXT = {"–": "--", "—": "---", "…": r"\ldots{}", "“": "``", "”": "''", "‘": "`", "’": "'", "\u00a0": "~"}
SUPERSCRIPTS = {"ˣ": "x", "ᵏ": "k", "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9", "⁻": "-", "⁺": "+", "ⁿ": "n"}
SUBSCRIPTS = {"₀": "0", "₁": "1", "₂": "2", "₃": "3", "₄": "4", "ᵢ": "i", "ₙ": "n"}


_NEEDS_LATEX_ESCAPE = None


def escape_latex(value: str) -> str:
    """Text for pdflatex: specials escaped, Unicode math typeset, runs of ²/₀ as ^{}/_{}."""
    global _NEEDS_LATEX_ESCAPE
    if _NEEDS_LATEX_ESCAPE is None:
        import re

        special = set(LATEX_SPECIALS) | set(UNICODE_LATEX) | set(UNICODE_TEXT) | set(SUPERSCRIPTS) | set(SUBSCRIPTS)
        _NEEDS_LATEX_ESCAPE = re.compile("[" + re.escape("".join(sorted(special))) + "]")
    if not _NEEDS_LATEX_ESCAPE.search(value):
        return value  # the common case: nothing to do
    out: list[str] = []
    i = 0
    while i < len(value):
        char = value[i]
        for table, marker in ((SUPERSCRIPTS, "^"), (SUBSCRIPTS, "_")):
            if char in table:
                j = i
                while j < len(value) and value[j] in table:
                    j += 1
                out.append(r"\ensuremath{" + marker + "{" + "".join(table[c] for c in value[i:j]) + "}}")
                i = j
                break
        else:
            if char in LATEX_SPECIALS:
                out.append(LATEX_SPECIALS[char])
            elif char in UNICODE_LATEX:
                out.append(r"\ensuremath{" + UNICODE_LATEX[char] + "}")
            elif char in UNICODE_TEXT:
                out.append(UNICODE_TEXT[char])
            else:
                out.append(char)
            i += 1
    return "".join(out)


def escape_html(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _is_points(value: Any) -> bool:
    return isinstance(value, (tuple, list)) and all(isinstance(v, (tuple, list)) for v in value)


def _is_sympy(value: Any) -> bool:
    return type(value).__module__.startswith("sympy")


def _tree(value: Any) -> Any:
    if isinstance(value, Node):
        return value
    import sympy

    from exgen.answers.sympy_bridge import from_sympy

    return from_sympy(sympy.sympify(value) if not isinstance(value, sympy.Basic) else value)


def _label(value: str) -> str:
    return str(catalog().get(f"labels.display.{value}", value))


def _listed(value: Any) -> Any:
    """A Python list of formulas is a list in the sentence (``y, z``): a sequence, no brackets."""
    if isinstance(value, list) and value and not _is_points(value):
        return Seq(tuple(_tree(v) for v in value))
    return value


def math_plain(value: Any) -> str:
    """Calculator syntax (reads back with exgen's reader)."""
    from exgen.answers.printer import to_text

    value = _listed(value)
    if isinstance(value, Node):
        return to_text(value, ordered=True)
    if isinstance(value, str):
        return _label(value)
    if _is_points(value):
        if not value:
            return t("render.none")
        return ", ".join(math_plain(tuple(v)) if len(v) > 1 else math_plain(v[0]) for v in value)
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(math_plain(v) for v in value) + ")"
    return to_text(_tree(value), ordered=True)


def math_latex(value: Any) -> str:
    from exgen.rendering.latex import latex

    value = _listed(value)
    if isinstance(value, Node):
        return latex(value)
    if isinstance(value, str):
        return r"\text{" + escape_latex(_label(value)) + "}"
    if _is_points(value):
        if not value:
            return r"\text{" + escape_latex(t("render.none")) + "}"
        return ",\\allowbreak\\ ".join(math_latex(tuple(v)) if len(v) > 1 else math_latex(v[0]) for v in value)
    if isinstance(value, (tuple, list)):
        from exgen.rendering.latex import paren

        return paren(", ".join(math_latex(v) for v in value))
    return latex(_tree(value))


def math_mathml(value: Any) -> str:
    from exgen.rendering.mathml import mathml, paren_mathml

    value = _listed(value)
    if isinstance(value, Node):
        return mathml(value)
    if isinstance(value, str):
        return f"<mtext>{escape_html(_label(value))}</mtext>"
    if _is_points(value):
        if not value:
            return f"<mtext>{escape_html(t('render.none'))}</mtext>"
        return "<mrow>" + "<mo>,</mo><mspace width=\"0.5em\"/>".join(math_mathml(tuple(v)) if len(v) > 1 else math_mathml(v[0]) for v in value) + "</mrow>"
    if isinstance(value, (tuple, list)):
        return paren_mathml("<mo>,</mo>".join(math_mathml(v) for v in value))
    return mathml(_tree(value))


def _equations(value: Any) -> list[Any] | None:
    """The equations of a system (a tuple of equations, as values or as a tree), or None."""
    items = value.items if isinstance(value, Tuple) else value if isinstance(value, (tuple, list)) else None
    if not items:
        return None
    trees = [_tree(item) for item in items]
    return trees if all(isinstance(tree, Eq) for tree in trees) else None


def _vector(value: Any) -> list[Any] | None:
    """The components of a vector (a tuple of formulas, not of points), or None."""
    if isinstance(value, Tuple):
        items = list(value.items)
    elif isinstance(value, tuple) and value and not _is_points(value):
        items = [_tree(v) for v in value]
    else:
        return None
    return items if len(items) > 1 and not any(isinstance(i, (Tuple, Eq)) for i in items) else None


def math(value: Any, fmt: str, display: bool = False) -> str:
    """One formula, complete for the format ($…$, <math>…</math>, or calculator text).

    A tuple of equations is a list (``w = 1, b = 2``), displayed as an aligned system.
    """
    equations = _equations(value) if fmt != "plain" else None
    vector = _vector(value) if display and fmt != "plain" and not equations else None
    if vector:
        if fmt == "latex":
            from exgen.rendering.latex import latex

            return r"\[\begin{pmatrix}" + r" \\ ".join(latex(c) for c in vector) + r"\end{pmatrix}\]"
        from exgen.rendering.mathml import column_vector

        return f'<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">{column_vector(tuple(vector))}</math>'
    if fmt == "latex":
        if equations and display:
            from exgen.rendering.latex import latex

            rows = r" \\ ".join(latex(e.lhs) + " &= " + latex(e.rhs) for e in equations)
            return r"\[\left\{\begin{aligned}" + rows + r"\end{aligned}\right.\]"
        body = ",\\allowbreak\\ ".join(math_latex(e) for e in equations) if equations else math_latex(value)
        return f"\\[{body}\\]" if display else f"${body}$"
    if fmt == "html":
        block = ' display="block"' if display else ""
        if equations and display:
            from exgen.rendering.mathml import mathml

            rows = "".join(
                f'<mtr><mtd style="text-align: right">{mathml(e.lhs)}</mtd><mtd style="text-align: left"><mo>=</mo>{mathml(e.rhs)}</mtd></mtr>'
                for e in equations
            )
            body = f'<mrow><mo>{{</mo><mtable>{rows}</mtable></mrow>'
        elif equations:
            body = '<mrow>' + '<mo separator="true">,</mo><mspace width="0.5em"/>'.join(math_mathml(e) for e in equations) + "</mrow>"
        else:
            body = math_mathml(value)
        return f'<math xmlns="http://www.w3.org/1998/Math/MathML"{block}>{body}</math>'
    return math_plain(value)


def _param(value: Any, fmt: str) -> str:
    if isinstance(value, Math):
        return math(value.value, fmt, value.display)
    if isinstance(value, Text):
        return render(value, fmt)
    if isinstance(value, Fraction):
        value = f"{value.numerator}/{value.denominator}" if value.denominator != 1 else str(value.numerator)
    if isinstance(value, Node) or _is_sympy(value):
        return _param(Math(value), fmt)
    text_value = str(value)
    if fmt == "latex":
        return escape_latex(text_value)
    if fmt == "html":
        return escape_html(text_value)
    return text_value


def _math_param(value: Any, fmt: str) -> str:
    """A parameter inside a piece of mathematics: its formula without the delimiters."""
    if isinstance(value, Math):
        value = value.value
    if isinstance(value, Text):
        inner = render(value, fmt)
        return r"\text{" + inner + "}" if fmt == "latex" else inner
    if isinstance(value, str) and fmt != "plain":
        from exgen.rendering import latex as latex_printer
        from exgen.rendering import mathml as mathml_printer

        return latex_printer.symbol(value) if fmt == "latex" else mathml_printer.symbol(value)
    if fmt == "latex":
        return math_latex(value)
    if fmt == "html":
        return math_mathml(value)
    return math_plain(value)


_ESCAPE = {"latex": escape_latex, "html": escape_html, "plain": lambda s: s}
_MARKER = "ZQ{}QZ"


# f′, σ′ (an entity), and (xⁿ)′ after a bracket of the letters' height
_PRIMED = re.compile(r"<msup>(<mi>(?:[^<&]{1,2}|&#x[0-9A-Fa-f]+;)</mi>|<mo stretchy=\"false\">&#x0002[9D];</mo>)<mi>(&#x0203[234];)</mi></msup>")


@lru_cache(maxsize=8192)
def _mathml_template(source: str) -> str:
    """A catalog math piece as MathML, its placeholders left as ``<mtext>ZQnQZ</mtext>``.

    A prime follows its letter on the line (the glyph itself sits high), not in a superscript,
    where Chromium would lift it twice.
    """
    from latex2mathml.converter import convert

    primed = _PRIMED.sub(lambda m: f'<mrow>{m.group(1)}<mo lspace="0" rspace="0">{m.group(2)}</mo></mrow>', _fence_primed(convert(source)))
    # a minus after "=", "(" or "," is a sign, set close to what it negates (as the key printer does)
    primed = _SIGN.sub(r'\1<mo form="prefix">&#x02212;</mo>', primed)
    # TeX sets a thin space around a function name applied without brackets (k cos kx, sec² kx);
    # latex2mathml runs them together ("kcoskx")
    spaced = _FUNCTION_ARGUMENT.sub(r'\1<mo>&#x2061;</mo><mspace width="0.1667em"/>', primed)
    spaced = _FACTOR_FUNCTION.sub(r'\1<mspace width="0.1667em"/>\2', spaced)
    # a superscript's + and − set close, as in the formulas exgen prints (mathml.script)
    from exgen.rendering.mathml import script

    return _SIMPLE_SUPERSCRIPT.sub(lambda m: m.group(1) + script(m.group(2)) + m.group(3), spaced)


_SIGN = re.compile(r'(<mo>&#x0003D;</mo>|<mo stretchy="false">&#x00028;</mo>|<mo>&#x0002C;</mo>)<mo>&#x02212;</mo>')
_FENCED = '<msup><mrow><mo stretchy="true" fence="true" form="prefix">'


def _fence_primed(mathml: str) -> str:
    """``\\left(\\frac{1}{v}\\right)'``: the prime after the tall bracket, on the line beside it;
    as a superscript Chromium lifts the (already high) prime glyph a second time, far above."""
    start = mathml.find(_FENCED)
    while start >= 0:
        depth, at = 0, start + len("<msup>")
        while True:  # the fenced group's own closing tag
            opening, closing = mathml.find("<mrow>", at), mathml.find("</mrow>", at)
            if closing < 0:
                return mathml
            if 0 <= opening < closing:
                depth, at = depth + 1, opening + len("<mrow>")
                continue
            depth, at = depth - 1, closing + len("</mrow>")
            if depth == 0:
                break
        prime = _PRIME_SUPERSCRIPT.match(mathml, at)
        if prime is not None:
            group = mathml[start + len("<msup>"):at]
            replacement = f'<mrow>{group}<mo lspace="0" rspace="0">{prime.group(1)}</mo></mrow>'
            mathml = mathml[:start] + replacement + mathml[prime.end():]
        start = mathml.find(_FENCED, start + 1)
    return mathml


_PRIME_SUPERSCRIPT = re.compile(r"<mi>(&#x0203[234];)</mi></msup>")
_SIMPLE_SUPERSCRIPT = re.compile(r"(<msup>(?:<mi>[^<]*</mi>|<mn>[^<]*</mn>)<mrow>)((?:(?!</?mrow>).)*)(</mrow></msup>)")
_FUNCTION_NAME = r"(?:sin|cos|tan|sec|csc|cot|ln|log|exp|sinh|cosh|tanh)"
_FUNCTION_ARGUMENT = re.compile(rf"(<mi>{_FUNCTION_NAME}</mi>|<msup><mi>{_FUNCTION_NAME}</mi><mrow><mn>\d+</mn></mrow></msup>)(?=<m[in]>|<mover\b|<msub>|<msup>)")
_FACTOR_FUNCTION = re.compile(rf"(</m[in]>)(<mi>{_FUNCTION_NAME}</mi>|<msup><mi>{_FUNCTION_NAME}</mi>)")


_MARKER_ELEMENT = re.compile(r"<mtext>ZQ(\d+)QZ</mtext>")
_PLAIN_MARKER = re.compile(r"ZQ(\d+)QZ")


def _math_piece(source: str, params: Mapping[str, Any], fmt: str, display: bool = False) -> str:
    if fmt == "latex":
        body = fill_math(source, params, lambda v: _math_param(v, "latex"))
        return r"\[" + body + r"\]" if display else "$" + body + "$"
    names: list[str] = []

    def marker(match: re.Match[str]) -> str:
        if match.group(1) not in params:
            return match.group(0)
        names.append(match.group(1))
        return r"\text{" + _MARKER.format(len(names) - 1) + "}"

    marked = MATH_FIELD.sub(marker, source)
    if fmt == "plain":  # parameters go in after the conversion: calculator text is not LaTeX
        return _PLAIN_MARKER.sub(lambda m: _math_param(params[names[int(m.group(1))]], "plain"), latex_to_plain(marked))
    template = _mathml_template(marked)
    if display:
        template = template.replace('display="inline"', 'display="block"', 1)
    return _MARKER_ELEMENT.sub(lambda m: _math_param(params[names[int(m.group(1))]], "html"), template)


def render(item: Text, fmt: str = "plain") -> str:
    """The sentence in the current locale, with its parameters and mathematics rendered for
    ``fmt``: words escaped for the format, mathematics typeset (see :mod:`exgen.i18n`)."""
    template = catalog().get(item.key)
    if template is None:
        return t(item.key)
    escape = _ESCAPE[fmt]
    pieces = []
    for kind, value in parse_message(str(template)):
        if kind == "text":
            pieces.append(escape(value))
        elif kind == "field":
            pieces.append(_param(item.params[value], fmt))
        else:
            pieces.append(_math_piece(value, item.params, fmt, display=kind == "display"))
    return "".join(pieces)


# -- sentences kept as data (key.json), rendered later without the problem's sympy values ---------


def math_data(value: Any) -> dict[str, Any]:
    """A math value (a sympy value, a tree, points, a vector or a label) as JSON."""
    value = _listed(value)
    if isinstance(value, str):
        return {"label": value}
    if _is_points(value):
        if not value:
            return {"empty": True}
        points = [Tuple(tuple(_tree(c) for c in p)) if len(p) > 1 else _tree(p[0]) for p in value]
        return {"tree": to_data(Seq(tuple(points)) if len(points) > 1 else points[0])}
    if isinstance(value, (tuple, list)):
        return {"tree": to_data(Tuple(tuple(_tree(v) for v in value)))}
    return {"tree": to_data(_tree(value))}


def text_data(item: Text) -> dict[str, Any]:
    """A sentence as JSON: its catalog key and parameters, formulas as trees (see nodes.to_data)."""
    params: dict[str, Any] = {}
    for name, value in item.params.items():
        if isinstance(value, Text):
            params[name] = {"text": text_data(value)}
        elif isinstance(value, Math):
            params[name] = {**math_data(value.value), **({"display": True} if value.display else {})}
        elif isinstance(value, Node) or _is_sympy(value):
            params[name] = math_data(value)
        elif isinstance(value, Fraction):
            params[name] = {"tree": to_data(Num(value))}
        else:
            params[name] = value
    return {"key": item.key, "params": params}


def text_from_data(data: Mapping[str, Any]) -> Text:
    """The sentence :func:`text_data` wrote, ready for :func:`render`."""
    params: dict[str, Any] = {}
    for name, value in (data.get("params") or {}).items():
        if isinstance(value, dict):
            display = bool(value.get("display"))
            if "text" in value:
                params[name] = text_from_data(value["text"])
            elif "label" in value:
                params[name] = Math(value["label"], display)
            elif "empty" in value:
                params[name] = Math((), display)
            else:
                params[name] = Math(from_data(value["tree"]), display)
        else:
            params[name] = value
    return Text(str(data.get("key", "")), params)


def _words(text: str, fmt: str) -> str:
    return escape_latex(text) if fmt == "latex" else escape_html(text) if fmt == "html" else text


def math_from_data(data: Mapping[str, Any], fmt: str, display: bool | None = None) -> str:
    """A value written as display data (see ``AnswerKind.display_data``: a tree, a label, no
    points, or points each with a label) typeset for ``fmt``, delimiters included."""
    shown = bool(data.get("display")) if display is None else display
    if "label" in data and "tree" not in data:
        return _words(_label(str(data["label"])), fmt)  # a word, not a formula
    if "empty" in data:
        return math((), fmt, shown)
    if "rows" in data:
        separator = {"latex": ";\\quad ", "html": "; ", "plain": ", "}[fmt]
        return separator.join(
            math_from_data({"tree": row["tree"]}, fmt, False) + _words(": " + _label(str(row["label"])), fmt) for row in data["rows"]
        )
    value = data["tree"] if isinstance(data["tree"], Node) else from_data(data["tree"])
    if fmt == "html" and not shown:
        from exgen.rendering.mathml import fitting_element

        return fitting_element(value)
    return math(value, fmt, shown)


def wants_display(value: Any) -> bool:
    """Fractions and long formulas in keys stand on their own line, in display style."""
    if isinstance(value, str):
        return False
    text = math_latex(value)
    return ("\\frac" in text and len(text) > 40) or len(text) > 70


def key_math(data: Mapping[str, Any], target: str) -> str:
    """A key or a step's value, from its display data: displayed when long, and never a tiny
    inline fraction (fractions in keys are set at full size, in display style)."""
    if "tree" not in data or "rows" in data:
        return math_from_data(data, target, False)
    value = data["tree"] if isinstance(data["tree"], Node) else from_data(data["tree"])
    shown = math(value, target, wants_display(value))
    if target == "latex" and shown.startswith("$") and "\\frac" in shown:
        return "$\\displaystyle " + shown[1:]
    if target == "html" and shown.startswith("<math ") and "<mfrac" in shown and 'display="block"' not in shown:
        return shown.replace("<math ", '<math displaystyle="true" ', 1)
    return shown
