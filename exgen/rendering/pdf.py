"""PDFs with pdflatex or xelatex: parallel TeX runs over fixed chunks of the class set, then
one file per sheet.

pdflatex is used while every character of the text is in Latin-1; a name such as 王小明,
Nguyễn Thị Hương, Σοφία or Дмитрий switches the set to xelatex with fonts that have them
(:func:`engine_for`); one engine serves the whole set.

Compiling hundreds of small documents costs hundreds of TeX start-ups, so each chunk of 25
versions (its worksheets, then its keys) is one document; each sheet writes its first physical
page into the ``.aux`` file (``\\exgenmark``), and the chunk's PDF is split at those pages
with pikepdf (qpdf), in the worker that compiled it. print.pdf is written from the chunks'
pages a page at a time (:class:`PrintPdf`: memory stays flat in the number of versions).
Builds are reproducible: ``SOURCE_DATE_EPOCH``/``FORCE_SOURCE_DATE`` fix the dates,
``\\pdftrailerid`` the ID, the split and joined files carry no time stamps and an ID from
their content, and the chunks do not depend on the number of workers.

A LaTeX error stops the build: the message shows the lines of the log that explain it and the
offending source line, and no PDF is written.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from exgen.errors import ExgenError

INSTALL_HINT = "sudo apt-get install latexmk texlive-latex-recommended texlive-fonts-recommended texlive-pictures"
UNICODE_HINT = "sudo apt-get install texlive-xetex texlive-lang-chinese fonts-freefont-otf"
_MARK = re.compile(r"\\exgenpage\{([^}]*)\}\{(\d+)\}")


class LatexError(ExgenError):
    """pdflatex failed; the message quotes the log."""


def require_tex(engine: str = "pdflatex") -> str:
    executable = shutil.which(engine)
    if executable is None:
        hint = INSTALL_HINT if engine == "pdflatex" else UNICODE_HINT
        why = "" if engine == "pdflatex" else " (the text has characters beyond Latin-1, such as a student's name)"
        raise ExgenError(f"PDF output needs {engine} from TeX Live{why}, which is not installed. On Debian: {hint} (tex, html and json work without it)")
    if not _has_pgf():
        raise ExgenError(f"PDF output needs PGF (the figures), which is not installed. On Debian: {INSTALL_HINT} (tex, html and json work without it)")
    return executable


@lru_cache(maxsize=1)
def _has_pgf() -> bool:
    kpsewhich = shutil.which("kpsewhich")
    if kpsewhich is None:  # a TeX without kpsewhich: let the TeX run say what is missing
        return True
    found = subprocess.run([kpsewhich, "pgf.sty"], capture_output=True, text=True, timeout=30)
    return bool(found.stdout.strip())


_BEYOND_LATIN1 = re.compile(r"[^\x00-\xff]")
_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def engine_for(source: str) -> tuple[str, bool]:
    """The engine a LaTeX source needs, and whether it has Chinese, Japanese or Korean text."""
    if not _BEYOND_LATIN1.search(source):
        return "pdflatex", False
    return "xelatex", _CJK.search(source) is not None


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("SOURCE_DATE_EPOCH", "0")
    env["FORCE_SOURCE_DATE"] = "1"
    return env


def run_pdflatex(source: str, workdir: Path, name: str = "print", engine: str | None = None) -> Path:
    """Compile ``source`` in ``workdir`` with ``engine`` (by default the one it needs); return
    the PDF path or raise :class:`LatexError`."""
    engine = engine or engine_for(source)[0]
    executable = require_tex(engine)
    tex = workdir / f"{name}.tex"
    tex.write_text(source, encoding="utf-8")
    completed = subprocess.run(
        [executable, "-interaction=nonstopmode", "-halt-on-error", "-file-line-error", f"{name}.tex"],
        cwd=workdir, env=_environment(), capture_output=True, text=True, errors="replace", timeout=600,
    )
    pdf = workdir / f"{name}.pdf"
    if completed.returncode != 0 or not pdf.exists():
        raise LatexError(explain_failure(workdir / f"{name}.log", source, tex))
    return pdf


def explain_failure(log: Path, source: str, tex: Path) -> str:
    """The error lines of a LaTeX log and the source line they point at."""
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    lines = text.splitlines()
    excerpt: list[str] = []
    line_number = None
    for index, line in enumerate(lines):
        if line.startswith("!") or re.match(r"^.*\.tex:\d+: ", line):
            excerpt += lines[index : index + 4]
            match = re.search(r"\.tex:(\d+):", line) or re.search(r"^l\.(\d+)", "\n".join(lines[index : index + 6]), re.M)
            if match:
                line_number = int(match.group(1))
            break
    source_lines = source.splitlines()
    context = ""
    if line_number and 0 < line_number <= len(source_lines):
        context = f"\n{tex}:{line_number}: {source_lines[line_number - 1].strip()[:200]}"
    detail = "\n".join(excerpt).strip() or "(no error message in the log)"
    return f"LaTeX failed:\n{detail}{context}\nThe LaTeX source is kept in {tex.parent}."


def compile_and_split(source: str, out: Path, targets: dict[str, str], engine: str, keep: Path, first_key: str) -> int:
    """Compile a print file (worksheets, then keys) and split it into ``targets`` (mark → path
    under ``out``); keep the whole PDF at ``keep``. Returns the number of worksheet pages, the
    page where ``first_key`` begins."""
    import pikepdf

    build = Path(tempfile.mkdtemp(prefix="exgen-latex-"))
    pdf_path = run_pdflatex(source, build, engine=engine)  # on an error the build folder is kept, as the message says
    marks = dict(_MARK.findall((build / "print.aux").read_text(encoding="utf-8", errors="replace")))
    missing = [m for m in targets if m not in marks]
    if missing:
        raise ExgenError(f"the combined PDF has no page marks for {', '.join(missing[:5])}: does a custom template drop {{% block document %}}?")
    keep.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(pdf_path), keep)
    shutil.rmtree(build, ignore_errors=True)
    starts = sorted((int(page), mark) for mark, page in marks.items() if mark in targets)
    with pikepdf.open(keep) as whole:
        for index, (first, mark) in enumerate(starts):
            last = starts[index + 1][0] if index + 1 < len(starts) else len(whole.pages)
            _save_pages(whole, first, last, out / targets[mark])
    return int(marks[first_key])


class PrintPdf:
    """print.pdf written page by page from the chunks' PDFs: each page and what it uses is
    copied in, renumbered, and written at once, so memory holds only the offsets of what is
    written (a join in memory held every page until it saved: 0.2 MB per version, 2 GB at
    10,000). Stream data is copied as it is, still compressed; the page tree, the catalogue and
    the cross-reference table come last, and the ID is a digest of the content.

    ``add`` takes pages [first, last) of an open chunk PDF with that chunk's ``renumbered`` map,
    kept between calls so that the chunk's keys, added after every chunk's worksheets, share
    the fonts its worksheets already wrote."""

    def __init__(self, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        self._handle = target.open("wb")
        self._position = 0
        self._digest = hashlib.sha256()
        self._offsets = [0, 0, 0]  # object 0 is unused; 1 is the catalogue, 2 the page tree
        self._kids: list[int] = []
        self._write(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> None:
        self._handle.write(data)
        self._digest.update(data)
        self._position += len(data)

    def _number(self, key: tuple[int, int], renumbered: dict[tuple[int, int], int], queue: list[tuple[int, int]]) -> int:
        number = renumbered.get(key)
        if number is None:
            number = renumbered[key] = len(self._offsets)
            self._offsets.append(0)
            queue.append(key)
        return number

    def add(self, pdf: Any, first: int, last: int | None, renumbered: dict[tuple[int, int], int]) -> None:
        import pikepdf

        queue: list[tuple[int, int]] = []
        for page in pdf.pages[first:last]:
            self._kids.append(self._number(page.obj.objgen, renumbered, queue))
        while queue:
            key = queue.pop()
            obj = pdf.get_object(key)
            number = renumbered[key]
            self._offsets[number] = self._position

            def body(value: Any) -> bytes:
                return _renumbered(value.unparse(), lambda ref: self._number(ref, renumbered, queue))

            if isinstance(obj, pikepdf.Stream):
                data = obj.read_raw_bytes()
                head = body(pikepdf.Dictionary({k: v for k, v in obj.stream_dict.items() if k != "/Length"}))
                self._write(b"%d 0 obj\n%s /Length %d >>\nstream\n" % (number, head[:-2], len(data)) + data + b"\nendstream\nendobj\n")
                continue
            if isinstance(obj, pikepdf.Dictionary):
                page = obj.get("/Type") == pikepdf.Name.Page
                text = body(pikepdf.Dictionary({k: v for k, v in obj.items() if not (page and k == "/Parent")}))
                if page:  # its parent is print.pdf's page tree
                    text = text[:-2] + b" /Parent 2 0 R >>"
            elif isinstance(obj, pikepdf.Array):
                text = body(pikepdf.Array(list(obj)))
            else:
                text = obj.unparse(resolved=True)
            self._write(b"%d 0 obj\n%s\nendobj\n" % (number, text))

    def close(self) -> None:
        """The page tree, catalogue, document information and cross-reference table."""
        self._offsets[2] = self._position
        kids = b" ".join(b"%d 0 R" % kid for kid in self._kids)
        self._write(b"2 0 obj\n<< /Type /Pages /Count %d /Kids [ %s ] >>\nendobj\n" % (len(self._kids), kids))
        self._offsets[1] = self._position
        self._write(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
        info = len(self._offsets)
        self._offsets.append(self._position)
        self._write(b"%d 0 obj\n<< /Creator (exgen) /Producer (exgen) >>\nendobj\n" % info)
        start = self._position
        identity = self._digest.hexdigest()[:32].encode()
        table = [b"xref\n0 %d\n0000000000 65535 f \n" % len(self._offsets)]
        table += [b"%010d 00000 n \n" % offset for offset in self._offsets[1:]]
        table.append(b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R /ID [ <%s> <%s> ] >>\nstartxref\n%d\n%%%%EOF\n"
                     % (len(self._offsets), info, identity, identity, start))
        self._write(b"".join(table))
        self._handle.close()

    def abandon(self) -> None:
        self._handle.close()


def write_print_pdf(parts: list[tuple[Path, int]], target: Path) -> None:
    """print.pdf from the chunks' PDFs (path, worksheet pages): every chunk's worksheets, then
    every chunk's keys, one chunk file open at a time."""
    import pikepdf

    out = PrintPdf(target)
    renumbered: list[dict[tuple[int, int], int]] = [{} for _ in parts]
    try:
        for keys in (False, True):
            for (path, sheet_pages), mapping in zip(parts, renumbered):
                with pikepdf.open(path) as pdf:
                    out.add(pdf, sheet_pages if keys else 0, None if keys else sheet_pages, mapping)
                if keys:
                    mapping.clear()  # the chunk is done
    except BaseException:
        out.abandon()
        raise
    out.close()


_REFERENCE = re.compile(rb"(\d+) (\d+) R")
_DELIMITERS = frozenset(b" \t\r\n\f\0()<>[]{}/%")


def _renumbered(syntax: bytes, number: Any) -> bytes:
    """PDF syntax with each indirect reference ``n g R`` replaced by ``number((n, g)) 0 R``;
    literal strings (nested brackets, escapes) and hex strings are left alone."""
    out: list[bytes] = []
    i, start, size = 0, 0, len(syntax)
    while i < size:
        char = syntax[i]
        if char == 0x28:  # "(": skip the whole literal string
            depth, i = 1, i + 1
            while i < size and depth:
                if syntax[i] == 0x5C:  # a backslash escapes the next byte
                    i += 1
                elif syntax[i] == 0x28:
                    depth += 1
                elif syntax[i] == 0x29:
                    depth -= 1
                i += 1
            continue
        if char == 0x2F:  # "/": a name, whose digits are no number
            i += 1
            while i < size and syntax[i] not in _DELIMITERS:
                i += 1
            continue
        if char == 0x3C and syntax[i + 1 : i + 2] != b"<" and (i == 0 or syntax[i - 1] != 0x3C):  # a hex string
            end = syntax.find(b">", i)
            i = size if end < 0 else end + 1
            continue
        if 0x30 <= char <= 0x39 and (i == 0 or not syntax[i - 1 : i].isdigit()):
            match = _REFERENCE.match(syntax, i)
            if match and (match.end() == size or not syntax[match.end() : match.end() + 1].isalnum()):
                out.append(syntax[start:i])
                out.append(b"%d 0 R" % number((int(match.group(1)), int(match.group(2)))))
                i = start = match.end()
                continue
        i += 1
    out.append(syntax[start:])
    return b"".join(out)


def _save_pages(pdf: Any, first: int, last: int, target: Path) -> None:
    """A new PDF of pages [first, last), with no time stamp and an ID from its content (reproducible)."""
    import pikepdf

    result = pikepdf.new()
    result.pages.extend(pdf.pages[first:last])
    result.docinfo["/Producer"] = pikepdf.String("exgen")
    result.docinfo["/Creator"] = pikepdf.String("exgen")
    target.parent.mkdir(parents=True, exist_ok=True)
    result.save(target, deterministic_id=True)
    result.close()
