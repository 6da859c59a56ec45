"""Control → redraw latency of the explorers (target: p95 <= 150 ms on 2 cores), written to EXPLORERS.md.

Each interaction sets one control's value the way a click does and waits for the PNGs to be ready,
so a measurement covers the model forward (if any), the in-place update and the PNG encoding.
Train is left out: it is a training run, with a progress bar.
Run: .venv/bin/python benchmarks/bench_explorers.py [--rounds 50]
"""
from __future__ import annotations

import argparse
import itertools
import os
import platform
import re
import time
from pathlib import Path

import numpy as np
import torch

from mmviz.explore import fusion_explorer, norm_explorer

OUT = Path(__file__).with_name("EXPLORERS.md")


def timed(actions, rounds, explorer=None):
    """(wall ms, CPU ms, pictures ms) of each of ``rounds`` interactions, cycling through ``actions``.

    CPU time (this process only) shows what a redraw costs when the 2 cores are not shared. Pictures:
    wall time until the last of ``explorer``'s pictures was sent (what follows, e.g. the fusion
    explorer's test accuracy, comes later); the whole interaction if none changed.
    """
    sent = []
    for image in pictures(explorer):
        image.observe(lambda change: sent.append(time.perf_counter()), names="value")
    times = []
    for action in itertools.islice(itertools.cycle(actions), rounds):
        sent.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        end = time.perf_counter()
        times.append((1000 * (end - wall), 1000 * (time.process_time() - cpu),
                      1000 * ((sent[-1] if sent else end) - wall)))
    return np.array(times)


def pictures(explorer):
    """The Image widgets of an explorer (none for None)."""
    names = ("attention_image", "blocks_image", "thumbnail", "grad_image", "curve_image")
    return [getattr(explorer, name) for name in names if hasattr(explorer, name)]


def setter(widget, values):
    cycle = itertools.cycle(values)
    return lambda: setattr(widget, "value", next(cycle))


def fusion_cases(rounds):
    cases = {}
    e = fusion_explorer(task="streams", variant="early_summation")
    alphas = [round(a, 2) for a in np.linspace(0, 1, 11)]
    cases["fusion: α slider (model forward + both maps)"] = timed(
        [setter(e.controls["alpha"][0], alphas), setter(e.controls["alpha"][1], alphas[::-1])], rounds, e)
    e = fusion_explorer(task="tally", variant="early_concatenation", num_modalities=3)
    c = e.controls
    cases["fusion: layer / head / sample selectors"] = timed(
        [setter(c["layer"], [1, 0]), setter(c["head"], [0, 1, 2, 3, -1]), setter(c["sample"], range(8))],
        rounds, e)
    variants = ["hierarchical_multi_to_one", "cross_attention", "early_concatenation",
                "hierarchical_one_to_multi", "cross_attention_to_concatenation"]
    cases["fusion: variant dropdown (new model, forward, maps)"] = timed([setter(c["variant"], variants)],
                                                                          rounds, e)
    cases["fusion: number of modalities (task cached after first)"] = timed(
        [setter(c["num_modalities"], [2, 4, 3])], rounds, e)
    cases["fusion: pre/post toggle"] = timed([setter(c["norm"], ["post", "pre"])], rounds, e)
    e = fusion_explorer(task="tally", variant="early_concatenation", num_modalities=3)
    c = e.controls               # each move a setting not seen before: the model is built and run
    moves = [(c["variant"], v) for v in variants if v != "early_concatenation"] + [(c["norm"], "post")]
    moves += [(c["variant"], v) for v in ["early_concatenation", *variants[:-1]]]
    cases["fusion: variant or pre/post, first visit of a setting (its model built and run)"] = timed(
        [lambda widget=widget, value=value: setattr(widget, "value", value) for widget, value in moves],
        len(moves), e)
    return cases


def norm_cases(rounds):
    """The norm explorer measures every depth in a background thread once shown (about 10 s on one
    core); before that pass ends, a depth not yet measured is computed on demand."""
    e = norm_explorer(prefetch=False)
    first = timed([setter(e.controls["depth"], range(1, 25))], 24, e)  # every depth once, on demand
    e = norm_explorer()
    start = time.perf_counter()
    e.prefetch.join()
    seconds = time.perf_counter() - start
    print(f"norm explorer: background pass over every depth and init took {seconds:.1f} s")
    c = e.controls
    cached = timed([setter(c["depth"], [6, 12, 24, 3, 17, 9]), setter(c["norm"], ["pre", "post"]),
                    setter(c["init"], ["default", "xavier"]), setter(c["warmup"], [False, True])], rounds, e)
    return {"norm: depth computed on demand, before the background pass ends (2 gradient passes)": first,
            "norm: any control after the background pass (depth 1-24, init, norm, warm-up)": cached}


def train_seconds():
    """Wall and CPU time of one click of each training button at its explorer's defaults: Train (tally,
    2 modalities, 120 steps), Train to target (notebook 10's tally and sync explorers), the norm
    explorer's Train (depth 6, 150 steps). Target: at most ~10 s of kernel time on a quiet core."""
    clicks = {f"{variant}: Train": (dict(task="tally", variant=variant, num_modalities=2), "train")
              for variant in ("early_concatenation", "cross_attention_to_concatenation")}
    clicks["early_concatenation on tally (M = 2): Train to target"] = (
        dict(task="tally", variant="early_concatenation", num_modalities=2), "target")
    clicks["early_summation on sync (M = 3): Train to target"] = (
        dict(task="sync", variant="early_summation", num_modalities=3), "target")
    out = {}
    for name, (options, button) in clicks.items():
        e = fusion_explorer(**options)
        out[name] = click(e, button)
    out["norm explorer, depth 6: Train"] = click(norm_explorer(prefetch=False), "train")
    return out


def click(explorer, button):
    """(wall s, CPU s, the status line) of one click of ``explorer.controls[button]``."""
    start, cpu = time.perf_counter(), time.process_time()
    explorer.controls[button].click()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return wall, cpu, re.sub("<[^>]+>", "", explorer.status.value)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    cases = {**fusion_cases(args.rounds), **norm_cases(args.rounds)}
    trains = train_seconds()
    load = os.getloadavg()
    rows = [f"| {name} | {len(t)} | {np.percentile(t[:, 0], 50):.0f} | {np.percentile(t[:, 0], 95):.0f} | "
            f"{t[:, 0].max():.0f} | {np.percentile(t[:, 1], 50):.0f} | {np.percentile(t[:, 1], 95):.0f} | "
            f"{np.percentile(t[:, 2], 95):.0f} | {'yes' if np.percentile(t[:, 0], 95) <= 150 else 'NO'} |"
            for name, t in cases.items()]
    text = "\n".join([
        "# Explorer latency: control change → redrawn PNGs",
        "",
        f"Machine: {os.cpu_count()} CPU cores, {platform.machine()}, torch {torch.__version__}, "
        f"torch threads during the run {torch.get_num_threads()} (explorer work runs on 1 thread); "
        f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min).",
        f"Written by `benchmarks/bench_explorers.py --rounds {args.rounds}`. Target: p95 <= 150 ms.",
        "",
        "Wall time is what the student waits; CPU time is this process's own work (on a machine whose",
        "cores other jobs share, wall time exceeds it by the wait for a core). The depth and modality",
        "sliders redraw once on release (continuous_update=False), not at every step of a drag.",
        "The fusion explorer keeps what it computed (models, their answers, drawn tick labels), so rows",
        "that cycle through a few values measure mostly returns; the first-visit row measures none.",
        "'To pictures': until the last picture was sent; the fusion explorer then measures the test",
        "accuracy for its status line (a pass over the test set).",
        "",
        "| interaction | n | wall p50 ms | wall p95 ms | wall max ms | CPU p50 ms | CPU p95 ms "
        "| wall p95 to pictures ms | wall p95 <= 150 |",
        "|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "Train button (not an interactive redraw; a progress bar runs meanwhile):",
        "",
        *[f"- {name}: {seconds:.1f} s click-to-maps, {cpu:.1f} s CPU ({status})"
          for name, (seconds, cpu, status) in trains.items()],
        "",
    ])
    OUT.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
