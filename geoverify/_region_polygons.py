"""Region polygons from Natural Earth (private: used by :func:`geoverify.load_regions`)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from .data import fetch, sha256_file

_LAYERS = {
    "disputed": ("ne_10m_admin_0_disputed_areas", "BRK_NAME"),
    "countries": ("ne_50m_admin_0_countries", "ADMIN"),
}


def _read(name: str, data_dir: str | None) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    path = fetch(name, data_dir=data_dir)
    gdf = gpd.read_file(path)
    if gdf.crs is None:
        gdf = gdf.set_crs(4326)
    elif gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    gdf["geometry"] = shapely.make_valid(gdf.geometry.values)
    return gdf, {"file": str(path), "sha256": sha256_file(path)}


def natural_earth_polygons(
    table: pd.DataFrame, data_dir: str | None = None
) -> tuple[list[Any], dict[str, Any]]:
    """Geometry for each row of ``table`` (None where Natural Earth has no polygon for it).

    Pakistan and India are drawn as their de-facto countries minus the disputed areas they
    administer, so that the top-level regions do not overlap.
    """
    layers = {key: _read(name, data_dir) for key, (name, _) in _LAYERS.items()}
    from .regions import REGIONS

    def feature(layer: str, value: str) -> BaseGeometry | None:
        gdf, _ = layers[layer]
        col = _LAYERS[layer][1]
        sel = gdf[gdf[col] == value]
        return shapely.union_all(sel.geometry.values) if len(sel) else None

    by_id: dict[str, BaseGeometry | None] = {}
    for r in REGIONS:
        parts = [feature(layer, value) for layer, value in r.ne_features]
        parts = [p for p in parts if p is not None]
        by_id[r.id] = shapely.union_all(parts) if parts else None
    jk, pak_k = (
        by_id.get("india-administered-jammu-and-kashmir"),
        by_id.get("pakistan-administered-kashmir"),
    )
    pak, ind = by_id.get("pakistan"), by_id.get("india")
    if pak is not None and pak_k is not None:
        by_id["pakistan"] = shapely.make_valid(pak.difference(pak_k))
    if ind is not None and jk is not None:
        by_id["india"] = shapely.make_valid(ind.difference(jk))
    loc = None
    if jk is not None and pak_k is not None:
        # the Line of Control: where India- and Pakistan-administered Kashmir meet
        loc = shapely.line_merge(jk.boundary.intersection(pak_k.buffer(0.02)))
    extras = {
        "source": "Natural Earth (10m disputed areas, 50m countries)",
        "files": {key: meta for key, (_, meta) in layers.items()},
        "line_of_control": loc,
    }
    return [by_id.get(i) for i in table["id"]], extras
