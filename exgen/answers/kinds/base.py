"""What every answer kind shares: options, the registry, and reading helpers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, lru_cache
from typing import Any, ClassVar, TypeVar

from exgen.answers import nodes as n
from exgen.answers.diagnostics import Diagnostic, Refusal
from exgen.answers.limits import DEFAULT_LIMITS, Deadline, Limits
from exgen.answers.reader import Reading, ReadOptions, read
from exgen.answers.verdict import Verdict
from exgen.errors import ExpectedAnswerError
from exgen.i18n import current_locale, t


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
    """One kind of answer, everything about it in one class (one module per kind).

    Grading: :meth:`prepare` reads the trusted expected answer, :meth:`grade` a student's text.
    Keys written by problem families (sympy values, see :mod:`exgen.problems.model`):
    :meth:`typed` is what a student would type, :meth:`rewritten_forms` other ways to type it,
    :meth:`same_value` compares two keys as the engine compares answers, :meth:`description`
    is a sympy-parsable string, :meth:`is_nice` checks a promise of integers or fractions, and
    :meth:`display_data` says how pages typeset the value. Worksheets use :attr:`answer_space`,
    :attr:`answer_lines` and the syntax help ``sheet.help.<name>`` of the catalog.
    """

    name: ClassVar[str] = ""
    synonyms: ClassVar[tuple[str, ...]] = ()  # other names accepted for --kind and in batches
    answer_space: ClassVar[str] = "box"  # on a worksheet: "line", "box" or "ticks" (tick boxes)
    answer_lines: ClassVar[int] = 3  # height of the box, in lines of handwriting
    help_order: ClassVar[int] = 50  # place of this kind's line in the sheet's syntax help

    @abstractmethod
    def prepare(self, expected: Any, options: CheckOptions) -> Any:
        """Read the (trusted) expected answer; raise ExpectedAnswerError if it is unusable."""

    @abstractmethod
    def grade(self, prepared: Any, answer: str, deadline: Deadline) -> Verdict:
        """Grade what the student typed; never raises for anything the student typed."""

    # -- keys of generated parts ------------------------------------------------------------

    def expected_for_check(self, value: Any) -> Any:
        """A generated key in the form :meth:`prepare` takes."""
        return value

    @abstractmethod
    def typed(self, value: Any) -> str:
        """What a student would type for the key ``value`` (calculator syntax; reads back)."""

    def rewritten_forms(self, value: Any, seed: int = 0) -> list[str]:
        """Other ways a student might type ``value`` (each must be graded correct)."""
        return []

    @abstractmethod
    def same_value(self, a: Any, b: Any, variables: Sequence[str] = (), quick: bool = False) -> bool:
        """Are two keys equal, as the engine decides for students? ``quick`` allows a cheap
        screen that tells most different values apart first (while generating)."""

    def description(self, value: Any) -> str:
        """The key as a sympy-parsable string (for re-derivation outside exgen)."""
        return self.typed(value)

    def is_nice(self, value: Any, promise: str) -> bool:
        """Does the key keep a promise of "integer" or "rational" values?"""
        return True

    @abstractmethod
    def display_data(self, value: Any, variables: Sequence[str] = ()) -> dict[str, Any]:
        """The key for typesetting: ``{"tree": node}``, ``{"label": …}``, ``{"empty": true}`` or
        ``{"rows": [{"tree": node, "label": …}, …]}`` (see exgen.rendering.text); made JSON by
        :func:`json_display`."""

    def read_value(self, text: str, variables: Sequence[str] = (), functions: Sequence[str] = ()) -> Any:
        """What a student typed as a value to build on (a tree; None when it cannot be read):
        error carried forward recomputes later answers from it."""
        reading = read(text, ReadOptions(variables=tuple(variables), functions=frozenset(functions)))
        return reading.tree if reading.ok else None

    def reading_data(self, text: str, variables: Sequence[str] = (), functions: Sequence[str] = ()) -> dict[str, Any] | None:
        """What a student typed (as the engine read it back) for typesetting, or None: display
        data as :meth:`display_data` gives it (trees as nodes, :func:`json_display` makes it JSON)."""
        reading = read(text, ReadOptions(variables=tuple(variables), functions=frozenset(functions) | {"sigma"}))
        if not reading.ok or reading.tree is None:
            return None
        return {"tree": reading.tree}

    def rules_out(self, prepared: Any, answer: str) -> bool:
        """True only when a quick look proves ``answer`` is not equivalent to the prepared
        expected answer (grading screens mistake models with it before checking them in
        full); False when unsure. Kinds without a quick look never rule out."""
        return False

    # -- previews: what a page shows under the answer field as the student types -------------

    def preview(self, text: str, options: CheckOptions) -> Preview:
        """How ``text`` is read: display data and the reader's warnings, or the refusal with
        its position. The same reader as :meth:`grade`; no comparison with the key."""
        if len(text) > options.limits.max_length:
            refusal = Refusal("too_long", None, limit=options.limits.max_length, size=len(text)).to_diagnostic()
            return Preview(None, refusal.message, None, 1, (), refusal.code)
        if not text.strip():
            return Preview(None, code="blank")
        functions = tuple(options.functions)
        data = self.reading_data(text, options.variables or (), functions)
        reading = read_answer(self.preview_text(text), options.variables or (), options.functions, options)
        if data is not None and (reading.ok or data.get("empty")):
            problem = self.refusal(text, options) if reading.ok else None
            if problem is None:
                return Preview(data, warnings=warnings_of(reading))
            return Preview(None, problem.message, problem.position, problem.length, warnings_of(reading), problem.code)
        problem = reading.error if not reading.ok else self.refusal(text, options)
        if problem is None:
            return Preview(None, t("answer.error.unreadable"), None, 1, (), "unreadable")
        return Preview(None, problem.message, problem.position, problem.length, warnings_of(reading), problem.code)

    def preview_text(self, text: str) -> str:
        """The text as the reader sees it (a kind may rewrite notation first, such as ⟨ ⟩)."""
        return text

    def refusal(self, text: str, options: CheckOptions) -> Diagnostic | None:
        """Why a text the reader reads is still not an answer of this kind (None: no reason known)."""
        return None


@dataclass(frozen=True)
class Preview:
    data: dict[str, Any] | None  # display data (see display_data) when the text was read
    message: str = ""  # the refusal, when it was not
    position: int | None = None
    length: int = 1
    warnings: tuple[str, ...] = ()
    code: str = ""

    @property
    def ok(self) -> bool:
        return self.data is not None


def json_display(data: dict[str, Any]) -> dict[str, Any]:
    """Display data with its trees as JSON (nodes.to_data), for key.json."""
    out = dict(data)
    if isinstance(out.get("tree"), n.Node):
        out["tree"] = n.to_data(out["tree"])
    if "rows" in out:
        out["rows"] = [json_display(row) for row in out["rows"]]
    return out


KINDS: dict[str, AnswerKind] = {}
K = TypeVar("K", bound=type[AnswerKind])


def answer_kind(
    name: str, *, synonyms: Sequence[str] = (), space: str = "box", lines: int = 3, help_order: int = 50
) -> Callable[[K], K]:
    """Register an answer kind under ``name``: the module exgen/answers/kinds/<name>.py.
    ``space`` and ``lines`` describe its answer space on worksheets, ``help_order`` the place
    of its line in a sheet's syntax help."""

    def register(cls: K) -> K:
        cls.name = name
        cls.synonyms = tuple(synonyms)
        cls.answer_space, cls.answer_lines, cls.help_order = space, lines, help_order
        KINDS[name] = cls()
        return cls

    return register


@cache
def load_kinds() -> dict[str, AnswerKind]:
    """Import every module of exgen.answers.kinds (each registers its kind), once."""
    import importlib
    import pkgutil

    from exgen.answers import kinds

    for module in sorted(pkgutil.iter_modules(kinds.__path__), key=lambda m: m.name):
        if module.name != "base" and not module.name.startswith("_"):
            importlib.import_module(f"{kinds.__name__}.{module.name}")
    return KINDS


def kind_names() -> tuple[str, ...]:
    """The kinds' names without importing them (module names), for ``--help``."""
    import pkgutil

    from exgen.answers import kinds

    return tuple(sorted(m.name for m in pkgutil.iter_modules(kinds.__path__) if m.name != "base" and not m.name.startswith("_")))


def resolve_kind(name: str) -> str:
    """A kind's name from its name or one of its synonyms (``expr``, ``gradient``, …)."""
    wanted = name.strip().lower()
    if wanted in KINDS:
        return wanted
    for kind in load_kinds().values():
        if wanted == kind.name or wanted in kind.synonyms:
            return kind.name
    return wanted


def get_kind(name: str) -> AnswerKind:
    try:
        return load_kinds()[resolve_kind(name)]
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
        return n.signed(Fraction(expected))
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
    """A student's text as the reader reads it. Grading compares one answer with the key and
    each mistake model: they share this reading (readings are immutable; the locale is part of
    the key because diagnostics are worded in it)."""
    return _read_answer(answer, tuple(variables), frozenset(functions), options.limits, current_locale())


@lru_cache(maxsize=256)
def _read_answer(answer: str, variables: tuple[str, ...], functions: frozenset[str], limits: Limits, locale: str) -> Reading:
    return read(answer, ReadOptions(variables=variables, functions=functions, limits=limits))


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
