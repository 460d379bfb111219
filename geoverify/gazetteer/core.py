"""The :class:`Gazetteer`: places with names in several scripts, and a search over them."""

from __future__ import annotations

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

from .._deprecated import module_getattr
from .._escape import html_text
from ..exceptions import BadRowsWarning, GazetteerError, OptionError
from ..text import detect_script, name_key, normalize
from ._index import NameIndex, QueryKeys
from ._validate import COLUMNS, check_swapped_coordinates, clean_places

#: Places of a run kept within this many points of the run's best match.
SPOT_MARGIN = 8.0


def _inside_a_run_as_good(s: int, e: int, best: dict[tuple[int, int], float]) -> bool:
    """Whether the run ``s:e`` lies inside a longer run that matched as well (within 2)."""
    return any(
        s2 <= s and e <= e2 and (s2, e2) != (s, e) and score >= best[(s, e)] - 2.0
        for (s2, e2), score in best.items()
    )


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
        clean, problems = clean_places(df, origin)
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
        """The name index (built on first use; the n-gram index of ``_index.py``)."""
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
        self, text: str, *, min_score: float = 80.0, max_words: int = 6, k: int = 5
    ) -> pd.DataFrame:
        """Spot place names inside a longer line ("Anjuman ... Kargil", "Hazara Town Quetta").

        The one name spotter: :func:`geoverify.match_places` calls it for every line. Every
        run of up to ``max_words`` words that neither begins nor ends with a function word
        ("in", "of", "کے") is looked up. A run inside a longer run that matched as well (within
        2 points) adds nothing; of each run's places, those within 8 points of its best are
        kept; a place found by several runs keeps its best.

        Parameters
        ----------
        text
            A line of text.
        min_score
            Lowest match score kept.
        max_words
            Longest run of words tried as one name.
        k
            Places looked up per run.

        Returns
        -------
        pandas.DataFrame
            One row per place, best first: ``span, start, end`` (the run that named it, as
            character offsets into ``text``) and the columns of :meth:`search` (``id, name,
            matched_name, score, specificity, lat, lon, ...``), without geometry.
        """
        from ..text import candidate_spans

        runs = []
        for s, e, span in candidate_spans(text, max_words=max_words):
            res = self.search(span, k=k, min_score=min_score)
            if len(res):
                runs.append((s, e, res))
        best = {(s, e): float(res["score"].iloc[0]) for s, e, res in runs}
        found: dict[str, dict[str, Any]] = {}
        for s, e, res in runs:
            if _inside_a_run_as_good(s, e, best):
                continue
            near = res[res["score"] >= best[(s, e)] - SPOT_MARGIN].drop(columns="geometry")
            for r in near.to_dict("records"):
                if r["id"] not in found or r["score"] > found[r["id"]]["score"]:
                    found[r["id"]] = {"span": text[s:e], "start": s, "end": e, **r}
        first = ["id", "name", "matched_name", "score", "specificity"]
        rest = [c for c in self.places.columns if c not in first and c != "geometry"]
        columns = ["span", "start", "end", *first, *rest]
        rows = sorted(found.values(), key=lambda r: (-r["score"], str(r["id"])))
        return pd.DataFrame(rows, columns=columns)

    # ------------------------------------------------------------------ combination
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
        from ._merge import find_duplicates

        return find_duplicates(self.places, within_m)

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
        from ._merge import merge_places

        places, log = merge_places([self.places, *[o.places for o in others]], dedupe_m)
        gaz = Gazetteer(
            places,
            name=name or " + ".join([self.name, *[o.name for o in others]]),
            sources=[*self.sources, *[s for o in others for s in o.sources]],
        )
        gaz.merge_log = log
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
        from ._store import write_npz

        return write_npz(self, path)

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
        from ._store import read_npz

        places, meta, index = read_npz(path)
        gaz = cls(places, name=meta["name"], sources=meta["sources"])
        gaz.bad_rows = tuple(meta.get("bad_rows", ()))
        gaz._index = index
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


# Old names that moved: they still work, with a warning, until 0.3.
__getattr__ = module_getattr(
    "geoverify.gazetteer.core",
    {
        "inside_country": "geoverify.gazetteer.countries:inside_country",
        "PackedStrings": "geoverify.gazetteer._index:PackedStrings",
    },
)
