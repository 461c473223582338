"""The 勾稽关系 catalogue: every identity a 决算 obeys, each with an id, a Chinese description and its tables.

Each rule turns a normalized document into equations over its cells. Where a table or a row an identity needs is
absent, the rule says so (NotBuilt) or produces nothing; the runner reports both as skipped, never as passed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from decimal import Decimal

from check.equations import Equation, Ref, value_of
from normalize.labels import TOTAL_NAMES
from normalize.model import CanonicalRow, CanonicalTable

CODED = ("t02", "t03", "t05", "t07", "t08")
T01_INCOME_ITEMS = ("一般公共预算财政拨款收入", "政府性基金预算财政拨款收入", "国有资本经营预算财政拨款收入", "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入")
T04_INCOME_ITEMS = ("一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款")
T04_COLUMNS = ("支出/一般公共预算财政拨款", "支出/政府性基金预算财政拨款", "支出/国有资本经营预算财政拨款")
T09_ITEMS = ("因公出国(境)费", "公务用车购置及运行维护费", "公务接待费")
ROW_IDENTITIES = {
    "t02": ("本年收入合计", ("财政拨款收入", "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入")),
    "t03": ("本年支出合计", ("基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出")),
    "t05": ("小计", ("基本支出", "项目支出")),
    "t07": ("小计", ("基本支出", "项目支出")),
    "t08": ("小计", ("基本支出", "项目支出")),
}


@dataclass(frozen=True)
class NotBuilt:
    """An identity the document's tables cannot express (a row it needs is not printed), and why."""
    check_id: str
    description: str
    tables: str
    reason: str
    status: str = "skipped"  # "warn" where the absence itself is a defect a reader should see
    keys: str = ""


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    tables: tuple[str, ...]
    build: Callable[[dict[str, CanonicalTable]], Iterable[Equation]]


# ---------------------------------------------------------------- helpers


def _rows_by_level(table: CanonicalTable, length: int) -> list[CanonicalRow]:
    return [r for r in table.rows if r.code and len(r.code) == length]


def total_row(table: CanonicalTable, side: str = "") -> CanonicalRow | None:
    return next((r for r in table.rows if r.side == side and r.name in TOTAL_NAMES and not r.code), None)


def _named(table: CanonicalTable, side: str, *names: str) -> CanonicalRow | None:
    for name in names:
        for row in table.rows:
            if row.side == side and (row.name == name or row.name.startswith(name)) and "/" not in row.name:
                return row
    return None


def _names(name_or_names) -> tuple[str, ...]:
    """A row known by one name, or by any of several (年初财政拨款结转和结余 / 年初结转和结余)."""
    return (name_or_names,) if isinstance(name_or_names, str) else tuple(name_or_names)


def _eq(rule_id, description, table, total_row, measure, parts, kind="eq"):
    return Equation(rule_id, description, Ref.of(table, total_row, measure), parts, kind)


def _value_measures(table: CanonicalTable) -> list[str]:
    return [m for m in table.measures if not m.startswith("列")]


# ---------------------------------------------------------------- in-table rules


def hierarchy(parent_len: int, child_len: int, rule_id: str, description: str):
    def build(tables):
        for tid in CODED:
            table = tables.get(tid)
            if table is None:
                continue
            children_of: dict[str, list[CanonicalRow]] = {}
            for row in _rows_by_level(table, child_len):
                children_of.setdefault(row.code[:parent_len], []).append(row)
            parents = _rows_by_level(table, parent_len)
            for parent in parents:
                children = children_of.get(parent.code, [])
                if not children:
                    if children_of and _has_amount(parent):  # the table prints this level under other parents
                        yield NotBuilt(rule_id, description, tid, f"{tid}[{parent.code}]有金额，但其下未印出下级行（同表其他行有），无法核对",
                                       "warn", parent.code)
                    continue
                for m in _value_measures(table):
                    if m in parent.values or any(m in c.values for c in children):
                        yield _eq(rule_id, description, table, parent, m, [(1, Ref.of(table, c, m)) for c in children])

    return build


def _has_amount(row: CanonicalRow) -> bool:
    return any(c.value for c in row.values.values())


def total_of_classes(tables):
    for tid in CODED:
        table = tables.get(tid)
        if table is None:
            continue
        total = total_row(table)
        classes = _rows_by_level(table, 3)
        if total is None or not classes:
            continue
        for m in _value_measures(table):
            yield _eq("T-TOTAL", "合计 = Σ类", table, total, m, [(1, Ref.of(table, c, m)) for c in classes])


def row_identities(tables):
    for tid, (total_measure, parts) in ROW_IDENTITIES.items():
        table = tables.get(tid)
        if table is None or total_measure not in table.measures:
            continue
        present = [p for p in parts if p in table.measures]
        for row in table.rows:
            if not row.values:
                continue
            yield _eq(f"ROW-{tid.upper()}", f"{total_measure} = " + " + ".join(present), table, row, total_measure, [(1, Ref.of(table, row, p)) for p in present])


def fund_balance(tables):
    table = tables.get("t07")
    if table is None or not {"年末结转和结余", "年初结转和结余", "本年收入", "小计"} <= set(table.measures):
        return
    for row in table.rows:
        if row.values:
            yield _eq("T07-BALANCE", "年末结转和结余 = 年初结转和结余 + 本年收入 − 本年支出", table, row, "年末结转和结余",
                      [(1, Ref.of(table, row, "年初结转和结余")), (1, Ref.of(table, row, "本年收入")), (-1, Ref.of(table, row, "小计"))])


def statement_rules(tid: str, income_items, balance_in, balance_out, columns):
    def build(tables):
        table = tables.get(tid)
        if table is None:
            return
        income, spend = "收入/决算数", columns[0]
        in_total = _named(table, "收入", "本年收入合计")
        out_total = _named(table, "支出", "本年支出合计")
        in_grand = _named(table, "收入", "总计")
        out_grand = _named(table, "支出", "总计")
        items = [r for r in (_named(table, "收入", n) for n in income_items) if r is not None]
        if in_total and items:
            yield _eq(f"{tid.upper()}-INCOME", "本年收入合计 = Σ收入项目", table, in_total, income, [(1, Ref.of(table, r, income)) for r in items])
        classes = [r for r in table.rows if r.side == "支出" and r.code]
        if out_total and classes:
            for m in columns:
                yield _eq(f"{tid.upper()}-SPEND", "本年支出合计 = Σ支出功能分类类", table, out_total, m, [(1, Ref.of(table, r, m)) for r in classes])
        if _has_values(table):
            yield from _missing_statement_rows(tid, in_total, in_grand, out_total, out_grand)
        extras_in = [r for r in (_named(table, "收入", *_names(n)) for n in balance_in) if r is not None]
        if in_grand and in_total:
            yield _eq(f"{tid.upper()}-INCOME-TOTAL", "收入总计 = 本年收入合计 + " + " + ".join(_names(n)[0] for n in balance_in), table, in_grand, income,
                      [(1, Ref.of(table, in_total, income))] + [(1, Ref.of(table, r, income)) for r in extras_in])
        extras_out = [r for r in (_named(table, "支出", *_names(n)) for n in balance_out) if r is not None]
        if out_grand and out_total:
            for m in columns:
                yield _eq(f"{tid.upper()}-SPEND-TOTAL", "支出总计 = 本年支出合计 + " + " + ".join(_names(n)[0] for n in balance_out), table, out_grand, m,
                          [(1, Ref.of(table, out_total, m))] + [(1, Ref.of(table, r, m)) for r in extras_out])
        if in_grand and out_grand:
            yield Equation(f"{tid.upper()}-BALANCE", "收入总计 = 支出总计", Ref.of(table, in_grand, income), [(1, Ref.of(table, out_grand, spend))])

    return build


def _has_values(table: CanonicalTable) -> bool:
    return any(c.value is not None for _, _, c in table.cells())


def _missing_statement_rows(tid, in_total, in_grand, out_total, out_grand):
    """The statement's total identities whose rows are not printed."""
    missing = {"收入:本年收入合计": in_total, "收入:总计": in_grand, "支出:本年支出合计": out_total, "支出:总计": out_grand}
    needs = {
        f"{tid.upper()}-INCOME-TOTAL": ("收入总计 = 本年收入合计 + 结转和结余", ("收入:本年收入合计", "收入:总计")),
        f"{tid.upper()}-SPEND-TOTAL": ("支出总计 = 本年支出合计 + 结转和结余", ("支出:本年支出合计", "支出:总计")),
        f"{tid.upper()}-BALANCE": ("收入总计 = 支出总计", ("收入:总计", "支出:总计")),
    }
    for check_id, (description, rows) in needs.items():
        absent = [r for r in rows if missing[r] is None]
        if absent:
            yield NotBuilt(check_id, description, tid, f"{tid}表未印出{'、'.join(absent)}行，无法核对")


def fiscal_columns(tables):
    table = tables.get("t04")
    if table is None or "支出/小计" not in table.measures:
        return
    for row in table.rows:
        if row.side == "支出" and row.values:
            yield _eq("T04-COLUMNS", "小计 = 一般公共预算 + 政府性基金 + 国有资本经营", table, row, "支出/小计",
                      [(1, Ref.of(table, row, m)) for m in T04_COLUMNS if m in table.measures])


def economic_rules(tables):
    table = tables.get("t06")
    if table is None:
        return
    classes = {r.code: r for r in table.rows if r.code and len(r.code) == 3}
    for code, row in classes.items():
        items = [r for r in table.rows if r.code and len(r.code) == 5 and r.code.startswith(code)]
        if items:
            yield _eq("T06-CLASS", "经济分类类 = Σ款", table, row, "决算数", [(1, Ref.of(table, r, "决算数")) for r in items])
    personnel = _named(table, "", "人员经费合计")
    public = _named(table, "", "公用经费合计")
    if personnel:
        parts = [classes[c] for c in ("301", "303") if c in classes]
        if parts:
            yield _eq("T06-PERSONNEL", "人员经费合计 = 301 + 303", table, personnel, "决算数", [(1, Ref.of(table, r, "决算数")) for r in parts])
    if public:
        parts = [classes[c] for c in ("302", "307", "309", "310", "399") if c in classes]
        if parts:
            yield _eq("T06-PUBLIC", "公用经费合计 = 302 + 310（+ 307 309 399）", table, public, "决算数", [(1, Ref.of(table, r, "决算数")) for r in parts])


def three_public(tables):
    table = tables.get("t09")
    if table is None or not table.rows:
        return
    row = table.rows[0]
    for group in ("预算数", "决算数"):
        if f"{group}/合计" in table.measures:
            yield _eq("T09-TOTAL", "“三公”合计 = 因公出国(境) + 公务用车 + 公务接待", table, row, f"{group}/合计",
                      [(1, Ref.of(table, row, f"{group}/{i}")) for i in T09_ITEMS])
            yield _eq("T09-CAR", "公务用车购置及运行维护费 = 购置费 + 运行维护费", table, row, f"{group}/公务用车购置及运行维护费",
                      [(1, Ref.of(table, row, f"{group}/公务用车购置费")), (1, Ref.of(table, row, f"{group}/公务用车运行维护费"))])


# ---------------------------------------------------------------- across tables


def income_sources(tables):
    t01, t02 = tables.get("t01"), tables.get("t02")
    if t01 is None or t02 is None or total_row(t02) is None:
        return
    total = total_row(t02)
    pairs = [
        (("一般公共预算财政拨款收入", "政府性基金预算财政拨款收入", "国有资本经营预算财政拨款收入"), "财政拨款收入"),
        (("上级补助收入",), "上级补助收入"),
        (("事业收入",), "事业收入"),
        (("经营收入",), "经营收入"),
        (("附属单位上缴收入",), "附属单位上缴收入"),
        (("其他收入",), "其他收入"),
        (("本年收入合计",), "本年收入合计"),
    ]
    for names, measure in pairs:
        rows = [r for r in (_named(t01, "收入", n) for n in names) if r is not None]
        if rows and measure in t02.measures:
            yield Equation("X-T01-T02", "收入支出决算总表收入 = 收入决算表合计（按来源）", Ref.of(t02, total, measure),
                           [(1, Ref.of(t01, r, "收入/决算数")) for r in rows])


def fiscal_income(tables):
    """t01's 财政拨款 income rows are t04's income rows; t04 spends only 财政拨款, so no more than t01 in total."""
    t01, t04 = tables.get("t01"), tables.get("t04")
    if t01 is None or t04 is None:
        return
    for t01_name, t04_name in zip(T01_INCOME_ITEMS[:3], T04_INCOME_ITEMS):
        mine, theirs = _named(t01, "收入", t01_name), _named(t04, "收入", t04_name)
        if mine is not None and theirs is not None:
            yield Equation("X-T01-T04", "收入支出决算总表财政拨款收入 = 财政拨款收入支出决算总表收入", Ref.of(t04, theirs, "收入/决算数"),
                           [(1, Ref.of(t01, mine, "收入/决算数"))])
    mine, theirs = _named(t01, "支出", "本年支出合计"), _named(t04, "支出", "本年支出合计")
    if mine is not None and theirs is not None:
        yield Equation("X-T01-T04", "财政拨款本年支出合计 ≤ 全部本年支出合计", Ref.of(t04, theirs, "支出/小计"), [(1, Ref.of(t01, mine, "支出/决算数"))],
                       kind="le")


def class_rows(rule_id, description, src_id, src_measure, dst_id, dst_measure):
    def build(tables):
        src, dst = tables.get(src_id), tables.get(dst_id)
        if src is None or dst is None:
            return
        dst_classes = {r.code: r for r in dst.rows if r.code and len(r.code) == 3}
        for row in src.rows:
            if row.side == "支出" and row.code and len(row.code) == 3:
                other = dst_classes.get(row.code)
                if other is not None:
                    yield Equation(rule_id, description, Ref.of(dst, other, dst_measure), [(1, Ref.of(src, row, src_measure))])
                elif row.values.get(src_measure) and row.values[src_measure].value:
                    total = total_row(dst)
                    if total is not None:  # the class is missing from the detail table: compare with an empty cell
                        yield Equation(rule_id, description + "（明细表缺该类）", Ref.of(dst, _phantom(row), dst_measure), [(1, Ref.of(src, row, src_measure))])

    return build


def _phantom(row: CanonicalRow) -> CanonicalRow:
    return CanonicalRow(side="", name=row.name, code=row.code, level="类")


def fiscal_share(tables):
    """Where a t03 row is spent entirely from 财政拨款 (its total = t05 + t07 totals), its 基本/项目 split is theirs."""
    t03, t05, t07 = tables.get("t03"), tables.get("t05"), tables.get("t07")
    if t03 is None or t05 is None:
        return
    fiscal = [t for t in (t05, t07) if t is not None]
    by_code = [{r.code: r for r in t.rows if r.code} for t in fiscal]
    for row in t03.rows:
        if not row.code:
            continue
        matches = [(t, rows[row.code]) for t, rows in zip(fiscal, by_code) if row.code in rows]
        if not matches:
            continue
        total = row.values.get("本年支出合计")
        if total is None or total.value is None:
            continue
        fiscal_total = sum((value_of(Ref.of(t, r, "小计")) or 0 for t, r in matches), Decimal(0))
        if fiscal_total != total.value:
            continue
        for measure in ("基本支出", "项目支出"):
            yield Equation("X-T03-T05", "全部由财政拨款安排的支出行：支出决算表基本/项目 = 财政拨款表之和", Ref.of(t03, row, measure),
                           [(1, Ref.of(t, r, measure)) for t, r in matches])


def basic_split(tables):
    t05, t06 = tables.get("t05"), tables.get("t06")
    if t05 is None or t06 is None or total_row(t05) is None:
        return
    personnel, public = _named(t06, "", "人员经费合计"), _named(t06, "", "公用经费合计")
    parts = [r for r in (personnel, public) if r is not None]
    if parts:
        yield Equation("X-T05-T06", "一般公共预算基本支出合计 = 人员经费合计 + 公用经费合计", Ref.of(t05, total_row(t05), "基本支出"),
                       [(1, Ref.of(t06, r, "决算数")) for r in parts])


def three_public_vs_basic(tables):
    t06, t09 = tables.get("t06"), tables.get("t09")
    if t06 is None or t09 is None or not t09.rows:
        return
    items = {r.code: r for r in t06.rows if r.code}
    for code, measure in (("30217", "决算数/公务接待费"), ("30231", "决算数/公务用车运行维护费")):
        if code in items and measure in t09.measures:
            yield Equation("X-T09-T06", "基本支出中的公务接待/公车运维 ≤ “三公”决算数（t06 只含基本支出）",
                           Ref.of(t06, items[code], "决算数"), [(1, Ref.of(t09, t09.rows[0], measure))], kind="le")


RULES: tuple[Rule, ...] = (
    Rule("T-CLASS", "类 = Σ款（每个金额列）", CODED, hierarchy(3, 5, "T-CLASS", "类 = Σ款")),
    Rule("T-KUAN", "款 = Σ项（每个金额列）", CODED, hierarchy(5, 7, "T-KUAN", "款 = Σ项")),
    Rule("T-TOTAL", "合计 = Σ类", CODED, total_of_classes),
    Rule("ROW", "行内恒等：合计 = 各组成列之和", CODED, row_identities),
    Rule("T07-BALANCE", "年末结转和结余 = 年初 + 本年收入 − 本年支出", ("t07",), fund_balance),
    Rule("T01", "收入支出决算总表：收入/支出合计与总计", ("t01",), statement_rules(
        "t01", T01_INCOME_ITEMS, ("使用非财政拨款结余", "年初结转和结余"), ("结余分配", "年末结转和结余"), ("支出/决算数",))),
    Rule("T04", "财政拨款收入支出决算总表：收入/支出合计与总计", ("t04",), statement_rules(
        "t04", T04_INCOME_ITEMS, (("年初财政拨款结转和结余", "年初结转和结余"),), (("年末财政拨款结转和结余", "年末结转和结余"),),
        ("支出/小计",) + T04_COLUMNS)),
    Rule("T04-COLUMNS", "小计 = 一般公共预算 + 政府性基金 + 国有资本经营", ("t04",), fiscal_columns),
    Rule("T06", "基本支出：类 = Σ款；人员经费/公用经费合计", ("t06",), economic_rules),
    Rule("T09", "“三公”经费合计与公务用车小计", ("t09",), three_public),
    Rule("X-T01-T02", "t01 收入 ↔ t02 合计（按来源）", ("t01", "t02"), income_sources),
    Rule("X-T01-T04", "t01 财政拨款收入 ↔ t04 收入；t04 支出 ≤ t01 支出", ("t01", "t04"), fiscal_income),
    Rule("X-T01-T03", "t01 支出（按类）↔ t03 类", ("t01", "t03"), class_rows("X-T01-T03", "收入支出决算总表支出 = 支出决算表类", "t01", "支出/决算数", "t03", "本年支出合计")),
    Rule("X-T04-T05", "t04 一般公共预算列 ↔ t05 类", ("t04", "t05"), class_rows("X-T04-T05", "财政拨款总表一般公共预算列 = 一般公共预算支出表类", "t04", "支出/一般公共预算财政拨款", "t05", "小计")),
    Rule("X-T04-T07", "t04 政府性基金列 ↔ t07 类", ("t04", "t07"), class_rows("X-T04-T07", "财政拨款总表政府性基金列 = 政府性基金表类", "t04", "支出/政府性基金预算财政拨款", "t07", "小计")),
    Rule("X-T03-T05", "t03 行（全部财政拨款）↔ t05 + t07 基本/项目", ("t03", "t05", "t07"), fiscal_share),
    Rule("X-T05-T06", "t05 基本支出合计 ↔ t06 人员经费 + 公用经费", ("t05", "t06"), basic_split),
    Rule("X-T09-T06", "t06 30217/30231 ≤ t09 决算数", ("t06", "t09"), three_public_vs_basic),
)


def identities(tables: dict[str, CanonicalTable]) -> tuple[list[Equation], list[NotBuilt]]:
    """Every identity the tables express, and those a present table cannot express (a row they need not printed)."""
    built: list = []
    for rule in RULES:
        built.extend(rule.build(tables))
    return [e for e in built if isinstance(e, Equation)], [e for e in built if isinstance(e, NotBuilt)]
