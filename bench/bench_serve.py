"""A class answering online at once: latency of previews and submissions of `exgen serve`.

    python bench/bench_serve.py [--students 300] [--answers 30] [--think 3] [--workers 2]

Generates a class set (about 30 parts per version), starts `exgen serve` on a free port of
127.0.0.1 and simulates every student over loopback: each opens their link, and for each of
their answers types it (a preview after each burst of key presses, as the page's debounce
sends them), checks it, and thinks for a while before the next. Reports p50/p95 latency of
previews and submissions, first for one student alone (the baseline, in the same run) and then
for the whole class at once, and compares the stored rows with the acknowledged submissions
(they must be equal, exactly). Targets on a 2-core machine: preview p95 <= 50 ms and submit
p95 <= 250 ms with 300 students at once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from exgen.serve.store import open_store
from exgen.worksheets.generate import generate_class_set
from exgen.worksheets.spec import SectionSpec, WorksheetSpec
from tests.serve_support import free_port, start_server


class Connection:
    """One browser's keep-alive HTTP/1.1 connection, as light as it gets (the simulated class
    runs on the same two cores as the server, so the client must cost next to nothing)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.used = 0.0

    async def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        if self.writer is not None and time.monotonic() - self.used > 4.0:
            self.close()  # the server closes idle connections after 5 s; a browser opens a new one
            self.writer = None
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        assert self.reader is not None
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = await self.reader.readexactly(length)
        self.used = time.monotonic()
        return status, body

    async def json(self, path: str, payload: dict, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        return await self.request("POST", path, json.dumps(payload).encode(), {"Content-Type": "application/json", **(headers or {})})

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()

SECTIONS = (
    SectionSpec("derivative_rules", 4, 2), SectionSpec("activations", 2, 2), SectionSpec("critical_points", 2, 2),
    SectionSpec("partial_derivatives", 2, 2), SectionSpec("hessian", 1, 2), SectionSpec("lagrange", 1, 2),
)
GARBAGE = ["x^2 +", "((x+1)", "open('/tmp/x')", "sinx", "2 3", "none of these", "x" * 300 + "^" * 50]


def answers_for(version: dict, count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(part, text) pairs a student might submit: mostly keys, some slips, some garbage."""
    parts = [part for problem in version["problems"] for part in problem["parts"]]
    chosen = []
    for index in range(count):
        part = parts[index % len(parts)]
        roll = rng.random()
        if roll < 0.6 or not part["mistakes"]:
            text = part["answer"]
        elif roll < 0.85:
            text = rng.choice(part["mistakes"])["answer"]
        else:
            text = rng.choice(GARBAGE)
        chosen.append((part["id"], text))
    return chosen


async def student(base: tuple[str, int], url: str, answers: list[tuple[str, str]], args: argparse.Namespace,
                  rng: random.Random, previews: list[float], submits: list[float], acknowledged: list[int], errors: list[str]) -> None:
    token = url.rsplit("/", 1)[1]
    connection = Connection(*base)
    try:
        status, page = await connection.request("GET", f"/s/{token}")
        form = re.search(rb'name="form_token" value="([^"]+)"', page)
        if status != 200 or not form:
            errors.append(f"page {status}")
            return
        await asyncio.sleep(rng.random() * args.think)  # students do not start in the same millisecond
        for part, text in answers:
            for cut in sorted({max(1, len(text) * k // args.previews) for k in range(1, args.previews + 1)}):
                started = time.perf_counter()
                status, _ = await connection.json(f"/s/{token}/preview", {"part": part, "text": text[:cut]})
                previews.append(time.perf_counter() - started)
                if status != 200:
                    errors.append(f"preview {status}")
                await asyncio.sleep(args.type_gap * (0.5 + rng.random()))
            started = time.perf_counter()
            status, reply = await connection.json(f"/s/{token}/answer", {"part": part, "text": text, "action": "check"},
                                                  {"X-Exgen-Form": form.group(1).decode()})
            submits.append(time.perf_counter() - started)
            if status == 200:
                acknowledged.append(json.loads(reply)["id"])
            else:
                errors.append(f"submit {status}")
            await asyncio.sleep(args.think * (0.5 + rng.random()))
    finally:
        connection.close()


async def run_class(base: tuple[str, int], links: list[str], key: dict, args: argparse.Namespace, seed: int) -> dict:
    previews: list[float] = []
    submits: list[float] = []
    acknowledged: list[int] = []
    errors: list[str] = []
    started = time.perf_counter()
    await asyncio.gather(*(
        student(base, url, answers_for(version, args.answers, random.Random(seed + i)), args, random.Random(seed * 7 + i),
                previews, submits, acknowledged, errors)
        for i, (url, version) in enumerate(zip(links, key["versions"]))
    ))
    return {"previews": previews, "submits": submits, "acknowledged": acknowledged, "errors": errors,
            "seconds": time.perf_counter() - started}


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary(name: str, result: dict) -> str:
    p = result["previews"]
    s = result["submits"]
    return (f"{name:>9}: previews {len(p):6d}  p50 {1000 * statistics.median(p):6.1f} ms  p95 {1000 * percentile(p, 0.95):6.1f} ms | "
            f"submits {len(s):5d}  p50 {1000 * statistics.median(s):6.1f} ms  p95 {1000 * percentile(s, 0.95):6.1f} ms | "
            f"{result['seconds']:.0f} s, {len(result['errors'])} errors")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--answers", type=int, default=30, help="answers each student submits")
    parser.add_argument("--previews", type=int, default=3, help="previews while typing each answer")
    parser.add_argument("--type-gap", type=float, default=0.4, help="seconds between previews while typing")
    parser.add_argument("--think", type=float, default=3.0, help="seconds between answers")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--db", help="a database URL (default: SQLite in the set's folder)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="exgen-bench-serve-")) / "set"
    generate_class_set(WorksheetSpec(title="Bench", seed=11, sections=SECTIONS), folder, versions=args.students, formats=("html", "json"))
    key = json.loads((folder / "key.json").read_text(encoding="utf-8"))
    parts = sum(len(p["parts"]) for p in key["versions"][0]["problems"])
    port = free_port()
    if args.db and args.db.startswith("postgres"):  # a schema of its own: the count compares this run's rows only
        import uuid

        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(args.db, autocommit=True) as admin:
            admin.execute(f"CREATE SCHEMA {schema}")
        args.db += ("&" if "?" in args.db else "?") + f"options=-csearch_path%3D{schema}"
    extra = ["--db", args.db] if args.db else []
    server = start_server(folder, port, "--workers", str(args.workers), *extra)
    base = ("127.0.0.1", port)
    try:
        links = [line.rsplit(",", 1)[1] for line in (folder / "links.csv").read_text(encoding="utf-8").splitlines()[1:]]
        print(f"{args.students} students, {parts} parts each, {args.answers} answers each, {args.workers} check workers")
        alone = asyncio.run(run_class(base, links[:1], {"versions": key["versions"][:1]}, argparse.Namespace(**{**vars(args), "think": 0.05}), 1))
        print(summary("alone", alone))
        crowd = asyncio.run(run_class(base, links, key, args, 2))
        print(summary("class", crowd))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    store = open_store(args.db, folder)
    stored = {a.id for a in store.attempts()}
    store.close()
    acknowledged = set(alone["acknowledged"]) | set(crowd["acknowledged"])
    print(f"stored rows {len(stored)}, acknowledged submissions {len(acknowledged)}: {'equal' if stored == acknowledged else 'DIFFERENT'}")
    p95_preview = percentile(crowd["previews"], 0.95) * 1000
    p95_submit = percentile(crowd["submits"], 0.95) * 1000
    print(f"preview p95 {p95_preview:.1f} ms (target <= 50; {p95_preview / (1000 * percentile(alone['previews'], 0.95)):.1f}x alone), "
          f"submit p95 {p95_submit:.1f} ms (target <= 250; {p95_submit / (1000 * percentile(alone['submits'], 0.95)):.1f}x alone)")


if __name__ == "__main__":
    main()
