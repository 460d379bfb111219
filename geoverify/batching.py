"""Many sources at once: one :class:`~geoverify.Case` per source, run on Dask.

geoverify has no scheduler of its own. With no client, :func:`batch` starts a
``dask.distributed.LocalCluster`` sized to the machine (one single-threaded worker process per
core); give it a ``Client`` or a scheduler address to run on an existing cluster
(dask-jobqueue, Kubernetes, Coiled, ...).

Example
-------
>>> import geoverify as gv
>>> table = gv.batch(["uploads/*.mp4"], claim="PoK", out="desk/kargil")  # doctest: +SKIP
>>> table[["source", "status", "label", "best_region"]]  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from . import _batch_jobs as bj
from ._atomic import atomic_path, write_text
from .exceptions import InputError, OutputExistsError

__all__ = ["batch", "local_cluster", "read_batch"]

RESULTS_PARQUET = "results.parquet"
RESULTS_CSV = "results.csv"
REPORT = "report.html"
CASES = "cases"


def batch(
    sources: Any,
    claim: str | None = None,
    out: str | os.PathLike[str] = "batch",
    client: Any = None,
    *,
    workers: int | None = None,
    progress: bool | None = None,
    **case_options: Any,
) -> pd.DataFrame:
    """Run one case per source on Dask; write every case folder and a results table.

    Parameters
    ----------
    sources
        Video or image files, folders of images, globs, URLs, list files (``.txt``: one path or
        URL a line) or CSV files (a ``source`` column and an optional ``claim`` column).
    claim
        The claimed region for every source (a CSV's ``claim`` column overrides it per row).
    out
        The batch folder: ``results.parquet``, ``results.csv``, ``report.html`` and
        ``cases/<name>-<key>/`` (each what :meth:`Case.save` writes).
    client
        A ``dask.distributed.Client``, or a scheduler address; None starts a LocalCluster.
    workers
        Worker processes of the LocalCluster (default: one per usable core).
    progress
        Show a progress bar and the dashboard link (default ``settings.progress``).
    **case_options
        Options of :class:`~geoverify.Case` (``engine``, ``languages``, ``every``, ...).

    Returns
    -------
    pandas.DataFrame
        A row per source: ``source, status, label, best_region, posterior, n_frames, n_lines,
        seconds, error, case_dir`` then ``claim, claim_posterior, reused, key, input_sha256,
        warnings, worker``. ``status`` is ``ok``, ``failed`` (``error`` says why) or
        ``cancelled`` (interrupted). ``posterior`` is the best region's.

    Notes
    -----
    A source whose input (sha256), claim and options match a finished row of an earlier run in
    the same ``out`` is not run again (``reused`` is true). The tables are rewritten atomically
    as results arrive, so an interrupted batch keeps what finished. A worker that dies is
    retried once on a LocalCluster (``distributed.scheduler.allowed-failures``), then reported.
    """
    from . import settings

    out = _batch_folder(out)
    show = settings.progress if progress is None else progress
    _check_options(case_options)
    jobs = _jobs(sources, claim, case_options, out)
    if not jobs:
        raise InputError(f"no sources in {sources!r}")
    rows = _reused_rows(jobs, out)
    for i, job in enumerate(jobs):  # known to fail: no worker needed to say so
        if i not in rows and job.problem:
            rows[i] = job.row(status="failed", error=job.problem, seconds=0.0)
    todo = [i for i in range(len(jobs)) if i not in rows]
    save = _Saver(out, jobs, case_options.get("regions", "auto"))
    save(rows, report=False)
    if todo:
        with _dask_client(client, workers) as dask_client:
            _run(dask_client, jobs, todo, rows, save, show)
    return save(rows)


def read_batch(out: str | os.PathLike[str]) -> pd.DataFrame:
    """The results table of a batch folder (``results.parquet``).

    Raises
    ------
    InputError
        There is no results table in ``out``.
    """
    path = Path(out) / RESULTS_PARQUET
    if not path.is_file():
        raise InputError(f"{out}: no {RESULTS_PARQUET} (not a batch folder)")
    return pd.read_parquet(path)


# --------------------------------------------------------------------------- the jobs
#: Case fields that are outputs or set by the batch, not options.
_NOT_OPTIONS = {"sources", "claim", "frames", "texts", "lines", "candidates", "verdict"}
_NOT_OPTIONS |= {
    "region_table",
    "provenance",
    "folder",
    "footage",
    "fetched",
    "edits",
    "saved_verdict",
}


def _check_options(options: dict[str, Any]) -> None:
    """Unknown options fail here, once, not in every task."""
    import dataclasses
    import difflib

    from .case import Case

    known = [f.name for f in dataclasses.fields(Case) if f.name not in _NOT_OPTIONS]
    for name in options:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; options: {', '.join(known)}"
            raise InputError(f"{name!r} is not a case option{hint}")


def _batch_folder(out: str | os.PathLike[str]) -> Path:
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise OutputExistsError(f"{path}: exists and is not a folder")
    (path / CASES).mkdir(parents=True, exist_ok=True)
    return path


def _jobs(sources: Any, claim: str | None, options: dict[str, Any], out: Path) -> list[bj.Job]:
    from .exceptions import UnknownRegionError
    from .regions import region

    snapshot = bj.settings_snapshot()
    jobs = []
    for source, own_claim in bj.list_sources(sources, claim):
        job = bj.Job(source, own_claim, dict(options), snapshot)
        job.input_sha256 = bj.input_sha256(source)
        if job.input_sha256 is None:
            job.problem = f"InputError: {source}: no such file or folder"
        elif not own_claim:
            job.problem = "InputError: no claim for this source (give claim= or a claim column)"
        else:
            try:
                region(own_claim)
            except UnknownRegionError as exc:
                job.problem = f"UnknownRegionError: {exc}"
        job.key = bj.job_key(job.input_sha256 or source, own_claim, job.options)
        job.case_dir = str(out / CASES / bj.case_dir_name(source, job.key))
        jobs.append(job)
    return jobs


def _reused_rows(jobs: list[bj.Job], out: Path) -> dict[int, dict[str, Any]]:
    """Finished rows of an earlier run whose key matches and whose case folder is still there."""
    try:
        old = read_batch(out)
    except Exception:  # no table, or one we cannot read: run everything
        return {}
    done = {r["key"]: r for r in old.to_dict("records") if r.get("status") == "ok"}
    rows = {}
    for i, job in enumerate(jobs):
        prev = done.get(job.key)
        # the folder is looked up by the name this run would give it, never by the path
        # the old table holds (the table could have been edited to point anywhere)
        if prev is not None and (Path(job.case_dir) / "manifest.json").is_file():
            rows[i] = {**job.row(), **{c: prev.get(c) for c in bj.COLUMNS}, "reused": True}
            rows[i].update(case_dir=job.case_dir, source=job.source)
    return rows


# --------------------------------------------------------------------------- dask
@contextlib.contextmanager
def _dask_client(client: Any, workers: int | None) -> Iterator[Any]:
    """The given client, a client of the given scheduler address, or a new LocalCluster's."""
    from distributed import Client

    if client is not None and not isinstance(client, str):
        _register_plugin(client)
        yield client
        return
    if isinstance(client, str):
        with Client(client) as own:
            _register_plugin(own)
            yield own
        return
    with local_cluster(workers) as cluster, Client(cluster) as own:
        _register_plugin(own)
        yield own


@contextlib.contextmanager
def local_cluster(workers: int | None = None, *, dashboard: bool = True) -> Iterator[Any]:
    """The ``LocalCluster`` :func:`batch` starts when given no client.

    One single-threaded worker process per usable core (or ``workers``), each with one thread
    for OpenMP, BLAS and the like; a worker that dies is retried once
    (``distributed.scheduler.allowed-failures = 1``).

    Raises
    ------
    InputError
        ``workers`` is less than one.
    """
    import dask
    from distributed import LocalCluster

    n = _usable_cores() if workers is None else workers
    if n < 1:
        raise InputError(f"workers={workers}: a batch needs at least one worker")
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 1}),
        LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            env=dict(bj.THREAD_ENV),
            dashboard_address=":0" if dashboard and _has_bokeh() else None,
        ) as cluster,
    ):
        yield cluster


def _usable_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - macOS, Windows


def _has_bokeh() -> bool:
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None


def _register_plugin(client: Any) -> None:
    from distributed.diagnostics.plugin import WorkerPlugin

    class ThreadLimits(WorkerPlugin):
        """Single-threaded OpenMP, OpenCV and torch on every worker, started now or later."""

        name = "geoverify-thread-limits"

        def setup(self, worker: Any) -> None:
            bj.limit_threads()

    client.register_plugin(ThreadLimits())


def _run(
    client: Any,
    jobs: list[bj.Job],
    todo: list[int],
    rows: dict[int, dict[str, Any]],
    save: _Saver,
    show: bool,
) -> None:
    from distributed import as_completed
    from tqdm.auto import tqdm

    link = getattr(client, "dashboard_link", None)
    if show and link:
        print(f"Dask dashboard: {link}", file=sys.stderr)
    # readable task names on the dashboard, unique per run (a scheduler remembers keys)
    run = uuid.uuid4().hex[:8]
    # the largest inputs first, so that no long video is left to run alone at the end
    futures = {
        client.submit(
            bj.run_job,
            jobs[i],
            key=f"geoverify-{Path(jobs[i].case_dir).name}-{run}",
            priority=_input_size(jobs[i].source),
        ): i
        for i in todo
    }
    bar = tqdm(total=len(futures), desc="batch", disable=not show, unit="source")
    try:
        for future in as_completed(futures):
            i = futures[future]
            rows[i] = _result_row(future, jobs[i])
            save(rows, report=False)
            bar.update(1)
    except KeyboardInterrupt:
        client.cancel(list(futures))
        for i in todo:
            rows.setdefault(i, jobs[i].row(status="cancelled", error="interrupted"))
        save(rows)
        raise
    finally:
        bar.close()


def _input_size(source: str) -> int:
    path = Path(source)
    try:
        if path.is_dir():
            return sum(p.stat().st_size for p in path.iterdir() if p.is_file())
        return path.stat().st_size
    except OSError:
        return 0


def _result_row(future: Any, job: bj.Job) -> dict[str, Any]:
    try:
        return dict(future.result())
    except Exception as exc:  # the task itself never raises: this is the worker dying
        from distributed import KilledWorker

        what = (
            "the worker running this source died, and again on the retry"
            if isinstance(exc, KilledWorker)
            else "the task failed outside the case"
        )
        return job.row(status="failed", error=f"{type(exc).__name__}: {what}: {exc}")


# --------------------------------------------------------------------------- output
def _table(jobs: list[bj.Job], rows: dict[int, dict[str, Any]]) -> pd.DataFrame:
    records = [rows.get(i) or job.row(status="pending") for i, job in enumerate(jobs)]
    table = pd.DataFrame.from_records(records, columns=bj.COLUMNS)
    for col in ("posterior", "claim_posterior", "seconds"):
        table[col] = pd.to_numeric(table[col], errors="coerce")
    for col in ("n_frames", "n_lines"):
        table[col] = pd.to_numeric(table[col], errors="coerce").astype("Int64")
    table["reused"] = table["reused"].fillna(False).astype(bool)
    for col in table.columns:
        if table[col].dtype == object:
            table[col] = table[col].astype("string")
    return table


class _Saver:
    """Writes the results tables and the batch report, each file atomically."""

    def __init__(self, out: Path, jobs: list[bj.Job], regions: str) -> None:
        from .regions import load_regions

        self.out, self.jobs = out, jobs
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "no polygons offline": the report says which data
            self.regions = load_regions(regions)

    def __call__(self, rows: dict[int, dict[str, Any]], report: bool = True) -> pd.DataFrame:
        """Write the tables (on every result) and, with ``report``, the page (at the end)."""
        from ._batch_report import render_batch_report
        from ._casefolder import csv_table

        table = _table(self.jobs, rows)
        with atomic_path(self.out / RESULTS_PARQUET) as tmp:
            table.to_parquet(tmp, index=False)
        write_text(self.out / RESULTS_CSV, csv_table(table))
        if report:
            write_text(self.out / REPORT, render_batch_report(table, self.regions))
        return table
