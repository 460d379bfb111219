"""Command line: ``geoverify demo``, ``verify``, ``batch``, ``compare``, ``frames``, ``report``,
``data fetch``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from .exceptions import GeoverifyError


def _say(text: str, file: TextIO | None = None) -> None:
    """Print text that may hold outside material (titles, file names, OCR lines): control
    characters, terminal escape sequences among them, and bidi overrides are shown, not sent."""
    from ._escape import visible_controls

    print(visible_controls(text), file=file)


def _check_out(out: Path, force: bool) -> None:
    """Refuse early (before the slow stages) what saving would refuse at the end."""
    from ._atomic import check_replaceable
    from .case import not_a_case

    check_replaceable(out, overwrite=force, why_not_ours=not_a_case)


def _print_result(case: object, out: Path) -> None:
    from .case import Case

    assert isinstance(case, Case)
    from .report import footage_lines

    _say(case.summary())
    for line in footage_lines(case):
        _say(f"Same footage as: {line}")
    print()
    _say(f"Report: {out / 'report.html'}")
    _say(f"Map:    {out / 'map.html'}")


def cmd_demo(args: argparse.Namespace) -> int:
    from . import settings
    from .demo import demo_case

    # the demo is offline by design: region polygons only where already cached or in
    # GEOVERIFY_DATA_DIR, admin-1 codes otherwise
    settings.allow_downloads = False
    if args.prepare:
        from .demo import prepare_demo

        for what in prepare_demo():
            _say(f"ready: {what}")
        return 0
    out = Path(args.out)
    _check_out(out, args.force)
    case = demo_case().run(progress=not args.quiet)
    _print_result(case, case.save(out, overwrite=args.force))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from .case import Case

    out = Path(args.out)
    _check_out(out, args.force)
    case = Case(
        sources=args.inputs,
        claim=args.claim,
        title=args.title or f"Verification of {', '.join(args.inputs)}",
        languages=tuple(args.lang.split(",")),
        engine=args.engine,
        gazetteer=args.gazetteer,
        regions=args.regions,
        every=args.every,
        references=args.reference or [],
        media_dir=args.media_dir,
    )
    case.run(progress=not args.quiet)
    _print_result(case, case.save(out, overwrite=args.force))
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from .batching import RESULTS_CSV, batch

    out = Path(args.out)
    try:
        table = batch(
            args.sources,
            claim=args.claim,
            out=out,
            client=args.scheduler,
            workers=args.workers,
            progress=not args.quiet,
            languages=tuple(args.lang.split(",")),
            engine=args.engine,
            gazetteer=args.gazetteer,
            regions=args.regions,
            every=args.every,
        )
    except KeyboardInterrupt:
        _say(f"geoverify: interrupted; what finished is kept in {out / RESULTS_CSV}", sys.stderr)
        return 130
    for r in table.itertuples():
        what = f"{r.label} (best: {r.best_region}, {r.posterior:.2f})" if r.status == "ok" else ""
        _say(f"{r.status:9} {r.source}  {what or r.error}{'  [reused]' if r.reused else ''}")
    failed = int((table["status"] != "ok").sum())
    _say(f"{len(table) - failed} of {len(table)} sources done; {failed} failed")
    _say(f"Results: {out / RESULTS_CSV}\nReport:  {out / 'report.html'}")
    return 1 if failed else 0


def _local_video(source: str, media_dir: str | None) -> tuple[Path, dict[str, object] | None]:
    from .fetch import fetch_cached, is_url

    if not is_url(source):
        return Path(source), None
    got = fetch_cached(source, media_dir)
    return got.path, got.provenance


def cmd_compare(args: argparse.Namespace) -> int:
    from .clips import alignment_notes, find_clip, format_time

    clip, _ = _local_video(args.clip, args.media_dir)
    reference, origin = _local_video(args.reference, args.media_dir)
    table = find_clip(clip, reference, step=args.step)
    if origin:
        who = origin.get("uploader") or origin.get("channel") or "unknown uploader"
        _say(f"reference: {origin.get('title')} ({who}, uploaded {origin.get('upload_date')})")
    if table.empty:
        _say(f"{args.clip} was not found in {args.reference}")
        return 1
    for r in table.to_dict("records"):
        notes = "".join(f", {n}" for n in alignment_notes(r))
        _say(
            f"clip {format_time(r['clip_start'])}-{format_time(r['clip_end'])} = reference "
            f"{format_time(r['ref_start'])}-{format_time(r['ref_end'])} "
            f"(similarity {r['similarity']:.2f}{notes})"
        )
    return 0


def cmd_frames(args: argparse.Namespace) -> int:
    from ._atomic import check_replaceable
    from .frames import extract_frames, not_a_frames_folder

    out = Path(args.out)
    check_replaceable(out, overwrite=args.force, why_not_ours=not_a_frames_folder)
    fs = extract_frames(
        args.video,
        every=args.every,
        keyframes=not args.fixed,
        max_frames=args.max_frames,
        start=args.start,
        end=args.end,
        progress=not args.quiet,
    )
    manifest = fs.save(out, overwrite=args.force)
    info = fs.info
    decoded = info.get("frames_decoded")
    mode = "fixed sampling" if args.fixed else f"keyframes, {info.get('views', '?')} views"
    print(
        f"{len(fs)} frames from {args.video} ({decoded} decoded; {mode}) -> {out} "
        f"(manifest {manifest.name})"
    )
    if not args.quiet:
        for f in fs:
            _say(f"  {f.t:9.2f} s  {f.reason}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .case import Case

    # the whole folder is written again, manifest included, so it stays consistent
    case = Case.load(args.dir).run(progress=not args.quiet)
    folder = case.save(args.dir, overwrite=True)
    _say(case.summary())
    _say(f"Report: {folder / 'report.html'}")
    return 0


def cmd_data_fetch(args: argparse.Namespace) -> int:
    from .data import DATASETS, fetch

    names = args.names or [n for n in DATASETS if n.startswith("ne_")]
    for name in names:
        path = fetch(name, allow_download=True)
        print(f"{name}: {path}")
    return 0


def _add_demo(sub: Any) -> None:
    d = sub.add_parser("demo", help="run the bundled Kargil case end to end (offline)")
    d.add_argument("--out", default="demo-case", help="case folder to write (default: demo-case)")
    d.add_argument("--force", action="store_true", help="replace a non-empty --out folder")
    d.add_argument(
        "--prepare",
        action="store_true",
        help="only build what the demo needs once (its longer footage, the OCR models' "
        "exports) into the cache, and exit",
    )
    d.set_defaults(func=cmd_demo)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="geoverify", description="Verify where a photo or video was taken."
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    sub = p.add_subparsers(dest="command", required=True)

    _add_demo(sub)

    v = sub.add_parser("verify", help="test a claimed location for videos or images")
    v.add_argument("inputs", nargs="+", help="video files, images, folders or globs")
    v.add_argument("--claim", required=True, help="claimed region (alias: PoK, AJK, Ladakh, ...)")
    _case_arguments(v)
    v.add_argument("--title", default=None)
    v.add_argument("--out", required=True)
    v.add_argument("--force", action="store_true")
    v.add_argument(
        "--reference",
        action="append",
        help="a longer video (path or link) the sources may be cut from; repeatable",
    )
    v.add_argument("--media-dir", default=None, help="folder for media fetched from links")
    v.set_defaults(func=cmd_verify)

    b = sub.add_parser(
        "batch",
        help="one case per source, on Dask (a LocalCluster, or --scheduler)",
        description="Run one case per source and write out/results.csv, results.parquet, "
        "report.html and out/cases/. Sources: files, folders, globs, URLs, .txt lists, or a CSV "
        "with a source column and an optional claim column. Finished sources are reused on a "
        "re-run. Exit status 1 when a source failed, 130 when interrupted.",
    )
    b.add_argument("sources", nargs="+", help="files, folders, globs, URLs, .txt or .csv lists")
    b.add_argument("--claim", default=None, help="claimed region for every source")
    _case_arguments(b)
    b.add_argument("--out", required=True, help="batch folder")
    where = b.add_mutually_exclusive_group()
    where.add_argument("--scheduler", default=None, help="address of a running Dask scheduler")
    where.add_argument("--workers", type=int, default=None, help="LocalCluster worker processes")
    b.set_defaults(func=cmd_batch)

    c = sub.add_parser(
        "compare",
        help="where a clip sits inside a longer video",
        description="Locate CLIP (the re-upload) inside REFERENCE (the original), robust to "
        "re-encoding, rescaling, cropping, colour changes, a logo or caption, mirroring and "
        "another frame rate; either may be a link (fetched with yt-dlp). Exit status 1 when "
        "the clip is not in the reference.",
    )
    c.add_argument("clip")
    c.add_argument("reference")
    c.add_argument("--step", type=float, default=0.2, help="seconds between hashed frames")
    c.add_argument("--media-dir", default=None, help="folder for media fetched from links")
    c.set_defaults(func=cmd_compare)

    f = sub.add_parser(
        "frames",
        help="extract the frames worth reading from a video",
        description="Write the keyframes of a video (one per view, the sharpest) as PNG files "
        "with manifest.json (file sha256, frame times, frame sha256, why each was kept).",
    )
    f.add_argument("video")
    f.add_argument("--out", required=True, help="folder for the PNG files and manifest.json")
    f.add_argument(
        "--every",
        type=float,
        default=1.0,
        help="seconds: at most one new view per EVERY seconds within a shot "
        "(with --fixed: one frame every EVERY seconds); default 1",
    )
    f.add_argument("--fixed", action="store_true", help="fixed sampling instead of keyframes")
    f.add_argument("--max-frames", type=int, default=None, help="keep at most this many")
    f.add_argument(
        "--force", action="store_true", help="replace a frames folder written by geoverify"
    )
    f.add_argument("--start", type=float, default=None, help="start time, seconds")
    f.add_argument("--end", type=float, default=None, help="end time, seconds")
    f.set_defaults(func=cmd_frames)

    r = sub.add_parser(
        "report",
        help="re-run a saved case from its saved frames and write the folder again",
    )
    r.add_argument("dir")
    r.set_defaults(func=cmd_report)

    dt = sub.add_parser("data", help="published data (Natural Earth, GeoNames)")
    dsub = dt.add_subparsers(dest="data_command", required=True)
    fe = dsub.add_parser("fetch", help="download and cache published data for offline use")
    fe.add_argument("names", nargs="*", help="datasets (default: the Natural Earth layers)")
    fe.set_defaults(func=cmd_data_fetch)
    return p


def _case_arguments(p: argparse.ArgumentParser) -> None:
    """The case options that ``verify`` and ``batch`` share."""
    p.add_argument("--lang", default="ur,en", help="OCR languages (default ur,en)")
    p.add_argument(
        "--engine",
        default="auto",
        choices=["auto", "scene", "tesseract", "easyocr", "ensemble"],
        help="OCR engine (default auto: the scene-text pipeline, Tesseract without easyocr)",
    )
    p.add_argument("--gazetteer", default=None, help="gazetteer file or name (default: bundled)")
    p.add_argument(
        "--regions", default="auto", choices=["auto", "bundled", "naturalearth", "admin"]
    )
    p.add_argument("--every", type=float, default=1.0)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``geoverify`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.quiet:
        from . import settings

        settings.progress = False
    try:
        return int(args.func(args))
    except GeoverifyError as exc:
        _say(f"geoverify: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
