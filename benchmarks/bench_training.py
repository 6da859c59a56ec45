"""Train every fusion variant on every generated task, 3 seeds each; write benchmarks/TRAINING.md.

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
import os
import platform
import sys
import time
from pathlib import Path

import torch

import mmviz
from mmviz import FUSION_VARIANTS, FusionClassifier, make_task, over_seeds
from mmviz.data import intended, task_budget
from mmviz.lessons.playground import EVERY, SOLVED, evidence_run, spread

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


def seed_run(task, variant, readout, steps=None):
    """run(seed) for over_seeds: one fit with the task's budget (or ``steps``), stopped once solved (the
    notebook's live rerun calls the same ``evidence_run``)."""
    return lambda seed: evidence_run(task, variant, seed, readout, steps)


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
        return (f"meant for it: reaches {target:.0%} on every seed" if worst >= target
                else f"meant for it, but MISSES {target:.0%} on some seed")
    return "below 90 % on some seed at the step cap" if worst < 0.9 else ""


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
and whether each reaches the task's intended accuracy on every seed.

{table}

"""
PROSE = """How to read it (only what holds on every seed of the run recorded here is stated):
- **Refusals.** Early summation is refused wherever token counts differ (16 patches vs 2-3 words):
  the survey's condition N_A = N_B. It runs only on the streams task (8 sound + 8 sensor steps).
- **Budgets.** `fit(model, task)` without `steps` trains for the task's budget. With it, every
  variant a task is meant for reaches the task's intended accuracy on seeds 0, 1 and 2 (column
  "note"), except on repeat: early concatenation ends at 49.8-100 % (seed 1 below 80 %), also with
  1,000 steps (53.8-100 %). match: cross-attention ends at 96.4-100 % (90 % after 150-350 steps).
- **match** is the hard task: both caption words always occur in the picture, so only their binding
  decides. Cross-attention reaches 90 % soonest on every seed and ends at 96.4-100 %; early
  concatenation (90.8-99.8 %, 90 % after 450-800 steps) and cross-attention → concatenation
  (94.2-100 %, 200-750 steps) also reach 90 % on every seed within the 800 steps. Both hierarchies
  stay below on every seed, multi→one at 46.6-79.8 %, one→multi at 52.0-76.6 %, with some of their
  curves still rising at 800 steps (slower within this budget, not shown unable). The read maps of
  every variant prefer the aligned partners only mildly (AUC 0.57-0.86).
- **locate**: every applicable variant reaches 99.8-100 % on every seed within its 300 steps; the
  two cross-attention variants reach 100 % at the first check (50 steps) on every seed.
- **streams, aligned**: early summation reaches 90 % first on every seed (100-300 steps; the other
  variants meant for the task need 200-700), and ends at 97.4-99.6 %. The hierarchical variants are
  not meant for it: multi→one stays at 59.4-63.2 % on every seed, one→multi ends at 77.2-98.4 %.
- **streams, shuffled** (each sensor step keeps its time stamp, the order is shuffled): early
  summation, which adds step i of the sound to step i of the sensor, ends below 90 % on every seed
  (50.8-89.2 %, flat over the last 400 steps), while cross-attention reaches 99.4-99.8 % on every seed
  with the same budget; early concatenation ends at 91.8-99.6 %. (Both streams carry a time code,
  which lets attention re-pair the steps.)
- **repeat** (context inside the sound; the sensor is noise; chance about 1/7): within the task's 300
  steps no variant reaches 90 % on every seed. With 1,000 steps multi→one, whose first stage attends
  inside each modality, reaches 98.6-100 % on every seed; early concatenation and one→multi solve it
  on 2 seeds of 3 (53.8 % and 21.8 % on seed 1); cross-attention (two layers, so the sound can see
  itself only through the sensor) ends at 24.6-65.2 %, still rising on seeds 0 and 2, and
  cross-attention → concatenation at 14.2-40.4 %. No alignment AUC: nothing pairs two modalities.
- **tally** (all four modalities, label 0-4): every applicable variant ends at 95.8-100 % on every
  seed within 500 steps; early concatenation's seed 1 shows the note above: 95.8 % one step after a
  check at >= 99 %.
- **Readouts.** locate's answer is a token, match's a yes/no about tokens: read out through one
  mean-pooled vector instead, the same early-concatenation model ends at 5.8-28.6 % on locate (chance
  6 %) and 56.6-66.0 % on match (chance about 50 %) on every seed, against 100 % and 90.8-99.8 % with
  the pointer and "any" readouts: pooling loses which token answered.
- **Alignment (AUC, 0.5 = no preference).** Where a sound step must be paired with the sensor step of
  the same time stamp (streams) or "red" with the red things (tally), the read maps of the variants
  meant for the task pair them almost perfectly (AUC 0.91-1.00 on every seed); multi→one, which does
  not learn aligned streams, pairs them hardly at all (0.55-0.57). On locate the preference is
  weaker and varies with the seed: 0.63-0.83 for early concatenation, 0.92-0.95 for multi→one,
  0.70-0.77 for one→multi, 0.57-0.86 for cross → concatenation, and 0.52-0.55 for cross-attention,
  whose read maps barely prefer the aligned partners although it solves the task in 50 steps: a
  model can answer right without attention that pairs what the ground truth pairs.
  The older ratio to uniform attention (`alignment_score`, previous run, seed 0) gave early
  concatenation and both hierarchies on locate the same 5.8-6.0 "times uniform", where the AUC
  tells 0.63-0.95 apart; it has no fixed no-preference value, so it is no longer reported here.
"""


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--write" in args:          # only rewrite TRAINING.md from the evidence file (e.g. new prose)
        sys.exit(markdown(json.loads(EVIDENCE.read_text())))
    processes = int(args[args.index("--processes") + 1]) if "--processes" in args else 2
    only = [a for a in args if not a.startswith("--") and a != str(processes)]
    main(quick="--quick" in args, only=only, processes=processes, missing="--missing" in args)
