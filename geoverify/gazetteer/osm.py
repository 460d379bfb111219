"""OpenStreetMap data: Overpass API JSON and GeoJSON exports (overpass turbo, osmtogeojson).

Names come from the tags ``name``, ``name:en``, ``name:ur`` (and the other ``name:xx``),
``alt_name``, ``old_name``, ``official_name``, ``short_name``, ``loc_name``, ``int_name``
(``;``-separated lists are split). The primary name is ``name:en`` where present, else
``name``. The kind comes from the tags (``place=*``, ``amenity=place_of_worship`` with
``religion=muslim``, ``highway=*``, ``shop``/``landuse=retail``, ``bridge``, ``leisure=park``)
or, failing those, from generic words in the name ("... Chowk", "... Imambargah").

Ways and relations need a position: run Overpass with ``out center;`` (or ``out geom;``, whose
geometry is averaged). Elements without a name are skipped and counted; elements without any
position are reported as bad rows with their OSM id.

OpenStreetMap data is © OpenStreetMap contributors, licensed under the ODbL
(https://www.openstreetmap.org/copyright); every row's ``source`` says so.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .._sphere import haversine_m
from ..exceptions import BadRowsWarning, GazetteerError
from ..text import detect_script, split_generic
from .core import Gazetteer

#: Tags whose values are names of the element (besides every ``name:xx``).
NAME_TAGS = (
    "name",
    "alt_name",
    "old_name",
    "official_name",
    "short_name",
    "loc_name",
    "int_name",
    "reg_name",
    "nat_name",
)

OSM_LICENCE = "© OpenStreetMap contributors (ODbL)"

_PLACE_KINDS = {
    "city": "populated_place",
    "town": "populated_place",
    "village": "populated_place",
    "hamlet": "populated_place",
    "isolated_dwelling": "populated_place",
    "suburb": "neighbourhood",
    "neighbourhood": "neighbourhood",
    "quarter": "neighbourhood",
    "city_block": "neighbourhood",
    "square": "square",
    "locality": "locality",
}

#: Uncertainty radius (m) by kind where the element has no extent.
_DEFAULT_RADIUS = {
    "populated_place": 2000.0,
    "neighbourhood": 800.0,
    "locality": 1000.0,
    "road": 500.0,
}


def _split_values(value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    return [v.strip() for v in value.split(";") if v.strip()]


def osm_names(tags: Mapping[str, Any]) -> tuple[str, list[str]]:
    """Primary name and alternate names of an OSM element from its tags.

    Parameters
    ----------
    tags
        The element's tags.

    Returns
    -------
    tuple
        ``(name, alt_names)``; ``name`` is ``""`` for an unnamed element.
    """
    names: list[str] = []
    for key in ("name:en", "name"):
        names += _split_values(tags.get(key))
    for key in sorted(tags):
        if key.startswith("name:") and key != "name:en":
            names += _split_values(tags[key])
    for key in NAME_TAGS[1:]:
        names += _split_values(tags.get(key))
        for k2 in sorted(tags):
            if k2.startswith(key + ":"):
                names += _split_values(tags[k2])
    names = list(dict.fromkeys(names))
    if not names:
        return "", []
    return names[0], names[1:]


def osm_kind(tags: Mapping[str, Any], name: str = "") -> str:
    """The gazetteer kind of an OSM element (``mosque``, ``chowk``, ``road``, ...).

    Parameters
    ----------
    tags
        The element's tags.
    name
        Its primary name (generic words in it decide when the tags do not).

    Returns
    -------
    str
    """
    if tags.get("place") in _PLACE_KINDS:
        return _PLACE_KINDS[str(tags["place"])]
    if tags.get("amenity") == "place_of_worship" or tags.get("building") in ("mosque", "temple"):
        _, kinds = split_generic(name)
        if "imambargah" in kinds:
            return "imambargah"
        if "shrine" in kinds:
            return "shrine"
        religion = tags.get("religion")
        if religion == "muslim" or tags.get("building") == "mosque":
            return "mosque"
        return "temple" if religion in ("hindu", "sikh", "buddhist", "jain") else "place_of_worship"
    if tags.get("junction") == "roundabout" or tags.get("highway") == "traffic_signals":
        return "chowk"
    if "highway" in tags:
        return "road"
    if "shop" in tags or tags.get("landuse") == "retail" or tags.get("amenity") == "marketplace":
        return "bazaar"
    if tags.get("bridge") not in (None, "no") or tags.get("man_made") == "bridge":
        return "bridge"
    if tags.get("leisure") == "park":
        return "park"
    _, kinds = split_generic(name)
    if kinds:
        return kinds[0]
    for key in ("amenity", "tourism", "historic", "leisure", "building", "office", "landuse"):
        if key in tags:
            return f"{key}={tags[key]}"
    return "place"


def _position(el: Mapping[str, Any]) -> tuple[float, float, float] | None:
    """(lat, lon, radius_m) of an Overpass element, or None."""
    if "lat" in el and "lon" in el:
        return float(el["lat"]), float(el["lon"]), float("nan")
    radius = float("nan")
    b = el.get("bounds")
    if isinstance(b, Mapping) and {"minlat", "minlon", "maxlat", "maxlon"} <= set(b):
        radius = (
            haversine_m(
                float(b["minlat"]), float(b["minlon"]), float(b["maxlat"]), float(b["maxlon"])
            )
            / 2
        )
    c = el.get("center")
    if isinstance(c, Mapping) and "lat" in c and "lon" in c:
        return float(c["lat"]), float(c["lon"]), radius
    geom = el.get("geometry")
    if isinstance(geom, list) and geom:
        pts = [(float(g["lat"]), float(g["lon"])) for g in geom if isinstance(g, Mapping)]
        if pts:
            lat = sum(p[0] for p in pts) / len(pts)
            lon = sum(p[1] for p in pts) / len(pts)
            if math.isnan(radius):
                radius = max(haversine_m(lat, lon, a, b) for a, b in pts)
            return lat, lon, radius
    if isinstance(b, Mapping) and {"minlat", "minlon", "maxlat", "maxlon"} <= set(b):
        return (
            (float(b["minlat"]) + float(b["maxlat"])) / 2,
            (float(b["minlon"]) + float(b["maxlon"])) / 2,
            radius,
        )
    return None


def _row(
    osm_id: str, tags: Mapping[str, Any], lat: float, lon: float, radius: float, source: str
) -> dict[str, Any]:
    name, alts = osm_names(tags)
    kind = osm_kind(tags, name)
    if math.isnan(radius):
        radius = _DEFAULT_RADIUS.get(kind, 50.0)
    country = str(tags.get("addr:country") or tags.get("is_in:country_code") or "").upper()
    return {
        "id": f"osm:{osm_id}",
        "name": name,
        "alt_names": alts,
        "lat": lat,
        "lon": lon,
        "kind": kind,
        "country": country if len(country) == 2 else "",
        "population": tags.get("population"),
        "source": source,
        "uncertainty_m": max(radius, 10.0),
        "name_ur": next(
            (v for v in _split_values(tags.get("name:ur")) if detect_script(v) == "Arab"), ""
        ),
    }


def _finish(
    rows: list[dict[str, Any]], problems: list[str], unnamed: int, p: Path, on_bad_rows: str
) -> Gazetteer:
    notes = list(problems)
    if unnamed:
        notes.append(f"{p}: {unnamed} element(s) without any name tag skipped (not places)")
    if problems and on_bad_rows != "ignore":
        msg = f"{len(problems)} unusable OSM element(s) skipped:\n  " + "\n  ".join(problems[:50])
        if on_bad_rows == "raise":
            raise GazetteerError(msg)
        warnings.warn(msg, BadRowsWarning, stacklevel=3)
    if not rows:
        raise GazetteerError(f"{p}: no named OSM element with a position (unnamed: {unnamed})")
    df = pd.DataFrame(rows)
    df["population"] = pd.to_numeric(df["population"], errors="coerce").fillna(0)
    gaz = Gazetteer.from_dataframe(
        df, name=p.stem, origin=str(p), sources=[rows[0]["source"]], on_bad_rows=on_bad_rows
    )
    gaz.bad_rows = tuple(notes) + gaz.bad_rows
    return gaz


def load_overpass_json(path: str | os.PathLike[str], *, on_bad_rows: str = "warn") -> Gazetteer:
    """Load Overpass API JSON output (``[out:json]``; use ``out center;`` for ways).

    Parameters
    ----------
    path
        The JSON file.
    on_bad_rows
        ``"warn"``, ``"raise"`` or ``"ignore"``.

    Returns
    -------
    Gazetteer
        Ids ``osm:node/123``, ``osm:way/45``; extra column ``name_ur``.

    Raises
    ------
    GazetteerError
        The file is not JSON, not Overpass output, or holds no named element with a position.
    """
    p = Path(path)
    try:
        data = json.loads(p.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise GazetteerError(f"{p}: not UTF-8 (byte {exc.start}); Overpass JSON is UTF-8") from exc
    except ValueError as exc:
        raise GazetteerError(f"{p}: not valid JSON ({exc})") from exc
    if not isinstance(data, Mapping) or not isinstance(data.get("elements"), list):
        raise GazetteerError(f"{p}: not Overpass JSON (no 'elements' list)")
    stamp = (data.get("osm3s") or {}).get("timestamp_osm_base", "")
    source = f"{OSM_LICENCE}, Overpass export {p.name}" + (f" ({stamp})" if stamp else "")
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    unnamed = 0
    for i, el in enumerate(data["elements"]):
        if not isinstance(el, Mapping):
            problems.append(f"{p}, element {i}: not a JSON object")
            continue
        tags = el.get("tags") or {}
        osm_id = f"{el.get('type', '?')}/{el.get('id', '?')}"
        if not osm_names(tags)[0]:
            unnamed += 1
            continue
        pos = _position(el)
        if pos is None:
            problems.append(
                f"{p}, element {i} ({osm_id}, {osm_names(tags)[0]!r}): no position; run the "
                f"Overpass query with 'out center;'"
            )
            continue
        lat, lon, radius = pos
        rows.append(_row(osm_id, tags, lat, lon, radius, source))
    return _finish(rows, problems, unnamed, p, on_bad_rows)


def load_osm_geojson(path: str | os.PathLike[str], *, on_bad_rows: str = "warn") -> Gazetteer:
    """Load a GeoJSON export of OSM data (overpass turbo's *Export*, ``osmtogeojson``).

    Properties are OSM tags (flat, or under ``tags``); ids come from ``@id``, ``id`` or the
    feature's ``id`` (``node/123``). Lines and polygons are placed at a representative point
    with a radius covering the feature.

    Parameters
    ----------
    path
        The GeoJSON file.
    on_bad_rows
        ``"warn"``, ``"raise"`` or ``"ignore"``.

    Returns
    -------
    Gazetteer
    """
    from shapely.geometry import shape

    p = Path(path)
    try:
        data = json.loads(p.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise GazetteerError(f"{p}: not a readable GeoJSON file ({exc})") from exc
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        raise GazetteerError(f"{p}: not a GeoJSON FeatureCollection")
    source = f"{OSM_LICENCE}, GeoJSON export {p.name}"
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    unnamed = 0
    for i, feat in enumerate(data.get("features") or []):
        props = dict(feat.get("properties") or {}) if isinstance(feat, Mapping) else {}
        tags = dict(props.get("tags") or {}) if isinstance(props.get("tags"), Mapping) else {}
        tags.update({k: v for k, v in props.items() if isinstance(v, str)})
        osm_id = str(props.get("@id") or props.get("id") or feat.get("id") or f"feature/{i}")
        if not osm_names(tags)[0]:
            unnamed += 1
            continue
        try:
            geom = shape(feat["geometry"])
            pt = geom.representative_point()
        except Exception as exc:  # shapely raises several types for bad geometry
            problems.append(f"{p}, feature {i} ({osm_id}): unusable geometry ({exc})")
            continue
        radius = float("nan")
        if geom.geom_type != "Point":
            x0, y0, x1, y1 = geom.bounds
            radius = haversine_m(y0, x0, y1, x1) / 2
        rows.append(_row(osm_id, tags, pt.y, pt.x, radius, source))
    return _finish(rows, problems, unnamed, p, on_bad_rows)


def looks_like_osm_geojson(path: str | os.PathLike[str]) -> bool:
    """True when a GeoJSON file's properties look like OSM tags (``@id``, ``name:xx``, ...)."""
    try:
        head = Path(path).read_bytes()[:65536].decode("utf-8", errors="replace")
    except OSError:
        return False
    return any(
        s in head for s in ('"@id"', '"name:', '"node/', '"way/', '"relation/', "openstreetmap")
    )
