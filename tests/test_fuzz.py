"""Fuzzing mmviz's public functions over shapes and parameters, good and bad.

Every call either returns finite numbers or raises a ValueError whose message names what it got;
never a TypeError/RuntimeError from deep inside torch, never a silent NaN.
"""
from __future__ import annotations

import math
import os
import re
import resource
import time

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mmviz

FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

# Mostly small valid-looking values, sometimes wrong in kind or sign.
small_int = st.one_of(st.integers(1, 4), st.integers(1, 4), st.integers(-2, 0))
odd_value = st.sampled_from([None, 2.5, "4", True, float("nan")])
a_dim = st.one_of(st.sampled_from([8, 16, 12]), st.integers(-2, 20), odd_value)
a_heads = st.one_of(st.sampled_from([1, 2, 4]), st.integers(-1, 5), odd_value)
a_norm = st.sampled_from(["pre", "post", "pre", "post", "mid", None, 0])
a_variant = st.one_of(st.sampled_from(mmviz.FUSION_VARIANTS), st.sampled_from(["early_fusion", "", None]))


def finite(value):
    """Every tensor (or number) inside ``value`` is finite."""
    if isinstance(value, torch.Tensor):
        return not value.is_floating_point() or bool(torch.isfinite(value).all())
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(finite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(finite(v) for v in value)
    if hasattr(value, "__dataclass_fields__"):
        return all(finite(getattr(value, f)) for f in value.__dataclass_fields__)
    return True


def outcome(call):
    """Run ``call``: a ValueError with a message, or a finite result. Returns the result (None if refused)."""
    try:
        result = call()
    except ValueError as error:
        assert str(error).strip(), "ValueError without a message"
        return None
    except Exception as error:  # the property under test: nothing but ValueError escapes
        pytest.fail(f"{type(error).__name__} instead of ValueError: {error}")
    assert finite(result), f"non-finite numbers in the result: {result!r}"[:500]
    return result


def tokens(batch, n, width, dtype=torch.float32):
    return torch.randn(batch, n, width).to(dtype) if width >= 0 else torch.randn(batch, n)


@FUZZ
@given(dim=a_dim, heads=a_heads, norm=a_norm, mlp_dim=st.one_of(st.none(), st.integers(-1, 32)),
       dropout=st.one_of(st.just(0.0), st.floats(-0.5, 1.5)), batch=st.integers(0, 3), n=st.integers(0, 5),
       width_shift=st.sampled_from([0, 0, 0, 1, -1]), dtype=st.sampled_from([torch.float32, torch.float64,
                                                                              torch.long]),
       mask=st.sampled_from([None, "some", "all", "wrong shape", "float"]), context=st.booleans())
def test_transformer_block(dim, heads, norm, mlp_dim, dropout, batch, n, width_shift, dtype, mask, context):
    """Construction refuses bad values; bad *inputs* are the job of the stack and Fusion boundaries
    (test_encoder, test_fusion), so a block's forward is fed what a stack passes on, masks included."""
    torch.manual_seed(0)
    block = outcome(lambda: mmviz.TransformerBlock(dim, heads, mlp_dim=mlp_dim, norm=norm, dropout=dropout,
                                                   cross=context))
    if block is None:
        return
    n, batch = max(n, 1), max(batch, 1)
    x = tokens(batch, n, dim)
    masks = {None: None, "some": torch.arange(n).expand(batch, n) == 0}
    ctx = tokens(batch, n + 1, dim) if context else None
    key_mask = masks.get(mask) if ctx is None else None
    y = outcome(lambda: block(x, context=ctx, key_padding_mask=key_mask))
    assert y is not None and y.shape == x.shape
    rows = block.attention.sum(-1)
    assert torch.allclose(rows, torch.ones_like(rows), atol=1e-5), "attention rows must sum to 1"


@FUZZ
@given(dim=a_dim, depth=st.one_of(small_int, odd_value), heads=a_heads, norm=a_norm,
       batch=st.integers(1, 3), n=st.integers(0, 4))
def test_encoder(dim, depth, heads, norm, batch, n):
    torch.manual_seed(0)
    encoder = outcome(lambda: mmviz.Encoder(dim, depth, heads, norm))
    if encoder is None:
        return
    y = outcome(lambda: encoder(torch.randn(batch, n, dim)))
    if y is not None:
        assert y.shape == (batch, n, dim) and len(encoder.attention) == depth


@FUZZ
@given(variant=a_variant, m=st.one_of(small_int, odd_value), dim=a_dim, depth=st.one_of(small_int, odd_value),
       heads=a_heads, norm=a_norm, alpha=st.one_of(st.none(), st.lists(st.floats(-2, 2), max_size=5),
                                                    st.just("ab"), st.just([float("inf"), 1.0])),
       counts=st.lists(st.integers(0, 4), min_size=0, max_size=5), batches=st.sampled_from(["same", "mixed"]),
       width_shift=st.sampled_from([0, 0, 0, 1]))
def test_build_fusion_and_forward(variant, m, dim, depth, heads, norm, alpha, counts, batches, width_shift):
    torch.manual_seed(0)
    model = outcome(lambda: mmviz.build_fusion(variant, m, dim, depth=depth, heads=heads, norm=norm,
                                               alpha=alpha))
    if model is None:
        return
    width = dim + width_shift
    zs = [torch.randn(2 if batches == "mixed" and i == 1 else 1, n, width) for i, n in enumerate(counts)]
    out = outcome(lambda: model(zs))
    if out is not None:
        assert out.tokens.shape[0] == 1 and out.tokens.shape[-1] == dim
        for record in out.attention:
            rows = record.weights.sum(-1)
            assert torch.allclose(rows, torch.ones_like(rows), atol=1e-5), record.name


@FUZZ
@given(variant=a_variant, counts=st.one_of(st.lists(st.integers(-1, 6), max_size=5),
                                           st.lists(st.sampled_from([1, 2.0, True, "3"]), min_size=1,
                                                    max_size=3),
                                           st.just(5), st.none()),
       dim=a_dim, depth=st.one_of(small_int, odd_value), heads=a_heads,
       mlp_dim=st.one_of(st.none(), st.integers(-1, 64)))
def test_attention_cost(variant, counts, dim, depth, heads, mlp_dim):
    cost = outcome(lambda: mmviz.attention_cost(variant, counts, dim, depth=depth, heads=heads,
                                                mlp_dim=mlp_dim))
    if cost is not None:
        assert cost["total"] == cost["attention"] + cost["projection_mlp"]
        assert cost["attention"] > 0 and cost["projection_mlp"] > 0, cost


@FUZZ
@given(name=st.one_of(st.sampled_from(mmviz.TASKS), st.sampled_from(["sort", "", None])),
       m=st.one_of(st.none(), st.integers(-1, 5), odd_value),
       n_train=st.one_of(st.integers(-1, 6), odd_value), n_test=st.integers(-1, 6),
       seed=st.one_of(st.integers(0, 3), st.just(-1)),
       options=st.sampled_from([{}, {}, {"objects": 2}, {"objects": 9}, {"aligned": False}, {"colour": 1}]))
def test_make_task(name, m, n_train, n_test, seed, options):
    task = outcome(lambda: mmviz.make_task(name, num_modalities=m, n_train=n_train, n_test=n_test, seed=seed,
                                           **options))
    if task is not None:
        assert task.num_modalities == len(task.modalities) >= 1
        again = mmviz.make_task(name, num_modalities=m, n_train=n_train, n_test=n_test, seed=seed, **options)
        for a, b in zip(task.train.inputs, again.train.inputs):
            assert torch.equal(torch.as_tensor(a), torch.as_tensor(b)), "same arguments, different data"


@FUZZ
@given(size=st.one_of(st.sampled_from([8, 12, (8, 12)]), st.integers(-1, 10)), patch=st.integers(-1, 5),
       channels=small_int, dim=a_dim, batch=st.integers(0, 2),
       shape_shift=st.sampled_from(["ok", "ok", "channels", "size", "rank", "long"]))
def test_patch_embedding(size, patch, channels, dim, batch, shape_shift):
    embed = outcome(lambda: mmviz.PatchEmbedding(size, patch, channels, dim))
    if embed is None:
        return
    H, W = embed.image_size
    shape = {"ok": (batch, channels, H, W), "channels": (batch, channels + 1, H, W),
             "size": (batch, channels, H + 1, W), "rank": (channels, H, W),
             "long": (batch, channels, H, W)}[shape_shift]
    images = torch.randn(shape) if shape_shift != "long" else torch.zeros(shape, dtype=torch.long)
    z = outcome(lambda: embed(images))
    if z is not None:
        assert z.shape == (batch, embed.grid[0] * embed.grid[1], dim)


@FUZZ
@given(vocab=small_int, length=small_int, dim=a_dim, batch=st.integers(0, 2), n=st.integers(0, 5),
       low=st.integers(-1, 1), high_shift=st.integers(0, 1),
       dtype=st.sampled_from([torch.long, torch.float32]))
def test_symbol_embedding(vocab, length, dim, batch, n, low, high_shift, dtype):
    embed = outcome(lambda: mmviz.SymbolEmbedding(vocab, length, dim))
    if embed is None:
        return
    symbols = torch.randint(max(low, 0), vocab + high_shift, (batch, n)).to(dtype)
    if batch * n and low < 0:
        symbols[0, 0] = low
    z = outcome(lambda: embed(symbols))
    if z is not None:
        assert z.shape == (batch, n, dim)


@FUZZ
@given(length=st.integers(-1, 16), frame=st.integers(-1, 5), dim=a_dim, channels=small_int,
       batch=st.integers(0, 2), t=st.integers(0, 18), rank=st.sampled_from([2, 3, 3, 4]))
def test_signal_embedding(length, frame, dim, channels, batch, t, rank):
    embed = outcome(lambda: mmviz.SignalEmbedding(length, frame, dim, channels=channels))
    if embed is None:
        return
    shape = {2: (batch, t), 3: (batch, channels, t), 4: (batch, channels, t, 1)}[rank]
    z = outcome(lambda: embed(torch.randn(shape)))
    if z is not None:
        assert z.shape == (batch, t // frame, dim)


@FUZZ
@given(m=st.one_of(small_int, odd_value), dim=a_dim, index=st.one_of(st.integers(-1, 5), odd_value),
       width_shift=st.sampled_from([0, 0, 1]), n=st.integers(0, 3))
def test_modality_type_embedding(m, dim, index, width_shift, n):
    embed = outcome(lambda: mmviz.ModalityTypeEmbedding(m, dim))
    if embed is None:
        return
    z = outcome(lambda: embed(torch.randn(2, n, dim + width_shift), index))
    if z is not None:
        assert z.shape == (2, n, dim)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float16, torch.bfloat16, torch.long, torch.bool],
                         ids=str)
def test_other_dtypes_are_refused_or_handled(dtype):
    """Tokens of another dtype than the model's (float32): a ValueError that names it, or a finite result."""
    torch.manual_seed(0)
    x = torch.randn(2, 3, 16).to(dtype)
    encoder = mmviz.Encoder(16, 1, 2)
    fusion = mmviz.build_fusion("early_concatenation", 2, 16, depth=1, heads=2)
    outcome(lambda: encoder(x))
    outcome(lambda: fusion([x, x]))


# ---------------------------------------------------------------- every public function, argument by argument
#
# For each public function: a cheap valid call, and the kind of each argument. Hypothesis replaces a few
# arguments at once by wrong types, zero, negative or huge values, or numpy/torch scalars of a valid
# value. Bad values must give a ValueError naming one of the replaced arguments, within a second of CPU
# time and without growing the peak memory by 200 MB; numpy scalars of valid values must work.


def bad_and_good(kind, valid):
    """(bad values, values as good as ``valid``) for an argument of ``kind``."""
    wrong = ["3", [2], object()]
    if kind == "size":
        return [0, -1, 10**12, 2.5, True, None, float("nan"), *wrong], [np.int64(valid), np.int32(valid)]
    if kind == "optional size":
        return [0, -1, 10**12, 2.5, True, *wrong], [np.int64(valid)]
    if kind == "index":
        return [-1, 10**12, 2.5, True, *wrong], [np.int64(valid), torch.tensor(valid)]
    if kind == "seed":
        return [-1, 2**70, 2.5, True, None, *wrong], [np.int64(valid), torch.tensor(valid)]
    if kind == "positive float":
        bad = [0.0, -1.0, float("nan"), float("inf"), True, None, *wrong]
        return bad, [np.float32(valid), torch.tensor(valid)]
    if kind == "rate":
        return [-0.1, 1.5, float("nan"), True, None, *wrong], [np.float64(valid)]
    if kind == "nonnegative float":
        return [-1.0, float("nan"), float("inf"), True, None, *wrong], [np.float32(valid)]
    if kind == "choice":
        return ["nope", None, 3, ["pre"]], []
    if kind == "optional choice":
        return ["nope", 3, ["pre"]], []
    if kind == "flag":
        return ["yes", 2, None], [np.bool_(valid)]
    if kind == "object":
        return [None, 3, "x", object()], []
    raise AssertionError(kind)


def public_functions():
    """Every callable of ``mmviz.__all__`` that takes arguments, explorers aside."""
    explorers = {"fusion_explorer", "norm_explorer", "stage_viewer", "with_picture"}
    containers = {"AttentionRecord", "FusionOutput", "Task", "Modality", "History", "Seeds", "Variant",
                  "StageKind"}
    return {name for name in mmviz.__all__ if name not in explorers | containers
            and callable(getattr(mmviz, name)) and not isinstance(getattr(mmviz, name), type(mmviz))}


@pytest.fixture(scope="module")
def world():
    """Small valid arguments the calls share."""
    task = mmviz.make_task("match", n_train=16, n_test=8)
    model = mmviz.FusionClassifier("early_concatenation", task, dim=8, depth=1, heads=2)
    output = model.run(task, 2)
    fusion = mmviz.build_fusion("early_concatenation", 2, 8, depth=1, heads=2)
    zs = [torch.randn(2, 3, 8), torch.randn(2, 2, 8)]
    images, labels, _ = mmviz.make_pictures(4, seed=0)
    vit = mmviz.VisionTransformer(dim=8, depth=1, heads=2)
    history = mmviz.fit(mmviz.FusionClassifier("early_concatenation", task, dim=8, depth=1, heads=2), task,
                        steps=2, progress=False)
    return dict(task=task, model=model, output=output, record=output.attention[0], fusion=fusion, zs=zs,
                images=images, labels=labels, vit=vit, history=history, image=task.image(0))


# name: (call(world, **arguments), {argument: (kind, valid value, words its error may use)})
CASES = {
    "Attention": (lambda w, **a: mmviz.Attention(**a),
                  dict(dim=("size", 8), heads=("size", 2), dropout=("rate", 0.0))),
    "TransformerBlock": (lambda w, **a: mmviz.TransformerBlock(**a),
                         dict(dim=("size", 8), heads=("size", 2), mlp_dim=("optional size", 16),
                              norm=("choice", "pre"), dropout=("rate", 0.0), activation=("choice", "gelu"))),
    "Encoder": (lambda w, **a: mmviz.Encoder(**a),
                dict(dim=("size", 8), depth=("size", 1), heads=("size", 2), norm=("choice", "post"),
                     mlp_dim=("optional size", 16), dropout=("rate", 0.0))),
    "grad_norms_at_init": (lambda w, **a: mmviz.grad_norms_at_init(**a),
                           dict(norm=("choice", "pre"), depth=("size", 1), dim=("size", 8), heads=("size", 2),
                                seed=("seed", 0), init=("choice", "xavier"), repeats=("size", 1),
                                batch=("size", 2), tokens=("size", 2))),
    "norm_training_curve": (lambda w, **a: mmviz.norm_training_curve(**a),
                            dict(norm=("choice", "post"), depth=("size", 1), init=("choice", "default"),
                                 warmup=("flag", True), steps=("size", 1), seed=("seed", 0), dim=("size", 8),
                                 heads=("size", 2), lr=("positive float", 0.01), warmup_steps=("size", 1),
                                 batch=("size", 2), length=("size", 2), vocab=("size", 2))),
    "VisionTransformer": (lambda w, **a: mmviz.VisionTransformer(**a),
                          dict(image_size=("size", 8), patch_size=("size", 4), channels=("size", 3),
                               dim=("size", 8), depth=("size", 1), heads=("size", 2), classes=("size", 4),
                               position=("flag", True), norm=("choice", "pre"),
                               position_std=("nonnegative float", 0.5))),
    "train_vit": (lambda w, **a: mmviz.train_vit(**a),
                  dict(model=("object", "vit"), images=("object", "images"), labels=("object", "labels"),
                       steps=("size", 1), lr=("positive float", 0.01), batch_size=("size", 2),
                       seed=("seed", 0))),
    "vit_accuracy": (lambda w, **a: mmviz.vit_accuracy(**a),
                     dict(model=("object", "vit"), images=("object", "images"), labels=("object", "labels"))),
    "register_variant": (lambda w, **a: mmviz.register_variant(**a), dict(variant=("object", None))),
    "register_stage_kind": (lambda w, **a: mmviz.register_stage_kind(**a), dict(kind=("object", None))),
    "build_fusion": (lambda w, **a: mmviz.build_fusion(**a),
                     dict(variant=("choice", "hierarchical_multi_to_one"), num_modalities=("size", 2),
                          dim=("size", 8), depth=("size", 1), heads=("size", 2), norm=("choice", "pre"),
                          mlp_dim=("optional size", 16), dropout=("rate", 0.0))),
    "attention_cost": (lambda w, **a: mmviz.attention_cost(**a),
                       dict(variant=("choice", "cross_attention"), token_counts=("object", [2, 3]),
                            dim=("size", 8), depth=("size", 1), heads=("size", 2),
                            mlp_dim=("optional size", 16))),
    "count_parameters": (lambda w, **a: mmviz.count_parameters(**a),
                         dict(module=("object", "fusion"), trainable_only=("flag", False))),
    "parameters_without_gradient": (lambda w, **a: mmviz.parameters_without_gradient(**a),
                                    dict(model=("object", "model"), task=("object", "task"), n=("size", 4))),
    "PatchEmbedding": (lambda w, **a: mmviz.PatchEmbedding(**a),
                       dict(image_size=("size", 8), patch_size=("size", 4), channels=("size", 3),
                            dim=("size", 8), position=("flag", True))),
    "SymbolEmbedding": (lambda w, **a: mmviz.SymbolEmbedding(**a),
                        dict(vocab_size=("size", 5), length=("size", 3), dim=("size", 8),
                             position=("flag", True))),
    "SignalEmbedding": (lambda w, **a: mmviz.SignalEmbedding(**a),
                        dict(length=("size", 8), frame=("size", 2), dim=("size", 8), channels=("size", 1),
                             position=("flag", False))),
    "ModalityTypeEmbedding": (lambda w, **a: mmviz.ModalityTypeEmbedding(**a),
                              dict(num_modalities=("size", 2), dim=("size", 8))),
    "patchify": (lambda w, **a: mmviz.patchify(**a),
                 dict(images=("object", "images"), patch_size=("size", 6))),
    "make_task": (lambda w, **a: mmviz.make_task(**a),
                  dict(name=("choice", "tally"), num_modalities=("size", 2), n_train=("size", 4),
                       n_test=("size", 2), seed=("seed", 1))),
    "make_repeat_task": (lambda w, **a: mmviz.make_repeat_task(**a),
                         dict(n_train=("size", 4), n_test=("size", 2), seed=("seed", 0))),
    "make_pictures": (lambda w, **a: mmviz.make_pictures(**a),
                      dict(n=("size", 2), seed=("seed", 0), distractors=("index", 1))),
    "record_labels": (lambda w, **a: mmviz.record_labels(**a),
                      dict(task=("object", "task"), modality_of_tokens=("object", "query modality"),
                           sample=("index", 1), split=("choice", "test"))),
    "FusionClassifier": (lambda w, **a: mmviz.FusionClassifier(**a),
                         dict(variant=("choice", "early_concatenation"), task=("object", "task"),
                              dim=("size", 8),
                              depth=("size", 1), heads=("size", 2), norm=("choice", "pre"),
                              readout=("optional choice", "pooled"), seed=("seed", 0))),
    "fit": (lambda w, **a: mmviz.fit(**a),
            dict(model=("object", "model"), task=("object", "task"), steps=("size", 1),
                 lr=("positive float", 0.001), warmup=("index", 0), batch_size=("size", 4),
                 weight_decay=("nonnegative float", 0.01), seed=("seed", 0), progress=("flag", False),
                 eval_every=("size", 1))),
    "evaluate": (lambda w, **a: mmviz.evaluate(**a),
                 dict(model=("object", "model"), task=("object", "task"), split=("choice", "train"),
                      batch_size=("size", 4))),
    "alignment_score": (lambda w, **a: mmviz.alignment_score(**a),
                        dict(model=("object", "model"), task=("object", "task"), split=("choice", "test"),
                             n=("size", 2))),
    "alignment_scores": (lambda w, **a: mmviz.alignment_scores(**a),
                         dict(model=("object", "model"), task=("object", "task"), n=("size", 2))),
    "alignment_aucs": (lambda w, **a: mmviz.alignment_aucs(**a),
                       dict(model=("object", "model"), task=("object", "task"), n=("size", 2))),
    "alignment_auc": (lambda w, **a: mmviz.alignment_auc(**a),
                      dict(weights=("object", "weights"), aligned=("object", "aligned"))),
    "modality_blocks": (lambda w, **a: mmviz.modality_blocks(**a),
                        dict(record_or_output=("object", "output"), sample=("index", 1), head=("index", 1))),
    "cross_modal_share": (lambda w, **a: mmviz.cross_modal_share(**a),
                          dict(record_or_output=("object", "record"), sample=("index", 0),
                               head=("index", 0))),
    "over_seeds": (lambda w, **a: mmviz.over_seeds(**a),
                   dict(run=("object", "run"), seeds=("object", [0, 1]), progress=("flag", False))),
    "fit_seeds": (lambda w, **a: mmviz.fit_seeds(**a, steps=1, model_options=dict(dim=8, depth=1, heads=2)),
                  dict(variant=("choice", "early_concatenation"), task=("object", "task"),
                       seeds=("object", [0]), progress=("flag", False))),
    "plot_attention": (lambda w, **a: mmviz.plot_attention(**a),
                       dict(record=("object", "record"), head=("index", 1), sample=("index", 1),
                            max_ticks=("size", 4))),
    "plot_modality_blocks": (lambda w, **a: mmviz.plot_modality_blocks(**a),
                             dict(record_or_output=("object", "output"), sample=("index", 0),
                                  head=("index", 1))),
    "plot_attention_on_image": (lambda w, **a: mmviz.plot_attention_on_image(**a),
                                dict(image=("object", "image"), attention=("object", "record"),
                                     query=("index", 1),
                                     sample=("index", 0), head=("index", 0), image_modality=("index", 0),
                                     alpha=("rate", 0.5))),
    "plot_attention_graph": (lambda w, **a: mmviz.plot_attention_graph(**a),
                             dict(record=("object", "record"), sample=("index", 1), head=("index", 0),
                                  top=("size", 2), grid=("object", (5, 5)))),
    "plot_grad_norms": (lambda w, **a: mmviz.plot_grad_norms(**a),
                        dict(norms=("object", {"pre": [1.0, 2.0]}), logy=("flag", True))),
    "plot_history": (lambda w, **a: mmviz.plot_history(**a),
                     dict(histories=("object", "history"), logy=("flag", False))),
    "plot_cost": (lambda w, **a: mmviz.plot_cost(**a),
                  dict(token_counts=("object", [2, 4]), num_modalities=("size", 2), dim=("size", 8),
                       depth=("size", 1), heads=("size", 2), part=("choice", "total"))),
    "stream_influence": (lambda w, **a: mmviz.stream_influence(**a),
                         dict(fusion=("object", "fusion"), zs=("object", "zs"), source=("index", 0),
                              target=("index", 1))),
    "stage_change": (lambda w, **a: mmviz.stage_change(**a),
                     dict(fusion=("object", "fusion"), zs=("object", "zs"), module=("object", "stage"),
                          source=("index", 1))),
    "self_context_change": (lambda w, **a: mmviz.self_context_change(**a),
                            dict(fusion=("object", "fusion"), zs=("object", "zs"), modality=("index", 1),
                                 token=("index", 1))),
}

# Errors may name an argument by what it expects rather than by its name.
SAYS = {"model": "model|FusionClassifier|VisionTransformer", "task": "task", "variant": "variant",
        "record": "record", "record_or_output": "record", "module": "module", "image_size": "image_size",
        "attention": "attention|AttentionRecord|record", "fusion": "fusion|FusionOutput|module",
        "histories": "histor|run|losses", "norms": "norms", "name": "task", "grid": "grid",
        "modality_of_tokens": "modalit", "weights": "weights", "aligned": "aligned", "run": "run",
        "images": "images", "labels": "labels", "image": "image", "zs": "zs"}


def resolve(world, value):
    """A named valid object from ``world`` (strings that name one), else the value itself."""
    named = {"vit": world["vit"], "images": world["images"], "labels": world["labels"],
             "fusion": world["fusion"], "model": world["model"], "task": world["task"],
             "record": world["record"], "output": world["output"], "history": world["history"],
             "image": world["image"], "zs": world["zs"], "stage": world["fusion"].tf,
             "query modality": world["record"].query_modality, "run": lambda seed: {"x": float(seed)},
             "weights": world["record"].weights,
             "aligned": torch.eye(*world["record"].weights.shape[-2:], dtype=torch.bool)}
    return named.get(value, value) if isinstance(value, str) else value


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=int(os.environ.get("MMVIZ_FUZZ_EXAMPLES", 12)), deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_public_function_names_a_bad_argument(world, name, data):
    call, arguments = CASES[name]
    chosen = data.draw(st.lists(st.sampled_from(sorted(arguments)), min_size=1, max_size=2, unique=True))
    given_values, bad = {}, []
    for argument in chosen:
        kind, valid = arguments[argument]
        bads, goods = bad_and_good(kind, valid)
        value = data.draw(st.sampled_from(bads + goods), label=argument)
        given_values[argument] = value
        if not any(value is g for g in goods):
            bad.append(argument)
    values = {a: resolve(world, v) for a, (k, v) in arguments.items()} | given_values
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.process_time()
    try:
        call(world, **values)
        error = None
    except ValueError as caught:
        error = caught
    except Exception as caught:  # the property under test: nothing but ValueError escapes
        pytest.fail(f"{name}({given_values!r:.300}): {type(caught).__name__} instead of ValueError: {caught}")
    assert time.process_time() - start < 1.0, f"{name}({given_values!r:.300}) took over a second"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss < 200_000, f"{name}: memory grew"
    if bad:
        assert error is not None, f"{name} accepted {given_values!r:.300}"
        words = "|".join(SAYS.get(a, a) for a in bad)
        assert re.search(words, str(error), re.IGNORECASE), f"{name}: {error} names none of {bad}"
    else:
        assert error is None, f"{name} refused numpy/torch scalars {given_values!r:.300}: {error}"


def test_the_fuzz_covers_every_public_function():
    assert public_functions() == set(CASES)
