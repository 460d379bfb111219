"""The OCR cache (private): results by frame sha256 + engine + parameters, in memory and, with
``settings.ocr_cache``, on disk under ``cache_dir/ocr`` (written atomically)."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import OrderedDict
from pathlib import Path

from .. import settings
from ..frames import Frame
from .base import Line, OCREngine

_CACHE: OrderedDict[str, list[Line]] = OrderedDict()
_CACHE_MAX = 2048


def cache_key(frame: Frame, engine: OCREngine) -> str:
    blob = json.dumps([frame.sha256, engine.name, engine.params()], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


#: Bumped when the reading pipeline changes, so old disk-cache entries are not reused.
DISK_FORMAT = "ocr-5"


def _disk_path(key: str) -> Path:
    return Path(settings.cache_dir).expanduser() / "ocr" / key[:2] / f"{key}.json"


def _disk_load(frame: Frame, engine: OCREngine) -> tuple[str, list[Line] | None]:
    blob = json.dumps(
        [DISK_FORMAT, frame.sha256, engine.name, engine.params(), engine.version()],
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


def read_cached(frame: Frame, engine: OCREngine) -> list[Line]:
    """Memory cache, then (``settings.ocr_cache``) the disk cache under ``cache_dir/ocr``."""
    if not settings.ocr_cache:
        return engine.read(frame.image)
    key = cache_key(frame, engine)
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
