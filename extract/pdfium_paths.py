"""pdfplumber's `page.rects`, `page.lines` and `page.curves` from pdfium's path objects.

pdfium keeps a painted path as one object (all its subpaths, points in the object's own space, a
matrix to the page); pdfminer splits it at every moveto and calls a subpath a line, a rectangle or
a curve by its operators. The path's segments are turned back into pdfminer's operators (a
bezier is three pdfium points, a closed segment is a closepath) and classified by pdfminer's rules,
so the table finder gets the same edges.
"""
from __future__ import annotations

import ctypes

import pypdfium2.raw as pdfium_c

from extract import pdfium_calls as calls
from extract.pdfium_geometry import Matrix, PageGeometry, apply, decimal_float, multiply, object_matrix

_MOVETO, _BEZIERTO = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_BEZIERTO
_EVENODD = pdfium_c.FPDF_FILLMODE_ALTERNATE


def read_paths(path_objects: list[tuple[int, Matrix]], geometry: PageGeometry, page_number: int) -> dict[str, list[dict]]:
    """Rects, lines and curves (pdfplumber dicts, keyed "rect"/"line"/"curve") of path objects given as
    (pdfium handle, matrix of the form holding it)."""
    found: dict[str, list[dict]] = {"rect": [], "line": [], "curve": []}
    segments = _SegmentReader()
    for handle, holder_matrix in path_objects:
        matrix = multiply(multiply(object_matrix(handle), holder_matrix), geometry.miner_matrix)
        paint = _paint(handle)
        for subpath in _subpaths(segments.operators(handle)):
            kind, pts = _classify(subpath, matrix)
            found[kind].append(_plumber_object(kind, pts, paint, geometry, page_number))
    return found


def _paint(handle: int) -> dict:
    fill_mode, stroke, width = ctypes.c_int(), ctypes.c_int(), ctypes.c_float()
    calls.FPDFPath_GetDrawMode(handle, ctypes.addressof(fill_mode), ctypes.addressof(stroke))
    calls.FPDFPageObj_GetStrokeWidth(handle, ctypes.addressof(width))
    return {"linewidth": decimal_float(width.value), "stroke": bool(stroke.value), "fill": fill_mode.value != 0,
            "evenodd": fill_mode.value == _EVENODD}


class _SegmentReader:
    """Reads paths' segments through one pair of coordinate buffers (a page's paths are read one after another)."""

    def __init__(self):
        self._x, self._y = ctypes.c_float(), ctypes.c_float()
        self._at_x, self._at_y = ctypes.addressof(self._x), ctypes.addressof(self._y)

    def operators(self, handle: int) -> list[tuple]:
        """The path as pdfminer's operators: ("m", x, y), ("l", x, y), ("c", x1, y1, x2, y2, x3, y3), ("h",)."""
        operators: list[tuple] = []
        control: list[float] = []
        x, y, at_x, at_y = self._x, self._y, self._at_x, self._at_y
        for index in range(calls.FPDFPath_CountSegments(handle)):
            segment = calls.FPDFPath_GetPathSegment(handle, index)
            calls.FPDFPathSegment_GetPoint(segment, at_x, at_y)
            point = (decimal_float(x.value), decimal_float(y.value))
            kind = calls.FPDFPathSegment_GetType(segment)
            if kind == _BEZIERTO:
                control.extend(point)
                if len(control) < 6:
                    continue
                operators.append(("c", *control))
                control = []
            else:
                operators.append(("m" if kind == _MOVETO else "l", *point))
            if calls.FPDFPathSegment_GetClose(segment):
                operators.append(("h",))
        return operators


def _subpaths(operators: list[tuple]) -> list[list[tuple]]:
    """pdfminer's split: each moveto starts a subpath; a path not starting with a moveto is dropped, and
    of several subpaths a lone moveto is too."""
    if not operators or operators[0][0] != "m":
        return []
    subpaths: list[list[tuple]] = []
    for operator in operators:
        if operator[0] == "m":
            subpaths.append([])
        subpaths[-1].append(operator)
    if len(subpaths) > 1:
        subpaths = [s for s in subpaths if len(s) > 1]
    return subpaths


def _classify(subpath: list[tuple], matrix: Matrix) -> tuple[str, list[tuple[float, float]]]:
    """pdfminer's `PDFLayoutAnalyzer.paint_path` for one subpath: the kind and its points in page space."""
    shape = "".join([op[0] for op in subpath])
    start = subpath[0][-2:]
    pts = [apply(matrix, *(op[-2:] if op[0] != "h" else start)) for op in subpath]
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"  # a redundant lineto back to the start before the closepath
        pts.pop()
    if shape in ("mlh", "ml"):
        return "line", pts[:2]
    if shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), last = pts
        closed = pts[0] == last
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
        if closed and square:
            return "rect", [(x0, y0), (x2, y0), (x2, y2), (x0, y2)]
    return "curve", pts


def _plumber_object(kind: str, pts: list[tuple[float, float]], paint: dict, geometry: PageGeometry, page_number: int) -> dict:
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    obj = {"object_type": kind, "page_number": page_number}
    obj.update(geometry.plumber_box(min(xs), min(ys), max(xs), max(ys)))
    obj.update(paint)
    obj["pts"] = [geometry.plumber_point(x, y) for x, y in pts]
    return obj
