"""Batch grading at the scale of a course: per-cell cost, wall time and peak memory.

    python bench/bench_grade.py [--students 300,1000,3000] [--workers 1,2] [--fixtures DIR]

For each class size it generates a class set (the sample spec: every family; kept in
``--fixtures`` to reuse across runs), fills answers.csv with a realistic mix (correct answers in
several forms, mistake-model answers, typos, other wrong answers, garbage and blanks), then runs
``exgen grade`` as a command (start-up included) at each number of workers. Reported per run:
wall time, cost per answer cell (wall / cells), the peak RSS of the grading process and of the
whole process tree (parent + workers, sampled every 20 ms, PSS every 0.5 s; RSS counts the pages a forked worker
shares with its parent once per process, PSS shares them out), and whether every report is
byte-identical to the first run of that size. The ratio of 1 to 2 workers is printed per size.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_worksheets import digest

GARBAGE = ["x^2 +", "diff(x^3, x)", "((x+1)", "open('/tmp/x','w')", "sinx", "2 3", "lambda: 1", "none of these"]


def typo(text: str, rng: random.Random) -> str:
    if len(text) < 3:
        return text + "+"
    i = rng.randrange(len(text))
    return text[:i] + text[i + 1 :]


def fill(versions: list[dict], header: list[str], rng: random.Random) -> list[list[str]]:
    rows = []
    for version in versions:
        parts = {p["id"]: p for problem in version["problems"] for p in problem["parts"]}
        row = [version["student"]["id"], version["version"]]
        for column in header[2:]:
            part = parts.get(column)
            if part is None:
                row.append("")
                continue
            r = rng.random()
            answer = part["answer"]
            if r < 0.30:
                row.append(answer)
            elif r < 0.45:
                row.append(answer.replace("*", " ").replace("^", "**") if part["kind"] not in ("label", "points") else answer)
            elif r < 0.65 and part["mistakes"]:
                row.append(rng.choice(part["mistakes"])["answer"])
            elif r < 0.75:
                row.append(typo(answer, rng))
            elif r < 0.85:
                row.append(f"{answer} + 1" if part["kind"] in ("expression", "number") else answer[::-1])
            elif r < 0.90:
                row.append(rng.choice(GARBAGE))
            else:
                row.append("")
        rows.append(row)
    return rows


def fixture(folder: Path, students: int) -> tuple[Path, Path, int]:
    """key.json and a filled answers.csv for ``students`` students (made once, then reused)."""
    from exgen.worksheets.generate import generate_class_set
    from exgen.worksheets.roster import Student
    from exgen.worksheets.spec import sample_spec

    root = folder / f"class-{students}"
    key, filled = root / "gen" / "key.json", root / "filled.csv"
    if not filled.exists():
        roster = [Student(f"s{i:05d}", f"Student {i}") for i in range(students)]
        generate_class_set(sample_spec(), root / "gen", roster=roster, formats=("json",), workers=2, force=True)
        header = next(csv.reader((root / "gen" / "answers.csv").open(encoding="utf-8")))
        with key.open(encoding="utf-8") as handle:  # one version per line
            versions = [json.loads(line.rstrip().rstrip(",")) for line in handle if line.startswith('{"version"')]
        rows = fill(versions, header, random.Random(7))
        with filled.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    with filled.open(encoding="utf-8") as handle:
        cells = sum(len(row) - 2 for row in list(csv.reader(handle))[1:])
    return key, filled, cells


def _status_kb(pid: int, file: str, field: str) -> int:
    """A size in kB that /proc/PID/``file`` reports on its ``field`` line (0 once the process is gone)."""
    try:
        with open(f"/proc/{pid}/{file}", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _rss_kb(pid: int) -> int:
    return _status_kb(pid, "status", "VmRSS:")


def _pss_kb(pid: int) -> int:
    """Proportional set size: pages shared with other processes (a forked worker's inherited
    modules) counted once across them, so a tree's sum is the memory it really holds."""
    return _status_kb(pid, "smaps_rollup", "Pss:")


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(command: list[str]) -> tuple[float, int, int, int, str, float]:
    """Seconds, peak RSS of the process, peak RSS and peak PSS of its tree (MB), its output, and
    the CPU-seconds of its whole tree (workers are reaped by it, so they count: a steadier
    figure than wall time on a machine whose speed drifts)."""
    peaks = {"self": 0, "tree": 0, "pss": 0}
    cpu_before = _children_cpu()
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def sample() -> None:
        count = 0
        while process.poll() is None:
            own, children = _rss_kb(process.pid), _children(process.pid)
            tree = own + sum(_rss_kb(c) for c in children)
            peaks["self"], peaks["tree"] = max(peaks["self"], own), max(peaks["tree"], tree)
            if count % 25 == 0:  # reading smaps locks the process's memory map: rarely (memory grows slowly)
                pss = _pss_kb(process.pid) + sum(_pss_kb(c) for c in children)
                peaks["pss"] = max(peaks["pss"], pss)
            count += 1
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - start
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"exgen grade failed ({process.returncode}):\n{stdout}\n{stderr}")
    return seconds, peaks["self"] // 1024, peaks["tree"] // 1024, peaks["pss"] // 1024, stdout, _children_cpu() - cpu_before


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", default="300", help="comma-separated class sizes")
    parser.add_argument("--workers", default="1,2", help="comma-separated numbers of workers")
    parser.add_argument("--fixtures", type=Path, help="folder to keep the generated sets in (default: a temporary one)")
    parser.add_argument("--format", default="csv,html,json")
    args = parser.parse_args()
    fixtures = args.fixtures or Path(tempfile.mkdtemp(prefix="exgen-grade-bench-"))
    scratch = Path(tempfile.mkdtemp(prefix="exgen-grade-out-"))
    try:
        print(f"{'students':>8} {'workers':>7} {'wall s':>8} {'ms/cell':>8} {'CPU s':>7} {'CPU ms/cell':>11} "
              f"{'RSS MB':>7} {'tree MB':>8} {'tree PSS':>8}  identical")
        for students in (int(s) for s in args.students.split(",")):
            key, filled, cells = fixture(fixtures, students)
            walls: dict[int, float] = {}
            first = None
            for workers in (int(w) for w in args.workers.split(",")):
                out = scratch / f"{students}-{workers}"
                command = [sys.executable, "-m", "exgen", "grade", str(key), str(filled), "--out", str(out),
                           "--workers", str(workers), "--format", args.format, "--force"]
                seconds, own, tree, pss, _, cpu = run_measured(command)
                walls[workers] = seconds
                same = digest(out)
                first = first or same
                print(f"{students:>8} {workers:>7} {seconds:>8.2f} {1000 * seconds / cells:>8.3f} {cpu:>7.1f} {1000 * cpu / cells:>11.3f} "
                      f"{own:>7} {tree:>8} {pss:>8}  {same == first}")
                shutil.rmtree(out, ignore_errors=True)
            if 1 in walls and 2 in walls:
                print(f"{students:>8}   1 → 2 workers: {walls[1] / walls[2]:.2f}× faster ({cells} answer cells)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if args.fixtures is None:
            shutil.rmtree(fixtures, ignore_errors=True)


if __name__ == "__main__":
    main()
