"""Fill output/answers.csv the way a class might: for `make demo`.

Usage: python examples/fill_sample_answers.py output/key.json output/answers.csv examples/sample_submission.csv

Each student answers some parts with the key (typed a little differently), some with a
typical mistake, some with a typo, and leaves some blank, so the demo shows every verdict.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path


def main(key_path: str, sheet_path: str, out_path: str) -> None:
    key = json.loads(Path(key_path).read_text(encoding="utf-8"))
    parts = {v["version"]: {p["id"]: p for pr in v["problems"] for p in pr["parts"]} for v in key["versions"]}
    with open(sheet_path, encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    version_column = header.index("version")
    first_part = version_column + 1
    for number, row in enumerate(rows[1:]):
        for column, part_id in enumerate(header[first_part:], start=first_part):
            part = parts[row[version_column]].get(part_id)
            if part is None:
                continue
            plan = (number + column) % 6
            if plan in (0, 1, 2):
                row[column] = part["answer"].replace("*", " ") if part["kind"] == "expression" else part["answer"]
            elif plan == 3 and part["mistakes"]:
                row[column] = part["mistakes"][0]["answer"]
            elif plan == 4:
                row[column] = part["answer"] + ")"
    with open(out_path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    print(f"filled {len(rows) - 1} answer rows into {out_path}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
