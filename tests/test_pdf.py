"""Text-layer PDFs: real published layouts (fixtures cropped from the corpus) and generated province layouts."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import random

import pdfplumber
import pytest
from pdfplumber.utils import crop_to_bbox

from check.run import check_document
from extract import extract_document
from extract.lines import page_lines
from extract.model import InputError
from extract.pdf import _cropped, _text_lines, extract_pdf
from normalize.document import normalize_document

from conftest import CAIDIAN, FIXTURES, ROOT, read_csv
from layouts import province_layout
from synthetic import build

PDF = FIXTURES / "pdf"
NINE = [f"t{i:02d}" for i in range(1, 10)]

# Each real document, the pages of its tables, and the failures that are the document's own errors.
CORPUS = {
    "putuo_caizhengju_2024_p1-21.pdf": (
        {"t01": [6, 7], "t02": [8, 9], "t03": [10, 11], "t04": [12, 13], "t05": [15], "t06": [16, 17], "t07": [19], "t08": [20], "t09": [18]},
        # the 说明 states 财政拨款收入支出总计 0.3万元 (t04 says 2961.68), and 一般公共服务支出 2106.66万元 as 71.73%
        # of 2940.05 (it is 71.65%; the stated shares add up to 100.07%)
        {"N-T04", "N-SHARE"},
    ),
    "putuo_shehuigongzuobu_2024.pdf": (
        {"t01": [5], "t02": [6, 7], "t03": [8, 9], "t04": [10, 11], "t05": [12], "t06": [13], "t07": [15], "t08": [16], "t09": [14]},
        set(),  # 完成年初预算的95.89% is 决算 ÷ 全年预算 (the 年初预算 is 0): a warning, not a contradiction
    ),
    "guojia_xinfangju_2024.pdf": (
        {"t01": [7], "t02": [8], "t03": [9], "t04": [10], "t05": [11], "t06": [12], "t07": [13], "t08": [14], "t09": [15]},
        set(),
    ),
    "shanghai_template_2024.pdf": (None, set()),
}


@pytest.fixture(scope="module")
def corpus_docs():
    docs = {}
    for name in CORPUS:
        doc = normalize_document(extract_pdf(PDF / name))
        docs[name] = (doc, check_document(doc, repair=True))
    return docs


@pytest.mark.parametrize("name", list(CORPUS))
def test_all_nine_tables_are_found_on_their_pages(corpus_docs, name):
    doc, _ = corpus_docs[name]
    assert sorted(doc.tables) == NINE
    pages, _ = CORPUS[name]
    if pages:
        assert {tid: t.pages for tid, t in doc.tables.items()} == pages


@pytest.mark.parametrize("name", list(CORPUS))
def test_identities_hold_except_the_documents_own_errors(corpus_docs, name):
    _, report = corpus_docs[name]
    failing = {r["check_id"] for r in report.results if r["status"] == "fail"}
    assert failing == CORPUS[name][1]
    assert report.repairs == []  # a text layer is never repair's to change


VERDICTS = {"putuo_caizhengju_2024_p1-21.pdf": "fail", "putuo_shehuigongzuobu_2024.pdf": "warn", "guojia_xinfangju_2024.pdf": "rounding",
            "shanghai_template_2024.pdf": "empty"}


@pytest.mark.parametrize("name", list(CORPUS))
def test_each_corpus_document_gets_its_verdict(corpus_docs, name):
    _, report = corpus_docs[name]
    assert report.verdict == VERDICTS[name]
    if name == "putuo_shehuigongzuobu_2024.pdf":
        [rate] = [r for r in report.results if r["status"] == "warn"]
        assert rate["check_id"] == "N-RATE" and "全年预算" in rate["reason"] and "却写作完成年初预算" in rate["reason"]


def test_the_template_yields_nine_found_but_empty_tables(corpus_docs):
    doc, _ = corpus_docs["shanghai_template_2024.pdf"]
    assert all(not any(c.value is not None for _, _, c in t.cells()) for t in doc.tables.values())
    assert doc.raw.department == "上海市XX局"


def test_three_column_codes_and_continuations(corpus_docs):
    doc, _ = corpus_docs["putuo_caizhengju_2024_p1-21.pdf"]
    t02 = doc.tables["t02"]
    assert [r.code for r in t02.rows][:4] == [None, "201", "20106", "2010601"]
    assert t02.rows[3].values["本年收入合计"].value == __import__("decimal").Decimal("1511.90")
    t01 = doc.tables["t01"]  # continues on page 7 without a title
    total = next(r for r in t01.rows if r.side == "收入" and r.name == "总计")
    assert (str(total.values["收入/决算数"].value), total.page) == ("2995.39", 7)
    t05 = doc.tables["t05"]  # 合计 printed at the bottom
    assert t05.rows[-1].name == "合计" and str(t05.rows[-1].values["小计"].value) == "2940.05"
    t09 = doc.tables["t09"].rows[0].values  # three-level header, 预算数/决算数 per item
    assert str(t09["预算数/公务接待费"].value) == "0.95" and "决算数/公务接待费" not in t09


def test_narrative_numbers_stay_inline_despite_the_lower_baseline(corpus_docs):
    doc, _ = corpus_docs["putuo_caizhengju_2024_p1-21.pdf"]
    text = "".join(b.text for b in doc.raw.narrative if b.page == 21)
    assert "收入支出总计2995.39万元" in text
    assert "基本支出2336.91万元，占79.49%" in text


def test_metadata_from_cover_and_captions(corpus_docs):
    doc, _ = corpus_docs["guojia_xinfangju_2024.pdf"]
    assert (doc.raw.department, doc.raw.year, doc.raw.unit) == ("国家信访局", 2024, "万元")
    assert doc.tables["t01"].identified_by == "title" and doc.raw.tables[0].marker == "1"
    kinds = doc.raw.page_kinds
    assert kinds[7] == "table" and kinds[1] == "cover" and "narrative" in kinds.values()


def test_engines_agree_on_real_tables():
    path = PDF / "guojia_xinfangju_2024.pdf"
    facts = {}
    for engine in ("pdfplumber", "camelot"):
        doc = normalize_document(extract_pdf(path, engine=engine))
        facts[engine] = {(t.id, r.side, r.code or r.name, m): c.value for t in doc.tables.values() if t.id in ("t02", "t06")
                         for r, m, c in t.cells() if c.value is not None}
    assert len(facts["pdfplumber"]) > 60
    assert facts["pdfplumber"] == facts["camelot"]


def facts_of(doc):
    return {(t.id, r.side, r.code or r.name, m): c.value for t in doc.tables.values() for r, m, c in t.cells() if c.value is not None}


@pytest.fixture(scope="module")
def province_pdf(tmp_path_factory):
    return province_layout(tmp_path_factory.mktemp("layout") / "province.pdf")


def test_province_layout_yields_the_same_facts_as_the_text(province_pdf, tmp_path):
    text = tmp_path / "same.md"
    text.write_text(build(), encoding="utf-8")
    from_text = facts_of(normalize_document(extract_document(text)))
    doc = normalize_document(extract_pdf(province_pdf))
    assert sorted(doc.tables) == NINE
    assert facts_of(doc) == from_text


def test_province_layout_features(province_pdf):
    doc = normalize_document(extract_pdf(province_pdf))
    assert doc.tables["t02"].pages == [2, 3, 4]  # title and header repeated on every page, joined once
    assert doc.tables["t03"].identified_by in ("signature", "marker")  # printed without a title
    assert doc.tables["t09"].pages[0] < doc.tables["t07"].pages[0]  # 三公 before 基金
    assert doc.tables["t08"].declared_empty
    assert doc.raw.department == "某某局"
    assert not [d for t in doc.tables.values() for d in t.dropped if "values without" in d.reason]


def test_a_table_without_title_or_marker_is_found_by_its_header(tmp_path):
    from tools.typeset import HeaderCell as H
    from tools.typeset import TableSpec, typeset

    spec = TableSpec(None, [[H("科目编码"), H("科目名称"), H("本年支出合计"), H("基本支出"), H("项目支出")]],
                     [["", "合计", "10.00", "4.00", "6.00"], ["201", "一般公共服务支出", "10.00", "4.00", "6.00"]], [60, 150, 70, 70, 70])
    doc = normalize_document(extract_pdf(typeset(tmp_path / "t03.pdf", [spec])))
    assert list(doc.tables) == ["t03"] and doc.tables["t03"].identified_by == "signature"


@pytest.fixture(scope="module")
def twin(tmp_path_factory):
    from tools.caidian_twin import make_twin

    return make_twin(tmp_path_factory.mktemp("twin") / "caidian_twin.pdf")


def test_caidian_twin_extracts_to_the_text_exports_facts(twin):
    text_doc = normalize_document(extract_document(CAIDIAN))
    check_document(text_doc, repair=True)
    pdf_doc = normalize_document(extract_pdf(twin))
    report = check_document(pdf_doc, repair=True)
    from_pdf, from_text = facts_of(pdf_doc), facts_of(text_doc)
    # printed empty in both; the text export's repair fills it from the identities and the 说明, the PDF's text layer is kept
    assert set(from_text) - set(from_pdf) == {("t06", "", "公用经费合计", "决算数")} and not set(from_pdf) - set(from_text)
    assert {k: v for k, v in from_text.items() if k in from_pdf} == from_pdf
    assert report.repairs == []  # in the PDF the empty cell stays empty: the 说明 contradicts the table
    assert any(r["check_id"] == "N-T06" and r["status"] == "fail" for r in report.results)


def test_caidian_twin_has_the_printed_damage_features(twin):
    import pdfplumber

    with pdfplumber.open(twin) as pdf:
        cells = [c for page in pdf.pages for t in page.extract_tables() for row in t for c in row if c]
    assert "201329\n9" in cells  # the code wraps in its narrow column
    assert any("，" in c and "．" in c for c in cells)  # full-width separators
    doc = normalize_document(extract_pdf(twin))
    assert len(doc.tables["t02"].pages) == 2 and len(doc.tables["t03"].pages) == 2  # over a page break


def make_bad_pdfs(folder: Path) -> dict[str, str]:
    """One file of every kind a batch meets that cannot be converted, and the error kind each must give."""
    from PIL import Image
    from reportlab.pdfgen import canvas

    from tools.typeset import FONT

    c = canvas.Canvas(str(folder / "letter.pdf"))
    c.setFont(FONT, 12)
    c.drawString(72, 700, "关于召开年度工作会议的通知")
    c.save()
    c = canvas.Canvas(str(folder / "locked.pdf"), encrypt="secret")
    c.drawString(72, 700, "locked")
    c.save()
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 200)
    (folder / "fake.pdf").write_text("just text, not a PDF", encoding="utf-8")
    (folder / "zero.pdf").write_bytes(b"")
    (folder / "truncated.pdf").write_bytes((PDF / "putuo_shehuigongzuobu_2024.pdf").read_bytes()[:4000])
    picture = folder / ".scan.png"
    Image.new("L", (200, 200), 255).save(picture)
    c = canvas.Canvas(str(folder / "scanned.pdf"))
    c.drawImage(str(picture), 50, 400, 300, 300)
    c.save()
    picture.unlink()
    c = canvas.Canvas(str(folder / "long.pdf"))
    for n in range(500):
        c.setFont(FONT, 10)
        c.drawString(72, 700, f"第{n + 1}页 会议纪要正文，不是决算。")
        c.showPage()
    c.save()
    return {"letter.pdf": "not-juesuan", "locked.pdf": "encrypted", "broken.pdf": "corrupt", "fake.pdf": "not-pdf",
            "zero.pdf": "not-pdf", "truncated.pdf": "corrupt", "scanned.pdf": "not-juesuan", "long.pdf": "not-juesuan"}  # a blank scan: OCR finds no 决算


def test_bad_pdfs_give_one_line_errors(tmp_path):
    for name, kind in make_bad_pdfs(tmp_path).items():
        with pytest.raises(InputError) as err:
            extract_document(tmp_path / name)
        assert err.value.kind == kind, name
        assert name in str(err.value) and "\n" not in str(err.value)


def test_a_folder_with_bad_pdfs_still_converts_the_good_ones(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.pdf").write_bytes((PDF / "putuo_shehuigongzuobu_2024.pdf").read_bytes())
    bad = make_bad_pdfs(folder)
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "juesuan.cli", "extract", str(folder), "--out", str(out), "--quiet"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1
    assert (out / "mixed" / "good" / "manifest.json").exists()
    errors = {Path(e["file"]).name: e for e in read_csv(out / "errors.csv")}
    assert set(errors) == set(bad)
    assert all(errors[name]["kind"] == kind and name in errors[name]["message"] for name, kind in bad.items())
    assert sorted(p.name for p in (out / "mixed").iterdir()) == ["good"]  # nothing half-written for the bad ones


def test_line_clustering_keeps_lower_set_digits_on_their_line():
    import pdfplumber

    from extract.lines import page_lines

    with pdfplumber.open(PDF / "putuo_caizhengju_2024_p1-21.pdf") as pdf:
        page = pdf.pages[20]
        assert "2995.39" not in page.extract_text().split("\n")[4]  # pdfplumber's default puts the number on its own line
        lines = page_lines(page)
    assert "上海市普陀区财政局2024年度收入支出总计2995.39万元。与2023年度相比，收入" in lines


def test_unidentified_ruled_tables_are_reported(corpus_docs):
    doc, _ = corpus_docs["guojia_xinfangju_2024.pdf"]  # its 绩效自评表 pages are ruled tables too
    assert any("not identified" in w for w in doc.raw.warnings)


def test_every_pdf_value_keeps_its_page_and_cell_position():
    import pdfplumber

    from write.tables import fact_rows

    path = PDF / "putuo_shehuigongzuobu_2024.pdf"
    rows = fact_rows(normalize_document(extract_pdf(path)), "doc")
    assert rows and all(r["page"] and r["bbox"] for r in rows)
    with pdfplumber.open(path) as pdf:
        for row in rows[::25]:
            x0, top, x1, bottom = map(float, row["bbox"].split())
            text = pdf.pages[row["page"] - 1].crop((x0, top, x1, bottom)).extract_text()
            assert text.replace(",", "").replace("\n", "").strip() == f"{row['value']:.2f}"


def test_a_total_row_reprinted_on_each_continuation_page_is_kept_once_and_listed(tmp_path):
    from tools.typeset import HeaderCell as H
    from tools.typeset import TableSpec, typeset

    items = [[f"2010{i:03d}"[:7], f"项目{i}", "1.00", "1.00", ""] for i in range(1, 61)]
    rows = [["", "合计", "60.00", "60.00", ""]] + items
    spec = TableSpec("一般公共预算财政拨款支出决算表", [[H("科目编码"), H("科目名称"), H("小计"), H("基本支出"), H("项目支出")]], rows,
                     [60, 150, 70, 70, 70], "部门：江城市数据局", "公开05表  单位：万元", repeat_rows=1)
    pdf = typeset(tmp_path / "long_t05.pdf", [spec])
    doc = normalize_document(extract_pdf(pdf))
    t05 = doc.tables["t05"]
    assert len(t05.pages) >= 2
    assert [r.name for r in t05.rows].count("合计") == 1
    repeated = [d for d in t05.dropped if "repeated on a continuation page" in d.reason]
    assert len(repeated) == len(t05.pages) - 1 and all(d.page != t05.pages[0] for d in repeated)
    report = check_document(doc, repair=False)
    assert not [r for r in report.results if r["check_id"] == "DOC-DUPLICATE" and r["status"] != "pass"]


def test_a_text_export_that_prints_a_table_twice_keeps_its_total_row_once(tmp_path):
    from synthetic import build

    text = build()
    start = text.index("## 2024年度一般公共预算财政拨款支出决算表")
    block = text[start: text.index("## ", start + 5)]
    again = block[: block.index("201\t")]  # title, captions, header and the 合计 row again, then the rest
    text = text.replace(block, block[: block.index("221\t")] + "\n" + again + block[block.index("221\t"):])
    path = tmp_path / "twice.md"
    path.write_text(text, encoding="utf-8")
    doc = normalize_document(extract_document(path))
    assert [r.name for r in doc.tables["t05"].rows].count("合计") == 1
    assert any("repeated on a continuation page" in d.reason for d in doc.tables["t05"].dropped)


def test_the_department_is_read_from_the_part_headings_when_two_agree():
    """A scanned cover OCR cannot read still leaves the standard part headings naming the department."""
    from extract.identify import department_from_headings

    headings = ["匙▲▲ 11、• 1Dè 】 陀区委社会工作ent1 J202411", "第一部分中共上海市普陀区委社会工作部概况", "一、 主要职能",
                "第二部分 中共上海市普陀区委社会工作部2024年度部门决算表", "第三部分中共上海市普陀区委社会工作部2024 年度部门决算情况说明"]
    assert department_from_headings(headings) == "中共上海市普陀区委社会工作部"
    assert department_from_headings(["第一部分 国家信访局概况 ...... 1", "第二部分 国家信访局 2024 年度部门决算表 ......4"]) == "国家信访局"
    assert department_from_headings(["第一部分 某某局概况"]) is None  # one heading alone is not enough
    assert department_from_headings(["第一部分 上海市 XX 局概况", "第三部分 上海市 XX 局2024年度部门决算情况说明"]) is None  # a placeholder


@pytest.mark.parametrize("pdf", sorted(FIXTURES.glob("pdf/*.pdf")), ids=lambda p: p.stem)
def test_the_lines_above_and_below_a_table_are_those_of_the_page_cropped_there(pdf):
    compared = 0
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            for table in page.find_tables():
                for region in ((0, 0, page.width, table.bbox[1]), (0, table.bbox[3], page.width, page.height),
                               (-5, table.bbox[1] + 3, page.width + 5, table.bbox[1] + 20)):
                    assert _text_lines(page, region) == page_lines(page.crop(
                        (max(0, region[0]), max(0, region[1]), min(page.width, region[2]), min(page.height, region[3])), strict=False))
                    compared += 1
            page.close()
    assert compared > 0


@pytest.mark.parametrize("seed", range(40))
def test_a_regions_characters_have_the_positions_pdfplumbers_crop_gives_them(seed):
    """Characters inside, across and outside the region's edges, empty, inverted or without a position."""
    rng = random.Random(seed)
    chars = []
    for _ in range(rng.randint(1, 30)):
        x0 = rng.choice([0, 5, 10, 10.5, 20, 50, 99.5, 100, 101, float("nan")])
        top = rng.choice([0, 10, 20, 30, 49, 50, 60])
        width, height = rng.choice([0, 3, 5, -1, 10]), rng.choice([0, 5, 10, -2])
        chars.append({"x0": x0, "x1": x0 + width, "top": top, "bottom": top + height, "text": rng.choice("一二3 4"), "doctop": top})
    region = (10, 20, 100, 50)
    position = lambda cs: repr([(c["x0"], c["x1"], c["top"], c["bottom"], c["text"]) for c in cs])  # noqa: E731  (repr: NaN equals NaN)
    assert position(_cropped(chars, region)) == position(crop_to_bbox(chars, region))
