"""Train every fusion variant on every generated task, 3 seeds each; write benchmarks/TRAINING.md.

A benchmark of speed (ms per step) and of the tasks' budgets on seeds 0-2, NOT evidence for the
notebooks' claims: those are registered with 8+ seeds in ``mmviz/evidence/`` (notebook 10's in
``mmviz/evidence/nb10.py``) and rerun with ``python -m mmviz.evidence``.

Usage: ``nice .venv/bin/python benchmarks/bench_training.py [--quick] [--processes 2] [TASK ...]``;
``--missing`` runs only the rows the evidence file lacks; ``--write`` only rewrites TRAINING.md.
With TASK labels (e.g. ``match streams``) only those rows are rerun; the others are kept from the
last run's evidence file, ``benchmarks/evidence/training.json``. Each run is ``fit(model, task)``
with the task's budget (``mmviz.data.task_budget``: steps, lr, warm-up), stopped early once solved
(>= 99 % test accuracy at a check, every 50 steps); up to there it is the same run as a plain ``fit``
with its defaults. Per row: test accuracy, steps to 90 %, the alignment AUC of the best-aligned map
the loss reads (0.5 = no preference), as mean and range over the seeds. Accuracies and steps are
deterministic (seeded, one torch thread); seconds depend on the machine's load, which is recorded.
"""
from __future__ import annotations

import datetime
import json
import math
import os
import platform
import sys
import time
from pathlib import Path

import torch

import mmviz
from mmviz import FUSION_VARIANTS, FusionClassifier, make_task, over_seeds
from mmviz.data import intended, task_budget
from mmviz.measure import best_alignment_auc
from mmviz.train import check_task, evaluate, fit

OUT = Path(__file__).with_name("TRAINING.md")
EVIDENCE = Path(__file__).with_name("evidence") / "training.json"
RUNS = [("match", dict(name="match")), ("streams, aligned", dict(name="streams", aligned=True)),
        ("locate", dict(name="locate")), ("tally, M=4", dict(name="tally", num_modalities=4)),
        ("streams, shuffled", dict(name="streams", aligned=False)), ("repeat", dict(name="repeat")),
        ("repeat, 1000 steps", dict(name="repeat"))]
LONGER = {"repeat, 1000 steps": 1000}    # rows trained past the task's budget: slower, or unable?
SEEDS = (0, 1, 2)
# readout lesson: the same model with one mean-pooled vector instead of per-token scores
EXTRA = [("locate", "early_concatenation", "pooled"), ("match", "early_concatenation", "pooled")]


EVERY = 50          # steps between the test checks of a run
SOLVED = 0.99       # a run stops once a check reaches this test accuracy


def bench_run(task, variant, seed, readout=None, steps=None):
    """One run: ``fit`` with the task's budget (``steps`` None) or ``steps`` (the task's learning rate
    and warm-up), stopped once solved (one step after the first check, every EVERY steps, at >= SOLVED
    test accuracy).

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


def spread(values, scale=1.0, spec=".1f"):
    """"mean (min–max)" of the seeds' values; "–" if none is a number; "k of n seeds" if some are NaN."""
    numbers = [v * scale for v in values if not math.isnan(v)]
    if not numbers:
        return "–"
    text = f"{sum(numbers) / len(numbers):{spec}} ({min(numbers):{spec}}–{max(numbers):{spec}})"
    return text if len(numbers) == len(values) else f"{text}, {len(numbers)} of {len(values)} seeds"


def seed_run(task, variant, readout, steps=None):
    """run(seed) for over_seeds: one fit with the task's budget (or ``steps``), stopped once solved."""
    return lambda seed: bench_run(task, variant, seed, readout, steps)


def one_row(label, task, variant, readout, processes):
    steps = LONGER.get(label)
    row = dict(task=label, variant=variant, readout=readout or task.readout, asked=readout)
    try:
        model = FusionClassifier(variant, task, readout=readout)
    except ValueError as error:
        return {**row, "refusal": str(error)}
    runs = over_seeds(seed_run(task, variant, readout, steps), SEEDS, progress=False, processes=processes)
    return {**row, "params": sum(p.numel() for p in model.parameters()),
            "cap": steps or task_budget(task.name)["steps"], **runs.values, "curve": runs.curves["curve"],
            "curve_steps": runs.steps["curve"]}


def note(row):
    """What a row shows: refused, below 90 % on some seed, or meant for and reaching the target."""
    if "refusal" in row:
        if "equal token counts" in row["refusal"]:
            return "not applicable: summation adds token i of each modality, so it needs N_A = N_B"
        return "not applicable: the pointer readout scores the sound's tokens, summation mixes them"
    if row["readout"] == "pooled" and row["task"] in ("match", "locate"):
        return "readout lesson: one mean-pooled vector loses which token answered"
    variants, target = intended(row["task"].split(",")[0])
    worst = min(row["accuracy"])
    if "shuffled" not in row["task"] and row["variant"] in variants:
        seeds = len(row["accuracy"])
        return (f"meant for it: reached {target:.0%} on all {seeds} seeds here" if worst >= target
                else f"meant for it, but MISSED {target:.0%} on some seed here")
    return "below 90 % on some seed here at the step cap" if worst < 0.9 else ""


def table(rows):
    lines = ["| task | variant | readout | test acc. % | steps to 90 % | steps run | ms/step | params "
             "| align. AUC | note |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if r.get("missing"):
            lines.append(f"| {r['task']} | {r['variant']} | {r['readout']} |{' – |' * 6} not run yet: the "
                         "run was stopped for time; `bench_training.py --missing` completes it |")
            continue
        if "refusal" in r:
            lines.append(f"| {r['task']} | {r['variant']} | {r['readout']} |{' – |' * 6} {note(r)} |")
            continue
        ms = sum(r["seconds"]) / sum(r["steps"]) * 1e3
        lines.append(f"| {r['task']} | {r['variant']} | {r['readout']} | {spread(r['accuracy'], 100)} | "
                     f"{spread(r['to90'], spec='.0f')} | {spread(r['steps'], spec='.0f')} of {r['cap']} | "
                     f"{ms:.0f} | {r['params']} | {spread(r['auc'], spec='.2f')} | {note(r)} |")
    return "\n".join(lines)


def plan(quick):
    """Every (task label, task kwargs, variant, readout) to run: the variants each task is meant for
    first (the evidence for its budget), then the others, then the readout lesson."""
    variants = FUSION_VARIANTS[:2] if quick else FUSION_VARIANTS
    runs = [(label, kwargs, v, None) for label, kwargs in RUNS for v in variants]
    runs.sort(key=lambda r: r[2] not in intended(r[1]["name"])[0] or "shuffled" in r[0])
    return runs + ([] if quick else [(label, dict(name=label), v, readout) for label, v, readout in EXTRA])


def in_table_order(rows):
    order = {label: i for i, (label, _) in enumerate(RUNS)}
    return sorted(rows, key=lambda r: (r["asked"] is not None, order[r["task"]],
                                       FUSION_VARIANTS.index(r["variant"])))


def main(quick=False, only=(), processes=2, missing=False):
    """Run every (task, variant) over SEEDS; with ``only``, rerun just the rows whose task label starts
    with one of them, with ``missing`` just the rows the evidence file lacks; keep the others."""
    start, load0 = time.perf_counter(), os.getloadavg()
    old = {}
    if (only or missing) and EVIDENCE.exists():
        old = {(r["task"], r["variant"], r["asked"]): r for r in json.loads(EVIDENCE.read_text())["rows"]}
    rows, tasks = [], {}
    for label, kwargs, variant, readout in plan(quick):
        key = (label, variant, readout)
        if (only and not any(label.startswith(o) for o in only)) or (missing and key in old):
            rows += [old[key]] if key in old else []
            continue
        if label not in tasks:
            kw = dict(kwargs)
            tasks[label] = make_task(kw.pop("name"), **kw)
        rows.append(one_row(label, tasks[label], variant, readout, processes))
        print(json.dumps(rows[-1]), flush=True)
        write(rows, only, start, load0)        # after every row: a long run stopped early keeps its rows
    write(rows, only, start, load0)            # and at the end: the kept rows after the last rerun one
    print(f"wrote {OUT} and {EVIDENCE} in {time.perf_counter() - start:.0f} s")


def write(rows, only, start, load0):
    """The evidence file (rows and how the run went), then TRAINING.md from it."""
    run = dict(date=str(datetime.date.today()), load_start=load0[0], load_end=os.getloadavg()[0],
               minutes=(time.perf_counter() - start) / 60, rerun=list(only), machine=platform.machine(),
               cores=os.cpu_count(), torch=torch.__version__, mmviz=mmviz.__version__)
    EVIDENCE.parent.mkdir(exist_ok=True)
    EVIDENCE.write_text(json.dumps({"seeds": list(SEEDS), "run": run, "rows": rows}, indent=1) + "\n")
    markdown(json.loads(EVIDENCE.read_text()))


def placeholder(label, kwargs, variant, readout):
    """The row of a run the evidence lacks: its refusal if the variant cannot be built (that costs
    nothing), else marked missing."""
    kw = dict(kwargs)
    task = make_task(kw.pop("name"), n_train=1, n_test=1, **kw)
    row = dict(task=label, variant=variant, readout=readout or task.readout, asked=readout)
    try:
        FusionClassifier(variant, task, readout=readout)
    except ValueError as error:
        return {**row, "refusal": str(error)}
    return {**row, "missing": True}


def markdown(evidence):
    """Write TRAINING.md from an evidence dict: the run's facts, the table, the prose."""
    run = evidence["run"]
    budgets = "; ".join(f"{name}: {b['steps']} steps" + (f", lr {b['lr']:g}" if b["lr"] != 3e-3 else "")
                        for name in ("match", "locate", "streams", "tally", "repeat")
                        for b in [task_budget(name)])
    rerun = (f" Rerun here: {', '.join(run['rerun'])}; the other rows are from the evidence file."
             if run["rerun"] else "")
    done = {(r["task"], r["variant"], r["asked"]) for r in evidence["rows"]}
    missing = [placeholder(*entry) for entry in plan(quick=False) if (entry[0], *entry[2:]) not in done]
    rows = table(in_table_order(evidence["rows"] + missing))
    OUT.write_text(HEADER.format(**run, rerun_note=rerun, seeds=len(evidence["seeds"]), budgets=budgets,
                                 every=EVERY, solved=SOLVED * 100, table=rows) + PROSE)


HEADER = """# Training benchmark: every fusion variant on every generated task, {seeds} seeds

**A benchmark of speed and budgets, not evidence.** It records how each variant trains on each task at
the task's budget (`fit(model, task)` with its defaults) and what a step costs, on {seeds} seeds. A row
that held on these {seeds} seeds need not hold on others: for example, hierarchical multi→one solved
`repeat, 1000 steps` on seeds 0-2 here and not on seed 4 (21.8 %, reviewers' rerun). The notebooks'
claims are registered, with 8+ seeds and judges that must hold on any seeds, in `mmviz/evidence/`
(notebook 10's comparison of the variants in `mmviz/evidence/nb10.py`, one layer per stage); rerun
them with `python -m mmviz.evidence 10 --seeds 100-107 --check`. The match rows were written before
`make_task("match")` stopped depending on `PYTHONHASHSEED`: a rerun draws other captions, so they
reproduce only in distribution.

Written by `nice .venv/bin/python benchmarks/bench_training.py` on {date} ({machine}, {cores} CPU cores,
torch {torch}, mmviz {mmviz}, one torch thread per run, seeds in 2 forked processes). Load average
{load_start:.1f} at the start and {load_end:.1f} at the end (other jobs shared the cores: ms/step are
slower than on an idle laptop). Whole run: {minutes:.1f} min.{rerun_note} The numbers are also in
`benchmarks/evidence/training.json`.

Default sizes: dim 32, depth 2 (per stage), 4 heads, pre-norm; AdamW, batch 64, 2,000 training and
500 test samples (data seed 0). Every run is `fit(model, task)` with the task's budget
(`mmviz.data.task_budget`; {budgets}; lr 3e-3 and 30 warm-up steps unless said), for seeds 0, 1, 2
(model initialisation and mini-batches), stopped early once solved: one step after the first check
(every {every} steps) at >= {solved:.0f} % test accuracy, and "test acc." is measured after that step, so
it can be lower than the check's (one step at the budget's learning rate can cost a few points).
Each cell is the mean over the seeds and (min–max). "steps to 90 %":
the first check with test accuracy >= 90 %. "align. AUC": `alignment_auc` of the best-aligned map
(heads averaged, each sample with its ground-truth pairs) among the maps whose queries the loss
reads (`unread_queries`): the probability that an aligned query gives a key more weight than a
non-aligned one; 0.5 = no preference, 1.0 = only the aligned partners; "–" where no map pairs two
modalities (summed tokens). "meant for it": the variants `mmviz.data.intended` names for the task,
and whether each reached the task's intended accuracy on all of the seeds here.

{table}

"""
PROSE = """How to read it (what happened on seeds 0, 1 and 2 of the run recorded here; the notebooks' claims
are in `mmviz/evidence/`, over 8+ seeds):
- **Refusals.** Early summation is refused wherever token counts differ (16 patches vs 2-3 words):
  the survey's condition N_A = N_B. It runs only on the streams task (8 sound + 8 sensor steps).
  This is exact, not a matter of seeds.
- **Budgets.** `fit(model, task)` without `steps` trains for the task's budget. On seeds 0-2 every
  variant a task is meant for reached the task's intended accuracy (column "note") except on repeat,
  where early concatenation ended at 49.8-100 % (seed 1 below 80 %), also with 1,000 steps.
- **match**: on seeds 0-2, cross-attention, early concatenation and cross-attention → concatenation
  ended at 90 % or more; both hierarchies ended below 80 %, some of their curves still rising at 800
  steps (slower within this budget, not shown unable).
- **locate**: every applicable variant ended at 99.8-100 % on seeds 0-2 within its 300 steps.
- **streams, aligned**: early summation, early concatenation, cross-attention and cross → concatenation
  ended at 97 % or more on seeds 0-2; multi→one at 59.4-63.2 %.
- **streams, shuffled**: early summation ended at 50.8-89.2 % on seeds 0-2 while cross-attention ended
  at 99.4-99.8 % with the same budget.
- **repeat**: within the task's 300 steps, no variant reached 90 % on all of seeds 0-2. With 1,000
  steps multi→one solved it on seeds 0-2 (and not on seed 4 of a reviewers' rerun: 21.8 %); early
  concatenation and one→multi on 2 of the 3 seeds; cross-attention (two layers) ended at 24.6-65.2 %,
  cross-attention → concatenation at 14.2-40.4 %.
- **tally** (all four modalities, label 0-4): every applicable variant ended at 95.8-100 % on seeds
  0-2 within 500 steps.
- **Readouts.** Read out through one mean-pooled vector instead of per-token scores, the same
  early-concatenation model ended at 5.8-28.6 % on locate (chance 6 %) and 56.6-66.0 % on match
  (chance about 50 %) on seeds 0-2, against 100 % and 90.8-99.8 % with the pointer and "any" readouts.
- **Alignment (AUC, 0.5 = no preference).** On streams and tally the read maps of the variants meant
  for the task paired aligned tokens almost perfectly on seeds 0-2 (AUC 0.91-1.00); on locate the
  preference was weaker and varied with the seed (cross-attention 0.52-0.55 although it solved the
  task in 50 steps: a model can answer right without attention that pairs what the ground truth
  pairs).
- **ms/step** depends on the machine and its load (recorded above): compare rows within this table.
"""


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--write" in args:          # only rewrite TRAINING.md from the evidence file (e.g. new prose)
        sys.exit(markdown(json.loads(EVIDENCE.read_text())))
    processes = int(args[args.index("--processes") + 1]) if "--processes" in args else 2
    only = [a for a in args if not a.startswith("--") and a != str(processes)]
    main(quick="--quick" in args, only=only, processes=processes, missing="--missing" in args)
