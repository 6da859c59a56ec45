"""What a skeptical reader's rerun costs: ``python -m mmviz.evidence NN --seeds A-B`` for 5 seeds.

Runs one fresh seed of every experiment now (2 worker processes, as the command does) and estimates the
rerun of 5 fresh seeds on 2 cores: 5 × the seconds per seed, shared by the two workers. ``--recorded``
reads the committed runs' times instead (``seconds`` in mmviz/evidence/data/NN.json, recorded by
``--write`` under the load of that moment). Targets (issue 20): one claim within 10 min, one notebook
within 15 min.
Usage: python benchmarks/bench_evidence.py [--recorded]   (prints the Markdown section)
"""
from __future__ import annotations

from mmviz import evidence
from mmviz.evidence import core

TARGET_CLAIM_MIN, TARGET_NOTEBOOK_MIN, SEEDS, CORES, FRESH_SEED = 10, 15, 5, 2, 1000


def recorded_seconds():
    """{(notebook, experiment): mean wall seconds of one seed's run}, from the committed evidence."""
    out = {}
    for number in evidence.notebooks():
        for name, entry in core.committed(number).items():
            seconds = entry.get("seconds") or []
            if seconds:
                out[number, name] = sum(seconds) / len(seconds)
    return out


def measured_seconds(seed=FRESH_SEED):
    """{(notebook, experiment): wall seconds of one fresh seed's run, measured now}: every experiment
    once, in 2 worker processes, as the command runs them."""
    evidence.notebooks()
    return {key: seconds[0] for key, (_, seconds) in
            evidence.run(sorted(core.EXPERIMENTS), [seed], processes=CORES, progress=False).items()}


def evidence_table(measure=True):
    cost = measured_seconds() if measure else recorded_seconds()
    source = (f"one fresh seed ({FRESH_SEED}) of every experiment run now, in {CORES} processes" if measure
              else "the committed runs' own times (`seconds` in `mmviz/evidence/data/NN.json`, recorded by "
                   "`--write` under the load of that moment)")
    minutes = lambda keys: SEEDS * sum(cost.get(k, 0.0) for k in keys) / CORES / 60   # noqa: E731
    lines = ["## Rerunning the claims on 5 new seeds", "",
             f"`python -m mmviz.evidence NN --seeds A-B` with {SEEDS} seeds on {CORES} cores, estimated from "
             f"{source}: {SEEDS} × the seconds per seed, shared by {CORES} workers. Targets: the slowest "
             f"claim <= {TARGET_CLAIM_MIN} min, a notebook <= {TARGET_NOTEBOOK_MIN} min.", "",
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
    import sys
    print("\n".join(evidence_table(measure="--recorded" not in sys.argv[1:])))
