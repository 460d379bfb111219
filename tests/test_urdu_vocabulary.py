"""Word-by-word decoding of Urdu readings towards the packaged word list.

The posteriors drawn here test the rule itself (which word is replaced, which kept); the
real model on rendered signage phrases tests that it helps. The thresholds were checked on
synthetic held-out lines: ``python -m training.calibrate_vocabulary``
(``training/results/vocabulary_calibration.md``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rapidfuzz.distance import Levenshtein

import geoverify as gv
from geoverify.exceptions import InputError
from geoverify.ocr import urdu
from geoverify.ocr.urdu import (
    UrduRecognizer,
    _trie,
    bundled_vocabulary,
    vocabulary_reading,
    word_segments,
)
from geoverify.text import detect_script

from .test_urdu_model import needs_font, small_blurred


@pytest.fixture(scope="module")
def reader() -> UrduRecognizer:
    return UrduRecognizer(threads=1)


def drawn(charset: str, logical: str, doubt: dict[int, dict[str, float]]) -> np.ndarray:
    """``(T, C)`` log-posteriors spelling ``logical``: each character for two frames, then a
    blank; ``doubt`` maps a position (logical order) to the posteriors of its frames."""
    index = {ch: i + 1 for i, ch in enumerate(charset)}
    visual_pos = urdu._flip_order(logical)  # visual position -> logical position
    rows = []
    for pos in visual_pos:
        probs = doubt.get(pos, {logical[pos]: 0.97})
        row = np.full(len(charset) + 1, 1e-4)
        for ch, p in probs.items():
            row[index[ch]] = p
        row /= row.sum()
        rows += [row, row]
        blank = np.full(len(charset) + 1, 1e-4)
        blank[0] = 1.0
        rows.append(blank / blank.sum())
    return np.log(np.array(rows))


def test_word_segments_split_at_runs_of_spaces() -> None:
    lp = np.log(np.full((10, 4), 0.01))
    for t, k in enumerate([1, 0, 3, 3, 2, 0, 3, 1, 1, 3]):
        lp[t, k] = 0.0
    assert word_segments(lp, 3) == [(0, 2), (4, 6), (7, 9)]
    assert word_segments(lp[:2], 3) == [(0, 2)]
    assert word_segments(lp[2:], 3) == [(2, 4), (5, 7)]  # a line that starts with spaces
    assert word_segments(lp[2:4], 3) == []  # nothing but spaces


def test_a_doubtful_letter_becomes_the_listed_word(reader: UrduRecognizer) -> None:
    cs = reader.charset
    line = "آہستہ چلیں"
    lp = drawn(cs, line, {6: {"پ": 0.6, "چ": 0.38}})
    first = reader._read(lp, None)
    assert first.raw == "آہستہ پلیں" and first.used == "raw"
    words = _trie(("آہستہ", "چلیں", "پلیٹ"), cs)
    r = reader._read(lp, None, words)
    assert (r.text, r.raw, r.used) == (line, "آہستہ پلیں", "vocabulary")
    assert len(r.char_conf) == len(r.text) and 0.3 < r.confidence < 1.0


def test_a_confident_name_and_a_number_stay_as_read(reader: UrduRecognizer) -> None:
    cs = reader.charset
    words = ["زاہد", "ہسپتال", "2029"]
    lp = drawn(cs, "زاہدی ہسپتال 2024", {})
    assert vocabulary_reading(lp, words, cs) is None
    # the number's last digit in doubt, and a listed number one edit away: kept as read
    lp = drawn(cs, "زاہدی ہسپتال 2024", {16: {"4": 0.55, "9": 0.43}})
    assert reader._read(lp, None, _trie(tuple(words), cs)).text == "زاہدی ہسپتال 2024"
    # thresholds loose enough to take the name's near word still leave the number
    assert vocabulary_reading(lp, words, cs, max_gap=9.0, max_edits=1.0) == "زاہد ہسپتال 2024"
    # a lexicon name that the whole line meets comes first
    lp = drawn(cs, "آہستہ پلیں", {})
    both = reader._read(lp, _trie(("آہستہ پلیں",), cs), _trie(("آہستہ", "چلیں"), cs))
    assert (both.text, both.used) == ("آہستہ پلیں", "lexicon")
    # a lexicon name too far from the reading is not taken; the words are still corrected
    lp = drawn(cs, "آہستہ چلیں", {6: {"پ": 0.6, "چ": 0.38}})
    far = reader._read(lp, _trie(("آہستہ",), cs), _trie(("آہستہ", "چلیں"), cs))
    assert (far.text, far.used, far.lexicon) == ("آہستہ چلیں", "vocabulary", "آہستہ")


def test_a_vocabulary_is_a_list_of_words(reader: UrduRecognizer) -> None:
    lp = drawn(reader.charset, "آہستہ", {})
    with pytest.raises(InputError, match="list of words"):
        vocabulary_reading(lp, "آہستہ", reader.charset)
    with pytest.raises(InputError, match="list of words"):
        reader.recognize([np.full((32, 90), 255, np.uint8)], vocabulary="آہستہ")


def test_the_word_list_ships_in_the_package() -> None:
    path = urdu.vocabulary_path()
    assert path.parent == urdu.model_path().parent and path.stat().st_size < 400_000
    head = path.read_text(encoding="utf-8").splitlines()[:5]
    assert any("CC BY-SA 4.0" in line for line in head)  # wordfreq's licence travels with it
    words = bundled_vocabulary()
    assert len(words) > 15_000 and list(words) == sorted(words)
    assert all(detect_script(w) == "Arab" and " " not in w for w in words)
    assert not any(ch.isdigit() for w in words for ch in w)
    assert {"ہسپتال", "چلیں", "آہستہ"} <= set(words)


def test_the_word_list_is_what_the_recipe_writes() -> None:
    pytest.importorskip("wordfreq", reason="the recipe's word list needs the train extra")
    from importlib.metadata import version

    from training import vocabulary

    head = urdu.vocabulary_path().read_text(encoding="utf-8").splitlines()[0]
    if f"wordfreq {version('wordfreq')} " not in head:
        pytest.skip(f"the list was written with another wordfreq ({head})")
    assert tuple(vocabulary.words()) == bundled_vocabulary()


@pytest.mark.parametrize("content", [b"\xff\xfe not utf-8 \xc3", None], ids=["bad", "missing"])
def test_an_unreadable_word_list_warns_and_corrects_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | None
) -> None:
    path = tmp_path / "urdu_words.txt"
    if content is not None:
        path.write_bytes(content)
    monkeypatch.setattr(urdu, "vocabulary_path", lambda: path)
    with pytest.warns(UserWarning, match="urdu_words.txt.*cannot be read"):
        assert urdu.bundled_vocabulary.__wrapped__() == ()


#: Signage phrases of common words, in the held-out font, small and blurred to provoke
#: misreadings the word list can mend.
PHRASES = ["آہستہ چلیں", "آگے ہسپتال ہے", "خطرناک موڑ", "سیدھا چلیں", "داخلہ ممنوع", "بس اسٹاپ"]


@needs_font
def test_the_word_list_mends_misread_phrases(reader: UrduRecognizer) -> None:
    cases = [(t, s, b) for t in PHRASES for s in (16, 20, 24) for b in (0.0, 1.2)]
    lines = [small_blurred(t, s, b) for t, s, b in cases]
    plain = reader.recognize(lines)
    mended = reader.recognize(lines, vocabulary=bundled_vocabulary())
    for p, r in zip(plain, mended):
        assert r.raw == p.raw and len(r.char_conf) == len(r.text)
        assert r.used in ("raw", "vocabulary")
        assert (r.text == r.raw) == (r.used == "raw")
        if r.used == "vocabulary":
            assert len(r.text.split()) == len(r.raw.split())
    truths = [t for t, _, _ in cases]
    cer_plain = sum(Levenshtein.distance(p.text, t) for p, t in zip(plain, truths))
    cer_mended = sum(Levenshtein.distance(r.text, t) for r, t in zip(mended, truths))
    assert sum(r.used == "vocabulary" for r in mended) >= 2
    assert cer_mended < cer_plain, [(p.raw, r.text) for p, r in zip(plain, mended)]


def test_the_scene_engine_takes_a_vocabulary_keyword() -> None:
    pytest.importorskip("easyocr", reason="the scene-text pipeline needs the easyocr extra")
    from geoverify.ocr.scene import SceneTextEngine

    default = SceneTextEngine()
    assert default.vocabulary == bundled_vocabulary()
    assert default.params()["vocabulary_size"] == len(bundled_vocabulary())
    none = SceneTextEngine(vocabulary=None)
    assert (
        none.vocabulary == ()
        and none.params()["vocabulary_hash"] != default.params()["vocabulary_hash"]
    )
    assert none.options()["vocabulary"] == []  # saved with a case, so it is rebuilt the same
    mine = SceneTextEngine(vocabulary=["آہستہ چلیں", "Lahore", "<script>"])
    assert mine.vocabulary == ("آہستہ", "چلیں")
    assert mine.options()["vocabulary"] == ["آہستہ", "چلیں"]
    assert "vocabulary" not in default.options()  # the bundled list: rebuilt by default
    for bad in ("mine", 5):
        with pytest.raises(InputError, match="vocabulary must be"):
            SceneTextEngine(vocabulary=bad)  # type: ignore[arg-type]
    # the lexicon's name words join the list, so a name read right is kept
    named = SceneTextEngine(vocabulary=["چلیں"], lexicon=["زاہدی ہسپتال", "Lahore"])
    assert set(named._words) == {"چلیں", "زاہدی", "ہسپتال"}
    assert SceneTextEngine(vocabulary=None, lexicon=["زاہدی"])._words == ()
    long = SceneTextEngine(vocabulary=[f"آب{'ا' * i}" for i in range(70)])
    with pytest.warns(gv.GeoverifyWarning, match="too long to save"):
        assert "vocabulary" not in long.options()
