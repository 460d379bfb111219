"""Merging gazetteers and finding duplicate places (private: used by :class:`Gazetteer`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import pandas as pd

from .._sphere import haversine_m
from ..text import name_key


def name_index_map(places: pd.DataFrame) -> dict[str, list[int]]:
    """Place rows by the key of each of their names."""
    by_key: dict[str, list[int]] = {}
    for i, (nm, alts) in enumerate(zip(places["name"], places["alt_names"])):
        for key in {name_key(n) for n in [nm, *alts]}:
            by_key.setdefault(key, []).append(i)
    return by_key


def find_duplicates(places: pd.DataFrame, within_m: float) -> pd.DataFrame:
    """Pairs of places that share a name key and lie within ``within_m`` metres."""
    lat = places["lat"].to_numpy()
    lon = places["lon"].to_numpy()
    ids = places["id"].to_numpy()
    pairs: dict[tuple[int, int], tuple[str, float]] = {}
    for key, members in name_index_map(places).items():
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


def merge_places(
    tables: Sequence[gpd.GeoDataFrame], dedupe_m: float
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The places of ``tables`` with a place of a later table that shares a name with a kept
    place within ``dedupe_m`` merged into it; and the log of what was merged.
    """
    frames = list(tables)
    allp = pd.concat(frames, ignore_index=True)
    keep: list[int] = []
    merged_alts: dict[int, list[str]] = {}
    merged_src: dict[int, list[str]] = {}
    by_key: dict[str, list[int]] = {}
    log: list[dict[str, Any]] = []
    lat = allp["lat"].to_numpy()
    lon = allp["lon"].to_numpy()
    ids = allp["id"].astype(str).to_numpy()
    n_first = len(frames[0])
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
        " + ".join(dict.fromkeys([s, *merged_src.get(i, [])])) for i, s in zip(keep, out["source"])
    ]
    gdf = gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")
    return gdf, pd.DataFrame(log, columns=["kept_id", "merged_id", "name", "distance_m"])
