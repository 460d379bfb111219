"""The :class:`Gazetteer`: places with names in several scripts, and a search over them."""

from __future__ import annotations

import html
import math
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..exceptions import BadRowsWarning, GazetteerError
from ..text import detect_script, name_key
from .index import NameIndex, QueryKeys, name_rows

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


def _split_alt(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, (list, tuple, set, np.ndarray)):
        items = [str(v) for v in value]
    else:
        items = str(value).split("|")
    return [s.strip() for s in items if s and s.strip()]


def _clean(df: pd.DataFrame, origin: str) -> tuple[pd.DataFrame, list[str]]:
    """Validate rows; return the good ones and a message per bad one."""
    problems: list[str] = []
    missing = [c for c in ("id", "name", "lat", "lon") if c not in df.columns]
    if missing:
        raise GazetteerError(
            f"{origin}: missing required column(s) {', '.join(missing)}; a gazetteer needs "
            f"id, name, lat, lon (and optionally alt_names, kind, country, admin1, source, "
            f"uncertainty_m). Columns found: {', '.join(map(str, df.columns))}"
        )
    out = df.copy()
    for col, default in _DEFAULTS.items():
        if col not in out.columns:
            out[col] = default
    line_of = out["_line"] if "_line" in out.columns else pd.Series(out.index + 2, index=out.index)
    lat = pd.to_numeric(out["lat"], errors="coerce")
    lon = pd.to_numeric(out["lon"], errors="coerce")
    names = out["name"].astype("string").fillna("").str.strip()
    bad = pd.Series(False, index=out.index)
    for idx in out.index:
        why = None
        if not names[idx]:
            why = "empty name"
        elif pd.isna(lat[idx]) or pd.isna(lon[idx]):
            why = f"non-numeric or missing coordinates (lat={out.at[idx, 'lat']!r}, lon={out.at[idx, 'lon']!r})"
        elif not (-90 <= lat[idx] <= 90) or not (-180 <= lon[idx] <= 180):
            why = f"coordinates out of range (lat={lat[idx]}, lon={lon[idx]})"
        elif "\ufffd" in names[idx]:
            why = "name contains undecodable bytes (U+FFFD)"
        if why:
            bad[idx] = True
            problems.append(f"{origin}, line {line_of[idx]}: {why}")
    out = out.loc[~bad].copy()
    out["lat"] = lat[~bad].astype(float)
    out["lon"] = lon[~bad].astype(float)
    out["name"] = names[~bad].astype(str)
    out["id"] = out["id"].astype(str)
    out["alt_names"] = (
        [_split_alt(v) for v in out["alt_names"]]
        if "alt_names" in out.columns
        else [[] for _ in range(len(out))]
    )
    for col in ("kind", "country", "admin1", "admin1_name", "source"):
        out[col] = out[col].fillna(_DEFAULTS[col]).astype(str)
    # GeoNames admin1 codes are zero-padded strings ("06"); CSV readers may have made them ints
    out["admin1"] = [a.zfill(2) if a.isdigit() and len(a) < 2 else a for a in out["admin1"]]
    out["population"] = pd.to_numeric(out["population"], errors="coerce").fillna(0).astype("int64")
    out["uncertainty_m"] = pd.to_numeric(out["uncertainty_m"], errors="coerce")
    dup = out["id"].duplicated(keep="first")
    for idx in out.index[dup]:
        problems.append(
            f"{origin}, line {line_of[idx]}: duplicate id {out.at[idx, 'id']!r} (kept the first)"
        )
    out = out.loc[~dup]
    return out, problems


class Gazetteer:
    """A set of places with names in one or more scripts, searchable across scripts.

    Build one with :meth:`from_dataframe` or :func:`geoverify.load_gazetteer`. The places are a
    GeoDataFrame (``.places``, EPSG:4326 points) with the columns of :data:`COLUMNS`.

    Examples
    --------
    >>> import geoverify as gv
    >>> gaz = gv.load_gazetteer()
    >>> gaz.search("کرگل", k=1)["name"].iloc[0]
    'Kargil'
    """

    def __init__(
        self, places: gpd.GeoDataFrame, *, name: str = "gazetteer", sources: Sequence[str] = ()
    ) -> None:
        self.places = places.reset_index(drop=True)
        self.name = name
        #: Where the rows came from (files, packages, URLs), for provenance.
        self.sources = list(sources)
        self._index: NameIndex | None = None
        self._key_counts: Counter[str] | None = None

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_dataframe(
        cls,
        df: pd.DataFrame,
        *,
        name: str = "gazetteer",
        origin: str | None = None,
        sources: Sequence[str] = (),
        on_bad_rows: str = "warn",
    ) -> Gazetteer:
        """Build a gazetteer from a DataFrame.

        Parameters
        ----------
        df
            Columns ``id, name, lat, lon`` and optionally ``alt_names`` (list or ``|``-joined),
            ``kind, country, admin1, admin1_name, population, source, uncertainty_m``.
        name
            A label for reports.
        origin
            What to call the input in messages (a file name).
        sources
            Provenance strings.
        on_bad_rows
            ``"warn"`` (default: keep good rows, warn listing bad ones), ``"raise"`` or ``"ignore"``.

        Returns
        -------
        Gazetteer

        Raises
        ------
        GazetteerError
            A required column is missing, or ``on_bad_rows="raise"`` and a row is bad.
        """
        origin = origin or name
        clean, problems = _clean(df, origin)
        if problems:
            msg = f"{len(problems)} unusable row(s) skipped:\n  " + "\n  ".join(problems[:50])
            if len(problems) > 50:
                msg += f"\n  ... and {len(problems) - 50} more"
            if on_bad_rows == "raise":
                raise GazetteerError(msg)
            if on_bad_rows == "warn":
                warnings.warn(msg, BadRowsWarning, stacklevel=2)
        extra = [
            c
            for c in clean.columns
            if c not in COLUMNS and not c.startswith("_") and c != "geometry"
        ]
        clean = clean[COLUMNS + extra]
        gdf = gpd.GeoDataFrame(
            clean, geometry=gpd.points_from_xy(clean["lon"], clean["lat"]), crs="EPSG:4326"
        )
        gaz = cls(gdf, name=name, sources=sources or [origin])
        gaz.bad_rows = tuple(problems)
        return gaz

    #: Messages for the rows skipped when the gazetteer was built.
    bad_rows: tuple[str, ...] = ()

    # ------------------------------------------------------------------ basics
    def __len__(self) -> int:
        return len(self.places)

    def __repr__(self) -> str:
        return f"Gazetteer({self.name!r}, {len(self)} places, {self.n_names} names)"

    @property
    def n_names(self) -> int:
        """Number of names, alternate names included."""
        return int(len(self.places) + sum(len(a) for a in self.places["alt_names"]))

    @property
    def index(self) -> NameIndex:
        """The name index (built on first use)."""
        if self._index is None:
            pids: list[int] = []
            names: list[str] = []
            for i, (nm, alts) in enumerate(zip(self.places["name"], self.places["alt_names"])):
                for n in dict.fromkeys([nm, *alts]):
                    pids.append(i)
                    names.append(n)
            self._index = NameIndex(name_rows(pids, names))
        return self._index

    def _counts(self) -> Counter[str]:
        if self._key_counts is None:
            counts: Counter[str] = Counter()
            for nm, alts in zip(self.places["name"], self.places["alt_names"]):
                counts.update({name_key(n) for n in [nm, *alts]})
            self._key_counts = counts
        return self._key_counts

    def specificity(self, name: str) -> float:
        """How much a name singles out one place: 1 / (number of places bearing it).

        "Lal Chowk" is borne by chowks in Srinagar, Kargil and Muzaffarabad: 1/3. A name no
        place bears counts as unique (1.0).
        """
        n = self._counts().get(name_key(name), 0)
        return 1.0 / n if n else 1.0

    # ------------------------------------------------------------------ search
    def search(
        self,
        query: str,
        k: int = 5,
        *,
        country: str | Iterable[str] | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        kind: str | None = None,
        min_score: float = 0.0,
    ) -> gpd.GeoDataFrame:
        """Find places by name, in Urdu/Arabic or Latin script, spelling variants and OCR errors.

        Parameters
        ----------
        query
            A place name as read or typed (``"کرگل"``, ``"Khomeni Chowk"``, ``"Isna Ashriya"``).
        k
            Number of places to return.
        country
            ISO country code(s) to keep.
        bbox
            ``(min_lon, min_lat, max_lon, max_lat)`` to keep.
        kind
            Keep only places of this kind.
        min_score
            Drop matches scoring below this (0-100).

        Returns
        -------
        geopandas.GeoDataFrame
            Best first: ``id, name, matched_name, score`` (0-100), ``specificity``, the place's
            other columns and its point geometry.
        """
        if not isinstance(query, str):
            raise TypeError(f"query must be a string, got {type(query).__name__}")
        mask = np.ones(len(self.places), dtype=bool)
        if country is not None:
            wanted = {country} if isinstance(country, str) else set(country)
            mask &= self.places["country"].isin(wanted).to_numpy()
        if bbox is not None:
            x0, y0, x1, y1 = bbox
            mask &= (
                (self.places["lon"] >= x0)
                & (self.places["lon"] <= x1)
                & (self.places["lat"] >= y0)
                & (self.places["lat"] <= y1)
            ).to_numpy()
        if kind is not None:
            mask &= (self.places["kind"] == kind).to_numpy()
        q = QueryKeys.of(query)
        best = self.index.best_per_place(q, mask)
        best = best[best["score"] >= min_score].head(k) if len(best) else best
        rows = (
            self.places.iloc[best["place"].to_numpy()].copy()
            if len(best)
            else self.places.iloc[[]].copy()
        )
        rows.insert(2, "matched_name", best["matched_name"].to_numpy() if len(best) else [])
        rows.insert(3, "score", np.round(best["score"].to_numpy(), 1) if len(best) else [])
        rows.insert(4, "specificity", [self.specificity(n) for n in rows["matched_name"]])
        rows.attrs["query"] = query
        rows.attrs["query_script"] = q.script
        return rows.reset_index(drop=True)

    # ------------------------------------------------------------------ combination
    def merge(
        self, *others: Gazetteer, dedupe_m: float = 1000.0, name: str | None = None
    ) -> Gazetteer:
        """Combine gazetteers; places with the same name key within ``dedupe_m`` metres are merged.

        The first occurrence is kept and gains the other's names as alternate names; its
        ``source`` lists both.
        """
        frames = [self.places, *[o.places for o in others]]
        allp = pd.concat(frames, ignore_index=True)
        keep: list[int] = []
        merged_alts: dict[int, list[str]] = {}
        merged_src: dict[int, list[str]] = {}
        by_key: dict[str, list[int]] = {}
        lat = allp["lat"].to_numpy()
        lon = allp["lon"].to_numpy()
        for i, row in enumerate(allp.itertuples(index=False)):
            key = name_key(row.name)
            target = None
            for j in by_key.get(key, []):
                if _haversine_m(lat[i], lon[i], lat[j], lon[j]) <= dedupe_m:
                    target = j
                    break
            if target is None:
                keep.append(i)
                by_key.setdefault(key, []).append(i)
            else:
                merged_alts.setdefault(target, []).extend([row.name, *row.alt_names])
                merged_src.setdefault(target, []).append(str(row.source))
        out = allp.iloc[keep].copy()
        out["alt_names"] = [
            list(dict.fromkeys([*a, *merged_alts.get(i, [])]))
            for i, a in zip(keep, out["alt_names"])
        ]
        out["source"] = [
            " + ".join(dict.fromkeys([s, *merged_src.get(i, [])]))
            for i, s in zip(keep, out["source"])
        ]
        gdf = gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")
        return Gazetteer(
            gdf,
            name=name or " + ".join([self.name, *[o.name for o in others]]),
            sources=[*self.sources, *[s for o in others for s in o.sources]],
        )

    def __add__(self, other: Gazetteer) -> Gazetteer:
        return self.merge(other)

    def to_dataframe(self) -> pd.DataFrame:
        """The places as a plain DataFrame, ``alt_names`` joined with ``|``."""
        df = pd.DataFrame(self.places.drop(columns="geometry"))
        df["alt_names"] = ["|".join(a) for a in df["alt_names"]]
        return df

    def _repr_html_(self) -> str:
        head = self.places.head(8)
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(v))}</td>"
                for v in (
                    r.id,
                    r.name,
                    ", ".join(a for a in r.alt_names if detect_script(a) == "Arab")[:60],
                    f"{r.lat:.4f}, {r.lon:.4f}",
                    r.kind,
                    f"{r.country}/{r.admin1}",
                    r.source[:60],
                )
            )
            + "</tr>"
            for r in head.itertuples()
        )
        hdr = "".join(
            f"<th>{h}</th>"
            for h in (
                "id",
                "name",
                "Urdu/Arabic names",
                "lat, lon",
                "kind",
                "country/admin1",
                "source",
            )
        )
        return (
            f"<div><b>{html.escape(repr(self))}</b><table><tr>{hdr}</tr>{rows}</table>"
            f"{'…' if len(self) > 8 else ''}</div>"
        )


def _haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(min(1.0, a)))
