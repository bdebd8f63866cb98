"""Several problems at once: a worksheet's problems, seeded, without duplicates.

Problem ``i`` of section ``s`` in a sheet with seed ``S`` uses the seed
``derive_seed("sheet", S, s, i, r)``, where ``r`` counts redraws: a problem identical to one
already on the sheet (same fingerprint) is drawn again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from exgen.problems.base import derive_seed, generate
from exgen.problems.model import Problem

MAX_REDRAWS = 50


@dataclass(frozen=True)
class Section:
    family: str
    count: int = 1
    difficulty: int = 1


def generate_set(sections: Sequence[Section], seed: int, verify: bool = False) -> list[Problem]:
    """The problems of one worksheet version, in section order, all different."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for section_index, section in enumerate(sections):
        for item in range(section.count):
            for redraw in range(MAX_REDRAWS):
                problem = generate(section.family, section.difficulty, derive_seed("sheet", seed, section_index, item, redraw), verify=verify)
                if problem.fingerprint not in seen:
                    break
            else:
                raise RuntimeError(f"{section.family}: no new problem after {MAX_REDRAWS} draws")
            seen.add(problem.fingerprint)
            problems.append(problem)
    return problems
