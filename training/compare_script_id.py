"""Compare a re-trained line script classifier with the committed one on real line crops.

    python -m training.compare_script_id OTHER.onnx [--data ../shared/data]

``OTHER.onnx`` is an export of ``python -m training.script_id`` (its ``.json`` beside it). The
lines are CRAFT's on the real images of the shared data (urdu-signs, urdu-print/2.png and the
three signs photos). Prints how many lines fall in the same band (sure Arabic script at
``SCRIPT_SURE`` or more, sure Latin at ``1 - SCRIPT_SURE`` or less, unsure between) and how far
the two probabilities are apart.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def line_crops(data: Path) -> list[np.ndarray]:
    import geoverify as gv
    from geoverify.ocr import detect
    from geoverify.ocr.preprocess import to_gray
    from geoverify.ocr.scene import _as_quad

    images = data / "images"
    paths = [*sorted((images / "urdu-signs").glob("*.jpg")), images / "urdu-print" / "2.png"]
    paths += [images / "signs" / n for n in ("french.jpg", "chinese.jpg", "example3.png")]
    crops = []
    for path in paths:
        image = gv.load_images([path])[0].image
        gray = to_gray(image)
        boxes, quads = detect.detect_lines(image)
        for where in [*boxes, *quads]:
            crops.append(detect.rectify(gray, _as_quad(where), margin=0.1))
    return crops


def probabilities(model: Path | None, crops: list[np.ndarray]) -> np.ndarray:
    from geoverify.ocr._scriptid import arabic_probability

    return np.asarray(arabic_probability(crops, model), float)


def main() -> None:
    from geoverify.ocr.scene import SCRIPT_SURE

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("other", type=Path)
    ap.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    args = ap.parse_args()
    crops = line_crops(args.data)
    a, b = probabilities(None, crops), probabilities(args.other.resolve(), crops)
    ok = ~np.isnan(a) & ~np.isnan(b)
    edges = [1.0 - SCRIPT_SURE, SCRIPT_SURE]
    same = int((np.digitize(a[ok], edges) == np.digitize(b[ok], edges)).sum())
    gap = np.abs(a[ok] - b[ok])
    print(f"{len(crops)} lines, {int(ok.sum())} compared; same band: {same}")
    print(f"|p(Arabic) committed - other|: median {np.median(gap):.4f}, max {gap.max():.3f}")


if __name__ == "__main__":
    main()
