"""The answer engine's front door: ``check(expected, answer, kind=..., vars=...)``.

>>> from exgen import check
>>> check("2x e^(x^2)", "e^(x^2)*2x").verdict
'correct'

Student mistakes come back as verdicts (``invalid`` with a message and a position); a check
that cannot finish within its time limit comes back as ``review``. Only problems with the
*expected* answer (an author's mistake) raise :class:`exgen.errors.ExpectedAnswerError`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from exgen.answers.diagnostics import echo
from exgen.answers.kinds import CheckOptions, get_kind
from exgen.answers.lexer import fold_wide
from exgen.answers.limits import DEFAULT_LIMITS, CheckTimeout, Deadline, Limits, hard_time_limit
from exgen.answers.verdict import Verdict
from exgen.errors import ExgenError, ExpectedAnswerError
from exgen.i18n import t, use_locale

log = logging.getLogger(__name__)

def parse_variables(value: str | Sequence[str] | None) -> tuple[str, ...] | None:
    """``"x,y"``, ``"x y"`` or ``["x", "y"]`` → ``("x", "y")``; None means "infer"."""
    if value is None:
        return None
    items = value.replace(",", " ").split() if isinstance(value, str) else [str(v).strip() for v in value]
    return tuple(dict.fromkeys(v for v in items if v))


def make_options(
    *,
    vars: str | Sequence[str] | None = None,
    functions: Iterable[str] = (),
    tolerance: float | None = None,
    abs_tolerance: float | None = None,
    choices: Sequence[str] | None = None,
    limits: Limits | None = None,
    time_limit: float | None = None,
) -> CheckOptions:
    limits = limits or DEFAULT_LIMITS
    if time_limit is not None:
        limits = replace(limits, time_limit=float(time_limit))
    return CheckOptions(
        variables=parse_variables(vars),
        functions=frozenset(functions),
        tolerance=tolerance,
        abs_tolerance=abs_tolerance,
        choices=tuple(choices) if choices else None,
        limits=limits,
    )


def check(
    expected: Any,
    answer: str,
    *,
    kind: str = "expression",
    vars: str | Sequence[str] | None = None,
    functions: Iterable[str] = (),
    tolerance: float | None = None,
    abs_tolerance: float | None = None,
    choices: Sequence[str] | None = None,
    time_limit: float | None = None,
    limits: Limits | None = None,
    locale: str | None = None,
) -> Verdict:
    """Grade ``answer`` against ``expected``.

    ``expected`` is calculator text (``"2x e^(x^2)"``), a sympy expression, or for ``points``
    and ``vector`` a list. ``vars`` are the names a student may use (default: those of
    ``expected``); ``functions`` declares extras such as ``sigma``. ``tolerance`` is relative
    (``number`` answers with decimals). The whole check is bounded by ``time_limit`` seconds
    (default 2): past it the verdict is ``review``.
    """
    options = make_options(
        vars=vars, functions=functions, tolerance=tolerance, abs_tolerance=abs_tolerance,
        choices=choices, limits=limits, time_limit=time_limit,
    )
    return check_with(expected, answer, kind, options, locale)


def check_with(expected: Any, answer: str, kind: str, options: CheckOptions, locale: str | None = None) -> Verdict:
    """:func:`check` with options made by :func:`make_options` (batch grading makes them once
    per part instead of once per answer)."""
    if locale is not None:
        with use_locale(locale):
            return check_with(expected, answer, kind, options)
    answer_kind = get_kind(kind)
    seconds = options.limits.time_limit
    try:
        with hard_time_limit(seconds):
            prepared = _prepared(answer_kind, expected, options)
    except CheckTimeout:
        raise ExpectedAnswerError(f"the expected answer could not be prepared within {seconds:g} s") from None
    return grade_prepared(answer_kind.name, prepared, answer, seconds)


def rules_out(expected: Any, answer: str, *, kind: str = "expression", locale: str | None = None, **options: Any) -> bool:
    """True only when a quick look proves that :func:`check` with the same arguments cannot say
    ``correct`` (for an expression: the two differ at a point, certified); False when unsure,
    and on any trouble, which the full check then meets and reports. Grading screens a wrong
    answer's mistake models with it: most are ruled out at the cost of one evaluation.
    ``options`` are check's (``vars``, ``functions``, ``tolerance``, ``time_limit``, ...)."""
    return rules_out_with(expected, answer, kind, make_options(**options), locale)


def rules_out_with(expected: Any, answer: str, kind: str, options: CheckOptions, locale: str | None = None) -> bool:
    """:func:`rules_out` with options made by :func:`make_options`."""
    if locale is not None:
        with use_locale(locale):
            return rules_out_with(expected, answer, kind, options)
    answer_kind = get_kind(kind)
    try:
        with hard_time_limit(options.limits.time_limit):
            return answer_kind.rules_out(_prepared(answer_kind, expected, options), fold_wide(answer))
    except (CheckTimeout, Exception):  # unsure: the full check decides, and reports any trouble
        return False


def _prepared(answer_kind: Any, expected: Any, options: CheckOptions) -> Any:
    """The expected answer prepared for comparisons (text: once, shared by every check of it)."""
    if isinstance(expected, str):
        return _prepare_text(answer_kind.name, expected, options)
    return answer_kind.prepare(expected, options)


@lru_cache(maxsize=1024)
def _prepare_text(kind_name: str, expected: str, options: CheckOptions) -> Any:
    """Expected answers repeat (one per part, many students): read and compile each once."""
    return get_kind(kind_name).prepare(expected, options)


def grade_prepared(answer_kind_name: str, prepared: Any, answer: str, seconds: float) -> Verdict:
    """Grade against an already prepared expected answer (batch grading reuses preparation)."""
    answer_kind = get_kind(answer_kind_name)
    folded = fold_wide(answer)
    try:
        with hard_time_limit(seconds):
            verdict = answer_kind.grade(prepared, folded, Deadline(seconds))
        if folded != answer:  # say how a Chinese keyboard's characters were read
            note = t("answer.warning.fullwidth", folded=echo(folded.strip()))
            verdict = replace(verdict, warnings=(note, *verdict.warnings))
        return verdict
    except CheckTimeout:
        return timeout_verdict(seconds)
    except Exception as problem:  # a bug must not take a batch down: the answer goes to review
        log.exception("internal error while grading %r", answer[:200])
        return internal_error_verdict(problem)


def internal_error_verdict(problem: BaseException) -> Verdict:
    reason = t("answer.verdict.internal_error", detail=type(problem).__name__)
    return Verdict("review", 0.0, t("answer.verdict.review", reason=reason), evidence=reason, code="internal_error")


def timeout_verdict(seconds: float) -> Verdict:
    reason = t("answer.verdict.timeout", seconds=f"{seconds:g}")
    return Verdict("review", 0.0, t("answer.verdict.review", reason=reason), evidence=reason, code="timeout")


# -- batches ------------------------------------------------------------------------------------


def check_record(record: Mapping[str, Any], *, time_limit: float | None = None, locale: str | None = None) -> Verdict:
    """Check one JSON-lines record ``{"expected", "answer", "kind"?, "vars"?, "tolerance"?}``.

    Never raises: a malformed record or an unusable expected answer gives an ``invalid``
    verdict for that record only.
    """
    with use_locale(locale):
        try:
            if not isinstance(record, Mapping):
                raise ExpectedAnswerError("each line must be a JSON object")
            if "expected" not in record or "answer" not in record:
                raise ExpectedAnswerError("each line needs 'expected' and 'answer'")
            answer = record["answer"]
            if not isinstance(answer, str):
                answer = "" if answer is None else json.dumps(answer) if not isinstance(answer, (int, float)) else str(answer)
            kind = record.get("kind", record.get("type", "expression"))
            return check(
                record["expected"],
                answer,
                kind=str(kind),
                vars=record.get("vars"),
                functions=record.get("functions", ()),
                tolerance=_optional_float(record.get("tolerance")),
                abs_tolerance=_optional_float(record.get("abs_tolerance")),
                choices=record.get("choices"),
                time_limit=time_limit,
            )
        except (ExgenError, ValueError, TypeError) as problem:
            message = problem.message if isinstance(problem, ExgenError) else str(problem)
            return Verdict("invalid", 0.0, message, code="bad_record")
        except CheckTimeout:
            return timeout_verdict(time_limit or DEFAULT_LIMITS.time_limit)
        except Exception as problem:  # a bug must not take the batch down
            log.exception("internal error while checking a record")
            return internal_error_verdict(problem)


def _optional_float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    return float(value)


MAX_LINE_BYTES = 1_000_000  # a record longer than this is refused before it is parsed


def check_lines(
    lines: Iterable[str | bytes], *, time_limit: float | None = None, locale: str | None = None
) -> Iterator[dict[str, Any]]:
    """One result dict per non-blank input line, in order (the ``exgen check --batch`` format).

    Lines may be bytes: each is decoded on its own, so a line that is not UTF-8, not JSON,
    nested too deeply or too long gives an ``invalid`` result for that line only.
    """
    for number, raw in enumerate(lines, start=1):
        verdict = _check_line(raw, number, time_limit, locale)
        if verdict is None:
            continue
        result = verdict.to_dict()
        result["line"] = number
        yield result


def _check_line(raw: str | bytes, number: int, time_limit: float | None, locale: str | None) -> Verdict | None:
    with use_locale(locale):
        if len(raw) > MAX_LINE_BYTES:
            return Verdict("invalid", 0.0, t("batch.line_too_long", line=number, limit=MAX_LINE_BYTES), code="bad_line")
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as problem:
                return Verdict("invalid", 0.0, t("batch.not_utf8", line=number, position=problem.start), code="bad_encoding")
        if not raw.strip():
            return None
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as problem:
            return Verdict("invalid", 0.0, t("batch.not_json", line=number, detail=problem.msg), code="bad_json")
        except RecursionError:
            return Verdict("invalid", 0.0, t("batch.too_deep", line=number), code="bad_json")
    return check_record(record, time_limit=time_limit, locale=locale)
