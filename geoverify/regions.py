"""Named regions to test claims against, with neutral names and the names each side uses.

Each region has a stable id, a neutral display name, aliases (the names used in India, in
Pakistan and in the press), a parent, and the GeoNames admin-1 codes that make it up, so that a
gazetteer place with ``country`` and ``admin1`` can be placed in a region offline, with no
polygons. :func:`load_regions` adds polygons where Natural Earth data is available.

The leaves partition the area of interest; the hypotheses of a verdict are built from leaves,
so "Ladakh" and "the rest of India-administered Jammu and Kashmir" never overlap.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import pandas as pd

from ._deprecated import warn_deprecated
from ._escape import html_text
from ._region_hierarchy import (
    ALL_LEAVES,
    ELSEWHERE,
    REGIONS,
    Region,
    ancestors,
    children,
    leaf_for_admin,
    leaves,
    region,
)
from .exceptions import (
    DataUnavailableError,
    OptionError,
    RegionDataError,
    RegionDataWarning,
)

__all__ = [
    "ALL_LEAVES",
    "ELSEWHERE",
    "REGIONS",
    "Region",
    "ancestors",
    "children",
    "leaf_for_admin",
    "leaves",
    "load_regions",
    "region",
]


_SOURCES = ("auto", "admin", "naturalearth", "bundled")


def _with_polygons(table: pd.DataFrame, data_dir: str | None, use: str) -> gpd.GeoDataFrame:
    from ._region_polygons import natural_earth_polygons

    geoms, extras = natural_earth_polygons(table, data_dir=data_dir, use=use)
    gdf = gpd.GeoDataFrame(table, geometry=geoms, crs="EPSG:4326")
    gdf.attrs.update(extras)
    return gdf


def load_regions(source: str = "auto", *, data_dir: str | None = None) -> gpd.GeoDataFrame:
    """The regions as a GeoDataFrame: ``id, name, parent, aliases, admin1, note`` and geometry.

    Parameters
    ----------
    source
        ``"auto"`` (default): polygons from the full-resolution Natural Earth files where they
        are at hand (in ``data_dir``, or fetched earlier by ``geoverify data fetch``), else
        from geoverify's bundled simplified South Asia subset; never a download. A published
        file that fails the checks below gives a warning and the subset instead.
        ``"naturalearth"``: the full-resolution files only (downloaded when
        ``settings.allow_downloads``; raises if unavailable or unsound).
        ``"bundled"``: the bundled subset only.
        ``"admin"``: no polygons (geometry empty), membership by admin-1 codes only.
    data_dir
        Folder of published files (default ``settings.data_dir``, env ``GEOVERIFY_DATA_DIR``).

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326; ``.attrs["source"]`` says which data drew it and ``.attrs["line_of_control"]``
        holds the Line of Control where known.

    Raises
    ------
    DataUnavailableError
        ``"naturalearth"`` and the files are neither local nor downloadable.
    RegionDataError
        ``"naturalearth"`` and a file is unreadable or empty (not a vector file, invalid
        JSON), lacks a region's feature or geometry, has coordinates that are not
        longitude/latitude (a CRS its numbers contradict, swapped x/y), or puts a region's
        anchor place (:attr:`Region.anchors`, e.g. Kargil in Ladakh) outside that region;
        the message names the file and the problem. ``"auto"`` warns
        (:class:`~geoverify.exceptions.RegionDataWarning`) and uses the bundled subset, or
        admin-1 codes where that fails too.
    """
    table = pd.DataFrame(
        [
            {
                "id": r.id,
                "name": r.name,
                "parent": r.parent,
                "aliases": list(r.aliases),
                "admin1": list(r.admin1),
                "leaf": not children(r.id),
                "note": r.note,
            }
            for r in REGIONS
        ]
    )
    if source not in _SOURCES:
        raise OptionError(f"source must be one of {', '.join(map(repr, _SOURCES))}, got {source!r}")
    if source != "admin":
        use = {"auto": "auto", "naturalearth": "published", "bundled": "bundled"}[source]
        try:
            return _with_polygons(table, data_dir, use)
        except (RegionDataError, DataUnavailableError) as exc:
            if source != "auto":
                raise
            problem = exc
        # "auto": the published files at hand failed their checks, so the subset
        warnings.warn(
            f"{problem}; using geoverify's bundled subset of Natural Earth instead",
            RegionDataWarning,
            stacklevel=2,
        )
        try:
            return _with_polygons(table, data_dir, "bundled")
        except (RegionDataError, DataUnavailableError) as exc:
            problem = exc
        warnings.warn(
            f"{problem}; region polygons not used: falling back to admin-1 codes only",
            RegionDataWarning,
            stacklevel=2,
        )
    gdf = gpd.GeoDataFrame(table, geometry=gpd.GeoSeries([None] * len(table)), crs="EPSG:4326")
    gdf.attrs["source"] = "admin-1 codes (no polygons)"
    return gdf


# Deprecated: kept working, with a warning, until 0.3.


def describe(region_id: str) -> dict[str, object]:
    """A region as a plain dict (for JSON output).

    .. deprecated:: 0.2
       Use ``load_regions()``, a table with one row per region.
    """
    warn_deprecated("geoverify.regions.describe", "load_regions(), a row of the regions table")
    if region_id == ELSEWHERE:
        return {"id": ELSEWHERE, "name": "Elsewhere (none of the regions considered)"}
    r = region(region_id)
    return {"id": r.id, "name": r.name, "parent": r.parent, "aliases": list(r.aliases)}


def regions_html(regions: pd.DataFrame) -> str:
    """A small HTML table of regions and their aliases (every cell escaped).

    .. deprecated:: 0.2
       A regions table shows itself in a notebook; ``DataFrame.to_html`` escapes too.
    """
    warn_deprecated("geoverify.regions.regions_html", "the regions table's own HTML")
    rows = "".join(
        f"<tr><td>{html_text(r.id)}</td><td>{html_text(r.name)}</td>"
        f"<td>{html_text(', '.join(r.aliases))}</td></tr>"
        for r in regions.itertuples()
    )
    return f"<table><tr><th>id</th><th>name</th><th>aliases</th></tr>{rows}</table>"
