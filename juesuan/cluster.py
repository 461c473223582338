"""The batch on a Dask cluster: one task per document, submitted to a running scheduler; inputs and --out on a
filesystem every worker sees. Each task converts its document exactly as a local worker does, in a child process
with the same time and memory limits (when the Dask worker may have children: start workers with
DASK_DISTRIBUTED__WORKER__DAEMON=False; otherwise in the worker's own thread). A Dask worker that dies mid-document
has its task run again elsewhere (every output is written atomically under a name of its own, so a rerun leaves
no half-written folder and no duplicate row); a document that keeps killing workers ends as `worker-lost`.
The client holds a future per document in flight and a line per document done, never manifests or facts.
"""
from __future__ import annotations

import multiprocessing
from typing import Any, Callable

from juesuan.pool import Limits, Lost, WorkerPool

CONNECT_SECONDS = 30


class ClusterUnavailable(Exception):
    """The scheduler cannot be reached; the message is one line."""


def run_on_cluster(scheduler: str, function: Callable, tasks: list[tuple[Any, tuple]], limits: Limits,
                   on_done: Callable[[Any, Any], None], probe: Callable | None = None) -> None:
    """Run `function(*args)` for every (task, args) on the cluster; `on_done(task, result_or_lost)` as each ends."""
    from distributed import Client, as_completed
    from distributed.scheduler import KilledWorker

    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterUnavailable(f"{scheduler}: cannot reach the Dask scheduler ({_short(exc)})") from None
    with client:
        futures = {client.submit(_limited, function, args, limits, probe, pure=False): task for task, args in tasks}
        for future in as_completed(futures, loop=client.loop):
            task = futures.pop(future)
            try:
                outcome = future.result()
            except KilledWorker as exc:
                outcome = Lost("worker-lost", f"the document killed the Dask workers that ran it ({_short(exc)})")
            except Exception as exc:  # the task could not run (unpicklable, scheduler gone): the batch goes on
                outcome = Lost("worker-lost", f"the cluster could not run it ({exc.__class__.__name__}: {_short(exc)})")
            future.release()
            on_done(task, outcome)


def _limited(function: Callable, args: tuple, limits: Limits, probe: Callable | None):
    """On a Dask worker: the conversion in a child process with the batch's limits, when this process may have
    children; in this thread otherwise (a daemonic worker), bounded then by Dask's own memory limits."""
    if multiprocessing.current_process().daemon:
        return function(*args)
    outcome: list = []
    WorkerPool(function, 1, limits, probe=probe, tasks_per_worker=1, preload=("juesuan.pipeline",)).run(
        [("document", args)], lambda _, result: outcome.append(result))
    return outcome[0]


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or exc.__class__.__name__
