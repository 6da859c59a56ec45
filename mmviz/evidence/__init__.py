"""Every claim a notebook makes about a trained or measured quantity, as code anyone can rerun.

In a notebook::

    from mmviz import evidence
    claims = evidence.notebook("05")     # each claim of notebook 05, judged on the committed seeds
    claims.show()                        # sentence, what the seeds measured, holds?
    claims["aligned-learns"].measured    # "8 of 8 seeds >= 90.0 % (range 93.2–99.8 %)"
    evidence.load("05", "alignment")     # the committed Seeds an experiment measured (to draw them)

From a shell, on your own seeds (the experiments rerun; a progress bar shows the time left)::

    python -m mmviz.evidence --list
    python -m mmviz.evidence 05 07 --seeds 100-104 --check
    python -m mmviz.evidence 05 --claim aligned-learns --seeds 7301-7305

The claims of notebook NN live in ``mmviz/evidence/nbNN.py``, its committed evidence in
``mmviz/evidence/data/NN.json`` (``--write`` regenerates it). See :mod:`mmviz.evidence.core`.
"""
from __future__ import annotations

import importlib
import pkgutil
import time

from tqdm.auto import tqdm

from ..seeds import Seeds, check_seeds, over_seeds, parallel_map
from .core import (
    CLAIMS,
    EXPERIMENTS,
    Claim,
    Experiment,
    Judged,
    Verdict,
    bootstrap,
    both,
    claim,
    committed,
    estimate,
    experiment,
    from_json,
    gap,
    load,
    mean_of,
    percent,
    plain,
    save,
    share_at_least,
    share_at_most,
    to_json,
)

__all__ = ["CLAIMS", "EXPERIMENTS", "Claim", "Experiment", "Judged", "Verdict", "Notebook", "both",
           "bootstrap", "claim", "committed", "estimate", "experiment", "gap", "load", "mean_of", "percent",
           "plain", "share_at_least", "share_at_most", "notebooks", "notebook", "run", "claims_of",
           "rerun_seed", "Seeds", "from_json", "to_json", "save"]


def _register_all():
    """Import every ``nbNN`` module of this package once: each registers its experiments and claims."""
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("nb"):
            importlib.import_module(f"{__name__}.{info.name}")


def notebooks() -> list:
    """The notebooks that have claims, e.g. ['02', '03', ...]."""
    _register_all()
    return sorted({c.notebook for c in CLAIMS.values()})


def claims_of(numbers=None, names=None) -> list:
    """The claims of the notebooks ``numbers`` (all if None), restricted to ``names`` if given; a
    ValueError naming an unknown notebook or claim."""
    _register_all()
    known = notebooks()
    numbers = list(numbers or known)
    unknown = [n for n in numbers if n not in known]
    if unknown:
        raise ValueError(f"no claims for notebook(s) {unknown}; the notebooks with claims are {known}")
    chosen = [c for c in CLAIMS.values() if c.notebook in numbers]
    if names:
        missing = [n for n in names if n not in {c.name for c in chosen}]
        if missing:
            raise ValueError(f"unknown claim(s) {missing} in notebook(s) {numbers}; they have "
                             f"{sorted(c.name for c in chosen)}")
        chosen = [c for c in chosen if c.name in names]
    return chosen


class Notebook:
    """The claims of one notebook judged on its committed evidence: ``nb[name]`` is a :class:`Judged`."""

    def __init__(self, number: str):
        self.number = number
        self.judged = {}
        for c in claims_of([number]):
            s = load(number, c.experiment)
            self.judged[c.name] = Judged(c, c.judge(s), s.seeds)

    def __getitem__(self, name) -> Judged:
        if name not in self.judged:
            raise ValueError(f"notebook {self.number} has no claim {name!r}; it has {sorted(self.judged)}")
        return self.judged[name]

    def all_hold(self) -> bool:
        return all(j.holds for j in self.judged.values())

    def failing(self) -> list:
        return [name for name, j in self.judged.items() if not j.holds]

    def show(self, names=None):
        """Print each claim (or those named): its sentence, what the committed seeds measured, holds."""
        for name in names or self.judged:
            j = self[name]
            print(f"{'✓' if j.holds else '✗'} {name}: {j.claim.sentence}\n    {j.measured} "
                  f"[seeds {_seed_text(j.seeds)}]")
        print(f"Rerun on your own seeds: python -m mmviz.evidence {self.number} --seeds 100-107 --check")


def notebook(number: str) -> Notebook:
    """Notebook ``number``'s claims judged on the committed evidence."""
    claims_of([number])
    return Notebook(number)


def _seed_text(seeds):
    seeds = list(seeds)
    if len(seeds) > 2 and seeds == list(range(seeds[0], seeds[0] + len(seeds))):
        return f"{seeds[0]}–{seeds[-1]}"
    return ", ".join(map(str, seeds))


def _one(job):
    key, seed = job
    start = time.perf_counter()
    measured = EXPERIMENTS[key].run(seed)
    return measured, time.perf_counter() - start


def run(keys, seeds=None, processes=2, progress=True) -> dict:
    """Run experiments ``keys`` ((notebook, name) pairs) on ``seeds`` (None: each one's committed seeds),
    in ``processes`` forked workers, with one progress bar over every (experiment, seed) run.
    Returns {key: (Seeds, [seconds per seed])}."""
    _register_all()
    keys = list(dict.fromkeys(keys))
    if seeds is not None:
        seeds = check_seeds(list(seeds))
    jobs = [(k, s) for k in keys for s in (seeds if seeds is not None else EXPERIMENTS[k].seeds)]
    out: dict[str, tuple[list, list]] = {k: ([], []) for k in keys}
    bar = tqdm(total=len(jobs), desc="experiments × seeds", disable=not progress, unit="run")
    for (key, seed), (measured, seconds) in zip(jobs, parallel_map(_one, jobs, processes)):
        out[key][0].append((seed, measured))
        out[key][1].append(seconds)
        bar.set_postfix_str(f"{key[0]} {key[1]}, seed {seed}")
        bar.update()
    bar.close()
    result = {}
    for key, (runs, seconds) in out.items():
        by_seed = dict(runs)
        s = over_seeds(by_seed.__getitem__, [seed for seed, _ in runs], progress=False)
        result[key] = (s, seconds)
    return result


def rerun_seed(notebook_number: str, name: str, seed: int) -> Seeds:
    """Experiment ``name`` of notebook ``notebook_number`` run on one seed, in this process."""
    claims_of([notebook_number])
    key = (notebook_number, name)
    if key not in EXPERIMENTS:
        raise ValueError(f"notebook {notebook_number} has no experiment {name!r}")
    return run([key], [seed], processes=1, progress=False)[key][0]

