"""Modality embedders: patch order, shapes, position embedding as a sum, and input checks."""
import pytest
import torch
from torch.nn import functional as F

from mmviz import ModalityTypeEmbedding, PatchEmbedding, SignalEmbedding, SymbolEmbedding, patchify

DIM = 16


@pytest.fixture(autouse=True)
def seeded():
    torch.manual_seed(0)


# ---------------------------------------------------------------- patches

def test_patchify_row_major_order():
    images = torch.randn(2, 3, 8, 12)
    patches = patchify(images, 4)
    assert patches.shape == (2, 2 * 3, 3 * 4 * 4)
    for r in range(2):
        for c in range(3):
            expected = images[:, :, 4 * r:4 * r + 4, 4 * c:4 * c + 4].reshape(2, -1)
            assert torch.equal(patches[:, 3 * r + c], expected)


def test_patch_embedding_equals_strided_convolution():
    embed = PatchEmbedding((8, 12), 4, 3, DIM, position=False)
    images = torch.randn(2, 3, 8, 12)
    weight = embed.proj.weight.reshape(DIM, 3, 4, 4)    # a patch is flattened (channel, row, column)
    conv = F.conv2d(images, weight, embed.proj.bias, stride=4).flatten(2).transpose(1, 2)
    torch.testing.assert_close(embed(images), conv)
    assert embed.grid == (2, 3)


def test_position_embedding_is_an_early_summation():
    embed = PatchEmbedding(8, 4, 1, DIM)
    images = torch.randn(3, 1, 8, 8)
    plain = embed.proj(patchify(images, 4))
    torch.testing.assert_close(embed(images), plain + embed.position)
    assert embed.position.shape == (1, 4, DIM)
    assert PatchEmbedding(8, 4, 1, DIM, position=False).position is None


@pytest.mark.parametrize("size, patch, match", [((6, 8), 4, "6x8"), ((8, 8), 0, "patch_size.*0")])
def test_patchify_refuses_bad_sizes(size, patch, match):
    with pytest.raises(ValueError, match=match):
        patchify(torch.randn(1, 1, *size), patch)
    with pytest.raises(ValueError, match=match):
        PatchEmbedding(size, patch, 1, DIM)


def test_patch_embedding_checks_images():
    embed = PatchEmbedding(8, 4, 3, DIM)
    with pytest.raises(ValueError, match=r"\(batch, 3, 8, 8\), got \(2, 1, 8, 8\)"):
        embed(torch.randn(2, 1, 8, 8))
    with pytest.raises(ValueError, match="torch.int64"):
        embed(torch.ones(2, 3, 8, 8, dtype=torch.long))
    with pytest.raises(ValueError, match=r"got \(3, 8, 8\)"):
        embed(torch.randn(3, 8, 8))


# ---------------------------------------------------------------- symbols

def test_symbols_shape_and_positions():
    embed = SymbolEmbedding(10, 6, DIM)
    symbols = torch.tensor([[1, 1, 1, 1, 1, 1], [2, 3, 4, 5, 6, 7]])
    z = embed(symbols)
    assert z.shape == (2, 6, DIM)
    assert not torch.allclose(z[0, 0], z[0, 1]), "the same symbol at two positions differs by position"
    torch.testing.assert_close(z[0, 0] - z[0, 1], embed.position[0, 0] - embed.position[0, 1])
    shorter = embed(symbols[:, :4])
    torch.testing.assert_close(shorter, z[:, :4])
    plain = SymbolEmbedding(10, 6, DIM, position=False)
    assert torch.equal(plain(symbols)[0, 0], plain(symbols)[0, 5])


def test_symbols_checked():
    embed = SymbolEmbedding(10, 6, DIM)
    with pytest.raises(ValueError, match="from -1 to 3"):
        embed(torch.tensor([[-1, 3]]))
    with pytest.raises(ValueError, match=r"\[0, 10\) or be the PAD id 10, got values from 0 to 11"):
        embed(torch.tensor([[0, 11]]))     # 10 is PAD (one past the symbols), 11 is nothing
    with pytest.raises(ValueError, match="torch.float32"):
        embed(torch.zeros(1, 3))
    with pytest.raises(ValueError, match=r"L <= 6, got \(1, 7\)"):
        embed(torch.zeros(1, 7, dtype=torch.long))


# ---------------------------------------------------------------- signals

def test_signal_frames():
    embed = SignalEmbedding(12, 4, DIM, position=False)
    signal = torch.randn(2, 12)
    z = embed(signal)
    assert z.shape == (2, 3, DIM)
    torch.testing.assert_close(z, embed(signal[:, None]))
    changed = signal.clone()
    changed[:, 5] += 1.0                     # sample 5 lies in frame 1 only
    moved = (embed(changed) - z).abs().sum(-1)
    assert moved[:, 1].min() > 0 and moved[:, [0, 2]].max() == 0


def test_signal_channels_and_position():
    embed = SignalEmbedding(8, 2, DIM, channels=3)
    z = embed(torch.randn(5, 3, 8))
    assert z.shape == (5, 4, DIM)
    assert embed(torch.randn(5, 3, 4)).shape == (5, 2, DIM)


def test_signal_checked():
    embed = SignalEmbedding(12, 4, DIM)
    with pytest.raises(ValueError, match="got 10"):
        embed(torch.randn(1, 10))
    with pytest.raises(ValueError, match="got 16"):
        embed(torch.randn(1, 16))
    with pytest.raises(ValueError, match=r"\(batch, 1, time\), got \(1, 2, 12\)"):
        embed(torch.randn(1, 2, 12))
    with pytest.raises(ValueError, match="frame=5.*length=12"):
        SignalEmbedding(12, 5, DIM)


# ---------------------------------------------------------------- modality type

def test_modality_type_adds_one_vector_per_modality():
    types = ModalityTypeEmbedding(3, DIM)
    z = torch.randn(2, 5, DIM)
    shift = types(z, 1) - types(z, 0)
    torch.testing.assert_close(shift, (types.types[1] - types.types[0]).expand_as(shift))
    torch.testing.assert_close(types(z, 2) - z, types.types[2].expand_as(z))


@pytest.mark.parametrize("m", [3, -1, 1.0, True])
def test_modality_type_checked(m):
    with pytest.raises(ValueError, match=f"got {m!r}"):
        ModalityTypeEmbedding(3, DIM)(torch.randn(1, 2, DIM), m)


def test_modality_type_checks_width():
    with pytest.raises(ValueError, match=r"got \(1, 2, 8\)"):
        ModalityTypeEmbedding(3, DIM)(torch.randn(1, 2, 8), 0)
