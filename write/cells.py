"""Text cells that spreadsheets open safely.

A text cell starting with `=`, `+`, `-`, `@`, tab or CR is run as a formula by Excel, WPS and LibreOffice
(`=HYPERLINK("http://…","点击")`). CSV cells get the usual leading apostrophe; xlsx cells are written as
strings; numbers (amounts, `-0.01`, `12.5%`) are left as they are. Parquet and DuckDB keep the raw text, and
`restore` undoes the apostrophe exactly when reading our own CSVs back (a raw text that itself starts with an
apostrophe before such a character gets one more, so the round trip is lossless).
"""
from __future__ import annotations

import regex

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXCEL_MAX_CHARS = 32767
_NUMBER = regex.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?%?$")
_XML_ILLEGAL = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START) and not _NUMBER.match(text)


def neutralise(text: str) -> str:
    """`=1+1` -> `'=1+1`; `'=1+1` -> `''=1+1`; `-12.50` and plain text unchanged."""
    stripped = text.lstrip("'")
    if _is_formula_like(stripped):
        return "'" + text
    return text


def restore(text: str) -> str:
    """The inverse of `neutralise` for text read back from our CSVs."""
    if text.startswith("'") and _is_formula_like(text.lstrip("'")):
        return text[1:]
    return text


def excel_text(text: str) -> str:
    """What an xlsx string cell can hold: no XML-illegal control characters, at most Excel's 32,767 characters."""
    clean = _XML_ILLEGAL.sub("", text)
    return clean if len(clean) <= EXCEL_MAX_CHARS else clean[: EXCEL_MAX_CHARS - 1] + "…"
