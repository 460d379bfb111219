"""Maps of the evidence: candidate places, regions, the Line of Control, clusters.

Outside text (OCR lines, gazetteer names, sources) never reaches folium as a string to render:
branca re-parses every rendered script as a Jinja2 template, and folium puts popup and tooltip
HTML inside JavaScript template literals. Popups, tooltips and the legend are therefore bound
by :class:`_Bound` and :class:`_Literal`, which write the escaped HTML
(:func:`~geoverify._escape.html_text`) as a JavaScript string literal
(:func:`~geoverify._escape.js_string`) and are never rendered as a template. A banner reading
``<script>``, ``{{ ... }}`` or ``${...}`` shows as text.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Element, Figure, MacroElement
from shapely.geometry.base import BaseGeometry

from ._basemap import SEA
from ._deprecated import module_getattr
from ._escape import html_text, js_string
from .exceptions import OptionError
from .verify import Verdict

__all__ = ["map_html", "plot_batch", "plot_candidates"]

_KIND_COLOURS = {
    "signage": "#1f77b4",
    "banner": "#9467bd",
    "slogan": "#ff7f0e",
    "caption": "#7f7f7f",
    "unknown": "#8c564b",
}
_CLAIM_STYLE = {
    "color": "#b3261e",
    "weight": 2,
    "fillColor": "#b3261e",
    "fillOpacity": 0.12,
    "dashArray": "6 4",
}
_ALT_STYLE = {"color": "#1a7f37", "weight": 1.5, "fillColor": "#1a7f37", "fillOpacity": 0.08}
_LOC_STYLE = {"color": "#111", "weight": 3, "dashArray": "8 5"}
_LOC_CASING = {"color": "#fff", "weight": 6, "opacity": 0.8}
_CLUSTER_STYLE = {"color": "#000", "weight": 2.5, "fillColor": "#000", "fillOpacity": 0.06}


_e = html_text


class _Literal(Element):
    """Text added to a page as it is: never rendered as a Jinja2 template."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Literal"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class _Script(MacroElement):
    """JavaScript (already made safe) run after its parent's own script, never a template."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self._name = "Script"
        self.code = code

    def render(self, **kwargs: Any) -> str:
        figure = self.get_root()
        assert isinstance(figure, Figure), "render the map, not the layer"
        figure.script.add_child(_Literal(self.code), name=self.get_name())
        return ""


class _Bound(_Script):
    """A popup or tooltip bound to its parent layer, its HTML passed as a string literal.

    ``html`` must already be escaped HTML; it reaches the page as :func:`js_string` output,
    which holds no character that Jinja2, an HTML parser or a template literal acts on.
    """

    def __init__(self, method: str, html: str, **options: Any) -> None:
        if method not in ("bindPopup", "bindTooltip"):
            raise OptionError(f"unknown binding {method!r}")
        super().__init__("")
        self._name = method
        self.method = method
        self.html = html
        self.options = options

    def render(self, **kwargs: Any) -> str:
        assert self._parent is not None, "bind to a layer"
        # the parent's JavaScript name is known only now
        self.code = (
            f"{self._parent.get_name()}.{self.method}({js_string(self.html)}, "
            f"{json.dumps(self.options)});"
        )
        return super().render(**kwargs)


def _popup_to(layer: Any, html: str, max_width: int = 320) -> None:
    _Bound("bindPopup", html, maxWidth=max_width).add_to(layer)


def _tooltip_to(layer: Any, html: str) -> None:
    _Bound("bindTooltip", html, sticky=True).add_to(layer)


def _popup(row: Any, weights: dict[int, float]) -> str:
    w = weights.get(int(row.item))
    parts = [
        f"<b>{_e(row.name)}</b> <small>({_e(row.place_id)})</small>",
        f"read: <i dir='auto'>{_e(row.text)}</i>",
        f"matched: <span dir='auto'>{_e(row.matched_name)}</span> · score {float(row.score):.0f}",
        f"kind: {_e(row.kind)}" + (f" · line weight {w:.2f}" if w is not None else ""),
    ]
    if getattr(row, "t", None) is not None and not (isinstance(row.t, float) and np.isnan(row.t)):
        parts.append(f"frame {_e(getattr(row, 'frame', ''))} at {float(row.t):.2f} s")
    parts.append(f"<small>source: {_e(str(row.place_source)[:300])}</small>")
    thumb = getattr(row, "thumbnail", None)
    if isinstance(thumb, str) and thumb.startswith("data:image/"):
        parts.append(f"<img src='{_e(thumb)}' style='max-width:200px'/>")
    return "<br/>".join(parts)


_LABEL_COLOURS = {"supported": "#1a7f37", "contradicted": "#c62828", "inconclusive": "#9a6700"}

_TILE_OPTIONS = [
    # (name in the layer control, URL, attribution): online only; none is shown unless asked
    (
        "OpenStreetMap (online)",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "&copy; OpenStreetMap contributors (ODbL)",
    ),
    (
        "Satellite: Esri World Imagery (online)",
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
        "Tiles &copy; Esri; source: Esri, Maxar, Earthstar Geographics, GIS User Community",
    ),
]

_PAGE_CSS = f"""<style>
.folium-map {{ background: {SEA}; }}
.gv-town {{ font: 11px sans-serif; color: #444; text-shadow: 0 0 2px #fff, 0 0 2px #fff;
  white-space: nowrap; pointer-events: none; }}
.gv-town .gv-town-dot {{ width: 5px; height: 5px; background: #555; vertical-align: middle; }}
.leaflet-tooltip.gv-place {{ background: rgba(255,255,255,.8); border: 0; box-shadow: none;
  padding: 0 3px; font: bold 12px sans-serif; color: #222; }}
.leaflet-tooltip.gv-place::before {{ display: none; }}
.gv-panel {{ background: rgba(255,255,255,.92); padding: 6px 8px; border: 1px solid #999;
  border-radius: 4px; font: 12px sans-serif; max-width: 270px; max-height: 70vh; overflow: auto; }}
.gv-panel table {{ border-collapse: collapse; width: 100%; }}
.gv-panel td {{ padding: 1px 3px; }}
.gv-panel tr[data-region] {{ cursor: pointer; }}
.gv-panel tr[data-region]:hover {{ background: #fff3c4; }}
.gv-badge {{ display: inline-block; color: #fff; padding: 1px 6px; border-radius: 3px; font-weight: bold; }}
.gv-dot {{ display: inline-block; width: 10px; height: 10px; border-radius: 5px; }}
</style>"""


def plot_candidates(
    candidates: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame | None = None,
    claim: str | None = None,
    verdict: Verdict | None = None,
    *,
    tiles: str | None = None,
    basemap: bool = True,
    width: str | int = "100%",
    height: str | int = "100%",
) -> folium.Map:
    """Draw candidate places (sized and coloured by weight and kind) with regions and clusters.

    The map works offline: its base layer (land and sea, country and admin-1 borders, claim
    lines, rivers and lakes where Natural Earth's files are at hand, towns of the bundled
    gazetteer) is drawn as vector layers inlined in the page. Tile layers (OpenStreetMap,
    Esri satellite imagery) are offered in the layer control for use online. A panel inside
    the map holds the verdict, the hypotheses (hover one to highlight its region) and the
    legend; the view fits the evidence and the claimed region.

    Parameters
    ----------
    candidates
        Output of :func:`geoverify.match_places`.
    regions
        Output of :func:`geoverify.load_regions`; polygons are drawn where present. Default:
        ``load_regions()`` (offline, the bundled subset where nothing was downloaded).
    claim
        The claimed region (alias or id); drawn dashed red. Taken from ``verdict`` if not given.
    verdict
        Output of :func:`geoverify.test_claim`: line weights size the markers; clusters are drawn.
    tiles
        The name of a tile layer to show on opening (``"OpenStreetMap"`` or ``"Satellite"``);
        default none, so nothing is requested from a tile server.
    basemap
        Draw the offline base layer.
    width, height
        Size of the map; by default it fills its window or iframe.

    Returns
    -------
    folium.Map
    """
    from . import regions as R

    claim_id = R.region(claim).id if claim else (verdict.claim if verdict else None)
    if regions is None:
        regions = R.load_regions()
    weights: dict[int, float] = {}
    if verdict is not None and len(verdict.evidence):
        weights = {
            int(i): float(w) for i, w in zip(verdict.evidence["item"], verdict.evidence["weight"])
        }
    c = (
        candidates.to_crs(4326)
        if candidates.crs is not None and candidates.crs.to_epsg() != 4326
        else candidates
    )
    m = folium.Map(
        location=[34.0, 75.0],
        zoom_start=6,
        tiles=None,
        width=width,
        height=height,
        control_scale=True,
    )
    m.get_root().header.add_child(_Literal(_PAGE_CSS))  # type: ignore[attr-defined]
    if basemap:
        _add_base_layer(m)
    _add_tile_options(m, tiles)
    region_layers = _add_regions(m, regions, claim_id, verdict)
    _add_line_of_control(m, regions)
    _add_candidates(m, c, weights)
    _add_clusters(m, c, verdict)
    _add_panel(m, verdict, region_layers)
    folium.LayerControl(collapsed=True, position="topleft").add_to(m)
    _fit(m, c, regions, claim_id)
    return m


def _add_base_layer(m: folium.Map) -> None:
    """Land and sea, borders, claim lines, rivers and lakes, town labels (not interactive)."""
    from ._basemap import ATTRIBUTION, STYLES, base_map

    base = base_map()
    # panes above tiles (200) and under the regions and evidence (400): the base's land, then
    # town labels; neither catches the mouse
    folium.map.CustomPane("gv-base", z_index=250, pointer_events=False).add_to(m)
    folium.map.CustomPane("gv-towns", z_index=350, pointer_events=False).add_to(m)
    group = folium.FeatureGroup(name="base map (offline, Natural Earth)", show=True)
    layers = [("land", base.land), ("lakes", base.lakes), ("rivers", base.rivers)]
    layers += [("admin1", base.admin1), ("claims", base.claims)]
    for key, geoms in layers:
        if geoms is None or not len(geoms):
            continue
        style = STYLES[key]
        folium.GeoJson(
            geoms.__geo_interface__,
            style_function=lambda _f, s=style: s,
            interactive=False,
            pane="gv-base",
            className=f"gv-base-{key}",
            attribution=ATTRIBUTION if key == "land" else None,
        ).add_to(group)
    for town in base.towns.itertuples():
        folium.Marker(
            location=[town.lat, town.lon],
            icon=folium.DivIcon(
                html=f"<span class='gv-dot gv-town-dot'></span> {_e(town.name)}",
                class_name="gv-town",
                icon_size=(140, 14),
                icon_anchor=(3, 7),
            ),
            interactive=False,
            keyboard=False,
            pane="gv-towns",
        ).add_to(group)
    group.add_to(m)


def _add_tile_options(m: folium.Map, tiles: str | None) -> None:
    for name, url, attr in _TILE_OPTIONS:
        shown = tiles is not None and name.lower().startswith(tiles.lower())
        folium.TileLayer(url, attr=attr, name=name, show=shown, overlay=False).add_to(m)


def _add_regions(
    m: folium.Map,
    regions: gpd.GeoDataFrame | None,
    claim_id: str | None,
    verdict: Verdict | None,
) -> dict[str, str]:
    """The claimed region and the hypotheses' regions; returns their layers' JS names by id."""
    names: dict[str, str] = {}
    if regions is None or "geometry" not in regions or not regions.geometry.notna().any():
        return names
    hyp_regions = set(verdict.table["hypothesis"]) if verdict is not None else set()
    for r in regions.itertuples():
        if r.geometry is None or r.geometry.is_empty:
            continue
        is_claim = r.id == claim_id
        if not is_claim and r.id not in hyp_regions and r.parent is not None:
            continue
        style = _CLAIM_STYLE if is_claim else _ALT_STYLE
        layer = folium.FeatureGroup(name=f"{'claim: ' if is_claim else ''}{_e(r.name)}", show=True)
        shape = folium.GeoJson(
            r.geometry.__geo_interface__,
            style_function=lambda _f, s=style: s,
            className=f"gv-region gv-region-{_css_name(r.id)}" + (" gv-claim" if is_claim else ""),
        )
        _tooltip_to(shape, _e(f"{r.name} — {', '.join(r.aliases[:6])}"))
        shape.add_to(layer)
        layer.add_to(m)
        names[str(r.id)] = shape.get_name()
    return names


def _add_line_of_control(m: folium.Map, regions: gpd.GeoDataFrame | None) -> None:
    loc = regions.attrs.get("line_of_control") if regions is not None else None
    if loc is None or loc.is_empty:
        return
    group = folium.FeatureGroup(name="Line of Control (Natural Earth)")
    for style in (_LOC_CASING, _LOC_STYLE):  # a light casing under the dashes: visible on any layer
        line = folium.GeoJson(
            loc.__geo_interface__, style_function=lambda _f, s=style: s, className="gv-loc"
        )
        line.add_to(group)
    _tooltip_to(line, "Line of Control (de facto boundary, India / Pakistan)")
    group.add_to(m)


def _add_candidates(m: folium.Map, c: gpd.GeoDataFrame, weights: dict[int, float]) -> None:
    layer = folium.FeatureGroup(name="candidate places")
    labelled: set[str] = set()
    for row in c.itertuples():
        w = weights.get(int(row.item), 0.5)
        radius = 5 + 12 * float(w) * (float(row.score) / 100.0)
        colour = _KIND_COLOURS.get(str(row.kind), "#333")
        unc = getattr(row, "uncertainty_m", None)
        if unc is not None and not np.isnan(unc) and unc > 0:
            folium.Circle(
                location=[row.geometry.y, row.geometry.x],
                radius=float(unc),
                color=colour,
                weight=1,
                fill=False,
                dash_array="3 3",
                interactive=False,
            ).add_to(layer)
        marker = folium.CircleMarker(
            location=[row.geometry.y, row.geometry.x],
            radius=radius,
            color=colour,
            weight=2,
            fill=True,
            fill_color=colour,
            fill_opacity=0.55,
            className="gv-place",
        )
        _popup_to(marker, _popup(row, weights))
        name = str(row.name)
        if name in labelled:  # one label a place; the others say it on hover
            _tooltip_to(marker, _e(f"{name} ← “{row.text}” ({row.kind})"))
        else:
            labelled.add(name)
            _Bound(
                "bindTooltip",
                _e(name),
                permanent=True,
                direction="right",
                className="gv-place",
                offset=[int(radius) + 2, 0],
            ).add_to(marker)
        marker.add_to(layer)
    layer.add_to(m)


def _cluster_hull(c: gpd.GeoDataFrame, k: Any) -> BaseGeometry:
    """The hull of a cluster's member places (those of its lines within 30 km of its centre)."""
    from ._sphere import haversine_m

    members = c[c["item"].isin(list(getattr(k, "items", []) or []))]
    pts = [
        (p.x, p.y) for p in members.geometry if haversine_m(k.lat, k.lon, p.y, p.x) <= 30_000
    ] or [(k.lon, k.lat)]
    return shapely.MultiPoint(pts).convex_hull.buffer(0.04)


def _add_clusters(m: folium.Map, c: gpd.GeoDataFrame, verdict: Verdict | None) -> None:
    if verdict is None or not len(verdict.clusters):
        return
    group = folium.FeatureGroup(name="co-location clusters")
    for k in verdict.clusters.itertuples():
        hull = folium.GeoJson(
            _cluster_hull(c, k).__geo_interface__,
            style_function=lambda _f: _CLUSTER_STYLE,
            className="gv-cluster",
        )
        _popup_to(hull, f"<b>cluster of {int(k.n_items)} lines</b><br/>{_e(k.members)}", 360)
        _tooltip_to(hull, _e(f"co-location: {k.place_names}"))
        hull.add_to(group)
    group.add_to(m)


def _panel_html(verdict: Verdict | None, region_layers: dict[str, str]) -> str:
    """The verdict badge, the hypotheses (rows with a region are highlighted on hover), legend."""
    parts = []
    if verdict is not None:
        colour = _LABEL_COLOURS.get(verdict.label, "#555")
        parts.append(
            f"<div><span class='gv-badge' style='background:{colour}'>{_e(verdict.label.upper())}"
            f"</span> claim: <b>{_e(verdict.claim_name)}</b><br/>best: "
            f"<b>{_e(verdict.best_region_name)}</b></div>"
        )
        rows = "".join(
            f"<tr{_region_attr(str(h.hypothesis), region_layers)}><td>{_e(h.name)}"
            f"{' (claim)' if h.is_claim else ''}</td><td align='right'>{float(h.posterior):.2f}</td></tr>"
            for h in verdict.table.itertuples()
        )
        parts.append(
            f"<table><tr><th align='left'>hypothesis</th><th>posterior</th></tr>{rows}</table>"
        )
    legend = "".join(
        f"<span class='gv-dot' style='background:{col}'></span> {_e(kind)} "
        for kind, col in _KIND_COLOURS.items()
    )
    parts.append(
        f"<div style='margin-top:4px'><b>evidence kind</b><br/>{legend}</div>"
        "<div style='margin-top:3px;color:#555'>marker size = line weight × match score; dashed "
        "circle = place uncertainty; red dashes = claimed region; black dashes = Line of "
        "Control</div>"
    )
    return "".join(parts)


def _css_name(region_id: Any) -> str:
    return re.sub(r"[^a-z0-9-]", "", str(region_id).lower())


def _region_attr(hypothesis: str, region_layers: dict[str, str]) -> str:
    return f" data-region='{_e(hypothesis)}'" if hypothesis in region_layers else ""


def _add_panel(m: folium.Map, verdict: Verdict | None, region_layers: dict[str, str]) -> None:
    """The panel as a Leaflet control inside the map (its HTML passed as a string literal)."""
    layers = "{" + ", ".join(f"{js_string(k)}: {v}" for k, v in region_layers.items()) + "}"
    script = f"""(function () {{
  var map = {m.get_name()}, layers = {layers};
  var panel = L.control({{position: 'topright'}});
  panel.onAdd = function () {{
    var div = L.DomUtil.create('div', 'gv-panel');
    div.innerHTML = {js_string(_panel_html(verdict, region_layers))};
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    div.querySelectorAll('tr[data-region]').forEach(function (row) {{
      var layer = layers[row.getAttribute('data-region')];
      row.addEventListener('mouseenter', function () {{
        layer.setStyle({{weight: 4, fillOpacity: 0.35}}); layer.bringToFront(); }});
      row.addEventListener('mouseleave', function () {{ layer.resetStyle(); }});
    }});
    return div;
  }};
  panel.addTo(map);
}})();"""
    _Script(script).add_to(m)


def _fit(
    m: folium.Map, c: gpd.GeoDataFrame, regions: gpd.GeoDataFrame | None, claim_id: str | None
) -> None:
    """Fit the evidence and the claimed region, padded so no marker sits under the panel or
    on an edge."""
    boxes = [tuple(c.total_bounds)] if len(c) else []
    if regions is not None and claim_id is not None and "geometry" in regions:
        shape = regions.loc[regions["id"] == claim_id, "geometry"]
        if len(shape) and shape.iloc[0] is not None and not shape.iloc[0].is_empty:
            boxes.append(tuple(shape.iloc[0].bounds))
    if not boxes:
        return
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    pad = 0.05 * max(x1 - x0, y1 - y0, 1.0)
    _fit_bounds(m, (y0 - pad, x0 - pad, y1 + pad, x1 + pad), (50, 30), (290, 30))


#: The fit of a map made while its frame was not laid out yet (a report's iframe, sized by
#: Chromium a moment after its page starts) is redone once the frame has a size, and on every
#: resize until the reader moves the map. Leaflet clips vector paths to the view they were
#: drawn in and does not clip them again on a resize, so each path is redrawn too: otherwise a
#: map first laid out a few pixels wide keeps its regions cut to those pixels.
_FIT_SCRIPT = """(function () {
  var map = %(map)s, bounds = %(bounds)s, tl = %(tl)s, br = %(br)s, moved = false;
  function fit() {
    var size = map.getSize();
    if (moved || size.x < 8 || size.y < 8) return;
    // the padding (room for the panel) takes at most half of a small map
    var k = Math.min(1, size.x / (2 * (tl[0] + br[0])), size.y / (2 * (tl[1] + br[1])));
    map.fitBounds(bounds, {paddingTopLeft: [tl[0] * k, tl[1] * k],
                           paddingBottomRight: [br[0] * k, br[1] * k], animate: false});
    map.eachLayer(function (layer) { if (layer.redraw && layer._renderer) layer.redraw(); });
  }
  // capture: Leaflet's controls (zoom buttons, the panel) stop their events bubbling
  ['mousedown', 'wheel', 'touchstart', 'keydown'].forEach(function (name) {
    map.getContainer().addEventListener(name, function () { moved = true; }, true);
  });
  map.on('resize', fit);
  window.addEventListener('load', function () { map.invalidateSize(false); fit(); });
  fit();
})();"""


def _fit_bounds(
    m: folium.Map,
    box: tuple[float, float, float, float],
    top_left: tuple[int, int] = (0, 0),
    bottom_right: tuple[int, int] = (0, 0),
) -> None:
    """Fit ``m`` to ``box`` (south, west, north, east), padded by ``top_left`` and
    ``bottom_right`` pixels (scaled down on a small map), now and whenever its frame is resized
    before the reader moves it (:data:`_FIT_SCRIPT`)."""
    s, w, n, e = (float(v) for v in box)
    if not all(math.isfinite(v) for v in (s, w, n, e)):
        return
    _Script(
        _FIT_SCRIPT
        % {
            "map": m.get_name(),
            "bounds": json.dumps([[s, w], [n, e]]),
            "tl": json.dumps([int(v) for v in top_left]),
            "br": json.dumps([int(v) for v in bottom_right]),
        }
    ).add_to(m)


def plot_batch(
    results: Any,
    regions: gpd.GeoDataFrame | None = None,
    *,
    tiles: str | None = None,
    height: str | int = 480,
) -> folium.Map:
    """Draw the best region of every source of a batch, with the split of its verdicts.

    Parameters
    ----------
    results
        The table :func:`geoverify.batch` returns.
    regions
        Output of :func:`geoverify.load_regions`: a region is drawn as its polygon where it has
        one, else as a circle at its known places (:attr:`Region.anchors`).
    tiles
        Background tiles (default none: the map works offline).

    Returns
    -------
    folium.Map
    """
    from . import regions as R

    done = results[results["status"] == "ok"]
    m = folium.Map(location=[32.0, 73.0], zoom_start=5, tiles=tiles, height=height)
    m.get_root().header.add_child(_Literal(_PAGE_CSS))  # type: ignore[attr-defined]
    _add_base_layer(m)
    shapes = {}
    if regions is not None and "geometry" in regions:
        shapes = {r.id: r.geometry for r in regions.itertuples() if r.geometry is not None}
    points: list[tuple[float, float]] = []
    for region_id, group in done.groupby("best_region"):
        reg = R.region(str(region_id))
        split = group["label"].value_counts()
        tip = _e(f"{reg.name}: {len(group)} sources — ") + ", ".join(
            f"{int(n)} {_e(str(label))}" for label, n in split.items()
        )
        colour = _LABEL_COLOURS.get(str(split.index[0]), "#555")
        shape = shapes.get(reg.id)
        layer: folium.GeoJson | folium.CircleMarker
        if shape is not None and not shape.is_empty:
            layer = folium.GeoJson(
                shape.__geo_interface__,
                style_function=lambda _f, c=colour: {
                    "color": c,
                    "fillColor": c,
                    "fillOpacity": 0.3,
                },
            )
            points.extend((y, x) for x, y in (shape.bounds[:2], shape.bounds[2:]))
        else:
            anchors = [a for leaf in {reg.id} | R.leaves(reg.id) for a in R.region(leaf).anchors]
            if not anchors:
                continue  # no position known offline: the table still lists it
            lat = float(np.mean([a[1] for a in anchors]))
            lon = float(np.mean([a[2] for a in anchors]))
            points.append((lat, lon))
            layer = folium.CircleMarker(
                location=[lat, lon],
                radius=6 + 4 * float(np.sqrt(len(group))),
                color=colour,
                fill=True,
                fill_color=colour,
                fill_opacity=0.5,
            )
        _tooltip_to(layer, tip)
        _popup_to(layer, tip + "<br/>" + "<br/>".join(_e(s) for s in group["source"].head(20)))
        layer.add_to(m)
    if points:
        lats, lons = zip(*points)
        _fit_bounds(m, (min(lats) - 1, min(lons) - 1, max(lats) + 1, max(lons) + 1))
    return m


def map_html(m: folium.Map, *, offline: bool = True) -> str:
    """The map as one HTML page; with ``offline`` its JavaScript and CSS are inlined.

    Background tiles still come from the tile server when there is a network; the regions,
    the Line of Control and the candidates render without one.
    """
    from ._offline_assets import inline_assets

    page = m.get_root().render()
    return inline_assets(page) if offline else page


# The static figure moved to figures.py; the old name warns (and adds no import edge).
__getattr__ = module_getattr("geoverify.maps", {"plot_static": "geoverify.figures:plot_static"})
