import geopandas as gpd
import pytest

import geoverify as gv
import geoverify.verify

FOUNDING = [
    "انجمن جمعیت العلماء اثنا عشریہ کرگل",
    "Anjuman Jamiyat Ulama Isna Asharia Kargil",
    "خمینی چوک",
    "KHOMEINI CHOWK",
    "لال چوک",
    "We condemn the killing of Hazara Shias in Quetta",
]


def test_founding_case_contradicted_admin_codes(gazetteer):
    c = gv.match_places(FOUNDING, gazetteer)
    v = gv.test_claim(c, "PoK")
    assert v.label == "contradicted"
    assert v.best_region == "india-administered-jammu-and-kashmir"
    assert v.posterior[v.claim] < 0.05
    assert len(v.clusters) >= 1 and "Khomeini Chowk" in v.clusters.iloc[0]["place_names"]
    slogan = v.evidence[v.evidence["text"].str.contains("Quetta")].iloc[0]
    assert slogan["kind"] == "slogan" and slogan["weight"] < 0.2
    text = v.explain()
    assert "CONTRADICTED" in text and "slogan" in text and "What would change" in text
    assert v.to_dict()["label"] == "contradicted"


def test_founding_case_with_polygons(gazetteer, ne_regions):
    c = gv.match_places(FOUNDING, gazetteer)
    v = gv.test_claim(c, "Pakistan-occupied Kashmir", regions=ne_regions)
    assert v.label == "contradicted" and v.best_region == "india-administered-jammu-and-kashmir"
    assert "Natural Earth" in v.region_source


def test_claim_ladakh_supported(gazetteer):
    v = gv.test_claim(gv.match_places(FOUNDING, gazetteer), "Ladakh")
    assert v.label == "supported" and v.best_region == "ladakh"


def test_quetta_banner_alone_does_not_place_the_video_in_quetta(gazetteer):
    v = gv.test_claim(
        gv.match_places(["We condemn the killing of Hazara Shias in Quetta"], gazetteer), "PoK"
    )
    assert v.label == "inconclusive"


def test_ambiguous_landmark_is_inconclusive(gazetteer):
    v = gv.test_claim(gv.match_places(["Lal Chowk"], gazetteer), "PoK")
    assert v.label == "inconclusive"


def test_empty_evidence(gazetteer):
    for ev in ([], ["RECONSTRUCTION"]):
        v = gv.test_claim(gv.match_places(ev, gazetteer), "PoK")
        assert v.label == "inconclusive" and "no usable evidence" in " ".join(v.reasons)


def test_investigator_sets_kind(gazetteer):
    c = gv.match_places(["Hazara Shias in Quetta", "Alamdar Road"], gazetteer)
    v1 = gv.test_claim(c, "Balochistan")
    c2 = gv.set_kind(c, 0, "slogan")
    v2 = gv.test_claim(c2, "Balochistan")
    assert v2.posterior["balochistan"] < v1.posterior["balochistan"]


def test_crs_handling(gazetteer):
    c = gv.match_places(FOUNDING, gazetteer)
    v_merc = gv.test_claim(c.to_crs(3857), "PoK")
    assert v_merc.label == "contradicted"
    nocrs = c.set_crs(None, allow_override=True)
    assert nocrs.crs is None
    with pytest.warns(gv.GeoverifyWarning, match="no CRS"):
        v = gv.test_claim(nocrs, "PoK")
    assert v.label == "contradicted"


def test_unknown_claim(gazetteer):
    with pytest.raises(gv.UnknownRegionError, match="Known regions"):
        gv.test_claim(gv.match_places(FOUNDING, gazetteer), "Atlantis")


def test_deterministic(gazetteer):
    c = gv.match_places(FOUNDING, gazetteer)
    a, b = gv.test_claim(c, "PoK").to_dict(), gv.test_claim(c, "PoK").to_dict()
    assert a == b


def test_polygon_uncertainty_split_across_the_loc(ne_regions):
    import shapely

    # a place known only as a 40 km wide area straddling the Line of Control near Kargil
    area = shapely.Point(75.95, 34.62).buffer(0.25)
    c = gpd.GeoDataFrame(
        {
            "item": [0],
            "text": ["somewhere"],
            "kind": ["signage"],
            "score": [100.0],
            "specificity": [1.0],
            "name": ["x"],
            "place_id": ["x"],
            "country": [""],
            "admin1": [""],
            "uncertainty_m": [float("nan")],
        },
        geometry=[area],
        crs=4326,
    )
    shares = gv.verify.region_shares(c, ne_regions).iloc[0]
    assert 0.05 < shares["pakistan-administered-kashmir"] < 0.95
    assert 0.05 < shares["india-administered-jammu-and-kashmir"] < 0.95


def test_invalid_geometry_is_repaired(gazetteer):
    import shapely

    bowtie = shapely.Polygon([(76.0, 34.5), (76.2, 34.6), (76.2, 34.5), (76.0, 34.6)])
    c = gpd.GeoDataFrame(
        {
            "item": [0],
            "text": ["Kargil"],
            "kind": ["signage"],
            "score": [100.0],
            "specificity": [1.0],
            "name": ["x"],
            "place_id": ["x"],
            "country": ["IN"],
            "admin1": ["41"],
            "uncertainty_m": [float("nan")],
        },
        geometry=[bowtie],
        crs=4326,
    )
    with pytest.warns(gv.GeoverifyWarning, match="repaired"):
        v = gv.test_claim(c, "Ladakh")
    assert v.best_region == "ladakh"


def test_explicit_alternatives(gazetteer):
    c = gv.match_places(FOUNDING, gazetteer)
    v = gv.test_claim(c, "AJK", alternatives=["Ladakh", "Gilgit-Baltistan"])
    assert list(v.table["hypothesis"]) == [
        "azad-kashmir",
        "ladakh",
        "gilgit-baltistan",
        "elsewhere",
    ]
    assert v.label == "contradicted" and v.best_region == "ladakh"


def test_a_regions_table_is_used_or_said_not_to_be(gazetteer, ne_regions):
    """A regions table without polygons is reported as admin codes, not as 'given regions';
    ids outside the hierarchy raise, naming them, not silently dropped."""
    import pandas as pd

    cands = gv.match_places(pd.DataFrame({"text": ["Khomeini Chowk Kargil"]}), gazetteer)
    no_poly = ne_regions.copy()
    no_poly.attrs = {}
    no_poly["geometry"] = None
    v = gv.test_claim(cands, "PoK", regions=no_poly)
    assert v.region_source == "admin-1 codes (the regions given have no polygons)"
    odd = ne_regions.copy()
    odd.loc[odd.index[0], "id"] = "atlantis"
    with pytest.raises(gv.UnknownRegionError, match="'atlantis'"):
        gv.test_claim(cands, "PoK", regions=odd)
    v = gv.test_claim(cands, "PoK", regions=ne_regions)
    assert v.region_source.startswith("Natural Earth")


def test_a_complement_hypothesis_is_named_as_the_region_left(gazetteer):
    """A Gilgit-Baltistan claim against Muzaffarabad evidence: the alternative inside
    Pakistan-administered Kashmir is Azad Kashmir, and is called so."""
    import pandas as pd

    cands = gv.match_places(pd.DataFrame({"text": ["Muzaffarabad"]}), gazetteer)
    v = gv.test_claim(cands, "Gilgit-Baltistan")
    names = dict(zip(v.table["hypothesis"], v.table["name"]))
    assert (
        names["pakistan-administered-kashmir-excluding-gilgit-baltistan"]
        == "Azad Jammu and Kashmir"
    )
    assert v.best_region_name == "Azad Jammu and Kashmir"


def test_candidate_tables_concatenate_and_keep_their_lines(gazetteer):
    """pd.concat of candidate tables works (issue 13): the line table is kept as records."""
    import pandas as pd

    a = gv.match_places(["Kargil", "Lal Chowk Kargil", "no place here"], gazetteer)
    both = pd.concat([a, a])
    assert len(both) == 2 * len(a)
    assert both.attrs["items"] == a.attrs["items"]  # the same lines: attrs kept
    lines = gv.line_table(a)
    assert list(lines["text"]) == ["Kargil", "Lal Chowk Kargil", "no place here"]
    assert lines.loc[2, "n_candidates"] == 0  # a line that named nothing is still listed
    b = gv.match_places(["Skardu"], gazetteer)
    mixed = pd.concat([a, b])  # different lines: pandas drops the attrs, the rows carry keys
    assert set(gv.line_table(mixed)["line"]) == set(a["line"]) | set(b["line"])
    with pytest.warns(gv.GeoverifyWarning, match="numbers the lines anew"):
        v = gv.test_claim(mixed, "PoK")
    assert len(v.evidence) == 3  # Kargil, Lal Chowk Kargil and Skardu: none merged into another
    assert v.evidence["item"].is_unique


def test_line_keys_are_stable_handles_for_set_kind(gazetteer):
    texts = ["Hazara Town Quetta", "Anjuman Jamiyat Ulama Isna Asharia Kargil", "Kargil"]
    a = gv.match_places(texts, gazetteer)
    b = gv.match_places(list(reversed(texts)), gazetteer)  # other item numbers, same keys
    key = a.loc[a["text"] == "Hazara Town Quetta", "line"].iloc[0]
    assert (
        key
        == b.loc[b["text"] == "Hazara Town Quetta", "line"].iloc[0]
        == gv.line_key({"text": "Hazara Town Quetta"})
    )
    for cands in (a, b):
        out = gv.set_kind(cands, key, "signage")
        lines = gv.line_table(out).set_index("text")
        assert lines.loc["Hazara Town Quetta", "kind"] == "signage"
        before = gv.line_table(cands).set_index("text")
        assert lines.loc["Kargil", "kind"] == before.loc["Kargil", "kind"]  # others untouched
        assert set(out.loc[out["line"] == key, "kind"]) == {"signage"}
    with pytest.raises(gv.InputError, match="no evidence line"):
        gv.set_kind(a, "Lnothing00", "slogan")
    with pytest.raises(gv.InputError, match="no evidence line"):
        gv.set_kind(a, 99, "slogan")


def test_set_kind_by_pattern_demotes_the_quetta_banner(gazetteer):
    """The README's example: the lines that name Quetta are slogans, found by their words."""
    texts = [
        {"text": "Hazara Town Quetta", "kind": "signage"},
        "Anjuman Jamiyat Ulama Isna Asharia Kargil",
        "Lal Chowk Kargil",
    ]
    cands = gv.match_places(texts, gazetteer)
    out = gv.set_kind(cands, where="quetta|کوئٹہ", kind="slogan")
    kinds = gv.line_table(out).set_index("text")["kind"]
    assert kinds["Hazara Town Quetta"] == "slogan"
    assert (
        kinds["Lal Chowk Kargil"]
        == gv.line_table(cands).set_index("text")["kind"]["Lal Chowk Kargil"]
    )
    with pytest.raises(gv.InputError, match="matches"):
        gv.set_kind(cands, where="Timbuktu", kind="slogan")
    assert gv.infer_kind("March to Kargil") == gv.infer_kind("کرگل چلو") == "slogan"
