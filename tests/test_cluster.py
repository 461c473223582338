"""The same batch on a real Dask cluster (a scheduler and two workers on 127.0.0.1, started and torn down here):
outputs identical to the local run, a worker killed mid-batch loses nothing, the partitioned dataset reads
back with DuckDB and pyarrow as facts.csv; each Dask worker keeps one warm child between documents and replaces it
when a document kills it; the client keeps a bounded window of tasks in flight."""
from __future__ import annotations

import json
import multiprocessing
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import CAIDIAN, FIXTURES, ROOT, read_csv
from juesuan.pool import Limits, Lost

DASK = Path(sys.executable).with_name("dask")
DOCUMENTS = [CAIDIAN, FIXTURES / "pdf" / "guojia_xinfangju_2024.pdf", FIXTURES / "pdf" / "putuo_shehuigongzuobu_2024.pdf",
             FIXTURES / "pdf" / "shanghai_template_2024.pdf"]


class Cluster:
    """`dask scheduler` and `dask worker` processes on loopback, each in its own process group."""

    def __init__(self, folder: Path, workers: int):
        self.folder = folder
        self.env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False", "PYTHONPATH": str(ROOT)}
        scheduler_file = folder / "scheduler.json"
        self.scheduler = self._start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(scheduler_file)])
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.address = json.loads(scheduler_file.read_text())["address"]
        self.workers = [self._start(["worker", self.address, "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"]) for _ in range(workers)]
        self._wait_for_workers(workers)

    def _start(self, args: list[str]):
        log = open(self.folder / f"{args[0]}-{time.monotonic_ns()}.log", "w")
        return subprocess.Popen([str(DASK), *args], cwd=self.folder, env=self.env, stdout=log, stderr=log, start_new_session=True)

    def _wait_for_workers(self, count: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(count, timeout=120)

    def kill_worker(self, index: int) -> None:
        os.killpg(self.workers[index].pid, signal.SIGKILL)
        self.workers[index].wait()

    def stop(self) -> None:
        for proc in [*self.workers, self.scheduler]:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


@pytest.fixture
def cluster(tmp_path):
    if not DASK.exists():
        pytest.skip("the dask command is not installed")
    running = Cluster(tmp_path, workers=2)
    yield running
    running.stop()


def extract(folder: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "juesuan.cli", "extract", str(folder), "--out", str(out), "--quiet", *extra],
                          capture_output=True, text=True, cwd=ROOT)


def inputs(tmp_path: Path, copies: int = 1) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(copies):
        for path in DOCUMENTS:
            shutil.copy(path, folder / f"{i}-{path.name}")
    return folder


def comparable(out: Path) -> dict[str, object]:
    """What two runs must share: every fact, check and repair, and each manifest but for paths and timings."""
    found = {name: (out / name).read_bytes().replace(str(out).encode(), b"OUT") for name in ("facts.csv", "checks_summary.csv", "errors.csv")}
    for manifest_path in sorted(out.glob("in/*/manifest.json")):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        manifest.pop("ocr", None)
        found[str(manifest_path.relative_to(out))] = manifest
        for name in ("checks.csv", "repairs.csv", "facts.csv"):
            found[f"{manifest_path.parent.name}/{name}"] = (manifest_path.parent / name).read_bytes()
    return found


def test_a_batch_on_the_cluster_equals_the_local_batch(tmp_path, cluster):
    folder = inputs(tmp_path)
    local, remote = tmp_path / "local", tmp_path / "remote"
    assert extract(folder, local).returncode == 0
    done = extract(folder, remote, "--scheduler", cluster.address)
    assert done.returncode == 0, done.stderr
    assert comparable(remote) == comparable(local)
    again = extract(folder, remote, "--scheduler", cluster.address)  # the same resume rule: nothing to do
    assert "0 converted, 0 failed, 4 up to date" in again.stderr


def test_killing_a_worker_mid_batch_loses_nothing_and_duplicates_nothing(tmp_path, cluster):
    folder = inputs(tmp_path, copies=3)
    local, remote = tmp_path / "local", tmp_path / "remote"
    assert extract(folder, local).returncode == 0
    batch = subprocess.Popen([sys.executable, "-m", "juesuan.cli", "extract", str(folder), "--out", str(remote), "--quiet",
                              "--scheduler", cluster.address], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(remote.glob("in/*/manifest.json"))) < 2:
        time.sleep(0.05)
    cluster.kill_worker(0)  # documents are in flight on it
    _, stderr = batch.communicate(timeout=600)
    assert batch.returncode == 0, stderr
    assert comparable(remote) == comparable(local)
    assert not list(remote.rglob(".juesuan-tmp-*"))


def test_the_partitioned_dataset_reads_back_as_facts_csv(tmp_path, cluster):
    import duckdb
    import pyarrow.dataset as ds

    folder = inputs(tmp_path)
    out = tmp_path / "out"
    assert extract(folder, out, "--scheduler", cluster.address).returncode == 0
    facts = read_csv(out / "facts.csv")
    by_doc = {}
    for f in facts:
        by_doc.setdefault(f["doc_id"], Decimal(0))
        by_doc[f["doc_id"]] += Decimal(f["value"])
    files = sorted((out / "dataset" / "facts").glob("year=*/region=*/*.parquet"))
    assert {p.parent.name for p in files} == {"region=中央", "region=上海市", "region=湖北省"}  # caidian: 武汉市蔡甸区 (8f6035c)
    table = ds.dataset(out / "dataset" / "facts", partitioning="hive").to_table()
    assert table.num_rows == len(facts)
    con = duckdb.connect()
    rows = con.sql(f"SELECT doc_id, sum(value), count(*) FROM read_parquet('{out}/dataset/facts/*/*/*.parquet', hive_partitioning = true) "
                   "GROUP BY doc_id").fetchall()
    assert {doc: Decimal(str(total)).normalize() for doc, total, _ in rows} == {doc: total.normalize() for doc, total in by_doc.items()}
    db = duckdb.connect(str(out / "juesuan.duckdb"), read_only=True)
    assert db.sql("SELECT count(*) FROM facts").fetchall()[0][0] == len(facts)


def test_a_dask_worker_keeps_one_warm_child_and_replaces_it_when_a_document_kills_it():
    """The task as a Dask worker runs it (here in this process): documents one after another share one child; one
    that kills its child, hangs or outgrows the memory limit ends as that outcome, and the next gets a fresh child."""
    from juesuan.cluster import _limited, _outcome, _payload, close_kept_children
    from pool_tasks import behave, pages_of

    limits = Limits(timeout=3, memory_mb=300)

    def run(function, *args):
        return _outcome(_limited(_payload(function, pages_of if function is behave else None, args), limits))

    try:
        first, second = run(os.getpid), run(os.getpid)
        assert first == second != os.getpid()  # one child, kept
        outcomes = {how: run(behave, how) for how in ("ok", "die", "hang", "grow")}
        assert outcomes["ok"] == "done ok"
        assert isinstance(outcomes["die"], Lost) and outcomes["die"].kind == "worker-lost" and "SIGKILL" in outcomes["die"].message
        assert isinstance(outcomes["hang"], Lost) and outcomes["hang"].kind == "timeout"
        assert isinstance(outcomes["grow"], Lost) and outcomes["grow"].kind == "memory"
        assert run(behave, "ok") == "done ok" and run(os.getpid) not in (first, os.getpid())  # after each, a new child
    finally:
        close_kept_children()
    assert multiprocessing.active_children() == []


def test_the_client_keeps_a_bounded_window_in_flight_and_workers_reuse_their_child(cluster, monkeypatch):
    import operator

    import distributed

    from juesuan import cluster as on_cluster

    submitted, ended, most = [], [], [0]
    submit = distributed.Client.submit

    def counting(self, *args, **kwargs):
        submitted.append(pickle.loads(args[1])[2])
        most[0] = max(most[0], len(submitted) - len(ended))
        return submit(self, *args, **kwargs)

    monkeypatch.setattr(distributed.Client, "submit", counting)
    results = {}
    on_cluster.run_on_cluster(cluster.address, abs, [(i, (-i,)) for i in range(30)], Limits(),
                              lambda task, value: (ended.append(task), results.__setitem__(task, value)))
    assert results == {i: i for i in range(30)}
    assert submitted == [(-i,) for i in range(30)]  # in the order given (the batch gives the largest documents first)
    window = max(on_cluster.IN_FLIGHT_MIN, on_cluster.IN_FLIGHT_PER_THREAD * 2)
    assert most[0] <= window + 1  # + 1: a task that ended is reported after the one replacing it is submitted
    pids = []
    on_cluster.run_on_cluster(cluster.address, operator.call, [(i, (os.getpid,)) for i in range(30)], Limits(), lambda _, pid: pids.append(pid))
    assert len(pids) == 30 and len(set(pids)) <= 4  # two workers, a child each, recycled every TASKS_PER_CHILD documents
