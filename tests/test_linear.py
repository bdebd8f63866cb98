"""Reading, printing and comparing cost time in proportion to the answer, never more.

Measured in Python function calls, not seconds (so the test is exact on a busy machine):
doubling the nesting of any construct at most about doubles the work.
"""

from __future__ import annotations

import sys

import pytest

from exgen import check
from exgen.answers.reader import ReadOptions, read
from exgen.rendering.latex import latex
from exgen.rendering.mathml import math_element

NESTINGS = {
    "bars": lambda d: "|" * d + "x" + "|" * d,
    "abs": lambda d: "abs(" * d + "x" + ")" * d,
    "sqrt": lambda d: "sqrt(" * d + "x^2+1" + ")" * d,
    "exp": lambda d: "exp(" * d + "x" + ")" * d,
    "brackets": lambda d: "(" * d + "x" + ")" * d,
    "minus": lambda d: "-" * d + "x",
    "powers": lambda d: "^".join(["x"] * d),
    "sums": lambda d: "+".join(f"sin({k}x)" for k in range(1, d + 1)),
    "products": lambda d: "(x+1)" * d,
    "max": lambda d: "max(" * d + "x" + ", 1)" * d,
}


def _calls(action, text: str) -> int:
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event == "call":
            count += 1

    sys.setprofile(profile)
    try:
        action(text)
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.parametrize("name", sorted(NESTINGS))
def test_work_grows_linearly_with_nesting(name: str) -> None:
    build = NESTINGS[name]
    small, large = build(8), build(16)
    options = ReadOptions(variables=("x",))
    for action in (
        lambda text: read(text, options),
        lambda text: check("x", text, time_limit=30),
        lambda text: latex(read(text, options).tree) if read(text, options).tree is not None else None,
        lambda text: math_element(read(text, options).tree) if read(text, options).tree is not None else None,
    ):
        check("x", small, time_limit=30)  # warm the caches so both runs start alike
        first = _calls(action, small)
        second = _calls(action, large)
        assert second <= 4 * first + 2000, (name, first, second)
