"""OCR: read the signage and banners in frames, Urdu and English.

:func:`read_text` runs an engine over frames and returns one row per line of text;
:func:`merge_text` folds the same banner seen in many frames into one row.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import settings
from ..frames import Frame, as_frames
from ..text import detect_script, normalize
from .base import LANGUAGES, Line, OCREngine, check_languages
from .ensemble import EnsembleEngine

__all__ = [
    "LANGUAGES",
    "TEXT_COLUMNS",
    "Line",
    "OCREngine",
    "get_engine",
    "merge_text",
    "read_text",
]

#: Columns of the text table, in order.
TEXT_COLUMNS = [
    "frame",
    "t",
    "text",
    "text_norm",
    "script",
    "confidence",
    "x0",
    "y0",
    "x1",
    "y1",
    "engine",
    "source",
    "frame_sha256",
]

_ENGINES = ("tesseract", "easyocr", "ensemble")
_CACHE: OrderedDict[str, list[Line]] = OrderedDict()
_CACHE_MAX = 2048


def get_engine(
    engine: str | OCREngine = "tesseract", languages: Sequence[str] = ("ur", "en"), **options: Any
) -> OCREngine:
    """An OCR engine by name: ``"tesseract"``, ``"easyocr"`` or ``"ensemble"`` (both).

    Raises
    ------
    EngineUnavailableError
        The engine or its language data is not installed (the message says how to install it).
    UnsupportedLanguageError
        A language code is not supported (the message lists the supported ones).
    """
    if isinstance(engine, OCREngine):
        return engine
    check_languages(languages, list(LANGUAGES), "geoverify")
    if engine == "tesseract":
        from .tesseract import TesseractEngine

        return TesseractEngine(languages, **options)
    if engine == "easyocr":
        from .easyocr import EasyOCREngine

        return EasyOCREngine(languages, **options)
    if engine in ("ensemble", "tesseract+easyocr", "both"):
        from .easyocr import EasyOCREngine
        from .tesseract import TesseractEngine

        easy_opts = {
            k: v
            for k, v in options.items()
            if k in ("model_storage_directory", "download_enabled", "gpu")
        }
        tess_opts = {k: v for k, v in options.items() if k in ("psm", "min_confidence", "oem")}
        return EnsembleEngine(
            [TesseractEngine(languages, **tess_opts), EasyOCREngine(languages, **easy_opts)]
        )
    raise ValueError(f"unknown OCR engine {engine!r}; choose one of {', '.join(_ENGINES)}")


def _cache_key(frame: Frame, engine: OCREngine) -> str:
    blob = json.dumps([frame.sha256, engine.name, engine.params()], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def _read_cached(frame: Frame, engine: OCREngine) -> list[Line]:
    if not settings.ocr_cache:
        return engine.read(frame.image)
    key = _cache_key(frame, engine)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    lines = engine.read(frame.image)
    _CACHE[key] = lines
    if len(_CACHE) > _CACHE_MAX:
        _CACHE.popitem(last=False)
    return lines


def clear_cache() -> None:
    """Forget cached OCR results."""
    _CACHE.clear()


def read_text(
    frames_or_images: Any,
    languages: Sequence[str] = ("ur", "en"),
    engine: str | OCREngine = "tesseract",
    *,
    progress: bool | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Read the text in frames: one row per line.

    Parameters
    ----------
    frames_or_images
        A :class:`~geoverify.FrameSet`, a :class:`~geoverify.Frame`, an image array, a path
        (image or video), or a list of these.
    languages
        ISO 639-1 codes: ``"ur"`` Urdu, ``"en"`` English, ``"ar"``, ``"fa"``, ``"hi"``, ``"pa"``.
    engine
        ``"tesseract"`` (default), ``"easyocr"``, ``"ensemble"`` (both), or an engine object.
    progress
        Show a progress bar over frames (default ``settings.progress``).
    **options
        Passed to the engine (``psm=``, ``model_storage_directory=``, ...).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TEXT_COLUMNS`: ``text`` in reading order (right to left lines are
        ordered right to left), ``text_norm`` for matching (NFKC, Arabic letter forms folded to
        Urdu, diacritics, tatweel and bidi marks removed), ``script`` (ISO 15924),
        ``confidence`` (0..1), the box ``x0, y0, x1, y1`` in frame pixels and ``engine``.
        Text is data: nothing read is ever executed or rendered unescaped.
    """
    frames = as_frames(frames_or_images)
    eng = get_engine(engine, languages, **options)
    from tqdm.auto import tqdm

    show = settings.progress if progress is None else progress
    rows = []
    for f in tqdm(
        frames,
        desc=f"OCR ({eng.name})",
        unit="frame",
        disable=not show or len(frames) < 2,
        leave=False,
    ):
        for ln in _read_cached(f, eng):
            text = ln.text
            rows.append(
                {
                    "frame": f.index,
                    "t": f.t,
                    "text": text,
                    "text_norm": normalize(text),
                    "script": detect_script(text),
                    "confidence": round(float(ln.confidence), 4),
                    "x0": ln.box[0],
                    "y0": ln.box[1],
                    "x1": ln.box[2],
                    "y1": ln.box[3],
                    "engine": ln.engine,
                    "source": f.source,
                    "frame_sha256": f.sha256,
                }
            )
    df = pd.DataFrame(rows, columns=TEXT_COLUMNS)
    df.attrs["engine"] = eng.name
    df.attrs["engine_version"] = eng.version()
    df.attrs["engine_params"] = eng.params()
    df.attrs["languages"] = list(languages)
    return df


def merge_text(texts: pd.DataFrame, *, similarity: float = 85.0) -> pd.DataFrame:
    """Fold the same line seen in many frames into one row with the consensus reading.

    Lines are grouped when their normalised texts are similar (rapidfuzz ratio >= ``similarity``).
    The consensus is the most frequent reading (ties: the most confident).

    Returns
    -------
    pandas.DataFrame
        ``text, text_norm, script, confidence, n_frames, frames, first_t, last_t, best_frame,
        x0, y0, x1, y1, engine, readings``.
    """
    from rapidfuzz import fuzz

    if texts.empty:
        return pd.DataFrame(
            columns=[
                "text",
                "text_norm",
                "script",
                "confidence",
                "n_frames",
                "frames",
                "first_t",
                "last_t",
                "best_frame",
                "x0",
                "y0",
                "x1",
                "y1",
                "engine",
                "readings",
            ]
        )
    groups: list[list[int]] = []
    norms = texts["text_norm"].fillna("").astype(str).tolist()
    for i, n in enumerate(norms):
        for g in groups:
            if fuzz.ratio(norms[g[0]], n) >= similarity:
                g.append(i)
                break
        else:
            groups.append([i])
    rows = []
    for g in groups:
        sub = texts.iloc[g]
        counts = sub["text_norm"].value_counts()
        top = counts[counts == counts.max()].index
        cand = sub[sub["text_norm"].isin(top)].sort_values("confidence", ascending=False)
        best = cand.iloc[0]
        ts = pd.to_numeric(sub["t"], errors="coerce")
        rows.append(
            {
                "text": best["text"],
                "text_norm": best["text_norm"],
                "script": best["script"],
                "confidence": float(sub["confidence"].mean() * 0.5 + best["confidence"] * 0.5),
                "n_frames": int(sub["frame"].nunique()),
                "frames": sorted({int(x) for x in sub["frame"]}),
                "first_t": float(ts.min()) if ts.notna().any() else np.nan,
                "last_t": float(ts.max()) if ts.notna().any() else np.nan,
                "frame": int(best["frame"]),
                "t": best["t"],
                "best_frame": int(best["frame"]),
                "x0": best["x0"],
                "y0": best["y0"],
                "x1": best["x1"],
                "y1": best["y1"],
                "engine": best["engine"],
                "readings": sorted(set(sub["text"])),
            }
        )
    return (
        pd.DataFrame(rows)
        .sort_values(["first_t", "text"], na_position="last")
        .reset_index(drop=True)
    )
