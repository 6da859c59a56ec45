"""Properties of the experiments in mmviz.lessons (reference: sections "attention as a graph" and 3.1)."""
import math

import pytest
import torch

from mmviz import TransformerBlock
from mmviz.lessons.graphs import (
    attention_masks,
    conv_adjacency,
    equivariance_gap,
    permute_tokens,
    sinusoidal_positions,
)
from mmviz.lessons.norms import (
    build_stack,
    classical_gram_schmidt,
    grad_norms_at_init,
    gram_schmidt,
    ill_conditioned,
    loglog_slope,
    measure_at_init,
    modified_gram_schmidt,
    norm_training_curve,
    orthogonality_error,
    output_change,
    position_only_baseline,
    residual_norms,
    sorted_position_marginals,
    sorting_accuracy,
    train_sorter,
    xiong_prediction,
)


def test_post_norm_last_layer_gradient_exceeds_pre_norm():
    post, pre = grad_norms_at_init("post", 12, dim=32), grad_norms_at_init("pre", 12, dim=32)
    assert len(post) == len(pre) == 12
    assert post[-1] > 2 * pre[-1]


def test_post_norm_gradient_grows_toward_output_in_a_deep_stack():
    post = grad_norms_at_init("post", 12, dim=32)
    assert post[-1] > post[0]


def test_pre_norm_last_layer_gradient_shrinks_with_depth():
    shallow, deep = grad_norms_at_init("pre", 3, dim=32)[-1], grad_norms_at_init("pre", 12, dim=32)[-1]
    assert deep < shallow


def test_grad_norms_are_deterministic_and_seed_dependent():
    a, b = grad_norms_at_init("post", 2, dim=16), grad_norms_at_init("post", 2, dim=16)
    c = grad_norms_at_init("post", 2, dim=16, seed=7)
    assert a == b and a != c


def test_default_init_differs_from_xavier():
    assert grad_norms_at_init("post", 2, dim=16, init="default") != grad_norms_at_init("post", 2, dim=16)


def test_xavier_init_zeroes_biases():
    stack = build_stack("pre", 2, dim=16, heads=2)
    assert all((m.bias == 0).all() for m in stack.modules() if isinstance(m, torch.nn.Linear))


@pytest.mark.parametrize("kwargs, word", [
    ({"norm": "middle", "depth": 2}, "norm"),
    ({"norm": "pre", "depth": 0}, "depth"),
    ({"norm": "pre", "depth": 2, "init": "kaiming"}, "init"),
    ({"norm": "pre", "depth": 2, "dim": 30, "heads": 4}, "divisible"),
    ({"norm": "pre", "depth": 2, "repeats": 0}, "repeats"),
])
def test_grad_norms_reject_bad_input(kwargs, word):
    with pytest.raises(ValueError, match=word):
        grad_norms_at_init(**kwargs)


def test_layernorm_puts_post_norm_stream_on_sphere_and_pre_norm_stream_grows():
    post, pre = residual_norms("post", 6, dim=32), residual_norms("pre", 6, dim=32)
    assert all(abs(v - 1) < 1e-3 for v in post)
    assert all(b > a for a, b in zip(pre, pre[1:]))


def test_training_curve_is_deterministic_and_finite():
    a = norm_training_curve("post", 2, steps=4, dim=16)
    assert a == norm_training_curve("post", 2, steps=4, dim=16)
    assert len(a) == 4 and all(math.isfinite(v) for v in a)
    # At init the classifier is near uniform over the vocabulary (8 symbols): loss near ln 8.
    assert abs(a[0] - math.log(8)) < 1.0


def test_training_curve_rejects_bad_steps_and_lr():
    with pytest.raises(ValueError, match="steps"):
        norm_training_curve("pre", 2, steps=0)
    with pytest.raises(ValueError, match="lr"):
        norm_training_curve("pre", 2, steps=2, lr=-1.0)


def test_gram_schmidt_normalising_first_gives_an_orthonormal_basis():
    g = torch.Generator().manual_seed(0)
    v = torch.randn(4, 6, generator=g, dtype=torch.float64) * torch.tensor([[1.0], [5.0], [0.2], [3.0]],
                                                                          dtype=torch.float64)
    basis = gram_schmidt(v)
    assert orthogonality_error(basis) < 1e-12
    assert torch.allclose(basis.norm(dim=1), torch.ones(4, dtype=torch.float64))


def test_gram_schmidt_both_textbook_forms_give_the_same_basis():
    v = torch.tensor([[3.0, 0.0, 0.0], [2.0, 1.0, 0.0], [1.0, 1.0, 5.0]])
    assert torch.allclose(gram_schmidt(v), gram_schmidt(v, normalise_first=False), atol=1e-12)
    assert orthogonality_error(gram_schmidt(v, normalise_first=False)) < 1e-12


def test_gram_schmidt_rejects_too_many_vectors():
    with pytest.raises(ValueError, match="k <= n"):
        gram_schmidt(torch.randn(5, 3))


def test_self_attention_is_permutation_equivariant_until_positions_are_added():
    torch.manual_seed(0)
    block = TransformerBlock(16, 2).eval()
    x, perm = torch.randn(2, 7, 16), torch.randperm(7)
    assert equivariance_gap(block, x, perm) < 1e-5
    table = sinusoidal_positions(7, 16)
    assert equivariance_gap(lambda t: block(t + table), x, perm) > 1e-2


def test_permute_tokens_rejects_a_non_permutation():
    with pytest.raises(ValueError, match="permutation"):
        permute_tokens(torch.zeros(1, 3, 4), [0, 0, 1])


def test_convolution_graph_is_local_and_fixed():
    a = conv_adjacency(6, 3)
    assert a.sum(1).tolist() == [2, 3, 3, 3, 3, 2]
    assert torch.equal(a, a.T)
    with pytest.raises(ValueError, match="odd"):
        conv_adjacency(6, 2)


def test_sinusoidal_positions_are_distinct():
    table = sinusoidal_positions(10, 16)
    assert table.shape == (10, 16)
    assert torch.cdist(table, table).add(torch.eye(10)).min() > 0


def test_position_only_baseline_is_the_entropy_of_the_sorted_marginals():
    p = sorted_position_marginals(8, 8)
    assert torch.allclose(p.sum(1), torch.ones(8, dtype=torch.float64))
    assert p[0].argmax() == 0 and p[-1].argmax() == 7          # the smallest comes first, the largest last
    loss, accuracy = position_only_baseline(8, 8)
    assert 1.3 < loss < 1.5 < math.log(8)                       # far below "learned nothing"
    assert 1 / 8 < accuracy < 0.5
    # Monte Carlo agrees: the k-th smallest of 8 uniform draws.
    g = torch.Generator().manual_seed(0)
    sorted_tokens = torch.randint(0, 8, (20000, 8), generator=g).sort(1).values
    empirical = torch.stack([torch.bincount(sorted_tokens[:, k], minlength=8) for k in range(8)]) / 20000
    assert (empirical - p).abs().max() < 0.02


def test_sorting_accuracy_of_a_trained_pre_norm_sorter_beats_the_position_only_baseline():
    model, losses = train_sorter("pre", 2, warmup=False, steps=60, dim=16, lr=1e-2)
    assert losses[-1] < losses[0]
    assert sorting_accuracy(model) > position_only_baseline()[1]


def test_perturbation_moves_post_norm_output_more_as_depth_grows():
    shallow = {n: output_change(n, 1, dim=32, repeats=2) for n in ("pre", "post")}
    deep = {n: output_change(n, 8, dim=32, repeats=2) for n in ("pre", "post")}
    assert deep["post"] / shallow["post"] > deep["pre"] / shallow["pre"]
    with pytest.raises(ValueError, match="eps"):
        output_change("pre", 2, eps=0)


def test_loglog_slope_and_xiong_shapes():
    assert abs(loglog_slope([1, 4, 16], [1.0, 0.5, 0.25]) + 0.5) < 1e-12
    post = xiong_prediction("post", 5, last=2.0)
    assert post[-1] == 2.0 and all(a < b for a, b in zip(post, post[1:]))
    assert xiong_prediction("pre", 3, last=1.0) == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="norm"):
        xiong_prediction("middle", 3, last=1.0)


def test_measure_at_init_is_one_initialisation_of_grad_norms_at_init():
    m = measure_at_init("pre", 4, dim=16, seed=3)
    assert m["grads"] == grad_norms_at_init("pre", 4, dim=16, seed=3, repeats=1)
    assert len(m["stream"]) == 4 and m["stream"][-1] > m["stream"][0]      # pre-norm's stream grows
    post = measure_at_init("post", 3, dim=16, seed=3)["stream"]
    assert all(abs(v - 1) < 1e-3 for v in post)                          # post-norm: on the sphere


def test_modified_gram_schmidt_survives_ill_conditioning_classical_does_not():
    v = ill_conditioned(8, condition=1e10, seed=1)
    assert torch.linalg.cond(v) > 1e9
    assert orthogonality_error(classical_gram_schmidt(v)) > 0.5
    assert orthogonality_error(modified_gram_schmidt(v)) < 1e-5
    well = torch.randn(6, 6, dtype=torch.float64)
    assert torch.allclose(classical_gram_schmidt(well), modified_gram_schmidt(well), atol=1e-10)
    assert torch.allclose(classical_gram_schmidt(well), gram_schmidt(well), atol=1e-10)


def test_masks_delete_edges_of_the_complete_graph():
    masks = attention_masks(4, 3, padded=1)
    assert masks["no mask"].all() and masks["causal"].sum() == 4 * 5 // 2
    assert not masks["causal"][0, 1] and masks["causal"][1, 0]          # no edge to the future
    assert masks["padding"][:, 3].sum() == 0 and masks["padding"][:, :3].all()
    separate, cross = masks["separate streams"], masks["cross-attention"]
    assert (separate ^ cross).all() and separate.sum() == 4 * 4 + 3 * 3
    assert masks["concatenation"].sum() == 7 * 7
    block = TransformerBlock(8, 2).eval()
    with torch.no_grad():                                # a masked key gets weight exactly 0
        block(torch.randn(1, 4, 8), key_padding_mask=~masks["padding"][0][None])
    assert (block.attention[..., 3] == 0).all()
    with pytest.raises(ValueError, match="padded"):
        attention_masks(4, 3, padded=4)


def test_notebook_02_says_what_it_means():
    """Review items: ℓ is the loss and L the depth, "Jacobian" is defined, the two warm-up explanations
    are said to disagree, the default-init gap is not said to vanish, the width change is stated."""
    from pathlib import Path
    source = Path(__file__).resolve().parents[1] / "notebooks" / "src"
    text = (source / "02_pre_norm_vs_post_norm.py").read_text()
    assert "∂L/" not in text and "partial \\mathcal L" not in text          # L is the depth only
    assert "The *Jacobian* of a map is the matrix of its" in text
    assert "two explanations that disagree" in text and "Liu et al. (2020) disagree" in text
    assert "nearly vanishes" not in text and "does not vanish" in text
    assert "smaller than above to keep training cheap" in text
