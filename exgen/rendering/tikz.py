"""Figures as TikZ for the PDFs: the same data, window, ticks and shapes as the SVG printer.

Long polylines (graphs, level curves) go through PGF's quick path commands, which take
dimensions in points as they are: TikZ's coordinate parser would make a class set of figures many times
slower to typeset."""

from __future__ import annotations

from exgen.problems.figures import ASPECT, Figure, Point, nice_ticks, tick_label

CM = 28.45274  # TeX points per centimetre
WIDTH = 7.4 * CM
SQUARE = 5.8 * CM
PAIR_WIDTH = 6.0 * CM  # a graph beside its zoom


def _n(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def tikz(figure: Figure, zoom_label: str = "") -> str:
    """The figure as a ``tikzpicture`` (and its zoomed panel as a second one below it)."""
    if figure.zoom is None:
        return _panel(figure, WIDTH)
    # side by side, narrower so that both fit the line, the zoom titled above its frame
    return _panel(figure, PAIR_WIDTH) + "\n\\hspace{1em}\n" + _panel(figure.zoom, PAIR_WIDTH, zoom_label)


def _panel(figure: Figure, graph_width: float, title: str = "") -> str:
    (x0, x1), (y0, y1) = figure.x_range, figure.y_range
    width = SQUARE if figure.square else graph_width
    height = SQUARE if figure.square else graph_width * ASPECT

    def cx(x: float) -> str:
        return _n((x - x0) / (x1 - x0) * width)

    def cy(y: float) -> str:
        return _n((y - y0) / (y1 - y0) * height)

    def path(points: tuple[Point, ...]) -> str:
        (a, b), rest = points[0], points[1:]
        # quick commands: dimensions straight to the soft path (no parsing, no bounding box:
        # the frame drawn first already encloses every line)
        return (rf"\pgfpathqmoveto{{{cx(a)}pt}}{{{cy(b)}pt}}" + "".join(rf"\pgfpathqlineto{{{cx(p)}pt}}{{{cy(q)}pt}}" for p, q in rest)
                + r"\pgfusepathqstroke")

    out = [r"\begin{tikzpicture}[x=1pt, y=1pt, font=\footnotesize]",
           rf"\draw[gray, very thin] (0,0) rectangle ({_n(width)},{_n(height)});"]
    for tick in nice_ticks(x0, x1):
        out.append(rf"\draw ({cx(tick)},0) -- ({cx(tick)},-3) node[below] {{${tick_label(tick)}$}};")
    for tick in nice_ticks(y0, y1, 5):
        out.append(rf"\draw (0,{cy(tick)}) -- (-3,{cy(tick)}) node[left] {{${tick_label(tick)}$}};")
    out.append(rf"\node[right, inner sep=2pt] at ({_n(width)},0) {{${figure.x_name}$}};")
    out.append(rf"\node[above right, inner sep=2pt] at (0,{_n(height)}) {{${figure.y_name}$}};")
    if title:
        out.append(rf"\node[above left, inner sep=2pt, font=\footnotesize\itshape] at ({_n(width)},{_n(height)}) {{{title}}};")
    if x0 < 0 < x1:
        out.append(rf"\draw[thin] ({cx(0)},0) -- ({cx(0)},{_n(height)});")
    if y0 < 0 < y1:
        out.append(rf"\draw[thin] (0,{cy(0)}) -- ({_n(width)},{cy(0)});")
    if figure.levels:
        out.append(r"\begin{scope}[gray, line width=0.5pt]" + "".join(path(level) for level in figure.levels) + r"\end{scope}")
    if figure.touching:
        out.append(r"\begin{scope}[line width=0.7pt, dash pattern=on 3pt off 2pt]" + "".join(path(level) for level in figure.touching) + r"\end{scope}")
    if figure.curves:
        style = "line width=1.6pt" if figure.levels else "line width=1.1pt"
        out.append(rf"\begin{{scope}}[{style}]" + "".join(path(curve) for curve in figure.curves) + r"\end{scope}")
    for start, end in figure.lines:
        out.append(rf"\draw[dashed, semithick] ({cx(start[0])},{cy(start[1])}) -- ({cx(end[0])},{cy(end[1])});")
    for start, end in figure.guides:
        out.append(rf"\draw[densely dotted, gray] ({cx(start[0])},{cy(start[1])}) -- ({cx(end[0])},{cy(end[1])});")
    for style, arrows in (("->, thick", figure.arrows), ("->, thick, densely dashed", figure.dashed_arrows)):
        for start, end in arrows:
            out.append(rf"\draw[{style}] ({cx(start[0])},{cy(start[1])}) -- ({cx(end[0])},{cy(end[1])});")
    for (a, b), name in figure.notes:
        out.append(rf"\node at ({cx(a)},{cy(b)}) {{${name.replace('∇', chr(92) + 'nabla ')}$}};")
    if figure.zoom is not None:
        (a, b), (c, d) = figure.zoom.x_range, figure.zoom.y_range
        out.append(rf"\draw[densely dashed, thin] ({cx(a)},{cy(max(c, y0))}) rectangle ({cx(b)},{cy(min(d, y1))});")
    shapes = {"minimum": r"\fill ({x},{y}) circle (2.2pt);",
              "maximum": r"\fill ({x},{y}) ++(-2.2pt,-2.2pt) rectangle ++(4.4pt,4.4pt);",
              "point": r"\draw[fill=white, thick] ({x},{y}) circle (2.2pt);",
              "saddle": r"\draw[very thick] ({x},{y}) ++(-2.5pt,-2.5pt) -- ++(5pt,5pt) ({x},{y}) ++(-2.5pt,2.5pt) -- ++(5pt,-5pt);"}
    neither = r"\draw[fill=white, thick] ({x},{y}) ++(0,3pt) -- ++(3pt,-3pt) -- ++(-3pt,-3pt) -- ++(-3pt,3pt) -- cycle;"
    shapes["new"] = shapes["minimum"]
    for mark in figure.marks:
        out.append(shapes.get(mark.label, neither).format(x=cx(mark.x), y=cy(mark.y)))
    out.append(r"\end{tikzpicture}")
    return "\n".join(out)

