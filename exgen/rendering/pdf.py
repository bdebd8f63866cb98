"""PDFs with pdflatex or xelatex: parallel TeX runs over fixed chunks of the class set, then
one file per sheet.

pdflatex is used while every character of the text is in Latin-1; a name such as 王小明,
Nguyễn Thị Hương, Σοφία or Дмитрий switches the set to xelatex with fonts that have them
(:func:`engine_for`); one engine serves the whole set.

Compiling hundreds of small documents costs hundreds of TeX start-ups, so each chunk of 25
versions (its worksheets, then its keys) is one document; each sheet writes its first physical
page into the ``.aux`` file (``\\exgenmark``), and the chunk's PDF is split at those pages
with pikepdf (qpdf), in the worker that compiled it. print.pdf is joined from the chunks'
pages. Builds are reproducible: ``SOURCE_DATE_EPOCH``/``FORCE_SOURCE_DATE`` fix the dates,
``\\pdftrailerid`` the ID, the split and joined files carry no time stamps and an ID from
their content, and the chunks do not depend on the number of workers.

A LaTeX error stops the build: the message shows the lines of the log that explain it and the
offending source line, and no PDF is written.
"""

from __future__ import annotations

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
            _save_pages([(whole, first, last)], out / targets[mark])
    return int(marks[first_key])


def join_pdfs(parts: list[tuple[Path, int, int | None]], target: Path) -> None:
    """One PDF from page ranges ``[first, last)`` of others (``last`` None: to the end)."""
    import pikepdf

    sources = {path: pikepdf.open(path) for path in dict.fromkeys(path for path, _, _ in parts)}
    try:
        _save_pages([(sources[path], first, last) for path, first, last in parts], target)
    finally:
        for pdf in sources.values():
            pdf.close()


def _save_pages(ranges: list[tuple[Any, int, int | None]], target: Path) -> None:
    """A new PDF of those pages, with no time stamp and an ID from its content (reproducible)."""
    import pikepdf

    result = pikepdf.new()
    for pdf, first, last in ranges:
        result.pages.extend(pdf.pages[first:last])
    result.docinfo["/Producer"] = pikepdf.String("exgen")
    result.docinfo["/Creator"] = pikepdf.String("exgen")
    target.parent.mkdir(parents=True, exist_ok=True)
    result.save(target, deterministic_id=True)
    result.close()
