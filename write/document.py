"""Everything written for one document, in one atomic folder: OUT/<group>/<doc-id>/."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from normalize.document import NormalizedDocument
from normalize.regions import region_of
from schemas import table_schemas
from dataclasses import asdict

from check.run import CHECK_COLUMNS, REPAIR_COLUMNS, CheckReport
from write.atomic import atomic_directory
from write.html_report import write_document_report
from write.excel import add_cover, add_field_notes, add_sheet, new_workbook, save
from write.dataset import write_document_dataset
from write.documents import DOCUMENT_COLUMNS, document_row
from write.report import write_report_md
from write.tables import FACT_COLUMNS, fact_rows, numbers_of, wide_rows, write_csv, write_parquet

SECTION_COLUMNS = ["section", "heading", "text", "pages", "lines"]
FIGURE_COLUMNS = ["subject", "kind", "value", "unit", "note", "section", "sentence", "page", "line"]
ITEM_COLUMNS = ["section", "code", "lei", "kuan", "xiang", "budget_base", "budget", "actual", "rate", "direction", "reason", "sentence", "page", "line"]
PROJECT_COLUMNS = ["title", "kind", "project", "department", "implementer", "budget_basis", "budget", "spent", "rate", "weight", "score", "total",
                   "filled", "pages"]
INDICATOR_COLUMNS = ["project", "level1", "level2", "level3", "target", "actual", "score", "target_op", "target_value", "target_unit",
                     "actual_op", "actual_value", "actual_unit"]
OUTPUT_COLUMNS = {"facts": FACT_COLUMNS, "checks": CHECK_COLUMNS, "repairs": REPAIR_COLUMNS, "narrative_sections": SECTION_COLUMNS,
                  "narrative_figures": FIGURE_COLUMNS, "narrative_items": ITEM_COLUMNS, "performance_projects": PROJECT_COLUMNS,
                  "performance_indicators": INDICATOR_COLUMNS}


def narrative_outputs(doc: NormalizedDocument) -> dict[str, tuple[list[str], list[dict]]]:
    """The 说明 as data: sections, stated figures, per-项 statements and the 绩效自评表."""
    join = lambda values: ",".join(map(str, values))  # noqa: E731
    sections = [{"section": " / ".join(p.section), "heading": p.heading, "text": p.text, "pages": join(p.pages), "lines": join(p.lines)}
                for p in doc.paragraphs]
    projects = [{**{k: v for k, v in asdict(e).items() if k != "indicators"}, "pages": join(e.pages)} for e in doc.evaluations]
    indicators = [{"project": e.project, **asdict(i)} for e in doc.evaluations for i in e.indicators]
    return {
        "narrative_sections": (SECTION_COLUMNS, sections),
        "narrative_figures": (FIGURE_COLUMNS, [asdict(f) for f in doc.figures]),
        "narrative_items": (ITEM_COLUMNS, [asdict(i) for i in doc.items]),
        "performance_projects": (PROJECT_COLUMNS, projects),
        "performance_indicators": (INDICATOR_COLUMNS, indicators),
    }


def document_outputs(doc: NormalizedDocument, doc_id: str, report: CheckReport | None) -> dict[str, tuple[list[str], list[dict]]]:
    """Every long table of one document, by output name: facts, checks, repairs, the narrative and 绩效 tables."""
    outputs = {"facts": (FACT_COLUMNS, fact_rows(doc, doc_id))}
    if report is not None:
        outputs["checks"] = (CHECK_COLUMNS, report.results)
        outputs["repairs"] = (REPAIR_COLUMNS, [asdict(r) for r in report.repairs])
    return outputs | narrative_outputs(doc)


def write_document(doc: NormalizedDocument, target: Path, doc_id: str, source_sha256: str, tool_version: str, formats: set[str],
                   report: CheckReport | None = None, options: dict | None = None, id_note: str = "", html: bool = True,
                   dataset_root: Path | None = None, page_renderings: dict | None = None) -> dict:
    """Write all outputs of one document into OUT/<group>/<doc-id>/ (one atomic folder) and, with `dataset_root`,
    its rows into the batch's partitioned dataset (each file atomic, all written before the folder is committed:
    a document whose folder exists has all its dataset files). `page_renderings`: the report's page images
    rendered during extraction. Returns the manifest."""
    manifest = build_manifest(doc, doc_id, source_sha256, tool_version)
    if id_note:
        manifest["doc_id_note"] = id_note
    manifest["options"] = options or {}
    if report is not None:
        manifest["checks"] = {"verdict": report.verdict, **report.counts(), "repairs": len(report.repairs)}
    outputs = document_outputs(doc, doc_id, report)
    with atomic_directory(target) as staging:
        if report is not None:
            write_report_md(staging, report, f"{doc.raw.department or doc_id} {doc.raw.year or ''} — {doc.raw.source_name}")
        for name, (columns, rows) in outputs.items():
            if name != "facts" or "csv" in formats:
                write_csv(staging / f"{name}.csv", columns, rows)
        if "parquet" in formats:
            write_parquet(staging / "facts.parquet", *outputs["facts"], "facts")
        for schema in table_schemas():
            table = doc.tables.get(schema.id)
            if table is not None:
                _write(staging / f"{schema.id}_{schema.slug}", *wide_rows(table), set(table.measures), formats)
        if "xlsx" in formats:
            write_document_workbook(staging / f"{doc_id}.xlsx", doc, report, manifest, outputs["facts"][1])
        if dataset_root is not None:
            manifest["dataset"] = _write_dataset(dataset_root, doc_id, manifest, target, outputs)
        (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        if html and report is not None:
            write_document_report(staging, doc, report, manifest, page_renderings)
    return manifest


def _write_dataset(out: Path, doc_id: str, manifest: dict, target: Path, outputs) -> dict[str, str]:
    """Each output's rows with their document and their order (`row`), and the document's own row."""
    numbered = {name: (["doc_id", "row"] + [c for c in columns if c != "doc_id"], [{**r, "doc_id": doc_id, "row": i} for i, r in enumerate(rows)])
                for name, (columns, rows) in outputs.items()}
    documents = ([c for c in DOCUMENT_COLUMNS if c not in ("year", "province")], [document_row(manifest, target)])
    return write_document_dataset(out, doc_id, manifest.get("year"), manifest.get("province") or "", numbered | {"documents": documents})


def write_document_workbook(path: Path, doc: NormalizedDocument, report: CheckReport | None, manifest: dict, facts: list[dict]) -> None:
    """The document's workbook: a cover naming it, its facts as an Excel Table, a sheet per table, checks, repairs."""
    workbook = new_workbook(path, small=True)
    checks = manifest.get("checks", {})
    add_cover(workbook, "文档", [
        ("文档", manifest["source"]["name"]), ("部门", manifest.get("department")), ("年度", manifest.get("year")),
        ("单位", manifest.get("unit")), ("结论", checks.get("verdict")), ("矛盾/提示/尾数误差", f"{checks.get('fail', 0)} / {checks.get('warn', 0)} / {checks.get('rounding', 0)}"),
        ("修复", checks.get("repairs", 0)), ("地区", manifest.get("region")), ("行政级别", manifest.get("level")), ("页数", manifest.get("pages")),
        ("文档编号", manifest["doc_id"]), ("源文件校验和", manifest["source"]["sha256"]),
    ])
    add_sheet(workbook, "明细", FACT_COLUMNS, facts, {"value", "value_yuan"}, as_table=True)
    columns_seen = list(FACT_COLUMNS)
    for schema in table_schemas():
        table = doc.tables.get(schema.id)
        if table is not None:
            columns, rows = wide_rows(table)
            add_sheet(workbook, f"{schema.id} {schema.title}", columns, rows, set(table.measures))
            columns_seen += columns
    if report is not None:
        add_sheet(workbook, "校验", CHECK_COLUMNS, report.results, {"expected", "actual", "difference"}, as_table=True)
        add_sheet(workbook, "修复", REPAIR_COLUMNS, [asdict(r) for r in report.repairs], set(), as_table=True)
        columns_seen += CHECK_COLUMNS + REPAIR_COLUMNS
    add_field_notes(workbook, [c for c in columns_seen if not _is_measure(c, doc)])
    save(workbook)


def _is_measure(column: str, doc: NormalizedDocument) -> bool:
    return any(column in t.measures for t in doc.tables.values())


def _write(stem: Path, columns, rows, decimal_columns, formats) -> None:
    if "csv" in formats:
        write_csv(stem.with_suffix(".csv"), columns, rows)
    if "parquet" in formats:
        write_parquet(stem.with_suffix(".parquet"), columns, rows, "wide", decimal_columns)


def _ocr_summary(pages: dict[int, dict]) -> dict:
    """Which pages OCR read, why, how they were turned and levelled, and how long it took (cache hits included)."""
    return {"pages": {str(n): info for n, info in sorted(pages.items())}, "count": len(pages),
            "seconds": round(sum(p["seconds"] for p in pages.values()), 2), "from_cache": sum(1 for p in pages.values() if p["cached"])}


def build_manifest(doc: NormalizedDocument, doc_id: str, source_sha256: str, tool_version: str) -> dict:
    raw = doc.raw
    dropped = [
        {"table": t.id, "reason": d.reason, "text": d.text, "page": d.page, "line": d.line}
        for t in doc.tables.values()
        for d in t.dropped
    ]
    tables = {}
    for schema in table_schemas():
        table = doc.tables.get(schema.id)
        if table is None:
            tables[schema.id] = {"title": schema.title, "found": False}
            continue
        facts = sum(1 for _, _, c in table.cells() if c.value is not None)
        tables[schema.id] = {
            "title": table.title,
            "found": True,
            "rows": len(table.rows),
            "values": facts,
            "empty": facts == 0,
            "declared_empty": table.declared_empty,
            "unit": table.unit or raw.unit,
            "pages": table.pages,
            "identified_by": table.identified_by,
            "engine": table.engine,
            "header_mapping": table.header_mapping,
            "measures": table.measures,
        }
    region = region_of(raw.department)
    return {
        "tool": "juesuan",
        "tool_version": tool_version,
        "doc_id": doc_id,
        "source": {"path": raw.source_path, "name": raw.source_name, "sha256": source_sha256, "kind": raw.kind},
        "department": raw.department,
        "region": region.name,
        "level": region.level,
        "province": region.province,
        "year": raw.year,
        "unit": raw.unit,
        "pages": raw.page_count,
        "page_kinds": {str(k): v for k, v in sorted(raw.page_kinds.items())},
        "ocr": _ocr_summary(raw.ocr_pages),
        "table_pages_parsed_by_pdfminer": {str(n): why for n, why in sorted(raw.pdfminer_pages.items())},
        "tables": tables,
        "missing_tables": doc.missing,
        "junk_rows": {"count": len(dropped), "by_reason": dict(Counter(d["reason"] for d in dropped)), "rows": dropped},
        "unreadable": doc.problems(),
        "warnings": raw.warnings,
        "text_hygiene": {"removed": doc.text_hygiene},
        "narrative_unreadable": doc.narrative_unreadable,
        "placeholders_dropped": doc.placeholders,
        "names_cleaned": doc.names_cleaned,
    }
