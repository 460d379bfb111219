"""Private: perceptual hashes of video frames, with their times, and a cache of them.

The hash is imagehash's pHash (64 bits: the signs, against their median, of the 8 x 8 lowest
DCT-II coefficients of a 32 x 32 grayscale thumbnail), computed for many frames at once as
matrix products; ``tests/test_clips.py`` checks it bit for bit against ``imagehash.phash``.

pHash moves by about a third of its bits when 10 % is cut off a side, so reference frames are
hashed in 17 crops (``REFERENCE_CROPS``): whole, and 2.5 or 7.5 % off each side in every
combination. A clip cropped by up to 10 % a side then meets a hash of the reference at most
2.5 % a side from its own framing (about 0.1 of the bits, against 0.43 between unrelated
frames); an uncropped one meets its own.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import settings
from ._atomic import atomic_open

#: Side of the thumbnail that pHash reads, and of the low-frequency block kept (bits: its square).
HASH_SIDE = 32
HASH_SIZE = 8
#: Side of the square grayscale thumbnail taken from each frame; a crop of 2 px is 2.5 % of it.
THUMB_SIDE = 80
#: Crops (left, top, right, bottom, in thumbnail pixels) hashed for each reference frame.
REFERENCE_CROPS: tuple[tuple[int, int, int, int], ...] = (
    (0, 0, 0, 0),
    *((a, b, c, d) for a, b, c, d in itertools.product((2, 6), repeat=4)),
)
#: The clip's frames are hashed whole.
NO_CROP: tuple[tuple[int, int, int, int], ...] = ((0, 0, 0, 0),)
#: Seconds between the frames :func:`hash_video` keeps with ``keep=True``, at first; the
#: spacing doubles whenever more than ``MAX_KEPT`` would be kept.
KEEP_EVERY = 1.0
MAX_KEPT = 200
#: Longer side (pixels) of the frames kept.
KEPT_SIDE = 480
#: Bumped when anything that changes cached hashes changes.
CACHE_VERSION = 4


@dataclass
class VideoHashes:
    """Frame times (seconds from the first frame) and their hashes, ``(frames, variants)``
    64-bit pHashes; ``t0`` is the first frame's own time stamp."""

    times: NDArray[np.float64]
    bits: NDArray[np.uint64]
    t0: float
    duration: float
    info: dict[str, Any]
    #: ``(time, grayscale frame)`` about every ``KEEP_EVERY`` s, when asked for (the clip's,
    #: for the geometric check of an alignment without decoding the clip again).
    kept: list[tuple[float, NDArray[np.uint8]]] = field(default_factory=list)


@lru_cache(maxsize=4)
def _dct_rows(n: int, k: int) -> NDArray[np.float64]:
    """The first ``k`` rows of the (unnormalised, scipy's default) DCT-II matrix of size ``n``."""
    freq, pos = np.arange(k)[:, None], np.arange(n)[None, :]
    return np.asarray(2.0 * np.cos(np.pi * freq * (2 * pos + 1) / (2 * n)), np.float64)


def phash_batch(thumbs: NDArray[np.uint8]) -> NDArray[np.uint64]:
    """pHash (imagehash's definition) of ``(n, 32, 32)`` grayscale images, as ``n`` 64-bit
    integers (bit 63 first: the hash's first coefficient)."""
    c = _dct_rows(HASH_SIDE, HASH_SIZE)
    coeffs = np.einsum("ij,fjk,lk->fil", c, thumbs.astype(np.float64), c, optimize=True)
    flat = coeffs.reshape(len(coeffs), -1)
    med = np.median(flat, axis=1, keepdims=True)
    return np.packbits(flat > med, axis=1).view(">u8").astype(np.uint64).ravel()


@lru_cache(maxsize=32)
def _area_matrix(n: int, m: int) -> NDArray[np.float64]:
    """``(m, n)`` weights that average ``n`` samples down to ``m`` (area resampling)."""
    edges = np.arange(m + 1) * (n / m)
    lo, hi = edges[:-1, None], edges[1:, None]
    j = np.arange(n)[None, :]
    overlap = np.clip(np.minimum(hi, j + 1) - np.maximum(lo, j), 0, None)
    return np.asarray(overlap / (n / m), np.float64)


@lru_cache(maxsize=8)
def _crop_dct(n: int, cuts: tuple[tuple[int, int], ...]) -> NDArray[np.float32]:
    """For each ``(first, last)`` cut of a side of ``n`` pixels: the ``HASH_SIZE`` lowest DCT
    rows of the crop resampled to ``HASH_SIDE``, as weights on the uncropped pixels
    (``(cuts * HASH_SIZE, n)``)."""
    c = _dct_rows(HASH_SIDE, HASH_SIZE)
    blocks = []
    for first, last in cuts:
        w = np.zeros((HASH_SIZE, n))
        w[:, first : n - last] = c @ _area_matrix(n - first - last, HASH_SIDE)
        blocks.append(w)
    return np.asarray(np.concatenate(blocks), np.float32)


def crop_hashes(
    thumbs: NDArray[np.uint8], crops: tuple[tuple[int, int, int, int], ...]
) -> NDArray[np.uint64]:
    """pHash of each ``(n, THUMB_SIDE, THUMB_SIDE)`` thumbnail in each crop
    ``(left, top, right, bottom)``: ``(n, crops)``.

    The crop, its area resampling to 32 x 32 and the low DCT rows are one linear map a side, so
    all crops come from two matrix products (the 32 x 32 thumbnail is not rounded to bytes on
    the way, the one difference from ``imagehash.phash`` of the cropped image)."""
    n_frames, side = thumbs.shape[0], thumbs.shape[1]
    vertical = sorted({(t, b) for _, t, _, b in crops})
    horizontal = sorted({(left, r) for left, _, r, _ in crops})
    rows = _crop_dct(side, tuple(vertical))  # (V*8, side)
    cols = _crop_dct(side, tuple(horizontal))  # (H*8, side)
    x = thumbs.astype(np.float32)  # float32 products: the signs, not the last bits, matter
    # rows @ x for every frame at once: (V*8, side) @ (side, frames*side)
    left = rows @ x.transpose(1, 0, 2).reshape(side, -1)
    left = left.reshape(len(vertical) * HASH_SIZE, n_frames, side).transpose(1, 0, 2)
    low = left.reshape(-1, side) @ cols.T  # (frames*V*8, H*8)
    low = low.reshape(n_frames, len(vertical), HASH_SIZE, len(horizontal), HASH_SIZE)
    vi = np.array([vertical.index((t, b)) for _, t, _, b in crops])
    hi = np.array([horizontal.index((le, r)) for le, _, r, _ in crops])
    coeffs = low[:, vi, :, hi, :]  # (crops, frames, 8, 8): advanced indices first
    flat = coeffs.transpose(1, 0, 2, 3).reshape(n_frames * len(crops), -1)
    med = np.median(flat, axis=1, keepdims=True)
    bits = np.packbits(flat > med, axis=1).view(">u8").astype(np.uint64)
    return bits.reshape(n_frames, len(crops))


def _thumb(frame: Any, rotation: int, reformatter: Any) -> NDArray[np.uint8]:
    """A decoded frame as a ``THUMB_SIDE`` square grayscale thumbnail (FFmpeg scales it; one
    reformatter keeps its conversion context from frame to frame)."""
    small = reformatter.reformat(
        frame, width=THUMB_SIDE, height=THUMB_SIDE, format="gray", interpolation="AREA"
    )
    img = np.asarray(small.to_ndarray(), dtype=np.uint8)[:, :THUMB_SIDE]
    k = int(round(rotation / 90)) % 4
    return np.ascontiguousarray(np.rot90(img, k)) if k else img


def hash_video(
    path: Path,
    step: float,
    crops: tuple[tuple[int, int, int, int], ...],
    mirror: bool = False,
    keep: bool = False,
) -> VideoHashes:
    """Decode ``path`` once and hash a frame every ``step`` seconds (by its time stamp, so any
    frame rate gives the same grid); with ``mirror``, the mirrored frames' hashes follow the
    others (``bits[:, len(crops):]``); with ``keep``, grayscale frames are kept too
    (``VideoHashes.kept``)."""
    from tqdm.auto import tqdm

    from ._video import iter_video, reformatter

    # one reformatter per output size: each keeps its FFmpeg context only while the size stays
    thumb_scaler, gray_scaler = reformatter(), reformatter()
    info: dict[str, Any] = {}
    times: list[float] = []
    thumbs: list[NDArray[np.uint8]] = []
    t0: float | None = None
    next_t = -np.inf
    bar = tqdm(desc=f"hashing {path.name}", unit="frame", disable=not settings.progress)
    last = 0.0
    kept: list[tuple[float, NDArray[np.uint8]]] = []
    keep_every, next_keep = KEEP_EVERY, 0.0
    with bar:
        for t, frame, rot in iter_video(path, None, None, info, bar):
            t0 = t if t0 is None else t0
            last = t - t0
            if last + 1e-6 < next_t:
                continue
            next_t = (np.floor(last / step + 1e-6) + 1) * step
            times.append(last)
            thumbs.append(_thumb(frame, rot, thumb_scaler))
            if keep and last + 1e-6 >= next_keep:
                kept.append((last, _gray(frame, rot, gray_scaler)))
                next_keep = last + keep_every
                if len(kept) > MAX_KEPT:  # a long clip: keep every other, twice as far apart
                    kept, keep_every = kept[::2], 2 * keep_every
    stack = np.stack(thumbs)
    bits = crop_hashes(stack, crops)
    if mirror:
        bits = np.concatenate(
            [bits, crop_hashes(np.ascontiguousarray(stack[:, :, ::-1]), crops)], 1
        )
    fps = info.get("fps_nominal") or 25.0
    return VideoHashes(
        times=np.asarray(times, np.float64),
        bits=bits,
        t0=float(t0 or 0.0),
        duration=last + 1.0 / fps,
        info={k: info.get(k) for k in ("size", "codec", "fps_nominal", "frames_decoded")},
        kept=kept,
    )


def _gray(frame: Any, rotation: int, reformatter: Any) -> NDArray[np.uint8]:
    """A decoded frame in grayscale, at most ``KEPT_SIDE`` pixels a side, upright."""
    s = min(1.0, KEPT_SIDE / max(frame.width, frame.height))
    w, h = max(2, round(frame.width * s)), max(2, round(frame.height * s))
    small = reformatter.reformat(frame, width=w, height=h, format="gray", interpolation="AREA")
    img = np.asarray(small.to_ndarray(), np.uint8)[:, :w]
    k = int(round(rotation / 90)) % 4
    return np.ascontiguousarray(np.rot90(img, k)) if k else img


def _cache_file(digest: str, step: float, crops: tuple[tuple[int, int, int, int], ...]) -> Path:
    params = json.dumps([CACHE_VERSION, step, crops, THUMB_SIDE, HASH_SIDE, HASH_SIZE])
    key = hashlib.sha256(f"{digest}:{params}".encode()).hexdigest()[:32]
    return settings.cache_path("clip-hashes", f"{key}.npz")


def reference_hashes(path: Path, digest: str, step: float) -> tuple[VideoHashes, bool]:
    """The hashes of a reference video, from the cache (keyed by the file's sha256 and the
    parameters) or decoded now and cached; and whether they came from the cache."""
    cache = _cache_file(digest, step, REFERENCE_CROPS)
    if cache.is_file():
        try:
            with np.load(cache, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                return (
                    VideoHashes(
                        times=z["times"],
                        bits=z["bits"],
                        t0=float(meta["t0"]),
                        duration=float(meta["duration"]),
                        info=dict(meta["info"]),
                    ),
                    True,
                )
        except (OSError, ValueError, KeyError, TypeError):
            pass  # a damaged cache entry is rebuilt
    hashes = hash_video(path, step, REFERENCE_CROPS)
    buf = io.BytesIO()
    meta = {"t0": hashes.t0, "duration": hashes.duration, "info": hashes.info, "file": digest}
    np.savez(buf, times=hashes.times, bits=hashes.bits, meta=np.asarray(json.dumps(meta)))
    with atomic_open(cache, "wb") as fh:
        fh.write(buf.getvalue())
    return hashes, False


def popcount(x: NDArray[np.uint64]) -> NDArray[np.uint8]:
    """Set bits of each 64-bit integer."""
    if hasattr(np, "bitwise_count"):  # numpy >= 2.0
        return np.asarray(np.bitwise_count(x), np.uint8)
    table = np.array([bin(i).count("1") for i in range(256)], np.uint8)
    return np.asarray(table[x.view(np.uint8).reshape(*x.shape, 8)].sum(-1), np.uint8)
