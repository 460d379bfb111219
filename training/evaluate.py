"""Evaluate the exported ONNX model (what ships is what is measured) on synthetic lines.

Example::

    .venv/bin/python -m training.evaluate --n 300

Sets (all from the held-out text split, fixed seeds): training fonts and the held-out font
(:data:`training.render.HELDOUT_FONT`) and the held-out Nastaliq font
(:data:`training.render.HELDOUT_NASTALIQ`), each clean and augmented; plus single held-out
place names in the held-out font, augmented, decoded with and without a lexicon of all
held-out names, and single held-out words that are not names with that lexicon (every
lexicon choice there is a false replacement). Prints a markdown table and writes JSON to
``training/results/``, each line's edits included, so that two models measured on the same
lines can be compared line by line (:mod:`training.compare_evals`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import time
from pathlib import Path

import numpy as np
from rapidfuzz.distance import Levenshtein

from geoverify.ocr.urdu import UrduRecognizer, model_path

from . import corpus as C
from . import render as R

RESULTS = Path(__file__).resolve().parent / "results"


def line_edits(preds: list[str], truths: list[str]) -> tuple[list[int], list[int]]:
    """Each line's edits (Levenshtein, read against truth) and reference characters."""
    return [Levenshtein.distance(p, t) for p, t in zip(preds, truths)], [len(t) for t in truths]


def cer(preds: list[str], truths: list[str]) -> float:
    """Character error rate, unrounded: total edits over total reference characters.
    Training's validation measures with it; :func:`score` gives the same figure, rounded."""
    edits, chars = line_edits(preds, truths)
    return sum(edits) / max(1, sum(chars))


def score(preds: list[str], truths: list[str]) -> dict:
    """CER (edits / reference characters), exact-match rate, and each line's edits and
    characters (``per_line``, for :mod:`training.compare_evals`' paired bootstrap)."""
    edits, chars = line_edits(preds, truths)
    exact = sum(p == t for p, t in zip(preds, truths)) / max(1, len(truths))
    return {
        "cer": round(sum(edits) / max(1, sum(chars)), 4),
        "exact": round(exact, 4),
        "n": len(truths),
        "per_line": {
            "edits": edits,
            "chars": chars,
            "texts_sha256": hashlib.sha256("\n".join(truths).encode("utf-8")).hexdigest(),
        },
    }


def results_json(results: dict) -> str:
    """``results`` as indented JSON with each list of numbers on one line (the per-line
    edits would otherwise take a line a number)."""
    text = json.dumps(results, ensure_ascii=False, indent=1)
    per_line = re.compile(r'(\n *"(?:edits|chars)": )(\[[\d,\s]*\])')
    return per_line.sub(lambda m: m[1] + json.dumps(json.loads(m[2])), text) + "\n"


def lines(seed: int, n: int, fonts: list[str], augment: bool, only: str = ""):
    """Rendered held-out lines and their texts (deterministic for a seed).

    ``only="names"``: single place names; ``only="words"``: single words that are not
    names; otherwise mixed lines as in training.
    """
    rng, prng = np.random.default_rng(seed), random.Random(seed)
    corpus, textures = C.load(True), R.load_textures()
    if only == "names":
        texts = [prng.choice(corpus.names) for _ in range(n)]
    elif only == "words":
        names = set(corpus.names)
        words = [w for w in corpus.words if w not in names]
        texts = [prng.choice(words) for _ in range(n)]
    else:
        texts = [C.sample_line(prng, corpus) for _ in range(n)]
    images = [R.render_line(rng, t, fonts, textures, augment=augment) for t in texts]
    return images, texts


def main(argv: list[str] | None = None) -> None:
    """Command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", type=Path, default=model_path())
    p.add_argument("--n", type=int, default=300, help="lines per set")
    p.add_argument("--tag", default="urdu_crnn")
    p.add_argument(
        "--read-once",
        action="store_true",
        help="no second, stretched reading of dense lines (as geoverify read before 2026-12-03)",
    )
    args = p.parse_args(argv)
    reader = UrduRecognizer(args.model, threads=1)
    rows: list[dict] = []
    sets = [
        ("held-out text, training fonts", "clean", R.TRAIN_FONTS, False, 101),
        ("held-out text, training fonts", "augmented", R.TRAIN_FONTS, True, 102),
        ("held-out text, held-out font", "clean", [R.HELDOUT_FONT], False, 103),
        ("held-out text, held-out font", "augmented", [R.HELDOUT_FONT], True, 104),
        ("held-out text, held-out Nastaliq font", "clean", [R.HELDOUT_NASTALIQ], False, 107),
        ("held-out text, held-out Nastaliq font", "augmented", [R.HELDOUT_NASTALIQ], True, 108),
    ]
    for name, cond, fonts, augment, seed in sets:
        images, texts = lines(seed, args.n, fonts, augment)
        t0 = time.time()
        preds = [r.text for r in reader.recognize(images, restretch=not args.read_once)]
        ms = 1000 * (time.time() - t0) / len(images)
        rows.append(
            {
                "set": name,
                "condition": cond,
                "decoding": "greedy",
                **score(preds, texts),
                "ms_per_line": round(ms, 1),
            }
        )
    lexicon = sorted(set(C.load(True).names))
    lexicon_sets = [
        ("names", 105, None, R.HELDOUT_FONT),
        ("names", 105, lexicon, R.HELDOUT_FONT),
        ("words", 106, lexicon, R.HELDOUT_FONT),
        ("names", 109, None, R.HELDOUT_NASTALIQ),
        ("names", 109, lexicon, R.HELDOUT_NASTALIQ),
    ]
    for kind, seed, lex, font in lexicon_sets:
        images, texts = lines(seed, args.n, [font], True, only=kind)
        t0 = time.time()
        readings = reader.recognize(images, lexicon=lex, restretch=not args.read_once)
        ms = 1000 * (time.time() - t0) / len(images)
        used = sum(r.used == "lexicon" for r in readings) / len(readings)
        rows.append(
            {
                "set": f"held-out {'place names' if kind == 'names' else 'words (no names)'}, "
                + ("held-out Nastaliq font" if font == R.HELDOUT_NASTALIQ else "held-out font"),
                "condition": "augmented",
                "decoding": f"lexicon ({len(lexicon)} names)" if lex else "greedy",
                **score([r.text for r in readings], texts),
                "ms_per_line": round(ms, 1),
                "lexicon_used": round(used, 4) if lex else None,
            }
        )
    print("| set | condition | decoding | n | CER | exact match | lexicon used | ms/line |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        lex_used = "" if r.get("lexicon_used") is None else f"{r['lexicon_used']:.3f}"
        print(
            f"| {r['set']} | {r['condition']} | {r['decoding']} | {r['n']} | {r['cer']:.3f} "
            f"| {r['exact']:.3f} | {lex_used} | {r['ms_per_line']} |"
        )
    meta = json.loads(args.model.with_suffix(".json").read_text(encoding="utf-8"))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{args.tag}.json"
    out.write_text(
        results_json(
            {
                "model": str(args.model.name),
                "onnx_sha256": meta["onnx_sha256"],
                "checkpoint": meta.get("checkpoint"),
                "reading": "once" if args.read_once else "dense lines read again stretched",
                "heldout_font": R.HELDOUT_FONT,
                "heldout_nastaliq": R.HELDOUT_NASTALIQ,
                "rows": rows,
            }
        )
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
