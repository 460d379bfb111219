"""The evaluation set: cases written from the seeds and public reporting (tests/cases/cases.json)."""

import json
import warnings
from pathlib import Path

import pytest

import geoverify as gv

CASES = json.loads((Path(__file__).parent / "cases" / "cases.json").read_text(encoding="utf-8"))


def test_the_set_covers_what_it_must():
    ids = {c["id"] for c in CASES}
    assert len(CASES) >= 12
    assert {
        "kargil-2021-founding",
        "muzaffarabad-genuine",
        "skardu-kargil-chalo",
        "quetta-2021-sit-in",
        "srinagar-2024-zadibal",
        "ambiguous-lal-chowk",
        "no-usable-evidence",
    } <= ids
    claims = {c["claim"] for c in CASES}
    assert {
        "PoK",
        "PoJK",
        "AJK",
        "Azad Kashmir",
        "GB",
        "Pakistan occupied Kashmir",
        "IIOJK",
    } <= claims
    assert any(
        any("\u0600" <= ch <= "\u06ff" for e in c["evidence"] for ch in e["text"]) for c in CASES
    )


_BUNDLED = gv.load_regions("bundled")  # what a machine with no data downloaded draws


@pytest.mark.parametrize("regions_mode", ["admin", "polygons", "bundled"])
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case, regions_mode, gazetteer, request):
    regions = {
        "admin": None,
        "polygons": request.getfixturevalue("ne_regions"),
        "bundled": _BUNDLED,
    }[regions_mode]
    cands = gv.match_places(case["evidence"], gazetteer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gv.GeoverifyWarning)
        v = gv.test_claim(cands, case["claim"], regions=regions)
    assert v.label == case["expected_label"], v.explain()
    if case["expected_best"]:
        assert v.best_region == case["expected_best"], v.explain()
