"""OCR of scanned pages: which pages need it, orientation and skew, tables read cell by cell against the
text layer of the same pages, nothing wrong left unflagged, positions in PDF points, and the page cache.

The scans in fixtures/scans/ were made by tools/make_scans.py from real 决算 pages (their answer keys,
*.cells.csv and *.lines.csv, are those pages' text layers); *.json says how each page was turned and tilted.
"""
from __future__ import annotations

import io
import json
import math
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest

from conftest import FIXTURES, read_csv
from extract.ocr import CELL_READABLE, find_rotation, ocr_page, page_needs_ocr
from extract.ocr_engine import Reading, decode
from extract.ocr_image import measure_skew, ink_mask, render_grey, turn
from extract.ocr_triage import _rendered_region, is_garbage
from extract.pdf import assemble
from normalize.labels import squeeze
from tools.make_scans import source_to_scan

SCANS = FIXTURES / "scans"
SCANNED = ["xinfangju_scan", "caizhengju_scan"]
TEXT_LAYER = FIXTURES / "pdf" / "guojia_xinfangju_2024.pdf"


def scan_record(name: str) -> dict:
    return json.loads((SCANS / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def ocr_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ocr-cache")


@pytest.fixture(scope="session")
def scanned(ocr_cache) -> dict[tuple[str, int], object]:
    """Every fixture page OCR'd once for the session (the cache folder is exercised on the way)."""
    results = {}
    for name in SCANNED:
        with pdfium.PdfDocument(str(SCANS / f"{name}.pdf")) as document:
            for number in range(1, len(document) + 1):
                page = document[number - 1]
                results[(name, number)] = ocr_page(page, number, dpi=150, cache_dir=ocr_cache)
                page.close()
    return results


def key_cells(name: str) -> dict[tuple[int, int, int, int], dict]:
    return {(int(r["page"]), int(r["table"]), int(r["row"]), int(r["column"])): r for r in read_csv(SCANS / f"{name}.cells.csv")}


def ocr_cell(result, table: int, row: int, column: int):
    t = result.tables[table]
    return t.grid[row][column], t.confidences[row][column], t.boxes[row][column]


# ---------------------------------------------------------------- which pages need OCR


def test_scanned_pages_need_ocr_as_image_only_pages():
    for name in SCANNED:
        with pdfium.PdfDocument(str(SCANS / f"{name}.pdf")) as document:
            assert all(page_needs_ocr(document[i]) == "image-only" for i in range(len(document)))


def test_text_layer_pages_do_not_need_ocr():
    with pdfium.PdfDocument(str(TEXT_LAYER)) as document:
        for number in (1, 12, 15, 17):  # cover, two table pages, a 说明 page
            assert page_needs_ocr(document[number - 1]) is None


def test_a_table_pasted_as_a_picture_on_a_text_page_needs_ocr():
    with pdfium.PdfDocument(str(SCANS / "xinfangju_scan.pdf")) as scans:
        table_picture = render_grey(scans[0], 100)
    import cv2

    ok, jpeg = cv2.imencode(".jpg", table_picture, [cv2.IMWRITE_JPEG_QUALITY, 80])
    document = pdfium.PdfDocument(str(TEXT_LAYER))
    page = document[16]  # a 说明 page with a text layer
    picture = pdfium.PdfImage.new(document)
    picture.load_jpeg(io.BytesIO(jpeg.tobytes()), inline=True)
    picture.set_matrix(pdfium.PdfMatrix().scale(480, 340).translate(50, 120))
    page.insert_obj(picture)
    page.gen_content()
    assert page_needs_ocr(page) == "table image"


@pytest.mark.parametrize("box", [(107, 475, 488, 692), (0, 0, 595, 842), (-30, 700, 200, 900), (300.3, 10.7, 301.1, 11.9)])
def test_the_part_of_a_page_rendered_alone_is_that_part_of_the_whole_page_rendered(box):
    with pdfium.PdfDocument(str(TEXT_LAYER)) as document:
        page = document[18]  # a 说明 page with a chart pasted in as a picture
        scale = 100 / 72
        whole = page.render(scale=scale, grayscale=True)
        grey = np.ascontiguousarray(whole.to_numpy()).reshape(whole.height, whole.width).astype(int)
        left, bottom, right, top = box
        height = page.get_size()[1]
        expected = grey[int(max(0, (height - top) * scale)):int((height - bottom) * scale), int(max(0, left * scale)):int(right * scale)]
        alone = _rendered_region(page, box, scale).astype(int)
    assert alone.shape == expected.shape
    assert alone.size == 0 or np.abs(alone - expected).max() <= 1  # anti-aliasing may round the other way


@pytest.mark.parametrize("box", [(-37, 270, -13, 382), (100, 900, 200, 1000), (10, 10, 10, 20)])
def test_a_box_off_the_page_or_without_area_has_no_pixels(box):
    with pdfium.PdfDocument(str(TEXT_LAYER)) as document:
        assert _rendered_region(document[18], box, 100 / 72).size == 0


def test_a_text_layer_of_private_use_glyphs_or_foreign_junk_is_garbage():
    assert is_garbage(list("\ue001\ue002\ue003" * 10))
    assert is_garbage(list("ÎÒµÄÏÖ½ðÁ÷Á¿±í" * 3))
    assert not is_garbage(list("一般公共预算财政拨款收入307.82万元，比上年增加12.5%"))
    assert not is_garbage(list("\ue001短"))  # too little text to judge


# ---------------------------------------------------------------- geometry


@pytest.mark.parametrize("name", SCANNED)
def test_pages_are_turned_upright(scanned, name):
    for number, page in enumerate(scan_record(name)["pages"], 1):
        assert scanned[(name, number)].rotation == (360 - page["turn"]) % 360


@pytest.mark.parametrize("name", SCANNED)
def test_skew_is_measured_and_corrected(scanned, name):
    for number, page in enumerate(scan_record(name)["pages"], 1):
        assert scanned[(name, number)].skew == pytest.approx(-page["angle"], abs=0.1)


def test_orientation_is_found_for_every_quarter_turn():
    with pdfium.PdfDocument(str(TEXT_LAYER)) as document:
        upright = render_grey(document[10], 150)  # a landscape table page
    for degrees in (0, 90, 180, 270):
        turned = turn(upright, degrees)
        assert (degrees + find_rotation(turned, 150)) % 360 == 0


def test_skew_measure_finds_a_known_tilt():
    import cv2

    with pdfium.PdfDocument(str(TEXT_LAYER)) as document:
        grey = render_grey(document[16], 150)
    h, w = grey.shape
    tilted = cv2.warpAffine(grey, cv2.getRotationMatrix2D((w / 2, h / 2), 2.3, 1.0), (w, h), borderValue=255)
    assert measure_skew(ink_mask(tilted)) == pytest.approx(-2.3, abs=0.05)


@pytest.mark.parametrize("name", SCANNED)
def test_cell_boxes_are_pdf_points_of_the_scanned_page(scanned, name):
    """A cell's box, mapped from the source page through the scan's turn and tilt, is where OCR says it is."""
    pages = scan_record(name)["pages"]
    for (number, table, row, column), cell in key_cells(name).items():
        _, _, box = ocr_cell(scanned[(name, number)], table, row, column)
        centre = ((float(cell["x0"]) + float(cell["x1"])) / 2, (float(cell["top"]) + float(cell["bottom"])) / 2)
        expected = source_to_scan(centre, pages[number - 1])
        found = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        assert math.dist(expected, found) < 2.5, (number, row, column, cell["text"])


# ---------------------------------------------------------------- cells


@pytest.mark.parametrize("name", SCANNED)
def test_tables_have_the_text_layers_rows_and_columns(scanned, name):
    shapes: dict[tuple[int, int], tuple[int, int]] = {}
    for (number, table, row, column) in key_cells(name):
        r, c = shapes.get((number, table), (0, 0))
        shapes[(number, table)] = (max(r, row + 1), max(c, column + 1))
    for (number, table), shape in shapes.items():
        grid = scanned[(name, number)].tables[table].grid
        assert (len(grid), max(len(r) for r in grid)) == shape


def test_printed_cells_are_read_exactly_and_none_is_silently_wrong(scanned):
    """≥ 99.5% of the printed cells exact (after NFKC and whitespace removal, as normalisation compares);
    every cell that is not exact is flagged below CELL_READABLE."""
    printed, exact, silent = 0, 0, []
    for name in SCANNED:
        for (number, table, row, column), cell in key_cells(name).items():
            text, confidence, _ = ocr_cell(scanned[(name, number)], table, row, column)
            expected = squeeze(cell["text"])
            if not expected and not squeeze(text):
                continue
            printed += 1
            if text is not None and squeeze(text) == expected:
                exact += 1
            elif confidence is None or confidence >= CELL_READABLE:
                silent.append((name, number, row, column, cell["text"], text, confidence))
    assert printed > 400
    assert silent == []
    assert exact / printed >= 0.995


def test_every_unsafe_cell_is_listed_as_low_confidence(scanned):
    for result in scanned.values():
        listed = {(d.table, d.row, d.column) for d in result.low_confidence if d.table is not None}
        for t, table in enumerate(result.tables):
            for r, row in enumerate(table.confidences):
                for c, confidence in enumerate(row):
                    if confidence is not None and confidence < CELL_READABLE:
                        assert (t, r, c) in listed


def test_merged_header_cells_are_filled_like_the_text_path(scanned):
    """The 三公 table's three-level header: a merged cell's text fills every position it covers; the
    positions it covers read None in the grid, as pdfplumber's do."""
    table = scanned[("xinfangju_scan", 2)].tables[0]
    assert [squeeze(c) for c in table.header_filled[0]] == ["预算数"] * 6 + ["决算数"] * 6
    assert table.grid[0][1:6] == [None] * 5
    assert [squeeze(c) for c in table.header_filled[1][2:5]] == ["公务用车购置及运行维护费"] * 3


def test_ocr_tables_are_identified_by_the_same_assembly_as_text_tables(scanned):
    page_tables = [t for n in (1, 2) for t in scanned[("xinfangju_scan", n)].tables]
    kinds = {1: "table", 2: "table"}
    identified = {t.table_id: t.pages for t in assemble(page_tables, kinds)}
    assert identified == {"t06": [1], "t09": [2]}


# ---------------------------------------------------------------- text outside tables


def test_captions_and_narrative_lines_are_read_in_reading_order(scanned):
    key = [r for r in read_csv(SCANS / "xinfangju_scan.lines.csv")]
    for number in (1, 3):
        expected = [squeeze(r["text"]) for r in key if int(r["page"]) == number]
        result = scanned[("xinfangju_scan", number)]
        read = [squeeze(line) for line in result.lines]
        assert len(read) == len(expected)
        for got, want, confidence in zip(read, expected, result.line_confidences):
            assert got == want or confidence < CELL_READABLE


def test_captions_belong_to_their_table(scanned):
    table = scanned[("xinfangju_scan", 1)].tables[0]
    assert any("基本支出决算表" in squeeze(line) for line in table.caption)
    assert any(squeeze(line).startswith("注") for line in table.below)


# ---------------------------------------------------------------- recognition details


def test_a_character_the_decoder_nearly_emitted_makes_the_reading_doubtful():
    alphabet = ["", "6", ".", "1", "8"]

    def steps(*rows):
        return np.array([[p.get(s, 0.0) for s in range(len(alphabet))] for p in rows], dtype=np.float32)

    clear = steps({1: 0.99, 0: 0.01}, {0: 0.99, 2: 0.01}, {2: 0.98, 0: 0.02}, {3: 0.99}, {0: 0.99}, {4: 0.99})
    assert decode(clear, alphabet).text == "6.18" and decode(clear, alphabet).confidence > 0.95
    lost_point = steps({1: 0.99}, {0: 0.58, 2: 0.42}, {3: 0.99}, {0: 0.99}, {4: 0.99})
    reading = decode(lost_point, alphabet)
    assert reading.text == "618" and reading.confidence < CELL_READABLE
    spread = steps({1: 0.99}, {1: 0.6, 0: 0.4}, {0: 0.7, 1: 0.3}, {3: 0.99})  # one 6 over several steps
    assert decode(spread, alphabet).text == "61" and decode(spread, alphabet).confidence > 0.95


def test_digits_are_kept_as_read_and_a_malformed_number_is_doubtful():
    from extract.ocr_text import _cell_reading

    comma_for_point = _cell_reading([Reading("202,24", 0.97)])
    assert comma_for_point.text == "202,24" and comma_for_point.confidence < CELL_READABLE
    assert _cell_reading([Reading("1,202.24", 0.97)]).confidence == 0.97
    assert _cell_reading([Reading("30214.", 0.99)]).confidence < CELL_READABLE
    assert _cell_reading([Reading("一般公共服务支出", 0.99)]).confidence == 0.99


def test_ink_that_reads_as_nothing_is_not_an_empty_cell():
    from extract.ocr_text import _cell_reading

    assert _cell_reading([]) == Reading("", 1.0)  # no ink: empty, and sure of it
    unread = _cell_reading([Reading("", 0.99)])
    assert unread.text == "" and unread.confidence < CELL_READABLE


# ---------------------------------------------------------------- cache


def test_a_rerun_with_unchanged_pages_reads_the_cache(scanned, ocr_cache, monkeypatch):
    import extract.ocr as ocr

    monkeypatch.setattr(ocr, "ocr_image", lambda *a, **k: pytest.fail("the page was OCR'd again"))
    with pdfium.PdfDocument(str(SCANS / "caizhengju_scan.pdf")) as document:
        again = ocr.ocr_page(document[0], 7, dpi=150, cache_dir=ocr_cache)
    first = scanned[("caizhengju_scan", 1)]
    assert again.cached and not first.cached
    assert again.tables[0].grid == first.tables[0].grid
    assert again.tables[0].boxes == first.tables[0].boxes
    assert again.number == 7 and again.tables[0].page == 7
    assert again.image_sha256 == first.image_sha256
    assert not [p for p in ocr_cache.iterdir() if p.suffix != ".json"]  # no temporary file left behind
