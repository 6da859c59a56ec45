"""Attention over space: one token's attention drawn on the picture (once, or live), and attention as a graph.

Section 3 opens with the point these pictures make: self-attention is a fully-connected graph over
tokens whose edge weights come from the data, while a convolution sees a fixed grid neighbourhood.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colorbar import Colorbar
from matplotlib.figure import Figure as MplFigure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch

from .._validate import MAX_MODALITIES, MAX_TOKENS, int_in, positive_int, real
from ..measure import select_weights
from ..outputs import FUSED, AttentionRecord
from .base import (
    Figure,
    LivePng,
    check_labels,
    default_token_labels,
    modality_colour,
    modality_name,
    themed,
)

MAX_CONV_GRID = 40      # pixels per side of the drawn convolution grid (one marker per pixel)


def greyscale(image: np.ndarray) -> np.ndarray:
    """(H, W) luminance of an (H, W, 3) picture in [0, 1]: underneath an overlay, the picture's own
    colours cannot be mistaken for attention."""
    image = np.asarray(image, dtype=float)
    return np.clip(image[..., :3] @ np.array([0.299, 0.587, 0.114]), 0, 1)


def mark_uniform(colorbar: Colorbar, level: float, fontsize: float = 9) -> Line2D:
    """A white line on ``colorbar`` at the uniform level 1/N_k, named in its label."""
    line = colorbar.ax.axhline(level, color="white", lw=2.5)
    colorbar.set_label(f"attention weight; white line =\nuniform 1/N_k = {level:.2g}", fontsize=fontsize)
    return line


def check_grid(grid: Sequence[int], high: int = MAX_TOKENS) -> tuple[int, ...]:
    """(rows, cols) as two ints from 1 to ``high``; otherwise a ValueError naming ``grid``."""
    try:
        if not isinstance(grid, (tuple, list)) or len(grid) != 2:
            raise ValueError
        return tuple(positive_int(side, "grid", high) for side in grid)
    except ValueError:
        raise ValueError(f"grid must be (rows, cols), two ints from 1 to {high}, got {grid!r}") from None


@themed()
def plot_attention_on_image(image: np.ndarray, attention: AttentionRecord | np.ndarray | torch.Tensor,
                            query: int = 0, sample: int = 0, head: int | None = None, image_modality: int = 0,
                            grid: Sequence[int] | None = None, query_label: str | None = None,
                            alpha: float = 0.6, vmax: float | None = None,
                            uniform: float | None = None) -> MplFigure:
    """One query token's attention over the image patches, drawn over the picture (in grey).

    image: (H, W, 3) array; attention: an AttentionRecord (row ``query`` of sample ``sample``, keys
    of modality ``image_modality`` in raster order) or the P patch weights directly.
    grid (rows, cols) defaults to the square √P × √P. The colour scale runs from 0 to ``vmax``: by
    default, for a record, the largest weight any query of this sample gives a patch, so pictures of
    several queries compare; for raw weights, their maximum (pass one ``vmax`` to compare several).
    ``uniform``: the weight of uniform attention, 1/N_k, marked on the colour bar (for a record: from
    the keys the query may attend to).
    """
    try:
        image = np.asarray(image, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"image must be an (H, W, 3) array of numbers, got {type(image).__name__}") from None
    if image.ndim != 3 or image.shape[2] not in (3, 4):
        raise ValueError(f"image must be an (H, W, 3) array, got shape {image.shape}")
    alpha = real(alpha, "alpha", 0.0, 1.0)
    image_modality = int_in(image_modality, 0, MAX_MODALITIES - 1, "image_modality")
    if isinstance(attention, AttentionRecord):
        w = select_weights(attention, head, sample)
        query = int_in(query, 0, w.shape[0] - 1, "query")
        keys = (attention.key_modality == image_modality).numpy()
        if not keys.any():
            raise ValueError(f"the record's keys hold no token of modality {image_modality}; "
                             f"key modalities are {sorted(set(attention.key_modality.tolist()))}")
        patches = w[query, keys]
        top = float(w[:, keys].max())
        if uniform is None:
            uniform = 1.0 / max(int((w[query] > 0).sum()), 1)
        query_label = query_label or default_token_labels(attention.query_modality.tolist())[query]
    else:
        try:
            patches = np.asarray(attention, dtype=float)
        except (TypeError, ValueError):
            patches = np.array([])
        if patches.ndim == 0 or not patches.size or not np.isfinite(patches).all():  # None or one number
            raise ValueError(f"attention must be an AttentionRecord or finite patch weights, "
                             f"got {attention!r:.100}")
        patches = patches.ravel()
        top = float(patches.max())
    P = patches.size
    rows, cols = check_grid(grid) if grid is not None else (math.isqrt(P), math.isqrt(P))
    if rows * cols != P:
        raise ValueError(f"grid {rows}x{cols} does not hold the {P} patch weights; pass grid=(rows, cols)")
    vmax = max(top if vmax is None else float(vmax), 1e-6)
    fig = Figure(figsize=(4.4, 3.8), dpi=80)
    ax = fig.add_axes((0.05, 0.05, 0.62, 0.78))
    cax = fig.add_axes((0.7, 0.05, 0.04, 0.78))
    H, W = image.shape[:2]
    ax.imshow(greyscale(image), cmap="gray", vmin=0, vmax=1, extent=(0, W, H, 0))
    im = ax.imshow(patches.reshape(rows, cols), cmap="magma", alpha=alpha, extent=(0, W, H, 0),
                   interpolation="nearest", vmin=0, vmax=vmax)
    colorbar = fig.colorbar(im, cax=cax)
    if colorbar.solids is not None:
        colorbar.solids.set_alpha(alpha)                   # the bar shows the colours as drawn
    if uniform is not None:
        mark_uniform(colorbar, uniform)
    else:
        colorbar.set_label("attention weight")
    for r in range(1, rows):
        ax.axhline(r * H / rows, color="white", lw=0.5, alpha=0.5)
    for c in range(1, cols):
        ax.axvline(c * W / cols, color="white", lw=0.5, alpha=0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    fig.text(0.45, 0.97, f"where {query_label or 'the query'} looks in the picture", ha="center", va="top")
    fig.patch_weights = patches.reshape(rows, cols)        # the numbers drawn
    fig.vmax, fig.uniform = vmax, uniform
    return fig


class ImagePicture:
    """One query's attention over the image patches, drawn over the picture in grey; updated in place.

    ``draw(image, patches, title, norm, uniform)``: the colour scale ``norm`` is the one of the map it
    sits beside (shared, so the two pictures compare); the uniform level 1/N_k is marked on the bar.
    """

    @themed()
    def __init__(self, grid=(4, 4), figsize=(3.6, 3.4), dpi=80):
        self.grid = grid = check_grid(grid)
        self.figure = Figure(figsize=figsize, dpi=dpi)
        self.live = LivePng(self.figure)
        ax = self.figure.add_axes((0.04, 0.04, 0.66, 0.8))
        self.cax = self.figure.add_axes((0.73, 0.04, 0.045, 0.8))
        self.photo = ax.imshow(np.zeros((2, 2)), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        self.overlay = ax.imshow(np.zeros(grid), cmap="magma", alpha=0.6, interpolation="nearest", vmin=0,
                                 vmax=1)
        self.colorbar = self.figure.colorbar(self.overlay, cax=self.cax)
        self.uniform = mark_uniform(self.colorbar, 0.5)
        ax.set_xticks([])
        ax.set_yticks([])
        self.title = self.figure.text(0.5, 0.97, "", ha="center", va="top", fontsize=10)
        self.dynamic = [self.photo, self.overlay, self.cax, self.title]

    @themed()
    def draw(self, image, patches, title, norm=None, uniform=None):
        H, W_ = image.shape[:2]
        self.photo.set_data(greyscale(image))
        self.photo.set_extent((0, W_, H, 0))
        self.overlay.set_data(patches.reshape(self.grid))
        self.overlay.set_extent((0, W_, H, 0))
        if norm is not None:
            self.overlay.set_norm(norm)
        else:
            self.overlay.set_clim(0, max(float(patches.max()), 1e-6))
        self.colorbar.solids.set_alpha(0.6)
        if uniform is not None:
            self.uniform.set_ydata([uniform, uniform])
            self.colorbar.set_label(f"attention weight; white line =\nuniform 1/N_k = {uniform:.2g}",
                                    fontsize=9)
        self.uniform.set_visible(uniform is not None)
        self.title.set_text(title)
        self.weights = patches.reshape(self.grid)          # the numbers drawn, for tests
        self.live.invalidate()                             # the colour bar's ticks may change
        return self.figure

    def png(self):
        return self.live.render(self.dynamic)


def circle_layout(modality_of_tokens: Sequence[int] | torch.Tensor) -> np.ndarray:
    """(N, 2) node positions on a circle, modalities in contiguous arcs with a gap between them."""
    m = list(modality_of_tokens)
    gaps = sum(1 for i in range(1, len(m)) if m[i] != m[i - 1]) + 1
    slots, pos = len(m) + gaps, []
    k = 0
    for i in range(len(m)):
        k += 1 if i > 0 and m[i] != m[i - 1] else 0
        angle = np.pi / 2 - 2 * np.pi * (i + k) / slots
        pos.append((np.cos(angle), np.sin(angle)))
    return np.array(pos)


@themed()
def plot_attention_graph(record: AttentionRecord, sample: int = 0, head: int | None = None,
                         labels: Sequence[str] | None = None, modality_names: Sequence[str] | None = None,
                         top: int = 3, grid: Sequence[int] = (5, 5)) -> MplFigure:
    """Self-attention as a weighted graph over tokens (left) beside a 3×3 convolution's grid (right).

    Left: every token is a node coloured by modality; each query's ``top`` strongest edges are drawn as
    arrows from the key it reads to the query, width ∝ weight (with no mask all N² edges exist; the
    rest are faint). Right: on a
    ``grid`` of pixels the centre output sees exactly its 3×3 neighbours, the same everywhere.
    """
    w = select_weights(record, head, sample)
    if w.shape[0] != w.shape[1] or not np.array_equal(record.query_modality, record.key_modality):
        raise ValueError(f"a graph needs self-attention (queries = keys), got a {w.shape[0]}x{w.shape[1]} "
                         f"record of stage {record.stage!r}")
    top = positive_int(top, "top", MAX_TOKENS)
    grid = check_grid(grid, MAX_CONV_GRID)
    mods = record.query_modality.tolist()
    labels = check_labels(labels, len(mods), "labels") or default_token_labels(mods, modality_names)
    fig = Figure(figsize=(9.0, 4.4), dpi=80)
    ax, conv = fig.add_axes((0.02, 0.08, 0.5, 0.78)), fig.add_axes((0.58, 0.12, 0.38, 0.7))
    pos = circle_layout(mods)
    n = len(mods)
    keep = np.argsort(-w, axis=1)[:, :min(top, n)]
    faint = [(pos[i], pos[j]) for i in range(n) for j in range(n) if i != j]
    ax.add_collection(LineCollection(faint, colors="#BBBBBB", linewidths=0.3, alpha=0.4))
    strong = [(i, j) for i in range(n) for j in keep[i] if i != j]
    scale = w.max()
    for i, j in strong:                    # query i reads key j: the arrow runs j → i, as information flows
        ax.add_patch(FancyArrowPatch(pos[j], pos[i], arrowstyle="-|>", mutation_scale=7 + 6 * w[i, j] / scale,
                                     shrinkA=5, shrinkB=7, color=modality_colour(mods[i], modality_names),
                                     linewidth=0.5 + 3.5 * w[i, j] / scale, alpha=0.8))
    ax.scatter(pos[:, 0], pos[:, 1], s=[60 + 240 * w[i, i] / scale for i in range(n)],
               c=[modality_colour(m, modality_names) for m in mods], edgecolors="black", linewidths=0.6,
               zorder=3)
    if n <= 40:
        for (x, y), text in zip(pos, labels):   # outside the circle, anchored at the node's side: no overlap
            ax.text(1.1 * x, 1.1 * y, text, fontsize=8,
                    ha="left" if x > 0.2 else "right" if x < -0.2 else "center",
                    va="bottom" if y > 0.2 else "top" if y < -0.2 else "center")
    ax.set_xlim(-1.5, 1.5)
    ax.set_ylim(-1.35, 1.3)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"self-attention: a graph over {n} tokens,\nedge weights computed from the data",
                 fontsize=10)
    present = sorted(set(mods), key=lambda m: (m == FUSED, m))
    handles = [Patch(color=modality_colour(m, modality_names), label=modality_name(m, modality_names))
               for m in present]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False,
              title="modality", title_fontsize=8)        # beside the circle, never over a node
    draw_convolution(conv, grid)
    fig.text(0.5, 0.98, f"{record.name}, sample {sample}", ha="center", va="top", fontsize=9, color="#555555")
    return fig


def draw_convolution(ax: Axes, grid: Sequence[int]) -> None:
    """A rows×cols pixel grid; the centre pixel's 3×3 receptive field, edges of equal, fixed weight."""
    rows, cols = grid
    r0, c0 = rows // 2, cols // 2
    ys, xs = np.mgrid[0:rows, 0:cols]
    near = (abs(ys - r0) <= 1) & (abs(xs - c0) <= 1)
    ax.scatter(xs[~near], ys[~near], s=60, c="#DDDDDD", edgecolors="#999999", linewidths=0.5)
    ax.scatter(xs[near], ys[near], s=90, c=modality_colour(0), edgecolors="black", linewidths=0.6, zorder=3)
    ax.add_collection(LineCollection([((c0, r0), (x, y)) for y, x in zip(ys[near], xs[near])],
                                     colors="black", linewidths=1.5, zorder=2))
    ax.set_xlim(-0.7, cols - 0.3)
    ax.set_ylim(rows - 0.3, -0.7)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("3×3 convolution: a fixed grid neighbourhood,\nthe same weights whatever the content",
                 fontsize=10)
