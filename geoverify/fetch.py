"""Media from a link, with the provenance an archiver records.

:func:`fetch_media` downloads a video or photo with yt-dlp (its extractors know the sites; its
generic extractor takes a direct file link) and records where it came from: the URL, the
extractor, the media id, uploader and channel, the upload date, title and description, the time
of retrieval (UTC), the yt-dlp version, the sha256 of every file written, and yt-dlp's own info
JSON beside the media. Everything the site says (title, description, uploader) is outside text:
kept as data, escaped wherever it is shown.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import settings
from ._atomic import public_mode, write_text
from .data import sha256_file
from .exceptions import MediaDownloadError, OutputExistsError

__all__ = ["PROVENANCE_FIELDS", "FetchedMedia", "fetch_media", "is_url"]

#: The fields of the provenance record taken from yt-dlp's info dict (None where the site
#: gives none).
PROVENANCE_FIELDS = (
    "extractor",
    "id",
    "uploader",
    "channel",
    "upload_date",
    "title",
    "description",
    "webpage_url",
)

#: Largest text kept from one site-given field (a description can be long).
MAX_FIELD_CHARS = 20_000

#: Suffix of the provenance record written beside each download.
PROVENANCE_SUFFIX = ".provenance.json"


@dataclass
class FetchedMedia:
    """A downloaded file and its provenance record.

    Attributes
    ----------
    path
        The media file.
    provenance
        ``url, extractor, id, uploader, channel, upload_date, title, description, webpage_url,
        retrieved`` (UTC, ISO 8601), ``yt_dlp`` (version), ``files`` (name -> sha256 of every file
        written, the info JSON among them) and ``info_json`` (its file name).
    """

    path: Path
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def files(self) -> list[Path]:
        """Every file written (the media, the info JSON, the provenance record)."""
        names = list(self.provenance.get("files", {}))
        return [self.path.parent / n for n in names] + [provenance_path(self.path)]

    def _repr_html_(self) -> str:
        from ._escape import html_text

        p = self.provenance
        rows = "".join(
            f"<tr><th>{html_text(k)}</th><td>{html_text(p.get(k))}</td></tr>"
            for k in ("url", "extractor", "id", "uploader", "upload_date", "title", "retrieved")
        )
        return f"<b>{html_text(self.path.name)}</b><table>{rows}</table>"


def is_url(source: str) -> bool:
    """Whether a source is a link to fetch (http or https) rather than a local path."""
    return source.lower().startswith(("http://", "https://"))


def provenance_path(media: Path) -> Path:
    """Where the provenance record of a downloaded file lies."""
    return media.with_name(media.name + PROVENANCE_SUFFIX)


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _options(folder: Path) -> dict[str, Any]:
    # the file name comes from the extractor and id only (never the title), made safe by
    # yt-dlp's restrictfilenames; the whole download happens inside ``folder``
    return {
        "outtmpl": {"default": "%(extractor)s-%(id)s.%(ext)s"},
        "paths": {"home": str(folder), "temp": str(folder)},
        "restrictfilenames": True,
        "windowsfilenames": True,
        "writeinfojson": True,
        "noplaylist": True,
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "socket_timeout": settings.download_timeout,
        "retries": 1,
        "fragment_retries": 1,
        "extractor_retries": 0,
        "max_filesize": settings.max_media_bytes,
        "http_headers": {"User-Agent": settings.user_agent},
        "cachedir": False,
        "color": {"stderr": "never", "stdout": "never"},
    }


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value)[:MAX_FIELD_CHARS]


def _download(url: str, folder: Path) -> tuple[Path, dict[str, Any]]:
    """Download ``url`` into ``folder``; the media file and yt-dlp's info dict."""
    try:
        import yt_dlp
    except ImportError as exc:  # pragma: no cover - a dependency
        raise MediaDownloadError(
            "yt-dlp is not installed: pip install yt-dlp (a geoverify dependency)"
        ) from exc
    options = {k: v for k, v in _options(folder).items() if v is not None}
    try:
        with yt_dlp.YoutubeDL(options) as ydl:
            info = ydl.extract_info(url, download=True)
    except yt_dlp.utils.YoutubeDLError as exc:
        raise MediaDownloadError(f"{url}: could not be downloaded ({_plain(exc)})") from exc
    except OSError as exc:
        raise MediaDownloadError(f"{url}: could not be downloaded ({exc})") from exc
    if not isinstance(info, dict):
        raise MediaDownloadError(f"{url}: yt-dlp returned no media")
    if info.get("_type") == "playlist":
        raise MediaDownloadError(f"{url}: a playlist; give the link of one video")
    media = _media_file(info, folder)
    if media is None:
        raise MediaDownloadError(
            f"{url}: nothing was downloaded (larger than settings.max_media_bytes, "
            f"{settings.max_media_bytes:,} bytes, or no downloadable format)"
        )
    return media, info


def _plain(exc: Exception) -> str:
    """yt-dlp's message without its 'ERROR: ' prefix and colour codes."""
    import re

    msg = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))
    return msg.removeprefix("ERROR: ").strip()[:500]


def _media_file(info: dict[str, Any], folder: Path) -> Path | None:
    for d in info.get("requested_downloads") or []:
        fp = d.get("filepath")
        if fp and Path(fp).is_file() and Path(fp).parent == folder:
            return Path(fp)
    candidates = [
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.endswith((".info.json", ".part", ".ytdl"))
    ]
    return candidates[0] if len(candidates) == 1 else None


def _provenance(url: str, media: Path, info: dict[str, Any]) -> dict[str, Any]:
    from importlib.metadata import version

    info_json = media.with_suffix(".info.json")
    record: dict[str, Any] = {"url": url}
    for key in PROVENANCE_FIELDS:
        record[key] = _text(info.get(key))
    record["extractor"] = _text(info.get("extractor_key") or info.get("extractor"))
    record["retrieved"] = _now()
    try:
        record["yt_dlp"] = version("yt-dlp")
    except Exception:  # pragma: no cover - installed under another name
        record["yt_dlp"] = None
    record["file"] = media.name
    record["bytes"] = media.stat().st_size
    record["info_json"] = info_json.name if info_json.is_file() else None
    written = [p for p in sorted(media.parent.iterdir()) if p.is_file()]
    record["files"] = {p.name: sha256_file(p) for p in written}
    return record


def fetch_media(
    url: str, out: str | os.PathLike[str] | None = None, *, overwrite: bool = False
) -> FetchedMedia:
    """Download a video or photo from a link, with its provenance record.

    The download happens in a temporary folder beside ``out``; only when it is complete are
    the files moved into ``out`` (each by an atomic rename), so an interrupted or refused
    download leaves nothing behind.

    Parameters
    ----------
    url
        An http(s) link: a page yt-dlp knows (a video site), or a direct link to a file (yt-dlp's
        generic extractor).
    out
        The folder to put the files in (default: ``media/`` in ``settings.cache_dir``). Beside the
        media lie yt-dlp's ``*.info.json`` and geoverify's ``*.provenance.json``.
    overwrite
        Replace files of an earlier download of the same media in ``out``.

    Returns
    -------
    FetchedMedia
        ``path`` (the media file) and ``provenance`` (see :class:`FetchedMedia`).

    Raises
    ------
    MediaDownloadError
        Offline, refused, not found, not media, too large (``settings.max_media_bytes``), or
        downloads are switched off (``settings.allow_downloads``).
    OutputExistsError
        A file of the same name is in ``out`` and ``overwrite`` is false.
    """
    if not isinstance(url, str) or not is_url(url):
        raise MediaDownloadError(f"{url!r}: not an http(s) link")
    if not settings.allow_downloads:
        raise MediaDownloadError(
            f"{url}: downloads are switched off (settings.allow_downloads / GEOVERIFY_OFFLINE)"
        )
    target = Path(os.path.abspath(out if out is not None else settings.cache_path("media", "x")))
    if out is None:
        target = target.parent
    target.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.fetch.", dir=target.parent))
    try:
        media, info = _download(url, tmp)
        record = _provenance(url, media, info)
        write_text(provenance_path(media), json.dumps(record, indent=2, ensure_ascii=False))
        _move_into(tmp, target, overwrite)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return FetchedMedia(path=target / media.name, provenance=record)


def _move_into(tmp: Path, target: Path, overwrite: bool) -> None:
    """Move every file of ``tmp`` into ``target`` (the media last, so that a reader who finds
    the media also finds its records)."""
    files = sorted(p for p in tmp.iterdir() if p.is_file())
    clashes = [p.name for p in files if (target / p.name).exists()]
    if clashes and not overwrite:
        raise OutputExistsError(
            f"{target}: holds {', '.join(clashes)} from an earlier download; pass overwrite=True"
        )
    records = [p for p in files if p.name.endswith(".json")]
    for p in records + [p for p in files if p not in records]:
        public_mode(p)
        os.replace(p, target / p.name)


def read_provenance(media: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The provenance record written beside a downloaded file, or None (unreadable, absent)."""
    path = provenance_path(Path(media))
    with contextlib.suppress(OSError, ValueError):
        if path.is_file() and path.stat().st_size < 1_000_000:
            record = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(record, dict):
                return record
    return None


def fetch_cached(url: str, folder: str | os.PathLike[str] | None = None) -> FetchedMedia:
    """The media of ``url``: an earlier download in ``folder`` whose files still match their
    recorded sha256, else a new :func:`fetch_media` into it.

    ``folder`` defaults to a folder per URL in ``settings.cache_dir`` (``media/<hash of URL>``).
    """
    import hashlib

    if folder is None:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:20]
        folder = settings.cache_path("media", key, "x").parent
    folder = Path(folder)
    if folder.is_dir():
        for record_file in sorted(folder.glob("*" + PROVENANCE_SUFFIX)):
            media = record_file.with_name(record_file.name[: -len(PROVENANCE_SUFFIX)])
            record = read_provenance(media)
            if record and record.get("url") == url and _intact(media, record):
                return FetchedMedia(path=media, provenance=record)
    return fetch_media(url, out=folder, overwrite=True)


def _intact(media: Path, record: dict[str, Any]) -> bool:
    digest = (record.get("files") or {}).get(media.name)
    return media.is_file() and isinstance(digest, str) and sha256_file(media) == digest
