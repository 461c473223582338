"""Scanned-like test fixtures from real 决算 PDFs, with their answer key.

    python tools/make_scans.py SOURCE.pdf OUT.pdf --page 12 --page 15:dpi=200,angle=-0.9 --page 16:turn=90

Each page is rendered with pypdfium2 (the source's fonts are embedded, so the glyphs are the published
ones) and degraded as an office scanner does: grey, 150–200 dpi, a small rotation, specks, a slight blur,
JPEG at quality ~70; a page can also be turned by a quarter, as landscape tables often are. The result is
an image-only PDF (one JPEG per page, page size = image size at its dpi).

Beside OUT.pdf go:
  OUT.json       what was done to each page (source page, dpi, turn, angle, seed), to check OCR geometry
  OUT.cells.csv  the answer key: every ruled-table cell of the source pages as `extract.pdf.read_tables`
                 reads the text layer (page, table, row, column, text, x0, top, x1, bottom in source points)
  OUT.lines.csv  the source pages' text lines outside tables, in reading order
Pages are numbered as in OUT.pdf.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

JPEG_QUALITY = 70
BLUR_SIGMA = 0.45
SPECKS_PER_MEGAPIXEL = 400
PAPER_NOISE = 3.0  # standard deviation of the grey level noise of the paper


@dataclass
class PageSpec:
    source_page: int
    dpi: int = 150
    turn: int = 0  # degrees clockwise
    angle: float | None = None  # degrees counterclockwise; None: drawn from the seed within ±1°
    seed: int = 0


def parse_page(text: str, default_dpi: int, seed: int) -> PageSpec:
    """`12` or `12:dpi=200,angle=-0.9,turn=90`."""
    number, _, options = text.partition(":")
    spec = PageSpec(int(number), default_dpi, seed=seed + int(number))
    for option in filter(None, options.split(",")):
        name, _, value = option.partition("=")
        if name == "dpi":
            spec.dpi = int(value)
        elif name == "turn":
            spec.turn = int(value) % 360
        elif name == "angle":
            spec.angle = float(value)
        else:
            raise SystemExit(f"unknown page option {name!r} in {text!r}")
    if spec.angle is None:
        spec.angle = round(float(np.random.default_rng(spec.seed).uniform(-1.0, 1.0)), 2)
    return spec


def render(document, spec: PageSpec) -> np.ndarray:
    page = document[spec.source_page - 1]
    bitmap = page.render(scale=spec.dpi / 72, grayscale=True)
    page.close()
    return np.ascontiguousarray(bitmap.to_numpy()).reshape(bitmap.height, bitmap.width)


def degrade(grey: np.ndarray, spec: PageSpec) -> np.ndarray:
    """Turn, tilt, blur, speck and add paper noise, as a flatbed scan of a printout."""
    rng = np.random.default_rng(spec.seed)
    turns = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    image = cv2.rotate(grey, turns[spec.turn]) if spec.turn else grey
    h, w = image.shape
    tilt = cv2.getRotationMatrix2D((w / 2, h / 2), spec.angle, 1.0)
    image = cv2.warpAffine(image, tilt, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    image = cv2.GaussianBlur(image, (0, 0), BLUR_SIGMA)
    image = image.astype(np.float32) + rng.normal(0, PAPER_NOISE, image.shape)
    count = int(SPECKS_PER_MEGAPIXEL * h * w / 1e6)
    ys, xs = rng.integers(0, h - 2, count), rng.integers(0, w - 2, count)
    darkness = rng.uniform(60, 200, count)
    sizes = rng.integers(1, 3, count)
    for y, x, level, size in zip(ys, xs, darkness, sizes):
        image[y : y + size, x : x + size] = np.minimum(image[y : y + size, x : x + size], level)
    return np.clip(image, 0, 255).astype(np.uint8)


def write_pdf(pages: list[tuple[np.ndarray, int]], path: Path) -> None:
    """An image-only PDF: each page one JPEG filling a page of the image's size at its dpi."""
    document = pdfium.PdfDocument.new()
    for image, dpi in pages:
        ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        assert ok
        h, w = image.shape
        width, height = w * 72 / dpi, h * 72 / dpi
        page = document.new_page(width, height)
        picture = pdfium.PdfImage.new(document)
        picture.load_jpeg(io.BytesIO(jpeg.tobytes()), inline=True)
        picture.set_matrix(pdfium.PdfMatrix().scale(width, height))
        page.insert_obj(picture)
        page.gen_content()
        page.close()
    document.save(str(path))
    document.close()


def answer_key(source: Path, specs: list[PageSpec]) -> tuple[list[dict], list[dict]]:
    """The source pages' table cells and outside lines, read from the text layer (pages numbered as in the scan)."""
    import pdfplumber

    from extract.lines import page_lines
    from extract.pdf import _lines_outside_tables, read_tables

    cells, lines = [], []
    with pdfplumber.open(source) as pdf:
        for number, spec in enumerate(specs, 1):
            page = pdf.pages[spec.source_page - 1]
            tables = read_tables(page, spec.source_page, "pdfplumber")
            for t, table in enumerate(tables):
                for r, row in enumerate(table.grid):
                    for c, text in enumerate(row):
                        if text is None:
                            continue  # a position covered by a merged cell
                        box = table.boxes[r][c]
                        cells.append({"page": number, "table": t, "row": r, "column": c, "text": text,
                                      **dict(zip(("x0", "top", "x1", "bottom"), (round(v, 2) for v in box)))})
            outside = _lines_outside_tables(page, tables) if tables else page_lines(page)
            lines.extend({"page": number, "line": i, "text": text} for i, text in enumerate(outside))
            page.close()
    return cells, lines


def write_csv(rows: list[dict], path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["page"])
        writer.writeheader()
        writer.writerows(rows)


def make(source: Path, out: Path, specs: list[PageSpec]) -> None:
    document = pdfium.PdfDocument(str(source))
    try:
        pages = [(degrade(render(document, spec), spec), spec.dpi) for spec in specs]
        sizes = [document.get_page_size(spec.source_page - 1) for spec in specs]
    finally:
        document.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    write_pdf(pages, out)
    record = {"source": source.name, "jpeg_quality": JPEG_QUALITY, "blur_sigma": BLUR_SIGMA,
              "pages": [{**asdict(spec), "source_size": list(size)} for spec, size in zip(specs, sizes)]}
    out.with_suffix(".json").write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    cells, lines = answer_key(source, specs)
    write_csv(cells, out.with_suffix(".cells.csv"))
    write_csv(lines, out.with_suffix(".lines.csv"))


def source_to_scan(point: tuple[float, float], page: dict) -> tuple[float, float]:
    """Where a point of the source page (PDF points, top-left origin) lands on the scanned page, by the
    record `make` wrote: the quarter turn, then the tilt about the image centre."""
    width, height = page["source_size"]
    x, y = point
    turn = page["turn"] % 360
    if turn == 90:
        x, y, width, height = height - y, x, height, width
    elif turn == 180:
        x, y = width - x, height - y
    elif turn == 270:
        x, y, width, height = y, width - x, height, width
    a = math.radians(page["angle"])
    cx, cy = width / 2, height / 2
    dx, dy = x - cx, y - cy
    return (cx + dx * math.cos(a) + dy * math.sin(a), cy - dx * math.sin(a) + dy * math.cos(a))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--page", action="append", required=True, help="source page, with options: 12:dpi=200,angle=-0.9,turn=90")
    parser.add_argument("--dpi", type=int, default=150)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    make(args.source, args.out, [parse_page(p, args.dpi, args.seed) for p in args.page])
    print(f"{args.out}: {args.out.stat().st_size / 1024:.0f} KiB, {len(args.page)} pages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
