"""Write the Urdu word list that :mod:`geoverify.ocr.urdu` corrects readings towards.

Example::

    .venv/bin/python -m training.vocabulary

The words of wordfreq's 20,000 most frequent Urdu words and of the hand-written signage
phrases (:mod:`training.phrases`), cleaned as the training corpus is
(:func:`training.corpus.clean`), two characters or longer and without digits, one per line,
sorted: ``geoverify/models/urdu_words.txt``. Both splits of the corpus go in: the list stands
for the common words a reader may meet, so the held-out lines that
:mod:`training.calibrate_vocabulary` reads have their common words in it (the recogniser never
trained on them) and, for the place names among them, mostly not.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from geoverify.ocr.urdu import vocabulary_path

from . import corpus as C

N_WORDS = 20000


def words() -> list[str]:
    """The sorted words of the list."""
    out: set[str] = set()
    for unit in (*C.urdu_words(N_WORDS), *C.phrases()):
        out.update(w for w in unit.split() if len(w) >= 2 and not any(c.isdigit() for c in w))
    return sorted(out)


def header() -> list[str]:
    """The comment lines at the top of the file (source, licence, command)."""
    return [
        f"# Urdu words: wordfreq {version('wordfreq')} top_n_list('ur', {N_WORDS}) and the",
        "# signage phrases of training/phrases.py, cleaned; one word a line.",
        "# wordfreq's word lists are CC BY-SA 4.0 (Robyn Speer,",
        "# https://github.com/rspeer/wordfreq); so is this list, derived from them.",
        "# Written by: python -m training.vocabulary",
    ]


def main() -> None:
    """Write the list."""
    out: Path = vocabulary_path()
    items = words()
    tmp = out.with_suffix(".tmp")
    tmp.write_text("\n".join([*header(), *items]) + "\n", encoding="utf-8")
    tmp.replace(out)
    print(f"{len(items)} words -> {out}")


if __name__ == "__main__":
    main()
