"""OCR benchmark: character error rate of geoverify's engines vs a raw pytesseract call.

    .venv/bin/python benchmarks/make_ocr_eval.py --per-group 1   # renders the set (cached)
    .venv/bin/python benchmarks/ocr.py [--eval DIR] [--out benchmarks/results/ocr.md]

CER = Levenshtein(hypothesis, reference) / len(reference), both through
``geoverify.text.normalize`` with whitespace collapsed; the hypothesis is every line read in the
frame: rows top to bottom (a line joins a row where each one's vertical centre lies within the
other's height), and the
pieces of a row in reading order (``geoverify.ocr._lines.join_words``, as Tesseract's words are
joined: right to left where the row is mostly Arabic script, each run of one script in its own
direction). Until 2026-12-07 a row's pieces were joined left to right, which turned an Urdu line
cut in two into its halves swapped. For mixed Urdu + English lines either order of the two parts counts
(a mixed line is laid out in the direction of its majority script). Baseline: ``pytesseract.image_to_string(img,
lang=...)`` with default settings (``urd`` for Urdu, ``eng`` for English, ``urd+eng`` mixed).
EasyOCR runs on the English group only: its ``arabic`` weights are not installed here.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from PIL import Image
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geoverify as gv  # noqa: E402
from geoverify.ocr import get_engine  # noqa: E402
from geoverify.ocr._lines import join_words  # noqa: E402
from geoverify.ocr.base import Line, box_union  # noqa: E402
from geoverify.ocr.detect import craft_available  # noqa: E402
from geoverify.text import normalize  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from _machine import cpu_model, ram_gib  # noqa: E402

GOALS = "Urdu Naskh CER <= 0.10 clean, <= 0.15 degraded; English <= 0.05; Nastaliq best effort"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", normalize(text)).strip()


def cer(hyp: str, ref: str, alt: str | None = None) -> float:
    h, refs = _norm(hyp), [_norm(ref)] + ([_norm(alt)] if alt else [])
    return min(Levenshtein.distance(h, r) / max(1, len(r)) for r in refs)


def _same_row(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    """Whether each box's vertical centre lies within the other's height."""
    return a[1] <= (b[1] + b[3]) / 2 <= a[3] and b[1] <= (a[1] + a[3]) / 2 <= b[3]


def frame_text(lines: list[Line]) -> str:
    """Every line read in a frame as one text: rows top to bottom, each row in reading order."""
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: (ln.box[1] + ln.box[3]) / 2):
        if rows and _same_row(ln.box, box_union([r.box for r in rows[-1]])):
            rows[-1].append(ln)
        else:
            rows.append([ln])
    texts = []
    for row in rows:
        words = [
            (r.text, r.box[0], r.box[1], r.box[2] - r.box[0], r.box[3] - r.box[1], 100.0)
            for r in row
        ]
        joined = join_words(words)
        if joined:
            texts.append(joined[0])
    return " ".join(texts)


def machine() -> str:
    cpu, ram = cpu_model(), ram_gib() or 0.0
    tv = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
    tess = ((tv.stdout or tv.stderr).splitlines() or ["?"])[0]
    return (
        f"CPU {cpu}; {os.cpu_count()} cores; {ram:.0f} GiB RAM; {tess}; "
        f"Python {platform.python_version()}"
    )


def main(argv: list[str] | None = None) -> str:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval", default=str(Path.home() / ".cache/geoverify/bench/ocr_eval"))
    ap.add_argument("--out", default=str(ROOT / "benchmarks/results/ocr.md"))
    ap.add_argument("--no-easyocr", action="store_true")
    ap.add_argument(
        "--only",
        default=None,
        help="comma-separated engine rows to run (e.g. 'tesseract auto, CRAFT lines;scene "
        "(default)', separated by ';'); the raw pytesseract anchor always runs",
    )
    args = ap.parse_args(argv)
    folder = Path(args.eval).expanduser()
    if not (folder / "truth.json").exists():
        from make_ocr_eval import main as make

        make(["--out", str(folder), "--per-group", "1"])
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    gv.settings.ocr_cache = False
    import pytesseract

    engines = {
        "tesseract preprocess=none": get_engine("tesseract", preprocess="none"),
        "tesseract auto, edge proposals": get_engine(
            "tesseract", preprocess="auto", detector="edges"
        ),
    }
    if craft_available():
        engines["tesseract auto, CRAFT lines"] = get_engine(
            "tesseract", preprocess="auto", detector="craft"
        )
        engines["scene (default)"] = get_engine("scene")
        # the same without the coarser detection that widens Arabic-script lines
        engines["scene, fine detection only"] = get_engine("scene", arabic_side=None)
    else:
        print("CRAFT rows skipped: EasyOCR or craft_mlt_25k.pth not installed", file=sys.stderr)
    if args.only:
        wanted = {w.strip() for w in args.only.split(";")}
        engines = {k: v for k, v in engines.items() if k in wanted}
    easy = None
    if not args.no_easyocr and (not args.only or "easyocr (en)" in args.only):
        try:
            easy = get_engine("easyocr", ("en",))
        except gv.EngineUnavailableError as exc:
            print(f"EasyOCR skipped: {exc}")
    raw_lang = {"naskh": "urd", "nastaliq": "urd", "sans": "eng", "mixed": "urd+eng"}
    scores: dict[tuple[str, str, str], list[float]] = defaultdict(list)  # (engine, font, deg)
    seconds: dict[str, list[float]] = defaultdict(list)
    per_image: list[dict[str, object]] = []
    t_all = time.time()
    for i, item in enumerate(truth):
        img = np.asarray(Image.open(folder / item["file"]).convert("RGB"))
        ref, font, deg = item["text"], item["font"], item["degradation"]
        alt = None
        if font == "mixed":
            parts = ref.split()
            k = next(j for j, p in enumerate(parts) if p.isascii())
            ur, en = " ".join(parts[:k]), " ".join(parts[k:])
            alt = f"{en} {ur}"
        t = time.time()
        raw = pytesseract.image_to_string(img, lang=raw_lang[font])
        seconds["raw pytesseract"].append(time.time() - t)
        scores[("raw pytesseract", font, deg)].append(cer(raw, ref, alt))
        runs = dict(engines)
        if easy is not None and font == "sans":
            runs["easyocr (en)"] = easy
        record: dict[str, object] = {**item, "raw pytesseract": [_norm(raw), cer(raw, ref, alt)]}
        for name, eng in runs.items():
            t = time.time()
            lines = eng.read(img)
            seconds[name].append(time.time() - t)
            hyp = frame_text(lines)
            scores[(name, font, deg)].append(cer(hyp, ref, alt))
            record[name] = [hyp, round(scores[(name, font, deg)][-1], 3)]
        per_image.append(record)
        print(f"{i + 1}/{len(truth)} {item['file']}", file=sys.stderr)
    elapsed = time.time() - t_all
    names = ["raw pytesseract", *engines, *(["easyocr (en)"] if easy is not None else [])]
    fonts = ["naskh", "nastaliq", "sans", "mixed"]
    degs = ["clean", "jpeg30", "blur", "perspective"]
    out = [
        "# OCR benchmark",
        "",
        f"Machine: {machine()}",
        "",
        f"Images: {len(truth)} rendered 1280x720 frames ({folder}), sizes "
        f"{sorted({t['size'] for t in truth})} px, {len(truth) // 64} image(s) per font x size x "
        "degradation. CER (lower is better), mean per group; "
        f"total run {elapsed:.0f} s. Goals: {GOALS}.",
        "",
        "| engine | font | " + " | ".join(degs) + " | all |",
        "|---|---|" + "---|" * (len(degs) + 1),
    ]
    for font in fonts:
        for name in names:
            cells = [scores.get((name, font, d), []) for d in degs]
            if not any(cells):
                continue
            allv = [v for c in cells for v in c]
            out.append(
                f"| {name} | {font} | "
                + " | ".join(f"{np.mean(c):.3f}" if c else "-" for c in cells)
                + f" | {np.mean(allv):.3f} |"
            )
    out += ["", "| engine | seconds per 1280x720 frame (mean) |", "|---|---|"]
    for name in names:
        out.append(f"| {name} | {np.mean(seconds[name]):.2f} |")
    sizes = sorted({t["size"] for t in truth})
    out += ["", "CER by text size (Urdu Naskh, all degradations):", ""]
    out += [
        "| engine | " + " | ".join(f"{s} px" for s in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    by_size: dict[tuple[str, int], list[float]] = defaultdict(list)
    # recompute per size from the per-image order
    idx = defaultdict(int)
    for item in truth:
        for name in names:
            key = (name, item["font"], item["degradation"])
            vals = scores.get(key, [])
            j = idx[(name, key)]
            if j < len(vals):
                if item["font"] == "naskh":
                    by_size[(name, item["size"])].append(vals[j])
                idx[(name, key)] += 1
    for name in names:
        if any(by_size.get((name, s)) for s in sizes):
            out.append(
                f"| {name} | "
                + " | ".join(
                    f"{np.mean(by_size[(name, s)]):.3f}" if by_size.get((name, s)) else "-"
                    for s in sizes
                )
                + " |"
            )
    text = "\n".join(out) + "\n"
    print(text)
    # what every engine read on every image, to look into a cell of the table
    detail = Path(args.out).with_suffix(".json")
    detail.write_text(json.dumps(per_image, ensure_ascii=False, indent=1), encoding="utf-8")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")
    return text


if __name__ == "__main__":
    main()
