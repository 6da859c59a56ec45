"""Every reproducer of issue 16 ("nothing lies under stress"), as a test: divergence, interrupts,
sizes refused before allocation, silent wrong results, errors of the wrong kind."""
from __future__ import annotations

import resource
import time

import numpy as np
import pytest
import torch
from torch import nn

import mmviz
from mmviz import train
from mmviz._validate import depth as check_depth
from mmviz.train import TrainingDiverged


@pytest.fixture(scope="module")
def match():
    return mmviz.make_task("match", n_train=96, n_test=24)


# ---------------------------------------------------------------- 2. divergence and interrupts

def test_divergence_stops_at_the_first_non_finite_loss_and_keeps_a_usable_model(match):
    model = mmviz.FusionClassifier("early_concatenation", match, dim=16, depth=1)
    with pytest.raises(TrainingDiverged, match=r"diverged.*lr=1000") as caught:
        mmviz.fit(model, match, steps=50, lr=1e3, warmup=0, batch_size=16, progress=False)
    history = caught.value.history
    assert 0 < len(history.loss) < 50 and all(np.isfinite(history.loss))
    assert all(torch.isfinite(p).all() for p in model.parameters())    # the last finite state
    assert not model.training
    assert 0.0 <= mmviz.evaluate(model, match)["accuracy"] <= 1.0         # evaluate and pictures still work
    assert isinstance(caught.value, ValueError)                            # explorers catch ValueErrors


class Interrupt:
    """A callback that raises KeyboardInterrupt (the kernel's stop button) after ``at`` steps."""

    def __init__(self, at):
        self.at = at

    def __call__(self, step, history):
        if step + 1 == self.at:
            raise KeyboardInterrupt


def test_keyboard_interrupt_keeps_the_history_closes_the_bar_and_leaves_eval_mode(match, monkeypatch):
    bars, closed = [], []

    class Bar(train.tqdm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            bars.append(self)

        def close(self):
            closed.append(self.n)
            super().close()

    monkeypatch.setattr(train, "tqdm", Bar)
    model = mmviz.FusionClassifier("early_concatenation", match, dim=16, depth=1)
    with pytest.raises(KeyboardInterrupt) as caught:
        mmviz.fit(model, match, steps=20, batch_size=16, callback=Interrupt(4))
    assert caught.value.history.step == [0, 1, 2, 3]
    assert len(bars) == 1 and closed[:1] == [3]       # closed once, after 3 updates (the 4th step raised)
    assert not model.training


# ---------------------------------------------------------------- 3. sizes refused before allocation

def refused_quickly(call, name):
    """``call`` raises a ValueError naming ``name`` within a second of CPU time (before: up to 94 s),
    without growing the peak memory by 100 MB (before: gigabytes)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.process_time()              # CPU time: other processes on a shared machine do not count
    with pytest.raises(ValueError, match=name):
        call()
    assert time.process_time() - start < 1.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss < 100_000     # KB


@pytest.mark.parametrize("call,name", [
    (lambda: mmviz.Encoder(8, 10**9, 2), "depth"),
    (lambda: mmviz.TransformerBlock(16384, 1), "dim"),
    (lambda: mmviz.Encoder(1024, 64, 4), "parameters"),
    (lambda: mmviz.make_task("match", n_train=10**7), "n_train"),
    (lambda: mmviz.make_task("match", n_test=10**7), "n_test"),
    (lambda: mmviz.build_fusion("hierarchical_multi_to_one", 10**5, 16), "num_modalities"),
    (lambda: mmviz.build_fusion("hierarchical_multi_to_one", 16, 1024, depth=8), "parameters"),
    (lambda: mmviz.SymbolEmbedding(10**9, 4, 16), "vocab_size"),
    (lambda: mmviz.SignalEmbedding(10**9, 1, 16), "length"),
    (lambda: mmviz.PatchEmbedding(4096, 1, 3, 16), "tokens"),
    (lambda: mmviz.make_pictures(10**7), "n"),
    (lambda: check_depth(10**7, "max_depth"), "max_depth"),
])
def test_sizes_beyond_a_teaching_model_are_refused_before_allocation(call, name):
    refused_quickly(call, name)


def test_a_graph_picture_refuses_a_huge_grid():
    mmviz.plot.base.theme()                  # importing seaborn once (~1 s) is not what is measured
    fusion = mmviz.build_fusion("early_concatenation", 2, 16, depth=1)
    record = fusion([torch.randn(1, 3, 16), torch.randn(1, 2, 16)]).attention[0]
    refused_quickly(lambda: mmviz.plot_attention_graph(record, grid=(10**4, 10**4)), "grid")


# ---------------------------------------------------------------- 5. silent wrong results

def test_evaluate_refuses_a_bad_batch_size_and_a_model_of_another_task(match):
    model = mmviz.FusionClassifier("early_concatenation", match, dim=16, depth=1)
    with pytest.raises(ValueError, match="batch_size"):
        mmviz.evaluate(model, match, batch_size=-1)
    locate = mmviz.make_task("locate", n_train=8, n_test=8)
    with pytest.raises(ValueError, match="'locate'"):
        mmviz.evaluate(mmviz.FusionClassifier("early_concatenation", locate, dim=16, depth=1), match)


def test_alignment_score_refuses_a_negative_n(match):
    model = mmviz.FusionClassifier("early_concatenation", match, dim=16, depth=1)
    with pytest.raises(ValueError, match="n must be"):
        mmviz.alignment_score(model, match, n=-5)


def test_a_cross_block_refuses_a_context_that_would_broadcast():
    block = mmviz.TransformerBlock(8, 2, cross=True)
    with pytest.raises(ValueError, match="context must have shape"):
        block(torch.randn(2, 3, 8), context=torch.randn(1, 2, 8))


def test_make_task_needs_a_seed_so_that_the_data_repeats():
    with pytest.raises(ValueError, match="seed"):
        mmviz.make_task("match", n_train=4, n_test=4, seed=None)


@pytest.mark.parametrize("call,name", [
    (lambda: mmviz.TransformerBlock(8, 2, mlp_dim=0), "mlp_dim"),
    (lambda: mmviz.attention_cost("early_concatenation", [2, 3], 16, mlp_dim=-100), "mlp_dim"),
    (lambda: mmviz.TransformerBlock(8, 2, dropout=float("nan")), "dropout"),
    (lambda: mmviz.Encoder(8, 1, 2, dropout=1.0), "dropout"),
])
def test_values_that_were_silently_replaced_are_refused(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_from_torch_refuses_tanh_gelu():
    layer = nn.TransformerEncoderLayer(8, 2, 16, batch_first=True, activation=nn.GELU(approximate="tanh"))
    with pytest.raises(ValueError, match="exact GELU"):
        mmviz.TransformerBlock.from_torch(layer)


# ---------------------------------------------------------------- 6. errors of the right kind

@pytest.mark.parametrize("options,name", [
    (dict(eval_every=0), "eval_every"), (dict(seed=None), "seed"), (dict(seed=2**70), "seed"),
    (dict(lr=float("nan")), "lr"), (dict(weight_decay=-1.0), "weight_decay"), (dict(warmup=-1), "warmup"),
    (dict(callback=3), "callback"),
])
def test_fit_names_the_bad_argument(match, options, name):
    model = mmviz.FusionClassifier("early_concatenation", match, dim=16, depth=1)
    with pytest.raises(ValueError, match=name):
        mmviz.fit(model, match, steps=2, progress=False, **options)


def test_make_task_names_a_negative_seed():
    with pytest.raises(ValueError, match="seed"):
        mmviz.make_task("match", n_train=4, n_test=4, seed=-1)


def test_an_empty_batch_of_symbols_is_a_value_error():
    with pytest.raises(ValueError, match="at least one sample"):
        mmviz.SymbolEmbedding(5, 4, 8)(torch.zeros(0, 3, dtype=torch.long))


def test_max_ticks_zero_is_a_value_error():
    fusion = mmviz.build_fusion("early_concatenation", 2, 16, depth=1)
    record = fusion([torch.randn(1, 3, 16), torch.randn(1, 2, 16)]).attention[0]
    with pytest.raises(ValueError, match="max_ticks"):
        mmviz.plot_attention(record, max_ticks=0)


def test_numpy_and_torch_integers_work_where_python_ints_do(match):
    block = mmviz.TransformerBlock(np.int64(32), np.int32(4), mlp_dim=np.int64(64))
    assert block(torch.randn(1, 3, 32)).shape == (1, 3, 32) and isinstance(block.dim, int)
    assert mmviz.Encoder(torch.tensor(16), np.int64(2), 2).blocks[0].dim == 16
    task = mmviz.make_task("match", n_train=np.int64(8), n_test=np.int64(4), seed=np.int64(1))
    assert len(task.train) == 8
    model = mmviz.FusionClassifier("early_concatenation", match, dim=np.int64(16), depth=np.int64(1),
                                   seed=np.int64(3))
    history = mmviz.fit(model, match, steps=np.int64(2), batch_size=np.int64(8), warmup=np.int64(1),
                        eval_every=np.int64(1), seed=np.int64(0), progress=False)
    assert len(history.loss) == 2
    assert mmviz.attention_cost("early_concatenation", [np.int64(2), 3], np.int64(16))["total"] > 0


def test_a_float_mask_error_says_what_is_wrong():
    with pytest.raises(ValueError, match=r"bool tensor of shape \(1, 3\), got dtype torch.float32"):
        mmviz.Encoder(8, 1, 2)(torch.randn(1, 3, 8), key_padding_mask=torch.zeros(1, 3))
