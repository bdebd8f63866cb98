"""Gradients of a one-neuron network's loss with respect to its weight w and bias b.

The neuron computes ŷ = a(wx + b) with a sigmoid or linear activation; the loss is squared
error (with or without the ½) or cross-entropy, optionally with an L2 penalty (μ/2)w².
Students find ∂L/∂w and ∂L/∂b as formulas, their values at given numbers, and one gradient
descent step w ← w − η ∂L/∂w. Numbers are chosen so that wx + b = 0 for the sigmoid
(σ = 1/2) and everything stays a small fraction.
"""

from __future__ import annotations

import random

import sympy

from exgen.answers.sympy_bridge import sigmoid
from exgen.problems.base import Family, RejectVariant, family, nonzero, sstr
from exgen.problems.model import Math, Mistake, Part, Step, Text, text

w, b, x, y = sympy.symbols("w b x y")
NAMES = ("w", "b", "x", "y")
LEARNING_RATES = [sympy.Rational(1, 10), sympy.Rational(1, 2), sympy.Rational(1, 4), sympy.Rational(1, 5)]


def _plain(expr: sympy.Expr) -> str:
    """The loss for the givens, with σ written out so sympy alone can re-derive the keys."""
    return sstr(expr.replace(sigmoid, lambda arg: 1 / (1 + sympy.exp(-arg))))


@family(
    "neural_gradients",
    title="families.neural_gradients.title",
    summary="families.neural_gradients.summary",
    asks=("partial", "partial_at", "gd_step"),
)
class NeuralGradients(Family):
    def build(self, rng: random.Random, difficulty: int) -> tuple[Text, dict[str, str], list[Part]]:
        activation = rng.choice(["linear", "sigmoid"]) if difficulty > 1 else "linear"
        loss_kind = {
            "linear": rng.choice(["half_squared", "squared"]),
            "sigmoid": rng.choice(["cross_entropy", "cross_entropy", "half_squared"]),
        }[activation]
        regularized = difficulty == 3 and rng.random() < 0.6
        mu = rng.choice([sympy.Rational(1, 2), sympy.Integer(1), sympy.Integer(2)]) if regularized else sympy.Integer(0)

        z = w * x + b
        prediction = sigmoid(z) if activation == "sigmoid" else z
        if loss_kind == "cross_entropy":
            loss = -(y * sympy.log(prediction) + (1 - y) * sympy.log(1 - prediction))
            error_signal = prediction - y  # ∂L/∂z for σ with cross-entropy
            dz_wrong = (prediction - y) * sigmoid(z) * (1 - sigmoid(z))
        elif loss_kind == "half_squared":
            loss = sympy.Rational(1, 2) * (prediction - y) ** 2
            error_signal = (prediction - y) * (sigmoid(z) * (1 - sigmoid(z)) if activation == "sigmoid" else 1)
            dz_wrong = prediction - y
        else:
            loss = (prediction - y) ** 2
            error_signal = 2 * (prediction - y)
            dz_wrong = prediction - y
        loss = loss + mu / 2 * w**2
        grad_w = error_signal * x + mu * w
        grad_b = error_signal

        # Numbers: integers for the linear neuron; wx + b = 0 (σ = 1/2) for the sigmoid.
        x0 = nonzero(rng, -3, 3)
        w0 = nonzero(rng, -2, 2)
        b0 = -w0 * x0 if activation == "sigmoid" else rng.randint(-3, 3)
        y0 = rng.choice([0, 1]) if activation == "sigmoid" else rng.randint(-4, 4)
        eta = rng.choice(LEARNING_RATES)
        at = {w: sympy.Integer(w0), b: sympy.Integer(b0), x: sympy.Integer(x0), y: sympy.Integer(y0)}
        at_sigma = {sigmoid(z): sympy.Rational(1, 2)} if activation == "sigmoid" else {}
        value_w = grad_w.xreplace(at_sigma).xreplace(at)
        value_b = grad_b.xreplace(at_sigma).xreplace(at)
        if not (value_w.is_Rational and value_b.is_Rational):
            raise RejectVariant("values not rational")
        if value_w == 0:
            raise RejectVariant("zero gradient: the step would not move")
        stepped = w0 - eta * value_w

        functions = ("sigma",) if activation == "sigmoid" else ()
        at_text = {"w": sstr(w0), "b": sstr(b0), "x": sstr(x0), "y": sstr(y0)}
        common_mistakes = []
        if mu != 0:
            common_mistakes.append(Mistake("regularization_dropped", text("mistakes.regularization_dropped"), grad_w - mu * w))
        parts = [
            Part(
                id="a", prompt=text("problems.neural_gradients.prompt_dw"), kind="expression", answer=grad_w,
                ask="partial", args={"f": "L", "wrt": ["w"]}, variables=NAMES, functions=functions,
                steps=(Step(text(f"steps.nn_chain.{loss_kind}_{activation}")),
                       Step(text("steps.nn_dw", dz=Math(error_signal)), grad_w)),
                mistakes=tuple(common_mistakes) + (
                    Mistake("dw_without_x", text("mistakes.dw_without_x"), error_signal + mu * w),
                    Mistake("loss_sign", text("mistakes.loss_sign"), -error_signal * x + mu * w),
                    Mistake("half_mishandled", text("mistakes.half_mishandled"), _half_slip(loss_kind, error_signal) * x + mu * w),
                    Mistake("activation_derivative", text("mistakes.activation_derivative"), dz_wrong * x + mu * w),
                ),
            ),
            Part(
                id="b", prompt=text("problems.neural_gradients.prompt_db"), kind="expression", answer=grad_b,
                ask="partial", args={"f": "L", "wrt": ["b"]}, variables=NAMES, functions=functions,
                steps=(Step(text("steps.nn_db"), grad_b),),
                mistakes=(
                    Mistake("db_with_x", text("mistakes.db_with_x"), error_signal * x),
                    Mistake("loss_sign", text("mistakes.loss_sign"), -error_signal),
                    Mistake("regularized_bias", text("mistakes.regularized_bias"), grad_b + mu * b) if mu != 0 else Mistake("half_mishandled", text("mistakes.half_mishandled"), _half_slip(loss_kind, error_signal)),
                ),
            ),
            Part(
                id="c", prompt=text("problems.neural_gradients.prompt_dw_at"), kind="number", answer=value_w,
                ask="partial_at", args={"f": "L", "wrt": ["w"], "at": at_text},
                steps=(Step(text("steps.nn_values", z=Math(z.xreplace(at)), yhat=Math(prediction.xreplace(at_sigma).xreplace(at)))),
                       Step(text("steps.substitute"), value_w)),
                mistakes=(Mistake("loss_sign", text("mistakes.loss_sign"), -value_w),
                          Mistake("dw_without_x", text("mistakes.dw_without_x"), (error_signal + mu * w).xreplace(at_sigma).xreplace(at))),
                depends_on=("a",), nice="rational",
            ),
            Part(
                id="d", prompt=text("problems.neural_gradients.prompt_step", eta=Math(eta)), kind="number", answer=stepped,
                ask="gd_step", args={"loss": "L", "param": "w", "lr": sstr(eta), "at": at_text},
                steps=(Step(text("steps.gd_update", eta=Math(eta), g=Math(value_w))), Step(text("steps.conclude"), stepped)),
                mistakes=(Mistake("gd_ascent", text("mistakes.gd_ascent"), w0 + eta * value_w),
                          Mistake("gd_no_rate", text("mistakes.gd_no_rate"), w0 - value_w)),
                depends_on=("c",), nice="rational",
            ),
        ]
        givens = {"L": _plain(loss), "eta": sstr(eta), **{f"{k}0": v for k, v in at_text.items()}}
        statement = text(
            f"problems.neural_gradients.statement_{activation}",
            loss=Math(sympy.Eq(sympy.Symbol("L"), loss, evaluate=False), display=True),
            numbers=Math(tuple(sympy.Eq(sympy.Symbol(k), v, evaluate=False) for k, v in zip(NAMES, (w0, b0, x0, y0)))),
        )
        return statement, givens, parts


def _half_slip(loss_kind: str, error_signal: sympy.Expr) -> sympy.Expr:
    """The ½ of a squared-error loss mishandled: a factor 2 too many or too few."""
    if loss_kind == "half_squared":
        return 2 * error_signal
    if loss_kind == "squared":
        return error_signal / 2
    return 2 * error_signal
