"""The region hierarchy (private: :mod:`geoverify.regions` is its public face).

Ids, neutral names, aliases, parents, admin-1 membership and anchor places of the regions a
claim is tested against; the polygon reader (``_region_polygons``) and ``regions`` both read it
from here, so neither imports the other.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .data import bundled_path
from .exceptions import RegionDataError, UnknownRegionError


@dataclass(frozen=True)
class Region:
    """A named region: id, neutral name, aliases, parent and admin-1 membership.

    ``anchors`` are well-known places, ``(name, lat, lon)``, that lie inside the region: a
    polygon file is only used if each anchor lies inside the polygon of its region (or of its
    nearest ancestor that has one) and of no region apart from those.
    """

    id: str
    name: str
    parent: str | None = None
    admin1: tuple[str, ...] = ()  # "IN.41" style GeoNames codes; "IN.*" means the whole country
    aliases: tuple[str, ...] = ()
    note: str = ""
    # Natural Earth features that draw the region: (layer, BRK_NAME or ADMIN) pairs
    ne_features: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    anchors: tuple[tuple[str, float, float], ...] = field(default=(), compare=False)
    # drawn as its features less these regions (a country less the disputed areas it holds)
    minus: tuple[str, ...] = field(default=(), compare=False)


def _load(path: Path) -> tuple[tuple[Region, ...], tuple[str, str] | None]:
    """The regions of ``data/regions/regions.json`` (shipped with the package), checked."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        regions = tuple(
            Region(
                id=str(r["id"]),
                name=str(r["name"]),
                parent=r.get("parent"),
                admin1=tuple(r.get("admin1", ())),
                aliases=tuple(r.get("aliases", ())),
                note=str(r.get("note", "")),
                ne_features=tuple((str(a), str(b)) for a, b in r.get("ne_features", ())),
                anchors=tuple((str(n), float(y), float(x)) for n, y, x in r.get("anchors", ())),
                minus=tuple(r.get("minus", ())),
            )
            for r in doc["regions"]
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RegionDataError(f"{path}: not a region hierarchy ({exc})") from exc
    ids = {r.id for r in regions}
    for r in regions:
        for other in (r.parent, *r.minus):
            if other is not None and other not in ids:
                raise RegionDataError(
                    f"{path}: region {r.id!r} names {other!r}, which is not in it"
                )
    loc = doc.get("line_of_control")
    return regions, (str(loc[0]), str(loc[1])) if loc else None


#: The region hierarchy, as data (``data/regions/regions.json``). Leaves (regions without
#: children) partition the area of interest.
REGIONS, LINE_OF_CONTROL = _load(bundled_path("regions", "regions.json"))


_BY_ID = {r.id: r for r in REGIONS}
ELSEWHERE = "elsewhere"


def _alias_key(text: str) -> str:
    """The form names are compared in: NFKC, case-folded, without spaces, punctuation that
    varies (``-_.'’``) and invisible format characters (category Cf: zero-width spaces and
    joiners, U+FEFF, soft hyphens, bidi marks and controls), "&" read as "and"."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return re.sub(r"[\s\-_.'’&]+", "", text.replace("&", "and"))


_ALIASES: dict[str, str] = {}
for _r in REGIONS:
    for _a in (_r.id, _r.name, *_r.aliases):
        _ALIASES.setdefault(_alias_key(_a), _r.id)


def region(alias: str) -> Region:
    """Resolve a region id, name or alias ("PoK", "AJK", "IIOJK", "Kargil") to a :class:`Region`.

    Raises
    ------
    UnknownRegionError
        Listing the known regions and their aliases.
    """
    if isinstance(alias, Region):
        return alias
    key = _alias_key(str(alias))
    if key in _ALIASES:
        return _BY_ID[_ALIASES[key]]
    known = "; ".join(f"{r.id} ({', '.join(r.aliases[:4])})" for r in REGIONS)
    raise UnknownRegionError(f"unknown region {alias!r}. Known regions (and some aliases): {known}")


def children(region_id: str) -> list[str]:
    """Direct children of a region."""
    return [r.id for r in REGIONS if r.parent == region_id]


def leaves(region_id: str) -> set[str]:
    """The leaf regions that make up a region (itself if it has no children)."""
    kids = children(region_id)
    if not kids:
        return {region_id}
    out: set[str] = set()
    for k in kids:
        out |= leaves(k)
    return out


def ancestors(region_id: str) -> list[str]:
    """The region and its parents, innermost first."""
    chain = []
    cur: str | None = region_id
    while cur:
        chain.append(cur)
        cur = _BY_ID[cur].parent
    return chain


ALL_LEAVES: tuple[str, ...] = tuple(r.id for r in REGIONS if not children(r.id))


def leaf_for_admin(country: str, admin1: str) -> str | None:
    """The leaf region of a GeoNames country + admin-1 code, or None if outside every region."""
    code = f"{(country or '').upper()}.{(admin1 or '').strip()}"
    wildcard = None
    for rid in ALL_LEAVES:
        r = _BY_ID[rid]
        if code in r.admin1:
            return rid
        if f"{(country or '').upper()}.*" in r.admin1:
            wildcard = rid
    # admin1 of the parent (e.g. "PK.06" listed on pakistan-administered-kashmir only)
    for r in REGIONS:
        if code in r.admin1:
            kids = sorted(leaves(r.id))
            if len(kids) == 1:
                return kids[0]
    if wildcard and (country or "").upper() == "IN" and code not in ("IN.12", "IN.41"):
        return wildcard
    return None
