"""Killing the server mid-run loses nothing it acknowledged: a real `exgen serve` process takes
answers from several clients, is killed with SIGKILL while they send, and is started again."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")

from exgen.serve.store import open_store  # noqa: E402
from tests.serve_support import POSTGRES, REQUIRE_POSTGRES, form_token, free_port, make_set, start_server  # noqa: E402


def _students(folder: Path) -> list[str]:
    lines = (folder / "links.csv").read_text(encoding="utf-8").splitlines()[1:]
    return [line.rsplit(",", 1)[1] for line in lines]


def _hammer(url: str, acknowledged: list[tuple[int, str]], stop: threading.Event) -> None:
    """Send answers one after another until the server goes away; keep what it acknowledged."""
    with httpx.Client(timeout=10) as client:
        try:
            token = url.rsplit("/", 1)[1]
            page = client.get(url)
            good = form_token(page.text)
            base = url.split("/s/")[0]
            index = 0
            while not stop.is_set():
                text = f"{index}*x + {len(acknowledged)}"
                reply = client.post(f"{base}/s/{token}/answer", json={"part": "1a", "text": text, "action": "save"},
                                    headers={"x-exgen-form": good})
                if reply.status_code == 200:
                    acknowledged.append((reply.json()["id"], text))
                index += 1
        except (httpx.HTTPError, OSError):
            return  # the server was killed


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_killed_server_keeps_every_acknowledged_answer(tmp_path: Path, database: str) -> None:
    if database == "postgresql" and not POSTGRES:
        if REQUIRE_POSTGRES:
            pytest.fail("EXGEN_REQUIRE_POSTGRES is set but EXGEN_TEST_POSTGRES is not")
        pytest.skip("no PostgreSQL server (set EXGEN_TEST_POSTGRES)")
    folder = make_set(tmp_path / "set")
    extra: tuple[str, ...] = ()
    if database == "postgresql":
        import uuid

        import psycopg

        schema = f"r{uuid.uuid4().hex[:12]}"
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(f"CREATE SCHEMA {schema}")
        extra = ("--db", f"{POSTGRES}?options=-csearch_path%3D{schema}")
    port = free_port()
    server = start_server(folder, port, *extra)
    acknowledged: list[tuple[int, str]] = []
    stop = threading.Event()
    try:
        urls = _students(folder)
        clients = [threading.Thread(target=_hammer, args=(url, acknowledged, stop)) for url in urls]
        for client in clients:
            client.start()
        while len(acknowledged) < 30 and server.poll() is None:
            threading.Event().wait(0.05)
        server.send_signal(signal.SIGKILL)  # mid-run: requests are in flight
        server.wait(10)
        stop.set()
        for client in clients:
            client.join(15)
    finally:
        if server.poll() is None:
            server.kill()
    assert len(acknowledged) >= 30
    restarted = start_server(folder, port, *extra)
    try:
        url = _students(folder)[0]
        assert httpx.get(url, timeout=10).status_code == 200  # the same links work after the restart
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(15)
    store = open_store(extra[1] if extra else None, folder)
    stored = {a.id: a.raw for a in store.attempts()}
    store.close()
    missing = [(row_id, text) for row_id, text in acknowledged if stored.get(row_id) != text]
    assert not missing, f"{len(missing)} acknowledged answers lost: {missing[:3]}"
