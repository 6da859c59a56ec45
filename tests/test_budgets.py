"""Each task carries the budget fit uses when not told otherwise, and names the variants it is for."""
from __future__ import annotations

import pytest

import mmviz
from mmviz import FusionClassifier, fit
from mmviz.data import TASKS, intended, task_budget


def test_every_task_has_a_budget_and_intended_variants_that_can_be_built():
    for name in TASKS:
        budget = task_budget(name)
        assert set(budget) == {"steps", "lr", "warmup"} and budget["steps"] >= budget["warmup"] > 0
        variants, accuracy = intended(name)
        assert variants and 0.5 < accuracy <= 1.0
        task = mmviz.make_task(name, n_train=4, n_test=4)
        for variant in variants:
            FusionClassifier(variant, task)               # meant for it: it can be built for it
    assert task_budget("match")["steps"] > task_budget("locate")["steps"]   # binding needs longer


def test_fit_takes_the_task_budget_for_what_it_is_not_told():
    task = mmviz.make_task("repeat", n_train=64, n_test=8)
    budget = task_budget("repeat")
    model = FusionClassifier("early_concatenation", task, dim=8, depth=1, heads=2)
    h = fit(model, task, progress=False, eval_every=10_000, batch_size=8)
    assert len(h.step) == budget["steps"]
    assert h.lr[0] == pytest.approx(budget["lr"] / budget["warmup"])          # warm-up's first step
    h = fit(model, task, steps=3, lr=1e-3, warmup=1, progress=False, batch_size=8)
    assert len(h.step) == 3 and h.lr[0] == pytest.approx(1e-3)               # told: it obeys


def test_budget_of_an_unknown_task_is_refused():
    for lookup in (task_budget, intended):
        with pytest.raises(ValueError, match="unknown task 'matchh'"):
            lookup("matchh")
