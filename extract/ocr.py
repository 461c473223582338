"""OCR of scanned pages into the same PageTables and narrative lines the text-layer path produces.

    reason = page_needs_ocr(pdfium_page)           # "image-only", "garbage text layer", "table image" or None
    result = ocr_page(pdfium_page, number, dpi=150, cache_dir=folder)

A page is rendered with pdfium, turned upright (0/90/180/270) and levelled (skew up to ±4°); ruled tables
are found from their lines, each cell's text lines are cut out and recognised by rapidocr's recogniser,
and the text outside the tables becomes caption / below / narrative lines. Every box is in PDF points of
the page (top-left origin), whatever turn or skew the scan had.

A cell whose reading is in doubt (confidence below CELL_READABLE, or ink that read as nothing) is listed
in `OcrPage.low_confidence` with its text as read; downstream leaves it empty and reports it unreadable.
Digits are returned exactly as recognised.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2
import numpy as np

from extract.model import PageTable
from extract.ocr_engine import Reading, engine, engine_version
from extract.ocr_image import Straightened, ink_mask, lines_run_vertically, long_rules, render_grey, straighten, text_blobs, turn
from extract.ocr_tables import Grid, find_grids, print_components, rule_masks, rule_pixels
from extract.ocr_text import CELL_READABLE, PageText, read_regions
from extract.ocr_triage import page_needs_ocr

__all__ = ["CELL_READABLE", "OcrPage", "Doubt", "ocr_page", "ocr_image", "page_needs_ocr"]

OCR_VERSION = "2"  # of this module's reading: part of the cache key, bump when results would change
ORIENTATION_SAMPLES = 12  # text blobs the 0°/180° classifier looks at


@dataclass
class Doubt:
    """A cell or narrative line whose reading is not safe."""

    text: str  # as recognised ("" when ink read as nothing)
    confidence: float
    box: tuple[float, float, float, float]  # PDF points
    table: int | None = None  # index into OcrPage.tables; None for a narrative line
    row: int | None = None
    column: int | None = None
    line: int | None = None  # index into OcrPage.lines


@dataclass
class OcrPage:
    number: int
    tables: list[PageTable]  # engine="ocr", boxes in PDF points, confidences per cell
    lines: list[str]  # text lines outside tables, in reading order
    rotation: int  # degrees the rendered page was turned clockwise to stand upright
    skew: float  # degrees (counterclockwise positive) the upright page was rotated to level it
    seconds: float  # spent by this call (rendering and cache look-up included)
    image_sha256: str  # of the rendered grey image
    cached: bool
    low_confidence: list[Doubt] = field(default_factory=list)
    line_confidences: list[float] = field(default_factory=list)  # parallel to lines
    line_boxes: list[tuple[float, float, float, float]] = field(default_factory=list)  # parallel to lines, PDF points
    dpi: int = 150


def ocr_page(page, number: int, *, dpi: int = 150, cache_dir: Path | None = None) -> OcrPage:
    """OCR one pypdfium2 page. With a cache folder, a page whose rendered image was read before (same engine,
    same dpi) is not read again."""
    start = time.perf_counter()
    grey = render_grey(page, dpi)
    cache_file = _cache_file(cache_dir, image_digest(grey), dpi) if cache_dir is not None else None
    result = _load(cache_file, number) if cache_file is not None else None
    if result is None:
        result = ocr_image(grey, number, dpi=dpi)
        if cache_file is not None:
            _store(cache_file, result)
    result.seconds = round(time.perf_counter() - start, 3)
    return result


def ocr_image(grey: np.ndarray, number: int, *, dpi: int) -> OcrPage:
    """OCR a rendered page image (8-bit grey, `dpi` pixels per inch of the page)."""
    rotation = find_rotation(grey, dpi)
    page = straighten(grey, rotation, dpi)
    ink = ink_mask(page.image)
    horizontal, vertical = rule_masks(ink, dpi)
    grids = find_grids(horizontal, vertical, dpi)
    text_ink = print_components(_without_rules(ink, horizontal, vertical, grids, dpi), dpi)
    clean = page.image.copy()
    clean[(ink > 0) & (text_ink == 0)] = 255  # rules and isolated specks: nothing the recogniser should see
    text = read_regions(clean, text_ink, grids, dpi, engine())
    return _page_result(number, page, grids, text, dpi, image_digest(grey))


def image_digest(grey: np.ndarray) -> str:
    h = hashlib.sha256(f"{grey.shape[1]}x{grey.shape[0]}:".encode())
    h.update(grey.tobytes())
    return h.hexdigest()


# ---------------------------------------------------------------- orientation


def find_rotation(grey: np.ndarray, dpi: int) -> int:
    """Clockwise quarter turns (in degrees) that make the page's text upright. Whether lines run across or down
    the page comes from the shape of the text blobs; which way up, from the 0°/180° line classifier."""
    blobs = text_blobs(ink_mask(grey), dpi)
    if not blobs:
        return 0
    candidate = 90 if lines_run_vertically(blobs) else 0
    upright = turn(grey, candidate)
    if candidate:
        blobs = text_blobs(ink_mask(upright), dpi)
    samples = sorted(blobs, key=lambda b: -b[2])[:ORIENTATION_SAMPLES]
    crops = [upright[y : y + h, x : x + min(w, 4 * h)] for x, y, w, h in samples if w >= h]
    return (candidate + 180) % 360 if engine().upside_down(crops) > 0 else candidate


# ---------------------------------------------------------------- assembling the result


def _without_rules(ink, horizontal, vertical, grids: list[Grid], dpi: int) -> np.ndarray:
    """Ink of the printed text: the tables' rules removed, and long rules anywhere."""
    rules = np.zeros_like(ink)
    for grid in grids:
        rules |= rule_pixels(grid, horizontal, vertical)
    rules = cv2.dilate(rules, np.ones((3, 3), np.uint8))
    return cv2.subtract(cv2.subtract(ink, rules), long_rules(ink, dpi))


def _page_result(number: int, page: Straightened, grids: list[Grid], text: PageText, dpi: int, digest: str) -> OcrPage:
    doubts: list[Doubt] = []
    tables = []
    for index, (grid, cells) in enumerate(zip(grids, text.cells)):
        tables.append(_page_table(number, page, grid, cells, text, index, doubts))
    lines = [line.text for line in text.lines]
    boxes = [page.to_points(line.box) for line in text.lines]
    for i, line in enumerate(text.lines):
        if line.confidence < CELL_READABLE:
            doubts.append(Doubt(line.text, line.confidence, boxes[i], line=i))
    return OcrPage(
        number=number,
        tables=tables,
        lines=lines,
        rotation=page.rotation,
        skew=page.skew,
        seconds=0.0,
        image_sha256=digest,
        cached=False,
        low_confidence=doubts,
        line_confidences=[line.confidence for line in text.lines],
        line_boxes=boxes,
        dpi=dpi,
    )


def _page_table(number: int, page: Straightened, grid: Grid, cells: dict, text: PageText, index: int, doubts: list[Doubt]) -> PageTable:
    rows, columns = len(grid.ys) - 1, len(grid.xs) - 1
    texts: list[list[str | None]] = [[None] * columns for _ in range(rows)]
    filled = [[""] * columns for _ in range(rows)]
    boxes: list[list[tuple | None]] = [[None] * columns for _ in range(rows)]
    confidences: list[list[float | None]] = [[None] * columns for _ in range(rows)]
    for cell in grid.cells:
        reading: Reading = cells[(cell.row, cell.column)]
        box = page.to_points(grid.cell_box(cell))
        texts[cell.row][cell.column] = reading.text
        boxes[cell.row][cell.column] = box
        confidences[cell.row][cell.column] = reading.confidence
        for r in range(cell.row, cell.row + cell.rows):
            for c in range(cell.column, cell.column + cell.columns):
                filled[r][c] = reading.text
        if reading.confidence < CELL_READABLE:
            doubts.append(Doubt(reading.text, reading.confidence, box, table=index, row=cell.row, column=cell.column))
    top, bottom = grid.ys[0], grid.ys[-1]
    return PageTable(
        page=number,
        grid=texts,  # type: ignore[arg-type]  # None where a merged cell covers the position, as pdfplumber
        boxes=boxes,
        header_filled=filled,
        caption=[line.text for line in text.lines if line.box[3] <= top + 1],
        below=[line.text for line in text.lines if line.box[1] >= bottom - 1],
        engine="ocr",
        confidences=confidences,
    )


# ---------------------------------------------------------------- cache


def _cache_file(cache_dir: Path, digest: str, dpi: int) -> Path:
    key = hashlib.sha256(f"{digest}|{engine_version()}|ocr {OCR_VERSION}|{dpi} dpi".encode()).hexdigest()
    return Path(cache_dir) / f"{key}.json"


def _load(path: Path, number: int) -> OcrPage | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _from_json(data, number)
    except (OSError, ValueError, TypeError, KeyError):
        return None  # absent, unreadable or of another layout: read the page again


def _from_json(data: dict, number: int) -> OcrPage:
    tables = [PageTable(**{**t, "page": number, "boxes": [[tuple(b) if b else None for b in row] for row in t["boxes"]]}) for t in data.pop("tables")]
    doubts = [Doubt(**{**d, "box": tuple(d["box"])}) for d in data.pop("low_confidence")]
    boxes = [tuple(b) for b in data.pop("line_boxes")]
    return OcrPage(**{**data, "number": number, "tables": tables, "low_confidence": doubts, "line_boxes": boxes, "cached": True})


def _store(path: Path, result: OcrPage) -> None:
    """Written to a temporary name in the same folder, then renamed: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(asdict(result), ensure_ascii=False)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".ocr-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(payload)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
