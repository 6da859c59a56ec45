"""Notebooks 07–09's trained evidence: test-accuracy curves over seeds on two tasks that separate the
variants, each next to a control trained with the same budget.

  match   binding: both caption words always occur in the picture, only which goes with which decides
  repeat  context inside one modality: the sound repeats the tone of the step before, once; where?

Too slow to train live for three seeds, so ``tools/evidence.py`` writes ``curve_evidence(name)`` to
``notebooks/evidence/``; a notebook draws the committed curves and reruns the start of seed 0 live
(:func:`seed_curve` with ``stop``: the same schedule, cut short, so its points are a prefix of the file's).
"""
from __future__ import annotations

import json

from .._validate import positive_int
from ..data import make_task
from ..seeds import check_seeds, parallel_map
from ..train import FusionClassifier, fit

# One training set-up per task, the same for every variant: dim 32, 4 heads, pre-norm, batch 64, AdamW
# with a linear warm-up and a cosine decay over ``steps``. ``depth`` is per stage (a hierarchy has two).
EXPERIMENTS = {
    "match": dict(data=dict(n_train=2000, n_test=500), depth=2, steps=1500, lr=3e-3, eval_every=100,
                  variants=("cross_attention", "hierarchical_multi_to_one", "hierarchical_one_to_multi")),
    "repeat": dict(data=dict(n_train=1000, n_test=300), depth=1, steps=1200, lr=5e-3, eval_every=50,
                   variants=("cross_attention", "early_concatenation", "cross_attention_to_concatenation",
                             "hierarchical_multi_to_one", "hierarchical_one_to_multi")),
}
CHANCE = {"match": 1 / 2, "repeat": 1 / 7}      # repeat: the repeat is at step 1..7 of 8, never at 0
_TASKS = {}


def experiment(name):
    """The set-up of experiment ``name`` ("match" or "repeat"); a ValueError for any other name."""
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; expected one of {sorted(EXPERIMENTS)}")
    return EXPERIMENTS[name]


def task_of(name):
    """The generated task of experiment ``name`` (data seed 0), made once per process."""
    if name not in _TASKS:
        _TASKS[name] = make_task(name, seed=0, **experiment(name)["data"])
    return _TASKS[name]


def seed_curve(name, variant, seed, stop=None):
    """Test accuracy after every ``eval_every`` steps of ``variant`` trained from ``seed`` on experiment
    ``name``: a list of steps / eval_every numbers. ``stop`` (a multiple of eval_every): end after that
    many steps of the same schedule, so the result is the first stop / eval_every points of the full run."""
    setup = experiment(name)
    if variant not in setup["variants"]:
        raise ValueError(f"experiment {name!r} trains {list(setup['variants'])}, got variant {variant!r}")
    if stop is not None:
        stop = positive_int(stop, "stop", setup["steps"])
        if stop % setup["eval_every"]:
            raise ValueError(f"stop must be a multiple of eval_every = {setup['eval_every']}, got {stop}")
    task = task_of(name)
    model = FusionClassifier(variant, task, dim=32, depth=setup["depth"], heads=4, seed=seed)
    history = fit(model, task, steps=setup["steps"], lr=setup["lr"], warmup=30, batch_size=64, seed=seed,
                  progress=False, eval_every=setup["eval_every"],
                  callback=None if stop is None else (lambda step, _: step + 1 >= stop))
    return [round(a, 4) for a in history.test_accuracy]


def curve_evidence(name, seeds=(0, 1, 2), processes=2):
    """Every variant of experiment ``name`` over ``seeds``, JSON-ready: {"task", "depth", "steps", "lr",
    "eval_every", "seeds", "chance", "step": [x values], "curves": {variant: [one curve per seed]}}."""
    setup, seeds = experiment(name), check_seeds(seeds)
    task_of(name)                                   # made before the fork: the workers share it
    runs = [(variant, seed) for variant in setup["variants"] for seed in seeds]
    curves = list(parallel_map(lambda run: seed_curve(name, *run), runs, processes))
    every = setup["eval_every"]
    return {"task": name, **{k: setup[k] for k in ("depth", "steps", "lr", "eval_every")}, "seeds": seeds,
            "chance": CHANCE[name], "step": list(range(every, setup["steps"] + 1, every)),
            "curves": {v: [c for (run_variant, _), c in zip(runs, curves) if run_variant == v]
                       for v in setup["variants"]}}


def first_step(curve, steps, level):
    """The first step at which ``curve`` reaches ``level``, or None if it never does."""
    return next((s for s, a in zip(steps, curve) if a >= level), None)


def summary(evidence, variant, level=0.9):
    """What a variant's curves say: {"final": [accuracy at the last step, per seed], "best": [highest
    point per seed], "reached": [first step at >= level per seed, None where never]}."""
    curves = evidence["curves"][variant]
    return {"final": [c[-1] for c in curves], "best": [max(c) for c in curves],
            "reached": [first_step(c, evidence["step"], level) for c in curves]}


def describe(evidence, variants=None, level=0.9):
    """One printed line per variant: final test accuracy, mean (min–max) over the seeds, and the first
    step at which each seed reached ``level`` ("never" if it did not)."""
    seeds = "/".join(str(s) for s in evidence["seeds"])
    lines = [f"{'':<34}{'after ' + str(evidence['steps']) + ' steps':<20}first step at >= {level:.0%}, "
             f"seeds {seeds}"]
    for variant in variants or list(evidence["curves"]):
        s = summary(evidence, variant, level)
        final = s["final"]
        reached = " / ".join("never" if r is None else str(r) for r in s["reached"])
        spread = f"{sum(final) / len(final):.0%} ({min(final):.0%}–{max(final):.0%})"
        lines.append(f"{variant.replace('_', ' '):<34}{spread:<20}{reached}")
    return lines


def live_matches(live, evidence, variant, tolerance):
    """Largest gap between a live rerun of seed 0 (a prefix) and the committed seed-0 curve; a
    ValueError if it exceeds ``tolerance`` (the file is out of date, or the run differs)."""
    committed = evidence["curves"][variant][evidence["seeds"].index(0)][:len(live)]
    gap = max(abs(a - b) for a, b in zip(live, committed))
    if gap > tolerance:
        raise ValueError(f"{variant}: seed 0 rerun {live} differs from the committed {committed} by "
                         f"{gap:.3f} (> {tolerance}); rerun tools/evidence.py")
    return gap


def checked_evidence(path, rerun, stop, tolerance=0.05):
    """Load the committed evidence at ``path`` and rerun the first ``stop`` steps of seed 0 of each
    variant in ``rerun``; a ValueError if one differs from the file by more than ``tolerance``.
    Returns (evidence, {variant: live prefix}, largest gap)."""
    with open(path) as file:
        evidence = json.load(file)
    live = {v: seed_curve(evidence["task"], v, seed=0, stop=stop) for v in rerun}
    return evidence, live, max(live_matches(c, evidence, v, tolerance) for v, c in live.items())
