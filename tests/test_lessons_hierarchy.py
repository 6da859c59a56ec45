"""Notebooks 07–09's training set-ups (mmviz.lessons.hierarchy) and their picture (mmviz.plot.seeds): a
stopped run is a prefix of the full one, an early stop holds the curve at its last value, the tables count
seeds, bad input names what was expected."""
from __future__ import annotations

import math

import pytest

from mmviz.check import first_stage_mask
from mmviz.lessons import hierarchy
from mmviz.plot.seeds import band_of, plot_seed_curves
from mmviz.seeds import Seeds

STEPS = [50, 100, 150]
RUNS = {"cross": Seeds([0, 1, 2], {"best": [0.2, 0.15, 0.2], "final": [0.1, 0.15, 0.2],
                                   "reached": [math.nan] * 3},
                       {"accuracy": [[0.1, 0.2, 0.1], [0.15, 0.1, 0.15], [0.1, 0.2, 0.2]]},
                       {"accuracy": STEPS}),
        "concat": Seeds([0, 1, 2], {"best": [1.0, 0.98, 0.96], "final": [1.0, 0.98, 0.96],
                                    "reached": [100, 150, 100]},
                        {"accuracy": [[0.5, 1.0, 1.0], [0.2, 0.8, 0.98], [0.3, 0.96, 0.96]]},
                        {"accuracy": STEPS})}


def test_a_stopped_run_is_the_prefix_of_a_longer_one():
    short = hierarchy.seed_curve("repeat", "cross_attention", seed=1, stop=50)
    longer = hierarchy.seed_curve("repeat", "cross_attention", seed=1, stop=100)
    assert len(short) == 1 and len(longer) == 2
    assert short == longer[:1]


def test_a_run_that_reaches_the_stop_level_ends_there_and_its_curve_holds_its_last_value():
    setup = hierarchy.experiment("repeat")
    run = hierarchy.curve_run("repeat", "early_concatenation", seed=0)      # solves it within 200 steps
    curve, steps = run["accuracy"], run["accuracy_steps"]
    assert len(curve) == len(steps) == setup["steps"] // setup["eval_every"]
    first = next(i for i, a in enumerate(curve) if a >= setup["stop_at"])
    assert first < 6 and set(curve[first:]) == {curve[first]}
    assert run["best"] == max(curve) and run["reached"] <= steps[first]


@pytest.mark.parametrize("args, message", [
    (("tally", "cross_attention", 0), "unknown experiment 'tally'"),
    (("locate", "cross_attention", 0), "no learning curve"),
    (("repeat", "cross_attention", 0, 75), "multiple of eval_every = 50, got 75"),
    (("repeat", "cross_attention", 0, 5000), "stop"),
])
def test_bad_arguments_name_what_was_expected(args, message):
    with pytest.raises(ValueError, match=message):
        hierarchy.seed_curve(*args)


def test_split_undoes_a_paired_run():
    paired = Seeds([0, 1], {"a best": [0.5, 0.6], "b best": [0.9, 1.0]},
                   {"a accuracy": [[0.1, 0.5], [0.2, 0.6]], "b accuracy": [[0.5, 0.9], [0.7, 1.0]]},
                   {"a accuracy": STEPS[:2], "b accuracy": STEPS[:2]})
    runs = hierarchy.split(paired, {"a": "cross_attention", "b": "early_concatenation"})
    assert list(runs) == ["cross_attention", "early_concatenation"]
    assert runs["early_concatenation"].values == {"best": [0.9, 1.0]}
    assert runs["cross_attention"].curves["accuracy"] == [[0.1, 0.5], [0.2, 0.6]]
    assert hierarchy.for_plot("repeat", runs)["step"] == STEPS[:2]


def test_first_step_and_baseline():
    assert hierarchy.first_step([0.5, 0.92, 1.0], STEPS) == 100
    assert math.isnan(hierarchy.first_step([0.5, 0.6], STEPS))
    assert 0.5 <= hierarchy.baseline("match") < 0.6 and 1 / 7 <= hierarchy.baseline("repeat") < 0.25


def test_describe_counts_seeds_that_reach_the_level():
    header, cross, concat = hierarchy.describe(RUNS)
    assert "reached 90%" in header
    assert "0 of 3 seeds" in cross and "—" in cross and "15% (10%–20%)" in cross
    assert "3 of 3 seeds" in concat and "100 (100–150)" in concat


def test_live_matches_accepts_a_close_prefix_and_refuses_a_far_one():
    assert hierarchy.live_matches([0.5, 0.98], RUNS["concat"]) == pytest.approx(0.02)
    with pytest.raises(ValueError, match="--write"):
        hierarchy.live_matches([0.5, 0.7], RUNS["concat"])


def test_band_is_mean_min_max_point_by_point():
    mean, low, high = band_of([[0.0, 1.0], [0.5, 0.0], [1.0, 0.5]])
    assert mean == [0.5, 0.5] and low == [0.0, 0.0] and high == [1.0, 1.0]


def test_plot_draws_a_band_per_variant_the_baseline_and_live_points():
    evidence = {"step": STEPS, "seeds": [0, 1, 2], "chance": 1 / 7,
                "curves": {v: RUNS[k].curves["accuracy"] for k, v in (("cross", "cross_attention"),
                                                                       ("concat", "early_concatenation"))}}
    fig = plot_seed_curves(evidence, live={"cross_attention": [0.1, 0.2]})
    ax = fig.axes[0]
    assert len(ax.collections) == 2                             # one min–max band per variant
    labels = ax.get_legend_handles_labels()[1]
    assert "chance (0.14)" in labels and "seed 0, rerun now" in labels
    with pytest.raises(ValueError, match="no curves for \\['locate'\\]"):
        plot_seed_curves(evidence, ["locate"])


def test_first_stage_mask_check(capsys):
    import torch
    modality = torch.tensor([0] * 16 + [1] * 2)
    assert first_stage_mask(modality[:, None] == modality[None, :])
    assert not first_stage_mask(torch.ones(18, 18))
    assert "joint layer" in capsys.readouterr().out
    assert not first_stage_mask("nonsense")


def test_the_curves_dashed_line_says_it_is_the_majority_class_baseline():
    from mmviz.lessons.hierarchy import baseline, for_plot

    runs = {"cross_attention": RUNS["cross"], "early_concatenation": RUNS["concat"]}
    fig = plot_seed_curves(for_plot("repeat", runs))
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert f"majority-class baseline ({baseline('repeat'):.2f})" in labels
    assert not any("chance" in t for t in labels)
