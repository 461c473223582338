"""Typeset a text export (the markdown-with-tabs form of `samples/`) as a text-layer PDF: its nine tables as ruled
tables with their captions, then its 说明. Used by tests to check a document both ways, as a text export and as
the PDF a department would publish; see tools/typeset.py for the layout primitives.

    python -m tools.typeset_export SOURCE.md TARGET.pdf
"""
from __future__ import annotations

import sys
from pathlib import Path

import regex

from extract.text_export import extract_text_export
from tools.typeset import HeaderCell, Paragraphs, TableSpec, typeset

PORTRAIT_WIDTH = 515  # A4 less margins, in points
NAME_WIDTH, VALUE_WIDTH, CODE_WIDTH = 140, 56, 46


def header_cells(rows: list[list[str]]) -> list[list[HeaderCell]]:
    """Upper header rows: a label followed by empty cells spans them (as the text export means it); the last
    header row has one cell per column."""
    out = []
    for depth, cells in enumerate(rows):
        if depth == len(rows) - 1:
            out.append([HeaderCell(c) for c in cells])
            continue
        row: list[HeaderCell] = []
        for text in cells:
            if not text.strip() and row and row[-1].text.strip():
                row[-1].colspan += 1
            else:
                row.append(HeaderCell(text))
        out.append(row)
    return out


def column_widths(rows: list[list[str]], width: int) -> list[float]:
    def wide(i: int) -> bool:
        return any(i < len(r) and regex.search(r"\p{Han}{3,}", r[i]) for r in rows)

    def coded(i: int) -> bool:
        return all(i >= len(r) or not r[i].strip() or regex.fullmatch(r"\d{3,7}", r[i].strip()) for r in rows)

    return [NAME_WIDTH if wide(i) else CODE_WIDTH if coded(i) else VALUE_WIDTH for i in range(width)]


def table_spec(raw, department: str | None) -> TableSpec:
    width = max(len(r.cells) for r in raw.header_rows + raw.rows)
    pad = lambda cells: list(cells) + [""] * (width - len(cells))  # noqa: E731
    header = [pad(r.cells) for r in raw.header_rows]
    rows = [pad(r.cells) for r in raw.rows]
    widths = column_widths(header + rows, width)
    caption = "  ".join(filter(None, [f"公开{int(raw.marker):02d}表" if raw.marker else "", f"单位：{raw.unit}" if raw.unit else ""]))
    return TableSpec(raw.title, header_cells(header), rows, widths, f"部门：{department}" if department else "", caption,
                     notes=list(raw.notes), landscape=sum(widths) > PORTRAIT_WIDTH)


def typeset_text_export(source: Path, target: Path) -> Path:
    raw = extract_text_export(source)
    department = raw.department or next((t.department for t in raw.tables if t.department), None)
    items: list = [table_spec(t, department) for t in raw.tables]
    lines = [block.text for block in raw.narrative if block.text not in {t.title for t in raw.other_tables}]
    if lines:
        items.append(Paragraphs(lines))
    items += [table_spec(t, None) for t in raw.other_tables]  # 绩效自评表 and other forms, after the 说明
    return typeset(target, items)


if __name__ == "__main__":
    typeset_text_export(Path(sys.argv[1]), Path(sys.argv[2]))
