"""Pages in a real browser: Debian's Chromium, driven by Playwright for Python.

A worksheet, an answer key and a feedback page are opened headless; their MathML must be laid
out as mathematics (fractions taller than a line of text, every formula a box of sane size) and nothing
may overflow its card at 1200 px. Screenshots are kept in $EXGEN_SCREENSHOTS (or the test's
temporary folder) to be looked at. Without Chromium the tests skip, except where
EXGEN_REQUIRE_BROWSER is set (CI installs Chromium).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from exgen.grading.reports import grade_to_folder
from exgen.problems import load_families
from exgen.worksheets.generate import generate_class_set
from exgen.worksheets.roster import Student
from exgen.worksheets.spec import SectionSpec, WorksheetSpec

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("EXGEN_REQUIRE_BROWSER"),
    reason="Chromium is not installed (CI installs Debian's chromium and sets EXGEN_REQUIRE_BROWSER)",
)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

MEASURE = """() => {
  const boxes = [...document.querySelectorAll('math')].map(m => {
    const r = m.getBoundingClientRect();
    return {w: r.width, h: r.height, block: m.getAttribute('display') === 'block', text: m.textContent.slice(0, 60)};
  });
  const fractions = [...document.querySelectorAll('mfrac')].map(f => {
    const r = f.getBoundingClientRect();
    return r.height / parseFloat(getComputedStyle(f).fontSize);
  });
  const overflow = [];
  for (const card of document.querySelectorAll('.sheet')) {
    const c = card.getBoundingClientRect();
    for (const el of card.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width && (r.right > c.right + 1 || r.left < c.left - 1)) overflow.push(el.tagName + ': ' + el.textContent.slice(0, 60));
    }
  }
  return {boxes, fractions, overflow, scrollWidth: document.documentElement.scrollWidth};
}"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("browser")
    spec = WorksheetSpec(title="In a browser", seed=12, sections=tuple(SectionSpec(f, 1, 2) for f in sorted(load_families())))
    generate_class_set(spec, out / "set", roster=[Student("s1", "Ada Lovelace"), Student("s2", "王小明")], formats=("html", "json"))
    key = json.loads((out / "set" / "key.json").read_text(encoding="utf-8"))
    version = key["versions"][0]
    answers = {}
    for problem in version["problems"]:
        for index, part in enumerate(problem["parts"]):
            answers[part["id"]] = part["mistakes"][0]["answer"] if index % 2 and part["mistakes"] else part["answer"]
    (out / "a.jsonl").write_text(json.dumps({"student": "s1", "version": version["version"], "answers": answers}) + "\n", encoding="utf-8")
    grade_to_folder(out / "set" / "key.json", out / "a.jsonl", out / "graded")
    stem = f"{version['version']}-s1"
    return {
        "worksheet": out / "set" / "worksheets" / f"{stem}.html",
        "key": out / "set" / "keys" / f"{stem}.html",
        "feedback": out / "graded" / "feedback" / f"{stem}.html",
        "item_analysis": out / "graded" / "item_analysis.html",
    }


def test_pages_render_their_mathematics_and_fit_their_cards(pages: dict[str, Path], tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    shots = Path(os.environ.get("EXGEN_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            for name, path in pages.items():
                page.goto(path.as_uri())
                found = page.evaluate(MEASURE)
                page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
                boxes = found["boxes"]
                assert boxes, name
                for box in boxes:
                    assert box["w"] > 1 and box["h"] > 5, (name, box)  # every formula laid out
                    assert box["h"] < (600 if box["block"] else 120), (name, box)  # and of sane height
                if name != "item_analysis":
                    assert found["fractions"] and all(f > 1.15 for f in found["fractions"]), (name, found["fractions"][:5])
                assert not found["overflow"], (name, found["overflow"][:5])
                assert found["scrollWidth"] <= 1200, (name, found["scrollWidth"])
        finally:
            browser.close()
