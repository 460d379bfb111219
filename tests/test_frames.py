import shutil
import struct
import warnings
import zlib
from fractions import Fraction

import numpy as np
import pytest
from PIL import Image

import geoverify as gv
from geoverify.exceptions import TruncatedVideoWarning

from .conftest import sha256

# --------------------------------------------------------------------------- real videos


def test_demo_keyframes_one_per_view(demo_video, demo_frames):
    # title card, banner, pan over Khomeini Chowk, Lal Chowk sign, Quetta banner
    assert len(demo_frames) == 5
    ts = [f.t for f in demo_frames]
    assert ts == sorted(ts)
    assert (
        0 < ts[0] < 1.6
        and 1.5 <= ts[1] < 5.0
        and 5.0 <= ts[2] < 9.0
        and 9.0 <= ts[3] < 12
        and ts[4] >= 12
    )
    f = demo_frames[2]
    assert f.image.shape == (720, 1280, 3) and f.image.dtype == np.uint8
    assert len(f.sha256) == 64 and f.source_sha256 == sha256(demo_video)
    assert "sharpest of view" in f.reason and "began at a cut" in f.reason
    assert f.sharpness and f.sharpness > 0
    info = demo_frames.info
    assert info["frames_decoded"] == 388 and info["frames_analysed"] < 388 / 2
    # at least 3x fewer frames than sampling once a second
    assert 3 * len(demo_frames) <= len(gv.extract_frames(demo_video, keyframes=False))


def test_fixed_sampling_uses_timestamps(demo_video):
    fs = gv.extract_frames(demo_video, every=2.0, keyframes=False, progress=False)
    assert [round(f.t) for f in fs] == [0, 2, 4, 6, 8, 10, 12, 14]
    assert fs.info["frames_decoded"] > 300
    assert all(f.reason == "fixed sampling every 2 s" for f in fs)


def test_start_end_and_max_frames(demo_video):
    fs = gv.extract_frames(demo_video, start=9.0, end=15.0, progress=False)
    assert fs and all(9.0 <= f.t <= 15.0 for f in fs)
    assert len(gv.extract_frames(demo_video, max_frames=2, progress=False)) == 2
    with pytest.raises(gv.InputError, match="every"):
        gv.extract_frames(demo_video, every=0)


def test_real_video_from_shared(shared):
    src = shared / "video" / "bikes.mp4"
    before = sha256(src)
    fs = gv.extract_frames(src, progress=False)
    fixed = gv.extract_frames(src, keyframes=False, progress=False)
    assert 1 <= len(fs) <= len(fixed) + 2  # a busy street with a cut every second or so
    assert fs.info["codec"] == "h264" and fs.info["views"] >= len(fs)
    assert sha256(src) == before  # input never modified


def test_progress_bar_does_not_crash(demo_video, capsys):
    fs = gv.extract_frames(demo_video, end=3.0, progress=True)
    assert len(fs) >= 1
    capsys.readouterr()


# --------------------------------------------------------------------------- bad input


def test_zero_byte_and_text_file_videos(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(gv.VideoDecodeError, match="empty"):
        gv.extract_frames(empty)
    fake = tmp_path / "notes.mp4"
    fake.write_text("this is not a video\n" * 20)
    before = sha256(fake)
    with pytest.raises(gv.VideoDecodeError, match="notes.mp4: not a readable video"):
        gv.extract_frames(fake)
    assert sha256(fake) == before
    with pytest.raises(gv.InputError, match="no such file"):
        gv.extract_frames(tmp_path / "missing.mp4")
    with pytest.raises(gv.InputError, match="directory"):
        gv.extract_frames(tmp_path)


def test_truncated_video_keeps_what_decodes(shared, tmp_path):
    """bikes.mp4 cut in half: its index (moov) is at the end, so nothing is decodable, and the
    error says why; a file with its index first decodes up to the cut (next test)."""
    src = shared / "video" / "bikes.mp4"
    before = sha256(src)
    data = src.read_bytes()
    cut = tmp_path / "bikes_half.mp4"
    cut.write_bytes(data[: len(data) // 2])
    cut_hash = sha256(cut)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fs = gv.extract_frames(cut, keyframes=False, progress=False)
        except gv.VideoDecodeError as exc:
            assert "bikes_half.mp4" in str(exc)
            assert "index (moov atom) is missing: truncated download?" in str(exc)
            fs = None
    if fs is not None:  # a demuxer that can read without the index
        assert len(fs) >= 1
        assert any(
            issubclass(w.category, TruncatedVideoWarning) and "bikes_half.mp4" in str(w.message)
            for w in caught
        )
    assert sha256(src) == before and sha256(cut) == cut_hash  # inputs never modified


def _faststart_copy(src, dst):
    """Remux (no re-encoding) with the index at the front, as phones and web uploads write it."""
    import av

    with av.open(str(src)) as inp, av.open(str(dst), "w", options={"movflags": "faststart"}) as out:
        ins = inp.streams.video[0]
        outs = out.add_stream_from_template(ins)
        for pkt in inp.demux(ins):
            if pkt.dts is None:
                continue
            pkt.stream = outs
            out.mux(pkt)


@pytest.mark.parametrize("keyframes", [False, True])
def test_truncated_faststart_video_warns_with_time(demo_video, tmp_path, keyframes):
    fast = tmp_path / "demo_fast.mp4"
    _faststart_copy(demo_video, fast)
    cut = tmp_path / "demo_cut.mp4"
    data = fast.read_bytes()
    cut.write_bytes(data[: int(len(data) * 0.6)])
    before = sha256(cut)
    with pytest.warns(TruncatedVideoWarning, match=r"demo_cut.mp4.*t=\d+\.\d+ s") as caught:
        fs = gv.extract_frames(cut, keyframes=keyframes, progress=False)
    # the warning names the line that called extract_frames, not a line inside geoverify
    assert {w.filename for w in caught if w.category is TruncatedVideoWarning} == {__file__}
    assert 1 <= len(fs) < 16 and all(f.t < 15 for f in fs)
    assert fs.info["warnings"]
    assert sha256(cut) == before


def test_load_images_hash_and_orientation(shared, tmp_path):
    src = shared / "images" / "signs" / "example3.png"
    before = sha256(src)
    fs = gv.load_images(src)
    assert len(fs) == 1 and fs[0].source_sha256 == before and fs[0].t is None
    assert fs[0].reason == "photo" and sha256(src) == before
    # EXIF orientation 6 (rotate 90 CW) is applied
    im = Image.new("RGB", (40, 20), "white")
    exif = Image.Exif()
    exif[0x0112] = 6
    p = tmp_path / "rot.jpg"
    im.save(p, exif=exif)
    assert gv.load_images(p)[0].shape == (40, 20)
    shutil.copy(src, tmp_path / "b.png")
    Image.new("RGB", (30, 20), "red").save(tmp_path / "c.webp")
    assert len(gv.load_images(str(tmp_path / "*.png"))) == 1
    assert len(gv.load_images(tmp_path)) == 3  # a folder: jpg, png, webp, sorted by name
    with pytest.raises(gv.InputError, match="no files match"):
        gv.load_images(str(tmp_path / "*.tif"))


def test_bad_images(tmp_path, monkeypatch):
    bad = tmp_path / "x.png"
    bad.write_text("not an image")
    with pytest.raises(gv.InputError, match="x.png"):
        gv.load_images(bad)
    empty = tmp_path / "e.jpg"
    empty.write_bytes(b"")
    with pytest.raises(gv.InputError, match="empty"):
        gv.load_images(empty)
    big = tmp_path / "big.png"
    Image.new("L", (400, 300)).save(big)
    monkeypatch.setattr(gv.settings, "max_image_pixels", 100_000)
    with pytest.raises(gv.ImageTooLargeError, match="big.png"):
        gv.load_images(big)


def _png_header_only(path, width, height):
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (a decompression bomb)."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )
    return path


def test_decompression_bomb_is_refused(tmp_path):
    bomb = _png_header_only(tmp_path / "bomb.png", 60_000, 60_000)
    before = sha256(bomb)
    with pytest.raises(
        gv.ImageTooLargeError, match=r"bomb.png: .*decompression bomb.*max_image_pixels"
    ):
        gv.load_images(bomb)
    assert sha256(bomb) == before


def test_heic_needs_pillow_heif(tmp_path):
    pytest.importorskip("PIL")
    try:
        import pillow_heif  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        p = tmp_path / "photo.heic"
        p.write_bytes(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 32)
        with pytest.raises(gv.InputError, match="pillow-heif|geoverify\\[heif\\]"):
            gv.load_images(p)
    else:
        pytest.skip("pillow-heif is installed; the missing-package message cannot be shown")


def test_frame_crop_zoom_and_frameset_io(demo_frames, tmp_path):
    f = demo_frames[1]
    c = f.crop((100, 50, 300, 150))
    assert c.shape == (100, 200) and c.sha256 != f.sha256 and "crop" in c.reason
    assert f.zoom(0.5).shape == (360, 640) and f.zoom(2).shape == (1440, 2560)
    with pytest.raises(gv.InputError):
        f.crop((10, 10, 10, 50))
    with pytest.raises(gv.InputError):
        f.zoom(0)
    df = demo_frames.to_dataframe()
    assert list(df["frame"]) == list(range(5)) and df["sha256"].str.len().eq(64).all()
    assert {"t", "reason", "source_sha256"} <= set(df.columns)
    manifest = demo_frames[:2].save(tmp_path / "frames")
    assert manifest.exists() and len(list((tmp_path / "frames").glob("*.png"))) == 2
    import json

    entries = json.loads(manifest.read_text())["frames"]
    assert entries[0]["sha256"] == demo_frames[0].sha256
    assert entries[0]["source_sha256"] == demo_frames[0].source_sha256
    # the PNG written holds exactly the pixels the sha256 names
    png = np.asarray(Image.open(tmp_path / "frames" / entries[0]["file"]))
    assert gv.Frame.from_array(png).sha256 == demo_frames[0].sha256
    html = demo_frames._repr_html_()
    assert html.count("<img") == 5 and len(html) < 200_000


def test_array_inputs_are_normalised():
    from geoverify.frames import Frame

    assert Frame.from_array(np.zeros((10, 12), np.uint8)).shape == (10, 12)
    assert Frame.from_array(np.zeros((10, 12, 4), np.uint8)).image.shape == (10, 12, 3)
    assert Frame.from_array(np.full((5, 5, 3), 65535, np.uint16)).image.max() == 255
    with pytest.raises(gv.InputError):
        Frame.from_array(np.zeros((0, 0)))


def test_cli_frames(demo_video, tmp_path, capsys):
    from geoverify.cli import main

    before = sha256(demo_video)
    assert main(["--quiet", "frames", str(demo_video), "--out", str(tmp_path / "out")]) == 0
    assert "5 frames from" in capsys.readouterr().out
    assert (tmp_path / "out" / "manifest.json").exists()
    assert len(list((tmp_path / "out").glob("frame_*.png"))) == 5
    assert sha256(demo_video) == before
    assert main(["frames", str(tmp_path / "none.mp4"), "--out", str(tmp_path / "o2")]) == 2


# --------------------------------------------------------------------------- tiny generated videos


def _card(seed: int, w: int = 160, h: int = 96) -> np.ndarray:
    """A deterministic picture (blocks of grey levels) that differs clearly between seeds."""
    rng = np.random.default_rng(seed)
    cells = rng.integers(0, 256, (6, 10), dtype=np.uint8)
    img = np.kron(cells, np.ones((h // 6, w // 10), np.uint8))
    return np.ascontiguousarray(np.stack([img] * 3, axis=-1))


def _world(w: int, h: int, signs: list[tuple[int, int, int]]) -> np.ndarray:
    """A smooth wall ``w`` x ``h`` with light "signs" (x, y, seed) of 40 x 30 px, each
    with its own pattern, so that a sign's presence and wholeness can be checked."""
    yy, xx = np.mgrid[0:h, 0:w]
    wall = (120 + 40 * np.sin(xx / 37.0) * np.cos(yy / 23.0)).astype(np.uint8)
    img = np.stack([wall] * 3, axis=-1)
    for x, y, seed in signs:
        img[y : y + 30, x : x + 40] = _card(seed, 40, 30) // 2 + 128
        img[y : y + 30, x : x + 2] = img[y : y + 30, x + 38 : x + 40] = 0
    return img


def _encoder(names):
    import av

    for name in names:
        try:
            av.Codec(name, "w")
            return name
        except Exception:
            continue
    pytest.skip(f"this FFmpeg build has no encoder among {names}")


def _write_video(
    path, images, *, codec="libx264", fps=25, pts=None, time_base=None, pix_fmt="yuv420p"
):
    import av

    _encoder([codec])
    h, w = images[0].shape[:2]
    with av.open(str(path), "w") as out:
        s = out.add_stream(codec, rate=fps)
        s.width, s.height, s.pix_fmt = w, h, pix_fmt
        if codec == "libx265":
            s.options = {"x265-params": "log-level=error"}
        if time_base is not None:
            s.time_base = time_base
            s.codec_context.time_base = time_base
        for i, img in enumerate(images):
            fr = av.VideoFrame.from_ndarray(img, format="rgb24")
            if pts is not None:
                fr.pts = pts[i]
                fr.time_base = time_base
            for pkt in s.encode(fr):
                out.mux(pkt)
        for pkt in s.encode():
            out.mux(pkt)
    return path


def test_vfr_timestamps_follow_pts(tmp_path):
    pts = [0, 40, 200, 210, 900, 1500, 1520, 2600]
    imgs = [_card(i) for i in range(len(pts))]
    p = _write_video(tmp_path / "vfr.mkv", imgs, pts=pts, time_base=Fraction(1, 1000))
    fs = gv.extract_frames(p, every=0.001, keyframes=False, progress=False)
    # index / fps would give 0, 0.04, 0.08, ...; the times come from the PTS
    assert [round(f.t, 3) for f in fs] == [v / 1000 for v in pts]
    every = gv.extract_frames(p, every=1.0, keyframes=False, progress=False)
    assert [round(f.t, 3) for f in every] == [0.0, 1.5, 2.6]
    keys = gv.extract_frames(p, every=0.01, progress=False)
    assert {round(f.t, 3) for f in keys} <= {v / 1000 for v in pts}


@pytest.mark.parametrize(
    ("name", "codecs", "pix_fmt"),
    [
        ("h265.mp4", ["libx265"], "yuv420p"),
        ("h265_10bit.mkv", ["libx265"], "yuv420p10le"),
        ("vp9.webm", ["libvpx-vp9"], "yuv420p"),
        ("vp9.mkv", ["libvpx-vp9"], "yuv420p"),
        ("av1.mkv", ["libaom-av1", "libsvtav1", "librav1e"], "yuv420p"),
        ("h264.mov", ["libx264"], "yuv420p"),
    ],
)
def test_codecs_and_containers(tmp_path, name, codecs, pix_fmt):
    codec = _encoder(codecs)
    # shot A (1 s) then shot B (1 s), 160x96 (svt-av1 wants >= 64 px and even sizes)
    imgs = [_card(1)] * 10 + [_card(2)] * 10
    p = _write_video(tmp_path / name, imgs, codec=codec, fps=10, pix_fmt=pix_fmt)
    fs = gv.extract_frames(p, progress=False)
    assert len(fs) == 2 and fs[0].t < 1.0 <= fs[1].t
    assert fs[0].image.shape == (96, 160, 3)
    assert np.abs(fs[1].image.astype(int) - _card(2)).mean() < 12  # the right picture
    fixed = gv.extract_frames(p, keyframes=False, progress=False)
    assert [round(f.t, 1) for f in fixed] == [0.0, 1.0]


def test_a_b_a_shot_is_kept_once(tmp_path):
    # A (1.5 s), B (1.5 s), A again (1.5 s) with a 1 px shake: A kept once, B once
    a, b = _card(1, 320, 192), _card(2, 320, 192)
    shaken = np.roll(a, 1, axis=1)
    imgs = [a] * 15 + [b] * 15 + [shaken] * 15
    p = _write_video(tmp_path / "aba.mp4", imgs, fps=10)
    fs = gv.extract_frames(p, progress=False)
    assert len(fs) == 2
    assert fs.info["views"] == 3 and fs.info["duplicate_views"] == 1
    assert any("the same view again at t=3.0" in f.reason for f in fs)


def test_changed_text_is_not_a_duplicate(tmp_path):
    # A, B, then A with one sign changed: three frames, the change is not collapsed
    world = _world(320, 192, [(40, 40, 1), (200, 100, 2)])
    changed = _world(320, 192, [(40, 40, 1), (200, 100, 3)])
    imgs = [world] * 10 + [_card(9, 320, 192)] * 10 + [changed] * 10
    p = _write_video(tmp_path / "aba2.mp4", imgs, fps=10)
    fs = gv.extract_frames(p, progress=False)
    assert len(fs) == 3 and fs.info["duplicate_views"] == 0


def test_static_shot_is_one_frame_and_new_sign_is_seen(tmp_path):
    # 4 s of one view, then a sign is put up in the same view for 3 s
    before = _world(320, 192, [(40, 40, 1)])
    after = _world(320, 192, [(40, 40, 1), (220, 120, 5)])
    p = _write_video(tmp_path / "static.mp4", [before] * 40 + [after] * 30, fps=10)
    fs = gv.extract_frames(p, progress=False)
    assert len(fs) == 2
    assert fs[0].t < 4.0 <= fs[1].t and "the view changed" in fs[1].reason
    assert len(gv.extract_frames(p, keyframes=False, progress=False)) == 7


def test_pan_keeps_every_sign_whole_with_fewer_frames(tmp_path):
    # the camera pans 480 px across a 640 px wide wall in 16 s (a 160 px frame) with a burnt-in
    # label that does not move; every sign must be whole in some kept frame
    signs = [(x, 60, i) for i, x in enumerate(range(10, 590, 70))]
    world = _world(640, 160, signs)
    imgs = []
    for i in range(161):
        x = 480 * i // 160
        img = world[:, x : x + 160].copy()
        img[4:16, 100:156] = 250  # the still overlay
        imgs.append(img)
    p = _write_video(tmp_path / "pan.mp4", imgs, fps=10)
    fs = gv.extract_frames(p, progress=False)
    fixed = gv.extract_frames(p, keyframes=False, progress=False)
    assert len(fs) <= len(fixed) / 2
    # the overlay does not count as a change: views begin where the camera has moved
    assert all("camera moved" in f.reason or "began at start" in f.reason for f in fs)
    xs = [480 * round(f.t * 10) // 160 for f in fs]
    for sx, _, _ in signs:
        assert any(x <= sx and sx + 40 <= x + 160 for x in xs), (sx, xs)


@pytest.mark.parametrize(("degrees", "band_side"), [(90, "left"), (-90, "right")])
def test_rotation_metadata(tmp_path, degrees, band_side):
    """A portrait phone clip stored 96 x 160 with a display matrix comes back as displayed."""
    import av

    if not hasattr(av.video.stream.VideoStream, "set_display_rotation"):
        pytest.skip("this PyAV cannot write a display matrix (VideoStream.set_display_rotation)")
    img = np.zeros((160, 96, 3), np.uint8)
    img[:20, :, 0] = 255  # red band along the stored top edge
    p = tmp_path / f"rot{degrees}.mp4"
    with av.open(str(p), "w") as out:
        s = out.add_stream("libx264", rate=10)
        s.width, s.height, s.pix_fmt = 96, 160, "yuv420p"
        s.set_display_rotation(degrees)  # counter-clockwise, as FFmpeg's display matrix
        for _ in range(5):
            for pkt in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(pkt)
        for pkt in s.encode():
            out.mux(pkt)
    for fs in (
        gv.extract_frames(p, keyframes=False, progress=False),
        gv.extract_frames(p, progress=False),
    ):
        im = fs[0].image
        assert im.shape == (96, 160, 3)  # landscape after rotation
        left, right = im[:, :20, 0].mean(), im[:, -20:, 0].mean()
        assert (left > 200 > 50 > right) if band_side == "left" else (right > 200 > 50 > left)


def test_blank_views_are_skipped_but_never_everything(tmp_path):
    black = np.zeros((96, 160, 3), np.uint8)
    p = _write_video(tmp_path / "fade.mp4", [black] * 10 + [_card(3)] * 10 + [black] * 10, fps=10)
    fs = gv.extract_frames(p, progress=False)
    assert len(fs) == 1 and 1.0 <= fs[0].t < 2.0
    assert any("blank" in d for d in fs.info["views_dropped"])
    only_black = _write_video(tmp_path / "black.mp4", [black] * 10, fps=10)
    assert len(gv.extract_frames(only_black, progress=False)) == 1


def _street(signs: list[tuple[int, int, int]]) -> np.ndarray:
    """A 320 x 192 wall with signs and a fine still texture (bricks, cobbles), which real
    streets have and the camera's motion is measured on."""
    rng = np.random.default_rng(11)
    bricks = np.kron(rng.integers(-25, 26, (48, 80)), np.ones((4, 4), int))
    img = _world(320, 192, []).astype(int) + bricks[..., None]
    img = np.clip(img, 0, 255).astype(np.uint8)
    for x, y, seed in signs:
        img[y : y + 30, x : x + 40] = _card(seed, 40, 30) // 2 + 128
    return img


def _crossing(world: np.ndarray, n: int, t0: int, t1: int) -> list[np.ndarray]:
    """``n`` frames of ``world`` with a dark 30 x 30 px "car" driving across it from frame
    ``t0`` to frame ``t1``."""
    h, w = world.shape[:2]
    out = []
    for i in range(n):
        img = world.copy()
        if t0 <= i < t1:
            x = (w - 30) * (i - t0) // max(1, t1 - t0 - 1)
            img[h // 2 : h // 2 + 30, x : x + 30] = 20
        out.append(img)
    return out


def test_something_moving_through_a_still_view_is_one_view(tmp_path):
    # 6 s of one view; a "car" drives across it from 1 s to 5 s: the view does not change
    world = _street([(40, 30, 1), (220, 130, 2)])
    p = _write_video(tmp_path / "car.mp4", _crossing(world, 60, 10, 50), fps=10)
    fs = gv.extract_frames(p, progress=False)
    assert len(fs) == 1 and fs.info["views"] == 1


def test_a_sign_that_stays_is_a_new_view_while_something_moves(tmp_path):
    # a "car" drives across from 1 s to 6 s; at 4 s a sign is put up and stays (to 8 s)
    before = _street([(40, 30, 1)])
    after = _street([(40, 30, 1), (220, 130, 5)])
    imgs = _crossing(before, 40, 10, 60) + _crossing(after, 80, 10, 60)[40:]
    p = _write_video(tmp_path / "sign.mp4", imgs, fps=10)
    fs = gv.extract_frames(p, progress=False)
    assert len(fs) == 2 and fs.info["views"] == 2
    assert fs[0].t < 4.0 <= fs[1].t and "the view changed" in fs[1].reason
    # the sign is on the second frame
    assert np.abs(fs[1].image[130:160, 220:260].astype(int) - after[130:160, 220:260]).mean() < 12


def test_never_more_frames_than_fixed_sampling(tmp_path):
    # a burst of 0.3 s shots between cuts (a montage, or something passing right in front
    # of the camera), then a 2 s shot: no more frames than one a second would give
    imgs = [img for seed in range(12) for img in [_card(seed)] * 3] + [_card(50)] * 20
    p = _write_video(tmp_path / "burst.mp4", imgs, fps=10)
    fs = gv.extract_frames(p, progress=False)
    fixed = gv.extract_frames(p, keyframes=False, progress=False)
    assert 1 <= len(fs) <= len(fixed)
    assert np.abs(fs[-1].image.astype(int) - _card(50)).mean() < 12  # the long shot is kept


def test_a_slice_keeps_frame_numbers_so_its_text_joins_back(demo_frames):
    """read_text on part of a FrameSet numbers its rows as the whole does (issue 13)."""
    part = demo_frames[2:4]
    assert [f.index for f in part] == [2, 3]
    texts = gv.read_text(part, engine="tesseract", progress=False)
    assert len(texts) and set(texts["frame"]) <= {2, 3}
    joined = texts.merge(demo_frames.to_dataframe(), on="frame", suffixes=("", "_frame"))
    assert len(joined) == len(texts)
    assert (joined["t"] == joined["t_frame"]).all()
