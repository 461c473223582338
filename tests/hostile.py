"""Hostile inputs (issue 9): one generator per class of input that has broken, stalled or fooled the pipeline.

Every generator is deterministic and fast, writes only under the folder or path it is given and returns what it
created. No test functions here: tests import these (`from hostile import flate_bombs`) and assert on the outcome.

 1 self_referencing_pdfs      objects that refer to themselves (/Length, /Kids, /Parent, reference chains, forms)
 2 page_tree_cycles           /Kids pointing back to an ancestor or the catalog, a lying /Count, one page listed 1500 times
 3 flate_bombs                ~1 MB of deflate that inflates to ~1 GB (content stream, unreferenced object, font program,
                              ToUnicode, image; behind ASCII85/ASCIIHex; a 200 MB stream with a PNG predictor)
 4 long_cells                 a cell of 200,000 characters (text export and PDF)
 5 formula_names              names starting with = + - @ tab CR (CSV/Excel formula injection)
 6 control_char_names         C0 controls, zero-width and bidi characters in names and narrative
 7 footnote_amounts           footnote markers glued to amounts (364.05¹, ①, *, 注1, a raised small digit in a PDF)
 8 hostile_file_names         long, colliding, control-character and dot names, a folder named facts.csv, symlinks
 9 long_t05_pdf               one ruled t05 over N pages (50, 150), consistent or with a few broken cells
10 big_text_export            a ~5 MB text export (t03 and t05 of 50,000 rows each)
11 mutants                    byte-level mutants of a PDF (bit flips, deletions, insertions, truncations)
12 t01_without_totals         t01 without 年初/年末结转和结余 and both 总计 rows
"""
from __future__ import annotations

import base64
import os
import random
import re
import sys
import zlib
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Iterator

_HERE = Path(__file__).resolve().parent
for _p in (_HERE, _HERE.parent):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import synthetic  # noqa: E402
from synthetic import NAMES, build  # noqa: E402

DEPARTMENT = getattr(synthetic, "DEPARTMENT", "某某局")  # the synthetic document's department name


def _sub(text: str, old: str, new: str, count: int = -1) -> str:
    """str.replace that fails loudly when `old` is absent (the synthetic document changed under us)."""
    if old not in text:
        raise ValueError(f"hostile: {old!r} not in the synthetic document any more")
    return text.replace(old, new, count)


# ================================================================ hand-made PDFs

def pdf_bytes(objects: dict[int, bytes], root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """A PDF with a correct xref table from numbered object bodies (`b"<< ... >>"`, streams included)."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += (b"%010d 00000 n \n" % offsets[number]) if number in objects else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, trailer_extra, xref)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"", length: bytes | None = None) -> bytes:
    return b"<< /Length " + (length if length is not None else b"%d" % len(data)) + extra + b" >>\nstream\n" + data + b"\nendstream"


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
TEXT = b"BT /F1 12 Tf 72 720 Td (2024 self reference) Tj ET"
# seven ruled segments: enough for the pdfium triage to send the page through pdfplumber
RULES = b"".join(b"72 %d m 500 %d l S " % (y, y) for y in range(600, 740, 20))


def _page(parent: int = 2, contents: bytes = b"4 0 R", resources: bytes = b"<< /Font << /F1 5 0 R >> >>", extra: bytes = b"") -> bytes:
    return b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources " % parent + resources + b" /Contents " + contents + extra + b" >>"


def _basic(content: bytes = TEXT) -> dict[int, bytes]:
    """catalog 1, pages 2, page 3, content 4, font 5."""
    return {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: _page(),
        4: stream(content),
        5: FONT,
    }


def self_referencing_pdfs(folder: Path) -> list[Path]:
    """Class 1: ~600-900-byte PDFs whose objects reference themselves. Each must end as one error line
    (or convert), quickly and in little memory; never a hang, a RecursionError traceback or a crash. Pages are
    ruled (seven lines), so that after pdfium's triage pdfplumber/pdfminer parse them too."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    variants: dict[str, dict[int, bytes]] = {}

    o = _basic(RULES + TEXT)  # /Length 6 0 R where object 6 is `6 0 R`
    o[4] = stream(RULES + TEXT, length=b"6 0 R")
    o[6] = b"6 0 R"
    variants["length_ref_to_self"] = o

    o = _basic(RULES + TEXT)  # the content stream's /Length is the stream itself
    o[4] = stream(RULES + TEXT, length=b"4 0 R")
    variants["length_is_own_stream"] = o

    o = _basic(RULES + TEXT)  # /Kids contains the /Pages node itself
    o[2] = b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>"
    variants["kids_contains_self"] = o

    o = _basic(RULES + TEXT)  # a chain of indirect objects that loops: 6 -> 7 -> 8 -> 6 (resources), 9 -> 9 (contents)
    o[3] = _page(contents=b"9 0 R", resources=b"6 0 R")
    o[6], o[7], o[8], o[9] = b"7 0 R", b"8 0 R", b"6 0 R", b"9 0 R"
    variants["reference_chain_loop"] = o

    o = _basic(RULES + TEXT)  # the page is its own parent and has no MediaBox: inherited attributes are looked up through /Parent
    o[3] = b"<< /Type /Page /Parent 3 0 R /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
    variants["page_parent_is_self"] = o

    o = _basic(RULES + TEXT)  # /Parent loop between the Pages node and the page (2 -> 3 -> 2), nothing to inherit from
    o[2] = b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 3 0 R >>"
    o[3] = b"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
    variants["parent_loop"] = o

    o = _basic(RULES + b"/X1 Do " + TEXT)  # a form XObject that draws itself
    o[3] = _page(resources=b"<< /Font << /F1 5 0 R >> /XObject << /X1 6 0 R >> >>")
    o[6] = stream(RULES + b"/X1 Do", b" /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /XObject << /X1 6 0 R >> >>")
    variants["form_draws_itself"] = o

    o = _basic(RULES + b"/X1 Do " + TEXT)  # no cycle, but each form draws the next twice: 2^30 paths ("billion laughs")
    o[3] = _page(resources=b"<< /Font << /F1 5 0 R >> /XObject << /X1 10 0 R >> >>")
    depth = 30
    for level in range(depth):
        number = 10 + level
        if level + 1 < depth:
            body, res = b"/X Do /X Do", b"<< /XObject << /X %d 0 R >> >>" % (number + 1)
        else:
            body, res = b"0 0 m 1 1 l S", b"<< >>"
        o[number] = stream(body, b" /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources " + res)
    variants["form_fanout_2pow30"] = o

    o = _basic(RULES + TEXT)  # the catalog's /Pages is the catalog
    o[1] = b"<< /Type /Catalog /Pages 1 0 R >>"
    variants["catalog_pages_is_catalog"] = o

    o = _basic(RULES + TEXT)  # the trailer /Root is a reference to a reference to itself
    o[1] = b"1 0 R"
    variants["root_ref_to_self"] = o

    return _write_pdfs(folder, "selfref", variants)


def _write_pdfs(folder: Path, prefix: str, variants: dict[str, dict[int, bytes]]) -> list[Path]:
    """Each variant's objects as folder/<prefix>_<name>.pdf."""
    paths = []
    for name, objects in variants.items():
        path = folder / f"{prefix}_{name}.pdf"
        path.write_bytes(pdf_bytes(objects))
        paths.append(path)
    return paths


def page_tree_cycles(folder: Path) -> list[Path]:
    """Class 2: page trees whose /Kids point back to an ancestor (directly, two levels up, to the catalog) and a
    /Count that promises pages the tree does not have. Every page is ruled, so that pdfplumber (pdfminer) reads it
    after pdfium triaged it: both libraries must agree on which page is page N."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    variants: dict[str, dict[int, bytes]] = {}

    o = _basic(RULES + TEXT)  # root Pages 2 -> [page 3, Pages 6]; Pages 6 -> [2] (its parent)
    o[2] = b"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>"
    o[6] = b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>"
    variants["kids_to_parent"] = o

    o = _basic(RULES + TEXT)  # 2 -> 6 -> 7 -> 2 (grandparent), page 3 at the bottom
    o[2] = b"<< /Type /Pages /Kids [6 0 R] /Count 1 >>"
    o[6] = b"<< /Type /Pages /Parent 2 0 R /Kids [7 0 R] /Count 1 >>"
    o[7] = b"<< /Type /Pages /Parent 6 0 R /Kids [3 0 R 2 0 R] /Count 1 >>"
    o[3] = _page(parent=7)
    variants["kids_to_grandparent"] = o

    o = _basic(RULES + TEXT)  # a Pages node lists the catalog as a kid
    o[2] = b"<< /Type /Pages /Kids [3 0 R 1 0 R] /Count 2 >>"
    variants["kids_to_catalog"] = o

    o = _basic(RULES + TEXT)  # one real page, /Count says 1999 (just under MAX_PAGES)
    o[2] = b"<< /Type /Pages /Kids [3 0 R] /Count 1999 >>"
    variants["count_1999_one_page"] = o

    o = _basic(RULES + TEXT)  # the same page listed 1500 times (a DAG, not a cycle): 1500 pages to triage from 1 object
    o[2] = b"<< /Type /Pages /Kids [" + b"3 0 R " * 1500 + b"] /Count 1500 >>"
    variants["same_page_1500_times"] = o

    return _write_pdfs(folder, "pagetree", variants)


def deflate_bomb(inflated: int = 1 << 30, fill: bytes = b" ", prefix: bytes = b"", suffix: bytes = b"") -> bytes:
    """zlib data of prefix + `inflated` bytes of `fill` + suffix (~1 MB for 1 GiB: deflate's limit is ~1032:1).
    Never holds the inflated data: one 1 MiB block is compressed once, ending on a full flush (byte-aligned, empty
    history), and its compressed form repeated; the Adler-32 is computed block by block."""
    block = (fill * (1 << 20))[: 1 << 20]

    def raw(data: bytes, final: bool) -> bytes:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        return packer.compress(data) + packer.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)

    whole, rest = divmod(inflated, len(block))
    packed = raw(block, False)
    body = [raw(prefix, False) if prefix else b"", packed * whole, raw(block[:rest] + suffix, True)]
    checksum = zlib.adler32(prefix)
    for _ in range(whole):
        checksum = zlib.adler32(block, checksum)
    checksum = zlib.adler32(block[:rest] + suffix, checksum)
    return b"\x78\xda" + b"".join(body) + checksum.to_bytes(4, "big")


def flate_bombs(folder: Path, inflated: int = 1 << 30) -> list[Path]:
    """Class 3: ~1 MB flate streams that inflate to `inflated` bytes (1 GiB by default):
    - content: the page's only content stream (spaces; whitespace to a content parser);
    - content_after_rules: a ruled page (so pdfplumber/pdfminer read it) whose second content stream is the bomb;
    - unreferenced: a bomb object nothing refers to, beside an ordinary page;
    - fontfile: an embedded TrueType font program (/FontFile2) that inflates to 1 GiB, used by the page's text;
    - tounicode: the font's /ToUnicode CMap is the bomb (pdfminer parses every CMap it meets);
    - image: an image XObject of 32768 x 32768 gray pixels (1 GiB decoded), drawn on a ruled page;
    - content_ascii85_flate / content_asciihex_flate: the bomb behind [/ASCII85Decode /FlateDecode] (hex: 2 MB file);
    - predictor_200mb: 200 MB (under a 256 MB cap) with /Predictor 12 /Columns 1: 100 million predictor rows."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    bomb = deflate_bomb(inflated)
    flate = b" /Filter /FlateDecode"
    variants: dict[str, dict[int, bytes]] = {}

    o = _basic()
    o[4] = stream(bomb, flate)
    variants["content"] = o

    o = _basic(RULES + TEXT)
    o[3] = _page(contents=b"[4 0 R 6 0 R]")
    o[6] = stream(bomb, flate)
    variants["content_after_rules"] = o

    o = _basic(RULES + TEXT)
    o[6] = stream(bomb, flate)
    variants["unreferenced"] = o

    cid_font = (b"<< /Type /Font /Subtype /Type0 /BaseFont /Bomb /Encoding /Identity-H /DescendantFonts [7 0 R]%s >>")
    descendant = (b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Bomb /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) "
                  b"/Supplement 0 >> /FontDescriptor 8 0 R /CIDToGIDMap /Identity >>")
    descriptor = b"<< /Type /FontDescriptor /FontName /Bomb /Flags 4 /FontBBox [0 0 1000 1000] /ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80%s >>"
    hex_text = b"BT /F2 12 Tf 72 700 Td <0041004200430044> Tj ET"

    o = _basic(RULES + TEXT + b" " + hex_text)
    o[3] = _page(resources=b"<< /Font << /F1 5 0 R /F2 6 0 R >> >>")
    o[6], o[7], o[8] = cid_font % b"", descendant, descriptor % b" /FontFile2 9 0 R"
    o[9] = stream(bomb, flate + b" /Length1 %d" % inflated)
    variants["fontfile"] = o

    o = _basic(RULES + TEXT + b" " + hex_text)
    o[3] = _page(resources=b"<< /Font << /F1 5 0 R /F2 6 0 R >> >>")
    o[6], o[7], o[8] = cid_font % b" /ToUnicode 9 0 R", descendant, descriptor % b""
    o[9] = stream(deflate_bomb(inflated, prefix=b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n"), flate)
    variants["tounicode"] = o

    # the same bomb behind a second filter: a scan that looks for zlib data right after `stream` does not see it
    o = _basic(RULES + TEXT)
    o[3] = _page(contents=b"[4 0 R 6 0 R]")
    o[6] = stream(base64.a85encode(bomb) + b"~>", b" /Filter [/ASCII85Decode /FlateDecode]")
    variants["content_ascii85_flate"] = o

    o = _basic(RULES + TEXT)
    o[3] = _page(contents=b"[4 0 R 6 0 R]")
    o[6] = stream(bomb.hex().encode() + b">", b" /Filter [/ASCIIHexDecode /FlateDecode]")
    variants["content_asciihex_flate"] = o

    # under a 256 MB per-stream cap, but with a PNG predictor of one column: 100 million rows for pdfminer's Python loop
    o = _basic(RULES + TEXT)
    o[3] = _page(contents=b"[4 0 R 6 0 R]")
    o[6] = stream(deflate_bomb(min(inflated, 200 << 20), fill=b"\x00"), flate + b" /DecodeParms << /Predictor 12 /Columns 1 >>")
    variants["predictor_200mb"] = o

    side = 1 << 15  # 32768 x 32768 x 1 byte = 1 GiB
    o = _basic(RULES + b"q 100 0 0 100 72 300 cm /Im1 Do Q " + TEXT)
    o[3] = _page(resources=b"<< /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >>")
    o[6] = stream(deflate_bomb(side * side if inflated >= side * side else inflated, fill=b"\x80"),
                  flate + b" /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8" % (side, side))
    variants["image"] = o

    return _write_pdfs(folder, "bomb", variants)


# ================================================================ typeset PDFs from a text export

def _split_export(text: str):
    """A synthetic-style text export -> [["table", title, meta_lines, rows]] and [["text", lines]] in order.
    Tables start at `## …表` lines; lines are split at \n only (a control character inside a cell stays there)."""
    items, current = [], None
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if "\t" not in line and stripped.startswith("## ") and stripped.endswith("表"):
            current = ["table", stripped[3:].strip(), [], []]
            items.append(current)
        elif "\t" not in line and stripped.startswith("#"):
            current = ["text", [stripped.lstrip("# ")]]
            items.append(current)
        elif current is not None and current[0] == "table":
            if "\t" in line:
                current[3].append(line.split("\t"))
            elif stripped:
                current[2].append(stripped)  # 部门, 公开NN表 单位, notes after the rows
        elif stripped:
            if current is None:
                current = ["text", []]
                items.append(current)
            current[1].append(stripped)
    return items


_AMOUNT_OR_CODE = re.compile(r"-?[\d,]+\.\d+\S*|\d{3,7}")


def _is_data_row(cells: list[str]) -> bool:
    """A row with an amount or a code, or a 合计/总计 row with no other label (t09's 合计 column label is header)."""
    filled = [c.strip() for c in cells if c.strip()]
    if any(_AMOUNT_OR_CODE.fullmatch(c) for c in filled):
        return True
    return bool(filled) and filled[0] in ("合计", "总计") and len(filled) == 1


LONG_TEXT = 1000  # cells longer than this are printed in a tiny font inside their box (a 200,000-character cell)


@contextmanager
def _long_cells_in_tiny_print():
    """Typeset cells of more than LONG_TEXT characters as many lines of 0.5 pt text inside the cell box."""
    import tools.typeset as ts

    original_wrap, original_cell = ts.wrap, ts.Typesetter._cell_text

    def wrap(text, width, size):
        return [text] if len(text) > LONG_TEXT else original_wrap(text, width, size)

    def cell_text(self, text, x0, x1, y0, y1, size, centered, numeric=False):
        if len(text) <= LONG_TEXT:
            return original_cell(self, text, x0, x1, y0, y1, size, centered, numeric)
        tiny = 0.5
        per_line = max(1, int((x1 - x0 - 4) / tiny))
        lines = [text[i : i + per_line] for i in range(0, len(text), per_line)]
        step = max(0.01, (y0 - y1 - 2) / max(1, len(lines)))
        self.canvas.setFont(ts.FONT, tiny)
        for k, piece in enumerate(lines):
            self.canvas.drawString(x0 + 2, y0 - 1 - tiny - k * step, piece)

    ts.wrap, ts.Typesetter._cell_text = wrap, cell_text
    try:
        yield
    finally:
        ts.wrap, ts.Typesetter._cell_text = original_wrap, original_cell


def export_to_pdf(text: str, path: Path) -> Path:
    """Typeset a text export (tables under `## …表` titles, narrative paragraphs) as a ruled PDF with tools/typeset.py."""
    from reportlab.pdfbase import pdfmetrics

    from tools.typeset import FONT, HeaderCell, Paragraphs, TableSpec, typeset

    specs = []
    for item in _split_export(text):
        if item[0] == "text":
            if item[1]:
                specs.append(Paragraphs(item[1]))
            continue
        _, title, meta, rows = item
        width = max(len(r) for r in rows) if rows else 2
        rows = [r + [""] * (width - len(r)) for r in rows]
        first_data = next((i for i, r in enumerate(rows) if _is_data_row(r)), len(rows))
        header_rows = [[HeaderCell(c) for c in r] for r in rows[:first_data]] or [[HeaderCell("项目")] + [HeaderCell("")] * (width - 1)]
        widths = []
        for c in range(width):
            longest = max([pdfmetrics.stringWidth(r[c][:LONG_TEXT], FONT, 8) for r in rows] + [20])
            widths.append(min(max(longest + 8, 34), 170))
        wide = sum(widths) > 515
        scale = min(1.0, (760 if wide else 515) / sum(widths))
        widths = [w * scale for w in widths]
        left = next((m for m in meta if m.startswith("部门")), "")
        right = " ".join(m for m in meta if m != left and ("公开" in m or "单位" in m))
        notes = [m for m in meta if m != left and not ("公开" in m or "单位" in m)]
        specs.append(TableSpec(title, header_rows, rows[first_data:], widths, left, right, notes=notes, landscape=wide))
    with _long_cells_in_tiny_print():
        return typeset(Path(path), specs)


# ================================================================ text-export variants of the synthetic document

def _edit_table(text: str, tid_title: str, edit) -> str:
    """Apply `edit(rows: list[str]) -> list[str]` to the tab rows of the table whose `## ` title contains tid_title."""
    lines = text.split("\n")
    out, inside, rows = [], False, []
    for line in lines + [""]:
        if line.startswith("#"):
            if inside:
                out.extend(edit(rows))
                rows = []
            inside = tid_title in line and line.startswith("## ")
            out.append(line)
            continue
        if inside and "\t" in line:
            rows.append(line)
            continue
        if inside and rows:
            out.extend(edit(rows))
            rows, inside = [], False
        out.append(line)
    return "\n".join(out[:-1])


T05_TITLE = "一般公共预算财政拨款支出决算表"


def _rename_row(text: str, table_title: str, old: str, new: str) -> str:
    edited = _edit_table(text, table_title, lambda rows: [r.replace(f"\t{old}\t", f"\t{new}\t", 1) for r in rows])
    if edited == text:
        raise ValueError(f"hostile: no row {old!r} in {table_title}")
    return edited


def _write_pair(folder: Path, stem: str, text: str, pdf: bool) -> list[Path]:
    md = folder / f"{stem}.md"
    md.write_text(text, encoding="utf-8")
    paths = [md]
    if pdf:
        paths.append(export_to_pdf(text, folder / f"{stem}.pdf"))
    return paths


def long_cells(folder: Path, length: int = 200_000, pdf: bool = True) -> list[Path]:
    """Class 4: a cell of `length` characters, in a text export (tab row) and in a PDF table cell:
    a 行政运行 name of Chinese text, an amount of digits, an amount of spaces between digits
    (`123` + spaces, backtracking bait), an amount padded with 3,000 spaces (short, still backtracking bait),
    repeated ordinal prefixes (`一、一、…`), a department line, a narrative line without a full stop, and 16,000 short
    narrative lines without one (no long line at all)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    base = build()
    variants = {
        "name": _rename_row(base, T05_TITLE, NAMES["2010601"], "行政运行" + "测" * (length - 4)),
        "amount_digits": _edit_table(base, T05_TITLE, lambda rows: [r.replace("\t15.00\t", "\t" + "1" * (length - 3) + ".00\t", 1) if r.startswith("2210201") else r for r in rows]),
        "amount_spaces": _edit_table(base, T05_TITLE, lambda rows: [r.replace("\t15.00\t", "\t123" + " " * (length - 4) + "x\t", 1) if r.startswith("2210201") else r for r in rows]),
        # far below any cell-length limit: 3,000 spaces around an amount (fixed-width exports pad cells like this)
        "padded_amount": _edit_table(base, T05_TITLE, lambda rows: [r.replace("\t15.00\t", "\t15.00" + " " * 3000 + "\t", 1) if r.startswith("2210201") else r for r in rows]),
        "ordinal_prefixes": _rename_row(base, T05_TITLE, NAMES["2010601"], "一、" * (length // 2)),
        "department": _sub(base, f"部门:{DEPARTMENT}", "部门:" + "某" * length + " " * 1000 + "局", 1),
        "narrative_no_stop": base + "\n" + "财政拨款支出说明" * (length // 8) + "\n",
        # the same without any long line: 16,000 short narrative lines and no full stop (one paragraph being joined)
        "narrative_many_lines": base + "\n" + "本单位财政拨款支出主要用于保障机构正常运转和完成日常工作任务的各项支出\n" * 16_000,
    }
    paths = []
    for name, text in variants.items():
        paths += _write_pair(folder, f"long_{name}", text, pdf and name in ("name", "amount_digits", "narrative_no_stop"))
    return paths


FORMULAS = ['=HYPERLINK("http://example.com","点击")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)", "\t=1+1", "\r=1+1"]


def formula_names(folder: Path, pdf: bool = True) -> list[Path]:
    """Class 5: row names and the department name starting with =, +, -, @, tab, CR (formula injection into CSV and
    Excel), in a text export and a PDF; the narrative quotes one too. Also markup_text.md: a department and a row
    name carrying console markup (`[/b]`, `[/red]`), which a terminal renderer must print, not interpret."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    text = build()
    rows = {"2010601": FORMULAS[0], "2210201": FORMULAS[3], "22102": FORMULAS[1], "20106": FORMULAS[2]}
    for code, formula in rows.items():
        text = _edit_table(text, T05_TITLE, lambda rs, c=code, f=formula: [f"{c}\t{f}\t" + r.split("\t", 2)[2] if r.startswith(c + "\t") else r for r in rs])
        text = _edit_table(text, "支出决算表", lambda rs, c=code, f=formula: [f"{c}\t{f}\t" + r.split("\t", 2)[2] if r.startswith(c + "\t") else r for r in rs])
    text = _sub(text, f"部门:{DEPARTMENT}", "部门:" + FORMULAS[0], 1)
    missing = [f for f in rows.values() if f"\t{f}\t" not in text]
    if missing:
        raise ValueError(f"hostile: rows not renamed to {missing}")
    text += '\n=HYPERLINK("http://example.com","点击")说明文字,本年度无其他事项。\n\n@SUM(1,1)\n'
    paths = _write_pair(folder, "formula_text", text, False)
    # console markup in document text: a department `…[/b]` and a row name `…[/red]…` (rich reads `[/x]` as a tag)
    markup = _rename_row(_sub(build(), f"部门:{DEPARTMENT}", f"部门:{DEPARTMENT}[/b]", 1), T05_TITLE, "行政运行", "行政[/red]运行")
    paths += _write_pair(folder, "markup_text", markup, False)
    # tab and CR cannot start a cell of a tab-separated text export (they separate cells and lines): PDF only
    if pdf:
        paths.append(export_to_pdf(text, folder / "formula_pdf.pdf"))
        paths.append(_pdf_with_names(folder / "formula_tab_cr.pdf", {"2010601": "\t=1+1", "2210201": "\r=1+1"}))
    return paths


def _pdf_with_names(path: Path, names: dict[str, str]) -> Path:
    """The synthetic document as a PDF whose t05 rows `code` are named `names[code]` exactly (tabs, CR, controls
    drawn as characters of the text layer)."""
    text = build()
    marks = {code: f"NAME{code}" for code in names}
    for code, mark in marks.items():
        text = _edit_table(text, T05_TITLE, lambda rs, c=code, m=mark: [f"{c}\t{m}\t" + r.split("\t", 2)[2] if r.startswith(c + "\t") else r for r in rs])
    import tools.typeset as ts

    original = ts.Typesetter._cell_text

    def cell_text(self, text, x0, x1, y0, y1, size, centered, numeric=False):
        for code, mark in marks.items():
            if text == mark:
                self.canvas.setFont(ts.FONT, size)
                t = self.canvas.beginText(x0 + 2, (y0 + y1) / 2 - size / 2)
                t.setFont(ts.FONT, size)
                t.textOut(names[code] + NAMES[code])
                self.canvas.drawText(t)
                return None
        return original(self, text, x0, x1, y0, y1, size, centered, numeric)

    ts.Typesetter._cell_text = cell_text
    try:
        return export_to_pdf(text, path)
    finally:
        ts.Typesetter._cell_text = original


CONTROLS = {"bel": "\x07", "nul": "\x00", "esc": "\x1b", "cr": "\r", "vt": "\x0b", "ff": "\x0c", "fs": "\x1c", "gs": "\x1d",
            "rs": "\x1e", "del": "\x7f", "nel": "\x85", "zwsp": "\u200b", "zwj": "\u200d", "rlo": "\u202e", "lsep": "\u2028",
            "psep": "\u2029", "bom": "\ufeff"}
# str.splitlines() breaks lines at CR, VT, FF, FS, GS, RS, NEL, U+2028 and U+2029 too: inside a tab row they split it


def control_char_names(folder: Path, pdf: bool = True) -> list[Path]:
    """Class 6: a control character inside a row name and inside the narrative, one file per character
    (see CONTROLS); plus one file with all of them but NUL (a NUL makes the file binary), a title with a zero-width
    space and a department with a bidi override, and a PDF whose names carry them."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    base = build()
    for key, ch in CONTROLS.items():
        text = _rename_row(base, T05_TITLE, "行政运行", f"行政{ch}运行")
        text = _sub(_sub(text, "人员经费45.00万元", f"人员经费{ch}45.00万元"), "主要包括:基本工资", f"主要包括:基本{ch}工资")
        path = folder / f"control_{key}.md"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    everything = _rename_row(base, T05_TITLE, "住房公积金", "住房" + "".join(v for k, v in CONTROLS.items() if k != "nul") + "公积金")
    everything = _sub(everything, "## 2024年度一般公共预算财政拨款支出决算表", "## 2024年度一般公共预算\u200b财政拨款支出决算表")
    everything = _sub(everything, f"部门:{DEPARTMENT}", f"部门:{DEPARTMENT[:2]}\u202e{DEPARTMENT[2:]}\x07", 1)
    path = folder / "control_all.md"
    path.write_text(everything, encoding="utf-8")
    paths.append(path)
    # only the t05 title carries a zero-width space: t05 must still be found (not read as 支出决算表 = t03)
    title = _sub(base, "## 2024年度一般公共预算财政拨款支出决算表", "## 2024年度一般公共预算\u200b财政拨款支出决算表")
    path = folder / "control_title_zwsp.md"
    path.write_text(title, encoding="utf-8")
    paths.append(path)
    if pdf:
        paths.append(_pdf_with_names(folder / "control_names.pdf", {"2010601": "\x07\u200b\u202e", "2210201": "\x1b[31m"}))
    return paths


FOOTNOTES = {"sup1": "¹", "sup2": "²", "circled": "①", "star": "*", "zhu": "注1", "dagger": "†", "paren": "(1)"}


def footnote_amounts(folder: Path, pdf: bool = True) -> list[Path]:
    """Class 7: footnote markers glued to amounts (`95.00¹`, `80.00²`, `45.00①`, `*`, `注1`, `†`, `(1)`) in
    table cells and in the narrative. NFKC turns ¹ and ① into the digit 1: `364.05¹` must not become 364.051."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    base = build()
    for key, mark in FOOTNOTES.items():
        text = _edit_table(base, T05_TITLE, lambda rows, m=mark: [r.replace("\t95.00\t", f"\t95.00{m}\t").replace("\t80.00\t", f"\t80.00{m}\t", 1)
                                                                   if r.startswith(("\t合计", "2010601")) else r for r in rows])
        text = _sub(text, "均为135.00万元", f"均为135.00{mark}万元", 1)
        if f"95.00{mark}" not in text:
            raise ValueError("hostile: t05 合计 row not found")
        text += f"\n注{mark}：本表数据经审计。\n"
        paths += _write_pair(folder, f"footnote_{key}", text, pdf and key in ("sup1", "circled"))
    if pdf:  # what PDFs really print: the digit 1 in a smaller font on a raised baseline, right after the amount
        text = _edit_table(base, T05_TITLE, lambda rows: [r.replace("\t95.00\t", "\t95.00^1\t").replace("\t80.00\t", "\t80.00^2\t", 1)
                                                          if r.startswith(("\t合计", "2010601")) else r for r in rows])
        paths.append(_pdf_with_raised_marks(_sub(text, "均为135.00万元", "均为135.00^1万元", 1), folder / "footnote_raised.pdf"))
    return paths


def _pdf_with_raised_marks(text: str, path: Path) -> Path:
    """Typeset `text`, printing `^N` as the digit N at 60% size raised by half the font size (a superscript drawn
    with an ordinary digit glyph: the text layer says `95.001`, only the geometry tells the marker apart)."""
    import tools.typeset as ts

    original_cell, original_text = ts.Typesetter._cell_text, ts.Typesetter.text

    def draw(canvas, s, x, y, size):
        head, _, mark = s.partition("^")
        digits = mark[:1]
        canvas.setFont(ts.FONT, size)
        canvas.drawString(x, y, head)
        x += ts.pdfmetrics.stringWidth(head, ts.FONT, size)
        canvas.setFont(ts.FONT, size * 0.6)
        canvas.drawString(x, y + size * 0.5, digits)
        x += ts.pdfmetrics.stringWidth(digits, ts.FONT, size * 0.6)
        canvas.setFont(ts.FONT, size)
        canvas.drawString(x, y, mark[1:])

    def cell_text(self, text, x0, x1, y0, y1, size, centered, numeric=False):
        if "^" not in text:
            return original_cell(self, text, x0, x1, y0, y1, size, centered, numeric)
        draw(self.canvas, text, x0 + 2, (y0 + y1) / 2 - size / 2, size)

    def plain_text(self, s, size=11, x=None, centered=False):
        if "^" not in s:
            return original_text(self, s, size, x, centered)
        draw(self.canvas, s, self.margin if x is None else x, self.y - size, size)
        self.y -= size * 1.6

    ts.Typesetter._cell_text, ts.Typesetter.text = cell_text, plain_text
    try:
        return export_to_pdf(text, path)
    finally:
        ts.Typesetter._cell_text, ts.Typesetter.text = original_cell, original_text


# ================================================================ file names

def hostile_file_names(folder: Path) -> list[Path]:
    """Class 8: input folders to pass to `juesuan extract` (all documents valid text exports):
    - names/: a 249-byte name, two names equal in their first 120 characters, `a b.md` + `a_b.md`, `x.md` + `x.pdf`,
      a name with a newline and control bytes, a name that is not UTF-8, `.hidden/` and `.dot.md`, a symlink to a
      document outside the folder and one to a folder outside, a name that looks like our staging names;
    - facts.csv/ (an input folder named like a batch output), .dotted-dept/ (a folder name starting with a dot).
    Returns [names, facts.csv, .dotted-dept]."""
    folder = Path(folder)
    text = build()
    names = folder / "names"
    outside = folder / "outside"
    for d in (names, outside, names / ".hidden"):
        d.mkdir(parents=True, exist_ok=True)
    cjk = "某某局年度部门决算公开" * 10
    files = [
        cjk[:82] + ".md",  # 249 bytes (82 three-byte characters + .md)
        cjk[:84] + ".md",  # 255 bytes: NAME_MAX; `<doc-id>.xlsx` of the whole stem would not fit
        "d" * 120 + "1.md", "d" * 120 + "2.md",  # equal in their first 120 characters (the old doc-id cut)
        "甲" * 80 + "一.md", "甲" * 80 + "二.md",  # equal in their first 240 bytes
        "a b.md", "a_b.md",
        "x.md",
        "new\nline\x07bell\x1b[31m.md",
        ".dot.md",
        ".juesuan-tmp-1-deadbeef.md",
        "CON.md", "-rf.md", "..md",
    ]
    for name in files:
        (names / name).write_text(text, encoding="utf-8")
    os.makedirs(os.fsencode(names), exist_ok=True)
    with open(os.path.join(os.fsencode(names), b"gbk-\xc4\xe3\xba\xc3.md"), "w", encoding="utf-8") as f:  # 你好 in GBK: not UTF-8
        f.write(text)
    export_to_pdf(text, names / "x.pdf")
    (names / ".hidden" / "inside_hidden.md").write_text(text, encoding="utf-8")
    (outside / "secret.md").write_text(text, encoding="utf-8")
    for link, target in (("outside_link.md", "../outside/secret.md"), ("outside_dir", "../outside")):
        if not (names / link).is_symlink():
            (names / link).symlink_to(target)
    facts = folder / "facts.csv"
    dotted = folder / ".dotted-dept"
    for d in (facts, dotted):
        d.mkdir(parents=True, exist_ok=True)
        (d / "doc.md").write_text(text, encoding="utf-8")
    return [names, facts, dotted]


# ================================================================ long tables

def _hierarchy(n_items: int, seed: int, lei_start: int = 201, items_per_kuan: int = 20, kuan_per_lei: int = 50):
    """Codes and amounts of a consistent 类/款/项 tree with `n_items` 项 rows: [(code, name, [小计, 基本, 项目])]
    in table order (each 类 then its 款 then their 项), the 合计 row first. Codes are well-formed function codes
    (类 201…, up to 1,000 项 a 类: 50,000 项 stay below 300); names are the synthetic document's for its codes and
    `测试项<code>` otherwise (no dependence on the project's reference data, so the output never changes)."""
    rnd = random.Random(seed)
    known = dict(NAMES)
    tree = []
    lei, kuan, item = lei_start, 1, 1
    leaves = []
    while len(leaves) < n_items:
        basic = Decimal(rnd.randint(0, 99999)) / 100
        project = Decimal(rnd.randint(0, 99999)) / 100 if rnd.random() < 0.7 else Decimal(0)
        leaves.append((f"{lei:03d}{kuan:02d}{item:02d}", basic, project))
        item += 1
        if item > items_per_kuan:
            item, kuan = 1, kuan + 1
            if kuan > kuan_per_lei:
                kuan, lei = 1, lei + 1
    by_lei: dict[str, dict[str, list]] = {}
    for code, basic, project in leaves:
        by_lei.setdefault(code[:3], {}).setdefault(code[:5], []).append((code, basic, project))

    def amounts(basic, project):
        return [basic + project, basic, project]

    total = [Decimal(0)] * 3
    for lcode, kuans in by_lei.items():
        lsum = [Decimal(0)] * 3
        block = []
        for kcode, items in kuans.items():
            ksum = [Decimal(0)] * 3
            kblock = []
            for code, basic, project in items:
                a = amounts(basic, project)
                ksum = [x + y for x, y in zip(ksum, a)]
                kblock.append((code, known.get(code, f"测试项{code}"), a))
            lsum = [x + y for x, y in zip(lsum, ksum)]
            block += [(kcode, known.get(kcode, f"测试款{kcode}"), ksum)] + kblock
        total = [x + y for x, y in zip(total, lsum)]
        tree += [(lcode, known.get(lcode, f"测试类{lcode}"), lsum)] + block
    return [("", "合计", total)] + tree


def _fmt(value: Decimal) -> str:
    return "" if value == 0 else f"{value:.2f}"


def _break_cells(rows: list, broken: int, seed: int) -> list:
    """Misread one digit of 基本支出 in `broken` 项 rows spread over the table (repair must put them back)."""
    rnd = random.Random(seed + 1)
    leaves = [i for i, (code, _, a) in enumerate(rows) if len(code) == 7 and a[1] >= 10]
    chosen = sorted(rnd.sample(leaves, min(broken, len(leaves))))
    out = list(rows)
    for i in chosen:
        code, name, a = out[i]
        printed = f"{a[1]:.2f}"
        position = next(k for k, ch in enumerate(printed) if ch.isdigit())
        digit = int(printed[position])
        misread = (digit + 3) % 10 or (digit + 5) % 10  # never the same digit, never a leading zero
        wrong = printed[:position] + str(misread) + printed[position + 1 :]
        out[i] = (code, name, [a[0], Decimal(wrong), a[2]], printed)
    return out


def long_t05_pdf(path: Path, pages: int = 50, broken: int = 0, seed: int = 9) -> Path:
    """Class 9: one ruled 一般公共预算财政拨款支出决算表 over about `pages` A4 pages (~46 rows a page: 2,300 rows for
    50 pages, 6,900 for 150), codes in 类|款|项 columns, the header repeated on every page, every sum consistent;
    `broken` 项 cells have a digit misread so that the repair stage runs."""
    from tools.typeset import HeaderCell as H
    from tools.typeset import TableSpec, typeset

    n_items = int(pages * 46 * 20 / 21.02)  # ~46 rows a page; 20 项 a 款, 50 款 a 类: 21.02 rows for every 20 项
    rows = _hierarchy(n_items, seed)
    if broken:
        rows = _break_cells(rows, broken, seed)
    body = []
    for r in rows:
        code, name, a = r[0], r[1], r[2]
        cells = [code[:3], code[3:5], code[5:7]] if code else ["", "", ""]
        body.append(cells + [name] + [_fmt(v) for v in a])
    header = [[H("项 目", 4), H("本年支出", 3)],
              [H("类"), H("款"), H("项"), H("科目名称"), H("小计"), H("基本支出"), H("项目支出")]]
    spec = TableSpec("一般公共预算财政拨款支出决算表", header, body, [30, 24, 24, 190, 80, 80, 80], f"部门：{DEPARTMENT}", "公开05表  单位：万元",
                     repeat_header=True)
    return typeset(Path(path), [spec])


def big_text_export(path: Path, rows: int = 50_000, tables: tuple[str, ...] = ("t03", "t05"), seed: int = 10, narrative_lines: int = 2000,
                    broken: int = 0) -> Path:
    """Class 10: a text export of ~5 MB: t03 and t05 of `rows` 项 rows each (plus their 款 and 类), consistent,
    and `narrative_lines` lines of 说明; `broken` 项 cells of t05 with a digit misread (text exports are what the
    repair stage repairs: a PDF's text layer is taken as printed)."""
    tree = _hierarchy(rows, seed)
    broken_tree = _break_cells(tree, broken, seed) if broken else tree
    titles = {"t03": ("支出决算表", ["科目编码", "科目名称", "本年支出合计", "基本支出", "项目支出"]),
              "t05": ("一般公共预算财政拨款支出决算表", ["科目编码", "科目名称", "小计", "基本支出", "项目支出"])}
    out = [f"# {DEPARTMENT}2024年度部门决算", ""]
    for tid in tables:
        title, header = titles[tid]
        out += [f"## 2024年度{title}", "", f"部门:{DEPARTMENT}", "", f"公开 {tid[1:]} 表 单位:万元", "", "\t".join(header)]
        for row in broken_tree if tid == "t05" else tree:
            code, name, a = row[:3]
            out.append(f"{code}\t{name}\t" + "\t".join(_fmt(v) for v in a))
        out.append("")
    out += ["# 第三部分 情况说明", ""]
    for i in range(narrative_lines):
        out += [f"{i + 1}. 测试项{i:05d}支出主要用于日常运转，年初预算为{i}.00万元，支出决算为{i}.00万元，完成年初预算的100.00%。", ""]
    path = Path(path)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


# ================================================================ mutants

def mutants(path: Path, n: int, seed: int, folder: Path | None = None) -> Iterator[Path]:
    """Class 11: `n` deterministic byte-level mutants of the file at `path`, written to `folder`
    (default: <path's folder>/mutants-<stem>/): bit flips, byte deletions, insertions, duplications,
    truncations, and edits of the numbers PDF structure depends on (/Length, xref offsets, object numbers)."""
    data = Path(path).read_bytes()
    folder = Path(folder) if folder is not None else Path(path).parent / f"mutants-{Path(path).stem}"
    folder.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(seed)
    kinds = ("flip", "delete", "insert", "duplicate", "truncate", "number", "zero", "multi")

    def mutate(b: bytearray, kind: str) -> bytearray:
        size = max(1, len(b))
        p = rnd.randrange(size)
        if kind == "flip":
            for _ in range(rnd.randint(1, 8)):
                q = rnd.randrange(size)
                if q < len(b):
                    b[q] ^= 1 << rnd.randrange(8)
        elif kind == "delete":
            del b[p : p + rnd.choice((1, 2, 7, 64, 1024))]
        elif kind == "insert":
            b[p:p] = bytes(rnd.randrange(256) for _ in range(rnd.choice((1, 3, 16, 256))))
        elif kind == "duplicate":
            q = min(len(b), p + rnd.choice((16, 512, 4096)))
            b[q:q] = b[p:q]
        elif kind == "truncate":
            del b[p:]
        elif kind == "number":  # a number the structure depends on: /Length, xref offsets, object and page numbers
            spans = [m.span() for m in re.finditer(rb"\d+", b)]
            if spans:
                s, e = rnd.choice(spans)
                choice = rnd.choice((0, 1, -1, 2**31, 2**63, 10**12, int(b[s:e]) + rnd.choice((-1, 1, 1000))))
                b[s:e] = str(choice).encode()
        elif kind == "zero":
            n = len(b[p : p + rnd.choice((64, 4096))])
            b[p : p + n] = bytes(n)
        return b

    for i in range(n):
        kind = kinds[i % len(kinds)]
        b = bytearray(data)
        if kind == "multi":
            for _ in range(rnd.randint(2, 5)):
                b = mutate(b, rnd.choice(kinds[:-1]))
        else:
            b = mutate(b, kind)
        target = folder / f"{Path(path).stem}-m{i:04d}-{kind}.pdf"
        target.write_bytes(bytes(b))
        yield target


# ================================================================ t01 without its balances and totals

def t01_without_totals(path: Path, pdf: bool = True, narrative: bool = True) -> Path:
    """Class 12: the synthetic document whose t01 lacks 年初结转和结余, 年末结转和结余 and both 总计 rows
    (the checks needing them have nothing to check and must say so). A PDF by default, else a text export;
    narrative=False also drops the 说明's `收、支总计均为…` sentence, the only other place the totals appear."""
    text = build()
    if not narrative:
        text = "\n".join(line for line in text.split("\n") if "收、支总计均为" not in line or "财政拨款" in line)

    def drop(rows):
        return [r for r in rows if not r.startswith(("年初结转和结余", "总计\t"))]

    text = _drop_t01(text, drop)
    path = Path(path)
    if pdf:
        return export_to_pdf(text, path)
    path.write_text(text, encoding="utf-8")
    return path


def _drop_t01(text: str, drop) -> str:
    """t01's title is a suffix of t04's: edit only the table titled exactly 收入支出决算总表."""
    lines = text.split("\n")
    start = next(i for i, l in enumerate(lines) if l.startswith("## ") and l.endswith("年度收入支出决算总表"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("#"))
    rows = [l for l in lines[start:end] if "\t" in l]
    kept = drop(rows)
    return "\n".join(lines[:start] + [l for l in lines[start:end] if "\t" not in l or l in kept] + lines[end:])
