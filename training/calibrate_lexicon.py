"""Choose the lexicon thresholds of :mod:`geoverify.ocr.urdu` on synthetic validation lines.

Example::

    .venv/bin/python -m training.calibrate_lexicon --n 300

Two sets, rendered in the TRAINING fonts (augmented), seeds separate from
:mod:`training.evaluate`'s: held-out place names (the truth is in the lexicon) and held-out
words that are not names (any lexicon choice is a false replacement). The lexicon is every
held-out name. For a grid of (``LEXICON_MAX_GAP``, ``LEXICON_MAX_EDITS``) it prints the CER
on the names and the false-replacement rate on the words. No real photo is used.
"""

from __future__ import annotations

import argparse
import random

import numpy as np
from rapidfuzz.distance import Levenshtein

from geoverify.ocr.urdu import (
    UrduRecognizer,
    _chosen,
    _flip,
    _trie,
    greedy_decode,
    lexicon_choice,
)

from . import corpus as C
from . import render as R


def main(argv: list[str] | None = None) -> None:
    """Command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=300)
    p.add_argument(
        "--read-once",
        action="store_true",
        help="decode every line's first reading (default: as recognize() reads, dense lines "
        "read again stretched)",
    )
    args = p.parse_args(argv)
    reader = UrduRecognizer(threads=1)
    held = C.load(True)
    names = sorted(set(held.names))
    root = _trie(tuple(names), reader.charset)
    prng, rng, textures = random.Random(301), np.random.default_rng(301), R.load_textures()
    name_lines = [prng.choice(held.names) for _ in range(args.n)]
    word_lines = [w for w in (prng.choice(held.words) for _ in range(2 * args.n)) if w not in names]
    word_lines = word_lines[: args.n]
    sets = {}
    for label, texts in (("names", name_lines), ("words", word_lines)):
        images = [R.render_line(rng, t, R.TRAIN_FONTS, textures, augment=True) for t in texts]
        rows = []
        for lp, truth in zip(reader.read_log_probs(images, restretch=not args.read_once), texts):
            assert lp is not None
            labels, _ = greedy_decode(np.exp(lp), reader.charset)
            raw = _flip("".join(reader.charset[k - 1] for k in labels))
            rows.append((truth, raw, lexicon_choice(lp, labels, root, reader.charset)))
        sets[label] = rows
    chars = sum(len(t) for t, _, _ in sets["names"])
    raw_cer = sum(Levenshtein.distance(r, t) for t, r, _ in sets["names"]) / chars
    print(f"names n={len(sets['names'])} raw CER {raw_cer:.4f}; words n={len(sets['words'])}")
    print("| max gap | max edits/char | names CER | names exact | words falsely replaced |")
    print("| --- | --- | --- | --- | --- |")
    for gap_max in (0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5):
        for edits_max in (0.25, 0.4, 0.5):

            def pick(raw: str, ch, gm: float = gap_max, em: float = edits_max) -> str:
                return ch[0] if ch is not None and _chosen(ch[1], ch[2], ch[0], gm, em) else raw

            chosen = [(t, pick(r, ch)) for t, r, ch in sets["names"]]
            cer = sum(Levenshtein.distance(c, t) for t, c in chosen) / chars
            exact = sum(c == t for t, c in chosen) / len(chosen)
            false = sum(pick(r, ch) != r for _, r, ch in sets["words"]) / max(1, len(sets["words"]))
            print(f"| {gap_max} | {edits_max} | {cer:.4f} | {exact:.3f} | {false:.3f} |")


if __name__ == "__main__":
    main()
