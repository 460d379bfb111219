"""Weighing the evidence: each line's distribution over its candidates and its weight (kind x
match confidence x specificity), and its pull on each hypothesis.
"""

from __future__ import annotations

import warnings
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import regions as R
from ._clusters import colocated_clusters, independent_count
from ._hypotheses import Hypothesis, hypothesis_name
from .evidence import KIND_WEIGHTS
from .exceptions import GeoverifyWarning, InputError

_SHARPEN = 4.0
_COLOC_BOOST = 1.5


def one_number_a_line(
    c: gpd.GeoDataFrame, items: pd.DataFrame
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Candidate tables concatenated from separate :func:`match_places` calls repeat item
    numbers: number their lines anew, by line key in order of appearance, with a warning."""
    if "line" not in c.columns or not len(c):
        return c, items
    if c[["item", "line"]].drop_duplicates()["item"].is_unique:
        return c, items
    keys = list(dict.fromkeys([*items.get("line", pd.Series(dtype=str)), *c["line"]]))
    number = {k: i for i, k in enumerate(keys)}
    warnings.warn(
        "the same item number names different lines (candidate tables from separate "
        "match_places calls?): the verdict numbers the lines anew; name lines by their key "
        "(gv.line_table)",
        GeoverifyWarning,
        stacklevel=3,
    )
    c = c.assign(item=c["line"].map(number))
    items = items.drop_duplicates("line").assign(item=lambda t: t["line"].map(number))
    return c, items.sort_values("item").reset_index(drop=True)


def prepare_candidates(candidates: Any) -> gpd.GeoDataFrame:
    if candidates is None:
        return gpd.GeoDataFrame({"item": []}, geometry=[], crs="EPSG:4326")
    if not isinstance(candidates, gpd.GeoDataFrame):
        if isinstance(candidates, pd.DataFrame) and {"lat", "lon"} <= set(candidates.columns):
            candidates = gpd.GeoDataFrame(
                candidates,
                geometry=gpd.points_from_xy(candidates["lon"], candidates["lat"]),
                crs="EPSG:4326",
            )
        else:
            raise InputError(
                "candidates must be the GeoDataFrame of match_places (or a DataFrame with lat/lon)"
            )
    c = candidates.copy()
    if len(c) and c.geometry.isna().all() and {"lat", "lon"} <= set(c.columns):
        c = c.set_geometry(gpd.points_from_xy(c["lon"], c["lat"]), crs="EPSG:4326")
    if c.crs is None:
        if len(c):
            b = c.total_bounds
            if not (
                -180 <= b[0] <= 180
                and -90 <= b[1] <= 90
                and -180 <= b[2] <= 180
                and -90 <= b[3] <= 90
            ):
                raise InputError(
                    "candidates have no CRS and coordinates outside longitude/latitude range; "
                    "set their CRS (GeoDataFrame.set_crs) before test_claim"
                )
            warnings.warn(
                "candidates have no CRS; assuming EPSG:4326 (longitude/latitude)",
                GeoverifyWarning,
                stacklevel=3,
            )
        c = c.set_crs(4326, allow_override=True)
    elif c.crs.to_epsg() != 4326:
        c = c.to_crs(4326)
    if len(c):
        empty = c.geometry.isna() | c.geometry.is_empty
        if empty.any():
            warnings.warn(
                f"{int(empty.sum())} candidate(s) without geometry dropped (items "
                f"{sorted(set(c.loc[empty, 'item'])) if 'item' in c else '?'})",
                GeoverifyWarning,
                stacklevel=3,
            )
            c = c[~empty]
        invalid = ~c.geometry.is_valid
        if invalid.any():
            warnings.warn(
                f"{int(invalid.sum())} candidate geometry(ies) invalid; repaired with make_valid",
                GeoverifyWarning,
                stacklevel=3,
            )
            c.loc[invalid, c.geometry.name] = shapely.make_valid(c.loc[invalid].geometry.values)
        pts = c.geometry.representative_point()
        c["lat"], c["lon"] = pts.y.to_numpy(), pts.x.to_numpy()
    for col, default in (
        ("score", 100.0),
        ("specificity", 1.0),
        ("kind", "unknown"),
        ("uncertainty_m", np.nan),
        ("country", ""),
        ("admin1", ""),
        ("text", ""),
        ("name", ""),
        ("place_id", ""),
    ):
        if col not in c.columns:
            c[col] = default
    if "item" not in c.columns:
        c["item"] = np.arange(len(c))
    return c


def candidate_weights(
    c: pd.DataFrame, hs: pd.DataFrame, hyps: list[Hypothesis]
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Each candidate's weight inside its line (sharpened match score, boosted when
    independent lines agree on one place), and the co-location clusters found."""
    raw = (c["score"].astype(float).clip(0, 100) / 100.0) ** _SHARPEN
    boost = np.ones(len(c))
    cluster_rows = []
    ordered = sorted(
        colocated_clusters(c), key=lambda g: (-len({c.at[i, "item"] for i in g}), min(g))
    )
    for k, g in enumerate(ordered):
        n_indep = independent_count(c, g)
        for i in g:
            boost[i] *= 1.0 + _COLOC_BOOST * (n_indep - 1)
        sub = c.iloc[g]
        region_of = hs.iloc[g].mean().idxmax()
        cluster_rows.append(
            {
                "cluster": k,
                "n_items": len({c.at[i, "item"] for i in g}),
                "n_independent": n_indep,
                "lat": float(sub["lat"].mean()),
                "lon": float(sub["lon"].mean()),
                "region": region_of,
                "region_name": hypothesis_name(hyps, region_of),
                "place_names": ", ".join(dict.fromkeys(sub["name"].astype(str))),
                "members": "; ".join(
                    f'#{int(r.item)} "{r.text}" -> {r.name}' for r in sub.itertuples()
                ),
                "items": sorted({int(i) for i in sub["item"]}),
            }
        )
    return raw.to_numpy() * boost, cluster_rows


def weigh_line(
    item: Any, sub: pd.DataFrame, info: Any, hs: pd.DataFrame, hyps: list[Hypothesis]
) -> tuple[dict[str, Any], np.ndarray]:
    """One line's row of the evidence table and its log likelihood under each hypothesis."""
    H = [h.id for h in hyps]
    text = str(sub["text"].iloc[0]) if len(sub) else str(info["text"]) if info is not None else ""
    kind = (
        str(sub["kind"].iloc[0])
        if len(sub)
        else str(info["kind"])
        if info is not None
        else "unknown"
    )
    row: dict[str, Any] = {"item": int(item), "text": text, "kind": kind, "n_candidates": len(sub)}
    if "frame" in sub.columns and len(sub):
        row["frame"] = sub["frame"].iloc[0]
        row["t"] = sub["t"].iloc[0] if "t" in sub else None
    caption = caption_note(sub, info) if kind == "caption" else ""
    if not len(sub):
        row.update(
            weight=0.0,
            best_place="",
            best_region=R.ELSEWHERE,
            best_region_name="no place found",
            pulls_toward=None,
            pulls_toward_name="nothing",
            strength=0.0,
            note=caption or "no gazetteer place matched this line",
        )
        row.update({f"pull:{h}": 0.0 for h in H})
        return row, np.zeros(len(H))  # a line with no place says nothing
    p = sub["_w"].to_numpy(float)
    p = p / p.sum() if p.sum() > 0 else np.full(len(p), 1.0 / len(p))
    q = (hs.loc[sub.index].to_numpy(float) * p[:, None]).sum(axis=0)
    conf = float(np.clip((float(sub["score"].max()) - 60.0) / 40.0, 0.0, 1.0))
    if "confidence" in sub.columns and pd.notna(sub["confidence"].iloc[0]):
        conf *= 0.5 + 0.5 * float(np.clip(sub["confidence"].iloc[0], 0, 1))
    spec = float((sub["specificity"].astype(float).to_numpy() * p).sum()) ** 0.5
    # never certain: OCR and gazetteers err, so one line can never zero out a hypothesis
    w = min(0.95, KIND_WEIGHTS.get(kind, 0.5) * conf * spec)
    ll = np.log((1.0 - w) / len(H) + w * q)
    centred = ll - ll.mean()
    top = int(np.argmax(p))
    best_h = H[int(np.argmax(q))]
    toward = H[int(np.argmax(centred))]
    note = ""
    if caption:
        note = caption
    elif kind == "slogan":
        note = "slogan: may name the place a protest is about"
    elif spec < 0.75:
        note = f"common name (borne by {round(1 / max(spec**2, 1e-9))} places)"
    row.update(
        weight=round(w, 4),
        best_place=str(sub["name"].iloc[top]),
        best_place_id=str(sub["place_id"].iloc[top]),
        best_region=best_h,
        best_region_name=hypothesis_name(hyps, best_h),
        pulls_toward=toward if w > 0 else None,
        pulls_toward_name=hypothesis_name(hyps, toward) if w > 0 else "nothing",
        strength=round(float(centred.max() - centred.min()), 4),
        note=note,
    )
    row.update({f"pull:{h}": round(float(v), 4) for h, v in zip(H, centred)})
    return row, ll


def caption_note(sub: pd.DataFrame, info: Any) -> str:
    """Why a caption line weighs nothing, with the reason it was found to be one."""
    why = ""
    if "caption_reason" in sub.columns and len(sub):
        why = sub["caption_reason"].iloc[0]
    elif info is not None and "caption_reason" in info:
        why = info["caption_reason"]
    why = why if isinstance(why, str) and why else "kind set to caption"
    return f"caption, {why}. Text put on the video, not in the scene: it places nothing"
