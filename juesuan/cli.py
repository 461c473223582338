"""The `juesuan` command line: help in Chinese and English, output that fits an 80-column terminal and is never
wrapped or cut when it goes to a file or a pipe, one JSON line per document for scripts, and exit codes a script
can act on (0 converted, 1 some inputs failed, 2 usage, 3 a verdict reached --fail-on)."""
from __future__ import annotations

import json
import os
import sys
import time
from enum import Enum
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from check.results import STATUS_LABELS, worse_or_equal
from juesuan import __version__
from juesuan.batch import collect_jobs, run_batch
from juesuan.cluster import ClusterUnavailable
from juesuan.names import printable
from juesuan.pipeline import Options, Result
from juesuan.pool import Limits
from write.batch import read_csv
from write.outdir import OutputFolderError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_VERDICT = 0, 1, 2, 3
WIDE = 100_000  # "width" of a file or a pipe: nothing is wrapped or cut


def _console(stderr: bool) -> Console:
    """A terminal gets lines wrapped at its width; a file or a pipe gets every line whole."""
    terminal = (sys.stderr if stderr else sys.stdout).isatty()
    return Console(stderr=stderr, soft_wrap=not terminal, width=None if terminal else WIDE)


console = _console(stderr=True)
out_console = _console(stderr=False)
app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="把部门决算 PDF 与文本导出转为经勾稽校验的结构化数据。 / 部门决算 PDFs and text exports -> clean, checked tables.")
FORMATS = {"csv", "parquet", "xlsx"}


class Engine(str, Enum):
    auto = "auto"
    pdfium = "pdfium"
    pdfplumber = "pdfplumber"
    camelot = "camelot"


class Ocr(str, Enum):
    auto = "auto"
    force = "force"
    off = "off"


class FailOn(str, Enum):
    fail = "fail"
    warn = "warn"


def _version(value: bool) -> None:
    if value:
        out_console.print(f"juesuan {__version__}", highlight=False, markup=False)
        raise typer.Exit(EXIT_OK)


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="显示版本 / Show the version and exit."),
) -> None:
    """把部门决算 PDF 与文本导出转为经勾稽校验的结构化数据。 / 部门决算 PDFs and text exports -> clean, checked tables."""


@app.command()
def extract(
    paths: list[Path] = typer.Argument(..., help="文档或文件夹（.pdf .md .txt） / Documents or folders of documents."),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="输出文件夹 / Output folder: OUT/<folder>/<doc-id>/ per document."),
    workers: int = typer.Option(0, "--workers", "-w", min=0, help="并行文档数（0 = 全部核心） / Documents in parallel (0 = all cores)."),
    formats: str = typer.Option("csv,parquet,xlsx", "--format", help="输出格式 / Comma-separated: csv, parquet, xlsx."),
    engine: Engine = typer.Option(Engine.auto, "--engine", help="PDF 表格引擎 / PDF table engine: auto (pdfium pages, pdfplumber where "
                                  "pdfium cannot map a page, camelot for unsound tables), pdfium, pdfplumber, camelot."),
    ocr: Ocr = typer.Option(Ocr.auto, "--ocr", help="扫描页识别 / OCR: auto (pages without a usable text layer), force (every page), off."),
    no_repair: bool = typer.Option(False, "--no-repair", help="只校验不修复 / Check only: leave OCR damage as read."),
    no_html: bool = typer.Option(False, "--no-html", help="不生成网页报告 / Write no report.html / index.html."),
    force: bool = typer.Option(False, "--force", help="重新转换 / Convert again even when outputs are up to date."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="只输出错误与最后一行 / Print only errors and the final line."),
    json_lines: bool = typer.Option(False, "--json", help="每个文档一行 JSON / One JSON line per document on stdout."),
    fail_on: FailOn | None = typer.Option(None, "--fail-on", help="结论达到此级别时退出码为 3 / Exit 3 when a verdict reaches fail (or warn)."),
    timeout: float = typer.Option(Limits.timeout, "--timeout", min=1, help="每文档限时（秒，每 50 页） / Seconds per document (per 50 pages)."),
    max_memory: int = typer.Option(Limits.memory_mb, "--max-memory", min=128, help="每进程内存上限（MB） / MB one worker may use."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask 调度器地址 / Run on a Dask cluster: tcp://HOST:PORT "
                                         "(inputs and --out on a filesystem every worker sees)."),
):
    """转换文档并校验 / Convert documents, check them, write CSV/Parquet/Excel/DuckDB and reports."""
    wanted = {f.strip() for f in formats.split(",") if f.strip()}
    if not wanted or not wanted <= FORMATS:
        _usage(f"--format: unknown format(s) {', '.join(sorted(wanted - FORMATS)) or '(none)'}; use csv, parquet, xlsx")
    missing = [p for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        _usage(f"not found: {', '.join(printable(str(p)) for p in missing)}")
    jobs, refused, ignored = collect_jobs(paths, out)
    if not jobs and not refused:
        _usage("no .pdf, .md or .txt documents under the given paths")
    options = Options(formats=wanted, engine=engine.value, repair=not no_repair, ocr=ocr.value, html=not no_html)
    with_progress = console.is_terminal and not quiet and not json_lines
    # While the progress bar is drawn, per-document tables go through its console so that they print above it.
    show = _Shower(quiet, json_lines, console if with_progress else out_console)
    for result in refused:
        show.result(result)
    started = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(bar_width=20), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
                  TimeRemainingColumn(), TextColumn("{task.fields[current]}"), console=console,
                  disable=not with_progress) as progress:
        task = progress.add_task("documents", total=len(jobs), rate="", current="")
        pages = 0

        def on_page(source: Path, step: tuple) -> None:
            page, count, how = step
            progress.update(task, current=escape(f"{printable(source.name, 30)} p.{page}/{count} {how.upper()}"))

        def on_result(result: Result, done: int, total: int) -> None:
            nonlocal pages
            pages += (result.manifest or {}).get("pages") or 0
            rate = f"{pages / max(time.perf_counter() - started, 1e-9):.1f} p/s"
            progress.update(task, completed=done, total=total, rate=rate, current=escape(printable(result.source.name, 30)))
            show.result(result)

        try:
            summary = run_batch(jobs, out, options, workers=workers or os.cpu_count() or 1, force=force, on_result=on_result,
                                limits=Limits(timeout=timeout, memory_mb=max_memory), refused=refused, on_progress=on_page,
                                on_skipped=show.skipped, scheduler=scheduler, ignored=ignored)
        except (OutputFolderError, ClusterUnavailable) as exc:
            progress.stop()
            _usage(str(exc))
    if not json_lines and not quiet:
        _print_summary(summary, time.perf_counter() - started)
    console.print(f"{len(summary.converted)} converted, {len(summary.failed)} failed, {len(summary.skipped)} up to date -> {out}", highlight=False,
                  markup=False)
    raise typer.Exit(_exit_code(summary, show.verdicts, fail_on))


def _exit_code(summary, verdicts: list[str], fail_on: FailOn | None) -> int:
    if summary.failed:
        return EXIT_FAILED
    if fail_on is not None and any(worse_or_equal(v, fail_on.value) for v in verdicts):
        return EXIT_VERDICT
    return EXIT_OK


def _usage(message: str) -> None:
    console.print(f"error: {message}", highlight=False, markup=False)
    raise typer.Exit(EXIT_USAGE)


class _Shower:
    """How each document is reported: a JSON line (scripts), a verdict line and its tables (people), or nothing."""

    def __init__(self, quiet: bool, json_lines: bool, tables: Console):
        self.quiet, self.json_lines, self.tables = quiet, json_lines, tables
        self.verdicts: list[str] = []

    def result(self, result: Result) -> None:
        if result.ok:
            self.verdicts.append(result.manifest.get("checks", {}).get("verdict", ""))
        if self.json_lines:
            out_console.print(json.dumps(_result_json(result), ensure_ascii=False), highlight=False, markup=False, soft_wrap=True)
        elif not result.ok:
            console.print(f"[red]error[/red] {escape(result.error or '')}", highlight=False)
        elif not self.quiet:
            _print_document(result, self.tables)
            console.print(_verdict_line(result.source, result.manifest), highlight=False, markup=False)

    def skipped(self, source: Path, target: Path, manifest: dict) -> None:
        self.verdicts.append(manifest.get("checks", {}).get("verdict", ""))
        if self.json_lines:
            line = {"file": printable(str(source)), "ok": True, "skipped": True, "reason": "up to date", "out": printable(str(target)),
                    "checks": manifest.get("checks", {})}
            out_console.print(json.dumps(line, ensure_ascii=False), highlight=False, markup=False, soft_wrap=True)
        elif not self.quiet:
            console.print(f"{printable(source.name)}: up to date ({manifest.get('checks', {}).get('verdict', '?')})", highlight=False, markup=False)


@app.command()
def report(out: Path = typer.Argument(..., help="`juesuan extract` 的输出文件夹 / An output folder of `juesuan extract`.")):
    """重新列出各文档结论与错误 / Reprint the verdict of every document in an output folder, and its errors."""
    summary_csv, errors_csv = out / "checks_summary.csv", out / "errors.csv"
    if not summary_csv.exists():
        _usage(f"{summary_csv} not found (run `juesuan extract` first)")
    rows = read_csv(summary_csv)
    table = Table(title=f"verdicts in {out}", title_justify="left", box=None, pad_edge=False)
    for column, justify in (("document", "left"), ("year", "right"), ("verdict", "left"), ("fail", "right"), ("warn", "right"),
                            ("round", "right"), ("fix", "right")):
        table.add_column(column, justify=justify, overflow="fold")
    names = _fitted([r["department"] or r["doc_id"] for r in rows], 30)
    for row, name in zip(rows, names):
        style = {"fail": "red", "warn": "yellow", "rounding": "cyan", "pass": "green"}.get(row["verdict"], "")
        verdict = f"{row['verdict']} {STATUS_LABELS.get(row['verdict'], '')}"
        table.add_row(escape(name), row["year"], f"[{style}]{verdict}[/{style}]" if style else verdict, row["fail"], row["warn"], row["rounding"],
                      row["repairs"])
    out_console.print(table)
    errors = read_csv(errors_csv)
    for e in errors:
        out_console.print(f"[red]error[/red] {escape(e['message'])} ({escape(e['stage'])}, {escape(e['kind'])})", highlight=False)
    raise typer.Exit(EXIT_FAILED if errors else EXIT_OK)


@app.command("open")
def open_report(target: Path = typer.Argument(Path("out"), help="输出文件夹或文档文件夹 / OUT, or OUT/<folder>/<doc-id>.")):
    """打开网页报告 / Print the path of the HTML report (index.html or report.html) and open it where a browser is available."""
    from juesuan.open_report import ReportNotFound, open_in_browser, report_path

    try:
        path = report_path(target)
    except ReportNotFound as exc:
        _usage(str(exc))
    out_console.print(str(path.resolve()), highlight=False, markup=False)
    open_in_browser(path)


def distinct_labels(names: list[str], width: int) -> list[str]:
    """Names that fit `width` display columns and stay told apart: a prefix they share (上海市普陀区…) goes first."""
    prefix = os.path.commonprefix(names) if len(names) > 1 else ""
    out = []
    for name in names:
        if _display_width(name) > width and len(prefix) > 1:
            name = "…" + name[len(prefix):]
        while _display_width(name) > width:
            name = name[:-2] + "…"
        out.append(name)
    return out


def _fitted(names: list[str], width: int) -> list[str]:
    """Cut to fit a terminal; whole when the output goes to a file or a pipe."""
    return distinct_labels(names, width) if out_console.is_terminal else names


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _print_summary(summary, seconds: float) -> None:
    manifests = [r.manifest for r in summary.converted]
    checks = [m.get("checks", {}) for m in manifests]
    table = Table(title="batch summary", title_justify="left", box=None, pad_edge=False)
    for column in ("docs", "pages", "tables", "fail", "warn", "round", "pass", "fix", "errors", "cached", "seconds"):
        table.add_column(column, justify="right")
    table.add_row(
        str(len(summary.results) + len(summary.skipped)), str(sum(m.get("pages") or 0 for m in manifests)),
        str(sum(m.get("tables_found", 0) for m in manifests)),
        *(str(sum(c.get(s, 0) for c in checks)) for s in ("fail", "warn", "rounding", "pass", "repairs")),
        str(len(summary.failed)), str(len(summary.skipped)), f"{seconds:.1f}",
    )
    out_console.print(table)
    out_console.print(f"outputs: {summary.out} (index.html, facts.csv/.parquet, juesuan.xlsx, juesuan.duckdb, checks_summary.csv, "
                      f"errors.csv, datapackage.json)", highlight=False, markup=False)


def _verdict_line(source: Path, manifest: dict) -> str:
    checks = manifest.get("checks", {})
    return (f"{printable(source.name)}: {checks.get('verdict', '?')} — {checks.get('fail', 0)} fail, {checks.get('warn', 0)} warn, "
            f"{checks.get('rounding', 0)} rounding, {checks.get('pass', 0)} pass, {checks.get('repairs', 0)} repairs")


def _result_json(result: Result) -> dict:
    if not result.ok:
        return {"file": printable(str(result.source)), "ok": False, "stage": result.error_stage, "kind": result.error_kind, "error": result.error}
    m = result.manifest
    return {
        "file": printable(str(result.source)),
        "ok": True,
        "skipped": False,
        "out": str(result.target),
        "tables": sum(1 for t in m["tables"].values() if t["found"]),
        "values": sum(t.get("values", 0) for t in m["tables"].values()),
        "unreadable": len(m["unreadable"]),
        "junk_rows": m["junk_rows"]["count"],
        "checks": m.get("checks", {}),
    }


def _print_document(result: Result, printer: Console) -> None:
    m = result.manifest
    table = Table(title=escape(f"{printable(result.source.name)} -> {result.target}"), title_justify="left", box=None, pad_edge=False)
    for column, justify in (("table", "left"), ("title", "left"), ("rows", "right"), ("values", "right"), ("pages", "left"), ("note", "left")):
        table.add_column(column, justify=justify, overflow="fold")
    unreadable_by_table: dict[str, int] = {}
    for p in m["unreadable"]:
        unreadable_by_table[p["table"]] = unreadable_by_table.get(p["table"], 0) + 1
    for tid, t in m["tables"].items():
        title = escape(_fitted([t["title"]], 24)[0])
        if not t["found"]:
            table.add_row(tid, title, "-", "-", "-", "[red]not found[/red]")
            continue
        notes = []
        if t["declared_empty"]:
            notes.append("declared empty")
        elif t["empty"]:
            notes.append("empty")
        if unreadable_by_table.get(tid):
            notes.append(f"{unreadable_by_table[tid]} unreadable")
        if t["header_mapping"] != "header":
            notes.append("template columns")
        table.add_row(tid, title, str(t["rows"]), str(t["values"]), _pages(t["pages"]), "; ".join(notes))
    printer.print(table)
    printer.print(f"department: {m['department']}  year: {m['year']}  unit: {m['unit']}  junk rows: {m['junk_rows']['count']}  "
                      f"unreadable: {len(m['unreadable'])}", highlight=False, markup=False)


def _pages(pages: list[int]) -> str:
    return f"{pages[0]}-{pages[-1]}" if len(pages) > 2 else ",".join(map(str, pages))


def main() -> None:
    app()


if __name__ == "__main__":
    sys.exit(main())
