"""The caidian sample, end to end: every value as published, or listed as unreadable."""
import json
import subprocess
import sys

from conftest import CAIDIAN, ROOT, read_csv

from schemas import classification
from normalize.codes import valid_shape

# Damage that reads as a plausible number and that only the accounting identities reveal
# (the check stage repairs these; see test_repair.py).
IDENTITY_ONLY_DAMAGE = {
    ("t03", "", "2080502", "项目支出"),  # a stray 1.50 printed in an empty cell
    ("t03", "", "208", "项目支出"),  # 3.03 glued onto the row above
    ("t03", "", "2060404", "本年支出合计"),  # row merged into 20604 by OCR
    ("t03", "", "2060404", "项目支出"),
}


def fact_key(table, row, measure):
    return (table.id, row.side, row.code or row.name, measure.split("/", 1)[1] if row.side else measure)


def test_every_published_value_is_extracted_or_listed_as_unreadable(caidian_doc, caidian_expected):
    got = {fact_key(t, r, m): c for t in caidian_doc.tables.values() for r, m, c in t.cells()}
    unreadable = {(p["table"], p["side"], p["code"] or p["name"], p["measure"].split("/", 1)[-1]) for p in caidian_doc.problems()}
    wrong = []
    for key, value in caidian_expected.items():
        cell = got.get(key)
        if cell is not None and cell.value == value:
            continue
        if key in unreadable or key in IDENTITY_ONLY_DAMAGE:
            continue
        wrong.append((key, value, cell.value if cell else None))
    assert wrong == []


def test_no_value_is_invented(caidian_doc, caidian_expected):
    extra = [
        fact_key(t, r, m)
        for t in caidian_doc.tables.values()
        for r, m, c in t.cells()
        if c.value is not None and fact_key(t, r, m) not in caidian_expected and fact_key(t, r, m) not in IDENTITY_ONLY_DAMAGE
    ]
    assert extra == []


def test_every_code_is_valid_with_its_reference_name(caidian_doc):
    reference = classification()
    for table in caidian_doc.tables.values():
        kind = "economic" if table.id == "t06" else "function"
        for row in table.rows:
            if row.code is None:
                continue
            assert valid_shape(row.code, kind), (table.id, row.code)
            assert row.code in reference, (table.id, row.code, row.name)
            if not row.code_problem:
                ref_names = reference[row.code].names
                assert any(n.startswith(row.name) or row.name.startswith(n) for n in ref_names), (table.id, row.code, row.name)


def test_document_metadata(caidian_doc):
    raw = caidian_doc.raw
    assert (raw.department, raw.year, raw.unit) == ("武汉市蔡甸区经济信息化和科技创新局(汇总)", 2024, "万元")
    assert caidian_doc.missing == []
    assert caidian_doc.tables["t08"].declared_empty


def test_junk_rows_are_counted(caidian_doc):
    reasons = [d.reason for t in caidian_doc.tables.values() for d in t.dropped]
    assert "OCR garbage (foreign script)" in reasons
    assert any("garbled header" in r for r in reasons)


def test_cli_writes_every_output_atomically(tmp_path):
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "juesuan.cli", "extract", str(CAIDIAN.parent), "--out", str(out)],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    folder = out / "caidian" / "caidian_2024"
    names = sorted(p.name for p in folder.iterdir())
    assert "facts.csv" in names and "facts.parquet" in names and "manifest.json" in names
    assert "t05_general_budget_expenditure.csv" in names and "t08_state_capital_expenditure.parquet" in names
    assert sorted(p.name for p in out.rglob(".*")) == [".juesuan-lock", ".juesuan-out"]  # no staging left behind
    assert (folder / "facts.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    facts = read_csv(folder / "facts.csv")
    assert {"table", "side", "code", "name", "measure", "value", "unit", "page"} <= set(facts[0])
    total = next(f for f in facts if f["table"] == "t01" and f["side"] == "收入" and f["name"] == "总计")
    assert total["value"] == "9266.11" and total["unit"] == "万元" and total["page"] == ""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"]["t08"]["declared_empty"] is True
    assert len(manifest["source"]["sha256"]) == 64
    assert manifest["junk_rows"]["count"] >= 3
    assert manifest["unreadable"] == []  # every unreadable cell was repaired with evidence
    repairs = read_csv(folder / "repairs.csv")
    value_repairs = [r for r in repairs if r["measure"] != "(code)"]
    assert {r["table"] for r in value_repairs} == {"t03", "t06"} and all(r["identities"] for r in repairs)
    split = next(r for r in repairs if r["as_read"] == "201329 9")  # every code not read as printed is listed
    assert (split["measure"], split["repaired"], split["how"]) == ("(code)", "2013299", "由被拆开的片段拼合编码")
    assert {"check_id", "status", "expected", "actual", "difference"} <= set(read_csv(folder / "checks.csv")[0])
    assert "Verdict" in (folder / "report.md").read_text(encoding="utf-8")
    assert any(f["repaired"] == "true" for f in facts)
    assert "t01" in done.stdout and "declared empty" in done.stdout
    assert "caidian_2024.md: fail" in done.stderr  # one verdict line per document


def test_cli_no_repair_lists_unreadable_cells(tmp_path):
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "juesuan.cli", "extract", str(CAIDIAN), "--out", str(out), "--no-repair", "--quiet"], check=True, cwd=ROOT)
    manifest = json.loads((out / "caidian" / "caidian_2024" / "manifest.json").read_text(encoding="utf-8"))
    assert "t03" in {p["table"] for p in manifest["unreadable"]}
    assert [r for r in read_csv(out / "caidian" / "caidian_2024" / "repairs.csv") if r["measure"] != "(code)"] == []


def test_parquet_keeps_decimals_and_strings(tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "juesuan.cli", "extract", str(CAIDIAN), "--out", str(out), "--quiet"], check=True, cwd=ROOT)
    table = pq.read_table(out / "caidian" / "caidian_2024" / "t02_revenue.parquet")
    assert str(table.schema.field("本年收入合计").type).startswith("decimal128")
    assert str(table.schema.field("code").type) == "string"


def test_after_repair_every_value_equals_the_published_value(caidian_expected):
    from check.run import check_document
    from extract.text_export import extract_text_export
    from normalize.document import normalize_document

    doc = normalize_document(extract_text_export(CAIDIAN))
    report = check_document(doc, repair=True)
    got = {fact_key(t, r, m): c.value for t, r, m, c in ((t, r, m, c) for t in doc.tables.values() for r, m, c in t.cells()) if c.value is not None}
    expected = dict(caidian_expected)
    expected[("t06", "", "公用经费合计", "决算数")] = __import__("decimal").Decimal("94.35")  # printed empty; stated in the 说明
    assert {k: v for k, v in got.items() if expected.get(k) != v} == {}
    assert {k: v for k, v in expected.items() if got.get(k) != v} == {}
    assert doc.problems() == []
    fails = sorted((r["check_id"], r["actual"]) for r in report.results if r["status"] == "fail")
    # What is left is the document's own contradiction: 87.20% stated for 12.34 ÷ 10.76 (114.68%, the ratio inverted).
    assert fails == [("N-RATE", "87.20")]
    # 授予小微企业合同金额22.54万元 stated as 9.34% of the 中小企业 76.82万元 (29.34%): in an OCR export one lost digit,
    # a warning that says so, not a contradiction of the document.
    lost = [r for r in report.results if r["check_id"] == "N-SHARE" and r["status"] == "warn"]
    assert [(r["actual"], r["expected"]) for r in lost] == [("9.34", "29.34")] and "漏字" in lost[0]["reason"]
    # Rates stated against a 年初预算 of 0 are the common convention: warnings.
    assert sum(1 for r in report.results if r["check_id"] == "N-RATE" and r["status"] == "warn") == 14
    assert {r.measure for r in report.repairs} >= {"本年支出合计", "项目支出", "决算数", "(row)", "(name)"}
    assert all(r.identities and r.how for r in report.repairs)


def test_no_repair_leaves_the_damage_flagged(caidian_expected):
    from check.run import check_document
    from extract.text_export import extract_text_export
    from normalize.document import normalize_document

    doc = normalize_document(extract_text_export(CAIDIAN))
    report = check_document(doc, repair=False)
    assert [r for r in report.repairs if r.measure != "(code)"] == []  # codes are still read through their names, and listed
    assert any(r["status"] == "fail" and r["check_id"].startswith(("T-", "ROW-")) for r in report.results)
    assert any(r["status"] == "skipped" and "无法识别" in r["reason"] for r in report.results)
