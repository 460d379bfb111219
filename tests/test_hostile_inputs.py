"""Crafted inputs (images, videos, region files, gazetteers, claims) that once gave a wrong
answer, a crash or a hang: each is made here in ``tmp_path`` and never modifies its source."""

from __future__ import annotations

import contextlib
import signal
import warnings
from fractions import Fraction

import numpy as np
import pytest
from PIL import Image, ImageDraw

import geoverify as gv

from .conftest import sha256

# --------------------------------------------------------------------------- image modes


def _text_card(size: tuple[int, int] = (240, 80)) -> Image.Image:
    """Dark text and a dark bar on white: what must stay dark whatever the file's mode."""
    im = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(im)
    draw.rectangle((10, 50, 230, 70), fill=(20, 20, 20))
    draw.text((12, 10), "KARGIL 194103", fill=(0, 0, 0))
    return im


def test_cmyk_jpeg_keeps_its_dark_text(tmp_path):
    card = _text_card()
    rgb_path, cmyk_path = tmp_path / "rgb.jpg", tmp_path / "cmyk.jpg"
    card.save(rgb_path, quality=95)
    card.convert("CMYK").save(cmyk_path, quality=95)
    before = sha256(cmyk_path)
    rgb, cmyk = gv.load_images(rgb_path)[0].image, gv.load_images(cmyk_path)[0].image
    dark = np.asarray(card.convert("L")) < 60
    assert dark.sum() > 500
    assert np.median(cmyk[dark]) < 80  # not washed out to white
    assert np.abs(cmyk.astype(int) - rgb.astype(int)).mean() < 8
    assert sha256(cmyk_path) == before


def _in_mode(card: Image.Image, mode: str) -> Image.Image:
    if mode in ("I;16", "I", "F"):  # full-range deep pixels, as scanners and cameras write them
        luma = np.asarray(card.convert("L"), dtype=np.float64)
        dtype = {"I;16": np.uint16, "I": np.int32, "F": np.float32}[mode]
        return Image.fromarray((luma / 255.0 if mode == "F" else luma * 257.0).astype(dtype))
    if mode == "P":
        im = card.convert("P")
        im.info["transparency"] = 0  # palette entry 0 (black text) is see-through: white
        return im
    return card.convert(mode)


@pytest.mark.parametrize(
    ("mode", "suffix"),
    [
        ("I;16", "png"),
        ("I", "tif"),
        ("F", "tif"),
        ("LA", "png"),
        ("P", "png"),
        ("LAB", "tif"),
        ("CMYK", "tif"),
        ("YCbCr", "jpg"),
        ("1", "png"),
    ],
)
def test_other_pillow_modes_become_rgb(tmp_path, mode, suffix):
    card = _text_card()
    im = _in_mode(card, mode)
    path = tmp_path / f"card.{suffix}"
    im.save(path)
    got = gv.load_images(path)[0].image
    assert got.shape == (80, 240, 3) and got.dtype == np.uint8
    expect = np.asarray(Image.open(path).convert("RGBA").convert("L")).astype(int)
    if mode in ("I;16", "I", "F", "LAB", "CMYK"):  # Pillow's own convert clips or skips these
        expect = np.asarray(card.convert("L")).astype(int)
    if mode == "P":
        expect = np.where(np.asarray(im) == 0, 255, np.asarray(card.convert("L")))
    assert np.abs(got.astype(int).mean(axis=2) - expect).mean() < 12, mode


# --------------------------------------------------------------------------- video size


def _mjpeg(path, size=(64, 48), frames=4):
    import av

    with av.open(str(path), "w") as out:
        s = out.add_stream("mjpeg", rate=10)
        s.width, s.height, s.pix_fmt = size[0], size[1], "yuvj420p"
        for i in range(frames):
            img = np.full((size[1], size[0], 3), 40 * i, dtype=np.uint8)
            for pkt in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(pkt)
        for pkt in s.encode():
            out.mux(pkt)
    return path


@pytest.mark.parametrize("keyframes", [True, False])
def test_video_frames_obey_the_pixel_limit(demo_video, tmp_path, monkeypatch, keyframes):
    monkeypatch.setattr(gv.settings, "max_image_pixels", 1280 * 720 - 1)
    with pytest.raises(
        gv.ImageTooLargeError, match=r"kargil-reconstruction.mp4: 1280x720 = 921,600"
    ):
        gv.extract_frames(demo_video, keyframes=keyframes, progress=False)
    small = _mjpeg(tmp_path / "small.avi")
    before = sha256(small)
    assert len(gv.extract_frames(small, keyframes=keyframes, progress=False)) >= 1
    monkeypatch.setattr(gv.settings, "max_image_pixels", 64 * 48 - 1)
    with pytest.raises(gv.ImageTooLargeError, match=r"small.avi: 64x48 = 3,072 pixels"):
        gv.extract_frames(small, keyframes=keyframes, progress=False)
    assert sha256(small) == before


# --------------------------------------------------------------------------- animations


def _animation(path, frames=3, durations=(500, 250, 1000)):
    """``frames`` cards, each with its own dark bar (frame k: rows 4 + 12 k to 12 + 12 k)."""
    cards = []
    for k in range(frames):
        im = Image.new("RGB", (120, 80), "white")
        ImageDraw.Draw(im).rectangle((10, 4 + 12 * k, 110, 12 + 12 * k), fill=(0, 0, 0))
        cards.append(im)
    dur = [durations[k % len(durations)] for k in range(frames)]
    cards[0].save(path, save_all=True, append_images=cards[1:], duration=dur, loop=0)
    return path


@pytest.mark.parametrize(("suffix", "kind"), [("gif", "GIF"), ("webp", "WEBP")])
def test_animated_images_give_every_frame(tmp_path, suffix, kind):
    path = _animation(tmp_path / f"anim.{suffix}")
    before = sha256(path)
    fs = gv.load_images(path)
    assert len(fs) == 3
    assert [f.t for f in fs] == pytest.approx([0.0, 0.5, 0.75])
    for k, f in enumerate(fs):
        assert f.reason == f"frame {k + 1} of 3 of an animated {kind}"
        assert f.source_sha256 == before
        bar = f.image[8 + 12 * k, 60]
        assert bar.max() < 60  # this frame's own bar is there ...
        assert all(f.image[8 + 12 * j, 60].min() > 200 for j in range(3) if j != k)  # ... alone
    assert len({f.sha256 for f in fs}) == 3
    with pytest.warns(gv.exceptions.FramesDroppedWarning, match=rf"anim.{suffix}.*3 frames"):
        one = gv.frames.load_image(path)
    assert one.sha256 == fs[0].sha256
    assert sha256(path) == before


def test_animation_frame_cap_and_pixel_limit(tmp_path, monkeypatch):
    path = _animation(tmp_path / "long.gif", frames=6, durations=(100,))
    monkeypatch.setattr(gv.settings, "max_animation_frames", 4)
    with pytest.warns(gv.exceptions.FramesDroppedWarning, match=r"long.gif.*6 frames.*first 4"):
        fs = gv.load_images(path)
    assert len(fs) == 4 and fs[-1].reason == "frame 4 of 6 of an animated GIF"
    # the pixel limit counts every frame decoded: 6 x 120 x 80 = 57,600
    monkeypatch.setattr(gv.settings, "max_animation_frames", 300)
    monkeypatch.setattr(gv.settings, "max_image_pixels", 120 * 80 * 5)
    with pytest.raises(gv.ImageTooLargeError, match=r"long.gif: 6 x 120x80 = 57,600 pixels"):
        gv.load_images(path)


# --------------------------------------------------------------------------- truncated video


@pytest.mark.parametrize("keyframes", [False, True])
def test_video_cut_at_90_percent_warns(demo_video, tmp_path, keyframes):
    from .test_frames import _faststart_copy

    fast = tmp_path / "demo_fast.mp4"
    _faststart_copy(demo_video, fast)
    with warnings.catch_warnings():
        warnings.simplefilter("error", gv.exceptions.GeoverifyWarning)
        gv.extract_frames(fast, keyframes=keyframes, progress=False)  # complete: no warning
    cut = tmp_path / "demo_cut90.mp4"
    data = fast.read_bytes()
    cut.write_bytes(data[: int(len(data) * 0.9)])
    before = sha256(cut)
    with pytest.warns(gv.exceptions.TruncatedVideoWarning, match=r"demo_cut90.mp4.*t=1\d\.\d\d s"):
        fs = gv.extract_frames(cut, keyframes=keyframes, progress=False)
    assert fs.info["warnings"] and len(fs) >= 1
    assert sha256(cut) == before


def test_complete_videos_do_not_warn(shared, demo_video):
    with warnings.catch_warnings():
        warnings.simplefilter("error", gv.exceptions.GeoverifyWarning)
        for path in [demo_video, *sorted((shared / "video").glob("*.mp4"))]:
            for keyframes in (False, True):
                assert len(gv.extract_frames(path, keyframes=keyframes, progress=False)) >= 1


# --------------------------------------------------------------------------- sampling values


@contextlib.contextmanager
def _deadline(seconds: float):
    """Fail instead of hanging: a SIGALRM after ``seconds`` raises in the test."""
    if not hasattr(signal, "setitimer"):  # Windows: no guard
        yield
        return

    def expired(signum, frame):
        raise TimeoutError(f"still running after {seconds} s (an endless loop?)")

    old = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"every": 1e-300},
        {"every": 0.0},
        {"every": -1.0},
        {"every": float("nan")},
        {"every": float("inf")},
        {"every": True},
        {"start": float("nan")},
        {"start": -1.0},
        {"start": float("inf")},
        {"end": float("nan")},
        {"end": -0.5},
        {"end": float("inf")},
        {"start": 2.0, "end": 1.0},
        {"max_frames": 0},
        {"max_frames": -3},
        {"max_frames": float("nan")},
        {"max_frames": float("inf")},
        {"max_frames": 2.5},
    ],
)
@pytest.mark.parametrize("keyframes", [False, True])
def test_bad_sampling_values_are_refused_not_looped_on(tmp_path, kwargs, keyframes):
    small = _mjpeg(tmp_path / "small.avi")
    name = next(iter(kwargs))
    with _deadline(20), pytest.raises(gv.InputError, match=name):
        gv.extract_frames(small, keyframes=keyframes, progress=False, **kwargs)


def test_a_long_gap_between_frames_does_not_loop(tmp_path):
    """Two frames 10**6 s apart sampled every 1 ms: the next sample time is computed, not
    counted up to in 10**9 steps."""
    import av

    path = tmp_path / "gap.mkv"
    with av.open(str(path), "w") as out:
        s = out.add_stream("mjpeg", rate=10)
        s.width, s.height, s.pix_fmt = 64, 48, "yuvj420p"
        s.time_base = s.codec_context.time_base = Fraction(1, 1000)
        for i, pts in enumerate([0, 10**9, 10**9 + 1]):
            img = np.full((48, 64, 3), 80 * i, dtype=np.uint8)
            fr = av.VideoFrame.from_ndarray(img, format="rgb24")
            fr.pts, fr.time_base = pts, Fraction(1, 1000)
            for pkt in s.encode(fr):
                out.mux(pkt)
        for pkt in s.encode():
            out.mux(pkt)
    with _deadline(20):
        fs = gv.extract_frames(path, every=0.001, keyframes=False, progress=False)
    assert [round(f.t, 3) for f in fs] == [0.0, 1e6, 1e6 + 0.001]


# --------------------------------------------------------------------------- claims


@pytest.mark.parametrize(
    ("alias", "rid"),
    [
        ("A\u200bJK", "azad-kashmir"),  # zero-width space
        ("\ufeffPoK", "pakistan-administered-kashmir"),  # byte order mark
        ("La\u200ddakh", "ladakh"),  # zero-width joiner
        ("Kar\u2060gil", "ladakh"),  # word joiner
        ("\u202eIIOJK\u202c", "india-administered-jammu-and-kashmir"),  # bidi override + pop
        ("\u200fآزاد\u200e کشمیر", "azad-kashmir"),  # right-to-left and left-to-right marks
        ("\u2066Gilgit-Baltistan\u2069", "gilgit-baltistan"),  # bidi isolate
        ("Que\u00adtta", "balochistan"),  # soft hyphen
        ("J\u200c&\u200cK", "india-administered-jammu-and-kashmir"),  # zero-width non-joiner
    ],
)
def test_invisible_characters_in_a_claim_are_ignored(alias, rid):
    assert gv.regions.region(alias).id == rid


# --------------------------------------------------------------------------- gazetteer rows


def test_gazetteer_bad_rows_name_their_physical_line(tmp_path):
    path = tmp_path / "crafted.csv"
    path.write_bytes(
        b"id,name,lat,lon\n"  # line 1
        b"1,Kargil,34.55,76.13\n"  # 2
        b'2,"Khomeini\nChowk\nKargil",34.56,76.12\n'  # 3-5: one row, two embedded newlines
        b"3,No latitude,,76.1\n"  # 6
        b"\n"  # 7: blank
        b"4,Too far north,95,77.58\n"  # 8
        b"5,Nowhere,north,74\n"  # 9
        b"6,Bad \xff name,34,74\n"  # 10: invalid UTF-8
        b"7,Extra,34,74,surplus,fields\n"  # 11: more fields than the header
        b'8,"Leh\r\ntown",34.16,77.58\n'  # 12-13
        b"9,Missing lon,34.2\n"  # 14: fewer fields than the header
    )
    before = sha256(path)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        gaz = gv.load_gazetteer(path)
    assert all(issubclass(w.category, gv.exceptions.BadRowsWarning) for w in rec), [
        (w.category, str(w.message)) for w in rec
    ]
    text = "\n".join(str(w.message) for w in rec)
    assert "crafted.csv" in text
    assert "line 6: non-numeric or missing coordinates" in text
    assert "line 8: coordinates out of range" in text
    assert "line 9: non-numeric or missing coordinates" in text
    assert "invalid UTF-8 at byte" in text and "(line 10)" in text
    assert "line 10: name contains undecodable bytes" in text
    assert "line 11: 6 fields where the header has 4" in text
    assert "line 14: non-numeric or missing coordinates" in text
    assert sorted(gaz.places["name"]) == ["Kargil", "Khomeini\nChowk\nKargil", "Leh\r\ntown"]
    with pytest.warns(gv.exceptions.BadRowsWarning) as rec:
        table = gv.gazetteer.sources.read_table(path)
    assert any("crafted.csv, line 11: 6 fields" in str(w.message) for w in rec)
    assert table["_line"].tolist() == [2, 3, 6, 8, 9, 10, 12, 14]
    with pytest.raises(gv.GazetteerError, match=r"crafted.csv, line 6: non-numeric"):
        gv.Gazetteer.from_dataframe(table, origin=str(path), on_bad_rows="raise")
    assert sha256(path) == before


# --------------------------------------------------------------------------- region files

DISPUTED = "ne_10m_admin_0_disputed_areas"
COUNTRIES = "ne_50m_admin_0_countries"


def _swap_xy(geojson: dict) -> dict:
    import shapely

    for feat in geojson["features"]:
        if feat.get("geometry"):
            geom = shapely.transform(shapely.geometry.shape(feat["geometry"]), lambda c: c[:, ::-1])
            feat["geometry"] = shapely.geometry.mapping(geom)
    return geojson


def _null_azad_kashmir(geojson: dict) -> dict:
    for feat in geojson["features"]:
        if feat["properties"].get("BRK_NAME") == "Azad Kashmir":
            feat["geometry"] = None
    return geojson


def _relabel(geojson: dict) -> dict:
    """Azad Kashmir and India-administered Jammu and Kashmir exchange names."""
    swap = {"Azad Kashmir": "Jammu and Kashmir", "Jammu and Kashmir": "Azad Kashmir"}
    for feat in geojson["features"]:
        name = feat["properties"].get("BRK_NAME")
        feat["properties"]["BRK_NAME"] = swap.get(name, name)
    return geojson


_CRAFTED = {
    # name: (how the disputed-areas layer is altered, what the message must say)
    "crs_3857": (
        lambda g: {**g, "crs": {"type": "name", "properties": {"name": "EPSG:3857"}}},
        r"CRS says EPSG:3857 but",
    ),
    "swapped": (_swap_xy, r"coordinates look swapped"),
    "null_geometry": (_null_azad_kashmir, r"no geometry for Azad Kashmir"),
    "all_null": (
        lambda g: {**g, "features": [{**f, "geometry": None} for f in g["features"]]},
        r"no geometry",
    ),
    "empty": (lambda g: {**g, "features": []}, r"no features"),
    "relabelled": (_relabel, r"Srinagar \(34.08N 74.80E\) is not inside India-administered"),
    "garbage": (b"\x00\xff\xfe garbage \x89PNG", r"not a vector file"),
    "invalid_json": (b'{"type": "FeatureCollection", "features": [', r"not a vector file"),
    "text": (b"Kargil is in Ladakh.\n", r"not a vector file"),
}


def _crafted_dir(shared, tmp_path, kind):
    import json
    import shutil

    folder = tmp_path / kind
    folder.mkdir()
    src = shared / "regions"
    shutil.copy(src / f"{COUNTRIES}.geojson", folder / f"{COUNTRIES}.geojson")
    alter, _ = _CRAFTED[kind]
    target = folder / f"{DISPUTED}.geojson"
    if isinstance(alter, bytes):
        target.write_bytes(alter)
    else:
        data = json.loads((src / f"{DISPUTED}.geojson").read_text(encoding="utf-8"))
        target.write_text(json.dumps(alter(data)), encoding="utf-8")
    return folder, target


@pytest.mark.parametrize("kind", sorted(_CRAFTED))
def test_crafted_region_file_falls_back_or_raises(shared, tmp_path, kind):
    folder, target = _crafted_dir(shared, tmp_path, kind)
    before = sha256(target)
    _, says = _CRAFTED[kind]
    with pytest.warns(gv.exceptions.RegionDataWarning, match=rf"{DISPUTED}.geojson.*{says}"):
        g = gv.load_regions("auto", data_dir=str(folder))
    # the unsound file is not used: the bundled subset draws the regions instead
    assert g.geometry.notna().sum() >= 8 and "bundled" in g.attrs["source"]
    assert {m["origin"] for m in g.attrs["files"].values()} == {"bundled"}
    with pytest.raises(gv.exceptions.RegionDataError, match=rf"{DISPUTED}.geojson.*{says}"):
        gv.load_regions("naturalearth", data_dir=str(folder))
    assert sha256(target) == before


def test_real_region_files_load_without_warning(shared):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for source in ("auto", "naturalearth"):
            g = gv.load_regions(source, data_dir=str(shared / "regions"))
            assert g.geometry.notna().sum() >= 8 and "Natural Earth" in g.attrs["source"]


@pytest.mark.parametrize("kind", ["crs_3857", "swapped", "null_geometry"])
def test_crafted_region_file_does_not_flip_a_verdict(shared, tmp_path, gazetteer, kind):
    evidence = gv.match_places(["Anjuman Jamiyat Ulama Isna Asharia Kargil", "Kargil"], gazetteer)
    real = gv.load_regions("naturalearth", data_dir=str(shared / "regions"))
    expected = gv.test_claim(evidence, "Ladakh", regions=real)
    assert expected.label == "supported"
    folder, _ = _crafted_dir(shared, tmp_path, kind)
    with pytest.warns(gv.exceptions.RegionDataWarning):
        crafted = gv.load_regions("auto", data_dir=str(folder))
    v = gv.test_claim(evidence, "Ladakh", regions=crafted)
    assert v.label == "supported" and v.best_region == "ladakh"
    assert v.posterior["ladakh"] == pytest.approx(expected.posterior["ladakh"], abs=0.05)


def test_gazetteer_geojson_with_a_crs_its_numbers_contradict(tmp_path):
    import json

    points = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "EPSG:3857"}},
        "features": [
            {
                "type": "Feature",
                "properties": {"name": name},
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
            for name, lat, lon in [("Kargil", 34.56, 76.13), ("Leh", 34.16, 77.58)]
        ],
    }
    path = tmp_path / "places.geojson"
    path.write_text(json.dumps(points), encoding="utf-8")
    with pytest.raises(gv.GazetteerError, match=r"places.geojson: CRS says EPSG:3857 but"):
        gv.load_gazetteer(path)
    points.pop("crs")
    path.write_text(json.dumps(points), encoding="utf-8")
    gaz = gv.load_gazetteer(path)
    assert gaz.places.set_index("name").loc["Kargil", "lat"] == pytest.approx(34.56)


def test_truncated_animation_keeps_the_frames_before_the_break(tmp_path):
    whole = _animation(tmp_path / "whole.gif", frames=6, durations=(100,))
    cut = tmp_path / "cut.gif"
    data = whole.read_bytes()
    cut.write_bytes(data[: int(len(data) * 0.75)])
    before = sha256(cut)
    with pytest.warns(
        gv.exceptions.FramesDroppedWarning,
        match=r"cut.gif: frame \d of \d of the animated GIF is damaged",
    ):
        fs = gv.load_images(cut)
    assert 1 <= len(fs) < 6
    assert sha256(cut) == before
