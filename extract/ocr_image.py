"""Page images for OCR: render with pdfium, turn the page upright, level it, and map positions back to PDF points.

Every later step works on the straightened image; `Straightened.to_points` takes a box found there back
to the page's own frame (PDF points from the top-left, as pdfplumber reports boxes), so a value read by
OCR carries the same kind of provenance as one read from a text layer.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

POINTS_PER_INCH = 72.0
EM_POINTS = 10.5  # body text size of 决算 tables and 说明: the yardstick for every size threshold
MAX_SKEW_DEGREES = 4.0  # scans are within ±3°; the search goes a little beyond
INK_SLACK = 20  # grey levels above Otsu's threshold still counted as ink
SKEW_WORTH_CORRECTING = 0.05  # degrees: below this, rotating would only blur the image


def render_grey(page, dpi: int) -> np.ndarray:
    """The page as an 8-bit grey image (page /Rotate applied, as pdfplumber's coordinates are)."""
    return grey_pixels(page.render(scale=dpi / POINTS_PER_INCH, grayscale=True))


def grey_pixels(bitmap) -> np.ndarray:
    """A pypdfium2 grey bitmap's pixels as a (height, width) array (its rows may be padded)."""
    return np.ascontiguousarray(bitmap.to_numpy()).reshape(bitmap.height, bitmap.width)


def em_pixels(dpi: int) -> float:
    return EM_POINTS * dpi / POINTS_PER_INCH


def ink_mask(grey: np.ndarray) -> np.ndarray:
    """Dark pixels (uint8 0/255). Otsu's threshold, kept within bounds so that a nearly blank page
    does not turn its paper noise into ink."""
    threshold, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    threshold = min(max(threshold + INK_SLACK, 110), 200)  # slack: thin horizontal strokes scan grey
    return np.where(grey < threshold, 255, 0).astype(np.uint8)


# ---------------------------------------------------------------- orientation


def text_blobs(ink: np.ndarray, dpi: int) -> list[tuple[int, int, int, int]]:
    """Boxes (x, y, w, h) of words and line pieces: ink without long rules, closed over the small gaps
    between the strokes and characters of a word but not over the gap between two lines."""
    em = em_pixels(dpi)
    text = cv2.subtract(ink, long_rules(ink, dpi))
    k = max(3, int(round(em * 0.3)))
    joined = cv2.dilate(text, np.ones((k, k), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    blobs = []
    for x, y, w, h, area in stats[1:count]:
        w, h = w - k + 1, h - k + 1  # undo the dilation
        if max(w, h) >= 1.8 * em and min(w, h) >= 0.4 * em and max(w, h) <= 60 * em:
            blobs.append((int(x + k // 2), int(y + k // 2), int(w), int(h)))
    return blobs


def long_rules(ink: np.ndarray, dpi: int, length_em: float = 4.0) -> np.ndarray:
    """Horizontal and vertical strokes far longer than any character: ruling lines, underlines, frames."""
    length = max(8, int(length_em * em_pixels(dpi)))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((length, 1), np.uint8))
    return cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8))


def lines_run_vertically(blobs: list[tuple[int, int, int, int]]) -> bool:
    """Text set sideways (the page was scanned turned by a quarter): most elongated blobs stand upright."""
    upright = sum(w for x, y, w, h in blobs if w >= 1.6 * h)
    sideways = sum(h for x, y, w, h in blobs if h >= 1.6 * w)
    return sideways > upright


def turn(image: np.ndarray, degrees: int) -> np.ndarray:
    """Rotate clockwise by a multiple of 90 degrees (exact, no resampling)."""
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return image if degrees % 360 == 0 else cv2.rotate(image, codes[degrees % 360])


def turn_matrix(degrees: int, width: int, height: int) -> np.ndarray:
    """3x3 matrix taking a point of the image (width x height) to the image turned clockwise by `degrees`."""
    degrees %= 360
    if degrees == 90:
        return np.array([[0, -1, height], [1, 0, 0], [0, 0, 1]], float)
    if degrees == 180:
        return np.array([[-1, 0, width], [0, -1, height], [0, 0, 1]], float)
    if degrees == 270:
        return np.array([[0, 1, 0], [-1, 0, width], [0, 0, 1]], float)
    return np.eye(3)


# ---------------------------------------------------------------- skew


def measure_skew(ink: np.ndarray, max_degrees: float = MAX_SKEW_DEGREES) -> float:
    """The rotation (degrees, counterclockwise positive as in OpenCV) that levels the page: the angle whose
    row profile of the ink is sharpest (ruling lines and text lines all fall into few rows)."""
    ys, xs = np.nonzero(ink)
    if len(ys) < 200:
        return 0.0
    step = max(1, len(ys) // 150_000)  # thin the points, not the pixel grid: rows stay one pixel apart
    ys, xs = ys[::step].astype(np.float64), xs[::step].astype(np.float64)
    xs -= xs.mean()

    def sharpness(angle: float) -> float:
        rows = ys + xs * math.tan(math.radians(angle))
        counts = np.bincount(np.round(rows - rows.min()).astype(np.int64))
        return float(np.dot(counts, counts))

    best = max(np.arange(-max_degrees, max_degrees + 1e-9, 0.2), key=sharpness)
    best = max(np.arange(best - 0.2, best + 0.2 + 1e-9, 0.02), key=sharpness)
    return round(-float(best), 2)  # rows level at y + x·tan(a) mean the page leans by -a


# ---------------------------------------------------------------- the straightened page


@dataclass
class Straightened:
    image: np.ndarray  # grey, upright and level
    rotation: int  # degrees the rendered page was turned clockwise to stand upright (0/90/180/270)
    skew: float  # degrees (counterclockwise positive) the upright image was then rotated to level it
    to_rendered: np.ndarray  # 3x3: straightened pixel -> rendered pixel
    points_per_pixel: float

    def to_points(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """A box of the straightened image as (x0, top, x1, bottom) in PDF points of the page."""
        x0, y0, x1, y1 = box
        corners = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], float).T
        xs, ys, _ = self.to_rendered @ corners
        s = self.points_per_pixel
        return tuple(round(float(v) * s, 2) for v in (xs.min(), ys.min(), xs.max(), ys.max()))  # type: ignore[return-value]


def straighten(grey: np.ndarray, rotation: int, dpi: int) -> Straightened:
    """Turn the rendered page by `rotation`, then level it by its measured skew."""
    height, width = grey.shape
    upright = turn(grey, rotation)
    to_upright = turn_matrix(rotation, width, height)
    skew = measure_skew(ink_mask(upright))
    level_matrix = np.eye(3)
    if abs(skew) >= SKEW_WORTH_CORRECTING:
        h, w = upright.shape
        level_matrix[:2] = cv2.getRotationMatrix2D((w / 2, h / 2), skew, 1.0)
        upright = cv2.warpAffine(upright, level_matrix[:2], (w, h), flags=cv2.INTER_CUBIC, borderValue=255)
    else:
        skew = 0.0
    to_rendered = np.linalg.inv(level_matrix @ to_upright)
    return Straightened(upright, rotation, skew, to_rendered, POINTS_PER_INCH / dpi)
