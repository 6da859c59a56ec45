"""Notebook 08 (one→multi): the influence measurements it rests on, on small untrained models."""
from __future__ import annotations

import pytest
import torch

import mmviz
from mmviz.measure import relative_change, stage_change, stream_influence


def inputs(seed=0, counts=(6, 3), dim=16, batch=4):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(batch, n, dim, generator=g) for n in counts]


def build(variant, depth=1):
    torch.manual_seed(0)
    return mmviz.build_fusion(variant, 2, 16, depth=depth, heads=2)


@pytest.mark.parametrize("variant", ["hierarchical_one_to_multi", "hierarchical_multi_to_one",
                                     "early_concatenation", "cross_attention",
                                     "cross_attention_to_concatenation"])
def test_every_interacting_variant_lets_each_modality_reach_the_other(variant):
    model, zs = build(variant), inputs()
    reach = [stream_influence(model, zs, s, t) for s in range(2) for t in range(2)]
    assert all(v > 0 for v in reach), reach


def test_one_to_multi_hears_the_other_modality_only_in_the_joint_stage():
    model, zs = build("hierarchical_one_to_multi", depth=2), inputs()
    assert stage_change(model, zs, model.joint, source=1, target=0) > 0
    assert stream_influence(model, zs, source=1, target=0) > 0
    with torch.no_grad():                    # the same B after the joint stage: the A stream is unchanged
        joint = model.joint(torch.cat(zs, dim=1))
        a, b = joint.split([6, 3], dim=1)
        before = model.separate[0](a)
        model.separate[1](b.roll(1, dims=0))
        assert torch.equal(before, model.separate[0](a))
    last = [r for r in model(zs).attention if (r.query_modality == 0).any()][-1]
    assert (last.key_modality == 0).all()    # the image's last maps have no key of the other modality


def test_influence_is_zero_when_the_source_is_unchanged_and_measures_are_relative():
    model, zs = build("early_concatenation"), inputs()
    same = [zs[0], zs[1][[1, 0, 3, 2]] * 0 + zs[1]]           # identical copy, not a swap
    with torch.no_grad():
        assert relative_change(model(zs).stream(0), model(same).stream(0)) == 0.0
    x = torch.ones(2, 3, 4)
    assert relative_change(x, 2 * x) == pytest.approx(1.0)


def test_influence_refuses_what_it_cannot_measure():
    zs = inputs(counts=(3, 3))
    summed = mmviz.build_fusion("early_summation", 2, 16, depth=1, heads=2)
    with pytest.raises(ValueError, match="no final stream"):
        stream_influence(summed, zs, source=1, target=0)
    model = build("early_concatenation")
    with pytest.raises(ValueError, match="target"):
        stream_influence(model, zs, source=0, target=5)
    with pytest.raises(ValueError, match="at least 2 samples"):
        stream_influence(model, inputs(batch=1), source=0, target=1)


def test_influence_keeps_the_models_mode():
    model = build("hierarchical_one_to_multi")
    model.train()
    stream_influence(model, inputs(), 1, 0)
    assert model.training


def test_self_checks_for_08(capsys):
    assert mmviz.check.one_to_multi_route("joint") and not mmviz.check.one_to_multi_route("separate")
    assert mmviz.check.one_to_multi_maps(8) and not mmviz.check.one_to_multi_maps(6)
    model = mmviz.build_fusion("hierarchical_one_to_multi", 3, 16, depth=2, heads=2)
    assert len(model([torch.randn(1, n, 16) for n in (2, 3, 4)]).attention) == 8
    assert not mmviz.check.one_to_multi_route("late")          # never raises on an answer
    printed = capsys.readouterr().out
    assert printed.count("Not yet:") == 3 and "choose one of joint" in printed
