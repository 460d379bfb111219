"""GeoNames dump files: ``IN.txt``, ``PK.zip``, ``allCountries.zip``, ``cities500.zip`` and the
alternate names (``alternateNamesV2.zip``) with their language codes.

The main table (https://download.geonames.org/export/dump/readme.txt) is tab-separated, UTF-8,
without a header, 19 columns::

    geonameid name asciiname alternatenames latitude longitude feature_class feature_code
    country_code cc2 admin1_code admin2_code admin3_code admin4_code population elevation dem
    timezone modification_date

``alternateNamesV2`` has 10 columns (``alternateNameId geonameid isolanguage alternate_name
isPreferredName isShortName isColloquial isHistoric from to``; the older ``alternateNames`` has
the first 8). Its ``isolanguage`` is an ISO 639 code, empty for a name of unknown language, or a
pseudo-code for things that are not names (``post`` postal codes, ``link`` URLs, ``wkdt``
Wikidata ids, ``iata``/``icao``/``faac`` airport codes, ``unlc`` UN/LOCODE, ...).

Choices (see :data:`DEFAULT_LANGUAGES`): by default the alternate names kept are those in
English, Urdu, Arabic, Persian, Pashto, the Arabic-script languages of the region (Punjabi in
Shahmukhi ``pnb``, Sindhi, Kashmiri, Balochi, Saraiki, Brahui, Shina, Balti, Burushaski, Khowar),
Hindi (for Indian places), names of unknown language (``""``) and abbreviations (``abbr``);
colloquial and historic names are kept (an old name is still written on signs) and marked in
the ``name_notes`` column. Pseudo-codes that are not names are always dropped. Pass
``languages="all"`` to keep every language.

Bad lines are reported with the file name and line number and skipped; a file that is not a
GeoNames table at all raises :class:`~geoverify.exceptions.GazetteerError` naming the file and
the first bad line.
"""

from __future__ import annotations

import io
import os
import warnings
import zipfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pandas as pd

from ..exceptions import BadRowsWarning, GazetteerError
from .core import Gazetteer

#: Columns of the GeoNames main table.
GEONAMES_COLUMNS = (
    "geonameid",
    "name",
    "asciiname",
    "alternatenames",
    "latitude",
    "longitude",
    "feature_class",
    "feature_code",
    "country_code",
    "cc2",
    "admin1_code",
    "admin2_code",
    "admin3_code",
    "admin4_code",
    "population",
    "elevation",
    "dem",
    "timezone",
    "modification_date",
)

#: Alternate-name languages kept by default ("" = unknown language; "abbr" = abbreviation).
DEFAULT_LANGUAGES = frozenset(
    {
        "",
        "en",
        "ur",
        "ar",
        "fa",
        "ps",
        "pnb",
        "pa",
        "sd",
        "ks",
        "bal",
        "skr",
        "brh",
        "scl",
        "bft",
        "bsk",
        "khw",
        "hi",
        "abbr",
    }
)

#: ``isolanguage`` pseudo-codes that are not place names; never kept.
NOT_NAMES = frozenset(
    {"post", "link", "wkdt", "iata", "icao", "faac", "unlc", "tcid", "phon", "piny", "fr_1793"}
)

#: Feature codes mapped to the gazetteer's kinds (others: the feature class's kind).
FEATURE_KINDS = {
    "MSQE": "mosque",
    "SHRN": "shrine",
    "TMPL": "temple",
    "CH": "church",
    "SQR": "square",
    "RD": "road",
    "ST": "road",
    "BDG": "bridge",
    "MKT": "bazaar",
    "PRK": "park",
    "PPLX": "neighbourhood",
    "AIRP": "airport",
    "HSP": "hospital",
    "SCH": "school",
    "UNIV": "university",
}
FEATURE_CLASS_KINDS = {
    "P": "populated_place",
    "A": "admin_area",
    "S": "spot",
    "R": "road",
    "L": "area",
    "H": "water",
    "T": "terrain",
    "U": "undersea",
    "V": "vegetation",
}


@contextmanager
def _open_table(path: Path, member: str | None = None) -> Iterator[tuple[IO[bytes], str]]:
    """Open a .txt, or the GeoNames table inside a .zip; yield (binary file, display name)."""
    if path.suffix.lower() == ".zip":
        try:
            zf = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise GazetteerError(f"{path}: not a readable zip file ({exc})") from exc
        with zf:
            names = [n for n in zf.namelist() if n.lower().endswith(".txt")]
            if member is None:
                wanted = [
                    n
                    for n in names
                    if Path(n).stem.lower() == path.stem.lower()
                    or not Path(n).name.lower().startswith(("readme", "iso-languagecodes"))
                ]
                wanted.sort(key=lambda n: (Path(n).stem.lower() != path.stem.lower(), n))
                if not wanted:
                    raise GazetteerError(
                        f"{path}: the zip holds no GeoNames .txt table (members: "
                        f"{', '.join(zf.namelist()[:10]) or 'none'})"
                    )
                member = wanted[0]
            with zf.open(member) as fh:
                yield fh, f"{path}!{member}"
    else:
        with open(path, "rb") as fh:
            yield fh, str(path)


def _lines(fh: IO[bytes], origin: str, problems: list[str]) -> Iterator[tuple[int, str]]:
    """Decoded lines with their numbers; undecodable bytes are replaced and reported."""
    for lineno, raw in enumerate(fh, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(
                f"{origin}, line {lineno}: invalid UTF-8 at byte {exc.start} of the line; "
                f"undecodable bytes replaced"
            )
            line = raw.decode("utf-8", errors="replace")
        if lineno == 1 and line.startswith("\ufeff"):
            line = line[1:]
        yield lineno, line.rstrip("\r\n")


def _uncertainty(fclass: str, population: int) -> float:
    if fclass == "P":
        if population < 10_000:
            return 1500.0
        if population < 100_000:
            return 3000.0
        if population < 1_000_000:
            return 6000.0
        return 10000.0
    if fclass in ("S", "R"):
        return 250.0
    return float("nan")


def _format_error(origin: str, lineno: int, fields: list[str], expected: str) -> GazetteerError:
    return GazetteerError(
        f"{origin}, line {lineno}: not a GeoNames {expected} table: expected tab-separated "
        f"columns ({', '.join(GEONAMES_COLUMNS[:6])}, ...), found {len(fields)} column(s) "
        f"starting {fields[0][:40]!r}. Is this the right file?"
    )


def read_geonames_table(
    path: str | os.PathLike[str],
    *,
    countries: Collection[str] | None = None,
    feature_classes: str | Collection[str] | None = None,
    feature_codes: Collection[str] | None = None,
    min_population: int = 0,
    bbox: tuple[float, float, float, float] | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Read a GeoNames main table (``.txt`` or ``.zip``) into a DataFrame of our columns.

    Parameters
    ----------
    path
        ``IN.txt``, ``IN.zip``, ``allCountries.zip``, ``cities500.zip``, ...
    countries
        ISO codes to keep (all if None).
    feature_classes
        GeoNames feature classes to keep, e.g. ``"PS"`` (populated places and spots).
    feature_codes
        Feature codes to keep, e.g. ``{"PPL", "PPLA", "MSQE"}``.
    min_population
        Smallest population kept (places of unknown population have 0).
    bbox
        ``(min_lon, min_lat, max_lon, max_lat)`` to keep.

    Returns
    -------
    tuple
        ``(DataFrame, problems)``: rows with ``id, name, alt_names, lat, lon, kind, country,
        admin1, population, source, uncertainty_m, feature_code, _line`` and the messages for
        bad lines.

    Raises
    ------
    GazetteerError
        The file is missing or is not a GeoNames table.
    """
    p = Path(path)
    if not p.exists():
        raise GazetteerError(f"{p}: no such file")
    cset = {c.upper() for c in countries} if countries else None
    fcls = set(feature_classes) if feature_classes else None
    fcodes = set(feature_codes) if feature_codes else None
    problems: list[str] = []
    cols: dict[str, list[Any]] = {k: [] for k in _TABLE_COLUMNS}
    good = bad = 0
    first_bad: tuple[int, list[str]] | None = None
    with _open_table(p) as (fh, origin):
        source = f"GeoNames dump {Path(origin.split('!')[-1]).name} (CC BY 4.0)"
        for lineno, line in _lines(fh, origin, problems):
            if not line.strip() or line.startswith("#"):
                continue
            f = line.split("\t")
            if len(f) != 19 or not f[0].strip().isdigit():
                bad += 1
                if first_bad is None:
                    first_bad = (lineno, f)
                if _mostly_bad(good, bad):
                    raise _format_error(origin, *first_bad, "main")
                problems.append(
                    f"{origin}, line {lineno}: expected 19 tab-separated columns with a numeric "
                    f"geonameid, found {len(f)} column(s); line skipped"
                )
                continue
            if not _selected(f, cset, fcls, fcodes):
                continue
            numbers = _position_and_population(f, origin, lineno, problems)
            if numbers is None:
                bad += 1
                continue
            lat, lon, pop = numbers
            if pop < min_population:
                continue
            if bbox is not None and not (bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]):
                continue
            good += 1
            _add_place(cols, f, numbers, lineno)
        if good == 0 and first_bad is not None:
            raise _format_error(origin, *first_bad, "main")
    df = pd.DataFrame(cols)
    df["source"] = source
    return df, problems


#: The columns :func:`read_geonames_table` builds (``source`` is added to the whole table).
_TABLE_COLUMNS = (
    "id",
    "name",
    "alt_names",
    "lat",
    "lon",
    "kind",
    "country",
    "admin1",
    "population",
    "uncertainty_m",
    "feature_code",
    "_line",
)


def _mostly_bad(good: int, bad: int) -> bool:
    """Whether the lines read so far say the file is not the table expected (so reading
    stops with an error rather than reporting every line): three bad lines before a good
    one, or more bad than good after twenty."""
    return (good == 0 and bad >= 3) or (good + bad >= 20 and bad > good)


def _selected(
    f: list[str], countries: set[str] | None, classes: set[str] | None, codes: set[str] | None
) -> bool:
    """Whether a main-table row's country, feature class and feature code are among those
    asked for (None: any)."""
    if countries is not None and f[8].upper() not in countries:
        return False
    if classes is not None and f[6] not in classes:
        return False
    return codes is None or f[7] in codes


def _position_and_population(
    f: list[str], origin: str, lineno: int, problems: list[str]
) -> tuple[float, float, int] | None:
    """``(lat, lon, population)`` of a main-table row; None (reported) when its coordinates
    are not numbers; a population that is not a number is reported and read as 0."""
    try:
        lat, lon = float(f[4]), float(f[5])
    except ValueError:
        problems.append(
            f"{origin}, line {lineno}: non-numeric coordinates "
            f"(latitude={f[4]!r}, longitude={f[5]!r}); line skipped"
        )
        return None
    try:
        pop = int(f[14]) if f[14].strip() else 0
    except ValueError:
        pop = 0
        problems.append(f"{origin}, line {lineno}: non-numeric population {f[14]!r} read as 0")
    return lat, lon, pop


def _add_place(
    cols: dict[str, list[Any]], f: list[str], numbers: tuple[float, float, int], lineno: int
) -> None:
    """Append a kept main-table row (its ``numbers``: lat, lon, population) to ``cols``."""
    lat, lon, pop = numbers
    name = f[1].strip()
    alts = [a for a in (s.strip() for s in f[3].split(",")) if a and a != name]
    if f[2].strip() and f[2].strip() != name:
        alts.insert(0, f[2].strip())
    cols["id"].append(f"geonames:{f[0].strip()}")
    cols["name"].append(name)
    cols["alt_names"].append(list(dict.fromkeys(alts)))
    cols["lat"].append(lat)
    cols["lon"].append(lon)
    cols["kind"].append(FEATURE_KINDS.get(f[7], FEATURE_CLASS_KINDS.get(f[6], "place")))
    cols["country"].append(f[8].upper())
    cols["admin1"].append(f[10])
    cols["population"].append(pop)
    cols["uncertainty_m"].append(_uncertainty(f[6], pop))
    cols["feature_code"].append(f"{f[6]}.{f[7]}")
    cols["_line"].append(lineno)


def read_alternate_names(
    path: str | os.PathLike[str],
    geonameids: Collection[int] | None = None,
    *,
    languages: Collection[str] | str | None = None,
) -> tuple[dict[int, list[tuple[str, str, str]]], list[str]]:
    """Read ``alternateNamesV2`` (or the older ``alternateNames``), ``.txt`` or ``.zip``.

    Parameters
    ----------
    path
        The file.
    geonameids
        Keep only names of these places (all if None).
    languages
        Language codes to keep: default :data:`DEFAULT_LANGUAGES`; ``"all"`` keeps every
        language. Pseudo-codes of :data:`NOT_NAMES` are never kept.

    Returns
    -------
    tuple
        ``({geonameid: [(name, language, note), ...]}, problems)``; ``note`` is
        ``"preferred"``, ``"short"``, ``"colloquial"``, ``"historic"`` or ``""``.

    Raises
    ------
    GazetteerError
        The file is missing or is not an alternate-names table.
    """
    p = Path(path)
    if not p.exists():
        raise GazetteerError(f"{p}: no such file")
    keep_all = languages == "all"
    langs = DEFAULT_LANGUAGES if languages is None or keep_all else frozenset(languages)
    ids = set(geonameids) if geonameids is not None else None
    out: dict[int, list[tuple[str, str, str]]] = {}
    problems: list[str] = []
    good = bad = 0
    first_bad = 0
    member = None
    if p.suffix.lower() == ".zip":
        with zipfile.ZipFile(p) as zf:
            cand = [n for n in zf.namelist() if Path(n).name.lower().startswith("alternatenames")]
            member = cand[0] if cand else None
    with _open_table(p, member) as (fh, origin):
        for lineno, line in _lines(fh, origin, problems):
            if not line.strip():
                continue
            f = line.split("\t")
            if len(f) not in (8, 10) or not f[0].isdigit() or not f[1].isdigit():
                bad += 1
                first_bad = first_bad or lineno
                if _mostly_bad(good, bad):
                    raise GazetteerError(
                        f"{origin}, line {first_bad}: not a GeoNames alternateNames table: expected "
                        f"8 or 10 tab-separated columns (alternateNameId, geonameid, isolanguage, "
                        f"alternate name, ...), found {len(f)}. Is this the right file?"
                    )
                problems.append(
                    f"{origin}, line {lineno}: expected 8 or 10 tab-separated columns, found "
                    f"{len(f)}; line skipped"
                )
                continue
            good += 1
            gid = int(f[1])
            if ids is not None and gid not in ids:
                continue
            lang = f[2].strip()
            if lang in NOT_NAMES or (not keep_all and lang not in langs):
                continue
            name = f[3].strip()
            if not name or "\ufffd" in name:
                if name:
                    problems.append(f"{origin}, line {lineno}: undecodable name dropped")
                continue
            note = ""
            if len(f) >= 8:
                flags = [x.strip() == "1" for x in f[4:8]]
                for flag, label in zip(flags, ("preferred", "short", "colloquial", "historic")):
                    if flag:
                        note = label
                        break
            out.setdefault(gid, []).append((name, lang, note))
    return out, problems


def load_geonames_dump(
    path: str | os.PathLike[str],
    *,
    alternate_names: str | os.PathLike[str] | bool | None = None,
    languages: Collection[str] | str | None = None,
    countries: Collection[str] | str | None = None,
    feature_classes: str | Collection[str] | None = None,
    feature_codes: Collection[str] | None = None,
    min_population: int = 0,
    bbox: tuple[float, float, float, float] | None = None,
    on_bad_rows: str = "warn",
    name: str | None = None,
) -> Gazetteer:
    """Load a GeoNames dump (``IN.txt``, ``PK.zip``, ``allCountries.zip``, ``cities500.zip``).

    Parameters
    ----------
    path
        The main table, ``.txt`` or ``.zip``.
    alternate_names
        ``alternateNamesV2.zip``/``.txt`` to add names with their language codes, or ``True``
        to fetch it through :func:`geoverify.data.fetch` (cache, ``GEOVERIFY_DATA_DIR``).
    languages
        Alternate-name languages kept (default :data:`DEFAULT_LANGUAGES`; ``"all"``).
    countries
        ISO country code(s) to keep (useful with ``allCountries``).
    feature_classes
        GeoNames feature classes to keep (``"P"`` populated places, ``"S"`` spots, ...).
    feature_codes
        Feature codes to keep.
    min_population
        Smallest population kept.
    bbox
        ``(min_lon, min_lat, max_lon, max_lat)`` to keep.
    on_bad_rows
        ``"warn"``, ``"raise"`` or ``"ignore"`` (see :meth:`Gazetteer.from_dataframe`).
    name
        Name of the gazetteer (default: the file's stem).

    Returns
    -------
    Gazetteer
        With extra columns ``feature_code``, and ``name_ur`` (a preferred Urdu name) and
        ``name_notes`` (``name: note`` for preferred, colloquial and historic names) when
        alternate names are loaded.

    Raises
    ------
    GazetteerError
        A file is missing or not a GeoNames table (the message names the file and line).
    """
    p = Path(path)
    if isinstance(countries, str):
        countries = [countries]
    df, problems = read_geonames_table(
        p,
        countries=countries,
        feature_classes=feature_classes,
        feature_codes=feature_codes,
        min_population=min_population,
        bbox=bbox,
    )
    sources = [str(df["source"].iloc[0]) if len(df) else f"GeoNames dump {p.name} (CC BY 4.0)"]
    if alternate_names:
        if alternate_names is True:
            from ..data import fetch

            alt_path = fetch("geonames_alternate_names")
        else:
            alt_path = Path(alternate_names)  # type: ignore[arg-type]
        problems += _add_alternate_names(df, alt_path, languages)
        sources.append(f"GeoNames {Path(alt_path).name} (CC BY 4.0)")
    if problems and on_bad_rows != "ignore":
        msg = f"{len(problems)} problem(s) reading GeoNames data:\n  " + "\n  ".join(problems[:50])
        if len(problems) > 50:
            msg += f"\n  ... and {len(problems) - 50} more (see .bad_rows)"
        if on_bad_rows == "raise":
            raise GazetteerError(msg)
        warnings.warn(msg, BadRowsWarning, stacklevel=2)
    gaz = Gazetteer.from_dataframe(
        df,
        name=name or p.stem,
        origin=str(p),
        sources=sources,
        on_bad_rows=on_bad_rows,
    )
    gaz.bad_rows = tuple(problems) + gaz.bad_rows
    return gaz


def _add_alternate_names(
    df: pd.DataFrame, alt_path: str | os.PathLike[str], languages: Collection[str] | str | None
) -> list[str]:
    """Merge the alternate names of ``alt_path`` into the main table ``df`` (``alt_names``,
    and the new ``name_ur`` and ``name_notes`` columns); returns the problems reading it."""
    gids = [int(i.split(":", 1)[1]) for i in df["id"]]
    alts, problems = read_alternate_names(alt_path, gids, languages=languages)
    merged, name_ur, notes = [], [], []
    for gid, nm, existing in zip(gids, df["name"], df["alt_names"]):
        extra = alts.get(gid, [])
        names = list(dict.fromkeys([*existing, *(n for n, _, _ in extra)]))
        merged.append([n for n in names if n != nm])
        ur = [n for n, lang, note in extra if lang == "ur"]
        pref = [n for n, lang, note in extra if lang == "ur" and note == "preferred"]
        name_ur.append((pref or ur or [""])[0])
        notes.append("; ".join(f"{n}: {note}" for n, _, note in extra if note))
    df["alt_names"] = merged
    df["name_ur"] = name_ur
    df["name_notes"] = notes
    return problems


def write_geonames_table(rows: list[dict[str, Any]]) -> str:
    """Format rows as a GeoNames main table (for tests and small extracts).

    Parameters
    ----------
    rows
        Dicts with keys of :data:`GEONAMES_COLUMNS` (missing ones are empty).

    Returns
    -------
    str
    """
    buf = io.StringIO()
    for r in rows:
        vals = [r.get(c, "") for c in GEONAMES_COLUMNS]
        vals[3] = ",".join(vals[3]) if isinstance(vals[3], (list, tuple)) else vals[3]
        buf.write("\t".join("" if v is None else str(v) for v in vals) + "\n")
    return buf.getvalue()
