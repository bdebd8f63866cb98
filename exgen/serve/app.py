"""The ASGI application of ``exgen serve`` (Starlette).

Nothing a student sends runs on the event loop: previews read the answer in a thread (the
reader is bounded in size, depth and time), checks go to the worker pool with a hard limit per
answer, and the store is written from a thread and committed before the response.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import escape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from exgen.answers.limits import DEFAULT_LIMITS
from exgen.grading.engine import CellResult
from exgen.grading.key import Key, KeyPart, KeyVersion
from exgen.i18n import t, use_locale
from exgen.serve.links import INSTRUCTOR, Signer
from exgen.serve.pages import Settings, attempts_text, instructor_context, part_view, preview, student_context
from exgen.serve.store import Attempt, AttemptStore

# Pages carry personal tokens in their address: never sent on to another site, never cached.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
MAX_BODY = 64 * 1024  # a form with every answer of a sheet at the reader's size limit fits easily


class RateLimiter:
    """A token bucket per (subject, action): ``rate`` requests a second, bursts of ``burst``."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def allow(self, who: str) -> bool:
        now = time.monotonic()
        with self.lock:
            tokens, since = self.buckets.get(who, (self.burst, now))
            tokens = min(self.burst, tokens + (now - since) * self.rate)
            if tokens < 1:
                self.buckets[who] = (tokens, now)
                return False
            self.buckets[who] = (tokens - 1, now)
            return True


class Recent:
    """A bounded map of recent verdicts: many students type the same answer to one part."""

    def __init__(self, size: int = 50_000) -> None:
        from collections import OrderedDict

        self.size = size
        self.items: OrderedDict[Any, dict[str, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any) -> dict[str, Any] | None:
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key: Any, value: dict[str, Any]) -> None:
        with self.lock:
            self.items[key] = value
            if len(self.items) > self.size:
                self.items.popitem(last=False)


@dataclass
class ServeState:
    folder: Path
    key: Key
    store: AttemptStore
    signer: Signer
    settings: Settings
    workers: int = 1
    templates: str | None = None
    previews: RateLimiter = field(default_factory=lambda: RateLimiter(10, 20))
    submits: RateLimiter = field(default_factory=lambda: RateLimiter(5, 15))
    pool: Any = None  # exgen.workers.ServicePool, started with the application
    graded: dict[str, Any] = field(default_factory=dict)  # the instructor's grade book, by attempt count
    environment: Any = None  # the jinja2 environment of the pages
    verdicts: Recent = field(default_factory=Recent)
    origins: frozenset[str] = frozenset()  # scheme://host[:port] of the addresses students use
    # Threads of their own for reading previews and for the store: a slow disk never holds up a preview.
    readers: Any = field(default_factory=lambda: ThreadPoolExecutor(4, thread_name_prefix="exgen-preview"))
    database: Any = field(default_factory=lambda: ThreadPoolExecutor(16, thread_name_prefix="exgen-store"))


def _render(state: ServeState, template: str, **context: Any) -> str:
    if state.environment is None:  # built once: templates are compiled on first use and kept
        from exgen.rendering.templates import environment

        state.environment = environment("html", state.templates)
    return state.environment.get_template(template).render(**context)


def _page(content: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(content, status_code=status, headers=SECURITY_HEADERS)


def _refusal(message: str, status: int) -> Response:
    return PlainTextResponse(message, status_code=status, headers=SECURITY_HEADERS)


def _version(state: ServeState, request: Request) -> tuple[str, KeyVersion] | None:
    token = request.path_params["token"]
    subject = state.signer.subject(token)
    if subject is None or subject == INSTRUCTOR or subject not in state.key.versions:
        return None
    return token, state.key.versions[subject]


def _same_site(request: Request) -> bool:
    """A POST from a page of this server (not from another site): the browser's Origin is this
    host, or the address students use (``--url``, behind a reverse proxy)."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return False
    origin = request.headers.get("origin")
    if origin and origin != "null":
        state: ServeState = request.app.state.exgen
        host = request.headers.get("host", "")
        return origin.split("://", 1)[-1] == host or origin.rstrip("/") in state.origins
    return True


async def _check(state: ServeState, version: KeyVersion, part: KeyPart, text: str, earlier: dict[str, Attempt]) -> CellResult:
    """The verdict against the key and the mistake models, then (for a part that builds on a
    wrong earlier answer) against the student's own earlier answers, in the worker pool."""
    from exgen.grading.ecf import RECIPES

    seconds = state.settings.check_seconds
    if not text.strip():
        return CellResult("blank", 0.0, t("grading.blank"), code="blank")
    signature = (part.signature, text)
    outcome = state.verdicts.get(signature)
    if outcome is None:
        outcome = await asyncio.wrap_future(state.pool.submit(("key", part.to_task(), text, seconds)))
        if outcome.get("verdict") != "review":  # a verdict depends only on the part and the text
            state.verdicts.put(signature, outcome)
    result = CellResult(**outcome)
    if result.verdict != "incorrect" or part.ask not in RECIPES or not part.depends_on:
        return result
    before = [version.parts.get(d) for d in part.depends_on]
    attempts = [earlier.get(d) for d in part.depends_on]
    if any(p is None for p in before) or any(a is None or a.verdict in ("invalid", "blank", "") for a in attempts):
        return result
    if not any(a.verdict == "incorrect" for a in attempts if a is not None):
        return result
    problem = version.problem_of(part.id)
    task = ("ecf", part.to_task(), text, [p.to_task() for p in before if p], [a.raw for a in attempts if a],
            dict(problem.givens), result.score, seconds)
    followed = await asyncio.wrap_future(state.pool.submit(task))
    return CellResult(**followed) if followed else result


async def _record(state: ServeState, version: KeyVersion, part: KeyPart, text: str, action: str,
                  attempts: list[Attempt]) -> Attempt:
    """Check (always: the instructor's progress needs verdicts) and store one answer;
    ``attempts`` are the version's answers so far (the earlier parts for follow-through)."""
    earlier = {a.part: a for a in attempts}
    result = await _check(state, version, part, text, earlier)
    attempt = Attempt(
        version=version.version, student=version.student_id or "", part=part.id, raw=text, action=action,
        reading=result.interpreted or "", verdict=result.verdict, score=result.score, evidence=result.evidence,
        message=result.message, mistake=result.mistake or "",
    )
    return await _stored(state, state.store.add, attempt)


async def _stored(state: ServeState, method: Callable[..., Any], *arguments: Any) -> Any:
    """A store call in the store's own threads (never on the event loop, never queued behind
    previews)."""
    return await asyncio.get_running_loop().run_in_executor(state.database, method, *arguments)


def _in_language(language: str, function: Callable[..., Any], *arguments: Any) -> Any:
    with use_locale(language):  # executor threads do not inherit the request's context
        return function(*arguments)


def _bounded(text: Any) -> str:
    return str(text)[: DEFAULT_LIMITS.max_length + 1] if text is not None else ""


# -- the student's page ---------------------------------------------------------------------


Handler = Callable[..., Awaitable[Response]]


def for_student(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint of a student's link: the handler gets the state, the token and its version;
    a forged, garbled or unknown token gets 403."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        state: ServeState = request.app.state.exgen
        with use_locale(state.key.language):  # every word of the page in the sheet's language
            found = _version(state, request)
            if found is None:
                return _refusal(t("serve.forbidden"), 403)
            return await handler(request, state, *found)

    return endpoint


def for_instructor(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint of the instructor's link (its own token)."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        state: ServeState = request.app.state.exgen
        with use_locale(state.key.language):
            if state.signer.subject(request.path_params["token"]) != INSTRUCTOR:
                return _refusal(t("serve.forbidden"), 403)
            return await handler(request, state)

    return endpoint


@for_student
async def student_page(request: Request, state: ServeState, token: str, version: KeyVersion) -> Response:
    attempts = await _stored(state, state.store.attempts, version.version)
    context = student_context(state.key, version, attempts, state.settings, token, state.signer.form_token(token))
    return _page(_render(state, "answer.html.j2", **context))


@for_student
async def student_post(request: Request, state: ServeState, token: str, version: KeyVersion) -> Response:
    """The plain form (no JavaScript): save every changed answer, or check the one asked for."""
    if _too_large(request):
        return _refusal(t("answer.error.too_long", limit=DEFAULT_LIMITS.max_length, size=request.headers.get("content-length")), 413)
    form = await request.form(max_files=0, max_fields=200)
    if not _same_site(request) or not state.signer.form_token_ok(token, form.get("form_token")):  # type: ignore[arg-type]
        return _refusal(t("serve.bad_form"), 403)
    if state.settings.is_closed():
        return _refusal(t("serve.closed", time=state.settings.closes.strftime("%Y-%m-%d %H:%M") if state.settings.closes else ""), 403)
    if not state.submits.allow(version.version):
        return _refusal(t("serve.too_many"), 429)
    action = str(form.get("action") or "save")
    checked = action.split(":", 1)[1] if action.startswith("check:") else None
    latest = {a.part: a for a in await _stored(state, state.store.attempts, version.version)}
    for part_id, part in version.parts.items():
        if part_id not in form:
            continue
        text = _bounded(form.get(part_id))
        mode = "check" if state.settings.mode == "practice" and (checked == part_id or action == "check") else "save"
        previous = latest.get(part_id)
        if mode == "save" and (previous.raw if previous else "") == text:
            continue  # unchanged: nothing to store
        if mode == "check" and not text.strip():
            continue
        latest[part_id] = await _record(state, version, part, text, mode, list(latest.values()))
    anchor = f"#answer-{checked}" if checked else ""
    return RedirectResponse(f"/s/{token}{anchor}", status_code=303, headers=SECURITY_HEADERS)


def _too_large(request: Request) -> bool:
    """A body over the limit, or of unknown length (browsers always send the length of a form
    or a fetch body; a chunked upload of unknown size is not read at all)."""
    try:
        return int(request.headers.get("content-length", MAX_BODY + 1)) > MAX_BODY
    except ValueError:
        return True


async def _json_body(request: Request) -> dict[str, Any] | None:
    if _too_large(request):
        return None
    received = bytearray()
    async for chunk in request.stream():  # the declared length is the client's word: count
        received += chunk
        if len(received) > MAX_BODY:
            return None
    try:
        body = json.loads(bytes(received))
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


@for_student
async def student_preview(request: Request, state: ServeState, token: str, version: KeyVersion) -> Response:
    if _too_large(request):  # far beyond what the reader reads: say so without reading it
        message = t("answer.error.too_long", limit=DEFAULT_LIMITS.max_length, size=request.headers.get("content-length"))
        return JSONResponse({"state": "error", "code": "too_long", "html": str(escape(message))}, status_code=413, headers=SECURITY_HEADERS)
    body = await _json_body(request)
    if body is None:
        return _refusal(t("serve.bad_form"), 400)
    part = version.parts.get(str(body.get("part")))
    if part is None:
        return _refusal(t("serve.unknown_part", part=str(body.get("part"))[:10]), 404)
    if not state.previews.allow(version.version):
        return JSONResponse({"state": "busy", "html": t("serve.too_many")}, status_code=429, headers=SECURITY_HEADERS)
    shown = await asyncio.get_running_loop().run_in_executor(
        state.readers, _in_language, state.key.language, preview, part, _bounded(body.get("text")))
    return JSONResponse(shown, headers=SECURITY_HEADERS)


@for_student
async def student_answer(request: Request, state: ServeState, token: str, version: KeyVersion) -> Response:
    """Save or check one answer (the page's script); the reply comes after the commit."""
    body = await _json_body(request)
    if body is None or not _same_site(request) or not state.signer.form_token_ok(token, request.headers.get("x-exgen-form")):
        return _refusal(t("serve.bad_form"), 403)
    if state.settings.is_closed():
        return _refusal(t("serve.closed", time=state.settings.closes.strftime("%Y-%m-%d %H:%M") if state.settings.closes else ""), 403)
    part = version.parts.get(str(body.get("part")))
    if part is None:
        return _refusal(t("serve.unknown_part", part=str(body.get("part"))[:10]), 404)
    if not state.submits.allow(version.version):
        return JSONResponse({"error": t("serve.too_many")}, status_code=429, headers=SECURITY_HEADERS)
    mode = "check" if state.settings.mode == "practice" and body.get("action") == "check" else "save"
    attempts = await _stored(state, state.store.attempts, version.version)
    attempt = await _record(state, version, part, _bounded(body.get("text")), mode, attempts)
    shown = part_view(part, [a for a in attempts if a.part == part.id] + [attempt], state.settings)
    status = _render(state, "answer_status.html.j2", part=shown, mode=state.settings.mode, attempts_text=attempts_text)
    return JSONResponse({"id": attempt.id, "saved_at": shown["saved_at"], "status": status}, headers=SECURITY_HEADERS)


# -- the instructor's pages -----------------------------------------------------------------


@for_instructor
async def instructor_page(request: Request, state: ServeState) -> Response:
    attempts = await _stored(state, state.store.attempts)
    context = instructor_context(state.key, attempts, request.path_params["token"])
    return _page(_render(state, "instructor.html.j2", **context, mode=state.settings.mode))


def _download(content: str, name: str) -> Response:
    headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(content, media_type="text/csv; charset=utf-8", headers=headers)


@for_instructor
async def instructor_answers(request: Request, state: ServeState) -> Response:
    from exgen.serve.collect import answers_csv

    attempts = await _stored(state, state.store.attempts)
    return _download(answers_csv(state.key, attempts), "answers.csv")


@for_instructor
async def instructor_attempts(request: Request, state: ServeState) -> Response:
    from exgen.serve.collect import attempts_csv

    return _download(attempts_csv(await _stored(state, state.store.attempts)), "attempts.csv")


def _grade_book(state: ServeState) -> Any:
    """``exgen grade`` on what has been submitted so far (recomputed only after new attempts):
    the summary with its item analysis, and grades.csv."""
    from exgen.grading.reports import grade_to_folder
    from exgen.serve.collect import answers_csv

    attempts = state.store.attempts()
    stamp = f"{len(attempts)}:{attempts[-1].id if attempts else 0}"
    if state.graded.get("stamp") != stamp:
        with tempfile.TemporaryDirectory(prefix="exgen-serve-") as folder:
            path = Path(folder) / "answers.csv"
            path.write_text(answers_csv(state.key, attempts), encoding="utf-8")
            summary = grade_to_folder(state.key.path, path, Path(folder) / "graded", workers=state.workers,
                                      seconds=state.settings.check_seconds, formats=("csv",))
            grades = (Path(folder) / "graded" / "grades.csv").read_text(encoding="utf-8")
        state.graded = {"stamp": stamp, "summary": summary, "grades": grades}
    return state.graded


@for_instructor
async def instructor_grades(request: Request, state: ServeState) -> Response:
    graded = await asyncio.to_thread(_in_language, state.key.language, _grade_book, state)
    return _download(graded["grades"], "grades.csv")


@for_instructor
async def instructor_items(request: Request, state: ServeState) -> Response:
    graded = await asyncio.to_thread(_in_language, state.key.language, _grade_book, state)
    summary = graded["summary"]
    return _page(_render(
        state, "item_analysis.html.j2", title=summary.title, items=summary.items, issues=summary.issues,
        counts=summary.counts, language=summary.language, students=summary.students, answers=summary.answers,
    ))


async def script(request: Request) -> Response:
    from exgen.rendering.templates import package_templates

    state: ServeState = request.app.state.exgen
    user = Path(state.templates) / "answer.js" if state.templates else None
    path = user if user is not None and user.exists() else package_templates() / "answer.js"
    headers = {**SECURITY_HEADERS, "Cache-Control": "max-age=300"}
    return Response(path.read_text(encoding="utf-8"), media_type="text/javascript; charset=utf-8", headers=headers)


async def home(request: Request) -> Response:
    return _refusal(t("serve.forbidden"), 404)


def create_app(state: ServeState) -> Starlette:
    """The application; the worker pool starts with it and stops with it."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        from exgen.grading.batch import WARM_UP, grade_task, lost_task
        from exgen.workers import ServicePool

        if state.pool is None:
            # checks at a lower priority than the server: previews and pages stay quick when busy
            state.pool = ServicePool(grade_task, state.workers, state.settings.check_seconds, lost_task, nice=10)
            # every worker imports and runs a check and a follow-through once before students arrive
            await asyncio.gather(*(asyncio.wrap_future(state.pool.submit(WARM_UP)) for _ in range(2 * state.workers)))
        try:
            yield
        finally:
            state.pool.close()
            state.pool = None

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/s/{token}", student_page, methods=["GET"]),
            Route("/s/{token}", student_post, methods=["POST"]),
            Route("/s/{token}/preview", student_preview, methods=["POST"]),
            Route("/s/{token}/answer", student_answer, methods=["POST"]),
            Route("/i/{token}", instructor_page),
            Route("/i/{token}/answers.csv", instructor_answers),
            Route("/i/{token}/attempts.csv", instructor_attempts),
            Route("/i/{token}/grades.csv", instructor_grades),
            Route("/i/{token}/item-analysis", instructor_items),
            Route("/static/answer.js", script),
        ],
        lifespan=lifespan,
    )
    app.state.exgen = state
    return app


def parse_closes(text: str | None) -> dt.datetime | None:
    """``--closes`` as an aware UTC time (a time without zone is taken as UTC)."""
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)
