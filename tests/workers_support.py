"""Functions for worker-pool tests (importable by spawned workers)."""

from __future__ import annotations

import os
import time


def misbehave(task: str) -> str:
    if task == "crash":
        os._exit(3)  # as a segfault in native code would: no exception, no goodbye
    if task == "hang":
        while True:
            time.sleep(0.05)  # past every limit
    return task.upper()


def lost(task: str, why: str) -> str:
    return f"{task}:{why}"


def whose(task: str) -> int:
    """The process that ran the task."""
    return os.getpid()


def stepwise(task: str, beat) -> str:
    """A task of steps ("slow", "hang-after-2", "crash-after-1"): beats before each step."""
    steps = 6 if task == "slow" else 3
    for step in range(steps):
        beat(f"{task}/step{step}")
        if task == "hang-after-2" and step == 2:
            while True:
                time.sleep(0.05)
        if task == "crash-after-1" and step == 1:
            os._exit(3)
        time.sleep(0.25 if task == "slow" else 0.0)  # six steps: longer than the limit, each within it
    return task.upper()


def lost_step(task: str, why: str, beat) -> str:
    return f"{task}:{why}:{beat}"
