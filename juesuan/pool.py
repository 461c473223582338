"""Worker processes with limits per document: every document is converted in a child process that the
batch watches, so that no input can stall, crash or outgrow the batch.

- wall time: a document past its deadline (`Limits.seconds_for(pages)`) has its worker killed -> `timeout`;
- memory: a worker whose resident memory passes `Limits.memory_mb` is killed -> `memory`;
- a worker that dies on its own (a crash in a C library, the OOM killer, kill -9) -> `worker-lost`;
- workers never outlive the batch: each watches the main process and exits when it is gone (and the kernel
  kills it when its parent dies), and the pool kills them on every way out of `run`.
Workers are recycled every `tasks_per_worker` documents so that memory stays flat over long batches.
"""
from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any, Callable

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
POLL_SECONDS = 0.2
# A document allocates hundreds of thousands of small dicts (one a character) and few reference cycles: with
# Python's default first generation (700) the collector ran ~70 times a document for 4-7% of its time.
COLLECTOR_FIRST_GENERATION = 10_000


@dataclass(frozen=True)
class Limits:
    timeout: float = 300.0  # seconds for a document of up to `pages_per_timeout` pages
    pages_per_timeout: int = 50  # longer documents get proportionally more time
    memory_mb: int = 2048  # resident memory of one worker

    def seconds_for(self, pages: int | None) -> float:
        return self.timeout * max(1.0, (pages or 0) / self.pages_per_timeout)


@dataclass
class Lost:
    """Why a task ended without a result: `kind` is timeout / memory / worker-lost."""

    kind: str
    message: str


def _die_with_parent() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _watch_main(main_pid: int) -> None:
    while True:
        time.sleep(1.0)
        try:
            os.kill(main_pid, 0)
        except ProcessLookupError:
            os._exit(70)
        except PermissionError:
            pass


def forkserver_context(preload: tuple[str, ...] = ()):
    """The forkserver start method, its server importing `preload` before it forks: a process has one server, which
    takes the preload set before it first starts, so every user of the server sets the same one."""
    context = multiprocessing.get_context("forkserver")
    if preload:
        context.set_forkserver_preload(list(preload))
    return context


def tune_collector() -> None:
    """For a process that converts documents: what it has imported is left out of every later collection,
    and the first generation is collected less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(COLLECTOR_FIRST_GENERATION, *gc.get_threshold()[1:])


def _worker_main(conn, main_pid: int, function: Callable, probe: Callable | None, with_progress: bool) -> None:
    _die_with_parent()
    tune_collector()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the batch's to handle
    threading.Thread(target=_watch_main, args=(main_pid,), daemon=True).start()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        task_id, args = message
        if probe is not None:
            conn.send(("size", task_id, probe(*args)))
        extra = {"progress": lambda *step, t=task_id: conn.send(("progress", t, step))} if with_progress else {}
        conn.send(("done", task_id, function(*args, **extra)))


@dataclass
class _Worker:
    process: Any
    conn: Any
    done: int = 0
    task: Any = None
    started: float = 0.0
    deadline: float = 0.0
    killed_for: Lost | None = None


class WorkerPool:
    """Run `function(*args)` for every task in worker processes, `workers` at a time.

    `probe(*args)` (optional, run in the worker first) returns the document's page count, which scales its
    deadline. `on_done(task, result_or_lost)` is called in the main process as each task ends; with
    `on_progress`, the function gets a `progress=` callable whose calls reach `on_progress(task, step)`."""

    def __init__(self, function: Callable, workers: int, limits: Limits, probe: Callable | None = None,
                 tasks_per_worker: int = 25, preload: tuple[str, ...] = (), on_progress: Callable | None = None):
        self.function, self.probe, self.limits, self.on_progress = function, probe, limits, on_progress
        self.workers, self.tasks_per_worker = max(1, workers), tasks_per_worker
        self.context = forkserver_context(preload)
        self._pool: list[_Worker] = []

    def run(self, tasks: list[tuple[Any, tuple]], on_done: Callable[[Any, Any], None]) -> None:
        """tasks: (task, args) pairs; returns when every task has ended one way or another."""
        queue = list(reversed(tasks))
        try:
            while queue or any(w.task is not None for w in self._pool):
                self._fill(queue)
                self._step(on_done)
        finally:
            self._shutdown()

    # -- scheduling

    def _fill(self, queue: list) -> None:
        for worker in [w for w in self._pool if w.task is None and w.done >= self.tasks_per_worker]:
            self._retire(worker)
        while queue and (idle := self._idle_worker()) is not None:
            task, args = queue.pop()
            idle.task, idle.started = (task, args), time.monotonic()
            idle.deadline = idle.started + self.limits.seconds_for(None)
            idle.conn.send((id(task), args))

    def _idle_worker(self) -> _Worker | None:
        idle = next((w for w in self._pool if w.task is None), None)
        if idle is None and len(self._pool) < self.workers:
            idle = self._start()
        return idle

    def _start(self) -> _Worker:
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_worker_main, args=(child, os.getpid(), self.function, self.probe, self.on_progress is not None),
                                       daemon=True)
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self._pool.append(worker)
        return worker

    def _step(self, on_done) -> None:
        busy = [w for w in self._pool if w.task is not None]
        ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=POLL_SECONDS)
        for worker in busy:
            if worker.conn in ready:
                self._receive(worker, on_done)
            if worker.task is not None and (worker.process.sentinel in ready or not worker.process.is_alive()):
                self._lost(worker, on_done)
        self._enforce_limits()

    def _receive(self, worker: _Worker, on_done) -> None:
        try:
            while worker.task is not None and worker.conn.poll():
                kind, _, payload = worker.conn.recv()
                if kind == "size":
                    worker.deadline = worker.started + self.limits.seconds_for(payload)
                elif kind == "progress" and self.on_progress is not None:
                    self.on_progress(worker.task[0], payload)
                elif kind == "done":
                    task = worker.task[0]
                    worker.task, worker.done = None, worker.done + 1
                    on_done(task, payload)
        except (EOFError, OSError):
            pass  # the worker died mid-message: its sentinel reports it

    def _lost(self, worker: _Worker, on_done) -> None:
        worker.process.join(timeout=1)
        task = worker.task[0]
        worker.task = None
        code = worker.process.exitcode
        reason = worker.killed_for or Lost("worker-lost", f"the worker converting it died ({_exit_description(code)})")
        self._pool.remove(worker)
        worker.conn.close()
        on_done(task, reason)

    def _enforce_limits(self) -> None:
        now = time.monotonic()
        for worker in self._pool:
            if worker.task is None or worker.killed_for is not None:
                continue
            if now > worker.deadline:
                seconds = worker.deadline - worker.started
                self._kill(worker, Lost("timeout", f"not finished within {seconds:.0f} s (--timeout)"))
            elif (rss := _resident_mb(worker.process.pid)) > self.limits.memory_mb:
                self._kill(worker, Lost("memory", f"worker memory {rss:.0f} MB over the {self.limits.memory_mb} MB limit (--max-memory)"))

    @staticmethod
    def _kill(worker: _Worker, reason: Lost) -> None:
        worker.killed_for = reason
        try:
            os.kill(worker.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    # -- ending

    def _retire(self, worker: _Worker) -> None:
        try:
            worker.conn.send(None)
        except OSError:
            pass
        worker.process.join(timeout=5)
        if worker.process.is_alive():
            worker.process.kill()
        worker.conn.close()
        self._pool.remove(worker)

    def _shutdown(self) -> None:
        for worker in list(self._pool):
            if worker.task is None:
                self._retire(worker)
            else:
                worker.process.kill()
                worker.process.join(timeout=5)
                self._pool.remove(worker)


def _resident_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE_SIZE / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def _exit_description(code: int | None) -> str:
    if code is None:
        return "no exit status"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"
