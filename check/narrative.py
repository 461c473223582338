"""The 说明 against the tables and against itself: restated totals, completion rates, shares, per-项 statements,
and the words (大于/小于/增加/下降 …) that compare two numbers of one sentence."""
from __future__ import annotations

from decimal import Decimal

from check.catalogue import total_row
from check.equations import Equation, Ref, cell_address
from check.repair import misreadable
from check.results import finding
from extract.model import OCR_CELL_READABLE
from normalize.amounts import decimals, format_amount
from normalize.document import NormalizedDocument
from normalize.model import CanonicalRow, Cell
from normalize.narrative import SAME, StatedFigure, comparisons, direction_of, rate_statements

NARRATIVE_TABLE = "说明"
# What a narrative subject restates: (table, side, row name or None for the single row, measure)
NARRATIVE_LINKS = {
    "收支总计": ("t01", "收入", "总计", "收入/决算数"),
    "本年收入合计": ("t01", "收入", "本年收入合计", "收入/决算数"),
    "本年支出合计": ("t01", "支出", "本年支出合计", "支出/决算数"),
    "基本支出": ("t03", "", "合计", "基本支出"),
    "项目支出": ("t03", "", "合计", "项目支出"),
    "财政拨款收支总计": ("t04", "收入", "总计", "收入/决算数"),
    "一般公共预算财政拨款支出": ("t05", "", "合计", "小计"),
    "人员经费": ("t06", "", "人员经费合计", "决算数"),
    "公用经费": ("t06", "", "公用经费合计", "决算数"),
    "三公经费预算": ("t09", "", None, "预算数/合计"),
    "三公经费决算": ("t09", "", None, "决算数/合计"),
}
# Shares the 说明 states, and what each is a share of: (the part's subject, the whole's subject, table fallback)
SHARES = {
    "一般公共预算财政拨款支出占比": ("一般公共预算财政拨款支出", "本年支出合计"),
    "授予中小企业占比": ("授予中小企业合同金额", "政府采购支出总额"),
    "授予小微企业占比": ("授予小微企业合同金额", "授予中小企业合同金额"),
}
INCOME_PARTS = ("财政拨款收入", "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入")
SPENDING_PARTS = ("基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出")


def doubtful(confidence: float | None) -> bool:
    """Read by OCR below the confidence a value needs."""
    return confidence is not None and confidence < OCR_CELL_READABLE


def soften(row: dict, confidence: float | None) -> dict:
    """A contradiction found in a sentence OCR could not read safely may be OCR's: a warning that says so."""
    if row["status"] == "fail" and doubtful(confidence):
        row["status"] = "warn"
        row["reason"] = "; ".join(filter(None, [row["reason"], f"该句由OCR识别，置信度{confidence:.2f}，请核对原页"]))
    return row


def percent_status(stated: Decimal, computed: Decimal) -> str:
    """A stated percentage against the one its parts give: rounded to the printed digits it passes; within two
    units of the last printed digit it is `rounding` (shares are often worked out from unrounded figures)."""
    unit = Decimal(1).scaleb(-decimals(stated))
    off = abs(stated - computed)
    return "pass" if off <= unit / 2 else ("rounding" if off <= 2 * unit else "fail")


def _linked_cell(doc: NormalizedDocument, subject: str):
    """The table, row and measure a narrative subject restates (row None when the table has no such row)."""
    tid, side, name, measure = NARRATIVE_LINKS[subject]
    table = doc.tables.get(tid)
    if table is None:
        return None, None, measure
    if name is None:
        return table, (table.rows[0] if table.rows else None), measure
    return table, next((r for r in table.rows if r.side == side and r.name == name), None), measure


def narrative_equations(doc: NormalizedDocument, figures: list[StatedFigure]) -> list[Equation]:
    """说明 figure = the table cell it restates (also evidence for repair of misread cells)."""
    eqs = []
    for figure in figures:
        if figure.subject not in NARRATIVE_LINKS:
            continue
        table, row, measure = _linked_cell(doc, figure.subject)
        if row is None or not _has_values(table):
            continue
        said = CanonicalRow(side="", name=figure.subject, page=figure.page, line=figure.line)
        said.values["金额"] = Cell(figure.value, format_amount(figure.value), figure.page, figure.line, confidence=figure.confidence)
        eqs.append(Equation(f"N-{table.id.upper()}", f"说明所述{figure.subject}与表一致：{figure.sentence[:60]}", Ref.of(table, row, measure),
                            [(1, Ref(NARRATIVE_TABLE, said, "金额", id(said)))]))
    return eqs


def figures_without_table_value(doc: NormalizedDocument, figures: list[StatedFigure]) -> list[dict]:
    """A figure the 说明 states that its table does not hold: the table missing, emptied, or the row absent."""
    out = []
    for figure in figures:
        if figure.subject not in NARRATIVE_LINKS or figure.value == 0:
            continue
        table, row, measure = _linked_cell(doc, figure.subject)
        tid = NARRATIVE_LINKS[figure.subject][0]
        if table is not None and row is not None and _has_values(table):
            continue  # compared by narrative_equations
        where = f"未找到{tid}表" if table is None else (f"{tid}表无数值" if not _has_values(table) else f"{tid}表无此行")
        out.append(soften(finding(f"N-{tid.upper()}", f"说明所述{figure.subject}与表一致：{figure.sentence[:60]}", f"{tid},说明", figure.subject,
                                  "fail", f"说明所述{format_amount(figure.value)}，但{where}", str(figure.page or ""), expected=figure.value),
                          figure.confidence))
    return out


def _absent(cell, stated, where: str, measure: str) -> tuple[str, str]:
    """The status when the table holds no value for what the 说明 states: a cell printed but unreadable cannot be
    compared (skipped, saying what was printed); a cell left empty contradicts a non-zero statement."""
    if cell is not None and cell.problem:
        return "skipped", f"{where}的{measure}印为“{cell.raw.strip()}”，无法识别，未比较"
    if stated:
        return "fail", f"{where}无{measure}"
    return "pass", ""


def _has_values(table) -> bool:
    return any(c.value is not None for _, _, c in table.cells())


def stated_rates(doc: NormalizedDocument) -> list[dict]:
    """A stated completion rate recomputed from the budget and the actual its sentence states."""
    out = []
    for st in rate_statements(doc.paragraphs):
        description = f"说明所述完成{st.base}预算的比例 = 决算 ÷ 预算：{st.sentence[:60]}"
        keys = f"{st.actual} / {st.budget if st.budget is not None else '?'}"
        page = str(st.page or "")
        others = {base: b for base, b in st.budgets.items() if base != st.base and b}
        if not st.budget:
            if st.actual == 0 or st.budget is None:
                out.append(finding("N-RATE", description, "说明", keys, "skipped", "无法计算：未写预算数，或预算与决算均为0", page))
                continue
            matching = next((base for base, b in others.items() if percent_status(st.rate, st.actual / b * 100) != "fail"), None)
            reason = (f"{st.rate_printed}%是决算÷{matching}预算（{format_amount(others[matching])}），却写作完成{st.base}预算"
                      if matching else f"{st.base}预算为0，仍写完成率{st.rate_printed}%")
            out.append(finding("N-RATE", description, "说明", keys, "warn", reason, page, actual=st.rate))
            continue
        computed = st.actual / st.budget * 100
        status = percent_status(st.rate, computed)
        reason = ""
        if status == "fail":
            matching = next((base for base, b in others.items() if percent_status(st.rate, st.actual / b * 100) != "fail"), None)
            if matching:
                status, reason = "warn", f"{st.rate_printed}%是决算÷{matching}预算，却写作完成{st.base}预算"
            elif st.actual and percent_status(st.rate, st.budget / st.actual * 100) != "fail":
                reason = "所写比例是预算÷决算（颠倒）"
        places = max(decimals(st.rate), 2)
        out.append(soften(finding("N-RATE", description, "说明", keys, status, reason, page, expected=f"{computed:.{places}f}", actual=st.rate,
                                  difference=f"{st.rate - computed:.{places}f}"), st.confidence))
    return out


def item_statements(doc: NormalizedDocument) -> list[dict]:
    """What the 说明 says was spent on a 项 equals that 项's row in the table the section is about."""
    out = []
    for item in doc.items:
        if item.actual is None:
            continue
        tid, measure = ("t07", "小计") if "政府性基金" in item.section else ("t05", "小计")
        table = doc.tables.get(tid)
        description = f"说明所述{item.xiang}支出决算与{tid}一致"
        if item.code is None or table is None:
            out.append(finding("N-ITEM", description, f"说明,{tid}", f"{item.lei}/{item.kuan}/{item.xiang}", "skipped",
                               "这些名称找不到科目编码" if item.code is None else f"未找到{tid}表", str(item.page or "")))
            continue
        row = next((r for r in table.rows if r.code == item.code), None)
        cell = row.values.get(measure) if row else None
        if cell is None or cell.value is None:
            status, reason = _absent(cell, item.actual, f"{tid}表{item.code}", measure)
            out.append(soften(finding("N-ITEM", description, f"说明,{tid}", item.code, status, reason, str(item.page or ""), expected=item.actual),
                              item.confidence))
            continue
        difference = cell.value - item.actual
        status = "pass" if difference == 0 else ("rounding" if abs(difference) <= Decimal("0.01") else "fail")
        out.append(soften(finding("N-ITEM", description, f"说明,{tid}", item.code, status, "", ",".join(str(p) for p in (row.page, item.page) if p),
                                  expected=item.actual, actual=cell.value, difference=difference, cells=_cell_key(tid, row, measure)), item.confidence))
    return out


def class_shares(doc: NormalizedDocument) -> list[dict]:
    """The 说明's 一般公共预算 类 structure: each 类 amount equals t05, each share equals amount ÷ t05 合计."""
    t05 = doc.tables.get("t05")
    if t05 is None:
        return []
    total = total_row(t05)
    total_value = total.values.get("小计").value if total and total.values.get("小计") else None
    classes = {r.name: r for r in t05.rows if r.code and len(r.code) == 3}
    shares = {f.subject.split(":", 1)[1]: f for f in doc.figures if f.subject.startswith("类支出占比:")}
    out = []
    for figure in (f for f in doc.figures if f.subject.startswith("类支出:")):
        name = figure.subject.split(":", 1)[1]
        row = classes.get(name)
        cell = row.values.get("小计") if row else None
        page = str(figure.page or "")
        if cell is None or cell.value is None:
            status, reason = _absent(cell, figure.value, f"t05表{name}", "小计")
            out.append(soften(finding("N-CLASS", f"说明所述{name}与t05类一致", "说明,t05", name, status, reason, page, expected=figure.value),
                              figure.confidence))
            continue
        difference = cell.value - figure.value
        out.append(soften(finding("N-CLASS", f"说明所述{name}与t05类一致", "说明,t05", row.code, "pass" if difference == 0 else "fail", "", page,
                                  expected=figure.value, actual=cell.value, difference=difference, cells=_cell_key("t05", row, "小计")), figure.confidence))
        share = shares.get(name)
        if share is not None and total_value:
            out.append(soften(_share("N-SHARE", f"说明所述{name}占比 = 金额 ÷ 一般公共预算财政拨款支出合计", row.code, share.value, figure.value,
                                     total_value, page, misreadable(doc, share)), share.confidence))
    return out


def part_shares(doc: NormalizedDocument, figures: dict[str, StatedFigure]) -> list[dict]:
    """Shares the 说明 states of its own amounts (基本支出 … 占本年支出, 中小企业 … 占政府采购): share = part ÷ whole,
    the whole as the 说明 states it, else as t01 prints it."""
    out = []
    wholes = {"本年收入合计": _whole(doc, figures, "本年收入合计"), "本年支出合计": _whole(doc, figures, "本年支出合计")}
    pairs = [(f"{p}占比", p, "本年收入合计") for p in INCOME_PARTS] + [(f"{p}占比", p, "本年支出合计") for p in SPENDING_PARTS]
    pairs += [(share, part, whole) for share, (part, whole) in SHARES.items()]
    for share_subject, part_subject, whole_subject in pairs:
        share, part = figures.get(share_subject), figures.get(part_subject)
        whole = wholes.get(whole_subject) if whole_subject in wholes else (figures[whole_subject].value if whole_subject in figures else None)
        if share is None or part is None or not whole:
            continue
        out.append(soften(_share("N-SHARE", f"说明所述{part_subject}占{whole_subject}比例 = {part_subject} ÷ {whole_subject}", part_subject,
                                 share.value, part.value, whole, str(share.page or ""), misreadable(doc, share)), share.confidence))
    return out


def _whole(doc: NormalizedDocument, figures: dict[str, StatedFigure], subject: str) -> Decimal | None:
    if subject in figures:
        return figures[subject].value
    table, row, measure = _linked_cell(doc, subject)
    cell = row.values.get(measure) if row is not None else None
    return cell.value if cell is not None else None


def _share(check_id: str, description: str, keys: str, stated: Decimal, part: Decimal, whole: Decimal, page: str,
           may_be_misread: bool = False) -> dict:
    computed = part / whole * 100
    places = max(decimals(stated), 2)
    row = finding(check_id, description, "说明", keys, percent_status(stated, computed), "", page, expected=f"{computed:.{places}f}",
                  actual=stated, difference=f"{stated - computed:.{places}f}")
    if row["status"] == "fail" and may_be_misread and digit_lost(stated, computed):
        row["status"] = "warn"
        row["reason"] = f"所述{stated}%比计算值{computed:.{places}f}%少一个数字，可能是文字识别漏字，请核对原文"
    return row


def digit_lost(stated: Decimal, computed: Decimal) -> bool:
    """The stated figure prints the computed one's digits (at the stated places) with exactly one of them missing,
    as when OCR drops a character (`9.34` for `29.34`). Any other difference is the document's."""
    places = decimals(stated)
    printed = format(abs(stated), f".{places}f").replace(".", "")
    full = format(abs(computed), f".{places}f").replace(".", "")
    return len(full) == len(printed) + 1 and any(full[:i] + full[i + 1:] == printed for i in range(len(full)))


def wording(doc: NormalizedDocument) -> list[dict]:
    """大于/小于/等于/持平 against the budget and actual of the same sentence; 增加/减少 against 增长/下降 of one change."""
    out = []
    for c in comparisons(doc.paragraphs):
        page = str(c.page or "")
        if c.kind == "决算/预算":
            budget, actual = c.stated
            real = SAME if actual == budget else ("up" if actual > budget else "down")
            said = direction_of(c.words[0])
            status = "pass" if said == real else "fail"
            reason = "" if status == "pass" else f"决算{format_amount(actual)}、预算{format_amount(budget)}，句中却说决算数{c.words[0]}预算数"
            out.append(soften(finding("N-WORDING", f"文字与数字一致：{c.sentence[:60]}", "说明", f"{actual} / {budget}", status, reason, page),
                              c.confidence))
        else:
            amount, rate = c.stated
            directions = {direction_of(w) for w in c.words}
            zero = amount == 0 and rate == 0
            status = "pass" if len(directions) == 1 or zero else "fail"
            reason = "" if status == "pass" else f"{c.words[0]}{format_amount(amount)}万元，却{c.words[1]}{rate}%"
            out.append(soften(finding("N-WORDING", f"增减用语一致：{c.sentence[:60]}", "说明", f"{c.words[0]}/{c.words[1]}", status, reason, page),
                              c.confidence))
    return out


def _cell_key(tid: str, row: CanonicalRow, measure: str) -> str:
    return cell_address(tid, row, measure)

