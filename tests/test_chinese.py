"""中文 (zh-CN): whole sheets, keys, feedback and answer pages in Simplified Chinese, and answers
typed on a Chinese keyboard."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from exgen.answers.check import check
from exgen.answers.lexer import fold_wide
from exgen.cli import main
from exgen.grading.batch import grade
from exgen.grading.reports import grade_to_folder
from exgen.problems import load_families
from exgen.worksheets.generate import generate_class_set
from exgen.worksheets.roster import Student
from exgen.worksheets.spec import SectionSpec, WorksheetSpec

# Words allowed in Chinese pages: the sigmoid's name (Chinese texts write "sigmoid 函数") and
# what students type (shown as code, removed before counting).
ALLOWED = {"sigmoid", "Sigmoid", "sigma"}
ROSTER = [Student("s01", "王小明"), Student("s02", "李华")]


class _Prose(HTMLParser):
    """The text of a page outside mathematics, code and styles."""

    SKIP = {"math", "code", "style", "script", "title"}

    def __init__(self) -> None:
        super().__init__()
        self.skipping = 0
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.skipping += tag in self.SKIP

    def handle_endtag(self, tag) -> None:
        self.skipping -= tag in self.SKIP

    def handle_data(self, data) -> None:
        if not self.skipping:
            self.text.append(data)


def english_words(page: str, allowed: set[str]) -> set[str]:
    parser = _Prose()
    parser.feed(page)
    return {w for w in re.findall(r"[A-Za-z]{2,}", " ".join(parser.text)) if w not in allowed}


@pytest.fixture(scope="module")
def chinese_set(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("zh") / "set"
    sections = tuple(SectionSpec(family, 1, level) for family in sorted(load_families()) for level in (1, 2, 3))
    spec = WorksheetSpec(title="第三周：神经网络背后的微积分", seed=31, language="zh-CN", sections=sections,
                         instructions="写出解题过程。")
    generate_class_set(spec, out, roster=ROSTER, formats=("html", "json"))
    return out


def _version_ids(folder: Path) -> set[str]:
    """Version ids and their letter runs (V7JDXS7 → V, JDXS): names, not English."""
    ids = {v["version"] for v in json.loads((folder / "key.json").read_text(encoding="utf-8"))["versions"]}
    return ids | {run for version in ids for run in re.findall(r"[A-Za-z]+", version)}


def test_sheets_and_keys_have_no_english_words(chinese_set: Path) -> None:
    allowed = ALLOWED | _version_ids(chinese_set)
    pages = sorted((chinese_set / "worksheets").glob("*.html")) + sorted((chinese_set / "keys").glob("*.html"))
    assert len(pages) == 4
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert '<html lang="zh-CN"' in text
        assert not english_words(text, allowed), (page.name, sorted(english_words(text, allowed))[:20])
    key = json.loads((chinese_set / "key.json").read_text(encoding="utf-8"))
    assert key["spec"]["language"] == "zh-CN"


def test_feedback_in_chinese_only(chinese_set: Path, tmp_path: Path) -> None:
    key = json.loads((chinese_set / "key.json").read_text(encoding="utf-8"))
    header = (chinese_set / "answers.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    rows = []
    for index, version in enumerate(key["versions"]):
        parts = {p["id"]: p for problem in version["problems"] for p in problem["parts"]}
        answers = []
        for column in header[3:]:
            part = parts[column]
            choice = (index + len(answers)) % 4
            answers.append([part["answer"], part["mistakes"][0]["answer"] if part["mistakes"] else "1", "(x+1", ""][choice])
        rows.append([version["student"]["id"], version["student"]["name"], version["version"], *answers])
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    (tmp_path / "answers.csv").write_text(buffer.getvalue(), encoding="utf-8")
    book = grade(chinese_set / "key.json", tmp_path / "answers.csv", workers=1)
    grade_to_folder(chinese_set / "key.json", tmp_path / "answers.csv", tmp_path / "graded", formats=("html", "csv"))
    allowed = ALLOWED | _version_ids(chinese_set)
    pages = sorted((tmp_path / "graded" / "feedback").glob("*.html")) + [tmp_path / "graded" / "item_analysis.html"]
    verdicts = {r.verdict for row in book.rows for r in row.results.values()}
    assert {"correct", "incorrect", "invalid", "blank"} <= verdicts
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not english_words(text, allowed), (page.name, sorted(english_words(text, allowed))[:20])
    messages = {r.message for row in book.rows for r in row.results.values()}
    assert all(re.search(r"[\u4e00-\u9fff]", m) for m in messages), [m for m in messages if not re.search(r"[\u4e00-\u9fff]", m)]


@pytest.mark.parametrize("typed, expected, kind, variables", [
    ("２ｘ＋１", "2x+1", "expression", "x"),
    ("（ｘ＋１）^２", "(x+1)^2", "expression", "x"),
    ("２·ｘ × ３", "6x", "expression", "x"),
    ("（０，０），（２，－４）", "(0,0),(2,-4)", "points", "x,y"),
    ("（０，０）；（２，－４）。", "(0,0),(2,-4)", "points", "x,y"),
    ("－１、０、２", "-1,0,2", "points", "x"),
    ("ｘ＝－１：极小值，ｘ＝２：极大值", "x = -1: minimum, x = 2: maximum", "classified_points", "x"),
    ("（１，１） 极小，（０，０） 鞍点。", "(1, 1): minimum, (0, 0): saddle", "classified_points", "x,y"),
    ("都不是", "neither", "label", ""),
    ("既不是极大值也不是极小值", "neither", "label", ""),
    ("极小值", "minimum", "label", ""),
])
def test_answers_typed_on_a_chinese_keyboard(typed: str, expected: str, kind: str, variables: str) -> None:
    verdict = check(expected, typed, kind=kind, vars=variables or None, locale="zh-CN")
    assert verdict.correct, (typed, verdict.message)
    if typed != fold_wide(typed):
        assert any("全角" in w for w in verdict.warnings), verdict.warnings


def test_folding_keeps_positions_so_messages_point_at_the_right_character() -> None:
    assert fold_wide("２ｘ＋＋１") == "2x++1"
    verdict = check("2x+1", "２ｘ＋＊１", locale="zh-CN")
    assert verdict.verdict == "invalid" and verdict.error is not None and verdict.error.position == 3  # the ＊
    assert "第 4 个字符" in verdict.message


def test_english_sheets_do_not_take_chinese_labels_but_chinese_sheets_take_english_ones() -> None:
    assert not check("minimum", "极小值", kind="label").correct
    assert check("minimum", "local min", kind="label", locale="zh-CN").correct


def test_lang_on_the_command_line(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "set"
    result = runner.invoke(main, ["generate", "--topic", "hessian", "-n", "1", "-d", "2", "--versions", "1", "--lang", "zh-cn",
                                  "--out", str(out), "--format", "html,json"])
    assert result.exit_code == 0, result.output
    page = next((out / "worksheets").glob("*.html")).read_text(encoding="utf-8")
    assert "二元函数的临界点" in page and "鞍点" in page
    refused = runner.invoke(main, ["generate", "--topic", "hessian", "--lang", "tlh", "--out", str(tmp_path / "x")])
    assert refused.exit_code == 2 and "zh-CN" in refused.output
    checked = runner.invoke(main, ["check", "--lang", "zh-CN", "2x", "x +* x"])
    assert checked.exit_code == 1 and "第 4 个字符" in checked.output


def test_the_answer_page_speaks_chinese(chinese_set: Path, tmp_path: Path) -> None:
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    from exgen.serve.app import create_app
    from exgen.serve.pages import Settings
    from exgen.serve.setup import open_set
    from tests.serve_support import form_token

    folder = tmp_path / "set"
    shutil.copytree(chinese_set, folder)
    state = open_set(folder, None, Settings(), workers=1)
    version = next(iter(state.key.versions.values()))
    token = state.signer.token(version.version)
    with TestClient(create_app(state)) as client:
        page = client.get(f"/s/{token}").text
        assert '<html lang="zh-CN"' in page and "你对 (a) 的答案" in page
        assert not english_words(page, ALLOWED | _version_ids(folder) | {"JavaScript"})
        preview = client.post(f"/s/{token}/preview", json={"part": "1a", "text": "２ｘ＋"}).json()
        assert preview["state"] == "error" and "缺少" in preview["html"]
        good = form_token(page)
        part = next(p for p in version.parts.values() if p.kind == "expression")
        reply = client.post(f"/s/{token}/answer", json={"part": part.id, "text": part.answer, "action": "check"},
                            headers={"x-exgen-form": good}).json()
        assert "正确" in reply["status"] and "Correct" not in reply["status"]


@pytest.mark.skipif(shutil.which("xelatex") is None and not os.environ.get("EXGEN_REQUIRE_PDF"), reason="xelatex is not installed")
def test_chinese_pdf_text_has_no_english_prose(tmp_path: Path) -> None:
    sections = tuple(SectionSpec(family, 1, 2) for family in sorted(load_families()))
    spec = WorksheetSpec(title="第三周", seed=3, language="zh-CN", sections=sections)
    generate_class_set(spec, tmp_path / "set", roster=ROSTER[:1], formats=("pdf", "json"))
    pdfs = sorted((tmp_path / "set").rglob("*.pdf"))
    assert pdfs
    allowed = ALLOWED | _version_ids(tmp_path / "set")
    # mathematics in a PDF's text: function names and letters run together (fxx, wx, ln, sin …)
    math_words = re.compile(r"^(?:[a-zA-Z]{1,4}|ln|sin|cos|tan|sec|tanh|sqrt|abs|exp|sigma|dx|nxn|xye|xey|xex)$")
    for pdf in pdfs:
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "第 1 题" in text or "答案" in text
        words = {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in allowed and not math_words.match(w)}
        assert not words, (pdf.name, sorted(words))
