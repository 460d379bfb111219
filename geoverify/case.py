"""A whole investigation: sources, claim, parameters, every stage's output, and provenance.

``Case.run()`` goes from the sources to a verdict; ``Case.save(dir)`` writes open formats
(JSON, CSV, GeoJSON, PNG, HTML) and a manifest of sha256 hashes; ``Case.load(dir)`` reads them
back and says what changed since.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from . import __version__, settings
from ._atomic import public_mode, write_text
from .data import sha256_file
from .exceptions import CaseChangedWarning, InputError, OutputExistsError
from .frames import FrameSet, as_frames, extract_frames, load_images
from .verify import Verdict

__all__ = ["Case"]

_VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v", ".ts", ".3gp"}


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
    """sha256 of the Tesseract model files the engine used (from ``tesseract --list-langs``)."""
    import re
    import shutil
    import subprocess

    m = re.search(r"models ([\w+]+)", engine_version or "")
    cmd = settings.tesseract_cmd or shutil.which("tesseract")
    if not m or not cmd:
        return {}
    try:
        out = subprocess.run(
            [cmd, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return {}
    head = (out.stdout or out.stderr).splitlines()[:1]
    folder = re.search(r'"([^"]+)"', head[0]) if head else None
    if not folder:
        return {}
    hashes = {}
    for model in m.group(1).split("+"):
        for candidate in (
            Path(folder.group(1)) / f"{model}.traineddata",
            Path(folder.group(1)) / "script" / f"{model}.traineddata",
        ):
            if candidate.exists():
                hashes[str(candidate)] = sha256_file(candidate)
                break
    return hashes


@dataclass
class Case:
    """One investigation.

    Parameters
    ----------
    sources
        Video files, images, folders or globs, as given (URLs are recorded but not fetched).
    claim
        The claimed location, as a region alias ("PoK", "Azad Kashmir", ...).
    title
        A title for the write-up.
    languages, engine
        OCR settings (see :func:`geoverify.read_text`).
    gazetteer
        A :class:`~geoverify.Gazetteer`, a path/name for :func:`geoverify.load_gazetteer`, or None
        for the bundled one.
    regions
        ``"auto"`` (polygons where available, else admin codes), ``"admin"``, ``"naturalearth"``.
    alternatives
        Regions to compare the claim with (default: those the evidence touches).
    every, keyframes
        Frame extraction settings.
    kind_rules
        ``(regex, kind)`` pairs that set the evidence kind of matching lines (e.g. a title card
        added by the uploader is a ``caption``).
    typed_evidence
        Extra lines typed by the investigator (strings or ``{"text", "kind"}`` dicts).
    notes
        Free text for the write-up.
    """

    sources: list[str]
    claim: str
    title: str = "Untitled case"
    languages: tuple[str, ...] = ("ur", "en")
    engine: str = "tesseract"
    gazetteer: Any = None
    regions: str = "auto"
    alternatives: list[str] | None = None
    every: float = 1.0
    keyframes: bool = True
    kind_rules: list[tuple[str, str]] = field(default_factory=list)
    typed_evidence: list[Any] = field(default_factory=list)
    notes: str = ""

    # outputs
    frames: FrameSet | None = field(default=None, repr=False)
    texts: pd.DataFrame | None = field(default=None, repr=False)
    lines: pd.DataFrame | None = field(default=None, repr=False)
    candidates: gpd.GeoDataFrame | None = field(default=None, repr=False)
    verdict: Verdict | None = field(default=None, repr=False)
    region_table: gpd.GeoDataFrame | None = field(default=None, repr=False)
    provenance: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.sources, (str, os.PathLike)):
            self.sources = [os.fspath(self.sources)]
        self.sources = [os.fspath(s) for s in self.sources]
        self.languages = tuple(self.languages)
        from .regions import region

        region(self.claim)  # fail early on an unknown claim alias

    # ------------------------------------------------------------------ running
    def _load_frames(self, progress: bool | None = None) -> FrameSet:
        frames: list[Any] = []
        for s in self.sources:
            if s.startswith(("http://", "https://")):
                warnings.warn(
                    f"{s}: URLs are recorded, not downloaded; download the file and add its path",
                    stacklevel=3,
                )
                continue
            p = Path(s)
            if p.suffix.lower() in _VIDEO_SUFFIXES:
                frames.extend(
                    extract_frames(p, every=self.every, keyframes=self.keyframes, progress=progress)
                )
            elif p.exists() or any(ch in s for ch in "*?["):
                frames.extend(load_images(s))
            else:
                raise InputError(f"{s}: no such file")
        return as_frames(frames) if frames else FrameSet([])

    def run(self, progress: bool | None = None) -> Case:
        """Run every stage: frames, OCR, merging, place matching, the verdict.

        Returns
        -------
        Case
            ``self``, with ``frames, texts, lines, candidates, verdict`` filled in.
        """
        from tqdm.auto import tqdm

        from .evidence import apply_kind_rules, match_places
        from .gazetteer import Gazetteer, load_gazetteer
        from .ocr import read_text
        from .regions import load_regions
        from .verify import test_claim

        show = settings.progress if progress is None else progress
        steps = tqdm(total=5, desc="case", disable=not show, leave=False)
        started = _now()
        self.frames = self._load_frames(show)
        steps.update(1)
        self.texts = (
            read_text(self.frames, languages=self.languages, engine=self.engine, progress=show)
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
        gaz = (
            self.gazetteer
            if isinstance(self.gazetteer, Gazetteer)
            else load_gazetteer(self.gazetteer)
        )
        self.candidates = match_places(lines, gaz)
        steps.update(1)
        with warnings.catch_warnings():
            warnings.simplefilter(
                "ignore"
            )  # "no polygons offline" is recorded in the verdict instead
            self.region_table = load_regions(self.regions)
        steps.update(1)
        self.verdict = test_claim(
            self.candidates, self.claim, regions=self.region_table, alternatives=self.alternatives
        )
        steps.update(1)
        steps.close()
        self.provenance = self._provenance(gaz, started)
        return self

    def _provenance(self, gaz: Any, started: str) -> dict[str, Any]:
        from importlib.metadata import version

        inputs = []
        seen = set()
        if self.frames is not None:
            for f in self.frames:
                if f.source in seen:
                    continue
                seen.add(f.source)
                inputs.append({"path": f.source, "sha256": f.source_sha256})
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
            "engine": self.engine,
            "gazetteer": self.gazetteer
            if isinstance(self.gazetteer, (str, type(None)))
            else getattr(self.gazetteer, "name", "custom"),
            "regions": self.regions,
            "alternatives": self.alternatives,
            "every": self.every,
            "keyframes": self.keyframes,
            "kind_rules": [list(r) for r in self.kind_rules],
            "typed_evidence": self.typed_evidence,
            "notes": self.notes,
        }

    # ------------------------------------------------------------------ saving
    def save(self, directory: str | os.PathLike[str], overwrite: bool = False) -> Path:
        """Write the case folder: ``case.json, manifest.json, text.csv, candidates.geojson,
        verdict.json, frames/, map.html, report.html, report.md``.

        The folder is assembled beside the target and moved into place, so a reader never sees
        half a case.

        Raises
        ------
        OutputExistsError
            The folder exists and is not empty, and ``overwrite`` is false.
        """
        if self.verdict is None:
            self.run()
        target = Path(directory)
        if target.exists() and (not target.is_dir() or any(target.iterdir())) and not overwrite:
            raise OutputExistsError(
                f"{target} exists and is not empty; pass overwrite=True (CLI: --force)"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        public_mode(tmp, directory=True)
        try:
            self._write(tmp)
            if target.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
                os.replace(target, old / "case")
                os.replace(tmp, target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return target

    def _write(self, folder: Path) -> None:
        from .maps import map_html, plot_candidates
        from .report import render_html, render_markdown

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
                {"params": self.params(), "provenance": self.provenance},
                indent=2,
                ensure_ascii=False,
                default=str,
            ),
        )
        if self.texts is not None:
            write_text(folder / "text.csv", self.texts.to_csv(index=False))
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
        fmap = plot_candidates(
            self._map_candidates(), regions=self.region_table, verdict=self.verdict
        )
        write_text(folder / "map.html", map_html(fmap, offline=True))
        write_text(folder / "report.html", render_html(self))
        write_text(folder / "report.md", render_markdown(self))
        files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json")
        manifest = {
            "geoverify": __version__,
            "created": _now(),
            "inputs": self.provenance.get("inputs", []),
            "files": {str(p.relative_to(folder)): sha256_file(p) for p in files},
        }
        write_text(folder / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))

    def _map_candidates(self) -> gpd.GeoDataFrame:
        """Candidates with a thumbnail of the line as read, for map popups."""
        from .report import crop_uri

        assert self.candidates is not None
        c = self.candidates.copy()
        if self.frames is not None and "frame" in c and {"x0", "y0", "x1", "y1"} <= set(c.columns):
            c["thumbnail"] = [
                crop_uri(self, r.frame, (r.x0, r.y0, r.x1, r.y1)) for r in c.itertuples()
            ]
        return c

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> Case:
        """Read a saved case; warns (:class:`~geoverify.exceptions.CaseChangedWarning`) naming any
        file of the folder, or input, that is missing or differs from the manifest."""
        folder = Path(directory)
        if not (folder / "case.json").exists():
            raise InputError(f"{folder}: not a geoverify case folder (no case.json)")
        meta = json.loads((folder / "case.json").read_text(encoding="utf-8"))
        p = meta["params"]
        case = cls(
            sources=p["sources"],
            claim=p["claim"],
            title=p["title"],
            languages=tuple(p["languages"]),
            engine=p["engine"],
            gazetteer=p.get("gazetteer"),
            regions=p.get("regions", "auto"),
            alternatives=p.get("alternatives"),
            every=p.get("every", 1.0),
            keyframes=p.get("keyframes", True),
            kind_rules=[tuple(r) for r in p.get("kind_rules", [])],  # type: ignore[misc]
            typed_evidence=p.get("typed_evidence", []),
            notes=p.get("notes", ""),
        )
        case.provenance = meta.get("provenance", {})
        problems = case.check(folder)
        if problems:
            warnings.warn(
                f"{folder}: the case changed since it was saved:\n  " + "\n  ".join(problems),
                CaseChangedWarning,
                stacklevel=2,
            )
        if (folder / "text.csv").exists():
            case.texts = pd.read_csv(folder / "text.csv")
        if (folder / "candidates.geojson").exists():
            case.candidates = gpd.read_file(folder / "candidates.geojson")
        if (folder / "verdict.json").exists():
            case.saved_verdict = json.loads((folder / "verdict.json").read_text(encoding="utf-8"))
        return case

    saved_verdict: dict[str, Any] | None = None

    def check(self, directory: str | os.PathLike[str]) -> list[str]:
        """What differs between a case folder, its manifest and the inputs it names."""
        folder = Path(directory)
        problems: list[str] = []
        mpath = folder / "manifest.json"
        if not mpath.exists():
            return ["manifest.json is missing"]
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
        for rel, digest in manifest.get("files", {}).items():
            f = folder / rel
            if not f.exists():
                problems.append(f"{rel}: missing")
            elif sha256_file(f) != digest:
                problems.append(f"{rel}: altered (sha256 differs from the manifest)")
        for inp in manifest.get("inputs", []):
            path, digest = inp.get("path"), inp.get("sha256")
            if not path or not digest:
                continue
            if not Path(path).exists():
                problems.append(f"input {path}: not found here")
            elif sha256_file(path) != digest:
                problems.append(f"input {path}: changed (sha256 differs)")
        return problems

    # ------------------------------------------------------------------ reports
    def to_html(self, path: str | os.PathLike[str]) -> Path:
        """Write the self-contained HTML report."""
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

    def _repr_html_(self) -> str:
        import html as _h

        if self.verdict is None:
            return f"<b>Case</b> {_h.escape(self.title)} (not run)"
        return (
            f"<h3>{_h.escape(self.title)}</h3><p>{_h.escape(self.summary())}</p>"
            + self.verdict._repr_html_()
        )
