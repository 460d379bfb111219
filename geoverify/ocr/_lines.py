"""Assembling words into lines, in reading order, and dropping OCR noise (private)."""

from __future__ import annotations

import re

from ..text import detect_script
from .base import Line

_RTL_SCRIPTS = frozenset({"Arab", "Hebr", "Syrc", "Thaa"})
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def join_words(
    words: list[tuple[str, int, int, int, int, float]],
) -> tuple[str, tuple[int, int, int, int], float] | None:
    """Join ``(text, left, top, width, height, conf)`` words of one line.

    Words are put in logical (reading) order whatever order the engine reported them in:
    right to left where most letters are Arabic-script, left to right otherwise, and in a
    mixed line each run of words keeps its own direction (an English name inside an Urdu
    line reads left to right, an Urdu name inside an English line right to left), as the
    Unicode bidirectional algorithm lays such a line out.
    """
    if not words:
        return None
    text = " ".join(w[0] for w in _logical_order(words))
    x0 = min(w[1] for w in words)
    y0 = min(w[2] for w in words)
    x1 = max(w[1] + w[3] for w in words)
    y1 = max(w[2] + w[4] for w in words)
    # confidence weighted by word length: a long word read well outweighs a stray mark
    total = sum(max(1, len(w[0])) for w in words)
    conf = sum(w[5] * max(1, len(w[0])) for w in words) / total / 100.0
    return text, (x0, y0, x1, y1), max(0.0, min(1.0, conf))


def _logical_order(
    words: list[tuple[str, int, int, int, int, float]],
) -> list[tuple[str, int, int, int, int, float]]:
    """Words of one line, given with their boxes, in reading order (see :func:`join_words`)."""
    visual = sorted(words, key=lambda w: w[1])  # left to right on the image
    rtl_line = detect_script(" ".join(w[0] for w in words)) == "Arab"
    strong: list[bool | None] = []  # right to left? None for digits and marks
    for w in visual:
        script = detect_script(w[0])
        strong.append(None if script == "Zyyy" else script in _RTL_SCRIPTS)
    dirs: list[bool] = []
    for i, d in enumerate(strong):
        if d is None:
            # a number next to a Latin word belongs to it ("45 km"); else the line's direction
            near = [x for x in (strong[i - 1] if i else None, _next(strong, i)) if x is not None]
            d = rtl_line and False not in near
        dirs.append(d)
    runs: list[list[tuple[str, int, int, int, int, float]]] = []
    run_rtl: list[bool] = []
    for w, rtl in zip(visual, dirs):
        if runs and run_rtl[-1] == rtl:
            runs[-1].append(w)
        else:
            runs.append([w])
            run_rtl.append(rtl)
    ordered = [list(reversed(r)) if rtl else r for r, rtl in zip(runs, run_rtl)]
    if rtl_line:
        ordered.reverse()
    return [w for r in ordered for w in r]


def _next(strong: list[bool | None], i: int) -> bool | None:
    """The direction of the first word after ``i`` that has one."""
    return next((x for x in strong[i + 1 :] if x is not None), None)


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
