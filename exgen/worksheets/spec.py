"""Worksheet specs: a TOML file describing a worksheet once, so it can be reused.

.. code-block:: toml

    title = "Derivatives behind neural networks"
    course = "ML 101"
    date = 2026-12-01
    instructions = "Show your work. Give exact answers unless asked for decimals."
    seed = 2026
    language = "en"

    [points]                   # optional: points per ask, for every section
    derivative = 3
    lagrange_classified = 6

    [[section]]
    family = "derivative_rules"
    count = 3
    difficulty = 1
    title = "Warm-up"          # optional
    points = 4                 # optional: each problem's total (its parts scaled to it),
                               # or a table of points per ask: points = {derivative = 2}
    ecf = 0.5                  # optional: share of the points for work consistent with the
                               # student's own wrong earlier answer (default 1), or per ask
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from exgen.errors import InputFileError, UsageError
from exgen.problems import load_families

TOP_KEYS = {"title", "course", "date", "instructions", "seed", "language", "section", "points", "ecf"}
SECTION_KEYS = {"family", "count", "difficulty", "title", "points", "ecf", "figures"}
FIGURE_PLACES = ("key", "both", "none")


@dataclass(frozen=True)
class SectionSpec:
    family: str
    count: int = 1
    difficulty: int = 1
    title: str = ""
    total: float | None = None  # each problem's points (its parts scaled to this total)
    ask_points: tuple[tuple[str, float], ...] = ()  # points per ask (over the top-level table)
    ecf: float | tuple[tuple[str, float], ...] | None = None  # credit factor for consistent work
    figures: str = "key"  # where the problems' figures go: "key" (and feedback), "both" (worksheets too), "none"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"family": self.family, "count": self.count, "difficulty": self.difficulty, "title": self.title}
        if self.total is not None:
            data["points"] = self.total
        if self.ask_points:
            data["ask_points"] = dict(self.ask_points)
        if self.ecf is not None:
            data["ecf"] = dict(self.ecf) if isinstance(self.ecf, tuple) else self.ecf
        if self.figures != "key":
            data["figures"] = self.figures
        return data


@dataclass(frozen=True)
class WorksheetSpec:
    title: str = "Calculus for neural networks"
    course: str = ""
    date: str = ""
    instructions: str = ""
    seed: int = 0
    language: str = "en"
    sections: tuple[SectionSpec, ...] = field(default_factory=tuple)

    @property
    def problem_count(self) -> int:
        return sum(s.count for s in self.sections)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title, "course": self.course, "date": self.date, "instructions": self.instructions,
            "seed": self.seed, "language": self.language,
            "sections": [s.to_dict() for s in self.sections],
        }


def sample_spec() -> WorksheetSpec:
    """What `exgen generate` makes with no arguments: one problem of each family, mixed levels."""
    families = sorted(load_families())
    sections = tuple(SectionSpec(name, 1, 1 + i % 3) for i, name in enumerate(families))
    sections += (SectionSpec("derivative_rules", 1, 2), SectionSpec("hessian", 1, 3))
    return WorksheetSpec(title="Calculus for neural networks: sample worksheet", seed=2026, sections=sections)


def _unknown(keys: set[str], allowed: set[str], where: str) -> None:
    for key in sorted(keys - allowed):
        close = difflib.get_close_matches(key, sorted(allowed), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(sorted(allowed))})"
        raise InputFileError(f"{where}: unknown key {key!r}{hint}")


def _text(value: Any, where: str) -> str:
    if isinstance(value, str):
        return value
    if hasattr(value, "isoformat"):  # TOML dates
        return value.isoformat()
    raise InputFileError(f"{where} must be text, not {type(value).__name__}")


def _number(value: Any, where: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise InputFileError(f"{where} must be a number from {low:g} to {high:g}")
    return float(value)


def _ask_table(value: Any, where: str, asks: set[str], low: float, high: float) -> tuple[tuple[str, float], ...]:
    if not isinstance(value, dict):
        raise InputFileError(f"{where} must be a number or a table of asks")
    for ask in value:
        if ask not in asks:
            close = difflib.get_close_matches(str(ask), sorted(asks), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (asks: {', '.join(sorted(asks))})"
            raise InputFileError(f"{where}: unknown ask {ask!r}{hint}")
    return tuple(sorted((str(k), _number(v, f"{where}.{k}", low, high)) for k, v in value.items()))


def _scoring(raw: dict[str, Any], where: str, asks: set[str], top: bool) -> tuple[float | None, tuple[tuple[str, float], ...], Any]:
    """(problem total, points per ask, credit factor) from a section's or the top-level keys."""
    total, per_ask, ecf = None, (), None
    points = raw.get("points")
    if isinstance(points, dict):
        per_ask = _ask_table(points, f"{where} points", asks, 0, 1000)
    elif points is not None:
        if top:
            raise InputFileError(f"{where}: the top-level points must be a table of asks, such as [points] derivative = 3")
        total = _number(points, f"{where} points", 0.5, 1000)
    if "ecf" in raw:
        value = raw["ecf"]
        ecf = _ask_table(value, f"{where} ecf", asks, 0, 1) if isinstance(value, dict) else _number(value, f"{where} ecf", 0, 1)
    return total, per_ask, ecf


def parse_spec(data: dict[str, Any], source: str = "spec") -> WorksheetSpec:
    _unknown(set(data), TOP_KEYS, source)
    families = load_families()
    from exgen.problems.scoring import DEFAULT_POINTS

    all_asks = set(DEFAULT_POINTS) | {ask for f in families.values() for ask in f.info.asks}
    _, top_points, top_ecf = _scoring(data, source, all_asks, top=True)
    sections = []
    raw_sections = data.get("section", [])
    if not isinstance(raw_sections, list) or not raw_sections:
        raise InputFileError(f"{source}: add at least one [[section]] with a family, count and difficulty")
    for index, raw in enumerate(raw_sections, start=1):
        where = f"{source}: section {index}"
        if not isinstance(raw, dict):
            raise InputFileError(f"{where} must be a table")
        _unknown(set(raw), SECTION_KEYS, where)
        family = raw.get("family")
        if family not in families:
            close = difflib.get_close_matches(str(family), sorted(families), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; choose from {', '.join(sorted(families))}"
            raise InputFileError(f"{where}: unknown family {family!r}{hint}")
        count, difficulty = raw.get("count", 1), raw.get("difficulty", 1)
        if not isinstance(count, int) or not 1 <= count <= 50:
            raise InputFileError(f"{where}: count must be a whole number from 1 to 50")
        if difficulty not in (1, 2, 3):
            raise InputFileError(f"{where}: difficulty must be 1, 2 or 3")
        total, per_ask, ecf = _scoring(raw, where, set(families[family].info.asks), top=False)
        figures = raw.get("figures", "key")
        if figures not in FIGURE_PLACES:
            raise InputFileError(f"{where}: figures must be one of {', '.join(FIGURE_PLACES)}, not {figures!r}")
        merged = tuple(sorted({**dict(top_points), **dict(per_ask)}.items()))
        sections.append(SectionSpec(family, count, difficulty, _text(raw.get("title", ""), f"{where} title"), total, merged,
                                    ecf if ecf is not None else top_ecf, figures))
    seed = data.get("seed", 0)
    if not isinstance(seed, int):
        raise InputFileError(f"{source}: seed must be a whole number")
    return WorksheetSpec(
        title=_text(data.get("title", WorksheetSpec.title), f"{source} title"),
        course=_text(data.get("course", ""), f"{source} course"),
        date=_text(data.get("date", ""), f"{source} date"),
        instructions=_text(data.get("instructions", ""), f"{source} instructions"),
        seed=seed,
        language=_text(data.get("language", "en"), f"{source} language"),
        sections=tuple(sections),
    )


def load_spec(path: Path) -> WorksheetSpec:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise InputFileError(f"no such spec file: {path}") from None
    except tomllib.TOMLDecodeError as problem:
        raise InputFileError(f"{path} is not valid TOML: {problem}") from None
    except UnicodeDecodeError:
        raise InputFileError(f"{path} is not a UTF-8 text file") from None
    return parse_spec(data, str(path))


def quick_spec(topics: tuple[str, ...], count: int, difficulty: int, base: WorksheetSpec | None = None) -> WorksheetSpec:
    """A spec from --topic/--count/--difficulty: ``count`` problems of each topic."""
    families = load_families()
    for topic in topics:
        if topic not in families:
            raise UsageError(f"unknown topic {topic!r}; choose from {', '.join(sorted(families))}")
    sections = tuple(SectionSpec(topic, count, difficulty) for topic in topics)
    base = base or WorksheetSpec(title="Calculus for neural networks", seed=0)
    return replace(base, sections=sections)
