"""Captions: text put on the video by an editor, not text in the scene (private).

Two pixel rules, neither looking at what the text says:

*overlay*
    The line's box holds the same ink in another frame of the same video while the picture
    behind it changed (a cut or the camera moved): a burned-in label, a lower third, a logo.
    A sign in the scene moves with the scene; under a still camera the picture does not change.
*title card*
    The line sits on a frame that is flat colour apart from its text (almost no edges outside
    the text boxes): a title card or an end card. A scene, even a drawn one, has edges.

Both look only at video frames (a photo has no other frame to compare, and a photographed page
is flat too). What they find is a reason, not a verdict: :func:`geoverify.mark_captions` sets
the kind only where none was given, and the investigator overrides it with ``set_kind`` or
``review``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .frames import Frame

#: Pixels around a text box (in line heights) left out when judging what lies around the text.
_PAD = 0.5
#: Title card: a luma step above this (0-255) between neighbouring pixels is an edge ...
_EDGE_STEP = 8.0
#: ... and a frame whose pixels outside its text are edges at most this often is flat.
#: (The demo's title card: 0.2 %; its drawn street scenes 2.3-3.7 %; real footage 4-34 %.)
_FLAT_EDGES = 0.008
#: ... judged only where the text leaves at least this share of the frame to look at.
_MIN_LEFT = 0.25
#: Overlay: the gradients inside the box correlate at least this much between the two frames ...
_SAME_INK = 0.6
#: ... and at least a quarter of its pixels change by at most this much (0-255): the ink, or
#: the bar under it, stays while what shows through may change.
_STILL_LUMA = 10.0
#: The picture behind changed: the median difference of 160-px-wide thumbnails outside the box
#: (0-255) is at least this: a cut or camera motion (real footage 30-60, the demo's cuts 24-161),
#: not a person walking past a still camera (bikes.mp4: 5-16).
_BEHIND_CHANGED = 20.0
#: Other frames of a video compared with each line, spread over the video (bounds the cost).
_MAX_COMPARED = 24
_THUMB_WIDTH = 160

Box = tuple[int, int, int, int]


def _luma(image: NDArray[np.uint8]) -> NDArray[np.float32]:
    """Luma (ITU-R BT.601) of an RGB image or crop, as float32."""
    img = image.astype(np.float32)
    return 0.299 * img[..., 0] + 0.587 * img[..., 1] + 0.114 * img[..., 2]


class _FrameCache:
    """Thumbnails of frames, computed once (small: the full-size luma is never kept, so a
    long video's frames cost no more memory here than their thumbnails)."""

    def __init__(self) -> None:
        self._thumb: dict[int, NDArray[np.float32]] = {}

    def thumb(self, f: Frame) -> NDArray[np.float32]:
        import cv2

        if f.index not in self._thumb:
            h, w = f.image.shape[:2]
            tw = min(_THUMB_WIDTH, w)
            th = max(1, round(h * tw / w))
            small = cv2.resize(f.image, (tw, th), interpolation=cv2.INTER_AREA)
            self._thumb[f.index] = _luma(np.asarray(small, np.uint8))
        return self._thumb[f.index]


def _crop(f: Frame, b: Box) -> NDArray[np.float32]:
    return _luma(f.image[b[1] : b[3], b[0] : b[2]])


def _box(row: Any, shape: tuple[int, ...]) -> Box | None:
    """The row's text box clipped to the frame, or None where it has none."""
    try:
        x0, y0, x1, y1 = (float(row[c]) for c in ("x0", "y0", "x1", "y1"))
    except (KeyError, TypeError, ValueError):
        return None
    if not all(np.isfinite([x0, y0, x1, y1])):
        return None
    h, w = shape[:2]
    b = (max(0, int(x0)), max(0, int(y0)), min(w, int(np.ceil(x1))), min(h, int(np.ceil(y1))))
    return b if b[2] - b[0] >= 4 and b[3] - b[1] >= 4 else None


def _padded(b: Box, shape: tuple[int, ...]) -> Box:
    m = int(np.ceil(_PAD * (b[3] - b[1])))
    h, w = shape[:2]
    return max(0, b[0] - m), max(0, b[1] - m), min(w, b[2] + m), min(h, b[3] + m)


def flat_card_edges(luma: NDArray[np.float32], boxes: list[Box]) -> float:
    """Share of the pixels outside the (padded) text boxes that sit on an edge; 1 where the
    text leaves too little of the frame (under ``_MIN_LEFT``) to tell."""
    keep = np.ones(luma.shape, dtype=bool)
    for b in boxes:
        x0, y0, x1, y1 = _padded(b, luma.shape)
        keep[y0:y1, x0:x1] = False
    step = np.maximum(np.abs(np.diff(luma, axis=1))[:-1, :], np.abs(np.diff(luma, axis=0))[:, :-1])
    k = keep[:-1, :-1]
    return float((step[k] > _EDGE_STEP).mean()) if k.mean() >= _MIN_LEFT else 1.0


def _same_ink(a: NDArray[np.float32], b: NDArray[np.float32]) -> bool:
    """Whether two crops of one box show the same text at the same place."""
    ga = np.hypot(*np.gradient(a))
    gb = np.hypot(*np.gradient(b))
    if ga.std() < 1e-3 or gb.std() < 1e-3:
        return False
    corr = float(np.corrcoef(ga.ravel(), gb.ravel())[0, 1])
    return corr >= _SAME_INK and float(np.percentile(np.abs(a - b), 25)) <= _STILL_LUMA


def _behind_changed(cache: _FrameCache, f: Frame, g: Frame, b: Box) -> bool:
    """Whether the picture outside box ``b`` differs in bulk between frames ``f`` and ``g``."""
    ta, tb = cache.thumb(f), cache.thumb(g)
    sx, sy = ta.shape[1] / f.image.shape[1], ta.shape[0] / f.image.shape[0]
    x0, y0, x1, y1 = _padded(b, f.image.shape)
    keep = np.ones(ta.shape, dtype=bool)
    keep[int(y0 * sy) : int(np.ceil(y1 * sy)), int(x0 * sx) : int(np.ceil(x1 * sx))] = False
    if not keep.any():
        return False
    return float(np.median(np.abs(ta - tb)[keep])) >= _BEHIND_CHANGED


def _others(f: Frame, frames: list[Frame]) -> list[Frame]:
    """Frames of the same video as ``f`` and of its size, at most ``_MAX_COMPARED``, spread."""
    same = [
        g
        for g in frames
        if g.index != f.index
        and g.t is not None
        and g.source == f.source
        and g.image.shape == f.image.shape
    ]
    if len(same) > _MAX_COMPARED:
        pick = np.linspace(0, len(same) - 1, _MAX_COMPARED).round().astype(int)
        same = [same[i] for i in sorted(set(pick))]
    return same


def overlay_frames(cache: _FrameCache, f: Frame, b: Box, frames: list[Frame]) -> list[Frame]:
    """The other frames in which box ``b`` of ``f`` holds the same ink over a changed picture."""
    a = _crop(f, b)
    return [
        g
        for g in _others(f, frames)
        if _same_ink(a, _crop(g, b)) and _behind_changed(cache, f, g, b)
    ]


def caption_reasons(texts: pd.DataFrame, frames: Mapping[int, Frame]) -> list[str]:
    """Why each line of ``texts`` is a caption (``""`` where it is not), by the two rules.

    ``frames`` maps the text table's frame numbers to frames; lines on frames not given, on
    photos, or without a box are never captions.
    """
    col = "frame" if "frame" in texts.columns else "best_frame"
    if col not in texts.columns or not len(texts):
        return [""] * len(texts)
    cache = _FrameCache()
    video = [f for f in frames.values() if f.t is not None]
    rows: list[tuple[Frame | None, Box | None]] = []
    for _, row in texts.iterrows():
        key = _as_int(row[col])
        f = frames.get(key) if key is not None else None
        f = f if f is not None and f.t is not None else None
        rows.append((f, _box(row, f.image.shape) if f is not None else None))
    flat: dict[int, float] = {}
    for f in {id(f): f for f, b in rows if f is not None and b is not None}.values():
        boxes = [b for g, b in rows if g is f and b is not None]
        flat[f.index] = flat_card_edges(_luma(f.image), boxes)
    out = []
    for f, b in rows:
        if f is None or b is None:
            out.append("")
            continue
        if flat[f.index] <= _FLAT_EDGES:
            out.append(
                f"title card: the frame at t={f.t:.1f} s is flat colour apart from its text "
                f"({100 * flat[f.index]:.1f} % edges outside the text)"
            )
            continue
        same = overlay_frames(cache, f, b, video)
        out.append(
            f"overlay: the same text stays at this place in {len(same)} other frame(s) "
            f"(t={', '.join(f'{g.t:.1f}' for g in same[:4])} s) while the picture behind it changes"
            if same
            else ""
        )
    return out


def _as_int(v: Any) -> int | None:
    try:
        return None if pd.isna(v) else int(v)
    except (TypeError, ValueError):
        return None
