"""Variants side by side: learning curves, and one attention map per variant (notebook 10).

Reads the :class:`mmviz.lessons.playground.Measured` rows it is given; the number of panels and each
variant's line style come from the variant registry, so a new variant is drawn like the others.
"""
from __future__ import annotations

import math
import textwrap

from matplotlib.patches import Patch

from ..lessons.playground import PANEL_SAMPLES, Measured, short_reason
from ..measure import select_weights
from ..outputs import FUSED
from ..train import check_task
from .base import (
    ATTENTION_CMAP,
    Figure,
    band,
    boundaries,
    modality_colour,
    modality_name,
    themed,
    thin,
    variant_style,
)


@themed()
def plot_learning_curves(results, title=None):
    """Test accuracy against training step, one line per variant that ran (same steps, same seed)."""
    fig = Figure(figsize=(7.6, 3.4), dpi=80)
    ax = fig.add_axes((0.09, 0.15, 0.5, 0.72))
    for variant, r in results.items():
        if isinstance(r, Measured):         # one colour and style per variant, the same on every task
            steps = [s + 1 for s in r.history.eval_step]
            ax.plot(steps, r.history.test_accuracy, ms=4, label=variant.replace("_", " "),
                    **variant_style(variant))
    ax.set(xlabel="training step", ylabel="test accuracy", ylim=(0, 1.03))
    ax.axhline(0.9, color="#999999", lw=0.8, ls=":")
    ax.grid(True, alpha=0.3)
    ax.set_title(title or "test accuracy while training", fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=8)
    return fig


def defining_record(output):
    """The map that shows a variant's idea: the last joint layer if it has one, else its first map."""
    joint = [r for r in output.attention if r.stage == "joint"]
    return joint[-1] if joint else output.attention[0]


def draw_panel(fig, box, record, task, sample, max_ticks):
    """One attention map in ``box`` (x, y, w, h): heatmap, modality bands on the query and key edges."""
    x0, y0, w, h = box
    strip = 0.012
    ax = fig.add_axes((x0, y0, w, h))
    left = fig.add_axes((x0 - strip - 0.002, y0, strip, h))
    top = fig.add_axes((x0, y0 + h + 0.003, w, strip * w / h * 1.6))
    weights = select_weights(record, None, sample)
    ax.imshow(weights, cmap=ATTENTION_CMAP, aspect="auto", interpolation="nearest", vmin=0)
    qm, km = record.query_modality.tolist(), record.key_modality.tolist()
    names = [m.name for m in task.modalities]
    left.imshow(band(qm, names)[:, None], aspect="auto", interpolation="nearest")
    top.imshow(band(km, names)[None], aspect="auto", interpolation="nearest")
    for y in boundaries(qm):
        ax.axhline(y, color="white", lw=1)
    for x in boundaries(km):
        ax.axvline(x, color="white", lw=1)
    qlabels, klabels = task.labels_of(qm, sample), task.labels_of(km, sample)
    ticks = thin(len(km), max_ticks)
    ax.set_xticks(ticks, [klabels[i] for i in ticks], rotation=90, fontsize=9)
    ax.set_yticks([])
    ticks = thin(len(qm), max_ticks)
    left.set_yticks(ticks, [qlabels[i] for i in ticks], fontsize=9)
    left.set_xticks([])
    top.set_xticks([])
    top.set_yticks([])
    return ax, top


@themed()
def plot_variant_maps(results, task, sample=0, max_ticks=20, title=None):
    """One attention map per variant, side by side (3 a row): the last joint layer where there is
    one, else the first map (cross-attention: modality 1's queries on the others' keys). Heads averaged,
    test sample ``sample``; bands and labels mark each token's modality; a variant that could not run
    on ``task`` gets a panel saying why."""
    check_task(task)
    if isinstance(sample, bool) or not isinstance(sample, int) or not 0 <= sample < PANEL_SAMPLES:
        raise ValueError(f"sample must be an int in [0, {PANEL_SAMPLES}), got {sample!r}")
    rows = max(1, math.ceil(len(results) / 3))
    height = 5.15 + 4.27 * (rows - 1)          # inches: 1.5 on top, 2.6 a map, 1.67 between rows, 1.05 below
    fig = Figure(figsize=(12.5, height), dpi=80)
    names = [m.name for m in task.modalities]
    for i, (variant, r) in enumerate(results.items()):
        row, col = divmod(i, 3)
        box = (0.1 + col * 0.31, (1.05 + 4.27 * (rows - 1 - row)) / height, 0.21, 2.6 / height)
        label = variant.replace("_", " ")
        if not isinstance(r, Measured):
            ax = fig.add_axes(box)
            ax.axis("off")
            why = textwrap.fill(short_reason(r), 44)
            ax.text(0.5, 0.5, f"{label}\n\ncannot run on task '{task.name}':\n{why}",
                    ha="center", va="center", fontsize=8)
            continue
        record = defining_record(r.output)
        _, top = draw_panel(fig, box, record, task, sample, max_ticks)
        top.set_title(f"{label}\n{record.name} · acc {r.accuracy:.0%}", fontsize=9)
    present = sorted({int(m) for r in results.values() if isinstance(r, Measured)
                      for rec in r.output.attention for m in rec.query_modality.tolist()},
                     key=lambda m: (m == FUSED, m))
    handles = [Patch(color=modality_colour(m, names), label=modality_name(m, names)) for m in present]
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 1 - 0.35 / height),
               ncol=len(handles), frameon=False, fontsize=9)
    fig.text(0.5, 1 - 0.13 / height, title or f"task '{task.name}', test sample {sample}: queries (rows) "
             "attend to keys (columns), heads averaged; each map coloured from 0 to its own largest weight",
             ha="center", va="top", fontsize=10)
    return fig
