"""The frame data model: :class:`Frame` (pixels, time, provenance) and :class:`FrameSet`
(a sequence of frames that saves, loads and shows itself).

Public as ``geoverify.Frame`` and ``geoverify.FrameSet`` (and from :mod:`geoverify.frames`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, overload

import numpy as np
import pandas as pd
from PIL import Image

from ._atomic import replace_dir, write_text
from ._escape import html_text
from ._imaging import RGBImage, data_uri, pixel_sha256, to_rgb
from .exceptions import InputError


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
