"""The 说明 narrative and the 绩效自评表 as data."""
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import CAIDIAN, FIXTURES
from extract import extract_document
from extract.model import NarrativeBlock
from normalize.document import normalize_document
from normalize.narrative import all_figures, narrative_items
from normalize.performance import parse_target
from normalize.sections import build_paragraphs, heading_level


@pytest.fixture(scope="module")
def caidian():
    return normalize_document(extract_document(CAIDIAN))


@pytest.fixture(scope="module")
def xinfang():
    return normalize_document(extract_document(FIXTURES / "pdf" / "guojia_xinfangju_2024.pdf"))


def blocks(*lines, page=None):
    return [NarrativeBlock((), line, page, i + 1) for i, line in enumerate(lines)]


def test_headings_at_every_level():
    assert [heading_level(t) for t in ("第三部分 情况说明", "五、一般公共预算财政拨款支出决算情况说明", "（三）具体情况", "1. 一般公共服务支出具体包括:", "（1）项目")] == [0, 1, 2, 3, 4]
    assert heading_level("(1)一般公共服务支出(类)网信事务(款)事业运行(项)。年初预算为643.29万元") is None


def test_paragraphs_are_joined_across_lines_and_pages_and_placed_in_sections():
    paragraphs = build_paragraphs([
        NarrativeBlock((), "第三部分 情况说明", 17, 1), NarrativeBlock((), "一、收入支出决算总体情况说明", 17, 2),
        NarrativeBlock((), "2024年度收、支总计均为9266.11万元。与2023年度相比,收、支总", 17, 3),
        NarrativeBlock((), "18", 17, 4),  # the page number between the two halves
        NarrativeBlock((), "计减少30385.33万元。", 18, 1),
    ])
    body = [p for p in paragraphs if not p.heading]
    assert len(body) == 1 and body[0].pages == [17, 18]
    assert body[0].text.endswith("收、支总计减少30385.33万元。")
    assert body[0].section == ("第三部分 情况说明", "一、收入支出决算总体情况说明")


def test_caidian_item_paragraphs_become_rows(caidian):
    five = [i for i in caidian.items if "五、" in i.section]
    assert len(five) == 30
    assert Counter(i.code[:3] for i in five) == {"201": 3, "206": 6, "208": 6, "210": 4, "212": 1, "215": 8, "221": 2}
    assert all(i.budget is not None and i.actual is not None and i.rate is not None for i in five)
    item = next(i for i in five if i.code == "2013750")
    assert (item.budget, item.actual, item.rate, item.direction) == (Decimal("643.29"), Decimal("246.38"), Decimal("38.3"), "小于")
    assert item.reason.startswith("机构改革后单位职能调整")
    # `年初预算为 -340\_万元 … 完成年初预算的-33.87-%`: the dashes are the template's underlines read by OCR (as `\_38.3\_%`
    # elsewhere); 115.17 ÷ 340 = 33.87% and the sentence says 决算数小于年初预算数.
    underlined = next(i for i in five if i.code == "2013799")
    assert (underlined.budget, underlined.rate, underlined.direction) == (Decimal("340"), Decimal("33.87"), "小于")


@pytest.mark.parametrize(
    "text, budget, actual, rate",
    [
        ("(1)一般公共服务支出(类)网信事务(款)事业运行(项)。年初预算为_643.29万元,支出决算为246.38万元,完成年初预算的_38.3_%,主要原因:调整。", "643.29", "246.38", "38.3"),
        ("(2)科学技术支出(类)科技重大项目(款)重点研发计划(项)。年初预算为 364. 05 万元,支出决算为360.00万元,完成年初预算的98. 89 %。", "364.05", "360.00", "98.89"),
        ("(2)(2)一般公共服务支出(类)网信事务(款)其他网信事务支出(项)。年初预算为 -340_万元,支出决算为115.17万元,完成年初预算的-33.87-%。", "340", "115.17", "33.87"),
        ("(3)其他支出(类)其他支出(款)其他支出(项)。年初预算为100万元,支出决算为-5.00万元,完成年初预算的-5%。", "100", "-5.00", "-5"),
    ],
)
def test_damaged_item_statements_still_read(text, budget, actual, rate):
    [item] = narrative_items(build_paragraphs(blocks(text)))
    assert (item.budget, item.actual, item.rate) == (Decimal(budget), Decimal(actual), Decimal(rate))
    assert item.code is not None


def test_an_item_whose_figures_follow_in_the_next_paragraph():
    items = narrative_items(build_paragraphs(blocks("1、一般公共服务支出（类）社会工作事务（款）行政运行（项）。",
                                                    "主要用于：行政单位人员支出。全年预算为52.00万元，支出决算为51.32万元，完成全年预算数的98.69%。")))
    assert [(i.code, i.budget_base, i.budget, i.actual, i.rate) for i in items] == [("2013901", "全年预算", Decimal("52.00"), Decimal("51.32"), Decimal("98.69"))]


def test_caidian_statement_figures(caidian):
    figures = {}
    for f in caidian.figures:
        figures.setdefault(f.subject, f.value)
    assert figures["三公经费预算"] == figures["三公经费决算"] == Decimal("1.67")
    assert figures["机关运行经费"] == Decimal("49.16")
    assert figures["政府采购支出总额"] == Decimal("1177.63") == figures["政府采购货物"] + figures["政府采购工程"] + figures["政府采购服务"]
    assert (figures["授予中小企业合同金额"], figures["授予小微企业占比"]) == (Decimal("76.82"), Decimal("9.34"))
    assert (figures["车辆总数"], figures["公务用车保有量"], figures["国内公务接待人次"]) == (2, 1, 45)
    assert (figures["绩效自评项目数"], figures["绩效自评资金"]) == (7, Decimal("205.81"))
    assert figures["一般公共预算财政拨款支出占比"] == Decimal("70.8")
    every = [f for f in caidian.figures if f.subject == "机关运行经费"][0]
    assert "机关运行经费支出49.16万元" in every.sentence and every.line


def test_spaced_numbers_and_split_percent_signs_in_figures():
    [f] = [f for f in all_figures(build_paragraphs(blocks("2024年度一般公共预算财政拨款支出 6558. 53 万元,占本年支出合计的 70. 8 %。")))
           if f.subject == "一般公共预算财政拨款支出占比"]
    assert f.value == Decimal("70.8")


def test_caidian_self_evaluation_tables(caidian):
    projects = [e for e in caidian.evaluations if e.kind == "project"]
    departments = [e for e in caidian.evaluations if e.kind == "department"]
    assert len(projects) == 7 and len(departments) == 1
    three = next(e for e in projects if "三会" in e.project)
    assert (three.budget, three.spent, three.rate, three.total) == (Decimal("15"), Decimal("15"), Decimal("100"), Decimal("100"))
    assert three.filled == "2025.4.29"
    expo = next(e for e in projects if "展销会" in e.project)
    count = next(i for i in expo.indicators if i.level3 == "参加展会企业数量")
    assert (count.target_op, count.target_value, count.target_unit, count.actual_value) == ("≥", Decimal("10"), "家", Decimal("10"))
    assert departments[0].budget == Decimal("3526.06") and departments[0].total == Decimal("94")


def test_xinfang_pdf_narrative_and_self_evaluations(xinfang):
    assert len(xinfang.items) >= 10 and all(i.code for i in xinfang.items)
    figures = {f.subject: f.value for f in xinfang.figures}
    assert (figures["三公经费预算"], figures["三公经费决算"]) == (Decimal("76.43"), Decimal("46.21"))
    assert len(xinfang.evaluations) == 4
    training = next(e for e in xinfang.evaluations if "培训" in e.project)
    assert training.pages == [30, 31] and training.rate == Decimal("100.00")
    assert any(i.target == "≥300人" and i.actual_value == Decimal("366") for i in training.indicators)


@pytest.mark.parametrize("text, parsed", [("≥10家", ("≥", Decimal("10"), "家")), ("90%", (None, Decimal("90"), "%")),
                                          ("按时拨付", (None, None, None)), ("≤1.4元", ("≤", Decimal("1.4"), "元"))])
def test_indicator_targets_parse(text, parsed):
    assert parse_target(text) == parsed


def test_narrative_checks_compare_items_with_the_tables(caidian):
    from check.run import check_document

    report = check_document(caidian, repair=True)
    items = [r for r in report.results if r["check_id"] == "N-ITEM"]
    assert len(items) >= 30 and all(r["status"] == "pass" for r in items)


def test_changes_on_last_year_with_their_reason_and_shares_by_source(caidian):
    first = {}
    for f in caidian.figures:
        first.setdefault(f.subject, f)
    change = first["一般公共预算财政拨款支出变动"]
    assert (change.value, first["一般公共预算财政拨款支出变动率"].value) == (Decimal("-776.73"), Decimal("-10.6"))
    assert change.note == "对企业补助专项资金减少"
    assert first["财政拨款收支总计变动"].note.startswith("对企业补助专项资金")
    assert (first["基本支出占比"].value, first["项目支出占比"].value, first["事业收入占比"].value) == (Decimal("16.9"), Decimal("83.1"), Decimal("0.0"))


def test_indicator_rows_are_read_under_their_headers_even_when_a_row_continues_on_the_next_page(xinfang):
    training = next(e for e in xinfang.evaluations if "培训" in e.project)
    rows = {i.level3: (i.target, i.actual, i.score) for i in training.indicators}
    assert rows["培训合格率"] == ("≥98%", "100%", Decimal("8"))
    assert rows["受训学员满意率"] == ("≥95%", "100%", Decimal("10"))  # printed on the next page, one cell fewer
    for e in xinfang.evaluations:
        assert e.indicators_by_header and e.total == e.score + sum(i.score for i in e.indicators), e.project
        assert e.budget_basis == "全年预算数"


def test_purchase_figures_come_only_from_sentences_about_purchases():
    paragraphs = build_paragraphs(blocks("一般公共服务支出10685.56万元,占本年支出的90.00%。",
                                         "2024年度政府采购支出总额1177.63万元,其中:政府采购货物支出0.95万元、政府采购工程支出1100万元、政府采购服务支出76.68万元。"))
    figures = {f.subject: f.value for f in all_figures(paragraphs)}
    assert figures["政府采购服务"] == Decimal("76.68") and figures["政府采购货物"] == Decimal("0.95")
    assert [f for f in all_figures(paragraphs) if f.value == Decimal("10685.56") and f.subject.startswith("政府采购")] == []


def test_numbers_split_by_spaces_are_listed_never_guessed():
    from normalize.narrative import split_numbers

    paragraphs = build_paragraphs(blocks("2024年度收、支总计均为10 00万元。", "公务用车保有量为8 4辆。"))
    assert {f.subject for f in all_figures(paragraphs)} == set()
    assert [u["printed"] for u in split_numbers(paragraphs)] == ["10 00", "8 4"]


def test_template_placeholders_are_kept_out_of_the_data_and_listed():
    doc = normalize_document(extract_document(FIXTURES / "pdf" / "shanghai_template_2024.pdf"))
    assert not any("XX" in f"{i.lei}{i.kuan}{i.xiang}" for i in doc.items)
    assert doc.placeholders and all(p["text"] == "XX/XX/XX" for p in doc.placeholders)


def test_a_stray_character_ocr_added_to_a_project_name_goes_when_the_说明_prints_the_name_without_it(caidian):
    assert {"as_read": "离退休干部3活动经费", "name": "离退休干部活动经费"} in caidian.names_cleaned
    assert "离退休干部活动经费" in {e.project for e in caidian.evaluations}
