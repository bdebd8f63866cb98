"""Error carried forward: recompute a later part's answer from the student's own earlier one.

When a part builds on an earlier part (the slope from your f′, the tangent line through your
slope, the gradient step with your gradient, the largest value among your candidates), a
student whose earlier answer was wrong can still work consistently. These recipes rebuild the
later answer from the earlier one, as a tree, so the engine can compare it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from exgen.answers import nodes as n
from exgen.answers.equivalence import constant_value
from exgen.answers.numeric import Status
from exgen.answers.reader import ReadOptions, read

Recipe = Callable[[Mapping[str, Any], Mapping[str, str], n.Node], "tuple[str, n.Node] | None"]


def given(text: str) -> n.Node:
    """A given of the problem description (sympy syntax, trusted)."""
    reading = read(text, ReadOptions(auto_variables=True, sympy_names=True))
    if reading.tree is None:
        raise ValueError(f"unreadable given {text!r}")
    return reading.tree


def _at(values: Mapping[str, Any]) -> dict[str, n.Node]:
    return {name: given(str(value)) for name, value in values.items()}


def _derivative_at(args: Mapping[str, Any], givens: Mapping[str, str], earlier: n.Node) -> tuple[str, n.Node] | None:
    return "number", n.substitute(earlier, {args["var"]: given(str(args["at"]))})


def _partial_at(args: Mapping[str, Any], givens: Mapping[str, str], earlier: n.Node) -> tuple[str, n.Node] | None:
    return "number", n.substitute(earlier, _at(args["at"]))


def _gradient_at(args: Mapping[str, Any], givens: Mapping[str, str], earlier: n.Node) -> tuple[str, n.Node] | None:
    if not isinstance(earlier, (n.Tuple, n.Seq)):
        return None
    values = dict(zip(args["vars"], (given(str(v)) for v in args["at"])))
    return "vector", n.Tuple(tuple(n.substitute(c, values) for c in earlier.items))


def _tangent_line(args: Mapping[str, Any], givens: Mapping[str, str], earlier: n.Node) -> tuple[str, n.Node] | None:
    x0 = given(str(args["at"]))
    f = given(givens[args["f"]])
    y0 = n.substitute(f, {args["var"]: x0})
    x, y = n.Sym(args["var"]), n.Sym(args.get("y", "y"))
    return "equation", n.Eq(y, n.Add((y0, n.Mul((earlier, n.sub(x, x0))))))


def _gd_step(args: Mapping[str, Any], givens: Mapping[str, str], earlier: n.Node) -> tuple[str, n.Node] | None:
    start = given(str(args["at"][args["param"]]))
    return "number", n.sub(start, n.Mul((given(str(args["lr"])), earlier)))


def _points(earlier: n.Node) -> list[tuple[n.Node, ...]]:
    items = earlier.items if isinstance(earlier, (n.Seq, n.Tuple)) else (earlier,)
    if isinstance(earlier, n.Tuple) and not all(isinstance(i, n.Tuple) for i in items):
        items = (earlier,)
    return [i.items if isinstance(i, n.Tuple) else (i,) for i in items]


def _values_at_points(f: n.Node, names: list[str], points: list[tuple[n.Node, ...]]) -> list[tuple[float, tuple[n.Node, ...], n.Node]]:
    out = []
    for point in points:
        if len(point) != len(names):
            return []
        value_tree = n.substitute(f, dict(zip(names, point)))
        value = constant_value(value_tree)
        if value.status is not Status.REAL:
            return []
        out.append((float(value.real.mid()), point, value_tree))
    return out


def _extreme(args: Mapping[str, Any], givens: Mapping[str, str], earlier: n.Node, want_point: bool) -> tuple[str, n.Node] | None:
    names = list(args.get("vars") or [args.get("var")])
    values = _values_at_points(given(givens[args["f"]]), names, _points(earlier))
    if not values:
        return None
    pick = max if args.get("which", "min") == "max" else min
    best = pick(values, key=lambda v: v[0])
    if want_point:
        return "points", n.Seq((n.Tuple(best[1]) if len(best[1]) > 1 else best[1][0],))
    return "number", best[2]


RECIPES: dict[str, Recipe] = {
    "derivative_at": _derivative_at,
    "partial_at": _partial_at,
    "gradient_at": _gradient_at,
    "tangent_line": _tangent_line,
    "gd_step": _gd_step,
    "lagrange_extreme_value": lambda a, g, e: _extreme(a, g, e, want_point=False),
    "lagrange_extreme_point": lambda a, g, e: _extreme(a, g, e, want_point=True),
    "global_minimum": lambda a, g, e: _extreme({**a, "which": "min"}, g, e, want_point=True),
}


def ecf_expected(ask: str, args: Mapping[str, Any], givens: Mapping[str, str], earlier: n.Node) -> tuple[str, n.Node] | None:
    """The answer consistent with the student's ``earlier`` answer, or None if not computable."""
    recipe = RECIPES.get(ask)
    if recipe is None:
        return None
    try:
        return recipe(args, givens, earlier)
    except (KeyError, ValueError, TypeError):
        return None


__all__ = ["ecf_expected", "RECIPES", "Fraction"]
