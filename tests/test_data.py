import functools
import http.server
import threading
import zipfile

import pytest

import geoverify as gv
from geoverify import data


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


def test_fetch_from_loopback_records_hash(http_root, shared, monkeypatch):
    root, url = http_root
    z = root / "ne_10m_admin_0_disputed_areas.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(
            shared / "regions" / "ne_10m_admin_0_disputed_areas.geojson",
            "ne_10m_admin_0_disputed_areas.geojson",
        )
    monkeypatch.setattr(gv.settings, "allow_downloads", True)
    path = data.fetch("ne_10m_admin_0_disputed_areas", url=f"{url}/{z.name}")
    assert path.exists()
    rec = data.fetched()["ne_10m_admin_0_disputed_areas"]
    assert rec["sha256"] == data.sha256_file(path)
    # second call is served from the cache, offline
    monkeypatch.setattr(gv.settings, "allow_downloads", False)
    assert data.fetch("ne_10m_admin_0_disputed_areas") == path
    # a cached file that no longer matches its recorded hash is refused
    path.write_bytes(b"tampered")
    with pytest.raises(gv.exceptions.IntegrityError, match="sha256"):
        data.fetch("ne_10m_admin_0_disputed_areas")


def test_data_dir_override(shared):
    p = data.fetch("ne_50m_admin_0_countries", data_dir=shared / "regions")
    assert p.name == "ne_50m_admin_0_countries.geojson"


def test_offline_error_names_fix():
    with pytest.raises(gv.DataUnavailableError, match="geoverify data fetch"):
        data.fetch("ne_50m_admin_0_countries")


def test_bundled_path():
    assert data.bundled_path("gazetteers", "landmarks.csv").exists()
    with pytest.raises(gv.DataUnavailableError):
        data.bundled_path("nope.csv")


def test_regions_fetched_on_first_use(http_root, shared, monkeypatch, capsys):
    """load_regions downloads Natural Earth through the data module, then works offline from the cache."""
    import dataclasses

    from geoverify.cli import main

    root, url = http_root
    for stem in (
        "ne_10m_admin_0_disputed_areas",
        "ne_50m_admin_0_countries",
        "ne_10m_admin_0_boundary_lines_disputed_areas",
    ):
        with zipfile.ZipFile(root / f"{stem}.zip", "w") as zf:
            zf.write(shared / "regions" / f"{stem}.geojson", f"{stem}.geojson")
        monkeypatch.setitem(
            data.DATASETS, stem, dataclasses.replace(data.DATASETS[stem], url=f"{url}/{stem}.zip")
        )
    # the base layer's rivers and lakes (not in ../shared): served from the bundled subset
    for stem, key in (("ne_10m_rivers_lake_centerlines", "rivers"), ("ne_10m_lakes", "lakes")):
        with zipfile.ZipFile(root / f"{stem}.zip", "w") as zf:
            zf.write(
                data.bundled_path("regions", "naturalearth", f"{key}.geojson"), f"{stem}.geojson"
            )
        monkeypatch.setitem(
            data.DATASETS, stem, dataclasses.replace(data.DATASETS[stem], url=f"{url}/{stem}.zip")
        )
    monkeypatch.setattr(gv.settings, "allow_downloads", True)
    assert main(["--quiet", "data", "fetch"]) == 0
    assert "ne_50m_admin_0_countries" in capsys.readouterr().out
    monkeypatch.setattr(gv.settings, "allow_downloads", False)
    regions = gv.load_regions("naturalearth")
    assert regions.set_index("id").loc["azad-kashmir"].geometry is not None
    files = regions.attrs["files"]
    assert all(len(meta["sha256"]) == 64 for meta in files.values())


def test_a_misspelt_setting_is_an_error_not_a_no_op():
    import pytest

    import geoverify as gv

    with pytest.raises(AttributeError, match="did you mean 'progress'"):
        gv.settings.progres = False
    with pytest.raises(gv.OptionError):  # and a geoverify error, like every other refusal
        gv.settings.progres = False
    gv.settings.progress = gv.settings.progress  # real settings still assign
