"""Notebook 02's experiments: gradients at init, pre/post-norm training, Gram–Schmidt.

The LayerNorm experiments follow Xiong et al. (2020): a stack of Transformer blocks, every linear
weight Xavier-normal and every bias zero, a linear classifier on each output token, cross-entropy on
random labels. ``init="default"`` keeps PyTorch's own initialisation instead.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from .._random import seeded
from .._validate import MAX_SAMPLES, MAX_TOKENS, MAX_VOCAB, one_of, positive_float, positive_int
from ..blocks import TransformerBlock, check_blocks, check_depth, check_dims, check_norm

INITS = ("xavier", "default")


def check_init(init):
    one_of(init, INITS, "init")


class Stack(nn.Module):
    """``depth`` blocks (ReLU MLPs, as in the paper), a final LayerNorm if pre-norm, a token classifier.

    x (batch, N, dim) → logits (batch, N, classes).
    """

    def __init__(self, norm, depth, dim, heads, classes=10):
        super().__init__()
        self.blocks = nn.ModuleList(TransformerBlock(dim, heads, norm=norm, activation="relu")
                                    for _ in range(depth))
        self.final_norm = nn.LayerNorm(dim) if norm == "pre" else nn.Identity()
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return self.head(self.final_norm(x))


def build_stack(norm, depth, dim=64, heads=4, init="xavier", seed=0, classes=10):
    """A seeded :class:`Stack`; ``init="xavier"``: Xavier-normal weights, zero biases (Xiong et al.).

    Drawn from its own generator: the global torch RNG is left alone (safe in a background thread).
    """
    with seeded(seed):
        return make_stack(norm, depth, dim, heads, init, classes)


def make_stack(norm, depth, dim, heads, init, classes):
    """A :class:`Stack` initialised as ``init`` says, from whatever RNG is active."""
    check_norm(norm)
    depth = check_depth(depth)
    dim, heads = check_dims(dim, heads)
    check_init(init)
    positive_int(classes, "classes", MAX_VOCAB)
    check_blocks(depth, dim, 4 * dim, f"a stack of depth={depth}, dim={dim}")
    stack = Stack(norm, depth, dim, heads, classes)
    if init == "xavier":
        for module in stack.modules():
            if isinstance(module, nn.Linear):
                nn.init.xavier_normal_(module.weight)
                nn.init.zeros_(module.bias)
    return stack


def grad_norms_at_init(norm, depth, dim=64, heads=4, seed=0, init="xavier", repeats=4, batch=16, tokens=16):
    """Gradient norm ‖∂L/∂W₂⁽ˡ⁾‖_F of each block's second MLP weight at initialisation, l = 1..depth.

    L is the cross-entropy of random labels on random Gaussian tokens (batch, tokens, dim). The norm
    is averaged over ``repeats`` initialisations (seeds seed, seed + 1, ...): one draw is noisy, the
    paper's statements are about the typical size. Returns a list of ``depth`` floats, input side first.
    """
    check_depth(depth)
    positive_int(repeats, "repeats", 100)
    positive_int(batch, "batch", MAX_SAMPLES)
    positive_int(tokens, "tokens", MAX_TOKENS)
    total = torch.zeros(depth)
    for r in range(repeats):
        stack = build_stack(norm, depth, dim, heads, init, seed + r)
        g = torch.Generator().manual_seed(10_000 + seed + r)
        x = torch.randn(batch, tokens, dim, generator=g)
        labels = torch.randint(0, 10, (batch, tokens), generator=g)
        F.cross_entropy(stack(x).flatten(0, 1), labels.flatten()).backward()
        total += torch.stack([block.mlp[3].weight.grad.norm() for block in stack.blocks])
    return (total / repeats).tolist()


def residual_norms(norm, depth, dim=64, heads=4, seed=0, init="xavier", tokens=16):
    """‖x_l‖² / d of the residual stream after each block at init, l = 1..depth (mean over tokens).

    After a LayerNorm (γ = 1, β = 0) ‖x‖² = d, so post-norm stays at 1; pre-norm's grows with l.
    """
    positive_int(tokens, "tokens", MAX_TOKENS)
    stack = build_stack(norm, depth, dim, heads, init, seed)
    x = torch.randn(1, tokens, dim, generator=torch.Generator().manual_seed(seed + 1))
    out = []
    with torch.no_grad():
        for block in stack.blocks:
            x = block(x)
            out.append((x.pow(2).sum(-1) / dim).mean().item())
    return out


def sorting_batch(batch, length, vocab, generator):
    """A toy sequence task: tokens (batch, length) in [0, vocab), target: the same tokens sorted."""
    x = torch.randint(0, vocab, (batch, length), generator=generator)
    return x, x.sort(dim=1).values


class Sorter(nn.Module):
    """Token + position embedding, a :class:`Stack`, a classifier over the vocabulary at each position."""

    def __init__(self, stack, vocab, length, dim):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.position = nn.Parameter(torch.randn(length, dim) * 0.02)
        self.stack = stack

    def forward(self, x):
        return self.stack(self.embed(x) + self.position)


def norm_training_curve(norm, depth, init="xavier", warmup=True, steps=150, seed=0, dim=32, heads=4,
                        lr=1e-2, warmup_steps=50, batch=32, length=8, vocab=8):
    """Adam losses, one per step, for a ``depth``-layer stack learning to sort ``length`` tokens.

    Learning rate: lr·min(1, t / warmup_steps) with warm-up, a constant lr without.
    Returns a list of ``steps`` floats.
    """
    positive_int(steps, "steps")
    positive_float(lr, "lr")
    positive_int(warmup_steps, "warmup_steps")
    for value, name, high in ((batch, "batch", MAX_SAMPLES), (length, "length", MAX_TOKENS),
                              (vocab, "vocab", MAX_VOCAB)):
        positive_int(value, name, high)
    if not isinstance(warmup, bool):
        raise ValueError(f"warmup must be True or False, got {warmup!r}")
    with seeded(seed):                  # stack, embedding and positions: one generator, global RNG untouched
        model = Sorter(make_stack(norm, depth, dim, heads, init, vocab), vocab, length, dim)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    ramp = (lambda t: min(1.0, (t + 1) / warmup_steps)) if warmup else (lambda t: 1.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, ramp)
    g = torch.Generator().manual_seed(seed + 1)
    losses = []
    for _ in range(steps):
        x, y = sorting_batch(batch, length, vocab, g)
        loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
    return losses


def gram_schmidt(vectors, normalise_first=True):
    """Orthogonalise the rows of ``vectors`` (k, n) one after another; returns (k, n).

    normalise_first=True: e_j = u_j / ‖u_j‖ before projecting, u_i = v_i − Σ_j (v_i · e_j) e_j, which
    is the textbook process. False: project onto the raw u_j, u_i = v_i − Σ_j (v_i · u_j) u_j, and
    normalise only at the end — the size of each step then depends on how long u_j happened to be.
    """
    v = torch.as_tensor(vectors, dtype=torch.float64)
    if v.dim() != 2 or v.shape[0] > v.shape[1]:
        raise ValueError(f"vectors must be a (k, n) array with k <= n, got shape {tuple(v.shape)}")
    basis = []
    for row in v:
        u = row.clone()
        for e in basis:
            u = u - (row @ e) * e
        basis.append(u / u.norm() if normalise_first else u)
    return torch.stack([u / u.norm() for u in basis])


def orthogonality_error(basis):
    """max_{i≠j} |e_i · e_j| for unit rows e_i of ``basis`` (k, n): 0 for an orthonormal set."""
    b = torch.as_tensor(basis, dtype=torch.float64)
    gram = b @ b.T
    return (gram - torch.diag(torch.diagonal(gram))).abs().max().item()
