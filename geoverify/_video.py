"""Decoding video frames with PyAV (private: used by :mod:`geoverify.frames`): rotation, pixel
format, broken MP4 indexes, and telling a truncated video from a complete one."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ._imaging import (
    RGBImage,
    check_pixels,
)
from .exceptions import (
    ImageTooLargeError,
    TruncatedVideoWarning,
    VideoDecodeError,
)


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


def frame_rgb(frame: Any, rotation: int, reformatter: Any = None) -> RGBImage:
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


def reformatter() -> Any:
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


def iter_video(
    path: Path,
    start: float | None,
    end: float | None,
    info: dict[str, Any],
    bar: Any,
    *,
    stacklevel: int = 2,
) -> Iterator[tuple[float, Any, int]]:
    """Decoded frames as ``(t, av.VideoFrame, rotation_ccw)``, not yet converted to RGB.

    ``t`` is the frame's presentation time in seconds (from its PTS, so variable frame rate
    video keeps its real times). ``stacklevel`` is that of the warnings of a truncated video
    as seen from the loop over the frames: 2 names the line that called the loop's function.
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
            warnings.warn(msg, TruncatedVideoWarning, stacklevel=stacklevel + 1)
            broke = True
        info["frames_decoded"] = decoded
        if decoded == 0:
            raise VideoDecodeError(f"{path}: no frame could be decoded (empty or corrupt video)")
        if not broke and first_t is not None and last_t is not None:
            _check_complete(path, stream, info, (first_t, last_t, decoded), end, stacklevel + 2)


#: A video whose last decoded frame is more than this many frame intervals (and at least
#: ``TRUNCATED_SECONDS``) short of the end its video stream declares is reported truncated.
TRUNCATED_FRAMES = 3
TRUNCATED_SECONDS = 0.25


def _check_complete(
    path: Path,
    stream: Any,
    info: dict[str, Any],
    span: tuple[float, float, int],
    end: Any,
    stacklevel: int,
) -> None:
    """Warn (:class:`~geoverify.exceptions.TruncatedVideoWarning`) when decoding ended
    (``span``: first and last frame time, frames decoded) well before the end the video stream
    declares: its start time plus its duration; without a stream duration only a loose check
    against the container's (which audio may make longer) is possible. ``stacklevel`` is the
    warning's, from here."""
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
        warnings.warn(msg, TruncatedVideoWarning, stacklevel=stacklevel)
