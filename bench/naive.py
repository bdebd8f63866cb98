"""The naive grader the issue compares against: sympy parse_expr + simplify(a - b) == 0.

For benchmarks only. It runs student text through sympy's parser (which evaluates Python
code) and is exactly what exgen must never do in production.
"""

from __future__ import annotations

import signal

import sympy
from sympy.parsing.sympy_parser import (
    convert_xor,
    implicit_multiplication_application,
    parse_expr,
    standard_transformations,
)

TRANSFORMS = standard_transformations + (implicit_multiplication_application, convert_xor)
LOCALS = {"e": sympy.E, "ln": sympy.log, "pi": sympy.pi, "sigma": lambda t: 1 / (1 + sympy.exp(-t))}


class _Timeout(Exception):
    pass


def _alarm(signum, frame):  # pragma: no cover - signal handler
    raise _Timeout


def naive_equivalent(expected: str, answer: str, variables: list[str] | None = None, timeout: float = 10.0) -> bool:
    """True when the naive grader accepts; parse errors and timeouts count as a rejection."""
    names = {v: sympy.Symbol(v) for v in (variables or [])}
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        a = parse_expr(expected, local_dict={**LOCALS, **names}, transformations=TRANSFORMS)
        b = parse_expr(answer, local_dict={**LOCALS, **names}, transformations=TRANSFORMS)
        return sympy.simplify(a - b) == 0
    except _Timeout:
        return False
    except Exception:
        return False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
