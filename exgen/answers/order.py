"""How people write formulas: the order of terms, and where a sign goes.

Shared by every printer (calculator text, LaTeX, MathML), so a formula reads the same on a
worksheet, in a key and in feedback: ``48x + 14y``, ``1 - y``, ``a - b`` rather than ``a + (-b)``,
and arithmetic in a worked step (``2 \\cdot 6 - 1^2``) as written.
"""

from __future__ import annotations

from functools import lru_cache

from exgen.answers import nodes as n


def _variables_key(term: n.Node) -> str:
    names = sorted(n.free_symbols(term))
    return "".join(names)


def _monomial_degree(term: n.Node) -> float | None:
    """The degree of c·x^a·y^b… (any rational powers), or None for anything else."""
    if isinstance(term, n.Num):
        return 0.0
    if isinstance(term, n.Sym):
        return 1.0
    if isinstance(term, n.Neg):
        return _monomial_degree(term.arg)
    if isinstance(term, n.Pow):
        exponent = n.rational_value(term.exp)
        return float(exponent) if exponent is not None and isinstance(term.base, n.Sym) else None
    if isinstance(term, n.Mul):
        degrees = [_monomial_degree(f) for f in term.factors]
        return None if any(d is None for d in degrees) else sum(d for d in degrees if d is not None)
    if isinstance(term, n.Div):
        top, bottom = _monomial_degree(term.num), _monomial_degree(term.den)
        return None if top is None or bottom is None else top - bottom
    return None


def _place(index: int, term: n.Node) -> tuple[int, float, str, int]:
    if not n.free_symbols(term):
        return (2, 0.0, "", index)  # constants last
    degree = _monomial_degree(term)
    if degree is None:
        return (1, 0.0, "", index)  # sin x, e^x, (x + 1)^2: after the powers, as written
    return (0, -degree, _variables_key(term), index)


def ordered_terms(node: n.Add) -> list[n.Node]:
    """See :func:`_ordered_terms` (cached: every printer asks, for the same sums). A sum a
    problem wrote in a chosen order (``(σ(z) - y) x + w/2``, ``0 - 2x - 6 cos(3x - 3y)`` term by
    term) keeps it."""
    if node.written:
        return list(node.terms)
    return list(_ordered_terms(node))


@lru_cache(maxsize=1024)  # the sums of the last few answers and sheets: memory stays flat
def _ordered_terms(node: n.Add) -> tuple[n.Node, ...]:
    r"""Terms as people write them: powers by falling degree, then in the order of the variables
    (``48x + 14y``, ``x^2 + xy + y^2``, ``10x^4 - 3/(2\sqrt{x})``), then other terms in the order
    they come (``6x + \frac{1}{x - 1}``), constants last. Arithmetic (a sum of numbers, as in a
    worked step ``2 \cdot 6 - 1^2``) stays as written."""
    if not n.free_symbols(node):
        return node.terms
    terms = [term for _, term in sorted(enumerate(node.terms), key=lambda item: _place(*item))]
    if len(terms) == 2:
        # "1 - y", "y - x", "1 - sigma(z)": a positive term goes first rather than a leading minus
        first_negative, _ = pull_sign(terms[0])
        second_negative, _ = pull_sign(terms[1])
        if first_negative and not second_negative:
            terms.reverse()
    return tuple(terms)


def is_numeral(node: n.Node) -> bool:
    """A number as arithmetic writes it: 6, -3, 1/2, 2^3, (-2)^2."""
    # exact type tests, not isinstance: every printer asks this of every factor (a million
    # times for the feedback pages of 300 students)
    kind = type(node)
    if kind is n.Num:
        return True
    if kind is n.Neg:
        return is_numeral(node.arg)  # type: ignore[attr-defined]
    if kind is n.Pow:
        exponent = n.rational_value(node.exp)  # type: ignore[attr-defined]
        return exponent is not None and exponent.denominator == 1 and is_numeral(node.base)  # type: ignore[attr-defined]
    if kind is n.Div:
        return is_numeral(node.num) and is_numeral(node.den)  # type: ignore[attr-defined]
    if kind is n.Add:  # a bracketed sum of numbers: (2 · (-1) - 2 - 0) · (-1)
        return all(is_numeral(t) or (type(t) is n.Mul and is_arithmetic(t.factors)) for t in node.terms)  # type: ignore[attr-defined]
    return False


def in_print_order(node: n.Node, signs_out: bool = True) -> n.Node:
    r"""The tree with every sum and product in the order it is printed, so that numbers
    substituted into it show the arithmetic in the order the formula was written
    (``3 \cdot 2^2 - 4 \cdot 2 + 1``; ``10 \cdot 0^2 \cdot (-1)`` for 10x^2y) and with the
    signs where the page puts them (``-(9 \cdot 2 + 3)`` for (-9x - 3) at 2); without
    ``signs_out``, every sum keeps its own signs (the pieces of a rule as they were named)."""
    if isinstance(node, n.Add):
        return n.Add(tuple(in_print_order(t, signs_out) for t in ordered_terms(node)), written=True)
    if isinstance(node, (n.Num, n.Sym, n.Const)):
        return node
    if isinstance(node, n.Mul):  # the coefficient first, then the factors as the page orders them
        flipped = False
        factors = []
        for factor in node.factors:
            if signs_out and type(factor) is n.Add:  # a sum of negative terms prints as -(...): so does its arithmetic
                negative, factor = _factor_sign(factor)
                flipped ^= negative
            factors.append(in_print_order(factor, signs_out))
        numbers = [f for f in factors if type(f) is n.Num]
        product = n.Mul((*numbers, *factors_in_print_order([f for f in factors if type(f) is not n.Num])))
        return n.Neg(product) if flipped else product
    return n.rebuild(node, tuple(in_print_order(c, signs_out) for c in node.children()))


def is_arithmetic(factors: tuple[n.Node, ...] | list[n.Node]) -> bool:
    r"""A product of numbers only (``2 \cdot 6``, ``3 \cdot (-2)^2``): a worked step, printed as
    written with a dot between the factors. (Keys never hold one: their numbers are folded.)"""
    return len(factors) > 1 and all(is_numeral(f) for f in factors)


def pull_sign(node: n.Node) -> tuple[bool, n.Node]:
    """A term's overall sign and its magnitude, so a minus is written once, in front:
    ``a - b`` rather than ``a + (-b)``, ``-4 sin u`` rather than ``4 · -sin u``. Signs of
    factors (nested products, quotients) are multiplied out; the value is unchanged."""
    kind = type(node)
    if kind is n.Sym or kind is n.Call or kind is n.Pow or kind is n.Const or kind is n.Add:
        return False, node  # the commonest factors first: nothing to pull out of them
    if kind is n.Neg:
        negative, magnitude = pull_sign(node.arg)  # type: ignore[attr-defined]
        return not negative, magnitude
    if kind is n.Num:
        if node.value.numerator < 0 and not n.is_put_in(node):  # type: ignore[attr-defined]
            return True, n.Num(-node.value, node.text.lstrip("-"))  # type: ignore[attr-defined]
        return False, node
    if kind is n.Mul:
        factors_in = node.factors  # type: ignore[attr-defined]
        if is_arithmetic(factors_in):  # 4 · (-2) stays as written: only the first sign comes out
            first_negative, first = pull_sign(factors_in[0])
            return (first_negative, n.Mul((first, *factors_in[1:]))) if first_negative else (False, node)
        negative = changed = False
        factors: list[n.Node] = []
        for factor in factors_in:
            factor_negative, magnitude = _factor_sign(factor)
            negative ^= factor_negative
            changed |= factor_negative or magnitude is not factor  # --(a + b) prints as (a + b)
            factors.append(magnitude)
        if not changed:
            return False, node
        factors = [f for f in factors if not (type(f) is n.Num and f.value == 1 and not f.text)] or [n.Num(1)]  # type: ignore[attr-defined]
        return negative, factors[0] if len(factors) == 1 else n.Mul(tuple(factors))
    if kind is n.Div:
        num_negative, numerator = _factor_sign(node.num)  # type: ignore[attr-defined]
        den_negative, denominator = _factor_sign(node.den)  # type: ignore[attr-defined]
        if num_negative != den_negative:
            return True, n.Div(numerator, denominator)
    return False, node


def _factor_sign(factor: n.Node) -> tuple[bool, n.Node]:
    """:func:`pull_sign` of a factor, where a sum of negative terms also gives up its sign:
    ``-(9x + 3)e^{6-3x}``, not ``(-9x - 3)e^{6-3x}``; ``(4x^3 + 3)e^x``, not ``-(-4x^3 - 3)e^x``.
    Only for a factor: on its own a sum stays ``-3x - 1``; arithmetic stays as written."""
    if type(factor) is not n.Add or getattr(factor, "written", False) or not n.free_symbols(factor):
        return pull_sign(factor)
    pulled = [pull_sign(term) for term in factor.terms]  # type: ignore[attr-defined]
    if not all(negative for negative, _ in pulled):
        return False, factor
    return True, n.Add(tuple(magnitude for _, magnitude in pulled))


def _is_exponential(node: n.Node) -> bool:
    return (isinstance(node, n.Call) and node.func == "exp") or (isinstance(node, n.Pow) and isinstance(node.base, n.Const) and node.base.name == "e")


def _is_named_call(node: n.Node) -> bool:
    base = node.base if isinstance(node, n.Pow) else node
    return isinstance(base, n.Call) and base.func not in ("exp", "sqrt", "abs")


def _monomial_variable(node: n.Node) -> str | None:
    base = node.base if isinstance(node, n.Pow) and isinstance(node.exp, n.Num) else node
    return base.name if isinstance(base, n.Sym) else None


def _monomials_in_order(factors: list[n.Node]) -> list[n.Node]:
    """``4x^2y`` rather than ``4yx^2``: within each run of adjacent powers of variables the
    variables go in alphabetical order; every other factor keeps its place."""
    out: list[n.Node] = []
    run: list[n.Node] = []
    for factor in [*factors, None]:
        if factor is not None and _monomial_variable(factor) is not None:
            run.append(factor)
            continue
        out.extend(sorted(run, key=_monomial_variable))  # type: ignore[arg-type]
        run = []
        if factor is not None:
            out.append(factor)
    return out


def _exponentials_first(factors: list[n.Node]) -> list[n.Node]:
    """``e^{x^2} \\cos 3x`` rather than ``\\cos 3x \\, e^{x^2}``: an exponential moves in front of
    the named functions (sin, ln, σ, …) before it; every other factor keeps its place."""
    out: list[n.Node] = []
    for factor in factors:
        if _is_exponential(factor):
            index = len(out)
            while index > 0 and _is_named_call(out[index - 1]):
                index -= 1
            out.insert(index, factor)
        else:
            out.append(factor)
    return out


def factors_in_print_order(factors: list[n.Node]) -> list[n.Node]:
    """The factors of a product (above its fraction line) in the order the page prints them:
    ``4x^2y``, ``e^{x^2} \\cos 3x``; otherwise as they come. Shared by the LaTeX and MathML
    printers, and by worked steps that name the factors (u and v of the product rule)."""
    return _exponentials_first(_monomials_in_order(factors))
