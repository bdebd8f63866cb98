"""Gradients of a one-neuron network's loss with respect to its weight w and bias b.

The neuron computes ŷ = a(z) with z = wx + b. Every version asks (a) ∂L/∂w and (b) ∂L/∂b as
formulas, (c) ∂L/∂w at the current numbers and (d) one gradient-descent step on w:

* d1: a linear neuron (ŷ = z) with squared error, with or without the ½;
* d2: a sigmoid neuron with cross-entropy or ½ squared error;
* d3: a sigmoid neuron as at d2, plus an L2 penalty (μ/2)w² on the weight.

For the sigmoid the bias is chosen so that z = ln k: then ŷ = σ(z) = k/(k + 1) is a small
fraction (3/4, 1/3, …), different for each version, and every value stays exact.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

import sympy

from exgen.answers import nodes as n
from exgen.answers.sympy_bridge import sigmoid
from exgen.problems.base import Family, RejectVariant, family, nonzero, sstr
from exgen.problems.figures import Figure
from exgen.problems.model import Math, Mistake, Part, Problem, Step, Text, text
from exgen.problems.steps import as_log_of, equation, replaced, substituted, tree_of

w, b, x, y = sympy.symbols("w b x y")
YHAT = sympy.Symbol("yhat")
NAMES = ("w", "b", "x", "y")
LEARNING_RATES = [sympy.Rational(1, 10), sympy.Rational(1, 2), sympy.Rational(1, 4), sympy.Rational(1, 5)]
ODDS = [sympy.Rational(k) for k in ("1/2", "2", "1/3", "3", "1/4", "4")]  # σ(ln k) = k/(k + 1)
SQUARED_ODDS = [sympy.Rational(k) for k in ("1", "3", "1/3")]  # ŷ = 1/2, 3/4, 1/4: σ′ = ŷ(1 − ŷ) stays small


def _plain(expr: sympy.Expr) -> str:
    """The loss for the givens, with σ written out so sympy alone can re-derive the keys."""
    return sstr(expr.replace(sigmoid, lambda arg: 1 / (1 + sympy.exp(-arg))))


def _mul(*factors: object) -> sympy.Expr:
    """A product in the order a textbook writes it: (σ(z) − y) x, not x (σ(z) − y)."""
    flat = [part for factor in factors for part in (factor.args if isinstance(factor, sympy.Mul) else (factor,))]
    return sympy.Mul(*flat, evaluate=False)


def _loss_tree(loss_kind: str, prediction: sympy.Expr) -> n.Node:
    """L as written: −(y ln σ(z) + (1 − y) ln(1 − σ(z))), ½(ŷ − y)², (ŷ − y)²."""
    p, target = tree_of(prediction), n.Sym("y")
    if loss_kind == "cross_entropy":
        one_minus = lambda node: n.Add((n.Num(1), n.Neg(node)))  # noqa: E731
        core: n.Node = n.Neg(n.Add((n.Mul((target, n.Call("log", (p,)))), n.Mul((one_minus(target), n.Call("log", (one_minus(p),)))))))
    else:
        terms = p.terms if isinstance(p, n.Add) else (p,)
        square = n.Pow(n.Add((*terms, n.Neg(target))), n.Num(2))
        core = n.Mul((n.Num(Fraction(1, 2), "1/2"), square)) if loss_kind == "half_squared" else square
    return core


def _exact(value: sympy.Expr) -> sympy.Expr:
    """Numbers built from exact parts are exact already; only a float would need a guess."""
    if any(isinstance(a, sympy.Float) for a in sympy.preorder_traversal(value)):
        raise RejectVariant("a decimal crept in")
    return sympy.expand_log(value) if value.has(sympy.log) else value


@family(
    "neural_gradients",
    title="families.neural_gradients.title",
    summary="families.neural_gradients.summary",
    asks=("partial", "partial_at", "gd_step"),
)
class NeuralGradients(Family):
    def figure(self, problem: Problem) -> Figure:
        """The loss as a function of w (b, x, y at their values), the tangent of slope ∂L/∂w at
        the current w, and the gradient-descent step to the new w (an arrow under the graph)."""
        from exgen.problems.figures import Mark, given, graph_window, numeric, sample_curve

        givens = problem.givens  # keys, not student text
        fixed = [float(numeric(given(givens[name]), ())()) for name in ("b0", "x0", "y0")]
        of_all = numeric(given(givens["L"]), ("w", "b", "x", "y"))

        def loss(at: Any) -> Any:
            return of_all(at, *fixed)

        w0, slope, w1 = float(numeric(given(givens["w0"]), ())()), float(problem.parts[2].answer), float(problem.parts[3].answer)
        l0, l1 = float(loss(w0)), float(loss(w1))
        x_range, (bottom, top) = graph_window([w0, w1], loss, margin=0.6, min_span=1.0, room=1.2)
        floor = bottom - 0.08 * (top - bottom)  # the step's arrow runs below the graph
        y_range = (floor - 0.06 * (top - bottom), top)
        half = 0.22 * (x_range[1] - x_range[0])
        tangent = tuple(
            ((w0 - reach, l0 - slope * reach), (w0 + reach, l0 + slope * reach))
            for reach in [min([half] + [0.95 * abs((edge - l0) / slope) for edge in y_range if slope])]
        )
        step = "figures.neural_gradients.lower" if l1 < l0 else "figures.neural_gradients.higher"
        description = text("figures.neural_gradients.description", w0=Math(given(givens["w0"])),
                           slope=Math(problem.parts[2].answer), w1=Math(problem.parts[3].answer), step=text(step))
        return Figure(
            x_range, y_range, sample_curve(loss, x_range, y_range), (Mark(w0, l0, "point"), Mark(w1, l1, "new")),
            lines=tangent, arrows=(((w0, floor), (w1, floor)),), guides=(((w0, l0), (w0, floor)), ((w1, l1), (w1, floor))),
            x_name="w", y_name="L",
            caption=text("figures.neural_gradients.caption"), sheet_caption=text("figures.neural_gradients.sheet_caption"),
                      sheet_description=text("figures.neural_gradients.sheet_description"), description=description,
        )

    def build(self, rng: random.Random, difficulty: int) -> tuple[Text, dict[str, str], list[Part]]:
        activation = "linear" if difficulty == 1 else "sigmoid"
        loss_kind = rng.choice(["half_squared", "squared"]) if activation == "linear" else rng.choice(["cross_entropy", "half_squared"])
        mu = rng.choice([sympy.Rational(1, 2), sympy.Integer(1), sympy.Integer(2)]) if difficulty == 3 else sympy.Integer(0)
        penalty = mu / 2 * w**2

        z = w * x + b
        s = sigmoid(z)
        prediction = s if activation == "sigmoid" else z
        if loss_kind == "cross_entropy":
            dz = prediction - y
        elif loss_kind == "half_squared":
            dz = _mul(prediction - y, s, 1 - s) if activation == "sigmoid" else prediction - y
        else:
            dz = _mul(2, prediction - y)
        grad_w = _mul(dz, x) if mu == 0 else sympy.Add(_mul(dz, x), mu * w, evaluate=False)
        grad_b = dz

        x0, w0 = nonzero(rng, -3, 3), nonzero(rng, -2, 2)
        if activation == "sigmoid":
            odds = rng.choice(ODDS if loss_kind == "cross_entropy" else SQUARED_ODDS)
            z0 = sympy.log(odds)
            b0 = z0 - w0 * x0
            yhat0 = odds / (1 + odds)
            y0 = rng.choice([0, 1])
        else:
            b0 = sympy.Integer(rng.randint(-3, 3))
            z0 = yhat0 = w0 * x0 + b0
            y0 = rng.randint(-4, 4)
            if yhat0 == y0:
                raise RejectVariant("ŷ = y: every gradient would be zero")
        eta = rng.choice(LEARNING_RATES)
        numbers = {"w": sympy.Integer(w0), "b": b0, "x": sympy.Integer(x0), "y": sympy.Integer(y0)}
        # numbers go in for w, x, y and, for the sigmoid, ŷ for σ(wx + b) (the linear neuron: b)
        with_yhat = lambda expr: sympy.sympify(expr).xreplace({s: YHAT})  # noqa: E731
        at_symbols = {YHAT: yhat0, w: w0, x: x0, y: y0, b: b0}
        value_w = _exact(with_yhat(grad_w).xreplace(at_symbols))
        if not value_w.is_Rational:
            raise RejectVariant("value not rational")
        if value_w == 0:
            raise RejectVariant("zero gradient: the step would not move")
        stepped = w0 - eta * value_w
        if stepped == w0 + eta * value_w or abs(eta * value_w) == abs(value_w):
            raise RejectVariant("the slips of the step would give the right answer")

        functions = ("sigma",) if activation == "sigmoid" else ()
        at_text = {"w": sstr(w0), "b": sstr(b0), "x": sstr(x0), "y": sstr(y0)}
        penalty_math = {"penalty": Math(penalty), "dpenalty": Math(mu * w)}
        chain = [Step(text(f"steps.nn_chain.{loss_kind}_{activation}"))]

        dw_mistakes = [Mistake("dw_without_x", text("mistakes.dw_without_x"), dz + mu * w),
                       Mistake("loss_sign", text("mistakes.loss_sign"), -dz * x + mu * w)]
        db_mistakes = [Mistake("db_with_x", text("mistakes.db_with_x"), dz * x), Mistake("loss_sign", text("mistakes.loss_sign"), -dz)]
        if loss_kind == "half_squared":
            dw_mistakes.append(Mistake("half_kept", text("mistakes.half_kept"), dz * x / 2 + mu * w))
            db_mistakes.append(Mistake("half_kept", text("mistakes.half_kept"), dz / 2))
        elif loss_kind == "squared":
            dw_mistakes.append(Mistake("two_dropped", text("mistakes.two_dropped"), dz * x / 2 + mu * w))
            db_mistakes.append(Mistake("two_dropped", text("mistakes.two_dropped"), dz / 2))
        if activation == "sigmoid" and loss_kind == "cross_entropy":
            dw_mistakes.append(Mistake("sigma_prime_kept", text("mistakes.sigma_prime_kept"), (s - y) * s * (1 - s) * x + mu * w))
        elif activation == "sigmoid":
            dw_mistakes.append(Mistake("sigma_prime_dropped", text("mistakes.sigma_prime_dropped"), (s - y) * x + mu * w))
        if mu != 0:
            dw_mistakes.insert(0, Mistake("regularization_dropped", text("mistakes.regularization_dropped", **penalty_math), dz * x))
            db_mistakes.append(Mistake("regularized_bias", text("mistakes.regularized_bias", **penalty_math), dz + mu * b))

        written_log = as_log_of(odds) if activation == "sigmoid" else ()  # z = −ln 3 = ln(1/3): the k of σ(ln k)
        z_work = equation(n.Sym("z"), substituted(w * x + b, {"w": w0, "x": x0, "b": b0}), z0, *written_log)
        if activation == "sigmoid":
            shown_z = written_log[0] if written_log else tree_of(z0)
            values_step = Step(text("steps.nn_values_sigmoid", z=Math(z_work), yhat=Math(equation(n.Sym("ŷ"), n.Call("sigma", (shown_z,)), yhat0))))
        else:
            values_step = Step(text("steps.nn_values_linear", z=Math(z_work)))
        value_work = replaced(grad_w, {s: yhat0} if activation == "sigmoid" else {}, {k: v for k, v in numbers.items() if k != "b" or activation == "linear"})
        step_work = substituted(sympy.Symbol("w0") - sympy.Symbol("eta") * sympy.Symbol("g"), {"w0": w0, "eta": eta, "g": value_w})
        wrong_value = lambda expr: _exact(with_yhat(expr).xreplace(at_symbols))  # noqa: E731
        value_mistakes = [Mistake("loss_sign", text("mistakes.loss_sign"), -value_w),
                          Mistake("dw_without_x", text("mistakes.dw_without_x"), wrong_value(dz + mu * w))]
        if mu != 0:
            value_mistakes.append(Mistake("regularization_dropped", text("mistakes.regularization_dropped", **penalty_math), wrong_value(dz * x)))
        parts = [
            Part(
                id="a", prompt=text("problems.neural_gradients.prompt_dw" if activation == "linear" else "problems.neural_gradients.prompt_dw_sigma"), kind="expression", answer=grad_w,
                ask="partial", args={"f": "L", "wrt": ["w"]}, variables=NAMES, functions=functions,
                steps=(*chain, Step(text("steps.nn_dw" if mu == 0 else "steps.nn_dw_penalty", **penalty_math), grad_w)), mistakes=tuple(dw_mistakes),
            ),
            Part(
                id="b", prompt=text("problems.neural_gradients.prompt_db" if activation == "linear" else "problems.neural_gradients.prompt_db_sigma"), kind="expression", answer=grad_b,
                ask="partial", args={"f": "L", "wrt": ["b"]}, variables=NAMES, functions=functions,
                steps=(Step(text("steps.nn_db" if mu == 0 else "steps.nn_db_penalty", **penalty_math), grad_b),), mistakes=tuple(db_mistakes),
            ),
            Part(
                id="c", prompt=text("problems.neural_gradients.prompt_dw_at"), kind="number", answer=value_w,
                ask="partial_at", args={"f": "L", "wrt": ["w"], "at": at_text},
                steps=(values_step, Step(text("steps.nn_substitute"), value_work), Step(text("steps.conclude"), value_w)),
                mistakes=tuple(value_mistakes), depends_on=("a",), nice="rational",
            ),
            Part(
                id="d", prompt=text("problems.neural_gradients.prompt_step", eta=Math(eta)), kind="number", answer=stepped,
                ask="gd_step", args={"loss": "L", "param": "w", "lr": sstr(eta), "at": at_text},
                steps=(Step(text("steps.gd_update", eta=Math(eta), g=Math(value_w)), step_work), Step(text("steps.conclude"), stepped)),
                mistakes=(Mistake("gd_ascent", text("mistakes.gd_ascent"), w0 + eta * value_w),
                          Mistake("gd_no_rate", text("mistakes.gd_no_rate"), w0 - value_w)),
                depends_on=("c",), nice="rational",
            ),
        ]
        loss = _loss_tree(loss_kind, prediction)
        loss_value = (
            -(y * sympy.log(prediction) + (1 - y) * sympy.log(1 - prediction)) if loss_kind == "cross_entropy"
            else (prediction - y) ** 2 / (2 if loss_kind == "half_squared" else 1)
        ) + penalty
        givens = {"L": _plain(loss_value), "eta": sstr(eta), **{f"{k}0": v for k, v in at_text.items()}}
        statement = text(
            f"problems.neural_gradients.statement_{activation}" + ("_penalty" if mu != 0 else ""),
            loss=Math(n.Eq(n.Sym("L"), loss) if mu == 0 else loss, display=mu == 0), penalty=Math(penalty),
            numbers=Math(tuple(sympy.Eq(sympy.Symbol(k), v, evaluate=False) for k, v in numbers.items())),
        )
        return statement, givens, parts
