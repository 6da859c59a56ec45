"""Train every fusion variant on every task with default sizes; write benchmarks/TRAINING.md.

Usage: ``.venv/bin/python benchmarks/bench_training.py [--quick]``; to rerun only some tasks and keep
the other rows of an earlier run's printed log: ``... bench_training.py streams --reuse bench.log``.
Each run trains until its step cap or its time budget (training seconds, evaluation excluded),
then reports test accuracy, the training seconds to first reach 90 % test accuracy (checked every
50 steps), the parameter count and the alignment score. The machine's load is recorded: timings on
a busy machine are slower.
"""
from __future__ import annotations

import datetime
import math
import os
import platform
import sys
import time
from pathlib import Path

import torch

import mmviz
from mmviz import FUSION_VARIANTS, FusionClassifier, alignment_score, evaluate, fit, make_task

OUT = Path(__file__).with_name("TRAINING.md")
# (label, make_task kwargs, step cap)
RUNS = [
    ("match", dict(name="match"), 1200),
    ("locate", dict(name="locate"), 500),
    ("streams, aligned", dict(name="streams", aligned=True), 1000),
    ("streams, shuffled", dict(name="streams", aligned=False), 1000),
    ("tally, M=4", dict(name="tally", num_modalities=4), 600),
]
RUNS_STEPS = [(label, steps) for label, _, steps in RUNS]
EVERY = 50         # steps between test evaluations
BUDGET = 45.0      # training seconds: a cap for a busy machine; the issue's target is <= 15 s
# readout lesson: the same model with one mean-pooled vector instead of per-token scores
EXTRA = [("locate", "early_concatenation", "pooled"), ("match", "early_concatenation", "pooled")]


def why(task_label, variant, acc, refusal, steps=None):
    """The survey's reason when a variant cannot or does not solve a task; '' when it does."""
    if refusal:
        return "not applicable: summation adds token i of each modality, so it needs N_A = N_B"
    if variant == "early_summation" and "shuffled" in task_label and acc < 0.9:
        return "predicted: summing misaligned streams mixes unrelated moments (positions differ in meaning)"
    if acc < 0.9 and steps is not None and steps < dict(RUNS_STEPS)[task_label]:
        return f"below 90 % when the {BUDGET:.0f} s budget ran out (at this machine's ms/step)"
    if acc < 0.9:
        return "below 90 % at the step cap"
    return ""


def one_run(label, task, variant, steps, budget, readout=None):
    try:
        model = FusionClassifier(variant, task, readout=readout)
    except ValueError as error:
        return dict(task=label, variant=variant, readout=readout or task.readout, refusal=str(error))
    # stop at the budget, or once solved (>= 99 % at the last check) to keep the whole run short
    h = fit(model, task, steps=steps, progress=False, eval_every=EVERY,
            callback=lambda step, hist: hist.seconds > budget or (hist.test_accuracy or [0])[-1] >= 0.99)
    acc = evaluate(model, task)["accuracy"]
    to90 = next((s for s, a in zip(h.eval_seconds, h.test_accuracy) if a >= 0.9), math.nan)
    return dict(task=label, variant=variant, readout=readout or task.readout, accuracy=acc,
                seconds=h.seconds, steps=len(h.step), to90=to90,
                params=sum(p.numel() for p in model.parameters()), align=alignment_score(model, task))


def fmt(x, spec):
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def table(rows):
    lines = ["| task | variant | readout | test acc. | train s | steps | s to 90 % | ms/step | params "
             "| align. | note |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        refusal = r.get("refusal")
        acc = r.get("accuracy", math.nan)
        note = why(r["task"], r["variant"], acc, refusal, r.get("steps"))
        if r["readout"] == "pooled" and r["task"] in ("match", "locate") and not refusal:
            note = "readout lesson: one mean-pooled vector loses which token answered"
        lines.append(f"| {r['task']} | {r['variant']} | {r['readout']} | {fmt(acc * 100, '.1f')} | "
                     f"{fmt(r.get('seconds'), '.1f')} | {r.get('steps', '–')} | "
                     f"{fmt(r.get('to90'), '.1f')} | "
                     f"{fmt(r.get('seconds', math.nan) / r.get('steps', 1) * 1e3, '.0f')} | "
                     f"{r.get('params', '–')} | {fmt(r.get('align'), '.2f')} | {note} |")
    return "\n".join(lines)


def main(quick=False, only=(), reuse=None):
    """Run every (task, variant); with ``only``, rerun just the tasks whose label starts with one of
    them and take the other rows from ``reuse``, the printed log of an earlier run."""
    start, load0 = time.perf_counter(), os.getloadavg()
    old = {}
    if reuse:
        for line in Path(reuse).read_text().splitlines():
            if line.startswith("{"):
                r = eval(line, {"nan": math.nan})          # our own printed dicts
                old[r["task"], r["variant"], r["readout"]] = r
    plan = [(label, kwargs, steps, variant, None) for label, kwargs, steps in RUNS
            for variant in (FUSION_VARIANTS[:2] if quick else FUSION_VARIANTS)]
    plan += [] if quick else [(label, dict(name=label), dict(RUNS_STEPS)[label], variant, readout)
                              for label, variant, readout in EXTRA]
    rows, tasks, reused = [], {}, set()
    for label, kwargs, steps, variant, readout in plan:
        if only and not any(label.startswith(o) for o in only):
            same = [r for k, r in old.items() if k[:2] == (label, variant)]   # regular rows come first
            match = same[:1] if readout is None else [r for r in same if r["readout"] == readout][-1:]
            rows += match[:1]
            reused.add(label)
            continue
        if label not in tasks:
            kw = dict(kwargs)
            tasks[label] = make_task(kw.pop("name"), **kw)
        rows.append(one_run(label, tasks[label], variant, steps, BUDGET, readout))
        print(rows[-1], flush=True)
    total, load1 = time.perf_counter() - start, os.getloadavg()
    REUSED = (f" Rows for {', '.join(sorted(reused))} are reused from an earlier run of this script."
              if reused else "")
    OUT.write_text(f"""# Training benchmark: every fusion variant on every generated task

Written by `benchmarks/bench_training.py` on {datetime.date.today()} ({platform.machine()},
{os.cpu_count()} CPU cores, torch {torch.__version__}, mmviz {mmviz.__version__}, {torch.get_num_threads()}
torch thread). Load average {load0[0]:.1f} at the start and {load1[0]:.1f} at the end (other jobs were
sharing the cores when it is above ~1: seconds are then slower than on an idle laptop). Whole run:
{total / 60:.1f} min.{REUSED}

Default sizes: dim 32, depth 2 (per stage), 4 heads, pre-norm; AdamW lr 3e-3, 30 warm-up steps, batch
64, 2,000 training and 500 test samples, seed 0. Each run stops at its step cap
({'; '.join(f'{label}: {steps}' for label, steps in RUNS_STEPS)}),
at {BUDGET:.0f} s of training, or once solved (>= 99 % test accuracy at a check). "s to 90 %" is the
training time at the first check (every {EVERY} steps) with test accuracy >= 90 %; the issue's target
is <= 15 s for early concatenation and cross-attention on match and locate. "ms/step" lets you
scale the seconds to a quieter machine. "align." is
`alignment_score`: attention on the ground-truth aligned tokens ÷ uniform, in the best-aligned map
(heads averaged); "–" where tokens are summed and no map pairs two modalities.

{table(rows)}

How to read it (numbers quoted from the run recorded here; accuracies of runs that end at their step
cap or when solved are the same on every rerun: training is seeded and single-threaded):
- **Refusals.** Early summation is refused wherever token counts differ (16 patches vs 2-3 words):
  the survey's condition N_A = N_B. It runs only on the streams task (8 sound + 8 sensor steps).
- **Readouts.** locate's answer is a token: read out as one score per image token (a pointer), every
  applicable variant reaches 100 % in 50-200 steps; through one mean-pooled vector the same
  early-concatenation model stays near 31 % (chance 6 %). match is yes/no: "any" takes the hard
  maximum of the image tokens' scores (a soft maximum starts as a mean and stalled at chance);
  mean-pooled it reaches about 68 % at the same step cap.
- **match** is the hard one: both caption words always occur in the picture, so only their binding
  decides. Cross-attention solves it in about 200 steps (under 2 s to 90 %); early concatenation
  ends just short of 90 % at the 1,200-step cap (about 14 s): the issue's target (>= 90 % in <= 15 s)
  is met by cross-attention, and missed narrowly by early concatenation. The hierarchical variants
  (two stacks of `depth` layers, 2-3x the cost per step) stay far from it.
- **locate** meets the target for every applicable variant (all 100 % in about 1-5 s).
- **Alignment.** Early concatenation's best map on locate gives the aligned tokens about 6x their
  uniform share (target >= 3: met). Cross-attention scores about 1.3 there, by construction: its
  image→caption maps have only 2 keys (uniform is already 1/2, and the target patch is aligned with
  both words, so the score cannot exceed 2), and its caption→image maps feed a caption stream the
  pointer readout never reads. Target not met for cross-attention, for that reason.
- **streams.** In sync, early summation learns fastest (about 100 steps, under 1 s) and is within a
  point of concatenation (target met). Shuffled, summation needs ten times the steps and ends near
  88 %: each summed token mixes two unrelated moments. But early concatenation also drops when
  shuffled (85 % at the cap: its sensor positions no longer mean time and it must pair steps by
  their time stamps), while the cross-attention family and one→multi re-pair them (98-100 %). So
  summation is clearly worse than those, NOT clearly worse than early concatenation within 1,000
  steps: that part of the target is only half met. Both streams carry a time code, which lets
  attention re-pair steps even after summing, given enough steps.
- **tally** (all four modalities, label 0-4): every applicable variant reaches 100 %.
""")
    print(f"wrote {OUT} in {total:.0f} s")


if __name__ == "__main__":
    args = sys.argv[1:]
    reuse = args[args.index("--reuse") + 1] if "--reuse" in args else None
    only = [a for a in args if not a.startswith("--") and a != reuse]
    main(quick="--quick" in args, only=only, reuse=reuse)
