"""Keyframe selection vs fixed 1 frame/s: frames kept, text recall and decoding overhead.

For each video (the bundled demo, ``../shared/data/video/*.mp4`` and the synthetic long clip
of ``benchmarks/make_long_clip.py``, built on first use):

- frames kept by ``extract_frames(every=1.0)`` (keyframes) and by ``keyframes=False`` (1 fps);
- text recall: the distinct text lines that Tesseract (``read_text(languages=("ur", "en"))``)
  reads on the 1 fps frames, and the share of them also read on the keyframes only (normalised
  text, rapidfuzz ``ratio >= 80``). Reported for all lines, and for "clean" lines (confidence
  >= 0.8 and at least 3 letters; a line that is a piece of a longer line read on a keyframe,
  ``partial_ratio >= 90``, counts as found: panning cuts signs at the frame edge). For the
  synthetic clip also against its ground truth (the text drawn on its signs);
- time and CPU time of: PyAV decoding every frame (the baseline), decoding and converting every
  frame to RGB (what a naive loop does), fixed 1 fps extraction, and keyframe extraction; the
  selection overhead is keyframe extraction over plain decoding. Best of ``--repeat``
  interleaved runs.

OCR results are cached by frame sha256 under ``~/.cache/geoverify/bench/ocr`` (``--no-cache``).
Writes ``benchmarks/results/frames.md``::

    .venv/bin/python benchmarks/frames.py [--repeat 5] [--no-ocr]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import av
from rapidfuzz import fuzz

import geoverify as gv
from geoverify.text import normalize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import make_long_clip  # noqa: E402
from _machine import cpu_model, ram_gib  # noqa: E402

SHARED = Path(os.environ.get("GEOVERIFY_SHARED", ROOT.parent / "shared")) / "data" / "video"
CACHE = Path.home() / ".cache" / "geoverify" / "bench"
MIN_CONF, MIN_LETTERS = 0.8, 3


def videos(long_clip: Path) -> list[Path]:
    out = [ROOT / "data" / "demo" / "kargil-reconstruction.mp4"]
    out += sorted(SHARED.glob("*.mp4")) if SHARED.exists() else []
    if not long_clip.exists():
        print(f"building {long_clip} ...", flush=True)
        make_long_clip.render(long_clip)
    return [*out, long_clip]


def decode(path: Path, rgb: bool = False) -> int:
    n = 0
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        s.thread_type = "AUTO"
        for f in c.decode(s):
            if rgb:
                f.to_ndarray(format="rgb24")
            n += 1
    return n


def timed(fns: dict[str, Any], repeat: int) -> dict[str, tuple[float, float, Any]]:
    """Best (least disturbed) wall-clock and CPU seconds (all threads of this process) of
    each ``fns[name]()`` over ``repeat`` rounds, the functions interleaved so that other load
    on the machine falls on all of them alike; with the last result."""
    best: dict[str, list[Any]] = {k: [float("inf"), float("inf"), None] for k in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t0, c0 = time.perf_counter(), time.process_time()
            out = fn()
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            b = best[name]
            b[0], b[1], b[2] = min(b[0], wall), min(b[1], cpu), out
    return {k: (v[0], v[1], v[2]) for k, v in best.items()}


def read_lines(frames: gv.FrameSet, cache: Path | None) -> list[tuple[str, float]]:
    """(normalised text, confidence) of every line read on ``frames``."""
    out: list[tuple[str, float]] = []
    for f in frames:
        hit = cache / f"{f.sha256}.json" if cache else None
        if hit is not None and hit.exists():
            rows = json.loads(hit.read_text(encoding="utf-8"))
        else:
            # the same OCR on both sides; edge proposals rather than CRAFT keep a full run
            # (some 230 frames) to minutes on a CPU, and selection is what is measured here
            df = gv.read_text(f, languages=("ur", "en"), detector="edges", progress=False)
            rows = [[str(t), float(c)] for t, c in zip(df["text"], df["confidence"], strict=True)]
            if hit is not None:
                hit.parent.mkdir(parents=True, exist_ok=True)
                hit.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        out += [(" ".join(normalize(t).split()), c) for t, c in rows if normalize(t).strip()]
    return out


def clean(lines: list[tuple[str, float]]) -> set[str]:
    return {t for t, c in lines if c >= MIN_CONF and sum(ch.isalnum() for ch in t) >= MIN_LETTERS}


def recall(ref: set[str], got: set[str], pieces: bool = False) -> tuple[float, list[str]]:
    """Share of ``ref`` found in ``got`` (ratio >= 80; with ``pieces`` also a piece of a longer
    line, partial_ratio >= 90), and the lines missed."""
    if not ref:
        return float("nan"), []

    def found(r: str) -> bool:
        for g in got:
            if fuzz.ratio(r, g) >= 80:
                return True
            if pieces and len(g) > len(r) and fuzz.partial_ratio(r, g) >= 90:
                return True
        return False

    missed = sorted(r for r in ref if not found(r))
    return 1.0 - len(missed) / len(ref), missed


def ground_truth_found(truth: set[str], got: set[str]) -> set[str]:
    return {t for t in truth if any(fuzz.ratio(normalize(t), g) >= 80 for g in got)}


def machine() -> str:
    cpu, ram = cpu_model(), ram_gib()
    ffmpeg = getattr(av, "ffmpeg_version_info", "?")
    return (
        f"{cpu}, {os.cpu_count()} cores, {'?' if ram is None else f'{ram:.1f} GiB'} RAM; "
        f"Python {platform.python_version()}, "
        f"PyAV {av.__version__} (FFmpeg {ffmpeg}), numpy, OpenCV "
        f"{__import__('cv2').__version__}; {platform.system()} {platform.release()}"
    )


def pct(x: float) -> str:
    return "n/a" if x != x else f"{x:.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="timing rounds per video (best of)")
    ap.add_argument("--no-ocr", action="store_true", help="frames and timing only")
    ap.add_argument("--no-cache", action="store_true", help="do not cache OCR results")
    ap.add_argument("--long-clip", type=Path, default=CACHE / "long_clip.mp4")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "frames.md")
    args = ap.parse_args()
    gv.settings.progress = False
    cache = None if args.no_cache else CACHE / "ocr"
    sel_rows, time_rows, notes, goals = [], [], [], []
    # pooled over the videos: frames at 1 fps, keyframes, clean lines and those found, seconds
    pool = {"fixed": 0, "keys": 0, "ref": 0, "found": 0, "dec_w": 0.0, "key_w": 0.0}
    for path in videos(args.long_clip):
        name = path.name
        runs = timed(
            {
                "decode": lambda p=path: decode(p),
                "rgb": lambda p=path: decode(p, rgb=True),
                "fixed": lambda p=path: gv.extract_frames(p, every=1.0, keyframes=False),
                "keys": lambda p=path: gv.extract_frames(p, every=1.0),
            },
            args.repeat,
        )
        dec_w, dec_c, n = runs["decode"]
        rgb_w, rgb_c, _ = runs["rgb"]
        fix_w, fix_c, fixed = runs["fixed"]
        key_w, key_c, keys = runs["keys"]
        ratio = len(fixed) / max(1, len(keys))
        rec_all = rec_clean = float("nan")
        ref_n = ref_clean_n = 0
        gt = ""
        if not args.no_ocr:
            ref_lines, got_lines = read_lines(fixed, cache), read_lines(keys, cache)
            ref, got = {t for t, _ in ref_lines}, {t for t, _ in got_lines}
            rec_all, missed_all = recall(ref, got)
            ref_clean = clean(ref_lines)
            rec_clean, missed_clean = recall(ref_clean, got, pieces=True)
            ref_n, ref_clean_n = len(ref), len(ref_clean)
            notes.append(
                f"- {name}: clean lines missed on the keyframes: "
                + (", ".join(repr(m) for m in missed_clean) or "none")
                + f"; all lines missed ({len(missed_all)}): "
                + (", ".join(repr(m) for m in missed_all[:40]) or "none")
                + (" ..." if len(missed_all) > 40 else "")
            )
            if path == args.long_clip:
                truth = {t for lines in make_long_clip.SIGN_LINES.values() for t in lines}
                at1, atk = ground_truth_found(truth, ref), ground_truth_found(truth, got)
                gt = f"{len(at1)}/{len(truth)} at 1 fps, {len(atk)}/{len(truth)} on keyframes"
                notes.append(
                    f"- {name} ground truth: {len(truth)} sign lines; read at 1 fps: {len(at1)}, "
                    f"on the keyframes: {len(atk)}; read at 1 fps only: "
                    + (", ".join(repr(t) for t in sorted(at1 - atk)) or "none")
                    + "; on the keyframes only: "
                    + (", ".join(repr(t) for t in sorted(atk - at1)) or "none")
                    + "; never read: "
                    + (", ".join(repr(t) for t in sorted(truth - at1 - atk)) or "none")
                )
        dur = keys.info.get("duration_s") or 0.0
        pool["fixed"] += len(fixed)
        pool["keys"] += len(keys)
        if ref_clean_n:
            pool["ref"] += ref_clean_n
            pool["found"] += round(rec_clean * ref_clean_n)
        pool["dec_w"] += dec_w
        pool["key_w"] += key_w
        goals.append(
            f"- {name}: {ratio:.1f}x fewer frames than 1 fps "
            f"({'met' if ratio >= 3 else 'not met'}); clean-line text recall {pct(rec_clean)} "
            f"({'met' if rec_clean >= 0.95 else 'not met' if rec_clean == rec_clean else 'n/a'}); "
            f"selection overhead {100 * (key_w / dec_w - 1):+.0f}% wall, "
            f"{100 * (key_c / dec_c - 1):+.0f}% CPU "
            f"({'met' if key_w / dec_w <= 1.25 else 'not met'} on wall clock)"
        )
        sel_rows.append(
            f"| {name} | {dur:.1f} | {len(fixed)} | {len(keys)} | {ratio:.1f}x | "
            f"{pct(rec_all)} ({ref_n}) | {pct(rec_clean)} ({ref_clean_n}) | {gt or '-'} |"
        )
        time_rows.append(
            f"| {name} | {n} | {dec_w:.2f} / {dec_c:.2f} | {n / dec_w:.0f} | "
            f"{rgb_w:.2f} / {rgb_c:.2f} | {fix_w:.2f} / {fix_c:.2f} | "
            f"{key_w:.2f} / {key_c:.2f} | {n / key_w:.0f} | "
            f"{100 * (key_w / dec_w - 1):+.0f}% / {100 * (key_c / dec_c - 1):+.0f}% | "
            f"{100 * (key_w / rgb_w - 1):+.0f}% |"
        )
        print(sel_rows[-1], flush=True)
        print(time_rows[-1], flush=True)
    if pool["ref"]:
        pooled = pool["found"] / pool["ref"]
        goals.append(
            f"- all {len(sel_rows)} videos together: {pool['fixed']} frames at 1 fps, "
            f"{pool['keys']} keyframes ({pool['fixed'] / max(1, pool['keys']):.1f}x fewer); "
            f"clean-line text recall {pooled:.2f} ({pool['found']}/{pool['ref']}); selection "
            f"overhead {100 * (pool['key_w'] / pool['dec_w'] - 1):+.0f}% wall"
        )
    cmd = " ".join(["benchmarks/frames.py", *sys.argv[1:]])
    text = (
        "# Frames: keyframes vs 1 frame per second\n\n"
        f"Command: `.venv/bin/python {cmd}`\n\n"
        f"Machine: {machine()}\n\n"
        "## Goals (at least 3x fewer frames than 1 fps, text recall >= 0.95, selection "
        "adding at most 25% to decoding)\n\n" + "\n".join(goals) + "\n\n"
        "## Frames kept and text recall\n\n"
        "Text recall = share of the distinct (normalised) lines Tesseract reads on the 1 fps "
        "frames that it also reads on the keyframes (rapidfuzz ratio >= 80); in brackets the "
        f"number of such lines. Clean lines: confidence >= {MIN_CONF}, at least {MIN_LETTERS} "
        "letters, and a line that is a piece of a longer line read on a keyframe "
        "(partial_ratio >= 90) counts as found.\n\n"
        "| video | duration s | frames at 1 fps | keyframes | fewer | text recall, all lines | "
        "text recall, clean lines | ground truth lines read |\n"
        "|---|---|---|---|---|---|---|---|\n" + "\n".join(sel_rows) + "\n\n"
        "## Decoding and selection time\n\n"
        f"Seconds, wall clock / CPU time (all threads), best of {args.repeat} interleaved runs "
        "(the machine is shared). Decode = "
        "PyAV decodes every frame (threaded) and does nothing else; + RGB = also converts each "
        "to an RGB array; 1 fps and keyframes = `extract_frames(every=1.0, keyframes=False / "
        "True)`, which also hash the file and the kept frames. Overhead = keyframes vs "
        "decode.\n\n"
        "| video | frames | decode | decode fr/s | decode + RGB | 1 fps | keyframes | "
        "keyframes fr/s | overhead vs decode (wall / CPU) | vs decode + RGB (wall) |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n" + "\n".join(time_rows) + "\n"
    )
    if notes:
        text += "\n## Lines read at 1 fps but not on the keyframes\n\n" + "\n".join(notes) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
