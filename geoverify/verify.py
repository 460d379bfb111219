"""Test a claimed location against its alternatives: hypotheses, evidence pull, co-location.

The reasoning, in short:

* Hypotheses are the claimed region, the alternatives (by default every top-level region that a
  candidate touches) and "elsewhere". Where a region contains the claim, its alternative is the
  rest of it ("Ladakh" vs "the rest of India-administered Jammu and Kashmir").
* Each candidate place is split across hypotheses by the share of its location that lies in
  each: by area of its uncertainty disc where region polygons are available, by its admin-1
  code where not.
* Each evidence line has a distribution over its candidates (by match score, sharpened) and a
  weight = kind weight x match confidence x specificity (a caption weighs 0). Its likelihood under hypothesis *h* is
  ``(1 - w) / |H| + w * q(h)``: a line that is probably a misreading, or names a common place,
  or is a slogan, moves little.
* Independent lines whose candidates lie within a few km of each other (co-location) make each
  other's candidates there more likely; the cluster is reported with its members.
* The posterior over hypotheses decides the label: ``supported``, ``contradicted`` or
  ``inconclusive``. Everything is deterministic.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import regions as R
from ._escape import html_text
from ._sphere import haversine_m
from .evidence import KIND_WEIGHTS
from .evidence import line_table as _line_table
from .exceptions import GeoverifyWarning, InputError, UnknownRegionError

__all__ = ["Hypothesis", "Verdict", "test_claim"]

#: Candidates of different lines within this distance (m) co-locate (plus their uncertainty, capped).
COLOCATION_M = 5_000.0
#: Posterior the claim needs to be supported; the most it may keep to be contradicted.
SUPPORT_AT = 0.8
CONTRADICT_AT = 0.1
#: Total evidence weight below which nothing is concluded.
MIN_TOTAL_WEIGHT = 0.35
_SHARPEN = 4.0
_COLOC_BOOST = 1.5


@dataclass(frozen=True)
class Hypothesis:
    """A hypothesis: a region, possibly minus sub-regions (``exclude``), or elsewhere."""

    id: str
    name: str
    region: str | None
    exclude: tuple[str, ...] = ()
    is_claim: bool = False


@dataclass
class Verdict:
    """The outcome of :func:`test_claim`.

    Attributes
    ----------
    label : str
        ``"supported"``, ``"contradicted"`` or ``"inconclusive"``.
    claim : str
        The claimed region's id (``.claim_name`` is its neutral name, ``.claim_as_given`` the text).
    best_region : str
        Id of the most probable hypothesis.
    table : pandas.DataFrame
        A row per hypothesis: ``hypothesis, name, is_claim, prior, log_likelihood, posterior,
        n_supporting, supporting``.
    evidence : pandas.DataFrame
        A row per evidence line: its kind, weight, best place and region, and its pull (log
        likelihood ratio) toward each hypothesis.
    clusters : pandas.DataFrame
        Co-location clusters: centre, region, members (lines and places).
    reasons : list of str
        Why the label was chosen (thresholds met or not).
    """

    label: str
    claim: str
    claim_name: str
    claim_as_given: str
    best_region: str
    best_region_name: str
    table: pd.DataFrame
    evidence: pd.DataFrame
    clusters: pd.DataFrame
    reasons: list[str] = field(default_factory=list)
    region_source: str = ""
    sensitivity: list[str] = field(default_factory=list)

    @property
    def posterior(self) -> dict[str, float]:
        """Posterior probability of each hypothesis."""
        return dict(zip(self.table["hypothesis"], self.table["posterior"].astype(float)))

    def explain(self) -> str:
        """A plain-words account: the outcome, what pulled which way, what would change it."""
        p = self.posterior
        lines = []
        if self.label == "supported":
            lines.append(
                f"The claim '{self.claim_as_given}' ({self.claim_name}) is SUPPORTED: "
                f"posterior {p[self.claim]:.2f}."
            )
        elif self.label == "contradicted":
            lines.append(
                f"The claim '{self.claim_as_given}' ({self.claim_name}) is CONTRADICTED: the evidence "
                f"points to {self.best_region_name} (posterior {p[self.best_region]:.2f}); "
                f"the claim keeps {p[self.claim]:.2f}."
            )
        else:
            lines.append(
                f"The claim '{self.claim_as_given}' ({self.claim_name}) is INCONCLUSIVE: "
                f"claim {p.get(self.claim, 0):.2f}, best {self.best_region_name} "
                f"{p.get(self.best_region, 0):.2f}."
            )
        lines.extend(f"- {r}" for r in self.reasons)
        if len(self.clusters):
            lines.append("Co-location (independent lines naming places close together):")
            for c in self.clusters.itertuples():
                lines.append(
                    f"- {c.n_items} lines ({c.n_independent} independent) around {c.place_names} ({c.region_name}): {c.members}"
                )
        ev = self.evidence
        if len(ev):
            lines.append("What pulled which way (strongest first):")
            for e in ev.sort_values("strength", ascending=False).head(10).itertuples():
                if e.weight <= 0:
                    continue
                lines.append(
                    f'- "{e.text}" [{e.kind}, weight {e.weight:.2f}] -> {e.best_place or "no place"}'
                    f" ({e.best_region_name}); pull toward {e.pulls_toward_name}"
                    + (f". {e.note}" if e.note else "")
                )
            weak = ev[(ev["kind"] == "slogan") & (ev["n_candidates"] > 0)]
            for e in weak.itertuples():
                lines.append(
                    f'- Note: "{e.text}" names {e.best_place}, but as a slogan it may name the place a '
                    f"protest is about, not where it happened, so it counts little (weight {e.weight:.2f})."
                )
            for e in ev[(ev["kind"] == "caption") & (ev["n_candidates"] > 0)].itertuples():
                lines.append(
                    f'- Note: "{e.text}" names {e.best_place}, but it is a caption, text put on the '
                    "video by whoever edited it, so it counts for nothing."
                )
        if self.sensitivity:
            lines.append("What would change the outcome:")
            lines.extend(f"- {s}" for s in self.sensitivity)
        lines.append(f"(Regions: {self.region_source}.)")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "label": self.label,
            "claim": self.claim,
            "claim_name": self.claim_name,
            "claim_as_given": self.claim_as_given,
            "best_region": self.best_region,
            "best_region_name": self.best_region_name,
            "posterior": {k: round(v, 6) for k, v in self.posterior.items()},
            "hypotheses": json.loads(self.table.to_json(orient="records", force_ascii=False)),
            "evidence": json.loads(self.evidence.to_json(orient="records", force_ascii=False)),
            "clusters": json.loads(self.clusters.to_json(orient="records", force_ascii=False)),
            "reasons": self.reasons,
            "sensitivity": self.sensitivity,
            "region_source": self.region_source,
            "explanation": self.explain(),
        }

    def __repr__(self) -> str:
        return (
            f"Verdict({self.label!r}, claim={self.claim!r}, best_region={self.best_region!r}, "
            f"p_claim={self.posterior.get(self.claim, 0):.3f})"
        )

    def _repr_html_(self) -> str:
        colour = {"supported": "#1a7f37", "contradicted": "#b3261e", "inconclusive": "#8a6d00"}[
            self.label
        ]
        rows = "".join(
            f"<tr><td>{html_text(str(r.name))}{' (claim)' if r.is_claim else ''}</td>"
            f"<td style='text-align:right'>{r.posterior:.3f}</td><td>{int(r.n_supporting)}</td></tr>"
            for r in self.table.itertuples()
        )
        expl = html_text(self.explain())
        return (
            f"<div style='font-family:sans-serif'><div style='font-size:1.2em'><b style='color:{colour}'>"
            f"{self.label.upper()}</b> · claim: {html_text(self.claim_name)} · best: "
            f"{html_text(self.best_region_name)}</div>"
            f"<table><tr><th>hypothesis</th><th>posterior</th><th>lines for</th></tr>{rows}</table>"
            f"<details><summary>explanation</summary><pre style='white-space:pre-wrap'>{expl}</pre></details></div>"
        )


# --------------------------------------------------------------------------- membership


def _metric_disc(lon: float, lat: float, radius_m: float) -> Any:
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
    polys = _polygons(regions)
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
            disc = _metric_disc(float(pt.x), float(pt.y), radius)
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


# --------------------------------------------------------------------------- hypotheses


def _hypotheses(
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
    final = [_named(h) for h in final]
    final.append(Hypothesis(R.ELSEWHERE, "Elsewhere (none of the above)", None))
    return final


def _named(h: Hypothesis) -> Hypothesis:
    """A region less the regions it excludes, named as the region that is left where there is
    one: Pakistan-administered Kashmir outside Gilgit-Baltistan is Azad Kashmir."""
    if not h.exclude or h.region is None:
        return h
    left = R.leaves(h.region) - set().union(*(R.leaves(e) for e in h.exclude))
    same = [r for r in R.REGIONS if left and R.leaves(r.id) == left]
    if not same:
        return h
    return Hypothesis(h.id, same[0].name, h.region, h.exclude, h.is_claim)


def _hyp_shares(shares: pd.DataFrame, hyps: list[Hypothesis]) -> pd.DataFrame:
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


# --------------------------------------------------------------------------- co-location


def _independent(c: pd.DataFrame, rows: list[int]) -> int:
    """How many independent lines a group of candidate rows stands for.

    Lines whose candidate sets are identical are readings of one name (the Urdu and English
    halves of one street sign, or one banner read in two frames): they count once.
    """
    sig = c.groupby("item")["place_id"].agg(lambda s: tuple(sorted(set(map(str, s)))))
    return len({sig[c.at[i, "item"]] for i in rows})


def _clusters(c: pd.DataFrame) -> list[list[int]]:
    """Groups of candidate rows (positions) from >= 2 different lines within co-location distance.

    A line whose kind weighs nothing (a caption) joins no group: it would boost the lines it
    agrees with, and so pull after all.
    """
    n = len(c)
    if n < 2:
        return []
    lat, lon = c["lat"].to_numpy(float), c["lon"].to_numpy(float)
    unc = c["uncertainty_m"].fillna(1000.0).to_numpy(float)
    items = c["item"].to_numpy()
    counts = np.array([KIND_WEIGHTS.get(str(k), 0.5) > 0 for k in c["kind"]], dtype=bool)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in map(int, np.nonzero(counts)[0]):
        d = haversine_m(lat[i], lon[i], lat, lon)
        lim = COLOCATION_M + np.minimum(unc[i] + unc, 10_000.0)
        for j in np.nonzero((d <= lim) & (items != items[i]) & counts)[0]:
            a, b = find(i), find(int(j))
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return [g for g in groups.values() if _independent(c, g) >= 2]


# --------------------------------------------------------------------------- the test


def _one_number_a_line(
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


def _prepare(candidates: Any) -> gpd.GeoDataFrame:
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


def test_claim(
    candidates: gpd.GeoDataFrame,
    claim: str,
    regions: gpd.GeoDataFrame | None = None,
    alternatives: Sequence[str] | None = None,
    *,
    priors: dict[str, float] | None = None,
) -> Verdict:
    """Weigh the evidence for a claimed location against its alternatives.

    Parameters
    ----------
    candidates
        Output of :func:`geoverify.match_places` (possibly edited: kinds set, rows dropped).
    claim
        The claimed region, by id, name or alias ("PoK", "Azad Kashmir", "Ladakh", ...).
    regions
        Output of :func:`geoverify.load_regions`. ``None``: admin-1 codes only (no polygons).
    alternatives
        Regions to compare with. Default: every top-level region a candidate touches.
    priors
        Prior weight per hypothesis id (default uniform).

    Returns
    -------
    Verdict

    Raises
    ------
    UnknownRegionError
        The claim or an alternative is not a known region (the message lists them).
    """
    claim_region = R.region(claim)
    c = _prepare(candidates)
    items = _line_table(candidates)
    c, items = _one_number_a_line(c, items)
    shares = region_shares(c, regions)
    hyps = _hypotheses(claim_region, alternatives, shares)
    H = [h.id for h in hyps]
    hs = _hyp_shares(shares, hyps) if len(c) else pd.DataFrame(columns=H)
    c = c.reset_index(drop=True)
    hs = hs.reset_index(drop=True)
    c["_w"], cluster_rows = _candidate_weights(c, hs, hyps)

    ev_rows = []
    loglik = {h: 0.0 for h in H}
    item_ids = (
        list(items["item"]) if items is not None and len(items) else sorted(c["item"].unique())
    )
    for item in item_ids:
        info = items[items["item"] == item].iloc[0] if items is not None and len(items) else None
        row, ll = _weigh_line(item, c[c["item"] == item], info, hs, hyps)
        for h, v in zip(H, ll):
            loglik[h] += float(v)
        ev_rows.append(row)
    evidence = pd.DataFrame(ev_rows) if ev_rows else pd.DataFrame(columns=_EVIDENCE_COLUMNS)

    prior = np.array([(priors or {}).get(h, 1.0) for h in H], dtype=float)
    prior = prior / prior.sum()
    post = _posterior(prior, np.array([loglik[h] for h in H]))
    best = H[int(np.argmax(post))]
    total_w = float(evidence["weight"].sum()) if len(evidence) else 0.0
    label, reasons = _label(best, post, H, hyps, total_w if len(evidence) else 0.0)
    return Verdict(
        label=label,
        claim=claim_region.id,
        claim_name=claim_region.name,
        claim_as_given=str(claim),
        best_region=best,
        best_region_name=_name(hyps, best),
        table=_hypothesis_table(hyps, prior, loglik, post, ev_rows),
        evidence=evidence,
        clusters=pd.DataFrame(cluster_rows, columns=_CLUSTER_COLUMNS),
        reasons=reasons,
        region_source=_region_source(regions),
        sensitivity=_sensitivity(evidence, H, prior, loglik, label, claim_region.id, hyps),
    )


_EVIDENCE_COLUMNS = [
    "item",
    "text",
    "kind",
    "n_candidates",
    "weight",
    "best_place",
    "best_region",
    "best_region_name",
    "pulls_toward",
    "pulls_toward_name",
    "strength",
    "note",
]
_CLUSTER_COLUMNS = [
    "cluster",
    "n_items",
    "n_independent",
    "lat",
    "lon",
    "region",
    "region_name",
    "place_names",
    "members",
    "items",
]


def _region_source(regions: gpd.GeoDataFrame | None) -> str:
    """Which data placed the candidates in regions, as the verdict reports it."""
    if regions is None:
        return "admin-1 codes (no polygons)"
    if not _polygons(regions):
        said = str(regions.attrs.get("source", ""))
        return (
            said
            if said.startswith("admin-1")
            else "admin-1 codes (the regions given have no polygons)"
        )
    return str(regions.attrs.get("source", "region polygons given by the caller"))


def _polygons(regions: gpd.GeoDataFrame | None) -> dict[str, Any]:
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


def _name(hyps: list[Hypothesis], hyp_id: str) -> str:
    return next(h.name for h in hyps if h.id == hyp_id)


def _candidate_weights(
    c: pd.DataFrame, hs: pd.DataFrame, hyps: list[Hypothesis]
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Each candidate's weight inside its line (sharpened match score, boosted when
    independent lines agree on one place), and the co-location clusters found."""
    raw = (c["score"].astype(float).clip(0, 100) / 100.0) ** _SHARPEN
    boost = np.ones(len(c))
    cluster_rows = []
    ordered = sorted(_clusters(c), key=lambda g: (-len({c.at[i, "item"] for i in g}), min(g)))
    for k, g in enumerate(ordered):
        n_indep = _independent(c, g)
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
                "region_name": _name(hyps, region_of),
                "place_names": ", ".join(dict.fromkeys(sub["name"].astype(str))),
                "members": "; ".join(
                    f'#{int(r.item)} "{r.text}" -> {r.name}' for r in sub.itertuples()
                ),
                "items": sorted({int(i) for i in sub["item"]}),
            }
        )
    return raw.to_numpy() * boost, cluster_rows


def _weigh_line(
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
    caption = _caption_note(sub, info) if kind == "caption" else ""
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
        best_region_name=_name(hyps, best_h),
        pulls_toward=toward if w > 0 else None,
        pulls_toward_name=_name(hyps, toward) if w > 0 else "nothing",
        strength=round(float(centred.max() - centred.min()), 4),
        note=note,
    )
    row.update({f"pull:{h}": round(float(v), 4) for h, v in zip(H, centred)})
    return row, ll


def _caption_note(sub: pd.DataFrame, info: Any) -> str:
    """Why a caption line weighs nothing, with the reason it was found to be one."""
    why = ""
    if "caption_reason" in sub.columns and len(sub):
        why = sub["caption_reason"].iloc[0]
    elif info is not None and "caption_reason" in info:
        why = info["caption_reason"]
    why = why if isinstance(why, str) and why else "kind set to caption"
    return f"caption, {why}. Text put on the video, not in the scene: it places nothing"


def _posterior(prior: np.ndarray, loglik: np.ndarray) -> np.ndarray:
    logpost = np.log(prior) + loglik
    post = np.exp(logpost - logpost.max())
    return post / post.sum()


def _label_of(best: str, claim_p: float, claim: str) -> str:
    """The label the posterior alone gives (the claim is hypothesis 0)."""
    if best == claim and claim_p >= SUPPORT_AT:
        return "supported"
    if best != claim and claim_p <= CONTRADICT_AT:
        return "contradicted"
    return "inconclusive"


def _label(
    best: str, post: np.ndarray, H: list[str], hyps: list[Hypothesis], total_w: float
) -> tuple[str, list[str]]:
    """The label, and why: too little evidence first, then the posterior thresholds."""
    claim_p = float(post[0])
    best_p = float(post[H.index(best)])
    if total_w < MIN_TOTAL_WEIGHT:
        why = (
            "no usable evidence: no line of text matched a gazetteer place"
            if total_w == 0
            else f"too little usable evidence (total weight {total_w:.2f} < {MIN_TOTAL_WEIGHT}): "
            "names are uncertain, common, or only slogans"
        )
        return "inconclusive", [why]
    label = _label_of(best, claim_p, H[0])
    if label == "supported":
        why = f"the claim is the most probable hypothesis with posterior {claim_p:.2f} >= {SUPPORT_AT}"
    elif label == "contradicted":
        why = (
            f"{_name(hyps, best)} is most probable ({best_p:.2f}); the claim has "
            f"{claim_p:.2f} <= {CONTRADICT_AT}"
        )
    else:
        why = (
            f"the evidence does not separate the hypotheses enough (claim {claim_p:.2f}, "
            f"best {_name(hyps, best)} {best_p:.2f})"
        )
    return label, [why]


def _hypothesis_table(
    hyps: list[Hypothesis],
    prior: np.ndarray,
    loglik: dict[str, float],
    post: np.ndarray,
    ev_rows: list[dict[str, Any]],
) -> pd.DataFrame:
    H = [h.id for h in hyps]
    supporting: dict[str, list[str]] = {h: [] for h in H}
    for e in ev_rows:
        if e.get("pulls_toward") in supporting and e.get("weight", 0) > 0:
            supporting[e["pulls_toward"]].append(f"#{e['item']} {e['text']}")
    return pd.DataFrame(
        {
            "hypothesis": H,
            "name": [h.name for h in hyps],
            "is_claim": [h.is_claim for h in hyps],
            "excludes": [", ".join(h.exclude) for h in hyps],
            "prior": prior.round(4),
            "log_likelihood": np.round([loglik[h] for h in H], 4),
            "posterior": post.round(6),
            "n_supporting": [len(supporting[h]) for h in H],
            "supporting": ["; ".join(supporting[h]) for h in H],
        }
    )


def _sensitivity(
    evidence: pd.DataFrame,
    H: list[str],
    prior: np.ndarray,
    loglik: dict[str, float],
    label: str,
    claim: str,
    hyps: list[Hypothesis],
) -> list[str]:
    """Which single lines, if removed (misread, or a different kind), would change the label."""
    out: list[str] = []
    if not len(evidence) or "pull:" + H[0] not in evidence.columns:
        return [
            "Any line of text that names a place in the gazetteer (a street sign, a shop board) "
            "would give the verdict something to weigh."
        ]
    base = np.array([loglik[h] for h in H])
    order = evidence.sort_values("strength", ascending=False)
    for e in order.head(8).itertuples():
        if e.weight <= 0:
            continue
        row = evidence.loc[evidence["item"] == e.item].iloc[0]
        pulls = np.array([row[f"pull:{h}"] for h in H], dtype=float)
        post = _posterior(prior, base - pulls)
        cp = float(post[0])
        new = _label_of(H[int(np.argmax(post))], cp, claim)
        if new != label:
            out.append(
                f'Without line #{e.item} "{e.text}" the verdict would be {new} '
                f"(claim {cp:.2f}); check that reading."
            )
    if not out:
        out.append("No single line decides it: removing any one line leaves the label unchanged.")
    if label != "supported":
        out.append(
            f"Fixed signage naming a place in {next(h.name for h in hyps if h.is_claim)} "
            "(street or shop signs, co-located with other evidence) would move it toward the claim."
        )
    if label == "inconclusive":
        out.append(
            "A second independent sign naming a place close to one of the candidates "
            "(co-location) would separate the hypotheses."
        )
    return out
