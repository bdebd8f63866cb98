"""exgen serve through its ASGI interface (Starlette's TestClient): links and tokens, forms
and their protection, previews, practice and assignment modes, collecting for exgen grade."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("starlette")
from click.testing import CliRunner
from starlette.testclient import TestClient

from exgen.cli import main
from exgen.serve.app import create_app
from exgen.serve.links import INSTRUCTOR
from exgen.serve.pages import Settings
from exgen.serve.setup import instructor_url, open_set, write_links
from exgen.worksheets.spec import SectionSpec
from tests.serve_support import form_token, make_set


@pytest.fixture(scope="module")
def class_set(tmp_path_factory) -> Path:
    return make_set(tmp_path_factory.mktemp("serve") / "set")


def _serve(folder: Path, tmp_path: Path, **settings) -> tuple[TestClient, object]:
    import shutil

    copy = tmp_path / "set"
    shutil.copytree(folder, copy)
    state = open_set(copy, None, Settings(**settings), workers=1)
    return TestClient(create_app(state), base_url="http://testserver"), state


@pytest.fixture
def practice(class_set: Path, tmp_path: Path):
    client, state = _serve(class_set, tmp_path, solution_after=2)
    with client:
        yield client, state


def _key_parts(state) -> dict[str, dict]:
    data = json.loads(state.key.path.read_text(encoding="utf-8"))
    return {part["id"]: part for part in data["versions"][0]["problems"][0]["parts"] + data["versions"][0]["problems"][1]["parts"]}


def _student(state, index: int = 0) -> tuple[str, object]:
    version = list(state.key.versions.values())[index]
    return state.signer.token(version.version), version


def test_links_are_personal_stable_and_safe_in_a_spreadsheet(class_set: Path, tmp_path: Path) -> None:
    client, state = _serve(class_set, tmp_path)
    path = write_links(state, "https://calc.example.edu/")
    first = path.read_text(encoding="utf-8")
    again = open_set(state.folder, None, Settings(), workers=1)  # a restart: the secret is kept
    write_links(again, "https://calc.example.edu/")
    assert path.read_text(encoding="utf-8") == first
    rows = list(csv.DictReader(io.StringIO(first)))
    assert [r["student"] for r in rows] == ["s1", "s2", "s3"]
    assert len({r["url"] for r in rows}) == 3 and all(r["url"].startswith("https://calc.example.edu/s/") for r in rows)
    assert rows[2]["name"].startswith("'=")  # a formula-looking name stays text
    assert (state.folder / ".exgen-serve-secret").stat().st_mode & 0o077 == 0
    assert instructor_url(state, "http://h:1").startswith("http://h:1/i/")


def test_a_token_shows_its_own_version_only(practice) -> None:
    client, state = practice
    versions = list(state.key.versions.values())
    for version in versions:
        page = client.get(f"/s/{state.signer.token(version.version)}")
        assert page.status_code == 200
        assert version.version in page.text
        assert all(other.version not in page.text for other in versions if other is not version)
        assert page.headers["referrer-policy"] == "no-referrer" and "script-src 'self'" in page.headers["content-security-policy"]
    token = state.signer.token(versions[0].version)
    forged = [token[:-2] + ("AA" if not token.endswith("AA") else "BB"), token.split(".")[0] + ".", "x", "a.b", "." * 5, "%00"]
    for bad in forged + [state.signer.token("VNOTHERE")]:
        assert client.get(f"/s/{bad}").status_code in (403, 404), bad
    assert client.get(f"/s/{state.signer.token(INSTRUCTOR)}").status_code == 403
    assert client.get(f"/i/{token}").status_code == 403
    assert client.get(f"/i/{token}/answers.csv").status_code == 403
    assert client.get(instructor_url(state, "")).status_code == 200


def test_posts_need_the_pages_form_token_and_this_site(practice) -> None:
    client, state = practice
    token, version = _student(state)
    other, _ = _student(state, 1)
    good = form_token(client.get(f"/s/{token}").text)
    assert client.post(f"/s/{token}", data={"1a": "2x", "action": "save"}, follow_redirects=False).status_code == 403
    assert client.post(f"/s/{token}", data={"form_token": state.signer.form_token(other), "1a": "2x"}, follow_redirects=False).status_code == 403
    assert client.post(f"/s/{token}", data={"form_token": good, "1a": "2x"}, headers={"origin": "https://evil.example"},
                       follow_redirects=False).status_code == 403
    assert client.post(f"/s/{token}/answer", json={"part": "1a", "text": "2x"}, headers={"x-exgen-form": good, "sec-fetch-site": "cross-site"}).status_code == 403
    assert client.post(f"/s/{token}/answer", json={"part": "1a", "text": "2x"}).status_code == 403
    assert state.store.count() == 0
    state.origins = frozenset({"https://calc.example.edu"})  # behind a proxy: the address students use
    proxied = client.post(f"/s/{token}/answer", json={"part": "1a", "text": "2x"}, headers={"x-exgen-form": good, "origin": "https://calc.example.edu"})
    assert proxied.status_code == 200 and state.store.count() == 1
    assert client.post(f"/s/{token}", data={"form_token": good, "1a": "2x + 1"}, follow_redirects=False).status_code == 303
    assert state.store.count() == 2


def test_sizes_are_bounded(practice) -> None:
    client, state = practice
    token, _ = _student(state)
    good = form_token(client.get(f"/s/{token}").text)
    huge = client.post(f"/s/{token}", data={"form_token": good, "1a": "x" * 200_000}, follow_redirects=False)
    assert huge.status_code == 413
    long = client.post(f"/s/{token}/preview", json={"part": "1a", "text": "x+" * 1500})
    assert long.status_code == 200 and long.json()["state"] == "error" and "too long" in long.json()["html"]
    assert client.post(f"/s/{token}/preview", content=b"\xff\xfe not json").status_code == 400
    assert client.post(f"/s/{token}/preview", json={"part": "9z", "text": "1"}).status_code == 404


def test_previews_show_the_reading_or_the_refusal_where_it_is(practice) -> None:
    client, state = practice
    token, _ = _student(state)
    read = client.post(f"/s/{token}/preview", json={"part": "1a", "text": "2x e^(x^2)"}).json()
    assert read["state"] == "read" and "<math" in read["html"] and "<msup>" in read["html"]
    wrong = client.post(f"/s/{token}/preview", json={"part": "1a", "text": "2x +* 3"}).json()
    assert wrong["state"] == "error" and wrong["position"] == 4 and "<mark>*</mark>" in wrong["html"]
    script = client.post(f"/s/{token}/preview", json={"part": "1a", "text": "<script>alert(1)</script>"}).json()
    assert "<script>" not in script["html"]
    classified = client.post(f"/s/{token}/preview", json={"part": "2b", "text": "x = 0: min, x = 2"}).json()
    assert classified["state"] == "error" and classified["code"] == "classified_point_without_label"
    empty = client.post(f"/s/{token}/preview", json={"part": "1a", "text": "  "}).json()
    assert empty["state"] == "empty"


def test_previews_are_rate_limited_per_student(practice) -> None:
    client, state = practice
    token, _ = _student(state)
    other, _ = _student(state, 1)
    codes = [client.post(f"/s/{token}/preview", json={"part": "1a", "text": "x"}).status_code for _ in range(40)]
    assert 429 in codes and codes[:10] == [200] * 10
    assert client.post(f"/s/{other}/preview", json={"part": "1a", "text": "x"}).status_code == 200


def test_practice_checks_names_the_mistake_and_releases_the_solution(practice) -> None:
    client, state = practice
    token, version = _student(state)
    parts = _key_parts(state)
    good = form_token(client.get(f"/s/{token}").text)
    slip = parts["1a"]["mistakes"][0]
    reply = client.post(f"/s/{token}/answer", json={"part": "1a", "text": slip["answer"], "action": "check"}, headers={"x-exgen-form": good})
    assert reply.status_code == 200, reply.text
    status = reply.json()["status"]
    assert "verdict-incorrect" in status and "Worked solution" not in status
    assert slip["message"].split(":")[0][:20] in status.replace("&#39;", "'").replace("&amp;", "&") or "incorrect" in status
    stored = state.store.attempts()[-1]
    assert stored.mistake == slip["id"] and stored.action == "check" and stored.verdict == "incorrect"
    second = client.post(f"/s/{token}/answer", json={"part": "1a", "text": "2", "action": "check"}, headers={"x-exgen-form": good}).json()
    assert "Worked solution" in second["status"]  # after --solution-after 2 checks
    right = client.post(f"/s/{token}/answer", json={"part": "2a", "text": parts["2a"]["answer"], "action": "check"}, headers={"x-exgen-form": good})
    assert "verdict-correct" in right.json()["status"] and "Worked solution" in right.json()["status"]


def test_follow_through_from_the_students_own_derivative(practice) -> None:
    client, state = practice
    token, version = _student(state)
    good = form_token(client.get(f"/s/{token}").text)
    for text in ("3x^2 - 3", "x = -1: maximum, x = 1: minimum"):  # f′ wrong, its critical points right for that f′
        part = "2a" if text.startswith("3x") else "2b"
        client.post(f"/s/{token}/answer", json={"part": part, "text": text, "action": "check"}, headers={"x-exgen-form": good})
    last = state.store.attempts()[-1]
    assert last.part == "2b" and last.score == 1.0 and "follows from your answer" in last.message


def test_the_plain_form_saves_without_javascript(practice) -> None:
    client, state = practice
    token, version = _student(state)
    good = form_token(client.get(f"/s/{token}").text)
    reply = client.post(f"/s/{token}", data={"form_token": good, "1a": "2x + 1", "2a": "", "action": "save"}, follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"].startswith(f"/s/{token}")
    page = client.get(reply.headers["location"]).text
    assert 'value="2x + 1"' in page and "Saved " in page
    again = client.post(f"/s/{token}", data={"form_token": good, "1a": "2x + 1", "action": "save"}, follow_redirects=False)
    assert again.status_code == 303 and state.store.count() == 1  # unchanged answers are not stored again
    client.post(f"/s/{token}", data={"form_token": good, "1a": "2x + 1", "action": "check:1a"}, follow_redirects=False)
    assert state.store.attempts()[-1].action == "check"
    assert "verdict-" in client.get(f"/s/{token}").text


def test_assignment_hides_verdicts_until_it_closes(class_set: Path, tmp_path: Path) -> None:
    closes = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    client, state = _serve(class_set, tmp_path, mode="assignment", closes=closes)
    with client:
        token, version = _student(state)
        page = client.get(f"/s/{token}").text
        assert "Check (" not in page and "until" in page
        assert '<svg class="figure' not in page  # the key's figure (the answers) waits until it closes
        good = form_token(page)
        reply = client.post(f"/s/{token}/answer", json={"part": "1a", "text": "2", "action": "check"}, headers={"x-exgen-form": good})
        assert reply.status_code == 200 and "Saved" in reply.json()["status"] and "verdict-" not in reply.json()["status"]
        assert state.store.attempts()[-1].action == "save" and state.store.attempts()[-1].verdict == "incorrect"
        state.settings = Settings(mode="assignment", closes=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        closed = client.get(f"/s/{token}").text
        assert "readonly" in closed and "verdict-incorrect" in closed and "Worked solution" in closed
        assert '<svg class="figure' in closed and "<circle" in closed  # the graph with its marked critical points
        late = client.post(f"/s/{token}/answer", json={"part": "1a", "text": "3"}, headers={"x-exgen-form": good})
        assert late.status_code == 403 and state.store.count() == 1


def test_collect_writes_what_exgen_grade_reads(class_set: Path, tmp_path: Path) -> None:
    client, state = _serve(class_set, tmp_path)
    parts = _key_parts(state)
    with client:
        token, version = _student(state)
        good = form_token(client.get(f"/s/{token}").text)
        client.post(f"/s/{token}/answer", json={"part": "1a", "text": "1", "action": "check"}, headers={"x-exgen-form": good})
        client.post(f"/s/{token}/answer", json={"part": "1a", "text": parts["1a"]["answer"], "action": "check"}, headers={"x-exgen-form": good})
        client.post(f"/s/{token}/answer", json={"part": "2a", "text": "=1+1", "action": "save"}, headers={"x-exgen-form": good})
        instructor = instructor_url(state, "")
        overview = client.get(instructor).text
        assert "Ada Lovelace" in overview and "2 / " in overview
        downloaded = client.get(instructor + "/answers.csv").text
        grades = client.get(instructor + "/grades.csv")
        assert grades.status_code == 200 and grades.text.splitlines()[1].startswith("s1,")
        assert client.get(instructor + "/item-analysis").status_code == 200
    state.store.close()
    runner = CliRunner()
    result = runner.invoke(main, ["collect", str(state.folder)])
    assert result.exit_code == 0, result.output
    collected = (state.folder / "collected" / "answers.csv").read_text(encoding="utf-8")
    assert collected == downloaded
    generated = (state.folder / "answers.csv").read_text(encoding="utf-8").splitlines()
    assert collected.splitlines()[0] == generated[0] and len(collected.splitlines()) == len(generated)
    row = next(csv.DictReader(io.StringIO(collected)))
    assert row["1a"] == parts["1a"]["answer"] and row["2a"] == "'=1+1"
    attempts = list(csv.DictReader(io.StringIO((state.folder / "collected" / "attempts.csv").read_text(encoding="utf-8"))))
    assert [a["raw"] for a in attempts] == ["1", parts["1a"]["answer"], "'=1+1"]
    graded = runner.invoke(main, ["grade", str(state.folder / "key.json"), str(state.folder / "collected" / "answers.csv"),
                                  "--out", str(tmp_path / "graded"), "--workers", "1"])
    assert graded.exit_code == 0, graded.output
    first = next(csv.DictReader(io.StringIO((tmp_path / "graded" / "grades.csv").read_text(encoding="utf-8"))))
    assert float(first["1a"]) == parts["1a"]["points"]


def test_a_slow_check_never_delays_another_students_preview(class_set: Path, tmp_path: Path) -> None:
    """Checks run in the worker pool: while one answer is being checked (here: a check that
    sleeps), previews of everyone else go on."""
    from exgen.workers import ServicePool
    from tests.serve_support import slow_check

    client, state = _serve(class_set, tmp_path)
    state.pool = ServicePool(slow_check, 1, 30.0, lambda task, why: {})
    with client:
        token, _ = _student(state)
        other, _ = _student(state, 1)
        good = form_token(client.get(f"/s/{token}").text)
        done = threading.Event()

        def submit() -> None:
            client.post(f"/s/{token}/answer", json={"part": "1a", "text": "slow", "action": "check"}, headers={"x-exgen-form": good})
            done.set()

        worker = threading.Thread(target=submit)
        worker.start()
        while not state.pool.running:
            time.sleep(0.01)
        for _ in range(5):
            assert client.post(f"/s/{other}/preview", json={"part": "1a", "text": "2x"}).json()["state"] == "read"
        assert not done.is_set()  # the check is still running
        worker.join(20)
        assert done.is_set()


def test_hostile_answers_are_read_never_run_and_every_preview_answers(practice) -> None:
    from tests.conftest import load_conformance

    client, state = practice
    token, version = _student(state)
    inputs = [item["input"] for item in load_conformance("hostile_inputs.json")]
    state.previews = type(state.previews)(10_000, 10_000)  # this test is not about the rate limit
    for text in inputs:
        for part in version.parts.values():
            reply = client.post(f"/s/{token}/preview", json={"part": part.id, "text": text})
            assert reply.status_code == (200 if len(text) < 60_000 else 413), (text[:80], part.id, reply.text)
            assert reply.json()["state"] in ("read", "error", "empty"), text
            assert "<script" not in reply.json()["html"].lower()
    assert not list(Path("/tmp").glob("hostile_marker_*"))


@pytest.mark.parametrize("arguments, code, text", [
    (["serve", "--help"], 0, "personal link"),
    (["collect", "--help"], 0, "answers.csv"),
    (["serve", "{set}", "--closes", "next tuesday"], 2, "ISO date"),
    (["serve", "{set}", "--db", "mysql://x"], 2, "sqlite:///PATH"),
    (["collect", "{empty}"], 2, "no key.json"),
])
def test_serve_and_collect_on_the_command_line(class_set: Path, tmp_path: Path, arguments: list[str], code: int, text: str) -> None:
    (tmp_path / "empty").mkdir()
    filled = [a.format(set=class_set, empty=tmp_path / "empty") for a in arguments]
    result = CliRunner().invoke(main, filled)
    assert result.exit_code == code, result.output
    assert text in result.output


def test_collect_before_any_answer_gives_the_empty_sheet(class_set: Path, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "set"
    shutil.copytree(class_set, folder)
    result = CliRunner().invoke(main, ["collect", str(folder), "--out", str(tmp_path / "a.csv")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "a.csv").read_text(encoding="utf-8") == (folder / "answers.csv").read_text(encoding="utf-8")


def test_a_worksheet_figure_is_on_the_answer_page_without_its_answers(tmp_path: Path) -> None:
    folder = make_set(tmp_path / "figures", (SectionSpec("critical_points", 1, 2, figures="both"),))
    client, state = _serve(folder, tmp_path)
    with client:
        token, _ = _student(state)
        page = client.get(f"/s/{token}").text
        assert '<svg class="figure' in page and "<circle" not in page and "<rect x=" in page  # the frame, no marks
        assert "The graph of" in page  # its caption: the worksheet's, without the types
