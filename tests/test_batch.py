"""Batches on a real Dask LocalCluster (2 worker processes): corrupt and missing inputs, a
re-run that reuses finished cases, a worker that dies, the CLI, and Ctrl-C."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import cloudpickle
import pandas as pd
import pytest
from distributed.diagnostics.plugin import WorkerPlugin
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

import geoverify as gv
from geoverify import _batch_jobs as bj
from geoverify.batching import read_batch

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers need not import tests/

# Real images and the real OCR engines; Tesseract keeps the cluster tests short on 2 cores
# (the scene pipeline runs in one batch below).
ENGINE = "tesseract"


@pytest.fixture(scope="module")
def client():
    from distributed import Client

    from geoverify.batching import local_cluster

    # the LocalCluster batch() starts (2 worker processes, a dead worker retried once),
    # kept for the module
    with local_cluster(2, dashboard=False) as cluster, Client(cluster) as c:
        yield c


@pytest.fixture()
def inputs(shared: Path, tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    good = {
        "print": shared / "images" / "urdu-print" / "2.png",
        "sign": shared / "images" / "signs" / "example3.png",
    }
    corrupt = folder / "corrupt.mp4"
    corrupt.write_bytes((shared / "video" / "pan_easyocr_example3.mp4").read_bytes()[:3000])
    not_image = folder / "notes.jpg"
    not_image.write_text("this is not a JPEG\n")
    hostile = folder / "<img src=x onerror=alert(1)>{{7*7}}\u202egnp.png"
    shutil.copy(good["sign"], hostile)
    return {**good, "corrupt": corrupt, "not_image": not_image, "hostile": hostile}


def test_a_batch_reports_every_source_and_a_rerun_reuses_them(client, inputs, tmp_path):
    out = tmp_path / "batch"
    sources = [inputs["print"], inputs["corrupt"], inputs["not_image"], tmp_path / "missing.mp4"]
    table = gv.batch(sources, claim="PoK", out=out, client=client, engine=ENGINE)

    assert list(table.columns[:10]) == [
        "source",
        "status",
        "label",
        "best_region",
        "posterior",
        "n_frames",
        "n_lines",
        "seconds",
        "error",
        "case_dir",
    ]
    by = table.set_index("source")
    ok = by.loc[str(inputs["print"])]
    assert ok.status == "ok" and ok.label in ("supported", "contradicted", "inconclusive")
    assert ok.n_frames == 1 and ok.n_lines >= 1 and 0 <= ok.posterior <= 1
    for bad in ("corrupt", "not_image"):
        row = by.loc[str(inputs[bad])]
        assert row.status == "failed" and str(inputs[bad].name) in row.error
    assert by.loc[str(tmp_path / "missing.mp4")].error.startswith("InputError")

    # each case folder is what Case.save writes, and loads back
    case = gv.Case.load(ok.case_dir)
    assert case.saved_verdict["label"] == ok.label
    assert read_batch(out).equals(table)
    assert pd.read_csv(out / "results.csv")["status"].tolist() == table["status"].tolist()
    assert (out / "report.html").is_file()

    stamp = (Path(ok.case_dir) / "manifest.json").stat().st_mtime_ns
    again = gv.batch(sources, claim="PoK", out=out, client=client, engine=ENGINE)
    assert again.loc[again.source == str(inputs["print"]), "reused"].item()
    assert (Path(ok.case_dir) / "manifest.json").stat().st_mtime_ns == stamp
    assert again["status"].tolist() == table["status"].tolist()
    # the failures are tried again (they may have been fixed), never reused
    assert not again.loc[again.status == "failed", "reused"].any()

    # another option is another case
    other = gv.batch([inputs["print"]], claim="PoK", out=out, client=client, engine=ENGINE, every=2)
    assert not other["reused"].item() and other["case_dir"].item() != ok.case_dir


def test_the_default_engine_runs_on_the_workers(client, inputs, tmp_path):
    table = gv.batch([inputs["sign"]], claim="Ladakh", out=tmp_path / "b", client=client)
    row = table.iloc[0]
    assert row.status == "ok", row.error
    saved = gv.Case.load(row.case_dir)
    assert saved.provenance["ocr_engine"] == "scene"
    assert row.n_lines >= 1

    def threads() -> tuple[int, int]:
        """torch's threads and the Urdu model's onnxruntime threads in this worker."""
        import torch

        from geoverify.ocr import scene

        session = scene._urdu_reader(None)._session
        return torch.get_num_threads(), session.get_session_options().intra_op_num_threads

    # one core per worker: onnxruntime does not read OMP_NUM_THREADS by itself
    assert set(client.run(threads).values()) == {(1, 1)}


def test_hostile_names_are_data_in_the_outputs(client, inputs, tmp_path):
    out = tmp_path / "batch"
    table = gv.batch([inputs["hostile"]], claim="PoK", out=out, client=client, engine=ENGINE)
    row = table.iloc[0]
    assert row.status == "ok", row.error
    assert Path(row.case_dir).parent == out / "cases"
    assert "<" not in Path(row.case_dir).name and "\u202e" not in Path(row.case_dir).name
    page = (out / "report.html").read_text()
    assert "<img src=x" not in page and "\u202e" not in page and "{{7*7}}" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;&#123;&#123;7*7&#125;&#125;⟨U+202E⟩" in page


class KillOnSource(WorkerPlugin):
    """Kills the worker process that starts the task of a source named ``poison-<token>``:
    every time, or (``once``) only the first time, the way a crash from lack of memory would.

    The token is new in each test, so that a plugin left on a worker by an earlier test (a
    worker restarted after that test's last kill registers while the plugin is being
    unregistered, and distributed may add it after removing it) cannot kill this test's task:
    the ``dies-once`` case, which runs after ``dies-twice``, failed now and then, killed on its
    retry too."""

    name = "test-kill-on-source"

    def __init__(self, marker: str, once: bool, token: str) -> None:
        self.marker, self.once, self.token = marker, once, token

    def setup(self, worker) -> None:
        self.worker = worker

    def transition(self, key, start, finish, **kwargs) -> None:
        if finish == "executing" and f"poison-{self.token}" in str(key):
            if self.once and os.path.exists(self.marker):
                return
            Path(self.marker).write_text("killed")
            os._exit(1)


@pytest.mark.parametrize("once", [False, True], ids=["dies-twice", "dies-once"])
def test_a_worker_that_dies_is_retried_once_then_reported(client, inputs, tmp_path, once):
    token = uuid.uuid4().hex[:8]
    poison = tmp_path / f"poison-{token}.png"
    shutil.copy(inputs["sign"], poison)
    client.register_plugin(KillOnSource(str(tmp_path / "killed"), once, token))
    try:
        table = gv.batch(
            [inputs["print"], poison], claim="PoK", out=tmp_path / "b", client=client, engine=ENGINE
        )
    finally:
        client.unregister_worker_plugin(KillOnSource.name)
    by = table.set_index("source")
    assert by.loc[str(inputs["print"]), "status"] == "ok"
    row = by.loc[str(poison)]
    if once:
        assert row.status == "ok", row.error
        assert (tmp_path / "killed").read_text() == "killed"
    else:
        assert row.status == "failed" and "KilledWorker" in row.error
        assert "died" in row.error
    client.wait_for_workers(2, timeout=120)


def test_sources_from_lists_csv_and_globs(shared, tmp_path):
    imgs = shared / "images" / "urdu-print"
    (tmp_path / "list.txt").write_text(
        f"# uploads\n{imgs / '1.jpg'}\n\nrel.png\nhttps://x.test/v\n"
    )
    (tmp_path / "claims.csv").write_text(f"source,claim\n{imgs / '2.png'},Ladakh\nother.jpg,\n")
    pairs = bj.list_sources(
        [tmp_path / "list.txt", tmp_path / "claims.csv", str(imgs / "*.jpg")], "PoK"
    )
    assert pairs == [
        (str(imgs / "1.jpg"), "PoK"),
        (str(tmp_path / "rel.png"), "PoK"),
        ("https://x.test/v", "PoK"),
        (str(imgs / "2.png"), "Ladakh"),
        (str(tmp_path / "other.jpg"), "PoK"),
    ]  # the glob's 1.jpg was listed already
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(gv.InputError, match="bad.txt: not UTF-8"):
        bj.list_sources([tmp_path / "bad.txt"], "PoK")


def test_job_keys_and_folder_names():
    assert bj.job_key("abc", "PoK", {}) == bj.job_key("abc", "PoK", {"engine": "auto"})
    assert bj.job_key("abc", "PoK", {}) != bj.job_key("abc", "Ladakh", {})
    assert bj.job_key("abc", "PoK", {}) != bj.job_key("abd", "PoK", {})
    name = bj.case_dir_name("../../<img src=x>\u202e.mp4", "f" * 64)
    assert name == "img-src-x-.mp4-ffffffffffff"
    assert bj.case_dir_name("https://example.org/watch?v=1", "0" * 64).startswith("example.org")


def test_batch_refuses_bad_arguments(tmp_path):
    with pytest.raises(gv.InputError, match="did you mean 'engine'"):
        gv.batch([tmp_path], claim="PoK", out=tmp_path / "b", engin="tesseract")
    with pytest.raises(gv.InputError, match="'verdict' is not a case option"):
        gv.batch([tmp_path], claim="PoK", out=tmp_path / "b", verdict=None)
    (tmp_path / "file").write_text("x")
    with pytest.raises(gv.OutputExistsError):
        gv.batch([tmp_path], claim="PoK", out=tmp_path / "file")
    table = gv.batch([tmp_path / "nothing.mp4"], claim="Atlantis", out=tmp_path / "b2")
    assert table["status"].item() == "failed" and "InputError" in table["error"].item()


def test_cli_batch_and_ctrl_c(shared, tmp_path):
    """The command starts its own LocalCluster; SIGINT stops it and keeps what finished."""
    # two photos of one size: the second is still being read when the first is done
    imgs = [shared / "images" / "urdu-signs" / n for n in ("IMG_3393.jpg", "IMG_4237.jpg")]
    out = tmp_path / "b"
    cmd = [sys.executable, "-m", "geoverify.cli", "--quiet", "batch", *map(str, imgs)]
    cmd += ["--claim", "PoK", "--out", str(out), "--workers", "1", "--engine", ENGINE]
    env = {**os.environ, "GEOVERIFY_OFFLINE": "1"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            if (out / "results.csv").is_file() and ",ok," in (out / "results.csv").read_text():
                break
            time.sleep(0.5)
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
        proc.send_signal(signal.SIGINT)
        text = proc.communicate(timeout=120)[0].decode()
    finally:
        proc.kill()
    assert proc.returncode == 130, text
    assert "interrupted" in text
    table = read_batch(out)
    assert (table["status"] == "ok").sum() >= 1
    assert set(table["status"]) <= {"ok", "cancelled"}
    # a re-run reuses what finished and does the rest
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 of 2 sources done; 0 failed" in done.stdout
    assert read_batch(out)["reused"].sum() >= 1


@pytest.mark.browser
def test_batch_report_renders_offline(
    client, inputs, shared, tmp_path, monkeypatch, browser, open_page
):
    # region polygons from the shared Natural Earth files; the workers get the same setting
    monkeypatch.setattr(gv.settings, "data_dir", str(shared / "regions"))
    out = tmp_path / "batch"
    sources = [inputs["print"], inputs["sign"], inputs["corrupt"]]
    table = gv.batch(
        sources, claim="PoK", out=out, client=client, engine=ENGINE, regions="naturalearth"
    )
    assert table["status"].tolist() == ["ok", "ok", "failed"]
    page, external, errors = open_page(browser, out / "report.html")
    frame = next(f for f in page.frames if f != page.main_frame)
    frame.wait_for_selector("path.leaflet-interactive", timeout=20_000)
    assert frame.locator("path.leaflet-interactive").count() >= 1  # a best region, drawn
    needed = [(t, u) for t, u in external if t in ("script", "stylesheet", "font", "xhr", "fetch")]
    assert not needed and not errors, (needed, errors)
    body = page.inner_text("body")
    assert "3 sources: 2 ok, 1 failed" in body and "Natural Earth" in body
    # each finished source links to its own case report
    links = page.locator("a[href$='report.html']")
    assert links.count() == 2
    assert (out / links.first.get_attribute("href")).is_file()
    shot = tmp_path / "batch-report.png"
    page.screenshot(path=str(shot), full_page=True)
    from PIL import Image

    with Image.open(shot) as im:
        assert im.size[1] > 600 and len(set(im.convert("L").getdata())) > 50
    page.close()


_HOSTILE = st.sampled_from(["<script>x</script>", "{{ 7*7 }}", "${x}", "`", "\u202e", "'\"", "&"])


@hyp_settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(_HOSTILE, st.text(max_size=20)), min_size=1, max_size=4))
def test_batch_report_and_csv_hold_any_text_as_data(parts):
    """Sources and errors come from outside (file names, URLs, messages quoting them)."""
    from geoverify._batch_report import render_batch_report
    from geoverify._casefolder import csv_table, read_table

    jobs = [bj.Job(f"{a}{b}", "PoK", {}, {}) for a, b in parts]
    rows = [
        j.row(status="failed", error=f"InputError: {j.source}: {a}")
        for j, (a, _) in zip(jobs, parts)
    ]
    table = pd.DataFrame(rows, columns=bj.COLUMNS)
    page = render_batch_report(table, gv.load_regions("admin"))
    body = page.split("<body>", 1)[1]
    for bad in ("<script>x", "{{ 7*7 }}", "${x}", "\u202e"):
        assert bad not in body
    path = Path(tempfile.mkdtemp()) / "results.csv"
    path.write_text(csv_table(table), encoding="utf-8")
    back = read_table(path)
    assert back["source"].tolist() == table["source"].tolist()
