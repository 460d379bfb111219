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

Given more than one run of the recipe (other seeds, the same step budget), it also says how
far the runs lie from one another: :func:`run_to_run` sets the reference's distance from each
run beside the runs' distances from each other, which is the noise a rerun of the recipe
brings (the measurement's and the run's own chance together)::

    .venv/bin/python -m training.compare_evals training/results/ft3_today.json \\
        training/results/ft3_steps.json training/results/ft3_seed2028.json \\
        training/results/ft3_seed2029.json
"""

from __future__ import annotations

import argparse
import json
import math
import zlib
from pathlib import Path

import numpy as np

N_RESAMPLES = 10_000
CHUNK = 1_000
SEED = 7


def row_key(row: dict) -> tuple[str, str, str]:
    """What identifies a row across two results files."""
    return row["set"], row["condition"], row["decoding"]


def paired_interval(a: dict, b: dict, seed: int) -> tuple[float, float, float, float]:
    """CER of ``b`` minus CER of ``a`` on the same lines, its 95 % bootstrap interval and its
    bootstrap standard error.

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
    resampled = np.concatenate(diffs)
    lo, hi = np.percentile(resampled, [2.5, 97.5])
    diff = float((eb.sum() - ea.sum()) / chars.sum())
    return diff, float(lo), float(hi), float(resampled.std())


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
        diff, lo, hi, se = paired_interval(ra["per_line"], rb["per_line"], row_seed(ra))
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
                # the difference in standard errors of the measurement (where no resample
                # varies but by rounding, a difference is certain: infinitely many of them)
                "z": round(diff / se, 3) if se > 1e-12 else (0.0 if diff == 0 else math.inf),
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


def pair_summary(rows: list[dict]) -> dict:
    """Summary of one pair's rows.

    Rows outside the measurement's noise, the largest and mean absolute difference, the mean
    ``z`` (signed: above 0 where the second model is worse) and the mean squared ``z`` (about
    1 where only the measurement differs; larger as the models differ).
    """
    diffs = [abs(r["diff"]) for r in rows]
    zs = [r["z"] for r in rows]
    return {
        "rows": len(rows),
        "outside": sum(not r["within_noise"] for r in rows),
        "largest": round(max(diffs, default=0.0), 4),
        "mean": round(float(np.mean(diffs)) if diffs else 0.0, 4),
        "mean_z": round(float(np.mean(zs)) if zs else 0.0, 3),
        "mean_z2": round(float(np.mean(np.square(zs))) if zs else 0.0, 3),
    }


def rows_in_all(results: list[dict]) -> set[tuple[str, str, str]]:
    """Keys of the rows that every one of ``results`` holds with per-line edits."""
    keys = [{row_key(r) for r in res["rows"] if "per_line" in r} for res in results]
    return set.intersection(*keys) if keys else set()


def _only(result: dict, keys: set[tuple[str, str, str]]) -> dict:
    return {**result, "rows": [r for r in result["rows"] if row_key(r) in keys]}


def run_to_run(reference: dict, runs: dict[str, dict], level: float = 0.05) -> dict:
    """Is ``reference`` as close to runs of its recipe as they are to one another?

    ``runs`` (results by name) are runs of one recipe that differ only by chance (seeds);
    their differences from one another hold both the measurement's noise and the run's
    own. On the rows every file holds, each pair's differences are measured in standard
    errors of the measurement (``z``, from the paired bootstrap), and the reference's mean
    squared ``z`` against the runs is set against the runs' among themselves: if the
    reference were one more run of the recipe, their ratio would be near 1. It is within the
    recipe's noise where the ratio is under the F distribution's ``1 - level`` quantile,
    with ``rows`` and ``rows x (runs - 1)`` degrees of freedom (the reference adds one
    contrast a row; ``k`` runs hold ``k - 1``). Approximate: rows that decode the same lines
    twice are not independent, and "within" means no difference was detected, not none
    (``training/noise_test_power.py`` measures how often the test tells).

    Returns ``{"reference": [...], "between": [...], "ratio", "limit", "level", "mean_z",
    "within_recipe_noise"}``: a :func:`pair_summary` per pair (``"run"`` named against the
    reference; ``"a"`` and ``"b"`` between runs), and the reference's signed mean ``z``
    (above 0 where the runs are worse). ValueError with fewer than two runs (no run-to-run
    noise to set beside it) or no row in every file.
    """
    from scipy.stats import f as f_distribution

    if len(runs) < 2:
        raise ValueError("run_to_run needs two or more runs of the recipe")
    keys = rows_in_all([reference, *runs.values()])
    if not keys:
        raise ValueError("no row with per-line edits in every results file")
    ref = _only(reference, keys)
    mine = {n: _only(r, keys) for n, r in runs.items()}
    names = list(mine)
    ref_rows = {n: compare(ref, mine[n]) for n in names}
    between_rows = {
        (x, y): compare(mine[x], mine[y]) for i, x in enumerate(names) for y in names[i + 1 :]
    }
    ref_z = [r["z"] for rows in ref_rows.values() for r in rows]
    between_z2 = np.square([r["z"] for rows in between_rows.values() for r in rows])
    ratio = float(np.mean(np.square(ref_z)) / max(float(np.mean(between_z2)), 1e-12))
    limit = float(f_distribution.ppf(1 - level, len(keys), len(keys) * (len(runs) - 1)))
    return {
        "reference": [{"run": n, **pair_summary(r)} for n, r in ref_rows.items()],
        "between": [{"a": x, "b": y, **pair_summary(r)} for (x, y), r in between_rows.items()],
        "ratio": round(ratio, 3),
        "limit": round(limit, 3),
        "level": level,
        "mean_z": round(float(np.mean(ref_z)), 3),
        "within_recipe_noise": ratio <= limit,
    }


def run_to_run_markdown(summary: dict, reference: str) -> str:
    """:func:`run_to_run` as a markdown table and its conclusion."""
    lines = [
        "| pair | rows outside the measurement's noise | largest difference | mean difference "
        "| mean z | mean squared z |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    pairs = [(reference, p["run"], p) for p in summary["reference"]]
    pairs += [(p["a"], p["b"], p) for p in summary["between"]]
    for a, b, p in pairs:
        lines.append(
            f"| {a} vs {b} | {p['outside']} of {p['rows']} | {p['largest']:.4f} "
            f"| {p['mean']:.4f} | {p['mean_z']:+.2f} | {p['mean_z2']:.2f} |"
        )
    verdict = "within" if summary["within_recipe_noise"] else "NOT within"
    lines.append(
        f"\n{reference} against the runs, over the runs against each other (mean squared z): "
        f"{summary['ratio']:.2f}, limit {summary['limit']:.2f} (F {1 - summary['level']:.0%}): "
        f"{reference} is {verdict} the recipe's run-to-run noise (no difference detected is "
        f"not none); mean z against the runs {summary['mean_z']:+.2f} (above 0: runs worse)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Command line: print the table (and write it with ``--out``)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("a", type=Path, help="results JSON of the reference model")
    p.add_argument(
        "b",
        type=Path,
        nargs="+",
        help="results JSON of the model compared with it; two or more: runs of one recipe, "
        "whose differences from one another are set beside the reference's",
    )
    p.add_argument("--out", type=Path, default=None, help="also write the tables here")
    args = p.parse_args(argv)
    stems = [path.stem for path in args.b]
    if len(set(stems)) < len(stems) or args.a.stem in stems:
        raise SystemExit("two results files with the same name: rename one")
    a = json.loads(args.a.read_text(encoding="utf-8"))
    runs = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in args.b}
    parts = []
    for name, b in runs.items():
        rows = compare(a, b)
        if not rows:
            raise SystemExit(
                f"{name}: no rows with per-line edits in both files (re-run training.evaluate)"
            )
        n_in = sum(r["within_noise"] for r in rows)
        parts.append(
            markdown(rows, args.a.stem, name) + f"\n\n{n_in} of {len(rows)} rows within noise"
        )
    if len(runs) > 1:
        parts.append(run_to_run_markdown(run_to_run(a, runs), args.a.stem))
    text = "\n\n".join(parts)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
