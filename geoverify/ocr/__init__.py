"""OCR: read the signage and banners in frames, Urdu and English.

:func:`read_text` runs an engine over frames and returns one row per line of text;
:func:`merge_text` folds the same banner seen in many frames into one row.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import warnings
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import settings
from ..exceptions import GeoverifyWarning, OptionError
from ..frames import Frame, as_frames
from ..text import detect_script, normalize
from .base import LANGUAGES, Line, OCREngine, check_languages
from .ensemble import EnsembleEngine

__all__ = [
    "LANGUAGES",
    "TEXT_COLUMNS",
    "Line",
    "OCREngine",
    "clear_cache",
    "get_engine",
    "merge_text",
    "read_text",
    "register_engine",
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

_FALLBACK_WARNED: list[bool] = []
_CACHE: OrderedDict[str, list[Line]] = OrderedDict()
_CACHE_MAX = 2048


def get_engine(
    engine: str | OCREngine = "auto", languages: Sequence[str] = ("ur", "en"), **options: Any
) -> OCREngine:
    """An OCR engine by name.

    ``"auto"`` (the default) is the scene-text pipeline (``"scene"``: CRAFT lines, EasyOCR's
    English recogniser for Latin lines, geoverify's own Urdu recogniser for Arabic-script
    lines) where the easyocr extra is installed, else Tesseract, with a warning said once.
    ``"tesseract"`` and ``"easyocr"`` are the engines alone; ``"ensemble"`` runs the scene
    pipeline (or EasyOCR) and Tesseract and keeps, per line, the best reading.

    Parameters
    ----------
    engine
        A name, or an engine (returned as it is).
    languages
        geoverify language codes, e.g. ``("ur", "en")``.
    **options
        Keyword options of the engine's class (:class:`~geoverify.ocr.tesseract.TesseractEngine`,
        :class:`~geoverify.ocr.easyocr.EasyOCREngine`); for the ensemble, each option goes
        to the engine(s) that take it, and ``lexicon`` / ``match_iou`` to
        :class:`~geoverify.ocr.ensemble.EnsembleEngine`.

    Raises
    ------
    EngineUnavailableError
        The engine or its language data is not installed (the message says how to install it).
    UnsupportedLanguageError
        A language code is not supported (the message lists the supported ones).
    TypeError
        An option no engine of the choice takes (e.g. ``lexicon`` for one engine alone).
    """
    if isinstance(engine, OCREngine):
        return engine
    check_languages(languages, list(LANGUAGES), "geoverify")
    if engine == "auto":
        engine = _auto_engine(languages)
    factory = _FACTORIES.get(engine) if isinstance(engine, str) else None
    if factory is None:
        names = ", ".join(["auto", *_FACTORIES])
        raise OptionError(f"unknown OCR engine {engine!r}; choose one of {names}")
    return factory(languages, options)


#: What builds an engine: ``factory(languages, options) -> OCREngine``.
EngineFactory = Callable[[Sequence[str], dict[str, Any]], OCREngine]
#: The engines :func:`get_engine` knows, by name (geopy's registry of geocoders, in small).
_FACTORIES: dict[str, EngineFactory] = {}


def register_engine(name: str, factory: EngineFactory | type[OCREngine]) -> None:
    """Make ``read_text(..., engine=name)`` use another engine.

    Parameters
    ----------
    name
        The engine's name (replaces an engine of that name).
    factory
        An :class:`~geoverify.ocr.base.OCREngine` subclass (built as ``cls(languages,
        **options)``, its keyword-only options checked), or ``factory(languages, options)``.
    """
    if isinstance(factory, type):
        cls = factory
        _FACTORIES[name] = lambda languages, options: cls(languages, **_only_options(cls, options))
    else:
        _FACTORIES[name] = factory


def _lazy(module: str, cls_name: str) -> EngineFactory:
    """A factory that imports its engine's module only when the engine is asked for."""

    def build(languages: Sequence[str], options: dict[str, Any]) -> OCREngine:
        import importlib

        cls = getattr(importlib.import_module(f"{__name__}.{module}"), cls_name)
        engine: OCREngine = cls(languages, **_only_options(cls, options))
        return engine

    return build


def resolve_engine_name(engine: str | OCREngine, languages: Sequence[str]) -> str:
    """The engine ``engine`` names once ``"auto"`` is resolved for ``languages``."""
    if isinstance(engine, OCREngine):
        return engine.name
    return _auto_engine(languages) if engine == "auto" else engine


def _auto_engine(languages: Sequence[str]) -> str:
    """``"scene"`` where it can run for ``languages``, else ``"tesseract"`` (warned once)."""
    from .detect import craft_available
    from .urdu import available

    wanted = set(check_languages(languages, list(LANGUAGES), "geoverify"))
    if craft_available() and wanted <= {"ur", "en"} and ("ur" not in wanted or available()):
        return "scene"
    if not _FALLBACK_WARNED:
        _FALLBACK_WARNED.append(True)
        reason = (
            "the easyocr extra is not installed (pip install 'geoverify[easyocr]')"
            if not craft_available()
            else f"the scene-text pipeline reads ur and en only, not {', '.join(sorted(wanted))}"
        )
        warnings.warn(
            f"OCR falls back to Tesseract: {reason}; Tesseract reads few real signs",
            GeoverifyWarning,
            stacklevel=4,
        )
    return "tesseract"


def _ensemble(languages: Sequence[str], options: dict[str, Any]) -> OCREngine:
    """The scene pipeline (or EasyOCR for the languages it has weights for) beside Tesseract."""
    from .easyocr import EasyOCREngine
    from .scene import SceneTextEngine
    from .tesseract import TesseractEngine

    first: type[OCREngine] = (
        SceneTextEngine if _auto_engine(languages) == "scene" else EasyOCREngine
    )
    first_opts = _options_for(first, options)
    tess_opts = _options_for(TesseractEngine, options)
    ens_opts = _options_for(EnsembleEngine, options)
    unknown = set(options) - set(first_opts) - set(tess_opts) - set(ens_opts)
    if unknown:
        raise OptionError(
            f"ensemble: unknown option(s) {', '.join(sorted(unknown))}; the ensemble takes "
            f"TesseractEngine's, {first.__name__}'s and EnsembleEngine's keyword options"
        )
    engines: list[OCREngine] = [TesseractEngine(languages, **tess_opts)]
    if first is SceneTextEngine:
        engines.append(SceneTextEngine(languages, **first_opts))
    else:
        from .easyocr import missing_weights

        have = [
            lang
            for lang in languages
            if lang in EasyOCREngine.supported_languages()
            and not missing_weights([lang], first_opts.get("model_storage_directory"))
        ]
        if have:
            engines.append(EasyOCREngine(have, **first_opts))
    return EnsembleEngine(engines, **ens_opts)


def _options_for(cls: type, options: dict[str, Any]) -> dict[str, Any]:
    """The keyword-only options ``cls.__init__`` accepts, out of ``options``."""
    import inspect

    params = inspect.signature(cls).parameters
    accepted = {n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}
    return {k: v for k, v in options.items() if k in accepted}


def _only_options(cls: type, options: dict[str, Any]) -> dict[str, Any]:
    """``options``, checked against what ``cls`` takes (a clear error naming the rest)."""
    taken = _options_for(cls, options)
    unknown = sorted(set(options) - set(taken))
    if unknown:
        hint = " (lexicon applies to engine='ensemble')" if "lexicon" in unknown else ""
        raise OptionError(f"{cls.__name__}: unknown option(s) {', '.join(unknown)}{hint}")
    return taken


def _cache_key(frame: Frame, engine: OCREngine) -> str:
    blob = json.dumps([frame.sha256, engine.name, engine.params()], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


#: Bumped when the reading pipeline changes, so old disk-cache entries are not reused.
_DISK_FORMAT = "ocr-5"


def _disk_path(key: str) -> Path:
    return Path(settings.cache_dir).expanduser() / "ocr" / key[:2] / f"{key}.json"


def _disk_load(frame: Frame, engine: OCREngine) -> tuple[str, list[Line] | None]:
    blob = json.dumps(
        [_DISK_FORMAT, frame.sha256, engine.name, engine.params(), engine.version()],
        sort_keys=True,
        default=str,
    )
    key = hashlib.sha256(blob.encode()).hexdigest()
    path = _disk_path(key)
    if not path.exists():
        return key, None
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return key, [
            Line(
                text=str(r["text"]),
                confidence=float(r["confidence"]),
                box=(int(r["box"][0]), int(r["box"][1]), int(r["box"][2]), int(r["box"][3])),
                engine=str(r["engine"]),
                lang=str(r.get("lang", "")),
                extra=r.get("extra"),
            )
            for r in rows
        ]
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return key, None  # a damaged entry is read again


def _disk_save(key: str, lines: list[Line]) -> None:
    from .._atomic import write_text

    rows = [
        {
            "text": ln.text,
            "confidence": ln.confidence,
            "box": list(ln.box),
            "engine": ln.engine,
            "lang": ln.lang,
            "extra": ln.extra,
        }
        for ln in lines
    ]
    try:
        write_text(_disk_path(key), json.dumps(rows, ensure_ascii=False, default=str))
    except OSError:
        pass  # a read-only cache folder only costs speed


def _read_cached(frame: Frame, engine: OCREngine) -> list[Line]:
    """Memory cache, then (``settings.ocr_cache``) the disk cache under ``cache_dir/ocr``."""
    if not settings.ocr_cache:
        return engine.read(frame.image)
    key = _cache_key(frame, engine)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    disk = bool(getattr(engine, "disk_cacheable", True))
    dkey, lines = _disk_load(frame, engine) if disk else ("", None)
    if lines is None:
        lines = engine.read(frame.image)
        if disk:
            _disk_save(dkey, lines)
    _CACHE[key] = lines
    if len(_CACHE) > _CACHE_MAX:
        _CACHE.popitem(last=False)
    return lines


def clear_cache(disk: bool = False) -> None:
    """Forget OCR results cached in this process (and, with ``disk=True``, on disk)."""
    _CACHE.clear()
    if disk:
        shutil.rmtree(Path(settings.cache_dir).expanduser() / "ocr", ignore_errors=True)


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
        gazetteer name close to it was chosen as ``text``, else ``"raw"``).
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
        for ln in _read_cached(f, eng):
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
                "variants",
            ]
            + (["best_crop"] if frames is not None else [])
        )
    by_sha: dict[str, Frame] = {}
    by_index: dict[int, Frame] = {}
    if frames is not None:
        for f in as_frames(frames):
            by_sha.setdefault(f.sha256, f)
            by_index.setdefault(int(f.index), f)
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
                "variants": sorted(set(sub["text"])),
            }
        )
        if frames is not None:
            fr = by_sha.get(str(best.get("frame_sha256", ""))) or by_index.get(int(best["frame"]))
            rows[-1]["best_crop"] = _crop(fr, best) if fr is not None else None
    return (
        pd.DataFrame(rows)
        .sort_values(["first_t", "text"], na_position="last")
        .reset_index(drop=True)
    )


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


register_engine("scene", _lazy("scene", "SceneTextEngine"))
register_engine("tesseract", _lazy("tesseract", "TesseractEngine"))
register_engine("easyocr", _lazy("easyocr", "EasyOCREngine"))
for _name in ("ensemble", "tesseract+easyocr", "both"):
    register_engine(_name, _ensemble)
