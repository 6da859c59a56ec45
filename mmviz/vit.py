"""A tiny Vision Transformer (Dosovitskiy et al. 2021); its pictures are ``mmviz.data.make_pictures``.

An image becomes a sequence: patchify, a linear map per patch, a learned class token in front, a
learned position embedding added (itself an early summation), a pre-norm encoder; the class token's
output is the image's summary. The task ("where is the red object?") can only be solved by knowing
where a patch sits, so a ViT without position embeddings stays at chance on it.
"""
from __future__ import annotations

import torch
from torch import nn

from ._validate import MAX_VOCAB, positive_int, real
from .blocks import Encoder, check_dims
from .outputs import FUSED, AttentionRecord
from .tokens import PatchEmbedding


class VisionTransformer(nn.Module):
    """ViT: [class; patch tokens + positions] → pre-norm encoder → linear head on the class token.

    images (B, C, H, W) → logits (B, classes). After a forward, ``.attention`` lists each layer's
    weights (B, heads, 1 + N, 1 + N); token 0 is the class token, tokens 1..N the patches row by row.
    The class token gets no position: it is a learned vector already, the same in every image.
    ``position_std``: the standard deviation the position table starts from. ViT uses 0.02; at that
    start every patch carries nearly the same position, and our tiny model stays at chance for 200
    steps (positions have to be learned). The default 0.5 makes positions distinguishable from the
    first step, so it learns within a few hundred steps; notebook 03 shows both.
    """

    def __init__(self, image_size: int | tuple[int, int] = 24, patch_size: int = 6, channels: int = 3,
                 dim: int = 32, depth: int = 2, heads: int = 4, classes: int = 4, position: bool = True,
                 norm: str = "pre", position_std: float = 0.5) -> None:
        super().__init__()
        dim, heads = check_dims(dim, heads)
        classes = positive_int(classes, "classes", MAX_VOCAB)
        position_std = real(position_std, "position_std", 0.0, 10.0)
        self.patches = PatchEmbedding(image_size, patch_size, channels, dim, position=position)
        if position and self.patches.position is not None:
            nn.init.normal_(self.patches.position, std=position_std)
        self.cls = nn.Parameter(torch.randn(1, 1, dim) * 0.02)
        self.encoder = Encoder(dim, depth, heads, norm)
        self.head = nn.Linear(dim, classes)
        self.grid = self.patches.grid

    @property
    def attention(self) -> list[torch.Tensor | None]:
        return self.encoder.attention

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        z = self.patches(images)                                   # (B, N, dim), positions added
        z = torch.cat([self.cls.expand(len(z), -1, -1), z], dim=1)  # (B, 1 + N, dim)
        return self.head(self.encoder(z)[:, 0])

    def records(self) -> list[AttentionRecord]:
        """The last forward's attention as AttentionRecords, one per layer (token 0: class, FUSED)."""
        n = 1 + self.grid[0] * self.grid[1]
        modality = torch.zeros(n, dtype=torch.long)
        modality[0] = FUSED   # the class token belongs to no patch
        return [AttentionRecord("ViT encoder", i, w, modality, modality)
                for i, w in enumerate(self.attention) if w is not None]

    def cls_attention(self, layer: int = -1) -> torch.Tensor:
        """The class token's attention over the patches in ``layer``: (B, heads, rows, cols), rows sum < 1
        by the weight the class token keeps for itself."""
        weights = self.attention[layer]
        if weights is None:
            raise ValueError("no attention recorded yet: run the model on some images first")
        return weights[:, :, 0, 1:].unflatten(-1, self.grid)
