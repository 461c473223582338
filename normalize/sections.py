"""The narrative as a section tree: 第X部分 / 一、 / （一） / 1. / （1） headings over paragraphs,
with lines (and paragraphs broken across pages) joined."""
from __future__ import annotations

from dataclasses import dataclass, field

import regex

from extract.model import NarrativeBlock
from normalize.amounts import FOOTNOTE_MARKS
from normalize.labels import nfkc

HEADINGS = [
    (0, regex.compile(r"^第[一二三四五六七八九十]+部分")),
    (1, regex.compile(r"^[一二三四五六七八九十]+[、.．]")),
    (2, regex.compile(r"^[(（][一二三四五六七八九十]+[)）]")),
    (3, regex.compile(r"^\d{1,2}(?:[.．、](?!\d)|\s)")),
    (4, regex.compile(r"^[(（]\d{1,2}[)）]")),
]
HEADING_MAX = 40  # a numbered line this long or with a full stop inside is a paragraph, not a heading
_PAGE_NUMBER = regex.compile(r"^[-—\s]*(?:第\s*)?\d{1,4}(?:\s*页)?[-—\s]*$")
_SENTENCE_END = regex.compile(r"[。；;！!？?:：]$")  # on a stripped line
_MARK_AFTER_NUMBER = regex.compile(r"(?<=\d)[" + FOOTNOTE_MARKS + r"]++")
_CAPTION = regex.compile(r"^(图|表)\s*\d")
_STATEMENT_MARK = regex.compile(r"[(（][类款项][)）]|万元|%")  # a statement about a subject, not a heading


@dataclass
class Paragraph:
    section: tuple[str, ...]
    text: str
    pages: list[int] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    heading: bool = False
    ocr: bool = False  # some of it was read by OCR from a page image
    confidence: float | None = None  # the lowest OCR confidence of its lines

    @property
    def page(self) -> int | None:
        return self.pages[0] if self.pages else None

    def take(self, block: NarrativeBlock) -> "Paragraph":
        """Note how the block was read (OCR and its confidence) on the paragraph it belongs to."""
        self.ocr = self.ocr or block.ocr
        if block.confidence is not None:
            self.confidence = block.confidence if self.confidence is None else min(self.confidence, block.confidence)
        return self


def heading_level(text: str) -> int | None:
    s = nfkc(text).strip()
    if _STATEMENT_MARK.search(s):
        return None  # a statement about a subject, cut at the line end: not a heading
    for level, pattern in HEADINGS:
        if pattern.match(s) and len(s) <= HEADING_MAX and "。" not in s[:-1]:
            return level
    return None


def _starts_item(text: str) -> bool:
    s = nfkc(text).strip()
    return any(pattern.match(s) for _, pattern in HEADINGS)


def build_paragraphs(blocks: list[NarrativeBlock]) -> list[Paragraph]:
    """Join wrapped lines into paragraphs and give each its heading path."""
    path: dict[int, str] = {}
    out: list[Paragraph] = []
    current: Paragraph | None = None
    parts: list[str] = []  # the current paragraph's lines, joined once it ends: linear in the narrative's length

    def close() -> None:
        if current is not None:
            current.text = "".join(parts)

    for block in blocks:
        text = block.text.strip()
        if not text or _PAGE_NUMBER.match(text):
            continue  # running page numbers interleave with paragraphs that cross a page
        line = nfkc(_MARK_AFTER_NUMBER.sub("", text)).strip()  # NFKC would read `135.00¹` as 135.001
        level = heading_level(text)
        if block.heading and level is None:
            level = max(path, default=-1) + 1 if not path else min(max(path) + 1, 4)
        if level is not None:
            path = {k: v for k, v in path.items() if k < level}
            path[level] = line
            out.append(Paragraph(_path(path, level), line, _pages(block), _lines(block), heading=True).take(block))
            close()
            current = None
            continue
        if current is not None and not _ended(parts) and not _starts_item(text):
            parts.append(line)
            current.pages += [p for p in _pages(block) if p not in current.pages]
            current.lines += _lines(block)
            current.take(block)
            continue
        close()
        current = Paragraph(_path(path, 99), line, _pages(block), _lines(block)).take(block)
        parts = [line]
        out.append(current)
    close()
    return out


def _ended(parts: list[str]) -> bool:
    """The paragraph so far ends a sentence (its last line does) or is a figure/table caption (its first line is)."""
    return bool(_SENTENCE_END.search(parts[-1])) or bool(_CAPTION.match(parts[0]))


def _path(path: dict[int, str], below: int) -> tuple[str, ...]:
    return tuple(path[k] for k in sorted(path) if k < below)


def _pages(block: NarrativeBlock) -> list[int]:
    return [block.page] if block.page else []


def _lines(block: NarrativeBlock) -> list[int]:
    return [block.line] if block.line else []
