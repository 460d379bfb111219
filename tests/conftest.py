"""Shared fixtures. Tests read real data from ../shared/data and never use the network."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

# Before geoverify is imported: no test reads or writes the user's cache (module-scoped
# fixtures run before the per-test settings below, and an OCR result cached by older code
# would stand in for a real reading).
os.environ["GEOVERIFY_CACHE_DIR"] = tempfile.mkdtemp(prefix="geoverify-test-cache-")

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("GEOVERIFY_SHARED", ROOT.parent / "shared")) / "data"


@pytest.fixture(autouse=True)
def _offline_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import geoverify as gv

    monkeypatch.setattr(gv.settings, "cache_dir", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setattr(gv.settings, "allow_downloads", False)
    monkeypatch.setattr(gv.settings, "progress", False)
    monkeypatch.setattr(gv.settings, "data_dir", None)


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.exists():
        pytest.skip(
            f"shared test data not found at {SHARED} (clone with ../shared beside the project)"
        )
    return SHARED


@pytest.fixture(scope="session")
def demo_video() -> Path:
    from geoverify.demo import demo_video

    return demo_video()


@pytest.fixture(scope="session")
def demo_frames(demo_video: Path):
    from geoverify import extract_frames

    return extract_frames(demo_video, progress=False)


@pytest.fixture(scope="session")
def gazetteer():
    from geoverify import load_gazetteer

    return load_gazetteer()


@pytest.fixture(scope="session")
def ne_regions(shared: Path):
    from geoverify import load_regions

    return load_regions("naturalearth", data_dir=str(shared / "regions"))


def sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (no browser download, no network)."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright not installed (pip install -e '.[dev]')"
    )
    if CHROMIUM is None:
        pytest.skip("Chromium not installed (Debian package chromium; `make test` installs it)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture(scope="session")
def open_page():
    """Open a local file in a new page; every request that is not for a local file is
    recorded and refused. Returns ``(page, external_requests, page_errors)``."""

    def _open(browser, path):
        page = browser.new_page()
        external: list[tuple[str, str]] = []

        def route(r):
            url = r.request.url
            if url.startswith(("file:", "data:", "about:", "blob:")):
                r.continue_()
            else:
                external.append((r.request.resource_type, url))
                r.abort()

        page.route("**/*", route)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.resolve().as_uri())
        return page, external, errors

    return _open


@pytest.fixture(scope="session")
def demo_out(tmp_path_factory):
    """`geoverify demo` run offline on a machine with no data downloaded (no GEOVERIFY_DATA_DIR,
    a fresh cache): ``(case folder, stdout)``."""
    out = tmp_path_factory.mktemp("demo") / "case"
    proc = subprocess.run(
        [sys.executable, "-m", "geoverify.cli", "--quiet", "demo", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        env={
            "PATH": "/usr/bin:/bin",
            "GEOVERIFY_OFFLINE": "1",
            "GEOVERIFY_CACHE_DIR": str(out.parent / "cache"),
            "HOME": str(out.parent),
        },
    )
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


ARTIFACTS = ROOT / "build" / "test-artifacts"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where tests keep what a reader may want to look at afterwards (screenshots, PDFs)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
