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
from ._escape import html_text
from ._imaging import (
    RGBImage,
    aligned_difference,
    block_deviation,
    bulk_difference,
    check_pixels,
    data_uri,
    laplacian_sharpness,
    luma_pyramid,
    moving_blocks,
    phase_shift,
    pil_to_rgb,
    pixel_sha256,
    residual_summary,
    to_rgb,
    video_luma,
    view_change,
)
from .data import sha256_file
from .exceptions import (
    FramesDroppedWarning,
    ImageTooLargeError,
    InputError,
    TruncatedVideoWarning,
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
        The frames; each is renumbered (``index``) in order.
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
            return FrameSet(self._frames[i], source=self.source, info=self.info)
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


# --------------------------------------------------------------------------- video


def _rotation(frame: Any, stream: Any) -> int:
    """Display rotation in degrees (counter-clockwise) from frame side data or stream metadata."""
    rot = getattr(frame, "rotation", None)
    if rot:
        return int(rot) % 360
    meta = getattr(stream, "metadata", {}) or {}
    if "rotate" in meta:
        try:
            # the legacy "rotate" tag is clockwise
            return (-int(meta["rotate"])) % 360
        except ValueError:
            return 0
    return 0


def _apply_rotation(img: RGBImage, degrees_ccw: int) -> RGBImage:
    k = int(round(degrees_ccw / 90)) % 4
    return np.ascontiguousarray(np.rot90(img, k)) if k else img


def _frame_rgb(frame: Any, rotation: int, reformatter: Any = None) -> RGBImage:
    """RGB pixels of a decoded frame, display rotation applied.

    ``reformatter`` (an ``av.video.reformatter.VideoReformatter``) keeps FFmpeg's conversion
    context from one frame to the next, which is much cheaper than a new one per frame.
    """
    rgb = (
        reformatter.reformat(frame, format="rgb24")
        if reformatter
        else frame.reformat(format="rgb24")
    )
    return _apply_rotation(np.asarray(rgb.to_ndarray(), dtype=np.uint8), rotation)


def _reformatter() -> Any:
    from av.video.reformatter import VideoReformatter

    return VideoReformatter()


def _mp4_missing_index(path: Path) -> bool:
    """Whether an MP4/MOV file has media data but no ``moov`` box (its index): the typical
    state of a download or copy cut short when the index is written at the end."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(12)
            if len(head) < 12 or head[4:8] not in (b"ftyp", b"mdat", b"wide", b"free", b"skip"):
                return False
            pos, seen = 0, set[bytes]()
            while pos + 8 <= size and len(seen) < 64:
                fh.seek(pos)
                hdr = fh.read(16)
                box_size, kind = int.from_bytes(hdr[:4], "big"), hdr[4:8]
                if box_size == 1 and len(hdr) == 16:
                    box_size = int.from_bytes(hdr[8:16], "big")
                elif box_size == 0:  # runs to the end of the file
                    box_size = size - pos
                seen.add(kind)
                if box_size < 8:
                    break
                pos += box_size
            return b"moov" not in seen and (b"mdat" in seen or pos > size)
    except OSError:
        return False


def _open_video(path: Path) -> Any:
    import av

    try:
        return av.open(str(path))
    except Exception as exc:  # PyAV raises several FFmpeg error types
        if _mp4_missing_index(path):
            raise VideoDecodeError(
                f"{path}: the file's index (moov atom) is missing: truncated download? "
                "Nothing can be decoded without it; get the complete file (a copy written with "
                "the index first, 'faststart', stays partly readable when cut short)."
            ) from exc
        raise VideoDecodeError(
            f"{path}: not a readable video ({type(exc).__name__}: {exc})"
        ) from exc


def _iter_video(
    path: Path, start: float | None, end: float | None, info: dict[str, Any], bar: Any
) -> Iterator[tuple[float, Any, int]]:
    """Decoded frames as ``(t, av.VideoFrame, rotation_ccw)``, not yet converted to RGB.

    ``t`` is the frame's presentation time in seconds (from its PTS, so variable frame rate
    video keeps its real times).
    """
    import av

    container = _open_video(path)
    with container:
        if not container.streams.video:
            raise VideoDecodeError(f"{path}: the file has no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        if stream.duration is not None and stream.time_base is not None:
            info["duration_s"] = float(stream.duration * stream.time_base)
        elif container.duration:
            info["duration_s"] = container.duration / 1_000_000
        info["codec"] = stream.codec_context.name
        info["fps_nominal"] = float(stream.average_rate) if stream.average_rate else None
        width, height = int(stream.codec_context.width), int(stream.codec_context.height)
        info["size"] = (width, height)
        check_pixels(width, height, str(path), what="video stream")  # before decoding any
        total = int(stream.frames or 0)
        if not total and info.get("duration_s") and info["fps_nominal"]:
            total = int(info["duration_s"] * info["fps_nominal"])
        if total and start is None and end is None:
            bar.total = total
        if start:
            try:
                container.seek(
                    int(start / float(stream.time_base or 1)), stream=stream, backward=True
                )
            except Exception:  # not seekable: decode from the start
                pass
        first_t = last_t = None
        decoded = 0
        broke = False
        try:
            for frame in container.decode(stream):
                if frame.pts is None and frame.time is None:
                    continue
                t = float(frame.time) if frame.time is not None else 0.0
                if start is not None and t < start:
                    continue
                if end is not None and t > end:
                    break
                if (frame.width, frame.height) != (width, height):  # a stream changing size
                    check_pixels(frame.width, frame.height, f"{path} (frame at t={t:.2f} s)")
                decoded += 1
                first_t = t if first_t is None else first_t
                last_t = t
                bar.update(1)
                yield t, frame, _rotation(frame, stream)
        except ImageTooLargeError:
            raise
        except (av.error.FFmpegError, EOFError, ValueError) as exc:
            where = f"after t={last_t:.2f} s" if last_t is not None else "before the first frame"
            msg = (
                f"{path}: video decoding stopped {where} ({type(exc).__name__}: {exc}); "
                f"keeping the {decoded} frames decoded"
            )
            info.setdefault("warnings", []).append(msg)
            if decoded == 0:
                raise VideoDecodeError(msg) from exc
            warnings.warn(msg, TruncatedVideoWarning, stacklevel=3)
            broke = True
        info["frames_decoded"] = decoded
        if decoded == 0:
            raise VideoDecodeError(f"{path}: no frame could be decoded (empty or corrupt video)")
        if not broke and first_t is not None and last_t is not None:
            _check_complete(path, stream, info, (first_t, last_t, decoded), end)


#: A video whose last decoded frame is more than this many frame intervals (and at least
#: ``TRUNCATED_SECONDS``) short of the end its video stream declares is reported truncated.
TRUNCATED_FRAMES = 3
TRUNCATED_SECONDS = 0.25


def _check_complete(
    path: Path, stream: Any, info: dict[str, Any], span: tuple[float, float, int], end: Any
) -> None:
    """Warn (:class:`~geoverify.exceptions.TruncatedVideoWarning`) when decoding ended
    (``span``: first and last frame time, frames decoded) well before the end the video stream
    declares: its start time plus its duration; without a stream duration only a loose check
    against the container's (which audio may make longer) is possible."""
    first_t, last_t, decoded = span
    duration = info.get("duration_s")
    if not duration:
        return
    fps = info.get("fps_nominal")
    interval = max(
        (last_t - first_t) / (decoded - 1) if decoded > 1 else 0.0, 1.0 / fps if fps else 0.0
    )
    if stream.duration is not None and stream.time_base is not None:
        start = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
        declared = start + float(duration)
        short = declared - max(TRUNCATED_SECONDS, TRUNCATED_FRAMES * interval)
    else:
        declared = float(duration)
        short = 0.8 * declared - 1.0
    if (end is None or end >= declared) and last_t < short:
        msg = (
            f"{path}: the video stream claims to end at {declared:.2f} s but decoding ended "
            f"at t={last_t:.2f} s (truncated file?); keeping the {decoded} frames decoded"
        )
        info.setdefault("warnings", []).append(msg)
        warnings.warn(msg, TruncatedVideoWarning, stacklevel=4)


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
    src_hash = sha256_file(p)
    info: dict[str, Any] = {
        "every": every,
        "keyframes": keyframes,
        "change_threshold": change_threshold,
        "pan_fraction": pan_fraction,
    }
    show = settings.progress if progress is None else progress

    from tqdm.auto import tqdm

    # shown only when extraction takes more than a second (long videos)
    bar = tqdm(desc=f"frames {p.name}", unit="fr", disable=not show, leave=False, delay=1.0)
    kept: list[Frame] = []
    try:
        frames = _iter_video(p, start, end, info, bar)
        if not keyframes:
            to_rgb = _reformatter()
            next_t: float | None = None
            for t, vframe, rot in frames:
                if next_t is None or t >= next_t - 1e-6:
                    kept.append(
                        Frame(
                            image=_frame_rgb(vframe, rot, to_rgb),
                            t=t,
                            source=str(path),
                            source_sha256=src_hash,
                            reason=f"fixed sampling every {every:g} s",
                        )
                    )
                    next_t = _next_sample(t if next_t is None else next_t, t, every)
        else:
            selector = _KeyframeSelector(
                every=every, change=change_threshold * 255.0, pan=pan_fraction
            )
            for t, vframe, rot in frames:
                selector.push(t, vframe, rot)
            kept = [
                Frame(
                    image=img,
                    t=t,
                    source=str(path),
                    source_sha256=src_hash,
                    sharpness=sharp,
                    reason=reason,
                )
                for t, img, sharp, reason in selector.finish()
            ]
            info.update(selector.stats())
    finally:
        bar.close()
    if max_frames is not None and len(kept) > max_frames:
        best = sorted(kept, key=lambda f: -(f.sharpness or 0.0))[:max_frames]
        keep_ids = {id(f) for f in best}
        kept = [f for f in kept if id(f) in keep_ids]
    info["frames_kept"] = len(kept)
    return FrameSet(kept, source=str(path), info=info)


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


#: Consecutive compared frames whose block difference (0-255), camera motion taken out,
#: exceeds this and ``CUT_RATIO`` times the footage's recent median, and whose phase
#: correlation is weaker than ``CUT_RESPONSE``, are a cut.
CUT_DIFFERENCE = 6.0
CUT_RATIO = 3.0
CUT_RESPONSE = 0.3
#: ... a difference this large is a cut whatever the correlation says.
CUT_ALWAYS = 40.0
#: Consecutive compared frames whose unshifted block differences stay below this (99th
#: percentile, 0-255) are taken as still, without estimating the camera's motion.
STILL = 2.5
#: ... as are those whose thumbnails differ by less than this anywhere (0-255).
STILL_PIXEL = 5.0
#: The camera's motion estimate (phase correlation) is set aside, the camera taken as still,
#: when the median block difference (the bulk of the view) without a shift is below this share
#: of the one aligned by the estimate: something moving through the view pulled it along.
STILL_BULK = 0.75
#: Two kept views are the same view when their detail thumbnails (``DETAIL_WIDTH`` px wide at
#: most) are at most ``DUPLICATE_SHIFT`` of the frame apart, their mean brightness differs by
#: less than ``DUPLICATE_BRIGHTNESS`` and, aligned, 90 % of their blocks differ by less than
#: ``DUPLICATE_P90`` and none by ``DUPLICATE_MAX`` or more (0-255).
DETAIL_WIDTH = 320
DUPLICATE_SHIFT = 0.05
DUPLICATE_BRIGHTNESS = 12.0
DUPLICATE_P90 = 8.0
DUPLICATE_MAX = 24.0
#: Seconds between two compared frames (at most; ``every / 2`` when that is shorter).
ANALYSIS_INTERVAL = 0.25
#: Seconds between two comparisons of a view with its first frame (for a change).
CHANGE_INTERVAL = 0.4
#: A block that differs from the frame ``CHANGE_INTERVAL`` earlier by more than this share of
#: ``change_threshold`` is still in motion: left out of the comparison with the view's anchor.
MOVING_SHARE = 1.0
#: When the median block (the bulk of the view) differs from the view's anchor by more than
#: this share of ``change_threshold`` at two checks in a row, a new view begins at the first.
WHOLE_SHARE = 0.8
#: A remembered frame whose changed blocks differ from the frame where a settled change is
#: seen by more than this share of ``change_threshold`` (median) did not show it yet.
ONSET_SHARE = 0.5
#: Once this share of a view's anchor holds a still view, the rest is no longer filled in.
ANCHOR_COMPLETE = 0.98
#: Compared frames remembered (for the reference frame of a change).
HISTORY = 8
#: Views shorter than this (a flash between two cuts) are not kept on their own.
MIN_VIEW_SECONDS = 0.2
#: Views whose thumbnail is this flat (standard deviation, 0-255) and whose sharpness is
#: below ``BLANK_SHARPNESS`` are blank (a fade to black, a lens cap): not kept.
BLANK_STD = 2.5
BLANK_SHARPNESS = 20.0
#: A view whose camera moved more than this share of ``pan_fraction`` is a pan (its frame is
#: taken from where it began, and, at the end of a pan, also from where it ended).
PAN_VIEW = 0.25
#: Where a pan ends after moving more than this share of the frame since the frame kept from
#: its last view, a frame from where it ended is kept too (else one from the middle).
PAN_END = 0.35


@dataclass
class _Candidate:
    sharp: float
    t: float
    frame: Any
    rot: int
    disp: float  # camera displacement from the view's first frame (share of the frame)
    thumb: Any
    pos: tuple[float, float] = (0.0, 0.0)  # the camera's accumulated position (thumbnail px)


@dataclass
class _Seen:
    """A compared frame, remembered for a while (the reference frame of a change)."""

    t: float
    thumb: Any
    pos: tuple[float, float]  # the camera's accumulated position
    index: int  # frames decoded before it
    before: float  # the time of the decoded frame before it


@dataclass
class _View:
    """One group of consecutive frames showing the same view, while it is being built."""

    number: int
    t0: float
    kind: str  # "start", "cut", "pan" or "change"
    began: str
    anchor: Any  # what the view shows where it was first still (thumbnail, float32)
    known: Any  # 1 where ``anchor`` holds a still view, 0 where not yet (same shape)
    origin: tuple[float, float]
    t1: float = 0.0
    n: int = 0
    extent: float = 0.0  # largest displacement from the first frame
    disp: float = 0.0  # displacement of the latest compared frame
    last_scored: float = -1e9
    last_checked: float = -1e9
    # the sharpest candidate per 5 % band of camera displacement from the view's start
    bands: dict[int, _Candidate] = field(default_factory=dict)
    last: _Candidate | None = None  # the latest compared frame (its sharpness unmeasured)
    known_share: float = 0.0  # share of the anchor that holds a still view
    whole_since: _Seen | None = None  # the first of the checks since which all of it differs
    # ``bands`` as they were at the last few checks (time, bands): a view cut short at a
    # change keeps the sharpest of its frames from before the change
    saved: list[tuple[float, dict[int, _Candidate]]] = field(default_factory=list)


@dataclass
class _Kept:
    view: _View
    part: str  # "" or " (where it began)" / " (where it ended)" for the two ends of a pan
    t: float
    sharp: float
    image: RGBImage
    detail: Any  # a finer thumbnail (up to DETAIL_WIDTH px wide) to compare views with
    also: list[_View] = field(default_factory=list)


class _KeyframeSelector:
    """Streaming keyframe selection: push decoded frames in time order, then :meth:`finish`.

    Every ``ANALYSIS_INTERVAL`` seconds a frame's luma plane is reduced (2 x 2 averages) to a
    thumbnail an eighth of its width (80-160 px). Phase correlation with the previous
    thumbnail gives the camera's motion, accumulated into a position (unless no motion explains
    the bulk of the view clearly better: then something large moving through a still view
    pulled the correlation along); the block difference after alignment tells a cut from
    motion. Each view has an anchor: what each of its parts
    showed when it first kept still (filled in as parts stop moving). A view ends at a cut,
    when the camera has moved more than ``pan`` of the frame from where the view began, or
    when what it shows has changed for good once the motion is taken out (compared every
    ``CHANGE_INTERVAL`` seconds with a reference frame that much earlier): the still blocks
    (those that changed little since the reference) differ from the anchor by more than
    ``change`` (99th percentile; still overlays such as a logo left out), or the median block
    differs from the anchor by more than ``WHOLE_SHARE`` x ``change`` at two checks in a row
    but not between them. The new view begins at the reference frame (or the first of the two
    checks; or, where a remembered frame before the reference did not show the changed blocks
    yet, at the frame after it), and takes the old one's candidates from then on; a view lasts at least ``every``
    seconds unless a cut ends it. Sharpness (energy of the Laplacian of the half-size
    luma) is measured up to three times per ``every`` (less often as a still view goes on);
    the sharpest frame of each view is kept; for a pan the sharpest near where the view began,
    and where the pan ends (a cut, or the end of the video) one from the middle of its last
    short stretch, or from both ends of a long one. Only the frames kept are converted to RGB.
    A kept view that shows the same as an earlier one is merged into it. Views shorter than
    ``every / 2`` between two cuts are not kept; should more views be kept than fixed sampling
    every ``every`` seconds would give frames on the decoded span, the shortest are left out.
    """

    def __init__(self, every: float, change: float, pan: float) -> None:
        self.every = every
        self.change = change
        self.pan = pan
        self.interval = min(ANALYSIS_INTERVAL, every / 2.0)
        self.sampling = every / 3.0
        self.view: _View | None = None
        self.kept: list[_Kept] = []
        self.prev: Any = None
        self.pos = [0.0, 0.0]
        self.recent: list[float] = []
        self.history: list[_Seen] = []  # the last few compared frames
        self.decoded = 0
        self.first_t = self.last_t = 0.0
        self.size: tuple[int, int] = (1, 1)
        self.last_analysed = -1e9
        self.views = 0
        self.analysed = 0
        self.duplicates = 0
        self.dropped: list[str] = []
        self.fallback: _View | None = None
        self.to_rgb = _reformatter()

    # -- per frame

    def push(self, t: float, frame: Any, rot: int) -> None:
        """Take the next decoded frame (``t`` its time in seconds, ``rot`` its rotation)."""
        view = self.view
        self.decoded += 1
        if self.decoded == 1:
            self.first_t = t
        if view is not None and t - self.last_analysed < self.interval - 1e-6:
            view.n += 1
            view.t1 = self.last_t = t
            return
        self.last_analysed = t
        self.analysed += 1
        half, thumb = luma_pyramid(video_luma(frame))
        th, tw = self.size = thumb.shape
        began, kind = "", ""
        split: tuple[_Seen, str, Any] | None = None
        if view is None or self.prev is None:
            began, kind = "start", "start"
        else:
            if _largest_difference(self.prev, thumb) < STILL_PIXEL:
                step, bulk, still = 0.0, 0.0, 0.0  # nothing moved (the cheapest test)
            else:
                step, bulk, still = residual_summary(self.prev, thumb, 0.0, 0.0)
            dx = dy = 0.0
            response = 1.0
            if still >= STILL:  # something moved: estimate the camera's motion
                sx, sy, response = phase_shift(self.prev, thumb)
                shifted, shifted_bulk, _ = residual_summary(self.prev, thumb, sx, sy)
                # something large moving through a still view pulls phase correlation along
                # with it: the camera is still if no motion explains the bulk of the view
                # (the median block) clearly better than the estimate does
                if bulk >= STILL_BULK * shifted_bulk:
                    dx, dy, step = sx, sy, shifted
            median = float(np.median(self.recent)) if self.recent else 0.0
            self.recent = [*self.recent[-9:], step]
            if step > max(CUT_DIFFERENCE, CUT_RATIO * median) and (
                response < CUT_RESPONSE or step > CUT_ALWAYS
            ):
                began, kind = "a cut", "cut"
            else:
                self.pos[0] += dx
                self.pos[1] += dy
                mx, my = self.pos[0] - view.origin[0], self.pos[1] - view.origin[1]
                view.disp = max(abs(mx) / tw, abs(my) / th)
                view.extent = max(view.extent, view.disp)
                if view.known_share < ANCHOR_COMPLETE:
                    # what has stopped moving since the last compared frame joins the anchor
                    moving = moving_blocks(self.prev, thumb, dx, dy, self.change * MOVING_SHARE)
                    self._fill_anchor(view, thumb, moving, mx, my)
                if t - view.t0 >= self.every - 1e-6:
                    if view.disp > self.pan:
                        began, kind = f"the camera moved {view.disp:.0%} of the frame", "pan"
                    elif t - view.last_checked >= CHANGE_INTERVAL - 1e-6:
                        view.last_checked = t
                        view.saved = [*view.saved[-HISTORY + 1 :], (t, dict(view.bands))]
                        split = self._settled_change(view, thumb, t, mx, my)
                        if split is not None:
                            began, kind = split[1], "change"
        pos = (self.pos[0], self.pos[1])
        if began:
            moved: list[_Candidate] = []
            t0, origin, n = t, pos, 0
            known = np.zeros_like(thumb)  # filled in as the new view's parts keep still
            if view is not None and split is not None:
                # the new state was there already at the reference frame: the new view begins
                # there, with the candidates from then on
                ref = split[0]
                t0, origin, n = ref.t, ref.pos, self.decoded - 1 - ref.index
                moved = [c for c in view.bands.values() if c.t >= t0 - 1e-9]
                # the sharpest before the change (only the sharpest per band is kept)
                before = [b for tc, b in view.saved if tc <= t0 + 1e-9]
                view.bands = {k: c for k, c in view.bands.items() if c.t < t0 - 1e-9}
                if before:
                    view.bands = {**before[-1], **view.bands}
                view.n -= n
                view.t1 = ref.before
                if view.last is not None and view.last.t >= t0 - 1e-9:
                    view.last = None
                known = _block_pixels(~split[2], thumb.shape)
            if view is not None:
                self._close(view, pan_ends=kind == "cut")
            self.views += 1
            if kind == "cut":
                self.pos = [0.0, 0.0]
                pos = origin = (0.0, 0.0)
            view = self.view = _View(
                number=self.views,
                t0=t0,
                kind=kind,
                began=began,
                anchor=thumb,
                known=known,
                origin=origin,
                n=n,
            )
            for c in moved:
                c.disp = self._disp(c.pos, origin)
                view.extent = max(view.extent, c.disp)
                view.last_scored = max(view.last_scored, c.t)
                self._offer(view, c)
            view.disp = self._disp(pos, origin)
            view.extent = max(view.extent, view.disp)
        assert view is not None
        self.prev = thumb
        seen = _Seen(t, thumb, pos, self.decoded - 1, self.last_t)
        self.history = [*self.history[-HISTORY + 1 :], seen]
        view.n += 1
        view.t1 = self.last_t = t
        cand = _Candidate(-1.0, t, frame, rot, view.disp, thumb, pos)
        view.last = cand if view.extent > 0.02 else None  # where a moving view ended
        # sharpness: up to 3 per `every`; in a still view sparser as it lasts (6 per its age)
        wait = self.sampling if view.extent > 0.02 else max(self.sampling, (t - view.t0) / 6.0)
        if t - view.last_scored >= wait - 1e-6:
            view.last_scored = t
            self._offer(view, cand, half)

    def _disp(self, pos: tuple[float, float], origin: tuple[float, float]) -> float:
        th, tw = self.size
        return max(abs(pos[0] - origin[0]) / tw, abs(pos[1] - origin[1]) / th)

    def _fill_anchor(self, view: _View, thumb: Any, moving: Any, mx: float, my: float) -> None:
        """Add to ``view``'s anchor the parts of ``thumb`` (camera at ``(mx, my)`` from where
        the view began) that keep still (not ``moving``) and that it does not hold yet."""
        import cv2

        h, w = thumb.shape
        back = np.array([[1.0, 0.0, -mx], [0.0, 1.0, -my]], dtype=np.float32)
        still = _block_pixels(~moving, thumb.shape)
        still = cv2.warpAffine(still, back, (w, h), flags=cv2.INTER_NEAREST)
        new = (still > 0.5) & (view.known < 0.5)
        if new.any():
            shifted = cv2.warpAffine(
                thumb, back, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
            )
            view.anchor = np.where(new, shifted, view.anchor).astype(np.float32)
            view.known = np.where(new, np.float32(1.0), view.known).astype(np.float32)
            view.known_share = float(view.known.mean())

    def _settled_change(
        self, view: _View, thumb: Any, t: float, mx: float, my: float
    ) -> tuple[_Seen, str, Any] | None:
        """Whether what ``view`` shows has changed for good at ``t``: where the new view
        begins (a remembered frame), why, and which blocks are still moving; else None.

        Compared with the view's anchor (what each part showed when it first kept still) are
        only the blocks that have not changed since a reference frame about
        ``CHANGE_INTERVAL`` earlier: a car or a person moving through the view is left out,
        a sign put up that stays counts, and the new view begins at the reference frame (but
        not before ``every`` into the old one).
        """
        ref = next((h for h in reversed(self.history) if h.t <= t - CHANGE_INTERVAL + 1e-6), None)
        if ref is None or ref.t < view.t0 - 1e-9:
            return None
        rx, ry = self.pos[0] - ref.pos[0], self.pos[1] - ref.pos[1]
        moving = moving_blocks(ref.thumb, thumb, rx, ry, self.change * MOVING_SHARE)
        # most of the view differs from its anchor at two checks in a row, and not from one
        # check to the next: another shot (a cut too soft to tell from the motion of a busy
        # scene) or another place, settled
        bulk = bulk_difference(view.anchor, thumb, mx, my)
        since = view.whole_since
        if bulk <= self.change * WHOLE_SHARE:
            view.whole_since = None
        elif since is None or (
            bulk_difference(
                since.thumb, thumb, self.pos[0] - since.pos[0], self.pos[1] - since.pos[1]
            )
            > self.change * WHOLE_SHARE
        ):  # the first check that differs, or still changing since it: not settled yet
            view.whole_since = _Seen(
                t, thumb, (self.pos[0], self.pos[1]), self.decoded - 1, self.last_t
            )
        else:
            return self._split_at(view, since, f"the whole view changed ({bulk / 255:.0%})", moving)
        changed = view_change(view.anchor, thumb, mx, my, moving=moving, known=view.known)
        if changed > self.change and view.extent > 0.02:
            changed = self._realign(view, thumb, mx, my, changed, moving)
        if changed <= self.change:
            return None
        onset = self._onset(view, ref, thumb, mx, my, moving)
        return self._split_at(view, onset, f"the view changed ({changed / 255:.0%})", moving)

    def _onset(
        self, view: _View, ref: _Seen, thumb: Any, mx: float, my: float, moving: Any
    ) -> _Seen:
        """Where a settled change of ``view`` (seen at ``thumb``, still since ``ref``) began.

        The remembered frames from ``ref`` back are compared with ``thumb`` on the changed
        blocks: where one is found that did not show them yet, the change began at the frame
        after it (a sign put up while a car passed beside it counts only once the car has
        gone, and is then traced back to when it went up). Else (the change is older than
        what is remembered, or came about gradually) it began at ``ref``.
        """
        dev, outside = block_deviation(view.anchor, thumb, mx, my)
        changed = (dev > self.change) & ~moving & ~outside
        if not changed.any():
            return ref
        onset = ref
        for seen in reversed(self.history):
            if seen.t >= ref.t - 1e-9:
                continue
            rx, ry = self.pos[0] - seen.pos[0], self.pos[1] - seen.pos[1]
            dev, outside = block_deviation(seen.thumb, thumb, rx, ry)
            same = dev[changed & ~outside]
            if same.size == 0:
                return ref
            if float(np.median(same)) > self.change * ONSET_SHARE:
                return onset  # ``seen`` did not show the change yet
            if seen.t < view.t0 + self.every - 1e-6:
                return ref
            onset = seen
        return ref

    def _split_at(self, view: _View, ref: _Seen, why: str, moving: Any) -> tuple[_Seen, str, Any]:
        """Where a new view begins: at ``ref``, but not before ``every`` into ``view``."""
        if ref.t < view.t0 + self.every - 1e-6:
            ref = next(
                (h for h in self.history if h.t >= view.t0 + self.every - 1e-6), self.history[-1]
            )
        return ref, why, moving

    def _realign(
        self, view: _View, thumb: Any, mx: float, my: float, changed: float, moving: Any
    ) -> float:
        """The change from ``anchor`` at the best of a few alignments near the accumulated
        motion ``(mx, my)`` and at the directly measured one (phase correlation is biased a
        little towards no motion, so the accumulated motion drifts)."""
        anchor = view.anchor
        starts = [(mx, my)]
        ax, ay, response = phase_shift(anchor, thumb)
        if response > CUT_RESPONSE / 2:
            starts.append((ax, ay))
        for sx, sy in starts:
            for ddx, ddy in ((0, 0), (-1, 0), (1, 0), (-2, 0), (2, 0), (0, -1), (0, 1)):
                if changed <= self.change:
                    return changed
                changed = min(
                    changed,
                    view_change(anchor, thumb, sx + ddx, sy + ddy, moving=moving, known=view.known),
                )
        return changed

    def _offer(self, view: _View, cand: _Candidate, half: Any = None) -> None:
        if cand.sharp < 0:
            if half is None:
                half = luma_pyramid(video_luma(cand.frame))[0]
            cand.sharp = laplacian_sharpness(half)
        band = int(cand.disp / 0.05)
        best = view.bands.get(band)
        if best is None or cand.sharp > best.sharp:
            view.bands[band] = cand

    # -- per view

    def _close(self, view: _View, pan_ends: bool) -> None:
        """Choose the frame(s) of a finished view; ``pan_ends``: the camera's path ends here."""
        if view.last is not None and view.last.sharp < 0 and view.extent > 0.02:
            self._offer(view, view.last)  # where a moving view ended
        if not view.bands:
            return
        span = view.t1 - view.t0
        # a flash between two cuts, or the last moments of a change before a cut (the end of
        # a pan is kept: it shows what no other kept frame does)
        # ... or a short shot between two cuts (a burst of them is often one shot that
        # something passes close in front of, and fixed sampling would miss most of them too)
        short = span < self.every / 2
        if (
            span < MIN_VIEW_SECONDS
            or (view.kind == "change" and short)
            or (view.kind == "cut" and pan_ends and short)
        ):
            self.dropped.append(f"view {view.number} (t={view.t0:.2f}-{view.t1:.2f} s): too short")
            if self.fallback is None:  # kept if nothing else is
                self.fallback = view
            return
        cands = list(view.bands.values())
        reach = PAN_VIEW * self.pan
        if view.extent <= reach:
            self._keep(view, max(cands, key=lambda c: c.sharp), "")
            return
        # a pan: keep a frame from where the view began, so that kept frames are at most
        # (1 + PAN_VIEW) x `pan` apart and the first things the camera passed are in one
        near = [c for c in cands if c.disp <= reach] or [min(cands, key=lambda c: c.disp)]
        first = max(near, key=lambda c: c.sharp)
        moved = view.disp - first.disp
        if not pan_ends or moved <= reach:
            self._keep(view, first, "")
        elif moved <= PAN_END:
            # where the pan ends (a cut follows or the video ends) after a short way: one
            # frame from the middle of that way covers both of its ends
            middle = first.disp + moved / 2
            mid = [c for c in cands if abs(c.disp - middle) <= reach]
            self._keep(view, max(mid, key=lambda c: c.sharp) if mid else first, "")
        else:  # after a long way: a frame from each end
            end = [c for c in cands if abs(c.disp - view.disp) <= reach and c.t > first.t]
            self._keep(view, first, " (where it began)" if end else "")
            if end:
                self._keep(view, max(end, key=lambda c: c.sharp), " (where it ended)")

    def _keep(self, view: _View, best: _Candidate, part: str, force: bool = False) -> None:
        blank = float(best.thumb.std()) < BLANK_STD and best.sharp < BLANK_SHARPNESS
        if blank and not force:
            self.dropped.append(f"view {view.number} (t={view.t0:.2f}-{view.t1:.2f} s): blank")
            if self.fallback is None:
                self.fallback = view
            return
        detail = luma_pyramid(video_luma(best.frame), DETAIL_WIDTH, DETAIL_WIDTH)[1]
        for other in self.kept:
            if _same_view(other.detail, detail):
                self.duplicates += 1
                if other.view is not view:
                    other.also.append(view)
                if best.sharp > other.sharp:
                    other.t, other.sharp, other.detail = best.t, best.sharp, detail
                    other.image = _frame_rgb(best.frame, best.rot, self.to_rgb)
                return
        self.kept.append(
            _Kept(
                view=view,
                part=part,
                t=best.t,
                sharp=best.sharp,
                image=_frame_rgb(best.frame, best.rot, self.to_rgb),
                detail=detail,
            )
        )

    def finish(self) -> list[tuple[float, RGBImage, float, str]]:
        """Close the last view; ``(t, rgb, sharpness, reason)`` per kept frame, in time order."""
        if self.view is not None:
            self._close(self.view, pan_ends=True)
            self.view = None
        if not self.kept and self.fallback is not None and self.fallback.bands:
            # nothing but flashes or blank views: keep the first rather than nothing
            fb = self.fallback
            self.dropped = [d for d in self.dropped if not d.startswith(f"view {fb.number} ")]
            self._keep(fb, max(fb.bands.values(), key=lambda c: c.sharp), "", force=True)
        # never more frames than fixed sampling every `every` seconds would give on the span
        limit = int((self.last_t - self.first_t) / self.every + 1e-6) + 1
        if len(self.kept) > limit:
            longest = sorted(self.kept, key=lambda k: -(k.view.t1 - k.view.t0))[:limit]
            for k in self.kept:
                if k not in longest:
                    v = k.view
                    self.dropped.append(
                        f"view {v.number} (t={v.t0:.2f}-{v.t1:.2f} s): more views than "
                        f"fixed sampling every {self.every:g} s would keep frames"
                    )
            self.kept = [k for k in self.kept if k in longest]
        out = []
        for k in sorted(self.kept, key=lambda k: k.t):
            v = k.view
            reason = (
                f"sharpest of view {v.number}{k.part} (t={v.t0:.2f}-{v.t1:.2f} s, "
                f"{v.n} frames; began at {v.began})"
            )
            if k.also:
                seen = ", ".join(f"t={o.t0:.2f}-{o.t1:.2f} s (view {o.number})" for o in k.also)
                reason += f"; the same view again at {seen}"
            out.append((k.t, k.image, k.sharp, reason))
        return out

    def stats(self) -> dict[str, Any]:
        """What the selection saw, for ``FrameSet.info``."""
        return {
            "views": self.views,
            "frames_analysed": self.analysed,
            "duplicate_views": self.duplicates,
            "views_dropped": list(self.dropped),
        }


def _block_pixels(blocks: Any, shape: tuple[int, int], cell: int = 4) -> Any:
    """A block mask (``h // cell`` x ``w // cell``) as a float32 pixel mask of ``shape``."""
    import cv2

    h, w = shape
    out = np.zeros(shape, dtype=np.float32)
    bh, bw = blocks.shape
    out[: bh * cell, : bw * cell] = cv2.resize(
        blocks.astype(np.float32), (bw * cell, bh * cell), interpolation=cv2.INTER_NEAREST
    )
    return out


def _largest_difference(a: Any, b: Any) -> float:
    import cv2

    return float(cv2.norm(a, b, cv2.NORM_INF))


def _same_view(a: Any, b: Any) -> bool:
    """Whether two views' detail thumbnails show the same thing: the same brightness, at most
    a small shift apart (phase correlation), and, once aligned, no block that differs (so a
    changed word or a new sign keeps both)."""
    if a.shape != b.shape:
        return False
    if abs(float(a.mean()) - float(b.mean())) > DUPLICATE_BRIGHTNESS:
        return False
    dx, dy, _ = phase_shift(a, b)
    if abs(dx) > DUPLICATE_SHIFT * a.shape[1] or abs(dy) > DUPLICATE_SHIFT * a.shape[0]:
        return False
    _, p90, _, most = aligned_difference(a, b, dx, dy)
    return p90 < DUPLICATE_P90 and most < DUPLICATE_MAX


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
