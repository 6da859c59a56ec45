"""Notebook 01's experiments: attention as a graph against a convolution's grid, and positions.

Self-attention is permutation-equivariant (reorder the tokens, the outputs reorder the same way); a
convolution sees a fixed neighbourhood; a position table breaks the symmetry.
"""
from __future__ import annotations

import math

import torch

from .._validate import MAX_TOKENS, positive_int


def permute_tokens(x, perm):
    """x (batch, N, dim) with its tokens reordered: x[:, perm]."""
    perm = torch.as_tensor(perm)
    if sorted(perm.tolist()) != list(range(x.shape[1])):
        raise ValueError(f"perm must be a permutation of 0..{x.shape[1] - 1}, got {perm.tolist()}")
    return x[:, perm]


def equivariance_gap(f, x, perm):
    """max |f(x[perm]) − f(x)[perm]|: 0 (up to rounding) when f is permutation-equivariant."""
    with torch.no_grad():
        return (f(permute_tokens(x, perm)) - permute_tokens(f(x), perm)).abs().max().item()


def conv_adjacency(n, kernel_size=3):
    """(n, n) 0/1 matrix of a 1-D convolution: output i sees inputs within kernel_size // 2 of i.

    The same for every input: a fixed grid neighbourhood, unlike attention's data-dependent graph.
    """
    n = positive_int(n, "n", MAX_TOKENS)
    kernel_size = positive_int(kernel_size, "kernel_size", MAX_TOKENS)
    if kernel_size % 2 == 0:
        raise ValueError(f"kernel_size must be a positive odd int, got {kernel_size!r}")
    i = torch.arange(n)
    return ((i[:, None] - i[None, :]).abs() <= kernel_size // 2).float()


def sinusoidal_positions(n, dim):
    """(n, dim) fixed sin/cos position table of Vaswani et al.: PE[p, 2i] = sin(p / 10000^(2i/dim))."""
    p = torch.arange(n, dtype=torch.float32)[:, None]
    freq = torch.exp(-math.log(10000.0) * torch.arange(0, dim, 2, dtype=torch.float32) / dim)
    table = torch.zeros(n, dim)
    table[:, 0::2] = torch.sin(p * freq)
    table[:, 1::2] = torch.cos(p * freq)[:, : dim // 2]
    return table


def attention_masks(n_a=4, n_b=4, padded=2):
    """Which edges each mask leaves in the attention graph: {name: (N, N) bool, True = i may look at j}.

    Over one sequence of N = n_a tokens: "no mask" (complete graph), "causal" (j <= i: a DAG plus
    self-loops), "padding" (the last ``padded`` tokens removed as keys). Over the concatenation
    C(Z_A, Z_B) of n_a + n_b tokens, the survey's variants as masks: "separate streams" (block-diagonal),
    "cross-attention" (off-diagonal blocks only), "concatenation" (everything).
    """
    for value, name in ((n_a, "n_a"), (n_b, "n_b")):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if isinstance(padded, bool) or not isinstance(padded, int) or not 0 <= padded < n_a:
        raise ValueError(f"padded must be an int from 0 to n_a - 1 = {n_a - 1}, got {padded!r}")
    i = torch.arange(n_a)
    keys = torch.ones(n_a, n_a, dtype=torch.bool)
    keys[:, n_a - padded:] = False
    modality = torch.tensor([0] * n_a + [1] * n_b)
    same = modality[:, None] == modality[None, :]
    return {"no mask": torch.ones(n_a, n_a, dtype=torch.bool), "causal": i[None, :] <= i[:, None],
            "padding": keys, "separate streams": same, "cross-attention": ~same,
            "concatenation": torch.ones(n_a + n_b, n_a + n_b, dtype=torch.bool)}
