"""Issue 25, "nothing breaks under a curious student": one test (or parametrized case) per item —
races, interrupts, divergence, hostile self-check answers, numpy/torch integers, combined sizes and
the last silent results. Times are CPU times (``time.process_time``) with wide margins: the machine
is shared.
"""
from __future__ import annotations

import _thread
import contextlib
import functools
import inspect
import io
import math
import os
import re
import subprocess
import sys
import textwrap
import threading
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mmviz
from mmviz import check
from mmviz._validate import MAX_ATTENTION_BYTES, MAX_RUN_FLOPS, MAX_STEPS, attention_budget, run_budget
from mmviz.train import TrainingDiverged

ROOT = Path(__file__).resolve().parents[1]
SMALL = dict(dim=16, depth=1, heads=2, steps=3, batch_size=8, samples=4, n_train=32, n_test=8)


@functools.lru_cache(maxsize=1)
def match_task():
    return mmviz.make_task("match", n_train=96, n_test=24)


@pytest.fixture(scope="module")
def match():
    return match_task()


def tiny(task, seed=0):
    return mmviz.FusionClassifier("early_concatenation", task, dim=8, depth=1, heads=2, seed=seed)


def cpu_seconds(call):
    start = time.process_time()
    call()
    return time.process_time() - start


# ---------------------------------------------------------------- 1. over_seeds from threads, nested

def seeds_in_thread(k, out, barrier):
    barrier.wait()                       # both threads start their pools at the same moment
    out[k] = mmviz.over_seeds(lambda s, k=k: {"x": 100.0 * k + s}, seeds=[0, 1, 2, 3], progress=False,
                              processes=2).values["x"]


def test_over_seeds_in_processes_from_two_threads_returns_each_threads_own_numbers():
    for _ in range(10):                  # before: 5 of 10 rounds returned the other thread's numbers
        out, barrier = {}, threading.Barrier(2)
        threads = [threading.Thread(target=seeds_in_thread, args=(k, out, barrier)) for k in (1, 2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert out == {k: [100.0 * k + s for s in range(4)] for k in (1, 2)}


def test_nested_over_seeds_in_processes_runs_the_inner_seeds_in_its_worker():
    def outer(s):                        # before: "daemonic processes are not allowed to have children"
        inner = mmviz.over_seeds(lambda t: {"y": 10.0 * s + t}, seeds=[0, 1], progress=False, processes=2)
        return {"x": sum(inner.values["y"])}

    result = mmviz.over_seeds(outer, seeds=[0, 1, 2], progress=False, processes=2)
    assert result.values["x"] == [20.0 * s + 1 for s in range(3)]


# ------------------------------------------------------------ 2. an interrupt in a fresh kernel's first fit

FRESH_KERNEL = textwrap.dedent("""
    import _thread, sys
    import mmviz
    assert "torch._dynamo" not in sys.modules, "the test needs a process that has not imported it"
    task = mmviz.make_task("match", n_train=64, n_test=16)
    model = mmviz.FusionClassifier("early_concatenation", task, dim=8, depth=1, heads=2)

    class StopButton:            # pressed while fit's first optimizer imports MODULE
        def find_spec(self, name, path=None, target=None):
            if name == MODULE:
                sys.meta_path.remove(self)
                _thread.interrupt_main()
            return None

    sys.meta_path.insert(0, StopButton())
    try:
        mmviz.fit(model, task, steps=10**5, batch_size=8, progress=False)
    except KeyboardInterrupt:
        print("interrupted")
    history = mmviz.fit(model, task, steps=3, batch_size=8, progress=False)   # before: sympy broken
    print("next fit:", len(history.step))
""")


@pytest.mark.parametrize("module", ["sympy.core.singleton"])
def test_interrupting_a_fresh_kernels_first_fit_leaves_later_fits_working(module):
    """The optimizer's first construction imports torch._dynamo (~2 s, sympy with it); the stop button
    pressed during that import used to leave sympy half-imported, and every later fit raised
    (AttributeError: module 'sympy' has no attribute 'core', or a RecursionError). The button is
    pressed by an import hook, at a fixed point of the import, not by a timer: the same every run."""
    code = FRESH_KERNEL.replace("MODULE", repr(module))
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "interrupted" in done.stdout and "next fit: 3" in done.stdout


# ---------------------------------------------------------------- 3. interrupted state is consistent

def interrupted_fit(model, task, delay, **options):
    """fit with the stop button pressed ``delay`` s after the call; (history or None, interrupted)."""
    timer = threading.Timer(delay, _thread.interrupt_main)
    history, interrupted = None, False
    try:
        timer.start()
        try:
            history = mmviz.fit(model, task, progress=False, **options)
        finally:
            timer.join()
            for _ in range(100):         # a late interrupt lands here, inside the try
                time.sleep(0.001)
    except KeyboardInterrupt as error:
        interrupted = True
        history = getattr(error, "history", history)
    return history, interrupted


@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(delay=st.floats(0.0, 0.4))
def test_an_interrupt_at_any_point_leaves_a_consistent_history_and_a_working_fit(delay):
    match = match_task()
    model = tiny(match)
    options = dict(steps=60, batch_size=16, eval_every=2, seed=1)
    history, interrupted = interrupted_fit(model, match, delay, **options)
    if history is not None:
        h = history
        assert len(h.step) == len(h.loss) == len(h.accuracy) == len(h.lr)      # plt.plot(h.step, h.loss)
        assert len(h.eval_step) == len(h.eval_seconds) == len(h.test_accuracy)
        assert h.step == list(range(len(h.step)))
        # every step in the history was applied to the model, and no other: the same run stopped by its
        # callback after as many steps ends with the same weights
        twin = tiny(match)
        if h.step:
            mmviz.fit(twin, match, progress=False, callback=lambda step, _: step + 1 == len(h.step),
                      **options)
        for a, b in zip(model.parameters(), twin.parameters()):
            assert torch.equal(a, b)
        assert not model.training                   # (an interrupt before fit began leaves it as it was)
    assert len(mmviz.fit(model, match, steps=2, batch_size=16, progress=False).step) == 2   # next fit works


def test_an_interrupt_during_an_evaluation_leaves_matching_evaluation_lists(match, monkeypatch):
    calls = []

    def evaluate(model, task):             # the stop button pressed inside the second evaluation
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return {"accuracy": 0.5}

    monkeypatch.setattr(mmviz.train, "evaluate", evaluate)
    with pytest.raises(KeyboardInterrupt) as caught:
        mmviz.fit(tiny(match), match, steps=10, eval_every=2, batch_size=16, progress=False)
    h = caught.value.history
    assert h.eval_step == [1] and h.test_accuracy == [0.5]      # before: eval_step [1, 3], one accuracy
    assert len(h.eval_seconds) == 1 and h.step == [0, 1, 2, 3]


class StopButton:
    """Stands for the explorer's progress bar: the kernel's stop button is pressed at step ``at``."""

    def __init__(self, at):
        self.at, self._value = at, 0

    @property
    def value(self):
        return self._value

    @value.setter
    def value(self, v):
        self._value = v
        if v == self.at:
            self.at = None
            raise KeyboardInterrupt


def test_the_fusion_explorer_counts_the_steps_an_interrupted_train_applied():
    explorer = mmviz.fusion_explorer(task="tally", variant="early_concatenation", num_modalities=2,
                                     **{**SMALL, "steps": 20})
    explorer.progress = StopButton(at=7)
    explorer.controls["train"].click()                  # the stop button: the explorer keeps what ran
    kept = explorer.kept[explorer.shown]
    assert kept.steps == 7 and explorer.trained        # before: "untrained", then "trained 0 steps"
    assert "trained 7 steps" in explorer.status.value
    accuracy = mmviz.evaluate(explorer.model, explorer.task)["accuracy"]
    status = re.sub("<[^>]+>", "", explorer.status.value)               # the status is HTML
    assert f"test accuracy {accuracy:.0%}" in status                   # the model as it now is
    explorer.controls["train"].click()
    assert kept.steps == 27 and "trained 27 steps" in explorer.status.value   # before: 20 for 27


# ---------------------------------------------------------------- 4. divergence: a half-applied step

def test_an_overflowing_step_is_undone_and_reported_as_divergence(match):
    model = tiny(match)
    before = [p.detach().clone() for p in model.parameters()]
    with pytest.raises(TrainingDiverged, match="lr=1e\\+38") as caught:   # before: RuntimeError, 5.8e34
        mmviz.fit(model, match, steps=20, lr=1e38, warmup=0, batch_size=16, progress=False)
    assert caught.value.history.step == []
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), before))   # the last finite state
    assert 0.0 <= mmviz.evaluate(model, match)["accuracy"] <= 1.0


def test_train_vit_stops_at_divergence_with_finite_weights():
    images, labels, _ = mmviz.make_pictures(32, seed=0)
    model = mmviz.VisionTransformer(dim=16, depth=1, heads=2)
    with pytest.raises(TrainingDiverged) as caught:      # before: 19 of 20 losses NaN, weights non-finite
        mmviz.train_vit(model, images, labels, steps=20, lr=1e6, batch_size=8)
    assert all(math.isfinite(v) for v in caught.value.losses)
    assert all(torch.isfinite(p).all() for p in model.parameters()) and not model.training
    assert 0.0 <= mmviz.vit_accuracy(model, images, labels) <= 1.0


# ---------------------------------------------------------------- 5. self-checks: huge and odd answers

def meta_tensor():
    return torch.tensor(36.0, device="meta")


HOSTILE = {
    "10**400": lambda: 10**400,
    "-10**400": lambda: -(10**400),
    "bfloat16": lambda: torch.tensor(36.0, dtype=torch.bfloat16),
    "float16 vector": lambda: torch.ones(3, dtype=torch.float16),
    "sparse": lambda: torch.tensor([36.0]).to_sparse(),
    "meta": meta_tensor,
    "complex tensor": lambda: torch.tensor(1 + 2j),
    "4301 nines": lambda: "9" * 4301,
    "4000 nines": lambda: "9" * 4000,
    "powers of powers": lambda: "(((10**64)**64)**64)**64",
    "one more power": lambda: "((((10**64)**64)**64)**64)**64",
    "9**9**9": lambda: "9**9**9",
    "spaces": lambda: "a" + " " * 32000 + "b",
    "spaces under the limit": lambda: "a" + " " * 3990 + "b",
    "arrows": lambda: "→ " * 1990,
    "1 MB": lambda: "x" * 10**6,
    "brackets": lambda: "[" * 3000,
    "a long list": lambda: [0] * 10**6,
    "nested lists": lambda: [[1.0] * 1000] * 1000,
    "big array": lambda: np.zeros((1000, 1000)),
    "decimal": lambda: Decimal("1e999999"),
    "nan": lambda: float("nan"),
    "None": lambda: None,
    "object": object,
    "bytes": lambda: b"36",
    "negative zero division": lambda: "-1/0",
}


def extra_arguments(f):
    """What the notebook passes a check besides the answer (for the checks that need it)."""
    name = f.__name__
    if name == "most_attended":
        return (torch.softmax(torch.randn(3, 3), -1), ["a", "b", "c"])
    if name == "gram_schmidt_step":
        return ([1.0, 2.0, 0.0], [1.0, 0.0, 0.0])
    if name == "playground_missed_seed":
        return ([0, 1, 2], [0.99, 0.5, 0.97])
    if name == "playground_cheapest_good":
        return ({"early_concatenation": {"accuracy": [0.95, 0.97], "params": 1000}},)
    return ()


EXERCISES = sorted((f for _, f in inspect.getmembers(check, inspect.isfunction)
                    if getattr(f, "is_exercise", False)), key=lambda f: f.__name__)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda f: f.__name__)
def test_every_self_check_answers_hostile_answers_at_once(exercise):
    """Each check gets a verdict for every hostile answer (no exception), in well under a second of CPU
    (the issue asks for 0.1 s; we allow 1 s on a shared machine), echoing at most a few hundred
    characters (before: OverflowError, TypeError, ValueError, 18 s to minutes, 1 MB echoed)."""
    args = extra_arguments(exercise)
    for name, make in HOSTILE.items():
        answer = make()
        out = io.StringIO()
        start = time.process_time()
        with contextlib.redirect_stdout(out):
            result = exercise(answer, *args)
        took = time.process_time() - start
        assert took < 1.0, (name, took)
        assert result in (True, False), name
        assert out.getvalue().startswith(("Right: ", "Not yet: ")) and len(out.getvalue()) < 400, name


@settings(max_examples=60, deadline=None, derandomize=True)
@given(text=st.text(alphabet="0123456789*()+-/.^ →xe", max_size=200))
def test_an_arithmetic_answer_is_read_in_bounded_time(text):
    with contextlib.redirect_stdout(io.StringIO()):
        assert cpu_seconds(lambda: check.attention_edges(text)) < 1.0


def test_a_right_answer_still_reads_in_every_form():
    with contextlib.redirect_stdout(io.StringIO()):
        assert check.attention_edges(torch.tensor(36.0, dtype=torch.bfloat16))
        assert check.attention_edges("6**2") and check.attention_edges("2**64 - 2**64 + 36")
        assert check.cross_attention_remedy("variant 6")
        assert check.cross_attention_remedy("cross-attention → concatenation")
        assert check.which_norm_needs_warmup("post-norm")


# ---------------------------------------------------------------- 6. numpy and torch integers

def stage_viewer_with_numpy_samples():
    task = mmviz.make_task("match", n_train=32, n_test=8)
    mmviz.stage_viewer(tiny(task), task, samples=np.int64(2))


NUMPY_INTS = {
    "norm_explorer depth": lambda: mmviz.norm_explorer(depth=np.int64(6), prefetch=False),
    "fusion_explorer num_modalities": lambda: mmviz.fusion_explorer(num_modalities=np.int64(2), **SMALL),
    "stage_viewer samples": stage_viewer_with_numpy_samples,
    "over_seeds processes": lambda: mmviz.over_seeds(lambda s: {"x": s}, [0, 1], progress=False,
                                                     processes=np.int64(1)),
    "streams aligned": lambda: mmviz.make_task("streams", aligned=np.bool_(False), n_train=8, n_test=8),
    "match objects": lambda: mmviz.make_task("match", objects=torch.tensor(3), n_train=8, n_test=8),
    "grad_norms_at_init seed": pytest.param(lambda: mmviz.grad_norms_at_init("pre", 1, dim=8, heads=2,
                                                                             repeats=1, seed=np.int64(0)),
                                            ),
}


@pytest.mark.parametrize("call", NUMPY_INTS.values(), ids=NUMPY_INTS.keys())
def test_numpy_and_torch_integers_are_accepted(call):
    call()


def test_streams_read_a_numpy_bool_as_the_bool_it_is():
    task = mmviz.make_task("streams", aligned=np.bool_(False), n_train=8, n_test=8)
    assert task.options["aligned"] is False
    assert mmviz.make_task("match", objects=torch.tensor(4), n_train=8, n_test=8).options["objects"] == 4


SEED_TRUE = {
    "fusion_explorer": lambda: mmviz.fusion_explorer(**{**SMALL, "seed": True}),
    "norm_explorer": lambda: mmviz.norm_explorer(seed=True, prefetch=False),
    "grad_norms_at_init": pytest.param(lambda: mmviz.grad_norms_at_init("pre", 1, dim=8, heads=2, repeats=1,
                                                                        seed=True),
                                       ),
}


@pytest.mark.parametrize("call", SEED_TRUE.values(), ids=SEED_TRUE.keys())
def test_seed_true_is_refused_not_read_as_one(call):
    with pytest.raises(ValueError, match="seed"):
        call()


# ------------------------------------------------------------ 7. combined sizes: allocation and run budgets

def refused_at_once(call, *names):
    start = time.process_time()
    with pytest.raises(ValueError) as caught:
        call()
    assert time.process_time() - start < 1.0
    for name in names:
        assert name in str(caught.value)


def test_a_gradient_measurement_whose_attention_map_would_take_gigabytes_is_refused():
    refused_at_once(lambda: mmviz.grad_norms_at_init("pre", 1, dim=64, heads=1, repeats=1, batch=64,
                                                     tokens=4096),
                    "batch=64", "4096 queries", "MB")                    # before: 75 s, 4 GB maps


def test_a_fusion_forward_over_too_many_tokens_is_refused():
    fusion = mmviz.build_fusion("early_concatenation", 1, 8, 1, 2)
    refused_at_once(lambda: fusion([torch.zeros(1, 30000, 8)]), "30000 queries")    # before: 3.6 GB


NORM_EXPLORER_REFUSALS = [dict(max_depth=10**6), dict(steps=0), dict(dim=0), dict(heads=3), dict(seed=-1),
                          dict(steps="5"), dict(steps=10**12), dict(depth=65), dict(depth=8, max_depth=6)]


@pytest.mark.parametrize("options", NORM_EXPLORER_REFUSALS, ids=str)
def test_the_norm_explorer_refuses_what_it_cannot_do(options):
    name = next(iter(options))
    refused_at_once(lambda: mmviz.norm_explorer(prefetch=False, **options), name)


def test_a_run_of_hours_is_refused_before_it_starts(match):
    refused_at_once(lambda: mmviz.fit(tiny(match), match, steps=10**12, progress=False), "steps")
    refused_at_once(lambda: mmviz.fit(tiny(match), match, steps=900_000, batch_size=20_000, progress=False),
                    "steps=900,000", "FLOPs")
    images, labels, _ = mmviz.make_pictures(8)
    refused_at_once(lambda: mmviz.train_vit(mmviz.VisionTransformer(dim=16, depth=1, heads=2), images, labels,
                                            steps=10**12), "steps")


def test_norm_training_curve_refuses_a_run_of_hours():
    refused_at_once(lambda: mmviz.norm_training_curve("pre", 2, steps=10**12), "steps")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(batch=st.integers(1, 10**5), heads=st.integers(1, 64), queries=st.integers(1, 10**5),
       keys=st.integers(1, 10**5))
def test_attention_is_refused_exactly_when_its_map_exceeds_the_budget(batch, heads, queries, keys):
    over = 4 * batch * heads * queries * keys > MAX_ATTENTION_BYTES
    try:
        attention_budget(batch, heads, queries, keys)
        assert not over
    except ValueError as error:
        assert over and f"batch={batch}" in str(error) and f"{keys} keys" in str(error)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(steps=st.integers(1, 10**13), cost=st.integers(1, 10**12))
def test_a_run_is_refused_exactly_when_steps_times_cost_exceeds_the_budget(steps, cost):
    over = steps > MAX_STEPS or steps * cost > MAX_RUN_FLOPS
    try:
        assert run_budget(steps, cost, "a run") == steps and not over
    except ValueError as error:
        assert over and "steps" in str(error)


@settings(max_examples=15, deadline=None, derandomize=True)
@given(batch=st.integers(1, 4), heads=st.sampled_from([1, 2, 4]), tokens=st.integers(1, 64))
def test_attention_within_the_budget_runs_and_its_rows_sum_to_one(batch, heads, tokens):
    attention = mmviz.Attention(8, heads)
    with torch.no_grad():
        y = attention(torch.randn(batch, tokens, 8))
    assert y.shape == (batch, tokens, 8)
    assert torch.allclose(attention.weights.sum(-1), torch.ones(batch, heads, tokens))


def test_alignment_auc_of_a_large_map_is_quick():
    g = torch.Generator().manual_seed(0)
    weights, aligned = torch.rand(2000, 2000, generator=g), torch.rand(2000, 2000, generator=g) > 0.5
    assert cpu_seconds(lambda: mmviz.alignment_auc(weights, aligned)) < 6.0       # before: 13-17 s


@settings(max_examples=30, deadline=None, derandomize=True)
@given(data=st.data(), b=st.integers(1, 3), nq=st.integers(2, 6), nk=st.integers(1, 6))
def test_alignment_auc_equals_the_pairwise_count(data, b, nq, nk):
    """The rank form (fast) equals wins + ½ ties over all (aligned, non-aligned) query pairs, per column."""
    weights = torch.tensor(data.draw(st.lists(st.integers(0, 3), min_size=b * nq * nk, max_size=b * nq * nk)),
                           dtype=torch.float64).reshape(b, nq, nk)
    aligned = torch.tensor(data.draw(st.lists(st.booleans(), min_size=b * nq * nk, max_size=b * nq * nk))
                           ).reshape(b, nq, nk)
    aucs = []
    for ws, mask in zip(weights, aligned):
        for j in range(nk):
            yes, no = ws[mask[:, j], j], ws[~mask[:, j], j]
            if len(yes) and len(no):
                wins = (yes[:, None] > no).double() + 0.5 * (yes[:, None] == no).double()
                aucs.append(wins.mean().item())
    if not aucs:
        with pytest.raises(ValueError, match="no key column"):
            mmviz.alignment_auc(weights, aligned)
    else:
        assert mmviz.alignment_auc(weights, aligned) == pytest.approx(sum(aucs) / len(aucs), abs=1e-12)


# ---------------------------------------------------------------- 8. the last silent results

@pytest.fixture(scope="module")
def hierarchy():
    torch.manual_seed(0)
    fusion = mmviz.build_fusion("hierarchical_multi_to_one", 2, 8, 1, 2)
    return fusion, [torch.randn(3, 4, 8), torch.randn(3, 2, 8)]


def test_alignment_auc_of_nan_weights_is_refused():
    with pytest.raises(ValueError, match="finite"):            # before: 0.0
        mmviz.alignment_auc(torch.full((4, 4), float("nan")), torch.eye(4, dtype=torch.bool))


@pytest.mark.parametrize("module, source, target", [(1, 1, 0), (0, 1, 1)])
def test_stage_change_target_needs_a_joint_stages_output(hierarchy, module, source, target):
    fusion, zs = hierarchy                                     # before: 1.515 (the wrong tokens) and 0.0
    with pytest.raises(ValueError, match="joint stage"):
        mmviz.stage_change(fusion, zs, fusion.separate[module], source, target=target)
    assert mmviz.stage_change(fusion, zs, fusion.separate[0], 1) == 0.0       # no target: right as it was
    assert mmviz.stage_change(fusion, zs, fusion.joint, 1, target=0) > 0.0


def test_a_model_runs_only_on_the_task_it_was_built_for(match):
    other = mmviz.make_task("locate", n_train=8, n_test=8)
    with pytest.raises(ValueError, match="built for task 'locate', got one for 'match'"):
        tiny(match).run(other, 4)
    three = mmviz.make_task("tally", num_modalities=3, n_train=8, n_test=8)
    two = mmviz.make_task("tally", num_modalities=2, n_train=8, n_test=8)
    with pytest.raises(ValueError, match="modalities"):
        mmviz.evaluate(tiny(two), three)


@pytest.mark.parametrize("mask", [torch.zeros(2, 3), torch.zeros(2, 3, dtype=torch.long),
                                  torch.zeros(2, 4, dtype=torch.bool), [[False] * 3] * 2], ids=str)
@pytest.mark.parametrize("module", [mmviz.Attention, mmviz.TransformerBlock])
def test_a_mask_other_than_bool_batch_by_keys_is_refused(module, mask):
    with pytest.raises(ValueError, match=r"bool tensor of shape \(2, 3\)"):
        module(8, 2)(torch.randn(2, 3, 8), key_padding_mask=mask)


@pytest.mark.parametrize("module", [mmviz.Attention, mmviz.TransformerBlock])
def test_a_sample_with_every_key_masked_attends_to_nothing_instead_of_nan(module):
    torch.manual_seed(0)
    layer = module(8, 2)
    x = torch.randn(2, 3, 8, requires_grad=True)
    mask = torch.tensor([[True, True, True], [False, True, False]])
    y = layer(x, key_padding_mask=mask)
    weights = layer.attn.weights if module is mmviz.TransformerBlock else layer.weights
    assert torch.isfinite(y).all()                                    # before: NaN
    assert (weights[0] == 0).all()                                    # no key: every weight 0
    assert torch.allclose(weights[1].sum(-1), torch.ones(2, 3)) and (weights[1][..., 1] == 0).all()
    if module is mmviz.Attention:
        assert (y[0] == 0).all()                                      # nothing attended: output 0
    y.sum().backward()
    assert all(torch.isfinite(p.grad).all() for p in layer.parameters() if p.grad is not None)


def test_vit_accuracy_of_nan_images_is_refused():
    images, labels, _ = mmviz.make_pictures(8)
    images[0, 0, 0, 0] = float("nan")
    with pytest.raises(ValueError, match="finite"):            # before: 0.25, a guess
        mmviz.vit_accuracy(mmviz.VisionTransformer(dim=16, depth=1, heads=2), images, labels)


def test_conv_adjacency_refuses_a_fractional_size():
    from mmviz.lessons.graphs import conv_adjacency
    with pytest.raises(ValueError, match="n"):                 # today: a 3×3 matrix
        conv_adjacency(2.5)


def test_cross_must_be_a_bool():
    with pytest.raises(ValueError, match="cross must be True or False, got 'False'"):
        mmviz.TransformerBlock(8, 2, cross="False")
    assert not mmviz.TransformerBlock(8, 2, cross=np.bool_(False)).cross


def test_an_unknown_variant_style_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown fusion variant 'nope'.*early_summation"):  # was KeyError
        mmviz.plot.base.variant_style("nope")


@pytest.mark.parametrize("answer, stops", [(None, False), (False, False), (True, True),
                                           (np.bool_(True), True), (torch.tensor(True), True)], ids=str)
def test_a_callback_may_answer_any_bool(match, answer, stops):
    history = mmviz.fit(tiny(match), match, steps=3, batch_size=16, progress=False,
                        callback=lambda step, history: answer)
    assert len(history.step) == (1 if stops else 3)


def test_a_callback_answering_something_else_is_told_what_to_return(match):
    with pytest.raises(ValueError, match=r"callback.*True \(stop\), False or None, got tensor\(\[1, 0\]\)"):
        mmviz.fit(tiny(match), match, steps=3, batch_size=16, progress=False,
                  callback=lambda step, history: torch.tensor([1, 0]))       # before: RuntimeError
