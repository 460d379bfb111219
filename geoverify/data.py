"""Where geoverify's data comes from: bundled files, published downloads, and a local override.

Three sources, searched in this order for a published dataset:

1. ``settings.data_dir`` (env ``GEOVERIFY_DATA_DIR``): a folder holding files under their
   published stem, e.g. ``ne_10m_admin_0_disputed_areas.geojson`` or ``.zip``. For air-gapped
   machines and for tests.
2. The download cache (``settings.cache_dir``), filled by earlier downloads.
3. The publisher, through :mod:`pooch`, when ``settings.allow_downloads`` is true. The sha256 of
   what was fetched is recorded in the cache's ``fetched.json`` and checked on every later use;
   where the publisher gives a hash, it is checked at download time.

Bundled data (the regional gazetteer, the demo video) ships inside the wheel.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

from . import settings
from ._atomic import write_text
from .exceptions import DataUnavailableError, IntegrityError

_REPO_DATA = Path(__file__).resolve().parent.parent / "data"

#: File suffixes tried, in order, when a published stem is looked up in ``data_dir``.
_SUFFIXES = (".geojson", ".gpkg", ".zip", ".shp", ".json", ".txt", ".csv", ".tsv")


def bundled_path(*parts: str) -> Path:
    """Path of a file bundled with geoverify (``data/`` in a checkout, ``_bundled/`` in a wheel).

    Parameters
    ----------
    *parts
        Components below the bundled data folder, e.g. ``("gazetteers", "landmarks.csv")``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    DataUnavailableError
        If the file is in neither place.
    """
    in_wheel = Path(str(resources.files("geoverify"))) / "_bundled"
    for root in (in_wheel, _REPO_DATA):
        candidate = root.joinpath(*parts)
        if candidate.exists():
            return candidate
    raise DataUnavailableError(
        f"bundled file {'/'.join(parts)!r} is missing from this installation of geoverify "
        f"(looked in {in_wheel} and {_REPO_DATA})"
    )


@dataclass(frozen=True)
class Dataset:
    """A published file that geoverify can fetch."""

    name: str
    url: str
    stem: str
    description: str
    licence: str
    known_hash: str | None = None  # "sha256:..." where the publisher gives one


NATURAL_EARTH = "https://naciscdn.org/naturalearth"

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset(
            "ne_10m_admin_0_disputed_areas",
            f"{NATURAL_EARTH}/10m/cultural/ne_10m_admin_0_disputed_areas.zip",
            "ne_10m_admin_0_disputed_areas",
            "Natural Earth 10m disputed areas (Kashmir: J&K, Azad Kashmir, Northern Areas, ...)",
            "public domain",
        ),
        Dataset(
            "ne_10m_admin_0_boundary_lines_disputed_areas",
            f"{NATURAL_EARTH}/10m/cultural/ne_10m_admin_0_boundary_lines_disputed_areas.zip",
            "ne_10m_admin_0_boundary_lines_disputed_areas",
            "Natural Earth 10m disputed boundary lines (Line of Control)",
            "public domain",
        ),
        Dataset(
            "ne_50m_admin_0_countries",
            f"{NATURAL_EARTH}/50m/cultural/ne_50m_admin_0_countries.zip",
            "ne_50m_admin_0_countries",
            "Natural Earth 50m de-facto country polygons",
            "public domain",
        ),
        Dataset(
            "ne_10m_rivers_lake_centerlines",
            f"{NATURAL_EARTH}/10m/physical/ne_10m_rivers_lake_centerlines.zip",
            "ne_10m_rivers_lake_centerlines",
            "Natural Earth 10m rivers and lake centre lines (base layer of the maps)",
            "public domain",
        ),
        Dataset(
            "ne_10m_lakes",
            f"{NATURAL_EARTH}/10m/physical/ne_10m_lakes.zip",
            "ne_10m_lakes",
            "Natural Earth 10m lakes (base layer of the maps)",
            "public domain",
        ),
        Dataset(
            "geonames_cities500",
            "https://download.geonames.org/export/dump/cities500.zip",
            "cities500",
            "GeoNames populated places with population >= 500",
            "CC BY 4.0 (GeoNames)",
        ),
        Dataset(
            "geonames_alternate_names",
            "https://download.geonames.org/export/dump/alternateNamesV2.zip",
            "alternateNamesV2",
            "GeoNames alternate names, with language codes",
            "CC BY 4.0 (GeoNames)",
        ),
    ]
}


GEONAMES_DUMP = "https://download.geonames.org/export/dump"

_GEONAMES_NAME_RE = r"[A-Z]{2}|allCountries|cities(?:500|1000|5000|15000)|alternateNamesV2"


def geonames_dataset(name: str) -> Dataset:
    """The :class:`Dataset` of a GeoNames dump file, registered in :data:`DATASETS` if new.

    Parameters
    ----------
    name
        A country code (``"IN"``, ``"PK"``), ``"allCountries"``, ``"cities500"`` (1000, 5000,
        15000) or ``"alternateNamesV2"``.

    Returns
    -------
    Dataset
        Named ``geonames_<name>`` (``geonames_alternate_names`` for the alternate names), with
        the publisher's URL ``https://download.geonames.org/export/dump/<name>.zip``.

    Raises
    ------
    DataUnavailableError
        ``name`` is not a GeoNames dump.
    """
    import re

    if name == "alternateNamesV2":
        return DATASETS["geonames_alternate_names"]
    if not re.fullmatch(_GEONAMES_NAME_RE, name):
        raise DataUnavailableError(
            f"{name!r} is not a GeoNames dump; use a two-letter country code (IN, PK), "
            f"allCountries, cities500/1000/5000/15000 or alternateNamesV2"
        )
    key = f"geonames_{name}"
    if key not in DATASETS:
        what = (
            f"GeoNames places of country {name}"
            if len(name) == 2
            else "GeoNames, all countries"
            if name == "allCountries"
            else f"GeoNames populated places with population >= {name[6:]}"
        )
        DATASETS[key] = Dataset(
            key, f"{GEONAMES_DUMP}/{name}.zip", name, what, "CC BY 4.0 (GeoNames)"
        )
    return DATASETS[key]


def fetch_geonames(
    name: str,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    allow_download: bool | None = None,
    url: str | None = None,
) -> Path:
    """Local path of a GeoNames dump (``IN.zip``, ``allCountries.zip``, ...), fetched if needed.

    Looks in ``data_dir`` / ``GEOVERIFY_DATA_DIR`` for ``<name>.zip`` or ``<name>.txt`` first,
    then the cache, then downloads through :func:`fetch` (pooch; sha256 recorded).

    Parameters
    ----------
    name
        See :func:`geonames_dataset`.
    data_dir, allow_download, url
        As for :func:`fetch`.

    Returns
    -------
    pathlib.Path
    """
    ds = geonames_dataset(name)
    return fetch(ds.name, data_dir=data_dir, allow_download=allow_download, url=url)


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file's bytes."""
    with open(path, "rb") as fh:
        return sha256_stream(fh)


def sha256_stream(fh: BinaryIO, chunk: int = 1 << 20) -> str:
    """Hex sha256 of what is left to read in a binary file object, read in blocks."""
    h = hashlib.sha256()
    for block in iter(lambda: fh.read(chunk), b""):
        h.update(block)
    return h.hexdigest()


def _registry_path() -> Path:
    return settings.cache_path("fetched.json")


def _load_registry() -> dict[str, Any]:
    path = _registry_path()
    if not path.exists():
        return {}
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def _record(name: str, path: Path, url: str) -> dict[str, Any]:
    registry = _load_registry()
    entry = {"file": path.name, "url": url, "sha256": sha256_file(path)}
    registry[name] = entry
    write_text(_registry_path(), json.dumps(registry, indent=2, sort_keys=True))
    return entry


def find_local(stem: str, data_dir: str | os.PathLike[str] | None = None) -> Path | None:
    """Find a file by its published stem in ``data_dir`` (default ``settings.data_dir``)."""
    folder = data_dir if data_dir is not None else settings.data_dir
    if not folder:
        return None
    for suffix in _SUFFIXES:
        candidate = Path(folder).expanduser() / f"{stem}{suffix}"
        if candidate.exists():
            return candidate
    return None


def fetch(
    name: str,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    allow_download: bool | None = None,
    url: str | None = None,
) -> Path:
    """Return a local path for a published dataset, downloading it if needed and allowed.

    Parameters
    ----------
    name
        A key of :data:`DATASETS`.
    data_dir
        Folder searched first (default ``settings.data_dir``).
    allow_download
        Override ``settings.allow_downloads``.
    url
        Override the publisher's URL (a mirror, or a local test server).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    DataUnavailableError
        If the file is not local and cannot be downloaded; the message names
        ``geoverify data fetch`` and ``GEOVERIFY_DATA_DIR``.
    IntegrityError
        If a cached file no longer matches the hash recorded when it was fetched.
    """
    if name not in DATASETS:
        raise DataUnavailableError(
            f"unknown dataset {name!r}; known: {', '.join(sorted(DATASETS))}"
        )
    ds = DATASETS[name]
    local = find_local(ds.stem, data_dir)
    if local is not None:
        return local

    source = url or ds.url
    filename = source.rsplit("/", 1)[-1]
    cached = settings.cache_path("data", filename)
    if cached.exists():
        recorded = _load_registry().get(name)
        if recorded and recorded.get("sha256") != sha256_file(cached):
            raise IntegrityError(
                f"cached {cached} does not match the sha256 recorded when it was fetched "
                f"({recorded.get('sha256')}); delete it and fetch again"
            )
        return cached

    allowed = settings.allow_downloads if allow_download is None else allow_download
    if not allowed:
        raise DataUnavailableError(
            f"{ds.description} ({ds.stem}) is not available offline. Run `geoverify data fetch` "
            f"on a connected machine, or put {ds.stem}.geojson / .zip in a folder named by "
            f"GEOVERIFY_DATA_DIR (now {settings.data_dir!r})."
        )
    import pooch

    try:
        got = pooch.retrieve(
            source,
            known_hash=ds.known_hash,
            fname=filename,
            path=cached.parent,
            progressbar=settings.progress,
        )
    except Exception as exc:  # network errors come in many types
        raise DataUnavailableError(
            f"could not download {ds.stem} from {source}: {exc}. Run `geoverify data fetch` "
            f"where there is a network, or set GEOVERIFY_DATA_DIR to a folder holding "
            f"{ds.stem}.geojson / .zip."
        ) from exc
    _record(name, Path(got), source)
    return Path(got)


def bundled_layer(name: str) -> Path:
    """geoverify's simplified South Asia subset of the published layer ``name``.

    Built by ``scripts/build_bundled_regions.py`` into ``data/regions/naturalearth/`` (its
    ``SOURCES.json`` records the inputs, their sha256 and the simplification).

    Raises
    ------
    DataUnavailableError
        The subset has no such layer.
    """
    stem = DATASETS[name].stem if name in DATASETS else name
    return bundled_path("regions", "naturalearth", f"{stem}.geojson")


def published_or_bundled(
    name: str, *, data_dir: str | os.PathLike[str] | None = None
) -> tuple[Path, str]:
    """The published file of ``name`` where it is at hand, else the bundled subset; no download.

    Returns
    -------
    (pathlib.Path, str)
        The file and where it came from: ``"published"`` (``data_dir`` or fetched earlier
        into the cache, hash checked) or ``"bundled"``.

    Raises
    ------
    DataUnavailableError
        Neither is at hand.
    IntegrityError
        A fetched file no longer matches the hash recorded when it was fetched.
    """
    try:
        return fetch(name, data_dir=data_dir, allow_download=False), "published"
    except DataUnavailableError:
        return bundled_layer(name), "bundled"


for _code in ("IN", "PK", "AF", "CN", "allCountries", "cities1000", "cities5000", "cities15000"):
    geonames_dataset(_code)


def fetched() -> dict[str, Any]:
    """What has been downloaded so far: ``{name: {file, url, sha256}}`` (for provenance)."""
    return _load_registry()
