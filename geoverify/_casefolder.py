"""Reading a case folder as untrusted input (private: used by :meth:`geoverify.Case.load`).

A case folder may have been made by anyone, the people investigated included. Nothing in it is
followed outside the folder: every path is relative and stays inside, only regular files are
opened (no links, FIFOs or devices, so nothing can block or leak), every read is bounded, and
anything malformed is a :class:`~geoverify.exceptions.CaseFormatError` naming the file.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

import numpy as np

from .exceptions import CaseFormatError

#: The layout version of case folders this geoverify writes, and the oldest it reads.
CASE_FORMAT = 2
OLDEST_FORMAT = 1
#: Bounds on what is read from a received folder.
MAX_JSON_BYTES = 16 << 20
MAX_TABLE_BYTES = 256 << 20
MAX_FRAME_BYTES = 64 << 20
MAX_HASHED_BYTES = 1 << 30
MAX_MANIFEST_ENTRIES = 10_000
MAX_TEXT_CHARS = 100_000
MAX_TYPED_LINES = 5_000
MAX_PATTERN_CHARS = 200
_FRAME_FILE = re.compile(r"frame_\d{1,6}(_t\d{1,8}\.\d{3})?\.png")
# A quantified group that itself contains a quantifier ("(a+)+"), or a back-reference:
# the shapes of regular expressions that take exponential time.
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{?]")
_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")


def inside(folder: Path, rel: Any, what: str) -> Path:
    """The path ``rel`` names inside ``folder``; a CaseFormatError for anything else
    (absolute paths, ``..``, empty or odd names, or a folder on the way that is a link).

    The last component is not followed here: :func:`regular_file` and :func:`open_regular`
    refuse links themselves.
    """
    if not isinstance(rel, str) or not rel or "\x00" in rel or "\\" in rel:
        raise CaseFormatError(f"{folder}: {what}: {rel!r} is not a relative file name")
    pure = PurePosixPath(rel)
    if pure.is_absolute() or any(part in ("", ".", "..") for part in rel.split("/")):
        raise CaseFormatError(f"{folder}: {what}: {rel!r} points outside the case folder")
    step = folder
    for part in pure.parts[:-1]:
        step = step / part
        try:
            mode = os.lstat(step).st_mode
        except FileNotFoundError:
            break  # reported as missing by whoever reads it
        if not stat.S_ISDIR(mode):
            raise CaseFormatError(
                f"{folder}: {what}: {rel!r} leads outside the case folder "
                f"({part!r} is a link or not a folder)"
            )
    return folder.joinpath(*pure.parts)


def regular_file(path: Path) -> os.stat_result | None:
    """``lstat`` of ``path`` when it is a regular file (not a link, FIFO, device); else None."""
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return st if stat.S_ISREG(st.st_mode) else None


@contextlib.contextmanager
def open_regular(path: Path, limit: int) -> Iterator[BinaryIO]:
    """Open a regular file of at most ``limit`` bytes for reading; CaseFormatError otherwise.

    The file is opened without following links and without blocking, then checked, so a
    link, FIFO or device (``/dev/zero``) can neither lead out of the folder nor hang the reader.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise CaseFormatError(f"{path}: missing") from None
    except OSError as exc:
        raise CaseFormatError(f"{path}: cannot be opened as a plain file ({exc})") from exc
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise CaseFormatError(f"{path}: not a regular file (a link, FIFO or device?)")
        if st.st_size > limit:
            raise CaseFormatError(f"{path}: {st.st_size:,} bytes, more than the {limit:,} allowed")
        yield fh


def read_bytes(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (see :func:`open_regular`)."""
    with open_regular(path, limit) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise CaseFormatError(f"{path}: grew past the {limit:,} bytes allowed while read")
    return data


def sha256(path: Path, limit: int = MAX_HASHED_BYTES) -> str:
    """sha256 of a regular file of the folder, read in blocks (see :func:`open_regular`)."""
    from .data import sha256_stream

    with open_regular(path, limit) as fh:
        return sha256_stream(fh)


def read_json(path: Path, limit: int = MAX_JSON_BYTES) -> dict[str, Any]:
    """A JSON object from a file of the folder; CaseFormatError if it is not one."""
    try:
        obj = json.loads(read_bytes(path, limit).decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CaseFormatError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise CaseFormatError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from exc
    except RecursionError as exc:
        raise CaseFormatError(f"{path}: JSON nested too deeply") from exc
    if not isinstance(obj, dict):
        raise CaseFormatError(f"{path}: expected a JSON object, found {type(obj).__name__}")
    return obj


def check_format(path: Path, meta: dict[str, Any]) -> int:
    """The case format a file declares (1 when absent: written before formats were recorded)."""
    fmt = meta.get("format", 1)
    if not isinstance(fmt, int) or isinstance(fmt, bool):
        raise CaseFormatError(f"{path}: 'format' must be an integer, found {fmt!r}")
    if fmt > CASE_FORMAT or fmt < OLDEST_FORMAT:
        writer = meta.get("geoverify", "an unknown version")
        raise CaseFormatError(
            f"{path}: case format {fmt} (written by geoverify {str(writer)[:40]}); this "
            f"geoverify reads formats {OLDEST_FORMAT} to {CASE_FORMAT}: "
            + ("upgrade geoverify" if fmt > CASE_FORMAT else "the folder is not a geoverify case")
        )
    return fmt


def _text(value: Any, what: str, limit: int = MAX_TEXT_CHARS) -> str:
    if not isinstance(value, str):
        raise CaseFormatError(f"case.json: {what} must be text, found {type(value).__name__}")
    if len(value) > limit:
        raise CaseFormatError(f"case.json: {what} is {len(value):,} characters (at most {limit:,})")
    return value


def _texts(value: Any, what: str, limit: int = 1000) -> list[str]:
    if not isinstance(value, list) or len(value) > limit:
        raise CaseFormatError(f"case.json: {what} must be a list of at most {limit} texts")
    return [_text(v, what, 2000) for v in value]


def safe_pattern(pattern: Any, where: str) -> str:
    """A kind-rule regular expression from a received folder, refused when it could take
    exponential time (nested quantifiers, back-references) or does not compile."""
    text = _text(pattern, f"{where} pattern", MAX_PATTERN_CHARS)
    if _NESTED_QUANTIFIER.search(text) or _BACKREFERENCE.search(text):
        raise CaseFormatError(
            f"{where}: the pattern {text!r} has nested quantifiers or back-references "
            "(it could run for ever on a crafted line); not used"
        )
    try:
        re.compile(text)
    except re.error as exc:
        raise CaseFormatError(f"{where}: the pattern {text!r} is not valid ({exc})") from exc
    return text


def _engine_options(value: Any) -> dict[str, Any]:
    """An engine's keyword options as case.json holds them: names to plain values.

    The names are checked by the engine itself (an unknown one is an ``OptionError`` when the
    case runs); here only their shape and size, so a crafted file cannot pass objects in.
    """
    from .ocr.base import plain_option

    if not isinstance(value, dict) or len(value) > 40:
        raise CaseFormatError("case.json: engine_options must be an object of at most 40 options")
    out: dict[str, Any] = {}
    for name, option in value.items():
        if not (isinstance(name, str) and name.isidentifier() and len(name) <= 60):
            raise CaseFormatError(f"case.json: engine option name {str(name)[:60]!r} is not a name")
        if not plain_option(option):
            raise CaseFormatError(
                f"case.json: engine option {name} must be a number, a short text, or a short "
                "list of them"
            )
        out[name] = option
    return out


def _typed(value: Any) -> list[Any]:
    if not isinstance(value, list) or len(value) > MAX_TYPED_LINES:
        raise CaseFormatError(
            f"case.json: typed_evidence must be a list of at most {MAX_TYPED_LINES}"
        )
    out: list[Any] = []
    for item in value:
        if isinstance(item, str):
            out.append(_text(item, "typed_evidence", 2000))
        elif isinstance(item, dict) and isinstance(item.get("text"), str):
            kept = {"text": _text(item["text"], "typed_evidence text", 2000)}
            if "kind" in item:
                kept["kind"] = _text(item["kind"], "typed_evidence kind", 40)
            out.append(kept)
        else:
            raise CaseFormatError("case.json: typed_evidence items must be texts or {text, kind}")
    return out


def finite_number(value: Any) -> float | None:
    """``value`` (read from JSON, or numpy's) as a finite float; None for anything else: a
    bool, text, NaN, an infinity, an integer too big for a float (JSON allows any)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        return None
    try:
        number = float(value)
    except (OverflowError, TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def case_params(meta: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of :class:`~geoverify.Case` from a case.json, each checked."""
    p = meta.get("params")
    if not isinstance(p, dict):
        raise CaseFormatError("case.json: no 'params' object")
    every = p.get("every", 1.0)
    if (finite_number(every) or 0.0) <= 0:
        raise CaseFormatError(f"case.json: every must be a positive number, found {every!r}")
    keyframes = p.get("keyframes", True)
    if not isinstance(keyframes, bool):
        raise CaseFormatError(f"case.json: keyframes must be true or false, found {keyframes!r}")
    rules = p.get("kind_rules", [])
    if not isinstance(rules, list) or len(rules) > 100:
        raise CaseFormatError("case.json: kind_rules must be a list of at most 100 rules")
    kind_rules = []
    for i, rule in enumerate(rules):
        if not (isinstance(rule, list) and len(rule) == 2):
            raise CaseFormatError(f"case.json: kind_rules[{i}] must be [pattern, kind]")
        where = f"case.json: kind_rules[{i}]"
        kind_rules.append((safe_pattern(rule[0], where), _text(rule[1], f"{where} kind", 40)))
    alternatives = p.get("alternatives")
    return {
        "sources": _texts(p.get("sources", []), "sources"),
        "claim": _text(p.get("claim"), "claim", 200),
        "title": _text(p.get("title", "Untitled case"), "title", 1000),
        "languages": tuple(_texts(p.get("languages", ["ur", "en"]), "languages", 10)),
        "engine": _text(p.get("engine", "tesseract"), "engine", 40),
        "engine_options": _engine_options(p.get("engine_options", {})),
        "gazetteer": None
        if p.get("gazetteer") is None
        else _text(p["gazetteer"], "gazetteer", 500),
        "regions": _text(p.get("regions", "auto"), "regions", 40),
        "alternatives": None if alternatives is None else _texts(alternatives, "alternatives", 50),
        "every": float(every),
        "keyframes": keyframes,
        "kind_rules": kind_rules,
        "typed_evidence": _typed(p.get("typed_evidence", [])),
        "notes": _text(p.get("notes", ""), "notes"),
    }


#: The fields of an edit by hand (:mod:`geoverify.review`) and what each may be.
_EDIT_TEXTS = {"who": 200, "when": 40, "line": 100, "text": 2000, "before": 2000, "after": 2000}
#: What an edit can change: a line's text, its kind, whether it counts, which candidate place it
#: names, or a line typed by hand.
EDIT_FIELDS = ("text", "kind", "dropped", "place", "added")
MAX_EDITS = 10_000


def case_edits(meta: dict[str, Any]) -> list[dict[str, Any]]:
    """The edit log of a case.json (``edits``: absent in cases without edits), each checked."""
    value = meta.get("edits", [])
    if not isinstance(value, list) or len(value) > MAX_EDITS:
        raise CaseFormatError(f"case.json: edits must be a list of at most {MAX_EDITS:,}")
    out = []
    for i, e in enumerate(value):
        where = f"edits[{i}]"
        if not isinstance(e, dict):
            raise CaseFormatError(f"case.json: {where} must be an object")
        if e.get("field") not in EDIT_FIELDS:
            raise CaseFormatError(
                f"case.json: {where}: field must be one of {', '.join(EDIT_FIELDS)}"
            )
        kept: dict[str, Any] = {"field": e["field"]}
        for key, limit in _EDIT_TEXTS.items():
            v = e.get(key)
            kept[key] = None if v is None else _text(v, f"{where} {key}", limit)
        why = e.get("why")
        kept["why"] = None if why is None else _text(why, f"{where} why", 2000)
        item = e.get("item")
        if item is not None and (isinstance(item, bool) or not isinstance(item, int)):
            raise CaseFormatError(f"case.json: {where}: item must be an integer")
        kept["item"] = item
        out.append(kept)
    return out


def manifest_files(folder: Path, manifest: dict[str, Any]) -> dict[Path, str]:
    """The manifest's ``files`` as checked paths inside ``folder`` and their sha256."""
    files = manifest.get("files", {})
    if not isinstance(files, dict) or len(files) > MAX_MANIFEST_ENTRIES:
        raise CaseFormatError(
            f"{folder}/manifest.json: 'files' must map at most {MAX_MANIFEST_ENTRIES:,} names "
            "to sha256 digests"
        )
    out = {}
    for rel, digest in files.items():
        if not (isinstance(digest, str) and re.fullmatch(r"[0-9a-f]{64}", digest)):
            raise CaseFormatError(f"{folder}/manifest.json: {rel!r}: not a sha256 digest")
        out[inside(folder, rel, "manifest.json")] = digest
    return out


def text_column(column: Any) -> bool:
    """Whether a pandas column holds text (object or string dtype)."""
    import pandas as pd

    return column.dtype == object or pd.api.types.is_string_dtype(column.dtype)


def csv_table(table: Any) -> str:
    """A table as CSV with formula guards on its text cells (:func:`read_table` undoes them)."""
    from ._escape import csv_cell

    out = table.copy()
    for col in out.columns:
        if text_column(out[col]):
            out[col] = out[col].map(csv_cell)
    buf = io.StringIO()
    # CRLF rows (RFC 4180): the writer then quotes every cell holding a CR or an LF; with LF
    # rows a lone CR in a cell would be left bare and read back as the end of a row
    out.to_csv(buf, index=False, lineterminator="\r\n")
    return buf.getvalue()


def read_table(path: Path) -> Any:
    """text.csv of a case folder as a DataFrame (formula guards undone)."""
    import pandas as pd

    from ._escape import csv_uncell

    data = read_bytes(path, MAX_TABLE_BYTES)
    try:
        table = pd.read_csv(io.BytesIO(data), encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        raise CaseFormatError(f"{path}: not a readable CSV table ({exc})") from exc
    for col in table.columns:
        if text_column(table[col]):
            table[col] = table[col].map(csv_uncell)
    return table


def read_geojson(path: Path) -> Any:
    """candidates.geojson of a case folder as a GeoDataFrame."""
    import geopandas as gpd

    data = read_bytes(path, MAX_TABLE_BYTES)
    try:
        doc = json.loads(data.decode("utf-8"))
        if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
            raise ValueError("not a GeoJSON FeatureCollection")
        if not doc.get("features"):
            return gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
        return gpd.read_file(io.BytesIO(data))
    except Exception as exc:  # pyogrio and json raise many kinds
        raise CaseFormatError(f"{path}: not a readable GeoJSON table ({exc})") from exc


def frame_entries(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The saved frames of a case folder (``frames/manifest.json``): checked paths, entries."""
    frames_dir = folder / "frames"
    if regular_file(frames_dir / "manifest.json") is None:
        return []
    manifest = read_json(frames_dir / "manifest.json")
    entries = manifest.get("frames", [])
    if not isinstance(entries, list) or len(entries) > MAX_MANIFEST_ENTRIES:
        raise CaseFormatError(f"{frames_dir}/manifest.json: 'frames' must be a list")
    out = []
    for e in entries:
        if not isinstance(e, dict) or not isinstance(e.get("file"), str):
            raise CaseFormatError(f"{frames_dir}/manifest.json: each frame needs a 'file'")
        if not _FRAME_FILE.fullmatch(e["file"]):
            raise CaseFormatError(
                f"{frames_dir}/manifest.json: {e['file']!r} is not a frame file name"
            )
        t = e.get("t")
        if t is not None and finite_number(t) is None:
            raise CaseFormatError(f"{frames_dir}/manifest.json: {e['file']}: bad time {t!r}")
        out.append((inside(folder, f"frames/{e['file']}", "frames/manifest.json"), e))
    return out
