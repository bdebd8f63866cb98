"""A labelled corpus of hard cases for the answer engine, built the way an adversary would.

Each row is (category, kind, expected, answer, vars, label) where label is the verdict the
engine must give: ``correct``, ``incorrect`` or ``invalid`` (``not_correct`` accepts either of
the last two). Families of traps are generated over several bases, magnitudes and variable
positions, so the corpus tests classes of faults, not single examples. Run through
``exgen check --batch`` by tests/test_adversarial.py and bench/bench_adversarial.py.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import NamedTuple


class Case(NamedTuple):
    category: str
    kind: str
    expected: str
    answer: str
    vars: str
    label: str

    def record(self) -> dict[str, object]:
        record: dict[str, object] = {"expected": self.expected, "answer": self.answer, "kind": self.kind}
        if self.vars:
            record["vars"] = self.vars
        if self.kind == "expression" and "sigma" in self.expected + self.answer:
            record["functions"] = ["sigma"]
        return record


def _sign_traps() -> Iterator[Case]:
    """A non-analytic piece in one variable among many: every variable must be seen negative."""
    names = ["w", "b", "x", "y", "z", "u"]
    for count in (2, 3, 4, 5, 6):
        chosen = names[:count]
        for position in range(count):
            v = chosen[position]
            others = "+".join(f"{k + 1}*{n}" for k, n in enumerate(chosen) if n != v)
            key = f"({others})*{v}"
            yield Case("sign", "expression", key, f"({others})*abs({v})", ",".join(chosen), "incorrect")
            yield Case("sign", "expression", key, f"({others})*sqrt({v}^2)", ",".join(chosen), "incorrect")
    yield Case("sign", "expression", "2*(w*x+b-y)*x", "2*(w*x+b-abs(y))*x", "w,b,x,y", "incorrect")
    yield Case("sign", "expression", "2*(w*x+b-y)*x", "2*(w*x+b-y)*abs(x)", "w,b,x,y", "incorrect")
    yield Case("sign", "expression", "2*(w*x+b-y)", "2*(abs(w)*x+b-y)", "w,b,x,y", "incorrect")
    yield Case("sign", "expression", "(sigma(w*x+b)-y)*x", "(sigma(w*abs(x)+b)-y)*x", "w,b,x,y", "incorrect")
    yield Case("sign", "expression", "x*y", "abs(x*y)", "x,y", "incorrect")
    yield Case("sign", "expression", "x*y*z", "abs(x)*y*z", "x,y,z", "incorrect")
    yield Case("sign", "expression", "x*y*z*w", "x*y*z*abs(w)", "x,y,z,w", "incorrect")
    yield Case("sign", "expression", "x*y*z*w", "x*y*z*w*sign(w)^2", "x,y,z,w", "correct")  # equal at w = 0 too
    yield Case("sign", "expression", "x*y*z + w", "x*y*z*sign(w)^2 + w", "x,y,z,w", "incorrect")
    yield Case("sign", "expression", "abs(x*y)", "abs(x)*abs(y)", "x,y", "correct")
    yield Case("sign", "expression", "x*y*z*w", "(x*y)*(z*w)", "x,y,z,w", "correct")
    yield Case("sign", "expression", "2*(w*x+b-y)*x", "2*x*(x*w + b - y)", "w,b,x,y", "correct")


def _perturbations() -> Iterator[Case]:
    """Differences far below the first working precision, or drowned by huge values."""
    bases = ["x", "sin(x)", "e^x", "ln(x^2+1)", "x*cos(x)", "sqrt(x^2+1)", "atan(x)"]
    tiny = ["10^-30", "10^-45", "10^-60", "10^-90", "2^-200", "e^-150"]
    for base, small in itertools.product(bases, tiny):
        yield Case("tiny", "expression", base, f"{base} + {small}*sin(x)", "x", "incorrect")
        yield Case("tiny", "expression", base, f"(1 + {small})*({base})", "x", "incorrect")
    for base in bases:
        yield Case("tiny", "expression", base, f"({base})*exp(10^-50)", "x", "incorrect")
        yield Case("tiny", "expression", base, f"({base}) + exp(-400)", "x", "incorrect")
        yield Case("tiny", "expression", base, f"({base})*cos(10^-25)", "x", "incorrect")
    for k in (100, 300, 1000):
        yield Case("drowned", "expression", f"cosh({k}*x)", f"cosh({k}*x) + 1", "x", "incorrect")
        yield Case("drowned", "expression", f"sinh({k}*x)", f"sinh({k}*x) + x", "x", "incorrect")
        yield Case("drowned", "expression", f"e^({k}*x)", f"e^({k}*x) + 1", "x", "incorrect")
        yield Case("drowned", "expression", f"cosh({k}*x)", f"(e^({k}*x) + e^(-{k}*x))/2", "x", "correct")
    for power in (20, 40, 80):
        yield Case("drowned", "expression", f"10^{power}*sin(x)", f"10^{power}*sin(x) + 1", "x", "incorrect")
        yield Case("drowned", "expression", f"10^{power}*sin(x)", f"10^{power}*sin(x) + cos(x)", "x", "incorrect")
        yield Case("drowned", "expression", f"10^{power}*e^x", f"e^(x + {power}*ln(10))", "x", "correct")
    yield Case("drowned", "expression", "e^(x^2)", "e^(x^2) + 1", "x", "incorrect")
    yield Case("drowned", "expression", "x^40*sin(x)", "x^40*sin(x) + 1", "x", "incorrect")
    yield Case("drowned", "expression", "tanh(1000*x)", "sign(x)", "x", "incorrect")
    yield Case("drowned", "expression", "sigma(1000*x)", "(1 + sign(x))/2", "x", "incorrect")
    yield Case("drowned", "expression", "pi/2", "atan(10^30)", "", "incorrect")
    yield Case("drowned", "expression", "1", "tanh(50)", "", "incorrect")


def _constants() -> Iterator[Case]:
    yield Case("constant", "expression", "sqrt(2)", "sqrt(2) + 10^-80", "", "incorrect")
    yield Case("constant", "expression", "pi/4", "atan(1) + 10^-90", "", "incorrect")
    yield Case("constant", "expression", "e", "(1 + 10^-60)*e", "", "incorrect")
    yield Case("constant", "expression", "ln(2)", "ln(2 + 10^-70)", "", "incorrect")
    yield Case("constant", "expression", "sqrt(2)/2", "1/sqrt(2)", "", "correct")
    yield Case("constant", "expression", "2*sqrt(3)", "sqrt(12)", "", "correct")
    yield Case("constant", "expression", "3 + sqrt(2)", "sqrt(11 + 6*sqrt(2))", "", "correct")
    yield Case("constant", "expression", "pi/4", "atan(1)", "", "correct")
    yield Case("constant", "expression", "ln(8)", "3*ln(2)", "", "correct")
    yield Case("constant", "expression", "e^2", "exp(1)^2", "", "correct")
    yield Case("constant", "expression", "pi", "22/7", "", "incorrect")
    yield Case("constant", "expression", "1/3", "0.333", "", "incorrect")
    yield Case("constant", "expression", "cos(pi/5)", "(1 + sqrt(5))/4", "", "correct")
    yield Case("constant", "expression", "sin(pi/12)", "(sqrt(6) - sqrt(2))/4", "", "correct")


def _pieces() -> Iterator[Case]:
    """Non-analytic answers whose wrong piece lies where few points go."""
    for a in ("1/10", "1/1000", "3", "50"):
        yield Case("piece", "expression", "abs(x)", f"max(abs(x), {a})", "x", "incorrect")
    for c in (7, 300, 900, 5000):
        yield Case("piece", "expression", "x", f"x - max(x - {c}, 0)", "x", "incorrect")
        yield Case("piece", "expression", "x", f"min(x, {c})", "x", "incorrect")
        yield Case("piece", "expression", "x", f"max(x, -{c})", "x", "incorrect")
    for c in ("1/100", "1/7", "2", "40"):
        yield Case("piece", "expression", "x^2", f"x^2 + max(0, {c} - abs(x))", "x", "incorrect")
        yield Case("piece", "expression", "x", f"x*sign(abs(x) - {c})^2", "x", "incorrect")
    yield Case("piece", "expression", "1", "sign(x)^2", "x", "incorrect")
    yield Case("piece", "expression", "x", "x + exp(-1000*x^2)", "x", "incorrect")
    yield Case("piece", "expression", "x", "x + exp(-100*(x-3)^2)", "x", "incorrect")
    yield Case("piece", "expression", "x", "x + exp(-1/x^2)", "x", "incorrect")
    yield Case("piece", "expression", "x^2 - 4", "abs(x^2 - 4)", "x", "incorrect")
    yield Case("piece", "expression", "sin(x)", "abs(sin(x))", "x", "incorrect")
    yield Case("piece", "expression", "x", "max(x, 0)", "x", "incorrect")
    yield Case("piece", "expression", "max(x, y)", "x", "x,y", "incorrect")
    yield Case("piece", "expression", "max(x, y)", "(x + y + abs(x - y))/2", "x,y", "correct")
    yield Case("piece", "expression", "min(x, y)", "(x + y - abs(x - y))/2", "x,y", "correct")
    yield Case("piece", "expression", "max(x, 0)", "(abs(x) + x)/2", "x", "correct")
    yield Case("piece", "expression", "abs(x)", "max(x, -x)", "x", "correct")
    yield Case("piece", "expression", "abs(x)", "x*sign(x)", "x", "correct")
    yield Case("piece", "expression", "x", "abs(x)*sign(x)", "x", "correct")
    yield Case("piece", "expression", "abs(x)", "sqrt(x^2)", "x", "correct")
    yield Case("piece", "expression", "x^2", "abs(x)^2", "x", "correct")
    yield Case("piece", "expression", "abs(x^2 - 4)", "abs(x - 2)*abs(x + 2)", "x", "correct")
    yield Case("piece", "expression", "sign(x)", "x/abs(x)", "x", "correct")
    yield Case("piece", "expression", "abs(x - 3)", "abs(3 - x)", "x", "correct")
    yield Case("piece", "expression", "max(x, 300)", "x", "x", "incorrect")
    yield Case("piece", "expression", "x^2 + y^2 - 1/10^6", "abs(x^2 + y^2 - 1/10^6)", "x,y", "incorrect")
    yield Case("piece", "expression", "x - y - 5", "abs(x - y - 5)", "x,y", "incorrect")
    yield Case("piece", "expression", "x*y", "max(x*y, 1/1000)", "x,y", "incorrect")
    yield Case("piece", "expression", "x + y", "x + y + max(0, 1 - 10^4*(x^2 + y^2))", "x,y", "incorrect")
    for c in ("10^7", "10^12"):
        yield Case("piece", "expression", "x", f"x + max(0, x - {c})", "x", "incorrect")
    yield Case("piece", "expression", "x", "x + max(0, (x - 1/10^6)*(2/10^6 - x)*10^12)", "x", "incorrect")
    for center, width in (("1/2", "10^6"), ("3/2", "10^8"), ("7", "10^6"), ("-5/2", "10^4")):
        yield Case("bump", "expression", "x + 1", f"x + 1 + exp(-{width}*(x - {center})^2)", "x", "incorrect")
        yield Case("bump", "expression", "sin(x)", f"sin(x)*exp(exp(-{width}*(x - {center})^2))", "x", "incorrect")
    yield Case("bump", "expression", "x*y + 1", "x*y + 1 + exp(-10^5*((x - 1)^2 + (y - 2)^2))", "x,y", "incorrect")
    yield Case("piece", "expression", "abs(x - 700)", "x - 700", "x", "incorrect")


def _integers() -> Iterator[Case]:
    yield Case("integer", "expression", "(-1)^n", "cos(pi*n)", "n", "correct")
    yield Case("integer", "expression", "(-1)^n", "(-1)^(n+2)", "n", "correct")
    yield Case("integer", "expression", "(-1)^n", "(-1)^(3*n)", "n", "correct")
    yield Case("integer", "expression", "(-1)^(n+1)", "-(-1)^n", "n", "correct")
    yield Case("integer", "expression", "(-1)^n", "(-1)^(2*n)", "n", "incorrect")
    yield Case("integer", "expression", "(-1)^n", "1", "n", "incorrect")
    for k in (6, 10, 20):
        poly = "*".join(f"(n-{i})" for i in range(1, k + 1))
        yield Case("integer", "expression", "(-1)^n", f"(-1)^n*(1 + {poly})", "n", "incorrect")
    yield Case("integer", "expression", "(-1)^n*n", "(-1)^n*abs(n)", "n", "incorrect")
    yield Case("integer", "expression", "(-1)^n*n^2", "(-1)^n*n^2 + sign(n - 40) + 1", "n", "incorrect")
    yield Case("integer", "expression", "cos(pi*n)", "(-1)^n", "n", "incorrect")


def _identities() -> Iterator[Case]:
    """Right answers in another form: every one must be accepted."""
    rows = [
        ("1", "sin(x)^2 + cos(x)^2", "x"),
        ("sin(2x)", "2 sin(x) cos(x)", "x"),
        ("cos(2x)", "1 - 2 sin(x)^2", "x"),
        ("sec(x)^2", "1 + tan(x)^2", "x"),
        ("1 - tanh(x)^2", "sech(x)^2", "x"),
        ("cosh(x)^2 - sinh(x)^2", "1", "x"),
        ("tan(x)", "sin(x)/cos(x)", "x"),
        ("ln(x^2)", "2 ln(abs(x))", "x"),
        ("ln(x^2 + 1)", "2 ln(sqrt(x^2 + 1))", "x"),
        ("e^(2x)", "(e^x)^2", "x"),
        ("e^(x + y)", "e^x e^y", "x,y"),
        ("2^x ln(2)", "ln(2) e^(x ln(2))", "x"),
        ("x^x (ln(x) + 1)", "e^(x ln(x)) (1 + ln(x))", "x"),
        ("sigma(x)(1 - sigma(x))", "e^(-x)/(1 + e^(-x))^2", "x"),
        ("sigma(x)(1 - sigma(x))", "sigma(x) - sigma(x)^2", "x"),
        ("sigma(x)", "1/(1 + e^(-x))", "x"),
        ("sigma(x)", "e^x/(1 + e^x)", "x"),
        ("sigma(x)", "(1 + tanh(x/2))/2", "x"),
        ("(x + 1)^2", "x^2 + 2x + 1", "x"),
        ("(x^2 - 1)/(x - 1)", "x + 1", "x"),
        ("x + 1", "(x^2 - 1)/(x - 1)", "x"),
        ("1/(x(x + 1))", "1/x - 1/(x + 1)", "x"),
        ("x^(1/3)", "-(-x)^(1/3)", "x"),
        ("x^(2/3)", "(x^2)^(1/3)", "x"),
        ("x", "(x^3)^(1/3)", "x"),
        ("x^(1/3)", "sign(x)*abs(x)^(1/3)", "x"),
        ("sqrt(x^2 + 2x + 1)", "abs(x + 1)", "x"),
        ("x/sqrt(x^2 + 1)", "x (x^2 + 1)^(-1/2)", "x"),
        ("2(w x + b - y) x", "2 x (w x + b - y)", "w,b,x,y"),
        ("(sigma(w x + b) - y) x", "x (sigma(w x + b) - y)", "w,b,x,y"),
        ("-y/sigma(w x + b) + (1 - y)/(1 - sigma(w x + b))", "(sigma(w x + b) - y)/(sigma(w x + b)(1 - sigma(w x + b)))", "w,b,x,y"),
        ("log10(x)", "ln(x)/ln(10)", "x"),
        ("asinh(x)", "ln(x + sqrt(x^2 + 1))", "x"),
        ("acosh(x)", "ln(x + sqrt(x^2 - 1))", "x"),
        ("atan(x)", "asin(x/sqrt(1 + x^2))", "x"),
        ("ln(x - 90)", "ln(2x - 180) - ln(2)", "x"),
        ("sqrt(x - 1000)", "sqrt(2x - 2000)/sqrt(2)", "x"),
        ("acosh(x/100)", "ln(x/100 + sqrt(x^2/10000 - 1))", "x"),
        ("ln(-x)", "ln(-2x) - ln(2)", "x"),
        ("sqrt(4 - x^2)", "sqrt((2 - x)(2 + x))", "x"),
        ("asin(x/1000)", "atan(x/sqrt(1000000 - x^2))", "x"),
        ("2 ln(a) + ln(b)", "ln(a^2 b)", "a,b"),
        ("cos(x + y)", "cos(x) cos(y) - sin(x) sin(y)", "x,y"),
        ("6x y^2 + 2", "2 + 6xy^2", "x,y"),
        ("e^(-x^2)", "1/e^(x^2)", "x"),
        ("sqrt(x) + 1/(2 sqrt(x))", "(2x + 1)/(2 sqrt(x))", "x"),
        ("ln(abs(x))", "ln(sqrt(x^2))", "x"),
        ("abs(x)/x", "sign(x)", "x"),
        # the key is real at an isolated point outside its domain (0 · ln(-1) by principal values)
        ("x ln(x - 1)", "ln(x - 1) x", "x"),
        ("-6x ln(x - 1) + (-3x^2 - 1)/(x - 1)", "(x - 1)^(-1) (-3x^2 - 1) - 6x ln(x - 1)", "x"),
        ("(x + 2) sqrt(x - 3)", "sqrt(x - 3) (x + 2)", "x"),
    ]
    for expected, answer, variables in rows:
        yield Case("identity", "expression", expected, answer, variables, "correct")


def _slips() -> Iterator[Case]:
    rows = [
        ("2x e^(x^2)", "e^(x^2)", "x"),
        ("2x e^(x^2)", "-2x e^(x^2)", "x"),
        ("cos(x) e^x + sin(x) e^x", "cos(x) e^x", "x"),
        ("(x cos(x) - sin(x))/x^2", "(sin(x) - x cos(x))/x^2", "x"),
        ("sigma(x)(1 - sigma(x))", "sigma(x)", "x"),
        ("3x^2", "3x^3", "x"),
        ("3 sec(3x)^2", "sec(3x)^2", "x"),
        ("cos(x + y)", "cos(x) cos(y) + sin(x) sin(y)", "x,y"),
        ("e^x", "e^x + c", "x,c"),
        ("sqrt(x - 3) sqrt(x - 5)", "sqrt((x - 3)(x - 5))", "x"),
        ("a^(b c)", "(a^b)^c", "a,b,c"),
        ("2(w x + b - y) x", "2(w x + b - y)", "w,b,x,y"),
        ("2(w x + b - y)", "(w x + b - y)^2", "w,b,x,y"),
        ("(sigma(w x + b) - y) x", "(sigma(w x + b) - y)", "w,b,x,y"),
        ("1/x", "ln(x)", "x"),
        ("x^2 + 1", "x^2 + 1 + 10^-8", "x"),
        ("e^(2x)", "e^2x", "x"),
        ("1/(2x)", "1/2x", "x"),
        ("sin(x)^2", "sin(x^2)", "x"),
        ("tan(x)", "tan(x) + sin(2 pi x)*10^-30", "x"),
    ]
    for expected, answer, variables in rows:
        yield Case("slip", "expression", expected, answer, variables, "incorrect")


def _domain() -> Iterator[Case]:
    """The domain rule: an answer undefined where the key is defined is wrong."""
    wrong = [
        ("ln(x^2)", "2 ln(x)", "x"),
        ("ln(abs(x))", "ln(x)", "x"),
        ("abs(x)", "sqrt(x)^2", "x"),
        ("x", "x + 0^x", "x"),
        ("x", "sqrt(x)^2", "x"),
        ("x", "e^(ln(x))", "x"),
        ("x^2", "e^(2 ln(x))", "x"),
        ("x", "sqrt(x) sqrt(x)", "x"),
        ("ln(a b)", "ln(a) + ln(b)", "a,b"),
        ("ln(a^2 b)", "2 ln(a) + ln(b)", "a,b"),
        ("sqrt(x^2 - 1)", "sqrt(x - 1) sqrt(x + 1)", "x"),
        ("1/x", "1/x + sqrt(-x)*0", "x"),
        ("x", "x + 0*ln(x)", "x"),
        ("x y", "x y + 0*sqrt(y)", "x,y"),
        ("x^2", "x^2 + 0*asin(x)", "x"),
        ("2x", "2x + 0*acosh(x)", "x"),
        ("x", "x*(x/x)^(1/2)*sqrt(x)/sqrt(x)", "x"),
        ("ln(x - 90)", "ln(x - 90) + sqrt(100 - x) - sqrt(100 - x)", "x"),
        ("1", "sqrt(k/m) sqrt(m/k)", "k,m"),
        ("x", "x sqrt(y)/sqrt(y)", "x,y"),
        ("3", "3 sqrt(x)/sqrt(x)", "x"),
        ("x", "x + 0*sqrt(x^2 - 10^-6)", "x"),
        ("x", "x + 0*ln(x^2 - 10^-8)", "x"),
        ("1/x", "1/x + 0/sqrt(x^2 - 1)", "x"),
        ("1", "1 + 0^x", "x"),
        ("0", "0*ln(x)", "x"),
    ]
    for expected, answer, variables in wrong:
        yield Case("domain", "expression", expected, answer, variables, "incorrect")
    right = [
        ("2 ln(x)", "ln(x^2)", "x"),
        ("ln(x)", "ln(abs(x))", "x"),
        ("sqrt(x)^2", "x", "x"),
        ("x", "x^2/x", "x"),
        ("x", "1/(1/x)", "x"),
        ("ln(a) + ln(b)", "ln(a b)", "a,b"),
        ("x", "ln(e^x)", "x"),
        ("x^3", "x^4/x", "x"),
    ]
    for expected, answer, variables in right:
        yield Case("domain", "expression", expected, answer, variables, "correct")


def _syntax() -> Iterator[Case]:
    rows = [
        ("2x e^(x^2)", "2x e^(x^2)", "x", "correct"),
        ("2x e^(x^2)", "2*x*exp(x^2)", "x", "correct"),
        ("2x e^(x^2)", "2 x e^(x²)", "x", "correct"),
        ("sin(x)^2", "sin^2(x)", "x", "correct"),
        ("sin(x)^2", "sin^2 x", "x", "correct"),
        ("ln(x)", "ln x", "x", "correct"),
        ("ln(x)", "log(x)", "x", "correct"),
        ("ln(2x)", "ln 2x", "x", "correct"),
        ("sin(x^2)", "sin x^2", "x", "correct"),
        ("sin(x) cos(x)", "sin x cos x", "x", "correct"),
        ("atan(x)", "tan^-1(x)", "x", "correct"),
        ("atan(x)", "arctan x", "x", "correct"),
        ("x/2", "1/2x", "x", "correct"),
        ("e^2 x", "e^2x", "x", "correct"),
        ("2^x ln(2)", "ln(2) 2^x", "x", "correct"),
        ("(x + 1) 2", "(x+1)2", "x", "correct"),
        ("x y", "xy", "x,y", "correct"),
        ("-sin(x)", "−sin(x)", "x", "correct"),
        ("2x", "2×x", "x", "correct"),
        ("x^-2", "1/x²", "x", "correct"),
        ("sqrt(x)", "√x", "x", "correct"),
        ("abs(x)", "|x|", "x", "correct"),
        ("pi x", "πx", "x", "correct"),
        ("sigma(x)", "σ(x)", "x", "correct"),
        ("2^(x^2)", "2^x^2", "x", "correct"),
        ("-(x^2)", "-x^2", "x", "correct"),
        ("x^2", "x**2", "x", "correct"),
        ("(x + 1)(x - 1)", "(x+1)(x-1)", "x", "correct"),
        ("2 e - 3", "2e-3", "", "correct"),
        ("x", "X", "x", "invalid"),
        ("x", "2 3", "x", "invalid"),
        ("x", "x 2", "x", "invalid"),
        ("x", "sin^(x)", "x", "invalid"),
        ("x", "sin^", "x", "invalid"),
        ("x", "cos^x", "x", "invalid"),
        ("x", "ln^2.0 x", "x", "invalid"),
        ("x", "x_1", "x", "invalid"),
        ("x", "1_000 x", "x", "invalid"),
        ("x", "(x", "x", "invalid"),
        ("x", "x)", "x", "invalid"),
        ("x", "x +", "x", "invalid"),
        ("x", "", "x", "invalid"),
        ("x", "x = 2", "x", "invalid"),
        ("x", "2.5.1", "x", "invalid"),
        ("x", "x!", "x", "invalid"),
        ("x", "1e5", "x", "invalid"),
    ]
    for expected, answer, variables, label in rows:
        yield Case("syntax", "expression", expected, answer, variables, label)


def _hostile() -> Iterator[Case]:
    rows = [
        "__import__('os').system('true')",
        "eval('1')",
        "exec('x=1')",
        "open('/tmp/exgen_marker','w')",
        "lambda: 1",
        "().__class__.__bases__[0]",
        "x.__class__",
        "diff(x^2, x)",
        "integrate(x, x)",
        "solve(x - 1, x)",
        "simplify(2x)",
        "Derivative(x^2, x)",
        "9^9^9^9",
        "10^10^10",
        "2^(10^6)",
        "x^100000",
        "(" * 300 + "x" + ")" * 300,
        "[" * 200000,
        "|" * 60 + "x" + "|" * 60,
        "abs(" * 30 + "x" + ")" * 30,
        "x" + "+x" * 1200,
        "1/(3^4999+1)+1/(3^4998+1)+1/(3^4997+1)+1/(3^4996+1)+1/(3^4995+1)",
        "factorial(100000)",
        "x;import os",
        "${x}",
        "<script>alert(1)</script>",
        "x # comment",
        "\\frac{1}{x}",
        "sin(x" + ")" * 5,
        "\u202ex\u202c",
        "x\x00",
        "9" * 500,
        "sum(x, (x, 1, 10**9))",
        "gamma(x)",
        "Piecewise((1, x > 0), (0, True))",
        "x if x else 1",
        "[x for x in range(10)]",
        "0^0",
        "1/0",
        "x/(x-x)",
    ]
    for answer in rows:
        yield Case("hostile", "expression", "x^2", answer, "x", "not_correct")


def _numbers() -> Iterator[Case]:
    rows = [
        ("1/2", "0.5", "correct"),
        ("-1/2", "-0.5", "correct"),
        ("1/3", "0.3333", "correct"),
        ("1/3", "0.33", "incorrect"),
        ("1/3", "1/3.0001", "correct"),  # within the default 0.1%
        ("1/3", "1/3.01", "incorrect"),
        ("0.0000005", "0.000001", "incorrect"),
        ("0.0000005", "0.0000005", "correct"),
        ("5*10^-7", "0.0000005001", "correct"),
        ("5*10^-7", "0.0000004", "incorrect"),
        ("0", "0.0000001", "correct"),
        ("0", "0.01", "incorrect"),
        ("0", "0", "correct"),
        ("10^-12", "0", "incorrect"),
        ("pi", "3.1416", "correct"),
        ("pi", "22/7", "incorrect"),
        ("pi", "3.14", "correct"),  # 0.05% off: within the default 0.1%
        ("pi", "3.1", "incorrect"),
        ("e", "2.71828", "correct"),
        ("sqrt(2)/2", "1/sqrt(2)", "correct"),
        ("sqrt(2)/2", "0.7071", "correct"),
        ("sqrt(2)/2", "0.707", "correct"),
        ("sqrt(2)/2", "0.70", "incorrect"),
        ("ln(2)", "0.6931", "correct"),
        ("10^20", "100000000000000000000", "correct"),
        ("10^20", "1.0001*10^20", "correct"),
        ("10^20", "1.01*10^20", "incorrect"),
        ("-3", "3", "incorrect"),
        ("2", "sqrt(4)", "correct"),
        ("2", "x", "invalid"),
        ("2", "sqrt(-4)", "invalid"),
        ("1/7", "0.142857", "correct"),
    ]
    for expected, answer, label in rows:
        yield Case("number", "number", expected, answer, "", label)


def _points() -> Iterator[Case]:
    rows = [
        ("(0, 0), (2, -4)", "(2, -4), (0, 0)", "x,y", "correct"),
        ("(0, 0), (2, -4)", "(0, 0)", "x,y", "incorrect"),
        ("(0, 0), (2, -4)", "(0, 0), (2, -4), (1, 1)", "x,y", "incorrect"),
        ("(0, 0), (2, -4)", "(0, 0), (2, 4)", "x,y", "incorrect"),
        ("(5, 5)", "x = 5, y = 5", "x,y", "correct"),
        ("(5, 5)", "y = 5, x = 5", "x,y", "correct"),
        ("(5, 3)", "x = 3, y = 5", "x,y", "incorrect"),
        ("(1/2, sqrt(2))", "(0.5, 1.41421)", "x,y", "correct"),
        ("-1, 0, 2", "x = -1, x = 0, x = 2", "x", "correct"),
        ("-1, 0, 2", "2, -1, 0", "x", "correct"),
        ("-1, 0, 2", "-1, 2", "x", "incorrect"),
        ("none", "none", "x", "correct"),
        ("none", "0", "x", "incorrect"),
        ("1", "no solution", "x", "incorrect"),
        ("(0, 0)", "(0, 0, 0)", "x,y", "invalid"),
        ("(0, 0)", "(x, 0)", "x,y", "invalid"),
        ("(0, 0), (1, 1)", "(0, 0), (0, 0)", "x,y", "incorrect"),
        ("(sqrt(2), -sqrt(2))", "(2^(1/2), -2^(1/2))", "x,y", "correct"),
        ("(1, 2)", "(1, 2 + 10^-50)", "x,y", "incorrect"),
    ]
    for expected, answer, variables, label in rows:
        yield Case("points", "points", expected, answer, variables, label)


def _vectors() -> Iterator[Case]:
    rows = [
        ("(2x, 2y)", "<2x, 2y>", "x,y", "correct"),
        ("(2x, 2y)", "(2x, 2y)", "x,y", "correct"),
        ("(2x, 2y)", "(2y, 2x)", "x,y", "incorrect"),
        ("(2x, 2y)", "(2x, 2y, 0)", "x,y", "incorrect"),
        ("(2x, 2y)", "2x + 2y", "x,y", "invalid"),
        ("(2(w x + b - y) x, 2(w x + b - y))", "(2x(wx + b - y), 2(wx + b - y))", "w,b,x,y", "correct"),
        ("(2(w x + b - y) x, 2(w x + b - y))", "(2x(wx + b - abs(y)), 2(wx + b - y))", "w,b,x,y", "incorrect"),
        ("(y e^(x y), x e^(x y))", "(y exp(x y), x exp(xy))", "x,y", "correct"),
        ("(cos(x), -sin(y))", "(cos(x), sin(-y))", "x,y", "correct"),
        ("(1, 1)", "(1, 1 + 10^-40)", "x,y", "incorrect"),
    ]
    for expected, answer, variables, label in rows:
        yield Case("vector", "vector", expected, answer, variables, label)


def _labels() -> Iterator[Case]:
    rows = [
        ("minimum", "min", "correct"),
        ("minimum", "local minimum", "correct"),
        ("minimum", "Local Min.", "correct"),
        ("maximum", "max", "correct"),
        ("saddle", "saddle point", "correct"),
        ("neither", "neither", "correct"),
        ("minimum", "maximum", "incorrect"),
        ("saddle", "minimum", "incorrect"),
        ("neither", "saddle", "incorrect"),
        ("minimum", "mínimo", "invalid"),
        ("minimum", "", "invalid"),
        ("minimum", "min" * 500, "invalid"),
    ]
    for expected, answer, label in rows:
        yield Case("label", "label", expected, answer, "", label)


def _equations() -> Iterator[Case]:
    rows = [
        ("y = 2x - 1", "y = 2x - 1", "correct"),
        ("y = 2x - 1", "2x - y = 1", "correct"),
        ("y = 2x - 1", "y - 2x + 1 = 0", "correct"),
        ("y = 2x - 1", "(y - 2x + 1)^3 = 0", "correct"),
        ("y = 2x - 1", "(y - 2x + 1)^2 = 0", "correct"),
        ("y = 2x - 1", "y^3 = (2x - 1)^3", "correct"),
        ("y = 2x - 1", "e^y = e^(2x - 1)", "correct"),
        ("y = 2x - 1", "(y - 2x + 1) e^x = 0", "correct"),
        ("y = 1/x", "x y = 1", "correct"),
        ("y = 2x - 1", "y = 2x + 1", "incorrect"),
        ("y = 2x - 1", "y^2 = (2x - 1)^2", "incorrect"),
        ("y = 2x - 1", "(y - 2x + 1)(y - x) = 0", "incorrect"),
        ("y = 2x - 1", "y = 2x - 1 + 10^-40", "incorrect"),
        ("y = 2x - 1", "0 = 0", "incorrect"),
        ("y = 2x - 1", "ln(y) = ln(2x - 1)", "incorrect"),
        ("y = 2x - 1", "y = 2x - 1 + sin(y)*10^-50", "incorrect"),
        ("y = 2x - 1", "2x - 1", "invalid"),
        ("3x + 4y = -25", "y = -3x/4 - 25/4", "correct"),
        ("3x + 4y = -25", "-4y - 3x = 25", "correct"),
        ("y = 3x + 2", "y - 2 = 3x", "correct"),
    ]
    for expected, answer, label in rows:
        yield Case("equation", "equation", expected, answer, "x,y", label)


def cases() -> list[Case]:
    return [
        *_sign_traps(), *_perturbations(), *_constants(), *_pieces(), *_integers(), *_identities(),
        *_slips(), *_domain(), *_syntax(), *_hostile(), *_numbers(), *_points(), *_vectors(), *_labels(),
        *_equations(),
    ]


def right(case: Case, verdict: str) -> bool:
    if case.label == "not_correct":
        return verdict in ("incorrect", "invalid")
    return verdict == case.label


def batch_text() -> str:
    return "\n".join(json.dumps(c.record(), ensure_ascii=False) for c in cases()) + "\n"
