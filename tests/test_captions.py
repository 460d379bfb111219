"""Captions: text an editor put on the video places nothing (real demo video, real footage)."""

import warnings

import numpy as np
import pandas as pd
import pytest

import geoverify as gv
from geoverify._videoedit import Edit, make_clip

# The demo's keyframes as the demo case reads them (Tesseract, `geoverify demo`): where each
# line sits on the frame. The boxes are what the rules look at; the pixels are the real video's.
DEMO_LINES = [
    (0, "RECONSTRUCTION", 1064, 18, 1256, 44),
    (0, "RECONSTRUCTION - not original footage", 142, 279, 1138, 351),
    (0, "geoverify teaching case: Kargil, January 2021", 245, 380, 1029, 419),
    (1, "RECONSTRUCTION", 1064, 18, 1256, 44),
    (1, "انجمن جمعیت العلماء اثنا عشریہ کرگل", 407, 331, 876, 374),
    (1, "Anjuman Jamiyat Ulama Isna Asharia Kargil", 140, 402, 1142, 452),
    (2, "RECONSTRUCTION", 1064, 18, 1256, 44),
    (2, "خمینی چوک", 497, 141, 659, 190),
    (2, "KHOMEINI CHOWK", 345, 205, 810, 242),
    (2, "Kargil", 530, 254, 624, 302),
    (3, "RECONSTRUCTION", 1064, 18, 1256, 44),
    (3, "لال چوک", 523, 154, 636, 188),
    (3, "LAL CHOWK", 422, 198, 743, 271),
    (3, "Kargil, Ladakh", 482, 273, 676, 303),
    (4, "RECONSTRUCTION", 1064, 18, 1256, 44),
    (4, "We condemn the killing of", 312, 225, 968, 275),
    (4, "Hazara Shias in Quetta", 360, 295, 920, 342),
    (4, "کوئٹہ میں ہزارہ شیعوں کا قتل بند کرو", 434, 394, 847, 423),
]
TITLE = "geoverify teaching case: Kargil, January 2021"


@pytest.fixture(scope="module")
def demo_texts(demo_frames):
    assert [round(f.t, 2) for f in demo_frames] == [1.12, 2.24, 8.4, 11.48, 12.6]
    times = {f.index: f.t for f in demo_frames}
    return pd.DataFrame(
        [
            {"frame": i, "t": times[i], "text": s, "confidence": 0.95, "engine": "tesseract"}
            | dict(zip(("x0", "y0", "x1", "y1"), box))
            for i, s, *box in DEMO_LINES
        ]
    )


def _verdict(cands, regions):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gv.GeoverifyWarning)
        return gv.test_claim(cands, "PoK", regions=regions)


def test_demo_title_card_and_label_are_captions(demo_texts, demo_frames):
    marked = gv.mark_captions(demo_texts, demo_frames)
    caption = dict(zip(marked["text"] + "@" + marked["frame"].astype(str), marked["kind"]))
    why = marked.set_index(marked["text"] + "@" + marked["frame"].astype(str))["caption_reason"]
    # the title card: a frame of flat colour apart from its text
    assert caption[f"{TITLE}@0"] == "caption" and why[f"{TITLE}@0"].startswith("title card")
    # the corner label: the same ink at the same place over every scene
    for i in range(1, 5):
        assert caption[f"RECONSTRUCTION@{i}"] == "caption"
        assert why[f"RECONSTRUCTION@{i}"].startswith("overlay")
    # the banners and street signs of the scenes are not captions
    scene = marked[~marked["text"].str.contains("RECONSTRUCTION") & (marked["frame"] > 0)]
    assert len(scene) == 11 and (scene["caption_reason"] == "").all()
    assert scene["kind"].isna().all()  # left for match_places to infer


def test_merged_lines_are_judged_on_their_best_frame(demo_texts, demo_frames):
    lines = gv.merge_text(demo_texts.assign(text_norm=demo_texts["text"], script="?"))
    marked = gv.mark_captions(lines, demo_frames).set_index("text")
    assert marked.at["RECONSTRUCTION", "n_frames"] == 5
    assert marked.at["RECONSTRUCTION", "kind"] == marked.at[TITLE, "kind"] == "caption"
    assert (
        marked.drop(index=["RECONSTRUCTION", TITLE]).filter(like="Kargil", axis=0)["caption_reason"]
        == ""
    ).all()
    assert not marked.at["KHOMEINI CHOWK", "caption_reason"]


def test_demo_caption_pulls_toward_nothing(demo_texts, demo_frames, gazetteer, ne_regions):
    before = _verdict(gv.match_places(demo_texts, gazetteer), ne_regions)
    after = _verdict(
        gv.match_places(gv.mark_captions(demo_texts, demo_frames), gazetteer), ne_regions
    )
    title_before = before.evidence.set_index("text").loc[TITLE]
    assert title_before["weight"] > 0.2  # inferred as an unknown line naming Kargil, it pulled
    title = after.evidence.set_index("text").loc[TITLE]
    assert title["kind"] == "caption" and title["weight"] == 0.0 and title["strength"] == 0.0
    assert pd.isna(title["pulls_toward"]) and title["pulls_toward_name"] == "nothing"
    assert title["note"].startswith("caption, title card")
    assert f"#{int(title['item'])} " not in "".join(after.table["supporting"])
    assert "it is a caption" in after.explain()
    # the verdict on the scene's evidence stands
    assert (after.label, after.best_region) == (before.label, before.best_region)
    assert after.label == "contradicted"
    assert after.best_region == "india-administered-jammu-and-kashmir"


def test_the_investigator_overrides_a_caption(demo_texts, demo_frames, gazetteer, ne_regions):
    cands = gv.match_places(gv.mark_captions(demo_texts, demo_frames), gazetteer)
    item = int(cands.loc[cands["text"] == TITLE, "item"].iloc[0])
    assert cands.loc[cands["item"] == item, "caption_reason"].str.startswith("title card").all()
    v = _verdict(gv.set_kind(cands, item, "signage"), ne_regions)
    assert v.evidence.set_index("item").at[item, "weight"] > 0.5
    rv = gv.review(cands, claim="PoK", gazetteer=gazetteer, regions=ne_regions, user="t")
    line = rv.key(TITLE)
    row = rv.lines.set_index("line").loc[line]
    assert row["kind"] == "caption" and row["weight"] == 0.0 and row["caption_reason"]
    if __import__("importlib").util.find_spec("anywidget"):  # the notebook extra: the widget
        (shown,) = [ln for ln in rv.widget.lines if ln["line"] == line]
        assert shown["kind"] == "caption" and shown["caption_reason"].startswith("title card")
    rv.set_kind(line, "unknown", why="a sign in the scene after all")
    assert rv.lines.set_index("line").at[line, "weight"] > 0.2
    # a kind given before (by hand, or a case's kind rule) is never replaced
    given = demo_texts.assign(kind=np.where(demo_texts["text"] == TITLE, "banner", None))
    kept = gv.mark_captions(given, demo_frames).set_index("text")
    assert kept.at[TITLE, "kind"] == "banner" and kept.at[TITLE, "caption_reason"]


def test_photos_and_tables_without_frames_have_no_captions(shared, demo_texts):
    photo = gv.load_images(shared / "images" / "urdu-print" / "2.png")  # flat paper, print
    h, w = photo[0].shape[:2]
    table = pd.DataFrame(
        [{"frame": 0, "text": "حیدرآباد", "x0": 10, "y0": 10, "x1": w - 10, "y1": 40}]
    )
    assert (gv.mark_captions(table, photo)["caption_reason"] == "").all()
    read = demo_texts.copy()
    read.attrs["engine"] = "tesseract"  # what read the lines: the case's provenance needs it
    unmarked = gv.mark_captions(read, None)
    assert (unmarked["caption_reason"] == "").all() and unmarked.attrs["engine"] == "tesseract"
    with pytest.raises(gv.InputError):
        gv.mark_captions(["Kargil"], None)


@pytest.fixture(scope="module")
def captioned_footage(shared, tmp_path_factory):
    """Real street footage (bikes.mp4, with a TAXI sign) with a caption burned in by an editor."""
    clip = make_clip(
        shared / "video" / "bikes.mp4",
        tmp_path_factory.mktemp("captioned") / "bikes-captioned.mp4",
        0.0,
        6.0,  # four cuts, and the TAXI sign at 3 s
        Edit(caption="VIRAL: Kargil protest today"),
    )
    frames = gv.extract_frames(clip, every=1.0, keyframes=False, progress=False)
    texts = gv.read_text(frames, languages=("en",), progress=False)
    return frames, gv.mark_captions(texts, frames)


def test_a_caption_burned_into_real_footage_is_found(captioned_footage, gazetteer, ne_regions):
    frames, marked = captioned_footage
    burned = marked[marked["text"].str.contains("Kargil", case=False)]
    assert len(burned) >= 4, marked[["frame", "text"]]
    assert (burned["kind"] == "caption").all()
    assert burned["caption_reason"].str.startswith("overlay").all()
    v = _verdict(gv.match_places(marked, gazetteer), ne_regions)
    assert (v.evidence.loc[v.evidence["kind"] == "caption", "weight"] == 0).all()
    assert v.label == "inconclusive"  # nothing but a caption names a place


def test_scene_text_of_real_footage_is_not_a_caption(captioned_footage, shared):
    frames, marked = captioned_footage
    scene = marked[~marked["text"].str.contains("Kargil|VIRAL|protest", case=False)]
    assert (scene["caption_reason"] == "").all(), scene[["frame", "text", "caption_reason"]]
    # the TAXI sign on a moving car, read from the original footage
    original = gv.extract_frames(shared / "video" / "bikes.mp4", every=1.0, keyframes=False)
    taxi = pd.DataFrame(
        [{"frame": 3, "t": 3.0, "text": "TAXI", "x0": 298, "y0": 132, "x1": 500, "y1": 188}]
    )
    assert original[3].t == 3.0
    assert gv.mark_captions(taxi, original).at[0, "caption_reason"] == ""
    # no frame of the real footage is near flat, even with the lines read on it left out
    from geoverify._captions import _FLAT_EDGES, _box, _luma, flat_card_edges

    for f in frames:
        rows = marked[marked["frame"] == f.index]
        boxes = [_box(r, f.image.shape) for _, r in rows.iterrows()]
        edges = flat_card_edges(_luma(f.image), [b for b in boxes if b is not None])
        assert edges > 4 * _FLAT_EDGES, (f.t, edges)
    for f in original:
        assert flat_card_edges(_luma(f.image), []) > 4 * _FLAT_EDGES, f.t
    # text boxes that cover the frame leave nothing to judge: not a title card
    h, w = original[0].shape[:2]
    assert flat_card_edges(_luma(original[0].image), [(0, 0, w, h)]) == 1.0


def test_hostile_text_in_a_caption_stays_text(demo_texts, demo_frames, gazetteer):
    payload = "<script>alert(1)</script>{{7*7}} Kargil \u202e"
    texts = demo_texts.copy()
    texts.loc[texts["text"] == TITLE, "text"] = payload
    marked = gv.mark_captions(texts, demo_frames)
    row = marked[marked["text"] == payload].iloc[0]
    # found from the pixels, whatever the text says; the reason quotes none of it
    assert row["kind"] == "caption" and row["caption_reason"].startswith("title card")
    assert not set("<>{}\u202e") & set(row["caption_reason"])
    v = _verdict(gv.match_places(marked, gazetteer), None)
    html = v._repr_html_()
    assert "<script>alert" not in html and "\u202e" not in html


def test_a_sign_under_a_still_camera_is_not_an_overlay(shared):
    """The same real frame twice, a quarter of it changed (someone walking past): the sign's
    box holds the same ink, but the picture behind did not change in bulk. Pasted over a cut
    to another real view, the same box is an overlay."""
    frames = gv.extract_frames(shared / "video" / "bikes.mp4", every=1.0, keyframes=False)
    still, other = frames[3].image, frames[5].image  # the TAXI sign; a view after a cut
    box = {"x0": 298, "y0": 132, "x1": 500, "y1": 188}
    walker = still.copy()
    walker[:, :160] = other[:, :160]  # a quarter of the view, left of the sign
    cut = other.copy()
    cut[132:188, 298:500] = still[132:188, 298:500]  # the sign's box burned over another view

    def reason(second):
        pair = [
            gv.Frame(image=img, t=float(i), index=i, source="v.mp4")
            for i, img in enumerate((still, second))
        ]
        table = pd.DataFrame([{"frame": 0, "t": 0.0, "text": "TAXI", **box}])
        return gv.mark_captions(table, pair).at[0, "caption_reason"]

    assert reason(walker) == ""
    assert reason(cut).startswith("overlay: the same text stays at this place in 1 other frame")


def test_a_caption_boosts_no_line_it_agrees_with(gazetteer):
    """Co-location: a caption naming the town of one of a sign's candidates must not single
    that candidate out (the sign alone is ambiguous: Lal Chowk is in three towns)."""
    alone = _verdict(gv.match_places(["LAL CHOWK"], gazetteer), None)
    with_caption = gv.match_places(
        [{"text": "LAL CHOWK"}, {"text": "Muzaffarabad", "kind": "caption"}], gazetteer
    )
    assert any(n.startswith("Muzaffar") for n in with_caption["name"])
    v = _verdict(with_caption, None)
    assert not len(v.clusters)
    assert v.posterior == pytest.approx(alone.posterior)
    assert v.label == alone.label == "inconclusive"
    # counted as a sign, the same line does single it out
    as_sign = _verdict(gv.set_kind(with_caption, 1, "signage"), None)
    assert len(as_sign.clusters) and as_sign.posterior != pytest.approx(alone.posterior)


def test_signs_in_a_real_pan_are_not_captions(shared):
    """A pan over a real photo of street signs: the signs move with the picture."""
    frames = gv.extract_frames(shared / "video" / "pan_easyocr_example3.mp4", progress=False)
    assert len(frames) >= 2
    read = [  # where the scene engine reads the signs on the first two keyframes
        (0, "BASRURKAR", 150, 36, 610, 122),
        (0, "MARKET", 221, 119, 535, 203),
        (1, "SRURKAR", 0, 36, 342, 122),
        (1, "IARKET", 0, 117, 267, 203),
    ]
    table = pd.DataFrame(
        [
            {"frame": i, "t": frames[i].t, "text": s} | dict(zip(("x0", "y0", "x1", "y1"), b))
            for i, s, *b in read
        ]
    )
    marked = gv.mark_captions(table, frames)
    assert (marked["caption_reason"] == "").all(), marked[["text", "caption_reason"]]
    assert marked["kind"].isna().all()
