"""A folder (or list) of documents -> per-document folders, errors.csv and a summary; parallel, resumable, and
safe against any input: each document runs in a watched worker process with time and memory limits."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from extract import SUPPORTED_SUFFIXES
from juesuan import __version__
from juesuan.names import printable, safe_name, short_hash
from juesuan.pipeline import Options, Result, convert, page_count_probe, sha256_of
from juesuan.pool import Limits, Lost, WorkerPool, forkserver_context
from juesuan.preload import WORKER_PRELOAD
from write.atomic import atomic_write_text, replacing
from write.batch import build_batch_outputs
from write.outdir import BATCH_NAMES, claim, locked, remove_stale_staging
from write.tables import write_csv

ERROR_COLUMNS = ["file", "stage", "kind", "message"]


@dataclass
class Job:
    source: Path
    group: str
    doc_id: str = ""
    id_note: str = ""  # why the doc-id carries a hash suffix (another input has the same name)


@dataclass
class BatchSummary:
    out: Path
    results: list[Result] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # hidden inputs, not read

    @property
    def failed(self) -> list[Result]:
        return [r for r in self.results if not r.ok]

    @property
    def converted(self) -> list[Result]:
        return [r for r in self.results if r.ok]


# ---------------------------------------------------------------- inputs


def collect_jobs(paths: Iterable[Path], out: Path | None = None) -> tuple[list[Job], list[Result], list[str]]:
    """Every document under the given paths, one error for each input that is not followed, and the hidden inputs
    left alone (named in batch.json).

    Folders are walked without following links; a linked file is read only when it points inside the folder
    given, a linked folder never; hidden files and folders are skipped, and so is the output folder when it lies
    inside an input."""
    jobs: list[Job] = []
    refused: list[Result] = []
    ignored: list[str] = []
    seen: set[Path] = set()
    skip = out.resolve() if out is not None else None
    for path in paths:
        if path.is_dir():
            root = path.resolve()
            for source, why in _walk(path, skip):
                target = source.resolve()
                if why == "hidden":
                    ignored.append(f"{printable(str(source))}: hidden, not read")
                elif why == "linked folder":
                    if not target.is_relative_to(root):
                        refused.append(_refusal(source, "symlink", "symbolic link to a folder outside the input folder, not followed"))
                elif source.is_symlink() and not target.is_relative_to(root):
                    refused.append(_refusal(source, "symlink", "symbolic link to a file outside the input folder, not followed"))
                elif target not in seen:
                    seen.add(target)
                    jobs.append(Job(source, _group_name(root.name)))
        elif path.resolve() not in seen:
            seen.add(path.resolve())
            jobs.append(Job(path, _group_name(path.resolve().parent.name)))
    return jobs, refused, ignored


def _walk(folder: Path, skip: Path | None):
    """(path, why) for every document under `folder` (why ""), every hidden file or folder that would have been
    read ("hidden") and every linked folder ("linked folder")."""
    for top, dirs, files in os.walk(folder, followlinks=False):
        here = Path(top)
        kept = []
        for d in sorted(dirs):
            if skip is not None and (here / d).resolve() == skip:
                continue
            if d.startswith("."):
                yield here / d, "hidden"
            elif (here / d).is_symlink():
                yield here / d, "linked folder"
            else:
                kept.append(d)
        dirs[:] = kept
        for name in sorted(files):
            if Path(name).suffix.lower() in SUPPORTED_SUFFIXES:
                yield here / name, "hidden" if name.startswith(".") else ""


def _group_name(folder_name: str) -> str:
    name = safe_name(folder_name, fallback="input")
    return f"{name}_{short_hash(folder_name)}" if name.lower() in BATCH_NAMES else name


def _refusal(source: Path, kind: str, problem: str) -> Result:
    return Result(source, safe_name(source.stem), None, error_stage="read", error_kind=kind, error=f"{printable(source.name)}: {problem}")


def assign_doc_ids(jobs: list[Job], out: Path) -> None:
    """doc-ids unique within the batch (they name the document's files in the dataset, whatever its group folder),
    stable across runs: a name taken by another input of this batch, or by an earlier output from a different
    document, gets a short hash of the source path."""
    taken: dict[str, Path] = {}
    for job in sorted(jobs, key=lambda j: str(j.source)):
        base = safe_name(job.source.stem)
        key = base
        if key in taken or _earlier_output_of_another(out / job.group / base, job.source):
            job.doc_id = f"{base}-{short_hash(str(job.source.resolve()))}"
            other = taken.get(key)
            job.id_note = f"doc-id {base} is taken by {other.name if other else 'an earlier output'}: suffixed with a hash of the path"
        else:
            job.doc_id = base
        taken[job.doc_id] = job.source


def _earlier_output_of_another(folder: Path, source: Path) -> bool:
    recorded = _manifest(folder)
    if recorded is None:
        return False
    same_path = recorded.get("source", {}).get("path") == str(source)
    return not same_path and recorded.get("source", {}).get("sha256") != _sha_or_none(source)


def _manifest(folder: Path) -> dict | None:
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else None
    except (OSError, ValueError):
        return None


def _sha_or_none(path: Path) -> str | None:
    try:
        return sha256_of(path)
    except OSError:
        return None


def up_to_date(job: Job, out: Path, options: Options) -> dict | None:
    """The manifest of this job's earlier output when it is up to date (same source, tool version and options)."""
    recorded = _manifest(out / job.group / job.doc_id)
    if recorded is None:
        return None
    current = (
        recorded.get("tool_version") == __version__
        and recorded.get("options") == options.as_dict()
        and recorded.get("source", {}).get("sha256") == _sha_or_none(job.source)
    )
    return recorded if current else None


# ---------------------------------------------------------------- running


def _convert_job(job: Job, out: Path, options: Options, progress=None) -> Result:
    return convert(job.source, out / job.group, options, doc_id=job.doc_id, id_note=job.id_note, progress=progress)


def _probe_job(job: Job, out: Path, options: Options) -> int | None:
    return page_count_probe(job.source)


def run_batch(
    jobs: list[Job],
    out: Path,
    options: Options,
    workers: int = 1,
    force: bool = False,
    on_result: Callable[[Result, int, int], None] | None = None,
    limits: Limits = Limits(),
    refused: list[Result] | None = None,
    on_progress: Callable[[Path, tuple], None] | None = None,
    on_skipped: Callable[[Path, Path, dict], None] | None = None,
    scheduler: str | None = None,
    ignored: list[str] | None = None,
) -> BatchSummary:
    """Convert `jobs` into `out` (claimed and locked for the run); errors, batch outputs and batch.json follow."""
    claim(out)
    with locked(out):
        remove_stale_staging(out)
        assign_doc_ids(jobs, out)
        summary = BatchSummary(out, results=list(refused or []), ignored=list(ignored or []))
        todo = []
        for job in jobs:
            recorded = None if force else up_to_date(job, out, options)
            if recorded is None:
                todo.append(job)
                continue
            summary.skipped.append(job.source)
            if on_skipped:
                on_skipped(job.source, out / job.group / job.doc_id, recorded)
        _convert_all(todo, out, options, workers, limits, summary, on_result, on_progress, scheduler)
        remove_stale_staging(out)  # what a worker stopped for time or memory was writing
        summary.results.sort(key=lambda r: str(r.source))
        write_errors(out, summary)
        beside = forkserver_context(WORKER_PRELOAD) if workers >= 2 and not scheduler else None  # a second core, idle by now
        summary.notes += build_batch_outputs(out, options.formats | {"csv"}, html=options.html, beside=beside)
        write_summary_json(out, summary)
    return summary


def _convert_all(todo: list[Job], out: Path, options: Options, workers: int, limits: Limits, summary: BatchSummary, on_result,
                 on_progress=None, scheduler: str | None = None) -> None:
    """Every job through the local worker pool, or through a Dask scheduler's workers; the same results either way."""
    total, done = len(todo), 0

    def finished(job: Job, outcome) -> None:
        nonlocal done
        done += 1
        result = outcome if isinstance(outcome, Result) else _lost_result(job, outcome)
        if on_result:
            try:
                on_result(result, done, total)
            except Exception as exc:  # showing a result must never stop the batch
                summary.notes.append(f"{printable(job.source.name)}: could not be shown ({exc.__class__.__name__})")
        summary.results.append(result.briefly())  # a batch of any size: the client keeps a line per document, not manifests

    largest_first = sorted(todo, key=lambda job: _size(job.source), reverse=True)  # a short tail, locally and on a cluster
    tasks = [(job, (job, out, options)) for job in largest_first]
    if scheduler:
        from juesuan.cluster import run_on_cluster

        run_on_cluster(scheduler, _convert_job, tasks, limits, finished, probe=_probe_job)
        return
    progress = (lambda job, step: on_progress(job.source, step)) if on_progress else None
    pool = WorkerPool(_convert_job, workers, limits, probe=_probe_job, preload=WORKER_PRELOAD, on_progress=progress)
    pool.run(tasks, finished)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _lost_result(job: Job, lost: Lost) -> Result:
    return Result(job.source, job.doc_id, None, error_stage="worker", error_kind=lost.kind, error=f"{printable(job.source.name)}: {lost.message}")


def write_errors(out: Path, summary: BatchSummary) -> None:
    rows = [{"file": printable(str(r.source)), "stage": r.error_stage, "kind": r.error_kind, "message": printable(r.error or "")}
            for r in summary.failed]
    with replacing(out / "errors.csv") as tmp:
        write_csv(tmp, ERROR_COLUMNS, rows)


def write_summary_json(out: Path, summary: BatchSummary) -> None:
    data = {
        "converted": [printable(str(r.target)) for r in summary.converted],
        "failed": [{"file": printable(str(r.source)), "kind": r.error_kind, "message": printable(r.error or "")} for r in summary.failed],
        "skipped": [printable(str(p)) for p in summary.skipped],
        "ignored": summary.ignored,
        "notes": summary.notes,
    }
    atomic_write_text(out / "batch.json", json.dumps(data, ensure_ascii=False, indent=2))
