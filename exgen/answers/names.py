"""The one table of names a student may type. Anything not listed here is refused.

Frozen on purpose: the reader consults these tables and nothing else, so adding a function to
the answer syntax is a one-line, reviewable change here (plus its numeric meaning in
:mod:`exgen.answers.numeric` and its sympy meaning in :mod:`exgen.answers.sympy_bridge`).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    name: str  # canonical name, used by the tree, the evaluator and the printers
    min_args: int = 1
    max_args: int = 1
    inverse: str | None = None  # what ``f^-1`` means (``tan^-1(x)`` is ``atan(x)``)
    needs_declaration: bool = False  # only readable where a problem declares it (the sigmoid)


_SPECS = (
    FunctionSpec("sin", inverse="asin"),
    FunctionSpec("cos", inverse="acos"),
    FunctionSpec("tan", inverse="atan"),
    FunctionSpec("sec"),
    FunctionSpec("csc"),
    FunctionSpec("cot"),
    FunctionSpec("asin"),
    FunctionSpec("acos"),
    FunctionSpec("atan"),
    FunctionSpec("atan2", min_args=2, max_args=2),
    FunctionSpec("sinh", inverse="asinh"),
    FunctionSpec("cosh", inverse="acosh"),
    FunctionSpec("tanh", inverse="atanh"),
    FunctionSpec("sech"),
    FunctionSpec("csch"),
    FunctionSpec("coth"),
    FunctionSpec("asinh"),
    FunctionSpec("acosh"),
    FunctionSpec("atanh"),
    FunctionSpec("exp"),
    FunctionSpec("log"),  # natural logarithm, whether typed ln or log
    FunctionSpec("log10"),
    FunctionSpec("log2"),
    FunctionSpec("sqrt"),
    FunctionSpec("abs"),
    FunctionSpec("sign"),
    FunctionSpec("max", min_args=1, max_args=8),
    FunctionSpec("min", min_args=1, max_args=8),
    FunctionSpec("sigma", needs_declaration=True),
)

FUNCTIONS: MappingProxyType[str, FunctionSpec] = MappingProxyType({s.name: s for s in _SPECS})

# Every spelling a student may type, mapped to the canonical name.
FUNCTION_SPELLINGS: MappingProxyType[str, str] = MappingProxyType(
    {
        **{s.name: s.name for s in _SPECS},
        "ln": "log",
        "arcsin": "asin",
        "arccos": "acos",
        "arctan": "atan",
        "arctan2": "atan2",
        "arsinh": "asinh",
        "arcsinh": "asinh",
        "arcosh": "acosh",
        "arccosh": "acosh",
        "artanh": "atanh",
        "arctanh": "atanh",
        "sgn": "sign",
        "Abs": "abs",
        "sigmoid": "sigma",
    }
)

CONSTANTS: MappingProxyType[str, str] = MappingProxyType({"e": "e", "pi": "pi"})

# Names that would make the computer algebra system do the student's work, or that only make
# sense as code. They are refused like any unknown name, but with a message that says why.
CAS_FUNCTIONS = frozenset(
    {
        "diff", "derivative", "integrate", "integral", "limit", "lim", "solve",
        "dsolve", "nsolve", "subs", "simplify", "trigsimp", "expand", "factor", "cancel",
        "apart", "together", "series", "sum", "product", "nsimplify", "evalf",
        "piecewise", "function", "symbol", "symbols", "matrix", "lambdify", "sympify",
        "parse_expr", "grad", "gradient", "hessian", "jacobian", "factorial", "gamma",
        "nextprime", "mod", "floor", "ceiling", "nan", "zoo",
    }
)
CODE_WORDS = frozenset(
    {
        "eval", "exec", "compile", "open", "import", "lambda", "globals", "locals", "vars",
        "getattr", "setattr", "input", "print", "dir", "type", "object", "class", "def",
        "return", "and", "or", "not", "if", "else", "for", "in", "is", "while", "true",
        "false", "none", "os", "sys", "subprocess", "builtins",
    }
)

# Unicode Greek letters are read as their English names (``σ`` is ``sigma``, ``π`` is ``pi``).
GREEK_NAME_FIXES = MappingProxyType({"lamda": "lambda", "final sigma": "sigma"})
