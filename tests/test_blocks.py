"""Our block is the real thing: equal to torch.nn.TransformerEncoderLayer with the same weights."""
import pytest
import torch
from torch import nn

from mmviz import Attention, Encoder, TransformerBlock


def torch_layer(dim, heads, mlp, norm_first, activation, seed):
    torch.manual_seed(seed)
    layer = nn.TransformerEncoderLayer(dim, heads, mlp, dropout=0.0, activation=activation,
                                       batch_first=True, norm_first=norm_first)
    with torch.no_grad():  # non-trivial LayerNorm parameters, so copying them is tested too
        for ln in (layer.norm1, layer.norm2):
            ln.weight.uniform_(0.5, 1.5)
            ln.bias.normal_()
    return layer.eval()


@pytest.mark.parametrize("norm_first", [True, False])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("dim,heads,mlp,seed", [(16, 2, 32, 0), (32, 4, 64, 1), (48, 8, 96, 2)])
def test_block_equals_torch_layer(norm_first, activation, dim, heads, mlp, seed):
    layer = torch_layer(dim, heads, mlp, norm_first, activation, seed)
    block = TransformerBlock.from_torch(layer).eval()
    assert block.norm == ("pre" if norm_first else "post")
    x = torch.randn(3, 7, dim)
    torch.testing.assert_close(block(x), layer(x), atol=1e-5, rtol=0)


@pytest.mark.parametrize("norm_first", [True, False])
def test_block_equals_torch_layer_with_padding_mask(norm_first):
    layer = torch_layer(32, 4, 64, norm_first, "relu", 3)
    block = TransformerBlock.from_torch(layer).eval()
    x = torch.randn(3, 9, 32)
    mask = torch.zeros(3, 9, dtype=torch.bool)
    mask[0, 6:] = True
    mask[2, 1] = True
    # torch's fast path may leave padded positions as zeros: compare the real tokens only.
    ours, theirs = block(x, key_padding_mask=mask), layer(x, src_key_padding_mask=mask)
    torch.testing.assert_close(ours[~mask], theirs[~mask], atol=1e-5, rtol=0)
    assert torch.all(block.attention[0, :, :, 6:] == 0), "padded keys must get weight 0"


def test_attention_rows_sum_to_one_and_shape():
    block = TransformerBlock(32, 4)
    block(torch.randn(2, 5, 32))
    assert block.attention.shape == (2, 4, 5, 5)
    torch.testing.assert_close(block.attention.sum(-1), torch.ones(2, 4, 5))


def test_cross_attention_shapes_and_rows():
    block = TransformerBlock(16, 2, cross=True)
    out = block(torch.randn(2, 3, 16), context=torch.randn(2, 7, 16))
    assert out.shape == (2, 3, 16)
    assert block.attention.shape == (2, 2, 3, 7)
    torch.testing.assert_close(block.attention.sum(-1), torch.ones(2, 2, 3))


def test_attention_without_positions_is_permutation_equivariant():
    torch.manual_seed(0)
    block = TransformerBlock(16, 4, norm="post").eval()
    x = torch.randn(1, 6, 16)
    perm = torch.randperm(6)
    torch.testing.assert_close(block(x[:, perm]), block(x)[:, perm], atol=1e-5, rtol=0)


@pytest.mark.parametrize("norm", ["pre", "post"])
def test_encoder_keeps_attention_per_layer(norm):
    enc = Encoder(16, depth=3, heads=2, norm=norm)
    y = enc(torch.randn(2, 4, 16))
    assert y.shape == (2, 4, 16)
    assert len(enc.attention) == 3 and all(a.shape == (2, 2, 4, 4) for a in enc.attention)
    # a pre-norm stack ends with its own LayerNorm; post-norm's last block already normalised
    assert isinstance(enc.final_norm, nn.LayerNorm if norm == "pre" else nn.Identity)
    torch.testing.assert_close(y.mean(-1), torch.zeros(2, 4), atol=1e-5, rtol=0)


def test_gradients_reach_every_parameter():
    enc = Encoder(16, depth=2, heads=2, norm="pre")
    enc(torch.randn(2, 4, 16)).pow(2).sum().backward()
    unused = [n for n, p in enc.named_parameters() if p.grad is None and "ln_context" not in n]
    assert not unused


@pytest.mark.parametrize("make,match", [
    (lambda: TransformerBlock(30, 4), r"dim=30 and heads=4"),
    (lambda: TransformerBlock(32, 0), r"heads must be an int from 1 to 64, got 0"),
    (lambda: TransformerBlock(-8, 2), r"dim must be an int from 1 to 1024, got -8"),
    (lambda: TransformerBlock(32, 4, norm="middle"), r"'pre', 'post', got 'middle'"),
    (lambda: Encoder(32, 0, 4), r"depth must be an int from 1 to 64, got 0"),
    (lambda: Encoder(32, 2, 4, norm="sandwich"), r"got 'sandwich'"),
    (lambda: Attention(10, 3), r"dim=10 and heads=3"),
])
def test_bad_construction_names_the_value(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("x,match", [
    (torch.randn(5, 32), r"\(batch, tokens, 32\), got \(5, 32\)"),
    (torch.randn(2, 5, 31), r"got \(2, 5, 31\)"),
    (torch.randn(1, 2, 3, 32), r"got \(1, 2, 3, 32\)"),
    ([[1.0]], r"must be a torch.Tensor.*got list"),
    (torch.randn(2, 5, 32).double(), r"dtype torch.float32, got torch.float64"),
    (torch.ones(2, 5, 32, dtype=torch.long), r"got torch.int64"),
])
def test_bad_input_names_the_shape(x, match):
    """Inputs are checked where they enter a stack (and in Fusion), not in every block's forward."""
    with pytest.raises(ValueError, match=match):
        Encoder(32, 1, 4)(x)


def test_a_self_attention_block_refuses_a_context_and_has_no_context_norm():
    block = TransformerBlock(16, 2)
    assert not hasattr(block, "ln_context")
    with pytest.raises(ValueError, match="cross=True"):
        block(torch.randn(1, 3, 16), context=torch.randn(1, 2, 16))
    assert hasattr(TransformerBlock(16, 2, cross=True), "ln_context")
    assert not hasattr(TransformerBlock(16, 2, norm="post", cross=True), "ln_context")  # post: unused


def test_from_torch_rejects_other_layers():
    with pytest.raises(ValueError, match="TransformerEncoderLayer, got Linear"):
        TransformerBlock.from_torch(nn.Linear(4, 4))
    with pytest.raises(ValueError, match="batch_first=False"):
        TransformerBlock.from_torch(nn.TransformerEncoderLayer(8, 2))


def test_bad_padding_mask_is_refused():
    block = Encoder(16, 1, 2)
    x = torch.randn(2, 4, 16)
    with pytest.raises(ValueError, match=r"shape \(2, 4\), got dtype torch.bool, shape \(2, 3\)"):
        block(x, key_padding_mask=torch.zeros(2, 3, dtype=torch.bool))
    everything = torch.zeros(2, 4, dtype=torch.bool)
    everything[1] = True                      # sample 1 reads nothing (an absent modality): no NaN
    assert torch.isfinite(block(x, key_padding_mask=everything)).all()
