"""Batch outputs, rebuilt from the per-document folders (so a resumed batch equals an uninterrupted one):
facts across documents (CSV/Parquet), an Excel workbook, an embedded DuckDB database and a
Frictionless datapackage.json describing every CSV."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import regex

from schemas import table_schemas
from write.atomic import atomic_write_text, replacing
from write.cells import restore
from check.results import CHECK_COLUMNS
from check.run import REPAIR_COLUMNS
from write.excel import add_field_notes, add_sheet, new_workbook, save
from write.html_report import write_batch_index
from normalize.regions import region_of
from write.tables import FACT_COLUMNS, INTEGER_COLUMNS, arrow_table, write_csv

# What every batch fact row says of its document (admin_level: 中央/省/市/区县/乡镇; the fact's own `level` is 类/款/项).
DOC_COLUMNS = ["doc_id", "department", "region", "admin_level", "year", "source_sha256"]
BATCH_FACT_COLUMNS = DOC_COLUMNS + [c for c in FACT_COLUMNS if c != "doc_id"]
NARRATIVE_TABLES = ("narrative_items", "narrative_figures", "performance_projects", "performance_indicators")
NUMERIC_COLUMNS = {"expected", "actual", "difference", "budget", "rate", "value", "spent", "score", "total", "target_value", "actual_value"}
DOCUMENT_COLUMNS = ["doc_id", "group", "department", "region", "level", "province", "year", "unit", "pages", "tables_found", "verdict",
                    "source", "source_sha256", "folder"]


def document_row(manifest: dict, folder: Path) -> dict:
    """One row of the `documents` table: who published it, where, when, and how it came out."""
    region = region_of(manifest.get("department"))
    return {
        "doc_id": manifest["doc_id"],
        "group": folder.parent.name,
        "department": manifest.get("department"),
        "region": manifest.get("region", region.name) or None,
        "level": manifest.get("level", region.level) or None,
        "province": manifest.get("province", region.province) or None,
        "year": manifest.get("year"),
        "unit": manifest.get("unit"),
        "pages": manifest.get("pages"),
        "tables_found": sum(1 for t in manifest["tables"].values() if t.get("found")),
        "verdict": manifest.get("checks", {}).get("verdict"),
        "source": manifest["source"]["path"],
        "source_sha256": manifest["source"]["sha256"],
        "folder": str(folder),
    }


def document_folders(out: Path) -> list[Path]:
    """OUT/<group>/<doc-id>/ folders holding a manifest; hidden (staging) and linked folders are not outputs."""
    return sorted(
        p.parent for p in out.glob("*/*/manifest.json")
        if not any(part.startswith(".") or (out / part).is_symlink() for part in p.parent.relative_to(out).parts)
        and not p.parent.is_symlink()
    )


csv.field_size_limit(1 << 27)  # a long cell an earlier document wrote must not stop the batch outputs


def read_csv(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [{k: restore(v) if isinstance(v, str) else v for k, v in row.items()} for row in csv.DictReader(f)]


SUMMARY_COLUMNS = ["doc_id", "file", "department", "year", "verdict", "fail", "warn", "rounding", "pass", "skipped", "repairs", "output"]


def _read_manifest(folder: Path) -> dict | None:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(manifest, dict) and manifest.get("tool") == "juesuan" and isinstance(manifest.get("source"), dict)
    return manifest if ok and "doc_id" in manifest and isinstance(manifest.get("tables"), dict) else None


def build_batch_outputs(out: Path, formats: set[str], html: bool = True) -> list[str]:
    """Aggregate every document folder under OUT (this run's and earlier up-to-date ones). Returns notes on
    folders that could not be read (they are left out, the batch outputs are still written)."""
    documents, facts, checks, repairs, summary, notes, index_rows = [], [], [], [], [], [], []
    narrative: dict[str, list[dict]] = {name: [] for name in NARRATIVE_TABLES}
    for folder in document_folders(out):
        manifest = _read_manifest(folder)
        if manifest is None:
            notes.append(f"{folder}: manifest.json unreadable, document left out of the batch outputs")
            continue
        doc = document_row(manifest, folder)
        documents.append(doc)
        counts = manifest.get("checks", {})
        index_rows.append({**doc, **{k: counts.get(k) for k in ("fail", "warn", "rounding", "pass", "skipped", "repairs")}})
        summary.append({"doc_id": doc["doc_id"], "file": doc["source"], "department": doc["department"], "year": doc["year"],
                        "output": doc["folder"], **{k: counts.get(k) for k in SUMMARY_COLUMNS[4:11]}})
        prefix = {**{k: doc.get(k) for k in DOC_COLUMNS}, "admin_level": doc["level"]}
        for row in read_csv(folder / "facts.csv"):
            row.pop("doc_id", None)
            facts.append({**prefix, **row})
        checks += [{"doc_id": doc["doc_id"], **r} for r in read_csv(folder / "checks.csv")]
        repairs += [{"doc_id": doc["doc_id"], **r} for r in read_csv(folder / "repairs.csv")]
        for name in NARRATIVE_TABLES:
            narrative[name] += [{"doc_id": doc["doc_id"], **r} for r in read_csv(folder / f"{name}.csv")]
    with replacing(out / "checks_summary.csv") as tmp:
        write_csv(tmp, SUMMARY_COLUMNS, summary)
    _write_facts(out, facts, formats)
    _write_duckdb(out, documents, facts, checks, repairs, narrative)
    if "xlsx" in formats:
        _write_workbook(out / "juesuan.xlsx", out / "juesuan.duckdb", documents, facts, checks, repairs)
    write_datapackage(out)
    if html:
        write_batch_index(out, index_rows, read_csv(out / "errors.csv"))
    return notes


def _facts_table(facts: list[dict]) -> pa.Table:
    return arrow_table(BATCH_FACT_COLUMNS, facts, {"value", "value_yuan"})


def _write_facts(out: Path, facts: list[dict], formats: set[str]) -> None:
    if "csv" in formats:
        with replacing(out / "facts.csv") as tmp:
            write_csv(tmp, BATCH_FACT_COLUMNS, facts)
    if "parquet" in formats:
        with replacing(out / "facts.parquet") as tmp:
            pq.write_table(_facts_table(facts), tmp)


def _view_sql(schema) -> str:
    key = ["doc_id", "department", "year"] + (["side"] if schema.two_sided else []) + ["code", "level", "name", "unit"]
    columns = []
    for measure in schema.standard_columns:
        side, _, plain = measure.rpartition("/") if schema.two_sided else ("", "", measure)
        condition = f"measure = '{plain}'" + (f" AND side = '{side}'" if side else "")
        columns.append(f'max(CASE WHEN {condition} THEN value END) AS "{measure}"')
    keys = ", ".join(f'"{k}"' for k in key)
    return (f'CREATE VIEW {schema.id}_{schema.slug} AS SELECT {keys}, {", ".join(columns)} '
            f"FROM facts WHERE \"table\" = '{schema.id}' GROUP BY {keys} ORDER BY doc_id, code NULLS FIRST")


def _write_duckdb(out: Path, documents, facts, checks, repairs, narrative: dict[str, list[dict]]) -> None:
    import duckdb

    with replacing(out / "juesuan.duckdb") as tmp:
        tmp.unlink(missing_ok=True)  # a killed run's leftover would be opened, not recreated
        con = duckdb.connect(str(tmp))
        try:
            con.register("incoming", _facts_table(facts))
            con.execute("CREATE TABLE facts AS SELECT * FROM incoming")
            con.unregister("incoming")
            for name, rows in (("documents", documents), ("checks", checks), ("repairs", repairs), *narrative.items()):
                if rows or name in ("documents", "checks", "repairs"):
                    _create_table(con, name, rows)
            for schema in table_schemas():
                con.execute(_view_sql(schema))
        finally:
            con.close()


def _typed(column: str) -> str:
    if column in NUMERIC_COLUMNS:
        return f'TRY_CAST("{column}" AS DECIMAL(24,6)) AS "{column}"'
    if column in INTEGER_COLUMNS:
        return f'TRY_CAST("{column}" AS INTEGER) AS "{column}"'
    return f'"{column}"'


def _create_table(con, name: str, rows: list[dict]) -> None:
    """Text columns as read from the CSVs, amounts (expected, actual, budget, …) as DECIMAL."""
    columns = list(rows[0]) if rows else ["doc_id"]
    arrow = pa.table({c: pa.array([None if r.get(c) is None else str(r.get(c)) for r in rows], type=pa.string()) for c in columns})
    con.register("incoming", arrow)
    selected = ", ".join(_typed(c) for c in columns)
    con.execute(f"CREATE TABLE {name} AS SELECT {selected} FROM incoming")
    con.unregister("incoming")


EXCEL_MAX_ROWS = 1_048_575  # a sheet's rows, less its header


def _write_workbook(path: Path, database: Path, documents, facts, checks, repairs) -> None:
    """The batch workbook: documents, every fact as an Excel Table (when a sheet can hold them), one wide sheet per
    table (read from the database views), the checks that did not pass and the repairs. Every check of a document
    is in its own workbook and in the database."""
    import duckdb

    with replacing(path) as tmp:
        workbook = new_workbook(tmp, streaming=len(facts) > EXCEL_MAX_ROWS // 4)
        add_sheet(workbook, "文档", DOCUMENT_COLUMNS, documents, set(), as_table=True)
        if len(facts) <= EXCEL_MAX_ROWS:
            add_sheet(workbook, "明细", BATCH_FACT_COLUMNS, facts, {"value", "value_yuan"}, as_table=True)
        columns_seen = DOCUMENT_COLUMNS + BATCH_FACT_COLUMNS
        con = duckdb.connect(str(database), read_only=True)
        try:
            for schema in table_schemas():
                result = con.execute(f"SELECT * FROM {schema.id}_{schema.slug}")
                columns = [d[0] for d in result.description]
                rows = [dict(zip(columns, values)) for values in result.fetchall()]
                add_sheet(workbook, f"{schema.id} {schema.title}", columns, rows, set(schema.standard_columns))
        finally:
            con.close()
        problems = [c for c in checks if c.get("status") != "pass"]
        check_columns = ["doc_id"] + CHECK_COLUMNS
        repair_columns = ["doc_id"] + REPAIR_COLUMNS
        add_sheet(workbook, "校验", check_columns, problems, {"expected", "actual", "difference"}, as_table=True)
        add_sheet(workbook, "修复", repair_columns, repairs, set(), as_table=True)
        add_field_notes(workbook, columns_seen + check_columns + repair_columns)
        save(workbook)


# ---------------------------------------------------------------- datapackage.json

# Field types of each kind of CSV (by file name; the nine wide tables: every measure a number). Anything else is a string.
_COUNTS = {k: "integer" for k in ("fail", "warn", "rounding", "pass", "skipped", "repairs", "year", "pages", "tables_found")}
CSV_FIELD_TYPES = {
    "facts.csv": {"value": "number", "value_yuan": "number", "page": "integer", "line": "integer", "repaired": "boolean",
                  "confidence": "number", "year": "integer"},
    "checks.csv": {"expected": "number", "actual": "number", "difference": "number"},
    "checks_summary.csv": _COUNTS,
    "narrative_figures.csv": {"value": "number", "page": "integer", "line": "integer"},
    "narrative_items.csv": {"budget": "number", "actual": "number", "rate": "number", "page": "integer", "line": "integer"},
    "performance_projects.csv": {"budget": "number", "spent": "number", "rate": "number", "weight": "number", "score": "number", "total": "number"},
    "performance_indicators.csv": {"score": "number", "target_value": "number", "actual_value": "number"},
}
WIDE_KEYS = {"side": "string", "code": "string", "level": "string", "name": "string", "unit": "string", "page": "integer", "line": "integer"}


def _fields(path: Path, columns: list[str], wide_tables: set[str]) -> list[dict]:
    from write.excel import label

    types = CSV_FIELD_TYPES.get(path.name, {})
    if path.name in wide_tables:
        types = {c: WIDE_KEYS.get(c, "number") for c in columns}
    return [{"name": c, "title": label(c), "type": types.get(c, "string")} for c in columns]


def _csv_header(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return next(csv.reader(f), [])


def write_datapackage(out: Path) -> None:
    """A Frictionless data package describing every CSV under OUT: its fields with their types and Chinese titles."""
    titles = {f"{s.id}_{s.slug}.csv": s.title for s in table_schemas()}
    resources = []
    for path in sorted(out.rglob("*.csv")):
        if any(part.startswith(".") for part in path.relative_to(out).parts):
            continue
        rel = path.relative_to(out).as_posix()
        name = regex.sub(r"[^a-z0-9._-]+", "-", rel.lower()).strip("-") or "resource"
        resources.append({
            "name": f"{name}-{len(resources)}",
            "path": rel,
            "title": titles.get(path.name, path.stem),
            "format": "csv",
            "encoding": "utf-8",
            "schema": {"fields": _fields(path, _csv_header(path), set(titles)), "missingValues": [""]},
        })
    package = {"name": "juesuan-output", "title": "部门决算 extracted by juesuan", "resources": resources}
    atomic_write_text(out / "datapackage.json", json.dumps(package, ensure_ascii=False, indent=2))
