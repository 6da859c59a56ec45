"""Notebook 10's numbers: measure each trained variant, print the comparison table.

The notebook trains the variants itself (that loop is the lesson); these helpers only measure what a
trained model costs and learned (:func:`measure`) and print the table (:func:`comparison_table`);
``mmviz.plot.compare`` draws the curves and the maps side by side.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from ..measure import attention_cost, best_alignment_auc, count_parameters, cross_modal_share
from ..train import check_task, evaluate

PANEL_SAMPLES = 8           # test samples kept on each row for the pictures


@dataclass
class Measured:
    """One trained variant on one task: what it reached and what it cost.

    accuracy: test accuracy; steps_to: first step (1-based) whose test accuracy reached ``level``, or
    None; parameters: all trainable scalars of the classifier; flops: fusion FLOPs per example (formula,
    embedders and head left out: they are the same for every variant); seconds: training time, no
    evaluation; alignment: :func:`mmviz.measure.best_alignment_auc`, 0.5 = no preference for the
    aligned partners, 1.0 = only them (NaN where no map the loss reads pairs two modalities);
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
    alignment = best_alignment_auc(model, task)
    share = cross_modal_share(model.run(task, 200))
    return Measured(model.variant, accuracy, steps_to_reach(history, level), level,
                    count_parameters(model, trainable_only=True), flops["total"], history.seconds, alignment,
                    share, history, model.run(task, PANEL_SAMPLES))


def short_reason(error):
    """The first clause of a variant's refusal, for a table cell."""
    return str(error).split(";")[0]


def comparison_table(results):
    """The side-by-side table as text: one line per variant; a variant that could not run says why.

    results: {variant: Measured or the ValueError it raised}.
    """
    header = (f"{'variant':<33}{'test acc':>9}{'steps→':>8}{'params':>8}{'FLOPs':>8}"
              f"{'train':>8}{'align':>7}{'cross':>7}")
    lines = [header, f"{'':<33}{'':>9}{'90 %':>8}{'':>8}{'(fusion)':>8}{'':>8}{'AUC':>7}{'share':>7}",
             "-" * len(header)]
    notes = []
    for variant, r in results.items():
        if not isinstance(r, Measured):
            lines.append(f"{variant:<33}{'cannot run (see note)':>30}")
            notes.append(f"  {variant}: {short_reason(r)}")
            continue
        steps = "—" if r.steps_to is None else str(r.steps_to)
        align = "—" if math.isnan(r.alignment) else f"{r.alignment:.2f}"
        share = "—" if math.isnan(r.cross_share) else f"{r.cross_share:.0%}"
        lines.append(f"{variant:<33}{r.accuracy:>8.1%} {steps:>8}{r.parameters:>8,}{r.flops / 1e6:>7.2f}M"
                     f"{r.seconds:>6.1f} s{align:>7}{share:>7}")
    return "\n".join(lines + (["note:"] + notes if notes else []))
