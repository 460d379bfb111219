"""Keyframe selection vs fixed 1 frame/s: frames kept, text recall and decode overhead.

For each video: the frames at 1 fps and the keyframes (``extract_frames(every=1.0,
keyframes=True)``) are both read with ``geoverify.read_text(languages=("ur", "en"))``. Text recall
is the share of distinct normalised lines read on the 1 fps frames that are also read on the
keyframes (rapidfuzz ratio >= 80). Decode overhead compares ``extract_frames`` with the honest
baseline: PyAV decoding every frame and converting it to RGB (``to_ndarray(format="rgb24")``).

    .venv/bin/python benchmarks/make_long_clip.py     # once: the synthetic 3 minute clip
    .venv/bin/python benchmarks/frames.py [--no-ocr] [--repeat 3]

Writes ``benchmarks/results/frames.md``.
"""

from __future__ import annotations

import argparse
import os
import pickle
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import av
from rapidfuzz import fuzz

import geoverify as gv
from geoverify.text import normalize

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "video"
LONG = Path.home() / ".cache" / "geoverify" / "bench" / "long_clip.mp4"
VIDEOS = [
    ROOT / "data" / "demo" / "kargil-reconstruction.mp4",
    SHARED / "bikes.mp4",
    SHARED / "pan_easyocr_example3.mp4",
    LONG,
]


def decode_only(path: Path) -> int:
    n = 0
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        s.thread_type = "AUTO"
        for f in c.decode(s):
            f.to_ndarray(format="rgb24")
            n += 1
    return n


def timed(fn: Any, repeat: int) -> tuple[float, float, Any]:
    """Median wall-clock and median CPU seconds (all threads) of ``repeat`` calls."""
    wall, cpu, out = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu), out


#: "Clean" reference lines: OCR confidence at least this and at least MIN_LETTERS letters.
MIN_CONF, MIN_LETTERS = 0.85, 4


OCR_CACHE = LONG.parent / "ocr_cache.pkl"


def _ocr(frames: gv.FrameSet) -> list[tuple[str, float]]:
    """(text, confidence) of every line on ``frames``, cached on disk by frame sha256."""
    cache: dict[str, list[tuple[str, float]]] = {}
    if OCR_CACHE.exists():
        cache = pickle.loads(OCR_CACHE.read_bytes())
    todo = [f for f in frames if f.sha256 not in cache]
    for i in range(0, len(todo), 12):  # save as it goes: OCR is the slow part
        chunk = todo[i : i + 12]
        df = gv.read_text(gv.FrameSet(chunk), languages=("ur", "en"), progress=False)
        for f in chunk:
            rows = df[df["frame_sha256"] == f.sha256] if len(df) else df
            cache[f.sha256] = [
                (str(t), float(c)) for t, c in zip(rows["text"], rows["confidence"], strict=True)
            ]
        OCR_CACHE.parent.mkdir(parents=True, exist_ok=True)
        OCR_CACHE.write_bytes(pickle.dumps(cache))
        print(f"  OCR {min(i + 12, len(todo))}/{len(todo)} frames", file=sys.stderr, flush=True)
    return [line for f in frames for line in cache[f.sha256]]


def lines(frames: gv.FrameSet, clean: bool = False) -> set[str]:
    """Distinct normalised lines read on ``frames`` (``clean``: drop low-confidence noise)."""
    out: set[str] = set()
    for text, conf in _ocr(frames):
        t = normalize(str(text)).strip()
        if clean and (float(conf) < MIN_CONF or sum(c.isalpha() for c in t) < MIN_LETTERS):
            continue
        if t:
            out.add(t)
    return out


def recall(ref: set[str], got: set[str], fragments: bool = False) -> tuple[float, list[str]]:
    """Share of ``ref`` lines found in ``got`` (rapidfuzz ratio >= 80). With ``fragments``, a
    reference line that is a partial read of a longer keyframe line (partial_ratio >= 90)
    also counts as found."""
    if not ref:
        return float("nan"), []

    def found(r: str) -> bool:
        for g in got:
            if fuzz.ratio(r, g) >= 80:
                return True
            if fragments and len(g) > len(r) and fuzz.partial_ratio(r, g) >= 90:
                return True
        return False

    missed = sorted(r for r in ref if not found(r))
    return 1.0 - len(missed) / len(ref), missed


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        ram = f"{kb / 1024**2:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"CPU {cpu}, {os.cpu_count()} cores, RAM {ram}, Python {platform.python_version()}, "
        f"PyAV {av.__version__} (FFmpeg {'.'.join(map(str, av.ffmpeg_version_info.split('.')[:2])) if isinstance(getattr(av, 'ffmpeg_version_info', None), str) else '?'}), "
        f"{platform.system()} {platform.release()}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-ocr", action="store_true", help="skip OCR (no text recall)")
    ap.add_argument("--repeat", type=int, default=3, help="timing runs per video (median)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "frames.md")
    args = ap.parse_args()
    rows = []
    missed_all: dict[str, list[str]] = {}
    for path in VIDEOS:
        if not path.exists():
            print(f"skip {path}: missing (benchmarks/make_long_clip.py builds the long clip)")
            continue
        dec_s, dec_cpu, n = timed(lambda p=path: decode_only(p), args.repeat)
        ext_s, ext_cpu, keys = timed(
            lambda p=path: gv.extract_frames(p, every=1.0, keyframes=True, progress=False),
            args.repeat,
        )
        fixed = gv.extract_frames(path, every=1.0, keyframes=False, progress=False)
        rec = rec_clean = float("nan")
        missed: list[str] = []
        missed_clean: list[str] = []
        if not args.no_ocr:
            got = lines(keys)
            rec, missed = recall(lines(fixed), got)
            rec_clean, missed_clean = recall(lines(fixed, clean=True), got, fragments=True)
            missed_all[path.name] = missed
            missed_all[path.name + " (clean)"] = missed_clean
        dur = keys.info.get("duration_s") or 0.0
        rows.append(
            f"| {path.name} | {dur:.1f} | {n} | {len(fixed)} | {len(keys)} | "
            f"{len(fixed) / max(1, len(keys)):.1f}x | "
            + ("n/a" if rec != rec else f"{rec:.2f} ({len(missed)} missed)")
            + " | "
            + ("n/a" if rec_clean != rec_clean else f"{rec_clean:.2f} ({len(missed_clean)} missed)")
            + f" | {dec_s:.2f} | {ext_s:.2f} | {100 * (ext_s / dec_s - 1):+.0f}% "
            f"| {dec_cpu:.2f} | {ext_cpu:.2f} | {100 * (ext_cpu / dec_cpu - 1):+.0f}% |"
        )
        print(rows[-1], flush=True)
    head = (
        "| video | duration s | frames decoded | frames at 1 fps | keyframes | ratio | "
        "text recall, all lines | text recall, clean lines | decode-only s | extract_frames s | overhead (wall) | "
        "decode-only CPU s | extract_frames CPU s | overhead (CPU) |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    text = (
        "# Frames: keyframes vs 1 frame/s\n\n"
        f"Command: `.venv/bin/python benchmarks/frames.py {' '.join(sys.argv[1:])}`".rstrip()
        + f"\n\nMachine: {machine()}\n\n"
        "Decode-only = PyAV decodes every frame and converts it to RGB (`to_ndarray('rgb24')`), "
        f"median of {args.repeat} runs (wall clock, and CPU time of all threads: the machine was shared, so CPU time is the steadier measure); extract_frames = `extract_frames(every=1.0, keyframes=True)`, "
        "same. Text recall = distinct normalised OCR lines read on the 1 fps frames "
        "that are also read on the keyframes (rapidfuzz ratio >= 80), "
        '`read_text(languages=("ur", "en"))`. Clean lines: only lines read with confidence >= '
        f"{MIN_CONF} and at least {MIN_LETTERS} letters, and a partial read of a line read in "
        "full on a keyframe (partial_ratio >= 90) counts as found (OCR noise such as 'an', "
        "'Ta = =' or a line read on one frame and not on its near-identical neighbour is not "
        "a selection failure).\n\n" + head + "\n" + "\n".join(rows) + "\n"
    )
    if missed_all:
        text += "\nLines read at 1 fps but not on the keyframes:\n\n"
        for name, missed in missed_all.items():
            text += f"- {name}: " + (", ".join(repr(m) for m in sorted(missed)) or "none") + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
