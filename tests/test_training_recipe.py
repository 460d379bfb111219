"""The Urdu recogniser's training recipe: fine-tuning starts from the shipped weights, and the
held-out Nastaliq font is drawn shaped (Graphite through hb-view), right to left."""

from __future__ import annotations

import math
import shlex
import shutil

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")

from geoverify.ocr.urdu import model_path  # noqa: E402
from training import corpus as C  # noqa: E402
from training import render as R  # noqa: E402
from training.model import CRNN, freeze_batchnorm, load_onnx_weights  # noqa: E402

needs_hb_view = pytest.mark.skipif(shutil.which("hb-view") is None, reason="no hb-view")


def test_fine_tuning_starts_from_the_shipped_weights() -> None:
    import onnxruntime as ort

    model = CRNN(len(C.CHARSET) + 1)
    load_onnx_weights(model, str(model_path()))
    model.train()
    freeze_batchnorm(model)  # as fine-tuning runs: batch norms keep the folded statistics
    model.dropout.eval()
    x = np.random.default_rng(0).uniform(0, 255, (2, 1, 32, 96)).astype(np.float32)
    want = ort.InferenceSession(str(model_path())).run(None, {"image": x})[0]
    with torch.no_grad():
        got = model(torch.from_numpy(x)).numpy()
    assert got.shape == want.shape
    assert np.abs(got - want).max() < 1e-4


def _ink_columns(mask: np.ndarray) -> np.ndarray:
    return np.nonzero((mask > 128).any(0))[0]


@needs_hb_view
def test_held_out_nastaliq_is_drawn_right_to_left() -> None:
    # alef, a gap, then digits: right to left, the alef is the narrow ink at the right end
    mask = R.text_mask("ا    ۱۲۳۴", R.HELDOUT_NASTALIQ, 48)
    cols = _ink_columns(mask)
    gap = int(np.diff(cols).argmax())  # the spaces
    assert cols[gap + 1] > 0.75 * mask.shape[1], "the alef is not on the right"


def test_held_out_nastaliq_refuses_what_hb_view_cannot_draw() -> None:
    # a stroke or a left-to-right line would be dropped without a word: a clear error instead
    with pytest.raises(ValueError, match="right-to-left without a stroke"):
        R.text_mask("لاہور", R.HELDOUT_NASTALIQ, 48, stroke=2)
    with pytest.raises(ValueError, match="right-to-left without a stroke"):
        R.text_mask("Lahore", R.HELDOUT_NASTALIQ, 48, rtl=False)


@needs_hb_view
def test_held_out_nastaliq_joins_its_letters() -> None:
    def parts(mask: np.ndarray) -> int:
        import cv2

        n, _ = cv2.connectedComponents((mask > 128).astype(np.uint8))
        return n - 1

    word = "سرگودھا"  # joins as سر / گودھا / ا (plus dots and the gaf's bar)
    joined = R.text_mask(word, R.HELDOUT_NASTALIQ, 48)
    apart = R.text_mask(" ".join(word), R.HELDOUT_NASTALIQ, 48)
    assert joined.shape[1] < apart.shape[1]
    assert parts(joined) < parts(apart)


@needs_hb_view
def test_held_out_nastaliq_lines_render_as_model_inputs() -> None:
    rng = np.random.default_rng(3)
    for augment in (False, True):
        img = R.render_line(rng, "لاہور ۶۳ کلومیٹر", [R.HELDOUT_NASTALIQ], None, augment, True)
        assert img.dtype == np.uint8 and img.shape[0] == R.HEIGHT and img.shape[1] >= 8
        assert img.std() > 10  # there is text on it


def test_restyled_masks_stay_masks() -> None:
    rng = np.random.default_rng(5)
    base = R.text_mask("زاہدی ہسپتال", R.NASTALIQ_FONTS[0], 40)
    for _ in range(20):
        m = R._restyle(rng, base, 40)
        assert m.dtype == np.uint8 and m.ndim == 2 and m.max() > 128
        assert 0.6 * base.shape[1] <= m.shape[1] <= 1.6 * base.shape[1]


def test_condensed_lines_are_squeezed_within_the_range() -> None:
    lo, hi = R.CONDENSE_RANGE
    for seed in range(6):
        plain = R.render_line(np.random.default_rng(seed), "آہستہ چلیں", None, None, False)
        dense = R.render_line(
            np.random.default_rng(seed), "آہستہ چلیں", None, None, False, condense=1.0
        )
        assert dense.shape[0] == R.HEIGHT
        assert lo * plain.shape[1] - 1 <= dense.shape[1] <= hi * plain.shape[1] + 1


def test_validation_leaves_frozen_batch_norms_frozen() -> None:
    from training.train import evaluate

    model = CRNN(len(C.CHARSET) + 1)
    model.train()
    freeze_batchnorm(model)
    line = np.full((32, 64), 200, np.uint8)
    evaluate(model, [line], ["ا"])
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert model.training and model.rnn.training
    assert bns and not any(m.training for m in bns)


def test_validation_and_evaluation_measure_cer_alike() -> None:
    # one CER for the checkpoint choice and the model card: edits over reference characters
    from training.evaluate import cer, score

    preds, truths = ["kitten", "لاہوڑ", ""], ["sitting", "لاہور", "ab"]
    assert cer(preds, truths) == pytest.approx((3 + 1 + 2) / (7 + 5 + 2))
    assert score(preds, truths)["cer"] == round(cer(preds, truths), 4)
    assert score(preds, truths)["per_line"]["edits"] == [3, 1, 2]
    assert cer([], []) == 0.0
    import training.train

    assert training.train.cer is cer  # the checkpoint is chosen by the same measure


def test_exported_training_command_rebuilds_the_run_options() -> None:
    # the model card's command comes from the run's config.json: every option must survive
    from training.train import command_line, parse_args

    given = ["--out", "training/runs/ft9", "--hours", "1.25", "--lr", "0.0004", "--seed", "2026"]
    given += ["--init-onnx", "geoverify/models/urdu_crnn.onnx", "--nastaliq-share", "0.45"]
    args = parse_args([*given, "--restyle", "--resume"])
    command = command_line({k: str(v) for k, v in vars(args).items()})
    assert command.startswith(".venv/bin/python -m training.train ") and "--resume" not in command
    again = parse_args(shlex.split(command)[3:])
    assert vars(again) == {**vars(args), "resume": False}
    # every option is written, defaults too: a default changed later cannot change the command
    assert "--batch 32" in command and "--warmup-min 3.0" in command
    odd = parse_args(["--out", "runs/a b; rm -rf x"])
    assert (
        parse_args(shlex.split(command_line({k: str(v) for k, v in vars(odd).items()}))[3:]) == odd
    )


def test_a_step_budget_schedules_by_steps_whatever_the_clock() -> None:
    # --steps makes the schedule a function of the step alone: a faster machine retraces it
    from training.train import budget_spent, lr_at, parse_args

    args = parse_args(["--steps", "1000", "--warmup-steps", "100", "--hours", "0.01"])
    for elapsed in (0.0, 10.0, 1e6):
        half_warm = 0.5 * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * 0.05)))
        assert lr_at(args, elapsed, 50) == pytest.approx(args.lr * half_warm)
        assert lr_at(args, elapsed, 500) == pytest.approx(args.lr * (0.02 + 0.98 * 0.5))
        assert lr_at(args, elapsed, 1000) == pytest.approx(args.lr * 0.02)
        assert not budget_spent(args, elapsed, 999) and budget_spent(args, elapsed, 1000)
    # without --steps the clock rules, as the committed runs were made
    timed = parse_args(["--hours", "1.0"])
    assert lr_at(timed, 1800.0, 5) == pytest.approx(timed.lr * (0.02 + 0.98 * 0.5))
    assert not budget_spent(timed, 3599.0, 10**6) and budget_spent(timed, 3600.0, 1)
    assert budget_spent(parse_args(["--steps", "1000", "--max-steps", "5"]), 0.0, 5)


def test_paired_bootstrap_tells_a_real_difference_from_noise() -> None:
    from training.compare_evals import compare

    rng = np.random.default_rng(0)
    chars = rng.integers(5, 30, 300).tolist()
    edits = [int(rng.binomial(c, 0.1)) for c in chars]
    jitter = [max(0, e + int(rng.integers(-1, 2))) for e in edits]
    worse = [e + c // 4 for e, c in zip(edits, chars)]

    def result(e: list[int]) -> dict:
        row = {"set": "s", "condition": "c", "decoding": "greedy"}
        return {"rows": [{**row, "cer": 0.0, "per_line": {"edits": e, "chars": chars}}]}

    (same,) = compare(result(edits), result(jitter))
    assert same["within_noise"] and same["ci95"][0] <= same["diff"] <= same["ci95"][1]
    (apart,) = compare(result(edits), result(worse))
    assert not apart["within_noise"] and apart["diff"] > 0.2
    other = result(edits)
    other["rows"][0]["per_line"] = {"edits": edits, "chars": chars[::-1]}
    with pytest.raises(ValueError, match="same lines"):
        compare(result(edits), other)
    # the same counts of characters in other lines are not the same lines
    hashed, rehashed = result(edits), result(edits)
    hashed["rows"][0]["per_line"]["texts_sha256"] = "a"
    rehashed["rows"][0]["per_line"]["texts_sha256"] = "b"
    with pytest.raises(ValueError, match="same lines"):
        compare(hashed, rehashed)
    empty = {"rows": [{**result([])["rows"][0], "per_line": {"edits": [], "chars": []}}]}
    with pytest.raises(ValueError, match="no lines"):
        compare(empty, empty)
    # a row's interval does not depend on the rows before it
    two_a, two_b = result(edits), result(jitter)
    for two in (two_a, two_b):
        two["rows"].insert(0, {**two["rows"][0], "set": "first"})
    rows = compare(two_a, two_b)
    assert [r["set"] for r in rows] == ["first", "s"] and rows[1]["ci95"] == same["ci95"]


def test_run_to_run_noise_sets_the_reference_beside_runs_of_its_recipe() -> None:
    from scipy.stats import f as f_distribution

    from training.compare_evals import run_to_run, run_to_run_markdown

    rng = np.random.default_rng(1)
    chars = rng.integers(5, 30, 300)
    rates = rng.uniform(0.03, 0.25, 6)  # six rows of different difficulty

    def run(seed: int, shift: float = 0.0, spread: float = 0.01) -> dict:
        # each run moves each row's error rate by its own chance, as a training run does
        r = np.random.default_rng(seed)
        rows = []
        for k, rate in enumerate(rates):
            p = float(np.clip(rate + shift + r.normal(0, spread), 0.001, 0.9))
            edits = r.binomial(chars, p).tolist()
            row = {"set": f"s{k}", "condition": "c", "decoding": "greedy", "cer": 0.0}
            rows.append({**row, "per_line": {"edits": edits, "chars": chars.tolist()}})
        return {"rows": rows}

    runs = {"seed1": run(1), "seed2": run(2), "seed3": run(3)}
    near = run_to_run(run(4), runs)
    assert near["within_recipe_noise"] and near["ratio"] < near["limit"]
    # six rows: one contrast a row for the reference, two for three runs
    assert near["limit"] == pytest.approx(f_distribution.ppf(0.95, 6, 12), abs=1e-3)
    assert [(p["a"], p["b"]) for p in near["between"]] == [
        ("seed1", "seed2"),
        ("seed1", "seed3"),
        ("seed2", "seed3"),
    ]
    assert all(p["rows"] == 6 for p in near["reference"] + near["between"])
    assert "seed1 vs seed2" in run_to_run_markdown(near, "shipped")
    # a model 0.05 worse on every row is not one more run of the recipe
    apart = run_to_run(run(4, shift=0.05), runs)
    assert not apart["within_recipe_noise"] and apart["ratio"] > 3 * near["ratio"]
    assert "shipped is NOT within" in run_to_run_markdown(apart, "shipped")
    # runs that differ as much among themselves as from it: within their noise
    wide = {n: run(s, spread=0.05) for n, s in (("a", 5), ("b", 6), ("c", 7))}
    assert run_to_run(run(4, shift=0.05), wide)["within_recipe_noise"]
    with pytest.raises(ValueError, match="two or more runs"):
        run_to_run(run(4), {"seed1": runs["seed1"]})
    # only the rows every file holds are compared; none in common is an error
    short = {**runs["seed3"], "rows": runs["seed3"]["rows"][:4]}
    part = run_to_run(run(4), {**runs, "seed3": short})
    assert all(p["rows"] == 4 for p in part["reference"] + part["between"])
    assert part["limit"] == pytest.approx(f_distribution.ppf(0.95, 4, 8), abs=1e-3)
    renamed = {"rows": [{**r, "set": "other"} for r in short["rows"]]}
    with pytest.raises(ValueError, match="no row"):
        run_to_run(run(4), {**runs, "seed3": renamed})


def test_a_certain_difference_is_never_taken_for_none() -> None:
    from training.compare_evals import compare

    # every line one edit worse: no resample varies, and the difference is certain
    row = {"set": "s", "condition": "c", "decoding": "greedy", "cer": 0.0}
    a = {"rows": [{**row, "per_line": {"edits": [0] * 50, "chars": [10] * 50}}]}
    b = {"rows": [{**row, "per_line": {"edits": [1] * 50, "chars": [10] * 50}}]}
    (worse,) = compare(a, b)
    assert worse["z"] == float("inf") and not worse["within_noise"]
    (same,) = compare(a, a)
    assert same["z"] == 0.0 and same["within_noise"]


def test_a_run_resumes_only_on_the_budget_it_was_made_with(tmp_path) -> None:
    from training.train import main

    model = CRNN(len(C.CHARSET) + 1)
    opt = torch.optim.AdamW(model.parameters())
    state = {"model": model.state_dict(), "opt": opt.state_dict(), "step": 5, "elapsed": 9.0}
    torch.save(
        {**state, "best_cer": 1.0, "budget": {"steps": 100, "hours": 1.5}}, tmp_path / "latest.pt"
    )
    for other in (["--steps", "200"], ["--hours", "1.5"]):
        with pytest.raises(SystemExit, match="budget"):
            main(["--out", str(tmp_path), "--resume", *other])
    # a checkpoint from before --steps was made on the clock
    torch.save({**state, "best_cer": 1.0}, tmp_path / "latest.pt")
    with pytest.raises(SystemExit, match="budget"):
        main(["--out", str(tmp_path), "--resume", "--steps", "100"])
    with pytest.raises(SystemExit, match="0 or more"):
        main(["--out", str(tmp_path), "--steps", "-1"])


def test_the_noise_test_is_measured_on_recipes_whose_truth_is_known() -> None:
    from training.noise_test_power import Recipe, share_within

    recipe = Recipe(spread=0.0)
    one = recipe.run(1)
    assert one == recipe.run(1) and one != recipe.run(2)
    assert len(one["rows"]) == 11 and len(one["rows"][0]["per_line"]["edits"]) == 300
    # a model 0.05 worse on every row is never one more run of the recipe; one more run is
    share, between = share_within(recipe, runs=2, shift=0.05, trials=2)
    assert share == 0.0 and 0.3 < between < 3.0
    assert share_within(recipe, runs=2, shift=0.0, trials=5)[0] >= 0.6
