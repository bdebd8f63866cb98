"""Batch grading speed: 300 students x 10 problems, a realistic mix of answers.

    python bench/bench_grade.py [--students 300] [--workers 2]

Generates a class set (the sample spec: every family), fills answers.csv with correct answers
in several forms, mistake-model answers, typos, other wrong answers, garbage and blanks, then
times `exgen grade` as a command (start-up included) and checks the row counts.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exgen.worksheets.generate import generate_class_set
from exgen.worksheets.roster import Student
from exgen.worksheets.spec import sample_spec

GARBAGE = ["x^2 +", "diff(x^3, x)", "((x+1)", "open('/tmp/x','w')", "sinx", "2 3", "lambda: 1", "none of these"]


def typo(text: str, rng: random.Random) -> str:
    if len(text) < 3:
        return text + "+"
    i = rng.randrange(len(text))
    return text[:i] + text[i + 1 :]


def fill(key: dict, header: list[str], rng: random.Random) -> list[list[str]]:
    rows = []
    for version in key["versions"]:
        parts = {p["id"]: p for problem in version["problems"] for p in problem["parts"]}
        row = [version["student"]["id"], version["version"]]
        for column in header[2:]:
            part = parts.get(column)
            if part is None:
                row.append("")
                continue
            r = rng.random()
            answer = part["answer"]
            if r < 0.30:
                row.append(answer)
            elif r < 0.45:
                row.append(answer.replace("*", " ").replace("^", "**") if part["kind"] not in ("label", "points") else answer)
            elif r < 0.65 and part["mistakes"]:
                row.append(rng.choice(part["mistakes"])["answer"])
            elif r < 0.75:
                row.append(typo(answer, rng))
            elif r < 0.85:
                row.append(f"{answer} + 1" if part["kind"] in ("expression", "number") else answer[::-1])
            elif r < 0.90:
                row.append(rng.choice(GARBAGE))
            else:
                row.append("")
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="exgen-grade-bench-"))
    try:
        students = [Student(f"s{i:04d}", f"Student {i}") for i in range(args.students)]
        generate_class_set(sample_spec(), root / "gen", roster=students, formats=("json",), workers=args.workers)
        key = json.loads((root / "gen" / "key.json").read_text(encoding="utf-8"))
        header = next(csv.reader((root / "gen" / "answers.csv").open(encoding="utf-8")))
        rows = fill(key, header, random.Random(7))
        with (root / "filled.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        cells = sum(1 for row in rows for cell in row[2:] if cell)
        start = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, "-m", "exgen", "grade", str(root / "gen" / "key.json"), str(root / "filled.csv"),
             "--out", str(root / "graded"), "--workers", str(args.workers)],
            capture_output=True, text=True, check=True,
        )
        seconds = time.perf_counter() - start
        print(completed.stdout.strip().splitlines()[0])
        results = (root / "graded" / "results.jsonl").read_text(encoding="utf-8").splitlines()
        grades = list(csv.reader((root / "graded" / "grades.csv").open(encoding="utf-8")))
        print(f"exgen grade --workers {args.workers}: {seconds:.2f} s for {args.students} students, "
              f"{len(results)} answer cells ({cells} non-blank); grades.csv rows {len(grades) - 1}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
