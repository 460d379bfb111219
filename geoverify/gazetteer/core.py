"""The :class:`Gazetteer`: places with names in several scripts, and a search over them."""

from __future__ import annotations

import json
import math
import os
import time
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .._escape import html_text
from .._sphere import haversine_m
from ..exceptions import BadRowsWarning, GazetteerError, OptionError
from ..text import detect_script, name_key, normalize
from .countries import inside_country
from .index import NameIndex, PackedStrings, QueryKeys

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

#: Extension of files written by :meth:`Gazetteer.save`.
SAVE_SUFFIX = ".npz"


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
        [_split_alt(v) for v in out["alt_names"]]
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

    #: Messages for the rows skipped when the gazetteer was built.
    bad_rows: tuple[str, ...] = ()

    def __init__(
        self, places: gpd.GeoDataFrame, *, name: str = "gazetteer", sources: Sequence[str] = ()
    ) -> None:
        self._index: NameIndex | None = None
        self._population_cache: NDArray[np.float64] | None = None
        self.places = places
        self.name = name
        #: Where the rows came from (files, packages, URLs), for provenance.
        self.sources = list(sources)
        #: Places merged into others by :meth:`merge` (one row per merged place).
        self.merge_log: pd.DataFrame = pd.DataFrame(
            columns=["kept_id", "merged_id", "name", "distance_m"]
        )
        #: Seconds spent building the name index (None until built).
        self.index_build_s: float | None = None

    @property
    def places(self) -> gpd.GeoDataFrame:
        """The places (EPSG:4326 points, columns of :data:`COLUMNS`).

        Assigning a new table (``gaz.places = gaz.places[gaz.places.country == "IN"]``) drops
        the name index, which is rebuilt on the next search. After editing the table in place,
        call :meth:`build_index` with ``force=True``.
        """
        return self._places

    @places.setter
    def places(self, value: gpd.GeoDataFrame) -> None:
        self._places = value.reset_index(drop=True)
        self._index = None
        self._population_cache = None

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
        check_countries: bool = True,
    ) -> Gazetteer:
        """Build a gazetteer from a DataFrame.

        Parameters
        ----------
        df
            Columns ``id, name, lat, lon`` and optionally ``alt_names`` (list or ``|``-joined),
            ``kind, country, admin1, admin1_name, population, source, uncertainty_m``.
            A ``_line`` column, where present, gives the file line of each row for messages.
        name
            A label for reports.
        origin
            What to call the input in messages (a file name).
        sources
            Provenance strings.
        on_bad_rows
            ``"warn"`` (default: keep good rows, warn listing bad ones), ``"raise"`` or ``"ignore"``.
        check_countries
            Warn when most points lie outside their declared country (swapped lat/lon).

        Returns
        -------
        Gazetteer

        Raises
        ------
        GazetteerError
            A required column is missing, or ``on_bad_rows="raise"`` and a row is bad.
        """
        if on_bad_rows not in ("warn", "raise", "ignore"):
            raise OptionError(
                f"on_bad_rows must be 'warn', 'raise' or 'ignore', not {on_bad_rows!r}"
            )
        origin = origin or name
        clean, problems = _clean(df, origin)
        if problems:
            msg = f"{len(problems)} unusable row(s) skipped or repaired:\n  " + "\n  ".join(
                problems[:50]
            )
            if len(problems) > 50:
                msg += f"\n  ... and {len(problems) - 50} more (see .bad_rows)"
            if on_bad_rows == "raise":
                raise GazetteerError(msg)
            if on_bad_rows == "warn":
                warnings.warn(msg, BadRowsWarning, stacklevel=2)
        if check_countries and on_bad_rows != "ignore":
            swapped = check_swapped_coordinates(clean, origin)
            if swapped:
                warnings.warn(swapped, BadRowsWarning, stacklevel=2)
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
        """The name index (built on first use; see :mod:`geoverify.gazetteer.index`)."""
        if self._index is None:
            t0 = time.perf_counter()
            self._index = NameIndex.build(
                [nm, *alts] for nm, alts in zip(self.places["name"], self.places["alt_names"])
            )
            self.index_build_s = time.perf_counter() - t0
        return self._index

    def build_index(self, force: bool = False) -> Gazetteer:
        """Build the name index now (it is otherwise built on the first search).

        Parameters
        ----------
        force
            Rebuild even if an index exists (after editing ``places`` in place).

        Returns
        -------
        Gazetteer
            ``self``.
        """
        if force:
            self._index = None
            self._population_cache = None
        _ = self.index
        return self

    def specificity(self, name: str) -> float:
        """How much a name singles out one place: 1 / (number of places bearing it).

        "Lal Chowk" is borne by chowks in Srinagar, Kargil and Muzaffarabad: 1/3. A name no
        place bears counts as unique (1.0).

        Parameters
        ----------
        name
            A name (any script). Names are compared by :func:`geoverify.text.name_key`.

        Returns
        -------
        float
        """
        return 1.0 / self.index.count_places(name_key(name))

    def _place_mask(
        self,
        country: str | Iterable[str] | None,
        bbox: tuple[float, float, float, float] | None,
        kind: str | Iterable[str] | None,
    ) -> NDArray[np.bool_] | None:
        if country is None and bbox is None and kind is None:
            return None
        mask = np.ones(len(self.places), dtype=bool)
        if country is not None:
            wanted = {country} if isinstance(country, str) else set(country)
            mask &= self.places["country"].isin(wanted).to_numpy()
        if bbox is not None:
            x0, y0, x1, y1 = bbox
            lon = self.places["lon"].to_numpy()
            lat = self.places["lat"].to_numpy()
            mask &= (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
        if kind is not None:
            kinds = {kind} if isinstance(kind, str) else set(kind)
            mask &= self.places["kind"].isin(kinds).to_numpy()
        return mask

    def _matched_name(self, place: int, row: int) -> str:
        pos = int(self.index.name_pos[row])
        if pos == 0:
            return normalize(self.places["name"].iat[place])
        return normalize(self.places["alt_names"].iat[place][pos - 1])

    # ------------------------------------------------------------------ search
    def search(
        self,
        query: str,
        k: int = 5,
        *,
        country: str | Iterable[str] | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        kind: str | Iterable[str] | None = None,
        min_score: float = 0.0,
        exhaustive: bool | None = None,
    ) -> gpd.GeoDataFrame:
        """Find places by name, in Urdu/Arabic or Latin script, spelling variants and OCR errors.

        Parameters
        ----------
        query
            A place name as read or typed (``"کرگل"``, ``"Khomeni Chowk"``, ``"Isna Ashriya"``).
            A qualifier after a comma ("Kargil, Ladakh") may be left out of the match.
        k
            Number of places to return.
        country
            ISO country code(s) to keep.
        bbox
            ``(min_lon, min_lat, max_lon, max_lat)`` to keep.
        kind
            Keep only places of this kind (or kinds).
        min_score
            Drop matches scoring below this (0-100).
        exhaustive
            Score every name instead of the n-gram candidates (slow on large gazetteers; the
            reference for tests and benchmarks). By default small gazetteers are searched
            exhaustively and large ones through the n-gram index.

        Returns
        -------
        geopandas.GeoDataFrame
            Best first: ``id, name, matched_name, score`` (0-100, 100 = exact),
            ``specificity``, the place's other columns and its point geometry. Ties are broken
            by population.
        """
        if not isinstance(query, str):
            raise OptionError(f"query must be a string, got {type(query).__name__}")
        mask = self._place_mask(country, bbox, kind)
        places, rows, scores = self._search_arrays(query, mask, exhaustive=exhaustive)
        keep = scores >= min_score
        places, rows, scores = places[keep][:k], rows[keep][:k], scores[keep][:k]
        out = self.places.iloc[places]
        matched = [self._matched_name(int(p), int(r)) for p, r in zip(places, rows)]
        out.insert(2, "matched_name", matched)
        out.insert(3, "score", scores)
        out.insert(4, "specificity", [self.specificity(n) for n in matched])
        out.index = pd.RangeIndex(len(out))
        out.attrs["query"] = query
        out.attrs["query_script"] = QueryKeys.of(query).script
        return out

    def _population(self) -> NDArray[np.float64]:
        if self._population_cache is None:
            self._population_cache = self.places["population"].to_numpy(dtype=float)
        return self._population_cache

    def _search_arrays(
        self, query: str, mask: NDArray[np.bool_] | None, *, exhaustive: bool | None = None
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        idx = self.index
        pop = self._population()
        q = QueryKeys.of(query)
        places, rows, scores = idx.best_per_place(q, mask, exhaustive=exhaustive, tiebreak=pop)
        text = normalize(query)
        for sep in (",", "،"):
            if sep in text:
                head = text.split(sep)[0].strip()
                if head and any(ch.isalpha() for ch in head):
                    p2, r2, s2 = idx.best_per_place(
                        QueryKeys.of(head), mask, exhaustive=exhaustive, tiebreak=pop
                    )
                    s2 = s2 - 2.0  # the qualifier was left out
                    best: dict[int, tuple[float, int]] = {
                        int(p): (float(s), int(r)) for p, r, s in zip(places, rows, scores)
                    }
                    for p, r, s in zip(p2.tolist(), r2.tolist(), s2.tolist()):
                        if p not in best or s > best[p][0]:
                            best[p] = (s, r)
                    items = sorted(best.items(), key=lambda kv: (-kv[1][0], -pop[kv[0]], kv[0]))
                    places = np.asarray([p for p, _ in items], dtype=np.int64)
                    rows = np.asarray([r for _, (_, r) in items], dtype=np.int64)
                    scores = np.asarray([s for _, (s, _) in items], dtype=float)
                break
        return places, rows, scores

    def spot(
        self, text: str, *, min_score: float = 80.0, max_words: int = 6, k: int = 3
    ) -> pd.DataFrame:
        """Spot place names inside a longer line ("Anjuman ... Kargil", "Hazara Town Quetta").

        Every run of up to ``max_words`` words that neither begins nor ends with a function
        word is looked up; runs are then chosen greedily, best score (then longest) first,
        without overlaps.

        Parameters
        ----------
        text
            A line of text.
        min_score
            Lowest match score kept.
        max_words
            Longest run of words tried as one name.
        k
            Places kept per spotted name.

        Returns
        -------
        pandas.DataFrame
            One row per (span, place): ``span, start, end, id, name, matched_name, score,
            specificity``.
        """
        from ..text import candidate_spans

        found = []
        for s, e, span in candidate_spans(text, max_words=max_words):
            res = self.search(span, k=k, min_score=min_score)
            if len(res):
                found.append((float(res["score"].iloc[0]), e - s, s, e, span, res))
        found.sort(key=lambda f: (-f[0], -f[1], f[2]))
        taken: list[tuple[int, int]] = []
        rows = []
        for best, _, s, e, span, res in found:
            if any(s < e2 and s2 < e for s2, e2 in taken):
                continue
            taken.append((s, e))
            for r in res.itertuples(index=False):
                if r.score >= best - 8.0:
                    rows.append(
                        {
                            "span": span,
                            "start": s,
                            "end": e,
                            "id": r.id,
                            "name": r.name,
                            "matched_name": r.matched_name,
                            "score": r.score,
                            "specificity": r.specificity,
                        }
                    )
        cols = ["span", "start", "end", "id", "name", "matched_name", "score", "specificity"]
        return (
            pd.DataFrame(rows, columns=cols)
            .sort_values(["start", "score"], ascending=[True, False])
            .reset_index(drop=True)
        )

    # ------------------------------------------------------------------ combination
    def _name_index_map(self) -> dict[str, list[int]]:
        by_key: dict[str, list[int]] = {}
        for i, (nm, alts) in enumerate(zip(self.places["name"], self.places["alt_names"])):
            for key in {name_key(n) for n in [nm, *alts]}:
                by_key.setdefault(key, []).append(i)
        return by_key

    def find_duplicates(self, within_m: float = 1000.0) -> pd.DataFrame:
        """Pairs of places that share a name (any of their names) and lie within ``within_m``.

        Parameters
        ----------
        within_m
            Largest distance, in metres, between two places counted as one.

        Returns
        -------
        pandas.DataFrame
            ``id_a, id_b, name, distance_m``.
        """
        lat = self.places["lat"].to_numpy()
        lon = self.places["lon"].to_numpy()
        ids = self.places["id"].to_numpy()
        pairs: dict[tuple[int, int], tuple[str, float]] = {}
        for key, members in self._name_index_map().items():
            if len(members) < 2 or len(members) > 500:
                continue
            for a_i, a in enumerate(members):
                for b in members[a_i + 1 :]:
                    if (a, b) in pairs:
                        continue
                    d = haversine_m(lat[a], lon[a], lat[b], lon[b])
                    if d <= within_m:
                        pairs[(a, b)] = (key.split("|")[0], d)
        rows = [
            {"id_a": ids[a], "id_b": ids[b], "name": nm, "distance_m": round(d, 1)}
            for (a, b), (nm, d) in sorted(pairs.items())
        ]
        return pd.DataFrame(rows, columns=["id_a", "id_b", "name", "distance_m"])

    def merge(
        self, *others: Gazetteer, dedupe_m: float = 1000.0, name: str | None = None
    ) -> Gazetteer:
        """Combine gazetteers; a place sharing a name with a kept place within ``dedupe_m`` merges.

        Names are compared by :func:`geoverify.text.name_key` over all names (primary and
        alternate) of both places. The first occurrence is kept and gains the other's names as
        alternate names; its ``source`` lists both. ``merge_log`` of the result lists what was
        merged into what.

        Parameters
        ----------
        *others
            Gazetteers to add, in order.
        dedupe_m
            Largest distance, in metres, at which two places of the same name count as one.
        name
            Name of the result.

        Returns
        -------
        Gazetteer
        """
        frames = [self.places, *[o.places for o in others]]
        allp = pd.concat(frames, ignore_index=True)
        keep: list[int] = []
        merged_alts: dict[int, list[str]] = {}
        merged_src: dict[int, list[str]] = {}
        by_key: dict[str, list[int]] = {}
        log: list[dict[str, Any]] = []
        lat = allp["lat"].to_numpy()
        lon = allp["lon"].to_numpy()
        ids = allp["id"].astype(str).to_numpy()
        n_first = len(self.places)
        for i, (nm, alts, src) in enumerate(
            zip(allp["name"], allp["alt_names"], allp["source"].astype(str))
        ):
            keys = list(dict.fromkeys(name_key(n) for n in [nm, *alts]))
            target = None
            if i >= n_first:  # places of one gazetteer are not merged among themselves
                for key in keys:
                    for j in by_key.get(key, []):
                        d = haversine_m(lat[i], lon[i], lat[j], lon[j])
                        if d <= dedupe_m:
                            target = j
                            log.append(
                                {
                                    "kept_id": ids[j],
                                    "merged_id": ids[i],
                                    "name": key.split("|")[0],
                                    "distance_m": round(d, 1),
                                }
                            )
                            break
                    if target is not None:
                        break
            if target is None:
                keep.append(i)
                for key in keys:
                    by_key.setdefault(key, []).append(i)
            else:
                merged_alts.setdefault(target, []).extend([nm, *alts])
                merged_src.setdefault(target, []).append(src)
        out = allp.iloc[keep].copy()
        out["alt_names"] = [
            [n for n in dict.fromkeys([*a, *merged_alts.get(i, [])]) if n != pn]
            for i, a, pn in zip(keep, out["alt_names"], out["name"])
        ]
        out["source"] = [
            " + ".join(dict.fromkeys([s, *merged_src.get(i, [])]))
            for i, s in zip(keep, out["source"])
        ]
        gdf = gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")
        gaz = Gazetteer(
            gdf,
            name=name or " + ".join([self.name, *[o.name for o in others]]),
            sources=[*self.sources, *[s for o in others for s in o.sources]],
        )
        gaz.merge_log = pd.DataFrame(log, columns=["kept_id", "merged_id", "name", "distance_m"])
        return gaz

    def __add__(self, other: Gazetteer) -> Gazetteer:
        return self.merge(other)

    def to_dataframe(self) -> pd.DataFrame:
        """The places as a plain DataFrame, ``alt_names`` joined with ``|``."""
        df = pd.DataFrame(self.places.drop(columns="geometry"))
        df["alt_names"] = ["|".join(a) for a in df["alt_names"]]
        return df

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Save the places and the name index to one ``.npz`` file (index built if needed).

        Parameters
        ----------
        path
            Output file; ``.npz`` is appended if missing.

        Returns
        -------
        pathlib.Path
            The file written.
        """
        from .._atomic import atomic_open

        p = Path(path)
        if p.suffix != SAVE_SUFFIX:
            p = p.with_name(p.name + SAVE_SUFFIX)
        arrays: dict[str, NDArray[Any]] = {}
        columns = [c for c in self.places.columns if c != "geometry"]
        for col in columns:
            arrays.update(_pack_column(f"places/{col}", self.places[col]))
        meta = {
            "format": "geoverify-gazetteer",
            "version": 1,
            "name": self.name,
            "sources": self.sources,
            "columns": columns,
            "bad_rows": list(self.bad_rows[:1000]),
        }
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
        arrays.update(self.index.arrays())
        with atomic_open(p, "wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]
        return p

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Gazetteer:
        """Load a gazetteer written by :meth:`save` (places and name index).

        Parameters
        ----------
        path
            A ``.npz`` file from :meth:`save`.

        Returns
        -------
        Gazetteer

        Raises
        ------
        GazetteerError
            The file is missing or is not a saved gazetteer.
        """
        p = Path(path)
        if not p.exists():
            raise GazetteerError(f"{p}: no such file")
        try:
            with np.load(p, allow_pickle=False) as z:
                arrs = {k: z[k] for k in z.files}
            meta = json.loads(arrs["meta"].tobytes().decode("utf-8"))
        except (OSError, ValueError, KeyError) as exc:
            raise GazetteerError(f"{p}: not a gazetteer saved by Gazetteer.save ({exc})") from exc
        if meta.get("format") != "geoverify-gazetteer":
            raise GazetteerError(f"{p}: not a gazetteer saved by Gazetteer.save")
        data = {col: _unpack_column(f"places/{col}", arrs) for col in meta["columns"]}
        df = pd.DataFrame(data)
        gdf = gpd.GeoDataFrame(
            df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326"
        )
        gaz = cls(gdf, name=meta["name"], sources=meta["sources"])
        gaz.bad_rows = tuple(meta.get("bad_rows", ()))
        try:
            gaz._index = NameIndex.from_arrays(arrs)
        except (KeyError, ValueError) as exc:
            raise GazetteerError(f"{p}: the saved name index is unreadable ({exc})") from exc
        return gaz

    # ------------------------------------------------------------------ display
    def _repr_html_(self) -> str:
        head = self.places.head(8)
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html_text(str(v))}</td>"
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
            f"<div><b>{html_text(repr(self))}</b><table><tr>{hdr}</tr>{rows}</table>"
            f"{'…' if len(self) > 8 else ''}</div>"
        )


def _pack_column(key: str, series: pd.Series) -> dict[str, NDArray[Any]]:
    if key.endswith("/alt_names"):
        lists = [list(a) for a in series]
        flat = [s for a in lists for s in a]
        ps = PackedStrings.from_list(flat)
        return {
            f"{key}:blob": ps.blob,
            f"{key}:off": ps.offsets,
            f"{key}:counts": np.asarray([len(a) for a in lists], dtype=np.int32),
        }
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return {f"{key}:num": series.to_numpy(dtype=float if series.dtype.kind == "f" else None)}
    values = [
        "" if (v is None or (isinstance(v, float) and math.isnan(v))) else str(v) for v in series
    ]
    uniq, codes = np.unique(np.asarray(values, dtype=object), return_inverse=True)
    ps = PackedStrings.from_list(list(uniq))
    return {
        f"{key}:ublob": ps.blob,
        f"{key}:uoff": ps.offsets,
        f"{key}:codes": codes.astype(np.int32),
    }


def _unpack_column(key: str, arrs: dict[str, NDArray[Any]]) -> Any:
    if f"{key}:counts" in arrs:
        flat = PackedStrings(arrs[f"{key}:blob"], arrs[f"{key}:off"]).to_list()
        counts = arrs[f"{key}:counts"]
        ends = np.cumsum(counts).tolist()
        starts = [0, *ends[:-1]]
        return [flat[s:e] for s, e in zip(starts, ends)]
    if f"{key}:num" in arrs:
        return arrs[f"{key}:num"]
    uniq = np.asarray(
        PackedStrings(arrs[f"{key}:ublob"], arrs[f"{key}:uoff"]).to_list(), dtype=object
    )
    return uniq[arrs[f"{key}:codes"]] if len(uniq) else np.zeros(0, dtype=object)
