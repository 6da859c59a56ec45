"""Notebook 05's self-checks, and the facts they rest on: summation costs what one modality costs."""
import torch

import mmviz
from mmviz import check


def test_summation_flops_check_agrees_with_attention_cost():
    cost = mmviz.attention_cost("early_summation", [8, 8], dim=32, depth=1)
    assert check.summation_attention_flops(cost["attention"], tokens=8, dim=32)
    doubled = mmviz.attention_cost("early_concatenation", [8, 8], dim=32, depth=1)["attention"]
    assert not check.summation_attention_flops(doubled, tokens=8, dim=32)


def test_ignored_modality_is_the_one_alpha_zeroes():
    torch.manual_seed(0)
    fusion = mmviz.build_fusion("early_summation", 2, 16, depth=1, heads=2, alpha=[1.0, 0.0])
    sound = torch.randn(1, 4, 16)
    with torch.no_grad():
        assert torch.equal(fusion([sound, torch.randn(1, 4, 16)]).tokens,
                           fusion([sound, torch.randn(1, 4, 16)]).tokens)
    assert check.ignored_modality("sensor") and check.ignored_modality(" Sensor ")
    assert not check.ignored_modality("sound")
    assert not check.ignored_modality("image")          # never raises on an answer: "choose one of"


def test_why_summation_fails_choices():
    assert check.why_summation_fails("b")
    assert not check.why_summation_fails("a") and not check.why_summation_fails("C")
    assert not check.why_summation_fails("d")


def test_shuffled_streams_keep_every_time_stamp():
    """Notebook 05 says the shuffled data hold the same information: every step keeps its time stamp."""
    task = mmviz.make_task("streams", n_train=20, n_test=20, seed=0, aligned=False)
    stamps = task.test.words[1]
    assert all(sorted(row) == [f"t={t}" for t in range(8)] for row in stamps)
    assert sum(list(row) != [f"t={t}" for t in range(8)] for row in stamps) >= 18


def test_realign_puts_every_sensor_frame_back_at_its_time_stamp():
    """After realign the sensor's time code (channels 1-4) equals the sound's at every sample; before, not."""
    from mmviz.lessons import summation
    shuffled, realigned = summation.streams(aligned=False), summation.realigned()
    sound, sensor = shuffled.test.inputs
    assert (sound[:, 1:] - sensor[:, 1:]).abs().max() > 0.5
    sound, sensor = realigned.test.inputs
    assert torch.equal(sound[:, 1:], sensor[:, 1:])
    assert torch.equal(realigned.test.labels, shuffled.test.labels)
    assert sorted(sensor[:, 0].flatten().tolist()) == sorted(shuffled.test.inputs[1][:, 0].flatten().tolist())


def test_alpha_weights_sum_to_one_and_moving_alpha_is_undone():
    from mmviz.lessons import summation
    for m in (2, 3, 4):
        for w in (0.1, 1 / m, 0.9):
            alpha = summation.weights(m, w)
            assert len(alpha) == m and abs(sum(alpha) - 1) < 1e-9 and alpha[0] == w
    task = summation.sync(2)
    model = mmviz.FusionClassifier("early_summation", task, dim=16, depth=1, heads=2, alpha=[0.5, 0.5])
    summation.accuracy_at(model, task, [1.0, 0.0])
    assert model.fusion.alpha.tolist() == [0.5, 0.5]
