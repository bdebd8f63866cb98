"""Batch grading end to end: a generated class, graded with every kind of answer."""

from __future__ import annotations

import csv
import html
import json
import os
import signal
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from exgen.cli import main
from exgen.grading import batch
from exgen.grading.batch import grade
from exgen.grading.reports import grade_to_folder
from exgen.problems.values import rewritten_forms
from exgen.worksheets.generate import generate_class_set
from exgen.worksheets.roster import Student
from exgen.worksheets.spec import SectionSpec, WorksheetSpec
from tests.conftest import load_conformance

SPEC = WorksheetSpec(
    title="Quiz", seed=11,
    sections=(SectionSpec("derivative_rules", 1, 1), SectionSpec("tangent_line", 1, 1), SectionSpec("critical_points", 1, 1),
              SectionSpec("neural_gradients", 1, 1), SectionSpec("lagrange", 1, 2)),
)
STUDENTS = [Student(f"s{i:02d}", f"Student {i}") for i in range(1, 7)]


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("class") / "gen"
    generate_class_set(SPEC, out, roster=STUDENTS, formats=("json",))
    return out


def _key(generated: Path) -> dict:
    return json.loads((generated / "key.json").read_text(encoding="utf-8"))


def _parts(version: dict) -> dict[str, dict]:
    return {p["id"]: p for problem in version["problems"] for p in problem["parts"]}


def _write_csv(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",", bom: bool = False, crlf: bool = False) -> None:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n")
        writer.writerow(header)
        writer.writerows(rows)


def test_a_generated_class_end_to_end(generated: Path, tmp_path: Path) -> None:
    key = _key(generated)
    hostile = [item["input"] for item in load_conformance("hostile_inputs.json")][:20]
    header = ["version", "extra column", "student"] + [c for c in next(csv.reader((generated / "answers.csv").open()))[2:]][::-1]
    rows, expectations = [], []
    for index, version in enumerate(key["versions"]):
        parts = _parts(version)
        row = {"student": version["student"]["id"], "version": version["version"], "extra column": "ignored"}
        for part_id, part in parts.items():
            plan = (index + len(part_id)) % 5
            if plan == 0:  # the key, rewritten
                forms = rewritten_forms(part["kind"], _sympy(part), seed=index) if part["kind"] not in ("label", "classified_points") else [part["answer"]]
                row[part_id], expect = forms[-1], ("correct", None)
            elif plan == 1 and part["mistakes"]:
                mistake = part["mistakes"][0]
                row[part_id], expect = mistake["answer"], ("mistake", mistake)
            elif plan == 2:
                row[part_id], expect = "x^2 + )", ("invalid", None)
            elif plan == 3:
                row[part_id], expect = hostile[(index * 7 + len(part_id)) % len(hostile)], ("invalid-or-incorrect", None)
            else:
                row[part_id], expect = "", ("blank", None)
            expectations.append((version["student"]["id"], part_id, expect))
        rows.append([row.get(h, "") for h in header])
    rows.append([""] * len(header))  # a trailing empty row, as spreadsheets write
    submissions = tmp_path / "answers.csv"
    _write_csv(submissions, header, rows, delimiter=";", bom=True, crlf=True)

    result = CliRunner().invoke(main, ["grade", str(generated / "key.json"), str(submissions), "--out", str(tmp_path / "graded"), "--workers", "2"])
    assert result.exit_code == 0, result.output
    results = [json.loads(line) for line in (tmp_path / "graded" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    by_cell = {(r["student"], r["part"]): r for r in results}
    assert len(results) == len(expectations)  # every answer cell yields exactly one result
    for student, part_id, (expect, mistake) in expectations:
        cell = by_cell[(student, part_id)]
        if expect == "correct":
            assert cell["verdict"] == "correct" and cell["score"] == cell["points"], cell
        elif expect == "mistake":
            if cell["mistake"] is not None:
                assert cell["message"] == mistake["message"] and cell["verdict"] == "incorrect", cell
            else:  # a mistake model equal to the key is dropped: the answer is simply right
                assert cell["verdict"] == "correct", cell
        elif expect == "invalid":
            assert cell["verdict"] == "invalid" and cell["score"] == 0 and cell["message"], cell
        elif expect == "blank":
            assert cell["verdict"] == "blank" and cell["score"] == 0, cell
        else:
            assert cell["verdict"] in ("invalid", "incorrect") and cell["message"], cell
    grades = list(csv.reader((tmp_path / "graded" / "grades.csv").open(encoding="utf-8")))
    assert len(grades) == 1 + len(key["versions"])  # the row counts match
    assert grades[0][:3] == ["student", "name", "version"] and grades[0][-4:] == ["total", "maximum", "percent", "notes"]
    feedback = sorted((tmp_path / "graded" / "feedback").glob("*.html"))
    assert len(feedback) == len(key["versions"])
    assert "<math" in feedback[0].read_text(encoding="utf-8")
    analysis = (tmp_path / "graded" / "item_analysis.csv").read_text(encoding="utf-8")
    assert analysis.startswith("part,answers,mean_score")
    html5lib = pytest.importorskip("html5lib")
    for page in (feedback[0], tmp_path / "graded" / "item_analysis.html"):
        html5lib.HTMLParser(strict=True).parse(page.read_text(encoding="utf-8"))
    page = feedback[0].read_text(encoding="utf-8")
    assert "Worked solution" in page and "Your answer" in page
    assert "ignored columns: extra column" in result.output
    # the most common wrong answers are typeset as they were read, what was typed beneath
    wrong = [r for r in results if r["verdict"] == "incorrect" and r["interpreted"] and not r["ecf"]]
    analysis_page = (tmp_path / "graded" / "item_analysis.html").read_text(encoding="utf-8")
    assert wrong and analysis_page.count('<span class="answer"><span class="formula"><math') >= 1
    assert any(f"</span><code>{html.escape(r['interpreted'])}</code>" in analysis_page for r in wrong)


def _sympy(part: dict):
    import sympy

    from exgen.answers.reader import ReadOptions, read
    from exgen.answers.sympy_bridge import to_sympy

    reading = read(part["answer"], ReadOptions(variables=tuple(part["variables"]), functions=frozenset({"sigma"}), auto_variables=True))
    tree = reading.tree
    if part["kind"] == "points":
        items = tree.items if hasattr(tree, "items") and type(tree).__name__ in ("Seq",) else (tree,)
        return [tuple(to_sympy(c) for c in (i.items if type(i).__name__ == "Tuple" else (i,))) for i in items]
    if part["kind"] == "vector":
        return tuple(to_sympy(c) for c in tree.items)
    value = to_sympy(tree)
    return value if part["kind"] != "equation" else sympy.Eq(value.lhs, value.rhs)


def test_error_carried_forward(generated: Path, tmp_path: Path) -> None:
    key = _key(generated)
    version = key["versions"][0]
    parts = _parts(version)
    tangent = next(p for p in parts.values() if p["ask"] == "tangent_line")
    slope_part = parts[tangent["depends_on"][0]]
    problem = next(pr for pr in version["problems"] if any(p["id"] == tangent["id"] for p in pr["parts"]))
    x0 = tangent["args"]["at"]
    import sympy

    f = sympy.sympify(problem["description"]["givens"]["f"])
    x = sympy.Symbol("x")
    wrong_slope = sympy.sympify(slope_part["answer"]) + 5
    consistent_line = f"y = {sympy.expand(f.subs(x, sympy.sympify(x0)) + wrong_slope * (x - sympy.sympify(x0)))}".replace("**", "^")
    gd = next(p for p in parts.values() if p["ask"] == "gd_step")
    gradient_value = parts[gd["depends_on"][0]]
    wrong_gradient = sympy.sympify(gradient_value["answer"]) + 1
    w0, lr = sympy.sympify(gd["args"]["at"]["w"]), sympy.sympify(gd["args"]["lr"])
    answers = {slope_part["id"]: str(wrong_slope), tangent["id"]: consistent_line,
               gradient_value["id"]: str(wrong_gradient), gd["id"]: str(w0 - lr * wrong_gradient)}
    submissions = tmp_path / "answers.jsonl"
    submissions.write_text(json.dumps({"student": version["student"]["id"], "version": version["version"], "answers": answers}) + "\n", encoding="utf-8")
    book = grade(generated / "key.json", submissions)
    results = book.rows[0].results
    assert results[slope_part["id"]].verdict == "incorrect"
    assert results[tangent["id"]].ecf and results[tangent["id"]].verdict == "correct", results[tangent["id"]]
    assert "follows from your answer" in results[tangent["id"]].message
    assert results[gd["id"]].ecf, results[gd["id"]]
    # an answer inconsistent with the earlier one gets no ECF credit
    submissions.write_text(json.dumps({"student": version["student"]["id"], "version": version["version"],
                                       "answers": {**answers, tangent["id"]: "y = 100x"}}) + "\n", encoding="utf-8")
    assert not grade(generated / "key.json", submissions).rows[0].results[tangent["id"]].ecf


def test_identical_answers_are_decided_once_and_workers_do_not_change_results(generated: Path, tmp_path: Path) -> None:
    key = _key(generated)
    header = ["student", "version"] + list(_parts(key["versions"][0]))
    rows = [[v["student"]["id"], v["version"]] + ["x"] * (len(header) - 2) for v in key["versions"]]
    submissions = tmp_path / "same.csv"
    _write_csv(submissions, header, rows)
    out_one, out_two = tmp_path / "one", tmp_path / "two"
    one = grade_to_folder(generated / "key.json", submissions, out_one, workers=1)
    two = grade_to_folder(generated / "key.json", submissions, out_two, workers=2)
    assert one.checks < one.answers and two.checks < two.answers
    for name in ("grades.csv", "results.jsonl", "item_analysis.csv", "item_analysis.html"):
        assert (out_one / name).read_bytes() == (out_two / name).read_bytes(), name
    pages = sorted(p.name for p in (out_one / "feedback").iterdir())
    assert pages == sorted(p.name for p in (out_two / "feedback").iterdir()) and pages
    for page in pages:
        assert (out_one / "feedback" / page).read_bytes() == (out_two / "feedback" / page).read_bytes(), page


def test_untidy_files_are_reported_not_dropped(generated: Path, tmp_path: Path) -> None:
    key = _key(generated)
    first = key["versions"][0]
    path = tmp_path / "untidy.csv"
    path.write_text(
        "Student,VERSION,1a\n"
        f"{first['student']['id']},{first['version']},2x\n"
        f"{first['student']['id']},{first['version']},3x\n"
        "nobody,V999,1\n"
        ",,\n",
        encoding="utf-8",
    )
    book = grade(generated / "key.json", path)
    assert len(book.rows) == 3
    issues = " | ".join(book.file.issues)
    assert "unknown version 'V999'" in issues and "also on row" in issues and "missing part columns" in issues
    grade_to_folder(generated / "key.json", path, tmp_path / "out")
    grades = list(csv.reader((tmp_path / "out" / "grades.csv").open(encoding="utf-8")))
    assert len(grades) == 4 and "unknown version" in grades[-1][-1]


def test_binary_submissions_are_refused(generated: Path, tmp_path: Path) -> None:
    path = tmp_path / "answers.xlsx"
    path.write_bytes(b"PK\x03\x04\x00\x00\x00binary")
    result = CliRunner().invoke(main, ["grade", str(generated / "key.json"), str(path), "--out", str(tmp_path / "g")])
    assert result.exit_code == 1 and "not a text file" in result.output


_REAL_GRADE_ANSWER = batch.grade_answer


def _fragile_grade_answer(part, text, seconds, progress=None):
    """grade_answer, but a worker dies on "crash me" and hangs past every limit on "hang me". At
    module level, so that a worker started by spawn (as when another thread is alive) finds it."""
    if text == "crash me":
        os.kill(os.getpid(), signal.SIGKILL)  # a worker dies mid-batch
    if text == "hang me":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # beyond the engine's own limit
        while True:
            pass
    return _REAL_GRADE_ANSWER(part, text, seconds, progress)


def test_a_crashing_or_hanging_worker_costs_only_its_own_answer(generated: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(batch, "grade_answer", _fragile_grade_answer)
    key = _key(generated)
    header = ["student", "version"] + list(_parts(key["versions"][0]))
    rows = []
    for v in key["versions"] * 15:
        rows.append([v["student"]["id"], v["version"]] + [f"x + {len(rows)}"] * (len(header) - 2))
    rows[3][2] = "crash me"
    rows[40][3] = "hang me"
    path = tmp_path / "big.csv"
    _write_csv(path, header, rows)
    started = time.monotonic()
    book = grade(generated / "key.json", path, workers=2, seconds=1)
    elapsed = time.monotonic() - started
    crashed = book.rows[3].results[header[2]]
    hung = book.rows[40].results[header[3]]
    assert crashed.verdict == "review" and hung.verdict == "review" and hung.code == "timeout", (crashed, hung)
    assert sum(len(r.results) for r in book.rows) == book.answers
    others = [r for i, row in enumerate(book.rows) for p, r in row.results.items() if (i, p) not in ((3, header[2]), (40, header[3]))]
    assert all(r.verdict in ("incorrect", "invalid", "blank") for r in others), [(i, p, r.code) for i, row in enumerate(book.rows) for p, r in row.results.items() if r.verdict == "review"]
    assert elapsed < 15, f"a hung check must be noticed within its own limit, not the round's ({elapsed:.1f} s)"


def test_spreadsheet_cells_never_start_a_formula(generated: Path, tmp_path: Path) -> None:
    key = _key(generated)
    header = ["student", "version"] + list(_parts(key["versions"][0]))
    hostile = ["=HYPERLINK(\"http://x\")", "+1+cmd", "-sin(x)", "@SUM(A1)", "=1+1"]
    rows = [[v["student"]["id"], v["version"]] + [hostile[i % len(hostile)]] * (len(header) - 2) for i, v in enumerate(key["versions"])]
    path = tmp_path / "hostile.csv"
    _write_csv(path, header, rows)
    grade_to_folder(generated / "key.json", path, tmp_path / "out")
    for name in ("grades.csv", "item_analysis.csv"):
        for row in csv.reader((tmp_path / "out" / name).open(encoding="utf-8")):
            for cell in row:
                assert not cell.startswith(("=", "+", "@")), (name, cell)
                assert not cell.startswith("-") or cell.lstrip("-").replace(".", "", 1).isdigit(), (name, cell)
    # a protected cell reads back as typed: answers.csv can go through a spreadsheet and back
    rows[0][2] = "'-sin(x)"
    _write_csv(path, header, rows)
    again = grade(generated / "key.json", path)
    assert again.rows[0].results[header[2]].interpreted == "-sin(x)"
