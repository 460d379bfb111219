"""Whether two frames or photos show the same scene or banner: local features and a homography.

:func:`match_frames` finds SIFT keypoints in both images (or ORB's, binary and faster, which
find too few on small frames), keeps the matches that pass Lowe's ratio test, and fits a
homography to them with RANSAC (OpenCV). The matches that agree with it (the inliers) are the evidence: unrelated
images leave a handful by chance, the same banner or scene shot twice leaves dozens.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .exceptions import InputError

__all__ = ["MIN_INLIERS", "FrameMatch", "match_frames"]

#: Inliers of the homography at or above which two images are taken to show the same scene.
MIN_INLIERS = 15
#: Images are matched at most this many pixels on their longer side.
MATCH_SIDE = 960
#: Lowe's ratio test: a match is kept when its best distance is below this share of the next.
RATIO = 0.8


@dataclass
class FrameMatch:
    """The result of :func:`match_frames`.

    Attributes
    ----------
    same
        Whether the images show the same scene (``inliers >= min_inliers`` and a plausible
        region).
    inliers
        Matches consistent with the homography (0 when the fitted homography folds ``a`` over
        itself or shrinks it to a speck: chance matches).
    matches
        Matches that passed the ratio test.
    homography
        3 x 3 matrix from ``a``'s pixels to ``b``'s (None when none could be fitted).
    region
        Where ``a`` lies in ``b``: its four corners mapped into ``b`` (pixels), or None.
    box
        The region's bounding box in ``b`` ``(x0, y0, x1, y1)``, clipped to ``b``, or None.
    drawing
        ``a`` and ``b`` side by side (RGB), the inlier correspondences drawn, the region outlined.
    """

    same: bool
    inliers: int
    matches: int
    homography: NDArray[np.float64] | None = field(default=None, repr=False)
    region: list[tuple[float, float]] | None = None
    box: tuple[float, float, float, float] | None = None
    drawing: NDArray[np.uint8] | None = field(default=None, repr=False)

    def _repr_html_(self) -> str:
        from ._imaging import data_uri

        verdict = "same scene" if self.same else "not shown to be the same scene"
        img = (
            f"<br/><img src='{data_uri(self.drawing, max_side=900)}' alt='correspondences'/>"
            if self.drawing is not None
            else ""
        )
        return f"<b>{verdict}</b>: {self.inliers} inliers of {self.matches} matches{img}"


def _image(obj: Any, name: str) -> NDArray[np.uint8]:
    from PIL import Image

    from ._imaging import pil_to_rgb, to_rgb
    from .frames import Frame, load_image

    if isinstance(obj, Frame):
        return obj.image
    if isinstance(obj, np.ndarray):
        return to_rgb(obj, name)
    if isinstance(obj, Image.Image):
        return pil_to_rgb(obj, name)
    if isinstance(obj, (str, os.PathLike)):
        return load_image(obj).image
    raise InputError(f"{name}: expected a Frame, an image array, a PIL image or a path")


def _scaled(img: NDArray[np.uint8]) -> tuple[NDArray[np.uint8], float]:
    import cv2

    s = min(1.0, MATCH_SIDE / max(img.shape[:2]))
    if s < 1.0:
        size = (round(img.shape[1] * s), round(img.shape[0] * s))
        img = np.asarray(cv2.resize(img, size, interpolation=cv2.INTER_AREA), np.uint8)
    return np.ascontiguousarray(img), s


def match_frames(
    a: Any,
    b: Any,
    *,
    method: str = "sift",
    min_inliers: int = MIN_INLIERS,
    features: int = 3000,
    draw: bool = True,
) -> FrameMatch:
    """Whether two frames or images show the same scene or banner.

    Parameters
    ----------
    a, b
        :class:`~geoverify.Frame`, RGB array, PIL image or image path. ``a`` may be a part of
        ``b`` (a banner cut out of a frame), or show it rescaled, cropped or from another angle.
    method
        ``"sift"`` (default) or ``"orb"``.
    min_inliers
        Inliers needed to call them the same.
    features
        Keypoints sought in each image.
    draw
        Also draw the correspondences (``FrameMatch.drawing``).

    Returns
    -------
    FrameMatch
        ``same``, ``inliers``, ``matches``, ``homography`` (from ``a`` to ``b``), ``region`` and
        ``box`` (``a`` in ``b``'s pixels), ``drawing``.
    """
    import cv2

    full_a, full_b = _image(a, "a"), _image(b, "b")
    img_a, sa = _scaled(full_a)
    img_b, sb = _scaled(full_b)
    if method not in ("sift", "orb"):
        raise InputError(f"method must be 'sift' or 'orb', got {method!r}")
    if method == "sift":
        detector, norm = cv2.SIFT_create(nfeatures=features), cv2.NORM_L2  # type: ignore[attr-defined]
    else:
        detector, norm = cv2.ORB_create(nfeatures=features), cv2.NORM_HAMMING  # type: ignore[attr-defined]
    ka, da = detector.detectAndCompute(cv2.cvtColor(img_a, cv2.COLOR_RGB2GRAY), None)
    kb, db = detector.detectAndCompute(cv2.cvtColor(img_b, cv2.COLOR_RGB2GRAY), None)
    good = []
    if da is not None and db is not None and len(ka) >= 2 and len(kb) >= 2:
        pairs = cv2.BFMatcher(norm).knnMatch(da, db, k=2)
        good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
    h, mask = None, None
    if len(good) >= 4:
        src = np.array([ka[m.queryIdx].pt for m in good], np.float32).reshape(-1, 1, 2)
        dst = np.array([kb[m.trainIdx].pt for m in good], np.float32).reshape(-1, 1, 2)
        h, mask = cv2.findHomography(src, dst, cv2.RANSAC, 5.0)
    inliers = int(mask.sum()) if mask is not None else 0
    region = box = None
    full = None
    if h is not None:
        # from a's full-size pixels to b's: undo a's scaling, apply h, redo b's
        full = np.asarray(np.diag([1 / sb, 1 / sb, 1.0]) @ h @ np.diag([sa, sa, 1.0]), np.float64)
        ha, wa = full_a.shape[:2]
        corners = np.array([[0, 0], [wa, 0], [wa, ha], [0, ha]], np.float32).reshape(-1, 1, 2)
        pts = cv2.perspectiveTransform(corners, full).reshape(-1, 2)
        region = [(float(x), float(y)) for x, y in pts]
        hb, wb = full_b.shape[:2]
        box = (
            float(np.clip(pts[:, 0].min(), 0, wb)),
            float(np.clip(pts[:, 1].min(), 0, hb)),
            float(np.clip(pts[:, 0].max(), 0, wb)),
            float(np.clip(pts[:, 1].max(), 0, hb)),
        )
    plausible = region is not None and _plausible(np.array(region), full_b.shape[:2])
    drawing = None
    if draw:
        fit = (mask, h) if plausible else (None, None)
        drawing = _draw(img_a, ka, img_b, kb, good, *fit)
    inliers = inliers if plausible else 0
    return FrameMatch(
        same=bool(inliers >= min_inliers),
        inliers=inliers,
        matches=len(good),
        homography=full,
        region=region,
        box=box,
        drawing=drawing,
    )


#: A fitted region smaller than this share of ``b`` is a chance fit: chance matches crowd
#: into one corner of texture and RANSAC folds the whole of ``a`` onto it.
MIN_REGION = 0.005


def _plausible(quad: NDArray[np.float64], shape_b: tuple[int, ...]) -> bool:
    """A homography that folds the image over itself or shrinks it to a speck is a chance fit."""
    import cv2

    poly = quad.astype(np.float32).reshape(-1, 1, 2)
    if not cv2.isContourConvex(poly):
        return False
    return bool(cv2.contourArea(poly) >= MIN_REGION * shape_b[0] * shape_b[1])


def _draw(
    img_a: NDArray[np.uint8],
    ka: Any,
    img_b: NDArray[np.uint8],
    kb: Any,
    good: list[Any],
    mask: Any,
    h: Any,
) -> NDArray[np.uint8]:
    import cv2

    b = img_b.copy()
    if h is not None:
        ha, wa = img_a.shape[:2]
        corners = np.array([[0, 0], [wa, 0], [wa, ha], [0, ha]], np.float32).reshape(-1, 1, 2)
        quad = cv2.perspectiveTransform(corners, h)
        cv2.polylines(b, [np.int32(quad)], True, (255, 200, 0), 3, cv2.LINE_AA)
    keep = [m for m, ok in zip(good, mask.ravel()) if ok] if mask is not None else []
    out = cv2.drawMatches(  # type: ignore[call-overload]
        img_a,
        ka,
        b,
        kb,
        keep[:200],
        None,
        matchColor=(0, 220, 0),
        flags=cv2.DrawMatchesFlags_NOT_DRAW_SINGLE_POINTS,
    )
    return np.asarray(out, np.uint8)
