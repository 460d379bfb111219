"""Private: cut, transform and write videos (PyAV, OpenCV).

What a re-uploader does to footage (cut, rescale, crop, mirror, re-time, adjust brightness and
contrast, burn in a logo or a caption), done here to build test clips, the clip benchmark and
the demo's longer video.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ._atomic import atomic_path

Image = NDArray[np.uint8]


def read_frames(
    path: Path, start: float = 0.0, end: float | None = None, max_side: int | None = None
) -> Iterator[tuple[float, Image]]:
    """RGB frames of ``path`` with their times (seconds from the first frame) in
    ``[start, end)``, optionally scaled so that their longer side is at most ``max_side``."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        t0 = None
        for frame in container.decode(stream):
            if frame.time is None:
                continue
            t0 = frame.time if t0 is None else t0
            t = float(frame.time - t0)
            if t < start - 1e-6:
                continue
            if end is not None and t >= end - 1e-6:
                break
            if max_side and max(frame.width, frame.height) > max_side:
                s = max_side / max(frame.width, frame.height)
                w, h = (round(frame.width * s / 2) * 2, round(frame.height * s / 2) * 2)
                frame = frame.reformat(width=w, height=h)
            yield t, np.asarray(frame.to_ndarray(format="rgb24"), np.uint8)


def write_video(frames: Iterable[Image], path: Path, fps: float, crf: int = 28) -> Path:
    """Encode RGB frames (all of one size) as H.264 MP4 at ``fps``, atomically; the same
    frames give the same file on one machine (:func:`x264_params`)."""
    import av

    with atomic_path(path) as tmp, av.open(str(tmp), "w") as out:
        stream = None
        for img in frames:
            if stream is None:
                h, w = img.shape[:2]
                stream = out.add_stream("libx264", rate=_rate(fps))
                stream.width, stream.height = w - w % 2, h - h % 2
                stream.pix_fmt = "yuv420p"
                stream.options = {"crf": str(crf), "preset": "veryfast", **x264_params()}
            img = np.ascontiguousarray(img[: stream.height, : stream.width])
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        if stream is not None:
            for packet in stream.encode():
                out.mux(packet)
    return path


#: x264's names for the x86 instruction sets below AVX-512, by the Linux CPU flag for each.
X264_SETS = {
    "sse": "MMX2,SSE",
    "sse2": "SSE2",
    "ssse3": "SSSE3",
    "sse4_1": "SSE4.1",
    "sse4_2": "SSE4.2",
    "avx": "AVX",
    "fma": "FMA3",
    "bmi1": "BMI1",
    "bmi2": "BMI2",
    "avx2": "AVX2",
    "abm": "LZCNT",
}


@functools.lru_cache(maxsize=1)
def x264_params(cpuinfo: str = "/proc/cpuinfo") -> dict[str, str]:
    """Options that keep x264's output the same for the same frames on this machine.

    x264's AVX-512 code reads memory it has not written: on a CPU with AVX-512, the same frames
    encoded twice in one process gave another file (other pixels decoded) whenever other work
    had used the heap in between, and what tests measured on the video moved with it. With the
    sets below AVX-512 (named from the CPU's own flags, so none it lacks) the output held. Empty
    (x264's own choice) where the CPU has no AVX-512 or its flags cannot be read."""
    try:
        text = Path(cpuinfo).read_text(encoding="ascii", errors="replace")
    except OSError:
        return {}
    line = next((ln for ln in text.splitlines() if ln.startswith("flags")), "")
    flags = set(line.partition(":")[2].split())
    if "avx512f" not in flags:
        return {}
    return {"x264-params": "asm=" + ",".join(v for k, v in X264_SETS.items() if k in flags)}


def _rate(fps: float) -> object:
    from fractions import Fraction

    return Fraction(fps).limit_denominator(1001)


def retime(frames: Iterable[tuple[float, Image]], fps: float) -> Iterator[Image]:
    """Frames resampled to ``fps`` (the latest frame at or before each new tick)."""
    tick, last = 0.0, None
    for t, img in frames:
        while last is not None and tick < t - 1e-6:
            yield last
            tick += 1.0 / fps
        last = img
    if last is not None:
        yield last


@dataclass
class Edit:
    """What a re-uploader did to the footage; the defaults change nothing."""

    scale: float = 1.0
    crop: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # left, top, right, bottom
    mirror: bool = False
    brightness: float = 0.0  # added, 0-255
    contrast: float = 1.0  # gain about mid-grey
    logo: bool = False  # a box with text in a corner
    caption: str = ""  # a band of text at the bottom

    def __call__(self, img: Image) -> Image:
        import cv2

        h, w = img.shape[:2]
        left, top, right, bottom = self.crop
        out = img[int(h * top) : h - int(h * bottom), int(w * left) : w - int(w * right)]
        if self.mirror:
            out = out[:, ::-1]
        if self.scale != 1.0:
            size = (max(2, int(out.shape[1] * self.scale)), max(2, int(out.shape[0] * self.scale)))
            out = np.asarray(cv2.resize(out, size, interpolation=cv2.INTER_AREA), np.uint8)
        if self.brightness or self.contrast != 1.0:
            f = (out.astype(np.float32) - 128.0) * self.contrast + 128.0 + self.brightness
            out = np.clip(f, 0, 255).astype(np.uint8)
        out = np.ascontiguousarray(out)
        if self.logo:
            _logo(out)
        if self.caption:
            _caption(out, self.caption)
        return out


def _logo(img: Image) -> None:
    import cv2

    h, w = img.shape[:2]
    x1, y1 = int(w * 0.97), int(h * 0.04)
    x0, y0 = x1 - max(8, w // 6), y1 + max(6, h // 10)
    cv2.rectangle(img, (x0, y1), (x1, y0), (230, 30, 30), -1)
    cv2.putText(img, "NEWS", (x0 + 2, y0 - 3), cv2.FONT_HERSHEY_SIMPLEX, h / 500, (255,) * 3, 1)


def _caption(img: Image, text: str) -> None:
    import cv2

    h, w = img.shape[:2]
    band = max(8, h // 9)
    img[h - band :] = (img[h - band :] * 0.3).astype(np.uint8)
    cv2.putText(
        img, text, (4, h - band // 3), cv2.FONT_HERSHEY_SIMPLEX, band / 40, (255, 255, 0), 1
    )


def make_clip(
    source: Path,
    out: Path,
    start: float,
    end: float,
    edit: Callable[[Image], Image] = Edit(),  # noqa: B008 - a frozen default does nothing
    fps: float | None = None,
    max_side: int | None = None,
) -> Path:
    """Cut ``[start, end)`` of ``source``, apply ``edit`` to each frame, re-time to ``fps``
    (default: the source's) and write it to ``out``."""
    frames = [(t - start, edit(img)) for t, img in read_frames(source, start, end, max_side)]
    if fps is None:
        fps = _source_fps(source)
    return write_video(retime(frames, fps), out, fps)


def _source_fps(path: Path) -> float:
    import av

    with av.open(str(path)) as c:
        rate = c.streams.video[0].average_rate
        return float(rate) if rate else 25.0


#: A slow camera move over a still: ``(start centre, end centre, start zoom, end zoom)``, the
#: centres as shares of the image, the zoom as the share of its width in view.
PanPath = tuple[tuple[float, float], tuple[float, float], float, float]


def pan(
    img: Image, path: PanPath, seconds: float, size: tuple[int, int], fps: float
) -> Iterator[Image]:
    """Frames of a camera panning and zooming over a still image, ``size`` (width, height)."""
    import cv2

    h, w = img.shape[:2]
    (x0, y0), (x1, y1), z0, z1 = path
    n = max(1, round(seconds * fps))
    for i in range(n):
        a = i / max(1, n - 1)
        cw = min(w, (z0 + (z1 - z0) * a) * w)
        ch = min(h, cw * size[1] / size[0])
        cw = ch * size[0] / size[1]
        cx = float(np.clip((x0 + (x1 - x0) * a) * w, cw / 2, w - cw / 2))
        cy = float(np.clip((y0 + (y1 - y0) * a) * h, ch / 2, h - ch / 2))
        sx, sy = size[0] / cw, size[1] / ch
        m = np.array([[sx, 0, -(cx - cw / 2) * sx], [0, sy, -(cy - ch / 2) * sy]], np.float32)
        yield np.asarray(cv2.warpAffine(img, m, size, flags=cv2.INTER_AREA), np.uint8)
