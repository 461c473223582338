"""Run the whole catalogue on a document: repair (optional), identities, narrative ↔ tables, completeness."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from check.catalogue import RULES, equations, total_row
from check.equations import Equation, Evaluation, Ref, evaluate
from check.repair import Repair, repair_document
from normalize.amounts import format_amount
from normalize.codes import valid_shape
from normalize.document import NormalizedDocument
from normalize.model import CanonicalRow, Cell
from normalize.amounts import decimals
from normalize.narrative import StatedFigure, first_figures, rate_statements
from schemas import table_schemas

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
CHECK_COLUMNS = ["check_id", "description", "tables", "row_keys", "expected", "actual", "difference", "status", "reason", "pages"]
REPAIR_COLUMNS = ["table", "side", "code", "name", "measure", "as_read", "repaired", "identities", "confidence", "how"]


@dataclass
class CheckReport:
    results: list[dict] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    figures: list[StatedFigure] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = Counter(r["status"] for r in self.results)
        return {s: counts.get(s, 0) for s in ("pass", "rounding", "fail", "skipped")}

    @property
    def verdict(self) -> str:
        c = self.counts()
        return "fail" if c["fail"] else ("rounding" if c["rounding"] else "pass")


def check_document(doc: NormalizedDocument, repair: bool = True) -> CheckReport:
    report = CheckReport()
    report.figures = list(first_figures(doc.figures).values())
    if repair:
        report.repairs = repair_document(doc.tables, extra=lambda tables: narrative_equations(doc, report.figures))
    eqs = equations(doc.tables) + narrative_equations(doc, report.figures)
    for eq in eqs:
        report.results.append(_row(evaluate(eq)))
    report.results += completeness(doc) + duplicates(doc) + codes_and_names(doc) + stated_rates(doc) + item_statements(doc) + class_shares(doc)
    for rule in RULES:
        if not any(r["check_id"] == rule.id or r["check_id"].startswith(rule.id + "-") for r in report.results):
            missing = [t for t in rule.tables if t not in doc.tables]
            reason = f"table {', '.join(missing)} not found" if missing else "no rows this identity applies to"
            report.results.append(_plain(rule.id, rule.description, ",".join(rule.tables), "", "skipped", reason))
    report.results.sort(key=lambda r: ({"fail": 0, "rounding": 1, "skipped": 3}.get(r["status"], 2), r["check_id"]))
    return report


def narrative_equations(doc: NormalizedDocument, figures: list[StatedFigure]) -> list[Equation]:
    eqs = []
    for figure in figures:
        link = NARRATIVE_LINKS.get(figure.subject)
        if link is None:
            continue
        tid, side, name, measure = link
        table = doc.tables.get(tid)
        if table is None or not table.rows:
            continue
        row = table.rows[0] if name is None else next((r for r in table.rows if r.side == side and r.name == name), None)
        if row is None:
            continue
        said = CanonicalRow(side="", name=figure.subject, page=figure.page, line=figure.line)
        said.values["金额"] = Cell(figure.value, format_amount(figure.value), figure.page, figure.line)
        eqs.append(Equation(f"N-{tid.upper()}", f"说明所述{figure.subject}与表一致：{figure.sentence[:60]}", Ref.of(table, row, measure),
                            [(1, Ref(NARRATIVE_TABLE, said, "金额", id(said)))]))
    return eqs


def _fmt(value: Decimal | None) -> str:
    return "" if value is None else format_amount(value)


def _row(ev: Evaluation) -> dict:
    eq = ev.equation
    pages = sorted({r.row.page for r in eq.refs if r.row.page})
    parts = " ".join(("+" if s > 0 else "−") + r.label() for s, r in eq.parts)
    return {
        "check_id": eq.check_id,
        "description": eq.description,
        "tables": eq.tables,
        "row_keys": f"{eq.total.label()} = {parts.lstrip('+')}",
        "expected": _fmt(ev.expected),
        "actual": _fmt(ev.actual),
        "difference": _fmt(ev.difference),
        "status": ev.status,
        "reason": ev.reason,
        "pages": ",".join(map(str, pages)),
    }


def _plain(check_id, description, tables, keys, status, reason="", pages="") -> dict:
    return {"check_id": check_id, "description": description, "tables": tables, "row_keys": keys, "expected": "", "actual": "",
            "difference": "", "status": status, "reason": reason, "pages": pages}


def completeness(doc: NormalizedDocument) -> list[dict]:
    out = []
    for schema in table_schemas():
        table = doc.tables.get(schema.id)
        if table is None:
            out.append(_plain("DOC-TABLE", f"九张表齐全：{schema.title}", schema.id, "", "fail", "table not found in the document"))
        else:
            has_values = any(c.value is not None for _, _, c in table.cells())
            status = "pass" if has_values or table.declared_empty or table.rows or table.measures else "fail"
            reason = "declared empty in words" if table.declared_empty and not has_values else ("no values" if not has_values else "")
            out.append(_plain("DOC-TABLE", f"九张表齐全：{schema.title}", schema.id, "", status, reason, ",".join(map(str, table.pages))))
    return out


def duplicates(doc: NormalizedDocument) -> list[dict]:
    out = []
    for table in doc.tables.values():
        keys = Counter((r.side, r.code or "", r.name) for r in table.rows if r.values)
        repeated = [k for k, n in keys.items() if n > 1]
        for side, code, name in repeated:
            out.append(_plain("DOC-DUPLICATE", "表内无重复行", table.id, f"{side}{code} {name}", "fail", f"row printed {keys[(side, code, name)]} times"))
        if not repeated:
            out.append(_plain("DOC-DUPLICATE", "表内无重复行", table.id, "", "pass"))
    return out


def codes_and_names(doc: NormalizedDocument) -> list[dict]:
    out = []
    names_by_code: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for table in doc.tables.values():
        if table.schema.layout not in ("coded", "economic"):
            continue
        kind = "economic" if table.schema.layout == "economic" else "function"
        bad = 0
        for row in table.rows:
            if row.code:
                names_by_code[row.code].add((table.id, row.name))
            problem = row.code_problem
            if not problem and row.code and not valid_shape(row.code, kind):
                problem = f"{row.code} is not a {kind} code"
            if problem:
                bad += 1
                out.append(_plain("DOC-CODE", "科目编码有效且名称与政府收支分类科目一致", table.id, f"{row.code or ''} {row.name}", "fail", problem, str(row.page or "")))
        if not bad:
            out.append(_plain("DOC-CODE", "科目编码有效且名称与政府收支分类科目一致", table.id, "", "pass"))
    for code, seen in sorted(names_by_code.items()):
        names = {n for _, n in seen}
        if len(names) > 1 and not _same_subject(names):
            out.append(_plain("X-NAMES", "同一编码在各表名称一致", ",".join(sorted({t for t, _ in seen})), code, "fail", " / ".join(sorted(names))))
    if not any(r["check_id"] == "X-NAMES" for r in out):
        out.append(_plain("X-NAMES", "同一编码在各表名称一致", "", "", "pass"))
    return out


def _same_subject(names: set[str]) -> bool:
    """Names that differ only by a cut at the cell edge are the same subject."""
    ordered = sorted(names, key=len)
    return all(longer.startswith(ordered[0]) for longer in ordered[1:])


def percent_status(stated: Decimal, computed: Decimal) -> str:
    """A stated percentage against the one its parts give: rounded to the printed digits it passes; within two
    units of the last printed digit it is `rounding` (shares are often worked out from unrounded figures)."""
    unit = Decimal(1).scaleb(-decimals(stated))
    off = abs(stated - computed)
    return "pass" if off <= unit / 2 else ("rounding" if off <= 2 * unit else "fail")


def stated_rates(doc: NormalizedDocument) -> list[dict]:
    """A stated completion rate is recomputed from its stated parts (决算 ÷ 预算)."""
    out = []
    for st in rate_statements(doc.paragraphs):
        description = f"说明所述完成{st.base}预算的比例 = 决算 ÷ 预算：{st.sentence[:60]}"
        keys = f"{st.actual} / {st.budget}"
        page = str(st.page or "")
        if st.budget == 0 and st.actual == 0:
            out.append(_plain("N-RATE", description, "说明", keys, "skipped", "rate undefined: budget and actual are both 0", page))
            continue
        if st.budget == 0:
            out.append(_plain("N-RATE", description, "说明", keys, "fail", f"completion rate {st.rate_printed}% stated against a {st.base}预算 of 0", page))
            continue
        computed = st.actual / st.budget * 100
        places = decimals(st.rate)
        difference = st.rate - computed
        status = percent_status(st.rate, computed)
        row = _plain("N-RATE", description, "说明", keys, status, "", page)
        row.update(expected=f"{computed:.{max(places, 2)}f}", actual=str(st.rate), difference=f"{difference:.{max(places, 2)}f}")
        out.append(row)
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
            out.append(_plain("N-ITEM", description, f"说明,{tid}", f"{item.lei}/{item.kuan}/{item.xiang}", "skipped",
                              "no code for these names" if item.code is None else f"table {tid} not found", str(item.page or "")))
            continue
        row = next((r for r in table.rows if r.code == item.code), None)
        cell = row.values.get(measure) if row else None
        if cell is None or cell.value is None:
            out.append(_plain("N-ITEM", description, f"说明,{tid}", item.code, "fail", f"{tid} has no {measure} for {item.code}", str(item.page or "")))
            continue
        difference = cell.value - item.actual
        status = "pass" if difference == 0 else ("rounding" if abs(difference) <= Decimal("0.01") else "fail")
        row_out = _plain("N-ITEM", description, f"说明,{tid}", item.code, status, "", ",".join(str(p) for p in (row.page, item.page) if p))
        row_out.update(expected=_fmt(item.actual), actual=_fmt(cell.value), difference=_fmt(difference))
        out.append(row_out)
    return out


def class_shares(doc: NormalizedDocument) -> list[dict]:
    """The 说明's 一般公共预算 类 structure: each 类 amount equals t05, each share equals amount ÷ t05 合计."""
    t05 = doc.tables.get("t05")
    if t05 is None:
        return []
    total_cell = total_row(t05).values.get("小计") if total_row(t05) else None
    total = total_cell.value if total_cell else None
    classes = {r.name: r for r in t05.rows if r.code and len(r.code) == 3}
    shares = {f.subject.split(":", 1)[1]: f for f in doc.figures if f.subject.startswith("类支出占比:")}
    out = []
    for figure in (f for f in doc.figures if f.subject.startswith("类支出:")):
        name = figure.subject.split(":", 1)[1]
        row = classes.get(name)
        cell = row.values.get("小计") if row else None
        page = str(figure.page or "")
        if cell is None or cell.value is None:
            out.append(_plain("N-CLASS", f"说明所述{name}与t05类一致", "说明,t05", name, "fail", "t05 has no such 类 with a 小计", page))
            continue
        difference = cell.value - figure.value
        row_out = _plain("N-CLASS", f"说明所述{name}与t05类一致", "说明,t05", row.code, "pass" if difference == 0 else "fail", "", page)
        row_out.update(expected=_fmt(figure.value), actual=_fmt(cell.value), difference=_fmt(difference))
        out.append(row_out)
        share = shares.get(name)
        if share is not None and total:
            computed = figure.value / total * 100
            off = share.value - computed
            status = percent_status(share.value, computed)
            share_row = _plain("N-SHARE", f"说明所述{name}占比 = 金额 ÷ 一般公共预算财政拨款支出合计", "说明,t05", row.code, status, "", page)
            share_row.update(expected=f"{computed:.2f}", actual=str(share.value), difference=f"{off:.2f}")
            out.append(share_row)
    return out
