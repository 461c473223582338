"""Typeset 决算-style ruled tables and narrative into a PDF (reportlab, built-in STSong-Light CID font).

Used to build the caidian PDF twin and the layout fixtures of the tests: every feature a
province's layout has (wrapped codes, merged header cells, tables over page breaks,
repeated titles, 栏次 columns, ...) is a parameter here, so tests can generate exactly the
layout they describe instead of storing PDFs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


@dataclass
class HeaderCell:
    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass
class TableSpec:
    title: str | None
    header: list[list[HeaderCell]]  # header rows; spans as in HTML
    rows: list[list[str]]
    widths: list[float]  # column widths in points
    caption_left: str = ""  # e.g. "部门：某某局"
    caption_right: str = ""  # e.g. "公开01表  单位：万元"
    notes: list[str] = field(default_factory=list)
    repeat_title: bool = False  # print the title again on every page the table runs over
    repeat_header: bool = True  # print the header again on every page
    repeat_rows: int = 0  # print the first rows (a 合计 row) again under the header on every continuation page
    landscape: bool = False
    font_size: float = 8
    row_height: float = 15


@dataclass
class Paragraphs:
    lines: list[str]
    font_size: float = 11


class Typesetter:
    def __init__(self, path: Path):
        self.canvas = canvas.Canvas(str(path), pagesize=A4)
        self.page_size = A4
        self.y = 0.0
        self.margin = 40
        self.started = False

    # -- pages

    def new_page(self, wide: bool = False) -> None:
        if self.started:
            self.canvas.showPage()
        self.page_size = landscape(A4) if wide else A4
        self.canvas.setPageSize(self.page_size)
        self.y = self.page_size[1] - self.margin
        self.started = True

    def blank_page(self) -> None:
        self.new_page()

    def text(self, s: str, size: float = 11, x: float | None = None, centered: bool = False) -> None:
        self.canvas.setFont(FONT, size)
        if centered:
            self.canvas.drawCentredString(self.page_size[0] / 2, self.y - size, s)
        else:
            self.canvas.drawString(self.margin if x is None else x, self.y - size, s)
        self.y -= size * 1.6

    def paragraphs(self, block: Paragraphs) -> None:
        width = self.page_size[0] - 2 * self.margin
        for line in block.lines:
            for piece in wrap(line, width, block.font_size) or [""]:
                if self.y < self.margin + block.font_size * 2:
                    self.new_page()
                self.text(piece, block.font_size)

    # -- tables

    def table(self, spec: TableSpec) -> None:
        self.new_page(spec.landscape)
        self._title(spec)
        self._header(spec)
        for row in spec.rows:
            lines = max([len(wrap(c, w - 4, spec.font_size)) or 1 for c, w in zip(row, spec.widths)] + [1])
            height = max(spec.row_height, lines * (spec.font_size + 2) + 4)
            if self.y - height < self.margin + 30:
                self.new_page(spec.landscape)
                if spec.repeat_title:
                    self._title(spec)
                if spec.repeat_header:
                    self._header(spec)
                for repeated in spec.rows[: spec.repeat_rows]:
                    self._row(repeated, spec, spec.row_height)
            self._row(row, spec, height)
        self.y -= 6
        for note in spec.notes:
            self.text(note, 9)

    def _title(self, spec: TableSpec) -> None:
        if spec.title:
            self.text(spec.title, 16, centered=True)
        if spec.caption_left or spec.caption_right:
            self.canvas.setFont(FONT, 9)
            if spec.caption_left:
                self.canvas.drawString(self.margin, self.y - 9, spec.caption_left)
            if spec.caption_right:
                self.canvas.drawRightString(self.margin + sum(spec.widths), self.y - 9, spec.caption_right)
            self.y -= 18

    def _header(self, spec: TableSpec) -> None:
        top = self.y
        xs = [self.margin]
        for w in spec.widths:
            xs.append(xs[-1] + w)
        occupied: set[tuple[int, int]] = set()
        for r, cells in enumerate(spec.header):
            c = 0
            for cell in cells:
                while (r, c) in occupied:
                    c += 1
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        occupied.add((r + dr, c + dc))
                x0, x1 = xs[c], xs[c + cell.colspan]
                y0 = top - r * spec.row_height
                y1 = y0 - cell.rowspan * spec.row_height
                self.canvas.rect(x0, y1, x1 - x0, y0 - y1)
                self._cell_text(cell.text, x0, x1, y0, y1, spec.font_size, centered=True)
                c += cell.colspan
        self.y = top - len(spec.header) * spec.row_height

    def _row(self, row: list[str], spec: TableSpec, height: float) -> None:
        x = self.margin
        for text, w in zip(row, spec.widths):
            self.canvas.rect(x, self.y - height, w, height)
            self._cell_text(text, x, x + w, self.y, self.y - height, spec.font_size, centered=False, numeric=_numeric(text))
            x += w
        self.y -= height

    def _cell_text(self, text, x0, x1, y0, y1, size, centered, numeric=False):
        lines = wrap(text, x1 - x0 - 4, size)
        self.canvas.setFont(FONT, size)
        total = len(lines) * (size + 2)
        y = (y0 + y1) / 2 + total / 2 - size
        for line in lines:
            if centered:
                self.canvas.drawCentredString((x0 + x1) / 2, y, line)
            elif numeric:
                self.canvas.drawRightString(x1 - 2, y, line)
            else:
                self.canvas.drawString(x0 + 2, y, line)
            y -= size + 2

    def save(self) -> None:
        self.canvas.save()


def wrap(text: str, width: float, size: float) -> list[str]:
    """Break text into lines that fit `width` (character by character, as CJK typesetting does)."""
    lines, current = [], ""
    for part in text.split("\n"):
        for ch in part:
            if current and pdfmetrics.stringWidth(current + ch, FONT, size) > width:
                lines.append(current)
                current = ""
            current += ch
        lines.append(current)
        current = ""
    return [line for line in lines if line != ""] if text else []


def _numeric(text: str) -> bool:
    return bool(text) and all(ch.isdigit() or ch in ",.，．-" for ch in text)


def typeset(path: Path, items: list) -> Path:
    """Write a PDF from a list of TableSpec, Paragraphs, or "blank" (an empty separator page)."""
    ts = Typesetter(path)
    for item in items:
        if item == "blank":
            ts.blank_page()
        elif isinstance(item, TableSpec):
            ts.table(item)
        else:
            ts.new_page()
            ts.paragraphs(item)
    ts.save()
    return path
