"""checks.csv, repairs.csv and the short human report.md of one document."""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from check.run import CHECK_COLUMNS, REPAIR_COLUMNS, CheckReport
from write.tables import write_csv


def write_checks(folder: Path, report: CheckReport, title: str) -> None:
    write_csv(folder / "checks.csv", CHECK_COLUMNS, report.results)
    write_csv(folder / "repairs.csv", REPAIR_COLUMNS, [asdict(r) for r in report.repairs])
    (folder / "report.md").write_text(render_report(report, title), encoding="utf-8")


def render_report(report: CheckReport, title: str) -> str:
    counts = report.counts()
    lines = [
        f"# {title}",
        "",
        f"**Verdict: {report.verdict}** — {counts['pass']} pass, {counts['rounding']} within rounding, "
        f"{counts['fail']} fail, {counts['skipped']} skipped; {len(report.repairs)} repairs.",
        "",
    ]
    failures = [r for r in report.results if r["status"] == "fail"]
    if failures:
        lines += ["## Failures", "", "| check | rows | expected | actual | difference | pages | note |", "|---|---|---|---|---|---|---|"]
        for r in failures:
            lines.append(f"| {r['check_id']} {r['description']} | {r['row_keys']} | {r['expected']} | {r['actual']} | {r['difference']} | {r['pages']} | {r['reason']} |")
        lines.append("")
    if report.repairs:
        lines += ["## Repairs", "", "| table | row | measure | as read | repaired | evidence |", "|---|---|---|---|---|---|"]
        for r in report.repairs:
            lines.append(f"| {r.table} | {r.code} {r.name} | {r.measure} | `{r.as_read}` | {r.repaired} | {r.how}; {r.identities} |")
        lines.append("")
    rounding = [r for r in report.results if r["status"] == "rounding"]
    if rounding:
        lines += ["## Within rounding (尾数误差)", ""]
        lines += [f"- {r['check_id']}: {r['row_keys']} (difference {r['difference']})" for r in rounding]
        lines.append("")
    return "\n".join(lines)
