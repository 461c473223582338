"""The text of a pdfplumber table's cells, as `Table.extract()` gives it, without scanning the page per row.

`Table.extract()` tests every character of the page against every row's box: rows × characters
midpoint tests, most of a dense table page's reading time. Here the page's characters are sorted
once by their vertical midpoint, each row takes its candidates by bisection, and each cell its own from
the row's sorted by horizontal midpoint. The tests, their arithmetic and the characters' order are
pdfplumber's own, so the text is the same
(tests/test_table_cells.py compares the two on every table of the fixtures).
"""
from __future__ import annotations

from bisect import bisect_left

from pdfplumber.utils import extract_text


class PageChars:
    """A page's characters, indexed by the vertical midpoint pdfplumber tests against a row's box."""

    def __init__(self, chars: list[dict]):
        self.chars = chars
        self._v_mids = [_v_mid(char) for char in chars]
        self._h_mids = [_h_mid(char) for char in chars]
        self._by_height = sorted(range(len(chars)), key=self._v_mids.__getitem__)
        self._sorted_v_mids = [self._v_mids[i] for i in self._by_height]

    def row_cells(self, row_box, cells: list) -> list[list[dict] | None]:
        """For each cell box of a row (None: a position a merged cell covers), the characters whose midpoint
        lies in it (left and top edges in, right and bottom out), in page order. pdfplumber takes a cell's
        characters from its row's, so a character must lie in both boxes."""
        x0, top, x1, bottom = row_box
        band = self._by_height[bisect_left(self._sorted_v_mids, top):bisect_left(self._sorted_v_mids, bottom)]
        in_row = sorted((self._h_mids[i], i) for i in band if x0 <= self._h_mids[i] < x1)
        h_mids = [h for h, _ in in_row]
        return [None if cell is None else self._in_cell(cell, in_row, h_mids) for cell in cells]

    def _in_cell(self, cell, in_row: list[tuple[float, int]], h_mids: list[float]) -> list[dict]:
        x0, top, x1, bottom = cell
        across = in_row[bisect_left(h_mids, x0):bisect_left(h_mids, x1)]
        return [self.chars[i] for i in sorted(i for _, i in across if top <= self._v_mids[i] < bottom)]


def table_grid(table, page_chars: PageChars, rows=None) -> list[list[str | None]]:
    """`table.extract()`: each row's cell texts, None where a merged cell covers the position.
    `rows`: `table.rows` when the caller has them already (pdfplumber recomputes them on every access)."""
    grid = []
    for row in rows if rows is not None else table.rows:
        grid.append([None if chars is None else _cell_text(chars) for chars in page_chars.row_cells(row.bbox, row.cells)])
    return grid


def _cell_text(chars: list[dict]) -> str:
    return extract_text(chars) if chars else ""


def _v_mid(char: dict) -> float:
    return (char["top"] + char["bottom"]) / 2


def _h_mid(char: dict) -> float:
    return (char["x0"] + char["x1"]) / 2
