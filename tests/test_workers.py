"""The one worker pool (exgen.workers): a task that crashes its worker or hangs past its limit
costs only itself, within its limit, and the pool goes on with fresh workers."""

from __future__ import annotations

import multiprocessing
import time

import pytest

from exgen.workers import PacedCollection, ServicePool, WorkerPool, run_all
from tests.workers_support import lost, lost_step, misbehave, stepwise, whose


def test_batch_pool_loses_only_the_bad_tasks() -> None:
    tasks = ["a", "crash", "b", "hang", "c", "d"]
    started = time.monotonic()
    results = dict(WorkerPool(misbehave, 2, task_seconds=0.5, grace=0.3, chunk=2).run(tasks, lost))
    assert [results[i] for i in range(len(tasks))] == ["A", "crash:crashed", "B", "hang:timeout", "C", "D"]
    assert time.monotonic() - started < 10  # seconds, not a minute


@pytest.mark.parametrize("method", ["fork", "spawn"])  # spawn: where the parent has threads (a server)
def test_beats_restart_a_task_clock_and_name_the_step_that_was_lost(method: str) -> None:
    """Beats go through shared memory: a long task that beats is not killed, and a task lost
    after some steps is reported with its last step."""
    tasks = ["slow", "hang-after-2", "a", "crash-after-1", "b"]
    pool = WorkerPool(stepwise, 2, task_seconds=0.4, grace=0.2, chunk=1, beats=True)
    pool.context = multiprocessing.get_context(method)
    results = dict(pool.run(tasks, lost_step))
    assert [results[i] for i in range(len(tasks))] == [
        "SLOW", "hang-after-2:timeout:hang-after-2/step2", "A", "crash-after-1:crashed:crash-after-1/step1", "B"]


def test_results_do_not_depend_on_the_number_of_workers() -> None:
    tasks = [chr(97 + i % 26) * (i % 5 + 1) for i in range(60)]
    assert run_all(misbehave, tasks, 1, 1.0, lost) == run_all(misbehave, tasks, 2, 1.0, lost) == [t.upper() for t in tasks]


def test_service_pool_replaces_workers_and_answers_everyone() -> None:
    pool = ServicePool(misbehave, 2, task_seconds=0.5, failed=lost, grace=0.3)
    try:
        started = time.monotonic()
        futures = {task: pool.submit(task) for task in ["x", "crash", "hang", "y", "z"]}
        assert {task: f.result(timeout=20) for task, f in futures.items()} == {
            "x": "X", "crash": "crash:crashed", "hang": "hang:timeout", "y": "Y", "z": "Z"}
        assert pool.replaced == 2
        assert pool.submit("after").result(timeout=20) == "AFTER"
        assert time.monotonic() - started < 15
    finally:
        pool.close()


def test_paced_collection_frees_cycles_and_leaves_the_collector_as_it_was() -> None:
    import gc
    import weakref

    class Cycle:
        pass

    before = gc.get_threshold()
    pacing = PacedCollection(every=3)
    try:
        pacing.tick()
        assert gc.get_threshold() != before
        garbage = Cycle()
        garbage.me = garbage  # only the cyclic collector can free this
        alive = weakref.ref(garbage)
        pacing.tick()  # the cycle is alive at the end of a unit of work: frozen
        del garbage
        assert gc.get_freeze_count() > 0
        gc.collect()
        assert alive() is not None  # a frozen cycle waits for the full collection
        pacing.tick()  # the third unit: everything is looked at again
        assert alive() is None
    finally:
        pacing.close()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_pool_renews_its_workers_and_loses_nothing() -> None:
    tasks = [f"t{i}" for i in range(20)]
    results = dict(WorkerPool(misbehave, 2, task_seconds=1.0, chunk=2, renew_after=3).run(tasks, lost))
    assert [results[i] for i in range(len(tasks))] == [t.upper() for t in tasks]
    processes = dict(WorkerPool(whose, 2, task_seconds=1.0, chunk=2, renew_after=3).run(tasks, lost))
    assert len(processes) == 20 and len(set(processes.values())) >= 5  # at most 4 tasks each (2 + a chunk of 2)
