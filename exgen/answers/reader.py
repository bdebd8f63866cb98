"""Read calculator syntax into an expression tree, safely.

The text is tokenized by :mod:`exgen.answers.lexer` and parsed here by recursive descent; the
only things that can come out are the nodes of :mod:`exgen.answers.nodes`, built from the
whitelist in :mod:`exgen.answers.names`. Nothing is evaluated, imported or executed.

Reading rules (the README documents them for students):

* ``^`` and ``**`` are powers, right-associative; ``-x^2`` is ``-(x^2)``; ``x^-2`` works.
* Juxtaposition multiplies and binds like ``*``, left to right: ``2x``, ``x(x+1)``,
  ``(x+1)(x-1)``, ``2sin(x)``; so ``1/2x`` is ``(1/2)*x`` (with a warning).
* ``xy`` is ``x*y`` when ``x`` and ``y`` are declared and ``xy`` is not (with a warning).
* A function without brackets applies to the factor after it, including that factor's power
  and any number/name factors glued to it: ``sin x`` is ``sin(x)``, ``ln 2x`` is ``ln(2x)``,
  ``sin x^2`` is ``sin(x^2)``, ``sin x cos x`` is ``sin(x)*cos(x)``.
* ``sin^2(x)`` is ``sin(x)^2``; ``sin^-1(x)`` and ``tan^-1(x)`` are the inverse functions.
* An exponent without brackets is one factor: ``e^2x`` is ``e^2*x`` and ``e^x(x+1)`` is
  ``e^x*(x+1)`` (with a warning).
* ``e`` is Euler's number, never scientific notation: ``2e-3`` is ``2*e - 3`` (with a warning).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from exgen.answers import nodes as n
from exgen.answers.diagnostics import Diagnostic, Refusal, diagnostic
from exgen.answers.lexer import CLOSERS, OPENERS, Kind, Token, normalize, tokenize
from exgen.answers.limits import DEFAULT_LIMITS, Limits
from exgen.answers.names import (
    CAS_FUNCTIONS,
    CODE_WORDS,
    CONSTANTS,
    FUNCTION_SPELLINGS,
    FUNCTIONS,
    FunctionSpec,
)
from exgen.answers.printer import to_text


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """What a reader may accept: the declared names and the bounds."""

    variables: tuple[str, ...] = ()
    functions: frozenset[str] = frozenset()  # extra declared functions, e.g. {"sigma"}
    limits: Limits = DEFAULT_LIMITS
    # Trusted text (an instructor's expected answer): unknown names become variables.
    auto_variables: bool = False
    # Trusted text in sympy's spelling (problem descriptions): E is Euler's number.
    sympy_names: bool = False


class Interpreted(str):
    """An answer as read, in calculator syntax, carrying the tree it was printed from: a page
    typesets that tree instead of reading the text again (a third of a feedback page's cost).
    It pickles and serializes as the plain text, so results and reports are unchanged."""

    tree: n.Node

    def __new__(cls, text: str, tree: n.Node) -> Interpreted:
        self = super().__new__(cls, text)
        self.tree = tree
        return self

    def __reduce__(self) -> tuple[type[str], tuple[str]]:
        return str, (str(self),)


@dataclass(frozen=True, slots=True)
class Reading:
    """The result of reading one answer: a tree, or an error; plus warnings either way."""

    text: str
    tree: n.Node | None
    error: Diagnostic | None = None
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def variables(self) -> tuple[str, ...]:
        """The names the answer uses as variables."""
        return tuple(sorted(n.free_symbols(self.tree))) if self.tree is not None else ()

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def interpreted(self) -> str | None:
        return Interpreted(to_text(self.tree), self.tree) if self.tree is not None else None


def read(text: str, options: ReadOptions = ReadOptions()) -> Reading:
    """Read ``text``; student mistakes come back in ``Reading.error``, never as exceptions."""
    limits = options.limits
    if not isinstance(text, str):
        raise TypeError("answers are text")
    if len(text) > limits.max_length:
        return Reading(text, None, Refusal("too_long", 0, 1, size=len(text), limit=limits.max_length).to_diagnostic())
    try:
        normalized, origin = normalize(text)
    except Refusal as refusal:  # positions from normalize already refer to the typed text
        return Reading(text, None, refusal.to_diagnostic())
    try:
        if not normalized.strip():
            raise Refusal("empty", None)
        tokens = tokenize(normalized, limits.max_digits)
        parser = _Parser(tokens, options, normalized)
        tree = parser.parse()
    except Refusal as refusal:
        return Reading(text, None, refusal.to_diagnostic(origin))
    except RecursionError:
        return Reading(text, None, Refusal("too_deep", None, limit=limits.max_depth).to_diagnostic())
    warnings = tuple(
        diagnostic("warning", code, pos, length, params, origin)
        for code, pos, length, params in parser.warnings
    )
    return Reading(text, tree, None, warnings)


_SCIENTIFIC = re.compile(r"^[eE]\d+$")
# Tuples, not sets, of kinds: membership by identity (an Enum hashes in Python, a call per test).
_FACTOR_STARTS = (Kind.NUMBER, Kind.NAME, Kind.SQRT, Kind.LPAREN)
_INFINITY_WORDS = frozenset({"oo", "inf", "infty", "infinity"})
_CONSTANT_SPELLINGS = {"Pi": "pi", "PI": "pi"}


@lru_cache(maxsize=4096)
def _literal_value(text: str) -> Fraction:
    """The exact value of a number literal (decimals exactly: 0.1 is 1/10)."""
    if text.isdigit():
        return Fraction(int(text))
    return Fraction(text.rstrip(".") or "0")


def _normalize_name(name: str) -> str:
    """Declared names go through the same folding as typed text (``μ0`` is ``mu0``)."""
    try:
        folded, _ = normalize(name)
    except Refusal:
        return name
    return folded.replace(" ", "")


@lru_cache(maxsize=256)
def _declared(variables: tuple[str, ...]) -> frozenset[str]:
    return frozenset(_normalize_name(v) for v in variables)


def _function_spelling(word: str) -> str | None:
    """Function names are case-insensitive (phones capitalise ``Sin x``)."""
    return FUNCTION_SPELLINGS.get(word) or FUNCTION_SPELLINGS.get(word.lower())


class _Parser:
    def __init__(self, tokens: list[Token], options: ReadOptions, text: str) -> None:
        self.tokens = tokens
        self.pos = 0
        self.text = text
        self.options = options
        self.limits = options.limits
        self.max_nodes = options.limits.max_nodes
        self.declared = set(_declared(options.variables))
        self.allowed_functions = options.functions
        self.depth = 0
        self.node_count = 0
        self.abs_depth = 0  # open |...| bars waiting for their closing bar
        self.bare_power_end = -1  # token index right after a power with an unbracketed exponent
        self.warnings: list[tuple[str, int | None, int, dict[str, str]]] = []

    # -- helpers -------------------------------------------------------------------------
    def peek(self, offset: int = 0) -> Token:
        # The parser never advances past END, so only look-ahead needs a bound.
        if offset:
            return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]
        return self.tokens[self.pos]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def warn(self, code: str, start: int, end: int, **params: str) -> None:
        self.warnings.append((code, start, max(1, end - start), params))

    def make(self, node: n.Node, value: Fraction | None = None) -> n.Node:
        self.node_count += 1
        if self.node_count > self.max_nodes:
            raise Refusal("too_many_parts", self.peek().start, limit=self.limits.max_nodes)
        node._rv = value  # the exact value of a constant subtree, known as it is built
        return node

    @staticmethod
    def value(node: n.Node) -> Fraction | None:
        return node._rv  # type: ignore[no-any-return]

    # -- grammar -------------------------------------------------------------------------
    def parse(self) -> n.Node:
        items = [self.parse_item()]
        while self.tokens[self.pos].kind is Kind.COMMA:
            self.advance()
            if self.tokens[self.pos].kind is Kind.END:
                raise Refusal("trailing_comma", self.tokens[self.pos].start - 1)
            items.append(self.parse_item())
        token = self.tokens[self.pos]
        if token.kind is not Kind.END:
            self.unexpected(token)
        if len(items) == 1:
            return items[0]
        return self.make(n.Seq(tuple(items)))

    def parse_item(self) -> n.Node:
        lhs = self.parse_sum()
        if self.tokens[self.pos].kind is Kind.EQUALS:
            equals = self.advance()
            if self.tokens[self.pos].kind in (Kind.END, Kind.COMMA):
                raise Refusal("missing_operand_after", equals.start, operator="=")
            rhs = self.parse_sum()
            if self.tokens[self.pos].kind is Kind.EQUALS:
                raise Refusal("chained_equals", self.tokens[self.pos].start)
            return self.make(n.Eq(lhs, rhs))
        return lhs

    def parse_sum(self) -> n.Node:
        first = self.parse_product()
        kind = self.tokens[self.pos].kind
        if kind is not Kind.PLUS and kind is not Kind.MINUS:
            return first  # most sums read are one term (a factor, an argument, an exponent)
        terms = [first]
        total = self.value(first)
        while self.tokens[self.pos].kind in (Kind.PLUS, Kind.MINUS):
            operator = self.advance()
            self.require_operand(operator)
            term = self.parse_product()
            value = self.value(term)
            if operator.kind is Kind.MINUS:
                term = self.make(n.Neg(term), -value if value is not None else None)
                value = -value if value is not None else None
            terms.append(term)
            if total is not None and value is not None:
                total += value  # folded as it grows: exact sums of huge fractions are slow
                self.check_size(total, operator.start)
            else:
                total = None
        if len(terms) == 1:
            return terms[0]
        return self.make(n.Add(tuple(terms)), total)

    def parse_product(self) -> n.Node:
        tokens = self.tokens
        start_token = tokens[self.pos]
        factors = [self.parse_unary()]  # a run of factors joined by * or juxtaposition
        saw_division = False
        warned_division = False
        while True:
            token = tokens[self.pos]
            kind = token.kind
            if kind is Kind.TIMES or kind is Kind.DIVIDE:
                self.pos += 1
                self.require_operand(token)
                right = self.parse_unary()
                if kind is Kind.DIVIDE:
                    saw_division = True
                    factors = [self.divide(self.multiply_all(factors), right, token)]
                else:
                    factors.append(right)
                continue
            if not (kind in _FACTOR_STARTS or (kind is Kind.BAR and self.abs_depth == 0)):
                break
            if kind is Kind.NUMBER and tokens[self.pos - 1].kind not in (Kind.RPAREN, Kind.BAR):
                # after a closing bracket a number is a factor, as in handwriting: ln(2) 2^x
                raise Refusal("number_after_factor", token.start, len(token.text), number=token.text)
            after_bare_power = self.pos == self.bare_power_end
            right = self.parse_power()
            if after_bare_power or (saw_division and not warned_division):
                end = tokens[self.pos - 1].end
                read_as = to_text(self.multiply_all([*factors, right]))
                if after_bare_power:
                    self.warn("implicit_after_power", start_token.start, end, read=read_as)
                if saw_division and not warned_division:
                    warned_division = True
                    self.warn("implicit_after_division", start_token.start, end, read=read_as)
            factors.append(right)
        return factors[0] if len(factors) == 1 else self.multiply_all(factors)

    def parse_unary(self) -> n.Node:
        # No try/finally: after a Refusal the parser is discarded, so depth need not unwind.
        self.depth += 1
        if self.depth > self.limits.max_depth:
            raise Refusal("too_deep", self.peek().start, limit=self.limits.max_depth)
        token = self.tokens[self.pos]
        if token.kind is Kind.PLUS or token.kind is Kind.MINUS:
            self.advance()
            self.require_operand(token)
            operand = self.parse_unary()
            if token.kind is Kind.MINUS:
                value = operand._rv
                operand = self.make(n.Neg(operand), -value if value is not None else None)
        else:
            operand = self.parse_power()
        self.depth -= 1
        return operand

    def parse_power(self) -> n.Node:
        base = self.parse_atom()
        if self.tokens[self.pos].kind is not Kind.POWER:
            return base
        caret = self.advance()
        self.require_operand(caret)
        bracketed = self.tokens[self.pos].kind is Kind.LPAREN
        exponent = self.parse_unary()
        if not bracketed and (
            not isinstance(exponent, n.Num) or base == n.Const("e")
        ):
            self.bare_power_end = self.pos
        return self.power(base, exponent, caret)

    def parse_atom(self) -> n.Node:
        token = self.tokens[self.pos]
        kind = token.kind
        if kind is Kind.NUMBER:
            self.pos += 1
            value = _literal_value(token.text)
            return self.make(n.Num(value, token.text), value)
        if kind is Kind.NAME:
            self.pos += 1
            return self.name(token)
        if kind is Kind.LPAREN:
            return self.group()
        if kind is Kind.BAR:
            return self.absolute_value()
        if kind is Kind.SQRT:
            self.advance()
            return self.call(token, FUNCTIONS["sqrt"])
        self.unexpected(token)
        raise AssertionError("unreachable")

    # -- pieces --------------------------------------------------------------------------
    def group(self) -> n.Node:
        opener = self.advance()
        closer = OPENERS[opener.text]
        if self.tokens[self.pos].kind is Kind.RPAREN:
            raise Refusal("empty_brackets", opener.start, 2)
        saved_abs, self.abs_depth = self.abs_depth, 0  # bars never pair across brackets
        items = [self.parse_item()]
        while self.tokens[self.pos].kind is Kind.COMMA:
            self.advance()
            items.append(self.parse_item())
        self.close(opener, closer)
        self.abs_depth = saved_abs
        if len(items) == 1:
            return items[0]
        return self.make(n.Tuple(tuple(items)))

    def close(self, opener: Token, closer: str) -> None:
        token = self.tokens[self.pos]
        if token.kind is Kind.RPAREN:
            if token.text != closer:
                raise Refusal("mismatched_bracket", token.start, opener=opener.text, closer=token.text, expected=closer)
            self.advance()
            return
        if token.kind is Kind.END:
            raise Refusal("unclosed_bracket", opener.start, bracket=opener.text)
        self.unexpected(token)

    def absolute_value(self) -> n.Node:
        bar = self.advance()
        if self.peek().kind is Kind.END:
            raise Refusal("unclosed_bar", bar.start)
        self.abs_depth += 1
        inner = self.parse_sum()
        if self.peek().kind is not Kind.BAR:
            if self.peek().kind is Kind.END:
                raise Refusal("unclosed_bar", bar.start)
            self.unexpected(self.peek())
        self.advance()
        self.abs_depth -= 1
        value = self.value(inner)
        return self.make(n.Call("abs", (inner,)), abs(value) if value is not None else None)

    def name(self, token: Token) -> n.Node:
        word = token.text
        if word in self.declared:
            return self.make(n.Sym(word))
        if self.options.sympy_names and word == "E":
            return self.make(n.Const("e"))
        if word in CONSTANTS or word in _CONSTANT_SPELLINGS:
            if word == "e":
                self.warn_if_scientific_looking(token)
            return self.make(n.Const(CONSTANTS.get(word) or _CONSTANT_SPELLINGS[word]))
        spelling = _function_spelling(word)
        if spelling is not None:
            spec = FUNCTIONS[spelling]
            if spec.needs_declaration and spec.name not in self.allowed_functions:
                raise Refusal("function_not_declared", token.start, len(word), name=word)
            return self.call(token, spec)
        if "_" in word:
            self.refuse_underscore_name(token)
        lowered = word.lower()
        if lowered in _INFINITY_WORDS:
            raise Refusal("infinity_word", token.start, len(word), name=word)
        if lowered in CAS_FUNCTIONS:
            raise Refusal("cas_function", token.start, len(word), name=word)
        if lowered in CODE_WORDS:
            raise Refusal("code_word", token.start, len(word), name=word)
        if self.options.auto_variables and word.isidentifier():
            self.declared.add(word)
            return self.make(n.Sym(word))
        pieces = self.split(word)
        if pieces is not None:
            # Re-read the name as separate tokens, so x^2 in "yx^2" applies to x alone.
            replacement = []
            offset = token.start
            for piece in pieces:
                replacement.append(Token(Kind.NAME, piece, offset))
                offset += len(piece)
            self.tokens[self.pos - 1 : self.pos] = replacement
            self.pos -= 1
            self.warn("implicit_split", token.start, token.end, name=word, read="*".join(pieces))
            return self.name(self.advance())
        self.unknown_name(token)
        raise AssertionError("unreachable")

    def refuse_underscore_name(self, token: Token) -> None:
        """``__import__`` is program code; ``x_1`` is a subscript, which answers do not have."""
        word = token.text
        bare = word.strip("_").lower()
        if word.startswith("_") or bare in CODE_WORDS or bare in CAS_FUNCTIONS:
            raise Refusal("program_name", token.start, len(word), name=word)
        raise Refusal("subscript", token.start, len(word), name=word, suggestion=word.replace("_", ""))

    def warn_if_scientific_looking(self, token: Token) -> None:
        """``2e-3`` looks like 0.002 but reads as 2*e - 3: say so."""
        before = self.tokens[self.pos - 2] if self.pos >= 2 else None
        sign, number = self.peek(), self.peek(1)
        if (
            before is not None
            and before.kind is Kind.NUMBER
            and before.end == token.start
            and sign.kind in (Kind.PLUS, Kind.MINUS)
            and sign.start == token.end
            and number.kind is Kind.NUMBER
            and number.start == sign.end
        ):
            typed = self.text[before.start : number.end]
            read_as = f"{before.text}*e {sign.text} {number.text}"
            self.warn("e_not_scientific", before.start, number.end, typed=typed, read=read_as)

    def split(self, word: str) -> list[str] | None:
        """Cut ``word`` into declared variables and constants (``xy`` → x, y), longest first."""
        vocabulary = sorted(self.declared | set(CONSTANTS), key=len, reverse=True)
        best: dict[int, list[str] | None] = {len(word): []}
        for start in range(len(word) - 1, -1, -1):
            best[start] = None
            for piece in vocabulary:
                if word.startswith(piece, start) and best.get(start + len(piece)) is not None:
                    best[start] = [piece, *best[start + len(piece)]]  # type: ignore[misc]
                    break
        pieces = best[0]
        return pieces if pieces and len(pieces) > 1 else None

    def unknown_name(self, token: Token) -> None:
        word = token.text
        before = self.tokens[self.pos - 2] if self.pos >= 2 else None
        if _SCIENTIFIC.match(word) and before is not None and before.kind is Kind.NUMBER:
            raise Refusal("scientific_notation", before.start, token.end - before.start, number=before.text + word)
        followed_by_bracket = self.peek().kind is Kind.LPAREN
        known = self.declared | set(CONSTANTS)
        for spelling in sorted(FUNCTION_SPELLINGS, key=len, reverse=True):
            rest = word[len(spelling) :]
            if word.startswith(spelling) and rest and (rest in known or self.split(rest) is not None):
                raise Refusal("glued_function", token.start, len(word), name=word, suggestion=f"{spelling}({rest})")
        for name in sorted(known, key=len, reverse=True):
            rest = word[len(name) :]
            if word.startswith(name) and rest in FUNCTION_SPELLINGS and followed_by_bracket:
                raise Refusal("glued_function", token.start, len(word), name=word, suggestion=f"{name}*{rest}(...)")
        if any(ch.isdigit() for ch in word):
            letters = word.rstrip("0123456789")
            digits = word[len(letters) :]
            if letters in self.declared and digits:
                raise Refusal("digits_in_name", token.start, len(word), name=word, suggestion=f"{letters}^{digits}", other=f"{digits}{letters}")
        candidates = sorted(self.declared | set(CONSTANTS) | set(FUNCTION_SPELLINGS))
        case_matches = [c for c in candidates if c.lower() == word.lower()]
        close = case_matches or difflib.get_close_matches(word, candidates, n=3, cutoff=0.6)
        code = "unknown_function" if followed_by_bracket else "unknown_name"
        declared = ", ".join(sorted(self.declared)) or "—"
        if close:
            raise Refusal(f"{code}_suggest", token.start, len(word), name=word, suggestion=" or ".join(close))
        if code == "unknown_function":
            raise Refusal(code, token.start, len(word), name=word)
        raise Refusal(code, token.start, len(word), name=word, declared=declared)

    def call(self, token: Token, spec: FunctionSpec) -> n.Node:
        func = spec.name
        power: n.Node | None = None
        if self.peek().kind is Kind.POWER:
            caret = self.advance()
            power_value = self.function_power(caret, token.text)
            if power_value == -1:
                if spec.inverse is None:
                    raise Refusal("inverse_unknown", token.start, caret.end - token.start + 2, name=token.text)
                func = spec.inverse
                self.warn("inverse_notation", token.start, self.peek().start, name=token.text, inverse=func)
            else:
                power = self.make(n.Num(power_value), power_value)
        next_token = self.peek()
        if next_token.kind is Kind.LPAREN:
            opener = self.advance()
            if self.peek().kind is Kind.RPAREN:
                raise Refusal("empty_call", token.start, opener.end - token.start + 1, name=token.text)
            saved_abs, self.abs_depth = self.abs_depth, 0
            args = [self.parse_sum()]
            while self.peek().kind is Kind.COMMA:
                self.advance()
                args.append(self.parse_sum())
            self.close(opener, OPENERS[opener.text])
            self.abs_depth = saved_abs
        elif self.starts_bare_argument(next_token):
            args = [self.bare_argument(token)]
        else:
            raise Refusal("function_needs_argument", token.start, len(token.text), name=token.text)
        target = FUNCTIONS[func]
        if not target.min_args <= len(args) <= target.max_args:
            raise Refusal(
                "wrong_arity",
                token.start,
                self.tokens[self.pos - 1].end - token.start,
                name=token.text,
                count=str(len(args)),
                expected=str(target.min_args) if target.min_args == target.max_args else f"{target.min_args}–{target.max_args}",
            )
        node = self.make(n.Call(func, tuple(args)))
        if power is not None:
            node = self.power(node, power, token)
        return node

    def function_power(self, caret: Token, name: str) -> Fraction:
        """The small integer in ``sin^2(x)``, ``sin^-1(x)`` or ``sin^(2)(x)``."""
        bracketed = self.peek().kind is Kind.LPAREN and self.peek().text == "("
        if bracketed:
            self.advance()
        sign = 1
        if self.peek().kind is Kind.MINUS:
            self.advance()
            sign = -1
        token = self.peek()
        if token.kind is not Kind.NUMBER or "." in token.text:
            raise Refusal("function_power", caret.start, token.end - caret.start, name=name)
        self.advance()
        if bracketed:
            if self.peek().kind is not Kind.RPAREN:
                raise Refusal("function_power", caret.start, self.peek().end - caret.start, name=name)
            self.advance()
        value = sign * Fraction(token.text)
        if abs(value) > self.limits.max_exponent:
            raise Refusal("exponent_too_large", caret.start, token.end - caret.start, limit=self.limits.max_exponent)
        return value

    def starts_bare_argument(self, token: Token) -> bool:
        return token.kind in (Kind.NUMBER, Kind.NAME, Kind.SQRT) or (token.kind is Kind.BAR and self.abs_depth == 0)

    def bare_argument(self, function_token: Token) -> n.Node:
        factors = [self.parse_power()]
        while True:
            token = self.peek()
            if token.kind is Kind.NAME and not self.is_function_name(token.text):
                factors.append(self.parse_power())
            else:
                break
        argument = factors[0] if len(factors) == 1 else self.multiply_all(factors)
        if len(factors) > 1 or isinstance(factors[0], n.Pow):
            end = self.tokens[self.pos - 1].end
            name = "sqrt" if function_token.kind is Kind.SQRT else function_token.text
            self.warn(
                "bare_function",
                function_token.start,
                end,
                typed=self.text[function_token.start : end],
                read=f"{name}({to_text(argument)})",
            )
        return argument

    def is_function_name(self, word: str) -> bool:
        return word not in self.declared and _function_spelling(word) is not None

    def starts_implicit_factor(self, token: Token) -> bool:
        if token.kind in (Kind.NUMBER, Kind.NAME, Kind.SQRT):
            return True
        if token.kind is Kind.LPAREN:
            return True
        return token.kind is Kind.BAR and self.abs_depth == 0

    def require_operand(self, operator: Token) -> None:
        following = self.tokens[self.pos]
        if following.kind in (Kind.END, Kind.RPAREN, Kind.COMMA, Kind.EQUALS):
            raise Refusal("missing_operand_after", operator.start, len(operator.text), operator=operator.text)
        if following.kind in (Kind.TIMES, Kind.DIVIDE, Kind.POWER) and operator.kind is not Kind.POWER:
            raise Refusal("double_operator", following.start, len(following.text), first=operator.text, second=following.text)

    def unexpected(self, token: Token) -> None:
        if token.kind is Kind.END:
            raise Refusal("unexpected_end", token.start)
        if token.kind is Kind.RPAREN:
            raise Refusal("unmatched_closing", token.start, bracket=token.text)
        if token.kind in (Kind.LANGLE, Kind.RANGLE):
            raise Refusal("comparison", token.start, operator=token.text)
        if token.kind in (Kind.TIMES, Kind.DIVIDE, Kind.POWER, Kind.PLUS, Kind.MINUS) and self.pos == 0:
            raise Refusal("missing_operand_before", token.start, len(token.text), operator=token.text)
        if token.kind is Kind.EQUALS:
            raise Refusal("unexpected_equals", token.start)
        if token.kind is Kind.BAR:
            raise Refusal("unexpected_bar", token.start)
        if token.kind is Kind.COMMA:
            raise Refusal("unexpected_comma", token.start)
        raise Refusal("unexpected_token", token.start, len(token.text), token=token.text)

    # -- node builders with bounds ----------------------------------------------------------
    def multiply_all(self, factors: list[n.Node]) -> n.Node:
        if len(factors) == 1:
            return factors[0]
        flat: list[n.Node] = []
        for factor in factors:
            # Only flatten products built by juxtaposition/`*`, never a bracketed quotient.
            flat.extend(factor.factors if isinstance(factor, n.Mul) else (factor,))
        values = [self.value(f) for f in flat]
        product: Fraction | None = None
        if all(v is not None for v in values):
            product = Fraction(1)
            for v in values:
                product *= v  # type: ignore[operator]
            self.check_size(product, self.peek().start)
        return self.make(n.Mul(tuple(flat)), product)

    def divide(self, num: n.Node, den: n.Node, slash: Token) -> n.Node:
        den_value = self.value(den)
        if den_value == 0:
            raise Refusal("division_by_zero", slash.start)
        num_value = self.value(num)
        value = num_value / den_value if num_value is not None and den_value is not None else None
        if value is not None:
            self.check_size(value, slash.start)
        return self.make(n.Div(num, den), value)

    def power(self, base: n.Node, exponent: n.Node, at: Token) -> n.Node:
        limits = self.limits
        exp_value = self.value(exponent)
        base_value = self.value(base)
        if exp_value is not None:
            if abs(exp_value) > limits.max_exponent:
                raise Refusal("exponent_too_large", at.start, limit=limits.max_exponent)
            if max(abs(exp_value.numerator), exp_value.denominator) > limits.max_exponent:  # x^1.00001: small, but too fine to work with exactly
                raise Refusal("exponent_too_precise", at.start, limit=limits.max_exponent)
            if base_value == 0 and exp_value <= 0:
                raise Refusal("zero_power", at.start)
        value = None
        if base_value is not None and exp_value is not None and exp_value.denominator == 1:
            size = max(abs(base_value.numerator), base_value.denominator).bit_length() * abs(exp_value.numerator)
            if size > limits.max_number_bits:
                raise Refusal("number_too_large", at.start)
            value = base_value ** int(exp_value)
        return self.make(n.Pow(base, exponent), value)

    def check_size(self, value: Fraction, position: int) -> None:
        if max(abs(value.numerator), value.denominator).bit_length() > self.limits.max_number_bits:
            raise Refusal("number_too_large", position)


__all__ = ["ReadOptions", "Reading", "read", "CLOSERS"]
