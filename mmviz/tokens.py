"""Modality embedders: turn images, symbol strings and signals into (batch, tokens, dim) sequences.

Each is one linear map (or table look-up) plus an optional learned position embedding, so any
modality becomes the same kind of thing: a set of width-``dim`` tokens, the nodes of one graph.
"""
from __future__ import annotations

import torch
from torch import nn

from ._validate import (
    MAX_DIM,
    MAX_MODALITIES,
    MAX_TOKENS,
    MAX_VOCAB,
    flag,
    int_in,
    parameter_budget,
    positive_int,
)
from ._validate import float_tensor as check_float

# Embedders are refused before allocation beyond dim 1024, 4096 tokens, 65536 symbols, 20 M parameters.


def position_table(tokens: int, dim: int) -> nn.Parameter:
    """A learned (1, tokens, dim) position embedding, initialised small as in ViT (std 0.02)."""
    return nn.Parameter(torch.randn(1, tokens, dim) * 0.02)


def check_embedder(inputs: int, tokens: int, dim: int, what: str) -> None:
    """Raise a ValueError before allocating if ``tokens`` (the position table's rows) or the
    ``inputs``·dim projection (plus the table) is beyond mmviz's limits."""
    if tokens > MAX_TOKENS:
        raise ValueError(f"{what} gives {tokens} tokens per sample; mmviz refuses more than {MAX_TOKENS}")
    parameter_budget((inputs + 1 + tokens) * dim, what)


def nonempty_batch(x: torch.Tensor, name: str) -> None:
    """Raise a ValueError for a batch of zero samples (they have nothing to embed)."""
    if x.dim() >= 1 and x.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one sample, got shape {tuple(x.shape)}")


def patchify(images: torch.Tensor, patch_size: int) -> torch.Tensor:
    """Cut images into non-overlapping P×P patches, row by row, each flattened (channel, row, column).

    (B, C, H, W) → (B, (H/P)·(W/P), C·P·P).
    """
    check_float(images, "images", "(batch, channels, height, width)")
    patch_size = positive_int(patch_size, "patch_size", MAX_DIM)
    if images.dim() != 4:
        raise ValueError(f"images must have shape (batch, channels, height, width), "
                         f"got {tuple(images.shape)}")
    B, C, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError(f"image height and width must be divisible by patch_size={P}, got {H}x{W}")
    patches = images.reshape(B, C, H // P, P, W // P, P)      # split rows and columns into blocks
    patches = patches.permute(0, 2, 4, 1, 3, 5)               # (B, rows, cols, C, P, P)
    return patches.reshape(B, (H // P) * (W // P), C * P * P)


def image_sides(image_size: int | tuple[int, int]) -> tuple[int, int]:
    """(H, W) from ``image_size``: one int (square) or two; each from 1 to 4096."""
    try:
        sides = [image_size] * 2 if not isinstance(image_size, (tuple, list)) else list(image_size)
        H, W = (positive_int(side, "image_size", MAX_TOKENS) for side in sides)
    except ValueError:
        raise ValueError(f"image_size must be an int or (height, width), each from 1 to {MAX_TOKENS}, "
                         f"got {image_size!r}") from None
    return H, W


class PatchEmbedding(nn.Module):
    """ViT's image tokens: patchify, project each patch linearly to ``dim``, add a position embedding.

    (B, C, H, W) float → (B, N, dim), N = (H/P)·(W/P); ``.grid`` = (H/P, W/P). Adding the position
    embedding to each patch token is itself an early summation (Z = Z_patch + Z_position).
    ``image_size`` is H (square) or (H, W).
    """

    def __init__(self, image_size: int | tuple[int, int], patch_size: int, channels: int, dim: int,
                 position: bool = True) -> None:
        super().__init__()
        H, W = image_sides(image_size)
        patch_size = positive_int(patch_size, "patch_size", H)
        channels, dim = positive_int(channels, "channels", 64), positive_int(dim, "dim", MAX_DIM)
        if H % patch_size or W % patch_size:
            raise ValueError(f"image size must be divisible by patch_size={patch_size}, got {H}x{W}")
        check_embedder(channels * patch_size ** 2, (H // patch_size) * (W // patch_size), dim,
                       f"PatchEmbedding of {H}x{W} images, patch_size={patch_size}, channels={channels}, "
                       f"dim={dim}")
        self.image_size, self.patch_size, self.channels = (H, W), patch_size, channels
        self.grid = (H // patch_size, W // patch_size)
        self.proj = nn.Linear(channels * patch_size * patch_size, dim)
        tokens = self.grid[0] * self.grid[1]
        self.position = position_table(tokens, dim) if flag(position, "position") else None

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        check_float(images, "images", "(batch, channels, height, width)")
        expected = (self.channels, *self.image_size)
        if images.dim() != 4 or tuple(images.shape[1:]) != expected:
            raise ValueError(f"images must have shape (batch, {', '.join(map(str, expected))}), "
                             f"got {tuple(images.shape)}")
        z = self.proj(patchify(images, self.patch_size))
        return z if self.position is None else z + self.position


class SymbolEmbedding(nn.Module):
    """Word-like tokens: a learned vector per symbol, plus a position embedding.

    (B, L) long, values in [0, vocab_size], L <= length → (B, L, dim). The id ``vocab_size`` (``pad_id``,
    one past the real symbols) is PAD: a token with no word, embedded as a zero vector (no position
    either) without a row of its own in the table, so a model that never sees it is unchanged. Mask
    PAD tokens with a key padding mask so that no token reads them.
    """

    def __init__(self, vocab_size: int, length: int, dim: int, position: bool = True) -> None:
        super().__init__()
        vocab_size = positive_int(vocab_size, "vocab_size", MAX_VOCAB)
        length, dim = positive_int(length, "length", MAX_TOKENS), positive_int(dim, "dim", MAX_DIM)
        check_embedder(vocab_size, length, dim, f"SymbolEmbedding of vocab_size={vocab_size}, dim={dim}")
        self.vocab_size, self.length = vocab_size, length
        self.pad_id = vocab_size
        self.table = nn.Embedding(vocab_size, dim)
        self.position = position_table(length, dim) if flag(position, "position") else None

    def forward(self, symbols: torch.Tensor) -> torch.Tensor:
        if not isinstance(symbols, torch.Tensor) or symbols.dtype != torch.long:
            got = symbols.dtype if isinstance(symbols, torch.Tensor) else type(symbols).__name__
            raise ValueError(f"symbols must be a long tensor (batch, length), got {got}")
        if symbols.dim() != 2 or not 1 <= symbols.shape[1] <= self.length:
            raise ValueError(f"symbols must have shape (batch, L) with 1 <= L <= {self.length}, "
                             f"got {tuple(symbols.shape)}")
        nonempty_batch(symbols, "symbols")
        low, high = int(symbols.min()), int(symbols.max())
        if low < 0 or high > self.pad_id:
            raise ValueError(f"symbols must lie in [0, {self.vocab_size}) or be the PAD id {self.pad_id}, "
                             f"got values from {low} to {high}")
        pad = symbols == self.pad_id
        z = self.table(symbols.masked_fill(pad, 0))
        z = z if self.position is None else z + self.position[:, :symbols.shape[1]]
        return z.masked_fill(pad[..., None], 0.0) if high == self.pad_id else z


class SignalEmbedding(nn.Module):
    """Sound-like tokens: cut a signal into frames of ``frame`` samples, project each frame to ``dim``.

    (B, T) or (B, C, T) float, T a multiple of ``frame`` and <= length → (B, T/frame, dim).
    A frame token holds its C·frame samples, channel by channel.
    """

    def __init__(self, length: int, frame: int, dim: int, channels: int = 1, position: bool = True) -> None:
        super().__init__()
        length = positive_int(length, "length", MAX_TOKENS * MAX_DIM)
        frame = positive_int(frame, "frame", length)
        dim, channels = positive_int(dim, "dim", MAX_DIM), positive_int(channels, "channels", 64)
        if length % frame:
            raise ValueError(f"length must be a multiple of frame={frame}, got length={length}")
        check_embedder(channels * frame, length // frame, dim,
                       f"SignalEmbedding of length={length}, frame={frame}, channels={channels}, dim={dim}")
        self.length, self.frame, self.channels = length, frame, channels
        self.proj = nn.Linear(channels * frame, dim)
        self.position = position_table(length // frame, dim) if flag(position, "position") else None

    def forward(self, signal: torch.Tensor) -> torch.Tensor:
        check_float(signal, "signal", "(batch, time) or (batch, channels, time)")
        if signal.dim() == 2 and self.channels == 1:
            signal = signal[:, None]
        if signal.dim() != 3 or signal.shape[1] != self.channels:
            raise ValueError(f"signal must have shape (batch, time) or (batch, {self.channels}, time), "
                             f"got {tuple(signal.shape)}")
        B, C, T = signal.shape
        if T % self.frame or not 1 <= T <= self.length:
            raise ValueError(f"signal length must be a multiple of frame={self.frame} and at most "
                             f"{self.length}, got {T}")
        frames = signal.reshape(B, C, T // self.frame, self.frame).transpose(1, 2).flatten(2)
        z = self.proj(frames)                                 # (B, T/frame, dim)
        return z if self.position is None else z + self.position[:, :T // self.frame]


class ModalityTypeEmbedding(nn.Module):
    """A learned vector per modality, added to every token of that modality: z + type[m].

    Lets a joint Transformer tell modalities apart after concatenation. forward(z, m):
    z (B, N, dim), m a 0-based modality index → (B, N, dim).
    """

    def __init__(self, num_modalities: int, dim: int) -> None:
        super().__init__()
        num_modalities = positive_int(num_modalities, "num_modalities", MAX_MODALITIES)
        dim = positive_int(dim, "dim", MAX_DIM)
        self.num_modalities, self.dim = num_modalities, dim
        self.types = nn.Parameter(torch.randn(num_modalities, dim) * 0.02)

    def forward(self, z: torch.Tensor, m: int) -> torch.Tensor:
        m = int_in(m, 0, self.num_modalities - 1, "modality index m")
        check_float(z, "z", f"(batch, tokens, {self.dim})")
        if z.dim() != 3 or z.shape[-1] != self.dim:
            raise ValueError(f"z must have shape (batch, tokens, {self.dim}), got {tuple(z.shape)}")
        return z + self.types[m]
