"""Typeset a PDF twin of the caidian sample the way Wuhan prints its 决算 tables.

Rows and their order come from the text export; every value comes from the published
values the tests hold (tests/fixtures/caidian_expected.csv). Layout features: the 7-digit
code in a column too narrow for it (so `2013299` wraps as `201329` / `9`), some amounts
with full-width separators (`6，558．53`), two- and three-level headers with merged cells,
tables that run over page breaks, a blank separator page, and the 说明 narrative.

    python -m tools.caidian_twin OUT.pdf
"""
from __future__ import annotations

import csv
import sys
from itertools import zip_longest
from decimal import Decimal
from pathlib import Path

from check.run import check_document
from extract.text_export import extract_text_export
from normalize.document import normalize_document
from tools.typeset import HeaderCell as H
from tools.typeset import Paragraphs, TableSpec, typeset

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "caidian" / "caidian_2024.md"
EXPECTED = ROOT / "tests" / "fixtures" / "caidian_expected.csv"
DEPT = "部门：武汉市蔡甸区经济信息化和科技创新局(汇总)"
CODE_WIDTH = 28  # 7 digits need 25.9 pt at 8 pt, 6 need 22.2: codes wrap after six digits


def load_expected(path: Path = EXPECTED) -> dict[tuple[str, str, str, str], Decimal]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return {(r["table"], r["side"], r["code"] or r["name"], r["measure"]): Decimal(r["value"]) for r in csv.DictReader(f)}


class Amounts:
    """Formats values; every fifth printed amount uses full-width separators as some OCR'd PDFs do."""

    def __init__(self, expected):
        self.expected = expected
        self.count = 0

    def __call__(self, table: str, side: str, key: str, measure: str) -> str:
        value = self.expected.get((table, side, key, measure))
        if value is None:
            return ""
        self.count += 1
        text = f"{value:,.2f}"
        return text.replace(",", "，").replace(".", "．") if self.count % 5 == 0 else text


def coded_rows(table, fmt, measures):
    rows = []
    for row in table.rows:
        key = row.code or row.name
        rows.append([row.code or "", row.name] + [fmt(table.id, "", key, m) for m in measures])
    return rows


def side_by_side(table):
    """Rows of a two-sided statement paired line by line: (收入 row or None, 支出 row or None)."""
    income = [r for r in table.rows if r.side == "收入"]
    spend = [r for r in table.rows if r.side == "支出"]
    return list(zip_longest(income, spend))


def build_specs(doc, expected) -> list:
    fmt = Amounts(expected)
    t = doc.tables
    specs = []
    cap = lambda n: f"公开{n:02d}表  单位：万元"  # noqa: E731

    # t01 收入支出决算总表
    rows = []
    for i, (left, right) in enumerate(side_by_side(t["t01"])):
        rows.append([
            left.name if left else "", str(i + 1), fmt("t01", "收入", left.name, "决算数") if left else "",
            right.name if right else "", str(i + 31), fmt("t01", "支出", right.code or right.name, "决算数") if right else "",
        ])
    specs.append(TableSpec("收入支出决算总表", [[H("收入", 3), H("支出", 3)], [H("项目"), H("行次"), H("金额"), H("项目"), H("行次"), H("金额")],
                                          [H("栏次"), H(""), H("1"), H("栏次"), H(""), H("2")]],
                           rows, [150, 30, 70, 150, 30, 70], DEPT, cap(1)))

    widths = [CODE_WIDTH, 150] + [48] * 7
    m02 = ["本年收入合计", "财政拨款收入", "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入"]
    specs.append(TableSpec("收入决算表", [[H("项目", 2)] + [H(m, 1, 2) for m in m02], [H("编码"), H("科目名称")]],
                           coded_rows(t["t02"], fmt, m02), widths, DEPT, cap(2), repeat_header=False))
    m03 = ["本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出"]
    specs.append(TableSpec("支出决算表", [[H("项目", 2)] + [H(m, 1, 2) for m in m03], [H("编码"), H("科目名称")]],
                           coded_rows(t["t03"], fmt, m03), [CODE_WIDTH, 150] + [52] * 6, DEPT, cap(3)))

    # t04 财政拨款收入支出决算总表
    rows = []
    for left, right in side_by_side(t["t04"]):
        key = (right.code or right.name) if right else ""
        rows.append([left.name.split("/")[-1] if left else "", fmt("t04", "收入", left.name, "决算数") if left else "",
                     right.name if right else ""] + [fmt("t04", "支出", key, m) if right else "" for m in
                                                     ("小计", "一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款")])
    specs.append(TableSpec("财政拨款收入支出决算总表",
                           [[H("收入", 2), H("支出", 5)], [H("项目", 1, 2), H("决算数", 1, 2), H("项目", 1, 2), H("决算数", 4)],
                            [H("小计"), H("一般公共预算财政拨款"), H("政府性基金预算财政拨款"), H("国有资本经营预算财政拨款")]],
                           rows, [120, 60, 140, 55, 55, 55, 55], DEPT, cap(4), landscape=False, row_height=18))

    m05 = ["小计", "基本支出", "项目支出"]
    specs.append(TableSpec("一般公共预算财政拨款支出决算表", [[H("项目", 2), H("本年支出", 3)], [H("编码"), H("科目名称")] + [H(m) for m in m05]],
                           coded_rows(t["t05"], fmt, m05), [CODE_WIDTH, 200, 80, 80, 80], DEPT, cap(5)))

    # t06: three blocks side by side
    blocks = [[r for r in t["t06"].rows if r.block == b] for b in range(3)]
    depth = max(len(b) for b in blocks)
    rows = []
    for i in range(depth):
        line = []
        for block in blocks:
            r = block[i] if i < len(block) else None
            line += [r.code or "" if r else "", r.name if r else "", fmt("t06", "", (r.code or r.name), "决算数") if r else ""]
        rows.append(line)
    specs.append(TableSpec("一般公共预算财政拨款基本支出决算明细表",
                           [[H("人员经费", 3), H("公用经费", 6)], [H("科目编码"), H("科目名称"), H("决算数")] * 3],
                           rows, [34, 80, 46] * 3, DEPT, cap(6), landscape=True))

    m07 = ["年初结转和结余", "本年收入", "小计", "基本支出", "项目支出", "年末结转和结余"]
    specs.append(TableSpec("政府性基金预算财政拨款收入支出决算表",
                           [[H("项目", 2), H("年初结转和结余", 1, 2), H("本年收入", 1, 2), H("本年支出", 3), H("年末结转和结余", 1, 2)],
                            [H("编码"), H("科目名称"), H("小计"), H("基本支出"), H("项目支出")]],
                           coded_rows(t["t07"], fmt, m07), [CODE_WIDTH, 150] + [55] * 6, DEPT, cap(7), landscape=True))
    specs.append("blank")
    specs.append(TableSpec("国有资本经营预算财政拨款支出决算表", [[H("项目", 2), H("本年支出", 3)], [H("编码"), H("科目名称")] + [H(m) for m in m05]],
                           [["", "合计", "", "", ""]], [CODE_WIDTH, 200, 80, 80, 80], DEPT, cap(8),
                           notes=["本部门2024年度无国有资本经营预算财政拨款支出。"]))

    items = ["合计", "因公出国(境)费", "公务用车购置及运行维护费", "公务用车购置费", "公务用车运行维护费", "公务接待费"]
    row = [fmt("t09", "", "", f"{g}/{i}") for g in ("预算数", "决算数") for i in items]
    block = [H("合计", 1, 2), H("因公出国(境)费", 1, 2), H("公务用车购置及运行维护费", 3), H("公务接待费", 1, 2)]
    specs.append(TableSpec('财政拨款"三公"经费支出决算表', [[H("预算数", 6), H("决算数", 6)], block + block,
                                                       [H("小计"), H("公务用车购置费"), H("公务用车运行维护费")] * 2],
                           [row], [60] * 12, DEPT, cap(9), landscape=True, row_height=20))
    return specs


def narrative(doc) -> Paragraphs:
    last_table_line = max(r.line or 0 for t in doc.raw.tables for r in t.rows)
    return Paragraphs([b.text for b in doc.raw.narrative if (b.line or 0) > last_table_line])


def make_twin(out: Path, sample: Path = SAMPLE, expected_path: Path = EXPECTED) -> Path:
    doc = normalize_document(extract_text_export(sample))
    check_document(doc, repair=True)  # rows and names as published: merged rows split, OCR debris removed
    expected = load_expected(expected_path)
    items = [Paragraphs(["武汉市蔡甸区经济信息化和科技创新局(汇总)", "2024年度部门决算"], font_size=20), "blank"]
    items += build_specs(doc, expected)
    items.append(narrative(doc))
    return typeset(out, items)


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "caidian_2024_twin.pdf")
    make_twin(target)
    print(target)
