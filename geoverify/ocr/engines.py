"""OCR engines by name: the registry :func:`get_engine` reads, and the choice of ``"auto"``."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

from ..exceptions import GeoverifyWarning, OptionError
from .base import LANGUAGES, OCREngine, check_languages
from .ensemble import EnsembleEngine

__all__ = ["EngineFactory", "get_engine", "register_engine", "resolve_engine_name"]

_FALLBACK_WARNED: list[bool] = []


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

        cls = getattr(importlib.import_module(f".{module}", __package__), cls_name)
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


register_engine("scene", _lazy("scene", "SceneTextEngine"))
register_engine("tesseract", _lazy("tesseract", "TesseractEngine"))
register_engine("easyocr", _lazy("easyocr", "EasyOCREngine"))
for _name in ("ensemble", "tesseract+easyocr", "both"):
    register_engine(_name, _ensemble)
