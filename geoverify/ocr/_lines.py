"""Assembling words into lines, in reading order, and dropping OCR noise (private)."""

from __future__ import annotations

import re

from ..text import detect_script
from .base import Line

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def join_words(
    words: list[tuple[str, int, int, int, int, float]],
) -> tuple[str, tuple[int, int, int, int], float] | None:
    """Join ``(text, left, top, width, height, conf)`` words of one line.

    Words are ordered by position: left to right for Latin lines, right to left where most
    letters are Arabic-script, so ``text`` is always in logical (reading) order whatever order
    the engine reported.
    """
    if not words:
        return None
    rtl = detect_script(" ".join(w[0] for w in words)) == "Arab"
    words = sorted(words, key=lambda w: -(w[1] + w[3]) if rtl else w[1])
    text = " ".join(w[0] for w in words)
    x0 = min(w[1] for w in words)
    y0 = min(w[2] for w in words)
    x1 = max(w[1] + w[3] for w in words)
    y1 = max(w[2] + w[4] for w in words)
    # confidence weighted by word length: a long word read well outweighs a stray mark
    total = sum(max(1, len(w[0])) for w in words)
    conf = sum(w[5] * max(1, len(w[0])) for w in words) / total / 100.0
    return text, (x0, y0, x1, y1), max(0.0, min(1.0, conf))


def drop_noise(lines: list[Line], min_letters: int = 2) -> list[Line]:
    """Drop lines that are mostly not letters (texture read as text) or too short to name anything."""
    kept = []
    for ln in lines:
        letters = len(_LETTER.findall(ln.text))
        if letters < min_letters:
            continue
        if letters / max(1, len(ln.text.replace(" ", ""))) < 0.5:
            continue
        kept.append(ln)
    return kept
