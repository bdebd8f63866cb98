"""One small process pool for everything that checks answers in parallel.

Each task has a hard time limit of its own. Workers run their tasks one after another and
report each result as soon as it is ready, so the parent always knows which task a worker is
on and since when: a worker that goes past ``task_seconds + grace`` on one task is killed and
replaced, and only that task is lost; a worker that dies (a crash in native code, the OOM
killer) costs only the task it was running. The others in its chunk run again elsewhere.
Results are yielded as they arrive and are independent of the number of workers.

Inside a worker, checks run on the main thread, where the answer engine's SIGALRM limit
interrupts any Python code; the pool's own limit is the backstop for code it cannot reach.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.connection
import os
import pickle
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

TIMEOUT, CRASHED = "timeout", "crashed"


def default_workers() -> int:
    """The cores this process may use (a container's CPU limit included, where visible)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _worker_main(connection: multiprocessing.connection.Connection, function: Callable[..., Any], beats: Any = None) -> None:
    # A forked worker shares the parent's heap until it writes to it; the collector writes to
    # every object it walks, so what the worker inherited is kept out of its collections.
    gc.freeze()
    while True:
        try:
            message = connection.recv()
        except EOFError:
            return
        if message is None:
            return
        for index, task in message:
            if beats is not None:
                result = function(task, _BeatSlot(beats, index))
            else:
                result = function(task)
            connection.send((index, result))  # the only message a worker sends


# A beat is written into memory shared with the parent, not sent: a message per step woke the
# parent each time and was 7 % of a grading worker's time. Layout: the number of beats so far
# (8 bytes, which the parent polls to see progress), the payload's length (4), then the pickled
# (task index, payload), which the parent reads only once the worker is stopped.
_SLOT_BYTES = 4096
_COUNT, _LENGTH, _DATA = slice(0, 8), slice(8, 12), 12


class _BeatSlot:
    __slots__ = ("slot", "index")

    def __init__(self, slot: Any, index: int) -> None:
        self.slot = slot
        self.index = index

    def __call__(self, payload: Any) -> None:
        data = pickle.dumps((self.index, payload), protocol=pickle.HIGHEST_PROTOCOL)
        if len(data) > _SLOT_BYTES - _DATA:
            raise ValueError(f"a beat's payload is {len(data)} bytes pickled, more than a slot holds")
        slot = self.slot
        slot[_DATA : _DATA + len(data)] = data
        slot[_LENGTH] = len(data).to_bytes(4, "little")
        slot[_COUNT] = (int.from_bytes(slot[_COUNT], "little") + 1).to_bytes(8, "little")


def _beats_so_far(slot: Any) -> int:
    return int.from_bytes(slot[_COUNT], "little")


def _last_beat(slot: Any, index: int) -> Any:
    """The payload of the last beat of task ``index`` (None if it has not beaten); read only
    when the worker is stopped, so never half written."""
    if not _beats_so_far(slot):
        return None
    length = int.from_bytes(slot[_LENGTH], "little")
    try:
        beaten, payload = pickle.loads(bytes(slot[_DATA : _DATA + length]))
    except Exception:  # it died while writing this beat: which step it was on is unknown
        return None
    return payload if beaten == index else None


class PacedCollection:
    """Cyclic garbage collection for a long batch, paid per batch instead of per allocation.

    Python's collector walks every tracked object it holds in each full collection; once a
    worker holds its imports (sympy's among them) and its caches, that is half a million
    objects and a third of a second, and it came every few students. Paced, what is alive when
    a unit of work ends is frozen (``gc.freeze``, which costs nothing: the collector stops
    walking those objects), the automatic collections only see what the current unit
    allocates (in large steps), and every ``every`` units one full collection looks at
    everything again, for cycles that died after they were frozen (they are rare: a few
    objects per student). Frozen objects are still freed by reference counting.
    :meth:`close` gives everything back to the collector as it was (an in-process batch
    must not leave its caller's heap frozen).
    """

    def __init__(self, every: int = 1024, young: int = 100_000) -> None:
        self.every = every
        self.young = young
        self.done = 0
        self._saved: tuple[int, int, int] | None = None

    def tick(self) -> None:
        """One unit of work is done (the first call starts the pacing)."""
        if self._saved is None:
            self._saved = gc.get_threshold()
            gc.set_threshold(self.young, 20, 100)
        self.done += 1
        if self.done % self.every == 0:
            gc.unfreeze()
            gc.collect()
        gc.freeze()

    def close(self) -> None:
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None
            gc.unfreeze()


@dataclass(frozen=True)
class Retry:
    """Returned by a pool's ``failed`` callback: run this task instead, under the same index
    (a task of many steps that lost one step runs again without it)."""

    task: Any


@dataclass
class _Worker:
    process: Any
    connection: multiprocessing.connection.Connection
    queue: deque[int] = field(default_factory=deque)  # task indices sent, in the order it runs them
    since: float = 0.0  # when its current task started or last reported progress
    slot: Any = None  # its beats (shared memory), with beats on
    beats_seen: int = 0  # beats counted when the parent last looked
    done: int = 0  # tasks it has finished


class WorkerPool:
    """``workers`` processes running ``function`` on tasks, ``task_seconds`` each at most.

    With ``beats``, ``function(task, beat)`` may call ``beat(payload)`` between the steps of a
    long task: each beat restarts the task's clock, and a task lost afterwards is reported with
    its last payload, so the caller knows which step hung.

    With ``renew_after``, a worker that has finished that many tasks is retired when it is idle
    and a fresh one takes its place (as gunicorn's ``max_requests``): a long-lived Python
    process's heap only fragments further, so over a large class each worker's memory would
    creep up with the number of tasks; renewed, it stays within what that many tasks take.
    """

    def __init__(self, function: Callable[..., Any], workers: int, task_seconds: float, grace: float = 1.0, chunk: int = 16,
                 beats: bool = False, renew_after: int | None = None) -> None:
        self.function = function
        self.renew_after = renew_after
        self.workers = max(1, workers)
        self.limit = task_seconds + grace
        self.chunk = max(1, chunk)
        self.beats = beats
        # fork is fastest and safe while this process has one thread; otherwise start clean
        method = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"
        self.context = multiprocessing.get_context(method)

    def _start(self) -> _Worker:
        parent, child = self.context.Pipe()
        slot = self.context.RawArray("c", _SLOT_BYTES) if self.beats else None
        process = self.context.Process(target=_worker_main, args=(child, self.function, slot), daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent, since=time.monotonic(), slot=slot)

    def _progressed(self, worker: _Worker) -> None:
        """A worker that has beaten since the parent last looked restarts its task's clock."""
        if worker.slot is not None:
            count = _beats_so_far(worker.slot)
            if count != worker.beats_seen:
                worker.beats_seen = count
                worker.since = time.monotonic()

    def run(self, tasks: Iterable[Any], failed: Callable[..., Any], count: int | None = None) -> Iterator[tuple[int, Any]]:
        """Yield ``(index, result)`` for every task, in completion order. A task whose worker
        hung or died yields ``failed(task, "timeout" | "crashed")`` instead (with beats, also
        the task's last beat), unless that returns :class:`Retry`. ``tasks`` may be a lazy
        iterable (``count``, if known, saves starting workers that would get nothing): only the
        tasks in flight are held."""
        source = enumerate(tasks)
        held: dict[int, Any] = {}  # index → task, for the tasks pulled and not yet finished
        pending: deque[int] = deque()
        exhausted = False
        workers: list[_Worker] = []
        wanted = self.workers if count is None else min(self.workers, count)

        def pull(amount: int) -> None:
            nonlocal exhausted
            while not exhausted and len(pending) < amount:
                try:
                    index, task = next(source)
                except StopIteration:
                    exhausted = True
                    return
                held[index] = task
                pending.append(index)

        try:
            pull(self.chunk * self.workers)
            while pending or any(w.queue for w in workers):
                while len(workers) < wanted and pending:
                    workers.append(self._start())
                for worker in list(workers):
                    if self.renew_after and worker.done >= self.renew_after and not worker.queue:
                        self._stop(worker, kill=False)  # retired; a fresh worker starts above
                        workers.remove(worker)
                        continue
                    if not worker.queue and pending:
                        share = min(self.chunk, max(1, len(pending) // len(workers)))
                        batch = [pending.popleft() for _ in range(min(share, len(pending)))]
                        worker.queue.extend(batch)
                        worker.since = time.monotonic()
                        try:
                            worker.connection.send([(i, held[i]) for i in batch])
                        except OSError:  # it died while idle: its replacement takes the work
                            pending.extendleft(reversed(batch))
                            worker.queue.clear()
                            self._stop(worker, kill=True)
                            workers.remove(worker)
                    pull(self.chunk * self.workers)
                busy = [w for w in workers if w.queue]
                if not busy:
                    continue
                for worker in busy:
                    self._progressed(worker)
                now = time.monotonic()
                wait = max(0.0, min(w.since + self.limit - now for w in busy))
                ready = multiprocessing.connection.wait(
                    [w.connection for w in busy] + [w.process.sentinel for w in busy], timeout=wait
                )
                for worker in list(busy):
                    if worker.connection in ready:
                        try:
                            while worker.queue and worker.connection.poll():
                                index, result = worker.connection.recv()
                                worker.since = time.monotonic()
                                worker.queue.popleft()
                                worker.done += 1
                                del held[index]
                                yield index, result
                            continue
                        except (EOFError, OSError):
                            pass  # the worker died while sending: handled as a crash below
                    dead = worker.process.sentinel in ready or not worker.process.is_alive()
                    self._progressed(worker)
                    overdue = time.monotonic() - worker.since > self.limit
                    if (dead or overdue) and worker.queue:
                        lost = worker.queue.popleft()
                        pending.extendleft(reversed(worker.queue))
                        worker.queue.clear()
                        self._stop(worker, kill=True)
                        beat = _last_beat(worker.slot, lost) if worker.slot is not None else None
                        workers.remove(worker)
                        reason = CRASHED if dead and not overdue else TIMEOUT
                        outcome = failed(held[lost], reason, beat) if self.beats else failed(held[lost], reason)
                        if isinstance(outcome, Retry):
                            held[lost] = outcome.task
                            pending.appendleft(lost)
                            continue
                        del held[lost]
                        yield lost, outcome
        finally:
            for worker in workers:
                self._stop(worker, kill=bool(worker.queue))

    def _stop(self, worker: _Worker, kill: bool) -> None:
        if kill:
            worker.process.kill()
        else:
            try:
                worker.connection.send(None)
            except OSError:
                worker.process.kill()
        worker.process.join(timeout=5)
        worker.connection.close()


def run_all(
    function: Callable[[Any], Any], tasks: Sequence[Any], workers: int, task_seconds: float,
    failed: Callable[[Any, str], Any], progress: Callable[[int], None] | None = None,
) -> list[Any]:
    """Results in task order; one worker (or few tasks) runs in this process."""
    if workers <= 1 or len(tasks) < 2:
        results = []
        for task in tasks:
            results.append(function(task))
            if progress:
                progress(1)
        return results
    out: list[Any] = [None] * len(tasks)
    for index, result in WorkerPool(function, workers, task_seconds).run(tasks, failed, len(tasks)):
        out[index] = result
        if progress:
            progress(1)
    return out


def _niced_worker_main(connection: multiprocessing.connection.Connection, function: Callable[[Any], Any], nice: int) -> None:
    if nice:
        try:
            os.nice(nice)
        except OSError:  # pragma: no cover - not permitted here: run at normal priority
            pass
    _worker_main(connection, function)


class ServicePool:
    """Long-lived workers for a server: :meth:`submit` one task, get a Future.

    The same rules as :class:`WorkerPool`: each task has a hard limit (``task_seconds + grace``)
    after which its worker is killed and replaced, and a worker that dies costs only the task it
    was running. One supervising thread per worker sends it one task at a time, so a slow task
    holds up only its own worker, never the caller's thread or event loop.
    """

    def __init__(self, function: Callable[[Any], Any], workers: int, task_seconds: float,
                 failed: Callable[[Any, str], Any], grace: float = 1.0, nice: int = 0) -> None:
        """``nice``: run the workers at a lower priority, so that a server's own work (pages,
        previews) comes first when the machine is busy checking."""
        import queue

        self.function = function
        self.nice = nice
        self.limit = task_seconds + grace
        self.failed = failed
        # Workers start with "spawn" here: a server has threads (its event loop, the database),
        # and forking a threaded process can copy a held lock.
        self.context = multiprocessing.get_context("spawn")
        self.tasks: queue.Queue[Any] = queue.Queue()
        self.closed = False
        self.replaced = 0  # workers killed or lost and started again (for tests and logs)
        self.running = 0  # tasks being run now
        self.threads = [threading.Thread(target=self._supervise, name=f"exgen-worker-{i}", daemon=True) for i in range(max(1, workers))]
        for thread in self.threads:
            thread.start()

    def submit(self, task: Any) -> Any:
        from concurrent.futures import Future

        if self.closed:
            raise RuntimeError("the pool is closed")
        future: Future[Any] = Future()
        self.tasks.put((task, future))
        return future

    def _start(self) -> _Worker:
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_niced_worker_main, args=(child, self.function, self.nice), daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def _supervise(self) -> None:
        worker: _Worker | None = self._start()  # started now, so the first task finds it ready
        while True:
            item = self.tasks.get()
            if item is None:
                break
            task, future = item
            if not future.set_running_or_notify_cancel():
                continue
            if worker is None:
                worker = self._start()
            outcome: tuple[str, Any] | None = None
            self.running += 1  # a counter for monitoring: races only blur it
            try:
                worker.connection.send([(0, task)])
                if worker.connection.poll(self.limit):
                    outcome = ("ok", worker.connection.recv()[1])
                else:
                    outcome = ("failed", TIMEOUT)
            except (EOFError, OSError):
                outcome = ("failed", CRASHED)
            except Exception as problem:  # the function raised: the caller sees it
                future.set_exception(problem)
                continue
            finally:
                self.running -= 1
            if outcome[0] == "ok":
                future.set_result(outcome[1])
                continue
            self._kill(worker)
            worker = None
            self.replaced += 1
            future.set_result(self.failed(task, outcome[1]))
        if worker is not None:
            try:
                worker.connection.send(None)
            except OSError:
                pass
            worker.process.join(timeout=2)
            self._kill(worker)

    @staticmethod
    def _kill(worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.connection.close()

    def close(self) -> None:
        self.closed = True
        for _ in self.threads:
            self.tasks.put(None)
        for thread in self.threads:
            thread.join(timeout=10)
