"""Checking the rows of a gazetteer (private: used by :meth:`Gazetteer.from_dataframe`)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import GazetteerError
from .countries import inside_country

#: Columns of a gazetteer, in order. ``alt_names`` is a list of strings.
COLUMNS = [
    "id",
    "name",
    "alt_names",
    "lat",
    "lon",
    "kind",
    "country",
    "admin1",
    "admin1_name",
    "population",
    "source",
    "uncertainty_m",
]

_DEFAULTS: dict[str, Any] = {
    "kind": "place",
    "country": "",
    "admin1": "",
    "admin1_name": "",
    "population": 0,
    "source": "",
    "uncertainty_m": np.nan,
}

_BAD_CHAR = "\ufffd"


def split_alt_names(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, (list, tuple, set, np.ndarray)):
        items = [str(v) for v in value]
    else:
        items = str(value).split("|")
    return [s.strip() for s in items if s and s.strip()]


def clean_places(df: pd.DataFrame, origin: str) -> tuple[pd.DataFrame, list[str]]:
    """Validate rows; return the good ones and a message per bad one."""
    problems: list[str] = []
    missing = [c for c in ("id", "name", "lat", "lon") if c not in df.columns]
    if missing:
        raise GazetteerError(
            f"{origin}: missing required column(s) {', '.join(missing)}; a gazetteer needs "
            f"id, name, lat, lon (and optionally alt_names, kind, country, admin1, source, "
            f"uncertainty_m). Columns found: {', '.join(map(str, df.columns))}"
        )
    out = df.reset_index(drop=True).copy()
    for col, default in _DEFAULTS.items():
        if col not in out.columns:
            out[col] = default
    line_of = (
        out["_line"].to_numpy() if "_line" in out.columns else np.arange(len(out)) + 2
    ).tolist()
    lat = pd.to_numeric(out["lat"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(out["lon"], errors="coerce").to_numpy(dtype=float)
    names = out["name"].astype("string").fillna("").str.strip().astype(str).to_numpy(dtype=object)
    empty = np.array([not n for n in names], dtype=bool)
    nonnum = np.isnan(lat) | np.isnan(lon)
    rng = ~nonnum & ((np.abs(lat) > 90) | (np.abs(lon) > 180))
    undecodable = np.array(["\ufffd" in n for n in names], dtype=bool)
    bad = empty | nonnum | rng | undecodable
    raw_lat, raw_lon = out["lat"].to_numpy(), out["lon"].to_numpy()
    for i in np.flatnonzero(bad):
        if empty[i]:
            why = "empty name"
        elif nonnum[i]:
            why = f"non-numeric or missing coordinates (lat={raw_lat[i]!r}, lon={raw_lon[i]!r})"
        elif rng[i]:
            why = f"coordinates out of range (lat={lat[i]}, lon={lon[i]})"
        else:
            why = "name contains undecodable bytes (U+FFFD; the file is not valid UTF-8 here)"
        problems.append(f"{origin}, line {line_of[i]}: {why}")
    keep = ~bad
    out = out.loc[keep].copy()
    lines_kept = [line_of[i] for i in np.flatnonzero(keep)]
    out["lat"] = lat[keep]
    out["lon"] = lon[keep]
    out["name"] = names[keep]
    out["id"] = out["id"].astype(str)
    alts = (
        [split_alt_names(v) for v in out["alt_names"]]
        if "alt_names" in out.columns
        else [[] for _ in range(len(out))]
    )
    for j, a in enumerate(alts):
        n_bad = sum(_BAD_CHAR in s for s in a)
        if n_bad:
            problems.append(
                f"{origin}, line {lines_kept[j]}: alternate name(s) with undecodable bytes "
                f"dropped ({n_bad} of {len(a)}); the row is kept"
            )
            alts[j] = [s for s in a if _BAD_CHAR not in s]
    out["alt_names"] = alts
    for col in ("kind", "country", "admin1", "admin1_name", "source"):
        out[col] = out[col].fillna(_DEFAULTS[col]).astype(str)
    # GeoNames admin1 codes are zero-padded strings ("06"); CSV readers may have made them ints
    out["admin1"] = [a.zfill(2) if a.isdigit() and len(a) < 2 else a for a in out["admin1"]]
    out["population"] = pd.to_numeric(out["population"], errors="coerce").fillna(0).astype("int64")
    out["uncertainty_m"] = pd.to_numeric(out["uncertainty_m"], errors="coerce")
    dup = out["id"].duplicated(keep="first").to_numpy()
    for jd in np.flatnonzero(dup).tolist():
        problems.append(
            f"{origin}, line {lines_kept[jd]}: duplicate id {out['id'].iloc[jd]!r} (kept the first)"
        )
    out = out.loc[~dup]
    return out, problems


def check_swapped_coordinates(df: pd.DataFrame, origin: str) -> str | None:
    """Say whether most points fall outside their declared country (swapped lat/lon?).

    Parameters
    ----------
    df
        Rows with ``lat``, ``lon`` and ``country``.
    origin
        What to call the input in the message.

    Returns
    -------
    str or None
        A warning message, or None when the coordinates look right (or cannot be checked).
    """
    if "country" not in df.columns or len(df) < 3:
        return None
    lat = df["lat"].to_numpy(dtype=float)
    lon = df["lon"].to_numpy(dtype=float)
    cc = df["country"].astype(str).str.upper().to_numpy(dtype=object)
    ins = inside_country(lat, lon, cc)
    known = ~np.isnan(ins)
    if known.sum() < 3:
        return None
    outside = known & (ins == 0)
    if outside.sum() <= 0.5 * known.sum():
        return None
    swapped = inside_country(lon, lat, cc)
    n_sw = int(np.nansum(swapped[known]))
    lines = df["_line"].to_numpy()[outside][:5].tolist() if "_line" in df.columns else []
    where = f" (e.g. line(s) {', '.join(map(str, lines))})" if lines else ""
    msg = (
        f"{origin}: {int(outside.sum())} of {int(known.sum())} points lie outside their "
        f"declared country{where}"
    )
    if n_sw > 0.5 * known.sum():
        msg += (
            f"; with latitude and longitude exchanged {n_sw} would lie inside. The lat and lon "
            f"columns look swapped: load with columns={{'lat': 'lon', 'lon': 'lat'}} to exchange "
            f"them"
        )
    return msg + ". The rows are kept as they are."
