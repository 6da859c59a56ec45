"""What a claim over 3 seeds costs against one seed, for the training runs the notebooks make.

``seeds_table()`` gives the RESULTS.md section that `make bench` (benchmarks/run.py) appends: per
notebook-sized configuration, the wall seconds of ``fit_seeds`` with one seed, with seeds 0, 1, 2 one
after the other, and with the same 3 seeds in 2 forked processes (``processes=2``), plus the cost of
starting the pool of forked workers itself. Run alone: ``python benchmarks/bench_seeds.py``.
"""
from __future__ import annotations

import multiprocessing
import time

import mmviz
from mmviz import fit_seeds

# (notebook, task name, task options, variant, model options, fit options): as the notebooks train
CONFIGS = [
    ("05", "streams", dict(aligned=True), "early_summation", dict(depth=1), dict(steps=150)),
    ("06", "locate", {}, "early_concatenation", dict(depth=1), dict(steps=150)),
    ("07", "locate", {}, "hierarchical_multi_to_one", dict(depth=1), dict(steps=150, batch_size=32)),
    ("09", "locate", {}, "cross_attention_to_concatenation", dict(depth=1), dict(steps=150, batch_size=32)),
    ("10", "tally", dict(num_modalities=2), "cross_attention", dict(depth=1), dict(steps=150)),
]


def wall(run, *args, **kwargs):
    start = time.perf_counter()
    run(*args, **kwargs)
    return time.perf_counter() - start


def pool_start_seconds(processes=2, rounds=5):
    """Seconds to fork a pool of ``processes`` workers (torch already imported) and get one answer from
    each, then close it: the overhead ``processes=2`` adds to every ``fit_seeds`` call."""
    def once():
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            pool.map(abs, range(processes))
    return min(wall(once) for _ in range(rounds))


def seeds_table():
    rows = []
    for notebook, name, options, variant, model_options, fit_options in CONFIGS:
        task = mmviz.make_task(name, n_train=1000, n_test=300, seed=0, **options)
        common = dict(model_options=model_options, progress=False, eval_every=fit_options["steps"],
                      **fit_options)
        fit_seeds(variant, task, seeds=[0], **common)        # warm-up: first calls pay one-off costs
        one = wall(fit_seeds, variant, task, seeds=[0], **common)
        three = wall(fit_seeds, variant, task, seeds=[0, 1, 2], **common)
        forked = wall(fit_seeds, variant, task, seeds=[0, 1, 2], processes=2, **common)
        rows.append(f"| {notebook} | {name}, {variant}, {fit_options['steps']} steps | {one:.1f} | "
                    f"{three:.1f} ({three / one:.1f}×) | {forked:.1f} ({forked / one:.1f}×) |")
        print(rows[-1], flush=True)
    return ["## Claims over seeds: what 3 seeds cost against one", "",
            "`mmviz.fit_seeds` wall seconds per notebook-sized training run (dim 32, depth 1, the "
            "notebook's task sizes): one seed; seeds 0, 1, 2 one after the other; the same 3 seeds in "
            "2 forked processes (`processes=2`, one per core; the same numbers). Starting the pool of "
            f"2 forked workers costs {pool_start_seconds() * 1e3:.0f} ms (fork copies the parent, "
            "torch already imported). On a machine whose 2 cores are busy the forked column is no faster.",
            "", "| notebook | run | 1 seed s | 3 seeds, 1 process s | 3 seeds, 2 processes s |",
            "|---|---|---|---|---|", *rows, ""]


if __name__ == "__main__":
    print("\n".join(seeds_table()))
