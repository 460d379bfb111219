"""The keyframe selector (private: used by :func:`geoverify.extract_frames`).

Frames are grouped into views: a view ends at a cut, a pan or a change in what it shows; the
sharpest frame of each view is kept, and a view that returns later (A-B-A) is kept once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._imaging import (
    RGBImage,
    aligned_difference,
    block_deviation,
    bulk_difference,
    laplacian_sharpness,
    luma_pyramid,
    moving_blocks,
    phase_shift,
    residual_summary,
    video_luma,
    view_change,
)
from ._video import frame_rgb, reformatter

#: Consecutive compared frames whose block difference (0-255), camera motion taken out,
#: exceeds this and ``CUT_RATIO`` times the footage's recent median, and whose phase
#: correlation is weaker than ``CUT_RESPONSE``, are a cut.
CUT_DIFFERENCE = 6.0
CUT_RATIO = 3.0
CUT_RESPONSE = 0.3
#: ... a difference this large is a cut whatever the correlation says.
CUT_ALWAYS = 40.0
#: Consecutive compared frames whose unshifted block differences stay below this (99th
#: percentile, 0-255) are taken as still, without estimating the camera's motion.
STILL = 2.5
#: ... as are those whose thumbnails differ by less than this anywhere (0-255).
STILL_PIXEL = 5.0
#: The camera's motion estimate (phase correlation) is set aside, the camera taken as still,
#: when the median block difference (the bulk of the view) without a shift is below this share
#: of the one aligned by the estimate: something moving through the view pulled it along.
STILL_BULK = 0.75
#: Two kept views are the same view when their detail thumbnails (``DETAIL_WIDTH`` px wide at
#: most) are at most ``DUPLICATE_SHIFT`` of the frame apart, their mean brightness differs by
#: less than ``DUPLICATE_BRIGHTNESS`` and, aligned, 90 % of their blocks differ by less than
#: ``DUPLICATE_P90`` and none by ``DUPLICATE_MAX`` or more (0-255).
DETAIL_WIDTH = 320
DUPLICATE_SHIFT = 0.05
DUPLICATE_BRIGHTNESS = 12.0
DUPLICATE_P90 = 8.0
DUPLICATE_MAX = 24.0
#: Seconds between two compared frames (at most; ``every / 2`` when that is shorter).
ANALYSIS_INTERVAL = 0.25
#: Seconds between two comparisons of a view with its first frame (for a change).
CHANGE_INTERVAL = 0.4
#: A block that differs from the frame ``CHANGE_INTERVAL`` earlier by more than this share of
#: ``change_threshold`` is still in motion: left out of the comparison with the view's anchor.
MOVING_SHARE = 1.0
#: When the median block (the bulk of the view) differs from the view's anchor by more than
#: this share of ``change_threshold`` at two checks in a row, a new view begins at the first.
WHOLE_SHARE = 0.8
#: A remembered frame whose changed blocks differ from the frame where a settled change is
#: seen by more than this share of ``change_threshold`` (median) did not show it yet.
ONSET_SHARE = 0.5
#: Once this share of a view's anchor holds a still view, the rest is no longer filled in.
ANCHOR_COMPLETE = 0.98
#: Compared frames remembered (for the reference frame of a change).
HISTORY = 8
#: Views shorter than this (a flash between two cuts) are not kept on their own.
MIN_VIEW_SECONDS = 0.2
#: Views whose thumbnail is this flat (standard deviation, 0-255) and whose sharpness is
#: below ``BLANK_SHARPNESS`` are blank (a fade to black, a lens cap): not kept.
BLANK_STD = 2.5
BLANK_SHARPNESS = 20.0
#: A view whose camera moved more than this share of ``pan_fraction`` is a pan (its frame is
#: taken from where it began, and, at the end of a pan, also from where it ended).
PAN_VIEW = 0.25
#: Where a pan ends after moving more than this share of the frame since the frame kept from
#: its last view, a frame from where it ended is kept too (else one from the middle).
PAN_END = 0.35


@dataclass
class _Candidate:
    sharp: float
    t: float
    frame: Any
    rot: int
    disp: float  # camera displacement from the view's first frame (share of the frame)
    thumb: Any
    pos: tuple[float, float] = (0.0, 0.0)  # the camera's accumulated position (thumbnail px)


@dataclass
class _Seen:
    """A compared frame, remembered for a while (the reference frame of a change)."""

    t: float
    thumb: Any
    pos: tuple[float, float]  # the camera's accumulated position
    index: int  # frames decoded before it
    before: float  # the time of the decoded frame before it


@dataclass
class _View:
    """One group of consecutive frames showing the same view, while it is being built."""

    number: int
    t0: float
    kind: str  # "start", "cut", "pan" or "change"
    began: str
    anchor: Any  # what the view shows where it was first still (thumbnail, float32)
    known: Any  # 1 where ``anchor`` holds a still view, 0 where not yet (same shape)
    origin: tuple[float, float]
    t1: float = 0.0
    n: int = 0
    extent: float = 0.0  # largest displacement from the first frame
    disp: float = 0.0  # displacement of the latest compared frame
    last_scored: float = -1e9
    last_checked: float = -1e9
    # the sharpest candidate per 5 % band of camera displacement from the view's start
    bands: dict[int, _Candidate] = field(default_factory=dict)
    last: _Candidate | None = None  # the latest compared frame (its sharpness unmeasured)
    known_share: float = 0.0  # share of the anchor that holds a still view
    whole_since: _Seen | None = None  # the first of the checks since which all of it differs
    # ``bands`` as they were at the last few checks (time, bands): a view cut short at a
    # change keeps the sharpest of its frames from before the change
    saved: list[tuple[float, dict[int, _Candidate]]] = field(default_factory=list)


@dataclass
class _Kept:
    view: _View
    part: str  # "" or " (where it began)" / " (where it ended)" for the two ends of a pan
    t: float
    sharp: float
    image: RGBImage
    detail: Any  # a finer thumbnail (up to DETAIL_WIDTH px wide) to compare views with
    also: list[_View] = field(default_factory=list)


class KeyframeSelector:
    """Streaming keyframe selection: push decoded frames in time order, then :meth:`finish`.

    Every ``ANALYSIS_INTERVAL`` seconds a frame's luma plane is reduced (2 x 2 averages) to a
    thumbnail an eighth of its width (80-160 px). Phase correlation with the previous
    thumbnail gives the camera's motion, accumulated into a position (unless no motion explains
    the bulk of the view clearly better: then something large moving through a still view
    pulled the correlation along); the block difference after alignment tells a cut from
    motion. Each view has an anchor: what each of its parts
    showed when it first kept still (filled in as parts stop moving). A view ends at a cut,
    when the camera has moved more than ``pan`` of the frame from where the view began, or
    when what it shows has changed for good once the motion is taken out (compared every
    ``CHANGE_INTERVAL`` seconds with a reference frame that much earlier): the still blocks
    (those that changed little since the reference) differ from the anchor by more than
    ``change`` (99th percentile; still overlays such as a logo left out), or the median block
    differs from the anchor by more than ``WHOLE_SHARE`` x ``change`` at two checks in a row
    but not between them. The new view begins at the reference frame (or the first of the two
    checks; or, where a remembered frame before the reference did not show the changed blocks
    yet, at the frame after it), and takes the old one's candidates from then on; a view lasts at least ``every``
    seconds unless a cut ends it. Sharpness (energy of the Laplacian of the half-size
    luma) is measured up to three times per ``every`` (less often as a still view goes on);
    the sharpest frame of each view is kept; for a pan the sharpest near where the view began,
    and where the pan ends (a cut, or the end of the video) one from the middle of its last
    short stretch, or from both ends of a long one. Only the frames kept are converted to RGB.
    A kept view that shows the same as an earlier one is merged into it. Views shorter than
    ``every / 2`` between two cuts are not kept; should more views be kept than fixed sampling
    every ``every`` seconds would give frames on the decoded span, the shortest are left out.
    """

    def __init__(self, every: float, change: float, pan: float) -> None:
        self.every = every
        self.change = change
        self.pan = pan
        self.interval = min(ANALYSIS_INTERVAL, every / 2.0)
        self.sampling = every / 3.0
        self.view: _View | None = None
        self.kept: list[_Kept] = []
        self.prev: Any = None
        self.pos = [0.0, 0.0]
        self.recent: list[float] = []
        self.history: list[_Seen] = []  # the last few compared frames
        self.decoded = 0
        self.first_t = self.last_t = 0.0
        self.size: tuple[int, int] = (1, 1)
        self.last_analysed = -1e9
        self.views = 0
        self.analysed = 0
        self.duplicates = 0
        self.dropped: list[str] = []
        self.fallback: _View | None = None
        self.to_rgb = reformatter()

    # -- per frame

    def push(self, t: float, frame: Any, rot: int) -> None:
        """Take the next decoded frame (``t`` its time in seconds, ``rot`` its rotation)."""
        view = self.view
        self.decoded += 1
        if self.decoded == 1:
            self.first_t = t
        if view is not None and t - self.last_analysed < self.interval - 1e-6:
            view.n += 1
            view.t1 = self.last_t = t
            return
        self.last_analysed = t
        self.analysed += 1
        half, thumb = luma_pyramid(video_luma(frame))
        self.size = thumb.shape
        began, kind = "start", "start"
        split: tuple[_Seen, str, Any] | None = None
        if view is not None and self.prev is not None:
            began, kind, split = self._boundary(view, thumb, t)
        pos = (self.pos[0], self.pos[1])
        if began:
            view, pos = self._begin_view(view, thumb, t, pos, (began, kind, split))
        assert view is not None
        self.prev = thumb
        seen = _Seen(t, thumb, pos, self.decoded - 1, self.last_t)
        self.history = [*self.history[-HISTORY + 1 :], seen]
        view.n += 1
        view.t1 = self.last_t = t
        cand = _Candidate(-1.0, t, frame, rot, view.disp, thumb, pos)
        view.last = cand if view.extent > 0.02 else None  # where a moving view ended
        # sharpness: up to 3 per `every`; in a still view sparser as it lasts (6 per its age)
        wait = self.sampling if view.extent > 0.02 else max(self.sampling, (t - view.t0) / 6.0)
        if t - view.last_scored >= wait - 1e-6:
            view.last_scored = t
            self._offer(view, cand, half)

    def _boundary(
        self, view: _View, thumb: Any, t: float
    ) -> tuple[str, str, tuple[_Seen, str, Any] | None]:
        """Whether a new view begins at ``thumb`` (time ``t``): ``(why, kind, split)``, why
        ``""`` if not; ``split`` (reference frame, why, changed blocks) for a settled change.
        On the way, the camera's position and ``view``'s extent and anchor are updated."""
        step, dx, dy, response = self._camera_step(thumb)
        median = float(np.median(self.recent)) if self.recent else 0.0
        self.recent = [*self.recent[-9:], step]
        if step > max(CUT_DIFFERENCE, CUT_RATIO * median) and (
            response < CUT_RESPONSE or step > CUT_ALWAYS
        ):
            return "a cut", "cut", None
        th, tw = self.size
        self.pos[0] += dx
        self.pos[1] += dy
        mx, my = self.pos[0] - view.origin[0], self.pos[1] - view.origin[1]
        view.disp = max(abs(mx) / tw, abs(my) / th)
        view.extent = max(view.extent, view.disp)
        if view.known_share < ANCHOR_COMPLETE:
            # what has stopped moving since the last compared frame joins the anchor
            moving = moving_blocks(self.prev, thumb, dx, dy, self.change * MOVING_SHARE)
            self._fill_anchor(view, thumb, moving, mx, my)
        if t - view.t0 >= self.every - 1e-6:
            if view.disp > self.pan:
                return f"the camera moved {view.disp:.0%} of the frame", "pan", None
            if t - view.last_checked >= CHANGE_INTERVAL - 1e-6:
                view.last_checked = t
                view.saved = [*view.saved[-HISTORY + 1 :], (t, dict(view.bands))]
                split = self._settled_change(view, thumb, t, mx, my)
                if split is not None:
                    return split[1], "change", split
        return "", "", None

    def _camera_step(self, thumb: Any) -> tuple[float, float, float, float]:
        """``(step, dx, dy, response)`` from the previous compared thumbnail to ``thumb``: the
        block difference once the camera's motion ``(dx, dy)`` (thumbnail px; 0 when it is
        taken as still) is taken out, and the phase correlation's response (1 if unused)."""
        if _largest_difference(self.prev, thumb) < STILL_PIXEL:
            step, bulk, still = 0.0, 0.0, 0.0  # nothing moved (the cheapest test)
        else:
            step, bulk, still = residual_summary(self.prev, thumb, 0.0, 0.0)
        dx = dy = 0.0
        response = 1.0
        if still >= STILL:  # something moved: estimate the camera's motion
            sx, sy, response = phase_shift(self.prev, thumb)
            shifted, shifted_bulk, _ = residual_summary(self.prev, thumb, sx, sy)
            # something large moving through a still view pulls phase correlation along
            # with it: the camera is still if no motion explains the bulk of the view
            # (the median block) clearly better than the estimate does
            if bulk >= STILL_BULK * shifted_bulk:
                dx, dy, step = sx, sy, shifted
        return step, dx, dy, response

    def _begin_view(
        self,
        view: _View | None,
        thumb: Any,
        t: float,
        pos: tuple[float, float],
        boundary: tuple[str, str, tuple[_Seen, str, Any] | None],
    ) -> tuple[_View, tuple[float, float]]:
        """Close ``view`` (if any) and begin the next one at ``thumb`` (time ``t``, camera at
        ``pos``) for ``boundary`` (why, kind, split: see :meth:`_boundary`); returns the new
        view and the camera's position (reset at a cut)."""
        began, kind, split = boundary
        moved: list[_Candidate] = []
        t0, origin, n = t, pos, 0
        known = np.zeros_like(thumb)  # filled in as the new view's parts keep still
        if view is not None and split is not None:
            # the new state was there already at the reference frame: the new view begins
            # there, with the candidates from then on
            ref = split[0]
            t0, origin, n = ref.t, ref.pos, self.decoded - 1 - ref.index
            moved = self._cut_short(view, ref, n)
            known = _block_pixels(~split[2], thumb.shape)
        if view is not None:
            self._close(view, pan_ends=kind == "cut")
        self.views += 1
        if kind == "cut":
            self.pos = [0.0, 0.0]
            pos = origin = (0.0, 0.0)
        view = self.view = _View(
            number=self.views,
            t0=t0,
            kind=kind,
            began=began,
            anchor=thumb,
            known=known,
            origin=origin,
            n=n,
        )
        for c in moved:
            c.disp = self._disp(c.pos, origin)
            view.extent = max(view.extent, c.disp)
            view.last_scored = max(view.last_scored, c.t)
            self._offer(view, c)
        view.disp = self._disp(pos, origin)
        view.extent = max(view.extent, view.disp)
        return view, pos

    def _cut_short(self, view: _View, ref: _Seen, n: int) -> list[_Candidate]:
        """End ``view`` before ``ref``, where a settled change began (``n`` frames from ``ref``
        on move to the next view); returns its candidates from then on, for the next view."""
        t0 = ref.t
        moved = [c for c in view.bands.values() if c.t >= t0 - 1e-9]
        # the sharpest before the change (only the sharpest per band is kept)
        before = [b for tc, b in view.saved if tc <= t0 + 1e-9]
        view.bands = {k: c for k, c in view.bands.items() if c.t < t0 - 1e-9}
        if before:
            view.bands = {**before[-1], **view.bands}
        view.n -= n
        view.t1 = ref.before
        if view.last is not None and view.last.t >= t0 - 1e-9:
            view.last = None
        return moved

    def _disp(self, pos: tuple[float, float], origin: tuple[float, float]) -> float:
        th, tw = self.size
        return max(abs(pos[0] - origin[0]) / tw, abs(pos[1] - origin[1]) / th)

    def _fill_anchor(self, view: _View, thumb: Any, moving: Any, mx: float, my: float) -> None:
        """Add to ``view``'s anchor the parts of ``thumb`` (camera at ``(mx, my)`` from where
        the view began) that keep still (not ``moving``) and that it does not hold yet."""
        import cv2

        h, w = thumb.shape
        back = np.array([[1.0, 0.0, -mx], [0.0, 1.0, -my]], dtype=np.float32)
        still = _block_pixels(~moving, thumb.shape)
        still = cv2.warpAffine(still, back, (w, h), flags=cv2.INTER_NEAREST)
        new = (still > 0.5) & (view.known < 0.5)
        if new.any():
            shifted = cv2.warpAffine(
                thumb, back, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
            )
            view.anchor = np.where(new, shifted, view.anchor).astype(np.float32)
            view.known = np.where(new, np.float32(1.0), view.known).astype(np.float32)
            view.known_share = float(view.known.mean())

    def _settled_change(
        self, view: _View, thumb: Any, t: float, mx: float, my: float
    ) -> tuple[_Seen, str, Any] | None:
        """Whether what ``view`` shows has changed for good at ``t``: where the new view
        begins (a remembered frame), why, and which blocks are still moving; else None.

        Compared with the view's anchor (what each part showed when it first kept still) are
        only the blocks that have not changed since a reference frame about
        ``CHANGE_INTERVAL`` earlier: a car or a person moving through the view is left out,
        a sign put up that stays counts, and the new view begins at the reference frame (but
        not before ``every`` into the old one).
        """
        ref = next((h for h in reversed(self.history) if h.t <= t - CHANGE_INTERVAL + 1e-6), None)
        if ref is None or ref.t < view.t0 - 1e-9:
            return None
        rx, ry = self.pos[0] - ref.pos[0], self.pos[1] - ref.pos[1]
        moving = moving_blocks(ref.thumb, thumb, rx, ry, self.change * MOVING_SHARE)
        # most of the view differs from its anchor at two checks in a row, and not from one
        # check to the next: another shot (a cut too soft to tell from the motion of a busy
        # scene) or another place, settled
        bulk = bulk_difference(view.anchor, thumb, mx, my)
        since = view.whole_since
        if bulk <= self.change * WHOLE_SHARE:
            view.whole_since = None
        elif since is None or (
            bulk_difference(
                since.thumb, thumb, self.pos[0] - since.pos[0], self.pos[1] - since.pos[1]
            )
            > self.change * WHOLE_SHARE
        ):  # the first check that differs, or still changing since it: not settled yet
            view.whole_since = _Seen(
                t, thumb, (self.pos[0], self.pos[1]), self.decoded - 1, self.last_t
            )
        else:
            return self._split_at(view, since, f"the whole view changed ({bulk / 255:.0%})", moving)
        changed = view_change(view.anchor, thumb, mx, my, moving=moving, known=view.known)
        if changed > self.change and view.extent > 0.02:
            changed = self._realign(view, thumb, mx, my, changed, moving)
        if changed <= self.change:
            return None
        onset = self._onset(view, ref, thumb, mx, my, moving)
        return self._split_at(view, onset, f"the view changed ({changed / 255:.0%})", moving)

    def _onset(
        self, view: _View, ref: _Seen, thumb: Any, mx: float, my: float, moving: Any
    ) -> _Seen:
        """Where a settled change of ``view`` (seen at ``thumb``, still since ``ref``) began.

        The remembered frames from ``ref`` back are compared with ``thumb`` on the changed
        blocks: where one is found that did not show them yet, the change began at the frame
        after it (a sign put up while a car passed beside it counts only once the car has
        gone, and is then traced back to when it went up). Else (the change is older than
        what is remembered, or came about gradually) it began at ``ref``.
        """
        dev, outside = block_deviation(view.anchor, thumb, mx, my)
        changed = (dev > self.change) & ~moving & ~outside
        if not changed.any():
            return ref
        onset = ref
        for seen in reversed(self.history):
            if seen.t >= ref.t - 1e-9:
                continue
            rx, ry = self.pos[0] - seen.pos[0], self.pos[1] - seen.pos[1]
            dev, outside = block_deviation(seen.thumb, thumb, rx, ry)
            same = dev[changed & ~outside]
            if same.size == 0:
                return ref
            if float(np.median(same)) > self.change * ONSET_SHARE:
                return onset  # ``seen`` did not show the change yet
            if seen.t < view.t0 + self.every - 1e-6:
                return ref
            onset = seen
        return ref

    def _split_at(self, view: _View, ref: _Seen, why: str, moving: Any) -> tuple[_Seen, str, Any]:
        """Where a new view begins: at ``ref``, but not before ``every`` into ``view``."""
        if ref.t < view.t0 + self.every - 1e-6:
            ref = next(
                (h for h in self.history if h.t >= view.t0 + self.every - 1e-6), self.history[-1]
            )
        return ref, why, moving

    def _realign(
        self, view: _View, thumb: Any, mx: float, my: float, changed: float, moving: Any
    ) -> float:
        """The change from ``anchor`` at the best of a few alignments near the accumulated
        motion ``(mx, my)`` and at the directly measured one (phase correlation is biased a
        little towards no motion, so the accumulated motion drifts)."""
        anchor = view.anchor
        starts = [(mx, my)]
        ax, ay, response = phase_shift(anchor, thumb)
        if response > CUT_RESPONSE / 2:
            starts.append((ax, ay))
        for sx, sy in starts:
            for ddx, ddy in ((0, 0), (-1, 0), (1, 0), (-2, 0), (2, 0), (0, -1), (0, 1)):
                if changed <= self.change:
                    return changed
                changed = min(
                    changed,
                    view_change(anchor, thumb, sx + ddx, sy + ddy, moving=moving, known=view.known),
                )
        return changed

    def _offer(self, view: _View, cand: _Candidate, half: Any = None) -> None:
        if cand.sharp < 0:
            if half is None:
                half = luma_pyramid(video_luma(cand.frame))[0]
            cand.sharp = laplacian_sharpness(half)
        band = int(cand.disp / 0.05)
        best = view.bands.get(band)
        if best is None or cand.sharp > best.sharp:
            view.bands[band] = cand

    # -- per view

    def _close(self, view: _View, pan_ends: bool) -> None:
        """Choose the frame(s) of a finished view; ``pan_ends``: the camera's path ends here."""
        if view.last is not None and view.last.sharp < 0 and view.extent > 0.02:
            self._offer(view, view.last)  # where a moving view ended
        if not view.bands:
            return
        span = view.t1 - view.t0
        # a flash between two cuts, or the last moments of a change before a cut (the end of
        # a pan is kept: it shows what no other kept frame does)
        # ... or a short shot between two cuts (a burst of them is often one shot that
        # something passes close in front of, and fixed sampling would miss most of them too)
        short = span < self.every / 2
        if (
            span < MIN_VIEW_SECONDS
            or (view.kind == "change" and short)
            or (view.kind == "cut" and pan_ends and short)
        ):
            self.dropped.append(f"view {view.number} (t={view.t0:.2f}-{view.t1:.2f} s): too short")
            if self.fallback is None:  # kept if nothing else is
                self.fallback = view
            return
        cands = list(view.bands.values())
        reach = PAN_VIEW * self.pan
        if view.extent <= reach:
            self._keep(view, max(cands, key=lambda c: c.sharp), "")
            return
        # a pan: keep a frame from where the view began, so that kept frames are at most
        # (1 + PAN_VIEW) x `pan` apart and the first things the camera passed are in one
        near = [c for c in cands if c.disp <= reach] or [min(cands, key=lambda c: c.disp)]
        first = max(near, key=lambda c: c.sharp)
        moved = view.disp - first.disp
        if not pan_ends or moved <= reach:
            self._keep(view, first, "")
        elif moved <= PAN_END:
            # where the pan ends (a cut follows or the video ends) after a short way: one
            # frame from the middle of that way covers both of its ends
            middle = first.disp + moved / 2
            mid = [c for c in cands if abs(c.disp - middle) <= reach]
            self._keep(view, max(mid, key=lambda c: c.sharp) if mid else first, "")
        else:  # after a long way: a frame from each end
            end = [c for c in cands if abs(c.disp - view.disp) <= reach and c.t > first.t]
            self._keep(view, first, " (where it began)" if end else "")
            if end:
                self._keep(view, max(end, key=lambda c: c.sharp), " (where it ended)")

    def _keep(self, view: _View, best: _Candidate, part: str, force: bool = False) -> None:
        blank = float(best.thumb.std()) < BLANK_STD and best.sharp < BLANK_SHARPNESS
        if blank and not force:
            self.dropped.append(f"view {view.number} (t={view.t0:.2f}-{view.t1:.2f} s): blank")
            if self.fallback is None:
                self.fallback = view
            return
        detail = luma_pyramid(video_luma(best.frame), DETAIL_WIDTH, DETAIL_WIDTH)[1]
        for other in self.kept:
            if _same_view(other.detail, detail):
                self.duplicates += 1
                if other.view is not view:
                    other.also.append(view)
                if best.sharp > other.sharp:
                    other.t, other.sharp, other.detail = best.t, best.sharp, detail
                    other.image = frame_rgb(best.frame, best.rot, self.to_rgb)
                return
        self.kept.append(
            _Kept(
                view=view,
                part=part,
                t=best.t,
                sharp=best.sharp,
                image=frame_rgb(best.frame, best.rot, self.to_rgb),
                detail=detail,
            )
        )

    def finish(self) -> list[tuple[float, RGBImage, float, str]]:
        """Close the last view; ``(t, rgb, sharpness, reason)`` per kept frame, in time order."""
        if self.view is not None:
            self._close(self.view, pan_ends=True)
            self.view = None
        if not self.kept and self.fallback is not None and self.fallback.bands:
            # nothing but flashes or blank views: keep the first rather than nothing
            fb = self.fallback
            self.dropped = [d for d in self.dropped if not d.startswith(f"view {fb.number} ")]
            self._keep(fb, max(fb.bands.values(), key=lambda c: c.sharp), "", force=True)
        # never more frames than fixed sampling every `every` seconds would give on the span
        limit = int((self.last_t - self.first_t) / self.every + 1e-6) + 1
        if len(self.kept) > limit:
            longest = sorted(self.kept, key=lambda k: -(k.view.t1 - k.view.t0))[:limit]
            for k in self.kept:
                if k not in longest:
                    v = k.view
                    self.dropped.append(
                        f"view {v.number} (t={v.t0:.2f}-{v.t1:.2f} s): more views than "
                        f"fixed sampling every {self.every:g} s would keep frames"
                    )
            self.kept = [k for k in self.kept if k in longest]
        out = []
        for k in sorted(self.kept, key=lambda k: k.t):
            v = k.view
            reason = (
                f"sharpest of view {v.number}{k.part} (t={v.t0:.2f}-{v.t1:.2f} s, "
                f"{v.n} frames; began at {v.began})"
            )
            if k.also:
                seen = ", ".join(f"t={o.t0:.2f}-{o.t1:.2f} s (view {o.number})" for o in k.also)
                reason += f"; the same view again at {seen}"
            out.append((k.t, k.image, k.sharp, reason))
        return out

    def stats(self) -> dict[str, Any]:
        """What the selection saw, for ``FrameSet.info``."""
        return {
            "views": self.views,
            "frames_analysed": self.analysed,
            "duplicate_views": self.duplicates,
            "views_dropped": list(self.dropped),
        }


def _block_pixels(blocks: Any, shape: tuple[int, int], cell: int = 4) -> Any:
    """A block mask (``h // cell`` x ``w // cell``) as a float32 pixel mask of ``shape``."""
    import cv2

    h, w = shape
    out = np.zeros(shape, dtype=np.float32)
    bh, bw = blocks.shape
    out[: bh * cell, : bw * cell] = cv2.resize(
        blocks.astype(np.float32), (bw * cell, bh * cell), interpolation=cv2.INTER_NEAREST
    )
    return out


def _largest_difference(a: Any, b: Any) -> float:
    import cv2

    return float(cv2.norm(a, b, cv2.NORM_INF))


def _same_view(a: Any, b: Any) -> bool:
    """Whether two views' detail thumbnails show the same thing: the same brightness, at most
    a small shift apart (phase correlation), and, once aligned, no block that differs (so a
    changed word or a new sign keeps both)."""
    if a.shape != b.shape:
        return False
    if abs(float(a.mean()) - float(b.mean())) > DUPLICATE_BRIGHTNESS:
        return False
    dx, dy, _ = phase_shift(a, b)
    if abs(dx) > DUPLICATE_SHIFT * a.shape[1] or abs(dy) > DUPLICATE_SHIFT * a.shape[0]:
        return False
    _, p90, _, most = aligned_difference(a, b, dx, dy)
    return p90 < DUPLICATE_P90 and most < DUPLICATE_MAX
