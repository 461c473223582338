"""Names of output folders (groups and doc-ids) made from input names that may be anything: bounded in
bytes, free of separators, control, zero-width and bidi characters, never hidden, and unique in a batch."""
from __future__ import annotations

import hashlib
import unicodedata

import regex

from normalize.labels import printable

__all__ = ["MAX_NAME_BYTES", "printable", "safe_name", "short_hash"]

MAX_NAME_BYTES = 100
_UNSAFE = regex.compile(r"[\p{C}\p{Z}\s/\\:*?\"<>|]+")  # controls, format (zero-width, bidi), separators, spaces


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
