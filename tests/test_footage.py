"""Case sources and references given as links (a loopback server), the "Same footage as"
section, and ``geoverify compare``."""

from __future__ import annotations

import json

import pytest

import geoverify as gv
from geoverify._videoedit import Edit, make_clip, read_frames, write_video
from geoverify.cli import main
from geoverify.data import sha256_file
from geoverify.demo import demo_video
from tests._loopback import serve_folder

HOSTILE_TITLE = "Kargil march, full footage <img src=x onerror=alert(2)>"
PAGE = f"""<!DOCTYPE html><html><head><title>Original</title>
<meta property="og:title" content="{HOSTILE_TITLE.replace("<", "&lt;").replace(">", "&gt;")}"/>
<meta property="og:description" content="Organiser's upload. [click](javascript:alert(3))"/>
</head><body><video src="reference.mp4" controls></video></body></html>
"""


@pytest.fixture(autouse=True)
def _loopback_downloads(monkeypatch):
    monkeypatch.setattr(gv.settings, "allow_downloads", True)


@pytest.fixture(scope="module")
def site(shared, tmp_path_factory):
    """A reference (the street video, then the demo, 320 px) on a page with a hostile title,
    and a re-upload of 5 s of it (smaller, with a logo), served from 127.0.0.1."""
    import cv2

    root = tmp_path_factory.mktemp("site")
    frames = [img for _, img in read_frames(shared / "video" / "bikes.mp4", max_side=320)]
    size = (frames[0].shape[1], frames[0].shape[0])
    frames += [cv2.resize(img, size) for _, img in read_frames(demo_video(), max_side=320)]
    write_video(frames, root / "reference.mp4", 25)
    make_clip(root / "reference.mp4", root / "viral.mp4", 13.0, 18.0, Edit(scale=0.6, logo=True))
    (root / "page.html").write_text(PAGE, encoding="utf-8")
    with serve_folder(root) as base:
        yield base, root


@pytest.mark.slow  # one OCR pass (the CRAFT detector loads)
def test_case_with_links_shows_same_footage(site, tmp_path):
    base, _ = site
    case = gv.Case(
        sources=[f"{base}/viral.mp4"],
        claim="PoK",
        references=[f"{base}/page.html"],
        languages=("en",),
        engine="tesseract",
        media_dir=str(tmp_path / "media"),
        regions="admin",  # no region polygons: the only network here is the loopback site
        keyframes=False,
        every=10.0,  # one frame to read: the test is about the footage, not the OCR
        typed_evidence=["Khomeini Chowk Kargil"],
    ).run(progress=False)
    assert case.footage and len(case.footage) == 1
    f = case.footage[0]
    assert abs((f["ref_start"] - f["clip_start"]) - 13.0) < 0.5
    assert f["reference_provenance"]["title"].startswith(HOSTILE_TITLE)
    out = case.save(tmp_path / "case")
    html = (out / "report.html").read_text(encoding="utf-8")
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "Same footage as" in html and "Same footage as" in md
    assert "viral.mp4 0:00" in html and "= page.html (&quot;Kargil march" in html
    assert " 0:13" in html
    assert "Media fetched from links" in html
    # the site's title and description are data, never markup
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    # ... in Markdown too, outside the fenced JSON of the provenance (inert there)
    prose = md.split("```json")[0]
    assert "Kargil march" in prose
    assert "<img src=x" not in prose and "](javascript:" not in prose
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    (source,) = manifest["inputs"]
    assert source["fetched"]["url"] == f"{base}/viral.mp4"
    assert source["sha256"] in source["fetched"]["files"].values()
    # a received case shows what it found without reading the references again
    loaded = gv.Case.load(out)
    assert loaded.footage and loaded.footage[0]["ref_start"] == pytest.approx(f["ref_start"])
    assert "Same footage as" in loaded.to_html(tmp_path / "again.html").read_text(encoding="utf-8")


def test_case_reuses_a_fetched_source(site, tmp_path):
    base, _ = site
    kwargs = {
        "sources": [f"{base}/viral.mp4"],
        "claim": "PoK",
        "languages": ("en",),
        "engine": "tesseract",
        "media_dir": str(tmp_path / "m"),
    }
    first = gv.Case(**kwargs)
    first._local(kwargs["sources"][0])
    retrieved = first.fetched[kwargs["sources"][0]]["retrieved"]
    second = gv.Case(**kwargs)
    second._local(kwargs["sources"][0])
    assert second.fetched[kwargs["sources"][0]]["retrieved"] == retrieved


def test_cli_compare(site, capsys):
    base, root = site
    assert main(["--quiet", "compare", str(root / "viral.mp4"), str(root / "reference.mp4")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("clip 0:00-0:0") and "= reference 0:13" in out
    assert "similarity" in out


def test_cli_compare_not_found_and_link(site, shared, tmp_path, capsys):
    base, root = site
    other = make_clip(shared / "video" / "pan_easyocr_example3.mp4", tmp_path / "o.mp4", 0, 3)
    assert main(["--quiet", "compare", str(other), str(root / "reference.mp4")]) == 1
    assert "was not found" in capsys.readouterr().out
    media = str(tmp_path / "media")
    args = [
        "--quiet",
        "compare",
        str(root / "viral.mp4"),
        f"{base}/page.html",
        "--media-dir",
        media,
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    # the site's title reaches the terminal with its controls shown, not sent
    assert "reference: Kargil march" in printed and "= reference 0:13" in printed


def test_cli_compare_download_refused(site, capsys):
    base, root = site
    assert main(["--quiet", "compare", str(root / "viral.mp4"), f"{base}/missing.mp4"]) == 2
    assert "could not be downloaded" in capsys.readouterr().err


@pytest.mark.slow  # one OCR pass
def test_cli_verify_with_links(site, tmp_path, capsys):
    """``geoverify verify`` given a link as the source and a page as the reference: both
    fetched from the loopback site, the alignment printed, provenance in the manifest."""
    base, root = site
    out, media = tmp_path / "case", tmp_path / "media"
    args = [
        "--quiet",
        "verify",
        f"{base}/viral.mp4",
        "--claim",
        "PoK",
        "--reference",
        f"{base}/page.html",
        "--out",
        str(out),
        "--media-dir",
        str(media),
        "--engine",
        "tesseract",
        "--lang",
        "en",
        "--regions",
        "admin",
        "--every",
        "10",
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    (line,) = [x for x in printed.splitlines() if x.startswith("Same footage as: ")]
    assert "viral.mp4 0:00" in line and " 0:13" in line and "Kargil march" in line
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    (source,) = manifest["inputs"]
    assert source["fetched"]["url"] == f"{base}/viral.mp4"
    fetched = media / next(n for n in source["fetched"]["files"] if n.endswith(".mp4"))
    assert sha256_file(fetched) == sha256_file(root / "viral.mp4")
    assert "Same footage as" in (out / "report.html").read_text(encoding="utf-8")


def test_footage_lines_say_when_the_offset_is_open():
    from types import SimpleNamespace

    from geoverify.clips import AMBIGUOUS_OFFSET
    from geoverify.report import footage_lines

    entry = {
        "source": "viral.mp4",
        "reference": "original.mp4",
        "clip_start": 0.0,
        "clip_end": 20.0,
        "ref_start": 198.0,
        "ref_end": 218.0,
        "similarity": 0.9,
        "mirrored": False,
        "ambiguous": False,
    }
    (pinned,) = footage_lines(SimpleNamespace(footage=[entry]))
    (steady,) = footage_lines(SimpleNamespace(footage=[{**entry, "ambiguous": True}]))
    assert pinned == "viral.mp4 0:00-0:20 = original.mp4 3:18-3:38 (similarity 0.90)"
    assert steady.endswith(f"(similarity 0.90, {AMBIGUOUS_OFFSET})")
    ranged = {**entry, "ambiguous": True, "ref_start_min": 196.4, "ref_start_max": 199.6}
    (line,) = footage_lines(SimpleNamespace(footage=[ranged]))
    assert line.endswith(
        f"{AMBIGUOUS_OFFSET}; it may start anywhere from 3:16.4 to 3:19.6 of the reference)"
    )
    # a manifest's range that is not two finite numbers in order is not shown
    hostile = [("196", 199.6), (float("nan"), 199.6), (199.6, 196.4), (True, 199.6)]
    hostile += [(2**70, 199.6), (196.4, 1e308), (196.4, float("inf")), (None, 199.6)]
    for low, high in hostile:
        bad = {**ranged, "ref_start_min": low, "ref_start_max": high}
        (line,) = footage_lines(SimpleNamespace(footage=[bad]))
        assert line.endswith(f"(similarity 0.90, {AMBIGUOUS_OFFSET})"), (low, high)


def test_saved_footage_keeps_only_entries_with_times_it_can_show():
    from geoverify.case import _saved_footage
    from geoverify.report import footage_lines

    good = {"clip_start": 0, "clip_end": 20.0, "ref_start": 198.0, "ref_end": 218.0}
    good["similarity"] = 0.9
    bad = [{**good, "clip_start": v} for v in (1e308, float("inf"), 2**70, "0", True, None)]
    kept = _saved_footage({"same_footage": [good, *bad, "not an entry"]})
    assert kept == [good]
    # a case whose footage was set by hand with such values still renders its other lines
    from types import SimpleNamespace

    assert len(footage_lines(SimpleNamespace(footage=[*bad, good]))) == 1
