"""Attention written out, and the Transformer block in both LayerNorm placements.

Everything here is small enough to read in a lecture. The attention weights of the last
forward are kept on the module (``block.attention``) so that pictures can be drawn from them.
"""
from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from ._validate import (
    MAX_DIM,
    MAX_HEADS,
    MAX_MLP_DIM,
    attention_budget,
    flag,
    one_of,
    padding_mask,
    parameter_budget,
    positive_int,
    probability,
)
from ._validate import depth as check_depth
from ._validate import tokens as check_tokens

NORMS = ("pre", "post")


def check_dims(dim: int, heads: int) -> tuple[int, int]:
    """(dim, heads) as ints, or a ValueError: dim from 1 to 1024, heads 1 to 64, dim divisible by heads."""
    dim = positive_int(dim, "dim", MAX_DIM)
    heads = positive_int(heads, "heads", MAX_HEADS)
    if dim % heads:
        raise ValueError(f"dim must be divisible by heads, got dim={dim} and heads={heads}")
    return dim, heads


def check_mlp_dim(mlp_dim: int | None, dim: int) -> int:
    """The MLP's hidden width: 4·dim for None, else an int from 1 to 4096."""
    return 4 * dim if mlp_dim is None else positive_int(mlp_dim, "mlp_dim", MAX_MLP_DIM)


def block_parameters(dim: int, mlp_dim: int) -> int:
    """Parameters of one self-attention block: Q, K, V, out (d² + d each), MLP, two LayerNorms."""
    return 4 * (dim * dim + dim) + 2 * dim * mlp_dim + mlp_dim + dim + 4 * dim


def check_blocks(blocks: int, dim: int, mlp_dim: int, what: str) -> None:
    """Raise a ValueError before allocating if ``blocks`` blocks would exceed mmviz's parameter limit."""
    parameter_budget(blocks * block_parameters(dim, mlp_dim), what)


def check_norm(norm: str) -> None:
    return one_of(norm, NORMS, "norm")


class Attention(nn.Module):
    """Multi-head attention: softmax(Q Kᵀ / √d_head) V, heads computed side by side.

    Queries come from ``x``; keys and values from ``context`` (``x`` itself for self-attention).
    ``key_padding_mask``: None or bool (batch, Nk), True = a padded key, which gets weight 0; a sample
    whose keys are all padded attends to nothing: weights all 0 and output 0 (not NaN), so in a block
    its tokens pass the attention's residual unchanged.
    After a forward, ``self.weights`` holds the attention: (batch, heads, Nq, Nk), rows sum to 1
    (to 0 for such a sample). A map of more than 512 MB is refused before it is allocated.
    """

    def __init__(self, dim: int, heads: int, dropout: float = 0.0) -> None:
        super().__init__()
        dim, heads = check_dims(dim, heads)
        dropout = probability(dropout, "dropout")
        self.heads = heads
        self.q, self.k, self.v, self.out = (nn.Linear(dim, dim) for _ in range(4))
        self.dropout = nn.Dropout(dropout)
        self.weights: torch.Tensor | None = None     # (B, heads, Nq, Nk) of the last forward

    def split(self, t: torch.Tensor) -> torch.Tensor:      # (B, N, dim) -> (B, heads, N, dim / heads)
        return t.unflatten(-1, (self.heads, -1)).transpose(1, 2)

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None,
                key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        context = x if context is None else context
        attention_budget(context.shape[0], self.heads, x.shape[1], context.shape[1])
        mask = padding_mask(key_padding_mask, context.shape[0], context.shape[1])
        q, k, v = self.split(self.q(x)), self.split(self.k(context)), self.split(self.v(context))
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
        if mask is not None:                  # True marks a padded key: it gets weight 0
            empty = mask.all(dim=-1, keepdim=True)          # samples with no key left to see
            scores = scores.masked_fill((mask & ~empty)[:, None, None, :], float("-inf"))
        weights = scores.softmax(dim=-1)
        if mask is not None:                  # softmax over no key would be 0/0: zero weights instead
            weights = weights.masked_fill(empty[:, None, None, :], 0.0)
        self.weights = weights.detach()
        mixed = self.dropout(weights) @ v     # (B, heads, Nq, dim / heads)
        out = self.out(mixed.transpose(1, 2).flatten(2))
        return out if mask is None else out.masked_fill(empty[:, :, None], 0.0)


class MLP(nn.Sequential):
    """The position-wise feed-forward network: Linear, activation, Linear."""

    def __init__(self, dim: int, hidden: int, activation: str = "gelu", dropout: float = 0.0) -> None:
        act = {"gelu": nn.GELU(), "relu": nn.ReLU()}
        one_of(activation, tuple(act), "activation")
        super().__init__(nn.Linear(dim, hidden), act[activation], nn.Dropout(dropout),
                         nn.Linear(hidden, dim))


class TransformerBlock(nn.Module):
    """One Transformer layer: attention and MLP, each with a residual and a LayerNorm.

    ``norm="post"`` is the original order, x ← LN(x + Attn(x)); ``norm="pre"`` is
    x ← x + Attn(LN(x)). With ``context`` the block attends from ``x`` to another token set
    (cross-attention): build it with ``cross=True``, and a pre-norm block gets a LayerNorm for the
    context too (``ln_context``). Shapes: x (batch, Nq, dim), context (batch, Nk, dim) → (batch, Nq, dim).
    After a forward, ``block.attention`` is (batch, heads, Nq, Nk). Inputs are checked where they
    enter (``Encoder``, ``Fusion``, the embedders), not here; only a context's batch and width are.
    Limits: dim <= 1024, heads <= 64, mlp_dim (default 4·dim) <= 4096, dropout in [0, 1).
    """

    def __init__(self, dim: int, heads: int, mlp_dim: int | None = None, norm: str = "pre",
                 dropout: float = 0.0, activation: str = "gelu", cross: bool = False) -> None:
        super().__init__()
        dim, heads = check_dims(dim, heads)
        mlp_dim = check_mlp_dim(mlp_dim, dim)
        dropout = probability(dropout, "dropout")
        check_norm(norm)
        check_blocks(1, dim, mlp_dim, f"a block of dim={dim}, mlp_dim={mlp_dim}")
        cross = flag(cross, "cross")
        self.dim, self.heads, self.norm, self.cross = dim, heads, norm, cross
        self.attn = Attention(dim, heads, dropout)
        self.mlp = MLP(dim, mlp_dim, activation, dropout)
        self.ln1, self.ln2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        if cross and norm == "pre":           # only a pre-norm cross block normalises its context
            self.ln_context = nn.LayerNorm(dim)
        self.drop1, self.drop2 = nn.Dropout(dropout), nn.Dropout(dropout)

    @property
    def attention(self) -> torch.Tensor | None:
        return self.attn.weights

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None,
                key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        c = self.context(context, x)          # None: self-attention, keys and values from x
        if self.norm == "pre":                # LayerNorm before each sub-layer
            x = x + self.drop1(self.attn(self.ln1(x), c, key_padding_mask))
            return x + self.drop2(self.mlp(self.ln2(x)))
        x = self.ln1(x + self.drop1(self.attn(x, c, key_padding_mask)))   # post: LayerNorm after each add
        return self.ln2(x + self.drop2(self.mlp(x)))

    def context(self, context: torch.Tensor | None, x: torch.Tensor) -> torch.Tensor | None:
        """What to attend to: None for self-attention; a cross block's context (normalised if pre-norm)."""
        if context is None:
            return None
        if not self.cross:
            raise ValueError("this block was built for self-attention; build it with cross=True to attend "
                             "to a context")
        if not isinstance(context, torch.Tensor) or context.dim() != 3 or context.shape[::2] != x.shape[::2]:
            got = tuple(context.shape) if isinstance(context, torch.Tensor) else type(context).__name__
            raise ValueError(f"context must have shape ({x.shape[0]}, keys, {x.shape[-1]}): the batch and "
                             f"width of x {tuple(x.shape)}, got {got}")   # a batch of 1 would broadcast
        return self.ln_context(context) if self.norm == "pre" else context

    @classmethod
    def from_torch(cls, layer: nn.TransformerEncoderLayer) -> TransformerBlock:
        """A block with the weights of a ``torch.nn.TransformerEncoderLayer(batch_first=True)``.

        ``norm_first=True`` gives a pre-norm block, ``False`` a post-norm one.
        """
        if not isinstance(layer, nn.TransformerEncoderLayer):
            raise ValueError(f"expected a torch.nn.TransformerEncoderLayer, got {type(layer).__name__}")
        if not layer.self_attn.batch_first:
            raise ValueError("expected a layer built with batch_first=True, got batch_first=False")
        act = layer.activation
        name = {F.relu: "relu", F.gelu: "gelu"}.get(act) or type(act).__name__.lower()
        if name not in ("relu", "gelu") or getattr(act, "approximate", "none") != "none":
            raise ValueError(f"expected a ReLU or exact GELU activation, got {act!r}")
        sa = layer.self_attn
        if sa.in_proj_bias is None or layer.linear1.bias is None:
            raise ValueError("expected a layer with biases (bias=True), got one built with bias=False")
        dim, heads = sa.embed_dim, sa.num_heads
        block = cls(dim, heads, layer.linear1.out_features, "pre" if layer.norm_first else "post",
                    activation=name)
        with torch.no_grad():
            for proj, w, b in zip((block.attn.q, block.attn.k, block.attn.v),
                                  sa.in_proj_weight.chunk(3), sa.in_proj_bias.chunk(3)):
                proj.weight.copy_(w)
                proj.bias.copy_(b)
            block.attn.out.load_state_dict(sa.out_proj.state_dict())
            block.mlp[0].load_state_dict(layer.linear1.state_dict())
            block.mlp[3].load_state_dict(layer.linear2.state_dict())
            block.ln1.load_state_dict(layer.norm1.state_dict())
            block.ln2.load_state_dict(layer.norm2.state_dict())
        block.ln1.eps, block.ln2.eps = layer.norm1.eps, layer.norm2.eps
        return block


class Encoder(nn.Module):
    """A stack of ``depth`` blocks; a pre-norm stack ends with one more LayerNorm.

    ``encoder.attention`` lists each layer's weights, (batch, heads, N, N), after a forward.
    x (batch, N, dim) → (batch, N, dim); its shape, dtype and mask are checked here, once per stack.
    ``key_padding_mask``: None or bool (batch, N), True = a padded token: no token reads it. A sample
    whose tokens are all padded (a modality absent from it) reads nothing: its tokens pass each
    attention's residual unchanged and only the MLPs move them, with no NaN.
    Limits: depth <= 64, and at most 20 M parameters in all (refused before anything is allocated).
    """

    def __init__(self, dim: int, depth: int, heads: int, norm: str = "pre", mlp_dim: int | None = None,
                 dropout: float = 0.0) -> None:
        super().__init__()
        depth = check_depth(depth)
        dim, heads = check_dims(dim, heads)
        mlp_dim = check_mlp_dim(mlp_dim, dim)
        check_norm(norm)
        check_blocks(depth, dim, mlp_dim, f"an encoder of depth={depth}, dim={dim}, mlp_dim={mlp_dim}")
        self.dim, self.norm = dim, norm
        self.blocks = nn.ModuleList(TransformerBlock(dim, heads, mlp_dim, norm, dropout)
                                    for _ in range(depth))
        self.final_norm = nn.LayerNorm(dim) if norm == "pre" else nn.Identity()

    @property
    def attention(self) -> list[torch.Tensor | None]:
        return [block.attention for block in self.blocks]  # type: ignore[misc]  # ModuleList items are typed Module

    def final_dtype(self) -> torch.dtype:
        return self.blocks[0].ln1.weight.dtype  # type: ignore[union-attr,return-value]

    def forward(self, x: torch.Tensor, key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        check_tokens(x, self.dim, dtype=self.final_dtype(), finite=False)   # cheap: shape and dtype
        padding_mask(key_padding_mask, x.shape[0], x.shape[1])
        for block in self.blocks:
            x = block(x, key_padding_mask=key_padding_mask)
        return self.final_norm(x)
