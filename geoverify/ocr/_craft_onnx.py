"""Private: EasyOCR's CRAFT detector run by onnxruntime instead of PyTorch.

CRAFT is a VGG-16 network, and its convolutions are most of what a scene-text read costs on a
CPU. onnxruntime runs the same network about 1.4x faster there (``benchmarks/realworld.py``), so
the first time CRAFT is needed its weights are exported to ONNX once, into the cache, under a
name that holds the weights' sha256; every later process loads that file. EasyOCR keeps doing
everything around the network (resizing, normalising, the boxes from the score maps), so the
boxes are EasyOCR's own.

Where the export or the session fails, the PyTorch network stays and a warning says why.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from .. import settings
from ..exceptions import GeoverifyWarning

#: ONNX opset of the export (onnxruntime >= 1.17 runs it).
OPSET = 17


class OnnxCraft:
    """A stand-in for EasyOCR's CRAFT module: called with the normalised image batch (a
    PyTorch tensor), it returns the score maps and features as PyTorch tensors, as CRAFT does."""

    def __init__(self, path: Path, threads: int) -> None:
        from ._onnx import cpu_session

        self.path = path
        self._session = cpu_session(path, max(1, int(threads)))

    def __call__(self, x: Any) -> tuple[Any, Any]:
        import torch

        y, feature = self._session.run(None, {"image": x.cpu().numpy()})
        return torch.from_numpy(y), torch.from_numpy(feature)


def onnx_path(weights: Path) -> Path:
    """Where the export of CRAFT's ``weights`` is cached."""
    from ..data import sha256_file

    return settings.cache_path("models", f"craft-{sha256_file(weights)[:16]}-opset{OPSET}.onnx")


def export(net: Any, path: Path) -> Path:
    """Write CRAFT (a PyTorch module) as ONNX to ``path`` atomically, with free height and width."""
    import torch

    from .._atomic import atomic_path

    sample = torch.zeros(1, 3, 64, 64)
    with atomic_path(path) as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's notes on traced shapes
        torch.onnx.export(
            net,
            (sample,),
            str(tmp),
            input_names=["image"],
            output_names=["y", "feature"],
            dynamic_axes={
                "image": {0: "batch", 2: "height", 3: "width"},
                "y": {0: "batch", 1: "h2", 2: "w2"},
                "feature": {0: "batch", 2: "h2", 3: "w2"},
            },
            opset_version=OPSET,
            dynamo=False,
        )
    return path


def onnx_detector(net: Any, weights: Path) -> Any:
    """``net`` (EasyOCR's CRAFT on the CPU) as an :class:`OnnxCraft`, exported the first time;
    ``net`` itself, with a warning, where that fails."""
    import torch

    path = onnx_path(weights)
    threads = torch.get_num_threads()  # what geoverify's batch workers limit to one
    for attempt in ("cached", "fresh"):
        try:
            if attempt == "fresh" or not path.is_file():
                export(getattr(net, "module", net), path)
            return OnnxCraft(path, threads)
        except Exception as exc:  # a broken cache or exporter must not stop reading
            reason = f"{type(exc).__name__}: {exc}"
            if attempt == "fresh" or not path.is_file():
                break
    warnings.warn(
        f"CRAFT runs on PyTorch (slower): its ONNX export {path} could not be used ({reason})",
        GeoverifyWarning,
        stacklevel=3,
    )
    return net
