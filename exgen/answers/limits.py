"""Bounds on what a student may type, and the time each check may take.

Student text is hostile: every resource it can make the grader spend is bounded here, and
every check runs against a :class:`Deadline`. Where the process allows it (the main thread of a
POSIX process, which is where the CLI and the grading workers run) the hard limit is SIGALRM;
on any other thread a watchdog interrupts the checking thread. Either way any Python
computation that overruns is interrupted, and the engine's own loops also check the deadline.
"""

from __future__ import annotations

import ctypes
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

try:  # signal.signal converts the handler it returns to an enum by trying and failing: 5 µs,
    from _signal import signal as _set_handler  # most of a limit's cost, twice per check
except ImportError:  # pragma: no cover - not CPython
    _set_handler = signal.signal
_signal_getitimer, _signal_setitimer = signal.getitimer, signal.setitimer


@dataclass(frozen=True, slots=True)
class Limits:
    max_length: int = 2000  # characters of one answer
    max_depth: int = 40  # nesting of brackets, functions and powers
    max_nodes: int = 1500  # size of the expression tree
    max_digits: int = 100  # digits of one number literal
    max_exponent: int = 10_000  # numerator and denominator of a constant exponent
    max_number_bits: int = 10_000  # size of an exact constant such as 2^1000 (about 3000 digits)
    time_limit: float = 2.0  # seconds for one check; past it the verdict is "review"


DEFAULT_LIMITS = Limits()


class CheckTimeout(BaseException):
    """Raised when a check runs out of time.

    A BaseException so that library code catching ``Exception`` cannot swallow it.
    """


class Deadline:
    """A point in time after which a check must give up (cooperative part of the limit)."""

    __slots__ = ("end",)

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def expired(self) -> bool:
        return time.monotonic() >= self.end

    def check(self) -> None:
        if time.monotonic() >= self.end:
            raise CheckTimeout


def _can_use_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


class BudgetExceeded(CheckTimeout):
    """A sub-budget inside a check ran out (a symbolic proof attempt); the check goes on."""


class hard_time_limit:  # lower case: it reads as a function, ``with hard_time_limit(2):``
    """Interrupt the block with ``exception`` after ``seconds``, on any thread.

    On the main thread of a POSIX process this is SIGALRM; on other threads a watchdog thread
    raises the exception in the checking thread (CPython's asynchronous exceptions). Either way
    Python code is interrupted between bytecodes, and the interruption repeats every 50 ms
    until the block ends, so even code that swallows one is interrupted again. Nested use
    keeps the earlier limit in force.

    A class rather than a generator: batch grading enters several limits per answer, and a
    generator-based context manager spent half of each one's 5.5 µs on itself.
    """

    __slots__ = ("seconds", "exception", "_previous_delay", "_previous_handler", "_started", "_watch", "_armed")

    def __init__(self, seconds: float, exception: type[CheckTimeout] = CheckTimeout) -> None:
        self.seconds = seconds
        self.exception = exception
        self._watch: Any = None
        self._armed = False

    def _on_alarm(self, signum: int, frame: object) -> None:
        thread = threading.get_ident()
        if thread in _IMPORTING:
            _DEFERRED.setdefault(thread, self.exception)  # raised when the import is done
            return
        raise self.exception

    def __enter__(self) -> None:
        seconds = self.seconds
        if seconds <= 0:
            return
        if not _can_use_alarm():
            self._watch = _watchdog(seconds, self.exception)
            self._watch.__enter__()
            return
        previous_delay = _signal_getitimer(signal.ITIMER_REAL)[0]
        if previous_delay and previous_delay <= seconds:
            return  # an enclosing limit fires first
        self._previous_delay = previous_delay
        self._previous_handler = _set_handler(signal.SIGALRM, self._on_alarm)
        self._started = time.monotonic()
        self._armed = True
        _signal_setitimer(signal.ITIMER_REAL, seconds, 0.05)

    def __exit__(self, *exc_info: object) -> None:
        if self._watch is not None:
            watch, self._watch = self._watch, None
            watch.__exit__(*exc_info)
            return
        if not self._armed:
            return
        self._armed = False
        _signal_setitimer(signal.ITIMER_REAL, 0)
        _set_handler(signal.SIGALRM, self._previous_handler)
        if self._previous_delay:
            left = self._previous_delay - (time.monotonic() - self._started)
            _signal_setitimer(signal.ITIMER_REAL, max(left, 0.001))


# Threads inside import_whole, and the interruption each was spared meanwhile: a time limit
# waits until the import is done and fires then. Process-wide, like the signal it serves.
_IMPORTING: dict[int, int] = {}  # thread → depth of nested imports
_DEFERRED: dict[int, type[BaseException]] = {}


def import_whole(name: str) -> Any:
    """Import a module without letting a time limit interrupt the import halfway (a module left
    half-imported breaks every later use in the process); a limit that passed meanwhile fires
    right after it."""
    import importlib
    import sys

    module = sys.modules.get(name)
    if module is not None:
        return module
    thread = threading.get_ident()
    _IMPORTING[thread] = _IMPORTING.get(thread, 0) + 1
    try:
        module = importlib.import_module(name)
    finally:
        depth = _IMPORTING.pop(thread) - 1
        if depth:
            _IMPORTING[thread] = depth
        spared = None if depth else _DEFERRED.pop(thread, None)  # never left for a later import
    if spared is not None:
        raise spared
    return module


class _Watch:
    __slots__ = ("lock", "stop", "active", "injected")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.active = True
        self.injected = False


def _raise_in(thread_id: int, exception: type[BaseException] | None) -> None:
    target = ctypes.c_ulong(thread_id)
    ctypes.pythonapi.PyThreadState_SetAsyncExc(target, ctypes.py_object(exception) if exception else None)


@contextmanager
def _watchdog(seconds: float, exception: type[CheckTimeout]) -> Iterator[None]:
    watch = _Watch()
    thread_id = threading.get_ident()

    def guard() -> None:
        if watch.stop.wait(seconds):
            return
        while True:
            with watch.lock:
                if not watch.active:
                    return
                if thread_id in _IMPORTING:
                    _DEFERRED.setdefault(thread_id, exception)  # raised when the import is done
                else:
                    _raise_in(thread_id, exception)
                    watch.injected = True
            if watch.stop.wait(0.05):
                return

    guardian = threading.Thread(target=guard, name="exgen-time-limit", daemon=True)
    guardian.start()
    try:
        yield
    finally:
        watch.active = False  # first: the guard must not raise into code after this block
        watch.stop.set()
        with watch.lock:
            if watch.injected:
                _raise_in(thread_id, None)  # drop an interruption not yet delivered
