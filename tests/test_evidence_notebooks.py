"""The multi-seed evidence that notebooks 02 and 03 read (notebooks/evidence/, written by
tools/evidence.py) reproduces: seed 0 is retrained here and compared, with a tolerance for CPU kernel
differences. (Notebooks 07–09 read mmviz/evidence/: tests/test_evidence_claims.py.)"""
import json
from pathlib import Path

import pytest

from mmviz.data import make_pictures
from mmviz.lessons import norms, vision
from mmviz.train import vit_accuracy

EVIDENCE = Path(__file__).resolve().parents[1] / "notebooks" / "evidence"


def load(name):
    return json.loads((EVIDENCE / name).read_text())


@pytest.mark.parametrize("label", ["post-norm, no warm-up", "pre-norm, no warm-up"])
def test_warmup_evidence_reproduces_seed_0(label):
    evidence = load("02_warmup.json")
    run = evidence["runs"][label]
    assert len(run["accuracy"]) == len(evidence["seeds"]) >= 3
    norm, warmup = norms.WARMUP_RUNS[label]
    model, losses = norms.train_sorter(norm, evidence["depth"], warmup=warmup, steps=evidence["steps"],
                                       seed=0, lr=evidence["lr"])
    assert abs(sum(losses[-20:]) / 20 - run["final_loss"][0]) < 0.15
    assert abs(norms.sorting_accuracy(model) - run["accuracy"][0]) < 0.1


def test_position_evidence_reproduces_seed_0():
    evidence = load("03_positions.json")
    assert all(len(a) == len(evidence["seeds"]) >= 3 for a in evidence["accuracy"].values())
    test_images, test_labels, _ = make_pictures(300, seed=1)
    model, _ = vision.train_tiny_vit(0, 0.5, steps=evidence["steps"])
    assert abs(vit_accuracy(model, test_images, test_labels) - evidence["accuracy"]["0.5"][0]) < 0.05
