"""Figures as inline SVG for HTML pages: no script, no network, a few kilobytes, readable in
black and white (each type of point has its own shape). The layout
(window, ticks, shapes) is the TikZ printer's, so a figure looks the same in HTML and PDF."""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape

from exgen.problems.figures import ASPECT, Figure, label_corner, nice_ticks, tick_label

WIDTH = 480
LEFT, RIGHT, TOP, BOTTOM = 46, 20, 18, 24  # room for tick labels and the axes' names
GAP, HEAD = 8, 16  # between a panel and its zoom, and above the zoom for its label
SQUARE = 340  # the plotting area of level-curve plots (equal axes)


def _number(value: float) -> str:
    return tick_label(value).replace("-", "−")


def svg(figure: Figure, zoom_label: str = "", words: Mapping[str, str] | None = None) -> str:
    """The figure as one ``<svg>`` element. A zoom stands beside its graph; with a zoom of the
    zoom, the graph stands above the two. Hidden from screen readers: the page gives the text
    alternative beside it (see typeset_figure). ``words`` name the types of marked points
    ("min", "max", …), written beside them."""
    panels = figure.panels
    body, width, height = _panel(panels[0], 0.0, 0.0, words or {})
    if len(panels) > 2:  # the graph centred above its zooms
        body, width, height = _panel(panels[0], (len(panels) - 2) * (width + GAP) / 2, 0.0, words or {})
    left, top = (width + GAP, 0.0) if len(panels) == 2 else (0.0, height + GAP)
    row_height = 0.0
    for panel in panels[1:]:
        label = f'<text x="{left + LEFT}" y="{top + HEAD - 2}" font-style="italic">{escape(zoom_label)}</text>' if zoom_label else ""
        markup, panel_width, panel_height = _panel(panel, left, top + HEAD, words or {})
        body += label + markup
        left += panel_width + GAP
        row_height = max(row_height, HEAD + panel_height)
    width, height = max(width, left - GAP), max(height, top + row_height)
    head = (f'<svg class="figure{" figure-pair" if len(panels) > 1 else ""}" viewBox="0 0 {round(width, 1)} {round(height, 1)}" '
            'aria-hidden="true" focusable="false" font-family="serif" font-size="12">')
    return head + body + "</svg>"


def _panel(figure: Figure, left: float, offset: float, words: Mapping[str, str]) -> tuple[str, float, float]:
    """One plotting area with its ticks and names; its markup, width and height."""
    (x0, x1), (y0, y1) = figure.x_range, figure.y_range
    inner_w = SQUARE if figure.square else WIDTH - LEFT - RIGHT
    inner_h = SQUARE if figure.square else round(inner_w * ASPECT, 1)
    top, frame_left = offset + TOP, left + LEFT

    def px(x: float) -> float:
        return round(frame_left + (x - x0) / (x1 - x0) * inner_w, 1)

    def py(y: float) -> float:
        return round(top + (y1 - y) / (y1 - y0) * inner_h, 1)

    x_scale, y_scale = inner_w / (x1 - x0), inner_h / (y1 - y0)
    x_shift, y_shift = frame_left - x0 * x_scale, top + y1 * y_scale

    def polyline(points: tuple[tuple[float, float], ...], style: str) -> str:
        # the hot loop of a figure: one format per point, not two function calls and rounds
        coordinates = " ".join([f"{x_shift + a * x_scale:.1f},{y_shift - b * y_scale:.1f}" for a, b in points])
        return f'<polyline points="{coordinates}" fill="none" {style}/>'

    bottom, right = round(top + inner_h, 1), round(frame_left + inner_w, 1)
    out = [f'<rect x="{frame_left}" y="{top}" width="{inner_w}" height="{inner_h}" fill="none" stroke="#888" stroke-width="0.6"/>']
    for tick in nice_ticks(x0, x1):
        out.append(f'<line x1="{px(tick)}" y1="{bottom}" x2="{px(tick)}" y2="{bottom + 4}" stroke="#000"/>'
                   f'<text x="{px(tick)}" y="{bottom + 16}" text-anchor="middle">{_number(tick)}</text>')
    for tick in nice_ticks(y0, y1, 5):
        out.append(f'<line x1="{frame_left - 4}" y1="{py(tick)}" x2="{frame_left}" y2="{py(tick)}" stroke="#000"/>'
                   f'<text x="{frame_left - 6}" y="{py(tick) + 4}" text-anchor="end">{_number(tick)}</text>')
    out.append(f'<text x="{right + 4}" y="{bottom + 4}" font-style="italic">{escape(figure.x_name)}</text>'
               f'<text x="{frame_left + 3}" y="{top - 5}" font-style="italic">{escape(figure.y_name)}</text>')
    if x0 < 0 < x1:
        out.append(f'<line x1="{px(0)}" y1="{top}" x2="{px(0)}" y2="{bottom}" stroke="#000" stroke-width="0.6"/>')
    if y0 < 0 < y1:
        out.append(f'<line x1="{frame_left}" y1="{py(0)}" x2="{right}" y2="{py(0)}" stroke="#000" stroke-width="0.6"/>')
    out.extend(polyline(level, 'stroke="#777" stroke-width="0.8"') for level in figure.levels)
    out.extend(polyline(level, 'stroke="#000" stroke-width="1.1" stroke-dasharray="5 3"') for level in figure.touching)
    width = 2.6 if figure.levels else 1.8  # a constraint drawn over level curves stands out
    out.extend(polyline(curve, f'stroke="#1f4e79" stroke-width="{width}"') for curve in figure.curves)
    for start, end in figure.lines:
        out.append(f'<line x1="{px(start[0])}" y1="{py(start[1])}" x2="{px(end[0])}" y2="{py(end[1])}" stroke="#000" '
                   'stroke-width="1.2" stroke-dasharray="6 3"/>')
    for start, end in figure.guides:
        out.append(f'<line x1="{px(start[0])}" y1="{py(start[1])}" x2="{px(end[0])}" y2="{py(end[1])}" stroke="#555" '
                   'stroke-width="0.7" stroke-dasharray="1.5 2"/>')
    for start, end in figure.arrows:
        out.append(_arrow(px(start[0]), py(start[1]), px(end[0]), py(end[1])))
    for start, end in figure.dashed_arrows:
        out.append(_arrow(px(start[0]), py(start[1]), px(end[0]), py(end[1]), dashed=True))
    for (a, b), name in figure.notes:
        out.append(f'<text x="{px(a)}" y="{round(py(b) + 4, 1)}" text-anchor="middle" font-style="italic">{escape(name)}</text>')
    if figure.zoom is not None:  # where the zoomed panel looks
        (a, b), (c, d) = figure.zoom.x_range, figure.zoom.y_range
        out.append(f'<rect x="{px(a)}" y="{py(min(d, y1))}" width="{round(px(b) - px(a), 1)}" height="{round(py(max(c, y0)) - py(min(d, y1)), 1)}" '
                   'fill="none" stroke="#000" stroke-width="0.8" stroke-dasharray="2 2"/>')
    out.extend(_mark(px(mark.x), py(mark.y), mark.label) for mark in figure.marks)
    for mark in figure.marks:  # the type in words, beside the shape, over a white halo
        if mark.label in words:
            across, up = label_corner(figure, mark, words[mark.label])
            anchor = "" if across > 0 else ' text-anchor="end"'
            out.append(f'<text x="{round(px(mark.x) + 7 * across, 1)}" y="{round(py(mark.y) + (-8 if up > 0 else 16), 1)}"{anchor} '
                       'font-size="11" font-style="italic" '
                       f'paint-order="stroke" stroke="#fff" stroke-width="3">{escape(words[mark.label])}</text>')
    return "".join(out), LEFT + inner_w + RIGHT, TOP + inner_h + BOTTOM


def _arrow(xa: float, ya: float, xb: float, yb: float, dashed: bool = False) -> str:
    """A line with its head drawn as a triangle (no marker: ids would repeat on a page of figures)."""
    length = math.hypot(xb - xa, yb - ya) or 1.0
    ux, uy = (xb - xa) / length, (yb - ya) / length
    head = min(8.0, 0.6 * length)
    bx, by = xb - head * ux, yb - head * uy
    left = (round(bx - 3.2 * uy, 1), round(by + 3.2 * ux, 1))
    right = (round(bx + 3.2 * uy, 1), round(by - 3.2 * ux, 1))
    dash = ' stroke-dasharray="4 2"' if dashed else ""
    return (f'<line x1="{xa}" y1="{ya}" x2="{round(bx, 1)}" y2="{round(by, 1)}" stroke="#000" stroke-width="1.4"{dash}/>'
            f'<path d="M{xb} {yb}L{left[0]} {left[1]}L{right[0]} {right[1]}Z" fill="#000"/>')


def _mark(x: float, y: float, label: str) -> str:
    """● minimum (or the new w of a step), ■ maximum, ◇ neither, ✕ saddle, ○ a point: told apart
    without colour."""
    if label in ("minimum", "new"):
        return f'<circle cx="{x}" cy="{y}" r="4.5" fill="#000"/>'
    if label == "maximum":
        return f'<rect x="{round(x - 4.5, 1)}" y="{round(y - 4.5, 1)}" width="9" height="9" fill="#000"/>'
    if label == "saddle":
        return (f'<path d="M{round(x - 5, 1)} {round(y - 5, 1)}L{round(x + 5, 1)} {round(y + 5, 1)}'
                f'M{round(x - 5, 1)} {round(y + 5, 1)}L{round(x + 5, 1)} {round(y - 5, 1)}" stroke="#000" stroke-width="2.2"/>')
    if label == "point":
        return f'<circle cx="{x}" cy="{y}" r="4.5" fill="#fff" stroke="#000" stroke-width="1.6"/>'
    return (f'<path d="M{x} {round(y - 6, 1)}L{round(x + 6, 1)} {y}L{x} {round(y + 6, 1)}L{round(x - 6, 1)} {y}Z" '
            'fill="#fff" stroke="#000" stroke-width="1.6"/>')
