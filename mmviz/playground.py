"""The fusion playground's helpers: measure each trained variant, print the comparison, draw it side by side.

The notebook trains the variants itself (that loop is the lesson); these helpers only measure what a
trained model costs and learned (:func:`measure`), print the table (:func:`comparison_table`), and draw
the learning curves and one attention map per variant in one figure each.
"""
from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .cost import attention_cost, count_parameters
from .fusion import FUSION_VARIANTS
from .plot import (
    ATTENTION_CMAP,
    FUSED,
    MODALITY_COLOURS,
    band,
    boundaries,
    modality_blocks,
    modality_colour,
    modality_name,
    select_weights,
    set_theme,
    thin,
)
from .train import alignment_score, check_task, evaluate

PANEL_SAMPLES = 8           # test samples kept on each row for the pictures


@dataclass
class Measured:
    """One trained variant on one task: what it reached and what it cost.

    accuracy: test accuracy; steps_to: first step (1-based) whose test accuracy reached ``level``, or
    None; parameters: all trainable scalars of the classifier; flops: fusion FLOPs per example (formula,
    embedders and head left out: they are the same for every variant); seconds: training time, no
    evaluation; alignment: :func:`mmviz.train.alignment_score` (NaN where no map pairs two modalities);
    cross_share: share of all attention (every map, heads and samples averaged) that crosses modalities,
    NaN for summed tokens; output: the FusionOutput of the first PANEL_SAMPLES test samples.
    """

    variant: str
    accuracy: float
    steps_to: int | None
    level: float
    parameters: int
    flops: int
    seconds: float
    alignment: float
    cross_share: float
    history: object
    output: object


def steps_to_reach(history, level=0.9):
    """The first evaluated step (1-based) whose test accuracy is >= level; None if it never is."""
    for step, accuracy in zip(history.eval_step, history.test_accuracy):
        if accuracy >= level:
            return step + 1
    return None


def cross_modal_share(output):
    """1 − (mean diagonal of the modality-block matrix) over all maps: how much attention crosses
    modalities. NaN when the tokens are summed (no token belongs to one modality)."""
    mods, mass = modality_blocks(output, sample=None)
    if FUSED in mods:
        return math.nan
    return 1.0 - float(np.trace(mass)) / len(mods)


@torch.no_grad()
def measure(model, task, history, level=0.9):
    """A :class:`Measured` row for ``model`` (a trained FusionClassifier) on ``task``."""
    check_task(task)
    if not 0 < level <= 1:
        raise ValueError(f"level must be an accuracy in (0, 1], got {level!r}")
    fusion = model.fusion
    counts = [m.num_tokens for m in task.modalities]
    flops = attention_cost(model.variant, counts, fusion.dim, fusion.depth, fusion.heads, fusion.mlp_dim)
    accuracy = evaluate(model, task)["accuracy"]
    alignment = alignment_score(model, task)
    model.eval()
    model([x[:200] for x in task.test.inputs])
    share = cross_modal_share(model.last)
    model([x[:PANEL_SAMPLES] for x in task.test.inputs])
    return Measured(model.variant, accuracy, steps_to_reach(history, level), level,
                    count_parameters(model, trainable_only=True), flops["total"], history.seconds, alignment,
                    share, history, model.last)


def short_reason(error):
    """The first clause of a variant's refusal, for a table cell."""
    return str(error).split(";")[0]


def comparison_table(results):
    """The side-by-side table as text: one line per variant; a variant that could not run says why.

    results: {variant: Measured or the ValueError it raised}.
    """
    header = (f"{'variant':<33}{'test acc':>9}{'steps→':>8}{'params':>8}{'FLOPs':>8}"
              f"{'train':>8}{'align':>7}{'cross':>7}")
    lines = [header, f"{'':<33}{'':>9}{'90 %':>8}{'':>8}{'(fusion)':>8}{'':>8}{'score':>7}{'share':>7}",
             "-" * len(header)]
    notes = []
    for variant, r in results.items():
        if not isinstance(r, Measured):
            lines.append(f"{variant:<33}{'cannot run (see note)':>30}")
            notes.append(f"  {variant}: {short_reason(r)}")
            continue
        steps = "—" if r.steps_to is None else str(r.steps_to)
        align = "—" if math.isnan(r.alignment) else f"{r.alignment:.1f}"
        share = "—" if math.isnan(r.cross_share) else f"{r.cross_share:.0%}"
        lines.append(f"{variant:<33}{r.accuracy:>8.1%} {steps:>8}{r.parameters:>8,}{r.flops / 1e6:>7.2f}M"
                     f"{r.seconds:>6.1f} s{align:>7}{share:>7}")
    return "\n".join(lines + (["note:"] + notes if notes else []))


def plot_learning_curves(results, title=None):
    """Test accuracy against training step, one line per variant that ran (same steps, same seed)."""
    set_theme()
    fig = Figure(figsize=(7.6, 3.4), dpi=80)
    ax = fig.add_axes((0.09, 0.15, 0.5, 0.72))
    styles = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1))]
    for variant, r in results.items():
        if isinstance(r, Measured):         # one colour and style per variant, the same on every task
            i = FUSION_VARIANTS.index(variant)
            steps = [s + 1 for s in r.history.eval_step]
            ax.plot(steps, r.history.test_accuracy, marker="osD^vP"[i], ms=4, ls=styles[i],
                    color=MODALITY_COLOURS[i], label=variant.replace("_", " "))
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


def token_labels(task, modality_of_tokens, sample=0):
    """Readable labels of a record's tokens for test sample ``sample`` ("Σ t=3" for a summed token)."""
    words, seen, out = task.token_labels(sample), {}, []
    for m in (int(x) for x in modality_of_tokens):
        k = seen.get(m, 0)
        seen[m] = k + 1
        out.append(f"Σ {words[0][k]}" if m == FUSED else words[m][k])
    return out


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
    left.imshow(band(qm)[:, None], aspect="auto", interpolation="nearest")
    top.imshow(band(km)[None], aspect="auto", interpolation="nearest")
    for y in boundaries(qm):
        ax.axhline(y, color="white", lw=1)
    for x in boundaries(km):
        ax.axvline(x, color="white", lw=1)
    qlabels, klabels = token_labels(task, qm, sample), token_labels(task, km, sample)
    ticks = thin(len(km), max_ticks)
    ax.set_xticks(ticks, [klabels[i] for i in ticks], rotation=90, fontsize=6)
    ax.set_yticks([])
    ticks = thin(len(qm), max_ticks)
    left.set_yticks(ticks, [qlabels[i] for i in ticks], fontsize=6)
    left.set_xticks([])
    top.set_xticks([])
    top.set_yticks([])
    return ax, top


def plot_variant_maps(results, task, sample=0, max_ticks=20, title=None):
    """One attention map per variant, side by side (2 rows × 3): the last joint layer where there is
    one, else the first map (cross-attention: modality 1's queries on the others' keys). Heads averaged,
    test sample ``sample``; bands and labels mark each token's modality; a variant that could not run
    on ``task`` gets a panel saying why."""
    check_task(task)
    if isinstance(sample, bool) or not isinstance(sample, int) or not 0 <= sample < PANEL_SAMPLES:
        raise ValueError(f"sample must be an int in [0, {PANEL_SAMPLES}), got {sample!r}")
    set_theme()
    fig = Figure(figsize=(12.5, 8.8), dpi=80)
    names = [m.name for m in task.modalities]
    for i, (variant, r) in enumerate(results.items()):
        row, col = divmod(i, 3)
        box = (0.1 + col * 0.31, 0.57 - row * 0.45, 0.21, 0.26)
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
    handles = [Patch(color=modality_colour(m), label=modality_name(m, names)) for m in present]
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.96), ncol=len(handles),
               frameon=False, fontsize=9)
    fig.text(0.5, 0.985, title or f"task '{task.name}', test sample {sample}: queries (rows) attend to "
             "keys (columns), heads averaged; each map coloured from 0 to its own largest weight",
             ha="center", va="top", fontsize=10)
    return fig
