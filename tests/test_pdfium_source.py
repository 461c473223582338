"""pdfium as the page source of pdfplumber's table finder (extract/pdfium_source.py).

A page built from pdfium must give what pdfplumber's own page (pdfminer's parse) gives, on all that
extract/pdf.py reads from it: tables (grid text, cell, column and table boxes) and the text lines
above and below them. Where pdfium cannot give what pdfminer would, the page is not built and the
reason is given instead, so the caller reads the page with pdfplumber.
"""
from __future__ import annotations

from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from pdfminer.fontmetrics import FONT_METRICS
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

import tools.typeset
from extract.pdfium_equivalence import page_differences
from extract.pdfium_source import count_objects, page_objects, read_page
from tools.typeset import FONT as CJK_FONT  # registers STSong-Light, which PDFs name but do not embed
from tools.typeset import HeaderCell as H
from tools.typeset import Paragraphs, TableSpec, typeset

from conftest import FIXTURES
from layouts import province_layout

EMBEDDED_FONT = "Vera"  # reportlab's own TrueType font: embedded, so pdfium has every glyph's outline
pdfmetrics.registerFont(TTFont(EMBEDDED_FONT, "Vera.ttf"))


def pdfium_pages(path: Path):
    """(page number, pdfplumber's page, the pdfium-built page or None, fallback reason or None) per page."""
    document = pdfium.PdfDocument(str(path))
    with pdfplumber.open(path) as pdf:
        for index, reference in enumerate(pdf.pages):
            reference.objects  # parsed while the file is open, so the page outlives the loop
            page, reason = read_page(document, index)
            yield index + 1, reference, page, reason
    document.close()


def differences_by_page(path: Path) -> dict[int, list[str]]:
    """Pages whose pdfium reading differs from pdfplumber's, or that pdfium cannot read, and how."""
    found = {}
    for number, reference, page, reason in pdfium_pages(path):
        problems = [f"falls back: {reason}"] if reason else page_differences(reference, page)
        if problems:
            found[number] = problems
    return found


def assert_same_chars(found, expected, tolerance: float = 1e-3) -> None:
    """Same characters in the same order, boxes within `tolerance` points."""
    assert [(c["text"], c["upright"]) for c in found] == [(c["text"], c["upright"]) for c in expected]
    for one, other in zip(found, expected):
        assert all(abs(one[k] - other[k]) <= tolerance for k in ("x0", "x1", "top", "bottom")), (one, other)


# pdfium keeps glyph widths (and the descent) in whole thousandths of an em, pdfminer as written; Vera's
# have decimals, so its characters drift by less than a thousandth of an em each along a line: up to
# 0.2 pt on these short lines.
VERA_DRIFT = 0.2


def only_page(path: Path):
    (_, reference, page, reason), = pdfium_pages(path)
    return reference, page, reason


def draw(path: Path, *painters, pagesize=(400, 300)) -> Path:
    """A one-page PDF drawn by each painter(canvas) in turn."""
    c = canvas.Canvas(str(path), pagesize=pagesize)
    for paint in painters:
        paint(c)
    c.save()
    return path


def raw_pdf(path: Path, content: bytes, resources: str = "<< >>", page_entries: str = "",
            pages_entries: str = "/MediaBox [0 0 300 200]", objects: tuple = ()) -> Path:
    """A one-page PDF written object by object, for what reportlab cannot write. `objects` are numbered from 5."""
    body = [b"<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [3 0 R] /Count 1 {pages_entries} >>".encode(),
            f"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources {resources} {page_entries} >>".encode(),
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)]
    body += [o if isinstance(o, bytes) else o.encode() for o in objects]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, obj in enumerate(body, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(body) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(body) + 1, xref)
    path.write_bytes(bytes(out))
    return path


HELVETICA = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def arial(widths: list[int]) -> tuple[str, str]:
    """A TrueType font named Arial, not embedded, with the given /Widths for codes 32..126."""
    return (f"<< /Type /Font /Subtype /TrueType /BaseFont /Arial /FirstChar 32 /LastChar 126 /Widths {widths}"
            " /FontDescriptor 6 0 R /Encoding /WinAnsiEncoding >>".replace(",", ""),
            "<< /Type /FontDescriptor /FontName /Arial /Flags 32 /FontBBox [-665 -325 2000 1006] /ItalicAngle 0"
            " /Ascent 905 /Descent -212 /CapHeight 716 /StemV 80 >>")


HELVETICA_WIDTHS = [FONT_METRICS["Helvetica"][1][chr(code)] for code in range(32, 127)]


# ---------------------------------------------------------------- whole documents


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "pdf").glob("*.pdf")))
def test_every_page_of_the_published_pdfs_is_read_by_pdfium_as_pdfplumber_reads_it(name):
    assert differences_by_page(FIXTURES / "pdf" / name) == {}


def test_ruled_tables_typeset_in_an_embedded_font_read_as_pdfplumber_reads_them(tmp_path, monkeypatch):
    monkeypatch.setattr(tools.typeset, "FONT", EMBEDDED_FONT)
    header = [[H("Item", 1, 2), H("Code", 1, 2), H("Amounts", 3)], [H("Total"), H("Basic"), H("Projects")]]
    rows = [[f"Line {n} with a label long enough to wrap in its cell", f"20{n:05d}", f"{n * 1234.5:,.2f}", f"{n * 34.25:.2f}", ""]
            for n in range(1, 60)]
    specs = [
        TableSpec("Expenditure by function", header, rows, [150, 60, 70, 70, 70], "Department: Audit", "Table 3  Unit: 10k",
                  notes=["Note: an empty cell is no spending."], repeat_title=True),
        "blank",
        Paragraphs(["Part three. Notes on the accounts: total 1,234.50, up 3.2% on the year."]),
        TableSpec(None, [[H("Code"), H("Name"), H("Amount")]], [["301", "Wages", "12.00"], ["", "Total", "12.00"]], [60, 150, 70]),
    ]
    path = typeset(tmp_path / "embedded.pdf", specs)
    assert differences_by_page(path) == {}


def test_the_province_layout_reads_as_pdfplumber_reads_it_where_pdfium_has_the_glyphs(tmp_path):
    """Typeset in STSong-Light, which the PDF names but does not embed and this machine does not have:
    pdfium leaves out a character standing alone in such a font, so those pages fall back."""
    found = differences_by_page(province_layout(tmp_path / "province.pdf"))
    assert all(problems == ["falls back: characters pdfium leaves out, in STSong-Light, a font neither embedded nor installed"]
               for problems in found.values())
    assert len(found) < len(pdfium.PdfDocument(str(tmp_path / "province.pdf")))


# ---------------------------------------------------------------- characters


def test_characters_have_pdfminers_text_and_boxes(tmp_path):
    def text(c):
        c.setFont(CJK_FONT, 10)
        c.drawString(20, 270, "部门：某某局 金额单位：万元 2024")
        c.setFont("Helvetica", 9)  # pdfminer boxes the standard fonts from its own AFM metrics
        c.drawString(20, 250, "Helvetica 1,234.50 fi")
        c.setFont("Times-Roman", 9)
        c.drawString(200, 250, "Times (42)")
        c.setFont(EMBEDDED_FONT, 11)
        c.drawString(20, 230, "Embedded -12.5%")

    def text_state(c):
        t = c.beginText(20, 200)
        t.setFont(EMBEDDED_FONT, 10)
        t.setRise(3)
        t.textOut("raised ")
        t.setRise(0)
        t.setHorizScale(70)
        t.textOut("narrow ")
        t.setHorizScale(100)
        t.setCharSpace(1.5)
        t.textOut("spaced 7.50")
        c.drawText(t)

    def scaled(c):
        c.saveState()
        c.translate(20, 150)
        c.scale(1.5, 0.8)
        c.setFont(EMBEDDED_FONT, 10)
        c.drawString(0, 0, "scaled 99")
        c.restoreState()

    reference, page, reason = only_page(draw(tmp_path / "text.pdf", text, text_state, scaled))
    assert reason is None
    assert_same_chars(page.chars, reference.chars, VERA_DRIFT)
    in_whole_widths = lambda chars: [c for c in chars if "Vera" not in c["fontname"]]  # noqa: E731
    assert_same_chars(in_whole_widths(page.chars), in_whole_widths(reference.chars))


def test_a_font_named_like_a_standard_font_gets_pdfminers_standard_metrics(tmp_path):
    """pdfminer boxes Arial, TimesNewRoman, CourierNew... with Helvetica's, Times' and Courier's AFM metrics
    (descent, widths, name), whatever the PDF's font descriptor says."""
    path = raw_pdf(tmp_path / "arial.pdf", b"BT /F1 12 Tf 50 100 Td (Total 1,234.50) Tj ET", "<< /Font << /F1 5 0 R >> >>",
                   objects=arial(HELVETICA_WIDTHS))
    reference, page, reason = only_page(path)
    assert reason is None
    assert_same_chars(page.chars, reference.chars)
    assert {c["fontname"] for c in page.chars} == {c["fontname"] for c in reference.chars} == {"Helvetica"}


def test_text_printed_twice_for_bold_keeps_both_copies_as_pdfminer_does(tmp_path):
    def bold(c):
        for font, y in ((EMBEDDED_FONT, 250), (CJK_FONT, 200)):
            c.setFont(font, 10)
            for shift in (0, 0.3, 0.6):
                c.drawString(20 + shift, y, "合计 Total 1,234.50" if font == CJK_FONT else "Total 1,234.50")

    reference, page, reason = only_page(draw(tmp_path / "bold.pdf", bold))
    assert reason is None
    assert_same_chars(page.chars, reference.chars, VERA_DRIFT)


def test_runs_of_spaces_split_words_as_pdfminers_spaces_do(tmp_path):
    """pdfium keeps one space of several in a row; words come out the same."""
    def spaces(c):
        c.setFont(EMBEDDED_FONT, 10)
        c.drawString(20, 250, "A  B    C")
        c.drawString(20, 220, "Unit:")
        c.drawString(60, 220, "     ")  # whitespace alone in its text object
        c.drawString(90, 220, "10k")

    reference, page, reason = only_page(draw(tmp_path / "spaces.pdf", spaces))
    assert reason is None
    assert [w["text"] for w in page.extract_words()] == [w["text"] for w in reference.extract_words()]
    assert page_differences(reference, page) == []


# ---------------------------------------------------------------- ruling


def test_ruling_paths_become_the_rects_lines_and_curves_pdfminer_makes(tmp_path):
    def ruling(c):
        c.setLineWidth(0.5)
        c.rect(20, 200, 100, 40, stroke=1, fill=0)
        c.rect(140, 200, 100, 40, stroke=0, fill=1)
        c.setLineWidth(2)
        c.line(20, 180, 240, 180)
        c.line(250, 150, 250, 280)
        c.setDash(3, 2)
        c.line(20, 170, 240, 170)
        c.setDash()
        c.bezier(20, 100, 60, 140, 100, 60, 140, 100)
        closed = c.beginPath()  # a rectangle drawn line by line and closed
        closed.moveTo(20, 20)
        closed.lineTo(120, 20)
        closed.lineTo(120, 60)
        closed.lineTo(20, 60)
        closed.close()
        c.drawPath(closed)
        several = c.beginPath()  # one path, several subpaths: two rules and a slanted stroke
        several.moveTo(150, 20)
        several.lineTo(250, 20)
        several.moveTo(150, 30)
        several.lineTo(250, 30)
        several.moveTo(150, 40)
        several.lineTo(200, 80)
        c.drawPath(several)
        boxes = c.beginPath()
        boxes.rect(270, 20, 40, 40)
        boxes.rect(320, 20, 40, 40)
        c.drawPath(boxes, fill=1)  # even-odd fill and stroke
        c.saveState()
        c.translate(280, 200)
        c.scale(2, 0.5)
        c.rect(0, 0, 40, 40)
        c.restoreState()

    def shapes(page, kind):
        return sorted((round(o["x0"], 3), round(o["top"], 3), round(o["x1"], 3), round(o["bottom"], 3), o["stroke"], o["fill"],
                       o["evenodd"], o["linewidth"], [tuple(round(v, 3) for v in p) for p in o["pts"]] if kind == "curves" else None)
                      for o in getattr(page, kind))

    reference, page, reason = only_page(draw(tmp_path / "ruling.pdf", ruling))
    assert reason is None
    for kind in ("rects", "lines", "curves"):
        assert shapes(page, kind) == shapes(reference, kind), kind
    assert len(page.edges) == len(reference.edges)


# ---------------------------------------------------------------- page geometry


def test_a_page_turned_by_rotate_reads_as_pdfplumber_reads_it(tmp_path):
    def turned_table(c):
        c.setPageRotation(90)
        c.setFont(EMBEDDED_FONT, 9)
        c.drawString(20, 260, "Table 1  Unit: 10k")
        for row in range(4):
            for col in range(3):
                c.rect(20 + col * 80, 220 - row * 18, 80, 18)
                c.drawString(24 + col * 80, 226 - row * 18, f"r{row}c{col} {row * col}.50")

    reference, page, reason = only_page(draw(tmp_path / "rotated.pdf", turned_table))
    assert reason is None
    assert (page.rotation, page.width, page.height) == (reference.rotation, reference.width, reference.height)
    assert page_differences(reference, page) == []


def test_mediabox_origin_and_cropbox_give_pdfplumbers_coordinates(tmp_path):
    content = b"BT /F1 12 Tf 50 100 Td (Hello 1,234) Tj ET 60 60 100 50 re S"
    path = raw_pdf(tmp_path / "offset.pdf", content, "<< /Font << /F1 5 0 R >> >>", pages_entries="",
                   page_entries="/MediaBox [20 30 420 330] /CropBox [40 40 300 300]", objects=(HELVETICA,))
    reference, page, reason = only_page(path)
    assert reason is None
    assert (page.mediabox, page.cropbox, page.bbox) == (reference.mediabox, reference.cropbox, reference.bbox)
    assert_same_chars(page.chars, reference.chars)
    assert [(r["x0"], r["top"], r["x1"], r["bottom"]) for r in page.rects] == [(r["x0"], r["top"], r["x1"], r["bottom"]) for r in reference.rects]


def test_a_mediabox_inherited_from_the_page_tree_is_the_pages(tmp_path):
    path = raw_pdf(tmp_path / "inherited.pdf", b"BT /F1 12 Tf 50 100 Td (Hello) Tj ET", "<< /Font << /F1 5 0 R >> >>",
                   pages_entries="/MediaBox [0 0 400 300]", objects=(HELVETICA,))
    reference, page, reason = only_page(path)
    assert reason is None
    assert (page.width, page.height) == (400, 300)
    assert_same_chars(page.chars, reference.chars)


# ---------------------------------------------------------------- form XObjects


def table_in_a_form(c):
    c.beginForm("table")
    c.setFont(EMBEDDED_FONT, 9)
    for row in range(3):
        c.rect(20, 200 - row * 18, 120, 18)
        c.drawString(24, 206 - row * 18, f"row {row} 1{row}.00")
    c.endForm()


def test_text_in_a_form_xobject_shown_before_any_other_text_reads_as_pdfplumber_reads_it(tmp_path):
    def page(c):
        table_in_a_form(c)
        c.doForm("table")
        c.setFont(EMBEDDED_FONT, 9)
        c.drawString(20, 20, "page 1")

    reference, built, reason = only_page(draw(tmp_path / "form.pdf", page))
    assert reason is None
    assert_same_chars(built.chars, reference.chars, VERA_DRIFT)
    assert page_differences(reference, built) == []


# ---------------------------------------------------------------- what falls back, and why


def rotated_text(c):
    c.saveState()
    c.translate(100, 100)
    c.rotate(30)
    c.setFont(EMBEDDED_FONT, 10)
    c.drawString(0, 0, "slanted")
    c.restoreState()


def form_after_text(c):
    table_in_a_form(c)
    t = c.beginText(20, 280)
    t.setFont(EMBEDDED_FONT, 9)
    t.setCharSpace(2)  # pdfminer does not carry this into the form; pdfium does
    t.textOut("Title")
    c.drawText(t)
    c.doForm("table")


def a_lone_character_pdfium_cannot_draw(c):
    c.setFont(CJK_FONT, 10)
    c.drawString(20, 250, "项目")
    c.drawString(80, 250, "类")  # one glyph in its own text object, in a font neither embedded nor installed


def outside_the_collection(c):
    c.setFont(CJK_FONT, 10)
    c.drawString(20, 250, "项目类别 ☑ 部门预算项目")


def spaces_under_text(c):
    c.setFont(EMBEDDED_FONT, 10)
    c.drawString(20, 250, "Unit" + " " * 30)
    c.drawString(60, 250, "10k")  # printed where the run of spaces goes


VERTICAL_FONT = ("<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-V /DescendantFonts [6 0 R] >>",
                 "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /DW 1000 /FontDescriptor 7 0 R"
                 " /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> >>",
                 "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0"
                 " /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>")
TYPE3 = ("<< /Type /Font /Subtype /Type3 /FontBBox [0 0 750 750] /FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << /box 6 0 R >>"
         " /Encoding << /Type /Encoding /Differences [65 /box] >> /FirstChar 65 /LastChar 65 /Widths [800] >>")


@pytest.mark.parametrize("name, make, reason", [
    ("rotated", lambda p: draw(p, rotated_text), "rotated, skewed or mirrored text"),
    ("form after text", lambda p: draw(p, form_after_text), "text in a form XObject invoked after other text"),
    ("vertical", lambda p: raw_pdf(p, b"BT /F1 12 Tf 100 180 Td <7AD66392> Tj ET", "<< /Font << /F1 5 0 R >> >>",
                                   objects=VERTICAL_FONT), "vertical writing"),
    ("collection", lambda p: draw(p, outside_the_collection), "outside the character collection of STSong-Light"),
    ("spaces", lambda p: draw(p, spaces_under_text), "repeated spaces running under other text"),
    ("type3", lambda p: raw_pdf(p, b"BT /T3 12 Tf 50 100 Td (AAA) Tj ET", "<< /Font << /T3 5 0 R >> >>",
                                objects=(TYPE3, b"<< /Length 30 >>\nstream\n800 0 0 0 750 750 d1 0 0 750 750 re f\nendstream")),
     "Type3 font"),
    ("no unicode", lambda p: raw_pdf(p, b"BT /F1 12 Tf 50 100 Td (AB) Tj ET", "<< /Font << /F1 5 0 R >> >>", objects=(
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Differences [65 /g7 /g8] >> >>",)),
     "characters without a Unicode mapping"),
    ("standard font, other widths", lambda p: raw_pdf(p, b"BT /F1 12 Tf 50 100 Td (Total) Tj ET", "<< /Font << /F1 5 0 R >> >>",
                                                      objects=arial([556] * 95)), "widths other than its standard metrics"),
    ("actual text", lambda p: raw_pdf(p, b"/Span << /ActualText (fi) >> BDC BT /F1 12 Tf 50 100 Td (X) Tj ET EMC",
                                      "<< /Font << /F1 5 0 R >> >>", objects=(HELVETICA,)), "/ActualText"),
    ("own cropbox", lambda p: raw_pdf(p, b"BT /F1 12 Tf 50 100 Td (Hi) Tj ET", "<< /Font << /F1 5 0 R >> >>",
                                      page_entries="/CropBox [10 10 200 150]", objects=(HELVETICA,)),
     "MediaBox inherited from the page tree while the page has its own CropBox"),
])
def test_a_page_pdfium_cannot_read_as_pdfminer_does_is_left_to_pdfplumber_with_the_reason(tmp_path, name, make, reason):
    _, page, found = only_page(make(tmp_path / "page.pdf"))
    assert page is None
    assert reason in found


def test_a_lone_glyph_of_a_font_the_machine_lacks_is_left_to_pdfplumber_and_read_alike_where_a_font_is_installed(tmp_path):
    """Whether pdfium can draw a non-embedded CJK font depends on the fonts installed (CI installs a CJK font for the
    report screenshots): either pdfium reads the page exactly as pdfminer does, or it leaves it with the reason."""
    path = draw(tmp_path / "page.pdf", a_lone_character_pdfium_cannot_draw)
    reference, page, found = only_page(path)
    if page is None:
        assert "a font neither embedded nor installed" in found
    else:
        assert page_differences(reference, page) == []


# ---------------------------------------------------------------- the page object


def test_a_pdfium_page_crops_as_pdfplumber_crops(tmp_path):
    path = FIXTURES / "pdf" / "guojia_xinfangju_2024.pdf"
    document = pdfium.PdfDocument(str(path))
    page, _ = read_page(document, 7)
    with pdfplumber.open(path) as pdf:
        reference = pdf.pages[7]
        for bbox in [(0, 0, reference.width, 120), (100, 100, 400, 300), (-20, 500, reference.width + 30, reference.height + 40)]:
            assert_same_chars(page.crop(bbox, strict=False).chars, reference.crop(bbox, strict=False).chars)
        assert (page.width, page.height) == (reference.width, reference.height)


def test_pdfium_pages_and_text_pages_are_closed_once_the_page_is_read(monkeypatch):
    opened = []
    get_page, get_textpage = pdfium.PdfDocument.get_page, pdfium.PdfPage.get_textpage
    monkeypatch.setattr(pdfium.PdfDocument, "get_page", lambda self, i: opened.append(get_page(self, i)) or opened[-1])
    monkeypatch.setattr(pdfium.PdfPage, "get_textpage", lambda self, *a, **k: opened.append(get_textpage(self, *a, **k)) or opened[-1])
    document = pdfium.PdfDocument(str(FIXTURES / "pdf" / "putuo_shehuigongzuobu_2024.pdf"))
    for index in range(len(document)):
        page, _ = read_page(document, index)
        page.close()
    assert len(opened) == 2 * len(document)
    assert all(handle.raw is None for handle in opened)


def test_object_counts_for_triage_are_pypdfium2s_without_its_wrappers():
    document = pdfium.PdfDocument(str(FIXTURES / "pdf" / "guojia_xinfangju_2024.pdf"))
    for index in range(0, len(document), 7):
        page = document[index]
        counts = count_objects(page)
        for kind in (pdfium_raw.FPDF_PAGEOBJ_PATH, pdfium_raw.FPDF_PAGEOBJ_IMAGE, pdfium_raw.FPDF_PAGEOBJ_TEXT):
            assert counts[kind] == sum(1 for _ in page.get_objects(filter=[kind], max_depth=2))
        page.close()


def test_a_page_read_from_the_objects_triage_walked_is_the_page_read_alone():
    document = pdfium.PdfDocument(str(FIXTURES / "pdf" / "putuo_shehuigongzuobu_2024.pdf"))
    for index in range(len(document)):
        loaded = document[index]
        textpage = loaded.get_textpage()
        shared, shared_reason = read_page(document, index, loaded, textpage, page_objects(loaded))
        alone, alone_reason = read_page(document, index)
        assert shared_reason == alone_reason
        if shared is not None:
            assert shared.objects == alone.objects
        textpage.close()
        loaded.close()


def test_closing_frees_the_objects_and_reading_again_gives_the_same_page():
    document = pdfium.PdfDocument(str(FIXTURES / "pdf" / "putuo_shehuigongzuobu_2024.pdf"))
    page, _ = read_page(document, 5)
    before = (page.chars, [t.extract() for t in page.find_tables()])
    page.close()
    assert "_objects" not in vars(page)
    assert (page.chars, [t.extract() for t in page.find_tables()]) == before


def _facts(path: Path, engine: str) -> dict:
    from extract import extract_document
    from normalize.document import normalize_document
    from write.tables import format_box

    doc = normalize_document(extract_document(path, engine=engine))
    return {(t.id, r.side, r.code or r.name, m, c.page, format_box(c.box)): c.value for t in doc.tables.values() for r, m, c in t.cells()}


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "pdf").glob("*.pdf")))
def test_whole_documents_give_identical_facts_with_pdfium_and_with_pdfplumber_pages(name):
    assert _facts(FIXTURES / "pdf" / name, "pdfium") == _facts(FIXTURES / "pdf" / name, "pdfplumber")


def test_characters_pdfium_leaves_out_of_its_text_are_read_one_by_one(monkeypatch):
    """pdfium's text of a page omits control characters that its character list keeps: read in one call, every
    later character would be taken for the one before it."""
    from extract import pdfium_calls as calls
    from extract.pdfium_chars import _all_text

    with pdfium.PdfDocument(str(FIXTURES / "pdf" / "putuo_shehuigongzuobu_2024.pdf")) as document:
        page = document[6]
        textpage = page.get_textpage()
        handle = calls.address_of(textpage.raw)
        count = calls.FPDFText_CountChars(handle)
        one_by_one = "".join(chr(calls.FPDFText_GetUnicode(handle, i)) for i in range(count))
        assert _all_text(handle, count) == one_by_one
        whole_text = calls.FPDFText_GetText

        def without_first_character(text_page, start, length, buffer):
            return whole_text(text_page, start + 1, length - 1, buffer)

        monkeypatch.setattr(calls, "FPDFText_GetText", without_first_character)
        assert _all_text(handle, count) == one_by_one
        textpage.close()
        page.close()
