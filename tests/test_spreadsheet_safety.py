"""What reaches a spreadsheet: no live formula, no character that loses a document, no footnote read as a digit."""
from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import pyarrow.parquet as pq
import pytest

from conftest import ROOT, read_csv
from synthetic import DEPARTMENT, build
from write.cells import neutralise, restore

FORMULA = '=HYPERLINK("http://example.com","点击")'


def run(*args):
    return subprocess.run([sys.executable, "-m", "juesuan.cli", *map(str, args)], capture_output=True, text=True, cwd=ROOT)


@pytest.mark.parametrize("text", [FORMULA, "+1+2", "-cmd", "@SUM(A1)", "\tx", "\rx", "'=already quoted"])
def test_formula_like_text_is_neutralised_and_restored_exactly(text):
    assert neutralise(text).startswith("'") and restore(neutralise(text)) == text


@pytest.mark.parametrize("text", ["-12.50", "+3", "1,234.00", "12.5%", "行政运行", "a-b"])
def test_numbers_and_plain_text_are_left_alone(text):
    assert neutralise(text) == text


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory):
    """A consistent document whose names carry a formula, a BEL, a zero-width space and a bidi mark, and whose
    amounts carry footnote markers."""
    text = build()
    text = text.replace(f"部门:{DEPARTMENT}", f"部门:{FORMULA}", 1)
    text = text.replace("2010601\t行政运行", "2010601\t@行政运行", 1)
    text = text.replace("2120803\t城市建设支出", "2120803\t城市建设\x07支出", 1)
    text = text.replace("2210201\t住房公积金", "2210201\t住房\u200b公积金\u202e", 1)
    text = text.replace("30101\t基本工资\t25.00", "30101\t基本工资\t25.00¹", 1)
    text = text.replace("30102\t津贴补贴\t15.00", "30102\t津贴补贴\t15.00②", 1)
    folder = tmp_path_factory.mktemp("in")
    (folder / "hostile.md").write_text(text, encoding="utf-8")
    out = tmp_path_factory.mktemp("out") / "out"
    done = run("extract", folder, "--out", out, "--quiet")
    assert done.returncode == 0, done.stderr
    return out, out / folder.name / "hostile"


def test_no_csv_cell_starts_a_formula(hostile_batch):
    out, doc = hostile_batch
    for path in list(doc.glob("*.csv")) + list(out.glob("*.csv")):
        for row in read_csv(path):
            for value in row.values():
                assert not value or not value.startswith(("=", "@", "+", "\t", "\r")) or value.lstrip("+-").replace(".", "").isdigit(), (path.name, value)
    facts = read_csv(out / "facts.csv")
    assert {f["department"] for f in facts} == {"'" + FORMULA}
    assert "'@行政运行" in {f["name"] for f in read_csv(doc / "facts.csv")}


def test_parquet_and_duckdb_keep_the_raw_text(hostile_batch):
    import duckdb

    out, doc = hostile_batch
    assert "@行政运行" in pq.read_table(doc / "facts.parquet").column("name").to_pylist()
    assert set(pq.read_table(out / "facts.parquet").column("department").to_pylist()) == {FORMULA}
    con = duckdb.connect(str(out / "juesuan.duckdb"), read_only=True)
    assert con.sql("SELECT DISTINCT department FROM documents").fetchall() == [(FORMULA,)]


def test_workbooks_hold_text_cells_never_formulas(hostile_batch):
    from openpyxl import load_workbook

    out, doc = hostile_batch
    for path in (doc / "hostile.xlsx", out / "juesuan.xlsx"):
        book = load_workbook(path)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, sheet.title, cell.coordinate, cell.value)
    book = load_workbook(out / "juesuan.xlsx")
    assert FORMULA in [c.value for row in book["文档"].iter_rows() for c in row]


def test_invisible_characters_are_removed_counted_and_never_lose_the_document(hostile_batch):
    _, doc = hostile_batch
    names = {f["name"] for f in read_csv(doc / "facts.csv")}
    assert {"城市建设支出", "住房公积金"} <= names
    manifest = json.loads((doc / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["text_hygiene"]["removed"] == {"control": 1, "bidi": 1, "zero-width": 1}


def test_footnote_markers_are_split_off_never_read_as_digits(hostile_batch):
    _, doc = hostile_batch
    facts = {(f["table"], f["code"]): f for f in read_csv(doc / "facts.csv")}
    assert Decimal(facts[("t06", "30101")]["value"]) == Decimal("25.00") and "¹" in facts[("t06", "30101")]["note"]
    assert Decimal(facts[("t06", "30102")]["value"]) == Decimal("15.00") and "②" in facts[("t06", "30102")]["note"]
