"""Run every check on a document: repair (where misreading is possible), identities, 说明 ↔ tables,
completeness, subjects and wording; the verdict and its counts."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from check import document as completeness_checks
from check import narrative, performance, text
from check.catalogue import RULES
from check.equations import Evaluation
from check.repair import Evidence, Repair, implied_values, repair_document
from check.results import CHECK_COLUMNS, STATUSES, finding, verdict_of
from normalize.amounts import format_amount
from normalize.document import NormalizedDocument
from normalize.narrative import StatedFigure, first_figures

REPAIR_COLUMNS = ["table", "side", "code", "name", "measure", "as_read", "repaired", "identities", "confidence", "how"]
__all__ = ["CHECK_COLUMNS", "REPAIR_COLUMNS", "CheckReport", "check_document"]
STATUS_ORDER = {s: i for i, s in enumerate(STATUSES)}


@dataclass
class CheckReport:
    results: list[dict] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    figures: list[StatedFigure] = field(default_factory=list)
    has_values: bool = True

    def counts(self) -> dict[str, int]:
        counts = Counter(r["status"] for r in self.results)
        return {s: counts.get(s, 0) for s in STATUSES}

    @property
    def verdict(self) -> str:
        return verdict_of(self.results, self.has_values)


def check_document(doc: NormalizedDocument, repair: bool = True) -> CheckReport:
    report = CheckReport()
    report.has_values = any(c.value is not None for t in doc.tables.values() for _, _, c in t.cells())
    first = first_figures(doc.figures)
    report.figures = list(first.values())
    report.repairs = code_completions(doc)
    extra = lambda tables: narrative.narrative_equations(doc, report.figures)  # noqa: E731
    evidence = None
    if repair:
        repaired = repair_document(doc, extra=extra)
        report.repairs += repaired.repairs
        evidence = repaired.evidence
    evidence = evidence or Evidence.of(doc.tables, extra)  # the catalogue's identities, then the 说明's
    report.results += [_row(evaluation) for evaluation in evidence.evaluations]
    _name_implied_values(report.results, implied_values(doc.tables, evidence))
    report.results += narrative.figures_without_table_value(doc, report.figures)
    report.results += completeness_checks.completeness(doc) + completeness_checks.duplicates(doc) + completeness_checks.codes_and_names(doc)
    report.results += narrative.stated_rates(doc) + narrative.item_statements(doc) + narrative.class_shares(doc)
    report.results += narrative.part_shares(doc, first) + narrative.wording(doc)
    report.results += performance.self_evaluations(doc)
    report.results += text.placeholders(doc) + text.years(doc) + text.punctuation(doc)
    report.results += [finding(n.check_id, n.description, n.tables, n.keys, n.status, n.reason) for n in evidence.not_built]
    for rule in RULES:
        if not any(r["check_id"] == rule.id or r["check_id"].startswith(rule.id + "-") for r in report.results):
            missing = [t for t in rule.tables if t not in doc.tables]
            reason = f"未找到{'、'.join(missing)}表" if missing else "没有适用此关系的行"
            report.results.append(finding(rule.id, rule.description, ",".join(rule.tables), "", "skipped", reason))
    report.results.sort(key=lambda r: (STATUS_ORDER[r["status"]], r["category"], r["check_id"]))
    return report


def code_completions(doc: NormalizedDocument) -> list[Repair]:
    """Every code not read as printed: joined from fragments OCR split, or completed from the row's name."""
    out = []
    for table in doc.tables.values():
        for row in table.rows:
            if row.code_how not in ("joined", "from-name"):
                continue
            how = "由被拆开的片段拼合编码" if row.code_how == "joined" else "按本行名称补全编码"
            out.append(Repair(table.id, row.side, row.code or "", row.name, "(code)", " | ".join(row.code_cells), row.code or "",
                              "同文档其他表或政府收支分类科目中该名称的编码" if row.code_how == "from-name" else "印出的数字",
                              "medium", how))
    return out


def _name_implied_values(results: list[dict], implied) -> None:
    """A printed value two independent identities contradict is kept as printed (facts) and named in the reasons
    of the checks it fails, with the value the identities imply."""
    notes = {ref.address: f"{ref.label()}印为{format_amount(ref.cell.value)}，{len({e.check_id for e in support})}个勾稽关系"
             f"推得应为{format_amount(value)}" for ref, value, support in implied}
    for r in results:
        if r["status"] == "fail":
            named = [notes[a] for a in r["cells"].split(";") if a in notes]
            if named:
                r["reason"] = "; ".join(filter(None, [r["reason"], *named]))


def _row(ev: Evaluation) -> dict:
    eq = ev.equation
    pages = sorted({r.row.page for r in eq.refs if r.row.page})
    parts = " ".join(("+" if s > 0 else "−") + r.label() for s, r in eq.parts)
    cells = ";".join(r.address for r in eq.refs if r.table != narrative.NARRATIVE_TABLE)
    row = finding(eq.check_id, eq.description, eq.tables, f"{eq.total.label()} = {parts.lstrip('+')}", ev.status, ev.reason,
                  ",".join(map(str, pages)), ev.expected, ev.actual, ev.difference, cells)
    said = [r.cell.confidence for r in eq.refs if r.table == narrative.NARRATIVE_TABLE and r.cell is not None]
    return narrative.soften(row, min((c for c in said if c is not None), default=None))

