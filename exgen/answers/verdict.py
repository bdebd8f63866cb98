"""The verdict on one answer: what was decided, the score, and the evidence for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from exgen.answers.diagnostics import Diagnostic

VerdictName = Literal["correct", "incorrect", "invalid", "review"]
VERDICTS: tuple[VerdictName, ...] = ("correct", "incorrect", "invalid", "review")


@dataclass(frozen=True, slots=True)
class Verdict:
    verdict: VerdictName
    score: float
    message: str
    interpreted: str | None = None  # the answer as read, in calculator syntax
    evidence: str = ""
    warnings: tuple[str, ...] = ()
    error: Diagnostic | None = None  # for invalid answers: what and where
    code: str = ""  # stable identifier of the message, for programs and translations
    details: dict[str, Any] = field(default_factory=dict)
    # How strong the evidence is: "proved" (identical, exact, symbolic, or a certified
    # counterexample) or "sampled" (agreement at many points); "" where nothing was compared.
    strength: str = ""

    @property
    def correct(self) -> bool:
        return self.verdict == "correct"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "verdict": self.verdict,
            "score": round(self.score, 6),
            "message": self.message,
            "interpreted": self.interpreted,
            "evidence": self.evidence,
            "warnings": list(self.warnings),
            "code": self.code,
            "strength": self.strength,
        }
        if self.error is not None:
            data["error"] = self.error.to_dict()
        if self.details:
            data["details"] = self.details
        return data
