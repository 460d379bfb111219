"""geoverify's own Urdu line recogniser: a small CTC CRNN run with onnxruntime on the CPU.

The model (``geoverify/models/urdu_crnn.onnx``, recipe in ``training/``) reads ONE line of
Urdu text (Naskh or Nastaliq, Urdu and ASCII digits) from a grayscale or RGB crop. Its frames
run left to right over the image, i.e. in *visual* order; readings are returned in logical
Unicode order.

A line the first reading finds denser than the model was trained on (under about 7.8 pixels
per character at its height, as Nastaliq print and signs often are) is stretched to
:data:`MIN_PX_PER_CHAR` and read again (:func:`density_stretch`); the second reading is kept
where its greedy reading is at least as confident as the first's.

Decoding is greedy CTC (the *raw* reading). Given a lexicon (for example the gazetteer's
Arabic-script place names), a prefix beam search constrained to a trie of the lexicon finds
the best lexicon entries; both readings are scored exactly with the CTC forward algorithm
and the lexicon entry is chosen only when its log-likelihood is within
:data:`LEXICON_MAX_GAP` nats per character of the raw reading's and the raw reading is
within :data:`LEXICON_MAX_EDITS` edits per character of it. Both are kept in the
:class:`UrduReading`.

Where no lexicon entry is chosen, a vocabulary of single words (:func:`bundled_vocabulary`,
wordfreq's common Urdu words and signage words) can correct the reading word by word: the
frames of each word of the greedy path are decoded against the vocabulary's trie by the same
search and the same two thresholds (:func:`vocabulary_reading`). Numbers are never changed,
and a word the vocabulary has nothing close to (a name, mostly) keeps its raw reading.

This module needs onnxruntime, numpy and OpenCV only (no PyTorch).

Examples
--------
>>> from geoverify.ocr.urdu import UrduRecognizer, available
>>> if available():  # doctest: +SKIP
...     reader = UrduRecognizer()
...     reading = reader.recognize([crop], lexicon=["لاہور", "چکوال"])[0]
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np
from rapidfuzz.distance import Levenshtein

from ..exceptions import InputError
from ..text import normalize

__all__ = [
    "LEXICON_MAX_EDITS",
    "LEXICON_MAX_GAP",
    "MAX_STRETCH",
    "MIN_LINE_HEIGHT",
    "MIN_PX_PER_CHAR",
    "MIN_STRETCH",
    "UrduReading",
    "UrduRecognizer",
    "available",
    "bundled_vocabulary",
    "density_stretch",
    "lexicon_choice",
    "model_path",
    "vocabulary_path",
    "vocabulary_reading",
    "word_segments",
]

#: Lines less tall than this (pixels) are not read: an empty reading, confidence 0.
MIN_LINE_HEIGHT = 6
#: Widest input (after scaling to the model's height); wider lines are squeezed to this.
MAX_INPUT_WIDTH = 2048
#: Largest line crop accepted (pixels); bigger ones are downscaled before anything else.
MAX_LINE_PIXELS = 4_000_000
#: A lexicon entry is chosen when ``(logP(raw) - logP(entry)) / len(entry)`` is at most this
#: (nats per character). Chosen with ``python -m training.calibrate_lexicon`` on synthetic
#: lines in the training fonts: with a lexicon of 1,898 names it cut the CER on names from
#: 0.098 to 0.059 and replaced 1 of 300 non-name words (0.3 %) with the base model; with ft3,
#: read as :meth:`UrduRecognizer.recognize` reads (dense lines stretched), 0.076 to 0.042,
#: again 1 of 300 (0.040 and 1 of 300 read once). Real photos were not used.
LEXICON_MAX_GAP = 0.75
#: ... and when the raw reading is within this many edits per character of the entry (so a
#: line the model read as empty or as something else entirely never becomes a place name).
LEXICON_MAX_EDITS = 0.4
#: Pixels per character (at the model's height) a dense line is stretched to for a second
#: reading: one the first reading finds under ``MIN_PX_PER_CHAR / MIN_STRETCH`` (about 7.8)
#: (:func:`density_stretch`). Real Nastaliq is set denser than most training lines (4.8-8 px
#: against a median of 11), and the model then drops characters. Chosen on rendered lines
#: (``training.evaluate``'s sets; the real images were not used to choose it) with ft1: the
#: held-out Nastaliq font's CER 0.169 -> 0.115 clean, 0.290 -> 0.256 augmented, the training
#: fonts' 0.043 -> 0.027 clean, none worse by more than 0.001 (``training/results/``
#: ``ft1_restretch.json`` against ``ft1.json``); with the committed ft3, 0.160 -> 0.118 and
#: 0.284 -> 0.250. The real images: benchmarks/RESULTS.md.
MIN_PX_PER_CHAR = 9.0
#: Largest factor :func:`density_stretch` returns.
MAX_STRETCH = 2.5
#: Least stretch worth a second reading (a line near :data:`MIN_PX_PER_CHAR` is read once).
MIN_STRETCH = 1.15
#: Beam width of the lexicon-constrained prefix beam search.
BEAM_WIDTH = 16
_BATCH = 16
_NEG = -1e30


def model_path() -> Path:
    """Path of the packaged ONNX model (it may be missing in a stripped install).

    Returns
    -------
    pathlib.Path
    """
    return Path(__file__).resolve().parent.parent / "models" / "urdu_crnn.onnx"


def vocabulary_path() -> Path:
    """Path of the packaged Urdu word list (``python -m training.vocabulary`` writes it).

    Returns
    -------
    pathlib.Path
    """
    return model_path().with_name("urdu_words.txt")


@lru_cache(maxsize=1)
def bundled_vocabulary() -> tuple[str, ...]:
    """The packaged Urdu word list (:func:`vocabulary_path`), normalised.

    wordfreq's 20,000 most frequent Urdu words and the training corpus's signage words, two
    letters or longer, without digits; CC BY-SA 4.0, as wordfreq's data is.

    Returns
    -------
    tuple of str
        The words, sorted; empty (with a warning) where the file is missing or unreadable.
    """
    path = vocabulary_path()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        warnings.warn(
            f"{path}: the Urdu word list cannot be read ({exc}); readings are not "
            "corrected towards it",
            stacklevel=2,
        )
        return ()
    words = {normalize(w) for w in text.splitlines() if w and not w.startswith("#")}
    return tuple(sorted(w for w in words if w))


def available() -> bool:
    """Whether the model file and onnxruntime are both present.

    Returns
    -------
    bool
    """
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return model_path().is_file() and model_path().with_suffix(".json").is_file()


@dataclass(frozen=True)
class UrduReading:
    """What the recogniser read on one line.

    Attributes
    ----------
    text
        The chosen reading, logical Unicode order (``raw``, ``lexicon``, or ``raw`` with
        words corrected towards a vocabulary).
    raw
        Greedy CTC reading.
    lexicon
        Best lexicon entry, or None (no lexicon given, or none reachable).
    used
        ``"raw"``, ``"lexicon"`` or ``"vocabulary"`` (some words of ``raw`` corrected):
        what ``text`` is.
    confidence
        0..1: mean of ``char_conf`` (0 for an empty reading).
    char_conf
        Per character of ``text``: the highest posterior of that character over the frames
        the best CTC alignment gives it.
    """

    text: str
    raw: str
    lexicon: str | None
    used: Literal["raw", "lexicon", "vocabulary"]
    confidence: float
    char_conf: tuple[float, ...]


EMPTY = UrduReading("", "", None, "raw", 0.0, ())

# --------------------------------------------------------------------------- visual order

_DIGIT_RUN = re.compile(r"[0-9۰-۹][0-9۰-۹.\-/:]*[0-9۰-۹]|[0-9۰-۹]")


def _flip_order(text: str) -> list[int]:
    """Positions of ``text`` in the other order (logical <-> visual) of an RTL line.

    The line is reversed, then each run of digits is reversed back; the mapping is its own
    inverse.
    """
    order = list(range(len(text) - 1, -1, -1))
    for m in _DIGIT_RUN.finditer(text[::-1]):
        order[m.start() : m.end()] = order[m.start() : m.end()][::-1]
    return order


def _flip(text: str) -> str:
    """Logical <-> visual order of an RTL line (see :func:`_flip_order`)."""
    return "".join(text[i] for i in _flip_order(text))


@lru_cache(maxsize=4)
def _index(charset: str) -> dict[str, int]:
    """Class index of each character of the model's charset (0 is the CTC blank)."""
    return {ch: i + 1 for i, ch in enumerate(charset)}


def _spelt(labels: Sequence[int], charset: str) -> str:
    """The text of class indices, in their (visual) order."""
    return "".join(charset[k - 1] for k in labels)


def _labels(text: str, charset: str) -> list[int]:
    """Class indices of a logical-order text, in visual order (every character in charset)."""
    index = _index(charset)
    return [index[ch] for ch in _flip(text)]


# --------------------------------------------------------------------------- CTC decoding


def greedy_decode(probs: np.ndarray, charset: str) -> tuple[list[int], list[float]]:
    """Best-path CTC decoding of one line.

    Parameters
    ----------
    probs
        ``(T, C)`` posteriors, class 0 the blank, class ``i + 1`` ``charset[i]``.
    charset
        The model's characters.

    Returns
    -------
    labels, conf
        Class indices of the emitted characters (visual order) and, for each, its highest
        posterior over the run of frames that emitted it.
    """
    best = probs.argmax(1)
    labels: list[int] = []
    conf: list[float] = []
    prev = 0
    for t, k in enumerate(best.tolist()):
        if k != 0 and k != prev:
            labels.append(k)
            conf.append(float(probs[t, k]))
        elif k != 0:
            conf[-1] = max(conf[-1], float(probs[t, k]))
        prev = k
    return labels, conf


def _extended(labels: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Blank-interleaved label sequence and where the skip transition is allowed."""
    ext = np.zeros(2 * len(labels) + 1, dtype=np.int64)
    ext[1::2] = labels
    skip = np.zeros(len(ext), dtype=bool)
    skip[3::2] = ext[3::2] != ext[1:-2:2]
    return ext, skip


def ctc_log_likelihood(log_probs: np.ndarray, labels: Sequence[int]) -> float:
    """``log P(labels | x)`` by the CTC forward algorithm.

    Parameters
    ----------
    log_probs
        ``(T, C)`` log-posteriors of one line.
    labels
        Class indices (no blanks), visual order.

    Returns
    -------
    float
        The log-likelihood (``-inf`` when the line is too short for the labels).
    """
    ext, skip = _extended(labels)
    alpha = np.full(len(ext), -np.inf)
    alpha[0] = log_probs[0, 0]
    if len(ext) > 1:
        alpha[1] = log_probs[0, ext[1]]
    for t in range(1, len(log_probs)):
        shifted1 = np.concatenate(([-np.inf], alpha[:-1]))
        shifted2 = np.where(skip, np.concatenate(([-np.inf, -np.inf], alpha[:-2])), -np.inf)
        alpha = np.logaddexp(np.logaddexp(alpha, shifted1), shifted2) + log_probs[t, ext]
    tail = alpha[-2:] if len(ext) > 1 else alpha[-1:]
    return float(np.logaddexp.reduce(tail))


def align_confidence(log_probs: np.ndarray, labels: Sequence[int]) -> list[float]:
    """Per-label confidence on the best (Viterbi) CTC alignment.

    Parameters
    ----------
    log_probs
        ``(T, C)`` log-posteriors of one line.
    labels
        Class indices (no blanks).

    Returns
    -------
    list of float
        For each label, its highest posterior over the frames aligned to it (0.0 for all
        when no alignment exists).
    """
    if not labels:
        return []
    ext, skip = _extended(labels)
    T, S = len(log_probs), len(ext)
    score = np.full(S, -np.inf)
    score[0], score[1] = log_probs[0, 0], log_probs[0, ext[1]]
    back = np.zeros((T, S), dtype=np.int8)  # 0 stay, 1 from s-1, 2 from s-2
    for t in range(1, T):
        cand = np.stack(
            [
                score,
                np.r_[-np.inf, score[:-1]],
                np.where(skip, np.r_[-np.inf, -np.inf, score[:-2]], -np.inf),
            ]
        )
        back[t] = cand.argmax(0)
        score = cand.max(0) + log_probs[t, ext]
    s = S - 1 if S == 1 or score[-1] >= score[-2] else S - 2
    if not np.isfinite(score[s]):
        return [0.0] * len(labels)
    conf = [0.0] * len(labels)
    for t in range(T - 1, -1, -1):
        if s % 2 == 1:
            conf[s // 2] = max(conf[s // 2], float(np.exp(log_probs[t, ext[s]])))
        s -= int(back[t, s])
    return conf


# --------------------------------------------------------------------------- lexicon


class _Node:
    """A trie node over class indices (visual order); ``entry`` set where a word ends."""

    __slots__ = ("children", "entry")

    def __init__(self) -> None:
        self.children: dict[int, _Node] = {}
        self.entry: str | None = None


@lru_cache(maxsize=8)
def _trie(entries: tuple[str, ...], charset: str) -> _Node:
    """Trie of the normalised ``entries`` that the charset can spell (others are skipped)."""
    index = _index(charset)
    root = _Node()
    for entry in entries:
        text = normalize(entry)
        if not text or any(ch not in index for ch in text):
            continue
        node = root
        for k in _labels(text, charset):
            node = node.children.setdefault(k, _Node())
        node.entry = node.entry or text
    return root


def _add(
    beams: dict[tuple[int, ...], list[Any]],
    prefix: tuple[int, ...],
    node: _Node,
    pb: float,
    pnb: float,
) -> None:
    """Add blank-ending and non-blank-ending log-probabilities to a prefix of the next frame."""
    cur = beams.setdefault(prefix, [_NEG, _NEG, node])
    cur[0], cur[1] = np.logaddexp(cur[0], pb), np.logaddexp(cur[1], pnb)


def lexicon_beam_search(
    log_probs: np.ndarray, root: _Node, beam: int = BEAM_WIDTH, prune: float = -9.0
) -> list[str]:
    """CTC prefix beam search whose prefixes must stay inside a lexicon trie.

    Parameters
    ----------
    log_probs
        ``(T, C)`` log-posteriors of one line.
    root
        Trie of the lexicon (see ``_trie``).
    beam
        Prefixes kept per frame.
    prune
        Extensions by a character whose log-posterior at the frame is below this are skipped.

    Returns
    -------
    list of str
        Complete lexicon entries reached, best first (approximate beam scores).
    """
    beams: dict[tuple[int, ...], tuple[float, float, _Node]] = {(): (0.0, _NEG, root)}
    for lp in log_probs:
        new: dict[tuple[int, ...], list[Any]] = {}
        for prefix, (pb, pnb, node) in beams.items():
            total = np.logaddexp(pb, pnb)
            _add(new, prefix, node, total + lp[0], pnb + lp[prefix[-1]] if prefix else _NEG)
            for c, child in node.children.items():
                if lp[c] < prune:
                    continue
                from_ = pb if prefix and prefix[-1] == c else total
                _add(new, (*prefix, c), child, _NEG, from_ + lp[c])
        ranked = sorted(new.items(), key=lambda kv: -np.logaddexp(kv[1][0], kv[1][1]))[:beam]
        beams = {p: (float(v[0]), float(v[1]), v[2]) for p, v in ranked}
    done = [(np.logaddexp(pb, pnb), node.entry) for pb, pnb, node in beams.values() if node.entry]
    return [entry for _, entry in sorted(done, key=lambda se: -se[0]) if entry is not None]


# --------------------------------------------------------------------------- input


def _as_gray(line: object, i: int) -> np.ndarray:
    """Validate one line crop and return it as a 2-D uint8 array."""
    if not isinstance(line, np.ndarray):
        raise InputError(f"line {i}: expected a numpy image array, got {type(line).__name__}")
    if line.dtype != np.uint8:
        raise InputError(f"line {i}: expected dtype uint8, got {line.dtype}")
    if line.ndim == 3 and line.shape[2] in (1, 3, 4):
        if line.shape[2] == 1 or 0 in line.shape:
            return line[:, :, 0]
        return cv2.cvtColor(np.ascontiguousarray(line[:, :, :3]), cv2.COLOR_RGB2GRAY)
    if line.ndim != 2:
        raise InputError(f"line {i}: expected shape (H, W) or (H, W, 1|3|4), got {line.shape}")
    return line


def prepare(gray: np.ndarray, height: int, stretch: float = 1.0) -> np.ndarray | None:
    """Scale a grayscale line to the model's height (None if it is too small to read).

    Parameters
    ----------
    gray
        2-D uint8 image of one line.
    height
        The model's input height.
    stretch
        Extra horizontal scale (1: the aspect ratio kept; see :func:`density_stretch`).

    Returns
    -------
    numpy.ndarray or None
        ``(height, W)`` uint8 with ``8 <= W <= MAX_INPUT_WIDTH``.
    """
    h, w = gray.shape
    if h < MIN_LINE_HEIGHT or w < 2:
        return None
    fh, fw = _fitted(h, w, height)
    if (fh, fw) != (h, w):  # enormous crop: shrink first, cheaply
        gray = cv2.resize(gray, (fw, fh), interpolation=cv2.INTER_AREA)
    new_w = _input_width(fh, fw, height, stretch)
    return cv2.resize(np.ascontiguousarray(gray), (new_w, height), interpolation=cv2.INTER_AREA)


def _fitted(h: int, w: int, height: int) -> tuple[int, int]:
    """A line's size after :func:`prepare` shrinks an enormous crop (else its own)."""
    if h * w <= MAX_LINE_PIXELS:
        return h, w
    f = (MAX_LINE_PIXELS / (h * w)) ** 0.5
    return max(height, int(h * f)), max(2, int(w * f))


def _input_width(h: int, w: int, height: int, stretch: float = 1.0) -> int:
    """The width :func:`prepare` scales an ``h`` x ``w`` line (after :func:`_fitted`) to."""
    return int(min(MAX_INPUT_WIDTH, max(8, round(w * height / h * stretch))))


def _batches(widths: Sequence[int]) -> list[list[int]]:
    """Indices grouped by similar width (at most ``_BATCH`` per group), to limit padding."""
    order = sorted(range(len(widths)), key=lambda i: widths[i])
    groups: list[list[int]] = []
    for i in order:
        g = groups[-1] if groups else None
        if g and len(g) < _BATCH and widths[i] <= 1.3 * widths[g[0]] + 16:
            g.append(i)
        else:
            groups.append([i])
    return groups


# --------------------------------------------------------------------------- recogniser


class UrduRecognizer:
    """Read single lines of Urdu text with the packaged CTC CRNN (onnxruntime, CPU).

    Parameters
    ----------
    model
        Path of an ONNX model with its ``.json`` metadata beside it; default
        :func:`model_path`.
    threads
        onnxruntime intra-op threads (default: onnxruntime's choice).

    Raises
    ------
    EngineUnavailableError
        If onnxruntime or the model file is missing.
    """

    def __init__(self, model: str | Path | None = None, *, threads: int | None = None) -> None:
        from ._onnx import cpu_session, load_meta

        self.path = Path(model) if model is not None else model_path()
        self.meta = load_meta(
            self.path,
            "Urdu recogniser",
            "python -m training.train, then python -m training.export",
        )
        self.charset: str = self.meta["charset"]
        self.height: int = int(self.meta["input"]["height"])
        self._session = cpu_session(self.path, threads)

    def log_probs(
        self, lines: Sequence[np.ndarray], stretch: Sequence[float] | None = None
    ) -> list[np.ndarray | None]:
        """Per-line ``(T, C)`` log-posteriors (None for lines too small to read).

        Parameters
        ----------
        lines
            uint8 crops of one line each, grayscale ``(H, W)`` or RGB(A) ``(H, W, 3|4)``.
        stretch
            Per line, an extra horizontal scale (:func:`prepare`); default 1 for all.

        Returns
        -------
        list
            One array (or None) per line.

        Raises
        ------
        InputError
            If a line is not a uint8 image array, or ``stretch`` does not hold one finite,
            positive factor per line.
        """
        grays = [_as_gray(line, i) for i, line in enumerate(lines)]
        factors = [1.0] * len(grays) if stretch is None else [float(f) for f in stretch]
        if len(factors) != len(grays) or not all(0 < f < float("inf") for f in factors):
            raise InputError("stretch must hold one finite, positive factor per line")
        inputs = [prepare(g, self.height, f) for g, f in zip(grays, factors)]
        out: list[np.ndarray | None] = [None] * len(inputs)
        todo = [i for i, x in enumerate(inputs) if x is not None]
        widths = [inputs[i].shape[1] for i in todo]  # type: ignore[union-attr]
        for group in _batches(widths):
            idx = [todo[g] for g in group]
            ims = [inputs[i] for i in idx]
            width = max(im.shape[1] for im in ims if im is not None)
            width += (-width) % 4
            batch = np.stack(
                [
                    np.pad(im, ((0, 0), (0, width - im.shape[1])), mode="edge")
                    for im in ims
                    if im is not None
                ]
            )
            lp = self._session.run(None, {"image": batch[:, None].astype(np.float32)})[0]
            for j, i in enumerate(idx):
                frames = max(1, inputs[i].shape[1] // 4)  # type: ignore[union-attr]
                out[i] = np.ascontiguousarray(lp[:frames, j, :], dtype=np.float64)
        return out

    def recognize(
        self,
        lines: Sequence[np.ndarray],
        lexicon: Sequence[str] | None = None,
        *,
        vocabulary: Sequence[str] | None = None,
        restretch: bool = True,
    ) -> list[UrduReading]:
        """Read each line crop; optionally prefer a close lexicon entry, or close words.

        Parameters
        ----------
        lines
            uint8 crops of ONE text line each, grayscale ``(H, W)`` or RGB(A)
            ``(H, W, 3|4)``, any size (lines under :data:`MIN_LINE_HEIGHT` pixels give an
            empty reading with confidence 0; very large ones are downscaled).
        lexicon
            Candidate readings of a whole line in Arabic script, e.g. gazetteer names
            (normalised with :func:`geoverify.text.normalize`; entries with characters the
            model cannot write are ignored).
        vocabulary
            Single words (e.g. :func:`bundled_vocabulary`) that each word of a line's
            reading is corrected towards where it is close (:func:`vocabulary_reading`);
            used on the lines no lexicon entry replaces.
        restretch
            Read again, stretched, the lines the first reading finds too dense
            (:func:`density_stretch`); the second reading is kept where its greedy reading is
            at least as confident as the first's (before any lexicon).

        Returns
        -------
        list of UrduReading
            One per line, in order.

        Raises
        ------
        InputError
            If ``lines`` is not a sequence of uint8 image arrays, or ``vocabulary`` is one
            string rather than a list of words.
        """
        root = _trie(tuple(lexicon), self.charset) if lexicon else None
        words = _trie(_words(vocabulary), self.charset) if vocabulary else None
        found = self.read_log_probs(lines, restretch=restretch)
        return [self._read(lp, root, words) if lp is not None else EMPTY for lp in found]

    def read_log_probs(
        self, lines: Sequence[np.ndarray], *, restretch: bool = True
    ) -> list[np.ndarray | None]:
        """The log-posteriors :meth:`recognize` decodes: each line's first reading, or its
        stretched second one where that is kept (``restretch``, see :meth:`recognize`).

        Parameters
        ----------
        lines
            uint8 crops of one line each, as for :meth:`recognize`.
        restretch
            Read the dense lines again, stretched.

        Returns
        -------
        list
            One ``(T, C)`` array per line, None for lines too small to read.

        Raises
        ------
        InputError
            If ``lines`` is not a sequence of uint8 image arrays.
        """
        if isinstance(lines, np.ndarray) or not isinstance(lines, Sequence):
            raise InputError("lines must be a list of line images (numpy uint8 arrays)")
        found = self.log_probs(lines)
        if restretch:
            self._restretch(lines, found)
        return found

    def _restretch(self, lines: Sequence[np.ndarray], found: list[np.ndarray | None]) -> None:
        """Read the dense lines again, stretched; keep the surer greedy reading in ``found``.

        With ft1, keeping every second reading raised the CER of rendered place names in the
        held-out Nastaliq font (``training.evaluate``'s set) from 0.234 to 0.246; this rule:
        0.229.
        """
        first = [None if lp is None else self._read(lp, None) for lp in found]
        stretch = [self._stretch(r, line) for r, line in zip(first, lines)]
        again = [i for i, f in enumerate(stretch) if f > 1.0]
        second = self.log_probs([lines[i] for i in again], [stretch[i] for i in again])
        for i, lp in zip(again, second):
            before = first[i]
            if lp is None or before is None:
                continue
            if self._read(lp, None).confidence >= before.confidence:
                found[i] = lp

    def _stretch(self, first: UrduReading | None, line: np.ndarray) -> float:
        """How much to stretch ``line`` for a second reading, from its greedy ``first`` one."""
        if first is None:
            return 1.0
        h, w = line.shape[:2]
        width = _input_width(*_fitted(h, w, self.height), self.height)
        return density_stretch(width, len(first.raw.replace(" ", "")))

    def _read(
        self, log_probs: np.ndarray, root: _Node | None, words: _Node | None = None
    ) -> UrduReading:
        """Decode one line's log-posteriors: greedy, then towards the lexicon (``root``) if
        one is given, else word by word towards the vocabulary (``words``) if one is given."""
        labels, conf = greedy_decode(np.exp(log_probs), self.charset)
        visual = _spelt(labels, self.charset)
        raw, raw_conf = _flip(visual), tuple(conf[i] for i in _flip_order(visual))
        choice = lexicon_choice(log_probs, labels, root, self.charset) if root else None
        best = choice[0] if choice else None
        if choice is not None and _chosen(choice[1], choice[2], choice[0]):
            return self._aligned(log_probs, _labels(choice[0], self.charset), raw, best, "lexicon")
        corrected = _word_by_word(log_probs, words, self.charset) if words else None
        if corrected is not None:
            return self._aligned(log_probs, corrected, raw, best, "vocabulary")
        return UrduReading(raw, raw, best, "raw", _mean(raw_conf), raw_conf)

    def _aligned(
        self,
        log_probs: np.ndarray,
        labels: list[int],
        raw: str,
        lexicon: str | None,
        used: Literal["lexicon", "vocabulary"],
    ) -> UrduReading:
        """A reading other than the greedy one, its confidence from its own best alignment."""
        visual = _spelt(labels, self.charset)
        conf = align_confidence(log_probs, labels)
        conf_logical = tuple(conf[i] for i in _flip_order(visual))
        return UrduReading(_flip(visual), raw, lexicon, used, _mean(conf_logical), conf_logical)


def lexicon_choice(
    log_probs: np.ndarray, labels: Sequence[int], root: _Node, charset: str
) -> tuple[str, float, int] | None:
    """The best lexicon entry for a line and how far it is from the raw reading.

    Parameters
    ----------
    log_probs
        ``(T, C)`` log-posteriors of one line.
    labels
        The raw (greedy) reading as class indices, visual order.
    root
        Trie of the lexicon.
    charset
        The model's characters.

    Returns
    -------
    tuple or None
        ``(entry, gap, edits)``: the entry (logical order) with the highest CTC
        log-likelihood among the beam search's top 3, ``gap`` = (log-likelihood of the raw
        reading - that of the entry) / entry length in nats per character, ``edits`` the
        Levenshtein distance between the raw reading and the entry; None if no entry is
        reachable.
    """
    candidates = lexicon_beam_search(log_probs, root)[:3]
    if not candidates:
        return None
    scored = [(ctc_log_likelihood(log_probs, _labels(e, charset)), e) for e in candidates]
    best_lp, best = max(scored)
    gap = (ctc_log_likelihood(log_probs, labels) - best_lp) / max(1, len(best))
    raw = _flip(_spelt(labels, charset))
    return best, float(gap), Levenshtein.distance(raw, best)


def _chosen(
    gap: float,
    edits: int,
    entry: str,
    max_gap: float = LEXICON_MAX_GAP,
    max_edits: float = LEXICON_MAX_EDITS,
) -> bool:
    """Whether an entry this close to the raw reading replaces it (both thresholds)."""
    return gap <= max_gap and edits <= max_edits * len(entry)


def word_segments(log_probs: np.ndarray, space: int) -> list[tuple[int, int]]:
    """Frame ranges of the words of a line's greedy path: it is split at its runs of spaces.

    Parameters
    ----------
    log_probs
        ``(T, C)`` log-posteriors of one line.
    space
        Class index of the space.

    Returns
    -------
    list of (start, end)
        Half-open frame ranges, left to right, none empty.
    """
    is_space = (log_probs.argmax(1) == space).astype(np.int8)
    edges = np.flatnonzero(np.diff(np.r_[0, is_space, 0]))  # starts and ends of space runs
    starts = np.r_[0, edges[1::2]]
    ends = np.r_[edges[0::2], len(is_space)]
    return [(int(a), int(b)) for a, b in zip(starts, ends) if b > a]


def vocabulary_reading(
    log_probs: np.ndarray,
    vocabulary: Sequence[str],
    charset: str,
    *,
    max_gap: float = LEXICON_MAX_GAP,
    max_edits: float = LEXICON_MAX_EDITS,
) -> str | None:
    """A line's greedy reading with each word decoded towards a vocabulary where it is close.

    Each word's frames (:func:`word_segments`) are searched against a trie of the vocabulary
    (:func:`lexicon_choice`); the best entry replaces the word's greedy reading under the
    thresholds a lexicon entry must meet (:data:`LEXICON_MAX_GAP`,
    :data:`LEXICON_MAX_EDITS`; so an entry of two letters never replaces a word). Words of
    one letter and words with digits stay as read. :meth:`UrduRecognizer.recognize` does this
    with its ``vocabulary``.

    Parameters
    ----------
    log_probs
        ``(T, C)`` log-posteriors of one line (:meth:`UrduRecognizer.read_log_probs`).
    vocabulary
        Single words (e.g. :func:`bundled_vocabulary`); entries the charset cannot spell are
        ignored.
    charset
        The model's characters (``UrduRecognizer.charset``).
    max_gap, max_edits
        The thresholds (``training.calibrate_vocabulary`` varies them).

    Returns
    -------
    str or None
        The corrected reading (logical order), or None where no word changed.

    Raises
    ------
    InputError
        If ``vocabulary`` is a single string rather than a list of words.
    """
    root = _trie(_words(vocabulary), charset)
    labels = _word_by_word(log_probs, root, charset, max_gap, max_edits)
    return None if labels is None else _flip(_spelt(labels, charset))


def _words(vocabulary: Sequence[str]) -> tuple[str, ...]:
    """A vocabulary as a tuple (the trie's cache key); a bare string is refused."""
    if isinstance(vocabulary, (str, bytes)):
        raise InputError("vocabulary must be a list of words, not one string")
    return tuple(str(w) for w in vocabulary)


def _word_by_word(
    log_probs: np.ndarray,
    root: _Node,
    charset: str,
    max_gap: float = LEXICON_MAX_GAP,
    max_edits: float = LEXICON_MAX_EDITS,
) -> list[int] | None:
    """:func:`vocabulary_reading` on a built trie: class indices (visual order), or None."""
    index = _index(charset)
    space = index.get(" ")
    digits = {index[ch] for ch in charset if ch.isdigit()}
    spans = word_segments(log_probs, space) if space else [(0, len(log_probs))]
    out: list[int] = []
    changed = False
    for a, b in spans:
        word, _ = greedy_decode(np.exp(log_probs[a:b]), charset)
        choice = None
        if len(word) >= 2 and not digits.intersection(word):
            choice = lexicon_choice(log_probs[a:b], word, root, charset)
        if choice is not None:
            entry, gap, edits = choice
            if edits > 0 and _chosen(gap, edits, entry, max_gap, max_edits):
                word, changed = _labels(entry, charset), True
        if word:
            out.extend([space, *word] if out and space else word)
    return out if changed else None


def density_stretch(width: int, chars: int, max_width: int = MAX_INPUT_WIDTH) -> float:
    """The horizontal stretch that brings a line to :data:`MIN_PX_PER_CHAR`.

    Parameters
    ----------
    width
        The line's width in pixels at the model's height.
    chars
        Characters (spaces left out) its first reading found.
    max_width
        Widest input the stretched line may become (:data:`MAX_INPUT_WIDTH`).

    Returns
    -------
    float
        The factor, at most :data:`MAX_STRETCH` and at most ``max_width / width``; 1.0 where
        that is under :data:`MIN_STRETCH` (a line of at least ``MIN_PX_PER_CHAR /
        MIN_STRETCH``, about 7.8 px per character, is read once) or nothing was read.
    """
    if chars <= 0 or width <= 0:
        return 1.0
    f = min(MAX_STRETCH, MIN_PX_PER_CHAR * chars / width, max_width / width)
    return f if f >= MIN_STRETCH else 1.0


def _mean(values: Sequence[float]) -> float:
    """Mean of ``values``, 0.0 when empty."""
    return float(np.mean(values)) if len(values) else 0.0
