"""The notebook widget of :class:`geoverify.review.Review` (private; needs anywidget).

The browser side only shows state and sends requests; every edit is made in Python by the
review's own methods, so the log and the verdict are the same whether a person clicks or a
script calls. Outside text reaches the page as data: the script sets ``textContent`` and
``value``, never ``innerHTML``, except for the verdict, which Python renders with every outside
string escaped (``html_text``); the map is a sandboxed ``srcdoc`` iframe.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from ._escape import html_text
from .evidence import KIND_WEIGHTS
from .exceptions import OptionError

if TYPE_CHECKING:
    from .review import Review

_ESM = r"""
function h(tag, props, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === "class") e.className = v;
    else if (k === "data") Object.assign(e.dataset, v);
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c ?? "")));
  return e;
}

function render({ model, el }) {
  const root = h("div", { class: "gv-review" });
  el.append(root);
  const why = h("input", { class: "gv-why", type: "text", placeholder: "why (recorded with the next edit)", size: 50 });
  const status = h("div", { class: "gv-status" });
  const verdict = h("div", { class: "gv-verdict" });
  const table = h("table", { class: "gv-lines" });
  const mapFrame = h("iframe", { class: "gv-map", title: "map of the evidence" });
  mapFrame.setAttribute("sandbox", "allow-scripts");
  const log = h("table", { class: "gv-log" });
  const addText = h("input", { class: "gv-add-text", type: "text", placeholder: "a line you read yourself", size: 40 });
  const addKind = h("select", { class: "gv-add-kind" });
  const send = (action, line, value) => {
    status.textContent = "…";
    model.send({ action, line, value, why: why.value });
    why.value = "";
  };
  const addButton = h("button", { class: "gv-add", onclick: () => {
    if (addText.value.trim()) send("add_line", null, { text: addText.value, kind: addKind.value || null });
    addText.value = "";
  } }, "add line");
  root.append(
    h("div", { class: "gv-head" }, verdict),
    h("div", {}, "Why: ", why),
    status,
    table,
    h("div", { class: "gv-add-row" }, "Add: ", addText, " ", addKind, " ", addButton),
    h("details", { open: true }, h("summary", {}, "map"), mapFrame),
    h("details", { open: true }, h("summary", {}, "edit log"), log),
  );

  function kindSelect(kinds, value, cls, extra) {
    const s = h("select", { class: cls });
    if (extra) s.append(h("option", { value: "" }, extra));
    for (const k of kinds) s.append(h("option", { value: k, selected: k === value }, k));
    return s;
  }

  function drawLines() {
    const kinds = model.get("kinds");
    const head = h("tr", {}, ...["", "crop", "text as read", "script", "kind", "candidates", "weight", ""].map((t) => h("th", {}, t)));
    const rows = model.get("lines").map((ln) => {
      const crop = ln.crop && ln.crop.startsWith("data:image/") ? h("img", { src: ln.crop, alt: "crop", class: "gv-crop" }) : "";
      const text = h("input", { class: "gv-text", type: "text", value: ln.text, size: 34, dir: "auto", data: { line: ln.line },
        onchange: () => send("set_text", ln.line, text.value) });
      const kind = kindSelect(kinds, ln.kind, "gv-kind");
      kind.dataset.line = ln.line;
      kind.addEventListener("change", () => send("set_kind", ln.line, kind.value));
      const cand = h("select", { class: "gv-pick", data: { line: ln.line } },
        h("option", { value: "", selected: !ln.picked }, `all candidates (${ln.candidates.length})`),
        ...ln.candidates.map((c) => h("option", { value: c.place_id, selected: c.place_id === ln.picked }, `${c.name} (${c.where}; ${c.score})`)));
      cand.addEventListener("change", () => send("pick", ln.line, cand.value || null));
      const drop = h("button", { class: "gv-drop", data: { line: ln.line },
        onclick: () => send(ln.dropped ? "restore" : "drop", ln.line, null) }, ln.dropped ? "restore" : "drop");
      const tr = h("tr", { class: ln.dropped ? "gv-line gv-dropped" : "gv-line", data: { line: ln.line } },
        h("td", {}, ln.item), h("td", {}, crop),
        h("td", {}, text, ln.as_read !== ln.text ? h("div", { class: "gv-as-read" }, `read as: ${ln.as_read}`) : ""),
        h("td", {}, ln.script ?? ""),
        h("td", {}, kind, ln.caption_reason ? h("div", { class: "gv-caption-why" }, ln.caption_reason) : ""),
        h("td", {}, cand),
        h("td", { class: "gv-weight" }, ln.weight.toFixed(2)), h("td", {}, drop));
      if (ln.dropped) tr.style.opacity = "0.45";
      return tr;
    });
    table.replaceChildren(head, ...rows);
  }

  function drawLog() {
    const cols = ["when", "who", "item", "field", "before", "after", "why"];
    const edits = model.get("edits");
    log.replaceChildren(h("tr", {}, ...cols.map((c) => h("th", {}, c))),
      ...edits.map((e) => h("tr", {}, ...cols.map((c) => h("td", {}, e[c] ?? "")))));
  }

  const drawVerdict = () => { verdict.innerHTML = model.get("verdict_html"); };  // escaped in Python
  const drawMap = () => { mapFrame.srcdoc = model.get("map_html"); mapFrame.hidden = !model.get("map_html"); };
  const drawStatus = () => { status.textContent = model.get("error"); status.style.color = model.get("error") ? "#b3261e" : ""; };
  addKind.replaceChildren(h("option", { value: "" }, "kind: infer"), ...model.get("kinds").map((k) => h("option", { value: k }, k)));
  addKind.value = "";
  drawLines(); drawLog(); drawVerdict(); drawMap(); drawStatus();
  // an answer to a request always changes the log, the lines or the error: clear the "…"
  model.on("change:lines", () => { drawLines(); drawStatus(); });
  model.on("change:edits", () => { drawLog(); drawStatus(); });
  model.on("change:verdict_html", drawVerdict);
  model.on("change:map_html", drawMap);
  model.on("change:error", drawStatus);
}
export default { render };
"""

_CSS = """
.gv-review{font:13px/1.4 system-ui,sans-serif}
.gv-review table{border-collapse:collapse;margin:.4em 0} .gv-review td,.gv-review th{border:1px solid #ddd;padding:2px 5px;vertical-align:top}
.gv-review th{background:#f5f5f5;text-align:left} .gv-crop{max-width:220px;max-height:70px}
.gv-as-read{color:#777;font-size:.85em} .gv-caption-why{color:#777;font-size:.8em;max-width:16em} .gv-map{width:100%;height:420px;border:1px solid #ccc}
.gv-status{min-height:1.2em}
"""


class ReviewWidget(anywidget.AnyWidget):  # type: ignore[misc]
    """The widget of one :class:`~geoverify.review.Review`."""

    _esm = _ESM
    _css = _CSS
    lines: traitlets.List[Any] = traitlets.List().tag(sync=True)
    edits: traitlets.List[Any] = traitlets.List().tag(sync=True)
    kinds: traitlets.List[Any] = traitlets.List().tag(sync=True)
    verdict_html = traitlets.Unicode("").tag(sync=True)
    map_html = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(self, review: Review, *, show_map: bool = True) -> None:
        super().__init__()
        self._review = review
        self._show_map = show_map
        self.kinds = list(KIND_WEIGHTS)
        self.on_msg(self._on_msg)
        self.refresh()

    def refresh(self) -> None:
        """Send the review's current state to the browser."""
        r = self._review
        self.lines = _line_rows(r)
        self.edits = [dict(e) for e in r.edits]
        self.verdict_html = verdict_html(r)
        self.map_html = _map(r) if self._show_map else ""

    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        action, line, value = content.get("action"), content.get("line"), content.get("value")
        why = str(content.get("why") or "").strip() or None
        r = self._review
        try:
            if action == "set_kind":
                r.set_kind(str(line), str(value), why=why)
            elif action == "set_text":
                r.set_text(str(line), str(value), why=why)
            elif action == "drop":
                r.drop(str(line), why=why)
            elif action == "restore":
                r.restore(str(line), why=why)
            elif action == "pick":
                r.pick(str(line), None if value in (None, "") else str(value), why=why)
            elif action == "add_line" and isinstance(value, dict):
                r.add_line(str(value.get("text", "")), value.get("kind") or None, why=why)
            else:
                raise OptionError(f"unknown request {action!r}")
            self.error = ""
        except Exception as exc:  # shown in the widget: a comm handler's exception is lost
            self.error = f"{type(exc).__name__}: {exc}"
            self.refresh()  # put the controls back to what the review holds


def verdict_html(r: Review) -> str:
    """The verdict as the widget shows it (every outside string escaped)."""
    from .report import verdict_badge

    v = r.verdict
    p = v.posterior
    rows = "".join(
        f"<tr><td>{html_text(h.name)}{' (claim)' if h.is_claim else ''}</td>"
        f"<td style='text-align:right'>{h.posterior:.3f}</td><td>{int(h.n_supporting)}</td>"
        f"<td>{html_text(h.supporting)}</td></tr>"
        for h in v.table.itertuples()
    )
    return (
        f"<div class='gv-verdict-line'><span class='gv-label' data-label='{html_text(v.label)}'>"
        f"{verdict_badge(v.label)}</span> claim <b>{html_text(v.claim_name)}</b> "
        f"{p.get(v.claim, 0):.2f} · best <b>{html_text(v.best_region_name)}</b> "
        f"{p.get(v.best_region, 0):.2f} · {len(r.edits)} edits</div>"
        "<table class='gv-hypotheses'><tr><th>hypothesis</th><th>posterior</th>"
        f"<th>lines for</th><th>which</th></tr>{rows}</table>"
        "<details><summary>explanation</summary><pre style='white-space:pre-wrap'>"
        f"{html_text(v.explain())}</pre></details>"
    )


def _line_rows(r: Review) -> list[dict[str, Any]]:
    from .report import frame_crop_uri

    weight = dict(zip(r.verdict.evidence["item"], r.verdict.evidence["weight"]))
    out = []
    for ln in r._lines.values():
        info = ln.info
        frame = info.get("frame", info.get("best_frame"))  # merge_text keeps the best frame
        crop = frame_crop_uri(r.frames, frame, tuple(info.get(c) for c in ("x0", "y0", "x1", "y1")))
        cands = ln.cands
        out.append(
            {
                "line": ln.key,
                "item": ln.item,
                "text": str(info.get("text", "")),
                "as_read": ln.history[0] if ln.history else str(info.get("text", "")),
                "script": info.get("script"),
                "kind": info.get("kind"),
                "caption_reason": str(info.get("caption_reason") or ""),
                "weight": 0.0 if ln.dropped else float(weight.get(ln.item, 0.0)),
                "picked": ln.picked,
                "dropped": ln.dropped,
                "crop": crop or "",
                "candidates": [
                    {
                        "place_id": str(c.place_id),
                        "name": str(c.name),
                        "score": round(float(c.score)),
                        "where": "/".join(
                            str(x) for x in (c.country, c.admin1) if isinstance(x, str) and x
                        )
                        or "?",
                    }
                    for c in cands.itertuples()
                ]
                if len(cands)
                else [],
            }
        )
    return out


def _map(r: Review) -> str:
    from .maps import map_html, plot_candidates

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fmap = plot_candidates(r.result, regions=r.regions, verdict=r.verdict, height=400)
    return map_html(fmap, offline=True)
