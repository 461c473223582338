"""checks.csv, repairs.csv and the short human report.md of one document."""
from __future__ import annotations

from pathlib import Path

from check.results import CATEGORIES, STATUS_LABELS
from check.run import CheckReport

STATUS_HEADINGS = {"fail": "Contradictions (fail)", "warn": "Warnings (warn)"}


def write_report_md(folder: Path, report: CheckReport, title: str) -> None:
    (folder / "report.md").write_text(render_report(report, title), encoding="utf-8")


def render_report(report: CheckReport, title: str) -> str:
    counts = report.counts()
    lines = [
        f"# {title}",
        "",
        f"**Verdict: {report.verdict}** ({STATUS_LABELS[report.verdict]}) — {counts['fail']} fail, {counts['warn']} warn, "
        f"{counts['rounding']} within rounding, {counts['pass']} pass, {counts['skipped']} skipped; {len(report.repairs)} repairs.",
        "",
    ]
    for status, heading in STATUS_HEADINGS.items():
        rows = [r for r in report.results if r["status"] == status]
        if not rows:
            continue
        lines += [f"## {heading}", ""]
        for category in CATEGORIES:
            in_category = [r for r in rows if r["category"] == category]
            if not in_category:
                continue
            lines += [f"### {category}", "", "| check | rows | expected | actual | difference | pages | note |", "|---|---|---|---|---|---|---|"]
            for r in in_category:
                lines.append(f"| {r['check_id']} {_cell(r['description'])} | {_cell(r['row_keys'])} | {r['expected']} | {r['actual']} | "
                             f"{r['difference']} | {r['pages']} | {_cell(r['reason'])} |")
            lines.append("")
    if report.repairs:
        lines += ["## Repairs", "", "| table | row | measure | as read | repaired | evidence |", "|---|---|---|---|---|---|"]
        for r in report.repairs:
            lines.append(f"| {r.table} | {_cell(r.code)} {_cell(r.name)} | {r.measure} | `{_cell(r.as_read)}` | {r.repaired} | {_cell(r.how)}; {_cell(r.identities)} |")
        lines.append("")
    rounding = [r for r in report.results if r["status"] == "rounding"]
    if rounding:
        lines += ["## Within rounding (尾数误差)", ""]
        lines += [f"- {r['check_id']}: {_cell(r['row_keys'])} (difference {r['difference']})" for r in rounding]
        lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Text inside a markdown table cell: no pipe or line break can break the table."""
    return " ".join(str(text).replace("|", "/").split())
