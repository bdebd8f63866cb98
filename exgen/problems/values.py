"""Answer values of generated parts, compared and typed through their answer kinds.

Keys, mistake models and re-derived answers are sympy values; each answer kind
(:mod:`exgen.answers.kinds`) compares them with the same engine that grades students, so
"the key is right" and "the student is right" mean the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from exgen.answers.kinds import get_kind
from exgen.problems.model import Mistake, Part


def same_value(kind: str, a: Any, b: Any, variables: Sequence[str] = ()) -> bool:
    """Are two answer values of ``kind`` equal (as the engine decides for students)?"""
    return get_kind(kind).same_value(a, b, variables)


def typed(kind: str, value: Any) -> str:
    """What a student would type for ``value`` (calculator syntax)."""
    return get_kind(kind).typed(value)


def rewritten_forms(kind: str, value: Any, seed: int = 0) -> list[str]:
    """Other ways a student might write ``value`` (expanded, factored, reordered, …)."""
    return get_kind(kind).rewritten_forms(value, seed)


def display_data(kind: str, value: Any) -> dict[str, Any]:
    """The value for typesetting (see AnswerKind.display_data)."""
    return get_kind(kind).display_data(value)


def effective_mistakes(part: Part) -> tuple[Mistake, ...]:
    """The part's mistake models minus any the engine would accept as the key."""
    return tuple(m for m in part.mistakes if not same_value(part.kind, part.answer, m.answer, part.variables))
