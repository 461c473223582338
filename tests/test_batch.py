"""Batch conversion: exit codes, resumability, Excel, DuckDB and the data package."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from decimal import Decimal

from conftest import CAIDIAN, FIXTURES, ROOT, read_csv

GOOD = [CAIDIAN, FIXTURES / "pdf" / "putuo_shehuigongzuobu_2024.pdf", FIXTURES / "pdf" / "shanghai_template_2024.pdf"]


def run(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "juesuan.cli", *map(str, args)], capture_output=True, text=True, cwd=ROOT, **kwargs)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("in") / "dept"
    folder.mkdir()
    for path in GOOD:
        shutil.copy(path, folder / path.name)
    out = tmp_path_factory.mktemp("out")
    done = run("extract", folder, "--out", out, "--workers", "2", "--quiet")
    assert done.returncode == 0, done.stderr
    return folder, out


def test_exit_codes(tmp_path):
    assert run("extract", tmp_path / "missing", "--out", tmp_path / "o").returncode == 2
    assert run("extract", CAIDIAN, "--out", tmp_path / "o", "--format", "pdf").returncode == 2
    broken = tmp_path / "in"
    broken.mkdir()
    (broken / "empty.pdf").write_bytes(b"")
    assert run("extract", broken, "--out", tmp_path / "o2", "--quiet").returncode == 1


def test_json_lines_for_scripts(tmp_path):
    done = run("extract", CAIDIAN, "--out", tmp_path / "o", "--json", "--format", "csv")
    line = json.loads(done.stdout.strip().splitlines()[0])
    assert line["ok"] and line["tables"] == 9 and line["checks"]["repairs"] > 0


def test_batch_outputs_cover_every_document(batch):
    _, out = batch
    facts = read_csv(out / "facts.csv")
    assert {f["doc_id"] for f in facts} == {"caidian_2024", "putuo_shehuigongzuobu_2024"}  # the template has no values
    first = next(f for f in facts if f["doc_id"] == "caidian_2024")
    assert first["department"] == "武汉市蔡甸区经济信息化和科技创新局(汇总)" and first["region"] == "武汉市蔡甸区"
    assert len(first["source_sha256"]) == 64 and first["year"] == "2024"
    assert first["admin_level"] == "区县" and first["unit"] == "万元"
    assert all(Decimal(f["value_yuan"]) == Decimal(f["value"]) * 10000 for f in facts if f["unit"] == "万元")
    summary = read_csv(out / "checks_summary.csv")
    verdicts = {s["doc_id"]: s["verdict"] for s in summary}
    assert verdicts == {"caidian_2024": "fail", "putuo_shehuigongzuobu_2024": "warn", "shanghai_template_2024": "empty"}
    assert read_csv(out / "errors.csv") == []


def test_documents_say_where_and_when_in_numbers_and_words(batch):
    import duckdb

    _, out = batch
    con = duckdb.connect(str(out / "juesuan.duckdb"), read_only=True)
    rows = con.sql("SELECT doc_id, region, level, province, year, pages FROM documents ORDER BY doc_id").fetchall()
    assert rows[0][:5] == ("caidian_2024", "武汉市蔡甸区", "区县", "湖北省", 2024)
    assert rows[1][:5] == ("putuo_shehuigongzuobu_2024", "上海市普陀区", "区县", "上海市", 2024) and rows[1][5] == 24
    types = dict(con.sql("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'documents'").fetchall())
    assert types["year"] == "INTEGER" and types["pages"] == "INTEGER"


def test_every_parquet_file_uses_one_decimal_type_for_amounts(batch):
    import pyarrow.parquet as pq

    _, out = batch
    for path in list(out.glob("*.parquet")) + list(out.glob("dept/*/*.parquet")):
        schema = pq.read_schema(path)
        kinds = {str(f.type) for f in schema if str(f.type).startswith("decimal")}
        assert kinds <= {"decimal128(24, 6)"}, (path.name, kinds)


def test_workbooks_show_codes_as_text_and_amounts_as_numbers(batch):
    from openpyxl import load_workbook

    _, out = batch
    book = load_workbook(out / "dept" / "caidian_2024" / "caidian_2024.xlsx")
    sheet = book[[n for n in book.sheetnames if n.startswith("t05")][0]]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["科目编码", "级次", "科目名称"] and sheet.freeze_panes == "A2"
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "2013299")
    assert isinstance(row[0].value, str) and row[0].number_format == "@"
    amount = row[header.index("小计")]
    assert isinstance(amount.value, float) and amount.value == 2.5 and amount.number_format == "#,##0.00"
    assert {"校验", "修复"} <= set(book.sheetnames)
    batch_book = load_workbook(out / "juesuan.xlsx", read_only=True)
    assert batch_book.sheetnames[:2] == ["文档", "明细"] and batch_book.sheetnames[-3:] == ["校验", "修复", "字段说明"]
    assert len(batch_book.sheetnames) == 14


def test_a_documents_workbook_opens_on_what_it_is_and_works_without_fixing(batch):
    from openpyxl import load_workbook

    _, out = batch
    book = load_workbook(out / "dept" / "caidian_2024" / "caidian_2024.xlsx")
    cover = {row[0].value: row[1].value for row in book["文档"].iter_rows()}
    assert book.sheetnames[0] == "文档"
    assert (cover["文档"], cover["部门"], cover["年度"], cover["单位"], cover["结论"]) == (
        "caidian_2024.md", "武汉市蔡甸区经济信息化和科技创新局(汇总)", 2024, "万元", "矛盾")
    facts = book["明细"]
    assert list(facts.tables) and facts.tables[next(iter(facts.tables))].ref.startswith("A1:")  # an Excel Table: autofilter, sorting
    header = [c.value for c in facts[1]]
    assert {"金额", "单位", "金额（元）", "科目编码"} <= set(header)
    assert facts.column_dimensions["F"].width > facts.column_dimensions["B"].width  # 科目名称 wider than 表
    checks = book["校验"]
    result = [c.value for c in checks[1]].index("结果")
    statuses = {row[result].value for row in checks.iter_rows(min_row=2)}
    assert statuses <= {"矛盾", "提示", "尾数误差", "通过", "未检查"}
    notes = {row[1].value: row[0].value for row in book["字段说明"].iter_rows(min_row=2)}
    assert notes["value_yuan"] == "金额（元）" and notes["code"] == "科目编码"
    t05 = book[[n for n in book.sheetnames if n.startswith("t05")][0]]
    assert "单位" in [c.value for c in t05[1]]


README_QUERIES = {
    "three_public": """
        SELECT d.department, d.year, v."决算数/合计" AS 三公决算
        FROM t09_three_public_expenses v JOIN documents d USING (doc_id) ORDER BY 三公决算 DESC""",
    "failed_checks": """
        SELECT doc_id, check_id, description, expected, actual, difference FROM checks WHERE status = 'fail' ORDER BY doc_id""",
    "largest_classes": """
        SELECT doc_id, code, name, 小计 FROM t05_general_budget_expenditure WHERE level = '类' ORDER BY 小计 DESC LIMIT 5""",
}


def test_duckdb_answers_the_readme_queries(batch):
    import duckdb

    _, out = batch
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    con = duckdb.connect(str(out / "juesuan.duckdb"), read_only=True)
    three = con.sql(README_QUERIES["three_public"]).fetchall()
    assert ("武汉市蔡甸区经济信息化和科技创新局(汇总)", 2024) in [(r[0], r[1]) for r in three]
    assert any(str(r[2]) == "1.670000" for r in three)
    failed = con.sql(README_QUERIES["failed_checks"]).fetchall()
    assert {r[1] for r in failed} >= {"N-RATE"}
    assert con.sql(README_QUERIES["largest_classes"]).fetchall()[0][1] == "215"
    for query in README_QUERIES.values():
        assert " ".join(query.split()) in " ".join(readme.split())


def test_datapackage_describes_every_csv(batch):
    _, out = batch
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    paths = {r["path"] for r in package["resources"]}
    assert {"facts.csv", "checks_summary.csv", "errors.csv", "dept/caidian_2024/t05_general_budget_expenditure.csv"} <= paths
    t05 = next(r for r in package["resources"] if r["path"].endswith("t05_general_budget_expenditure.csv"))
    fields = {f["name"]: f["type"] for f in t05["schema"]["fields"]}
    assert fields["小计"] == "number" and fields["code"] == "string"


def test_the_data_package_validates_with_frictionless(batch):
    _, out = batch
    done = subprocess.run([sys.executable, "-m", "frictionless", "validate", "datapackage.json", "--json"], capture_output=True, text=True, cwd=out)
    report = json.loads(done.stdout)
    errors = [(t["resource"]["path"], e["note"]) for t in report["tasks"] for e in t["errors"]]
    assert report["valid"] and errors == [], errors[:5]
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    facts = next(r for r in package["resources"] if r["path"] == "facts.csv")
    assert {f["name"]: (f["type"], f["title"]) for f in facts["schema"]["fields"]}["value_yuan"] == ("number", "金额（元）")


def test_a_rerun_skips_unchanged_documents(batch):
    folder, out = batch
    before = (out / "facts.csv").read_bytes()
    done = run("extract", folder, "--out", out, "--quiet")
    assert "0 converted, 0 failed, 3 up to date" in done.stderr
    assert (out / "facts.csv").read_bytes() == before


def _snapshot(out: Path) -> dict[str, bytes]:
    """Every CSV and manifest, with the output folder's own path taken out."""
    return {
        str(path.relative_to(out)): path.read_bytes().replace(str(out).encode(), b"OUT")
        for path in sorted(out.rglob("*"))
        if path.is_file() and path.suffix in (".csv", ".json") and path.name not in ("batch.json",)
    }


def test_an_interrupted_batch_resumed_equals_an_uninterrupted_one(tmp_path):
    folder = tmp_path / "dept"
    folder.mkdir()
    for i in range(3):
        shutil.copy(CAIDIAN, folder / f"copy{i}.md")
    shutil.copy(GOOD[1], folder / "pdf.pdf")
    whole, broken = tmp_path / "whole", tmp_path / "broken"
    assert run("extract", folder, "--out", whole, "--workers", "1", "--quiet").returncode == 0
    proc = subprocess.Popen([sys.executable, "-m", "juesuan.cli", "extract", str(folder), "--out", str(broken), "--workers", "1", "--quiet"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and not list(broken.glob("dept/*/manifest.json")):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert run("extract", folder, "--out", broken, "--workers", "1", "--quiet").returncode == 0
    leftovers = [p for p in broken.rglob(".juesuan-*") if p.name not in (".juesuan-out", ".juesuan-lock")]
    assert leftovers == []
    a, b = _snapshot(whole), _snapshot(broken)
    assert a.keys() == b.keys()
    assert {k for k in a if a[k] != b[k]} == set()


def test_batch_outputs_written_beside_the_workbook_are_those_written_one_after_another(batch, tmp_path):
    """With two processes, facts, data package and index are written while the workbook is: the same files."""
    import zipfile

    import pyarrow.parquet as pq

    from juesuan.pool import forkserver_context
    from juesuan.preload import WORKER_PRELOAD
    from write.batch import build_batch_outputs

    _, out = batch
    copies = {processes: tmp_path / str(processes) / "out" for processes in (1, 2)}
    for processes, copy in copies.items():
        shutil.copytree(out, copy)
        for name in ("facts.csv", "facts.parquet", "datapackage.json", "index.html", "juesuan.xlsx", "juesuan.duckdb"):
            (copy / name).unlink()
        beside = forkserver_context(WORKER_PRELOAD) if processes == 2 else None
        assert build_batch_outputs(copy, {"csv", "parquet", "xlsx"}, beside=beside) == []
    one, two = copies[1], copies[2]
    for name in ("facts.csv", "datapackage.json", "index.html", "checks_summary.csv"):
        assert (one / name).read_bytes().replace(str(one).encode(), b"OUT") == (two / name).read_bytes().replace(str(two).encode(), b"OUT"), name
    assert pq.read_table(one / "facts.parquet").equals(pq.read_table(two / "facts.parquet"))
    with zipfile.ZipFile(one / "juesuan.xlsx") as a, zipfile.ZipFile(two / "juesuan.xlsx") as b:
        sheets = [n for n in a.namelist() if n.startswith("xl/")]
        same = lambda n: a.read(n).replace(str(one).encode(), b"OUT") == b.read(n).replace(str(two).encode(), b"OUT")  # noqa: E731
        assert sheets and [n for n in sheets if not same(n)] == []
