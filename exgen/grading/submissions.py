"""Reading what students handed in: the filled-in answers.csv, or JSON lines.

Spreadsheets and LMS exports are untidy; all of this is accepted: a UTF-8 byte-order mark,
CRLF line ends, ``;`` or tab delimiters, extra columns, columns in any order, blank cells and
trailing empty rows. Problems are reported, not silently dropped: rows with an unknown student
or version, duplicate students, part columns the key expects but the file lacks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from exgen.errors import InputFileError
from exgen.grading.key import Key
from exgen.i18n import t
from exgen.spreadsheet import read_cell
from exgen.worksheets.roster import stream_table

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
    source: tuple[Path, bool] | None = None  # the file and whether it is JSON lines

    def answers(self) -> Iterator[dict[str, str]]:
        """Each submission's answers, in order, read again from the file."""
        if self.source is None:
            yield from (s.answers for s in self.submissions)
            return
        path, jsonl = self.source
        for record in (_jsonl_records(path) if jsonl else _csv_records(path)[1]):
            yield record[3]

TRUST = ("student", "version")  # which column of a row to believe when the two disagree


def _normalize(header: str) -> str:
    return " ".join(header.strip().strip("\ufeff").lower().replace("_", " ").split())


def read_submissions(path: Path, key: Key, trust: str | None = None, keep_answers: bool = True) -> SubmissionFile:
    """Every submission with its notes. Without ``keep_answers`` the answers are left out and
    :meth:`SubmissionFile.answers` reads them again, row by row, when they are graded (memory
    flat in the number of students)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except FileNotFoundError:
        raise InputFileError(f"no such file: {path}") from None
    if b"\x00" in head:
        raise InputFileError(f"{path} is not a text file (export the answers as CSV or JSON lines)")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    jsonl = path.suffix.lower() in (".jsonl", ".json") or stripped.startswith(b"{")
    result = _read(path, jsonl, keep_answers)
    if not jsonl:
        missing = sorted(set(key.part_ids) - set(result.columns), key=_part_order)
        if missing:
            result.issues.append(t("submissions.missing_columns", parts=", ".join(missing)))
    _resolve_versions(result, key, trust)
    return result


def _read(path: Path, jsonl: bool, keep_answers: bool) -> SubmissionFile:
    issues: list[str] = []
    columns: set[str] = set()
    submissions = []
    if jsonl:
        records = _jsonl_records(path, issues)
    else:
        layout, records = _csv_records(path, issues)
        columns = set(layout[1].values())  # every part column of the header, answered or not
    for line, student, version, answers in records:
        if jsonl:
            columns |= answers.keys()
        submissions.append(Submission(line, student, version, answers if keep_answers else {}))
    return SubmissionFile(submissions, issues, sorted(columns, key=_part_order), source=(path, jsonl))


Record = tuple[int, str, str, dict[str, str]]  # line, student, version, answers


Layout = tuple[list[str], dict[int, str], int | None, int | None, list[str]]  # headers, parts, student, version, extra


def _csv_layout(path: Path, headers: list[str]) -> Layout:
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
    return headers, part_columns, student_column, version_column, extra


def _csv_records(path: Path, issues: list[str] | None = None) -> tuple[Layout, Iterator[Record]]:
    """The file's columns and its rows as records, from one pass over the file."""
    headers, rows = stream_table(path)
    layout = _csv_layout(path, headers)
    if layout[4] and issues is not None:
        issues.append(f"ignored columns: {', '.join(layout[4])}")
    return layout, _csv_rows(rows, layout)


def _csv_rows(rows: Iterator[list[str]], layout: Layout) -> Iterator[Record]:
    _, part_columns, student_column, version_column, _ = layout
    for line, row in enumerate(rows, start=2):
        answers = {part: read_cell(row[i]) for i, part in part_columns.items() if i < len(row) and row[i].strip()}
        yield line, _cell(row, student_column), _cell(row, version_column), answers


def _cell(row: list[str], index: int | None) -> str:
    return read_cell(row[index].strip()) if index is not None and index < len(row) else ""


def _jsonl_records(path: Path, issues: list[str] | None = None) -> Iterator[Record]:
    try:
        handle = path.open(encoding="utf-8-sig")
        lines = enumerate(handle, start=1)
        with handle:
            for line, raw in lines:
                record = _jsonl_record(line, raw, issues)
                if record is not None:
                    yield record
    except UnicodeDecodeError:
        raise InputFileError(f"{path} is not UTF-8 text") from None


def _jsonl_record(line: int, raw: str, issues: list[str] | None) -> Record | None:
    def note(message: str) -> None:
        if issues is not None:
            issues.append(message)

    if not raw.strip():
        return None
    try:
        record = json.loads(raw)
        if not isinstance(record, dict):
            raise ValueError("not an object")
    except ValueError as problem:
        note(t("submissions.not_json_object", line=line, detail=problem))
        return None
    answers = record.get("answers") or {}
    if not isinstance(answers, dict):
        note(t("submissions.answers_not_object", line=line))
        return None
    parts = {}
    for part, value in answers.items():
        match = PART_COLUMN.match(str(part).strip())
        if not match:
            note(t("submissions.unknown_part", line=line, part=repr(part)))
            continue
        text_value = "" if value is None else str(value)
        if text_value.strip():
            parts[f"{int(match.group(1))}{match.group(2).lower()}"] = text_value
    return line, str(record.get("student") or "").strip(), str(record.get("version") or "").strip(), parts


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
