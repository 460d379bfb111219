"""Rough bounding boxes of countries, for sanity checks of coordinates (swapped lat/lon).

Boxes are generous (they include disputed areas each side administers or claims) and are meant
only to tell "most points are in the declared country" from "most points are elsewhere". They
imply no position on any boundary.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

#: ISO 3166-1 alpha-2 code -> (min_lon, min_lat, max_lon, max_lat), rounded outwards.
COUNTRY_BBOX: dict[str, tuple[float, float, float, float]] = {
    "AF": (60.4, 29.3, 75.0, 38.5),
    "BD": (88.0, 20.5, 92.7, 26.7),
    "BT": (88.7, 26.7, 92.2, 28.4),
    "CN": (73.4, 18.1, 135.1, 53.6),
    "IN": (68.0, 6.5, 97.5, 37.1),
    "IR": (44.0, 25.0, 63.4, 39.8),
    "LK": (79.5, 5.9, 82.0, 9.9),
    "MM": (92.1, 9.5, 101.2, 28.6),
    "NP": (80.0, 26.3, 88.2, 30.5),
    "PK": (60.8, 23.6, 77.9, 37.1),
    "TJ": (67.3, 36.6, 75.2, 41.1),
    "AE": (51.5, 22.6, 56.4, 26.1),
    "SA": (34.5, 16.3, 55.7, 32.2),
    "IQ": (38.7, 29.0, 48.6, 37.4),
    "TR": (25.6, 35.8, 44.9, 42.2),
    "GB": (-8.7, 49.8, 1.8, 60.9),
    "FR": (-5.2, 41.3, 9.6, 51.1),
    "DE": (5.8, 47.2, 15.1, 55.1),
    "US": (-179.2, 18.9, -66.9, 71.4),
    "CA": (-141.1, 41.6, -52.6, 83.2),
    "AU": (112.9, -43.7, 153.7, -10.6),
}


def inside_country(
    lat: NDArray[np.float64], lon: NDArray[np.float64], country: NDArray[np.object_]
) -> NDArray[np.float64]:
    """1.0 where a point lies in its country's box, 0.0 where not, NaN where the box is unknown.

    Parameters
    ----------
    lat, lon
        Coordinates in degrees.
    country
        ISO codes, one per point.

    Returns
    -------
    numpy.ndarray
    """
    out = np.full(len(lat), np.nan)
    for code in set(country.tolist()):
        box = COUNTRY_BBOX.get(str(code).upper())
        if box is None:
            continue
        sel = country == code
        x0, y0, x1, y1 = box
        out[sel] = (
            (lon[sel] >= x0) & (lon[sel] <= x1) & (lat[sel] >= y0) & (lat[sel] <= y1)
        ).astype(float)
    return out
