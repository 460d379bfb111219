"""The summary page of a batch (private: written by :func:`geoverify.batch`)."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from ._escape import html_text as _e


def render_batch_report(
    table: pd.DataFrame, regions: gpd.GeoDataFrame, title: str = "geoverify batch"
) -> str:
    """One self-contained HTML page: the split of verdicts, a map of every source's best
    region, and the results table with a link to each case's report."""
    from .maps import map_html, plot_batch
    from .report import _CSS

    page = map_html(plot_batch(table, regions), offline=True)
    counts = table["status"].value_counts().to_dict()
    split = table.loc[table["status"] == "ok", "label"].value_counts()
    split_rows = (
        "".join(
            f"<tr><td><span class='label {_e(str(k))}'>{_e(str(k).upper())}</span></td>"
            f"<td>{int(n)}</td></tr>"
            for k, n in split.items()
        )
        or "<tr><td colspan='2'>no finished case yet</td></tr>"
    )
    status = ", ".join(f"{int(n)} {_e(str(k))}" for k, n in counts.items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{_e(title)}</title><style>{_CSS}
td.err{{max-width:28em;font-size:.85em;color:#8a1c1c}}</style></head>
<body>
<h1>{_e(title)}</h1>
<p class="muted">{len(table)} sources: {status}. Regions drawn from: {_e(regions.attrs.get("source", "?"))}.</p>
<h2>Verdicts</h2>
<table><tr><th>verdict</th><th>sources</th></tr>{split_rows}</table>
<h2>Best regions</h2>
<iframe title="map of the best region of every source" sandbox="allow-scripts" srcdoc="{_e(page)}"></iframe>
<h2>Sources</h2>
<table><tr><th>source</th><th>status</th><th>verdict</th><th>best region</th><th>posterior</th>
<th>frames</th><th>lines</th><th>seconds</th><th>error</th></tr>{_rows(table)}</table>
</body></html>
"""


def _rows(table: pd.DataFrame) -> str:
    from .regions import region

    out = []
    for r in table.to_dict("records"):
        name = _value(r["best_region"])
        if name:
            name = region(name).name
        link = _value(r["case_dir"])
        source = _e(_value(r["source"]))
        if link and r["status"] == "ok":
            href = Path(os.path.relpath(link, Path(link).parent.parent)) / "report.html"
            source = f"<a href='{_e(href.as_posix())}'>{source}</a>"
        out.append(
            f"<tr><td dir='auto'>{source}</td><td>{_e(_value(r['status']))}</td>"
            f"<td>{_e(_value(r['label']))}</td><td>{_e(name)}</td>"
            f"<td>{_number(r['posterior'], 2)}</td><td>{_number(r['n_frames'], 0)}</td>"
            f"<td>{_number(r['n_lines'], 0)}</td><td>{_number(r['seconds'], 1)}</td>"
            f"<td class='err'>{_e(_value(r['error']))}</td></tr>"
        )
    return "".join(out)


def _value(v: Any) -> str:
    return "" if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else str(v)


def _number(v: Any, digits: int) -> str:
    text = _value(v)
    return f"{float(text):.{digits}f}" if text else ""
