"""Old public names kept working for one release, each with a warning that says what to use.

A module lists its moved names in a table and hands :func:`module_getattr` to Python as its
``__getattr__`` (PEP 562), so an old import still works and the new module is imported only
when the old name is used: the aliases add no import edges.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from .exceptions import GeoverifyDeprecationWarning


def warn_deprecated(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Warn that ``old`` is deprecated in favour of ``new``."""
    warnings.warn(
        f"{old} is deprecated and will be removed in geoverify 0.3; use {new}",
        GeoverifyDeprecationWarning,
        stacklevel=stacklevel,
    )


def module_getattr(module: str, moved: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` resolving the names in ``moved`` (old name -> "module:name")."""

    def moved_attribute(name: str) -> Any:
        target = moved.get(name)
        if target is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        where, _, new_name = target.partition(":")
        warn_deprecated(f"{module}.{name}", f"{where}.{new_name}")
        return getattr(importlib.import_module(where), new_name)

    return moved_attribute
