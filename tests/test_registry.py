"""The variant registry: a seventh variant, declared here and nowhere else, works everywhere.

The toy variant ("separate_streams": one encoder per modality and no attention across modalities,
the late-fusion baseline the survey contrasts with) is registered by this file only; cost, training,
the measures, the map plots, the playground table and the explorer then take it like the survey's six.
"""
from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

import mmviz
from mmviz.fusion import (
    FUSION_VARIANTS,
    STAGE_KINDS,
    VARIANTS,
    EarlyConcatenation,
    Fusion,
    StageKind,
    Variant,
    modality_labels,
    reads_all,
    register_variant,
    registered,
)
from mmviz.lessons import playground
from mmviz.train import FusionClassifier, evaluate, fit

TOY = "separate_streams"


class SeparateStreams(Fusion):
    """Z_m = Tf_m(Z_m) for every m: no attention across modalities."""

    def __init__(self, num_modalities, dim, **kwargs):
        super().__init__(num_modalities, dim, **kwargs)
        self.separate = nn.ModuleList(self.encoder() for _ in range(num_modalities))

    def forward(self, zs):
        zs = self.check_inputs(zs)
        counts = [z.shape[1] for z in zs]
        streams, records = [], []
        for m, (tf, z) in enumerate(zip(self.separate, zs)):
            streams.append(tf(z))
            records += self.records(f"modality {m + 1} encoder", tf, modality_labels([counts[m]], [m]),
                                    kind="separate")
        return self.output(streams, modality_labels(counts), records)


@pytest.fixture
def toy():
    with registered(Variant(TOY, SeparateStreams, ("separate",), style=dict(marker="X", ls="-"))):
        yield TOY
    assert TOY not in VARIANTS


@pytest.fixture(scope="module")
def task():
    return mmviz.make_task("locate", n_train=96, n_test=24, seed=0)


def test_toy_variant_cost_equals_the_flop_counter(toy):
    counts, dim = [5, 3], 16
    model = mmviz.build_fusion(toy, 2, dim, depth=2, heads=2)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model([torch.randn(1, n, dim) for n in counts])
    cost = mmviz.attention_cost(toy, counts, dim, depth=2, heads=2)
    assert counter.get_total_flops() == cost["total"]
    assert set(cost["stages"]) == {"separate"}


def test_toy_variant_trains_and_is_measured(toy, task):
    model = FusionClassifier(toy, task, dim=16, depth=1, heads=2, seed=0)
    history = fit(model, task, steps=3, batch_size=16, progress=False, eval_every=3)
    assert len(history.step) == 3 and 0.0 <= evaluate(model, task)["accuracy"] <= 1.0
    row = playground.measure(model, task, history)
    assert row.variant == toy and row.cross_share == pytest.approx(0.0, abs=1e-6)   # never crosses
    assert math.isnan(row.alignment)                  # no map pairs tokens of two modalities
    table = playground.comparison_table({toy: row, "early_concatenation": ValueError("x; y")})
    assert toy in table and "cannot run" in table


def test_toy_variant_is_drawn(toy, task):
    models = {}
    for variant in (*mmviz.FUSION_VARIANTS, toy):
        try:
            model = FusionClassifier(variant, task, dim=16, depth=1, heads=2, seed=0)
        except ValueError as refusal:
            models[variant] = refusal
            continue
        models[variant] = playground.measure(model, task, fit(model, task, steps=2, batch_size=8,
                                                                progress=False, eval_every=2))
    fig = mmviz.plot.plot_variant_maps(models, task)             # seven panels: a third row
    panel_tops = sorted({round(ax.get_position().y1, 2) for ax in fig.axes if ax.get_position().height > 0.1})
    assert len(panel_tops) == 3 and all(0 < ax.get_position().y0 and ax.get_position().y1 <= 1
                                        for ax in fig.axes)
    curves = mmviz.plot.plot_learning_curves(models)
    assert toy.replace("_", " ") in [t.get_text() for t in curves.axes[0].get_legend().get_texts()]
    cost = mmviz.plot_cost(token_counts=(2, 4), num_modalities=2)
    assert len(cost.axes[0].lines) == len(VARIANTS)


def test_toy_variant_in_the_explorer(toy):
    pytest.importorskip("ipywidgets")
    task = mmviz.make_task("locate", n_train=32, n_test=8, seed=0)
    explorer = mmviz.fusion_explorer(task, variant=toy, steps=2, batch_size=8)
    assert toy in explorer.controls["variant"].options
    assert explorer.output is not None and explorer.output.attention[0].stage == "modality 1 encoder"


@pytest.mark.parametrize("call", [
    lambda: mmviz.build_fusion("late_fusion", 2, 16),
    lambda: mmviz.attention_cost("late_fusion", [2, 3], 16),
    lambda: FusionClassifier("late_fusion", mmviz.make_task("locate", n_train=4, n_test=4)),
    lambda: mmviz.plot_cost(variants=["late_fusion"]),
    lambda: mmviz.fusion_explorer("locate", variant="late_fusion"),
])
def test_an_unknown_variant_is_refused_everywhere(call):
    with pytest.raises(ValueError, match="unknown fusion variant 'late_fusion'.*early_summation"):
        call()


def test_register_refuses_what_is_not_a_variant():
    with pytest.raises(ValueError, match="Variant, got dict"):
        register_variant({"name": "x"})
    with pytest.raises(ValueError, match="subclass of mmviz.fusion.Fusion"):
        Variant("x", dict, ("joint",))
    with pytest.raises(ValueError, match="tuple of stage kind names"):
        Variant("x", EarlyConcatenation, "joint")
    with pytest.raises(ValueError, match=r"unknown stage kinds \['one_way'\]"):
        register_variant(Variant("x", EarlyConcatenation, ("one_way",)))
    assert "x" not in VARIANTS


def test_a_duplicate_name_is_refused_and_changes_nothing():
    before = VARIANTS["early_concatenation"]
    with pytest.raises(ValueError, match="'early_concatenation' is already registered"):
        register_variant(Variant("early_concatenation", EarlyConcatenation, ("joint",), equal_counts=True))
    assert VARIANTS["early_concatenation"] is before
    with pytest.raises(ValueError, match="stage kind 'joint' is already registered"), registered(
            StageKind("joint", reads_all, "t", "l", "h")):
        pass
    assert STAGE_KINDS["joint"].title == "joint: all pairs"


def test_registering_a_class_twice_changes_no_model():
    """A second name for EarlyConcatenation that needs equal counts leaves the first name's models alone."""
    built = mmviz.build_fusion("early_concatenation", 2, 16, depth=1, heads=2)
    with registered(Variant("equal_concatenation", EarlyConcatenation, ("joint",), equal_counts=True)):
        other = mmviz.build_fusion("equal_concatenation", 2, 16, depth=1, heads=2)
        zs = [torch.randn(1, 3, 16), torch.randn(1, 5, 16)]
        assert built(zs).tokens.shape == (1, 8, 16)          # counts [3, 5] still fine here
        with pytest.raises(ValueError, match="equal_concatenation adds token i"):
            other(zs)
        again = mmviz.build_fusion("early_concatenation", 2, 16, depth=1, heads=2)
        assert (built.variant, other.variant, again.variant) == ("early_concatenation", "equal_concatenation",
                                                                 "early_concatenation")
    assert EarlyConcatenation.variant == "early_concatenation" and "equal_concatenation" not in VARIANTS


def test_the_survey_six_are_a_literal_beside_the_live_registry():
    assert FUSION_VARIANTS == ("early_summation", "early_concatenation", "hierarchical_multi_to_one",
                               "hierarchical_one_to_multi", "cross_attention",
                               "cross_attention_to_concatenation")
    assert set(FUSION_VARIANTS) <= set(VARIANTS)
    with registered(Variant("joint_twice", EarlyConcatenation, ("joint", "joint"))):
        assert "joint_twice" in VARIANTS and "joint_twice" not in FUSION_VARIANTS
        assert len(mmviz.plot.compare.plot_variant_masks().axes) == 9     # the survey's six: 9 stage panels
        assert "joint_twice" in mmviz.measure.cost_curves([2], variants=None)
