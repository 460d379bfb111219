"""OCR: read the signage and banners in frames, Urdu and English.

:func:`read_text` runs an engine over frames and returns one row per line of text;
:func:`merge_text` folds the same banner seen in many frames into one row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import settings
from .._deprecated import module_getattr
from ..frames import Frame, as_frames
from ..text import detect_script, normalize
from ._cache import DISK_FORMAT, clear_cache, read_cached
from .base import LANGUAGES, Line, OCREngine
from .engines import get_engine, register_engine, resolve_engine_name
from .ensemble import EnsembleEngine

__all__ = [
    "DISK_FORMAT",
    "LANGUAGES",
    "TEXT_COLUMNS",
    "Line",
    "OCREngine",
    "clear_cache",
    "get_engine",
    "merge_text",
    "read_text",
    "register_engine",
    "resolve_engine_name",
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
    "raw_text",
    "decoding",
]


def read_text(
    frames_or_images: Any,
    languages: Sequence[str] = ("ur", "en"),
    engine: str | OCREngine = "auto",
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
        ``"auto"`` (default: the scene-text pipeline, Tesseract where the easyocr extra is
        absent), ``"scene"``, ``"tesseract"``, ``"easyocr"``, ``"ensemble"``, or an engine
        object (see :func:`get_engine`).
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
        ``confidence`` (0..1), the box ``x0, y0, x1, y1`` in frame pixels, ``engine``,
        ``raw_text`` (the recogniser's own reading) and ``decoding`` (``"lexicon"`` where a
        gazetteer name close to it was chosen as ``text``, ``"vocabulary"`` where some of its
        words were corrected towards common Urdu words, else ``"raw"``).
        Text is data: nothing read is ever executed or rendered unescaped.
    """
    frames = as_frames(frames_or_images)
    eng = get_engine(engine, languages, **options)
    from tqdm.auto import tqdm

    show = settings.progress if progress is None else progress
    ensemble = isinstance(eng, EnsembleEngine)
    rows = []
    for f in tqdm(
        frames,
        desc=f"OCR ({eng.name})",
        unit="frame",
        disable=not show or len(frames) < 2,
        leave=False,
    ):
        for ln in read_cached(f, eng):
            text = ln.text
            row: dict[str, Any] = {
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
                # the recogniser's own reading, and whether a lexicon name replaced it
                "raw_text": (ln.extra or {}).get("raw", text),
                "decoding": (ln.extra or {}).get("decoding", "raw"),
            }
            if ensemble:
                row["readings"] = [tuple(r) for r in (ln.extra or {}).get("readings", [])]
            rows.append(row)
    df = pd.DataFrame(rows, columns=TEXT_COLUMNS + (["readings"] if ensemble else []))
    df.attrs["engine"] = eng.name
    df.attrs["engine_version"] = eng.version()
    df.attrs["engine_params"] = eng.params()
    df.attrs["languages"] = list(languages)
    return df


def merge_text(
    texts: pd.DataFrame, frames: Any = None, *, similarity: float = 85.0
) -> pd.DataFrame:
    """Fold the same line seen in many frames into one row with the consensus reading.

    Lines are grouped when their normalised texts are similar (rapidfuzz ratio >= ``similarity``).
    The consensus is the most frequent reading (ties: the most confident).

    Parameters
    ----------
    texts
        The table of :func:`read_text`.
    frames
        The frames it was read from (anything :func:`read_text` accepts); adds ``best_crop``,
        the RGB pixels of the line in its best frame with a margin of a third of the line's
        height around it (``None`` where that frame is not given).

    Returns
    -------
    pandas.DataFrame
        ``text, text_norm, script, confidence, n_frames, frames, first_t, last_t, best_frame,
        x0, y0, x1, y1, engine, variants`` (and ``best_crop`` when ``frames`` are given).
        ``variants`` lists the distinct texts read for the line across frames (not to be
        confused with :func:`read_text`'s ``readings`` column of the ensemble, which records
        what each engine read in one frame).
    """
    if texts.empty:
        return pd.DataFrame(columns=_MERGED_COLUMNS + (["best_crop"] if frames is not None else []))
    by_sha: dict[str, Frame] = {}
    by_index: dict[int, Frame] = {}
    if frames is not None:
        for f in as_frames(frames):
            by_sha.setdefault(f.sha256, f)
            by_index.setdefault(int(f.index), f)
    rows = []
    for group in _similar_groups(texts["text_norm"].fillna("").astype(str).tolist(), similarity):
        sub = texts.iloc[group]
        best = _consensus(sub)
        rows.append(_merged_row(sub, best))
        if frames is not None:
            fr = by_sha.get(str(best.get("frame_sha256", ""))) or by_index.get(int(best["frame"]))
            rows[-1]["best_crop"] = _crop(fr, best) if fr is not None else None
    return (
        pd.DataFrame(rows)
        .sort_values(["first_t", "text"], na_position="last")
        .reset_index(drop=True)
    )


# The columns of merge_text (with ``frame`` and ``t``, the best frame's, after them).
_MERGED_COLUMNS = [
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
    "variants",
]


def _similar_groups(norms: list[str], similarity: float) -> list[list[int]]:
    """Row numbers grouped by similar text: each joins the first group it matches."""
    from rapidfuzz import fuzz

    groups: list[list[int]] = []
    for i, n in enumerate(norms):
        for g in groups:
            if fuzz.ratio(norms[g[0]], n) >= similarity:
                g.append(i)
                break
        else:
            groups.append([i])
    return groups


def _consensus(sub: pd.DataFrame) -> pd.Series:
    """The row of the most frequent reading in a group (ties: the most confident)."""
    counts = sub["text_norm"].value_counts()
    top = counts[counts == counts.max()].index
    return sub[sub["text_norm"].isin(top)].sort_values("confidence", ascending=False).iloc[0]


def _merged_row(sub: pd.DataFrame, best: pd.Series) -> dict[str, Any]:
    """One row of :func:`merge_text` for a group of readings of the same line."""
    ts = pd.to_numeric(sub["t"], errors="coerce")
    return {
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
        "variants": sorted(set(sub["text"])),
    }


def _crop(frame: Frame, row: pd.Series) -> np.ndarray | None:
    img = frame.image
    h, w = img.shape[:2]
    # a margin, so that dots and tall letters a tight box clips are seen, and the context
    m = max(2, (int(row["y1"]) - int(row["y0"])) // 3)
    x0, y0 = max(0, int(row["x0"]) - m), max(0, int(row["y0"]) - m)
    x1, y1 = min(w, int(row["x1"]) + m), min(h, int(row["y1"]) + m)
    if x1 <= x0 or y1 <= y0:
        return None
    return np.ascontiguousarray(img[y0:y1, x0:x1])


# Old names that moved: they still work, with a warning, until 0.3.
__getattr__ = module_getattr(
    "geoverify.ocr",
    {"check_languages": "geoverify.ocr.base:check_languages"},
)
