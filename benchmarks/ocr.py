"""OCR figures: speed, cell accuracy against a text-layer answer key, and memory.

    python benchmarks/ocr.py [SCANNED_PDF ORIGINAL_PDF] [--dpi 150] [--pages 5-16] [--compare-detection]

Defaults to the corpus's scanned 普陀 社会工作部 document and its text-layer original. The answer key is
the original's tables as `extract.pdf.read_tables` reads them; a cell is exact when its text equals the
key's after NFKC and whitespace removal (what normalisation compares), at the same page, row and column.
Ends with `key: value` lines:

    ocr_seconds_per_page        this engine: rendering, orientation, skew, grid, cells, text outside tables
    bare_rapidocr_seconds_per_page   rapidocr's own detection + recognition over the same renders
    ocr_vs_rapidocr_ratio       the two (wall time), page by page in turn in one run (target <= 1.0, goal 0.5)
    ocr_vs_rapidocr_cpu_ratio   the same in CPU time (steadier on a machine shared with other work)
    ocr_cell_exact_rate         over the table pages' cells (printed, or printed empty but read as text)
    ocr_silent_wrong_cells      cells not exact and not flagged (confidence < CELL_READABLE)
    ocr_peak_rss_mb             peak RSS of a process doing only this engine's OCR (one worker), first 6 pages

`--compare-detection` adds the other approach measured for table pages: rapidocr's full-page detection +
recognition on the straightened page, its text boxes assigned to the same grid cells.
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared" / "corpus"
DEFAULT_SCAN = SHARED / "scanned" / "中共上海市普陀区委社会工作部 2024 年度部门决算_扫描.pdf"
DEFAULT_ORIGINAL = SHARED / "juesuan" / "中共上海市普陀区委社会工作部 2024 年度部门决算.pdf"


@dataclass
class Tally:
    cells: int = 0
    exact: int = 0
    flagged_wrong: int = 0
    silent_wrong: list[tuple] = field(default_factory=list)
    flagged_right: int = 0

    @property
    def exact_rate(self) -> float:
        return self.exact / self.cells if self.cells else 1.0

    def add(self, other: "Tally") -> None:
        self.cells += other.cells
        self.exact += other.exact
        self.flagged_wrong += other.flagged_wrong
        self.flagged_right += other.flagged_right
        self.silent_wrong.extend(other.silent_wrong)


def answer_key(original: Path, pages: list[int]) -> dict[int, list[list[list[str | None]]]]:
    """The original's ruled tables per page (grids as pdfplumber reads them)."""
    import pdfplumber

    from extract.pdf import read_tables

    key = {}
    with pdfplumber.open(original) as pdf:
        for number in pages:
            page = pdf.pages[number - 1]
            key[number] = [t.grid for t in read_tables(page, number, "pdfplumber")]
            page.close()
    return key


def score_page(number: int, tables, key_grids: list, readable: float) -> Tally:
    """Cell by cell, by position: the n-th table of the page against the key's n-th table."""
    from normalize.labels import squeeze

    tally = Tally()
    for t, key in enumerate(key_grids):
        grid = tables[t].grid if t < len(tables) else []
        confidences = (tables[t].confidences or []) if t < len(tables) else []
        for r, key_row in enumerate(key):
            for c, expected in enumerate(key_row):
                if expected is None:
                    continue
                read = grid[r][c] if r < len(grid) and c < len(grid[r]) else None
                if not squeeze(expected) and not squeeze(read):
                    continue  # printed empty, read empty: not a printed cell
                tally.cells += 1
                confidence = confidences[r][c] if r < len(confidences) and c < len(confidences[r]) else None
                flagged = confidence is not None and confidence < readable
                if read is not None and squeeze(read) == squeeze(expected):
                    tally.exact += 1
                    tally.flagged_right += flagged
                elif flagged:
                    tally.flagged_wrong += 1
                else:
                    tally.silent_wrong.append((number, t, r, c, expected, read, confidence))
    return tally


def parse_pages(text: str | None, count: int) -> list[int]:
    if not text:
        return list(range(1, count + 1))
    pages = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        pages.extend(range(int(a), int(b or a) + 1))
    return pages


def render_pages(path: Path, pages: list[int], dpi: int):
    import pypdfium2 as pdfium

    from extract.ocr_image import render_grey

    document = pdfium.PdfDocument(str(path))
    try:
        return {n: render_grey(document[n - 1], dpi) for n in pages}
    finally:
        document.close()


@dataclass
class Timing:
    wall: float = 0.0
    cpu: float = 0.0

    def add(self, wall: float, cpu: float) -> None:
        self.wall += wall
        self.cpu += cpu


def bare_rapidocr():
    from rapidocr import RapidOCR

    return RapidOCR(params={"Global.log_level": "error", "Global.use_cls": False})


def time_both(scan: Path, pages: list[int], dpi: int) -> tuple[dict, Timing, Timing]:
    """This engine and bare rapidocr (detection + recognition, no line classifier), page by page in turn so
    that other load on a shared machine weighs on both alike. Both engines are loaded before the clock
    starts; this engine's time includes rendering, the bare pass gets the same render for free."""
    import cv2
    import pypdfium2 as pdfium

    from extract.ocr import ocr_page
    from extract.ocr_engine import engine
    from extract.ocr_image import render_grey

    engine()
    reader = bare_rapidocr()
    document = pdfium.PdfDocument(str(scan))
    results, ours, bare = {}, Timing(), Timing()
    reader(cv2.cvtColor(render_grey(document[pages[0] - 1], dpi), cv2.COLOR_GRAY2BGR))
    for n in pages:
        page = document[n - 1]
        wall, cpu = time.perf_counter(), time.process_time()
        results[n] = ocr_page(page, n, dpi=dpi)
        ours.add(time.perf_counter() - wall, time.process_time() - cpu)
        image = cv2.cvtColor(render_grey(page, dpi), cv2.COLOR_GRAY2BGR)
        page.close()
        wall, cpu = time.perf_counter(), time.process_time()
        reader(image)
        bare.add(time.perf_counter() - wall, time.process_time() - cpu)
    document.close()
    return results, ours, bare


def detection_approach(scan: Path, pages: list[int], dpi: int):
    """The alternative for table pages: rapidocr's detection + recognition over the whole straightened page,
    each text box given to the grid cell holding its centre."""
    import cv2

    from extract.model import PageTable
    from extract.ocr import find_rotation
    from extract.ocr_image import ink_mask, straighten
    from extract.ocr_tables import find_grids, rule_masks

    reader = bare_rapidocr()
    images = render_pages(scan, pages, dpi)
    reader(cv2.cvtColor(images[pages[0]], cv2.COLOR_GRAY2BGR))
    results, start = {}, time.perf_counter()
    for n in pages:
        page = straighten(images[n], find_rotation(images[n], dpi), dpi)
        grids = find_grids(*rule_masks(ink_mask(page.image), dpi), dpi)
        out = reader(cv2.cvtColor(page.image, cv2.COLOR_GRAY2BGR))
        boxes = [] if out.boxes is None else list(zip(out.boxes, out.txts, out.scores))
        tables = []
        for grid in grids:
            texts: dict = {}
            for quad, txt, score in boxes:
                cx, cy = quad[:, 0].mean(), quad[:, 1].mean()
                for cell in grid.cells:
                    x0, y0, x1, y1 = grid.cell_box(cell)
                    if x0 <= cx < x1 and y0 <= cy < y1:
                        texts.setdefault((cell.row, cell.column), []).append((cy, cx, txt, score))
            rows, cols = len(grid.ys) - 1, len(grid.xs) - 1
            grid_text = [[None if (r, c) in grid.covered else "" for c in range(cols)] for r in range(rows)]
            conf = [[None if (r, c) in grid.covered else 1.0 for c in range(cols)] for r in range(rows)]
            for (r, c), parts in texts.items():
                parts.sort()
                grid_text[r][c] = "\n".join(p[2] for p in parts)
                conf[r][c] = min(p[3] for p in parts)
            tables.append(PageTable(n, grid_text, [], grid_text, [], [], "ocr-detection", conf))
        results[n] = tables
    return results, time.perf_counter() - start


def ocr_only_peak_rss(scan: Path, pages: list[int], dpi: int) -> float:
    """Peak RSS (MB) of a fresh process that does nothing but this engine's OCR of the pages: one OCR worker."""
    import subprocess

    code = (
        "import resource, sys, pypdfium2 as pdfium\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from extract.ocr import ocr_page\n"
        f"d = pdfium.PdfDocument({str(scan)!r})\n"
        f"for n in {pages!r}:\n"
        f"    ocr_page(d[n - 1], n, dpi={dpi})\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scan", nargs="?", type=Path, default=DEFAULT_SCAN)
    parser.add_argument("original", nargs="?", type=Path, default=DEFAULT_ORIGINAL)
    parser.add_argument("--dpi", type=int, default=150)
    parser.add_argument("--pages", help="pages to time, e.g. 1-24 (default: all)")
    parser.add_argument("--table-pages", help="pages scored against the key (default: pages where the key has tables)")
    parser.add_argument("--compare-detection", action="store_true")
    parser.add_argument("--show", action="store_true", help="list every cell that is not exact")
    args = parser.parse_args(argv)
    missing = [str(path) for path in (args.scan, args.original) if not path.is_file()]
    if missing:
        print(f"ocr benchmark skipped: {', '.join(missing)} not found (pass SCANNED_PDF ORIGINAL_PDF)")
        return 0

    from extract.ocr import CELL_READABLE
    from extract.ocr_engine import engine_version

    import pypdfium2 as pdfium

    with pdfium.PdfDocument(str(args.scan)) as document:
        count = len(document)
    pages = parse_pages(args.pages, count)
    key = answer_key(args.original, parse_pages(args.table_pages, count))
    table_pages = [n for n in pages if key.get(n)]

    rss = ocr_only_peak_rss(args.scan, pages[: min(len(pages), 6)], args.dpi)
    results, ours, bare = time_both(args.scan, pages, args.dpi)
    tally = Tally()
    for n in table_pages:
        tally.add(score_page(n, results[n].tables, key[n], CELL_READABLE))
    table_seconds = sum(results[n].seconds for n in table_pages)

    print(f"engine: {engine_version()}, {args.dpi} dpi, {len(pages)} pages ({len(table_pages)} with tables in the key)")
    print(f"rotations: {[results[n].rotation for n in pages]}")
    print(f"skews: {[results[n].skew for n in pages]}")
    if args.show:
        for item in tally.silent_wrong:
            print("  silent wrong:", item)
        for n in table_pages:
            for d in results[n].low_confidence:
                print(f"  flagged p{n}: {d.text!r} {d.confidence} table={d.table} row={d.row} col={d.column} line={d.line}")
    if args.compare_detection:
        detected, detection_seconds = detection_approach(args.scan, table_pages, args.dpi)
        other = Tally()
        for n in table_pages:
            other.add(score_page(n, detected[n], key[n], CELL_READABLE))
        print(f"detection_approach_seconds_per_table_page: {detection_seconds / max(1, len(table_pages)):.3f}")
        print(f"detection_approach_cell_exact_rate: {other.exact_rate:.4f}")
        print(f"detection_approach_silent_wrong_cells: {len(other.silent_wrong)}")
    print(f"ocr_table_pages_seconds_per_page: {table_seconds / max(1, len(table_pages)):.3f}")
    print(f"ocr_cells_scored: {tally.cells}")
    print(f"ocr_cells_flagged: {tally.flagged_wrong + tally.flagged_right}")
    print(f"ocr_cpu_seconds_per_page: {ours.cpu / len(pages):.3f}")
    print(f"bare_rapidocr_seconds_per_page: {bare.wall / len(pages):.3f}")
    print(f"ocr_vs_rapidocr_cpu_ratio: {ours.cpu / bare.cpu:.3f}")
    print(f"ocr_seconds_per_page: {ours.wall / len(pages):.3f}")
    print(f"ocr_vs_rapidocr_ratio: {ours.wall / bare.wall:.3f}")
    print(f"ocr_cell_exact_rate: {tally.exact_rate:.4f}")
    print(f"ocr_silent_wrong_cells: {len(tally.silent_wrong)}")
    print(f"ocr_peak_rss_mb: {rss:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
