"""Urdu/Arabic-script and Latin-script text: normalisation, romanisation and cross-script keys.

A banner says ``کرگل``; the gazetteer may hold ``Kargil`` (or only ``کارگل``). Urdu script writes
consonants and long vowels, Latin spellings of the same name vary in their vowels
(Khomeini, Khomeni, Khumaini). So names are compared through a *consonant skeleton*: both
scripts are mapped to one small alphabet of consonant classes, vowels and vowel letters
(ا و ی ے ع, a e i o u) dropped, doubled letters collapsed. ``خمینی`` and ``Khomeini`` both
become ``kmn``. The skeleton finds candidates; finer scores come from romanisation and
same-script comparison.

Generic place words (chowk, bazaar, road, imambargah, ...) say what *kind* of place a name is,
not which one; :func:`split_generic` separates them in both scripts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "GENERIC_WORDS",
    "detect_script",
    "fold_latin",
    "name_key",
    "normalize",
    "normalize_arabic",
    "romanize",
    "skeleton",
    "split_generic",
    "word_spans",
]

# --------------------------------------------------------------------------- normalisation

#: Arabic letter forms folded to the Urdu letters used in Urdu orthography.
_ARABIC_TO_URDU = str.maketrans(
    {
        "ي": "ی",  # ARABIC YEH -> FARSI YEH
        "ى": "ی",  # ALEF MAKSURA
        "ئ": "ئ",
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
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    return normalize_arabic(text)


def fold_latin(text: str) -> str:
    """Caseless, accent-free Latin: ``"Śrīnagar" -> "srinagar"``; punctuation becomes space."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower()
    text = re.sub(r"[^\w\s]|_", " ", text)
    return _SPACE_RE.sub(" ", text).strip()


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


def _char_script(ch: str) -> str | None:
    cp = ord(ch)
    for lo, hi, name in _SCRIPT_RANGES:
        if lo <= cp <= hi:
            # Arabic-Indic digits and punctuation say nothing of the script
            if name == "Arab" and (
                0x0660 <= cp <= 0x0669 or 0x06F0 <= cp <= 0x06F9 or cp in (0x060C, 0x061F, 0x06D4)
            ):
                return None
            return name
    return None


def detect_script(text: str) -> str:
    """ISO 15924 code of the dominant script of ``text`` (``"Zyyy"`` if it has no letters).

    >>> detect_script("لال چوک"), detect_script("Lal Chowk"), detect_script("2021")
    ('Arab', 'Latn', 'Zyyy')
    """
    counts: dict[str, int] = {}
    for ch in str(text):
        s = _char_script(ch)
        if s:
            counts[s] = counts.get(s, 0) + 1
    if not counts:
        return "Zyyy"
    return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]


def is_rtl(text: str) -> bool:
    """True when the dominant script is written right to left (Arabic, Hebrew)."""
    return detect_script(text) in ("Arab", "Hebr")


# --------------------------------------------------------------------------- romanisation

# Readable romanisation of Urdu. Long-vowel letters are guessed from position: word-initial
# و/ی are consonants (v, y), elsewhere vowels (o/u, i/e); final ہ is the vowel "a".
_UR_CONS = {
    "ب": "b",
    "پ": "p",
    "ت": "t",
    "ٹ": "t",
    "ث": "s",
    "ج": "j",
    "چ": "ch",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ڈ": "d",
    "ذ": "z",
    "ر": "r",
    "ڑ": "r",
    "ز": "z",
    "ژ": "zh",
    "س": "s",
    "ش": "sh",
    "ص": "s",
    "ض": "z",
    "ط": "t",
    "ظ": "z",
    "ع": "'",
    "غ": "gh",
    "ف": "f",
    "ق": "q",
    "ک": "k",
    "گ": "g",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ں": "n",
    "ھ": "h",
    "ء": "'",
    "ئ": "'",
    "۰": "0",
    "۱": "1",
    "۲": "2",
    "۳": "3",
    "۴": "4",
    "۵": "5",
    "۶": "6",
    "۷": "7",
    "۸": "8",
    "۹": "9",
}


def romanize(text: str) -> str:
    """Readable Latin transliteration of Urdu-script text (Latin text is returned folded).

    Urdu script leaves short vowels unwritten, so this is a guess meant for reading and for
    fuzzy comparison, not a standard transliteration.

    >>> romanize("لال چوک")
    'lal chok'
    >>> romanize("خمینی")
    'khmini'
    """
    text = normalize(text)
    if detect_script(text) != "Arab":
        return fold_latin(text)
    words = []
    for word in text.split():
        out = []
        n = len(word)
        for i, ch in enumerate(word):
            first, last = i == 0, i == n - 1
            if ch in ("ا", "آ"):
                out.append("a")
            elif ch == "و":
                out.append("v" if first else "o")
            elif ch == "ی":
                out.append("y" if first else "i")
            elif ch == "ے":
                out.append("e")
            elif ch == "ہ":
                out.append("a" if last and n > 1 else "h")
            elif ch == "ھ":
                out.append("h")
            elif ch in _UR_CONS:
                out.append(_UR_CONS[ch])
            elif ch.isascii():
                out.append(ch.lower())
        word_out = "".join(out).replace("'", "")
        if word_out:
            words.append(word_out)
    return " ".join(words)


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
    ("sch", "S"),
    ("tch", "C"),
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
_LATIN_SKEL = {
    "b": "b",
    "p": "p",
    "t": "t",
    "d": "d",
    "k": "k",
    "q": "k",
    "c": "k",
    "g": "g",
    "j": "j",
    "s": "s",
    "z": "z",
    "x": "ks",
    "f": "f",
    "v": "",
    "w": "",
    "l": "l",
    "r": "r",
    "m": "m",
    "n": "n",
    "h": "h",
    "y": "",
    "C": "C",
    "S": "S",
}
_VOWELS = set("aeiou")


def _skeleton_latin_word(word: str) -> str:
    # doubled letters are a Latin spelling habit (Quetta, Muzaffarabad); Urdu writes them once
    w = _collapse(fold_latin(word).replace(" ", ""))
    if not w:
        return ""
    first_y = w[0] in "yjv"  # initial y/v are consonants in both scripts
    first = w[0]
    # final h after a vowel is the vowel's spelling (Leh, Shah), as final ہ is in Urdu
    if len(w) > 2 and w[-1] == "h" and w[-2] in _VOWELS:
        w = w[:-1]
    for a, b in _LATIN_DIGRAPHS:
        w = w.replace(a, b)
    out = []
    for i, ch in enumerate(w):
        if ch in _VOWELS:
            continue
        if i == 0 and first_y and first in "yv":
            out.append("y" if first == "y" else "v")
            continue
        if ch == "h" and i > 0 and w[i - 1] not in _VOWELS and w[i - 1] != "h":
            continue  # aspiration after a consonant (bh, th were handled; others too)
        out.append(_LATIN_SKEL.get(ch, "" if not ch.isdigit() else ch))
    return "".join(out)


def _skeleton_arabic_word(word: str) -> str:
    out = []
    n = len(word)
    for i, ch in enumerate(word):
        if ch in ("و", "ی", "ے"):
            if i == 0:
                out.append("v" if ch == "و" else "y")
            continue
        if ch in ("ہ",) and i == n - 1 and n > 1:
            continue  # final heh spells a vowel
        if ch == "ھ":
            continue  # aspiration
        if ch in _UR_SKEL:
            out.append(_UR_SKEL[ch])
        elif ch.isdigit():
            out.append(str(unicodedata.digit(ch, 0)))
    return "".join(out)


def _collapse(s: str) -> str:
    return re.sub(r"(.)\1+", r"\1", s)


def skeleton(text: str, *, join: bool = True) -> str:
    """Script-neutral consonant skeleton of a name.

    >>> skeleton("خمینی") == skeleton("Khomeini") == skeleton("Khumaini") == skeleton("Khomeni")
    True
    >>> skeleton("کرگل") == skeleton("کارگل") == skeleton("Kargil")
    True
    """
    text = normalize(text)
    words = []
    for word in re.split(r"[\s\-_/.,;:()\[\]'\"]+", text):
        if not word:
            continue
        if detect_script(word) == "Arab":
            words.append(_skeleton_arabic_word(word))
        else:
            words.append(_skeleton_latin_word(word))
    words = [w for w in words if w]
    return "".join(words) if join else " ".join(words)


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
        ("chowk", "chauk", "chok", "chouk", "square", "sq", "circle", "crossing"),
        ("چوک", "چورنگی"),
    ),
    GenericWord("bazaar", ("bazaar", "bazar", "market", "mandi"), ("بازار", "مارکیٹ", "منڈی")),
    GenericWord(
        "mosque", ("masjid", "mosque", "jamia masjid", "jama masjid"), ("مسجد", "جامع مسجد")
    ),
    GenericWord(
        "imambargah",
        ("imambargah", "imam bargah", "imambara", "imambada"),
        ("امام بارگاہ", "امامبارگاہ", "امام باڑہ"),
    ),
    GenericWord(
        "road", ("road", "rd", "marg", "street", "st", "gali", "lane"), ("روڈ", "سڑک", "گلی")
    ),
    GenericWord("colony", ("colony",), ("کالونی",)),
    GenericWord("town", ("town",), ("ٹاؤن", "ٹاون")),
    GenericWord("bridge", ("bridge", "pul", "kadal"), ("پل", "کدل")),
    GenericWord("mohalla", ("mohalla", "mohallah", "muhalla"), ("محلہ",)),
    GenericWord("gate", ("gate", "darwaza"), ("دروازہ", "گیٹ")),
    GenericWord("park", ("park", "bagh", "garden"), ("پارک", "باغ")),
    GenericWord("district", ("district", "distt", "dist"), ("ضلع",)),
)

_GENERIC_LATIN: dict[tuple[str, ...], str] = {}
_GENERIC_URDU: dict[tuple[str, ...], str] = {}
for _g in GENERIC_WORDS:
    for _w in _g.latin:
        _GENERIC_LATIN[tuple(_w.split())] = _g.kind
    for _w in _g.urdu:
        _GENERIC_URDU[tuple(normalize_arabic(_w).split())] = _g.kind
_MAX_GENERIC = max(len(k) for k in (*_GENERIC_LATIN, *_GENERIC_URDU))


def split_generic(name: str) -> tuple[str, tuple[str, ...]]:
    """Split a name into its specific part and the kinds its generic words name.

    >>> split_generic("Khomeini Chowk")
    ('Khomeini', ('chowk',))
    >>> split_generic("امام بارگاہ زڈی بل")
    ('زڈی بل', ('imambargah',))

    A name that is only a generic word ("Bazaar") keeps it as its specific part.
    """
    text = normalize(name)
    arab = detect_script(text) == "Arab"
    words = text.split()
    keys = [normalize_arabic(w) if arab else fold_latin(w) for w in words]
    table = _GENERIC_URDU if arab else _GENERIC_LATIN
    kept: list[str] = []
    kinds: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(_MAX_GENERIC, len(words) - i), 0, -1):
            kind = table.get(tuple(keys[i : i + n]))
            if kind:
                kinds.append(kind)
                i += n
                break
        else:
            kept.append(words[i])
            i += 1
    if not kept:
        return text, tuple(kinds)
    return " ".join(kept), tuple(dict.fromkeys(kinds))


def name_key(name: str) -> str:
    """Key under which two names count as the same name: the specific part, folded, plus kinds.

    Used for specificity (how many places bear a name) and duplicate detection. It is
    script-specific (a place bearing both "Lal Chowk" and "لال چوک" is still one place) and
    stricter than :func:`skeleton`, which would let "Quetta" and "Kot" collide.

    >>> name_key("Lal  chowk") == name_key("LAL CHOWK")
    True
    """
    core, kinds = split_generic(name)
    folded = normalize_arabic(core) if detect_script(core) == "Arab" else fold_latin(core)
    return folded + ("|" + ",".join(sorted(kinds)) if kinds else "")


# --------------------------------------------------------------------------- spans

_WORD_RE = re.compile(r"[^\s,;:!?()\[\]{}\"«»“”'’|/\\،؛؟۔]+")


def word_spans(text: str, max_words: int = 4) -> Iterator[tuple[int, int, str]]:
    """All runs of 1..``max_words`` consecutive words, as ``(start, end, text)``.

    Used to spot place names inside a longer line ("Anjuman ... Kargil", "Hazara Town Quetta").
    """
    words = [(m.start(), m.end()) for m in _WORD_RE.finditer(text)]
    for i in range(len(words)):
        for j in range(i, min(len(words), i + max_words)):
            s, e = words[i][0], words[j][1]
            yield s, e, text[s:e]
