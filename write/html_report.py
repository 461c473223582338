"""report.html for one document and index.html for a batch: static pages that open from disk, with no server
and no network (styles and scripts inline, page images as files beside the report).

A PDF's report shows each page that holds a table or that a check which does not pass refers to, with every
extracted cell outlined where it was read. A page only passing checks refer to (a 说明 page restating the tables
correctly) has nothing to outline: it is linked in the PDF itself rather than rendered. A text export's report
shows its tables as HTML tables. Either way a cell's colour says what happened to it (failing a check, repaired,
unreadable) and hovering or clicking it shows what was read, the value, where it came from and the checks that
involve it. Every text is escaped.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from html import escape
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from check.results import CATEGORIES, STATUS_LABELS, STATUSES
from check.run import CheckReport
from normalize.amounts import format_amount
from normalize.document import NormalizedDocument
from normalize.labels import printable
from normalize.model import CanonicalRow, CanonicalTable
from write.atomic import atomic_write_text
from write.html_cells import CellView, CheckView, address_label, build_views, cell_details, measure_label
from write.html_pages import PageImage, Rendering, render_pages

REPORT_FILE = "report.html"
INDEX_FILE = "index.html"
OPEN_STATUSES = ("fail", "warn")  # status groups shown unfolded in the checks list
QUIET_STATUSES = ("pass", "skipped")  # their cells are highlighted by following the check, not listed one by one
COUNT_COLUMNS = ("fail", "warn", "rounding", "pass", "skipped", "repairs")
VERDICT_ORDER = {v: i for i, v in enumerate(("fail", "warn", "rounding", "pass", "empty"))}
STATE_LABELS = {"fail": "fails a check", "repaired": "repaired", "unreadable": "unreadable", "neutral": "read"}


@lru_cache(maxsize=None)
def asset(name: str) -> str:
    return (resources.files(__package__) / "report_assets" / name).read_text(encoding="utf-8")


def text(value) -> str:
    """Any value as escaped HTML text (None as nothing)."""
    return escape("" if value is None else str(value), quote=True)


def script_json(data) -> str:
    """JSON that cannot end the <script> element holding it, nor open a comment in it."""
    encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, replacement in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        encoded = encoded.replace(char, replacement)
    return encoded


def page_html(title: str, body: str, script: str, data: dict | None = None) -> str:
    payload = f'<script type="application/json" id="report-data">{script_json(data)}</script>\n' if data is not None else ""
    return (f'<!doctype html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{text(title)}</title>\n'
            f"<style>\n{asset('report.css')}</style>\n</head>\n<body>\n{body}\n{payload}<script>\n{script}</script>\n</body>\n</html>\n")


# ---------------------------------------------------------------- one document


def write_document_report(folder: Path, doc: NormalizedDocument, report: CheckReport, manifest: dict,
                          rendered: dict[int, Rendering] | None = None) -> None:
    """folder/report.html, and for a PDF the page images in folder/pages/ (`rendered`: pages rendered already)."""
    cells, checks = build_views(doc, report)
    if doc.raw.kind == "pdf":
        numbers = pages_to_show(doc, cells, checks, manifest)
        images = ShownPages(render_pages(doc.raw.source, numbers, folder, set(doc.raw.ocr_pages), rendered),
                            doc.raw.source.resolve().as_uri())
        targets = {view.index: f"#{view.anchor}" for view in cells if view.cell.page in images}
        main = pages_html(doc, images, cells, checks)
    else:
        images = ShownPages({})
        targets = {view.index: f"#{view.anchor}" for view in cells}
        main = tables_html(doc, cells)
    sidebar = sidebar_html(doc, report, manifest, cells, checks, targets, images)
    body = (f'<div class="layout">\n<aside class="sidebar">\n{sidebar}\n</aside>\n<main>\n{main}\n</main>\n</div>\n'
            '<aside id="details" class="details" hidden aria-live="polite">'
            '<button type="button" class="close" aria-label="close">×</button><div class="details-body"></div></aside>')
    data = {"cells": [cell_details(view, doc.raw.kind) for view in cells], "check_cells": [check.cells for check in checks]}
    (folder / REPORT_FILE).write_text(page_html(document_title(doc, manifest), body, asset("report.js"), data), encoding="utf-8")


def document_title(doc: NormalizedDocument, manifest: dict) -> str:
    who = doc.raw.department or manifest.get("doc_id") or printable(doc.raw.source.stem)
    return " ".join(filter(None, [who, str(doc.raw.year or ""), "—", doc.raw.source_name]))


class ShownPages(dict):
    """The pages the report shows (page number -> PageImage); `pdf_uri`: the source PDF, where any other page is
    opened (a text export has none)."""

    def __init__(self, images: dict[int, PageImage], pdf_uri: str | None = None):
        super().__init__(images)
        self.pdf_uri = pdf_uri

    def href(self, page: int) -> str | None:
        if page in self:
            return f"#p{page}"
        return f"{text(self.pdf_uri)}#page={page}" if self.pdf_uri else None


def pages_to_show(doc: NormalizedDocument, cells: list[CellView], checks: list[CheckView], manifest: dict) -> list[int]:
    """Pages holding a table or a shown cell, pages a check that does not pass refers to, pages of unreadable
    cells and codes."""
    pages = {p for table in doc.tables.values() for p in table.pages}
    pages |= {view.cell.page for view in cells if view.cell.page}
    pages |= {p for check in checks if check.status != "pass" for p in check.pages}  # skipped: the reader may see why
    pages |= {p["page"] for p in manifest.get("unreadable", []) if isinstance(p.get("page"), int)}
    return sorted(pages)


def _first_target(check: CheckView, targets: dict[int, str], images: ShownPages) -> str | None:
    """A check leads to the first of its cells that is shown (its total, as checks name it first), else to its
    first page shown, else to its first page in the PDF."""
    for index in check.cells:
        if index in targets:
            return targets[index]
    pages = sorted(check.pages, key=lambda p: p not in images)
    return images.href(pages[0]) if pages else None


# ---------------------------------------------------------------- sidebar: summary, checks, repairs, unreadable


def sidebar_html(doc, report: CheckReport, manifest: dict, cells, checks, targets, images) -> str:
    return "\n".join([
        summary_html(doc, report, manifest),
        legend_html(),
        contents_html(doc, images),
        checks_html(checks, cells, targets, images),
        repairs_html(doc, report, cells, targets, images),
        unreadable_html(doc, manifest, cells, targets, images),
    ])


def summary_html(doc: NormalizedDocument, report: CheckReport, manifest: dict) -> str:
    raw = doc.raw
    counts = {**report.counts(), "repairs": len(report.repairs), "unreadable": len(manifest.get("unreadable", []))}
    facts = [raw.source_name, {"pdf": "PDF", "text": "text export"}.get(raw.kind, raw.kind)]
    if raw.page_count:
        facts.append(f"{raw.page_count} pages")
    if raw.unit:
        facts.append(f"unit {raw.unit}")
    missing = f'<p class="missing">tables not found: {text(", ".join(doc.missing))}</p>' if doc.missing else ""
    cells = "".join(f'<div class="count n-{name}"><b>{counts[name]}</b> {name}</div>' for name in counts)
    verdict = report.verdict
    return (f'<p class="back"><a href="../../{INDEX_FILE}">← all documents</a></p>\n'
            f"<h1>{text(raw.department or manifest.get('doc_id'))} <span class=\"year\">{text(raw.year or '')}</span></h1>\n"
            f'<p class="source">{text(" · ".join(facts))}</p>\n'
            f'<p class="verdict v-{text(verdict)}">verdict: <b>{text(verdict)}</b> {text(STATUS_LABELS.get(verdict, ""))}</p>\n'
            f'<div class="counts">{cells}</div>\n{missing}')


def legend_html() -> str:
    items = "".join(f'<li><span class="swatch s-{state}"></span>{label}</li>' for state, label in STATE_LABELS.items())
    return f'<ul class="legend">{items}</ul>'


def contents_html(doc: NormalizedDocument, images: dict[int, PageImage]) -> str:
    if images:
        links = " ".join(f'<a href="#p{n}">{n}</a>' for n in sorted(images))
        return f'<nav class="contents"><h2>Pages</h2><p>{links}</p></nav>'
    links = " ".join(f'<a href="#t-{text(t.id)}" title="{text(t.title)}">{text(t.id)}</a>' for t in doc.tables.values())
    return f'<nav class="contents"><h2>Tables</h2><p>{links}</p></nav>'


def checks_html(checks: list[CheckView], cells: list[CellView], targets: dict[int, str], images) -> str:
    """Checks grouped by status (fail first) and category; each links to its first cell (or page)."""
    groups = []
    for status in STATUSES:
        in_status = [c for c in checks if c.status == status]
        if not in_status:
            continue
        parts = []
        for category in CATEGORIES + tuple(sorted({c.result["category"] for c in in_status} - set(CATEGORIES))):
            in_category = [c for c in in_status if c.result["category"] == category]
            if in_category:
                items = "\n".join(check_item_html(c, cells, targets, images) for c in in_category)
                parts.append(f'<h3>{text(category)} <small>({len(in_category)})</small></h3>\n<ol class="checks">\n{items}\n</ol>')
        opened = " open" if status in OPEN_STATUSES else ""
        groups.append(f'<details class="status s-{status}"{opened}><summary>{status} {text(STATUS_LABELS[status])} '
                      f'<small>({len(in_status)})</small></summary>\n' + "\n".join(parts) + "\n</details>")
    return '<section class="checks-list"><h2>Checks</h2>\n' + "\n".join(groups) + "\n</section>"


def check_item_html(check: CheckView, cells: list[CellView], targets: dict[int, str], images) -> str:
    r = check.result
    first = _first_target(check, targets, images)
    heading = f'<span class="id">{text(r["check_id"])}</span> {text(r["description"])}'
    heading = f'<a class="go" href="{first}" data-k="{check.index}">{heading}</a>' if first else f'<span class="go">{heading}</span>'
    figures = text(" · ".join(f"{name} {r[name]}" for name in ("expected", "actual", "difference") if r[name]))
    lines = [heading]
    if figures:
        lines.append(f'<p class="figures">{figures}</p>')
    if r["row_keys"]:
        lines.append(f'<p class="rows">{text(r["row_keys"])}</p>')
    if r["reason"]:
        lines.append(f'<p class="reason">{text(r["reason"])}</p>')
    where = _where_html(check, cells, targets, images, cell_links=check.status not in QUIET_STATUSES)
    if where:
        lines.append(f'<p class="where">{where}</p>')
    return f'<li class="check s-{text(check.status)}" id="{check.anchor}">' + "".join(lines) + "</li>"


def _where_html(check: CheckView, cells: list[CellView], targets: dict[int, str], images, cell_links: bool) -> str:
    parts = []
    pages = [_page_link_html(p, images) for p in check.pages if images.href(p)]
    if pages:
        parts.append("p. " + ", ".join(pages))
    links = []
    for address in check.addresses if cell_links else []:
        label = text(address_label(address))
        found = [i for i in check.cells if cells[i].address == address]
        target = next((targets[i] for i in found if i in targets), None)
        links.append(f'<a href="{target}" data-k="{check.index}">{label}</a>' if target else f'<span class="absent">{label}</span>')
    if links:
        parts.append("cells: " + " ".join(links))
    return " · ".join(parts)


def _page_link_html(page: int, images: ShownPages) -> str:
    if page in images:
        return f'<a href="{images.href(page)}">{page}</a>'
    return f'<a class="pdf" href="{images.href(page)}" title="not shown here: opens the page in the PDF">{page}</a>'


def repairs_html(doc: NormalizedDocument, report: CheckReport, cells: list[CellView], targets, images) -> str:
    if not report.repairs:
        return ""
    by_repair = {id(view.repair): view for view in cells if view.repair is not None}
    items = []
    for repair in report.repairs:
        view = by_repair.get(id(repair))
        target = targets.get(view.index) if view else _row_target(doc, repair.table, repair.side, repair.code, repair.name, images)
        who = " ".join(filter(None, [repair.table, repair.side, repair.code, repair.name, repair.measure]))
        change = f"{text(repair.as_read)} → {text(repair.repaired)}"
        label = f'<a href="{target}">{text(who)}</a>' if target else text(who)
        items.append(f"<li>{label}: <code>{change}</code> <span class=\"how\">{text(repair.how)} ({text(repair.confidence)})</span></li>")
    return _folded_list("repairs", "Repairs", items, opened=False)


def unreadable_html(doc: NormalizedDocument, manifest: dict, cells: list[CellView], targets, images) -> str:
    problems = manifest.get("unreadable", [])
    if not problems:
        return ""
    by_address = {view.address: view for view in cells}
    items = []
    for p in problems:
        view = by_address.get(f"{p['table']}|{p['side']}|{p['code'] or p['name']}|{p['measure']}")
        target = targets.get(view.index) if view else _row_target(doc, p["table"], p["side"], p["code"], p["name"], images)
        who = " ".join(filter(None, [p["table"], p["side"], p["code"], p["name"], p["measure"]]))
        label = f'<a href="{target}">{text(who)}</a>' if target else text(who)
        items.append(f'<li>{label}: <code>{text(p["as_printed"])}</code> <span class="how">{text(p["problem"])}</span></li>')
    return _folded_list("unreadable", "Unreadable", items, opened=True)


def _folded_list(name: str, title: str, items: list[str], opened: bool) -> str:
    summary = f"<summary>{title} <small>({len(items)})</small></summary>"
    return f'<section class="{name}"><details{" open" if opened else ""}>{summary}<ul>' + "".join(items) + "</ul></details></section>"


def _row_target(doc: NormalizedDocument, table_id: str, side: str, code: str, name: str, images) -> str | None:
    """A row-level finding (a code or name) links to the row's page, or to its table in a text export."""
    table = doc.tables.get(table_id)
    if table is None:
        return None
    if not images:
        return f"#t-{text(table_id)}"
    row = next((r for r in table.rows if r.side == side and ((code and r.code == code) or (not code and r.name == name))), None)
    page = row.page if row is not None else None
    return f"#p{page}" if page in images else None


# ---------------------------------------------------------------- pages (PDF)


def pages_html(doc: NormalizedDocument, images: ShownPages, cells: list[CellView], checks: list[CheckView]) -> str:
    tables_on = {}
    for table in doc.tables.values():
        for page in table.pages:
            tables_on.setdefault(page, []).append(table)
    by_page: dict[int, list[CellView]] = {}
    for view in cells:
        by_page.setdefault(view.cell.page, []).append(view)
    return "\n".join(page_section_html(image, tables_on.get(n, []), by_page.get(n, []), checks, images.pdf_uri)
                     for n, image in sorted(images.items()))


def page_section_html(image: PageImage, tables: list[CanonicalTable], cells: list[CellView], checks: list[CheckView],
                      source_uri: str) -> str:
    n = image.number
    names = " · ".join(f"{t.id} {t.title}" for t in tables)
    placed = [view for view in cells if view.cell.box and image.shows(view.cell.box)]
    unplaced = [view for view in cells if not (view.cell.box and image.shows(view.cell.box))]
    outlines = "".join(_outline_html(view, image) for view in placed)
    findings = [c for c in checks if n in c.pages and c.status not in ("pass", "skipped")]
    parts = [f'<section class="page" id="p{n}" aria-label="page {n}">',
             f'<header><h2>Page {n}</h2> <span class="tables">{text(names)}</span> '
             f'<a class="pdf" href="{text(source_uri)}#page={n}">PDF</a></header>']
    if findings:
        links = " ".join(f'<a class="s-{c.status}" href="#{c.anchor}">{text(c.status)} {text(c.result["check_id"])}</a>' for c in findings)
        parts.append(f'<p class="page-checks">checks on this page: {links}</p>')
    parts.append(f'<div class="sheet" style="max-width:{image.width_px}px">'
                 f'<img src="{text(image.file)}" width="{image.width_px}" height="{image.height_px}" alt="page {n}" loading="lazy">'
                 f"{outlines}</div>")
    if unplaced:
        links = " ".join(_cell_link_html(view, address_label(view.address), "inline") for view in unplaced)
        parts.append(f'<p class="unplaced">cells not drawn (no recorded position, or printed beyond the page): {links}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def _outline_html(view: CellView, image: PageImage) -> str:
    left, top, width, height = image.percent_box(view.cell.box)
    style = f"left:{left:.3f}%;top:{top:.3f}%;width:{width:.3f}%;height:{height:.3f}%"
    return (f'<a class="cell s-{view.state}" id="{view.anchor}" href="#{view.anchor}" data-i="{view.index}" style="{style}" '
            f'aria-label="{text(address_label(view.address))}"></a>')


def _cell_link_html(view: CellView, content: str, kind: str) -> str:
    return f'<a class="cell {kind} s-{view.state}" id="{view.anchor}" href="#{view.anchor}" data-i="{view.index}">{text(content)}</a>'


# ---------------------------------------------------------------- tables (text exports)


def tables_html(doc: NormalizedDocument, cells: list[CellView]) -> str:
    views = {(id(view.row), view.measure): view for view in cells}
    return "\n".join(table_section_html(table, views) for table in doc.tables.values())


def table_section_html(table: CanonicalTable, views: dict) -> str:
    sides = list(dict.fromkeys(row.side for row in table.rows)) or [""]
    grids = "\n".join(_grid_html(table, [r for r in table.rows if r.side == side], side, views) for side in sides)
    facts = " · ".join(filter(None, [f"unit {table.unit}" if table.unit else "", f"{len(table.rows)} rows",
                                     "declared empty" if table.declared_empty else ""]))
    return (f'<section class="table-view" id="t-{text(table.id)}">\n<h2>{text(table.id)} {text(table.title)}</h2>\n'
            f'<p class="facts">{text(facts)}</p>\n{grids}\n</section>')


def _grid_html(table: CanonicalTable, rows: list[CanonicalRow], side: str, views: dict) -> str:
    measures = [m for m in table.measures if any(m in r.values for r in rows)] or list(table.measures)
    coded = any(r.code or r.code_cells for r in rows)
    head = (["科目编码"] if coded else []) + ["名称"] + [measure_label(side, m) for m in measures]
    caption = f"<caption>{text(side)}</caption>" if side else ""
    header = "".join(f'<th scope="col">{text(h)}</th>' for h in head)
    body = "\n".join(_row_html(row, measures, coded, views) for row in rows)
    return f'<div class="scroll"><table class="grid">{caption}<thead><tr>{header}</tr></thead>\n<tbody>\n{body}\n</tbody></table></div>'


def _row_html(row: CanonicalRow, measures: list[str], coded: bool, views: dict) -> str:
    cells = []
    if coded:
        cells.append(_code_cell_html(row))
    level = f" level-{text(row.level)}" if row.level else ""
    cells.append(f'<th scope="row" class="name{level}">{text(row.name)}</th>')
    for measure in measures:
        view = views.get((id(row), measure))
        cells.append(f'<td class="num">{_cell_link_html(view, _shown_value(view), "value")}</td>' if view else "<td></td>")
    return "<tr>" + "".join(cells) + "</tr>"


def _code_cell_html(row: CanonicalRow) -> str:
    if row.code_problem:
        state, note = "unreadable", f"as read: {' '.join(row.code_cells)} — {row.code_problem}"
    elif row.code_how in ("joined", "from-name"):
        how = "joined from split fragments" if row.code_how == "joined" else "completed from the row's name"
        state, note = "repaired", f"as read: {' | '.join(row.code_cells)} — code {how}"
    else:
        return f'<td class="code">{text(row.code or "")}</td>'
    return f'<td class="code s-{state}" title="{text(note)}">{text(row.code or " ".join(row.code_cells))}</td>'


def _shown_value(view: CellView) -> str:
    return format_amount(view.cell.value) if view.cell.value is not None else view.cell.raw


# ---------------------------------------------------------------- batch index


def write_batch_index(out: Path, documents: list[dict], errors: list[dict]) -> None:
    """OUT/index.html: every document with its verdict, counts and a link to its report; every error."""
    failing = sum(1 for d in documents if d.get("verdict") == "fail")
    body = "\n".join([
        f"<header class=\"index-head\"><h1>juesuan — {len(documents)} documents</h1>"
        f"<p>with contradictions: {failing} · inputs not converted: {len(errors)} · click a column heading to sort</p></header>",
        documents_table_html(out, documents),
        errors_table_html(errors),
    ])
    atomic_write_text(out / INDEX_FILE, page_html(f"juesuan — {out.name}", f'<div class="index">\n{body}\n</div>', asset("index.js")))


def documents_table_html(out: Path, documents: list[dict]) -> str:
    columns = ["document", "department", "year", "verdict", *COUNT_COLUMNS, "pages", "source"]
    worst_first = sorted(documents, key=lambda d: (VERDICT_ORDER.get(d.get("verdict"), 9), str(d.get("doc_id"))))
    rows = [_document_row_html(out, d) for d in worst_first]
    return _sortable_table("documents", columns, rows, "no documents converted")


def _document_row_html(out: Path, d: dict) -> str:
    link = _report_link(out, d.get("folder"))
    name = text(d.get("doc_id"))
    shown = f'<a href="{text(link)}">{name}</a>' if link else name
    verdict = str(d.get("verdict") or "")
    cells = [
        f'<td data-sort="{name}">{shown}</td>',
        f"<td>{text(d.get('department'))}</td>",
        _number_cell(d.get("year")),
        f'<td class="v-{text(verdict)}" data-sort="{VERDICT_ORDER.get(verdict, 9)}">{text(verdict)}</td>',
        *(_number_cell(d.get(column)) for column in COUNT_COLUMNS),
        _number_cell(d.get("pages")),
        f'<td class="path">{text(d.get("source"))}</td>',
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def _number_cell(value) -> str:
    shown = "" if value is None else str(value)
    return f'<td class="num" data-sort="{text(shown)}">{text(shown)}</td>'


def _report_link(out: Path, folder) -> str | None:
    """The document's report.html relative to OUT (a URL path), when it was written."""
    if not folder:
        return None
    report = Path(folder) / REPORT_FILE
    if not report.is_file():
        return None
    relative = Path(os.path.relpath(report, out)).as_posix()
    return quote(relative, safe="/")


def errors_table_html(errors: list[dict]) -> str:
    columns = ["file", "stage", "kind", "message"]
    rows = ["<tr>" + "".join(f"<td>{text(e.get(c))}</td>" for c in columns) + "</tr>" for e in errors]
    return "<h2>Inputs not converted</h2>\n" + _sortable_table("errors", columns, rows, "none")


def _sortable_table(name: str, columns: list[str], rows: list[str], empty: str) -> str:
    if not rows:
        return f'<p class="empty">{text(empty)}</p>'
    header = "".join(f'<th scope="col" aria-sort="none"><button type="button">{text(c)}</button></th>' for c in columns)
    return f'<table class="sortable {name}"><thead><tr>{header}</tr></thead>\n<tbody>\n' + "\n".join(rows) + "\n</tbody></table>"
