"""The committed training evidence (benchmarks/evidence/training.json) reproduces: one row recomputed."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import mmviz
from mmviz import over_seeds

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))
import bench_training  # noqa: E402


def committed_row(task, variant):
    rows = json.loads(bench_training.EVIDENCE.read_text())["rows"]
    found = [r for r in rows if (r["task"], r["variant"], r["asked"]) == (task, variant, None)]
    assert found, f"no row ({task}, {variant}) in {bench_training.EVIDENCE.name}: rerun the bench"
    return found[0]


def test_committed_evidence_reproduces_for_locate_with_early_concatenation():
    """The cheapest row, rerun over the same seeds: accuracy within 1 point per seed, the step it
    stopped within one check (CPU kernels may cross 99 % one check later), the AUC within 0.05."""
    row = committed_row("locate", "early_concatenation")
    task = mmviz.make_task("locate")
    runs = over_seeds(bench_training.seed_run(task, "early_concatenation", None), bench_training.SEEDS,
                      progress=False)
    for name, tolerance in (("accuracy", 0.01), ("steps", bench_training.EVERY), ("auc", 0.05)):
        assert runs.values[name] == pytest.approx(row[name], abs=tolerance), (name, runs.values[name])
