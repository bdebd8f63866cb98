"""What every answer kind shares: options, the registry, and reading helpers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from exgen.answers import nodes as n
from exgen.answers.diagnostics import Diagnostic
from exgen.answers.limits import DEFAULT_LIMITS, Deadline, Limits
from exgen.answers.reader import Reading, ReadOptions, read
from exgen.answers.verdict import Verdict
from exgen.errors import ExpectedAnswerError
from exgen.i18n import t


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """How one part is checked. ``None`` means "the kind's default"."""

    variables: tuple[str, ...] | None = None
    functions: frozenset[str] = frozenset()
    tolerance: float | None = None  # relative, for decimals in number answers
    abs_tolerance: float | None = None  # absolute, near zero
    choices: tuple[str, ...] | None = None  # allowed labels for the label kind
    limits: Limits = DEFAULT_LIMITS


class AnswerKind(ABC):
    """One kind of answer: how to read the expected value and how to grade a typed answer."""

    name: ClassVar[str] = ""

    @abstractmethod
    def prepare(self, expected: Any, options: CheckOptions) -> Any:
        """Read the (trusted) expected answer; raise ExpectedAnswerError if it is unusable."""

    @abstractmethod
    def grade(self, prepared: Any, answer: str, deadline: Deadline) -> Verdict:
        """Grade what the student typed; never raises for anything the student typed."""


KINDS: dict[str, AnswerKind] = {}
K = TypeVar("K", bound=type[AnswerKind])


def answer_kind(name: str) -> Callable[[K], K]:
    """Register an answer kind under ``name`` (one module per kind)."""

    def register(cls: K) -> K:
        cls.name = name
        KINDS[name] = cls()
        return cls

    return register


def get_kind(name: str) -> AnswerKind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown answer kind {name!r}; choose from {', '.join(sorted(KINDS))}") from None


# -- shared helpers -------------------------------------------------------------------------


def expected_tree(expected: Any, options: CheckOptions) -> n.Node:
    """The expected answer as a tree: calculator text, a tree, or a sympy expression."""
    if isinstance(expected, n.Node):
        return expected
    if isinstance(expected, str):
        reading = read(
            expected,
            ReadOptions(
                variables=options.variables or (),
                functions=options.functions | frozenset({"sigma"}),
                limits=options.limits,
                auto_variables=True,
            ),
        )
        if not reading.ok:
            assert reading.error is not None
            raise ExpectedAnswerError(t("answer.error.expected_unreadable", detail=reading.error.message))
        assert reading.tree is not None
        return reading.tree
    if hasattr(expected, "free_symbols"):
        from exgen.answers.sympy_bridge import from_sympy

        return from_sympy(expected)
    if isinstance(expected, (int, float)):
        from fractions import Fraction

        value = Fraction(expected)
        return n.Num(abs(value)) if value >= 0 else n.Neg(n.Num(-value))
    raise ExpectedAnswerError(f"cannot use {type(expected).__name__} as an expected answer")


def answer_variables(tree: n.Node, options: CheckOptions) -> tuple[str, ...]:
    """The names a student may use: the declared ones, or those of the expected answer."""
    used = n.free_symbols(tree)
    if options.variables is None:
        return tuple(sorted(used))
    missing = used - set(options.variables)
    if missing:
        raise ExpectedAnswerError(
            f"the expected answer uses {', '.join(sorted(missing))}, which is not among the "
            f"declared variables ({', '.join(options.variables)})"
        )
    return tuple(options.variables)


def answer_functions(trees: Sequence[n.Node], options: CheckOptions) -> frozenset[str]:
    """Declared functions, plus any the expected answer itself uses (such as sigma)."""
    used: set[str] = set()
    for tree in trees:
        used |= n.functions_used(tree)
    return options.functions | (frozenset(used) & frozenset({"sigma"}))


def read_answer(answer: str, variables: tuple[str, ...], functions: frozenset[str], options: CheckOptions) -> Reading:
    return read(answer, ReadOptions(variables=variables, functions=functions, limits=options.limits))


def warnings_of(reading: Reading) -> tuple[str, ...]:
    return tuple(w.message for w in reading.warnings)


def invalid(reading: Reading | None, error: Diagnostic | None = None, message: str | None = None, code: str = "") -> Verdict:
    diagnostic = error or (reading.error if reading is not None else None)
    return Verdict(
        verdict="invalid",
        score=0.0,
        message=message or (diagnostic.message if diagnostic else t("answer.verdict.incorrect")),
        interpreted=reading.interpreted if reading is not None else None,
        evidence=t("answer.evidence.parse_error") if reading is not None and not reading.ok else "",
        warnings=warnings_of(reading) if reading is not None else (),
        error=diagnostic,
        code=code or (diagnostic.code if diagnostic else "invalid"),
    )
