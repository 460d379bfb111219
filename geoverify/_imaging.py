"""Pixel-level helpers shared by the frame, OCR and report stages (private)."""

from __future__ import annotations

import base64
import hashlib
import io

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from . import settings
from .exceptions import ImageTooLargeError, InputError

RGBImage = NDArray[np.uint8]


def to_rgb(image: NDArray[np.generic], name: str = "<array>") -> RGBImage:
    """Return ``image`` as a contiguous H x W x 3 uint8 RGB array.

    Accepts grayscale (H x W), RGB, RGBA (composited on white) and 16-bit or float images.
    """
    arr = np.asarray(image)
    if arr.ndim not in (2, 3) or arr.size == 0:
        raise InputError(
            f"{name}: expected an image array (H x W or H x W x C), got shape {arr.shape}"
        )
    if arr.ndim == 3 and arr.shape[2] not in (1, 3, 4):
        raise InputError(f"{name}: expected 1, 3 or 4 channels, got {arr.shape[2]}")
    h, w = arr.shape[:2]
    if h * w > settings.max_image_pixels:
        raise ImageTooLargeError(
            f"{name}: {w}x{h} = {w * h:,} pixels exceeds settings.max_image_pixels "
            f"({settings.max_image_pixels:,}); raise the limit if the image is trusted"
        )
    if arr.dtype == np.uint16:
        arr = (arr >> 8).astype(np.uint8)
    elif arr.dtype.kind == "f":
        scale = 255.0 if float(np.nanmax(arr)) <= 1.0 else 1.0
        arr = np.clip(np.nan_to_num(arr) * scale, 0, 255).astype(np.uint8)
    elif arr.dtype == np.bool_:
        arr = arr.astype(np.uint8) * 255
    elif arr.dtype != np.uint8:
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    if arr.ndim == 2:
        arr = np.stack([arr] * 3, axis=-1)
    elif arr.shape[2] == 1:
        arr = np.repeat(arr, 3, axis=2)
    elif arr.shape[2] == 4:
        alpha = arr[..., 3:4].astype(np.float32) / 255.0
        arr = (arr[..., :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)).astype(np.uint8)
    return np.ascontiguousarray(arr)


def pixel_sha256(image: RGBImage) -> str:
    """sha256 of an image's pixels and shape (not of any file encoding)."""
    h = hashlib.sha256()
    h.update(repr(image.shape).encode())
    h.update(np.ascontiguousarray(image).tobytes())
    return h.hexdigest()


def gray(image: RGBImage) -> NDArray[np.float32]:
    """Luma (ITU-R BT.601) as float32."""
    img = image.astype(np.float32)
    return 0.299 * img[..., 0] + 0.587 * img[..., 1] + 0.114 * img[..., 2]


def sharpness(image: RGBImage, max_side: int = 640) -> float:
    """Variance of the Laplacian: higher is sharper (a standard focus measure)."""
    import cv2

    g = gray(image)
    h, w = g.shape
    if max(h, w) > max_side:
        s = max_side / max(h, w)
        g = np.asarray(
            cv2.resize(g, (max(1, int(w * s)), max(1, int(h * s))), interpolation=cv2.INTER_AREA),
            dtype=np.float32,
        )
    return float(cv2.Laplacian(g, cv2.CV_32F).var())


def dhash(image: RGBImage, size: int = 16) -> NDArray[np.bool_]:
    """Difference hash (size x size bits): robust to compression, small shifts and brightness."""
    import cv2

    g = gray(image)
    small = cv2.resize(g, (size + 1, size), interpolation=cv2.INTER_AREA)
    return (small[:, 1:] > small[:, :-1]).ravel()


def signature(image: RGBImage, size: tuple[int, int] = (32, 18)) -> NDArray[np.float32]:
    """A tiny grayscale thumbnail that stands for a view (for cut and drift detection)."""
    import cv2

    return np.asarray(cv2.resize(gray(image), size, interpolation=cv2.INTER_AREA), dtype=np.float32)


def view_distance(a: NDArray[np.float32], b: NDArray[np.float32], max_shift: int = 3) -> float:
    """Mean absolute difference (0-255) of two signatures, minimised over small horizontal and
    vertical shifts, so that a slow pan or a shaking hand does not count as a new view."""
    best = float("inf")
    h, w = a.shape
    for dy in range(-1, 2):
        for dx in range(-max_shift, max_shift + 1):
            A = a[max(0, dy) : h + min(0, dy), max(0, dx) : w + min(0, dx)]
            B = b[max(0, -dy) : h + min(0, -dy), max(0, -dx) : w + min(0, -dx)]
            best = min(best, float(np.mean(np.abs(A - B))))
    return best


def hamming(a: NDArray[np.bool_], b: NDArray[np.bool_]) -> float:
    """Share of differing bits between two hashes (0..1)."""
    return float(np.count_nonzero(a != b)) / float(a.size)


def thumbnail(image: RGBImage, max_side: int = 160) -> Image.Image:
    """A small PIL copy of an image."""
    im = Image.fromarray(image)
    im.thumbnail((max_side, max_side))
    return im


def data_uri(image: RGBImage, max_side: int = 160, fmt: str = "JPEG") -> str:
    """``data:`` URI of a thumbnail, for HTML that must stay self-contained."""
    buf = io.BytesIO()
    im = thumbnail(image, max_side)
    im.save(buf, format=fmt, quality=80) if fmt == "JPEG" else im.save(buf, format=fmt)
    mime = "image/jpeg" if fmt == "JPEG" else "image/png"
    return f"data:{mime};base64,{base64.b64encode(buf.getvalue()).decode('ascii')}"
