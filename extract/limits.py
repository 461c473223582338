"""Size limits of one input, checked before and while it is read: a document over one ends in errors.csv as
`too-large` (one line naming the limit), never as a stalled worker or an exhausted machine."""
from __future__ import annotations

import base64
from pathlib import Path

import regex
from isal import isal_zlib  # ISA-L's inflate: an intact stream's size as zlib's gives it, in ~60% of the time

from extract.model import InputError

MAX_FILE_BYTES = 512 << 20
MAX_TEXT_BYTES = 64 << 20
MAX_PAGES = 2000
MAX_CELL_CHARS = 20_000  # a real cell holds a name or an amount; a 绩效 target a few hundred characters
MAX_PAGE_CHARS = 200_000  # a dense A4 page holds ~6,000
MAX_STREAM_BYTES = 256 << 20  # one compressed PDF stream, inflated
MAX_INFLATED_BYTES = 1 << 30  # all of a PDF's compressed streams, inflated
_STREAM_START = regex.compile(rb"stream\r?\n")
_CHUNK = 1 << 16


def check_file_size(path: Path, limit: int) -> None:
    size = path.stat().st_size
    if size > limit:
        raise InputError("too-large", f"{path.name}: {size / 2**20:.0f} MB, more than the {limit >> 20} MB limit")


def check_cell(text: str, where: str, name: str) -> None:
    if len(text) > MAX_CELL_CHARS:
        raise InputError("too-large", f"{name}: a cell of {len(text)} characters ({where}), more than {MAX_CELL_CHARS}")


def check_page_chars(count: int, page: int, name: str) -> None:
    if count > MAX_PAGE_CHARS:
        raise InputError("too-large", f"{name}: page {page} holds {count} characters, more than {MAX_PAGE_CHARS}")


def check_pdf_streams(path: Path, stream_limit: int = MAX_STREAM_BYTES, total_limit: int = MAX_INFLATED_BYTES) -> None:
    """Inflate every flate stream of the file, counting bytes without keeping them: a decompression bomb is
    refused before any PDF library inflates it in memory. Linear in the inflated size, stopped at the limits.
    A stream whose filters put an ASCII layer (ASCIIHex, ASCII85) before Flate is decoded from ASCII first."""
    data = path.read_bytes()
    total = 0
    for match in _STREAM_START.finditer(data):
        inflated = _inflated_size(_flate_input(data, match.start(), match.end()), stream_limit + 1)
        if inflated > stream_limit:
            raise InputError("too-large", f"{path.name}: a compressed stream inflates to more than {stream_limit >> 20} MB")
        total += inflated
        if total > total_limit:
            raise InputError("too-large", f"{path.name}: compressed streams inflate to more than {total_limit >> 20} MB")


_DICTIONARY_LOOKBACK = 4096
_FILTER_NAMES = regex.compile(rb"/(ASCIIHexDecode|AHx|ASCII85Decode|A85|FlateDecode|Fl)\b")
_ASCII_LAYERS = {b"ASCIIHexDecode": "hex", b"AHx": "hex", b"ASCII85Decode": "a85", b"A85": "a85"}


def _flate_input(data: bytes, keyword: int, start: int) -> memoryview:
    """The bytes to inflate: the stream as stored, or its ASCII layers decoded when its /Filter begins with them."""
    head = data[max(0, keyword - _DICTIONARY_LOOKBACK) : keyword]
    head = head[head.rfind(b"obj") + 1 :]
    layers = [_ASCII_LAYERS.get(m.group(1)) for m in _FILTER_NAMES.finditer(head)]
    stream = memoryview(data)[start:]
    if not layers or layers[0] is None:
        return stream
    end = data.find(b"endstream", start)
    raw = data[start : end if end >= 0 else len(data)]
    for layer in layers:
        if layer is None:
            break
        raw = _ascii_decoded(raw, layer)
    return memoryview(raw)


def _ascii_decoded(raw: bytes, layer: str) -> bytes:
    try:
        if layer == "hex":
            digits = bytes(regex.sub(rb"[^0-9A-Fa-f]", b"", raw.split(b">", 1)[0]))
            return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode("ascii"))
        body = raw.split(b"~>", 1)[0].lstrip()
        return base64.a85decode(body[2:] if body.startswith(b"<~") else body, ignorechars=b" \t\r\n\x0c\x00")
    except ValueError:
        return b""  # damaged: the PDF libraries judge it


def _inflated_size(data: memoryview | bytes, cap: int) -> int:
    inflater = isal_zlib.decompressobj()
    size, position = 0, 0
    try:
        while position < len(data) and not inflater.eof and size < cap:
            pending = bytes(data[position : position + _CHUNK])
            position += len(pending)
            while size < cap and not inflater.eof:
                out = inflater.decompress(pending, _CHUNK)
                size += len(out)
                pending = inflater.unconsumed_tail
                if not out and not pending:  # ISA-L may hold output back with all the input taken: asked again until none
                    break
    except isal_zlib.error:
        pass  # not flate data (an image, a plain stream) or damaged: the PDF libraries judge it (a damaged stream is
        # counted up to the read before its error, by zlib too, where the two may stop a read apart: never near a limit)
    return size
