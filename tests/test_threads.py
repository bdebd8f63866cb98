"""The engine is safe to embed: no state shared between threads, time limits on any thread."""

from __future__ import annotations

import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from exgen import check
from exgen.answers.kinds import expression
from exgen.answers.limits import CheckTimeout, hard_time_limit

# Cases that need very different working precisions: a thread reading another's precision
# would turn some of these verdicts around.
CASES = [
    ("cosh(1000x)", "cosh(1000x) + 1", "x"),
    ("cosh(1000x)", "(e^(1000x) + e^(-1000x))/2", "x"),
    ("sqrt(2)", "sqrt(2) + 10^-80", ""),
    ("pi/4", "atan(1)", ""),
    ("x", "x + 10^-40 sin(x)", "x"),
    ("10^40 sin(x)", "10^40 sin(x) + 1", "x"),
    ("sin(2x)", "2 sin(x) cos(x)", "x"),
    ("2*(w*x+b-y)*x", "2*(w*x+b-abs(y))*x", "w,b,x,y"),
    ("abs(x)", "max(abs(x), 1/10)", "x"),
    ("log(x-90)", "log(2x-180) - log(2)", "x"),
    ("sigma(x)(1 - sigma(x))", "e^(-x)/(1 + e^(-x))^2", "x"),
    ("3 + sqrt(2)", "sqrt(11 + 6 sqrt(2))", ""),
]


def _run(case: tuple[str, str, str]) -> tuple[str, str]:
    expected, answer, variables = case
    verdict = check(expected, answer, vars=variables or None, functions=["sigma"])
    return verdict.verdict, verdict.evidence


def test_concurrent_checks_give_the_serial_verdicts() -> None:
    serial = {case: _run(case) for case in CASES}
    rng = random.Random(7)
    work = [case for _ in range(6) for case in CASES]
    rng.shuffle(work)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show at once
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(_run, work))
    finally:
        sys.setswitchinterval(interval)
    for case, result in zip(work, results):
        assert result[0] == serial[case][0], (case, result, serial[case])
        # certified digits alike; a sympy proof has a time budget of its own, so under this much
        # contention the same verdict may rest on numeric agreement instead (an honest weaker claim)
        if "sympy" not in result[1] + serial[case][1]:
            assert result == serial[case], (case, result, serial[case])


def test_the_time_limit_holds_off_the_main_thread(monkeypatch) -> None:
    def endless(*args, **kwargs):
        while True:
            pass

    monkeypatch.setattr(expression, "compare_expressions", endless)
    outcome: dict[str, object] = {}

    def worker() -> None:
        started = time.monotonic()
        outcome["verdict"] = check("sin(x)", "cos(x)", time_limit=0.3)
        outcome["seconds"] = time.monotonic() - started
        try:  # the watchdog must not interrupt the thread after the check has returned
            end = time.monotonic() + 0.3
            while time.monotonic() < end:
                pass
            outcome["after"] = "quiet"
        except CheckTimeout:
            outcome["after"] = "interrupted"

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive()
    verdict = outcome["verdict"]
    assert verdict.verdict == "review" and verdict.code == "timeout", verdict  # type: ignore[attr-defined]
    assert outcome["seconds"] < 3  # type: ignore[operator]
    assert outcome["after"] == "quiet"


def test_nested_limits_off_the_main_thread_keep_the_earlier_one() -> None:
    caught: list[str] = []

    def worker() -> None:
        try:
            with hard_time_limit(0.2):
                with hard_time_limit(5):
                    while True:
                        pass
        except CheckTimeout:
            caught.append("outer")

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=5)
    assert caught == ["outer"]
