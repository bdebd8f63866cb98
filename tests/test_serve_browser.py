"""The answer page in a real browser (Debian's Chromium through Playwright), against a real
`exgen serve` on a free port: type, see the MathML preview, check, see the verdict; the same by
keyboard alone; and an axe-core accessibility scan. Skips without Chromium, except where
EXGEN_REQUIRE_BROWSER is set (CI)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")
playwright = pytest.importorskip("playwright.sync_api")

from exgen.serve.links import Signer, load_secret  # noqa: E402
from tests.serve_support import free_port, make_set, start_server  # noqa: E402
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

SIGNERS: list[Signer] = []
pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("EXGEN_REQUIRE_BROWSER"),
    reason="Chromium is not installed (CI installs Debian's chromium and sets EXGEN_REQUIRE_BROWSER)",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = make_set(tmp_path_factory.mktemp("served") / "set")
    port = free_port()
    process = start_server(folder, port, "--solution-after", "2")
    links = [line.rsplit(",", 1)[1] for line in (folder / "links.csv").read_text(encoding="utf-8").splitlines()[1:]]
    SIGNERS[:] = [Signer(load_secret(folder))]
    yield links, folder
    process.send_signal(signal.SIGTERM)
    process.wait(15)


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _shots() -> Path | None:
    folder = os.environ.get("EXGEN_SCREENSHOTS")
    return Path(folder) if folder else None


def test_typing_shows_the_reading_and_check_gives_the_verdict(server, browser) -> None:
    links, folder = server
    page = browser.new_page(viewport={"width": 1100, "height": 1400})
    page.goto(links[0])
    field = page.locator("#field-1a")
    field.press_sequentially("2x e^(x^2", delay=20)
    page.wait_for_selector("#preview-1a.preview-error", timeout=5000)  # an open bracket, said at once
    assert "(" in page.inner_text("#preview-1a mark")
    field.press_sequentially(")", delay=20)
    page.wait_for_selector("#preview-1a.preview-read math msup", timeout=5000)
    box = page.locator("#preview-1a math").bounding_box()
    assert box and box["height"] > 10 and box["width"] > 30  # laid out as mathematics
    page.click("button[value='check:1a']")
    page.wait_for_selector("#status-1a .verdict", timeout=15000)
    assert page.inner_text("#status-1a .verdict") in ("incorrect", "correct")
    assert page.locator("#preview-1a").get_attribute("aria-live") == "polite"
    if _shots():
        page.screenshot(path=str(_shots() / "serve-student.png"), full_page=True)
    page.close()


def test_keyboard_only(server, browser) -> None:
    links, _ = server
    page = browser.new_page()
    page.goto(links[1])
    for _ in range(40):  # Tab through the page to the first answer field
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "field-1a":
            break
    else:
        pytest.fail("the first answer field cannot be reached with Tab")
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.value") == "check:1a"
    page.keyboard.press("Enter")
    page.wait_for_selector("#status-1a .verdict-incorrect", timeout=15000)
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "field-1a"
    page.focus("#field-2a")
    page.keyboard.type("6x^2")
    page.keyboard.press("Enter")  # Enter checks this answer, not the first part's
    page.wait_for_selector("#status-2a .verdict", timeout=15000)
    assert page.locator("#status-1a .verdict").count() == 1
    page.close()


def test_the_page_works_without_javascript(server, browser) -> None:
    links, _ = server
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(links[2])
    page.fill("#field-1a", "2x +* 1")
    page.click("button.save[value='save']")
    page.wait_for_load_state()
    assert page.input_value("#field-1a") == "2x +* 1"
    assert "Saved" in page.inner_text("#status-1a")
    assert page.locator("#preview-1a mark").count() == 1  # the refusal, shown after the reload
    context.close()


def test_no_serious_accessibility_violations(server, browser) -> None:
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    links, folder = server
    context = browser.new_context(bypass_csp=True)  # the scanner is injected as a script
    page = context.new_page()
    page.goto(links[0])
    page.fill("#field-2a", "x^2 +")
    page.wait_for_selector("#preview-2a.preview-error", timeout=5000)
    page.click("button[value='check:2a']")
    page.wait_for_selector("#status-2a .verdict", timeout=15000)
    pages = {"student": page}
    overview = context.new_page()
    overview.goto(instructor_url(links[0]))
    pages["instructor"] = overview
    for name, shown in pages.items():
        results = axe_module.Axe().run(shown)
        bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
        assert not bad, (name, [(v["id"], v["help"], [n["html"][:80] for n in v["nodes"][:2]]) for v in bad])
    context.close()


def instructor_url(student_link: str) -> str:
    from exgen.serve.links import INSTRUCTOR

    base, token = student_link.split("/s/")
    return f"{base}/i/{SIGNERS[0].token(INSTRUCTOR)}"
