"""pdfplumber's `page.chars` from pdfium's text page.

pdfminer boxes a character from its origin, its advance width (the font's /W or /Widths) and the
font's /Descent: bottom at origin + descent × size, height one font size. pdfium's "loose" box
uses the font's ascent and descent instead and is widened to the glyph's outline, so the box is
rebuilt here the pdfminer way from pdfium's origin, the advance width pdfium reads from the font,
and the descent.

pdfium's text page is not the content stream: it drops a text object repeating the one before it
(the same string printed twice for bold), drops a space following another space, and splits a
glyph standing for several characters. Repeated objects are restored from the characters of the
one they repeat, a whitespace-only object pdfium dropped becomes one space (all pdfplumber does
with whitespace is separate words), and split glyphs are joined again. What cannot be rebuilt
exactly raises `Unsupported` with the reason, and the page falls back to pdfplumber.
"""
from __future__ import annotations

import ctypes
import unicodedata
from bisect import bisect_left, bisect_right
from functools import lru_cache

import pypdfium2.raw as pdfium_c
from pdfminer.cmapdb import CMapDB
from pdfminer.fontmetrics import FONT_METRICS

from extract import pdfium_calls as calls
from extract.pdfium_geometry import Matrix, PageGeometry, apply_to_rect, decimal_float, multiply, object_matrix

DUPLICATE_LOOKBACK = 5  # pdfium compares a text object with the five text objects before it
WIDTH_EPSILON = 2e-3  # points: pdfium's 32-bit box edges against widths computed here
SPACE_GAP = 0.5  # points after a space before the next character: room for a space pdfium may have dropped
NO_OUTLINE_HEIGHT = 0.01  # of the font size: pdfium's stand-in box for a glyph it has no outline of is 0.001
BLANK_HEIGHT = 0.01  # points: the height of a text object's bounds when none of its glyphs has an outline
_STROKED_MODES = {pdfium_c.FPDF_TEXTRENDERMODE_STROKE, pdfium_c.FPDF_TEXTRENDERMODE_FILL_STROKE,
                  pdfium_c.FPDF_TEXTRENDERMODE_STROKE_CLIP, pdfium_c.FPDF_TEXTRENDERMODE_FILL_STROKE_CLIP}
_GENERATED = frozenset(" \r\n")  # the only characters pdfium's text page generates (CPDF_TextPage::GenerateCharInfo)
_PLACEHOLDERS = {"\x00", "\x02", "\ufffe"}  # what pdfium's text holds for a line-end hyphen or a glyph without Unicode
# Fonts every PDF reader is expected to have (Acrobat's Asian font packs; iText and reportlab write them
# unembedded), and the Adobe character collection each covers.
PREDEFINED_CJK_FONTS = {
    "STSong-Light": "Adobe-GB1", "STSongStd-Light": "Adobe-GB1", "STHeiti-Regular": "Adobe-GB1", "AdobeSongStd-Light": "Adobe-GB1",
    "MSung-Light": "Adobe-CNS1", "MSungStd-Light": "Adobe-CNS1", "MHei-Medium": "Adobe-CNS1",
    "HeiseiMin-W3": "Adobe-Japan1", "HeiseiKakuGo-W5": "Adobe-Japan1", "KozMinPro-Regular": "Adobe-Japan1",
    "HYSMyeongJo-Medium": "Adobe-Korea1", "HYGoThic-Medium": "Adobe-Korea1", "HYSMyeongJoStd-Medium": "Adobe-Korea1",
}
LIGATURES = {unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0xFB00, 0xFB07)}  # "fi" -> "ﬁ"


class Unsupported(Exception):
    """The page holds text pdfium cannot give the way pdfminer does; the message says why."""


class _Font:
    """What pdfminer takes from a font: its name, /Descent and advance widths."""

    def __init__(self, handle: int):
        if _is_type3(handle):
            # pdfminer boxes Type3 glyphs from the font's /FontBBox and /FontMatrix; pdfium does not.
            raise Unsupported("Type3 font (glyphs drawn by content procedures)")
        self.handle = handle
        base_font = _base_font_name(handle)
        # pdfminer takes the 14 standard fonts (and aliases: Arial, TimesNewRoman, CourierNew...) from its own
        # AFM metrics: their name, descent and widths, whatever the PDF says.
        self.afm = FONT_METRICS.get(base_font)
        self.name = self.afm[0]["FontName"] if self.afm else base_font
        self.descent = _descent(handle, self.afm)
        self._widths: dict[str, float] = {}
        if _glyph_width(handle, "\u4e00") < 0:  # pdfium gives a vertical font's vertical advance, negative
            raise Unsupported("vertical writing (pdfminer boxes it otherwise)")
        self.embedded = bool(calls.FPDFFont_GetIsEmbedded(handle))
        self.collection = None if self.embedded else PREDEFINED_CJK_FONTS.get(self.name.split(",")[0])
        self.glyphs_shown: list[int] = []  # pdfium indices of visible characters in a font that is not embedded
        self._draws_all: bool | None = None

    def check_collection(self, text: str) -> None:
        """pdfminer decodes a predefined CJK font's codes through the font's CMap and silently drops a code
        the CMap does not hold; pdfium maps it all the same."""
        if self.collection is not None and not text.isspace() and text not in _collection_characters(self.collection):
            raise Unsupported(f"a character outside the character collection of {self.name} (pdfminer drops it)")

    def draws_all(self, page: int) -> bool:
        """Whether pdfium has an outline for every visible character it kept in this font: a font neither
        embedded nor installed leaves pdfium without the glyphs (its boxes are then one point high per
        thousand of the size, standing in for an outline)."""
        if self._draws_all is None:
            self._draws_all = not any(_without_outline(page, index) for index in self.glyphs_shown)
        return self._draws_all

    def width(self, text: str) -> float:
        """Advance width of the glyph showing `text`, per point of font size (pdfium finds the glyph by
        its Unicode value, then reads /W or /Widths)."""
        width = self._widths.get(text)
        if width is None:
            width = self._widths[text] = _glyph_width(self.handle, text)
            if self.afm and abs(self.afm[1].get(text, 0) / 1000 - width) > WIDTH_EPSILON:
                # pdfium places the characters by the PDF's widths, pdfminer by the AFM's
                raise Unsupported(f"{self.name} with widths other than its standard metrics (pdfminer uses those)")
        return width


class _Fonts:
    """Each pdfium font of a page, read once; and the styles (matrix, size, font) of its text objects."""

    def __init__(self):
        self._known: dict[int, _Font] = {}
        self._styles: dict[tuple, _Style] = {}

    def lookup(self, handle: int) -> _Font:
        if handle not in self._known:
            self._known[handle] = _Font(handle)
        return self._known[handle]

    def style(self, a: float, b: float, c: float, d: float, size: float, font: int) -> _Style:
        """A text object's style from its matrix (without the translation), font size and font. Most
        objects of a page share a few styles: each is converted and checked once."""
        key = (a, b, c, d, size, font)
        style = self._styles.get(key)
        if style is None:
            a, b, c, d = (decimal_float(v) for v in (a, b, c, d))
            if b != 0 or c != 0 or a <= 0 or d == 0:
                raise Unsupported("rotated, skewed or mirrored text")
            style = self._styles[key] = _Style((a, b, c, d), decimal_float(size), self.lookup(font))
        return style


class _Style:
    """What the characters of text objects with the same matrix, font size and font share."""

    def __init__(self, matrix: tuple[float, float, float, float], size: float, font: _Font):
        self.matrix, self.size, self.font = matrix, size, font
        d = matrix[3]
        self.bottom = font.descent * size  # pdfminer's box in text space: from descent, one size high
        self.low, self.high = sorted((d * self.bottom, d * (self.bottom + size)))  # the box's edges above the origin


class _TextObject:
    """One text object (its pdfium handle), its style and its characters."""

    __slots__ = ("handle", "style", "chars")

    def __init__(self, handle: int, style: _Style):
        self.handle, self.style, self.chars = handle, style, []


def read_chars(textpage: int, text_objects: list[tuple[int, Matrix]], geometry: PageGeometry, page_number: int) -> list[dict]:
    """Characters in content order as pdfplumber's `page.chars` has them. `textpage` is pdfium's text page;
    `text_objects` the page's text objects in content order (pdfium handle, matrix of the form XObject
    holding it)."""
    fonts = _Fonts()
    boxer = _CharBoxer(geometry, page_number)
    kept = _kept_objects(textpage, fonts, boxer)
    placed = _in_content_order(textpage, kept, text_objects, fonts, boxer)
    _check_dropped_spaces(placed, geometry)
    return [char for _, _, chars in placed for char in chars]


# ---------------------------------------------------------------- the characters pdfium kept


def _kept_objects(page: int, fonts: _Fonts, boxer: _CharBoxer) -> dict[int, _TextObject]:
    """pdfium's non-generated characters by text object, the pieces of a split glyph joined again."""
    count = calls.FPDFText_CountChars(page)
    text = _all_text(page, count)
    objects: dict[int, _TextObject] = {}
    origin_x, origin_y, loose, matrix = ctypes.c_double(), ctypes.c_double(), pdfium_c.FS_RECTF(), pdfium_c.FS_MATRIX()
    at_x, at_y, at_loose, at_matrix = (ctypes.addressof(v) for v in (origin_x, origin_y, loose, matrix))
    key, owner, last = None, None, None  # the current text object, and its last glyph (origin, loose box)
    for index in range(count):
        character = text[index]
        if character in _GENERATED and calls.FPDFText_IsGenerated(page, index):
            continue  # a space or line break pdfium inserted; pdfminer has no such character
        handle = calls.FPDFText_GetTextObject(page, index)
        if handle != key:
            key, owner, last = handle, objects.get(handle), None
            if owner is None:
                calls.FPDFText_GetMatrix(page, index, at_matrix)
                style = fonts.style(matrix.a, matrix.b, matrix.c, matrix.d, calls.FPDFText_GetFontSize(page, index),
                                    calls.FPDFTextObj_GetFont(handle))
                owner = objects[handle] = _TextObject(handle, style)
        if calls.FPDFText_HasUnicodeMapError(page, index):
            raise Unsupported("characters without a Unicode mapping (pdfminer reads them as (cid:N))")
        calls.FPDFText_GetCharOrigin(page, index, at_x, at_y)
        calls.FPDFText_GetLooseCharBox(page, index, at_loose)
        if character in _PLACEHOLDERS:
            character = _placeholder(page, index)
        left, bottom, right, top = loose.left, loose.bottom, loose.right, loose.top
        glyph = (origin_x.value, origin_y.value, left, bottom, right, top)
        if glyph == last:
            # pdfium gives each character of a glyph standing for several (a ligature) the glyph's position and box
            owner.chars[-1]["text"] = _joined(owner.chars[-1]["text"] + character)
            continue
        last = glyph
        font = owner.style.font
        if not font.embedded:
            font.check_collection(character)
            if not character.isspace():
                font.glyphs_shown.append(index)
        x, y = decimal_float(glyph[0]), decimal_float(glyph[1])
        style = owner.style
        owner.chars.append(boxer.char(character, x, y, _advance(page, style, character, x, left, bottom, right, top, index), style))
    return objects


def _placeholder(page: int, index: int) -> str:
    """pdfium's text holds a placeholder for a hyphen ending a line, and for a glyph with no Unicode value."""
    if calls.FPDFText_IsHyphen(page, index):
        return "-"
    raise Unsupported("characters without a Unicode mapping (pdfminer reads them as (cid:N))")


def _joined(text: str) -> str:
    """pdfium decomposes the ligature characters U+FB00..U+FB06 (ﬁ -> f, i); pdfminer keeps them."""
    return LIGATURES.get(text, text)


def _all_text(page: int, count: int) -> str:
    """All characters in one call; when pdfium's text does not match its characters one for one (a
    character outside the BMP, characters pdfium leaves out of its text) they are read one by one."""
    buffer = ctypes.create_string_buffer((count + 1) * 2)
    written = calls.FPDFText_GetText(page, 0, count, ctypes.addressof(buffer))  # characters, the terminator included
    text = buffer.raw[: count * 2].decode("utf-16-le", errors="surrogatepass")
    if written == count + 1 and not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    return "".join(chr(calls.FPDFText_GetUnicode(page, i)) for i in range(count))


def _advance(page: int, style: _Style, text: str, x: float, left: float, bottom: float, right: float, top: float, index: int) -> float:
    """The glyph's advance in text space (font size included, horizontal scaling not).

    The font's width for the glyph's Unicode value is checked against pdfium's loose box, whose right
    edge is the advance unless the glyph's outline reaches further; only the outline's own (tight)
    box tells which of the two it is."""
    a = style.matrix[0]
    from_font = style.font.width(text) * style.size
    if left == right and bottom == top:
        return from_font  # an empty glyph (a space): pdfium's loose box is just the origin
    from_box = (right - x) / a
    if abs(from_box - from_font) * a <= WIDTH_EPSILON:
        return from_font
    if _tight_right(page, index) < right - WIDTH_EPSILON:
        return from_box  # the Unicode value led pdfium to another glyph of the font; the box has this one's
    if from_box > from_font:
        return from_font  # the outline overhangs the advance
    raise Unsupported("a character whose advance width pdfium cannot tell")


def _tight_box(page: int, index: int) -> tuple[float, float, float, float]:
    """pdfium's box of the glyph's outline: left, right, bottom, top."""
    values = [ctypes.c_double() for _ in range(4)]
    calls.FPDFText_GetCharBox(page, index, *(ctypes.addressof(v) for v in values))
    return tuple(v.value for v in values)


def _tight_right(page: int, index: int) -> float:
    return _tight_box(page, index)[1]


def _without_outline(page: int, index: int) -> bool:
    _, _, bottom, top = _tight_box(page, index)
    return abs(top - bottom) < NO_OUTLINE_HEIGHT * calls.FPDFText_GetFontSize(page, index)


class _CharBoxer:
    """pdfplumber's dict of a character: pdfminer's box (origin, advance, descent, one font size high)
    taken through pdfminer's page matrix and pdfplumber's flip."""

    def __init__(self, geometry: PageGeometry, page_number: int):
        self.geometry = geometry
        self.page_number = page_number
        ma, mb, mc, md, self.shift_x, self.shift_y = geometry.miner_matrix
        self.unrotated = (ma, mb, mc, md) == (1.0, 0.0, 0.0, 1.0)
        self.height, self.mb_x0, self.mb_top = geometry.height, geometry.mediabox[0], geometry.mediabox[1]

    def char(self, text: str, x: float, y: float, width: float, style: _Style) -> dict:
        if self.unrotated:  # b = c = 0 and a > 0: pdfminer's apply_matrix_rect, term by term
            x0, x1 = x + self.shift_x, style.matrix[0] * width + x + self.shift_x
            y0, y1 = style.low + y + self.shift_y, style.high + y + self.shift_y
            upright = style.matrix[3] > 0
        else:
            char_matrix = (*style.matrix, x, y)
            user_box = apply_to_rect(char_matrix, 0.0, style.bottom, width, style.bottom + style.size)
            x0, y0, x1, y1 = apply_to_rect(self.geometry.miner_matrix, *user_box)
            pa, pb, pc, pd, _, _ = multiply(char_matrix, self.geometry.miner_matrix)
            upright = pa * pd > 0 and pb * pc <= 0
        top = (self.height - y1) + self.mb_top
        return {
            "object_type": "char", "page_number": self.page_number, "text": text, "fontname": style.font.name,
            "size": y1 - y0, "upright": upright,
            "x0": x0 + self.mb_x0, "x1": x1 + self.mb_x0, "y0": y0, "y1": y1, "width": x1 - x0, "height": y1 - y0,
            "top": top, "bottom": (self.height - y0) + self.mb_top, "doctop": top,
        }


# ---------------------------------------------------------------- text objects pdfium left out


def _in_content_order(page: int, kept: dict[int, _TextObject], text_objects: list, fonts: _Fonts,
                      boxer: _CharBoxer) -> list[tuple[int, Matrix, list[dict]]]:
    """Each text object (pdfium handle, holder matrix) with its characters, in content order (pdfium's
    text page orders the objects of a line by position)."""
    placed = []
    seen: list[tuple[int, _TextObject | None]] = []  # text objects met so far, with the record of their characters
    for handle, holder_matrix in text_objects:
        record = kept.get(handle)
        if record is not None:
            chars = record.chars
        elif (record := _duplicated(handle, seen[-DUPLICATE_LOOKBACK:])) is not None:
            chars = _shifted_copy(record, handle, holder_matrix, boxer.geometry)
        elif _is_blank(handle, fonts, page):
            chars = [_blank_char(handle, holder_matrix, fonts, boxer)]
        else:
            fonts.lookup(calls.FPDFTextObj_GetFont(handle))  # a Type3 or vertical font is the more telling reason
            raise Unsupported("text pdfium leaves out of its text page")
        placed.append((handle, holder_matrix, chars))
        seen.append((handle, record))
    return placed


def _duplicated(handle: int, before: list[tuple[int, _TextObject | None]]) -> _TextObject | None:
    """The kept text object pdfium found this one to repeat: same extent and font size, printed over it
    (pdfium allows an eighth of the font size up or down)."""
    left, bottom, right, top = _bounds(handle)
    size = _font_size(handle)
    for other, record in reversed(before):
        if record is None or not record.chars or _font_size(other) != size:
            continue
        o_left, o_bottom, o_right, o_top = _bounds(other)
        same_extent = abs((o_right - o_left) - (right - left)) < 0.01 and abs((o_top - o_bottom) - (top - bottom)) < 0.01
        overlapping = o_left < right and left < o_right and o_bottom - size / 8 <= top and bottom <= o_top + size / 8
        if same_extent and overlapping:
            return record
    return None


def _shifted_copy(record: _TextObject, handle: int, holder_matrix: Matrix, geometry: PageGeometry) -> list[dict]:
    """The record's characters moved by how far this copy's origin lies from the record's."""
    x, y = object_matrix(handle)[4:]
    x0, y0 = object_matrix(record.handle)[4:]
    a, b, c, d, _, _ = multiply(holder_matrix, geometry.miner_matrix)
    dx, dy = x - x0, y - y0
    shift_x, shift_y = a * dx + c * dy, b * dx + d * dy  # in pdfminer's page space
    copies = []
    for char in record.chars:
        copy = dict(char)
        for key in ("x0", "x1"):
            copy[key] = char[key] + shift_x
        for key in ("y0", "y1"):
            copy[key] = char[key] + shift_y
        for key in ("top", "bottom", "doctop"):
            copy[key] = char[key] - shift_y
        copies.append(copy)
    return copies


def _is_blank(handle: int, fonts: _Fonts, page: int) -> bool:
    """No glyph of the object has an outline: pdfium's bounds of whitespace have no height (but the
    stroke's width when the text is stroked, as bold is often faked). That tells whitespace only in a
    font pdfium can draw."""
    left, bottom, right, top = _bounds(handle)
    stroke = ctypes.c_float()
    if calls.FPDFTextObj_GetTextRenderMode(handle) in _STROKED_MODES:
        calls.FPDFPageObj_GetStrokeWidth(handle, ctypes.addressof(stroke))
    if top - bottom > stroke.value + BLANK_HEIGHT:
        return False
    font = fonts.lookup(calls.FPDFTextObj_GetFont(handle))
    if not font.embedded and not font.draws_all(page):
        raise Unsupported(f"characters pdfium leaves out, in {font.name}, a font neither embedded nor installed")
    return True


def _blank_char(handle: int, holder_matrix: Matrix, fonts: _Fonts, boxer: _CharBoxer) -> dict:
    """One space where the object starts: it separates words as pdfminer's spaces there do."""
    matrix = multiply(object_matrix(handle), holder_matrix)
    size = ctypes.c_float()
    calls.FPDFTextObj_GetFontSize(handle, ctypes.addressof(size))
    style = fonts.style(*matrix[:4], size.value, calls.FPDFTextObj_GetFont(handle))
    return boxer.char(" ", matrix[4], matrix[5], style.font.width(" ") * style.size, style)


def _check_dropped_spaces(placed: list[tuple[int, Matrix, list[dict]]], geometry: PageGeometry) -> None:
    """pdfium keeps one space of several in a row. All pdfplumber does with spaces is split words, and one
    space splits them as well as many, unless other text lies where the dropped spaces were: there a
    space between two of its characters splits a word that the missing spaces would not."""
    spaces = ((handle, holder_matrix, chars, i) for handle, holder_matrix, chars in placed
              for i, char in enumerate(chars) if char["text"].isspace())
    spans = [span for space in spaces if (span := _space_span(*space, geometry)) is not None]
    if not spans:
        return
    visible = sorted(((c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2)
                     for _, _, chars in placed for c in chars if not c["text"].isspace())
    centres = [x for x, _ in visible]
    for x0, x1, top, bottom in spans:
        for _, y in visible[bisect_right(centres, x0):bisect_left(centres, x1)]:
            if top <= y <= bottom:
                raise Unsupported("repeated spaces running under other text (pdfium keeps only the first)")


def _space_span(handle: int, holder_matrix: Matrix, chars: list[dict], i: int, geometry: PageGeometry) -> tuple[float, float, float, float] | None:
    """Where the object's space `chars[i]` may have been followed by spaces pdfium dropped: up to the next
    character of the object, or to where the object's bounds end (pdfium's bounds of a space are its origin)."""
    char = chars[i]
    end = chars[i + 1]["x0"] if i + 1 < len(chars) else _plumber_bounds(handle, holder_matrix, geometry)["x1"]
    return (char["x1"], end, char["top"], char["bottom"]) if end - char["x1"] > SPACE_GAP else None


def _plumber_bounds(handle: int, holder_matrix: Matrix, geometry: PageGeometry) -> dict:
    user_box = apply_to_rect(holder_matrix, *_bounds(handle))
    return geometry.plumber_box(*apply_to_rect(geometry.miner_matrix, *user_box))


# ---------------------------------------------------------------- pdfium calls on objects and fonts


def _bounds(handle: int) -> tuple[float, float, float, float]:
    values = [ctypes.c_float() for _ in range(4)]
    calls.FPDFPageObj_GetBounds(handle, *(ctypes.addressof(v) for v in values))
    return tuple(v.value for v in values)


def _font_size(handle: int) -> float:
    size = ctypes.c_float()
    calls.FPDFTextObj_GetFontSize(handle, ctypes.addressof(size))
    return decimal_float(size.value)


def _descent(font: int, afm) -> float:
    """The font's /Descent (or its AFM descent) per point of size, negative as pdfminer forces it."""
    if afm:
        return -abs(afm[0]["Descent"]) / 1000
    value = ctypes.c_float()
    calls.FPDFFont_GetDescent(font, 1000.0, ctypes.addressof(value))
    return -abs(decimal_float(value.value)) / 1000


@lru_cache(maxsize=None)
def _collection_characters(collection: str) -> frozenset[str]:
    return frozenset(CMapDB.get_unicode_map(collection).cid2unichr.values())


def _glyph_width(font: int, text: str) -> float:
    width = ctypes.c_float()
    calls.FPDFFont_GetGlyphWidth(font, ord(text[0]), 1000.0, ctypes.addressof(width))
    return decimal_float(width.value) / 1000


def _is_type3(font: int) -> bool:
    """pdfium counts a Type3 font as embedded, yet it has no font program to give."""
    if not calls.FPDFFont_GetIsEmbedded(font):
        return False
    size = ctypes.c_size_t()
    calls.FPDFFont_GetFontData(font, None, 0, ctypes.addressof(size))
    return size.value == 0


def _base_font_name(font: int) -> str:
    size = calls.FPDFFont_GetBaseFontName(font, None, 0)
    buffer = ctypes.create_string_buffer(size)
    calls.FPDFFont_GetBaseFontName(font, ctypes.addressof(buffer), size)
    return buffer.value.decode("utf-8", errors="replace")
