"""A folder (or list) of documents -> per-document folders, errors.csv and a summary; parallel and resumable."""
from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from extract import SUPPORTED_SUFFIXES
from juesuan import __version__
from juesuan.pipeline import Options, Result, convert, doc_id_for, sha256_of
from write.atomic import atomic_write_text, replacing
from write.batch import build_batch_outputs
from write.outdir import claim, locked, remove_stale_staging
from write.tables import write_csv

ERROR_COLUMNS = ["file", "stage", "kind", "message"]


@dataclass
class Job:
    source: Path
    group: str


@dataclass
class BatchSummary:
    out: Path
    results: list[Result] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)

    @property
    def failed(self) -> list[Result]:
        return [r for r in self.results if not r.ok]

    @property
    def converted(self) -> list[Result]:
        return [r for r in self.results if r.ok]


def collect_jobs(paths: Iterable[Path]) -> list[Job]:
    """Every document under the given paths; the group is the folder it came from (the department set)."""
    jobs = []
    for path in paths:
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES and not f.name.startswith("."):
                    jobs.append(Job(f, path.resolve().name))
        else:
            jobs.append(Job(path, path.resolve().parent.name))
    return jobs


def up_to_date(job: Job, out: Path, options: Options) -> bool:
    manifest = out / job.group / doc_id_for(job.source) / "manifest.json"
    if not manifest.exists():
        return False
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
        return (
            recorded.get("tool_version") == __version__
            and recorded.get("options") == options.as_dict()
            and recorded["source"]["sha256"] == sha256_of(job.source)
        )
    except (OSError, ValueError, KeyError):
        return False


def _run(job: Job, out: Path, options: Options) -> Result:
    return convert(job.source, out / job.group, options)


def run_batch(
    jobs: list[Job],
    out: Path,
    options: Options,
    workers: int = 1,
    force: bool = False,
    on_result: Callable[[Result, int, int], None] | None = None,
) -> BatchSummary:
    claim(out)
    with locked(out):
        remove_stale_staging(out)
        summary = _run_locked(jobs, out, options, workers, force, on_result)
        write_summary_json(out, summary)
    return summary


def _run_locked(jobs, out, options, workers, force, on_result) -> BatchSummary:
    summary = BatchSummary(out)
    todo = []
    for job in jobs:
        if not force and up_to_date(job, out, options):
            summary.skipped.append(job.source)
        else:
            todo.append(job)
    total = len(todo)
    if workers <= 1 or total <= 1:
        for i, job in enumerate(todo, start=1):
            result = _run(job, out, options)
            summary.results.append(result)
            if on_result:
                on_result(result, i, total)
    else:
        # forkserver: workers start from a process that has already imported the pipeline (fast start, no
        # inherited state); recycled every 25 documents so that memory stays flat over long batches.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["juesuan.pipeline"])
        largest_first = sorted(todo, key=lambda job: job.source.stat().st_size, reverse=True)  # a short tail
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, max_tasks_per_child=25) as pool:
            futures = {pool.submit(_run, job, out, options): job for job in largest_first}
            for i, future in enumerate(as_completed(futures), start=1):
                job = futures[future]
                try:
                    result = future.result()
                except Exception as exc:  # a worker died (e.g. out of memory): that document failed, not the batch
                    result = Result(job.source, doc_id_for(job.source), None, "worker", exc.__class__.__name__, f"{job.source.name}: worker failed: {exc}")
                summary.results.append(result)
                if on_result:
                    on_result(result, i, total)
    summary.results.sort(key=lambda r: str(r.source))
    write_errors(out, summary)
    build_batch_outputs(out, options.formats | {"csv"})
    return summary


def write_errors(out: Path, summary: BatchSummary) -> None:
    rows = [{"file": str(r.source), "stage": r.error_stage, "kind": r.error_kind, "message": r.error} for r in summary.failed]
    with replacing(out / "errors.csv") as tmp:
        write_csv(tmp, ERROR_COLUMNS, rows)


def write_summary_json(out: Path, summary: BatchSummary) -> None:
    data = {
        "converted": [str(r.target) for r in summary.converted],
        "failed": [{"file": str(r.source), "message": r.error} for r in summary.failed],
        "skipped": [str(p) for p in summary.skipped],
    }
    atomic_write_text(out / "batch.json", json.dumps(data, ensure_ascii=False, indent=2))
