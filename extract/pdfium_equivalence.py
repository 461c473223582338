"""Does a pdfium-built page give what pdfplumber's own page gives, on everything extract/pdf.py reads?

pdf.py reads, per table page: each table's grid (`table.extract()`), its cell boxes (`table.rows`),
column boxes (`table.columns`) and bbox, and the text lines (`extract.lines.page_lines`) above and
below each table; on a page without tables, the page's text lines. Grids and lines must be equal,
boxes within `BOX_TOLERANCE` points. Text inside a table is read only through its cells.
"""
from __future__ import annotations

from extract.lines import page_lines

BOX_TOLERANCE = 0.5


def page_differences(reference, candidate) -> list[str]:
    """What differs between two pdfplumber pages of the same PDF page (empty when equivalent)."""
    expected, found = reference.find_tables(), candidate.find_tables()
    if len(expected) != len(found):
        return [f"{len(found)} tables instead of {len(expected)}"]
    if not expected:
        return _compare_lines("page text", page_lines(reference), page_lines(candidate))
    differences = []
    for number, (one, other) in enumerate(zip(expected, found), start=1):
        differences += [f"table {number}: {d}" for d in _table_differences(reference, one, candidate, other)]
    return differences


def _table_differences(reference, one, candidate, other) -> list[str]:
    differences = []
    if one.extract() != other.extract():
        differences.append("cell text differs")
    if not _boxes_close([one.bbox], [other.bbox]):
        differences.append(f"bbox {other.bbox} instead of {one.bbox}")
    if not _boxes_close([c for r in one.rows for c in r.cells], [c for r in other.rows for c in r.cells]):
        differences.append("cell boxes differ")
    if not _boxes_close([c.bbox for c in one.columns], [c.bbox for c in other.columns]):
        differences.append("column boxes differ")
    for name, region in (("above", _above), ("below", _below)):
        differences += _compare_lines(f"text {name}", region(reference, one.bbox), region(candidate, other.bbox))
    return differences


def _above(page, bbox) -> list[str]:
    return _region_lines(page, (0, 0, page.width, bbox[1]))


def _below(page, bbox) -> list[str]:
    return _region_lines(page, (0, bbox[3], page.width, page.height))


def _region_lines(page, bbox) -> list[str]:
    """Text lines of a region, cropped the way extract/pdf.py's `_text_lines` crops it."""
    x0, top, x1, bottom = bbox
    if bottom - top < 1:
        return []
    return page_lines(page.crop((max(0, x0), max(0, top), min(page.width, x1), min(page.height, bottom)), strict=False))


def _compare_lines(where: str, expected: list[str], found: list[str]) -> list[str]:
    if expected == found:
        return []
    first = next((i for i, (a, b) in enumerate(zip(expected, found)) if a != b), min(len(expected), len(found)))
    shown = lambda lines: repr(lines[first]) if first < len(lines) else "nothing"  # noqa: E731
    return [f"{where}: line {first + 1} is {shown(found)} instead of {shown(expected)}"]


def _boxes_close(expected: list, found: list) -> bool:
    if len(expected) != len(found):
        return False
    for a, b in zip(expected, found):
        if (a is None) != (b is None):
            return False
        if a is not None and any(abs(x - y) > BOX_TOLERANCE for x, y in zip(a, b)):
            return False
    return True
