"""Train the line script classifier (``geoverify/models/script_id.onnx``): is a text line in
Arabic script (Urdu) or in Latin letters?

The scene pipeline reads every line with both recognisers. Where their own scores pick the
script, a line that neither reads well goes to the one that is less unsure, and on real
Nastaliq print and painted boards the Urdu model is unsure of every letter, so the Latin
reader's garbage wins. The script of a line is plain to see in its pixels: a small CNN looks at
the line (height 32, any width) and says which.

Data: lines rendered as for the Urdu recogniser (``training/render.py``: its palettes, photo
textures and camera degradations). Arabic script: ``corpus.sample_line`` in the Urdu training
fonts. Latin: the Latin names of the bundled gazetteers, wordfreq's English words and sign-like
lines (distances, speed limits, phone numbers), in the Noto Latin fonts, as typed and in
capitals. One font of each script and the held-out text units (``corpus.is_heldout``) are kept
out of training for evaluation.

Commands (CPU; see ``training/README.md`` for the times measured)::

    python -m training.script_id train --out training/runs/script_id
    python -m training.script_id export training/runs/script_id/model.pt
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import time
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from torch import nn

from training import corpus as C
from training import render as R

SEED = 4321
#: Latin fonts of fonts-noto-core; the last is held out.
LATIN_FONTS = [
    "noto/NotoSans-Regular.ttf",
    "noto/NotoSans-Bold.ttf",
    "noto/NotoSans-Italic.ttf",
    "noto/NotoSansDisplay-Regular.ttf",
    "noto/NotoSansDisplay-Bold.ttf",
    "noto/NotoSerif-Regular.ttf",
    "noto/NotoSerif-Bold.ttf",
]
LATIN_HELDOUT_FONT = "noto/NotoSerif-Italic.ttf"
CLASSES = ("Latn", "Arab")
#: Width of a training window (lines are cut or padded to it; the model pools over any width).
WINDOW = 160
MODEL_OUT = Path(__file__).resolve().parents[1] / "geoverify" / "models" / "script_id.onnx"


@lru_cache(maxsize=2)
def latin_units(heldout: bool) -> tuple[str, ...]:
    """Latin-script names of the bundled gazetteers and English words, split as the Urdu
    corpus is (:func:`training.corpus.is_heldout`)."""
    import wordfreq

    units: set[str] = set(wordfreq.top_n_list("en", 20000))
    for path in sorted((C.REPO / "data" / "gazetteers").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            units.update(row["name"] for row in csv.DictReader(fh) if row.get("name"))
    keep = {u for u in units if u.isascii() and any(ch.isalpha() for ch in u)}
    return tuple(sorted(u for u in keep if C.is_heldout(u) == heldout))


def latin_line(rng: random.Random, heldout: bool) -> str:
    """A line of 1-4 Latin units, a distance, a speed limit or a number, as on signs."""
    units = latin_units(heldout)
    kind = rng.random()
    if kind < 0.1:
        return f"{rng.randint(1, 999)} km" if rng.random() < 0.7 else str(rng.randint(10, 99999))
    if kind < 0.15:
        return (
            rng.choice(["SPEED LIMIT", "Speed limit", "No Parking", "Tel."])
            + " "
            + str(rng.choice([40, 50, 60, 80, 100, rng.randint(1000000, 9999999)]))
        )
    text = " ".join(rng.choice(units) for _ in range(rng.randint(1, 4)))
    if rng.random() < 0.3:
        text += f" {rng.randint(1, 999)} km"
    return text.upper() if rng.random() < 0.4 else text.title() if rng.random() < 0.5 else text


def render(rng: np.random.Generator, prng: random.Random, arabic: bool, heldout: bool, textures):
    """One line image (uint8, height 32) of the given script, augmented as the recogniser's."""
    if arabic:
        text = C.sample_line(prng, C.load(heldout))
        fonts = [R.HELDOUT_FONT] if heldout else R.TRAIN_FONTS
        font = R.pick_font(rng, text, fonts)
    else:
        text = latin_line(prng, heldout)
        fonts = [LATIN_HELDOUT_FONT] if heldout else LATIN_FONTS
        font = fonts[rng.integers(len(fonts))]
    img = R.compose(rng, text, font, textures, rtl=arabic)
    if rng.random() < 0.85:
        img = R.degrade(rng, img)
    return R.to_input(img)


def window(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    """A ``WINDOW``-wide piece of a line: a random cut of a longer one, an edge-padded shorter one."""
    w = img.shape[1]
    if w >= WINDOW:
        x = int(rng.integers(0, w - WINDOW + 1))
        return img[:, x : x + WINDOW]
    left = int(rng.integers(0, WINDOW - w + 1))
    return np.pad(img, ((0, 0), (left, WINDOW - w - left)), mode="edge")


def dataset(n: int, seed: int, heldout: bool) -> tuple[np.ndarray, np.ndarray]:
    """``n`` rendered lines, half of each script: images ``(n, 32, W)`` as a list, labels."""
    rng, prng = np.random.default_rng(seed), random.Random(seed)
    textures = R.load_textures()
    labels = np.array([i % 2 for i in range(n)], np.int64)
    images = np.empty(n, dtype=object)
    images[:] = [render(rng, prng, bool(y), heldout, textures) for y in labels]
    return images, labels


class ScriptCNN(nn.Module):
    """Four conv blocks, global average pooling over the line, two logits (Latn, Arab)."""

    def __init__(self) -> None:
        super().__init__()

        def block(c_in: int, c_out: int, pool: bool) -> list[nn.Module]:
            layers: list[nn.Module] = [
                nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
                nn.BatchNorm2d(c_out),
                nn.ReLU(inplace=True),
            ]
            return layers + ([nn.MaxPool2d(2)] if pool else [])

        self.features = nn.Sequential(
            *block(1, 16, True), *block(16, 32, True), *block(32, 64, True), *block(64, 64, False)
        )
        self.head = nn.Linear(64, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(N, 2)`` of line images ``(N, 1, 32, W)``, pixel values 0..255."""
        f = self.features(x / 127.5 - 1.0)
        return self.head(f.mean(dim=(2, 3)))


def accuracy(model: nn.Module, images: np.ndarray, labels: np.ndarray) -> float:
    """Share of whole lines (any width, one at a time) classified right."""
    model.eval()
    with torch.no_grad():
        pred = [
            int(model(torch.from_numpy(im[None, None].astype(np.float32))).argmax())
            for im in images
        ]
    model.train()
    return float(np.mean(np.array(pred) == labels))


def train(args: argparse.Namespace) -> None:
    torch.manual_seed(SEED)
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    train_x, train_y = dataset(args.lines, SEED, heldout=False)
    val_x, val_y = dataset(args.val_lines, SEED + 1, heldout=True)
    render_s = time.time() - t0
    model, rng = ScriptCNN(), np.random.default_rng(SEED)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=args.steps)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
    for step in range(1, args.steps + 1):
        idx = rng.integers(0, len(train_y), args.batch)
        x = np.stack([window(rng, train_x[i]) for i in idx]).astype(np.float32)[:, None]
        loss = loss_fn(model(torch.from_numpy(x)), torch.from_numpy(train_y[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 250 == 0 or step == args.steps:
            print(f"step {step} loss {loss.item():.4f} {time.time() - t0:.0f} s", flush=True)
    record = {
        "seed": SEED,
        "steps": args.steps,
        "batch": args.batch,
        "train_lines": args.lines,
        "render_seconds": round(render_s, 1),
        "train_seconds": round(time.time() - t0 - render_s, 1),
        "heldout_lines": args.val_lines,
        "heldout_accuracy": accuracy(model, val_x, val_y),
        "heldout_fonts": [R.HELDOUT_FONT, LATIN_HELDOUT_FONT],
        "threads": args.threads,
    }
    print(json.dumps(record, indent=2))
    torch.save({"model": model.state_dict(), "record": record}, out / "model.pt")
    (out / "record.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def export(args: argparse.Namespace) -> None:
    import subprocess

    from geoverify.data import sha256_file

    ckpt = torch.load(args.checkpoint, map_location="cpu", weights_only=False)
    model = ScriptCNN()
    model.load_state_dict(ckpt["model"])
    model.eval()
    out = Path(args.out)
    torch.onnx.export(
        model,
        (torch.zeros(1, 1, 32, WINDOW),),
        str(out),
        input_names=["image"],
        output_names=["logits"],
        dynamic_axes={"image": {0: "batch", 3: "width"}, "logits": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    meta = {"classes": list(CLASSES), "input": {"height": R.HEIGHT, "max_width": R.MAX_WIDTH}}
    meta |= {"training": ckpt["record"], "export_commit": commit.strip()}
    meta["onnx_sha256"] = sha256_file(out)
    out.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size} bytes)")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--out", default="training/runs/script_id")
    t.add_argument("--lines", type=int, default=16000)
    t.add_argument("--val-lines", type=int, default=1000)
    t.add_argument("--steps", type=int, default=3000)
    t.add_argument("--batch", type=int, default=64)
    t.add_argument("--threads", type=int, default=2)
    e = sub.add_parser("export")
    e.add_argument("checkpoint")
    e.add_argument("--out", default=str(MODEL_OUT))
    args = ap.parse_args(argv)
    train(args) if args.cmd == "train" else export(args)


if __name__ == "__main__":
    main()
