"""Rows that carry no data: dropped, and always counted with the reason."""
from __future__ import annotations

import regex

from extract.identify import is_header_terminator
from normalize.labels import TOTAL_NAMES, has_cjk, squeeze

# Letters of scripts that never occur in these documents: OCR garbage (`וא אפא`, `пи`).
_FOREIGN_SCRIPT = regex.compile(r"[\p{Hebrew}\p{Cyrillic}\p{Arabic}\p{Greek}\p{Thai}\p{Hangul}\p{Devanagari}]")
_DIGIT = regex.compile(r"\d")


def junk_reason(cells: list[str], header_labels: set[str] | None = None) -> str | None:
    """Why this row is not data, or None when it is (or may be) data."""
    squeezed = [squeeze(c) for c in cells if c and squeeze(c)]
    if not squeezed:
        return "empty row"
    if any(c == "栏次" for c in squeezed):
        return "栏次 row"
    if is_header_terminator(cells):
        return "column-number row"
    if any(_FOREIGN_SCRIPT.search(c) for c in squeezed):
        return "OCR garbage (foreign script)"
    if header_labels and len(squeezed) >= 2 and all(c in header_labels for c in squeezed):
        return "repeated header row"
    if not any(_DIGIT.search(c) for c in squeezed) and len(squeezed) >= 2 and all(
        has_cjk(c) and len(c) <= 2 and c not in TOTAL_NAMES for c in squeezed
    ):
        return "garbled header row"
    return None


def is_code_fragment_noise(cell: str) -> bool:
    """A non-empty cell in a code column without digits: a garbled `类 款 项` label or a rule stroke."""
    s = squeeze(cell)
    return bool(s) and not _DIGIT.search(s)
