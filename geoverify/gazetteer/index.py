"""Name index behind :meth:`Gazetteer.search`: cross-script fuzzy matching of place names.

Every name and alternate name of every place becomes a row with precomputed keys:
its script, caseless form, romanisation, and the consonant skeleton of its specific part
(generic words such as "chowk" split off as kinds). A query is compared against all rows with
rapidfuzz's vectorised scorers, so one query over ten thousand names costs a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

from ..text import detect_script, fold_latin, normalize, romanize, skeleton, split_generic


@dataclass(frozen=True)
class QueryKeys:
    """The forms of a query that the index compares."""

    text: str
    script: str
    folded: str
    roman: str
    core_skeleton: str
    kinds: tuple[str, ...]

    @classmethod
    def of(cls, query: str) -> QueryKeys:
        text = normalize(query)
        core, kinds = split_generic(text)
        script = detect_script(text)
        folded = fold_latin(text) if script != "Arab" else text
        return cls(text, script, folded, romanize(text), skeleton(core), kinds)


def name_rows(place_ids: Iterable[int], names: Iterable[str]) -> pd.DataFrame:
    """Index rows for (place position, name) pairs."""
    rows = []
    for pid, name in zip(place_ids, names):
        text = normalize(name)
        if not text:
            continue
        core, kinds = split_generic(text)
        script = detect_script(text)
        rows.append(
            {
                "place": pid,
                "name": text,
                "script": script,
                "folded": fold_latin(text) if script != "Arab" else text,
                "roman": romanize(text),
                "core_skeleton": skeleton(core),
                "kinds": ",".join(kinds),
            }
        )
    return pd.DataFrame(
        rows, columns=["place", "name", "script", "folded", "roman", "core_skeleton", "kinds"]
    )


class NameIndex:
    """Fuzzy, cross-script index over the names of a gazetteer."""

    def __init__(self, rows: pd.DataFrame) -> None:
        self.rows = rows.reset_index(drop=True)
        self._folded = self.rows["folded"].tolist()
        self._roman = self.rows["roman"].tolist()
        self._skel = self.rows["core_skeleton"].tolist()
        self._script = self.rows["script"].to_numpy()
        self._kinds = self.rows["kinds"].to_numpy()
        self._place = self.rows["place"].to_numpy()

    def __len__(self) -> int:
        return len(self.rows)

    def score_all(self, q: QueryKeys) -> NDArray[np.float64]:
        """Score (0-100) of the query against every name row."""
        n = len(self.rows)
        if n == 0 or not q.text:
            return np.zeros(n)
        same = self._script == q.script
        # same script: caseless comparison of the whole name, word order free. No partial
        # matching: "Kargil" must not fully match "Anjuman ... Kargil" (spans handle containment)
        s_same = process.cdist([q.folded], self._folded, scorer=fuzz.token_sort_ratio, workers=1)[0]
        s_same = np.maximum(
            s_same, process.cdist([q.folded], self._folded, scorer=fuzz.ratio, workers=1)[0]
        )
        s_same = s_same.astype(float)
        s_same = np.where(same, s_same, 0.0)
        # any script: skeleton of the specific part, and romanised forms
        s_skel = process.cdist([q.core_skeleton], self._skel, scorer=fuzz.ratio, workers=1)[
            0
        ].astype(float)
        s_rom = process.cdist([q.roman], self._roman, scorer=fuzz.ratio, workers=1)[0].astype(float)
        # very short skeletons (1-2 consonants) match too easily; trust them less
        short = np.array([min(len(q.core_skeleton), len(s)) <= 2 for s in self._skel])
        s_skel = np.where(short, s_skel * 0.85, s_skel)
        cross = 0.65 * s_skel + 0.35 * s_rom
        score = np.maximum(s_same, np.where(same, 0.9 * cross, cross))
        # generic words: "Lal Chowk" should prefer a chowk called Lal over a town called Lal
        if q.kinds:
            qk = set(q.kinds)
            adj = np.array(
                [
                    0.0 if (k and qk & set(k.split(","))) else (-12.0 if k else -6.0)
                    for k in self._kinds
                ]
            )
            score = score + adj
        else:
            adj = np.array([-4.0 if k else 0.0 for k in self._kinds])
            score = score + adj
        # one wrong letter in a five-letter word is a different word; in a fifteen-letter name it
        # is an OCR slip. Stretch the shortfall from 100 for short queries.
        letters = sum(ch.isalpha() for ch in q.text)
        if 0 < letters < 7:
            score = 100.0 - (100.0 - score) * (7.0 / letters)
        return np.clip(score, 0.0, 100.0)

    def best_per_place(self, q: QueryKeys, mask: NDArray[np.bool_] | None = None) -> pd.DataFrame:
        """For each place, its best-scoring name: columns ``place, matched_name, score``."""
        scores = self.score_all(q)
        df = pd.DataFrame(
            {"place": self._place, "matched_name": self.rows["name"], "score": scores}
        )
        if mask is not None:
            df = df[mask[self._place]]
        if df.empty:
            return df
        df = df.sort_values(["score", "place"], ascending=[False, True], kind="mergesort")
        return df.drop_duplicates("place", keep="first")
