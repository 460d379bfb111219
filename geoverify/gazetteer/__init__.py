"""Gazetteers: places with names in several scripts, and cross-script fuzzy search."""

from .core import COLUMNS, Gazetteer
from .sources import load_bundled, load_gazetteer

__all__ = ["COLUMNS", "Gazetteer", "load_bundled", "load_gazetteer"]
