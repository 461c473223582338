"""Identity-guided repair of OCR damage, applied only with evidence and always recorded.

Only what could have been misread is ever repaired: cells of text exports (made by OCR converters) and
cells read by OCR from page images. In a text-layer PDF every printed value is what the document says:
an identity it breaks is the document's contradiction, reported as such, never "repaired" away.

A cell is repaired when at least two independent identities (different equations) give
it the same value and that value is plausible as a misreading of what was printed:
one of the amounts glued into the cell, the same digits with one or two misread, a
stray stroke or ghost value where the identities say the cell is empty. Rows that OCR
merged (two names on one line) are split back when sibling tables carry both rows.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

import regex

from check.catalogue import NotBuilt, identities
from check.equations import Equation, Evaluation, Ref, evaluate, same_cell, value_of
from normalize.amounts import amount_tokens, format_amount
from normalize.labels import nfkc
from normalize.model import CanonicalRow, CanonicalTable, Cell
from normalize.narrative import StatedFigure
from schemas import classification

MAX_ROUNDS = 8
RELOCATED = "relocated with a split row: "


@dataclass
class Repair:
    table: str
    side: str
    code: str
    name: str
    measure: str
    as_read: str
    repaired: str
    identities: str
    confidence: str
    how: str


def misreadable(doc, read: Cell | StatedFigure | None) -> bool:
    """A text export's cell or sentence, or one OCR read from a page image: a character may have been misread."""
    return doc.raw.kind == "text" or (read is not None and read.confidence is not None)


def row_misreadable(doc, row: CanonicalRow) -> bool:
    return doc.raw.kind == "text" or any(c.confidence is not None for c in row.values.values())


def _has_duplicate_rows(table: CanonicalTable) -> bool:
    keys = [(r.side, r.code or "", r.name) for r in table.rows if r.values]
    return len(keys) != len(set(keys))


class Repaired(NamedTuple):
    repairs: list[Repair]
    evidence: Evidence | None  # the identities of the tables as repaired (None: the last round changed them)


def repair_document(doc, extra=None) -> Repaired:
    """Repair in rounds until nothing changes; `extra(tables)` adds equations beyond the catalogue (narrative)."""
    tables = doc.tables
    doubled = {t.id for t in tables.values() if _has_duplicate_rows(t)}  # a row printed twice spoils every sum it is in
    can_repair = lambda ref: (ref.table in tables and ref.table not in doubled  # noqa: E731
                              and (misreadable(doc, ref.cell) or (ref.cell is None and row_misreadable(doc, ref.row))))
    repairs: list[Repair] = []
    if doc.raw.kind == "text":
        repairs += split_merged_rows(tables)
        repairs += repair_names(tables)
    for _ in range(MAX_ROUNDS):
        applied, evidence = _repair_round(tables, extra, can_repair)
        if not applied:
            return Repaired(repairs, evidence)  # nothing changed since this round's evidence was gathered
        repairs += applied
    return Repaired(repairs, None)


# ---------------------------------------------------------------- cell repair


def _independent(eqs: list[Equation]) -> int:
    """How many different identities these are (a different check, or the same check on another total)."""
    return len({(eq.check_id, eq.total.key) for eq in eqs})


@dataclass
class Evidence:
    """Every identity of the document, indexed by cell, with each identity's known sum computed once: solving an
    identity for one of its cells is then O(1), and a repair round is linear in the number of cell uses. Also each
    identity's evaluation, and the catalogue's identities the tables could not express."""

    equations: list[Equation]
    evaluations: list[Evaluation]  # of `equations`, in their order
    not_built: list[NotBuilt]
    uses: dict[tuple, list[tuple[Equation, Ref]]]
    failing: set[int]
    fail_count: dict[tuple, int]
    sums: dict[int, tuple[Decimal, int, Decimal | None]]  # id(eq) -> (Σ sign × known part, unknown parts, total)

    @classmethod
    def of(cls, tables: dict[str, CanonicalTable], extra=None) -> "Evidence":
        built, not_built = identities(tables)
        eqs = built + (list(extra(tables)) if extra else [])
        uses: dict[tuple, list[tuple[Equation, Ref]]] = defaultdict(list)
        failing, fail_count, sums, evaluations = set(), defaultdict(int), {}, []
        for eq in eqs:
            for ref in eq.refs:
                uses[ref.key].append((eq, ref))
            known = [(sign, value_of(ref)) for sign, ref in eq.parts]
            sums[id(eq)] = (sum((s * v for s, v in known if v is not None), Decimal(0)), sum(1 for _, v in known if v is None), value_of(eq.total))
            evaluations.append(evaluate(eq))
            if evaluations[-1].status == "fail":
                failing.add(id(eq))
                for ref in eq.refs:
                    fail_count[ref.key] += 1
        return cls(eqs, evaluations, not_built, uses, failing, fail_count, sums)

    def solve(self, eq: Equation, target: Ref) -> Decimal | None:
        """The value `target` must have for `eq` to hold, the other cells as read."""
        if eq.kind != "eq":
            return None
        known, unknown, total = self.sums[id(eq)]
        if same_cell(eq.total, target):
            return known if unknown == 0 else None
        sign = next(s for s, ref in eq.parts if same_cell(ref, target))
        own = value_of(target)
        if total is None or unknown - (1 if own is None else 0) > 0:
            return None
        others = known - (sign * own if own is not None else 0)
        return (total - others) * sign

    def agreed_value(self, key: tuple, suspect: bool, cell: Cell | None):
        """(value, supporting identities) that at least two independent identities give this cell; for a suspect
        (readable but failing) cell, only its failing identities count."""
        candidates: dict[Decimal, list[Equation]] = defaultdict(list)
        for eq, target in self.uses[key]:
            if suspect and id(eq) not in self.failing:
                continue
            value = self.solve(eq, target)
            if value is not None:
                candidates[value].append(eq)
        best = _agreed(candidates)
        if best is None and not suspect and cell is not None and cell.problem and cell.problem.startswith(RELOCATED):
            best = _confirmed_printed(candidates, cell)
        return best


def _repair_round(tables: dict[str, CanonicalTable], extra, can_repair) -> tuple[list[Repair], Evidence]:
    evidence = Evidence.of(tables, extra)
    applied: list[Repair] = []
    touched: set[tuple] = set()
    for key, uses in evidence.uses.items():
        ref = uses[0][1]
        if not can_repair(ref):
            continue  # narrative statements and text-layer values are evidence, never repaired
        cell = ref.cell
        unreadable = cell is not None and cell.value is None and cell.problem is not None
        suspect = not unreadable and evidence.fail_count[key] >= 2
        if not (unreadable or suspect):
            continue
        best = evidence.agreed_value(key, suspect, cell)
        if best is None:
            continue
        value, support = best
        if suspect and value == (cell.value if cell and cell.value is not None else Decimal(0)):
            continue
        table = tables[ref.table]
        how = plausible(cell, value, table, ref)
        if how is None:
            continue
        if any(r.key in touched for eq in support for r in eq.refs):
            continue  # one repair per identity per round: later rounds see its effect
        applied.append(_apply(table, ref, value, support, how))
        touched.add(key)
    return applied, evidence


def implied_values(tables: dict[str, CanonicalTable], evidence: Evidence) -> list[tuple[Ref, Decimal, list[Equation]]]:
    """Printed values two independent identities say should be something else: in a text layer the document's
    own error, kept as printed and reported with the value the identities imply. `evidence`: the identities of the
    tables as they are now."""
    found = []
    for key, uses in evidence.uses.items():
        ref = uses[0][1]
        cell = ref.cell
        if ref.table not in tables or cell is None or cell.value is None or evidence.fail_count[key] < 2:
            continue
        best = evidence.agreed_value(key, True, cell)
        if best is not None and best[0] != cell.value:
            found.append((ref, best[0], best[1]))
    return found


def _agreed(candidates: dict[Decimal, list[Equation]]):
    """The value at least two different identities give (distinct ids or distinct totals)."""
    best = None
    for value, eqs in candidates.items():
        if _independent(eqs) >= 2 and (best is None or _independent(eqs) > _independent(best[1])):
            best = (value, eqs)
    if best is not None and any(v != best[0] and _independent(eqs) >= _independent(best[1]) for v, eqs in candidates.items()):
        return None  # identities disagree as strongly on another value: leave the cell as read
    return best


def _confirmed_printed(candidates: dict[Decimal, list[Equation]], cell: Cell):
    """A value moved back with its split row: what was printed there, confirmed by one identity, is enough."""
    printed = set(amount_tokens(cell.raw))
    confirmed = [(v, eqs) for v, eqs in candidates.items() if v in printed]
    return confirmed[0] if len(confirmed) == 1 and len(candidates) == 1 else None


def plausible(cell: Cell | None, value: Decimal, table: CanonicalTable, ref: Ref) -> str | None:
    """How `value` could be what was printed in `cell`, or None when it could not."""
    raw = cell.raw if cell is not None else ""
    printed = nfkc(raw).strip()
    if not printed:
        return "空单元格由勾稽关系补出" if value != 0 else None
    tokens = amount_tokens(printed)
    if len(tokens) >= 2 and value in tokens:
        return "取单元格中粘连的几个金额之一"
    if cell is not None and cell.problem and cell.problem.startswith(RELOCATED) and value in tokens:
        return "印出的数值移回所在行"
    if value == 0:
        if cell is not None and cell.problem and ("noise" in cell.problem or "leading zero" in cell.problem):
            return "表格线或残缺的零被读成了数值"
        if cell is not None and cell.value is None and cell.problem:
            return "无法识别的痕迹，勾稽关系表明此格为空"
        if cell is not None and cell.value is not None and _ghost(table, ref):
            return "相邻行数值的残影"
        return None
    if cell is not None and amount_tokens(printed) == [value]:
        return "识别结果经勾稽关系确认"
    if _digits_close(printed, value):
        return "数字相同，仅一两位识别有误"
    return None


def _digits_close(printed: str, value: Decimal) -> bool:
    """The printed characters, separators aside, are the value's digits with at most two misread (a letter OCR
    read for a digit counts as one: `H1.31` for 11.31)."""
    got = regex.sub(r"[^0-9A-Za-z]", "", nfkc(printed))
    want = regex.sub(r"\D", "", format_amount(abs(value)))
    if len(got) != len(want):
        return False
    return sum(1 for a, b in zip(got, want) if a != b) <= 2


def _ghost(table: CanonicalTable, ref: Ref) -> bool:
    """The cell's value repeats (give or take one digit) the same column one row above or below."""
    rows = table.rows
    index = next((i for i, r in enumerate(rows) if r is ref.row), None)
    cell = ref.cell
    if index is None or cell is None or cell.value is None:
        return False
    for j in (index - 1, index + 1):
        if 0 <= j < len(rows):
            other = rows[j].values.get(ref.measure)
            if other is not None and other.value is not None and _digits_close(format_amount(cell.value), other.value):
                return True
    return False


def _apply(table: CanonicalTable, ref: Ref, value: Decimal, support: list[Equation], how: str) -> Repair:
    row = ref.row
    cell = row.values.get(ref.measure)
    as_read = cell.raw if cell is not None else ""
    if cell is None:
        cell = Cell(None, "", row.page, row.line)
        row.values[ref.measure] = cell
    cell.value = None if value == 0 else value  # zero: the identities say this printed cell is empty
    cell.problem = None
    cell.repaired = True
    ids = sorted({eq.check_id for eq in support})
    cell.repair = f"已修复（{how}），依据{'、'.join(ids)}"
    confidence = "high" if _independent(support) >= 3 else "medium"
    if cell.confidence is not None:
        how += f"（OCR置信度{cell.confidence:.2f}）"
    return Repair(table.id, row.side, row.code or "", row.name, ref.measure, as_read,
                  "" if value == 0 else format_amount(value), "; ".join(f"{e.check_id}: {e.description}" for e in support), confidence, how)


# ---------------------------------------------------------------- names and merged rows


def repair_names(tables: dict[str, CanonicalTable]) -> list[Repair]:
    """A name with OCR debris after it (`行政单位离退休東北单位离退休`) takes the name sibling tables (or the reference)
    give its code."""
    printed: dict[str, list[CanonicalRow]] = defaultdict(list)
    for table in tables.values():
        for row in table.rows:
            if row.code:
                printed[row.code].append(row)
    repairs = []
    for table in tables.values():
        for row in table.rows:
            if not row.code:
                continue
            subject = classification().get(row.code)
            known = {r.name for r in printed[row.code] if r is not row} | set(subject.names if subject else ())
            if row.name in known:
                continue
            names = [n for n in known if row.name.startswith(n) and n != row.name]
            if len(names) != 1:
                continue
            repairs.append(Repair(table.id, row.side, row.code, names[0], "(name)", row.name, names[0],
                                  "其他表中同一编码的名称", "medium", "去掉名称后的识别残渣"))
            row.name, row.code_problem = names[0], None
    return repairs


def split_merged_rows(tables: dict[str, CanonicalTable]) -> list[Repair]:
    """`20604 技术研究与开发 科技成果转化与扩散`: two names on one line, split back using sibling tables."""
    sibling_rows: dict[str, list[CanonicalRow]] = defaultdict(list)
    for table in tables.values():
        if table.schema.layout == "coded":
            for row in table.rows:
                if row.code:
                    sibling_rows[row.code].append(row)
    repairs = []
    for table in tables.values():
        if table.schema.layout != "coded":
            continue
        codes_here = {r.code for r in table.rows if r.code}
        rows = table.rows
        i = 0
        while i < len(rows):
            row = rows[i]
            split = _split_name(row, sibling_rows, codes_here)
            if split is None:
                i += 1
                continue
            own_name, other = split
            new_row = CanonicalRow(side=row.side, name=other.name, code=other.code, level=other.level, page=row.page, line=row.line)
            for measure, cell in list(row.values.items()):
                tokens = amount_tokens(cell.raw)
                if len(tokens) == 2 and cell.value is None:
                    row.values[measure] = Cell(None, cell.raw, cell.page, cell.line, problem=cell.problem)
                    new_row.values[measure] = Cell(None, cell.raw, cell.page, cell.line, problem=RELOCATED + (cell.problem or ""))
            orphan = next((d for d in table.dropped if d.line == (row.line or 0) + 1 and "without a subject" in d.reason), None)
            first = next((m for m in table.measures), None)
            if orphan is not None and first and first not in new_row.values:
                new_row.values[first] = Cell(None, orphan.text, row.page, orphan.line, problem=RELOCATED + "value printed on a line of its own")
            row.name = own_name
            row.code_problem = None
            rows.insert(i + 1, new_row)
            codes_here.add(other.code)
            repairs.append(Repair(table.id, row.side, row.code or "", f"{own_name} + {other.name}", "(row)", row.name + other.name,
                                  f"{row.code} {own_name} / {other.code} {other.name}", "其他表分别印有这两行", "medium", "拆开被识别合并的两行"))
            i += 2
    return repairs


def _split_name(row: CanonicalRow, sibling_rows, codes_here):
    if not row.code or any(r.name == row.name for r in sibling_rows.get(row.code, []) if r is not row):
        return None
    own = next((r.name for r in sibling_rows.get(row.code, []) if row.name.startswith(r.name) and r.name != row.name), None)
    if own is None:
        return None
    rest = row.name[len(own):]
    for code, others in sibling_rows.items():
        if code in codes_here or not code.startswith(row.code[:3]):
            continue
        for other in others:
            if other.name == rest:
                return own, other
    return None
