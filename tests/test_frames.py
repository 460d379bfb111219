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
