"""``exgen collect``: the latest answer per student and part, in the answers.csv layout that
``exgen generate`` writes and ``exgen grade`` reads, plus every attempt in attempts.csv."""

from __future__ import annotations

import csv
import io

from exgen.grading.key import Key
from exgen.serve.store import COLUMNS, Attempt
from exgen.spreadsheet import spreadsheet_cell


def answers_csv(key: Key, attempts: list[Attempt]) -> str:
    """One row per version of the set (in key order), the latest answer in each part column."""
    latest: dict[tuple[str, str], str] = {}
    for attempt in attempts:  # oldest first: the last one wins
        latest[(attempt.version, attempt.part)] = attempt.raw
    columns = key.part_ids
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "name", "version", *columns])
    for version in key.versions.values():
        writer.writerow([
            spreadsheet_cell(version.student_id or ""), spreadsheet_cell(version.student_name), version.version,
            *(spreadsheet_cell(latest.get((version.version, part), "")) for part in columns),
        ])
    return buffer.getvalue()


def attempts_csv(attempts: list[Attempt]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", *COLUMNS])
    for attempt in attempts:
        writer.writerow([attempt.id, *(spreadsheet_cell(getattr(attempt, name)) for name in COLUMNS)])
    return buffer.getvalue()
