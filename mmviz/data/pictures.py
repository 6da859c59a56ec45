"""Pictures for the tiny Vision Transformer: "in which quadrant is the red object?".

The answer depends on where a patch sits, so a ViT without position embeddings cannot learn it.
"""
from __future__ import annotations

import numpy as np
import torch

from .._validate import MAX_SAMPLES, int_in, positive_int
from .._validate import seed as check_seed
from .world import COLOURS, GRID, SHAPES, draw_image

QUADRANTS = ("top left", "top right", "bottom left", "bottom right")


def quadrant(cell: int) -> int:
    """The quadrant (0..3, as in QUADRANTS) of a cell of the 4×4 grid, numbered row by row."""
    row, col = divmod(cell, GRID)
    return 2 * (row >= GRID // 2) + (col >= GRID // 2)


def make_pictures(n: int, seed: int = 0,
                  distractors: int = 2) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``n`` pictures (n, 3, 24, 24), each one red object and ``distractors`` others of other colours.

    Returns (images, labels, cells): labels (n,) the red object's quadrant, cells (n,) its grid cell.
    Limits: n from 1 to 20000; ``seed`` an int from 0 to 2**63 - 1.
    """
    n = positive_int(n, "n", MAX_SAMPLES)
    distractors = int_in(distractors, 0, 6, "distractors")
    rng = np.random.default_rng(check_seed(seed))
    others, shapes = [c for c in COLOURS if c != "red"], list(SHAPES)
    images, cells = [], []
    for _ in range(n):
        where = rng.choice(GRID * GRID, 1 + distractors, replace=False)
        scene = [("red", shapes[rng.integers(len(shapes))], int(where[0]))]
        scene += [(others[rng.integers(len(others))], shapes[rng.integers(len(shapes))], int(c))
                  for c in where[1:]]
        images.append(draw_image(scene, rng))
        cells.append(int(where[0]))
    labels = torch.tensor([quadrant(c) for c in cells])
    return torch.from_numpy(np.stack(images)), labels, torch.tensor(cells)
