"""Notebook 09 (cross-attention): no self-context in one cross layer, the repeat task, the checks."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import mmviz
from mmviz.data.tasks import make_repeat_task, repeated_tones
from mmviz.measure import self_context_change


def inputs(seed=0, counts=(6, 3), dim=16, batch=4):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(batch, n, dim, generator=g) for n in counts]


@pytest.mark.parametrize("token", [0, 2])
@pytest.mark.parametrize("modality", [0, 1])
@pytest.mark.parametrize("norm", ["pre", "post"])
def test_one_cross_layer_has_no_self_context(token, modality, norm):
    torch.manual_seed(0)
    model = mmviz.build_fusion("cross_attention", 2, 16, depth=1, heads=2, norm=norm)
    zs = inputs()
    change = self_context_change(model, zs, modality, token)
    assert change[token] > 0
    others = torch.cat([change[:token], change[token + 1:]])
    assert torch.equal(others, torch.zeros_like(others))


@pytest.mark.parametrize("variant", ["early_concatenation", "cross_attention_to_concatenation"])
def test_a_joint_stage_restores_self_context(variant):
    torch.manual_seed(0)
    change = self_context_change(mmviz.build_fusion(variant, 2, 16, depth=1, heads=2), inputs(), 0, 2)
    assert (change > 0).all()


def test_two_cross_layers_reach_their_own_modality_through_the_other():
    torch.manual_seed(0)
    model = mmviz.build_fusion("cross_attention", 2, 16, depth=2, heads=2)
    change = self_context_change(model, inputs(), 0, 2)
    assert (change > 0).all()


def test_self_context_change_refuses_bad_tokens():
    model = mmviz.build_fusion("cross_attention", 2, 16, depth=1, heads=2)
    with pytest.raises(ValueError, match="token must be"):
        self_context_change(model, inputs(), 0, 6)
    with pytest.raises(ValueError, match="modality"):
        self_context_change(model, inputs(), 2, 0)


def test_repeat_task_has_exactly_one_repeat_and_its_label_points_at_it():
    rng = np.random.default_rng(0)
    for _ in range(200):
        tones, t = repeated_tones(rng)
        repeats = [s for s in range(1, len(tones)) if tones[s] == tones[s - 1]]
        assert repeats == [t]
    task = make_repeat_task(n_train=50, n_test=20, seed=3)
    assert task.readout == "pointer" and task.pointer_modality == 0
    assert task.num_classes == task.modalities[0].num_tokens == 8
    assert int(task.train.labels.min()) >= 1
    again = make_repeat_task(n_train=50, n_test=20, seed=3)
    assert all(torch.equal(a, b) for a, b in zip(task.train.inputs, again.train.inputs))
    assert torch.equal(task.test.labels, again.test.labels)


def test_repeat_task_label_is_read_from_the_sound_not_the_sensor():
    task = make_repeat_task(n_train=300, n_test=10, seed=0)
    sound, sensor = task.train.inputs
    # decode the tone of each step from the sound (cosine of k+1 cycles per 8-sample frame)
    frames = sound[:, 0].reshape(len(sound), 8, 8)
    basis = torch.stack([torch.cos(2 * torch.pi * (k + 1) * torch.arange(8) / 8) for k in range(4)])
    tones = (frames @ basis.T).argmax(-1)
    repeat_at = ((tones[:, 1:] == tones[:, :-1]).float().argmax(-1) + 1)
    assert torch.equal(repeat_at, task.train.labels)
    levels = (sensor[:, 0].reshape(len(sensor), 8, 8).mean(-1) * 3).round()
    sensor_guess = ((levels[:, 1:] == levels[:, :-1]).float().argmax(-1) + 1)
    assert (sensor_guess == task.train.labels).float().mean() < 0.5      # the sensor holds no clue


def test_make_repeat_task_refuses_bad_sizes():
    with pytest.raises(ValueError, match="n_train"):
        make_repeat_task(n_train=0)
    with pytest.raises(ValueError, match="n_test"):
        make_repeat_task(n_test=True)


def test_self_checks_for_09(capsys):
    check = mmviz.check
    assert check.cross_attention_changed_tokens([5]) and not check.cross_attention_changed_tokens(range(16))
    assert check.single_key_weight(1) and not check.single_key_weight(0.5)
    assert check.cross_attention_remedy("cross_attention_to_concatenation")
    assert not check.cross_attention_remedy("cross_attention")
    assert check.cross_attention_changed_tokens(5)             # one index, as a number
    assert not check.cross_attention_changed_tokens("five-ish")  # never raises on an answer
    assert capsys.readouterr().out.count("Not yet:") == 4
