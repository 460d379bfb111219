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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from . import regions as R
from ._clusters import COLOCATION_M
from ._escape import html_text
from ._hypotheses import (
    Hypothesis,
    build_hypotheses,
    hypothesis_name,
    hypothesis_shares,
    region_shares,
    region_source,
)
from ._weighing import candidate_weights, one_number_a_line, prepare_candidates, weigh_line
from .evidence import line_table as _line_table

__all__ = ["COLOCATION_M", "Hypothesis", "Verdict", "region_shares", "test_claim"]

#: Posterior the claim needs to be supported; the most it may keep to be contradicted.
SUPPORT_AT = 0.8
CONTRADICT_AT = 0.1
#: Total evidence weight below which nothing is concluded.
MIN_TOTAL_WEIGHT = 0.35


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


# --------------------------------------------------------------------------- hypotheses


# --------------------------------------------------------------------------- co-location


# --------------------------------------------------------------------------- the test


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
    c = prepare_candidates(candidates)
    items = _line_table(candidates)
    c, items = one_number_a_line(c, items)
    shares = region_shares(c, regions)
    hyps = build_hypotheses(claim_region, alternatives, shares)
    H = [h.id for h in hyps]
    hs = hypothesis_shares(shares, hyps) if len(c) else pd.DataFrame(columns=H)
    c = c.reset_index(drop=True)
    hs = hs.reset_index(drop=True)
    c["_w"], cluster_rows = candidate_weights(c, hs, hyps)

    ev_rows = []
    loglik = {h: 0.0 for h in H}
    item_ids = (
        list(items["item"]) if items is not None and len(items) else sorted(c["item"].unique())
    )
    for item in item_ids:
        info = items[items["item"] == item].iloc[0] if items is not None and len(items) else None
        row, ll = weigh_line(item, c[c["item"] == item], info, hs, hyps)
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
        best_region_name=hypothesis_name(hyps, best),
        table=_hypothesis_table(hyps, prior, loglik, post, ev_rows),
        evidence=evidence,
        clusters=pd.DataFrame(cluster_rows, columns=_CLUSTER_COLUMNS),
        reasons=reasons,
        region_source=region_source(regions),
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
            f"{hypothesis_name(hyps, best)} is most probable ({best_p:.2f}); the claim has "
            f"{claim_p:.2f} <= {CONTRADICT_AT}"
        )
    else:
        why = (
            f"the evidence does not separate the hypotheses enough (claim {claim_p:.2f}, "
            f"best {hypothesis_name(hyps, best)} {best_p:.2f})"
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
