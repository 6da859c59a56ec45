"""Notebook 03's experiments: how the tiny ViT's position table is initialised, what each head does,
whether the answer is read off the positions, and the patch embedding as a strided convolution.
"""
from __future__ import annotations

import torch
from torch.nn import functional as F

from ..data import make_pictures
from ..train import train_vit, vit_accuracy
from ..vit import VisionTransformer

POSITION_STDS = (0.5, 0.02)    # mmviz's tiny-model start, and ViT's (Dosovitskiy et al.)


def train_tiny_vit(seed=0, position_std=0.5, position=True, steps=200, train=None):
    """A 1-layer, width-32, 4-head ViT trained ``steps`` steps with ``seed`` (init and batches).

    ``train``: (images, labels), default ``make_pictures(1000, seed=0)``. Returns (model, losses).
    """
    images, labels = train if train is not None else make_pictures(1000, seed=0)[:2]
    torch.manual_seed(seed)
    model = VisionTransformer(dim=32, depth=1, heads=4, position=position, position_std=position_std)
    return model, train_vit(model, images, labels, steps=steps, seed=seed)


def position_evidence(seeds=(0, 1, 2), steps=200, stds=POSITION_STDS, long_steps=800):
    """Test accuracy of the tiny ViT per position-table init std and seed, plus one without positions,
    plus ViT's std 0.02 trained ``long_steps`` (slower is not "cannot").

    Returns a JSON-ready dict {"seeds", "steps", "long_steps", "accuracy": {"0.5": [...], "0.02": [...],
    "none": [...], "0.02 long": [...]}}, one accuracy per seed.
    """
    train, (test_images, test_labels, _) = make_pictures(1000, seed=0)[:2], make_pictures(300, seed=1)
    out = {"seeds": list(seeds), "steps": steps, "long_steps": long_steps, "accuracy": {}}
    runs = [(str(std), std, steps) for std in stds] + [("none", None, steps), ("0.02 long", 0.02, long_steps)]
    for key, std, n in runs:
        out["accuracy"][key] = [
            round(vit_accuracy(train_tiny_vit(s, std or 0.5, std is not None, n, train)[0],
                               test_images, test_labels), 4) for s in seeds]
    return out


def shuffled_position_accuracy(model, images, labels, seed=0):
    """Accuracy after permuting the rows of the trained position table (patch content untouched).

    If the answer is read off the position that rides along with the red patch, this falls to chance.
    """
    table = model.patches.position
    if table is None:
        raise ValueError("the model has no position table to shuffle (position=False)")
    saved = table.detach().clone()                 # (1, N, dim)
    perm = torch.randperm(saved.shape[1], generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        table.copy_(saved[:, perm])
        accuracy = vit_accuracy(model, images, labels)
        table.copy_(saved)
    return accuracy


def head_roles(cls, cells):
    """What each head of the class token looks at. cls (B, heads, rows, cols), cells (B,) red cell.

    Per head: "red" = share of pictures whose strongest patch is the red object's; "fixed_patch" = the
    patch most often strongest, "fixed_share" = in how many pictures it is, "fixed_weight" = its mean
    weight. Returns a list of dicts, one per head.
    """
    flat = cls.flatten(2)                          # (B, heads, patches)
    top = flat.argmax(-1)
    roles = []
    for h in range(flat.shape[1]):
        patch = int(top[:, h].mode().values)
        roles.append({"red": (top[:, h] == cells).float().mean().item(), "fixed_patch": patch,
                      "fixed_share": (top[:, h] == patch).float().mean().item(),
                      "fixed_weight": flat[:, h, patch].mean().item()})
    return roles


def as_convolution(patch_embedding, images):
    """The patch embedding's linear map run as a Conv2d with kernel = stride = P: (B, N, dim), no positions.

    The linear weight (dim, C·P·P) reshaped to (dim, C, P, P) is the convolution's kernel.
    """
    P, proj = patch_embedding.patch_size, patch_embedding.proj
    kernel = proj.weight.reshape(proj.out_features, patch_embedding.channels, P, P)
    return F.conv2d(images, kernel, proj.bias, stride=P).flatten(2).transpose(1, 2)


def position_similarity(table):
    """Cosine similarity of every pair of position vectors: table (N, dim) or (1, N, dim) → (N, N)
    (ViT's Fig. 7)."""
    if table.dim() not in (2, 3) or (table.dim() == 3 and table.shape[0] != 1):
        raise ValueError(f"table must be (N, dim) or (1, N, dim), got shape {tuple(table.shape)}")
    unit = F.normalize(table.detach().reshape(-1, table.shape[-1]), dim=-1)
    return unit @ unit.T
