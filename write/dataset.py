"""The batch as a Hive-partitioned Parquet dataset that DuckDB, Spark and pandas read in place, without a merge step:

    OUT/dataset/<name>/year=YYYY/region=<省>/<doc-id>.parquet

one file per document and output kind (documents, facts, checks, repairs, the narrative and 绩效 tables), written
by whichever process converted the document, each file atomically. `region` is the 省级 division of the
department's place (中央 for central departments, 未知 when its name does not say); `year` 0 when not known (no
null partition: pandas cannot yet read those alongside others). A document's
files are listed in its manifest: a file no manifest lists (a document re-converted into another partition, a
run killed before its document folder was committed) is removed when the batch outputs are rebuilt.
"""
from __future__ import annotations

import os
from pathlib import Path

import pyarrow.parquet as pq

from write.atomic import replacing
from write.tables import arrow_table

DATASET = "dataset"
UNKNOWN_REGION, UNKNOWN_YEAR = "未知", 0


def partition(year, province) -> str:
    return f"year={year or UNKNOWN_YEAR}/region={province or UNKNOWN_REGION}"


def write_document_dataset(out: Path, doc_id: str, year, province: str, outputs: dict[str, tuple[list[str], list[dict]]]) -> dict[str, str]:
    """Write one document's rows of each output kind; returns name -> path relative to OUT (for the manifest)."""
    written = {}
    folder = partition(year, province)
    for name, (columns, rows) in outputs.items():
        relative = f"{DATASET}/{name}/{folder}/{doc_id}.parquet"
        with replacing(out / relative) as tmp:
            pq.write_table(arrow_table(columns, rows, name), tmp)
        written[name] = relative
    return written


def has_dataset_files(out: Path, name: str) -> bool:
    """Whether any document wrote rows of this kind (without listing the batch's files)."""
    root = out / DATASET / name
    return root.is_dir() and next(iter(root.glob("year=*/region=*/*.parquet")), None) is not None


def remove_unlisted(out: Path, listed: set[str]) -> list[Path]:
    """Dataset files no document's manifest lists: left by a re-conversion into another partition or by a killed
    run. Only *.parquet files under OUT/dataset are ever removed (they are ours); links are not followed."""
    removed = []
    root = out / DATASET
    if not root.is_dir() or root.is_symlink():
        return removed
    for top, dirs, files in os.walk(root, followlinks=False):
        for name in files:
            path = Path(top) / name
            if name.endswith(".parquet") and not path.is_symlink() and path.relative_to(out).as_posix() not in listed:
                path.unlink()
                removed.append(path)
    return removed
