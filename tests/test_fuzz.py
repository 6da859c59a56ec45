"""Fuzzing mmviz's public functions over shapes and parameters, good and bad.

Every call either returns finite numbers or raises a ValueError whose message names what it got;
never a TypeError/RuntimeError from deep inside torch, never a silent NaN.
"""
from __future__ import annotations

import math

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
