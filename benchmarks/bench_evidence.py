"""What a skeptical reader's rerun costs: ``python -m mmviz.evidence NN --seeds A-B`` for 5 seeds.

Reads the wall time of every committed run (``seconds`` in mmviz/evidence/data/NN.json, recorded by
``--write``, one run per (experiment, seed) in 2 worker processes) and estimates the rerun of 5 fresh
seeds on 2 cores: the runs shared over the two workers. Targets (issue 20): one claim within 10 min,
one notebook within 15 min. The times are the writer's machine's, under its load at the time.
Usage: python benchmarks/bench_evidence.py   (prints the Markdown section)
"""
from __future__ import annotations

from mmviz import evidence
from mmviz.evidence import core

TARGET_CLAIM_MIN, TARGET_NOTEBOOK_MIN, SEEDS, CORES = 10, 15, 5, 2


def per_seed_seconds():
    """{(notebook, experiment): mean wall seconds of one seed's run}, from the committed evidence."""
    out = {}
    for number in evidence.notebooks():
        for name, entry in core.committed(number).items():
            seconds = entry.get("seconds") or []
            if seconds:
                out[number, name] = sum(seconds) / len(seconds)
    return out


def evidence_table():
    cost = per_seed_seconds()
    minutes = lambda keys: SEEDS * sum(cost.get(k, 0.0) for k in keys) / CORES / 60   # noqa: E731
    lines = ["## Rerunning the claims on 5 new seeds", "",
             f"`python -m mmviz.evidence NN --seeds A-B` with {SEEDS} seeds on {CORES} cores, estimated from "
             "the committed runs' own times (`seconds` in `mmviz/evidence/data/NN.json`, written by "
             f"`--write` on this machine, under its load then). Targets: the slowest claim <= "
             f"{TARGET_CLAIM_MIN} min, a notebook <= {TARGET_NOTEBOOK_MIN} min.", "",
             "| notebook | claims | experiments | s per seed (all experiments) | 5 seeds, min "
             "| slowest claim, min | within targets |", "|---|---|---|---|---|---|---|"]
    for number in evidence.notebooks():
        claims = evidence.claims_of([number])
        keys = sorted({(c.notebook, c.experiment) for c in claims})
        whole, slowest = minutes(keys), max(minutes([k]) for k in keys)
        ok = whole <= TARGET_NOTEBOOK_MIN and slowest <= TARGET_CLAIM_MIN
        lines.append(f"| {number} | {len(claims)} | {len(keys)} | {sum(cost.get(k, 0) for k in keys):.0f} | "
                     f"{whole:.1f} | {slowest:.1f} | {'yes' if ok else '**no**'} |")
    return lines + [""]


if __name__ == "__main__":
    print("\n".join(evidence_table()))
