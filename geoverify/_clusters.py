"""Co-location: independent evidence lines whose candidate places lie within a few km of each
other, found as clusters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._sphere import haversine_m
from .evidence import KIND_WEIGHTS

#: Candidates of different lines within this distance (m) co-locate (plus their uncertainty, capped).
COLOCATION_M = 5_000.0


def independent_count(c: pd.DataFrame, rows: list[int]) -> int:
    """How many independent lines a group of candidate rows stands for.

    Lines whose candidate sets are identical are readings of one name (the Urdu and English
    halves of one street sign, or one banner read in two frames): they count once.
    """
    sig = c.groupby("item")["place_id"].agg(lambda s: tuple(sorted(set(map(str, s)))))
    return len({sig[c.at[i, "item"]] for i in rows})


def colocated_clusters(c: pd.DataFrame) -> list[list[int]]:
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
    return [g for g in groups.values() if independent_count(c, g) >= 2]
