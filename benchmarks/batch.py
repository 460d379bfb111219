"""Batch throughput: gv.batch on a LocalCluster of 1 and 2 workers against a plain loop.

    nice .venv/bin/python benchmarks/batch.py [--engine auto] [--out benchmarks/results]

Inputs (11, from ../shared/data and the demo): the three sign photos of ``urdu-signs``, the two
prints of ``urdu-print``, the three photos of ``signs``, the two shared videos and the demo
video. Every source is one case with the claim "PoK".

In one run, each with a fresh cache folder and ``settings.ocr_cache = False`` (nothing read once
is reused by the next configuration):

- ``loop``: ``for s in sources: gv.Case([s], claim).run()``, in this process (the obvious
  baseline; torch and OpenCV use their default thread counts here); ``cores busy`` is its CPU
  time (Tesseract's child processes included) over its wall time;
- ``loop+save``: the same, each case saved as ``batch`` saves it (the same work as a batch);
- ``batch-1``, ``batch-2``: ``gv.batch(sources, claim, out=..., workers=N)``, the LocalCluster
  started and closed inside the timing; the case folders are saved too (the loop saves none);
- ``rerun-2``: the same ``gv.batch`` call again on the finished ``batch-2`` folder;
- ``loop, 1 thread``: the loop again with one thread for torch, OpenCV, OpenMP and
  onnxruntime, as each batch worker runs (last, since it cannot be undone in the process; the
  models are loaded again, CRAFT's ONNX export is in the cache).

``seconds in tasks``: the sum of the batch's per-case ``seconds``, the cases' own time in the
workers; the rest of a batch's wall time is the cluster's start, each worker's imports and model
loading, and the scheduling.

Memory per worker: the peak resident set of each worker process (``psutil``), read after the
batch by ``client.run``; and this process's for the loop. Writes ``OUT/batch.json`` and
``OUT/batch.md`` atomically, and prints the table. Skips (exit 0) without ../shared/data.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from _machine import cpu_model, ram_gib  # noqa: E402

SHARED = Path(os.environ.get("GEOVERIFY_SHARED", ROOT.parent / "shared")) / "data"
CLAIM = "PoK"


def sources() -> list[str]:
    from geoverify.demo import demo_video

    img = SHARED / "images"
    found = [*sorted((img / "urdu-signs").glob("*.jpg")), img / "urdu-print" / "1.jpg"]
    found.append(img / "urdu-print" / "2.png")
    found += sorted((img / "signs").glob("*.*g")) + sorted((SHARED / "video").glob("*.mp4"))
    return [str(p) for p in [*found, demo_video()]]


def fresh_settings(tmp: Path) -> None:
    import geoverify as gv

    gv.settings.cache_dir = tempfile.mkdtemp(dir=tmp, prefix="cache-")
    gv.settings.ocr_cache = False
    gv.settings.progress = False
    gv.settings.allow_downloads = False


def run_loop(srcs: list[str], engine: str, tmp: Path, out: Path | None) -> dict[str, Any]:
    """``Case.run()`` per source in this process; with ``out``, each case saved too."""
    import geoverify as gv

    fresh_settings(tmp)
    started, cpu0, failed = time.perf_counter(), _cpu_seconds(), 0
    for i, s in enumerate(srcs):
        try:
            case = gv.Case([s], claim=CLAIM, engine=engine).run(progress=False)
            if out is not None:
                case.save(out / f"case-{i}")
        except gv.GeoverifyError:
            failed += 1
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "failed": failed,
        "peak_rss_mib": [round(_peak_rss_mib())],
        "cores_busy": round((_cpu_seconds() - cpu0) / seconds, 2),
    }


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (Tesseract runs as a child)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def one_thread() -> None:
    """This process as a batch worker is set up: one thread for torch, OpenCV, OpenMP."""
    from geoverify import _batch_jobs as bj
    from geoverify.ocr import detect, scene

    bj.limit_threads()
    # the sessions loaded by the loops before were opened with every core: open them again
    detect._craft_reader.cache_clear()
    scene._urdu_reader.cache_clear()


def run_batch(srcs: list[str], engine: str, tmp: Path, out: Path, workers: int) -> dict[str, Any]:
    from distributed import Client

    import geoverify as gv
    from geoverify.batching import local_cluster

    fresh_settings(tmp)
    started = time.perf_counter()
    # the cluster batch() would start, kept open here only to read the workers' memory
    with local_cluster(workers, dashboard=False) as cluster, Client(cluster) as client:
        table = gv.batch(srcs, claim=CLAIM, out=out, client=client, engine=engine)
        seconds = time.perf_counter() - started
        peaks = client.run(_peak_rss_mib)
    return {
        "seconds": seconds,
        "failed": int((table["status"] != "ok").sum()),
        "reused": int(table["reused"].sum()),
        "peak_rss_mib": sorted(round(v) for v in peaks.values()),
        # the cases' own time in the workers: the rest is start-up and scheduling
        "task_seconds": round(float(table["seconds"].sum()), 1),
    }


def run_rerun(srcs: list[str], engine: str, out: Path) -> dict[str, Any]:
    import geoverify as gv

    started = time.perf_counter()
    table = gv.batch(srcs, claim=CLAIM, out=out, engine=engine, workers=2)
    return {
        "seconds": time.perf_counter() - started,
        "failed": int((table["status"] != "ok").sum()),
        "reused": int(table["reused"].sum()),
        "peak_rss_mib": [],
    }


def _peak_rss_mib() -> float:
    """This process's peak resident set (VmHWM: unlike ru_maxrss, not inherited from the
    parent that started the process)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def table_md(results: dict[str, dict[str, Any]], n: int) -> str:
    base = results["loop"]["seconds"]
    rows = [
        "| configuration | seconds | sources/min | vs loop | failed | reused | peak RSS per process (MiB) | cores busy | seconds in tasks |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for name, r in results.items():
        rows.append(
            f"| {name} | {r['seconds']:.1f} | {60 * n / r['seconds']:.1f} | "
            f"{base / r['seconds']:.2f}x | {r['failed']} | {r.get('reused', 0)} | "
            f"{', '.join(map(str, r['peak_rss_mib'])) or '-'} | {r.get('cores_busy', '-')} | "
            f"{r.get('task_seconds', '-')} |"
        )
    return "\n".join(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engine", default="auto")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    ap.add_argument("--note", default="")
    ap.add_argument("--limit", type=int, default=None, help="first N sources only (a smoke run)")
    args = ap.parse_args()
    if not SHARED.exists():
        print(f"skipped: no shared data at {SHARED}")
        return 0
    from geoverify._atomic import write_text

    srcs = sources()[: args.limit]
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="geoverify-bench-batch-") as tmp_name:
        tmp = Path(tmp_name)
        results["loop"] = run_loop(srcs, args.engine, tmp, None)
        results["loop+save"] = run_loop(srcs, args.engine, tmp, tmp / "loop")
        results["batch-1"] = run_batch(srcs, args.engine, tmp, tmp / "b1", 1)
        results["batch-2"] = run_batch(srcs, args.engine, tmp, tmp / "b2", 2)
        results["rerun-2"] = run_rerun(srcs, args.engine, tmp / "b2")
        one_thread()  # last: it cannot be undone in this process
        results["loop, 1 thread"] = run_loop(srcs, args.engine, tmp, None)
    first = results["batch-2"]["seconds"]
    machine = f"{cpu_model()}, {os.cpu_count()} cores, {ram_gib() or 0:.0f} GiB"
    summary = (
        f"{len(srcs)} sources, engine={args.engine}, on {machine}. "
        f"2 workers: {results['loop']['seconds'] / first:.2f}x the loop's sources per minute "
        f"({results['loop+save']['seconds'] / first:.2f}x the loop that saves each case, "
        f"{results['loop, 1 thread']['seconds'] / first:.2f}x the single-threaded loop); "
        f"the re-run took {100 * results['rerun-2']['seconds'] / first:.1f}% of the first run."
    )
    md = f"{table_md(results, len(srcs))}\n\n{summary}\n{args.note}\n"
    out = Path(args.out)
    write_text(out / "batch.md", md)
    write_text(
        out / "batch.json",
        json.dumps(
            {"sources": srcs, "engine": args.engine, "machine": machine, "results": results},
            indent=2,
        ),
    )
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
