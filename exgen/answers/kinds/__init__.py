"""Answer kinds, one module each (the module's name is the kind's name), registered by the
:func:`answer_kind` decorator: a new kind is one new module here plus its catalog entries."""

from exgen.answers.kinds.base import KINDS, AnswerKind, CheckOptions, answer_kind, get_kind, kind_names, load_kinds, resolve_kind

load_kinds()

__all__ = ["KINDS", "AnswerKind", "CheckOptions", "answer_kind", "get_kind", "kind_names", "load_kinds", "resolve_kind"]
