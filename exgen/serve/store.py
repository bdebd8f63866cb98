"""Where answers go: append-only attempt rows in SQLite (default, one file in the set's
folder, WAL mode) or PostgreSQL (``postgresql://…``: one store shared by several server
processes or hosts). :meth:`AttemptStore.add` returns only after the row is committed, so an
answer the page acknowledges survives a crash of the server."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Attempt:
    version: str
    student: str
    part: str
    raw: str  # the answer as typed
    action: str  # "save" or "check"
    reading: str = ""  # how it was read (calculator syntax), empty when it could not be read
    verdict: str = ""  # correct, incorrect, invalid, review, blank
    score: float = 0.0
    evidence: str = ""
    message: str = ""
    mistake: str = ""
    created: str = ""  # ISO 8601, UTC, microseconds
    id: int = 0


COLUMNS = [f.name for f in fields(Attempt) if f.name != "id"]
_TABLE = """CREATE TABLE IF NOT EXISTS attempts (
    id {serial} PRIMARY KEY, version TEXT NOT NULL, student TEXT NOT NULL, part TEXT NOT NULL,
    raw TEXT NOT NULL, action TEXT NOT NULL, reading TEXT NOT NULL, verdict TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL, evidence TEXT NOT NULL, message TEXT NOT NULL,
    mistake TEXT NOT NULL, created TEXT NOT NULL)"""
_INDEX = "CREATE INDEX IF NOT EXISTS attempts_by_version ON attempts (version, part, id)"


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


class AttemptStore:
    """The attempts of one class set. Thread-safe: each thread has its own connection, so
    reads and writes of different requests do not queue behind one another. Every method is
    short and blocking (the server calls them from threads, never on its event loop)."""

    placeholder = "?"

    def __init__(self) -> None:
        self.local = threading.local()
        self.connections: list[Any] = []
        self.lock = threading.Lock()  # guards the list of connections only

    def connect(self) -> Any:
        raise NotImplementedError

    @property
    def connection(self) -> Any:
        found = getattr(self.local, "connection", None)
        if found is None:
            found = self.local.connection = self.connect()
            with self.lock:
                self.connections.append(found)
        return found

    def _execute(self, sql: str, parameters: tuple[Any, ...] = ()) -> Any:
        return self.connection.execute(sql.replace("?", self.placeholder), parameters)

    def add(self, attempt: Attempt) -> Attempt:
        """Append one attempt and commit it; the stored row (with its id and time) is returned."""
        values = {name: getattr(attempt, name) for name in COLUMNS}
        values["created"] = values["created"] or now()
        names = ", ".join(COLUMNS)
        marks = ", ".join("?" for _ in COLUMNS)
        cursor = self._execute(f"INSERT INTO attempts ({names}) VALUES ({marks}) RETURNING id", tuple(values[c] for c in COLUMNS))
        row_id = cursor.fetchone()[0]
        self.connection.commit()
        return Attempt(**values, id=int(row_id))

    def _rows(self, sql: str, parameters: tuple[Any, ...] = ()) -> list[Attempt]:
        rows = self._execute(sql, parameters).fetchall()
        self.connection.commit()  # end the read transaction (PostgreSQL)
        return [Attempt(*row[1:], id=int(row[0])) for row in rows]

    def attempts(self, version: str | None = None) -> list[Attempt]:
        """Every attempt (of one version), oldest first."""
        select = f"SELECT id, {', '.join(COLUMNS)} FROM attempts"
        if version is None:
            return self._rows(select + " ORDER BY id")
        return self._rows(select + " WHERE version = ? ORDER BY id", (version,))

    def latest(self, version: str | None = None) -> dict[tuple[str, str], Attempt]:
        """The newest attempt per (version, part)."""
        latest: dict[tuple[str, str], Attempt] = {}
        for attempt in self.attempts(version):
            latest[(attempt.version, attempt.part)] = attempt
        return latest

    def count(self) -> int:
        value = self._execute("SELECT COUNT(*) FROM attempts").fetchone()[0]
        self.connection.commit()
        return int(value)

    def close(self) -> None:
        with self.lock:
            for connection in self.connections:
                connection.close()
            self.connections.clear()
        self.local = threading.local()


class SQLiteStore(AttemptStore):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        first = self.connection  # creates the file and the table
        first.execute(_TABLE.format(serial="INTEGER"))
        first.execute(_INDEX)
        first.commit()

    def connect(self) -> Any:
        import sqlite3

        connection = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")  # committed means on disk, not only in the WAL's buffer
        return connection


class PostgresStore(AttemptStore):
    placeholder = "%s"

    def __init__(self, url: str) -> None:
        try:
            import psycopg  # noqa: F401
        except ImportError:  # pragma: no cover - the serve extra installs it
            from exgen.errors import UsageError

            raise UsageError("a PostgreSQL store needs psycopg: pip install 'exgen[serve]'") from None
        super().__init__()
        self.url = url
        first = self.connection
        first.execute(_TABLE.format(serial="BIGSERIAL"))
        first.execute(_INDEX)
        first.commit()

    def connect(self) -> Any:
        import psycopg

        return psycopg.connect(self.url)


def open_store(url: str | None, folder: Path) -> AttemptStore:
    """``None`` or ``sqlite:///path``: SQLite (default ``folder/exgen.sqlite3``); ``postgresql://…``: PostgreSQL."""
    if url and url.startswith(("postgresql://", "postgres://")):
        return PostgresStore(url)
    if url and url.startswith("sqlite:///"):
        return SQLiteStore(Path(url[len("sqlite:///"):]))
    if url:
        from exgen.errors import UsageError

        raise UsageError(f"--db takes sqlite:///PATH or postgresql://…, not {url!r}")
    return SQLiteStore(folder / "exgen.sqlite3")
