"""`make bench`: speed and memory of the pipeline on real 决算 PDFs, printed as figures.

    python benchmarks/run.py [CORPUS_DIR] [--docs N] [--rss-docs N] [--rounds N]

CORPUS_DIR defaults to ../shared/corpus/juesuan beside the project (or the test fixtures).
Ends with machine-readable `key: value` lines so runs can be compared.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from memory import peak_rss_mb  # noqa: E402
from pdfium_source import pdfium_text_pass, pdfplumber_pass  # noqa: E402  the same bare passes as benchmarks/pdfium_source.py


def default_corpus() -> Path:
    shared = ROOT.parent / "shared" / "corpus" / "juesuan"
    return shared if shared.is_dir() else ROOT / "tests" / "fixtures" / "pdf"


def page_count(path: Path) -> int:
    import pypdfium2 as pdfium

    with pdfium.PdfDocument(str(path)) as doc:
        return len(doc)


def pipeline_one_worker(files: list[Path], out: Path, html: bool = True) -> float:
    from juesuan.pipeline import Options, convert

    start = time.perf_counter()
    for f in files:
        result = convert(f, out, Options(html=html))
        if not result.ok:
            print(f"  note: {result.error}")
    return time.perf_counter() - start


def batch_seconds(folder: Path, out: Path, workers: int) -> float:
    from juesuan.batch import collect_jobs, run_batch
    from juesuan.pipeline import Options

    start = time.perf_counter()
    run_batch(collect_jobs([folder])[0], out, Options(), workers=workers, force=True)
    return time.perf_counter() - start


def rss_child(source: Path, count: int, checkpoints: list[int]) -> None:
    """Convert the same document `count` times in this process; print peak RSS at each checkpoint."""
    from juesuan.pipeline import Options, convert
    from juesuan.pool import tune_collector

    tune_collector()
    out = Path(tempfile.mkdtemp(prefix="juesuan-rss-"))
    try:
        for i in range(1, count + 1):
            convert(source, out / str(i % 3), Options())
            if i in checkpoints:
                print(f"rss_after_{i}: {peak_rss_mb():.1f}", flush=True)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    from juesuan.pool import tune_collector

    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", type=Path, default=default_corpus())
    parser.add_argument("--docs", type=int, default=40, help="documents in the 1-vs-2-worker batch")
    parser.add_argument("--rss-docs", type=int, default=200, help="documents one worker converts for the memory figure")
    parser.add_argument("--rounds", type=int, default=3,
                        help="timed passes of each kind, interleaved; the fastest counts (a shared machine only ever adds time)")
    parser.add_argument("--rss-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        rss_child(args.rss_child, args.rss_docs, [10, args.rss_docs])
        return

    files = sorted(p for p in args.corpus.glob("*.pdf"))
    if not files:
        sys.exit(f"no PDFs in {args.corpus}")
    pages = sum(page_count(f) for f in files)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"corpus: {args.corpus} ({len(files)} PDFs, {pages} pages)")

    work = Path(tempfile.mkdtemp(prefix="juesuan-bench-"))
    try:
        pipeline_one_worker(files[:1], work / "warm")  # imports and first-use costs out of the timed runs
        pdfplumber_pass(files[:1])
        tune_collector()  # as every worker process that converts documents does
        passes: dict[str, list[float]] = {"bare": [], "floor": [], "full": [], "no_html": []}
        for round_ in range(args.rounds):
            passes["bare"].append(pdfplumber_pass(files))
            passes["floor"].append(pdfium_text_pass(files))
            passes["full"].append(pipeline_one_worker(files, work / f"one-{round_}"))
            passes["no_html"].append(pipeline_one_worker(files, work / f"one-no-html-{round_}", html=False))
        bare, floor, full, no_html = (min(passes[k]) for k in ("bare", "floor", "full", "no_html"))
        spread = lambda k: "/".join(f"{t:.2f}" for t in passes[k])  # noqa: E731
        print(f"fastest of {args.rounds} interleaved passes (all passes in s):")
        print(f"bare pdfplumber extract_tables(): {bare:.2f} s, {pages / bare:.1f} pages/s ({spread('bare')})")
        print(f"bare pypdfium2 get_text_range(): {floor:.2f} s, {pages / floor:.1f} pages/s ({spread('floor')})")
        print(f"full pipeline, 1 worker (extract, normalize, check, repair, CSV+Parquet+Excel+dataset+HTML report): {full:.2f} s, "
              f"{pages / full:.1f} pages/s ({spread('full')})")
        print(f"the same without the HTML report (--no-html): {no_html:.2f} s, {pages / no_html:.1f} pages/s ({spread('no_html')})")
        ratio = full / bare
        print(f"pipeline / bare pdfplumber: {ratio:.2f} (without the HTML report: {no_html / bare:.2f})")

        batch = work / "batch" / "dept"
        batch.mkdir(parents=True)
        for i in range(args.docs):
            shutil.copy(files[i % len(files)], batch / f"{i:03d}_{files[i % len(files)].name}")
        batch_pages = sum(page_count(f) for f in batch.iterdir())
        one = batch_seconds(batch, work / "w1", 1)
        two = batch_seconds(batch, work / "w2", 2)
        print(f"batch of {args.docs} documents ({batch_pages} pages): 1 worker {one:.1f} s ({batch_pages / one:.1f} pages/s), "
              f"2 workers {two:.1f} s ({batch_pages / two:.1f} pages/s), speedup {one / two:.2f}")

        smallest = min(files, key=page_count)
        child = subprocess.run([sys.executable, __file__, "--rss-child", str(smallest), "--rss-docs", str(args.rss_docs)],
                               capture_output=True, text=True, check=True)
        figures = dict(line.split(": ") for line in child.stdout.strip().splitlines())
        at10, at_n = float(figures["rss_after_10"]), float(figures[f"rss_after_{args.rss_docs}"])
        print(f"peak RSS of one worker converting {smallest.name} repeatedly: {at10:.1f} MB after 10, {at_n:.1f} MB after {args.rss_docs}")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print()
    print(f"pages: {pages}")
    print(f"pipeline_pages_per_s: {pages / full:.2f}")
    print(f"pdfplumber_pages_per_s: {pages / bare:.2f}")
    print(f"pipeline_vs_pdfplumber_ratio: {ratio:.3f}")
    print(f"pipeline_no_html_vs_pdfplumber_ratio: {no_html / bare:.3f}")
    print(f"pipeline_vs_pdfium_text_ratio: {full / floor:.1f}")
    print(f"workers1_pages_per_s: {batch_pages / one:.2f}")
    print(f"workers2_pages_per_s: {batch_pages / two:.2f}")
    print(f"workers2_speedup: {one / two:.3f}")
    print(f"peak_rss_per_worker_mb: {at_n:.1f}")
    print(f"rss_growth_10_to_{args.rss_docs}: {at_n / at10:.3f}")


if __name__ == "__main__":
    main()
