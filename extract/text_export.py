"""Text exports (OCR / markdown conversions) of a 决算 document: tab-separated tables between titles."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import regex

from extract.identify import contents_tables, declares_empty, refusal, find_department, find_marker, find_unit, find_year, match_title, split_header
from extract.limits import MAX_CELL_CHARS, check_cell
from extract.model import InputError, NarrativeBlock, RawDocument, RawRow, RawTable
from normalize.labels import squeeze
from schemas import TableSchema

TEXT_SUFFIXES = {".md", ".txt", ".markdown"}
_HEADING = regex.compile(r"^\s*(#{1,6})\s*(.+?)\s*$")
_PART = regex.compile(r"^第[一二三四五六七八九十]+部分")
_PARAGRAPH_LIMIT = 80  # a non-tabular line this long after the rows is narrative, not a table note


@dataclass
class _Segment:
    schema: TableSchema
    title: str
    line: int
    rows: list[RawRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    meta_lines: list[str] = field(default_factory=list)


def read_text(path: Path) -> str:
    data = path.read_bytes()
    if not data.strip():
        raise InputError("empty", f"{path.name}: file is empty")
    if data[:65536].count(b"\x00") > 0.01 * min(len(data), 65536):
        raise InputError("binary", f"{path.name}: binary content, not a text export")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise InputError("encoding", f"{path.name}: neither UTF-8 nor GB18030 text ({exc.reason})") from None
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\r\n\f")
    if controls > 0.01 * min(len(text), 65536):
        raise InputError("binary", f"{path.name}: {controls} control characters, not a text export")
    return text


def text_lines(text: str) -> list[str]:
    """Lines ended by LF or CRLF (or CR alone, in a file that has no LF): a form feed, a vertical tab or a Unicode
    line separator inside a row name does not split the row."""
    if "\n" not in text:
        return text.split("\r")
    return [line.rstrip("\r") for line in text.split("\n")]


def extract_text_export(path: Path) -> RawDocument:
    text = read_text(path)
    lines = text_lines(text)
    segments: list[_Segment] = []
    narrative: list[NarrativeBlock] = []
    section: list[tuple[int, str]] = []
    current: _Segment | None = None
    other: list[RawTable] = []
    last_heading, captions = "", []

    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_CELL_CHARS:
            for cell in line.split("\t"):
                check_cell(cell, f"line {number}", path.name)
        stripped = line.strip()
        heading = _HEADING.match(line)
        schema = match_title(stripped.lstrip("#-* ")) if stripped and "\t" not in line else None
        if schema is not None:
            current = _Segment(schema, stripped.lstrip("#-* ").strip(), number)
            segments.append(current)
            continue
        if heading or _PART.match(stripped):
            current = None
            last_heading, captions = _plain(heading.group(2) if heading else stripped), []
            if heading:
                level = len(heading.group(1))
                section = [s for s in section if s[0] < level] + [(level, heading.group(2))]
            else:
                section = [(1, stripped)]
            narrative.append(NarrativeBlock(tuple(s[1] for s in section[:-1]), _plain(heading.group(2) if heading else stripped), None, number, heading=True))
            continue
        if current is not None:
            if "\t" in line:
                current.rows.append(RawRow(cells=line.split("\t"), line=number))
                continue
            if not stripped:
                continue
            if current.rows and (len(squeeze(stripped)) > _PARAGRAPH_LIMIT or _another_title(stripped)) and not squeeze(stripped).startswith("注"):
                current = None  # a paragraph, or the title of a table we cannot identify: the table ended
            else:
                (current.meta_lines if not current.rows else current.notes).append(stripped)
                continue
        if "\t" in line:
            _add_other_row(other, last_heading, captions, RawRow(cells=line.split("\t"), line=number))
            continue
        if stripped:
            captions.append(_plain(stripped))
            narrative.append(NarrativeBlock(tuple(s[1] for s in section), _plain(stripped), None, number))

    tables = _tables_from_segments(segments)
    first_table = next((s.line for s in segments if s.rows), None)
    listed = [s.title for s in segments if not s.rows and (first_table is None or s.line < first_table)]
    if not tables:
        raise InputError("not-juesuan", f"{path.name}: no standard 决算 table found in the text")
    why_not = refusal(tables, "\n".join(lines[:40]), [b.text for b in narrative] + [s.title for s in segments])
    if why_not:
        raise InputError("not-juesuan", f"{path.name}: {why_not}")
    meta_text = "\n".join(lines[:40])
    return RawDocument(
        source=path,
        kind="text",
        tables=tables,
        narrative=narrative,
        department=next((t.department for t in tables if t.department), None),
        year=find_year(meta_text) or next((find_year(t.title) for t in tables if find_year(t.title)), None),
        unit=next((t.unit for t in tables if t.unit), None),
        other_tables=other,
        contents=contents_tables(listed),
    )


def _another_title(line: str) -> bool:
    """A short line naming some table (`…绩效自评表`, `…决算表`): what follows is not this table's."""
    s = squeeze(line)
    return len(s) <= 40 and s.endswith("表") and not declares_empty(s)


def _add_other_row(other: list[RawTable], heading: str, captions: list[str], row: RawRow) -> None:
    """Tab rows outside the nine tables (绩效自评表 and the like), grouped under the heading they follow."""
    if other and other[-1].title == heading and other[-1].rows and (row.line or 0) - (other[-1].rows[-1].line or 0) <= 3:
        other[-1].rows.append(row)
        return
    other.append(RawTable(table_id=None, title=heading, identified_by="heading", rows=[row], notes=list(captions[-3:])))


def _plain(text: str) -> str:
    """Markdown list bullets, emphasis and HTML tags dropped: the words as printed."""
    text = regex.sub(r"^\s*[-*+]\s+", "", text)
    text = regex.sub(r"</?[a-zA-Z][^>]*>", "", text)
    return text.replace("\\_", "_").replace("\\*", "*").strip()


def _tables_from_segments(segments: list[_Segment]) -> list[RawTable]:
    tables: dict[str, RawTable] = {}
    for seg in segments:
        if not seg.rows and not any(declares_empty(n) for n in seg.notes + seg.meta_lines):
            continue  # a table of contents line, not a table
        meta = " ".join(seg.meta_lines + [seg.title])
        header, data = split_header(seg.rows)
        existing = tables.get(seg.schema.id)
        if existing is not None:
            existing.continue_with(data)
            existing.notes.extend(seg.notes)
            continue
        tables[seg.schema.id] = RawTable(
            table_id=seg.schema.id,
            title=seg.title,
            identified_by="title",
            header_rows=header,
            rows=data,
            marker=find_marker(meta),
            unit=find_unit(meta),
            department=next(filter(None, map(find_department, seg.meta_lines)), None),
            notes=seg.notes + [m for m in seg.meta_lines if declares_empty(m)],
        )
    return sorted(tables.values(), key=lambda t: t.table_id)
