"""Accuracy of the verdict on the evaluation set (tests/cases/cases.json).

Runs every case twice: with region membership by admin-1 codes only, and with Natural Earth polygons
(read from ../shared/data/regions, or GEOVERIFY_DATA_DIR). Baseline: "nearest pin" — the region of the
single best-scoring candidate across all lines, labelled supported if it is the claim, contradicted
otherwise, inconclusive when no line matched.

    .venv/bin/python benchmarks/cases.py            # prints a table, writes benchmarks/results/cases.md
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import geoverify as gv
from geoverify import regions as R
from geoverify.verify import region_shares

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from _machine import cpu_model, ram_gib  # noqa: E402

CASES = json.loads((ROOT / "tests" / "cases" / "cases.json").read_text(encoding="utf-8"))


def machine() -> str:
    return (
        f"{cpu_model()}, {os.cpu_count()} cores, {ram_gib() or 0.0:.0f} GiB RAM, Python "
        f"{platform.python_version()}, geoverify {gv.__version__}"
    )


def nearest_pin(cands, claim: str, regions) -> tuple[str, str | None]:
    if not len(cands):
        return "inconclusive", None
    best = cands.sort_values(["score", "specificity"], ascending=False).head(1)
    shares = region_shares(best, regions).iloc[0]
    top = [r for r in shares.index if R.region(r).parent is None and shares[r] > 0.5]
    region = top[0] if top else "elsewhere"
    claim_id = gv.region(claim).id
    inside = claim_id in R.ancestors(region) or (
        region in R.ancestors(claim_id) and shares[claim_id] > 0.5
    )
    return ("supported" if inside else "contradicted"), region


def main() -> int:
    gaz = gv.load_gazetteer()
    data_dir = os.environ.get("GEOVERIFY_DATA_DIR") or str(
        ROOT.parent / "shared" / "data" / "regions"
    )
    modes = {
        "admin-1 codes": None,
        "Natural Earth polygons": gv.load_regions("naturalearth", data_dir=data_dir),
    }
    rows = []
    for mode, regions in modes.items():
        ok = base_ok = 0
        t0 = time.perf_counter()
        for case in CASES:
            cands = gv.match_places(case["evidence"], gaz)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                v = gv.test_claim(cands, case["claim"], regions=regions)
            good = v.label == case["expected_label"] and (
                case["expected_best"] is None or v.best_region == case["expected_best"]
            )
            ok += good
            blabel, _ = nearest_pin(cands, case["claim"], regions)
            base_ok += blabel == case["expected_label"]
            if not good:
                print(f"  miss [{mode}] {case['id']}: {v.label} / {v.best_region}", file=sys.stderr)
        dt = (time.perf_counter() - t0) / len(CASES)
        rows.append((mode, ok, base_ok, len(CASES), dt))
    lines = [
        "## Verdict accuracy on the evaluation set",
        "",
        f"Machine: {machine()}. Command: `.venv/bin/python benchmarks/cases.py`.",
        "",
        "| regions | geoverify (label and best region right) | nearest-pin baseline (label right) | cases | s per case |",
        "|---|---|---|---|---|",
    ]
    for mode, ok, base_ok, n, dt in rows:
        lines.append(
            f"| {mode} | {ok}/{n} = {ok / n:.2f} | {base_ok}/{n} = {base_ok / n:.2f} | {n} | {dt:.2f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    out = ROOT / "benchmarks" / "results" / "cases.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
