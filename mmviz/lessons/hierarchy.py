"""Notebooks 07–09's trained evidence, in one place: the set-ups they train, and one run of one variant
from one seed, which ``mmviz/evidence/nb07.py``, ``nb08.py`` and ``nb09.py`` register as experiments.

  locate  a few seconds of training (the live cells): which patch holds the object the caption names?
  match   binding: both caption words always occur in the picture, only which goes with which decides
  repeat  context inside one modality: the sound repeats the tone of the step before, once; where?

Each (task, variant) pair is trained once, by the notebook that introduces it, and the others read its
committed claims (07: match with early concatenation and multi→one, repeat with multi→one; 08: one→multi
on both; 09: repeat with cross-attention, concatenation and cross→concatenation).

A run on match or repeat stops once its test accuracy reaches ``stop_at`` (the claims are about reaching
90 %; the schedule is still that of the full budget, so a stopped run is a prefix of the full one); its
curve then stays at its last measured value. :func:`seed_curve` with ``stop`` reruns the start live.
"""
from __future__ import annotations

import math

import torch

from .._validate import positive_int
from ..data import make_task
from ..measure import alignment_auc, alignment_aucs, stage_change, stream_influence
from ..seeds import Seeds
from ..train import FusionClassifier, evaluate, fit

# One training set-up per task, the same for every variant: dim 32, 4 heads, pre-norm, AdamW with a
# linear warm-up and a cosine decay over ``steps``. ``depth`` is per stage (a hierarchy has two).
EXPERIMENTS = {
    "locate": dict(data=dict(n_train=1000, n_test=200), depth=1, steps=150, lr=3e-3, warmup=30,
                   batch_size=32),
    "match": dict(data=dict(n_train=2000, n_test=500), depth=2, steps=1000, lr=3e-3, warmup=30,
                  batch_size=64, eval_every=100, stop_at=0.95),
    "repeat": dict(data=dict(n_train=1000, n_test=300), depth=1, steps=1200, lr=5e-3, warmup=30,
                   batch_size=64, eval_every=50, stop_at=0.95),
}
LEVEL = 0.9                   # "solves it": test accuracy at or above 90 % at some evaluation
# notebook 07's pair on match: the control with the same two joint layers, and multi→one
MATCH_PAIR = {"concatenation": "early_concatenation", "multi→one": "hierarchical_multi_to_one"}
_TASKS: dict = {}


def experiment(name):
    """The set-up of experiment ``name`` ("locate", "match" or "repeat"); a ValueError for any other."""
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; expected one of {sorted(EXPERIMENTS)}")
    return EXPERIMENTS[name]


def task_of(name):
    """The generated task of experiment ``name`` (data seed 0), made once per process."""
    if name not in _TASKS:
        _TASKS[name] = make_task(name, seed=0, **experiment(name)["data"])
    return _TASKS[name]


def baseline(name):
    """The majority-class share of the test labels: what always giving the commonest answer scores."""
    labels = task_of(name).test.labels
    return torch.bincount(labels).max().item() / len(labels)


def model_for(name, variant, seed, depth=None):
    """``FusionClassifier(variant)`` on experiment ``name``'s task: dim 32, 4 heads, initialised from seed."""
    setup = experiment(name)
    return FusionClassifier(variant, task_of(name), dim=32, depth=depth or setup["depth"], heads=4, seed=seed)


def train(name, variant, seed, depth=None, stop=None):
    """``variant`` trained from ``seed`` with experiment ``name``'s set-up; returns (model, History).
    Match and repeat stop early once an evaluation reaches ``stop_at``; ``stop``: end after that many
    steps (same schedule)."""
    setup, model = experiment(name), model_for(name, variant, seed, depth)
    every = setup.get("eval_every", setup["steps"])

    def callback(step, history):
        if stop is not None and step + 1 >= stop:
            return True
        solved = history.test_accuracy and history.test_accuracy[-1] >= setup.get("stop_at", math.inf)
        return bool(solved) and history.eval_step[-1] == step - 1     # right after the eval that got there

    history = fit(model, task_of(name), steps=setup["steps"], lr=setup["lr"], warmup=setup["warmup"],
                  batch_size=setup["batch_size"], seed=seed, progress=False, eval_every=every,
                  callback=callback)
    return model, history


def eval_steps(name):
    """The steps (counted from 1) after which match or repeat measure test accuracy."""
    setup = experiment(name)
    return list(range(setup["eval_every"], setup["steps"] + 1, setup["eval_every"]))


def seed_curve(name, variant, seed, stop=None):
    """Test accuracy of ``variant`` from ``seed`` on experiment ``name`` after every ``eval_every`` steps,
    one point per entry of :func:`eval_steps` (after an early stop, the last measured value repeats).
    ``stop`` (a multiple of eval_every): only the first stop / eval_every points, from a run cut short."""
    setup = experiment(name)
    if "eval_every" not in setup:
        raise ValueError(f"experiment {name!r} has no learning curve; match and repeat do")
    if stop is not None:
        stop = positive_int(stop, "stop", setup["steps"])
        if stop % setup["eval_every"]:
            raise ValueError(f"stop must be a multiple of eval_every = {setup['eval_every']}, got {stop}")
    _, history = train(name, variant, seed, stop=stop)
    measured = [round(a, 4) for s, a in zip(history.eval_step, history.test_accuracy)
                if (s + 1) % setup["eval_every"] == 0]
    points = len(eval_steps(name)) if stop is None else stop // setup["eval_every"]
    return measured + measured[-1:] * (points - len(measured))


def first_step(curve, steps, level=LEVEL):
    """The first step at which ``curve`` reaches ``level``, or NaN if it never does."""
    return next((s for s, a in zip(steps, curve) if a >= level), math.nan)


def curve_run(name, variant, seed):
    """One evidence run: {"accuracy": curve, "accuracy_steps", "best": its highest point, "final": its
    last, "reached": first step at >= 90 % (NaN: never)}."""
    curve, steps = seed_curve(name, variant, seed), eval_steps(name)
    return {"accuracy": curve, "accuracy_steps": steps, "best": max(curve), "final": curve[-1],
            "reached": first_step(curve, steps)}


def paired_run(name, variants, seed):
    """:func:`curve_run` of each of ``variants`` ({label: variant}) from the same seed, in one dict with
    the label in front of each key ("concatenation best", "concatenation accuracy", ...): so a claim
    can compare the variants seed by seed."""
    out = {}
    for label, variant in variants.items():
        out.update({f"{label} {key}": value for key, value in curve_run(name, variant, seed).items()})
    return out


def split(paired, variants):
    """The Seeds of a :func:`paired_run` experiment as {variant: Seeds with the plain keys of curve_run}."""
    out = {}
    for label, variant in variants.items():
        cut = len(label) + 1
        out[variant] = Seeds(list(paired.seeds),
                             {k[cut:]: v for k, v in paired.values.items() if k.startswith(label + " ")},
                             {k[cut:]: v for k, v in paired.curves.items() if k.startswith(label + " ")},
                             {k[cut:]: v for k, v in paired.steps.items() if k.startswith(label + " ")})
    return out


def for_plot(name, runs):
    """``{variant: Seeds}`` of one task as ``plot_seed_curves`` reads it: {"step", "curves", "chance",
    "seeds"} (the majority-class baseline as "chance")."""
    first = next(iter(runs.values()))
    return {"step": first.steps["accuracy"], "seeds": first.seeds, "chance": baseline(name),
            "chance_label": "majority-class baseline",
            "curves": {variant: s.curves["accuracy"] for variant, s in runs.items()}}


def live_matches(live, committed, tolerance=0.05):
    """Largest gap between a live rerun of seed 0 (a prefix) and the committed seed-0 curve of one
    variant (a :class:`~mmviz.seeds.Seeds`); a ValueError if it exceeds ``tolerance``."""
    stored = committed.curves["accuracy"][committed.seeds.index(0)][:len(live)]
    gap = max(abs(a - b) for a, b in zip(live, stored))
    if gap > tolerance:
        raise ValueError(f"seed 0 rerun {live} differs from the committed {stored} by {gap:.3f} "
                         f"(> {tolerance}); rewrite the evidence (python -m mmviz.evidence ... --write)")
    return gap


# ---------------------------------------------------------------- locate: a few seconds of training

def word_aucs(model, n=200):
    """Each caption word's AUC over the patches in cross→concatenation's "cross 2←1" map (words asking
    the picture, heads averaged): does the word prefer the patches it describes? 0.5 = no preference.
    Returns (colour word AUC, shape word AUC)."""
    task = task_of("locate")
    aligned = task.test.alignment[(1, 0)][:n]              # (samples, 2 words, 16 patches)
    record = next(r for r in model.run(task, n).attention if r.stage == "cross 2←1")
    w = record.weights.mean(1)                               # (samples, 2 words, 16 patches)
    # rows = patches, one column per word: does the word prefer the patches it describes?
    return tuple(alignment_auc(w[:, i:i + 1].transpose(1, 2), aligned[:, i:i + 1].transpose(1, 2))
                 for i in (0, 1))


def multi_to_one_locate(seed):
    """Multi→one trained on locate from ``seed``: test accuracy, the joint stage's AUCs in both directions,
    and how far swapping the caption moves the image tokens after stage 1 and after the joint stage."""
    model, _ = train("locate", "hierarchical_multi_to_one", seed)
    task, fusion = task_of("locate"), model.fusion
    with torch.no_grad():
        zs = model.embed(task.test.first(64))
    aucs = alignment_aucs(model, task)
    return {"accuracy": evaluate(model, task)["accuracy"],
            "image←caption": aucs["joint, layer 1: image←caption"],
            "caption←image": aucs["joint, layer 1: caption←image"],
            "stage-1 change": stage_change(fusion, zs, fusion.separate[0], source=1),
            "joint change": stage_change(fusion, zs, fusion.joint, source=1, target=0)}


# notebook 08's three variants, each with two layers on every token: (variant, depth per stage)
STREAM_VARIANTS = {"one→multi": ("hierarchical_one_to_multi", 1),
                   "multi→one": ("hierarchical_multi_to_one", 1),
                   "concatenation": ("early_concatenation", 2)}


def streams_locate(seed):
    """The three variants of notebook 08 (two layers on every token) trained on locate from ``seed``:
    each one's test accuracy, and how far its final image stream moves when the caption is swapped."""
    task, out = task_of("locate"), {}
    for label, (variant, depth) in STREAM_VARIANTS.items():
        model, _ = train("locate", variant, seed, depth=depth)
        with torch.no_grad():
            zs = model.embed(task.test.first(64))
        out[f"{label} accuracy"] = evaluate(model, task)["accuracy"]
        out[f"{label} influence"] = stream_influence(model.fusion, zs, source=1, target=0)
    return out


def cross_words_locate(seed):
    """Cross→concatenation trained on locate from ``seed``: test accuracy and each word's AUC."""
    model, _ = train("locate", "cross_attention_to_concatenation", seed)
    colour, shape = word_aucs(model)
    return {"accuracy": evaluate(model, task_of("locate"))["accuracy"], "colour word": colour,
            "shape word": shape}


def describe(runs, level=LEVEL):
    """One printed line per variant of ``{variant: Seeds}`` (curve runs of one task): on how many seeds it
    reached ``level``, the first step it did (median and range, over those seeds), and its final test
    accuracy, mean (min–max)."""
    lines = [f"{'':<34}{'reached ' + format(level, '.0%'):<16}{'first step there':<22}final accuracy"]
    for label, s in runs.items():
        best, reached, final = s.values["best"], s.values["reached"], s.values["final"]
        k, steps = sum(b >= level for b in best), sorted(r for r in reached if not math.isnan(r))
        when = (f"{int(steps[len(steps) // 2])} ({int(steps[0])}–{int(steps[-1])})" if steps else "—")
        spread = f"{sum(final) / len(final):.0%} ({min(final):.0%}–{max(final):.0%})"
        lines.append(f"{label.replace('_', ' '):<34}{f'{k} of {len(best)} seeds':<16}{when:<22}{spread}")
    return lines
