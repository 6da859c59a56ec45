"""Pictures of a missing modality: each stage's mask with the absent tokens taken out, and accuracy bars.

The masks are given (``mmviz.lessons.missing.absent_masks``: the registry's masks with an absent
modality's rows and columns cleared) and the accuracies are numbers; nothing here trains or measures.
"""
from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.patches import Rectangle

from .base import FUSED_COLOUR, Figure, modality_colour, themed

MASKED = "#E8E8E8"          # a pair the stage's mask forbids
ABSENT = "#4D4D4D"          # hatching over an absent modality's rows and columns


def draw_absent_mask(ax, kind, mask, counts, names, absent, fontsize=9):
    """One stage's mask over C(Z_1..Z_M): coloured by the key's modality where a present query reads a
    present key; light grey where the mask forbids the pair; hatched where a token is absent.
    ``mask`` None: a summed sequence, which has no tokens of one modality to take out."""
    n = sum(counts)
    if mask is None:
        ax.imshow(np.ones((counts[0], counts[0], 3)) * np.array(to_rgb(FUSED_COLOUR)))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"{kind}: no token to take out", fontsize=fontsize)
        return
    keys = np.repeat(np.arange(len(counts)), counts)
    colour = np.array([to_rgb(modality_colour(names[m], names)) for m in keys])
    picture = np.where(mask.numpy()[..., None], colour[None], np.array(to_rgb(MASKED)))
    ax.imshow(picture, interpolation="nearest")
    starts = np.concatenate([[0], np.cumsum(counts)])
    for m in absent:
        a, b = starts[m] - 0.5, starts[m + 1] - 0.5
        for box in ((-0.5, a, n, b - a), (a, -0.5, b - a, n)):      # its rows, then its columns
            ax.add_patch(Rectangle(box[:2], box[2], box[3], fill=False, hatch="///", edgecolor=ABSENT, lw=0))
    for edge in starts[1:-1] - 0.5:
        ax.axhline(edge, color="black", lw=1.2)
        ax.axvline(edge, color="black", lw=1.2)
    centres = (starts[:-1] + starts[1:]) / 2 - 0.5
    shown = [f"{name}\n(absent)" if m in absent else name for m, name in enumerate(names)]
    ax.set_xticks(centres, shown, fontsize=fontsize - 1)
    ax.set_yticks(centres, shown, fontsize=fontsize - 1, rotation=90, va="center")
    ax.tick_params(length=0)
    ax.set_title(f"{kind}: {int(mask.sum())} of {n}² edges left", fontsize=fontsize)


@themed()
def plot_absent_masks(rows, counts, names, absent, per_row=3):
    """The variants side by side, ``per_row`` to a row: each one's stages' masks with modality ``absent``
    (0-based) taken out, or its refusal in words. rows: [(variant, [(stage kind, mask or None)] or the
    refusal str)]."""
    side, gap, block = 1.7, 0.75, 2 * 1.7 + 0.75 + 0.6         # inches: a panel, between, a variant
    lines = -(-len(rows) // per_row)
    fig = Figure(figsize=(per_row * block + 0.2, lines * (side + 1.25) + 0.1), dpi=80)
    W, H = fig.get_size_inches()
    for i, (variant, row) in enumerate(rows):
        line, col = divmod(i, per_row)
        left, top = 0.35 + col * block, H - 0.1 - line * (side + 1.25)
        fig.text(left / W, top / H, variant.replace("_", " "), ha="left", va="top", fontsize=10,
                 weight="bold")
        if isinstance(row, str):
            fig.text(left / W, (top - 0.35) / H, "refuses:\n" + textwrap.fill(row, 44), ha="left", va="top",
                     fontsize=8.5, color="#B00020")
            continue
        for k, (kind, mask) in enumerate(row):
            ax = fig.add_axes(((left + k * (side + gap)) / W, (top - 0.55 - side) / H, side / W, side / H))
            draw_absent_mask(ax, kind, mask, counts, names, [absent], fontsize=8)
    return fig


def draw_accuracy_bars(ax, bars, baseline, best=None, fontsize=9):
    """bars: [(label, accuracy with every modality, accuracy with the absent ones)]; dashed: a constant
    answer's score; dotted: the best any model can do without the absent modalities (if known)."""
    x = np.arange(len(bars))
    full = [b[1] for b in bars]
    missing = [b[2] for b in bars]
    ax.bar(x - 0.18, full, 0.34, color="#BBBBBB", label="every modality")
    ax.bar(x + 0.18, missing, 0.34, color="#0072B2", label="with the absent ones")
    for i, (f, m) in enumerate(zip(full, missing)):
        ax.text(i - 0.18, f + 0.02, f"{f:.0%}", ha="center", fontsize=fontsize - 1)
        ax.text(i + 0.18, m + 0.02, f"{m:.0%}", ha="center", fontsize=fontsize - 1)
    ax.axhline(baseline, color="black", ls="--", lw=1, label=f"constant answer {baseline:.0%}")
    if best is not None:
        ax.axhline(best, color="#D55E00", ls=":", lw=1.5, label=f"best possible without {best:.0%}")
    ax.set_xticks(x, [textwrap.fill(b[0], 16) for b in bars], fontsize=fontsize)
    ax.set_ylim(0, 1.45)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.tick_params(axis="y", labelsize=fontsize)
    ax.set_ylabel("test accuracy", fontsize=fontsize)
    ax.legend(fontsize=fontsize - 1, loc="upper center", ncol=2, framealpha=0.9, columnspacing=0.8)
