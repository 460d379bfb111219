"""Saving a gazetteer with its name index to one ``.npz`` file, and reading it back (private:
used by :meth:`Gazetteer.save` and :meth:`Gazetteer.load`)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..exceptions import GazetteerError
from ._index import NameIndex, PackedStrings

#: Extension of files written by :meth:`Gazetteer.save`.
SAVE_SUFFIX = ".npz"


def write_npz(gaz: Any, path: str | os.PathLike[str]) -> Path:
    """Write ``gaz`` (places, name index, name, sources, bad rows) to ``path`` atomically."""
    from .._atomic import atomic_open

    p = Path(path)
    if p.suffix != SAVE_SUFFIX:
        p = p.with_name(p.name + SAVE_SUFFIX)
    arrays: dict[str, NDArray[Any]] = {}
    columns = [c for c in gaz.places.columns if c != "geometry"]
    for col in columns:
        arrays.update(_pack_column(f"places/{col}", gaz.places[col]))
    meta = {
        "format": "geoverify-gazetteer",
        "version": 1,
        "name": gaz.name,
        "sources": gaz.sources,
        "columns": columns,
        "bad_rows": list(gaz.bad_rows[:1000]),
    }
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    arrays.update(gaz.index.arrays())
    with atomic_open(p, "wb") as fh:
        np.savez(fh, **arrays)  # type: ignore[arg-type]
    return p


def read_npz(path: str | os.PathLike[str]) -> tuple[gpd.GeoDataFrame, dict[str, Any], NameIndex]:
    """The places, the metadata and the name index of a file :func:`write_npz` wrote.

    Raises
    ------
    GazetteerError
        The file is missing, is not a saved gazetteer, or its index is unreadable.
    """
    p = Path(path)
    if not p.exists():
        raise GazetteerError(f"{p}: no such file")
    try:
        with np.load(p, allow_pickle=False) as z:
            arrs = {k: z[k] for k in z.files}
        meta = json.loads(arrs["meta"].tobytes().decode("utf-8"))
    except (OSError, ValueError, KeyError) as exc:
        raise GazetteerError(f"{p}: not a gazetteer saved by Gazetteer.save ({exc})") from exc
    if meta.get("format") != "geoverify-gazetteer":
        raise GazetteerError(f"{p}: not a gazetteer saved by Gazetteer.save")
    data = {col: _unpack_column(f"places/{col}", arrs) for col in meta["columns"]}
    df = pd.DataFrame(data)
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")
    try:
        index = NameIndex.from_arrays(arrs)
    except (KeyError, ValueError) as exc:
        raise GazetteerError(f"{p}: the saved name index is unreadable ({exc})") from exc
    return gdf, meta, index


def _pack_column(key: str, series: pd.Series) -> dict[str, NDArray[Any]]:
    if key.endswith("/alt_names"):
        lists = [list(a) for a in series]
        flat = [s for a in lists for s in a]
        ps = PackedStrings.from_list(flat)
        return {
            f"{key}:blob": ps.blob,
            f"{key}:off": ps.offsets,
            f"{key}:counts": np.asarray([len(a) for a in lists], dtype=np.int32),
        }
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return {f"{key}:num": series.to_numpy(dtype=float if series.dtype.kind == "f" else None)}
    values = [
        "" if (v is None or (isinstance(v, float) and math.isnan(v))) else str(v) for v in series
    ]
    uniq, codes = np.unique(np.asarray(values, dtype=object), return_inverse=True)
    ps = PackedStrings.from_list(list(uniq))
    return {
        f"{key}:ublob": ps.blob,
        f"{key}:uoff": ps.offsets,
        f"{key}:codes": codes.astype(np.int32),
    }


def _unpack_column(key: str, arrs: dict[str, NDArray[Any]]) -> Any:
    if f"{key}:counts" in arrs:
        flat = PackedStrings(arrs[f"{key}:blob"], arrs[f"{key}:off"]).to_list()
        counts = arrs[f"{key}:counts"]
        ends = np.cumsum(counts).tolist()
        starts = [0, *ends[:-1]]
        return [flat[s:e] for s, e in zip(starts, ends)]
    if f"{key}:num" in arrs:
        return arrs[f"{key}:num"]
    uniq = np.asarray(
        PackedStrings(arrs[f"{key}:ublob"], arrs[f"{key}:uoff"]).to_list(), dtype=object
    )
    return uniq[arrs[f"{key}:codes"]] if len(uniq) else np.zeros(0, dtype=object)
