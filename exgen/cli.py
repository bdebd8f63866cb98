"""The ``exgen`` command line: a thin layer over the library.

Each command parses options, calls one library function and prints the result. Library
modules are imported inside the commands so that ``exgen --help`` and ``exgen --version``
do not pay for sympy or the answer engine.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from exgen import __version__
from exgen.errors import ExgenError, UsageError


def known_language(lang: str) -> str:
    """``--lang``: a language with a catalog (en, zh-CN …), or a usage error naming them."""
    from exgen.i18n import available_locales

    known = available_locales()
    for name in known:
        if name.lower() == lang.strip().lower():
            return name
    raise UsageError(f"no catalog for language {lang!r}; available: {', '.join(known)}")


def answer_kind_names() -> tuple[str, ...]:
    """The answer kinds, one module each in exgen/answers/kinds, listed without importing them
    (so ``--help`` stays instant); tests check the list against the registry."""
    import pkgutil

    folder = Path(__file__).resolve().parent / "answers" / "kinds"
    return tuple(sorted(m.name for m in pkgutil.iter_modules([str(folder)]) if m.name != "base" and not m.name.startswith("_")))


ANSWER_KINDS = answer_kind_names()
_VERDICT_COLOURS = {"correct": "green", "incorrect": "red", "invalid": "yellow", "review": "magenta"}


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="exgen")
def main() -> None:
    """exgen: calculus exercises behind neural networks — generate, check and grade.

    \b
    Examples:
      exgen topics                                  # the problem families
      exgen topics hessian --difficulty 3           # a sample problem with key and solution
      exgen verify --seeds 1000 --workers 2         # check every variant through the engine
      exgen check "2x e^(x^2)" "e^(x^2)*2x"
      exgen check --kind points "(0,0), (2,-4)" "(2,-4), (0,0)"
      exgen check --batch answers.jsonl > verdicts.jsonl
    """


class _SignedArguments(click.Command):
    """Arguments may start with a minus sign: ``exgen check "-sin(x)" "−sin(x)"``.

    A token that begins with ``-`` but is not one of the command's options is an expression,
    not an option; it is moved behind ``--`` before click parses the line.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value: dict[str, bool] = {}
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                for name in (*param.opts, *param.secondary_opts):
                    takes_value[name] = not param.is_flag and not param.count
        options: list[str] = []
        positionals: list[str] = []
        index = 0
        while index < len(args):
            token = args[index]
            name = token.split("=", 1)[0]
            if token == "--":
                positionals.extend(args[index + 1 :])
                break
            if name in takes_value:
                options.append(token)
                if takes_value[name] and "=" not in token and index + 1 < len(args):
                    index += 1
                    options.append(args[index])
            elif token.startswith("--") and len(token) > 2:
                options.append(token)  # an unknown long option: click says so
            else:
                positionals.append(token)
            index += 1
        return super().parse_args(ctx, [*options, "--", *positionals] if positionals else options)


@main.command(cls=_SignedArguments)
@click.argument("expected", required=False)
@click.argument("answer", required=False)
@click.option("--kind", "-k", type=click.Choice(ANSWER_KINDS), default="expression", show_default=True, help="How to read and compare the answer.")
@click.option("--vars", "variables", metavar="x,y", help="Names the student may use (default: those of EXPECTED).")
@click.option("--functions", metavar="sigma", default="", help="Extra functions the student may use, e.g. sigma.")
@click.option("--tolerance", type=float, metavar="REL", help="Relative tolerance for decimal number answers (default 0.001).")
@click.option("--choices", metavar="a,b", help="Allowed labels for --kind label (default: minimum,maximum,saddle,neither).")
@click.option("--time-limit", type=click.FloatRange(min=0.01), default=2.0, show_default=True, help="Seconds per check; past it the verdict is 'review'.")
@click.option("--batch", type=click.File("rb"), metavar="FILE", help="Check JSON lines from FILE ('-' for stdin); write one JSON verdict per line.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON.")
@click.option("--lang", metavar="LANG", help="Language of messages (default en).")
def check(
    expected: str | None,
    answer: str | None,
    kind: str,
    variables: str | None,
    functions: str,
    tolerance: float | None,
    choices: str | None,
    time_limit: float,
    batch: Any,
    as_json: bool,
    lang: str | None,
) -> None:
    """Check ANSWER against EXPECTED and explain the verdict.

    Exits 0 when the answer is correct and 1 when it is not (like grep), so scripts can test it.
    With --batch, each input line is {"expected", "answer", "kind"?, "vars"?, "tolerance"?} and
    each output line is {"verdict", "score", "message", "interpreted", "evidence", "warnings"}.

    \b
    Examples:
      exgen check "2x e^(x^2)" "2x*exp(x^2)"
      exgen check --kind number "1/sqrt(2)" 0.7071
      exgen check --kind vector --vars x,y "(2x, 2y)" "<2x, 2y>"
      exgen check --kind label minimum "local min"
    """
    if batch is not None:
        if expected is not None or answer is not None:
            raise UsageError("--batch reads its cases from the file; do not also give EXPECTED and ANSWER")
        from exgen.answers.check import check_lines

        for result in check_lines(batch, time_limit=time_limit, locale=lang):
            click.echo(json.dumps(result, ensure_ascii=False))
        return
    if expected is None or answer is None:
        raise UsageError("give EXPECTED and ANSWER, or --batch FILE (see exgen check --help)")
    from exgen.answers.check import check as run_check

    verdict = run_check(
        expected,
        answer,
        kind=kind,
        vars=variables,
        functions=[f for f in functions.replace(",", " ").split() if f],
        tolerance=tolerance,
        choices=[c.strip() for c in choices.split(",")] if choices else None,
        time_limit=time_limit,
        locale=lang,
    )
    if as_json:
        click.echo(json.dumps(verdict.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_verdict(verdict, answer)
    sys.exit(0 if verdict.correct else 1)


@main.command()
@click.argument("family", required=False)
@click.option("--difficulty", "-d", type=click.IntRange(1, 3), default=1, show_default=True, help="1 easy, 2 medium, 3 hard.")
@click.option("--seed", "-s", type=int, default=0, show_default=True, help="Which variant to show.")
@click.option("--mistakes", is_flag=True, help="Also show the mistake models of each part.")
@click.option("--json", "as_json", is_flag=True, help="Print the machine-readable description instead.")
def topics(family: str | None, difficulty: int, seed: int, mistakes: bool, as_json: bool) -> None:
    """List the problem families, or show a sample problem of FAMILY with its key and solution.

    \b
    Examples:
      exgen topics
      exgen topics critical_points --difficulty 2 --seed 7
      exgen topics lagrange --json
    """
    from exgen.i18n import t
    from exgen.problems import generate, load_families

    families = load_families()
    if family is None:
        width = max(len(name) for name in families)
        for name in sorted(families):
            info = families[name].info
            click.echo(f"{name:<{width}}  {t(info.title)}: {t(info.summary)}")
        return
    if family not in families:
        raise UsageError(f"unknown family {family!r}; choose from {', '.join(sorted(families))}")
    problem = generate(family, difficulty, seed)
    if as_json:
        click.echo(json.dumps(problem.describe(), ensure_ascii=False, indent=2))
        return
    from exgen.rendering.plain import problem_text

    click.echo(problem_text(problem, mistakes=mistakes))


@main.command()
@click.argument("spec", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--topic", "-t", "topics", multiple=True, metavar="ID", help="A family to include (repeatable); see exgen topics.")
@click.option("--count", "-n", type=click.IntRange(1, 50), default=2, show_default=True, help="Problems per --topic.")
@click.option("--difficulty", "-d", type=click.IntRange(1, 3), default=1, show_default=True, help="Difficulty for --topic problems.")
@click.option("--seed", "-s", type=int, help="Course seed (overrides the spec's).")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="CSV with an id column (and a name column): one version per student.")
@click.option("--versions", "-k", type=click.IntRange(1, 10_000), default=1, show_default=True, help="Anonymous versions (without --roster).")
@click.option("--format", "formats", default=None, metavar="LIST", help="Comma-separated: tex,pdf,html,json (default: tex,html,json, plus pdf when TeX is installed).")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=Path("output"), show_default=True, help="Output folder.")
@click.option("--templates", type=click.Path(file_okay=False, path_type=Path), help="Folder of your own templates, searched first.")
@click.option("--force", is_flag=True, help="Replace files of an earlier run in the output folder.")
@click.option("--workers", "-w", type=click.IntRange(min=1), default=None, help="Processes (default: the number of CPUs).")
@click.option("--verify", "verify_each", is_flag=True, help="Re-derive and check every problem through the answer engine before using it (slower).")
@click.option("--lang", metavar="LANG", help="Language of the sheet and its messages: en, zh-CN (overrides the spec's).")
def generate(
    spec: Path | None, topics: tuple[str, ...], count: int, difficulty: int, seed: int | None, roster: Path | None,
    versions: int, formats: str | None, out: Path, templates: Path | None, force: bool, workers: int | None,
    verify_each: bool, lang: str | None,
) -> None:
    """Generate worksheets, answer keys, key.json and answers.csv.

    SPEC is a TOML worksheet spec (title, course, date, instructions, seed, [[section]]s of
    family/count/difficulty). Without SPEC or --topic, a sample sheet with every family.

    \b
    Examples:
      exgen generate                                  # a sample sheet into output/
      exgen generate sheet.toml --roster class.csv --format pdf,html
      exgen generate --topic lagrange --topic hessian -n 3 -d 2 --versions 30 --seed 7
      exgen generate sheet.toml --templates my_templates/ --out week3 --force
    """
    import os

    from exgen.worksheets.generate import generate_class_set, with_seed
    from exgen.worksheets.roster import read_roster
    from exgen.worksheets.spec import load_spec, quick_spec, sample_spec

    if roster is not None and versions != 1:
        raise UsageError("use either --roster (one version per student) or --versions, not both")
    base = load_spec(spec) if spec is not None else None
    if topics:
        worksheet = quick_spec(topics, count, difficulty, base)
    elif base is not None:
        worksheet = base
    else:
        worksheet = sample_spec()
    worksheet = with_seed(worksheet, seed)
    if lang:
        from dataclasses import replace

        worksheet = replace(worksheet, language=known_language(lang))
    if formats is None:
        import shutil

        chosen = ["tex", "html", "json"] + (["pdf"] if shutil.which("pdflatex") else [])
    else:
        chosen = [f.strip().lower() for f in formats.split(",") if f.strip()]
    students = read_roster(roster) if roster is not None else None
    total = len(students) if students else versions
    processes = workers or min(os.cpu_count() or 1, 8)
    label = "generating"
    if sys.stderr.isatty() and total > 5:
        with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
            result = generate_class_set(worksheet, out, roster=students, versions=versions, formats=chosen,
                                        templates=templates, force=force, workers=processes, progress=bar.update,
                                        verify=verify_each)
    else:
        result = generate_class_set(worksheet, out, roster=students, versions=versions, formats=chosen,
                                    templates=templates, force=force, workers=processes, verify=verify_each)
    folders = sorted({f.split("/")[0] for f in result.files if "/" in f})
    click.echo(
        f"Wrote {result.versions} version(s) x {result.problems} problem(s) to {result.out}/ in {result.seconds:.1f} s "
        f"({', '.join(result.formats)}):"
    )
    for folder in folders:
        click.echo(f"  {folder}/: {sum(1 for f in result.files if f.startswith(folder + '/'))} files")
    for name in sorted(f for f in result.files if "/" not in f):
        click.echo(f"  {name}")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path), metavar="KEY SUBMISSIONS | --merge DIR...")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=Path("output/graded"), show_default=True, help="Output folder.")
@click.option("--workers", "-w", type=click.IntRange(min=1), default=None, help="Processes (default: the cores available).")
@click.option("--timeout", type=click.FloatRange(min=0.05), default=2.0, show_default=True, help="Seconds per answer; past it the answer is 'review'.")
@click.option("--format", "formats", default="csv,html,json", show_default=True, metavar="LIST", help="Comma-separated: csv (grades, item analysis), html (feedback, item analysis), json (results).")
@click.option("--templates", type=click.Path(file_okay=False, path_type=Path), help="Folder of your own templates, searched first.")
@click.option("--force", is_flag=True, help="Replace the results of an earlier run in the output folder.")
@click.option("--trust", type=click.Choice(["student", "version"]), help="When a row's version was made for another student: grade the student's own version, or the version on the row (default: report the row, do not grade it).")
@click.option("--lang", metavar="LANG", help="Language of the sheet and its messages: en, zh-CN (default: the sheet's).")
@click.option("--shard", metavar="I/N", help="Grade only the I-th of N disjoint slices of the students, into --out (combine them with --merge).")
@click.option("--merge", is_flag=True, help="Combine the folders of all N shards (given instead of KEY SUBMISSIONS) into the reports of one run.")
def grade(
    paths: tuple[Path, ...], out: Path, workers: int | None, timeout: float, formats: str, templates: Path | None,
    force: bool, trust: str | None, lang: str | None, shard: str | None, merge: bool,
) -> None:
    """Grade SUBMISSIONS against KEY (key.json from exgen generate).

    SUBMISSIONS is the filled-in answers.csv (student,version,<part ids>) or JSON lines
    {"student", "version", "answers": {part: text}}. Writes grades.csv, results.jsonl,
    feedback/<version>-<student>.html and item_analysis.{csv,html} into --out.

    A large course can spread the work over machines: each grades one shard into its own
    folder, and --merge combines the folders into exactly the reports of a single run.

    \b
    Examples:
      exgen grade output/key.json answers.csv
      exgen grade output/key.json answers.jsonl --out week3-grades --workers 2
      exgen grade output/key.json answers.csv --shard 1/2 --out part1
      exgen grade output/key.json answers.csv --shard 2/2 --out part2
      exgen grade --merge part1 part2 --out graded
    """
    from exgen.grading.batch import Shard
    from exgen.grading.reports import FORMATS, check_report_folder, grade_to_folder, merge_shards
    from exgen.workers import default_workers

    check_report_folder(out, force)  # before the work, not after it
    if merge:
        if shard:
            raise UsageError("--merge combines shards; it takes no --shard")
        summary = merge_shards(list(paths), out, templates=templates, force=force)
        _grade_summary(summary, out, "Merged")
        return
    if len(paths) != 2 or not paths[0].is_file() or not paths[1].is_file():
        raise UsageError("give KEY and SUBMISSIONS (two files), or --merge and the shards' folders")
    key, submissions = paths
    language = known_language(lang) if lang else None
    chosen = [f.strip().lower() for f in formats.split(",") if f.strip()]
    unknown = set(chosen) - set(FORMATS)
    if unknown:
        raise UsageError(f"unknown format(s) {', '.join(sorted(unknown))}; choose from {', '.join(FORMATS)}")
    try:
        slice_ = Shard.parse(shard) if shard else None
    except ValueError as problem:
        raise UsageError(str(problem)) from None
    processes = workers or default_workers()
    options = dict(workers=processes, seconds=timeout, formats=chosen, templates=templates, force=force, trust=trust,
                   language=language, shard=slice_)
    if sys.stderr.isatty():
        with click.progressbar(length=1, label="grading", file=sys.stderr) as bar:
            def progress(done: int, total: int) -> None:
                bar.length = total
                bar.update(done - bar.pos)

            summary = grade_to_folder(key, submissions, out, progress=progress, **options)  # type: ignore[arg-type]
    else:
        summary = grade_to_folder(key, submissions, out, **options)  # type: ignore[arg-type]
    _grade_summary(summary, out, "Graded" if slice_ is None else f"Shard {slice_}: graded")


def _grade_summary(summary: Any, out: Path, verb: str) -> None:
    counts = summary.counts
    click.echo(
        f"{verb} {summary.graded} of {summary.students} submission(s), {summary.answers} answers "
        f"({', '.join(f'{counts.get(v, 0)} {v}' for v in ('correct', 'incorrect', 'invalid', 'review', 'blank'))}) "
        f"in {summary.seconds:.1f} s ({summary.checks} checks)."
    )
    for issue in summary.issues:
        click.echo(f"  note: {issue}")
    for error in summary.errors:
        click.echo(f"  error: {error}", err=True)
    written = summary.written
    folders = sorted({w.split("/")[0] for w in written if "/" in w})
    for folder in folders:
        click.echo(f"  {out}/{folder}/: {sum(1 for w in written if w.startswith(folder + '/'))} files")
    for name in sorted(w for w in written if "/" not in w):
        click.echo(f"  {out}/{name}")
    if summary.errors:
        raise ExgenError(f"{len(summary.errors)} row(s) were not graded: their version belongs to another student (see above and grades.csv)")


@main.command()
@click.option("--family", "-f", "families", multiple=True, help="Family to verify (repeatable; default all).")
@click.option("--seeds", "-n", type=click.IntRange(min=1), default=100, show_default=True, help="Seeds per family.")
@click.option("--start", type=click.IntRange(min=0), default=0, show_default=True, help="First seed.")
@click.option("--difficulty", "-d", type=click.IntRange(1, 3), help="Only this difficulty (default: 1, 2, 3 in turn).")
@click.option("--workers", "-w", type=click.IntRange(min=1), default=1, show_default=True, help="Processes to use.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def verify(families: tuple[str, ...], seeds: int, start: int, difficulty: int | None, workers: int, as_json: bool) -> None:
    """Generate and check many variants of each family through the answer engine.

    For every variant: the key re-derived from the problem's description alone, the key and
    three rewritten forms accepted, every mistake model rejected and none equal to the key, the
    worked solution's steps chained to the key, promised nice numbers nice, no prompt giving
    another part's answer away, no message naming what the problem lacks; across variants, one
    structure (parts, kinds, points) per difficulty. Exits 1 if anything fails.

    \b
    Examples:
      exgen verify --seeds 1000 --workers 2
      exgen verify --family lagrange --difficulty 3 --seeds 200
    """
    from exgen.problems import load_families
    from exgen.problems.run_verify import run_verification

    known = load_families()
    for name in families:
        if name not in known:
            raise UsageError(f"unknown family {name!r}; choose from {', '.join(sorted(known))}")
    chosen = list(families) or sorted(known)
    reports = run_verification(chosen, range(start, start + seeds), difficulty, workers, progress=not as_json)
    failures = [f for r in reports for f in r.failures]
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in reports], indent=2))
    else:
        header = (f"{'family':<22}{'variants':>9}{'rejected':>10}{'distinct':>10}{'in 1000':>9}{'slips':>8}"
                  f"{'structures':>12}{'failures':>10}{'seconds':>9}")
        click.echo(header)
        for r in reports:
            structures = "/".join(str(len(r.structures.get(level, ()))) for level in (1, 2, 3))
            click.echo(f"{r.family:<22}{r.variants:>9}{r.rejected:>10}{r.distinct:>10}{len(r.first_thousand):>9}"
                       f"{r.distinguishable:>8.1%}{structures:>12}{len(r.failures):>10}{r.seconds:>9.1f}")
        click.echo("distinct: different problems; in 1000: among seeds below 1000; slips: parts with a mistake model "
                   "that differs from the key; structures: per difficulty 1/2/3 (1 = every version alike)")
        for failure in failures[:20]:
            click.echo(f"FAIL {failure}", err=True)
        if len(failures) > 20:
            click.echo(f"... and {len(failures) - 20} more failures", err=True)
    if failures:
        sys.exit(1)


@main.command()
@click.argument("set_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--db", metavar="URL", help="sqlite:///PATH or postgresql://… (default: SET_DIR/exgen.sqlite3).")
@click.option("--mode", type=click.Choice(["practice", "assignment"]), default="practice", show_default=True,
              help="practice: verdicts at once; assignment: answers saved, verdicts after --closes.")
@click.option("--closes", metavar="ISO-DATETIME", help="When answers can no longer be changed (UTC unless a zone is given).")
@click.option("--solution-after", default=3, show_default=True, type=click.IntRange(1, 100),
              help="practice: show the worked solution after this many checks (or a correct answer).")
@click.option("--url", "base_url", metavar="URL", help="The address students use (default: http://HOST:PORT), for links.csv.")
@click.option("-w", "--workers", type=click.IntRange(1, 64), help="Processes that check answers (default: the number of CPUs).")
@click.option("--timeout", default=2.0, show_default=True, type=click.FloatRange(0.1, 60), help="Seconds per answer check.")
@click.option("--templates", type=click.Path(exists=True, file_okay=False), help="Folder of your own templates, searched first.")
@click.option("--lang", metavar="LANG", help="Language of the sheet and its messages: en, zh-CN (default: the sheet's).")
def serve(
    set_dir: Path, host: str, port: int, db: str | None, mode: str, closes: str | None, solution_after: int, base_url: str | None,
    workers: int | None, timeout: float, templates: str | None, lang: str | None,
) -> None:
    """Serve SET_DIR (written by exgen generate): each student answers online through a
    personal link, with a live preview of how each answer is read.

    Writes SET_DIR/links.csv (student,name,version,url) and prints the instructor's page.
    Collect the answers with exgen collect, then grade them with exgen grade.

    \b
    Examples:
      exgen serve output                               # practice mode on 127.0.0.1:8000
      exgen serve output --mode assignment --closes 2026-12-08T23:59
      exgen serve output --host 0.0.0.0 --url https://calc.example.edu --db postgresql://exgen@db/exgen
    """
    try:
        import uvicorn

        from exgen.serve.app import create_app, parse_closes
    except ImportError:
        raise UsageError("exgen serve needs the serve extra: pip install 'exgen[serve]'") from None
    from exgen.serve.pages import Settings
    from exgen.serve.setup import instructor_url, open_set, origin_of, write_links
    from exgen.workers import default_workers

    try:
        closing = parse_closes(closes)
    except ValueError:
        raise UsageError(f"--closes takes an ISO date and time such as 2026-12-08T23:59, not {closes!r}") from None
    settings = Settings(mode=mode, closes=closing, solution_after=solution_after, check_seconds=timeout)
    state = open_set(set_dir, db, settings, workers or default_workers(), templates, known_language(lang) if lang else None)
    address = base_url or f"http://{host}:{port}"
    state.origins = frozenset({origin_of(address)})
    path = write_links(state, address)
    click.echo(f"links for {len(state.key.versions)} versions: {path}")
    click.echo(f"instructor: {instructor_url(state, address)}")
    uvicorn.run(create_app(state), host=host, port=port, log_level="warning", server_header=False)


@main.command()
@click.argument("set_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--db", metavar="URL", help="sqlite:///PATH or postgresql://… (default: SET_DIR/exgen.sqlite3).")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), help="Where to write answers.csv (default: SET_DIR/collected/answers.csv).")
def collect(set_dir: Path, db: str | None, out: Path | None) -> None:
    """Write the latest answer per student and part (answers.csv, the layout exgen grade
    reads) and every attempt (attempts.csv beside it) from the store of exgen serve.

    \b
    Examples:
      exgen collect output && exgen grade output/key.json output/collected/answers.csv
    """
    from exgen.grading.key import load_key
    from exgen.serve.collect import answers_csv, attempts_csv
    from exgen.serve.store import open_store

    if not (set_dir / "key.json").exists():
        raise UsageError(f"{set_dir} holds no key.json: collect from a folder written by exgen generate")
    key = load_key(set_dir / "key.json")
    store = open_store(db, set_dir)
    try:
        attempts = store.attempts()
    finally:
        store.close()
    target = out or set_dir / "collected" / "answers.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(answers_csv(key, attempts), encoding="utf-8", newline="\n")
    (target.parent / "attempts.csv").write_text(attempts_csv(attempts), encoding="utf-8", newline="\n")
    answered = {(a.version, a.part) for a in attempts if a.raw.strip()}
    click.echo(f"{len(attempts)} attempts, {len(answered)} answered parts: {target} and {target.parent / 'attempts.csv'}")


def _print_verdict(verdict: Any, answer: str) -> None:
    label_width = 10

    def line(label: str, text: str) -> None:
        pad = " " * (label_width + 2)
        body = text.replace("\n", "\n" + pad)
        click.echo(f"{label + ':' if label else '':<{label_width}}  {body}")

    line("verdict", click.style(verdict.verdict, fg=_VERDICT_COLOURS[verdict.verdict], bold=True))
    line("score", f"{verdict.score:g}")
    if verdict.interpreted is not None:
        line("read as", verdict.interpreted)
    line("message", verdict.message)
    if verdict.error is not None and verdict.error.position is not None:
        line("", verdict.error.caret_display(answer))
    if verdict.evidence:
        line("evidence", verdict.evidence)
    if verdict.strength:
        line("strength", verdict.strength)
    for warning in verdict.warnings:
        line("warning", warning)


if __name__ == "__main__":  # pragma: no cover
    main()
