"""Recompute the multi-seed evidence that notebooks read from notebooks/evidence/ (too slow to train live).

  02_warmup.json     notebook 02: post/pre-norm, with/without warm-up, seeds 0–2 (12 training runs)
  03_positions.json  notebook 03: the tiny ViT's position table started at std 0.5, 0.02, or absent,
                     seeds 0–2
(Notebooks 07–09 read mmviz/evidence/ instead: python -m mmviz.evidence 07 08 09 --write.)

Each notebook reruns seed 0 live (07–09: its first steps) and checks it against its file;
tests/test_evidence_notebooks.py checks that seed 0 reproduces every file.
Usage: .venv/bin/python tools/evidence.py [02] [03]   (no argument: all)
"""
import json
import sys
from pathlib import Path

from mmviz.lessons.norms import warmup_evidence
from mmviz.lessons.vision import position_evidence

FOLDER = Path(__file__).resolve().parents[1] / "notebooks" / "evidence"
FILES = {"02": ("02_warmup.json", warmup_evidence), "03": ("03_positions.json", position_evidence)}

if __name__ == "__main__":
    wanted = sys.argv[1:] or list(FILES)
    unknown = [w for w in wanted if w not in FILES]
    if unknown:
        sys.exit(f"unknown notebook number(s) {unknown}; expected some of {list(FILES)}")
    for number in wanted:
        name, compute = FILES[number]
        (FOLDER / name).write_text(json.dumps(compute(), indent=1) + "\n")
        print(f"wrote {FOLDER / name}")
