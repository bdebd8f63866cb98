"""Answer kinds, one module each, registered by the :func:`answer_kind` decorator."""

from exgen.answers.kinds import equation, expression, label, number, points, vector  # noqa: F401  (registration)
from exgen.answers.kinds.base import KINDS, AnswerKind, CheckOptions, answer_kind, get_kind

__all__ = ["KINDS", "AnswerKind", "CheckOptions", "answer_kind", "get_kind"]
