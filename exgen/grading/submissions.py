"""Reading what students handed in: the filled-in answers.csv, or JSON lines.

Spreadsheets and LMS exports are untidy; all of this is accepted: a UTF-8 byte-order mark,
CRLF line ends, ``;`` or tab delimiters, extra columns, columns in any order, blank cells and
trailing empty rows. Problems are reported, not silently dropped: rows with an unknown student
or version, duplicate students, part columns the key expects but the file lacks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from exgen.errors import InputFileError
from exgen.grading.key import Key
from exgen.i18n import t
from exgen.spreadsheet import read_cell
from exgen.worksheets.roster import read_table

PART_COLUMN = re.compile(r"^(?:q|p|part\s*)?(\d+)\s*([a-z])$", re.IGNORECASE)


@dataclass
class Submission:
    row: int  # line in the file (1-based, header is line 1 for CSV)
    student: str
    version: str
    answers: dict[str, str]  # part id → text as typed (blank cells omitted)
    notes: list[str] = field(default_factory=list)


@dataclass
class SubmissionFile:
    submissions: list[Submission]
    issues: list[str]  # what the instructor should look at
    columns: list[str]  # part columns found
    # Rows that were not graded because they contradict the key (a version made for another
    # student): errors, which make `exgen grade` exit with 1, unless the instructor says
    # which to trust.
    errors: list[str] = field(default_factory=list)

TRUST = ("student", "version")  # which column of a row to believe when the two disagree


def _normalize(header: str) -> str:
    return " ".join(header.strip().strip("\ufeff").lower().replace("_", " ").split())


def read_submissions(path: Path, key: Key, trust: str | None = None) -> SubmissionFile:
    try:
        head = path.read_bytes()[:4096]
    except FileNotFoundError:
        raise InputFileError(f"no such file: {path}") from None
    if b"\x00" in head:
        raise InputFileError(f"{path} is not a text file (export the answers as CSV or JSON lines)")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if path.suffix.lower() in (".jsonl", ".json") or stripped.startswith(b"{"):
        result = _read_jsonl(path)
    else:
        result = _read_csv(path)
        missing = sorted(set(key.part_ids) - set(result.columns), key=_part_order)
        if missing:
            result.issues.append(t("submissions.missing_columns", parts=", ".join(missing)))
    _resolve_versions(result, key, trust)
    return result


def _read_csv(path: Path) -> SubmissionFile:
    headers, rows = read_table(path)
    normalized = [_normalize(h) for h in headers]
    student_column = next((i for i, h in enumerate(normalized) if h in ("student", "student id", "id", "username")), None)
    version_column = next((i for i, h in enumerate(normalized) if h in ("version", "version id")), None)
    part_columns: dict[int, str] = {}
    extra = []
    for index, header in enumerate(headers):
        match = PART_COLUMN.match(header.strip().strip("\ufeff"))
        if match:
            part_columns[index] = f"{int(match.group(1))}{match.group(2).lower()}"
        elif index not in (student_column, version_column) and normalized[index] not in ("name", "student name", "full name") and header.strip():
            extra.append(header.strip())  # a name column (answers.csv has one) is expected, not extra
    if student_column is None and version_column is None:
        raise InputFileError(f"{path}: needs a 'student' or a 'version' column (found: {', '.join(headers)})")
    issues = [f"ignored columns: {', '.join(extra)}"] if extra else []
    submissions = []
    for line, row in enumerate(rows, start=2):
        answers = {part: read_cell(row[i]) for i, part in part_columns.items() if i < len(row) and row[i].strip()}
        submissions.append(Submission(line, _cell(row, student_column), _cell(row, version_column), answers))
    return SubmissionFile(submissions, issues, sorted(set(part_columns.values()), key=_part_order))


def _cell(row: list[str], index: int | None) -> str:
    return read_cell(row[index].strip()) if index is not None and index < len(row) else ""


def _read_jsonl(path: Path) -> SubmissionFile:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError(f"{path} is not UTF-8 text") from None
    submissions, issues, columns = [], [], set()
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
            if not isinstance(record, dict):
                raise ValueError("not an object")
        except ValueError as problem:
            issues.append(t("submissions.not_json_object", line=line, detail=problem))
            continue
        answers = record.get("answers") or {}
        if not isinstance(answers, dict):
            issues.append(t("submissions.answers_not_object", line=line))
            continue
        parts = {}
        for part, value in answers.items():
            match = PART_COLUMN.match(str(part).strip())
            if not match:
                issues.append(t("submissions.unknown_part", line=line, part=repr(part)))
                continue
            text_value = "" if value is None else str(value)
            if text_value.strip():
                parts[f"{int(match.group(1))}{match.group(2).lower()}"] = text_value
        columns |= parts.keys()
        submissions.append(Submission(line, str(record.get("student") or "").strip(), str(record.get("version") or "").strip(), parts))
    return SubmissionFile(submissions, issues, sorted(columns, key=_part_order))


def _part_order(part: str) -> tuple[int, str]:
    return int(part[:-1]), part[-1]


def _resolve_versions(result: SubmissionFile, key: Key, trust: str | None = None) -> None:
    seen: dict[str, int] = {}
    for submission in result.submissions:
        if not submission.version and submission.student in key.by_student:
            submission.version = key.by_student[submission.student]
            submission.notes.append(t("submissions.version_from_roster"))
        owner = key.versions[submission.version].student_id if submission.version in key.versions else None
        if submission.student and owner and owner != submission.student:
            own = key.by_student.get(submission.student)
            if trust == "student" and own:
                submission.notes.append(t("submissions.graded_own_version", version=submission.version, owner=owner, own=own, student=submission.student))
                result.issues.append(t("submissions.row", row=submission.row, note=submission.notes[-1]))
                submission.version = own
            elif trust == "version":
                submission.notes.append(t("submissions.graded_as_row", version=submission.version, owner=owner))
                result.issues.append(t("submissions.row", row=submission.row, note=submission.notes[-1]))
            else:
                whose = t("submissions.own_version_is", student=submission.student, own=own) if own else t("submissions.not_on_roster", student=repr(submission.student))
                submission.notes.append(t("submissions.made_for_other", version=submission.version, owner=owner, student=submission.student, whose=whose))
                result.errors.append(t("submissions.row_trust", row=submission.row, note=submission.notes[-1]))
                submission.version = ""
                continue
        if submission.version not in key.versions:
            submission.notes.append(t("submissions.unknown_version", version=repr(submission.version)) if submission.version else t("submissions.no_version"))
            result.issues.append(t("submissions.row_not_graded", row=submission.row, student=submission.student or "?", note=submission.notes[-1]))
            continue
        if submission.student and key.by_student and submission.student not in key.by_student:
            submission.notes.append(t("submissions.unknown_student", student=repr(submission.student)))
            result.issues.append(t("submissions.row", row=submission.row, note=t("submissions.unknown_student", student=repr(submission.student))))
        identity = submission.student or submission.version
        if identity in seen:
            submission.notes.append(t("submissions.duplicate", row=seen[identity]))
            result.issues.append(t("submissions.also_on_row", row=submission.row, identity=identity, other=seen[identity]))
        else:
            seen[identity] = submission.row
