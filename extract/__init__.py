"""Extraction: a 决算 document (PDF or text export) -> raw table cells and narrative, with provenance."""
from __future__ import annotations

from pathlib import Path

from extract.limits import MAX_FILE_BYTES, MAX_TEXT_BYTES, check_file_size, check_pdf_streams
from extract.model import InputError, RawDocument

SUPPORTED_SUFFIXES = {".pdf", ".md", ".txt", ".markdown"}


def extract_document(path: Path, engine: str = "auto", ocr: str = "auto", cache_dir: Path | None = None, progress=None,
                     on_table_page=None) -> RawDocument:
    """Dispatch on what the file is (its bytes, not only its suffix). `ocr`, `cache_dir`, `progress`, `on_table_page`:
    see extract_pdf."""
    if not path.exists():
        raise InputError("missing", f"{path.name}: file not found")
    suffix = path.suffix.lower()
    with open(path, "rb") as f:
        head = f.read(1024)
    if suffix == ".pdf" or head.startswith(b"%PDF"):
        if not head.startswith(b"%PDF"):
            raise InputError("not-pdf", f"{path.name}: not a PDF (no %PDF header)" if head else f"{path.name}: file is empty")
        check_file_size(path, MAX_FILE_BYTES)
        check_pdf_streams(path)
        from extract.pdf import extract_pdf

        return extract_pdf(path, engine=engine, ocr=ocr, cache_dir=cache_dir, progress=progress, on_table_page=on_table_page)
    if suffix in (".md", ".txt", ".markdown"):
        check_file_size(path, MAX_TEXT_BYTES)
        from extract.text_export import extract_text_export

        return extract_text_export(path)
    raise InputError("unsupported", f"{path.name}: unsupported file type {suffix or '(none)'}")
