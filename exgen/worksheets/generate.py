"""Generate a class set: one version per student (or K anonymous versions) of a worksheet.

Writes, into the output folder:

* ``worksheets/V001[-student].{tex,html,pdf}`` and ``keys/V001[-student].{tex,html,pdf}``;
* ``print.{tex,html,pdf}``: every worksheet, then every key, for the printer;
* ``key.json``: everything needed to grade and to re-derive each answer, per version;
* ``answers.csv``: the sheet to collect answers in (``student,version,<part ids>``), read back
  by ``exgen grade``.

Versions are generated in parallel processes; the output does not depend on how many.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from exgen import __version__
from exgen.errors import ExgenError, UsageError
from exgen.i18n import t, use_locale
from exgen.problems.base import derive_seed, student_seed
from exgen.problems.model import Problem
from exgen.problems.sets import Section, generate_set
from exgen.rendering.document import Sheet, syntax_help, typeset_problem
from exgen.rendering.pdf import engine_for
from exgen.rendering.text import render, text_data
from exgen.spreadsheet import spreadsheet_cell
from exgen.worksheets.roster import Student
from exgen.worksheets.spec import WorksheetSpec

FORMATS = ("tex", "pdf", "html", "json")
OUTPUT_ENTRIES = ("worksheets", "keys", "print.tex", "print.html", "print.pdf", "key.json", "key.index.json", "answers.csv")


@dataclass(frozen=True)
class Version:
    id: str
    seed: int
    student: Student | None = None

    @property
    def stem(self) -> str:
        """File name stem: the version id, plus a file-safe student id."""
        if self.student is None:
            return self.id
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", self.student.id).strip("._") or "student"
        return f"{self.id}-{slug}"


@dataclass
class VersionOutput:
    version: Version
    files: dict[str, str]  # relative path -> content
    bodies: dict[str, tuple[str, str]]  # format -> (worksheet body, key body) for the print files
    key: dict[str, Any]


@dataclass
class BuiltVersion:
    """What a worker hands back once it has written a version's files: only what the set as a
    whole needs (big texts, its key.json entry included, stay on disk, so the parent neither
    unpickles nor holds them: its memory stays flat in the number of versions)."""

    version: Version
    files: list[str]  # relative paths written into the staging folder
    structure: list[tuple[Any, ...]]  # see version_structure
    part_ids: list[tuple[int, str, str]]  # (problem, part, id) for answers.csv
    engine: tuple[str, bool]  # what its LaTeX needs: engine and CJK
    key_graded: int  # bytes of its key.json line that grading reads (see exgen.grading.key.entry_line)


@dataclass
class GenerationResult:
    out: Path
    versions: int
    problems: int
    formats: tuple[str, ...]
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0


_ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud, typed by hand


def version_id(seed: int, length: int = 6) -> str:
    """A student's version id, from their seed (so from the course seed and their id): V7KQ3MX."""
    digits = []
    for _ in range(length):
        seed, rest = divmod(seed, len(_ID_ALPHABET))
        digits.append(_ID_ALPHABET[rest])
    return "V" + "".join(digits)


def plan_versions(spec: WorksheetSpec, roster: Sequence[Student] | None, count: int) -> list[Version]:
    """Versions and seeds. With a roster, a student's version id and seed come from the course
    seed and their id alone, so they stay theirs when the roster changes; anonymous versions
    are V001, V002, … by number."""
    if roster:
        seeds = [student_seed(spec.seed, s.id) for s in roster]
        ids = [version_id(seed) for seed in seeds]
        # students whose ids collide (about once in 20,000 classes of 300) keep apart by longer
        # ids for the later ones in student-id order, whatever the roster's order
        holders: dict[str, list[int]] = {}
        for index, vid in enumerate(ids):
            holders.setdefault(vid, []).append(index)
        for indices in holders.values():
            for rank, j in enumerate(sorted(indices, key=lambda i: roster[i].id)[1:], start=1):
                ids[j] = version_id(seeds[j], 6 + rank)
        return [Version(vid, seed, student) for vid, seed, student in zip(ids, seeds, roster)]
    width = max(3, len(str(count)))
    return [Version(f"V{i:0{width}d}", derive_seed("version", spec.seed, i)) for i in range(1, count + 1)]


def _sheet(spec: WorksheetSpec, version: Version, problems: list[Any], key: bool, standalone: bool, help_lines: list[Any]) -> Sheet:
    return Sheet(
        title=spec.title, course=spec.course, date=spec.date, instructions=spec.instructions,
        version=version.id, student_id=version.student.id if version.student else "",
        student_name=version.student.name if version.student else "", seed=version.seed,
        language=spec.language, problems=problems, key=key, standalone=standalone, syntax_help=help_lines,
    )


def _figure_entry(figure: Any, caption: Any, sheet_figure: Any, sheet_caption: Any) -> dict[str, str] | None:
    """A problem's figures in key.json, as HTML: the key's, and the worksheet's where it has one."""
    if figure is None:
        return None
    entry = {"html": str(figure), "caption_html": str(caption)}
    if sheet_figure is not None:
        entry |= {"sheet_html": str(sheet_figure), "sheet_caption_html": str(sheet_caption)}
    return entry


def _key_entry(spec: WorksheetSpec, version: Version, problems: list[Problem], figures: list[dict[str, str] | None] | None = None,
               typeset: list[Any] | None = None) -> dict[str, Any]:
    """A version's entry in key.json. ``typeset``: its problems as the HTML key shows them,
    stored with each part so feedback pages insert them instead of typesetting again."""
    from exgen.answers.kinds import get_kind
    from exgen.answers.kinds.base import json_display
    from exgen.grading.key import with_typesetting

    entry: dict[str, Any] = {
        "version": version.id,
        "seed": version.seed,
        "student": {"id": version.student.id, "name": version.student.name} if version.student else None,
        "problems": [],
    }
    statements: list[Any] = []
    part_data: dict[str, Any] = {}
    for number, problem in enumerate(problems, start=1):
        parts = []
        shown = typeset[number - 1] if typeset else None
        for index, part in enumerate(problem.parts):
            kind = get_kind(part.kind)
            page = shown.parts[index] if shown else None
            part_id = f"{number}{part.id}"
            part_data[part_id] = {
                "prompt": text_data(part.prompt),
                "answer": json_display(kind.display_data(part.answer, part.variables)),  # the key as typeset
                "mistakes": [text_data(m.text) for m in part.mistakes],
                "solution": [[text_data(step.text),
                              json_display(kind.display_data(step.value, part.variables)) if step.value is not None else None]
                             for step in part.steps],
            }
            parts.append({
                "id": part_id,
                "part": part.id,
                "kind": part.kind,
                "answer": kind.typed(part.answer),  # calculator syntax, read back with exgen's reader
                "variables": list(part.variables),
                "functions": list(part.functions),
                "tolerance": part.tolerance,
                "choices": list(part.choices) if part.choices else None,
                "points": part.points,
                "depends_on": [f"{number}{d}" for d in part.depends_on],
                "ecf_credit": part.ecf_credit,
                "ask": part.ask,
                "args": dict(part.args),
                "prompt": render(part.prompt),
                # All mistake models; the grader drops any it would accept as the key.
                "mistakes": [
                    {"id": m.id, "answer": kind.typed(m.answer), "message": render(m.text), "message_html": render(m.text, "html")}
                    for m in part.mistakes
                ],
                "solution": [
                    {"text": render(step.text), "math": kind.typed(step.value) if step.value is not None else None}
                    for step in part.steps
                ],
                **({"html": {"prompt": str(page.prompt), "key": str(page.answer),
                             "steps": [[str(step["text"]), str(step["math"]) if step["math"] else None] for step in page.steps]}}
                   if page is not None else {}),
            })
        entry["problems"].append({
            "number": number,
            "family": problem.family,
            "difficulty": problem.difficulty,
            "seed": problem.seed,
            "statement": render(problem.statement),
            **({"statement_html": str(shown.statement)} if shown is not None else {}),
            **({"figure": figures[number - 1]} if figures and figures[number - 1] else {}),
            "description": problem.describe(),
            "parts": parts,
        })
        statements.append(text_data(problem.statement))
    return with_typesetting(entry, {"statements": statements, "parts": part_data}, inline=typeset is None)


def scored(spec: WorksheetSpec, problems: list[Problem]) -> list[Problem]:
    """The problems with the spec's points and credit factors (see exgen.problems.scoring)."""
    from exgen.problems.scoring import apply_scoring

    sections = [section for section in spec.sections for _ in range(section.count)]
    return [
        apply_scoring(problem, ask_points=dict(section.ask_points), total=section.total,
                      ecf=dict(section.ecf) if isinstance(section.ecf, tuple) else section.ecf)
        for problem, section in zip(problems, sections)
    ]


def build_version(
    spec: WorksheetSpec, version: Version, formats: tuple[str, ...], templates: str | None, verify: bool = False
) -> VersionOutput:
    """Generate, typeset and render one version (runs in a worker process)."""
    from exgen.rendering.templates import environment

    sections = [Section(s.family, s.count, s.difficulty) for s in spec.sections]
    from exgen.rendering.document import draw_figure, typeset_figure

    titles = [s.title for s in spec.sections for _ in range(s.count)]
    places = [s.figures for s in spec.sections for _ in range(s.count)]
    with use_locale(spec.language):
        problems = scored(spec, generate_set(sections, version.seed, verify=verify))
        files: dict[str, str] = {}
        bodies: dict[str, tuple[str, str]] = {}
        drawn = [draw_figure(p) if place != "none" else None for p, place in zip(problems, places)]
        figures: list[dict[str, str] | None] | None = None
        typeset_html: list[Any] | None = None
        for fmt in ("tex", "html"):
            if fmt not in formats and not (fmt == "tex" and "pdf" in formats):
                continue
            env = environment(fmt, templates)
            typeset = [typeset_problem(p, i, fmt, titles[i - 1], places[i - 1], drawn[i - 1]) for i, p in enumerate(problems, start=1)]
            if fmt == "html":  # feedback and answer pages show the same figures: they travel in key.json
                typeset_html = typeset
                figures = [_figure_entry(tp.figure, tp.figure_caption, tp.sheet_figure, tp.sheet_figure_caption) for tp in typeset]
            help_lines = syntax_help(problems, fmt)
            rendered = []
            for key, folder in ((False, "worksheets"), (True, "keys")):
                template = env.get_template(f"{'key' if key else 'worksheet'}.{fmt}.j2")
                sheet = _sheet(spec, version, typeset, key, True, help_lines)
                standalone = template.render(sheet.context())
                if fmt == "tex" and engine_for(standalone)[0] != "pdflatex":  # a name in another script
                    sheet.engine, sheet.cjk = engine_for(standalone)
                    standalone = template.render(sheet.context())
                if fmt in formats:
                    files[f"{folder}/{version.stem}.{fmt}"] = standalone
                body = _body(standalone, fmt)
                if body is None:  # a custom base template without the body markers
                    body = template.render(_sheet(spec, version, typeset, key, False, help_lines).context())
                rendered.append(body)
            bodies[fmt] = (rendered[0], rendered[1])
        if figures is None:  # no HTML asked for: draw them for key.json alone
            figures = [_figure_entry(*typeset_figure(d, "html"), *(typeset_figure(d.for_worksheet(), "html") if place == "both" else (None, None)))
                       if d else None for d, place in zip(drawn, places)]
        if typeset_html is None:  # no HTML asked for: typeset for key.json alone (the feedback pages)
            typeset_html = [typeset_problem(p, i, "html", titles[i - 1], "none") for i, p in enumerate(problems, start=1)]
        key_entry = _key_entry(spec, version, problems, figures, typeset_html)
    return VersionOutput(version, files, bodies, key_entry)


BODY_MARKERS = {
    "tex": ("% exgen:body-start\n", "% exgen:body-end\n"),
    "html": ("<!-- exgen:body-start -->\n", "<!-- exgen:body-end -->\n"),
}


def _body(document: str, fmt: str) -> str | None:
    """The sheet's body inside a standalone document (the base templates mark it)."""
    start, end = BODY_MARKERS[fmt]
    first, last = document.find(start), document.rfind(end)
    if first < 0 or last < first:
        return None
    return document[first + len(start) : last]


class _ChunkBuilder:
    """:func:`_build_chunk` in a worker, whose heap stays paced from chunk to chunk: it is
    mostly long-lived caches (sympy's, the printers'), which the collector otherwise rescans
    every few thousand allocations (10–15 % of a build)."""

    def __init__(self) -> None:
        from exgen.workers import PacedCollection

        self.pacing = PacedCollection(every=64)

    def __call__(self, args: tuple[Any, ...]) -> tuple[list[BuiltVersion], tuple[str, Any] | None]:
        """Build a chunk; with an engine (the last member of ``args``), also compile its PDFs
        with that engine, so that TeX runs while other workers are still building."""
        import multiprocessing

        in_worker = multiprocessing.parent_process() is not None  # never pace the caller's own heap
        *build, engine = args
        built = _build_chunk(tuple(build), self.pacing if in_worker else None)  # type: ignore[arg-type]
        if engine is None:
            return built, None
        spec, _, _, templates, _, staging, start = build
        members = [(start + offset, b.version.id, b.version.stem) for offset, b in enumerate(built)]
        return built, _pdf_chunk((spec, templates, staging, *engine, members))


def _build_chunk(args: tuple[WorksheetSpec, list[Version], tuple[str, ...], str | None, bool, str, int],
                 pacing: Any = None) -> list[BuiltVersion]:
    """Build, typeset and write a chunk of versions into the staging folder: each version's own
    files, and its bodies for the print files (``.print-parts/<fmt>-<sheet|key>-<index>``,
    ``index`` its place in the plan, so later steps read them in any grouping)."""
    from exgen.grading.key import entry_line
    from exgen.rendering.pdf import engine_for

    spec, versions, formats, templates, verify, staging, start = args
    folder = Path(staging)
    built = []
    for offset, version in enumerate(versions):
        if pacing is not None:
            pacing.tick()
        output = build_version(spec, version, formats, templates, verify)
        for relative, content in output.files.items():
            _write(folder / relative, content)
        for fmt, pair in output.bodies.items():
            for kind, body in zip(("sheet", "key"), pair):
                _write(_body_file(folder, fmt, kind, start + offset), body)
        engine = _combined_engine(engine_for(body) for body in output.bodies.get("tex", ()))
        key = output.key
        line, graded = entry_line(key)
        (folder / PRINT_PARTS).mkdir(parents=True, exist_ok=True)
        _body_file(folder, "json", "key", start + offset).write_bytes(line)
        built.append(BuiltVersion(
            version, sorted(output.files), version_structure(key),
            [(problem["number"], part["part"], part["id"]) for problem in key["problems"] for part in problem["parts"]], engine,
            graded,
        ))
    return built


def _body_file(staging: Path, fmt: str, kind: str, index: int) -> Path:
    return staging / PRINT_PARTS / f"{fmt}-{kind}-{index:06d}"


PRINT_PARTS = ".print-parts"  # inside the staging folder; never published


def check_output_folder(out: Path, force: bool) -> list[str]:
    """Refuse to overwrite an earlier set unless forced; return exgen's files already there."""
    existing = [name for name in OUTPUT_ENTRIES if (out / name).exists()]
    if existing and not force:
        raise ExgenError(
            f"{out} already holds generated files ({', '.join(existing)}); use --force to replace them or --out to choose another folder"
        )
    return existing


def publish(staging: Path, out: Path, names: Sequence[str]) -> None:
    """Move a complete set from ``staging`` into ``out``, replacing the earlier one only now."""
    trash = Path(tempfile.mkdtemp(prefix=".exgen-old-", dir=out))
    try:
        for name in OUTPUT_ENTRIES:
            if (out / name).exists():
                (out / name).replace(trash / name)
        for name in names:
            (staging / name).replace(out / name)
    finally:
        shutil.rmtree(trash, ignore_errors=True)
        shutil.rmtree(staging, ignore_errors=True)


def generate_class_set(
    spec: WorksheetSpec,
    out: Path,
    *,
    roster: Sequence[Student] | None = None,
    versions: int = 1,
    formats: Sequence[str] = ("tex", "html", "json"),
    templates: Path | None = None,
    force: bool = False,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    verify: bool = False,
) -> GenerationResult:
    """Generate the class set into ``out``. ``verify`` re-derives and checks every problem
    through the answer engine before it is used (slower); a failing variant is replaced."""
    start = time.perf_counter()
    chosen = tuple(f for f in FORMATS if f in formats)
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise UsageError(f"unknown format(s) {', '.join(sorted(unknown))}; choose from {', '.join(FORMATS)}")
    if not spec.sections:
        raise UsageError("the worksheet has no problems: give a spec with sections or --topic")
    if "pdf" in chosen:
        from exgen.rendering.pdf import require_tex

        require_tex()
    if templates is not None and not templates.is_dir():
        raise UsageError(f"--templates {templates} is not a folder")
    plan = plan_versions(spec, roster, versions)
    out.mkdir(parents=True, exist_ok=True)
    check_output_folder(out, force)
    template_dir = str(templates.resolve()) if templates else None

    # Everything is built in a staging folder inside ``out`` and moved into place only when the
    # whole set succeeded: a failed build (a LaTeX error, an interruption) leaves the earlier set
    # as it was.
    staging = Path(tempfile.mkdtemp(prefix=".exgen-staging-", dir=out))
    result = GenerationResult(out, len(plan), spec.problem_count, chosen)
    try:
        expected_engine = _expected_engine(spec, plan) if "pdf" in chosen else None
        outputs, pdf_runs = _build_all(spec, plan, chosen, template_dir, workers, progress, verify, staging, expected_engine)
        unfair = _differences([(o.version.id, o.structure) for o in outputs])
        if unfair:  # by construction this cannot happen: a family that varies is a bug
            raise ExgenError("the versions of this set differ in structure: " + "; ".join(unfair[:3]))
        for output in outputs:
            result.files += output.files
        with use_locale(spec.language):
            _write_print_files(spec, outputs, staging, chosen, template_dir, result)
        if "pdf" in chosen:
            if pdf_runs is not None and _set_engine(spec, outputs) != expected_engine:
                pdf_runs = None  # compiled again, with the engine the set needs
            result.files += _build_pdfs(spec, outputs, staging, template_dir, workers, pdf_runs)
        _key_json(spec, outputs, staging)
        shutil.rmtree(staging / PRINT_PARTS, ignore_errors=True)
        _write(staging / "answers.csv", _answer_sheet(outputs))
        result.files += ["key.json", "key.index.json", "answers.csv"]
    except ExgenError as problem:
        shutil.rmtree(staging, ignore_errors=True)
        problem.message += f"\nNothing was written: {out} is as it was."
        raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    publish(staging, out, sorted({name.split("/")[0] for name in result.files}))
    result.seconds = time.perf_counter() - start
    return result


CHUNK_SECONDS = 120.0  # a chunk of versions that takes longer than this is a bug, reported as one


def _build_all(
    spec: WorksheetSpec, plan: list[Version], formats: tuple[str, ...], templates: str | None, workers: int,
    progress: Callable[[int], None] | None, verify: bool, staging: Path, pdf_engine: tuple[str, bool] | None = None,
) -> tuple[list[BuiltVersion], list[tuple[str, Any]] | None]:
    """Every version built and written into ``staging``, in plan order. With ``pdf_engine`` and
    workers, each TeX chunk is compiled with that engine as soon as its versions are built;
    then the results of those runs come back too (else None: the PDFs are still to make)."""
    if workers <= 1 or len(plan) < 4:
        built = []
        for index, version in enumerate(plan):  # one at a time, so progress moves with each version
            built += _build_chunk((spec, [version], formats, templates, verify, str(staging), index))
            if progress:
                progress(1)
        return built, None
    from exgen.workers import run_all

    if pdf_engine is not None:  # each task is then one TeX chunk: its versions, then their PDFs
        size = PDF_CHUNK
    else:
        size = max(1, min(25, len(plan) // (workers * 4) or 1))
    tasks = [(spec, plan[i : i + size], formats, templates, verify, str(staging), i, pdf_engine) for i in range(0, len(plan), size)]

    def lost(task: tuple[Any, ...], why: str) -> list[BuiltVersion]:
        versions = ", ".join(v.id for v in task[1])
        raise ExgenError(f"building versions {versions} failed: the worker {'took too long' if why == 'timeout' else 'crashed'}")

    remaining = len(plan)

    def tick(_: int) -> None:  # every chunk but the last holds ``size`` versions
        nonlocal remaining
        if progress:
            progress(min(size, remaining))
        remaining -= size

    seconds = CHUNK_SECONDS * (10 if verify else 1) + (TEX_SECONDS if pdf_engine is not None else 0)
    results = run_all(_ChunkBuilder(), tasks, workers, seconds, lost, tick)
    return [o for chunk, _ in results for o in chunk], [pdf for _, pdf in results] if pdf_engine is not None else None


PDF_CHUNK = 25  # versions per TeX run: fixed, so every PDF's bytes are the same whatever --workers
TEX_SECONDS = 600.0  # for one TeX run over a chunk


def _expected_engine(spec: WorksheetSpec, plan: list[Version]) -> tuple[str, bool]:
    """The engine the set will need, known before it is built, so that chunks can be compiled
    while others are still being built: what varies beyond the problems' Latin-1 mathematics is
    the title, the students' names and the words of the language. Checked once the set is
    built (:func:`_set_engine`); if a version needed more, its PDFs are compiled again."""
    from exgen.rendering.pdf import engine_for
    from exgen.rendering.templates import colon, paren_text
    from exgen.rendering.text import escape_latex

    with use_locale(spec.language):
        words = [t("sheet.name"), t("sheet.version"), t("sheet.answer_key"), colon(), paren_text("")]
    names = [escape_latex(text) for v in plan if v.student is not None for text in (v.student.name, v.student.id)]
    return _combined_engine(engine_for(text) for text in [spec.title, *words, *names])


def _set_engine(spec: WorksheetSpec, outputs: list[BuiltVersion]) -> tuple[str, bool]:
    """One engine for the whole set (the files look alike whichever run made them)."""
    from exgen.rendering.pdf import engine_for

    return _combined_engine([o.engine for o in outputs] + [engine_for(spec.title)])


def _combined_engine(needs: Iterable[tuple[str, bool]]) -> tuple[str, bool]:
    """The engine for texts that need these: xelatex if any needs it, CJK fonts if any has CJK."""
    needs = list(needs)
    return ("xelatex" if any(e == "xelatex" for e, _ in needs) else "pdflatex"), any(c for _, c in needs)


def _pdf_chunk(args: tuple[WorksheetSpec, str | None, str, str, bool, list[tuple[int, str, str]]]) -> tuple[str, Any]:
    """One TeX run over a chunk's worksheets then keys, split into their PDFs in the staging
    folder; the chunk's PDF stays for print.pdf. Returns ("ok", worksheet pages) or ("error",
    message): a LaTeX error must reach the parent as a message, not as a dead worker."""
    from exgen.rendering.pdf import LatexError, compile_and_split
    from exgen.rendering.templates import environment

    spec, templates, staging, engine, cjk, members = args
    folder = Path(staging)
    bodies = [_safe(_body_file(folder, "tex", kind, index).read_text(encoding="utf-8")) for kind in ("sheet", "key") for index, _, _ in members]
    with use_locale(spec.language):
        source = environment("tex", templates).get_template("print.tex.j2").render(
            bodies=bodies, title=spec.title, language=spec.language, engine=engine, cjk=cjk)
    targets = {f"{vid}-worksheet": f"worksheets/{stem}.pdf" for _, vid, stem in members}
    targets |= {f"{vid}-key": f"keys/{stem}.pdf" for _, vid, stem in members}
    first = members[0][0]
    try:
        sheet_pages = compile_and_split(source, folder, targets, engine, folder / PDF_PARTS / f"{first:06d}.pdf",
                                        first_key=f"{members[0][1]}-key")
    except (LatexError, ExgenError) as problem:
        return "error", problem.message
    return "ok", sheet_pages


PDF_PARTS = ".pdf-parts"  # inside the staging folder; never published


def _build_pdfs(spec: WorksheetSpec, outputs: list[BuiltVersion], staging: Path, templates: str | None, workers: int,
                results: list[tuple[str, Any]] | None = None) -> list[str]:
    """Every sheet's PDF from parallel TeX runs over fixed chunks of the class, split in the
    workers, and print.pdf written from the chunks' pages: every worksheet, then every key.
    ``results``: those runs' results where they were made while the set was being built."""
    from exgen.rendering.pdf import write_print_pdf
    from exgen.workers import run_all

    engine, cjk = _set_engine(spec, outputs)
    members = [(index, o.version.id, o.version.stem) for index, o in enumerate(outputs)]
    chunks = [members[i : i + PDF_CHUNK] for i in range(0, len(members), PDF_CHUNK)]
    tasks = [(spec, templates, str(staging), engine, cjk, chunk) for chunk in chunks]

    def lost(task: tuple[Any, ...], why: str) -> tuple[str, Any]:
        return "error", f"the TeX run for {task[5][0][1]}…{task[5][-1][1]} {'took too long' if why == 'timeout' else 'crashed'}"

    if results is None:
        results = run_all(_pdf_chunk, tasks, workers, TEX_SECONDS, lost)
    errors = [message for status, message in results if status == "error"]
    if errors:
        raise ExgenError(errors[0])
    parts = [(staging / PDF_PARTS / f"{chunk[0][0]:06d}.pdf", pages) for chunk, (_, pages) in zip(chunks, results)]
    write_print_pdf(parts, staging / "print.pdf")
    shutil.rmtree(staging / PDF_PARTS, ignore_errors=True)
    return ["print.pdf"] + [f"worksheets/{stem}.pdf" for _, _, stem in members] + [f"keys/{stem}.pdf" for _, _, stem in members]


def _write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8", newline="\n")


def _write_print_files(
    spec: WorksheetSpec, outputs: list[BuiltVersion], staging: Path, formats: tuple[str, ...], templates: str | None,
    result: GenerationResult,
) -> None:
    """Write print.tex/print.html as requested, streamed from the versions' bodies (every
    worksheet, then every key)."""
    from exgen.rendering.templates import environment

    for fmt in ("tex", "html"):
        if fmt not in formats:
            continue
        engine, cjk = _set_engine(spec, outputs) if fmt == "tex" else ("", False)

        def bodies(fmt: str = fmt) -> Iterator[Any]:
            for kind in ("sheet", "key"):
                for index in range(len(outputs)):
                    yield _safe(_body_file(staging, fmt, kind, index).read_text(encoding="utf-8"))

        stream = environment(fmt, templates).get_template(f"print.{fmt}.j2").generate(
            bodies=bodies(), title=spec.title, language=spec.language, engine=engine, cjk=cjk
        )
        with (staging / f"print.{fmt}").open("w", encoding="utf-8", newline="\n") as handle:
            handle.writelines(stream)
        result.files.append(f"print.{fmt}")


def _safe(text: str) -> Any:
    from markupsafe import Markup

    return Markup(text)


def _key_json(spec: WorksheetSpec, outputs: Sequence[BuiltVersion], staging: Path) -> None:
    """key.json with one version per line (compact, still diff-able), streamed from the
    versions' entries on disk, and key.index.json beside it: where each version starts, so
    grading reads one version at a time."""
    from exgen.grading.key import VersionEntry, write_key_index

    head = json.dumps({"exgen": __version__, "format": 1, "spec": spec.to_dict()}, ensure_ascii=False)
    entries = []
    with (staging / "key.json").open("wb") as handle:
        handle.write((head[:-1] + ',\n"versions":[\n').encode("utf-8"))
        for index, built in enumerate(outputs):
            if index:
                handle.write(b",\n")
            body = _body_file(staging, "json", "key", index).read_bytes()
            student = built.version.student
            points = {(number, part): row[6] for row in built.structure for number, part in [(row[0], row[1])]}
            entries.append(VersionEntry(
                built.version.id, student.id if student else None, student.name if student else "", handle.tell(), len(body),
                tuple((part_id, float(points[(number, part)])) for number, part, part_id in built.part_ids), built.key_graded,
            ))
            handle.write(body)
        handle.write(b"\n]}\n")
    write_key_index(staging / "key.json", spec.title, spec.language, entries)


def version_structure(version: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Per part of a key.json version: problem, part, family, kind, ask and points."""
    return [
        (problem["number"], part["part"], problem["family"], problem["difficulty"], part["kind"], part["ask"], part["points"])
        for problem in version["problems"] for part in problem["parts"]
    ]


def structure_differences(versions: Sequence[dict[str, Any]]) -> list[str]:
    """How versions of one set (key.json entries) differ in structure (parts, kinds, asks,
    points); empty when every student has the same sheet but for the numbers, and the same
    maximum score."""
    return _differences([(v["version"], version_structure(v)) for v in versions])


def _differences(structures: Sequence[tuple[str, list[tuple[Any, ...]]]]) -> list[str]:
    if not structures:
        return []
    first_id, reference = structures[0]
    differences = []
    for version, mine in structures[1:]:
        if mine != reference:
            first = next((a, b) for a, b in zip([*mine, None], [*reference, None]) if a != b)
            differences.append(f"{version} has {first[0]} where {first_id} has {first[1]}")
    return differences


def _answer_sheet(outputs: list[BuiltVersion]) -> str:
    seen: dict[tuple[int, str], str] = {}
    for output in outputs:  # every part id of any version, in problem and part order
        for number, part, part_id in output.part_ids:
            seen.setdefault((number, part), part_id)
    columns = [seen[k] for k in sorted(seen)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "name", "version", *columns])
    for output in outputs:
        student = output.version.student
        writer.writerow([
            student.id if student else "", spreadsheet_cell(student.name) if student else "", output.version.id, *([""] * len(columns))
        ])
    return buffer.getvalue()


def with_seed(spec: WorksheetSpec, seed: int | None) -> WorksheetSpec:
    return spec if seed is None else replace(spec, seed=seed)


__all__ = ["generate_class_set", "plan_versions", "Version", "GenerationResult", "t"]
