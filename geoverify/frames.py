"""Frames: from a video or a set of photos to the few frames worth reading.

The public face of the frame stage: the data model (:class:`Frame`, :class:`FrameSet`) lives
in ``_frame.py``, photo loading in ``_photos.py``, decoding in ``_video.py`` and the keyframe
selector in ``_keyframes.py``; this module samples videos and coerces inputs to frames.

OCR is the slow stage, so this stage decides what is worth reading. In keyframe mode a video is
decoded, its frames are grouped into views (a view ends at a cut, a pan or a change in what it
shows), the sharpest frame of each view is kept with the time a write-up can cite, and a view
that returns later (A-B-A) is kept once.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from . import settings
from ._deprecated import module_getattr
from ._frame import Frame, FrameSet, not_a_frames_folder
from ._imaging import pil_to_rgb
from ._keyframes import KeyframeSelector
from ._photos import is_video_path, load_image, load_images
from ._video import frame_rgb, iter_video, reformatter
from .data import sha256_file
from .exceptions import InputError, VideoDecodeError

__all__ = [
    "Frame",
    "FrameSet",
    "as_frames",
    "extract_frames",
    "is_video_path",
    "load_image",
    "load_images",
    "not_a_frames_folder",
]


def extract_frames(
    path: str | os.PathLike[str],
    every: float = 1.0,
    keyframes: bool = True,
    *,
    max_frames: int | None = None,
    start: float | None = None,
    end: float | None = None,
    change_threshold: float = 0.06,
    pan_fraction: float = 0.4,
    progress: bool | None = None,
) -> FrameSet:
    """Extract the frames worth reading from a video.

    Parameters
    ----------
    path
        A video file PyAV/FFmpeg can read (mp4, mov, mkv, webm; H.264, H.265, VP9, AV1, ...).
        It is only read, never modified.
    every
        Seconds (finite, at least ``MIN_EVERY`` = 1 ms). Without ``keyframes``: one frame every
        ``every`` seconds of presentation time (the frame at or just after each multiple).
        With ``keyframes``: the time resolution of the selection. Inside one shot a new view begins at most once every ``every`` seconds
        (however fast the camera pans); a cut always begins a new view, but a shot shorter than
        ``every / 2`` between two cuts is not kept on its own. Keyframe mode never keeps more
        frames than fixed sampling would on the same span (should it find more views, those
        of the shortest are left out).
    keyframes
        Group the frames into views and keep the sharpest frame of each (default). Every frame
        is decoded (a cut can fall anywhere), four a second are compared, and a new view begins
        at a *cut* (the frame cannot be matched to the one before), when the camera has moved
        more than ``pan_fraction`` of the frame, or when what the view shows has changed for
        good, once the camera's motion is taken out: by more than ``change_threshold`` in a
        part that has stopped changing (a sign that is put up and stays), or in the bulk of
        the view at two checks half a second apart (another shot behind a cut too soft to
        see in a busy scene). Cars and people moving through the view, and a still logo or
        caption burnt into the video, do not count. A view that shows the same thing as an
        earlier kept one (the camera returns: A-B-A) is kept once, the sharper of the two; a
        changed word keeps both. Flashes shorter than 0.2 s, shots shorter than ``every / 2``
        between two cuts and blank views (a fade to black) are not kept on their own. Each
        frame's ``reason`` says which view it stands for, when that view began and why, and
        where the same view was seen again.
    max_frames
        Keep at most this many frames (a whole number >= 1; the sharpest first, then back in
        time order).
    start, end
        Only consider this span, in seconds (finite, >= 0, ``end`` not before ``start``).
    change_threshold
        How different (share of full brightness, 0..1) the most changed 1 % of the view's
        still blocks (each 1/40 of the frame's width) must become, camera motion compensated,
        for a new view to begin; a block that changes by more than this in half a second is
        still moving and left out, and 0.8 x this in the median block is a whole new view.
        Lower keeps more frames of busy scenes; the default 0.06 ignores compression noise
        and a shaking hand.
    pan_fraction
        How far (share of the frame's width or height) the camera may move before a new view
        begins. A pan keeps a frame from where each of its views began (and where it ends), so
        kept frames are at most 1.25 x ``pan_fraction`` apart and a sign up to half the frame
        wide (default 0.4) is whole in one of them.
    progress
        Show a progress bar (default ``settings.progress``).

    Returns
    -------
    FrameSet
        The frames in time order, each with its time ``t`` (from the frame's PTS), the sha256 of
        its pixels, the source file's sha256 and why it was kept. ``FrameSet.info`` records
        duration, codec, frames decoded, views and the parameters.

    Raises
    ------
    InputError
        The file does not exist, or a parameter is out of range.
    ImageTooLargeError
        The video's frames (from the stream's header, before decoding, or a decoded frame of
        a stream that changes size) have more pixels than ``settings.max_image_pixels``.
    VideoDecodeError
        The file is empty, not a video, has no video stream or nothing could be decoded (for
        an MP4 whose index is missing the message says so). A video that breaks part way gives
        a :class:`~geoverify.exceptions.TruncatedVideoWarning` naming the time of the break,
        and the frames before it.

    Examples
    --------
    >>> fs = gv.extract_frames("march.mp4")            # doctest: +SKIP
    >>> fs.to_dataframe()[["t", "reason"]]              # doctest: +SKIP
    """
    p = _video_to_read(path, every, start, end, max_frames, change_threshold, pan_fraction)
    show = settings.progress if progress is None else progress
    kept, info = _read_video(
        p, str(path), every, keyframes, (start, end), (change_threshold, pan_fraction), show
    )
    return _keep_sharpest(kept, info, str(path), max_frames)


def _video_to_read(
    path: str | os.PathLike[str],
    every: Any,
    start: Any,
    end: Any,
    max_frames: Any,
    change_threshold: float,
    pan_fraction: float,
) -> Path:
    """The video file of :func:`extract_frames`, once the file and the parameters are checked
    (a missing, empty or directory path first, then the parameters)."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, expected a video file")
    if p.stat().st_size == 0:
        raise VideoDecodeError(f"{p}: the file is empty (0 bytes)")
    _check_sampling(every, start, end, max_frames)
    if not 0 < change_threshold < 1:
        raise InputError(f"change_threshold must be between 0 and 1, got {change_threshold}")
    if not 0 < pan_fraction < 1:
        raise InputError(f"pan_fraction must be between 0 and 1, got {pan_fraction}")
    return p


def _read_video(
    p: Path,
    source: str,
    every: float,
    keyframes: bool,
    span: tuple[float | None, float | None],
    thresholds: tuple[float, float],
    show: bool,
) -> tuple[list[Frame], dict[str, Any]]:
    """Decode ``p`` once, keeping a frame every ``every`` seconds or, with ``keyframes``,
    the sharpest of each view (``thresholds``: change and pan); returns the frames and
    what extraction saw (:attr:`FrameSet.info`)."""
    change_threshold, pan_fraction = thresholds
    src_hash = sha256_file(p)
    info: dict[str, Any] = {
        "every": every,
        "keyframes": keyframes,
        "change_threshold": change_threshold,
        "pan_fraction": pan_fraction,
    }

    from tqdm.auto import tqdm

    # shown only when extraction takes more than a second (long videos)
    bar = tqdm(desc=f"frames {p.name}", unit="fr", disable=not show, leave=False, delay=1.0)
    try:
        # stacklevel 4: the frames are looped over two calls below extract_frames, and a
        # truncated video's warning names the line that called extract_frames
        frames = iter_video(p, *span, info, bar, stacklevel=4)
        if not keyframes:
            return _sample_fixed(frames, every, source, src_hash), info
        selector = KeyframeSelector(every=every, change=change_threshold * 255.0, pan=pan_fraction)
        kept = _select_keyframes(frames, selector, source, src_hash)
        info.update(selector.stats())
        return kept, info
    finally:
        bar.close()


def _sample_fixed(
    frames: Iterator[tuple[float, Any, int]], every: float, source: str, src_hash: str
) -> list[Frame]:
    """The frame at or just after each multiple of ``every`` seconds (fixed sampling)."""
    to_rgb = reformatter()
    kept: list[Frame] = []
    next_t: float | None = None
    for t, vframe, rot in frames:
        if next_t is None or t >= next_t - 1e-6:
            kept.append(
                Frame(
                    image=frame_rgb(vframe, rot, to_rgb),
                    t=t,
                    source=source,
                    source_sha256=src_hash,
                    reason=f"fixed sampling every {every:g} s",
                )
            )
            next_t = _next_sample(t if next_t is None else next_t, t, every)
    return kept


def _select_keyframes(
    frames: Iterator[tuple[float, Any, int]],
    selector: KeyframeSelector,
    source: str,
    src_hash: str,
) -> list[Frame]:
    """The sharpest frame of each view, as ``selector`` groups the frames into views."""
    for t, vframe, rot in frames:
        selector.push(t, vframe, rot)
    return [
        Frame(
            image=img,
            t=t,
            source=source,
            source_sha256=src_hash,
            sharpness=sharp,
            reason=reason,
        )
        for t, img, sharp, reason in selector.finish()
    ]


def _keep_sharpest(
    kept: list[Frame], info: dict[str, Any], source: str, max_frames: int | None
) -> FrameSet:
    """The frames as a :class:`FrameSet`: at most ``max_frames``, the sharpest, in time
    order; ``info`` records how many were kept."""
    if max_frames is not None and len(kept) > max_frames:
        best = sorted(kept, key=lambda f: -(f.sharpness or 0.0))[:max_frames]
        keep_ids = {id(f) for f in best}
        kept = [f for f in kept if id(f) in keep_ids]
    info["frames_kept"] = len(kept)
    return FrameSet(kept, source=source, info=info)


#: The shortest ``every`` accepted, in seconds (1 ms: shorter than any frame interval).
MIN_EVERY = 0.001


def _check_sampling(every: Any, start: Any, end: Any, max_frames: Any) -> None:
    """Refuse (:class:`~geoverify.exceptions.InputError`) values of :func:`extract_frames`
    that are not numbers, not finite or out of range."""

    def number(name: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise InputError(f"{name} must be a number of seconds, got {value!r}")
        if not math.isfinite(value):
            raise InputError(f"{name} must be finite, got {value!r}")
        return float(value)

    if number("every", every) < MIN_EVERY:
        raise InputError(f"every must be at least {MIN_EVERY} s (MIN_EVERY), got {every!r}")
    for name, value in (("start", start), ("end", end)):
        if value is not None and number(name, value) < 0:
            raise InputError(f"{name} must be >= 0 s, got {value!r}")
    if start is not None and end is not None and end < start:
        raise InputError(f"end ({end!r} s) is before start ({start!r} s)")
    if max_frames is not None and (
        isinstance(max_frames, bool)
        or not isinstance(max_frames, (int, np.integer))
        or max_frames < 1
    ):
        raise InputError(f"max_frames must be a whole number >= 1 (or None), got {max_frames!r}")


def _next_sample(previous: float, t: float, every: float) -> float:
    """The first time after ``t`` on the grid ``previous + k * every`` (computed, not counted
    up to: a long gap between two frames takes one step)."""
    return previous + (math.floor((t - previous) / every) + 1) * every


def as_frames(obj: Any) -> FrameSet:
    """Coerce anything that holds frames to a :class:`FrameSet`.

    Parameters
    ----------
    obj
        A FrameSet, a Frame, an image array, a PIL image, a path (image, folder, glob or
        video: videos go through :func:`extract_frames` with its defaults) or a list of these.

    Returns
    -------
    FrameSet
    """
    if isinstance(obj, FrameSet):
        return obj
    if isinstance(obj, Frame):
        return FrameSet([obj])
    if isinstance(obj, np.ndarray):
        return FrameSet([Frame.from_array(obj)])
    if isinstance(obj, Image.Image):
        return FrameSet([Frame(image=pil_to_rgb(obj))])
    if isinstance(obj, (str, os.PathLike)):
        if is_video_path(obj):
            return extract_frames(obj)
        return load_images(obj)
    if isinstance(obj, Iterable):
        frames: list[Frame] = []
        for item in obj:
            frames.extend(as_frames(item))
        return FrameSet(frames)
    raise InputError(f"cannot read frames from {type(obj).__name__}")


# Old names that moved: they still work, with a warning, until 0.3.
__getattr__ = module_getattr(
    "geoverify.frames",
    {"TruncatedVideoWarning": "geoverify.exceptions:TruncatedVideoWarning"},
)
