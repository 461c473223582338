"""What extraction hands to normalization: raw cells with their provenance."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from normalize.labels import TOTAL_NAMES, printable, squeeze


OCR_CELL_READABLE = 0.9  # an OCR reading below this confidence is not safe: the cell is left empty and listed


class InputError(Exception):
    """A document that cannot be converted; the message is one line naming the problem."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class RawRow:
    cells: list[str]
    page: int | None = None  # 1-based page, None for text exports
    line: int | None = None  # line in a text export, row index on the page for PDFs
    boxes: list[tuple[float, float, float, float] | None] | None = None  # cell positions on the page (PDF points)
    confidences: list[float | None] | None = None  # OCR confidence of each cell (None: read from a text layer)


@dataclass
class PageTable:
    """One ruled table found on one page by a table engine (pdfplumber, camelot, OCR), before joining across pages.
    Boxes are (x0, top, x1, bottom) in PDF points from the page's top-left, whatever engine found them."""

    page: int
    grid: list[list[str]]
    boxes: list[list[tuple | None]]
    header_filled: list[list[str]]  # header cells with merged (spanned) cells filled in
    caption: list[str]  # text lines above the table on the page
    below: list[str]  # text lines below the table on the page
    engine: str = "pdfplumber"
    confidences: list[list[float | None]] | None = None  # OCR: per cell, as grid; None for text layers


@dataclass
class RawTable:
    table_id: str | None
    title: str
    identified_by: str  # "title", "marker" or "signature"
    header_rows: list[RawRow] = field(default_factory=list)
    rows: list[RawRow] = field(default_factory=list)
    marker: str | None = None
    unit: str | None = None
    department: str | None = None
    pages: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # non-tabular lines inside the table (注, 本部门无…)
    engine: str = "text"
    header_spans_known: bool = False  # True when merged header cells were already filled by the engine
    repeated: list[RawRow] = field(default_factory=list)  # 合计/总计 rows a continuation page printed again (kept once)

    _total_keys: set = field(default_factory=set, repr=False, compare=False)  # of rows[:_rows_seen], kept as rows grow
    _rows_seen: int = field(default=0, repr=False, compare=False)

    def continue_with(self, rows: list[RawRow]) -> None:
        """Rows of the table's next page: a total row the table already holds, printed again, is kept once.
        The total rows held are collected once, not again for every page (a table over many pages stays linear)."""
        held = self._held_totals()
        for row in rows:
            if _is_total_row(row) and _row_key(row) in held:
                self.repeated.append(row)
            else:
                self.rows.append(row)

    def _held_totals(self) -> set:
        if self._rows_seen > len(self.rows):
            self._total_keys, self._rows_seen = set(), 0
        self._total_keys = self._total_keys | {_row_key(r) for r in self.rows[self._rows_seen:] if _is_total_row(r)}
        self._rows_seen = len(self.rows)
        return self._total_keys


def _row_key(row: RawRow) -> tuple[str, ...]:
    return tuple(squeeze(c) for c in row.cells if squeeze(c))


def _is_total_row(row: RawRow) -> bool:
    key = _row_key(row)
    return bool(key) and key[0] in TOTAL_NAMES


@dataclass
class NarrativeBlock:
    """One line (PDF) or paragraph (text export) of the narrative, in reading order."""

    section: tuple[str, ...]
    text: str
    page: int | None = None
    line: int | None = None
    heading: bool = False  # marked as a heading by the source (markdown `#`)
    ocr: bool = False  # read by OCR from a page image
    confidence: float | None = None  # OCR confidence of the line


@dataclass
class RawDocument:
    source: Path
    kind: str  # "text" or "pdf"
    tables: list[RawTable]
    narrative: list[NarrativeBlock]
    department: str | None = None
    year: int | None = None
    unit: str | None = None
    page_count: int | None = None
    page_kinds: dict[int, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    other_tables: list[RawTable] = field(default_factory=list)  # tables that are not one of the nine (绩效自评表, …)
    contents: list[str] | None = None  # the standard tables the document's own 目录 lists (None: no 目录 found)
    ocr_pages: dict[int, dict] = field(default_factory=dict)  # page -> how OCR read it (reason, rotation, skew, seconds, cache)
    pdfminer_pages: dict[int, str] = field(default_factory=dict)  # table pages pdfminer parsed (pdfium could not map them) and why

    @property
    def source_name(self) -> str:
        """The file's name as outputs show it (bytes that were not UTF-8 and control characters escaped)."""
        return printable(self.source.name, 1000)

    @property
    def source_path(self) -> str:
        return printable(str(self.source), 4096)
