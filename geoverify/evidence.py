"""Evidence: from lines of text to candidate places, each with a weight-bearing kind.

An evidence item is one line of text (read by OCR, merged across frames, or typed by the
investigator). Place names are spotted inside it (every run of one to four words is looked up
in the gazetteer) and each plausible place becomes a candidate row.

The *kind* of a line says how far its place names tell where the camera was:

``signage``
    Fixed signs (street names, shop boards) name where you stand. Strongest.
``banner``
    An organisation's banner usually names its home ("... Isna Asharia Kargil").
``slogan``
    Protest text may name the place it is *about* (the Kargil banners named Quetta). Weak.
``caption``
    Text an editor (or geoverify) put on the video: a title card, a burned-in label, a lower
    third. It says what someone claims about the video, not where the camera was, so it
    carries no weight for any place (it stays in the tables, marked). :func:`mark_captions`
    finds captions from the pixels.
``unknown``
    Anything else.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .exceptions import InputError
from .gazetteer import Gazetteer
from .text import detect_script, normalize, split_generic

__all__ = [
    "KIND_WEIGHTS",
    "infer_kind",
    "line_key",
    "line_table",
    "mark_captions",
    "match_places",
    "set_kind",
]

#: How strongly each kind of text places the camera (multiplies an item's weight). A caption
#: was put on the video by an editor: it places nothing.
KIND_WEIGHTS: dict[str, float] = {
    "signage": 1.0,
    "banner": 0.7,
    "unknown": 0.5,
    "slogan": 0.15,
    "caption": 0.0,
}

_PROTEST_LATIN = re.compile(
    r"\b(against|kill(ing|ings|ed)?|massacre|genocide|condemn\w*|solidarity|protest\w*|justice|"
    r"stop|shame|down with|murdabad|zindabad|martyr\w*|victims?|chalo|atrocit\w*|terror\w*|"
    r"persecution|bloodshed|free|march(es|ing)? (to|on))\b",
    re.IGNORECASE,
)
_PROTEST_URDU = (
    "قتل",
    "مردہ باد",
    "مردہباد",
    "نسل کشی",
    "احتجاج",
    "یکجہتی",
    "شہید",
    "ظلم",
    "بند کرو",
    "چلو",
    "زندہ باد",
    "دہشت",
    "مذمت",
    "انصاف",
)
_ORG_LATIN = re.compile(
    r"\b(anjuman|jamiat|jamiyat|jamiyyat|jamaat|ulama|ullama|association|committee|society|union|"
    r"federation|party|front|council|organi[sz]ation|trust|welfare|majlis|tanzeem|sangathan)\b",
    re.IGNORECASE,
)
_ORG_URDU = (
    "انجمن",
    "جمعیت",
    "تنظیم",
    "کمیٹی",
    "جماعت",
    "فیڈریشن",
    "اتحاد",
    "کونسل",
    "مجلس",
    "ایسوسی ایشن",
)


def infer_kind(text: str) -> str:
    """Guess the evidence kind of a line from its words (the investigator can override it).

    >>> infer_kind("Khomeini Chowk"), infer_kind("We condemn the killing of Hazaras in Quetta")
    ('signage', 'slogan')
    >>> infer_kind("انجمن جمعیت العلماء اثنا عشریہ کرگل")
    'banner'
    """
    t = normalize(text)
    if _PROTEST_LATIN.search(t) or any(w in t for w in _PROTEST_URDU):
        return "slogan"
    if _ORG_LATIN.search(t) or any(w in t for w in _ORG_URDU):
        return "banner"
    _, kinds = split_generic(t)
    if kinds:
        return "signage"
    return "unknown"


#: Columns of a line that its candidate rows carry (as :func:`match_places` copies them).
LINE_COLUMNS = (
    "frame",
    "t",
    "confidence",
    "engine",
    "x0",
    "y0",
    "x1",
    "y1",
    "n_frames",
    "source",
    "caption_reason",
)
_ITEM_COLUMNS = ["text", "kind", *LINE_COLUMNS]


def _plain(v: Any) -> Any:
    """A table value as JSON-ready Python (NaN as None)."""
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if math.isnan(float(v)) else float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def line_key(info: dict[str, Any]) -> str:
    """A stable key of an evidence line: a hash of where it was read (time, box) and its text.

    The same line of the same footage gets the same key in every run, also from the frames
    saved in a case folder (numbered anew, so the frame number is left out). Unlike the item
    number, which counts lines within one call of :func:`match_places`, a key names a line
    across calls, concatenated tables and saved cases.

    Parameters
    ----------
    info
        A row of the line table (``text``; ``t``, ``x0``..``y1`` where known).

    Returns
    -------
    str
        ``"L"`` and 10 hex digits.
    """
    parts = [_plain(info.get(c)) for c in ("t", "x0", "y0", "x1", "y1")]
    parts = [round(p, 1) if isinstance(p, float) else p for p in parts]
    raw = json.dumps([*parts, str(info.get("text", ""))], ensure_ascii=False, default=str)
    return "L" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:10]


def line_table(candidates: pd.DataFrame) -> pd.DataFrame:
    """The table of evidence lines behind a candidate table, one row per line.

    :func:`match_places` keeps it with the candidates (``attrs["items"]``, as records, so that
    ``pd.concat`` of candidate tables works); a table without it (read back from a file, or
    the concatenation of tables from separate calls) gets it rebuilt from its rows, where
    lines that matched no place are missing.

    Parameters
    ----------
    candidates
        Output of :func:`match_places` (or of :meth:`geoverify.Review.result`).

    Returns
    -------
    pandas.DataFrame
        ``item, line, text, kind, ...`` and ``n_candidates``.
    """
    items = candidates.attrs.get("items") if candidates is not None else None
    if items is not None and len(items):
        return pd.DataFrame(items).copy()
    if candidates is None or not len(candidates):
        return pd.DataFrame(columns=["item", "line", "text", "kind", "n_candidates"])
    keep = [c for c in ("item", "line", "text", "kind", *LINE_COLUMNS) if c in candidates.columns]
    by = "line" if "line" in keep else "item"
    first = pd.DataFrame(candidates[keep]).drop_duplicates(by).sort_values("item", kind="stable")
    first["n_candidates"] = [int((candidates[by] == i).sum()) for i in first[by]]
    return first.reset_index(drop=True)


def _as_items(texts: Any) -> pd.DataFrame:
    """Normalise the accepted inputs to a table with one row per evidence line."""
    if isinstance(texts, str):
        texts = [texts]
    if isinstance(texts, pd.Series):
        texts = texts.to_frame("text")
    if isinstance(texts, pd.DataFrame):
        if "text" not in texts.columns:
            raise InputError(f"the text table needs a 'text' column; it has {list(texts.columns)}")
        df = pd.DataFrame(texts).copy()
    elif isinstance(texts, Iterable):
        rows = []
        for t in texts:
            if isinstance(t, str):
                rows.append({"text": t})
            elif isinstance(t, dict):
                if "text" not in t:
                    raise InputError(f"an evidence dict needs a 'text' key: {t!r}")
                rows.append(dict(t))
            else:
                raise InputError(f"evidence items must be strings or dicts, got {type(t).__name__}")
        df = pd.DataFrame(rows, columns=sorted({k for r in rows for k in r} | {"text"}))
    else:
        raise InputError(f"cannot read evidence from {type(texts).__name__}")
    df["text"] = [normalize(t) if isinstance(t, str) else "" for t in df["text"]]
    df = df.loc[np.array([len(t) > 0 for t in df["text"]], dtype=bool)].copy()
    if "kind" not in df.columns:
        df["kind"] = None
    given = [isinstance(k, str) and bool(k) for k in df["kind"]]
    df["kind"] = [k if g else infer_kind(t) for k, g, t in zip(df["kind"], given, df["text"])]
    _spread_slogans(df, given)
    bad = sorted(set(df["kind"]) - set(KIND_WEIGHTS))
    if bad:
        raise InputError(f"unknown evidence kind(s) {bad}; use one of {sorted(KIND_WEIGHTS)}")
    df = df.reset_index(drop=True)
    df.insert(0, "item", np.arange(len(df)))
    df.insert(1, "line", [line_key(r) for r in df.to_dict("records")])
    return df


def _spread_slogans(df: pd.DataFrame, given: list[bool]) -> None:
    """A line directly under or over a slogan on the same banner is part of the slogan.

    OCR splits a banner into lines ("We condemn the killing of" / "Hazara Shias in Quetta");
    the second line alone has no protest word, but it is the same text. Lines of one frame
    whose boxes overlap horizontally and lie within 1.5 line heights vertically are one block.
    """
    need = {"frame", "x0", "y0", "x1", "y1"}
    if not need <= set(df.columns) or not len(df):
        return
    for _ in range(3):  # spread along a block of several lines
        changed = False
        for i in df.index:
            if given[i] or df.at[i, "kind"] == "slogan":
                continue
            for j in df.index:
                if i == j or df.at[j, "kind"] != "slogan" or df.at[i, "frame"] != df.at[j, "frame"]:
                    continue
                a = [float(df.at[i, c]) for c in ("x0", "y0", "x1", "y1")]
                b = [float(df.at[j, c]) for c in ("x0", "y0", "x1", "y1")]
                if any(np.isnan(a + b)):
                    continue
                h = max(a[3] - a[1], b[3] - b[1], 1.0)
                gap = max(b[1] - a[3], a[1] - b[3], 0.0)
                overlap = min(a[2], b[2]) - max(a[0], b[0])
                if gap <= 1.5 * h and overlap > 0:
                    df.at[i, "kind"] = "slogan"
                    changed = True
                    break
        if not changed:
            break


def apply_kind_rules(texts: pd.DataFrame, rules: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """Set the evidence kind of lines whose text matches a regular expression.

    Parameters
    ----------
    texts
        A text table (``read_text`` or ``merge_text`` output).
    rules
        ``(pattern, kind)`` pairs, applied in order; the first match wins.

    Returns
    -------
    pandas.DataFrame
        A copy with a ``kind`` column: a rule's kind where one matched, else the kind the
        line had (a caption :func:`mark_captions` found), else None (inferred later).
    """
    out = texts.copy()
    if "kind" not in out.columns:
        out["kind"] = None
    compiled = [(re.compile(p, re.IGNORECASE), k) for p, k in rules]
    for _, k in compiled:
        if k not in KIND_WEIGHTS:
            raise InputError(f"unknown evidence kind {k!r}; use one of {sorted(KIND_WEIGHTS)}")
    for i, t in zip(out.index, out["text"].astype(str)):
        for rx, k in compiled:
            if rx.search(t):
                out.at[i, "kind"] = k
                break
    return out


def mark_captions(texts: pd.DataFrame, frames: Any) -> pd.DataFrame:
    """Mark the lines an editor put on the video (captions) from the frames' pixels.

    Two rules, neither reading what the text says: a line whose box holds the same ink in
    another frame of the same video while the picture behind it changed (a cut, the camera
    moved) is an *overlay* (a burned-in label, a lower third); a line on a frame that is flat
    colour apart from its text is on a *title card*. Only video frames are judged: a sign in
    the scene moves with the scene, and a photo has no other frame to compare.

    Parameters
    ----------
    texts
        A text table (:func:`geoverify.read_text`, or ``merge_text`` output: its
        ``best_frame`` is judged) with ``frame`` and box columns ``x0, y0, x1, y1``.
    frames
        The frames the table was read from (a :class:`~geoverify.FrameSet` or anything
        :func:`geoverify.read_text` accepts), matched to the table by frame number.

    Returns
    -------
    pandas.DataFrame
        A copy with ``caption_reason`` (why the line is a caption; ``""`` where it is not)
        and ``kind`` set to ``"caption"`` on captions whose kind was not already given: a
        kind set by hand or by a kind rule wins. Override with :func:`set_kind` or
        :func:`geoverify.review`.

    Examples
    --------
    >>> texts = gv.read_text(frames)  # doctest: +SKIP
    >>> gv.mark_captions(texts, frames)[["text", "kind", "caption_reason"]]  # doctest: +SKIP
    """
    from ._captions import caption_reasons
    from .frames import Frame, as_frames

    if not isinstance(texts, pd.DataFrame):
        raise InputError(
            f"mark_captions needs a text table (DataFrame), got {type(texts).__name__}"
        )
    by_index: dict[int, Frame] = {}
    for f in as_frames(frames) if frames is not None else []:
        by_index.setdefault(int(f.index), f)
    out = texts.copy()
    out["caption_reason"] = caption_reasons(out, by_index)
    if "kind" not in out.columns:
        out["kind"] = None
    unset = [not (isinstance(k, str) and k) for k in out["kind"]]
    is_caption = out["caption_reason"].astype(bool).to_numpy() & np.array(unset, dtype=bool)
    out.loc[is_caption, "kind"] = "caption"
    return out


# how a spotted place's columns are named in a candidates table
_SPOT_TO_CANDIDATE = {
    "id": "place_id",
    "kind": "place_kind",
    "source": "place_source",
    "start": "span_start",
    "end": "span_end",
}
_PLACE_COLUMNS = [
    "span",
    "place_id",
    "name",
    "matched_name",
    "score",
    "specificity",
    "lat",
    "lon",
    "uncertainty_m",
    "country",
    "admin1",
    "place_kind",
    "place_source",
    "span_start",
    "span_end",
]


def match_places(
    texts: Any,
    gazetteer: Gazetteer,
    *,
    min_score: float = 80.0,
    k: int = 5,
    max_words: int = 6,
    kind: str | None = None,
) -> gpd.GeoDataFrame:
    """Find candidate places for each line of text.

    Parameters
    ----------
    texts
        The OCR table of :func:`geoverify.read_text`, the output of ``merge_text``, a list of
        strings typed by the investigator, or a list of dicts with ``text`` and optionally
        ``kind``. A ``kind`` column, where present, is kept; otherwise it is inferred.
    gazetteer
        Where to look places up.
    min_score
        Lowest match score (0-100) kept as a candidate.
    k
        Places kept per spotted name.
    max_words
        Longest run of words looked up as one name.
    kind
        Set the evidence kind of every line (``signage``, ``banner``, ``slogan``, ``caption``,
        ``unknown``).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per (line, candidate place): ``item, text, kind, span, place_id, name,
        matched_name, score, specificity, lat, lon, uncertainty_m, country, admin1,
        place_kind, place_source`` plus the line's ``frame, t, confidence, engine`` where known,
        and point geometry (EPSG:4326). ``.attrs["items"]`` holds the table of lines, including
        lines with no candidate.
    """
    items = _as_items(texts)
    if kind is not None:
        if kind not in KIND_WEIGHTS:
            raise InputError(f"unknown evidence kind {kind!r}; use one of {sorted(KIND_WEIGHTS)}")
        items["kind"] = kind
    rows: list[dict[str, Any]] = []
    keep = [c for c in items.columns if c in _ITEM_COLUMNS or c in ("item", "line")]
    for line in items[keep].to_dict("records"):
        spotted = gazetteer.spot(line["text"], min_score=min_score, max_words=max_words, k=k)
        for place in spotted.rename(columns=_SPOT_TO_CANDIDATE).to_dict("records"):
            rows.append({**line, **{c: place.get(c) for c in _PLACE_COLUMNS}})
    cols = ["item", "line", "text", "kind", *_PLACE_COLUMNS]
    extra = [c for c in items.columns if c not in cols]
    df = pd.DataFrame(rows, columns=cols + extra)
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")
    items["script"] = [detect_script(t) for t in items["text"]]
    items["n_candidates"] = [int((df["item"] == i).sum()) for i in items["item"]]
    gdf.attrs["items"] = items.to_dict("records")  # records: pandas can compare them in concat
    gdf.attrs["gazetteer"] = gazetteer.name
    return gdf


def set_kind(
    candidates: gpd.GeoDataFrame,
    items: int | str | Sequence[int | str] | None = None,
    kind: str | None = None,
    *,
    where: str | None = None,
) -> gpd.GeoDataFrame:
    """Return a copy of ``candidates`` with the evidence kind of some lines set by hand.

    Parameters
    ----------
    candidates
        Output of :func:`match_places`.
    items
        The lines to change: their keys (the ``line`` column, stable across runs and tables,
        see :func:`line_key`) or item numbers (which count lines within one call of
        :func:`match_places`).
    kind
        One of :data:`KIND_WEIGHTS`.
    where
        A regular expression: the lines whose text it finds (case-insensitive) change too.

    Raises
    ------
    InputError
        An unknown kind, or a key or item number that names no line, or no line at all.

    Examples
    --------
    >>> lines = gv.line_table(cands)  # doctest: +SKIP
    >>> quetta = lines.loc[lines["text"].str.contains("Quetta"), "line"]  # doctest: +SKIP
    >>> cands = gv.set_kind(cands, list(quetta), "slogan")  # doctest: +SKIP
    >>> cands = gv.set_kind(cands, where="Quetta|Hazara|کوئٹہ", kind="slogan")  # doctest: +SKIP
    """
    if kind not in KIND_WEIGHTS:
        raise InputError(f"unknown evidence kind {kind!r}; use one of {sorted(KIND_WEIGHTS)}")
    if items is None and where is None:
        raise InputError("set_kind needs the lines to change: items (keys or numbers) or where")
    wanted = (
        []
        if items is None
        else [items]
        if isinstance(items, (int, np.integer, str))
        else list(items)
    )
    lines = line_table(candidates)
    by_key = "line" in lines.columns
    chosen = lines["item"].isin([w for w in wanted if not isinstance(w, str)])
    if where is not None:
        found = lines["text"].astype(str).str.contains(where, case=False, regex=True)
        if not found.any():
            raise InputError(f"no evidence line's text matches {where!r}")
        chosen |= found
    if by_key:
        chosen |= lines["line"].isin([w for w in wanted if isinstance(w, str)])
    named = set(lines.loc[chosen, "item"]) | (set(lines.loc[chosen, "line"]) if by_key else set())
    unknown = [w for w in wanted if w not in named]
    if unknown:
        raise InputError(f"no evidence line {unknown!r} in this table (see gv.line_table)")
    picked = set(lines.loc[chosen, "item"])
    out = candidates.copy()
    out.loc[out["item"].isin(picked), "kind"] = kind
    if candidates.attrs.get("items"):
        lines.loc[chosen, "kind"] = kind
        out.attrs["items"] = lines.to_dict("records")
    return out
