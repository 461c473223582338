"""pdfplumber's table finding and cell reading done in less time (extract/table_cells.py) give exactly what
pdfplumber gives: the same cells from the same ruling lines (`page.find_tables()`), and in each cell the same
characters in the same order, so the same text (`Table.extract()`)."""
from __future__ import annotations

import random
from types import SimpleNamespace

import pdfplumber
import pytest
from pdfplumber.table import Table, edges_to_intersections
from pdfplumber.table import intersections_to_cells as plumbers_cells

from extract.table_cells import PageChars, find_tables, intersections_to_cells, table_grid

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


def test_a_character_without_a_position_is_in_no_cell_and_hides_none_of_the_others():
    cells = [(0, 0, 30, 20), (30, 0, 60, 20)]
    chars = [char("a", 5, 5), char("?", float("nan"), float("nan")), char("b", 35, 5), char("?", 40, float("nan"))]
    ours, theirs = both_readings(chars, cells)
    assert ours == theirs == [["a", "b"]]


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


def one_cell_reading(chars: list[dict]) -> tuple[str, str]:
    (ours,), (theirs,) = both_readings(chars, [(-100, -100, 1000, 1000)])
    return ours[0], theirs[0]


@pytest.mark.parametrize("seed", range(60))
def test_a_cells_lines_and_words_are_assembled_as_pdfplumber_assembles_them(seed):
    """Lines whose tops drift around the 3-point tolerance (chained or not), gaps around 3 points, characters
    overlapping or out of order, spaces, ligatures and, in some cells, a rotated character."""
    rng = random.Random(seed)
    chars = []
    for line in range(rng.randint(1, 5)):
        top, x = line * rng.choice([2.5, 3.0, 3.5, 6.0, 12.0]), rng.uniform(0, 20)
        for _ in range(rng.randint(1, 12)):
            text = rng.choice(["1", "2", "一", "万", " ", "\u3000", "ﬁ", "a"])
            width = rng.choice([3.0, 5.0, 10.0])
            chars.append(char(text, x, top + rng.choice([0, 0, 0.5, 1.0, 2.9, 3.0, 3.1, -3.1]), width))
            x += width + rng.choice([0, 0, 0, 1.0, 2.9, 3.0, 3.1, 8.0, -2.0, -width - 1])
    rng.shuffle(chars) if rng.random() < 0.3 else None
    if rng.random() < 0.2:
        chars[rng.randrange(len(chars))]["upright"] = False
    ours, theirs = one_cell_reading(chars)
    assert ours == theirs


@pytest.mark.parametrize("texts, expected", [
    (["1", "2", " ", "3"], "12 3"),  # a space ends a word
    (["ﬁ", "n"], "fin"),  # a ligature is spelt out
    (["a", ""], "a"),  # an empty character: pdfplumber's own handling
])
def test_spaces_ligatures_and_empty_characters_read_as_pdfplumber_reads_them(texts, expected):
    chars = [char(text, 10 + 6 * i, 0) for i, text in enumerate(texts)]
    ours, theirs = one_cell_reading(chars)
    assert ours == theirs
    assert ours.strip() == expected


def edge(orientation: str, x0: float, top: float, length: float) -> dict:
    x1, bottom = (x0, top + length) if orientation == "v" else (x0 + length, top)
    return {"orientation": orientation, "x0": x0, "x1": x1, "top": top, "bottom": bottom}


def random_rulings(seed: int) -> dict:
    """The intersections of a random ruled grid: rules broken at every crossing, some pieces missing (merged
    cells), some overshooting, a few off by half a point."""
    rng = random.Random(seed)
    xs = sorted(rng.sample(range(0, 400, 7), rng.randint(2, 10)))
    ys = sorted(rng.sample(range(0, 300, 7), rng.randint(2, 10)))
    edges = []
    for x in xs:
        for top, bottom in zip(ys, ys[1:]):
            if rng.random() < 0.85:
                overshoot = rng.choice([0, 0, 2])
                edges.append(edge("v", x + (0.5 if rng.random() < 0.03 else 0), top - overshoot, bottom - top + overshoot))
    for y in ys:
        for left, right in zip(xs, xs[1:]):
            if rng.random() < 0.85:
                edges.append(edge("h", left, y + (0.5 if rng.random() < 0.03 else 0), right - left + rng.choice([0, 0, 3])))
    return edges_to_intersections(edges, 1, 1)


@pytest.mark.parametrize("seed", range(40))
def test_random_rulings_give_the_cells_pdfplumber_finds(seed):
    intersections = random_rulings(seed)
    assert intersections_to_cells(intersections) == plumbers_cells(intersections)


def test_the_random_rulings_hold_cells_to_find():
    found = [len(plumbers_cells(random_rulings(seed))) for seed in range(40)]
    assert sum(found) > 300 and sum(1 for n in found if n == 0) < 5


@pytest.mark.parametrize("pdf", sorted(FIXTURES.glob("pdf/*.pdf")), ids=lambda p: p.stem)
def test_every_table_of_the_fixtures_is_found_and_read_as_pdfplumber_does(pdf):
    compared = 0
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            page_chars = PageChars(page.chars)
            theirs = page.find_tables()
            ours = find_tables(page)
            assert [t.cells for t in ours] == [t.cells for t in theirs], f"page {page.page_number}"
            for table in theirs:
                assert table_grid(table, page_chars) == table.extract(), f"page {page.page_number}"
                compared += 1
            page.close()
    assert compared > 0
