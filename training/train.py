"""Train the Urdu CRNN on synthetic lines rendered on the fly (CPU, one thread).

Example (the recipe in training/README.md)::

    nice -n 15 .venv/bin/python -m training.train --hours 1.5 --out training/runs/main

The learning rate follows a cosine over the budget: wall-clock time (``--hours``), so a run
ends at a low rate whenever the time runs out, or a number of steps (``--steps``), so a run
follows the same schedule step for step on any machine, however fast. ``--resume``
continues from ``latest.pt`` in ``--out`` with the same budget (time or steps already
spent count). Checkpoints: ``latest.pt``
every ``--ckpt-min`` minutes and ``best.pt`` whenever the CER on the fixed validation set
(held-out text, training fonts, augmented) improves.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shlex
import subprocess
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, IterableDataset

from geoverify.data import sha256_file

from . import corpus as C
from . import render as R
from .evaluate import cer
from .model import CRNN, freeze_batchnorm, load_onnx_weights, n_params

SEED = 1234


def encode(text: str) -> list[int]:
    """CTC target of a logical-order line: class indices of its visual order."""
    index = {ch: i + 1 for i, ch in enumerate(C.CHARSET)}
    return [index[ch] for ch in C.to_visual(text)]


def collate(images: list[np.ndarray], texts: list[str]) -> dict[str, torch.Tensor]:
    """Pad a list of line images to one width (edge pixels repeated) and stack the targets."""
    width = max(im.shape[1] for im in images)
    width += (-width) % 4
    batch = np.stack([np.pad(im, ((0, 0), (0, width - im.shape[1])), mode="edge") for im in images])
    targets = [encode(t) for t in texts]
    return {
        "x": torch.from_numpy(batch[:, None].astype(np.float32)),
        "in_len": torch.tensor([im.shape[1] // 4 for im in images], dtype=torch.long),
        "y": torch.tensor([i for t in targets for i in t], dtype=torch.long),
        "y_len": torch.tensor([len(t) for t in targets], dtype=torch.long),
    }


class Lines(IterableDataset):
    """Endless batches of rendered training lines; each worker seeded from ``seed``.

    ``nastaliq_share``: the share of lines drawn in :data:`training.render.NASTALIQ_FONTS`
    only (the rest in any training font); ``restyle``: vary stroke, slant and width;
    ``condense``: the share of lines squeezed horizontally (:func:`training.render.render_line`).
    """

    def __init__(
        self,
        batch_size: int,
        seed: int,
        nastaliq_share: float = 0.0,
        restyle: bool = False,
        condense: float = 0.0,
    ) -> None:
        self.batch_size = batch_size
        self.seed = seed
        self.nastaliq_share = nastaliq_share
        self.restyle = restyle
        self.condense = condense

    def __iter__(self):
        import cv2

        cv2.setNumThreads(1)
        torch.set_num_threads(1)
        info = torch.utils.data.get_worker_info()
        seed = self.seed + (info.id if info else 0)
        rng, prng = np.random.default_rng(seed), random.Random(seed)
        corpus, textures = C.load(False), R.load_textures()
        pool = 4 * self.batch_size  # render 4 batches, group lines of similar width
        while True:
            texts = [C.sample_line(prng, corpus) for _ in range(pool)]
            images = [
                R.render_line(
                    rng,
                    t,
                    R.NASTALIQ_FONTS if rng.random() < self.nastaliq_share else R.TRAIN_FONTS,
                    textures,
                    augment=rng.random() < 0.8,
                    restyle=self.restyle,
                    condense=self.condense,
                )
                for t in texts
            ]
            order = sorted(range(pool), key=lambda i: images[i].shape[1])
            chunks = [order[s : s + self.batch_size] for s in range(0, pool, self.batch_size)]
            for k in rng.permutation(len(chunks)):
                yield collate([images[i] for i in chunks[k]], [texts[i] for i in chunks[k]])


def validation_set(path: Path, n: int = 400) -> tuple[list[np.ndarray], list[str]]:
    """Fixed validation lines (held-out text, training fonts, augmented), cached in ``path``."""
    if path.exists():
        data = np.load(path, allow_pickle=True)
        return list(data["images"]), list(data["texts"])
    rng, prng = np.random.default_rng(999), random.Random(999)
    corpus, textures = C.load(True), R.load_textures()
    texts = [C.sample_line(prng, corpus) for _ in range(n)]
    images = [
        R.render_line(rng, t, R.TRAIN_FONTS, textures, augment=i % 2 == 0)
        for i, t in enumerate(texts)
    ]
    arr = np.empty(n, dtype=object)
    arr[:] = images
    np.savez(path, images=arr, texts=np.array(texts, dtype=object))
    return images, texts


def greedy(log_probs: torch.Tensor, lengths: torch.Tensor) -> list[str]:
    """Greedy CTC decoding of ``(T, N, C)`` to logical-order strings."""
    best = log_probs.argmax(-1).T.tolist()
    out = []
    for seq, n in zip(best, lengths.tolist()):
        chars, prev = [], 0
        for k in seq[:n]:
            if k != prev and k != 0:
                chars.append(C.CHARSET[k - 1])
            prev = k
        out.append(C.to_logical("".join(chars)))
    return out


@torch.no_grad()
def evaluate(model: nn.Module, images: list[np.ndarray], texts: list[str], bs: int = 64) -> float:
    """CER of greedy decoding on a list of line images (batches of similar width)."""
    modes = {m: m.training for m in model.modules()}  # e.g. frozen batch norms
    model.eval()
    order = sorted(range(len(images)), key=lambda i: images[i].shape[1])
    preds: dict[int, str] = {}
    for s in range(0, len(order), bs):
        idx = order[s : s + bs]
        b = collate([images[i] for i in idx], [texts[i] for i in idx])
        for i, p in zip(idx, greedy(model(b["x"]), b["in_len"])):
            preds[i] = p
    for m, training in modes.items():
        m.train(training)
    return cer([preds[i] for i in range(len(texts))], texts)


def git_commit() -> str:
    """The repository's HEAD commit (or "unknown")."""
    try:
        return subprocess.check_output(["git", "rev-parse", "HEAD"], text=True).strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("training/runs/main"))
    p.add_argument("--hours", type=float, default=1.5, help="wall-clock budget of the whole run")
    p.add_argument(
        "--steps",
        type=int,
        default=0,
        help="budget in steps instead of hours: the schedule and the end follow the step count",
    )
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--ckpt-min", type=float, default=4.0, help="minutes between checkpoints")
    p.add_argument("--val-min", type=float, default=8.0, help="minutes between validations")
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (smoke)")
    p.add_argument("--resume", action="store_true", help="continue from OUT/latest.pt")
    p.add_argument(
        "--init-onnx",
        type=Path,
        default=None,
        help="fine-tune: start from this exported model's weights (batch norms frozen)",
    )
    p.add_argument("--nastaliq-share", type=float, default=0.0, help="lines in Nastaliq only")
    p.add_argument("--restyle", action="store_true", help="vary stroke weight, slant, width")
    p.add_argument(
        "--condense", type=float, default=0.0, help="share of lines squeezed to 0.5-1.0 width"
    )
    p.add_argument("--warmup-min", type=float, default=3.0)
    p.add_argument(
        "--warmup-steps", type=int, default=200, help="warm-up with --steps (--warmup-min without)"
    )
    return p.parse_args(argv)


def command_line(saved: dict[str, str]) -> str:
    """The ``training.train`` command that a run's saved options (``config.json``'s ``args``,
    values as strings) came from: every option, so that a default changed later does not
    change it; ``--resume`` left out, flags that were off and options that were None too."""
    parts = [".venv/bin/python -m training.train"]
    for key, value in saved.items():
        if key == "resume" or value in ("False", "None"):
            continue
        flag = "--" + key.replace("_", "-")
        parts.append(flag if value == "True" else f"{flag} {shlex.quote(value)}")
    return " ".join(parts)


def lr_at(args: argparse.Namespace, elapsed: float, step: int = 0) -> float:
    """Learning rate after ``elapsed`` seconds and ``step`` steps: linear warm-up, then a
    cosine to 2 % over the budget (steps with ``--steps``, else wall-clock hours)."""
    if args.steps:
        warm = min(1.0, step / max(1, args.warmup_steps))
        frac = min(1.0, step / args.steps)
    else:
        warm = min(1.0, elapsed / max(1.0, 60 * args.warmup_min))
        frac = min(1.0, elapsed / (args.hours * 3600))
    return args.lr * warm * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * frac)))


def budget_spent(args: argparse.Namespace, elapsed: float, step: int) -> bool:
    """Whether the run is over: its budget used up, or ``--max-steps`` reached."""
    if args.max_steps and step >= args.max_steps:
        return True
    return step >= args.steps if args.steps else elapsed >= args.hours * 3600


def save(path: Path, **state) -> None:
    """Write a checkpoint atomically."""
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> None:
    """Train until the budget (hours or ``--steps``; or ``--max-steps``) is used up."""
    args = parse_args(argv)
    if args.steps < 0 or args.warmup_steps < 0:
        raise SystemExit("--steps and --warmup-steps must be 0 or more")
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    model = CRNN(len(C.CHARSET) + 1)
    if args.init_onnx:
        load_onnx_weights(model, str(args.init_onnx))
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    step, elapsed, best = 0, 0.0, float("inf")
    if args.resume and (args.out / "latest.pt").exists():
        ck = torch.load(args.out / "latest.pt", weights_only=False)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step, elapsed, best = ck["step"], ck["elapsed"], ck["best_cer"]
        # a checkpoint from before --steps existed was made on the clock
        budget = ck.get("budget", {"steps": 0, "hours": args.hours})
        if budget["steps"] != args.steps or (not args.steps and budget["hours"] != args.hours):
            raise SystemExit(
                f"{args.out / 'latest.pt'} was made with the budget {budget}; resume it with "
                "the same --steps and --hours (the schedule follows the budget)"
            )
        print(f"resumed at step {step}, {elapsed / 3600:.2f} h, best CER {best:.4f}", flush=True)
    config = {
        "charset": C.CHARSET,
        "args": {k: str(v) for k, v in vars(args).items()},
        "commit": git_commit(),
        "params": n_params(model),
        "train_fonts": R.TRAIN_FONTS,
        "heldout_font": R.HELDOUT_FONT,
        "heldout_nastaliq": R.HELDOUT_NASTALIQ,
        "init_onnx_sha256": sha256_file(args.init_onnx) if args.init_onnx else None,
        "corpus_train": C.load(False).sizes(),
        "corpus_heldout": C.load(True).sizes(),
    }
    (args.out / "config.json").write_text(json.dumps(config, ensure_ascii=False, indent=1))
    print(f"params {n_params(model)}", flush=True)
    val_images, val_texts = validation_set(args.out / "val.npz")
    loader = DataLoader(
        Lines(args.batch, args.seed + step, args.nastaliq_share, args.restyle, args.condense),
        batch_size=None,
        num_workers=1,
        prefetch_factor=4,
        persistent_workers=True,
        multiprocessing_context="spawn",
    )
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    model.train()
    if args.init_onnx:
        freeze_batchnorm(model)
    t_last = t_ckpt = t_val = t_log = time.time()
    losses: list[float] = []
    n_log = 0
    for batch in loader:
        now = time.time()
        elapsed += now - t_last
        t_last = now
        for g in opt.param_groups:
            g["lr"] = lr_at(args, elapsed, step + 1)
        loss = ctc(model(batch["x"]), batch["y"], batch["in_len"], batch["y_len"])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        step += 1
        losses.append(loss.item())
        n_log += 1
        done = budget_spent(args, elapsed, step)
        if step % 50 == 0 or done:
            rate = n_log / max(1e-6, time.time() - t_log) if n_log else 0.0
            print(
                f"step {step} loss {np.mean(losses[-50:]):.3f} lr {lr_at(args, elapsed, step):.2e} "
                f"steps/s {rate:.2f} width {batch['x'].shape[-1]} elapsed {elapsed / 60:.1f} min",
                flush=True,
            )
            t_log, n_log = time.time(), 0
        if done or time.time() - t_val > args.val_min * 60:
            val = evaluate(model, val_images, val_texts)
            print(f"step {step} val CER {val:.4f} (best {min(best, val):.4f})", flush=True)
            if val < best:
                best = val
                save(
                    args.out / "best.pt",
                    model=model.state_dict(),
                    step=step,
                    elapsed=elapsed,
                    cer=val,
                )
            t_val = time.time()
        if done or time.time() - t_ckpt > args.ckpt_min * 60:
            save(
                args.out / "latest.pt",
                model=model.state_dict(),
                opt=opt.state_dict(),
                step=step,
                elapsed=elapsed,
                best_cer=best,
                budget={"steps": args.steps, "hours": args.hours},
            )
            t_ckpt = time.time()
        if done:
            break
    print(f"finished: step {step}, {elapsed / 3600:.2f} h, best val CER {best:.4f}", flush=True)


if __name__ == "__main__":
    main()
