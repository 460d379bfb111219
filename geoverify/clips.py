"""Where a clip sits inside a longer video: perceptual hashes, offset voting, OpenCV to confirm.

:func:`find_clip` decodes each video once and hashes a frame every ``step`` seconds (pHash,
see ``geoverify/_framehash.py``): the clip whole and mirrored, the reference in 17 crops. Every
time offset between clip and reference is scored by how far apart the hashes it pairs are,
on average over the clip (each clip frame votes for the offsets that pair it with a near
hash, as vPDQ matches subsequences; the mean counts every frame's vote at once). The best
offsets, under a distance no chance pairing reaches, are checked with local features (SIFT
and a RANSAC homography, as :func:`geoverify.match_frames` does, on frames from both videos)
before they are reported, and corrected by the geometry between the frames: a re-upload crops
or rescales every frame the same way, so at the right offset the transform from clip frame to
reference frame is the same all through the clip; where it changes (a crop of a slow zoom
matched to the wrong moment) the offset is moved to where it does not (``_clipgeometry``).
Between the hashes' ``step`` the offset is first placed at the vertex of the parabola
through the distances at the best step and its two neighbours, then by the geometry where the
camera moves.

The reference's hashes are cached by the file's sha256 and the parameters, so every further
clip searched in the same reference costs the decoding of the clip, not of the reference.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ._framehash import NO_CROP, VideoHashes, hash_video, popcount
from ._framehash import reference_hashes as _reference_hashes
from .exceptions import InputError

__all__ = ["AMBIGUOUS_OFFSET", "CLIP_COLUMNS", "alignment_notes", "find_clip", "format_time"]

#: Columns of :func:`find_clip`'s table.
CLIP_COLUMNS = [
    "clip_start",
    "clip_end",
    "ref_start",
    "ref_end",
    "similarity",
    "mirrored",
    "distance",
    "inliers",
    "ambiguous",
    "ref_start_min",
    "ref_start_max",
]
#: What the report and ``geoverify compare`` say of an alignment flagged ``ambiguous``.
AMBIGUOUS_OFFSET = "offset not pinned to 0.5 s: a steady pan or a still scene"
#: Share of the 64 hash bits that differ, on average over the clip's best-matching
#: ``TRIM`` share of frames, above which an offset is not considered: unrelated footage sits
#: at 0.4-0.5, the same footage re-encoded, rescaled, recropped, re-coloured near 0.1.
MAX_DISTANCE = 0.27
#: A clip frame at most this far (share of bits) from its reference frame is matched.
FRAME_DISTANCE = 0.3
#: Share of the clip's frames that the distance is averaged over (the rest may carry an added
#: caption, a title card, a flash).
TRIM = 0.75
#: Alignments whose reference spans overlap by more than this share are one.
OVERLAP = 0.5


def format_time(seconds: float) -> str:
    """``m:ss`` (``h:mm:ss`` from an hour), to a tenth of a second where that is not whole."""
    tenths = int(round(seconds * 10))
    whole, frac = divmod(tenths, 10)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    text = f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
    return text + (f".{frac}" if frac else "")


def alignment_notes(alignment: Mapping[str, Any]) -> list[str]:
    """What the report and ``geoverify compare`` say of an alignment (a row of
    :func:`find_clip`, or one read back from a manifest) beside its spans: ``mirrored``, and
    :data:`AMBIGUOUS_OFFSET` with the range of starts where it is known."""
    notes = ["mirrored"] if alignment.get("mirrored") else []
    if alignment.get("ambiguous"):
        low, high = (_seconds(alignment.get(k)) for k in ("ref_start_min", "ref_start_max"))
        if low is not None and high is not None and high > low:
            notes.append(
                f"{AMBIGUOUS_OFFSET}; it may start anywhere from {format_time(low)} to "
                f"{format_time(high)} of the reference"
            )
        else:
            notes.append(AMBIGUOUS_OFFSET)
    return notes


#: Longest time (seconds) :func:`format_time` is given from a manifest: a week of video.
LONGEST = 7 * 24 * 3600.0


def _seconds(value: Any) -> float | None:
    """``value`` as a number of seconds (numpy's too) in ``[-LONGEST, LONGEST]``, None where
    it is not one (a manifest may hold anything)."""
    from ._casefolder import finite_number

    seconds = finite_number(value)
    return seconds if seconds is not None and abs(seconds) <= LONGEST else None


def _path(p: Any, what: str) -> Path:
    if not isinstance(p, (str, os.PathLike)):
        raise InputError(f"{what}: expected a video file path, got {type(p).__name__}")
    path = Path(p)
    if not path.is_file():
        raise InputError(f"{path}: no such video file ({what})")
    return path


def find_clip(
    clip: str | os.PathLike[str],
    reference: str | os.PathLike[str],
    *,
    step: float = 0.2,
    max_distance: float = MAX_DISTANCE,
    confirm: bool = True,
    max_results: int = 5,
) -> pd.DataFrame:
    """Locate a clip inside a longer video.

    Parameters
    ----------
    clip
        The video to look for (the viral upload).
    reference
        The longer video it may have been cut from (the original).
    step
        Seconds between hashed frames, in both videos.
    max_distance
        Mean share of differing hash bits above which an alignment is not considered.
    confirm
        Check each alignment with local features on frames of both videos (SIFT + RANSAC,
        as :func:`geoverify.match_frames`); an alignment they refute is dropped. The offset
        is then corrected where the transform between clip and reference frames changes over
        the clip (it cannot, for a re-upload, at the right offset).
    max_results
        Most alignments returned (the reference may hold the clip more than once).

    Returns
    -------
    pandas.DataFrame
        One row per alignment, best first: ``clip_start, clip_end`` (seconds of the clip that
        match), ``ref_start, ref_end`` (where they are in the reference), ``similarity`` (1 the
        same pixels, 0 chance), ``mirrored`` (the clip is the reference flipped left to right),
        ``distance`` (mean share of differing hash bits) and ``inliers`` (local-feature inliers
        of the frame pair that confirmed it; -1 when not confirmed), and ``ambiguous``: True
        where offsets half a second either side explain the clip as well (one fixed transform,
        pixels as close, as much of the clip inside the reference frame: a crop of a pan at
        constant speed over a still, or a still scene), so the offset is one of a range that
        the pixels cannot narrow; ``ref_start_min, ref_start_max`` bound that range (the
        clip frame would cross the reference frame's edge beyond them) and ``ref_start`` is
        then its middle where that explains the clip as well (otherwise the offset found); they equal ``ref_start`` where the offset is pinned. Empty when the
        clip is not in the reference. ``attrs``
        holds ``reference_cached`` and the hashing parameters.

    Raises
    ------
    InputError
        A file is missing; :class:`~geoverify.exceptions.VideoDecodeError` when one is not a
        readable video.
    """
    from .data import sha256_file

    clip_path, ref_path = _path(clip, "clip"), _path(reference, "reference")
    if not (isinstance(step, (int, float)) and 0.01 <= step <= 5):
        raise InputError(f"step must be a number of seconds in [0.01, 5], got {step!r}")
    ref, cached = _reference_hashes(ref_path, sha256_file(ref_path), float(step))
    cl = hash_video(clip_path, float(step), NO_CROP, mirror=True, keep=confirm)
    rows = []
    for k, variant, _mean in _candidates(cl, ref, max_distance, max_results):
        row = _alignment(cl, ref, k, variant)
        if row is None or row["distance"] > max_distance:
            continue
        if confirm:
            row["inliers"] = _confirm(clip_path, ref_path, cl, ref, row)
            if row["inliers"] < 0:
                continue
        rows.append(row)
    table = pd.DataFrame(rows, columns=CLIP_COLUMNS)
    if len(table):
        table = table.sort_values("similarity", ascending=False, ignore_index=True)
    table.attrs.update(
        {
            "clip": str(clip_path),
            "reference": str(ref_path),
            "reference_cached": cached,
            "step": float(step),
            "reference_duration": ref.duration,
            "clip_duration": cl.duration,
        }
    )
    return table


#: Added to the distance of every cropped reading of the reference when the offsets are
#: ranked: where a crop and another offset explain the clip about as well as the whole frame
#: does (a slow zoom or pan: the frame a moment later is nearly a crop of this one), the
#: uncropped reading wins; a clip really cropped is nearer its crop by far more than this.
CROP_PENALTY = 0.02
#: At most this many clip samples score every offset (a long clip is thinned); the best
#: offsets are then scored again with all of them.
SCAN_SAMPLES = 60


def _candidates(
    cl: VideoHashes, ref: VideoHashes, max_distance: float, n: int
) -> list[tuple[int, int, float]]:
    """The best offsets ``(k, variant, mean distance)``: for each offset the best of the
    clip's two variants (whole, mirrored) against the reference's crops; offsets closer than
    half the clip's length to a better one are left out."""
    j_count = len(cl.times)
    if j_count == 0 or j_count > len(ref.times):
        return []
    n_crops = ref.bits.shape[1]
    stride = max(1, int(np.ceil(j_count / SCAN_SAMPLES)))
    rows = np.arange(0, j_count, stride)
    k_count = len(ref.times) - j_count + 1
    best = np.full(k_count, np.inf)
    which = np.zeros(k_count, np.int64)
    for m in range(cl.bits.shape[1]):
        # sample j of the thinned clip pairs with reference sample k + rows[j]
        total = np.zeros((k_count, n_crops), np.uint32)
        for j in rows:
            total += popcount(ref.bits[j : j + k_count] ^ cl.bits[j, m])
        d = total / (64.0 * len(rows))
        d[:, 1:] += CROP_PENALTY  # crop 0 is the whole frame
        v = d.argmin(axis=1)
        dv = d[np.arange(k_count), v]
        better = dv < best
        best[better], which[better] = dv[better], m * n_crops + v[better]
    # the mean over every frame may exceed what a trimmed mean allows: a loose first cut
    loose = max_distance / TRIM
    order = [int(k) for k in np.argsort(best, kind="stable") if best[k] <= loose]
    picked: list[tuple[int, int, float]] = []
    half = max(1, j_count // 2)
    for k in order:
        if all(abs(k - p) >= half for p, _, _ in picked):
            picked.append((k, int(which[k]), float(best[k])))
        if len(picked) >= n:
            break
    return picked


def _alignment(cl: VideoHashes, ref: VideoHashes, k: int, variant: int) -> dict[str, Any] | None:
    """The aligned segment at offset ``k``: which clip frames match, the offset in seconds
    (from the frames' own times), the trimmed mean distance."""
    n_crops = ref.bits.shape[1]
    m, v = divmod(variant, n_crops)
    j = np.arange(len(cl.times))
    d = popcount(cl.bits[:, m] ^ ref.bits[k + j, v]) / 64.0
    kept = np.sort(d)[: max(1, int(np.ceil(TRIM * len(d))))]
    matched = np.flatnonzero(_smooth(d) <= FRAME_DISTANCE)
    if len(matched) == 0:
        return None
    first, last = int(matched[0]), int(matched[-1])
    offset = float(np.median(ref.times[k + j[first : last + 1]] - cl.times[first : last + 1]))
    step = float(np.median(np.diff(cl.times))) if len(cl.times) > 1 else cl.duration
    offset += _between_steps(cl, ref, k, variant, j[first : last + 1]) * step
    clip_start = float(cl.times[first])
    clip_end = float(min(cl.duration, cl.times[last] + step))
    distance = float(kept.mean())
    return {
        "clip_start": clip_start,
        "clip_end": clip_end,
        "ref_start": clip_start + offset,
        "ref_end": clip_end + offset,
        "similarity": float(np.clip(1.0 - distance / 0.5, 0.0, 1.0)),
        "mirrored": bool(m == 1),
        "distance": distance,
        "inliers": -1,
        "ambiguous": False,
        "ref_start_min": clip_start + offset,
        "ref_start_max": clip_start + offset,
    }


def _between_steps(
    cl: VideoHashes, ref: VideoHashes, k: int, variant: int, j: NDArray[np.int64]
) -> float:
    """Where between the hash steps the distance is least, as a share of a step (-0.5 to
    0.5): the vertex of the parabola through the mean distances at offsets ``k - 1, k, k + 1``
    over the matched clip frames ``j``."""
    n_crops = ref.bits.shape[1]
    m, v = divmod(variant, n_crops)
    if k < 1 or k + int(j[-1]) + 1 >= len(ref.times):
        return 0.0
    d = [float(popcount(cl.bits[j, m] ^ ref.bits[k + s + j, v]).mean()) for s in (-1, 0, 1)]
    curve = d[0] - 2 * d[1] + d[2]
    if curve <= 0:
        return 0.0
    return float(np.clip(0.5 * (d[0] - d[2]) / curve, -0.5, 0.5))


def _smooth(d: NDArray[np.float64]) -> NDArray[np.float64]:
    """Median of each distance with its neighbours (a flash or a single bad frame is not a gap)."""
    if len(d) < 3:
        return d
    padded = np.pad(d, 1, mode="edge")
    return np.asarray(np.median(np.stack([padded[:-2], padded[1:-1], padded[2:]]), axis=0))


def _confirm(
    clip_path: Path, ref_path: Path, cl: VideoHashes, ref: VideoHashes, row: dict[str, Any]
) -> int:
    """Check the alignment on frame pairs with local features, and correct its offset where
    the geometry between clip and reference changes over the clip (``_clipgeometry``): moves
    ``row``'s reference span, sets its ``ambiguous`` flag and returns the most homography
    inliers of a pair, 0 when no pair has texture enough to tell, -1 when the pairs that have
    it are all shown to differ."""
    from . import _clipgeometry as geo

    offset = row["ref_start"] - row["clip_start"]
    span = row["clip_end"] - row["clip_start"]
    wanted = [row["clip_start"] + q * span for q in np.linspace(0.1, 0.9, geo.PAIRS)]
    kept = dict(geo.nearest(cl.kept, wanted))
    times = sorted(kept)
    clips = [kept[t] for t in times]
    if row["mirrored"]:
        clips = [np.ascontiguousarray(f[:, ::-1]) for f in clips]
    # the probes either side come in the same pass over the reference
    probes = [offset, offset - geo.PROBE, offset + geo.PROBE]
    grabbed = geo.grab(ref_path, [t + o for o in probes for t in times])
    n = len(times)
    refs = {o: grabbed[i * n : (i + 1) * n] for i, o in enumerate(probes)}
    inliers, informative, guess = geo.anchor(clips, refs[offset])
    if guess is None:
        return 0 if informative == 0 else -1

    seen: dict[float, geo.Geometry] = {}  # the correction and the ambiguity probe alike

    def at(offsets: list[float]) -> list[geo.Geometry]:
        for o in offsets:
            if o not in seen:
                ref_frames = refs.get(o) or geo.grab(ref_path, [t + o for t in times])
                seen[o] = geo.measure(o, times, clips, ref_frames, guess)
        return [seen[o] for o in offsets]

    (first,) = at([offset])
    best = geo.correct(first, at)
    low = high = best.offset
    row["ambiguous"] = geo.ambiguous(best, at)
    if row["ambiguous"]:
        inside = (-row["clip_start"], ref.duration - row["clip_end"])
        best, low, high = geo.open_range(best, at, inside)
    row["ref_start"] += best.offset - offset
    row["ref_end"] += best.offset - offset
    # from ref_start itself, so that a pinned row's three are equal to the last bit
    row["ref_start_min"] = row["ref_start"] - (best.offset - low)
    row["ref_start_max"] = row["ref_start"] + (high - best.offset)
    return int(inliers)
