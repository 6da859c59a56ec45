"""Notebooks 07–09's learning curves over seeds (mmviz.lessons.hierarchy) and their picture
(mmviz.plot.seeds): a stopped run is a prefix of the full one, bad input names what was expected."""
from __future__ import annotations

import pytest

from mmviz.check import first_stage_mask
from mmviz.lessons import hierarchy
from mmviz.plot.seeds import band_of, plot_seed_curves

EVIDENCE = {"step": [50, 100, 150], "seeds": [0, 1, 2], "chance": 1 / 7, "steps": 150,
            "curves": {"cross_attention": [[0.1, 0.2, 0.1], [0.2, 0.1, 0.15], [0.1, 0.1, 0.2]],
                       "early_concatenation": [[0.5, 0.9, 1.0], [0.2, 0.8, 1.0], [0.3, 1.0, 1.0]]}}


def test_a_stopped_run_is_the_prefix_of_a_longer_one():
    short = hierarchy.seed_curve("repeat", "cross_attention", seed=1, stop=50)
    longer = hierarchy.seed_curve("repeat", "cross_attention", seed=1, stop=100)
    assert len(short) == 1 and len(longer) == 2
    assert short == longer[:1]


@pytest.mark.parametrize("args, message", [
    (("tally", "cross_attention", 0), "unknown experiment 'tally'"),
    (("repeat", "early_summation", 0), "got variant 'early_summation'"),
    (("repeat", "cross_attention", 0, 75), "multiple of eval_every = 50, got 75"),
    (("repeat", "cross_attention", 0, 5000), "stop"),
])
def test_bad_arguments_name_what_was_expected(args, message):
    with pytest.raises(ValueError, match=message):
        hierarchy.seed_curve(*args)


def test_summary_and_describe_read_the_curves():
    s = hierarchy.summary(EVIDENCE, "early_concatenation", level=0.9)
    assert s["final"] == [1.0, 1.0, 1.0] and s["best"] == [1.0, 1.0, 1.0]
    assert s["reached"] == [100, 150, 100]
    assert hierarchy.summary(EVIDENCE, "cross_attention")["reached"] == [None, None, None]
    header, line = hierarchy.describe(EVIDENCE, ["cross_attention"])
    assert "after 150 steps" in header and "seeds 0/1/2" in header
    assert "15% (10%–20%)" in line and line.endswith("never / never / never")


def test_live_matches_accepts_a_close_prefix_and_refuses_a_far_one():
    assert hierarchy.live_matches([0.5, 0.92], EVIDENCE, "early_concatenation", 0.05) == pytest.approx(0.02)
    with pytest.raises(ValueError, match="rerun tools/evidence.py"):
        hierarchy.live_matches([0.5, 0.7], EVIDENCE, "early_concatenation", 0.05)


def test_band_is_mean_min_max_point_by_point():
    mean, low, high = band_of([[0.0, 1.0], [0.5, 0.0], [1.0, 0.5]])
    assert mean == [0.5, 0.5] and low == [0.0, 0.0] and high == [1.0, 1.0]


def test_plot_draws_a_band_per_variant_chance_and_live_points():
    fig = plot_seed_curves(EVIDENCE, live={"cross_attention": [0.1, 0.2]})
    ax = fig.axes[0]
    assert len(ax.collections) == 2                             # one min–max band per variant
    labels = ax.get_legend_handles_labels()[1]
    assert "chance (0.14)" in labels and "seed 0, rerun now" in labels
    with pytest.raises(ValueError, match="no curves for \\['locate'\\]"):
        plot_seed_curves(EVIDENCE, ["locate"])


def test_first_stage_mask_check(capsys):
    import torch
    modality = torch.tensor([0] * 16 + [1] * 2)
    assert first_stage_mask(modality[:, None] == modality[None, :])
    assert not first_stage_mask(torch.ones(18, 18))
    assert "joint layer" in capsys.readouterr().out
    assert not first_stage_mask("nonsense")
