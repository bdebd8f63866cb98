"""Class rosters: a CSV with a student id column and optionally a name column.

Spreadsheet exports vary: a UTF-8 byte-order mark (Excel), ``;`` or tab delimiters, extra
columns, blank lines and header spellings such as "Student ID" or "Full name" are all fine.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from exgen.errors import InputFileError

ID_HEADERS = ("id", "student", "student id", "student_id", "studentid", "sis id", "sis user id", "username", "login", "matriculation", "number")
NAME_HEADERS = ("name", "student name", "full name", "fullname", "display name")
FIRST_HEADERS = ("first name", "firstname", "given name")
LAST_HEADERS = ("last name", "lastname", "surname", "family name")


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""


def _normalize(header: str) -> str:
    return " ".join(header.strip().strip("\ufeff").lower().replace("_", " ").split())


def read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV file, whatever its delimiter and encoding quirks."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"no such file: {path}") from None
    if b"\x00" in raw[:4096]:
        raise InputFileError(f"{path} is not a text file (is it a spreadsheet? export it as CSV)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # older Excel exports
    delimiter = _delimiter(text)
    rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(cell.strip() for cell in row)]
    if not rows:
        raise InputFileError(f"{path} is empty")
    return [cell.strip() for cell in rows[0]], [[cell.strip() for cell in row] for row in rows[1:]]


def _delimiter(text: str) -> str:
    """The delimiter the header line uses most (answers in cells may contain commas)."""
    header = text.split("\n", 1)[0]
    outside, quoted = [], False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            outside.append(char)
    counts = {d: outside.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _find(headers: list[str], choices: tuple[str, ...]) -> int | None:
    normalized = [_normalize(h) for h in headers]
    for choice in choices:
        if choice in normalized:
            return normalized.index(choice)
    return None


def read_roster(path: Path) -> list[Student]:
    headers, rows = read_table(path)
    id_column = _find(headers, ID_HEADERS)
    if id_column is None:
        raise InputFileError(f"{path}: no student id column (found: {', '.join(headers) or 'none'}); name one 'id'")
    name_column = _find(headers, NAME_HEADERS)
    first, last = _find(headers, FIRST_HEADERS), _find(headers, LAST_HEADERS)
    students: list[Student] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        cell = row[id_column] if id_column < len(row) else ""
        if not cell:
            raise InputFileError(f"{path}, line {line}: the student id is empty")
        if cell in seen:
            raise InputFileError(f"{path}, line {line}: student id {cell!r} appears twice (first on line {seen[cell]})")
        seen[cell] = line
        if name_column is not None and name_column < len(row):
            name = row[name_column]
        else:
            parts = [row[i] for i in (first, last) if i is not None and i < len(row) and row[i]]
            name = " ".join(parts)
        students.append(Student(cell, name))
    if not students:
        raise InputFileError(f"{path}: no students listed")
    return students
