"""The region hierarchy (private: :mod:`geoverify.regions` is its public face).

Ids, neutral names, aliases, parents, admin-1 membership and anchor places of the regions a
claim is tested against; the polygon reader (``_region_polygons``) and ``regions`` both read it
from here, so neither imports the other.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .exceptions import UnknownRegionError


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


#: The region hierarchy. Leaves (regions without children) partition the area of interest.
REGIONS: tuple[Region, ...] = (
    Region(
        "india-administered-jammu-and-kashmir",
        "India-administered Jammu and Kashmir",
        admin1=("IN.12", "IN.41"),
        aliases=(
            "Indian-administered Kashmir",
            "India-administered Kashmir",
            "Indian Kashmir",
            "IoK",
            "IOK",
            "Indian-occupied Kashmir",
            "Indian occupied Kashmir",
            "IIOJK",
            "Indian Illegally Occupied Jammu and Kashmir",
            "IOJK",
            "Jammu and Kashmir",
            "Jammu & Kashmir",
            "J&K",
            "Kashmir (India)",
            "مقبوضہ کشمیر",
        ),
        note="Administered by India (union territories of Jammu and Kashmir, and Ladakh); claimed by Pakistan.",
        ne_features=(("disputed", "Jammu and Kashmir"),),
    ),
    Region(
        "jammu-and-kashmir-ut",
        "Jammu and Kashmir (union territory)",
        parent="india-administered-jammu-and-kashmir",
        admin1=("IN.12",),
        aliases=("Jammu and Kashmir UT", "J&K UT", "Kashmir Valley", "Kashmir valley", "Jammu"),
        anchors=(("Srinagar", 34.08, 74.80), ("Jammu", 32.73, 74.86)),
    ),
    Region(
        "ladakh",
        "Ladakh",
        parent="india-administered-jammu-and-kashmir",
        admin1=("IN.41",),
        aliases=("Ladakh", "لداخ", "Kargil", "کرگل", "Leh", "Kargil district", "Leh district"),
        note="Union territory of India since 2019 (districts Leh and Kargil); 'Kargil' resolves here.",
        anchors=(("Kargil", 34.56, 76.13), ("Leh", 34.16, 77.58)),
    ),
    Region(
        "pakistan-administered-kashmir",
        "Pakistan-administered Kashmir",
        admin1=("PK.06", "PK.07"),
        aliases=(
            "PoK",
            "POK",
            "PoJK",
            "PaK",
            "Pakistan-occupied Kashmir",
            "Pakistan occupied Kashmir",
            "Pakistan Occupied Kashmir",
            "Pakistan-occupied Jammu and Kashmir",
            "Pakistan-administered Kashmir",
            "Pakistani-administered Kashmir",
            "Pakistan-held Kashmir",
            "Pakistani Kashmir",
            "Kashmir (Pakistan)",
            "پاکستان کے زیر انتظام کشمیر",
        ),
        note="Administered by Pakistan (Azad Jammu and Kashmir, and Gilgit-Baltistan); claimed by India.",
        ne_features=(("disputed", "Azad Kashmir"), ("disputed", "Northern Areas")),
    ),
    Region(
        "azad-kashmir",
        "Azad Jammu and Kashmir",
        parent="pakistan-administered-kashmir",
        admin1=("PK.06",),
        aliases=(
            "AJK",
            "AJ&K",
            "Azad Kashmir",
            "Azad Jammu and Kashmir",
            "Azad Jammu & Kashmir",
            "آزاد کشمیر",
            "آزاد جموں و کشمیر",
        ),
        ne_features=(("disputed", "Azad Kashmir"),),
        anchors=(("Muzaffarabad", 34.37, 73.47), ("Mirpur", 33.15, 73.75)),
    ),
    Region(
        "gilgit-baltistan",
        "Gilgit-Baltistan",
        parent="pakistan-administered-kashmir",
        admin1=("PK.07",),
        aliases=("GB", "Gilgit Baltistan", "Northern Areas", "Gilgit-Baltistan", "گلگت بلتستان"),
        ne_features=(("disputed", "Northern Areas"),),
        anchors=(("Gilgit", 35.92, 74.31), ("Skardu", 35.30, 75.63)),
    ),
    Region(
        "pakistan",
        "Pakistan (outside Pakistan-administered Kashmir)",
        admin1=("PK.01", "PK.02", "PK.03", "PK.04", "PK.05", "PK.08"),
        aliases=("Pakistan", "پاکستان", "Pakistan proper"),
        note="Pakistan's provinces and capital territory; Pakistan-administered Kashmir is a separate region.",
        ne_features=(("countries", "Pakistan"),),
    ),
    Region(
        "balochistan",
        "Balochistan",
        parent="pakistan",
        admin1=("PK.02",),
        aliases=("Balochistan", "Baluchistan", "بلوچستان", "Quetta", "کوئٹہ"),
        anchors=(("Quetta", 30.18, 66.99),),
    ),
    Region(
        "khyber-pakhtunkhwa",
        "Khyber Pakhtunkhwa",
        parent="pakistan",
        admin1=("PK.03", "PK.01"),
        aliases=("KP", "KPK", "Khyber Pakhtunkhwa", "NWFP", "N.W.F.P.", "FATA", "خیبر پختونخوا"),
    ),
    Region(
        "punjab-pakistan",
        "Punjab (Pakistan)",
        parent="pakistan",
        admin1=("PK.04",),
        aliases=("Punjab, Pakistan", "Pakistani Punjab", "پنجاب"),
        anchors=(("Lahore", 31.55, 74.34),),
    ),
    Region(
        "sindh", "Sindh", parent="pakistan", admin1=("PK.05",), aliases=("Sindh", "Sind", "سندھ")
    ),
    Region(
        "islamabad",
        "Islamabad Capital Territory",
        parent="pakistan",
        admin1=("PK.08",),
        aliases=("Islamabad", "ICT", "اسلام آباد"),
    ),
    Region(
        "siachen",
        "Siachen Glacier",
        aliases=("Siachen", "Siachen Glacier", "سیاچن"),
        note="Held by India since 1984, claimed by Pakistan; Natural Earth marks it indeterminate.",
        ne_features=(("disputed", "Siachen Glacier"),),
    ),
    Region(
        "china-administered-kashmir",
        "China-administered Aksai Chin and Shaksgam Valley",
        aliases=("Aksai Chin", "Shaksgam Valley", "Shaksam Valley", "Trans-Karakoram Tract"),
        note="Administered by China; claimed by India.",
        ne_features=(("disputed", "Aksai Chin"), ("disputed", "Shaksam Valley")),
    ),
    Region(
        "india",
        "India (outside India-administered Jammu and Kashmir)",
        admin1=("IN.*",),
        aliases=("India", "بھارت", "ہندوستان", "India proper"),
        note="India's states and union territories other than Jammu and Kashmir and Ladakh.",
        ne_features=(("countries", "India"),),
        anchors=(("Delhi", 28.61, 77.21),),
    ),
)

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
