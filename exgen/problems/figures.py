"""Figures drawn from a problem's own construction: graphs with their critical points, tangent
lines, level curves with saddles, constraints with their gradients, descent steps on a loss.

A figure is data — polylines in the plane, marked points with their types, arrows, a window —
that the SVG and TikZ printers turn into the same picture; tests check the data (each mark at
a critical point, on the constraint, the step of length η·∂L/∂w), so what is drawn is right by
construction. Functions are evaluated with numpy from the problem's givens (trusted text its
generator wrote) through :func:`numeric`, which turns an expression tree into nested closures
(no code generation, no ``exec``).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from exgen.problems.model import Math, Text, text

Point = tuple[float, float]
Window = tuple[tuple[float, float], tuple[float, float]]
ASPECT = 0.6  # height / width of a graph; level-curve plots are square (equal axes)
# how far a simplified line may stray, in figure widths: graphs (drawn thick, looked at) keep
# more points than the thin level curves under them
GRAPH_TOLERANCE = 0.0008
LEVEL_TOLERANCE = 0.0018


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    label: str  # minimum, maximum, neither, saddle; point (a tangency, the current w), new (the w after a step)


@dataclass(frozen=True)
class Figure:
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    curves: tuple[tuple[Point, ...], ...]  # each a polyline, already clipped to the window
    marks: tuple[Mark, ...] = ()
    lines: tuple[tuple[Point, Point], ...] = ()  # straight lines (tangents), end points in the window
    arrows: tuple[tuple[Point, Point], ...] = ()  # from, to (a gradient-descent step, a gradient)
    dashed_arrows: tuple[tuple[Point, Point], ...] = ()  # a second kind of arrow (∇g beside ∇f)
    notes: tuple[tuple[Point, str], ...] = ()  # short names written in the figure ("∇f" at its arrow)
    levels: tuple[tuple[Point, ...], ...] = ()  # level curves (thin), under the curves
    touching: tuple[tuple[Point, ...], ...] = ()  # level curves drawn darker (through a Lagrange optimum)
    guides: tuple[tuple[Point, Point], ...] = ()  # thin dotted lines (from a point down to its step)
    caption: Text | None = None
    description: Text | None = None  # what the figure shows, for screen readers
    x_name: str = "x"
    y_name: str = "y"
    zoom: Figure | None = None  # a second panel where turns would be too small to see at full scale
    sheet_caption: Text | None = None  # caption and text alternative of the worksheet's figure
    sheet_description: Text | None = None

    def for_worksheet(self) -> Figure:
        """The figure as a question shows it: the graph or the level curves and the constraint,
        nothing that answers a part (no marked points, tangent, step, gradients, saddle levels)."""
        from dataclasses import replace

        return replace(self, marks=(), lines=(), arrows=(), dashed_arrows=(), notes=(), guides=(), touching=(),
                       zoom=self.zoom.for_worksheet() if self.zoom else None,
                       caption=self.sheet_caption, description=self.sheet_description)

    @property
    def panels(self) -> list[Figure]:
        """This panel and its zooms, each enlarging the dashed box of the one before."""
        return [self] + (self.zoom.panels if self.zoom else [])

    @property
    def square(self) -> bool:
        """Level-curve plots keep equal axes, so right angles and circles look like themselves."""
        return bool(self.levels)


# --- numbers from the problem's givens ---------------------------------------------------------


def given(text: str) -> Any:
    """A problem's given (a sympy-syntax string its generator wrote, never student text) as an
    exgen expression tree, read by the answer reader in its trusted mode: faster than sympify,
    and it leaves sympy's cache to the problem generators."""
    from exgen.answers.reader import ReadOptions, read

    reading = read(text, ReadOptions(auto_variables=True, sympy_names=True))
    if reading.tree is None:
        raise ValueError(f"a figure cannot read the given {text!r}: {reading.error}")
    return reading.tree


@lru_cache(maxsize=1)
def _numpy_functions() -> dict[str, Callable[[Any], Any]]:
    import numpy

    def sigmoid(z: Any) -> Any:
        return 1.0 / (1.0 + numpy.exp(-z))

    def secant(z: Any) -> Any:
        return 1.0 / numpy.cos(z)

    return {
        "exp": numpy.exp, "log": numpy.log, "sqrt": numpy.sqrt, "sin": numpy.sin, "cos": numpy.cos, "tan": numpy.tan,
        "tanh": numpy.tanh, "sinh": numpy.sinh, "cosh": numpy.cosh, "atan": numpy.arctan, "asin": numpy.arcsin,
        "acos": numpy.arccos, "abs": numpy.abs, "sigma": sigmoid, "sec": secant,
    }


def numeric(tree: Any, variables: Sequence[str]) -> Callable[..., Any]:
    """An expression tree (see :func:`given`) as a function of numpy arrays in the order of
    ``variables``; values outside the domain come out as nan. No code is generated: the tree
    becomes nested closures."""
    import numpy

    from exgen.answers import nodes as n

    unary = _numpy_functions()
    index = {name: position for position, name in enumerate(variables)}

    def compile_node(node: Any) -> Callable[[tuple[Any, ...]], Any]:
        if isinstance(node, n.Sym):
            position = index[node.name]
            return lambda args: args[position]
        if isinstance(node, (n.Num, n.Const)):
            value = float(node.value) if isinstance(node, n.Num) else (math.e if node.name == "e" else math.pi)
            return lambda args: value
        if isinstance(node, n.Add):
            terms = [compile_node(term) for term in node.terms]
            return lambda args: sum([term(args) for term in terms])
        if isinstance(node, n.Mul):
            factors = [compile_node(factor) for factor in node.factors]
            return lambda args: math.prod([factor(args) for factor in factors])
        if isinstance(node, n.Neg):
            inner = compile_node(node.arg)
            return lambda args: -inner(args)
        if isinstance(node, n.Div):
            top, bottom = compile_node(node.num), compile_node(node.den)
            return lambda args: top(args) / bottom(args)
        if isinstance(node, n.Pow):
            base, exponent = compile_node(node.base), n.rational_value(node.exp)
            if exponent is not None and exponent.denominator == 1:
                whole = int(exponent)
                return lambda args: base(args) ** whole if whole >= 0 else 1.0 / base(args) ** -whole
            if exponent is not None and exponent.denominator % 2 == 1:  # an odd root is real for negative bases too
                odd, ratio = exponent.numerator % 2 == 1, float(exponent)
                return lambda args: (numpy.sign(base(args)) if odd else 1.0) * numpy.abs(base(args)) ** ratio
            power = compile_node(node.exp)
            return lambda args: numpy.power(base(args), power(args))
        if isinstance(node, n.Call) and len(node.args) == 1 and node.func in unary:
            function, inner = unary[node.func], compile_node(node.args[0])
            return lambda args: function(inner(args))
        raise ValueError(f"no numeric value for {node!r} in a figure")

    compiled = compile_node(tree)

    def evaluate(*args: Any) -> Any:
        if all(isinstance(a, (int, float)) for a in args):  # a point: no arrays to build (most calls)
            try:
                with numpy.errstate(all="ignore"):
                    return float(compiled(tuple(float(a) for a in args)))
            except (ZeroDivisionError, OverflowError, ValueError):  # plain floats raise where arrays give nan
                return math.nan
        values = tuple(numpy.asarray(a, dtype=float) for a in args)
        shape = numpy.broadcast_shapes(*(v.shape for v in values)) if values else ()
        with numpy.errstate(all="ignore"):
            return numpy.asarray(compiled(values), dtype=float) * numpy.ones(shape)

    return evaluate


def gradient(function: Callable[..., Any], x: float, y: float, scale: float) -> tuple[float, float]:
    """∇f at (x, y) by central differences (exact for the quadratics of Lagrange problems)."""
    h = 1e-4 * scale
    return ((float(function(x + h, y)) - float(function(x - h, y))) / (2 * h),
            (float(function(x, y + h)) - float(function(x, y - h))) / (2 * h))


# --- polylines -------------------------------------------------------------------------------


def simplified(xs: Any, ys: Any, tolerance: float) -> list[int]:
    """Douglas–Peucker: the indices of the fewest points whose polyline stays within
    ``tolerance`` of the polyline through ``xs``, ``ys`` (numpy arrays, in figure widths).
    Long spans are searched with numpy, short ones in plain Python, where numpy's per-call
    overhead would dominate."""
    count = len(xs)
    if count <= 2:
        return list(range(count))
    import numpy

    x_list, y_list = xs.tolist(), ys.tolist()
    keep = [False] * count
    keep[0] = keep[-1] = True
    stack = [(0, count - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        ax, ay, bx, by = x_list[first], y_list[first], x_list[last], y_list[last]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        limit = tolerance * length if length else tolerance  # cross products: no division per point
        if last - first > 40:
            px, py = xs[first + 1:last] - ax, ys[first + 1:last] - ay
            gaps = numpy.abs(px * dy - py * dx) if length else numpy.hypot(px, py)
            offset = int(numpy.argmax(gaps))
            farthest, distance = first + 1 + offset, float(gaps[offset])
        else:
            farthest, distance = first, -1.0
            for index in range(first + 1, last):
                px, py = x_list[index] - ax, y_list[index] - ay
                gap = abs(px * dy - py * dx) if length else math.hypot(px, py)  # closed: farthest from the ends
                if gap > distance:
                    farthest, distance = index, gap
        if distance > limit:
            keep[farthest] = True
            stack.extend(((first, farthest), (farthest, last)))
    return [index for index, kept in enumerate(keep) if kept]


def _scaled_polyline(xs: Any, ys: Any, window: Window, aspect: float, tolerance: float) -> tuple[Point, ...]:
    """The polyline simplified in figure widths (the printers round as they write)."""
    (x0, x1), (y0, y1) = window
    kept = simplified((xs - x0) / (x1 - x0), (ys - y0) * (aspect / (y1 - y0)), tolerance) if tolerance else slice(None)
    return tuple(zip(xs[kept].tolist(), ys[kept].tolist()))


def sample_curve(f: Callable[[Any], Any], x_range: tuple[float, float], y_range: tuple[float, float],
                 samples: int = 400, aspect: float = ASPECT) -> tuple[tuple[Point, ...], ...]:
    """The graph of ``f`` (numpy in, numpy out) over the window as polylines, cut exactly where
    it leaves the window and where it is undefined."""
    import numpy

    xs = numpy.linspace(x_range[0], x_range[1], samples + 1)
    ys = f(xs)
    bottom, top = y_range
    inside = numpy.isfinite(ys) & (ys >= bottom) & (ys <= top)
    pieces = []
    index = 0
    while index <= samples:
        if not inside[index]:
            index += 1
            continue
        end = index
        while end + 1 <= samples and inside[end + 1]:
            end += 1
        run_x, run_y = xs[index:end + 1].tolist(), ys[index:end + 1].tolist()
        # the crossing of the window's edge, between the last sample outside and the first inside
        for outside, near, at_start in ((index - 1, index, True), (end + 1, end, False)):
            if 0 <= outside <= samples and numpy.isfinite(ys[outside]):
                edge = top if ys[outside] > top else bottom
                t = (edge - ys[near]) / (ys[outside] - ys[near])
                crossing = (float(xs[near] + t * (xs[outside] - xs[near])), float(edge))
                if at_start:
                    run_x.insert(0, crossing[0])
                    run_y.insert(0, crossing[1])
                else:
                    run_x.append(crossing[0])
                    run_y.append(crossing[1])
        if len(run_x) > 1:
            pieces.append(_scaled_polyline(numpy.array(run_x), numpy.array(run_y), (x_range, y_range), aspect, GRAPH_TOLERANCE))
        index = end + 1
    return tuple(pieces)


class LevelSet:
    """A function of (x, y) sampled once on a grid of about ``size`` × ``size`` over the window, and
    contourpy's marching squares over it: level curves at any values, and the levels to draw."""

    def __init__(self, function: Callable[..., Any], window: Window, size: int = 32) -> None:
        import contourpy
        import numpy

        (x0, x1), (y0, y1) = window
        self.function, self.window = function, window
        # a grid step of a power of two: points of the construction with small denominators
        # (saddles at integers) are grid nodes, so the level through a saddle passes through it
        step = self.step = 2.0 ** math.floor(math.log2(max(x1 - x0, y1 - y0) / size))
        grid_x, grid_y = numpy.meshgrid(numpy.arange(math.floor(x0 / step) * step, x1 + step, step),
                                        numpy.arange(math.floor(y0 / step) * step, y1 + step, step))
        self.values = function(grid_x, grid_y)
        self.generator = contourpy.contour_generator(grid_x, grid_y, self.values)
        self.aspect = (y1 - y0) / (x1 - x0)

    def curves(self, values: Sequence[float], tolerance: float = LEVEL_TOLERANCE) -> tuple[tuple[Point, ...], ...]:
        """The level curves at ``values``, simplified so that the pictures stay small."""
        curves = []
        for value in values:
            for line in self.generator.lines(value):
                if len(line) > 1:
                    curves.append(_scaled_polyline(line[:, 0], line[:, 1], self.window, self.aspect, tolerance))
        return tuple(curves)

    def levels(self, marks: Sequence[Mark], count: int = 12) -> tuple[list[float], list[float]]:
        """Levels for a contour plot, and apart from them the levels through the saddles (their
        curves cross there; drawn darker). The levels are ``count`` quantiles of the function
        over the window, so the curves fill the picture evenly even where f grows fast, and one
        value beside each extremum, so a small closed curve rings it (never beyond a saddle's
        level)."""
        import numpy

        finite = self.values[numpy.isfinite(self.values)]
        spread = [float(v) for v in numpy.quantile(finite, numpy.linspace(0.04, 0.96, count))]
        width = spread[-1] - spread[0] or 1.0
        saddles = sorted({round(float(self.function(m.x, m.y)), 9) for m in marks if m.label == "saddle"})
        levels = {round(v, 9) for v in spread if all(abs(v - level) > width / 40 for level in saddles)}
        radius = 0.065 * (self.window[0][1] - self.window[0][0])
        for mark in marks:
            if mark.label in ("minimum", "maximum"):
                value = float(self.function(mark.x, mark.y))
                # f ≈ value ± ½·|λ|·r² along the flattest direction: the ring's widest radius is about
                # ``radius``, and it stays below any saddle's level (where the ring would open)
                gap = min([0.5 * self._flattest_curvature(mark.x, mark.y) * radius**2]
                          + [0.4 * abs(level - value) for level in saddles if level != value])
                levels.add(round(value + (gap if mark.label == "minimum" else -gap), 9))
        return sorted(levels), saddles

    def crossings(self, marks: Sequence[Mark]) -> tuple[tuple[Point, ...], ...]:
        """Short strokes through each saddle along the two directions where its level curve
        crosses itself (where the Hessian's quadratic form vanishes): marching squares leaves
        a gap of about a grid step at a saddle, and these close it exactly at the point."""
        strokes = []
        for mark in marks:
            if mark.label != "saddle":
                continue
            a, b, c = self._hessian(mark.x, mark.y)
            root = math.sqrt(max(b * b - a * c, 0.0))
            if abs(a) > 1e-9 * (abs(b) + abs(c) + 1):
                directions = [((-b + root) / a, 1.0), ((-b - root) / a, 1.0)]
            else:  # a = 0: v (2b u + c v) = 0
                directions = [(1.0, 0.0), (-c, 2 * b)]
            for u, v in directions:
                norm = math.hypot(u, v) or 1.0
                reach = 2.5 * self.step / norm
                strokes.append(((mark.x - reach * u, mark.y - reach * v), (mark.x, mark.y), (mark.x + reach * u, mark.y + reach * v)))
        return tuple(strokes)

    def _hessian(self, x: float, y: float) -> tuple[float, float, float]:
        """f_xx, f_xy, f_yy at (x, y), by central differences."""
        h = 1e-3 * (self.window[0][1] - self.window[0][0])
        f = self.function
        centre = float(f(x, y))
        a = (float(f(x + h, y)) - 2 * centre + float(f(x - h, y))) / h**2
        c = (float(f(x, y + h)) - 2 * centre + float(f(x, y - h))) / h**2
        b = (float(f(x + h, y + h)) - float(f(x + h, y - h)) - float(f(x - h, y + h)) + float(f(x - h, y - h))) / (4 * h**2)
        return a, b, c

    def _flattest_curvature(self, x: float, y: float) -> float:
        """The smaller |eigenvalue| of the Hessian at (x, y)."""
        a, b, c = self._hessian(x, y)
        spread = math.hypot((a - c) / 2, b)
        return min(abs((a + c) / 2 + spread), abs((a + c) / 2 - spread))


def label_below(figure: Figure, mark: Mark) -> bool:
    """Whether a mark's type is written below and right of it (else above and right): where the
    graph leaves room. Below a minimum, above a maximum; beside a point where f′ = 0 without a
    turn, on the side the graph does not go to (below when it rises through the point)."""
    if figure.square or mark.label == "maximum":
        return False
    if mark.label == "minimum":
        return True
    right = [(x, y) for curve in figure.curves for x, y in curve if x > mark.x]
    if not right:
        return False
    _, beyond = min(right)
    return beyond > mark.y


# A mark's word ("min", "saddle") in figure widths, as both printers set it (SVG: 11 px italic in
# a 340–480 px plot; PGF: \scriptsize italic in a 5.8–7.4 cm one): its gap from the mark, its
# height and the width of one character (a full-width one counts twice).
LABEL_GAP, LABEL_HEIGHT, LABEL_CHARACTER, LABEL_MARGIN = 0.022, 0.04, 0.018, 0.004
LABEL_ROOM = 1 / 6  # of a graph's height, kept free above its highest mark and below its lowest
# how much a drawn line under a word counts: the thin level curves least (the word's white box
# hides them without hiding anything asked), the frame most (a word outside it is cut off)
GRAZING = 0.1 * LABEL_HEIGHT  # covering this much more of a line than the freest corner does not move a word
_OBSTACLE_WEIGHTS = {"levels": 0.15, "touching": 1.0, "curves": 1.0, "lines": 1.0, "guides": 0.5, "arrows": 1.5, "frame": 3.0}


def label_corner(figure: Figure, mark: Mark, word: str) -> tuple[int, int]:
    """Where a mark's type in words goes: (1, 1) above right of it, (1, -1) below right,
    (-1, 1) above left, (-1, -1) below left. The corner where the word covers least of what
    is drawn (curves, the touching level curve, arrows, other marks, their names, the frame),
    preferring the one :func:`label_below` chooses: a word does not sit on the tangent level
    line of a Lagrange point or across a gradient's arrow when another corner is free."""
    costs = label_costs(figure, mark, word)
    best = min(costs.values())
    # the preferred corner (the first) unless another is clearly freer
    return next(corner for corner, cost in costs.items() if cost <= best + GRAZING)


def label_costs(figure: Figure, mark: Mark, word: str) -> dict[tuple[int, int], float]:
    """For each corner beside ``mark``, preferred first, how much a word there covers of what
    is drawn: the length of lines under it (in figure widths, weighted by kind) and how far it
    would reach past the frame."""
    (x0, x1), (y0, y1) = figure.x_range, figure.y_range
    aspect = 1.0 if figure.square else ASPECT

    def at(point: Point) -> Point:  # in figure widths, y up
        return (point[0] - x0) / (x1 - x0), (point[1] - y0) / (y1 - y0) * aspect

    width = LABEL_CHARACTER * sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in word)
    u, v = at((mark.x, mark.y))
    vertical = -1 if label_below(figure, mark) else 1
    corners = [(1, vertical), (-1, vertical), (1, -vertical), (-1, -vertical)]

    def box(corner: tuple[int, int]) -> tuple[float, float, float, float]:
        h, w = corner
        left = u + LABEL_GAP if h > 0 else u - LABEL_GAP - width
        bottom = v + LABEL_GAP if w > 0 else v - LABEL_GAP - LABEL_HEIGHT
        # with a margin of a line's width: a line along the word's edge touches its letters
        return left - LABEL_MARGIN, bottom - LABEL_MARGIN, left + width + LABEL_MARGIN, bottom + LABEL_HEIGHT + LABEL_MARGIN

    boxes = {corner: box(corner) for corner in corners}
    reach = (min(b[0] for b in boxes.values()), min(b[1] for b in boxes.values()),
             max(b[2] for b in boxes.values()), max(b[3] for b in boxes.values()))
    # the boxes' reach in figure coordinates: most segments are far from the mark, and are
    # passed over without converting them
    scale_y = (y1 - y0) / aspect
    near_x0, near_x1 = x0 + reach[0] * (x1 - x0), x0 + reach[2] * (x1 - x0)
    near_y0, near_y1 = y0 + reach[1] * scale_y, y0 + reach[3] * scale_y
    costs = dict.fromkeys(corners, 0.0)
    for group, polylines in _obstacles(figure, mark):
        weight = _OBSTACLE_WEIGHTS[group]
        for polyline in polylines:
            for a, b in zip(polyline, polyline[1:]):
                (ax, ay), (bx, by) = a, b
                if (ax < near_x0 and bx < near_x0) or (ax > near_x1 and bx > near_x1) \
                        or (ay < near_y0 and by < near_y0) or (ay > near_y1 and by > near_y1):
                    continue
                start, end = at(a), at(b)
                low_x, high_x = min(start[0], end[0]), max(start[0], end[0])
                low_y, high_y = min(start[1], end[1]), max(start[1], end[1])
                for corner, rectangle in boxes.items():
                    left, bottom, right, top = rectangle
                    if high_x >= left and low_x <= right and high_y >= bottom and low_y <= top:
                        costs[corner] += weight * _length_inside(start, end, rectangle)
    for corner, (left, bottom, right, top) in boxes.items():  # a word past the frame is cut off
        outside = max(0.0, -left) + max(0.0, right - 1) + max(0.0, -bottom) + max(0.0, top - aspect)
        costs[corner] += _OBSTACLE_WEIGHTS["frame"] * outside
    return costs


def _length_inside(a: Point, b: Point, box: tuple[float, float, float, float]) -> float:
    """How much of the segment from ``a`` to ``b`` lies inside the rectangle (Liang–Barsky)."""
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    left, bottom, right, top = box
    low, high = 0.0, 1.0
    for p, q in ((-dx, ax - left), (dx, right - ax), (-dy, ay - bottom), (dy, top - ay)):
        if p == 0:
            if q < 0:
                return 0.0
        elif p < 0:
            low = max(low, q / p)
        else:
            high = min(high, q / p)
        if low >= high:
            return 0.0
    return (high - low) * math.hypot(dx, dy)


def _obstacles(figure: Figure, mark: Mark) -> Iterator[tuple[str, Sequence[Sequence[Point]]]]:
    """What a word beside ``mark`` should not cover, by kind: polylines in figure coordinates
    (the other marks and the arrows' names as small squares around them)."""
    yield "levels", figure.levels
    yield "touching", figure.touching
    yield "curves", figure.curves
    yield "lines", figure.lines
    yield "guides", figure.guides
    if figure.zoom is not None:  # the dashed box the zoom enlarges
        (a, b), (c, d) = figure.zoom.x_range, figure.zoom.y_range
        yield "guides", [((a, c), (b, c), (b, d), (a, d), (a, c))]
    yield "arrows", figure.arrows + figure.dashed_arrows
    (x0, x1), (y0, y1) = figure.x_range, figure.y_range
    dx, dy = 0.02 * (x1 - x0), 0.02 * (y1 - y0)
    others = [(m.x, m.y) for m in figure.marks if m is not mark] + [point for point, _ in figure.notes]
    yield "arrows", [((a - dx, b - dy), (a + dx, b - dy), (a + dx, b + dy), (a - dx, b + dy), (a - dx, b - dy)) for a, b in others]


# --- descriptions ---------------------------------------------------------------------------


def listed(items: Sequence[Text]) -> Text:
    """Sentences joined the way the locale joins a list (``a; b; c``)."""
    if len(items) == 1:
        return items[0]
    return text("figures.list", first=items[0], rest=listed(items[1:]))


def marked_points(classified: Sequence[tuple[Sequence[Any], str]], variable: str = "") -> Text:
    """"x = −3 (maximum); x = 0 (minimum)" or "(1, 2) (saddle point)": the marked points and
    their types, for the text alternative."""
    from exgen.answers import nodes as n
    from exgen.answers.sympy_bridge import from_sympy

    items = []
    for point, label in classified:
        coordinates = [from_sympy(c) for c in point]
        where = n.Eq(n.Sym(variable), coordinates[0]) if len(point) == 1 else n.Tuple(tuple(coordinates))
        items.append(text("figures.marked", point=Math(where), type=text(f"figures.legend.{label}")))
    return listed(items)


# --- windows ---------------------------------------------------------------------------------


def graph_window(xs: Sequence[float], f: Callable[[Any], Any], margin: float = 0.3, min_span: float = 2.0,
                 room: float = 0.45) -> Window:
    """A window that shows every point of ``xs`` with room on both sides, and enough of the
    values of ``f`` around them that each turn (or the lack of one) can be seen."""
    import numpy

    low, high = min(xs), max(xs)
    span = max(high - low, min_span)
    x_range = (low - margin * span, high + margin * span)
    values = f(numpy.linspace(x_range[0], x_range[1], 241))
    finite = values[numpy.isfinite(values)]
    marked = [float(f(numpy.array(at))) for at in xs]
    top, bottom = max(marked), min(marked)
    reach = max(top - bottom, 1.0)
    y_low = max(float(finite.min()), bottom - room * reach)
    y_high = min(float(finite.max()), top + room * reach)
    pad = 0.1 * (y_high - y_low or 1.0)
    y_low, y_high = y_low - pad, y_high + pad
    # room for a word above the highest mark and below the lowest (max, min): a sixth of the height
    height = y_high - y_low
    above, below = max(0.0, LABEL_ROOM * height - (y_high - top)), max(0.0, LABEL_ROOM * height - (bottom - y_low))
    return x_range, (y_low - below, y_high + above)


def tangent_window(f: Callable[[Any], Any], x0: float, y0: float, slope: float, half: float = 3.0) -> Window:
    """Three units either side of x₀, and the values of f there unless they run away (a pole, an
    exponential): then as far as the tangent's own rise over the window, so that the point of
    tangency sits well inside and the line's slope can be read."""
    import numpy

    x_range = (x0 - half, x0 + half)
    values = f(numpy.linspace(x_range[0], x_range[1], 241))
    finite = values[numpy.isfinite(values)]
    reach = max(abs(slope) * half, 1.0)
    low, high = max(float(finite.min()), y0 - 1.5 * reach), min(float(finite.max()), y0 + 1.5 * reach)
    pad = 0.1 * (high - low or 1.0)
    return x_range, (min(low, y0) - pad, max(high, y0) + pad)


def hidden_turns(values: Sequence[float], y_range: tuple[float, float], share: float = 0.06) -> bool:
    """Whether two neighbouring marked values differ by less than ``share`` of the window's height
    while the window is much taller: the turn between them would look flat."""
    height = y_range[1] - y_range[0]
    return any(0 < abs(b - a) < share * height for a, b in zip(values, values[1:])) or (
        len(values) > 1 and max(values) - min(values) < share * height)


def square_window(points: Sequence[Point], margin: float = 0.45, min_span: float = 4.0) -> Window:
    """A square window around the points with room on every side (at least ``min_span`` wide)."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    span = max(max(xs) - min(xs), max(ys) - min(ys), min_span) * (1 + 2 * margin)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return (cx - span / 2, cx + span / 2), (cy - span / 2, cy + span / 2)


def scaled_arrow(start: Point, direction: Sequence[float], length: float) -> tuple[Point, Point]:
    """An arrow from ``start`` in ``direction`` with the given length (a gradient's direction)."""
    norm = math.hypot(direction[0], direction[1]) or 1.0
    return start, (start[0] + length * direction[0] / norm, start[1] + length * direction[1] / norm)


def nice_ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten) inside [low, high]."""
    span = high - low
    if span <= 0:
        return [low]
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    ticks = []
    multiple = math.ceil(low / step - 1e-9)
    while multiple * step <= high + 1e-9 * span:
        ticks.append(round(multiple * step, 10) + 0.0)
        multiple += 1
    return ticks


def tick_label(value: float) -> str:
    """A tick value as printed on both figures' axes: at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
