"""The seeds helper (same seed → same numbers as a plain fit) and the alignment AUC (baseline 0.5)."""
from __future__ import annotations

import pytest
import torch

import mmviz
from mmviz import FusionClassifier, alignment_auc, evaluate, fit, fit_seeds, over_seeds


@pytest.fixture(scope="module")
def task():
    return mmviz.make_task("locate", n_train=64, n_test=16, seed=0)


def test_fit_seeds_repeats_a_plain_fit_for_each_seed(task):
    options = dict(dim=16, depth=1, heads=2)
    runs = fit_seeds("early_concatenation", task, seeds=[0, 3], model_options=options, steps=6,
                     batch_size=16, eval_every=3)
    for i, seed in enumerate([0, 3]):
        model = FusionClassifier("early_concatenation", task, seed=seed, **options)
        history = fit(model, task, steps=6, batch_size=16, eval_every=3, seed=seed, progress=False)
        assert runs.values["accuracy"][i] == evaluate(model, task)["accuracy"]
        assert runs.curves["train_loss"][i] == history.loss
    assert runs.steps["test_accuracy"] == [3, 6]
    assert runs.min("accuracy") <= runs.mean("accuracy") <= runs.max("accuracy")
    mean, low, high = runs.band("train_loss")
    assert len(mean) == 6 and all(lo <= m <= hi for m, lo, hi in zip(mean, low, high))
    assert "2 seeds" in runs.summary("accuracy")


def test_over_seeds_refuses_bad_seeds_and_ragged_curves():
    with pytest.raises(ValueError, match="seeds must be a non-empty list"):
        over_seeds(lambda s: {}, seeds=[])
    with pytest.raises(ValueError, match="distinct"):
        over_seeds(lambda s: {}, seeds=[1, 1])
    with pytest.raises(ValueError, match="different lengths"):
        over_seeds(lambda s: {"curve": [0.0] * (s + 1)}, seeds=[0, 1], progress=False)
    with pytest.raises(ValueError, match="no value 'acc'"):
        over_seeds(lambda s: {"accuracy": 1.0}, seeds=[0], progress=False).mean("acc")


def test_auc_is_one_for_only_the_partners_and_half_for_a_key_everyone_reads():
    aligned = torch.eye(4, dtype=torch.bool)
    only_partners = torch.eye(4)
    assert alignment_auc(only_partners, aligned) == 1.0
    everyone_reads_key_0 = torch.zeros(4, 4)
    everyone_reads_key_0[:, 0] = 1.0                       # the old ratio would call this aligned
    assert alignment_auc(everyone_reads_key_0, aligned) == 0.5
    assert alignment_auc(1 - torch.eye(4), aligned) == 0.0  # avoids its partners


def test_auc_averages_heads_and_batch_or_reads_a_mask_per_sample():
    aligned = torch.tensor([[[True, False], [False, True]], [[False, True], [True, False]]])
    weights = aligned.float()[:, None].expand(2, 3, 2, 2)    # (batch, heads, Nq, Nk), perfectly aligned
    assert alignment_auc(weights, aligned) == 1.0
    assert alignment_auc(weights, aligned[0]) == 0.5           # one mask for both: the samples disagree


def test_auc_refuses_what_it_cannot_score():
    with pytest.raises(ValueError, match="disagree"):
        alignment_auc(torch.rand(3, 4), torch.zeros(3, 5, dtype=torch.bool))
    with pytest.raises(ValueError, match="no key column"):
        alignment_auc(torch.rand(3, 4), torch.ones(3, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match="bool tensor"):
        alignment_auc(torch.rand(3, 4), torch.rand(3, 4))


def test_alignment_aucs_of_a_model(task):
    model = FusionClassifier("early_concatenation", task, dim=16, depth=1, heads=2)
    aucs = mmviz.alignment_aucs(model, task, n=16)
    assert aucs and all(0.0 <= v <= 1.0 for v in aucs.values())
    assert any(k.endswith("caption←image") for k in aucs)
