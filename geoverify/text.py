"""Urdu/Arabic-script and Latin-script text: normalisation, romanisation and cross-script keys.

A banner says ``کرگل``; the gazetteer may hold ``Kargil`` (or only ``کارگل``). Urdu script writes
consonants and long vowels, Latin spellings of the same name vary in their vowels
(Khomeini, Khomeni, Khumaini). So names are compared through a *consonant skeleton*: both
scripts are mapped to one small alphabet of consonant classes, vowels and vowel letters
(ا و ی ے ع, a e i o u) dropped. ``خمینی`` and ``Khomeini`` both become ``kmn``. A *coarse*
skeleton merges further the letters that Arabic-language spellings of South Asian names
substitute (ب for p, ف for v, غ/ق for g, تش for ch). The skeletons find candidates; finer
scores come from romanisation (:func:`romanize`, with :func:`romanize_variants` for the
letters و and ی, which are vowels or consonants by position) and same-script comparison.

Pashto, Sindhi, Kashmiri and Persian letters (ټ ډ ړ ږ ښ ګ ځ څ ڼ ې ۍ ٿ ڪ ...) are folded to
their Urdu counterparts for the keys (:func:`fold_arabic`); the displayed text keeps them.

Generic place words (chowk, bazaar, road, imambargah, ...) say what *kind* of place a name is,
not which one; :func:`split_generic` separates them in both scripts. :func:`word_spans` and
:func:`candidate_spans` list the runs of words inside a longer line that may be place names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

__all__ = [
    "GENERIC_WORDS",
    "STOP_WORDS",
    "GenericWord",
    "candidate_spans",
    "coarse_of_skeleton",
    "coarse_skeleton",
    "coarse_variants",
    "detect_script",
    "fold_arabic",
    "fold_latin",
    "is_rtl",
    "name_key",
    "normalize",
    "normalize_arabic",
    "roman_key",
    "romanize",
    "romanize_variants",
    "skeleton",
    "skeleton_variants",
    "split_generic",
    "word_spans",
]

# --------------------------------------------------------------------------- normalisation

#: Arabic letter forms folded to the Urdu letters used in Urdu orthography.
_ARABIC_TO_URDU = str.maketrans(
    {
        "ي": "ی",  # ARABIC YEH -> FARSI YEH
        "ى": "ی",  # ALEF MAKSURA
        "ك": "ک",  # ARABIC KAF -> KEHEH
        "ه": "ہ",  # HEH -> HEH GOAL
        "ۀ": "ہ",
        "ة": "ہ",  # TEH MARBUTA
        "أ": "ا",
        "إ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ۓ": "ے",
        "٠": "۰",
        "١": "۱",
        "٢": "۲",
        "٣": "۳",
        "٤": "۴",
        "٥": "۵",
        "٦": "۶",
        "٧": "۷",
        "٨": "۸",
        "٩": "۹",
    }
)

# Tatweel, Arabic diacritics (harakat, superscript alef, Quranic marks) and bidi controls.
_STRIP_RE = re.compile(
    "[\u0640\u064b-\u065f\u0670\u06d6-\u06ed\u0610-\u061a"
    "\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
_SPACE_RE = re.compile(r"\s+")


def normalize_arabic(text: str) -> str:
    """Fold Arabic letter forms to Urdu ones and drop tatweel, diacritics and bidi marks.

    NFKC first, so presentation forms (U+FB50-U+FEFF, as some OCR and PDF output has them)
    become ordinary letters.

    Parameters
    ----------
    text
        Any text.

    Returns
    -------
    str

    Examples
    --------
    >>> normalize_arabic("كرگل")
    'کرگل'
    """
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_ARABIC_TO_URDU)
    text = _STRIP_RE.sub("", text)
    # zero-width non-joiner inside Urdu words is orthographic, not a word break
    text = text.replace("\u200c", "")
    return _SPACE_RE.sub(" ", text).strip()


def normalize(text: str) -> str:
    """Normalise any text for matching: NFKC, Arabic folding, collapsed spaces.

    The script is kept; case is kept (use :func:`fold_latin` for caseless Latin).

    Parameters
    ----------
    text
        Any text (None becomes ``""``).

    Returns
    -------
    str
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if text.isascii():
        return _SPACE_RE.sub(" ", text).strip()
    return normalize_arabic(text)


#: Letters of Pashto, Sindhi, Kashmiri, Persian, Kurdish and Arabic-language spelling, mapped to
#: the Urdu letters with the same (or the nearest) sound. Used for keys only.
_LETTER_FOLD = str.maketrans(
    {
        "ټ": "ٹ",
        "ٽ": "ٹ",
        "ډ": "ڈ",
        "ڊ": "ڈ",
        "ڍ": "ڈ",
        "ړ": "ڑ",
        "ڙ": "ڑ",
        "ڕ": "ر",
        "ږ": "ژ",
        "ښ": "ش",
        "ګ": "گ",
        "ڳ": "گ",
        "ڱ": "ن",
        "ڭ": "گ",
        "ڨ": "گ",
        "ڼ": "ن",
        "ڻ": "ن",
        "ځ": "ز",
        "څ": "س",
        "ې": "ی",
        "ۍ": "ی",
        "ێ": "ی",
        "ۆ": "و",
        "ۄ": "و",
        "ۇ": "و",
        "ۋ": "و",
        "ٲ": "ا",
        "ٳ": "ا",
        "ە": "ہ",
        "ۂ": "ہ",
        "ۃ": "ہ",
        "ڵ": "ل",
        "ڤ": "و",
        "ٺ": "ت",
        "ٿ": "تھ",
        "ڀ": "بھ",
        "ٻ": "ب",
        "ڄ": "ج",
        "ڃ": "ن",
        "ڇ": "چھ",
        "ڌ": "دھ",
        "ڏ": "د",
        "ڦ": "پھ",
        "ڪ": "ک",
        "ۓ": "ے",
    }
)


def fold_arabic(text: str) -> str:
    """Normalise Arabic-script text and fold regional letters to Urdu ones (for keys).

    Pashto ټ ډ ړ ګ ڼ ې ۍ, Sindhi ٿ ڪ ڻ, Kashmiri ٲ ۄ and others become ٹ ڈ ڑ گ ن ی ی, تھ ک ن,
    ا و. The result is meant for comparison, not display.

    Parameters
    ----------
    text
        Arabic-script (or any) text.

    Returns
    -------
    str

    Examples
    --------
    >>> fold_arabic("پاړاچنار") == fold_arabic("پاڑاچنار")
    True
    """
    return normalize(text).translate(_LETTER_FOLD)


_FOLD_PUNCT_RE = re.compile(r"[^\w\s]|_")


def fold_latin(text: str) -> str:
    """Caseless, accent-free Latin: ``"Śrīnagar" -> "srinagar"``; punctuation becomes space.

    Parameters
    ----------
    text
        Latin-script text.

    Returns
    -------
    str
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = text.translate(_LATIN_EXTRA)
    text = text.lower()
    text = _FOLD_PUNCT_RE.sub(" ", text)
    return _SPACE_RE.sub(" ", text).strip()


# Latin letters that NFKD does not decompose
_LATIN_EXTRA = str.maketrans(
    {"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae"}
)

# --------------------------------------------------------------------------- scripts

_SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x005A, "Latn"),
    (0x0061, 0x007A, "Latn"),
    (0x00C0, 0x024F, "Latn"),
    (0x1E00, 0x1EFF, "Latn"),
    (0x0600, 0x06FF, "Arab"),
    (0x0750, 0x077F, "Arab"),
    (0x08A0, 0x08FF, "Arab"),
    (0xFB50, 0xFDFF, "Arab"),
    (0xFE70, 0xFEFF, "Arab"),
    (0x0900, 0x097F, "Deva"),
    (0x0980, 0x09FF, "Beng"),
    (0x0A00, 0x0A7F, "Guru"),
    (0x0A80, 0x0AFF, "Gujr"),
    (0x0B80, 0x0BFF, "Taml"),
    (0x0C00, 0x0C7F, "Telu"),
    (0x0C80, 0x0CFF, "Knda"),
    (0x0D00, 0x0D7F, "Mlym"),
    (0x0400, 0x04FF, "Cyrl"),
    (0x0370, 0x03FF, "Grek"),
    (0x0590, 0x05FF, "Hebr"),
    (0x0E00, 0x0E7F, "Thai"),
    (0x0F00, 0x0FFF, "Tibt"),
    (0x3040, 0x30FF, "Jpan"),
    (0x4E00, 0x9FFF, "Hani"),
    (0xAC00, 0xD7AF, "Hang"),
)


@lru_cache(maxsize=8192)
def _char_script(ch: str) -> str | None:
    cp = ord(ch)
    if cp in (0x00D7, 0x00F7):  # multiplication and division signs
        return None
    for lo, hi, name in _SCRIPT_RANGES:
        if lo <= cp <= hi:
            # Arabic-Indic digits and punctuation say nothing of the script
            if name == "Arab" and (
                0x0660 <= cp <= 0x0669
                or 0x06F0 <= cp <= 0x06F9
                or cp in (0x060C, 0x061B, 0x061F, 0x06D4)
            ):
                return None
            return name
    return None


_ASCII_ALPHA_RE = re.compile(r"[A-Za-z]")


def detect_script(text: str) -> str:
    """ISO 15924 code of the dominant script of ``text`` (``"Zyyy"`` if it has no letters).

    Parameters
    ----------
    text
        Any text.

    Returns
    -------
    str
        ``"Latn"``, ``"Arab"``, ``"Deva"``, ... or ``"Zyyy"``.

    Examples
    --------
    >>> detect_script("لال چوک"), detect_script("Lal Chowk"), detect_script("2021")
    ('Arab', 'Latn', 'Zyyy')
    """
    text = str(text)
    if text.isascii():
        return "Latn" if _ASCII_ALPHA_RE.search(text) else "Zyyy"
    counts: dict[str, int] = {}
    for ch in text:
        s = _char_script(ch)
        if s:
            counts[s] = counts.get(s, 0) + 1
    if not counts:
        return "Zyyy"
    return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]


def is_rtl(text: str) -> bool:
    """True when the dominant script is written right to left (Arabic, Hebrew).

    Parameters
    ----------
    text
        Any text.

    Returns
    -------
    bool
    """
    return detect_script(text) in ("Arab", "Hebr")


_ARAB_CHAR_RE = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


def _has_arabic(word: str) -> bool:
    return not word.isascii() and _ARAB_CHAR_RE.search(word) is not None


# --------------------------------------------------------------------------- romanisation

# Consonants with their romanisations, the readable one first. Alternatives are the spellings
# that Latin-script gazetteers use for the same letter (ڑ as r or d, ق as q or k, ...).
_UR_CONS: dict[str, tuple[str, ...]] = {
    "ب": ("b",),
    "پ": ("p",),
    "ت": ("t",),
    "ٹ": ("t",),
    "ث": ("s", "th"),
    "ج": ("j",),
    "چ": ("ch",),
    "ح": ("h",),
    "خ": ("kh",),
    "د": ("d",),
    "ڈ": ("d",),
    "ذ": ("z",),
    "ر": ("r",),
    "ڑ": ("r", "d"),
    "ز": ("z",),
    "ژ": ("zh",),
    "س": ("s",),
    "ش": ("sh",),
    "ص": ("s",),
    "ض": ("z",),
    "ط": ("t",),
    "ظ": ("z",),
    "غ": ("gh",),
    "ف": ("f",),
    "ق": ("q", "k"),
    "ک": ("k",),
    "گ": ("g",),
    "ل": ("l",),
    "م": ("m",),
    "ن": ("n",),
    "ں": ("n", ""),
    "ھ": ("h",),
    "ء": ("",),
    "۰": ("0",),
    "۱": ("1",),
    "۲": ("2",),
    "۳": ("3",),
    "۴": ("4",),
    "۵": ("5",),
    "۶": ("6",),
    "۷": ("7",),
    "۸": ("8",),
    "۹": ("9",),
}

# Arabic-language spellings of South Asian names write p as ب, v as ف, g as غ/ج/ق, ch as تش.
_ARABIC_ORTH_CONS: dict[str, tuple[str, ...]] = {
    "ب": ("b", "p"),
    "ف": ("f", "v"),
    "غ": ("gh", "g"),
    "ج": ("j", "g"),
    "ق": ("q", "k", "g"),
}
_VOWEL_LETTERS = frozenset("اآوی")
_ARABIC_ORTH_RE = re.compile("[يكهةى]")
_URDU_ONLY_RE = re.compile("[ٹڈڑںھےگپچژ]")


def _is_arabic_orthography(raw: str) -> bool:
    """Arabic-language spelling (ي ك ه, no Urdu-only letters): ب may be p, ف may be v."""
    return bool(_ARABIC_ORTH_RE.search(raw)) and not _URDU_ONLY_RE.search(raw)


def _roman_segments(word: str, arabic_orth: bool = False) -> list[tuple[str, ...]]:
    """Romanisations of each letter of one folded Urdu-script word (first = readable one)."""
    return [alts for _, alts in _roman_letters(word, arabic_orth)]


def _roman_letters(word: str, arabic_orth: bool = False) -> list[tuple[str, tuple[str, ...]]]:
    """``(letter, romanisations)`` for each letter of one folded Urdu-script word."""
    segs: list[tuple[str, tuple[str, ...]]] = []
    n = len(word)
    i = 0
    while i < n:
        ch = word[i]
        prev = word[i - 1] if i > 0 else ""
        nxt = word[i + 1] if i + 1 < n else ""
        first, last = i == 0, i == n - 1
        alts: tuple[str, ...]
        if ch == "آ":
            alts = ("a",)
        elif ch == "ا":
            if first and nxt in ("و", "ی"):
                alts = ("",)  # the vowel is carried by the next letter
            elif first:
                alts = ("a", "i", "u")
            else:
                alts = ("a",)
        elif ch == "و":
            if first:
                alts = ("v", "w")
            elif i == 1 and word[0] == "ا":
                alts = ("u", "o", "au")
            elif nxt in ("ا", "آ") or (nxt == "ی" and i + 2 < n):
                alts = ("w", "v", "u")
            elif prev in ("ا", "آ") and (last or (i + 2 == n and nxt in ("ن", "ں"))):
                alts = ("o", "u", "w")  # گاؤں gaon, ٹاؤن taon/town
            elif prev in ("ا", "آ"):
                alts = ("w", "v", "u", "o")
            else:
                alts = ("o", "u", "au", "w")
        elif ch == "ی":
            if first:
                alts = ("y", "i", "e")
            elif i == 1 and word[0] == "ا":
                alts = ("i", "e", "ai")
            elif last:
                alts = ("i", "y", "e") if prev not in ("ا", "و") else ("i", "y", "")
            elif nxt in ("ا", "آ", "و") or (nxt == "ہ" and i + 2 == n):
                alts = ("iy", "y", "i", "e")
            elif prev in ("ا", "و", "آ"):
                alts = ("y", "i", "e")
            else:
                alts = ("i", "e", "ai", "ei")
        elif ch == "ے":
            alts = ("e", "ay", "ai")
        elif ch == "ئ":
            alts = ("",) if nxt in ("ی", "ے") or last else ("i", "e", "")
        elif ch == "ع":
            if first:
                alts = ("a", "i", "u", "")
            elif last:
                alts = ("", "a")
            else:
                alts = ("a", "")
        elif ch == "ہ":
            if last and n > 1:
                alts = ("h", "") if prev in ("ا", "آ") else ("a", "ah", "", "h")
            elif not first and prev not in _VOWEL_LETTERS and prev not in ("ہ", "ع", "ئ"):
                # a short vowel is unwritten before medial heh: پہاڑ pahar, شہر shahr
                alts = ("h", "ah", "eh") if arabic_orth else ("ah", "h", "eh")
            else:
                alts = ("h",)
        elif ch == "ت" and nxt == "ش" and arabic_orth:
            alts = ("ch", "tsh")
            i += 1
        elif arabic_orth and ch in _ARABIC_ORTH_CONS:
            alts = _ARABIC_ORTH_CONS[ch]
        elif ch in _UR_CONS:
            alts = _UR_CONS[ch]
        elif ch.isascii() and ch.isalnum():
            alts = (ch.lower(),)
        elif ch.isdigit():
            alts = (str(unicodedata.digit(ch, 0)),)
        else:
            alts = ("",)
        segs.append((ch, alts))
        i += 1
    return segs


_SCHWA_CONS = frozenset(_UR_CONS) - {"ھ", "ں", "ء", "ہ"} - set("۰۱۲۳۴۵۶۷۸۹")


def _schwa_word(word: str, arabic_orth: bool) -> str:
    """Readable romanisation with the unwritten short a between consonants (کھرڑ kharar)."""
    letters = _roman_letters(word, arabic_orth)
    out = []
    for i, (ch, alts) in enumerate(letters):
        out.append(alts[0])
        cons = ch in _SCHWA_CONS or (ch == "ھ" and i > 0 and letters[i - 1][0] in _SCHWA_CONS)
        nxt = letters[i + 1][0] if i + 1 < len(letters) else ""
        if cons and nxt in _SCHWA_CONS:
            out.append("a")
    return "".join(out)


def _arabic_words(text: str) -> tuple[list[str], bool]:
    raw = text if isinstance(text, str) else str(text)
    arabic_orth = _is_arabic_orthography(raw)
    folded = fold_arabic(raw)
    words = [w for w in re.split(r"[\s\-_/.,;:()\[\]'\"،؛۔]+", folded) if w]
    return words, arabic_orth


def romanize(text: str) -> str:
    """Readable Latin transliteration of Urdu-script text (Latin text is returned folded).

    Urdu script leaves short vowels unwritten, so this is a guess meant for reading and for
    fuzzy comparison, not a standard transliteration. ٹ ڈ ڑ become t d r, ں n, ھ marks
    aspiration (``بھ`` bh), ے is e; و and ی are consonants (v/w, y) at the start of a word or
    next to a vowel, vowels (o/u, i/e) between consonants. :func:`romanize_variants` lists the
    other readings.

    Parameters
    ----------
    text
        Urdu/Arabic-script or Latin text.

    Returns
    -------
    str

    Examples
    --------
    >>> romanize("لال چوک")
    'lal chok'
    >>> romanize("خمینی")
    'khmini'
    >>> romanize("ٹاؤن"), romanize("ڈیرہ"), romanize("پہاڑ"), romanize("گاؤں"), romanize("بھٹو")
    ('taon', 'dira', 'pahar', 'gaon', 'bhto')
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if detect_script(text) != "Arab":
        return fold_latin(normalize(text))
    words, arabic_orth = _arabic_words(text)
    out = []
    for w in words:
        if _has_arabic(w):
            r = "".join(a[0] for a in _roman_segments(w, arabic_orth))
        else:
            r = fold_latin(w)
        if r:
            out.append(r)
    return " ".join(out)


def romanize_variants(text: str, limit: int = 12, *, schwa: bool = False) -> list[str]:
    """Several romanisations of Urdu-script text, the readable one (:func:`romanize`) first.

    Ambiguous letters (و as v/w/o/u, ی as y/i/e, initial ا as a/i/u, ڑ as r/d, final ہ as a/ah,
    and in Arabic-language spelling ب as b/p, ف as f/v) are varied one and two at a time,
    left to right, up to ``limit`` variants.

    Parameters
    ----------
    text
        Urdu/Arabic-script text (Latin text gives one variant, folded).
    limit
        Most variants returned.
    schwa
        Also give, second, the reading with the unwritten short *a* between consonants
        (کھرڑ kharar, نگر nagar).

    Returns
    -------
    list of str

    Examples
    --------
    >>> romanize_variants("کھرڑ", schwa=True)[:2]
    ['khrr', 'kharar']
    >>> "purnia" in romanize_variants("پورنیہ")
    True
    """
    if detect_script(text) != "Arab":
        return [fold_latin(normalize(text))]
    words, arabic_orth = _arabic_words(text)
    segs: list[tuple[str, ...]] = []
    for wi, w in enumerate(words):
        if wi:
            segs.append((" ",))
        if _has_arabic(w):
            segs.extend(_roman_segments(w, arabic_orth))
        else:
            segs.append((fold_latin(w),))
    amb = [i for i, s in enumerate(segs) if len(s) > 1]
    base = [s[0] for s in segs]
    out: dict[str, None] = {"".join(base).strip(): None}
    if schwa:
        out.setdefault(
            " ".join(
                _schwa_word(w, arabic_orth) if _has_arabic(w) else fold_latin(w) for w in words
            ),
            None,
        )
    for nchange in (1, 2):
        for pos in combinations(amb, nchange):
            choices: list[list[tuple[int, str]]] = [[(p, alt) for alt in segs[p][1:]] for p in pos]
            for combo in _product(choices):
                v = list(base)
                for p, alt in combo:
                    v[p] = alt
                out.setdefault(_SPACE_RE.sub(" ", "".join(v)).strip(), None)
                if len(out) >= limit:
                    return list(out)
    return list(out)


def _product(lists: list[list[tuple[int, str]]]) -> Iterator[tuple[tuple[int, str], ...]]:
    if not lists:
        yield ()
        return
    for head in lists[0]:
        for tail in _product(lists[1:]):
            yield (head, *tail)


_ROMAN_KEY_SUBS = (
    (re.compile(r"[^a-z0-9CS]"), ""),
    (re.compile(r"(.)\1+"), r"\1"),
    (re.compile("ee"), "i"),
    (re.compile("oo"), "u"),
)
_ROMAN_KEY_TRANS = str.maketrans({"w": "v", "q": "k", "c": "k", "x": "ks"})


def roman_key(text: str) -> str:
    """A loose Latin key for comparing romanisations: no spaces, doubles collapsed, w=v, q=k.

    Parameters
    ----------
    text
        Latin text, or Urdu-script text (romanised first).

    Returns
    -------
    str

    Examples
    --------
    >>> roman_key("Sawai  Madhopur") == roman_key("savai madhopur")
    True
    """
    t = romanize(text) if not text.isascii() and detect_script(text) == "Arab" else text
    return _roman_key_folded(fold_latin(t))


def _roman_key_folded(t: str) -> str:
    """:func:`roman_key` of text already folded by :func:`fold_latin`."""
    t = t.replace("ph", "f").replace("ch", "C").replace("sh", "S")
    for rx, rep in _ROMAN_KEY_SUBS:
        t = rx.sub(rep, t)
    return t.translate(_ROMAN_KEY_TRANS).replace("C", "ch").replace("S", "sh")


# --------------------------------------------------------------------------- skeleton keys

# Consonant classes shared by both scripts. Letters that Urdu spellings and Latin spellings
# render differently (q/k, kh/k, gh/g, th/t) share a class; vowels and vowel letters vanish.
_UR_SKEL = {
    "ب": "b",
    "پ": "p",
    "ت": "t",
    "ٹ": "t",
    "ط": "t",
    "ث": "s",
    "س": "s",
    "ص": "s",
    "ج": "j",
    "چ": "C",
    "ح": "h",
    "ہ": "h",
    "خ": "k",
    "ک": "k",
    "ق": "k",
    "گ": "g",
    "غ": "g",
    "د": "d",
    "ڈ": "d",
    "ذ": "z",
    "ز": "z",
    "ض": "z",
    "ظ": "z",
    "ژ": "z",
    "ر": "r",
    "ڑ": "r",
    "ش": "S",
    "ف": "f",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ں": "",  # nasalisation; Latin spellings mostly leave it out (جموں, Jammu)
}
_LATIN_DIGRAPHS = (
    ("dzh", "j"),
    ("sch", "S"),
    ("tch", "C"),
    ("tsh", "C"),
    ("kh", "k"),
    ("gh", "g"),
    ("sh", "S"),
    ("ch", "C"),
    ("zh", "z"),
    ("th", "t"),
    ("dh", "d"),
    ("ph", "f"),
    ("bh", "b"),
    ("jh", "j"),
    ("rh", "r"),
    ("ck", "k"),
    ("qu", "k"),
)
_VOWELS = set("aeiou")
_LAT_H_AFTER_CONS = re.compile(r"(?<=[bcdfgjklmnpqrstvwxyzCS])h")
_LAT_SKEL_TRANS = str.maketrans(
    {
        "q": "k",
        "c": "k",
        "x": "ks",
        "v": None,
        "w": None,
        "y": None,
        "a": None,
        "e": None,
        "i": None,
        "o": None,
        "u": None,
    }
)
_LAT_SKEL_DROP = re.compile(r"[^bdfghjklmnprstzCS0-9]")
_COLLAPSE_RE = re.compile(r"(.)\1+")


def _skeleton_latin_word(word: str) -> str:
    return _skeleton_latin_folded(fold_latin(word).replace(" ", ""))


def _skeleton_latin_folded(word: str) -> str:
    """Skeleton of one Latin word already folded by :func:`fold_latin` (no spaces)."""
    # doubled letters are a Latin spelling habit (Quetta, Muzaffarabad); Urdu writes them once
    w = _COLLAPSE_RE.sub(r"\1", word)
    if not w:
        return ""
    first = w[0]
    # final h after a vowel is the vowel's spelling (Leh, Shah), as final ہ is in Urdu
    if len(w) > 2 and w[-1] == "h" and w[-2] in _VOWELS:
        w = w[:-1]
    for a, b in _LATIN_DIGRAPHS:
        if a in w:
            w = w.replace(a, b)
    w = _LAT_H_AFTER_CONS.sub("", w)  # aspiration after a consonant
    head = ""
    if first in "yvw" and w[:1] == first:  # initial y/v/w are consonants in both scripts
        head, w = ("v" if first == "w" else first), w[1:]
    return head + _LAT_SKEL_DROP.sub("", w.translate(_LAT_SKEL_TRANS))


def _skeleton_arabic_word(word: str, nasal_n: bool = False, final_h: bool = False) -> str:
    out = []
    n = len(word)
    for i, ch in enumerate(word):
        if ch in ("و", "ی", "ے"):
            if i == 0:
                out.append("v" if ch == "و" else "y")
            continue
        if ch == "ہ" and i == n - 1 and n > 1:
            if final_h:
                out.append("h")
            continue  # final heh spells a vowel
        if ch == "ں" and nasal_n:
            out.append("n")
            continue
        if ch == "ھ":
            continue  # aspiration
        s = _UR_SKEL.get(ch)
        if s is not None:
            out.append(s)
        elif ch.isdigit():
            out.append(str(unicodedata.digit(ch, 0)))
        elif ch.isascii() and ch.isalpha():
            out.append(_skeleton_latin_word(ch))
    return "".join(out)


_WORD_SPLIT_RE = re.compile(r"[\s\-_/.,;:()\[\]'\"،؛۔]+")


def _skeleton_words(text: str, nasal_n: bool = False, final_h: bool = False) -> list[str]:
    text = normalize(text)
    words = []
    for word in _WORD_SPLIT_RE.split(text):
        if not word:
            continue
        if _has_arabic(word):
            words.append(_skeleton_arabic_word(word.translate(_LETTER_FOLD), nasal_n, final_h))
        else:
            words.append(_skeleton_latin_word(word))
    return [w for w in words if w]


def _assimilate(skel: str) -> str:
    # n before b/p is pronounced m and Latin spellings often write it so (Sambhal, سنبھل)
    if "n" in skel:
        skel = skel.replace("nb", "mb").replace("np", "mp")
    return skel


_LATIN_FINAL_NASAL_RE = re.compile(r"(?<=[aeiou])n$")


def skeleton_variants(text: str) -> list[str]:
    """The skeleton of a name and the other skeletons its spelling allows, default first.

    Urdu ں (nasal) is usually unwritten in Latin spellings (جموں, Jammu) but not always
    (بدایوں, Budaun), and a word-final ہ is usually a vowel but may be an h (میہ نگر,
    Mehnagar); a Latin word-final vowel + n may be a nasal that Urdu writes ں.

    Parameters
    ----------
    text
        A name in Latin or Urdu/Arabic script.

    Returns
    -------
    list of str

    Examples
    --------
    >>> skeleton_variants("بدایوں")
    ['bd', 'bdn']
    """
    if _has_arabic(text):
        out = [
            "".join(_skeleton_words(text, nasal, final_h))
            for nasal, final_h in ((False, False), (True, False), (False, True), (True, True))
        ]
    else:
        folded = fold_latin(normalize(text)).split()
        base = "".join(_skeleton_latin_folded(w) for w in folded)
        nasal = "".join(
            _skeleton_latin_folded(_LATIN_FINAL_NASAL_RE.sub("", w))
            if len(w) > 3
            else _skeleton_latin_folded(w)
            for w in folded
        )
        out = [base, nasal]
    return list(dict.fromkeys(_assimilate(x) for x in out))


def skeleton(text: str, *, join: bool = True) -> str:
    """Script-neutral consonant skeleton of a name.

    Parameters
    ----------
    text
        A name in Latin or Urdu/Arabic script.
    join
        Join the words' skeletons without spaces (default) or with one space.

    Returns
    -------
    str

    Examples
    --------
    >>> skeleton("خمینی") == skeleton("Khomeini") == skeleton("Khumaini") == skeleton("Khomeni")
    True
    >>> skeleton("کرگل") == skeleton("کارگل") == skeleton("Kargil")
    True
    """
    words = _skeleton_words(text)
    return _assimilate("".join(words)) if join else " ".join(_assimilate(w) for w in words)


_COARSE_TRANS = str.maketrans({"p": "b", "f": "b", "v": "b", "g": "k", "h": None, "z": "j"})
_ARAB_TSH_RE = re.compile("تش")


def coarse_skeleton(text: str) -> str:
    """A looser skeleton: b=p=f=v, g=k=q, z=j, h dropped, تش = ch.

    Arabic-language spellings of South Asian names (بورنيا for Purnia, فادودارا for
    Vadodara, أولهاسنغر for Ulhasnagar, بانتشكولا for Panchkula) meet their Latin names here.

    Parameters
    ----------
    text
        A name in Latin or Urdu/Arabic script.

    Returns
    -------
    str

    Examples
    --------
    >>> coarse_skeleton("بانتشكولا") == coarse_skeleton("Panchkula")
    True
    """
    return coarse_of_skeleton(skeleton(_arabic_tsh(text)))


def _arabic_tsh(text: str) -> str:
    return _ARAB_TSH_RE.sub("چ", normalize(text)) if _has_arabic(text) else text


def coarse_of_skeleton(skel: str) -> str:
    """The coarse skeleton (see :func:`coarse_skeleton`) of a skeleton.

    Parameters
    ----------
    skel
        Output of :func:`skeleton`.

    Returns
    -------
    str
    """
    return skel.translate(_COARSE_TRANS)


def coarse_variants(text: str) -> list[str]:
    """Coarse skeletons of the variants of :func:`skeleton_variants`, default first.

    Parameters
    ----------
    text
        A name in Latin or Urdu/Arabic script.

    Returns
    -------
    list of str
    """
    return list(dict.fromkeys(coarse_of_skeleton(v) for v in skeleton_variants(_arabic_tsh(text))))


# --------------------------------------------------------------------------- generic words


@dataclass(frozen=True)
class GenericWord:
    """A word that says what kind of place a name is (chowk, road, ...), in both scripts."""

    kind: str
    latin: tuple[str, ...]
    urdu: tuple[str, ...]


#: Generic place words. Multi-word forms come before their parts.
GENERIC_WORDS: tuple[GenericWord, ...] = (
    GenericWord(
        "chowk",
        ("chowk", "chauk", "chok", "chouk", "square", "sq", "circle", "crossing", "chowrangi"),
        ("چوک", "چورنگی", "چوراہا", "اسکوائر", "سکوائر"),
    ),
    GenericWord("bazaar", ("bazaar", "bazar", "market", "mandi"), ("بازار", "مارکیٹ", "منڈی")),
    GenericWord(
        "mosque",
        ("masjid", "mosque", "jamia masjid", "jama masjid", "jamia mosque"),
        ("مسجد", "جامع مسجد"),
    ),
    GenericWord(
        "imambargah",
        ("imambargah", "imam bargah", "imambara", "imambada", "imambarah", "ashurkhana"),
        ("امام بارگاہ", "امامبارگاہ", "امام باڑہ", "امامباڑہ", "عاشور خانہ"),
    ),
    GenericWord(
        "shrine",
        ("dargah", "ziarat", "ziyarat", "astan", "astana", "khanqah", "shrine"),
        ("درگاہ", "زیارت", "آستان", "آستانہ", "خانقاہ"),
    ),
    GenericWord("temple", ("mandir", "temple"), ("مندر",)),
    GenericWord(
        "road",
        ("road", "rd", "marg", "street", "st", "gali", "lane", "sadak", "sarak"),
        ("روڈ", "سڑک", "گلی", "اسٹریٹ", "سٹریٹ"),
    ),
    GenericWord("colony", ("colony",), ("کالونی",)),
    GenericWord("town", ("town",), ("ٹاؤن", "ٹاون")),
    GenericWord("bridge", ("bridge", "pul", "kadal"), ("پل", "کدل", "برج")),
    GenericWord("mohalla", ("mohalla", "mohallah", "muhalla"), ("محلہ",)),
    GenericWord("gate", ("gate", "darwaza"), ("دروازہ", "گیٹ")),
    GenericWord("park", ("park", "bagh", "garden"), ("پارک", "باغ")),
    GenericWord("ground", ("maidan", "ground", "stadium"), ("میدان", "گراؤنڈ", "اسٹیڈیم")),
    GenericWord(
        "district",
        ("district", "distt", "dist", "tehsil", "tahsil", "taluk", "taluka"),
        ("ضلع", "تحصیل", "تصیل", "تعلقہ", "تالوکا"),
    ),
)

_GENERIC_LATIN: dict[tuple[str, ...], str] = {}
_GENERIC_URDU: dict[tuple[str, ...], str] = {}
for _g in GENERIC_WORDS:
    for _w in _g.latin:
        _GENERIC_LATIN[tuple(_w.split())] = _g.kind
    for _w in _g.urdu:
        _GENERIC_URDU[tuple(normalize_arabic(_w).split())] = _g.kind
_IZAFAT = frozenset({"e", "i"})
_LATIN_WORD_SPLIT_RE = re.compile(r"[\s\-_/]+")
_MAX_GENERIC = max(len(k) for k in (*_GENERIC_LATIN, *_GENERIC_URDU))
_GENERIC_FIRST = {k[0] for k in (*_GENERIC_LATIN, *_GENERIC_URDU)}


def split_generic(name: str) -> tuple[str, tuple[str, ...]]:
    """Split a name into its specific part and the kinds its generic words name.

    Parameters
    ----------
    name
        A place name in Latin or Urdu/Arabic script.

    Returns
    -------
    tuple
        ``(specific part, kinds)``. A name that is only a generic word ("Bazaar") keeps it as
        its specific part.

    Examples
    --------
    >>> split_generic("Khomeini Chowk")
    ('Khomeini', ('chowk',))
    >>> split_generic("امام بارگاہ زڈی بل")
    ('زڈی بل', ('imambargah',))
    """
    text = normalize(name)
    arab = detect_script(text) == "Arab"
    if arab:
        words = text.split()
        keys = words
    else:
        words = [w for w in _LATIN_WORD_SPLIT_RE.split(text) if w]
        keys = [fold_latin(w) for w in words]
    kept, kinds = _split_generic_keys(words, keys, arab)
    if not kept:
        return text, kinds
    return " ".join(kept), kinds


def _split_generic_keys(
    words: list[str], keys: list[str], arab: bool
) -> tuple[list[str], tuple[str, ...]]:
    """Split words (and their folded keys) into the kept words and the generic kinds."""
    if not any(k in _GENERIC_FIRST for k in keys):
        return words, ()
    table = _GENERIC_URDU if arab else _GENERIC_LATIN
    kept: list[str] = []
    kinds: list[str] = []
    i = 0
    after_generic = False
    while i < len(words):
        for n in range(min(_MAX_GENERIC, len(words) - i), 0, -1):
            kind = table.get(tuple(keys[i : i + n]))
            if kind:
                kinds.append(kind)
                i += n
                after_generic = True
                break
        else:
            if not (after_generic and not arab and keys[i] in _IZAFAT):
                kept.append(words[i])  # "Bazar-e Yakawlang": the izafat goes with "bazar"
            after_generic = False
            i += 1
    return kept, tuple(dict.fromkeys(kinds))


def latin_name_keys(text: str) -> tuple[str, str, str, str, str, tuple[str, ...]]:
    """All comparison keys of a Latin-script name in one pass (for indexing many names).

    Parameters
    ----------
    text
        A normalised Latin-script name.

    Returns
    -------
    tuple
        ``(folded, folded specific part, roman key, skeleton, coarse skeleton, kinds)``, each as
        :func:`fold_latin`, :func:`split_generic`, :func:`roman_key`, :func:`skeleton` and
        :func:`coarse_skeleton` would give them.
    """
    folded = fold_latin(text)
    fwords = folded.split()
    kept, kinds = _split_generic_keys(fwords, fwords, False)
    if not kept:
        kept = fwords
    core_f = " ".join(kept)
    skel = _assimilate("".join(_skeleton_latin_folded(w) for w in kept))
    coarse = skel.translate(_COARSE_TRANS)
    return folded, core_f, _roman_key_folded(core_f), skel, coarse, kinds


def name_key(name: str) -> str:
    """Key under which two names count as the same name: the specific part, folded, plus kinds.

    Used for specificity (how many places bear a name) and duplicate detection. It is
    script-specific (a place bearing both "Lal Chowk" and "لال چوک" is still one place) and
    stricter than :func:`skeleton`, which would let "Quetta" and "Kot" collide.

    Parameters
    ----------
    name
        A place name.

    Returns
    -------
    str

    Examples
    --------
    >>> name_key("Lal  chowk") == name_key("LAL CHOWK")
    True
    """
    core, kinds = split_generic(name)
    folded = normalize_arabic(core) if detect_script(core) == "Arab" else fold_latin(core)
    return folded + ("|" + ",".join(sorted(kinds)) if kinds else "")


# --------------------------------------------------------------------------- spans

_WORD_RE = re.compile(r"[^\s,;:!?()\[\]{}\"«»“”'’|/\\،؛؟۔]+")

#: Function words that do not begin or end a place name (English and Urdu).
STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "at",
        "by",
        "for",
        "from",
        "in",
        "of",
        "on",
        "the",
        "to",
        "with",
        "near",
        "against",
        "our",
        "we",
        "is",
        "are",
        "کا",
        "کی",
        "کے",
        "میں",
        "سے",
        "اور",
        "کو",
        "نے",
        "پر",
        "تک",
        "ہے",
        "ہیں",
        "یہ",
        "وہ",
    }
)


def word_spans(text: str, max_words: int = 4) -> Iterator[tuple[int, int, str]]:
    """All runs of 1..``max_words`` consecutive words, as ``(start, end, text)``.

    Used to spot place names inside a longer line ("Anjuman ... Kargil", "Hazara Town Quetta").

    Parameters
    ----------
    text
        A line of text.
    max_words
        Longest run.

    Yields
    ------
    tuple
        ``(start, end, span text)`` with character offsets into ``text``.
    """
    words = [(m.start(), m.end()) for m in _WORD_RE.finditer(text)]
    for i in range(len(words)):
        for j in range(i, min(len(words), i + max_words)):
            s, e = words[i][0], words[j][1]
            yield s, e, text[s:e]


def candidate_spans(text: str, max_words: int = 4) -> Iterator[tuple[int, int, str]]:
    """The runs of words of a line that may be place names.

    Like :func:`word_spans`, but skips runs that begin or end with a function word ("in",
    "of", "کے", "میں") and runs with no letters.

    Parameters
    ----------
    text
        A line of text.
    max_words
        Longest run.

    Yields
    ------
    tuple
        ``(start, end, span text)``.

    Examples
    --------
    >>> [s for _, _, s in candidate_spans("Hazara Shias in Quetta", 2)]
    ['Hazara', 'Hazara Shias', 'Shias', 'Quetta']
    """
    for s, e, span in word_spans(text, max_words=max_words):
        words = span.split()
        first, last = words[0], words[-1]
        fk = normalize(first) if _has_arabic(first) else fold_latin(first)
        lk = normalize(last) if _has_arabic(last) else fold_latin(last)
        if fk in STOP_WORDS or lk in STOP_WORDS:
            continue
        if not any(ch.isalpha() for ch in span):
            continue
        yield s, e, span
