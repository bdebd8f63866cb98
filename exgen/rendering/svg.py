"""Figures as inline SVG for HTML pages: no script, no network, a few kilobytes, readable in
black and white (each type of point has its own shape), with a text alternative."""

from __future__ import annotations

from html import escape

from exgen.problems.figures import Figure, nice_ticks

WIDTH, HEIGHT = 480, 300
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 30  # room for the tick labels


def _number(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text.replace("-", "−")


def svg(figure: Figure, description: str = "") -> str:
    (x0, x1), (y0, y1) = figure.x_range, figure.y_range
    width, height = (WIDTH, HEIGHT) if not figure.levels else (400, 400 - LEFT - RIGHT + TOP + BOTTOM)  # level curves: equal axes
    inner_w, inner_h = width - LEFT - RIGHT, height - TOP - BOTTOM

    def px(x: float) -> float:
        return round(LEFT + (x - x0) / (x1 - x0) * inner_w, 1)

    def py(y: float) -> float:
        return round(TOP + (y1 - y) / (y1 - y0) * inner_h, 1)

    out = [f'<svg class="figure" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(description)}" font-family="serif" font-size="12">']
    if description:
        out.append(f"<title>{escape(description)}</title>")
    out.append(f'<rect x="{LEFT}" y="{TOP}" width="{inner_w}" height="{inner_h}" fill="none" stroke="#999" stroke-width="0.5"/>')
    for tick in nice_ticks(x0, x1):
        out.append(f'<line x1="{px(tick)}" y1="{TOP + inner_h}" x2="{px(tick)}" y2="{TOP + inner_h + 4}" stroke="#000"/>'
                   f'<text x="{px(tick)}" y="{TOP + inner_h + 16}" text-anchor="middle">{_number(tick)}</text>')
    for tick in nice_ticks(y0, y1, 5):
        out.append(f'<line x1="{LEFT - 4}" y1="{py(tick)}" x2="{LEFT}" y2="{py(tick)}" stroke="#000"/>'
                   f'<text x="{LEFT - 6}" y="{py(tick) + 4}" text-anchor="end">{_number(tick)}</text>')
    if x0 < 0 < x1:
        out.append(f'<line x1="{px(0)}" y1="{TOP}" x2="{px(0)}" y2="{TOP + inner_h}" stroke="#000" stroke-width="0.6"/>')
    if y0 < 0 < y1:
        out.append(f'<line x1="{LEFT}" y1="{py(0)}" x2="{LEFT + inner_w}" y2="{py(0)}" stroke="#000" stroke-width="0.6"/>')
    for level in figure.levels:
        points = " ".join(f"{px(x)},{py(y)}" for x, y in level)
        out.append(f'<polyline points="{points}" fill="none" stroke="#777" stroke-width="0.8"/>')
    for curve in figure.curves:
        points = " ".join(f"{px(x)},{py(y)}" for x, y in curve)
        out.append(f'<polyline points="{points}" fill="none" stroke="#1f4e79" stroke-width="1.8"/>')
    for start, end in figure.lines:
        out.append(f'<line x1="{px(start[0])}" y1="{py(start[1])}" x2="{px(end[0])}" y2="{py(end[1])}" stroke="#000" stroke-dasharray="5 3"/>')
    if figure.arrows:
        out.append('<defs><marker id="exgen-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
                   'orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#000"/></marker></defs>')
    for start, end in figure.arrows:
        out.append(f'<line x1="{px(start[0])}" y1="{py(start[1])}" x2="{px(end[0])}" y2="{py(end[1])}" stroke="#000" '
                   f'stroke-width="1.4" marker-end="url(#exgen-arrow)"/>')
    for mark in figure.marks:
        out.append(_mark(px(mark.x), py(mark.y), mark.label))
    out.append("</svg>")
    return "".join(out)


def _mark(x: float, y: float, label: str) -> str:
    """● minimum, ■ maximum, ◇ neither, ✕ saddle: told apart without colour."""
    if label == "minimum":
        return f'<circle cx="{x}" cy="{y}" r="4.5" fill="#000"/>'
    if label == "maximum":
        return f'<rect x="{x - 4.5}" y="{y - 4.5}" width="9" height="9" fill="#000"/>'
    if label == "saddle":
        return f'<path d="M{x - 5} {y - 5}L{x + 5} {y + 5}M{x - 5} {y + 5}L{x + 5} {y - 5}" stroke="#000" stroke-width="2"/>'
    if label == "point":
        return f'<circle cx="{x}" cy="{y}" r="4.5" fill="#fff" stroke="#000" stroke-width="1.6"/>'
    return f'<path d="M{x} {y - 6}L{x + 6} {y}L{x} {y + 6}L{x - 6} {y}Z" fill="#fff" stroke="#000" stroke-width="1.6"/>'
