"""The expression tree every answer is read into.

The reader builds these nodes from student text; trusted sympy keys are converted into them
(:mod:`exgen.answers.sympy_bridge`). Numeric evaluation, exact proofs and printing all work on
this tree, so student text never reaches sympy's parser or its automatic evaluation.

Nodes are immutable by convention and compared by value. They are plain slotted classes
rather than frozen dataclasses because the reader builds tens of thousands of them per batch:
construction is cheap, and the hash and the set of free symbols are computed on first use
and then cached on the node.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any

_EMPTY: frozenset[str] = frozenset()
_UNKNOWN: Any = object()  # rational value not computed yet


class Node:
    """Base of all expression nodes."""

    __slots__ = ("_h", "_free", "_rv")

    def _key(self) -> tuple[Any, ...]:
        raise NotImplementedError

    def children(self) -> tuple[Node, ...]:
        return ()

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if type(self) is not type(other):
            return NotImplemented if not isinstance(other, Node) else False
        return self._key() == other._key()  # type: ignore[attr-defined]

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        cached = self._h
        if cached is None:
            cached = self._h = hash((type(self).__name__, *self._key()))
        return cached

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(repr(v) for v in self._key())})"


class Num(Node):
    """An exact rational number; decimals such as ``0.5`` are read exactly."""

    __slots__ = ("value", "text")

    def __init__(self, value: Fraction | int, text: str = "") -> None:
        self.value = value if type(value) is Fraction else Fraction(value)
        self.text = text  # as typed, for "how it was read"; empty for computed numbers
        self._h = None
        self._free = _EMPTY
        self._rv = self.value

    def _key(self) -> tuple[Any, ...]:
        return (self.value, self.text)

    @property
    def is_decimal(self) -> bool:
        return "." in self.text


class Sym(Node):
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name
        self._h = None
        self._free = frozenset((name,))
        self._rv = None

    def _key(self) -> tuple[Any, ...]:
        return (self.name,)


class Const(Node):
    """A named mathematical constant: ``e`` or ``pi``."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name
        self._h = None
        self._free = _EMPTY
        self._rv = None

    def _key(self) -> tuple[Any, ...]:
        return (self.name,)


class _Branch(Node):
    """A node whose fields are its children (free symbols computed lazily)."""

    __slots__ = ()

    def _key(self) -> tuple[Any, ...]:
        return self.children()


class Add(_Branch):
    # ``written``: the terms are in the order a problem wrote them (printers keep it); not part
    # of the node's identity
    __slots__ = ("terms", "written")

    def __init__(self, terms: tuple[Node, ...], written: bool = False) -> None:
        self.terms = terms
        self.written = written
        self._h = None
        self._free = None
        self._rv = _UNKNOWN

    def children(self) -> tuple[Node, ...]:
        return self.terms


class Neg(_Branch):
    __slots__ = ("arg",)

    def __init__(self, arg: Node) -> None:
        self.arg = arg
        self._h = None
        self._free = None
        self._rv = _UNKNOWN

    def children(self) -> tuple[Node, ...]:
        return (self.arg,)


class Mul(_Branch):
    __slots__ = ("factors",)

    def __init__(self, factors: tuple[Node, ...]) -> None:
        self.factors = factors
        self._h = None
        self._free = None
        self._rv = _UNKNOWN

    def children(self) -> tuple[Node, ...]:
        return self.factors


class Div(_Branch):
    __slots__ = ("num", "den")

    def __init__(self, num: Node, den: Node) -> None:
        self.num = num
        self.den = den
        self._h = None
        self._free = None
        self._rv = _UNKNOWN

    def children(self) -> tuple[Node, ...]:
        return (self.num, self.den)


class Pow(_Branch):
    __slots__ = ("base", "exp")

    def __init__(self, base: Node, exp: Node) -> None:
        self.base = base
        self.exp = exp
        self._h = None
        self._free = None
        self._rv = _UNKNOWN

    def children(self) -> tuple[Node, ...]:
        return (self.base, self.exp)


class Call(Node):
    """A whitelisted function applied to arguments; ``func`` is the canonical name."""

    __slots__ = ("func", "args")

    def __init__(self, func: str, args: tuple[Node, ...]) -> None:
        self.func = func
        self.args = args
        self._h = None
        self._free = None
        self._rv = _UNKNOWN

    def _key(self) -> tuple[Any, ...]:
        return (self.func, self.args)

    def children(self) -> tuple[Node, ...]:
        return self.args


# Containers: only answer kinds (points, vectors, equations) accept these at the top level.
class Tuple(_Branch):
    __slots__ = ("items",)

    def __init__(self, items: tuple[Node, ...]) -> None:
        self.items = items
        self._h = None
        self._free = None
        self._rv = _UNKNOWN

    def children(self) -> tuple[Node, ...]:
        return self.items


class Seq(_Branch):
    """A top-level comma-separated list, as in ``(0,0), (2,-4)`` or ``-1, 0, 2``."""

    __slots__ = ("items",)

    def __init__(self, items: tuple[Node, ...]) -> None:
        self.items = items
        self._h = None
        self._free = None
        self._rv = _UNKNOWN

    def children(self) -> tuple[Node, ...]:
        return self.items


class Eq(_Branch):
    __slots__ = ("lhs", "rhs")

    def __init__(self, lhs: Node, rhs: Node) -> None:
        self.lhs = lhs
        self.rhs = rhs
        self._h = None
        self._free = None
        self._rv = _UNKNOWN

    def children(self) -> tuple[Node, ...]:
        return (self.lhs, self.rhs)


CONTAINERS = (Tuple, Seq, Eq)


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children (iterative: trees can be deep)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children()))


def free_symbols(node: Node) -> frozenset[str]:
    cached = node._free
    if cached is None:
        children = node.children()
        if not children:
            cached = _EMPTY
        else:
            # A parent usually has its children's names (x in every term): share the set
            # rather than build a new one per node.
            cached = free_symbols(children[0])
            for child in children[1:]:
                names = free_symbols(child)
                if names is not cached and not names <= cached:
                    cached = cached | names
        node._free = cached
    return cached


MAX_FOLDED_EXPONENT = 10_000
MAX_FOLDED_BITS = 100_000


def rational_value(node: Node) -> Fraction | None:
    """The exact value of a rational constant subtree (``2^-3``, ``1/2 + 0.25``), else None.

    Cached on the node; the reader fills the cache as it builds the tree.
    """
    cached = node._rv
    if cached is not _UNKNOWN:
        return cached  # type: ignore[no-any-return]
    value: Fraction | None = None
    if isinstance(node, Neg):
        inner = rational_value(node.arg)
        value = -inner if inner is not None else None
    elif isinstance(node, (Add, Mul)):
        values = [rational_value(c) for c in node.children()]
        if all(v is not None for v in values):
            if isinstance(node, Add):
                value = sum(values, Fraction(0))  # type: ignore[arg-type]
            else:
                value = Fraction(1)
                for v in values:
                    value *= v  # type: ignore[operator]
    elif isinstance(node, Div):
        num, den = rational_value(node.num), rational_value(node.den)
        if num is not None and den is not None and den != 0:
            value = num / den
    elif isinstance(node, Pow):
        base, exp = rational_value(node.base), rational_value(node.exp)
        if (
            base is not None
            and exp is not None
            and exp.denominator == 1
            and abs(exp) <= MAX_FOLDED_EXPONENT
            and not (base == 0 and exp <= 0)
            and max(abs(base.numerator), base.denominator).bit_length() * abs(exp.numerator) <= MAX_FOLDED_BITS
        ):
            value = base ** int(exp)
    node._rv = value
    return value


def functions_used(node: Node) -> frozenset[str]:
    return frozenset(n.func for n in walk(node) if isinstance(n, Call))


def size(node: Node) -> int:
    return sum(1 for _ in walk(node))


def is_constant(node: Node) -> bool:
    return not free_symbols(node)


def rebuild(node: Node, children: tuple[Node, ...]) -> Node:
    """A node of the same type as ``node`` with other children (containers and equations too)."""
    kind = type(node)
    if kind is Add:
        return Add(children, node.written)  # type: ignore[attr-defined]
    if kind is Mul:
        return Mul(children)
    if kind is Neg:
        return Neg(children[0])
    if kind is Div:
        return Div(children[0], children[1])
    if kind is Pow:
        return Pow(children[0], children[1])
    if kind is Call:
        return Call(node.func, children)  # type: ignore[attr-defined]
    if kind is Tuple:
        return Tuple(children)
    if kind is Seq:
        return Seq(children)
    if kind is Eq:
        return Eq(children[0], children[1])
    return node


def substitute(node: Node, values: dict[str, Node]) -> Node:
    """``node`` with the named variables replaced (values computed on the student's own answer)."""
    if type(node) is Sym:
        return values.get(node.name, node)  # type: ignore[attr-defined]
    if not (free_symbols(node) & values.keys()):
        return node
    kind = type(node)
    if kind is Add:
        return Add(tuple(substitute(t, values) for t in node.terms), node.written)  # type: ignore[attr-defined]
    if kind is Neg:
        return Neg(substitute(node.arg, values))  # type: ignore[attr-defined]
    if kind is Mul:
        return Mul(tuple(substitute(f, values) for f in node.factors))  # type: ignore[attr-defined]
    if kind is Div:
        return Div(substitute(node.num, values), substitute(node.den, values))  # type: ignore[attr-defined]
    if kind is Pow:
        return Pow(substitute(node.base, values), substitute(node.exp, values))  # type: ignore[attr-defined]
    if kind is Call:
        return Call(node.func, tuple(substitute(a, values) for a in node.args))  # type: ignore[attr-defined]
    if kind is Tuple:
        return Tuple(tuple(substitute(i, values) for i in node.items))  # type: ignore[attr-defined]
    if kind is Seq:
        return Seq(tuple(substitute(i, values) for i in node.items))  # type: ignore[attr-defined]
    if kind is Eq:
        return Eq(substitute(node.lhs, values), substitute(node.rhs, values))  # type: ignore[attr-defined]
    return node


PUT_IN = "="  # the text of a number put in for a variable starts with it (no typed number does)


def put_in(node: Node) -> Node:
    """A number put in for a variable in a worked step, marked so that every printer shows the
    substitution rather than doing its arithmetic silently: it is never folded into a
    coefficient or dropped (``1 \\cdot e^{1}`` for x e^x at 1, not ``e^{1}``), a dot follows
    it, and a negative one is in brackets wherever it stands (``3 - (-2)``, ``-(-1) \\cdot 4``,
    ``(-2)^2``), its sign never merged with the formula's. Other values are left as they are."""
    value = rational_value(node)
    if value is None:
        return node
    text = str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    return Num(value, PUT_IN + text)


POWER_FORM = "^"  # the text of an exponent kept as written (no typed number starts with it)


def as_power(value: Fraction) -> Node:
    """An exponent that every printer writes as a power, x^{1/2} and x^{-1} rather than √x and
    1/x: a worked step that rewrites roots and reciprocals as powers for the power rule."""
    text = str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    return Num(value, POWER_FORM + text)


def is_power_form(node: Node) -> bool:
    """An exponent kept as a power (see :func:`as_power`)."""
    return type(node) is Num and node.text[:1] == POWER_FORM  # type: ignore[attr-defined]


def is_put_in(node: Node) -> bool:
    """A number put in for a variable (see :func:`put_in`)."""
    return type(node) is Num and node.text[:1] == PUT_IN  # type: ignore[attr-defined]


def is_bracketed_put_in(node: Node) -> bool:
    """A negative number put in for a variable: it prints its own brackets."""
    return is_put_in(node) and node.value < 0  # type: ignore[attr-defined]


def signed(value: Fraction | int) -> Node:
    """A rational number as a tree: ``Num``, under a ``Neg`` when it is negative (as read)."""
    value = Fraction(value)
    return Num(value) if value >= 0 else Neg(Num(-value))


def sub(a: Node, b: Node) -> Node:
    """``a - b`` as a tree (used for equations and differences)."""
    return Add((a, Neg(b)))


ZERO = Num(Fraction(0))
ONE = Num(Fraction(1))


# -- a lossless JSON form (for key.json: formulas in sentences, read back without parsing) ------


def to_data(node: Node) -> Any:
    """The tree as nested JSON lists: ``["+", ["v", "x"], ["n", 1, 2, ""]]`` is x + 1/2."""
    kind = type(node)
    if kind is Num:
        value = node.value  # type: ignore[attr-defined]
        return ["n", value.numerator, value.denominator, node.text]  # type: ignore[attr-defined]
    if kind is Sym:
        return ["v", node.name]  # type: ignore[attr-defined]
    if kind is Const:
        return ["c", node.name]  # type: ignore[attr-defined]
    if kind is Call:
        return ["f", node.func, *(to_data(a) for a in node.args)]  # type: ignore[attr-defined]
    return [_TAGS[kind], *(to_data(c) for c in node.children())]


_TAGS: dict[type, str] = {Add: "+", Neg: "-", Mul: "*", Div: "/", Pow: "^", Tuple: "()", Seq: ",", Eq: "="}
_BUILDERS: dict[str, Any] = {
    "+": lambda items: Add(tuple(items)), "-": lambda items: Neg(items[0]), "*": lambda items: Mul(tuple(items)),
    "/": lambda items: Div(items[0], items[1]), "^": lambda items: Pow(items[0], items[1]),
    "()": lambda items: Tuple(tuple(items)), ",": lambda items: Seq(tuple(items)), "=": lambda items: Eq(items[0], items[1]),
}


def from_data(data: Any) -> Node:
    """The tree written by :func:`to_data`."""
    tag = data[0]
    if tag == "n":
        return Num(Fraction(data[1], data[2]), data[3])
    if tag == "v":
        return Sym(data[1])
    if tag == "c":
        return Const(data[1])
    if tag == "f":
        return Call(data[1], tuple(from_data(a) for a in data[2:]))
    return _BUILDERS[tag]([from_data(c) for c in data[1:]])  # type: ignore[no-any-return]
