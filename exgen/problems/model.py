"""What a generated problem is made of.

A :class:`Problem` has a statement and one or more :class:`Part` objects. Words are never
stored as finished sentences: a :class:`Text` is a catalog key plus parameters (numbers,
names, :class:`Math`), so the renderers can produce LaTeX, HTML or plain text in any language.
Every part carries its key, the steps of a worked solution (:class:`Step`), the wrong answers
of named mistakes (:class:`Mistake`), and an ``ask`` from the documented vocabulary that lets
anyone re-derive the key from the problem's ``givens`` without exgen (see
:mod:`exgen.problems.derive`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Answer values by kind: expression/number → sympy expression; points → tuple of tuples of
# sympy numbers; vector → tuple of sympy expressions; label → canonical label string;
# equation → sympy Eq.
Value = Any


@dataclass(frozen=True)
class Math:
    """A piece of mathematics inside a sentence (typeset by exgen.rendering.latex and .mathml)."""

    value: Value
    display: bool = False  # on its own line rather than inline


@dataclass(frozen=True)
class Text:
    """A translatable sentence: a catalog key and the values of its {placeholders}."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


def text(key: str, **params: Any) -> Text:
    return Text(key, params)


@dataclass(frozen=True)
class Step:
    """One step of a worked solution: a short sentence and the answer's form after the step.

    Steps with a ``value`` form a chain: each is equal to the next, and the last one equals
    the key (checked by ``exgen verify``). Steps without a value only explain.
    """

    text: Text
    value: Value | None = None


@dataclass(frozen=True)
class Mistake:
    """A named slip: the answer a student who makes it would give, and what to tell them."""

    id: str
    text: Text
    answer: Value


@dataclass(frozen=True)
class Part:
    id: str  # "a", "b", ...
    prompt: Text
    kind: str  # an answer kind: expression, number, points, vector, label, equation
    answer: Value
    ask: str  # from the documented vocabulary (exgen.problems.derive.ASKS)
    args: Mapping[str, Any]  # JSON-able arguments of the ask
    variables: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()  # extra functions students may type, e.g. ("sigma",)
    tolerance: float | None = None
    steps: tuple[Step, ...] = ()
    mistakes: tuple[Mistake, ...] = ()
    depends_on: tuple[str, ...] = ()  # earlier parts this one builds on (error carried forward)
    points: float | None = None  # None: the default of its ask (exgen.problems.scoring)
    nice: str | None = None  # promise checked by verify: "integer" or "rational"
    choices: tuple[str, ...] | None = None  # allowed labels for label parts
    # Share of the points for an answer consistent with the student's own (wrong) earlier
    # answer, where the grader can recompute it (error carried forward).
    ecf_credit: float = 1.0


@dataclass(frozen=True)
class Problem:
    family: str
    difficulty: int
    seed: int
    statement: Text
    givens: Mapping[str, str]  # sympy-parsable strings: f, g, c, point, eta, ...
    parts: tuple[Part, ...]
    attempts: int = 1  # draws needed; attempts - 1 variants were rejected while generating

    def part(self, part_id: str) -> Part:
        for part in self.parts:
            if part.id == part_id:
                return part
        raise KeyError(part_id)

    def describe(self) -> dict[str, Any]:
        """Everything needed to re-derive every answer without exgen (JSON-ready)."""
        return {
            "family": self.family,
            "difficulty": self.difficulty,
            "seed": self.seed,
            "givens": dict(self.givens),
            "parts": [
                {
                    "id": part.id,
                    "ask": part.ask,
                    "args": dict(part.args),
                    "kind": part.kind,
                    "answer": value_to_string(part.answer, part.kind),
                    "variables": list(part.variables),
                    "functions": list(part.functions),
                    "tolerance": part.tolerance,
                    "depends_on": list(part.depends_on),
                    "points": part.points,
                    **({"choices": list(part.choices)} if part.choices else {}),
                }
                for part in self.parts
            ],
        }

    @property
    def structure(self) -> tuple[object, ...]:
        """What every version of this problem shares: family, difficulty, and per part its id,
        answer kind, ask, points, dependencies and choices. Only the numbers differ."""
        return (
            self.family,
            self.difficulty,
            tuple((p.id, p.kind, p.ask, p.points, p.depends_on, p.choices, p.ecf_credit) for p in self.parts),
        )

    @property
    def fingerprint(self) -> str:
        """Identical for identical problems (same family, givens and asks), whatever the seed."""
        payload = {
            "family": self.family,
            "givens": dict(self.givens),
            "asks": [(p.ask, dict(p.args)) for p in self.parts],
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]


def value_to_string(value: Value, kind: str) -> str:
    """A sympy-parsable string for an answer (labels stay words; σ is written with exp)."""
    from exgen.answers.kinds import get_kind

    return get_kind(kind).description(value)
