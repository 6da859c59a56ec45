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


def test_scene_read_from_pixels_gives_every_test_answer():
    """scene_of reads each picture's objects back from its pixels: the caption's object is at the label."""
    from mmviz.lessons import concatenation
    task = concatenation.locate()
    for i in range(0, len(task.test), 7):
        scene = concatenation.scene_of(task.test.inputs[0][i])
        assert len(scene) == 3
        assert scene[tuple(task.test.words[1][i])] == int(task.test.labels[i])


def test_a_perfect_model_moves_where_the_swapped_caption_names_another_object():
    from mmviz.lessons import concatenation
    task = concatenation.locate()
    shares = concatenation.perfect_moves(task)
    assert abs(sum(shares.values()) - 1) < 1e-6 and all(0 <= v <= 1 for v in shares.values())
    new, own = concatenation.swapped_answers(task, shift=0)      # its own caption: nothing moves
    assert torch.equal(new, own)
    captions, cells = concatenation.other_object_captions(task)
    assert (cells != task.test.labels).all() and captions.shape == (len(task.test), 2)
    vocab = task.modalities[1].vocab
    for i in range(0, len(task.test), 11):
        scene = concatenation.scene_of(task.test.inputs[0][i])
        assert scene[vocab[captions[i, 0]], vocab[captions[i, 1]]] == cells[i]
