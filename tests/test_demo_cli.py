import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import geoverify as gv
from geoverify.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_demo_contradicts_pok_claim(demo_out):
    out, stdout = demo_out
    for name in (
        "report.html",
        "map.html",
        "map.png",
        "verdict.json",
        "text.csv",
        "candidates.geojson",
        "manifest.json",
    ):
        assert (out / name).exists(), name
    assert list((out / "frames").glob("*.png"))
    v = json.loads((out / "verdict.json").read_text(encoding="utf-8"))
    assert v["label"] == "contradicted"
    assert v["best_region"] == "india-administered-jammu-and-kashmir"
    # the title card is a caption, found from its pixels (no kind rule names its words): it
    # stays in the evidence, marked, and pulls toward nothing
    title = [e for e in v["evidence"] if "teaching case" in e["text"]]
    assert title and all(e["kind"] == "caption" and e["weight"] == 0 for e in title)
    assert all(e["note"].startswith("caption, title card") for e in title)
    assert not any("teaching case" in h["supporting"] for h in v["hypotheses"])
    assert "CONTRADICTED" in stdout and "report.html" in stdout
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "RECONSTRUCTION" in html.upper() and "خمینی چوک" in html
    # the reconstruction is found at 3:18 of the organiser's longer footage the demo builds
    assert "Same footage as" in html and "= kargil-organiser-footage-" in html
    assert "0:00-0:15.5 = kargil-organiser-footage-" in stdout and " 3:18-3:33.5 " in stdout


def test_demo_prepare_builds_the_longer_footage_once(capsys):
    """`geoverify demo --prepare` (a set-up step of `make demo`) builds into the cache what the
    demo's first run would build, and the demo then finds it there."""
    from geoverify.demo import demo_original

    assert main(["--quiet", "demo", "--prepare"]) == 0
    said = capsys.readouterr().out.splitlines()
    footage = Path(said[0].removeprefix("ready: "))
    assert footage.is_file() and footage.parent.is_relative_to(Path(gv.settings.cache_dir))
    assert demo_original() == footage
    if gv.ocr.detect.craft_available():
        assert said[1] == "ready: CRAFT text detector (onnxruntime)"


def test_demo_refuses_non_empty_out(tmp_path, capsys):
    (tmp_path / "keep.txt").write_text("x")
    assert main(["--quiet", "demo", "--out", str(tmp_path)]) == 2
    assert "--force" in capsys.readouterr().err


def test_saved_case_reloads_and_detects_changes(demo_out, tmp_path):
    out, _ = demo_out
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    case = gv.Case.load(copy)
    assert (
        case.claim == "Pakistan-administered Kashmir"
        and case.saved_verdict["label"] == "contradicted"
    )
    (copy / "text.csv").write_text("tampered")
    with pytest.warns(gv.exceptions.CaseChangedWarning, match="text.csv: altered"):
        gv.Case.load(copy)


def test_hostile_text_is_escaped(gazetteer, tmp_path):
    case = gv.Case(
        sources=[],
        claim="PoK",
        title="<script>alert('t')</script>",
        typed_evidence=[
            "<script>alert(1)</script> Khomeini Chowk",
            "<img src=x onerror=alert(2)> Kargil",
        ],
    )
    case.run(progress=False)
    html = case.to_html(tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    md = case.to_markdown(tmp_path / "r.md").read_text(encoding="utf-8")
    assert "<script>" not in md
    m = gv.plot_candidates(case.candidates, verdict=case.verdict).get_root().render()
    # popups reach the page as JavaScript string literals of escaped HTML
    assert "<script>alert(1)" not in m and "onerror=alert" not in m.replace(
        "\\u0026lt;img src=x onerror=alert", ""
    )


def test_wheel_ships_bundled_data(tmp_path):
    pytest.importorskip("hatchling")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheel = next(tmp_path.glob("geoverify-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "geoverify/_bundled/gazetteers/landmarks.csv" in names
    assert "geoverify/_bundled/gazetteers/geonames_kashmir_region.csv" in names
    assert "geoverify/_bundled/demo/kargil-reconstruction.mp4" in names
    # the Urdu recogniser loads offline from the package
    assert {"geoverify/models/urdu_crnn.onnx", "geoverify/models/urdu_crnn.json"} <= set(names)
    # and so do the region polygons and the maps' base layer (issue 14)
    bundled = "geoverify/_bundled/regions/naturalearth/"
    record = json.loads(zipfile.ZipFile(wheel).read(bundled + "SOURCES.json"))
    assert {bundled + layer["file"] for layer in record["layers"].values()} <= set(names)
    assert {"rivers", "lakes", "ne_10m_admin_0_disputed_areas"} <= set(record["layers"])


def test_rerun_saved_case_gives_same_verdict(demo_out):
    out, _ = demo_out
    saved = json.loads((out / "verdict.json").read_text(encoding="utf-8"))
    case = gv.Case.load(out).run(progress=False)
    assert case.verdict.label == saved["label"] and case.verdict.best_region == saved["best_region"]
    for h, p in saved["posterior"].items():
        assert abs(case.verdict.posterior[h] - p) < 1e-6
    prov = json.loads((out / "case.json").read_text(encoding="utf-8"))["provenance"]
    # the demo reads with the default engine: the scene-text pipeline and geoverify's Urdu model
    assert prov["inputs"][0]["sha256"] and prov["ocr_engine_version"].startswith("scene (CRAFT")
    assert any(k.endswith("urdu_crnn.onnx") for k in prov["ocr_models"])
    # the scene pipeline's second reader of Urdu lines is Tesseract's model
    assert any(k.endswith(".traineddata") for k in prov["ocr_models"])
    assert prov["gazetteer"]["files"]


def test_save_refuses_existing_path(demo_out, tmp_path):
    out, _ = demo_out
    case = gv.Case.load(out)
    case.run(progress=False)
    target = tmp_path / "c"
    target.mkdir()
    (target / "x").write_text("x")
    with pytest.raises(gv.OutputExistsError):
        case.save(target)
    # overwrite replaces only a folder geoverify wrote: this one holds someone's file
    with pytest.raises(gv.OutputExistsError, match="not a geoverify case folder"):
        case.save(target, overwrite=True)
    assert (target / "x").read_text() == "x"
    (target / "x").unlink()
    case.save(target)
    case.save(target, overwrite=True)
    assert (target / "report.html").exists()


def test_static_figure_shapes_urdu(gazetteer, tmp_path):
    from geoverify.figures import _shape, plot_static

    c = gv.match_places(["خمینی چوک", "Kargil"], gazetteer)
    ax = plot_static(c, verdict=gv.test_claim(c, "PoK"))
    ax.figure.savefig(tmp_path / "fig.png")
    assert (tmp_path / "fig.png").stat().st_size > 5000
    shaped = _shape("لال چوک")
    assert shaped != "لال چوک" and any("\ufe70" <= ch <= "\ufeff" for ch in shaped)


def test_cli_verify_and_report(shared, tmp_path, capsys):
    out = tmp_path / "case"
    img = shared / "images" / "signs" / "example3.png"
    assert (
        main(["--quiet", "verify", str(img), "--claim", "AJK", "--lang", "en", "--out", str(out)])
        == 0
    )
    printed = capsys.readouterr().out
    assert "INCONCLUSIVE" in printed and (out / "report.html").exists()
    v = json.loads((out / "verdict.json").read_text(encoding="utf-8"))
    assert v["label"] == "inconclusive"
    assert main(["--quiet", "report", str(out)]) == 0
    assert (
        main(["--quiet", "verify", str(img), "--claim", "Narnia", "--out", str(tmp_path / "x")])
        == 2
    )
    assert "Known regions" in capsys.readouterr().err


def test_hostile_gazetteer_names_are_escaped_in_popups():
    import pandas as pd

    evil = "<img src=x onerror=alert(3)>"
    gaz = gv.Gazetteer.from_dataframe(
        pd.DataFrame(
            {
                "id": ["e1"],
                "name": [f"Kargil {evil}"],
                "alt_names": ["Kargil"],
                "lat": [34.55],
                "lon": [76.13],
                "country": ["IN"],
                "admin1": ["41"],
                "source": [f"source {evil}"],
            }
        )
    )
    c = gv.match_places(["Kargil"], gaz)
    page = gv.plot_candidates(c, verdict=gv.test_claim(c, "PoK")).get_root().render()
    assert evil not in page
    # escaped HTML, inside a JavaScript string literal
    assert "\\u0026lt;img src=x onerror=alert(3)\\u0026gt;" in page


def test_demo_uses_polygons_when_available(shared, tmp_path):
    out = tmp_path / "case"
    env = {
        "PATH": "/usr/bin:/bin",
        "GEOVERIFY_OFFLINE": "1",
        "GEOVERIFY_DATA_DIR": str(shared / "regions"),
        "GEOVERIFY_CACHE_DIR": str(tmp_path / "cache"),
        "HOME": str(tmp_path),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "geoverify.cli", "--quiet", "demo", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    v = json.loads((out / "verdict.json").read_text(encoding="utf-8"))
    assert (
        v["label"] == "contradicted" and v["best_region"] == "india-administered-jammu-and-kashmir"
    )
    assert "Natural Earth" in v["region_source"]


def test_demo_with_no_data_downloaded_uses_the_bundled_polygons(demo_out):
    out, _ = demo_out
    v = json.loads((out / "verdict.json").read_text(encoding="utf-8"))
    assert "bundled" in v["region_source"] and "Natural Earth" in v["region_source"]
    case = json.loads((out / "case.json").read_text(encoding="utf-8"))
    files = case["provenance"]["regions"]["files"]
    assert {f["origin"] for f in files.values()} == {"bundled"}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["regions"]["files"] == files  # the manifest says what drew the regions
    assert "bundled" in manifest["regions"]["source"]
