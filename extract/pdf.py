"""Text-layer PDFs: triage pages cheaply, read ruled tables with pdfplumber (camelot as second engine) on
pages built from pdfium, identify and join the nine standard tables, and keep the narrative in reading order."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import regex
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.utils import clip_obj
from pdfplumber.utils.exceptions import PdfminerException

from extract.identify import (
    contents_tables,
    refusal,
    structure_fits,
    declares_empty,
    department_from_headings,
    find_department,
    find_marker,
    find_unit,
    find_year,
    header_labels,
    match_signature,
    match_title,
    split_header,
)
from extract.limits import MAX_PAGES, check_cell, check_page_chars
from extract.lines import lines_of_chars, page_lines
from extract.model import InputError, NarrativeBlock, PageTable, RawDocument, RawRow, RawTable
from extract.pdfium_source import ObjectTree, count_objects, page_objects, read_page
from extract.table_cells import PageChars, find_tables, table_grid
from normalize.labels import squeeze
from schemas import table_schema, table_schemas

MIN_RULES_FOR_TABLE = 6  # ruling segments a page needs before table detection is worth running
OCR_DPI = 150  # measured: 99.5% of table cells exact on 150 dpi scans
# 表1…表6 follow the national order everywhere; 7–9 vary (三公 may come before 基金), so only titles or
# header signatures identify those.
STANDARD_ORDER_MARKERS = {"1", "2", "3", "4", "5", "6"}


@dataclass
class _Open:
    table: RawTable
    width: int
    header_keys: frozenset[tuple[str, ...]] = frozenset()


def extract_pdf(path: Path, engine: str = "auto", ocr: str = "auto", cache_dir: Path | None = None, progress=None,
                on_table_page=None) -> RawDocument:
    """`ocr`: auto (pages without a usable text layer, or with a table pasted in as a picture), force (every
    page), off. `cache_dir`: where OCR results are kept by page image. `progress(page, pages, how)` per page.
    `on_table_page(page, number)`: called with the open pypdfium2 page of each text-layer page holding part of one
    of the nine tables, for what later stages take from the page (the report's image) without loading it again."""
    document = _open_pdfium(path)
    try:
        return _extract(document, path, engine, ocr, cache_dir, progress, on_table_page)
    finally:
        document.close()


def _open_pdfium(path: Path):
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise InputError("encrypted", f"{path.name}: encrypted PDF (password required)") from None
        raise InputError("corrupt", f"{path.name}: corrupt or truncated PDF ({_short(exc)})") from None


def _open_plumber(path: Path):
    try:
        return pdfplumber.open(path)
    except Exception as exc:
        raise _input_error(path, exc) from None


class _TablePages:
    """Table pages as pdfplumber pages: built from pdfium (no second parse of the page), or parsed by
    pdfplumber where pdfium cannot give what pdfminer would; those pages and the reasons are kept."""

    def __init__(self, document, path: Path, use_pdfium: bool = True):
        self.document = document
        self.path = path
        self.use_pdfium = use_pdfium
        self.plumber = None
        self.parsed_by_pdfminer: dict[int, str] = {}  # page number -> why

    def open(self, number: int, loaded=None, loaded_text=None, objects: ObjectTree | None = None):
        """`loaded`, `loaded_text`, `objects`: the page, its text page and its objects as pdfium already has them."""
        page, reason = read_page(self.document, number - 1, loaded, loaded_text, objects) if self.use_pdfium else (None, "--engine pdfplumber")
        if page is not None:
            return page
        self.parsed_by_pdfminer[number] = reason
        self.plumber = self.plumber or _open_plumber(self.path)
        return self.plumber.pages[number - 1]

    def warning(self) -> str | None:
        by_reason: dict[str, list[int]] = {}
        for number, reason in self.parsed_by_pdfminer.items():
            by_reason.setdefault(reason, []).append(number)
        if not by_reason:
            return None
        return "table pages parsed by pdfminer, not pdfium: " + "; ".join(f"{_ranges(numbers)} ({reason})" for reason, numbers in by_reason.items())

    def close(self) -> None:
        if self.plumber is not None:
            self.plumber.close()


def _input_error(path: Path, exc: Exception) -> InputError:
    """pdfplumber wraps pdfminer's errors: look inside for what really happened."""
    inner = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
    if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)):
        return InputError("encrypted", f"{path.name}: encrypted PDF (password required)")
    return InputError("corrupt", f"{path.name}: corrupt or truncated PDF ({_short(inner)})")


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or exc.__class__.__name__
    return text[:160]


def _extract(document, path: Path, engine: str, ocr: str, cache_dir: Path | None, progress, on_table_page) -> RawDocument:
    page_count = len(document)
    if page_count == 0:
        raise InputError("corrupt", f"{path.name}: PDF has no pages")
    if page_count > MAX_PAGES:
        raise InputError("too-large", f"{path.name}: {page_count} pages, more than {MAX_PAGES}")
    kinds: dict[int, str] = {}
    page_tables: list[PageTable] = []
    narrative: list[NarrativeBlock] = []
    ocr_pages: dict[int, dict] = {}
    cover_text = ""
    warnings: list[str] = []
    table_pages = _TablePages(document, path, use_pdfium=engine != "pdfplumber")
    assembler = Assembler(kinds)
    try:
        for number in range(1, page_count + 1):
            page = document[number - 1]
            textpage = page.get_textpage()
            try:
                objects = page_objects(page)
                seen = triage(page, number, path.name, textpage, objects)
                kind, text = seen.kind, seen.text
                reason = ocr_reason(page, seen, ocr)
                kinds[number] = kind
                if reason is not None:
                    found, lines = _ocr_page(page, number, reason, text, cache_dir, ocr_pages)
                    kinds[number] = "table" if found else ("narrative" if lines else "blank")
                    page_tables.extend(found)
                    _assemble_page(assembler, found)
                    narrative.extend(block for block in lines if not _is_caption(block.text))
                    if progress:
                        progress(number, page_count, "ocr")
                    continue
                if kind == "table":
                    found, outside = _table_page(table_pages.open(number, page, textpage, objects), path, number, engine)
                    if not found:
                        kinds[number] = "narrative" if outside else "blank"
                    page_tables.extend(found)
                    if _assemble_page(assembler, found) and on_table_page is not None:
                        on_table_page(page, number)
                    narrative.extend(NarrativeBlock((), line, number) for line in outside if not _is_caption(line))
            finally:
                textpage.close()
                page.close()
            if kind in ("narrative", "cover"):
                lines = [line.strip() for line in text.splitlines() if line.strip()]
                if kind == "cover" and not cover_text:
                    cover_text = " ".join(lines)
                narrative.extend(NarrativeBlock((), line, number) for line in lines)
        image_pages = [n for n, k in kinds.items() if k == "image-only"]
        if image_pages:
            warnings.append(f"image-only pages not read (--ocr off): {_ranges(image_pages)}")
        if image_pages and len(image_pages) == page_count:
            raise InputError("image-only", f"{path.name}: every page is an image (a scanned PDF) and OCR is off (--ocr off)")
        if not cover_text:
            cover_text = " ".join(b.text for b in narrative[:3] if b.page == narrative[0].page) if narrative else ""
        tables, unidentified = assembler.tables(), assembler.unidentified
        if unidentified:
            warnings.append(f"ruled tables not identified as a standard table on pages {_ranges(sorted(set(unidentified)))}")
        other = other_tables([pt for pt in page_tables if pt.page in unidentified])
        why_not = refusal(tables, cover_text, [line for pt in page_tables for line in pt.caption] + [b.text for b in narrative]) if tables else None
        if why_not:
            raise InputError("not-juesuan", f"{path.name}: {why_not}")
        if engine == "auto" and tables:
            tables = _second_engine_for_unsound(table_pages, path, tables, page_tables, kinds, set(ocr_pages))
        if engine != "pdfplumber" and table_pages.warning():
            warnings.append(table_pages.warning())
    except (PDFPasswordIncorrect, PDFEncryptionError, PDFSyntaxError, PdfminerException) as exc:
        raise _input_error(path, exc) from None
    finally:
        table_pages.close()
    if not tables:
        raise InputError("not-juesuan", f"{path.name}: no standard 决算 table found ({page_count} pages)")
    first_table_page = min(p for t in tables for p in t.pages)
    contents = contents_tables(b.text for b in narrative if b.page < first_table_page)
    department = (next((t.department for t in tables if t.department), None) or _department_from_cover(cover_text)
                  or department_from_headings(b.text for b in narrative))
    year = find_year(cover_text) or next((find_year(b.text) for b in narrative[:40] if find_year(b.text)), None)
    return RawDocument(
        source=path,
        kind="pdf",
        tables=tables,
        narrative=narrative,
        department=department,
        year=year,
        unit=next((t.unit for t in tables if t.unit), None),
        page_count=page_count,
        page_kinds=kinds,
        warnings=warnings,
        other_tables=other,
        contents=contents,
        ocr_pages=ocr_pages,
        pdfminer_pages=dict(table_pages.parsed_by_pdfminer),
    )


def _assemble_page(assembler: Assembler, found: list[PageTable]) -> bool:
    """Whether any of the page's tables is part of one of the nine tables (every one is added)."""
    return any([assembler.add(pt) for pt in found])


def _table_page(page, path: Path, number: int, engine: str):
    try:
        found = read_tables(page, number, engine, path)
        return found, _lines_outside_tables(page, found)
    finally:
        page.close()  # frees the parsed layout: peak memory stays flat over long documents


# ---------------------------------------------------------------- triage


class Triage(NamedTuple):
    kind: str  # table / narrative / cover / blank / image-only
    text: str  # the page's text layer
    images: int  # image objects on the page


def triage(page, number: int = 0, name: str = "", textpage=None, objects: ObjectTree | None = None) -> Triage:
    """What a page holds, from pdfium's object counts (milliseconds a page), so that only table pages go
    through pdfplumber's layout analysis. `textpage`, `objects`: the page's text page and `page_objects`, when the
    caller has them. The page (and the text page) stay open: the caller closes them."""
    own = textpage is None
    if own:
        textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        check_page_chars(count, number, name)
        text = textpage.get_text_range() if count else ""
    finally:
        if own:
            textpage.close()
    counts = count_objects(page, objects=objects)
    images = counts[pdfium_raw.FPDF_PAGEOBJ_IMAGE]
    if counts[pdfium_raw.FPDF_PAGEOBJ_PATH] >= MIN_RULES_FOR_TABLE:
        return Triage("table", text, images)  # includes a continuation page holding only an empty ruled row
    visible = len(text.strip())
    if visible == 0:
        return Triage("image-only" if images else "blank", text, images)
    return Triage("cover" if visible < 60 else "narrative", text, images)


def ocr_reason(page, seen: Triage, ocr: str) -> str | None:
    """Why this page goes through OCR (None: its text layer is read): every page under --ocr force; under auto,
    a page without a usable text layer or with a table pasted in as a picture."""
    if ocr == "off" or seen.kind == "blank":
        return None
    if ocr == "force":
        return "forced"
    from extract.ocr_triage import page_needs_ocr

    return page_needs_ocr(page, seen.text, seen.images)


def _ocr_page(page, number: int, reason: str, text: str, cache_dir: Path | None, ocr_pages: dict[int, dict]):
    """Tables and narrative lines of a page read by OCR; a text page with a table picture keeps its text layer's
    lines and takes only the tables from OCR."""
    from extract.ocr import ocr_page

    result = ocr_page(page, number, dpi=OCR_DPI, cache_dir=cache_dir)
    ocr_pages[number] = {"reason": reason, "rotation": result.rotation, "skew": round(result.skew, 2), "seconds": round(result.seconds, 2),
                         "cached": result.cached, "doubtful": len(result.low_confidence), "dpi": result.dpi}
    for table in result.tables:
        for row in table.grid:
            for cell in row:
                if cell:
                    check_cell(cell, f"page {number}", "")
    if reason == "table image":
        return result.tables, [NarrativeBlock((), line.strip(), number) for line in text.splitlines() if line.strip()]
    confidences = result.line_confidences or [None] * len(result.lines)
    return result.tables, [NarrativeBlock((), line, number, ocr=True, confidence=c) for line, c in zip(result.lines, confidences)]


# ---------------------------------------------------------------- reading tables on a page


def read_tables(page, number: int, engine: str, path: Path | None = None) -> list[PageTable]:
    if engine == "camelot":
        from extract.camelot_engine import camelot_tables

        return camelot_tables(path, page, number)
    found = []
    page_chars = None
    for table in find_tables(page):
        page_chars = page_chars or PageChars(page.chars)
        rows = table.rows
        grid = table_grid(table, page_chars, rows)
        if not grid or max(len(r) for r in grid) < 2:
            continue
        for cell in (c for row in grid for c in row if c):
            check_cell(cell, f"page {number}", path.name if path else "")
        _, top, _, bottom = table.bbox
        found.append(
            PageTable(
                page=number,
                grid=grid,
                boxes=[list(r.cells) for r in rows],
                header_filled=_fill_spans(table, rows, grid),
                caption=_text_lines(page, (0, 0, page.width, top)),
                below=_text_lines(page, (0, bottom, page.width, page.height)),
            )
        )
    return found


def _fill_spans(table, rows, grid: list[list[str | None]]) -> list[list[str]]:
    """Each grid position's text, taking a merged cell's text into every position it covers."""
    texts = {}
    for r, row in enumerate(rows):
        for c, box in enumerate(row.cells):
            if box is not None:
                texts[box] = grid[r][c] or ""
    columns = None
    filled = []
    for r, row in enumerate(rows):
        out = []
        for c, box in enumerate(row.cells):
            if box is not None:
                out.append(grid[r][c] or "")
                continue
            # A merged cell covering this position starts at or before the row's top and column's left edge.
            columns = columns or table.columns
            x = columns[c].bbox[0] + 0.5
            y = row.bbox[1] + 0.5
            cover = next((t for b, t in texts.items() if b[0] <= x < b[2] and b[1] <= y < b[3]), "")
            out.append(cover)
        filled.append(out)
    return filled


def _text_lines(page, bbox) -> list[str]:
    """Text lines of a region, from the characters `page.crop(bbox, strict=False)` would hold (only those:
    cropping the page crops its rules too)."""
    x0, top, x1, bottom = bbox
    if bottom - top < 1:
        return []
    region = (max(0, x0), max(0, top), min(page.width, x1), min(page.height, bottom))
    reaching = [c for c in page.chars if c["bottom"] >= region[1] and c["top"] <= region[3]]  # what can overlap it
    return lines_of_chars(_cropped(reaching, region))


def _cropped(chars: list[dict], region) -> list[dict]:
    """`crop_to_bbox(chars, region)` as far as text lines read it (positions and text): a character wholly inside the
    region is taken as it is, since pdfplumber's clipped copy of it has the same position; the others are clipped."""
    left, top, right, bottom = region
    kept = []
    for c in chars:
        if (left <= c["x0"] <= c["x1"] <= right and top <= c["top"] <= c["bottom"] <= bottom
                and (c["x1"] - c["x0"]) + (c["bottom"] - c["top"]) > 0):
            kept.append(c)
        elif (clipped := clip_obj(c, region)) is not None:
            kept.append(clipped)
    return kept


def _lines_outside_tables(page, found: list[PageTable]) -> list[str]:
    if not found:
        return page_lines(page)
    lines = []
    for t in found:
        lines.extend(t.caption)
    lines.extend(found[-1].below)
    return list(dict.fromkeys(lines))


def _is_caption(line: str) -> bool:
    s = squeeze(line)
    return bool(match_title(s) or find_marker(s) or find_unit(s) or s.startswith("部门"))


def structurally_sound(table: RawTable) -> bool:
    """A table whose header names its measures and whose grid has room for them."""
    schema = table_schema(table.table_id)
    width = max((len(r.cells) for r in table.header_rows + table.rows), default=0)
    minimum = {"two_sided": 4, "coded": 3, "economic": 3, "single_row": len(schema.standard_columns)}[schema.layout]
    if width < minimum:
        return False
    if schema.layout == "single_row":
        return True
    labels = "|".join(header_labels(table.header_rows))
    known = [m for m in schema.measures if any(squeeze(a) in labels for a in m.aliases)]
    return len(known) >= min(2, len(schema.measures))


def _second_engine_for_unsound(table_pages: _TablePages, path: Path, tables: list[RawTable], page_tables: list[PageTable], kinds, ocr_pages: set[int]) -> list[RawTable]:
    """Re-read with camelot the pages of tables pdfplumber could not structure; keep camelot's when it is sound.
    (OCR'd pages have no text layer for camelot to read.)"""
    unsound = [t for t in tables if not structurally_sound(t)]
    pages = sorted({p for t in unsound for p in t.pages} - ocr_pages)
    if not pages:
        return tables
    from extract.camelot_engine import camelot_tables

    replacement: dict[int, list[PageTable]] = {}
    for number in pages:
        page = table_pages.open(number)
        try:
            replacement[number] = camelot_tables(path, page, number)
        finally:
            page.close()
    mixed = [pt for pt in page_tables if pt.page not in replacement] + [pt for n in pages for pt in replacement[n]]
    mixed.sort(key=lambda pt: pt.page)
    redone = {t.table_id: t for t in assemble(mixed, kinds)}
    out = []
    for t in tables:
        other = redone.get(t.table_id)
        out.append(other if t in unsound and other is not None and structurally_sound(other) else t)
    return out


# ---------------------------------------------------------------- joining pages into the nine tables


def assemble(page_tables: list[PageTable], kinds: dict[int, str] | None = None, unidentified: list[int] | None = None) -> list[RawTable]:
    """Identify each page table (title, marker, header signature) and join continuations (see `Assembler`)."""
    assembler = Assembler(kinds, unidentified)
    for pt in page_tables:
        assembler.add(pt)
    return assembler.tables()


class Assembler:
    """The nine tables built from page tables given in page order, one at a time, so that extraction knows while
    a page is open whether it holds part of one.

    A table without a title continues the open table only on the next page (blank pages between are skipped)
    and only with the same columns and no other table's header. `kinds`: what each page holds, read for the
    pages between two page tables; `unidentified` collects the pages of tables that are none of the nine."""

    def __init__(self, kinds: dict[int, str] | None = None, unidentified: list[int] | None = None):
        self.kinds = kinds if kinds is not None else {}
        self.unidentified = unidentified if unidentified is not None else []
        self.empty_pages: set[int] = set()
        self._tables: dict[str, RawTable] = {}
        self._current: _Open | None = None

    def add(self, pt: PageTable) -> bool:
        """Whether the page table became part of one of the nine tables."""
        current = self._current
        if current is not None and not _adjacent(current.table.pages[-1], pt.page, self.kinds, self.empty_pages):
            current = self._current = None
        if _empty_grid(pt):
            self.empty_pages.add(pt.page)
            return False  # an empty ruled continuation page: nothing to join, the open table stays open
        title_schema, title_line = _caption_title(pt.caption)
        width = max(len(r) for r in pt.grid)
        header_rows, data_rows = split_header(_raw_rows(pt))
        labels = header_labels(header_rows)
        signature = match_signature(labels) if labels else None
        schema, identified_by = title_schema, "title"
        marker = next((find_marker(line) for line in pt.caption if find_marker(line)), None)
        continuing = current is not None and (
            (schema is None and _continues(current, width, signature, header_rows))
            or (schema is not None and schema.id == current.table.table_id)  # title repeated on every page
        )
        if continuing:
            _append(current, pt, header_rows, data_rows)
            return True
        if schema is None and signature is not None:
            schema, identified_by = signature, "signature"
        if schema is None and marker in STANDARD_ORDER_MARKERS and structure_fits(table_schema(f"t{int(marker):02d}"), labels):
            schema, identified_by = table_schema(f"t{int(marker):02d}"), "marker"
        if schema is None or schema.id in self._tables:
            self._current = None
            if schema is None:
                self.unidentified.append(pt.page)
            return False
        caption_text = " ".join(pt.caption)
        raw = RawTable(
            table_id=schema.id,
            title=title_line or schema.title,
            identified_by=identified_by,
            header_rows=_filled_header(pt, header_rows),
            rows=data_rows,
            marker=marker,
            unit=find_unit(caption_text),
            department=next(filter(None, map(find_department, pt.caption)), None),
            pages=[pt.page],
            notes=[line for line in pt.below if declares_empty(line) or squeeze(line).startswith("注")],
            engine=pt.engine,
            header_spans_known=True,
        )
        self._tables[schema.id] = raw
        self._current = _Open(raw, width, frozenset(tuple(squeeze(c) for c in r.cells) for r in header_rows))
        return True

    def tables(self) -> list[RawTable]:
        return sorted(self._tables.values(), key=lambda t: t.table_id)


def other_tables(page_tables: list[PageTable]) -> list[RawTable]:
    """Ruled tables that are not one of the nine (绩效自评表 …), titled by their caption; a title-less
    table on the next page continues the previous one."""
    out: list[RawTable] = []
    for pt in page_tables:
        title = next((line for line in reversed(pt.caption) if "表" in line and len(squeeze(line)) <= 60), "")
        if out and not title and pt.page - (out[-1].pages[-1] if out[-1].pages else 0) <= 1:
            out[-1].rows += _raw_rows(pt)
            out[-1].pages.append(pt.page)
            continue
        out.append(RawTable(table_id=None, title=title or (pt.caption[-1] if pt.caption else ""), identified_by="caption",
                            rows=_raw_rows(pt), pages=[pt.page], notes=list(pt.caption[-3:]), engine=pt.engine))
    return out


def _adjacent(last_page: int, page: int, kinds: dict[int, str], empty_pages: set[int] = frozenset()) -> bool:
    if page == last_page:
        return True
    return all(kinds.get(p, "blank") == "blank" or p in empty_pages for p in range(last_page + 1, page))


def _caption_title(caption: list[str]):
    for line in reversed(caption):
        schema = match_title(line)
        if schema is not None:
            return schema, squeeze(line)
    joined = "".join(squeeze(line) for line in caption[-3:])
    schema = match_title(joined) if joined else None
    return schema, (joined if schema else None)


def _continues(current: _Open, width: int, signature, header_rows: list[RawRow]) -> bool:
    """A title-less table continues the open one when it has the same columns and no header of its own
    other than a repeat of the open table's (so two different tables are never joined)."""
    if signature is not None and signature.id != current.table.table_id:
        return False
    own_header = [tuple(squeeze(c) for c in r.cells) for r in header_rows if _is_header_wording(r.cells)]
    if own_header and not set(own_header) <= current.header_keys:
        return False
    return width == current.width


def _is_header_wording(cells: list[str]) -> bool:
    """A row printed in header words (column labels of some standard table), not a title-less data row."""
    vocabulary = _header_vocabulary()
    return any(squeeze(c) in vocabulary for c in cells if c)


@lru_cache(maxsize=1)
def _header_vocabulary() -> frozenset[str]:
    words = {"项目", "科目名称", "科目编码", "功能分类科目编码", "经济分类科目编码", "栏次", "行次", "类", "款", "项"}
    for schema in table_schemas():
        for m in schema.measures + schema.groups:
            words.update(squeeze(a) for a in m.aliases)
    words.discard("合计")
    return frozenset(words)


def _append(current: _Open, pt: PageTable, header_rows: list[RawRow], data_rows: list[RawRow]) -> None:
    if pt.page not in current.table.pages:
        current.table.pages.append(pt.page)
    for row in header_rows:
        key = tuple(squeeze(c) for c in row.cells)
        if key not in current.header_keys and any(key):
            current.table.rows.append(row)  # not a repeated header: keep it, junk detection decides
    current.table.continue_with(data_rows)
    current.table.notes.extend(line for line in pt.below if declares_empty(line))


def _raw_rows(pt: PageTable) -> list[RawRow]:
    return [
        RawRow(cells=[c if c is not None else "" for c in row], page=pt.page, line=i + 1, boxes=pt.boxes[i] if i < len(pt.boxes) else None,
               confidences=pt.confidences[i] if pt.confidences and i < len(pt.confidences) else None)
        for i, row in enumerate(pt.grid)
    ]


def _filled_header(pt: PageTable, header_rows: list[RawRow]) -> list[RawRow]:
    filled = []
    for row in header_rows:
        index = row.line - 1
        cells = pt.header_filled[index] if index < len(pt.header_filled) else row.cells
        filled.append(RawRow(cells=list(cells), page=row.page, line=row.line, boxes=row.boxes))
    return filled


def _empty_grid(pt: PageTable) -> bool:
    return not any(squeeze(c) for row in pt.grid for c in row if c)


# ---------------------------------------------------------------- narrative and metadata

def _department_from_cover(text: str) -> str | None:
    s = squeeze(text)
    m = regex.search(r"^(.+?)(?:20\d{2}年度?)?(?:部门|单位)决算", s) or regex.search(r"^(.+?)20\d{2}年度?", s)
    if not m:
        return None
    name = regex.sub(r"20\d{2}年度?$", "", m.group(1)).strip()
    return name or None


def _ranges(numbers: list[int]) -> str:
    spans, start, prev = [], None, None
    for n in sorted(numbers):
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            spans.append((start, prev))
            start = prev = n
    if start is not None:
        spans.append((start, prev))
    return ",".join(f"{a}" if a == b else f"{a}-{b}" for a, b in spans)
