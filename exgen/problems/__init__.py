"""Problem families: randomized, nice by construction, verified, with worked solutions.

Flow: a family module (``families/``) builds a :class:`~exgen.problems.model.Problem` from a
seeded random generator; :mod:`~exgen.problems.derive` re-derives every key from the problem's
description; :mod:`~exgen.problems.verify` checks keys, rewritten forms, mistake models,
solution steps and promised nice numbers through the answer engine.
"""

from exgen.problems.base import (
    DIFFICULTIES,
    FAMILIES,
    RejectVariant,
    derive_seed,
    family,
    generate,
    get_family,
    load_families,
    student_seed,
)
from exgen.problems.model import Math, Mistake, Part, Problem, Step, Text, text

__all__ = [
    "DIFFICULTIES", "FAMILIES", "RejectVariant", "derive_seed", "family", "generate", "get_family",
    "load_families", "student_seed", "Math", "Mistake", "Part", "Problem", "Step", "Text", "text",
]
