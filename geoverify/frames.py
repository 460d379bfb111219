"""Frames: from a video or a set of photos to the few frames worth reading.

OCR is the slow stage, so this stage decides what is worth reading. In keyframe mode a video is
decoded, its frames are grouped into views (a view ends at a cut, a pan or a change in what it
shows), the sharpest frame of each view is kept with the time a write-up can cite, and a view
that returns later (A-B-A) is kept once.
"""

from __future__ import annotations

import glob as _glob
import json
import math
import os
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, overload

import numpy as np
import pandas as pd
from PIL import Image, ImageOps, UnidentifiedImageError

from . import settings
from ._atomic import replace_dir, write_text
from ._deprecated import module_getattr
from ._escape import html_text
from ._imaging import (
    RGBImage,
    check_pixels,
    data_uri,
    pil_to_rgb,
    pixel_sha256,
    to_rgb,
)
from ._keyframes import KeyframeSelector
from ._video import frame_rgb, iter_video, reformatter
from .data import sha256_file
from .exceptions import (
    FramesDroppedWarning,
    ImageTooLargeError,
    InputError,
    VideoDecodeError,
)

__all__ = ["Frame", "FrameSet", "extract_frames", "load_images"]


@dataclass(frozen=True, eq=False)
class Frame:
    """One still image to read: a video frame or a photo.

    Attributes
    ----------
    image : numpy.ndarray
        RGB pixels, H x W x 3, uint8.
    t : float or None
        Time in seconds from the start of the video (None for photos).
    index : int
        Position in its :class:`FrameSet`.
    source : str
        The file it came from (as given), or ``"<array>"``.
    sha256 : str
        sha256 of the pixels.
    reason : str
        Why it was kept, e.g. ``"sharpest of view 3 (t=5.00-8.96 s, 100 frames; began at a
        cut)"``, ``"fixed sampling every 1 s"`` or ``"photo"``.
    source_sha256 : str or None
        sha256 of the source file's bytes, where known.
    sharpness : float or None
        Energy (about the variance) of the Laplacian of the half-size luma, where measured:
        higher is sharper; comparable between frames of one video.
    """

    image: RGBImage = field(repr=False)
    t: float | None = None
    index: int = 0
    source: str = "<array>"
    sha256: str = ""
    reason: str = ""
    source_sha256: str | None = None
    sharpness: float | None = None

    def __post_init__(self) -> None:
        if not self.sha256:
            object.__setattr__(self, "sha256", pixel_sha256(self.image))

    @classmethod
    def from_array(cls, image: Any, *, t: float | None = None, source: str = "<array>") -> Frame:
        """Wrap an image array as a frame.

        Parameters
        ----------
        image
            H x W (grayscale), H x W x 3 (RGB) or H x W x 4 (RGBA, composited on white);
            uint8, uint16 or float (0..1 or 0..255). Converted to RGB uint8.
        t
            Time in seconds, if it comes from a video.
        source
            What it came from, for provenance.

        Returns
        -------
        Frame

        Raises
        ------
        InputError
            Not an image array. :class:`~geoverify.exceptions.ImageTooLargeError` above
            ``settings.max_image_pixels``.
        """
        return cls(image=to_rgb(image, source), t=t, source=source)

    @property
    def shape(self) -> tuple[int, int]:
        """(height, width) in pixels."""
        return (int(self.image.shape[0]), int(self.image.shape[1]))

    def crop(self, box: tuple[float, float, float, float]) -> Frame:
        """A new frame with only a region of this one, for reading it by hand.

        Parameters
        ----------
        box
            ``(x0, y0, x1, y1)`` in pixels (as in the text table's box columns); clipped to
            the image.

        Returns
        -------
        Frame
            The region, with its own pixel sha256 and the same ``t`` and source; its reason
            says where it was cut from.

        Raises
        ------
        InputError
            The box is empty inside the image.
        """
        h, w = self.shape
        x0, y0, x1, y1 = (int(round(v)) for v in box)
        x0, x1 = max(0, min(x0, x1)), min(w, max(x0, x1))
        y0, y1 = max(0, min(y0, y1)), min(h, max(y0, y1))
        if x1 <= x0 or y1 <= y0:
            raise InputError(f"crop box {box} is empty inside a {w}x{h} frame")
        sub = np.ascontiguousarray(self.image[y0:y1, x0:x1])
        return replace(
            self, image=sub, sha256="", reason=f"{self.reason}; crop {x0},{y0},{x1},{y1}"
        )

    def zoom(self, factor: float) -> Frame:
        """A new frame scaled by ``factor``, for reading small text by eye or by OCR.

        Parameters
        ----------
        factor
            Scale (> 0): Lanczos when enlarging, area averaging when reducing.

        Returns
        -------
        Frame

        Raises
        ------
        InputError
            ``factor`` is not positive.
        """
        import cv2

        if factor <= 0:
            raise InputError(f"zoom factor must be positive, got {factor}")
        h, w = self.shape
        size = (max(1, int(round(w * factor))), max(1, int(round(h * factor))))
        interp = cv2.INTER_LANCZOS4 if factor > 1 else cv2.INTER_AREA
        img = np.asarray(cv2.resize(self.image, size, interpolation=interp), dtype=np.uint8)
        return replace(self, image=img, sha256="", reason=f"{self.reason}; zoom x{factor:g}")

    def to_pil(self) -> Image.Image:
        """The frame as a PIL image."""
        return Image.fromarray(self.image)

    def label(self) -> str:
        """Short human label: file name and time."""
        name = self._name()
        return f"{name} @ {self.t:.2f} s" if self.t is not None else name

    def _name(self) -> str:
        return Path(self.source).name if self.source != "<array>" else "array"

    def __repr__(self) -> str:
        # short: the full path and the two sha256 values are in .source / .sha256
        when = f"t={self.t:.2f} s, " if self.t is not None else ""
        h, w = self.shape
        return f"Frame(#{self.index}, {when}{w}x{h}, {self._name()!r})"

    def _repr_html_(self) -> str:
        uri = data_uri(self.image, max_side=320)
        h, w = self.shape
        when = f"t = {self.t:.2f} s" if self.t is not None else "photo"
        name = self._name()
        return (
            '<figure style="margin:0;display:inline-block;font:12px sans-serif">'
            f'<img src="{uri}" alt="frame {self.index}" title="{html_text(self.source)}"/>'
            f"<figcaption><b>#{self.index} · {html_text(when)}</b> · {html_text(name)} · {w}x{h}"
            f"<br/><span style='color:#555'>{html_text(self.reason or 'no reason recorded')}"
            "</span></figcaption></figure>"
        )


class FrameSet(Sequence[Frame]):
    """A list-like collection of :class:`Frame` with a contact sheet in notebooks.

    Parameters
    ----------
    frames
        The frames; each is renumbered (``index``) in order. A slice of a FrameSet keeps its
        frames' numbers, so the text table of a slice joins back to the whole.
    source
        The file or pattern they came from.
    info
        What extraction saw (duration, codec, frames decoded, views, parameters, warnings),
        kept as :attr:`info` and written into the manifest by :meth:`save`.
    """

    def __init__(
        self,
        frames: Iterable[Frame] = (),
        *,
        source: str | None = None,
        info: dict[str, Any] | None = None,
    ) -> None:
        self._frames = [replace(f, index=i) for i, f in enumerate(frames)]
        self.source = source
        #: What extraction saw: duration, frames decoded, parameters, warnings.
        self.info: dict[str, Any] = dict(info or {})

    @overload
    def __getitem__(self, i: int) -> Frame: ...
    @overload
    def __getitem__(self, i: slice) -> FrameSet: ...
    def __getitem__(self, i: int | slice) -> Frame | FrameSet:
        if isinstance(i, slice):
            part = FrameSet(source=self.source, info=self.info)
            part._frames = self._frames[i]  # numbers kept: the part's tables join the whole's
            return part
        return self._frames[i]

    def __len__(self) -> int:
        return len(self._frames)

    def __iter__(self) -> Iterator[Frame]:
        return iter(self._frames)

    def __repr__(self) -> str:
        return f"FrameSet({len(self)} frames from {self.source or 'several sources'})"

    def to_dataframe(self) -> pd.DataFrame:
        """The frames as a table.

        Returns
        -------
        pandas.DataFrame
            One row per frame: ``frame`` (index), ``t``, ``source``, ``sha256`` (pixels),
            ``width``, ``height``, ``reason``, ``source_sha256`` (file).
        """
        return pd.DataFrame(
            [
                {
                    "frame": f.index,
                    "t": f.t,
                    "source": f.source,
                    "sha256": f.sha256,
                    "width": f.shape[1],
                    "height": f.shape[0],
                    "reason": f.reason,
                    "source_sha256": f.source_sha256,
                }
                for f in self._frames
            ],
            columns=[
                "frame",
                "t",
                "source",
                "sha256",
                "width",
                "height",
                "reason",
                "source_sha256",
            ],
        )

    def save(self, directory: str | os.PathLike[str], overwrite: bool = False) -> Path:
        """Write each frame as PNG plus ``manifest.json`` (source sha256, t, frame sha256).

        The folder is assembled beside ``directory`` and moved into place, so no PNG of an
        earlier run stays behind.

        Parameters
        ----------
        directory
            The folder to write.
        overwrite
            Replace an existing frames folder; only one that :meth:`save` wrote (its
            manifest lists every file in it) is ever replaced.

        Returns
        -------
        pathlib.Path
            The manifest's path.

        Raises
        ------
        OutputExistsError
            The folder is not empty and ``overwrite`` is false, or it holds files that
            :meth:`save` did not write.
        """
        folder = replace_dir(
            directory, self._write, overwrite=overwrite, why_not_ours=not_a_frames_folder
        )
        return folder / "manifest.json"

    def _write(self, folder: Path) -> None:
        entries = []
        for f in self._frames:
            stem = f"frame_{f.index:04d}" + (f"_t{f.t:08.3f}" if f.t is not None else "")
            path = folder / f"{stem}.png"
            Image.fromarray(f.image).save(path, format="PNG")
            entries.append(
                {
                    "file": path.name,
                    "frame": f.index,
                    "t": f.t,
                    "sha256": f.sha256,
                    "source": f.source,
                    "source_sha256": f.source_sha256,
                    "reason": f.reason,
                }
            )
        manifest = {"source": self.source, "info": _jsonable(self.info), "frames": entries}
        write_text(folder / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))

    def _repr_html_(self, max_thumbs: int = 24) -> str:
        cells = []
        for f in self._frames[:max_thumbs]:
            uri = data_uri(f.image, max_side=120)
            cap = html_text(f"#{f.index}" + (f" {f.t:.1f}s" if f.t is not None else ""))
            tip = html_text(f.reason)
            cells.append(
                f'<div style="display:inline-block;margin:2px;text-align:center;font:11px sans-serif" '
                f'title="{tip}"><img src="{uri}" style="display:block"/>{cap}</div>'
            )
        more = len(self) - max_thumbs
        tail = f"<div>… and {more} more</div>" if more > 0 else ""
        head = html_text(repr(self))
        return f"<div><b>{head}</b><br/>{''.join(cells)}{tail}</div>"


def not_a_frames_folder(folder: Path) -> str | None:
    """Why ``folder`` is not one :meth:`FrameSet.save` wrote (so it is not replaced), or None."""
    from ._casefolder import read_json
    from .exceptions import CaseFormatError

    try:
        entries = read_json(folder / "manifest.json").get("frames")
    except CaseFormatError as exc:
        return f"it is not a geoverify frames folder ({exc})"
    if not isinstance(entries, list):
        return "its manifest.json is not a geoverify frames manifest"
    listed = {e.get("file") for e in entries if isinstance(e, dict)} | {"manifest.json"}
    others = sorted(p.name for p in folder.iterdir() if p.name not in listed)
    if others:
        return f"it holds files geoverify did not write ({', '.join(others[:5])}); move them out"
    return None


def _jsonable(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=str))


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


# --------------------------------------------------------------------------- photos

_IMAGE_SUFFIXES = {
    ".png",
    ".jpg",
    ".jpeg",
    ".webp",
    ".tif",
    ".tiff",
    ".bmp",
    ".gif",
    ".heic",
    ".heif",
}


def is_video_path(path: str | os.PathLike[str]) -> bool:
    """Whether geoverify reads ``path`` as a video: a file whose suffix is not an image's.

    The one rule for every entry point (:func:`as_frames`, :class:`~geoverify.Case`): folders,
    globs and image suffixes are images; any other file is handed to PyAV, which says clearly
    when it is not a video.
    """
    text = os.fspath(path)
    p = Path(text)
    return not (p.suffix.lower() in _IMAGE_SUFFIXES or p.is_dir() or any(c in text for c in "*?["))


def _expand(paths_or_glob: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[Path]:
    if isinstance(paths_or_glob, (str, os.PathLike)):
        text = os.fspath(paths_or_glob)
        if any(ch in text for ch in "*?["):
            found = sorted(Path(p) for p in _glob.glob(text, recursive=True))
            if not found:
                raise InputError(f"no files match {text!r}")
            return found
        p = Path(text)
        if p.is_dir():
            return sorted(q for q in p.iterdir() if q.suffix.lower() in _IMAGE_SUFFIXES)
        return [p]
    return [Path(os.fspath(p)) for p in paths_or_glob]


def load_image(path: str | os.PathLike[str]) -> Frame:
    """Load one photo or screenshot as a :class:`Frame`.

    Parameters
    ----------
    path
        A PNG, JPEG, WebP, TIFF, BMP or GIF file (HEIC with ``pillow-heif``). Only read.

    Returns
    -------
    Frame
        RGB pixels with the EXIF orientation applied, the sha256 of the file and
        ``reason="photo"``. Of an animated image (GIF, WebP, APNG), its first frame, with a
        :class:`~geoverify.exceptions.FramesDroppedWarning`: :func:`load_images` reads them all.

    Raises
    ------
    InputError
        Missing, empty, unreadable or damaged file, or HEIC without ``pillow-heif``.
    ImageTooLargeError
        More pixels than ``settings.max_image_pixels`` (checked from the header, before
        decoding), or a decompression bomb by Pillow's own check.
    """
    return _read_image(path, all_frames=False)[0]


def _read_image(path: str | os.PathLike[str], all_frames: bool) -> list[Frame]:
    """The frame(s) of an image file: one for a still image, one per frame of an animation
    (at most ``settings.max_animation_frames``; only the first unless ``all_frames``)."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.stat().st_size == 0:
        raise InputError(f"{p}: the file is empty (0 bytes)")
    if p.suffix.lower() in {".heic", ".heif"}:
        try:
            from pillow_heif import register_heif_opener  # type: ignore[import-not-found]

            register_heif_opener()
        except ImportError as exc:
            raise InputError(
                f"{p}: HEIC needs the optional package: pip install 'geoverify[heif]'"
            ) from exc
    try:
        with Image.open(p) as im, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            check_pixels(im.size[0], im.size[1], str(p))
            if getattr(im, "is_animated", False) and int(getattr(im, "n_frames", 1)) > 1:
                images = _animation_frames(im, p, all_frames)
            else:
                images = [(pil_to_rgb(ImageOps.exif_transpose(im), str(p)), None, "photo")]
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        if isinstance(exc, UnidentifiedImageError):
            raise InputError(f"{p}: not an image Pillow can read") from exc
        raise ImageTooLargeError(
            f"{p}: refused as a decompression bomb ({exc}); geoverify's own limit is "
            f"settings.max_image_pixels ({settings.max_image_pixels:,})"
        ) from exc
    except OSError as exc:
        raise InputError(f"{p}: the image is damaged or truncated ({exc})") from exc
    src_hash = sha256_file(p)
    return [
        Frame(image=img, t=t, source=str(path), source_sha256=src_hash, reason=reason)
        for img, t, reason in images
    ]


def _animation_frames(
    im: Image.Image, p: Path, all_frames: bool
) -> list[tuple[RGBImage, float | None, str]]:
    """``(rgb, t, reason)`` per frame of an animated image; ``t`` is when the frame is shown
    (the durations of the frames before it added up; 100 ms for a duration of 10 ms or less,
    as browsers do). Every frame decoded counts towards ``settings.max_image_pixels``."""
    n = int(getattr(im, "n_frames", 1))
    kind = im.format or p.suffix.lstrip(".").upper()
    cap = max(1, int(settings.max_animation_frames))
    keep = min(n, cap) if all_frames else 1
    if keep < n:
        why = (
            "load_image reads only the first: gv.load_images reads every frame"
            if not all_frames
            else f"keeping the first {keep} (settings.max_animation_frames)"
        )
        warnings.warn(
            f"{p}: an animated {kind} of {n} frames; {why}", FramesDroppedWarning, stacklevel=4
        )
    what = f"{keep} frames of an animated {kind}"
    check_pixels(im.size[0], im.size[1], str(p), frames=keep, what=what)  # before decoding
    out: list[tuple[RGBImage, float | None, str]] = []
    t = 0.0
    for k in range(keep):
        try:
            im.seek(k)
            im.load()
        except (EOFError, OSError) as exc:
            if not out:
                raise
            warnings.warn(
                f"{p}: frame {k + 1} of {n} of the animated {kind} is damaged ({exc}); keeping "
                f"the {len(out)} frames before it",
                FramesDroppedWarning,
                stacklevel=4,
            )
            break
        check_pixels(im.size[0], im.size[1], str(p), frames=k + 1, what=what)  # frames resized
        img = pil_to_rgb(ImageOps.exif_transpose(im), f"{p} (frame {k + 1})")
        out.append((img, t, f"frame {k + 1} of {n} of an animated {kind}"))
        duration = im.info.get("duration")
        ms = float(duration) if isinstance(duration, (int, float)) else 0.0
        t += (ms if ms > 10 else 100.0) / 1000.0
    return out


def load_images(
    paths_or_glob: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
) -> FrameSet:
    """Load photos and screenshots as a :class:`FrameSet`.

    Parameters
    ----------
    paths_or_glob
        A file, a folder, a glob pattern (``"shots/*.jpg"``) or a list of files. PNG, JPEG,
        WebP, TIFF, BMP, GIF; HEIC where ``pillow-heif`` is installed.

    Returns
    -------
    FrameSet
        One frame per image, in the order given (globs and folders sorted by name), each
        with the sha256 of its file. An animated GIF, WebP or PNG gives one frame per frame
        (at most ``settings.max_animation_frames``, with a
        :class:`~geoverify.exceptions.FramesDroppedWarning` beyond), each with ``t`` the time
        it is shown (from the frame durations) and ``reason`` ``"frame k of n of an animated
        GIF"``; all the frames decoded count towards ``settings.max_image_pixels``.
    """
    paths = _expand(paths_or_glob)
    frames = [f for p in paths for f in _read_image(p, all_frames=True)]
    source = os.fspath(paths_or_glob) if isinstance(paths_or_glob, (str, os.PathLike)) else None
    return FrameSet(frames, source=source)


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
