"""Student mistakes in what they typed, returned as data (never raised past the reader).

A :class:`Diagnostic` says what is wrong or ambiguous (a stable ``code`` for programs, a
translated ``message`` for people), where (``position``/``length`` in the text as typed) and,
through the message, what to do about it. Errors make an answer invalid; warnings only show
how an ambiguous answer was read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from exgen.i18n import t


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    message: str
    position: int | None = None  # 0-based index into the text as typed
    length: int = 1
    params: dict[str, Any] = field(default_factory=dict, compare=False)

    def caret_display(self, text: str) -> str:
        """The answer with a caret line under the offending characters (for terminals)."""
        if self.position is None:
            return ""
        line = "".join(ch if ch.isprintable() else "?" for ch in text)
        start = min(self.position, len(line))
        # Long answers: show a window around the error.
        left = max(0, start - 40)
        shown = line[left : left + 80]
        prefix = "…" if left else ""
        marker = " " * (len(prefix) + start - left) + "^" * max(1, min(self.length, 80))
        return f"{prefix}{shown}\n{marker}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "position": self.position,
            "length": self.length,
        }


# Every refusal and warning the reader can give, with the parameters its message needs
# (besides ``column``, which comes from the position). Raising one with other parameters is a
# programming error, caught where it is raised; tests check these lists against the catalogs.
REFUSALS: dict[str, tuple[str, ...]] = {
    "too_long": ("limit", "size"), "empty": (), "too_deep": ("limit",), "too_many_parts": ("limit",),
    "invisible_character": ("codepoint",), "control_character": ("codepoint",),
    "bad_character": ("char", "description"), "two_decimal_points": (), "number_too_long": ("limit",),
    "underscore": (), "comparison": ("operator",), "factorial": (), "stray_dot": (), "quote": ("char",),
    "hash": (), "backslash": (), "semicolon": (), "colon": (), "other_symbol": ("char",),
    "set_symbol": ("char",), "percent": (), "infinity": (), "infinity_word": ("name",), "trailing_comma": (),
    "missing_operand_after": ("operator",), "missing_operand_before": ("operator",),
    "double_operator": ("first", "second"), "chained_equals": (), "number_after_factor": ("number",),
    "empty_brackets": (), "mismatched_bracket": ("closer", "expected", "opener"), "unclosed_bracket": ("bracket",),
    "unmatched_closing": ("bracket",), "empty_bars": (), "unclosed_bar": (), "unexpected_bar": (),
    "unexpected_comma": (), "unexpected_equals": (), "unexpected_end": (), "unexpected_token": ("token",),
    "function_not_declared": ("name",), "cas_function": ("name",), "code_word": ("name",),
    "program_name": ("name",), "subscript": ("name", "suggestion"),
    "scientific_notation": ("number",), "glued_function": ("name", "suggestion"),
    "digits_in_name": ("name", "other", "suggestion"), "unknown_name": ("declared", "name"),
    "unknown_name_suggest": ("name", "suggestion"), "unknown_function": ("name",),
    "unknown_function_suggest": ("name", "suggestion"), "inverse_unknown": ("name",), "empty_call": ("name",),
    "function_needs_argument": ("name",), "wrong_arity": ("count", "expected", "name"),
    "function_power": ("name",), "exponent_too_large": ("limit",), "exponent_too_precise": ("limit",), "number_too_large": (),
    "division_by_zero": (), "zero_power": (),
    # the classified_points kind: points each with its type
    "classified_no_label": (), "classified_label_without_point": ("label",),
    "classified_point_without_label": ("point",), "classified_bad_point": ("point", "detail"),
    "classified_one_point_each": ("point",), "classified_label_not_allowed": ("label", "choices"),
}
# Refusals whose message does not point at a place in the answer.
UNPLACED = frozenset({"empty", "too_deep", "too_many_parts", "too_long"})
WARNINGS: dict[str, tuple[str, ...]] = {
    "implicit_after_power": ("read",), "implicit_after_division": ("read",), "implicit_split": ("name", "read"),
    "inverse_notation": ("inverse", "name"), "bare_function": ("read", "typed"), "e_not_scientific": ("read", "typed"),
}
MAX_ECHO = 60  # characters of the student's own text repeated in a message


class Refusal(Exception):
    """Internal signal from the reader; converted to a :class:`Diagnostic` at its boundary."""

    def __init__(self, code: str, position: int | None = None, length: int = 1, **params: Any):
        super().__init__(code)
        declared = REFUSALS.get(code)
        if declared is None or set(params) != set(declared) or (position is None and code not in UNPLACED):
            raise TypeError(f"refusal {code!r} raised with {sorted(params)} at {position}; it declares {declared}")
        self.code = code
        self.position = position
        self.length = length
        self.params = params

    def to_diagnostic(self, origin: list[int] | None = None) -> Diagnostic:
        return diagnostic("error", self.code, self.position, self.length, self.params, origin)


def echo(value: Any) -> Any:
    """The student's text inside a message is cut short: a 2,000-character answer is not echoed."""
    if isinstance(value, str) and len(value) > MAX_ECHO:
        return value[: MAX_ECHO - 1] + "…"
    return value


def diagnostic(
    severity: str,
    code: str,
    position: int | None,
    length: int,
    params: dict[str, Any],
    origin: list[int] | None = None,
) -> Diagnostic:
    """Build a translated diagnostic, mapping a position in normalised text back to the typed text."""
    if origin is not None and position is not None:
        if not origin:
            position, length = 0, 1
        elif position >= len(origin):
            position, length = origin[-1] + 1, 1
        else:
            end = min(position + max(length, 1) - 1, len(origin) - 1)
            start = origin[position]
            position, length = start, max(1, origin[end] - start + 1)
    if severity == "warning" and set(params) != set(WARNINGS.get(code, ())):
        raise TypeError(f"warning {code!r} given {sorted(params)}; it declares {WARNINGS.get(code)}")
    params = {key: echo(value) for key, value in params.items()}
    if position is not None:
        params.setdefault("column", position + 1)
    return Diagnostic(
        code=code,
        message=t(f"answer.{severity}.{code}", **params),
        position=position,
        length=length,
        params=params,
    )
