"""Check the thresholds of word-by-word vocabulary decoding on synthetic held-out lines.

Example::

    .venv/bin/python -m training.calibrate_vocabulary --n 300

:func:`geoverify.ocr.urdu.vocabulary_reading` corrects each word of a reading towards the
packaged Urdu word list under the two thresholds a lexicon name must meet
(``LEXICON_MAX_GAP``, ``LEXICON_MAX_EDITS``, chosen by :mod:`training.calibrate_lexicon`).
This script checks that choice for words: mixed lines of the held-out text split (names,
words, phrases and numbers, as :func:`training.evaluate.lines` renders them; seeds separate
from its sets) in the training fonts, the held-out font and the held-out Nastaliq font, read
as :meth:`~geoverify.ocr.urdu.UrduRecognizer.recognize` reads. For a grid of thresholds it
prints each set's CER, and how many words read right were changed, among the words the list
holds and among those it does not (mostly place names). No real photo is used.
"""

from __future__ import annotations

import argparse
import time

from rapidfuzz.distance import Levenshtein

from geoverify.ocr.urdu import (
    LEXICON_MAX_EDITS,
    LEXICON_MAX_GAP,
    UrduRecognizer,
    bundled_vocabulary,
    vocabulary_reading,
)

from . import render as R
from .evaluate import lines

SETS = [
    ("training fonts, augmented", R.TRAIN_FONTS, True, 401),
    ("held-out font, augmented", [R.HELDOUT_FONT], True, 402),
    ("held-out Nastaliq font, augmented", [R.HELDOUT_NASTALIQ], True, 403),
    ("held-out Nastaliq font, clean", [R.HELDOUT_NASTALIQ], False, 404),
]
#: (max gap, max edits per character); the first, which no correction meets, is the raw reading.
GRID = [(0.0, 0.0), (0.35, 0.25), (0.5, 0.4), (0.75, 0.25), (0.75, 0.4), (0.75, 0.5)]
GRID += [(1.0, 0.4), (1.5, 0.4), (1.5, 0.5)]


def changed_right_words(truth: str, raw: str, read: str, vocab: frozenset[str]) -> list[int]:
    """Words read right in ``raw`` but changed in ``read``: ``[in the list, not in it]``,
    and the number of words read right of each kind (lines whose word count is the truth's)."""
    out = [0, 0, 0, 0]
    t, r, c = truth.split(), raw.split(), read.split()
    if not len(t) == len(r) == len(c):
        return out
    for tw, rw, cw in zip(t, r, c):
        if rw == tw:
            kind = 0 if tw in vocab else 1
            out[2 + kind] += 1
            out[kind] += cw != rw
    return out


def main(argv: list[str] | None = None) -> None:
    """Command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=300, help="lines per set")
    args = p.parse_args(argv)
    reader = UrduRecognizer(threads=1)
    vocab = bundled_vocabulary()
    in_list = frozenset(vocab)
    print(
        f"vocabulary {len(vocab)} words; committed thresholds gap {LEXICON_MAX_GAP}, "
        f"edits {LEXICON_MAX_EDITS}"
    )
    print(
        "| set | max gap | max edits/char | CER | exact | right words changed: in list "
        "| not in list | ms per line |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, fonts, augment, seed in SETS:
        images, texts = lines(seed, args.n, fonts, augment)
        lps = reader.read_log_probs(images)
        raws = ["" if lp is None else reader._read(lp, None).raw for lp in lps]
        if lps and lps[0] is not None:  # the trie is built once, before anything is timed
            vocabulary_reading(lps[0], vocab, reader.charset)
        chars = sum(len(t) for t in texts)
        for max_gap, max_edits in GRID:
            t0 = time.perf_counter()
            reads = []
            for lp, raw in zip(lps, raws):
                fixed = None
                if lp is not None:
                    fixed = vocabulary_reading(
                        lp, vocab, reader.charset, max_gap=max_gap, max_edits=max_edits
                    )
                reads.append(raw if fixed is None else fixed)
            ms = 1000 * (time.perf_counter() - t0) / len(lps)
            cer = sum(Levenshtein.distance(r, t) for r, t in zip(reads, texts)) / chars
            exact = sum(r == t for r, t in zip(reads, texts)) / len(texts)
            counts = [0, 0, 0, 0]
            for t, raw, r in zip(texts, raws, reads):
                counts = [a + b for a, b in zip(counts, changed_right_words(t, raw, r, in_list))]
            grid = f"{max_gap} | {max_edits}" if max_edits else "raw | raw"
            print(
                f"| {name} | {grid} | {cer:.4f} | {exact:.3f} "
                f"| {counts[0]}/{counts[2]} | {counts[1]}/{counts[3]} | {ms:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
