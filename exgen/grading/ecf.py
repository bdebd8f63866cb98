"""Error carried forward: recompute a later part's answer from the student's own earlier ones.

When a part builds on earlier parts (the slope from your f′, the tangent line through your
slope, the critical points of your gradient and their types, λ at your maximum, the value of f
at your minimum), a student whose earlier answer was wrong can still work consistently. A
recipe rebuilds the later answer from the earlier answers, as read by their own answer kinds,
so the engine can compare it. Where the follow-through cannot be checked (an equation that
cannot be solved in time, a point that is not on the constraint) there is no recipe result and
no credit for consistency.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exgen.answers import nodes as n
from exgen.answers.calculus import classified_zeros, critical_points_two, derivative, polynomial
from exgen.answers.equivalence import constant_value
from exgen.answers.numeric import Status
from exgen.answers.reader import ReadOptions, read

Rebuilt = tuple[str, Any]  # (answer kind, expected value in the form that kind's prepare() takes)
Recipe = Callable[[Mapping[str, Any], Mapping[str, str], Sequence[Any]], "Rebuilt | None"]
MAX_SOLUTIONS = 12  # a student's gradient with more critical points than this is not followed


@dataclass(frozen=True)
class Earlier:
    """An earlier part the student answered: its kind and what the student typed."""

    kind: str
    text: str
    variables: tuple[str, ...]
    functions: tuple[str, ...]

    def value(self) -> Any:
        """The answer as its kind reads it: a tree, or for classified points a list of
        (point, label); None when it cannot be read."""
        from exgen.answers.kinds import get_kind
        from exgen.answers.lexer import fold_wide

        return get_kind(self.kind).read_value(fold_wide(self.text), self.variables, self.functions)


def given(text: str) -> n.Node:
    """A given of the problem description (sympy syntax, trusted)."""
    reading = read(text, ReadOptions(auto_variables=True, sympy_names=True))
    if reading.tree is None:
        raise ValueError(f"unreadable given {text!r}")
    return reading.tree


def _at(values: Mapping[str, Any]) -> dict[str, n.Node]:
    return {name: given(str(value)) for name, value in values.items()}


def _real(tree: n.Node) -> float | None:
    value = constant_value(tree)
    return float(value.real.mid()) if value.status is Status.REAL else None


# -- one value from one earlier answer -------------------------------------------------------


def _derivative_at(args: Mapping[str, Any], givens: Mapping[str, str], earlier: Sequence[Any]) -> Rebuilt | None:
    return "number", n.substitute(earlier[0], {args["var"]: given(str(args["at"]))})


def _partial_at(args: Mapping[str, Any], givens: Mapping[str, str], earlier: Sequence[Any]) -> Rebuilt | None:
    return "number", n.substitute(earlier[0], _at(args["at"]))


def _gradient_at(args: Mapping[str, Any], givens: Mapping[str, str], earlier: Sequence[Any]) -> Rebuilt | None:
    if not isinstance(earlier[0], (n.Tuple, n.Seq)):
        return None
    values = dict(zip(args["vars"], (given(str(v)) for v in args["at"])))
    return "vector", [n.substitute(c, values) for c in earlier[0].items]


def _tangent_line(args: Mapping[str, Any], givens: Mapping[str, str], earlier: Sequence[Any]) -> Rebuilt | None:
    x0 = given(str(args["at"]))
    y0 = n.substitute(given(givens[args["f"]]), {args["var"]: x0})
    x, y = n.Sym(args["var"]), n.Sym(args.get("y", "y"))
    return "equation", n.Eq(y, n.Add((y0, n.Mul((earlier[0], n.sub(x, x0))))))


def _gd_step(args: Mapping[str, Any], givens: Mapping[str, str], earlier: Sequence[Any]) -> Rebuilt | None:
    start = given(str(args["at"][args["param"]]))
    return "number", n.sub(start, n.Mul((given(str(args["lr"])), earlier[0])))


def _partial_again(args: Mapping[str, Any], givens: Mapping[str, str], earlier: Sequence[Any]) -> Rebuilt | None:
    """A second or mixed partial from the student's first partial (differentiated once more)."""
    wrt = list(args["wrt"])
    if len(wrt) != 2:
        return None
    again = _derivative(earlier[0], wrt[1])
    return ("expression", again) if again is not None else None


def _gradient(args: Mapping[str, Any], givens: Mapping[str, str], earlier: Sequence[Any]) -> Rebuilt | None:
    """The gradient from the student's own partial derivatives (the rest from f itself)."""
    names = list(args["vars"])
    f = given(givens[args["f"]])
    components: list[n.Node] = []
    for index, name in enumerate(names):
        value = earlier[index] if index < len(earlier) else None
        if isinstance(value, n.Node) and not isinstance(value, n.CONTAINERS):
            components.append(value)
            continue
        partial = _derivative(f, name)
        if partial is None:
            return None
        components.append(partial)
    return "vector", components


def _hessian_determinant_function(args: Mapping[str, Any], givens: Mapping[str, str], earlier: Sequence[Any]) -> Rebuilt | None:
    """D = P_x Q_y − P_y² from the student's gradient (P, Q)."""
    gradient = earlier[0]
    if not isinstance(gradient, (n.Tuple, n.Seq)) or len(gradient.items) != 2:
        return None
    x, y = args["vars"]
    p, q = gradient.items
    px, qy, py = _derivative(p, x), _derivative(q, y), _derivative(p, y)
    if px is None or qy is None or py is None:
        return None
    return "expression", n.sub(n.Mul((px, qy)), n.Pow(py, n.Num(2)))


def _derivative(tree: Any, variable: str) -> n.Node | None:
    if not isinstance(tree, n.Node) or isinstance(tree, n.CONTAINERS):
        return None
    return derivative(tree, variable)


# -- critical points of the student's own derivative or gradient, with their types --------------


def _classified_one(derivative_tree: n.Node, x: str) -> list[tuple[tuple[Any, ...], str]] | None:
    """Every real zero of a one-variable derivative with its type by the sign change of f′:
    exactly, without a CAS (zeros with no closed form: nothing to follow)."""
    coefficients = polynomial(derivative_tree, x)
    if coefficients is None:
        return None
    rows = classified_zeros(coefficients)
    if rows is None or len(rows) > MAX_SOLUTIONS:
        return None
    return [((root,), label) for root, label in rows]


def _classified_points(args: Mapping[str, Any], givens: Mapping[str, str], earlier: Sequence[Any]) -> Rebuilt | None:
    names = list(args["vars"])
    value = earlier[0]
    if len(names) == 1 and isinstance(value, n.Node) and not isinstance(value, n.CONTAINERS):
        rows = _classified_one(value, names[0])
    elif len(names) == 2 and isinstance(value, (n.Tuple, n.Seq)) and len(value.items) == 2:
        rows = critical_points_two(value.items[0], value.items[1], (names[0], names[1]))  # type: ignore[assignment]
        if rows is not None and len(rows) > MAX_SOLUTIONS:
            return None
    else:
        return None
    if rows is None:
        return None
    return "classified_points", [(tuple(point), label) for point, label in rows]


# -- values at the student's own points ------------------------------------------------------------


def _labelled(rows: Any, label: str) -> list[tuple[n.Node, ...]]:
    if not isinstance(rows, list):
        return []
    return [tuple(point) for point, kind in rows if kind == label]


def _value_of_f(f: n.Node, names: Sequence[str], point: Sequence[n.Node]) -> n.Node | None:
    if len(point) != len(names):
        return None
    return n.substitute(f, dict(zip(names, point)))


def _local_extreme_value(args: Mapping[str, Any], givens: Mapping[str, str], earlier: Sequence[Any]) -> Rebuilt | None:
    points = _labelled(earlier[0], args["which"])
    if len(points) != 1:
        return None
    value = _value_of_f(given(givens[args["f"]]), list(args["vars"]), points[0])
    return ("number", value) if value is not None else None


def _global_minimum(args: Mapping[str, Any], givens: Mapping[str, str], earlier: Sequence[Any]) -> Rebuilt | None:
    names = [args["var"]] if "var" in args else list(args["vars"])
    f = given(givens[args["f"]])
    candidates = []
    for point in _labelled(earlier[0], "minimum"):
        value = _value_of_f(f, names, point)
        real = _real(value) if value is not None else None
        if real is None:
            return None
        candidates.append((real, point))
    if not candidates:
        return None
    best = min(candidates, key=lambda c: c[0])[1]
    return "points", [best]


def _on_constraint(args: Mapping[str, Any], givens: Mapping[str, str], point: Sequence[n.Node]) -> bool:
    """Only a point that satisfies g = c earns credit for its value (or its λ)."""
    names = list(args["vars"])
    g = _value_of_f(given(givens[args["g"]]), names, point)
    if g is None:
        return False
    difference = constant_value(n.sub(g, given(str(args["c"]))))
    return difference.status is Status.REAL and difference.real.is_zero()


def _student_extreme(args: Mapping[str, Any], givens: Mapping[str, str], earlier: Sequence[Any]) -> tuple[n.Node, ...] | None:
    label = {"max": "maximum", "min": "minimum"}.get(str(args.get("which")), str(args.get("which")))
    points = _labelled(earlier[0], label)
    if len(points) != 1 or not _on_constraint(args, givens, points[0]):
        return None
    return points[0]


def _lagrange_extreme_value(args: Mapping[str, Any], givens: Mapping[str, str], earlier: Sequence[Any]) -> Rebuilt | None:
    point = _student_extreme(args, givens, earlier)
    if point is None:
        return None
    value = _value_of_f(given(givens[args["f"]]), list(args["vars"]), point)
    return ("number", value) if value is not None else None


def _lagrange_multiplier(args: Mapping[str, Any], givens: Mapping[str, str], earlier: Sequence[Any]) -> Rebuilt | None:
    """λ from the first Lagrange equation with a nonzero ∂g at the student's point."""
    point = _student_extreme(args, givens, earlier)
    if point is None:
        return None
    names = list(args["vars"])
    f, g = given(givens[args["f"]]), given(givens[args["g"]])
    at = dict(zip(names, point))
    for name in names:
        df, dg = derivative(f, name), derivative(g, name)
        if df is None or dg is None:
            return None
        dg_value = constant_value(n.substitute(dg, at))
        if dg_value.status is not Status.REAL:
            return None
        if dg_value.real.is_zero():
            continue
        if dg_value.real.contains(0):
            return None  # not known to be nonzero: no λ to follow
        return "number", n.Div(n.substitute(df, at), n.substitute(dg, at))
    return None


RECIPES: dict[str, Recipe] = {
    "derivative_at": _derivative_at,
    "partial_at": _partial_at,
    "gradient_at": _gradient_at,
    "tangent_line": _tangent_line,
    "gd_step": _gd_step,
    "partial": _partial_again,
    "gradient": _gradient,
    "hessian_determinant_function": _hessian_determinant_function,
    "classified_critical_points": _classified_points,
    "local_extreme_value": _local_extreme_value,
    "global_minimum": _global_minimum,
    "lagrange_extreme_value": _lagrange_extreme_value,
    "lagrange_multiplier": _lagrange_multiplier,
}


def ecf_expected(ask: str, args: Mapping[str, Any], givens: Mapping[str, str], earlier: Sequence[Any]) -> Rebuilt | None:
    """The answer consistent with the student's ``earlier`` answers, or None if not computable."""
    recipe = RECIPES.get(ask)
    if recipe is None or not earlier or any(value is None for value in earlier):
        return None
    try:
        return recipe(args, givens, earlier)
    except (KeyError, ValueError, TypeError, AttributeError, ZeroDivisionError, NotImplementedError, ArithmeticError):
        return None


__all__ = ["ecf_expected", "RECIPES", "Earlier", "Fraction"]
