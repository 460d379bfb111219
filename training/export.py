"""Export a training checkpoint to ONNX plus metadata for :mod:`geoverify.ocr.urdu`.

Example::

    .venv/bin/python -m training.export --ckpt training/runs/main/best.pt

writes ``geoverify/models/urdu_crnn.onnx`` (opset 17, float32, dynamic batch and width)
and ``geoverify/models/urdu_crnn.json`` (charset, input layout, normalisation, CTC blank,
training commit, seed, command, sha256 of the ONNX file).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

import numpy as np
import torch

from geoverify.data import sha256_file

from . import corpus as C
from . import render as R
from .model import CRNN, n_params
from .train import SEED, command_line, git_commit

MODELS = Path(__file__).resolve().parents[1] / "geoverify" / "models"


def export(ckpt: Path, out: Path, command: str) -> dict:
    """Write the ONNX model and its metadata; return the metadata."""
    state = torch.load(ckpt, map_location="cpu", weights_only=False)
    model = CRNN(len(C.CHARSET) + 1)
    model.load_state_dict(state["model"])
    model.eval()
    dummy = torch.full((2, 1, R.HEIGHT, 120), 128.0)
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        model,
        (dummy,),
        str(out),
        input_names=["image"],
        output_names=["log_probs"],
        dynamic_axes={"image": {0: "batch", 3: "width"}, "log_probs": {0: "frames", 1: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    check_same(model, out)
    run_dir = ckpt.parent
    config = (
        json.loads((run_dir / "config.json").read_text())
        if (run_dir / "config.json").exists()
        else {}
    )
    meta = {
        "format": "geoverify-urdu-crnn/1",
        "onnx": out.name,
        "onnx_sha256": sha256_file(out),
        "charset": C.CHARSET,
        "blank_index": 0,
        "classes": "index 0 is the CTC blank; index i + 1 is charset[i]",
        "input": {
            "name": "image",
            "layout": "N,1,H,W",
            "height": R.HEIGHT,
            "dtype": "float32",
            "values": "grayscale pixel values 0..255 (no scaling by the caller)",
            "normalisation": "inside the graph: x / 127.5 - 1",
            "padding": "pad the right edge by repeating the last column, width a multiple of 4",
        },
        "output": {
            "name": "log_probs",
            "layout": "T,N,C",
            "activation": "log_softmax",
            "frames_per_pixel": 0.25,
            "order": "frames run left to right over the image (visual order): reverse the "
            "string, then reverse back each run of digits, to get logical order",
        },
        "params": n_params(model),
        "checkpoint": {
            "file": str(ckpt),
            "step": state.get("step"),
            "hours": round(state.get("elapsed", 0.0) / 3600, 3),
            "val_cer": state.get("cer", state.get("best_cer")),
        },
        "seed": int(config["args"]["seed"]) if config.get("args") else SEED,
        "training_commit": config.get("commit", "unknown"),
        "training_command": config.get("args") and command_line(config["args"]),
        "export_command": command,
        "export_commit": git_commit(),
        "train_fonts": R.TRAIN_FONTS,
        "heldout_font": R.HELDOUT_FONT,
        "corpus": {"train": config.get("corpus_train"), "heldout": config.get("corpus_heldout")},
        "torch": torch.__version__,
        "python": platform.python_version(),
    }
    out.with_suffix(".json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n")
    return meta


def check_same(model: CRNN, path: Path) -> None:
    """Assert that onnxruntime reproduces PyTorch's output on a random batch."""
    import onnxruntime as ort

    x = np.random.default_rng(0).uniform(0, 255, (3, 1, R.HEIGHT, 212)).astype(np.float32)
    with torch.no_grad():
        ref = model(torch.from_numpy(x)).numpy()
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = sess.run(None, {"image": x})[0]
    err = float(np.abs(got - ref).max())
    if err > 1e-3:
        raise RuntimeError(f"ONNX output differs from PyTorch by {err}")
    print(f"onnxruntime matches PyTorch (max abs diff {err:.2e})")


def main(argv: list[str] | None = None) -> None:
    """Command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ckpt", type=Path, default=Path("training/runs/main/best.pt"))
    p.add_argument("--out", type=Path, default=MODELS / "urdu_crnn.onnx")
    args = p.parse_args(argv)
    command = "python -m training.export " + " ".join(sys.argv[1:] if argv is None else argv)
    meta = export(args.ckpt, args.out, command.strip())
    print(json.dumps({k: meta[k] for k in ("onnx_sha256", "params", "checkpoint")}, indent=1))
    print(f"{args.out} {args.out.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
