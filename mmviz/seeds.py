"""A trained claim is a distribution, not a number: run one configuration for several seeds.

``over_seeds(run, seeds)`` calls ``run(seed)`` for each seed and gathers what it returns (numbers
and curves) into :class:`Seeds`, which gives mean, min and max; ``fit_seeds`` does it for a
``FusionClassifier`` trained with ``fit``. Seed s trains exactly as a plain ``fit`` with seed s:
the model is initialised from s and its mini-batches are drawn with s.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from tqdm.auto import tqdm

from ._validate import flag
from ._validate import seed as check_seed
from .train import FusionClassifier, check_task, evaluate, fit


@dataclass
class Seeds:
    """values: {name: [one number per seed]}; curves: {name: [one list per seed]}, each list of the
    same length (e.g. test accuracy at each evaluation); steps: {name: x values of that curve}."""

    seeds: list
    values: dict = field(default_factory=dict)
    curves: dict = field(default_factory=dict)
    steps: dict = field(default_factory=dict)

    def check(self, name):
        if name not in self.values:
            raise ValueError(f"no value {name!r} was measured; the values are {sorted(self.values)}")
        return self.values[name]

    def mean(self, name):
        v = self.check(name)
        return sum(v) / len(v)

    def min(self, name):
        return min(self.check(name))

    def max(self, name):
        return max(self.check(name))

    def summary(self, name, fmt="{:.2f}"):
        """"mean (min–max over N seeds)", e.g. "0.97 (0.95–0.99, 3 seeds)"."""
        return (f"{fmt.format(self.mean(name))} ({fmt.format(self.min(name))}–{fmt.format(self.max(name))}, "
                f"{len(self.seeds)} seeds)")

    def band(self, name):
        """(mean, low, high) of a curve, point by point: three lists to draw a line and its spread."""
        if name not in self.curves:
            raise ValueError(f"no curve {name!r} was recorded; the curves are {sorted(self.curves)}")
        columns = list(zip(*self.curves[name]))
        return ([sum(c) / len(c) for c in columns], [min(c) for c in columns], [max(c) for c in columns])


def check_seeds(seeds):
    try:
        checked = [check_seed(s, "seeds") for s in seeds] if isinstance(seeds, (list, tuple, range)) else []
    except ValueError:
        checked = []
    if not checked:
        raise ValueError(f"seeds must be a non-empty list of ints >= 0, got {seeds!r}")
    seeds = checked
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct, got {seeds}")
    return seeds


def over_seeds(run, seeds=(0, 1, 2), progress=True, desc="seeds"):
    """Call ``run(seed)`` for each seed; it returns {name: number or list of numbers}. Lists are
    curves (all seeds must give the same length); a key "<name>_steps" gives a curve's x values."""
    seeds = check_seeds(seeds)
    if not callable(run):
        raise ValueError(f"run must be a function run(seed) -> dict, got {run!r}")
    flag(progress, "progress")
    result = Seeds(seeds)
    for seed in tqdm(seeds, desc=desc, leave=False, disable=not progress):
        measured = run(seed)
        if not isinstance(measured, dict):
            raise ValueError(f"run(seed) must return a dict of numbers and curves, "
                             f"got {type(measured).__name__}")
        for name, value in measured.items():
            if name.endswith("_steps"):
                result.steps[name[:-6]] = list(value)
            elif isinstance(value, (list, tuple)):
                result.curves.setdefault(name, []).append([float(v) for v in value])
            else:
                result.values.setdefault(name, []).append(float(value))
    for name, curves in result.curves.items():
        if len({len(c) for c in curves}) > 1:
            raise ValueError(f"curve {name!r} has different lengths across seeds: {[len(c) for c in curves]}")
    return result


def fit_seeds(variant, task, seeds=(0, 1, 2), model_options=None, progress=True, **fit_options):
    """Train ``FusionClassifier(variant, task, seed=s, **model_options)`` with ``fit(..., seed=s,
    **fit_options)`` for each seed s. Values: "accuracy" (test), "loss" (test), "seconds"; curves:
    "test_accuracy" (at each evaluation, x values in ``steps``) and "loss" per step as "train_loss"."""
    check_task(task)
    model_options = dict(model_options or {})
    model_options.pop("seed", None)
    fit_options.pop("seed", None)
    fit_options.setdefault("progress", False)

    def run(seed):
        model = FusionClassifier(variant, task, seed=seed, **model_options)
        history = fit(model, task, seed=seed, **fit_options)
        scores = evaluate(model, task)
        return {"accuracy": scores["accuracy"], "test_loss": scores["loss"], "seconds": history.seconds,
                "test_accuracy": history.test_accuracy,
                "test_accuracy_steps": [s + 1 for s in history.eval_step],
                "train_loss": history.loss,
                "final_train_loss": history.loss[-1] if history.loss else math.nan}

    return over_seeds(run, seeds, progress, desc=f"{variant} on {task.name}")
