"""One row per document: who published it, where, when, and how it came out (the `documents` table)."""
from __future__ import annotations

from pathlib import Path

from normalize.regions import region_of

COUNTS = ("fail", "warn", "rounding", "pass", "skipped", "repairs")
DOCUMENT_COLUMNS = ["doc_id", "group", "department", "region", "level", "province", "year", "unit", "pages", "tables_found", "verdict",
                    *COUNTS, "source", "source_sha256", "folder"]


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
        **{k: manifest.get("checks", {}).get(k) for k in COUNTS},
        "source": manifest["source"]["path"],
        "source_sha256": manifest["source"]["sha256"],
        "folder": str(folder),
    }
