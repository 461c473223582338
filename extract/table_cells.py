"""pdfplumber's ruled tables, found and read as `page.find_tables()` and `Table.extract()` do, in less time.

Finding: `intersections_to_cells` rebuilds the sets of edges through two intersections for every pair
it tests; here each intersection's sets are built once, and the points below and to the right of a
point come from its column and row instead of a scan of every later point. Same search, same order.

Reading: `Table.extract()` tests every character of the page against every row's box: rows × characters
midpoint tests, most of a dense table page's reading time. Here the page's characters are sorted
once by their vertical midpoint, each row takes its candidates by bisection, and each cell its own from
the row's sorted by horizontal midpoint. The tests, their arithmetic and the characters' order are
pdfplumber's own, so the text is the same
(tests/test_table_cells.py compares the two on every table of the fixtures).

A cell's text is assembled as pdfplumber's `extract_text` does with its default settings (lines of characters
within 3 points of the same top, words split at whitespace and at gaps over 3 points, lines of words
regrouped by top), without building a word object for every word; a cell holding rotated characters is
left to pdfplumber itself.
"""
from __future__ import annotations

from bisect import bisect_left
from operator import itemgetter

from pdfplumber.table import Table, TableFinder, TableSettings, cells_to_tables, edges_to_intersections
from pdfplumber.utils import extract_text, obj_to_bbox
from pdfplumber.utils.clustering import cluster_objects
from pdfplumber.utils.text import DEFAULT_X_TOLERANCE, DEFAULT_Y_TOLERANCE, LIGATURES, WordExtractor


def find_tables(page, settings: dict | None = None) -> list[Table]:
    """`page.find_tables(settings)`."""
    return _Finder(page, settings).tables


class _Finder(TableFinder):
    def __init__(self, page, settings: dict | None = None):
        self.page = page
        self.settings = TableSettings.resolve(settings)
        self.edges = self.get_edges()
        self.intersections = edges_to_intersections(self.edges, self.settings.intersection_x_tolerance,
                                                    self.settings.intersection_y_tolerance)
        self.cells = intersections_to_cells(self.intersections)
        self.tables = [Table(self.page, group) for group in cells_to_tables(self.cells)]


def intersections_to_cells(intersections: dict) -> list[tuple]:
    """pdfplumber's `intersections_to_cells`: for each intersection in sorted order, the smallest cell whose
    top-left corner it is, its four corners joined by edges."""
    v_edges = {point: {obj_to_bbox(e) for e in edges["v"]} for point, edges in intersections.items()}
    h_edges = {point: {obj_to_bbox(e) for e in edges["h"]} for point, edges in intersections.items()}

    def connects(p1, p2) -> bool:
        return ((p1[0] == p2[0] and not v_edges[p1].isdisjoint(v_edges[p2]))
                or (p1[1] == p2[1] and not h_edges[p1].isdisjoint(h_edges[p2])))

    points = sorted(intersections)
    column: dict = {}  # x -> the points on it, top to bottom
    row: dict = {}  # y -> the points on it, left to right
    after: dict = {}  # point -> how many points precede it on its column and on its row, itself included
    for point in points:
        column.setdefault(point[0], []).append(point)
        row.setdefault(point[1], []).append(point)
        after[point] = (len(column[point[0]]), len(row[point[1]]))
    cells = []
    for pt in points:
        in_column, in_row = after[pt]
        cell = _smallest_cell(pt, column[pt[0]][in_column:], row[pt[1]][in_row:], intersections, connects)
        if cell is not None:
            cells.append(cell)
    return cells


def _smallest_cell(pt, below, right, intersections, connects):
    for below_pt in below:
        if not connects(pt, below_pt):
            continue
        for right_pt in right:
            if not connects(pt, right_pt):
                continue
            corner = (right_pt[0], below_pt[1])
            if corner in intersections and connects(corner, right_pt) and connects(corner, below_pt):
                return (pt[0], pt[1], corner[0], corner[1])
    return None


class PageChars:
    """A page's characters, indexed by the vertical midpoint pdfplumber tests against a row's box."""

    def __init__(self, chars: list[dict]):
        self.chars = chars
        self._v_mids = [_v_mid(char) for char in chars]
        self._h_mids = [_h_mid(char) for char in chars]
        placed = (i for i, v_mid in enumerate(self._v_mids) if v_mid == v_mid)  # a NaN midpoint is in no box
        self._by_height = sorted(placed, key=self._v_mids.__getitem__)
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
    if not chars:
        return ""
    if not all(char["upright"] is True and char["text"] for char in chars):
        return extract_text(chars)  # rotated characters; an empty character pdfplumber makes a word of its own
    tops = [char["top"] for char in chars]
    if max(tops) - min(tops) <= DEFAULT_Y_TOLERANCE:
        # one line (most cells): clustering by top keeps the characters, and then the words, as they are
        return " ".join(text for _, text in _words(sorted(chars, key=_X0)))
    words = [word for line in cluster_objects(chars, _TOP, DEFAULT_Y_TOLERANCE) for word in _words(sorted(line, key=_X0))]
    lines = cluster_objects(words, _FIRST, DEFAULT_Y_TOLERANCE)
    return "\n".join(" ".join(text for _, text in line) for line in lines)


_TOP, _X0, _FIRST = itemgetter("top"), itemgetter("x0"), itemgetter(0)
_WORDS = WordExtractor()  # pdfplumber's defaults: its test of where a word begins


def _words(line: list[dict]) -> list[tuple[float, str]]:
    """pdfplumber's words of one line of upright characters sorted left to right, as (top, text): a word ends
    at whitespace, and before a character left of the previous one's start, more than x_tolerance past its
    end, or more than y_tolerance above or below it."""
    words, word = [], []
    for char in line:
        if char["text"].isspace():
            _close_word(word, words)
            continue
        if word and _WORDS.char_begins_new_word(word[-1], char, "ltr", DEFAULT_X_TOLERANCE, DEFAULT_Y_TOLERANCE):
            _close_word(word, words)
        word.append(char)
    _close_word(word, words)
    return words


def _close_word(word: list[dict], words: list[tuple[float, str]]) -> None:
    if word:
        words.append((min(char["top"] for char in word), "".join(LIGATURES.get(c["text"], c["text"]) for c in word)))
        word.clear()


def _v_mid(char: dict) -> float:
    return (char["top"] + char["bottom"]) / 2


def _h_mid(char: dict) -> float:
    return (char["x0"] + char["x1"]) / 2
