"""``label``: one of a fixed set of words, with synonyms and case folding.

The labels and their synonyms live in the locale catalog (``[labels]``), so a translation
brings its own words: ``min``, ``local minimum`` and ``relative minimum`` all mean ``minimum``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from exgen.answers.diagnostics import echo
from exgen.answers.kinds.base import AnswerKind, CheckOptions, Preview, answer_kind
from exgen.answers.limits import Deadline
from exgen.answers.verdict import Verdict
from exgen.errors import ExpectedAnswerError
from exgen.i18n import catalog, t

DEFAULT_LABELS = ("minimum", "maximum", "saddle", "neither")


def normalize_label(text: str) -> str:
    folded = text.casefold().replace("-", " ").replace("_", " ")
    folded = re.sub(r"[.!;:]+$", "", folded.strip())
    return " ".join(folded.split())


def label_synonyms() -> dict[str, str]:
    """Every accepted spelling (normalized) mapped to its canonical label."""
    return _synonyms(id(catalog()))


@lru_cache(maxsize=16)
def _synonyms(catalog_id: int) -> dict[str, str]:
    """Keyed by the catalog in use (one per language), which lives as long as the process."""
    table: dict[str, str] = {}
    for key, words in catalog().items():
        if key.startswith("labels.") and key.count(".") == 1 and isinstance(words, list):
            canonical = key.split(".", 1)[1]
            table[normalize_label(canonical)] = canonical
            for word in words:
                table[normalize_label(word)] = canonical
    return table


def display_label(canonical: str) -> str:
    return str(catalog().get(f"labels.display.{canonical}", canonical))


@dataclass(frozen=True, slots=True)
class PreparedLabel:
    label: str
    choices: tuple[str, ...]

    @property
    def display(self) -> str:
        return display_label(self.label)


@answer_kind("label", synonyms=("choice",), space="ticks", lines=1, help_order=70)
class LabelKind(AnswerKind):
    def typed(self, value: Any) -> str:
        return str(value)

    def rewritten_forms(self, value: Any, seed: int = 0) -> list[str]:
        synonyms = [word for word, canonical in label_synonyms().items() if canonical == value]
        return (synonyms + [str(value)] * 3)[:3]

    def same_value(self, a: Any, b: Any, variables: Sequence[str] = (), quick: bool = False) -> bool:
        synonyms = label_synonyms()
        return synonyms.get(normalize_label(str(a))) == synonyms.get(normalize_label(str(b)))

    def display_data(self, value: Any, variables: Sequence[str] = ()) -> dict[str, Any]:
        return {"label": str(value)}

    def read_value(self, text: str, variables: Sequence[str] = (), functions: Sequence[str] = ()) -> Any:
        return label_synonyms().get(normalize_label(text[:200]))

    def reading_data(self, text: str, variables: Sequence[str] = (), functions: Sequence[str] = ()) -> dict[str, Any] | None:
        canonical = label_synonyms().get(normalize_label(text[:200]))
        return {"label": canonical} if canonical else None

    def preview(self, text: str, options: CheckOptions) -> Preview:
        if not text.strip():
            return Preview(None, code="blank")
        data = self.reading_data(text)
        given = data["label"] if data else None
        choices = tuple(label_synonyms().get(normalize_label(c), c) for c in (options.choices or DEFAULT_LABELS))
        if given is not None and given in choices:
            return Preview(data)
        shown = ", ".join(display_label(c) for c in choices)
        return Preview(None, t("answer.error.unknown_label", answer=echo(text.strip()), choices=shown), 0, len(text), (), "unknown_label")

    def prepare(self, expected: Any, options: CheckOptions) -> PreparedLabel:
        synonyms = label_synonyms()
        canonical = synonyms.get(normalize_label(str(expected)))
        if canonical is None:
            raise ExpectedAnswerError(f"unknown label {expected!r}; known: {', '.join(sorted(set(synonyms.values())))}")
        choices = tuple(synonyms.get(normalize_label(c), c) for c in (options.choices or DEFAULT_LABELS))
        if canonical not in choices:
            choices = (*choices, canonical)
        return PreparedLabel(canonical, choices)

    def grade(self, prepared: PreparedLabel, answer: str, deadline: Deadline) -> Verdict:
        given = label_synonyms().get(normalize_label(answer[:200]))
        if given is None or given not in prepared.choices:
            choices = ", ".join(display_label(c) for c in prepared.choices)
            return Verdict(
                "invalid", 0.0, t("answer.error.unknown_label", answer=echo(answer.strip()), choices=choices),
                None, "", (), code="unknown_label",
            )
        evidence = t("answer.evidence.label", label=display_label(given))
        if given == prepared.label:
            return Verdict(
                "correct", 1.0, t("answer.verdict.label_correct", label=display_label(given)), display_label(given), evidence,
                code="correct", strength="proved",
            )
        return Verdict("incorrect", 0.0, t("answer.verdict.incorrect"), display_label(given), evidence, code="different", strength="proved")
