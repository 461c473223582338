from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
CAIDIAN = ROOT / "samples" / "caidian" / "caidian_2024.md"
csv.field_size_limit(1 << 30)  # a narrative paragraph may run past the csv module's default 128 KB field


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="session")
def caidian_expected() -> dict[tuple[str, str, str, str], Decimal]:
    """Published caidian values: (table, side, code-or-name, measure) -> value."""
    expected = {}
    for row in read_csv(FIXTURES / "caidian_expected.csv"):
        key = (row["table"], row["side"], row["code"] or row["name"], row["measure"])
        expected[key] = Decimal(row["value"])
    return expected


@pytest.fixture(scope="session")
def caidian_doc():
    from extract.text_export import extract_text_export
    from normalize.document import normalize_document

    return normalize_document(extract_text_export(CAIDIAN))
