"""Notebook 03's experiments: how the tiny ViT's position table is initialised, what each head does,
whether the answer is read off the positions, and the patch embedding as a strided convolution.
"""
from __future__ import annotations

import torch
from torch.nn import functional as F

from .._threads import one_thread
from .._validate import positive_int
from ..data import make_pictures
from ..train import train_vit, vit_accuracy
from ..vit import VisionTransformer

POSITION_STDS = (0.5, 0.02)    # mmviz's tiny-model start, and ViT's (Dosovitskiy et al.)


@one_thread()
def train_tiny_vit(seed=0, position_std=0.5, position=True, steps=200, train=None):
    """A 1-layer, width-32, 4-head ViT trained ``steps`` steps with ``seed`` (init and batches).

    ``train``: (images, labels), default ``make_pictures(1000, seed=0)``. Returns (model, losses).
    """
    images, labels = train if train is not None else make_pictures(1000, seed=0)[:2]
    torch.manual_seed(seed)
    model = VisionTransformer(dim=32, depth=1, heads=4, position=position, position_std=position_std)
    return model, train_vit(model, images, labels, steps=steps, seed=seed)


def sincos_positions(rows, cols, dim):
    """A fixed 2-D sinusoidal position table (rows·cols, dim), never trained: the first half of the
    features are sin and cos of the row index at dim/4 frequencies (1 down to about 1/100), the second
    half the same of the column index. Row r·cols + c is patch (r, c)."""
    rows, cols, dim = (positive_int(v, name) for v, name in ((rows, "rows"), (cols, "cols"), (dim, "dim")))
    if dim % 4:
        raise ValueError(f"dim must be divisible by 4 (sin and cos of row and column), got {dim}")
    q = dim // 4
    freq = 100.0 ** (-torch.arange(q) / q)
    r, c = torch.meshgrid(torch.arange(rows).float(), torch.arange(cols).float(), indexing="ij")
    r, c = r.reshape(-1, 1) * freq, c.reshape(-1, 1) * freq
    return torch.cat([r.sin(), r.cos(), c.sin(), c.cos()], dim=1)


def tiny_vit(seed=0, positions="0.5"):
    """The notebook's 1-layer, width-32, 4-head ViT, initialised from ``seed``. ``positions``: "0.5" or
    "0.02" (a learned table started at that std), "none", or "sincos" (a fixed 2-D sinusoidal table)."""
    if positions not in ("0.5", "0.02", "none", "sincos"):
        raise ValueError(f"positions must be '0.5', '0.02', 'none' or 'sincos', got {positions!r}")
    torch.manual_seed(seed)
    std = 0.02 if positions == "0.02" else 0.5
    model = VisionTransformer(dim=32, depth=1, heads=4, position=positions != "none", position_std=std)
    if positions == "sincos":
        with torch.no_grad():
            model.patches.position.copy_(sincos_positions(*model.grid, 32)[None])
        model.patches.position.requires_grad_(False)       # fixed: AdamW skips it (no gradient)
    return model


@one_thread()
def accuracy_curve(model, train, test, steps, every, seed=0, lr=3e-3, batch_size=32):
    """Train as :func:`mmviz.train.train_vit` does (the same batches and AdamW) and record the test
    accuracy every ``every`` steps. Returns (steps list, accuracy list)."""
    images, labels = train
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    at, accuracy = [], []
    for step in range(1, steps + 1):
        model.train()
        idx = torch.randint(0, len(images), (batch_size,), generator=g)
        loss = F.cross_entropy(model(images[idx]), labels[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % every == 0:
            at.append(step)
            accuracy.append(vit_accuracy(model, *test))
    model.eval()
    return at, accuracy


@one_thread()
def head_ablation_accuracy(model, images, labels, heads, layer=0):
    """Accuracy when the class token's output of each head in ``heads`` (0-based) is replaced by its
    mean over ``images``: the head then carries nothing about the picture, only its average.

    The head's output is its slice of the attention's concatenated output (before the output projection).
    """
    attn = model.encoder.blocks[layer].attn
    width = attn.out.in_features // attn.heads
    cols = [c for h in heads for c in range(h * width, (h + 1) * width)]
    seen = {}

    def record(module, args):
        seen["mean"] = args[0][:, 0, cols].mean(0)

    def replace(module, args):
        mixed = args[0].clone()
        mixed[:, 0, cols] = seen["mean"]
        return (mixed,)

    model.eval()
    with torch.no_grad():
        for hook in (record, replace):
            handle = attn.out.register_forward_pre_hook(hook)
            try:
                logits = model(images)
            finally:
                handle.remove()
    return (logits.argmax(-1) == labels).float().mean().item()


def check_ablation(answer, model, images, labels, head):
    """Self-check for exercise 4: ``answer`` is the accuracy with head ``head`` (1-based) mean-ablated."""
    if answer is None:
        return print("Not answered yet: measure the accuracy and assign it to `answer`.")
    right = head_ablation_accuracy(model, images, labels, [head - 1])
    verdict = "Right" if abs(float(answer) - right) < 0.01 else "Not quite"
    print(f"{verdict}: with head {head}'s class-token output replaced by its mean, accuracy is {right:.2f} "
          f"(you gave {float(answer):.2f}).")
    return abs(float(answer) - right) < 0.01


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
