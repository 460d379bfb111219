"""The small base class every OCR engine implements, and the language table."""

from __future__ import annotations

import abc
import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from .._imaging import RGBImage
from ..exceptions import UnsupportedLanguageError

#: geoverify language code -> (Tesseract model, EasyOCR code, script)
LANGUAGES: dict[str, tuple[str, str, str]] = {
    "ur": ("urd", "ur", "Arab"),
    "en": ("eng", "en", "Latn"),
    "ar": ("ara", "ar", "Arab"),
    "fa": ("fas", "fa", "Arab"),
    "hi": ("hin", "hi", "Deva"),
    "pa": ("pan", "pa", "Guru"),
}


def check_languages(languages: Sequence[str], supported: Sequence[str], engine: str) -> list[str]:
    """Validate language codes; raise listing the supported ones."""
    if isinstance(languages, str):
        languages = [p.strip() for p in languages.replace("+", ",").split(",") if p.strip()]
    langs = list(languages)
    if not langs:
        raise UnsupportedLanguageError(
            f"{engine}: no language given; supported: {', '.join(supported)}"
        )
    bad = [lang for lang in langs if lang not in supported]
    if bad:
        raise UnsupportedLanguageError(
            f"{engine}: unsupported language code(s) {', '.join(map(repr, bad))}; supported: "
            f"{', '.join(supported)} (ISO 639-1, e.g. 'ur' for Urdu, 'en' for English)"
        )
    return langs


Box = tuple[int, int, int, int]


def plain_option(value: Any) -> bool:
    """Whether an engine option is plain data that a case.json may hold: None, a number, a text
    of at most 500 characters, or a list of at most 64 of those (the one rule, for saving an
    engine's options and for reading them back from a received case folder)."""
    if isinstance(value, list):
        return len(value) <= 64 and all(not isinstance(v, list) and plain_option(v) for v in value)
    return (
        value is None
        or isinstance(value, (bool, int, float))
        or (isinstance(value, str) and len(value) <= 500)
    )


def box_iou(a: Box, b: Box) -> float:
    """Intersection over union of two ``(x0, y0, x1, y1)`` boxes."""
    inter = box_intersection(a, b)
    union = box_area(a) + box_area(b) - inter
    return inter / union if union > 0 else 0.0


def box_overlap(a: Box, b: Box) -> float:
    """Intersection over the smaller box: a line read at two scales, or a word within its
    line, rarely has the same box as the other reading."""
    small = min(box_area(a), box_area(b))
    return box_intersection(a, b) / small if small > 0 else 0.0


def box_area(a: Box) -> int:
    """Area of an ``(x0, y0, x1, y1)`` box (0 where it is empty).

    Parameters
    ----------
    a
        The box, in pixels.

    Returns
    -------
    int
        Its width times its height, each at least 0.
    """
    return max(0, a[2] - a[0]) * max(0, a[3] - a[1])


def box_union(boxes: Sequence[Sequence[int]]) -> Box:
    """The smallest box that holds all of ``boxes``.

    Parameters
    ----------
    boxes
        One ``(x0, y0, x1, y1)`` box or more (ValueError for none).

    Returns
    -------
    (int, int, int, int)
        The box spanning them.
    """
    if not boxes:
        raise ValueError("box_union needs at least one box")
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def vertical_overlap(a: Sequence[float], b: Sequence[float]) -> float:
    """How far two ``(x0, y0, x1, y1)`` boxes overlap vertically, as a share of the shorter
    one's height (0 where they do not, or where either has no height): about 1 for two words
    on one line, below one half for two lines one over the other.
    """
    shorter = min(a[3] - a[1], b[3] - b[1])
    if shorter <= 0:
        return 0.0
    return max(0.0, min(a[3], b[3]) - max(a[1], b[1])) / shorter


def box_intersection(a: Box, b: Box) -> int:
    """Area that two ``(x0, y0, x1, y1)`` boxes share (0 where they do not meet)."""
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    return ix * iy


@dataclass
class Line:
    """One line of text read from an image."""

    text: str
    confidence: float  # 0..1
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels of the original image
    engine: str
    lang: str = ""
    extra: dict[str, Any] | None = None


class OCREngine(abc.ABC):
    """An OCR engine: reads lines of text from an RGB image.

    Subclasses set :attr:`name`, implement :meth:`read` and :meth:`params` (everything that
    changes the output, for the cache key) and :meth:`version`.
    """

    name: ClassVar[str] = "engine"

    def __init__(self, languages: Sequence[str] = ("ur", "en")) -> None:
        self.languages = check_languages(languages, self.supported_languages(), self.name)

    @classmethod
    def supported_languages(cls) -> list[str]:
        """Language codes this engine can read (where its models are installed)."""
        return list(LANGUAGES)

    @abc.abstractmethod
    def read(self, image: RGBImage) -> list[Line]:
        """Read the lines of text in ``image`` (H x W x 3 uint8)."""

    def params(self) -> dict[str, Any]:
        """Everything that changes the output (part of the OCR cache key)."""
        return {"languages": list(self.languages)}

    def options(self) -> dict[str, Any]:
        """The keyword options that rebuild this engine by name.

        ``get_engine(engine.name, engine.languages, **engine.options())`` makes an engine that
        reads the same way; a :class:`~geoverify.Case` saves an engine object as its name and
        these options. Read as scikit-learn's ``get_params`` does: each keyword-only argument
        of ``__init__`` that the engine keeps as an attribute of the same name, where its
        value is plain data (a number, a short string or a short list of them). A callable or
        a long list (a lexicon of thousands of names) is left out: the case supplies its
        gazetteer's names as the lexicon anyway.
        """
        out: dict[str, Any] = {}
        for name, param in inspect.signature(type(self).__init__).parameters.items():
            if param.kind is param.KEYWORD_ONLY and hasattr(self, name):
                value = getattr(self, name)
                if isinstance(value, tuple):
                    value = list(value)
                if plain_option(value):
                    out[name] = value
        return out

    @property
    def disk_cacheable(self) -> bool:
        """Whether :meth:`params` pins the output down well enough to cache it on disk."""
        return True

    def version(self) -> str:
        """Engine and model version, for provenance."""
        return "unknown"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(languages={self.languages!r})"
