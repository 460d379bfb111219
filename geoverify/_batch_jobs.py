"""The jobs of a batch (private: used by :func:`geoverify.batch`).

Listing the sources (files, folders, globs, list files, CSV files), keying each job by the
sha256 of its input and the case options, and the task a Dask worker runs: one
:class:`~geoverify.Case` per source, every failure caught and returned as a row.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import io
import json
import os
import re
import time
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import settings
from ._version import __version__
from .exceptions import InputError

#: Bounds on a list or CSV file of sources (it may come from anyone).
MAX_LIST_BYTES = 16 << 20
MAX_SOURCES = 100_000
#: The columns of the results table, in order.
COLUMNS = [
    "source",
    "status",
    "label",
    "best_region",
    "posterior",
    "n_frames",
    "n_lines",
    "seconds",
    "error",
    "case_dir",
    "claim",
    "claim_posterior",
    "reused",
    "key",
    "input_sha256",
    "warnings",
    "worker",
]
_LIST_SUFFIXES = {".txt", ".lst", ".list"}
_GLOB_CHARS = "*?["
_SLUG = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Job:
    """One source of a batch and where its case goes."""

    source: str
    claim: str | None
    options: dict[str, Any]
    settings: dict[str, Any]
    key: str = ""
    input_sha256: str | None = None
    case_dir: str = ""
    problem: str | None = None  # known before running: missing file, no claim, ...

    def row(self, **values: Any) -> dict[str, Any]:
        """A results row for this job, with ``values`` filled in."""
        row: dict[str, Any] = dict.fromkeys(COLUMNS)
        row.update(
            source=self.source,
            claim=self.claim,
            key=self.key,
            input_sha256=self.input_sha256,
            case_dir=self.case_dir,
            reused=False,
        )
        row.update(values)
        return row


# --------------------------------------------------------------------------- listing sources
def list_sources(sources: Any, claim: str | None) -> list[tuple[str, str | None]]:
    """``(source, claim)`` pairs from files, folders, globs, list files and CSV files.

    A list file (``.txt``) holds one path or URL a line (``#`` starts a comment); a CSV file
    has a ``source`` column (else its first column) and an optional ``claim`` column. Relative
    paths in either are taken from the file's folder. A path that does not exist is kept, so
    that it becomes a failed row rather than vanishing.
    """
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    pairs: list[tuple[str, str | None]] = []
    for item in sources:
        text = os.fspath(item)
        path = Path(text)
        if _is_url(text) or path.is_dir():
            pairs.append((text, claim))
        elif path.is_file() and path.suffix.lower() in _LIST_SUFFIXES:
            pairs.extend((s, claim) for s in _read_list(path))
        elif path.is_file() and path.suffix.lower() == ".csv":
            pairs.extend(_read_csv(path, claim))
        elif not path.exists() and any(c in text for c in _GLOB_CHARS):
            matches = sorted(glob.glob(text, recursive=True))
            if not matches:
                warnings.warn(f"{text}: no file matches this pattern", stacklevel=3)
            pairs.extend((m, claim) for m in matches if Path(m).is_file())
        else:
            pairs.append((text, claim))
    unique = list(dict.fromkeys(pairs))
    if len(unique) > MAX_SOURCES:
        raise InputError(f"{len(unique)} sources: a batch takes at most {MAX_SOURCES}")
    return unique


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def _read_bounded(path: Path) -> str:
    if path.stat().st_size > MAX_LIST_BYTES:
        raise InputError(f"{path}: a list of sources is at most {MAX_LIST_BYTES >> 20} MiB")
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}): {exc.reason}") from None


def _resolve(entry: str, base: Path) -> str:
    if _is_url(entry) or Path(entry).is_absolute():
        return entry
    return str(base / entry)


def _read_list(path: Path) -> list[str]:
    lines = (ln.strip() for ln in _read_bounded(path).splitlines())
    return [_resolve(ln, path.parent) for ln in lines if ln and not ln.startswith("#")]


def _read_csv(path: Path, claim: str | None) -> list[tuple[str, str | None]]:
    rows = list(csv.reader(io.StringIO(_read_bounded(path))))
    if not rows:
        return []
    header = [h.strip().lower() for h in rows[0]]
    if "source" in header:
        src, body = header.index("source"), rows[1:]
    else:  # no header: the first column holds the sources
        src, body = 0, rows
    col = header.index("claim") if "claim" in header else None
    pairs = []
    for row in body:
        if len(row) <= src or not row[src].strip():
            continue
        own = row[col].strip() if col is not None and len(row) > col else ""
        pairs.append((_resolve(row[src].strip(), path.parent), own or claim))
    return pairs


# --------------------------------------------------------------------------- keys
def input_sha256(source: str) -> str | None:
    """sha256 of the input: a file's bytes, a folder's files (names and hashes), a URL's text;
    None for a path that does not exist."""
    from .data import sha256_file

    path = Path(source)
    if _is_url(source):
        return hashlib.sha256(source.encode()).hexdigest()
    if path.is_file():
        return sha256_file(path)
    if path.is_dir():
        h = hashlib.sha256()
        for p in sorted(q for q in path.rglob("*") if q.is_file() and not q.is_symlink()):
            h.update(f"{p.relative_to(path).as_posix()}\0{sha256_file(p)}\n".encode())
        return h.hexdigest()
    return None


def job_key(sha: str, claim: str | None, options: dict[str, Any]) -> str:
    """What makes two runs the same: the input, the claim, the case options (defaults filled
    in, so that leaving an option out and giving its default are the same), geoverify."""
    import dataclasses

    from .case import Case
    from .ocr import DISK_FORMAT

    defaults = {
        f.name: f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[operator]
        for f in dataclasses.fields(Case)
        if f.init
        and (f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING)
    }
    options = {
        k: list(v) if isinstance(v, tuple) else v for k, v in {**defaults, **options}.items()
    }

    blob = json.dumps(
        {
            "input": sha,
            "claim": claim,
            "options": options,
            "geoverify": __version__,
            "ocr": DISK_FORMAT,
        },
        sort_keys=True,
        default=_key_value,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def _key_value(value: Any) -> Any:
    """A case option that JSON cannot hold, as what identifies it in a key."""
    import pandas as pd

    from .ocr.base import OCREngine

    if isinstance(value, OCREngine):  # an engine object: what it reads with, not its repr
        return {"engine": value.name, "params": value.params()}
    if isinstance(value, pd.DataFrame):  # a regions table: its contents
        table = pd.DataFrame(value).copy()
        if "geometry" in table:
            table["geometry"] = [getattr(g, "wkt", None) for g in table["geometry"]]
        return hashlib.sha256(table.to_json(default_handler=str).encode()).hexdigest()
    return str(value)


def case_dir_name(source: str, key: str) -> str:
    """A folder name from the source's name (only safe characters) and the key."""
    stem = Path(source.rstrip("/")).name if not _is_url(source) else source.split("//", 1)[1]
    slug = _SLUG.sub("-", stem).strip("-.")[:40] or "source"
    return f"{slug}-{key[:12]}"


# --------------------------------------------------------------------------- settings
def settings_snapshot() -> dict[str, Any]:
    """The settings a worker process needs to behave as this one (plain values only)."""
    plain = (str, int, float, bool, type(None))
    return {
        name: value
        for name in dir(settings)
        if name.islower()
        and not name.startswith("_")
        and isinstance(value := getattr(settings, name), plain)
    }


def apply_settings(snapshot: dict[str, Any]) -> None:
    for name, value in snapshot.items():
        if hasattr(settings, name):
            setattr(settings, name, value)


# --------------------------------------------------------------------------- the task
def run_job(job: Job) -> dict[str, Any]:
    """Run one source's case and save its folder; every failure is a row, never a raise."""
    import socket

    from .case import Case

    apply_settings(job.settings)
    settings.progress = False
    started = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            case = Case(sources=[job.source], claim=job.claim or "", **job.options)
            case.run(progress=False)
            case.save(job.case_dir, overwrite=True)
            values = _case_values(case)
        except Exception as exc:  # a batch reports every failure and goes on
            values = {"status": "failed", "error": _error_text(exc)}
    said = list(dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught))
    return job.row(
        **values,
        seconds=round(time.perf_counter() - started, 3),
        warnings="\n".join(said) or None,
        worker=worker,
    )


def _case_values(case: Any) -> dict[str, Any]:
    v = case.verdict
    post = v.posterior
    return {
        "status": "ok",
        "label": v.label,
        "best_region": v.best_region,
        "posterior": float(post.get(v.best_region, float("nan"))),
        "claim_posterior": float(post.get(v.claim, float("nan"))),
        "n_frames": len(case.frames) if case.frames is not None else 0,
        "n_lines": len(case.texts) if case.texts is not None else 0,
    }


def _error_text(exc: BaseException) -> str:
    from .exceptions import GeoverifyError

    if isinstance(exc, GeoverifyError):
        return f"{type(exc).__name__}: {exc}"
    # not one of ours: keep where it came from, for a bug report
    where = traceback.extract_tb(exc.__traceback__)[-1:]
    at = f" (at {Path(where[0].filename).name}:{where[0].lineno})" if where else ""
    return f"{type(exc).__name__}: {exc}{at}"


#: Environment of worker processes: one thread each for OpenMP (Tesseract), BLAS and the
#: like, so that N single-threaded workers share N cores without oversubscribing them.
THREAD_ENV = {
    "OMP_THREAD_LIMIT": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


def limit_threads() -> None:
    """One thread per worker for what reads the environment too late or not at all."""
    os.environ.update(THREAD_ENV)
    try:
        import cv2

        cv2.setNumThreads(1)
    except ImportError:  # pragma: no cover - OpenCV is a dependency
        pass
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
