"""Re-derive any key from a problem's description, independently of how it was built.

A problem's ``givens`` are sympy-parsable strings and each part names an ``ask`` from the
vocabulary below with JSON arguments, so a key can be recomputed with nothing but sympy:

==========================  =================================================================
ask                         arguments → answer
==========================  =================================================================
derivative                  f, var → df/dvar
derivative_at               f, var, at → df/dvar at var = at
value_at                    f, at {name: value} → f at the point
tangent_line                f, var, at → the equation y = f(a) + f'(a)(var − a)
partial                     f, wrt [names, in order] → the (mixed) partial derivative
partial_at                  f, wrt, at {name: value} → the partial derivative at the point
gradient                    f, vars → (∂f/∂v for v in vars)
gradient_at                 f, vars, at [values] → the gradient at the point
critical_points             f, vars → all real points where the gradient vanishes
classify                    f, vars, point → minimum | maximum | saddle | neither
classified_critical_points  f, vars → every critical point with its type: [(point, label), …]
local_extreme_value         f, vars, which (minimum|maximum) → f at its only local min/max
global_minimum              f, var → the critical point(s) where f is smallest
hessian_determinant         f, vars, point → f_xx f_yy − f_xy² at the point
hessian_determinant_function f, vars → f_xx f_yy − f_xy² as a function of x and y
lagrange_points             f, g, c, vars → the real solutions of ∇f = λ∇g, g = c
lagrange_classified         f, g, c, vars → each solution with its type: [(point, maximum|minimum), …]
lagrange_multiplier         f, g, c, vars, point or which (max|min) → λ at that point
lagrange_extreme_value      f, g, c, vars, which (max|min) → the largest/smallest f there
lagrange_extreme_point      f, g, c, vars, which (max|min) → the point(s) where it is attained
gd_step                     loss, param, lr, at {name: value} → param − lr·∂loss/∂param
==========================  =================================================================

Argument values that name a given (``"f"``) are looked up in ``givens``; others are parsed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sympy

ASKS: dict[str, Callable[..., Any]] = {}


def ask(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        ASKS[name] = func
        return func

    return register


class Context:
    """Givens parsed with sympy, symbols created by name (no exgen code involved)."""

    def __init__(self, givens: Mapping[str, str]) -> None:
        self.givens = dict(givens)
        self._cache: dict[str, Any] = {}

    def symbol(self, name: str) -> sympy.Symbol:
        return sympy.Symbol(name)

    def expr(self, ref: Any) -> Any:
        if isinstance(ref, str) and ref in self.givens:
            ref = self.givens[ref]
        if isinstance(ref, (list, tuple)):
            return type(ref)(self.expr(r) for r in ref)
        if isinstance(ref, str):
            if ref not in self._cache:
                names = {token: sympy.Symbol(token) for token in _identifiers(ref)}
                names.update({"exp": sympy.exp, "log": sympy.log, "sqrt": sympy.sqrt, "sin": sympy.sin,
                              "cos": sympy.cos, "tan": sympy.tan, "tanh": sympy.tanh, "pi": sympy.pi, "E": sympy.E,
                              "Eq": sympy.Eq, "Rational": sympy.Rational})
                self._cache[ref] = sympy.sympify(ref, locals=names)
            return self._cache[ref]
        return sympy.sympify(ref)

    def symbols(self, names: Sequence[str]) -> list[sympy.Symbol]:
        return [sympy.Symbol(n) for n in names]


def _identifiers(text: str) -> set[str]:
    import re

    return {word for word in re.findall(r"[A-Za-z_][A-Za-z_0-9]*", text)} - {
        "exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "pi", "E", "Eq", "Rational", "I"}


def derive(ask_name: str, args: Mapping[str, Any], givens: Mapping[str, str]) -> Any:
    """Recompute the answer of one part from its ask, arguments and the problem's givens."""
    return ASKS[ask_name](Context(givens), **args)


def _point(ctx: Context, names: Sequence[str], values: Sequence[Any]) -> dict[sympy.Symbol, Any]:
    return {ctx.symbol(name): ctx.expr(value) for name, value in zip(names, values)}


@ask("derivative")
def _derivative(ctx: Context, f: str, var: str) -> Any:
    return sympy.diff(ctx.expr(f), ctx.symbol(var))


@ask("derivative_at")
def _derivative_at(ctx: Context, f: str, var: str, at: Any) -> Any:
    x = ctx.symbol(var)
    return sympy.simplify(sympy.diff(ctx.expr(f), x).subs(x, ctx.expr(at)))


@ask("value_at")
def _value_at(ctx: Context, f: str, at: Mapping[str, Any]) -> Any:
    return sympy.simplify(ctx.expr(f).subs({ctx.symbol(k): ctx.expr(v) for k, v in at.items()}))


@ask("tangent_line")
def _tangent_line(ctx: Context, f: str, var: str, at: Any, y: str = "y") -> Any:
    x = ctx.symbol(var)
    a = ctx.expr(at)
    expr = ctx.expr(f)
    slope = sympy.diff(expr, x).subs(x, a)
    return sympy.Eq(ctx.symbol(y), sympy.expand(expr.subs(x, a) + slope * (x - a)))


@ask("partial")
def _partial(ctx: Context, f: str, wrt: Sequence[str]) -> Any:
    return sympy.diff(ctx.expr(f), *ctx.symbols(wrt))


@ask("partial_at")
def _partial_at(ctx: Context, f: str, wrt: Sequence[str], at: Mapping[str, Any]) -> Any:
    derivative = _partial(ctx, f, wrt)
    return sympy.simplify(derivative.subs({ctx.symbol(k): ctx.expr(v) for k, v in at.items()}))


@ask("gradient")
def _gradient(ctx: Context, f: str, vars: Sequence[str]) -> Any:
    expr = ctx.expr(f)
    return tuple(sympy.diff(expr, v) for v in ctx.symbols(vars))


@ask("gradient_at")
def _gradient_at(ctx: Context, f: str, vars: Sequence[str], at: Sequence[Any]) -> Any:
    point = _point(ctx, vars, at)
    return tuple(sympy.simplify(g.subs(point)) for g in _gradient(ctx, f, vars))


def _real_solutions(equations: Sequence[Any], unknowns: Sequence[sympy.Symbol]) -> list[dict[sympy.Symbol, Any]]:
    solutions = sympy.solve(list(equations), list(unknowns), dict=True)
    real = []
    for solution in solutions:
        if len(solution) != len(unknowns):
            raise ValueError(f"not isolated solutions: {solution}")
        values = [sympy.simplify(solution[u]) for u in unknowns]
        if all(v.is_real for v in values):
            real.append(dict(zip(unknowns, values)))
    return real


@ask("critical_points")
def _critical_points(ctx: Context, f: str, vars: Sequence[str]) -> Any:
    unknowns = ctx.symbols(vars)
    expr = ctx.expr(f)
    gradient = [sympy.diff(expr, v) for v in unknowns]
    if len(unknowns) == 1 and gradient[0].is_polynomial(unknowns[0]):
        roots = sympy.Poly(gradient[0], unknowns[0]).real_roots()
        return tuple(sorted({(r,) for r in roots}, key=lambda p: float(p[0])))
    solutions = _real_solutions(gradient, unknowns)
    return tuple(sorted({tuple(s[u] for u in unknowns) for s in solutions}, key=lambda p: [float(c) for c in p]))


@ask("classify")
def _classify(ctx: Context, f: str, vars: Sequence[str], point: Sequence[Any]) -> str:
    unknowns = ctx.symbols(vars)
    expr = ctx.expr(f)
    at = _point(ctx, vars, point)
    if len(unknowns) == 1:
        x = unknowns[0]
        # Higher-derivative test: the first nonvanishing derivative decides.
        derivative = sympy.diff(expr, x)
        for order in range(2, 12):
            derivative = sympy.diff(derivative, x)
            value = sympy.simplify(derivative.subs(at))
            if value != 0:
                if order % 2 == 1:
                    return "neither"
                return "minimum" if value > 0 else "maximum"
        raise ValueError("flat to order 11")
    if len(unknowns) == 2:
        x, y = unknowns
        fxx = sympy.diff(expr, x, 2).subs(at)
        fyy = sympy.diff(expr, y, 2).subs(at)
        fxy = sympy.diff(expr, x, y).subs(at)
        determinant = sympy.simplify(fxx * fyy - fxy**2)
        if determinant < 0:
            return "saddle"
        if determinant > 0:
            return "minimum" if fxx > 0 else "maximum"
        raise ValueError("degenerate Hessian")
    raise ValueError("classify supports one or two variables")


@ask("hessian_determinant")
def _hessian_determinant(ctx: Context, f: str, vars: Sequence[str], point: Sequence[Any]) -> Any:
    x, y = ctx.symbols(vars)
    expr = ctx.expr(f)
    at = _point(ctx, vars, point)
    return sympy.simplify((sympy.diff(expr, x, 2) * sympy.diff(expr, y, 2) - sympy.diff(expr, x, y) ** 2).subs(at))


@ask("classified_critical_points")
def _classified_critical_points(ctx: Context, f: str, vars: Sequence[str]) -> Any:
    return tuple((point, _classify(ctx, f, vars, list(point))) for point in _critical_points(ctx, f, vars))


@ask("local_extreme_value")
def _local_extreme_value(ctx: Context, f: str, vars: Sequence[str], which: str) -> Any:
    points = [point for point, label in _classified_critical_points(ctx, f, vars) if label == which]
    if len(points) != 1:
        raise ValueError(f"{len(points)} local {which} points, not one")
    return sympy.simplify(ctx.expr(f).subs(_point(ctx, vars, points[0])))


@ask("hessian_determinant_function")
def _hessian_determinant_function(ctx: Context, f: str, vars: Sequence[str]) -> Any:
    x, y = ctx.symbols(vars)
    expr = ctx.expr(f)
    return sympy.expand(sympy.diff(expr, x, 2) * sympy.diff(expr, y, 2) - sympy.diff(expr, x, y) ** 2)


@ask("global_minimum")
def _global_minimum(ctx: Context, f: str, var: str) -> Any:
    points = _critical_points(ctx, f, [var])
    expr = ctx.expr(f)
    x = ctx.symbol(var)
    values = [(sympy.simplify(expr.subs(x, p[0])), p) for p in points]
    lowest = min(v for v, _ in values)
    return tuple(p for v, p in values if sympy.simplify(v - lowest) == 0)


def _lagrange(ctx: Context, f: str, g: str, c: Any, vars: Sequence[str]) -> list[dict[sympy.Symbol, Any]]:
    unknowns = ctx.symbols(vars)
    lam = sympy.Symbol("lambda_")
    F, G = ctx.expr(f), ctx.expr(g)
    equations = [sympy.diff(F, v) - lam * sympy.diff(G, v) for v in unknowns] + [G - ctx.expr(c)]
    return [{**s, "lambda": s[lam]} for s in _real_solutions(equations, [*unknowns, lam])]


@ask("lagrange_points")
def _lagrange_points(ctx: Context, f: str, g: str, c: Any, vars: Sequence[str]) -> Any:
    unknowns = ctx.symbols(vars)
    points = {tuple(s[u] for u in unknowns) for s in _lagrange(ctx, f, g, c, vars)}
    return tuple(sorted(points, key=lambda p: [float(v) for v in p]))


@ask("lagrange_classified")
def _lagrange_classified(ctx: Context, f: str, g: str, c: Any, vars: Sequence[str]) -> Any:
    """The largest value of f among the candidates is the maximum, the smallest the minimum
    (a closed, bounded constraint); a single candidate on an unbounded constraint (a line) is
    classified by the bordered Hessian."""
    values = _lagrange_values(ctx, f, g, c, vars)
    if len(values) >= 2:
        top, bottom = max(v for v, _ in values), min(v for v, _ in values)
        labelled = [(p, "maximum" if v == top else "minimum" if v == bottom else "neither") for v, p in values]
    else:
        ((_, point),) = values
        labelled = [(point, _bordered_hessian_type(ctx, f, g, vars, point))]
    return tuple(sorted(labelled, key=lambda item: [float(v) for v in item[0]]))


def _bordered_hessian_type(ctx: Context, f: str, g: str, vars: Sequence[str], point: Sequence[Any]) -> str:
    x, y = ctx.symbols(vars)
    F, G = ctx.expr(f), ctx.expr(g)
    at = dict(zip((x, y), point))
    gx, gy = sympy.diff(G, x).subs(at), sympy.diff(G, y).subs(at)
    lam = (sympy.diff(F, x).subs(at) / gx) if gx != 0 else (sympy.diff(F, y).subs(at) / gy)
    L = F - lam * G
    matrix = sympy.Matrix([[0, gx, gy], [gx, sympy.diff(L, x, 2).subs(at), sympy.diff(L, x, y).subs(at)],
                           [gy, sympy.diff(L, x, y).subs(at), sympy.diff(L, y, 2).subs(at)]])
    determinant = sympy.simplify(matrix.det())
    if determinant == 0:
        raise ValueError("the bordered Hessian test is inconclusive")
    return "maximum" if determinant > 0 else "minimum"


@ask("lagrange_multiplier")
def _lagrange_multiplier(
    ctx: Context, f: str, g: str, c: Any, vars: Sequence[str], point: Sequence[Any] | None = None, which: str | None = None
) -> Any:
    unknowns = ctx.symbols(vars)
    if point is None:
        label = {"max": "maximum", "min": "minimum"}.get(str(which), str(which))
        point = next(p for p, kind in _lagrange_classified(ctx, f, g, c, vars) if kind == label)
    target = [ctx.expr(v) for v in point]
    for solution in _lagrange(ctx, f, g, c, vars):
        if all(sympy.simplify(solution[u] - t) == 0 for u, t in zip(unknowns, target)):
            return solution["lambda"]
    raise ValueError("point is not a Lagrange candidate")


def _lagrange_values(ctx: Context, f: str, g: str, c: Any, vars: Sequence[str]) -> list[tuple[Any, tuple[Any, ...]]]:
    unknowns = ctx.symbols(vars)
    F = ctx.expr(f)
    return [(sympy.simplify(F.subs({u: s[u] for u in unknowns})), tuple(s[u] for u in unknowns)) for s in _lagrange(ctx, f, g, c, vars)]


@ask("lagrange_extreme_value")
def _lagrange_extreme_value(ctx: Context, f: str, g: str, c: Any, vars: Sequence[str], which: str) -> Any:
    values = [v for v, _ in _lagrange_values(ctx, f, g, c, vars)]
    return max(values) if which == "max" else min(values)


@ask("lagrange_extreme_point")
def _lagrange_extreme_point(ctx: Context, f: str, g: str, c: Any, vars: Sequence[str], which: str) -> Any:
    values = _lagrange_values(ctx, f, g, c, vars)
    best = _lagrange_extreme_value(ctx, f, g, c, vars, which)
    return tuple(sorted({p for v, p in values if sympy.simplify(v - best) == 0}, key=lambda p: [float(x) for x in p]))


@ask("gd_step")
def _gd_step(ctx: Context, loss: str, param: str, lr: Any, at: Mapping[str, Any]) -> Any:
    p = ctx.symbol(param)
    point = {ctx.symbol(k): ctx.expr(v) for k, v in at.items()}
    gradient = sympy.diff(ctx.expr(loss), p).subs(point)
    return sympy.simplify(point[p] - ctx.expr(lr) * gradient)
