"""Figures as TikZ for the PDFs: the same data, window and shapes as the SVG printer."""

from __future__ import annotations

from exgen.problems.figures import Figure, nice_ticks

WIDTH_CM, HEIGHT_CM = 9.0, 5.6


def _number(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def tikz(figure: Figure) -> str:
    (x0, x1), (y0, y1) = figure.x_range, figure.y_range
    width, height = (WIDTH_CM, HEIGHT_CM) if not figure.levels else (6.5, 6.5)  # level curves: equal axes

    def cx(x: float) -> str:
        return f"{(x - x0) / (x1 - x0) * width:.3f}"

    def cy(y: float) -> str:
        return f"{(y - y0) / (y1 - y0) * height:.3f}"

    out = [r"\begin{tikzpicture}[font=\footnotesize]",
           rf"\draw[gray, very thin] (0,0) rectangle ({width},{height});"]
    for tick in nice_ticks(x0, x1):
        out.append(rf"\draw ({cx(tick)},0) -- ({cx(tick)},-0.1) node[below] {{${_number(tick)}$}};")
    for tick in nice_ticks(y0, y1, 5):
        out.append(rf"\draw (0,{cy(tick)}) -- (-0.1,{cy(tick)}) node[left] {{${_number(tick)}$}};")
    if x0 < 0 < x1:
        out.append(rf"\draw[thin] ({cx(0)},0) -- ({cx(0)},{height});")
    if y0 < 0 < y1:
        out.append(rf"\draw[thin] (0,{cy(0)}) -- ({width},{cy(0)});")
    for level in figure.levels:
        points = " ".join(f"({cx(x)},{cy(y)})" for x, y in level)
        out.append(rf"\draw[gray, thin] plot coordinates {{{points}}};")
    for curve in figure.curves:
        points = " ".join(f"({cx(x)},{cy(y)})" for x, y in curve)
        out.append(rf"\draw[thick] plot coordinates {{{points}}};")
    for start, end in figure.lines:
        out.append(rf"\draw[dashed] ({cx(start[0])},{cy(start[1])}) -- ({cx(end[0])},{cy(end[1])});")
    for start, end in figure.arrows:
        out.append(rf"\draw[->, thick] ({cx(start[0])},{cy(start[1])}) -- ({cx(end[0])},{cy(end[1])});")
    shapes = {"minimum": r"\fill ({x},{y}) circle (2.2pt);",
              "maximum": r"\fill ({x},{y}) ++(-2.2pt,-2.2pt) rectangle ++(4.4pt,4.4pt);",
              "point": r"\draw[fill=white, thick] ({x},{y}) circle (2.2pt);",
              "saddle": r"\draw[thick] ({x},{y}) ++(-2.5pt,-2.5pt) -- ++(5pt,5pt) ({x},{y}) ++(-2.5pt,2.5pt) -- ++(5pt,-5pt);"}
    neither = r"\draw[fill=white, thick] ({x},{y}) ++(0,3pt) -- ++(3pt,-3pt) -- ++(-3pt,-3pt) -- ++(-3pt,3pt) -- cycle;"
    for mark in figure.marks:
        out.append(shapes.get(mark.label, neither).format(x=cx(mark.x), y=cy(mark.y)))
    out.append(r"\end{tikzpicture}")
    return "\n".join(out)
