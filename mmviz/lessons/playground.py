"""Notebook 10's numbers: measure each trained variant, print the comparison tables.

The notebook trains the variants itself (that loop is the lesson); these helpers only measure what a
trained model costs and learned (:func:`measure`) and print the table (:func:`comparison_table`).
The multi-seed comparison is too slow to train live: ``mmviz/evidence/nb10.py`` runs
:func:`evidence_run` for each variant, task and seed it claims about (``python -m mmviz.evidence 10``);
:func:`evidence_table` prints an experiment's committed runs (mean and range over the seeds).
``mmviz.plot.compare`` draws the masks, the curves and the maps side by side.
"""
from __future__ import annotations

import math

import torch

from ..measure import (  # noqa: F401  (Measured, PANEL_SAMPLES, short_reason: kept importable from here)
    PANEL_SAMPLES,
    Measured,
    attention_cost,
    best_alignment_auc,
    count_parameters,
    cross_modal_share,
    short_reason,
)
from ..train import FusionClassifier, check_task, evaluate, fit


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


def comparison_table(results):
    """The side-by-side table as text: one line per variant; a variant that could not run says why.

    results: {variant: Measured or the ValueError it raised}.
    """
    header = (f"{'variant':<33}{'test acc':>9}{'steps→':>8}{'params':>8}{'FLOPs':>8}"
              f"{'train':>8}{'align':>7}{'cross':>7}")
    lines = [header, f"{'':<33}{'(1 seed)':>9}{'90 %':>8}{'':>8}{'(fusion)':>8}{'':>8}{'AUC':>7}{'share':>7}",
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


# ---------------------------------------------------------------- the committed evidence, over seeds

EVERY = 50          # steps between the test checks of an evidence run


def evidence_run(task, variant, seed, steps, stop, depth=1):
    """One run of notebook 10's evidence (``mmviz/evidence/nb10.py``): ``FusionClassifier(variant, task,
    dim=32, depth=depth, heads=4, seed=seed)`` trained by ``fit`` with the task's learning rate and
    warm-up, a cosine schedule over ``steps`` and mini-batches drawn with ``seed``; its test accuracy is
    checked every EVERY steps, and the run stops once a check reaches ``stop`` (the level the claims
    ask for: more steps would only cost time). Up to there it is the same run as a plain ``fit``.

    Returns {"accuracy": test accuracy at the last check, "curve": test accuracy at every check EVERY,
    2·EVERY, …, steps (NaN after the run stopped), "curve_steps": those steps}.
    """
    check_task(task)
    if not 0 < stop <= 1:
        raise ValueError(f"stop must be an accuracy in (0, 1], got {stop!r}")
    model = FusionClassifier(variant, task, dim=32, depth=depth, heads=4, seed=seed)
    h = fit(model, task, steps=steps, seed=seed, progress=False, eval_every=EVERY,
            callback=lambda step, hist: bool(hist.test_accuracy) and hist.test_accuracy[-1] >= stop)
    checks = list(range(EVERY, steps + 1, EVERY))
    at = {s + 1: a for s, a in zip(h.eval_step, h.test_accuracy)}      # the stop adds one off-grid check
    curve = [at.get(s, math.nan) for s in checks]
    return {"accuracy": [a for a in curve if not math.isnan(a)][-1], "curve": curve, "curve_steps": checks}


def first_check_at(curve, steps, level):
    """The first check (a step) whose accuracy is >= level; None if none is."""
    return next((s for s, a in zip(steps, curve) if a >= level), None)


def majority_share(task):
    """The baseline a constant answer scores: the share of the commonest test label."""
    check_task(task)
    return torch.bincount(task.test.labels).max().item() / len(task.test.labels)


def evidence_table(seeds, runs, level, baseline):
    """Committed evidence as text, one line per run: the final test accuracy as mean (min–max) over
    the seeds, on how many seeds it reached ``level``, and the first check at ``level`` (min–max over
    those seeds); then the baseline (a share, or {task label: share}). seeds: a Seeds; runs:
    {label: name}, the run's final accuracy being value ``name`` and its curve ``name + "_curve"``."""
    n = len(seeds.seeds)
    lines = [f"{'':<36}{'test accuracy %':>22}{f'seeds at >= {level:.0%}':>18}"
             f"{f'first check at {level:.0%}':>22}",
             f"{'':<36}{f'mean (min–max), {n} seeds':>22}", "-" * 98]
    for label, name in runs.items():
        values = [100 * v for v in seeds.check(name)]
        curve = f"{name}_curve"
        reached = [first_check_at(c, seeds.steps[curve], level) for c in seeds.curves[curve]]
        steps = [s for s in reached if s is not None]
        when = f"{min(steps)}–{max(steps)}" if steps else "–"
        lines.append(f"{label:<36}{f'{sum(values) / n:.1f} ({min(values):.1f}–{max(values):.1f})':>22}"
                     f"{f'{len(steps)} of {n}':>18}{when:>22}")
    if isinstance(baseline, dict):
        baseline = ", ".join(f"{b:.1%} ({label})" for label, b in baseline.items())
    else:
        baseline = f"{baseline:.1%}"
    lines.append(f"baseline (always the commonest answer): {baseline}")
    return "\n".join(lines)


def curve_rows(seeds, runs):
    """{variant: {"curve": one list per seed, "curve_steps": checks}} of the runs {variant: name in
    ``seeds``}, the rows :func:`mmviz.plot.compare.plot_evidence_curves` draws."""
    return {variant: {"curve": seeds.curves[f"{name}_curve"], "curve_steps": seeds.steps[f"{name}_curve"]}
            for variant, name in runs.items()}
