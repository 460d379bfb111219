"""Tesseract engine (Debian ``tesseract-ocr`` with ``urd``, ``eng`` and the ``Arabic`` script model)."""

from __future__ import annotations

import functools
import shutil
import subprocess
from collections.abc import Sequence
from typing import Any, ClassVar

import pandas as pd

from .. import settings
from .._imaging import RGBImage
from ..exceptions import EngineUnavailableError, UnsupportedLanguageError
from ..text import detect_script, normalize
from . import _lines
from .base import LANGUAGES, Line, OCREngine

_APT = {
    "urd": "tesseract-ocr-urd",
    "eng": "tesseract-ocr-eng",
    "ara": "tesseract-ocr-ara",
    "fas": "tesseract-ocr-fas",
    "hin": "tesseract-ocr-hin",
    "pan": "tesseract-ocr-pan",
    "Arabic": "tesseract-ocr-script-arab",
}


def _cmd() -> str:
    cmd = settings.tesseract_cmd or shutil.which("tesseract")
    if not cmd:
        raise EngineUnavailableError(
            "Tesseract is not installed. On Debian/Ubuntu: sudo apt-get install tesseract-ocr "
            "tesseract-ocr-urd tesseract-ocr-eng tesseract-ocr-script-arab (or run `make demo`, "
            "which installs them)"
        )
    return cmd


@functools.lru_cache(maxsize=4)
def installed_models(cmd: str | None = None) -> tuple[str, ...]:
    """Models ``tesseract --list-langs`` reports (Debian names the Arabic-script model ``Arabic``)."""
    cmd = cmd or _cmd()
    try:
        out = subprocess.run(
            [cmd, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError as exc:
        raise EngineUnavailableError(f"cannot run {cmd}: {exc}") from exc
    lines = (out.stdout or out.stderr).splitlines()
    return tuple(sorted({ln.strip().split("/")[-1] for ln in lines[1:] if ln.strip()}))


@functools.lru_cache(maxsize=2)
def tesseract_version(cmd: str | None = None) -> str:
    """``tesseract --version``'s first line."""
    cmd = cmd or _cmd()
    out = subprocess.run(
        [cmd, "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    return ((out.stdout or out.stderr).splitlines() or ["tesseract ?"])[0].strip()


class TesseractEngine(OCREngine):
    """Tesseract through ``pytesseract``.

    Parameters
    ----------
    languages
        geoverify codes, e.g. ``("ur", "en")``; become ``urd+eng``.
    psm
        Page segmentation mode. 11 (sparse text, no order) suits scene text: signs and banners
        scattered over a frame.
    min_confidence
        Words below this Tesseract confidence (0-100) are dropped.
    """

    name: ClassVar[str] = "tesseract"

    def __init__(
        self,
        languages: Sequence[str] = ("ur", "en"),
        *,
        psm: int = 11,
        min_confidence: float = 30.0,
        min_line_confidence: float = 0.55,
        oem: int = 1,
    ) -> None:
        super().__init__(languages)
        cmd = _cmd()
        have = installed_models(cmd)
        self.models = [LANGUAGES[lang][0] for lang in self.languages]
        missing = [m for m in self.models if m not in have]
        if missing:
            # tesseract would silently fall back to English: refuse instead
            pkgs = " ".join(_APT.get(m, f"tesseract-ocr-{m}") for m in missing)
            raise EngineUnavailableError(
                f"Tesseract has no model for {', '.join(missing)} (installed: {', '.join(have) or 'none'}). "
                f"On Debian/Ubuntu: sudo apt-get install {pkgs}"
            )
        self.psm = psm
        self.oem = oem
        self.min_confidence = min_confidence
        self.min_line_confidence = min_line_confidence
        self._cmd = cmd

    @classmethod
    def supported_languages(cls) -> list[str]:
        return list(LANGUAGES)

    def params(self) -> dict[str, Any]:
        return {
            "languages": self.languages,
            "psm": self.psm,
            "oem": self.oem,
            "min_confidence": self.min_confidence,
            "min_line_confidence": self.min_line_confidence,
        }

    def version(self) -> str:
        return f"{tesseract_version(self._cmd)}; models {'+'.join(self.models)}"

    def read(self, image: RGBImage, *, lang: str | None = None) -> list[Line]:
        import pytesseract

        pytesseract.pytesseract.tesseract_cmd = self._cmd
        lang = lang or "+".join(self.models)
        if any(m not in installed_models(self._cmd) for m in lang.split("+")):
            raise UnsupportedLanguageError(f"tesseract model(s) {lang!r} not installed")
        data = pytesseract.image_to_data(
            image,
            lang=lang,
            config=f"--psm {self.psm} --oem {self.oem}",
            output_type=pytesseract.Output.DATAFRAME,
        )
        lines = words_to_lines(data, self.min_confidence, engine=self.name, lang=lang)
        # texture read as letters comes back with low confidence; real lines rarely do
        return [ln for ln in lines if ln.confidence >= self.min_line_confidence]


def words_to_lines(
    data: pd.DataFrame, min_confidence: float, *, engine: str, lang: str
) -> list[Line]:
    """Group Tesseract's word table into lines in reading order (right to left for Urdu)."""
    if data is None or data.empty:
        return []
    d = data[(data["conf"].astype(float) >= min_confidence) & data["text"].notna()].copy()
    d["text"] = d["text"].astype(str).str.strip()
    d = d[d["text"].str.len() > 0]
    out: list[Line] = []
    for _, g in d.groupby(["block_num", "par_num", "line_num"], sort=True):
        words = [
            (normalize(t), int(x), int(y), int(w), int(h), float(c))
            for t, x, y, w, h, c in zip(
                g["text"], g["left"], g["top"], g["width"], g["height"], g["conf"]
            )
        ]
        words = [w for w in words if w[0]]
        if not words:
            continue
        line = _lines.join_words(words)
        if line is None:
            continue
        text, box, conf = line
        out.append(
            Line(
                text=text,
                confidence=conf,
                box=box,
                engine=engine,
                lang=lang,
                extra={"script": detect_script(text)},
            )
        )
    return _lines.drop_noise(out)
