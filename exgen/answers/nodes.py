"""The expression tree every answer is read into.

The reader builds these nodes from student text; trusted sympy keys are converted into them
(:mod:`exgen.answers.sympy_bridge`). Numeric evaluation, exact proofs and printing all work on
this tree, so student text never reaches sympy's parser or its automatic evaluation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction


class Node:
    """Base of all expression nodes (immutable, hashable, compared by value)."""

    __slots__ = ()

    def children(self) -> tuple[Node, ...]:
        return ()


@dataclass(frozen=True, slots=True)
class Num(Node):
    """An exact rational number; decimals such as ``0.5`` are read exactly."""

    value: Fraction
    text: str = ""  # as typed, for printing "how it was read"; empty for computed numbers

    def __post_init__(self) -> None:
        if not isinstance(self.value, Fraction):
            object.__setattr__(self, "value", Fraction(self.value))

    @property
    def is_decimal(self) -> bool:
        return "." in self.text


@dataclass(frozen=True, slots=True)
class Sym(Node):
    name: str


@dataclass(frozen=True, slots=True)
class Const(Node):
    """A named mathematical constant: ``e`` or ``pi``."""

    name: str


@dataclass(frozen=True, slots=True)
class Add(Node):
    terms: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.terms


@dataclass(frozen=True, slots=True)
class Neg(Node):
    arg: Node

    def children(self) -> tuple[Node, ...]:
        return (self.arg,)


@dataclass(frozen=True, slots=True)
class Mul(Node):
    factors: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.factors


@dataclass(frozen=True, slots=True)
class Div(Node):
    num: Node
    den: Node

    def children(self) -> tuple[Node, ...]:
        return (self.num, self.den)


@dataclass(frozen=True, slots=True)
class Pow(Node):
    base: Node
    exp: Node

    def children(self) -> tuple[Node, ...]:
        return (self.base, self.exp)


@dataclass(frozen=True, slots=True)
class Call(Node):
    """A whitelisted function applied to arguments; ``func`` is the canonical name."""

    func: str
    args: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.args


# Containers: only answer kinds (points, vectors, equations) accept these at the top level.
@dataclass(frozen=True, slots=True)
class Tuple(Node):
    items: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.items


@dataclass(frozen=True, slots=True)
class Seq(Node):
    """A top-level comma-separated list, as in ``(0,0), (2,-4)`` or ``-1, 0, 2``."""

    items: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.items


@dataclass(frozen=True, slots=True)
class Eq(Node):
    lhs: Node
    rhs: Node

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
    return frozenset(n.name for n in walk(node) if isinstance(n, Sym))


def functions_used(node: Node) -> frozenset[str]:
    return frozenset(n.func for n in walk(node) if isinstance(n, Call))


def size(node: Node) -> int:
    return sum(1 for _ in walk(node))


def is_constant(node: Node) -> bool:
    return not free_symbols(node)


def sub(a: Node, b: Node) -> Node:
    """``a - b`` as a tree (used for equations and differences)."""
    return Add((a, Neg(b)))


ZERO = Num(Fraction(0))
ONE = Num(Fraction(1))
