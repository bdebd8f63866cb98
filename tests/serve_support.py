"""Shared helpers of the exgen serve tests: a generated class set, a server on a free port."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from exgen.worksheets.generate import generate_class_set
from exgen.worksheets.roster import Student
from exgen.worksheets.spec import SectionSpec, WorksheetSpec

POSTGRES = os.environ.get("EXGEN_TEST_POSTGRES")
REQUIRE_POSTGRES = bool(os.environ.get("EXGEN_REQUIRE_POSTGRES"))
ROSTER = [Student("s1", "Ada Lovelace"), Student("s2", "Grace Hopper"), Student("s3", "=cmd|' /C calc'!A0")]


def make_set(folder: Path, sections: tuple[SectionSpec, ...] | None = None) -> Path:
    """A small class set for three students: derivatives, critical points (a classified
    answer that builds on f′), a gradient."""
    spec = WorksheetSpec(
        title="Served sheet", seed=5,
        sections=sections or (SectionSpec("derivative_rules", 1, 1), SectionSpec("critical_points", 1, 2), SectionSpec("partial_derivatives", 1, 1)),
    )
    generate_class_set(spec, folder, roster=ROSTER, formats=("html", "json"))
    return folder


def form_token(page: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(folder: Path, port: int, *extra: str) -> subprocess.Popen[bytes]:
    """``exgen serve`` in its own process; returns once it answers on ``port``."""
    process = subprocess.Popen(
        [sys.executable, "-m", "exgen", "serve", str(folder), "--port", str(port), "--workers", "1", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(process.stdout.read().decode() if process.stdout else "the server stopped")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start within 30 s")


def slow_check(task: tuple) -> dict:
    """A worker-pool function that takes its time (to show that nothing else waits for it)."""
    time.sleep(2.0)
    return {"verdict": "incorrect", "score": 0.0, "message": "slow"}
