"""A tiny Vision Transformer (Dosovitskiy et al. 2021) and a picture task it learns in seconds.

An image becomes a sequence: patchify, a linear map per patch, a learned class token in front, a
learned position embedding added (itself an early summation), a pre-norm encoder; the class token's
output is the image's summary. The task ("where is the red object?") can only be solved by knowing
where a patch sits, so a ViT without position embeddings stays at chance on it.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .blocks import Encoder, check_dims
from .data import CELL, COLOURS, GRID, SHAPES, draw_image
from .records import FUSED, AttentionRecord
from .tokens import PatchEmbedding
from .validate import positive_int

QUADRANTS = ("top left", "top right", "bottom left", "bottom right")


def quadrant(cell):
    """The quadrant (0..3, as in QUADRANTS) of a cell of the 4×4 grid, numbered row by row."""
    row, col = divmod(cell, GRID)
    return 2 * (row >= GRID // 2) + (col >= GRID // 2)


def make_pictures(n, seed=0, distractors=2):
    """``n`` pictures (n, 3, 24, 24), each one red object and ``distractors`` others of other colours.

    Returns (images, labels, cells): labels (n,) the red object's quadrant, cells (n,) its grid cell.
    """
    positive_int(n, "n")
    if isinstance(distractors, bool) or not isinstance(distractors, int) or not 0 <= distractors <= 6:
        raise ValueError(f"distractors must be an int in 0..6, got {distractors!r}")
    rng = np.random.default_rng(seed)
    others, shapes = [c for c in COLOURS if c != "red"], list(SHAPES)
    images, cells = [], []
    for _ in range(n):
        where = rng.choice(GRID * GRID, 1 + distractors, replace=False)
        scene = [("red", shapes[rng.integers(len(shapes))], int(where[0]))]
        scene += [(others[rng.integers(len(others))], shapes[rng.integers(len(shapes))], int(c))
                  for c in where[1:]]
        images.append(draw_image(scene, rng))
        cells.append(int(where[0]))
    cells = torch.tensor(cells)
    labels = torch.tensor([quadrant(c) for c in cells.tolist()])
    return torch.from_numpy(np.stack(images)), labels, cells


class VisionTransformer(nn.Module):
    """ViT: [class; patch tokens + positions] → pre-norm encoder → linear head on the class token.

    images (B, C, H, W) → logits (B, classes). After a forward, ``.attention`` lists each layer's
    weights (B, heads, 1 + N, 1 + N); token 0 is the class token, tokens 1..N the patches row by row.
    The class token gets no position: it is a learned vector already, the same in every image.
    ``position_std``: the position table starts larger than ViT's 0.02, so that a tiny model learns
    where its patches are within a few hundred steps.
    """

    def __init__(self, image_size=GRID * CELL, patch_size=CELL, channels=3, dim=32, depth=2, heads=4,
                 classes=4, position=True, norm="pre", position_std=0.5):
        super().__init__()
        check_dims(dim, heads)
        positive_int(classes, "classes")
        self.patches = PatchEmbedding(image_size, patch_size, channels, dim, position=position)
        if position:
            nn.init.normal_(self.patches.position, std=position_std)
        self.cls = nn.Parameter(torch.randn(1, 1, dim) * 0.02)
        self.encoder = Encoder(dim, depth, heads, norm)
        self.head = nn.Linear(dim, classes)
        self.grid = self.patches.grid

    @property
    def attention(self):
        return self.encoder.attention

    def forward(self, images):
        z = self.patches(images)                                   # (B, N, dim), positions added
        z = torch.cat([self.cls.expand(len(z), -1, -1), z], dim=1)  # (B, 1 + N, dim)
        return self.head(self.encoder(z)[:, 0])

    def records(self):
        """The last forward's attention as AttentionRecords, one per layer (token 0: class, FUSED)."""
        n = 1 + self.grid[0] * self.grid[1]
        modality = torch.zeros(n, dtype=torch.long)
        modality[0] = FUSED   # the class token belongs to no patch
        return [AttentionRecord("ViT encoder", i, w, modality, modality)
                for i, w in enumerate(self.attention)]

    def cls_attention(self, layer=-1):
        """The class token's attention over the patches in ``layer``: (B, heads, rows, cols), rows sum < 1
        by the weight the class token keeps for itself."""
        weights = self.attention[layer]
        if weights is None:
            raise ValueError("no attention recorded yet: run the model on some images first")
        return weights[:, :, 0, 1:].unflatten(-1, self.grid)


def train_vit(model, images, labels, steps=200, lr=3e-3, batch_size=32, seed=0):
    """Adam on cross-entropy for ``steps`` mini-batches drawn with ``seed``; returns the list of losses."""
    positive_int(steps, "steps")
    positive_int(batch_size, "batch_size")
    if len(images) != len(labels):
        raise ValueError(f"images and labels must have the same length, got {len(images)} and {len(labels)}")
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    model.train()
    losses = []
    for _ in range(steps):
        idx = torch.randint(0, len(images), (batch_size,), generator=g)
        loss = F.cross_entropy(model(images[idx]), labels[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    model.eval()
    return losses


@torch.no_grad()
def accuracy(model, images, labels):
    """Fraction of ``images`` whose arg-max logit equals the label."""
    model.eval()
    return (model(images).argmax(-1) == labels).float().mean().item()
