"""Variants side by side: their stages as masks over one graph, learning curves (one seed, or the
committed evidence over seeds), and one attention map per variant (notebook 10).

Reads the :class:`mmviz.measure.Measured` rows and evidence rows it is given; the panels, masks,
titles and each variant's line style come from the variant and stage-kind registries, so a new
variant (or a new kind of stage) is drawn like the others.
"""
from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.patches import Patch

from ..data import Task
from ..fusion import FUSION_VARIANTS, VARIANTS, stage_masks
from ..measure import PANEL_SAMPLES, Measured, select_weights, short_reason
from ..outputs import FUSED, AttentionRecord, FusionOutput
from ..stages import STAGE_KINDS
from ..train import check_task
from .base import (
    ATTENTION_CMAP,
    FUSED_COLOUR,
    Figure,
    band,
    boundaries,
    modality_colour,
    modality_name,
    themed,
    thin,
    variant_style,
)
from .seeds import draw_band

MASKED = "#E8E8E8"          # a query-key pair the stage's mask forbids


def mask_labels(counts: Sequence[int], names: Sequence[str], summed: bool) -> list[str]:
    """Token labels of a mask picture, numbered from 0 inside each modality as in the attention maps:
    A0 A1 … B0 …, or A0+B0 …"""
    if summed:
        return ["+".join(f"{n}{i}" for n in names) for i in range(counts[0])]
    return [f"{n}{i}" for n, c in zip(names, counts) for i in range(c)]


def draw_mask(ax: Axes, kind: str, mask: torch.Tensor, counts: Sequence[int], names: Sequence[str]) -> None:
    """One stage's mask: a cell coloured with the key's modality where the query may read the key;
    kind: its name in ``STAGE_KINDS`` (the title and whether the tokens are summed come from there)."""
    summed = STAGE_KINDS[kind].summed
    keys = np.zeros(mask.shape[1], int) if summed else np.repeat(np.arange(len(counts)), counts)
    colour = np.array([to_rgb(FUSED_COLOUR if summed else modality_colour(int(m), names)) for m in keys])
    picture = np.where(mask.numpy()[..., None], colour[None], np.array(to_rgb(MASKED)))
    ax.imshow(picture, interpolation="nearest")
    labels = mask_labels(counts, names, summed)
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=9)
    ax.set_yticks(range(len(labels)), labels, fontsize=9)
    n = len(labels)
    for edge in np.arange(0.5, n - 1):
        ax.axhline(edge, color="white", lw=0.8)
        ax.axvline(edge, color="white", lw=0.8)
    if not summed:
        for edge in np.cumsum(counts)[:-1] - 0.5:
            ax.axhline(edge, color="black", lw=1.5)
            ax.axvline(edge, color="black", lw=1.5)
    ax.tick_params(length=0)
    a, b = names[0], names[1] if len(names) > 1 else names[0]
    ax.set_title(f"{STAGE_KINDS[kind].title.format(a=a, b=b)}\n{int(mask.sum())} of {n}² edges", fontsize=9)


@themed()
def plot_variant_masks(counts: Sequence[int] = (4, 3), names: Sequence[str] = ("A", "B"),
                       variants: Sequence[str] = FUSION_VARIANTS) -> Figure:
    """Every variant's stages as masks over one graph, side by side: rows are queries, columns keys
    of C(Z_A, Z_B) (early summation: of the summed sequence, drawn for N_A = N_B = counts[0]).

    The masks come from the registry (:func:`mmviz.fusion.stage_masks`), one panel per stage in the
    order the stages run; each stage runs ``depth`` such layers. A mask shows which edges exist, not
    which weights: separate streams also have separate weights.
    """
    if len(counts) != 2 or len(names) != 2:
        raise ValueError(f"counts and names must describe two modalities, got {counts!r} and {names!r}")
    per_row = 3
    rows = math.ceil(len(variants) / per_row)
    side, height, step = 1.55, 3.15, 4.45             # inches: a panel; a row of variants; a column
    fig = Figure(figsize=(13.4, height * rows + 0.45), dpi=80)
    W, H = fig.get_size_inches()
    for i, variant in enumerate(variants):
        row, col = divmod(i, per_row)
        summed = VARIANTS[variant].equal_counts
        drawn = (counts[0], counts[0]) if summed else tuple(counts)
        stages = stage_masks(variant, drawn)
        top = H - 0.45 - row * height
        for k, (kind, mask) in enumerate(stages):
            x = 0.55 + col * step + k * (side + 0.8)
            ax = fig.add_axes((x / W, (top - 0.75 - side) / H, side / W, side / H))
            draw_mask(ax, kind, mask, drawn, names)
            if k:
                fig.text((x - 0.62) / W, (top - 0.75 - side / 2) / H, "→", ha="center", va="center",
                         fontsize=14)
        note = f" (needs N_{names[0]} = N_{names[1]})" if summed else ""
        fig.text((0.1 + col * step) / W, (top - 0.05) / H, variant.replace("_", " ") + note, ha="left",
                 va="top", fontsize=10, weight="bold")
    fig.text(0.5, 1 - 0.08 / H, "which query (row) may read which key (column), stage by stage; coloured: "
             "allowed, in the colour of the key's modality; light grey: masked (summation: all allowed). "
             "Tokens numbered from 0.",
             ha="center", va="top", fontsize=10)
    return fig


@themed()
def plot_learning_curves(results: Mapping[str, Measured | Exception], title: str | None = None) -> Figure:
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


def carried(curve: Sequence[float]) -> list[float]:
    """A seed's curve, the checks after its run stopped (solved; NaN in the evidence) at its last value."""
    out, last = [], math.nan
    for value in curve:
        last = last if math.isnan(value) else value
        out.append(last)
    return out


DISTINCT = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#000000", "#F0E442")   # orange, sky, green, pink...


@themed()
def plot_evidence_curves(panels: Sequence[tuple[str, Mapping[str, dict], float]],
                         level: float = 0.9) -> Figure:
    """Test accuracy against training step from the committed evidence, one panel per task: per
    variant the mean over the seeds (line) and their min–max (band); a dotted line at the task's
    baseline. panels: [(title, {variant: evidence row}, baseline)]; a row that could not run is left
    out. A seed whose run stopped once solved counts at its last check from there on. The variants
    drawn get hues far apart (in the survey's order), the same in every panel."""
    cols, rows_of_panels = min(len(panels), 2), math.ceil(len(panels) / 2)     # two panels a row
    fig = Figure(figsize=(4.1 * cols + 2.6, 3.4 * rows_of_panels + 0.2), dpi=80)
    W, H = fig.get_size_inches()
    handles = {}
    drawn = [v for v in VARIANTS if any(v in rows and "curve" in rows[v] for _, rows, _ in panels)]
    colour = dict(zip(drawn, DISTINCT))        # hues far apart: no two oranges or blues side by side
    for i, (title, rows, baseline) in enumerate(panels):
        row, col = divmod(i, cols)
        ax = fig.add_axes(((0.6 + 4.1 * col) / W, (0.6 + 3.4 * (rows_of_panels - 1 - row)) / H, 3.3 / W,
                           2.4 / H))
        for variant, r in rows.items():
            if "curve" not in r:
                continue
            seeds = [carried(c) for c in r["curve"]]
            handles[variant] = draw_band(ax, r["curve_steps"], seeds, variant.replace("_", " "), alpha=0.15,
                                         ms=4, **{**variant_style(variant), "color": colour[variant]})
        ax.axhline(baseline, color="black", lw=1, ls=":")
        ax.text(ax.get_xlim()[1], baseline - 0.02, f"baseline {baseline:.0%}", ha="right", va="top",
                fontsize=9)
        ax.axhline(level, color="#999999", lw=0.8, ls="--")
        ax.set(ylim=(0, 1.03), xlabel="training step")
        ax.set_ylabel("test accuracy" if col == 0 else "")
        ax.tick_params(labelsize=9)
        ax.grid(True, alpha=0.3)
        ax.set_title(title, fontsize=10)
    right = (0.4 + 4.1 * cols) / W
    fig.legend(handles=[handles[v] for v in VARIANTS if v in handles], loc="center left",
               bbox_to_anchor=(right, 0.5), frameon=False, fontsize=9)
    return fig


def defining_record(output: FusionOutput) -> AttentionRecord:
    """The map that shows a variant's idea: the last joint layer if it has one, else its first map."""
    joint = [r for r in output.attention if r.kind == "joint"]
    return joint[-1] if joint else output.attention[0]


def draw_panel(fig: Figure, box: tuple[float, float, float, float], record: AttentionRecord, task: Task,
               sample: int, max_ticks: int) -> tuple[Axes, Axes]:
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
def plot_variant_maps(results: Mapping[str, Measured | Exception], task: Task, sample: int = 0,
                      max_ticks: int = 20, title: str | None = None) -> Figure:
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
                    ha="center", va="center", fontsize=9)
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
