"""Page images for the HTML report: the pages a reader has to see, rendered with pdfium at screen size.

Pages are rendered in grey: the outlines drawn over them are the only colour, and a grey page is a third of
the size of a colour one. Each page is encoded as a 16-level grey PNG (sharp text, small for printed pages);
a large PNG of a page in continuous tone (a photograph, a scan on grey paper) is also tried as a JPEG, and the
smaller file is kept. A printed page is black on white with grey only at the edges of its strokes: of the 588
pages of the juesuan, yusuan and scanned corpus PDFs, the 155 whose PNG is over 64 KB have at most 15% of their
pixels mid-grey, and for each the PNG is the smaller file (the JPEG is 1.02 to 2.9 times larger).

The PNG's chunks are written here around Pillow's 4-bit packing and ISA-L's deflate (python-isal): Pillow's
PNG encoder tries five row filters on every row, which a 16-colour palette image does not gain from (the PNG
specification advises none), and offers no way to turn that off; ISA-L's level 1 deflates a page's rows in
about a third of the time zlib's fastest strategy takes, into a slightly smaller stream (a standard zlib
stream: every PNG reader decodes it). Written here, a corpus page's PNG takes ~1.5 ms instead of Pillow's
~6 ms, for the same pixels.
"""
from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from isal import isal_zlib
from PIL import Image

from extract.pdfium_geometry import read_geometry

PAGE_WIDTH_PX = 1000  # fits a laptop screen beside the checks list; A4 landscape text stays readable
GREY_LEVELS = 16
DEFLATE_LEVEL = 1  # ISA-L's levels are 0-3; above 1 the corpus pages shrink by under 1% and take longer
JPEG_QUALITY = 70
PNG_SMALL_ENOUGH = 64 * 1024  # a printed page of text and rules this small as a PNG is never smaller as a JPEG
CONTINUOUS_TONE = 0.25  # share of mid-grey pixels from which a page may be smaller as a JPEG
MID_GREYS = range(32, 224)
PAGES_FOLDER = "pages"
_GREY_PALETTE = [round(level * 255 / (GREY_LEVELS - 1)) for level in range(GREY_LEVELS) for _ in range(3)]
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_TO_LEVEL = [round(value * (GREY_LEVELS - 1) / 255) for value in range(256)]


@dataclass(frozen=True)
class PageImage:
    number: int
    file: str  # relative to the report folder
    width_px: int
    height_px: int
    width_pt: float
    height_pt: float
    origin: tuple[float, float]  # the image's top-left corner in the coordinates cell boxes are given in
    size_bytes: int

    def shows(self, box: tuple[float, float, float, float]) -> bool:
        """Whether the box lies on the rendered page (a table can be printed past the page's edge)."""
        left, top, width, height = self.percent_box(box)
        return 0 <= left + width / 2 <= 100 and 0 <= top + height / 2 <= 100

    def percent_box(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """left, top, width, height of a cell box as percentages of the image (they follow the image's display size)."""
        x0, top, x1, bottom = box
        ox, oy = self.origin
        return ((x0 - ox) / self.width_pt * 100, (top - oy) / self.height_pt * 100,
                (x1 - x0) / self.width_pt * 100, (bottom - top) / self.height_pt * 100)


@dataclass(frozen=True)
class Rendering:
    """A page rendered and encoded, not yet written."""

    data: bytes
    suffix: str
    width_px: int
    height_px: int
    width_pt: float
    height_pt: float
    origin: tuple[float, float]


HELD_RENDERINGS = 400  # ~20 MB of encoded pages; a longer document's further pages are rendered by the report


class PageRenderings(dict):
    """Pages rendered while extraction has them open (page number -> Rendering), so that the report does not
    load them again: `add` is extraction's `on_table_page`. At most `limit` are held, so that memory stays
    bounded on very long documents; the report renders the others itself."""

    def __init__(self, limit: int = HELD_RENDERINGS):
        super().__init__()
        self.limit = limit

    def add(self, page, number: int) -> None:
        if len(self) >= self.limit:
            return
        try:
            self[number] = render(page, read_by_ocr=False)
        except pdfium.PdfiumError:
            pass  # the report renders the page itself, and says what goes wrong


def render_pages(source: Path, numbers: list[int], folder: Path, ocr_pages: set[int] = frozenset(),
                 rendered: dict[int, Rendering] | None = None) -> dict[int, PageImage]:
    """Write the given 1-based pages of `source` into folder/pages/, rendering those not in `rendered`; pages the
    PDF does not have are left out. `ocr_pages`: pages read by OCR, whose cell boxes are measured on the rendered
    page itself."""
    rendered = rendered or {}
    target = folder / PAGES_FOLDER
    if numbers:
        target.mkdir(exist_ok=True)
    images = {}
    document = None
    try:
        for number in numbers:
            rendering = rendered.get(number) if number not in ocr_pages else None
            if rendering is None:
                document = document or pdfium.PdfDocument(str(source))
                if not 1 <= number <= len(document):
                    continue
                rendering = _render_number(document, number, number in ocr_pages)
            images[number] = _save(rendering, number, target)
    finally:
        if document is not None:
            document.close()
    return images


def _render_number(document, number: int, read_by_ocr: bool) -> Rendering:
    page = document[number - 1]
    try:
        return render(page, read_by_ocr)
    finally:
        page.close()


def render(page, read_by_ocr: bool) -> Rendering:
    """An open pypdfium2 page rendered at screen width and encoded."""
    width_pt, height_pt = page.get_size()
    origin = (0.0, 0.0) if read_by_ocr else _text_layer_origin(page)
    image = page.render(scale=PAGE_WIDTH_PX / width_pt, grayscale=True).to_pil()  # 8-bit grey: "L"
    data, suffix = smallest_encoding(image)
    return Rendering(data, suffix, image.width, image.height, width_pt, height_pt, origin)


def _save(rendering: Rendering, number: int, target: Path) -> PageImage:
    name = f"p{number:04d}.{rendering.suffix}"
    (target / name).write_bytes(rendering.data)
    return PageImage(number, f"{PAGES_FOLDER}/{name}", rendering.width_px, rendering.height_px, rendering.width_pt,
                     rendering.height_pt, rendering.origin, len(rendering.data))


def _text_layer_origin(page) -> tuple[float, float]:
    """pdfium renders the CropBox; text-layer boxes are measured from the MediaBox as pdfplumber places it."""
    geometry = read_geometry(page)
    if isinstance(geometry, str):  # an inherited MediaBox: pdfplumber measures from the box pdfium renders
        return (0.0, 0.0)
    return (geometry.cropbox[0], geometry.cropbox[1])


def smallest_encoding(image: Image.Image) -> tuple[bytes, str]:
    """The smaller of a 16-level grey PNG and a JPEG of a grey image, with its file suffix (a JPEG is made only
    of a large PNG in continuous tone)."""
    png = _grey_png(image)
    if len(png) <= PNG_SMALL_ENOUGH or _mid_grey_share(image) < CONTINUOUS_TONE:
        return png, "png"
    jpeg = _jpeg(image)
    return (jpeg, "jpg") if len(jpeg) < len(png) else (png, "png")


def _mid_grey_share(image: Image.Image) -> float:
    counts = image.histogram()
    return sum(counts[MID_GREYS.start:MID_GREYS.stop]) / max(1, image.width * image.height)


def _grey_png(image: Image.Image) -> bytes:
    """A 4-bit palette PNG of the image's 16 grey levels: each row unfiltered, deflated at ISA-L's level 1."""
    paletted = image.point(_TO_LEVEL)
    paletted.putpalette(_GREY_PALETTE)  # an L image given a palette becomes a P image, without a copy
    packed = paletted.tobytes("raw", "P;4")  # two pixels a byte, each row padded to a whole byte
    stride = (image.width + 1) // 2
    rows = np.frombuffer(packed, np.uint8).reshape(image.height, stride)
    rows = np.concatenate((np.zeros((image.height, 1), np.uint8), rows), axis=1).tobytes()  # each row led by filter 0: none
    header = struct.pack(">IIBBBBB", image.width, image.height, 4, 3, 0, 0, 0)  # 4 bits, palette, no interlace
    return b"".join((_PNG_SIGNATURE, _png_chunk(b"IHDR", header), _png_chunk(b"PLTE", bytes(_GREY_PALETTE)),
                     _png_chunk(b"IDAT", isal_zlib.compress(rows, DEFLATE_LEVEL)), _png_chunk(b"IEND", b"")))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()
