"""Canonical tables: what normalization produces and every later stage reads."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from schemas import TableSchema


@dataclass
class Cell:
    value: Decimal | None
    raw: str
    page: int | None = None
    line: int | None = None
    problem: str | None = None  # why the printed text could not be read safely
    note: str | None = None  # what reading it involved (e.g. "last comma read as decimal point")
    repaired: bool = False
    repair: str | None = None  # how a repair stage filled or changed the value
    box: tuple[float, float, float, float] | None = None  # x0, top, x1, bottom on the page (PDFs)
    confidence: float | None = None  # OCR confidence (0–1) of the printed text; None when read from a text layer


@dataclass
class CanonicalRow:
    side: str  # "收入" / "支出" for two-sided statements, "" otherwise
    name: str
    code: str | None = None
    level: str | None = None
    values: dict[str, Cell] = field(default_factory=dict)
    page: int | None = None
    line: int | None = None
    line_no: str | None = None  # the printed 行次
    code_cells: list[str] = field(default_factory=list)
    code_how: str | None = None
    code_problem: str | None = None
    block: int | None = None  # t06: which of the side-by-side blocks the row was printed in

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.side, self.code or "", self.name)


@dataclass
class DroppedRow:
    reason: str
    text: str
    page: int | None = None
    line: int | None = None


@dataclass
class CanonicalTable:
    schema: TableSchema
    title: str
    rows: list[CanonicalRow] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)  # canonical measures first, then extra columns
    unit: str | None = None
    pages: list[int] = field(default_factory=list)
    dropped: list[DroppedRow] = field(default_factory=list)
    declared_empty: bool = False
    identified_by: str = "title"
    engine: str = "text"
    header_mapping: str = "header"  # "header" or "standard" (header unreadable, template order used)
    notes: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.schema.id

    def cells(self):
        for row in self.rows:
            for measure, cell in row.values.items():
                yield row, measure, cell

    def find(self, *, code: str | None = None, name: str | None = None, side: str = "") -> CanonicalRow | None:
        for row in self.rows:
            if row.side != side:
                continue
            if code is not None and row.code == code:
                return row
            if name is not None and row.name == name:
                return row
        return None
