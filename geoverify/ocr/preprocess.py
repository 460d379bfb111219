"""Image preparation for OCR: grayscale, contrast, text-height normalisation, deskew.

Tesseract reads Urdu Naskh best when text lines are about 25-35 px tall (a 78 px line was
dropped at native size and read exactly at 0.35x), so rather than upscaling blindly the image is
rescaled so that its estimated line height lands in that band.
"""

from __future__ import annotations

import warnings

import cv2
import numpy as np
from numpy.typing import NDArray

from .._deprecated import warn_deprecated
from .._imaging import RGBImage
from ..exceptions import GeoverifyDeprecationWarning, OptionError

#: Target text-line height in pixels for Tesseract.
TARGET_LINE_PX = 30.0


def to_gray(image: RGBImage) -> NDArray[np.uint8]:
    """Grayscale uint8."""
    return np.asarray(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), dtype=np.uint8)


def clahe(gray: NDArray[np.uint8], clip: float = 2.0, tile: int = 8) -> NDArray[np.uint8]:
    """Contrast-limited adaptive histogram equalisation."""
    return np.asarray(
        cv2.createCLAHE(clipLimit=clip, tileGridSize=(tile, tile)).apply(gray), dtype=np.uint8
    )


def binarize(gray: NDArray[np.uint8], text: str = "auto") -> NDArray[np.uint8]:
    """Otsu binarisation to dark text on a light background.

    ``text`` says which side of the threshold the text is on: ``"dark"``, ``"light"`` (a
    banner with light letters: inverted), or ``"auto"`` (the minority side is taken as text).
    """
    if text not in ("auto", "dark", "light"):
        raise OptionError(f"text must be 'auto', 'dark' or 'light', not {text!r}")
    _, bw = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if text == "light" or (text == "auto" and np.mean(bw) < 127):
        bw = 255 - bw
    return np.asarray(bw, dtype=np.uint8)


def deskew(gray: NDArray[np.uint8], max_angle: float = 20.0) -> tuple[NDArray[np.uint8], float]:
    """Rotate so that text lines are horizontal (estimated from the ink's minimum-area rectangle)."""
    ink = binarize(gray) < 128
    ys, xs = np.nonzero(ink)
    if len(xs) < 50:
        return gray, 0.0
    rect = cv2.minAreaRect(np.column_stack([xs, ys]).astype(np.float32))
    angle = rect[-1]
    if angle > 45:
        angle -= 90
    if abs(angle) < 0.5 or abs(angle) > max_angle:
        return gray, 0.0
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    out = cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(out, dtype=np.uint8), float(angle)


# Deprecated: kept working, with a warning, until 0.3.


def estimate_line_height(gray: NDArray[np.uint8]) -> float | None:
    """Median height (px) of text-like connected regions after a horizontal smear, or None.

    .. deprecated:: 0.2
       The OCR engines size lines from the detector's boxes; this estimate is unused.
    """
    warn_deprecated(
        "geoverify.ocr.preprocess.estimate_line_height", "the line boxes of detect_lines"
    )
    h, w = gray.shape
    if h < 8 or w < 8:
        return None
    bw = binarize(gray)
    ink = (bw < 128).astype(np.uint8)
    kx = max(3, w // 60)
    smeared = cv2.morphologyEx(
        ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (kx, 1))
    )
    n, _, stats, _ = cv2.connectedComponentsWithStats(smeared, connectivity=8)
    heights = []
    for i in range(1, n):
        x, y, bw_, bh, area = stats[i]
        if bh < 6 or bh > 0.5 * h or bw_ < 1.5 * bh or area < 30:
            continue
        heights.append(bh)
    if not heights:
        return None
    return float(np.median(heights))


def normalize_height(
    gray: NDArray[np.uint8],
    target: float = TARGET_LINE_PX,
    max_scale: float = 3.0,
    min_scale: float = 0.25,
) -> tuple[NDArray[np.uint8], float]:
    """Rescale so the estimated text-line height is ``target`` px; returns (image, scale).

    .. deprecated:: 0.2
       The OCR engines size lines from the detector's boxes; this estimate is unused.
    """
    warn_deprecated("geoverify.ocr.preprocess.normalize_height", "the line boxes of detect_lines")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GeoverifyDeprecationWarning)
        est = estimate_line_height(gray)
    if est is None:
        return gray, 1.0
    scale = float(np.clip(target / est, min_scale, max_scale))
    if abs(scale - 1.0) < 0.15:
        return gray, 1.0
    interp = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
    out = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=interp)
    return np.asarray(out, dtype=np.uint8), scale
