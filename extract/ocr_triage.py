"""Does a page need OCR? Decided from pdfium's object list and the text layer's characters, in milliseconds."""
from __future__ import annotations

import pypdfium2.raw as pdfium_raw

IMAGE_PAGE_SHARE = 0.10  # an image covering this much of an otherwise textless page is a scan
TABLE_IMAGE_SHARE = 0.15  # an image this large on a page with text may be a pasted table
GARBAGE_MIN_CHARS = 20  # fewer visible characters say too little about the text layer
READABLE_SHARE = 0.5  # share of CJK, digits and CJK/ASCII punctuation below which the text layer is garbage
PRIVATE_USE_SHARE = 0.10  # glyphs without Unicode mapping come out as private-use code points
TABLE_CHECK_DPI = 100
TABLE_RULES = (3, 2)  # long horizontal and vertical lines an image needs to hold a table


def page_needs_ocr(page, text: str | None = None, image_count: int | None = None) -> str | None:
    """"image-only", "garbage text layer", "table image" or None for a pypdfium2 page (`text`: its text layer,
    `image_count`: its image objects, when the caller has them already). The page is not closed."""
    text = _text(page) if text is None else text
    visible = [ch for ch in text if not ch.isspace()]
    images = _image_boxes(page, image_count)
    width, height = page.get_size()
    page_area = max(width * height, 1.0)
    image_share = sum(_area(b) for b in images) / page_area
    if not visible:
        return "image-only" if image_share >= IMAGE_PAGE_SHARE else None
    if is_garbage(visible):
        return "garbage text layer"
    large = [b for b in images if _area(b) / page_area >= TABLE_IMAGE_SHARE]
    if large and any(image_holds_table(page, box) for box in large):
        return "table image"
    return None


def is_garbage(visible: list[str]) -> bool:
    """A text layer that says nothing readable: mostly private-use glyphs or foreign junk."""
    if len(visible) < GARBAGE_MIN_CHARS:
        return False
    private = sum(1 for ch in visible if "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd")
    if private / len(visible) >= PRIVATE_USE_SHARE:
        return True
    readable = sum(1 for ch in visible if _readable(ch))
    return readable / len(visible) < READABLE_SHARE


def _readable(ch: str) -> bool:
    return (
        "\u4e00" <= ch <= "\u9fff"  # CJK unified ideographs
        or "\u3400" <= ch <= "\u4dbf"  # extension A
        or "\u3000" <= ch <= "\u303f"  # CJK punctuation
        or "\uff00" <= ch <= "\uffef"  # full-width forms
        or ch.isdigit()
        or ch in ".,:;%()-+/·“”‘’—…"
    )


def _text(page) -> str:
    textpage = page.get_textpage()
    try:
        return textpage.get_text_range() if textpage.count_chars() else ""
    finally:
        textpage.close()


def _image_boxes(page, count: int | None) -> list[tuple[float, float, float, float]]:
    from extract.pdfium_source import count_objects  # counting in C first: most pages hold no image

    if not (count_objects(page)[pdfium_raw.FPDF_PAGEOBJ_IMAGE] if count is None else count):
        return []
    boxes = []
    for obj in page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        boxes.append((left, bottom, right, top))
    return boxes


def _area(box: tuple[float, float, float, float]) -> float:
    left, bottom, right, top = box
    return max(0.0, right - left) * max(0.0, top - bottom)


def image_holds_table(page, box: tuple[float, float, float, float]) -> bool:
    """Ruling lines in the image's part of the page rendered at low resolution: long horizontal and vertical
    strokes that only a table draws."""
    import cv2  # only pages with a large image get here
    import numpy as np

    region = _rendered_region(page, box, TABLE_CHECK_DPI / 72)
    if region.size == 0:
        return False
    threshold, _ = cv2.threshold(region, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ink = np.where(region < min(threshold + 10, 230), 255, 0).astype(np.uint8)  # a scan's rules render grey
    length = max(10, min(region.shape) // 8)
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((length, 1), np.uint8))
    rows = _count_lines(horizontal.any(axis=1))
    columns = _count_lines(vertical.any(axis=0))
    return rows >= TABLE_RULES[0] and columns >= TABLE_RULES[1]


def _rendered_region(page, box: tuple[float, float, float, float], scale: float):
    """The box's pixels of the page rendered in grey at `scale`: only that part of the page is rendered (the
    same pixels as in a render of the whole page, which would also rasterise all its text); a turned page is
    rendered whole and the box's pixels taken from it."""
    import math

    import numpy as np

    from extract.ocr_image import grey_pixels

    width, height = page.get_size()
    left, bottom, right, top = box
    x0, x1 = int(max(0, left * scale)), int(right * scale)
    y0, y1 = int(max(0, (height - top) * scale)), int((height - bottom) * scale)
    full_width, full_height = math.ceil(width * scale), math.ceil(height * scale)
    x1, y1 = min(x1, full_width), min(y1, full_height)
    if x1 <= x0 or y1 <= y0:
        return np.zeros((0, 0), np.uint8)
    if page.get_rotation():
        return grey_pixels(page.render(scale=scale, grayscale=True))[y0:y1, x0:x1]
    # a pixel more on each side: the rasteriser treats the pixels along a bitmap's edge differently
    cx0, cy0, cx1, cy1 = max(0, x0 - 1), max(0, y0 - 1), min(full_width, x1 + 1), min(full_height, y1 + 1)
    # pypdfium2 crops whole pixels, ceil(crop × scale) from each edge: half a pixel short of each edge gives that edge
    crop = [(pixels - 0.5) / scale for pixels in (cx0, full_height - cy1, full_width - cx1, cy0)]
    return grey_pixels(page.render(scale=scale, grayscale=True, crop=crop))[y0 - cy0:y1 - cy0, x0 - cx0:x1 - cx0]


def _count_lines(profile) -> int:
    """Separate runs of True in a 1-D numpy profile."""
    values = [bool(v) for v in profile]
    return sum(1 for i, v in enumerate(values) if v and (i == 0 or not values[i - 1]))
