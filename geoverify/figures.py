"""Static figures (matplotlib): the map of the evidence for papers, PDFs and printed reports.

The figure holds what the web map holds: land and sea, country and admin-1 borders, the claimed
region (dashed red) and the other hypotheses' regions, the Line of Control, the candidate places
(sized by line weight, coloured by evidence kind), labels of the towns, a legend, a graticule and
a scale bar, and the verdict as title.

Text from the material investigated (place names, lines as read) is data here too: control and
bidi characters are made visible, ``$`` is escaped so matplotlib never reads it as mathtext, and
Urdu is shaped and ordered (arabic-reshaper + python-bidi), since matplotlib does neither.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from ._escape import mpl_text, visible_controls
from .verify import Verdict

__all__ = ["BASEMAP_LAYERS", "plot_static", "static_png"]

#: The layers a ``basemap`` may hold (each a GeoDataFrame in EPSG:4326; all optional):
#: ``countries`` (polygons: land, and the country borders), ``admin1`` (polygons or lines:
#: admin-1 borders), ``claim_lines`` (lines: the Line of Control and other claim lines; a
#: ``name`` column tells them apart), ``rivers`` and ``lakes``, ``towns`` (points with ``name``).
BASEMAP_LAYERS = ("countries", "admin1", "claim_lines", "rivers", "lakes", "towns")

_SEA = "#d6e7f2"
_LAND = "#f3f0e8"
#: Background where no base layer says what lies outside the regions drawn: unknown, not sea.
_UNDRAWN = "#e9e9e9"
_BORDER = "#5f5f5f"
_ADMIN1 = "#9a9a9a"
_CLAIM = "#b3261e"
_BEST = "#1a7f37"
_OTHER = "#3b6fb6"
_LOC_STYLE: dict[str, Any] = {"color": "#111", "linewidth": 1.8, "linestyle": (0, (5, 1.5, 1, 1.5))}
_NAQSH_FONT = "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf"


def _shape(text: str) -> str:
    """Shape and order Arabic-script text for matplotlib, which does neither."""
    from .text import detect_script

    if detect_script(text) != "Arab":
        return text
    import arabic_reshaper
    from bidi import get_display

    return str(get_display(arabic_reshaper.reshape(text)))


def _plain(text: Any, limit: int = 60) -> str:
    """Outside text as matplotlib should draw it: controls visible, shaped, no mathtext."""
    s = visible_controls(text)
    s = s if len(s) <= limit else s[: limit - 1] + "…"
    return mpl_text(_shape(s))


def _arabic_font() -> Any:
    """Noto Naskh Arabic as FontProperties where installed, else None."""
    from matplotlib import font_manager

    try:
        font_manager.fontManager.addfont(_NAQSH_FONT)
        return font_manager.FontProperties(fname=_NAQSH_FONT)
    except (OSError, RuntimeError):
        return None


def _in_lonlat(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        return gdf.to_crs(4326)
    return gdf


def _layer(basemap: Mapping[str, Any] | None, name: str) -> gpd.GeoDataFrame | None:
    layer = basemap.get(name) if basemap else None
    if layer is None or not len(layer):
        return None
    return _in_lonlat(layer)


def _drawn(regions: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """The rows of ``regions`` that have a polygon."""
    if regions is None or "geometry" not in regions:
        return None
    rows = regions[regions.geometry.notna() & ~regions.geometry.is_empty]
    return rows if len(rows) else None


def _geometry_of(regions: gpd.GeoDataFrame | None, region_id: str | None) -> Any:
    drawn = _drawn(regions)
    if drawn is None or region_id is None:
        return None
    sel = drawn.geometry[(drawn["id"] == region_id).to_numpy()]
    return shapely.union_all(sel.values) if len(sel) else None


def _hypothesis_shape(regions: Any, verdict: Verdict | None, hid: Any) -> Any:
    """The area of a hypothesis: its region less the regions it excludes (the verdict's
    ``excludes``: "Pakistan-administered Kashmir, outside Azad Kashmir")."""
    base = str(hid).split("-excluding-")[0]
    shape = _geometry_of(regions, base)
    rows = verdict.table[verdict.table["hypothesis"] == hid] if verdict is not None else None
    excludes = str(rows["excludes"].iloc[0]) if rows is not None and len(rows) else ""
    for other in filter(None, (e.strip() for e in excludes.split(","))):
        less = _geometry_of(regions, other)
        if shape is not None and less is not None:
            shape = shape.difference(less)
    return shape


def _weights(verdict: Verdict | None) -> dict[int, float]:
    if verdict is None or not len(verdict.evidence):
        return {}
    return {int(i): float(w) for i, w in zip(verdict.evidence["item"], verdict.evidence["weight"])}


def _bounds(points: Any, claim_shape: Any, pad: float) -> tuple[float, float, float, float]:
    """Bounds that hold the evidence and the claimed region, padded by ``pad`` of their size
    (at least 0.3 degrees), so no marker sits on an edge."""
    boxes = []
    if points is not None and len(points):
        boxes.append(np.asarray(points.total_bounds, float))
    if claim_shape is not None and not claim_shape.is_empty:
        boxes.append(np.asarray(claim_shape.bounds, float))
    if not boxes:
        return 60.0, 98.0, 6.0, 38.0  # South Asia
    b = np.array(boxes)
    x0, y0 = b[:, 0].min(), b[:, 1].min()
    x1, y1 = b[:, 2].max(), b[:, 3].max()
    dx = max(pad * (x1 - x0), 0.3)
    dy = max(pad * (y1 - y0), 0.3)
    return x0 - dx, x1 + dx, y0 - dy, y1 + dy


def _draw_land(ax: Any, regions: Any, basemap: Any) -> str | None:
    """Countries filled (land) with their borders: ``"basemap"`` when a base layer drew them,
    ``"regions"`` when the regions' polygons did, None when nothing did."""
    countries = _layer(basemap, "countries")
    if countries is not None:
        countries.plot(ax=ax, facecolor=_LAND, edgecolor=_BORDER, linewidth=0.7, zorder=1)
        return "basemap"
    drawn = _drawn(regions)
    top = drawn[drawn["parent"].isna()] if drawn is not None else None
    if top is None or not len(top):
        return None
    top.plot(ax=ax, facecolor=_LAND, edgecolor=_BORDER, linewidth=0.7, zorder=1)
    return "regions"


def _draw_water(ax: Any, basemap: Any) -> None:
    rivers, lakes = _layer(basemap, "rivers"), _layer(basemap, "lakes")
    if rivers is not None:
        rivers.plot(ax=ax, color="#6fa8d6", linewidth=0.6, zorder=2)
    if lakes is not None:
        lakes.plot(ax=ax, facecolor=_SEA, edgecolor="#6fa8d6", linewidth=0.4, zorder=2)


def _draw_admin1(ax: Any, regions: Any, basemap: Any) -> bool:
    """Admin-1 borders: the base layer's, else the outlines of the sub-regions drawn."""
    layer = _layer(basemap, "admin1")
    if layer is None:
        drawn = _drawn(regions)
        layer = drawn[drawn["parent"].notna()] if drawn is not None else None
    if layer is None or not len(layer):
        return False
    polygons = layer.geom_type.str.contains("Polygon").any()
    lines = layer.geometry.boundary if polygons else layer.geometry
    gpd.GeoSeries(lines.values, crs=4326).plot(
        ax=ax, color=_ADMIN1, linewidth=0.45, linestyle=(0, (3, 2)), zorder=3
    )
    return True


def _draw_hypotheses(ax: Any, regions: Any, verdict: Verdict | None, claim_id: Any) -> list[Any]:
    """The hypotheses' regions (the best one green, others blue) and the claim (dashed red);
    the legend handles for them."""
    from matplotlib.patches import Patch

    handles: list[Any] = []
    post = verdict.posterior if verdict is not None else {}
    hyps = [
        h for h in (verdict.table["hypothesis"] if verdict is not None else []) if h != claim_id
    ]
    best = verdict.best_region if verdict is not None else None
    for hid in hyps:
        shape = _hypothesis_shape(regions, verdict, hid)
        if shape is None or shape.is_empty:
            continue
        colour = _BEST if hid == best else _OTHER
        if hid == best:  # only the best is filled: a faint fill would read as "not drawn" grey
            gpd.GeoSeries([shape], crs=4326).plot(
                ax=ax, facecolor=colour, alpha=0.12, edgecolor="none", zorder=4
            )
        gpd.GeoSeries([shape.boundary], crs=4326).plot(
            ax=ax, color=colour, linewidth=1.1, alpha=0.9, zorder=5
        )
        name = _name_of(verdict, hid)
        tag = "best: " if hid == best else ""
        handles.append(
            Patch(
                facecolor=colour if hid == best else "none",
                alpha=0.35 if hid == best else 1.0,
                edgecolor=colour,
                label=_plain(f"{tag}{name} ({float(post.get(hid, 0.0)):.2f})", 70),
            )
        )
    shape = _hypothesis_shape(regions, verdict, claim_id)
    if shape is not None and not shape.is_empty:
        gpd.GeoSeries([shape], crs=4326).plot(
            ax=ax, facecolor=_CLAIM, alpha=0.10, edgecolor="none", zorder=6
        )
        gpd.GeoSeries([shape.boundary], crs=4326).plot(
            ax=ax, color=_CLAIM, linewidth=1.8, linestyle=(0, (5, 3)), zorder=7
        )
        p = f" ({float(post.get(claim_id, 0.0)):.2f})" if verdict is not None else ""
        handles.insert(
            0,
            Patch(
                facecolor=(0.70, 0.15, 0.12, 0.15),
                edgecolor=_CLAIM,
                linestyle="--",
                linewidth=1.5,
                label=_plain(f"claim: {_name_of(verdict, claim_id)}{p}", 70),
            ),
        )
    return handles


def _name_of(verdict: Verdict | None, region_id: Any) -> str:
    from .regions import region

    if verdict is not None:
        rows = verdict.table[verdict.table["hypothesis"] == region_id]
        if len(rows):
            return str(rows["name"].iloc[0])
    try:
        return region(str(region_id)).name
    except Exception:
        return str(region_id)


def _draw_claim_lines(ax: Any, regions: Any, basemap: Any) -> list[Any]:
    """The Line of Control (and the base layer's other claim lines); legend handles."""
    from matplotlib.lines import Line2D
    from matplotlib.patheffects import withStroke

    halo = [withStroke(linewidth=3.6, foreground="white", alpha=0.8)]
    handles = []
    lines = _layer(basemap, "claim_lines")
    loc = regions.attrs.get("line_of_control") if regions is not None else None
    if lines is not None:
        names = lines["name"].astype(str) if "name" in lines else None
        is_loc = (
            names.str.contains("line of control", case=False).to_numpy()
            if names is not None
            else np.zeros(len(lines), bool)  # unnamed lines: claim lines, not the LoC
        )
        others = lines[~is_loc]
        if len(others):
            others.plot(ax=ax, color="#444", linewidth=1.0, linestyle=":", zorder=8)
            handles.append(Line2D([], [], color="#444", lw=1.0, ls=":", label="claim line"))
        if is_loc.any():
            loc = shapely.union_all(lines[is_loc].geometry.values)
    if loc is not None and not loc.is_empty:
        gpd.GeoSeries([loc], crs=4326).plot(ax=ax, path_effects=halo, zorder=9, **_LOC_STYLE)
        handles.insert(0, Line2D([], [], label="Line of Control", **_LOC_STYLE))
    return handles


def _draw_candidates(ax: Any, c: gpd.GeoDataFrame, weights: dict[int, float]) -> list[Any]:
    """Candidate places sized by line weight and coloured by kind; legend handles by kind."""
    from matplotlib.lines import Line2D

    from .maps import _KIND_COLOURS

    if not len(c):
        return []
    sizes = [18 + 200 * weights.get(int(i), 0.5) for i in c["item"]]
    colours = [_KIND_COLOURS.get(str(k), "#333") for k in c["kind"]]
    ax.scatter(
        c.geometry.x,
        c.geometry.y,
        s=sizes,
        c=colours,
        alpha=0.75,
        edgecolors="k",
        linewidths=0.5,
        zorder=11,
    )
    kinds = sorted({str(k) for k in c["kind"]})
    return [
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            markersize=6,
            markerfacecolor=_KIND_COLOURS.get(k, "#333"),
            markeredgecolor="k",
            markeredgewidth=0.5,
            label=_plain(f"evidence: {k}", 40),
        )
        for k in kinds
    ]


def _label_places(
    ax: Any,
    c: gpd.GeoDataFrame,
    weights: dict[int, float],
    label: str,
    limit: int,
    bounds: tuple[float, float, float, float],
) -> list[Any]:
    """Label each place once (the heaviest line's reading, or its name), heaviest first;
    the labels, for :func:`_spread_labels`."""
    from matplotlib.patheffects import withStroke

    from .text import detect_script

    if not len(c) or label not in c:
        return []
    arabic = _arabic_font()
    halo = [withStroke(linewidth=2.4, foreground="white")]
    order = sorted(c.itertuples(), key=lambda r: -weights.get(int(r.item), 0.0))
    at: dict[tuple[float, float], list[str]] = {}  # places within ~1 km share one label
    for row in order:
        key = (round(row.geometry.x, 2), round(row.geometry.y, 2))
        names = at.setdefault(key, []) if key in at or len(at) < limit else None
        raw = str(getattr(row, label))
        if names is not None and raw not in names:
            names.append(raw)
    middle = (bounds[0] + bounds[1]) / 2
    labels = []
    for (x, y), names in at.items():
        raw = ", ".join(names[:3]) + (" …" if len(names) > 3 else "")
        left = x > middle  # labels run towards the middle, so they stay inside the frame
        ann = ax.annotate(
            _plain(raw, 48),
            (x, y),
            xytext=(-5 if left else 5, 4),
            textcoords="offset points",
            ha="right" if left else "left",
            fontsize=7.5,
            fontproperties=arabic if detect_script(raw) == "Arab" else None,
            path_effects=halo,
            zorder=12,
        )
        labels.append(ann)
    return labels


def _spread_labels(ax: Any, labels: list[Any]) -> None:
    """Move a label that overlaps one placed before it (a heavier line's) a line down or up."""
    renderer = getattr(ax.figure.canvas, "get_renderer", lambda: None)()
    if renderer is None or not labels:
        return
    ax.apply_aspect()  # the axes' final position, which the label extents depend on
    placed: list[Any] = []
    for ann in labels:
        dx, dy = ann.xyann
        for step in (0, -1, 1, -2, 2, -3):
            ann.xyann = (dx, dy + 10 * step)  # points: a line of 7.5 pt text and a gap
            box = ann.get_window_extent(renderer)
            if not any(box.overlaps(other) for other in placed):
                break
        placed.append(box)


def _draw_towns(ax: Any, basemap: Any, bounds: tuple[float, float, float, float]) -> None:
    """The base layer's towns inside the view, as small grey dots with names."""
    from matplotlib.patheffects import withStroke

    towns = _layer(basemap, "towns")
    if towns is None or "name" not in towns:
        return
    x0, x1, y0, y1 = bounds
    towns = towns.cx[x0:x1, y0:y1]
    if not len(towns):
        return
    ax.scatter(towns.geometry.x, towns.geometry.y, s=6, c="#555", zorder=10)
    halo = [withStroke(linewidth=2, foreground="white")]
    for row in towns.head(40).itertuples():
        ax.annotate(
            _plain(row.name, 30),
            (row.geometry.x, row.geometry.y),
            xytext=(3, -8),
            textcoords="offset points",
            fontsize=6,
            color="#444",
            path_effects=halo,
            zorder=10,
        )


def _nice_length(km: float) -> float:
    """The largest of 1, 2, 2.5, 5 times a power of ten not above ``km``."""
    if km <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(km))
    return max(s * power for s in (1, 2, 2.5, 5) if s * power <= km)


def _free_corner(bounds: tuple[float, float, float, float], points: Any) -> tuple[float, float]:
    """The lower corner (left or right) farthest from the evidence, as fractions of the view:
    where the scale bar goes."""
    if points is None or not len(points):
        return 0.04, 0.05
    x0, x1, y0, y1 = bounds
    xs = (np.asarray(points.geometry.x) - x0) / (x1 - x0)
    ys = (np.asarray(points.geometry.y) - y0) / (y1 - y0)
    corners = [(0.04, 0.05), (0.70, 0.05), (0.04, 0.90), (0.70, 0.90)]

    def room(corner: tuple[float, float]) -> float:
        cx, cy = corner[0] + 0.13, corner[1] + 0.02  # the middle of the bar
        return float(np.min(np.hypot(xs - cx, ys - cy)))

    return max(corners, key=room)


def _graticule_and_scale(ax: Any, bounds: tuple[float, float, float, float], points: Any) -> None:
    """Degree ticks and grid lines, the local aspect, and a scale bar in a corner free of
    evidence."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    x0, x1, y0, y1 = bounds
    mid = math.radians((y0 + y1) / 2)
    ax.set_aspect(1 / max(math.cos(mid), 0.05))
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):g}°{'E' if v >= 0 else 'W'}"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):g}°{'N' if v >= 0 else 'S'}"))
    ax.tick_params(labelsize=7)
    ax.grid(True, color="#ffffff", linewidth=0.5, alpha=0.9, zorder=0.5)
    km_per_degree = 111.32 * math.cos(mid)
    length = _nice_length(0.25 * (x1 - x0) * km_per_degree)
    fx, fy = _free_corner(bounds, points)
    bx, by = x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)
    dx = length / km_per_degree
    ax.plot([bx, bx + dx], [by, by], color="k", linewidth=3, solid_capstyle="butt", zorder=13)
    ax.plot([bx, bx + dx / 2], [by, by], color="w", linewidth=1.4, solid_capstyle="butt", zorder=14)
    ax.text(bx + dx / 2, by + 0.025 * (y1 - y0), f"{length:g} km", ha="center", va="bottom",
            fontsize=7, zorder=14)  # fmt: skip


def plot_static(
    candidates: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame | None = None,
    verdict: Verdict | None = None,
    *,
    ax: Any = None,
    label: str = "name",
    figsize: tuple[float, float] = (9, 7),
    basemap: Mapping[str, gpd.GeoDataFrame] | None = None,
    claim: str | None = None,
    max_labels: int = 15,
    pad: float = 0.12,
) -> Any:
    """A static map (matplotlib) of the evidence, for papers, PDFs and the printed report.

    Land and sea, country and admin-1 borders, the claimed region (dashed red) and the other
    hypotheses' regions (the best green), the Line of Control, the candidate places (sized by
    line weight, coloured by kind), labels of the places, a legend, a graticule and a scale
    bar; the verdict is the title. The view holds the evidence and the claimed region, padded.

    Urdu labels are shaped and ordered right to left (arabic-reshaper + python-bidi) and drawn
    with Noto Naskh Arabic where installed.

    Parameters
    ----------
    candidates
        Output of :func:`geoverify.match_places`.
    regions
        Output of :func:`geoverify.load_regions`; polygons drawn where present (without a
        ``basemap``, its top-level regions are the land and their outlines the borders).
    verdict
        Output of :func:`geoverify.test_claim`: marks the claim and the hypotheses, sizes
        markers by line weight, gives the title.
    ax
        A matplotlib Axes to draw on (default: a new figure).
    label
        Column that labels the places: ``"name"`` (the gazetteer's name, default) or
        ``"text"`` (the line as read).
    figsize
        Size of a new figure, in inches.
    basemap
        Base layers, each a GeoDataFrame (any of :data:`BASEMAP_LAYERS`): countries, admin-1
        borders, claim lines, rivers, lakes, towns. Without it the regions' polygons are
        drawn, and what lies outside them is grey (not known to be land or sea).
    claim
        The claimed region (alias or id); taken from ``verdict`` if not given.
    max_labels
        At most this many places are labelled, those of the heaviest lines first.
    pad
        Padding around the evidence and the claimed region, as a share of their extent.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib

    if ax is None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from .regions import region

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    claim_id = region(claim).id if claim else (verdict.claim if verdict is not None else None)
    c = _in_lonlat(candidates) if candidates is not None else candidates
    weights = _weights(verdict)
    bounds = _bounds(c, _geometry_of(regions, claim_id), pad)
    land = _draw_land(ax, regions, basemap)
    ax.set_facecolor(_SEA if land == "basemap" else _UNDRAWN)
    _draw_water(ax, basemap)
    has_admin1 = _draw_admin1(ax, regions, basemap)
    handles = _draw_hypotheses(ax, regions, verdict, claim_id)
    handles += _draw_claim_lines(ax, regions, basemap)
    _draw_towns(ax, basemap, bounds)
    handles += _draw_candidates(ax, c, weights)
    labels = _label_places(ax, c, weights, label, max_labels, bounds)
    _finish(ax, bounds, handles, (land is not None, has_admin1), regions, verdict, c, basemap)
    _spread_labels(ax, labels)
    return ax


def _finish(
    ax: Any,
    bounds: tuple[float, float, float, float],
    handles: list[Any],
    borders: tuple[bool, bool],
    regions: Any,
    verdict: Verdict | None,
    points: Any,
    basemap: Mapping[str, gpd.GeoDataFrame] | None = None,
) -> None:
    """Bounds, graticule, scale bar, legend, title and attribution; ``borders`` says whether
    country and admin-1 borders were drawn."""
    from matplotlib.lines import Line2D

    x0, x1, y0, y1 = bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("")
    ax.set_ylabel("")
    _graticule_and_scale(ax, bounds, points)
    if borders[1]:
        handles.append(
            Line2D([], [], color=_ADMIN1, lw=0.8, ls=(0, (3, 2)), label="admin-1 border")
        )
    if borders[0]:
        handles.append(Line2D([], [], color=_BORDER, lw=0.8, label="country border"))
    handles.append(Line2D([], [], marker="o", ls="", markersize=7, markerfacecolor="none",
                          markeredgecolor="k", label="size: line weight"))  # fmt: skip
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        fontsize=7,
        frameon=False,
        borderaxespad=0.0,
    )
    if verdict is not None:
        p = verdict.posterior
        ax.set_title(
            _plain(
                f"{verdict.label.upper()}: claim {verdict.claim_name} ({p[verdict.claim]:.2f}); "
                f"best {verdict.best_region_name} ({p[verdict.best_region]:.2f})",
                160,
            ),
            fontsize=9,
            loc="left",
        )
    source = regions.attrs.get("source") if regions is not None else None
    credit = f"Regions: {source}." if source else ""
    base = sorted({str(g.attrs["source"]) for g in (basemap or {}).values() if g is not None
                   and g.attrs.get("source")})  # fmt: skip
    if base:
        credit += f" Base layers: {'; '.join(base)}."
    if borders[0]:
        credit += " Borders as the data draw them; the figure takes no position on any claim."
    ax.annotate(
        _plain(credit, 240),
        xy=(0, -0.08),
        xycoords="axes fraction",
        fontsize=5.5,
        color="#555",
        va="top",
    )


def static_png(
    candidates: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame | None = None,
    verdict: Verdict | None = None,
    *,
    basemap: Mapping[str, gpd.GeoDataFrame] | None = None,
    dpi: int = 150,
    **options: Any,
) -> bytes:
    """:func:`plot_static` as PNG bytes (what a case folder's map.png holds), in 256 colours.

    Parameters
    ----------
    candidates, regions, verdict
        As for :func:`plot_static`.
    basemap
        As for :func:`plot_static`; default the bundled base layers where geoverify has them.
    dpi
        Resolution.
    **options
        Passed to :func:`plot_static`.

    Returns
    -------
    bytes
        A PNG image.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from ._basemap import base_layers

    layers = basemap if basemap is not None else base_layers()
    ax = plot_static(candidates, regions, verdict, basemap=layers, **options)
    from PIL import Image

    buf = io.BytesIO()
    try:
        ax.figure.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    finally:
        plt.close(ax.figure)
    # 256 colours hold a map's flat fills and lines: a third of the size, inlined in reports
    image = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    small = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(small, "PNG", optimize=True)
    return small.getvalue()
