"""Reading key.json (written by ``exgen generate``): versions, problems, gradable parts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exgen.errors import InputFileError


@dataclass(frozen=True)
class KeyPart:
    id: str  # "3b"
    part: str
    kind: str
    answer: str  # calculator syntax
    variables: tuple[str, ...]
    functions: tuple[str, ...]
    tolerance: float | None
    choices: tuple[str, ...] | None
    points: float
    depends_on: tuple[str, ...]
    ecf_credit: float
    ask: str
    args: dict[str, Any]
    prompt: str
    mistakes: tuple[dict[str, Any], ...]
    solution: tuple[dict[str, Any], ...]
    prompt_data: dict[str, Any] | None = None  # the prompt as a sentence to typeset (key + parameters)
    answer_data: dict[str, Any] | None = None  # the key as a tree, to typeset
    language: str = "en"  # the sheet's language: verdicts and messages are given in it

    @property
    def signature(self) -> tuple[Any, ...]:
        """Parts with equal signatures grade every answer the same way (decide once): the same
        key and the same mistake models (two versions may share a key but not their slips)."""
        mistakes = tuple((m["id"], m["answer"], m["message"]) for m in self.mistakes)
        return (self.kind, self.answer, self.variables, self.functions, self.tolerance, self.choices, mistakes)

    def to_task(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "answer": self.answer, "variables": list(self.variables),
            "functions": list(self.functions), "tolerance": self.tolerance,
            "choices": list(self.choices) if self.choices else None,
            "mistakes": [{"id": m["id"], "answer": m["answer"], "message": m["message"]} for m in self.mistakes],
            "ask": self.ask, "args": self.args, "ecf_credit": self.ecf_credit, "language": self.language,
        }


@dataclass(frozen=True)
class KeyProblem:
    number: int
    family: str
    statement: str
    givens: dict[str, str]
    parts: tuple[KeyPart, ...]
    statement_data: dict[str, Any] | None = None
    figure: dict[str, str] | None = None  # {"html": svg, "caption_html": …} as drawn for the key


@dataclass(frozen=True)
class KeyVersion:
    version: str
    seed: int
    student_id: str | None
    student_name: str
    problems: tuple[KeyProblem, ...]
    parts: dict[str, KeyPart] = field(default_factory=dict)  # by part id

    def problem_of(self, part_id: str) -> KeyProblem:
        for problem in self.problems:
            if any(p.id == part_id for p in problem.parts):
                return problem
        raise KeyError(part_id)

    @property
    def maximum(self) -> float:
        return sum(p.points for p in self.parts.values())


@dataclass(frozen=True)
class Key:
    path: Path
    title: str
    versions: dict[str, KeyVersion]
    by_student: dict[str, str]  # student id → version id
    language: str = "en"  # the sheet's language (spec.language): reports and pages use it

    @property
    def names(self) -> dict[str, str]:
        """Student id → name, from the roster the set was generated for."""
        return {v.student_id: v.student_name for v in self.versions.values() if v.student_id}

    @property
    def part_ids(self) -> list[str]:
        seen: dict[tuple[int, str], str] = {}
        for version in self.versions.values():
            for problem in version.problems:
                for part in problem.parts:
                    seen.setdefault((problem.number, part.part), part.id)
        return [seen[k] for k in sorted(seen)]


def _part(raw: dict[str, Any], language: str = "en") -> KeyPart:
    return KeyPart(
        id=str(raw["id"]), part=str(raw["part"]), kind=str(raw["kind"]), answer=str(raw["answer"]),
        variables=tuple(raw.get("variables") or ()), functions=tuple(raw.get("functions") or ()),
        tolerance=raw.get("tolerance"), choices=tuple(raw["choices"]) if raw.get("choices") else None,
        points=float(raw.get("points", 1.0)), depends_on=tuple(raw.get("depends_on") or ()),
        ecf_credit=float(raw.get("ecf_credit", 1.0)), ask=str(raw.get("ask", "")), args=dict(raw.get("args") or {}),
        prompt=str(raw.get("prompt", "")), mistakes=tuple(raw.get("mistakes") or ()),
        solution=tuple(raw.get("solution") or ()), prompt_data=raw.get("prompt_data"), answer_data=raw.get("answer_data"),
        language=language,
    )


def load_key(path: Path, language: str | None = None) -> Key:
    """The key of a class set; ``language`` overrides the sheet's own for messages and reports."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputFileError(f"no such key file: {path}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as problem:
        raise InputFileError(f"{path} is not a key.json written by exgen generate ({problem})") from None
    if not isinstance(data, dict) or "versions" not in data:
        raise InputFileError(f"{path} is not a key.json written by exgen generate (no versions)")
    versions: dict[str, KeyVersion] = {}
    by_student: dict[str, str] = {}
    language = language or str(data.get("spec", {}).get("language") or "en")
    try:
        for raw in data["versions"]:
            problems = tuple(
                KeyProblem(
                    number=int(p["number"]), family=str(p["family"]), statement=str(p.get("statement", "")),
                    givens=dict(p.get("description", {}).get("givens", {})), parts=tuple(_part(q, language) for q in p["parts"]),
                    statement_data=p.get("statement_data"), figure=p.get("figure"),
                )
                for p in raw["problems"]
            )
            student = raw.get("student") or None
            version = KeyVersion(
                version=str(raw["version"]), seed=int(raw["seed"]), student_id=student["id"] if student else None,
                student_name=student.get("name", "") if student else "", problems=problems,
                parts={part.id: part for problem in problems for part in problem.parts},
            )
            versions[version.version] = version
            if version.student_id:
                by_student[version.student_id] = version.version
    except (KeyError, TypeError, ValueError) as problem:
        raise InputFileError(f"{path}: a version entry is incomplete ({problem!r})") from None
    return Key(path, str(data.get("spec", {}).get("title", "")), versions, by_student, language)
