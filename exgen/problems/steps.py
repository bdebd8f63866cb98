"""Building blocks for worked solutions: the arithmetic of a step, as the page prints it.

A step such as f′(2) = 3·2² − 4·2 + 1 shows the numbers substituted into the formula in the
order the formula is written; it is a tree (exgen.answers.nodes) that keeps its arithmetic
unevaluated, and it is still a value: the chain of steps is checked like any other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from exgen.answers import nodes as n
from exgen.answers.order import in_print_order


def tree_of(value: Any) -> n.Node:
    """A sympy value or a number as a tree (a tree stays as it is)."""
    if isinstance(value, n.Node):
        return value
    import sympy

    from exgen.answers.sympy_bridge import from_sympy

    return from_sympy(value if isinstance(value, sympy.Basic) else sympy.sympify(value))


def substituted(expr: Any, values: Mapping[str, Any]) -> n.Node:
    """``expr`` with numbers put in for its variables, nothing evaluated: 3·(−2)² − 4·(−2) + ½."""
    return n.substitute(in_print_order(tree_of(expr)), {name: tree_of(value) for name, value in values.items()})


def equation(lhs: Any, *rhs: Any) -> n.Node:
    """``lhs = a = b = …`` as one tree (a chain of equalities in a worked step)."""
    chain = tree_of(rhs[-1])
    for value in reversed(rhs[:-1]):
        chain = n.Eq(tree_of(value), chain)
    return n.Eq(tree_of(lhs), chain)


def call(name: str, *args: Any) -> n.Node:
    """``f(2)``, ``f'(−1)``: a named function at numbers."""
    return n.Call(name, tuple(tree_of(a) for a in args))


def _written(value: Fraction) -> n.Node:
    """A number kept as written (not folded into a coefficient by the printers)."""
    text = str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    return n.Num(value, text) if value.denominator == 1 else n.Div(n.Num(Fraction(value.numerator), str(value.numerator)), n.Num(Fraction(value.denominator), str(value.denominator)))


def power_rule_terms(coefficients: Sequence[Fraction], variable: str = "x") -> n.Node:
    """The derivative of a polynomial term by term before multiplying out: for
    a·xⁿ the term a·n·xⁿ⁻¹ (``2 · 6x^5 - 33 · 4x^3 + … - 288``); coefficients lowest degree first."""
    x = n.Sym(variable)
    terms: list[n.Node] = []
    for power, coefficient in enumerate(coefficients):
        if power == 0 or not coefficient:
            continue
        if power == 1:
            terms.append(_written(Fraction(coefficient)))
            continue
        rest = x if power == 2 else n.Pow(x, n.Num(Fraction(power - 1)))
        terms.append(n.Mul((_written(Fraction(coefficient)), _written(Fraction(power)), rest)))
    terms.reverse()  # highest power first, as the polynomial is written
    return terms[0] if len(terms) == 1 else n.Add(tuple(terms))


def replaced(expr: Any, parts: Mapping[Any, Any], values: Mapping[str, Any] | None = None) -> n.Node:
    """``expr`` as written with whole sub-expressions replaced (σ(wx + b) by ŷ's value) and
    then numbers put in for variables, nothing evaluated: the arithmetic of a worked step."""
    swaps = {in_print_order(tree_of(old)): tree_of(new) for old, new in parts.items()}

    def walk(node: n.Node) -> n.Node:
        if node in swaps:
            return swaps[node]
        if isinstance(node, (n.Num, n.Sym, n.Const)):
            return node
        return n.rebuild(node, tuple(walk(child) for child in node.children()))

    tree = walk(in_print_order(tree_of(expr)))
    return n.substitute(tree, {name: tree_of(value) for name, value in (values or {}).items()})
