"""The adversarial corpus (tests/adversarial_corpus.py) through ``exgen check --batch``.

Every row must get its label: no wrong answer accepted, no right one refused, no syntax error
read, no hostile input doing anything but being refused. A row whose check ran out of time
would come back ``review`` and fail here.
"""

from __future__ import annotations

import json
from collections import Counter

from click.testing import CliRunner

from exgen.cli import main
from tests.adversarial_corpus import batch_text, cases, right


def test_the_corpus_covers_every_kind_of_trap() -> None:
    counts = Counter(case.category for case in cases())
    assert sum(counts.values()) >= 480
    for category in ("sign", "tiny", "drowned", "piece", "integer", "identity", "domain", "syntax", "hostile",
                     "number", "points", "vector", "label", "equation"):
        assert counts[category] >= 10 or category in ("integer",), counts


def test_every_corpus_row_gets_its_label_through_check_batch(tmp_path) -> None:
    path = tmp_path / "corpus.jsonl"
    path.write_text(batch_text(), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--batch", str(path)])
    assert result.exit_code == 0, result.output
    verdicts = [json.loads(line) for line in result.output.splitlines()]
    rows = cases()
    assert len(verdicts) == len(rows)
    false_accepts = [(c, v["evidence"]) for c, v in zip(rows, verdicts) if v["verdict"] == "correct" and c.label != "correct"]
    assert not false_accepts
    wrong = [(c, v["verdict"], v["message"]) for c, v in zip(rows, verdicts) if not right(c, v["verdict"])]
    assert not wrong
    assert not any(v["code"] in ("timeout", "internal_error") for v in verdicts)
