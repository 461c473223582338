"""The batch on a Dask cluster: one task per document, submitted to a running scheduler; inputs and --out on a
filesystem every worker sees. Each task converts its document exactly as a local worker does, in a child process
with the same time and memory limits (when the Dask worker may have children: start workers with
DASK_DISTRIBUTED__WORKER__DAEMON=False; otherwise in the worker's own thread). The child is kept between tasks,
as a local worker is: forked once with the pipeline preloaded and warm, recycled every `TASKS_PER_CHILD`
documents, replaced when a document kills it or runs past its limits. A Dask worker that dies mid-document has its
task run again elsewhere (every output is written atomically under a name of its own, so a rerun leaves no
half-written folder and no duplicate row); a document that keeps killing workers ends as `worker-lost`.
The client submits the largest documents first and keeps a bounded window of them in flight (a few per worker
thread), each future released as its result arrives: it holds a line per document done, never manifests or facts,
and its memory does not grow with the batch.
"""
from __future__ import annotations

import multiprocessing
import pickle
import threading
import time
from typing import Any, Callable

from juesuan.pool import Limits, Lost, WorkerPool
from juesuan.preload import WORKER_PRELOAD

CONNECT_SECONDS = 30
TASKS_PER_CHILD = 25  # as the local pool's workers: memory stays flat over long batches
CHILD_IDLE_SECONDS = 120.0  # a kept child no task has used for this long exits (the cluster outlives the batch)
IN_FLIGHT_PER_THREAD = 2  # tasks submitted per worker thread: one running, one ready to start
IN_FLIGHT_MIN = 8
WINDOW_REFRESH_SECONDS = 10.0  # how often the window follows the cluster's size (workers come and go)


class ClusterUnavailable(Exception):
    """The scheduler cannot be reached; the message is one line."""


def run_on_cluster(scheduler: str, function: Callable, tasks: list[tuple[Any, tuple]], limits: Limits,
                   on_done: Callable[[Any, Any], None], probe: Callable | None = None) -> None:
    """Run `function(*args)` for every (task, args) on the cluster, submitted in the order given (the batch passes
    the largest documents first); `on_done(task, result_or_lost)` as each ends."""
    from distributed import Client, as_completed
    from distributed.scheduler import KilledWorker

    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterUnavailable(f"{scheduler}: cannot reach the Dask scheduler ({_short(exc)})") from None
    with client:
        pending = iter(tasks)
        in_flight: dict = {}
        done = as_completed(loop=client.loop)
        window = _Window(client)

        def submit_more() -> None:
            while len(in_flight) < window.size():
                item = next(pending, None)
                if item is None:
                    return
                task, args = item
                try:
                    payload = _payload(function, probe, args)
                except Exception as exc:  # cannot be sent (unpicklable): that document alone is lost
                    on_done(task, Lost("worker-lost", f"the cluster could not run it ({exc.__class__.__name__}: {_short(exc)})"))
                    continue
                future = client.submit(_limited, payload, limits, pure=False)
                in_flight[future] = task
                done.add(future)

        submit_more()
        for future in done:
            task = in_flight.pop(future)
            try:
                outcome = _outcome(future.result())
            except KilledWorker as exc:
                outcome = Lost("worker-lost", f"the document killed the Dask workers that ran it ({_short(exc)})")
            except Exception as exc:  # the task could not run (unpicklable, scheduler gone): the batch goes on
                outcome = Lost("worker-lost", f"the cluster could not run it ({exc.__class__.__name__}: {_short(exc)})")
            future.release()
            submit_more()  # before on_done: the workers are not kept waiting while the client writes
            on_done(task, outcome)


class _Window:
    """How many tasks the client keeps submitted: a few per worker thread, following the cluster as it grows."""

    def __init__(self, client):
        self.client, self.checked, self.value = client, float("-inf"), IN_FLIGHT_MIN

    def size(self) -> int:
        now = time.monotonic()
        if now - self.checked >= WINDOW_REFRESH_SECONDS:
            self.checked = now
            try:
                threads = sum(self.client.nthreads().values())
            except Exception:  # the scheduler is busy or gone: keep the last size; the results tell the rest
                threads = 0
            if threads:
                self.value = max(IN_FLIGHT_MIN, IN_FLIGHT_PER_THREAD * threads)
        return self.value


# ---------------------------------------------------------------- on a Dask worker


def _payload(function: Callable, probe: Callable | None, args: tuple) -> bytes:
    """A task as the Dask worker carries it: bytes it never unpickles, so that it never imports the pipeline (some
    0.4 s and 45 MB in every Dask worker); only the child that converts the document does, and it has it preloaded."""
    return pickle.dumps((function, probe, args), protocol=pickle.HIGHEST_PROTOCOL)


def _outcome(value):
    """A task's value on the client: the result the child pickled, or why it was lost."""
    return pickle.loads(value) if isinstance(value, bytes) else value


def _run_payload(payload: bytes) -> bytes:
    """In the child: the conversion, its result pickled for the client."""
    function, _, args = pickle.loads(payload)
    return pickle.dumps(function(*args), protocol=pickle.HIGHEST_PROTOCOL)


def _probe_payload(payload: bytes) -> int | None:
    """In the child, first: the document's page count, which scales its deadline."""
    _, probe, args = pickle.loads(payload)
    return probe(*args) if probe is not None else None


class _KeptChild(WorkerPool):
    """A pool of one child process kept between the tasks of a Dask worker: `run` leaves an idle child running
    (a child stopped mid-document, killed for its limits or dead is never kept)."""

    def __init__(self, limits: Limits):
        super().__init__(_run_payload, 1, limits, probe=_probe_payload, tasks_per_worker=TASKS_PER_CHILD, preload=WORKER_PRELOAD)
        self.idle_since = time.monotonic()

    def _shutdown(self) -> None:  # the end of each `run`
        for worker in list(self._pool):
            if worker.task is None and worker.killed_for is None and worker.process.is_alive():
                continue
            worker.process.kill()
            worker.process.join(timeout=5)
            worker.conn.close()
            self._pool.remove(worker)

    def close(self) -> None:
        WorkerPool._shutdown(self)


_idle: list[_KeptChild] = []  # children ready for a task, in this Dask worker
_idle_lock = threading.Lock()
_reaper: threading.Thread | None = None


def _take(limits: Limits) -> _KeptChild:
    global _reaper
    with _idle_lock:
        child = _idle.pop() if _idle else _KeptChild(limits)
        if _reaper is None:
            _reaper = threading.Thread(target=_reap_idle, name="juesuan-idle-children", daemon=True)
            _reaper.start()
    child.limits = limits
    return child


def _give_back(child: _KeptChild) -> None:
    child.idle_since = time.monotonic()
    with _idle_lock:
        _idle.append(child)


def _reap_idle() -> None:
    while True:
        time.sleep(CHILD_IDLE_SECONDS / 4)
        now = time.monotonic()
        with _idle_lock:
            stale = [c for c in _idle if now - c.idle_since > CHILD_IDLE_SECONDS]
            _idle[:] = [c for c in _idle if now - c.idle_since <= CHILD_IDLE_SECONDS]
        for child in stale:
            child.close()


def close_kept_children() -> None:
    """End every idle kept child of this process (tests; a Dask worker's children otherwise end with it)."""
    with _idle_lock:
        children = list(_idle)
        _idle.clear()
    for child in children:
        child.close()


def _limited(payload: bytes, limits: Limits):
    """On a Dask worker: the conversion in a kept child process with the batch's limits, when this process may have
    children; in this thread otherwise (a daemonic worker), bounded then by Dask's own memory limits. Returns the
    pickled result, or a `Lost`."""
    if multiprocessing.current_process().daemon:
        return _run_payload(payload)
    outcome: list = []
    child = _take(limits)
    try:
        child.run([("document", (payload,))], lambda _, result: outcome.append(result))
    except BaseException:
        child.close()
        raise
    _give_back(child)
    return outcome[0]


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or exc.__class__.__name__
