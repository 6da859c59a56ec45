"""Properties of the experiments in mmviz.lessons (reference: sections "attention as a graph" and 3.1)."""
import math

import pytest
import torch

from mmviz import TransformerBlock
from mmviz.lessons.graphs import (
    conv_adjacency,
    equivariance_gap,
    grid_adjacency,
    permute_tokens,
    sinusoidal_positions,
)
from mmviz.lessons.norms import (
    build_stack,
    grad_norms_at_init,
    gram_schmidt,
    norm_training_curve,
    orthogonality_error,
    residual_norms,
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
    assert orthogonality_error(gram_schmidt(v, normalise_first=False)) > 0.1


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
    g = grid_adjacency(3, 3)
    assert g.sum(1)[4] == 9 and g.sum(1)[0] == 4   # centre sees its 3×3 neighbourhood, a corner 2×2
    with pytest.raises(ValueError, match="odd"):
        conv_adjacency(6, 2)


def test_sinusoidal_positions_are_distinct():
    table = sinusoidal_positions(10, 16)
    assert table.shape == (10, 16)
    assert torch.cdist(table, table).add(torch.eye(10)).min() > 0
