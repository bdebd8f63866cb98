"""Calculus on exgen's own trees: derivatives, and the real zeros of a polynomial with their
types, exactly. Error carried forward differentiates a student's answer and finds the critical
points of a student's derivative; doing it here keeps sympy (0.4 s to import, slow on roots)
off the grading path. Where a case needs a computer algebra system (a non-smooth function, an
irreducible factor of degree three or more) the functions return None and the caller decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from exgen.answers import nodes as n
from exgen.answers.surds import OutsideField, Surd, polynomial_gcd, trimmed

HALF = n.Num(Fraction(1, 2))
MAX_DEGREE = 40  # a student's polynomial of higher degree is not followed


def _product(factors: Sequence[n.Node]) -> n.Node:
    return factors[0] if len(factors) == 1 else n.Mul(tuple(factors))


def _call(name: str, argument: n.Node) -> n.Node:
    return n.Call(name, (argument,))


def _power(base: n.Node, exponent: int | Fraction) -> n.Node:
    return n.Pow(base, n.signed(exponent))


# f′(u) for each smooth whitelisted function of one argument, as a tree in u
def _outer_derivative(name: str, u: n.Node) -> n.Node | None:
    one = n.ONE
    if name == "sin":
        return _call("cos", u)
    if name == "cos":
        return n.Neg(_call("sin", u))
    if name == "tan":
        return _power(_call("sec", u), 2)
    if name == "sec":
        return n.Mul((_call("sec", u), _call("tan", u)))
    if name == "csc":
        return n.Neg(n.Mul((_call("csc", u), _call("cot", u))))
    if name == "cot":
        return n.Neg(_power(_call("csc", u), 2))
    if name in ("asin", "acos"):
        root = n.Div(one, _call("sqrt", n.sub(one, _power(u, 2))))
        return root if name == "asin" else n.Neg(root)
    if name == "atan":
        return n.Div(one, n.Add((one, _power(u, 2))))
    if name == "sinh":
        return _call("cosh", u)
    if name == "cosh":
        return _call("sinh", u)
    if name == "tanh":
        return _power(_call("sech", u), 2)
    if name == "sech":
        return n.Neg(n.Mul((_call("sech", u), _call("tanh", u))))
    if name == "csch":
        return n.Neg(n.Mul((_call("csch", u), _call("coth", u))))
    if name == "coth":
        return n.Neg(_power(_call("csch", u), 2))
    if name == "asinh":
        return n.Div(one, _call("sqrt", n.Add((_power(u, 2), one))))
    if name == "acosh":
        return n.Div(one, _call("sqrt", n.sub(_power(u, 2), one)))
    if name == "atanh":
        return n.Div(one, n.sub(one, _power(u, 2)))
    if name == "exp":
        return _call("exp", u)
    if name == "log":
        return n.Div(one, u)
    if name in ("log10", "log2"):
        return n.Div(one, n.Mul((u, _call("log", n.signed(10 if name == "log10" else 2)))))
    if name == "sqrt":
        return n.Div(one, n.Mul((n.signed(2), _call("sqrt", u))))
    if name == "sigma":
        return n.Mul((_call("sigma", u), n.sub(one, _call("sigma", u))))
    return None  # abs, sign, max, min, atan2: not smooth everywhere


class _NotSmooth(Exception):
    pass


def derivative(tree: n.Node, variable: str) -> n.Node | None:
    """d tree / d variable as a tree (unsimplified; the engine compares by value), or None when
    the tree uses a function that is not smooth (abs, sign, max, min, atan2)."""
    try:
        result = _derivative(tree, variable)
    except _NotSmooth:
        return None
    return n.ZERO if result is None else result


def _derivative(node: n.Node, x: str) -> n.Node | None:
    """None stands for zero, so constant parts drop out instead of growing the tree."""
    if x not in n.free_symbols(node):
        return None
    kind = type(node)
    if kind is n.Sym:
        return n.ONE
    if kind is n.Add:
        terms = [d for d in (_derivative(t, x) for t in node.terms) if d is not None]  # type: ignore[attr-defined]
        return None if not terms else terms[0] if len(terms) == 1 else n.Add(tuple(terms))
    if kind is n.Neg:
        inner = _derivative(node.arg, x)  # type: ignore[attr-defined]
        return None if inner is None else n.Neg(inner)
    if kind is n.Mul:
        factors = node.factors  # type: ignore[attr-defined]
        terms = []
        for index, factor in enumerate(factors):
            d = _derivative(factor, x)
            if d is not None:
                terms.append(_product([*factors[:index], d, *factors[index + 1 :]]))
        return None if not terms else terms[0] if len(terms) == 1 else n.Add(tuple(terms))
    if kind is n.Div:
        u, v = node.num, node.den  # type: ignore[attr-defined]
        du, dv = _derivative(u, x), _derivative(v, x)
        if dv is None:
            return None if du is None else n.Div(du, v)
        top = n.Neg(n.Mul((u, dv))) if du is None else n.sub(n.Mul((du, v)), n.Mul((u, dv)))
        return n.Div(top, _power(v, 2))
    if kind is n.Pow:
        base, exponent = node.base, node.exp  # type: ignore[attr-defined]
        db, de = _derivative(base, x), _derivative(exponent, x)
        if de is None:  # b(x)^c
            assert db is not None
            return _product([exponent, n.Pow(base, n.sub(exponent, n.ONE)), db])
        if db is None:  # c^e(x)
            return _product([node, _call("log", base), de])
        return n.Mul((node, n.Add((n.Mul((de, _call("log", base))), n.Mul((exponent, db, n.Pow(base, n.signed(-1))))))))
    if kind is n.Call:
        if len(node.args) != 1:  # type: ignore[attr-defined]
            raise _NotSmooth
        u = node.args[0]  # type: ignore[attr-defined]
        outer = _outer_derivative(node.func, u)  # type: ignore[attr-defined]
        if outer is None:
            raise _NotSmooth
        inner = _derivative(u, x)
        return None if inner is None else outer if inner == n.ONE else n.Mul((outer, inner))
    raise _NotSmooth  # containers and equations have no derivative here


# -- polynomials in one variable ------------------------------------------------------------


def polynomial(tree: n.Node, variable: str, max_degree: int = MAX_DEGREE) -> list[Fraction] | None:
    """The coefficients (constant term first) of ``tree`` as a polynomial in ``variable`` with
    rational coefficients, or None if it is not one (or its degree exceeds ``max_degree``)."""
    try:
        coefficients = _poly(tree, variable, max_degree)
    except _NotPolynomial:
        return None
    while len(coefficients) > 1 and coefficients[-1] == 0:
        coefficients.pop()
    return coefficients


class _NotPolynomial(Exception):
    pass


def _poly(node: n.Node, x: str, limit: int) -> list[Fraction]:
    constant = n.rational_value(node)
    if constant is not None:
        return [constant]
    kind = type(node)
    if kind is n.Sym:
        if node.name != x:  # type: ignore[attr-defined]
            raise _NotPolynomial
        return [Fraction(0), Fraction(1)]
    if kind is n.Add:
        total = [Fraction(0)]
        for term in node.terms:  # type: ignore[attr-defined]
            total = _add(total, _poly(term, x, limit))
        return total
    if kind is n.Neg:
        return [-c for c in _poly(node.arg, x, limit)]  # type: ignore[attr-defined]
    if kind is n.Mul:
        product = [Fraction(1)]
        for factor in node.factors:  # type: ignore[attr-defined]
            product = _multiply(product, _poly(factor, x, limit), limit)
        return product
    if kind is n.Div:
        den = n.rational_value(node.den)  # type: ignore[attr-defined]
        if den is None or den == 0:
            raise _NotPolynomial
        return [c / den for c in _poly(node.num, x, limit)]  # type: ignore[attr-defined]
    if kind is n.Pow:
        exponent = n.rational_value(node.exp)  # type: ignore[attr-defined]
        if exponent is None or exponent.denominator != 1 or exponent < 0:
            raise _NotPolynomial
        base = _poly(node.base, x, limit)  # type: ignore[attr-defined]
        if (len(base) - 1) * int(exponent) > limit:
            raise _NotPolynomial
        result = [Fraction(1)]
        for _ in range(int(exponent)):
            result = _multiply(result, base, limit)
        return result
    raise _NotPolynomial  # functions and constants such as e, pi


def _add(a: list[Fraction], b: list[Fraction]) -> list[Fraction]:
    if len(a) < len(b):
        a, b = b, a
    return [c + (b[i] if i < len(b) else 0) for i, c in enumerate(a)]


def _multiply(a: list[Fraction], b: list[Fraction], limit: int) -> list[Fraction]:
    if len(a) + len(b) - 2 > limit:
        raise _NotPolynomial
    out = [Fraction(0)] * (len(a) + len(b) - 1)
    for i, p in enumerate(a):
        if p:
            for j, q in enumerate(b):
                out[i + j] += p * q
    return out


def _sign(value: Fraction) -> int:
    return (value > 0) - (value < 0)


def classified_zeros(coefficients: Sequence[Fraction]) -> list[tuple[n.Node, str]] | None:
    """The distinct real zeros of a polynomial f′ (coefficients, constant term first), in
    increasing order, each with the type of the critical point of f there — "minimum" where f′
    changes from negative to positive, "maximum" the other way, "neither" where it keeps its
    sign — exactly: the zeros come from the factorization over ℚ (linear and quadratic
    factors), the sign changes from the parity of each zero's multiplicity. None when an
    irreducible factor of degree ≥ 3 would be needed (then a computer algebra system is)."""
    from flint import fmpq, fmpq_poly

    if len(coefficients) < 2 or all(c == 0 for c in coefficients[1:]):
        return []
    poly = fmpq_poly([fmpq(c.numerator, c.denominator) for c in coefficients])
    leading = _sign(Fraction(coefficients[-1]))
    zeros: list[tuple[float, n.Node, int]] = []  # (value for ordering, exact tree, multiplicity)
    _, factors = poly.factor()
    for factor, multiplicity in factors:
        c = [Fraction(int(q.p), int(q.q)) for q in (factor.coeffs())]
        if len(c) == 2:
            root = -c[0] / c[1]
            zeros.append((float(root), n.signed(root), multiplicity))
        elif len(c) == 3:
            a, b, k = c[2], c[1], c[0]
            discriminant = b * b - 4 * a * k
            if discriminant < 0:
                continue
            # irreducible over ℚ: the discriminant is not a square, the two zeros are irrational
            centre, spread = -b / (2 * a), 1 / (2 * abs(a))
            root = n.Mul((n.signed(spread), n.Pow(n.signed(discriminant), HALF)))
            value = float(spread) * float(discriminant) ** 0.5
            zeros.append((float(centre) - value, n.sub(n.signed(centre), root), multiplicity))
            zeros.append((float(centre) + value, n.Add((n.signed(centre), root)), multiplicity))
        elif len(c) > 3 and all(v == 0 for v in c[1:-1]):  # a·x^k + b: real k-th roots
            k, ratio = len(c) - 1, -c[0] / c[-1]
            root = n.Pow(n.signed(abs(ratio)), n.Num(Fraction(1, k)))
            value = float(abs(ratio)) ** (1 / k)
            if k % 2:
                zeros.append((value if ratio > 0 else -value, root if ratio > 0 else n.Neg(root), multiplicity))
            elif ratio > 0:
                zeros += [(-value, n.Neg(root), multiplicity), (value, root, multiplicity)]
        elif len(c) > 3 and real_zero_count(c) > 0:
            return None  # zeros with no closed form (sympy gives CRootOf): nothing to follow
    zeros.sort(key=lambda z: z[0])
    for left, right in zip(zeros, zeros[1:]):
        if not right[0] - left[0] > 1e-9 * max(1.0, abs(left[0]), abs(right[0])):
            return None  # too close to order by floating point: leave it to a CAS
    rows: list[tuple[n.Node, str]] = []
    after = leading  # the sign of f′ right of the largest zero
    for _, tree, multiplicity in reversed(zeros):
        before = after if multiplicity % 2 == 0 else -after
        label = "minimum" if before < 0 < after else "maximum" if before > 0 > after else "neither"
        rows.append((tree, label))
        after = before
    rows.reverse()
    return rows


def real_zero_count(coefficients: Sequence[Fraction]) -> int:
    """How many distinct real zeros a polynomial has (Sturm's theorem, exact)."""
    from flint import fmpq, fmpq_poly

    p = fmpq_poly([fmpq(c.numerator, c.denominator) for c in coefficients])
    chain = [p, p.derivative()]
    while chain[-1].degree() > 0:
        remainder = chain[-2] % chain[-1]
        if remainder == 0:
            break
        chain.append(-remainder)

    def changes(at_plus: bool) -> int:
        signs = []
        for q in chain:
            lead = q.coeffs()[-1] if q.degree() >= 0 else 0
            sign = (lead > 0) - (lead < 0)
            if not at_plus and q.degree() % 2:
                sign = -sign
            if sign:
                signs.append(sign)
        return sum(1 for a, b in zip(signs, signs[1:]) if a != b)

    return changes(False) - changes(True)


# -- polynomial systems in two variables: the critical points of a student's gradient -----------

def _mpoly(node: n.Node, context: object, names: tuple[str, str], limit: int = MAX_DEGREE) -> object:
    """``node`` as a flint polynomial in two variables with rational coefficients."""
    constant = n.rational_value(node)
    if constant is not None:
        return _constant(context, constant)
    kind = type(node)
    if kind is n.Sym:
        if node.name not in names:  # type: ignore[attr-defined]
            raise _NotPolynomial
        return context.gens()[names.index(node.name)]  # type: ignore[attr-defined]
    if kind is n.Add:
        total = _constant(context, Fraction(0))
        for term in node.terms:  # type: ignore[attr-defined]
            total = total + _mpoly(term, context, names, limit)
        return total
    if kind is n.Neg:
        return -_mpoly(node.arg, context, names, limit)  # type: ignore[attr-defined, operator]
    if kind is n.Mul:
        product = _constant(context, Fraction(1))
        for factor in node.factors:  # type: ignore[attr-defined]
            product = product * _mpoly(factor, context, names, limit)
            if product.total_degree() > limit:
                raise _NotPolynomial
        return product
    if kind is n.Div:
        den = n.rational_value(node.den)  # type: ignore[attr-defined]
        if den is None or den == 0:
            raise _NotPolynomial
        return _mpoly(node.num, context, names, limit) * _constant(context, 1 / den)  # type: ignore[operator]
    if kind is n.Pow:
        exponent = n.rational_value(node.exp)  # type: ignore[attr-defined]
        if exponent is None or exponent.denominator != 1 or exponent < 0:
            raise _NotPolynomial
        base = _mpoly(node.base, context, names, limit)  # type: ignore[attr-defined]
        if base.total_degree() * int(exponent) > limit:  # type: ignore[attr-defined]
            raise _NotPolynomial
        return base ** int(exponent)  # type: ignore[operator]
    raise _NotPolynomial


def _constant(context: object, value: Fraction) -> object:
    from flint import fmpq

    return context.constant(fmpq(value.numerator, value.denominator))  # type: ignore[attr-defined]


def _univariate(poly: object, index: int) -> list[Fraction]:
    """A flint polynomial that uses only variable ``index`` as coefficients, constant first."""
    terms = poly.to_dict()  # type: ignore[attr-defined]
    degree = max((e[index] for e in terms), default=0)
    out = [Fraction(0)] * (degree + 1)
    for exponents, coefficient in terms.items():
        out[exponents[index]] = Fraction(int(coefficient.p), int(coefficient.q))
    return out


def _real_zeros(coefficients: Sequence[Surd]) -> list[Surd] | None:
    """The distinct real zeros of a one-variable polynomial (constant term first) whose
    coefficients lie in one field ℚ(√d): rational zeros and quadratic irrationals. None when a
    real zero has no closed form in square roots (an irreducible factor of degree three or
    more: nothing to follow, as for one variable); :class:`OutsideField` when a zero would
    need a square root over ℚ(√d) (nested radicals)."""
    from flint import fmpq, fmpq_poly

    poly = trimmed(coefficients)
    if len(poly) < 2:
        return []
    if not all(c.is_rational for c in poly):
        if len(poly) == 2:
            return [-poly[0] / poly[1]]
        raise OutsideField("a square root over a quadratic field")
    _, factors = fmpq_poly([fmpq(c.a.numerator, c.a.denominator) for c in poly]).factor()
    zeros: list[Surd] = []
    for factor, _ in factors:
        c = [Fraction(int(q.p), int(q.q)) for q in factor.coeffs()]
        if len(c) == 2:
            zeros.append(Surd(-c[0] / c[1]))
        elif len(c) == 3:
            discriminant = c[1] * c[1] - 4 * c[2] * c[0]
            if discriminant < 0:
                continue  # two complex zeros
            centre, root = Surd(-c[1] / (2 * c[2])), Surd.sqrt(discriminant) / Surd(2 * c[2])
            zeros += [centre - root, centre + root]
        elif real_zero_count(c) > 0:
            return None  # a real zero with no closed form in square roots
    return zeros


def _in_second(terms: dict[tuple[int, int], Any], first: Surd) -> list[Surd]:
    """A two-variable polynomial (flint's terms) with its first variable set: coefficients in
    the second, constant first."""
    degree = max((e[1] for e in terms), default=0)
    out = [Surd(Fraction(0))] * (degree + 1)
    powers = _powers(first, max((e[0] for e in terms), default=0))
    for (i, j), coefficient in terms.items():
        out[j] = out[j] + powers[i] * Surd(Fraction(int(coefficient.p), int(coefficient.q)))
    return out


def _at_point(terms: dict[tuple[int, int], Any], x0: Surd, y0: Surd) -> Surd:
    total = Surd(Fraction(0))
    ys = _powers(y0, max((e[1] for e in terms), default=0))
    for j, coefficient in enumerate(_in_second(terms, x0)):
        total = total + coefficient * ys[j]
    return total


def _powers(value: Surd, degree: int) -> list[Surd]:
    powers = [Surd(Fraction(1))]
    for _ in range(degree):
        powers.append(powers[-1] * value)
    return powers


def critical_points_two(p: n.Node, q: n.Node, names: tuple[str, str]) -> list[tuple[tuple[n.Node, n.Node], str]] | None:
    """The real solutions of P = Q = 0 (a student's gradient), each typed by the second
    derivative test on (P, Q) — D = P_x Q_y − P_y²: a saddle where D < 0, else a minimum or a
    maximum by the sign of P_x — exactly, from the resultant: rational coordinates and
    quadratic irrationals (1 ± √6/2), in increasing order. None when the answer cannot be
    followed: not polynomials, a curve of solutions, a point where D = 0, a coordinate with
    no closed form in square roots, or one that needs nested square roots or two different
    ones. (sympy's solve, used here before, took 10–200 times as long and dropped real points
    it could not prove real, so that it followed a wrong list.)"""
    from flint import fmpq_mpoly_ctx

    context = fmpq_mpoly_ctx.get(names, "lex")
    try:
        P, Q = _mpoly(p, context, names), _mpoly(q, context, names)
    except _NotPolynomial:
        return None
    if (P.is_constant() and not P.is_zero()) or (Q.is_constant() and not Q.is_zero()):
        return []  # a nonzero constant is never zero: no critical points
    if P.is_zero() or Q.is_zero():
        return None  # one equation left: a curve of solutions
    resultant = P.resultant(Q, names[1])
    if resultant.is_zero():
        return None  # a common factor: a curve of solutions, no finite list to follow
    p_terms, q_terms = P.to_dict(), Q.to_dict()
    second = [d.to_dict() for d in (P.derivative(names[0]), Q.derivative(names[1]), P.derivative(names[1]))]
    rows: list[tuple[float, float, tuple[n.Node, n.Node], str]] = []
    try:
        xs = _real_zeros([Surd(c) for c in _univariate(resultant, 0)])
        if xs is None:
            return None
        for x0 in xs:
            p_x0, q_x0 = trimmed(_in_second(p_terms, x0)), trimmed(_in_second(q_terms, x0))
            if not p_x0 and not q_x0:
                return None  # a line of solutions
            ys = _real_zeros(polynomial_gcd(p_x0, q_x0))
            if ys is None:
                return None
            for y0 in ys:
                fxx, fyy, fxy = (_at_point(terms, x0, y0) for terms in second)
                determinant = (fxx * fyy - fxy * fxy).sign()
                if determinant == 0:
                    return None  # the test says nothing: the types cannot be followed
                label = "saddle" if determinant < 0 else "minimum" if fxx.sign() > 0 else "maximum"
                rows.append((float(x0), float(y0), (x0.tree(), y0.tree()), label))
    except OutsideField:
        return None  # nested square roots, or two different ones in one point: not followed
    rows.sort(key=lambda row: (row[0], row[1]))
    return [(point, label) for _, _, point, label in rows]

