"""The attempt store, the same tests on SQLite and on a real PostgreSQL server (CI starts one
from Debian's postgresql package and sets EXGEN_TEST_POSTGRES; there the tests never skip)."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest

from exgen.serve.store import Attempt, AttemptStore, open_store
from tests.serve_support import POSTGRES, REQUIRE_POSTGRES


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path: Path) -> AttemptStore:
    if request.param == "sqlite":
        opened = open_store(None, tmp_path)
    else:
        if not POSTGRES:
            if REQUIRE_POSTGRES:
                pytest.fail("EXGEN_REQUIRE_POSTGRES is set but EXGEN_TEST_POSTGRES is not")
            pytest.skip("no PostgreSQL server (set EXGEN_TEST_POSTGRES; .ci/start-postgres starts one)")
        import psycopg

        schema = f"t{uuid.uuid4().hex[:12]}"  # every test its own schema: tests never see each other's rows
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(f"CREATE SCHEMA {schema}")
        opened = open_store(f"{POSTGRES}?options=-csearch_path%3D{schema}", tmp_path)
    yield opened
    opened.close()


def _attempt(part: str, raw: str, version: str = "V1", **fields) -> Attempt:
    return Attempt(version=version, student="s1", part=part, raw=raw, action="save", **fields)


def test_rows_are_appended_and_the_latest_wins(store: AttemptStore) -> None:
    first = store.add(_attempt("1a", "2x"))
    second = store.add(_attempt("1a", "2*x", verdict="correct", score=1.0))
    store.add(_attempt("1b", "0", version="V2"))
    assert second.id > first.id and first.created <= second.created
    assert [a.raw for a in store.attempts()] == ["2x", "2*x", "0"]
    assert store.latest()[("V1", "1a")].raw == "2*x"
    assert store.latest("V2") == {("V2", "1b"): store.attempts("V2")[0]}
    assert store.count() == 3


def test_text_is_stored_exactly(store: AttemptStore) -> None:
    hostile = "'); DROP TABLE attempts; --  ²√ 王 \u202e =cmd|' /C calc'!A0"
    stored = store.add(_attempt("1a", hostile, message="“quoted” ∂f/∂x", evidence="x" * 5000))
    again = store.attempts()[0]
    assert again == stored and again.raw == hostile and len(again.evidence) == 5000


def test_concurrent_writers_lose_nothing(store: AttemptStore) -> None:
    def write(worker: int) -> None:
        for index in range(25):
            store.add(_attempt(f"{worker}a", str(index)))

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = store.attempts()
    assert len(rows) == 100 and len({r.id for r in rows}) == 100
    assert all(store.latest()[("V1", f"{w}a")].raw == "24" for w in range(4))


def test_sqlite_is_durable_and_in_wal_mode(tmp_path: Path) -> None:
    store = open_store(None, tmp_path)
    store.add(_attempt("1a", "2x"))
    mode = store.connection.execute("PRAGMA journal_mode").fetchone()[0]
    store.close()
    assert mode == "wal"
    assert [a.raw for a in open_store(f"sqlite:///{tmp_path / 'exgen.sqlite3'}", tmp_path).attempts()] == ["2x"]


def test_an_unknown_database_url_is_refused(tmp_path: Path) -> None:
    from exgen.errors import UsageError

    with pytest.raises(UsageError, match="sqlite:///PATH or postgresql"):
        open_store("mysql://somewhere", tmp_path)
