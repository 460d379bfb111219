"""A whole investigation: sources, claim, parameters, every stage's output, and provenance.

``Case.run()`` goes from the sources to a verdict; ``Case.save(dir)`` writes open formats
(JSON, CSV, GeoJSON, PNG, HTML) and a manifest of sha256 hashes; ``Case.load(dir)`` reads them
back and says what changed since.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import os
import platform
import shutil
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from . import _casefolder as cf
from . import settings
from ._atomic import PARTIAL_MARKER, replace_dir, write_bytes, write_text
from ._escape import html_text
from ._version import __version__
from .data import sha256_file
from .evidence import line_table
from .exceptions import (
    CaseChangedWarning,
    CaseFormatError,
    CaseVersionWarning,
    GeoverifyError,
    GeoverifyWarning,
    InputError,
    OptionError,
)
from .frames import Frame, FrameSet, as_frames, extract_frames, is_video_path, load_images
from .ocr.base import OCREngine
from .verify import Verdict

__all__ = ["Case"]


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _file_hashes(paths: Any) -> dict[str, str]:
    """sha256 of each entry that names an existing file (gazetteer sources)."""
    out = {}
    for p in paths:
        try:
            if isinstance(p, (str, os.PathLike)) and Path(p).is_file():
                out[str(p)] = sha256_file(p)
        except OSError:
            continue
    return out


def _ocr_model_files(engine_version: str) -> dict[str, str]:
    """sha256 of the model files the OCR engine used: the scene pipeline's (CRAFT, EasyOCR's
    English recogniser, geoverify's Urdu model) and Tesseract's."""
    import re

    files = []
    if "scene" in (engine_version or ""):
        from .ocr.scene import model_files

        files += model_files()
    m = re.search(r"models ([\w+]+)", engine_version or "")
    if m and (settings.tesseract_cmd or shutil.which("tesseract")):
        from .ocr.tesseract import model_files as tesseract_files

        files += tesseract_files(m.group(1).split("+"))
    return {str(p): sha256_file(p) for p in files if p.is_file()}


@dataclass
class Case:
    """One investigation.

    Parameters
    ----------
    sources
        Video files, images, folders or globs, or http(s) links: a link is fetched with
        :func:`geoverify.fetch_media` (into ``media_dir``, else the cache) and its provenance
        (uploader, upload date, title, retrieval time, sha256 of every file) goes into the
        case's provenance and report.
    claim
        The claimed location, as a region alias ("PoK", "Azad Kashmir", ...).
    title
        A title for the write-up.
    languages, engine
        OCR settings (see :func:`geoverify.read_text`). ``engine`` is a name or an engine
        object (:func:`geoverify.ocr.get_engine`); an object is saved as its name and
        :meth:`~geoverify.ocr.base.OCREngine.options`, so a loaded case rebuilds it.
    engine_options
        Keyword options for the engine named by ``engine`` (``{"psm": 6}``, ...).
    gazetteer
        A :class:`~geoverify.Gazetteer`, a path/name for :func:`geoverify.load_gazetteer`, or None
        for the bundled one.
    regions
        A source for :func:`geoverify.load_regions` (``"auto"``: polygons where available,
        else admin codes; ``"bundled"``, ``"admin"``, ``"naturalearth"``), or a regions table
        of your own (a GeoDataFrame with the ``id`` and ``geometry`` of regions of the
        hierarchy), which is saved in the case folder as ``regions.geojson``.
    alternatives
        Regions to compare the claim with (default: those the evidence touches).
    every, keyframes
        Frame extraction settings.
    kind_rules
        ``(regex, kind)`` pairs that set the evidence kind of matching lines. They override
        the captions :func:`geoverify.mark_captions` finds (title cards, burned-in labels).
    typed_evidence
        Extra lines typed by the investigator (strings or ``{"text", "kind"}`` dicts).
    notes
        Free text for the write-up.
    references
        Longer videos (paths or links) that a video source may be cut from: each video source
        is located in each with :func:`geoverify.find_clip`, and the report's "Same footage as"
        section names the reference, its upload provenance and the aligned segment.
    media_dir
        Folder for media fetched from links (default: ``media/`` in ``settings.cache_dir``,
        a folder per link; an earlier download whose sha256 still matches is reused).
    """

    sources: list[str]
    claim: str
    title: str = "Untitled case"
    languages: tuple[str, ...] = ("ur", "en")
    engine: str | OCREngine = "auto"
    gazetteer: Any = None
    regions: str | gpd.GeoDataFrame = "auto"
    alternatives: list[str] | None = None
    every: float = 1.0
    keyframes: bool = True
    kind_rules: list[tuple[str, str]] = field(default_factory=list)
    typed_evidence: list[Any] = field(default_factory=list)
    notes: str = ""
    references: list[str] = field(default_factory=list)
    media_dir: str | None = None
    engine_options: dict[str, Any] = field(default_factory=dict)

    # outputs
    frames: FrameSet | None = field(default=None, repr=False)
    texts: pd.DataFrame | None = field(default=None, repr=False)
    lines: pd.DataFrame | None = field(default=None, repr=False)
    candidates: gpd.GeoDataFrame | None = field(default=None, repr=False)
    verdict: Verdict | None = field(default=None, repr=False)
    region_table: gpd.GeoDataFrame | None = field(default=None, repr=False)
    provenance: dict[str, Any] = field(default_factory=dict, repr=False)
    #: Where the video sources sit inside the references: a dict per alignment found
    #: (``source, reference, clip_start, clip_end, ref_start, ref_end, similarity, mirrored,
    #: reference_provenance``); None until run.
    footage: list[dict[str, Any]] | None = field(default=None, repr=False)
    #: Provenance records of the sources and references fetched from links, by URL.
    fetched: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    #: Corrections made by hand (:func:`geoverify.review`): who, when (UTC), which line, which
    #: field, before, after and why; saved in case.json and shown in the reports.
    edits: list[dict[str, Any]] = field(default_factory=list, repr=False)
    #: The folder a loaded case came from: a re-run reads the frames saved there, never the
    #: sources recorded in its case.json (which could name any file on this machine).
    folder: Path | None = field(default=None, repr=False)
    #: The verdict as a loaded case folder saved it (verdict.json), beside any new run's.
    saved_verdict: dict[str, Any] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.sources, (str, os.PathLike)):
            self.sources = [os.fspath(self.sources)]
        self.sources = [os.fspath(s) for s in self.sources]
        if isinstance(self.references, (str, os.PathLike)):
            self.references = [os.fspath(self.references)]
        self.references = [os.fspath(r) for r in self.references]
        self.languages = tuple(self.languages)
        from .regions import region

        region(self.claim)  # fail early on an unknown claim alias
        if not isinstance(self.engine, (str, OCREngine)):
            raise OptionError(
                f"engine must be a name or an OCR engine, got {type(self.engine).__name__}"
            )
        if isinstance(self.engine, OCREngine) and self.engine_options:
            raise OptionError("engine_options go with an engine name; this engine is built")
        if not isinstance(self.regions, (str, pd.DataFrame)):
            raise OptionError(
                f"regions must be a source name or a regions table, got {type(self.regions).__name__}"
            )
        if isinstance(self.regions, pd.DataFrame) and "id" not in self.regions.columns:
            raise OptionError("a regions table needs an 'id' column (see geoverify.load_regions)")

    # ------------------------------------------------------------------ running
    def _load_frames(self, progress: bool | None = None) -> FrameSet:
        if self.folder is not None:
            return _saved_frames(self.folder)
        frames: list[Any] = []
        for s in self.sources:
            p = self._local(s)
            if not p.exists() and not any(ch in str(p) for ch in "*?["):
                raise InputError(f"{s}: no such file")
            if is_video_path(p):
                frames.extend(
                    extract_frames(p, every=self.every, keyframes=self.keyframes, progress=progress)
                )
            else:
                frames.extend(load_images(p))
        return as_frames(frames) if frames else FrameSet([])

    def _local(self, source: str) -> Path:
        """The local path of a source or reference: a link is fetched (or found in the cache)."""
        from .fetch import fetch_cached, is_url

        if not is_url(source):
            return Path(source)
        got = fetch_cached(source, self.media_dir)
        self.fetched[source] = {**got.provenance, "path": str(got.path)}
        return got.path

    def _find_footage(self) -> list[dict[str, Any]]:
        """Each video source located in each reference (the best alignment of each pair)."""
        from .clips import find_clip
        from .fetch import read_provenance

        found = []
        videos = [s for s in self.sources if is_video_path(self._local(s))]
        for ref in self.references:
            ref_path = self._local(ref)
            ref_prov = self.fetched.get(ref) or read_provenance(ref_path) or {}
            for src in videos:
                table = find_clip(self._local(src), ref_path)
                if len(table):
                    best = table.iloc[0]
                    found.append(
                        {
                            "source": src,
                            "reference": ref,
                            "reference_sha256": sha256_file(ref_path),
                            **{k: _plain_value(best[k]) for k in table.columns},
                            "reference_provenance": ref_prov,
                        }
                    )
        return found

    def run(self, progress: bool | None = None) -> Case:
        """Run every stage: frames, OCR, merging, place matching, the verdict.

        The edits by hand in :attr:`edits` (see :func:`geoverify.review`) are applied again to
        what is read anew, by line key; a :class:`~geoverify.GeoverifyWarning` names those that
        no longer apply.

        Returns
        -------
        Case
            ``self``, with ``frames, texts, lines, candidates, verdict`` filled in.
        """
        from tqdm.auto import tqdm

        from .evidence import apply_kind_rules, mark_captions, match_places
        from .gazetteer import Gazetteer, load_gazetteer
        from .ocr import read_text
        from .regions import load_regions
        from .verify import test_claim

        show = settings.progress if progress is None else progress
        steps = tqdm(total=6, desc="case", disable=not show, leave=False)
        started = _now()
        gaz = (
            self.gazetteer
            if isinstance(self.gazetteer, Gazetteer)
            else load_gazetteer(self.gazetteer)
        )
        self.frames = self._load_frames(show)
        if not len(self.frames) and (self.sources or not self.typed_evidence):
            steps.close()
            what = ", ".join(self.sources[:5]) or "no sources and no typed evidence"
            where = f" (saved frames of {self.folder})" if self.folder is not None else ""
            raise InputError(f"no readable frame in {what}{where}: nothing to read, so no verdict")
        steps.update(1)
        self.texts = (
            read_text(
                self.frames,
                languages=self.languages,
                engine=self.engine,
                progress=show,
                **self._engine_keywords(gaz),
            )
            if len(self.frames)
            else pd.DataFrame(
                columns=[
                    "frame",
                    "t",
                    "text",
                    "text_norm",
                    "script",
                    "confidence",
                    "x0",
                    "y0",
                    "x1",
                    "y1",
                    "engine",
                ]
            )
        )
        # captions first: the case's kind rules, then edits by hand, override what they find
        self.texts = mark_captions(self.texts, self.frames)
        steps.update(1)
        lines = self.texts.copy()
        if self.kind_rules:
            lines = apply_kind_rules(lines, self.kind_rules)
        if self.typed_evidence:
            typed = pd.DataFrame(
                [t if isinstance(t, dict) else {"text": t} for t in self.typed_evidence]
            )
            typed["engine"] = "typed"
            lines = pd.concat([lines, typed], ignore_index=True)
        self.lines = lines
        self.candidates = match_places(lines, gaz)
        steps.update(1)
        with warnings.catch_warnings():
            warnings.simplefilter(
                "ignore"
            )  # "no polygons offline" is recorded in the verdict instead
            self.region_table = (
                load_regions(self.regions) if isinstance(self.regions, str) else self.regions
            )
        steps.update(1)
        if self.edits:  # the corrections made by hand, applied again to what was read anew
            self._replay_edits(gaz)
        self.verdict = test_claim(
            self.candidates, self.claim, regions=self.region_table, alternatives=self.alternatives
        )
        steps.update(1)
        if self.references and self.folder is None:
            self.footage = self._find_footage()
        steps.update(1)
        steps.close()
        self.provenance = self._provenance(gaz, started)
        return self

    def _engine_keywords(self, gaz: Any) -> dict[str, Any]:
        """The keyword options of the OCR engine: the case's, and its gazetteer as lexicon."""
        if isinstance(self.engine, OCREngine):
            return {}  # an engine object is read as it was built
        if "lexicon" in self.engine_options:
            return dict(self.engine_options)
        return {**self.engine_options, **_lexicon_option(self.engine, self.languages, gaz)}

    def _replay_edits(self, gaz: Any) -> None:
        from .review import Review

        assert self.candidates is not None
        review = Review(self.candidates, self.claim, gazetteer=gaz, regions=self.region_table)
        missed = review.replay(self.edits)
        self.candidates = review.result
        if missed:
            warnings.warn(
                f"{self.title}: {len(missed)} of {len(self.edits)} edits by hand no longer "
                "apply to what was read:\n  " + "\n  ".join(missed[:10]),
                GeoverifyWarning,
                stacklevel=3,
            )

    def _provenance(self, gaz: Any, started: str) -> dict[str, Any]:
        from importlib.metadata import version

        inputs: list[dict[str, Any]] = []
        seen = set()
        if self.frames is not None:
            for f in self.frames:
                if f.source in seen:
                    continue
                seen.add(f.source)
                inputs.append({"path": f.source, "sha256": f.source_sha256})
                origin = next((r for r in self.fetched.values() if r.get("path") == f.source), None)
                if origin is not None:
                    inputs[-1]["fetched"] = origin
        versions = {"geoverify": __version__, "python": platform.python_version()}
        for pkg in (
            "numpy",
            "pandas",
            "geopandas",
            "shapely",
            "pyproj",
            "av",
            "Pillow",
            "pytesseract",
            "rapidfuzz",
            "folium",
            "easyocr",
            "torch",
        ):
            try:
                versions[pkg] = version(pkg)
            except Exception:
                continue
        eng = self.texts.attrs.get("engine_version") if self.texts is not None else None
        region_files = (
            self.region_table.attrs.get("files", {}) if self.region_table is not None else {}
        )
        return {
            "created": _now(),
            "started": started,
            "inputs": inputs,
            "urls": [s for s in self.sources if s.startswith(("http://", "https://"))],
            "fetched": self.fetched,
            "same_footage": self.footage,
            "ocr_engine": self.texts.attrs.get("engine") if self.texts is not None else None,
            "ocr_engine_version": eng,
            "ocr_params": self.texts.attrs.get("engine_params") if self.texts is not None else None,
            "gazetteer": {
                "name": getattr(gaz, "name", str(gaz)),
                "places": len(gaz),
                "sources": list(getattr(gaz, "sources", [])),
                "files": _file_hashes(getattr(gaz, "sources", [])),
            },
            "ocr_models": _ocr_model_files(
                self.texts.attrs.get("engine_version", "") if self.texts is not None else ""
            ),
            "regions": {
                "source": self.region_table.attrs.get("source")
                if self.region_table is not None
                else None,
                "files": region_files,
            },
            "versions": versions,
            "platform": platform.platform(),
        }

    # ------------------------------------------------------------------ params
    def params(self) -> dict[str, Any]:
        """The case's definition (what :meth:`load` needs to run it again)."""
        return {
            "title": self.title,
            "claim": self.claim,
            "sources": self.sources,
            "languages": list(self.languages),
            "engine": self.engine.name if isinstance(self.engine, OCREngine) else self.engine,
            "engine_options": self.engine.options()
            if isinstance(self.engine, OCREngine)
            else self.engine_options,
            "gazetteer": self.gazetteer
            if isinstance(self.gazetteer, (str, type(None)))
            else getattr(self.gazetteer, "name", "custom"),
            # a table of the caller's own is saved beside case.json (regions.geojson)
            "regions": self.regions if isinstance(self.regions, str) else "table",
            "alternatives": self.alternatives,
            "every": self.every,
            "keyframes": self.keyframes,
            "kind_rules": [list(r) for r in self.kind_rules],
            "typed_evidence": self.typed_evidence,
            "notes": self.notes,
            "references": self.references,
        }

    # ------------------------------------------------------------------ saving
    def save(self, directory: str | os.PathLike[str], overwrite: bool = False) -> Path:
        """Write the case folder: ``case.json, manifest.json, text.csv, lines.csv (every
        evidence line, with or without a candidate, by its key), candidates.geojson,
        verdict.json, frames/, map.html, map.png (the static figure), report.html, report.md``
        (and ``regions.geojson`` when the case was given a regions table).

        The folder is assembled beside the target and moved into place, so a reader never sees
        half a case, and a save killed part way leaves nothing that the next save keeps.

        Parameters
        ----------
        directory
            The case folder.
        overwrite
            Replace an existing case folder. Only a folder geoverify wrote (its manifest lists
            every file in it) is ever replaced.

        Raises
        ------
        OutputExistsError
            The folder exists and is not empty and ``overwrite`` is false; or it is not a
            geoverify case folder, or holds files geoverify did not write (they would be lost).
        """
        if self.verdict is None:
            self.run()
        return replace_dir(directory, self._write, overwrite=overwrite, why_not_ours=not_a_case)

    def _write(self, folder: Path) -> None:
        from .report import case_figure, case_map_page, render_html, render_markdown

        assert self.verdict is not None and self.candidates is not None
        frames_dir = folder / "frames"
        if self.frames is not None and len(self.frames):
            used = (
                set(self.candidates["frame"].dropna().astype(int))
                if "frame" in self.candidates
                else set()
            )
            keep = [f for f in self.frames if f.index in used] or list(self.frames)
            FrameSet(keep, source=self.frames.source, info=self.frames.info).save(frames_dir)
        write_text(
            folder / "case.json",
            json.dumps(
                {
                    "format": cf.CASE_FORMAT,
                    "geoverify": __version__,
                    "params": self.params(),
                    "provenance": self.provenance,
                    "edits": self.edits,
                },
                indent=2,
                ensure_ascii=False,
                default=str,
            ),
        )
        if self.texts is not None:
            write_text(folder / "text.csv", cf.csv_table(self.texts))
        if isinstance(self.regions, pd.DataFrame):
            write_text(folder / "regions.geojson", _regions_geojson(self.regions))
        write_text(folder / "lines.csv", cf.csv_table(line_table(self.candidates)))
        cands = self.candidates.copy()
        for col in cands.columns:
            if cands[col].dtype == object:
                cands[col] = cands[col].map(
                    lambda v: (
                        json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
                    )
                )
        write_text(
            folder / "candidates.geojson",
            cands.to_json(ensure_ascii=False, drop_id=True)
            if len(cands)
            else json.dumps({"type": "FeatureCollection", "features": []}),
        )
        write_text(
            folder / "verdict.json",
            json.dumps(self.verdict.to_dict(), indent=2, ensure_ascii=False, default=str),
        )
        page = case_map_page(self)
        write_text(folder / "map.html", page)
        figure = case_figure(self)
        write_bytes(folder / "map.png", figure)
        write_text(folder / "report.html", render_html(self, page, figure))
        write_text(folder / "report.md", render_markdown(self))
        files = sorted(
            p
            for p in folder.rglob("*")
            if p.is_file() and p.relative_to(folder).as_posix() not in _UNLISTED
        )
        manifest = {
            "format": cf.CASE_FORMAT,
            "geoverify": __version__,
            "created": _now(),
            "inputs": self.provenance.get("inputs", []),
            "regions": self.provenance.get("regions"),  # which data drew the regions
            "files": {str(p.relative_to(folder)): sha256_file(p) for p in files},
        }
        write_text(folder / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))

    def map_page(self) -> str:
        """The case's map as one self-contained HTML page (what map.html holds; drawn by
        `report.case_map_page`, the one place that draws a case's map)."""
        from .report import case_map_page

        return case_map_page(self)

    @classmethod
    def load(cls, directory: str | os.PathLike[str], *, check_inputs: bool = False) -> Case:
        """Read a saved case folder, treated as untrusted input.

        Only regular files inside the folder are read, each of bounded size; nothing the folder
        names outside itself is opened. A re-run (:meth:`run`) of the loaded case reads the
        frames saved in its ``frames/`` folder, not the sources its case.json records.

        Parameters
        ----------
        directory
            The case folder.
        check_inputs
            Also hash the input files the manifest names (outside the folder). Off by default:
            on a received folder, that would tell its sender whether given files exist here.

        Returns
        -------
        Case
            With ``texts``, ``candidates`` and ``saved_verdict`` as saved.

        Raises
        ------
        CaseFormatError
            Anything malformed or crafted: no case.json, invalid JSON, wrong types, paths
            outside the folder, links, FIFOs or devices, oversized files, a case format
            this version cannot read. Files that differ from the manifest give a
            :class:`~geoverify.exceptions.CaseChangedWarning`; a folder written by another
            geoverify version, a :class:`~geoverify.exceptions.CaseVersionWarning`.
        """
        folder = Path(directory)
        if not folder.is_dir():
            raise CaseFormatError(f"{folder}: not a folder")
        if cf.regular_file(folder / "case.json") is None:
            raise CaseFormatError(f"{folder}: not a geoverify case folder (no case.json)")
        meta = cf.read_json(folder / "case.json")
        fmt = cf.check_format(folder / "case.json", meta)
        params = cf.case_params(meta)
        params["gazetteer"] = _received_gazetteer(folder, params["gazetteer"])
        if params["regions"] == "table":
            params["regions"] = _received_regions(folder)
        try:
            case = cls(**params)
        except GeoverifyError as exc:
            raise CaseFormatError(f"{folder}/case.json: {exc}") from exc
        case.folder = folder
        provenance = meta.get("provenance", {})
        case.provenance = provenance if isinstance(provenance, dict) else {}
        case.footage = _saved_footage(case.provenance)
        fetched = case.provenance.get("fetched")
        if isinstance(fetched, dict):
            case.fetched = {str(k): v for k, v in fetched.items() if isinstance(v, dict)}
        case.edits = cf.case_edits(meta)
        writer = meta.get("geoverify")
        if fmt != cf.CASE_FORMAT or writer != __version__:
            warnings.warn(
                f"{folder}: written by geoverify {str(writer)[:40]} (case format {fmt}); this is "
                f"geoverify {__version__} (format {cf.CASE_FORMAT}): a re-run may differ",
                CaseVersionWarning,
                stacklevel=2,
            )
        problems = case.check(folder, check_inputs=check_inputs)
        if problems:
            warnings.warn(
                f"{folder}: the case changed since it was saved:\n  " + "\n  ".join(problems),
                CaseChangedWarning,
                stacklevel=2,
            )
        if cf.regular_file(folder / "text.csv"):
            case.texts = cf.read_table(folder / "text.csv")
        if cf.regular_file(folder / "candidates.geojson"):
            case.candidates = cf.read_geojson(folder / "candidates.geojson")
            if cf.regular_file(folder / "lines.csv"):  # every line, also those with no place
                lines = cf.read_table(folder / "lines.csv")
                case.candidates.attrs["items"] = lines.to_dict("records")
        if cf.regular_file(folder / "verdict.json"):
            case.saved_verdict = cf.read_json(folder / "verdict.json")
        return case

    def check(self, directory: str | os.PathLike[str], *, check_inputs: bool = False) -> list[str]:
        """What differs between a case folder and its manifest (and, with ``check_inputs``,
        the input files the manifest names).

        Raises
        ------
        CaseFormatError
            The manifest is malformed or names paths outside the folder.
        """
        folder = Path(directory)
        if cf.regular_file(folder / "manifest.json") is None:
            return ["manifest.json is missing"]
        manifest = cf.read_json(folder / "manifest.json")
        cf.check_format(folder / "manifest.json", manifest)
        problems: list[str] = []
        for path, digest in cf.manifest_files(folder, manifest).items():
            rel = path.relative_to(folder).as_posix()
            st = cf.regular_file(path)
            if st is None:
                problems.append(f"{rel}: missing, or not a regular file")
            elif st.st_size > cf.MAX_HASHED_BYTES:
                problems.append(f"{rel}: {st.st_size:,} bytes, too large to check")
            elif cf.sha256(path) != digest:
                problems.append(f"{rel}: altered (sha256 differs from the manifest)")
        inputs = manifest.get("inputs", [])
        if check_inputs and isinstance(inputs, list):
            problems += _input_problems(inputs)
        return problems

    # ------------------------------------------------------------------ reports
    def to_html(self, path: str | os.PathLike[str]) -> Path:
        """Write the self-contained HTML report (atomically)."""
        from .report import render_html

        if self.verdict is None:
            self.run()
        return write_text(path, render_html(self))

    def to_markdown(self, path: str | os.PathLike[str]) -> Path:
        """Write the Markdown write-up."""
        from .report import render_markdown

        if self.verdict is None:
            self.run()
        return write_text(path, render_markdown(self))

    def summary(self) -> str:
        """One paragraph: what was read, what it matched, and the verdict."""
        if self.verdict is None:
            return f"Case '{self.title}': not run yet."
        v = self.verdict
        n_frames = len(self.frames) if self.frames is not None else 0
        n_lines = len(self.texts) if self.texts is not None else 0
        n_items = int((v.evidence["n_candidates"] > 0).sum()) if len(v.evidence) else 0
        p = v.posterior
        clusters = ""
        if len(v.clusters):
            k = v.clusters.iloc[0]
            clusters = (
                f" {int(k.n_independent)} independent names ({int(k.n_items)} lines) co-locate around "
                f"{k.place_names}."
            )
        return (
            f"{self.title}: read {n_lines} lines of text in {n_frames} frames; {n_items} lines matched "
            f"gazetteer places.{clusters} The claim '{self.claim}' ({v.claim_name}) is {v.label.upper()}: "
            f"the most probable location is {v.best_region_name} (posterior {p[v.best_region]:.2f}; claim "
            f"{p[v.claim]:.2f})."
        )

    def __repr__(self) -> str:
        # short: the dataclass dump of every field and table is of no use in a notebook
        state = self.verdict.label if self.verdict is not None else "not run"
        n = len(self.sources)
        return (
            f"Case({self.title[:60]!r}, claim={self.claim!r}, "
            f"{n} source{'s' if n != 1 else ''}, {state})"
        )

    def _counts(self) -> dict[str, int]:
        items = line_table(self.candidates) if self.candidates is not None else None
        matched = (
            int((items["n_candidates"] > 0).sum())
            if items is not None and "n_candidates" in items
            else int(self.candidates["item"].nunique())
            if self.candidates is not None and len(self.candidates)
            else 0
        )
        return {
            "frames": len(self.frames) if self.frames is not None else 0,
            "lines read": len(self.texts) if self.texts is not None else 0,
            "lines naming a place": matched,
            "candidate places": len(self.candidates) if self.candidates is not None else 0,
            "edits by hand": len(self.edits),
        }

    def _repr_html_(self) -> str:
        from .report import verdict_badge

        names = [Path(s).name or s for s in self.sources]
        shown = ", ".join(html_text(n) for n in names[:5]) + (
            f" and {len(names) - 5} more" if len(names) > 5 else ""
        )
        counts = " · ".join(f"{v} {html_text(k)}" for k, v in self._counts().items())
        head = (
            "<div style='font-family:sans-serif;border:1px solid #ccc;border-radius:6px;"
            "padding:.6em 1em;max-width:60em'>"
            f"<div style='font-size:1.15em'><b>{html_text(self.title)}</b></div>"
            f"<div>claim: <b>{html_text(self.claim)}</b> · sources: {shown or 'none'}</div>"
        )
        if self.verdict is None:
            return head + "<div><i>not run yet</i> (<code>case.run()</code>)</div></div>"
        v = self.verdict
        p = v.posterior
        return (
            head + f"<div style='margin:.4em 0'>{verdict_badge(v.label)} best: "
            f"<b>{html_text(v.best_region_name)}</b> ({p[v.best_region]:.2f}); claim "
            f"{p[v.claim]:.2f}</div><div style='color:#555'>{counts}</div>"
            f"<details><summary>verdict and explanation</summary>{v._repr_html_()}</details></div>"
        )


#: Files of a case folder that its manifest does not list: the manifest itself, and the marker
#: of a folder still being assembled.
_UNLISTED = {"manifest.json", PARTIAL_MARKER}


def _plain_value(v: Any) -> Any:
    """A table cell as a plain JSON value (numpy scalars are not)."""
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer, np.floating)):
        return float(v)
    return v


def _saved_footage(provenance: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The alignments a saved case found (its references are not re-read: they lie outside
    the folder); only well-formed entries, as data."""
    saved = provenance.get("same_footage")
    if not isinstance(saved, list):
        return None
    from .clips import _seconds

    keys = ("clip_start", "clip_end", "ref_start", "ref_end", "similarity")
    return [
        e
        for e in saved[: cf.MAX_MANIFEST_ENTRIES]
        if isinstance(e, dict) and all(_seconds(e.get(k)) is not None for k in keys)
    ]


def _regions_geojson(regions: pd.DataFrame) -> str:
    """A regions table as GeoJSON: its ids, names and polygons (the columns a case reads back)."""
    keep = [c for c in ("id", "name", "parent") if c in regions.columns]
    table = gpd.GeoDataFrame(regions[keep], geometry=gpd.GeoSeries(regions.geometry))
    crs = getattr(regions, "crs", None)
    table = table.set_crs(crs or "EPSG:4326").to_crs(
        "EPSG:4326"
    )  # no CRS: lon/lat, as test_claim reads it
    return str(table.to_json(ensure_ascii=False, drop_id=True))


def _received_regions(folder: Path) -> gpd.GeoDataFrame:
    """The regions table a case was run with, from its folder's regions.geojson."""
    path = folder / "regions.geojson"
    if cf.regular_file(path) is None:
        raise CaseFormatError(
            f"{folder}/case.json: regions are 'table' but there is no {path.name}"
        )
    table = cf.read_geojson(path)
    if "id" not in table.columns or not len(table):
        raise CaseFormatError(f"{path}: a regions table needs rows with an 'id'")
    table["id"] = table["id"].astype(str)
    table.attrs["source"] = f"regions table saved with the case ({path.name})"
    return table


def _lexicon_option(engine: str, languages: Sequence[str], gaz: Any) -> dict[str, Any]:
    """Urdu lines are decoded towards the case gazetteer's names, where the engine can."""
    from .ocr import resolve_engine_name

    if resolve_engine_name(engine, languages) not in ("scene", "ensemble"):
        return {}
    from .ocr.scene import arabic_names

    return {"lexicon": arabic_names(gaz)}


def not_a_case(folder: Path) -> str | None:
    """Why ``folder`` is not a case folder that :meth:`Case.save` may replace, or None."""
    try:
        manifest = cf.read_json(folder / "manifest.json")
        listed = {p.relative_to(folder).as_posix() for p in cf.manifest_files(folder, manifest)}
    except CaseFormatError as exc:
        return (
            f"it is not a geoverify case folder ({exc}); geoverify replaces only folders it wrote"
        )
    if "geoverify" not in manifest:
        return "its manifest.json is not a geoverify case manifest"
    others = sorted(
        rel
        for p in folder.rglob("*")
        if not p.is_dir() and (rel := p.relative_to(folder).as_posix()) not in listed | _UNLISTED
    )
    if others:
        shown = ", ".join(others[:5]) + (" ..." if len(others) > 5 else "")
        return f"it holds files geoverify did not write ({shown}); move them out first"
    return None


def _received_gazetteer(folder: Path, name: str | None) -> str | None:
    """The gazetteer a loaded case may use: a published name, never a file path it names."""
    if name is None or name == "bundled" or name.startswith("geonames:"):
        return name
    warnings.warn(
        f"{folder}/case.json names the gazetteer {name[:200]!r}, a file outside the case "
        "folder; the bundled gazetteer is used instead (pass gazetteer= to choose)",
        CaseChangedWarning,
        stacklevel=3,
    )
    return None


def _input_problems(inputs: list[Any]) -> list[str]:
    problems = []
    for inp in inputs[: cf.MAX_MANIFEST_ENTRIES]:
        if not isinstance(inp, dict):
            continue
        path, digest = inp.get("path"), inp.get("sha256")
        if not isinstance(path, str) or not isinstance(digest, str):
            continue
        st = cf.regular_file(Path(path))
        if st is None:
            problems.append(f"input {path}: not found here (or not a regular file)")
        elif st.st_size <= cf.MAX_HASHED_BYTES and cf.sha256(Path(path)) != digest:
            problems.append(f"input {path}: changed (sha256 differs)")
    return problems


def _saved_frames(folder: Path) -> FrameSet:
    """The frames saved in a case folder's ``frames/``, read as untrusted files."""
    from PIL import Image

    from .exceptions import ImageTooLargeError

    frames = []
    for path, entry in cf.frame_entries(folder):
        data = cf.read_bytes(path, cf.MAX_FRAME_BYTES)
        try:
            with Image.open(io.BytesIO(data)) as im:
                if im.width * im.height > settings.max_image_pixels:
                    raise ImageTooLargeError(
                        f"{path}: {im.width}x{im.height} pixels exceeds settings.max_image_pixels"
                    )
                image = np.asarray(im.convert("RGB"))
        except (OSError, Image.DecompressionBombError) as exc:
            raise CaseFormatError(f"{path}: not a readable PNG ({exc})") from exc
        frames.append(
            Frame(
                image=image,
                t=None if entry.get("t") is None else float(entry["t"]),
                source=str(entry.get("source", path))[:1000],
                reason=f"saved frame {path.name}",
            )
        )
    return FrameSet(frames, source=str(folder / "frames"))
