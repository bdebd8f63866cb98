"""Symbolic proofs with sympy, where they are cheap.

Only trusted trees reach sympy (trees the reader built, never text), and only after the
numeric comparison has found agreement: a proof upgrades the evidence from "agreed to N
digits" to "proved", it never decides on its own that two answers are equal. Every attempt
runs under a short budget of its own inside the check's time limit.
"""

from __future__ import annotations

from exgen.answers import nodes as n
from exgen.answers.limits import BudgetExceeded, Deadline, hard_time_limit, import_whole

SYMBOLIC_BUDGET = 0.3  # seconds for one proof attempt
MAX_SYMBOLIC_SIZE = 120  # nodes in both trees together


def prove_constants_equal(expected: n.Node, answer: n.Node, deadline: Deadline | None = None) -> bool:
    """True when sympy proves two real constants equal (algebraic numbers via their minimal
    polynomial, others by simplification); False when it cannot within the budget."""
    if n.size(expected) + n.size(answer) > MAX_SYMBOLIC_SIZE:
        return False
    budget = SYMBOLIC_BUDGET if deadline is None else min(SYMBOLIC_BUDGET, deadline.remaining() / 2)
    if budget <= 0.01:
        return False
    # sympy is imported only when a proof is first needed, whole, and never on the proof's
    # budget: a verdict's strength must not depend on whether this process had imported it
    import_whole("sympy")
    import_whole("exgen.answers.sympy_bridge")
    try:
        with hard_time_limit(budget, BudgetExceeded):
            return _prove(expected, answer)
    except BudgetExceeded:
        return False
    except (ValueError, TypeError, ArithmeticError, NotImplementedError, RecursionError, AttributeError):
        return False  # sympy gave up


def _prove(expected: n.Node, answer: n.Node) -> bool:
    import sympy

    from exgen.answers.sympy_bridge import to_sympy

    difference = to_sympy(expected, real_roots=True) - to_sympy(answer, real_roots=True)
    if difference == 0:
        return True
    if difference.is_algebraic:
        x = sympy.Dummy("x")
        return bool(sympy.minimal_polynomial(difference, x) == x)
    return bool(sympy.simplify(difference) == 0)
