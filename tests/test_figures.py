"""Figures are checked, not only drawn: each mark lies where the problem says (a critical point
of f on its graph, the point of tangency on the tangent line), from the figure's own data."""

from __future__ import annotations

import math

import pytest
import sympy

from exgen.problems.base import FAMILIES, generate
from exgen.rendering.pgf import pgf
from exgen.rendering.svg import svg

x = sympy.Symbol("x")


def _to_segment(point, a, b) -> float:
    """The distance from ``point`` to the segment from ``a`` to ``b``."""
    (px, py), (ax, ay), (bx, by) = point, a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / ((dx * dx + dy * dy) or 1.0)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def _on_curve(figure, at: float, value: float) -> bool:
    """The mark is on one of the drawn polylines (between two samples, within the line width)."""
    for curve in figure.curves:
        for (xa, ya), (xb, yb) in zip(curve, curve[1:]):
            if xa <= at <= xb:
                between = ya + (yb - ya) * (at - xa) / (xb - xa or 1)
                return abs(between - value) <= 0.02 * (figure.y_range[1] - figure.y_range[0])
    return False


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_critical_points_are_marked_where_f_prime_is_zero(difficulty: int, seed: int) -> None:
    problem = generate("critical_points", difficulty, seed)
    figure = FAMILIES["critical_points"].figure(problem)
    f = sympy.sympify(problem.givens["f"])
    derivative = sympy.diff(f, x)
    key = {float(point[0]): label for point, label in problem.parts[1].answer}
    assert {m.x: m.label for m in figure.marks} == key
    for mark in figure.marks:
        assert derivative.subs(x, sympy.Rational(mark.x)) == 0
        assert math.isclose(mark.y, float(f.subs(x, sympy.Rational(mark.x))), rel_tol=1e-9)
        assert figure.x_range[0] < mark.x < figure.x_range[1] and figure.y_range[0] < mark.y < figure.y_range[1]
        assert _on_curve(figure, mark.x, mark.y)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_the_tangent_touches_the_graph_at_the_marked_point(difficulty: int, seed: int) -> None:
    problem = generate("tangent_line", difficulty, seed)
    figure = FAMILIES["tangent_line"].figure(problem)
    (mark,) = figure.marks
    f = sympy.sympify(problem.givens["f"])
    x0 = sympy.sympify(problem.parts[1].args["at"])
    assert mark.x == float(x0) and math.isclose(mark.y, float(f.subs(x, x0)), rel_tol=1e-9)
    ((xa, ya), (xb, yb)), = figure.lines
    slope = float(sympy.diff(f, x).subs(x, x0))
    assert math.isclose((yb - ya) / (xb - xa), slope, rel_tol=1e-6, abs_tol=1e-9)
    assert math.isclose(ya + slope * (mark.x - xa), mark.y, rel_tol=1e-6, abs_tol=1e-6)
    assert _on_curve(figure, mark.x, mark.y)


def test_figures_are_small_deterministic_and_accessible() -> None:
    from exgen.rendering.document import draw_figure, typeset_figure

    problem = generate("critical_points", 3, 4)
    first = svg(FAMILIES["critical_points"].figure(problem))
    again = svg(FAMILIES["critical_points"].figure(generate("critical_points", 3, 4)))
    assert first == again and len(first) < 50_000
    assert 'aria-hidden="true"' in first and "<script" not in first and "id=" not in first  # no ids to clash on a page
    picture, caption = typeset_figure(draw_figure(problem), "html")
    # the text alternative names every critical point with its type, as math a screen reader reads
    hidden = caption.split('<span class="sr-only">', 1)[1].split("A second panel")[0]
    assert "<math" in hidden and hidden.count("local minimum") + hidden.count("local maximum") + hidden.count("neither") == len(problem.parts[1].answer)
    assert pgf(FAMILIES["critical_points"].figure(problem)).startswith(r"\begin{pgfpicture}")


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_the_descent_step_goes_from_w_to_w_minus_eta_times_the_gradient(difficulty: int, seed: int) -> None:
    problem = generate("neural_gradients", difficulty, seed)
    figure = FAMILIES["neural_gradients"].figure(problem)
    current, new = figure.marks
    givens = problem.givens
    w0, eta = float(sympy.sympify(givens["w0"])), float(sympy.sympify(givens["eta"]))
    gradient = float(problem.parts[2].answer)
    ((start, _), (end, _)), = figure.arrows
    assert current.x == start == w0 and math.isclose(end, w0 - eta * gradient, rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(new.x, float(problem.parts[3].answer), rel_tol=1e-12)
    loss = sympy.sympify(givens["L"]).subs({"b": sympy.sympify(givens["b0"]), "x": sympy.sympify(givens["x0"]), "y": sympy.sympify(givens["y0"])})
    for mark in figure.marks:
        assert math.isclose(mark.y, float(loss.subs("w", sympy.nsimplify(mark.x))), rel_tol=1e-9)
        assert _on_curve(figure, mark.x, mark.y)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_hessian_marks_are_critical_points_inside_the_window(difficulty: int, seed: int) -> None:
    problem = generate("hessian", difficulty, seed)
    figure = FAMILIES["hessian"].figure(problem)
    y = sympy.Symbol("y")
    f = sympy.sympify(problem.givens["f"])
    for mark in figure.marks:
        at = {x: sympy.Rational(mark.x), y: sympy.Rational(mark.y)}
        assert sympy.diff(f, x).subs(at) == 0 and sympy.diff(f, y).subs(at) == 0
        assert figure.x_range[0] < mark.x < figure.x_range[1] and figure.y_range[0] < mark.y < figure.y_range[1]
    assert figure.levels and len(svg(figure, "")) < 50_000


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("difficulty", [1, 2])
def test_lagrange_candidates_lie_on_the_drawn_constraint(difficulty: int, seed: int) -> None:
    problem = generate("lagrange", difficulty, seed)
    figure = FAMILIES["lagrange"].figure(problem)
    y = sympy.Symbol("y")
    g, c = sympy.sympify(problem.givens["g"]), sympy.sympify(problem.givens["c"])
    width = figure.x_range[1] - figure.x_range[0]
    for mark in figure.marks:
        assert g.subs({x: sympy.Rational(mark.x), y: sympy.Rational(mark.y)}) == c
        nearest = min(_to_segment((mark.x, mark.y), a, b) for curve in figure.curves for a, b in zip(curve, curve[1:]))
        assert nearest < 0.005 * width  # the thick curve passes through the mark


def test_no_lagrange_picture_in_three_variables() -> None:
    assert FAMILIES["lagrange"].figure(generate("lagrange", 3, 1)) is None


def _inside(point, polygon) -> bool:
    """Whether ``point`` lies inside the closed polyline ``polygon`` (even-odd rule)."""
    (px, py), inside = point, False
    for (ax, ay), (bx, by) in zip(polygon, polygon[1:]):
        if (ay > py) != (by > py) and px < ax + (py - ay) * (bx - ax) / (by - ay):
            inside = not inside
    return inside


@pytest.mark.parametrize("difficulty", [2, 3])
def test_every_turn_of_a_critical_points_graph_can_be_seen(difficulty: int) -> None:
    """Neighbouring critical values differ by a visible share of some panel's height: where one
    value dwarfs the others, the zoomed panel shows the turns the full view flattens."""
    from exgen.problems.figures import hidden_turns

    zooms = 0
    for seed in range(40):
        figure = FAMILIES["critical_points"].figure(generate("critical_points", difficulty, seed))
        marks = sorted(figure.marks, key=lambda m: m.x)
        for mark in marks:
            assert figure.x_range[0] < mark.x < figure.x_range[1] and figure.y_range[0] < mark.y < figure.y_range[1]
        for left, right in zip(marks, marks[1:]):
            panels = figure.panels
            assert any(not hidden_turns([left.y, right.y], panel.y_range)
                       and all(panel.x_range[0] < m.x < panel.x_range[1] and panel.y_range[0] < m.y < panel.y_range[1] for m in (left, right))
                       for panel in panels), (seed, left, right)
        zooms += figure.zoom is not None
    assert zooms  # the case the zoom exists for does occur


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_contour_plots_show_saddles_crossing_and_extrema_ringed(difficulty: int, seed: int) -> None:
    problem = generate("hessian", difficulty, seed)
    figure = FAMILIES["hessian"].figure(problem)
    width = figure.x_range[1] - figure.x_range[0]
    marks = figure.marks
    for mark in marks:
        if mark.label == "saddle":  # the dashed level curve through it passes through the point
            assert min(_to_segment((mark.x, mark.y), a, b) for curve in figure.touching for a, b in zip(curve, curve[1:])) < 0.01 * width
        else:  # a small closed level curve around it and around no other critical point
            rings = [curve for curve in figure.levels if curve[0] == curve[-1] and _inside((mark.x, mark.y), curve)
                     and not any(_inside((other.x, other.y), curve) for other in marks if other is not mark)]
            assert rings, (seed, mark)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("difficulty", [1, 2])
def test_the_drawn_gradients_are_parallel_at_each_candidate(difficulty: int, seed: int) -> None:
    figure = FAMILIES["lagrange"].figure(generate("lagrange", difficulty, seed))
    assert len(figure.arrows) == len(figure.dashed_arrows) == len(figure.marks)
    for (fa, fb), (ga, gb), mark in zip(figure.arrows, figure.dashed_arrows, figure.marks):
        assert fa == (mark.x, mark.y)
        f_direction, g_direction = (fb[0] - fa[0], fb[1] - fa[1]), (gb[0] - ga[0], gb[1] - ga[1])
        cross = f_direction[0] * g_direction[1] - f_direction[1] * g_direction[0]
        assert abs(cross) < 1e-9 * math.hypot(*f_direction) * math.hypot(*g_direction)
        for end in (fb, gb):  # the arrows stay in the picture
            assert figure.x_range[0] < end[0] < figure.x_range[1] and figure.y_range[0] < end[1] < figure.y_range[1]


@pytest.mark.parametrize("family", ["critical_points", "tangent_line", "neural_gradients", "hessian", "lagrange"])
def test_the_worksheet_figure_answers_nothing(family: str) -> None:
    """figures = "both" puts a figure on the worksheet: the graph or the level curves, never the
    marked points, the tangent, the step or the gradients that the parts ask for."""
    from exgen.rendering.document import draw_figure, typeset_problem

    problem = generate(family, 2, 3)
    sheet = draw_figure(problem).for_worksheet()
    assert not (sheet.marks or sheet.lines or sheet.arrows or sheet.dashed_arrows or sheet.notes or sheet.guides or sheet.touching)
    assert sheet.curves or sheet.levels
    for fmt in ("html", "tex"):
        typeset = typeset_problem(problem, 1, fmt, figures="both", drawn=draw_figure(problem))
        assert typeset.figure and typeset.sheet_figure and typeset.sheet_figure != typeset.figure
        assert typeset_problem(problem, 1, fmt, figures="key", drawn=draw_figure(problem)).sheet_figure is None
        assert typeset_problem(problem, 1, fmt, figures="none", drawn=draw_figure(problem)).figure is None
    if family == "critical_points":
        assert "<circle" not in str(typeset_problem(problem, 1, "html", figures="both", drawn=draw_figure(problem)).sheet_figure)


def test_a_spec_names_where_figures_go(tmp_path) -> None:
    from exgen.errors import InputFileError
    from exgen.worksheets.spec import parse_spec

    base = {"title": "T", "section": [{"family": "hessian", "count": 1, "difficulty": 1}]}
    assert parse_spec(base).sections[0].figures == "key"
    assert parse_spec({**base, "section": [{**base["section"][0], "figures": "both"}]}).sections[0].figures == "both"
    with pytest.raises(InputFileError, match="figures must be one of key, both, none"):
        parse_spec({**base, "section": [{**base["section"][0], "figures": "sometimes"}]})


# -- where a mark's type is written ------------------------------------------------------------


def _crosses_box(a, b, box) -> bool:
    """Whether the segment from ``a`` to ``b`` meets the rectangle (Liang–Barsky clipping: exact,
    unlike the sampling the figures use)."""
    (ax, ay), (bx, by) = a, b
    left, bottom, right, top = box
    low, high = 0.0, 1.0
    for p, q in ((-(bx - ax), ax - left), (bx - ax, right - ax), (-(by - ay), ay - bottom), (by - ay, top - ay)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


def _word_box(figure, mark, word: str, corner) -> tuple[float, float, float, float]:
    """The word's rectangle in the figure's own coordinates, from the printers' sizes."""
    from exgen.problems.figures import ASPECT, LABEL_CHARACTER, LABEL_GAP, LABEL_HEIGHT

    (x0, x1), (y0, y1) = figure.x_range, figure.y_range
    sx, sy = x1 - x0, (y1 - y0) / (1.0 if figure.square else ASPECT)
    width = LABEL_CHARACTER * len(word)
    across, up = corner
    left = mark.x + (LABEL_GAP if across > 0 else -LABEL_GAP - width) * sx
    bottom = mark.y + (LABEL_GAP if up > 0 else -LABEL_GAP - LABEL_HEIGHT) * sy
    return left, bottom, left + width * sx, bottom + LABEL_HEIGHT * sy


WORDS = {"minimum": "min", "maximum": "max", "saddle": "saddle", "neither": "neither"}


def _covered(figure, mark, corner) -> bool:
    """The word at ``corner`` lies across the constraint, the touching level curve or an arrow."""
    box = _word_box(figure, mark, WORDS[mark.label], corner)
    lines = list(figure.curves) + list(figure.touching) + [arrow for arrow in figure.arrows + figure.dashed_arrows]
    return any(_crosses_box(a, b, box) for line in lines for a, b in zip(line, line[1:]))


def test_lagrange_words_stay_off_the_touching_level_lines_and_the_arrows() -> None:
    """At a Lagrange candidate the level line through it runs along the constraint and the two
    gradients leave it across: the word goes to a corner that none of them nor the constraint
    crosses whenever one is free (above right, where it used to go, sits on the level line
    whenever it rises)."""
    from exgen.problems.figures import label_corner

    corners = [(1, 1), (1, -1), (-1, 1), (-1, -1)]
    placed = covered = stuck = preferred_covered = 0
    for difficulty in (1, 2):
        for seed in range(25):
            figure = FAMILIES["lagrange"].figure(generate("lagrange", difficulty, seed))
            for mark in figure.marks:
                placed += 1
                free = [c for c in corners if not _covered(figure, mark, c)]
                preferred_covered += _covered(figure, mark, (1, 1))
                if not free:
                    stuck += 1
                    continue
                covered += _covered(figure, mark, label_corner(figure, mark, WORDS[mark.label]))
    assert preferred_covered > placed / 3, "the check finds the collisions the old placement had"
    assert covered <= placed // 20, f"{covered} of {placed} words lie across a level line or an arrow ({stuck} had no free corner)"


@pytest.mark.parametrize(("where", "expected"), [
    ("nothing near", (1, 1)),
    ("a line up and right", (-1, 1)),
    ("lines up on both sides", (1, -1)),
    ("at the top edge", (1, -1)),
    ("at the right edge", (-1, 1)),
])
def test_a_word_goes_to_the_first_free_corner(where: str, expected) -> None:
    from exgen.problems.figures import Figure, Mark, label_corner

    window = ((0.0, 10.0), (0.0, 10.0))
    at = {"at the top edge": (5.0, 9.9), "at the right edge": (9.8, 5.0)}.get(where, (5.0, 5.0))
    lines = {"a line up and right": (((5.0, 5.0), (9.0, 9.0)),),
             "lines up on both sides": (((5.0, 5.0), (9.0, 9.0)), ((5.0, 5.0), (1.0, 9.0)))}.get(where, ())
    far_level = (((0.0, 0.0), (0.5, 0.0)),)  # a level curve makes it a square contour plot
    figure = Figure(*window, (), (Mark(*at, "maximum"),), lines=lines, levels=far_level)
    assert figure.square
    assert label_corner(figure, figure.marks[0], "max") == expected


def test_a_word_on_the_left_is_anchored_at_its_end_in_both_printers() -> None:
    from exgen.problems.figures import Figure, Mark

    figure = Figure((0.0, 10.0), (0.0, 10.0), (), (Mark(9.8, 5.0, "maximum"),))
    assert 'text-anchor="end"' in svg(figure, words={"maximum": "max"})
    assert "[right,bottom,at=" in pgf(figure, words={"maximum": "max"})


def test_a_graph_keeps_room_for_the_words_of_its_highest_and_lowest_marks() -> None:
    """A maximum at the top of a graph (or of its zoomed panel) has its word above it, inside
    the frame and off the curve; so has a minimum at the bottom below it. Before the room was
    kept, a third of the words of critical-point graphs sat on the curve or past the frame."""
    from exgen.problems.figures import GRAZING, label_corner, label_costs

    placed = covering = 0
    for difficulty in (1, 2, 3):
        for seed in range(30):
            problem = generate("critical_points", difficulty, seed)
            for panel in FAMILIES["critical_points"].figure(problem).panels:
                for mark in panel.marks:
                    if mark.label not in WORDS:
                        continue
                    word = WORDS[mark.label]
                    placed += 1
                    covering += label_costs(panel, mark, word)[label_corner(panel, mark, word)] > GRAZING
    assert placed > 200
    assert covering <= placed // 20, f"{covering} of {placed} words lie on the curve or past the frame"
