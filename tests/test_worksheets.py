"""Worksheets end to end: specs, rosters, every output file, escaping, templates, determinism."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from exgen.answers.check import check
from exgen.cli import main
from exgen.errors import ExgenError, InputFileError
from exgen.problems.base import student_seed
from exgen.problems.derive import derive
from exgen.worksheets.generate import generate_class_set, version_id
from exgen.worksheets.roster import read_roster
from exgen.worksheets.spec import WorksheetSpec, load_spec

HAVE_TEX = shutil.which("pdflatex") is not None
needs_tex = pytest.mark.skipif(
    not HAVE_TEX and not os.environ.get("EXGEN_REQUIRE_PDF"),
    reason="pdflatex is not installed (CI installs it and sets EXGEN_REQUIRE_PDF)",
)

SPEC = """
title = "Week 3: derivatives"
course = "ML 101"
date = 2026-12-01
instructions = "Show your work."
seed = 2026

[[section]]
family = "derivative_rules"
count = 2
difficulty = 1

[[section]]
family = "critical_points"
count = 1
difficulty = 2
title = "Critical points"
"""
ROSTER = "\ufeffStudent ID;Full name;Email\ns001;O'Brien & Sons;a@b\ns002;Zoë Ñúñez;c@d\ns003;50% Max_Power #1;e@f\n\n"


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    path = tmp_path / "sheet.toml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture
def roster_file(tmp_path: Path) -> Path:
    path = tmp_path / "class.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return path


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- specs and rosters --------------------------------------------------------------------------


def test_spec_reads_every_field(spec_file: Path) -> None:
    spec = load_spec(spec_file)
    assert spec.title == "Week 3: derivatives" and spec.course == "ML 101" and spec.date == "2026-12-01"
    assert spec.seed == 2026 and spec.problem_count == 3
    assert spec.sections[1].title == "Critical points"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('titel = "x"\n[[section]]\nfamily = "hessian"', "did you mean 'title'"),
        ('[[section]]\nfamily = "hesian"', "did you mean 'hessian'"),
        ('[[section]]\nfamily = "hessian"\ndifficulty = 4', "difficulty must be 1, 2 or 3"),
        ('title = "x"', "at least one [[section]]"),
        ('title = "x', "not valid TOML"),
    ],
)
def test_spec_errors_are_clear(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_spec(path)


def test_roster_tolerates_bom_semicolons_and_header_spellings(roster_file: Path) -> None:
    students = read_roster(roster_file)
    assert [s.id for s in students] == ["s001", "s002", "s003"]
    assert students[1].name == "Zoë Ñúñez"


def test_roster_first_and_last_name_columns(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("id,First name,Last name\n7,Ada,Lovelace\n", encoding="utf-8")
    assert read_roster(path)[0].name == "Ada Lovelace"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name\nAda\n", "no student id column"),
        (b"id,name\n1,A\n1,B\n", "appears twice"),
        (b"PK\x03\x04\x00\x00binary", "not a text file"),
        (b"id,name\n,A\n", "student id is empty"),
    ],
)
def test_roster_errors(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=message):
        read_roster(path)


# -- generation -------------------------------------------------------------------------------


def _stems(out: Path) -> list[str]:
    """File stems of the versions in key.json order (version id, then student id)."""
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    return [v["version"] + (f"-{v['student']['id']}" if v["student"] else "") for v in key["versions"]]


def test_generate_writes_everything_and_the_key_matches(spec_file: Path, roster_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("generate", str(spec_file), "--roster", str(roster_file), "--format", "tex,html,json", "--out", str(out), "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "Wrote 3 version(s) x 3 problem(s)" in result.output
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    assert [v["student"]["id"] for v in key["versions"]] == ["s001", "s002", "s003"]
    ids = [v["version"] for v in key["versions"]]
    assert ids == [version_id(student_seed(load_spec(spec_file).seed, s)) for s in ("s001", "s002", "s003")]
    for stem in (f"{vid}-s00{i}" for i, vid in enumerate(ids, start=1)):
        for folder in ("worksheets", "keys"):
            for ext in ("tex", "html"):
                assert (out / folder / f"{stem}.{ext}").is_file()
    assert (out / "print.tex").is_file() and (out / "print.html").is_file()
    # every key re-derives from its description alone and is accepted by the engine
    for version in key["versions"]:
        for problem in version["problems"]:
            description = problem["description"]
            for part, described in zip(problem["parts"], description["parts"]):
                derived = derive(described["ask"], described["args"], description["givens"])
                assert derived is not None
                verdict = check(part["answer"], part["answer"], kind=part["kind"], vars=part["variables"] or None,
                                functions=part["functions"], choices=part["choices"])
                assert verdict.correct, (part["id"], verdict)
    rows = list(csv.reader((out / "answers.csv").open(encoding="utf-8")))
    assert rows[0][:3] == ["student", "name", "version"] and "1a" in rows[0] and "3b" in rows[0]
    assert [r[0] for r in rows[1:]] == ["s001", "s002", "s003"] and [r[2] for r in rows[1:]] == ids
    assert all(cell == "" for r in rows[1:] for cell in r[3:])


def test_html_is_valid_offline_and_accessible(spec_file: Path, tmp_path: Path) -> None:
    html5lib = pytest.importorskip("html5lib")
    out = tmp_path / "out"
    generate_class_set(load_spec(spec_file), out, versions=2, formats=("html",))
    for path in [out / "worksheets" / "V001.html", out / "keys" / "V001.html", out / "print.html"]:
        text = path.read_text(encoding="utf-8")
        html5lib.HTMLParser(strict=True).parse(text)  # raises on any parse error
        assert '<html lang="en">' in text and "<h1" in text and "<h2" in text and "<math" in text
        assert "@media print" in text
        assert "http" not in text.replace("http://www.w3.org/1998/Math/MathML", "")  # no CDN, no remote assets
    key_html = (out / "keys" / "V001.html").read_text(encoding="utf-8")
    assert "<ol class=\"steps\">" in key_html  # worked solutions, step by step


def test_the_rendered_key_matches_key_json(spec_file: Path, tmp_path: Path) -> None:
    import html
    import re

    out = tmp_path / "out"
    generate_class_set(load_spec(spec_file), out, versions=2, formats=("html", "json"))
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    for version in key["versions"]:
        page = (out / "keys" / f"{version['version']}.html").read_text(encoding="utf-8")
        shown = {part: html.unescape(value) for part, value in re.findall(r'data-part="([^"]+)" data-key="([^"]*)"', page)}
        expected = {p["id"]: p["answer"] for problem in version["problems"] for p in problem["parts"]}
        assert shown == expected


def test_user_text_is_escaped_in_latex(spec_file: Path, roster_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    spec = load_spec(spec_file)
    generate_class_set(WorksheetSpec(**{**spec.__dict__, "title": "Über 50% & #1_x"}), out, roster=read_roster(roster_file), formats=("tex",))
    stems = _stems(out)
    text = (out / "worksheets" / f"{stems[0]}.tex").read_text(encoding="utf-8")
    assert r"O'Brien \& Sons" in text and r"Über 50\% \& \#1\_x" in text
    assert r"50\% Max\_Power \#1" in (out / "worksheets" / f"{stems[2]}.tex").read_text(encoding="utf-8")


def test_existing_output_is_not_overwritten_without_force(spec_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("generate", str(spec_file), "--format", "json", "--out", str(out)).exit_code == 0
    again = run("generate", str(spec_file), "--format", "json", "--out", str(out))
    assert again.exit_code == 1 and "--force" in again.output, again.output
    forced = run("generate", str(spec_file), "--format", "json", "--out", str(out), "--force")
    assert forced.exit_code == 0, forced.output


def test_quick_options_and_sample(tmp_path: Path) -> None:
    result = run("generate", "--topic", "lagrange", "--topic", "hessian", "-n", "2", "-d", "2", "--versions", "2",
                 "--format", "json", "--out", str(tmp_path / "q"))
    assert result.exit_code == 0, result.output
    key = json.loads((tmp_path / "q" / "key.json").read_text(encoding="utf-8"))
    assert [p["family"] for p in key["versions"][0]["problems"]] == ["lagrange", "lagrange", "hessian", "hessian"]
    sample = run("generate", "--format", "json", "--out", str(tmp_path / "s"))
    assert sample.exit_code == 0, sample.output
    families = {p["family"] for p in json.loads((tmp_path / "s" / "key.json").read_text())["versions"][0]["problems"]}
    assert len(families) == 8


def test_verified_generation_gives_the_same_sheets(spec_file: Path, tmp_path: Path) -> None:
    spec = load_spec(spec_file)
    generate_class_set(spec, tmp_path / "plain", versions=2, formats=("json",))
    result = run("generate", str(spec_file), "--versions", "2", "--format", "json", "--out", str(tmp_path / "checked"), "--verify")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "plain" / "key.json").read_bytes() == (tmp_path / "checked" / "key.json").read_bytes()


def test_usage_errors(tmp_path: Path, roster_file: Path) -> None:
    assert run("generate", "--format", "docx", "--out", str(tmp_path / "a")).exit_code == 2
    assert run("generate", "--topic", "nope", "--out", str(tmp_path / "b")).exit_code == 2
    assert run("generate", "--roster", str(roster_file), "--versions", "3", "--out", str(tmp_path / "c")).exit_code == 2


def test_user_template_extends_the_default(spec_file: Path, tmp_path: Path) -> None:
    templates = tmp_path / "mine"
    templates.mkdir()
    (templates / "worksheet.html.j2").write_text(
        '{% extends "default:worksheet.html.j2" %}{% block header %}<header><h1 id="{{ sheet.anchor }}-title">Custom {{ sheet.title }}</h1></header>{% endblock %}',
        encoding="utf-8",
    )
    (templates / "worksheet.tex.j2").write_text(
        '{% extends "default:worksheet.tex.j2" %}{% block footer %}\\par Good luck, {{ sheet.version }}!{% endblock %}', encoding="utf-8"
    )
    out = tmp_path / "out"
    generate_class_set(load_spec(spec_file), out, formats=("tex", "html"), templates=templates)
    assert "<h1 id=\"V001-worksheet-title\">Custom Week 3" in (out / "worksheets" / "V001.html").read_text(encoding="utf-8")
    assert "Good luck, V001!" in (out / "worksheets" / "V001.tex").read_text(encoding="utf-8")
    assert "Good luck" not in (out / "keys" / "V001.tex").read_text(encoding="utf-8")


def test_same_seed_same_bytes(spec_file: Path, tmp_path: Path) -> None:
    spec = load_spec(spec_file)
    first, second = tmp_path / "one", tmp_path / "two"
    generate_class_set(spec, first, versions=3, formats=("tex", "html", "json"), workers=1)
    generate_class_set(spec, second, versions=3, formats=("tex", "html", "json"), workers=2)
    assert tree_digest(first) == tree_digest(second)


def test_pdf_without_tex_names_what_to_install(spec_file: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ExgenError, match="texlive-latex-recommended"):
        generate_class_set(load_spec(spec_file), tmp_path / "out", formats=("pdf",))


# -- PDF ---------------------------------------------------------------------------------------


@needs_tex
def test_pdfs_contain_names_and_statements(spec_file: Path, roster_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = generate_class_set(load_spec(spec_file), out, roster=read_roster(roster_file), formats=("pdf", "json"))
    assert "print.pdf" in result.files
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    for version in key["versions"]:
        stem = f"{version['version']}-{version['student']['id']}"
        text = subprocess.run(["pdftotext", "-layout", str(out / "worksheets" / f"{stem}.pdf"), "-"], capture_output=True, text=True, check=True).stdout
        text = text.replace("’", "'")  # LaTeX typesets ' as a closing quote
        assert version["student"]["name"] in text, text[:500]
        assert version["version"] in text and "Week 3: derivatives" in text
        assert "Problem 3" in text and "Find every critical point" in text
        key_text = subprocess.run(["pdftotext", str(out / "keys" / f"{stem}.pdf"), "-"], capture_output=True, text=True, check=True).stdout
        assert "Answer key" in key_text and "Answer:" in key_text
    assert not (out / "print.tex").exists()  # only asked for pdf and json


@needs_tex
def test_print_pdf_is_every_worksheet_then_every_key(spec_file: Path, tmp_path: Path) -> None:
    """print.pdf, written a page at a time across two TeX chunks: its pages are the sheets' pages
    in order (the same text page for page), and qpdf finds nothing wrong with it."""
    import pikepdf

    out = tmp_path / "out"
    generate_class_set(load_spec(spec_file), out, versions=30, formats=("pdf",), workers=2)  # 2 chunks of 25 and 5

    def pages_text(path: Path) -> list[str]:
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        return text.split("\f")[:-1]

    sheets = [out / "worksheets" / f"V{i:03d}.pdf" for i in range(1, 31)] + [out / "keys" / f"V{i:03d}.pdf" for i in range(1, 31)]
    expected = [page for sheet in sheets for page in pages_text(sheet)]
    assert pages_text(out / "print.pdf") == expected
    with pikepdf.open(out / "print.pdf") as whole:
        assert whole.check_pdf_syntax() == [] and len(whole.pages) == len(expected)
        assert str(whole.docinfo["/Producer"]) == "exgen"
        assert all("/MediaBox" in page.obj and "/Resources" in page.obj for page in whole.pages)  # nothing left to inherit


def test_print_pdf_references_are_renumbered_outside_strings_and_names() -> None:
    from exgen.rendering.pdf import _renumbered

    new: dict[tuple[int, int], int] = {}
    syntax = b"<< /F12 7 0 R /T (12 0 R) /H <3132> /K [ 1 0 R 7 0 R ] /M [ 0 0 612 792 ] /S (a(b 3 0 R)c) /E (\\( 4 0 R) >>"
    renumbered = _renumbered(syntax, lambda ref: new.setdefault(ref, 100 + len(new)))
    assert renumbered == b"<< /F12 100 0 R /T (12 0 R) /H <3132> /K [ 101 0 R 100 0 R ] /M [ 0 0 612 792 ] /S (a(b 3 0 R)c) /E (\\( 4 0 R) >>"
    assert new == {(7, 0): 100, (1, 0): 101}


@needs_tex
def test_pdfs_are_reproducible(spec_file: Path, tmp_path: Path) -> None:
    spec = load_spec(spec_file)
    generate_class_set(spec, tmp_path / "one", versions=2, formats=("pdf",))
    generate_class_set(spec, tmp_path / "two", versions=2, formats=("pdf",))
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")


@needs_tex
def test_latex_failure_shows_the_log_and_writes_no_pdf(spec_file: Path, tmp_path: Path) -> None:
    templates = tmp_path / "broken"
    templates.mkdir()
    (templates / "worksheet.tex.j2").write_text('{% extends "default:worksheet.tex.j2" %}{% block footer %}\\undefinedexgenmacro{% endblock %}', encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(ExgenError) as error:
        generate_class_set(load_spec(spec_file), out, formats=("pdf",), templates=templates)
    assert "Undefined control sequence" in str(error.value) and "undefinedexgenmacro" in str(error.value)
    assert not list(out.rglob("*.pdf"))


def test_every_catalog_character_can_be_typeset_by_pdflatex() -> None:
    from exgen.i18n import catalog
    from exgen.rendering.text import SUBSCRIPTS, SUPERSCRIPTS, UNICODE_LATEX, UNICODE_TEXT

    handled = set(UNICODE_LATEX) | set(UNICODE_TEXT) | set(SUPERSCRIPTS) | set(SUBSCRIPTS)
    latin1_letters = {chr(c) for c in range(0xC0, 0x100)} - {"×", "÷"}
    for key, value in catalog().items():
        for item in value if isinstance(value, list) else [value]:
            for char in str(item):
                assert ord(char) < 128 or char in handled or char in latin1_letters, (key, char, hex(ord(char)))


@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_an_english_sheet_needs_no_unicode_engine(difficulty: int) -> None:
    """Every family's sheet and key (with figures) is plain pdflatex input: a raw ŷ or − in the
    LaTeX would switch the whole class set to xelatex, several times slower."""
    from exgen.problems import load_families
    from exgen.problems.base import FAMILIES, generate
    from exgen.rendering.document import draw_figure, typeset_problem
    from exgen.rendering.pdf import engine_for

    load_families()
    for family in sorted(FAMILIES):
        for seed in range(6):
            problem = generate(family, difficulty, seed)
            typeset = typeset_problem(problem, 1, "tex", drawn=draw_figure(problem))
            source = "\n".join([typeset.statement, str(typeset.figure or ""), str(typeset.figure_caption or "")]
                               + [str(value) for part in typeset.parts for value in vars(part).values()])
            assert engine_for(source) == ("pdflatex", False), (family, seed, sorted({c for c in source if ord(c) > 255}))


def test_templates_are_compiled_once_and_a_damaged_entry_is_compiled_again(tmp_path: Path, monkeypatch) -> None:
    from jinja2 import DictLoader, Environment

    from exgen.rendering.templates import _CompiledTemplates

    cache = _CompiledTemplates(str(tmp_path))
    source = {"page.html": "<p>{{ x }}</p>"}
    assert Environment(loader=DictLoader(source), bytecode_cache=cache).get_template("page.html").render(x=1) == "<p>1</p>"
    (entry,) = list(tmp_path.iterdir())
    compiled = []
    original = Environment.compile

    def counted(self, *args, **kwargs):
        compiled.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Environment, "compile", counted)
    assert Environment(loader=DictLoader(source), bytecode_cache=cache).get_template("page.html").render(x=2) == "<p>2</p>"
    assert compiled == []  # read from the cache
    entry.write_bytes(entry.read_bytes()[:40])  # cut short, as a full disk might leave it
    assert Environment(loader=DictLoader(source), bytecode_cache=cache).get_template("page.html").render(x=3) == "<p>3</p>"
    assert compiled == [1]
    changed = {"page.html": "<b>{{ x }}</b>"}  # an edited template is never served stale
    assert Environment(loader=DictLoader(changed), bytecode_cache=cache).get_template("page.html").render(x=4) == "<b>4</b>"


def test_what_a_machine_remembers_is_kept_in_a_folder_only_this_user_can_use(tmp_path: Path, monkeypatch) -> None:
    """Compiled templates and key digests live in a folder of the user's own; one that another
    user could write to (or a link in its place) is not used: templates are compiled each time."""
    import os
    import tempfile

    from exgen.private_folder import private_folder
    from exgen.rendering.templates import compiled_templates

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    folder = private_folder("templates")
    assert folder is not None and folder.parent == tmp_path and folder.stat().st_mode & 0o777 == 0o700
    assert compiled_templates.__wrapped__().directory == str(folder)
    os.chmod(folder, 0o777)
    assert private_folder("templates") is None and compiled_templates.__wrapped__() is None
    os.rmdir(folder)
    os.symlink(tmp_path / "elsewhere", folder)
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    assert private_folder("templates") is None
