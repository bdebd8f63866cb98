"""Class rosters: a CSV with a student id column and optionally a name column.

Spreadsheet exports vary: a UTF-8 byte-order mark (Excel), ``;`` or tab delimiters, extra
columns, blank lines and header spellings such as "Student ID" or "Full name" are all fine.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
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
    headers, rows = stream_table(path)
    return headers, list(rows)


def stream_table(path: Path) -> tuple[list[str], Iterator[list[str]]]:
    """Header and rows of a CSV file, the rows read one at a time (a class of any size in flat
    memory); blank rows are skipped and cells stripped, as :func:`read_table` does."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except FileNotFoundError:
        raise InputFileError(f"no such file: {path}") from None
    if b"\x00" in head:
        raise InputFileError(f"{path} is not a text file (is it a spreadsheet? export it as CSV)")
    encoding = "utf-8-sig" if _is_utf8(path) else "cp1252"  # older Excel exports
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        delimiter = _delimiter(handle.readline())
    rows = _rows(path, encoding, delimiter)
    first = next(rows, None)
    if first is None:
        raise InputFileError(f"{path} is empty")
    return first, rows


def _is_utf8(path: Path) -> bool:
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _rows(path: Path, encoding: str, delimiter: str) -> Iterator[list[str]]:
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        for row in csv.reader(handle, delimiter=delimiter):
            if any(cell.strip() for cell in row):
                yield [cell.strip() for cell in row]


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
