"""The `juesuan` command line."""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from juesuan.batch import collect_jobs, run_batch
from juesuan.pipeline import Options, Result
from juesuan.names import printable
from juesuan.pool import Limits
from write.batch import read_csv
from write.outdir import OutputFolderError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="部门决算 PDFs and text exports -> clean, checked tables.")
console = Console(stderr=True, soft_wrap=True)  # one message, one line, whatever the terminal width
out_console = Console()
FORMATS = {"csv", "parquet", "xlsx"}


@app.command()
def extract(
    paths: list[Path] = typer.Argument(..., help="Documents or folders of documents (.pdf, .md, .txt)."),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Output folder; each document gets OUT/<folder>/<doc-id>/."),
    workers: int = typer.Option(0, "--workers", "-w", min=0, help="Documents converted in parallel (0 = all cores)."),
    formats: str = typer.Option("csv,parquet,xlsx", "--format", help="Comma-separated: csv, parquet, xlsx."),
    engine: str = typer.Option("auto", "--engine", help="PDF table engine: auto (pdfium pages, pdfplumber where pdfium cannot map a page, camelot for unsound tables), pdfium, pdfplumber or camelot."),
    ocr: str = typer.Option("auto", "--ocr", help="OCR for scanned pages: auto (pages without a usable text layer), force (every page), off."),
    no_repair: bool = typer.Option(False, "--no-repair", help="Check only: leave OCR damage as read instead of repairing it from the identities."),
    force: bool = typer.Option(False, "--force", help="Convert again even when outputs are up to date."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only errors and the final line."),
    json_lines: bool = typer.Option(False, "--json", help="One JSON line per document on stdout."),
    timeout: float = typer.Option(Limits.timeout, "--timeout", min=1, help="Seconds one document may take (per 50 pages; longer documents get proportionally more)."),
    max_memory: int = typer.Option(Limits.memory_mb, "--max-memory", min=128, help="MB of memory one worker may use; a document over it is stopped."),
):
    """Convert documents; print a per-table summary of each."""
    wanted = {f.strip() for f in formats.split(",") if f.strip()}
    if not wanted <= FORMATS:
        console.print(f"error: unknown format(s): {', '.join(sorted(wanted - FORMATS))}")
        raise typer.Exit(2)
    if engine not in ("auto", "pdfium", "pdfplumber", "camelot"):
        console.print(f"error: unknown engine {engine!r}")
        raise typer.Exit(2)
    if ocr not in ("auto", "force", "off"):
        console.print(f"error: --ocr must be auto, force or off, not {ocr!r}")
        raise typer.Exit(2)
    missing = [p for p in paths if not p.exists()]
    if missing:
        console.print(f"error: not found: {', '.join(map(str, missing))}")
        raise typer.Exit(2)
    jobs, refused = collect_jobs(paths, out)
    if not jobs and not refused:
        console.print("error: no .pdf, .md or .txt documents under the given paths")
        raise typer.Exit(2)
    workers = workers or os.cpu_count() or 1

    def report(result: Result, done: int, total: int) -> None:
        if json_lines:
            out_console.print_json(json.dumps(_result_json(result), ensure_ascii=False), indent=None)
        elif not result.ok:
            console.print(f"[red]error[/red] {result.error}", highlight=False)
        elif not quiet:
            _print_document(result)
            console.print(_verdict_line(result), highlight=False)

    for result in refused:
        report(result, 0, len(jobs))
    options = Options(formats=wanted, engine=engine, repair=not no_repair, ocr=ocr)
    show_progress = console.is_terminal and not quiet and not json_lines
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(), TextColumn("{task.fields[current]}"), console=console, disable=not show_progress,
    ) as progress:
        task = progress.add_task("documents", total=len(jobs), rate="", current="")
        started = time.perf_counter()
        pages = 0

        def on_page(source: Path, step: tuple) -> None:
            page, pages, how = step
            progress.update(task, current=f"{printable(source.name, 30)} p.{page}/{pages} {how.upper()}")

        def on_result(result: Result, done: int, total: int) -> None:
            nonlocal pages
            pages += (result.manifest or {}).get("pages") or 0
            rate = f"{pages / max(time.perf_counter() - started, 1e-9):.1f} pages/s"
            progress.update(task, completed=done, total=total, rate=rate, current=printable(result.source.name, 40))
            report(result, done, total)

        try:
            summary = run_batch(jobs, out, options, workers=workers, force=force, on_result=on_result,
                                limits=Limits(timeout=timeout, memory_mb=max_memory), refused=refused, on_progress=on_page)
        except OutputFolderError as exc:
            progress.stop()
            console.print(f"error: {exc}", highlight=False)
            raise typer.Exit(2)
    if not json_lines and not quiet:
        _print_summary(summary, time.perf_counter() - started)
    line = f"{len(summary.converted)} converted, {len(summary.failed)} failed, {len(summary.skipped)} up to date -> {out}"
    console.print(line, highlight=False)
    raise typer.Exit(1 if summary.failed else 0)


@app.command()
def report(out: Path = typer.Argument(..., help="An output folder written by `juesuan extract`.")):
    """Reprint the verdict of every document in an output folder, and its errors."""
    summary_csv, errors_csv = out / "checks_summary.csv", out / "errors.csv"
    if not summary_csv.exists():
        console.print(f"error: {summary_csv} not found (run `juesuan extract` first)")
        raise typer.Exit(2)
    table = Table(title=f"verdicts in {out}", title_justify="left")
    for column in ("document", "department", "year", "verdict", "fail", "warn", "rounding", "pass", "repairs"):
        table.add_column(column)
    for row in read_csv(summary_csv):
        style = {"fail": "red", "warn": "yellow", "rounding": "cyan", "pass": "green"}.get(row["verdict"], "")
        table.add_row(row["doc_id"], row["department"], row["year"], f"[{style}]{row['verdict']}[/{style}]" if style else row["verdict"],
                      row["fail"], row["warn"], row["rounding"], row["pass"], row["repairs"])
    out_console.print(table)
    errors = read_csv(errors_csv)
    for e in errors:
        out_console.print(f"[red]error[/red] {e['message']} ({e['stage']}, {e['kind']})", highlight=False)
    raise typer.Exit(1 if errors else 0)


def _print_summary(summary, seconds: float) -> None:
    manifests = [r.manifest for r in summary.converted]
    checks = [m.get("checks", {}) for m in manifests]
    table = Table(title="batch summary", title_justify="left")
    for column in ("documents", "pages", "tables found", "fail", "warn", "rounding", "pass", "repairs", "errors", "up to date", "seconds"):
        table.add_column(column, justify="right")
    table.add_row(
        str(len(summary.results)), str(sum(m.get("pages") or 0 for m in manifests)),
        str(sum(1 for m in manifests for t in m["tables"].values() if t["found"])),
        *(str(sum(c.get(s, 0) for c in checks)) for s in ("fail", "warn", "rounding", "pass", "repairs")),
        str(len(summary.failed)), str(len(summary.skipped)), f"{seconds:.1f}",
    )
    out_console.print(table)
    out_console.print(f"outputs: {summary.out} (facts.csv/.parquet, juesuan.xlsx, juesuan.duckdb, checks_summary.csv, errors.csv, datapackage.json)", highlight=False)


def _verdict_line(result: Result) -> str:
    checks = result.manifest.get("checks", {})
    return (
        f"{printable(result.source.name)}: {checks.get('verdict', '?')} — {checks.get('fail', 0)} fail, {checks.get('warn', 0)} warn, "
        f"{checks.get('rounding', 0)} rounding, {checks.get('pass', 0)} pass, {checks.get('repairs', 0)} repairs"
    )


def _result_json(result: Result) -> dict:
    if not result.ok:
        return {"file": printable(str(result.source)), "ok": False, "stage": result.error_stage, "error": result.error}
    m = result.manifest
    return {
        "file": printable(str(result.source)),
        "ok": True,
        "out": str(result.target),
        "tables": sum(1 for t in m["tables"].values() if t["found"]),
        "values": sum(t.get("values", 0) for t in m["tables"].values()),
        "unreadable": len(m["unreadable"]),
        "junk_rows": m["junk_rows"]["count"],
        "checks": m.get("checks", {}),
    }


def _print_document(result: Result) -> None:
    m = result.manifest
    table = Table(title=f"{printable(result.source.name)} -> {result.target}", title_justify="left")
    for column in ("table", "title", "rows", "values", "pages", "note"):
        table.add_column(column)
    unreadable_by_table: dict[str, int] = {}
    for p in m["unreadable"]:
        unreadable_by_table[p["table"]] = unreadable_by_table.get(p["table"], 0) + 1
    for tid, t in m["tables"].items():
        if not t["found"]:
            table.add_row(tid, t["title"][:24], "-", "-", "-", "[red]not found[/red]")
            continue
        notes = []
        if t["declared_empty"]:
            notes.append("declared empty")
        elif t["empty"]:
            notes.append("empty")
        if unreadable_by_table.get(tid):
            notes.append(f"{unreadable_by_table[tid]} unreadable")
        if t["header_mapping"] != "header":
            notes.append("template column order")
        pages = ",".join(map(str, t["pages"])) if t["pages"] else ""
        table.add_row(tid, t["title"][:24], str(t["rows"]), str(t["values"]), pages, "; ".join(notes))
    out_console.print(table)
    out_console.print(
        f"department: {m['department']}  year: {m['year']}  unit: {m['unit']}  "
        f"junk rows dropped: {m['junk_rows']['count']}  unreadable: {len(m['unreadable'])}",
        highlight=False,
    )


def main() -> None:
    app()


if __name__ == "__main__":
    sys.exit(main())
