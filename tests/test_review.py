"""gv.review: edits by hand with a log, the verdict kept current, saved with the case."""

import datetime as dt
import json
import warnings

import pytest

import geoverify as gv
from geoverify.exceptions import CaseFormatError, InputError

LINES = ["Khomeini Chowk", "Hazara Shias in Quetta", "Lal Chowk", "zzzq"]
WHY = "<script>alert(1)</script> read on the sign ${x} \u202e"


@pytest.fixture()
def cands(gazetteer):
    return gv.match_places(LINES, gazetteer)


def test_set_kind_changes_the_verdict_and_is_logged(cands, gazetteer):
    r = gv.review(cands, "Balochistan", gazetteer=gazetteer, user="ana")
    assert r.verdict.label == "contradicted"
    quetta = r.key("Quetta")
    r.set_kind(quetta, "signage", why="a street sign, not a slogan")
    assert r.verdict.label == "inconclusive"
    (e,) = r.edits
    assert e["who"] == "ana" and e["line"] == quetta and e["item"] == 1
    assert (e["field"], e["before"], e["after"]) == ("kind", "unknown", "signage")
    assert e["why"] == "a street sign, not a slogan"
    when = dt.datetime.fromisoformat(e["when"])
    assert when.utcoffset() == dt.timedelta(0)
    # the edited table gives the same verdict outside the review
    again = gv.test_claim(r.result, "Balochistan")
    assert again.label == r.verdict.label
    assert again.posterior == pytest.approx(r.verdict.posterior)
    # the input was not modified
    assert list(cands.loc[cands["item"] == 1, "kind"].unique()) == ["unknown"]


def test_text_drop_pick_add(cands, gazetteer):
    r = gv.review(cands, "Ladakh", gazetteer=gazetteer, user="ana")
    junk = r.key("zzzq")
    assert r.lines.set_index("line").at[junk, "n_candidates"] == 0
    r.set_text(junk, "Kargil", why="read by eye")
    row = r.lines.set_index("line").loc[junk]
    assert row["text"] == "Kargil" and row["text_as_read"] == "zzzq" and row["n_candidates"] >= 1
    assert "Kargil" in set(r.result["name"])

    lal = r.key("Lal Chowk")
    ids = list(r.result.loc[r.result["line"] == lal, "place_id"])
    assert len(ids) >= 2  # a common name: several towns have one
    r.pick(lal, ids[0])
    assert list(r.result.loc[r.result["line"] == lal, "place_id"]) == [ids[0]]
    r.pick(lal, None)
    assert list(r.result.loc[r.result["line"] == lal, "place_id"]) == ids

    r.drop(r.key("Khomeini"))
    assert "Khomeini Chowk" not in set(gv.line_table(r.result)["text"])
    typed = r.add_line("Skardu", "signage", why="a shop board at 0:12")
    assert typed in set(r.result["line"])
    assert r.lines.set_index("line").at[typed, "item"] == 4
    fields = [e["field"] for e in r.edits]
    assert fields == ["text", "place", "place", "dropped", "added", "kind"]  # kind: its own edit
    assert r.edits[3]["before"] == "kept" and r.edits[3]["after"] == "dropped"
    assert r.edit_log().shape == (6, 9)
    r.restore(r.key("Khomeini"))
    assert "Khomeini Chowk" in set(gv.line_table(r.result)["text"])


def test_keys_are_stable_and_items_resolve(cands, gazetteer):
    a = gv.review(cands, "PoK", gazetteer=gazetteer)
    b = gv.review(gv.match_places(LINES, gazetteer), "PoK", gazetteer=gazetteer)
    assert list(a.lines["line"]) == list(b.lines["line"])
    a.add_line("Kargil")
    # an item number is resolved when the call is made
    a.set_kind(2, "banner")
    assert a.edits[-1]["line"] == a.key("Lal Chowk")
    # the keys travel in the result, so a review of the result keeps them
    c = gv.review(a.result, "PoK", gazetteer=gazetteer)
    assert set(c.lines["line"]) <= set(a.lines["line"])


def test_bad_edits_are_refused(cands, gazetteer):
    r = gv.review(cands, "PoK", gazetteer=gazetteer)
    with pytest.raises(InputError, match="unknown evidence kind"):
        r.set_kind(r.key("Quetta"), "graffiti")
    with pytest.raises(InputError, match="no evidence line"):
        r.set_kind("Lnope", "signage")
    with pytest.raises(InputError, match="not a candidate"):
        r.pick(r.key("Lal Chowk"), "geonames:0")
    with pytest.raises(InputError):
        r.set_text(r.key("Quetta"), "   ")
    with pytest.raises(InputError, match="claim"):
        gv.review(cands)
    with pytest.raises(InputError, match="not been run"):
        gv.review(gv.Case(sources=[], claim="PoK"))
    assert r.edits == []


@pytest.fixture()
def run_case():
    case = gv.Case(
        sources=[],
        claim="Balochistan",
        title="Review <b>case</b>",
        regions="admin",
        typed_evidence=LINES,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return case.run(progress=False)


def test_case_edits_are_saved_reported_and_loaded(run_case, tmp_path):
    case = run_case
    r = gv.review(case, user="ana <b>")
    assert r.verdict.label == case.verdict.label == "contradicted"
    r.set_kind(r.key("Quetta"), "signage", why=WHY)
    assert case.edits is r.edits and len(case.edits) == 1
    assert case.verdict.label == "inconclusive"  # the case holds the edited table and verdict
    assert "line" in case.candidates.columns
    assert "1 edits by hand" in case._repr_html_()
    out = case.save(tmp_path / "case")
    meta = json.loads((out / "case.json").read_text(encoding="utf-8"))
    assert meta["edits"][0]["why"] == WHY and meta["edits"][0]["after"] == "signage"
    assert json.loads((out / "verdict.json").read_text())["label"] == "inconclusive"
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Edits by hand" in html and "ana &lt;b&gt;" in html
    assert "<script>alert(1)" not in html and "\u202e" not in html and "&#36;&#123;x&#125;" in html
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "## Edits by hand" in md and "<script>" not in md and "\u202e" not in md

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = gv.Case.load(out)
    assert loaded.edits == case.edits
    # a review of the loaded case goes on with the same log and the same line keys
    r2 = gv.review(loaded, user="ben")
    assert r2.key("Quetta") == r.key("Quetta")
    assert r2.verdict.label == "inconclusive"
    r2.drop(r2.key("Lal Chowk"))
    assert [e["who"] for e in loaded.edits] == ["ana <b>", "ben"]


@pytest.mark.parametrize(
    "edits",
    [
        "not a list",
        [{"field": "rm -rf", "who": "x"}],
        [{"field": "kind", "who": ["x"]}],
        [{"field": "kind", "why": "x" * 5000}],
        [{"field": "kind", "item": "3"}],
        [7],
    ],
)
def test_crafted_edit_logs_are_refused(run_case, tmp_path, edits):
    out = run_case.save(tmp_path / "case")
    meta = json.loads((out / "case.json").read_text(encoding="utf-8"))
    meta["edits"] = edits
    (out / "case.json").write_text(json.dumps(meta), encoding="utf-8")
    with warnings.catch_warnings(), pytest.raises(CaseFormatError, match="edits"):
        warnings.simplefilter("ignore")
        gv.Case.load(out)


def test_widget_requests_call_the_review(cands, gazetteer):
    pytest.importorskip("anywidget", reason="the notebook extra is not installed")
    r = gv.review(cands, "Balochistan", gazetteer=gazetteer, user="ana")
    w = r.widget
    assert "CONTRADICTED" in w.verdict_html and len(w.lines) == len(LINES)
    assert w.map_html.startswith("<!DOCTYPE html>")
    quetta = r.key("Quetta")
    w._on_msg(w, {"action": "set_kind", "line": quetta, "value": "signage", "why": WHY}, [])
    assert "INCONCLUSIVE" in w.verdict_html and w.error == ""
    assert w.edits[-1]["why"] == WHY and r.edits[-1]["after"] == "signage"
    assert "<script>" not in w.verdict_html
    w._on_msg(w, {"action": "set_kind", "line": quetta, "value": "graffiti"}, [])
    assert "unknown evidence kind" in w.error and len(r.edits) == 1
    w._on_msg(w, {"action": "add_line", "value": {"text": "Skardu", "kind": None}}, [])
    assert len(w.lines) == len(LINES) + 1 and r.edits[-1]["field"] == "added"
    # a method called from Python updates the widget too
    r.drop(quetta)
    assert next(ln for ln in w.lines if ln["line"] == quetta)["dropped"] is True


def test_a_rerun_applies_the_edits_again(run_case, tmp_path):
    case = run_case
    r = gv.review(case, user="ana")
    r.set_kind(r.key("Quetta"), "signage", why="a sign")
    lal = r.key("Lal Chowk")
    r.pick(lal, r.result.loc[r.result["line"] == lal, "place_id"].iloc[0])
    r.set_text(r.key("zzzq"), "Kargil")
    r.drop(r.key("Khomeini"))
    r.add_line("Skardu", "banner")
    edited = r.result
    out = case.save(tmp_path / "case")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = gv.Case.load(out)
        loaded.run(progress=False)  # read again (typed lines here), then the edits replayed
    assert len(loaded.edits) == len(case.edits) == 6
    cols = ["line", "text", "kind", "place_id"]
    assert loaded.candidates[cols].values.tolist() == edited[cols].values.tolist()
    assert loaded.verdict.posterior == pytest.approx(case.verdict.posterior)
    # an edit of a line that is no longer read is named in a warning, the others still apply
    loaded.typed_evidence = [t for t in LINES if t != "zzzq"]
    with pytest.warns(gv.GeoverifyWarning, match="1 of 6 edits by hand no longer apply"):
        loaded.run(progress=False)
    assert "Quetta" in " ".join(
        loaded.candidates.loc[loaded.candidates["kind"] == "signage", "text"]
    )


def test_review_displays_escape_hostile_lines(gazetteer):
    from .test_hostile import PAYLOADS

    r = gv.review(gv.match_places(PAYLOADS, gazetteer), "PoK", gazetteer=gazetteer, user="<b>x")
    r.set_kind(0, "banner", why="<script>alert(1)</script>")
    shown = [r._repr_html_()]
    if __import__("importlib").util.find_spec("anywidget"):
        from geoverify._review_widget import verdict_html

        shown.append(verdict_html(r))
    for html in shown:
        assert "<script" not in html and "<img" not in html and "\u202e" not in html
        assert "${" not in html and "`" not in html and "{{" not in html


def test_widget_shows_the_crop_of_each_line(gazetteer):
    pytest.importorskip("anywidget", reason="the notebook extra is not installed")
    import numpy as np
    import pandas as pd

    image = np.full((60, 200, 3), 255, "uint8")
    frames = gv.FrameSet([gv.Frame(image=image, t=1.0, reason="test")])
    texts = pd.DataFrame(
        [{"text": "Kargil", "frame": 0, "t": 1.0, "x0": 10, "y0": 10, "x1": 90, "y1": 40}]
    )
    r = gv.review(gv.match_places(texts, gazetteer), "Ladakh", frames=frames)
    (line,) = r.widget.lines
    assert line["crop"].startswith("data:image/")
    r2 = gv.review(gv.match_places(texts, gazetteer), "Ladakh")  # no frames: no crop
    assert r2.widget.lines[0]["crop"] == ""
