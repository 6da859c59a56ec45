"""Properties of the tiny Vision Transformer and its picture task (reference section 3.2)."""
import pytest
import torch

from mmviz.data import CELL, GRID, make_pictures, quadrant
from mmviz.lessons.vision import (
    accuracy_curve,
    as_convolution,
    head_ablation_accuracy,
    head_roles,
    position_similarity,
    shuffled_position_accuracy,
    sincos_positions,
    tiny_vit,
)
from mmviz.tokens import PatchEmbedding, patchify
from mmviz.train import train_vit, vit_accuracy
from mmviz.vit import VisionTransformer


@pytest.fixture(scope="module")
def pictures():
    return make_pictures(64, seed=0)


def test_pictures_are_seeded_and_labelled_by_the_red_objects_quadrant(pictures):
    images, labels, cells = pictures
    again = make_pictures(64, seed=0)
    assert torch.equal(images, again[0]) and torch.equal(labels, again[1])
    assert not torch.equal(images, make_pictures(64, seed=1)[0])
    assert images.shape == (64, 3, GRID * CELL, GRID * CELL)
    assert labels.tolist() == [quadrant(c) for c in cells.tolist()]
    # the red object's patch is the reddest patch: red channel high, green and blue low
    patches = patchify(images, CELL).unflatten(-1, (3, CELL * CELL)).mean(-1)   # (n, 16, 3)
    redness = patches[..., 0] - patches[..., 1:].max(-1).values
    assert torch.equal(redness.argmax(1), cells)


def test_quadrants_cover_the_grid():
    assert [quadrant(c) for c in (0, 3, 12, 15, 5, 10)] == [0, 1, 2, 3, 0, 3]


def test_vit_shapes_and_attention(pictures):
    images = pictures[0][:5]
    model = VisionTransformer(dim=16, depth=2, heads=2)
    logits = model(images)
    assert logits.shape == (5, 4)
    n = 1 + GRID * GRID
    assert [tuple(w.shape) for w in model.attention] == [(5, 2, n, n)] * 2
    for w in model.attention:
        assert torch.allclose(w.sum(-1), torch.ones(5, 2, n))
    cls = model.cls_attention()
    assert cls.shape == (5, 2, GRID, GRID)
    assert (cls.flatten(2).sum(-1) < 1).all()
    records = model.records()
    assert len(records) == 2 and records[0].query_modality[0] == -1


def test_without_position_embedding_the_class_token_ignores_patch_order(pictures):
    images = pictures[0][:3]
    model = VisionTransformer(dim=16, depth=1, heads=2, position=False).eval()
    # Flip the image's patch grid upside down: the same patches in another order.
    flipped = images.unflatten(2, (GRID, CELL)).flip(2).flatten(2, 3)
    assert torch.allclose(model(images), model(flipped), atol=1e-5)
    with_position = VisionTransformer(dim=16, depth=1, heads=2, position=True).eval()
    assert not torch.allclose(with_position(images), with_position(flipped), atol=1e-3)


def test_training_lowers_the_loss_and_is_deterministic(pictures):
    images, labels, _ = pictures
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = VisionTransformer(dim=16, depth=1, heads=2)
        runs.append(train_vit(model, images, labels, steps=30, batch_size=16))
    assert runs[0] == runs[1]
    assert sum(runs[0][-5:]) < sum(runs[0][:5])
    assert 0.0 <= vit_accuracy(model, images, labels) <= 1.0


@pytest.mark.parametrize("kwargs, word", [({"dim": 30, "heads": 4}, "divisible"),
                                          ({"classes": 0}, "classes")])
def test_vit_rejects_bad_configuration(kwargs, word):
    with pytest.raises(ValueError, match=word):
        VisionTransformer(**kwargs)


def test_bad_inputs_raise_value_errors():
    with pytest.raises(ValueError, match="distractors"):
        make_pictures(4, distractors=9)
    with pytest.raises(ValueError, match="no attention"):
        VisionTransformer(dim=16, heads=2).cls_attention()
    with pytest.raises(ValueError, match="same length"):
        train_vit(VisionTransformer(dim=16, heads=2), torch.zeros(4, 3, 24, 24), torch.zeros(3).long())


def test_patch_embedding_is_a_strided_convolution():
    torch.manual_seed(0)
    embedding = PatchEmbedding(image_size=12, patch_size=4, channels=3, dim=8, position=False)
    images = torch.rand(2, 3, 12, 12)
    assert torch.allclose(as_convolution(embedding, images), embedding(images), atol=1e-6)


def test_shuffling_the_position_table_restores_it_and_needs_a_table():
    torch.manual_seed(0)
    model = VisionTransformer(dim=16, depth=1, heads=2)
    images, labels, _ = make_pictures(8, seed=0)
    before = model.patches.position.detach().clone()
    shuffled_position_accuracy(model, images, labels)
    assert torch.equal(model.patches.position, before)
    with pytest.raises(ValueError, match="position"):
        shuffled_position_accuracy(VisionTransformer(dim=16, depth=1, heads=2, position=False),
                                   images, labels)


def test_head_roles_and_position_similarity():
    cls = torch.zeros(4, 2, 2, 2)
    cells = torch.tensor([0, 1, 2, 3])
    cls[torch.arange(4), 0, cells // 2, cells % 2] = 1.0     # head 0 follows the object
    cls[:, 1, 1, 1] = 0.9                                    # head 1 always looks at patch 3
    roles = head_roles(cls, cells)
    assert roles[0]["red"] == 1.0 and roles[1]["fixed_patch"] == 3 and roles[1]["fixed_share"] == 1.0
    assert abs(roles[1]["fixed_weight"] - 0.9) < 1e-6
    sim = position_similarity(torch.randn(1, 5, 8))
    assert sim.shape == (5, 5) and torch.allclose(sim.diagonal(), torch.ones(5), atol=1e-6)
    with pytest.raises(ValueError, match="table"):
        position_similarity(torch.randn(2, 5, 8))


def test_sincos_positions_are_fixed_distinct_and_two_dimensional():
    table = sincos_positions(4, 4, 32)
    assert table.shape == (16, 32)
    assert (torch.cdist(table, table) + torch.eye(16)).min() > 0.1          # every place distinct
    assert torch.equal(table[:4, 16:], table[4:8, 16:])                    # column features repeat by row
    model = tiny_vit(0, "sincos")
    before = model.patches.position.clone()
    images, labels, _ = make_pictures(16, seed=0)
    train_vit(model, images, labels, steps=3, seed=0)
    assert torch.equal(model.patches.position, before)                     # never trained
    with pytest.raises(ValueError, match="divisible by 4"):
        sincos_positions(4, 4, 30)
    with pytest.raises(ValueError, match="positions"):
        tiny_vit(0, "0.1")


def test_accuracy_curve_trains_exactly_as_train_vit():
    images, labels, _ = make_pictures(40, seed=0)
    a, b = tiny_vit(1, "0.02"), tiny_vit(1, "0.02")
    steps, accuracy = accuracy_curve(a, (images, labels), (images, labels), steps=6, every=3, seed=1)
    train_vit(b, images, labels, steps=6, seed=1)
    assert steps == [3, 6] and len(accuracy) == 2
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert accuracy[-1] == vit_accuracy(b, images, labels)


def test_head_ablation_replaces_a_head_by_its_mean():
    model = tiny_vit(0, "0.5")
    images, labels, _ = make_pictures(30, seed=2)
    intact = vit_accuracy(model, images, labels)
    assert head_ablation_accuracy(model, images, labels, []) == intact       # nothing ablated
    one = images[:1].expand(30, -1, -1, -1).contiguous()     # 30 copies: the mean is the head itself
    assert head_ablation_accuracy(model, one, labels, [0, 1, 2, 3]) == vit_accuracy(model, one, labels)
    assert 0 <= head_ablation_accuracy(model, images, labels, [0, 1, 2, 3]) <= 1


def test_notebook_03_separates_steps_from_data_and_learned_from_distinguishable():
    from pathlib import Path
    source = Path(__file__).resolve().parents[1] / "notebooks" / "src"
    text = (source / "03_vision_transformer.py").read_text()
    assert "needs a lot of data" not in text and "not\n# about the amount of data" in text
    assert "fixed 2-D sinusoidal" in text and '"sincos-learns"' in text
    assert "a constant reference" not in text                    # the fixed heads' role was seed 0's only
