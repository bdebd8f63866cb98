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


class Refusal(Exception):
    """Internal signal from the reader; converted to a :class:`Diagnostic` at its boundary."""

    def __init__(self, code: str, position: int | None = None, length: int = 1, **params: Any):
        super().__init__(code)
        self.code = code
        self.position = position
        self.length = length
        self.params = params

    def to_diagnostic(self, origin: list[int] | None = None) -> Diagnostic:
        return diagnostic("error", self.code, self.position, self.length, self.params, origin)


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
    params = dict(params)
    if position is not None:
        params.setdefault("column", position + 1)
    return Diagnostic(
        code=code,
        message=t(f"answer.{severity}.{code}", **params),
        position=position,
        length=length,
        params=params,
    )
