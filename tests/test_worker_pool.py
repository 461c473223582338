"""Worker processes: a document that hangs, grows or kills its worker ends as one outcome; the batch goes on."""
from __future__ import annotations

import time

from juesuan.pool import COLLECTOR_FIRST_GENERATION, Limits, Lost, WorkerPool
from juesuan.preload import WORKER_PRELOAD
from pool_tasks import behave, pages_of, process_state


def run_pool(tasks: list[str], limits: Limits, workers: int = 2, **kwargs) -> dict[str, object]:
    outcomes: dict[str, object] = {}
    pool = WorkerPool(behave, workers, limits, probe=pages_of, preload=("pool_tasks",), **kwargs)
    pool.run([(name, (name.split("#")[0],)) for name in tasks], lambda task, outcome: outcomes.__setitem__(task, outcome))
    return outcomes


def test_a_worker_starts_warm_with_the_pipelines_modules_imported_and_a_quieter_garbage_collector():
    outcomes = []
    pool = WorkerPool(process_state, 1, Limits(), preload=WORKER_PRELOAD + ("pool_tasks",))
    pool.run([("first", ("first",))], lambda _, outcome: outcomes.append(outcome))
    (state,) = outcomes
    assert state["imported"] == ["extract.pdf", "pandas", "pdfminer", "pdfplumber", "pyarrow.parquet", "xlsxwriter"]
    assert state["first_generation"] == COLLECTOR_FIRST_GENERATION
    assert state["frozen"] > 10_000  # the preloaded modules' objects, left out of every collection


def test_every_task_ends_with_a_result_or_the_reason_it_was_lost():
    started = time.monotonic()
    outcomes = run_pool(["ok#1", "die", "ok#2", "hang", "grow", "ok#3"], Limits(timeout=3, memory_mb=300))
    assert outcomes["ok#1"] == "done ok" and outcomes["ok#2"] == "done ok" and outcomes["ok#3"] == "done ok"
    assert isinstance(outcomes["die"], Lost) and outcomes["die"].kind == "worker-lost" and "SIGKILL" in outcomes["die"].message
    assert isinstance(outcomes["hang"], Lost) and outcomes["hang"].kind == "timeout"
    assert isinstance(outcomes["grow"], Lost) and outcomes["grow"].kind == "memory"
    assert time.monotonic() - started < 30


def test_a_long_document_gets_time_in_proportion_to_its_pages():
    limits = Limits(timeout=2, pages_per_timeout=50)
    assert limits.seconds_for(None) == 2 and limits.seconds_for(10) == 2 and limits.seconds_for(500) == 20


def test_workers_are_recycled_and_none_is_left_running():
    import multiprocessing

    outcomes = run_pool([f"ok#{i}" for i in range(7)], Limits(), workers=2, tasks_per_worker=2)
    assert len(outcomes) == 7
    assert multiprocessing.active_children() == []


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def _descendants(pid: int) -> list[int]:
    found = []
    for child in _children(pid):
        found += [child] + _descendants(child)
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


def _batch_folder(tmp_path, copies: int):
    import shutil

    from conftest import FIXTURES

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(copies):
        shutil.copy(FIXTURES / "pdf" / "guojia_xinfangju_2024.pdf", folder / f"doc{i}.pdf")
    return folder


def _start(folder, out):
    import subprocess
    import sys

    from conftest import ROOT

    return subprocess.Popen([sys.executable, "-m", "juesuan.cli", "extract", str(folder), "--out", str(out), "--workers", "2", "--quiet"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_workers(pid: int, count: int) -> list[int]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        workers = [p for p in _descendants(pid) if not _children(p) and "forkserver" in open(f"/proc/{p}/cmdline").read()]
        if len(workers) >= count:
            return workers
        time.sleep(0.1)
    raise AssertionError("workers did not start")


def test_a_killed_worker_is_one_error_line_and_the_batch_finishes(tmp_path):
    from conftest import read_csv

    folder, out = _batch_folder(tmp_path, 4), tmp_path / "out"
    batch = _start(folder, out)
    victim = _wait_for_workers(batch.pid, 2)[0]
    import os
    import signal

    os.kill(victim, signal.SIGKILL)
    _, stderr = batch.communicate(timeout=120)
    assert batch.returncode == 1, stderr
    errors = read_csv(out / "errors.csv")
    assert [e["kind"] for e in errors] == ["worker-lost"] and "killed by SIGKILL" in errors[0]["message"]
    assert len(list(out.glob("in/*/manifest.json"))) == 3 and (out / "facts.csv").is_file()


def test_no_worker_outlives_a_killed_batch(tmp_path):
    import os
    import signal

    folder, out = _batch_folder(tmp_path, 4), tmp_path / "out"
    batch = _start(folder, out)
    _wait_for_workers(batch.pid, 2)
    family = _descendants(batch.pid)
    os.kill(batch.pid, signal.SIGKILL)
    batch.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(p) for p in family):
        time.sleep(0.2)
    assert [p for p in family if _alive(p)] == []
