"""Pixel-level helpers shared by the frame, OCR and report stages (private)."""

from __future__ import annotations

import base64
import hashlib
import io
import math
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from . import settings
from .exceptions import ImageTooLargeError, InputError

RGBImage = NDArray[np.uint8]


def check_pixels(width: int, height: int, name: str, frames: int = 1, what: str = "") -> None:
    """Refuse an image (or ``frames`` of them) with more pixels than ``settings.max_image_pixels``.

    Parameters
    ----------
    width, height
        The size of one image, in pixels.
    name
        What to call it in the message (a file name).
    frames
        How many such images are decoded together (an animation, a video's frames so far).
    what
        What they are, for the message (``"video stream"``, ``"frames of an animation"``).

    Raises
    ------
    ImageTooLargeError
        Naming ``name``, the size and the limit.
    """
    total = int(width) * int(height) * max(1, int(frames))
    if total > settings.max_image_pixels:
        count = f"{frames} x " if frames > 1 else ""
        kind = f" ({what})" if what else ""
        raise ImageTooLargeError(
            f"{name}: {count}{width}x{height} = {total:,} pixels{kind} exceeds "
            f"settings.max_image_pixels ({settings.max_image_pixels:,}); raise the limit if "
            f"the file is trusted"
        )


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
    check_pixels(arr.shape[1], arr.shape[0], name)
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


#: Pillow modes whose pixels carry transparency (composited on white by :func:`pil_to_rgb`).
_ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}


def pil_to_rgb(im: Image.Image, name: str = "<image>") -> RGBImage:
    """Return a PIL image of any mode as an H x W x 3 uint8 RGB array.

    Parameters
    ----------
    im
        A decoded PIL image: RGB, L, 1, CMYK (JPEG/TIFF), YCbCr, LAB, HSV, 16- and 32-bit
        integer (``I;16*``, ``I``) or float (``F``) grayscale, and modes with transparency
        (RGBA, LA, PA, P or L/RGB with a transparent colour), composited on white.
    name
        What to call the image in messages.

    Returns
    -------
    numpy.ndarray
        RGB pixels. Deep grayscale is scaled by its declared depth (``I;16``: 0..65535),
        ``I`` by its range (0..255, 0..65535, else stretched), ``F`` as 0..1 or 0..255.

    Raises
    ------
    InputError
        A mode that cannot be converted. :class:`~geoverify.exceptions.ImageTooLargeError`
        above ``settings.max_image_pixels``.
    """
    mode = im.mode
    check_pixels(im.size[0], im.size[1], name)
    try:
        if mode.startswith("I;16"):
            arr: NDArray[Any] = np.asarray(im).astype(np.uint16)
        elif mode in ("I", "F"):
            arr = _deep_to_uint8(np.asarray(im), mode)
        elif mode in _ALPHA_MODES or "transparency" in im.info:
            arr = np.asarray((im.convert("LA") if mode == "La" else im).convert("RGBA"))
        elif mode in ("RGB", "L"):
            arr = np.asarray(im)
        else:  # 1, CMYK, YCbCr, LAB, HSV, RGBX, ...: Pillow knows the colour maths
            arr = np.asarray(im.convert("RGB"))
    except (ValueError, OSError) as exc:
        raise InputError(f"{name}: cannot convert Pillow mode {mode!r} to RGB ({exc})") from exc
    return to_rgb(arr, name)


def _deep_to_uint8(arr: NDArray[Any], mode: str) -> NDArray[np.uint8]:
    """32-bit integer or float grayscale as uint8: by its range (0..1 and 0..255 for floats,
    0..255 and 0..65535 for both), else stretched from its minimum to its maximum."""
    vals = np.nan_to_num(arr.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    lo, hi = (float(vals.min()), float(vals.max())) if vals.size else (0.0, 0.0)
    if lo >= 0 and hi <= (1.0 if mode == "F" else 0.0):
        scale, offset = 255.0, 0.0
    elif lo >= 0 and hi <= 255:
        scale, offset = 1.0, 0.0
    elif lo >= 0 and hi <= 65535:
        scale, offset = 255.0 / 65535.0, 0.0
    else:
        scale, offset = 255.0 / max(hi - lo, 1e-12), lo
    return np.clip(np.rint((vals - offset) * scale), 0, 255).astype(np.uint8)


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


# --------------------------------------------------------------------------- video frames
# Keyframe selection looks at every few decoded frames. Converting each to RGB costs more than
# decoding it, so these helpers work on the luma plane as FFmpeg decoded it, and on small
# thumbnails of it.

#: Pixel formats whose first plane is 8-bit luma, readable without a colour conversion.
_LUMA8_FORMATS = frozenset(
    {"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "nv12", "nv21", "gray"}
)
#: ... and those whose first plane is 10/12-bit little-endian luma.
_LUMA16_SHIFT = {
    "yuv420p10le": 2,
    "yuv422p10le": 2,
    "yuv444p10le": 2,
    "p010le": 8,
    "yuv420p12le": 4,
    "yuv422p12le": 4,
    "yuv444p12le": 4,
    "gray10le": 2,
    "gray12le": 4,
}


def video_luma(frame: Any) -> NDArray[np.uint8]:
    """The luma plane of a decoded PyAV video frame as H x W uint8, without converting to RGB.

    Reads the Y plane in place for the common 8-bit YUV formats, shifts 10/12-bit luma down to
    8 bits, and asks FFmpeg for ``gray`` otherwise (RGB, palettes). The result is a view of the
    frame's buffer for 8-bit formats: use it before the frame is released.
    """
    w, h = int(frame.width), int(frame.height)
    name = str(frame.format.name)
    if name in _LUMA8_FORMATS:
        plane = frame.planes[0]
        stride = int(plane.line_size)
        arr = np.frombuffer(plane, dtype=np.uint8)
        if arr.size >= stride * h:
            return np.asarray(arr[: stride * h].reshape(h, stride)[:, :w])
    elif name in _LUMA16_SHIFT:
        plane = frame.planes[0]
        stride = int(plane.line_size) // 2
        arr16 = np.frombuffer(plane, dtype=np.uint16)
        if arr16.size >= stride * h:
            y16 = arr16[: stride * h].reshape(h, stride)[:, :w] >> _LUMA16_SHIFT[name]
            return np.asarray(y16, dtype=np.uint8)
    return np.asarray(frame.to_ndarray(format="gray"), dtype=np.uint8)


def luma_pyramid(
    luma: NDArray[np.uint8], max_width: int = 160, min_width: int = 80
) -> tuple[NDArray[np.uint8], NDArray[np.float32]]:
    """Halve ``luma`` (2 x 2 box averages) down to about an eighth of its width, kept between
    ``min_width`` and ``max_width`` (as far as halving allows).

    Returns
    -------
    half : numpy.ndarray
        The first level (half size, or ``luma`` itself when it is already small), for
        :func:`laplacian_sharpness`.
    thumb : numpy.ndarray
        The last level as float32, lightly blurred: the view's thumbnail for
        :func:`phase_shift` and :func:`aligned_difference`.
    """
    import cv2

    target = min(max_width, max(min_width, luma.shape[1] // 8))
    level = luma
    half: NDArray[np.uint8] | None = None
    while level.shape[1] // 2 >= target and level.shape[0] >= 16:
        # exact halvings with INTER_AREA: 2 x 2 box averages, OpenCV's fastest resize path
        size = (level.shape[1] // 2, level.shape[0] // 2)
        level = np.asarray(
            cv2.resize(level[: 2 * size[1], : 2 * size[0]], size, interpolation=cv2.INTER_AREA)
        )
        if half is None:
            half = level
    # crop to sizes whose Fourier transforms are fast (products of 2, 3 and 5)
    th, tw = _fft_size(level.shape[0]), _fft_size(level.shape[1])
    thumb = np.asarray(level[:th, :tw], dtype=np.float32)
    thumb = np.asarray(cv2.GaussianBlur(thumb, (5, 5), 1.0), dtype=np.float32)
    return (luma if half is None else half), thumb


def _fft_size(n: int) -> int:
    """The largest product of 2, 3 and 5 not above ``n`` (for ``n`` >= 1)."""
    for m in range(n, 0, -1):
        k = m
        for p in (2, 3, 5):
            while k % p == 0:
                k //= p
        if k == 1:
            return m
    return n


def laplacian_sharpness(gray8: NDArray[np.uint8]) -> float:
    """Energy of the Laplacian (mean square; its mean is about 0, so this is its variance) of an
    8-bit grayscale image: higher is sharper, a standard focus measure."""
    import cv2

    lap = cv2.Laplacian(np.ascontiguousarray(gray8), cv2.CV_16S)
    return float(cv2.norm(lap, cv2.NORM_L2SQR)) / max(1, int(lap.size))


_WINDOWS: dict[tuple[int, int], NDArray[np.float32]] = {}


def phase_shift(a: NDArray[np.float32], b: NDArray[np.float32]) -> tuple[float, float, float]:
    """How far ``b`` is shifted from ``a`` (``b[y + dy, x + dx] ~ a[y, x]``), by phase correlation.

    Returns
    -------
    dx, dy : float
        The shift in thumbnail pixels (sub-pixel).
    response : float
        The correlation peak (about 1 for the same view moved, near 0 for unrelated views).
    """
    import cv2

    win = _WINDOWS.get(a.shape)
    if win is None:
        win = np.asarray(cv2.createHanningWindow((a.shape[1], a.shape[0]), cv2.CV_32F))
        _WINDOWS[a.shape] = win
    # windowed copies: OpenCV 5's phaseCorrelate(a, b, window) writes the window into its inputs
    (dx, dy), response = cv2.phaseCorrelate(a * win, b * win)
    return float(dx), float(dy), float(response)


def aligned_difference(
    a: NDArray[np.float32], b: NDArray[np.float32], dx: float, dy: float, cell: int = 4
) -> tuple[float, float, float, float]:
    """How much ``b`` differs from ``a`` moved by ``(dx, dy)``, on the overlap of the two.

    The difference (with the mean brightness change removed) is averaged over ``cell`` x
    ``cell`` blocks, so that compression noise and fine texture cancel out while a sign that
    appears, changes or moves shows.

    Returns
    -------
    mean, p90, p99, max : float
        Statistics of the absolute block differences (0-255 scale): the bulk of the view
        (``mean``, ``p90``) and its most changed parts (``p99``, ``max``); all 255 when the two
        do not overlap enough to compare.
    """
    dev = _aligned_blocks(a, b, dx, dy, cell)
    if dev is None:
        return 255.0, 255.0, 255.0, 255.0
    k90, k99 = int(0.9 * (dev.size - 1)), int(0.99 * (dev.size - 1))
    part = np.partition(dev, (k90, k99))
    return float(dev.mean()), float(part[k90]), float(part[k99]), float(dev.max())


def residual_summary(
    a: NDArray[np.float32], b: NDArray[np.float32], dx: float, dy: float, cell: int = 4
) -> tuple[float, float, float]:
    """The aligned block differences of :func:`aligned_difference` summed up for motion
    estimation: how well the shift ``(dx, dy)`` explains ``b``.

    Returns
    -------
    mean, median, p99 : float
        Statistics of the absolute block differences (0-255 scale): ``mean`` for a cut,
        ``median`` for the bulk of the view (which something moving through a part of it does
        not change) and ``p99`` for its most changed parts; all 255 when the two do not overlap
        enough to compare.
    """
    dev = _aligned_blocks(a, b, dx, dy, cell)
    if dev is None:
        return 255.0, 255.0, 255.0
    k50, k99 = (dev.size - 1) // 2, int(0.99 * (dev.size - 1))
    part = np.partition(dev, (k50, k99))
    return float(dev.mean()), float(part[k50]), float(part[k99])


def bulk_difference(
    a: NDArray[np.float32], b: NDArray[np.float32], dx: float, dy: float, cell: int = 4
) -> float:
    """The median of the aligned block differences of :func:`aligned_difference` (0-255):
    how much the bulk of the view changed, which a car or a person passing does not move
    (255 when the two do not overlap enough to compare)."""
    dev = _aligned_blocks(a, b, dx, dy, cell)
    return 255.0 if dev is None else float(np.median(dev))


def _aligned_blocks(
    a: NDArray[np.float32], b: NDArray[np.float32], dx: float, dy: float, cell: int
) -> NDArray[np.float32] | None:
    """The absolute block differences of :func:`aligned_difference`, flat; None when the two
    do not overlap enough to compare."""
    import cv2

    h, w = a.shape
    if abs(dx) >= w / 2 or abs(dy) >= h / 2:
        return None
    moved: NDArray[np.float32] = a
    if dx != 0.0 or dy != 0.0:
        shift = np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]], dtype=np.float32)
        moved = np.asarray(
            cv2.warpAffine(
                a, shift, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
            ),
            dtype=np.float32,
        )
    x0, y0 = int(max(0.0, dx)) + 1, int(max(0.0, dy)) + 1
    x1, y1 = w - int(max(0.0, -dx)) - 1, h - int(max(0.0, -dy)) - 1
    hh, ww = (y1 - y0) // cell * cell, (x1 - x0) // cell * cell
    if hh <= 0 or ww <= 0:
        return None
    diff = b[y0 : y0 + hh, x0 : x0 + ww] - moved[y0 : y0 + hh, x0 : x0 + ww]
    blocks = cv2.resize(diff, (ww // cell, hh // cell), interpolation=cv2.INTER_AREA)
    return np.asarray(np.abs(blocks - float(blocks.mean())).ravel(), dtype=np.float32)


def block_deviation(
    recent: NDArray[np.float32],
    current: NDArray[np.float32],
    dx: float,
    dy: float,
    cell: int = 4,
) -> tuple[NDArray[np.float32], NDArray[np.bool_]]:
    """How much each ``cell`` x ``cell`` block of ``current`` differs from ``recent`` moved by
    ``(dx, dy)`` (the camera's motion between the two), the median block difference (a
    brightness change) removed.

    Returns
    -------
    deviation : numpy.ndarray
        Absolute block differences (0-255) on the block grid of :func:`view_change`
        (``h // cell`` x ``w // cell``).
    outside : numpy.ndarray
        Booleans on the same grid: the blocks not wholly inside the overlap of the two, which
        cannot be compared (all when the shift is half the frame or more).
    """
    import cv2

    h, w = recent.shape
    hh, ww = h // cell * cell, w // cell * cell
    size = (ww // cell, hh // cell)
    if abs(dx) >= w / 2 or abs(dy) >= h / 2 or size[0] < 2 or size[1] < 2:
        shape = (size[1], size[0])
        return np.zeros(shape, dtype=np.float32), np.ones(shape, dtype=bool)
    shift = np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]], dtype=np.float32)
    moved = cv2.warpAffine(
        recent, shift, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    blocks = cv2.resize(current[:hh, :ww] - moved[:hh, :ww], size, interpolation=cv2.INTER_AREA)
    dev = np.asarray(np.abs(blocks - float(np.median(blocks))), dtype=np.float32)
    bx0, by0 = -(-math.ceil(max(0.0, dx)) // cell), -(-math.ceil(max(0.0, dy)) // cell)
    bx1, by1 = (w - math.ceil(max(0.0, -dx))) // cell, (h - math.ceil(max(0.0, -dy))) // cell
    outside = np.ones(dev.shape, dtype=bool)
    outside[by0:by1, bx0:bx1] = False
    return dev, outside


def moving_blocks(
    recent: NDArray[np.float32],
    current: NDArray[np.float32],
    dx: float,
    dy: float,
    threshold: float,
    cell: int = 4,
) -> NDArray[np.bool_]:
    """Which ``cell`` x ``cell`` blocks of ``current`` are still in motion: those that differ
    by more than ``threshold`` (0-255, see :func:`block_deviation`) from ``recent`` moved by
    ``(dx, dy)`` (the camera's motion between the two), or that lie outside their overlap.

    Returns
    -------
    numpy.ndarray
        Booleans on the block grid of :func:`view_change` (``h // cell`` x ``w // cell``),
        grown by one block on each side (a moving object's blurred edges).
    """
    import cv2

    dev, outside = block_deviation(recent, current, dx, dy, cell)
    if outside.all():
        return outside
    moving = dev > threshold
    grown = cv2.dilate(moving.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    return np.asarray(grown | outside, dtype=bool)


def view_change(
    anchor: NDArray[np.float32],
    current: NDArray[np.float32],
    dx: float,
    dy: float,
    cell: int = 4,
    moving: NDArray[np.bool_] | None = None,
    known: NDArray[np.float32] | None = None,
) -> float:
    """How much ``current`` shows that ``anchor`` moved by ``(dx, dy)`` did not (0-255).

    The 99th percentile of the aligned block differences on the overlap of the two (see
    :func:`aligned_difference`), leaving out what a still overlay explains: blocks that did
    not change where they are in the frame while the camera moved (a burnt-in logo, caption
    or timestamp) and the places the alignment moved them to.

    ``moving`` (from :func:`moving_blocks`) leaves out the blocks of ``current`` still in
    motion, so that only a change that has settled counts (a sign put up, not a car driving
    through); ``known`` (same shape as ``anchor``, 1 where it holds a view, 0 where not)
    leaves out the parts of ``anchor`` not known yet. 0 when nothing is left to compare.
    """
    import cv2

    h, w = anchor.shape
    if abs(dx) >= w / 2 or abs(dy) >= h / 2:
        return 255.0
    hh, ww = h // cell * cell, w // cell * cell
    size = (ww // cell, hh // cell)
    if size[0] < 2 or size[1] < 2:
        return 255.0
    shift = np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]], dtype=np.float32)
    moved = cv2.warpAffine(
        anchor, shift, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    cur = current[:hh, :ww]
    aligned = cv2.resize(cur - moved[:hh, :ww], size, interpolation=cv2.INTER_AREA)
    # blocks wholly inside the overlap of the two views
    bx0, by0 = -(-(int(max(0.0, dx)) + 1) // cell), -(-(int(max(0.0, dy)) + 1) // cell)
    bx1, by1 = (w - int(max(0.0, -dx)) - 1) // cell, (h - int(max(0.0, -dy)) - 1) // cell
    valid = np.zeros((size[1], size[0]), dtype=bool)
    valid[by0:by1, bx0:bx1] = True
    if valid.sum() < 4:
        return 255.0
    if moving is not None:
        valid &= ~moving
    if known is not None:
        seen = cv2.warpAffine(known, shift, (w, h), flags=cv2.INTER_LINEAR)
        valid &= cv2.resize(seen[:hh, :ww], size, interpolation=cv2.INTER_AREA) > 0.99
    if (moving is not None or known is not None) and valid.sum() < 4:
        return 0.0
    aligned = np.abs(aligned - float(aligned[valid].mean()))
    sx, sy = int(round(dx / cell)), int(round(dy / cell))
    if sx or sy:
        fixed = cv2.resize(cur - anchor[:hh, :ww], size, interpolation=cv2.INTER_AREA)
        still = (np.abs(fixed) < 4.0) & (aligned > 6.0)
        if still.any():
            ys, xs = np.nonzero(still)
            ys, xs = ys + sy, xs + sx
            inside = (ys >= 0) & (ys < size[1]) & (xs >= 0) & (xs < size[0])
            ghost = np.zeros_like(still)
            ghost[ys[inside], xs[inside]] = True
            keep = valid & ~still & ~ghost
            if keep.sum() >= 0.5 * valid.sum():
                valid = keep
    dev = aligned[valid]
    k = int(0.99 * (dev.size - 1))
    return float(np.partition(dev, k)[k])
