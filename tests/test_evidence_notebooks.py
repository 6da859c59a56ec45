"""The multi-seed evidence that notebooks 07–09 read (notebooks/evidence/, written by
tools/evidence.py) reproduces: seed 0 is retrained here (its first steps) and compared, with a
tolerance for CPU kernel differences."""
import json
from pathlib import Path

import pytest

from mmviz.lessons import hierarchy

EVIDENCE = Path(__file__).resolve().parents[1] / "notebooks" / "evidence"


def load(name):
    return json.loads((EVIDENCE / name).read_text())


@pytest.mark.parametrize("name, file, variant", [
    ("match", "07_match.json", "hierarchical_multi_to_one"),
    ("repeat", "09_repeat.json", "cross_attention_to_concatenation")])
def test_curve_evidence_reproduces_the_start_of_seed_0(name, file, variant):
    evidence = load(file)
    setup = hierarchy.experiment(name)
    assert {k: evidence[k] for k in ("depth", "steps", "lr", "eval_every")} == \
        {k: setup[k] for k in ("depth", "steps", "lr", "eval_every")}, "the file is from another set-up"
    assert list(evidence["curves"]) == list(setup["variants"]) and len(evidence["seeds"]) >= 3
    assert all(len(c) == len(evidence["step"]) for curves in evidence["curves"].values() for c in curves)
    live = hierarchy.seed_curve(name, variant, 0, stop=4 * setup["eval_every"])
    assert hierarchy.live_matches(live, evidence, variant, tolerance=0.05) <= 0.05
