"""Ruled tables in a straightened page image: the ruling-line grid, its merged cells, and where each
cell's text lines lie.

The grid follows pdfplumber's conventions so that OCR'd tables look like text-layer ones to `assemble()`:
rows and columns are cut at every distinct rule position of the table; a merged cell is anchored at its
top-left grid position and the positions it covers read None.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from extract.ocr_image import em_pixels

RULE_MIN_EM = {"horizontal": 1.5, "vertical": 1.2}  # shortest rule segment kept; longer than any glyph stroke
EDGE_PRESENT = 0.6  # share of a cell edge a rule must cover to separate two cells
SPECK_AREA_EM2 = 0.012  # isolated ink smaller than this (in em²) is a scanner speck, not print
SPECK_REACH_EM = 0.25  # ink this close to other ink is not isolated
SMALLEST_MARK_EM2 = 0.02  # ink area of the smallest mark printed on its own (a dash, a digit 1), in em²


@dataclass
class Segment:
    position: float  # y of a horizontal rule, x of a vertical one
    start: float
    end: float
    thickness: float


@dataclass
class Cell:
    row: int
    column: int
    rows: int = 1  # rows spanned
    columns: int = 1  # columns spanned


@dataclass
class Grid:
    ys: list[float]  # row boundaries, top to bottom
    xs: list[float]  # column boundaries, left to right
    cells: list[Cell]
    rule_width: float = 2.0
    covered: set[tuple[int, int]] = field(default_factory=set)  # positions inside a merged cell, not its anchor
    horizontals: list[Segment] = field(default_factory=list)  # the rules the grid was built from
    verticals: list[Segment] = field(default_factory=list)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])

    def cell_box(self, cell: Cell) -> tuple[float, float, float, float]:
        return (self.xs[cell.column], self.ys[cell.row], self.xs[cell.column + cell.columns], self.ys[cell.row + cell.rows])


# ---------------------------------------------------------------- rules


def rule_masks(ink: np.ndarray, dpi: int) -> tuple[np.ndarray, np.ndarray]:
    em = em_pixels(dpi)
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, int(RULE_MIN_EM["horizontal"] * em)), np.uint8))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((int(RULE_MIN_EM["vertical"] * em), 1), np.uint8))
    return horizontal, vertical


def segments(mask: np.ndarray, horizontal: bool, gap: int) -> list[Segment]:
    """Rule segments of a mask, bridging breaks shorter than `gap` (JPEG and specks nick thin lines)."""
    kernel = np.ones((1, gap), np.uint8) if horizontal else np.ones((gap, 1), np.uint8)
    bridged = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(bridged, connectivity=8)
    found = []
    for i in range(1, count):
        x, y, w, h, _ = stats[i]
        if horizontal:
            found.append(Segment(y + h / 2, float(x), float(x + w), float(h)))
        else:
            found.append(Segment(x + w / 2, float(y), float(y + h), float(w)))
    return found


def _touches(h: Segment, v: Segment, tolerance: float) -> bool:
    return h.start - tolerance <= v.position <= h.end + tolerance and v.start - tolerance <= h.position <= v.end + tolerance


def _table_rules(horizontals: list[Segment], verticals: list[Segment], tolerance: float):
    """Keep rules that meet at least two rules of the other direction: a table's lines do, a glyph stroke or an
    underline does not."""
    for _ in range(3):
        verticals = [v for v in verticals if sum(_touches(h, v, tolerance) for h in horizontals) >= 2]
        horizontals = [h for h in horizontals if sum(_touches(h, v, tolerance) for v in verticals) >= 2]
    return horizontals, verticals


def _connected_groups(horizontals: list[Segment], verticals: list[Segment], tolerance: float):
    """Rules that touch, directly or through others, form one table."""
    parent = list(range(len(horizontals) + len(verticals)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(horizontals):
        for j, v in enumerate(verticals):
            if _touches(h, v, tolerance):
                parent[find(i)] = find(len(horizontals) + j)
    groups: dict[int, tuple[list[Segment], list[Segment]]] = {}
    for i, h in enumerate(horizontals):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(verticals):
        groups.setdefault(find(len(horizontals) + j), ([], []))[1].append(v)
    return [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 2]


def _cluster(values: list[float], tolerance: float) -> list[float]:
    """Positions within `tolerance` of each other are one rule (pdfplumber snaps edges the same way)."""
    clusters: list[list[float]] = []
    for value in sorted(values):
        if clusters and value - clusters[-1][-1] <= tolerance:
            clusters[-1].append(value)
        else:
            clusters.append([value])
    return [float(np.mean(c)) for c in clusters]


def _coverage(rules: list[Segment], position: float, start: float, end: float, tolerance: float) -> float:
    length = end - start
    if length <= 0:
        return 1.0
    spans = sorted((max(r.start, start), min(r.end, end)) for r in rules if abs(r.position - position) <= tolerance)
    covered, reach = 0.0, start
    for a, b in spans:
        a = max(a, reach)
        if b > a:
            covered += b - a
            reach = b
    return covered / length


def find_grids(horizontal_mask: np.ndarray, vertical_mask: np.ndarray, dpi: int) -> list[Grid]:
    """The ruled tables of a page, from the masks `rule_masks` made of its ink."""
    em = em_pixels(dpi)
    tolerance = 0.3 * em
    gap = max(2, int(0.25 * em))
    horizontals, verticals = _table_rules(segments(horizontal_mask, True, gap), segments(vertical_mask, False, gap), tolerance)
    grids = []
    for hs, vs in _connected_groups(horizontals, verticals, tolerance):
        grid = _grid(hs, vs, tolerance)
        if grid is not None:
            grids.append(grid)
    return sorted(grids, key=lambda g: (g.ys[0], g.xs[0]))


def _grid(horizontals: list[Segment], verticals: list[Segment], tolerance: float) -> Grid | None:
    ys = _cluster([h.position for h in horizontals], tolerance)
    xs = _cluster([v.position for v in verticals], tolerance)
    if len(ys) < 2 or len(xs) < 2:
        return None
    rows, columns = len(ys) - 1, len(xs) - 1
    inset = tolerance  # judge an edge away from the crossings, where the other direction's rule is

    def separated_right(r: int, c: int) -> bool:  # a rule between (r, c) and (r, c + 1)
        return _coverage(verticals, xs[c + 1], ys[r] + inset, ys[r + 1] - inset, tolerance) >= EDGE_PRESENT

    def separated_below(r: int, c: int) -> bool:  # a rule between (r, c) and (r + 1, c)
        return _coverage(horizontals, ys[r + 1], xs[c] + inset, xs[c + 1] - inset, tolerance) >= EDGE_PRESENT

    cells, covered, taken = [], set(), set()
    for r in range(rows):
        for c in range(columns):
            if (r, c) in taken:
                continue
            width = 1
            while c + width < columns and not separated_right(r, c + width - 1):
                width += 1
            height = 1
            while r + height < rows and not any(separated_below(r + height - 1, c + k) for k in range(width)):
                height += 1
            span = {(r + i, c + k) for i in range(height) for k in range(width)}
            span -= taken
            taken |= span
            covered |= span - {(r, c)}
            cells.append(Cell(r, c, height, width))
    thickness = float(np.median([h.thickness for h in horizontals] + [v.thickness for v in verticals]))
    return Grid(ys, xs, cells, thickness, covered, horizontals, verticals)


def rule_pixels(grid: Grid, horizontal_mask: np.ndarray, vertical_mask: np.ndarray) -> np.ndarray:
    """The mask pixels that belong to the grid's own rules (not glyph strokes that happen to line up, as in 二十一)."""
    out = np.zeros_like(horizontal_mask)
    for segments_, mask, horizontal in ((grid.horizontals, horizontal_mask, True), (grid.verticals, vertical_mask, False)):
        for s in segments_:
            half = s.thickness / 2 + 2
            a, b = int(s.position - half), int(s.position + half + 1)
            if horizontal:
                window = (slice(max(0, a), b), slice(int(s.start), int(s.end) + 1))
            else:
                window = (slice(int(s.start), int(s.end) + 1), slice(max(0, a), b))
            out[window] |= mask[window]
    return out


# ---------------------------------------------------------------- text inside a region


def print_components(ink: np.ndarray, dpi: int) -> np.ndarray:
    """The ink without scanner specks. A speck is a little ink with no other ink near it: fragments of a
    faint stroke, or a decimal point beside its digits, have neighbours and stay."""
    em = em_pixels(dpi)
    k = max(3, int(round(SPECK_REACH_EM * em)))
    count, labels = cv2.connectedComponents(cv2.dilate(ink, np.ones((k, k), np.uint8)), connectivity=8)
    ink_per_group = np.bincount(labels[ink > 0], minlength=count)
    keep = ink_per_group >= max(2, SPECK_AREA_EM2 * em * em)
    keep[0] = False
    return np.where(keep[labels] & (ink > 0), 255, 0).astype(np.uint8)


def text_lines_in(print_ink: np.ndarray, box: tuple[int, int, int, int], em: float) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of the text lines inside a region, top to bottom.

    Rows holding ink form runs; runs join while together they stay within one line's height, so the
    separate strokes of 三 or 二 stay one line while two stacked lines of a wrapped label do not.
    """
    x0, y0, x1, y1 = box
    region = print_ink[y0:y1, x0:x1]
    if region.size == 0 or not region.any():
        return []
    rows = np.flatnonzero(region.any(axis=1))
    runs: list[list[int]] = []
    for y in rows:
        if runs and y == runs[-1][1] + 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    limit = _line_height_limit(runs, em)
    lines: list[list[int]] = []
    for top, bottom in runs:
        if lines and bottom - lines[-1][0] + 1 <= limit:
            lines[-1][1] = bottom
        else:
            lines.append([top, bottom])
    boxes = []
    for top, bottom in lines:
        box = _print_extent(region[top : bottom + 1], em)
        if box is not None:
            boxes.append((x0 + box[0], y0 + top + box[1], x0 + box[2], y0 + top + box[3]))
    return boxes


def _print_extent(band: np.ndarray, em: float) -> tuple[int, int, int, int] | None:
    """The box of a line's print: from its first to its last mark big enough to be printed on its own.
    Smaller marks at either end (specks that sat close to the text) fall outside the box and out of the
    crop, so the recogniser cannot read them as a point; a decimal point, between its digits, stays in.
    None when the band holds only such small marks."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(band, connectivity=8)
    marks = [s for s in stats[1:count] if s[cv2.CC_STAT_AREA] >= SMALLEST_MARK_EM2 * em * em]
    if not marks:
        return None
    x0 = min(s[cv2.CC_STAT_LEFT] for s in marks)
    x1 = max(s[cv2.CC_STAT_LEFT] + s[cv2.CC_STAT_WIDTH] for s in marks)
    y0 = min(s[cv2.CC_STAT_TOP] for s in marks)
    y1 = max(s[cv2.CC_STAT_TOP] + s[cv2.CC_STAT_HEIGHT] for s in marks)
    return int(x0), int(y0), int(x1), int(y1)


def _line_height_limit(runs: list[list[int]], em: float) -> float:
    """How tall one line may be: the tallest run when it is a plausible single line, else the body em."""
    tallest = max(b - t + 1 for t, b in runs)
    line = tallest if 0.6 * em <= tallest <= 1.6 * em else em
    return 1.3 * line
