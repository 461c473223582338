"""Cluster figures: the same batch on a local 2-worker pool and on a 2-worker Dask cluster on this machine, and the
client's peak memory for 100 and 1,000 documents (copies of a text export) — flat, bounded by a document.

    python benchmarks/cluster.py [--docs N] [--rss-docs 100,1000]

Ends with `key: value` lines: cluster_vs_local_ratio, client_peak_rss_mb_<N>_docs.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from memory import peak_rss_mb  # noqa: E402


def corpus() -> list[Path]:
    shared = ROOT.parent / "shared" / "corpus" / "juesuan"
    folder = shared if shared.is_dir() else ROOT / "tests" / "fixtures" / "pdf"
    return sorted(folder.glob("*.pdf")) + [ROOT / "samples" / "caidian" / "caidian_2024.md"]


def copies(folder: Path, sources: list[Path], count: int) -> Path:
    folder.mkdir(parents=True)
    for i in range(count):
        source = sources[i % len(sources)]
        shutil.copy(source, folder / f"{i:05d}_{source.name}")
    return folder


class Cluster:
    def __init__(self, folder: Path, workers: int = 2):
        dask = Path(sys.executable).with_name("dask")
        env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
        start = lambda args: subprocess.Popen([str(dask), *args], cwd=folder, env=env, stdout=subprocess.DEVNULL,  # noqa: E731
                                              stderr=subprocess.DEVNULL, start_new_session=True)
        scheduler_file = folder / "scheduler.json"
        self.processes = [start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(scheduler_file)])]
        while not scheduler_file.exists():
            time.sleep(0.1)
        self.address = json.loads(scheduler_file.read_text())["address"]
        self.processes += [start(["worker", self.address, "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"]) for _ in range(workers)]
        from distributed import Client

        with Client(self.address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=120)

    def stop(self) -> None:
        for proc in self.processes:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


def batch_seconds(folder: Path, out: Path, scheduler: str | None = None) -> float:
    args = [sys.executable, "-m", "juesuan.cli", "extract", str(folder), "--out", str(out), "--quiet", "--workers", "2"]
    start = time.perf_counter()
    subprocess.run(args + (["--scheduler", scheduler] if scheduler else []), check=True, cwd=ROOT, capture_output=True)
    return time.perf_counter() - start


def client_peak_rss(folder: Path, out: Path, scheduler: str | None) -> tuple[float, float]:
    """Run the batch in this process (the client); its workers are other processes. Peak RSS of this process when
    every document is converted, and at the end (after the batch outputs)."""
    import juesuan.batch as batch
    from juesuan.pipeline import Options

    converted = []
    build = batch.build_batch_outputs

    def measured(*args, **kwargs):
        converted.append(peak_rss_mb())
        return build(*args, **kwargs)

    batch.build_batch_outputs = measured
    jobs, refused, _ = batch.collect_jobs([folder], out)
    batch.run_batch(jobs, out, Options(formats={"csv", "parquet"}, html=False), workers=2, scheduler=scheduler, refused=refused)
    return converted[0], peak_rss_mb()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=20, help="documents in the local-vs-cluster batch")
    parser.add_argument("--rss-docs", default="100,1000", help="batch sizes for the client's peak memory")
    parser.add_argument("--rss-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        folder, out, scheduler = args.rss_child
        converted, peak = client_peak_rss(Path(folder), Path(out), scheduler or None)
        print(f"{converted:.1f} {peak:.1f}")
        return
    work = Path(tempfile.mkdtemp(prefix="juesuan-cluster-bench-"))
    cluster = Cluster(work)
    try:
        folder = copies(work / "docs", corpus(), args.docs)
        local = batch_seconds(folder, work / "local")
        remote = batch_seconds(folder, work / "remote", cluster.address)
        print(f"batch of {args.docs} documents: local pool (2 workers) {local:.1f} s, Dask (2 workers) {remote:.1f} s")
        sizes = [int(n) for n in args.rss_docs.split(",")]
        text_export = ROOT / "samples" / "caidian" / "caidian_2024.md"
        peaks = {}
        for n in sizes:
            many = copies(work / f"many-{n}", [text_export], n)
            child = subprocess.run([sys.executable, __file__, "--rss-child", str(many), str(work / f"out-{n}"), cluster.address],
                                   capture_output=True, text=True, check=True, cwd=ROOT)
            converted, peaks[n] = map(float, child.stdout.strip().splitlines()[-1].split())
            print(f"client peak RSS, {n} documents through the cluster: {peaks[n]:.1f} MB ({converted:.1f} MB once converted, "
                  "before the batch outputs)")
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(f"cluster_vs_local_ratio: {remote / local:.3f}")
    for n, peak in peaks.items():
        print(f"client_peak_rss_mb_{n}_docs: {peak:.1f}")
    if len(peaks) > 1:
        print(f"client_rss_growth_{sizes[0]}_to_{sizes[-1]}: {peaks[sizes[-1]] / peaks[sizes[0]]:.3f}")


if __name__ == "__main__":
    main()
