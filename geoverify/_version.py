"""The package's version, read from its installed metadata (written once, in pyproject.toml)."""

from __future__ import annotations

from importlib import metadata

try:
    __version__ = metadata.version("geoverify")
except metadata.PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
