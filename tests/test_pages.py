"""Every page exgen writes, read as its reader sees it.

* No calculator residue (``*``, ``^(``, ``_xx``, ``sqrt(``, ``e^(``): every formula on every
  worksheet, key, feedback page and item analysis is typeset, in PDF (read with pdftotext) and
  HTML (the text outside ``<math>``, outside what a student typed and outside the syntax help
  that teaches the calculator syntax), for every family at every difficulty.
* Any student's name prints: Chinese, Vietnamese, Greek, Cyrillic, accents, apostrophes.
* A failed build never destroys a good set; graded results are not overwritten silently.
* A student's version is theirs whatever the roster's order or size, and a row that claims
  another student's version is an error, not a silent grade.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from exgen.cli import main
from exgen.errors import ExgenError
from exgen.grading.reports import grade_to_folder
from exgen.problems import load_families
from exgen.worksheets.generate import generate_class_set
from exgen.worksheets.roster import Student
from exgen.worksheets.spec import SectionSpec, WorksheetSpec

HAVE_TEX = shutil.which("pdflatex") is not None and shutil.which("pdftotext") is not None
HAVE_XETEX = shutil.which("xelatex") is not None
needs_tex = pytest.mark.skipif(not HAVE_TEX and not os.environ.get("EXGEN_REQUIRE_PDF"), reason="TeX is not installed")
needs_xetex = pytest.mark.skipif(not HAVE_XETEX and not os.environ.get("EXGEN_REQUIRE_PDF"), reason="xelatex is not installed")

RESIDUE = re.compile(r"\*|\^|_[a-z]{1,2}\b|sqrt\(|exp\(|abs\(")
FAMILIES = sorted(load_families())


def _spec(difficulty: int, seed: int) -> WorksheetSpec:
    return WorksheetSpec(title="Pages", seed=seed, sections=tuple(SectionSpec(f, 1, difficulty) for f in FAMILIES))


def html_text(page: str) -> str:
    """What a reader of the page reads as text: formulas, typed answers and syntax help left out."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<math\b.*?</math>", " ", page, flags=re.S)
    page = re.sub(r"<code\b.*?</code>", " ", page, flags=re.S)  # what a student typed, and syntax examples
    page = re.sub(r'<aside class="syntax-help".*?</aside>', " ", page, flags=re.S)
    page = re.sub(r'<p class="message syntax-note">.*?</p>', " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return " ".join(page.split())


def pdf_text(path: Path) -> str:
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    # the syntax help box teaches calculator syntax: from its title to the first problem
    return re.sub(r"How to write your answers.*?(?=Problem 1\.)", " ", text, flags=re.S)


def _residue(text: str) -> list[str]:
    return [text[max(0, m.start() - 40) : m.end() + 40] for m in RESIDUE.finditer(text)]


@pytest.fixture(scope="module")
def graded_sets(tmp_path_factory) -> list[Path]:
    folders = []
    for difficulty in (1, 2, 3):
        out = tmp_path_factory.mktemp(f"d{difficulty}")
        formats = ("tex", "pdf", "html", "json") if HAVE_TEX else ("html", "json")
        students = [Student(f"s{i}", f"Student {i}") for i in range(3)]
        generate_class_set(_spec(difficulty, 40 + difficulty), out / "set", roster=students, formats=formats)
        key = json.loads((out / "set" / "key.json").read_text(encoding="utf-8"))
        rows = []
        for number, version in enumerate(key["versions"]):
            answers = {}
            for problem in version["problems"]:
                for index, part in enumerate(problem["parts"]):
                    plan = (number + index) % 3
                    if plan == 0:
                        answers[part["id"]] = part["answer"]
                    elif plan == 1 and part["mistakes"]:
                        answers[part["id"]] = part["mistakes"][0]["answer"]
                    else:
                        answers[part["id"]] = "2x + )"
            rows.append(json.dumps({"student": version["student"]["id"], "version": version["version"], "answers": answers}))
        (out / "answers.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
        grade_to_folder(out / "set" / "key.json", out / "answers.jsonl", out / "graded")
        folders.append(out)
    return folders


def test_html_pages_carry_no_calculator_syntax(graded_sets: list[Path]) -> None:
    pages = [p for out in graded_sets for p in (*(out / "set").rglob("*.html"), *(out / "graded").rglob("*.html"))]
    assert len(pages) > 20
    problems = {str(page): _residue(html_text(page.read_text(encoding="utf-8"))) for page in pages}
    assert not {page: found for page, found in problems.items() if found}


@needs_tex
def test_pdf_pages_carry_no_calculator_syntax(graded_sets: list[Path]) -> None:
    pdfs = [p for out in graded_sets for p in (out / "set").rglob("*.pdf") if p.name != "print.pdf"]
    assert len(pdfs) >= 18
    problems = {str(pdf): _residue(pdf_text(pdf)) for pdf in pdfs}
    assert not {pdf: found for pdf, found in problems.items() if found}


def test_worksheets_teach_the_syntax_of_the_answers_they_ask(graded_sets: list[Path]) -> None:
    page = next((graded_sets[1] / "set" / "worksheets").glob("*.html")).read_text(encoding="utf-8")
    help_box = re.search(r'<aside class="syntax-help".*?</aside>', page, flags=re.S)
    assert help_box is not None
    for example in ("2x e^(x^2)", "x = -1: minimum, x = 2: maximum", "&lt;2x, 2y&gt;", "y = 3x - 2", "sigma(2x + 1)", "none"):
        assert example in help_box.group(0), example
    assert 'class="answer-space answer-line"' in page and 'class="answer-space answer-box"' in page


UNICODE_STUDENTS = [
    Student("c1", "王小明"), Student("v1", "Nguyễn Thị Hương"), Student("g1", "Σοφία Παπαδοπούλου"),
    Student("r1", "Дмитрий Иванов"), Student("a1", "Zoë Ñúñez"), Student("q1", "O'Brien-Smith"), Student("p1", "Łukasz Żółć"),
]


@needs_tex
@needs_xetex
def test_pdfs_print_every_students_name(tmp_path: Path) -> None:
    spec = WorksheetSpec(title="Ünïcödé Week", seed=3, sections=(SectionSpec("tangent_line", 1, 1),))
    out = tmp_path / "out"
    generate_class_set(spec, out, roster=UNICODE_STUDENTS, formats=("pdf", "json"))
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    for version in key["versions"]:
        stem = f"{version['version']}-{version['student']['id']}"
        text = subprocess.run(["pdftotext", str(out / "worksheets" / f"{stem}.pdf"), "-"], capture_output=True, text=True, check=True).stdout
        flat = re.sub(r"\s+", "", text).replace("’", "'")
        assert re.sub(r"\s+", "", version["student"]["name"]) in flat, (version["student"]["name"], text[:300])


@needs_tex
@needs_xetex
def test_unicode_pdfs_are_reproducible(tmp_path: Path) -> None:
    spec = WorksheetSpec(title="Week", seed=3, sections=(SectionSpec("derivative_rules", 1, 1),))
    for folder in ("one", "two"):
        generate_class_set(spec, tmp_path / folder, roster=UNICODE_STUDENTS[:3], formats=("pdf",))
    assert (tmp_path / "one" / "print.pdf").read_bytes() == (tmp_path / "two" / "print.pdf").read_bytes()


@needs_tex
def test_a_failed_build_leaves_the_earlier_set_untouched(tmp_path: Path) -> None:
    spec = WorksheetSpec(title="Week", seed=3, sections=(SectionSpec("derivative_rules", 1, 1),))
    out = tmp_path / "out"
    generate_class_set(spec, out, versions=2, formats=("pdf", "json"))
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    templates = tmp_path / "broken"
    templates.mkdir()
    (templates / "worksheet.tex.j2").write_text('{% extends "default:worksheet.tex.j2" %}{% block footer %}\\undefinedexgenmacro{% endblock %}', encoding="utf-8")
    with pytest.raises(ExgenError, match="is as it was"):
        generate_class_set(spec, out, versions=2, formats=("pdf", "json"), templates=templates, force=True)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before  # key.json, answers.csv and the PDFs all still there, unchanged


def test_a_set_that_failed_midway_leaves_no_half_folder(tmp_path: Path, monkeypatch) -> None:
    from exgen.worksheets import generate as module

    spec = WorksheetSpec(title="Week", seed=3, sections=(SectionSpec("derivative_rules", 1, 1),))

    def broken(*args, **kwargs):
        raise ExgenError("simulated failure")

    monkeypatch.setattr(module, "_key_json", broken)
    out = tmp_path / "out"
    with pytest.raises(ExgenError):
        generate_class_set(spec, out, versions=2, formats=("tex", "html", "json"))
    assert not [p for p in out.iterdir()]  # nothing half-written that would block the next run
    monkeypatch.undo()
    generate_class_set(spec, out, versions=2, formats=("tex", "html", "json"))  # no --force needed


def test_graded_results_are_not_overwritten_without_force(tmp_path: Path) -> None:
    spec = WorksheetSpec(title="Week", seed=3, sections=(SectionSpec("derivative_rules", 1, 1),))
    generate_class_set(spec, tmp_path / "set", versions=1, formats=("json",))
    (tmp_path / "a.jsonl").write_text(json.dumps({"version": "V001", "answers": {"1a": "x"}}) + "\n", encoding="utf-8")
    args = ["grade", str(tmp_path / "set" / "key.json"), str(tmp_path / "a.jsonl"), "--out", str(tmp_path / "g")]
    assert CliRunner().invoke(main, args).exit_code == 0
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1 and "--force" in again.output, again.output
    assert CliRunner().invoke(main, [*args, "--force"]).exit_code == 0


def test_a_students_version_is_theirs_whatever_the_roster(tmp_path: Path) -> None:
    spec = WorksheetSpec(title="Week", seed=9, sections=(SectionSpec("tangent_line", 1, 1),))
    everyone = [Student(f"s{i}", f"Student {i}") for i in range(8)]
    generate_class_set(spec, tmp_path / "all", roster=everyone, formats=("json",))
    generate_class_set(spec, tmp_path / "fewer", roster=list(reversed(everyone[2:])), formats=("json",))

    def versions(folder: str) -> dict[str, tuple[str, object]]:
        key = json.loads((tmp_path / folder / "key.json").read_text(encoding="utf-8"))
        return {v["student"]["id"]: (v["version"], v["problems"][0]["description"]["givens"]) for v in key["versions"]}

    first, second = versions("all"), versions("fewer")
    assert all(first[student] == second[student] for student in second)
    assert len({version for version, _ in first.values()}) == len(first)


def test_a_row_with_another_students_version_is_an_error_unless_trusted(tmp_path: Path) -> None:
    spec = WorksheetSpec(title="Week", seed=9, sections=(SectionSpec("tangent_line", 1, 1),))
    students = [Student("ann", "Ann"), Student("bob", "Bob")]
    generate_class_set(spec, tmp_path / "set", roster=students, formats=("json",))
    key = json.loads((tmp_path / "set" / "key.json").read_text(encoding="utf-8"))
    ann, bob = key["versions"]
    with (tmp_path / "answers.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "version", "1a"])
        writer.writerow(["ann", bob["version"], ann["problems"][0]["parts"][0]["answer"]])  # last week's sheet of someone else
        writer.writerow(["bob", bob["version"], bob["problems"][0]["parts"][0]["answer"]])
    args = ["grade", str(tmp_path / "set" / "key.json"), str(tmp_path / "answers.csv"), "--out"]
    result = CliRunner().invoke(main, [*args, str(tmp_path / "g1")])
    assert result.exit_code == 1 and "not graded" in result.output and "--trust" in result.output, result.output
    grades = list(csv.DictReader((tmp_path / "g1" / "grades.csv").open(encoding="utf-8")))
    first_part = bob["problems"][0]["parts"][0]["points"]
    maximum = sum(p["points"] for p in bob["problems"][0]["parts"])
    assert grades[0]["total"] == "" and "made for bob" in grades[0]["notes"] and grades[1]["total"] == f"{first_part:g}"
    trusted = CliRunner().invoke(main, [*args, str(tmp_path / "g2"), "--trust", "student"])
    assert trusted.exit_code == 0, trusted.output
    grades = list(csv.DictReader((tmp_path / "g2" / "grades.csv").open(encoding="utf-8")))
    assert grades[0]["version"] == ann["version"] and grades[0]["total"] == f"{first_part:g}"  # graded against ann's own version
    assert grades[0]["name"] == "Ann" and grades[0]["percent"] == f"{round(100 * first_part / maximum, 1):g}"  # one part of three answered


def test_the_same_spec_gives_the_same_bytes_under_any_hash_seed(tmp_path: Path) -> None:
    import hashlib
    import sys

    spec = tmp_path / "spec.toml"
    spec.write_text('title = "Seeds"\nseed = 4\n[[section]]\nfamily = "lagrange"\ncount = 1\ndifficulty = 2\n'
                    '[[section]]\nfamily = "hessian"\ncount = 1\ndifficulty = 3\n'
                    '[[section]]\nfamily = "critical_points"\ncount = 1\ndifficulty = 3\nfigures = "both"\n'
                    '[[section]]\nfamily = "neural_gradients"\ncount = 1\ndifficulty = 3\n', encoding="utf-8")
    formats = "tex,pdf,html,json" if HAVE_TEX else "tex,html,json"
    digests = set()
    for seed in ("0", "4242"):
        out = tmp_path / f"out{seed}"
        subprocess.run([sys.executable, "-m", "exgen", "generate", str(spec), "--versions", "2", "--format", formats, "--out", str(out)],
                       env={**os.environ, "PYTHONHASHSEED": seed}, check=True, capture_output=True)
        h = hashlib.sha256()
        for path in sorted(p for p in out.rglob("*") if p.is_file()):
            h.update(str(path.relative_to(out)).encode() + path.read_bytes())
        digests.add(h.hexdigest())
    assert len(digests) == 1


@needs_tex
def test_pdfs_are_the_same_bytes_whatever_the_number_of_workers(tmp_path: Path) -> None:
    """PDFs come from parallel TeX runs over fixed chunks of 25 versions: with 27 versions, two
    runs; one worker or two, every PDF (and print.pdf, joined from the chunks) is the same."""
    spec = WorksheetSpec(title="Chunks", seed=5, sections=(SectionSpec("tangent_line", 1, 1),))
    digests = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        generate_class_set(spec, out, versions=27, formats=("pdf",), workers=workers)
        digests.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*.pdf")})
    assert digests[0] == digests[1] and len(digests[0]) == 55
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "w2" / "print.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    sheets = sum(1 for page in pages if "Answer key" not in page and page.strip())
    assert "Answer key" not in pages[0] and "Answer key" in pages[sheets]  # every worksheet, then every key
    assert "V001" in pages[0] and "V027" in text.split("Answer key")[0]


@needs_xetex
def test_pdfs_compiled_while_building_are_compiled_again_when_the_engine_was_foreseen_wrongly(tmp_path: Path, monkeypatch) -> None:
    """With workers, each chunk's TeX run starts as soon as its versions are built, with the
    engine foreseen from the title, the names and the language; if a version needs another (here
    forced: a Cyrillic name foreseen as pdflatex), every chunk is compiled again with the right one:
    the same bytes as one worker, which compiles after building."""
    import exgen.worksheets.generate as generate

    spec = WorksheetSpec(title="Engines", seed=5, sections=(SectionSpec("tangent_line", 1, 1),))
    roster = [Student(f"s{i:02d}", "Дмитрий Иванов" if i == 26 else f"Student {i}") for i in range(27)]
    digests = []
    for workers, foreseen in ((1, None), (2, ("pdflatex", False)), (2, None)):
        if foreseen is not None:
            monkeypatch.setattr(generate, "_expected_engine", lambda spec, plan, foreseen=foreseen: foreseen)
        else:
            monkeypatch.undo()
        out = tmp_path / f"w{workers}-{foreseen is not None}"
        generate_class_set(spec, out, roster=roster, formats=("pdf",), workers=workers)
        digests.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*.pdf")})
    assert digests[0] == digests[1] == digests[2] and len(digests[0]) == 55


@pytest.mark.parametrize("language, names, engine", [
    ("en", ["Ada Lovelace", "Zoë Ñúñez", "O'Brien & Sons"], ("pdflatex", False)),
    ("en", ["Ada Lovelace", "Σοφία Παπαδοπούλου"], ("xelatex", False)),
    ("en", ["王小明"], ("xelatex", True)),
    ("zh-CN", ["Ada Lovelace"], ("xelatex", True)),
    ("zh-CN", [], ("xelatex", True)),
    ("en", [], ("pdflatex", False)),
])
def test_the_engine_foreseen_before_building_is_the_one_the_built_set_needs(tmp_path: Path, language: str, names: list[str],
                                                                             engine: tuple[str, bool]) -> None:
    """Every family at every difficulty, figures on worksheets too: the words of the problems
    never need more than the words of the sheet (else every chunk would be compiled twice)."""
    from exgen.worksheets.generate import _build_chunk, _expected_engine, _set_engine, plan_versions

    spec = WorksheetSpec(title="Engines", seed=3, language=language, sections=tuple(
        SectionSpec(family, 1, difficulty, figures="both") for family in FAMILIES for difficulty in (1, 2, 3)))
    roster = [Student(f"s{i}", name) for i, name in enumerate(names)] or None
    plan = plan_versions(spec, roster, 2)
    built = _build_chunk((spec, plan, ("tex",), None, False, str(tmp_path), 0))
    assert _expected_engine(spec, plan) == _set_engine(spec, built) == engine


def test_keys_and_feedback_pages_show_the_figures(graded_sets: list[Path]) -> None:
    """Every family that draws a figure has it in the HTML key, in the PDF key's source and on
    the feedback page (carried in key.json); worksheets keep to text unless the spec asks."""
    drawing = {"critical_points", "tangent_line", "neural_gradients", "hessian", "lagrange"}
    for out in graded_sets:
        key = json.loads((out / "set" / "key.json").read_text(encoding="utf-8"))
        version = key["versions"][0]
        expected = sum(1 for p in version["problems"] if p["family"] in drawing and not (p["family"] == "lagrange" and p["difficulty"] == 3))
        assert sum(1 for p in version["problems"] if p.get("figure")) == expected > 0
        stem = next((out / "set" / "keys").glob("*.html")).stem
        assert (out / "set" / "keys" / f"{stem}.html").read_text(encoding="utf-8").count('<svg class="figure') == expected
        assert (out / "set" / "keys" / f"{stem}.tex").read_text(encoding="utf-8").count(r"\begin{pgfpicture}") >= expected
        assert '<svg class="figure' not in (out / "set" / "worksheets" / f"{stem}.html").read_text(encoding="utf-8")
        feedback = [p for p in (out / "graded").rglob("*.html") if version["student"]["id"] in p.name]
        assert feedback and feedback[0].read_text(encoding="utf-8").count('<svg class="figure') == expected


def _first_text_heights(pdf: Path) -> list[float]:
    """Where each page's first line of text begins, in points from the top of the page."""
    layout = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    heights = []
    for page in layout.split("<page ")[1:]:
        lines = [float(y) for y in re.findall(r'<line xMin="[^"]+" yMin="([^"]+)"', page)]
        heights.append(min(lines) if lines else float("inf"))
    return heights


@needs_tex
def test_no_worksheet_page_starts_with_an_answer_space(graded_sets: list[Path]) -> None:
    """An answer box or line stays on the page of its prompt, and a problem's heading and
    statement stay with its first part: every page of a sheet starts with text at the top
    margin (2 cm), never with an empty box whose prompt is on the page before."""
    sheets = [p for out in graded_sets for p in (out / "set" / "worksheets").glob("*.pdf")]
    assert len(sheets) >= 9
    margin = 2 / 2.54 * 72
    starts = {f"{sheet.name} page {number}": top for sheet in sheets
              for number, top in enumerate(_first_text_heights(sheet), start=1) if number > 1}
    assert len(starts) >= 18
    assert not {page: round(top, 1) for page, top in starts.items() if top > margin + 8}


def _page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


@needs_tex
def test_a_problem_starts_on_the_page_of_its_figure_and_first_part(graded_sets: list[Path]) -> None:
    """In sheets and keys a problem's heading and statement are never left at the foot of a page
    without their figure and first part, and a figure's caption is never alone at the top of
    the next page."""
    from exgen.i18n import t

    captions = [" ".join(t(f"figures.{family}.caption").split()[:3]) for family in
                ("critical_points", "tangent_line", "neural_gradients", "hessian", "lagrange")]
    pdfs = [p for out in graded_sets for folder in ("worksheets", "keys") for p in (out / "set" / folder).glob("*.pdf")]
    assert len(pdfs) >= 18
    stranded, captions_alone = [], []
    for pdf in pdfs:
        for number, page in enumerate(_page_texts(pdf), start=1):
            headings = list(re.finditer(r"Problem \d+\.", page))
            if headings and "(a)" not in page[headings[-1].end():]:
                stranded.append(f"{pdf.name} page {number}: {headings[-1].group()}")
            first = " ".join(page.split()[:3])
            if any(first.startswith(caption) for caption in captions):
                captions_alone.append(f"{pdf.name} page {number}")
    assert not stranded and not captions_alone, (stranded, captions_alone)
