"""Independent readers for the LaTeX and MathML that exgen prints (test oracles).

They read formulas the way a person reads the typeset page — juxtaposition is a product,
``\\sin\\left(x\\right) y`` applies sin to x only, a minus inside a product is a subtraction —
and build sympy expressions, so a test can check that what students see means the key.
They share no code with the printers in :mod:`exgen.rendering`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import sympy

FUNCTIONS: dict[str, Callable[..., sympy.Expr]] = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "sec": sympy.sec, "csc": sympy.csc,
    "cot": sympy.cot, "arcsin": sympy.asin, "arccos": sympy.acos, "arctan": sympy.atan,
    "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh, "coth": sympy.coth,
    "sech": sympy.sech, "csch": sympy.csch, "arsinh": sympy.asinh, "arcosh": sympy.acosh,
    "artanh": sympy.atanh, "ln": sympy.log, "sgn": sympy.sign, "max": sympy.Max, "min": sympy.Min,
    "atan2": sympy.atan2, "log_10": lambda u: sympy.log(u, 10), "log_2": lambda u: sympy.log(u, 2),
    "σ": lambda u: 1 / (1 + sympy.exp(-u)),
}
GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta", "η": "eta",
    "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi",
    "ρ": "rho", "σ": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
}
LATEX_GREEK = {name: letter for letter, name in GREEK.items()}


class ReadError(ValueError):
    pass


def _symbol(name: str) -> sympy.Expr:
    if name == "e":
        return sympy.E
    if name == "π":
        return sympy.pi
    return sympy.Symbol(GREEK.get(name, name))


def _apply(name: str, args: list[sympy.Expr]) -> sympy.Expr:
    if name in FUNCTIONS:
        return FUNCTIONS[name](*args)
    return sympy.Function(GREEK.get(name, name))(*args)


# ---------------------------------------------------------------------------------------------
# Tokens are generic: "num", "sym" (a letter, maybe with a subscript or prime), "func" (a named
# function that takes the bracket group after it), and operator strings. Both readers turn their
# input into this stream, then one precedence parser reads it.
# ---------------------------------------------------------------------------------------------
Token = tuple[str, object]


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, kind: str | None = None) -> Token:
        token = self.peek()
        if token is None or (kind is not None and token[0] != kind):
            raise ReadError(f"expected {kind} at {self.at}, found {token}")
        self.at += 1
        return token

    def parse(self) -> sympy.Basic:
        value = self.relation()
        if self.peek() is not None:
            raise ReadError(f"unread tokens from {self.at}: {self.tokens[self.at:]}")
        return value

    def relation(self) -> sympy.Basic:
        sides = [self.sum()]
        while self.peek() == ("op", "="):
            self.take()
            sides.append(self.sum())
        # a chain nested in a row of its own (MathML's a = (b = c)) reads as one chain
        sides = [piece for side in sides for piece in (side if isinstance(side, Chain) else side.args if isinstance(side, sympy.Eq) else (side,))]
        if len(sides) == 1:
            return sides[0]
        if len(sides) == 2:
            return sympy.Eq(sides[0], sides[1], evaluate=False)
        return Chain(sides)

    def sum(self) -> sympy.Expr:
        sign = 1
        if self.peek() in (("op", "-"), ("op", "+")):
            sign = -1 if self.take()[1] == "-" else 1
        total = self.product()
        if sign < 0:
            total = -total
        while self.peek() in (("op", "-"), ("op", "+")):
            operator = self.take()[1]
            term = self.product()
            total = total - term if operator == "-" else total + term
        return total

    def product(self) -> sympy.Expr:
        value = self.power()
        while True:
            token = self.peek()
            if token == ("op", "*"):
                self.take()
                value = value * self.power()
            elif token == ("op", "/"):  # a slashed fraction, as in an exponent x^{-1/2}
                self.take()
                value = value / self.power()
            elif token is not None and (token[0] in ("num", "sym", "func", "group") or token == ("op", "(")):
                value = value * self.power()  # juxtaposition
            else:
                return value

    def power(self) -> sympy.Expr:
        base = self.primary()
        token = self.peek()
        if token is not None and token[0] == "sup":
            self.take()
            return base ** token[1]  # type: ignore[operator]
        return base

    def primary(self) -> sympy.Expr:
        token = self.take()
        kind, value = token
        if kind in ("num", "sym", "group"):
            return value  # type: ignore[return-value]
        if token == ("op", "("):
            items = [self.sum()]
            while self.peek() == ("op", ","):
                self.take()
                items.append(self.sum())
            if self.peek() != ("op", ")"):
                self._fail(")")
            self.take()
            return items[0] if len(items) == 1 else sympy.Tuple(*items)
        if kind == "func":
            name, exponent = value  # type: ignore[misc]
            args_token = self.take("args")
            result = _apply(name, args_token[1])  # type: ignore[arg-type]
            return result if exponent is None else result**exponent
        raise ReadError(f"unexpected {token} at {self.at - 1}")

    def _fail(self, wanted: str) -> None:
        raise ReadError(f"expected {wanted} at {self.at}, found {self.peek()}")


class Chain(tuple):
    """The sides of a chain of equalities, a = b = c, as read (a worked step's arithmetic)."""


# --------------------------------------------------------------------------------- LaTeX ----
_LATEX_TOKEN = re.compile(
    r"\\left\(|\\right\)|\\left\||\\right\||\\operatorname\{[a-z0-9]+\}|\\mathit\{[A-Za-z_\\]+\}"
    r"|\\log_\{\d+\}|\\[A-Za-z]+|\\,|\d+(?:\.\d+)?|[A-Za-z]'*|[{}^_+\-=,()/]|\s+"
)


def _latex_tokens(text: str) -> list[str]:
    pieces, at = [], 0
    while at < len(text):
        match = _LATEX_TOKEN.match(text, at)
        if match is None:
            raise ReadError(f"cannot read LaTeX at {at}: {text[at:at + 20]!r}")
        if not match.group().isspace():
            pieces.append(match.group())
        at = match.end()
    return pieces


class _LatexLexer:
    def __init__(self, text: str) -> None:
        self.raw = _latex_tokens(text)
        self.at = 0

    def next_raw(self) -> str:
        if self.at >= len(self.raw):
            raise ReadError("LaTeX ends early")
        self.at += 1
        return self.raw[self.at - 1]

    def braced(self) -> list[Token]:
        """The tokens of a {...} group."""
        if self.next_raw() != "{":
            raise ReadError("expected {")
        return self.until("}")

    def until(self, closer: str) -> list[Token]:
        tokens: list[Token] = []
        while True:
            if self.at >= len(self.raw):
                raise ReadError(f"missing {closer}")
            if self.raw[self.at] == closer:
                self.at += 1
                return tokens
            tokens.extend(self.one())

    def brackets(self) -> list[list[Token]]:
        r"""The comma-separated arguments of \left( ... \right)."""
        opener = self.next_raw()
        if opener not in (r"\left(", "("):
            raise ReadError(r"expected \left( or (")
        inner = self.until(r"\right)" if opener == r"\left(" else ")")
        args: list[list[Token]] = [[]]
        depth = 0
        for token in inner:
            if token == ("op", ",") and depth == 0:
                args.append([])
                continue
            depth += 1 if token == ("op", "(") else -1 if token == ("op", ")") else 0
            args[-1].append(token)
        return args

    def one(self) -> list[Token]:
        piece = self.next_raw()
        if piece == "^":
            return [("sup", _parse(self.braced()))]
        if piece == "_":
            raise ReadError("subscript without a symbol")
        if piece in "+-=,/":
            return [("op", piece)]
        if piece == r"\cdot":
            return [("op", "*")]
        if piece == r"\left(":
            return [("op", "(")] + self.until(r"\right)") + [("op", ")")]
        if piece == "(":
            return [("op", "(")] + self.until(")") + [("op", ")")]
        if piece == r"\left|":
            return [("group", sympy.Abs(_parse(self.until(r"\right|"))))]
        if piece == r"\frac":
            numerator, denominator = _parse(self.braced()), _parse(self.braced())
            return [("group", numerator / denominator)]
        if piece == r"\hat":  # ŷ, the prediction (the only accented letter exgen prints)
            if str(_parse(self.braced())) != "y":
                raise ReadError("an accent on a letter other than y")
            return [("sym", sympy.Symbol("ŷ"))]
        if piece == r"\sqrt":
            return [("group", sympy.sqrt(_parse(self.braced())))]
        if piece[0].isdigit():
            return [("num", sympy.Rational(piece))]
        name = self._function_name(piece)
        if name is not None and self._function_follows():
            exponent = None
            if self.raw[self.at] == "^":
                self.at += 1
                exponent = _parse(self.braced())
            args = [_parse(arg) for arg in self.brackets()]
            return [("func", (name, exponent)), ("args", args)]
        return [("sym", self._symbol(piece))]

    def _function_follows(self) -> bool:
        """exgen prints a named function with its bracketed arguments right after the name
        (or after an exponent, as in sin²(x)); a name followed by anything else is a symbol."""
        rest = self.raw[self.at : self.at + 1]
        return bool(rest) and rest[0] in (r"\left(", "(", "^")

    @staticmethod
    def _function_name(piece: str) -> str | None:
        if piece.startswith(r"\operatorname{"):
            return piece[len(r"\operatorname{") : -1]
        if piece.startswith(r"\log_{"):
            return "log_" + piece[len(r"\log_{") : -1]
        if piece == r"\sigma":
            return "σ"
        if piece.startswith("\\") and piece[1:] in FUNCTIONS:
            return piece[1:]
        if re.fullmatch(r"[fgh]'*", piece):
            return piece
        return None

    def _symbol(self, piece: str) -> sympy.Expr:
        if piece.startswith(r"\mathit{"):
            name = piece[len(r"\mathit{") : -1].replace(r"\_", "_")
        elif piece == r"\pi":
            return sympy.pi
        elif piece.startswith("\\") and piece[1:] in LATEX_GREEK:
            name = piece[1:]
        elif re.fullmatch(r"[A-Za-z]'*", piece):
            name = piece
        else:
            raise ReadError(f"unknown LaTeX {piece!r}")
        if self.at < len(self.raw) and self.raw[self.at] == "_":
            self.at += 1
            name += "".join(str(v) for _, v in self.braced())
        return _symbol(name)


def _parse(tokens: list[Token]) -> sympy.Expr:
    return _Parser(tokens).parse()  # type: ignore[return-value]


def read_latex(text: str) -> sympy.Basic:
    lexer = _LatexLexer(text)
    tokens: list[Token] = []
    while lexer.at < len(lexer.raw):
        tokens.extend(lexer.one())
    return _Parser(tokens).parse()


# -------------------------------------------------------------------------------- MathML ----
_MATHML = "{http://www.w3.org/1998/Math/MathML}"
_OPERATORS = {"+": "+", "−": "-", "-": "-", "·": "*", "\u2062": "*", "/": "/", "=": "=", ",": ",", "(": "(", ")": ")"}


def _tag(element: ET.Element) -> str:
    return element.tag.removeprefix(_MATHML)


def _ml_value(element: ET.Element) -> sympy.Basic:
    tag = _tag(element)
    children = [c for c in element if _tag(c) != "mspace"]
    if tag == "mn":
        return sympy.Rational(element.text or "")
    if tag == "mi":
        return _symbol((element.text or "").replace("′", "'"))
    if tag == "mfrac":
        numerator, denominator = (_ml_value(c) for c in children)
        return numerator / denominator
    if tag == "msqrt":
        return sympy.sqrt(_ml_row(children))
    if tag == "msup":
        base, exponent = (_ml_value(c) for c in children)
        return base**exponent
    if tag == "msub":
        base, subscript = children
        return _symbol((base.text or "") + (subscript.text or ""))
    if tag in ("mrow", "math"):
        return _ml_row(children)
    raise ReadError(f"unknown MathML element {tag}")


def _ml_row(children: list[ET.Element]) -> sympy.Basic:
    tokens: list[Token] = []
    index = 0
    while index < len(children):
        child = children[index]
        tag, text = _tag(child), (child.text or "")
        if tag == "mo" and text == "|":
            closing = next(j for j in range(index + 1, len(children)) if (children[j].text or "") == "|")
            tokens.append(("group", sympy.Abs(_ml_row(children[index + 1 : closing]))))
            index = closing + 1
            continue
        if tag == "mo":
            if text not in _OPERATORS:
                raise ReadError(f"unknown operator {text!r}")
            tokens.append(("op", _OPERATORS[text]))
        elif tag in ("mi", "msup") and index + 1 < len(children) and (children[index + 1].text or "") == "\u2061":
            exponent = None
            if tag == "msup":  # sin²(x): the function's name carries the power
                name_element, power = list(child)
                text, exponent = (name_element.text or ""), _ml_value(power)
            name = text.replace("′", "'")
            arguments = children[index + 2]  # <mrow><mo>(</mo> args <mo>)</mo></mrow>
            inner = [c for c in arguments][1:-1]
            args, current = [], []
            for item in inner:
                if _tag(item) == "mo" and item.text == ",":
                    args.append(_ml_row(current))
                    current = []
                else:
                    current.append(item)
            args.append(_ml_row(current))
            tokens.append(("func", (name, exponent)))
            tokens.append(("args", args))
            index += 3
            continue
        else:
            tokens.append(("group", _ml_value(child)))
        index += 1
    return _Parser(tokens).parse()


def read_mathml(markup: str) -> sympy.Basic:
    if not markup.startswith("<math"):
        markup = f'<math xmlns="http://www.w3.org/1998/Math/MathML">{markup}</math>'
    markup = markup.replace("&#x2062;", "\u2062").replace("&#x2061;", "\u2061")
    return _ml_value(ET.fromstring(markup))
