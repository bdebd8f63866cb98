"""``points``: an unordered set of points, with partial credit.

Accepted forms: ``(0,0), (2,-4)``; braces around the list; for one variable ``-1, 0, 2`` or
``x = -1, x = 0, x = 2``; words such as ``none`` for the empty set. Each coordinate is compared
like a ``number`` answer. The score is (points right) / max(expected, given): missing and extra
points both cost, and the message says how many are missing and which given points are wrong.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from exgen.answers import nodes as n
from exgen.answers.comparison import PROVED, weakest
from exgen.answers.diagnostics import echo
from exgen.answers.kinds import _values
from exgen.answers.kinds.base import (
    AnswerKind,
    CheckOptions,
    answer_kind,
    expected_tree,
    invalid,
    read_answer,
    warnings_of,
)
from exgen.answers.kinds.number import PreparedNumber, compare_numbers, prepare_number
from exgen.answers.limits import Deadline
from exgen.answers.printer import to_text
from exgen.answers.reader import Reading
from exgen.answers.verdict import Verdict
from exgen.errors import ExpectedAnswerError
from exgen.i18n import lookup, t


@dataclass(frozen=True, slots=True)
class PreparedPoints:
    points: tuple[tuple[PreparedNumber, ...], ...]
    dimension: int
    variables: tuple[str, ...]
    options: CheckOptions

    @property
    def display(self) -> str:
        return ", ".join(_point_text([c.tree for c in p]) for p in self.points) or "none"


def _point_text(coords: list[n.Node] | tuple[n.Node, ...]) -> str:
    if len(coords) == 1:
        return to_text(coords[0])
    return "(" + ", ".join(to_text(c) for c in coords) + ")"


# -- keys of generated parts: tuples of points, each a tuple of sympy numbers --------------


def typed_points(value: Any) -> str:
    if not value:
        return "none"
    return ", ".join("(" + ", ".join(_values.calculator(c) for c in point) + ")" if len(point) > 1 else _values.calculator(point[0]) for point in value)


def point_description(point: Any) -> str:
    return "(" + ", ".join(_values.sympy_text(c) for c in point) + ("," if len(point) == 1 else "") + ")"


def point_tree(point: Any) -> n.Node:
    return n.Tuple(tuple(_values.tree(c) for c in point)) if len(point) > 1 else _values.tree(point[0])


def points_tree(value: Any) -> n.Node:
    trees = [point_tree(p) for p in value]
    return n.Seq(tuple(trees)) if len(trees) > 1 else trees[0]


def same_point(a: Any, b: Any) -> bool:
    return len(a) == len(b) and all(_values.same_expression(x, y) for x, y in zip(a, b))


def same_point_sets(a: Any, b: Any) -> bool:
    """Equal as sets of points (order does not matter)."""
    if len(a) != len(b):
        return False
    unmatched = list(b)
    for point in a:
        for index, other in enumerate(unmatched):
            if same_point(point, other):
                del unmatched[index]
                break
        else:
            return False
    return not unmatched


def is_empty_answer(text: str) -> bool:
    words = " ".join(text.strip().lower().replace(".", " ").split())
    return words in set(lookup("points.empty", []))


class _NotPoints(Exception):
    def __init__(self, code: str, **params: str) -> None:
        self.code = code
        self.params = params


def coordinates_as_point(tree: n.Node, dimension: int, variables: tuple[str, ...]) -> n.Node | None:
    """``x = 5, y = 5`` names each coordinate of one point: the point (5, 5); and
    ``x = 0, y = 0, x = 2, y = -4`` names two points, one coordinate at a time."""
    if dimension < 2 or len(variables) != dimension or not isinstance(tree, n.Seq) or len(tree.items) % dimension:
        return None
    points: list[n.Node] = []
    for start in range(0, len(tree.items), dimension):
        values: dict[str, n.Node] = {}
        for item in tree.items[start : start + dimension]:
            if not (isinstance(item, n.Eq) and isinstance(item.lhs, n.Sym) and item.lhs.name in variables):
                return None
            values[item.lhs.name] = item.rhs
        if len(values) != dimension:
            return None
        points.append(n.Tuple(tuple(values[name] for name in variables)))
    return points[0] if len(points) == 1 else n.Seq(tuple(points))


def split_points(tree: n.Node, dimension: int, variables: tuple[str, ...]) -> list[tuple[n.Node, ...]]:
    """Turn a read answer into a list of coordinate tuples, or raise _NotPoints."""
    if isinstance(tree, n.Seq):
        items = list(tree.items)
    elif isinstance(tree, n.Tuple):
        if dimension == 1 or all(isinstance(i, (n.Tuple, n.Eq)) for i in tree.items):
            items = list(tree.items)  # braces or brackets around the whole list
        else:
            items = [tree]
    else:
        items = [tree]
    points = []
    for item in items:
        if isinstance(item, n.Eq):
            lhs, item = item.lhs, item.rhs
            names = lhs.items if isinstance(lhs, n.Tuple) else (lhs,)
            for name in names:
                if not isinstance(name, n.Sym) or (variables and name.name not in variables):
                    raise _NotPoints("equation_point_variable", name=echo(to_text(name)))
        coords = item.items if isinstance(item, n.Tuple) else (item,)
        if len(coords) != dimension:
            raise _NotPoints("wrong_dimension", expected=str(dimension), point=echo(_point_text(coords)), count=str(len(coords)))
        for coord in coords:
            if isinstance(coord, n.CONTAINERS) or not n.is_constant(coord):
                raise _NotPoints("point_not_number", point=echo(_point_text(coords)))
        points.append(tuple(coords))
    return points


def _expected_dimension(tree: n.Node, options: CheckOptions) -> int:
    """Coordinates per point in an expected list such as ``(0,0), (2,-4)`` or ``-1, 2``."""
    if isinstance(tree, n.Seq):
        first = tree.items[0]
        return len(first.items) if isinstance(first, n.Tuple) else 1
    if isinstance(tree, n.Tuple):
        if all(isinstance(i, n.Tuple) for i in tree.items):
            return len(tree.items[0].items)  # type: ignore[attr-defined]
        # "(1, 2)": one point in the plane, unless the problem has a single variable.
        return 1 if options.variables is not None and len(options.variables) == 1 else len(tree.items)
    return 1


@answer_kind("points", synonyms=("point", "set"), space="box", lines=2, help_order=30)
class PointsKind(AnswerKind):
    def expected_for_check(self, value: Any) -> Any:
        return list(value)

    def typed(self, value: Any) -> str:
        return typed_points(value)

    def rewritten_forms(self, value: Any, seed: int = 0) -> list[str]:
        rng = random.Random(seed)
        shuffled = list(value)
        rng.shuffle(shuffled)
        forms = [typed_points(shuffled), typed_points(list(reversed(value)))]
        if value and len(value[0]) == 1:
            forms.append(", ".join(f"x = {_values.calculator(p[0])}" for p in value))
        else:
            forms.append("{" + typed_points(value) + "}")
        return forms

    def same_value(self, a: Any, b: Any, variables: Sequence[str] = (), quick: bool = False) -> bool:
        return same_point_sets(a, b)

    def description(self, value: Any) -> str:
        return "[" + ", ".join(point_description(p) for p in value) + "]"

    def is_nice(self, value: Any, promise: str) -> bool:
        return all(_values.is_nice_number(c, promise) for point in value for c in point)

    def display_data(self, value: Any, variables: Sequence[str] = ()) -> dict[str, Any]:
        if not value:
            return {"empty": True}
        return {"tree": points_tree(value)}

    def reading_data(self, text: str, variables: Sequence[str] = (), functions: Sequence[str] = ()) -> dict[str, Any] | None:
        if text.strip() == "none" or is_empty_answer(text):
            return {"empty": True}
        return super().reading_data(text, variables, functions)

    def prepare(self, expected: Any, options: CheckOptions) -> PreparedPoints:
        if isinstance(expected, str) and is_empty_answer(expected):
            raw: list[tuple[Any, ...]] = []
        elif isinstance(expected, (str, n.Node)):
            tree = expected_tree(expected, options)
            try:
                raw = split_points(tree, _expected_dimension(tree, options), ())
            except _NotPoints as problem:
                raise ExpectedAnswerError(f"the expected points could not be read ({problem.code})") from None
        else:
            raw = [tuple(p) if isinstance(p, (list, tuple)) else (p,) for p in expected]
        dimensions = {len(p) for p in raw}
        if len(dimensions) > 1:
            raise ExpectedAnswerError("all expected points need the same number of coordinates")
        dimension = dimensions.pop() if dimensions else max(1, len(options.variables or ()) or 1)
        number_options = replace(options, choices=None)
        points = tuple(tuple(prepare_number(c, number_options) for c in p) for p in raw)
        return PreparedPoints(points, dimension, tuple(options.variables or ()), options)

    def grade(self, prepared: PreparedPoints, answer: str, deadline: Deadline) -> Verdict:
        note = None
        if is_empty_answer(answer):
            given: list[tuple[n.Node, ...]] = []
            reading = Reading(answer, None)
        else:
            reading = read_answer(answer, prepared.variables, frozenset(), prepared.options)
            if not reading.ok:
                return invalid(reading)
            assert reading.tree is not None
            tree = reading.tree
            point = coordinates_as_point(tree, prepared.dimension, prepared.variables)
            if point is not None:
                note = t("answer.warning.coordinates_as_point", typed=echo(to_text(tree)), point=echo(to_text(point)))
                tree = point
            try:
                given = split_points(tree, prepared.dimension, prepared.variables)
            except _NotPoints as problem:
                return invalid(reading, message=t(f"answer.error.{problem.code}", **problem.params), code=problem.code)
        return self._match(prepared, given, reading, deadline, note)

    def _match(
        self, prepared: PreparedPoints, given: list[tuple[n.Node, ...]], reading: Reading, deadline: Deadline, note: str | None = None
    ) -> Verdict:
        warnings = list(warnings_of(reading)) + ([note] if note else [])
        unmatched = list(range(len(prepared.points)))
        distinct: list[tuple[n.Node, ...]] = []
        wrong: list[str] = []
        strengths: list[str] = []
        right = 0
        for point in given:
            if any(self._same(point, other, deadline) for other in distinct):
                warnings.append(t("answer.warning.duplicate_points", point=echo(_point_text(point))))
                continue
            distinct.append(point)
            for index in unmatched:
                verdicts = [compare_numbers(expected, coord, reading, deadline) for expected, coord in zip(prepared.points[index], point)]
                if all(v.correct for v in verdicts):
                    strengths += [v.strength for v in verdicts]
                    unmatched.remove(index)
                    right += 1
                    break
            else:
                wrong.append(_point_text(point))
        total = max(len(prepared.points), len(distinct))
        score = 1.0 if total == 0 else right / total
        interpreted = ", ".join(_point_text(p) for p in given) if given else "none"
        evidence = t("answer.evidence.points", right=right, missing=len(unmatched), extra=len(wrong))
        if right == len(prepared.points) and not wrong:
            return Verdict(
                "correct", 1.0, t("answer.verdict.correct"), interpreted, evidence, tuple(warnings), code="correct",
                strength=weakest(strengths) or PROVED,
            )
        parts = [t("answer.verdict.points_summary", right=right, expected=len(prepared.points))]
        if unmatched:
            parts.append(t("answer.verdict.points_missing", count=len(unmatched)))
        if wrong:
            parts.append(t("answer.verdict.points_extra", points=echo("; ".join(wrong))))
        details = {"right": right, "missing": len(unmatched), "extra": wrong}
        return Verdict("incorrect", score, " ".join(parts), interpreted, evidence, tuple(warnings), code="partial" if right else "different", details=details)

    def _same(self, a: tuple[n.Node, ...], b: tuple[n.Node, ...], deadline: Deadline) -> bool:
        from exgen.answers.equivalence import compare_expressions

        return all(compare_expressions(x, y, (), deadline).equivalent for x, y in zip(a, b))
