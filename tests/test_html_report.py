"""The HTML report: report.html per document, index.html per batch, `juesuan open`.

A PDF's report shows each page holding a table or named by a check, rendered at screen size, with every extracted
cell outlined at its recorded box: red when a check it is part of fails, amber when repaired, grey when unreadable.
A text export's report shows its tables as HTML tables coloured the same way. Every cell carries what was read,
the value, its source and its checks; the checks list (fail first) links to the cells. The last tests load the
reports in headless chromium (skipped when there is none) and look at what a reader sees.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time
import urllib.request
import webbrowser
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from check.equations import Ref
from check.results import STATUSES
from check.run import CheckReport, check_document
from conftest import read_csv
from extract import extract_document
from juesuan.open_report import ReportNotFound, open_in_browser, report_path
from normalize.document import NormalizedDocument, normalize_document
from synthetic import DEPARTMENT, build
from tools.make_scans import source_to_scan
from tools.typeset_export import typeset_text_export
from write.document import build_manifest
from write import html_pages
from write.html_pages import PageRenderings, render_pages, smallest_encoding
from write.html_cells import CheckView, build_views
from write.html_report import pages_to_show, script_json, write_batch_index, write_document_report

ROOT = Path(__file__).resolve().parents[1]
PUTUO = ROOT / "tests" / "fixtures" / "pdf" / "putuo_caizhengju_2024_p1-21.pdf"
SHEHUI = ROOT / "tests" / "fixtures" / "pdf" / "putuo_shehuigongzuobu_2024.pdf"  # 说明 pages that only passing checks name
SCANS = ROOT / "tests" / "fixtures" / "scans"  # made by tools/make_scans.py, with answer keys
CAIDIAN = ROOT / "samples" / "caidian" / "caidian_2024.md"
HOSTILE_DEPARTMENT = '江城市</script><script>window.hacked=1</script><b>"=HYPERLINK("x")</b>局'
CELL_BOX_TOLERANCE_PT = 0.01
RED, AMBER, GREY = "rgb(211, 47, 47)", "rgb(239, 143, 0)", "rgb(125, 125, 125)"


# ---------------------------------------------------------------- documents and their reports


def damaged_export() -> str:
    """The consistent synthetic document with three defects: a t03 cell holding two amounts (a PDF prints it, a
    text export's repair reads it), a t05 cell changed (a contradiction in a PDF) and a t01 total no identity can
    explain (a contradiction either way); and a department name written to break HTML."""
    text = build(overrides={"t01.支出总计": "777.77"})
    text = text.replace("2010601\t行政运行\t80.00\t45.00\t35.00", "2010601\t行政运行\t80.00\t45.00 35.00\t35.00", 1)
    t05 = text.index("一般公共预算财政拨款支出决算表")
    text = text[:t05] + text[t05:].replace("2010601\t行政运行\t80.00\t45.00\t35.00", "2010601\t行政运行\t80.00\t45.00\t53.00", 1)
    return text.replace(DEPARTMENT, HOSTILE_DEPARTMENT)


@dataclass
class Written:
    source: Path
    folder: Path
    doc: NormalizedDocument
    report: CheckReport
    manifest: dict

    @property
    def html(self) -> str:
        return (self.folder / "report.html").read_text(encoding="utf-8")

    @property
    def data(self) -> dict:
        found = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', self.html, re.S)
        return json.loads(found.group(1))

    @property
    def elements(self) -> list[dict]:
        return parse_elements(self.html)

    def outlines(self) -> dict[str, dict]:
        """Cell elements by id."""
        return {e["id"]: e for e in self.elements if "cell" in e.get("class", "").split()}

    def summary(self) -> dict:
        return {"doc_id": self.manifest["doc_id"], "department": self.doc.raw.department, "year": self.doc.raw.year,
                "verdict": self.report.verdict, **self.report.counts(), "repairs": len(self.report.repairs),
                "pages": self.doc.raw.page_count, "folder": str(self.folder), "source": str(self.source)}


def write_report(source: Path, out: Path) -> Written:
    """As the pipeline writes it: table pages rendered while extraction has them open, the others by the report."""
    renderings = PageRenderings()
    doc = normalize_document(extract_document(source, on_table_page=renderings.add))
    report = check_document(doc)
    doc_id = f"{source.stem}-{source.suffix.lstrip('.')}"  # a text export and its typeset PDF share a stem
    manifest = build_manifest(doc, doc_id, hashlib.sha256(source.read_bytes()).hexdigest(), "test")
    folder = out / source.parent.name / doc_id
    folder.mkdir(parents=True)
    write_document_report(folder, doc, report, manifest, renderings)
    return Written(source, folder, doc, report, manifest)


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("out")


@pytest.fixture(scope="module")
def putuo(out) -> Written:
    return write_report(PUTUO, out)


@pytest.fixture(scope="module")
def shehui(out) -> Written:
    return write_report(SHEHUI, out)


@pytest.fixture(scope="module")
def damaged_sources(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("damaged")
    text = folder / "damaged.md"
    text.write_text(damaged_export(), encoding="utf-8")
    return text, typeset_text_export(text, folder / "damaged.pdf")


@pytest.fixture(scope="module")
def damaged_pdf(out, damaged_sources) -> Written:
    return write_report(damaged_sources[1], out)


@pytest.fixture(scope="module")
def damaged_text(out, damaged_sources) -> Written:
    return write_report(damaged_sources[0], out)


@pytest.fixture(scope="module")
def caidian(out) -> Written:
    return write_report(CAIDIAN, out)


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[dict] = []

    def handle_starttag(self, tag, attrs):
        self.found.append({"tag": tag, **{k: v or "" for k, v in attrs}})


def parse_elements(html: str) -> list[dict]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


def percent_style(style: str) -> dict[str, float]:
    return {k: float(v) for k, v in re.findall(r"(left|top|width|height):([-\d.]+)%", style)}


def page_sizes(source: Path) -> dict[int, tuple[float, float]]:
    document = pdfium.PdfDocument(str(source))
    try:
        return {n + 1: document[n].get_size() for n in range(len(document))}
    finally:
        document.close()


def on_page(box, size: tuple[float, float]) -> bool:
    """The box's centre lies on the page (the synthetic documents' widest table runs beyond it)."""
    return 0 <= (box[0] + box[2]) / 2 <= size[0] and 0 <= (box[1] + box[3]) / 2 <= size[1]


def cell_labels(doc: NormalizedDocument):
    """Every cell of the canonical tables with the label checks print for it."""
    for table in doc.tables.values():
        for row, measure, cell in table.cells():
            yield Ref.of(table, row, measure).label(), cell


def label_of_address(address: str) -> str:
    table, side, who, measure = address.split("|")
    return f"{table}[{side + ':' if side else ''}{who}].{measure.split('/', 1)[-1]}"


def problem_label(problem: dict) -> str:
    """The label of a cell manifest["unreadable"] lists."""
    return label_of_address(f"{problem['table']}|{problem['side']}|{problem['code'] or problem['name']}|{problem['measure']}")


def first_failing_check(written: Written) -> tuple[int, dict]:
    return next((i, r) for i, r in enumerate(written.report.results) if r["status"] == "fail" and r["cells"])


def cell_index(written: Written, label: str) -> int:
    return next(i for i, c in enumerate(written.data["cells"]) if c["label"] == label)


# ---------------------------------------------------------------- which pages, and how large


def shown_pages(written: Written) -> set[int]:
    return {int(p.stem[1:]) for p in (written.folder / "pages").iterdir()}


def pages_named_by_checks(written: Written, passing: bool) -> set[int]:
    return {int(p) for r in written.report.results if (r["status"] == "pass") == passing
            for p in r["pages"].split(",") if p}


@pytest.mark.parametrize("name", ["putuo", "shehui"])
def test_a_pdf_report_shows_every_table_page_and_every_page_a_check_that_does_not_pass_names_and_no_other(name, request):
    written = request.getfixturevalue(name)
    shown = shown_pages(written)
    table_pages = {p for t in written.doc.tables.values() for p in t.pages}
    assert shown == table_pages | pages_named_by_checks(written, passing=False)
    assert 1 not in shown  # the cover
    sections = {e["id"] for e in written.elements if e["tag"] == "section" and e.get("class") == "page"}
    assert sections == {f"p{n}" for n in shown}


def test_the_说明_page_of_a_check_that_does_not_pass_is_shown_though_it_holds_no_table(putuo, shehui):
    assert 21 in shown_pages(putuo)  # N-SHARE: 71.73% printed where the amounts give 71.65%
    failing = pages_named_by_checks(shehui, passing=False) - {p for t in shehui.doc.tables.values() for p in t.pages}
    assert failing and failing <= shown_pages(shehui)


@pytest.mark.parametrize("status, shown", [("skipped", True), ("warn", True), ("pass", False)])
def test_a_page_without_tables_is_shown_for_a_check_of_any_status_but_pass(putuo, status, shown):
    cells, checks = build_views(putuo.doc, putuo.report)
    cover = 1
    assert cover not in pages_to_show(putuo.doc, cells, checks, putuo.manifest)
    named = CheckView(len(checks), {"status": status}, [], pages=[cover])  # skipped: e.g. a figure printed unreadably
    assert (cover in pages_to_show(putuo.doc, cells, checks + [named], putuo.manifest)) == shown


def test_a_page_only_passing_checks_name_is_not_rendered_and_their_links_open_it_in_the_pdf(shehui):
    table_pages = {p for t in shehui.doc.tables.values() for p in t.pages}
    quiet = pages_named_by_checks(shehui, passing=True) - pages_named_by_checks(shehui, passing=False) - table_pages
    assert quiet  # the 说明 pages restating the tables correctly
    assert not quiet & shown_pages(shehui)
    pdf = SHEHUI.resolve().as_uri()
    for k, check in enumerate(shehui.report.results):
        pages = [int(p) for p in check["pages"].split(",") if p]
        if not set(pages) & quiet:
            continue
        item = re.search(rf'id="k{k}">(.*?)</li>', shehui.html, re.S).group(1)
        for page in pages:
            assert (f'href="{pdf}#page={page}"' in item) == (page in quiet)
            assert (f'href="#p{page}"' in item) == (page not in quiet)


def test_page_images_are_screen_sized_and_the_document_folder_stays_small(putuo):
    images = sorted((putuo.folder / "pages").iterdir())
    sizes = [p.stat().st_size for p in images]
    for path in images:
        with Image.open(path) as image:
            assert abs(image.width - 1000) <= 1
    folder_bytes = sum(p.stat().st_size for p in putuo.folder.rglob("*") if p.is_file())
    print(f"\n{len(images)} page images, {sum(sizes) / len(sizes) / 1024:.0f} KB a page on average, largest "
          f"{max(sizes) / 1024:.0f} KB; report folder {folder_bytes / 1024:.0f} KB")
    assert max(sizes) < 150 * 1024
    assert folder_bytes < 1024 * 1024


def test_a_printed_page_is_kept_as_a_png_and_a_photograph_as_a_jpeg_whichever_is_smaller(putuo):
    with Image.open(next((putuo.folder / "pages").iterdir())) as printed:
        data, suffix = smallest_encoding(printed.convert("L"))
    assert suffix == "png" and data.startswith(b"\x89PNG")
    grain = np.random.default_rng(7).normal(128, 40, (1414, 1000)).clip(0, 255).astype(np.uint8)
    photograph = Image.fromarray(cv2.GaussianBlur(grain, (0, 0), 1.5))  # smooth tones, as a scanned photograph
    data, suffix = smallest_encoding(photograph)
    assert suffix == "jpg" and data.startswith(b"\xff\xd8")


def test_a_large_printed_page_is_kept_as_a_png_without_a_jpeg_being_made_of_it(monkeypatch):
    rng = np.random.default_rng(11)
    page = np.full((1414, 1000), 255, np.uint8)
    strokes = rng.random((1414, 1000)) < 0.06  # dense black strokes, as a page of small print
    page[strokes] = 0
    page[np.roll(strokes, 1, axis=1) & ~strokes] = 128  # their anti-aliased edges
    monkeypatch.setattr(html_pages, "_jpeg", lambda image: pytest.fail("a JPEG was made of a printed page"))
    data, suffix = smallest_encoding(Image.fromarray(page))
    assert suffix == "png" and len(data) > html_pages.PNG_SMALL_ENOUGH


def test_pages_rendered_during_extraction_are_the_images_the_report_renders_itself(putuo, tmp_path):
    taken = {p.name: p.read_bytes() for p in (putuo.folder / "pages").iterdir()}
    numbers = sorted(int(name[1:5]) for name in taken)
    rendered = PageRenderings()
    extract_document(putuo.source, on_table_page=rendered.add)
    assert len(set(rendered) & set(numbers)) >= 9  # the table pages; the report renders the others it shows itself
    images = render_pages(putuo.source, numbers, tmp_path)
    assert {Path(image.file).name: (tmp_path / image.file).read_bytes() for image in images.values()} == taken


@pytest.mark.parametrize("name", ["putuo", "shehui"])
def test_extraction_renders_the_pages_of_the_nine_tables_and_not_those_of_other_ruled_tables(name, request):
    written = request.getfixturevalue(name)
    rendered = PageRenderings()
    raw = extract_document(written.source, on_table_page=rendered.add)
    other_pages = {p for t in raw.other_tables for p in t.pages}
    assert set(rendered) == {p for t in raw.tables for p in t.pages}
    assert other_pages and not other_pages & set(rendered)  # e.g. a 目录 or 绩效 table, shown only if a check needs it


def test_a_long_document_holds_only_so_many_rendered_pages_and_the_report_renders_the_rest(putuo, tmp_path):
    rendered = PageRenderings(limit=3)
    extract_document(putuo.source, on_table_page=rendered.add)
    assert len(rendered) == 3
    numbers = sorted(int(p.name[1:5]) for p in (putuo.folder / "pages").iterdir())
    images = render_pages(putuo.source, numbers, tmp_path, rendered=rendered)
    assert sorted(images) == numbers
    assert all((tmp_path / images[n].file).read_bytes() == (putuo.folder / images[n].file).read_bytes() for n in numbers)


@pytest.mark.parametrize("width", [1, 2, 7, 1000])
def test_a_page_image_decodes_to_the_pages_sixteen_grey_levels_pixel_for_pixel(width):
    rng = np.random.default_rng(width)
    page = np.full((40, width), 255, np.uint8)
    page[rng.random(page.shape) < 0.2] = 0
    page[5:9] = rng.integers(0, 256, (4, width))  # anti-aliased edges: every grey
    data, suffix = smallest_encoding(Image.fromarray(page))
    assert suffix == "png"
    with Image.open(io.BytesIO(data)) as decoded:
        decoded.load()
        levels = np.asarray(decoded.convert("L")).astype(int)
    assert decoded.size == (width, 40)
    assert np.abs(levels - page.astype(int)).max() <= 255 / 15 / 2 + 0.5  # the nearest of 16 levels
    assert set(np.unique(levels)) <= {round(level * 17) for level in range(16)}


def test_images_are_linked_from_the_report_relative_to_its_folder(putuo):
    sources = [e["src"] for e in putuo.elements if e["tag"] == "img"]
    assert sources and all(not urlparse(s).scheme and (putuo.folder / s).is_file() for s in sources)


# ---------------------------------------------------------------- cells: position, colour, details


def test_every_extracted_cell_is_outlined_at_its_recorded_box(putuo):
    sizes = page_sizes(putuo.source)
    cells = putuo.data["cells"]
    drawn = []
    for element in putuo.outlines().values():
        if not element.get("style"):
            continue
        index = int(element["data-i"])
        width, height = sizes[cells[index]["page"]]
        p = percent_style(element["style"])
        drawn.append((element["aria-label"], cells[index]["page"], p["left"] * width / 100, p["top"] * height / 100,
                      (p["left"] + p["width"]) * width / 100, (p["top"] + p["height"]) * height / 100))
    expected = [(label, cell.page, *cell.box) for label, cell in cell_labels(putuo.doc)
                if cell.box and (cell.raw.strip() or cell.value is not None) and on_page(cell.box, sizes[cell.page])]
    assert len(drawn) == len(expected)
    for want, got in zip(sorted(expected), sorted(drawn)):
        assert want[:2] == got[:2]
        assert all(abs(a - b) < CELL_BOX_TOLERANCE_PT for a, b in zip(want[2:], got[2:])), (want, got)


def test_cells_of_a_failing_check_are_red_repaired_cells_amber_unreadable_cells_grey_the_rest_neutral(damaged_pdf, damaged_text):
    for written in (damaged_pdf, damaged_text):
        by_label: dict[str, set[str]] = {}
        for element in written.outlines().values():
            label = written.data["cells"][int(element["data-i"])]["label"]
            by_label.setdefault(label, set()).add(next(c for c in element["class"].split() if c.startswith("s-")))
        failing = {label_of_address(a) for r in written.report.results if r["status"] == "fail" for a in r["cells"].split(";") if a}
        repaired = {label_of_address(f"{r.table}|{r.side}|{r.code or r.name}|{r.measure}") for r in written.report.repairs} - failing
        unreadable = {problem_label(p) for p in written.manifest["unreadable"]}
        assert failing and (repaired or unreadable)
        for label, states in by_label.items():
            expected = next(state for state, labels in (("s-fail", failing), ("s-repaired", repaired), ("s-unreadable", unreadable),
                                                          ("s-neutral", None)) if labels is None or label in labels)
            assert states == {expected}, label
    assert damaged_pdf.manifest["unreadable"] and damaged_text.report.repairs  # both colours were seen


def test_an_unreadable_cell_of_a_pdf_is_drawn_at_its_box(damaged_pdf):
    problem = damaged_pdf.manifest["unreadable"][0]
    label = problem_label(problem)
    element = damaged_pdf.outlines()[f"c{cell_index(damaged_pdf, label)}"]
    assert "s-unreadable" in element["class"] and percent_style(element["style"])["width"] > 0
    details = damaged_pdf.data["cells"][int(element["data-i"])]
    assert details["raw"] == problem["as_printed"] and "value" not in details and details["problem"] == problem["problem"]


def test_a_cell_carries_what_was_read_its_value_its_source_and_its_checks_with_their_figures(putuo):
    k, check = first_failing_check(putuo)
    label = label_of_address(check["cells"].split(";")[0])
    cell = next(c for lab, c in cell_labels(putuo.doc) if lab == label)
    details = putuo.data["cells"][cell_index(putuo, label)]
    assert details["raw"] == cell.raw and details["value"] == f"{cell.value:.2f}"
    assert details["source"] == "text-layer" and details["page"] == cell.page
    assert k in details["checks"]
    item = re.search(rf'<li class="check s-fail" id="k{k}">(.*?)</li>', putuo.html, re.S).group(1)
    assert f"expected {check['expected']} · actual {check['actual']} · difference {check['difference']}" in item


def test_a_repaired_cell_says_what_was_read_what_it_became_how_and_on_which_evidence(damaged_text):
    repair = next(r for r in damaged_text.report.repairs if r.table == "t03")
    label = label_of_address(f"{repair.table}|{repair.side}|{repair.code}|{repair.measure}")
    details = damaged_text.data["cells"][cell_index(damaged_text, label)]
    assert details["raw"] == "45.00 35.00" and details["value"] == repair.repaired
    assert details["repair"] == {"as_read": "45.00 35.00", "repaired": repair.repaired, "how": repair.how,
                                 "evidence": repair.identities, "confidence": repair.confidence}
    assert details["source"] == "text-export" and isinstance(details["line"], int)


# ---------------------------------------------------------------- the checks list


def test_checks_are_listed_fail_first_then_by_category_each_linking_to_its_cell_and_pages(putuo):
    statuses = [e["class"].split()[1] for e in putuo.elements if e["tag"] == "details" and "status" in e.get("class", "")]
    assert statuses == [f"s-{s}" for s in STATUSES if s in {r["status"] for r in putuo.report.results}]
    assert "open" in next(e for e in putuo.elements if e.get("class") == "status s-fail")
    k, check = first_failing_check(putuo)
    go = next(e for e in putuo.elements if e.get("class") == "go" and e.get("data-k") == str(k))
    target = putuo.outlines()[go["href"].lstrip("#")]
    assert putuo.data["cells"][int(target["data-i"])]["label"] == label_of_address(check["cells"].split(";")[0])
    item = re.search(rf'id="k{k}">(.*?)</li>', putuo.html, re.S).group(1)
    assert all(f'href="#p{p}"' in item for p in check["pages"].split(","))


def test_a_check_without_cells_links_to_the_page_it_names(putuo):
    k, check = next((i, r) for i, r in enumerate(putuo.report.results) if r["status"] == "fail" and not r["cells"] and r["pages"])
    go = next(e for e in putuo.elements if e.get("class") == "go" and e.get("data-k") == str(k))
    assert go["href"] == f"#p{check['pages'].split(',')[0]}"


# ---------------------------------------------------------------- text exports


def test_a_text_export_is_shown_as_html_tables_with_the_same_colours(damaged_text):
    assert not (damaged_text.folder / "pages").exists()
    sections = [e["id"] for e in damaged_text.elements if e["tag"] == "section" and e.get("class") == "table-view"]
    assert sections == [f"t-{t}" for t in damaged_text.doc.tables]
    cells = damaged_text.outlines()
    assert cells and all(e["tag"] == "a" and "style" not in e for e in cells.values())
    assert {c for e in cells.values() for c in e["class"].split() if c.startswith("s-")} >= {"s-fail", "s-repaired", "s-neutral"}


def test_codes_joined_or_completed_in_a_text_export_are_marked_with_what_was_read(caidian):
    repaired_codes = [e for e in caidian.elements if e["tag"] == "td" and e.get("class") == "code s-repaired"]
    assert repaired_codes and all(e["title"].startswith("as read: ") for e in repaired_codes)
    assert any("201329 9" in e["title"] for e in repaired_codes)


# ---------------------------------------------------------------- geometry of turned pages


def turned_copy(source: Path, target: Path) -> Path:
    """The same pages with their content drawn a quarter turn counter-clockwise and /Rotate 90 set, as landscape
    tables are often published: a viewer shows them exactly as the original."""
    original, turned = pdfium.PdfDocument(str(source)), pdfium.PdfDocument.new()
    for index in range(len(original)):
        width, height = original[index].get_size()
        content = original.page_as_xobject(index, turned).as_pageobject()
        content.transform(pdfium.PdfMatrix().rotate(90, ccw=True).translate(height, 0))
        page = turned.new_page(height, width)
        page.insert_obj(content)
        page.gen_content()
        page.set_rotation(90)
    turned.save(str(target))
    return target


def test_a_page_turned_by_rotate_is_outlined_as_a_viewer_shows_it(damaged_sources, tmp_path):
    upright = write_report(damaged_sources[1], tmp_path / "upright")
    turned = write_report(turned_copy(damaged_sources[1], tmp_path / "turned.pdf"), tmp_path / "turned")

    def positions(written: Written) -> dict[str, str]:
        cells = written.data["cells"]
        return {cells[int(e["data-i"])]["label"]: e["style"] for e in written.outlines().values() if e.get("style")}

    sizes = page_sizes(upright.source)
    wider_than_the_page = {t.id for t in upright.doc.tables.values() for _, _, c in t.cells()
                           if c.box and not on_page(c.box, sizes[c.page])}
    same = {label for label in positions(upright).keys() & positions(turned).keys() if label.split("[")[0] not in wider_than_the_page}
    assert len(same) > 20
    assert {label: positions(turned)[label] for label in same} == {label: positions(upright)[label] for label in same}


def scan_key_boxes(name: str, page: int) -> dict[str, tuple[float, float, float, float]]:
    """Texts printed once on a scanned page, with where the scan shows them (from the answer key beside the scan)."""
    record = json.loads((SCANS / f"{name}.json").read_text(encoding="utf-8"))["pages"][page - 1]
    rows = [r for r in read_csv(SCANS / f"{name}.cells.csv") if int(r["page"]) == page and r["text"].strip()]
    unique = [r for r in rows if sum(1 for other in rows if other["text"] == r["text"]) == 1]
    boxes = {}
    for r in unique:
        corners = [source_to_scan((float(x), float(y)), record) for x in (r["x0"], r["x1"]) for y in (r["top"], r["bottom"])]
        boxes[r["text"]] = (min(c[0] for c in corners), min(c[1] for c in corners), max(c[0] for c in corners), max(c[1] for c in corners))
    return boxes


def test_cells_read_by_ocr_from_turned_scans_are_outlined_where_the_scan_shows_them(tmp_path):
    written = write_report(SCANS / "caizhengju_scan.pdf", tmp_path)
    sizes = page_sizes(written.source)
    cells = written.data["cells"]
    keys = {page: scan_key_boxes("caizhengju_scan", page) for page in sizes}
    checked = 0
    for element in written.outlines().values():
        details = cells[int(element["data-i"])]
        key = keys[details["page"]].get(details["raw"])
        if key is None or not element.get("style"):
            continue
        assert details["source"].startswith("ocr (confidence ")
        width, height = sizes[details["page"]]
        p = percent_style(element["style"])
        centre = ((p["left"] + p["width"] / 2) * width / 100, (p["top"] + p["height"] / 2) * height / 100)
        assert key[0] <= centre[0] <= key[2] and key[1] <= centre[1] <= key[3], (details["label"], centre, key)
        checked += 1
    assert checked > 20 and {c["page"] for c in cells} == {1, 2}  # the page turned a quarter and the page upside down


# ---------------------------------------------------------------- escaping


def test_every_text_is_escaped_and_the_embedded_data_cannot_end_its_script(damaged_pdf):
    html = damaged_pdf.html
    assert HOSTILE_DEPARTMENT not in html and '<b>"=HYPERLINK' not in html and "window.hacked=1</script>" not in html
    assert "江城市&lt;/script&gt;&lt;script&gt;window.hacked=1&lt;/script&gt;" in html
    assert [e for e in damaged_pdf.elements if e["tag"] == "script"] == [{"tag": "script", "type": "application/json", "id": "report-data"},
                                                                        {"tag": "script"}]
    encoded = script_json({"raw": "</script><!-- & \u2028"})
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded and "\u2028" not in encoded
    assert json.loads(encoded) == {"raw": "</script><!-- & \u2028"}


# ---------------------------------------------------------------- the batch index


@pytest.fixture(scope="module")
def index(out, putuo, damaged_pdf, damaged_text, caidian) -> Path:
    never_reported = out / "pdf" / "written-with-no-html"
    never_reported.mkdir(parents=True)
    documents = [w.summary() for w in (putuo, damaged_pdf, damaged_text, caidian)]
    documents.append({**putuo.summary(), "doc_id": "written-with-no-html", "folder": str(never_reported)})
    errors = [{"file": "in/<img src=x onerror=alert(1)>.pdf", "stage": "read", "kind": "corrupt", "message": '=HYPERLINK("http://x")'}]
    write_batch_index(out, documents, errors)
    return out / "index.html"


def test_the_index_lists_every_document_with_its_verdict_counts_and_a_link_to_its_report(index, putuo):
    html = index.read_text(encoding="utf-8")
    rows = [r for r in re.findall(r"<tr>(.*?)</tr>", html, re.S) if "<td" in r]
    assert len(rows) == 5 + 1  # documents, errors
    putuo_row = next(r for r in rows if putuo.manifest["doc_id"] in r)
    counts = putuo.summary()
    cells = re.findall(r"<td[^>]*>(.*?)</td>", putuo_row, re.S)
    assert [re.sub("<[^>]+>", "", c) for c in cells[:11]] == [
        counts["doc_id"], counts["department"], str(counts["year"]), counts["verdict"],
        *(str(counts[k]) for k in ("fail", "warn", "rounding", "pass", "skipped", "repairs")), str(counts["pages"])]
    links = [e["href"] for e in parse_elements(html) if e["tag"] == "a"]
    assert len(links) == 4  # the folder written without a report has no link
    assert all(not urlparse(link).scheme and (index.parent / unquote(link)).is_file() for link in links)


def test_the_index_lists_the_errors_escaped_and_sorts_by_any_column(index):
    html = index.read_text(encoding="utf-8")
    assert "<img src=x" not in html and "in/&lt;img src=x onerror=alert(1)&gt;.pdf" in html
    assert "=HYPERLINK(&quot;http://x&quot;)" in html
    headers = [e for e in parse_elements(html) if e["tag"] == "th"]
    assert len(headers) == 12 + 4 and all(h["aria-sort"] == "none" for h in headers)


# ---------------------------------------------------------------- juesuan open


def test_open_finds_the_index_of_an_output_folder_and_the_report_of_a_document_folder(index, putuo, tmp_path):
    (putuo.folder / "manifest.json").write_text(json.dumps(putuo.manifest, default=str), encoding="utf-8")
    assert report_path(index.parent) == index
    assert report_path(putuo.folder) == putuo.folder / "report.html"
    (tmp_path / "doc").mkdir()
    (tmp_path / "doc" / "manifest.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ReportNotFound, match="report.html not found"):
        report_path(tmp_path / "doc")
    with pytest.raises(ReportNotFound, match="neither an output folder"):
        report_path(tmp_path)
    with pytest.raises(ReportNotFound, match="no such output folder"):
        report_path(tmp_path / "absent")


def test_open_uses_a_browser_only_when_there_is_one(index, monkeypatch):
    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    for name in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    if sys.platform.startswith("linux"):
        assert open_in_browser(index) is False and opened == []
    monkeypatch.setenv("BROWSER", "true")
    assert open_in_browser(index) is True and opened == [index.resolve().as_uri()]


# ---------------------------------------------------------------- in a real browser


BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM = next((path for name in BROWSER_NAMES if (path := shutil.which(name))), None)
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on PATH (Debian: apt-get install chromium)")


class WebSocket:
    """The client side of RFC 6455, as much as the DevTools protocol needs: masked text frames out, frames in."""

    def __init__(self, url: str, timeout: float = 30):
        parts = urlparse(url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {parts.path} HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._chunk()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError(head.decode(errors="replace"))

    def _chunk(self) -> bytes:
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("the browser closed the DevTools connection")
        return chunk

    def _read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            self.buffer += self._chunk()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def send(self, message: str) -> None:
        payload, mask = message.encode(), os.urandom(4)
        n = len(payload)
        if n < 126:
            length = bytes([0x80 | n])
        elif n < 1 << 16:
            length = bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            length = bytes([0x80 | 127]) + struct.pack(">Q", n)
        self.sock.sendall(b"\x81" + length + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def receive(self) -> str:
        message = b""
        while True:
            first, second = self._read(2)
            n = second & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            if first & 0x0F == 8:
                raise ConnectionError("the browser closed the DevTools connection")
            if first & 0x0F in (0, 1):
                message += payload
                if first & 0x80:
                    return message.decode()


class Browser:
    """Headless chromium driven over the DevTools protocol: open a page, run script in it, collect its errors."""

    def __init__(self, binary: str, profile: Path, width: int = 1400, height: int = 900):
        self.log = (profile.parent / "chromium.log").open("w")
        self.process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
             f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=self.log)
        self.events: list[dict] = []
        self.next_id = 0
        try:
            self.ws = WebSocket(self._page_socket(profile / "DevToolsActivePort"))
            for domain in ("Page", "Runtime", "Log"):
                self.call(f"{domain}.enable")
            self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        except Exception:
            self.process.kill()
            raise

    def _page_socket(self, port_file: Path) -> str:
        deadline = time.monotonic() + 30
        while not (port_file.is_file() and "\n" in port_file.read_text()):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"chromium did not open its DevTools port (see {self.log.name})")
            time.sleep(0.05)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
            return next(t["webSocketDebuggerUrl"] for t in json.load(response) if t["type"] == "page")

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.receive())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def open(self, path: Path, fragment: str = "") -> None:
        self.events.clear()
        self.call("Page.navigate", url=path.resolve().as_uri() + fragment)
        while not any(e.get("method") in ("Page.loadEventFired", "Page.navigatedWithinDocument") for e in self.events):
            self.events.append(json.loads(self.ws.receive()))

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(result["exceptionDetails"])
        return result["result"].get("value")

    def errors(self) -> list[str]:
        """Uncaught exceptions, console errors and failed loads (a missing image) since the page was opened."""
        self.evaluate("0")  # flush the events the page sent so far
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                found.append(details.get("exception", {}).get("description") or details["text"])
            elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                found.append(" ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(f"{params['entry']['text']} {params['entry'].get('url', '')}")
        return found

    def screenshot(self, path: Path) -> Path:
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))
        print(f"\nscreenshot: {path}")
        return path

    def close(self) -> None:
        try:
            self.call("Browser.close")
            self.process.wait(timeout=10)
        except Exception:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    session = Browser(CHROMIUM, tmp_path_factory.mktemp("chromium") / "profile")
    yield session
    session.close()


def rect(browser: Browser, selector: str) -> dict:
    return browser.evaluate(f"(() => {{ const r = document.querySelector({json.dumps(selector)}).getBoundingClientRect(); "
                            "return {left: r.left, top: r.top, width: r.width, height: r.height}; })()")


def settle(browser: Browser) -> None:
    """Let the page handle what the last action queued (hashchange, scrolling)."""
    browser.evaluate("new Promise(done => requestAnimationFrame(() => setTimeout(done, 50)))")


def all_images_load(browser: Browser) -> bool:
    return browser.evaluate("Promise.all([...document.images].map(i => { i.loading = 'eager'; return i.decode(); })).then(() => true)")


@needs_chromium
def test_in_chromium_a_failing_cell_is_drawn_red_at_its_box_and_its_check_leads_to_it(browser, putuo, tmp_path):
    browser.open(putuo.folder / "report.html")
    assert all_images_load(browser)
    k, check = first_failing_check(putuo)
    label = label_of_address(check["cells"].split(";")[0])
    index = cell_index(putuo, label)
    cell = next(c for lab, c in cell_labels(putuo.doc) if lab == label)
    width_pt, height_pt = page_sizes(putuo.source)[cell.page]

    browser.evaluate(f"document.querySelector('a.go[data-k=\"{k}\"]').click()")
    settle(browser)
    outline, image = rect(browser, f"#c{index}"), rect(browser, f"#p{cell.page} img")
    scale = image["width"] / width_pt
    assert abs(image["height"] - height_pt * scale) < 1
    x0, top, x1, bottom = cell.box
    assert abs(outline["left"] - (image["left"] + x0 * scale)) < 1 and abs(outline["top"] - (image["top"] + top * scale)) < 1
    assert abs(outline["width"] - (x1 - x0) * scale) < 1 and abs(outline["height"] - (bottom - top) * scale) < 1
    assert 0 <= outline["top"] and outline["top"] + outline["height"] <= 900  # scrolled to
    assert browser.evaluate(f"getComputedStyle(document.getElementById('c{index}')).borderTopColor") == RED
    assert browser.evaluate(f"document.getElementById('c{index}').classList.contains('involved')")

    details = browser.evaluate("(() => { const d = document.getElementById('details'); return d.hidden ? null : d.innerText; })()")
    assert details is not None
    for shown in (label, cell.raw, "text-layer", check["check_id"], f"expected {check['expected']}"):
        assert shown in details
    browser.screenshot(tmp_path / "putuo_report.png")

    other = next(i for i, c in enumerate(putuo.data["cells"]) if c["label"] != label and c["page"] == cell.page)
    browser.evaluate(f"document.getElementById('c{other}').click()")  # pins another cell's details, without scrolling away
    settle(browser)
    assert browser.evaluate("location.hash") == f"#c{other}"
    assert browser.evaluate("document.querySelector('#details h2').textContent") == putuo.data["cells"][other]["label"]
    assert browser.errors() == []


@needs_chromium
def test_in_chromium_hostile_names_stay_text_and_unreadable_cells_are_grey(browser, damaged_pdf, tmp_path):
    browser.open(damaged_pdf.folder / "report.html")
    assert all_images_load(browser)
    assert browser.evaluate("typeof window.hacked") == "undefined"
    assert damaged_pdf.doc.raw.department.startswith("江城市</script><script>window.hacked=1</script>")
    assert browser.evaluate("document.querySelector('h1').textContent").startswith(damaged_pdf.doc.raw.department)
    grey = browser.evaluate("[...document.querySelectorAll('a.cell.s-unreadable')].map(e => getComputedStyle(e).borderTopColor)")
    assert grey and set(grey) == {GREY}
    browser.evaluate("document.querySelector('a.cell.s-unreadable').scrollIntoView({block: 'center'})")
    assert browser.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")  # t09 runs past its page
    browser.screenshot(tmp_path / "damaged_pdf_report.png")
    assert browser.errors() == []


@needs_chromium
def test_in_chromium_hovering_a_repaired_table_cell_of_a_text_export_shows_its_repair(browser, damaged_text, tmp_path):
    browser.open(damaged_text.folder / "report.html")
    browser.evaluate("(() => { const c = document.querySelector('a.cell.s-repaired'); c.scrollIntoView({block: 'center'});"
                     " c.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})); })()")
    assert browser.evaluate("getComputedStyle(document.querySelector('a.cell.s-repaired')).borderTopColor") == AMBER
    details = browser.evaluate("document.getElementById('details').innerText")
    assert "45.00 35.00" in details and "repaired" in details and "text-export" in details
    browser.screenshot(tmp_path / "damaged_text_report.png")
    assert browser.errors() == []


@needs_chromium
def test_in_chromium_the_index_sorts_by_the_clicked_column(browser, index, tmp_path):
    browser.open(index)
    fail_column = "[...document.querySelectorAll('table.documents tbody tr')].map(r => Number(r.cells[4].textContent))"
    browser.evaluate("document.querySelectorAll('table.documents th button')[4].click()")
    ascending = browser.evaluate(fail_column)
    assert ascending == sorted(ascending)
    browser.evaluate("document.querySelectorAll('table.documents th button')[4].click()")
    assert browser.evaluate(fail_column) == sorted(ascending, reverse=True)
    browser.screenshot(tmp_path / "index.png")
    assert browser.errors() == []
