"""Notebook 01's experiments: attention as a graph against a convolution's grid, and positions.

Self-attention is permutation-equivariant (reorder the tokens, the outputs reorder the same way); a
convolution sees a fixed neighbourhood; a position table breaks the symmetry.
"""
from __future__ import annotations

import math

import torch


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
    odd = isinstance(kernel_size, int) and not isinstance(kernel_size, bool) and kernel_size % 2 == 1
    if not odd or kernel_size < 1:
        raise ValueError(f"kernel_size must be a positive odd int, got {kernel_size!r}")
    i = torch.arange(n)
    return ((i[:, None] - i[None, :]).abs() <= kernel_size // 2).float()


def grid_adjacency(rows, cols, reach=1):
    """(rows·cols, rows·cols) 0/1 matrix of a k×k 2-D convolution (k = 2·reach + 1) on a row-major grid."""
    r, c = torch.meshgrid(torch.arange(rows), torch.arange(cols), indexing="ij")
    r, c = r.flatten(), c.flatten()
    near = ((r[:, None] - r[None, :]).abs() <= reach) & ((c[:, None] - c[None, :]).abs() <= reach)
    return near.float()


def sinusoidal_positions(n, dim):
    """(n, dim) fixed sin/cos position table of Vaswani et al.: PE[p, 2i] = sin(p / 10000^(2i/dim))."""
    p = torch.arange(n, dtype=torch.float32)[:, None]
    freq = torch.exp(-math.log(10000.0) * torch.arange(0, dim, 2, dtype=torch.float32) / dim)
    table = torch.zeros(n, dim)
    table[:, 0::2] = torch.sin(p * freq)
    table[:, 1::2] = torch.cos(p * freq)[:, : dim // 2]
    return table
