"""How often :func:`training.compare_evals.run_to_run` says "within the recipe's noise", on
simulated recipes whose truth is known.

Example::

    .venv/bin/python -m training.noise_test_power --runs 2 --shift 0.0 0.01 0.02

Each simulated model is read on the same lines (11 rows of 300 lines, each line with its own
difficulty, so that the comparison is paired as in :mod:`training.evaluate`). A run of the
recipe moves each row's error rate by its own chance (``--spread``, standard deviation); the
reference is one more run, moved by ``--shift`` on every row as well. With a shift of 0 the
share found "within" is one minus the test's false-alarm rate; with a shift, it is how often
a model that much worse passes (one minus the power).

The default spread, 0, makes the simulated runs differ from one another as the real ones do:
the three runs of ft3's step differ by a mean squared z of 0.59, 0.90 and 1.39, about 1,
which is the measurement's noise alone. Each line printed gives the simulated runs' own mean
squared z beside it, so that a spread can be matched to another recipe's runs.
"""

from __future__ import annotations

import argparse

import numpy as np

from .compare_evals import run_to_run

ROWS, LINES, SEED = 11, 300, 0


class Recipe:
    """A simulated recipe: rows of lines with fixed difficulties, runs drawn by seed."""

    def __init__(self, spread: float) -> None:
        rng = np.random.default_rng(SEED)
        self.chars = rng.integers(5, 30, LINES)
        self.rates = rng.uniform(0.03, 0.25, ROWS)
        self.difficulty = rng.gamma(2.0, 0.5, (ROWS, LINES))
        self.spread = spread

    def run(self, seed: int, shift: float = 0.0) -> dict:
        """One run's results, in the layout ``training.evaluate`` writes."""
        rng = np.random.default_rng(seed)
        rows = []
        for k, rate in enumerate(self.rates):
            moved = rate + rng.normal(0.0, self.spread) + shift
            p = np.clip(moved * self.difficulty[k], 0.0, 0.95)
            edits = rng.binomial(self.chars, p).tolist()
            rows.append(
                {
                    "set": f"row {k}",
                    "condition": "simulated",
                    "decoding": "greedy",
                    "cer": 0.0,
                    "per_line": {"edits": edits, "chars": self.chars.tolist()},
                }
            )
        return {"rows": rows}


def share_within(recipe: Recipe, runs: int, shift: float, trials: int) -> tuple[float, float]:
    """Share of ``trials`` in which a reference shifted by ``shift`` is found within the
    noise of ``runs`` other runs, and the runs' mean squared ``z`` among themselves."""
    found, between = 0, []
    for t in range(trials):
        reference = recipe.run(10_000 + t, shift)
        others = {f"run {i}": recipe.run(20_000 + 100 * t + i) for i in range(runs)}
        summary = run_to_run(reference, others)
        found += summary["within_recipe_noise"]
        between += [p["mean_z2"] for p in summary["between"]]
    return found / trials, float(np.mean(between))


def main(argv: list[str] | None = None) -> None:
    """Command line: one line per shift."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=2, help="runs of the recipe beside the reference")
    p.add_argument("--spread", type=float, default=0.0, help="a run's chance, per row (SD)")
    p.add_argument("--shift", type=float, nargs="+", default=[0.0, 0.01, 0.02])
    p.add_argument("--trials", type=int, default=60)
    args = p.parse_args(argv)
    recipe = Recipe(args.spread)
    for shift in args.shift:
        share, between = share_within(recipe, args.runs, shift, args.trials)
        print(
            f"{args.runs} runs, run spread {args.spread} (runs apart by mean squared z "
            f"{between:.2f}), reference worse by {shift} on every row: within in {share:.0%} "
            f"of {args.trials} trials"
        )


if __name__ == "__main__":
    main()
