"""The report opens in a real browser with no network: Debian's Chromium, headless, via Playwright.

Every request that is not for a local file is recorded and refused. The map must still draw its
regions and markers (map tiles may be missing offline; scripts and styles may not).
"""

import warnings

import pytest

import geoverify as gv

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def polygon_case(tmp_path_factory, gazetteer, ne_regions):
    case = gv.Case(
        sources=[],
        claim="PoK",
        title="Browser test <b>case</b>",
        typed_evidence=[
            "Khomeini Chowk",
            "Kargil",
            "Lal Chowk",
            "<script>alert(1)</script> Skardu",
        ],
    )
    case.gazetteer = gazetteer
    case.run(progress=False)
    case.region_table = ne_regions
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        case.verdict = gv.test_claim(case.candidates, "PoK", regions=ne_regions)
    out = tmp_path_factory.mktemp("browser") / "case"
    case.save(out)
    return case, out


def test_report_renders_offline(browser, open_page, polygon_case):
    case, out = polygon_case
    page, external, errors = open_page(browser, out / "report.html")
    frame = next(f for f in page.frames if f != page.main_frame)
    frame.wait_for_selector("path.leaflet-interactive", timeout=20_000)
    n_paths = frame.locator("path.leaflet-interactive").count()
    # at least: the claim polygon, alternatives, the Line of Control, one marker per candidate
    assert n_paths >= len(case.candidates) + 3
    assert frame.locator(".leaflet-control-layers").count() == 1
    needed = [(t, u) for t, u in external if t in ("script", "stylesheet", "font", "xhr", "fetch")]
    assert not needed, needed
    assert not errors, errors
    # hostile OCR text is shown as text, never run
    assert page.evaluate("() => typeof window.alert") == "function"
    assert "<script>alert(1)</script> Skardu" in page.inner_text("body")
    page.close()


def test_map_html_renders_offline(browser, open_page, polygon_case):
    _, out = polygon_case
    page, external, errors = open_page(browser, out / "map.html")
    page.wait_for_selector("path.leaflet-interactive", timeout=20_000)
    assert page.locator("path.leaflet-interactive").count() >= 5
    assert all(t == "image" for t, _ in external), external  # only map tiles were asked for
    assert not errors
    page.close()
