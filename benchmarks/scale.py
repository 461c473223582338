"""Time in proportion to the input: the pipeline on long tables (tests/hostile.py generators) at two sizes each,
so that a shape that makes some step quadratic shows as a ratio far above 2.

    python benchmarks/scale.py [--pages 25] [--rows 10000]

Ends with `key: value` lines: seconds for each size, and `<input>_doubling_ratio` (time for twice the input over
time for the input; 2.0 is linear).
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def seconds_to_convert(path: Path, out: Path) -> float:
    from juesuan.pipeline import Options, convert

    start = time.perf_counter()
    result = convert(path, out, Options(html=False, formats={"csv", "parquet"}))
    if not result.ok:
        sys.exit(f"{path.name}: {result.error}")
    return time.perf_counter() - start


def main() -> None:
    import hostile

    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=25, help="pages of the smaller ruled t05 (the larger has twice as many)")
    parser.add_argument("--rows", type=int, default=10_000, help="项 rows of t03 and t05 in the smaller text export")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="juesuan-scale-"))
    figures = {}
    try:
        seconds_to_convert(hostile.t01_without_totals(work / "warm.md", pdf=False), work / "warm")  # imports out of the timings
        for size in (1, 2):
            pdf = hostile.long_t05_pdf(work / f"t05_{size}.pdf", pages=args.pages * size, broken=3)
            figures[f"long_t05_{args.pages * size}_pages_seconds"] = seconds_to_convert(pdf, work / f"o{size}")
            export = hostile.big_text_export(work / f"export_{size}.md", rows=args.rows * size, narrative_lines=200 * size)
            figures[f"text_export_{args.rows * size}_rows_seconds"] = seconds_to_convert(export, work / f"e{size}")
            print(f"size x{size}: t05 PDF {args.pages * size} pages, text export {args.rows * size} rows ({export.stat().st_size >> 10} KB)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    for key, value in figures.items():
        print(f"{key}: {value:.2f}")
    print(f"long_t05_doubling_ratio: {figures[f'long_t05_{args.pages * 2}_pages_seconds'] / figures[f'long_t05_{args.pages}_pages_seconds']:.2f}")
    print(f"text_export_doubling_ratio: {figures[f'text_export_{args.rows * 2}_rows_seconds'] / figures[f'text_export_{args.rows}_rows_seconds']:.2f}")


if __name__ == "__main__":
    main()
