"""The packaged Urdu line recogniser (geoverify/models/urdu_crnn.onnx), run for real.

Lines are rendered here with Pillow + raqm in PakType Tehreer, the font held out of the
model's training (training/README.md), so these are fonts the model has never seen.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz.distance import Levenshtein

from geoverify.exceptions import EngineUnavailableError, InputError
from geoverify.ocr import urdu
from geoverify.ocr.urdu import UrduReading, UrduRecognizer

HELDOUT_FONT = Path("/usr/share/fonts/truetype/paktype/PakType Tehreer.ttf")
NAMES = ["لاہور", "چکوال", "سرگودھا", "حیدرآباد", "پشاور", "مظفرآباد", "راولپنڈی", "کراچی"]
#: The committed model's CER on these 8 names at size 48 is 0.078 (4 edits in 51 characters:
#: حیدر آباد read with a space, مظفرآباد as ظفر آبادہ; 0.039-0.078 read once at sizes 32-56);
#: the bound allows 5 edits.
CER_BOUND = 0.10
#: Lines that hold no text must stay below this confidence (the committed model: at most
#: 0.30, on the 20,000 px wide noise line).
LOW_CONFIDENCE = 0.5
#: Confusable spellings and shorter names, so the lexicon must choose, not just fill in.
DISTRACTORS = ["سرگودہا", "چکری", "لہور", "حیدر", "پشین", "کراچ", "راول", "مظفر"]


needs_font = pytest.mark.skipif(
    not HELDOUT_FONT.is_file(),
    reason=f"held-out font {HELDOUT_FONT} missing (Debian package fonts-paktype)",
)


def render(text: str, size: int = 48, pad: int = 10) -> np.ndarray:
    """Black text on white, right to left, as a grayscale uint8 array."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(HELDOUT_FONT), size, layout_engine=ImageFont.Layout.RAQM)
    x0, y0, x1, y1 = font.getbbox(text, direction="rtl", language="ur")
    im = Image.new("L", (x1 - x0 + 2 * pad, y1 - y0 + 2 * pad), 255)
    ImageDraw.Draw(im).text(
        (pad - x0, pad - y0), text, font=font, fill=0, direction="rtl", language="ur"
    )
    return np.asarray(im)


@pytest.fixture(scope="module")
def reader() -> UrduRecognizer:
    return UrduRecognizer(threads=1)


def test_model_ships_in_the_package_and_loads_offline() -> None:
    path = urdu.model_path()
    assert path.is_file() and path.with_suffix(".json").is_file()
    assert path.parent.name == "models" and path.parent.parent.name == "geoverify"
    assert urdu.available()
    assert path.stat().st_size < 6_000_000
    # a fresh interpreter, no network needed, and no PyTorch pulled in
    code = (
        "import sys; from geoverify.ocr.urdu import UrduRecognizer; UrduRecognizer(); "
        "assert 'torch' not in sys.modules, 'torch imported'"
    )
    env = {"PATH": "", "NO_PROXY": "*", "HTTPS_PROXY": "http://127.0.0.1:9"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)


def test_missing_model_is_engine_unavailable(tmp_path: Path) -> None:
    with pytest.raises(EngineUnavailableError, match="not found"):
        UrduRecognizer(tmp_path / "missing.onnx")


@needs_font
def test_reads_heldout_font(reader: UrduRecognizer) -> None:
    readings = reader.recognize([render(n) for n in NAMES])
    edits = sum(Levenshtein.distance(r.text, n) for r, n in zip(readings, NAMES))
    cer = edits / sum(len(n) for n in NAMES)
    assert cer < CER_BOUND, [r.text for r in readings]
    for r in readings:
        assert isinstance(r, UrduReading) and r.used == "raw" and r.lexicon is None
        assert r.raw == r.text and len(r.char_conf) == len(r.text)
        assert 0.0 <= r.confidence <= 1.0


@needs_font
def test_rgb_and_grayscale_agree(reader: UrduRecognizer) -> None:
    gray = render("چکوال")
    rgb = np.repeat(gray[:, :, None], 3, axis=2)
    assert reader.recognize([gray])[0].text == reader.recognize([rgb])[0].text


def small_blurred(text: str, size: int, sigma: float) -> np.ndarray:
    """A small, blurred rendering (a sign far away), to provoke misreadings."""
    import cv2

    im = render(text, size=size, pad=max(3, size // 5))
    return cv2.GaussianBlur(im, (0, 0), sigma) if sigma else im


@needs_font
def test_lexicon_turns_a_near_miss_into_the_gazetteer_name(reader: UrduRecognizer) -> None:
    cases = [(n, s, b) for n in NAMES for s in (18, 22, 26, 30) for b in (0.0, 1.0)]
    lines = [small_blurred(n, s, b) for n, s, b in cases]
    plain = reader.recognize(lines)
    lexed = reader.recognize(lines, lexicon=[*NAMES, *DISTRACTORS])
    fixed = 0
    for (name, _, _), p, r in zip(cases, plain, lexed):
        assert r.raw == p.raw  # the raw reading is kept beside the lexicon's
        assert r.used in ("raw", "lexicon") and len(r.char_conf) == len(r.text)
        if r.used == "lexicon":
            assert r.text == r.lexicon and r.lexicon in [*NAMES, *DISTRACTORS]
        else:
            assert r.text == r.raw
        fixed += r.raw != name and r.text == name and r.used == "lexicon"
    assert fixed >= 1, [(c[0], p.raw) for c, p in zip(cases, plain)]
    exact_raw = sum(p.raw == c[0] for c, p in zip(cases, plain))
    exact_lex = sum(r.text == c[0] for c, r in zip(cases, lexed))
    assert exact_lex > exact_raw


@needs_font
def test_lexicon_keeps_the_raw_reading_of_another_word(reader: UrduRecognizer) -> None:
    r = reader.recognize([render("ہسپتال")], lexicon=NAMES)[0]
    assert r.used == "raw" and r.text == r.raw


@pytest.mark.parametrize("height", [0, 1, 2, 5])
def test_lines_too_short_give_an_empty_reading(reader: UrduRecognizer, height: int) -> None:
    for shape in [(height, 300), (height, 300, 3)]:
        r = reader.recognize([np.full(shape, 200, np.uint8)], lexicon=NAMES)[0]
        assert r.text == "" and r.raw == "" and r.confidence == 0.0 and r.used == "raw"


def test_very_wide_line_and_noise_do_not_crash(reader: UrduRecognizer) -> None:
    rng = np.random.default_rng(0)
    wide = rng.integers(0, 256, (24, 20_000), dtype=np.uint8)
    noise = rng.integers(0, 256, (64, 256, 3), dtype=np.uint8)
    big = rng.integers(0, 256, (4000, 3000), dtype=np.uint8)
    flat = np.full((40, 200), 128, np.uint8)
    for r in reader.recognize([wide, noise, big, flat], lexicon=NAMES):
        assert r.confidence < LOW_CONFIDENCE, r
        assert r.used == "raw"


@pytest.mark.parametrize(
    "bad",
    [
        None,
        "line.png",
        b"\x89PNG",
        3,
        np.zeros((4, 4, 4, 4), np.uint8),
        np.zeros((32, 64), np.float32),
        np.zeros((32, 64, 2), np.uint8),
        np.zeros(10, np.uint8),
    ],
)
def test_non_images_raise_input_error(reader: UrduRecognizer, bad: object) -> None:
    with pytest.raises(InputError):
        reader.recognize([bad])  # type: ignore[list-item]


def test_a_bare_array_is_not_a_list_of_lines(reader: UrduRecognizer) -> None:
    with pytest.raises(InputError):
        reader.recognize(np.zeros((32, 100), np.uint8))  # type: ignore[arg-type]
    for bad in (np.zeros((32, 100, 3), np.uint8), (np.zeros((32, 100), np.uint8) for _ in "ab")):
        with pytest.raises(InputError):
            reader.read_log_probs(bad)  # type: ignore[arg-type]


#: Phrases as on signs, beside the names, for the condensed lines below.
PHRASES = ["آہستہ چلیں", "خطرناک موڑ ہیں", "سرکاری ہسپتال", "لاہور ۶۳ کلومیٹر"]


def condensed(text: str, fx: float) -> np.ndarray:
    """A line squeezed to ``fx`` of its width, as dense print and signs are set."""
    import cv2

    im = render(text)
    return cv2.resize(
        im, (max(8, int(im.shape[1] * fx)), im.shape[0]), interpolation=cv2.INTER_AREA
    )


@needs_font
def test_batched_reading_matches_one_by_one(reader: UrduRecognizer) -> None:
    lines = [render(n, size=s) for n, s in zip(NAMES, (20, 60, 32, 44, 28, 52, 36, 24))]
    lines += [condensed(t, fx) for t, fx in zip(PHRASES, (0.4, 0.5, 0.6, 0.7))]  # read twice
    together = reader.recognize(lines)
    alone = [reader.recognize([line])[0] for line in lines]
    assert [r.text for r in together] == [r.text for r in alone]
    for a, b in zip(together, alone):
        assert abs(a.confidence - b.confidence) < 0.05


@needs_font
def test_dense_lines_are_read_again_stretched(reader: UrduRecognizer) -> None:
    # the committed model on these 12 lines squeezed to half their width: CER 0.26 read once,
    # 0.07 read again stretched to MIN_PX_PER_CHAR
    texts = NAMES + PHRASES
    lines = [condensed(t, 0.5) for t in texts]
    chars = sum(len(t) for t in texts)
    once = reader.recognize(lines, restretch=False)
    again = reader.recognize(lines)
    cer_once = sum(Levenshtein.distance(r.text, t) for r, t in zip(once, texts)) / chars
    cer_again = sum(Levenshtein.distance(r.text, t) for r, t in zip(again, texts)) / chars
    assert cer_again < 0.5 * cer_once and cer_again < CER_BOUND, (cer_once, cer_again)
    # the second reading is kept only where it is at least as sure as the first
    for a, o in zip(again, once):
        assert a.confidence >= o.confidence - 1e-9
    # at the usual density the second reading changes little (the bound the plain test uses)
    plain = reader.recognize([render(t) for t in texts])
    assert sum(Levenshtein.distance(r.text, t) for r, t in zip(plain, texts)) / chars < CER_BOUND


@needs_font
def test_the_surer_of_the_two_readings_is_kept(reader: UrduRecognizer) -> None:
    lines = [condensed(n, fx) for n in NAMES for fx in (0.5, 0.6, 0.7, 0.8, 0.9)]
    # one line at a time, so that every reading below is the same computation
    first = [reader.recognize([line], restretch=False)[0] for line in lines]
    chosen = [reader.recognize([line])[0] for line in lines]
    kinds = set()
    for line, f, c in zip(lines, first, chosen):
        stretch = reader._stretch(f, line)
        if stretch == 1.0:
            assert c == f
            continue
        second = reader._read(reader.log_probs([line], [stretch])[0], None)  # type: ignore[arg-type]
        surer = second if second.confidence >= f.confidence else f
        assert (c.text, c.confidence) == (surer.text, surer.confidence)
        kinds.add(surer is second)
    assert kinds == {True, False}  # both cases occur (the committed model: 25 and 6, 9 read once)


@needs_font
def test_read_log_probs_are_what_recognize_decodes(reader: UrduRecognizer) -> None:
    # the calibration of the lexicon thresholds (training.calibrate_lexicon) decodes these
    lines = [condensed(n, 0.5) for n in NAMES[:4]] + [render(n) for n in NAMES[4:]]
    stretched = reader.read_log_probs(lines)
    once = reader.read_log_probs(lines, restretch=False)
    assert any(a.shape != b.shape for a, b in zip(stretched, once) if a is not None)
    for lp, r in zip(stretched, reader.recognize(lines)):
        assert lp is not None and reader._read(lp, None).raw == r.raw
    for lp, r in zip(once, reader.recognize(lines, restretch=False)):
        assert lp is not None and reader._read(lp, None).raw == r.raw


def test_density_stretch_bounds() -> None:
    assert urdu.density_stretch(90, 10) == 1.0  # 9 px per character: dense enough
    assert urdu.density_stretch(100, 0) == 1.0  # nothing read: nothing to go by
    assert urdu.density_stretch(0, 5) == 1.0
    assert urdu.density_stretch(50, 10) == pytest.approx(1.8)
    assert urdu.density_stretch(10, 100) == urdu.MAX_STRETCH
    # a line just denser than the target is not worth a second reading
    assert urdu.density_stretch(int(9 * 10 / 1.1), 10) == 1.0
    assert urdu.density_stretch(100, 13) == pytest.approx(1.17)
    assert urdu.density_stretch(180, 23) == pytest.approx(urdu.MIN_STRETCH)  # at the cut-off
    # never wider than the widest input: a line at the cap is read once
    assert urdu.density_stretch(urdu.MAX_INPUT_WIDTH, 1000) == 1.0
    assert urdu.density_stretch(1500, 1000) == pytest.approx(urdu.MAX_INPUT_WIDTH / 1500)


def test_stretch_factors_are_checked(reader: UrduRecognizer) -> None:
    line = np.full((32, 64), 200, np.uint8)
    for bad in ([1.0, 1.0], [0.0], [float("nan")], [float("inf")], [-1.0]):
        with pytest.raises(InputError, match="stretch"):
            reader.log_probs([line], bad)
