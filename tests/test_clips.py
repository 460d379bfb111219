"""find_clip and match_frames on real footage, re-uploaded the ways re-uploaders do it."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import geoverify as gv
from geoverify import _framehash as fh
from geoverify._videoedit import Edit, make_clip, read_frames, write_video
from geoverify.data import sha256_file
from geoverify.demo import demo_video
from geoverify.exceptions import InputError

#: Where the demo video starts inside the test reference (after bikes.mp4, 10 s).
DEMO_AT = 10.0


@pytest.fixture(scope="module")
def reference(shared, tmp_path_factory):
    """A 25 s reference: the real street video, then the demo reconstruction (320 px wide)."""
    import cv2

    frames = [img for _, img in read_frames(shared / "video" / "bikes.mp4", max_side=320)]
    size = (frames[0].shape[1], frames[0].shape[0])
    frames += [cv2.resize(img, size) for _, img in read_frames(demo_video(), max_side=320)]
    return write_video(frames, tmp_path_factory.mktemp("ref") / "reference.mp4", 25)


EDITS = {
    "re-encoded smaller": (2.0, 6.0, Edit(scale=0.5), None),
    "cropped 10% a side": (3.0, 7.0, Edit(crop=(0.1, 0.1, 0.1, 0.1)), None),
    "cropped one corner": (2.3, 6.3, Edit(crop=(0.1, 0.0, 0.0, 0.1)), None),
    "brighter, more contrast": (4.0, 8.0, Edit(brightness=35, contrast=1.3), None),
    "logo and caption": (13.0, 19.0, Edit(logo=True, caption="VIRAL: PoK protest"), None),
    "mirrored": (12.5, 17.5, Edit(mirror=True), None),
    "15 fps": (5.0, 9.0, Edit(), 15.0),
    "30 fps, mirrored, cropped, logo": (
        15.0,
        21.0,
        Edit(mirror=True, crop=(0.05, 0.08, 0.1, 0.0), logo=True, scale=0.7),
        30.0,
    ),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_find_clip_locates_transformed_clips(reference, tmp_path, name):
    start, end, edit, fps = EDITS[name]
    clip = make_clip(reference, tmp_path / "clip.mp4", start, end, edit, fps=fps)
    table = gv.find_clip(clip, reference)
    assert len(table), f"{name}: not found"
    best = table.iloc[0]
    offset = best.ref_start - best.clip_start
    assert abs(offset - start) < 0.5, f"{name}: offset {offset:.2f} s, truth {start} s"
    assert best.mirrored == edit.mirror
    assert best.clip_end - best.clip_start > 0.5 * (end - start)
    assert 0.0 < best.similarity <= 1.0
    assert not best.ambiguous, f"{name}: the scene moves, yet the offset is said to be open"


def _zoom_frames(shared):
    from geoverify._videoedit import pan

    photo = gv.frames.load_image(shared / "images" / "signs" / "french.jpg").image
    return pan(photo, ((0.5, 0.5), (0.5, 0.5), 0.35, 0.95), 14.0, (320, 180), 25)


@pytest.fixture(scope="module")
def zoom(shared, tmp_path_factory):
    """A slow zoom out over a still photo, 14 s: a crop of the frame at t is nearly the whole
    frame a moment earlier, which the hashes alone cannot tell apart."""
    return write_video(_zoom_frames(shared), tmp_path_factory.mktemp("zoom") / "zoom.mp4", 25)


def test_find_clip_crop_of_a_zoom_is_placed_by_its_geometry(zoom, tmp_path):
    clip = make_clip(zoom, tmp_path / "crop.mp4", 3.0, 11.0, Edit(crop=(0.1, 0.1, 0.1, 0.1)))
    hashes_only = gv.find_clip(clip, zoom, confirm=False).iloc[0]
    # the hashes prefer an earlier moment read through one of their fixed crops ...
    assert abs(hashes_only.ref_start - hashes_only.clip_start - 3.0) > 0.5
    best = gv.find_clip(clip, zoom).iloc[0]
    # ... the geometry, the same for every frame only at the right offset, moves it back
    assert abs(best.ref_start - best.clip_start - 3.0) < 0.2
    assert best.inliers >= gv.matching.MIN_INLIERS
    assert not best.ambiguous  # half a second off, the zoom's scale drifts


def test_find_clip_says_when_a_steady_pan_leaves_the_offset_open(shared, tmp_path):
    """A crop of a pan at constant speed over a still equals, at any nearby moment, a crop
    shifted sideways: every such offset explains the clip, and find_clip says so; the whole
    frame does not."""
    from geoverify._videoedit import pan

    photo = gv.frames.load_image(shared / "images" / "signs" / "french.jpg").image
    frames = pan(photo, ((0.3, 0.5), (0.7, 0.5), 0.5, 0.5), 14.0, (320, 180), 25)
    steady = write_video(frames, tmp_path / "pan.mp4", 25)
    clip = make_clip(steady, tmp_path / "crop.mp4", 3.0, 11.0, Edit(crop=(0.05, 0.08, 0.1, 0.0)))
    best = gv.find_clip(clip, steady).iloc[0]
    assert best.inliers >= gv.matching.MIN_INLIERS and best.ambiguous
    # the view slides 0.8 frame widths in 14 s; the crop leaves 0.10 of a frame on its right
    # and 0.05 on its left: any start from 1.75 s before the truth to 0.875 s after explains it
    low, high = best.ref_start_min - best.clip_start, best.ref_start_max - best.clip_start
    assert low <= 3.0 <= high
    assert abs(low - (3.0 - 1.75)) < 0.3 and abs(high - (3.0 + 0.875)) < 0.3
    assert abs(best.ref_start - best.clip_start - 0.5 * (low + high)) < 1e-6  # the middle
    # uncropped, the clip runs off the reference frame half a second away: pinned
    whole = make_clip(steady, tmp_path / "whole.mp4", 3.0, 11.0, Edit(scale=0.6))
    best = gv.find_clip(whole, steady).iloc[0]
    assert abs(best.ref_start - best.clip_start - 3.0) < 0.2 and not best.ambiguous
    assert best.ref_start_min == best.ref_start == best.ref_start_max


@pytest.mark.parametrize("crf", [24, 28, 32])
def test_find_clip_offset_between_the_hash_steps(shared, tmp_path, crf):
    """Where the camera moves, the geometry places the clip between the 0.2 s hash steps,
    whichever encoding the re-uploader's x264 made (the hashes alone land up to 0.46 s off,
    depending on it: benchmarks/clip_precision.py)."""
    # 1.68 s is a frame of the 25 fps zoom: a cut between two frames repeats the first one,
    # and the clip's offset is then a frame earlier than the cut
    original = write_video(_zoom_frames(shared), tmp_path / "zoom.mp4", 25, crf=crf)
    clip = make_clip(original, tmp_path / "corner.mp4", 1.68, 11.0, Edit(crop=(0.1, 0.0, 0.0, 0.1)))
    best = gv.find_clip(clip, original).iloc[0]
    assert abs(best.ref_start - best.clip_start - 1.68) < 0.1  # half a step


def test_find_clip_unrelated_clip_is_empty(reference, shared, tmp_path):
    clip = make_clip(shared / "video" / "pan_easyocr_example3.mp4", tmp_path / "u.mp4", 0.0, 3.5)
    table = gv.find_clip(clip, reference)
    assert table.empty
    assert list(table.columns)[:6] == [
        "clip_start",
        "clip_end",
        "ref_start",
        "ref_end",
        "similarity",
        "mirrored",
    ]


def test_reference_hashes_are_cached(reference, tmp_path):
    clip = make_clip(reference, tmp_path / "c.mp4", 16.0, 20.0, Edit(scale=0.6))
    first = gv.find_clip(clip, reference)
    again = gv.find_clip(clip, reference)
    assert again.attrs["reference_cached"] is True
    assert list(gv.settings.cache_path("clip-hashes", "x").parent.glob("*.npz"))
    assert np.allclose(first[["ref_start", "ref_end"]], again[["ref_start", "ref_end"]])


def test_find_clip_errors(reference, tmp_path):
    with pytest.raises(InputError, match="no such video"):
        gv.find_clip(tmp_path / "missing.mp4", reference)
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video")
    with pytest.raises(InputError):
        gv.find_clip(bad, reference)


def test_phash_is_imagehash_phash(shared):
    imagehash = pytest.importorskip("imagehash")
    import cv2

    frames = [img for _, img in read_frames(shared / "video" / "bikes.mp4", 0, 10)][::25]
    small = np.stack(
        [
            cv2.resize(cv2.cvtColor(f, cv2.COLOR_RGB2GRAY), (32, 32), interpolation=cv2.INTER_AREA)
            for f in frames
        ]
    )
    ours = fh.phash_batch(small)
    theirs = [int(str(imagehash.phash(Image.fromarray(g))), 16) for g in small]
    assert [int(h) for h in ours] == theirs
    # the crops are hashed the same way, up to the rounding of the thumbnail
    thumbs = np.stack(
        [
            cv2.resize(cv2.cvtColor(f, cv2.COLOR_RGB2GRAY), (80, 80), interpolation=cv2.INTER_AREA)
            for f in frames
        ]
    )
    k = fh.REFERENCE_CROPS.index((6, 2, 2, 6))  # left, top, right, bottom
    cropped = [int(str(imagehash.phash(Image.fromarray(t[2:74, 6:78].copy()))), 16) for t in thumbs]
    bits = [
        bin(int(a) ^ b).count("1")
        for a, b in zip(fh.crop_hashes(thumbs, fh.REFERENCE_CROPS)[:, k], cropped)
    ]
    assert max(bits) <= 4


def test_format_time():
    from geoverify.clips import format_time

    assert format_time(198) == "3:18"
    assert format_time(0.0) == "0:00"
    assert format_time(3725.25) == "1:02:05.2"


# --------------------------------------------------------------------------- match_frames


def test_match_frames_same_scene_and_region(shared):
    frame = next(img for t, img in read_frames(shared / "video" / "bikes.mp4", 4.0))
    h, w = frame.shape[:2]
    part = frame[h // 4 : 3 * h // 4, w // 5 : 4 * w // 5]
    shot = Edit(scale=0.8, brightness=20)(part)
    m = gv.match_frames(shot, frame)
    assert m.same and m.inliers >= gv.matching.MIN_INLIERS
    x0, y0, x1, y1 = m.box
    assert abs(x0 - w / 5) < 16 and abs(y0 - h / 4) < 16
    assert abs(x1 - 4 * w / 5) < 16 and abs(y1 - 3 * h / 4) < 16
    assert m.drawing is not None and m.drawing.shape[1] == shot.shape[1] + w
    assert "inliers" in m._repr_html_()


def test_match_frames_different_scenes(shared):
    street = next(img for t, img in read_frames(shared / "video" / "bikes.mp4", 4.0))
    sign = gv.frames.load_image(shared / "images" / "signs" / "example3.png")
    m = gv.match_frames(sign, street)
    assert not m.same
    assert m.inliers < gv.matching.MIN_INLIERS


def test_match_frames_banner_across_videos(shared):
    """The same sign in two different videos: the photo, and the pan made from it."""
    sign = gv.frames.load_image(shared / "images" / "signs" / "example3.png")
    pan = next(img for t, img in read_frames(shared / "video" / "pan_easyocr_example3.mp4", 2.0))
    assert gv.match_frames(pan, sign).same


def test_match_frames_rejects_bad_input():
    with pytest.raises(InputError):
        gv.match_frames(42, np.zeros((10, 10, 3), np.uint8))


# --------------------------------------------------------------------------- the geometry


def _geometry(offset, truth=0.3, spread_floor=1e-4):
    from geoverify._clipgeometry import Geometry

    drift = (offset - truth) * np.array([1.0, -2.0, 0.5, 0.0, 1.0, 1.0, -1.0, 3.0]) * 1e-3
    return Geometry(offset, spread_floor + abs(offset - truth) * 4e-3, drift)


def test_zero_drift_is_where_a_linear_drift_vanishes():
    from geoverify._clipgeometry import zero_drift

    assert zero_drift([_geometry(0.0), _geometry(1.0)]) == pytest.approx(0.3)
    assert zero_drift([_geometry(0.0)]) is None  # one offset says nothing of the slope


def test_correct_moves_the_offset_where_the_transform_drifts():
    from geoverify import _clipgeometry as geo

    asked = []

    def at(offsets):
        asked.extend(offsets)
        return [_geometry(o, truth=1.2) for o in offsets]

    best = geo.correct(_geometry(0.0, truth=1.2), at)
    assert best.offset == pytest.approx(1.2)
    assert asked[:2] == [-geo.PROBE, geo.PROBE]


def test_ambiguous_needs_both_probes_as_good():
    from geoverify._clipgeometry import PROBE, SPREAD_OK, Geometry, ambiguous

    def g(offset, spread, residual, coverage=1.0):
        return Geometry(offset, spread, None, residual, coverage)

    def probes(low, high):
        asked = []

        def at(offsets):
            asked.extend(offsets)
            return [low if o < 0 else high for o in offsets]

        return at, asked

    best = g(0.0, 0.0002, 10.0)
    at, asked = probes(g(-0.5, 0.0003, 10.5), g(0.5, 0.0002, 13.0))
    assert ambiguous(best, at) and asked == [-PROBE, PROBE]
    # the scene moved in half a second: the pixels differ more
    assert not ambiguous(best, probes(g(-0.5, 0.0003, 10.5), g(0.5, 0.0002, 20.0))[0])
    # the transform drifts at one probe (a zoom, a pan that speeds up); the other is not measured
    at, asked = probes(g(-0.5, 3 * SPREAD_OK, 10.0), g(0.5, 0.0002, 10.0))
    assert not ambiguous(best, at) and asked == [-PROBE]
    # an uncropped clip of a steady pan runs off the reference frame at a wrong offset
    assert not ambiguous(best, probes(g(-0.5, 0.0003, 10.5, 0.97), g(0.5, 0.0002, 10.0))[0])
    # a probe that could not be followed says nothing
    assert not ambiguous(best, probes(g(-0.5, None, None), g(0.5, 0.0002, 10.0))[0])
    assert not ambiguous(g(0.0, None, None), probes(g(-0.5, 0.0, 1.0), g(0.5, 0.0, 1.0))[0])


def test_correct_keeps_a_consistent_offset():
    from geoverify import _clipgeometry as geo

    def never(offsets):
        raise AssertionError("probed a consistent offset")

    first = _geometry(0.3)  # spread under NOISE: one transform for the whole clip
    assert first.spread <= geo.NOISE
    assert geo.correct(first, never) is first
    # the least change is at the hashes' offset: the probes are worse, nothing is moved
    near = _geometry(0.31, spread_floor=2e-3)
    assert geo.correct(near, lambda offs: [_geometry(o, 0.31, 2e-3) for o in offs]) is near


def test_correct_moves_an_offset_less_than_a_probe_off():
    """The hashes 0.2 s off: a spread under SPREAD_OK, both probes worse, and yet the fitted
    drift vanishes between them, where the transforms are one."""
    from geoverify import _clipgeometry as geo

    first = _geometry(0.0, truth=0.2)
    assert geo.NOISE < first.spread < geo.SPREAD_OK
    probes = [_geometry(o, truth=0.2) for o in (-geo.PROBE, geo.PROBE)]
    assert all(p.spread > first.spread for p in probes)
    best = geo.correct(first, lambda offs: [_geometry(o, truth=0.2) for o in offs])
    assert best.offset == pytest.approx(0.2)


def test_correct_refuses_a_move_that_does_not_halve_the_spread():
    from geoverify import _clipgeometry as geo
    from geoverify._clipgeometry import Geometry

    first = Geometry(0.0, 3e-3, np.full(8, 1e-3))

    def at(offsets):  # drift vanishes at 1.0 but the transforms scatter as much there
        return [Geometry(o, 2.5e-3, np.full(8, 1e-3) * (1 - o)) for o in offsets]

    assert geo.correct(first, at) is first


def test_grab_frames_nearest_the_times(reference):
    from geoverify import _clipgeometry as geo
    from geoverify import _framehash as fh

    frames = geo.grab(reference, [12.0, 2.0, 2.04, 999.0])
    assert frames[3] is None  # past the end
    assert all(f is not None and f.ndim == 2 for f in frames[:3])
    kept = fh.hash_video(reference, 0.2, fh.NO_CROP, keep=True).kept
    at2 = dict(kept)[min(dict(kept), key=lambda t: abs(t - 2.0))]
    assert np.abs(frames[1].astype(int) - at2).mean() < 2  # the same frame, twice decoded
    assert np.abs(frames[0].astype(int) - at2).mean() > 10  # another scene (the demo)


def test_hash_video_keeps_frames_for_the_geometry(reference, monkeypatch):
    from geoverify import _framehash as fh

    kept = fh.hash_video(reference, 0.2, fh.NO_CROP, keep=True).kept
    times = np.array([t for t, _ in kept])
    assert np.allclose(np.diff(times), fh.KEEP_EVERY, atol=0.05)
    assert max(kept[0][1].shape) <= fh.KEPT_SIDE
    assert not fh.hash_video(reference, 0.2, fh.NO_CROP).kept
    monkeypatch.setattr(fh, "MAX_KEPT", 5)  # a long clip: thinned, twice as far apart each time
    few = fh.hash_video(reference, 0.2, fh.NO_CROP, keep=True).kept
    assert len(few) <= 6
    assert np.diff([t for t, _ in few]).min() >= 4 * fh.KEEP_EVERY - 0.05


def test_between_steps_is_the_vertex_of_the_distance_parabola():
    from geoverify.clips import _between_steps

    def hashes(set_bits):
        rows = np.array([[np.uint64((1 << b) - 1)] for b in set_bits], np.uint64)
        return fh.VideoHashes(np.arange(len(rows)) * 0.2, rows, 0.0, len(rows) * 0.2, {})

    clip = hashes([0] * 6)  # all bits clear: a pairing's distance is the reference's bits
    # offsets 0, 1, 2 pair the clip with rows 0-5, 1-6, 2-7: mean bits 10, 7, 8
    ref = hashes([20, 8, 8, 8, 8, 8, 2, 14, 30])
    j = np.arange(6)
    # vertex of the parabola through (-1, 10), (0, 7), (1, 8): a quarter step later
    assert _between_steps(clip, ref, 1, 0, j) == pytest.approx(0.25)
    assert _between_steps(clip, hashes([8] * 9), 1, 0, j) == 0.0  # no curvature, no move
    assert _between_steps(clip, ref, 0, 0, j) == 0.0  # no offset before the first


def test_correct_takes_a_move_within_the_bracket_only_when_clearly_better():
    from geoverify import _clipgeometry as geo
    from geoverify._clipgeometry import Geometry

    drift = np.full(8, 1e-3)

    def correct(target, spread_there):
        """The first at 0 (spread 1.6e-3), the probe at -0.5 better than the one at +0.5, the
        drift vanishing at ``target``, where the spread is ``spread_there``."""
        spreads = {0.0: 1.6e-3, -geo.PROBE: 1.2e-3, geo.PROBE: 4e-3}

        def at(offsets):
            return [
                Geometry(o, spreads.get(o, spread_there), drift * (o - target)) for o in offsets
            ]

        return geo.correct(at([0.0])[0], at)

    # 0.85e-3 does not halve 1.6e-3, but the move stays between the first and the better
    # probe and beats both by more than the noise: taken
    assert correct(-0.3, 0.85e-3).offset == pytest.approx(-0.3)
    # the same spread far outside the bracket is not enough (a pan at constant speed)
    assert correct(-1.3, 0.85e-3).offset == 0.0
    # within the bracket but within the noise of the first's: not taken
    assert correct(-0.3, 1.3e-3).offset == 0.0
    # halving is taken anywhere
    assert correct(-1.3, 0.7e-3).offset == pytest.approx(-1.3)


# --------------------------------------------------------------------------- the test videos


def test_write_video_gives_the_same_file_for_the_same_frames(shared, tmp_path):
    """The clips these tests cut must not change from run to run: with x264's AVX-512 code the
    same frames gave another file whenever other work had used the heap in between."""
    import av

    frames = list(_zoom_frames(shared))[:100]
    digests = set()
    for k in range(4):
        rng = np.random.default_rng(k)
        junk = [
            av.VideoFrame.from_ndarray(
                rng.integers(0, 255, (2 * int(rng.integers(2, 60)), 64, 3), dtype=np.uint8),
                format="rgb24",
            ).reformat(format="yuv420p")
            for _ in range(300)
        ]
        del junk[: int(rng.integers(0, 300))]  # leave the heap other than it was
        digests.add(sha256_file(write_video(frames, tmp_path / f"z{k}.mp4", 25)))
    assert len(digests) == 1


def test_x264_params_name_only_sets_the_cpu_has(tmp_path):
    from geoverify._videoedit import x264_params

    wide, narrow = tmp_path / "wide", tmp_path / "narrow"
    wide.write_text("processor\t: 0\nflags\t\t: fpu sse sse2 ssse3 avx avx2 avx512f\n")
    assert x264_params(str(wide)) == {"x264-params": "asm=MMX2,SSE,SSE2,SSSE3,AVX,AVX2"}
    narrow.write_text("flags\t\t: fpu sse sse2 avx2\n")
    assert x264_params(str(narrow)) == {}  # no AVX-512: x264 chooses
    assert x264_params(str(tmp_path / "none")) == {}


def test_open_range_runs_until_the_clip_frame_meets_the_reference_frames_edge():
    from geoverify._clipgeometry import MAX_SHIFT, PROBE, Geometry, open_range

    frame = (320, 180)
    # the clip frame spans x 16-288 of the reference frame and slides left 20 px per second
    box = np.array([[16.0, 14.0], [288.0, 14.0], [288.0, 180.0], [16.0, 180.0]])

    def g(offset, residual=10.0, slide=20.0):
        return Geometry(offset, 0.0002, None, residual, 1.0, box - [slide * offset, 0], frame)

    def measured(worse_middle=False, slide=20.0):
        def at(offsets):
            return [g(o, 30.0 if worse_middle and abs(o) > 0.1 else 10.0, slide) for o in offsets]

        return at

    best, low, high = open_range(g(0.0), measured(), (-100.0, 100.0))
    # 16 px to the left edge at 20 px/s: 0.8 s later; 32 px to the right edge: 1.6 s earlier
    assert (low, high) == pytest.approx((-1.6, 0.8))
    assert best.offset == pytest.approx(-0.4)  # the middle, as good as the start
    # the middle explains the clip worse (the slide is not steady that far): the start stays
    best, low, high = open_range(g(0.0), measured(worse_middle=True), (-100.0, 100.0))
    assert best.offset == 0.0 and (low, high) == pytest.approx((-1.6, 0.8))
    # the clip cannot start before the reference does
    best, low, high = open_range(g(0.0), measured(), (-1.0, 100.0))
    assert (low, high) == pytest.approx((-1.0, 0.8)) and best.offset == pytest.approx(-0.1)
    # a still scene: nothing bounds the range, so it is what was measured, the probes
    best, low, high = open_range(g(0.0, slide=0.0), measured(slide=0.0), (-100.0, 100.0))
    assert best.offset == 0.0 and (low, high) == (-PROBE, PROBE)
    # a slow slide is bounded at most MAX_SHIFT either side
    _, low, high = open_range(g(0.0, slide=2.0), measured(slide=2.0), (-100.0, 100.0))
    assert (low, high) == pytest.approx((-MAX_SHIFT, MAX_SHIFT))
