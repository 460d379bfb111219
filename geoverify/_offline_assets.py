"""Inline the JavaScript and CSS a folium map links to, so its HTML opens on an air-gapped laptop.

The assets come from the ``folium-offline`` package, which ships the exact files (Leaflet, its CSS,
the plugins folium loads) keyed by the URL folium would fetch them from.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .exceptions import GeoverifyError

_SCRIPT = re.compile(r'<script\s+src="(https?://[^"]+)"\s*>\s*</script>', re.IGNORECASE)
_LINK = re.compile(r'<link\s+[^>]*?href="(https?://[^"]+)"[^>]*?/?>', re.IGNORECASE)


@lru_cache(maxsize=1)
def _assets() -> dict[str, str]:
    try:
        from offlinefolium.elements import _res  # the URL -> file content table
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise GeoverifyError("inlining map assets needs the package folium-offline") from exc
    return dict(_res)


def inline_assets(html: str, *, strict: bool = True) -> str:
    """Replace ``<script src=URL>`` and stylesheet ``<link href=URL>`` by their content.

    Parameters
    ----------
    html
        A page rendered by folium.
    strict
        Raise if a linked asset is not available locally (otherwise leave the link).

    Returns
    -------
    str
        The page with every known asset inlined.
    """
    table = _assets()
    missing: list[str] = []

    def script(m: re.Match[str]) -> str:
        url = m.group(1)
        if url not in table:
            missing.append(url)
            return m.group(0)
        body = table[url].replace("</script", "<\\/script")
        return f"<script>/* {url} */\n{body}\n</script>"

    def link(m: re.Match[str]) -> str:
        tag, url = m.group(0), m.group(1)
        if "stylesheet" not in tag.lower():
            return tag
        if url not in table:
            missing.append(url)
            return tag
        body = table[url].replace("</style", "<\\/style")
        return f"<style>/* {url} */\n{body}\n</style>"

    out = _LINK.sub(link, _SCRIPT.sub(script, html))
    if missing and strict:
        raise GeoverifyError(f"map assets not available offline: {', '.join(missing)}")
    return out
