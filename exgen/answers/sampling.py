"""Where answers are compared: sample points, and scans along lines.

Points are derived from the question (a hash of the expected answer and its variables), so
every run and every process sees the same points, yet no fixed set of points serves every
question. Each variable takes both signs in a balanced way and magnitudes range from tiny
(|x| ~ 1e-3) to large (|x| ~ 1e3).

A *scan* evaluates an expression along one coordinate axis through a base point, at a
geometric grid of about 120 values from 1e-4 to 1e6 of both signs plus zero, and locates
where its sign changes or where it stops being defined. Scans find a narrow domain such as
x > 90 (so ``log(x - 90)`` is compared where it lives), the kinks of ``abs``, ``max`` and
``sign`` (so every piece of a piecewise answer is sampled), and the roots of equations.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from flint import arb

from exgen.answers import nodes as n
from exgen.answers.numeric import Evaluator, Status, as_balls, evaluate, precision

SCAN_BITS = 64
_SCAN_STEPS = tuple(10.0 ** (k / 6) for k in range(-24, 37))  # 1e-4 .. 1e6, ratio ~1.47
SCAN_GRID: tuple[float, ...] = tuple(-s for s in reversed(_SCAN_STEPS)) + (0.0,) + _SCAN_STEPS
SCAN_REACH = _SCAN_STEPS[-1]
MAX_ROOTS = 16  # per scan: enough for any piecewise answer a course uses


@dataclass(frozen=True, slots=True)
class SamplePoint:
    """A point to compare at. ``generic`` points are drawn at random: an answer undefined at a
    generic point is undefined on a region. Other points (integers, exact kinks) are special:
    there an answer may have an isolated hole, as ``(x^2-1)/(x-1)`` has at x = 1."""

    coords: tuple[Fraction, ...]
    generic: bool = True
    origin: str = "core"


def stable_seed(*parts: object) -> int:
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _balanced_signs(rng: random.Random, count: int) -> list[bool]:
    """``count`` signs, half negative, in random order: any 2/3 of them hold both signs."""
    signs = [i % 2 == 1 for i in range(count)]
    rng.shuffle(signs)
    return signs


def dyadic(value: float) -> Fraction:
    """A float as an exact fraction, rounded to 30 significant bits (short and exact in Arb)."""
    if value == 0:
        return Fraction(0)
    mantissa, exponent = math.frexp(value)
    numerator, shift = round(mantissa * 2**30), exponent - 30
    # built directly: Fraction arithmetic (a power, a product, a gcd each) was most of drawing a point
    return Fraction(numerator << shift) if shift >= 0 else Fraction(numerator, 1 << -shift)


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


TINY = (1e-3, 2e-2)
MODERATE = (0.25, 4.0)
LARGE = (60.0, 1e3)
SPREAD = (1e-3, 1e3)


class PointPlan:
    """The points of one question, drawn lazily from its seed."""

    def __init__(self, variables: tuple[str, ...], integer_vars: frozenset[str], seed: int) -> None:
        self.variables = variables
        self.integer_vars = integer_vars
        self.seed = seed
        self._core: tuple[SamplePoint, ...] | None = None
        self._wide: tuple[SamplePoint, ...] | None = None

    def _coordinate(self, rng: random.Random, name: str, negative: bool, band: tuple[float, float], wide: bool) -> Fraction:
        if name in self.integer_vars:
            value = rng.randint(1, 1000 if wide else 20)
        else:
            value = dyadic(_log_uniform(rng, *band))
        return -Fraction(value) if negative else Fraction(value)

    def _draw(self, tag: str, count: int, bands: Callable[[int, random.Random], list[tuple[float, float]]], wide: bool) -> tuple[SamplePoint, ...]:
        rng = random.Random(stable_seed(tag, self.seed))
        signs = [_balanced_signs(rng, count) for _ in self.variables]
        points = []
        for i in range(count):
            chosen = bands(i, rng)
            coords = tuple(
                self._coordinate(rng, name, signs[j][i], chosen[j], wide) for j, name in enumerate(self.variables)
            )
            points.append(SamplePoint(coords, True, tag))
        return tuple(points)

    @property
    def core(self) -> tuple[SamplePoint, ...]:
        """Moderate magnitudes: where typical answers are cheap to compare."""
        if self._core is None:
            k = len(self.variables)
            self._core = self._draw("core", 12, lambda i, rng: [MODERATE] * k, wide=False)
        return self._core

    @property
    def wide(self) -> tuple[SamplePoint, ...]:
        """Tiny, large and mixed magnitudes: where drowned or narrow differences show."""
        if self._wide is None:
            k = len(self.variables)

            def bands(i: int, rng: random.Random) -> list[tuple[float, float]]:
                if i < 2:
                    return [TINY] * k
                if i < 4:
                    return [LARGE] * k
                return [rng.choice((TINY, LARGE, SPREAD, MODERATE)) for _ in range(k)]

            self._wide = self._draw("wide", 6, bands, wide=True)
        return self._wide

    def extra(self, round_: int, count: int = 12) -> tuple[SamplePoint, ...]:
        k = len(self.variables)
        return self._draw(f"extra{round_}", count, lambda i, rng: [(1e-2, 1e2)] * k, wide=True)

    def with_sign(self, index: int, negative: bool, count: int = 12) -> tuple[SamplePoint, ...]:
        """Points where variable ``index`` has the given sign (others random), magnitudes spread."""
        rng = random.Random(stable_seed("sign", self.seed, index, negative))
        points = []
        for _ in range(count):
            coords = []
            for j, name in enumerate(self.variables):
                sign = negative if j == index else rng.random() < 0.5
                coords.append(self._coordinate(rng, name, sign, SPREAD, wide=True))
            points.append(SamplePoint(tuple(coords), True, "sign"))
        return tuple(points)

    def redraw(self, point: SamplePoint, indices: Sequence[int], attempt: int) -> SamplePoint:
        """``point`` with the coordinates at ``indices`` drawn again (other values of variables
        the expected answer does not involve)."""
        rng = random.Random(stable_seed("redraw", self.seed, point.coords, attempt))
        coords = list(point.coords)
        for j in indices:
            coords[j] = self._coordinate(rng, self.variables[j], rng.random() < 0.5, SPREAD, wide=True)
        return SamplePoint(tuple(coords), point.generic, "redraw")

    def search(self, count: int = 160) -> tuple[SamplePoint, ...]:
        """A wide random search (magnitudes 1e-3 .. 1e5) for a domain no other point found."""
        k = len(self.variables)
        return self._draw("search", count, lambda i, rng: [(1e-3, 1e5)] * k, wide=True)


@lru_cache(maxsize=512)
def grid_values(integer: bool) -> tuple[Fraction, ...]:
    if integer:
        return tuple(Fraction(v) for v in (-4, -3, -2, -1, 1, 2, 3, 4))
    return tuple(Fraction(v) for v in (-3, -2, -1, 1, 2, 3)) + tuple(
        Fraction(p, q) for p, q in ((-3, 2), (-1, 2), (1, 2), (3, 2), (-1, 3), (1, 3))
    )


def grid_points(variables: tuple[str, ...], integer_vars: frozenset[str], limit: int = 1000) -> Iterator[SamplePoint]:
    """Integers and halves, where real powers of negative bases live (special points)."""
    import itertools

    axes = [grid_values(v in integer_vars) for v in variables]
    total = math.prod(len(a) for a in axes)
    if total <= limit:
        for coords in itertools.product(*axes):
            yield SamplePoint(tuple(coords), False, "grid")
        return
    rng = random.Random(stable_seed("grid", variables, sorted(integer_vars)))
    for _ in range(limit):
        yield SamplePoint(tuple(rng.choice(axis) for axis in axes), False, "grid")


# -- scans along a line ------------------------------------------------------------------------


def _value_at(evaluator: Evaluator, coords: Sequence[Fraction | float]) -> tuple[Status, int]:
    """Status and sign (-1, 0, 1; 2 for unknown) of an expression at a point, quickly."""
    point = [Fraction(c) if isinstance(c, float) else c for c in coords]
    with precision(SCAN_BITS):
        value = evaluate(evaluator, as_balls(point))
    if value.status is not Status.REAL:
        return value.status, 2
    real = value.real
    if real.is_zero():
        return Status.REAL, 0
    if real > 0:
        return Status.REAL, 1
    if real < 0:
        return Status.REAL, -1
    return Status.REAL, 2


@dataclass(frozen=True, slots=True)
class Scan:
    """What one scan found along ``index`` through ``base``."""

    index: int
    base: tuple[Fraction, ...]
    defined: tuple[tuple[float, float], ...]  # maximal runs of the grid where the value is real
    roots: tuple[float, ...]  # sign changes, located by bisection
    exact_roots: tuple[Fraction, ...]  # roots at which the value is exactly zero

    def point(self, t: Fraction | float, generic: bool = True, origin: str = "scan") -> SamplePoint:
        coords = list(self.base)
        coords[self.index] = t if isinstance(t, Fraction) else dyadic(t)
        return SamplePoint(tuple(coords), generic, origin)


def _with(base: Sequence[Fraction], index: int, t: float | Fraction) -> list[Fraction | float]:
    coords: list[Fraction | float] = list(base)
    coords[index] = t
    return coords


def scan(evaluator: Evaluator, base: Sequence[Fraction], index: int, check: Callable[[], None]) -> Scan:
    """Scan ``evaluator`` along coordinate ``index`` through ``base`` (see the module docstring)."""
    statuses: list[tuple[float, Status, int]] = []
    for t in SCAN_GRID:
        check()
        status, sign = _value_at(evaluator, _with(base, index, t))
        statuses.append((t, status, sign))
    defined: list[tuple[float, float]] = []
    run_start: float | None = None
    previous_t = SCAN_GRID[0]
    for t, status, _ in statuses:
        if status is Status.REAL and run_start is None:
            run_start = t
        if status is not Status.REAL and run_start is not None:
            defined.append((run_start, previous_t))
            run_start = None
        previous_t = t
    if run_start is not None:
        defined.append((run_start, previous_t))
    roots: list[float] = []
    exact: list[Fraction] = []
    for (t0, s0, g0), (t1, s1, g1) in zip(statuses, statuses[1:]):
        if len(roots) >= MAX_ROOTS:
            break
        if s0 is Status.REAL and g0 == 0:
            exact.append(Fraction(t0))
        if s0 is Status.REAL and s1 is Status.REAL and g0 in (-1, 1) and g1 in (-1, 1) and g0 != g1:
            root = _bisect(evaluator, base, index, t0, t1, g0, check)
            roots.append(root)
            nice = Fraction(root).limit_denominator(1000)
            if _value_at(evaluator, _with(base, index, nice)) == (Status.REAL, 0):
                exact.append(nice)
    return Scan(index, tuple(base), tuple(defined), tuple(roots), tuple(dict.fromkeys(exact)))


def _halve(low: float, high: float, side: Callable[[float], str], check: Callable[[], None]) -> float:
    """Bisect [low, high] in floats; ``side(t)`` says where t falls: "low", "high" or "here"."""
    for _ in range(60):
        check()
        middle = (low + high) / 2
        if middle in (low, high):
            break
        where = side(middle)
        if where == "here":
            return middle
        if where == "low":
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _bisect(evaluator: Evaluator, base: Sequence[Fraction], index: int, low: float, high: float, low_sign: int, check: Callable[[], None]) -> float:
    """A sign change of the value between ``low`` (of sign ``low_sign``) and ``high``."""

    def side(t: float) -> str:
        status, sign = _value_at(evaluator, _with(base, index, t))
        if status is not Status.REAL or sign in (0, 2):
            return "here"
        return "low" if sign == low_sign else "high"

    return _halve(low, high, side, check)


def boundary(evaluator: Evaluator, base: Sequence[Fraction], index: int, inside: float, outside: float, check: Callable[[], None]) -> float:
    """Locate where the value stops being real between ``inside`` (real) and ``outside``."""

    last_inside = [inside]

    def side(t: float) -> str:
        if _value_at(evaluator, _with(base, index, t))[0] is Status.REAL:
            last_inside[0] = t
            return "low"
        return "high"

    _halve(inside, outside, side, check)
    return last_inside[0]


def points_in(low: float, high: float) -> list[float]:
    """Sample positions inside (low, high) that hug both ends and fill the middle; an end at
    the scan's reach stands for infinity, so positions go out geometrically there."""
    out: list[float] = []
    if high >= SCAN_REACH and low <= -SCAN_REACH:
        return [-300.0, -7.0, -0.5, -0.01, 0.01, 0.5, 7.0, 300.0]
    if high >= SCAN_REACH:
        scale = max(1.0, abs(low))
        return [low + scale * 10.0**k for k in (-3, -2, -1, -0.3, 0, 0.5, 1, 2)]
    if low <= -SCAN_REACH:
        scale = max(1.0, abs(high))
        return [high - scale * 10.0**k for k in (-3, -2, -1, -0.3, 0, 0.5, 1, 2)]
    for u in (1e-3, 1e-2, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999):
        out.append(low + (high - low) * u)
    return out


def kink_positions(roots: Sequence[float]) -> list[float]:
    """Both sides of every root, the middle of every piece and beyond the outermost ones."""
    positions: list[float] = []
    ordered = sorted(roots)
    for r in ordered:
        delta = abs(r) * 2.0**-10 if r else 2.0**-20
        positions += [r - delta, r + delta]
    for a, b in zip(ordered, ordered[1:]):
        positions.append((a + b) / 2)
    if ordered:
        positions += [ordered[0] - max(1.0, abs(ordered[0])), ordered[-1] + max(1.0, abs(ordered[-1]))]
    return positions


def switches(tree: n.Node) -> list[n.Node]:
    """Expressions whose sign selects a piece: ``u`` for ``abs(u)`` and ``sign(u)``, ``a - b``
    for ``max``/``min`` arguments, the arguments of ``atan2``."""
    found: list[n.Node] = []
    for node in n.walk(tree):
        if type(node) is n.Call:
            if node.func in ("abs", "sign"):
                found.append(node.args[0])
            elif node.func in ("max", "min"):
                args = node.args
                found += [n.sub(a, b) for i, a in enumerate(args) for b in args[i + 1 :]]
            elif node.func == "atan2":
                found += list(node.args)
    unique: dict[n.Node, None] = {}
    for s in found:
        if not n.is_constant(s):
            unique[s] = None
    return list(unique)


def to_arb(value: Fraction) -> arb:
    return as_balls([value])[0]
