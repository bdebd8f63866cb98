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
