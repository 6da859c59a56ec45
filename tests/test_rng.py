"""No mmviz call moves torch's global RNG, and randomness in one thread never leaks into another.

A reader's ``torch.manual_seed(0); torch.randn(...)`` must give the same numbers whatever mmviz did in
between, and the norm explorer's background pass must not change what the foreground measures.
"""
from __future__ import annotations

import threading

import pytest
import torch

import mmviz
from mmviz.lessons import norms


@pytest.fixture(scope="module")
def task():
    return mmviz.make_task("match", n_train=48, n_test=16)


def calls(task):
    """Every mmviz entry point that draws random numbers, each as a zero-argument call."""
    images, labels, _ = mmviz.make_pictures(24, seed=1)
    vit = mmviz.VisionTransformer(dim=16, depth=1, heads=2)     # a plain nn.Module: seeded by the caller
    model = mmviz.FusionClassifier("early_concatenation", task, dim=16, depth=1, seed=2)
    fusion = mmviz.build_fusion("early_concatenation", 2, 16, depth=1)
    zs = [torch.ones(2, 3, 16), torch.zeros(2, 4, 16)]
    return {
        "FusionClassifier": lambda: mmviz.FusionClassifier("cross_attention", task, dim=16, depth=1, seed=3),
        "fit": lambda: mmviz.fit(model, task, steps=3, warmup=1, batch_size=8, progress=False),
        "evaluate": lambda: mmviz.evaluate(model, task),
        "run": lambda: model.run(task, 4),
        "fit_seeds": lambda: mmviz.fit_seeds("early_concatenation", task, seeds=(0, 1), steps=2,
                                             model_options=dict(dim=16, depth=1), progress=False),
        "make_task": lambda: mmviz.make_task("match", n_train=8, n_test=4, seed=5),
        "make_pictures": lambda: mmviz.make_pictures(8, seed=2),
        "train_vit": lambda: mmviz.train_vit(vit, images, labels, steps=3, batch_size=8),
        "vit_accuracy": lambda: mmviz.vit_accuracy(vit, images, labels),
        "grad_norms_at_init": lambda: mmviz.grad_norms_at_init("post", 2, dim=16, repeats=2),
        "norm_training_curve": lambda: mmviz.norm_training_curve("pre", 2, steps=3, dim=16),
        "build_stack": lambda: norms.build_stack("pre", 2, dim=16),
        "residual_norms": lambda: norms.residual_norms("post", 2, dim=16),
        "alignment_score": lambda: mmviz.alignment_score(model, task, n=8),
        "stream_influence": lambda: mmviz.stream_influence(fusion, zs, 0, 1),
        "parameters_without_gradient": lambda: mmviz.parameters_without_gradient(model, task, n=8),
    }


def test_no_mmviz_call_moves_the_global_rng(task):
    for name, call in calls(task).items():
        before = torch.random.get_rng_state()
        call()
        assert torch.equal(torch.random.get_rng_state(), before), f"{name} moved the global torch RNG"


def test_the_norm_explorers_background_pass_leaves_the_foreground_alone():
    reference = mmviz.grad_norms_at_init("post", 6, dim=64)
    torch.manual_seed(0)
    readers = torch.cat([torch.randn(1) for _ in range(64)])
    explorer = mmviz.norm_explorer(depth=2, max_depth=8, dim=64)
    try:
        assert explorer.prefetch.is_alive()                      # the background pass is running now
        torch.manual_seed(0)
        during = [torch.randn(1) for _ in range(64)]             # a reader's draws, one at a time
        assert mmviz.grad_norms_at_init("post", 6, dim=64) == reference
        assert torch.equal(torch.cat(during), readers)
    finally:
        explorer.prefetch.join(timeout=120)
    assert explorer.norm_cache[6, "xavier"]["post"] == reference  # what a standalone run gives


def test_two_explorers_do_not_corrupt_each_others_cache():
    first = mmviz.norm_explorer(depth=1, max_depth=5, dim=32)
    second = mmviz.norm_explorer(depth=5, max_depth=5, dim=32)
    first.prefetch.join(timeout=120)
    second.prefetch.join(timeout=120)
    assert first.norm_cache == second.norm_cache
    assert first.norm_cache[3, "default"]["pre"] == mmviz.grad_norms_at_init("pre", 3, dim=32, init="default")


def concurrently(*jobs):
    """Run the zero-argument ``jobs`` in threads started together; their results in order."""
    results = [None] * len(jobs)
    start = threading.Barrier(len(jobs))

    def worker(i):
        start.wait()
        results[i] = jobs[i]()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_concurrent_calls_give_the_numbers_of_sequential_ones(task):
    jobs = (lambda: mmviz.grad_norms_at_init("post", 4, dim=32),
            lambda: mmviz.norm_training_curve("pre", 3, steps=20, dim=16),
            lambda: [p.sum().item() for p in
                     mmviz.FusionClassifier("hierarchical_multi_to_one", task, seed=4).parameters()],
            lambda: mmviz.grad_norms_at_init("pre", 4, dim=32, init="default"))
    sequential = [job() for job in jobs]
    assert concurrently(*jobs) == sequential


def test_a_seeded_model_keeps_pytorchs_initialisation(task):
    """seed s draws what ``torch.manual_seed(s)`` then building would: same distributions, same numbers."""
    from mmviz._random import seeded

    with seeded(7):
        ours = mmviz.Encoder(16, 2, 2)
    torch.manual_seed(7)
    theirs = mmviz.Encoder(16, 2, 2)
    assert all(torch.equal(a, b) for a, b in zip(ours.parameters(), theirs.parameters(), strict=True))
