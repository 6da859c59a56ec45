"""Claims as code: the sentence a notebook states about a trained or measured quantity, the experiment
it rests on, and the test it must pass on any seeds.

    experiment   ``run(seed) -> {name: number or curve}``, run over seeds into a :class:`~mmviz.seeds.Seeds`
    claim        a sentence, the experiment it reads, and ``judge(Seeds) -> Verdict(holds, measured)``
    evidence     each experiment's committed Seeds: ``mmviz/evidence/data/NN.json`` (package data)

A claim's judge is written for any number of seeds ("at least 3 of every 4 seeds", "the mean gap is
above 0.2"), so the same claim can be judged on the committed seeds and on a reader's own. Judges are
built from the few helpers below (:func:`share_at_least`, :func:`gap`, :func:`estimate`, ...), whose
measured text says "k of n seeds" or an interval.
"""
from __future__ import annotations

import json
import math
import random
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Callable

from ..seeds import Seeds, check_seeds

NOTEBOOK = re.compile(r"^\d\d$")
NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Experiment:
    """One measured set-up: ``run(seed)`` returns {name: number, or a list for a curve}; "<name>_steps"
    gives a curve's x values. ``seeds``: the committed seeds (8+ for training, 32+ for initialisations);
    ``setup``: the numbers that define it (steps, sizes), stored with the evidence so drift is seen;
    ``at_init``: it measures untrained models (then 32+ initialisations are committed, not 8+ seeds)."""

    notebook: str
    name: str
    run: Callable[[int], dict]
    seeds: tuple
    setup: dict
    about: str
    at_init: bool = False

    @property
    def min_seeds(self) -> int:
        return 32 if self.at_init else 8


@dataclass(frozen=True)
class Verdict:
    """holds: does the claim hold on these seeds; measured: what was measured, in words and numbers."""

    holds: bool
    measured: str


@dataclass(frozen=True)
class Claim:
    """A sentence a notebook states, the experiment it reads, and ``judge(Seeds) -> Verdict``."""

    notebook: str
    name: str
    sentence: str
    experiment: str
    judge: Callable[[Seeds], Verdict]

    def __call__(self, seeds: Seeds) -> Verdict:
        return self.judge(seeds)


EXPERIMENTS: dict[tuple[str, str], Experiment] = {}
CLAIMS: dict[str, Claim] = {}


def experiment(notebook: str, seeds=range(8), about: str = "", at_init: bool = False, **setup):
    """Decorator: register ``run(seed)`` as experiment ``notebook``/``run.__name__`` (dashes for
    underscores), committed on ``seeds``. ``setup`` holds the numbers that define the experiment;
    ``at_init=True`` marks a measurement of untrained models (committed on 32+ initialisations)."""
    _check_notebook(notebook)
    seeds = tuple(check_seeds(list(seeds)))

    def register(run):
        name = run.__name__.replace("_", "-")
        if (notebook, name) in EXPERIMENTS:
            raise ValueError(f"experiment {notebook} {name!r} is registered twice")
        EXPERIMENTS[notebook, name] = Experiment(notebook, name, run, seeds, dict(setup),
                                                 about or (run.__doc__ or "").strip().split("\n")[0], at_init)
        return run

    return register


def claim(notebook: str, name: str, sentence: str, experiment, judge) -> Claim:
    """Register claim ``name`` of ``notebook``: ``sentence`` is what the notebook states; ``experiment``
    (the decorated function or its name) what it reads; ``judge(Seeds) -> Verdict`` whether it holds."""
    _check_notebook(notebook)
    if not NAME.match(name):
        raise ValueError(f"a claim's name is lower-case words joined by dashes, got {name!r}")
    if name in CLAIMS:
        raise ValueError(f"claim {name!r} is registered twice (notebooks {CLAIMS[name].notebook} "
                         f"and {notebook})")
    exp = experiment if isinstance(experiment, str) else experiment.__name__.replace("_", "-")
    if (notebook, exp) not in EXPERIMENTS:
        raise ValueError(f"claim {name!r} reads experiment {exp!r}, which notebook {notebook} does not have")
    CLAIMS[name] = made = Claim(notebook, name, sentence, exp, judge)
    return made


def _check_notebook(notebook):
    if not isinstance(notebook, str) or not NOTEBOOK.match(notebook):
        raise ValueError(f"a notebook is named by two digits such as '05', got {notebook!r}")


# --- judges: each returns judge(Seeds) -> Verdict, for any number of seeds ------------------------------

def percent(v):
    return f"{100 * v:.1f} %"


def plain(v):
    return f"{v:.3g}"


def _spread(values, fmt):
    return fmt(values[0]) if len(values) == 1 else f"{fmt(min(values))}–{fmt(max(values))}"


def _k_of_n(ok, share, what, values, fmt):
    k, n = sum(ok), len(ok)
    return Verdict(k >= share * n - 1e-9, f"{k} of {n} seeds {what} (range {_spread(values, fmt)})")


def share_at_least(name, level, share=1.0, fmt=percent):
    """Holds when at least ``share`` of the seeds measure ``name`` >= ``level``."""
    def judge(s):
        values = s.check(name)
        return _k_of_n([v >= level for v in values], share, f">= {fmt(level)}", values, fmt)
    return judge


def share_at_most(name, level, share=1.0, fmt=percent):
    """Holds when at least ``share`` of the seeds measure ``name`` <= ``level``."""
    def judge(s):
        values = s.check(name)
        return _k_of_n([v <= level for v in values], share, f"<= {fmt(level)}", values, fmt)
    return judge


def gap(higher, lower, margin, share=1.0, fmt=percent):
    """Holds when, seed by seed, ``higher`` - ``lower`` >= ``margin`` on at least ``share`` of the seeds
    (the two measured on the same seed: a paired comparison)."""
    def judge(s):
        diffs = [a - b for a, b in zip(s.check(higher), s.check(lower))]
        what = f"{higher} − {lower} >= {fmt(margin)}"
        return _k_of_n([d >= margin for d in diffs], share, what, diffs, fmt)
    return judge


def bootstrap(values, statistic, repeats=2000, level=0.9, seed=0):
    """A percentile bootstrap interval of ``statistic(sample)`` resampling ``values`` (one per seed)."""
    rng = random.Random(seed)
    stats = sorted(statistic([rng.choice(values) for _ in values]) for _ in range(repeats))
    low = stats[int((1 - level) / 2 * repeats)]
    high = stats[min(repeats - 1, int((1 + level) / 2 * repeats))]
    return low, high


def estimate(statistic, low=-math.inf, high=math.inf, fmt=plain, what="estimate", level=0.9):
    """Holds when ``statistic(Seeds)`` lies in [low, high]; the measured text adds a bootstrap interval
    over the seeds (each seed's values kept together) at ``level``."""
    def judge(s):
        value = statistic(s)
        indices = list(range(len(s.seeds)))
        lo, hi = bootstrap(indices, lambda idx: statistic(_subset(s, idx)), level=level)
        bound = (f"in [{fmt(low)}, {fmt(high)}]" if math.isfinite(low) and math.isfinite(high)
                 else f">= {fmt(low)}" if math.isfinite(low) else f"<= {fmt(high)}")
        return Verdict(low <= value <= high,
                       f"{what} {fmt(value)} ({level:.0%} interval {fmt(lo)}–{fmt(hi)}, "
                       f"{len(s.seeds)} seeds; "
                       f"claim: {bound})")
    return judge


def mean_of(name):
    """A statistic for :func:`estimate`: the mean of ``name`` over the seeds."""
    def statistic(s):
        v = s.check(name)
        return sum(v) / len(v)
    return statistic


def both(*judges):
    """Holds when every judge holds; the measured texts joined by "; "."""
    def judge(s):
        verdicts = [j(s) for j in judges]
        return Verdict(all(v.holds for v in verdicts), "; ".join(v.measured for v in verdicts))
    return judge


def _subset(s, indices):
    """The Seeds of the seeds at ``indices`` (repeats allowed: a bootstrap sample)."""
    return Seeds([s.seeds[i] for i in indices],
                 {k: [v[i] for i in indices] for k, v in s.values.items()},
                 {k: [c[i] for i in indices] for k, c in s.curves.items()}, dict(s.steps))


# --- committed evidence ---------------------------------------------------------------------------------

def _path(notebook):
    return resources.files("mmviz.evidence") / "data" / f"{notebook}.json"


def to_json(exp: Experiment, s: Seeds, seconds: list) -> dict:
    return {"setup": exp.setup, "seeds": s.seeds, "values": s.values, "curves": s.curves, "steps": s.steps,
            "seconds": [round(t, 2) for t in seconds]}


def from_json(entry: dict) -> Seeds:
    return Seeds(list(entry["seeds"]), entry["values"], entry["curves"], entry["steps"])


def committed(notebook: str) -> dict:
    """The committed evidence of ``notebook``: {experiment name: its JSON entry}; {} if none."""
    _check_notebook(notebook)
    path = _path(notebook)
    return json.loads(path.read_text())["experiments"] if path.is_file() else {}


def load(notebook: str, name: str) -> Seeds:
    """The committed Seeds of experiment ``name`` of ``notebook`` (a ValueError if there are none)."""
    entries = committed(notebook)
    if name not in entries:
        raise ValueError(f"no committed evidence for experiment {name!r} of notebook {notebook}; it has "
                         f"{sorted(entries)}. Write it with: python -m mmviz.evidence {notebook} --write")
    return from_json(entries[name])


def save(notebook: str, results: dict) -> str:
    """Merge {experiment name: JSON entry} into notebook's evidence file; returns its path."""
    entries = committed(notebook)
    entries.update(results)
    order = [e.name for e in EXPERIMENTS.values() if e.notebook == notebook]
    entries = {k: entries[k] for k in sorted(entries, key=lambda k: order.index(k) if k in order else 99)}
    path = _path(notebook)
    with resources.as_file(path) as real:
        real.parent.mkdir(exist_ok=True)
        real.write_text(json.dumps({"notebook": notebook, "experiments": entries}, indent=1) + "\n")
        return str(real)


@dataclass
class Judged:
    """A claim judged on some seeds."""

    claim: Claim
    verdict: Verdict
    seeds: list = field(default_factory=list)

    @property
    def holds(self):
        return self.verdict.holds

    @property
    def measured(self):
        return self.verdict.measured
