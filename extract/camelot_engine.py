"""camelot (lattice, vector engine) as a second table engine behind the same PageTable interface."""
from __future__ import annotations

from pathlib import Path

from extract.lines import page_lines
from extract.model import PageTable


def camelot_tables(path: Path, page, number: int):
    """Tables camelot finds on one page, with caption/below text read by pdfplumber from the same page."""
    import camelot  # imported lazily: it pulls in OpenCV

    found = []
    try:
        tables = camelot.read_pdf(str(path), pages=str(number), flavor="lattice", split_text=True, engine="vector")
    except Exception:  # camelot raises bare Exceptions on pages it cannot parse: no tables from this engine
        return found
    for table in tables:
        grid = [[str(c) if c is not None else "" for c in row] for row in table.df.values.tolist()]
        if not grid or max(len(r) for r in grid) < 2:
            continue
        x1, y1, x2, y2 = table._bbox
        top, bottom = page.height - y2, page.height - y1
        found.append(
            PageTable(
                page=number,
                grid=grid,
                boxes=[[(c.x1, page.height - c.y2, c.x2, page.height - c.y1) for c in row] for row in table.cells],
                header_filled=_fill_spans(table.cells, grid),
                caption=_lines(page, 0, top),
                below=_lines(page, bottom, page.height),
                engine="camelot",
            )
        )
    return found


def _lines(page, top: float, bottom: float) -> list[str]:
    if bottom - top < 1:
        return []
    return page_lines(page.crop((0, max(0, top), page.width, min(page.height, bottom)), strict=False))


def _fill_spans(cells, grid: list[list[str]]) -> list[list[str]]:
    """A position with no left (or top) rule belongs to the merged cell on its left (or above)."""
    filled = [list(row) for row in grid]
    for r, row in enumerate(cells):
        for c, cell in enumerate(row):
            if filled[r][c]:
                continue
            if c > 0 and not cell.left:
                filled[r][c] = filled[r][c - 1]
            elif r > 0 and not cell.top:
                filled[r][c] = filled[r - 1][c]
    return filled
