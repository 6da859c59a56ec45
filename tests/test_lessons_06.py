"""Notebook 06's self-checks agree with the cost formulas and the shape of a concatenated map."""
import pytest
import torch

import mmviz
from mmviz import check


def test_concatenation_flops_check_agrees_with_attention_cost():
    cost = mmviz.attention_cost("early_concatenation", [16, 2], dim=32, depth=1)
    assert check.concatenation_attention_flops(cost["attention"], token_counts=(16, 2), dim=32)
    separate = 4 * (16 ** 2 + 2 ** 2) * 32
    assert not check.concatenation_attention_flops(separate, token_counts=(16, 2), dim=32)


@pytest.mark.parametrize("n", [2, 8, 64])
def test_ratio_four_holds_for_any_token_count(n):
    cat = mmviz.attention_cost("early_concatenation", [n, n], dim=16, depth=1)["attention"]
    summed = mmviz.attention_cost("early_summation", [n, n], dim=16, depth=1)["attention"]
    assert check.concatenation_over_summation(cat / summed)
    assert not check.concatenation_over_summation(2)


def test_cross_modal_entries_is_the_off_diagonal_share_of_a_real_map():
    out = mmviz.build_fusion("early_concatenation", 2, 16, depth=1, heads=2)(
        [torch.randn(1, 16, 16), torch.randn(1, 2, 16)])
    record = out.attention[0]
    cross = record.query_modality[:, None] != record.key_modality[None, :]
    assert check.cross_modal_entries(cross.float().mean().item(), token_counts=(16, 2))
    assert not check.cross_modal_entries(0.5, token_counts=(16, 2))
    assert not check.cross_modal_entries(float("nan"))  # never raises on an answer: "Not yet"
