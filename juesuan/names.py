"""Names of output folders (groups and doc-ids) made from input names that may be anything: bounded in
bytes, free of separators, control, zero-width and bidi characters, never hidden, and unique in a batch."""
from __future__ import annotations

import hashlib
import unicodedata

import regex

MAX_NAME_BYTES = 100
_UNSAFE = regex.compile(r"[\p{C}\p{Z}\s/\\:*?\"<>|]+")  # controls, format (zero-width, bidi), separators, spaces
_CONTROL = regex.compile(r"[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]")  # Cs: undecodable bytes of a file name


def short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()[:8]


def safe_name(text: str, fallback: str = "document", max_bytes: int = MAX_NAME_BYTES) -> str:
    """A folder-safe name (Chinese kept): `a b.md` -> `a_b`. Longer than `max_bytes` in UTF-8: cut at a
    character boundary and suffixed with a hash of the whole name, so that two long names stay apart."""
    name = _UNSAFE.sub("_", unicodedata.normalize("NFC", text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")))
    name = name.strip("._-") or fallback
    if len(name.encode("utf-8")) <= max_bytes:
        return name
    cut = name.encode("utf-8")[: max_bytes - 9].decode("utf-8", "ignore").rstrip("._-")
    return f"{cut}-{short_hash(text)}"


def _escape(match) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # a byte that was not UTF-8 (surrogateescape)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, limit: int = 300) -> str:
    """One clean line for messages and errors.csv: control characters shown as escapes, whitespace folded."""
    shown = _CONTROL.sub(_escape, str(text))
    shown = " ".join(shown.split())
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
