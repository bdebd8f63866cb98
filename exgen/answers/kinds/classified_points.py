"""``classified_points``: a set of points, each with its type: ``x = -1: minimum, x = 2: maximum``.

One answer lists every point and says what it is, so no later question has to name the points
(which would give the earlier answer away). Accepted forms, in any order and with any of the
label words of the catalog (``min``, ``local maximum``, ``saddle point``, …)::

    x = -1: minimum, x = 0: neither, x = 2: maximum
    -1 min, 0 neither, 2 max
    (1, 1) min; (0, 0) saddle
    x = 1, y = 1: min, x = 0, y = 0: saddle
    minimum at x = -1, maximum at x = 2

and ``none`` for no points. Each expected point is worth one share, half for finding the point
and half for its type; points that are not solutions cost like missing ones (the score is
divided by the larger of the expected and the given count). The message says how many points
were found, which were wrong and where the type is wrong.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from exgen.answers import nodes as n
from exgen.answers.comparison import PROVED, weakest
from exgen.answers.diagnostics import Refusal, echo
from exgen.answers.kinds import _values
from exgen.answers.kinds.base import AnswerKind, CheckOptions, Preview, answer_kind, expected_tree, read_answer
from exgen.answers.kinds.label import display_label, label_synonyms, normalize_label
from exgen.answers.kinds.number import PreparedNumber, compare_numbers, has_decimals, prepare_number
from exgen.answers.kinds.points import (
    _NotPoints,
    coordinates_as_point,
    is_empty_answer,
    point_description,
    point_tree,
    same_point,
    split_points,
)
from exgen.answers.limits import DEFAULT_LIMITS, Deadline
from exgen.answers.printer import to_text
from exgen.answers.reader import Reading
from exgen.answers.verdict import Verdict
from exgen.errors import ExpectedAnswerError
from exgen.i18n import current_locale, lookup, t

MAX_ENTRIES = 100  # points in one answer
POINT_SHARE = 0.5  # of each point's credit: for finding it; the rest is for its type
DEFAULT_CHOICES = ("minimum", "maximum", "saddle", "neither")
# Symbols between a point and its type ("x = 2: max", "(0, 0) - saddle", "x = 0 (neither)");
# words ("is a") come from the catalog, so a translation brings its own.
_SYMBOLS_BEFORE_LABEL = (":", "-", "–", "—", "=", "→", "->", "=>", "(")
_SYMBOLS_AFTER_LABEL = (":", "-", "–", "—", "=", "→", "->", "=>", ")")
_SEPARATORS = (",", ";", ".", ")", "&")


def _exact_points(rows: Any) -> dict[tuple[Any, ...], str] | None:
    """Points with rational coordinates (no decimals) → their first label; None otherwise."""
    points: dict[tuple[Any, ...], str] = {}
    for point, label in rows:
        values = tuple(n.rational_value(c) for c in point)
        if any(v is None for v in values) or any(has_decimals(c) for c in point):
            return None
        points.setdefault(values, label)
    return points


@dataclass(frozen=True, slots=True)
class Entry:
    """One point of an answer with its type (canonical label), and where it was typed."""

    point: tuple[n.Node, ...]
    label: str
    position: int
    label_position: int


@dataclass(frozen=True, slots=True)
class PreparedClassified:
    rows: tuple[tuple[tuple[PreparedNumber, ...], str], ...]
    dimension: int
    variables: tuple[str, ...]
    choices: tuple[str, ...]
    options: CheckOptions

    @property
    def display(self) -> str:
        return ", ".join(f"{_point_text([c.tree for c in p], self.variables)}: {display_label(label)}" for p, label in self.rows) or "none"


def _point_text(coords: Sequence[n.Node], variables: Sequence[str]) -> str:
    if len(coords) == 1:
        name = variables[0] if len(variables) == 1 else "x"
        return f"{name} = {to_text(coords[0])}"
    return "(" + ", ".join(to_text(c) for c in coords) + ")"


@lru_cache(maxsize=8)
def _label_pattern(locale_words: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    """Every label spelling as a whole word, longest first; ``min(`` is a function, not a label."""
    spellings = sorted({word for word, _ in locale_words}, key=len, reverse=True)
    alternatives = [r"[\s_-]+".join(re.escape(part) for part in word.split()) for word in spellings if word]
    return re.compile(r"(?<![\w])(" + "|".join(alternatives) + r")(?![\w(])", re.IGNORECASE)


def _labels() -> tuple[re.Pattern[str], dict[str, str]]:
    synonyms = label_synonyms()
    return _label_pattern(tuple(sorted(synonyms.items()))), synonyms


def _trim(segment: str, symbols: Sequence[str], words: tuple[str, ...], at_end: bool) -> str:
    """Remove symbols and whole words from one end of a point's text, as often as they occur."""
    text = segment.strip()
    patterns = _word_patterns(words, at_end)
    changed = True
    while changed and text:
        changed = False
        for symbol in symbols:
            if at_end and text.endswith(symbol):
                text, changed = text[: -len(symbol)].rstrip(), True
            elif not at_end and text.startswith(symbol):
                text, changed = text[len(symbol):].lstrip(), True
        for word, pattern in patterns:
            if text.casefold() == word.casefold() or pattern.search(text):
                text, changed = (text[: len(text) - len(word)].rstrip() if at_end else text[len(word):].lstrip()), True
    return text


@lru_cache(maxsize=64)
def _word_patterns(words: tuple[str, ...], at_end: bool) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each word at the end (after a space) or at the start (before one) of a point's text."""
    return tuple((word, re.compile(rf"\s{re.escape(word)}$" if at_end else rf"^{re.escape(word)}\s", re.IGNORECASE))
                 for word in words)


def _before_label(segment: str, words: Sequence[str]) -> str:
    """A point's text with what joins it to the type after it removed ("x = 2 is a" max)."""
    return _trim(segment, _SYMBOLS_BEFORE_LABEL, words, at_end=True)


def _after_label(segment: str, words: Sequence[str]) -> str:
    """A point's text with what joins it to the type before it removed (max "at x = 2")."""
    return _trim(segment, (*_SEPARATORS, *_SYMBOLS_AFTER_LABEL), words, at_end=False)


def _lead(segment: str, words: Sequence[str]) -> str:
    """Without what separates an entry from the one before it (``,``, ``;``, ``and``)."""
    return _trim(segment, _SEPARATORS, words, at_end=False)


def _tail(segment: str, words: Sequence[str]) -> str:
    """Without what separates an entry from the one after it."""
    return _trim(segment, tuple(s for s in _SEPARATORS if s != ")"), words, at_end=True)


def split_entries(text: str) -> list[tuple[str, int, str, int]]:
    """(point text, its position, canonical label, label position) for each entry, or raise."""
    # keyed by what the labels' spellings come from: the locale and an instructor's catalogs
    return list(_split_entries(text, current_locale(), os.environ.get("EXGEN_LOCALE_PATH", "")))


@lru_cache(maxsize=1024)  # one answer is split for the key, each mistake model and its page
def _split_entries(text: str, locale: str, catalogs: str) -> tuple[tuple[str, int, str, int], ...]:
    pattern, synonyms = _labels()
    matches = list(pattern.finditer(text))
    if not matches:
        raise Refusal("classified_no_label", 0)
    before_words = tuple(lookup("classified.before_label", []))
    after_words = tuple(lookup("classified.after_label", []))
    joining = tuple(lookup("classified.joining", []))
    entries: list[tuple[str, int, str, int]] = []
    label_first = not _before_label(_lead(text[: matches[0].start()], joining), before_words)
    for index, match in enumerate(matches):
        label = synonyms[normalize_label(match.group(1))]
        if label_first:
            end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
            raw = text[match.end() : end]
            point = _tail(_after_label(raw, after_words), joining)
            position = match.end() + (len(raw) - len(raw.lstrip()))
        else:
            start = matches[index - 1].end() if index else 0
            raw = text[start : match.start()]
            point = _before_label(_lead(raw, joining), before_words)
            position = start + raw.find(point[:1]) if point else match.start()
        if not point:
            raise Refusal("classified_label_without_point", match.start(), label=echo(match.group(1)))
        entries.append((point, position, label, match.start()))
    if not label_first:
        rest = _tail(_lead(text[matches[-1].end():], joining), joining)
        rest = _after_label(rest, after_words)
        if rest:
            tail = text[matches[-1].end():]
            found = tail.find(rest.strip()[:1])
            raise Refusal("classified_point_without_label", matches[-1].end() + max(0, found), len(rest.strip()), point=echo(rest.strip()))
    return tuple(entries)


@answer_kind("classified_points", synonyms=("classified", "typed_points"), space="box", lines=3, help_order=35)
class ClassifiedPointsKind(AnswerKind):
    # -- grading ------------------------------------------------------------------------------

    def prepare(self, expected: Any, options: CheckOptions) -> PreparedClassified:
        variables = tuple(options.variables or ())
        choices = self._choices(options)
        if isinstance(expected, str):
            if is_empty_answer(expected):
                rows_raw: list[tuple[tuple[Any, ...], str]] = []
            else:
                try:
                    entries = self._read(expected, variables, options, trusted=True)
                except Refusal as problem:
                    raise ExpectedAnswerError(f"the expected classified points could not be read ({problem.code})") from None
                rows_raw = [(e.point, e.label) for e in entries]
        else:
            rows_raw = [(tuple(point) if isinstance(point, (list, tuple)) else (point,), str(label)) for point, label in expected]
        synonyms = label_synonyms()
        number_options = replace(options, choices=None)
        rows = []
        for point, label in rows_raw:
            canonical = synonyms.get(normalize_label(label))
            if canonical is None:
                raise ExpectedAnswerError(f"unknown label {label!r}")
            if canonical not in choices:
                choices = (*choices, canonical)
            rows.append((tuple(prepare_number(c, number_options) for c in point), canonical))
        dimensions = {len(p) for p, _ in rows}
        if len(dimensions) > 1:
            raise ExpectedAnswerError("all expected points need the same number of coordinates")
        dimension = dimensions.pop() if dimensions else max(1, len(variables))
        return PreparedClassified(tuple(rows), dimension, variables, choices, options)

    @staticmethod
    def _choices(options: CheckOptions) -> tuple[str, ...]:
        synonyms = label_synonyms()
        return tuple(synonyms.get(normalize_label(c), c) for c in (options.choices or DEFAULT_CHOICES))

    def _read(self, text: str, variables: tuple[str, ...], options: CheckOptions, trusted: bool = False, dimension: int | None = None) -> list[Entry]:
        entries = []
        for point_text, position, label, label_position in split_entries(text):
            reading = read_answer(point_text, variables, frozenset(), options) if not trusted else None
            if trusted:
                tree = expected_tree(point_text, CheckOptions(variables=variables or None, limits=options.limits))
            else:
                assert reading is not None
                if not reading.ok:
                    assert reading.error is not None
                    error = reading.error
                    raise Refusal("classified_bad_point", position + (error.position or 0), point=echo(point_text), detail=error.message)
                assert reading.tree is not None
                tree = reading.tree
            size = dimension or (max(1, len(variables)) if variables else (len(tree.items) if isinstance(tree, n.Tuple) else 1))
            grouped = coordinates_as_point(tree, size, variables) if size > 1 else None
            try:
                points = split_points(grouped or tree, size, variables if not trusted else ())
            except _NotPoints as problem:
                raise Refusal("classified_bad_point", position, point=echo(point_text), detail=t(f"answer.error.{problem.code}", **problem.params)) from None
            if len(points) != 1:
                raise Refusal("classified_one_point_each", position, point=echo(point_text))
            entries.append(Entry(points[0], label, position, label_position))
        return entries

    def preview(self, text: str, options: CheckOptions) -> Preview:
        """Each point read as the grader reads it, with its label; a refusal names the entry."""
        if len(text) > options.limits.max_length or not text.strip():
            return super().preview(text, options)
        data = self.reading_data(text, options.variables or ())
        if is_empty_answer(text) or text.strip() == "none":
            return Preview(data)
        variables = tuple(options.variables or ())
        try:
            entries = self._read(text, variables, options, dimension=max(1, len(variables)) if variables else None)
        except Refusal as problem:
            found = problem.to_diagnostic()
            return Preview(None, found.message, found.position, found.length, (), found.code)
        choices = self._choices(options)
        for entry in entries:
            if entry.label not in choices:
                found = Refusal("classified_label_not_allowed", entry.label_position, label=display_label(entry.label),
                                choices=", ".join(display_label(c) for c in choices)).to_diagnostic()
                return Preview(None, found.message, found.position, found.length, (), found.code)
        return Preview(data) if data is not None else super().preview(text, options)

    def rules_out(self, prepared: PreparedClassified, answer: str) -> bool:
        """Certainly not the prepared list: fewer points than it has (the grader then cannot find
        them all), or, where every coordinate on both sides is a rational without decimals
        (compared exactly, as the grader does), other points or other labels (a repeated point
        counts with its first label, as the grader counts it)."""
        if len(answer) > prepared.options.limits.max_length:
            return False
        if is_empty_answer(answer):
            entries: list[Entry] = []
        else:
            try:
                entries = self._read(answer, prepared.variables, prepared.options, dimension=prepared.dimension)
            except Refusal:
                return False  # the full check explains the refusal
        if len(entries) > MAX_ENTRIES or any(entry.label not in prepared.choices for entry in entries):
            return False
        if len(entries) < len(prepared.rows):
            return True
        given = _exact_points((entry.point, entry.label) for entry in entries)
        expected = _exact_points((tuple(number.tree for number in point), label) for point, label in prepared.rows)
        return given is not None and expected is not None and given != expected

    def grade(self, prepared: PreparedClassified, answer: str, deadline: Deadline) -> Verdict:
        limits = prepared.options.limits
        if len(answer) > limits.max_length:
            return self._invalid(answer, "too_long", None, limit=limits.max_length, size=len(answer))
        if is_empty_answer(answer):
            entries: list[Entry] = []
        else:
            try:
                entries = self._read(answer, prepared.variables, prepared.options, dimension=prepared.dimension)
            except Refusal as problem:
                return self._refused(problem)
            if len(entries) > MAX_ENTRIES:
                return self._invalid(answer, "too_many_parts", None, limit=MAX_ENTRIES)
        for entry in entries:
            if entry.label not in prepared.choices:
                choices = ", ".join(display_label(c) for c in prepared.choices)
                return self._invalid(answer, "classified_label_not_allowed", entry.label_position, label=display_label(entry.label), choices=choices)
        return self._match(prepared, entries, answer, deadline)

    def _invalid(self, answer: str, code: str, position: int | None, **params: Any) -> Verdict:
        diagnostic = Refusal(code, position, **params).to_diagnostic()
        return Verdict("invalid", 0.0, diagnostic.message, None, t("answer.evidence.parse_error"), (), error=diagnostic, code=code)

    def _refused(self, problem: Refusal) -> Verdict:
        return self._invalid("", problem.code, problem.position, **problem.params)

    def _match(self, prepared: PreparedClassified, entries: list[Entry], answer: str, deadline: Deadline) -> Verdict:
        warnings: list[str] = []
        distinct: list[Entry] = []
        for entry in entries:
            if any(self._same(entry.point, other.point, deadline) for other in distinct):
                warnings.append(t("answer.warning.duplicate_points", point=echo(_point_text(entry.point, prepared.variables))))
                continue
            distinct.append(entry)
        unmatched = list(range(len(prepared.rows)))
        found = classified = 0
        extra: list[str] = []
        misclassified: list[str] = []
        strengths: list[str] = []
        for entry in distinct:
            reading = Reading(answer, None)
            for index in unmatched:
                expected_point, expected_label = prepared.rows[index]
                verdicts = [compare_numbers(e, c, reading, deadline) for e, c in zip(expected_point, entry.point)]
                if all(v.correct for v in verdicts):
                    strengths += [v.strength for v in verdicts]
                    unmatched.remove(index)
                    found += 1
                    if entry.label == expected_label:
                        classified += 1
                    else:
                        misclassified.append(_point_text(entry.point, prepared.variables))
                    break
            else:
                extra.append(_point_text(entry.point, prepared.variables))
        total = max(len(prepared.rows), len(distinct))
        earned = found * POINT_SHARE + classified * (1 - POINT_SHARE)
        score = 1.0 if total == 0 else earned / total
        interpreted = ", ".join(f"{_point_text(e.point, prepared.variables)}: {display_label(e.label)}" for e in entries) or "none"
        evidence = t("answer.evidence.classified", found=found, classified=classified, missing=len(unmatched), extra=len(extra))
        details = {"found": found, "classified": classified, "missing": len(unmatched), "extra": extra, "misclassified": misclassified}
        if found == classified == len(prepared.rows) and not extra:
            return Verdict("correct", 1.0, t("answer.verdict.correct"), interpreted, evidence, tuple(warnings), code="correct",
                           strength=weakest(strengths) or PROVED, details=details)
        message = [t("answer.verdict.classified_summary", found=found, expected=len(prepared.rows), classified=classified)]
        if unmatched:
            message.append(t("answer.verdict.points_missing", count=len(unmatched)))
        if extra:
            message.append(t("answer.verdict.points_extra", points=echo("; ".join(extra))))
        if misclassified:
            message.append(t("answer.verdict.classified_wrong_type", points=echo("; ".join(misclassified))))
        return Verdict("incorrect", score, " ".join(message), interpreted, evidence, tuple(warnings),
                       code="partial" if earned else "different", details=details, strength=PROVED)

    def _same(self, a: tuple[n.Node, ...], b: tuple[n.Node, ...], deadline: Deadline) -> bool:
        from exgen.answers.equivalence import compare_expressions

        return len(a) == len(b) and all(compare_expressions(x, y, (), deadline).equivalent for x, y in zip(a, b))

    # -- keys of generated parts: ((point, label), …) with points as tuples of sympy numbers ----

    def expected_for_check(self, value: Any) -> Any:
        return [(tuple(point), label) for point, label in value]

    def typed(self, value: Any) -> str:
        return self._typed(value)

    @staticmethod
    def _typed(value: Any, style: str = "colon", variables: Sequence[str] = ("x",)) -> str:
        if not value:
            return "none"
        items = []
        for point, label in value:
            if len(point) == 1:
                where = f"{variables[0] if len(variables) == 1 else 'x'} = {_values.calculator(point[0])}"
                bare = _values.calculator(point[0])
            else:
                where = "(" + ", ".join(_values.calculator(c) for c in point) + ")"
                bare = where
            if style == "colon":
                items.append(f"{where}: {label}")
            elif style == "label_first":
                items.append(f"{label} at {where}")
            else:
                items.append(f"{bare} {label}")
        return ("; " if style == "bare" and len(value[0][0]) > 1 else ", ").join(items)

    def rewritten_forms(self, value: Any, seed: int = 0) -> list[str]:
        rng = random.Random(seed)
        shuffled = list(value)
        rng.shuffle(shuffled)
        spelled = [(p, rng.choice([w for w, c in label_synonyms().items() if c == label] or [label])) for p, label in shuffled]
        return [self._typed(shuffled, "label_first"), self._typed(spelled, "bare"), self._typed(list(reversed(value)))]

    def same_value(self, a: Any, b: Any, variables: Sequence[str] = (), quick: bool = False) -> bool:
        if len(a) != len(b):
            return False
        unmatched = list(b)
        for point, label in a:
            for index, (other, other_label) in enumerate(unmatched):
                if same_point(point, other) and self._same_label(label, other_label):
                    del unmatched[index]
                    break
            else:
                return False
        return not unmatched

    @staticmethod
    def _same_label(a: str, b: str) -> bool:
        synonyms = label_synonyms()
        return synonyms.get(normalize_label(a)) == synonyms.get(normalize_label(b))

    def description(self, value: Any) -> str:
        return "[" + ", ".join(f"({point_description(point)}, '{label}')" for point, label in value) + "]"  # labels quoted: sympy reads them as strings

    def is_nice(self, value: Any, promise: str) -> bool:
        return all(_values.is_nice_number(c, promise) for point, _ in value for c in point)

    def display_data(self, value: Any, variables: Sequence[str] = ()) -> dict[str, Any]:
        if not value:
            return {"empty": True}
        rows = []
        for point, label in value:
            tree = point_tree(point)
            if len(point) == 1:
                tree = n.Eq(n.Sym(variables[0] if len(variables) == 1 else "x"), tree)
            rows.append({"tree": tree, "label": str(label)})
        return {"rows": rows}

    def read_value(self, text: str, variables: Sequence[str] = (), functions: Sequence[str] = ()) -> Any:
        """[(point as trees, canonical label), …] as the student typed them, or None."""
        if is_empty_answer(text):
            return []
        if len(text) > DEFAULT_LIMITS.max_length:
            return None
        options = CheckOptions(variables=tuple(variables) or None)
        try:
            entries = self._read(text, tuple(variables), options, dimension=max(1, len(variables)))
        except Refusal:
            return None
        return [(entry.point, entry.label) for entry in entries]

    def reading_data(self, text: str, variables: Sequence[str] = (), functions: Sequence[str] = ()) -> dict[str, Any] | None:
        if is_empty_answer(text) or text.strip() == "none":
            return {"empty": True}
        try:
            entries = split_entries(text[:2000])
        except Refusal:
            return None
        rows = []
        for point_text, _, label, _ in entries:
            data = super().reading_data(point_text, variables, functions)
            if data is None:
                return None
            rows.append({**data, "label": label})
        return {"rows": rows}
