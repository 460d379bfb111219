import pytest

import geoverify as gv
from geoverify import regions as R


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
    with pytest.warns(gv.GeoverifyWarning, match="admin-1 codes"):
        g = gv.load_regions("auto", data_dir=str(tmp_path))
    assert g.geometry.isna().all()
