"""Pixel-level helpers shared by the frame, OCR and report stages (private)."""

from __future__ import annotations

import base64
import hashlib
import io
from typing import Any

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


def _shifted_diffs(
    a: NDArray[np.float32], b: NDArray[np.float32], max_shift: int
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """|a - b| for ``b`` shifted by up to ``max_shift`` columns and one row, all shifts at once:
    the differences, shape (shifts, cells), NaN outside the overlap, and each overlap's size."""
    if a.shape != b.shape:
        raise ValueError(f"signatures differ in shape: {a.shape} vs {b.shape}")
    h, w = a.shape
    pads = ((1, 1), (max_shift, max_shift))
    padded = np.pad(b.astype(np.float32), pads, constant_values=np.nan)
    wins = np.lib.stride_tricks.sliding_window_view(padded, a.shape)
    diff = np.abs(wins - a.astype(np.float32)[None, None]).reshape(-1, a.size)
    sizes = np.array(
        [
            (h - abs(dy)) * (w - abs(dx))
            for dy in (-1, 0, 1)
            for dx in range(-max_shift, max_shift + 1)
        ],
        dtype=np.float32,
    )
    return np.asarray(diff, dtype=np.float32), sizes


def view_distance(a: NDArray[np.float32], b: NDArray[np.float32], max_shift: int = 3) -> float:
    """Mean absolute difference (0-255) of two signatures, minimised over small horizontal and
    vertical shifts, so that a slow pan or a shaking hand does not count as a new view."""
    diff, sizes = _shifted_diffs(a, b, max_shift)
    return float((np.nan_to_num(diff, copy=False).sum(axis=1) / sizes).min())


def view_distance_p90(a: NDArray[np.float32], b: NDArray[np.float32], max_shift: int = 3) -> float:
    """Like :func:`view_distance` but the 90th percentile of the cell differences: a sign that
    moved or appeared changes a few cells a lot, which a mean over a plain wall hides."""
    diff, _ = _shifted_diffs(a, b, max_shift)
    return float(np.nanpercentile(diff, 90, axis=1).min())


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


#: Pixel formats whose first plane is 8-bit luma, readable without a colour conversion.
_LUMA8_FORMATS = frozenset(
    {"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "nv12", "nv21", "gray"}
)


def video_luma(frame: Any) -> NDArray[np.uint8]:
    """The luma plane of a decoded PyAV video frame as H x W uint8, without converting to RGB.

    Reads the Y plane in place for the common 8-bit YUV formats and asks FFmpeg for ``gray``
    otherwise (10-bit, RGB, palettes). Much cheaper than ``to_ndarray(format="rgb24")``.
    """
    w, h = int(frame.width), int(frame.height)
    if frame.format.name in _LUMA8_FORMATS:
        plane = frame.planes[0]
        stride = int(plane.line_size)
        arr = np.frombuffer(plane, dtype=np.uint8)
        if arr.size >= stride * h:
            return np.asarray(arr[: stride * h].reshape(h, stride)[:, :w])
    return np.asarray(frame.to_ndarray(format="gray"), dtype=np.uint8)


def luma_signature(
    luma: NDArray[np.uint8], size: tuple[int, int] = (32, 18)
) -> NDArray[np.float32]:
    """:func:`signature` computed from a luma plane (same scale, 0-255)."""
    import cv2

    src = luma
    mid = (size[0] * 8, size[1] * 8)
    if src.shape[1] > mid[0] and src.shape[0] > mid[1]:
        # INTER_AREA at a non-integer ratio is slow (~1 ms a frame): bilinear to 8x the target
        # first, then an exact 8 x 8 box average
        src = np.asarray(cv2.resize(src, mid, interpolation=cv2.INTER_LINEAR), dtype=np.uint8)
    small = cv2.resize(np.ascontiguousarray(src), size, interpolation=cv2.INTER_AREA)
    return np.asarray(small, dtype=np.float32)


def luma_sharpness(luma: NDArray[np.uint8], max_side: int = 640) -> float:
    """:func:`sharpness` (variance of the Laplacian) computed from a luma plane."""
    import cv2

    h, w = luma.shape
    g: NDArray[np.uint8] = np.ascontiguousarray(luma)
    if max(h, w) > max_side:
        s = max_side / max(h, w)
        size = (max(1, int(w * s)), max(1, int(h * s)))
        g = np.asarray(cv2.resize(g, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    return float(cv2.Laplacian(np.asarray(g, dtype=np.float32), cv2.CV_32F).var())


def luma_is_limited(frame: Any) -> bool:
    """Whether a PyAV frame's luma uses the limited (TV, 16-235) range, as most video does."""
    name = str(frame.format.name)
    if name.startswith("yuvj") or name == "gray":
        return False
    rng = getattr(frame, "color_range", None)
    return int(rng or 0) != 2  # AVCOL_RANGE_JPEG (full) is 2; unspecified counts as limited
