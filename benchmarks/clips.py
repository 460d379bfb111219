"""find_clip on re-uploads: located within 0.5 s, false matches, cost against plain decoding.

Builds (once, cached under ``~/.cache/geoverify/bench/clips``) a reference of about ten minutes
at 320 x 180, 25 fps: the demo reconstruction and the shared videos (``../shared/data/video``),
forwards and then backwards, around slow pans and zooms over the shared photos (five paths over
each of five photos; two more photos are held out for the unrelated clips). From it, clips are
cut and each is transformed the ways re-uploaders do (rescale, crop, brightness and contrast, a
logo, a caption, mirroring, another frame rate, several at once). Unrelated clips: pans over the
held-out photos and moving synthetic shapes.

Measured in one run:

- located: the best row's offset (``ref_start - clip_start``) within 0.5 s of the truth, and its
  ``mirrored`` right;
- flagged ``ambiguous``: the clips whose best row says that nearby offsets explain them as
  well (the pixels cannot pin the offset), split by located or not, and whether the truth
  lies in the range of starts the row gives (``ref_start_min`` to ``ref_start_max``);
- false matches: unrelated clips that return any row;
- cost: PyAV decoding every frame of the reference (the baseline, best of 2), the first search
  (reference hashes not cached) and each further search (cached), as ratios.

Writes ``benchmarks/results/clips.md``::

    .venv/bin/python benchmarks/clips.py [--minutes 10]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np
import pandas as pd

import geoverify as gv
from geoverify._videoedit import Edit, make_clip, pan, read_frames, write_video
from geoverify.demo import demo_video

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from _machine import cpu_model, ram_gib  # noqa: E402

SHARED = Path(os.environ.get("GEOVERIFY_SHARED", ROOT.parent / "shared")) / "data"
CACHE = Path.home() / ".cache" / "geoverify" / "bench" / "clips"
SIZE = (320, 180)
FPS = 25
PHOTOS = [
    "images/signs/chinese.jpg",
    "images/signs/french.jpg",
    "images/urdu-signs/IMG_3393.jpg",
    "images/urdu-signs/IMG_4237.jpg",
    "images/urdu-print/1.jpg",
]
HELD_OUT = ["images/urdu-signs/IMG_5523.jpg", "images/urdu-print/2.png"]
#: Pans: (start centre, end centre, start zoom, end zoom) in shares of the photo.
PATHS = [
    ((0.3, 0.3), (0.7, 0.7), 0.55, 0.55),
    ((0.75, 0.5), (0.25, 0.5), 0.5, 0.5),
    ((0.5, 0.5), (0.5, 0.5), 0.35, 0.95),
    ((0.3, 0.25), (0.3, 0.75), 0.45, 0.6),
    ((0.7, 0.75), (0.6, 0.25), 0.7, 0.4),
]


@dataclass
class Segment:
    name: str
    start: float
    end: float


def _fit(img: np.ndarray) -> np.ndarray:
    return np.asarray(cv2.resize(img, SIZE, interpolation=cv2.INTER_AREA), np.uint8)


def _pan(photo: Path, path: tuple, seconds: float) -> Iterator[np.ndarray]:
    return pan(gv.frames.load_image(photo).image, path, seconds, SIZE, FPS)


def _videos() -> list[tuple[str, list[np.ndarray]]]:
    out = [("demo", [_fit(f) for _, f in read_frames(demo_video(), max_side=640)])]
    for p in sorted((SHARED / "video").glob("*.mp4")):
        out.append((p.stem, [_fit(f) for _, f in read_frames(p, max_side=640)]))
    return out


def build_reference(minutes: float) -> tuple[Path, list[Segment]]:
    """The long reference and what lies where in it."""
    target = CACHE / f"reference-{minutes:g}min.mp4"
    videos = _videos()
    per_pan = max(
        4.0,
        (minutes * 60 - 2 * sum(len(f) for _, f in videos) / FPS) / (len(PHOTOS) * len(PATHS)),
    )
    segments: list[Segment] = []

    def frames() -> Iterator[np.ndarray]:
        t = 0.0

        def add(name: str, seq: Iterator[np.ndarray] | list[np.ndarray]) -> Iterator[np.ndarray]:
            nonlocal t
            start = t
            for f in seq:
                t += 1.0 / FPS
                yield f
            segments.append(Segment(name, start, t))

        for name, fr in videos:
            yield from add(name, fr)
        for i, photo in enumerate(PHOTOS):
            for j, path in enumerate(PATHS):
                yield from add(f"pan {Path(photo).stem} {j}", _pan(SHARED / photo, path, per_pan))
            if i == len(PHOTOS) // 2:
                for name, fr in videos:
                    yield from add(f"{name} reversed", fr[::-1])

    table = target.with_suffix(".segments.json")
    if target.exists() and table.exists():
        saved = json.loads(table.read_text(encoding="utf-8"))
        return target, [Segment(**s) for s in saved]
    CACHE.mkdir(parents=True, exist_ok=True)
    write_video(frames(), target, FPS, crf=26)
    table.write_text(json.dumps([s.__dict__ for s in segments], indent=1), encoding="utf-8")
    return target, segments


EDITS: list[tuple[str, Edit, float | None]] = [
    ("smaller (0.6x), re-encoded", Edit(scale=0.6), None),
    ("cropped 10% a side", Edit(crop=(0.1, 0.1, 0.1, 0.1)), None),
    ("cropped 10% left and bottom", Edit(crop=(0.1, 0.0, 0.0, 0.1)), None),
    ("brightness +35, contrast 1.3", Edit(brightness=35, contrast=1.3), None),
    ("logo and caption", Edit(logo=True, caption="VIRAL: protest in PoK"), None),
    ("mirrored", Edit(mirror=True), None),
    ("15 fps", Edit(), 15.0),
    ("30 fps, 0.75x", Edit(scale=0.75), 30.0),
    (
        "mirrored, cropped, logo, 30 fps",
        Edit(mirror=True, crop=(0.05, 0.08, 0.1, 0.0), logo=True),
        30.0,
    ),
    (
        "0.6x, cropped, darker, caption, 24 fps",
        Edit(
            scale=0.6, crop=(0.05, 0.1, 0.08, 0.0), brightness=-20, contrast=1.2, caption="BREAKING"
        ),
        24.0,
    ),
]


def clip_plan(segments: list[Segment]) -> list[tuple[str, float, float, Edit, float | None]]:
    """Two clips per edit: one from video footage (the demo, the street video, forwards or
    backwards), one from a pan over a still photo."""
    rng = np.random.default_rng(15)
    usable = [s for s in segments if s.end - s.start >= 8.0]
    videos = [s for s in usable if not s.name.startswith("pan ")]
    pans = [s for s in usable if s.name.startswith("pan ")]
    plan = []
    for k, (name, edit, fps) in enumerate(EDITS):
        for seg in (videos[k % len(videos)], pans[(7 * k) % len(pans)]):
            length = float(min(seg.end - seg.start, rng.uniform(8.0, 20.0)))
            start = float(seg.start + rng.uniform(0, seg.end - seg.start - length))
            plan.append(
                (f"{name} [{seg.name}]", round(start, 2), round(start + length, 2), edit, fps)
            )
    return plan


def unrelated_clips(folder: Path) -> list[tuple[str, Path]]:
    out = []
    for i, photo in enumerate(HELD_OUT):
        p = folder / f"unrelated-{i}.mp4"
        write_video(_pan(SHARED / photo, PATHS[i], 12.0), p, FPS)
        out.append((f"pan over held-out {Path(photo).name}", p))
    rng = np.random.default_rng(0)
    frames = []
    pos = rng.uniform(0, 1, (6, 2)) * SIZE
    vel = rng.normal(0, 3, (6, 2))
    for _ in range(12 * FPS):
        img = np.full((SIZE[1], SIZE[0], 3), 90, np.uint8)
        pos = (pos + vel) % SIZE
        for j, (x, y) in enumerate(pos):
            cv2.circle(img, (int(x), int(y)), 14 + 3 * j, (40 * j % 255, 200, 120), -1)
        frames.append(img)
    p = folder / "unrelated-shapes.mp4"
    write_video(frames, p, FPS)
    out.append(("moving synthetic shapes", p))
    return out


def decode_seconds(path: Path) -> float:
    t = time.perf_counter()
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        s.thread_type = "AUTO"
        for _ in c.decode(s):
            pass
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    args = ap.parse_args()
    if not SHARED.exists():
        print(f"shared data not found at {SHARED}", file=sys.stderr)
        return 2
    gv.settings.progress = False
    load_before = os.getloadavg()[0]
    reference, segments = build_reference(args.minutes)
    with av.open(str(reference)) as c:
        duration = float(c.streams.video[0].duration * c.streams.video[0].time_base)
    work = Path(tempfile.mkdtemp(prefix="geoverify-clips-"))
    gv.settings.cache_dir = str(work / "cache")
    try:
        plan = clip_plan(segments)
        clips = []
        for i, (name, start, end, edit, fps) in enumerate(plan):
            clips.append(
                (
                    name,
                    start,
                    end,
                    edit,
                    make_clip(reference, work / f"c{i}.mp4", start, end, edit, fps),
                )
            )
        unrelated = unrelated_clips(work)
        decode = min(decode_seconds(reference) for _ in range(2))
        rows, times = [], []
        for i, (name, start, end, edit, path) in enumerate(clips):
            t = time.perf_counter()
            table = gv.find_clip(path, reference)
            times.append(time.perf_counter() - t)
            assert (i == 0) != bool(table.attrs["reference_cached"])
            best = table.iloc[0] if len(table) else None
            err = None if best is None else float(best.ref_start - best.clip_start - start)
            ok = best is not None and abs(err) <= 0.5 and bool(best.mirrored) == edit.mirror
            rows.append((name, start, end, best, err, ok, times[-1]))
        false = []
        for name, path in unrelated:
            t = time.perf_counter()
            table = gv.find_clip(path, reference)
            false.append((name, len(table), time.perf_counter() - t))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load = (load_before, os.getloadavg()[0])
    report = _report(args, reference, duration, decode, rows, times, false, load)
    out = ROOT / "benchmarks" / "results" / "clips.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(report, encoding="utf-8")
    print(report)
    return 0


def _report(args, reference, duration, decode, rows, times, false, load) -> str:
    located = sum(r[5] for r in rows)
    on_pans = [r for r in rows if "[pan " in r[0]]
    on_video = [r for r in rows if "[pan " not in r[0]]
    further = float(np.mean(times[1:])) if len(times) > 1 else float("nan")
    lines = [
        "## Clips: find_clip on re-uploads (`python benchmarks/clips.py`)",
        "",
        f"Machine: {cpu_model()}, {os.cpu_count()} cores, {ram_gib() or 0:.0f} GiB; Python "
        f"{platform.python_version()}, PyAV {av.__version__}, OpenCV {cv2.__version__}, numpy {np.__version__}.",
        f"Reference: {duration / 60:.1f} min at {SIZE[0]}x{SIZE[1]}, {FPS} fps ({reference.name}: the demo and "
        "the shared videos forwards and backwards, pans over five shared photos).",
        f"Load average (1 min, the machine's other jobs included): {load[0]:.1f} at the start, "
        f"{load[1]:.1f} at the end.",
        "",
        f"- **located within 0.5 s: {located}/{len(rows)}** transformed clips (offset and mirroring right): "
        f"{sum(r[5] for r in on_video)}/{len(on_video)} cut from video footage, "
        f"{sum(r[5] for r in on_pans)}/{len(on_pans)} from pans over still photos",
        f"- flagged `ambiguous` (nearby offsets explain the clip as well): "
        f"{sum(_flagged(r) for r in rows if not r[5])}/{len(rows) - located} of the clips not located, "
        f"{sum(_flagged(r) for r in rows if r[5])}/{located} of those located; the truth inside the "
        f"range of starts given: {sum(_in_range(r) for r in rows if _flagged(r))}/"
        f"{sum(_flagged(r) for r in rows)} of the flagged",
        f"- **false matches: {sum(n > 0 for _, n, _ in false)}/{len(false)}** unrelated clips",
        f"- plain decoding of the reference (PyAV, every frame): {decode:.1f} s",
        f"- first search (hashes the reference): {times[0]:.1f} s = **{times[0] / decode:.2f}x** plain decoding",
        f"- each further clip (hashes cached): {further:.2f} s on average = **{further / times[0]:.1%}** of the first",
        "",
        "| clip | truth (s) | found clip | found reference | offset error (s) | similarity | mirrored | inliers | ambiguous: range of starts (s) | ok | s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, start, end, best, err, ok, secs in rows:
        if best is None:
            lines.append(
                f"| {name} | {start:.2f}-{end:.2f} | — | — | — | — | — | — | — | no | {secs:.2f} |"
            )
            continue
        lines.append(
            f"| {name} | {start:.2f}-{end:.2f} | {best.clip_start:.2f}-{best.clip_end:.2f} | "
            f"{best.ref_start:.2f}-{best.ref_end:.2f} | {err:+.2f} | {best.similarity:.2f} | "
            f"{bool(best.mirrored)} | {int(best.inliers)} | {_range(best)} | "
            f"{'yes' if ok else 'NO'} | {secs:.2f} |"
        )
    lines += ["", "| unrelated clip | rows returned | s |", "|---|---|---|"]
    lines += [f"| {name} | {n} | {secs:.2f} |" for name, n, secs in false]
    return "\n".join(lines) + "\n"


def _flagged(row: tuple) -> bool:
    best = row[3]
    return best is not None and bool(best.ambiguous)


def _in_range(row: tuple) -> bool:
    """Whether the true start of the clip in the reference lies in the range the row gives."""
    best, start = row[3], row[1]
    truth = start + float(best.clip_start)
    return bool(best.ref_start_min - 0.05 <= truth <= best.ref_start_max + 0.05)


def _range(best: pd.Series) -> str:
    if not best.ambiguous:
        return "False"
    return f"True: {best.ref_start_min:.2f}-{best.ref_start_max:.2f}"


if __name__ == "__main__":
    sys.exit(main())
