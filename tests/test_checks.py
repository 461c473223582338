"""The 勾稽关系 catalogue: each check passes on a consistent document and fails when its identity is broken."""
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from check.equations import Equation, Ref, evaluate
from check.run import check_document
from normalize.model import CanonicalRow, Cell
from synthetic import build, document


def statuses(doc, check_id):
    report = check_document(doc, repair=False)
    return [r for r in report.results if r["check_id"] == check_id]


def test_a_consistent_document_passes_every_check(tmp_path):
    report = check_document(document(tmp_path), repair=False)
    assert report.counts()["fail"] == 0 and report.counts()["rounding"] == 0
    assert report.verdict == "pass"
    assert {r["check_id"] for r in report.results} >= {
        "T-CLASS", "T-KUAN", "T-TOTAL", "ROW-T02", "ROW-T03", "ROW-T05", "ROW-T07", "T07-BALANCE", "T01-INCOME", "T01-SPEND",
        "T01-INCOME-TOTAL", "T01-SPEND-TOTAL", "T01-BALANCE", "T04-INCOME", "T04-SPEND", "T04-COLUMNS", "T04-BALANCE", "T06-CLASS",
        "T06-PERSONNEL", "T06-PUBLIC", "T09-TOTAL", "T09-CAR", "X-T01-T02", "X-T01-T03", "X-T03-T05", "X-T04-T05", "X-T04-T07",
        "X-T05-T06", "X-T09-T06", "N-T01", "N-T03", "N-T04", "N-T05", "N-T06", "N-T09", "N-RATE", "N-ITEM", "N-CLASS", "N-SHARE",
        "DOC-TABLE", "DOC-DUPLICATE",
        "DOC-CODE", "X-NAMES",
    }


BREAKS = [
    ("T-CLASS", {"t05.20106": "70.00|35.00|35.00", "t05.2010601": "70.00|35.00|35.00"}),
    ("T-KUAN", {"t02.2010601": "84.00|79.00|5.00"}),
    ("T-TOTAL", {"t03.合计": "116.00|60.00|56.00"}),
    ("ROW-T02", {"t02.212": "21.00|20.00|"}),
    ("ROW-T03", {"t03.221": "15.00|14.00|"}),
    ("ROW-T05", {"t05.2210201": "15.00|15.00|1.00"}),
    ("ROW-T07", {"t07.2120803": "|20.00|20.00|1.00|20.00|"}),
    ("T07-BALANCE", {"t07.合计": "|20.00|20.00||20.00|3.00"}),
    ("T01-INCOME", {"t01.其他收入": "6.00"}),
    ("T01-SPEND", {"t01.221": "16.00"}),
    ("T01-INCOME-TOTAL", {"t01.年初结转和结余": "11.00"}),
    ("T01-SPEND-TOTAL", {"t01.年末结转和结余": "21.00"}),
    ("T01-BALANCE", {"t01.支出总计": "136.00", "t01.年末结转和结余": "21.00"}),
    ("T04-INCOME", {"t04.政府性基金预算财政拨款": "21.00"}),
    ("T04-SPEND", {"t04.212": "21.00||21.00"}),
    ("T04-COLUMNS", {"t04.201": "81.00|80.00|"}),
    ("T06-CLASS", {"t06.30102": "16.00"}),
    ("T06-PERSONNEL", {"t06.人员经费合计": "46.00"}),
    ("T06-PUBLIC", {"t06.公用经费合计": "16.00"}),
    ("T09-TOTAL", {"t09.row": "9.00|2.00|5.00||5.00|1.00|6.00|1.00|4.00||4.00|1.00"}),
    ("T09-CAR", {"t09.row": "8.00|2.00|5.00|1.00|5.00|1.00|6.00|1.00|4.00||4.00|1.00"}),
    ("X-T01-T02", {"t01.其他收入": "6.00", "t01.本年收入合计": "126.00", "t01.收入总计": "136.00", "t01.支出总计": "136.00", "t01.年末结转和结余": "21.00"}),
    ("X-T01-T03", {"t03.221": "16.00|16.00|", "t03.22102": "16.00|16.00|", "t03.2210201": "16.00|16.00|", "t03.合计": "116.00|61.00|55.00"}),
    ("X-T03-T05", {"t03.2010601": "80.00|44.00|36.00"}),
    ("X-T04-T05", {"t05.221": "14.00|14.00|", "t05.22102": "14.00|14.00|", "t05.2210201": "14.00|14.00|", "t05.合计": "94.00|59.00|35.00"}),
    ("X-T04-T07", {"t07.212": "|21.00|21.00||21.00|", "t07.21208": "|21.00|21.00||21.00|", "t07.2120803": "|21.00|21.00||21.00|", "t07.合计": "|21.00|21.00||21.00|"}),
    ("X-T05-T06", {"t06.30302": "6.00", "t06.303": "6.00", "t06.人员经费合计": "46.00"}),
    ("X-T09-T06", {"t06.30217": "2.00", "t06.30201": "12.00"}),
    ("N-T01", {"n.收支总计": "153.00"}),
    ("N-T03", {"n.基本支出": "61.00"}),
    ("N-T04", {"n.财政拨款收支总计": "0.3"}),
    ("N-T05", {"n.一般公共预算财政拨款支出": "59.00"}),
    ("N-T06", {"n.公用经费": "15.30"}),
    ("N-T09", {"n.三公决算": "6.60"}),
    ("N-RATE", {"n.完成率": "8.00"}),
    ("N-CLASS", {"n.类221": "16.00"}),
    ("N-SHARE", {"n.类201占比": "48.21"}),
    ("N-ITEM", {"t05.2010601": "79.00|45.00|34.00", "t05.20106": "79.00|45.00|34.00", "t05.201": "79.00|45.00|34.00", "t05.合计": "94.00|60.00|34.00"}),
]


@pytest.mark.parametrize("check_id, overrides", BREAKS, ids=[b[0] for b in BREAKS])
def test_each_check_fails_when_its_identity_is_broken(tmp_path, check_id, overrides):
    results = statuses(document(tmp_path, overrides=overrides), check_id)
    assert any(r["status"] == "fail" for r in results), results


def test_completion_rate_against_a_zero_budget_is_a_warning_not_a_contradiction(tmp_path):
    results = statuses(document(tmp_path, overrides={"n.年初预算": "0"}), "N-RATE")
    assert results[0]["status"] == "warn" and "年初预算为0" in results[0]["reason"]


def test_an_inverted_completion_rate_is_a_contradiction(tmp_path):
    results = statuses(document(tmp_path, overrides={"n.完成率": "125.00"}), "N-RATE")  # 100 ÷ 80, not 80 ÷ 100
    failed = [r for r in results if r["status"] == "fail"]
    assert failed and "颠倒" in failed[0]["reason"]


def test_missing_table_fails_completeness(tmp_path):
    results = statuses(document(tmp_path, drop_tables=("t05",)), "DOC-TABLE")
    assert [r["tables"] for r in results if r["status"] == "fail"] == ["t05"]
    t08 = next(r for r in results if r["tables"] == "t08")
    assert t08["status"] == "pass" and "本表无数据" in t08["reason"]


def test_a_row_printed_twice_with_the_same_values_is_a_warning(tmp_path):
    doc = document(tmp_path, extra_rows={"t05": ["2210201\t住房公积金\t15.00\t15.00\t"]})
    assert [r["status"] for r in statuses(doc, "DOC-DUPLICATE") if r["tables"] == "t05"] == ["warn"]


def test_a_row_printed_twice_with_different_values_is_a_contradiction(tmp_path):
    doc = document(tmp_path, extra_rows={"t05": ["2210201\t住房公积金\t16.00\t16.00\t"]})
    assert [r["status"] for r in statuses(doc, "DOC-DUPLICATE") if r["tables"] == "t05"] == ["fail"]


def test_a_code_the_reference_does_not_know_is_a_warning_and_is_kept_as_printed(tmp_path):
    doc = document(tmp_path, extra_rows={"t02": ["2210299\t不存在的科目\t\t\t"]})
    flagged = [r for r in statuses(doc, "DOC-CODE") if r["status"] != "pass"]
    assert [r["status"] for r in flagged] == ["warn"] and "2210299" in flagged[0]["row_keys"]
    assert any(r.code == "2210299" for r in doc.tables["t02"].rows)


def test_same_code_with_different_names_is_a_warning(tmp_path):
    text_doc = build().replace("2210201\t住房公积金\t15.00\t15.00\t\n", "2210201\t购房补贴\t15.00\t15.00\t\n", 1)
    path = tmp_path / "names.md"
    path.write_text(text_doc, encoding="utf-8")
    from extract.text_export import extract_text_export
    from normalize.document import normalize_document

    results = [r for r in check_document(normalize_document(extract_text_export(path)), repair=False).results if r["check_id"] == "X-NAMES"]
    assert any(r["status"] == "warn" for r in results)


def _equation(total: str, parts: list[str]) -> Equation:
    rows = [CanonicalRow(side="", name=f"r{i}", values={"m": Cell(Decimal(v) if v else None, v)}) for i, v in enumerate([total] + parts)]
    refs = [Ref("t05", r, "m", id(r)) for r in rows]
    return Equation("TEST", "test", refs[0], [(1, r) for r in refs[1:]])


def test_rounding_envelope_is_n_plus_one_half_units():
    assert evaluate(_equation("1268.90", ["209.17", "112.17", "947.55"])).status == "rounding"  # off by 0.01, n = 3
    assert evaluate(_equation("10.01", ["5.00", "5.00"])).status == "rounding"  # 0.01 ≤ (2 + 1) × 0.005
    assert evaluate(_equation("10.02", ["5.00", "5.00"])).status == "fail"  # 0.02 > 0.015
    assert evaluate(_equation("10.00", ["5.00", "5.00"])).status == "pass"
    assert evaluate(_equation("10.00", ["5.00", ""])).status == "fail"  # empty counts as zero in sums


# ---------------------------------------------------------------- repair as a property

CODES = ["2010601", "2010602", "2010650"]


@st.composite
def consistent_t05(draw):
    """A consistent 款 with up to three 项, each 小计 = 基本 + 项目."""
    n = draw(st.integers(1, 3))
    items = []
    for _ in range(n):
        basic = draw(st.integers(0, 500000))
        project = draw(st.integers(0, 500000))
        items.append((Decimal(basic) / 100, Decimal(project) / 100))
    return items


def _damage(value: Decimal, how: int) -> str:
    text = f"{value:,.2f}"
    if how == 0:
        return text.replace(".", " ").replace(",", " ")  # separators lost
    if how == 1:
        return f"{text} {value + 1:,.2f}"  # a neighbour's value glued on
    if how == 2:
        return text.replace(",", ", ").replace(".", ". ")  # spaced separators (readable)
    digits = [c for c in text]
    i = next(i for i, c in enumerate(digits) if c.isdigit())
    digits[i] = str((int(digits[i]) + 3) % 10)
    return "".join(digits)  # one digit misread


@settings(max_examples=60, deadline=None)
@given(consistent_t05(), st.integers(0, 3), st.integers(0, 2), st.data())
def test_repair_restores_a_damaged_cell_or_leaves_it_flagged(tmp_path_factory, items, how, column, data):
    """Never a wrong value silently: after repair the cell is right, or it is still unreadable or failing."""
    row = data.draw(st.integers(0, len(items) - 1))
    tmp = tmp_path_factory.mktemp("prop")
    lines = ["## 2024年度一般公共预算财政拨款支出决算表", "", "公开 05 表 单位:万元", "", "科目编码\t科目名称\t小计\t基本支出\t项目支出"]
    total_b = sum(b for b, _ in items)
    total_p = sum(p for _, p in items)

    def fmt(v):
        return f"{v:,.2f}"

    lines.append(f"\t合计\t{fmt(total_b + total_p)}\t{fmt(total_b)}\t{fmt(total_p)}")
    lines.append(f"201\t一般公共服务支出\t{fmt(total_b + total_p)}\t{fmt(total_b)}\t{fmt(total_p)}")
    lines.append(f"20106\t财政事务\t{fmt(total_b + total_p)}\t{fmt(total_b)}\t{fmt(total_p)}")
    names = {"2010601": "行政运行", "2010602": "一般行政管理事务", "2010650": "事业运行"}
    truth = None
    for i, (b, p) in enumerate(items):
        cells = [b + p, b, p]
        if i == row:
            truth = cells[column]
            cells_text = [fmt(c) for c in cells]
            cells_text[column] = _damage(cells[column], how)
        else:
            cells_text = [fmt(c) for c in cells]
        lines.append(f"{CODES[i]}\t{names[CODES[i]]}\t" + "\t".join(cells_text))
    path = tmp / "prop.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from extract.text_export import extract_text_export
    from normalize.document import normalize_document

    doc = normalize_document(extract_text_export(path))
    report = check_document(doc, repair=True)
    measure = ["小计", "基本支出", "项目支出"][column]
    cell = next(r for r in doc.tables["t05"].rows if r.code == CODES[row]).values.get(measure)
    value = cell.value if cell is not None and cell.value is not None else Decimal(0)
    if value == truth:
        return
    still_flagged = (cell is not None and cell.problem is not None) or report.counts()["fail"] > 0
    assert still_flagged, f"wrong value {value} (truth {truth}) with nothing flagged"
