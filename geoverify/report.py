"""Write-ups of a case: one self-contained HTML file, and Markdown.

Everything that came from outside (OCR text, gazetteer names and sources, titles, file names,
notes) is escaped: the report shows it as text and never runs it.
"""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._escape import html_text, json_text, md_text
from ._imaging import data_uri
from .evidence import line_table
from .fetch import PROVENANCE_FIELDS

if TYPE_CHECKING:
    from .case import Case

__all__ = ["render_html", "render_markdown"]

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em;margin-bottom:.2em} h2{margin-top:1.6em;border-bottom:1px solid #ddd}
.label{display:inline-block;padding:.2em .6em;border-radius:4px;color:#fff;font-weight:bold}
.supported{background:#1a7f37}.contradicted{background:#b3261e}.inconclusive{background:#8a6d00}
table{border-collapse:collapse;width:100%;font-size:.9em} td,th{border:1px solid #ddd;padding:4px 6px;vertical-align:top}
th{background:#f5f5f5;text-align:left} pre{white-space:pre-wrap;background:#f8f8f8;padding:.8em;border-radius:4px}
iframe.map{width:100%;height:70vh;min-height:420px;border:1px solid #ccc} .muted{color:#666;font-size:.85em} img.crop{max-width:260px;max-height:90px}
figure{margin:0} figure.static-map{margin-top:1em} figure.static-map img{max-width:100%;height:auto;border:1px solid #ddd}
.strip{display:flex;flex-wrap:wrap;gap:8px} .strip figure{flex:0 0 auto;font-size:.8em;color:#555}
.strip img{display:block;border:1px solid #ccc} .key{display:inline-block;width:1.4em;height:.8em;vertical-align:middle;border:2px solid}
@page{size:A4;margin:14mm 12mm}
@media print{
body{max-width:none;margin:0;padding:0;font-size:9.5pt}
iframe.map{display:none}
h2{break-after:avoid;page-break-after:avoid}
tr,figure,img{break-inside:avoid;page-break-inside:avoid}
thead{display:table-header-group}
figure.static-map img{max-height:235mm;border:none}
pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:8pt}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""


_e = html_text
_md = md_text


#: Badge colours of the three labels.
LABEL_COLOURS = {"supported": "#1a7f37", "contradicted": "#b3261e", "inconclusive": "#8a6d00"}


def verdict_badge(label: str) -> str:
    """The verdict label as a coloured badge (inline styles: notebooks have no report CSS)."""
    colour = LABEL_COLOURS.get(label, "#555")
    return (
        f"<span style='display:inline-block;padding:.1em .5em;border-radius:4px;color:#fff;"
        f"font-weight:bold;background:{colour}'>{_e(str(label).upper())}</span>"
    )


def case_map_page(case: Case) -> str:
    """The case's map as one self-contained HTML page: what map.html holds and report.html
    frames, drawn once per save; popups show each line's crop as read."""
    from .maps import map_html, plot_candidates

    assert case.candidates is not None
    c = case.candidates.copy()
    if case.frames is not None and "frame" in c and {"x0", "y0", "x1", "y1"} <= set(c.columns):
        c["thumbnail"] = [crop_uri(case, r.frame, (r.x0, r.y0, r.x1, r.y1)) for r in c.itertuples()]
    fmap = plot_candidates(c, regions=case.region_table, verdict=case.verdict)
    return map_html(fmap, offline=True)


def crop_uri(case: Case, frame: Any, box: tuple[Any, ...]) -> str | None:
    return frame_crop_uri(case.frames, frame, box)


def frame_crop_uri(frames: Any, frame: Any, box: tuple[Any, ...]) -> str | None:
    """A thumbnail ``data:`` URI of a line's box in its frame (the whole frame when the box
    is unknown); None when the frame is not there."""
    if frames is None or frame is None or (isinstance(frame, float) and np.isnan(frame)):
        return None
    idx = int(frame)
    if idx < 0 or idx >= len(frames):
        return None
    f = frames[idx]
    try:
        x0, y0, x1, y1 = (float(b) for b in box)
        if any(np.isnan([x0, y0, x1, y1])):
            return data_uri(f.image, max_side=240)
        pad = 6
        crop = f.crop((x0 - pad, y0 - pad, x1 + pad, y1 + pad))
        return data_uri(crop.image, max_side=320)
    except Exception:
        return None


#: Bounds on the frame strip: frames shown, thumbnail size (pixels, longest side) and the
#: total size of its images (data URI characters); past them it says how many are left out.
STRIP_MAX_FRAMES = 48
STRIP_MAX_SIDE = 320
STRIP_BUDGET = 900_000
#: Box colours of the frame strip: a line that named a place (a caption does not count), and
#: any other line read.
EVIDENCE_BOX = (230, 0, 126)
OTHER_BOX = (255, 200, 0)


#: A line's box in frame pixels: x0, y0, x1, y1.
Box = tuple[float, float, float, float]


def _box(row: Any) -> Box | None:
    try:
        x0, y0, x1, y1 = (float(row[k]) for k in ("x0", "y0", "x1", "y1"))
    except (KeyError, TypeError, ValueError):
        return None
    if any(np.isnan([x0, y0, x1, y1])) or x1 <= x0 or y1 <= y0:
        return None
    return x0, y0, x1, y1


def _lines_by_frame(case: Case) -> dict[int, list[tuple[Box, bool, str]]]:
    """The boxed lines of each frame: (box, whether it is evidence of a place: it named one
    and is not a caption, text)."""
    texts, cands = case.texts, case.candidates
    if texts is None or "frame" not in texts:
        return {}
    named: set[tuple[int, tuple[int, ...]]] = set()
    if cands is not None and "frame" in cands:
        for _, r in cands.iterrows():
            box = _box(r)
            if str(r.get("kind")) == "caption":
                continue  # text put on the video names no place it was filmed in
            if box is not None and not pd.isna(r["frame"]):
                named.add((int(r["frame"]), tuple(round(b) for b in box)))
    out: dict[int, list[tuple[Box, bool, str]]] = {}
    for _, r in texts.iterrows():
        box = _box(r)
        if box is None or pd.isna(r["frame"]):
            continue
        frame = int(r["frame"])
        hit = (frame, tuple(round(b) for b in box)) in named
        out.setdefault(frame, []).append((box, hit, str(r.get("text", ""))))
    return out


def boxed_thumbnail(image: Any, boxes: list[tuple[Box, bool]], max_side: int) -> str:
    """A JPEG ``data:`` URI of a frame at most ``max_side`` pixels a side, each line's box
    drawn on it (:data:`EVIDENCE_BOX` for a line that named a place, else :data:`OTHER_BOX`)."""
    from PIL import ImageDraw

    from ._imaging import thumbnail

    im = thumbnail(image, max_side)
    scale = im.width / max(image.shape[1], 1)
    draw = ImageDraw.Draw(im)
    width = max(3, round(max_side / 100))  # JPEG smears thinner lines into the picture
    for box, hit in sorted(boxes, key=lambda b: b[1]):  # evidence boxes on top
        x0, y0, x1, y1 = (v * scale for v in box)
        # drawn around the line, not over it: PIL draws the outline inwards from the corners
        outer = (x0 - width, y0 - width, x1 + width, y1 + width)
        draw.rectangle(outer, outline=EVIDENCE_BOX if hit else OTHER_BOX, width=width)
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=72)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _strip_html(case: Case) -> str:
    """The kept frames as thumbnails with the lines read boxed on them, within the bounds."""
    frames = case.frames
    if frames is None or not len(frames):
        return ""
    lines = _lines_by_frame(case)
    chosen = list(frames)
    if len(chosen) > STRIP_MAX_FRAMES:
        step = len(chosen) / STRIP_MAX_FRAMES
        chosen = [chosen[int(i * step)] for i in range(STRIP_MAX_FRAMES)]
    side = (
        STRIP_MAX_SIDE
        if len(chosen) <= 8
        else STRIP_MAX_SIDE * (3 if len(chosen) <= 16 else 2) // 4
    )
    cells, used = [], 0
    for f in chosen:
        boxed = lines.get(int(f.index), [])
        uri = boxed_thumbnail(f.image, [(b, hit) for b, hit, _ in boxed], side)
        if used + len(uri) > STRIP_BUDGET:
            break
        used += len(uri)
        when = f" · {float(f.t):.2f} s" if f.t is not None else ""
        n_hit = sum(hit for _, hit, _ in boxed)
        read = "; ".join(text for _, _, text in boxed)
        alt = f"frame {f.index}{when}: {len(boxed)} lines boxed"
        cells.append(
            f"<figure><img src='{uri}' alt='{_e(alt)}' title='{_e(read[:2000])}'/>"
            f"<figcaption>#{int(f.index)}{_e(when)} · {len(boxed)} lines, {n_hit} naming a place"
            "</figcaption></figure>"
        )
    left = len(frames) - len(cells)
    more = f" {left} more frames are not shown (size limit of the report)." if left else ""
    key = (
        f"<span class='key' style='border-color:rgb{EVIDENCE_BOX}'></span> a line that named a "
        f"place · <span class='key' style='border-color:rgb{OTHER_BOX}'></span> another line "
        "read (no place named, or a caption put on the video)"
    )
    return (
        f"<h2>Frames read</h2><p class='muted'>The {len(frames)} frames kept, with the lines of "
        f"text found on each: {key}. Hover a frame for what was read.{more}</p>"
        f"<div class='strip'>{''.join(cells)}</div>"
    )


#: Provenance fields shown for media fetched from a link, in this order (the record's own
#: fields, then when and with what it was fetched).
_ORIGIN_FIELDS = ("url", *PROVENANCE_FIELDS[:-1], "retrieved", "yt_dlp")


def _name(path: Any) -> str:
    from pathlib import PurePath

    return PurePath(str(path)).name or str(path)


def footage_lines(case: Case) -> list[str]:
    """One plain sentence per alignment found ("viral.mp4 0:00-0:20 = original.mp4 3:18-3:38
    (similarity 0.93)"), not escaped."""
    from .clips import _seconds, alignment_notes, format_time

    out = []
    for f in case.footage or []:
        times = [_seconds(f.get(k)) for k in ("clip_start", "clip_end", "ref_start", "ref_end")]
        similarity = _seconds(f.get("similarity"))
        if similarity is None or any(t is None for t in times):
            continue  # not an alignment find_clip could have made
        a, b, c, d = (format_time(t or 0.0) for t in times)
        span, ref_span, what = f"{a}-{b}", f"{c}-{d}", f"similarity {similarity:.2f}"
        what = ", ".join([what, *alignment_notes(f)])
        origin = f.get("reference_provenance")
        title = origin.get("title") if isinstance(origin, dict) else None
        ref = _name(f.get("reference")) + (f' ("{title}")' if title else "")
        out.append(f"{_name(f.get('source'))} {span} = {ref} {ref_span} ({what})")
    return out


def _origin_rows_html(record: dict[str, Any]) -> str:
    rows = [
        f"<tr><th>{_e(k)}</th><td dir='auto'>{_e(record.get(k))}</td></tr>"
        for k in _ORIGIN_FIELDS
        if record.get(k) not in (None, "")
    ]
    files = record.get("files")
    if isinstance(files, dict):
        rows += [
            f"<tr><th>sha256</th><td>{_e(name)}: <code>{_e(digest)}</code></td></tr>"
            for name, digest in files.items()
        ]
    return "<table>" + "".join(rows) + "</table>"


def _footage_html(case: Case) -> str:
    if not case.footage and not case.references:
        return ""
    lines = footage_lines(case)
    if not lines:
        refs = ", ".join(_name(r) for r in case.references) or "the references"
        return f"<h2>Same footage as</h2><p>No video source was found in {_e(refs)}.</p>"
    parts = ["<h2>Same footage as</h2>"]
    for line, f in zip(lines, case.footage or []):
        prov = (
            f.get("reference_provenance") if isinstance(f.get("reference_provenance"), dict) else {}
        )
        parts.append(f"<p><b>{_e(line)}</b></p>")
        parts.append(
            f"<p class='muted'>reference {_e(f.get('reference'))}, sha256 "
            f"<code>{_e(f.get('reference_sha256'))}</code></p>"
        )
        if prov:
            parts.append(_origin_rows_html(prov))
    return "".join(parts)


def _fetched_html(case: Case) -> str:
    if not case.fetched:
        return ""
    parts = ["<h2>Media fetched from links</h2>"]
    for url, record in case.fetched.items():
        parts.append(f"<h3 dir='auto'>{_e(record.get('title') or url)}</h3>")
        parts.append(_origin_rows_html(record if isinstance(record, dict) else {}))
    return "".join(parts)


def render_html(case: Case, map_page: str | None = None, figure: bytes | None = None) -> str:
    """The case as one self-contained HTML page: verdict, map (interactive, and the static
    figure), hypotheses, the frames read with their lines boxed, evidence with crops,
    provenance. It prints on A4: the static figure stands in for the interactive map.

    ``map_page`` is the map as :meth:`Case.save` wrote it to map.html, and ``figure`` the PNG
    it wrote to map.png (each drawn here if not given), so that a save draws them once.
    """
    v = case.verdict
    assert v is not None and case.candidates is not None
    page = map_page if map_page is not None else case_map_page(case)
    png = figure if figure is not None else case_figure(case)
    figure_uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    post = v.posterior
    hyp_rows = "".join(
        f"<tr><td>{_e(r.name)}{' <b>(claim)</b>' if r.is_claim else ''}</td><td>{r.posterior:.3f}</td>"
        f"<td>{int(r.n_supporting)}</td><td>{_e(r.supporting)}</td></tr>"
        for r in v.table.itertuples()
    )
    items = line_table(case.candidates)
    ev_rows = []
    for e in v.evidence.itertuples():
        crop = None
        if items is not None and len(items):
            it = items[items["item"] == e.item]
            if len(it) and "x0" in it:
                r = it.iloc[0]
                crop = crop_uri(
                    case, r.get("frame"), (r.get("x0"), r.get("y0"), r.get("x1"), r.get("y1"))
                )
        img = f"<img class='crop' src='{crop}' alt='crop'/>" if crop else ""
        t = getattr(e, "t", None)
        when = (
            f"{float(t):.2f} s"
            if t is not None and not (isinstance(t, float) and np.isnan(t))
            else ""
        )
        ev_rows.append(
            f"<tr><td>{int(e.item)}</td><td dir='auto'>{_e(e.text)}<br/>{img}</td><td>{_e(when)}</td>"
            f"<td>{_e(e.kind)}</td><td>{float(e.weight):.2f}</td><td>{_e(e.best_place)}</td>"
            f"<td>{_e(e.best_region_name)}</td><td>{_e(e.pulls_toward_name)}</td><td>{_e(e.note)}</td></tr>"
        )
    cl_rows = (
        "".join(
            f"<tr><td>{int(c.n_items)}</td><td>{_e(c.place_names)}</td><td>{_e(c.region_name)}</td>"
            f"<td>{_e(c.members)}</td></tr>"
            for c in v.clusters.itertuples()
        )
        or "<tr><td colspan='4'>none</td></tr>"
    )
    prov = json_text(case.provenance)
    params = json_text(case.params())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{_e(case.title)} — geoverify case</title><style>{_CSS}</style></head>
<body>
<h1>{_e(case.title)}</h1>
<p class="muted">geoverify case report · claim tested: <b>{_e(case.claim)}</b> ({_e(v.claim_name)})</p>
<p><span class="label {_e(v.label)}">{_e(v.label.upper())}</span>
 best region: <b>{_e(v.best_region_name)}</b> (posterior {post[v.best_region]:.2f}); claim {post[v.claim]:.2f}</p>
<p>{_e(case.summary())}</p>
{f"<p><b>Notes:</b> {_e(case.notes)}</p>" if case.notes else ""}
<h2>Map</h2>
<iframe class="map" title="map of the evidence" sandbox="allow-scripts" srcdoc="{_e(page)}"></iframe>
<figure class="static-map"><img src="{figure_uri}" alt="static map of the evidence: the claimed region, the hypotheses' regions, the Line of Control and the candidate places"/>
<figcaption class="muted">The same map as a figure (map.png in the case folder), for print and papers.</figcaption></figure>
<h2>Hypotheses</h2>
<table><thead><tr><th>hypothesis</th><th>posterior</th><th>lines for</th><th>which</th></tr></thead><tbody>{hyp_rows}</tbody></table>
{_strip_html(case)}
<h2>Explanation</h2>
<pre>{_e(v.explain())}</pre>
<h2>Evidence</h2>
<table><thead><tr><th>#</th><th>text as read</th><th>time</th><th>kind</th><th>weight</th><th>best place</th>
<th>its region</th><th>pulls toward</th><th>note</th></tr></thead><tbody>{"".join(ev_rows)}</tbody></table>
{_edits_html(case)}
<h2>Co-location</h2>
<table><thead><tr><th>lines</th><th>places</th><th>region</th><th>members</th></tr></thead><tbody>{cl_rows}</tbody></table>
{_footage_html(case)}
{_fetched_html(case)}
<h2>Provenance</h2>
<p class="muted">Inputs with their sha256, software versions, OCR engine and models, gazetteer and region data.</p>
<pre>{_e(prov)}</pre>
<h2>Parameters</h2>
<pre>{_e(params)}</pre>
</body></html>
"""


def case_figure(case: Case) -> bytes:
    """The case's static map (:func:`geoverify.figures.static_png`) as PNG bytes."""
    from .figures import static_png

    assert case.candidates is not None
    return static_png(case.candidates, case.region_table, case.verdict)


def _origin_markdown(record: dict[str, Any]) -> list[str]:
    out = [
        f"- {k}: {_md(record.get(k))}" for k in _ORIGIN_FIELDS if record.get(k) not in (None, "")
    ]
    files = record.get("files")
    if isinstance(files, dict):
        out += [f"- sha256 {_md(name)}: {_md(digest)}" for name, digest in files.items()]
    return out


def _footage_markdown(case: Case) -> list[str]:
    if not case.footage and not case.references:
        return []
    out = ["", "## Same footage as", ""]
    lines = footage_lines(case)
    if not lines:
        return [*out, "No video source was found in the references."]
    for line, f in zip(lines, case.footage or []):
        out += [f"**{_md(line)}**", ""]
        out.append(
            f"- reference: {_md(f.get('reference'))}, sha256 {_md(f.get('reference_sha256'))}"
        )
        prov = f.get("reference_provenance")
        out += _origin_markdown(prov) if isinstance(prov, dict) else []
        out.append("")
    return out


def _fetched_markdown(case: Case) -> list[str]:
    if not case.fetched:
        return []
    out = ["", "## Media fetched from links", ""]
    for url, record in case.fetched.items():
        out += [f"### {_md(record.get('title') or url)}", ""]
        out += _origin_markdown(record if isinstance(record, dict) else {})
        out.append("")
    return out


def render_markdown(case: Case) -> str:
    """The case as a Markdown write-up."""
    v = case.verdict
    assert v is not None
    post = v.posterior
    out = [
        f"# {_md(case.title)}",
        "",
        f"**Verdict: {v.label.upper()}** — claim *{_md(case.claim)}* ({_md(v.claim_name)}); best region "
        f"**{_md(v.best_region_name)}** (posterior {post[v.best_region]:.2f}; claim {post[v.claim]:.2f}).",
        "",
        _md(case.summary()),
        "",
        "## Hypotheses",
        "",
        "| hypothesis | posterior | lines for |",
        "|---|---|---|",
    ]
    out += [
        f"| {_md(r.name)}{' (claim)' if r.is_claim else ''} | {r.posterior:.3f} | {int(r.n_supporting)} |"
        for r in v.table.itertuples()
    ]
    out += [
        "",
        "## Evidence",
        "",
        "| # | text | kind | weight | best place | region | note |",
        "|---|---|---|---|---|---|---|",
    ]
    out += [
        f"| {int(e.item)} | {_md(e.text)} | {_md(e.kind)} | {float(e.weight):.2f} | {_md(e.best_place)} | "
        f"{_md(e.best_region_name)} | {_md(e.note)} |"
        for e in v.evidence.itertuples()
    ]
    out += _footage_markdown(case)
    out += _fetched_markdown(case)
    out += _edits_md(case)
    out += ["", "## Explanation", ""]
    out += [
        ("- " + _md(ln[2:])) if ln.startswith("- ") else _md(ln) for ln in v.explain().splitlines()
    ]
    out += [
        "",
        "## Provenance",
        "",
        "```json",
        json_text(case.provenance),
        "```",
        "",
    ]
    return "\n".join(out)


_EDIT_COLUMNS = ("when", "who", "item", "text", "field", "before", "after", "why")


def _edits_html(case: Case) -> str:
    """The edits made by hand (``case.edits``), as an HTML section; empty when there are none."""
    if not case.edits:
        return ""
    head = "".join(f"<th>{c}</th>" for c in _EDIT_COLUMNS)
    rows = "".join(
        "<tr>" + "".join(f"<td dir='auto'>{_e(e.get(c))}</td>" for c in _EDIT_COLUMNS) + "</tr>"
        for e in case.edits
    )
    return (
        "<h2>Edits by hand</h2><p class='muted'>What the investigator changed in the evidence "
        f"before this verdict, and why.</p><table><tr>{head}</tr>{rows}</table>"
    )


def _edits_md(case: Case) -> list[str]:
    """The edits made by hand as a Markdown section (no lines when there are none)."""
    if not case.edits:
        return []
    out = ["", "## Edits by hand", "", "| " + " | ".join(_EDIT_COLUMNS) + " |"]
    out.append("|" + "---|" * len(_EDIT_COLUMNS))
    out += ["| " + " | ".join(_md(e.get(c)) for c in _EDIT_COLUMNS) + " |" for e in case.edits]
    return out
