"""Problem families: randomized, nice by construction, verified, with worked solutions.

Flow: a family module (``families/``) builds a :class:`~exgen.problems.model.Problem` from a
seeded random generator; :mod:`~exgen.problems.derive` re-derives every key from the problem's
description; :mod:`~exgen.problems.verify` checks keys, rewritten forms, mistake models,
solution steps and promised nice numbers through the answer engine.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Resolved on first use (PEP 562): grading imports exgen.problems.model for its text types,
# and should not pay for the families' machinery and figures (15 ms of a small class's start).
_HOMES = {
    **dict.fromkeys(("DIFFICULTIES", "FAMILIES", "RejectVariant", "derive_seed", "family", "generate", "get_family",
                     "load_families", "student_seed"), "exgen.problems.base"),
    **dict.fromkeys(("Math", "Mistake", "Part", "Problem", "Step", "Text", "text"), "exgen.problems.model"),
}

__all__ = list(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(home), name)
