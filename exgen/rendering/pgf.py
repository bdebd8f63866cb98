"""Figures for the PDFs: the same data, window, ticks and shapes as the SVG printer, as a
``pgfpicture`` whose lines are one block of PDF drawing operators and whose labels are
``\\pgftext`` boxes.

Why not TikZ commands: each ``\\draw`` or ``node`` costs TeX about a millisecond to parse, and a
class set has thousands of figures (300 keys with five figures each made the print file's TeX
run six times longer). The drawing operators go through PGF's driver layer
(``\\pgfsys@invoke``, wrapped as ``\\exgenpdfdraw`` in the preamble), so pdflatex and xelatex
both take them, at the cost of a copy of each line, not a parse.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from exgen.problems.figures import ASPECT, Figure, Point, label_corner, nice_ticks, tick_label

CM = 28.45274  # TeX points per centimetre
BP = 72 / 72.27  # PDF units (big points) per TeX point
WIDTH = 7.4 * CM
SQUARE = 5.8 * CM
PAIR_WIDTH = 6.0 * CM  # a graph beside its zoom
KAPPA = 0.5523  # Bézier control distance for a quarter circle


_n = tick_label  # every number in the picture as the axes print theirs: at most two decimals


def pgf(figure: Figure, zoom_label: str = "", words: Mapping[str, str] | None = None) -> str:
    """The figure as a ``pgfpicture``, and its zoomed panels as further ones (see svg)."""
    panels = figure.panels
    if len(panels) == 1:
        return _panel(figure, WIDTH, words=words or {})
    # a zoom beside its graph, narrower so that both fit the line, titled above its frame; with
    # a zoom of the zoom, the graph on a line of its own above the two
    zooms = "\n\\hspace{1em}\n".join(_panel(panel, PAIR_WIDTH, zoom_label, words or {}) for panel in panels[1:])
    return _panel(figure, PAIR_WIDTH, words=words or {}) + ("\n\\hspace{1em}\n" if len(panels) == 2 else "\n\\par\\medskip\n") + zooms


class _Drawing:
    """PDF content-stream operators in TeX points (converted to big points as they are written)."""

    def __init__(self) -> None:
        self.ops: list[str] = []

    def add(self, *ops: str) -> None:
        self.ops.extend(ops)

    @staticmethod
    def at(x: float, y: float) -> str:
        return f"{_n(x * BP)} {_n(y * BP)}"

    def polyline(self, points: Iterable[tuple[float, float]]) -> None:
        coordinates = [f"{x * BP:.2f} {y * BP:.2f} l" for x, y in points]  # the hot loop: one format per point
        coordinates[0] = coordinates[0][:-1] + "m"
        self.ops.extend(coordinates)
        self.ops.append("S")

    def circle(self, x: float, y: float, r: float, paint: str) -> None:
        k = KAPPA * r
        self.add(f"{self.at(x + r, y)} m",
                 f"{self.at(x + r, y + k)} {self.at(x + k, y + r)} {self.at(x, y + r)} c",
                 f"{self.at(x - k, y + r)} {self.at(x - r, y + k)} {self.at(x - r, y)} c",
                 f"{self.at(x - r, y - k)} {self.at(x - k, y - r)} {self.at(x, y - r)} c",
                 f"{self.at(x + k, y - r)} {self.at(x + r, y - k)} {self.at(x + r, y)} c", paint)

    def arrow(self, xa: float, ya: float, xb: float, yb: float, dashed: bool = False) -> None:
        length = math.hypot(xb - xa, yb - ya) or 1.0
        ux, uy = (xb - xa) / length, (yb - ya) / length
        head = min(5.0, 0.6 * length)
        bx, by = xb - head * ux, yb - head * uy
        self.add("[2.5 1.5] 0 d" if dashed else "[] 0 d")
        self.polyline(((xa, ya), (bx, by)))
        self.add("[] 0 d", f"{self.at(xb, yb)} m", f"{self.at(bx - 2 * uy, by + 2 * ux)} l", f"{self.at(bx + 2 * uy, by - 2 * ux)} l", "f")

    def text(self) -> str:
        return r"\exgenpdfdraw{q " + " ".join(self.ops) + " Q}"


def _label(x: float, y: float, anchor: str, content: str) -> str:
    return rf"\pgftext[{anchor}at={{\pgfqpoint{{{_n(x)}pt}}{{{_n(y)}pt}}}}]{{{content}}}"


def _panel(figure: Figure, graph_width: float, title: str = "", words: Mapping[str, str] | None = None) -> str:
    (x0, x1), (y0, y1) = figure.x_range, figure.y_range
    width = SQUARE if figure.square else graph_width
    height = SQUARE if figure.square else graph_width * ASPECT

    def cx(x: float) -> float:
        return (x - x0) / (x1 - x0) * width

    def cy(y: float) -> float:
        return (y - y0) / (y1 - y0) * height

    def mapped(points: Iterable[Point]) -> list[tuple[float, float]]:
        return [(cx(a), cy(b)) for a, b in points]

    draw = _Drawing()
    labels: list[str] = []
    draw.add("0 J 1 j", "0.5 G", f"{_n(0.4 * BP)} w", f"0 0 {_n(width * BP)} {_n(height * BP)} re S", "0 G", f"{_n(0.4 * BP)} w")
    for tick in nice_ticks(x0, x1):
        draw.polyline(((cx(tick), 0.0), (cx(tick), -3.0)))
        labels.append(_label(cx(tick), -4.5, "top,", f"${tick_label(tick)}$"))
    for tick in nice_ticks(y0, y1, 5):
        draw.polyline(((0.0, cy(tick)), (-3.0, cy(tick))))
        labels.append(_label(-4.5, cy(tick), "right,", f"${tick_label(tick)}$"))
    labels.append(_label(width + 3, 0, "left,", f"${figure.x_name}$"))
    labels.append(_label(4, height + 3, "left,bottom,", f"${figure.y_name}$"))
    if title:
        labels.append(_label(width, height + 2, "right,bottom,", rf"\itshape {title}"))
    if x0 < 0 < x1:
        draw.polyline(((cx(0), 0.0), (cx(0), height)))
    if y0 < 0 < y1:
        draw.polyline(((0.0, cy(0)), (width, cy(0))))
    if figure.levels:
        draw.add("0.45 G", f"{_n(0.45 * BP)} w")
        for level in figure.levels:
            draw.polyline(mapped(level))
    if figure.touching:
        draw.add("0 G", f"{_n(0.7 * BP)} w", "[3 2] 0 d")
        for level in figure.touching:
            draw.polyline(mapped(level))
        draw.add("[] 0 d")
    draw.add("0 G", f"{_n((1.6 if figure.levels else 1.1) * BP)} w")
    for curve in figure.curves:
        draw.polyline(mapped(curve))
    draw.add(f"{_n(0.8 * BP)} w", "[4 2.5] 0 d")
    for start, end in figure.lines:
        draw.polyline(mapped((start, end)))
    draw.add("0.4 G", f"{_n(0.5 * BP)} w", "[1 1.5] 0 d")
    for start, end in figure.guides:
        draw.polyline(mapped((start, end)))
    draw.add("[] 0 d", "0 G", "0 g", f"{_n(0.8 * BP)} w")
    for dashed, arrows in ((False, figure.arrows), (True, figure.dashed_arrows)):
        for start, end in arrows:
            draw.arrow(cx(start[0]), cy(start[1]), cx(end[0]), cy(end[1]), dashed)
    for (a, b), name in figure.notes:
        labels.append(_label(cx(a), cy(b), "", "$" + name.replace("∇", r"\nabla ") + "$"))
    if figure.zoom is not None:  # where the zoomed panel looks
        (a, b), (c, d) = figure.zoom.x_range, figure.zoom.y_range
        draw.add(f"{_n(0.5 * BP)} w", "[1.5 1.5] 0 d")
        draw.polyline(mapped(((a, max(c, y0)), (b, max(c, y0)), (b, min(d, y1)), (a, min(d, y1)), (a, max(c, y0)))))
        draw.add("[] 0 d")
    for mark in figure.marks:
        _mark(draw, cx(mark.x), cy(mark.y), mark.label)
        if words and mark.label in words:  # the type in words, beside the shape
            across, up = label_corner(figure, mark, words[mark.label])
            labels.append(_label(cx(mark.x) + 4 * across, cy(mark.y) + 4 * up,
                                 ("left," if across > 0 else "right,") + ("bottom," if up > 0 else "top,"),
                                 _on_white(rf"\scriptsize\itshape {words[mark.label]}")))
    return "\n".join([
        r"\begin{pgfpicture}",
        # the frame's box for the picture's size (the drawing operators are not measured)
        rf"\pgfpathrectangle{{\pgfpointorigin}}{{\pgfqpoint{{{_n(width)}pt}}{{{_n(height)}pt}}}}\pgfusepath{{}}",
        draw.text(), r"\footnotesize", *labels, r"\end{pgfpicture}",
    ])


def _on_white(content: str) -> str:
    """A label on a tight white box, so that level curves and arrows under it do not cross its
    letters (the SVG figures give theirs a white halo)."""
    return rf"{{\setlength{{\fboxsep}}{{0.6pt}}\colorbox{{white}}{{{content}}}}}"


def _mark(draw: _Drawing, x: float, y: float, label: str) -> None:
    """● minimum (or the new w of a step), ■ maximum, ◇ neither, ✕ saddle, ○ a point."""
    draw.add(f"{_n(0.9 * BP)} w")
    if label in ("minimum", "new"):
        draw.circle(x, y, 2.3, "f")
    elif label == "maximum":
        draw.add(f"{draw.at(x - 2.2, y - 2.2)} {_n(4.4 * BP)} {_n(4.4 * BP)} re f")
    elif label == "saddle":
        draw.add(f"{_n(1.2 * BP)} w")
        draw.polyline(((x - 2.6, y - 2.6), (x + 2.6, y + 2.6)))
        draw.polyline(((x - 2.6, y + 2.6), (x + 2.6, y - 2.6)))
    elif label == "point":
        draw.add("1 g")
        draw.circle(x, y, 2.3, "B")
        draw.add("0 g")
    else:
        draw.add("1 g", f"{draw.at(x, y + 3)} m {draw.at(x + 3, y)} l {draw.at(x, y - 3)} l {draw.at(x - 3, y)} l h B", "0 g")
