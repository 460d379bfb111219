"""Gazetteer loaders (GeoNames dumps, OSM, Nominatim), bad input, the fast index and its files.

Everything is local: files written here, and HTTP servers on 127.0.0.1.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
import urllib.parse
import warnings
import zipfile
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

import geoverify as gv
from geoverify.exceptions import BadRowsWarning, DataUnavailableError, GazetteerError
from geoverify.gazetteer.geonames import load_geonames_dump, write_geonames_table

KARGIL = {
    "geonameid": 1267776,
    "name": "Kargil",
    "asciiname": "Kargil",
    "alternatenames": ["Kargil", "کارگل", "krghyl"],
    "latitude": 34.55765,
    "longitude": 76.12622,
    "feature_class": "P",
    "feature_code": "PPL",
    "country_code": "IN",
    "admin1_code": "41",
    "population": 16338,
    "timezone": "Asia/Kolkata",
    "modification_date": "2024-01-01",
}
SRINAGAR = {
    **KARGIL,
    "geonameid": 1255634,
    "name": "Srinagar",
    "asciiname": "Srinagar",
    "alternatenames": "",
    "latitude": 34.08565,
    "longitude": 74.80555,
    "feature_code": "PPLA",
    "admin1_code": "12",
    "population": 975857,
}
JAMIA = {
    **SRINAGAR,
    "geonameid": 9000001,
    "name": "Jamia Masjid",
    "asciiname": "Jamia Masjid",
    "latitude": 34.0963,
    "longitude": 74.8103,
    "feature_class": "S",
    "feature_code": "MSQE",
    "population": 0,
}
ALT_NAMES = (
    "1\t1267776\tur\tکرگل\t1\t\t\t\t\t\n"
    "2\t1267776\tpost\t194103\t\t\t\t\t\t\n"
    "3\t1255634\tur\tسری نگر\t\t\t\t\t\t\n"
    "4\t1255634\tlink\thttps://en.wikipedia.org/wiki/Srinagar\t\t\t\t\t\t\n"
    "5\t1255634\tde\tSrinagar-Deutsch\t\t\t\t\t\t\n"
    "6\t1255634\t\tSirinagar\t\t\t\t1\t\t\n"
)


@pytest.fixture
def http_root(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield root, f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def _dump_zip(path, rows, member="IN.txt"):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(member, write_geonames_table(rows))
        zf.writestr("readme.txt", "GeoNames readme")
    return path


def _alt_zip(path):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("alternateNamesV2.txt", ALT_NAMES)
        zf.writestr("iso-languagecodes.txt", "ISO 639-3\tISO 639-2\tISO 639-1\tLanguage Name\n")
    return path


# --------------------------------------------------------------------------- GeoNames


def test_geonames_txt_with_bad_lines_reports_file_and_line(tmp_path):
    good = write_geonames_table([KARGIL, SRINAGAR, JAMIA]).encode()
    bad = (
        b"a line that is not a GeoNames row\n"
        b"100\tNowhere\tNowhere\t\tnorth\t74.0\tP\tPPL\tIN\t\t12\t\t\t\t0\t\t\t\t\n"
        + "101\tBad \xff name\tx\t\t34.0\t74.0\tP\tPPL\tIN\t\t12\t\t\t\t0\t\t\t\t\n".encode(
            "latin-1"
        )
    )
    p = tmp_path / "IN.txt"
    p.write_bytes(good + bad)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        gaz = gv.load_gazetteer(p)
    text = "\n".join(str(w.message) for w in rec)
    assert "IN.txt, line 4: expected 19 tab-separated columns" in text
    assert "IN.txt, line 5: non-numeric coordinates" in text
    assert "IN.txt, line 6: invalid UTF-8" in text and "line 6: name contains undecodable" in text
    assert len(gaz) == 3 and len(gaz.bad_rows) >= 3
    row = gaz.places.set_index("id").loc["geonames:9000001"]
    assert row["kind"] == "mosque" and row["feature_code"] == "S.MSQE"
    assert gaz.places.set_index("id").loc["geonames:1255634", "admin1"] == "12"
    assert gaz.search("کارگل", k=1)["id"].iloc[0] == "geonames:1267776"


def test_geonames_wrong_format_names_file_and_line(tmp_path):
    p = tmp_path / "IN.txt"
    p.write_text("id,name,lat,lon\n1,Kargil,34.5,76.1\n2,Leh,34.1,77.5\n3,Drass,34.4,75.7\n")
    with pytest.raises(GazetteerError, match=r"IN\.txt, line 1: not a GeoNames main table"):
        gv.load_gazetteer(p)
    z = tmp_path / "PK.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("readme.txt", "only a readme")
    with pytest.raises(GazetteerError, match="PK.zip"):
        gv.load_gazetteer(z)
    notzip = tmp_path / "cities500.zip"
    notzip.write_bytes(b"not a zip")
    with pytest.raises(GazetteerError, match="not a readable zip"):
        gv.load_gazetteer(notzip)


def test_geonames_zip_with_alternate_names_and_languages(tmp_path):
    z = _dump_zip(tmp_path / "IN.zip", [KARGIL, SRINAGAR, JAMIA])
    alt = _alt_zip(tmp_path / "alternateNamesV2.zip")
    gaz = gv.load_gazetteer(z, alternate_names=alt)
    places = gaz.places.set_index("id")
    kargil = places.loc["geonames:1267776"]
    assert "کرگل" in kargil["alt_names"] and kargil["name_ur"] == "کرگل"
    assert "194103" not in kargil["alt_names"]  # postal codes are not names
    srinagar = places.loc["geonames:1255634"]
    assert "سری نگر" in srinagar["alt_names"] and "Sirinagar" in srinagar["alt_names"]
    assert not any(a.startswith("http") for a in srinagar["alt_names"])  # links dropped
    assert "Srinagar-Deutsch" not in srinagar["alt_names"]  # German not kept by default
    assert "Sirinagar: historic" in srinagar["name_notes"]
    assert any("alternateNamesV2" in s for s in gaz.sources)
    assert gaz.search("کرگل", k=1)["id"].iloc[0] == "geonames:1267776"
    assert gaz.search("سری نگر", k=1)["id"].iloc[0] == "geonames:1255634"
    everything = load_geonames_dump(z, alternate_names=alt, languages="all")
    assert (
        "Srinagar-Deutsch" in everything.places.set_index("id").loc["geonames:1255634", "alt_names"]
    )
    only_spots = load_geonames_dump(z, feature_classes="S")
    assert list(only_spots.places["id"]) == ["geonames:9000001"]


def test_alternate_names_wrong_format(tmp_path):
    z = _dump_zip(tmp_path / "IN.zip", [KARGIL])
    bad = tmp_path / "alternateNamesV2.txt"
    bad.write_text("x,y\n1,2\n3,4\n5,6\n")
    with pytest.raises(GazetteerError, match=r"alternateNamesV2.txt, line 1: not a GeoNames alt"):
        gv.load_gazetteer(z, alternate_names=bad)


def test_geonames_dump_through_data_module_from_loopback(http_root, tmp_path, monkeypatch):
    root, url = http_root
    _dump_zip(root / "IN.zip", [KARGIL, SRINAGAR])
    _alt_zip(root / "alternateNamesV2.zip")
    # offline and nothing cached: a clear error naming the fix
    with pytest.raises(DataUnavailableError, match="GEOVERIFY_DATA_DIR"):
        gv.load_gazetteer("geonames:IN")
    monkeypatch.setattr(gv.settings, "allow_downloads", True)
    gaz = gv.load_gazetteer("geonames:IN", url=f"{url}/IN.zip")
    assert len(gaz) == 2
    rec = gv.data.fetched()["geonames_IN"]
    assert rec["url"].endswith("/IN.zip") and len(rec["sha256"]) == 64
    # later: offline, from the cache
    monkeypatch.setattr(gv.settings, "allow_downloads", False)
    assert len(gv.load_gazetteer("geonames:IN")) == 2
    # air-gapped: a local folder holding the published file names
    local = tmp_path / "geodata"
    local.mkdir()
    (local / "PK.txt").write_text(
        write_geonames_table([{**KARGIL, "geonameid": 5, "country_code": "PK"}])
    )
    monkeypatch.setattr(gv.settings, "data_dir", str(local))
    assert list(gv.load_gazetteer("geonames:PK").places["id"]) == ["geonames:5"]
    with pytest.raises(GazetteerError, match="not a GeoNames dump"):
        gv.load_gazetteer("geonames:Atlantis")


def test_geonames_alternate_names_fetched_too(http_root, monkeypatch):
    root, url = http_root
    _dump_zip(root / "IN.zip", [KARGIL])
    _alt_zip(root / "alternateNamesV2.zip")
    monkeypatch.setattr(gv.settings, "allow_downloads", True)
    monkeypatch.setitem(
        gv.data.DATASETS,
        "geonames_alternate_names",
        gv.data.Dataset(
            "geonames_alternate_names",
            f"{url}/alternateNamesV2.zip",
            "alternateNamesV2",
            "GeoNames alternate names",
            "CC BY 4.0 (GeoNames)",
        ),
    )
    monkeypatch.setitem(
        gv.data.DATASETS,
        "geonames_IN",
        gv.data.Dataset("geonames_IN", f"{url}/IN.zip", "IN", "GeoNames IN", "CC BY 4.0"),
    )
    gaz = gv.load_gazetteer("geonames:IN", alternate_names=True)
    assert gaz.places["name_ur"].iloc[0] == "کرگل"


# --------------------------------------------------------------------------- OpenStreetMap

OVERPASS = {
    "version": 0.6,
    "osm3s": {"timestamp_osm_base": "2024-08-01T00:00:00Z"},
    "elements": [
        {
            "type": "node",
            "id": 1,
            "lat": 34.5571,
            "lon": 76.1301,
            "tags": {
                "name": "Khomeini Chowk",
                "name:ur": "خمینی چوک",
                "alt_name": "Imam Khomeini Chowk;Khumaini Chowk",
                "junction": "roundabout",
            },
        },
        {
            "type": "way",
            "id": 2,
            "center": {"lat": 34.5582, "lon": 76.1288},
            "bounds": {"minlat": 34.557, "minlon": 76.127, "maxlat": 34.559, "maxlon": 76.131},
            "tags": {"name": "Main Bazaar Road", "name:ur": "مین بازار روڈ", "highway": "primary"},
        },
        {
            "type": "node",
            "id": 3,
            "lat": 34.556,
            "lon": 76.127,
            "tags": {
                "name": "Jamia Masjid",
                "amenity": "place_of_worship",
                "religion": "muslim",
                "old_name": "Jama Masjid",
            },
        },
        {"type": "node", "id": 4, "lat": 34.55, "lon": 76.12, "tags": {"highway": "crossing"}},
        {"type": "way", "id": 5, "tags": {"name": "Way without centre", "highway": "track"}},
        {
            "type": "node",
            "id": 6,
            "lat": 34.55765,
            "lon": 76.12622,
            "tags": {"name": "Kargil", "name:en": "Kargil", "name:ur": "کرگل", "place": "town"},
        },
    ],
}


def test_overpass_json(tmp_path):
    p = tmp_path / "kargil.json"
    p.write_text(json.dumps(OVERPASS, ensure_ascii=False), encoding="utf-8")
    with pytest.warns(BadRowsWarning, match=r"way/5.*out center"):
        gaz = gv.load_gazetteer(p)
    places = gaz.places.set_index("id")
    assert set(places.index) == {"osm:node/1", "osm:way/2", "osm:node/3", "osm:node/6"}
    assert places.loc["osm:node/1", "kind"] == "chowk"
    assert places.loc["osm:way/2", "kind"] == "road"
    assert places.loc["osm:node/3", "kind"] == "mosque"
    assert places.loc["osm:node/6", "kind"] == "populated_place"
    assert "Jama Masjid" in places.loc["osm:node/3", "alt_names"]
    assert "Khumaini Chowk" in places.loc["osm:node/1", "alt_names"]
    assert places.loc["osm:node/1", "name_ur"] == "خمینی چوک"
    assert 100 < places.loc["osm:way/2", "uncertainty_m"] < 400
    assert "ODbL" in places.loc["osm:node/1", "source"]
    assert any("1 element(s) without any name" in b for b in gaz.bad_rows)
    assert gaz.search("خمینی چوک", k=1)["id"].iloc[0] == "osm:node/1"
    assert gaz.search("Khomeni Chowk", k=1)["id"].iloc[0] == "osm:node/1"


def test_overpass_bad_json(tmp_path):
    p = tmp_path / "broken.json"
    p.write_text('{"elements": [', encoding="utf-8")
    with pytest.raises(GazetteerError, match="broken.json"):
        gv.load_gazetteer(p)


def test_osm_geojson_export(tmp_path):
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "node/10",
                "properties": {"@id": "node/10", "name": "Lal Chowk", "name:ur": "لال چوک"},
                "geometry": {"type": "Point", "coordinates": [74.8095, 34.0696]},
            },
            {
                "type": "Feature",
                "properties": {"@id": "way/11", "name": "Zadibal", "place": "suburb"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[74.80, 34.08], [74.81, 34.08], [74.81, 34.09], [74.80, 34.08]]
                    ],
                },
            },
        ],
    }
    p = tmp_path / "export.geojson"
    p.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    gaz = gv.load_gazetteer(p)
    places = gaz.places.set_index("id")
    assert places.loc["osm:node/10", "kind"] == "chowk"
    assert places.loc["osm:way/11", "kind"] == "neighbourhood"
    assert gaz.search("لال چوک", k=1)["id"].iloc[0] == "osm:node/10"


# --------------------------------------------------------------------------- Nominatim


class _NominatimHandler(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[dict]] = []

    def log_message(self, *args, **kwargs):  # quiet
        pass

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        type(self).hits.append({"path": url.path, "q": q, "ua": self.headers.get("User-Agent")})
        if url.path != "/search":
            self.send_response(404)
            self.end_headers()
            return
        results = []
        if "kargil" in q.get("q", [""])[0].lower():
            results = [
                {
                    "place_id": 1,
                    "osm_type": "node",
                    "osm_id": 6,
                    "lat": "34.55765",
                    "lon": "76.12622",
                    "class": "place",
                    "type": "town",
                    "display_name": "Kargil, Kargil District, Ladakh, India",
                    "boundingbox": ["34.39", "34.72", "75.96", "76.29"],
                    "importance": 0.6,
                    "address": {"town": "Kargil", "state": "Ladakh", "country_code": "in"},
                    "namedetails": {"name": "Kargil", "name:ur": "کرگل", "name:hi": "कारगिल"},
                },
                {
                    "place_id": 2,
                    "osm_type": "node",
                    "osm_id": 1,
                    "lat": "34.5571",
                    "lon": "76.1301",
                    "class": "highway",
                    "type": "traffic_signals",
                    "display_name": "Khomeini Chowk, Kargil, Ladakh, India",
                    "address": {"country_code": "in"},
                    "namedetails": {"name": "Khomeini Chowk", "name:ur": "خمینی چوک"},
                },
            ]
        body = json.dumps(results).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def nominatim_server():
    _NominatimHandler.hits = []
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NominatimHandler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"127.0.0.1:{srv.server_address[1]}", _NominatimHandler.hits
    srv.shutdown()


def test_nominatim_through_geopy_rate_limited_and_cached(nominatim_server, monkeypatch):
    from geoverify.gazetteer.geocoder import NominatimSource

    domain, hits = nominatim_server
    monkeypatch.setattr(gv.settings, "allow_downloads", True)
    monkeypatch.setattr(gv.settings, "user_agent", "geoverify-tests/1.0")
    src = NominatimSource(domain=domain, scheme="http", min_delay_seconds=0.05)
    gaz = src.gazetteer(["Kargil", "Khomeini Chowk, Kargil", "Nowhere at all"])
    assert len(hits) == 3 and src.requests == 3
    assert all(h["path"] == "/search" and h["ua"] == "geoverify-tests/1.0" for h in hits)
    assert hits[0]["q"]["namedetails"] == ["1"] and hits[0]["q"]["format"][0].startswith("json")
    places = gaz.places.set_index("id")
    assert set(places.index) == {"osm:node/6", "osm:node/1"}
    town = places.loc["osm:node/6"]
    assert town["kind"] == "populated_place" and town["country"] == "IN"
    assert town["admin1_name"] == "Ladakh" and "کرگل" in town["alt_names"]
    assert town["uncertainty_m"] > 5000  # from the bounding box
    assert "Nominatim" in town["source"] and "ODbL" in town["source"]
    assert places.loc["osm:node/1", "kind"] == "chowk"
    assert gaz.search("خمینی چوک", k=1)["id"].iloc[0] == "osm:node/1"
    # cached: asking again sends nothing, and works offline
    monkeypatch.setattr(gv.settings, "allow_downloads", False)
    again = gv.load_gazetteer(
        "nominatim", queries=["Kargil"], domain=domain, scheme="http", min_delay_seconds=0.05
    )
    assert len(hits) == 3 and "osm:node/6" in set(again.places["id"])
    with pytest.raises(DataUnavailableError, match="not cached"):
        NominatimSource(domain=domain, scheme="http").search("Leh")


def test_nominatim_server_down(monkeypatch):
    from geoverify.gazetteer.geocoder import NominatimSource

    monkeypatch.setattr(gv.settings, "allow_downloads", True)
    src = NominatimSource(domain="127.0.0.1:9", scheme="http", min_delay_seconds=0.0, timeout=2)
    with pytest.raises(GazetteerError, match="127.0.0.1:9"):
        src.search("Kargil")


# --------------------------------------------------------------------------- bad input


def test_swapped_lat_lon_warns_and_keeps_rows(tmp_path):
    p = tmp_path / "swapped.csv"
    p.write_text(
        "id,name,lat,lon,country\n"
        "1,Kargil,76.12622,34.55765,IN\n"
        "2,Srinagar,74.80555,34.08565,IN\n"
        "3,Leh,77.58402,34.16504,IN\n"
        "4,Muzaffarabad,73.47082,34.37002,PK\n",
        encoding="utf-8",
    )
    with pytest.warns(BadRowsWarning, match=r"swapped.csv: 4 of 4 points lie outside.*swapped"):
        gaz = gv.load_gazetteer(p)
    assert len(gaz) == 4
    fixed = gv.load_gazetteer(p, columns={"lat": "lon", "lon": "lat"})
    assert fixed.places["lat"].between(30, 40).all()


def test_csv_missing_columns_names_file(tmp_path):
    p = tmp_path / "places.csv"
    p.write_text("name,latitude\nKargil,34.5\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"places.csv: missing required column\(s\) id, lon"):
        gv.load_gazetteer(p)


def test_bad_rows_can_raise(tmp_path):
    df = pd.DataFrame(
        {"id": ["a", "b"], "name": ["Kargil", ""], "lat": [34.5, 34], "lon": [76, 74]}
    )
    with pytest.raises(GazetteerError, match="line 3: empty name"):
        gv.Gazetteer.from_dataframe(df, on_bad_rows="raise")
    with pytest.raises(gv.OptionError, match="on_bad_rows"):
        gv.Gazetteer.from_dataframe(df, on_bad_rows="drop")


# --------------------------------------------------------------------------- index


@pytest.fixture(scope="module")
def cities15000():
    gaz = gv.load_gazetteer("geonames:cities15000")
    gaz.build_index()
    return gaz


QUERIES = [
    "Srinagar",
    "سری نگر",
    "Muzafarabad",
    "مظفرآباد",
    "Rawalpindi",
    "راولپنڈی",
    "Quetta",
    "کوئٹہ",
    "Lahor",
    "Karachi",
    "Gilgit",
    "Springfield",
    "Frankfurt am Main",
    "Sao Paulo",
]


def test_fast_index_agrees_with_exhaustive(cities15000):
    assert len(cities15000.index) > 30_000  # the n-gram path, not the small-gazetteer shortcut
    agree = 0
    for q in QUERIES:
        fast = cities15000.search(q, k=3)
        full = cities15000.search(q, k=3, exhaustive=True)
        assert fast["score"].iloc[0] == pytest.approx(full["score"].iloc[0]), q
        agree += fast["id"].iloc[0] == full["id"].iloc[0]
    assert agree >= len(QUERIES) - 1
    assert cities15000.search("کوئٹہ", k=1)["name"].iloc[0] == "Quetta"
    assert cities15000.search("Rawalpindi", country="PK", k=1)["country"].iloc[0] == "PK"


def test_save_and_load_round_trip(cities15000, tmp_path):
    path = cities15000.save(tmp_path / "c15000")
    assert path.suffix == ".npz" and path.exists()
    back = gv.load_gazetteer(path)
    assert len(back) == len(cities15000) and back._index is not None
    pd.testing.assert_frame_equal(
        pd.DataFrame(back.places.drop(columns="geometry")).astype(str),
        pd.DataFrame(cities15000.places.drop(columns="geometry")).astype(str),
    )
    for q in QUERIES[:6]:
        a = cities15000.search(q, k=5)
        b = back.search(q, k=5)
        assert list(a["id"]) == list(b["id"]) and np.allclose(a["score"], b["score"])
    assert back.specificity("Springfield") == cities15000.specificity("Springfield") < 0.5
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not a zip")
    with pytest.raises(GazetteerError, match="broken.npz"):
        gv.Gazetteer.load(broken)


def test_bundled_save_load(gazetteer, tmp_path):
    back = gv.Gazetteer.load(gazetteer.save(tmp_path / "bundled.npz"))
    for q in ("کرگل", "Khomeni Chowk", "لال چوک"):
        assert list(back.search(q)["id"]) == list(gazetteer.search(q)["id"])
    assert back.specificity("Lal Chowk") == pytest.approx(1 / 3)


# --------------------------------------------------------------------------- merge, spot, html


def test_merge_log_and_find_duplicates(gazetteer):
    extra = gv.Gazetteer.from_dataframe(
        pd.DataFrame(
            {
                "id": ["osm:node/6", "osm:node/99"],
                "name": ["کرگل", "Somewhere Else"],
                "alt_names": [["Kargil"], []],
                "lat": [34.5575, 30.0],
                "lon": [76.1265, 70.0],
                "source": ["test", "test"],
            }
        )
    )
    merged = gazetteer.merge(extra, dedupe_m=1000)
    assert len(merged) == len(gazetteer) + 1
    log = merged.merge_log.set_index("merged_id")
    assert log.loc["osm:node/6", "kept_id"] == "geonames:1267776"
    assert log.loc["osm:node/6", "distance_m"] < 1000
    dup = gv.Gazetteer.from_dataframe(
        pd.DataFrame(
            {
                "id": ["a", "b", "c"],
                "name": ["Hattian Bala"] * 3,
                "lat": [34.17, 34.171, 35.0],
                "lon": [73.74, 73.741, 73.0],
            }
        )
    ).find_duplicates(within_m=500)
    assert list(zip(dup["id_a"], dup["id_b"])) == [("a", "b")]


def test_spot_names_in_longer_lines(gazetteer):
    s = gazetteer.spot("Anjuman Jamiyat Ulama Isna Asharia Kargil")
    assert "landmark:kargil-ajuiak-seat" in set(s["id"])
    s = gazetteer.spot("Hazara Town Quetta")
    spans = dict(zip(s["id"], s["span"]))
    assert spans.get("landmark:quetta-hazara-town") == "Hazara Town"
    assert spans.get("geonames:1167528") == "Quetta"
    s = gazetteer.spot("We condemn the killing of Hazara Shias in Quetta")
    assert "geonames:1167528" in set(s["id"])
    assert not set(s["span"]) & {"in", "of", "the"}


def test_repr_html_escapes(gazetteer):
    df = pd.DataFrame(
        {"id": ["x"], "name": ["<script>alert(1)</script>"], "lat": [34.0], "lon": [74.0]}
    )
    html = gv.Gazetteer.from_dataframe(df)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Urdu/Arabic names" in gazetteer._repr_html_()


def test_replacing_places_drops_the_index(gazetteer):
    gaz = gazetteer.merge()  # a copy
    assert gaz.search("Lal Chowk", k=1)["score"].iloc[0] == 100
    gaz.places = gaz.places[gaz.places["country"] == "PK"]
    res = gaz.search("Lal Chowk", k=3)
    assert set(res["country"]) == {"PK"} and res["id"].iloc[0] == "landmark:muzaffarabad-lal-chowk"
    gaz.places.loc[0, "name"] = "Renamed Place"
    assert gaz.build_index(force=True).search("Renamed Place", k=1)["score"].iloc[0] == 100


def test_load_gazetteer_refuses_options_its_source_does_not_take():
    with pytest.raises(gv.OptionError, match="did you mean 'on_bad_rows'"):
        gv.load_gazetteer(
            pd.DataFrame({"name": ["Kargil"], "lat": [34.56], "lon": [76.13]}), on_bad_row="warn"
        )
    with pytest.raises(gv.OptionError, match="bundled gazetteer has no option 'countries'"):
        gv.load_gazetteer(None, countries=["PK"])


def test_gazetteer_sources_are_a_registry():
    from geoverify.gazetteer import gazetteer_sources, register_gazetteer_source
    from geoverify.gazetteer import sources as src

    assert {"bundled", "geonames", "nominatim"} <= set(gazetteer_sources())
    seen = {}

    def desk(name, options):
        seen[name] = options
        table = pd.DataFrame({"id": ["d1"], "name": ["Desk Chowk"], "lat": [34.5], "lon": [76.1]})
        return gv.Gazetteer.from_dataframe(table, name=name)

    register_gazetteer_source("desk", desk)
    try:
        gaz = gv.load_gazetteer("desk:kargil", region="ladakh")
        assert gaz.name == "desk:kargil" and seen == {"desk:kargil": {"region": "ladakh"}}
        assert "desk" in gazetteer_sources()
    finally:
        src._SOURCES.pop("desk")
    with pytest.raises(gv.OptionError, match="without ':'"):
        register_gazetteer_source("a:b", desk)
    with pytest.raises(gv.GazetteerError, match="bundled, geonames, nominatim"):
        gv.load_gazetteer("no-such-source")
    with pytest.raises(gv.OptionError, match="bundled gazetteer has no option 'on_bad_row'"):
        gv.load_gazetteer("bundled", on_bad_row="raise")
