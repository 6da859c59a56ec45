"""No dead weights: every parameter of every variant is reached by the task loss under the pooled
readout, and under a task's own readout only the parts the readout never reads go without gradient.

Those parts are what the notebooks must not show as learned behaviour: under the pointer readout of
'locate' (a score per image token) the caption's own last stage is never read.
"""
from __future__ import annotations

import pytest

import mmviz
from mmviz import FUSION_VARIANTS, FusionClassifier, parameters_without_gradient

# depth 2: the cross stage's second layer is the last one; modality 2 is the caption.
UNREAD_UNDER_POINTER = {
    "hierarchical_one_to_multi": {"fusion.separate.1."},                 # the caption encoder
    "cross_attention": {"fusion.cross.1.1.", "fusion.cross_norms.1."},   # caption stream, last layer
}


@pytest.fixture(scope="module")
def tasks():
    return {name: mmviz.make_task(name, n_train=64, n_test=8, seed=0) for name in ("locate", "streams")}


def model(variant, task, norm="pre", readout=None):
    return FusionClassifier(variant, task, dim=16, depth=2, heads=2, norm=norm, readout=readout, seed=0)


@pytest.mark.parametrize("norm", ["pre", "post"])
@pytest.mark.parametrize("variant", FUSION_VARIANTS)
def test_every_parameter_learns_under_the_pooled_readout(variant, norm, tasks):
    task = tasks["streams" if variant == "early_summation" else "locate"]
    assert parameters_without_gradient(model(variant, task, norm, readout="pooled"), task) == []


@pytest.mark.parametrize("variant", [v for v in FUSION_VARIANTS if v != "early_summation"])
def test_under_the_pointer_readout_only_the_named_parts_go_unread(variant, tasks):
    missing = parameters_without_gradient(model(variant, tasks["locate"]), tasks["locate"])
    prefixes = UNREAD_UNDER_POINTER.get(variant, set())
    assert all(any(name.startswith(p) for p in prefixes) for name in missing), missing
    assert {p for p in prefixes if any(name.startswith(p) for name in missing)} == prefixes, missing


@pytest.mark.parametrize("variant", FUSION_VARIANTS)
def test_a_readout_over_all_tokens_reaches_everything(variant, tasks):
    task = tasks["streams"]         # soft_any over every final token
    if variant == "early_summation":
        m = model(variant, task, readout="pooled")
    else:
        m = model(variant, task)
    assert parameters_without_gradient(m, task) == []


def test_parameters_without_gradient_leaves_the_model_clean(tasks):
    task = tasks["locate"]
    m = model("cross_attention", task).eval()
    parameters_without_gradient(m, task)
    assert not m.training and all(p.grad is None for p in m.parameters())
