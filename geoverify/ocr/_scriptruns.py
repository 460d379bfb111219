"""Private: split a line that holds two scripts into runs of one script each.

A bilingual board often sets its Urdu and its English on one baseline ("اثنا عشریہ
Parachinar"); CRAFT's grouping makes them one line, and one recogniser would then read
both halves, losing one. Here the line crop is cut at its word gaps, the script classifier
(:mod:`._scriptid`) looks at each piece, and where it finds wide pieces in both scripts it
proposes a cut between them. Short pieces (a "63" or a "km" looks like either script) never
decide a cut: they go with their nearer decided neighbour. The scene engine keeps a cut only
where the recognisers, by their own scores, read each run in the script it was cut for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

#: A word gap is a run of ink-free columns at least this wide (share of the crop's height).
MIN_GAP = 0.2
#: Pieces narrower than this (share of the crop's height) are marks or noise, not words.
MIN_PIECE = 0.3
#: Only pieces at least this wide (share of the height: about three letters) decide a split,
#: so a short Urdu word beside English stays in its line. A line is cut where the classifier
#: puts one such piece in Latin letters (probability of Arabic script at most
#: ``LATIN_AT_MOST``) and another at least ``ARABIC_AT_LEAST``: it is sure of Latin words and
#: much less of single Urdu ones (on the rendered mixed lines of the second images of
#: benchmarks/make_ocr_eval.py, Latin pieces 0.00-0.13, Urdu ones 0.92-0.98; a Naskh
#: حیدرآباد beside "Gilgit" 0.35; any bar from 0.25 to 0.5 cuts the same lines of that set).
#: So the classifier only proposes a cut: the scene engine keeps it where the recognisers
#: confirm it, each run read in the script it was cut for (on french.jpg, with CRAFT at 640 or
#: 1280 px, it proposes cutting "Mairie | du 1er" and a pictogram; the cut is undone).
DECISIVE_WIDTH = 1.2
LATIN_AT_MOST = 0.2
ARABIC_AT_LEAST = 0.3
#: A line cut into more runs than this is not a bilingual sign (its words would alternate
#: script): it stays whole, and each run costs a reading.
MAX_RUNS = 4

Span = tuple[int, int]


def word_spans(crop: np.ndarray) -> list[Span]:
    """Column ranges ``[x0, x1)`` of the words of an upright grayscale line crop.

    Ink is the minority class of an Otsu threshold over the middle 70 % of the rows (the
    margins hold the sign's border and its neighbours' strokes); a column holds ink where at
    least 5 % of those rows do.
    """
    from .preprocess import binarize

    h = crop.shape[0]
    band = np.ascontiguousarray(crop[int(0.15 * h) : h - int(0.15 * h)])
    if band.size == 0 or band.min() == band.max():
        return []
    ink = binarize(band) < 128
    xs = np.flatnonzero(ink.sum(axis=0) >= max(1.0, 0.05 * band.shape[0]))
    if len(xs) == 0:
        return []
    gap = max(2, round(MIN_GAP * h))
    spans = [[int(xs[0]), int(xs[0])]]
    for x in xs[1:]:
        if x - spans[-1][1] > gap:
            spans.append([int(x), int(x)])
        else:
            spans[-1][1] = int(x)
    return [(a, b + 1) for a, b in spans if b + 1 - a >= MIN_PIECE * h]


def script_runs(
    crop: np.ndarray, arabic_probability: Callable[[Sequence[np.ndarray]], list[float]]
) -> list[tuple[Span, str]] | None:
    """Cut a line crop into runs of one script, or None where it holds one script only.

    Parameters
    ----------
    crop
        Upright grayscale crop of one line.
    arabic_probability
        The script classifier: for a list of crops, each one's probability of Arabic script.

    Returns
    -------
    list or None
        ``((x0, x1), script)`` per run, left to right, ``script`` ``"Arab"`` or ``"Latn"``;
        the cuts fall in the middle of the gaps between runs.
    """
    h = crop.shape[0]
    spans = word_spans(crop)
    wide = [i for i, (a, b) in enumerate(spans) if b - a >= DECISIVE_WIDTH * h]
    if len(wide) < 2:
        return None
    labels: list[str | None] = [None] * len(spans)
    probs = arabic_probability([crop[:, spans[i][0] : spans[i][1]] for i in wide])
    for i, p in zip(wide, probs, strict=True):
        # a NaN (a piece too small to tell) fails both tests: undecided
        if p <= LATIN_AT_MOST or p >= ARABIC_AT_LEAST:
            labels[i] = "Latn" if p <= LATIN_AT_MOST else "Arab"
    if not {"Arab", "Latn"} <= set(labels):
        return None
    decided = [i for i, lab in enumerate(labels) if lab is not None]
    for i in range(len(spans)):
        if labels[i] is None:
            nearest = min(decided, key=lambda j: _gap(spans[i], spans[j]))
            labels[i] = labels[nearest]
    runs: list[tuple[list[int], str]] = []
    for span, label in zip(spans, labels):
        assert label is not None
        if runs and runs[-1][1] == label:
            runs[-1][0][1] = span[1]
        else:
            runs.append(([span[0], span[1]], label))
    if len(runs) > MAX_RUNS:
        return None
    cuts = [0] + [(runs[k][0][1] + runs[k + 1][0][0]) // 2 for k in range(len(runs) - 1)]
    cuts.append(crop.shape[1])
    return [((cuts[k], cuts[k + 1]), label) for k, (_, label) in enumerate(runs)]


def _gap(a: Span, b: Span) -> int:
    """Columns between two spans."""
    return max(b[0] - a[1], a[0] - b[1], 0)
