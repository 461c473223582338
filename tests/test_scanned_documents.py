"""Scanned 决算 pages through the whole pipeline: OCR'd tables are identified, normalised and checked like text-layer
tables, every value says it was read by OCR, and a cell OCR cannot read safely is listed, never guessed."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT, read_csv
from extract import extract_document
from normalize.document import normalize_document

SCANS = FIXTURES / "scans"
ORIGINAL = FIXTURES / "pdf" / "guojia_xinfangju_2024.pdf"


def values(doc, table_ids) -> dict:
    return {(t.id, r.side, r.code or r.name, m): c.value for t in doc.tables.values() if t.id in table_ids
            for r, m, c in t.cells() if c.value is not None}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    return normalize_document(extract_document(SCANS / "xinfangju_scan.pdf", cache_dir=tmp_path_factory.mktemp("ocr-cache")))


@pytest.fixture(scope="module")
def original():
    return normalize_document(extract_document(ORIGINAL))


def test_scanned_tables_are_identified_by_the_same_code_as_text_layer_tables(scanned):
    assert {"t06", "t09"} <= set(scanned.tables)
    assert scanned.raw.ocr_pages and all(p["reason"] == "image-only" for p in scanned.raw.ocr_pages.values())


def test_every_value_read_from_a_scan_equals_the_printed_one_or_is_listed_unreadable(scanned, original):
    got, printed = values(scanned, {"t06", "t09"}), values(original, {"t06", "t09"})
    wrong = {k: (v, printed.get(k)) for k, v in got.items() if printed.get(k) != v}
    assert wrong == {}
    unreadable = {(p["table"], p["side"], p["code"] or p["name"], p["measure"]) for p in scanned.problems()}
    assert set(printed) - set(got) <= unreadable
    assert len(got) >= 0.95 * len(printed)


def test_ocr_values_carry_their_confidence(scanned):
    cells = [c for t in scanned.tables.values() for _, _, c in t.cells() if c.value is not None]
    assert cells and all(c.confidence is not None and 0 < c.confidence <= 1 for c in cells)
    assert all(c.box is not None for c in cells)


def test_the_cli_writes_ocr_provenance_and_reuses_its_cache(tmp_path):
    out = tmp_path / "out"
    run = lambda *extra: subprocess.run([sys.executable, "-m", "juesuan.cli", "extract", str(SCANS / "caizhengju_scan.pdf"), "--out", str(out),
                                         "--quiet", "--format", "csv", *extra], capture_output=True, text=True, cwd=ROOT)  # noqa: E731
    first = run()
    assert first.returncode == 0, first.stderr
    folder = out / "scans" / "caizhengju_scan"
    facts = read_csv(folder / "facts.csv")
    assert facts and {f["source"] for f in facts} == {"ocr"} and all(f["confidence"] for f in facts)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    rotations = {p["rotation"] for p in manifest["ocr"]["pages"].values()}
    assert rotations == {90, 180} or rotations == {270, 180}, rotations  # one page turned a quarter, one upside down
    assert manifest["ocr"]["from_cache"] == 0
    again = run("--force")
    assert again.returncode == 0
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["ocr"]["from_cache"] == manifest["ocr"]["count"] == 2


def test_with_ocr_off_a_scan_is_one_error_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "juesuan.cli", "extract", str(SCANS / "caizhengju_scan.pdf"), "--out", str(tmp_path / "o"),
                           "--quiet", "--ocr", "off"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1
    [error] = read_csv(tmp_path / "o" / "errors.csv")
    assert error["kind"] == "image-only" and "--ocr off" in error["message"]
