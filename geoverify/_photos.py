"""Photos and screenshots as frames: suffixes, folders and globs, EXIF orientation, the pixel
limit, CMYK and animated images; and the one rule for what is read as a video.

Public through :mod:`geoverify.frames` (``load_images``, ``load_image``, ``is_video_path``).
"""

from __future__ import annotations

import glob as _glob
import os
import warnings
from collections.abc import Iterable
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from . import settings
from ._frame import Frame, FrameSet
from ._imaging import RGBImage, check_pixels, pil_to_rgb
from .data import sha256_file
from .exceptions import FramesDroppedWarning, ImageTooLargeError, InputError

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
