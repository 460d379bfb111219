"""Frames: from a video or a set of photos to the few frames worth reading.

OCR is the slow stage, so this stage decides what is worth reading. In keyframe mode a video is
decoded, consecutive frames that show the same view (by a perceptual difference hash) are grouped,
and the sharpest frame of each group is kept, with the time a write-up can cite.
"""

from __future__ import annotations

import glob as _glob
import hashlib
import html
import json
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
from ._atomic import atomic_path, write_text
from ._imaging import (
    RGBImage,
    data_uri,
    luma_is_limited,
    luma_sharpness,
    luma_signature,
    pixel_sha256,
    to_rgb,
    video_luma,
    view_distance,
    view_distance_p90,
)
from .exceptions import ImageTooLargeError, InputError, TruncatedVideoWarning, VideoDecodeError

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
        Why it was kept (e.g. ``"sharpest of shot 3 (t=4.0-7.2 s, 18 frames)"``).
    source_sha256 : str or None
        sha256 of the source file's bytes, where known.
    sharpness : float or None
        Variance of the Laplacian, where measured (higher is sharper).
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
        """Wrap an image array (grayscale, RGB, RGBA, 16-bit are converted to RGB uint8)."""
        return cls(image=to_rgb(image, source), t=t, source=source)

    @property
    def shape(self) -> tuple[int, int]:
        """(height, width) in pixels."""
        return (int(self.image.shape[0]), int(self.image.shape[1]))

    def crop(self, box: tuple[float, float, float, float]) -> Frame:
        """A new frame with only ``box = (x0, y0, x1, y1)`` in pixels, clipped to the image."""
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
        """A new frame scaled by ``factor`` (Lanczos), for reading small text by eye or by OCR."""
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
        name = Path(self.source).name if self.source != "<array>" else "array"
        return f"{name} @ {self.t:.2f} s" if self.t is not None else name

    def _repr_html_(self) -> str:
        uri = data_uri(self.image, max_side=320)
        cap = html.escape(f"{self.label()} · {self.shape[1]}x{self.shape[0]} · {self.reason}")
        return f'<figure style="margin:0"><img src="{uri}"/><figcaption>{cap}</figcaption></figure>'


class FrameSet(Sequence[Frame]):
    """A list-like collection of :class:`Frame` with a contact sheet in notebooks."""

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
        """One row per frame: index, t, source, sha256, width, height, reason."""
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

    def save(self, directory: str | os.PathLike[str]) -> Path:
        """Write each frame as PNG plus ``manifest.json`` (source sha256, t, frame sha256).

        Returns
        -------
        pathlib.Path
            The manifest's path.
        """
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        entries = []
        for f in self._frames:
            stem = f"frame_{f.index:04d}" + (f"_t{f.t:08.3f}" if f.t is not None else "")
            path = folder / f"{stem}.png"
            with atomic_path(path) as tmp:
                Image.fromarray(f.image).save(tmp, format="PNG")
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
        return write_text(
            folder / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False)
        )

    def _repr_html_(self, max_thumbs: int = 24) -> str:
        cells = []
        for f in self._frames[:max_thumbs]:
            uri = data_uri(f.image, max_side=120)
            cap = html.escape(f"#{f.index}" + (f" {f.t:.1f}s" if f.t is not None else ""))
            tip = html.escape(f.reason)
            cells.append(
                f'<div style="display:inline-block;margin:2px;text-align:center;font:11px sans-serif" '
                f'title="{tip}"><img src="{uri}" style="display:block"/>{cap}</div>'
            )
        more = len(self) - max_thumbs
        tail = f"<div>… and {more} more</div>" if more > 0 else ""
        head = html.escape(repr(self))
        return f"<div><b>{head}</b><br/>{''.join(cells)}{tail}</div>"


def _jsonable(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=str))


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


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


def _iter_video(
    path: Path, start: float | None, end: float | None, info: dict[str, Any]
) -> Iterator[tuple[float, Any, int]]:
    """Decoded frames as ``(t, av.VideoFrame, rotation_ccw)``, not yet converted to RGB."""
    import av

    try:
        container = av.open(str(path))
    except Exception as exc:  # PyAV raises several FFmpeg error types
        raise VideoDecodeError(
            f"{path}: not a readable video ({type(exc).__name__}: {exc})"
        ) from exc
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
        if start:
            try:
                container.seek(
                    int(start / float(stream.time_base or 1)), stream=stream, backward=True
                )
            except Exception:  # not seekable: decode from the start
                pass
        last_t = None
        decoded = 0
        try:
            for frame in container.decode(stream):
                if frame.pts is None and frame.time is None:
                    continue
                t = float(frame.time) if frame.time is not None else 0.0
                if start is not None and t < start:
                    continue
                if end is not None and t > end:
                    break
                decoded += 1
                last_t = t
                yield t, frame, _rotation(frame, stream)
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
        info["frames_decoded"] = decoded
        if decoded == 0:
            raise VideoDecodeError(f"{path}: no frame could be decoded (empty or corrupt video)")
        duration = info.get("duration_s")
        wanted = duration if end is None else min(duration or end, end)
        if wanted and last_t is not None and last_t < 0.8 * wanted - 1.0:
            msg = (
                f"{path}: the video claims {duration:.2f} s but decoding ended at "
                f"t={last_t:.2f} s (truncated file?)"
            )
            info.setdefault("warnings", []).append(msg)
            warnings.warn(msg, TruncatedVideoWarning, stacklevel=3)


def _frame_rgb(frame: Any, rotation: int) -> RGBImage:
    """RGB pixels of a decoded frame, display rotation applied."""
    img = np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8)
    return _apply_rotation(img, rotation)


def extract_frames(
    path: str | os.PathLike[str],
    every: float = 1.0,
    keyframes: bool = True,
    *,
    max_frames: int | None = None,
    start: float | None = None,
    end: float | None = None,
    change_threshold: float = 0.2,
    progress: bool | None = None,
) -> FrameSet:
    """Extract the frames worth reading from a video.

    Parameters
    ----------
    path
        A video file PyAV/FFmpeg can read (mp4, mov, mkv, webm; H.264, H.265, VP9, AV1, ...).
    every
        Without ``keyframes``: one frame every ``every`` seconds of presentation time. With
        ``keyframes``: the shortest time between two kept frames of one continuous view.
    keyframes
        Group consecutive frames that show the same view (split at cuts, when the camera has
        moved by more than ``change_threshold``, and every ``max(8 * every, 4 s)``), keep the
        sharpest frame of each group, and keep a view that was already kept (a static shot
        split by time, a shot the video returns to) only once, at its sharpest. The reason of
        each frame says where its view began and which repeats were merged into it.
    max_frames
        Keep at most this many frames (the sharpest groups first, then back in time order).
    start, end
        Only consider this span, in seconds.
    change_threshold
        How far (0..1, x 125 on the 0-255 signature scale) the camera must drift from the
        start of a view for a new view to begin.
    progress
        Show a progress bar (default ``settings.progress``).

    Returns
    -------
    FrameSet

    Raises
    ------
    InputError
        The file does not exist or is empty.
    VideoDecodeError
        Nothing could be decoded. A video that breaks part way gives a
        :class:`~geoverify.exceptions.TruncatedVideoWarning` and the frames before the break.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, expected a video file")
    if p.stat().st_size == 0:
        raise VideoDecodeError(f"{p}: the file is empty (0 bytes)")
    if every <= 0:
        raise InputError(f"every must be positive, got {every}")
    src_hash = _file_sha256(p)
    info: dict[str, Any] = {
        "every": every,
        "keyframes": keyframes,
        "change_threshold": change_threshold,
    }
    show = settings.progress if progress is None else progress

    from tqdm.auto import tqdm

    bar = tqdm(desc=f"frames {p.name}", unit="fr", disable=not show, leave=False)
    kept: list[Frame] = []
    try:
        if not keyframes:
            next_t: float | None = None
            for t, vframe, rot in _iter_video(p, start, end, info):
                bar.update(1)
                if next_t is None or t >= next_t - 1e-6:
                    kept.append(
                        Frame(
                            image=_frame_rgb(vframe, rot),
                            t=t,
                            source=str(path),
                            source_sha256=src_hash,
                            reason=f"fixed sampling every {every:g} s",
                        )
                    )
                    next_t = (t if next_t is None else next_t) + every
                    while next_t <= t:
                        next_t += every
        else:
            kept = _select_keyframes(
                _iter_video(p, start, end, info),
                str(path),
                src_hash,
                every,
                change_threshold,
                bar,
                info,
            )
    finally:
        bar.close()
    if max_frames is not None and len(kept) > max_frames:
        best = sorted(kept, key=lambda f: -(f.sharpness or 0.0))[:max_frames]
        keep_ids = {id(f) for f in best}
        kept = [f for f in kept if id(f) in keep_ids]
    info["frames_kept"] = len(kept)
    return FrameSet(kept, source=str(path), info=info)


@dataclass
class _View:
    """One group of consecutive frames showing the same view, while it is being built."""

    number: int
    t0: float
    t1: float = 0.0
    n: int = 0
    best_t: float = 0.0
    best_sharp: float = -1.0
    best_frame: Any = None
    best_rot: int = 0
    best_sig: Any = None
    split: str = "start"


def _select_keyframes(
    frames: Iterator[tuple[float, Any, int]],
    source: str,
    src_hash: str,
    every: float,
    threshold: float,
    bar: Any,
    info: dict[str, Any],
) -> list[Frame]:
    """Group frames into views, keep the sharpest frame of each, and keep each view only once.

    A new view begins at a cut (the frame differs from the previous one by more than
    ``CUT_DISTANCE`` and clearly more than the footage's own motion, shift-tolerant), when the
    camera has drifted from the view's first frame by more than ``threshold`` x 125 (a pan that
    shows new things), or after ``max(8 * every, 4 s)`` of one continuous view, so that text
    entering it later is still seen. When a view closes, its sharpest frame is compared with
    every frame kept so far: if it is within ``DUPLICATE_DISTANCE`` (mean) and ``DUPLICATE_P90``
    (90th percentile of cell differences) of one (the same view again,
    as in an A-B-A cut or a static shot split by time), only the sharper of the two is kept.

    Only a small luma signature is computed for every frame; sharpness is measured on the luma
    plane a few times per ``every`` and only the frames kept are converted to RGB.
    """
    kept: list[dict[str, Any]] = []
    span = max(8.0 * every, 4.0)
    drift_limit = threshold * 125.0
    sampling = max(every / 4.0, 0.04)  # score at most ~4 candidates per `every`
    last_scored = -1e9
    view: _View | None = None
    views = 0
    duplicates = 0
    start_sig: Any = None
    prev_sig: Any = None
    recent: list[float] = []  # consecutive-frame distances: how much this footage moves anyway

    def close(v: _View | None) -> None:
        nonlocal duplicates
        if v is None or v.best_frame is None:
            return
        entry = {"view": v, "sig": v.best_sig, "also": []}
        for other in kept:
            if (
                view_distance(other["sig"], v.best_sig) <= DUPLICATE_DISTANCE
                and view_distance_p90(other["sig"], v.best_sig) <= DUPLICATE_P90
            ):
                duplicates += 1
                ov: _View = other["view"]
                if v.best_sharp > ov.best_sharp:
                    entry["also"] = [*other["also"], (ov.number, ov.t0, ov.t1)]
                    other.update(entry)
                else:
                    other["also"].append((v.number, v.t0, v.t1))
                return
        kept.append(entry)

    for t, vframe, rot in frames:
        bar.update(1)
        luma = video_luma(vframe)
        sig = luma_signature(luma)
        limited = luma_is_limited(vframe)
        if limited:  # stretch TV range to 0-255 so thresholds mean the same as on RGB
            sig = (sig - 16.0) * (255.0 / 219.0)
        if rot:
            sig = np.ascontiguousarray(np.rot90(sig, int(round(rot / 90)) % 4))
        step = view_distance(prev_sig, sig) if prev_sig is not None else 0.0
        # a cut stands out from the footage's own motion (a busy street moves every frame)
        cut_at = max(CUT_DISTANCE, 3.0 * float(np.median(recent))) if recent else CUT_DISTANCE
        recent = [*recent[-11:], step]
        reason = ""
        if view is None:
            reason = "start"
        elif step > cut_at:
            reason = "cut"
        elif t - view.t0 >= every and view_distance(start_sig, sig) > drift_limit:
            reason = "camera moved"
        elif t - view.t0 >= span:
            reason = f"{span:g} s of one view"
        if reason:
            close(view)
            views += 1
            view = _View(number=views, t0=t, split=reason)
            start_sig = sig
            last_scored = -1e9
        assert view is not None
        prev_sig = sig
        view.n += 1
        view.t1 = t
        if t - last_scored >= sampling:
            last_scored = t
            s = luma_sharpness(luma) * ((255.0 / 219.0) ** 2 if limited else 1.0)
            if s > view.best_sharp:
                view.best_t, view.best_sharp, view.best_frame = t, s, vframe
                view.best_rot, view.best_sig = rot, sig
    close(view)
    info["views"] = views
    info["duplicate_views"] = duplicates
    out: list[Frame] = []
    for entry in sorted(kept, key=lambda e: e["view"].best_t):
        v = entry["view"]
        reason = (
            f"sharpest of view {v.number} (t={v.t0:.2f}-{v.t1:.2f} s, {v.n} frames, "
            f"began at: {v.split})"
        )
        if entry["also"]:
            seen = ", ".join(f"view {n} t={a:.2f}-{b:.2f} s" for n, a, b in entry["also"])
            reason += f"; same view also seen in {seen}"
        out.append(
            Frame(
                image=_frame_rgb(v.best_frame, v.best_rot),
                t=v.best_t,
                source=source,
                source_sha256=src_hash,
                sharpness=v.best_sharp,
                reason=reason,
            )
        )
    return out


#: Shift-tolerant signature distance (0-255) between consecutive frames that marks a cut.
CUT_DISTANCE = 12.0
#: Signature distance (0-255) under which two kept frames show the same view (kept once).
DUPLICATE_DISTANCE = 10.0
#: ... and under which 90 % of its cells differ (a moved or new sign changes a few cells a lot).
DUPLICATE_P90 = 20.0


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
    """Load one photo or screenshot as a :class:`Frame` (EXIF orientation applied)."""
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
        with Image.open(p) as im:
            w, h = im.size
            if w * h > settings.max_image_pixels:
                raise ImageTooLargeError(
                    f"{p}: {w}x{h} = {w * h:,} pixels exceeds settings.max_image_pixels "
                    f"({settings.max_image_pixels:,}); raise it if the image is trusted"
                )
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                im = ImageOps.exif_transpose(im)
                arr = np.asarray(im.convert("RGBA") if im.mode in ("RGBA", "LA", "P") else im)
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        if isinstance(exc, UnidentifiedImageError):
            raise InputError(f"{p}: not an image Pillow can read") from exc
        raise ImageTooLargeError(f"{p}: refused as a decompression bomb ({exc})") from exc
    except OSError as exc:
        raise InputError(f"{p}: the image is damaged or truncated ({exc})") from exc
    return Frame(
        image=to_rgb(arr, str(p)),
        t=None,
        source=str(path),
        source_sha256=_file_sha256(p),
        reason="photo",
    )


def load_images(
    paths_or_glob: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
) -> FrameSet:
    """Load photos and screenshots as a :class:`FrameSet`.

    Parameters
    ----------
    paths_or_glob
        A file, a folder, a glob pattern (``"shots/*.jpg"``) or a list of files. PNG, JPEG,
        WebP, TIFF, BMP; HEIC where ``pillow-heif`` is installed.

    Returns
    -------
    FrameSet
        One frame per image, in the order given (globs and folders sorted by name), each
        with the sha256 of its file.
    """
    paths = _expand(paths_or_glob)
    frames = [load_image(p) for p in paths]
    source = os.fspath(paths_or_glob) if isinstance(paths_or_glob, (str, os.PathLike)) else None
    return FrameSet(frames, source=source)


def as_frames(obj: Any) -> FrameSet:
    """Coerce a FrameSet, Frame, array, path (image or video) or list of these to a FrameSet."""
    if isinstance(obj, FrameSet):
        return obj
    if isinstance(obj, Frame):
        return FrameSet([obj])
    if isinstance(obj, np.ndarray):
        return FrameSet([Frame.from_array(obj)])
    if isinstance(obj, Image.Image):
        return FrameSet([Frame.from_array(np.asarray(obj.convert("RGBA")))])
    if isinstance(obj, (str, os.PathLike)):
        p = Path(obj)
        if p.suffix.lower() in _IMAGE_SUFFIXES or p.is_dir() or any(c in str(obj) for c in "*?["):
            return load_images(obj)
        return extract_frames(p)
    if isinstance(obj, Iterable):
        frames: list[Frame] = []
        for item in obj:
            frames.extend(as_frames(item))
        return FrameSet(frames)
    raise InputError(f"cannot read frames from {type(obj).__name__}")
