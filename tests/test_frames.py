import shutil
import warnings

import numpy as np
import pytest
from PIL import Image

import geoverify as gv
from geoverify.exceptions import TruncatedVideoWarning

from .conftest import sha256


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
    assert "sharpest of view" in f.reason and f.sharpness and f.sharpness > 0


def test_fixed_sampling_uses_timestamps(demo_video):
    fs = gv.extract_frames(demo_video, every=2.0, keyframes=False, progress=False)
    assert [round(f.t) for f in fs] == [0, 2, 4, 6, 8, 10, 12, 14]
    assert fs.info["frames_decoded"] > 300


def test_start_end_and_max_frames(demo_video):
    fs = gv.extract_frames(demo_video, start=9.0, end=15.0, progress=False)
    assert all(9.0 <= f.t <= 15.0 for f in fs)
    assert len(gv.extract_frames(demo_video, max_frames=2, progress=False)) == 2


def test_real_video_from_shared(shared):
    fs = gv.extract_frames(shared / "video" / "bikes.mp4", progress=False)
    fixed = gv.extract_frames(shared / "video" / "bikes.mp4", keyframes=False, progress=False)
    assert 1 <= len(fs) <= len(fixed) + 2
    assert fs.info["codec"] == "h264"


def test_zero_byte_and_text_file_videos(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(gv.VideoDecodeError, match="empty"):
        gv.extract_frames(empty)
    fake = tmp_path / "notes.mp4"
    fake.write_text("this is not a video\n" * 20)
    with pytest.raises(gv.VideoDecodeError, match="notes.mp4"):
        gv.extract_frames(fake)
    with pytest.raises(gv.InputError, match="no such file"):
        gv.extract_frames(tmp_path / "missing.mp4")


def test_truncated_video_keeps_what_decodes(shared, tmp_path):
    src = shared / "video" / "bikes.mp4"
    before = sha256(src)
    data = src.read_bytes()
    cut = tmp_path / "bikes_half.mp4"
    cut.write_bytes(data[: len(data) // 2])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fs = gv.extract_frames(cut, keyframes=False, progress=False)
        except gv.VideoDecodeError as exc:  # moov atom at the end: nothing decodable at all
            assert "bikes_half.mp4" in str(exc)
            fs = None
    if fs is not None:
        assert len(fs) >= 1
        assert any(
            issubclass(w.category, TruncatedVideoWarning) and "bikes_half.mp4" in str(w.message)
            for w in caught
        )
    assert sha256(src) == before  # input never modified


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


def test_truncated_demo_video_warns_with_time(demo_video, tmp_path):
    fast = tmp_path / "demo_fast.mp4"
    _faststart_copy(demo_video, fast)
    cut = tmp_path / "demo_cut.mp4"
    data = fast.read_bytes()
    cut.write_bytes(data[: int(len(data) * 0.6)])
    with pytest.warns(TruncatedVideoWarning, match=r"t=\d+\.\d+ s"):
        fs = gv.extract_frames(cut, keyframes=False, progress=False)
    assert 1 <= len(fs) < 16


def test_load_images_hash_and_orientation(shared, tmp_path):
    src = shared / "images" / "signs" / "example3.png"
    fs = gv.load_images(src)
    assert len(fs) == 1 and fs[0].source_sha256 == sha256(src) and fs[0].t is None
    # EXIF orientation 6 (rotate 90 CW) is applied
    im = Image.new("RGB", (40, 20), "white")
    exif = Image.Exif()
    exif[0x0112] = 6
    p = tmp_path / "rot.jpg"
    im.save(p, exif=exif)
    assert gv.load_images(p)[0].shape == (40, 20)
    shutil.copy(src, tmp_path / "b.png")
    assert len(gv.load_images(str(tmp_path / "*.png"))) == 1


def test_bad_images(tmp_path, monkeypatch):
    bad = tmp_path / "x.png"
    bad.write_text("not an image")
    with pytest.raises(gv.InputError, match="x.png"):
        gv.load_images(bad)
    big = tmp_path / "big.png"
    Image.new("L", (400, 300)).save(big)
    monkeypatch.setattr(gv.settings, "max_image_pixels", 100_000)
    with pytest.raises(gv.ImageTooLargeError, match="big.png"):
        gv.load_images(big)


def test_frame_crop_zoom_and_frameset_io(demo_frames, tmp_path):
    f = demo_frames[1]
    c = f.crop((100, 50, 300, 150))
    assert c.shape == (100, 200) and c.sha256 != f.sha256
    assert f.zoom(0.5).shape == (360, 640)
    with pytest.raises(gv.InputError):
        f.crop((10, 10, 10, 50))
    df = demo_frames.to_dataframe()
    assert list(df["frame"]) == list(range(5)) and df["sha256"].str.len().eq(64).all()
    manifest = demo_frames[:2].save(tmp_path / "frames")
    assert manifest.exists() and len(list((tmp_path / "frames").glob("*.png"))) == 2
    html = demo_frames._repr_html_()
    assert html.count("<img") == 5 and len(html) < 200_000


def test_array_inputs_are_normalised():
    from geoverify.frames import Frame

    assert Frame.from_array(np.zeros((10, 12), np.uint8)).shape == (10, 12)
    assert Frame.from_array(np.zeros((10, 12, 4), np.uint8)).image.shape == (10, 12, 3)
    assert Frame.from_array(np.full((5, 5, 3), 65535, np.uint16)).image.max() == 255
    with pytest.raises(gv.InputError):
        Frame.from_array(np.zeros((0, 0)))


# --------------------------------------------------------------------------- tiny generated videos


def _card(text_seed: int, w: int = 160, h: int = 96) -> np.ndarray:
    """A deterministic picture (blocks of grey levels) that differs clearly between seeds."""
    rng = np.random.default_rng(text_seed)
    cells = rng.integers(0, 256, (6, 10), dtype=np.uint8)
    img = np.kron(cells, np.ones((h // 6, w // 10), np.uint8))
    return np.ascontiguousarray(np.stack([img] * 3, axis=-1))


def _write_video(path, images, *, codec="libx264", fps=25, pts=None, time_base=None):
    import av

    if codec not in av.codecs_available:
        pytest.skip(f"FFmpeg in this PyAV build has no {codec} encoder")
    h, w = images[0].shape[:2]
    with av.open(str(path), "w") as out:
        s = out.add_stream(codec, rate=fps)
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
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
    from fractions import Fraction

    pts = [0, 40, 200, 210, 900, 1500, 1520, 2600]
    imgs = [_card(i) for i in range(len(pts))]
    p = _write_video(tmp_path / "vfr.mkv", imgs, pts=pts, time_base=Fraction(1, 1000))
    fs = gv.extract_frames(p, every=0.001, keyframes=False, progress=False)
    assert [round(f.t, 3) for f in fs] == [v / 1000 for v in pts]
    every = gv.extract_frames(p, every=1.0, keyframes=False, progress=False)
    assert [round(f.t, 3) for f in every] == [0.0, 1.5, 2.6]


@pytest.mark.parametrize(
    ("name", "codecs"),
    [
        ("h265.mp4", ["libx265"]),
        ("vp9.webm", ["libvpx-vp9"]),
        ("vp9.mkv", ["libvpx-vp9"]),
        ("av1.mkv", ["libaom-av1", "libsvtav1", "librav1e"]),
        ("h264.mov", ["libx264"]),
    ],
)
def test_codecs_and_containers(tmp_path, name, codecs):
    import av

    codec = next((c for c in codecs if c in av.codecs_available), None)
    if codec is None:
        pytest.skip(f"no encoder among {codecs} in this FFmpeg build")
    # shot A (1 s) then shot B (1 s), 160x96 (svt-av1 wants >= 64 px and even sizes)
    imgs = [_card(1)] * 10 + [_card(2)] * 10
    p = _write_video(tmp_path / name, imgs, codec=codec, fps=10)
    fs = gv.extract_frames(p, progress=False)
    assert len(fs) == 2 and fs[0].t < 1.0 <= fs[1].t
    assert fs[0].image.shape == (96, 160, 3)
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
    assert any("same view also seen" in f.reason for f in fs)


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
