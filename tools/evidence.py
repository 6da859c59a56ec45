"""Recompute the multi-seed evidence that notebooks read from notebooks/evidence/ (too slow to train live).

  02_warmup.json     notebook 02: post/pre-norm, with/without warm-up, seeds 0–2 (12 training runs)
  03_positions.json  notebook 03: the tiny ViT's position table started at std 0.5, 0.02, or absent,
                     seeds 0–2
  07_match.json      notebooks 07, 08: three variants on match (binding), test accuracy every 100 steps,
                     seeds 0–2
  09_repeat.json     notebooks 07–09: five variants on repeat (context inside the sound), every 50 steps,
                     seeds 0–2

Each notebook reruns seed 0 live (07–09: its first steps) and checks it against its file;
tests/test_evidence_notebooks.py checks that seed 0 reproduces every file.
Usage: .venv/bin/python tools/evidence.py [02] [03] [07] [09]   (no argument: all; 07 and 09 train in
2 processes where there are 2 cores)
"""
import json
import sys
from pathlib import Path

from mmviz.lessons.hierarchy import curve_evidence
from mmviz.lessons.norms import warmup_evidence
from mmviz.lessons.vision import position_evidence

FOLDER = Path(__file__).resolve().parents[1] / "notebooks" / "evidence"
FILES = {"02": ("02_warmup.json", warmup_evidence), "03": ("03_positions.json", position_evidence),
         "07": ("07_match.json", lambda: curve_evidence("match")),
         "09": ("09_repeat.json", lambda: curve_evidence("repeat"))}

if __name__ == "__main__":
    wanted = sys.argv[1:] or list(FILES)
    unknown = [w for w in wanted if w not in FILES]
    if unknown:
        sys.exit(f"unknown notebook number(s) {unknown}; expected some of {list(FILES)}")
    for number in wanted:
        name, compute = FILES[number]
        (FOLDER / name).write_text(json.dumps(compute(), indent=1) + "\n")
        print(f"wrote {FOLDER / name}")
