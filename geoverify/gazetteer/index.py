"""Deprecated: the name index is internal and moved to ``geoverify.gazetteer._index``.

Its names still import from here, with a warning, until 0.3. The index is reached through
:class:`~geoverify.Gazetteer` (``search``, ``spot``, ``index``).
"""

from __future__ import annotations

from .._deprecated import module_getattr

_MOVED = (
    "DEFAULT_WEIGHTS",
    "EXHAUSTIVE_BELOW",
    "FORMAT_VERSION",
    "KIND_BITS",
    "NameIndex",
    "NameKeys",
    "PackedStrings",
    "QueryKeys",
    "SCRIPT_CODES",
    "ScoreWeights",
    "kinds_mask",
    "name_keys",
    "stable_hash",
)

__getattr__ = module_getattr(
    "geoverify.gazetteer.index", {name: f"geoverify.gazetteer._index:{name}" for name in _MOVED}
)
