"""Figures drawn from a problem's own construction: a graph with its critical points marked,
a tangent line at its point (work in progress: contour plots, constraints and descent steps).

A figure is data (curves as polylines in the plane, marked points with their types, a window)
that the SVG and TikZ printers turn into pictures; tests check the data (each mark at a
critical point, on the curve), so what is drawn is right by construction.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from exgen.problems.model import Text

Point = tuple[float, float]


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    label: str  # minimum, maximum, neither, saddle, point (a plain point such as a tangency)


@dataclass(frozen=True)
class Figure:
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    curves: tuple[tuple[Point, ...], ...]  # each a polyline, already clipped to the window
    marks: tuple[Mark, ...] = ()
    lines: tuple[tuple[Point, Point], ...] = ()  # straight lines (tangents), end points in the window
    arrows: tuple[tuple[Point, Point], ...] = ()  # from, to (a gradient-descent step, a gradient)
    levels: tuple[tuple[Point, ...], ...] = ()  # level curves (thin), under the curves
    caption: Text | None = None
    description: Text | None = None  # what the figure shows, for screen readers
    x_name: str = "x"
    y_name: str = "y"
    extra: dict[str, float] = field(default_factory=dict)


def nice_ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten) inside [low, high]."""
    span = high - low
    if span <= 0:
        return [low]
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    ticks = []
    value = first
    while value <= high + 1e-9 * span:
        ticks.append(round(value, 10) + 0.0)
        value += step
    return ticks


def sample_curve(f: Callable[[float], float], x_range: tuple[float, float], y_range: tuple[float, float],
                 samples: int = 240) -> tuple[tuple[Point, ...], ...]:
    """The graph of ``f`` over the window as polylines, cut where it leaves the window."""
    low, high = x_range
    bottom, top = y_range
    pieces: list[list[Point]] = []
    current: list[Point] = []
    for index in range(samples + 1):
        x = low + (high - low) * index / samples
        try:
            y = f(x)
        except (ValueError, ZeroDivisionError, OverflowError):
            y = math.nan
        if math.isfinite(y) and bottom <= y <= top:
            current.append((round(x, 6), round(y, 6)))
        elif current:
            pieces.append(current)
            current = []
    if current:
        pieces.append(current)
    return tuple(tuple(p) for p in pieces if len(p) > 1)


def window(xs: Sequence[float], f: Callable[[float], float], margin: float = 0.35) -> tuple[tuple[float, float], tuple[float, float]]:
    """A window that shows every point of ``xs`` with room on both sides, and the values of
    ``f`` between and around them (so a turn is visible)."""
    low, high = min(xs), max(xs)
    span = max(high - low, 2.0)
    x_range = (low - margin * span, high + margin * span)
    values = [f(x_range[0] + (x_range[1] - x_range[0]) * k / 200) for k in range(201)]
    inner = [f(x) for x in xs]
    finite = [v for v in values if math.isfinite(v)]
    top, bottom = max(inner), min(inner)
    reach = max(top - bottom, 1.0)
    # show the marked points with room, and the curve a little beyond them
    y_low = max(min(finite), bottom - 0.6 * reach)
    y_high = min(max(finite), top + 0.6 * reach)
    pad = 0.08 * (y_high - y_low or 1.0)
    return x_range, (y_low - pad, y_high + pad)


def level_curves(function: Callable[..., object], x_range: tuple[float, float], y_range: tuple[float, float],
                 values: Sequence[float], size: int = 72) -> tuple[tuple[Point, ...], ...]:
    """Level curves of ``function(x, y)`` (numpy arrays in, out) at ``values``, from contourpy's
    marching squares on a ``size`` × ``size`` grid, rounded so the pictures stay small."""
    import contourpy
    import numpy

    xs = numpy.linspace(x_range[0], x_range[1], size)
    ys = numpy.linspace(y_range[0], y_range[1], size)
    grid_x, grid_y = numpy.meshgrid(xs, ys)
    with numpy.errstate(all="ignore"):
        z = numpy.asarray(function(grid_x, grid_y), dtype=float) * numpy.ones_like(grid_x)
    generator = contourpy.contour_generator(grid_x, grid_y, z)
    curves = []
    for value in values:
        for line in generator.lines(value):
            if len(line) > 1:
                curves.append(tuple((round(float(a), 4), round(float(b), 4)) for a, b in line))
    return tuple(curves)


def square_window(points: Sequence[Point], margin: float = 0.45) -> tuple[tuple[float, float], tuple[float, float]]:
    """A square window around the points with room on every side (at least 4 units wide)."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 4.0) * (1 + 2 * margin)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return (cx - span / 2, cx + span / 2), (cy - span / 2, cy + span / 2)
