"""Helpers for the keys of generated parts (sympy values), shared by the kinds.

sympy is imported on first use: grading typed answers never needs it.
"""

from __future__ import annotations

import random
from functools import lru_cache
from typing import Any

from exgen.answers import nodes as n
from exgen.answers.limits import Deadline

COMPARE_SECONDS = 5.0  # comparing two keys (trusted values) may take longer than a student check
MAX_TYPED_FORM = 1000  # a rewritten form longer than this is not something a student types


def tree(value: Any) -> n.Node:
    """A sympy value (or number, or tree) as an expression tree."""
    if isinstance(value, n.Node):
        return value
    import sympy

    from exgen.answers.sympy_bridge import from_sympy

    return from_sympy(value if isinstance(value, sympy.Basic) else sympy.sympify(value))


def calculator(value: Any) -> str:
    """Calculator syntax for a sympy value (exgen's own printer: fast, and it reads back)."""
    from exgen.answers.printer import to_text

    return to_text(tree(value), ordered=True)


def sympy_text(value: Any) -> str:
    """A sympy-parsable string (σ written with exp)."""
    from exgen.answers.printer import to_sympy_text

    return to_sympy_text(tree(value))


SCREEN_POINTS = (0.5371, -1.2913, 2.4177, -0.3359, 1.7723)


def _screen_value(name: str, index: int) -> float:
    """The value a variable takes at screening point ``index``: fixed by its name, so values of
    different expressions are comparable (deterministic: no hash of the name)."""
    shift = sum(map(ord, name)) % len(SCREEN_POINTS)
    return SCREEN_POINTS[(index + shift) % len(SCREEN_POINTS)] * (1 + shift / 7)


@lru_cache(maxsize=8192)
def screen_values(node: n.Node) -> tuple[Any, ...]:
    """The expression at the screening points, as balls (None where it is not real)."""
    from flint import arb

    from exgen.answers.numeric import Status, compile_tree, evaluate, precision

    names = tuple(sorted(n.free_symbols(node)))
    try:
        evaluator = compile_tree(node, names)
    except (TypeError, ValueError):
        return ()
    values = []
    with precision(64):
        for index in range(len(SCREEN_POINTS)):
            result = evaluate(evaluator, [arb(_screen_value(name, index)) for name in names])
            values.append(result.real if result.status is Status.REAL else None)
    return tuple(values)


def certainly_different(a: n.Node, b: n.Node) -> bool:
    """A cheap screen: two expressions whose values at a few points are disjoint balls (in
    certified arithmetic) are different; anything else needs the full comparison."""
    for x, y in zip(screen_values(a), screen_values(b)):
        if x is not None and y is not None and not x.overlaps(y):
            return True
    return False


def _rational_pair(a: Any, b: Any) -> tuple[Any, Any] | None:
    from fractions import Fraction

    def exact(value: Any) -> Fraction | None:
        if isinstance(value, int):
            return Fraction(value)
        if getattr(value, "is_Rational", False):
            return Fraction(int(value.p), int(value.q))
        return None

    first, second = exact(a), exact(b)
    return (first, second) if first is not None and second is not None else None


def same_expression(a: Any, b: Any, variables: tuple[str, ...] = (), quick: bool = False) -> bool:
    """Equal as the engine decides for students. ``quick``: first a cheap screen that can only
    tell values apart (used while generating, where most slips differ from the key at once)."""
    from exgen.answers.equivalence import compare_expressions

    rational = _rational_pair(a, b)
    if rational is not None:
        return rational[0] == rational[1]  # two exact numbers: nothing to sample
    first, second = tree(a), tree(b)
    if first == second:
        return True  # the same tree: nothing to compare
    if quick and certainly_different(first, second):
        return False
    return compare_expressions(first, second, variables, Deadline(COMPARE_SECONDS)).equivalent


def factored(expr: Any) -> Any:
    """A factored form: full factorization for polynomials, common factors pulled out otherwise."""
    import sympy

    if expr.is_polynomial() and len(expr.free_symbols) <= 1:
        return sympy.factor(expr)
    return sympy.factor_terms(expr)


def typed_terms(expr: Any, rng: random.Random, shuffle: bool = False) -> str:
    """A sum typed term by term, each term in brackets, optionally in another order."""
    import sympy

    terms = list(sympy.Add.make_args(expr))
    if shuffle:
        rng.shuffle(terms)
    if len(terms) == 1:
        return calculator(terms[0])
    return " + ".join(f"({calculator(t)})" for t in terms)


def short(forms: list[str]) -> list[str]:
    """Forms a student could type by hand (an expansion can explode)."""
    return [form for form in forms if len(form) <= MAX_TYPED_FORM]


def is_nice_number(value: Any, promise: str, max_denominator: int = 100, max_size: int = 10_000) -> bool:
    """Integers (or small fractions) of modest size, as promised to students."""
    from fractions import Fraction

    import sympy

    value = sympy.nsimplify(value) if not isinstance(value, sympy.Basic) else value
    if not value.is_Rational:
        return False
    fraction = Fraction(int(value.p), int(value.q))
    if abs(fraction) > max_size:
        return False
    if promise == "integer":
        return fraction.denominator == 1
    return fraction.denominator <= max_denominator
