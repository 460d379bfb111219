"""Private: the script of a text line, from its pixels (geoverify's own small CNN, onnxruntime).

The scene pipeline reads each line with the Latin and the Urdu recogniser; where neither reads
a line well (real Nastaliq print, painted boards), their scores are a poor guide to which
script it is in. ``geoverify/models/script_id.onnx`` (recipe: ``training/script_id.py``, card:
``geoverify/models/MODEL_CARD.md``) looks at the line itself: four conv blocks pooled over the
line's width, two classes (Latin, Arabic script).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np

#: Lines are scaled to this height (the model's input) and at most ``MAX_WIDTH`` wide.
HEIGHT = 32
MAX_WIDTH = 400


def model_path() -> Path:
    """Path of the packaged script classifier."""
    return Path(__file__).resolve().parent.parent / "models" / "script_id.onnx"


def available() -> bool:
    """Whether the packaged script classifier is there."""
    return model_path().is_file() and model_path().with_suffix(".json").is_file()


@lru_cache(maxsize=2)
def _session(path: Path) -> tuple[Any, dict[str, Any]]:
    from ._onnx import cpu_session, load_meta

    meta = load_meta(path, "script classifier", "python -m training.script_id")
    return cpu_session(path, threads=1), meta  # one small line at a time


def arabic_probability(crops: Sequence[np.ndarray], model: Path | None = None) -> list[float]:
    """For each upright grayscale line crop, the probability that it is in Arabic script
    (``nan`` for a crop too small to tell); ``model``: another export of the recipe than the
    packaged one (its ``.json`` beside it)."""
    session, meta = _session(model or model_path())
    arab = list(meta["classes"]).index("Arab")
    out = []
    for crop in crops:
        h, w = crop.shape[:2]
        if h < 4 or w < 4:
            out.append(float("nan"))
            continue
        width = max(8, min(MAX_WIDTH, round(w * HEIGHT / h)))
        x = cv2.resize(crop, (width, HEIGHT), interpolation=cv2.INTER_AREA)
        (logits,) = session.run(None, {"image": x.astype(np.float32)[None, None]})
        p = np.exp(logits[0] - logits[0].max())
        out.append(float(p[arab] / p.sum()))
    return out
