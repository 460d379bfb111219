"""Private: confirm and correct a clip's offset by the geometry between its frames and the reference's.

A re-upload applies one geometric edit to every frame (a crop, a rescale, a mirror), so at the
right offset the transform from each clip frame to its reference frame is the same for the whole
clip. At a wrong offset over a moving camera it is not: on a zoom the implied scale drifts, on a
pan whose speed changes the implied shift does. Perceptual hashes cannot see this where a crop of
the frame at *t* looks like the frame a moment earlier (a slow zoom over a still): the hash then
prefers whichever moment best fits one of its fixed crops.

:func:`anchor` confirms the alignment on one frame pair with SIFT and a RANSAC homography (as
:func:`geoverify.match_frames` does) and takes the pair's affine transform as a first guess;
:func:`measure` refines it on each of ``PAIRS`` pairs spread over the clip (the clip frame warped
by the guess, corners followed into the reference frame by pyramidal Lucas-Kanade, brightness
and contrast made standard first) and measures how much it changes over the clip (``spread``:
the scatter of the clip's corners mapped into the reference, a share of the reference frame's
diagonal) and how fast (``drift``, per second of clip time). :func:`correct` keeps the hashes'
offset where the transform changes no more than noise; otherwise it probes ``PROBE`` s either
side, moves to where the drift, close to linear in the offset error, vanishes, and keeps the
move only where the spread falls clearly. (A hashes' offset 0.1-0.2 s off, with a spread under
``SPREAD_OK`` or probes worse than it, was once kept; on a corner crop of a zoom that left
errors up to 0.23 s, 0.10 s now: ``benchmarks/clip_precision.py``.) Where the camera does not move
relative to the scene (a tripod, or a pan at constant speed, where any nearby offset explains
the clip with a crop shifted a little) the geometry cannot tell offsets apart and the hashes'
offset is kept; :func:`ambiguous` says so, where the offsets ``PROBE`` s either side explain the
clip as well (one transform, pixels as close). :func:`open_range` then bounds the offsets that
explain it: the clip frame slides across the reference frame as the offset changes (as it does
between the two probes) and no offset can put it past the reference frame's edge; the offset is
placed in the middle of them, which halves the worst error over the range (the hashes' offset
may sit anywhere in it, at an edge too).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

#: Frame pairs whose transforms are compared.
PAIRS = 4
#: The transform changing less than this (share of the reference's diagonal, RMS over the
#: clip's corners) over the clip is one transform: about 0.4 px on a 320 x 180 frame.
SPREAD_OK = 0.001
#: Seconds either side of the hashes' offset at which the drift is measured to correct it.
PROBE = 0.5
#: Farthest (seconds) an offset is moved from the hashes' offset.
MAX_SHIFT = 2.5
#: A corrected offset is kept when its spread is under this share of the hashes' offset's
#: (and ``NOISE`` under it) ...
ACCEPT = 0.5
#: ... or when it lies between the hashes' offset and the better probe and its spread is under
#: both theirs, by this much at least from the hashes' (a share of the diagonal): where the
#: geometry cannot tell offsets apart (a pan at constant speed) the spread still varies by up
#: to about 0.0004 from offset to offset. A hashes' offset whose spread is under this is kept
#: without probing.
NOISE = 0.0005
#: RANSAC threshold (pixels, frames at most ``_framehash.KEPT_SIDE`` a side) of the affine fit.
AFFINE_THRESHOLD = 2.0
#: Seconds of video decoded forward, rather than seeking, to reach the next frame wanted.
SEEK_GAP = 4.0
#: Corners of each clip frame followed into its reference frame.
FOLLOWED = 120
#: Inliers of the affine fit below which a pair says nothing about the geometry.
MIN_AFFINE_INLIERS = 12
#: An offset ``PROBE`` s away explains the clip as well as the one found when its transforms
#: are one (``SPREAD_OK``) and its pixels differ from the clip's by at most this share more.
#: Re-encoding, resampling and a logo leave a residual at every offset: on a re-encoded crop
#: of a steady pan it varied by up to 1.26x between offsets 0.5 s apart; half a second of
#: street footage raised it 3-4x (and scattered the transforms far past ``SPREAD_OK``).
SAME_RESIDUAL = 1.5
#: ... and when as much of the clip frame falls inside the reference frame there (a share of
#: the clip frame): at a wrong offset an uncropped clip of a steady pan runs off the edge.
SAME_COVERAGE = 0.005
#: Corners of the clip frame moving slower than this (reference pixels per second of offset)
#: do not bound :func:`open_range` (a still scene).
MIN_SLIDE = 0.5


@dataclass
class Geometry:
    """The frame pairs at one offset: the spread and drift of their transforms, the
    residual of the pixels, the clip frame's corners in the reference frame (4 x 2 pixels, the
    mean over the pairs) and the reference frame's ``(width, height)``; None where fewer than
    three pairs could be followed, see :func:`measure`."""

    offset: float
    spread: float | None
    drift: NDArray[np.float64] | None
    residual: float | None = None
    coverage: float | None = None
    corners: NDArray[np.float64] | None = None
    frame: tuple[int, int] | None = None


def grab(path: Path, times: list[float]) -> list[Any]:
    """Grayscale frames of ``path`` nearest to each of ``times`` (seconds from its first
    frame), as :func:`geoverify._framehash.hash_video` keeps them; None past the end. Decodes forward,
    seeking (to a second before the time wanted) across gaps of more than ``SEEK_GAP``."""
    import av

    from ._framehash import _gray
    from ._video import _rotation, reformatter

    out: list[Any] = [None] * len(times)
    scaler = reformatter()
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        frames = iter(f for f in container.decode(stream) if f.time is not None)
        cur = next(frames, None)  # the last frame decoded
        if cur is None:
            return out
        first = cur.time
        tb = float(stream.time_base or 1)
        half = 0.5 / float(stream.average_rate or 25)
        for idx in np.argsort(times):
            target = first + float(times[idx])
            if cur is None or target > cur.time + SEEK_GAP:
                container.seek(max(0, int((target - 1.0) / tb)), stream=stream, backward=True)
                frames = iter(f for f in container.decode(stream) if f.time is not None)
                cur = next(frames, None)
            while cur is not None and cur.time < target - half:
                cur = next(frames, None)
            if cur is None:
                break  # past the end: the later times too
            out[idx] = _gray(cur, _rotation(cur, stream), scaler)
    return out


def nearest(
    kept: list[tuple[float, NDArray[np.uint8]]], times: list[float]
) -> list[tuple[float, NDArray[np.uint8]]]:
    """The kept frames nearest to each of ``times``, each once."""
    if not kept:
        return []
    at = np.array([t for t, _ in kept])
    picked = sorted({int(np.abs(at - t).argmin()) for t in times})
    return [kept[i] for i in picked]


def anchor(clips: list[Any], refs: list[Any]) -> tuple[int, int, NDArray[np.float64] | None]:
    """Confirm with local features (SIFT, ratio test, RANSAC homography, as
    :func:`geoverify.match_frames` does) on the pairs ``clips[i], refs[i]`` from the middle
    out, stopping at the first shown to be the same scene: ``(inliers, pairs with texture
    enough to tell, affine from clip to reference pixels)``; no affine when none is."""
    from .matching import MIN_INLIERS

    informative = 0
    middle = (len(clips) - 1) / 2
    for i in sorted(range(len(clips)), key=lambda i: abs(i - middle)):
        a, b = clips[i], refs[i]
        if a is None or b is None:
            continue
        inliers, matches, affine = _match(a, b)
        informative += int(matches >= MIN_INLIERS)
        if inliers >= MIN_INLIERS and affine is not None:
            return inliers, informative, affine
    return 0, informative, None


def _features(img: NDArray[np.uint8]) -> Any:
    import cv2

    return cv2.SIFT_create(nfeatures=1500).detectAndCompute(img, None)  # type: ignore[attr-defined]


def _match(
    img_a: NDArray[np.uint8], img_b: NDArray[np.uint8]
) -> tuple[int, int, NDArray[np.float64] | None]:
    """``(homography inliers, ratio-test matches, affine from a to b or None)``."""
    import cv2

    from .matching import RATIO, _plausible

    (ka, da), (kb, db) = _features(img_a), _features(img_b)
    if da is None or db is None or len(ka) < 4 or len(kb) < 4:
        return 0, 0, None
    pairs = cv2.BFMatcher(cv2.NORM_L2).knnMatch(da, db, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
    if len(good) < 4:
        return 0, len(good), None
    src = np.array([ka[m.queryIdx].pt for m in good], np.float32)
    dst = np.array([kb[m.trainIdx].pt for m in good], np.float32)
    h, mask = cv2.findHomography(src, dst, cv2.RANSAC, 5.0)
    if h is None or mask is None:
        return 0, len(good), None
    if not _plausible(_corners(img_a.shape, np.asarray(h, np.float64)), img_b.shape):
        return 0, len(good), None
    affine, _ = cv2.estimateAffine2D(src, dst, method=cv2.RANSAC, ransacReprojThreshold=3.0)
    return int(mask.sum()), len(good), None if affine is None else np.asarray(affine, np.float64)


def _corners(shape: tuple[int, ...], h: NDArray[np.float64]) -> NDArray[np.float64]:
    """The corners of an image of ``shape`` mapped by ``h`` (3 x 3, or 2 x 3 affine)."""
    rows, cols = shape[:2]
    pts = np.array([[0, 0, 1], [cols, 0, 1], [cols, rows, 1], [0, rows, 1]], np.float64)
    out = pts @ np.asarray(h, np.float64).T
    return out[:, :2] / out[:, 2:] if out.shape[1] == 3 else out


def _standard(img: NDArray[np.uint8], mask: NDArray[np.bool_]) -> NDArray[np.uint8]:
    """``img`` with the mean and spread of its pixels under ``mask`` made standard, so that
    brightness and contrast edits do not move the optical flow."""
    vals = img[mask].astype(np.float32)
    mean, std = (float(vals.mean()), float(vals.std())) if vals.size else (128.0, 1.0)
    out = (img.astype(np.float32) - mean) * (48.0 / max(std, 1.0)) + 128.0
    return np.asarray(np.clip(out, 0, 255), np.uint8)


def refined(
    clip: NDArray[np.uint8], ref: NDArray[np.uint8], guess: NDArray[np.float64]
) -> NDArray[np.float64] | None:
    """The affine transform from ``clip``'s pixels to ``ref``'s, starting from ``guess``: the
    clip frame warped by it, corners in it followed into ``ref`` (pyramidal Lucas-Kanade, the
    two frames' brightness and contrast made standard first), the residual fitted with
    RANSAC; None when too few follow."""
    import cv2

    warped, _mask, inside = _warped(clip, ref.shape, guess)
    if inside.sum() < 100:
        return None
    a, b = _standard(warped, inside), _standard(ref, inside)
    pts = cv2.goodFeaturesToTrack(
        a, maxCorners=FOLLOWED, qualityLevel=0.01, minDistance=6, mask=inside.astype(np.uint8)
    )
    if pts is None or len(pts) < MIN_AFFINE_INLIERS:
        return None
    fwd, status, _ = cv2.calcOpticalFlowPyrLK(  # type: ignore[call-overload]
        a, b, pts, None, winSize=(15, 15), maxLevel=2
    )
    ok = np.asarray(status).ravel() == 1
    if ok.sum() < MIN_AFFINE_INLIERS:
        return None
    resid, keep = cv2.estimateAffine2D(
        pts[ok], fwd[ok], method=cv2.RANSAC, ransacReprojThreshold=AFFINE_THRESHOLD
    )
    if resid is None or keep is None or int(keep.sum()) < MIN_AFFINE_INLIERS:
        return None
    full = np.vstack([resid, [0, 0, 1]]) @ np.vstack([guess, [0, 0, 1]])
    return np.asarray(full[:2], np.float64)


def measure(
    offset: float,
    times: list[float],
    clips: list[Any],
    refs: list[Any],
    guess: NDArray[np.float64],
) -> Geometry:
    """The spread and drift over the clip of the transforms from each clip frame (at
    ``times``) to the reference frame ``offset`` later (``refs``), each refined from
    ``guess``: where the clip frame's corners land, as shares of the reference frame's
    diagonal, how far they scatter (RMS) and how fast they move with clip time (least
    squares, per corner coordinate); and, over the pairs, the medians of the pixels' residual
    and of the clip frame's coverage (:func:`agreement`)."""
    tt, corners, residuals, covered, frame = [], [], [], [], (0, 0)
    for t, a, b in zip(times, clips, refs):
        if a is None or b is None:
            continue
        affine = refined(a, b, guess)
        if affine is not None:
            frame = (int(b.shape[1]), int(b.shape[0]))
            corners.append(_corners(a.shape, affine).ravel() / float(np.hypot(*b.shape[:2])))
            resid, cover = agreement(a, b, affine)
            residuals.append(resid)
            covered.append(cover)
            tt.append(t)
    if len(corners) < 3:
        return Geometry(offset, None, None)
    c = np.asarray(corners)
    mean = c.mean(axis=0)
    c = c - mean
    t = np.asarray(tt) - np.mean(tt)
    spread = float(np.sqrt((c**2).sum(axis=1).mean() / 4))
    drift = (t @ c) / float(t @ t)
    at = mean.reshape(4, 2) * float(np.hypot(frame[0], frame[1]))
    return Geometry(
        offset, spread, drift, float(np.median(residuals)), float(np.median(covered)), at, frame
    )


def _warped(
    clip: NDArray[np.uint8], ref_shape: tuple[int, ...], affine: NDArray[np.float64]
) -> tuple[NDArray[np.uint8], NDArray[np.uint8], NDArray[np.bool_]]:
    """``clip`` warped by ``affine`` onto the reference frame's pixels, the warped mask of the
    clip frame (255 inside, interpolated at its edge) and where the warp surely covers (the
    mask eroded by 2 px)."""
    import cv2

    size = (ref_shape[1], ref_shape[0])
    warped = np.asarray(cv2.warpAffine(clip, affine, size, flags=cv2.INTER_LINEAR), np.uint8)
    mask = np.asarray(
        cv2.warpAffine(np.full(clip.shape[:2], 255, np.uint8), affine, size), np.uint8
    )
    inside = np.asarray(cv2.erode(mask, np.ones((5, 5), np.uint8))) > 0
    return warped, mask, inside


def agreement(
    clip: NDArray[np.uint8], ref: NDArray[np.uint8], affine: NDArray[np.float64]
) -> tuple[float, float]:
    """How well ``affine`` explains the pair: the mean absolute difference (0-255, brightness
    and contrast made standard) between the warped clip frame and the reference frame where
    the warp covers it, and the share of the clip frame that falls inside the reference frame."""
    warped, mask, inside = _warped(clip, ref.shape, affine)
    area = clip.shape[0] * clip.shape[1] * abs(float(np.linalg.det(np.asarray(affine)[:, :2])))
    coverage = float(mask.sum(dtype=np.float64) / 255.0 / area) if area > 0 else 0.0
    if not inside.any():
        return float("inf"), coverage
    a, b = _standard(warped, inside), _standard(ref, inside)
    return float(
        np.abs(a[inside].astype(np.float32) - b[inside].astype(np.float32)).mean()
    ), coverage


def ambiguous(best: Geometry, at: Any) -> bool:
    """Whether the offsets ``PROBE`` s either side of ``best`` explain the clip as well: one
    transform all through it, pixels as close and as much of the clip inside the reference
    frame (a crop of a pan at constant speed over a still, or a still scene). The offset found
    is then one of many; the pixels cannot pin it. ``at(offsets)`` measures the geometry at
    each offset; the second side is measured only where the first is as good."""
    if best.residual is None or best.coverage is None:
        return False
    for offset in (best.offset - PROBE, best.offset + PROBE):
        (g,) = at([offset])
        if not _as_good(g, best):
            return False
    return True


def _as_good(g: Geometry, best: Geometry) -> bool:
    """Whether ``g`` explains the clip as well as ``best``: one transform, pixels as close, as
    much of the clip frame inside the reference frame."""
    return (
        g.spread is not None
        and g.residual is not None
        and g.coverage is not None
        and best.residual is not None
        and best.coverage is not None
        and g.spread <= SPREAD_OK
        and g.residual <= SAME_RESIDUAL * best.residual + 1e-6
        and g.coverage >= best.coverage - SAME_COVERAGE
    )


def open_range(
    best: Geometry, at: Any, bounds: tuple[float, float]
) -> tuple[Geometry, float, float]:
    """For an ``ambiguous`` ``best``: ``(the offset to report, the least and the greatest
    offset that explain the clip as well)``.

    The clip frame's corners slide across the reference frame linearly in the offset, at the
    speed they move between the probes ``PROBE`` s either side; the range runs as far as no
    corner crosses the reference frame's edge (or goes further past it than at ``best``),
    within ``bounds`` (the offsets at which the clip lies inside the reference's duration) and
    ``MAX_SHIFT`` either side. Where both ends are bounded so, the offset reported is the
    range's middle if it explains the clip as well as ``best`` (measured); otherwise ``best``.
    Where the geometry bounds no end (a still scene), the range is what was measured: the
    probes (within ``bounds``, as every range is)."""
    minus, plus = at([best.offset - PROBE, best.offset + PROBE])
    low, high = best.offset - PROBE, best.offset + PROBE
    if best.corners is None or best.frame is None or minus.corners is None or plus.corners is None:
        return best, low, high
    speed = (plus.corners - minus.corners) / (plus.offset - minus.offset)  # px per s, (4, 2)
    edge = np.array(best.frame, np.float64)  # x runs to the width, y to the height
    c = best.corners
    lo_edge, hi_edge = np.minimum(c, 0.0), np.maximum(c, edge)
    rel_low, rel_high = -np.inf, np.inf
    for v, a, b, x in zip(speed.ravel(), lo_edge.ravel(), hi_edge.ravel(), c.ravel()):
        if abs(v) < MIN_SLIDE:
            continue
        t1, t2 = sorted(((a - x) / v, (b - x) / v))
        rel_low, rel_high = max(rel_low, t1), min(rel_high, t2)
    if not (np.isfinite(rel_low) and np.isfinite(rel_high)):
        return best, max(low, bounds[0]), min(high, bounds[1])
    rel_low = max(rel_low, -MAX_SHIFT, bounds[0] - best.offset)
    rel_high = min(rel_high, MAX_SHIFT, bounds[1] - best.offset)
    if rel_low > -PROBE or rel_high < PROBE:
        # the probes explain the clip as well: the range holds them whatever the slide says
        low, high = min(low, best.offset + rel_low), max(high, best.offset + rel_high)
        return best, max(low, bounds[0]), min(high, bounds[1])
    low, high = best.offset + rel_low, best.offset + rel_high
    (middle,) = at([0.5 * (low + high)])
    return (middle if _as_good(middle, best) else best), low, high


def zero_drift(seen: list[Geometry]) -> float | None:
    """The offset at which the drift, fitted as linear in the offset (least squares, each
    corner coordinate) through the geometries ``seen``, is least; None with fewer than two
    offsets or a drift that does not change with the offset."""
    seen = [g for g in seen if g.drift is not None]
    if len(seen) < 2:
        return None
    o = np.array([g.offset for g in seen])
    d = np.array([g.drift for g in seen])  # (offsets, 8)
    slope, icpt = np.polyfit(o, d, 1)
    den = float(slope @ slope)
    if den == 0.0:
        return None
    return float(-(icpt @ slope) / den)


def correct(first: Geometry, at: Any) -> Geometry:
    """The offset whose transforms change least over the clip, starting from the hashes'
    (``first``). Kept where they change by no more than ``NOISE`` there; otherwise moved to
    where the drift vanishes (fitted through the first and the probes ``PROBE`` s either side)
    and kept only where the spread falls below ``ACCEPT`` of the first's and by ``NOISE`` at
    least, or, within the bracket of the first and a better probe, below both by ``NOISE``.
    The probes are worse than the first where the hashes are less than a probe off: the fit
    then still points between them. ``at(offsets)`` measures the geometry at each offset."""
    if first.spread is None or first.spread <= NOISE:
        return first
    probes = at([first.offset - PROBE, first.offset + PROBE])
    target = zero_drift([first, *probes])
    if target is None:
        return first
    target = float(np.clip(target, first.offset - MAX_SHIFT, first.offset + MAX_SHIFT))
    (moved,) = at([target])
    if moved.spread is None:
        return first
    if moved.spread < min(ACCEPT * first.spread, first.spread - NOISE):
        return moved
    better = [g for g in probes if g.spread is not None and g.spread < first.spread]
    if not better:
        return first
    probe = min(better, key=lambda g: g.spread or 0.0)
    inside = min(first.offset, probe.offset) <= target <= max(first.offset, probe.offset)
    if inside and moved.spread < min(first.spread - NOISE, probe.spread or 0.0):
        return moved
    return first
