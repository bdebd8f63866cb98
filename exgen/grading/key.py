"""Reading key.json (written by ``exgen generate``): versions, problems, gradable parts."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from exgen.errors import InputFileError


@dataclass(frozen=True)
class KeyPart:
    id: str  # "3b"
    part: str
    kind: str
    answer: str  # calculator syntax
    variables: tuple[str, ...]
    functions: tuple[str, ...]
    tolerance: float | None
    choices: tuple[str, ...] | None
    points: float
    depends_on: tuple[str, ...]
    ecf_credit: float
    ask: str
    args: dict[str, Any]
    prompt: str
    mistakes: tuple[dict[str, Any], ...]
    solution: tuple[dict[str, Any], ...]
    prompt_data: dict[str, Any] | None = None  # the prompt as a sentence to typeset (key + parameters)
    answer_data: dict[str, Any] | None = None  # the key as a tree, to typeset
    language: str = "en"  # the sheet's language: verdicts and messages are given in it
    html: dict[str, Any] | None = None  # prompt, key and steps as the HTML key typeset them

    @property
    def signature(self) -> tuple[Any, ...]:
        """Parts with equal signatures grade every answer the same way (decide once): the same
        key and the same mistake models (two versions may share a key but not their slips)."""
        mistakes = tuple((m["id"], m["answer"], m["message"]) for m in self.mistakes)
        return (self.kind, self.answer, self.variables, self.functions, self.tolerance, self.choices, mistakes)

    def to_task(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "answer": self.answer, "variables": list(self.variables),
            "functions": list(self.functions), "tolerance": self.tolerance,
            "choices": list(self.choices) if self.choices else None,
            "mistakes": [{"id": m["id"], "answer": m["answer"], "message": m["message"]} for m in self.mistakes],
            "ask": self.ask, "args": self.args, "ecf_credit": self.ecf_credit, "language": self.language,
        }


@dataclass(frozen=True)
class KeyProblem:
    number: int
    family: str
    statement: str
    givens: dict[str, str]
    parts: tuple[KeyPart, ...]
    statement_data: dict[str, Any] | None = None
    figure: dict[str, str] | None = None  # {"html": svg, "caption_html": …} as drawn for the key
    statement_html: str | None = None  # as the HTML key typeset it


@dataclass(frozen=True)
class KeyVersion:
    version: str
    seed: int
    student_id: str | None
    student_name: str
    problems: tuple[KeyProblem, ...]
    parts: dict[str, KeyPart] = field(default_factory=dict)  # by part id

    def problem_of(self, part_id: str) -> KeyProblem:
        for problem in self.problems:
            if any(p.id == part_id for p in problem.parts):
                return problem
        raise KeyError(part_id)

    @property
    def maximum(self) -> float:
        return sum(p.points for p in self.parts.values())


@dataclass(frozen=True)
class Key:
    path: Path
    title: str
    versions: dict[str, KeyVersion]
    by_student: dict[str, str]  # student id → version id
    language: str = "en"  # the sheet's language (spec.language): reports and pages use it

    @property
    def names(self) -> dict[str, str]:
        """Student id → name, from the roster the set was generated for."""
        return {v.student_id: v.student_name for v in self.versions.values() if v.student_id}

    @property
    def part_ids(self) -> list[str]:
        seen: dict[tuple[int, str], str] = {}
        for version in self.versions.values():
            for problem in version.problems:
                for part in problem.parts:
                    seen.setdefault((problem.number, part.part), part.id)
        return [seen[k] for k in sorted(seen)]


def _part(raw: dict[str, Any], language: str = "en") -> KeyPart:
    return KeyPart(
        id=str(raw["id"]), part=str(raw["part"]), kind=str(raw["kind"]), answer=str(raw["answer"]),
        variables=tuple(raw.get("variables") or ()), functions=tuple(raw.get("functions") or ()),
        tolerance=raw.get("tolerance"), choices=tuple(raw["choices"]) if raw.get("choices") else None,
        points=float(raw.get("points", 1.0)), depends_on=tuple(raw.get("depends_on") or ()),
        ecf_credit=float(raw.get("ecf_credit", 1.0)), ask=str(raw.get("ask", "")), args=dict(raw.get("args") or {}),
        prompt=str(raw.get("prompt", "")), mistakes=tuple(raw.get("mistakes") or ()),
        solution=tuple(raw.get("solution") or ()), prompt_data=raw.get("prompt_data"), answer_data=raw.get("answer_data"),
        language=language, html=raw.get("html"),
    )


TYPESETTING = "typesetting"  # a version's last member: its sentences and trees, to typeset again


def with_typesetting(entry: dict[str, Any], typesetting: dict[str, Any], inline: bool) -> dict[str, Any]:
    """A version's key.json entry with its typesetting data: sentences as data (a key and its
    parameters) and the key's trees, for pages made otherwise or in another language.

    Where the entry holds its HTML (prompts, keys, steps and messages as the HTML key typeset
    them), feedback pages need none of it: it goes last, in one member, which grading does not
    read (:func:`entry_line`; parsing it was half the cost of reading a version). Without the
    HTML (``inline``) each part carries its own, where pages look for it."""
    with_data = {**entry, TYPESETTING: typesetting}
    return _inlined(with_data) if inline else with_data


def _inlined(raw: dict[str, Any]) -> dict[str, Any]:
    """An entry with its typesetting member spread into its problems and parts (the fields of
    key.json before the member existed, which the readers use)."""
    data = raw.get(TYPESETTING)
    if not isinstance(data, dict):
        return raw
    statements, parts = data.get("statements") or [], data.get("parts") or {}
    problems = []
    for position, problem in enumerate(raw["problems"]):
        merged_parts = []
        for part in problem["parts"]:
            extra = parts.get(part["id"]) or {}
            messages, steps = extra.get("mistakes") or [], extra.get("solution") or []
            mistakes = [{**m, "message_data": messages[i] if i < len(messages) else None} for i, m in enumerate(part.get("mistakes") or ())]
            solution = [{**step, "text_data": steps[i][0], "math_data": steps[i][1]} if i < len(steps) else step
                        for i, step in enumerate(part.get("solution") or ())]
            merged_parts.append({**part, "prompt_data": extra.get("prompt"), "answer_data": extra.get("answer"),
                                 "mistakes": mistakes, "solution": solution})
        statement = statements[position] if position < len(statements) else None
        problems.append({**problem, "statement_data": statement, "parts": merged_parts})
    return {**{k: v for k, v in raw.items() if k != TYPESETTING}, "problems": problems}


_TYPESETTING_MEMBER = b',"' + TYPESETTING.encode() + b'":'


def entry_line(entry: dict[str, Any]) -> tuple[bytes, int]:
    """A version's line in key.json, and how many of its bytes grading reads: all but the
    typesetting member, which is written last (the line cut there and closed is valid JSON)."""
    typesetting = entry.get(TYPESETTING)
    main = _compact({k: v for k, v in entry.items() if k != TYPESETTING})
    if typesetting is None:
        return main, len(main)
    head = main[:-1]
    return head + _TYPESETTING_MEMBER + _compact(typesetting) + b"}", len(head)


def _compact(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _graded_length(line: bytes, raw: dict[str, Any]) -> int:
    """Where :func:`entry_line` cut ``line`` (parsed as ``raw``); its length when it was not cut."""
    typesetting = raw.get(TYPESETTING)
    if typesetting is not None:
        tail = _TYPESETTING_MEMBER + _compact(typesetting) + b"}"
        if line.endswith(tail):
            return len(line) - len(tail)
    return len(line)


def _version_from(raw: dict[str, Any], language: str) -> KeyVersion:
    raw = _inlined(raw)
    problems = tuple(
        KeyProblem(
            number=int(p["number"]), family=str(p["family"]), statement=str(p.get("statement", "")),
            givens=dict(p.get("description", {}).get("givens", {})), parts=tuple(_part(q, language) for q in p["parts"]),
            statement_data=p.get("statement_data"), figure=p.get("figure"), statement_html=p.get("statement_html"),
        )
        for p in raw["problems"]
    )
    student = raw.get("student") or None
    return KeyVersion(
        version=str(raw["version"]), seed=int(raw["seed"]), student_id=student["id"] if student else None,
        student_name=student.get("name", "") if student else "", problems=problems,
        parts={part.id: part for problem in problems for part in problem.parts},
    )


def _not_a_key(path: Path, why: str) -> InputFileError:
    return InputFileError(f"{path} is not a key.json written by exgen generate ({why})")


def load_key(path: Path, language: str | None = None) -> Key:
    """The key of a class set, all of it in memory; ``language`` overrides the sheet's own for
    messages and reports. (Batch grading reads versions one at a time: :func:`load_key_index`.)"""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputFileError(f"no such key file: {path}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as problem:
        raise _not_a_key(path, str(problem)) from None
    if not isinstance(data, dict) or "versions" not in data:
        raise _not_a_key(path, "no versions")
    versions: dict[str, KeyVersion] = {}
    by_student: dict[str, str] = {}
    language = language or str(data.get("spec", {}).get("language") or "en")
    try:
        for raw in data["versions"]:
            version = _version_from(raw, language)
            versions[version.version] = version
            if version.student_id:
                by_student[version.student_id] = version.version
    except (KeyError, TypeError, ValueError, AttributeError) as problem:
        raise InputFileError(f"{path}: a version entry is incomplete ({problem!r})") from None
    return Key(path, str(data.get("spec", {}).get("title", "")), versions, by_student, language)


# -- the index: where each version is in key.json, and the little the parent needs ------------

INDEX_SUFFIX = ".index.json"  # key.json → key.index.json beside it


@dataclass(frozen=True, slots=True)
class VersionEntry:
    """One version as the index knows it: who it is for, its parts, where it is in key.json."""

    version: str
    student_id: str | None
    student_name: str
    offset: int  # bytes into key.json
    length: int
    parts: tuple[tuple[str, float], ...]  # (part id, points), in sheet order
    graded: int  # bytes of the line grading reads: all but its typesetting member (entry_line)

    @property
    def maximum(self) -> float:
        return sum(points for _, points in self.parts)


@dataclass(frozen=True)
class KeyIndex:
    """What grading needs of a key without holding it: versions are read one at a time by
    :func:`read_version`. Duck-compatible with :class:`Key` for reading submissions."""

    path: Path
    title: str
    language: str
    versions: dict[str, VersionEntry]
    by_student: dict[str, str]
    part_ids: list[str]
    digest: str  # of key.json, so an index never describes another key

    @property
    def names(self) -> dict[str, str]:
        return {v.student_id: v.student_name for v in self.versions.values() if v.student_id}


def index_path(key_path: Path) -> Path:
    return key_path.with_name(key_path.stem + INDEX_SUFFIX)


def key_digest(path: Path) -> str:
    """A file's identity: SHA-256 (processors hash it in hardware: twice as fast as BLAKE2 here),
    remembered per machine for the file as it is on disk (:func:`_file_identity`): hashing the
    key of 3,000 versions took 0.7–0.9 s before grading could start, at every run."""
    identity = _file_identity(path)
    record = _digest_record(path) if identity is not None else None
    remembered = _remembered_digest(record, identity) if record is not None else None
    if remembered is not None:
        return remembered
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()[:32]
    if record is not None and _file_identity(path) == identity:  # unchanged while it was read
        _remember_digest(record, identity, digest)
    return digest


RACY_SECONDS = 2.0  # a file modified this recently may change again within its timestamps' resolution


def _file_identity(path: Path) -> list[int] | None:
    """What changes whenever the file's content does: device, inode, size, and the times of its
    last modification and status change (the latter cannot be set back by a user), as git's
    index and make rely on. None for a file modified too recently to tell a later change apart
    (a coarse-grained file system): such a file is hashed every time."""
    import time

    try:
        stat = path.stat()
    except OSError:
        return None
    if time.time_ns() - max(stat.st_mtime_ns, stat.st_ctime_ns) < RACY_SECONDS * 1e9:
        return None
    return [stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns]


def _digest_record(path: Path) -> Path | None:
    """Where this machine remembers ``path``'s digest for this user (None: nowhere safe)."""
    from exgen.private_folder import private_folder

    folder = private_folder("digests")
    if folder is None:
        return None
    name = hashlib.sha256(str(path.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return folder / f"{name}.json"


def _remembered_digest(record: Path, identity: list[int] | None) -> str | None:
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("identity") != identity or not isinstance(data.get("digest"), str):
        return None
    return str(data["digest"])


def _remember_digest(record: Path, identity: list[int] | None, digest: str) -> None:
    import os
    import tempfile

    try:  # written whole and renamed: a reader never sees half a record
        handle, temporary = tempfile.mkstemp(dir=record.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({"identity": identity, "digest": digest}, out)
        os.replace(temporary, record)
    except OSError:  # a full or read-only disk costs a hash next time, nothing more
        pass


def _part_order(part_id: str) -> tuple[int, str]:
    return (int(part_id[:-1]), part_id[-1]) if part_id[:-1].isdigit() else (1 << 30, part_id)


def _index_from(path: Path, title: str, language: str, entries: list[VersionEntry], digest: str) -> KeyIndex:
    ids: set[str] = set()
    for entry in entries:
        ids.update(part for part, _ in entry.parts)
    return KeyIndex(
        path, title, language, {e.version: e for e in entries},
        {e.student_id: e.version for e in entries if e.student_id}, sorted(ids, key=_part_order), digest,
    )


INDEX_FORMAT = 3  # versions refer to their structure (part ids and points), stored once; and say where grading stops reading


def write_key_index(key_path: Path, title: str, language: str, entries: list[VersionEntry]) -> None:
    """key.index.json beside key.json (written by exgen generate; derived again when absent).
    A class shares a handful of structures (part ids and points); each is written once and a
    version names its own by number, so reading the index makes few objects (a list per part
    and version left 16 MB in the grading process's heap at 3,000 students after it was read)."""
    structures: dict[tuple[tuple[str, float], ...], int] = {}
    versions = [[e.version, e.student_id, e.student_name, e.offset, e.length, structures.setdefault(e.parts, len(structures)), e.graded]
                for e in entries]
    data = {
        "exgen_key_index": INDEX_FORMAT, "key_digest": key_digest(key_path), "title": title, "language": language,
        "structures": [[list(p) for p in parts] for parts in structures], "versions": versions,
    }
    index_path(key_path).write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def load_key_index(path: Path, language: str | None = None) -> KeyIndex:
    """The index of ``path``: key.index.json if it describes this very key.json, else derived
    by one pass over key.json, a version at a time (memory stays flat either way)."""
    if not path.is_file():
        raise InputFileError(f"no such key file: {path}")
    digest = key_digest(path)
    stored = index_path(path)
    if stored.is_file():
        try:
            data = json.loads(stored.read_text(encoding="utf-8"))
            if data.get("exgen_key_index") == INDEX_FORMAT and data.get("key_digest") == digest:
                structures = [tuple((str(p), float(q)) for p, q in parts) for parts in data["structures"]]
                entries = [VersionEntry(str(v), s, str(name), int(o), int(n), structures[k], int(g))
                           for v, s, name, o, n, k, g in data["versions"]]
                return _index_from(path, str(data["title"]), language or str(data["language"]), entries, digest)
        except (ValueError, KeyError, TypeError, IndexError):
            pass  # a damaged index (or one of an older format) is derived again, like a missing one
    return _derive_index(path, language, digest)


def _derive_index(path: Path, language: str | None, digest: str) -> KeyIndex:
    """One version per line, as exgen writes key.json; any other layout is read whole once."""
    entries: list[VersionEntry] = []
    shared: dict[Any, Any] = {}  # versions share their structure: one tuple for all
    head: dict[str, Any] | None = None
    with path.open("rb") as handle:
        first = handle.readline()
        try:
            text = first.decode("utf-8-sig").rstrip()
            head = json.loads(text[:-1] + "}") if text.endswith(",") else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            head = None
        if head is not None and handle.readline().strip() == b'"versions":[':
            offset = handle.tell()
            for line in handle:
                body = line.rstrip(b"\r\n")
                if body.endswith(b","):
                    body = body[:-1]
                if body.startswith(b"{"):
                    try:
                        raw = json.loads(body)
                        entries.append(_entry(raw, offset, len(body), shared, _graded_length(body, raw)))
                    except (ValueError, KeyError, TypeError):
                        head = None
                        break
                elif body not in (b"]}", b"]", b""):
                    head = None
                    break
                offset += len(line)
        else:
            head = None
    if head is None:
        return _index_of_whole(path, language, digest)
    spec = head.get("spec", {}) if isinstance(head, dict) else {}
    return _index_from(path, str(spec.get("title", "")), language or str(spec.get("language") or "en"), entries, digest)


def _entry(raw: dict[str, Any], offset: int, length: int, shared: dict[Any, Any], graded: int) -> VersionEntry:
    student = raw.get("student") or None
    parts = tuple((str(q["id"]), float(q.get("points", 1.0))) for p in raw["problems"] for q in p["parts"])
    return VersionEntry(str(raw["version"]), student["id"] if student else None,
                        student.get("name", "") if student else "", offset, length, shared.setdefault(parts, parts), graded)


def _index_of_whole(path: Path, language: str | None, digest: str) -> KeyIndex:
    """A key.json laid out otherwise (edited by hand, pretty-printed): a normalized copy, one
    version per line, in the temporary folder, indexed; the key is read whole this once."""
    import tempfile

    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as problem:
        raise _not_a_key(path, str(problem)) from None
    if not isinstance(data, dict) or not isinstance(data.get("versions"), list):
        raise _not_a_key(path, "no versions")
    copy = Path(tempfile.mkdtemp(prefix="exgen-key-")) / "key.json"
    head = json.dumps({k: v for k, v in data.items() if k != "versions"}, ensure_ascii=False)
    entries: list[VersionEntry] = []
    shared: dict[Any, Any] = {}
    with copy.open("wb") as handle:
        handle.write((head[:-1] + (',' if len(head) > 2 else '') + '\n"versions":[\n').encode("utf-8"))
        for number, raw in enumerate(data["versions"]):
            try:
                body, graded = entry_line(raw)
            except (TypeError, ValueError, AttributeError) as problem:
                raise InputFileError(f"{path}: a version entry is incomplete ({problem!r})") from None
            if number:
                handle.write(b",\n")
            try:
                entries.append(_entry(raw, handle.tell(), len(body), shared, graded))
            except (KeyError, TypeError, ValueError, AttributeError) as problem:
                raise InputFileError(f"{path}: a version entry is incomplete ({problem!r})") from None
            handle.write(body)
        handle.write(b"\n]}\n")
    spec = data.get("spec", {}) if isinstance(data.get("spec"), dict) else {}
    return _index_from(copy, str(spec.get("title", "")), language or str(spec.get("language") or "en"), entries, digest)


def read_version(index: KeyIndex, entry: VersionEntry, handle: BinaryIO | None = None) -> KeyVersion:
    """One version of the key, read from its place in key.json."""
    if handle is None:
        with index.path.open("rb") as own:
            return read_version(index, entry, own)
    handle.seek(entry.offset)
    try:
        line = handle.read(entry.length)
        raw = json.loads(line if entry.graded >= entry.length else line[: entry.graded] + b"}")
        if str(raw["version"]) != entry.version:
            raise ValueError("the index does not match key.json")
        return _version_from(raw, index.language)
    except (KeyError, TypeError, ValueError) as problem:
        raise InputFileError(f"{index.path}: version {entry.version} cannot be read ({problem})") from None
