"""Name index behind :meth:`Gazetteer.search`: cross-script fuzzy matching of place names.

Every name and alternate name of every place becomes a *row* with precomputed keys: its
script, its caseless form, a loose romanisation key of its specific part (generic words such as
"chowk" split off as kinds), and the fine and coarse consonant skeletons of that part
(:mod:`geoverify.text`).

Search has two stages:

1. **Candidates.** An inverted index maps character n-grams to rows: bigrams of the coarse
   skeleton (which Urdu, Arabic and Latin spellings of a name share) and trigrams of the
   romanisation key (which spelling variants share). A query's n-grams are looked up and each
   row gets the share of the query's n-grams it contains (one weighted ``numpy.bincount`` over
   the posting lists); the few hundred best rows go on.
2. **Scores.** The candidates are scored with rapidfuzz: same-script similarity of the whole
   name, skeleton and coarse-skeleton similarity, and the best similarity of the query's
   romanisation variants, combined into a 0-100 score where 100 is an exact match; a generic
   word in the query that the name lacks (or the reverse) costs a few points, and short
   queries are judged more strictly.

``exhaustive=True`` skips stage 1 and scores every row: the reference that stage 1 is tested
and benchmarked against. Small gazetteers (up to :data:`EXHAUSTIVE_BELOW` rows) are always
searched exhaustively.

An index can be saved to and loaded from a ``.npz`` file (:meth:`NameIndex.arrays`,
:meth:`NameIndex.from_arrays`); strings are stored packed as UTF-8 with offsets, so loading
costs little more than reading the file.
"""

from __future__ import annotations

import hashlib
import math
import re
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

from ..exceptions import GazetteerError
from ..text import (
    GENERIC_WORDS,
    coarse_skeleton,
    coarse_variants,
    detect_script,
    fold_arabic,
    fold_latin,
    latin_name_keys,
    normalize,
    normalize_arabic,
    roman_key,
    romanize,
    romanize_variants,
    skeleton,
    skeleton_variants,
    split_generic,
)

#: Gazetteers with at most this many name rows are searched exhaustively (it is as fast).
EXHAUSTIVE_BELOW = 30_000

#: Index format version, stored in saved files.
FORMAT_VERSION = 1

SCRIPT_CODES = {"Latn": 0, "Arab": 1}
_OTHER_SCRIPT = 2

#: Generic kinds as bits of an integer mask.
KIND_BITS: dict[str, int] = {
    k: 1 << i for i, k in enumerate(sorted({g.kind for g in GENERIC_WORDS}))
}


def kinds_mask(kinds: Iterable[str]) -> int:
    """Bit mask of generic kinds (``("chowk",)`` -> an int)."""
    m = 0
    for k in kinds:
        m |= KIND_BITS.get(k, 0)
    return m


# --------------------------------------------------------------------------- packed strings


class PackedStrings:
    """An immutable list of strings stored as one UTF-8 buffer and offsets (compact, fast to load).

    Parameters
    ----------
    blob
        Concatenated UTF-8 bytes (``uint8`` array).
    offsets
        ``int64`` array of ``n + 1`` offsets into ``blob``.
    """

    def __init__(self, blob: NDArray[np.uint8], offsets: NDArray[np.int64]) -> None:
        self.blob = blob
        self.offsets = offsets
        self._bytes = blob.tobytes()
        self._list: list[str] | None = None

    @classmethod
    def from_list(cls, strings: Sequence[str]) -> PackedStrings:
        """Pack a sequence of strings."""
        enc = [s.encode("utf-8") for s in strings]
        lens = np.fromiter((len(b) for b in enc), dtype=np.int64, count=len(enc))
        offsets = np.zeros(len(enc) + 1, dtype=np.int64)
        np.cumsum(lens, out=offsets[1:])
        blob = np.frombuffer(b"".join(enc), dtype=np.uint8).copy()
        out = cls(blob, offsets)
        return out

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> str:
        o = self.offsets
        return self._bytes[o[i] : o[i + 1]].decode("utf-8")

    def take(self, idx: Iterable[int]) -> list[str]:
        """The strings at positions ``idx``."""
        if self._list is not None:
            lst = self._list
            return [lst[i] for i in idx]
        b, o = self._bytes, self.offsets
        return [b[o[i] : o[i + 1]].decode("utf-8") for i in idx]

    def to_list(self) -> list[str]:
        """All strings (decoded once and cached)."""
        if self._list is None:
            b = self._bytes
            o = self.offsets.tolist()
            self._list = [b[o[i] : o[i + 1]].decode("utf-8") for i in range(len(o) - 1)]
        return self._list

    def lengths(self) -> NDArray[np.int64]:
        """Byte length of each string."""
        return np.diff(self.offsets)


# --------------------------------------------------------------------------- keys

_SEP = "\x1f"


@dataclass(frozen=True)
class NameKeys:
    """The comparison keys of one name."""

    text: str
    script: int
    folded: str
    rkey: str
    skel: str
    coarse: str
    kinds: int
    name_key: str


def name_keys(name: str) -> NameKeys | None:
    """Keys of one name (None for a name with no letters).

    Parameters
    ----------
    name
        A place name in any script.

    Returns
    -------
    NameKeys or None
        ``folded`` (caseless whole name), ``rkey`` (:func:`~geoverify.text.roman_key` of the
        specific part), ``skel`` and ``coarse`` (skeletons of the specific part), ``kinds`` (bit
        mask of generic words) and ``name_key`` (:func:`~geoverify.text.name_key`).
    """
    text = normalize(name)
    if not text:
        return None
    script_name = detect_script(text)
    if script_name == "Zyyy":
        return None
    if script_name == "Latn":
        folded, core_f, rkey, skel, coarse, kinds = latin_name_keys(text)
        suffix = "|" + ",".join(sorted(kinds)) if kinds else ""
        return NameKeys(text, 0, folded, rkey, skel, coarse, kinds_mask(kinds), core_f + suffix)
    core, kinds = split_generic(text)
    suffix = "|" + ",".join(sorted(kinds)) if kinds else ""
    if script_name == "Arab":
        return NameKeys(
            text,
            1,
            fold_arabic(text),
            roman_key(romanize(core)),
            skeleton(core),
            coarse_skeleton(core),
            kinds_mask(kinds),
            normalize_arabic(core) + suffix,
        )
    low = text.casefold()
    return NameKeys(
        text,
        _OTHER_SCRIPT,
        low,
        low.replace(" ", ""),
        "",
        "",
        kinds_mask(kinds),
        fold_latin(core) + suffix,
    )


def stable_hash(text: str) -> int:
    """A 64-bit hash of a string that is the same in every process (for saved indexes)."""
    return int.from_bytes(
        hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little", signed=True
    )


@dataclass(frozen=True)
class QueryKeys:
    """The forms of a query that the index compares."""

    text: str
    script: str
    folded: str
    rkeys: tuple[str, ...]
    core_skeleton: str
    coarse: str
    kinds: tuple[str, ...]
    kind_bits: int
    letters: int
    skels: tuple[str, ...] = ()
    coarses: tuple[str, ...] = ()
    #: The romanisation keys whose n-grams find candidates (the first few variants).
    gram_rkeys: tuple[str, ...] = ()

    @classmethod
    def of(cls, query: str) -> QueryKeys:
        """Keys of a query (cached)."""
        return _query_keys(query)


@lru_cache(maxsize=4096)
def _query_keys(query: str) -> QueryKeys:
    text = normalize(query)
    script = detect_script(text)
    letters = sum(ch.isalpha() for ch in text)
    if script == "Latn":
        folded, core_f, rkey, skel, coarse, kinds = latin_name_keys(text)
        rkeys = [rkey]
        gram_rkeys = [rkey]
        skels = [skel, *skeleton_variants(core_f)]
        coarses = [coarse, *coarse_variants(core_f)]
        if kinds:
            # the generic word may be part of the name written as one word elsewhere
            # ("Ali Bagh" / Alibag): the whole name is tried too
            rkeys.append(roman_key(folded))
            gram_rkeys.append(rkeys[-1])
            skels += skeleton_variants(folded)
            coarses += coarse_variants(folded)
    else:
        core, kinds = split_generic(text)
        skel, coarse = skeleton(core), coarse_skeleton(core)
        skels = [skel, *skeleton_variants(core)]
        coarses = [coarse, *coarse_variants(core)]
        if script == "Arab":
            folded = fold_arabic(text)
            rkeys = [roman_key(v) for v in romanize_variants(core, limit=12, schwa=True)]
            gram_rkeys = rkeys[:4]
            if kinds:
                full = [roman_key(v) for v in romanize_variants(text, limit=3, schwa=True)]
                rkeys += full
                gram_rkeys += full[:2]
                skels += skeleton_variants(text)
                coarses += coarse_variants(text)
        else:
            folded = text.casefold()
            rkeys = [folded.replace(" ", "")]
            gram_rkeys = rkeys
    return QueryKeys(
        text=text,
        script=script,
        folded=folded,
        rkeys=tuple(r for r in dict.fromkeys(rkeys) if r),
        core_skeleton=skel,
        coarse=coarse,
        kinds=kinds,
        kind_bits=kinds_mask(kinds),
        letters=letters,
        skels=tuple(dict.fromkeys(skels)),
        coarses=tuple(dict.fromkeys(coarses)),
        gram_rkeys=tuple(r for r in dict.fromkeys(gram_rkeys) if r),
    )


def _grams(key: str, n: int) -> list[str]:
    if not key:
        return []
    p = "^" + key + "$"
    if len(p) <= n:
        return [p]
    return [p[i : i + n] for i in range(len(p) - n + 1)]


# --------------------------------------------------------------------------- scoring


@dataclass
class ScoreWeights:
    """Weights of the scorer (tuned on a development split of the cross-script benchmark)."""

    skeleton: float = 0.3
    coarse: float = 0.2
    roman: float = 0.5
    coarse_penalty: float = 4.0
    variant_penalty: float = 3.0
    roman_variant_penalty: float = 2.0
    same_script_cross: float = 0.9
    short_skeleton: float = 0.85
    kind_missing: float = 6.0
    kind_other: float = 12.0
    kind_extra: float = 4.0
    short_query_letters: int = 7


DEFAULT_WEIGHTS = ScoreWeights()


def _ratio_best(queries: Sequence[str], choices: list[str], penalty: float) -> NDArray[np.float64]:
    """Best ratio over query variants; variants after the first cost ``penalty`` points."""
    if len(queries) == 1:
        return _ratio_row(queries[0], choices)
    if not choices:
        return np.zeros(0)
    m = process.cdist(list(queries), choices, scorer=fuzz.ratio, workers=1).astype(np.float64)
    m[1:] -= penalty
    return m.max(axis=0)


def _ratio_row(query: str, choices: list[str]) -> NDArray[np.float64]:
    if not choices:
        return np.zeros(0)
    if not query:
        return np.zeros(len(choices))
    return process.cdist([query], choices, scorer=fuzz.ratio, workers=1)[0].astype(np.float64)


# --------------------------------------------------------------------------- the index


@dataclass
class _Postings:
    gram_ids: dict[str, int]
    indptr: NDArray[np.int64]
    rows: NDArray[np.int32]

    def lookup(self, grams: Iterable[str]) -> list[NDArray[np.int32]]:
        out = []
        for g in grams:
            gid = self.gram_ids.get(g)
            if gid is not None:
                out.append(self.rows[self.indptr[gid] : self.indptr[gid + 1]])
        return out


_COMMA_RE = re.compile("[,،]")


def _expanded_keys(names: Sequence[str]) -> Iterator[tuple[int, str, NameKeys]]:
    """Keys of each name, and of the part before a comma ("منڈی، ہماچل پردیش" -> "منڈی")."""
    for j, nm in enumerate(names):
        if not isinstance(nm, str):
            continue
        k = name_keys(nm)
        if k is not None:
            yield j, nm, k
        if "," in nm or "،" in nm:
            head = _COMMA_RE.split(nm, maxsplit=1)[0].strip()
            kh = name_keys(head) if head else None
            if kh is not None:
                yield j, head, kh


class _Builder:
    """Accumulates index rows compactly (arrays and byte buffers, no per-row objects)."""

    def __init__(self) -> None:
        self.place = array("i")
        self.pos = array("i")
        self.script = array("b")
        self.kinds = array("i")
        self.rlen = array("H")
        self.folded = bytearray()
        self.folded_off = array("q", [0])
        self.keys = bytearray()
        self.keys_off = array("q", [0])
        self.gram_ids: dict[str, int] = {}
        self.grams = array("i")
        self.ngrams = array("H")
        self.hashes = array("q")

    def add_place(self, pid: int, names: Sequence[str]) -> None:
        seen: set[tuple[int, str]] = set()
        nkeys: set[str] = set()
        for j, _nm, k in _expanded_keys(names):
            nkeys.add(k.name_key)
            sig = (k.script, k.folded)
            if sig in seen:
                continue
            seen.add(sig)
            self.place.append(pid)
            self.pos.append(j)
            self.script.append(k.script)
            self.kinds.append(k.kinds)
            self.rlen.append(min(len(k.rkey), 65535))
            self.folded += k.folded.encode("utf-8")
            self.folded_off.append(len(self.folded))
            self.keys += _SEP.join((k.rkey, k.skel, k.coarse)).encode("utf-8")
            self.keys_off.append(len(self.keys))
            ids = self.gram_ids
            n = 0
            for g in dict.fromkeys(
                ["s" + g for g in _grams(k.coarse, 2)] + ["r" + g for g in _grams(k.rkey, 3)]
            ):
                gid = ids.get(g)
                if gid is None:
                    gid = ids[g] = len(ids)
                self.grams.append(gid)
                n += 1
            self.ngrams.append(n)
        for key in nkeys:
            self.hashes.append(stable_hash(key))

    def finish(self) -> NameIndex:
        n = len(self.place)
        gids = (
            np.frombuffer(self.grams, dtype=np.int32) if len(self.grams) else np.zeros(0, np.int32)
        )
        rows = np.repeat(np.arange(n, dtype=np.int32), np.frombuffer(self.ngrams, dtype=np.uint16))
        order = np.argsort(gids, kind="stable")
        counts = np.bincount(gids, minlength=len(self.gram_ids))
        indptr = np.zeros(len(self.gram_ids) + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        post = _Postings(self.gram_ids, indptr, rows[order])
        hashes = (
            np.frombuffer(self.hashes, dtype=np.int64)
            if len(self.hashes)
            else np.zeros(0, np.int64)
        )
        uniq, cnt = np.unique(hashes, return_counts=True)
        multi = cnt > 1

        def arr(a: array, dtype: Any) -> NDArray[Any]:
            return np.frombuffer(a, dtype=dtype).copy() if len(a) else np.zeros(0, dtype=dtype)

        return NameIndex(
            place=arr(self.place, np.int32),
            name_pos=arr(self.pos, np.int32),
            script=arr(self.script, np.int8),
            kinds=arr(self.kinds, np.int32),
            rlen=arr(self.rlen, np.uint16),
            folded=PackedStrings(
                np.frombuffer(bytes(self.folded), dtype=np.uint8), arr(self.folded_off, np.int64)
            ),
            keys=PackedStrings(
                np.frombuffer(bytes(self.keys), dtype=np.uint8), arr(self.keys_off, np.int64)
            ),
            shared_hash=uniq[multi],
            shared_count=cnt[multi].astype(np.int32),
            postings=post,
        )


@dataclass
class NameIndex:
    """Fuzzy, cross-script index over the names of a gazetteer.

    Build with :meth:`build`; one row per (place, distinct name).
    """

    place: NDArray[np.int32]
    name_pos: NDArray[np.int32]
    script: NDArray[np.int8]
    kinds: NDArray[np.int32]
    rlen: NDArray[np.uint16]
    folded: PackedStrings
    keys: PackedStrings
    shared_hash: NDArray[np.int64]
    shared_count: NDArray[np.int32]
    postings: _Postings
    weights: ScoreWeights = field(default_factory=ScoreWeights)
    #: n-grams borne by more than this share of rows are skipped when ``min_grams`` rarer
    #: ones remain (candidate stage)
    common_gram: float = 0.1
    min_grams: int = 3
    _all_keys: tuple[list[str], list[str], list[str], list[str]] | None = None

    # ------------------------------------------------------------------ build
    @classmethod
    def build(cls, names_per_place: Iterable[Sequence[str]]) -> NameIndex:
        """Index the names of places.

        Parameters
        ----------
        names_per_place
            For each place (in order), its names: the primary name first, then alternates.

        Returns
        -------
        NameIndex
        """
        b = _Builder()
        for pid, names in enumerate(names_per_place):
            b.add_place(pid, names)
        return b.finish()

    def __len__(self) -> int:
        return len(self.place)

    def count_places(self, key: str) -> int:
        """Number of places bearing a name key (0 or 1 are both reported as 1)."""
        if not len(self.shared_hash):
            return 1
        h = stable_hash(key)
        i = int(np.searchsorted(self.shared_hash, h))
        if i < len(self.shared_hash) and int(self.shared_hash[i]) == h:
            return int(self.shared_count[i])
        return 1

    def row_keys(self, rows: Iterable[int]) -> tuple[list[str], list[str], list[str], list[str]]:
        """``(folded, rkey, skeleton, coarse)`` of the given rows."""
        rows = list(rows)
        folded = self.folded.take(rows)
        rk, sk, co = [], [], []
        for k in self.keys.take(rows):
            a, b, c = k.split(_SEP)
            rk.append(a)
            sk.append(b)
            co.append(c)
        return folded, rk, sk, co

    def all_keys(self) -> tuple[list[str], list[str], list[str], list[str]]:
        """Keys of all rows (decoded once and cached; used by exhaustive search)."""
        if self._all_keys is None:
            self._all_keys = self.row_keys(range(len(self)))
        return self._all_keys

    # ------------------------------------------------------------------ persistence
    def arrays(self, prefix: str = "index/") -> dict[str, NDArray[Any]]:
        """The index as a dict of numpy arrays (for ``numpy.savez``)."""
        post = self.postings
        out: dict[str, NDArray[Any]] = {
            "place": self.place,
            "name_pos": self.name_pos,
            "script": self.script,
            "kinds": self.kinds,
            "rlen": self.rlen,
            "shared_hash": self.shared_hash,
            "shared_count": self.shared_count,
            "post_indptr": post.indptr,
            "post_rows": post.rows,
            "version": np.array([FORMAT_VERSION]),
        }
        gram_list = sorted(post.gram_ids, key=post.gram_ids.__getitem__)
        for name, ps in (
            ("folded", self.folded),
            ("keys", self.keys),
            ("grams", PackedStrings.from_list(gram_list)),
        ):
            out[f"{name}_blob"] = ps.blob
            out[f"{name}_off"] = ps.offsets
        return {prefix + k: v for k, v in out.items()}

    @classmethod
    def from_arrays(cls, arrs: Any, prefix: str = "index/") -> NameIndex:
        """Rebuild an index from :meth:`arrays` output (or an open ``.npz``)."""

        def get(k: str) -> NDArray[Any]:
            return np.asarray(arrs[prefix + k])

        version = int(get("version")[0])
        if version != FORMAT_VERSION:
            raise GazetteerError(
                f"index format {version} is not supported (expected {FORMAT_VERSION})"
            )

        def packed(k: str) -> PackedStrings:
            return PackedStrings(get(f"{k}_blob"), get(f"{k}_off"))

        grams = packed("grams").to_list()
        return cls(
            place=get("place"),
            name_pos=get("name_pos"),
            script=get("script"),
            kinds=get("kinds"),
            rlen=get("rlen"),
            folded=packed("folded"),
            keys=packed("keys"),
            shared_hash=get("shared_hash"),
            shared_count=get("shared_count"),
            postings=_Postings(
                {g: i for i, g in enumerate(grams)}, get("post_indptr"), get("post_rows")
            ),
        )

    # ------------------------------------------------------------------ search
    def candidates(
        self,
        q: QueryKeys,
        place_mask: NDArray[np.bool_] | None = None,
        n: int = 400,
    ) -> NDArray[np.int64]:
        """Rows sharing the most n-grams with the query (stage 1), at most ``n``."""
        post = self.postings
        sgrams = list(
            dict.fromkeys("s" + g for c in q.coarses or (q.coarse,) for g in _grams(c, 2))
        )
        rgrams = list(
            dict.fromkeys("r" + g for rk in q.gram_rkeys or q.rkeys[:4] for g in _grams(rk, 3))
        )
        lists: list[NDArray[np.int32]] = []
        weights: list[float] = []
        n_rows = max(len(self), 2)
        for grams in (sgrams, rgrams):
            if not grams:
                continue
            found = sorted(post.lookup(grams), key=len)
            # rare n-grams say more (idf weights); the commonest ones are skipped when enough
            # rarer ones remain, which bounds the work per query
            idf = [math.log(n_rows / (len(a) + 1.0)) + 0.1 for a in found]
            total = sum(idf) + 0.1 * (len(grams) - len(found))  # grams no row has count too
            budget = 0
            for i, (arr, wt) in enumerate(zip(found, idf)):
                if len(arr) > self.common_gram * n_rows and i >= self.min_grams:
                    break
                budget += len(arr)
                lists.append(arr)
                weights.append(wt / total)
        if not lists:
            return np.zeros(0, dtype=np.int64)
        rows = np.concatenate(lists)
        wts = np.repeat(np.asarray(weights, dtype=np.float64), [len(a) for a in lists])
        s = np.bincount(rows, weights=wts, minlength=len(self))
        if place_mask is not None:
            s *= place_mask[self.place]
        top = float(s.max())
        if top <= 0:
            return np.zeros(0, dtype=np.int64)
        cand = np.flatnonzero(s >= 0.4 * top)
        pool = 6 * n
        if len(cand) > pool:
            part = np.argpartition(-s[cand], pool)[:pool]
            cand = cand[part]
        if len(cand) > n:
            # prefer rows of about the query's length (a Dice-like correction)
            lq = max(len(q.rkeys[0]) if q.rkeys else len(q.coarse), 1)
            lr = self.rlen[cand].astype(np.float64)
            adj = s[cand] - 0.5 * np.abs(lr - lq) / (lq + lr + 1.0)
            part = np.argpartition(-adj, n)[:n]
            cand = cand[part]
        return np.sort(cand)

    def score_rows(
        self, q: QueryKeys, rows: NDArray[np.int64] | None = None
    ) -> NDArray[np.float64]:
        """Score (0-100) of the query against the given rows (all rows if None)."""
        w = self.weights
        if rows is None:
            folded, rkey, skel, coarse = self.all_keys()
            script = self.script
            kinds = self.kinds
        else:
            folded, rkey, skel, coarse = self.row_keys(rows.tolist())
            script = self.script[rows]
            kinds = self.kinds[rows]
        n = len(folded)
        if n == 0 or not q.text:
            return np.zeros(n)
        qcode = SCRIPT_CODES.get(q.script, _OTHER_SCRIPT)
        same = script == qcode
        # same script: caseless comparison of the whole name, word order free. No partial
        # matching: "Kargil" must not fully match "Anjuman ... Kargil" (spans handle containment)
        if same.any():
            s_same = np.maximum(
                process.cdist([q.folded], folded, scorer=fuzz.token_sort_ratio, workers=1)[0],
                process.cdist([q.folded], folded, scorer=fuzz.ratio, workers=1)[0],
            ).astype(np.float64)
            s_same = np.where(same, s_same, 0.0)
        else:
            s_same = np.zeros(n)
        # any script: skeletons of the specific part and romanisation keys
        s_skel = _ratio_best(q.skels or (q.core_skeleton,), skel, w.variant_penalty)
        s_coarse = (
            _ratio_best(q.coarses or (q.coarse,), coarse, w.variant_penalty) - w.coarse_penalty
        )
        if q.rkeys:
            s_rom = _ratio_best(q.rkeys, rkey, w.roman_variant_penalty)
        else:
            s_rom = np.zeros(n)
        # very short skeletons (1-2 consonants) match too easily; trust them less
        slen = np.fromiter((len(x) for x in skel), dtype=np.int64, count=n)
        qlen = max((len(v) for v in q.skels), default=len(q.core_skeleton))
        shortest = np.minimum(slen, max(qlen, len(q.core_skeleton)))
        damp = np.where(
            shortest <= 1, w.short_skeleton - 0.1, np.where(shortest == 2, w.short_skeleton, 1.0)
        )
        skel_part = np.maximum(s_skel, s_coarse) * damp
        total = w.skeleton + w.coarse + w.roman
        cross = ((w.skeleton + w.coarse) * skel_part + w.roman * s_rom) / total
        score = np.maximum(s_same, np.where(same, w.same_script_cross * cross, cross))
        # generic words: "Lal Chowk" should prefer a chowk called Lal over a town called Lal
        if q.kind_bits:
            adj = np.where(
                (kinds & q.kind_bits) != 0,
                0.0,
                np.where(kinds != 0, -w.kind_other, -w.kind_missing),
            )
        else:
            adj = np.where(kinds != 0, -w.kind_extra, 0.0)
        score = score + adj
        # one wrong letter in a five-letter word is a different word; in a fifteen-letter name it
        # is an OCR slip. Stretch the shortfall from 100 for short queries.
        if 0 < q.letters < w.short_query_letters:
            score = 100.0 - (100.0 - score) * (w.short_query_letters / q.letters)
        return np.clip(score, 0.0, 100.0)

    def search_rows(
        self,
        q: QueryKeys,
        place_mask: NDArray[np.bool_] | None = None,
        *,
        exhaustive: bool | None = None,
        n_candidates: int = 400,
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Rows and their scores (only rows of places allowed by ``place_mask``)."""
        if exhaustive is None:
            exhaustive = len(self) <= EXHAUSTIVE_BELOW
        if exhaustive:
            scores = self.score_rows(q)
            rows = np.arange(len(self))
            if place_mask is not None:
                keep = place_mask[self.place]
                rows, scores = rows[keep], scores[keep]
            return rows, scores
        rows = self.candidates(q, place_mask, n=n_candidates)
        return rows, self.score_rows(q, rows)

    def best_per_place(
        self,
        q: QueryKeys,
        mask: NDArray[np.bool_] | None = None,
        *,
        exhaustive: bool | None = None,
        tiebreak: NDArray[Any] | None = None,
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        """For each matching place, its best-scoring name row, best first.

        Returns
        -------
        tuple of arrays
            ``(places, rows, scores)``. Ties are broken by ``tiebreak`` (higher first, e.g.
            population), then by place order.
        """
        rows, scores = self.search_rows(q, mask, exhaustive=exhaustive)
        if len(rows) == 0:
            e = np.zeros(0, dtype=np.int64)
            return e, e, np.zeros(0)
        places = self.place[rows].astype(np.int64)
        scores = np.round(scores, 1)
        tb = tiebreak[places] if tiebreak is not None else np.zeros(len(places))
        order = np.lexsort((places, -tb, -scores))
        places, rows, scores = places[order], rows[order], scores[order]
        _, first = np.unique(places, return_index=True)
        first.sort()
        return places[first], rows[first], scores[first]
