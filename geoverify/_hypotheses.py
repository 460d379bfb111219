"""The hypotheses of a verdict and where each candidate place lies among them: the regions
themselves (their polygons or admin-1 codes), named as a reader expects.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import regions as R
from .exceptions import GeoverifyWarning, UnknownRegionError


@dataclass(frozen=True)
class Hypothesis:
    """A hypothesis: a region, possibly minus sub-regions (``exclude``), or elsewhere."""

    id: str
    name: str
    region: str | None
    exclude: tuple[str, ...] = ()
    is_claim: bool = False


def metric_disc(lon: float, lat: float, radius_m: float) -> Any:
    from pyproj import CRS, Transformer
    from shapely.geometry import Point

    # a circle is a circle only in a projection centred on it (azimuthal equidistant)
    aeqd = CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m")
    back = Transformer.from_crs(aeqd, "EPSG:4326", always_xy=True)
    circle = Point(0, 0).buffer(max(radius_m, 1.0), 32)
    return shapely.transform(circle, lambda xy: np.column_stack(back.transform(xy[:, 0], xy[:, 1])))


def region_shares(
    candidates: gpd.GeoDataFrame, regions: gpd.GeoDataFrame | None, default_radius_m: float = 1000.0
) -> pd.DataFrame:
    """Share (0..1) of each candidate's location inside each region.

    With region polygons, a candidate's uncertainty disc (``uncertainty_m``, else
    ``default_radius_m``) is intersected with each polygon in a local equidistant projection;
    regions without a polygon (e.g. Ladakh inside Natural Earth's Jammu and Kashmir) take their
    parent's share when the place's admin-1 code lies in them. Without polygons, the admin-1
    code decides (share 1 for its region and every ancestor).

    Returns
    -------
    pandas.DataFrame
        Index as ``candidates``, one column per region id.
    """
    ids = [r.id for r in R.REGIONS]
    out = pd.DataFrame(0.0, index=candidates.index, columns=ids)
    polys = region_polygons(regions)
    for idx, c in candidates.iterrows():
        leaf = R.leaf_for_admin(str(c.get("country", "") or ""), str(c.get("admin1", "") or ""))
        admin_chain = set(R.ancestors(leaf)) if leaf else set()
        if not polys:
            for rid in admin_chain:
                out.at[idx, rid] = 1.0
            continue
        if c.geometry.geom_type in ("Polygon", "MultiPolygon"):
            disc = c.geometry  # the place's extent is known: use it as its uncertainty
        else:
            radius = c.get("uncertainty_m")
            radius = (
                float(radius)
                if radius is not None and pd.notna(radius) and radius > 0
                else default_radius_m
            )
            pt = c.geometry.representative_point()
            disc = metric_disc(float(pt.x), float(pt.y), radius)
        from pyproj import Geod

        geod = Geod(ellps="WGS84")
        total = abs(geod.geometry_area_perimeter(disc)[0]) or 1.0
        for rid, poly in polys.items():
            inter = disc.intersection(poly)
            if not inter.is_empty:
                out.at[idx, rid] = min(1.0, abs(geod.geometry_area_perimeter(inter)[0]) / total)
        # regions without polygons: inherit from the nearest ancestor with one, via admin codes
        for r in R.REGIONS:
            if r.id in polys:
                continue
            anc = [a for a in R.ancestors(r.id)[1:] if a in polys]
            if anc and r.id in admin_chain:
                out.at[idx, r.id] = out.at[idx, anc[0]]
            elif not anc and r.id in admin_chain:
                out.at[idx, r.id] = 1.0
    return out


def region_polygons(regions: gpd.GeoDataFrame | None) -> dict[str, Any]:
    """The usable polygons of a regions table, by region id. An id that is not in the region
    hierarchy raises: its polygon could stand for no hypothesis, and dropping it quietly would
    test the claim against less than the caller gave."""
    if regions is None or "geometry" not in regions or "id" not in regions:
        return {}
    polys = {
        str(r.id): r.geometry
        for r in regions.itertuples()
        if r.geometry is not None and not r.geometry.is_empty
    }
    known = {r.id for r in R.REGIONS}
    unknown = sorted(set(polys) - known)
    if unknown:
        raise UnknownRegionError(
            f"regions table: {len(unknown)} id(s) not in the region hierarchy: "
            f"{', '.join(map(repr, unknown[:8]))}; known ids: {', '.join(sorted(known))}"
        )
    return polys


def region_source(regions: gpd.GeoDataFrame | None) -> str:
    """Which data placed the candidates in regions, as the verdict reports it."""
    if regions is None:
        return "admin-1 codes (no polygons)"
    if not region_polygons(regions):
        said = str(regions.attrs.get("source", ""))
        return (
            said
            if said.startswith("admin-1")
            else "admin-1 codes (the regions given have no polygons)"
        )
    return str(regions.attrs.get("source", "region polygons given by the caller"))


def build_hypotheses(
    claim: R.Region, alternatives: Sequence[str] | None, shares: pd.DataFrame
) -> list[Hypothesis]:
    claim_anc = set(R.ancestors(claim.id))
    hyps = [Hypothesis(claim.id, claim.name, claim.id, is_claim=True)]
    if alternatives is None:
        touched = [r.id for r in R.REGIONS if r.parent is None and (shares[r.id] > 0).any()]
        # also the claim's own top-level region, so its complement is tested
        top = R.ancestors(claim.id)[-1]
        if top != claim.id and top not in touched:
            touched.append(top)
        alt_ids = touched
    else:
        alt_ids = [R.region(a).id for a in alternatives]
    used = {claim.id}
    for a in alt_ids:
        if a in used:
            continue
        if claim.id in R.ancestors(a):
            warnings.warn(
                f"alternative {a!r} lies inside the claim {claim.id!r}; skipped",
                GeoverifyWarning,
                stacklevel=3,
            )
            continue
        reg = R.region(a)
        if a in claim_anc:
            hyps.append(
                Hypothesis(
                    f"{a}-excluding-{claim.id}",
                    f"{reg.name}, outside {claim.name}",
                    a,
                    exclude=(claim.id,),
                )
            )
        else:
            hyps.append(Hypothesis(a, reg.name, a))
        used.add(a)
    # no overlap between alternatives: an alternative that contains another excludes it
    final = []
    for h in hyps:
        inner = tuple(
            o.region
            for o in hyps
            if o is not h
            and o.region
            and h.region
            and h.region in R.ancestors(o.region)[1:]
            and o.region not in h.exclude
        )
        final.append(
            Hypothesis(
                h.id, h.name, h.region, tuple(dict.fromkeys((*h.exclude, *inner))), h.is_claim
            )
            if inner
            else h
        )
    final = [named(h) for h in final]
    final.append(Hypothesis(R.ELSEWHERE, "Elsewhere (none of the above)", None))
    return final


def named(h: Hypothesis) -> Hypothesis:
    """A region less the regions it excludes, named as the region that is left where there is
    one: Pakistan-administered Kashmir outside Gilgit-Baltistan is Azad Kashmir."""
    if not h.exclude or h.region is None:
        return h
    left = R.leaves(h.region) - set().union(*(R.leaves(e) for e in h.exclude))
    same = [r for r in R.REGIONS if left and R.leaves(r.id) == left]
    if not same:
        return h
    return Hypothesis(h.id, same[0].name, h.region, h.exclude, h.is_claim)


def hypothesis_shares(shares: pd.DataFrame, hyps: list[Hypothesis]) -> pd.DataFrame:
    cols = {}
    for h in hyps:
        if h.region is None:
            continue
        s = shares[h.region].copy()
        for ex in h.exclude:
            s = s - shares[ex]
        cols[h.id] = s.clip(lower=0.0)
    df = pd.DataFrame(cols, index=shares.index)
    df[R.ELSEWHERE] = (1.0 - df.sum(axis=1)).clip(lower=0.0)
    total = df.sum(axis=1).replace(0, 1.0)
    return df.div(total, axis=0)


def hypothesis_name(hyps: list[Hypothesis], hyp_id: str) -> str:
    return next(h.name for h in hyps if h.id == hyp_id)
