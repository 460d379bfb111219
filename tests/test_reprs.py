"""Notebook reprs: short plain text, useful HTML, outside text escaped."""

import numpy as np

import geoverify as gv

HOSTILE = "/data/<script>alert(1)</script>\u202e.mp4"


def test_frame_repr_is_short_and_html_shows_time_and_reason():
    f = gv.Frame(
        image=np.zeros((20, 30, 3), "uint8"), t=12.5, source=HOSTILE, reason="sharpest <b>"
    )
    text = repr(f)
    assert text.startswith("Frame(#0, t=12.50 s, 30x20")
    assert f.sha256 not in text and "/data/" not in text and len(text) < 120
    html = f._repr_html_()
    assert "data:image/jpeg;base64," in html
    assert "t = 12.50 s" in html and "sharpest &lt;b&gt;" in html
    assert "<script>" not in html and "\u202e" not in html and "⟨U+202E⟩" in html


def test_photo_frame_repr_has_no_time():
    f = gv.Frame.from_array(np.zeros((4, 4, 3), "uint8"))
    assert repr(f) == "Frame(#0, 4x4, 'array')"
    assert "photo" in f._repr_html_()


def test_case_repr_before_and_after_run(gazetteer):
    case = gv.Case(sources=[HOSTILE], claim="PoK", title="Kargil <i>march</i>")
    assert repr(case) == "Case('Kargil <i>march</i>', claim='PoK', 1 source, not run)"
    html = case._repr_html_()
    assert "not run yet" in html and "Kargil &lt;i&gt;march&lt;/i&gt;" in html
    assert "<script>" not in html and "\u202e" not in html

    case = gv.Case(
        sources=[], claim="PoK", typed_evidence=["Khomeini Chowk", "Kargil", "Lal Chowk"]
    )
    case.gazetteer = gazetteer
    case.regions = "admin"
    case.run(progress=False)
    text = repr(case)
    assert text == "Case('Untitled case', claim='PoK', 0 sources, contradicted)"
    html = case._repr_html_()
    assert ">CONTRADICTED</span>" in html  # the badge
    assert "3 lines naming a place" in html and "0 edits by hand" in html
    assert "India-administered Jammu and Kashmir" in html
