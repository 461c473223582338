"""pdfium as the page source of pdfplumber's table finder.

pdfplumber finds ruled tables and reads their cells from a page's characters and ruling edges,
which it gets by having pdfminer interpret the page's content in Python: most of a table page's
time. `read_page` builds the same characters, rects, lines and curves from pdfium (C, milliseconds a
page) into a `pdfplumber.page.Page`, so `find_tables()`, `table.extract()`, `crop()` and
`extract.lines.page_lines` run pdfplumber's own code on them and only the parsing changes.

Where pdfium cannot give what pdfminer would (rotated glyphs, Type3 fonts, characters without a
Unicode value, text pdfium leaves out, text in a form XObject invoked after other text...),
`read_page` returns the reason instead, and the caller reads that page with pdfplumber.
"""
from __future__ import annotations

from collections import Counter
from functools import lru_cache

import pypdfium2.raw as pdfium_c
from pdfplumber.page import Page

from extract import pdfium_calls as calls
from extract.pdfium_chars import Unsupported, read_chars
from extract.pdfium_geometry import IDENTITY, Matrix, PageGeometry, multiply, object_matrix, read_geometry
from extract.pdfium_paths import read_paths

_TEXT, _PATH, _FORM = pdfium_c.FPDF_PAGEOBJ_TEXT, pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM


class PdfiumPage(Page):
    """A pdfplumber page whose objects come from pdfium (made by `read_page`).

    Behaves as pdfplumber's `Page` for table finding and text: `.chars`, `.rects`, `.lines`,
    `.curves`, `.edges`, `.width`, `.height`, `.bbox`, `.mediabox`, `.rotation`, `.crop()`,
    `.find_tables()`, `.extract_tables()`, `.extract_text()`, `.extract_words()`, `.close()`.
    Not provided: images, annotations and hyperlinks, the structure tree, colours and dash patterns,
    `to_image()`. Each page stands alone: `doctop` equals `top`.
    """

    def __init__(self, document, index: int, geometry: PageGeometry, objects: dict[str, list[dict]]):
        self.pdf = None
        self.page_obj = None
        self.root_page = self
        self.page_number = index + 1
        self.initial_doctop = 0
        self.rotation = geometry.rotation
        self.mediabox, self.cropbox, self.bbox = geometry.mediabox, geometry.cropbox, geometry.mediabox
        self.get_textmap = lru_cache()(self._get_textmap)
        self._document = document
        self._objects = objects

    def parse_objects(self) -> dict[str, list[dict]]:
        """Read the page again after `close()` freed its objects."""
        _, objects, reason = _read(self._document, self.page_number - 1)
        if reason is not None:
            raise Unsupported(reason)
        return objects

    def __repr__(self) -> str:
        return f"<PdfiumPage:{self.page_number}>"


def read_page(document, index: int, loaded=None, loaded_text=None, objects: ObjectTree | None = None) -> tuple[PdfiumPage | None, str | None]:
    """Page `index` (0-based) of an open `pypdfium2.PdfDocument` as a pdfplumber page, or why pdfplumber
    must read it instead: (page, None) or (None, reason). `loaded`, `loaded_text`, `objects`: that page, (optionally)
    its text page and its `page_objects`, as the caller already has them (the caller closes them); otherwise they
    are loaded and closed here. `close()` the returned page to free its objects."""
    geometry, objects, reason = _read(document, index, loaded, loaded_text, objects)
    if reason is not None:
        return None, reason
    return PdfiumPage(document, index, geometry, objects), None


ObjectTree = list  # [(pdfium handle, FPDF_PAGEOBJ_* type, the ObjectTree of a form XObject or None)], in content order


def page_objects(page) -> ObjectTree:
    """A pypdfium2 page's objects, each with its type, down through form XObjects: walked once (pdfium call by
    call, without pypdfium2's wrapper object for each) for both triage and the page source."""
    raw = calls.address_of(page.raw)
    return _tree([calls.FPDFPage_GetObject(raw, i) for i in range(calls.FPDFPage_CountObjects(raw))])


def _tree(handles: list[int]) -> ObjectTree:
    tree = []
    for handle in handles:
        kind = calls.FPDFPageObj_GetType(handle)
        children = None
        if kind == _FORM:
            children = _tree([calls.FPDFFormObj_GetObject(handle, i) for i in range(calls.FPDFFormObj_CountObjects(handle))])
        tree.append((handle, kind, children))
    return tree


def count_objects(page, max_depth: int = 2, objects: ObjectTree | None = None) -> Counter:
    """How many page objects of each type (pdfium's FPDF_PAGEOBJ_* numbers) a pypdfium2 page holds, down
    to the same form XObject depth as `page.get_objects(max_depth=...)`. `objects`: the page's `page_objects`,
    when the caller has them."""
    found: Counter = Counter()
    _count(page_objects(page) if objects is None else objects, max_depth - 1, found)
    return found


def _count(tree: ObjectTree, forms_left: int, found: Counter) -> None:
    for _, kind, children in tree:
        found[kind] += 1
        if children is not None and forms_left > 0:
            _count(children, forms_left - 1, found)


def _read(document, index: int, loaded=None, loaded_text=None, objects: ObjectTree | None = None) -> tuple[PageGeometry | None, dict[str, list[dict]], str | None]:
    page = loaded if loaded is not None else document[index]
    loaded_text = loaded_text if loaded is not None else None  # a text page belongs with the page it was opened from
    objects = objects if loaded is not None else None  # so do its objects
    textpage = None
    try:
        geometry = read_geometry(page)
        if isinstance(geometry, str):
            return None, {}, geometry
        text_objects, path_objects = _text_and_path_objects(page_objects(page) if objects is None else objects)
        textpage = loaded_text if loaded_text is not None else page.get_textpage()
        found = read_paths(path_objects, geometry, index + 1)
        found["char"] = read_chars(calls.address_of(textpage.raw), text_objects, geometry, index + 1)
        return geometry, {kind: listed for kind, listed in found.items() if listed}, None
    except Unsupported as reason:
        return None, {}, str(reason)
    finally:
        if textpage is not None and textpage is not loaded_text:
            textpage.close()
        if loaded is None:
            page.close()


def _text_and_path_objects(tree: ObjectTree) -> tuple[list[tuple[int, Matrix]], list[tuple[int, Matrix]]]:
    """Text and path objects in content order, each with the matrix of the form XObject holding it
    (identity on the page itself). Raises Unsupported for content pdfminer reads differently."""
    texts: list[tuple[int, Matrix]] = []
    paths: list[tuple[int, Matrix]] = []
    _collect(tree, IDENTITY, True, texts, paths)
    return texts, paths


def _collect(tree: ObjectTree, holder_matrix: Matrix, starts_fresh: bool, texts: list, paths: list) -> None:
    """Walk one content stream's objects. pdfminer starts a form XObject's content with a fresh text state
    (character and word spacing, scaling, rise), pdfium with the state the invoking content left; the two
    agree only when no text was shown before the form was invoked (`starts_fresh`)."""
    shown_text = False
    for handle, kind, children in tree:
        if kind == _TEXT:
            if not starts_fresh:
                raise Unsupported("text in a form XObject invoked after other text")
            if _has_actual_text(handle):
                raise Unsupported("marked content with /ActualText (pdfium reads it instead of the glyphs)")
            texts.append((handle, holder_matrix))
            shown_text = True
        elif kind == _PATH:
            paths.append((handle, holder_matrix))
        elif kind == _FORM:
            _collect(children, multiply(object_matrix(handle), holder_matrix), starts_fresh and not shown_text, texts, paths)


def _has_actual_text(handle: int) -> bool:
    for i in range(calls.FPDFPageObj_CountMarks(handle)):
        mark = calls.FPDFPageObj_GetMark(handle, i)
        if calls.FPDFPageObjMark_GetParamValueType(mark, b"ActualText") != pdfium_c.FPDF_OBJECT_UNKNOWN:
            return True
    return False
