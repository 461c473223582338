"""The 政府收支分类科目 reference (schemas/subjects.csv): its loader, its year logic, its coverage of the
codes printed in the samples and fixtures, and the well-formedness of the data file."""
from __future__ import annotations

import csv
from collections import Counter, defaultdict

import pytest

from schemas import DATA_DIR, Period, Subject, classification, economic_level, function_level, name_key, reference_check
from tools.build_classification import FIELDS, REJECTED, NameRow, assign_validity, harvest_pdf, pairs_in_row

from conftest import FIXTURES

SUBJECTS_CSV = DATA_DIR / "subjects.csv"
KINDS = {"function", "economic", "economic-local", "gov-economic", "revenue"}
SOURCE_SCHEMES = ("corpus:", "samples:", "github:", "doc:", "page:", "legacy:")
# 政府预算支出经济分类 类 printed nowhere in the sources (only their 款 are, in 北京's 2026 tables)
KNOWN_PARENT_GAPS = {"503", "505", "509"}


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    with open(SUBJECTS_CSV, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------- the loader


def test_loader_keeps_the_old_interface():
    ref = classification()
    s = ref["2010601"]
    assert isinstance(s, Subject)
    assert (s.code, s.name, s.kind, s.level, s.parent) == ("2010601", "行政运行", "function", "项", "20106")
    assert s.names[0] == s.name and isinstance(s.aliases, tuple)
    assert ref["30101"].kind == "economic" and ref["30101"].level == "款" and ref["30101"].parent == "301"
    assert ref["301"].level == "类" and ref["301"].parent == ""


def test_latest_name_first_earlier_names_as_aliases():
    s = classification()["20805"]
    assert s.name == "行政事业单位养老支出"
    assert "行政事业单位离退休" in s.aliases
    assert classification()["210"].name == "卫生健康支出"
    assert "医疗卫生与计划生育支出" in classification()["210"].aliases


def test_every_period_is_loaded_with_its_years_and_source():
    s = classification()["20805"]
    assert [p.name for p in s.periods] == ["行政事业单位离退休", "行政事业单位养老支出"]
    old, new = s.periods
    assert isinstance(old, Period) and 2019 in old.seen and old.valid_to is not None
    assert new.valid_to is None and new.valid_from is not None
    assert all(p.source for p in s.periods) and s.sources
    assert s.valid_from is None and s.valid_to is None  # valid in every year as far as anyone knows


# ---------------------------------------------------------------- the year logic


def test_20805_has_its_2019_name_and_its_current_name():
    s = classification()["20805"]
    assert s.names_in(2019) == ("行政事业单位离退休",)
    assert s.names_in(2026) == ("行政事业单位养老支出",)
    assert set(s.names_in(None)) == {"行政事业单位离退休", "行政事业单位养老支出"}
    assert reference_check("20805", "行政事业单位离退休", 2019, "function").status == "known"
    assert reference_check("20805", "行政事业单位养老支出", 2026, "function").status == "known"
    verdict = reference_check("20805", "行政事业单位离退休", 2026, "function")
    assert verdict.status == "name-differs"
    assert verdict.names == ("行政事业单位养老支出",)
    assert "行政事业单位离退休" in verdict.message  # says when the printed name was the name
    assert reference_check("20805", "行政事业单位养老支出", 2019, "function").status == "name-differs"


def test_210_renamed_from_medical_and_family_planning_to_health():
    s = classification()["210"]
    assert s.names_in(2024) == ("卫生健康支出",)
    assert "医疗卫生与计划生育支出" in s.names_in(2016)
    assert reference_check("210", "医疗卫生与计划生育支出", 2024, "function").status == "name-differs"
    assert reference_check("210", "医疗卫生与计划生育支出", 2016, "function").status == "known"
    assert reference_check("210", "卫生健康支出", 2026, "function").status == "known"


def test_39906_gift_is_valid_in_2019_and_replaced_later():
    verdict = reference_check("39906", "赠与", 2019, "economic")
    assert verdict.status == "known"
    assert verdict.subject.parent == "399"
    assert classification()["39906"].valid_to == 2023
    assert reference_check("39906", "赠与", 2024, "economic").status == "not-valid-in-year"
    for code, name in (("39909", "经常性赠与"), ("39910", "资本性赠与")):
        assert reference_check(code, name, 2024, "economic").status == "known"


def test_21208_names_by_year():
    s = classification()["21208"]
    assert s.names_in(2026) == ("国有土地使用权出让收入安排的支出",)
    verdict = reference_check("21208", "国有土地使用权出让收入及对应专项债务收入安排的支出", 2024, "function")
    assert verdict.status == "name-differs" and verdict.names == ("国有土地使用权出让收入安排的支出",)


def test_codes_reported_on_unseen_documents_are_known_where_a_source_prints_them():
    for code, name in (("21401", "公路水路运输"), ("2140101", "行政运行"), ("39907", "国家赔偿费用支出")):
        assert reference_check(code, name, 2026).status == "known"


def test_unknown_codes_and_kinds_are_only_reported():
    assert reference_check("2999999", "没有的科目", 2024, "function").status == "unknown-code"
    verdict = reference_check("301", "工资福利支出", 2024, "function")
    assert verdict.status == "unknown-code" and "economic" in verdict.message
    assert not verdict.known and verdict.subject is None


def test_names_compare_like_printed_names():
    assert reference_check("30212", "因公出国（境）费用", 2024, "economic").known
    assert reference_check("30212", "因 公 出 国 (境) 费用", 2024, "economic").known
    assert reference_check("201", "一、一般公共服务支出", 2024, "function").known
    assert reference_check("2010601", "", 2024, "function").known  # no name printed: nothing to compare
    assert name_key("维修（护）费") == name_key("维修(护)费")


def test_local_subdivisions_answer_to_their_family():
    assert classification()["3021101"].kind == "economic-local"
    assert reference_check("3021101", "差旅费", 2026, "economic").known
    # and they stay out of the national 款 a name lookup sees
    assert [c for c, s in classification().items() if s.kind == "economic" and "差旅费" in s.names] == ["30211"]


# ---------------------------------------------------------------- coverage of the samples and fixtures


def test_every_code_of_the_caidian_sample_is_known(caidian_doc):
    for table in caidian_doc.tables.values():
        kind = "economic" if table.schema.layout == "economic" else "function"
        for row in table.rows:
            if row.code:
                verdict = reference_check(row.code, None, 2024, kind)
                assert verdict.status == "known", (table.id, row.code, row.name, verdict.message)
                names = {r.name for t in caidian_doc.tables.values() for r in t.rows if r.code == row.code}
                if row.code_how in ("read", "joined") and len(names) == 1:  # not a row OCR merged with the next (repaired later)
                    assert reference_check(row.code, row.name, 2024, kind).known, (table.id, row.code, row.name)


@pytest.fixture(scope="module")
def fixture_pairs():
    pairs = []
    for pdf in sorted((FIXTURES / "pdf").glob("*.pdf")):
        pairs += harvest_pdf(pdf, 2024, pdf.name)
    return pairs


def test_every_code_printed_in_the_fixture_pdfs_is_known_with_its_2024_name(fixture_pairs):
    assert len({p.file for p in fixture_pairs}) == 4
    assert len({p.code for p in fixture_pairs}) > 100
    for p in fixture_pairs:
        verdict = reference_check(p.code, p.name, p.year)
        assert verdict.status == "known", (p.file, p.page, p.code, p.name, verdict.message)


# ---------------------------------------------------------------- the harvester


@pytest.mark.parametrize(
    "cells, pairs",
    [
        (["201", "06", "01", "行政运行", "1,511.89"], [("2010601", "行政运行", "parts")]),
        (["208", "05", "", "行政事业单位养老支出", "326.72"], [("20805", "行政事业单位养老支出", "parts")]),
        (["", "204", "", "公共安全支出", "", "16,593.12"], [("204", "公共安全支出", "cell")]),
        (["2080505", "机关事业单位基本养老保险\n缴费支出", "160.75"], [("2080505", "机关事业单位基本养老保险缴费支出", "cell")]),
        (["30212", "因 公 出 国 （ 境 ） 费用", ""], [("30212", "因公出国（境）费用", "cell")]),
        # t06: blocks side by side, with and without an amount between them
        (
            ["30306", "救济费", "", "30226", "劳务费", "62.00", "399", "其他支出", ""],
            [("30306", "救济费", "cell"), ("30226", "劳务费", "cell"), ("399", "其他支出", "cell")],
        ),
        (
            ["", "2010601-行政运行", "50101-工资奖金津补贴", "30101-基本工资", "1,721.982000"],
            [("2010601", "行政运行", "joined"), ("50101", "工资奖金津补贴", "joined"), ("30101", "基本工资", "joined")],
        ),
        # an amount printed without decimals next to text is not a code
        (["珠海市内外经贸发展专项资金", "300", "各区实际吸收外资规模"], []),
        (["八、其他收入", "500", "九、卫生健康支出", "1.00"], []),
        (["1", "上海市普陀区财政局（本级）", ""], []),
        (["类", "款", "项", "合计", "2,946.25"], []),
    ],
)
def test_pairs_in_a_row(cells, pairs):
    assert pairs_in_row(cells) == pairs


def name_row(code, name, years, **bounds):
    return NameRow(code, name, "function", "款", set(years), [f"test:{name}"], **bounds)


def test_validity_between_two_names_accepts_both():
    old, new = name_row("20805", "旧", {2019}), name_row("20805", "新", {2024, 2026})
    assign_validity([old, new])
    assert (old.valid_from, old.valid_to) == ("", "2023")
    assert (new.valid_from, new.valid_to) == ("2020", "")


def test_validity_keeps_every_year_a_name_was_printed():
    old, new = name_row("20805", "旧", {2019, 2025}), name_row("20805", "新", {2024})
    assign_validity([old, new])
    assert (old.valid_to, new.valid_from) == ("2025", "2024")


def test_a_single_name_has_no_bounds_and_cited_bounds_win():
    only = name_row("21401", "公路水路运输", {2026})
    cited = name_row("39906", "赠与", {2019}, valid_to="2023")
    assign_validity([only, cited])
    assert (only.valid_from, only.valid_to) == ("", "")
    assert (cited.valid_from, cited.valid_to) == ("", "2023")


def test_an_undated_earlier_name_ends_before_the_first_dated_one():
    old, new = name_row("210", "旧", set()), name_row("210", "新", {2024})
    assign_validity([old, new])
    assert (old.valid_from, old.valid_to, new.valid_from, new.valid_to) == ("", "2023", "", "")


# ---------------------------------------------------------------- the data file


def test_columns(rows):
    with open(SUBJECTS_CSV, encoding="utf-8", newline="") as f:
        assert next(csv.reader(f)) == FIELDS


def test_codes_kinds_and_levels_agree(rows):
    for r in rows:
        code, kind, level = r["code"], r["kind"], r["level"]
        assert code.isdigit() and kind in KINDS, r
        assert code[0] == {"function": "2", "economic": "3", "economic-local": "3", "gov-economic": "5", "revenue": "1"}[kind], r
        if kind == "function":
            assert level == function_level(code), r
        elif kind in ("economic", "gov-economic"):
            assert level == economic_level(code), r
        else:
            assert (len(code), level) == (7, "目"), r


def test_parents_exist(rows):
    codes = {r["code"] for r in rows}
    for r in rows:
        structural = r["code"][:-2] if len(r["code"]) > 3 else ""
        if r["parent"]:
            assert r["parent"] == structural and r["parent"] in codes, r
        elif r["level"] != "类":
            assert r["kind"] == "gov-economic" and structural in KNOWN_PARENT_GAPS, r


def test_one_row_per_code_and_validity_and_per_code_and_name(rows):
    by_validity = Counter((r["code"], r["valid_from"], r["valid_to"]) for r in rows)
    assert [k for k, n in by_validity.items() if n > 1] == []
    by_name = Counter((r["code"], name_key(r["name"])) for r in rows)
    assert [k for k, n in by_name.items() if n > 1] == []
    kinds = defaultdict(set)
    for r in rows:
        kinds[r["code"]].add((r["kind"], r["level"], r["parent"]))
    assert [c for c, k in kinds.items() if len(k) > 1] == []


def test_years_are_consistent(rows):
    for r in rows:
        start, end = int(r["valid_from"] or 0), int(r["valid_to"] or 9999)
        assert start <= end, r
        for year in filter(None, r["seen"].split("|")):
            assert start <= int(year) <= end and 2000 < int(year) < 2100, r


def test_names_are_clean(rows):
    for r in rows:
        assert r["name"] and r["name"] == r["name"].strip() and " " not in r["name"], r
        assert not r["name"][0].isdigit(), r
    printed = {(r["code"], r["name"]) for r in rows}
    assert not any((code, name.replace("（", "(").replace("）", ")")) in printed for code, name in REJECTED)


def test_every_row_says_where_it_comes_from(rows):
    for r in rows:
        sources = r["source"].split(" | ")
        assert sources and all(s.startswith(SOURCE_SCHEMES) for s in sources), r
        if any(s.startswith(("corpus:", "samples:", "github:")) for s in sources):
            assert r["seen"], r  # a printed document has a year


def test_most_rows_come_from_printed_documents(rows):
    printed = [r for r in rows if not r["source"].startswith("legacy:")]
    assert len(printed) > 0.75 * len(rows)
