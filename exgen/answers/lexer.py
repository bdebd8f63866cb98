"""From typed characters to tokens, without ever handing the text to Python.

Two steps. :func:`normalize` folds the Unicode a student may paste (``−``, ``×``, ``²``, ``√``,
``π``, full-width forms, non-breaking spaces) into a small ASCII alphabet and keeps, for every
character it produces, the index of the character typed, so errors point at the right place.
:func:`tokenize` then cuts that text into numbers, names and operators; any other character is
refused with a message.
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum
from typing import NamedTuple

from exgen.answers.diagnostics import REFUSALS, Refusal
from exgen.answers.names import CODE_WORDS, GREEK_NAME_FIXES

SUPERSCRIPTS = {
    "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7",
    "⁸": "8", "⁹": "9", "⁻": "-", "⁺": "+",
}
SYMBOL_FOLDS = {
    "−": "-", "–": "-", "‐": "-", "‑": "-", "—": "-", "﹣": "-",
    "×": "*", "·": "*", "⋅": "*", "∗": "*", "•": "*", "✕": "*",
    "÷": "/", "∕": "/", "⁄": "/",
    "π": "pi", "ϖ": "pi",
    "√": "√",
    "∣": "|", "｜": "|",
    "⟨": "<", "〈": "<", "⟩": ">", "〉": ">",
}
DROPPED = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}
ALLOWED_ASCII = set("0123456789+-*/^()[]{}|,.=<>!_ ") | set(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)
# Characters with a specific explanation; everything else gets the generic one.
REFUSED_CHARACTERS = {
    "'": "quote", '"': "quote", "`": "quote", "#": "hash", "\\": "backslash",
    ";": "semicolon", ":": "colon", "@": "other_symbol", "$": "other_symbol",
    "&": "set_symbol", "∪": "set_symbol", "∩": "set_symbol", "%": "percent",
    "~": "other_symbol", "?": "other_symbol", "∞": "infinity",
}


def _greek_name(char: str) -> str | None:
    try:
        name = unicodedata.name(char)
    except ValueError:
        return None
    for prefix, capital in (
        ("GREEK SMALL LETTER ", False),
        ("GREEK CAPITAL LETTER ", True),
        ("GREEK ", False),
    ):
        if name.startswith(prefix):
            word = name[len(prefix) :].lower().removesuffix(" symbol")
            word = GREEK_NAME_FIXES.get(word, word)
            if " " in word or not word.isascii():
                return None
            return word.capitalize() if capital else word
    return None


_PLAIN = re.compile(r"[ -~]*")  # printable ASCII: nothing to fold

# A Chinese (or Japanese) input method types full-width forms and CJK punctuation. Commas,
# enumeration commas, semicolons and full stops all separate items; the colon separates a point
# from its type. One character for one, so positions in messages stay right.
WIDE_PUNCTUATION = {
    "，": ",", "、": ",", "；": ",", "。": ",", "：": ":", "（": "(", "）": ")", "【": "[", "】": "]",
    "《": "<", "》": ">", "　": " ",
}


def fold_wide(text: str) -> str:
    """Full-width ASCII (２ｘ＋１) and CJK punctuation (，：；。（）) as their ASCII meaning; a
    closing full stop is dropped. The result has the same length (but for that full stop)."""
    if _PLAIN.fullmatch(text):
        return text
    out = []
    for char in text:
        code = ord(char)
        if char in WIDE_PUNCTUATION:
            out.append(WIDE_PUNCTUATION[char])
        elif 0xFF01 <= code <= 0xFF5E:  # the full-width block mirrors printable ASCII
            out.append(chr(code - 0xFEE0))
        else:
            out.append(char)
    folded = "".join(out)
    stripped = text.rstrip()
    if stripped.endswith("。"):
        folded = folded[: len(stripped) - 1] + folded[len(stripped):]
    return folded


def normalize(text: str) -> tuple[str, list[int]]:
    """Fold typed text into the reader's alphabet; also return each output char's origin."""
    if _PLAIN.fullmatch(text):
        return text, list(range(len(text)))
    out: list[str] = []
    origin: list[int] = []

    def emit(chars: str, index: int) -> None:
        out.append(chars)
        origin.extend([index] * len(chars))

    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char in SUPERSCRIPTS:
            # A run of superscripts is one bracketed exponent: x²³ is x^(23), x⁻¹ is x^(-1).
            j = i
            while j < n and text[j] in SUPERSCRIPTS:
                j += 1
            digits = "".join(SUPERSCRIPTS[c] for c in text[i:j])
            emit("^(", i)
            for k, c in enumerate(digits):
                emit(c, i + k)
            emit(")", j - 1)
            i = j
            continue
        if char in DROPPED:
            i += 1
            continue
        if char in SYMBOL_FOLDS:
            folded = SYMBOL_FOLDS[char]
            emit(folded, i)
            i += 1
            continue
        if char.isspace():
            emit(" ", i)
            i += 1
            continue
        category = unicodedata.category(char)
        if category == "Cf":
            raise Refusal("invisible_character", i, codepoint=f"U+{ord(char):04X}")
        if category.startswith("C"):
            raise Refusal("control_character", i, codepoint=f"U+{ord(char):04X}")
        if char.isascii():
            emit(char, i)
            i += 1
            continue
        folded = unicodedata.normalize("NFKC", char)
        if folded != char and all(c in ALLOWED_ASCII or c in SYMBOL_FOLDS for c in folded):
            # Full-width forms and mathematical alphanumerics: ｘ and 𝑥 are x.
            emit("".join(SYMBOL_FOLDS.get(c, c) for c in folded), i)
            i += 1
            continue
        greek = _greek_name(folded if len(folded) == 1 else char)
        if greek is not None:
            emit(greek, i)
            i += 1
            continue
        if folded in REFUSED_CHARACTERS:
            emit(folded, i)  # let the tokenizer explain it
            i += 1
            continue
        try:
            description = unicodedata.name(char).lower()
        except ValueError:
            description = f"U+{ord(char):04X}"
        raise Refusal("bad_character", i, char=char, description=description)
    return "".join(out), origin


class Kind(Enum):
    NUMBER = "number"
    NAME = "name"
    PLUS = "+"
    MINUS = "-"
    TIMES = "*"
    DIVIDE = "/"
    POWER = "^"
    LPAREN = "("
    RPAREN = ")"
    BAR = "|"
    COMMA = ","
    EQUALS = "="
    LANGLE = "<"
    RANGLE = ">"
    SQRT = "√"
    END = "end"


OPENERS = {"(": ")", "[": "]", "{": "}"}
CLOSERS = {v: k for k, v in OPENERS.items()}


class Token(NamedTuple):
    kind: Kind
    text: str
    start: int  # index into the normalised text

    @property
    def end(self) -> int:
        return self.start + max(len(self.text), 1)


# Spaces (normalize makes every blank a space) are skipped by the search; any other character
# that starts no token is matched alone, for a precise refusal.
_TOKEN = re.compile(r"\d+(?:\.\d*)?|\.\d+|[A-Za-z_][A-Za-z0-9_]*|\*\*|==|<=|>=|!=|[^ ]", re.DOTALL)
_OPERATOR_KINDS = {kind.value: kind for kind in Kind if len(kind.value) == 1}
_OPERATOR_KINDS.update({"**": Kind.POWER, "(": Kind.LPAREN, "[": Kind.LPAREN, "{": Kind.LPAREN,
                        ")": Kind.RPAREN, "]": Kind.RPAREN, "}": Kind.RPAREN})
_NUMBER_START = frozenset("0123456789.")
_new_token = tuple.__new__  # Token(...) without the Python-level __new__ of a NamedTuple: a fifth of tokenizing


def tokenize(text: str, max_digits: int) -> list[Token]:
    tokens: list[Token] = []
    append = tokens.append
    length = len(text)
    operators = _OPERATOR_KINDS
    for found in _TOKEN.finditer(text):
        value = found.group()
        kind = operators.get(value)
        if kind is not None:
            append(_new_token(Token, (kind, value, found.start())))
            continue
        position = found.start()
        if value[0] in _NUMBER_START and value != ".":
            end = position + len(value)
            if end < length and text[end] in "._":
                raise Refusal("two_decimal_points" if text[end] == "." else "underscore", end)
            if len(value) - value.count(".") > max_digits:
                raise Refusal("number_too_long", position, end - position, limit=max_digits)
            append(_new_token(Token, (Kind.NUMBER, value, position)))
        elif (value[0].isalpha() or (value[0] == "_" and len(value) > 1)) and value.isascii():
            append(_new_token(Token, (Kind.NAME, value, position)))
        elif value in ("==", "<=", ">=", "!="):
            raise Refusal("comparison", position, 2, operator=value)
        else:
            _refuse_code_before(tokens)
            _refuse_character(text, position)
    append(Token(Kind.END, "", length))
    return tokens


def _refuse_code_before(tokens: list[Token]) -> None:
    """A name such as ``__import__`` or ``open`` before a stray quote says more than the quote."""
    for token in tokens:
        if token.kind is Kind.NAME:
            bare = token.text.strip("_").lower()
            if token.text.startswith("_"):
                raise Refusal("program_name", token.start, len(token.text), name=token.text)
            if bare in CODE_WORDS:
                raise Refusal("code_word", token.start, len(token.text), name=token.text)


def _refuse_character(text: str, position: int) -> None:
    char = text[position]
    if char == "!":
        raise Refusal("factorial", position)
    if char == ".":
        raise Refusal("stray_dot", position)
    if char == "_":
        raise Refusal("underscore", position)
    if char in REFUSED_CHARACTERS:
        code = REFUSED_CHARACTERS[char]
        raise Refusal(code, position, **({"char": char} if "char" in REFUSALS[code] else {}))
    raise Refusal("bad_character", position, char=char, description=repr(char))
