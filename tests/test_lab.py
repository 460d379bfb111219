"""The review widget in a real JupyterLab, driven in Debian's Chromium (headless, Playwright).

JupyterLab runs on 127.0.0.1 with a random port and a token, in a temporary root folder holding
one small notebook that builds a review of typed lines from the bundled gazetteer. The browser
opens it, runs its cells, changes the kind of a line through the widget's own control, and the
verdict the widget shows must change. Every request that is not for that server is refused.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import geoverify as gv

from .conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: The third line names no place (it weighs nothing) and would retitle the page if it ran.
HOSTILE = "<img src=x onerror=\"document.title='PWNED'\"> ${7*7} \u202e zq"
LINES = ["Khomeini Chowk", "Hazara Shias in Quetta", HOSTILE]
CLAIM = "Balochistan"
#: Bounds on each wait (a shared two-core machine starts JupyterLab in 10-30 s).
START_S = 120
STEP_MS = 120_000

CELLS = [
    "import geoverify as gv\n"
    "gv.settings.progress = False\n"
    "gv.settings.allow_downloads = False\n"
    "gaz = gv.load_gazetteer()\n"
    f"cands = gv.match_places({LINES!r}, gaz)",
    f"r = gv.review(cands, {CLAIM!r}, gazetteer=gaz, user='browser-test')\nr",
]


def _notebook(path: Path) -> None:
    import nbformat

    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    book.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    nbformat.write(book, path)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return int(resp.status)
    except OSError:
        return 0


def _api(base: str, token: str, path: str, body: object = None) -> object:
    req = urllib.request.Request(
        f"{base}/api/{path}?token={token}",
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="GET" if body is None else "POST",
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)


def _start_kernel(base: str, token: str, path: str) -> None:
    """A session for the notebook, made through the REST API, so the page need not ask."""
    body = {"path": path, "name": path, "type": "notebook", "kernel": {"name": "python3"}}
    _api(base, token, "sessions", body)


def _wait_for_page_kernel(page, base: str, token: str) -> None:
    """Until the page is connected to the notebook's kernel and the kernel is idle (bounded).

    It waits with ``page.wait_for_timeout``, not ``time.sleep``: the page's requests pass
    through a route handled in this thread, only while a Playwright call is running."""
    deadline = time.monotonic() + START_S
    sessions: object = []
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            sessions = _api(base, token, "sessions")
        kernels = [s.get("kernel") or {} for s in sessions] if isinstance(sessions, list) else []
        if any(k.get("execution_state") == "idle" and k.get("connections", 0) for k in kernels):
            return
        page.wait_for_timeout(500)
    pytest.fail(f"the page did not connect to an idle kernel in {START_S} s: {sessions}")


@contextlib.contextmanager
def _jupyter_lab(root: Path, home: Path):
    """JupyterLab on loopback with a token; stopped through its API, killed if it hangs."""
    pytest.importorskip("jupyterlab", reason="jupyterlab is missing: pip install -e '.[notebook]'")
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "lab-workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
    }
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",  # no extension catalogue from PyPI
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
        cmd.append("--allow-root")
    log = (home / "server.log").open("wb")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_S
        while _get(f"{base}/api/status?token={token}") != 200:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                tail = (home / "server.log").read_text(errors="replace")[-3000:]
                pytest.fail(f"JupyterLab did not start on {base} (exit {proc.poll()}):\n{tail}")
            time.sleep(0.5)
        yield base, token
    finally:
        with contextlib.suppress(OSError):
            req = urllib.request.Request(f"{base}/api/shutdown?token={token}", method="POST")
            urllib.request.urlopen(req, timeout=10).close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        log.close()


def test_changing_a_kind_in_the_widget_changes_the_verdict(browser, tmp_path, gazetteer):
    # what the notebook will show, computed here: the key of the Quetta line and both verdicts
    r = gv.review(gv.match_places(LINES, gazetteer), CLAIM, gazetteer=gazetteer)
    key = r.key("Quetta")
    before = r.verdict.label
    after = r.set_kind(key, "signage").verdict.label
    assert before != after  # the scenario can show a change

    root, home = tmp_path / "root", tmp_path / "home"
    root.mkdir()
    home.mkdir()
    _notebook(root / "review.ipynb")
    with _jupyter_lab(root, home) as (base, token):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        outside: list[tuple[str, str]] = []

        def route(r):
            url = r.request.url
            if url.startswith((base + "/", "data:", "blob:", "about:")):
                r.continue_()
            else:
                outside.append((r.request.resource_type, url))
                r.abort()

        page.route("**/*", route)
        console: list[str] = []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"[:300]))
        page.on("pageerror", lambda e: console.append(f"pageerror: {e}"[:300]))
        try:
            _start_kernel(base, token, "review.ipynb")
            page.goto(f"{base}/lab/tree/review.ipynb?token={token}", timeout=STEP_MS)
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=STEP_MS)
            _wait_for_page_kernel(page, base, token)
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).first.click()
            choose = page.locator(".jp-Dialog .jp-mod-accept", has_text="Select")
            with contextlib.suppress(Exception):  # asked only if the session came up late
                choose.wait_for(timeout=3_000)
                choose.click()

            label = page.locator(".gv-review .gv-verdict .gv-label")
            label.wait_for(timeout=STEP_MS)
            assert label.inner_text().strip().lower() == before
            rows = page.locator(".gv-review tr.gv-line")
            assert rows.count() == len(LINES)

            page.fill(".gv-review input.gv-why", "a street sign, read in the crop")
            page.select_option(f".gv-review select.gv-kind[data-line='{key}']", "signage")
            page.locator(".gv-review .gv-verdict .gv-label", has_text=after.upper()).wait_for(
                timeout=STEP_MS
            )
            assert label.inner_text().strip().lower() == after
            log = page.locator(".gv-review table.gv-log").inner_text()
            assert "signage" in log and "a street sign, read in the crop" in log
            assert page.locator(".gv-review .gv-status").inner_text().strip() == ""
            # the hostile line is shown as the text it is, and ran nothing
            assert "PWNED" not in page.title()
            values = page.eval_on_selector_all(
                ".gv-review input.gv-text", "es => es.map(e => e.value)"
            )
            assert any("<img src=x" in v for v in values)
            assert page.locator(".gv-review img[src='x']").count() == 0
            page.locator(".gv-review").screenshot(path=str(tmp_path / "widget.png"))
        except BaseException:
            page.screenshot(path=str(tmp_path / "lab.png"))
            print("refused:", outside, "\nconsole:\n" + "\n".join(console[-40:]))
            raise
        finally:
            page.close()
    # only the map's background tiles may be asked for (and are refused: the map draws without)
    needed = [(t, u) for t, u in outside if t != "image" or "tile" not in u]
    assert not needed, f"the page asked for outside resources: {json.dumps(needed[:5])}"
