"""Online geocoding through geopy (Nominatim), converted to the gazetteer schema.

Nominatim's usage policy (https://operations.osmfoundation.org/policies/nominatim/) asks for
at most one request a second, an identifying user agent, and caching of results. So every
request goes through geopy's :class:`~geopy.extra.rate_limiter.RateLimiter`
(``min_delay_seconds=1`` by default), the user agent is ``settings.user_agent``, and answers
are kept in a JSON cache under ``settings.cache_dir`` (``geocoder/nominatim.json``), keyed by
server, query and parameters: a repeated query never reaches the server again, and cached
answers work offline. Network use obeys ``settings.allow_downloads``.

Results become gazetteer rows: id ``osm:<type>/<id>``, the names from ``namedetails``
(``name``, ``name:ur``, ``name:en``, ``alt_name``, ...), a kind from the OSM class/type, the
country code, and an uncertainty radius from the bounding box.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .. import settings
from .._atomic import write_text
from .._sphere import haversine_m
from ..exceptions import DataUnavailableError, GazetteerError
from .core import Gazetteer
from .osm import OSM_LICENCE, osm_kind, osm_names

__all__ = ["NominatimSource", "geocode_places"]


class _JsonCache:
    """A small JSON file of ``key -> raw answer``, written atomically after each change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.data = {}

    def get(self, key: str) -> Any:
        return self.data.get(key)

    def put(self, key: str, value: Any) -> None:
        self.data[key] = value
        write_text(self.path, json.dumps(self.data, ensure_ascii=False, sort_keys=True))


class NominatimSource:
    """Nominatim (OpenStreetMap) search through geopy, rate-limited and cached.

    Parameters
    ----------
    domain
        Nominatim server (``nominatim.openstreetmap.org``, or your own instance).
    scheme
        ``"https"`` or ``"http"``.
    user_agent
        Identifies the application to the server (default ``settings.user_agent``).
    min_delay_seconds
        Smallest delay between requests (Nominatim's policy: 1 second).
    cache
        Keep answers in ``settings.cache_dir`` (default), in a given JSON file, or not at all
        (``False``).
    timeout
        Seconds to wait for an answer.
    language
        ``Accept-Language`` for display names (``"en,ur"``).

    Examples
    --------
    >>> src = NominatimSource()  # doctest: +SKIP
    >>> gaz = src.gazetteer(["Khomeini Chowk, Kargil", "Lal Chowk, Srinagar"])  # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        domain: str = "nominatim.openstreetmap.org",
        scheme: str = "https",
        user_agent: str | None = None,
        min_delay_seconds: float = 1.0,
        cache: bool | str | Path = True,
        timeout: float = 10.0,
        language: str = "en,ur",
    ) -> None:
        from geopy.extra.rate_limiter import RateLimiter
        from geopy.geocoders import Nominatim

        self.domain = domain
        self.scheme = scheme
        self.user_agent = user_agent or settings.user_agent
        self.language = language
        self.geocoder = Nominatim(
            user_agent=self.user_agent, domain=domain, scheme=scheme, timeout=timeout
        )
        self._geocode = RateLimiter(
            self.geocoder.geocode,
            min_delay_seconds=min_delay_seconds,
            max_retries=2,
            error_wait_seconds=max(min_delay_seconds, 0.1) * 2,
            swallow_exceptions=False,
        )
        if cache is True:
            self.cache: _JsonCache | None = _JsonCache(
                settings.cache_path("geocoder", "nominatim.json")
            )
        elif cache:
            self.cache = _JsonCache(Path(cache))  # type: ignore[arg-type]
        else:
            self.cache = None
        #: Number of requests sent to the server (cache hits are not counted).
        self.requests = 0

    def _key(self, query: str, params: Mapping[str, Any]) -> str:
        return json.dumps(
            [self.scheme, self.domain, query, dict(sorted(params.items()))], ensure_ascii=False
        )

    def search(
        self, query: str, *, limit: int = 5, country_codes: Sequence[str] | None = None
    ) -> list[dict[str, Any]]:
        """Raw Nominatim results (``jsonv2``-style dicts) for one query, cached.

        Parameters
        ----------
        query
            Free-form query ("Lal Chowk, Srinagar").
        limit
            Most results.
        country_codes
            Restrict to these ISO codes.

        Returns
        -------
        list of dict

        Raises
        ------
        DataUnavailableError
            The answer is not cached and ``settings.allow_downloads`` is false.
        GazetteerError
            The server could not be reached or answered with an error.
        """
        params: dict[str, Any] = {
            "limit": int(limit),
            "country_codes": ",".join(country_codes) if country_codes else "",
            "language": self.language,
        }
        key = self._key(query, params)
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                return list(hit)
        if not settings.allow_downloads:
            raise DataUnavailableError(
                f"Nominatim answer for {query!r} is not cached and online access is off "
                f"(settings.allow_downloads / GEOVERIFY_OFFLINE)"
            )
        from geopy.exc import GeopyError

        self.requests += 1
        try:
            found = self._geocode(
                query,
                exactly_one=False,
                limit=int(limit),
                addressdetails=True,
                namedetails=True,
                extratags=True,
                language=self.language,
                country_codes=list(country_codes) if country_codes else None,
            )
        except GeopyError as exc:
            raise GazetteerError(
                f"Nominatim at {self.scheme}://{self.domain} failed for {query!r}: {exc}"
            ) from exc
        raw = [loc.raw for loc in (found or [])]
        if self.cache is not None:
            self.cache.put(key, raw)
        return raw

    def gazetteer(
        self,
        queries: Iterable[str],
        *,
        limit: int = 5,
        country_codes: Sequence[str] | None = None,
        name: str = "nominatim",
    ) -> Gazetteer:
        """Geocode queries and return the places found as a :class:`Gazetteer`.

        Parameters
        ----------
        queries
            Place names or free-form queries.
        limit
            Results per query.
        country_codes
            Restrict to these ISO codes.
        name
            Name of the gazetteer.

        Returns
        -------
        Gazetteer
            Extra columns ``query`` (the first query that found the place), ``importance``,
            ``display_name``, ``name_ur``.
        """
        rows: dict[str, dict[str, Any]] = {}
        stamp = time.strftime("%Y-%m-%d")
        for q in queries:
            for raw in self.search(q, limit=limit, country_codes=country_codes):
                row = nominatim_row(raw, query=q, domain=self.domain, date=stamp)
                if row is not None and row["id"] not in rows:
                    rows[row["id"]] = row
        cols = [
            "id",
            "name",
            "alt_names",
            "lat",
            "lon",
            "kind",
            "country",
            "admin1_name",
            "population",
            "source",
            "uncertainty_m",
            "query",
            "importance",
            "display_name",
            "name_ur",
        ]
        df = pd.DataFrame(list(rows.values()), columns=cols)
        return Gazetteer.from_dataframe(
            df,
            name=name,
            origin=f"Nominatim {self.scheme}://{self.domain}",
            sources=[f"Nominatim ({self.domain}) via geopy; {OSM_LICENCE}"],
            check_countries=False,
        )


def nominatim_row(
    raw: Mapping[str, Any], *, query: str = "", domain: str = "", date: str = ""
) -> dict[str, Any] | None:
    """One Nominatim result as a gazetteer row (None if it has no coordinates).

    Parameters
    ----------
    raw
        A result of Nominatim's ``/search`` (``format=json``), with ``namedetails`` and
        ``addressdetails`` where available.
    query, domain, date
        For the ``source`` column.

    Returns
    -------
    dict or None
    """
    try:
        lat, lon = float(raw["lat"]), float(raw["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    details = dict(raw.get("namedetails") or {})
    name, alts = osm_names(details)
    display = str(raw.get("display_name") or "")
    if not name:
        name = display.split(",")[0].strip() or query
    cls = str(raw.get("class") or raw.get("category") or "")
    typ = str(raw.get("type") or "")
    kind = osm_kind({cls: typ} if cls else {}, name)
    radius = float("nan")
    bb = raw.get("boundingbox")
    if isinstance(bb, (list, tuple)) and len(bb) == 4:
        try:
            s, n, w, e = (float(x) for x in bb)
            radius = haversine_m(s, w, n, e) / 2
        except ValueError:
            pass
    addr = dict(raw.get("address") or {})
    extratags = dict(raw.get("extratags") or {})
    osm_type = str(raw.get("osm_type") or "place")
    osm_id = raw.get("osm_id") or raw.get("place_id") or f"{lat:.5f},{lon:.5f}"
    return {
        "id": f"osm:{osm_type}/{osm_id}",
        "name": name,
        "alt_names": [a for a in alts if a != name],
        "lat": lat,
        "lon": lon,
        "kind": kind,
        "country": str(addr.get("country_code") or "").upper(),
        "admin1_name": str(addr.get("state") or addr.get("province") or ""),
        "population": extratags.get("population"),
        "source": (
            f"Nominatim ({domain}) via geopy, query {query!r}"
            + (f", {date}" if date else "")
            + f"; {OSM_LICENCE}"
        ),
        "uncertainty_m": max(radius, 25.0) if not math.isnan(radius) else 250.0,
        "query": query,
        "importance": raw.get("importance"),
        "display_name": display,
        "name_ur": str(details.get("name:ur") or ""),
    }


def geocode_places(
    queries: Iterable[str] | str,
    *,
    limit: int = 5,
    country_codes: Sequence[str] | None = None,
    **source_kwargs: Any,
) -> Gazetteer:
    """Geocode place names with Nominatim (through geopy) into a :class:`Gazetteer`.

    Parameters
    ----------
    queries
        One query or several ("Khomeini Chowk, Kargil").
    limit
        Results per query.
    country_codes
        Restrict to these ISO codes (``["in", "pk"]``).
    **source_kwargs
        Passed to :class:`NominatimSource` (``domain``, ``scheme``, ``user_agent``,
        ``min_delay_seconds``, ``cache``, ``timeout``, ``language``).

    Returns
    -------
    Gazetteer
    """
    if isinstance(queries, str):
        queries = [queries]
    src = NominatimSource(**source_kwargs)
    return src.gazetteer(queries, limit=limit, country_codes=country_codes)
