"""The pdfium page source against pdfplumber's own parsing: speed, and equivalence over a corpus.

    python benchmarks/pdfium_source.py [PDF_OR_DIR ...] [--repeat N]   # speed
    python benchmarks/pdfium_source.py [PDF_OR_DIR ...] --equivalence  # every page compared

Paths default to ../shared/corpus/juesuan beside the project (or the test fixtures); for
--equivalence, to ../shared/corpus/juesuan and ../shared/corpus/yusuan. Speed compares three passes
over every page: a bare pdfplumber `extract_tables()`, the same with pages built by
`extract.pdfium_source.read_page` (pages it cannot read go to pdfplumber, timed too), and a bare
pypdfium2 `get_textpage().get_text_range()`. The passes take turns --repeat times; each one's fastest
run counts (the machine is shared). Output ends with `key: value` lines.
"""
from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pdfplumber  # noqa: E402
import pypdfium2 as pdfium  # noqa: E402

from extract.pdfium_equivalence import page_differences  # noqa: E402
from extract.pdfium_source import read_page  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpus"


def pdf_files(paths: list[Path]) -> list[Path]:
    files = []
    for path in paths:
        files.extend(sorted(path.glob("*.pdf")) if path.is_dir() else [path])
    return files


def default_paths(equivalence: bool) -> list[Path]:
    folders = [SHARED / "juesuan", SHARED / "yusuan"] if equivalence else [SHARED / "juesuan"]
    found = [f for f in folders if f.is_dir()]
    return found or [ROOT / "tests" / "fixtures" / "pdf"]


# ---------------------------------------------------------------- speed


def pdfplumber_pass(files: list[Path]) -> float:
    start = time.perf_counter()
    for f in files:
        with pdfplumber.open(f) as pdf:
            for page in pdf.pages:
                page.extract_tables()
                page.close()
    return time.perf_counter() - start


def pdfium_source_pass(files: list[Path]) -> tuple[float, int]:
    """Seconds, and pages read by pdfplumber because the source could not."""
    start = time.perf_counter()
    fallbacks = 0
    for f in files:
        document = pdfium.PdfDocument(str(f))
        plumber = None
        try:
            for index in range(len(document)):
                page, reason = read_page(document, index)
                if reason is not None:
                    fallbacks += 1
                    plumber = plumber or pdfplumber.open(f)
                    page = plumber.pages[index]
                page.extract_tables()
                page.close()
        finally:
            if plumber is not None:
                plumber.close()
            document.close()
    return time.perf_counter() - start, fallbacks


def pdfium_text_pass(files: list[Path]) -> float:
    start = time.perf_counter()
    for f in files:
        document = pdfium.PdfDocument(str(f))
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
        document.close()
    return time.perf_counter() - start


def fastest_interleaved(files: list[Path], repeat: int) -> tuple[float, float, int, float]:
    """Each pass's fastest run; the passes take turns, so a busy spell on the shared machine slows all alike."""
    plumber = source = text = float("inf")
    fallbacks = 0
    for _ in range(repeat):
        plumber = min(plumber, pdfplumber_pass(files))
        seconds, fallbacks = pdfium_source_pass(files)
        source = min(source, seconds)
        text = min(text, pdfium_text_pass(files))
    return plumber, source, fallbacks, text


def speed(files: list[Path], repeat: int) -> None:
    pages = sum(len(pdfium.PdfDocument(str(f))) for f in files)
    print(f"corpus: {len(files)} PDFs, {pages} pages; fastest of {repeat} runs per pass")
    pdfium_source_pass(files[:1])  # imports and first-use costs out of the timed runs
    pdfplumber_pass(files[:1])
    plumber, source, fallbacks, text = fastest_interleaved(files, repeat)
    per_page = lambda seconds: 1000 * seconds / pages  # noqa: E731
    print(f"bare pdfplumber extract_tables(): {plumber:.2f} s, {per_page(plumber):.1f} ms/page")
    print(f"pdfplumber tables on the pdfium source: {source:.2f} s, {per_page(source):.1f} ms/page ({fallbacks} pages read by pdfplumber)")
    print(f"bare pypdfium2 get_text_range(): {text:.2f} s, {per_page(text):.2f} ms/page")
    print()
    print(f"pages: {pages}")
    print(f"pdfplumber_tables_ms_per_page: {per_page(plumber):.2f}")
    print(f"pdfium_source_tables_ms_per_page: {per_page(source):.2f}")
    print(f"pdfium_text_ms_per_page: {per_page(text):.3f}")
    print(f"pdfium_source_fallback_pages: {fallbacks}")
    print(f"pdfium_source_vs_pdfplumber_ratio: {source / plumber:.3f}")
    print(f"pdfium_text_vs_pdfplumber_ratio: {text / plumber:.4f}")
    print(f"pdfium_source_vs_pdfium_text_ratio: {source / text:.2f}")


# ---------------------------------------------------------------- equivalence


def equivalence(files: list[Path]) -> None:
    outcome: collections.Counter = collections.Counter()
    reasons: collections.Counter = collections.Counter()
    for f in files:
        document = pdfium.PdfDocument(str(f))
        with pdfplumber.open(f) as pdf:
            for index, reference in enumerate(pdf.pages):
                page, reason = read_page(document, index)
                if reason is not None:
                    outcome["fallback"] += 1
                    reasons[reason] += 1
                    print(f"{f.name} page {index + 1}: falls back: {reason}")
                else:
                    differences = page_differences(reference, page)
                    outcome["differing" if differences else "equal"] += 1
                    for difference in differences:
                        print(f"{f.name} page {index + 1}: differs: {difference}")
                    page.close()
                reference.close()
        document.close()
    print()
    for reason, count in reasons.most_common():
        print(f"fallback reason: {count} pages: {reason}")
    print(f"pages: {sum(outcome.values())}")
    print(f"pages_equal: {outcome['equal']}")
    print(f"pages_falling_back: {outcome['fallback']}")
    print(f"pages_differing: {outcome['differing']}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--equivalence", action="store_true", help="compare every page with pdfplumber's own instead of timing")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = pdf_files(args.paths or default_paths(args.equivalence))
    if not files:
        sys.exit("no PDFs")
    if args.equivalence:
        equivalence(files)
    else:
        speed(files, args.repeat)


if __name__ == "__main__":
    main()
