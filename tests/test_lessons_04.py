"""Notebook 04's self-checks accept the right answer, reject wrong ones with a hint, refuse bad input."""
import pytest
import torch

import mmviz
from mmviz import check


def test_patch_tokens_counts_the_patches_patchify_makes():
    n = mmviz.patchify(torch.rand(1, 3, 24, 24), 4).shape[1]
    assert check.patch_tokens(n, image_size=24, patch_size=4)
    assert not check.patch_tokens(n + 1, image_size=24, patch_size=4)
    assert check.patch_tokens(16, image_size=24, patch_size=6)
    with pytest.raises(ValueError, match="divisible"):
        check.patch_tokens(5, image_size=24, patch_size=5)


def test_joint_graph_edges_is_the_size_of_the_joint_attention_map():
    zs = [torch.randn(1, n, 16) for n in (16, 3, 8, 8)]
    out = mmviz.build_fusion("early_concatenation", 4, 16, depth=1, heads=2)(zs)
    assert check.joint_graph_edges(out.attention[0].weights[0, 0].numel(), token_counts=(16, 3, 8, 8))
    assert not check.joint_graph_edges(16 ** 2 + 3 ** 2 + 8 ** 2 + 8 ** 2, token_counts=(16, 3, 8, 8))
    assert not check.joint_graph_edges("many")          # never raises on an answer: "Not yet"


def test_swap_within_modality_wants_a_bool(capsys):
    assert check.swap_within_modality(True)
    assert not check.swap_within_modality(False)
    assert capsys.readouterr().out.startswith("Right:")
    assert check.swap_within_modality("yes")             # words read as the bool they mean
    assert not check.swap_within_modality("perhaps")
    assert "True or False" in capsys.readouterr().out


def test_swap_within_a_modality_with_type_embeddings_only_swaps_outputs():
    """The fact exercise 3 asks about: a type vector is the same for every token of its modality."""
    torch.manual_seed(0)
    types = mmviz.ModalityTypeEmbedding(2, 16)
    fusion = mmviz.build_fusion("early_concatenation", 2, 16, depth=1, heads=2).eval()
    a, b = torch.randn(1, 5, 16), torch.randn(1, 3, 16)
    perm = torch.tensor([1, 0, 2, 3, 4])
    with torch.no_grad():
        out = fusion([types(a, 0), types(b, 1)]).tokens
        swapped = fusion([types(a[:, perm], 0), types(b, 1)]).tokens
    order = torch.cat([perm, torch.arange(5, 8)])
    assert torch.allclose(swapped, out[:, order], atol=1e-5)
