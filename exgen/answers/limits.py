"""Bounds on what a student may type, and the time each check may take.

Student text is hostile: every resource it can make the grader spend is bounded here, and
every check runs against a :class:`Deadline`. Where the process allows it (the main thread of a
POSIX process, which is where the CLI and the grading workers run) a hard limit interrupts any
Python computation that overruns; elsewhere the engine's own loops check the deadline.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


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


@contextmanager
def hard_time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block with :class:`CheckTimeout` after ``seconds`` (main thread only).

    The timer repeats every 50 ms until the block ends, so even code that swallows one
    interruption is interrupted again. Nested use keeps the outer, earlier limit.
    """
    if not _can_use_alarm() or seconds <= 0:
        yield
        return
    previous_delay, _ = signal.getitimer(signal.ITIMER_REAL)
    if previous_delay and previous_delay <= seconds:
        yield  # an enclosing limit fires first
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise CheckTimeout

    previous_handler = signal.signal(signal.SIGALRM, on_alarm)
    started = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay:
            left = previous_delay - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))
