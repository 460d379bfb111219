"""Lines that hold both scripts are cut into runs of one script, each read by its recogniser.

Real engines: CRAFT, the script classifier, EasyOCR's English recogniser and geoverify's Urdu
model, on signs rendered here (Noto Naskh Arabic and Noto Sans, on one baseline) and on the
real photos of ../shared/data/images/urdu-signs, where no line holds both scripts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from rapidfuzz import fuzz

from geoverify.ocr import detect
from geoverify.ocr._scriptruns import script_runs, word_spans
from geoverify.text import normalize

pytest.importorskip("easyocr", reason="the scene-text pipeline needs the easyocr extra")

FONTS = Path("/usr/share/fonts/truetype/noto")
NASKH = FONTS / "NotoNaskhArabic-Regular.ttf"
SANS = FONTS / "NotoSans-Regular.ttf"
needs_fonts = pytest.mark.skipif(
    not (NASKH.is_file() and SANS.is_file()), reason="Noto fonts missing (fonts-noto-core)"
)


def sign(parts: list[tuple[str, bool]], size: int = 56) -> np.ndarray:
    """A 1280 x 720 frame with one light board holding ``parts`` (text, right to left?) on one
    baseline, laid out right to left as an Urdu line is."""
    frame = Image.new("RGB", (1280, 720), (70, 90, 80))
    fonts = [
        ImageFont.truetype(str(NASKH if rtl else SANS), size, layout_engine=ImageFont.Layout.RAQM)
        for _, rtl in parts
    ]
    boxes = [f.getbbox(t, direction="rtl" if rtl else None) for (t, rtl), f in zip(parts, fonts)]
    gap, pad = size // 2, size // 3
    width = sum(b[2] - b[0] for b in boxes) + gap * (len(parts) - 1) + 2 * pad
    top = min(b[1] for b in boxes)
    height = max(b[3] for b in boxes) - top + 2 * pad
    board = Image.new("RGB", (width, height), (235, 235, 225))
    draw = ImageDraw.Draw(board)
    x = width - pad
    for (text, rtl), font, box in zip(parts, fonts, boxes):
        x -= box[2] - box[0]
        kwargs = {"direction": "rtl", "language": "ur"} if rtl else {}
        draw.text((x - box[0], pad - top), text, font=font, fill=(20, 20, 25), **kwargs)
        x -= gap
    frame.paste(board, (200, 300))
    return np.asarray(frame)


def _read(image: np.ndarray):
    from geoverify.ocr.scene import SceneTextEngine

    return SceneTextEngine(lexicon=None).read(image)


@needs_fonts
@pytest.mark.parametrize(
    ("urdu", "english"), [("راولپنڈی", "Peshawar Road"), ("حیدرآباد", "Gilgit")]
)
def test_a_mixed_line_is_read_by_both_recognisers(urdu: str, english: str) -> None:
    lines = _read(sign([(urdu, True), (english, False)]))
    by_script = {ln.extra["script"]: ln for ln in lines}
    assert set(by_script) == {"Arab", "Latn"}, [(ln.text, ln.extra["script"]) for ln in lines]
    assert fuzz.ratio(normalize(by_script["Arab"].text), normalize(urdu)) >= 75
    assert fuzz.ratio(by_script["Latn"].text.casefold(), english.casefold()) >= 80
    assert by_script["Arab"].lang == "ur" and by_script["Latn"].lang == "en"
    # both runs name the line they were cut from; the Latin run lies left of the Urdu one
    assert by_script["Arab"].extra["line_box"] == by_script["Latn"].extra["line_box"]
    assert by_script["Latn"].box[2] <= by_script["Arab"].box[0] + 4


@needs_fonts
@pytest.mark.parametrize(
    "parts",
    [
        [("Chakwal 63 km", False)],  # a Latin line with figures
        [("خطرناک موڑ ہیں", True)],  # an Urdu line of three words
        [("LAL CHOWK", False)],
    ],
)
def test_a_line_in_one_script_stays_whole(parts: list[tuple[str, bool]]) -> None:
    lines = _read(sign(parts))
    assert lines and all("line_box" not in ln.extra for ln in lines)


def test_real_sign_photos_hold_no_mixed_line(shared: Path) -> None:
    from geoverify._photos import load_image
    from geoverify.ocr.preprocess import to_gray
    from geoverify.ocr.scene import split_mixed_lines

    for name in ("IMG_4237.jpg", "IMG_5523.jpg", "IMG_3393.jpg"):
        image = load_image(shared / "images" / "urdu-signs" / name).image
        boxes, quads = detect.detect_lines(image, max_side=960)
        assert split_mixed_lines(to_gray(image), [*boxes, *quads]) == [None] * (
            len(boxes) + len(quads)
        ), name


def test_a_cut_the_recognisers_do_not_confirm_is_undone(shared: Path) -> None:
    from geoverify._photos import load_image
    from geoverify.ocr.preprocess import to_gray
    from geoverify.ocr.scene import SceneTextEngine, split_mixed_lines

    # "Mairie du 1er" beside a pedestrian pictogram: with CRAFT at 640 px the classifier takes
    # "du 1er" and the pictogram for Arabic script (0.72); the Urdu reading of that run is
    # not kept, so the line stays whole
    image = load_image(shared / "images" / "signs" / "french.jpg").image
    engine = SceneTextEngine(detect_side=640, lexicon=None)
    boxes, quads = detect.detect_lines(image, max_side=640)
    runs = split_mixed_lines(to_gray(image), [*boxes, *quads])
    assert any(runs), "the classifier no longer proposes the cut: find another case"
    lines = engine.read(image)
    assert all("line_box" not in ln.extra for ln in lines)
    assert any(ln.text.startswith("Mairie du") for ln in lines), [ln.text for ln in lines]


def test_word_spans_find_the_gaps() -> None:
    crop = np.full((40, 300), 230, np.uint8)
    for x0, x1 in ((20, 90), (96, 140), (180, 280)):  # a 6 px gap joins, a 40 px gap parts
        crop[10:30, x0:x1] = 20
        crop[12:28, x0 + 2 : x1 - 2] = 230  # strokes, not solid blocks (ink is the minority)
    crop[:, 150:152] = 20  # a rule 2 px wide: a mark, not a word
    assert word_spans(crop) == [(20, 140), (180, 280)]
    assert word_spans(np.full((40, 300), 128, np.uint8)) == []
    assert word_spans(np.zeros((0, 10), np.uint8)) == []
    # light text on a dark board reads the same
    assert word_spans(255 - crop) == [(20, 140), (180, 280)]


def test_short_pieces_go_with_the_nearer_decided_run() -> None:
    crop = np.full((40, 420), 230, np.uint8)
    for x0, x1 in ((10, 110), (130, 150), (220, 320), (340, 370)):  # wide, short, wide, short
        crop[10:30, x0:x1] = 20
    # the classifier sees the wide pieces only: Latin letters, then Arabic script
    assert script_runs(crop, lambda crops: [0.05, 0.95][: len(crops)]) == [
        ((0, 185), "Latn"),
        ((185, 420), "Arab"),
    ]
    # one script decided, or none: the line stays whole
    assert script_runs(crop, lambda crops: [0.05] * len(crops)) is None
    assert script_runs(crop, lambda crops: [0.35] * len(crops)) is None
    assert script_runs(crop[:, :200], lambda crops: [0.05, 0.95][: len(crops)]) is None


def test_span_quad_maps_crop_columns_back_to_the_frame() -> None:
    quad = np.array([[100, 50], [400, 50], [400, 90], [100, 90]], np.float32)
    gray = np.zeros((200, 600), np.uint8)
    margin = 0.1
    width = detect.rectify(gray, quad, margin).shape[1]
    np.testing.assert_allclose(detect.span_quad(quad, margin, width, 0, width), quad, atol=0.5)
    end = 1.5 * margin * 40
    half = detect.span_quad(quad, margin, width, end, end + 150)
    assert detect.quad_box(half) == (100, 50, 250, 90)
