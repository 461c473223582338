"""Names, labels and titles: one canonical spelling for matching and output."""
from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex

_WHITESPACE = regex.compile(r"\s+")
_MARKDOWN_ESCAPES = regex.compile(r"\\([_*#\[\]()])")
_ORDINAL_PREFIX = regex.compile(
    r"^(?:[一二三四五六七八九十百零〇]+[、.．]|[(（][一二三四五六七八九十]+[)）]|\d{1,2}[、.．](?!\d)|[(（]\d{1,2}[)）])"
)
_QUOTES = regex.compile(r"[\"“”‘’'「」『』]")
_LEADING_YEAR = regex.compile(r"^\d{4}年度?")
_SUMMARY_NOTE = regex.compile(r"[(（]汇总[)）]")
_CJK = regex.compile(r"\p{Han}")
TOTAL_NAMES = ("合计", "总计")  # the names of a table's total row


def nfkc(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "")


@lru_cache(maxsize=1 << 16)  # the same labels and cells recur in every table of a document and every document
def squeeze(text: str | None) -> str:
    """NFKC with every whitespace and invisible character removed (OCR and PDF cells break words anywhere; a
    zero-width space must not hide a title or a total row from matching)."""
    return _UNSEEN.sub("", _MARKDOWN_ESCAPES.sub(r"\1", nfkc(text)))


@lru_cache(maxsize=1 << 16)
def normalize_name(text: str | None) -> str:
    """A subject or item name: NFKC, no whitespace, no ordinal prefix (一、 二十三、 (一) 1.)."""
    name = squeeze(text).strip("_-:：·")
    previous = None
    while previous != name:
        previous = name
        name = _ORDINAL_PREFIX.sub("", name)
    return name


def title_key(text: str | None) -> str:
    """A table title reduced for matching: no quotes, years, ordinals, unit or (汇总) notes."""
    key = normalize_name(text).lstrip("#").strip()
    key = _QUOTES.sub("", key)
    key = _LEADING_YEAR.sub("", key)
    return _SUMMARY_NOTE.sub("", key)


def has_cjk(text: str | None) -> bool:
    return bool(text) and bool(_CJK.search(text))


_CONTROL_CHARS = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_BIDI_MARKS = regex.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_INVISIBLE = regex.compile(r"[\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff]")  # zero-width and soft hyphen
HYGIENE = (("control", _CONTROL_CHARS), ("bidi", _BIDI_MARKS), ("zero-width", _INVISIBLE))
_UNSEEN = regex.compile(r"\s+|[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff]")


def clean_text(text: str, counts: dict[str, int] | None = None) -> str:
    """Text without control characters, bidi marks and zero-width characters (tab and newline kept);
    what was removed is added to `counts` by kind."""
    for kind, pattern in HYGIENE:
        text, removed = pattern.subn("", text)
        if removed and counts is not None:
            counts[kind] = counts.get(kind, 0) + removed
    return text


PLACEHOLDER = regex.compile(r"[XxＸｘ×]{2,}|某某|(?<![A-Za-z])[XxＸｘ](?=年|月|日|万元|个|人|辆|%)")


def is_placeholder(text: str | None) -> bool:
    """A template's blank (`XX`, `××`, `某某`), not a name or a value."""
    return bool(text) and bool(PLACEHOLDER.search(text))


def name_in(name: str, text: str) -> str:
    """`name` as `text` prints it: itself when `text` holds it, else the name with one stray character OCR added
    (`离退休干部3活动经费` -> 离退休干部活动经费) when `text` holds that; else the name unchanged."""
    if not name or name in text:
        return name
    for i in range(len(name)):
        shorter = name[:i] + name[i + 1:]
        if len(shorter) >= 4 and shorter in text:
            return shorter
    return name


_UNPRINTABLE = regex.compile(r"[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]")  # Cs: undecodable bytes of a file name


def _escape(match) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # a byte that was not UTF-8 (surrogateescape)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, limit: int = 300) -> str:
    """One clean line for messages, file names in outputs and errors.csv: control characters and bytes that were
    not UTF-8 shown as escapes (`gbk-\\xc4\\xe3.md`), whitespace folded, at most `limit` characters."""
    shown = _UNPRINTABLE.sub(_escape, str(text))
    shown = " ".join(shown.split())
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
