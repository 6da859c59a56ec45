"""Notebook 02's experiments: gradients at init, pre/post-norm training, Gram–Schmidt.

The LayerNorm experiments follow Xiong et al. (2020): a stack of Transformer blocks, every linear
weight Xavier-normal and every bias zero, a linear classifier on each output token, cross-entropy on
random labels. ``init="default"`` keeps PyTorch's own initialisation instead.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from .._random import seeded
from .._threads import one_thread
from .._validate import (
    MAX_SAMPLES,
    MAX_TOKENS,
    MAX_VOCAB,
    attention_budget,
    flag,
    one_of,
    positive_float,
    positive_int,
    run_budget,
)
from .._validate import seed as check_seed
from ..blocks import TransformerBlock, block_parameters, check_blocks, check_depth, check_dims, check_norm

INITS = ("xavier", "default")


def check_init(init: str) -> None:
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

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x)
        return self.head(self.final_norm(x))


def build_stack(norm: str, depth: int, dim: int = 64, heads: int = 4, init: str = "xavier", seed: int = 0,
                classes: int = 10) -> Stack:
    """A seeded :class:`Stack`; ``init="xavier"``: Xavier-normal weights, zero biases (Xiong et al.).

    Drawn from its own generator: the global torch RNG is left alone (safe in a background thread).
    """
    with seeded(seed):
        return make_stack(norm, depth, dim, heads, init, classes)


def make_stack(norm: str, depth: int, dim: int, heads: int, init: str, classes: int) -> Stack:
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


@one_thread()
def grad_norms_at_init(norm: str, depth: int, dim: int = 64, heads: int = 4, seed: int = 0,
                       init: str = "xavier", repeats: int = 4, batch: int = 16,
                       tokens: int = 16) -> list[float]:
    """Gradient norm ‖∂L/∂W₂⁽ˡ⁾‖_F of each block's second MLP weight at initialisation, l = 1..depth.

    L is the cross-entropy of random labels on random Gaussian tokens (batch, tokens, dim). The norm
    is averaged over ``repeats`` initialisations (seeds seed, seed + 1, ...): one draw is noisy, the
    paper's statements are about the typical size. Returns a list of ``depth`` floats, input side first.
    """
    depth = check_depth(depth)
    seed = check_seed(seed)
    repeats = positive_int(repeats, "repeats", 100)
    batch = positive_int(batch, "batch", MAX_SAMPLES)
    tokens = positive_int(tokens, "tokens", MAX_TOKENS)
    dim, heads = check_dims(dim, heads)
    attention_budget(batch, heads, tokens, tokens)          # the largest tensor: one block's attention map
    total = torch.zeros(depth)
    for r in range(repeats):
        stack = build_stack(norm, depth, dim, heads, init, seed + r)
        g = torch.Generator().manual_seed(10_000 + seed + r)
        x = torch.randn(batch, tokens, dim, generator=g)
        labels = torch.randint(0, 10, (batch, tokens), generator=g)
        F.cross_entropy(stack(x).flatten(0, 1), labels.flatten()).backward()
        total += torch.stack([block.mlp[3].weight.grad.norm() for block in stack.blocks])
    return (total / repeats).tolist()


@one_thread()
def measure_at_init(norm: str, depth: int, dim: int = 64, heads: int = 4, seed: int = 0, init: str = "xavier",
                    batch: int = 16, tokens: int = 16) -> dict[str, list[float]]:
    """One initialisation ``seed``, one batch: what Xiong et al.'s argument is about, measured together.

    Returns {"grads": ‖∂ℓ/∂W₂⁽ˡ⁾‖_F for l = 1..depth, "stream": ‖x_l‖²/d after each block (mean over
    tokens)}, ℓ the cross-entropy of random labels on random Gaussian tokens (batch, tokens, dim). The
    same draws as ``grad_norms_at_init(..., seed=seed, repeats=1)``.
    """
    check_depth(depth)
    positive_int(batch, "batch", MAX_SAMPLES)
    positive_int(tokens, "tokens", MAX_TOKENS)
    stack = build_stack(norm, depth, dim, heads, init, seed)
    g = torch.Generator().manual_seed(10_000 + seed)
    x = torch.randn(batch, tokens, dim, generator=g)
    labels = torch.randint(0, 10, (batch, tokens), generator=g)
    stream = []
    for block in stack.blocks:
        x = block(x)
        stream.append((x.detach().pow(2).sum(-1) / dim).mean().item())
    F.cross_entropy(stack.head(stack.final_norm(x)).flatten(0, 1), labels.flatten()).backward()
    return {"grads": [block.mlp[3].weight.grad.norm().item() for block in stack.blocks], "stream": stream}


@one_thread()
def residual_norms(norm: str, depth: int, dim: int = 64, heads: int = 4, seed: int = 0, init: str = "xavier",
                   tokens: int = 16) -> list[float]:
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


def sorting_batch(batch: int, length: int, vocab: int,
                  generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
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

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.stack(self.embed(x) + self.position)


@one_thread()
def train_sorter(norm: str, depth: int, init: str = "xavier", warmup: bool = True, steps: int = 150,
                 seed: int = 0, dim: int = 32, heads: int = 4, lr: float = 1e-2, warmup_steps: int = 50,
                 batch: int = 32, length: int = 8, vocab: int = 8,
                 callback: Callable[[int, list[float]], object] | None = None) -> tuple[Sorter, list[float]]:
    """Train a :class:`Sorter` with Adam to sort ``length`` tokens; returns (model, losses per step).

    Learning rate: lr·min(1, t / warmup_steps) with warm-up, a constant lr without. ``callback(step,
    losses)``, if given, runs after every step (a progress bar; it holds the losses so far if the run
    is interrupted).
    """
    if callback is not None and not callable(callback):
        raise ValueError(f"callback must be a function (step, losses) or None, got {callback!r}")
    positive_float(lr, "lr")
    positive_int(warmup_steps, "warmup_steps")
    depth = check_depth(depth)
    dim, heads = check_dims(dim, heads)
    batch, length, vocab = (positive_int(value, name, high) for value, name, high in (
        (batch, "batch", MAX_SAMPLES), (length, "length", MAX_TOKENS), (vocab, "vocab", MAX_VOCAB)))
    steps = run_budget(steps, 6 * depth * block_parameters(dim, 4 * dim) * batch * length,
                       f"training a {depth}-block sorter of width {dim}")
    warmup = flag(warmup, "warmup")
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
        if callback is not None:
            callback(len(losses) - 1, losses)
    return model, losses


def norm_training_curve(norm: str, depth: int, **options: Any) -> list[float]:
    """Adam losses, one per step, for a ``depth``-layer stack learning to sort (see :func:`train_sorter`).

    Returns a list of ``steps`` floats.
    """
    return train_sorter(norm, depth, **options)[1]


@one_thread()
def sorting_accuracy(model: Sorter, batch: int = 512, seed: int = 12_345) -> float:
    """Share of output positions whose most likely symbol is the right one, on fresh sorting inputs."""
    length, vocab = model.position.shape[0], model.embed.num_embeddings
    x, y = sorting_batch(batch, length, vocab, torch.Generator().manual_seed(seed))
    with torch.no_grad():
        return (model(x).argmax(-1) == y).float().mean().item()


def sorted_position_marginals(length: int = 8, vocab: int = 8) -> torch.Tensor:
    """P(sorted[k] = v) for uniform random tokens: (length, vocab), each row sums to 1.

    sorted[k] <= v exactly when at least k + 1 of the ``length`` tokens are <= v (binomial, p = (v+1)/vocab).
    """
    positive_int(length, "length")
    positive_int(vocab, "vocab")
    def at_least(count, p):      # P(at least ``count`` of ``length`` draws are <= v), p = P(one is)
        return sum(math.comb(length, j) * p ** j * (1 - p) ** (length - j) for j in range(count, length + 1))

    cdf = torch.tensor([[at_least(k + 1, (v + 1) / vocab) for v in range(vocab)] for k in range(length)],
                       dtype=torch.float64)
    return torch.diff(cdf, dim=1, prepend=torch.zeros(length, 1, dtype=torch.float64))


def position_only_baseline(length: int = 8, vocab: int = 8) -> tuple[float, float]:
    """The best a model that sees only positions can do: (cross-entropy, accuracy).

    It predicts the marginal of sorted[k] at place k: its loss is that marginal's entropy (mean over
    k), its accuracy the marginal's largest probability — the baseline to beat, not ln(vocab).
    """
    p = sorted_position_marginals(length, vocab)
    entropy = -(p * p.clamp_min(1e-300).log()).sum(1)
    return entropy.mean().item(), p.max(1).values.mean().item()


def gram_schmidt(vectors: torch.Tensor, normalise_first: bool = True) -> torch.Tensor:
    """Orthogonalise the rows of ``vectors`` (k, n) one after another; returns unit rows (k, n).

    Two textbook forms, the same basis:
    normalise_first=True:  e_j = u_j / ‖u_j‖ at once, then u_i = v_i − Σ_j (v_i · e_j) e_j;
    normalise_first=False: keep the raw u_j, divide by their squared length when projecting,
    u_i = v_i − Σ_j (v_i · u_j) / (u_j · u_j) u_j, and normalise all at the end.
    """
    v = torch.as_tensor(vectors, dtype=torch.float64)
    if v.dim() != 2 or v.shape[0] > v.shape[1]:
        raise ValueError(f"vectors must be a (k, n) array with k <= n, got shape {tuple(v.shape)}")
    basis: list[torch.Tensor] = []
    for row in v:
        u = row.clone()
        for b in basis:
            u = u - (row @ b) / (b @ b) * b     # b @ b = 1 when b is already a unit vector
        basis.append(u / u.norm() if normalise_first else u)
    return torch.stack([u / u.norm() for u in basis])


def classical_gram_schmidt(vectors: torch.Tensor) -> torch.Tensor:
    """Classical Gram–Schmidt: u_i = v_i − Σ_j (v_i · e_j) e_j, every projection of the *original* v_i;
    e_i = u_i / ‖u_i‖. Rows of ``vectors`` (k, n) → unit rows (k, n), float64."""
    v = torch.as_tensor(vectors, dtype=torch.float64)
    basis: list[torch.Tensor] = []
    for row in v:
        u = row - sum(((row @ e) * e for e in basis), torch.zeros_like(row))
        basis.append(u / u.norm())
    return torch.stack(basis)


def modified_gram_schmidt(vectors: torch.Tensor) -> torch.Tensor:
    """Modified Gram–Schmidt: the same formula in exact arithmetic, but each projection is taken from the
    *running* remainder, u ← u − (u · e_j) e_j, one e_j after another. Rows (k, n) → unit rows (k, n)."""
    v = torch.as_tensor(vectors, dtype=torch.float64)
    basis: list[torch.Tensor] = []
    for row in v:
        u = row.clone()
        for e in basis:
            u = u - (u @ e) * e
        basis.append(u / u.norm())
    return torch.stack(basis)


def ill_conditioned(k: int = 8, condition: float = 1e7, seed: int = 0) -> torch.Tensor:
    """k random vectors in R^k (rows, float64) whose matrix has condition number ``condition``: random
    orthogonal U, V and singular values spaced evenly in log from 1 down to 1/condition."""
    g = torch.Generator().manual_seed(seed)
    U = torch.linalg.qr(torch.randn(k, k, generator=g, dtype=torch.float64))[0]
    V = torch.linalg.qr(torch.randn(k, k, generator=g, dtype=torch.float64))[0]
    s = torch.logspace(0, -math.log10(condition), k, dtype=torch.float64)
    return U @ torch.diag(s) @ V.T


def orthogonality_error(basis: torch.Tensor) -> float:
    """max_{i≠j} |e_i · e_j| for unit rows e_i of ``basis`` (k, n): 0 for an orthonormal set."""
    b = torch.as_tensor(basis, dtype=torch.float64)
    gram = b @ b.T
    return (gram - torch.diag(torch.diagonal(gram))).abs().max().item()


@one_thread()
def output_change(norm: str, depth: int, eps: float = 1e-3, dim: int = 64, heads: int = 4, seed: int = 0,
                  repeats: int = 4, tokens: int = 16) -> float:
    """Liu et al. (2020): ‖f(x; W + δ) − f(x; W)‖² / ‖f(x; W)‖² under one random perturbation δ.

    f is the stack's normalised output (before the classifier), W its parameters at Xavier init, δ
    Gaussian with std ``eps`` on every parameter (as an Adam step moves every weight by about the
    learning rate). Mean over ``repeats`` seeds. Their analysis: grows like O(N) in the number of
    sub-layers N = 2·depth for post-norm, like O(log N) for pre-norm.
    """
    positive_int(repeats, "repeats")
    if not eps > 0:
        raise ValueError(f"eps must be a positive float, got {eps!r}")
    total = 0.0
    for r in range(repeats):
        stack = build_stack(norm, depth, dim, heads, "xavier", seed + r)
        g = torch.Generator().manual_seed(20_000 + seed + r)
        x = torch.randn(8, tokens, dim, generator=g)
        with torch.no_grad():
            before = stack.final_norm(nn.Sequential(*stack.blocks)(x))
            for p in stack.parameters():
                p.add_(eps * torch.randn(p.shape, generator=g))
            after = stack.final_norm(nn.Sequential(*stack.blocks)(x))
        total += ((after - before).pow(2).sum() / before.pow(2).sum()).item()
    return total / repeats


def loglog_slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of log y against log x: y ∝ x^slope."""
    lx, ly = torch.tensor(xs, dtype=torch.float64).log(), torch.tensor(ys, dtype=torch.float64).log()
    lx = lx - lx.mean()
    return ((lx * (ly - ly.mean())).sum() / (lx * lx).sum()).item()


def xiong_prediction(norm: str, depth: int, last: float) -> list[float]:
    """The shape Xiong et al. (2020) predict for ‖∂L/∂W₂⁽ˡ⁾‖, l = 1..depth, anchored at ``last`` (layer L).

    Their statements are upper bounds of an order, so only the shape is predicted: post-norm decays
    toward the input by about (2/3)^((L − l)/2); pre-norm is level across layers.
    """
    check_depth(depth)
    if norm == "post":
        return [last * (2 / 3) ** ((depth - l) / 2) for l in range(1, depth + 1)]
    check_norm(norm)
    return [last] * depth
