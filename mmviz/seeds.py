"""A trained claim is a distribution, not a number: run one configuration for several seeds.

``over_seeds(run, seeds)`` calls ``run(seed)`` for each seed and gathers what it returns (numbers
and curves) into :class:`Seeds`, which gives mean, min and max; ``fit_seeds`` does it for a
``FusionClassifier`` trained with ``fit``. Seed s trains exactly as a plain ``fit`` with seed s:
the model is initialised from s and its mini-batches are drawn with s.

Cost: each run is one torch thread, so 3 seeds cost about 3× one on one core. With
``processes=2`` the seeds run in forked worker processes, one per core: a fork copies the parent,
torch already imported, so a worker starts in milliseconds (``benchmarks/run.py`` measures it), and
each seed gives the same numbers as in the parent. Where fork is unsafe or missing (macOS,
Windows) or only one core exists, the seeds run one after the other.
"""
from __future__ import annotations

import functools
import itertools
import math
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import torch
from tqdm.auto import tqdm

from ._threads import one_thread
from ._validate import flag, integer
from ._validate import seed as check_seed
from .data import Task
from .train import FusionClassifier, check_task, evaluate, fit

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class Seeds:
    """values: {name: [one number per seed]}; curves: {name: [one list per seed]}, each list of the
    same length (e.g. test accuracy at each evaluation); steps: {name: x values of that curve}."""

    seeds: list
    values: dict = field(default_factory=dict)
    curves: dict = field(default_factory=dict)
    steps: dict = field(default_factory=dict)

    def check(self, name: str) -> list[float]:
        if name not in self.values:
            raise ValueError(f"no value {name!r} was measured; the values are {sorted(self.values)}")
        return self.values[name]

    def mean(self, name: str) -> float:
        v = self.check(name)
        return sum(v) / len(v)

    def min(self, name: str) -> float:
        return min(self.check(name))

    def max(self, name: str) -> float:
        return max(self.check(name))

    def summary(self, name: str, fmt: str = "{:.2f}") -> str:
        """"mean (min–max over N seeds)", e.g. "0.97 (0.95–0.99, 3 seeds)"."""
        return (f"{fmt.format(self.mean(name))} ({fmt.format(self.min(name))}–{fmt.format(self.max(name))}, "
                f"{len(self.seeds)} seeds)")

    def band(self, name: str) -> tuple[list[float], list[float], list[float]]:
        """(mean, low, high) of a curve, point by point: three lists to draw a line and its spread."""
        if name not in self.curves:
            raise ValueError(f"no curve {name!r} was recorded; the curves are {sorted(self.curves)}")
        columns = list(zip(*self.curves[name]))
        return ([sum(c) / len(c) for c in columns], [min(c) for c in columns], [max(c) for c in columns])


def check_seeds(seeds: Iterable[int]) -> list[int]:
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


_RUNS: dict[int, Callable] = {}   # call token → its run: forked workers inherit the dict, each call its own
_TOKENS = itertools.count()


def _worker_start() -> None:
    """A forked worker runs on one thread for its whole life, sending its result back included: a
    parallel (OpenMP) region entered after a fork never returns (its threads were not copied), and
    the parent may have used one with its own thread count (``torch.get_num_threads()``)."""
    torch.set_num_threads(1)


def _call(token, item):
    return _RUNS[token](item)


def workers(processes: int, count: int) -> int:
    """How many worker processes to use for ``count`` runs: 0 (run in this process) unless
    ``processes`` > 1, this is Linux (fork is safe there), more than one core is ours and this is not
    itself a worker (a daemonic pool worker may not start processes of its own)."""
    try:
        processes = integer(processes, "processes", 1, None)     # numpy and 0-d torch ints too
    except ValueError:
        raise ValueError(f"processes must be an int >= 1, got {processes!r}") from None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    n = min(processes, count, cores)
    nested = multiprocessing.current_process().daemon
    return n if n > 1 and sys.platform == "linux" and not nested else 0


def parallel_map(run: Callable[[T], R], items: Iterable[T], processes: int = 2) -> Iterator[R]:
    """``run(item)`` for each item, in order: in forked worker processes where :func:`workers` allows
    (independent runs such as seeds or variants; results must pickle), else in this process.

    Each call registers its run under a token of its own before its pool forks, and the workers look
    it up by that token: two threads mapping at once each get their own run's results."""
    items = list(items)
    n = workers(processes, len(items))
    if not n:
        yield from map(run, items)
        return
    token = next(_TOKENS)
    _RUNS[token] = run
    try:
        with multiprocessing.get_context("fork").Pool(n, initializer=_worker_start) as pool:
            yield from pool.imap(functools.partial(_call, token), items)
    finally:
        del _RUNS[token]


@one_thread()
def over_seeds(run: Callable[[int], dict], seeds: Iterable[int] = (0, 1, 2), progress: bool = True,
               desc: str = "seeds", processes: int = 1) -> Seeds:
    """Call ``run(seed)`` for each seed; it returns {name: number or list of numbers}. Lists are
    curves (all seeds must give the same length); a key "<name>_steps" gives a curve's x values.
    ``processes`` > 1 runs the seeds in that many forked processes (Linux, with that many cores;
    otherwise one after the other): the same numbers, in less wall time."""
    seeds = check_seeds(seeds)
    if not callable(run):
        raise ValueError(f"run must be a function run(seed) -> dict, got {run!r}")
    flag(progress, "progress")
    result = Seeds(seeds)
    runs = parallel_map(run, seeds, processes)
    for measured in tqdm(runs, total=len(seeds), desc=desc, leave=False, disable=not progress):
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


def fit_seeds(variant: str, task: Task, seeds: Iterable[int] = (0, 1, 2), model_options: dict | None = None,
              progress: bool = True, processes: int = 1, **fit_options: Any) -> Seeds:
    """Train ``FusionClassifier(variant, task, seed=s, **model_options)`` with ``fit(..., seed=s,
    **fit_options)`` for each seed s (``processes`` as in :func:`over_seeds`). Values: "accuracy"
    (test), "loss" (test), "seconds"; curves: "test_accuracy" (at each evaluation, x values in
    ``steps``) and "loss" per step as "train_loss"."""
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

    return over_seeds(run, seeds, progress, desc=f"{variant} on {task.name}", processes=processes)
