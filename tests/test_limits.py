"""Time limits: a check that cannot decide in time says 'review'; nothing hangs."""

from __future__ import annotations

import time

import pytest

from exgen import check
from exgen.answers import equivalence
from exgen.answers.kinds import expression
from exgen.answers.limits import CheckTimeout, Deadline, hard_time_limit, import_whole


def test_deadline_is_cooperative() -> None:
    deadline = Deadline(0.0)
    with pytest.raises(CheckTimeout):
        deadline.check()


def test_hard_limit_interrupts_a_busy_loop() -> None:
    start = time.perf_counter()
    with pytest.raises(CheckTimeout):
        with hard_time_limit(0.05):
            while True:
                pass
    assert time.perf_counter() - start < 1.0


def test_hard_limit_interrupts_code_that_swallows_exceptions() -> None:
    start = time.perf_counter()
    with pytest.raises(CheckTimeout):
        with hard_time_limit(0.05):
            for _ in range(100):
                try:
                    time.sleep(0.2)
                except Exception:  # CheckTimeout is a BaseException: not caught here
                    pass
    assert time.perf_counter() - start < 1.0


def test_slow_comparison_gives_review(monkeypatch) -> None:
    def endless(*args, **kwargs):
        while True:
            pass

    monkeypatch.setattr(expression, "compare_expressions", endless)
    start = time.perf_counter()
    verdict = check("sin(x)", "cos(x)", time_limit=0.1)
    assert time.perf_counter() - start < 1.0
    assert verdict.verdict == "review" and verdict.code == "timeout"
    assert "in time" in verdict.message


def test_internal_errors_give_review_not_a_crash(monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(expression, "compare_expressions", broken)
    verdict = check("sin(x)", "cos(x)")
    assert verdict.verdict == "review" and verdict.code == "internal_error"


def test_hostile_simplify_cases_are_fast() -> None:
    for answer in ("40*(x + 5)^3*cos(10*(x + 5)^4)", "sin(x+y+z+w+v)^4 - cos(x+y+z+w+v)^4",
                   "((((((((x+1)^2+1)^2+1)^2+1)^2+1)^2+1)^2+1)^2+1)^2 - 1", "sin(cos(exp(exp(exp(exp(1))))))"):
        start = time.perf_counter()
        verdict = check("3*x^2", answer, vars="x,y,z,w,v")
        assert verdict.verdict in ("incorrect", "invalid", "review")
        assert time.perf_counter() - start < 2.0


def test_sample_points_do_not_depend_on_hash_seed() -> None:
    import os
    import subprocess
    import sys

    code = (
        "from exgen.answers.equivalence import prepare; from exgen.answers.reader import read, ReadOptions; "
        "p = prepare(read('x*y', ReadOptions(('x','y'))).tree, ('x','y')); print(p.plan.core[:3], p.plan.wide[:2])"
    )
    outputs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed}, check=True).stdout
        for seed in ("0", "1", "12345")
    }
    assert len(outputs) == 1
    assert equivalence.TARGET_POINTS >= 8


def test_a_time_limit_never_leaves_a_module_half_imported(tmp_path, monkeypatch) -> None:
    """A lazy import inside a check (sympy for a proof) finishes whole; a limit that passed
    meanwhile fires right after it."""
    import sys

    (tmp_path / "slow_module_for_exgen.py").write_text("import time\ntime.sleep(1.0)\nDONE = True\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        with pytest.raises(CheckTimeout):
            with hard_time_limit(0.4):  # long enough that it fires during the import, not before it
                import_whole("slow_module_for_exgen")
        assert sys.modules["slow_module_for_exgen"].DONE
        assert import_whole("slow_module_for_exgen") is sys.modules["slow_module_for_exgen"]
    finally:
        sys.modules.pop("slow_module_for_exgen", None)


def test_a_whole_import_holds_off_the_limit_with_other_threads_alive(tmp_path, monkeypatch) -> None:
    """The alarm is delivered to any thread of the process; the import must still finish."""
    import sys
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    (tmp_path / "slow_module_for_exgen_b.py").write_text("import time\nfor _ in range(40):\n    time.sleep(0.01)\nDONE = True\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        with pytest.raises(CheckTimeout):
            with hard_time_limit(0.1):
                import_whole("slow_module_for_exgen_b")
        assert sys.modules["slow_module_for_exgen_b"].DONE
    finally:
        stop.set()
        sys.modules.pop("slow_module_for_exgen_b", None)


def test_a_whole_import_on_another_thread_holds_off_its_watchdog(tmp_path, monkeypatch) -> None:
    import sys
    import threading

    (tmp_path / "slow_module_for_exgen_c.py").write_text("import time\nfor _ in range(40):\n    time.sleep(0.01)\nDONE = True\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    outcome: list[str] = []

    def run() -> None:
        try:
            with hard_time_limit(0.1):
                import_whole("slow_module_for_exgen_c")
                while True:
                    time.sleep(0.01)
        except CheckTimeout:
            outcome.append("timeout")

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(5)
    try:
        assert outcome == ["timeout"] and sys.modules["slow_module_for_exgen_c"].DONE
    finally:
        sys.modules.pop("slow_module_for_exgen_c", None)
