"""Run several engines and keep, for each line, the reading the evidence favours."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from .._imaging import RGBImage
from .base import Line, OCREngine


def iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over union of two boxes."""
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


class EnsembleEngine(OCREngine):
    """Reads with every engine, aligns boxes (IoU), and keeps per line the most confident reading.

    Lines one engine found and the others missed are kept. Each kept line records, in
    ``extra["readings"]``, what every engine said.
    """

    name: ClassVar[str] = "ensemble"

    def __init__(self, engines: Sequence[OCREngine], *, match_iou: float = 0.3) -> None:
        self.engines = list(engines)
        self.languages = sorted({lang for e in self.engines for lang in e.languages})
        self.match_iou = match_iou

    def params(self) -> dict[str, Any]:
        return {
            "engines": [(e.name, e.params()) for e in self.engines],
            "match_iou": self.match_iou,
        }

    def version(self) -> str:
        return "; ".join(e.version() for e in self.engines)

    def read(self, image: RGBImage) -> list[Line]:
        groups: list[list[Line]] = []
        for engine in self.engines:
            for line in engine.read(image):
                for g in groups:
                    if iou(g[0].box, line.box) >= self.match_iou:
                        g.append(line)
                        break
                else:
                    groups.append([line])
        out = []
        for g in groups:
            texts = [ln.text for ln in g]
            # agreement between engines raises confidence; otherwise the most confident wins
            best = max(
                g, key=lambda ln: (ln.confidence + 0.2 * (texts.count(ln.text) - 1), len(ln.text))
            )
            agree = texts.count(best.text)
            conf = min(1.0, best.confidence + 0.1 * (agree - 1))
            out.append(
                Line(
                    text=best.text,
                    confidence=conf,
                    box=best.box,
                    engine=f"ensemble:{best.engine}",
                    lang=best.lang,
                    extra={
                        **(best.extra or {}),
                        "readings": [(ln.engine, ln.text, round(ln.confidence, 3)) for ln in g],
                    },
                )
            )
        return out
