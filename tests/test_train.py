"""FusionClassifier, fit, evaluate and alignment_score on tiny models (dim 16, depth 1)."""
import math

import pytest
import torch

from mmviz import (
    FUSION_VARIANTS,
    FusionClassifier,
    alignment_score,
    alignment_scores,
    evaluate,
    fit,
    make_task,
)
from mmviz.blocks import Attention

TINY = dict(dim=16, depth=1, heads=2)


@pytest.fixture(scope="module")
def tasks():
    return {name: make_task(name, n_train=64, n_test=32) for name in ("match", "locate", "streams")} | {
        "tally": make_task("tally", num_modalities=3, n_train=64, n_test=32)}


@pytest.mark.parametrize("variant", FUSION_VARIANTS)
@pytest.mark.parametrize("name", ["match", "locate", "streams", "tally"])
def test_logits_have_one_column_per_class_or_refuse_with_a_reason(tasks, name, variant):
    task = tasks[name]
    counts = {m.num_tokens for m in task.modalities}
    if variant == "early_summation" and len(counts) > 1:
        with pytest.raises(ValueError, match="early_concatenation"):
            FusionClassifier(variant, task, **TINY)
        return
    model = FusionClassifier(variant, task, **TINY)
    logits = model([x[:5] for x in task.test.inputs])
    assert logits.shape == (5, task.num_classes)
    assert torch.isfinite(logits).all()
    assert model.last.attention and all(torch.allclose(r.weights.sum(-1), torch.ones(()))
                                        for r in model.last.attention)


def test_pointer_readout_scores_the_image_tokens(tasks):
    task = tasks["locate"]
    model = FusionClassifier("early_concatenation", task, **TINY)
    logits = model([x[:3] for x in task.test.inputs])
    image_tokens = model.last.stream(0)
    assert torch.allclose(logits, model.head(image_tokens).squeeze(-1))


def test_readout_choice_and_bad_inputs(tasks):
    task = tasks["locate"]
    pooled = FusionClassifier("early_concatenation", task, readout="pooled", **TINY)
    assert pooled([x[:2] for x in task.test.inputs]).shape == (2, 16)
    with pytest.raises(ValueError, match="readout"):
        FusionClassifier("early_concatenation", task, readout="any", **TINY)
    with pytest.raises(ValueError, match="unknown fusion variant"):
        FusionClassifier("late_sum", task)
    with pytest.raises(ValueError, match="Task"):
        FusionClassifier("early_concatenation", "locate")
    one = make_task("tally", num_modalities=1, n_train=8, n_test=8)
    with pytest.raises(ValueError, match="early_concatenation"):
        FusionClassifier("cross_attention", one, **TINY)
    model = FusionClassifier("early_concatenation", task, **TINY)
    with pytest.raises(ValueError, match="FusionClassifier built for task 'match'"):
        fit(model, tasks["match"], steps=1, progress=False)
    with pytest.raises(ValueError, match="steps"):
        fit(model, task, steps=0, progress=False)


def test_same_seed_same_numbers_different_seed_different_numbers(tasks):
    task = tasks["locate"]

    def run(seed):
        model = FusionClassifier("cross_attention", task, seed=seed, **TINY)
        return fit(model, task, steps=6, batch_size=16, seed=seed, progress=False, eval_every=3)

    a, b, c = run(0), run(0), run(1)
    assert a.loss == b.loss and a.test_accuracy == b.test_accuracy
    assert a.loss != c.loss


def test_fit_lowers_the_training_loss_and_reports_a_history(tasks):
    task = tasks["locate"]
    model = FusionClassifier("early_concatenation", task, **TINY)
    h = fit(model, task, steps=60, lr=3e-3, warmup=5, batch_size=64, progress=True, eval_every=30)
    assert len(h.step) == len(h.loss) == len(h.accuracy) == len(h.lr) == 60
    assert h.eval_step == [29, 59] and len(h.test_accuracy) == 2
    assert sum(h.loss[-5:]) < sum(h.loss[:5])
    assert h.lr[0] < h.lr[5] and h.lr[-1] < h.lr[5]          # warm-up, then decay
    assert set(h.final) >= {"loss", "train_accuracy", "test_accuracy", "seconds"} and h.seconds > 0
    result = evaluate(model, task, split="train")
    assert 0 <= result["accuracy"] <= 1 and result["loss"] > 0 and result["n"] == 64


def test_callback_can_stop_training(tasks):
    task = tasks["match"]
    model = FusionClassifier("early_concatenation", task, **TINY)
    h = fit(model, task, steps=50, progress=False, callback=lambda step, hist: step == 2)
    assert len(h.loss) == 3


@pytest.mark.parametrize("variant", ["early_concatenation", "cross_attention", "hierarchical_multi_to_one"])
def test_uniform_attention_scores_exactly_one(tasks, variant):
    """With W_Q = W_K = 0 every attention row is uniform: aligned keys get their fair share, score 1."""
    task = tasks["locate"]
    model = FusionClassifier(variant, task, **TINY)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, Attention):
                for proj in (module.q, module.k):
                    proj.weight.zero_()
                    proj.bias.zero_()
    scores = alignment_scores(model, task)
    assert scores and all(math.isclose(s, 1.0, rel_tol=1e-5) for s in scores.values())
    assert math.isclose(alignment_score(model, task), 1.0, rel_tol=1e-5)


def test_attention_on_the_aligned_tokens_scores_above_one(tasks):
    """Weights forced onto the aligned keys give the largest score: N_k / (aligned keys)."""
    task = make_task("streams", n_train=8, n_test=16, aligned=False)
    model = FusionClassifier("cross_attention", task, **TINY)
    model([x for x in task.test.inputs])
    align = task.test.alignment[(0, 1)].float()
    record = next(r for r in model.last.attention if r.name.startswith("cross 1←2"))
    record.weights.copy_(align[:, None].expand_as(record.weights))
    model.forward = lambda inputs: None                 # keep the forced weights on model.last
    scores = alignment_scores(model, task)
    assert math.isclose(scores["cross 1←2, layer 1: sound←sensor"], 8.0, rel_tol=1e-5)


def test_summed_tokens_have_no_alignment_to_score(tasks):
    task = tasks["streams"]
    model = FusionClassifier("early_summation", task, **TINY)
    assert math.isnan(alignment_score(model, task))
