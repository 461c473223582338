"""Documents that look like a 部门决算 but are not one are refused with one line, never mapped onto the nine tables:
a government's 决算 (a region's revenue and spending, 表一…表六), a 预算."""
from __future__ import annotations

import pytest

from extract import extract_document
from extract.identify import structure_fits
from extract.model import InputError
from schemas import table_schema
from tools.typeset import HeaderCell as H
from tools.typeset import Paragraphs, TableSpec, typeset

GOVERNMENT_TABLES = [
    ("一般公共预算收入决算表", [["税收收入", "100.00", "110.00", "108.00", "98.18"], ["非税收入", "20.00", "20.00", "21.00", "105.00"]]),
    ("一般公共预算支出决算表", [["一般公共服务支出", "50.00", "52.00", "51.00", "98.08"], ["教育支出", "40.00", "41.00", "40.50", "98.78"]]),
    ("政府性基金收入决算表", [["国有土地使用权出让收入", "30.00", "30.00", "29.00", "96.67"]]),
    ("政府性基金支出决算表", [["城乡社区支出", "28.00", "28.00", "27.50", "98.21"]]),
    ("国有资本经营预算收支决算表", [["利润收入", "2.00", "2.00", "2.10", "105.00"]]),
    ("社会保险基金预算收支决算表", [["基本养老保险基金收入", "60.00", "60.00", "61.00", "101.67"]]),
]
HEADER = ["项目", "预算数", "调整预算数", "决算数", "决算数为调整预算数的%"]
NUMERALS = "一二三四五六"


def government_text() -> str:
    out = ["# 江城市2024年全市和市本级财政决算草案", ""]
    for i, (title, rows) in enumerate(GOVERNMENT_TABLES):
        out += [f"## 江城市2024年{title}", "", f"表{NUMERALS[i]}  单位:万元", "", "\t".join(HEADER)] + ["\t".join(r) for r in rows] + [""]
    return "\n".join(out) + "\n"


def government_pdf(path):
    specs = [Paragraphs(["江城市2024年全市和市本级财政决算草案"])]
    for i, (title, rows) in enumerate(GOVERNMENT_TABLES):
        specs.append(TableSpec(f"江城市2024年{title}", [[H(h) for h in HEADER]], rows, [150, 70, 70, 70, 110], "", f"表{i + 1}  单位：万元"))
    return typeset(path, specs)


def test_a_government_final_account_as_a_text_export_is_refused(tmp_path):
    path = tmp_path / "gov.md"
    path.write_text(government_text(), encoding="utf-8")
    with pytest.raises(InputError) as refused:
        extract_document(path)
    assert refused.value.kind == "not-juesuan" and "government 决算" in str(refused.value)


def test_a_government_final_account_as_a_pdf_is_refused(tmp_path):
    with pytest.raises(InputError) as refused:
        extract_document(government_pdf(tmp_path / "gov.pdf"))
    assert refused.value.kind == "not-juesuan" and "government 决算" in str(refused.value)


def test_a_table_number_alone_does_not_make_a_standard_table():
    region_header = set(HEADER)
    assert not structure_fits(table_schema("t01"), region_header)  # 表一 of a region is not a 收入支出决算总表
    assert not structure_fits(table_schema("t05"), region_header)
    assert structure_fits(table_schema("t01"), {"收入", "支出", "项目", "决算数"})
    assert structure_fits(table_schema("t05"), {"科目编码", "科目名称", "基本支出", "项目支出", "小计"})


def test_numbered_tables_without_the_departments_structure_are_not_identified(tmp_path):
    specs = [TableSpec(None, [[H(h) for h in HEADER]], rows, [150, 70, 70, 70, 110], "", f"表{i + 1}  单位：万元")
             for i, (_, rows) in enumerate(GOVERNMENT_TABLES)]
    with pytest.raises(InputError) as refused:
        extract_document(typeset(tmp_path / "numbered.pdf", specs))
    assert refused.value.kind == "not-juesuan"
