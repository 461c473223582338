"""Long (facts) and wide (one file per table) forms of a normalized document."""
from __future__ import annotations

import csv
import io
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
INTEGER_COLUMNS = {"page", "line", "year", "pages", "tables_found", "fail", "warn", "rounding", "pass", "skipped", "repairs"}
FLOAT_COLUMNS = {"confidence"}
BOOLEAN_COLUMNS = {"repaired"}
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
                    "source_file": doc.raw.source.name,
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


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    """UTF-8 with BOM so that Excel shows the Chinese; Decimal written as plain strings, empty stays empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(row.get(c)) for c in columns])
    path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_amount(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def arrow_table(columns: list[str], rows: list[dict], amount_columns: set[str]) -> pa.Table:
    """Typed columns: amounts decimal128(24, 6) (never floats), page/line/year integers, confidence a float,
    repaired a boolean, the rest strings."""
    arrays, fields = [], []
    for c in columns:
        values = [r.get(c) for r in rows]
        if c in amount_columns:
            dtype, values = AMOUNT_TYPE, [_amount(v) for v in values]
        elif c in INTEGER_COLUMNS:
            dtype, values = pa.int32(), [None if v in (None, "") else int(v) for v in values]
        elif c in FLOAT_COLUMNS:
            dtype, values = pa.float64(), [None if v in (None, "") else float(v) for v in values]
        elif c in BOOLEAN_COLUMNS:
            dtype, values = pa.bool_(), [None if v in (None, "") else v in (True, "true") for v in values]
        else:
            dtype, values = STRING, [None if v is None or v == "" else str(v) for v in values]
        arrays.append(pa.array(values, type=dtype))
        fields.append(pa.field(c, dtype))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _amount(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(value).quantize(QUANTUM)  # exact: amounts never carry more than AMOUNT_SCALE decimals


QUANTUM = Decimal(1).scaleb(-AMOUNT_SCALE)


def write_parquet(path: Path, columns: list[str], rows: list[dict], amount_columns: set[str]) -> None:
    pq.write_table(arrow_table(columns, rows, amount_columns), path)
