"""Configuration for geoverify, in one place.

Change a setting by assigning to it, for example::

    import geoverify as gv
    gv.settings.max_image_pixels = 50_000_000
    gv.settings.data_dir = "/mnt/usb/geodata"

Environment variables set the defaults when geoverify is imported:

``GEOVERIFY_DATA_DIR``
    A directory searched first for published data files (Natural Earth, GeoNames) by their
    published file stem, for air-gapped use.
``GEOVERIFY_CACHE_DIR``
    Where downloads and the OCR cache live (default: the platform's user cache directory).
``GEOVERIFY_EASYOCR_MODELS``
    EasyOCR's ``model_storage_directory``.
"""

from __future__ import annotations

import difflib
import os
import sys
import types
from pathlib import Path

from platformdirs import user_cache_dir

#: Directory searched first for published data files, by their published stem.
data_dir: str | None = os.environ.get("GEOVERIFY_DATA_DIR") or None

#: Download and result cache.
cache_dir: str = os.environ.get("GEOVERIFY_CACHE_DIR") or user_cache_dir("geoverify")

#: Whether geoverify may download published data (Natural Earth, GeoNames, OCR weights).
allow_downloads: bool = os.environ.get("GEOVERIFY_OFFLINE", "") not in ("1", "true", "yes")

#: Largest image, in pixels, that geoverify will decode (decompression-bomb guard).
max_image_pixels: int = 120_000_000

#: Most frames read from one animated image (GIF, WebP, APNG); the rest are left out with a
#: warning. Every frame decoded counts towards ``max_image_pixels``.
max_animation_frames: int = 300

#: Path to the tesseract binary (None: look it up on PATH).
tesseract_cmd: str | None = os.environ.get("GEOVERIFY_TESSERACT_CMD") or None

#: EasyOCR's model directory and whether EasyOCR may download weights.
easyocr_model_dir: str | None = os.environ.get("GEOVERIFY_EASYOCR_MODELS") or None
easyocr_download_enabled: bool = False

#: Run EasyOCR's CRAFT text detector with onnxruntime on the CPU (exported once from its weights
#: into the cache; about 1.4x faster than PyTorch), rather than PyTorch. Read when CRAFT is
#: first loaded in a process.
craft_onnx: bool = os.environ.get("GEOVERIFY_CRAFT_ONNX", "1") not in ("0", "false", "no")

#: Show progress bars (tqdm.auto) on long operations.
progress: bool = True

#: Cache OCR results by frame hash + engine + parameters.
ocr_cache: bool = True

#: Seconds to wait for an unresponsive host when fetching media (:func:`geoverify.fetch_media`).
download_timeout: float = 30.0

#: Largest media file :func:`geoverify.fetch_media` downloads, in bytes.
max_media_bytes: int = 4_000_000_000

#: User agent for online services (geocoders, downloads).
user_agent: str = "geoverify (https://github.com/geoverify/geoverify)"


def cache_path(*parts: str) -> Path:
    """Return a path inside the cache directory, creating its parent folder.

    Parameters
    ----------
    *parts
        Path components below :data:`cache_dir`.

    Returns
    -------
    pathlib.Path
    """
    path = Path(cache_dir).expanduser().joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


class _Settings(types.ModuleType):
    """This module, refusing to grow new names: ``settings.progres = False`` (a typo) would
    otherwise be accepted and change nothing."""

    def __setattr__(self, name: str, value: object) -> None:
        if not name.startswith("_") and name not in self.__dict__:
            known = [n for n in self.__dict__ if not n.startswith("_") and n.islower()]
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; settings: {', '.join(known)}"
            from .exceptions import UnknownSettingError

            raise UnknownSettingError(f"geoverify.settings has no setting {name!r}{hint}")
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Settings
