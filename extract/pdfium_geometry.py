"""Page geometry as pdfplumber sees it, read from pdfium.

pdfium reports positions in PDF user space. pdfminer first maps user space through a page matrix
(MediaBox origin moved to 0, /Rotate applied), and pdfplumber then flips y so that `top` grows
downwards and shifts by the MediaBox again. Every pdfium-built object goes through the same two
steps in the same arithmetic, so equal inputs give pdfplumber's coordinates exactly.
"""
from __future__ import annotations

import ctypes
import struct
from dataclasses import dataclass
from functools import lru_cache

import pypdfium2.raw as pdfium_c

from extract import pdfium_calls as calls

Matrix = tuple[float, float, float, float, float, float]
Box = tuple[float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True)
class PageGeometry:
    rotation: int  # /Rotate in degrees, 0/90/180/270
    mediabox: Box  # pdfplumber's page.mediabox (x0, top, x1, bottom)
    cropbox: Box
    miner_matrix: Matrix  # user space -> pdfminer's page space

    @property
    def width(self) -> float:
        return self.mediabox[2] - self.mediabox[0]

    @property
    def height(self) -> float:
        return self.mediabox[3] - self.mediabox[1]

    def plumber_box(self, x0: float, y0: float, x1: float, y1: float) -> dict:
        """pdfplumber's position keys of a box given in pdfminer's page space (what `Page.process_object`
        does; `doctop` equals `top`, the page standing alone)."""
        mb_x0, mb_top = self.mediabox[0], self.mediabox[1]
        top = (self.height - y1) + mb_top
        bottom = (self.height - y0) + mb_top
        box = {"x0": x0, "y0": y0, "x1": x1, "y1": y1, "width": x1 - x0, "height": y1 - y0,
               "top": top, "bottom": bottom, "doctop": top}
        if mb_x0 != 0:
            box["x0"], box["x1"] = x0 + mb_x0, x1 + mb_x0
        return box

    def plumber_point(self, x: float, y: float) -> tuple[float, float]:
        """A pdfminer-space point as pdfplumber reports curve points (`Page.point2coord`)."""
        return (self.mediabox[0] + x, self.mediabox[1] + self.height - y)


def read_geometry(page) -> PageGeometry | str:
    """The page's boxes and rotation, or why they cannot be read the way pdfminer reads them."""
    rotation = page.get_rotation() % 360
    mediabox = _own_box(page, pdfium_c.FPDFPage_GetMediaBox)
    cropbox = _own_box(page, pdfium_c.FPDFPage_GetCropBox)
    if mediabox is None:
        # pdfium only reports boxes written on the page itself; an inherited MediaBox is known only
        # through the page's bounding box, which a CropBox would have cut.
        if cropbox is not None:
            return "MediaBox inherited from the page tree while the page has its own CropBox"
        mediabox = _bounding_box(page)
    return PageGeometry(
        rotation=rotation,
        mediabox=_plumber_box(mediabox, mediabox, rotation),
        cropbox=_plumber_box(cropbox or mediabox, mediabox, rotation),
        miner_matrix=_miner_page_matrix(mediabox, rotation),
    )


def _own_box(page, getter) -> Box | None:
    values = [ctypes.c_float() for _ in range(4)]
    if not getter(page.raw, *values):
        return None
    return tuple(decimal_float(v.value) for v in values)


def _bounding_box(page) -> Box:
    rect = pdfium_c.FS_RECTF()
    pdfium_c.FPDF_GetPageBoundingBox(page.raw, rect)
    return tuple(decimal_float(v) for v in (rect.left, rect.bottom, rect.right, rect.top))


def _plumber_box(raw: Box, mediabox: Box, rotation: int) -> Box:
    """pdfplumber's `_invert_box(_normalize_box(raw, rotation), height of the normalized MediaBox)`."""
    x0, y0, x1, y1 = _normalized(raw, rotation)
    _, mb_y0, _, mb_y1 = _normalized(mediabox, rotation)
    height = mb_y1 - mb_y0
    return (x0, height - y1, x1, height - y0)


def _normalized(box: Box, rotation: int) -> Box:
    """Corners in order, x and y swapped on a page turned a quarter (pdfplumber's `_normalize_box`)."""
    x0, x1 = sorted((box[0], box[2]))
    y0, y1 = sorted((box[1], box[3]))
    return (y0, x0, y1, x1) if rotation in (90, 270) else (x0, y0, x1, y1)


def _miner_page_matrix(mediabox: Box, rotation: int) -> Matrix:
    """pdfminer's `PDFPageInterpreter.process_page` matrix (from the MediaBox as written, unsorted)."""
    x0, y0, x1, y1 = mediabox
    return {
        90: (0.0, -1.0, 1.0, 0.0, -y0, x1),
        180: (-1.0, 0.0, 0.0, -1.0, x1, y1),
        270: (0.0, 1.0, -1.0, 0.0, y1, -x0),
    }.get(rotation, (1.0, 0.0, 0.0, 1.0, -x0, -y0))


def multiply(m1: Matrix, m0: Matrix) -> Matrix:
    """m1 then m0 (pdfminer's `mult_matrix`, row vectors)."""
    a1, b1, c1, d1, e1, f1 = m1
    a0, b0, c0, d0, e0, f0 = m0
    return (a0 * a1 + c0 * b1, b0 * a1 + d0 * b1, a0 * c1 + c0 * d1, b0 * c1 + d0 * d1,
            a0 * e1 + c0 * f1 + e0, b0 * e1 + d0 * f1 + f0)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return (a * x + c * y + e, b * x + d * y + f)


def apply_to_rect(m: Matrix, x0: float, y0: float, x1: float, y1: float) -> Box:
    """The upright box around a transformed rectangle (pdfminer's `apply_matrix_rect`)."""
    corners = [apply(m, x, y) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
    xs = [p[0] for p in corners]
    ys = [p[1] for p in corners]
    return (min(xs), min(ys), max(xs), max(ys))


@lru_cache(maxsize=16384)
def decimal_float(value: float) -> float:
    """The shortest decimal that pdfium's 32-bit float came from (`595.3499755859375` -> `595.35`).

    pdfminer keeps the numbers of a content stream as Python floats; pdfium stores them as 32-bit
    floats. Going back to the shortest decimal with the same 32-bit value recovers what was written
    whenever it had at most 7 significant digits, so equal inputs stay equal in both libraries.
    """
    single = _as_single(value)
    for digits in range(10):
        candidate = round(value, digits)
        if _as_single(candidate) == single:
            return candidate
    return value


def decimal_matrix(m) -> Matrix:
    return tuple(decimal_float(v) for v in (m.a, m.b, m.c, m.d, m.e, m.f))


def object_matrix(handle: int) -> Matrix:
    """A page object's matrix (to the content holding it)."""
    matrix = pdfium_c.FS_MATRIX()
    calls.FPDFPageObj_GetMatrix(handle, ctypes.addressof(matrix))
    return decimal_matrix(matrix)


def _as_single(value: float) -> bytes:
    return struct.pack("<f", value)
