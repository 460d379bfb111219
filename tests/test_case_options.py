"""A Case takes engine objects and regions tables, saves them, and loads them back; the README's
notebook path and Case.run() give the same verdict on the demo."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

import geoverify as gv
from geoverify.ocr import get_engine
from geoverify.ocr.tesseract import TesseractEngine


@pytest.fixture(scope="module")
def sign_photo(shared):
    return shared / "images" / "urdu-signs" / "IMG_4237.jpg"


def test_every_engine_rebuilds_from_its_name_and_options():
    built = [get_engine("tesseract"), get_engine("tesseract", psm=6, clahe=True)]
    for name in ("scene", "ensemble"):
        try:
            built.append(get_engine(name))
        except gv.EngineUnavailableError:
            continue
    for engine in built:
        options = engine.options()
        json.dumps(options)  # plain data, what case.json holds
        again = get_engine(engine.name, engine.languages, **options)
        assert again.params() == engine.params(), engine.name
    assert built[1].options()["psm"] == 6 and built[1].options()["clahe"] is True


def test_an_engine_object_is_saved_as_name_and_options(sign_photo, tmp_path):
    engine = TesseractEngine(("ur", "en"), psm=6, min_confidence=40.0)
    case = gv.Case([str(sign_photo)], claim="PoK", engine=engine).run()
    assert case.texts is not None and len(case.texts)
    assert case.texts.attrs["engine_params"]["psm"] == 6
    case.save(tmp_path / "case")
    saved = json.loads((tmp_path / "case" / "case.json").read_text(encoding="utf-8"))["params"]
    assert saved["engine"] == "tesseract"
    assert saved["engine_options"]["psm"] == 6 and saved["engine_options"]["min_confidence"] == 40
    loaded = gv.Case.load(tmp_path / "case")
    assert loaded.engine == "tesseract" and loaded.engine_options["psm"] == 6
    loaded.run()  # reads the frames saved in the folder, with the engine rebuilt
    assert loaded.texts is not None
    assert loaded.texts.attrs["engine_params"] == case.texts.attrs["engine_params"]
    assert sorted(loaded.texts["text"]) == sorted(case.texts["text"])


def test_engine_options_go_with_a_name():
    with pytest.raises(gv.OptionError, match="engine_options"):
        gv.Case(["x.jpg"], claim="PoK", engine=get_engine("tesseract"), engine_options={"psm": 6})
    with pytest.raises(gv.OptionError, match="engine must be"):
        gv.Case(["x.jpg"], claim="PoK", engine=42)


def _typed_case(**kwargs):
    lines = [
        "Lal Chowk Kargil",
        "Khomeini Chowk Kargil",
        "Anjuman Jamiyat Ulama Isna Asharia Kargil",
    ]
    return gv.Case([], claim="PoK", typed_evidence=lines, **kwargs)


def test_a_regions_table_of_ones_own_is_used_saved_and_loaded(tmp_path):
    own = gv.load_regions("bundled")
    keep = ["india-administered-jammu-and-kashmir", "pakistan-administered-kashmir", "azad-kashmir"]
    own = own[own["id"].isin(keep)].copy()
    assert own.geometry.notna().all() and len(own) == 3
    own.attrs = {"source": "the desk's own Kashmir polygons"}
    case = _typed_case(regions=own).run()
    assert case.region_table is own
    assert case.verdict is not None and case.verdict.label == "contradicted"
    assert case.verdict.region_source == "the desk's own Kashmir polygons"
    case.save(tmp_path / "case")
    assert (tmp_path / "case" / "regions.geojson").is_file()
    saved = json.loads((tmp_path / "case" / "case.json").read_text(encoding="utf-8"))["params"]
    assert saved["regions"] == "table"
    loaded = gv.Case.load(tmp_path / "case")
    assert isinstance(loaded.regions, pd.DataFrame)
    assert sorted(loaded.regions["id"]) == sorted(own["id"])
    loaded.run()
    assert "saved with the case" in loaded.verdict.region_source
    assert loaded.verdict.label == case.verdict.label
    assert loaded.verdict.best_region == case.verdict.best_region
    assert loaded.verdict.posterior == pytest.approx(case.verdict.posterior)


def test_test_claim_refuses_a_region_id_it_does_not_know(gazetteer):
    table = gv.load_regions("bundled")
    table.loc[table["id"] == "azad-kashmir", "id"] = "atlantis"
    cands = gv.match_places(["Lal Chowk Kargil"], gazetteer)
    with pytest.raises(gv.UnknownRegionError, match="atlantis.*known ids"):
        gv.test_claim(cands, "PoK", regions=table)


def test_a_regions_table_needs_ids():
    table = gv.load_regions("bundled").drop(columns="id")
    with pytest.raises(gv.OptionError, match="'id'"):
        _typed_case(regions=table)
    with pytest.raises(gv.OptionError, match="regions must be"):
        _typed_case(regions=3)


def _saved_case(tmp_path):
    folder = tmp_path / "case"
    _typed_case().run().save(folder)
    return folder


def _tamper(folder, **params):
    meta = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    meta["params"].update(params)
    (folder / "case.json").write_text(json.dumps(meta), encoding="utf-8")


@pytest.mark.parametrize(
    "options",
    [
        {"psm": {"nested": 1}},
        {"not a name": 1},
        {"psm": ["x"] * 100},
        "psm=6",
        {f"o{i}": 1 for i in range(41)},
    ],
)
def test_crafted_engine_options_are_refused(tmp_path, options):
    folder = _saved_case(tmp_path)
    _tamper(folder, engine_options=options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gv.GeoverifyWarning)
        with pytest.raises(gv.CaseFormatError, match="engine"):
            gv.Case.load(folder)


def test_an_unknown_engine_option_is_named_when_the_case_runs(sign_photo):
    case = gv.Case([str(sign_photo)], claim="PoK", engine="tesseract", engine_options={"bogus": 1})
    with pytest.raises(gv.OptionError, match="bogus"):
        case.run()


def test_regions_table_without_its_file_is_refused(tmp_path):
    folder = _saved_case(tmp_path)
    _tamper(folder, regions="table")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gv.GeoverifyWarning)
        with pytest.raises(gv.CaseFormatError, match="regions.geojson"):
            gv.Case.load(folder)


def _readme_quick_start() -> str:
    """The README's quick-start code block, as written there."""
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("```python\n", 1)[1].split("```", 1)[0]
    assert 'gv.extract_frames("protest.mp4")' in block and "set_kind" in block
    return block


def test_readme_notebook_path_and_case_run_agree_on_the_demo(demo_video):
    """The README's quick start, run as written there on the demo video, against Case.run()
    with the same choice made as a kind rule."""
    space: dict = {}
    code = _readme_quick_start().replace('"protest.mp4"', repr(str(demo_video)))
    exec(compile(code, "README.md", "exec"), space)
    verdict, cands = space["verdict"], space["cands"]
    assert verdict.label == "contradicted"
    slogans = gv.line_table(cands).query("kind == 'slogan'")["text"]
    assert slogans.str.contains("Quetta|کوئٹہ").any()  # the README demotes the Quetta banner

    case = gv.Case([str(demo_video)], claim="PoK", kind_rules=[("Quetta|کوئٹہ", "slogan")]).run()
    assert case.verdict is not None
    assert (case.verdict.label, case.verdict.best_region) == (verdict.label, verdict.best_region)
    assert case.verdict.posterior == pytest.approx(verdict.posterior, abs=1e-9)
    by_line = gv.line_table(case.candidates).set_index("line")["kind"]
    assert by_line.to_dict() == gv.line_table(cands).set_index("line")["kind"].to_dict()


def test_a_loaded_case_keeps_every_line_also_those_with_no_place(tmp_path):
    case = gv.Case([], claim="PoK", typed_evidence=["Lal Chowk Kargil", "no place named here"])
    case.run().save(tmp_path / "case")
    before = gv.line_table(case.candidates)
    assert len(before) == 2 and sorted(before["n_candidates"]) == [0, 1]
    after = gv.line_table(gv.Case.load(tmp_path / "case").candidates)
    assert after.set_index("line")["text"].to_dict() == before.set_index("line")["text"].to_dict()
    assert list(after["n_candidates"]) == list(before["n_candidates"])
