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
from typing import Any

import folium
import geopandas as gpd
import numpy as np
from branca.element import Element, Figure, MacroElement

from ._escape import html_text, js_string
from .exceptions import OptionError
from .verify import Verdict

__all__ = ["map_html", "plot_batch", "plot_candidates", "plot_static"]

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


_e = html_text


class _Literal(Element):
    """Text added to a page as it is: never rendered as a Jinja2 template."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Literal"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class _Bound(MacroElement):
    """A popup or tooltip bound to its parent layer, its HTML passed as a string literal.

    ``html`` must already be escaped HTML; it reaches the page as :func:`js_string` output,
    which holds no character that Jinja2, an HTML parser or a template literal acts on.
    """

    def __init__(self, method: str, html: str, **options: Any) -> None:
        super().__init__()
        if method not in ("bindPopup", "bindTooltip"):
            raise OptionError(f"unknown binding {method!r}")
        self._name = method
        self.method = method
        self.html = html
        self.options = options

    def render(self, **kwargs: Any) -> str:
        figure = self.get_root()
        assert isinstance(figure, Figure), "render the map, not the layer"
        assert self._parent is not None
        script = (
            f"{self._parent.get_name()}.{self.method}({js_string(self.html)}, "
            f"{json.dumps(self.options)});"
        )
        figure.script.add_child(_Literal(script), name=self.get_name())
        return ""


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


def plot_candidates(
    candidates: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame | None = None,
    claim: str | None = None,
    verdict: Verdict | None = None,
    *,
    tiles: str | None = "OpenStreetMap",
    width: str | int = "100%",
    height: str | int = 520,
) -> folium.Map:
    """Draw candidate places (sized and coloured by weight and kind) with regions and clusters.

    Parameters
    ----------
    candidates
        Output of :func:`geoverify.match_places`.
    regions
        Output of :func:`geoverify.load_regions`; polygons are drawn where present.
    claim
        The claimed region (alias or id); drawn dashed red. Taken from ``verdict`` if not given.
    verdict
        Output of :func:`geoverify.test_claim`: line weights size the markers; clusters are drawn.
    tiles
        Background tiles (``None`` for none: useful offline).

    Returns
    -------
    folium.Map
    """
    from . import regions as R

    claim_id = R.region(claim).id if claim else (verdict.claim if verdict else None)
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
    if len(c):
        b = c.total_bounds
        center = [(b[1] + b[3]) / 2, (b[0] + b[2]) / 2]
    else:
        center = [34.0, 75.0]
    m = folium.Map(
        location=center, zoom_start=6, tiles=tiles, width=width, height=height, control_scale=True
    )

    if regions is not None and "geometry" in regions and regions.geometry.notna().any():
        hyp_regions = set(verdict.table["hypothesis"]) if verdict is not None else set()
        for r in regions.itertuples():
            if r.geometry is None or r.geometry.is_empty:
                continue
            is_claim = r.id == claim_id
            if not is_claim and r.id not in hyp_regions and r.parent is not None:
                continue
            style = _CLAIM_STYLE if is_claim else _ALT_STYLE
            layer = folium.FeatureGroup(
                name=f"{'claim: ' if is_claim else ''}{_e(r.name)}", show=True
            )
            shape = folium.GeoJson(
                r.geometry.__geo_interface__, style_function=lambda _f, s=style: s
            )
            _tooltip_to(shape, _e(f"{r.name} — {', '.join(r.aliases[:6])}"))
            shape.add_to(layer)
            layer.add_to(m)
        loc = regions.attrs.get("line_of_control")
        if loc is not None and not loc.is_empty:
            lg = folium.FeatureGroup(name="Line of Control (Natural Earth)")
            line = folium.GeoJson(
                loc.__geo_interface__,
                style_function=lambda _f: {"color": "#222", "weight": 2.5, "dashArray": "2 6"},
            )
            _tooltip_to(line, "Line of Control")
            line.add_to(lg)
            lg.add_to(m)

    layer = folium.FeatureGroup(name="candidate places")
    for row in c.itertuples():
        w = weights.get(int(row.item), 0.5)
        radius = 5 + 12 * float(w) * (float(row.score) / 100.0)
        colour = _KIND_COLOURS.get(str(row.kind), "#333")
        marker = folium.CircleMarker(
            location=[row.geometry.y, row.geometry.x],
            radius=radius,
            color=colour,
            weight=2,
            fill=True,
            fill_color=colour,
            fill_opacity=0.55,
        )
        _popup_to(marker, _popup(row, weights))
        _tooltip_to(marker, _e(f"{row.name} ← “{row.text}” ({row.kind})"))
        marker.add_to(layer)
        unc = getattr(row, "uncertainty_m", None)
        if unc is not None and not np.isnan(unc) and unc > 0:
            folium.Circle(
                location=[row.geometry.y, row.geometry.x],
                radius=float(unc),
                color=colour,
                weight=1,
                fill=False,
                dash_array="3 3",
            ).add_to(layer)
    layer.add_to(m)

    if verdict is not None and len(verdict.clusters):
        cl = folium.FeatureGroup(name="co-location clusters")
        for k in verdict.clusters.itertuples():
            ring = folium.Circle(
                location=[k.lat, k.lon], radius=6000, color="#000", weight=3, fill=False
            )
            _popup_to(ring, f"<b>cluster of {int(k.n_items)} lines</b><br/>{_e(k.members)}", 360)
            _tooltip_to(ring, _e(f"co-location: {k.place_names}"))
            ring.add_to(cl)
        cl.add_to(m)

    legend = "".join(
        f"<div><span style='display:inline-block;width:10px;height:10px;border-radius:5px;background:{col}'></span>"
        f" {_e(kind)}</div>"
        for kind, col in _KIND_COLOURS.items()
    )
    title = ""
    if verdict is not None:
        title = (
            f"<div><b>{_e(verdict.label.upper())}</b>: claim {_e(verdict.claim_name)}; "
            f"best {_e(verdict.best_region_name)}</div>"
        )
    box = (
        f"<div style='position:absolute;bottom:24px;left:10px;z-index:9999;max-width:250px;"
        f"background:rgba(255,255,255,.88);padding:4px 6px;"
        f"border:1px solid #999;border-radius:4px;font:11px sans-serif'>{title}<b>evidence kind</b>{legend}"
        f"<div style='margin-top:4px'>marker size = line weight × match score; dashed circle = place "
        f"uncertainty</div></div>"
    )
    m.get_root().html.add_child(_Literal(box))  # type: ignore[attr-defined]
    folium.LayerControl(collapsed=True).add_to(m)
    if len(c):
        b = c.total_bounds
        pad = 0.2
        m.fit_bounds([[b[1] - pad, b[0] - pad], [b[3] + pad, b[2] + pad]])
    return m


_LABEL_COLOURS = {"supported": "#1a7f37", "contradicted": "#c62828", "inconclusive": "#9a6700"}


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
        m.fit_bounds([[min(lats) - 1, min(lons) - 1], [max(lats) + 1, max(lons) + 1]])
    return m


def map_html(m: folium.Map, *, offline: bool = True) -> str:
    """The map as one HTML page; with ``offline`` its JavaScript and CSS are inlined.

    Background tiles still come from the tile server when there is a network; the regions,
    the Line of Control and the candidates render without one.
    """
    from ._offline_assets import inline_assets

    page = m.get_root().render()
    return inline_assets(page) if offline else page


# The static figure lives in figures.py; these names stay importable from here.
from .figures import _shape, plot_static  # noqa: E402, F401
