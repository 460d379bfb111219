"""fetch_media: downloads through yt-dlp's generic extractor from a loopback HTTP server."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest

import geoverify as gv
from geoverify.data import sha256_file
from geoverify.demo import demo_video
from geoverify.exceptions import MediaDownloadError, OutputExistsError
from tests._loopback import serve_folder


@pytest.fixture(autouse=True)
def _loopback_downloads(monkeypatch):
    # the suite is offline; these tests download only from 127.0.0.1
    monkeypatch.setattr(gv.settings, "allow_downloads", True)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A loopback HTTP server over a folder holding the demo video (and a hostile name)."""
    root = tmp_path_factory.mktemp("www")
    shutil.copy(demo_video(), root / "clip.mp4")
    (root / "notmedia.txt").write_text("hello", encoding="utf-8")
    with serve_folder(root) as base:
        yield base, root


def test_fetch_media_records_provenance(server, tmp_path):
    base, root = server
    got = gv.fetch_media(f"{base}/clip.mp4", out=tmp_path / "media")
    assert got.path.is_file() and got.path.parent == tmp_path / "media"
    assert sha256_file(got.path) == sha256_file(root / "clip.mp4")
    p = got.provenance
    assert p["url"] == f"{base}/clip.mp4"
    assert p["extractor"].lower() == "generic"
    assert p["id"] == "clip"
    assert p["yt_dlp"] and p["retrieved"].endswith("+00:00")
    # every file written is hashed, the info JSON among them, and lies beside the media
    assert got.path.name in p["files"] and p["info_json"] in p["files"]
    for name, digest in p["files"].items():
        assert sha256_file(tmp_path / "media" / name) == digest
    info = json.loads((tmp_path / "media" / p["info_json"]).read_text(encoding="utf-8"))
    assert info["id"] == "clip"
    saved = json.loads(
        (tmp_path / "media" / (got.path.name + ".provenance.json")).read_text(encoding="utf-8")
    )
    assert saved == p
    # no temporary folder is left beside the target
    assert sorted(x.name for x in tmp_path.iterdir()) == ["media"]
    # a second download of the same media does not overwrite without being asked
    with pytest.raises(OutputExistsError):
        gv.fetch_media(f"{base}/clip.mp4", out=tmp_path / "media")
    again = gv.fetch_media(f"{base}/clip.mp4", out=tmp_path / "media", overwrite=True)
    assert again.path == got.path


def test_fetch_media_404_leaves_nothing(server, tmp_path):
    base, _ = server
    with pytest.raises(MediaDownloadError, match="404"):
        gv.fetch_media(f"{base}/missing.mp4", out=tmp_path / "media")
    assert [p.name for p in tmp_path.iterdir()] == ["media"]
    assert not any((tmp_path / "media").iterdir())


def test_fetch_media_closed_port(tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(MediaDownloadError, match="could not be downloaded"):
        gv.fetch_media(f"http://127.0.0.1:{port}/clip.mp4", out=tmp_path / "m")
    assert not any((tmp_path / "m").iterdir())
    assert [p.name for p in tmp_path.iterdir()] == ["m"]


def test_fetch_media_refuses_non_links_and_offline(tmp_path, monkeypatch):
    with pytest.raises(MediaDownloadError, match="not an http"):
        gv.fetch_media("file:///etc/passwd", out=tmp_path)
    monkeypatch.setattr(gv.settings, "allow_downloads", False)
    with pytest.raises(MediaDownloadError, match="switched off"):
        gv.fetch_media("http://127.0.0.1:9/x.mp4", out=tmp_path)
    assert not list(Path(tmp_path).iterdir())
