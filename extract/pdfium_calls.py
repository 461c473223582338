"""The pdfium functions the pdfium page source calls, declared with plain addresses.

pypdfium2 declares every handle as a typed pointer; turning one into a number (to key a dict by
object) costs a `ctypes.cast` slower than the call itself, and the source calls pdfium several
times for each character. The same C functions are declared here under their own names with
`c_void_p` handles, so handles are ints, and out-parameters are passed as addresses
(`ctypes.addressof(value)`). `address_of` turns a pypdfium2 handle (a page, a text page) into one.
"""
from __future__ import annotations

import ctypes
from ctypes import c_double, c_float, c_int, c_uint, c_ulong, c_void_p

import pypdfium2.raw as pdfium_c

_ADDRESS = c_void_p


def address_of(handle) -> int:
    return ctypes.cast(handle, c_void_p).value or 0


def _declare(name: str, restype, *argtypes):
    # PYFUNCTYPE: called with the GIL held. CFUNCTYPE would release and take it again around every call, for
    # functions that run a microsecond (and pdfium is not thread-safe: no other thread may call it meanwhile anyway).
    function = getattr(pdfium_c, name)
    return ctypes.PYFUNCTYPE(restype, *argtypes)(ctypes.cast(function, c_void_p).value)


# pages and their objects
FPDFPage_CountObjects = _declare("FPDFPage_CountObjects", c_int, _ADDRESS)
FPDFPage_GetObject = _declare("FPDFPage_GetObject", _ADDRESS, _ADDRESS, c_int)
FPDFPageObj_GetType = _declare("FPDFPageObj_GetType", c_int, _ADDRESS)
FPDFPageObj_GetMatrix = _declare("FPDFPageObj_GetMatrix", c_int, _ADDRESS, _ADDRESS)
FPDFPageObj_GetBounds = _declare("FPDFPageObj_GetBounds", c_int, _ADDRESS, _ADDRESS, _ADDRESS, _ADDRESS, _ADDRESS)
FPDFPageObj_GetStrokeWidth = _declare("FPDFPageObj_GetStrokeWidth", c_int, _ADDRESS, _ADDRESS)
FPDFPageObj_CountMarks = _declare("FPDFPageObj_CountMarks", c_int, _ADDRESS)
FPDFPageObj_GetMark = _declare("FPDFPageObj_GetMark", _ADDRESS, _ADDRESS, c_ulong)
FPDFPageObjMark_GetParamValueType = _declare("FPDFPageObjMark_GetParamValueType", c_int, _ADDRESS, ctypes.c_char_p)
FPDFFormObj_CountObjects = _declare("FPDFFormObj_CountObjects", c_int, _ADDRESS)
FPDFFormObj_GetObject = _declare("FPDFFormObj_GetObject", _ADDRESS, _ADDRESS, c_ulong)

# text objects and fonts
FPDFTextObj_GetFont = _declare("FPDFTextObj_GetFont", _ADDRESS, _ADDRESS)
FPDFTextObj_GetFontSize = _declare("FPDFTextObj_GetFontSize", c_int, _ADDRESS, _ADDRESS)
FPDFTextObj_GetTextRenderMode = _declare("FPDFTextObj_GetTextRenderMode", c_int, _ADDRESS)
FPDFFont_GetGlyphWidth = _declare("FPDFFont_GetGlyphWidth", c_int, _ADDRESS, c_uint, c_float, _ADDRESS)
FPDFFont_GetDescent = _declare("FPDFFont_GetDescent", c_int, _ADDRESS, c_float, _ADDRESS)
FPDFFont_GetIsEmbedded = _declare("FPDFFont_GetIsEmbedded", c_int, _ADDRESS)
FPDFFont_GetFontData = _declare("FPDFFont_GetFontData", c_int, _ADDRESS, _ADDRESS, ctypes.c_size_t, _ADDRESS)
FPDFFont_GetBaseFontName = _declare("FPDFFont_GetBaseFontName", ctypes.c_size_t, _ADDRESS, _ADDRESS, ctypes.c_size_t)

# paths
FPDFPath_CountSegments = _declare("FPDFPath_CountSegments", c_int, _ADDRESS)
FPDFPath_GetPathSegment = _declare("FPDFPath_GetPathSegment", _ADDRESS, _ADDRESS, c_int)
FPDFPath_GetDrawMode = _declare("FPDFPath_GetDrawMode", c_int, _ADDRESS, _ADDRESS, _ADDRESS)
FPDFPathSegment_GetPoint = _declare("FPDFPathSegment_GetPoint", c_int, _ADDRESS, _ADDRESS, _ADDRESS)
FPDFPathSegment_GetType = _declare("FPDFPathSegment_GetType", c_int, _ADDRESS)
FPDFPathSegment_GetClose = _declare("FPDFPathSegment_GetClose", c_int, _ADDRESS)

# the text page
FPDFText_CountChars = _declare("FPDFText_CountChars", c_int, _ADDRESS)
FPDFText_GetText = _declare("FPDFText_GetText", c_int, _ADDRESS, c_int, c_int, _ADDRESS)
FPDFText_GetUnicode = _declare("FPDFText_GetUnicode", c_uint, _ADDRESS, c_int)
FPDFText_IsGenerated = _declare("FPDFText_IsGenerated", c_int, _ADDRESS, c_int)
FPDFText_IsHyphen = _declare("FPDFText_IsHyphen", c_int, _ADDRESS, c_int)
FPDFText_HasUnicodeMapError = _declare("FPDFText_HasUnicodeMapError", c_int, _ADDRESS, c_int)
FPDFText_GetTextObject = _declare("FPDFText_GetTextObject", _ADDRESS, _ADDRESS, c_int)
FPDFText_GetCharOrigin = _declare("FPDFText_GetCharOrigin", c_int, _ADDRESS, c_int, _ADDRESS, _ADDRESS)
FPDFText_GetLooseCharBox = _declare("FPDFText_GetLooseCharBox", c_int, _ADDRESS, c_int, _ADDRESS)
FPDFText_GetCharBox = _declare("FPDFText_GetCharBox", c_int, _ADDRESS, c_int, _ADDRESS, _ADDRESS, _ADDRESS, _ADDRESS)
FPDFText_GetMatrix = _declare("FPDFText_GetMatrix", c_int, _ADDRESS, c_int, _ADDRESS)
FPDFText_GetFontSize = _declare("FPDFText_GetFontSize", c_double, _ADDRESS, c_int)

