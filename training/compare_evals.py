"""Are two models' held-out results the same within noise? A paired bootstrap over lines.

Example (two ``training.evaluate`` results, both written with per-line edits)::

    .venv/bin/python -m training.compare_evals training/results/base_today.json \\
        training/results/base_steps.json

Both models were read on the same rendered lines (the sets' seeds are fixed), so the
comparison is paired: resample the lines of a set with replacement, take the difference of
the two CERs on the resample, and repeat. A row is *within noise* where the central 95 % of
those differences holds zero: the lines measured cannot tell the two models apart. Noise
here is the measurement's; two training runs of one recipe also differ by the run's own
chance, which this does not add, so the test is the stricter one.

Read it for what it is: "within noise" says no difference was detected on these lines, not
that the two models are equivalent; each row's interval is a 95 % interval of its own, not
corrected for the eleven rows, and rows that decode the same lines two ways are not
independent. Each row is resampled with its own seed (from its key), so a row's interval
does not depend on the rows before it.
"""

from __future__ import annotations

import argparse
import json
import zlib
from pathlib import Path

import numpy as np

N_RESAMPLES = 10_000
CHUNK = 1_000
SEED = 7


def row_key(row: dict) -> tuple[str, str, str]:
    """What identifies a row across two results files."""
    return row["set"], row["condition"], row["decoding"]


def paired_interval(a: dict, b: dict, seed: int) -> tuple[float, float, float]:
    """CER of ``b`` minus CER of ``a`` on the same lines, and its 95 % bootstrap interval.

    ``a`` and ``b`` are rows' ``per_line`` dicts (``edits``, ``chars``, and ``texts_sha256``
    where the evaluation wrote it); ValueError where they were not measured on the same
    lines, or on none.
    """
    ea, eb = np.asarray(a["edits"], float), np.asarray(b["edits"], float)
    chars = np.asarray(a["chars"], float)
    same = len(ea) == len(eb) and np.array_equal(chars, np.asarray(b["chars"], float))
    if not same or a.get("texts_sha256", "") != b.get("texts_sha256", ""):
        raise ValueError("the two results were not measured on the same lines")
    if not len(chars) or chars.sum() <= 0:
        raise ValueError("no lines with characters to compare")
    rng = np.random.default_rng(seed)
    diffs = []
    for start in range(0, N_RESAMPLES, CHUNK):  # 10,000 x n indices at once would be large
        idx = rng.integers(0, len(chars), size=(min(CHUNK, N_RESAMPLES - start), len(chars)))
        # a resample of lines that are all empty has no CER: count it as no difference
        n_chars = np.maximum(chars[idx].sum(1), 1.0)
        diffs.append((eb[idx].sum(1) - ea[idx].sum(1)) / n_chars)
    lo, hi = np.percentile(np.concatenate(diffs), [2.5, 97.5])
    return float((eb.sum() - ea.sum()) / chars.sum()), float(lo), float(hi)


def row_seed(row: dict) -> int:
    """The resampling seed of a row: :data:`SEED` and its key."""
    return SEED + zlib.crc32("|".join(row_key(row)).encode("utf-8"))


def compare(a: dict, b: dict) -> list[dict]:
    """One dict per row the two results share: both CERs, the difference, its interval, and
    whether the interval holds zero."""
    rows_b = {row_key(r): r for r in b["rows"]}
    out = []
    for ra in a["rows"]:
        rb = rows_b.get(row_key(ra))
        if rb is None or "per_line" not in ra or "per_line" not in rb:
            continue
        diff, lo, hi = paired_interval(ra["per_line"], rb["per_line"], row_seed(ra))
        out.append(
            {
                "set": ra["set"],
                "condition": ra["condition"],
                "decoding": ra["decoding"],
                "cer_a": ra["cer"],
                "cer_b": rb["cer"],
                "diff": round(diff, 4),
                "ci95": [round(lo, 4), round(hi, 4)],
                "within_noise": bool(lo <= 0.0 <= hi),
            }
        )
    return out


def markdown(rows: list[dict], name_a: str, name_b: str) -> str:
    """The comparison as a markdown table."""
    lines = [
        f"| set | condition | decoding | CER {name_a} | CER {name_b} | difference | 95 % interval "
        "| within noise |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lo, hi = r["ci95"]
        lines.append(
            f"| {r['set']} | {r['condition']} | {r['decoding']} | {r['cer_a']:.4f} "
            f"| {r['cer_b']:.4f} | {r['diff']:+.4f} | {lo:+.4f} .. {hi:+.4f} "
            f"| {'yes' if r['within_noise'] else 'no'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Command line: print the table (and write it with ``--out``)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("a", type=Path, help="results JSON of the reference model")
    p.add_argument("b", type=Path, help="results JSON of the model compared with it")
    p.add_argument("--out", type=Path, default=None, help="also write the table here")
    args = p.parse_args(argv)
    a, b = (json.loads(path.read_text(encoding="utf-8")) for path in (args.a, args.b))
    rows = compare(a, b)
    if not rows:
        raise SystemExit("no rows with per-line edits in both files (re-run training.evaluate)")
    table = markdown(rows, args.a.stem, args.b.stem)
    print(table)
    n_in = sum(r["within_noise"] for r in rows)
    print(f"\n{n_in} of {len(rows)} rows within noise")
    if args.out:
        args.out.write_text(table + f"\n\n{n_in} of {len(rows)} rows within noise\n")


if __name__ == "__main__":
    main()
