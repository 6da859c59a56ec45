"""Notebook 06's experiment: early concatenation trained on ``locate`` (which patch holds the object the
caption names?), and what it does with the caption: its attention to the words, the alignment AUCs, and
how its answers move when only the caption is swapped, next to how a perfect model's answers would move.

The claims over seeds are registered in :mod:`mmviz.evidence.nb06`.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import torch

from ..data import make_task
from ..data.world import CELL, COLOURS, GRID, SHAPES
from ..measure import alignment_aucs, modality_blocks
from ..train import FusionClassifier, evaluate, fit

MODEL: dict[str, Any] = dict(dim=32, depth=1, heads=4)
DATA: dict[str, Any] = dict(n_train=1000, n_test=300, seed=0)
STEPS = 150
SHOWN = 100                    # test samples whose attention is averaged into the modality-block shares


@lru_cache(maxsize=None)
def locate():
    """The locate task of notebook 06 (1,000 training and 300 test samples, data seed 0)."""
    return make_task("locate", **DATA)


def scene_of(image):
    """The objects of a (3, 24, 24) locate picture, read back from its pixels: {(colour, shape): cell}."""
    pixels = np.asarray(image)
    objects = {}
    for cell in range(GRID * GRID):
        r, c = divmod(cell, GRID)
        patch = pixels[:, r * CELL:(r + 1) * CELL, c * CELL:(c + 1) * CELL]
        drawn = patch.max(0) > 0.35                     # the ground is dark (about 0.08)
        if not drawn.any():
            continue
        shape = min(SHAPES, key=lambda s: (SHAPES[s] != drawn).sum())
        mean = patch[:, drawn].mean(1)
        colour = min(COLOURS, key=lambda k: ((np.array(COLOURS[k]) - mean) ** 2).sum())
        objects[colour, shape] = cell
    return objects


def swapped_answers(task, shift=1):
    """What a perfect model answers when each test picture gets the caption of sample i − ``shift``
    (``caption.roll(shift)``): the cell of the object that caption names, or −1 where it names no
    object in that picture. Returns (answers (n,) long, own answers (n,) long)."""
    captions = task.test.words[1]
    answers = []
    for i in range(len(task.test)):
        scene = scene_of(task.test.inputs[0][i])
        words = tuple(captions[(i - shift) % len(captions)])
        answers.append(scene.get(words, -1))
    return torch.tensor(answers), task.test.labels.clone()


def perfect_moves(task, shift=1):
    """Shares of the test samples whose correct answer changes when the caption is swapped:
    "must move" (the new caption names another object of the picture), "must stay" (it names the same
    one), "no answer" (it names no object there: a perfect model has no right answer to give)."""
    new, own = swapped_answers(task, shift)
    return {"must move": ((new >= 0) & (new != own)).float().mean().item(),
            "must stay": (new == own).float().mean().item(),
            "no answer": (new < 0).float().mean().item()}


def other_object_captions(task):
    """For each test picture, a caption naming another object of the same picture (the first other one
    in raster order): (captions (n, 2) long, the cell of that object (n,) long). A perfect model's
    answer moves to that cell on every sample."""
    vocab = task.modalities[1].vocab
    captions, cells = [], []
    for i in range(len(task.test)):
        scene = scene_of(task.test.inputs[0][i])
        (colour, shape), cell = min(((k, v) for k, v in scene.items() if v != int(task.test.labels[i])),
                                    key=lambda kv: kv[1])
        captions.append([vocab.index(colour), vocab.index(shape)])
        cells.append(cell)
    return torch.tensor(captions), torch.tensor(cells)


def train(seed, steps=STEPS):
    """One early-concatenation layer (width 32, 4 heads, pointer readout) trained on locate from ``seed``."""
    task = locate()
    model = FusionClassifier("early_concatenation", task, seed=seed, **MODEL)
    fit(model, task, steps=steps, seed=seed, progress=False, eval_every=steps)
    return model


@torch.no_grad()
def measure(model, shift=1):
    """What notebook 06 measures on a trained model: test accuracy; the share of attention image queries
    give to caption keys (uniform: 2/18) and caption queries to image keys (uniform: 16/18), over
    SHOWN test samples; the two alignment AUCs; and, with each picture given the caption of another
    sample, the share of answers that moved and how they moved where the right answer is known; and with
    each picture asked about another of its objects, the share that moved and the share that found it."""
    task = locate()
    out = {"accuracy": evaluate(model, task)["accuracy"]}
    _, mass = modality_blocks(model.run(task, SHOWN).attention[0])
    out["image←caption share"], out["caption←image share"] = float(mass[0, 1]), float(mass[1, 0])
    for name, auc in alignment_aucs(model, task).items():
        out["AUC " + name.split(": ")[-1]] = auc
    image, caption = task.test.inputs
    model.eval()
    own = model([image, caption]).argmax(-1)
    swapped = model([image, caption.roll(shift, dims=0)]).argmax(-1)
    new, right = swapped_answers(task, shift)
    moved = own != swapped
    must_move, must_stay = (new >= 0) & (new != right), new == right
    out["moved"] = moved.float().mean().item()
    out["moved where it must"] = moved[must_move].float().mean().item()
    out["moved where it must not"] = moved[must_stay].float().mean().item() if must_stay.any() else 0.0
    out["right after the swap"] = (swapped[new >= 0] == new[new >= 0]).float().mean().item()
    other, cells = other_object_captions(task)
    renamed = model([image, other]).argmax(-1)
    out["moved, other object named"] = (renamed != own).float().mean().item()
    out["found, other object named"] = (renamed == cells).float().mean().item()
    return out
