"""Batch outputs, rebuilt from the per-document folders (so a resumed batch equals an uninterrupted one):
facts across documents (CSV/Parquet), an Excel workbook, an embedded DuckDB database and a
Frictionless datapackage.json describing every CSV."""
from __future__ import annotations

import csv
import json
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pyarrow.parquet as pq
import regex

from check.results import CHECK_COLUMNS
from check.run import REPAIR_COLUMNS
from schemas import table_schemas
from write.atomic import replacing
from write.cells import restore
from write.dataset import DATASET, has_dataset_files, remove_unlisted
from write.document import OUTPUT_COLUMNS
from write.documents import DOCUMENT_COLUMNS, document_row
from write.excel import TABLE_ROWS_IN_MEMORY, add_field_notes, add_sheet, new_workbook, save
from write.html_report import write_batch_index
from write.tables import COLUMN_TYPES, FACT_COLUMNS, arrow_table, numbers_of, write_csv, write_csv_stream

# What every batch fact row says of its document (admin_level: 中央/省/市/区县/乡镇; the fact's own `level` is 类/款/项).
DOC_COLUMNS = ["doc_id", "department", "region", "admin_level", "year", "source_sha256"]
BATCH_FACT_COLUMNS = DOC_COLUMNS + [c for c in FACT_COLUMNS if c != "doc_id"]
DATASET_OUTPUTS = ("facts", "checks", "repairs", "narrative_sections", "narrative_figures", "narrative_items", "performance_projects",
                   "performance_indicators")
EXCEL_MAX_ROWS = 1_048_575  # a sheet's rows, less its header
DUCKDB_MEMORY = "256MB"  # the database spills to disk beyond it: the client stays small whatever the batch
DUCKDB_THREADS = 1  # each scanning thread holds its own Parquet buffers; the outputs' time goes to Python (workbook, CSV)
STREAM_ROWS = 50_000
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


def build_batch_outputs(out: Path, formats: set[str], html: bool = True, beside=None) -> list[str]:
    """Rebuild the batch outputs from every document folder under OUT (this run's and earlier up-to-date ones)
    and the partitioned dataset their manifests list, streaming: memory stays bounded by a document and the
    database's own limit, whatever the batch's size (a short line per document is all that is held). Returns notes
    for batch.json (folders that could not be read, a workbook too large for Excel). With `beside`, a multiprocessing
    context, facts.csv/.parquet, datapackage.json and index.html are written by a second process started from it while
    this one builds the database and the workbook (the two then hold their memory at the same time)."""
    documents, listed, notes, fact_files = [], set(), [], {}
    for folder in document_folders(out):
        manifest = _read_manifest(folder)
        if manifest is None or "dataset" not in manifest:
            notes.append(f"{folder}: manifest.json unreadable or from an older version; left out of the batch outputs")
            continue
        documents.append(document_row(manifest, folder))
        listed.update(manifest["dataset"].values())
        fact_files[manifest["doc_id"]] = manifest["dataset"]["facts"]  # relative to OUT: a short string per document
    documents.sort(key=lambda d: d["doc_id"])
    remove_unlisted(out, listed)
    listed.clear()
    with replacing(out / "checks_summary.csv") as tmp:
        write_csv(tmp, SUMMARY_COLUMNS, [_summary(d) for d in documents])
    if beside is None:
        _database_and_workbook(out, documents, fact_files, formats, notes)
        _facts_package_and_index(out, documents, fact_files, formats, html)
        return notes
    with ProcessPoolExecutor(1, mp_context=beside) as executor:
        written = executor.submit(_facts_package_and_index, out, documents, fact_files, formats, html)
        _database_and_workbook(out, documents, fact_files, formats, notes)
        written.result()  # raises what the other process raised
    return notes


def _database_and_workbook(out: Path, documents: list[dict], fact_files: dict[str, str], formats: set[str], notes: list[str]) -> None:
    database = out / "juesuan.duckdb"
    with replacing(database) as tmp:
        tmp.unlink(missing_ok=True)  # a killed run's leftover would be opened, not recreated
        con = _connect(tmp)
        try:
            _create_tables(con, out, documents)
            if "xlsx" in formats:
                facts = con.sql("SELECT count(*) FROM facts").fetchall()[0][0]
                if facts > EXCEL_MAX_ROWS:
                    notes.append(f"juesuan.xlsx not written: {facts} facts, more than an Excel sheet holds ({EXCEL_MAX_ROWS}); "
                                 "use facts.parquet, juesuan.duckdb or the dataset")
                else:
                    _write_workbook(con, out / "juesuan.xlsx", documents, facts, batch_facts(out, documents, fact_files))
        finally:
            con.close()  # before the facts are streamed in this process: the database's memory and theirs are not held together


def _facts_package_and_index(out: Path, documents: list[dict], fact_files: dict[str, str], formats: set[str], html: bool) -> None:
    _write_facts(out, documents, fact_files, formats)
    write_datapackage(out)
    if html:
        write_batch_index(out, documents, read_csv(out / "errors.csv"))


def _summary(document: dict) -> dict:
    return {**document, "file": document["source"], "output": document["folder"]}


def _connect(path: Path):
    import duckdb

    con = duckdb.connect(str(path))
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    con.execute(f"SET threads = {DUCKDB_THREADS}")
    con.execute("SET preserve_insertion_order = true")
    return con


def _create_tables(con, out: Path, documents: list[dict]) -> None:
    """`documents` as a table; every dataset output as a view reading the Parquet files in place (their Hive
    partition `region` shown as `province`); `facts` carries its document's department, region, level and year;
    one wide view per standard table."""
    con.register("incoming", arrow_table(DOCUMENT_COLUMNS, documents, "documents"))
    con.execute("CREATE TABLE documents AS SELECT * FROM incoming")
    con.unregister("incoming")
    for name in DATASET_OUTPUTS:
        if has_dataset_files(out, name):
            glob = (out / DATASET / name).resolve().as_posix() + "/*/*/*.parquet"
            source = f"(SELECT * EXCLUDE (region), region AS province FROM read_parquet('{_sql_text(glob)}', hive_partitioning = true, union_by_name = true))"
        else:
            source = _empty(name)
        target = "dataset_facts" if name == "facts" else name
        con.execute(f"CREATE VIEW {target} AS SELECT * FROM {source}")
    con.execute(f"CREATE VIEW facts AS SELECT {', '.join(_fact_select())} FROM dataset_facts f JOIN documents d USING (doc_id)")
    for schema in table_schemas():
        con.execute(_view_sql(schema))


def _fact_select() -> list[str]:
    from_document = {"department": "d.department", "region": "d.region", "admin_level": "d.level AS admin_level", "year": "d.year",
                     "source_sha256": "d.source_sha256"}
    return [from_document.get(c, f'f."{c}"') for c in BATCH_FACT_COLUMNS] + ['f."row"']


def _empty(name: str) -> str:
    columns = ["doc_id", "row"] + [c for c in OUTPUT_COLUMNS[name] if c != "doc_id"] + ["year", "province"]
    return "(SELECT " + ", ".join(f'NULL::VARCHAR AS "{c}"' for c in columns) + " WHERE false)"


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


def batch_facts(out: Path, documents: list[dict], fact_files: dict[str, str]):
    """Every fact of the batch with its document's department, region, level and year, document by document (in
    doc-id order, each in its own order): memory holds one document's facts at a time."""
    for document in documents:
        relative = fact_files.get(document["doc_id"])
        path = out / relative if relative is not None else None
        if path is None or not path.is_file():
            continue
        prefix = {"department": document["department"], "region": document["region"], "admin_level": document["level"],
                  "year": document["year"], "source_sha256": document["source_sha256"]}
        with pq.ParquetFile(path) as parquet:  # not pq.read_table, which loads pyarrow.dataset (some 13 MB) for one file
            rows = parquet.read().to_pylist()
        for row in rows:
            yield {**row, **prefix}


def _write_facts(out: Path, documents: list[dict], fact_files: dict[str, str], formats: set[str]) -> None:
    """facts.csv (and facts.parquet) for the whole batch, streamed a document at a time."""
    rows = batch_facts(out, documents, fact_files)
    if "parquet" not in formats:
        with replacing(out / "facts.csv") as csv_tmp:
            write_csv_stream(csv_tmp, BATCH_FACT_COLUMNS, rows)
        return
    with replacing(out / "facts.csv") as csv_tmp, replacing(out / "facts.parquet") as parquet_tmp:
        with pq.ParquetWriter(parquet_tmp, arrow_table(BATCH_FACT_COLUMNS, [], "facts").schema) as writer:
            write_csv_stream(csv_tmp, BATCH_FACT_COLUMNS, _teed(rows, writer))


def _teed(rows, writer, batch: int = 5_000):
    """Pass rows on, writing them to the Parquet writer a batch at a time."""
    pending = []
    for row in rows:
        pending.append(row)
        if len(pending) >= batch:
            writer.write_table(arrow_table(BATCH_FACT_COLUMNS, pending, "facts"))
            pending = []
        yield row
    if pending:
        writer.write_table(arrow_table(BATCH_FACT_COLUMNS, pending, "facts"))


def _rows(con, query: str):
    """Rows of a query as dicts, a batch of records at a time."""
    reader = con.sql(query).to_arrow_reader(STREAM_ROWS)
    for batch in reader:
        yield from batch.to_pylist()


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


def _write_workbook(con, path: Path, documents: list[dict], facts: int, fact_rows) -> None:
    """The batch workbook: documents, every fact (an Excel Table while it fits in memory, else a streamed sheet
    with an autofilter), one wide sheet per table, the checks that did not pass and the repairs."""
    with replacing(path) as tmp:
        workbook = new_workbook(tmp, streaming=facts > TABLE_ROWS_IN_MEMORY)
        add_sheet(workbook, "文档", DOCUMENT_COLUMNS, documents, set(), as_table=True)
        add_sheet(workbook, "明细", BATCH_FACT_COLUMNS, fact_rows, numbers_of("facts"), as_table=True)
        columns_seen = DOCUMENT_COLUMNS + BATCH_FACT_COLUMNS
        for schema in table_schemas():
            columns = con.sql(f"SELECT * FROM {schema.id}_{schema.slug}").columns
            add_sheet(workbook, f"{schema.id} {schema.title}", columns, _rows(con, f"SELECT * FROM {schema.id}_{schema.slug}"),
                      set(schema.standard_columns))
        check_columns, repair_columns = ["doc_id"] + CHECK_COLUMNS, ["doc_id"] + REPAIR_COLUMNS
        problems = _rows(con, f"SELECT {_columns(check_columns)} FROM checks WHERE status <> 'pass' ORDER BY doc_id, \"row\"")
        add_sheet(workbook, "校验", check_columns, problems, numbers_of("checks"), as_table=True)
        add_sheet(workbook, "修复", repair_columns, _rows(con, f"SELECT {_columns(repair_columns)} FROM repairs ORDER BY doc_id, \"row\""),
                  set(), as_table=True)
        add_field_notes(workbook, columns_seen + check_columns + repair_columns)
        save(workbook)


def _columns(columns: list[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


# ---------------------------------------------------------------- datapackage.json

WIDE_KEYS = {"side": "string", "code": "string", "level": "string", "name": "string", "unit": "string", "page": "integer", "line": "integer"}


def _fields(path: Path, columns: list[str], wide_tables: set[str]) -> list[dict]:
    from write.excel import label

    types = COLUMN_TYPES.get(path.stem, {})
    if path.name in wide_tables:
        types = {c: WIDE_KEYS.get(c, "number") for c in columns}
    frictionless = {"float": "number"}
    return [{"name": c, "title": label(c), "type": frictionless.get(types.get(c, "string"), types.get(c, "string"))} for c in columns]


def _csv_header(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return next(csv.reader(f), [])


def write_datapackage(out: Path) -> None:
    """A Frictionless data package describing every CSV under OUT: its fields with their types and Chinese titles.
    Written a resource at a time (a batch holds some fifteen CSVs a document): the same bytes as one json.dumps of
    the whole package, never the whole package in memory."""
    titles = {f"{s.id}_{s.slug}.csv": s.title for s in table_schemas()}
    head = json.dumps({"name": "juesuan-output", "title": "部门决算 extracted by juesuan"}, ensure_ascii=False, indent=2)
    with replacing(out / "datapackage.json") as tmp, open(tmp, "w", encoding="utf-8") as f:
        f.write(head[:-2] + ',\n  "resources": [')  # head ends "\n}"
        count = 0
        for path in _csv_files(out):
            rel = path.relative_to(out).as_posix()
            name = regex.sub(r"[^a-z0-9._-]+", "-", rel.lower()).strip("-") or "resource"
            resource = {
                "name": f"{name}-{count}",
                "path": rel,
                "title": titles.get(path.name, path.stem),
                "format": "csv",
                "encoding": "utf-8",
                "schema": {"fields": _fields(path, _csv_header(path), set(titles)), "missingValues": [""]},
            }
            text = json.dumps(resource, ensure_ascii=False, indent=2).replace("\n", "\n    ")  # a JSON string holds no newline
            f.write(("\n    " if count == 0 else ",\n    ") + text)
            count += 1
        f.write("\n  ]\n}" if count else "]\n}")


def _csv_files(folder: Path):
    """The *.csv paths under `folder` in the order of sorted(folder.rglob("*.csv")) (a folder's entries by name, each
    folder's contents right after it; linked folders not entered), hidden ones left out, one folder listed at a
    time: the walk never holds every path of the batch."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except PermissionError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue  # hidden (staging) files and folders: never outputs
        path = folder / entry.name
        if entry.name.endswith(".csv"):
            yield path
        try:
            descend = entry.is_dir() and not entry.is_symlink()
        except OSError:
            descend = False
        if descend:
            yield from _csv_files(path)
