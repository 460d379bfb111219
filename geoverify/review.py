"""Reviewing the evidence by hand: correct lines, set kinds, pick places, with an edit log.

:func:`review` wraps a candidates table (or a whole :class:`~geoverify.Case`) in a
:class:`Review`. Each evidence line can be corrected (its text, re-matched in the gazetteer),
given another kind, dropped, narrowed to one of its candidate places, or added by hand; the
verdict is tested again after every edit, and every edit is recorded: who, when (UTC), which
line, which field, the value before and after, and why. In a notebook the review shows as a
widget (anywidget, from the ``notebook`` extra) whose buttons call the same methods, so what a
person clicks and what a script does leave the same log.

Lines are named by a stable key (the ``line`` column, kept in the result and in a saved case),
not by their position: item numbers change when lines are added or a case is run again.
"""

from __future__ import annotations

import datetime as _dt
import getpass
import re
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ._casefolder import EDIT_FIELDS
from .evidence import KIND_WEIGHTS, LINE_COLUMNS, _plain, line_key, line_table, match_places
from .exceptions import EngineUnavailableError, InputError

if TYPE_CHECKING:
    from .case import Case
    from .gazetteer import Gazetteer
    from .verify import Verdict

__all__ = ["EDIT_FIELDS", "Review", "review"]


@dataclass
class _Line:
    key: str
    item: int
    info: dict[str, Any]  # the line's row of the items table
    cands: gpd.GeoDataFrame  # every candidate its current text matched
    picked: str | None = None  # a place_id: the one candidate kept
    dropped: bool = False
    added: bool = False
    history: list[str] = field(default_factory=list)


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _who(user: str | None) -> str:
    if user:
        return str(user)
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): still record that someone did it
        return "unknown"


class Review:
    """An evidence table under review: edits by hand, each recorded, the verdict kept current.

    Build it with :func:`review`. Each method that edits takes ``line`` (a key of
    :attr:`lines`, or an item number, looked up at the time of the call) and an optional
    ``why``, and returns the review so edits can be chained.

    Attributes
    ----------
    claim : str
        The claim tested.
    verdict : Verdict
        The verdict on the table as it is now.
    edits : list of dict
        The edit log: ``who, when, line, item, text, field, before, after, why``. For a case,
        this is ``case.edits``.
    """

    def __init__(
        self,
        candidates: gpd.GeoDataFrame,
        claim: str,
        *,
        gazetteer: Gazetteer | str | None = None,
        regions: gpd.GeoDataFrame | None = None,
        alternatives: list[str] | None = None,
        frames: Any = None,
        user: str | None = None,
        case: Case | None = None,
    ) -> None:
        if not isinstance(candidates, pd.DataFrame) or "item" not in candidates.columns:
            raise InputError("review needs the candidates table of match_places (or a run Case)")
        self.claim = claim
        self.regions = regions
        self.alternatives = alternatives
        self.frames = frames
        self.user = _who(user)
        self.case = case
        self.edits: list[dict[str, Any]] = case.edits if case is not None else []
        self._gazetteer = gazetteer
        self._crs = candidates.crs or "EPSG:4326"
        self._lines: dict[str, _Line] = {}
        items = line_table(candidates)
        for info in items.to_dict("records"):
            info = {k: _plain(v) for k, v in info.items()}
            key = str(info.get("line") or line_key(info))
            while key in self._lines:  # the same text read twice at the same place
                key += "+"
            sub = candidates[candidates["item"] == info["item"]]
            self._lines[key] = _Line(key, int(info["item"]), info, gpd.GeoDataFrame(sub.copy()))
        self._widget: Any = None
        self.verdict: Verdict = self._test()

    # ------------------------------------------------------------------ reading
    def _line(self, line: str | int) -> _Line:
        if isinstance(line, str) and line in self._lines:
            return self._lines[line]
        if isinstance(line, (int, np.integer)) and not isinstance(line, bool):
            for ln in self._lines.values():
                if ln.item == int(line):
                    return ln
        known = ", ".join(list(self._lines)[:8])
        raise InputError(f"no evidence line {line!r} in this review (keys: {known} ...)")

    def key(self, text: str) -> str:
        """The key of the first line whose text contains ``text`` (for scripts and notebooks).

        Raises
        ------
        InputError
            No line contains it.
        """
        for ln in self._lines.values():
            if text in str(ln.info.get("text", "")):
                return ln.key
        raise InputError(f"no evidence line contains {text!r}")

    @property
    def result(self) -> gpd.GeoDataFrame:
        """The edited candidates table (as :func:`~geoverify.match_places` returns it, with a
        ``line`` column of stable keys; ``attrs["items"]`` lists the lines that count)."""
        rows, infos = [], []
        for ln in self._lines.values():
            if ln.dropped:
                continue
            c = ln.cands
            if ln.picked is not None:
                c = c[c["place_id"].astype(str) == ln.picked]
            c = c.copy()
            c.attrs = {}  # each line's own match; the result's lines are set below
            c["item"], c["line"] = ln.item, ln.key
            c["text"], c["kind"] = ln.info.get("text", ""), ln.info.get("kind", "unknown")
            rows.append(c)
            infos.append({**ln.info, "item": ln.item, "line": ln.key, "n_candidates": len(c)})
        frames = [r for r in rows if len(r)]
        if frames:
            with warnings.catch_warnings():  # concat of tables with all-NaN columns
                warnings.simplefilter("ignore", FutureWarning)
                df = pd.concat(frames, ignore_index=True)
            out = gpd.GeoDataFrame(df, geometry="geometry", crs=self._crs)
        else:
            out = gpd.GeoDataFrame({"item": [], "line": []}, geometry=[], crs=self._crs)
        out.attrs["items"] = pd.DataFrame(infos).sort_values("item").to_dict("records")
        return out

    @property
    def lines(self) -> pd.DataFrame:
        """One row per line: ``line, item, text, text_as_read, script, kind, caption_reason,
        weight, n_candidates, candidates, picked, dropped`` (``caption_reason``: why
        :func:`~geoverify.mark_captions` found the line to be a caption, ``""`` if it did not)."""
        weight = dict(zip(self.verdict.evidence["item"], self.verdict.evidence["weight"]))
        rows = []
        for ln in self._lines.values():
            names = [str(n) for n in ln.cands.get("name", pd.Series(dtype=str))]
            rows.append(
                {
                    "line": ln.key,
                    "item": ln.item,
                    "text": ln.info.get("text", ""),
                    "text_as_read": ln.history[0] if ln.history else ln.info.get("text", ""),
                    "script": ln.info.get("script"),
                    "kind": ln.info.get("kind"),
                    "caption_reason": ln.info.get("caption_reason") or "",
                    "weight": 0.0 if ln.dropped else float(weight.get(ln.item, 0.0)),
                    "n_candidates": len(ln.cands),
                    "candidates": ", ".join(dict.fromkeys(names)),
                    "picked": ln.picked,
                    "dropped": ln.dropped,
                }
            )
        return pd.DataFrame(rows)

    # ------------------------------------------------------------------ edits
    def set_kind(self, line: str | int, kind: str, *, why: str | None = None) -> Review:
        """Set the evidence kind of a line (one of :data:`~geoverify.KIND_WEIGHTS`)."""
        if kind not in KIND_WEIGHTS:
            raise InputError(f"unknown evidence kind {kind!r}; use one of {sorted(KIND_WEIGHTS)}")
        ln = self._line(line)
        before = ln.info.get("kind")
        ln.info["kind"] = kind
        return self._record(ln, "kind", before, kind, why)

    def set_text(self, line: str | int, text: str, *, why: str | None = None) -> Review:
        """Correct the text of a line; it is looked up in the gazetteer again (a corrected
        line counts as read with certainty: confidence 1)."""
        text = str(text).strip()
        if not text:
            raise InputError("a corrected line needs some text (drop the line instead)")
        ln = self._line(line)
        before = str(ln.info.get("text", ""))
        ln.history.append(before)
        self._rematch(ln, text)
        ln.info["confidence"] = 1.0
        return self._record(ln, "text", before, ln.info["text"], why)

    def drop(self, line: str | int, *, why: str | None = None) -> Review:
        """Leave a line out of the verdict (it stays in the review, and can be restored)."""
        ln = self._line(line)
        before, ln.dropped = ln.dropped, True
        return self._record(ln, "dropped", _kept(before), _kept(True), why)

    def restore(self, line: str | int, *, why: str | None = None) -> Review:
        """Count a dropped line again."""
        ln = self._line(line)
        before, ln.dropped = ln.dropped, False
        return self._record(ln, "dropped", _kept(before), _kept(False), why)

    def pick(self, line: str | int, place_id: str | None, *, why: str | None = None) -> Review:
        """Keep only one of a line's candidate places (``None``: all of them again).

        Raises
        ------
        InputError
            ``place_id`` is not among the line's candidates.
        """
        ln = self._line(line)
        ids = [str(p) for p in ln.cands.get("place_id", [])]
        if place_id is not None and str(place_id) not in ids:
            raise InputError(
                f"{place_id!r} is not a candidate of line {ln.key} ({', '.join(ids) or 'none'})"
            )
        before = ln.picked
        ln.picked = None if place_id is None else str(place_id)
        return self._record(ln, "place", self._place(ln, before), self._place(ln, ln.picked), why)

    def add_line(self, text: str, kind: str | None = None, *, why: str | None = None) -> str:
        """Add a line typed by the investigator (e.g. a sign read by eye). Returns its key.

        Its kind is inferred from its words unless ``kind`` is given (logged as a second edit,
        so that a replay of the log sets it too)."""
        text = str(text).strip()
        if not text:
            raise InputError("a typed line needs some text")
        if kind is not None and kind not in KIND_WEIGHTS:
            raise InputError(f"unknown evidence kind {kind!r}; use one of {sorted(KIND_WEIGHTS)}")
        item = max((ln.item for ln in self._lines.values()), default=-1) + 1
        info: dict[str, Any] = {"item": item, "text": text, "kind": None, "engine": "typed"}
        key = line_key({"text": text, "engine": "typed"})
        while key in self._lines:
            key += "+"
        ln = _Line(key, item, info, gpd.GeoDataFrame(), added=True)
        self._rematch(ln, text)
        self._lines[key] = ln
        self._record(ln, "added", None, ln.info["text"], why)
        if kind is not None and kind != ln.info.get("kind"):
            self.set_kind(key, kind, why=why)
        return key

    def replay(self, edits: list[dict[str, Any]]) -> list[str]:
        """Apply a logged list of edits again (after a re-run of the case), without logging
        them twice. Returns what could not be applied (a line no longer read, a place no
        longer among its candidates), each as a sentence."""
        saved, self.edits, missed = self.edits, [], []
        widget, self._widget = self._widget, None
        try:
            for e in edits:
                try:
                    self._apply(e)
                except InputError as exc:
                    missed.append(f"edit of {e.get('when')} ({e.get('field')}): {exc}")
        finally:
            self.edits, self._widget = saved, widget
        self.verdict = self._test()
        return missed

    def _apply(self, e: dict[str, Any]) -> None:
        what, line, after = e.get("field"), str(e.get("line")), e.get("after")
        if what == "added":
            self.add_line(str(after))
        elif what == "kind":
            self.set_kind(line, str(after))
        elif what == "text":
            self.set_text(line, str(after))
        elif what == "dropped":
            (self.drop if after == "dropped" else self.restore)(line)
        elif what == "place":
            m = re.search(r"\(([^()]*)\)$", str(after))
            self.pick(line, m.group(1) if m and after != "all candidates" else None)

    # ------------------------------------------------------------------ internals
    def _gaz(self) -> Gazetteer:
        from .gazetteer import Gazetteer, load_gazetteer

        if not isinstance(self._gazetteer, Gazetteer):
            self._gazetteer = load_gazetteer(self._gazetteer)
        return self._gazetteer

    def _rematch(self, ln: _Line, text: str) -> None:
        found = match_places([{"text": text, "kind": ln.info.get("kind") or None}], self._gaz())
        its = line_table(found)
        ln.info["text"] = str(its["text"].iloc[0]) if len(its) else text
        ln.info["kind"] = str(its["kind"].iloc[0]) if len(its) else ln.info.get("kind")
        ln.info["script"] = str(its["script"].iloc[0]) if len(its) else None
        for col in LINE_COLUMNS:
            if col in ln.info:
                found[col] = ln.info[col]
        ln.cands, ln.picked = found, None

    @staticmethod
    def _place(ln: _Line, place_id: str | None) -> str:
        if place_id is None:
            return "all candidates"
        names = dict(zip(ln.cands["place_id"].astype(str), ln.cands["name"].astype(str)))
        return f"{names.get(place_id, '?')} ({place_id})"

    def _record(self, ln: _Line, what: str, before: Any, after: Any, why: str | None) -> Review:
        self.edits.append(
            {
                "who": self.user,
                "when": _now(),
                "line": ln.key,
                "item": ln.item,
                "text": str(ln.info.get("text", "")),
                "field": what,
                "before": None if before is None else str(before),
                "after": None if after is None else str(after),
                "why": why or None,
            }
        )
        self.verdict = self._test()
        if self.case is not None:
            self.case.candidates = self.result
            self.case.verdict = self.verdict
        if self._widget is not None:
            self._widget.refresh()
        return self

    def _test(self) -> Verdict:
        from .verify import test_claim

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "no polygons offline": recorded in the verdict
            return test_claim(
                self.result, self.claim, regions=self.regions, alternatives=self.alternatives
            )

    # ------------------------------------------------------------------ display
    def edit_log(self) -> pd.DataFrame:
        """The edit log as a table (one row per edit)."""
        cols = ["who", "when", "line", "item", "text", "field", "before", "after", "why"]
        return pd.DataFrame(self.edits, columns=cols)

    @property
    def widget(self) -> Any:
        """The notebook widget (anywidget) showing this review; its controls call the methods.

        Raises
        ------
        EngineUnavailableError
            anywidget is not installed (``pip install 'geoverify[notebook]'``).
        """
        if self._widget is None:
            try:
                from ._review_widget import ReviewWidget
            except ImportError as exc:
                raise EngineUnavailableError(
                    f"the review widget needs anywidget ({exc}); pip install 'geoverify[notebook]'"
                ) from exc
            self._widget = ReviewWidget(self)
        return self._widget

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        try:
            return self.widget._repr_mimebundle_(**kwargs)
        except EngineUnavailableError:
            return {"text/plain": repr(self), "text/html": self._repr_html_()}

    def _repr_html_(self) -> str:
        # shown where widgets cannot run (a static render of the notebook)
        from ._escape import html_text

        rows = "".join(
            f"<tr><td>{html_text(r.line)}</td><td dir='auto'>{html_text(r.text)}</td>"
            f"<td>{html_text(r.kind)}</td><td>{r.weight:.2f}</td>"
            f"<td>{html_text(r.candidates)}</td><td>{'dropped' if r.dropped else ''}</td></tr>"
            for r in self.lines.itertuples()
        )
        return (
            f"<p>{html_text(repr(self))}</p><table><tr><th>line</th><th>text</th><th>kind</th>"
            f"<th>weight</th><th>candidates</th><th></th></tr>{rows}</table>"
        )

    def __repr__(self) -> str:
        n = len(self._lines)
        return (
            f"Review({n} lines, {len(self.edits)} edits, claim={self.claim!r}, "
            f"verdict {self.verdict.label})"
        )


def _kept(dropped: bool) -> str:
    return "dropped" if dropped else "kept"


def review(
    cands_or_case: Any,
    claim: str | None = None,
    *,
    gazetteer: Any = None,
    regions: gpd.GeoDataFrame | None = None,
    alternatives: list[str] | None = None,
    frames: Any = None,
    user: str | None = None,
) -> Review:
    """Review the evidence by hand: a widget in a notebook, methods in a script.

    Parameters
    ----------
    cands_or_case
        The candidates of :func:`~geoverify.match_places`, or a :class:`~geoverify.Case`
        (run, or loaded from a folder): its claim, gazetteer, regions and frames are used, and
        every edit updates ``case.candidates``, ``case.verdict`` and ``case.edits``, which
        :meth:`~geoverify.Case.save` writes and the reports show.
    claim
        The claim to test (required with a candidates table).
    gazetteer
        Where corrected and typed lines are looked up (default: the case's, else the
        bundled one).
    regions
        As for :func:`~geoverify.test_claim` (default: the case's; else admin-1 codes).
    alternatives
        As for :func:`~geoverify.test_claim`.
    frames
        The :class:`~geoverify.FrameSet` the lines were read from, for crops of each line
        (default: the case's).
    user
        Who makes the edits, for the log (default: the login name).

    Returns
    -------
    Review
        Shown as a widget in a notebook; ``.result`` is the edited table, ``.verdict`` the
        verdict on it, ``.edits`` the log.

    Raises
    ------
    InputError
        Not a candidates table or a case, a case that was not run, or no claim.
    """
    # a Case, told by what it has (this module is what Case.run uses to replay edits, so it
    # does not import case.py back)
    if not isinstance(cands_or_case, pd.DataFrame) and hasattr(cands_or_case, "edits"):
        case = cands_or_case
        if case.candidates is None:
            raise InputError("the case has not been run: case.run() first")
        regs = regions if regions is not None else case.region_table
        if regs is None:
            from .regions import load_regions

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                regs = load_regions(case.regions)
        return Review(
            case.candidates,
            claim or case.claim,
            gazetteer=gazetteer if gazetteer is not None else case.gazetteer,
            regions=regs,
            alternatives=alternatives if alternatives is not None else case.alternatives,
            frames=frames if frames is not None else case.frames,
            user=user,
            case=case,
        )
    if claim is None:
        raise InputError("review(candidates, claim=...): say which claim to test")
    return Review(
        cands_or_case,
        claim,
        gazetteer=gazetteer,
        regions=regions,
        alternatives=alternatives,
        frames=frames,
        user=user,
    )
