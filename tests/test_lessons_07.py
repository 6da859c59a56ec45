"""Notebook 07 (multi→one): the claims it makes, on small models, plus its labels and self-checks."""
from __future__ import annotations

import pytest
import torch

import mmviz
from mmviz.data import record_labels
from mmviz.measure import attention_cost, modality_blocks, stage_change


@pytest.fixture(scope="module")
def task():
    return mmviz.make_task("locate", n_train=8, n_test=8, seed=0)


def inputs(seed=0, counts=(16, 2), dim=16, batch=4):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(batch, n, dim, generator=g) for n in counts]


@pytest.mark.parametrize("depth", [1, 2])
def test_first_stage_is_blind_to_the_other_modality(depth):
    torch.manual_seed(0)
    model = mmviz.build_fusion("hierarchical_multi_to_one", 2, 16, depth=depth, heads=2)
    zs = inputs()
    assert stage_change(model, zs, model.separate[0], source=1) == 0.0
    assert stage_change(model, zs, model.separate[1], source=0) == 0.0
    assert stage_change(model, zs, model.joint, source=1, target=0) > 0.0
    assert stage_change(model, zs, model.separate[0], source=0) > 0.0     # it does see its own modality


def test_first_stage_has_no_cross_modal_attention_and_the_joint_stage_has():
    torch.manual_seed(0)
    model = mmviz.build_fusion("hierarchical_multi_to_one", 2, 16, depth=1, heads=2)
    out = model(inputs())
    first = [r for r in out.attention if r.stage.endswith("encoder")]
    joint = [r for r in out.attention if r.stage == "joint"]
    mass = modality_blocks(first)[1]
    assert mass[0, 1] == 0 and mass[1, 0] == 0
    mass = modality_blocks(joint)[1]
    assert mass[0, 1] > 0 and mass[1, 0] > 0


def test_stage_change_refuses_bad_input():
    model = mmviz.build_fusion("hierarchical_multi_to_one", 2, 16, depth=1, heads=2)
    with pytest.raises(ValueError, match="source"):
        stage_change(model, inputs(), model.joint, source=2)
    with pytest.raises(ValueError, match="batch size"):
        stage_change(model, inputs(batch=1), model.joint, source=0)
    with pytest.raises(ValueError, match="non-empty list"):
        stage_change(model, torch.zeros(2, 3, 16), model.joint, source=0)


def test_multi_to_one_saves_exactly_the_cross_term():
    for counts in ([16, 2], [5, 7]):
        a = attention_cost("hierarchical_multi_to_one", counts, 32, depth=1)["attention"]
        b = attention_cost("early_concatenation", counts, 32, depth=2)["attention"]
        assert b - a == 8 * 32 * counts[0] * counts[1]


def test_record_labels_name_patches_and_words(task):
    model = mmviz.build_fusion("hierarchical_multi_to_one", 2, 16, depth=1, heads=2)
    out = model(inputs(batch=1))
    joint = out.attention[-1]
    labels = record_labels(task, joint.query_modality, sample=3)
    assert labels[:16] == task.modalities[0].token_labels
    assert labels[16:] == task.token_labels(3)[1]
    assert record_labels(task, out.attention[1].key_modality, sample=3) == task.token_labels(3)[1]
    with pytest.raises(ValueError, match="no label"):
        record_labels(task, torch.tensor([1, 1, 1]))


def test_self_checks_say_right_and_wrong(capsys):
    check = mmviz.check
    assert check.multi_to_one_first_stage_share(0) and not check.multi_to_one_first_stage_share(2 / 18)
    assert check.separate_stage_flops(33280) and not check.separate_stage_flops(4 * 32 * 18 ** 2)
    assert check.multi_to_one_special_case("early concatenation")
    assert not check.multi_to_one_special_case("cross_attention")
    assert not check.multi_to_one_special_case("late fusion")   # never raises on an answer
    assert not check.separate_stage_flops("many")
    printed = capsys.readouterr().out
    assert printed.count("Right:") == 3 and printed.count("Not yet:") == 5
    assert "choose one of" in printed and "does not read as one" in printed


def test_stage_viewer_walks_every_map_and_draws_queries_on_the_picture(task):
    from mmviz.explore import stage_viewer
    from mmviz.train import FusionClassifier

    model = FusionClassifier("cross_attention_to_concatenation", task, dim=16, depth=1, heads=2, seed=0)
    viewer = stage_viewer(model, task, samples=4)
    c = viewer.controls
    assert [name for name, _ in c["map"].options] == [r.name for r in model.last.attention]
    c["map"].value = 1                                   # words asking the picture
    assert [label for label, _ in c["query"].options] == task.token_labels(0)[1]
    c["query"].value = 1
    c["sample"].value = 2
    assert [label for label, _ in c["query"].options] == task.token_labels(2)[1]
    record = viewer.record()
    want = record.weights[2].mean(0)[c["query"].value].numpy()
    assert viewer.image_picture.weights.ravel() == pytest.approx(want, abs=1e-6)
    assert len(viewer.pictures()) == 3
    bundle = viewer._repr_mimebundle_()
    assert bundle["image/png"].startswith(b"\x89PNG") and "StageViewer" in bundle["text/plain"]


def test_stage_viewer_refuses_a_model_of_another_task(task):
    from mmviz.explore import stage_viewer
    from mmviz.train import FusionClassifier

    other = mmviz.make_task("match", n_train=4, n_test=4, seed=0)
    model = FusionClassifier("early_concatenation", other, dim=16, depth=1, heads=2)
    with pytest.raises(ValueError, match="trained on task 'locate'"):
        stage_viewer(model, task)
    with pytest.raises(ValueError, match="samples"):
        stage_viewer(FusionClassifier("early_concatenation", task, dim=16, depth=1, heads=2), task, samples=0)
