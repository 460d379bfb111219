"""Region polygons from Natural Earth (private: used by :func:`geoverify.load_regions`).

The files are read as hostile input: a layer that cannot be read, is empty, lacks a region's
geometry, is not in longitude/latitude (a CRS that does not match the numbers, swapped axes)
or puts a region's anchor places (:attr:`geoverify.regions.Region.anchors`) anywhere but in
that region raises :class:`~geoverify.exceptions.RegionDataError` naming the file.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from ._region_hierarchy import LINE_OF_CONTROL, REGIONS, ancestors, leaves, region
from .data import bundled_layer, fetch, published_or_bundled, sha256_file
from .exceptions import InputError, RegionDataError

_LAYERS = {
    "disputed": ("ne_10m_admin_0_disputed_areas", "BRK_NAME"),
    "countries": ("ne_50m_admin_0_countries", "ADMIN"),
}


def _read(key: str, data_dir: str | None, use: str) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """One Natural Earth layer in EPSG:4326, checked: readable, not empty, with its name
    column and with coordinates that are longitude/latitude.

    ``use``: ``"published"`` (a local or fetched file, downloaded if settings allow),
    ``"bundled"`` (geoverify's simplified subset) or ``"auto"`` (published where at hand,
    else bundled; never a download)."""
    name, col = _LAYERS[key]
    if use == "bundled":
        path, origin = bundled_layer(name), "bundled"
    elif use == "auto":
        path, origin = published_or_bundled(name, data_dir=data_dir)
    else:
        path, origin = fetch(name, data_dir=data_dir), "published"
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio/GDAL raise several error types
        raise RegionDataError(
            f"{path}: not a vector file geopandas can read ({type(exc).__name__}: {exc})"
        ) from exc
    if len(gdf) == 0:
        raise RegionDataError(f"{path}: no features (an empty layer)")
    if col not in gdf.columns:
        raise RegionDataError(f"{path}: no {col} column, so not the Natural Earth layer {name}")
    gdf = to_lonlat(gdf, str(path))
    gdf["geometry"] = shapely.make_valid(gdf.geometry.values)
    return gdf, {"file": str(path), "sha256": sha256_file(path), "origin": origin}


def to_lonlat(
    gdf: gpd.GeoDataFrame, path: str, error: type[InputError] = RegionDataError
) -> gpd.GeoDataFrame:
    """``gdf`` in EPSG:4326 (no CRS: taken as EPSG:4326), checked.

    Parameters
    ----------
    gdf
        A layer read from ``path``.
    path
        Its file, for messages.
    error
        The exception to raise (:class:`RegionDataError`, or
        :class:`~geoverify.exceptions.GazetteerError` for a gazetteer).

    Returns
    -------
    geopandas.GeoDataFrame

    Raises
    ------
    InputError
        ``error``: no feature has a geometry, the CRS is projected but the coordinates are
        longitude/latitude degrees (relabelled without reprojecting), or the coordinates
        are not longitude/latitude once reprojected.
    """
    present = gdf.geometry[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if len(present) == 0:
        raise error(f"{path}: no geometry in any of its {len(gdf)} features")

    def degrees(frame: Any) -> tuple[bool, str]:
        x0, y0, x1, y1 = (float(v) for v in frame.total_bounds)
        ok = -180.0 <= x0 <= x1 <= 180.0 and -90.0 <= y0 <= y1 <= 90.0
        return ok, f"x {x0:.6g} to {x1:.6g}, y {y0:.6g} to {y1:.6g}"

    fits, extent = degrees(present)
    if gdf.crs is None:
        gdf = gdf.set_crs(4326)
    elif not gdf.crs.is_geographic:
        if fits:
            raise error(
                f"{path}: CRS says {gdf.crs.to_string()} but the coordinates ({extent}) are "
                f"longitude/latitude degrees (relabelled without reprojecting?)"
            )
        gdf = gdf.to_crs(4326)
    elif gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    fits, extent = degrees(gdf.geometry[gdf.geometry.notna() & ~gdf.geometry.is_empty])
    if not fits:
        raise error(f"{path}: the coordinates ({extent}) are not longitude/latitude")
    return gdf


def natural_earth_polygons(
    table: pd.DataFrame, data_dir: str | None = None, use: str = "published"
) -> tuple[list[Any], dict[str, Any]]:
    """Geometry for each row of ``table`` (None where no region of it has a polygon).

    ``use`` says which files: ``"published"``, ``"bundled"`` or ``"auto"`` (see :func:`_read`).

    Pakistan and India are drawn as their de-facto countries minus the disputed areas they
    administer, so that the top-level regions do not overlap.

    Raises
    ------
    RegionDataError
        A layer is unusable, a region's feature or geometry is missing, or an anchor place
        is not where the polygons should put it (the message names the file).
    """
    layers = {key: _read(key, data_dir, use) for key in _LAYERS}

    def feature(layer: str, value: str) -> BaseGeometry:
        gdf, meta = layers[layer]
        col = _LAYERS[layer][1]
        sel = gdf.geometry[(gdf[col] == value).to_numpy()]
        if len(sel) == 0:
            raise RegionDataError(f"{meta['file']}: no feature with {col} = {value!r}")
        sel = sel[sel.notna() & ~sel.is_empty]
        if len(sel) == 0:
            raise RegionDataError(f"{meta['file']}: no geometry for {value}")
        return shapely.union_all(sel.values)

    by_id: dict[str, BaseGeometry | None] = {}
    for r in REGIONS:
        parts = [feature(layer, value) for layer, value in r.ne_features]
        by_id[r.id] = shapely.union_all(parts) if parts else None
    drawn = dict(by_id)  # "minus" takes the features as drawn, not as already reduced
    for r in REGIONS:
        shape, less = drawn.get(r.id), [drawn.get(m) for m in r.minus]
        if shape is not None and less and all(g is not None for g in less):
            by_id[r.id] = shapely.make_valid(shape.difference(shapely.union_all(less)))
    files = {key: meta for key, (_, meta) in layers.items()}
    _check_anchors(by_id, files)
    loc = None
    sides = [by_id.get(i) for i in LINE_OF_CONTROL or ()]
    if len(sides) == 2 and sides[0] is not None and sides[1] is not None:
        # the Line of Control: where India- and Pakistan-administered Kashmir meet
        loc = shapely.line_merge(sides[0].boundary.intersection(sides[1].buffer(0.02)))
    bundled = any(meta["origin"] == "bundled" for _, meta in layers.values())
    extras = {
        "source": "Natural Earth (10m disputed areas, 50m countries)"
        + (", geoverify's bundled simplified South Asia subset" if bundled else ""),
        "files": files,
        "line_of_control": loc,
    }
    return [by_id.get(i) for i in table["id"]], extras


def _check_anchors(by_id: dict[str, BaseGeometry | None], files: dict[str, dict[str, str]]) -> None:
    """Raise :class:`RegionDataError` unless every region's anchor places lie inside the
    polygon of the region, or of its nearest ancestor that has one, and inside no polygon of
    a region that is neither an ancestor nor a descendant of it."""

    for r in REGIONS:
        chain = ancestors(r.id)
        owner = next((rid for rid in chain if by_id.get(rid) is not None), None)
        if owner is None or not r.anchors:
            continue
        poly = by_id[owner]
        assert poly is not None
        file = files[region(owner).ne_features[0][0]]["file"]
        related = set(chain) | {rid for rid in by_id if leaves(rid) <= leaves(r.id)}
        for name, lat, lon in r.anchors:
            where = f"{name} ({lat:.2f}N {lon:.2f}E)"
            if not poly.contains(shapely.Point(lon, lat)):
                if poly.contains(shapely.Point(lat, lon)):
                    raise RegionDataError(
                        f"{file}: coordinates look swapped (x/y): {where} is inside "
                        f"{region(owner).name} only with latitude and longitude exchanged"
                    )
                raise RegionDataError(f"{file}: {where} is not inside {region(owner).name}")
            for rid, other in by_id.items():
                if (
                    rid not in related
                    and other is not None
                    and other.contains(shapely.Point(lon, lat))
                ):
                    raise RegionDataError(
                        f"{file}: {where} lies inside {region(rid).name} as well as "
                        f"{region(owner).name}"
                    )
