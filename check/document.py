"""Completeness and subjects: the tables the document's template and 目录 require, the rows every such table
prints, rows printed twice, and codes and names against the 政府收支分类科目 of the document's year."""
from __future__ import annotations

from collections import Counter, defaultdict

from check.results import finding
from normalize.amounts import format_amount
from normalize.labels import TOTAL_NAMES
from normalize.codes import valid_shape
from normalize.document import NormalizedDocument
from schemas import reference_check, table_schemas


def required_tables(doc: NormalizedDocument) -> list:
    """The template of the document's year, narrowed to the document's own 目录 when it prints one."""
    listed = set(doc.raw.contents or ())
    return [s for s in table_schemas() if s.in_template(doc.raw.year) and (not listed or s.id in listed or s.id in doc.tables)]


def completeness(doc: NormalizedDocument) -> list[dict]:
    out = []
    for schema in required_tables(doc):
        table = doc.tables.get(schema.id)
        description = f"表格齐全：{schema.title}"
        if table is None:
            basis = "本文档目录列有此表" if doc.raw.contents else f"{doc.raw.year or ''}年度部门决算模板有此表"
            out.append(finding("DOC-TABLE", description, schema.id, "", "fail", f"未找到此表（{basis}）"))
            continue
        has_values = any(c.value is not None for _, _, c in table.cells())
        reason = "文字说明本表无数据" if table.declared_empty and not has_values else ("表中无数值" if not has_values else "")
        out.append(finding("DOC-TABLE", description, schema.id, "", "pass", reason, ",".join(map(str, table.pages))))
        out += required_rows(table)
        if not has_values:
            out += said_to_hold_amounts(doc, table, reason)
    return out


def said_to_hold_amounts(doc: NormalizedDocument, table, emptiness: str) -> list[dict]:
    """A table without values whose amounts another table states (t06 empty while t05's 基本支出 is not zero): its
    rows were lost, or the document contradicts itself."""
    out = []
    for ref in table.schema.filled_when:
        value = _value_at(doc, ref)
        if value:
            out.append(finding("DOC-EMPTY", "无数值的表，其他表未显示应有金额", f"{table.id},{ref.table}", ref.label(), "fail",
                               f"{table.id}表{emptiness}，但{ref.label()}为{format_amount(value)}", ",".join(map(str, table.pages)),
                               actual=value))
    return out


def _value_at(doc: NormalizedDocument, ref):
    table = doc.tables.get(ref.table)
    if table is None:
        return None
    for row in table.rows:
        if row.side != ref.side:
            continue
        named = row.name in TOTAL_NAMES and not row.code if ref.names[0] in TOTAL_NAMES else any(row.name.startswith(n) for n in ref.names)
        cell = row.values.get(ref.measure) if named else None
        if cell is not None and cell.value is not None:
            return cell.value
    return None


def required_rows(table) -> list[dict]:
    """Rows the template always prints (本年收入合计, 总计, 年初/年末结转和结余 …): a table with values but without
    one of them has lost it (a damaged file or a mangled page), and every check that needs it would be silent."""
    if not table.schema.required_rows or not any(c.value is not None for _, _, c in table.cells()):
        return []
    missing = [f"{side}:{names[0]}" for side, names in table.schema.required_rows
               if not any(r.side == side and r.name in names for r in table.rows)]
    status, reason = ("fail", "缺少：" + "、".join(missing)) if missing else ("pass", "")
    return [finding("DOC-ROWS", "表格固定行齐全（合计、总计、结转和结余）", table.id, "; ".join(missing), status, reason,
                    ",".join(map(str, table.pages)))]


def duplicates(doc: NormalizedDocument) -> list[dict]:
    """A row printed twice: with different values the document contradicts itself; with the same values it is
    a printing defect (a reprinted 合计 on a continuation page is recognised earlier and kept once)."""
    out = []
    for table in doc.tables.values():
        groups = defaultdict(list)
        for row in table.rows:
            if row.values:
                groups[(row.side, row.code or "", row.name)].append(row)
        repeated = {k: rows for k, rows in groups.items() if len(rows) > 1}
        for (side, code, name), rows in repeated.items():
            values = {tuple(sorted((m, c.value) for m, c in r.values.items())) for r in rows}
            status = "fail" if len(values) > 1 else "warn"
            reason = f"同一行印了{len(rows)}次，" + ("数值不同" if status == "fail" else "数值相同")
            pages = ",".join(str(r.page) for r in rows if r.page)
            out.append(finding("DOC-DUPLICATE", "表内无重复行", table.id, f"{side}{code} {name}".strip(), status, reason, pages))
        if not repeated:
            out.append(finding("DOC-DUPLICATE", "表内无重复行", table.id, "", "pass"))
    return out


def codes_and_names(doc: NormalizedDocument) -> list[dict]:
    """Each code as printed against the reference for the document's year (a warning when absent or named
    otherwise: the reference may lack it), and one name per code across the document's tables."""
    out = []
    names_by_code: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for table in doc.tables.values():
        if table.schema.layout not in ("coded", "economic"):
            continue
        kind = "economic" if table.schema.layout == "economic" else "function"
        flagged = 0
        for row in table.rows:
            if row.code:
                names_by_code[row.code].add((table.id, row.name))
            problem = row.code_problem
            if not problem and row.code and not valid_shape(row.code, kind):
                problem = f"{row.code}不是{'支出经济分类' if kind == 'economic' else '支出功能分类'}科目编码"
            if not problem and row.code:
                verdict = reference_check(row.code, row.name, doc.raw.year, kind)
                cut = verdict.status == "name-differs" and _cut_at_cell_edge(row.name, verdict.names)
                problem = None if verdict.known or cut else verdict.message
            if problem:
                flagged += 1
                out.append(finding("DOC-CODE", "科目编码与名称见于当年政府收支分类科目", table.id, f"{row.code or ''} {row.name}".strip(), "warn",
                                   problem, str(row.page or "")))
        if not flagged:
            out.append(finding("DOC-CODE", "科目编码与名称见于当年政府收支分类科目", table.id, "", "pass"))
    for code, seen in sorted(names_by_code.items()):
        names = {n for _, n in seen}
        if len(names) > 1 and not _same_subject(names):
            out.append(finding("X-NAMES", "同一编码在各表名称一致", ",".join(sorted({t for t, _ in seen})), code, "warn", " / ".join(sorted(names))))
    if not any(r["check_id"] == "X-NAMES" for r in out):
        out.append(finding("X-NAMES", "同一编码在各表名称一致", "", "", "pass"))
    return out


def _cut_at_cell_edge(name: str, names: tuple[str, ...]) -> bool:
    """`机关事业单位基本养老保险缴` is 机关事业单位基本养老保险缴费 cut where the cell ends."""
    return len(name) >= 4 and any(n.startswith(name) for n in names)


def _same_subject(names: set[str]) -> bool:
    """Names that differ only by a cut at the cell edge are the same subject."""
    ordered = sorted(names, key=len)
    return all(longer.startswith(ordered[0]) for longer in ordered[1:])


def table_values(doc: NormalizedDocument) -> Counter:
    return Counter(t.id for t in doc.tables.values() for _, _, c in t.cells() if c.value is not None)
