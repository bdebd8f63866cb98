"""Class-set generation speed and reproducibility.

    python bench/bench_worksheets.py [--versions 300] [--workers 2] [--no-pdf]

Times `generate_class_set` for N versions x 10 problems (the sample spec: every family) with
tex+html+json, then with PDFs too, each with the figures in the keys and without them
(figures = "none"), and checks that a second run gives byte-identical output;
then one TeX run over the whole print file for comparison, then with PDFs for a roster whose
names need the Unicode engine (xelatex). ``--languages``
times the English and the Simplified Chinese set with PDFs back to back (same seed, same
problems) and prints the ratio; ``--memory`` prints the peak memory of the parent and of the
largest worker (run it with ``--versions 300`` and ``--versions 1000``: the parent stays flat;
``--with-pdf`` includes the PDFs, whose print.pdf the parent writes);
``--against-tex`` times only the set without and with PDFs against one TeX run over its print file;
``--phases`` builds the versions one after another in this process and prints the CPU time per
version of each phase of a build (the problems, their figures, typesetting for LaTeX and for
HTML, the templates, the key.json entry) beside TeX's CPU time per version over the same print
file: on n cores, generating with PDFs cannot take less than (build + TeX) / n, so it can match
one TeX run over the whole class only where building costs no more than TeX does.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exgen.worksheets.generate import generate_class_set
from exgen.worksheets.roster import Student
from exgen.worksheets.spec import sample_spec


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


NAMES = ["Ada Lovelace", "王小明", "Nguyễn Thị Hương", "Σοφία Παπαδοπούλου", "Дмитрий Иванов", "Zoë Ñúñez", "O'Brien & Sons"]


CHINESE_NAMES = ["王小明", "李华", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄丽"]


def timed(label: str, out: Path, versions: int, formats: tuple[str, ...], workers: int, unicode: bool = False,
          language: str = "en", figures: str = "key") -> float:
    spec = replace(sample_spec(), language=language)
    spec = replace(spec, sections=tuple(replace(section, figures=figures) for section in spec.sections))
    names = CHINESE_NAMES if language == "zh-CN" else NAMES
    roster = [Student(f"s{i:04d}", names[i % len(names)]) for i in range(versions)] if unicode or language != "en" else None
    start, cpu = time.perf_counter(), cpu_seconds()
    result = generate_class_set(spec, out, versions=1 if roster else versions, roster=roster, formats=formats, workers=workers, force=True)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    files = sum(1 for p in out.rglob("*") if p.is_file())
    print(f"{label:<28} {versions} versions x {spec.problem_count} problems: {seconds:6.2f} s, {cpu:6.1f} CPU-s "
          f"({cpu / seconds / max(workers, 1):.0%} of {max(workers, 1)} cores; {files} files, {result.problems} problems/version)")
    return seconds


def cpu_seconds() -> float:
    """CPU time of this process and of every process it waited for (workers, and their TeX runs):
    less sensitive than wall time to a VM whose speed drifts, and with it how busy the cores were."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@contextmanager
def scratch(warm: bool = True) -> Iterator[Path]:
    """A temporary folder for one bench, removed afterwards; ``warm``: with a tiny set generated
    first, so that imports and caches do not count against the first timing."""
    root = Path(tempfile.mkdtemp(prefix="exgen-bench-"))
    try:
        if warm:
            generate_class_set(sample_spec(), root / "warm", versions=2, formats=("json",))
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def one_tex_run(print_tex: Path) -> float:
    """Seconds for one TeX run over the whole print file: what parallel chunks are measured against."""
    from exgen.rendering.pdf import run_pdflatex

    build = Path(tempfile.mkdtemp(prefix="exgen-bench-tex-"))
    try:
        start, cpu = time.perf_counter(), cpu_seconds()
        run_pdflatex(print_tex.read_text(encoding="utf-8"), build)
        seconds = time.perf_counter() - start
        print(f"{'one TeX run over print.tex':<28} {seconds:6.2f} s, {cpu_seconds() - cpu:6.1f} CPU-s")
        return seconds
    finally:
        shutil.rmtree(build, ignore_errors=True)


def phases(versions: int) -> None:
    """CPU milliseconds per version of each phase of :func:`build_version`, serially, against
    TeX's CPU milliseconds per version over the print file of the same versions."""
    from exgen.grading import key as key_module
    from exgen.rendering import document
    from exgen.worksheets import generate as generate_module
    from exgen.worksheets.generate import build_version, plan_versions

    spent: dict[str, float] = {}

    def timed_call(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.process_time() - start
        return wrapper

    def typeset(problem: Any, number: int, fmt: str, *rest: Any, **kwargs: Any) -> Any:
        return timed_call(f"typeset {fmt}", original_typeset)(problem, number, fmt, *rest, **kwargs)

    original_typeset = generate_module.typeset_problem
    patches = [(generate_module, "generate_set", timed_call("problems", generate_module.generate_set)),
               (generate_module, "scored", timed_call("problems", generate_module.scored)),
               (document, "draw_figure", timed_call("figures", document.draw_figure)),
               (generate_module, "typeset_problem", typeset),
               (generate_module, "_key_entry", timed_call("key.json entry", generate_module._key_entry))]
    saved = [(module, name, getattr(module, name)) for module, name, _ in patches]
    spec = sample_spec()
    formats = ("tex", "pdf", "html", "json")
    plan = plan_versions(spec, None, versions + 3)
    for version in plan[:3]:  # imports and first-use caches
        build_version(spec, version, formats, None)
    for module, name, replacement in patches:
        setattr(module, name, replacement)
    total = 0.0
    bodies = []
    try:
        for version in plan[3:]:
            start = time.process_time()
            output = build_version(spec, version, formats, None)
            key_start = time.process_time()
            key_module.entry_line(output.key)
            spent["key.json entry"] = spent.get("key.json entry", 0.0) + time.process_time() - key_start
            total += time.process_time() - start
            bodies.append(output.bodies["tex"])
    finally:
        for module, name, original in saved:
            setattr(module, name, original)
    measured = sum(spent.values())
    print(f"building {versions} versions of the sample sheet, one process, CPU ms per version:")
    for label in ("problems", "figures", "typeset tex", "typeset html", "key.json entry"):
        print(f"  {label:<16} {spent.get(label, 0.0) / versions * 1000:7.1f}")
    print(f"  {'templates, rest':<16} {(total - measured) / versions * 1000:7.1f}")
    print(f"  {'build':<16} {total / versions * 1000:7.1f}")
    with scratch(warm=False) as root:
        from markupsafe import Markup

        from exgen.rendering.templates import environment

        source = environment("tex", None).get_template("print.tex.j2").render(
            bodies=[Markup(sheet) for sheet, _ in bodies] + [Markup(key) for _, key in bodies], title=spec.title,
            language=spec.language, engine="pdflatex", cjk=False)
        (root / "print.tex").write_text(source, encoding="utf-8")
        start_cpu = cpu_seconds()
        one_tex_run(root / "print.tex")
        tex = (cpu_seconds() - start_cpu) / versions * 1000
    print(f"  {'TeX':<16} {tex:7.1f}")
    print(f"build / TeX: {total / versions * 1000 / tex:.2f} (generating with PDFs on n cores takes at least (build + TeX) / n "
          "per version: no more than one TeX run needs this <= 1 on 2 cores)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--versions", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-pdf", action="store_true")
    parser.add_argument("--languages", action="store_true", help="only the English and the Chinese set with PDFs, and their ratio")
    parser.add_argument("--memory", action="store_true", help="only peak memory: the parent's and a worker's, tex+html+json")
    parser.add_argument("--with-pdf", action="store_true", help="with --memory: the set with PDFs too (print.pdf written in the parent)")
    parser.add_argument("--against-tex", action="store_true",
                        help="only: without PDFs, with PDFs, and one TeX run over the same print.tex (use with --versions 300 and 1000)")
    parser.add_argument("--phases", action="store_true", help="only: CPU per version of each phase of a build, against TeX's")
    args = parser.parse_args()
    if args.phases:
        phases(args.versions)
        return
    if args.against_tex:
        with scratch() as root:
            plain = timed("tex + html + json", root / "a", args.versions, ("tex", "html", "json"), args.workers)
            with_pdf = timed("tex + pdf + html + json", root / "c", args.versions, ("tex", "pdf", "html", "json"), args.workers)
            tex = one_tex_run(root / "c" / "print.tex")
            print(f"with PDFs / one TeX run: {with_pdf / tex:.2f} (target <= 1); PDFs add {with_pdf - plain:.2f} s")
        return
    if args.memory:
        import resource

        with scratch(warm=False) as root:
            formats = ("tex", "pdf", "html", "json") if args.with_pdf else ("tex", "html", "json")
            timed(" + ".join(formats), root / "m", args.versions, formats, args.workers)
            parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
            worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
            print(f"peak RSS: parent {parent} MB, largest worker {worker} MB")
        return
    if args.languages:
        with scratch() as root:
            english = timed("en, tex + pdf + html + json", root / "en", args.versions, ("tex", "pdf", "html", "json"), args.workers)
            chinese = timed("zh-CN, tex + pdf + html + json", root / "zh", args.versions, ("tex", "pdf", "html", "json"), args.workers,
                            language="zh-CN")
            print(f"zh-CN / en: {chinese / english:.2f} (target <= 1.5)")
        return
    with scratch() as root:
        timed("tex + html + json", root / "a", args.versions, ("tex", "html", "json"), args.workers)
        timed("tex + html + json (again)", root / "b", args.versions, ("tex", "html", "json"), args.workers)
        print("identical output folders:", digest(root / "a") == digest(root / "b"))
        timed("... without figures", root / "a0", args.versions, ("tex", "html", "json"), args.workers, figures="none")
        if not args.no_pdf and shutil.which("pdflatex"):
            timed("tex + pdf + html + json", root / "c", args.versions, ("tex", "pdf", "html", "json"), args.workers)
            timed("tex + pdf + html + json (again)", root / "d", args.versions, ("tex", "pdf", "html", "json"), args.workers)
            print("identical output folders including PDFs:", digest(root / "c") == digest(root / "d"))
            one_tex_run(root / "c" / "print.tex")  # the whole class in one pdflatex, for comparison
            timed("... without figures", root / "c0", args.versions, ("tex", "pdf", "html", "json"), args.workers, figures="none")
            if shutil.which("xelatex"):
                timed("... names in 5 scripts (xelatex)", root / "e", args.versions, ("tex", "pdf", "html", "json"), args.workers, unicode=True)


if __name__ == "__main__":
    main()
