"""Text detection (CRAFT and edge proposals), line geometry, and reading order of mixed lines."""

import cv2
import numpy as np
import pytest
from rapidfuzz.distance import Levenshtein

import geoverify as gv
from geoverify.ocr import _lines, get_engine
from geoverify.ocr import detect as det
from geoverify.ocr.preprocess import binarize, deskew
from geoverify.text import normalize

NOTO = "/usr/share/fonts/truetype/noto/"

needs_craft = pytest.mark.skipif(
    not det.craft_available(),
    reason="CRAFT needs EasyOCR and craft_mlt_25k.pth (pip install 'geoverify[easyocr]')",
)


def _word_quad(cx, cy, w, h, angle):
    """A w x h rectangle centred on (cx, cy), its baseline turned by ``angle`` degrees."""
    th = np.radians(angle)
    u = np.array([np.cos(th), np.sin(th)]) * w / 2
    n = np.array([-np.sin(th), np.cos(th)]) * h / 2
    c = np.array([cx, cy])
    return np.array([c - u - n, c + u - n, c + u + n, c - u + n], dtype=np.float32)


def test_group_lines_joins_the_words_of_a_tilted_line():
    th = np.radians(14)
    step = np.array([np.cos(th), np.sin(th)]) * 70  # word 60 px long, 10 px gaps
    words = [
        _word_quad(*(np.array([100, 100]) + k * step), 60, 24, 14 + (-3, 2, 4)[k]) for k in range(3)
    ]
    other = _word_quad(150, 300, 80, 24, 0)  # another line, well below
    lines = det.group_lines([words[2], other, words[0], words[1]])
    assert len(lines) == 2
    tilted = max(lines, key=lambda q: det.quad_size(q)[0])
    length, height = det.quad_size(tilted)
    assert 190 <= length <= 215 and 22 <= height <= 32
    v = tilted[1] - tilted[0]
    assert 12 <= np.degrees(np.arctan2(v[1], v[0])) <= 16


def _render_sign(
    text, *, size=56, angle=0.0, light_on_dark=False, canvas=(1280, 720), seed=3, clutter=True
):
    """A sign on a noisy, cluttered wall, turned by ``angle`` degrees."""
    from PIL import Image, ImageDraw, ImageFont

    try:
        font = ImageFont.truetype(
            NOTO + "NotoNaskhArabic-Regular.ttf", size, layout_engine=ImageFont.Layout.RAQM
        )
    except OSError:
        pytest.skip("Noto Naskh Arabic is not installed")
    rng = np.random.default_rng(seed)
    wall = np.full((canvas[1], canvas[0], 3), (170, 150, 140), np.float32)
    wall += rng.normal(0, 6, wall.shape)
    for _ in range(6 if clutter else 0):  # clutter: flat coloured panels with no text
        x, y = rng.integers(0, canvas[0] - 200), rng.integers(0, canvas[1] - 150)
        wall[y : y + rng.integers(40, 150), x : x + rng.integers(60, 200)] = rng.integers(
            40, 220, 3
        )
    bbox = ImageDraw.Draw(Image.new("RGB", (1, 1))).textbbox(
        (0, 0), text, font=font, direction="rtl", language="ur"
    )
    tw, th = bbox[2] - bbox[0], bbox[3] - bbox[1]
    bg, fg = ((30, 50, 40), (245, 245, 235)) if light_on_dark else ((245, 245, 235), (20, 20, 20))
    sign = Image.new("RGB", (tw + size, th + size), bg)
    ImageDraw.Draw(sign).text(
        (size // 2 - bbox[0], size // 2 - bbox[1]),
        text,
        font=font,
        fill=fg,
        direction="rtl",
        language="ur",
    )
    sign_rgba = sign.convert("RGBA").rotate(angle, expand=True, resample=Image.BICUBIC)
    img = Image.fromarray(np.clip(wall, 0, 255).astype(np.uint8))
    img.paste(sign_rgba, (canvas[0] // 2 - sign_rgba.width // 2, canvas[1] // 3), sign_rgba)
    return np.asarray(img)


def test_rectify_turns_a_tilted_line_upright():
    img = _render_sign("خمینی چوک لال چوک", angle=12, clutter=False)
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    # the line's quad: find the sign's dark letters and their rotated rectangle
    ink = (gray < 80).astype(np.uint8)
    ys, xs = np.nonzero(ink)
    rect = cv2.minAreaRect(np.column_stack([xs, ys]).astype(np.float32))
    box = cv2.boxPoints(rect)
    # order the corners along the baseline (top-left, top-right, bottom-right, bottom-left)
    box = box[np.argsort(box[:, 0])]
    left, right = box[:2][np.argsort(box[:2, 1])], box[2:][np.argsort(box[2:, 1])]
    quad = np.array([left[0], right[0], right[1], left[1]], dtype=np.float32)
    upright = det.rectify(gray, quad)
    assert upright.shape[1] > 3 * upright.shape[0]  # a long, low strip
    assert abs(deskew(upright)[1]) < 2.0  # already level
    # and the letters are whole: dark ink inside, none cut by the strip's edges
    ink_rows = np.nonzero((upright < 80).any(axis=1))[0]
    assert ink_rows.min() > 2 and ink_rows.max() < upright.shape[0] - 3


@needs_craft
@pytest.mark.parametrize("light_on_dark", [False, True])
def test_craft_lines_read_a_tilted_sign(light_on_dark):
    ref = normalize("سکردو روڈ")
    img = _render_sign(ref, angle=14, light_on_dark=light_on_dark)
    quads = det.group_lines(det.detect_craft(img))
    assert quads, "CRAFT found no text"
    craft = get_engine("tesseract", ("ur", "en"), detector="craft")
    got = normalize(" ".join(ln.text for ln in craft.read(img)))
    assert Levenshtein.distance(got, ref) / len(ref) <= 0.2, got
    assert craft.params()["detector"] == "craft"


@needs_craft
def test_craft_keeps_texture_from_being_read_as_text():
    # the cluttered noisy wall without a sign: whatever Tesseract's whole-frame pass makes of
    # it, nothing comes back once CRAFT says there is no text there
    rng = np.random.default_rng(11)
    wall = np.full((720, 1280, 3), 160, np.float32) + rng.normal(0, 18, (720, 1280, 3))
    img = np.clip(wall, 0, 255).astype(np.uint8)
    assert det.group_lines(det.detect_craft(img)) == []
    assert get_engine("tesseract", detector="craft").read(img) == []


def test_detector_choice_and_errors(monkeypatch):
    eng = get_engine("tesseract", detector="edges")
    assert eng.params()["detector"] == "edges"
    assert get_engine("tesseract", preprocess="none").params()["detector"] is None
    with pytest.raises(ValueError, match="detector"):
        get_engine("tesseract", detector="east")
    with pytest.raises(TypeError, match="ensemble"):
        get_engine("tesseract", lexicon=["Kargil"])
    monkeypatch.setattr(det, "craft_folder", lambda: None)
    with pytest.raises(gv.EngineUnavailableError, match="easyocr"):
        get_engine("tesseract", detector="craft")
    assert get_engine("tesseract").params()["detector"] == "edges"  # auto falls back


def test_edge_proposals_find_a_light_on_dark_line():
    img = _render_sign("لال چوک", angle=0, light_on_dark=True)
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    quads = det.detect_edges(gray)
    assert quads and all(q.shape == (4, 2) for q in quads)
    got = normalize(" ".join(ln.text for ln in get_engine("tesseract", detector="edges").read(img)))
    assert "لال چوک" in got, got


def test_binarize_polarity():
    gray = np.full((40, 120), 30, np.uint8)
    gray[15:25, 20:100] = 230  # a light stroke on a dark panel
    assert binarize(gray, text="light")[20, 50] == 0  # the stroke becomes dark ink
    assert binarize(gray, text="dark")[20, 50] == 255
    assert binarize(gray)[20, 50] == 0  # auto: the minority side is the text
    with pytest.raises(ValueError):
        binarize(gray, text="both")


def _word(text, x, w=60):
    return (text, x, 10, w, 20, 90.0)


def test_mixed_lines_keep_each_runs_direction():
    # words given in visual order, left to right on the image
    english_line = [_word("Hazara", 10), _word("Town", 80), _word("چوک", 200), _word("لال", 270)]
    text, box, conf = _lines.join_words(english_line)
    assert text == "Hazara Town لال چوک"  # an Urdu name inside an English line reads RTL
    urdu_line = [_word("KARGIL", 10), _word("روڈ", 100), _word("علمدار", 170), _word("خمینی", 240)]
    assert _lines.join_words(urdu_line)[0] == "خمینی علمدار روڈ KARGIL"
    numbers = [_word("45", 10), _word("km", 50), _word("کوئٹہ", 150)]
    assert _lines.join_words(numbers)[0] == "کوئٹہ 45 km"
    assert box == (10, 10, 330, 30) and conf == pytest.approx(0.9)


@needs_craft
def test_craft_on_onnxruntime_finds_the_boxes_pytorch_finds(shared, monkeypatch):
    """The ONNX export of CRAFT gives EasyOCR the same lines as the PyTorch network, on real
    sign photos (the export is cached under the weights' hash and reused)."""
    from geoverify.ocr import _craft_onnx

    photos = gv.load_images(sorted((shared / "images" / "urdu-signs").glob("*.jpg"))[:2])
    found = {}
    for flag in (False, True):
        monkeypatch.setattr(gv.settings, "craft_onnx", flag)
        reader = det._craft_reader.__wrapped__(str(det.craft_folder()), False)
        assert isinstance(reader.detector, _craft_onnx.OnnxCraft) is flag
        monkeypatch.setattr(det, "english_reader", lambda gpu=None, r=reader: r)
        found[flag] = [det.detect_lines(p.image, max_side=960) for p in photos]
    for (boxes, quads), (boxes_pt, quads_pt) in zip(found[True], found[False]):
        assert boxes and boxes == boxes_pt
        assert len(quads) == len(quads_pt)
        assert all(np.allclose(q, r, atol=1.0) for q, r in zip(quads, quads_pt))
    cached = _craft_onnx.onnx_path(det.craft_folder() / det.CRAFT_WEIGHTS)
    assert cached.is_file() and cached.stat().st_size > 50e6


@needs_craft
def test_a_broken_craft_export_is_replaced_and_a_failed_one_warns(monkeypatch):
    from geoverify.ocr import _craft_onnx

    weights = det.craft_folder() / det.CRAFT_WEIGHTS
    monkeypatch.setattr(gv.settings, "craft_onnx", False)
    net = det._craft_reader.__wrapped__(str(det.craft_folder()), False).detector
    cached = _craft_onnx.onnx_path(weights)
    cached.write_bytes(b"not an onnx model")  # a truncated or tampered cache file
    replaced = _craft_onnx.onnx_detector(net, weights)
    assert isinstance(replaced, _craft_onnx.OnnxCraft) and cached.stat().st_size > 50e6
    cached.unlink()
    with pytest.warns(gv.GeoverifyWarning, match="CRAFT runs on PyTorch.*could not be used"):
        kept = _craft_onnx.onnx_detector(untraceable := object(), weights)
    assert kept is untraceable and not cached.exists()


def test_short_word_pairs_finds_a_short_word_beside_its_line_only():
    line = (100, 90, 500, 165)  # a Nastaliq line: its box spans the tallest letters
    word = (505, 118, 540, 146)  # a short word of it (وہ), less than half as tall
    assert det.short_word_pairs([line, word]) == [(1, 0)]
    # the line above overlaps the band by a few pixels: not a stack, the word still joins
    above = (60, 5, 560, 98)
    assert det.short_word_pairs([above, line, word]) == [(2, 1)]
    # too far along the line (more than its own height), or outside the line's band
    assert det.short_word_pairs([line, (560, 118, 595, 146)]) == []
    assert det.short_word_pairs([line, (505, 150, 540, 178)]) == []
    # too small (a speck) or nearly as tall as the line (EasyOCR's own grouping's business)
    assert det.short_word_pairs([line, (505, 125, 520, 139)]) == []
    assert det.short_word_pairs([line, (505, 96, 560, 146)]) == []
    # lying over the line, not beside it; CRAFT's margins may overlap a little
    assert det.short_word_pairs([line, (300, 118, 340, 146)]) == []
    assert det.short_word_pairs([line, (495, 118, 530, 146)]) == [(1, 0)]
    assert det.short_word_pairs([line, (480, 118, 515, 146)]) == []
    # a row of smaller type beside a heading is no word of it (wider than half the line)
    assert det.short_word_pairs([line, (505, 118, 1500, 146)]) == []
    # boxes without area are left alone (they would pair with each other both ways)
    assert det.short_word_pairs([(0, 10, 10, 10), (10, 10, 20, 10)]) == []
    # two small labels stacked at the line's end (西 over 315 on a street sign): neither joins
    top, bottom = (505, 95, 545, 125), (503, 128, 548, 158)
    assert det.short_word_pairs([line, top, bottom]) == []
    # a word between two lines goes to the nearer one
    right = (548, 92, 900, 166)
    assert det.short_word_pairs([line, right, (503, 118, 540, 146)]) == [(2, 0)]


def test_join_short_words_keeps_every_word():
    """A word proposed for a word that is itself proposed for a line ends up in that line,
    whichever order the boxes come in; nothing is lost."""
    from geoverify.ocr.scene import join_short_words

    line, word, small = (100, 90, 500, 165), (505, 110, 540, 150), (545, 120, 560, 142)
    assert det.short_word_pairs([line, word, small]) == [(1, 0), (2, 1)]
    for boxes in ([line, word, small], [small, word, line], [word, small, line]):
        assert join_short_words(None, boxes, classify=False) == [(100, 90, 560, 165)]
    apart = (100, 300, 400, 360)  # another line, left alone
    assert join_short_words(None, [apart, line, word], classify=False) == [
        apart,
        (100, 90, 540, 165),
    ]


def test_join_short_words_asks_the_script_classifier_about_both_boxes(monkeypatch):
    """With both scripts expected, a pair joins only where the classifier is sure that the
    word and the line are both Arabic script."""
    from geoverify.ocr import _scriptid
    from geoverify.ocr.scene import SCRIPT_SURE, join_short_words

    gray = np.full((300, 700), 255, np.uint8)
    line, word = (100, 90, 500, 165), (505, 118, 540, 146)

    def classify_by_width(p_wide, p_narrow):
        # the crops' widths tell the line (wide) from the word (narrow)
        monkeypatch.setattr(
            _scriptid,
            "arabic_probability",
            lambda crops: [p_wide if c.shape[1] > 200 else p_narrow for c in crops],
        )

    for p_line, p_word, joins in [
        (0.99, 0.99, True),
        (SCRIPT_SURE, SCRIPT_SURE, True),
        (0.99, 0.5, False),
        (0.5, 0.99, False),
        (0.1, 0.1, False),
    ]:
        classify_by_width(p_line, p_word)
        out = join_short_words(gray, [line, word])
        assert out == ([(100, 90, 540, 165)] if joins else [line, word]), (p_line, p_word)
    assert join_short_words(gray, [line, word], classify=False) == [(100, 90, 540, 165)]


def test_coarse_widenings_take_a_word_cut_at_the_finer_scale():
    # IMG_4237's Sargodha at 960 px (Urdu cut to its last letter groups, the Latin name and its
    # distance apart) and at 640 px (the Urdu word whole, the Latin name run into its distance)
    urdu, latin, km = (659, 91, 709, 120), (638, 117, 748, 162), (750, 133, 812, 153)
    whole, run_together = (654, 73, 732, 128), (639, 120, 816, 161)
    assert det.coarse_widenings([urdu, latin, km], [whole, run_together]) == [(0, [0])]
    # a coarse box about the size of the fine one's is no gain
    assert det.coarse_widenings([urdu], [(658, 90, 712, 121)]) == []
    # a line found at the coarse scale alone is left alone
    assert det.coarse_widenings([urdu], [(100, 100, 200, 130)]) == []
    # two lines stacked in one coarse box are not read as one
    upper, lower = (100, 100, 300, 130), (100, 140, 300, 170)
    assert det.coarse_widenings([upper, lower], [(90, 95, 320, 175)]) == []
    # words side by side on one line go into it together; every coarse box that holds them is
    # proposed (the caller widens each fine box once)
    left, right = (100, 100, 180, 130), (190, 102, 300, 131)
    line = (90, 90, 320, 140)
    assert det.coarse_widenings([left, right], [line, line]) == [(0, [0, 1]), (1, [0, 1])]
    # boxes without area are never members
    assert det.coarse_widenings([(150, 110, 150, 110)], [line]) == []
    # a widened line must not swallow another line, found as a box or tilted
    # (a member's box can reach over a line whose centre is outside the coarse box)
    member, under_its_end = (100, 100, 200, 130), (95, 100, 125, 130)
    assert det.coarse_widenings([member], [(150, 90, 260, 140)]) == [(0, [0])]
    assert det.coarse_widenings([member, under_its_end], [(150, 90, 260, 140)]) == []
    assert det.coarse_widenings([left], [line]) == [(0, [0])]
    assert det.coarse_widenings([left], [line], others=[(200, 100, 300, 130)]) == []
    # ... but may reach a little into the line under it (IMG_4237's Urdu over Latin)
    assert det.coarse_widenings([urdu, latin], [whole]) == [(0, [0])]
    # a panel of lines is not a word's strokes
    assert det.coarse_widenings([left], [(90, 40, 320, 200)]) == []
