"""Grade one answer cell: against the key, then against the part's mistake models, and, for
a part that builds on an earlier one, against the student's own earlier answer (ECF).

Runs in worker processes; every call is bounded by the per-answer time limit and never raises
for anything a student typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from functools import lru_cache
from typing import Any

from exgen.answers.check import check_with, make_options, rules_out_with
from exgen.answers.kinds import CheckOptions
from exgen.answers.verdict import Verdict
from exgen.grading.ecf import Earlier, ecf_expected
from exgen.i18n import t


@dataclass
class CellResult:
    verdict: str  # correct, incorrect, invalid, review, blank
    score: float  # share of the part's points, 0..1
    message: str
    interpreted: str | None = None
    evidence: str = ""
    warnings: list[str] = field(default_factory=list)
    code: str = ""
    mistake: str | None = None  # the mistake model the answer matches
    ecf: bool = False  # credit for consistency with the student's own earlier answer
    strength: str = ""  # "proved" or "sampled": how strong the evidence for the verdict is

    def to_dict(self) -> dict[str, Any]:
        # not dataclasses.asdict, which deep-copies field by field: every cell is turned into one
        fields = {name: getattr(self, name) for name in _CELL_FIELDS}
        fields["warnings"] = list(self.warnings)
        return fields


_CELL_FIELDS = tuple(f.name for f in dataclass_fields(CellResult))


def _options(part: dict[str, Any], seconds: float) -> CheckOptions:
    """A key part's check options, made once per part (an answer's checks all share them)."""
    return _part_options(tuple(part["variables"]), tuple(part["functions"]), part["tolerance"],
                         tuple(part["choices"]) if part["choices"] else None, seconds)


@lru_cache(maxsize=512)
def _part_options(variables: tuple[str, ...], functions: tuple[str, ...], tolerance: float | None,
                  choices: tuple[str, ...] | None, seconds: float) -> CheckOptions:
    return make_options(vars=variables or None, functions=functions, tolerance=tolerance, choices=choices, time_limit=seconds)


def _check(expected: Any, text: str, part: dict[str, Any], seconds: float, kind: str | None = None) -> Verdict:
    return check_with(expected, text, kind or part["kind"], _options(part, seconds))


def _from_verdict(verdict: Verdict) -> CellResult:
    return CellResult(
        verdict=verdict.verdict, score=verdict.score, message=verdict.message, interpreted=verdict.interpreted,
        evidence=verdict.evidence, warnings=list(verdict.warnings), code=verdict.code, strength=verdict.strength,
    )


def grade_answer(part: dict[str, Any], text: str, seconds: float, progress: Callable[[], None] | None = None) -> CellResult:
    """The verdict against the key; for a wrong answer, the mistake model it matches.

    The answer is read once (the kinds share a reading of the same text) and compared with
    the key and each mistake model, each prepared once per part. A mistake model equal to the
    key was dropped when the key was made; one that matches an answer the key rejects is the
    mistake. ``progress`` is called before each mistake model (a worker's heartbeat).
    """
    if not text.strip():
        return CellResult("blank", 0.0, t("grading.blank"), code="blank")
    kind, options = part["kind"], _options(part, seconds)
    verdict = check_with(part["answer"], text, kind, options)
    result = _from_verdict(verdict)
    if verdict.verdict == "incorrect" and verdict.score < 1:
        for mistake in part["mistakes"]:
            if progress is not None:
                progress()
            if rules_out_with(mistake["answer"], text, kind, options):
                continue  # certainly not this mistake: no need for the full comparison
            if check_with(mistake["answer"], text, kind, options).correct:
                result.mistake = mistake["id"]
                result.message = mistake["message"]
                break
    return result


def grade_ecf(
    part: dict[str, Any], text: str, earlier_parts: list[dict[str, Any]], earlier_texts: list[str], givens: dict[str, str],
    seconds: float, key_score: float = 0.0,
) -> CellResult | None:
    """Credit for an answer wholly consistent with the student's own earlier answers, if it is
    (and if that earns more than the answer did against the key)."""
    from exgen.answers.limits import CheckTimeout, hard_time_limit

    earlier = [Earlier(e["kind"], t, tuple(e["variables"]), tuple(e["functions"])) for e, t in zip(earlier_parts, earlier_texts)]
    try:
        with hard_time_limit(seconds):  # solving a student's equations may take long: then no follow-through
            values = [e.value() for e in earlier]
            rebuilt = ecf_expected(part["ask"], part["args"], givens, values)
    except CheckTimeout:
        return None
    if rebuilt is None:
        return None
    kind, expected = rebuilt
    try:
        verdict = _check(expected, text, part, seconds, kind=kind)
    except Exception:
        return None
    credit = float(part["ecf_credit"])
    if not verdict.correct or credit <= key_score:  # only wholly consistent work carries forward
        return None
    names = ", ".join(e["id"] for e in earlier_parts)
    return CellResult(
        verdict="correct" if credit >= 1 else "incorrect", score=credit,
        message=t("grading.ecf", part=names),
        interpreted=verdict.interpreted, evidence=verdict.evidence,
        warnings=list(verdict.warnings), code="ecf", ecf=True, strength=verdict.strength,
    )
