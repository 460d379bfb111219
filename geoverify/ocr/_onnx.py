"""Private: geoverify's packaged ONNX models, checked and opened for onnxruntime on the CPU.

The Urdu recogniser, the line script classifier and CRAFT's export all run this way: one place
for the metadata check (the ``.json`` beside the ``.onnx``, with its sha256) and for the session
options.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..exceptions import EngineUnavailableError


def load_meta(path: Path, what: str, rebuild: str) -> dict[str, Any]:
    """A packaged model's metadata (``.json`` next to the ``.onnx``), checked against the file.

    ``what`` names the model and ``rebuild`` the training commands in the error raised where
    either file is missing; a sha256 that does not match raises IntegrityError.
    """
    import hashlib

    from ..exceptions import IntegrityError

    meta_path = path.with_suffix(".json")
    if not path.is_file() or not meta_path.is_file():
        raise EngineUnavailableError(
            f"{what} model not found: {path} (and its {meta_path.name}). It ships with "
            "geoverify in geoverify/models/; reinstall geoverify, or rebuild it with "
            f"training/README.md ({rebuild})."
        )
    meta: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if meta.get("onnx_sha256") not in (None, digest):
        raise IntegrityError(f"{path}: sha256 {digest} does not match {meta_path.name}")
    return meta


def cpu_session(path: Path, threads: int | None = None) -> Any:
    """An onnxruntime session on the CPU for ``path``: one inter-op thread, ``threads``
    intra-op threads, warnings only from errors up.

    With ``threads`` None, ``OMP_NUM_THREADS`` decides where it is set (onnxruntime itself
    ignores it, but batch workers set it to 1 so that one worker keeps to one core), and
    onnxruntime's own choice (one thread per core) otherwise.
    """
    threads = threads or _env_threads()
    try:
        import onnxruntime as ort
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise EngineUnavailableError(
            "onnxruntime is not installed: pip install onnxruntime"
        ) from exc
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    opts.inter_op_num_threads = 1
    if threads:
        opts.intra_op_num_threads = int(threads)
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def _env_threads() -> int | None:
    value = os.environ.get("OMP_NUM_THREADS", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None
