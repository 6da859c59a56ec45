"""Notebook 10's numbers: measure each trained variant, print the comparison tables.

The notebook trains the variants itself (that loop is the lesson); these helpers only measure what a
trained model costs and learned (:func:`measure`) and print the table (:func:`comparison_table`).
The multi-seed comparison is too slow to train live: ``benchmarks/bench_training.py`` runs
:func:`evidence_run` for every task, variant and seed into ``benchmarks/evidence/training.json``;
:func:`evidence_table` prints a task's rows from it (mean and range over the seeds).
``mmviz.plot.compare`` draws the masks, the curves and the maps side by side.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import torch

from ..data import task_budget
from ..fusion import FUSION_VARIANTS
from ..measure import attention_cost, best_alignment_auc, count_parameters, cross_modal_share
from ..train import FusionClassifier, check_task, evaluate, fit

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
SOLVED = 0.99       # an evidence run stops once a check reaches this test accuracy
DIM, DEPTH = 32, 2  # the evidence's model sizes (FusionClassifier's defaults): for its FLOPs


def evidence_run(task, variant, seed, readout=None, steps=None):
    """One run of the training evidence: ``fit`` with the task's budget (``steps`` None) or ``steps``
    (the task's learning rate and warm-up), stopped once solved (one step after the first check, every
    EVERY steps, at >= SOLVED test accuracy).

    Returns {"accuracy": test accuracy at the end, "steps": steps run, "seconds": training time,
    "to90": first check at >= 90 % (NaN if none), "auc": :func:`mmviz.measure.best_alignment_auc`,
    "curve": test accuracy at every check EVERY, 2·EVERY, …, steps (NaN after a solved run stopped),
    "curve_steps": those steps}, the dict ``over_seeds`` gathers.
    """
    check_task(task)
    model = FusionClassifier(variant, task, readout=readout, seed=seed)
    steps = task_budget(task.name)["steps"] if steps is None else steps
    h = fit(model, task, steps=steps, seed=seed, progress=False, eval_every=EVERY,
            callback=lambda step, hist: bool(hist.test_accuracy) and hist.test_accuracy[-1] >= SOLVED)
    to90 = next((s + 1 for s, a in zip(h.eval_step, h.test_accuracy) if a >= 0.9), math.nan)
    checks = list(range(EVERY, steps + 1, EVERY))
    at = {s + 1: a for s, a in zip(h.eval_step, h.test_accuracy)}
    return dict(accuracy=evaluate(model, task)["accuracy"], steps=len(h.step), seconds=h.seconds, to90=to90,
                auc=best_alignment_auc(model, task), curve=[at.get(s, math.nan) for s in checks],
                curve_steps=checks)


def load_evidence(path):
    """The evidence file written by ``benchmarks/bench_training.py``: {"seeds", "run", "rows"}."""
    if not isinstance(path, (str, Path)):
        raise ValueError(f"path must be the evidence file's path, got {type(path).__name__}")
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"no evidence file at {path}; write it with benchmarks/bench_training.py")
    return json.loads(path.read_text())


def evidence_rows(evidence, label):
    """{variant: row} of one task label (e.g. "streams, shuffled"), each with the task's readout, in
    the survey's order; a ValueError naming the labels there are if ``label`` has no row."""
    if not isinstance(evidence, dict) or not isinstance(evidence.get("rows"), list):
        raise ValueError(f"evidence must be the dict load_evidence returns, got {type(evidence).__name__}")
    rows = {r["variant"]: r for r in evidence["rows"] if r["task"] == label and r["asked"] is None}
    if not rows:
        labels = sorted({r["task"] for r in evidence["rows"]})
        raise ValueError(f"no evidence rows for task {label!r}; the evidence has {labels}")
    return {v: rows[v] for v in FUSION_VARIANTS if v in rows}


def spread(values, scale=1.0, spec=".1f"):
    """"mean (min–max)" of the seeds' values; "–" if none is a number; "k of n seeds" if some are NaN."""
    numbers = [v * scale for v in values if not math.isnan(v)]
    if not numbers:
        return "–"
    text = f"{sum(numbers) / len(numbers):{spec}} ({min(numbers):{spec}}–{max(numbers):{spec}})"
    return text if len(numbers) == len(values) else f"{text}, {len(numbers)} of {len(values)} seeds"


def majority_share(task):
    """The baseline a constant answer scores: the share of the commonest test label."""
    check_task(task)
    return torch.bincount(task.test.labels).max().item() / len(task.test.labels)


def evidence_table(evidence, label, task):
    """One task's evidence as text: per variant, mean (min–max) over the seeds of test accuracy, steps
    to 90 % and alignment AUC; parameters; fusion FLOPs per example (formula, dim 32, depth 2 per
    stage); ms per training step; then the majority-class baseline. ``task``: the task the rows
    were trained on (its token counts and test labels)."""
    check_task(task)
    rows = evidence_rows(evidence, label)
    counts = [m.num_tokens for m in task.modalities]
    seeds = len(evidence["seeds"])
    lines = [f"{'variant':<33}{'test acc. %':>19}{'steps to 90 %':>29}{'params':>8}{'FLOPs':>8}{'ms/':>5}"
             f"{'align. AUC':>18}",
             f"{'':<33}{f'mean (min–max) over {seeds} seeds':>48}{'':>8}{'(fusion)':>8}{'step':>5}"]
    lines.append("-" * len(lines[0]))
    for variant, r in rows.items():
        if "refusal" in r:
            lines.append(f"{variant:<33}   cannot run: {short_reason(r['refusal'].split('): ', 1)[-1])}")
            continue
        flops = attention_cost(variant, counts, DIM, DEPTH)["total"]
        ms = sum(r["seconds"]) / sum(r["steps"]) * 1e3
        lines.append(f"{variant:<33}{spread(r['accuracy'], 100):>19}{spread(r['to90'], spec='.0f'):>29}"
                     f"{r['params']:>8,}{flops / 1e6:>7.2f}M{ms:>5.0f}{spread(r['auc'], spec='.2f'):>18}")
    cap = next(r["cap"] for r in rows.values() if "cap" in r)
    lines.append(f"baseline (always the commonest answer): {majority_share(task):.1%}; budget {cap} steps, "
                 f"a run stops once a check (every {EVERY}) reaches {SOLVED:.0%}")
    return "\n".join(lines)
