"""How close find_clip's offset comes where the hashes alone are fooled: crops of a slow zoom.

A crop of a frame of a slow zoom out looks like the whole frame a moment earlier, so the hashes
land 0.05-0.9 s off and the geometry (``geoverify._clipgeometry.correct``) must move the offset.
The hashes' error moves with the encoding (x264's quality, and its instruction sets: before
``_videoedit.x264_params`` an AVX-512 machine gave another file each run); so each clip is
measured over several encodings of the zoom (crf 24, 25, ...: 24 to 32 by default), with the
hashes' offset (``confirm=False``) as the baseline in the same run.

Clips (cut at a frame of the 25 fps zoom, or between two, where the cut repeats the earlier
frame and the truth is that frame's time): a 10 % crop of every side from 3.0 s, and a corner crop
(10 % left and bottom) from 1.68 s and from 1.73 s (truth 1.72 s). Writes
``benchmarks/results/clip_precision.md``::

    .venv/bin/python benchmarks/clip_precision.py [--encodings 9]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from pathlib import Path

import numpy as np

import geoverify as gv
from geoverify._videoedit import Edit, make_clip, pan, write_video

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from _machine import cpu_model, ram_gib  # noqa: E402

SHARED = Path(os.environ.get("GEOVERIFY_SHARED", ROOT.parent / "shared")) / "data"
#: name: (cut at, true offset, edit)
CLIPS = {
    "crop 10% a side, cut at 3.00 s": (3.0, 3.0, Edit(crop=(0.1, 0.1, 0.1, 0.1))),
    "corner crop, cut at 1.68 s": (1.68, 1.68, Edit(crop=(0.1, 0.0, 0.0, 0.1))),
    "corner crop, cut at 1.73 s": (1.73, 1.72, Edit(crop=(0.1, 0.0, 0.0, 0.1))),
}


def errors(encodings: int, work: Path) -> dict[str, list[tuple[float, float]]]:
    """(hashes' error, find_clip's error) in seconds, per clip and encoding."""
    photo = gv.frames.load_image(SHARED / "images" / "signs" / "french.jpg").image
    frames = list(pan(photo, ((0.5, 0.5), (0.5, 0.5), 0.35, 0.95), 14.0, (320, 180), 25))
    out: dict[str, list[tuple[float, float]]] = {name: [] for name in CLIPS}
    for i in range(encodings):
        zoom = write_video(frames, work / "zoom.mp4", 25, crf=24 + i)
        for name, (cut, truth, edit) in CLIPS.items():
            clip = make_clip(zoom, work / "clip.mp4", cut, 11.0, edit)
            hashes = gv.find_clip(clip, zoom, confirm=False).iloc[0]
            best = gv.find_clip(clip, zoom).iloc[0]
            out[name].append(
                (
                    float(hashes.ref_start - hashes.clip_start - truth),
                    float(best.ref_start - best.clip_start - truth),
                )
            )
            print(f"{name}, encoding {i}: {out[name][-1][0]:+.3f} -> {out[name][-1][1]:+.3f}")
    return out


def table(found: dict[str, list[tuple[float, float]]]) -> list[str]:
    rows = [
        "| clip | encodings | hashes: worst / median error (s) | find_clip: worst / median "
        "error (s) | find_clip within 0.1 s |",
        "|---|---|---|---|---|",
    ]
    for name, pairs in found.items():
        h = np.abs([p[0] for p in pairs])
        f = np.abs([p[1] for p in pairs])
        rows.append(
            f"| {name} | {len(pairs)} | {h.max():.2f} / {np.median(h):.2f} | "
            f"{f.max():.2f} / {np.median(f):.2f} | {int((f < 0.1).sum())}/{len(f)} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encodings", type=int, default=9)
    args = parser.parse_args()
    gv.settings.progress = False
    with tempfile.TemporaryDirectory() as tmp:
        gv.settings.cache_dir = tmp
        found = errors(args.encodings, Path(tmp))
    lines = [
        "## find_clip on crops of a slow zoom (`python benchmarks/clip_precision.py`)",
        "",
        f"Machine: {cpu_model()}, {os.cpu_count()} cores, {ram_gib() or 0:.0f} GiB; "
        f"Python {platform.python_version()}.",
        "",
        *table(found),
        "",
    ]
    out = ROOT / "benchmarks" / "results" / "clip_precision.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
