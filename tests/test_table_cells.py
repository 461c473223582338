"""A table's cell texts read from a page's characters indexed once (extract/table_cells.py) are exactly
pdfplumber's `Table.extract()`: same characters in each cell, in the same order, so the same text."""
from __future__ import annotations

import random
from types import SimpleNamespace

import pdfplumber
import pytest
from pdfplumber.table import Table

from extract.table_cells import PageChars, table_grid

from conftest import FIXTURES


def char(text: str, x0: float, top: float, width: float = 6.0, height: float = 10.0) -> dict:
    return {"text": text, "x0": x0, "x1": x0 + width, "top": top, "bottom": top + height, "doctop": top,
            "upright": True, "size": height, "fontname": "F", "width": width, "height": height, "y0": 0, "y1": height}


def both_readings(chars: list[dict], cells: list[tuple]) -> tuple[list, list]:
    table = Table(SimpleNamespace(chars=chars), cells)
    return table_grid(table, PageChars(chars)), table.extract()


def test_a_character_whose_midpoint_is_on_the_left_or_top_edge_is_in_the_cell_on_the_right_or_bottom_edge_not():
    cells = [(0, 0, 30, 20), (30, 0, 60, 20), (0, 20, 30, 40), (30, 20, 60, 40)]
    # midpoints: a (30, 10) on the rule between the first row's cells; b (13, 20) on the rule between the rows;
    # c (60, 30) on the table's right edge; d (43, 40) on its bottom edge
    chars = [char("a", 27, 5), char("b", 10, 15), char("c", 57, 25), char("d", 40, 35)]
    ours, theirs = both_readings(chars, cells)
    assert ours == theirs == [["", "a"], ["b", ""]]


def test_a_merged_cell_keeps_the_characters_below_its_rows_first_line_and_leaves_positions_it_covers_empty():
    cells = [(0, 0, 30, 40), (30, 0, 60, 20), (30, 20, 60, 40)]  # the left cell spans both rows
    chars = [char("上", 5, 3), char("下", 5, 25), char("x", 35, 5), char("y", 35, 25)]
    ours, theirs = both_readings(chars, cells)
    assert ours == theirs
    assert ours[0][0] == "上\n下" and ours[1][0] is None


def test_characters_keep_their_page_order_within_a_cell():
    cells = [(0, 0, 100, 20)]
    chars = [char("2", 20, 5), char("1", 10, 5), char("3", 30, 5)]
    ours, theirs = both_readings(chars, cells)
    assert ours == theirs


@pytest.mark.parametrize("seed", range(40))
def test_random_grids_with_merged_cells_and_scattered_characters_read_the_same(seed):
    rng = random.Random(seed)
    xs = sorted(rng.sample(range(0, 400, 5), rng.randint(3, 9)))
    ys = sorted(rng.sample(range(0, 300, 5), rng.randint(3, 9)))
    cells = []
    for r in range(len(ys) - 1):
        c = 0
        while c < len(xs) - 1:
            span = min(rng.choice([1, 1, 1, 2, 3]), len(xs) - 1 - c)
            down = min(rng.choice([1, 1, 1, 2]), len(ys) - 1 - r)
            cells.append((xs[c], ys[r], xs[c + span], ys[r + down]))
            c += span
    chars = [char(rng.choice("0123456789.,-一二三"), rng.uniform(-10, 410) + rng.choice([0, 0.5]), rng.uniform(-10, 310),
                  rng.choice([3.0, 5.0, 6.0]), rng.choice([8.0, 10.0, 12.0])) for _ in range(rng.randint(0, 400))]
    chars += [char("e", x - 3, y - 5) for x in xs for y in ys]  # midpoints exactly on the rules
    ours, theirs = both_readings(chars, cells)
    assert ours == theirs


@pytest.mark.parametrize("pdf", sorted(FIXTURES.glob("pdf/*.pdf")), ids=lambda p: p.stem)
def test_every_table_of_the_fixtures_reads_as_pdfplumber_reads_it(pdf):
    compared = 0
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            page_chars = PageChars(page.chars)
            for table in page.find_tables():
                assert table_grid(table, page_chars) == table.extract(), f"page {page.page_number}"
                compared += 1
            page.close()
    assert compared > 0
