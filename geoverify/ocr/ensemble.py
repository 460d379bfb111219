"""Run several engines and keep, for each line, the reading the evidence favours."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from .._deprecated import module_getattr
from .._imaging import RGBImage
from ..text import normalize
from .base import Line, OCREngine, box_iou


class EnsembleEngine(OCREngine):
    """Reads with every engine, aligns boxes (IoU), and keeps per line the most confident reading.

    Lines one engine found and the others missed are kept. Each kept line records, in
    ``extra["readings"]``, what every engine said: ``(engine, text, confidence)``.

    Parameters
    ----------
    engines
        The engines to run.
    match_iou
        Boxes overlapping at least this much are the same line.
    lexicon
        Place and organisation names expected in the footage. A reading that fuzzily matches
        an entry (rapidfuzz, normalised text, score >= ``lexicon_score``) gains up to 0.3 in
        the choice between readings, so a name read right by one engine beats a more
        confident misreading by another. The reported confidence is the engine's.
    """

    name: ClassVar[str] = "ensemble"

    def __init__(
        self,
        engines: Sequence[OCREngine],
        *,
        match_iou: float = 0.3,
        lexicon: Iterable[str] | None = None,
        lexicon_score: float = 80.0,
    ) -> None:
        self.engines = list(engines)
        self.languages = list(dict.fromkeys(lang for e in self.engines for lang in e.languages))
        self.match_iou = match_iou
        self.lexicon = sorted({n for n in (normalize(str(x)) for x in lexicon or ()) if n})
        self.lexicon_score = lexicon_score

    @property
    def disk_cacheable(self) -> bool:
        return all(e.disk_cacheable for e in self.engines)

    def lexicon_match(self, text: str) -> tuple[str, float] | None:
        """The lexicon entry ``text`` matches best and the score (0-100), or None."""
        from rapidfuzz import fuzz, process

        norm = normalize(text)
        if not self.lexicon or len(norm) < 3:
            return None
        best: tuple[str, float] | None = None
        for scorer in (fuzz.ratio, fuzz.partial_ratio):
            hit = process.extractOne(norm, self.lexicon, scorer=scorer)
            if hit is None:
                continue
            name, score = hit[0], float(hit[1])
            if scorer is fuzz.partial_ratio and min(len(name), len(norm)) < 4:
                continue
            if score >= self.lexicon_score and (best is None or score > best[1]):
                best = (name, score)
        return best

    def options(self) -> dict[str, Any]:
        opts = super().options()
        if not self.lexicon:  # None was given: the engines keep their own lexicons
            opts.pop("lexicon", None)
        return opts

    def params(self) -> dict[str, Any]:
        return {
            "engines": [(e.name, e.params()) for e in self.engines],
            "match_iou": self.match_iou,
            "lexicon": self.lexicon,
        }

    def version(self) -> str:
        return "; ".join(e.version() for e in self.engines)

    def read(self, image: RGBImage) -> list[Line]:
        groups: list[list[Line]] = []
        for engine in self.engines:
            for line in engine.read(image):
                for g in groups:
                    if box_iou(g[0].box, line.box) >= self.match_iou:
                        g.append(line)
                        break
                else:
                    groups.append([line])
        out = []
        for g in groups:
            texts = [ln.text for ln in g]
            matches = {id(ln): self.lexicon_match(ln.text) for ln in g}

            def score(
                ln: Line, texts: list[str] = texts, matches: dict[int, Any] = matches
            ) -> tuple[float, int]:
                # agreement between engines and a lexicon match favour a reading; otherwise
                # the most confident wins
                m = matches[id(ln)]
                bonus = 0.3 * m[1] / 100.0 if m else 0.0
                return (ln.confidence + 0.2 * (texts.count(ln.text) - 1) + bonus, len(ln.text))

            best = max(g, key=score)
            lex = matches[id(best)]
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
                        **({"lexicon": lex[0], "lexicon_score": lex[1]} if lex else {}),
                    },
                )
            )
        return out


# Old names that moved: they still work, with a warning, until 0.3.
__getattr__ = module_getattr(
    "geoverify.ocr.ensemble",
    {"iou": "geoverify.ocr.base:box_iou"},
)
