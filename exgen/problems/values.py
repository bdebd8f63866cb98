"""Answer values of generated parts, compared and typed through the answer engine.

Keys, mistake models and re-derived answers are sympy values; they are compared here by the
same engine that grades students (converted to trees, never to text and back), so "the key is
right" and "the student is right" mean the same thing.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import sympy

from exgen.answers import nodes as n
from exgen.answers.equivalence import compare_equations, compare_expressions
from exgen.answers.kinds.label import label_synonyms, normalize_label
from exgen.answers.limits import Deadline
from exgen.answers.printer import to_text
from exgen.answers.sympy_bridge import from_sympy
from exgen.problems.model import Part

COMPARE_SECONDS = 5.0


def tree(value: Any) -> n.Node:
    return from_sympy(sympy.sympify(value))


def same_value(kind: str, a: Any, b: Any, variables: Sequence[str] = ()) -> bool:
    """Are two answer values of ``kind`` equal (as the engine decides for students)?"""
    deadline = Deadline(COMPARE_SECONDS)
    names = tuple(variables)
    if kind == "label":
        synonyms = label_synonyms()
        return synonyms.get(normalize_label(str(a))) == synonyms.get(normalize_label(str(b)))
    if kind in ("expression", "number"):
        return compare_expressions(tree(a), tree(b), names, deadline).equivalent
    if kind == "vector":
        return len(a) == len(b) and all(
            compare_expressions(tree(x), tree(y), names, deadline).equivalent for x, y in zip(a, b)
        )
    if kind == "points":
        if len(a) != len(b):
            return False
        unmatched = list(b)
        for point in a:
            for index, other in enumerate(unmatched):
                if len(point) == len(other) and all(
                    compare_expressions(tree(x), tree(y), (), deadline).equivalent for x, y in zip(point, other)
                ):
                    del unmatched[index]
                    break
            else:
                return False
        return not unmatched
    if kind == "equation":
        ea, eb = tree(a), tree(b)
        assert isinstance(ea, n.Eq) and isinstance(eb, n.Eq)
        return compare_equations(ea, eb, names, deadline).equivalent
    raise ValueError(f"unknown kind {kind}")


def to_calculator(value: Any) -> str:
    """Calculator syntax for a sympy value (via exgen's own printer: fast, and it reads back)."""
    return to_text(tree(value), ordered=True)


def _factored(expr: sympy.Expr) -> sympy.Expr:
    """A factored form: full factorization for polynomials, common factors pulled out otherwise."""
    if expr.is_polynomial() and len(expr.free_symbols) <= 1:
        return sympy.factor(expr)
    return sympy.factor_terms(expr)


def typed(kind: str, value: Any) -> str:
    """What a student would type for ``value`` (calculator syntax)."""
    if kind == "label":
        return str(value)
    if kind == "points":
        if not value:
            return "none"
        return ", ".join("(" + ", ".join(to_calculator(c) for c in point) + ")" if len(point) > 1 else to_calculator(point[0]) for point in value)
    if kind == "vector":
        return "(" + ", ".join(to_calculator(c) for c in value) + ")"
    if kind == "equation":
        return f"{to_calculator(value.lhs)} = {to_calculator(value.rhs)}"
    return to_calculator(value)


MAX_TYPED_FORM = 1000  # a rewritten form longer than this is not something a student types


def rewritten_forms(kind: str, value: Any, seed: int = 0) -> list[str]:
    """Up to three equivalent ways a student might write ``value``: expanded, factored, reordered.

    Forms longer than a student would type by hand (an expansion can explode) are left out.
    """
    return [form for form in _rewritten_forms(kind, value, seed) if len(form) <= MAX_TYPED_FORM]


def _rewritten_forms(kind: str, value: Any, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    if kind in ("expression", "number"):
        expr = sympy.sympify(value)
        return [_typed_terms(sympy.expand(expr), rng), _typed_terms(_factored(expr), rng), _typed_terms(expr, rng, shuffle=True)]
    if kind == "vector":
        return [
            "(" + ", ".join(_typed_terms(sympy.expand(c), rng) for c in value) + ")",
            "<" + ", ".join(_typed_terms(_factored(sympy.sympify(c)), rng) for c in value) + ">",
            ", ".join(_typed_terms(c, rng, shuffle=True) for c in value),
        ]
    if kind == "points":
        shuffled = list(value)
        rng.shuffle(shuffled)
        forms = [typed("points", shuffled), typed("points", list(reversed(value)))]
        if value and len(value[0]) == 1:
            forms.append(", ".join(f"x = {to_calculator(p[0])}" for p in value))
        else:
            forms.append("{" + typed("points", value) + "}")
        return forms
    if kind == "equation":
        lhs, rhs = value.lhs, value.rhs
        return [
            f"{to_calculator(lhs)} = {_typed_terms(sympy.expand(rhs), rng, shuffle=True)}",
            f"{_typed_terms(sympy.expand(lhs - rhs), rng, shuffle=True)} = 0",
            f"{to_calculator(2 * rhs)} = {to_calculator(2 * lhs)}",
        ]
    if kind == "label":
        synonyms = [word for word, canonical in label_synonyms().items() if canonical == value]
        return (synonyms + [str(value)] * 3)[:3]
    raise ValueError(kind)


def _typed_terms(expr: sympy.Expr, rng: random.Random, shuffle: bool = False) -> str:
    terms = list(sympy.Add.make_args(expr))
    if shuffle:
        rng.shuffle(terms)
    if len(terms) == 1:
        return to_calculator(terms[0])
    return " + ".join(f"({to_calculator(t)})" for t in terms)


def effective_mistakes(part: Part) -> tuple[Any, ...]:
    """The part's mistake models minus any the engine would accept as the key."""
    return tuple(m for m in part.mistakes if not same_value(part.kind, part.answer, m.answer, part.variables))
