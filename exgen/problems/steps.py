"""Building blocks for worked solutions: the arithmetic of a step, as the page prints it.

A step such as f′(2) = 3·2² − 4·2 + 1 shows the numbers substituted into the formula in the
order the formula is written; it is a tree (exgen.answers.nodes) that keeps its arithmetic
unevaluated, and it is still a value: the chain of steps is checked like any other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exgen.answers import nodes as n
from exgen.answers.order import factors_in_print_order, in_print_order, ordered_terms, pull_sign


def tree_of(value: Any) -> n.Node:
    """A sympy value or a number as a tree (a tree stays as it is)."""
    if isinstance(value, n.Node):
        return value
    import sympy

    from exgen.answers.sympy_bridge import from_sympy

    return from_sympy(value if isinstance(value, sympy.Basic) else sympy.sympify(value))


def printed_terms(expr: Any) -> tuple[Any, ...]:
    """The terms of a sympy sum in the order the printers write it, so that a step which works
    term by term (``12x^2 + 24x^3`` for ``6x^4 + 4x^3``) lists each result under its term."""
    import sympy

    terms = sympy.Add.make_args(expr)
    tree = tree_of(expr)
    if len(terms) < 2 or not isinstance(tree, n.Add) or len(tree.terms) != len(terms):
        return terms
    unused = {index: tree_of(term) for index, term in enumerate(terms)}
    order = []
    for printed in ordered_terms(tree):
        index = next((i for i, node in unused.items() if node == printed), None)
        if index is None:  # a term the bridge rewrote: keep sympy's order rather than guess
            return terms
        del unused[index]
        order.append(terms[index])
    return tuple(order)


def in_product_order(product: Any, pieces: Sequence[Any]) -> list[Any]:
    """``pieces`` (sympy values whose product is ``product``) in the order the page prints the
    product, so that a step names them as the reader sees them: for ln(2x² + 5) sin x the
    product rule's u is ln(2x² + 5), though sympy keeps sin x first."""
    import sympy

    factors = sympy.Mul.make_args(product)
    nodes = [tree_of(factor) for factor in factors]
    printed = factors_in_print_order(list(nodes))  # the same objects, moved
    order = [factors[next(i for i, node in enumerate(nodes) if node is shown)] for shown in printed]
    order.sort(key=lambda factor: factor.is_Pow and factor.exp.is_negative)  # below the fraction line: after

    def first_place(piece: Any) -> int:
        own = [factor for factor in sympy.Mul.make_args(piece) if not factor.is_number]  # a sign or coefficient goes in front anyway
        return min((i for i, factor in enumerate(order) if factor in own), default=len(order))

    return sorted(pieces, key=first_place)


def term_by_term(expr: Any, image: Callable[[Any], Any], constants: bool = True) -> n.Node:
    """A step that works on a sum term by term (the power rule, a partial derivative): the
    image of each term in the order the sum is printed, kept in that order by the printers
    (a sympy sum built unevaluated cannot say so when its order happens to be sympy's own).
    ``constants=False`` leaves the sum's constant out (its derivative is not worth a 0)."""
    images = [tree_of(image(term)) for term in printed_terms(expr) if constants or not term.is_number]
    return images[0] if len(images) == 1 else n.Add(tuple(images), written=True)


def prints_as(value: Any, other: Any) -> bool:
    """Whether two values look the same on the page (a worked step that already shows the
    result needs no line repeating it)."""
    from exgen.answers.printer import to_text

    if isinstance(value, (tuple, list)) or isinstance(other, (tuple, list)):  # a vector, points
        return (isinstance(value, (tuple, list)) and isinstance(other, (tuple, list)) and len(value) == len(other)
                and all(prints_as(a, b) for a, b in zip(value, other)))
    return to_text(tree_of(value), ordered=True) == to_text(tree_of(other), ordered=True)


def substituted(expr: Any, values: Mapping[str, Any]) -> n.Node:
    """``expr`` with numbers put in for its variables, nothing evaluated: 3·(−2)² − 4·(−2) + ½,
    and −(−1)·2 for −xy (a negative value keeps its brackets: see nodes.put_in)."""
    return _put_in(in_print_order(tree_of(expr)), {name: tree_of(value) for name, value in values.items()})


def _put_in(node: n.Node, values: Mapping[str, n.Node], bracketed: bool = False) -> n.Node:
    """``node`` with ``values`` put in for its variables. Where a value stands for a factor, a
    base, a later term or what a minus applies to, it is marked to keep its place and, if
    negative, its brackets (``3 - (-2)``, ``-(-1) \\cdot 2``, ``(-2)^2``, ``1 \\cdot e^1``); as a first
    term, an argument or an exponent it is written bare (``-2 - 3``, ``\\sin(-1)``, ``e^{-1}``)."""
    kind = type(node)
    if kind is n.Sym:
        value = values.get(node.name)  # type: ignore[attr-defined]
        return node if value is None else _bracketed(value) if bracketed else value
    if not (n.free_symbols(node) & values.keys()):
        return node
    if kind is n.Add:
        return n.Add(tuple(_put_in(t, values, index > 0) for index, t in enumerate(node.terms)), node.written)  # type: ignore[attr-defined]
    if kind is n.Neg or kind is n.Mul:
        return n.rebuild(node, tuple(_put_in(c, values, True) for c in node.children()))
    if kind is n.Pow:  # b^(-1) prints as 1/b, where b needs no brackets
        reciprocal = n.rational_value(node.exp) == -1  # type: ignore[attr-defined]
        return n.Pow(_put_in(node.base, values, not reciprocal), _put_in(node.exp, values))  # type: ignore[attr-defined]
    return n.rebuild(node, tuple(_put_in(c, values) for c in node.children()))


def rule_form(*terms: Any, squared_under: Any = None) -> n.Node:
    """A rule's formula with its pieces put in, as written: ``u'v + uv'`` (or ``(u'v - uv')/v^2``
    with ``squared_under`` v) in the rule's order, each piece as the page prints it alone, so the
    printers neither reorder the terms nor pull a sign out of a piece: ``(-2x - 2) ln x +
    (-x^2 - 2x - 3)/x`` shows u' and u as they were named."""
    total = n.Add(tuple(_pieces_grouped(in_print_order(tree_of(term), signs_out=False)) for term in terms), written=True)
    if squared_under is None:
        return total
    return n.Mul((total, n.Pow(in_print_order(tree_of(squared_under), signs_out=False), n.Num(-2))))


def _pieces_grouped(term: n.Node) -> n.Node:
    """A term of a rule (u'v, -uv') whose negative pieces keep their sign in brackets:
    ``(-12x^2)(e^x + 1)``, not ``-(12x^2)(e^x + 1)`` (a written sum of one term is the group)."""
    if type(term) is n.Neg:
        return n.Neg(_pieces_grouped(term.arg))  # type: ignore[attr-defined]
    if type(term) is not n.Mul:
        return term
    return n.Mul(tuple(_group(f) if type(f) is not n.Add and pull_sign(f)[0] else f for f in term.factors))  # type: ignore[attr-defined]


def _bracketed(value: n.Node) -> n.Node:
    """A value put in where a negative one needs brackets (a factor, a base, a later term): a
    number marked (nodes.put_in: kept in its place, in brackets if negative); any other negative
    value (-ln(3)/4) as a sum of one term, written, which every printer brackets and none takes
    a sign from: 4 \\cdot (-\\frac{\\ln 3}{4}), not -4 \\cdot \\frac{\\ln 3}{4}."""
    if n.rational_value(value) is not None:
        return n.put_in(value)
    return _group(value) if pull_sign(value)[0] else value


def _group(node: n.Node) -> n.Node:
    """``node`` in brackets that no printer removes or takes a sign from: a written sum of one term."""
    return n.Add((node,), written=True)


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
    terms = [power_rule_term(Fraction(coefficient), power, variable) for power, coefficient in enumerate(coefficients)
             if power and coefficient]
    terms.reverse()  # highest power first, as the polynomial is written
    return terms[0] if len(terms) == 1 else n.Add(tuple(terms))


def times_coefficient(coefficient: Any, piece: Any) -> n.Node:
    """a·(u)′ in a term-by-term step, before multiplying out: ``3 (2e^{2x})``,
    ``-5 (-3 \\sin 3x)``, ``-4 \\cdot \\frac{1}{x}``; a rule's result that is a product or has a sign
    stays in its brackets (a written sum of one term), and a = ±1 leaves only the sign."""
    value = Fraction(int(coefficient.p), int(coefficient.q)) if hasattr(coefficient, "p") else Fraction(coefficient)
    tree = tree_of(piece)
    if type(tree) in (n.Mul, n.Neg) or pull_sign(tree)[0]:
        tree = _group(tree)
    if value == 1:
        return tree
    if value == -1:
        return n.Neg(tree)
    return n.Mul((_written(value), tree))


def power_rule_term(coefficient: Fraction, power: int | Fraction, variable: str = "x") -> n.Node:
    """The power rule on a·xⁿ before multiplying out: a·n·xⁿ⁻¹ as written, ``-4 · 5x^4`` for
    -4x^5 (``-5x^4`` for -x^5), and a alone for a·x. A root or a reciprocal keeps its power
    form, ``-3 · \\frac{1}{2} x^{-1/2}`` for -3x^{1/2} and ``2 · (-1) x^{-2}`` for 2x^{-1}, so
    the rule can be seen at work (the next step writes them as roots and fractions again)."""
    power = Fraction(power)
    if power == 1:
        return _written(coefficient)
    x = n.Sym(variable)
    lowered_power = power - 1
    if lowered_power.denominator == 1 and lowered_power > 0:
        rest = x if lowered_power == 1 else n.Pow(x, n.Num(lowered_power))
    else:
        rest = n.Pow(x, n.as_power(lowered_power))
    if abs(coefficient) == 1:  # -x^2 gives -2x, not -1 · 2x; x^{-1} gives -x^{-2}
        factors = (rest,) if abs(power) == 1 else (_bare(abs(power)), rest)
        lowered = factors[0] if len(factors) == 1 else n.Mul(factors)
        return lowered if coefficient * power > 0 else n.Neg(lowered)
    # the exponent as a factor: a negative one in brackets, a fraction bare (6 · ½ x^{-1/2})
    return n.Mul((_written(coefficient), n.put_in(n.Num(power)) if power < 0 else _bare(power), rest))


def power_rule_on(term: Any, variable: Any) -> n.Node:
    """The power rule on a sympy term a·xⁿ with rational a and n, before multiplying out (see
    :func:`power_rule_term`); any other term shows its derivative multiplied out."""
    from exgen.problems.calculus import d

    coefficient, power = term.as_coeff_exponent(variable)
    if not (coefficient.is_Rational and power.is_Rational):
        return tree_of(d(term, variable))
    return power_rule_term(Fraction(int(coefficient.p), int(coefficient.q)), Fraction(int(power.p), int(power.q)), str(variable))


def _chain_factor(value: Any) -> n.Node:
    """A chain rule's constant factor after the function it comes from: ``e^{2x-2} \\cdot 2``,
    ``\\cos(2x - 3y) \\cdot (-3)`` (a negative one in brackets)."""
    number = Fraction(int(value.p), int(value.q)) if hasattr(value, "p") else Fraction(value)
    return n.put_in(n.Num(number)) if number < 0 else _written(number)


def _bare(value: Fraction) -> n.Node:
    """A positive number as a factor of a written product, a fraction without brackets: ½ in 6 · ½ x^{-1/2}."""
    return n.Num(value, f"{value.numerator}/{value.denominator}") if value.denominator != 1 else _written(value)


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
    return _put_in(tree, {name: tree_of(value) for name, value in (values or {}).items()})


# -- partial derivatives, term by term ----------------------------------------------------------


@dataclass(frozen=True)
class Chain:
    """A chain rule inside a partial derivative: ``function`` of ``inside``, whose derivative
    ``inner`` is the factor it brings; ``forgotten`` is the whole partial derivative of a
    student who leaves that factor out (a mistake model)."""

    function: Any
    inside: Any
    inner: Any
    forgotten: Any


@dataclass(frozen=True)
class Product:
    """A term of a partial derivative with the variable in two of its factors (the product rule)."""

    term: Any


@dataclass(frozen=True)
class PartialWork:
    """∂f/∂v worked term by term: ``shown`` is each term's derivative before multiplying out,
    with the power rule's exponent, a chain rule's inner derivative and the product rule's two
    terms in sight (``2 · 3x^2 y^3 + 2y + 3e^{2xy} · 2y``); ``rules`` the product and chain
    rules used, term by term in the same order."""

    shown: n.Node
    rules: tuple[Product | Chain, ...]

    @property
    def chains(self) -> tuple[Chain, ...]:
        return tuple(rule for rule in self.rules if isinstance(rule, Chain))


_CHAIN_OUTER = ("exp", "sin", "cos", "log")


def partial_term_by_term(expr: Any, var: Any) -> PartialWork:
    """``expr`` (a sympy sum) differentiated with respect to the symbol ``var`` term by term, in
    the order the sum is printed (a term without ``var`` shows as 0 in its place); see
    :class:`PartialWork`. A term of another shape shows its derivative multiplied out."""
    import sympy

    from exgen.problems.calculus import d

    derivative = d(expr, var)
    rules: list[Product | Chain] = []
    images: list[n.Node] = []
    for term in printed_terms(expr):
        worked = _worked_term(term, var)
        if worked is None:
            images.append(tree_of(d(term, var)))
            continue
        image, term_chains = worked
        images.append(image)
        if sum(1 for factor in sympy.Mul.make_args(term) if factor.has(var)) == 2:
            rules.append(Product(term))
        term_derivative = d(term, var)
        rules.extend(Chain(function, inside, inner, derivative - term_derivative + forgotten)
                     for function, inside, inner, forgotten in term_chains)
    shown = images[0] if len(images) == 1 else n.Add(tuple(images), written=True)
    return PartialWork(shown, tuple(rules))


def _worked_term(term: Any, var: Any) -> tuple[n.Node, list[tuple[Any, Any, Any, Any]]] | None:
    """One term's derivative as written, and for each chain rule in it (function, inside,
    inner derivative, the term's derivative without that factor); None for a term of a shape
    this does not write out (more than two factors with ``var``, a function it has no rule for)."""
    import sympy

    from exgen.problems.calculus import d

    if not term.has(var):
        return n.Num(Fraction(0)), []
    coefficient, rest = term.as_coeff_Mul()
    factors = in_product_order(rest, list(sympy.Mul.make_args(rest)))
    varying = [factor for factor in factors if factor.has(var)]
    if len(varying) > 2 or not coefficient.is_Rational:
        return None
    derivatives = [_factor_derivative(factor, var) for factor in varying]
    if any(found is None for found in derivatives):
        return None
    constant = coefficient * sympy.Mul(*(factor for factor in factors if not factor.has(var)))
    chains = []
    for index, (_, _, chain, plain) in enumerate(derivatives):  # type: ignore[misc]
        if chain is not None:
            others = [f for j, f in enumerate(varying) if j != index]
            rest_derivative = sum((sympy.Mul(*[f for k, f in enumerate(varying) if k != j]) * d(f, var)
                                   for j, f in enumerate(varying) if j != index), sympy.Integer(0))
            chains.append((*chain, constant * (sympy.Mul(*others) * plain + rest_derivative)))
    if len(varying) == 1:
        negative, pieces, _, _ = derivatives[0]  # type: ignore[misc]
        flat = [piece for factor in factors for piece in (pieces if factor.has(var) else [tree_of(factor)])]
    else:  # the product rule, u'v + uv', in brackets after the constant factors
        terms = []
        for index, (sign, pieces, _, _) in enumerate(derivatives):  # type: ignore[misc]
            kept = tree_of(varying[1 - index])
            ordered = [*pieces, kept] if index == 0 else [kept, *pieces]
            body = ordered[0] if len(ordered) == 1 else n.Mul(tuple(ordered))
            terms.append(n.Neg(body) if sign else body)
        negative = False
        flat = [tree_of(factor) for factor in factors if not factor.has(var)] + [n.Add(tuple(terms), written=True)]
    negative ^= bool(coefficient < 0)
    magnitude = abs(Fraction(int(coefficient.p), int(coefficient.q)))
    if magnitude != 1 or not flat:
        flat.insert(0, _written(magnitude))
    body = flat[0] if len(flat) == 1 else n.Mul(tuple(flat))
    return (n.Neg(body) if negative else body), chains


def _factor_derivative(factor: Any, var: Any) -> tuple[bool, list[n.Node], tuple[Any, Any, Any] | None, Any] | None:
    """The derivative of one factor that contains ``var``, as printed pieces: (negative?,
    pieces, the chain rule used as (function, inside, inner derivative) or None, the
    derivative without the chain rule's inner derivative). None for a factor of another shape."""
    import sympy

    from exgen.problems.calculus import d

    if factor == var:
        return False, [], None, sympy.Integer(1)
    if factor.is_Pow and factor.base == var and factor.exp.is_Integer and factor.exp > 1:
        power = int(factor.exp)
        lowered = tree_of(var if power == 2 else var ** (power - 1))
        return False, [_written(Fraction(power)), lowered], None, factor.exp * var ** (power - 1)
    if factor.is_Pow and factor.exp.is_Rational:  # a power of a sum: (x^2 + y^2 + 1)^(-1)
        power = Fraction(int(factor.exp.p), int(factor.exp.q))
        inside, inner = factor.base, d(factor.base, var)
        plain = factor.exp * inside ** (factor.exp - 1)
        pieces = ([] if abs(power) == 1 else [_written(abs(power))]) + [tree_of(inside ** (factor.exp - 1)), *_inner_pieces(inner)]
        return power < 0, pieces, (factor, inside, inner), plain
    name = type(factor).__name__
    if name not in _CHAIN_OUTER:
        return None
    inside = factor.args[0]
    outer = {"exp": factor, "sin": sympy.cos(inside), "cos": sympy.sin(inside), "log": 1 / inside}[name]
    negative = name == "cos"
    plain = -outer if negative else outer
    inner = d(inside, var)
    if inner == 1:  # x, or x + 2y: the chain rule's factor 1 is not written
        return negative, [tree_of(outer)], None, plain
    if name == "log":
        pieces = [*_inner_pieces(inner), tree_of(outer)]
    elif inner.is_Symbol or inner.is_Pow:  # x e^{xy}: a factor without a number goes first, as by hand
        pieces = [tree_of(inner), tree_of(outer)]
    else:
        pieces = [tree_of(outer), *_inner_pieces(inner)]
    return negative, pieces, (factor, inside, inner), plain


def _inner_pieces(inner: Any) -> list[n.Node]:
    """A chain rule's inner derivative as factors of the written product: ``2y`` after a
    dot (``e^{2xy} \\cdot 2y``), a negative number or expression in brackets."""
    import sympy

    if inner.is_Rational:
        return [_chain_factor(inner)]
    coefficient, rest = inner.as_coeff_Mul()
    if inner.is_Mul and coefficient.is_Rational and coefficient > 0:
        ordered = in_product_order(rest, list(sympy.Mul.make_args(rest)))
        return [_written(Fraction(int(coefficient.p), int(coefficient.q))), *(tree_of(f) for f in ordered)]
    return [_group(tree_of(inner))]


def as_log_of(odds: Any) -> tuple[n.Node, ...]:
    """``ln k`` written for a positive rational k when its value prints otherwise (−ln 3 for
    k = 1/3, 0 for k = 1): the extra step of an equation that leads to σ(ln k) = k/(k + 1), so
    a student sees which k the rule uses; nothing where ln k prints as itself."""
    value = Fraction(int(odds.p), int(odds.q))
    if value.denominator == 1 and value != 1:
        return ()
    argument = n.Num(value) if value.denominator == 1 else n.Div(n.Num(Fraction(value.numerator)), n.Num(Fraction(value.denominator)))
    return (n.Call("log", (argument,)),)
