"""Grading at scale: shards merge into the very reports of one run, the key is read through its
index, and the grading path needs no sympy for a class whose answers need no symbolic proof."""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from exgen.cli import main
from exgen.grading.key import index_path, load_key_index
from exgen.workers import WorkerPool
from exgen.worksheets.generate import generate_class_set
from exgen.worksheets.roster import Student
from exgen.worksheets.spec import sample_spec


def _filled(generated: Path, rng: random.Random, extra_rows: bool = True) -> Path:
    """answers.csv with correct answers, mistake models, typos, other wrong answers (so that
    follow-through runs), garbage and blanks; plus a duplicate and an unknown version."""
    header = next(csv.reader((generated / "answers.csv").open(encoding="utf-8")))
    with (generated / "key.json").open(encoding="utf-8") as handle:
        versions = [json.loads(line.rstrip().rstrip(",")) for line in handle if line.startswith('{"version"')]
    rows = []
    for version in versions:
        parts = {p["id"]: p for problem in version["problems"] for p in problem["parts"]}
        row = [version["student"]["id"], version["student"]["name"], version["version"]]
        for column in header[3:]:
            part = parts[column]
            pick = rng.random()
            if pick < 0.35:
                row.append(part["answer"])
            elif pick < 0.55 and part["mistakes"]:
                row.append(rng.choice(part["mistakes"])["answer"])
            elif pick < 0.7:
                row.append(f"{part['answer']} + 1" if part["kind"] in ("expression", "number") else part["answer"][::-1])
            elif pick < 0.8:
                row.append(part["answer"][:-1])
            elif pick < 0.9:
                row.append(rng.choice(["x^2 +", "open('/tmp/x')", "2 3", "sinx"]))
            else:
                row.append("")
        rows.append(row)
    if extra_rows:
        rows.append(list(rows[1]))  # a student who handed in twice
        rows.append(["nobody", "", "V999"] + [""] * (len(header) - 3))
    path = generated / "filled.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("course") / "gen"
    roster = [Student(f"s{i:03d}", f"Student {i}") for i in range(14)]
    generate_class_set(sample_spec(), out, roster=roster, formats=("json",))
    return out / "key.json", _filled(out, random.Random(3))


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _grade(*arguments: str) -> str:
    result = CliRunner().invoke(main, ["grade", *arguments])
    assert result.exit_code == 0, result.output
    return result.output


def test_shards_merge_into_exactly_the_reports_of_one_run(course: tuple[Path, Path], tmp_path: Path) -> None:
    key, answers = course
    _grade(str(key), str(answers), "--out", str(tmp_path / "one"), "--workers", "2")
    _grade(str(key), str(answers), "--out", str(tmp_path / "serial"), "--workers", "1")
    for number in (1, 2, 3):
        _grade(str(key), str(answers), "--shard", f"{number}/3", "--out", str(tmp_path / f"shard{number}"), "--workers", "1")
    shard_rows = [sum(1 for _ in (tmp_path / f"shard{i}" / "rows.jsonl").open()) for i in (1, 2, 3)]
    assert all(shard_rows) and sum(shard_rows) == 16, shard_rows  # disjoint, every row once
    merged = _grade("--merge", str(tmp_path / "shard3"), str(tmp_path / "shard1"), str(tmp_path / "shard2"), "--out", str(tmp_path / "merged"))
    assert "Merged 15 of 16" in merged, merged
    one, serial, together = _files(tmp_path / "one"), _files(tmp_path / "serial"), _files(tmp_path / "merged")
    assert sorted(one) == sorted(together) == sorted(serial)
    assert "item_analysis.html" in one and any(name.startswith("feedback/") for name in one)
    for name in one:
        assert one[name] == serial[name], name
        assert one[name] == together[name], name


def test_renewed_workers_write_exactly_the_reports_of_one_run(course: tuple[Path, Path], tmp_path: Path, monkeypatch) -> None:
    from exgen.grading import batch

    key, answers = course
    _grade(str(key), str(answers), "--out", str(tmp_path / "serial"), "--workers", "1")
    started = []
    start = WorkerPool._start

    def counted(pool: WorkerPool) -> object:
        started.append(1)
        return start(pool)

    monkeypatch.setattr(batch, "RENEW_AFTER", 3)  # a fresh worker every three students
    monkeypatch.setattr(WorkerPool, "_start", counted)
    _grade(str(key), str(answers), "--out", str(tmp_path / "renewed"), "--workers", "2")
    assert len(started) >= 4, started  # 15 students, two workers, three students each
    assert _files(tmp_path / "renewed") == _files(tmp_path / "serial")


def test_a_merge_needs_every_shard_of_one_class(course: tuple[Path, Path], tmp_path: Path) -> None:
    key, answers = course
    for number in (1, 2):
        _grade(str(key), str(answers), "--shard", f"{number}/2", "--out", str(tmp_path / f"s{number}"), "--workers", "1", "--format", "csv")
    result = CliRunner().invoke(main, ["grade", "--merge", str(tmp_path / "s1"), "--out", str(tmp_path / "m")])
    assert result.exit_code != 0 and "each of the 2 shards" in result.output, result.output
    result = CliRunner().invoke(main, ["grade", str(key), str(answers), "--shard", "3/2", "--out", str(tmp_path / "x")])
    assert result.exit_code != 0 and "between 1 and n" in result.output, result.output


def test_the_key_is_read_through_an_index_that_is_checked(course: tuple[Path, Path], tmp_path: Path) -> None:
    key, answers = course
    written = load_key_index(key)
    assert index_path(key).is_file()
    copy = tmp_path / "key.json"
    copy.write_bytes(key.read_bytes())  # no index beside it: derived from key.json
    derived = load_key_index(copy)
    assert derived.versions == written.versions and derived.part_ids == written.part_ids and derived.title == written.title
    index_path(copy).write_text(index_path(key).read_text(encoding="utf-8").replace('"key_digest":"', '"key_digest":"0'), encoding="utf-8")
    assert load_key_index(copy).versions == written.versions  # a stale index is not trusted
    stored = json.loads(index_path(key).read_text(encoding="utf-8"))
    assert len(stored["structures"]) < len(stored["versions"])  # a structure is written once, not per version
    older = dict(stored, exgen_key_index=1, versions=[[*v[:3], 0, *v[4:]] for v in stored["versions"]])  # offsets all wrong
    index_path(copy).write_text(json.dumps(older), encoding="utf-8")
    assert load_key_index(copy).versions == written.versions  # an index of another format is derived again, not read
    pretty = tmp_path / "pretty" / "key.json"
    pretty.parent.mkdir()
    pretty.write_text(json.dumps(json.loads(key.read_text(encoding="utf-8")), indent=2), encoding="utf-8")
    _grade(str(key), str(answers), "--out", str(tmp_path / "a"), "--workers", "1", "--format", "csv,json")
    _grade(str(pretty), str(answers), "--out", str(tmp_path / "b"), "--workers", "1", "--format", "csv,json")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_grading_a_small_class_imports_no_sympy(tmp_path: Path) -> None:
    """Start-up is most of a small class's time: sympy (0.4 s) stays out of grading — every
    family, follow-through and exact constants (exp(0), exact roots, σ(ln q)) included."""
    spec = sample_spec()
    roster = [Student(f"s{i:02d}", f"Student {i}") for i in range(30)]
    generate_class_set(spec, tmp_path / "gen", roster=roster, formats=("json",))
    answers = _filled(tmp_path / "gen", random.Random(11), extra_rows=False)
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "exgen", "grade", str(tmp_path / "gen" / "key.json"), str(answers),
         "--out", str(tmp_path / "graded"), "--workers", "1"],
        capture_output=True, text=True, check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Graded 30 of 30" in completed.stdout and " ecf" not in completed.stdout
    imported = [line.rsplit("|", 1)[-1].strip() for line in completed.stderr.splitlines() if line.startswith("import time:")]
    assert "flint" in imported
    assert not [name for name in imported if name == "sympy" or name.startswith("sympy.")]
    followed = [json.loads(line) for line in (tmp_path / "graded" / "results.jsonl").open(encoding="utf-8")]
    assert any(r["ecf"] for r in followed), "the class must exercise follow-through"


def test_grading_reads_a_version_without_its_typesetting_data(course: tuple[Path, Path], tmp_path: Path) -> None:
    """Sentences as data and the key's trees (for pages made otherwise) are the last member of
    a version's line, which grading leaves unread; every reader of the whole key still has them,
    and a key that keeps them in its parts (older files) grades to the same bytes."""
    from exgen.grading.key import TYPESETTING, _inlined, load_key, read_version

    key, answers = course
    index = load_key_index(key)
    whole = load_key(key)
    lines = key.read_bytes()
    for entry in index.versions.values():
        line = lines[entry.offset : entry.offset + entry.length]
        raw = json.loads(line)
        assert TYPESETTING in raw and entry.graded < entry.length
        assert json.loads(line[: entry.graded] + b"}") == {k: v for k, v in raw.items() if k != TYPESETTING}
        graded, full = read_version(index, entry), whole.versions[entry.version]
        for part, complete in zip(graded.parts.values(), full.parts.values()):
            assert part.html and part.prompt_data is None and part.answer_data is None  # pages insert the HTML
            assert complete.prompt_data and complete.answer_data and complete.html == part.html
            assert all(m.get("message_data") for m in complete.mistakes) and all("text_data" in s for s in complete.solution)
        assert all(p.statement_data for p in full.problems)
    inline = tmp_path / "inline" / "key.json"
    inline.parent.mkdir()
    head, _, rest = lines.partition(b'"versions":[\n')
    versions = [json.loads(line.rstrip(b",")) for line in rest.split(b"\n") if line.startswith(b"{")]
    body = b",\n".join(json.dumps(_inlined(v), ensure_ascii=False, separators=(",", ":")).encode() for v in versions)
    inline.write_bytes(head + b'"versions":[\n' + body + b"\n]}\n")
    assert all(e.graded == e.length for e in load_key_index(inline).versions.values())  # nothing to leave out
    _grade(str(key), str(answers), "--out", str(tmp_path / "a"), "--workers", "1")
    _grade(str(inline), str(answers), "--out", str(tmp_path / "b"), "--workers", "1")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_a_key_is_hashed_once_while_it_stays_as_it_is_on_disk(tmp_path: Path, monkeypatch) -> None:
    """The key's digest (which grading checks its index by) is remembered per machine for the
    file's identity on disk; any change of content is a new identity, also one that keeps size
    and modification time (its status-change time moves); a file modified within the last
    seconds is hashed every time; a remembering folder open to others is not used."""
    import hashlib
    import os
    import tempfile

    import exgen.grading.key as key

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    hashed = []
    real = hashlib.file_digest
    monkeypatch.setattr(hashlib, "file_digest", lambda *a, **k: hashed.append(1) or real(*a, **k))
    path = tmp_path / "key.json"
    path.write_bytes(b"a" * 1000)

    def expected() -> str:
        return real(path.open("rb"), "sha256").hexdigest()[:32]

    assert key.key_digest(path) == key.key_digest(path) == expected() and len(hashed) == 2  # fresh: hashed each time
    monkeypatch.setattr(key, "RACY_SECONDS", 0.0)
    hashed.clear()
    assert key.key_digest(path) == key.key_digest(path) == key.key_digest(path) == expected() and len(hashed) == 1
    times = path.stat()
    path.write_bytes(b"b" * 1000)  # same size, and the modification time put back
    os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))
    assert key.key_digest(path) == expected() and len(hashed) == 2
    record = key._digest_record(path)
    assert record is not None and record.parent.stat().st_mode & 0o777 == 0o700
    record.write_text("{not json", encoding="utf-8")  # a damaged record: hashed again
    assert key.key_digest(path) == expected() and len(hashed) == 3
    os.chmod(record.parent, 0o777)  # open to others: not trusted, not used
    assert key._digest_record(path) is None
    assert key.key_digest(path) == key.key_digest(path) == expected() and len(hashed) == 5
