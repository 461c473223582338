"""Long (facts) and wide (one file per table) forms of a normalized document."""
from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from normalize.amounts import AMOUNT_SCALE, format_amount, in_yuan
from write.cells import neutralise
from normalize.document import NormalizedDocument
from normalize.model import CanonicalTable

FACT_COLUMNS = [
    "doc_id", "table", "side", "code", "level", "name", "measure", "value", "unit", "value_yuan",
    "page", "line", "bbox", "repaired", "note", "source", "confidence", "source_file",
]
AMOUNT_TYPE = pa.decimal128(24, AMOUNT_SCALE)  # every amount in every Parquet file: 18 digits before the point, 6 after
_COUNTS = {k: "integer" for k in ("fail", "warn", "rounding", "pass", "skipped", "repairs", "year", "pages", "tables_found")}
# The typed columns of every kind of output (CSV, Parquet, the dataset, datapackage.json); other columns are strings.
COLUMN_TYPES = {
    "facts": {"value": "number", "value_yuan": "number", "page": "integer", "line": "integer", "repaired": "boolean",
              "confidence": "float", "year": "integer", "row": "integer"},
    "checks": {"expected": "number", "actual": "number", "difference": "number"},
    "checks_summary": _COUNTS,
    "documents": _COUNTS,
    "narrative_figures": {"value": "number", "page": "integer", "line": "integer"},
    "narrative_items": {"budget": "number", "actual": "number", "rate": "number", "page": "integer", "line": "integer"},
    "performance_projects": {"budget": "number", "spent": "number", "rate": "number", "weight": "number", "score": "number", "total": "number"},
    "performance_indicators": {"score": "number", "target_value": "number", "actual_value": "number"},
    "wide": {"page": "integer", "line": "integer"},  # the nine tables' wide files: each measure a number besides
}


ROW_ORDER = {"row": "integer"}  # every dataset row's place in its document's output


def numbers_of(kind: str) -> set[str]:
    """The decimal columns of an output kind (in Parquet: decimal128(24, 6))."""
    return {c for c, t in COLUMN_TYPES.get(kind, {}).items() if t == "number"}
# How a value was read: from a PDF's text layer, by OCR from a page image, or from a text export (itself made by OCR).
READ_FROM = {"pdf": "text-layer", "text": "text-export"}
STRING = pa.string()


def fact_rows(doc: NormalizedDocument, doc_id: str) -> list[dict]:
    """One row per non-empty numeric cell, with its provenance."""
    rows = []
    for table in doc.tables.values():
        for row, measure, cell in table.cells():
            if cell.value is None:
                continue
            unit = table.unit or doc.raw.unit or ""
            rows.append(
                {
                    "doc_id": doc_id,
                    "table": table.id,
                    "side": row.side,
                    "code": row.code or "",
                    "level": row.level or "",
                    "name": row.name,
                    "measure": measure.split("/", 1)[1] if row.side and measure.startswith(row.side + "/") else measure,
                    "value": cell.value,
                    "unit": unit,
                    "value_yuan": in_yuan(cell.value, unit),
                    "page": cell.page,
                    "line": cell.line,
                    "bbox": format_box(cell.box),
                    "repaired": cell.repaired,
                    "note": cell.repair or cell.note or "",
                    "source": "ocr" if cell.confidence is not None else READ_FROM.get(doc.raw.kind, doc.raw.kind),
                    "confidence": round(cell.confidence, 3) if cell.confidence is not None else None,
                    "source_file": doc.raw.source_name,
                }
            )
    return rows


def format_box(box) -> str:
    """x0 top x1 bottom to 0.1 pt. Coordinates are first snapped to 1/64 pt: pdfium (float32) and pdfminer (float64)
    place the same rule at 89.24999 and 89.25001, and layouts put rules on quarter points, so rounding the raw
    numbers would print 89.2 for one engine and 89.3 for the other."""
    return " ".join(f"{round(v * 64) / 64:.1f}" for v in box) if box else ""


def wide_rows(table: CanonicalTable) -> tuple[list[str], list[dict]]:
    """One row per table row, one column per measure (two-sided tables keep side as a column)."""
    key = ["side", "code", "level", "name"] if table.schema.two_sided else ["code", "level", "name"]
    measures = [m for m in table.measures]
    columns = key + measures + ["unit", "page", "line"]
    rows = []
    for row in table.rows:
        record = {"side": row.side, "code": row.code or "", "level": row.level or "", "name": row.name}
        for m in measures:
            cell = row.values.get(m)
            record[m] = cell.value if cell is not None else None
        record["page"], record["line"], record["unit"] = row.page, row.line, table.unit or ""
        rows.append({c: record.get(c) for c in columns})
    return columns, rows


def write_csv(path: Path, columns: list[str], rows) -> None:
    """UTF-8 with BOM so that Excel shows the Chinese; Decimal written as plain strings, empty stays empty."""
    write_csv_stream(path, columns, rows)


def write_csv_stream(path: Path, columns: list[str], rows) -> None:
    """`rows` may be any iterable of dicts (a database cursor): written as they come, never held."""
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_value(row.get(c)) for c in columns])


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_amount(value.normalize())  # 364.050000 from a decimal(24, 6) column is printed 364.05
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def arrow_table(columns: list[str], rows: list[dict], kind: str, amounts: set[str] = frozenset()) -> pa.Table:
    """Columns typed by the output kind (COLUMN_TYPES; `amounts`: more decimal columns, a wide table's measures):
    amounts decimal128(24, 6) (never floats), counts and positions integers, OCR confidence a float, repaired a
    boolean, the rest strings."""
    types = {**ROW_ORDER, **COLUMN_TYPES.get(kind, {}), **{c: "number" for c in amounts}}
    arrays, fields = [], []
    for c in columns:
        dtype, convert = _ARROW[types.get(c, "string")]
        arrays.append(pa.array([convert(r.get(c)) for r in rows], type=dtype))
        fields.append(pa.field(c, dtype))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _missing(convert):
    return lambda v: None if v is None or v == "" else convert(v)


_ARROW = {
    "number": (AMOUNT_TYPE, lambda v: _amount(v)),
    "integer": (pa.int32(), _missing(int)),
    "float": (pa.float64(), _missing(float)),
    "boolean": (pa.bool_(), _missing(lambda v: v in (True, "true"))),
    "string": (STRING, _missing(str)),
}


def _amount(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(value).quantize(QUANTUM)  # exact: amounts never carry more than AMOUNT_SCALE decimals


QUANTUM = Decimal(1).scaleb(-AMOUNT_SCALE)


def write_parquet(path: Path, columns: list[str], rows: list[dict], kind: str, amounts: set[str] = frozenset()) -> None:
    pq.write_table(arrow_table(columns, rows, kind, amounts), path)
